// The only file that imports `binaryen`: a lazy loader (the library takes ~0.4 s to start, so
// front-end-only runs such as `--dump=ir` never pay for it) and the few helpers the emitter needs
// that touch Binaryen's global state or its stderr. Everything else talks to the typed Module API.
import type BinaryenNS from 'binaryen';
import { startMode } from './start-mode.js';

export type Binaryen = typeof BinaryenNS;
export type BModule = BinaryenNS.Module;
export type BType = BinaryenNS.Type;
export type BExpr = BinaryenNS.ExpressionRef;
export type BMemorySegment = BinaryenNS.MemorySegment;

let loading: Promise<Binaryen> | null = null;
/** Binaryen prints validation errors to stderr; while `captured` is set they are collected instead. */
let captured: string[] | null = null;

/**
 * Loads Binaryen once. Binaryen binds `console.error` when it starts, so a forwarding wrapper is
 * installed for the duration of the import: it lets `validateModule` collect the validator's text
 * (the C API only returns a boolean), and passes everything else through unchanged.
 */
export function loadBinaryen(): Promise<Binaryen> {
  loading ??= (async () => {
    const original = console.error;
    console.error = (...args: unknown[]) => {
      if (captured) captured.push(args.map(String).join(' '));
      else original.apply(console, args);
    };
    try {
      return (globalThis.process?.versions?.node ? await loadSplitOnNode() : null) ?? await loadPackage();
    } finally {
      console.error = original;
    }
  })();
  return loading;
}

/**
 * The copy `npm run build` makes in dist/binaryen/ (scripts/split-binaryen.js): binaryen.js without
 * its embedded wasm, which is read from binaryen.wasm instead of decoded from a 13 MB string, and
 * compiled synchronously on Liftoff (Note [Binaryen on Liftoff]). Null when there is no such copy
 * (running from the TypeScript sources, or binaryen.js of another layout).
 */
async function loadSplitOnNode(): Promise<Binaryen | null> {
  const [{ readFileSync }, v8] = await Promise.all([import('node:fs'), import('node:v8')]);
  const dir = new URL('../binaryen/', import.meta.url);
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = readFileSync(new URL('binaryen.wasm', dir));
  } catch {
    return null;
  }
  const start = (await import(/* @vite-ignore */ new URL('binaryen.js', dir).href)).default as (options: object) => Promise<Binaryen>;
  return start({
    instantiateWasm(imports: WebAssembly.Imports, done: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void) {
      const module = onLiftoff(v8, () => new WebAssembly.Module(bytes));
      done(new WebAssembly.Instance(module, imports), module);
      return {};
    },
  });
}

/** The npm package as it is (browsers get it through the playground's build plugin). */
async function loadPackage(): Promise<Binaryen> {
  const v8 = globalThis.process?.versions?.node ? await import('node:v8') : null;
  return onLiftoffAsync(v8, async () => (await import('binaryen')).default);
}

type V8 = typeof import('node:v8');
/** Whether node runs with a Liftoff flag of the user's own, which is then left as it is. */
const ownLiftoffFlag = (): boolean => globalThis.process?.execArgv.some((a) => /liftoff/.test(a)) ?? false;

function onLiftoff<T>(v8: V8, f: () => T): T {
  if (!startMode.oneShot || ownLiftoffFlag()) return f();
  v8.setFlagsFromString('--liftoff-only');
  try { return f(); } finally { v8.setFlagsFromString('--no-liftoff-only'); }
}

async function onLiftoffAsync<T>(v8: V8 | null, f: () => Promise<T>): Promise<T> {
  if (!v8 || !startMode.oneShot || ownLiftoffFlag()) return f();
  v8.setFlagsFromString('--liftoff-only');
  try { return await f(); } finally { v8.setFlagsFromString('--no-liftoff-only'); }
}

/*
 * Note [Binaryen on Liftoff]: V8 runs wasm first through its baseline compiler, Liftoff, and
 * recompiles each function that gets hot with TurboFan on background threads. Binaryen's optimizer
 * is 10 MB of wasm with huge functions, and a compile makes hundreds of them hot at once: the
 * first `-O3` of a process spent ~2 s (of a 2.6-5 s `par run --no-cache`, 2 cores) mostly waiting
 * for or competing with those TurboFan compiles, 0.2-0.4 s with Liftoff only. Later compiles in the
 * same process are slower on Liftoff than on TurboFan code (40 compiles in one process: 1.2-1.45x
 * in all), so only the `par` command, a process that compiles once, asks for it (startMode.oneShot,
 * set by bin/par.js): the compile() API, in a server or the test suite, keeps V8's tiering, and so
 * does node run with `--no-liftoff-only` (any flag naming liftoff). V8 fixes a module's tiers when
 * it compiles it, so the flag is set
 * only while Binaryen's module compiles and cleared after: the programs Par compiles still get
 * TurboFan (a kernel ran at full speed; with --liftoff-only for everything it ran 1.9x slower).
 * The split copy compiles synchronously, so nothing else can compile in that window; the package's
 * own start compiles asynchronously, and a module another caller compiled meanwhile would get
 * Liftoff only, so the driver instantiates a program only once the load has settled. A node run
 * with a Liftoff flag of the user's own keeps its flags.
 */

/** The wasm features every Par module uses: threads, SIMD, bulk memory, sat. conversions, multi-value. */
export function parFeatures(b: Binaryen): BinaryenNS.Features {
  const F = b.Features;
  return F.Atomics | F.MutableGlobals | F.NontrappingFPToInt | F.SIMD128 | F.BulkMemory | F.BulkMemoryOpt |
    F.SignExt | F.Multivalue;
}

/** Validates; returns null when valid, else the validator's messages (or a placeholder if none were captured). */
export function validateModule(m: BModule): string | null {
  captured = [];
  let ok: number;
  let text: string[];
  try {
    ok = m.validate();
  } finally {
    text = captured;
    captured = null;
  }
  if (ok) return null;
  return text.length ? text.join('\n') : '(Binaryen printed no validation text)';
}

/** Runs Binaryen's default pipeline at the given levels; the levels are global state, so they are restored. */
export function optimizeModule(b: Binaryen, m: BModule, optimizeLevel: number, shrinkLevel: number): void {
  const o = b.getOptimizeLevel();
  const s = b.getShrinkLevel();
  b.setOptimizeLevel(optimizeLevel);
  b.setShrinkLevel(shrinkLevel);
  try {
    m.optimize();
  } finally {
    b.setOptimizeLevel(o);
    b.setShrinkLevel(s);
  }
}

/** The module's binary with a name section (function names for stack traces and `--dump=wat`).
 * Binaryen writes names only while its global debug-info flag is on, so it is set just for this. */
export function emitBinaryWithNames(b: Binaryen, m: BModule): Uint8Array {
  const was = b.getDebugInfo();
  b.setDebugInfo(true);
  try {
    return m.emitBinary();
  } finally {
    b.setDebugInfo(was);
  }
}

/** Disassembles wasm bytes to text. binaryen.js 132 takes the features as readBinary's second
 * argument; the `readBinaryWithFeatures` in its .d.ts does not exist at run time. */
export function disassemble(b: Binaryen, bytes: Uint8Array): string {
  const read = b.readBinary as (data: Uint8Array, features?: BinaryenNS.Features) => BModule;
  const m = read(bytes, parFeatures(b));
  try {
    return m.emitText();
  } finally {
    m.dispose();
  }
}

/**
 * Declares the module's memory as the import `env.memory`, shared, with passive data segments
 * (named `d0`, `d1`, ... for memory.init). Passive because every thread instantiates the module over
 * the same memory: active segments would be re-copied by each worker, over live data.
 */
export function importSharedMemory(m: BModule, initial: number, maximum: number, segments: readonly Uint8Array[]): string[] {
  const names = segments.map((_, i) => `d${i}`);
  // `name` is accepted by binaryen.js though missing from its .d.ts; without it segments are unnamed.
  const segs = segments.map((data, i) => ({ name: names[i], data, passive: true, offset: 0 }));
  m.setMemory(initial, maximum, null, segs as BinaryenNS.MemorySegment[], true);
  m.addMemoryImport('0', 'env', 'memory', true);
  return names;
}
