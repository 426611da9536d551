// The compiler driver: compile() looks the source up in the compiled-code cache, runs the stages
// (compiler/pipeline.ts, loaded only on a miss) otherwise, and wraps the wasm in a Program bound to
// the runtime. Nothing here imports the front end or Binaryen, so a cache hit starts fast.
import type { Diagnostic } from '../language/diagnostics.js';
import { Code, DiagnosticBag, formatDiagnostic } from '../language/diagnostics.js';
import { sourceFile, type SourceFile } from '../language/source.js';
import { showType, type DType, type Type } from '../language/types.js';
import type { DumpStage, Manifest, Pipeline } from './pipeline.js';
import { instantiate, type ParInstance } from '../runtime/instance.js';
import { resolveMemoryLimit } from '../runtime/memory-size.js';
import { currentPlatform } from '../runtime/platform.js';
import { inRegion, ParTrap, recordError, trapFromError, withSerialIteration } from '../runtime/trap.js';
import { ConfigError, probeForkCost, type Team } from '../runtime/team.js';
import { startWatchdog } from '../runtime/watchdog.js';
import { ParError } from '../runtime/errors.js';
import type { Picture } from '../runtime/image.js';
import type { ParFiles } from '../runtime/files.js';
import { CTRL, LOOP_STATS, SERIAL_REASON, TRACE } from '../runtime/protocol.js';
import { DESC, DTYPE_CODE, ELEM_SIZE, TYPED_ARRAY } from '../runtime/layout.js';

/** Chunk records the trace holds (40 bytes each); later chunks are counted as dropped. */
const TRACE_CAPACITY = 1 << 16;

export type { DumpStage };

export interface CompileOptions {
  /** File name used in diagnostics (default `<input>`). */
  filename?: string;
  /** Bounds checks on array indexing (default true), like Cython's boundscheck. */
  boundsCheck?: boolean;
  /** Team size; default PAR_NUM_THREADS, OMP_NUM_THREADS, then the core count. */
  threads?: number;
  /**
   * Directory for the compiled-wasm cache keyed by source hash; false or absent disables it. A hit
   * loads neither the front end nor Binaryen, and runs no stage: its `dump()` has no stages to show.
   */
  cacheDir?: string | false;
  /**
   * Time every run of every parallel loop and region, for `Program.timings` (`par run --time`).
   * Off by default: reading the clock costs about as much as a fork-join, so without profiling
   * only the runs the cost model samples are timed and `timings` reports those.
   */
  profile?: boolean;
  /**
   * Record which thread ran which chunk of each parallel loop, and when (`Program.chunkTrace()`, the
   * playground's timeline). Off by default; when off it costs one load per chunk.
   */
  trace?: boolean;
  /**
   * The most memory the program may use: bytes, or text such as '512M' or '2GiB' (units are powers
   * of 1024). Default PAR_MAX_MEMORY, else 4 GiB, WebAssembly's ceiling. An allocation past it is a
   * MemoryError naming the array's shape and dtype.
   */
  maxMemory?: number | string;
  /**
   * The race detector (Note [Race detection] in compiler/lower/races.ts): element accesses in prange
   * bodies are checked against the other iterations of the same loop run; two iterations that write
   * the same element, or one writes and another reads it, stop the run with a DataRace error that
   * names both. Slower (every checked access calls into JS).
   */
  checkRaces?: boolean;
  /** Compile so that `Program.stopFlag()` can stop the program from another thread (see EmitOptions.interruptible). */
  interruptible?: boolean;
  /**
   * Milliseconds each `run()` / `call()` may take: past it, every thread stops at its next loop
   * iteration or chunk and the call rejects with `TimeoutError` at the line it reached (a watchdog
   * thread sets the stop word, runtime/watchdog.ts). Implies `interruptible`.
   */
  timeout?: number;
  /**
   * Aborting it rejects `compile()` (checked between stages) and `run()` / `call()` (before they start
   * with the signal's reason; during a run, KeyboardInterrupt at the next loop iteration). A run holds
   * the calling thread, so an abort issued on that same thread is seen only when the run returns:
   * use `timeout` against runaway code. Implies `interruptible`.
   */
  signal?: AbortSignal;
  /**
   * Cluster mode (Node only; docs/cluster.md): `redis://USER:SECRET@HOST:PORT` or `rediss://...`.
   * Qualifying parallel loops run on the `par worker` nodes serving that Redis.
   */
  cluster?: string;
  /** Cluster mode: fail when no worker finishes a chunk for this many seconds (default: wait). */
  clusterTimeout?: number;
  /** Cluster mode over rediss://: PEM text of a CA to trust, and of a client certificate and its key. */
  clusterTls?: { ca?: string; cert?: string; key?: string };
  /**
   * The wasm of this very source, compiled ahead of time by `precompile` (the playground's build
   * compiles its examples): used like a cache hit when its source, bounds checks and
   * interruptibility match this call's, else ignored. It must come from this same build of Par.
   */
  precompiled?: Precompiled;
}

/** What `precompile` returns: a program's wasm and manifest, with what it was compiled from. */
export interface Precompiled {
  source: string;
  boundsCheck: boolean;
  interruptible: boolean;
  bytes: Uint8Array;
  manifest: Manifest;
}

/** One chunk of a parallel loop (iterations [lo, hi)) or one thread's run of a region (lo = hi = -1); ms since the trace began. */
export interface ChunkEvent { loop: number; thread: number; lo: number; hi: number; start: number; end: number }
export interface ChunkTrace {
  /** The parallel loops and regions by number (ChunkEvent.loop), with their source lines. */
  loops: { line: number; kind: 'prange' | 'region' }[];
  events: ChunkEvent[];
  /** Chunks not recorded because the trace buffer was full. */
  dropped: number;
}

export interface RunOptions {
  /** Receives printed text (whole lines, each ending in "\n"); default writes to process.stdout. */
  stdout?: (text: string) => void;
  /** Receives each imshow(a) picture (row-major values; see runtime/image.ts); by default they are dropped. */
  image?: (p: Picture) => void;
  /**
   * The files np.save/np.load/np.savetxt/np.loadtxt use: a directory (Node; relative paths resolve
   * against it, writes are atomic), or `{ read(path), write(path, bytes) }` called synchronously with
   * the paths as the program writes them (a write must replace the file all or nothing). Absent: a
   * program that touches a file stops with a RuntimeError. The CLI gives the script's directory.
   */
  files?: string | ParFiles;
}

/** A value crossing the JS boundary: numbers/bigints/booleans for scalars, typed arrays with a shape for arrays, JS arrays for tuples. */
export type ParValue = number | bigint | boolean | ParArray | ArrayBufferView | ParValue[] | null;
export interface ParArray { data: ArrayBufferView; shape: number[]; dtype: string }

export interface Program {
  /** Runs the script's top-level statements. Rejects with a ParError on a run-time error. */
  run(opts?: RunOptions): Promise<void>;
  /** Calls a function defined in the script with JS arguments. */
  call(name: string, ...args: ParValue[]): Promise<ParValue>;
  /** Bytes of the wasm heap (up to its highest block; freed blocks included). */
  heapBytes(): number;
  /** Bytes of the program's wasm memory: its peak, since wasm memory never shrinks. */
  memoryBytes(): number;
  /** The chunk trace of the runs so far, when compiled with `trace: true` (else null). */
  chunkTrace?(): ChunkTrace | null;
  /**
   * With `interruptible: true`: a one-element view of the program's stop word in its shared memory.
   * Storing 1 there (`Atomics.store(flag, 0, 1)`, from any thread the view is posted to) makes every
   * thread trap at its next `while` iteration or counted-loop chunk (65536 iterations). Else null.
   */
  stopFlag?(): Int32Array | null;
  dispose(): void;
  [Symbol.dispose](): void;
}

export interface CompileResult {
  file: SourceFile;
  diagnostics: Diagnostic[];
  /** null when there are errors. */
  program: Program | null;
  /** Text of an intermediate stage, for `par run --dump=...` (after a cache hit: a note that no stage ran). */
  dump(stage: DumpStage): string;
  /** `file:line:col: error: ...` with the source line and a caret. */
  format(d: Diagnostic, opts?: { color?: boolean }): string;
  /** Milliseconds per stage, for `par run --time`. */
  timings: Record<string, number>;
}

/** Set once this process starts loading Binaryen; settles when its wasm is compiled. */
let binaryenLoad: Promise<void> | undefined;

const CACHE_VERSION = 'par-0.1.0-2';

export async function compile(source: string, options: CompileOptions = {}): Promise<CompileResult> {
  if (options.timeout !== undefined && !(options.timeout > 0 && Number.isFinite(options.timeout))) {
    throw new ConfigError(`timeout must be a positive number of milliseconds, got ${String(options.timeout)}`);
  }
  options.signal?.throwIfAborted();
  // Limits work through the stop word, which only interruptible code checks.
  if (options.timeout !== undefined || options.signal) options = { ...options, interruptible: true };
  const file = sourceFile(options.filename ?? '<input>', source);
  const diags = new DiagnosticBag();
  const timings: Record<string, number> = {};
  const boundsCheck = options.boundsCheck ?? true;
  const key = options.cacheDir
    ? (await nodeCrypto()).createHash('sha256').update(`${CACHE_VERSION}\0${await compilerHash()}\0${boundsCheck}\0${options.interruptible ? 'i' : ''}${options.checkRaces ? 'r' : ''}\0${source}`).digest('hex').slice(0, 32)
    : '';
  const format = (d: Diagnostic, o?: { color?: boolean }) => formatDiagnostic(d, file, o);

  // The stages live in compiler/pipeline.ts, loaded only when they must run: a cache hit needs
  // neither the front end nor Binaryen (see Note [Start-up] in docs/architecture.md).
  let stages: Pipeline | undefined;
  const loadPipeline = async (): Promise<Pipeline> => {
    if (!stages) {
      const t0 = performance.now();
      // Binaryen compiles its 13 MB of wasm off the main thread: started first, that overlaps the
      // front end. (emit.ts awaits the same promise; a failure surfaces there.)
      binaryenLoad ??= import('./binaryen.js').then((b) => b.loadBinaryen()).then(() => {}, () => {});
      const { pipeline } = await import('./pipeline.js');
      timings.load = performance.now() - t0;
      stages = pipeline(file, diags, timings, { boundsCheck, interruptible: options.interruptible ?? false, checkRaces: options.checkRaces ?? false });
    }
    return stages;
  };
  const backEnd = async (): Promise<{ bytes: Uint8Array; manifest: Manifest } | null> => {
    const pre = options.precompiled;
    // (Precompiled code has no race checks: a checkRaces compile builds its own.)
    if (pre && !options.checkRaces && pre.source === source && pre.boundsCheck === boundsCheck && pre.interruptible === (options.interruptible ?? false)) {
      timings.cache = 1;
      return pre;
    }
    const cached = options.cacheDir ? await readCache(options.cacheDir, key) : null;
    if (cached) { timings.cache = 1; return cached; }
    options.signal?.throwIfAborted();
    const built = await (await loadPipeline()).build();
    options.signal?.throwIfAborted();
    if (built && options.cacheDir) await writeCache(options.cacheDir, key, built.bytes, built.manifest);
    return built;
  };

  const fromCache = '(compiled wasm came from the cache; run with --no-cache to see it)';
  const result: CompileResult = {
    file, diagnostics: diags.items, program: null, format, timings,
    // On a cache hit no stage ran, and dump() is synchronous: it cannot load them now.
    dump: (stage) => (stages ? stages.dump(stage) : fromCache),
  };
  const built = await backEnd();
  options.signal?.throwIfAborted();
  if (!built || diags.hasErrors) return result;
  // A module compiled while Binaryen's compiles would get no TurboFan (Note [Binaryen on Liftoff]).
  if (binaryenLoad) await binaryenLoad;
  const inst = await instantiate({
    bytes: built.bytes, strings: built.manifest.strings, sites: built.manifest.sites, stdout: defaultStdout,
    minPages: built.manifest.minPages,
    ...(options.threads !== undefined ? { threads: options.threads } : {}),
    // Resolved here (option, else PAR_MAX_MEMORY) so that a fractional or huge size is a clear
    // ConfigError and the instance gets a whole number of bytes.
    maxMemory: resolveMemoryLimit(options.maxMemory, currentPlatform().env()),
  });
  result.program = new ProgramImpl(inst, built.manifest, file, options, built.bytes);
  return result;
}

/** The cache is Node-only: node:crypto is loaded when a cacheDir is given, so browser bundles never need it. */
const nodeCrypto = () => import('node:crypto');

/**
 * A hash of the compiler's own code, part of the cache key: after Par itself changes, cached wasm
 * from the old compiler is never reused. It covers every .js/.ts file under language/, compiler/ and
 * runtime/ (subdirectories included; declaration files left out), read synchronously: about 60
 * files, a few milliseconds, which is less than the many small async reads it replaces.
 */
/**
 * Compiles without instantiating, for `CompileOptions.precompiled`; null when the source has errors
 * (compile() reports them).
 */
export async function precompile(source: string, options: Pick<CompileOptions, 'filename' | 'boundsCheck' | 'interruptible'> = {}): Promise<Precompiled | null> {
  const diags = new DiagnosticBag();
  const boundsCheck = options.boundsCheck ?? true;
  const interruptible = options.interruptible ?? false;
  const { pipeline } = await import('./pipeline.js');
  const built = await pipeline(sourceFile(options.filename ?? '<input>', source), diags, {}, { boundsCheck, interruptible }).build();
  return built && !diags.hasErrors ? { source, boundsCheck, interruptible, ...built } : null;
}

let compilerHashMemo: Promise<string> | undefined;
function compilerHash(): Promise<string> {
  compilerHashMemo ??= (async () => {
    const h = (await nodeCrypto()).createHash('sha256');
    try {
      const fs = await import('node:fs');
      const root = new URL('../', import.meta.url);
      for (const dir of ['language', 'compiler', 'runtime']) {
        const names = (fs.readdirSync(new URL(dir + '/', root), { recursive: true }) as string[])
          .filter((n) => /\.(js|ts)$/.test(n) && !n.endsWith('.d.ts')).map((n) => n.split('\\').join('/')).sort();
        for (const n of names) h.update(n).update(fs.readFileSync(new URL(`${dir}/${n}`, root)));
      }
    } catch {
      h.update(String(Date.now())); // unknown compiler: never hit the cache
    }
    return h.digest('hex');
  })();
  return compilerHashMemo;
}

function defaultStdout(text: string): void { process.stdout.write(text); }

/** A program that is garbage-collected without dispose() still stops its workers. */
const teams = new FinalizationRegistry<Team>((team) => team.dispose());

class ProgramImpl implements Program {
  private disposed = false;
  private entries: Map<string, { fn: string; params: Type[]; ret: Type }>;
  private cluster: { dispose(): void; report(region: number): string } | null = null;
  constructor(private inst: ParInstance, private manifest: Manifest, private file: SourceFile, private opts: CompileOptions, private bytes: Uint8Array) {
    this.entries = new Map(manifest.entries);
    teams.register(this, inst.team, this);
  }

  /** Before thread 0 first enters wasm: the workers must be running (see Team.ready). */
  private async ready(): Promise<void> {
    if (this.disposed) throw new Error('this Par program has been disposed');
    await this.inst.team.ready();
    if (!this.statsReady) this.setUpStats();
    if (this.opts.cluster && !this.cluster) await this.joinCluster(this.opts.cluster);
  }

  /** Cluster mode: connect (a ClusterError if refused or unreachable) and route qualifying loops there. */
  private async joinCluster(url: string): Promise<void> {
    // Loaded only here: browser bundles never see Redis or worker_threads.
    const where = '../runtime/cluster/coordinator.js';
    const { ClusterClient } = await import(/* @vite-ignore */ where) as typeof import('../runtime/cluster/coordinator.js');
    const m = this.manifest;
    const minText = currentPlatform().env().PAR_CLUSTER_MIN_MS?.trim();
    const minMs = minText ? Number(minText) : undefined;
    if (minMs !== undefined && !(minMs >= 0)) throw new ConfigError(`PAR_CLUSTER_MIN_MS must be a number of milliseconds, got '${minText}'`);
    const client = await ClusterClient.start({
      url, ...(this.opts.clusterTls ? { tls: this.opts.clusterTls } : {}), memory: this.inst.memory, bytes: this.bytes, lines: (m.regions ?? []).map((r) => r.line),
      info: { strings: m.strings, sites: m.sites.map((s) => ({ kind: s.kind, ...(s.text !== undefined ? { text: s.text } : {}) })), minPages: m.minPages },
      timeoutMs: (this.opts.clusterTimeout ?? 0) * 1000,
      fork: (region, env, n) => { this.inst.exports.__fork(region, env, n, 0); },
      teamSize: this.inst.team.size,
      ...(minMs !== undefined ? { minMs } : {}),
    });
    this.cluster = client;
    this.inst.setCluster((region, env) => client.run(region, env));
    Atomics.store(new Int32Array(this.inst.memory.buffer, 0, CTRL.END / 4), CTRL.cluster / 4, 1);
  }

  private statsReady = false;
  /**
   * Per-loop statistics (LOOP_STATS per loop) and the cost model's unit: the team's fork-join
   * round trip, measured here on the real team once per program (median of a few rounds).
   */
  private setUpStats(): void {
    this.statsReady = true;
    const ex = this.inst.exports;
    const i32 = new Int32Array(this.inst.memory.buffer, 0, CTRL.END / 4);
    const n = this.manifest.regions?.length ?? 0;
    if (n > 0 && ex.__malloc) {
      const bytes = n * LOOP_STATS.SIZE;
      const p = ex.__malloc(bytes) as number;
      new Uint8Array(this.inst.memory.buffer, p, bytes).fill(0);
      Atomics.store(i32, CTRL.stats / 4, p);
    }
    Atomics.store(i32, CTRL.profile / 4, this.opts.profile ? 1 : 0);
    if (this.opts.trace && n > 0 && ex.__malloc) {
      const bytes = TRACE.HEADER + TRACE_CAPACITY * TRACE.SIZE;
      const p = ex.__malloc(bytes) as number;
      const dv = new DataView(this.inst.memory.buffer, p, TRACE.HEADER);
      dv.setInt32(TRACE.count, 0, true);
      dv.setInt32(TRACE.cap, TRACE_CAPACITY, true);
      dv.setFloat64(TRACE.origin, performance.timeOrigin + performance.now(), true);
      Atomics.store(i32, CTRL.trace / 4, p);
    }
    // A lazily started team measures it when it starts (Note [Lazy team] in runtime/team.ts).
    if (ex.__probe && !this.inst.team.lazy && Atomics.load(i32, CTRL.teamSize / 4) > 1) {
      Atomics.store(i32, CTRL.forkCost / 4, probeForkCost((reps) => ex.__probe(reps)));
    }
  }

  stopFlag(): Int32Array | null {
    return this.opts.interruptible ? new Int32Array(this.inst.memory.buffer, CTRL.abort, 1) : null;
  }

  chunkTrace(): ChunkTrace | null {
    const base = Atomics.load(new Int32Array(this.inst.memory.buffer, 0, CTRL.END / 4), CTRL.trace / 4);
    if (!base) return null;
    const head = new DataView(this.inst.memory.buffer, base, TRACE.HEADER);
    const claimed = head.getInt32(TRACE.count, true), n = Math.min(claimed, head.getInt32(TRACE.cap, true));
    const dv = new DataView(this.inst.memory.buffer, base + TRACE.HEADER, n * TRACE.SIZE);
    const events: ChunkEvent[] = [];
    for (let k = 0; k < n; k++) {
      const at = k * TRACE.SIZE;
      events.push({
        loop: dv.getInt32(at + TRACE.region, true), thread: dv.getInt32(at + TRACE.tid, true),
        lo: dv.getFloat64(at + TRACE.lo, true), hi: dv.getFloat64(at + TRACE.hi, true),
        start: dv.getFloat64(at + TRACE.start, true), end: dv.getFloat64(at + TRACE.end, true),
      });
    }
    return { loops: (this.manifest.regions ?? []).map(({ line, kind }) => ({ line, kind })), events, dropped: claimed - n };
  }

  /** `par run --time`: one line per parallel loop or region that ran (see LOOP_STATS). */
  get timings(): string[] {
    const base = Atomics.load(new Int32Array(this.inst.memory.buffer, 0, CTRL.END / 4), CTRL.stats / 4);
    const regions = this.manifest.regions ?? [];
    if (!base) return [];
    const fork = Atomics.load(new Int32Array(this.inst.memory.buffer, 0, CTRL.END / 4), CTRL.forkCost / 4);
    const teamSize = Atomics.load(new Int32Array(this.inst.memory.buffer, 0, CTRL.END / 4), CTRL.teamSize / 4);
    const forkText = fork ? (fork / 1000).toFixed(2) + ' µs' : teamSize > 1 ? 'not measured (no parallel loop needed the workers, so they never started)' : 'n/a (one thread)';
    const lines = [`fork-join round trip: ${forkText}`];
    regions.forEach((r, k) => {
      const at = base + k * LOOP_STATS.SIZE;
      const dv = new DataView(this.inst.memory.buffer, at, LOOP_STATS.SIZE);
      const runs = Number(dv.getBigInt64(LOOP_STATS.runs, true));
      if (!runs) return;
      const iters = Number(dv.getBigInt64(LOOP_STATS.iters, true));
      const timed = Number(dv.getBigInt64(LOOP_STATS.timedRuns, true));
      const time = timed ? (dv.getFloat64(LOOP_STATS.time, true) / 1e9) * (runs / timed) : 0;
      const serial = Number(dv.getBigInt64(LOOP_STATS.serialRuns, true));
      const sumMax = dv.getFloat64(LOOP_STATS.sumMax, true), sumMean = dv.getFloat64(LOOP_STATS.sumMean, true);
      // Runs nested in parallel code are never timed (see forkWithStats in compiler/parallel.ts).
      const timeText = !timed ? 'time not measured (nested in parallel code)' : `${time.toFixed(6)} s${timed < runs ? ` (estimated from ${timed} timed runs)` : ''}`;
      // Line 0: a parallel loop of the array library's kernels (compiler/kernels.ts, the sort helpers), shared by every call site.
      const where = r.line ? `line ${r.line} ${r.kind}` : 'array kernel (sum, dot, matmul or sort)';
      const what = `${where}: ${runs} run${runs === 1 ? '' : 's'}, ${r.kind === 'prange' ? `${iters} iterations, ` : ''}${timeText}`;
      const par = runs - serial;
      const parts = [what];
      if (par > 0) parts.push(`${dv.getInt32(LOOP_STATS.threads, true)} threads`, ...(sumMean > 0 ? [`load imbalance ${((sumMax / sumMean - 1) * 100).toFixed(1)}%`] : []));
      // Cluster mode: whether the loop qualified, and if not why (compiler/cluster-plan.ts).
      if (this.opts.cluster && r.cluster !== undefined) parts.push(r.cluster ? `not distributed: ${r.cluster}` : this.cluster?.report(k) || 'not run in cluster mode (nested in parallel code)');
      if (serial > 0) parts.push(`ran serially ${serial}x: ${SERIAL_REASON[dv.getInt32(LOOP_STATS.reason, true)]} (last n=${dv.getInt32(LOOP_STATS.lastTrip, true)})`);
      lines.push(parts.join(', '));
    });
    return lines;
  }

  private guard<T>(f: () => T): T {
    if (this.disposed) throw new Error('this Par program has been disposed');
    try {
      return f();
    } catch (e) {
      throw this.toParError(this.afterThrow(e));
    } finally {
      this.inst.flushOutput();
    }
  }

  /**
   * Thread 0's own share of a region threw (or its join reported a worker's error): the workers may
   * still be running, so join them first; the join then raises the recorded error, which is the
   * lowest iteration's of every thread that failed. The team stays usable.
   */
  private afterThrow(e: unknown): unknown {
    if (!inRegion(this.inst.memory)) return e;
    const t = trapFromError(e);
    if (!(t?.recorded)) recordError(this.inst.memory, this.inst.output, 0, t?.site ?? -1, t?.message ?? String(e));
    try {
      this.inst.exports.__join();
    } catch (joined) {
      // A bug in the runtime (not a failure of the generated code) is reported as itself.
      return t ? joined : e;
    }
    return t ?? e;
  }

  /** The source line of parallel loop or region `region` (its first word to the line's end), or null. */
  private regionSpan(region: number | undefined): { start: number; end: number } | null {
    const line = region === undefined ? 0 : this.manifest.regions?.[region]?.line ?? 0;
    if (!line) return null;
    const from = this.file.lineStarts[line - 1], to = this.file.lineStarts[line] ?? this.file.text.length;
    const text = this.file.text.slice(from, to);
    return { start: from + (text.length - text.trimStart().length), end: from + text.trimEnd().length };
  }

  private toParError(e: unknown): unknown {
    let t = trapFromError(e);
    if (!t) return e;
    if (!(e instanceof ParTrap) && !inRegion(this.inst.memory)) t = withSerialIteration(this.inst.memory, t);
    const site = this.manifest.sites[t.site];
    const span = site?.span ?? this.regionSpan(t.region) ?? { start: 0, end: 0 };
    const related = t.related?.map((r) => ({ message: r.message, span: this.manifest.sites[r.site]?.span ?? span }));
    const d: Diagnostic = { code: site?.code ?? Code.Raised, severity: 'error', message: t.message, span, ...(related ? { related } : {}) };
    return new ParError(d, formatDiagnostic(d, this.file), t.thread, t.iteration);
  }

  async run(opts: RunOptions = {}): Promise<void> {
    await this.ready();
    this.inst.setStdout(opts.stdout ?? defaultStdout);
    this.inst.setImage(opts.image ?? (() => {}));
    this.inst.setFiles(typeof opts.files === 'string' ? (await import('../runtime/node-files.js')).directoryFiles(opts.files) : opts.files ?? null);
    await this.limited(() => this.inst.exports.__main());
  }
  /**
   * Runs thread 0's entry under the program's limits: a watchdog thread for `timeout`, the stop word
   * for `signal`. A run the watchdog stopped reports TimeoutError where it stopped; the stop word is
   * cleared afterwards, so the next run starts afresh.
   */
  private async limited<T>(entry: () => T): Promise<T> {
    const { timeout, signal } = this.opts;
    this.inst.resetRaces();
    const flag = timeout !== undefined || signal ? this.stopFlag() : null;
    if (!flag) return this.guard(entry);
    signal?.throwIfAborted();
    Atomics.store(flag, 0, 0);
    const deadline = timeout !== undefined ? Date.now() + timeout : 0;
    const dog = timeout !== undefined ? await startWatchdog(flag, deadline) : null;
    const onAbort = () => Atomics.store(flag, 0, 1);
    signal?.addEventListener('abort', onAbort);
    try {
      return this.guard(entry);
    } catch (e) {
      if (dog?.fired() && e instanceof ParError && e.message.startsWith('KeyboardInterrupt')) {
        const where = e.message.slice('KeyboardInterrupt'.length); // ' (in iteration N on thread T)' in parallel code
        const d: Diagnostic = { ...e.diagnostic, message: `TimeoutError: the program ran longer than its time limit of ${timeout! / 1000} s${where}` };
        throw new ParError(d, formatDiagnostic(d, this.file), e.thread, e.iteration);
      }
      throw e;
    } finally {
      dog?.cancel();
      signal?.removeEventListener('abort', onAbort);
      Atomics.store(flag, 0, 0);
    }
  }

  async call(name: string, ...args: ParValue[]): Promise<ParValue> {
    const entry = this.entries.get(name);
    if (!entry) throw new Error(`no function '${name}' in this program (functions: ${[...this.entries.keys()].join(', ') || 'none'})`);
    if (args.length !== entry.params.length) throw new TypeError(`${name}() takes ${entry.params.length} arguments, got ${args.length}`);
    await this.ready();
    const flat: unknown[] = [];
    const copies: { desc: number; arr: ParArray }[] = [];
    entry.params.forEach((t, i) => this.toWasm(args[i], t, flat, copies, `${name}() argument ${i + 1}`));
    try {
      const r = await this.limited(() => this.inst.exports[entry.fn](...flat));
      const vals = Array.isArray(r) ? r : [r];
      let k = 0;
      const out = (t: Type): ParValue => {
        switch (t.kind) {
          case 'scalar': {
            const v = vals[k++];
            // uint32 and uint64 come back as their bits in a signed i32/i64.
            return t.dtype === 'bool' ? Boolean(v) : t.dtype === 'uint32' ? (v as number) >>> 0 : t.dtype === 'uint64' ? BigInt.asUintN(64, v as bigint) : (v as number | bigint);
          }
          case 'array': { const desc = vals[k++] as number; const a = this.fromWasm(desc); this.release(desc); return a; }
          case 'tuple': return t.elems.map(out);
          default: return null;
        }
      };
      return out(entry.ret);
    } finally {
      // Arrays are passed by reference: copy the kernel's writes back, then drop our reference.
      for (const c of copies) {
        const v = this.inst.readArray(c.desc);
        const n = c.arr.shape.reduce((a, b) => a * b, 1);
        const dst = c.arr.data as unknown as { [i: number]: unknown };
        for (let i = 0; i < n; i++) dst[i] = (v.data as unknown as { [i: number]: unknown })[v.offset + i];
        this.release(c.desc);
      }
    }
  }

  private toWasm(v: ParValue, t: Type, flat: unknown[], copies: { desc: number; arr: ParArray }[], what: string): void {
    switch (t.kind) {
      case 'scalar':
        if (t.dtype === 'int64' || t.dtype === 'uint64') flat.push(BigInt(v as number));
        else if (t.dtype === 'bool') flat.push(v ? 1 : 0);
        // Narrow integers travel wrapped to their dtype, as the compiled code keeps them.
        else if (t.dtype !== 'float32' && t.dtype !== 'float64') flat.push(new TYPED_ARRAY[t.dtype]([Number(v)])[0]);
        else flat.push(Number(v));
        return;
      case 'array': {
        const arr = (ArrayBuffer.isView(v) ? { data: v, shape: [(v as unknown as ArrayLike<number>).length], dtype: t.dtype } : v) as ParArray;
        if (!arr || !ArrayBuffer.isView(arr.data) || !Array.isArray(arr.shape)) throw new TypeError(`${what} must be { data: TypedArray, shape: number[] } (${showType(t)})`);
        if (arr.shape.length !== t.ndim) throw new TypeError(`${what} must have ${t.ndim} dimensions, got shape [${arr.shape}]`);
        const desc = this.allocArray(t.dtype, arr.shape);
        const view = this.inst.readArray(desc);
        const n = arr.shape.reduce((a, b) => a * b, 1);
        const src = arr.data as unknown as ArrayLike<number | bigint>;
        if (src.length < n) throw new TypeError(`${what} has ${src.length} elements, shape [${arr.shape}] needs ${n}`);
        const dst = view.data as unknown as { [i: number]: unknown };
        for (let i = 0; i < n; i++) {
          const x = src[i];
          dst[view.offset + i] = t.dtype === 'int64' || t.dtype === 'uint64' ? BigInt(x) : t.dtype === 'bool' ? (x ? 1 : 0) : Number(x);
        }
        flat.push(desc);
        copies.push({ desc, arr });
        return;
      }
      case 'tuple': (v as ParValue[]).forEach((x, i) => this.toWasm(x, t.elems[i], flat, copies, what)); return;
      default: return;
    }
  }

  private allocArray(dtype: DType, shape: number[]): number {
    const n = shape.reduce((a, b) => a * b, 1);
    const p = this.inst.exports.__malloc(DESC.SIZE + n * ELEM_SIZE[dtype]) as number;
    const i32 = new Int32Array(this.inst.memory.buffer);
    const w = p >> 2;
    i32[w + DESC.rc / 4] = 1; i32[w + DESC.data / 4] = p + DESC.SIZE; i32[w + DESC.base / 4] = 0;
    i32[w + DESC.ndim / 4] = shape.length; i32[w + DESC.dtype / 4] = DTYPE_CODE[dtype]; i32[w + DESC.size / 4] = n;
    let stride = 1;
    for (let k = shape.length - 1; k >= 0; k--) { i32[w + DESC.shape / 4 + k] = shape[k]; i32[w + DESC.strides / 4 + k] = stride; stride *= shape[k]; }
    return p;
  }

  private release(desc: number): void {
    const rel = this.inst.exports.__release;
    if (rel) rel(desc);
  }

  private fromWasm(desc: number): ParArray {
    const v = this.inst.readArray(desc);
    const n = v.shape.reduce((a, b) => a * b, 1);
    const T = v.data.constructor as new (n: number) => ArrayBufferView & { [i: number]: unknown };
    const out = new T(n);
    const idx = new Array(v.shape.length).fill(0);
    for (let i = 0; i < n; i++) {
      let off = v.offset;
      for (let k = 0; k < idx.length; k++) off += idx[k] * v.strides[k];
      out[i] = (v.data as unknown as { [i: number]: unknown })[off];
      for (let k = idx.length - 1; k >= 0; k--) { if (++idx[k] < v.shape[k]) break; idx[k] = 0; }
    }
    return { data: out, shape: v.shape, dtype: v.dtype };
  }

  heapBytes(): number { return this.inst.heapTop(); }
  memoryBytes(): number { return this.inst.memory.buffer.byteLength; }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    teams.unregister(this);
    this.inst.team.dispose();
    this.cluster?.dispose();
  }
  [Symbol.dispose](): void { this.dispose(); }
}

async function readCache(dir: string, key: string): Promise<{ bytes: Uint8Array; manifest: Manifest } | null> {
  try {
    const fs = await import('node:fs/promises');
    const path = await import('node:path');
    const [bytes, json] = await Promise.all([fs.readFile(path.join(dir, key + '.wasm')), fs.readFile(path.join(dir, key + '.json'), 'utf8')]);
    return { bytes: new Uint8Array(bytes), manifest: JSON.parse(json) as Manifest };
  } catch {
    return null;
  }
}

async function writeCache(dir: string, key: string, bytes: Uint8Array, manifest: Manifest): Promise<void> {
  try {
    const fs = await import('node:fs/promises');
    const path = await import('node:path');
    await fs.mkdir(dir, { recursive: true });
    // Write to temporary names then rename, so a concurrent reader never sees half a file.
    const tmp = `.${process.pid}.${Date.now()}`;
    await fs.writeFile(path.join(dir, key + '.json' + tmp), JSON.stringify(manifest));
    await fs.writeFile(path.join(dir, key + '.wasm' + tmp), bytes);
    await fs.rename(path.join(dir, key + '.json' + tmp), path.join(dir, key + '.json'));
    await fs.rename(path.join(dir, key + '.wasm' + tmp), path.join(dir, key + '.wasm'));
  } catch {
    // A read-only or missing cache directory only costs speed.
  }
}
