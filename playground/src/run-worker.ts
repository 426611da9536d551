// The run worker: thread 0 of every run. It compiles with the real compiler (Binaryen included), runs
// the program on the same runtime as Node, and reports output, errors, per-loop statistics, the chunk
// trace and the IR/WAT dumps. It lives in a worker because thread 0 blocks in Atomics.wait at every
// join, which a page may not do. The team's other threads are workers the page starts for it (see
// setWorkerSpawner below), so that Stop can terminate this worker and all of them at once.
import type { Prepare, RunReply, RunRequest, RunResult, Marker, Spawned } from './protocol.js';
import { setWorkerSpawner } from '../../dist/runtime/platform.js';
import { clampLimits, compileOptions, type Limits } from './limits.js';
import type { Precompiled } from '../../dist/compiler/driver.js';
import PRECOMPILED from 'virtual:par-precompiled';

// The page sends `prepare` as soon as it creates this worker, while the imports below are still
// loading: a message that comes before there is a handler is dropped, so until the handler at the
// end of this file is installed, messages wait here.
const early: MessageEvent[] = [];
self.onmessage = (e: MessageEvent) => { early.push(e); };

// Shared wasm memory works in any page, but without cross-origin isolation the SharedArrayBuffer
// constructor is hidden, and the runtime's output queue makes one. The platform then reports no
// workers (a team of one), so such buffers never leave this worker, which is all isolation forbids.
const isolated = self.crossOriginIsolated;
if (typeof SharedArrayBuffer === 'undefined') {
  const buffer = new WebAssembly.Memory({ initial: 0, maximum: 1, shared: true }).buffer;
  (globalThis as { SharedArrayBuffer?: unknown }).SharedArrayBuffer = buffer.constructor;
}

const startup = { compiler: 0, binaryen: 0, warmup: 0 }; // ms since this worker started
// Binaryen (10 MB of wasm) takes the longest to start: load it now, beside the compiler, while the
// page loads the editor.
const { loadBinaryen, disassemble } = await import('../../dist/compiler/binaryen.js');
const binaryen = loadBinaryen().then((b) => { startup.binaryen = performance.now(); return b; });
// The compile pipeline (front end and emitter), which the driver loads only when it compiles.
const [{ compile, precompile }, { pipeline }, { sourceFile }, { DiagnosticBag }] = await Promise.all([
  import('../../dist/compiler/driver.js'), import('../../dist/compiler/pipeline.js'),
  import('../../dist/language/source.js'), import('../../dist/language/diagnostics.js'),
]);
startup.compiler = performance.now();
const binaryenApi = await binaryen;

type Compiled = Awaited<ReturnType<typeof compile>>;
// Every run has a time and a memory limit (limits.ts); Stop still works without one.
// Without cross-origin isolation no watchdog thread can share the program's memory: the page then
// ends a run that passes its time limit by replacing this worker (main.ts), as Stop does.
const compileFor = (source: string, threads: number, limits: Limits, precompiled?: Precompiled) =>
  compile(source, { ...compileOptions(threads, isolated ? limits : { ...limits, seconds: 0 }), ...(precompiled ? { precompiled } : {}) });
const sameLimits = (a: Limits, b: Limits) => a.seconds === b.seconds && a.memoryMiB === b.memoryMiB;

/** The examples as compiled when the site was built (playground/precompile.js), for `prepare`. */
function precompiledFor(source: string): Precompiled | undefined {
  const x = PRECOMPILED.find((p) => p.source === source);
  return x && { ...x, bytes: Uint8Array.from(atob(x.bytes), (c) => c.charCodeAt(0)), manifest: x.manifest as Precompiled['manifest'] };
}

/**
 * The program the page showed when it started this worker (its Prepare message), compiled right
 * away: a first compile runs Binaryen's code cold and takes about twice as long as the next, so
 * doing it while the page loads the editor both warms Binaryen up and, when Run comes for that same
 * program, has it compiled already. An example comes compiled with the site (precompiledFor), so
 * its first run needs no Binaryen at all. Taken by the first run; disposed unused if that run is of
 * another program.
 */
let prepared: { source: string; threads: number; limits: Limits; ms: number; dumps?: Dumps; result: Promise<Compiled | null> } | null = null;
/** Settles when the prepared compile has: never two compiles at once, Binaryen has global state. */
let warm: Promise<unknown> = Promise.resolve();
function prepare({ source, threads, limits }: Prepare): void {
  const t0 = performance.now();
  const precompiled = precompiledFor(source);
  const entry: NonNullable<typeof prepared> = { source, threads: isolated ? threads : 1, limits: clampLimits(limits), ms: 0, result: Promise.resolve<Compiled | null>(null) };
  entry.result = compileFor(source, entry.threads, entry.limits, precompiled).then(
    (r) => {
      entry.ms = performance.now() - t0;
      // Made now, while the page is still loading, rather than after the run.
      if (precompiled && r?.timings.cache) {
        try { entry.dumps = precompiledDumps(precompiled); } catch { /* the tabs then say the wasm came from a cache */ }
      }
      startup.warmup = performance.now();
      return r;
    },
    () => null, // the run compiles it again and reports what goes wrong
  );
  prepared = entry;
  warm = entry.result;
  // An example the build compiled needs no Binaryen: warm Binaryen up after its first run instead
  // (see self.onmessage), so that the next compile, of an edited program, does not run it cold.
  if (precompiled) warmUp = () => precompile(source, { filename: 'main.par', interruptible: true }).catch(() => null);
}
/**
 * The IR and WAT tabs for a precompiled example, which the driver has no stages to show: the IR
 * from the front end and lowering (no Binaryen), the WAT disassembled from the bytes.
 */
interface Dumps { ir: string; wat: string }
function precompiledDumps(p: Precompiled): Dumps {
  const stages = pipeline(sourceFile('main.par', p.source), new DiagnosticBag(), {}, { boundsCheck: p.boundsCheck, interruptible: p.interruptible });
  return { ir: stages.dump('ir'), wat: disassemble(binaryenApi, p.bytes) };
}
/** A compile, run only to warm Binaryen up, that waits for the end of the first run. */
let warmUp: (() => Promise<unknown>) | null = null;

const post = (m: RunReply) => self.postMessage(m);

// The team's workers are started by the page (see setWorkerSpawner): only they can be terminated
// at once when the user presses Stop.
const starting = new Map<number, { resolve(): void; reject(e: Error): void }>();
let spawnId = 0;
setWorkerSpawner(async (init) => {
  const id = ++spawnId;
  const ready = new Promise<void>((resolve, reject) => starting.set(id, { resolve, reject }));
  ready.catch(() => { /* observed by the team */ });
  post({ type: 'spawn', id, init });
  return { ready, terminate: () => post({ type: 'kill', id }) };
});
post({ type: 'ready', isolated, cores: navigator.hardwareConcurrency || 1, startup });

interface ParErrorLike { name: string; formatted: string; diagnostic: { message: string; span: { start: number; end: number } } }
const isParError = (e: unknown): e is ParErrorLike =>
  e instanceof Error && e.name === 'ParError' && typeof (e as Partial<ParErrorLike>).formatted === 'string';

async function run({ id, source, threads, limits: asked }: RunRequest): Promise<RunResult> {
  const limits = clampLimits(asked);
  const result: RunResult = { ok: false, errors: [], threads: isolated ? threads : 1, compileMs: 0, runMs: 0, loops: [], trace: null, ir: '', wat: '' };
  // Printed lines go out in batches: one message per line would flood the page on chatty programs.
  let pending = '';
  let last = performance.now();
  const flush = () => { if (pending) { post({ type: 'out', id, text: pending }); pending = ''; } last = performance.now(); };
  const stdout = (text: string) => {
    pending += text;
    if (performance.now() - last > 40 || pending.length > 1 << 22) flush();
  };
  await warm;
  const ready = prepared;
  prepared = null;
  let compiled = ready && ready.source === source && ready.threads === result.threads && sameLimits(ready.limits, limits) ? await ready.result : null;
  let dumps = compiled ? ready!.dumps : undefined;
  if (compiled) {
    result.compileMs = ready!.ms;
  } else {
    (await ready?.result)?.program?.dispose();
    const t0 = performance.now();
    const precompiled = precompiledFor(source);
    compiled = await compileFor(source, threads, limits, precompiled);
    result.compileMs = performance.now() - t0;
    if (precompiled && compiled.timings.cache) {
      try { dumps = precompiledDumps(precompiled); } catch { /* the tabs then say the wasm came from a cache */ }
    }
  }
  result.stages = compiled.timings;
  result.errors = compiled.diagnostics.map((d): Marker => ({ message: d.message, severity: d.severity, span: d.span, formatted: compiled.format(d) }));
  result.ir = dumps?.ir ?? compiled.dump('ir');
  const program = compiled.program;
  if (!program) return result;
  result.wat = dumps?.wat ?? compiled.dump('wat');
  // Shared memory may be posted only from an isolated page.
  const flag = program.stopFlag?.();
  if (flag && isolated) post({ type: 'stopflag', id, flag });
  post({ type: 'running', id });
  try {
    const t1 = performance.now();
    try {
      await program.run({ stdout, image: (picture) => { flush(); post({ type: 'image', id, picture }); } });
    } finally {
      result.runMs = performance.now() - t1;
      flush();
      result.loops = (program as unknown as { timings?: string[] }).timings ?? [];
      result.trace = program.chunkTrace?.() ?? null;
    }
    result.ok = true;
  } catch (e) {
    if (!isParError(e)) throw e;
    result.errors.push({ message: e.diagnostic.message, severity: 'error', span: e.diagnostic.span, formatted: e.formatted });
  } finally {
    program.dispose();
  }
  return result;
}

// One run at a time: the page sends the next request only after `done` (or replaces this worker).
self.onmessage = async (e: MessageEvent<RunRequest | Spawned | Prepare>) => {
  const req = e.data;
  if (req.type === 'prepare') { prepare(req); return; }
  if (req.type === 'spawned') {
    const s = starting.get(req.id);
    starting.delete(req.id);
    if (req.error === undefined) s?.resolve(); else s?.reject(new Error(`worker ${req.id} failed to start: ${req.error}`));
    return;
  }
  let result: RunResult;
  try {
    result = await run(req);
  } catch (err) {
    const internal = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    result = { ok: false, errors: [], threads: 1, compileMs: 0, runMs: 0, loops: [], trace: null, ir: '', wat: '', internal };
  }
  post({ type: 'done', id: req.id, result });
  if (warmUp) { warm = warmUp(); warmUp = null; }
};
for (const e of early.splice(0)) void (self.onmessage as (e: MessageEvent) => Promise<void>)(e);
