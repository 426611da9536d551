// A running program: the shared wasm memory, the module instance on thread 0, its worker team, and
// the imports the generated code calls (printing, run-time errors, math), made by one factory for
// every thread (`threadImports`). Errors thrown from imports unwind the wasm stack as a ParTrap that
// the driver turns into a ParError with the source span (and, in parallel code, iteration and thread).
import type { DType } from '../language/types.js';
import { ALLOC, CODE_DTYPE, DESC, ELEM_SIZE, PAGE, TYPED_ARRAY } from './layout.js';
import { formatArray, formatScalar, reprArray, type ArrayView } from './format.js';
import { complexRepr } from './pyformat.js';
import { erf } from './mathlib.js';
import { stringImports } from './strings.js';
import { pictureOf, type Picture } from './image.js';
import { createOutputBuffer, OutputQueue } from './output.js';
import { CTRL, TRACE } from './protocol.js';
import { inRegion, iterationCell, raise, takeRecordedError } from './trap.js';
import { currentPlatform } from './platform.js';
import { resolveMemoryLimit, WASM32_MAX_BYTES } from './memory-size.js';
import { ConfigError, probeForkCost, resolveTeamConfig, Team } from './team.js';
import { fileImports, type ParFiles } from './files.js';
import { createRaceTable, raceImports, resetRaces } from './races.js';

import { ParTrap } from './trap.js';
export { ParTrap };

export interface SiteInfo { kind: string; text?: string }

export interface InstanceOptions {
  bytes: Uint8Array;
  strings: string[];
  sites: SiteInfo[];
  stdout: (text: string) => void;
  initialPages?: number;
  /** Pages the module needs for its static data (its memory import's minimum); default 1. */
  minPages?: number;
  /** The memory limit: bytes, or text such as '512M' or '2GiB'; default PAR_MAX_MEMORY, else 4 GiB. */
  maxMemory?: number | string;
  /** Team size (see runtime/team.ts resolveTeamSize). */
  threads?: number;
}

export interface ParInstance {
  memory: WebAssembly.Memory;
  exports: Record<string, (...args: unknown[]) => unknown>;
  setStdout(f: (text: string) => void): void;
  /** Receives the pictures of imshow(a) (thread 0 only). */
  setImage(f: (p: Picture) => void): void;
  /** The files np.save/np.load and the text forms use (thread 0 only); null: none. */
  setFiles(f: ParFiles | null): void;
  readArray(desc: number): ArrayView;
  /** Current size of the wasm heap in bytes (for memory-bound tests). */
  heapTop(): number;
  /** The worker team (size 1 when the module has no parallel code). */
  team: Team;
  /** The team's shared output queue and error text (runtime/output.ts). */
  output: OutputQueue;
  /** Thread 0: writes the workers' queued lines to stdout. */
  flushOutput(): void;
  /** Before a run: the race detector checks no loop yet (runtime/races.ts); nothing without it. */
  resetRaces(): void;
  /** Cluster mode: runs a qualifying loop (region, environment address) on the cluster; see runtime/cluster/. */
  setCluster(f: ((region: number, env: number) => number) | null): void;
}

const TYPED = TYPED_ARRAY as unknown as Record<DType, { new (b: ArrayBufferLike): ArrayView['data']; BYTES_PER_ELEMENT: number }>;

export function readArrayView(memory: WebAssembly.Memory, desc: number): ArrayView {
  const i32 = new Int32Array(memory.buffer);
  const w = desc >> 2;
  const ndim = i32[w + DESC.ndim / 4];
  const dtype = CODE_DTYPE[i32[w + DESC.dtype / 4]];
  const dataAddr = i32[w + DESC.data / 4] >>> 0;
  const shape: number[] = [], strides: number[] = [];
  for (let k = 0; k < ndim; k++) { shape.push(i32[w + DESC.shape / 4 + k]); strides.push(i32[w + DESC.strides / 4 + k]); }
  const T = TYPED[dtype];
  const size = T.BYTES_PER_ELEMENT;
  // Views may have negative strides, so offset from the start of memory rather than from data.
  return { dtype, data: new T(memory.buffer), shape, strides, offset: dataAddr / size };
}

/**
 * Note [Eager optimization]: V8 compiles wasm with its baseline compiler first and tiers a function
 * up only on a later call; it has no on-stack replacement for wasm, so a kernel whose hot loop sits
 * in a function called once (the script body, `advance(...)`) would run baseline code to the end,
 * 3-5x slower. Par programs are compiled ahead of time anyway, so on Node we ask for the optimizing
 * compiler up front.
 */
let tieringSet = false;
async function preferOptimizingCompiler(): Promise<void> {
  if (tieringSet || typeof process === 'undefined' || !process.versions?.node) return;
  tieringSet = true;
  try {
    const v8 = await import('node:v8');
    v8.setFlagsFromString('--no-liftoff');
  } catch {
    // Not Node, or flags are locked: baseline code still runs correctly.
  }
}

const GiB = 2 ** 30;

/** The limit as given in whole units where it is one (`2 GiB`, `100 MiB`). */
const limitSize = (bytes: number) => bytes % GiB === 0 ? `${bytes / GiB} GiB` : bytes % 2 ** 20 === 0 ? `${bytes / 2 ** 20} MiB` : sizeText(bytes);

/** A byte count as NumPy's MemoryError writes it (numpy/_core/_exceptions.py, _size_to_string). */
export function sizeText(bytes: number | bigint): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  const b = BigInt(bytes);
  let u = Math.min(Math.floor(Math.max(b.toString(2).length - 1, 1) / 10), units.length - 1);
  if (b === 0n) u = 0;
  let n = Number(b) / 2 ** (10 * u);
  if (Math.round(n) === 1024) { u++; n /= 1024; }
  if (u === 0) return `${Math.trunc(n)} bytes`;
  if (Math.round(n) < 1000) { const t = n.toPrecision(3); return `${t.includes('.') ? t : t + '.'} ${units[u]}`; }
  return `${n.toFixed(0)}. ${units[u]}`;
}

/** What the imports of one thread need. */
export interface ThreadImportsOptions {
  memory: WebAssembly.Memory;
  tid: number;
  strings: string[];
  sites: SiteInfo[];
  maxPages: number;
  output: OutputQueue;
  /** Receives each finished print line of this thread. */
  line(text: string): void;
  /** The `env.joined` import; only thread 0 joins. */
  joined?(): void;
  /** imshow(a); only thread 0 shows pictures. */
  image?(p: Picture): void;
  /** np.save/np.load and the text forms; only thread 0 has files. */
  files?(): ParFiles | null;
  /** The `env.team_start` import: starts the team at the first fork (Note [Lazy team]); only thread 0 forks. */
  teamStart?(): void;
  /** The `env.team_lost` import: a worker died during the loop thread 0 joins (runtime/supervisor.ts). */
  teamLost?(): void;
  /** The race detector's shadow table (runtime/races.ts), when the module imports `env.race_access`. */
  races?: SharedArrayBuffer;
  /** The `env.cluster_run` import (thread 0, cluster mode: runtime/cluster/coordinator.ts): runs a loop on the cluster. */
  cluster?(region: number, env: number): number;
}

/** The `env` and `math` imports of one thread (thread 0 and workers alike). */
export function threadImports(o: ThreadImportsOptions): WebAssembly.Imports {
  const { memory, sites } = o;
  let line = '';
  const view = (desc: number) => readArrayView(memory, desc);
  const shapeOf = (desc: number) => {
    const v = view(desc);
    return `(${v.shape.join(', ')}${v.shape.length === 1 ? ',' : ''})`;
  };
  const shapeNoSpace = (desc: number) => {
    const v = view(desc);
    return `(${v.shape.join(',')}${v.shape.length === 1 ? ',' : ''})`;
  };
  const trap = (site: number, msg: string): never => { throw raise(memory, o.output, o.tid, site, msg); };
  // The heap's extent (ALLOC.heapTop), freed blocks included: what the limit is compared with.
  const limitText = (bytes: number) => {
    const heap = new Int32Array(memory.buffer)[ALLOC.heapTop / 4] >>> 0;
    return bytes + heap > WASM32_MAX_BYTES
      ? `(WebAssembly's memory holds at most 4 GiB; the heap is ${sizeText(heap)})`
      : `(memory limit ${limitSize(o.maxPages * PAGE)}, heap ${sizeText(heap)}; raise the limit with PAR_MAX_MEMORY or --max-memory)`;
  };
  // The chunk trace (TRACE): this thread's open records, innermost last (a chunk of a parallel loop
  // nested in another's chunk starts and ends inside it); -1 for a record the full buffer dropped.
  const open: number[] = [];
  const trace = (region: number, tid: number, lo: bigint, hi: bigint, phase: number) => {
    const i32 = new Int32Array(memory.buffer), f64 = new Float64Array(memory.buffer);
    const base = Atomics.load(i32, CTRL.trace / 4);
    if (!base) return;
    const now = performance.timeOrigin + performance.now() - f64[(base + TRACE.origin) / 8];
    if (phase === 1) {
      const at = open.pop() ?? -1;
      if (at >= 0) f64[(at + TRACE.end) / 8] = now;
      return;
    }
    const k = Atomics.add(i32, (base + TRACE.count) / 4, 1);
    if (k >= i32[(base + TRACE.cap) / 4]) { open.push(-1); return; }
    const traceAt = base + TRACE.HEADER + k * TRACE.SIZE;
    open.push(traceAt);
    i32[(traceAt + TRACE.region) / 4] = region;
    i32[(traceAt + TRACE.tid) / 4] = tid;
    f64[(traceAt + TRACE.lo) / 8] = Number(lo);
    f64[(traceAt + TRACE.hi) / 8] = Number(hi);
    f64[(traceAt + TRACE.start) / 8] = now;
    f64[(traceAt + TRACE.end) / 8] = NaN;
  };
  const valueMessages: Record<string, string> = {
    range_step: 'ValueError: range() arg 3 must not be zero',
    slice_step: 'ValueError: slice step cannot be zero',
    negative_power: 'ValueError: Integers to negative integer powers are not allowed.',
    negative_dim: 'ValueError: negative dimensions are not allowed',
    huge_dim: 'MemoryError: Unable to allocate an array with an extent of 2**31 or more (a Par array holds at most 2**31 - 1 elements, each extent too)',
    arange_step: 'ZeroDivisionError: arange() step must not be zero',
  };
  const env = {
    memory,
    ...stringImports({
      memory, strings: o.strings, trap, print: (text) => { line += text; },
      arrayText: (desc) => ({ str: formatArray(view(desc)), repr: reprArray(view(desc)) }),
    }),
    ...fileImports({
      memory, strings: o.strings, trap, view,
      files: () => {
        if (!o.files || (o.tid === 0 && inRegion(memory))) return 'RuntimeError: files cannot be read or written inside a parallel loop or region';
        return o.files() ?? 'RuntimeError: this program has no files to read or write: pass files (a directory, or read/write functions) to run()';
      },
    }),
    print_text: (id: number) => { line += o.strings[id]; },
    print_bool: (v: number, _repr: number) => { line += v ? 'True' : 'False'; },
    print_i32: (v: number, _repr: number) => { line += formatScalar(v, 'int32'); },
    print_i64: (v: bigint, _repr: number) => { line += formatScalar(v, 'int64'); },
    print_u64: (v: bigint, _repr: number) => { line += formatScalar(BigInt.asUintN(64, v), 'uint64'); },
    print_f32: (v: number, _repr: number) => { line += formatScalar(v, 'float32'); },
    print_f64: (v: number, _repr: number) => { line += formatScalar(v, 'float64'); },
    print_complex: (re: number, im: number) => { line += complexRepr(re, im); },
    print_array: (desc: number, repr: number) => { line += repr ? reprArray(view(desc)) : formatArray(view(desc)); },
    print_flush: () => { const l = line; line = ''; o.line(l); },
    wtime: () => performance.now() / 1000,
    // Seeds np.random when the program did not (NumPy seeds its RandomState from the OS too).
    entropy: () => crypto.getRandomValues(new Uint32Array(1))[0] | 0,
    imshow: (desc: number, site: number) => {
      if (!o.image || (o.tid === 0 && inRegion(memory))) trap(site, 'RuntimeError: imshow() cannot be called inside a parallel loop or region');
      o.image!(pictureOf(view(desc)));
    },
    now: () => performance.now() * 1e6,
    // This thread's place in the team (SLOT index), for parallel loops nested in parallel code.
    thread_id: () => o.tid,
    trace,
    // CTRL.abort was set (Program.stopFlag) and this thread reached a loop's next iteration.
    interrupted: (site: number) => trap(site, 'KeyboardInterrupt'),
    joined: o.joined ?? (() => { throw new Error('internal error: joined() called on a worker'); }),
    team_start: o.teamStart ?? (() => { throw new Error('internal error: team_start() called on a worker'); }),
    team_lost: o.teamLost ?? (() => { throw new Error('internal error: team_lost() called on a worker'); }),
    cluster_run: (region: number, envAddr: number) => {
      if (!o.cluster) throw new Error('internal error: cluster_run() called outside cluster mode');
      return o.cluster(region, envAddr);
    },
    // A thread waiting at a barrier or lock saw another thread fail: leave the region quietly (the
    // failure is already recorded and is what thread 0 reports).
    cancelled: () => { throw new ParTrap(-1, 'cancelled', o.tid, undefined, true); },
    oom: (bytes: number) => trap(-1, `MemoryError: Unable to allocate ${sizeText(bytes >>> 0)} ${limitText(bytes >>> 0)}`),
    err_alloc: (site: number, dtypeCode: number, ndim: number, e0: bigint, e1: bigint, e2: bigint, e3: bigint) => {
      const dtype = CODE_DTYPE[dtypeCode], shape = [e0, e1, e2, e3].slice(0, ndim);
      const count = shape.reduce((a, b) => a * b, 1n);
      // Beyond what a byte count can hold NumPy raises ValueError, not MemoryError.
      if (count * BigInt(ELEM_SIZE[dtype]) > 0x7fffffffffffffffn) trap(site, 'ValueError: array is too big; `arr.size * arr.dtype.itemsize` is larger than the maximum possible size.');
      const why = count > 0x7fffffffn || shape.some((e) => e > 0x7fffffffn)
        ? '(a Par array holds at most 2**31 - 1 elements, each extent too)' : limitText(Number(count) * ELEM_SIZE[dtype]);
      trap(site, `MemoryError: Unable to allocate ${sizeText(count * BigInt(ELEM_SIZE[dtype]))} for an array with shape (${shape.join(', ')}${ndim === 1 ? ',' : ''}) and data type ${dtype} ${why}`);
    },
    err_index: (site: number, index: bigint, axis: number, desc: number) =>
      trap(site, `IndexError: index ${index} is out of bounds for axis ${axis} with size ${view(desc).shape[axis]} (array shape ${shapeOf(desc)})`),
    err_zero: (site: number) => trap(site, sites[site]?.kind === 'mod' ? 'ZeroDivisionError: integer modulo by zero' : 'ZeroDivisionError: integer division by zero'),
    err_raise: (site: number) => {
      const s = sites[site];
      trap(site, s.text ? `${s.kind}: ${s.text}` : s.kind);
    },
    err_value: (site: number) => {
      const s = sites[site];
      if (s.kind === 'empty_reduce') trap(site, `ValueError: zero-size array to reduction operation ${s.text === 'argmin' || s.text === 'argmax' ? s.text : s.text === 'min' ? 'minimum' : 'maximum'} which has no identity`);
      // Numba's wording: at most the team's size.
      if (s.kind === 'num_threads') trap(site, `ValueError: The number of threads must be between 1 and ${new Int32Array(memory.buffer)[CTRL.teamSize / 4]}`);
      trap(site, valueMessages[s.kind] ?? 'ValueError');
    },
    err_shape: (site: number, a: number, b: number) => {
      const s = sites[site];
      if (s.kind === 'assign_broadcast') trap(site, `ValueError: could not broadcast input array from shape ${shapeNoSpace(a)} into shape ${shapeNoSpace(b)}`);
      if (s.kind === 'matmul') trap(site, `ValueError: shapes ${shapeNoSpace(a)} and ${shapeNoSpace(b)} not aligned for matrix multiplication`);
      trap(site, `ValueError: operands could not be broadcast together with shapes ${shapeNoSpace(a)} ${shapeNoSpace(b)}`);
    },
    err_reshape: (site: number, desc: number, size: number) => trap(site, `ValueError: cannot reshape array of size ${size} (shape ${shapeOf(desc)}) into the requested shape`),
    // A message whose numbers are known only at run time: the site's text with {0} {1} {2} filled in.
    // {k} is argument k as an integer; {kf} its bits as a float64 (Python's repr), {kh}/{kl} its high/low 32 bits.
    err_fmt: (site: number, a: bigint, b: bigint, c: bigint) => trap(site, `${sites[site].kind}: ${(sites[site].text ?? '').replace(/\{(\d)([fhl]?)\}/g, (_m, k, f) => fmtArg([a, b, c][+k], f))}`),
    ...(o.races ? raceImports({ memory, tid: o.tid, table: o.races, sites, warn: (text) => { if (typeof console !== 'undefined') console.error(text); } }) : {}),
  };
  return { env, math: MATH };
}

/** An argument of err_fmt as its placeholder asks: an int, a float64's bits, or one half of two packed int32s. */
function fmtArg(x: bigint, f: string): string {
  if (f === 'f') return formatScalar(new Float64Array(new BigInt64Array([x]).buffer)[0], 'float64');
  if (f === 'h') return String(BigInt.asIntN(32, x >> 32n));
  if (f === 'l') return String(BigInt.asIntN(32, x));
  return String(x);
}

const pyMod = (a: number, b: number) => {
  if (b === 0) return NaN;
  const r = a % b;
  return r !== 0 && (r < 0) !== (b < 0) ? r + b : r === 0 ? (b < 0 ? -0 : 0) : r;
};
const MATH = {
  math_sin: Math.sin, math_cos: Math.cos, math_tan: Math.tan, math_asin: Math.asin, math_acos: Math.acos, math_atan: Math.atan,
  math_sinh: Math.sinh, math_cosh: Math.cosh, math_tanh: Math.tanh, math_exp: Math.exp, math_log: Math.log, math_log2: Math.log2,
  math_log10: Math.log10, math_erf: erf, math_expm1: Math.expm1, math_log1p: Math.log1p, math_exp2: (x: number) => 2 ** x, math_cbrt: Math.cbrt,
  math_atan2: Math.atan2, math_pow: Math.pow, math_hypot: Math.hypot, math_fmod: (a: number, b: number) => a % b,
  math_pymod: pyMod,
  // NumPy's npy_divmod (and CPython's float_floor_div), step by step: the quotient of a - fmod(a, b)
  // is exact or nearly, so it rounds to the right integer; -0.0 // -2.0 is 0.0, -1.0 // inf is -1.0.
  math_pyfloordiv: (a: number, b: number) => {
    if (b === 0) return a / b;
    const mod = a % b;
    let div = (a - mod) / b;
    if (mod !== 0 && (b < 0) !== (mod < 0)) div -= 1;
    if (div === 0) return a / b < 0 || Object.is(a / b, -0) ? -0 : 0;
    const floor = Math.floor(div);
    return div - floor > 0.5 ? floor + 1 : floor;
  },
};

export async function instantiate(opts: InstanceOptions): Promise<ParInstance> {
  await preferOptimizingCompiler();
  const platform = currentPlatform();
  const config = resolveTeamConfig(opts.threads, platform.env(), platform.cpuCount());
  // The driver has checked the limit already; a direct caller of instantiate() gets the same errors.
  const maxPages = Math.ceil(resolveMemoryLimit(opts.maxMemory, platform.env()) / PAGE);
  const initial = Math.max(Math.min(opts.initialPages ?? 256, maxPages), opts.minPages ?? 1);
  const minPages = opts.minPages ?? 1;
  if (maxPages < minPages) throw new ConfigError(`the memory limit ${sizeText(maxPages * PAGE)} is below the ${sizeText(minPages * PAGE)} this program's static data needs`);
  const memory = new WebAssembly.Memory({ initial, maximum: maxPages, shared: true });
  const output = new OutputQueue(createOutputBuffer(), platform.mainCanBlock);
  const ctrl = new Int32Array(memory.buffer, 0, CTRL.END / 4);
  let stdout = opts.stdout;
  let image = (_p: Picture) => {};
  let files: ParFiles | null = null;
  let cluster: ((region: number, env: number) => number) | null = null;
  // The workers' lines come first: they were printed before anything thread 0 prints now.
  const flushOutput = () => { for (const l of output.drain()) stdout(l); };
  let team: Team | undefined;
  const module = await WebAssembly.compile(opts.bytes as BufferSource);
  const races = WebAssembly.Module.imports(module).some((i) => i.module === 'env' && i.name === 'race_access') ? createRaceTable() : undefined;
  const imports = threadImports({
    memory, tid: 0, strings: opts.strings, sites: opts.sites, maxPages, output, ...(races ? { races } : {}),
    teamStart: () => team!.startNow(),
    line: (l) => { flushOutput(); stdout(l); },
    image: (p) => { flushOutput(); image(p); },
    files: () => files,
    cluster: (region, envAddr) => {
      if (!cluster) throw new Error('internal error: cluster_run() called outside cluster mode');
      return cluster(region, envAddr);
    },
    teamLost: () => {
      const tid = Atomics.exchange(ctrl, CTRL.lost / 4, 0);
      team!.lostInLoop(tid);
      const cell = iterationCell(memory, 0);
      if (cell) cell[0] = -1n;
      const t = new ParTrap(-1, `RuntimeError: worker thread ${tid} of this program stopped during the parallel loop; its team of ${team!.size} threads will be restarted, so the next run will work`, tid);
      t.region = Atomics.load(ctrl, CTRL.region / 4);
      throw t;
    },
    joined: () => {
      Atomics.store(ctrl, CTRL.outPending / 4, 0);
      flushOutput();
      const t = takeRecordedError(memory, output);
      if (t) throw t;
    },
  });
  const lazy = config.size > 1 && !!platform.spawnNow && WebAssembly.Module.imports(module).some((i) => i.module === 'env' && i.name === 'team_start');
  if (lazy) await platform.prepare?.();
  const inst = await WebAssembly.instantiate(module, imports);
  const exports = inst.exports as unknown as ParInstance['exports'];
  (exports.__init as () => void)();
  team = Team.start({
    platform, config, module, memory, exports: exports as never,
    strings: opts.strings, sites: opts.sites.map((s) => ({ kind: s.kind, ...(s.text !== undefined ? { text: s.text } : {}) })),
    output: output.buffer, maxPages, lazy, ...(races ? { races } : {}),
    readError: () => output.getError().message,
    // Measured once the workers run (the eager team's is measured by the driver before the first run).
    onStarted: () => {
      const probe = exports.__probe as ((reps: number) => void) | undefined;
      if (probe) Atomics.store(ctrl, CTRL.forkCost / 4, probeForkCost(probe));
    },
  });
  return {
    memory, exports, team, output, flushOutput,
    setStdout(f) { stdout = f; },
    setImage(f) { image = f; },
    setFiles(f) { files = f; },
    setCluster(f) { cluster = f; },
    resetRaces() { if (races) resetRaces(races); },
    readArray: (desc) => readArrayView(memory, desc),
    heapTop: () => new Int32Array(memory.buffer)[ALLOC.heapTop / 4],
  };
}
