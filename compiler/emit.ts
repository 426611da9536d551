// The wasm emitter: translates a verified loop-IR Program into a Binaryen module over an imported
// shared memory, adds the wasm-side runtime library (allocator and array descriptors, written in
// the IR itself so it is verified and printed like user code), validates, optimizes, and returns
// the bytes. Parallel nodes are emitted serially for now (parfor as a for, region as one pass
// with thread 0 of 1); outlining them onto a worker team is a later pass, not a decision made here.
import type { BinOp, CvtOp, Expr, Func, Import, Mem, Program, Stmt, UnOp, VT } from './ir.js';
import { ALLOC, DESC, PAGE } from '../runtime/layout.js';
import { CTRL } from '../runtime/protocol.js';
import {
  disassemble, emitBinaryWithNames, importSharedMemory, loadBinaryen, optimizeModule, parFeatures, validateModule,
  type BExpr, type BModule, type BType, type Binaryen,
} from './binaryen.js';
import { exprType, verifyIR } from './verify.js';
import { NATIVE_MATH, NativeMath } from './mathlib-wasm.js';
import { MATH_TABLES_SIZE, mathTables } from './mathlib-tables.js';
import { add, bin, call, get, i32c, i64c, isZero, runtimeLibrary, set, store32, when } from './runtime-library.js';

export interface EmitOptions {
  /** Binaryen optimize level (default 3); 0 with shrinkLevel 0 skips the optimizer. */
  optimizeLevel?: number;
  shrinkLevel?: number;
  /** Accepted for the pipeline's sake; bounds checks are IR placed by lowering and passes, so the emitter ignores it. */
  boundsCheck?: boolean;
  /** Declared minimum of the imported memory (default: just enough for the static data). */
  initialPages?: number;
  /** Declared maximum of the imported memory (default 65536 = 4 GiB, so the runtime's memory limit decides); a shared memory needs one. */
  maxPages?: number;
  /**
   * In the script's own functions, every `while` iteration and every counted loop after each 65536
   * iterations check CTRL.abort (an atomic load, so it is never hoisted) and, once it is set, call
   * `env.interrupted` (KeyboardInterrupt): a runaway program can then be stopped from another
   * thread (the playground's Stop).
   */
  interruptible?: boolean;
}

export interface EmitResult {
  bytes: Uint8Array;
  /** Text of the emitted (optimized) module; disassembled on demand. */
  wat: () => string;
  /** First heap byte, as `__init` stores it at ALLOC.heapTop / ALLOC.heapBaseAddr. */
  heapBase: number;
  /** The memory limits the module imports `env.memory` with; the runtime's memory must fit them. */
  initialPages: number;
  maxPages: number;
}

const ICE = 'internal compiler error';
/** Interruptible code checks CTRL.abort once per 2**CHUNK_LOG2 iterations of a counted loop. */
const CHUNK_LOG2 = 16;
/**
 * Whether a function is the script's code (its body, its defs, its outlined parallel loops) rather
 * than the runtime library, which interruptible code never interrupts: the library's waits already
 * end on CTRL.cancel, which the interrupted thread sets, and stopping it midway (holding a lock, in
 * the fork-join probe before the program runs) would leave the team broken.
 */
const isUserCode = (name: string): boolean => !name.startsWith('__') || name === '__main' || /^__par\d+$/.test(name);
/** The import an interruptible loop calls when CTRL.abort is set (it throws KeyboardInterrupt). */
const INTERRUPTED = '__interrupted';
/** The import an `alloc` calls when the array cannot be had: (site, dtype code, ndim, shape[0..3]); it throws MemoryError. */
const ERR_ALLOC = '__err_alloc';

export async function emitWasm(p: Program, opts: EmitOptions = {}): Promise<EmitResult> {
  const optimizeLevel = opts.optimizeLevel ?? 3;
  const shrinkLevel = opts.shrinkLevel ?? 0;
  const maxPages = opts.maxPages ?? 65536;
  // Native math functions (mathlib-wasm.ts) read their tables from static memory, after the program's data.
  const usesNativeMath = p.imports.some((i) => i.module === NATIVE_MATH);
  const mathBase = align16(p.dataBase + p.dataSize);
  const data = usesNativeMath ? [...p.data, { offset: mathBase, bytes: mathTables() }] : [...p.data];
  const poolBase = usesNativeMath ? align16(mathBase + MATH_TABLES_SIZE) : mathBase;
  const pool = splatPool(p.funcs, poolBase);
  if (pool.bytes.length) data.push({ offset: poolBase, bytes: pool.bytes });
  const heapBase = align16(poolBase + pool.bytes.length);
  const initialPages = opts.initialPages ?? Math.max(1, Math.ceil(heapBase / PAGE));
  if (initialPages * PAGE < heapBase) throw new Error(`${ICE}: ${initialPages} initial pages cannot hold the static data (${heapBase} bytes)`);
  if (maxPages < initialPages || maxPages > 65536) throw new Error(`${ICE}: bad memory limits ${initialPages}..${maxPages} pages`);

  const whole = withRuntime(p);
  const problems = verifyIR(whole);
  for (const f of p.funcs) if (f.name === '__init' || f.exportAs === '__init') problems.push(`func ${f.name}: __init is reserved`);
  if (problems.length) throw new Error(`${ICE}: invalid IR:\n${problems.join('\n')}`);

  const b = await loadBinaryen();
  const m = new b.Module();
  try {
    m.setFeatures(parFeatures(b));
    const segments = importSharedMemory(m, initialPages, maxPages, data.map((d) => d.bytes));
    const sigs = new Map<string, { params: VT[]; results: VT[] }>();
    for (const i of whole.imports) {
      if (i.module !== NATIVE_MATH) m.addFunctionImport(i.name, i.module, i.base, tupleType(b, i.params), tupleType(b, i.result ? [i.result] : []));
      sigs.set(i.name, { params: i.params, results: i.result ? [i.result] : [] });
    }
    for (const f of whole.funcs) sigs.set(f.name, { params: f.params.map((l) => l.t), results: f.results });
    if (opts.interruptible) m.addFunctionImport(INTERRUPTED, 'env', 'interrupted', b.i32, b.none);
    const jsImport = (name: string) => {
      const have = whole.imports.find((i) => i.module === 'math' && i.base === 'math_' + name);
      if (have) return have.name;
      if (!sigs.has('math_' + name)) { m.addFunctionImport('math_' + name, 'math', 'math_' + name, b.f64, b.f64); sigs.set('math_' + name, { params: ['f64'], results: ['f64'] }); }
      return 'math_' + name;
    };
    const native = usesNativeMath ? new NativeMath(b, m, mathBase, jsImport) : null;
    for (const f of whole.funcs) {
      new FuncEmitter(b, m, sigs, f, (opts.interruptible ?? false) && isUserCode(f.name), native, pool.slots).emit();
      if (f.exportAs !== undefined) m.addFunctionExport(f.name, f.exportAs);
    }
    native?.add(whole.imports.filter((i) => i.module === NATIVE_MATH).map((i) => i.name));
    emitInit(b, m, { ...p, data }, segments, heapBase, native?.init() ?? null);

    const invalid = validateModule(m);
    if (invalid) throw new Error(`${ICE}: Binaryen rejected the module:\n${invalid}`);
    if (optimizeLevel > 0 || shrinkLevel > 0) optimizeModule(b, m, optimizeLevel, shrinkLevel);
    const bytes = emitBinaryWithNames(b, m);
    return { bytes, wat: () => disassemble(b, bytes), heapBase, initialPages, maxPages };
  } finally {
    m.dispose();
  }
}

function align16(n: number): number {
  return (n + 15) & ~15;
}

/**
 * Note [Splat pool]: a splat of a non-zero constant is emitted as a v128.load from a 16-byte slot of
 * static memory holding that vector (after the program's data and the math tables, before the
 * heap). In V8's code a `v128.const` costs three or four instructions at every use, a load one; and
 * Binaryen, which sees through locals, would put a v128.const that vectorize.ts hoisted out of a loop
 * (into a v128 local) back into the loop, where it cannot do that with a load. A zero stays a
 * v128.const (one instruction).
 */
function splatPool(funcs: readonly Func[], base: number): { bytes: Uint8Array; slots: Map<string, number> } {
  const slots = new Map<string, number>();
  const chunks: Uint8Array[] = [];
  const visit = (x: unknown): void => {
    if (!x || typeof x !== 'object') return;
    if (Array.isArray(x)) { x.forEach(visit); return; }
    const e = x as Expr;
    if (e.k === 'simd') {
      const bytes = splatBytes(e);
      const key = bytes && splatKey(bytes);
      if (bytes && key && !slots.has(key)) { slots.set(key, base + 16 * chunks.length); chunks.push(bytes); }
    }
    for (const v of Object.values(x)) if (v && typeof v === 'object') visit(v);
  };
  funcs.forEach((f) => visit(f.body));
  const bytes = new Uint8Array(16 * chunks.length);
  chunks.forEach((c, i) => bytes.set(c, 16 * i));
  return { bytes, slots };
}

/** The 16 bytes of a splat of a constant (little-endian lanes), or null for any other expression. */
function splatBytes(e: Expr): Uint8Array | null {
  if (e.k !== 'simd' || !e.op.endsWith('.splat') || e.args[0]?.k !== 'const') return null;
  const v = e.args[0].v;
  const bytes = new Uint8Array(16), dv = new DataView(bytes.buffer);
  switch (e.op) {
    case 'f64x2.splat': for (let i = 0; i < 2; i++) dv.setFloat64(8 * i, Number(v), true); break;
    case 'f32x4.splat': for (let i = 0; i < 4; i++) dv.setFloat32(4 * i, Number(v), true); break;
    case 'i64x2.splat': for (let i = 0; i < 2; i++) dv.setBigInt64(8 * i, BigInt.asIntN(64, BigInt(v)), true); break;
    case 'i32x4.splat': for (let i = 0; i < 4; i++) dv.setInt32(4 * i, Number(BigInt.asIntN(32, BigInt(v))), true); break;
    case 'i16x8.splat': for (let i = 0; i < 8; i++) dv.setInt16(2 * i, Number(BigInt.asIntN(16, BigInt(v))), true); break;
    case 'i8x16.splat': for (let i = 0; i < 16; i++) dv.setInt8(i, Number(BigInt.asIntN(8, BigInt(v)))); break;
    default: return null;
  }
  return bytes;
}

/** A pool slot's key: its bytes in hex; null for all-zero bytes (those stay a v128.const). */
function splatKey(bytes: Uint8Array): string | null {
  return bytes.every((x) => x === 0) ? null : Array.from(bytes, (x) => x.toString(16).padStart(2, '0')).join('');
}

function valueType(b: Binaryen, t: VT): BType {
  return b[t];
}

function tupleType(b: Binaryen, ts: readonly VT[]): BType {
  if (ts.length === 0) return b.none;
  if (ts.length === 1) return valueType(b, ts[0]);
  return b.createType(ts.map((t) => valueType(b, t)));
}

/**
 * The program plus the runtime library, and the `env.oom` import the allocator reports failure
 * through (declared here unless the program already imports it).
 */
export function withRuntime(p: Program): Program {
  let oom = p.imports.find((i) => i.module === 'env' && i.base === 'oom');
  const imports: Import[] = [...p.imports, { name: ERR_ALLOC, module: 'env', base: 'err_alloc', params: ['i32', 'i32', 'i32', 'i64', 'i64', 'i64', 'i64'], result: null }];
  if (!oom) {
    oom = { name: '__oom', module: 'env', base: 'oom', params: ['i32'], result: null };
    imports.push(oom);
  } else if (oom.params.join() !== 'i32' || oom.result !== null) {
    throw new Error(`${ICE}: import env.oom must take one i32 and return nothing`);
  }
  return { ...p, imports, funcs: [...p.funcs, ...runtimeLibrary(oom.name)] };
}

/**
 * `__init`, run once by thread 0 before anything else: copies the passive data segments to their
 * absolute addresses and sets up the allocator. Workers never call it, since they instantiate the
 * module over a memory that is already live.
 */
function emitInit(b: Binaryen, m: BModule, p: Program, segments: string[], heapBase: number, fillPool: BExpr | null): void {
  const c = (v: number) => m.i32.const(v);
  const body: BExpr[] = [];
  p.data.forEach((d, i) => {
    body.push(m.memory.init(segments[i], c(d.offset), c(0), c(d.bytes.length)));
    body.push(m.data.drop(segments[i]));
  });
  body.push(m.i32.store(0, 4, c(ALLOC.heapBaseAddr), c(heapBase)));
  body.push(m.i32.store(0, 4, c(ALLOC.heapTop), c(heapBase)));
  body.push(m.i32.atomic.store(0, c(ALLOC.lock), c(0)));
  body.push(m.memory.fill(c(ALLOC.freeLists), c(0), c(4 * 32)));
  body.push(m.i32.store(0, 4, c(ALLOC.largeFree), c(0)));
  if (fillPool) body.push(fillPool);
  m.addFunction('__init', b.none, b.none, [], m.block(null, body));
  m.addFunctionExport('__init', '__init');
}

// ---------------------------------------------------------------------------------------------
// Function bodies

interface LocalInfo { index: number; t: VT }
interface LoopLabels { ir: string; brk: string; cont: string }

class FuncEmitter {
  private locals = new Map<string, LocalInfo>();
  private vars: BType[] = [];
  private nextIndex = 0;
  private labels: LoopLabels[] = [];
  private labelCount = 0;
  private hidden = 0;

  constructor(
    private b: Binaryen,
    private m: BModule,
    private sigs: Map<string, { params: VT[]; results: VT[] }>,
    private f: Func,
    private interruptible = false,
    private native: NativeMath | null = null,
    /** Addresses of the splat pool's slots, by splatKey (Note [Splat pool]). */
    private pool: ReadonlyMap<string, number> = new Map(),
  ) {
    for (const l of f.params) this.locals.set(l.name, { index: this.nextIndex++, t: l.t });
    for (const l of f.locals) this.declare(l.name, l.t);
  }

  emit(): void {
    const { b, m, f } = this;
    const body = this.stmts(f.body);
    // Falling off the end of a function with results is a lowering bug; trap rather than fail validation.
    if (f.results.length) body.push(m.unreachable());
    m.addFunction(f.name, tupleType(b, f.params.map((l) => l.t)), tupleType(b, f.results), this.vars, m.block(null, body));
  }

  private declare(name: string, t: VT): LocalInfo {
    const info = { index: this.nextIndex++, t };
    this.vars.push(valueType(this.b, t));
    this.locals.set(name, info);
    return info;
  }

  /** A hidden local the IR can name (`%` cannot appear in lowered names). */
  private freshLocal(t: VT): string {
    const name = `%${this.hidden++}`;
    this.declare(name, t);
    return name;
  }

  /** A hidden local of any Binaryen type (tuples for multi-value calls). */
  private freshIndex(type: BType): number {
    this.vars.push(type);
    return this.nextIndex++;
  }

  /** Interruptible code: raise KeyboardInterrupt, reported at the loop's `site`, if CTRL.abort is set (an atomic load, so never hoisted). */
  private abortCheck(site = -1): BExpr {
    const m = this.m;
    return m.if(m.i32.atomic.load(0, m.i32.const(CTRL.abort)), m.block(null, [m.call(INTERRUPTED, [m.i32.const(site)], this.b.none), m.unreachable()]));
  }

  private local(name: string): LocalInfo {
    const l = this.locals.get(name);
    if (!l) throw new Error(`${ICE}: undeclared local ${name} in ${this.f.name}`);
    return l;
  }

  private get(name: string): BExpr {
    const l = this.local(name);
    return this.m.local.get(l.index, valueType(this.b, l.t));
  }

  // --- expressions ---------------------------------------------------------------------------

  private constant(t: VT, v: number | bigint): BExpr {
    const m = this.m;
    switch (t) {
      case 'i32': return m.i32.const(Number(BigInt.asIntN(32, BigInt(v))));
      case 'i64': return m.i64.const(BigInt.asIntN(64, BigInt(v)));
      case 'f32': return m.f32.const(Number(v));
      case 'f64': return m.f64.const(Number(v));
      case 'v128': throw new Error(`${ICE}: v128 constant`);
    }
  }

  private expr(e: Expr): BExpr {
    const m = this.m;
    switch (e.k) {
      case 'const': return this.constant(e.t, e.v);
      case 'get': return this.get(e.name);
      case 'load':
        if (e.atomic) {
          const a = this.expr(e.addr), o = e.offset ?? 0;
          return e.mem === 'u8' ? m.i32.atomic.load8_u(o, a) : e.mem === 'i32' ? m.i32.atomic.load(o, a) : m.i64.atomic.load(o, a);
        }
        return this.load(e.mem, this.expr(e.addr), e.offset ?? 0);
      case 'bin': return this.binary(e.t, e.op, this.expr(e.a), this.expr(e.b));
      case 'un': return this.unary(e.t, e.op, this.expr(e.a));
      case 'cvt': return this.convert(e.op, this.expr(e.a));
      case 'select': return m.select(this.expr(e.cond), this.expr(e.a), this.expr(e.b));
      case 'call': return this.call(e);
      case 'atomic': {
        const addr = this.expr(e.addr);
        const value = this.expr(e.value);
        const rmw = e.mem === 'u8' ? m.i32.atomic.rmw8_u : e.mem === 'i32' ? m.i32.atomic.rmw : m.i64.atomic.rmw;
        return rmw[e.op](0, addr, value);
      }
      case 'cmpxchg': {
        const rmw = e.mem === 'u8' ? m.i32.atomic.rmw8_u : e.mem === 'i32' ? m.i32.atomic.rmw : m.i64.atomic.rmw;
        return rmw.cmpxchg(0, this.expr(e.addr), this.expr(e.expected), this.expr(e.replacement));
      }
      case 'memsize': return m.memory.size();
      case 'memgrow': return m.memory.grow(this.expr(e.pages));
      case 'wait': return m.memory.atomic.wait32(this.expr(e.addr), this.expr(e.expected), this.expr(e.timeout));
      case 'notify': return m.memory.atomic.notify(this.expr(e.addr), this.expr(e.count));
      case 'simd': return this.simd(e);
    }
  }

  /** A SIMD instruction: `op` is 'shape.name', which is how binaryen.js groups them too. */
  private simd(e: Expr & { k: 'simd' }): BExpr {
    const bytes = splatBytes(e);
    const slot = bytes && splatKey(bytes);
    if (slot && this.pool.has(slot)) return this.m.v128.load(0, 16, this.m.i32.const(this.pool.get(slot)!));
    const [shape, name] = e.op.split('.');
    const group = (this.m as unknown as Record<string, Record<string, (...a: unknown[]) => BExpr>>)[shape];
    const f = group?.[name];
    if (!f) throw new Error(`${ICE}: no SIMD instruction ${e.op}`);
    const args = e.args.map((a) => this.expr(a));
    if (name === 'extract_lane') return f(args[0], e.lane);
    if (name === 'replace_lane') return f(args[0], e.lane, args[1]);
    return f(...args);
  }

  private call(e: Expr & { k: 'call' }): BExpr {
    const sig = this.sigs.get(e.fn);
    if (!sig) throw new Error(`${ICE}: call of unknown function ${e.fn}`);
    const args = e.args.map((a) => this.expr(a));
    const inlined = this.native?.inline(e.fn, args, (t) => { this.vars.push(t); return this.nextIndex++; });
    return inlined ?? this.m.call(e.fn, args, tupleType(this.b, sig.results));
  }

  /** A load of `mem` from addr + offset (offset: the memarg's static offset). */
  private load(mem: Mem, addr: BExpr, offset = 0): BExpr {
    const m = this.m;
    switch (mem) {
      case 'u8': return m.i32.load8_u(offset, 1, addr);
      case 'i8': return m.i32.load8_s(offset, 1, addr);
      case 'u16': return m.i32.load16_u(offset, 2, addr);
      case 'i16': return m.i32.load16_s(offset, 2, addr);
      case 'i32': return m.i32.load(offset, 4, addr);
      case 'i64': return m.i64.load(offset, 8, addr);
      case 'f32': return m.f32.load(offset, 4, addr);
      case 'f64': return m.f64.load(offset, 8, addr);
      case 'v128': return m.v128.load(offset, 16, addr);
    }
  }

  private store(mem: Mem, addr: BExpr, value: BExpr, offset = 0): BExpr {
    const m = this.m;
    switch (mem) {
      case 'u8': case 'i8': return m.i32.store8(offset, 1, addr, value);
      case 'u16': case 'i16': return m.i32.store16(offset, 2, addr, value);
      case 'i32': return m.i32.store(offset, 4, addr, value);
      case 'i64': return m.i64.store(offset, 8, addr, value);
      case 'f32': return m.f32.store(offset, 4, addr, value);
      case 'f64': return m.f64.store(offset, 8, addr, value);
      case 'v128': return m.v128.store(offset, 16, addr, value);
    }
  }

  /** `a` and `b` evaluated once each into temps, for ops that need an operand twice. */
  private twice(t: VT, a: BExpr, b: BExpr, f: (a: () => BExpr, b: () => BExpr, teeA: BExpr, teeB: BExpr) => BExpr): BExpr {
    const type = valueType(this.b, t);
    const ia = this.freshIndex(type);
    const ib = this.freshIndex(type);
    const m = this.m;
    return f(() => m.local.get(ia, type), () => m.local.get(ib, type), m.local.tee(ia, a, type), m.local.tee(ib, b, type));
  }

  private binary(t: VT, op: BinOp, a: BExpr, b: BExpr): BExpr {
    const m = this.m;
    if (t === 'i32' || t === 'i64') {
      const I = t === 'i32' ? m.i32 : m.i64;
      switch (op) {
        case 'add': case 'sub': case 'mul': case 'div_s': case 'div_u': case 'rem_s': case 'rem_u':
        case 'and': case 'or': case 'xor': case 'shl': case 'shr_s': case 'shr_u':
        case 'eq': case 'ne': case 'lt_s': case 'le_s': case 'gt_s': case 'ge_s': case 'lt_u': case 'le_u': case 'gt_u': case 'ge_u':
          return I[op](a, b);
        case 'min_u': return this.twice(t, a, b, (ga, gb, ta, tb) => m.select(I.lt_u(ga(), gb()), ta, tb));
        case 'max_u': return this.twice(t, a, b, (ga, gb, ta, tb) => m.select(I.gt_u(ga(), gb()), ta, tb));
        // wasm has no integer min/max: select over temps (select evaluates both operands, then the test).
        case 'min': return this.twice(t, a, b, (ga, gb, ta, tb) => m.select(I.lt_s(ga(), gb()), ta, tb));
        case 'max': return this.twice(t, a, b, (ga, gb, ta, tb) => m.select(I.gt_s(ga(), gb()), ta, tb));
      }
    } else {
      const F = t === 'f32' ? m.f32 : m.f64;
      switch (op) {
        case 'add': case 'sub': case 'mul': case 'div': case 'copysign':
        case 'eq': case 'ne': case 'lt': case 'le': case 'gt': case 'ge':
          return F[op](a, b);
        // NumPy's maximum/minimum: a if a is NaN or strictly beyond b, else b (so ties of -0.0 and
        // 0.0 give b, as NumPy's loops do); wasm's f64.max would order -0.0 below 0.0.
        case 'min': case 'max':
          return this.twice(t, a, b, (ga, gb, ta, tb) => m.select(m.i32.or(F[op === 'max' ? 'gt' : 'lt'](ga(), gb()), F.ne(ga(), ga())), ta, tb));
      }
    }
    throw new Error(`${ICE}: binary ${op} on ${t}`);
  }

  private unary(t: VT, op: UnOp, a: BExpr): BExpr {
    const m = this.m;
    if (t === 'i32' || t === 'i64') {
      const I = t === 'i32' ? m.i32 : m.i64;
      const zero = () => this.constant(t, 0);
      switch (op) {
        case 'eqz': case 'clz': case 'ctz': case 'popcnt': return I[op](a);
        case 'extend8_s': return I.extend8_s(a);
        case 'extend16_s': return I.extend16_s(a);
        case 'neg': return I.sub(zero(), a);
        case 'abs': {
          const type = valueType(this.b, t);
          const i = this.freshIndex(type);
          const g = () => m.local.get(i, type);
          // Operand order matters: the tee (ifTrue) runs before the other operand and the test.
          return m.select(I.ge_s(g(), zero()), m.local.tee(i, a, type), I.sub(zero(), g()));
        }
      }
    } else {
      const F = t === 'f32' ? m.f32 : m.f64;
      switch (op) {
        case 'neg': case 'abs': case 'sqrt': case 'floor': case 'ceil': case 'trunc': case 'nearest':
          return F[op](a);
      }
    }
    throw new Error(`${ICE}: unary ${op} on ${t}`);
  }

  private convert(op: CvtOp, a: BExpr): BExpr {
    const m = this.m;
    switch (op) {
      case 'i32->i64': return m.i64.extend_s(a);
      // Not extend_u: Binaryen 132's optimizer folds extend_u(i32.load) into i64.load32_s (sign-
      // extending); the mask keeps the zero extension whatever it folds the load into.
      case 'u32->i64': return m.i64.and(m.i64.extend_s(a), m.i64.const(0xffffffffn));
      case 'i64->i32': return m.i32.wrap(a);
      case 'i32->f32': return m.f32.convert_s.i32(a);
      case 'i32->f64': return m.f64.convert_s.i32(a);
      case 'i64->f32': return m.f32.convert_s.i64(a);
      case 'i64->f64': return m.f64.convert_s.i64(a);
      case 'u32->f32': return m.f32.convert_u.i32(a);
      case 'u32->f64': return m.f64.convert_u.i32(a);
      case 'u64->f32': return m.f32.convert_u.i64(a);
      case 'u64->f64': return m.f64.convert_u.i64(a);
      // Saturating: NaN -> 0, out of range -> the nearest bound, never a trap.
      case 'f32->i32': return m.i32.trunc_s_sat.f32(a);
      case 'f64->i32': return m.i32.trunc_s_sat.f64(a);
      case 'f32->i64': return m.i64.trunc_s_sat.f32(a);
      case 'f64->i64': return m.i64.trunc_s_sat.f64(a);
      case 'f32->f64': return m.f64.promote(a);
      case 'f64->f32': return m.f32.demote(a);
      case 'bits:f32->i32': return m.i32.reinterpret(a);
      case 'bits:f64->i64': return m.i64.reinterpret(a);
      case 'bits:i32->f32': return m.f32.reinterpret(a);
      case 'bits:i64->f64': return m.f64.reinterpret(a);
    }
  }

  // --- statements ----------------------------------------------------------------------------

  private stmts(ss: Stmt[]): BExpr[] {
    return ss.map((s) => this.stmt(s));
  }

  private block(ss: Stmt[]): BExpr {
    return this.m.block(null, this.stmts(ss));
  }

  private stmt(s: Stmt): BExpr {
    const m = this.m;
    switch (s.k) {
      case 'set': return m.local.set(this.local(s.name).index, this.expr(s.value));
      case 'setm': {
        const sig = this.sigs.get(s.call.fn)!;
        const type = tupleType(this.b, sig.results);
        const tmp = this.freshIndex(type);
        const out = [m.local.set(tmp, this.call(s.call))];
        s.names.forEach((n, i) => out.push(m.local.set(this.local(n).index, m.tuple.extract(m.local.get(tmp, type), i))));
        return m.block(null, out);
      }
      case 'store': return this.store(s.mem, this.expr(s.addr), this.expr(s.value), s.offset ?? 0);
      case 'expr': {
        const e = s.e.k === 'call' ? this.call(s.e) : this.expr(s.e);
        return this.producesValue(s.e) ? m.drop(e) : e;
      }
      case 'if': return m.if(this.expr(s.cond), this.block(s.then), s.else.length ? this.block(s.else) : undefined);
      case 'while': {
        const l = this.pushLoop(s.label);
        const top = `${l.brk}$top`;
        const loop = m.loop(top, m.block(null, [
          m.br(l.brk, m.i32.eqz(this.expr(s.cond))),
          m.block(l.cont, this.stmts(s.body)),
          ...(this.interruptible ? [this.abortCheck(s.site)] : []),
          m.br(top),
        ]));
        this.labels.pop();
        return m.block(l.brk, [loop]);
      }
      case 'for':
      case 'parfor':
        // parfor runs serially until outlining exists; its reduction variables are ordinary locals.
        return this.counted(s);
      case 'region': {
        const tn = this.local(s.threadNum);
        const nt = this.local(s.numThreadsVar);
        return m.block(null, [
          m.local.set(tn.index, this.constant(tn.t, 0)),
          m.local.set(nt.index, this.constant(nt.t, 1)),
          ...this.stmts(s.body),
        ]);
      }
      case 'break': return m.br(this.findLoop(s.label).brk);
      case 'continue': return m.br(this.findLoop(s.label).cont);
      case 'return': {
        if (s.values.length === 0) return m.return();
        if (s.values.length === 1) return m.return(this.expr(s.values[0]));
        return m.return(m.tuple.make(s.values.map((v) => this.expr(v))));
      }
      case 'alloc': return this.block(this.expandAlloc(s));
      case 'release': return m.call('__release', [this.expr(s.desc)], this.b.none);
      case 'retain': return m.call('__retain', [this.expr(s.desc)], this.b.none);
      case 'trap': {
        const c = this.call(s.call);
        return m.block(null, [this.producesValue(s.call) ? m.drop(c) : c, m.unreachable()]);
      }
      case 'block': return this.block(s.body);
      case 'memfill': return m.memory.fill(this.expr(s.dest), this.expr(s.value), this.expr(s.size));
      case 'memcopy': return m.memory.copy(this.expr(s.dest), this.expr(s.src), this.expr(s.size));
    }
  }

  private producesValue(e: Expr): boolean {
    return e.k === 'call' ? this.sigs.get(e.fn)!.results.length > 0 : true;
  }

  private pushLoop(label: string): LoopLabels {
    const n = this.labelCount++;
    const l = { ir: label, brk: `${label}$${n}`, cont: `${label}$${n}$cont` };
    this.labels.push(l);
    return l;
  }

  private findLoop(label: string): LoopLabels {
    for (let i = this.labels.length - 1; i >= 0; i--) if (this.labels[i].ir === label) return this.labels[i];
    throw new Error(`${ICE}: no enclosing loop ${label} in ${this.f.name}`);
  }

  /**
   * A counted loop: start, stop and step are evaluated once, in that order, before the first test;
   * the test is `v < stop` for a positive step and `v > stop` otherwise, chosen statically when the
   * step is a constant; `continue` branches to the increment.
   */
  private counted(s: Stmt & { k: 'for' | 'parfor' }): BExpr {
    const m = this.m;
    const t = s.t;
    const type = valueType(this.b, t);
    const I = t === 'i32' ? m.i32 : m.i64;
    const v = this.local(s.v);
    const setup: BExpr[] = [];
    const once = (e: Expr): (() => BExpr) => {
      if (e.k === 'const') return () => this.expr(e);
      const i = this.freshIndex(type);
      setup.push(m.local.set(i, this.expr(e)));
      return () => m.local.get(i, type);
    };
    const start = once(s.start);
    const stop = once(s.stop);
    const step = once(s.step);
    setup.push(m.local.set(v.index, start()));
    const getV = () => m.local.get(v.index, type);
    // `pick(a, b)`: a for a positive step, b otherwise; static when the step is a constant.
    const pick = (a: () => BExpr, b: () => BExpr): BExpr => s.step.k === 'const'
      ? (BigInt(s.step.v) > 0n ? a() : b())
      : m.select(I.gt_s(step(), this.constant(t, 0)), a(), b());
    const cond = (bound: () => BExpr) => pick(() => I.lt_s(getV(), bound()), () => I.gt_s(getV(), bound()));

    const l = this.pushLoop(s.label);
    const top = `${l.brk}$top`;
    let loop: BExpr;
    if (!this.interruptible) {
      loop = m.loop(top, m.block(null, [
        m.br(l.brk, m.i32.eqz(cond(stop))),
        m.block(l.cont, this.stmts(s.body)),
        m.local.set(v.index, I.add(getV(), step())),
        m.br(top),
      ]));
    } else {
      // Strip-mined: an inner loop runs up to 2**CHUNK_LOG2 iterations against `lim` with no check; the
      // abort check runs only between chunks of a loop that is not done, so a tight loop pays nothing
      // per iteration and a short inner loop nothing at all. `span` is that many steps; `stop - v` read
      // unsigned is the exact distance even when the subtraction overflows; when `span` overflows
      // (a step of 2**15 or more for i32, 2**47 for i64) the loop is short and runs in one chunk.
      const spanI = this.freshIndex(type), limI = this.freshIndex(type);
      const span = () => m.local.get(spanI, type), lim = () => m.local.get(limI, type);
      setup.push(m.local.set(spanI, I.shl(step(), this.constant(t, CHUNK_LOG2))));
      const dist = pick(() => I.sub(stop(), getV()), () => I.sub(getV(), stop()));
      const far = I.gt_u(dist, pick(span, () => I.sub(this.constant(t, 0), span())));
      const fits = I.eq(I.shr_s(span(), this.constant(t, CHUNK_LOG2)), step());
      const inner = `${l.brk}$chunk`;
      loop = m.loop(top, m.block(null, [
        m.br(l.brk, m.i32.eqz(cond(stop))),
        m.local.set(limI, m.select(m.i32.and(fits, far), I.add(getV(), span()), stop())),
        m.loop(inner, m.block(null, [
          m.block(l.cont, this.stmts(s.body)),
          m.local.set(v.index, I.add(getV(), step())),
          m.br(inner, cond(lim)),
        ])),
        m.br(l.brk, m.i32.eqz(cond(stop))),
        this.abortCheck(s.k === 'for' ? s.site : undefined),
        m.br(top),
      ]));
    }
    this.labels.pop();
    return m.block(null, [...setup, m.block(l.brk, [loop])]);
  }

  /**
   * `alloc` in terms of the runtime library: each extent into an i64 temp (before `name` is
   * assigned, since extents may read it), the element count checked by `__dim`, one `__array_new`
   * block (0 when it cannot be had: `err_alloc` then raises MemoryError with the shape), then shape
   * and C-contiguous strides (in elements) stored into the descriptor.
   */
  private expandAlloc(s: Stmt & { k: 'alloc' }): Stmt[] {
    const out: Stmt[] = [];
    const dims = s.shape.map((e) => {
      const n = this.freshLocal('i64');
      out.push(set(n, exprType(e) === 'i64' ? e : { k: 'cvt', t: 'i64', op: 'i32->i64', a: e }));
      return n;
    });
    let count: Expr = i64c(1);
    for (const d of dims) count = call('__dim', [count, get(d, 'i64')], 'i64');
    out.push(set(s.name, call('__array_new', [count, i32c(s.elemSize), i32c(s.ndim), i32c(s.dtypeCode), i32c(s.uninit ? 0 : 1)], 'i32')));
    const desc = get(s.name);
    const shape = [0, 1, 2, 3].map((k) => (k < dims.length ? get(dims[k], 'i64') : i64c(0)));
    out.push(when(isZero(desc), [{ k: 'trap', call: call(ERR_ALLOC, [i32c(s.site ?? -1), i32c(s.dtypeCode), i32c(s.ndim), ...shape]) }]));
    const extent = (k: number): Expr => ({ k: 'cvt', t: 'i32', op: 'i64->i32', a: get(dims[k], 'i64') });
    for (let k = 0; k < s.ndim; k++) {
      out.push(store32(add(desc, i32c(DESC.shape + 4 * k)), extent(k)));
      let stride: Expr = i32c(1);
      for (let j = k + 1; j < s.ndim; j++) stride = j === k + 1 ? extent(j) : bin('mul', stride, extent(j));
      out.push(store32(add(desc, i32c(DESC.strides + 4 * k)), stride));
    }
    return out;
  }
}
