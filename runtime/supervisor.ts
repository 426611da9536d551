// Notices a team worker that dies during a parallel loop (Node). Thread 0 runs the program on the
// caller's thread and waits for the loop in the join, so the caller's event loop cannot deliver the
// worker's `exit` event then. Each worker therefore holds one end of a MessageChannel whose other
// end is watched by this small thread (one per program): when the worker's thread ends, its port
// closes, and if a region is running the supervisor writes the worker's number to CTRL.lost and
// cancels the team; the join stops waiting and raises (env.team_lost, runtime/instance.ts).
import { CTRL } from './protocol.js';

/**
 * The supervisor thread's code (run with `eval`, as CommonJS or, when the process was started with
 * --input-type=module, as a module: hence the dynamic import): watch the ports it is sent.
 */
const SOURCE = `
import('node:worker_threads').then(({ parentPort, workerData }) => {
const ctl = workerData.ctl, C = workerData.C;
parentPort.on('message', ({ port, tid }) => {
  port.on('message', () => {});
  port.on('close', () => {
    // Only a death during a loop: the team's own stops (dispose, rebuild) set CTRL.stop first and
    // happen between runs; a death between runs is seen by the team through the exit event.
    if (Atomics.load(ctl, C.active) === 0 || Atomics.load(ctl, C.stop) !== 0) return;
    if (Atomics.compareExchange(ctl, C.lost, 0, tid) !== 0) return;
    Atomics.store(ctl, C.cancel, 1);
    Atomics.notify(ctl, C.done);
  });
});
});`;

type NodeWorker = import('node:worker_threads').Worker;
type Port = import('node:worker_threads').MessagePort;

const supervisors = new WeakMap<WebAssembly.Memory, NodeWorker>();

/** Watches worker `tid`'s end of a lifeline (the worker keeps the other end while it runs). */
export function superviseNode(W: typeof import('node:worker_threads').Worker, memory: WebAssembly.Memory, tid: number, port: Port): void {
  let s = supervisors.get(memory);
  if (!s) {
    const C = { active: CTRL.active / 4, stop: CTRL.stop / 4, lost: CTRL.lost / 4, cancel: CTRL.cancel / 4, done: CTRL.done / 4 };
    s = new W(SOURCE, { eval: true, workerData: { ctl: new Int32Array(memory.buffer, 0, CTRL.END / 4), C } });
    s.unref();
    supervisors.set(memory, s);
  }
  s.postMessage({ port, tid }, [port]);
}

/** The program is disposed: its supervisor ends. */
export function endSupervisor(memory: WebAssembly.Memory): void {
  const s = supervisors.get(memory);
  if (!s) return;
  supervisors.delete(memory);
  void s.terminate();
}
