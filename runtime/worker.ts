// The entry of a team worker (thread tid >= 1), started by runtime/team.ts through the platform seam.
// It instantiates the program's module over the shared memory with its own imports (never calling
// `__init`), says it is ready, then serves regions in `__worker_main` until CTRL.stop is set. When
// its share of a region throws, it records the error (unless the error import already did), cancels
// the team, acknowledges the region so thread 0's join completes, and goes back to waiting.
import { CTRL, SLOT } from './protocol.js';
import { OutputQueue } from './output.js';
import { threadImports } from './instance.js';
import { ParTrap, recordError, trapFromError } from './trap.js';
import { workerPort } from './platform.js';

const port = await workerPort();
const { init } = port;
// Held while this thread lives: its closing tells the supervisor that this worker has died (runtime/supervisor.ts).
export const lifeline = init.lifeline;
let exports: Record<string, (...args: number[]) => unknown>;
const output = new OutputQueue(init.output, true);
const ctrl = new Int32Array(init.memory.buffer, 0, CTRL.END / 4);
try {
  const imports = threadImports({
    memory: init.memory, tid: init.tid, strings: init.strings, sites: init.sites, maxPages: init.maxPages, output, races: init.races,
    // The flag tells thread 0's join to drain the queue (it skips that JS call when nothing is queued).
    line: (l) => { output.append(l); Atomics.store(ctrl, CTRL.outPending / 4, 1); },
  });
  if (init.fault === 'exit-in-loop') {
    // The thread ends as a crash would, in the middle of a loop (uncatchable, unlike a trap).
    (imports.env as Record<string, unknown>).trace = () => (globalThis as { process?: { exit(code: number): never } }).process?.exit(1);
  }
  const inst = await WebAssembly.instantiate(init.module, imports);
  exports = inst.exports as typeof exports;
} catch (e) {
  const message = e instanceof Error ? e.message : String(e);
  // A lazily started team (Note [Lazy team]) is waited for in shared memory, not by message.
  while (Atomics.compareExchange(ctrl, CTRL.errLock / 4, 0, 1) !== 0) { /* another failing worker writes its text */ }
  output.setError(-1, `worker ${init.tid} failed to start: ${message}`);
  Atomics.store(ctrl, CTRL.errLock / 4, 0);
  Atomics.add(ctrl, CTRL.startFailed / 4, 1);
  Atomics.notify(ctrl, CTRL.started / 4);
  port.post({ type: 'failed', message });
  port.close();
  throw e;
}
Atomics.add(ctrl, CTRL.started / 4, 1);
Atomics.notify(ctrl, CTRL.started / 4);
port.post({ type: 'ready' });

let seen = init.seen;
for (;;) {
  try {
    exports.__worker_main(init.tid, seen);
    break; // CTRL.stop
  } catch (e) {
    if (!(e instanceof ParTrap && e.recorded)) {
      const t = trapFromError(e);
      recordError(init.memory, output, init.tid, t?.site ?? -1, t?.message ?? `InternalError: ${e instanceof Error ? e.message : String(e)}`);
    }
    Atomics.store(ctrl, CTRL.cancel / 4, 1);
    // Resume from the last outer region this thread took up, as __worker_main recorded it. Not from
    // CTRL.gen: a thread recruited into a nested team before it noticed a new outer region would
    // skip its share of that region, and thread 0's join would wait for it forever.
    seen = new Int32Array(init.memory.buffer, Atomics.load(ctrl, CTRL.iterSlots / 4) + init.tid * SLOT.SIZE + SLOT.seen, 1)[0];
    exports.__worker_ack(init.tid);
  }
}
port.close();
