// Lowering: checked AST -> loop IR. Arrays become descriptors in linear memory with explicit
// allocation and reference counting; whole-array expressions become loop nests (a chain of
// elementwise operations is fused into one nest with no temporaries); prange loops become ParFor
// nodes carrying their schedule and reductions; `with parallel()` becomes a Region.
//
// Note [Array values]: an array in IR is a descriptor pointer plus "shadow" locals holding its data
// pointer, shape and strides. Descriptors are immutable after creation, so the shadows are loaded
// once per assignment instead of on every element access, which keeps loops free of descriptor loads.
//
// Note [Pairwise sums]: float sum() and mean() use NumPy's pairwise summation, so results agree
// with NumPy to the last bit (and rounding error grows as O(log n), not O(n)).
//
// Note [Ownership]: every array-valued expression yields either a borrowed reference (a variable)
// or an owned one (a new array or view). Variables own one reference each; owned temporaries that
// are not moved into a variable are released at the end of their statement; a function releases its
// array locals on return. Memory held by a loop body is therefore bounded by one iteration's arrays.
import type * as A from '../language/ast.js';
import { expandEllipsis } from '../language/ast.js';
import { Code } from '../language/diagnostics.js';
import type { CheckedProgram, FuncInstance } from '../language/checker.js';
import { ABSTRACT_DTYPES, EXCEPTIONS, LIBRARY_FNS, NUMPY_EXTRA } from '../language/builtins.js';
import { axesArgs, axisValue, permutation, staticDtype, tupleSlice } from '../language/check-numpy.js';
import { DEFAULT_OPTIONS, type FuncOptions } from '../language/compat.js';
import type { Definite } from '../language/definite.js';
import { assignArrayIndex, assignMixed, elemChildren, fmtTrap, gather, gatherMixed, isArrayIndex, isCloseElem, isMixedArrayIndex, isVectorized, libraryCall, mathCall, maxMinOfMany, numpyMore, roundDecimals, ufuncArgs, vectorizedElem, vectorizedScalar } from './lower-library.js';
import type { SourceFile, Span } from '../language/source.js';
import { lineCol } from '../language/source.js';
import { type DType, type Type, isFloat, isInt, promote, elemOf } from '../language/types.js';
import { DESC, DTYPE_CODE, ELEM_SIZE, STATIC_BASE } from '../runtime/layout.js';
import { CTRL, XRANGE_LOOPS } from '../runtime/protocol.js';
import { mathFn, mathVec, NATIVE_MATH } from './mathlib-wasm.js';
import { pyRepr } from '../runtime/pyformat.js';
import type * as I from './ir.js';
import { exprType as verifyExprType } from './verify.js';
import { cseBody, pureBody } from './cse.js';
import { groupLength, lowerGroup } from './fuse-statements.js';
import { arrayOfList, forSequence, lengthOf, listBinary, listCall, listComp, listCompare, listIndex, listLiteral, listMethod, listReduce, listSetItem, rangeValue, splitString, storageOf, toList } from './lower-lists.js';
import { dynamicAxisReduce, gridValue, numpyExtra, unpackArray } from './lower-numpy.js';
import { randomCall } from './lower-random.js';
import { joinedStr, materialize, parseString, printString, raiseWith, strBinary, strBuiltin, strChar, strCompare, strIndex, strNumber } from './lower-strings.js';
import { bodyLane, type Lane, LANES, type VectorBody, vectorizeBody, vectorLoop } from './vectorize.js';
import { firstFunc, matmulFuncs, minmaxFunc, pairwiseFunc, psumFunc, type RT } from './kernels.js';
import {
  i32, i64, f64, cst, get, bin, un, cvt, load, call, select, add32, mul32, vtOf, memOf, log2Size, convert, cmpOp, tripCount,
} from './ir-build.js';
export { tripCount };

type Expr = I.Expr;
type Stmt = I.Stmt;
type VT = I.VT;

export interface ArrRef { desc: Expr; data: Expr; shape: Expr[]; strides: Expr[]; dtype: DType; ndim: number }

export type Val =
  | { k: 's'; e: Expr; dtype: DType }
  | { k: 'a'; a: ArrRef; owned: boolean }
  | { k: 't'; items: Val[] }
  | { k: 'none' }
  | { k: 'str'; text: string }
  | { k: 'dtype'; dtype: DType }
  | { k: 'team'; tn: Expr; nt: Expr }
  | { k: 'exc'; name: string; msg: string; dyn?: A.Expr };

interface Leaves { leaves: Map<A.Expr, ArrRef>; scalars: Map<A.Expr, { e: Expr; dtype: DType }> }

type Slot =
  | { k: 's'; name: string; dtype: DType }
  | { k: 'a'; name: string; dtype: DType; ndim: number }
  | { k: 't'; items: Slot[] }
  | { k: 'gs'; addr: number; dtype: DType }
  | { k: 'ga'; addr: number; dtype: DType; ndim: number }
  | { k: 'team'; tn: string; nt: string }
  /** A dtype is known when compiling: each one gives its own specialization. */
  | { k: 'dt'; dtype: DType; cls?: boolean }
  /** A list: its descriptor only, as its data and length change (Note [Lists] in lower-lists.ts). */
  | { k: 'ld'; name: string; elem: Type | null }
  | { k: 'none' };

/** A run-time error site: where it is and what kind; the runtime formats the message. */
export interface ErrorSite { code: number; kind: string; span: Span; text?: string }

export interface Lowered {
  program: I.Program;
  strings: string[];
  sites: ErrorSite[];
  /** Entry points callable from JS: name -> IR function and Par signature. */
  entries: Map<string, { fn: string; params: Type[]; ret: Type }>;
}

export interface LowerOptions { boundsCheck: boolean }

/** Nests with fewer elements never fork (see Note [Parallel array operations]). */
const PAR_MIN_ELEMS = 1 << 15;
/** Elements per parallel iteration of a one-dimensional nest. */
const PAR_CHUNK = 1 << 13;
/** Elements per parallel block of argmin/argmax. */
const ARG_BLOCK = 1 << 15;
/** Whole-array operations: vectorized, and parallel when big. */
const ARRAY_OP = { par: true, simd: true } as const;

const MATH1 = ['sin', 'cos', 'tan', 'asin', 'acos', 'atan', 'sinh', 'cosh', 'tanh', 'exp', 'log', 'log2', 'log10', 'erf', 'expm1', 'log1p', 'exp2', 'cbrt'];
const MATH2 = ['atan2', 'pow', 'hypot', 'fmod', 'pymod', 'pyfloordiv'];
const UFUNC_MATH: Record<string, string> = {
  arcsin: 'asin', arccos: 'acos', arctan: 'atan', sin: 'sin', cos: 'cos', tan: 'tan', sinh: 'sinh', cosh: 'cosh', tanh: 'tanh',
  exp: 'exp', log: 'log', log2: 'log2', log10: 'log10', erf: 'erf', expm1: 'expm1', log1p: 'log1p', exp2: 'exp2',
};

export function lower(cp: CheckedProgram, file: SourceFile, opts: LowerOptions): Lowered {
  return new ModuleLowerer(cp, file, opts).run();
}

class ModuleLowerer {
  funcs: I.Func[] = [];
  strings: string[] = [];
  stringIds = new Map<string, number>();
  sites: ErrorSite[] = [];
  globalSlots = new Map<string, Slot>();
  staticTop = STATIC_BASE;
  helpers = new Set<string>();
  /** User functions whose calls may run on the team: @vectorize(target='parallel') ones that cannot fail (lower-library.ts). */
  teamCalls = new Set<string>();
  imports = new Map<string, I.Import>();
  /** The address of np.random's module-level RandomState, once a function draws from it (lower-random.ts). */
  randomState: number | null = null;
  /** Static data with initial contents (tables), beside the zeroed globals. */
  data: { offset: number; bytes: Uint8Array }[] = [];

  constructor(readonly cp: CheckedProgram, readonly file: SourceFile, readonly opts: LowerOptions) {}

  run(): Lowered {
    for (const [name, t] of this.cp.globals) this.globalSlots.set(name, this.globalSlot(t));
    const entries = new Map<string, { fn: string; params: Type[]; ret: Type }>();
    const main = new FnLowerer(this, this.cp.main).lower();
    this.funcs.push(main);
    for (const inst of this.cp.instances) {
      const f = new FnLowerer(this, inst).lower();
      this.funcs.push(f);
      const def = inst.def!;
      if (!entries.has(def.name)) { entries.set(def.name, { fn: inst.name, params: inst.params.map((p) => p.type), ret: inst.ret! }); f.exportAs = inst.name; }
    }
    this.funcs.find((f) => f.name === '__main')!.exportAs = '__main';
    return {
      program: { funcs: this.funcs, imports: [...this.imports.values()], dataBase: STATIC_BASE, dataSize: this.staticTop - STATIC_BASE, data: this.data },
      strings: this.strings, sites: this.sites, entries,
    };
  }

  globalSlot(t: Type): Slot {
    const alloc = (n: number) => { this.staticTop = (this.staticTop + 7) & ~7; const a = this.staticTop; this.staticTop += n; return a; };
    t = asStored(t);
    switch (t.kind) {
      case 'list': return { k: 'ga', addr: alloc(4), dtype: storageOf(t.elem), ndim: 1 };
      case 'scalar': return { k: 'gs', addr: alloc(8), dtype: t.dtype };
      case 'array': return { k: 'ga', addr: alloc(4), dtype: t.dtype, ndim: t.ndim };
      case 'str': return { k: 'ga', addr: alloc(4), dtype: 'bool', ndim: 1 };
      case 'tuple': return { k: 't', items: t.elems.map((e) => this.globalSlot(e)) };
      default: return { k: 'none' };
    }
  }

  /** `n` bytes of static memory (zeroed, or `bytes`), 8-aligned; its address. */
  staticBytes(n: number, bytes?: Uint8Array): number {
    this.staticTop = (this.staticTop + 7) & ~7;
    const at = this.staticTop;
    this.staticTop += n;
    if (bytes) this.data.push({ offset: at, bytes });
    return at;
  }

  str(s: string): number {
    let id = this.stringIds.get(s);
    if (id === undefined) { id = this.strings.length; this.strings.push(s); this.stringIds.set(s, id); }
    return id;
  }

  site(code: number, kind: string, span: Span, text?: string): number {
    this.sites.push({ code, kind, span, text });
    return this.sites.length - 1;
  }

  imp(name: string, params: VT[], result: VT | null, module = 'env'): string {
    if (!this.imports.has(name)) this.imports.set(name, { name, module, base: name, params, result });
    return name;
  }

  /** A math function: the native wasm one (mathlib-wasm.ts) when there is one, else the `math.*` JS import. */
  math(name: string): string {
    const native = mathFn(name, 'f64');
    if (native) return this.imp(native.name, native.params, native.result, NATIVE_MATH);
    if (MATH1.includes(name)) return this.imp('math_' + name, ['f64'], 'f64', 'math');
    if (MATH2.includes(name)) return this.imp('math_' + name, ['f64', 'f64'], 'f64', 'math');
    throw new Error('no math function ' + name);
  }

  /** The native float32 form of a math function (computed in f64, rounded once), or null. */
  mathF32(name: string): string | null {
    const native = mathFn(name, 'f32');
    return native && this.imp(native.name, native.params, native.result, NATIVE_MATH);
  }

  line(span: Span): number { return lineCol(this.file, span.start).line; }

  /** An array kernel of kernels.ts with the functions it calls, added once on first use. */
  kernel(name: 'matmul_f64' | 'matmul_f32'): string {
    const fn = '__' + name;
    if (!this.helpers.has(fn)) {
      this.helpers.add(fn);
      this.funcs.push(...matmulFuncs(name === 'matmul_f64' ? 'f64' : 'f32'));
    }
    return fn;
  }

  /** IR-level runtime helpers, added once on first use. */
  /** The min/max (`minmax_<op>_<t>`) or first-index (`first_<t>`) kernel of compiler/kernels.ts, added once. */
  reduceKernel(kind: 'min' | 'max' | 'first', t: RT): string {
    const fn = kind === 'first' ? `__first_${t}` : `__minmax_${kind}_${t}`;
    if (!this.helpers.has(fn)) { this.helpers.add(fn); this.funcs.push(kind === 'first' ? firstFunc(t) : minmaxFunc(kind, t)); }
    return fn;
  }

  helper(name: 'floordiv_i64' | 'mod_i64' | 'ipow_i64' | 'slice' | 'view' | 'floordiv_i32' | 'mod_i32' | 'pairwise_f64' | 'pairwise_f32' | 'psum_f64' | 'psum_f32' | 'psum_dot_f64' | 'psum_dot_f32'): string {
    const fn = '__' + name;
    if (this.helpers.has(fn)) return fn;
    this.helpers.add(fn);
    const p = (n: string, t: VT) => get(n, t);
    const errZero = this.imp('err_zero', ['i32'], null);
    const ret = (...v: Expr[]): Stmt => ({ k: 'return', values: v });
    switch (name) {
      case 'floordiv_i64': case 'floordiv_i32': case 'mod_i64': case 'mod_i32': {
        const t: VT = name.endsWith('64') ? 'i64' : 'i32';
        const isDiv = name.startsWith('floordiv');
        const a = p('a', t), b = p('b', t), zero = cst(t, 0);
        const body: Stmt[] = [
          { k: 'if', cond: bin('eq', t, b, zero), then: [{ k: 'trap', call: call(errZero, null, p('site', 'i32')) }], else: [] },
          // Wasm traps on MIN / -1; Python/NumPy wrap, so handle it first.
          { k: 'if', cond: bin('eq', t, b, cst(t, -1)), then: [ret(isDiv ? bin('sub', t, zero, a) : zero)], else: [] },
          { k: 'set', name: 'q', value: bin('div_s', t, a, b) },
          { k: 'set', name: 'r', value: bin('rem_s', t, a, b) },
          // Python floors: adjust when the remainder is non-zero and the signs differ.
          { k: 'if', cond: bin('and', 'i32', bin('ne', t, p('r', t), zero), bin('lt_s', t, bin('xor', t, p('r', t), b), zero)),
            then: isDiv ? [{ k: 'set', name: 'q', value: bin('sub', t, p('q', t), cst(t, 1)) }] : [{ k: 'set', name: 'r', value: bin('add', t, p('r', t), b) }], else: [] },
          ret(isDiv ? p('q', t) : p('r', t)),
        ];
        this.funcs.push({ name: fn, params: [{ name: 'a', t }, { name: 'b', t }, { name: 'site', t: 'i32' }], results: [t], locals: [{ name: 'q', t }, { name: 'r', t }], body });
        break;
      }
      case 'ipow_i64': {
        const errNeg = this.imp('err_value', ['i32'], null);
        const body: Stmt[] = [
          { k: 'if', cond: bin('lt_s', 'i64', p('e', 'i64'), i64(0)), then: [{ k: 'trap', call: call(errNeg, null, p('site', 'i32')) }], else: [] },
          { k: 'set', name: 'r', value: i64(1) },
          { k: 'while', label: 'L', cond: bin('ne', 'i64', p('e', 'i64'), i64(0)), body: [
            { k: 'if', cond: cvt('i64->i32', bin('and', 'i64', p('e', 'i64'), i64(1))), then: [{ k: 'set', name: 'r', value: bin('mul', 'i64', p('r', 'i64'), p('b', 'i64')) }], else: [] },
            { k: 'set', name: 'b', value: bin('mul', 'i64', p('b', 'i64'), p('b', 'i64')) },
            { k: 'set', name: 'e', value: bin('shr_u', 'i64', p('e', 'i64'), i64(1)) },
          ] },
          ret(p('r', 'i64')),
        ];
        this.funcs.push({ name: fn, params: [{ name: 'b', t: 'i64' }, { name: 'e', t: 'i64' }, { name: 'site', t: 'i32' }], results: ['i64'], locals: [{ name: 'r', t: 'i64' }], body });
        break;
      }
      case 'slice': {
        // Python's slice.indices(n): returns (start, length) for the given bounds; hasLo/hasHi say which were given.
        const errStep = this.imp('err_value', ['i32'], null);
        const n = cvt('i32->i64', p('n', 'i32')), lo = p('lo', 'i64'), hi = p('hi', 'i64'), st = p('st', 'i64');
        const clampPos = (v: Expr, dflt: Expr, loB: Expr, hiB: Expr, has: Expr): Stmt[] => [
          { k: 'set', name: 't', value: v },
          { k: 'if', cond: bin('lt_s', 'i64', get('t', 'i64'), i64(0)), then: [{ k: 'set', name: 't', value: bin('add', 'i64', get('t', 'i64'), n) }], else: [] },
          { k: 'if', cond: bin('lt_s', 'i64', get('t', 'i64'), loB), then: [{ k: 'set', name: 't', value: loB }], else: [] },
          { k: 'if', cond: bin('gt_s', 'i64', get('t', 'i64'), hiB), then: [{ k: 'set', name: 't', value: hiB }], else: [] },
          { k: 'if', cond: un('eqz', 'i32', has), then: [{ k: 'set', name: 't', value: dflt }], else: [] },
        ];
        const body: Stmt[] = [
          { k: 'if', cond: bin('eq', 'i64', st, i64(0)), then: [{ k: 'trap', call: call(errStep, null, p('site', 'i32')) }], else: [] },
          { k: 'if', cond: bin('gt_s', 'i64', st, i64(0)), then: [
            ...clampPos(lo, i64(0), i64(0), n, p('hasLo', 'i32')), { k: 'set', name: 's', value: get('t', 'i64') },
            ...clampPos(hi, n, i64(0), n, p('hasHi', 'i32')), { k: 'set', name: 'e', value: get('t', 'i64') },
            { k: 'set', name: 'len', value: select('i64', bin('gt_s', 'i64', get('e', 'i64'), get('s', 'i64')),
              bin('div_s', 'i64', bin('sub', 'i64', bin('add', 'i64', bin('sub', 'i64', get('e', 'i64'), get('s', 'i64')), st), i64(1)), st), i64(0)) },
          ], else: [
            ...clampPos(lo, bin('sub', 'i64', n, i64(1)), i64(-1), bin('sub', 'i64', n, i64(1)), p('hasLo', 'i32')), { k: 'set', name: 's', value: get('t', 'i64') },
            ...clampPos(hi, i64(-1), i64(-1), bin('sub', 'i64', n, i64(1)), p('hasHi', 'i32')), { k: 'set', name: 'e', value: get('t', 'i64') },
            { k: 'set', name: 'len', value: select('i64', bin('lt_s', 'i64', get('e', 'i64'), get('s', 'i64')),
              bin('div_s', 'i64', bin('add', 'i64', bin('sub', 'i64', get('e', 'i64'), get('s', 'i64')), bin('add', 'i64', st, i64(1))), st), i64(0)) },
          ] },
          ret(cvt('i64->i32', get('s', 'i64')), cvt('i64->i32', get('len', 'i64'))),
        ];
        // For a negative step with an empty result, start may be -1; it is never dereferenced.
        this.funcs.push({
          name: fn,
          params: [{ name: 'n', t: 'i32' }, { name: 'lo', t: 'i64' }, { name: 'hi', t: 'i64' }, { name: 'st', t: 'i64' }, { name: 'hasLo', t: 'i32' }, { name: 'hasHi', t: 'i32' }, { name: 'site', t: 'i32' }],
          results: ['i32', 'i32'], locals: [{ name: 't', t: 'i64' }, { name: 's', t: 'i64' }, { name: 'e', t: 'i64' }, { name: 'len', t: 'i64' }], body,
        });
        break;
      }
      case 'pairwise_f64': case 'pairwise_f32': this.funcs.push(pairwiseFunc(name === 'pairwise_f64' ? 'f64' : 'f32')); break;
      case 'psum_f64': case 'psum_f32': {
        const t = name === 'psum_f64' ? 'f64' : 'f32';
        this.helper(`pairwise_${t}`);
        this.funcs.push(psumFunc(t));
        break;
      }
      case 'psum_dot_f64': case 'psum_dot_f32': {
        const t = name === 'psum_dot_f64' ? 'f64' : 'f32';
        this.funcs.push(pairwiseFunc(t, true), psumFunc(t, true));
        break;
      }
      case 'view': {
        // A new descriptor sharing the data of `of` (which keeps the data's owner alive).
        const malloc = '__malloc';
        const of = p('of', 'i32');
        const owner = select('i32', bin('ne', 'i32', load('i32', 'i32', add32(of, i32(DESC.base))), i32(0)), load('i32', 'i32', add32(of, i32(DESC.base))), of);
        const st = (off: number, v: Expr): Stmt => ({ k: 'store', mem: 'i32', addr: add32(get('v', 'i32'), i32(off)), value: v });
        const body: Stmt[] = [
          { k: 'set', name: 'v', value: call(malloc, 'i32', i32(DESC.SIZE)) },
          { k: 'set', name: 'o', value: owner },
          { k: 'retain', desc: get('o', 'i32') },
          st(DESC.rc, i32(1)), st(DESC.data, p('data', 'i32')), st(DESC.base, get('o', 'i32')), st(DESC.ndim, p('ndim', 'i32')),
          st(DESC.dtype, load('i32', 'i32', add32(of, i32(DESC.dtype)))),
          ret(get('v', 'i32')),
        ];
        this.funcs.push({ name: fn, params: [{ name: 'of', t: 'i32' }, { name: 'data', t: 'i32' }, { name: 'ndim', t: 'i32' }], results: ['i32'], locals: [{ name: 'v', t: 'i32' }, { name: 'o', t: 'i32' }], body });
        break;
      }
    }
    return fn;
  }
}

export class FnLowerer {
  locals = new Map<string, VT>();
  slots = new Map<string, Slot>();
  out: Stmt[] = [];
  temps: { a: ArrRef; moved: boolean }[] = [];
  /** The expression (or statement) being lowered: where an array allocated now reports MemoryError. */
  at: Span | null = null;
  labels: { brk: string; cont: string }[] = [];
  n = 0;
  mod: ModuleLowerer;
  ret: Type;
  arrayLocals: string[] = [];
  /** Functions being inlined into a fused nest, innermost last, with their names' element values. */
  inlined: { inst: FuncInstance; env: Map<string, { e: Expr; dtype: DType }> }[] = [];
  /** Loop variables known to be >= 0 (range loops with a non-negative start and a positive step, never reassigned). */
  nonNeg = new Set<string>();
  /** The variable each slot holds, for the "assigned" flags of definite assignment. */
  slotVar = new Map<Slot, string>();
  /** Reads whose variable may be unassigned depending on how often a loop ran (language/definite.ts): checked at run time. */
  get assigned(): Definite | undefined { return this.mod.cp.definite.get(this.inst.def ? this.inst.def.body : this.mod.cp.top); }

  constructor(mod: ModuleLowerer, readonly inst: FuncInstance) {
    this.mod = mod;
    this.ret = inst.ret ?? { kind: 'none' };
  }

  // ---------------- helpers ----------------
  fresh(prefix: string, t: VT): string {
    const name = `${prefix}%${this.n++}`;
    this.locals.set(name, t);
    return name;
  }
  local(name: string, t: VT): string { this.locals.set(name, t); return name; }
  emit(s: Stmt): void { this.out.push(s); }
  set(name: string, value: Expr): void { this.emit({ k: 'set', name, value }); }
  /** Evaluates e once into a fresh local and returns a get of it (constants and gets are kept as is). */
  tmp(e: Expr, prefix = 't'): Expr {
    if (e.k === 'const' || e.k === 'get') return e;
    const t = exprType(e);
    const n = this.fresh(prefix, t);
    this.set(n, e);
    return get(n, t);
  }
  block(f: () => void): Stmt[] {
    const saved = this.out;
    this.out = [];
    f();
    const r = this.out;
    this.out = saved;
    return r;
  }
  /** The instance whose AST is being lowered: `inst`, or a function inlined into a fused nest. */
  get cur(): FuncInstance { return this.inlined.length ? this.inlined[this.inlined.length - 1].inst : this.inst; }
  type(e: A.Expr): Type {
    const t = this.cur.types.get(e);
    if (!t) throw new Error(`internal: no type for ${e.kind} at ${e.span.start}`);
    return t;
  }
  trap(fn: string, ...args: Expr[]): Stmt { return { k: 'trap', call: call(fn, null, ...args) }; }
  /** Index checks: on unless the program turns them off, or the function's decorator does (`@njit(boundscheck=False)`). */
  get boundsCheck(): boolean { return this.mod.opts.boundsCheck && (this.options.boundscheck ?? true); }
  /** What the function's decorators say (Numba's parallel=, boundscheck=). */
  get options(): FuncOptions { return (this.inst.def && this.mod.cp.options.get(this.inst.def)) || DEFAULT_OPTIONS; }

  // ---------------- functions ----------------
  lower(): I.Func {
    const params: I.Local[] = [];
    const entry: Stmt[] = [];
    for (const p of this.inst.params) {
      const slot = this.slotFor(p.name, p.type);
      this.slots.set(p.name, slot);
      this.flattenParams(slot, params, entry);
    }
    for (const [name, t] of this.inst.locals) if (!this.slots.has(name)) this.slots.set(name, this.slotFor(name, t));
    if (!this.inst.def) for (const [name, slot] of this.mod.globalSlots) this.slots.set(name, slot);
    for (const [name, slot] of this.slots) this.slotVar.set(slot, name);
    const body = this.block(() => {
      for (const s of entry) this.emit(s);
      const stmts = this.inst.def ? this.inst.def.body : this.mod.cp.top;
      this.stmts(stmts);
      if (this.inst.def) {
        this.releaseLocals();
        if (this.ret.kind !== 'none') this.emit({ k: 'return', values: this.zeroValues(this.ret) });
      } else this.releaseLocals();
    });
    const paramNames = new Set(params.map((p) => p.name));
    return {
      name: this.inst.name,
      arrays: [...this.arrayLocals],
      params,
      results: this.inst.def ? this.flatVTs(this.ret) : [],
      locals: [...this.locals].filter(([n]) => !paramNames.has(n)).map(([name, t]) => ({ name, t })),
      body,
    };
  }

  flatVTs(t: Type): VT[] {
    t = asStored(t);
    switch (t.kind) {
      case 'scalar': return [vtOf(t.dtype)];
      case 'array': case 'str': case 'list': return ['i32'];
      case 'tuple': return t.elems.flatMap((e) => this.flatVTs(e));
      default: return [];
    }
  }

  zeroValues(t: Type): Expr[] { return this.flatVTs(t).map((vt) => cst(vt, 0)); }

  flattenParams(slot: Slot, params: I.Local[], entry: Stmt[]): void {
    switch (slot.k) {
      case 's': params.push({ name: slot.name, t: vtOf(slot.dtype) }); break;
      case 'a':
        params.push({ name: slot.name, t: 'i32' });
        // Parameters are borrowed from the caller; the function owns a reference of its own.
        entry.push({ k: 'retain', desc: get(slot.name, 'i32') });
        entry.push(...this.block(() => this.loadShadows(slot)));
        break;
      case 'ld':
        params.push({ name: slot.name, t: 'i32' });
        entry.push({ k: 'retain', desc: get(slot.name, 'i32') });
        break;
      case 't': for (const s of slot.items) this.flattenParams(s, params, entry); break;
      default: break;
    }
  }

  slotFor(name: string, t: Type): Slot {
    if (this.inst.def === null && this.mod.globalSlots.has(name)) return this.mod.globalSlots.get(name)!;
    // A string is an array of its UTF-8 bytes (see lower-strings.ts).
    if (t.kind === 'str') return this.slotFor(name, { kind: 'array', dtype: 'bool', ndim: 1 });
    t = asStored(t);
    switch (t.kind) {
      case 'list': { this.local(name, 'i32'); this.arrayLocals.push(name); return { k: 'ld', name, elem: t.elem }; }
      case 'scalar': return { k: 's', name: this.local(name, vtOf(t.dtype)), dtype: t.dtype };
      case 'array': {
        this.local(name, 'i32');
        this.local(name + '.d', 'i32');
        for (let k = 0; k < t.ndim; k++) { this.local(`${name}.n${k}`, 'i32'); this.local(`${name}.s${k}`, 'i32'); }
        this.arrayLocals.push(name);
        return { k: 'a', name, dtype: t.dtype, ndim: t.ndim };
      }
      case 'tuple': return { k: 't', items: t.elems.map((e, i) => this.slotFor(`${name}.${i}`, e)) };
      case 'team': return { k: 'team', tn: this.local(name + '.tn', 'i64'), nt: this.local(name + '.nt', 'i64') };
      case 'dtype': return { k: 'dt', dtype: t.dtype };
      default: return { k: 'none' };
    }
  }

  loadShadows(slot: Slot & { k: 'a' }): void {
    const d = get(slot.name, 'i32');
    this.set(slot.name + '.d', load('i32', 'i32', add32(d, i32(DESC.data))));
    for (let k = 0; k < slot.ndim; k++) {
      this.set(`${slot.name}.n${k}`, load('i32', 'i32', add32(d, i32(DESC.shape + 4 * k))));
      this.set(`${slot.name}.s${k}`, load('i32', 'i32', add32(d, i32(DESC.strides + 4 * k))));
    }
  }

  slotArr(slot: Slot & { k: 'a' }): ArrRef {
    return {
      desc: get(slot.name, 'i32'), data: get(slot.name + '.d', 'i32'), dtype: slot.dtype, ndim: slot.ndim,
      shape: range(slot.ndim).map((k) => get(`${slot.name}.n${k}`, 'i32')),
      strides: range(slot.ndim).map((k) => get(`${slot.name}.s${k}`, 'i32')),
    };
  }

  /** An ArrRef for a descriptor held in an expression: loads its fields into fresh locals. */
  arrFromDesc(desc: Expr, dtype: DType, ndim: number): ArrRef {
    const d = this.tmp(desc, 'desc');
    const f = (off: number, p: string) => this.tmp(load('i32', 'i32', add32(d, i32(off))), p);
    return {
      desc: d, data: f(DESC.data, 'data'), dtype, ndim,
      shape: range(ndim).map((k) => f(DESC.shape + 4 * k, 'n')),
      strides: range(ndim).map((k) => f(DESC.strides + 4 * k, 's')),
    };
  }

  releaseLocals(except?: Set<string>): void {
    for (const n of this.arrayLocals) if (!except?.has(n)) this.emit({ k: 'release', desc: get(n, 'i32') });
  }

  readSlot(slot: Slot): Val {
    switch (slot.k) {
      case 's': return { k: 's', e: get(slot.name, vtOf(slot.dtype)), dtype: slot.dtype };
      case 'a': return { k: 'a', a: this.slotArr(slot), owned: false };
      case 't': return { k: 't', items: slot.items.map((s) => this.readSlot(s)) };
      case 'gs': return { k: 's', e: load(vtOf(slot.dtype), memOf(slot.dtype) === 'u8' ? 'i32' : memOf(slot.dtype), i32(slot.addr)), dtype: slot.dtype };
      case 'ga': return { k: 'a', a: this.arrFromDesc(load('i32', 'i32', i32(slot.addr)), slot.dtype, slot.ndim), owned: false };
      case 'team': return { k: 'team', tn: get(slot.tn, 'i64'), nt: get(slot.nt, 'i64') };
      case 'dt': return { k: 'dtype', dtype: slot.dtype };
      case 'ld': return { k: 'a', a: this.arrFromDesc(get(slot.name, 'i32'), storageOf(slot.elem), 1), owned: false };
      case 'none': return { k: 'none' };
    }
  }

  /** Stores a value into a variable, taking ownership (moving an owned temp, retaining a borrowed one). */
  writeSlot(slot: Slot, v: Val, span: Span): void {
    const name = this.slotVar.get(slot);
    if (name && this.assigned?.flagged.has(name)) this.set(this.local(`${name}.set`, 'i32'), i32(1));
    switch (slot.k) {
      case 's': this.set(slot.name, this.scalarAs(v, slot.dtype, span)); return;
      case 'gs': this.emit({ k: 'store', mem: memOf(slot.dtype) === 'u8' ? 'i32' : memOf(slot.dtype), addr: i32(slot.addr), value: this.scalarAs(v, slot.dtype, span) }); return;
      case 'a': case 'ga': case 'ld': {
        if (v.k === 'str') v = materialize(this, v, span);
        if (v.k !== 'a') throw new Error('internal: array slot gets non-array');
        const nd = this.take(v);
        const oldName = this.fresh('old', 'i32');
        if (slot.k === 'ld') {
          this.set(oldName, get(slot.name, 'i32'));
          this.set(slot.name, nd);
        } else if (slot.k === 'a') {
          this.set(oldName, get(slot.name, 'i32'));
          this.set(slot.name, nd);
          this.loadShadows(slot);
        } else {
          this.set(oldName, load('i32', 'i32', i32(slot.addr)));
          this.emit({ k: 'store', mem: 'i32', addr: i32(slot.addr), value: nd });
        }
        this.emit({ k: 'release', desc: get(oldName, 'i32') });
        return;
      }
      case 't': {
        if (v.k !== 't') throw new Error('internal: tuple slot gets non-tuple');
        // Evaluate all parts before assigning so `a, b = b, a` swaps.
        const parts = v.items.map((it) => this.snapshot(it));
        slot.items.forEach((s, i) => this.writeSlot(s, parts[i], span));
        return;
      }
      case 'team': if (v.k === 'team') { this.set(slot.tn, v.tn); this.set(slot.nt, v.nt); } return;
      case 'dt': case 'none': return;
    }
  }

  /** Sets an array or list variable's descriptor without reference counting (a comprehension moving its result out). */
  writeSlotRaw(slot: Slot, desc: Expr): void {
    if (slot.k === 'ld' || slot.k === 'a') this.set(slot.name, desc);
    else if (slot.k === 'ga') this.emit({ k: 'store', mem: 'i32', addr: i32(slot.addr), value: desc });
  }

  /** Copies a value into fresh locals, so later assignments cannot change it (`a, b = b, a`). */
  snapshot(v: Val): Val {
    switch (v.k) {
      case 's': { const n = this.fresh('snap', exprType(v.e)); this.set(n, v.e); return { k: 's', e: get(n, exprType(v.e)), dtype: v.dtype }; }
      case 'a': {
        if (v.owned) return v;
        this.emit({ k: 'retain', desc: v.a.desc });
        return this.ownedArray(this.arrFromDesc(get(this.localCopy(v.a.desc), 'i32'), v.a.dtype, v.a.ndim));
      }
      case 't': return { k: 't', items: v.items.map((x) => this.snapshot(x)) };
      default: return v;
    }
  }

  localCopy(e: Expr): string { const n = this.fresh('cp', exprType(e)); this.set(n, e); return n; }

  /** Returns a descriptor expression holding one reference the caller now owns. */
  take(v: Val & { k: 'a' }): Expr {
    if (v.owned) {
      const t = this.temps.find((x) => x.a === v.a);
      if (t) t.moved = true;
      return v.a.desc;
    }
    this.emit({ k: 'retain', desc: v.a.desc });
    return v.a.desc;
  }

  ownedArray(a: ArrRef): Val {
    this.temps.push({ a, moved: false });
    return { k: 'a', a, owned: true };
  }

  releaseTemps(mark: number): void {
    const ts = this.temps.splice(mark);
    for (const t of ts) if (!t.moved) this.emit({ k: 'release', desc: t.a.desc });
  }

  scalarAs(v: Val, d: DType, span: Span): Expr {
    if (v.k !== 's') throw new Error(`internal: expected scalar at ${span.start}, got ${v.k}`);
    return convert(v.e, v.dtype, d);
  }

  // ---------------- statements ----------------
  /** A block's statements; a run of elementwise assignments may fuse into one nest (Note [Statement groups]). */
  stmts(body: A.Stmt[]): void {
    for (let i = 0; i < body.length;) {
      const n = groupLength(this, body, i);
      if (n >= 2 && lowerGroup(this, body.slice(i, i + n) as A.Assign[])) { i += n; continue; }
      this.stmt(body[i++]);
    }
  }

  stmt(s: A.Stmt): void {
    const mark = this.temps.length;
    this.at = s.span;
    this.stmtInner(s);
    this.releaseTemps(mark);
  }

  stmtInner(s: A.Stmt): void {
    switch (s.kind) {
      case 'ExprStmt': {
        const v = this.expr(s.expr);
        if (v.k === 's' && (s.expr.kind === 'Call')) this.emit({ k: 'expr', e: v.e });
        return;
      }
      case 'Assign': {
        if (s.targets.length === 1 && s.targets[0].kind === 'Subscript') return this.assignSubscript(s.targets[0], s.value);
        if (s.targets.length === 1 && s.targets[0].kind === 'Name' && this.assignReusing(s.targets[0], s.value)) return;
        const v = this.expr(s.value);
        for (const t of s.targets) this.assign(t, v, s.value.span);
        return;
      }
      case 'AnnAssign':
        if (s.value) {
          if (s.target.kind === 'Subscript') return this.assignSubscript(s.target, s.value);
          this.assign(s.target, this.expr(s.value), s.value.span);
        }
        return;
      case 'AugAssign': return this.augAssign(s);
      case 'If': {
        const c = this.cond(s.test);
        const then = this.block(() => this.stmts(s.body));
        const els = this.block(() => this.stmts(s.orelse));
        this.emit({ k: 'if', cond: c, then, else: els });
        return;
      }
      case 'While': {
        const label = `while${this.n++}`;
        this.labels.push({ brk: label, cont: label });
        // The condition may allocate (e.g. sum(a) > 0): evaluate it in a block inside the loop.
        const condMark = this.temps.length;
        const pre = this.block(() => {
          const c = this.cond(s.test);
          const cn = this.fresh('cond', 'i32');
          this.set(cn, c);
          this.releaseTemps(condMark);
        });
        const body = this.block(() => this.stmts(s.body));
        this.labels.pop();
        if (pre.length === 1 && pre[0].k === 'set') {
          this.emit({ k: 'while', label, cond: (pre[0] as { value: Expr }).value, body });
        } else {
          const cn = (pre[pre.length - 1] as { k: 'set'; name: string }).name;
          const cnName = pre.find((x) => x.k === 'set' && x.name.startsWith('cond%')) as { name: string } | undefined;
          const condName = cnName?.name ?? cn;
          this.emit({ k: 'while', label, cond: i32(1), body: [...pre, { k: 'if', cond: un('eqz', 'i32', get(condName, 'i32')), then: [{ k: 'break', label }], else: [] }, ...body] });
        }
        return;
      }
      case 'For': return this.forStmt(s);
      case 'Break': this.emit({ k: 'break', label: this.labels[this.labels.length - 1].brk }); return;
      case 'Continue': this.emit({ k: 'continue', label: this.labels[this.labels.length - 1].cont }); return;
      case 'Pass': return;
      case 'Return': {
        const vals: Expr[] = [];
        if (s.value && this.ret.kind !== 'none') {
          const v = this.expr(s.value);
          this.flattenReturn(v, this.ret, vals, s.span);
        } else if (s.value) {
          // `return g()` where g returns nothing: the call still runs.
          const v = this.expr(s.value);
          if (v.k === 's' && s.value.kind === 'Call') this.emit({ k: 'expr', e: v.e });
        }
        const frozen = vals.map((e) => this.tmp(e, 'ret'));
        this.releaseTemps(0);
        this.releaseLocals();
        this.emit({ k: 'return', values: frozen });
        return;
      }
      case 'FunctionDef': return;
      case 'With': return this.withStmt(s);
      case 'Raise': {
        const v = s.exc ? this.expr(s.exc) : { k: 'exc' as const, name: 'RuntimeError', msg: 'No active exception to reraise' };
        if (v.k !== 'exc') return;
        if (v.dyn) return raiseWith(this, v.name, v.dyn, s.span);
        const site = this.mod.site(Code.Raised, v.name, s.span, v.msg);
        this.emit(this.trap(this.mod.imp('err_raise', ['i32'], null), i32(site)));
        return;
      }
      case 'Assert': {
        const c = this.cond(s.test);
        const msg = s.msg && s.msg.kind === 'Str' ? s.msg.value : '';
        const site = this.mod.site(Code.Raised, 'AssertionError', s.span, msg);
        // Python evaluates the message only when the assertion fails.
        const fail = s.msg && s.msg.kind !== 'Str' ? this.block(() => raiseWith(this, 'AssertionError', s.msg!, s.span)) : [this.trap(this.mod.imp('err_raise', ['i32'], null), i32(site))];
        this.emit({ k: 'if', cond: un('eqz', 'i32', c), then: fail, else: [] });
        return;
      }
      case 'Import': case 'ImportFrom': return;
    }
  }

  flattenReturn(v: Val, t: Type, out: Expr[], span: Span): void {
    switch (t.kind) {
      case 'scalar': out.push(this.scalarAs(v, t.dtype, span)); return;
      case 'array': if (v.k === 'a') out.push(this.take(v)); return;
      case 'str': { const m = materialize(this, v, span); if (m.k === 'a') out.push(this.take(m)); return; }
      case 'list': if (v.k === 'a') out.push(this.take(v)); return;
      case 'range': case 'rng': return this.flattenReturn(v, asStored(t), out, span);
      case 'tuple': if (v.k === 't') t.elems.forEach((e, i) => this.flattenReturn(v.items[i], e, out, span)); return;
      default: return;
    }
  }

  assign(t: A.Expr, v: Val, span: Span): void {
    if (t.kind === 'Name') {
      const slot = this.slots.get(t.id);
      if (!slot) throw new Error(`internal: no slot for ${t.id}`);
      this.writeSlot(slot, this.coerceTo(v, this.inst.locals.get(t.id) ?? this.mod.cp.globals.get(t.id)!, span), span);
      return;
    }
    if ((t.kind === 'Tuple' || t.kind === 'List') && v.k === 'a') return unpackArray(this, t, v, span);
    if (t.kind === 'Tuple' || t.kind === 'List') {
      if (v.k !== 't') return;
      const parts = v.items.map((it) => this.snapshot(it));
      t.elts.forEach((x, i) => this.assign(x, parts[i], span));
      return;
    }
    if (t.kind === 'Subscript') {
      if (this.type(t.value).kind === 'list') return listSetItem(this, t, v, span);
      // An element or slice target inside a tuple assignment; the value is already evaluated.
      if (isArrayIndex(this, t)) return assignArrayIndex(this, t, v, false);
      if (isMixedArrayIndex(this, t)) return assignMixed(this, t, v, false);
      const base = this.expr(t.value);
      if (base.k !== 'a') return;
      const dst = this.indexArr(base.a, this.indexParts(this.indices(t)), t.span, true);
      if (dst.k === 's' && v.k === 's') this.emit({ k: 'store', mem: memOf(base.a.dtype), addr: dst.e, value: convert(v.e, v.dtype, base.a.dtype) });
      else if (dst.k === 'a' && v.k === 's') this.fill(dst.a, convert(v.e, v.dtype, dst.a.dtype), span);
      else if (dst.k === 'a' && v.k === 'a') this.copyInto(dst.a, v.a, span);
    }
  }

  /** Converts a value to a variable's (unified) type: scalar promotion, tuple element-wise. */
  coerceTo(v: Val, t: Type, span: Span): Val {
    if (t.kind === 'scalar' && v.k === 's') return { k: 's', e: convert(v.e, v.dtype, t.dtype), dtype: t.dtype };
    if (t.kind === 'tuple' && v.k === 't') return { k: 't', items: v.items.map((x, i) => this.coerceTo(x, t.elems[i], span)) };
    return v;
  }

  cond(e: A.Expr): Expr {
    const v = this.expr(e);
    if (v.k === 'none') return i32(0);
    if (this.type(e).kind === 'str') return v.k === 'str' ? i32(v.text ? 1 : 0) : bin('ne', 'i64', strNumber(this, 'bool', v, e.span), i64(0));
    if (this.type(e).kind === 'list' || this.type(e).kind === 'range') return bin('ne', 'i64', lengthOf(this, v, this.type(e)), i64(0));
    if (v.k !== 's') throw new Error('internal: non-scalar condition');
    return convert(v.e, v.dtype, 'bool');
  }

  augAssign(s: A.AugAssign): void {
    const tt = this.type(s.target);
    if (tt.kind === 'list' && s.op === '+') {
      // `xs += ys` extends xs itself (other names for the list see it), unlike `xs = xs + ys`.
      const ext: A.Call = { kind: 'Call', func: { kind: 'Attribute', value: s.target, attr: 'extend', attrSpan: s.span, span: s.span }, args: [s.value], keywords: [], span: s.span };
      return void listMethod(this, ext, 'extend', s.target);
    }
    if (tt.kind === 'str' || tt.kind === 'list') {
      const op: A.Binary = { kind: 'Binary', op: s.op, left: s.target, right: s.value, span: s.span };
      this.inst.types.set(op, tt);
      return this.assign(s.target, tt.kind === 'str' ? strBinary(this, op) : listBinary(this, op, tt), s.span);
    }
    if (tt.kind === 'array' || s.target.kind === 'Subscript') {
      // In place: a[...] op= value has NumPy's meaning (no rebinding, result cast to a's dtype).
      const target = s.target;
      const synthetic: A.Binary = { kind: 'Binary', op: s.op, left: target, right: s.value, span: s.span };
      const rt = this.binaryResultType(s.op, tt, this.type(s.value));
      this.inst.types.set(synthetic, rt);
      if (target.kind === 'Subscript') {
        // A single element: compute its address once, then load, combine and store.
        const base = this.expr(target.value);
        const index = this.indices(target);
        if (base.k === 'a' && tt.kind === 'scalar' && index.length === base.a.ndim && index.every((x) => x.kind !== 'Slice')) {
          const addr = this.indexArr(base.a, this.indexParts(index), target.span, true) as { e: Expr };
          const d = base.a.dtype;
          const cur: Val = { k: 's', e: load(vtOf(d), memOf(d), addr.e), dtype: d };
          const r = this.binaryScalar(s.op, cur, this.expr(s.value), (rt as { dtype: DType }).dtype, s.span, tt, this.type(s.value)) as { e: Expr; dtype: DType };
          this.emit({ k: 'store', mem: memOf(d), addr: addr.e, value: convert(r.e, r.dtype, d) });
          return;
        }
        return this.assignSubscript(target, synthetic);
      }
      const dst = this.expr(target);
      if (dst.k !== 'a') return;
      this.storeInto(dst.a, synthetic, s.span);
      return;
    }
    const cur = this.expr(s.target);
    const rhs = this.expr(s.value);
    const vt = this.inst.locals.get((s.target as A.Name).id) ?? this.mod.cp.globals.get((s.target as A.Name).id)!;
    const rt = this.binaryResultType(s.op, tt, this.type(s.value));
    const r = this.binaryScalar(s.op, cur, rhs, (rt as { dtype: DType }).dtype, s.span, this.type(s.target), this.type(s.value));
    this.assign(s.target, r, s.span);
    void vt;
  }

  binaryResultType(op: A.BinaryOp, l: Type, r: Type): Type {
    const a = elemOf(l)!, b = elemOf(r)!;
    let p = promote(a, b);
    if (op === '/' && !isFloat(p.dtype)) p = { dtype: 'float64', weak: p.weak };
    else if ((op === '<<' || op === '>>') && !isInt(p.dtype)) p = { dtype: 'int64', weak: p.weak };
    else if (p.dtype === 'bool' && !['&', '|', '^'].includes(op) && !(l.kind === 'array' && r.kind === 'array' && (op === '+' || op === '*'))) p = { dtype: 'int64', weak: p.weak };
    const nd = Math.max(l.kind === 'array' ? l.ndim : 0, r.kind === 'array' ? r.ndim : 0);
    return nd ? { kind: 'array', dtype: p.dtype, ndim: nd } : { kind: 'scalar', dtype: p.dtype, weak: p.weak };
  }

  forStmt(s: A.For): void {
    const target = (s.target as A.Name).id;
    const slot = this.slots.get(target)!;
    const it = s.iter;
    if (it.kind === 'Call') {
      const r = this.inst.calls.get(it);
      if (r?.kind === 'builtin' && ['range', 'prange', 'p.range', 'p.xrange'].includes(r.name)) {
        const args = it.args.map((a) => this.scalarAs(this.expr(a), (this.type(a) as { dtype: DType }).dtype, a.span)).map((e, i) => this.tmp(convert(e, (this.type(it.args[i]) as { dtype: DType }).dtype, 'int64')));
        const [start, stop, step] = args.length === 1 ? [i64(0), args[0], i64(1)] : args.length === 2 ? [args[0], args[1], i64(1)] : [args[0], args[1], args[2]];
        if (args.length === 3) {
          const site = this.mod.site(Code.ValueError, 'range_step', it.span);
          this.emit({ k: 'if', cond: bin('eq', 'i64', step, i64(0)), then: [this.trap(this.mod.imp('err_value', ['i32'], null), i32(site))], else: [] });
        }
        const label = `for${this.n++}`;
        const iv = this.fresh('i', 'i64');
        const isShare = r.name === 'p.range' || r.name === 'p.xrange';
        this.labels.push({ brk: label, cont: isShare ? label + 'c' : label });
        const stepAst = it.args[2];
        const knownNonNeg = (it.args.length === 1 || this.isNonNeg(it.args[0])) && (!stepAst || (stepAst.kind === 'Int' && stepAst.value > 0n)) && !assignedIn(s.body, target);
        const body = this.block(() => {
          this.writeSlot(slot, { k: 's', e: get(iv, 'i64'), dtype: 'int64' }, s.span);
          if (knownNonNeg) this.nonNeg.add(target);
          this.stmts(s.body);
          this.nonNeg.delete(target);
        });
        this.labels.pop();
        if (r.name === 'p.range' || r.name === 'p.xrange') {
          // A team's share of range(start, stop, step): p.range a contiguous block per thread
          // (static), p.xrange every nt-th iteration (cyclic, which balances uneven iterations).
          const team = this.readSlot(this.slots.get(((it.func as A.Attribute).value as A.Name).id)!) as { k: 'team'; tn: Expr; nt: Expr };
          const trip = this.tmp(tripCount(start, stop, step), 'trip');
          const k = this.fresh('k', 'i64');
          const body2 = [{ k: 'set', name: iv, value: bin('add', 'i64', start, bin('mul', 'i64', get(k, 'i64'), step)) } as Stmt, { k: 'block', body } as Stmt];
          const wrapped: Stmt = { k: 'for', label: label + 'c', v: iv + '.once', t: 'i64', start: i64(0), stop: i64(1), step: i64(1), body: body2 };
          this.locals.set(iv + '.once', 'i64');
          if (r.name === 'p.range') {
            const lo = this.tmp(bin('div_s', 'i64', bin('mul', 'i64', trip, team.tn), team.nt));
            const hi = this.tmp(bin('div_s', 'i64', bin('mul', 'i64', trip, bin('add', 'i64', team.tn, i64(1))), team.nt));
            this.emit({ k: 'for', label, v: k, t: 'i64', start: lo, stop: hi, step: i64(1), body: [wrapped] });
          } else {
            // Dynamic share: claim iterations one at a time from this loop's counter (see XRANGE_LOOPS).
            const seq = this.local('xrange%seq', 'i32');
            const counters = this.tmp(load('i32', 'i32', i32(CTRL.xrange)), 'xr');
            const claim: Expr = { k: 'atomic', t: 'i64', mem: 'i64', op: 'add', addr: add32(counters, bin('shl', 'i32', get(seq, 'i32'), i32(3))), value: i64(1) };
            const dynamic: Stmt[] = [
              { k: 'while', label, cond: i32(1), body: [
                { k: 'set', name: k, value: claim },
                { k: 'if', cond: bin('ge_s', 'i64', get(k, 'i64'), trip), then: [{ k: 'break', label }], else: [] },
                wrapped,
              ] },
            ];
            const cyclic: Stmt[] = [{ k: 'for', label, v: k, t: 'i64', start: team.tn, stop: trip, step: team.nt, body: [wrapped] }];
            // One thread (a region nested in parallel code) runs it all, leaving the counters alone.
            const shared = bin('and', 'i32', bin('ne', 'i32', counters, i32(0)), bin('gt_s', 'i64', team.nt, i64(1)));
            this.emit({ k: 'if', cond: bin('and', 'i32', shared, bin('lt_u', 'i32', get(seq, 'i32'), i32(XRANGE_LOOPS))), then: dynamic, else: cyclic });
            this.set(seq, add32(get(seq, 'i32'), i32(1)));
          }
          return;
        }
        if (r.name === 'prange') {
          const info = this.inst.parloops.get(s);
          const kw = new Map(it.keywords.map((k) => [k.name, k.value] as const));
          const sched = kw.get('schedule');
          const intKw = (n: string) => { const e = kw.get(n); return e ? this.tmp(convert(this.scalarAs(this.expr(e), (this.type(e) as { dtype: DType }).dtype, e.span), (this.type(e) as { dtype: DType }).dtype, 'int64')) : null; };
          const useIf = kw.get('use_threads_if');
          this.emit({
            k: 'parfor', label, v: iv, t: 'i64', start, stop, step, body,
            schedule: (sched && sched.kind === 'Str' ? sched.value : 'auto') as I.Schedule,
            chunk: intKw('chunksize'), numThreads: intKw('num_threads'),
            // Numba's @njit without parallel=True runs prange as range: on one thread.
            useIf: !this.options.parallel ? i32(0) : useIf ? this.tmp(this.cond(useIf)) : null,
            reductions: (info?.reductions ?? []).map((rd) => {
              const sl = this.slots.get(rd.name)!;
              const name = sl.k === 's' ? sl.name : rd.name;
              const dt = sl.k === 's' ? sl.dtype : 'float64';
              return { name, t: vtOf(dt), op: ({ '+': 'add', '-': 'add', '*': 'mul', '&': 'and', '|': 'or', '^': 'xor', max: 'max', min: 'min' } as const)[rd.op] };
            }),
            line: this.mod.line(s.span),
          });
        } else {
          this.emit({ k: 'for', label, v: iv, t: 'i64', start, stop, step, body });
        }
        return;
      }
    }
    if (forSequence(this, s)) return;
    // for x in array: iterate over the first axis.
    const arr = this.expr(it);
    if (arr.k === 't') return this.forTuple(s, slot, arr.items);
    if (this.type(it).kind === 'str') return this.forString(s, slot, this.snapshot(materialize(this, arr, it.span)));
    if (arr.k !== 'a') return;
    const a = arr.a;
    const label = `for${this.n++}`;
    const iv = this.fresh('i', 'i32');
    this.labels.push({ brk: label, cont: label });
    const body = this.block(() => {
      const mark = this.temps.length;
      const el = this.indexArr(a, [{ k: 'int', e: cvt('i32->i64', get(iv, 'i32')), span: it.span }], it.span, false);
      this.writeSlot(slot, el, s.span);
      this.releaseTemps(mark);
      this.stmts(s.body);
    });
    this.labels.pop();
    this.emit({ k: 'for', label, v: iv, t: 'i32', start: i32(0), stop: a.shape[0], step: i32(1), body });
  }

  /** for x in (e0, e1, ...): the items (scalars of one dtype, evaluated once, first) by a counted loop. */
  forTuple(s: A.For, slot: Slot, items: Val[]): void {
    // Arrays and strings are picked by descriptor (kept alive by the tuple's evaluation, this statement).
    const arrays = items[0].k !== 's';
    const vals = items.map((v) => {
      const m = materialize(this, v, s.iter.span);
      return m.k === 'a' ? { e: this.tmp(m.a.desc), dtype: 'int32' as DType, a: m.a } : { e: this.tmp((m as { e: Expr }).e), dtype: (m as { dtype: DType }).dtype, a: null };
    });
    const label = `for${this.n++}`;
    const iv = this.fresh('i', 'i32');
    const pick = vals.slice(1).reduce((acc: Expr, v, k) => select(vtOf(v.dtype), bin('eq', 'i32', get(iv, 'i32'), i32(k + 1)), v.e, acc), vals[0].e);
    this.labels.push({ brk: label, cont: label });
    const body = this.block(() => {
      const first = vals[0].a;
      this.writeSlot(slot, arrays && first ? { k: 'a', a: this.arrFromDesc(pick, first.dtype, first.ndim), owned: false } : { k: 's', e: pick, dtype: vals[0].dtype }, s.span);
      this.stmts(s.body);
    });
    this.labels.pop();
    this.emit({ k: 'for', label, v: iv, t: 'i32', start: i32(0), stop: i32(vals.length), step: i32(1), body });
  }

  /** for ch in s: the characters of a string, one by one. */
  forString(s: A.For, slot: Slot, str: Val): void {
    const n = this.tmp(strNumber(this, 'len', str, s.iter.span), 'n');
    const label = `for${this.n++}`;
    const iv = this.fresh('i', 'i64');
    this.labels.push({ brk: label, cont: label });
    const body = this.block(() => {
      const mark = this.temps.length;
      this.writeSlot(slot, strChar(this, str, get(iv, 'i64'), s.iter.span), s.span);
      this.releaseTemps(mark);
      this.stmts(s.body);
    });
    this.labels.pop();
    this.emit({ k: 'for', label, v: iv, t: 'i64', start: i64(0), stop: n, step: i64(1), body });
  }

  /** Whether an index expression is provably non-negative, so it needs no wrap-around. */
  isNonNeg(e: A.Expr): boolean {
    switch (e.kind) {
      case 'Int': return e.value >= 0n;
      case 'Name': return this.nonNeg.has(e.id);
      case 'Binary': return (e.op === '+' || e.op === '*' || e.op === '//' || e.op === '%') && this.isNonNeg(e.left) && this.isNonNeg(e.right);
      case 'Call': return e.func.kind === 'Name' && e.func.id === 'len';
      default: return false;
    }
  }

  withStmt(s: A.With): void {
    if (s.items.length === 0) return this.stmts(s.body);
    const item = s.items[0];
    const ctx = item.context;
    const r = ctx.kind === 'Call' ? this.inst.calls.get(ctx) : undefined;
    if (r?.kind === 'builtin' && r.name === 'parallel') {
      const kw = new Map(ctx.kind === 'Call' ? ctx.keywords.map((k) => [k.name, k.value] as const) : []);
      const nt = kw.get('num_threads');
      const iff = kw.get('if_');
      const tn = this.fresh('tn', 'i64'), ntv = this.fresh('nt', 'i64');
      const numThreads = nt && nt.kind !== 'None' ? this.tmp(convert(this.scalarAs(this.expr(nt), (this.type(nt) as { dtype: DType }).dtype, nt.span), (this.type(nt) as { dtype: DType }).dtype, 'int64')) : null;
      const useIf = iff ? this.tmp(this.cond(iff)) : null;
      if (item.asName) this.writeSlot(this.slots.get(item.asName)!, { k: 'team', tn: get(tn, 'i64'), nt: get(ntv, 'i64') }, s.span);
      const body = this.block(() => {
        // Each thread numbers the p.xrange loops it meets from 0 (see XRANGE_LOOPS).
        this.set(this.local('xrange%seq', 'i32'), i32(0));
        if (item.asName) this.writeSlot(this.slots.get(item.asName)!, { k: 'team', tn: get(tn, 'i64'), nt: get(ntv, 'i64') }, s.span);
        this.stmts(s.body);
      });
      this.emit({ k: 'region', body, numThreads, useIf, threadNum: tn, numThreadsVar: ntv, line: this.mod.line(s.span) });
      return;
    }
    // with p.lock: a critical section for the team.
    this.emit({ k: 'expr', e: call('__team_lock', null) });
    this.stmts(s.body);
    this.emit({ k: 'expr', e: call('__team_unlock', null) });
  }

  // ---------------- subscripts ----------------
  /** A subscript's indices with `...` expanded for the rank of the array it indexes. */
  indices(e: A.Subscript): A.Expr[] {
    const t = this.type(e.value);
    return t.kind === 'array' ? expandEllipsis(e.index, t.ndim) : e.index;
  }

  /** Index entries after evaluation. */
  indexParts(index: A.Expr[]): ({ k: 'int'; e: Expr; span: Span; nonNeg?: boolean } | { k: 'slice'; lo: Expr | null; hi: Expr | null; st: Expr | null; span: Span } | { k: 'new'; span: Span })[] {
    return index.map((ix) => {
      if (ix.kind === 'None') return { k: 'new' as const, span: ix.span };
      if (ix.kind === 'Slice') {
        const part = (p: A.Expr | null) => {
          if (!p || p.kind === 'None') return null;
          const v = this.expr(p);
          return this.tmp(convert(this.scalarAs(v, (this.type(p) as { dtype: DType }).dtype, p.span), (this.type(p) as { dtype: DType }).dtype, 'int64'));
        };
        return { k: 'slice' as const, lo: part(ix.lower), hi: part(ix.upper), st: part(ix.step), span: ix.span };
      }
      const v = this.expr(ix);
      return { k: 'int' as const, e: this.tmp(convert(this.scalarAs(v, (this.type(ix) as { dtype: DType }).dtype, ix.span), (this.type(ix) as { dtype: DType }).dtype, 'int64')), span: ix.span, nonNeg: this.isNonNeg(ix) };
    });
  }

  /** Bounds-checks and wraps a negative index; returns an i32 index local. */
  checkedIndex(idx: Expr, n: Expr, axis: number, desc: Expr, span: Span, knownNonNeg = false): Expr {
    const iv = this.tmp(idx, 'ix');
    const n64 = cvt('i32->i64', n);
    const w = this.fresh('w', 'i64');
    // A constant non-negative index needs no wrap-around.
    const nonNeg = knownNonNeg || (iv.k === 'const' && BigInt(iv.v) >= 0n);
    this.set(w, nonNeg ? iv : select('i64', bin('lt_s', 'i64', iv, i64(0)), bin('add', 'i64', iv, n64), iv));
    if (this.boundsCheck) {
      const site = this.mod.site(Code.IndexError, 'index', span);
      this.emit({ k: 'if', cond: bin('ge_u', 'i64', get(w, 'i64'), n64), then: [this.trap(this.mod.imp('err_index', ['i32', 'i64', 'i32', 'i32'], null), i32(site), iv, i32(axis), desc)], else: [] });
    }
    return this.tmp(cvt('i64->i32', get(w, 'i64')), 'ix');
  }

  /** a[parts]: a scalar element or a view. */
  indexArr(a: ArrRef, parts: ReturnType<FnLowerer['indexParts']>, span: Span, forStore: boolean): Val {
    let off: Expr = i32(0);
    const shape: Expr[] = [], strides: Expr[] = [];
    let k = 0; // the axis of `a` that the next index applies to
    parts.forEach((p) => {
      if (p.k === 'new') { shape.push(i32(1)); strides.push(i32(0)); return; }
      if (p.k === 'int') {
        const ix = this.checkedIndex(p.e, a.shape[k], k, a.desc, p.span, p.nonNeg);
        off = add32(off, mul32(ix, a.strides[k]));
      } else {
        const site = this.mod.site(Code.ValueError, 'slice_step', p.span);
        const s = this.fresh('ss', 'i32'), len = this.fresh('sl', 'i32');
        this.emit({ k: 'setm', names: [s, len], call: call(this.mod.helper('slice'), null, a.shape[k], p.lo ?? i64(0), p.hi ?? i64(0), p.st ?? i64(1), i32(p.lo ? 1 : 0), i32(p.hi ? 1 : 0), i32(site)) });
        const stepE = p.st ? this.tmp(cvt('i64->i32', p.st)) : i32(1);
        off = add32(off, mul32(get(s, 'i32'), a.strides[k]));
        shape.push(get(len, 'i32'));
        strides.push(this.tmp(mul32(a.strides[k], stepE)));
      }
      k++;
    });
    for (; k < a.ndim; k++) { shape.push(a.shape[k]); strides.push(a.strides[k]); }
    const addr = this.tmp(add32(a.data, bin('shl', 'i32', off, i32(log2Size(a.dtype)))), 'addr');
    if (shape.length === 0) {
      if (forStore) return { k: 's', e: addr, dtype: a.dtype };
      return { k: 's', e: load(vtOf(a.dtype), memOf(a.dtype), addr), dtype: a.dtype };
    }
    return this.makeView(a, addr, shape, strides);
  }

  makeView(of: ArrRef, data: Expr, shape: Expr[], strides: Expr[]): Val {
    const v = this.tmp(call(this.mod.helper('view'), 'i32', of.desc, data, i32(shape.length)), 'view');
    const shp: Expr[] = [], str: Expr[] = [];
    shape.forEach((n, k) => {
      const nn = this.tmp(n, 'n'), ss = this.tmp(strides[k], 's');
      this.emit({ k: 'store', mem: 'i32', addr: add32(v, i32(DESC.shape + 4 * k)), value: nn });
      this.emit({ k: 'store', mem: 'i32', addr: add32(v, i32(DESC.strides + 4 * k)), value: ss });
      shp.push(nn); str.push(ss);
    });
    const size = shp.reduce((acc: Expr, n) => mul32(acc, n), i32(1));
    this.emit({ k: 'store', mem: 'i32', addr: add32(v, i32(DESC.size)), value: size });
    return this.ownedArray({ desc: v, data: this.tmp(data), shape: shp, strides: str, dtype: of.dtype, ndim: shape.length });
  }

  assignSubscript(t: A.Subscript, value: A.Expr): void {
    if (this.type(t.value).kind === 'list') return listSetItem(this, t, this.expr(value), value.span);
    if (isArrayIndex(this, t)) return assignArrayIndex(this, t, this.expr(value), this.isFresh(value));
    if (isMixedArrayIndex(this, t)) return assignMixed(this, t, this.expr(value), this.isFresh(value));
    const base = this.expr(t.value);
    if (base.k !== 'a') return;
    const parts = this.indexParts(this.indices(t));
    const ints = parts.filter((p) => p.k === 'int').length;
    if (ints === base.a.ndim && parts.length === base.a.ndim) {
      const addr = this.indexArr(base.a, parts, t.span, true);
      const v = this.expr(value);
      if (addr.k !== 's' || v.k !== 's') return;
      this.emit({ k: 'store', mem: memOf(base.a.dtype), addr: addr.e, value: convert(v.e, v.dtype, base.a.dtype) });
      return;
    }
    const view = this.indexArr(base.a, parts, t.span, true);
    if (view.k !== 'a') return;
    this.storeInto(view.a, value, value.span);
  }

  /** dst[...] = value with broadcasting; value is fused into the store loop when it is elementwise
   * and does not read the array being written (NumPy evaluates the right side first). */
  storeInto(dst: ArrRef, value: A.Expr, span: Span): void {
    const vt = this.type(value);
    if (vt.kind === 'scalar') {
      const v = this.expr(value);
      const e = this.tmp(this.scalarAs(v, vt.dtype, span));
      this.nest(dst.shape, [dst], span, (ptrs) => [{ k: 'store', mem: memOf(dst.dtype), addr: ptrs[0], value: convert(e, vt.dtype, dst.dtype) }], ARRAY_OP);
      return;
    }
    // NumPy evaluates the right side before writing. When a source array may share memory with the
    // destination (same owner) and is not the very same view, that is decided at run time: then the
    // value goes through a temporary; otherwise it is computed straight into the destination.
    if (this.isElementwise(value)) {
      const l = this.leavesOf(value);
      const overlap = [...l.leaves.values()].map((a) => this.mayOverlap(a, dst)).reduce<Expr | null>((acc, c) => (acc ? bin('or', 'i32', acc, c) : c), null);
      if (!overlap) { this.fusedInto(dst, value, span, l); return; }
      const viaTemp = this.block(() => {
        const tmp = this.elementwise(value, span, l) as { a: ArrRef };
        this.copyInto(dst, tmp.a, span);
      });
      const direct = this.block(() => this.fusedInto(dst, value, span, l));
      this.emit({ k: 'if', cond: overlap, then: viaTemp, else: direct });
      return;
    }
    const src = this.expr(value);
    if (src.k !== 'a') return;
    if (this.isFresh(value)) { this.copyInto(dst, src.a, span); return; }
    const viaTemp = this.block(() => {
      const tmp = this.alloc(src.a.dtype, src.a.shape);
      this.copyInto(tmp, src.a, span);
      this.copyInto(dst, tmp, span);
      this.emit({ k: 'release', desc: tmp.desc });
    });
    const direct = this.block(() => this.copyInto(dst, src.a, span));
    this.emit({ k: 'if', cond: this.mayOverlap(src.a, dst), then: viaTemp, else: direct });
  }

  /** Run-time test: a and b view the same buffer and are not the identical view. */
  mayOverlap(a: ArrRef, b: ArrRef): Expr {
    const owner = (d: Expr) => select('i32', bin('ne', 'i32', load('i32', 'i32', add32(d, i32(DESC.base))), i32(0)), load('i32', 'i32', add32(d, i32(DESC.base))), d);
    const same = bin('eq', 'i32', owner(a.desc), owner(b.desc));
    if (a.ndim !== b.ndim) return same;
    let identical: Expr = bin('eq', 'i32', a.data, b.data);
    for (let k = 0; k < a.ndim; k++) identical = bin('and', 'i32', identical, bin('eq', 'i32', a.strides[k], b.strides[k]));
    return bin('and', 'i32', same, un('eqz', 'i32', identical));
  }

  /** Whether an array expression always yields a new array (not a view of an existing one). */
  isFresh(e: A.Expr): boolean {
    if (this.isElementwise(e)) return true;
    if (e.kind === 'Binary' && e.op === '@') return true;
    if (e.kind === 'Call') {
      const r = this.inst.calls.get(e);
      if (r?.kind === 'builtin') return !['transpose', '.transpose', 'reshape', '.reshape', 'ravel', '.ravel'].includes(r.name);
    }
    return false;
  }

  copyInto(dst: ArrRef, src: ArrRef, span: Span): void {
    this.checkBroadcastTo(dst.shape, [src], span, dst);
    this.nest(dst.shape, [dst, src], span, (ptrs) => [{ k: 'store', mem: memOf(dst.dtype), addr: ptrs[0], value: convert(load(vtOf(src.dtype), memOf(src.dtype), ptrs[1]), src.dtype, dst.dtype) }], ARRAY_OP);
  }

  // ---------------- loop nests ----------------
  /**
   * Emits a loop nest over `shape` (row-major). Each operand is broadcast to the shape (aligned
   * right, stride 0 where its extent is 1 or missing); `body` receives the element address of each
   * operand. Addresses advance by adding byte strides, so the innermost loop has no multiplications.
   * With `simd`, the innermost loop also gets a vector form (Note [SIMD loops] in vectorize.ts);
   * with `par`, a big nest runs on the team (Note [Parallel array operations]).
   *
   * Note [Parallel array operations]: a nest of at least PAR_MIN_ELEMS elements whose body cannot
   * fail (no traps, only pure calls) becomes a `parfor`: over the rows of the outermost dimension,
   * or, for one dimension, over chunks of PAR_CHUNK elements (a multiple of every SIMD width, so
   * chunks vectorize like the whole line). Each iteration computes its own start addresses from its
   * index. A reduction nest (`reduce`: integer sums and products, min, max, any, all) is a parfor
   * with those reductions, whose block-ordered fold (Note [Deterministic reductions]) is exact for
   * these operators. Smaller nests keep the serial loop, so they never pay for a fork; above the threshold the
   * parfor's cost model still decides, and inside parallel code the parfor runs serially. When each
   * element of the nest is a whole line of work (`lineCost` elements: an axis reduction), the
   * threshold counts that work, and 1-d chunks hold about PAR_CHUNK elements of it.
   */
  nest(shape: Expr[], operands: ArrRef[], span: Span, body: (ptrs: Expr[], idx: Expr[]) => Stmt[], opts: { par?: boolean; simd?: boolean; reduce?: I.Reduction[]; lineCost?: Expr } = {}): void {
    const R = shape.length;
    if (R === 0) { const ptrs = operands.map((o) => o.data); for (const s of body(ptrs, [])) this.emit(s); return; }
    const bstrides = operands.map((o) => shape.map((_n, k) => {
      const ok = k - (R - o.ndim);
      if (ok < 0) return i32(0);
      const bytes = bin('shl', 'i32', o.strides[ok], i32(log2Size(o.dtype)));
      return this.tmp(select('i32', bin('eq', 'i32', o.shape[ok], i32(1)), i32(0), bytes), 'bs');
    }));
    const ptr = operands.map((o) => range(R + 1).map((k) => (k === 0 ? this.tmp(o.data, 'p') : get(this.fresh('p', 'i32'), 'i32'))));
    const pname = (j: number, k: number) => (ptr[j][k] as { name: string }).name;
    const idx = range(R).map(() => this.fresh('k', 'i32'));
    const inner = cseBody(body(operands.map((_o, j) => ptr[j][R]), idx.map((n) => get(n, 'i32'))), (t) => this.fresh('t', t));
    let vec: { body: VectorBody; lanes: number; pointers: Set<string> } | null = null;
    // Operands whose last extent is the constant 1 (x[:, None]) stay on one element along the innermost loop.
    const still = operands.map((o) => { const n = o.shape[o.ndim - 1]; return n.k === 'const' && Number(n.v) === 1; });
    if (opts.simd) {
      const pointers = new Set(operands.flatMap((_o, j) => (still[j] ? [] : [pname(j, R)])));
      const invariant = new Set(operands.flatMap((_o, j) => (still[j] ? [pname(j, R)] : [])));
      const lane = bodyLane(inner, pointers);
      const vectorMath = (fn: string, l: Lane) => {
        const m = l === 'f64' || l === 'f32' ? /^__m_(\w+)_f(64|32)$/.exec(fn) : null;
        const v = m ? mathVec(m[1], l === 'f64' ? 'f64x2' : 'f32x4') : null;
        return v ? this.mod.imp(v.name, v.params, v.result, NATIVE_MATH) : null;
      };
      const vb = lane && vectorizeBody(inner, { pointers, invariant, variant: new Set(idx), fresh: (t) => this.fresh('v', t), vectorMath }, lane);
      if (lane && vb) vec = { body: vb, lanes: LANES[lane].n, pointers };
    }
    const contig = vec ? this.tmp(operands.map((o, j) => (still[j] ? i32(1) : bin('eq', 'i32', bstrides[j][R - 1], i32(ELEM_SIZE[o.dtype]))))
      .reduce((a, c) => bin('and', 'i32', a, c)), 'contig') : null;
    const setPtrs = (k: number, value: (j: number) => Expr): Stmt[] => operands.map((_o, j) => ({ k: 'set', name: pname(j, k), value: value(j) }));
    const advance = (level: number): Stmt[] => setPtrs(level + 1, (j) => add32(ptr[j][level + 1], bstrides[j][level]));
    // The innermost loop over [lo, hi), its pointers already at element lo: vector part, then the scalar rest.
    const innermost = (lo: Expr, hi: Expr): Stmt[] => {
      const scalar = (from: Expr): Stmt => ({ k: 'for', label: `n${this.n++}`, v: idx[R - 1], t: 'i32', start: from, stop: hi, step: i32(1), body: [...structuredClone(inner), ...advance(R - 1)] });
      if (!vec) return [scalar(lo)];
      const nv = this.fresh('nv', 'i32');
      return [
        { k: 'set', name: nv, value: select('i32', contig!, add32(lo, bin('and', 'i32', bin('sub', 'i32', hi, lo), i32(-vec.lanes))), lo) },
        ...vectorLoop(vec.body, {
          v: idx[R - 1], lo, end: get(nv, 'i32'), lanes: vec.lanes, pointers: vec.pointers, fresh: (t) => this.fresh('v', t), label: () => `v${this.n++}`,
          advance: (k) => setPtrs(R, (j) => (still[j] ? ptr[j][R] : add32(ptr[j][R], i32(ELEM_SIZE[operands[j].dtype] * vec!.lanes * k)))),
        }),
        scalar(get(nv, 'i32')),
      ];
    };
    // The loop over `level` and everything inside it, pointers starting at ptr[.][level].
    const loopAt = (level: number): Stmt[] => {
      const init = setPtrs(level + 1, (j) => ptr[j][level]);
      if (level === R - 1) return [...init, ...innermost(i32(0), shape[level])];
      return [...init, { k: 'for', label: `n${this.n++}`, v: idx[level], t: 'i32', start: i32(0), stop: shape[level], step: i32(1), body: [...loopAt(level + 1), ...advance(level)] }];
    };
    if (!opts.par || !pureBody(inner, false, (fn) => this.mod.teamCalls.has(fn))) { for (const s of loopAt(0)) this.emit(s); return; }
    const total = shape.reduce((acc: Expr, n) => mul32(acc, n), i32(1));
    const cost = opts.lineCost ? this.tmp(select('i32', bin('gt_s', 'i32', opts.lineCost, i32(1)), opts.lineCost, i32(1)), 'lc') : null;
    const work = cost ? bin('mul', 'i64', cvt('i32->i64', total), cvt('i32->i64', cost)) : cvt('i32->i64', total);
    const chunkN = cost ? this.tmp(select('i32', bin('gt_s', 'i32', cost, i32(PAR_CHUNK)), i32(1), bin('div_s', 'i32', i32(PAR_CHUNK), cost)), 'ch') : i32(PAR_CHUNK);
    const line = this.mod.line(span);
    const parfor = (v: string, stop: Expr, body: Stmt[]): Stmt => ({
      k: 'parfor', label: `pn${this.n++}`, v, t: 'i32', start: i32(0), stop, step: i32(1), body,
      schedule: 'static', chunk: null, numThreads: null, useIf: null, reductions: opts.reduce ?? [], line,
    });
    let par: Stmt;
    if (R === 1) {
      const c = this.fresh('c', 'i32'), lo = this.fresh('lo', 'i32'), hi = this.fresh('hi', 'i32');
      const n = this.tmp(shape[0]);
      par = parfor(c, bin('div_s', 'i32', add32(n, bin('sub', 'i32', chunkN, i32(1))), chunkN), [
        { k: 'set', name: lo, value: mul32(get(c, 'i32'), chunkN) },
        { k: 'set', name: hi, value: add32(get(lo, 'i32'), chunkN) },
        { k: 'set', name: hi, value: select('i32', bin('lt_s', 'i32', n, get(hi, 'i32')), n, get(hi, 'i32')) },
        ...setPtrs(1, (j) => add32(ptr[j][0], mul32(get(lo, 'i32'), bstrides[j][0]))),
        ...innermost(get(lo, 'i32'), get(hi, 'i32')),
      ]);
    } else {
      par = parfor(idx[0], shape[0], [...setPtrs(1, (j) => add32(ptr[j][0], mul32(get(idx[0], 'i32'), bstrides[j][0]))), ...loopAt(1)]);
    }
    this.emit({ k: 'if', cond: bin('ge_s', 'i64', work, i64(PAR_MIN_ELEMS)), then: [par], else: loopAt(0) });
  }

  /** Broadcast shape of operands of rank R, with a run-time check that the extents agree. */
  broadcastShape(R: number, ops: ArrRef[], span: Span): Expr[] {
    const shape: Expr[] = [];
    for (let k = 0; k < R; k++) {
      const n = this.fresh('bn', 'i32');
      this.set(n, i32(1));
      for (const o of ops) {
        const ok = k - (R - o.ndim);
        if (ok < 0) continue;
        this.set(n, select('i32', bin('ne', 'i32', o.shape[ok], i32(1)), o.shape[ok], get(n, 'i32')));
      }
      shape.push(get(n, 'i32'));
    }
    this.checkBroadcastTo(shape, ops, span);
    return shape;
  }

  checkBroadcastTo(shape: Expr[], ops: ArrRef[], span: Span, dst?: ArrRef): void {
    const R = shape.length;
    for (const o of ops) {
      if (o.ndim > R) continue;
      let bad: Expr | null = null;
      for (let k = 0; k < o.ndim; k++) {
        const ok = o.shape[k], n = shape[k + R - o.ndim];
        const c = bin('and', 'i32', bin('ne', 'i32', ok, n), bin('ne', 'i32', ok, i32(1)));
        bad = bad ? bin('or', 'i32', bad, c) : c;
      }
      if (!bad) continue;
      const site = this.mod.site(Code.ShapeMismatch, dst ? 'assign_broadcast' : 'broadcast', span);
      const other = (ops.find((x) => x !== o) ?? o);
      const [a, b] = dst ? [o.desc, dst.desc] : ops.indexOf(other) < ops.indexOf(o) ? [other.desc, o.desc] : [o.desc, other.desc];
      this.emit({ k: 'if', cond: bad, then: [this.trap(this.mod.imp('err_shape', ['i32', 'i32', 'i32'], null), i32(site), a, b)], else: [] });
    }
  }

  /** A new C-contiguous array, zero-filled unless `uninit` (the caller then writes every element). */
  alloc(dtype: DType, shape: Expr[], uninit = false): ArrRef {
    const d = this.fresh('arr', 'i32');
    const shp = shape.map((s) => this.tmp(s, 'n'));
    const site = this.at ? this.mod.site(Code.MemoryError, 'alloc', this.at, dtype) : -1;
    this.emit({ k: 'alloc', name: d, ndim: shp.length, dtypeCode: DTYPE_CODE[dtype], elemSize: ELEM_SIZE[dtype], shape: shp, site, ...(uninit ? { uninit } : {}) });
    return { desc: get(d, 'i32'), data: this.tmp(load('i32', 'i32', add32(get(d, 'i32'), i32(DESC.data))), 'data'), dtype, ndim: shp.length, shape: shp, strides: this.contiguousStrides(shp) };
  }

  /** The element strides of a C-contiguous array of this shape. */
  contiguousStrides(shape: Expr[]): Expr[] {
    const strides: Expr[] = [];
    let acc: Expr = i32(1);
    for (let k = shape.length - 1; k >= 0; k--) { strides.unshift(acc); acc = k > 0 ? this.tmp(mul32(acc, shape[k]), 's') : acc; }
    return strides;
  }

  // ---------------- elementwise (fused) ----------------
  isElementwise(e: A.Expr): boolean {
    const t = this.cur.types.get(e);
    if (!t || t.kind !== 'array') return false;
    switch (e.kind) {
      case 'Binary': return e.op !== '@';
      case 'Unary': case 'Compare': return true;
      case 'Call': {
        const r = this.cur.calls.get(e);
        if (r?.kind === 'user' && isVectorized(this, r.inst)) return true;
        if (r?.kind === 'user') return e.keywords.length === 0 && e.args.length === r.inst.params.length && inlineBody(r.inst) !== null;
        if (r?.kind !== 'builtin') return false;
        return isUfunc(r.name) || r.name.startsWith('astype:') || r.name === 'where' || r.name === 'clip' || r.name === '.astype';
      }
      default: return false;
    }
  }

  /** Materializes an elementwise expression into a new array (one fused nest). */
  elementwise(e: A.Expr, span: Span, pre?: Leaves): Val {
    const t = this.type(e) as Type & { kind: 'array' };
    const { leaves, scalars } = pre ?? this.leavesOf(e);
    const shape = this.broadcastShape(t.ndim, [...leaves.values()], span);
    const out = this.alloc(t.dtype, shape, true);
    this.fusedNest([out], [e], { leaves, scalars }, span);
    return this.ownedArray(out);
  }

  /**
   * Note [Buffer reuse]: `x = <elementwise expression>` writes into x's own buffer instead of a new
   * one when, at run time, nothing else can see that buffer (x's descriptor owns its data and holds
   * the only reference: no view, alias, parameter or temporary shares it) and the result has x's
   * shape; x's dtype and rank are the result's statically. Reads of x itself in the expression are
   * then at the element being written, before it is written, as NumPy's `out=x` would do them.
   * Only nests that cannot fail qualify, so x is never left half-written. A program that
   * reassigns big arrays in a loop then touches no fresh memory after the first round: first-touch
   * page faults cost ~20 ns per float64 element here, 20x the work of `v * sqrt(t)`.
   * Returns false (having emitted nothing) when the assignment does not qualify statically.
   */
  assignReusing(target: A.Name, value: A.Expr): boolean {
    if (!this.isElementwise(value)) return false;
    const slot = this.slots.get(target.id);
    const vt = this.type(value), xt = this.inst.locals.get(target.id) ?? this.mod.cp.globals.get(target.id);
    if (!slot || (slot.k !== 'a' && slot.k !== 'ga') || vt.kind !== 'array' || xt?.kind !== 'array' || xt.dtype !== vt.dtype || xt.ndim !== vt.ndim || vt.ndim === 0) return false;
    const span = value.span;
    const mark = this.temps.length;
    const { leaves, scalars } = this.leavesOf(value);
    const shape = this.broadcastShape(vt.ndim, [...leaves.values()], span).map((n) => this.tmp(n, 'n'));
    // The nest is built first, so that its safety is known; it runs once the buffer `d` is chosen.
    const d = this.fresh('out', 'i32');
    const nest = this.block(() => {
      const data = this.tmp(load('i32', 'i32', add32(get(d, 'i32'), i32(DESC.data))), 'data');
      this.fusedNest([{ desc: get(d, 'i32'), data, dtype: vt.dtype, ndim: vt.ndim, shape, strides: this.contiguousStrides(shape) }], [value], { leaves, scalars }, span);
    });
    this.outBuffer(d, slot, vt.dtype, shape, span, pureBody(nest, true));
    for (const x of nest) this.emit(x);
    this.writeSlot(slot, this.ownedArray({ desc: get(d, 'i32'), data: i32(0), dtype: vt.dtype, ndim: vt.ndim, shape, strides: [] }), span);
    this.releaseTemps(mark);
    return true;
  }

  /**
   * Sets `d` to the output buffer of `x = <nest>` (Note [Buffer reuse]): x's own array when `reuse`
   * (the nest cannot fail midway) and, at run time, x's descriptor is the only reference to data it
   * owns and has this shape; else a new uninitialized array, whose MemoryError names `span`.
   */
  outBuffer(d: string, slot: Slot, dtype: DType, shape: Expr[], span: Span, reuse: boolean): void {
    const outer = this.at;
    this.at = span;
    const fresh = this.block(() => this.set(d, this.alloc(dtype, shape, true).desc));
    this.at = outer;
    if (!reuse || (slot.k !== 'a' && slot.k !== 'ga')) { for (const x of fresh) this.emit(x); return; }
    const old = this.tmp(slot.k === 'a' ? get(slot.name, 'i32') : load('i32', 'i32', i32(slot.addr)), 'old');
    const field = (off: number) => load('i32', 'i32', add32(old, i32(off)));
    let same: Expr = bin('and', 'i32', bin('eq', 'i32', field(DESC.rc), i32(1)), bin('eq', 'i32', field(DESC.base), i32(0)));
    shape.forEach((n, k) => { same = bin('and', 'i32', same, bin('eq', 'i32', field(DESC.shape + 4 * k), n)); });
    const reused = this.fresh('reuse', 'i32');
    this.set(reused, i32(0));
    this.emit({ k: 'if', cond: old, then: [{ k: 'set', name: reused, value: same }], else: [] });
    this.emit({ k: 'if', cond: get(reused, 'i32'), then: [{ k: 'set', name: d, value: old }, { k: 'retain', desc: old }], else: fresh });
  }

  leavesOf(e: A.Expr): Leaves {
    const leaves = new Map<A.Expr, ArrRef>();
    const scalars = new Map<A.Expr, { e: Expr; dtype: DType }>();
    this.collectLeaves(e, leaves, scalars);
    return { leaves, scalars };
  }

  fusedInto(dst: ArrRef, e: A.Expr, span: Span, pre?: Leaves): void {
    const l = pre ?? this.leavesOf(e);
    this.checkBroadcastTo(dst.shape, [...l.leaves.values()], span, dst);
    this.fusedNest([dst], [e], l, span);
  }

  /**
   * One loop nest over the shape of dsts[0] computing each es[i] into dsts[i] element by element
   * from their leaves (one expression, or a statement group). Every value of an element is computed
   * before any is stored (Note [Statement groups]).
   */
  fusedNest(dsts: ArrRef[], es: A.Expr[], { leaves, scalars }: Leaves, span: Span): void {
    // One operand per variable, however often the expression names it (its loads are then shared, Note [Body CSE]).
    const ops: ArrRef[] = [];
    const opOf = new Map<A.Expr, number>();
    const byName = new Map<string, number>();
    for (const [k, a] of leaves) {
      let i = k.kind === 'Name' ? byName.get(k.id) : undefined;
      if (i === undefined) { i = ops.length; ops.push(a); if (k.kind === 'Name') byName.set(k.id, i); }
      opOf.set(k, i);
    }
    const m = dsts.length;
    this.nest(dsts[0].shape, [...dsts, ...ops], span, (ptrs) => {
      const ld = new Map<A.Expr, Expr>();
      for (const [k, i] of opOf) { const a = ops[i]; ld.set(k, load(vtOf(a.dtype), memOf(a.dtype), ptrs[i + m])); }
      return this.block(() => {
        const values = es.map((e, i) => {
          const v = this.elemExpr(e, ld, scalars);
          const x = convert(v.e, v.dtype, dsts[i].dtype);
          return m === 1 ? x : this.tmp(x, 'g');
        });
        values.forEach((value, i) => this.emit({ k: 'store', mem: memOf(dsts[i].dtype), addr: ptrs[i], value }));
      });
    }, ARRAY_OP);
  }

  collectLeaves(e: A.Expr, leaves: Map<A.Expr, ArrRef>, scalars: Map<A.Expr, { e: Expr; dtype: DType }>): void {
    const t = this.type(e);
    if (t.kind === 'scalar') {
      const v = this.expr(e);
      if (v.k === 's') scalars.set(e, { e: this.tmp(v.e), dtype: v.dtype });
      return;
    }
    if (this.isElementwise(e)) {
      for (const c of elemChildren(e, this.cur.calls.get(e as A.Call))) this.collectLeaves(c, leaves, scalars);
      return;
    }
    const v = this.expr(e);
    if (v.k === 'a') leaves.set(e, v.a);
  }

  /** The value of one element of an elementwise expression, given its leaves' element loads. */
  elemExpr(e: A.Expr, ld: Map<A.Expr, Expr>, sc: Map<A.Expr, { e: Expr; dtype: DType }>): { e: Expr; dtype: DType } {
    const leaf = ld.get(e);
    if (leaf) { const t = this.type(e) as { dtype: DType }; return { e: leaf, dtype: t.dtype }; }
    const s = sc.get(e);
    if (s) return s;
    const t = this.type(e) as { dtype: DType; kind: string };
    const sub = (x: A.Expr) => this.elemExpr(x, ld, sc);
    const asVal = (x: { e: Expr; dtype: DType }): Val => ({ k: 's', e: x.e, dtype: x.dtype });
    const frame = this.inlined[this.inlined.length - 1];
    switch (e.kind) {
      // Inside an inlined function: its parameters and locals, and its literals.
      case 'Name': { const v = frame?.env.get(e.id); if (v) return v; break; }
      case 'Int': case 'Float': case 'Bool': if (frame) return this.expr(e) as { e: Expr; dtype: DType }; break;
      case 'Binary': {
        const p = e.op === '**' && isFloat(t.dtype) ? literalValue(e.right) : null;
        if (p === 2 || p === 0.5 || p === -1 || p === 1) {
          // NumPy's fast paths for an array to these powers: square, sqrt, reciprocal, copy.
          const x = this.tmp(convert(sub(e.left).e, (this.type(e.left) as { dtype: DType }).dtype, t.dtype));
          const vt = vtOf(t.dtype);
          return { e: p === 2 ? bin('mul', vt, x, x) : p === 0.5 ? un('sqrt', vt, x) : p === -1 ? bin('div', vt, cst(vt, 1), x) : x, dtype: t.dtype };
        }
        const r = this.binaryScalar(e.op, asVal(sub(e.left)), asVal(sub(e.right)), t.dtype, e.span, this.type(e.left), this.type(e.right));
        return { e: (r as { e: Expr }).e, dtype: t.dtype };
      }
      case 'Unary': return this.unaryScalar(e, asVal(sub(e.operand)), t.dtype) as { e: Expr; dtype: DType };
      case 'Compare': {
        const a = sub(e.left), b = sub(e.comparators[0]);
        return { e: this.compareScalar(e.ops[0] as '<', a, b, this.type(e.left), this.type(e.comparators[0])), dtype: 'bool' };
      }
      case 'Call': {
        const r = this.cur.calls.get(e)!;
        if (r.kind === 'user' && isVectorized(this, r.inst)) return vectorizedElem(this, r.inst, e.args.map((x) => sub(x)), t.dtype);
        if (r.kind === 'user') return this.inlineElem(r.inst, e.args.map((x) => sub(x)), ld, sc);
        if (r.kind !== 'builtin') break;
        if (r.name === '.astype') { const x = sub((e.func as A.Attribute).value); return { e: convert(x.e, x.dtype, t.dtype), dtype: t.dtype }; }
        const args = ufuncArgs(e).map((x) => asVal(sub(x)));
        return this.builtinScalar(r.name, args, t.dtype, e) as { e: Expr; dtype: DType };
      }
      default: break;
    }
    throw new Error(`internal: not elementwise: ${e.kind}`);
  }

  /**
   * One element of a call of an inlinable function (see Note [Inlined functions]): the arguments'
   * element values bind its parameters, each assignment of its body becomes a scalar temporary,
   * and its return expression is the value.
   */
  inlineElem(f: FuncInstance, args: { e: Expr; dtype: DType }[], ld: Map<A.Expr, Expr>, sc: Map<A.Expr, { e: Expr; dtype: DType }>): { e: Expr; dtype: DType } {
    const body = inlineBody(f)!;
    const env = new Map<string, { e: Expr; dtype: DType }>();
    f.params.forEach((p, i) => env.set(p.name, { e: this.tmp(args[i].e), dtype: args[i].dtype }));
    this.inlined.push({ inst: f, env });
    try {
      for (const st of body.assigns) {
        const v = this.elemExpr(st.value, ld, sc);
        const d = (this.type(st.value) as { dtype: DType }).dtype;
        env.set((st.targets[0] as A.Name).id, { e: this.tmp(convert(v.e, v.dtype, d)), dtype: d });
      }
      const r = this.elemExpr(body.ret, ld, sc);
      return { e: r.e, dtype: r.dtype };
    } finally {
      this.inlined.pop();
    }
  }

  // ---------------- scalar operations (shared by scalar code and fused nests) ----------------
  binaryScalar(op: A.BinaryOp, l: Val, r: Val, rdt: DType, span: Span, lt: Type, rt: Type): Val {
    if (l.k !== 's' || r.k !== 's') throw new Error('internal: binaryScalar');
    // Operate in the promoted dtype; `/` converts ints to float first.
    const p = promote(elemOf(lt)!, elemOf(rt)!).dtype;
    let cd: DType = op === '/' ? rdt : ['<<', '>>'].includes(op) ? rdt : p === 'bool' && !['&', '|', '^'].includes(op) ? rdt : p;
    if (op !== '/' && rdt !== cd && !(op === '&' || op === '|' || op === '^')) cd = rdt;
    const a = convert(l.e, l.dtype, cd), b = convert(r.e, r.dtype, cd);
    const t = vtOf(cd);
    const isF = isFloat(cd);
    const v = (e: Expr): Val => ({ k: 's', e, dtype: rdt });
    switch (op) {
      case '+': return v(cd === 'bool' ? bin('or', 'i32', a, b) : bin('add', t, a, b));
      case '-': return v(bin('sub', t, a, b));
      case '*': return v(cd === 'bool' ? bin('and', 'i32', a, b) : bin('mul', t, a, b));
      case '/': return v(bin('div', t, a, b));
      case '//': case '%': {
        if (isF) {
          const f = this.mod.math(op === '//' ? 'pyfloordiv' : 'pymod');
          const r2 = cd === 'float32' ? cvt('f64->f32', call(f, 'f64', cvt('f32->f64', a), cvt('f32->f64', b))) : call(f, 'f64', a, b);
          return v(r2);
        }
        const site = this.mod.site(Code.ZeroDivision, op === '//' ? 'floordiv' : 'mod', span);
        const h = this.mod.helper(op === '//' ? (t === 'i64' ? 'floordiv_i64' : 'floordiv_i32') : (t === 'i64' ? 'mod_i64' : 'mod_i32'));
        return v(call(h, t, a, b, i32(site)));
      }
      case '**': {
        if (isF) {
          const f = this.mod.math('pow');
          return v(cd === 'float32' ? cvt('f64->f32', call(f, 'f64', cvt('f32->f64', a), cvt('f32->f64', b))) : call(f, 'f64', a, b));
        }
        const site = this.mod.site(Code.ValueError, 'negative_power', span);
        const r64 = call(this.mod.helper('ipow_i64'), 'i64', convert(a, cd, 'int64'), convert(b, cd, 'int64'), i32(site));
        return v(convert(r64, 'int64', cd));
      }
      case '&': return v(bin('and', t, a, b));
      case '|': return v(bin('or', t, a, b));
      case '^': return v(bin('xor', t, a, b));
      case '<<': return v(bin('shl', t, a, b));
      case '>>': return v(bin('shr_s', t, a, b));
      case '@': return v(bin('mul', t, a, b));
    }
  }


  compareScalar(op: '<' | '<=' | '>' | '>=' | '==' | '!=', a: { e: Expr; dtype: DType }, b: { e: Expr; dtype: DType }, lt: Type, rt: Type): Expr {
    const p = promote(elemOf(lt)!, elemOf(rt)!).dtype;
    const cd: DType = p === 'bool' ? 'int32' : p;
    const t = vtOf(cd);
    return bin(cmpOp(op, t), t, convert(a.e, a.dtype, cd), convert(b.e, b.dtype, cd));
  }

  unaryScalar(e: A.Unary, v: Val, rdt: DType): Val {
    if (v.k !== 's') throw new Error('internal: unaryScalar');
    const x = convert(v.e, v.dtype, rdt);
    const t = vtOf(rdt);
    switch (e.op) {
      case '-': return { k: 's', e: isFloat(rdt) ? un('neg', t, x) : bin('sub', t, cst(t, 0), x), dtype: rdt };
      case '+': return { k: 's', e: x, dtype: rdt };
      case 'not': return { k: 's', e: un('eqz', 'i32', convert(v.e, v.dtype, 'bool')), dtype: 'bool' };
      case '~': return { k: 's', e: rdt === 'bool' ? bin('xor', 'i32', x, i32(1)) : bin('xor', t, x, cst(t, -1)), dtype: rdt };
    }
  }

  /** Scalar meaning of a builtin ufunc; args are already-evaluated scalars. */
  builtinScalar(name: string, args: Val[], rdt: DType, e: A.Call): Val {
    const s = (x: Val) => x as { k: 's'; e: Expr; dtype: DType };
    const out = (x: Expr, d = rdt): Val => ({ k: 's', e: x, dtype: d });
    const t = vtOf(rdt);
    const mathF = (fname: string, x: Expr, d: DType) => {
      const f32 = d === 'float32' ? this.mod.mathF32(fname) : null;
      if (f32) return call(f32, 'f32', x);
      const f = this.mod.math(fname);
      return d === 'float32' ? cvt('f64->f32', call(f, 'f64', cvt('f32->f64', x))) : call(f, 'f64', x);
    };
    if (name.startsWith('astype:')) return out(convert(s(args[0]).e, s(args[0]).dtype, rdt));
    const a0 = args[0] ? s(args[0]) : null;
    switch (name) {
      case 'abs': case 'fabs': {
        const x = this.tmp(convert(a0!.e, a0!.dtype, rdt));
        if (isFloat(rdt)) return out(un('abs', t, x));
        if (rdt === 'bool') return out(x);
        return out(select(t, bin('lt_s', t, x, cst(t, 0)), bin('sub', t, cst(t, 0), x), x));
      }
      case 'sqrt': return out(un('sqrt', t, convert(a0!.e, a0!.dtype, rdt)));
      case 'floor': case 'ceil': case 'trunc': case 'round': case 'rint': {
        const x = convert(a0!.e, a0!.dtype, rdt);
        if (name === 'round' && args[1]) return out(roundDecimals(this, x, s(args[1]), rdt));
        if (!isFloat(rdt)) return out(x);
        return out(un(name === 'round' || name === 'rint' ? 'nearest' : name, t, x));
      }
      case 'square': { const x = this.tmp(convert(a0!.e, a0!.dtype, rdt)); return out(bin('mul', t, x, x)); }
      case 'radians': case 'deg2rad': case 'degrees': case 'rad2deg': {
        // NumPy's npy_deg2rad / npy_rad2deg (and CPython's math.radians): x times pi/180 or 180/pi, that constant computed in the dtype.
        const pi = rdt === 'float32' ? Math.fround(Math.PI) : Math.PI;
        const k = name === 'radians' || name === 'deg2rad' ? pi / 180 : 180 / pi;
        return out(bin('mul', t, convert(a0!.e, a0!.dtype, rdt), cst(t, rdt === 'float32' ? Math.fround(k) : k)));
      }
      case 'negative': { const x = convert(a0!.e, a0!.dtype, rdt); return out(isFloat(rdt) ? un('neg', t, x) : bin('sub', t, cst(t, 0), x)); }
      case 'sign': {
        const x = this.tmp(convert(a0!.e, a0!.dtype, rdt));
        const z = cst(t, 0), one = cst(t, 1), m1 = cst(t, -1);
        const gt = bin(isFloat(rdt) ? 'gt' : 'gt_s', t, x, z), lt = bin(isFloat(rdt) ? 'lt' : 'lt_s', t, x, z);
        // NaN stays NaN; x + 0.0 turns -0.0 into 0.0, as NumPy's sign does.
        return out(select(t, gt, one, select(t, lt, m1, isFloat(rdt) ? bin('add', t, x, z) : x)));
      }
      case 'isnan': { const d = a0!.dtype; if (!isFloat(d)) return out(i32(0), 'bool'); const x = this.tmp(a0!.e); return out(bin('ne', vtOf(d), x, x), 'bool'); }
      case 'isinf': { const d = a0!.dtype; if (!isFloat(d)) return out(i32(0), 'bool'); return out(bin('eq', vtOf(d), un('abs', vtOf(d), a0!.e), cst(vtOf(d), Infinity)), 'bool'); }
      case 'isfinite': { const d = a0!.dtype; if (!isFloat(d)) return out(i32(1), 'bool'); return out(bin('lt', vtOf(d), un('abs', vtOf(d), a0!.e), cst(vtOf(d), Infinity)), 'bool'); }
      case 'isclose': return out(isCloseElem(this, e, args), 'bool');
      case 'maximum': case 'minimum': case 'max2': case 'min2': {
        const a = this.tmp(convert(s(args[0]).e, s(args[0]).dtype, rdt)), b = this.tmp(convert(s(args[1]).e, s(args[1]).dtype, rdt));
        const isMax = name === 'maximum' || name === 'max2';
        if (isFloat(rdt) && (name === 'maximum' || name === 'minimum')) return out(bin(isMax ? 'max' : 'min', t, a, b));
        // Python's max(a, b): a unless b is strictly greater (NaN-free semantics of builtins.max).
        const c = rdt === 'bool' ? bin(isMax ? 'gt_s' : 'lt_s', 'i32', b, a) : bin(isFloat(rdt) ? (isMax ? 'gt' : 'lt') : (isMax ? 'gt_s' : 'lt_s'), t, b, a);
        return out(select(t, c, b, a));
      }
      case 'arctan2': case 'hypot': case 'power': case 'fmod': case 'copysign': {
        if (name === 'power') return this.binaryScalar('**', args[0], args[1], rdt, e.span, this.type(e.args[0]), this.type(e.args[1]));
        const a = convert(s(args[0]).e, s(args[0]).dtype, rdt), b = convert(s(args[1]).e, s(args[1]).dtype, rdt);
        if (name === 'copysign') return out(bin('copysign', t, a, b));
        const f = this.mod.math(name === 'arctan2' ? 'atan2' : name);
        if (!isFloat(rdt)) {
          // fmod on ints: C remainder (truncating), as NumPy.
          const site = this.mod.site(Code.ZeroDivision, 'mod', e.span);
          const bb = this.tmp(b);
          this.emit({ k: 'if', cond: bin('eq', t, bb, cst(t, 0)), then: [this.trap(this.mod.imp('err_zero', ['i32'], null), i32(site))], else: [] });
          return out(bin('rem_s', t, a, bb));
        }
        return out(rdt === 'float32' ? cvt('f64->f32', call(f, 'f64', cvt('f32->f64', a), cvt('f32->f64', b))) : call(f, 'f64', a, b));
      }
      case 'where': {
        const c = convert(s(args[0]).e, s(args[0]).dtype, 'bool');
        const a = convert(s(args[1]).e, s(args[1]).dtype, rdt), b = convert(s(args[2]).e, s(args[2]).dtype, rdt);
        return out(select(t, c, a, b));
      }
      case 'clip': {
        const x = this.tmp(convert(s(args[0]).e, s(args[0]).dtype, rdt));
        const lo = this.tmp(convert(s(args[1]).e, s(args[1]).dtype, rdt)), hi = this.tmp(convert(s(args[2]).e, s(args[2]).dtype, rdt));
        // The bound first: a tie (0.0 against -0.0) keeps x, and a NaN bound wins, as NumPy's clip.
        if (isFloat(rdt)) return out(bin('min', t, hi, bin('max', t, lo, x)));
        const m = select(t, bin('lt_s', t, x, lo), lo, x);
        const mm = this.tmp(m);
        return out(select(t, bin('gt_s', t, mm, hi), hi, mm));
      }
    }
    const mf = UFUNC_MATH[name];
    if (mf) return out(mathF(mf, convert(a0!.e, a0!.dtype, rdt), rdt));
    throw new Error(`internal: no scalar builtin ${name}`);
  }

  // ---------------- expressions ----------------
  expr(e: A.Expr): Val {
    const outer = this.at;
    this.at = e.span;
    try { return this.exprAt(e); } finally { this.at = outer; }
  }

  private exprAt(e: A.Expr): Val {
    const t = this.type(e);
    if (t.kind === 'array' && this.isElementwise(e)) return this.elementwise(e, e.span);
    switch (e.kind) {
      case 'Int': return { k: 's', e: i64(e.value), dtype: 'int64' };
      case 'Float': return { k: 's', e: f64(e.value), dtype: 'float64' };
      case 'Bool': return { k: 's', e: i32(e.value ? 1 : 0), dtype: 'bool' };
      case 'Str': return { k: 'str', text: e.value };
      case 'JoinedStr': return joinedStr(this, e);
      case 'None': return { k: 'none' };
      case 'Name': return this.name(e, t);
      case 'Unary': return this.unaryScalar(e, this.expr(e.operand), (t as { dtype: DType }).dtype);
      case 'Binary': {
        if (e.op === '@') return this.matmul(this.expr(e.left), this.expr(e.right), t, e.span);
        if (t.kind === 'str') return strBinary(this, e);
        if (t.kind === 'list') return listBinary(this, e, t);
        const l = this.expr(e.left);
        const r = this.expr(e.right);
        return this.binaryScalar(e.op, l, r, (t as { dtype: DType }).dtype, e.span, this.type(e.left), this.type(e.right));
      }
      case 'Compare': return this.compare(e);
      case 'BoolOp': {
        if (t.kind === 'str') return this.strBoolOp(e);
        // Short-circuit: evaluate into a local inside nested ifs.
        const rt = t as { dtype: DType };
        const res = this.fresh('bo', vtOf(rt.dtype));
        const go = (i: number): Stmt[] => this.block(() => {
          const v = this.expr(e.values[i]);
          const x = this.scalarAs(v, rt.dtype, e.span);
          this.set(res, x);
          if (i + 1 < e.values.length) {
            const truthy = convert(get(res, vtOf(rt.dtype)), rt.dtype, 'bool');
            const rest = go(i + 1);
            this.emit({ k: 'if', cond: e.op === 'and' ? truthy : un('eqz', 'i32', truthy), then: rest, else: [] });
          }
        });
        for (const s of go(0)) this.emit(s);
        return { k: 's', e: get(res, vtOf(rt.dtype)), dtype: rt.dtype };
      }
      case 'IfExp': {
        const c = this.cond(e.test);
        if (t.kind === 'scalar') {
          const res = this.fresh('ife', vtOf(t.dtype));
          const a = this.block(() => this.set(res, this.scalarAs(this.expr(e.body), t.dtype, e.span)));
          const b = this.block(() => this.set(res, this.scalarAs(this.expr(e.orelse), t.dtype, e.span)));
          this.emit({ k: 'if', cond: c, then: a, else: b });
          return { k: 's', e: get(res, vtOf(t.dtype)), dtype: t.dtype };
        }
        if (t.kind === 'array' || t.kind === 'str') {
          const res = this.fresh('ifa', 'i32');
          const branch = (x: A.Expr) => this.block(() => { const v = materialize(this, this.expr(x), x.span); if (v.k === 'a') this.set(res, this.take(v)); });
          this.emit({ k: 'if', cond: c, then: branch(e.body), else: branch(e.orelse) });
          return t.kind === 'str' ? this.ownedArray(this.arrFromDesc(get(res, 'i32'), 'bool', 1)) : this.ownedArray(this.arrFromDesc(get(res, 'i32'), t.dtype, t.ndim));
        }
        throw new Error('internal: unsupported conditional expression type');
      }
      case 'Call': return this.callExpr(e, t);
      case 'Attribute': return this.attribute(e, t);
      case 'Subscript': {
        if (this.type(e.value).kind === 'builtin') return gridValue(this, e);
        if (this.type(e.value).kind === 'str') return strIndex(this, e);
        if (this.type(e.value).kind === 'list' || this.type(e.value).kind === 'range') return listIndex(this, e);
        if (isArrayIndex(this, e)) return gather(this, e);
        if (isMixedArrayIndex(this, e)) return gatherMixed(this, e);
        const base = this.expr(e.value);
        if (base.k === 't') {
          const picked = tupleSlice(e.index[0], base.items.length);
          if (picked) return { k: 't', items: picked.map((i) => base.items[i]) };
          const ix = e.index[0] as A.IntLit;
          let i = Number(ix.value);
          if (i < 0) i += base.items.length;
          return base.items[i];
        }
        if (base.k !== 'a') throw new Error('internal: subscript of non-array');
        return this.indexArr(base.a, this.indexParts(this.indices(e)), e.span, false);
      }
      case 'Tuple': return { k: 't', items: e.elts.map((x) => this.expr(x)) };
      case 'List': return listLiteral(this, e, t);
      case 'ListComp': return listComp(this, e);
      default: throw new Error(`internal: cannot lower ${e.kind}`);
    }
  }

  /** `a or b` of strings: the first true one (or the last), evaluating no further. */
  strBoolOp(e: A.BoolOp): Val {
    const res = this.fresh('bos', 'i32');
    const str = () => ({ k: 'a' as const, a: this.arrFromDesc(get(res, 'i32'), 'bool', 1), owned: false });
    const go = (i: number): Stmt[] => this.block(() => {
      const mark = this.temps.length;
      const v = materialize(this, this.expr(e.values[i]), e.values[i].span);
      if (v.k === 'a') this.set(res, this.take(v));
      this.releaseTemps(mark);
      if (i + 1 === e.values.length) return;
      const truthy = bin('ne', 'i64', strNumber(this, 'bool', str(), e.span), i64(0));
      this.emit({ k: 'if', cond: e.op === 'and' ? truthy : un('eqz', 'i32', truthy), then: [{ k: 'release', desc: get(res, 'i32') }, ...go(i + 1)], else: [] });
    });
    for (const s of go(0)) this.emit(s);
    return this.ownedArray(this.arrFromDesc(get(res, 'i32'), 'bool', 1));
  }

  name(e: A.Name, t: Type): Val {
    if (!this.inlined.length && this.assigned?.checked.has(e)) {
      // Python's errors for a variable a loop may have left unassigned.
      const site = this.inst.def
        ? this.mod.site(Code.UndefinedName, 'UnboundLocalError', e.span, `cannot access local variable '${e.id}' where it is not associated with a value`)
        : this.mod.site(Code.UndefinedName, 'NameError', e.span, `name '${e.id}' is not defined`);
      this.emit({ k: 'if', cond: un('eqz', 'i32', get(this.local(`${e.id}.set`, 'i32'), 'i32')), then: [this.trap(this.mod.imp('err_raise', ['i32'], null), i32(site))], else: [] });
    }
    const slot = this.slots.get(e.id) ?? (this.inst.globalsUsed.has(e.id) ? this.mod.globalSlots.get(e.id) : undefined);
    if (slot) return this.readSlot(slot);
    switch (t.kind) {
      case 'scalar': {
        const c: Record<string, number> = { pi: Math.PI, e: Math.E, inf: Infinity, nan: NaN };
        return { k: 's', e: f64(c[e.id]), dtype: 'float64' };
      }
      case 'dtype': return { k: 'dtype', dtype: t.dtype };
      // A Par program is always the script being run.
      case 'str': if (e.id === '__name__') return { k: 'str', text: '__main__' }; return { k: 'none' };
      default: return { k: 'none' };
    }
  }

  attribute(e: A.Attribute, t: Type): Val {
    const bt = this.type(e.value);
    if (bt.kind === 'module') {
      if (t.kind === 'scalar') return { k: 's', e: f64(({ pi: Math.PI, e: Math.E, inf: Infinity, nan: NaN } as Record<string, number>)[e.attr]), dtype: 'float64' };
      if (t.kind === 'dtype') return { k: 'dtype', dtype: t.dtype };
      return { k: 'none' };
    }
    const base = this.expr(e.value);
    if (base.k === 'team') {
      if (e.attr === 'thread_num') return { k: 's', e: base.tn, dtype: 'int64' };
      if (e.attr === 'num_threads') return { k: 's', e: base.nt, dtype: 'int64' };
      return { k: 'none' };
    }
    if (base.k === 'a') {
      const a = base.a;
      const size = () => cvt('i32->i64', a.shape.reduce((acc: Expr, n) => mul32(acc, n), i32(1)));
      switch (e.attr) {
        case 'shape': return { k: 't', items: a.shape.map((n) => ({ k: 's', e: cvt('i32->i64', n), dtype: 'int64' as DType })) };
        case 'ndim': return { k: 's', e: i64(a.ndim), dtype: 'int64' };
        case 'size': return { k: 's', e: size(), dtype: 'int64' };
        case 'itemsize': return { k: 's', e: i64(ELEM_SIZE[a.dtype]), dtype: 'int64' };
        case 'nbytes': return { k: 's', e: bin('mul', 'i64', size(), i64(ELEM_SIZE[a.dtype])), dtype: 'int64' };
        case 'dtype': return { k: 'dtype', dtype: a.dtype };
        case 'T': return this.transpose(a);
        // a.flat reads the elements in C order: a view when a is C-contiguous, else a copy (docs/language.md §13).
        case 'flat': return this.reshape({ kind: 'Call', func: e, args: [], keywords: [], span: e.span }, [e.value], 'ravel', t, base);
      }
    }
    if (base.k === 'dtype') {
      switch (e.attr) {
        case 'name': return { k: 'str', text: base.dtype };
        case 'kind': return { k: 'str', text: { bool: 'b', int32: 'i', int64: 'i', float32: 'f', float64: 'f' }[base.dtype] };
        case 'char': return { k: 'str', text: { bool: '?', int32: 'i', int64: 'l', float32: 'f', float64: 'd' }[base.dtype] };
        case 'itemsize': return { k: 's', e: i64(ELEM_SIZE[base.dtype]), dtype: 'int64' };
        case 'type': return base;
      }
    }
    if (base.k === 's' && e.attr === 'dtype') return { k: 'dtype', dtype: base.dtype };
    return { k: 'none' };
  }

  compare(e: A.Compare): Val {
    // Python: a < b < c is (a < b) and (b < c), each operand evaluated once, left to right,
    // and later operands are not evaluated once a comparison is false.
    const res = this.fresh('cmp', 'i32');
    const step = (left: Val, lt: Type, i: number): Stmt[] => this.block(() => {
      const rE = e.comparators[i];
      const right = this.snapshot(this.expr(rE));
      const rt = this.type(rE);
      const op = e.ops[i];
      let c: Expr;
      const lE = i === 0 ? e.left : e.comparators[i - 1];
      if (op === 'is' || op === 'is not') c = i32((left.k === 'none') === (right.k === 'none') ? (op === 'is' ? 1 : 0) : (op === 'is' ? 0 : 1));
      else if (lt.kind === 'dtype' || rt.kind === 'dtype') c = i32((staticDtype(lE, lt) === staticDtype(rE, rt)) === (op === '==') ? 1 : 0);
      else if (lt.kind === 'str' && rt.kind === 'str') c = strCompare(this, op, left, right, e.span);
      else if (rt.kind === 'list') c = listCompare(this, op, left, right, lt, rt, e.span);
      else c = this.compareScalar(op as '<', left as { e: Expr; dtype: DType }, right as { e: Expr; dtype: DType }, lt, rt);
      this.set(res, c);
      if (i + 1 < e.ops.length) this.emit({ k: 'if', cond: get(res, 'i32'), then: step(right, rt, i + 1), else: [] });
    });
    const left = e.ops.length > 1 ? this.snapshot(this.expr(e.left)) : this.expr(e.left);
    for (const st of step(left, this.type(e.left), 0)) this.emit(st);
    return { k: 's', e: get(res, 'i32'), dtype: 'bool' };
  }

  transpose(a: ArrRef): Val {
    return this.makeView(a, a.data, [...a.shape].reverse(), [...a.strides].reverse());
  }

  // ---------------- calls ----------------
  callExpr(e: A.Call, t: Type): Val {
    const r = this.inst.calls.get(e);
    if (!r) {
      const ft = this.type(e.func);
      if (ft.kind === 'builtin' && ['ValueError', 'IndexError', 'RuntimeError', 'ZeroDivisionError', 'TypeError', 'ArithmeticError', 'AssertionError', 'Exception', 'NotImplementedError', 'OverflowError'].includes(ft.name))
        return { k: 'exc', name: ft.name, msg: e.args[0]?.kind === 'Str' ? e.args[0].value : '' };
      throw new Error('internal: unresolved call');
    }
    if (r.kind === 'user') {
      if (e.func.kind === 'Name' && e.func.id === 'pmap') return this.pmap(e, r.inst, t);
      if (isVectorized(this, r.inst)) return vectorizedScalar(this, e, r.inst, t);
      return this.userCall(e, r.inst, t);
    }
    return this.builtinCall(e, r.name, r.self, t);
  }

  userCall(e: A.Call, callee: FuncInstance, t: Type): Val {
    const def = callee.def!;
    const argExprs: (A.Expr | null)[] = def.params.map(() => null);
    e.args.forEach((a, i) => { argExprs[i] = a; });
    for (const k of e.keywords) argExprs[def.params.findIndex((p) => p.name === k.name)] = k.value;
    const flat: Expr[] = [];
    def.params.forEach((p, i) => {
      const ex = argExprs[i] ?? p.default!;
      const v = ex === p.default && !argExprs[i] ? this.defaultValue(ex) : this.expr(ex);
      this.flattenArg(this.coerceTo(v, callee.params[i].type, ex.span), callee.params[i].type, flat, ex.span);
    });
    const vts = this.flatVTs(t);
    if (vts.length <= 1) {
      const c = call(callee.name, vts[0] ?? null, ...flat);
      if (vts.length === 0) { this.emit({ k: 'expr', e: c }); return { k: 'none' }; }
      if (t.kind === 'array') return this.ownedArray(this.arrFromDesc(c, t.dtype, t.ndim));
      if (t.kind === 'str') return this.ownedArray(this.arrFromDesc(c, 'bool', 1));
      if (t.kind === 'list') return this.ownedArray(this.arrFromDesc(c, storageOf(t.elem), 1));
      if (t.kind === 'rng') { const st = asStored(t) as Type & { kind: 'array' }; return this.ownedArray(this.arrFromDesc(c, st.dtype, 1)); }
      return { k: 's', e: this.tmp(c, 'r'), dtype: (t as { dtype: DType }).dtype };
    }
    const names = vts.map((vt) => this.fresh('r', vt));
    this.emit({ k: 'setm', names, call: call(callee.name, null, ...flat) });
    let i = 0;
    const rebuild = (tt: Type): Val => {
      switch (tt.kind) {
        case 'scalar': return { k: 's', e: get(names[i++], vtOf(tt.dtype)), dtype: tt.dtype };
        case 'array': return this.ownedArray(this.arrFromDesc(get(names[i++], 'i32'), tt.dtype, tt.ndim));
        case 'str': return this.ownedArray(this.arrFromDesc(get(names[i++], 'i32'), 'bool', 1));
        case 'list': return this.ownedArray(this.arrFromDesc(get(names[i++], 'i32'), storageOf(tt.elem), 1));
        case 'range': case 'rng': return rebuild(asStored(tt));
        case 'tuple': return { k: 't', items: tt.elems.map(rebuild) };
        default: return { k: 'none' };
      }
    };
    return rebuild(t);
  }

  /** Default argument values are evaluated in the callee's definition context (module level). */
  defaultValue(ex: A.Expr): Val {
    switch (ex.kind) {
      case 'Int': return { k: 's', e: i64(ex.value), dtype: 'int64' };
      case 'Float': return { k: 's', e: f64(ex.value), dtype: 'float64' };
      case 'Bool': return { k: 's', e: i32(ex.value ? 1 : 0), dtype: 'bool' };
      case 'Unary':
        if (ex.op === '-' && ex.operand.kind === 'Int') return { k: 's', e: i64(-ex.operand.value), dtype: 'int64' };
        if (ex.op === '-' && ex.operand.kind === 'Float') return { k: 's', e: f64(-ex.operand.value), dtype: 'float64' };
        break;
      default: break;
    }
    return this.expr(ex);
  }

  flattenArg(v: Val, t: Type, out: Expr[], span: Span): void {
    switch (t.kind) {
      case 'scalar': out.push(this.scalarAs(v, t.dtype, span)); return;
      case 'array': if (v.k === 'a') out.push(v.a.desc); return;
      case 'str': { const m = materialize(this, v, span); if (m.k === 'a') out.push(m.a.desc); return; }
      case 'list': if (v.k === 'a') out.push(v.a.desc); return;
      case 'range': case 'rng': return this.flattenArg(v, asStored(t), out, span);
      case 'tuple': if (v.k === 't') t.elems.forEach((x, i) => this.flattenArg(v.items[i], x, out, span)); return;
      default: return;
    }
  }

  pmap(e: A.Call, callee: FuncInstance, t: Type): Val {
    const xs = this.expr(e.args[1]);
    if (xs.k !== 'a' || t.kind !== 'array') return { k: 'none' };
    const out = this.alloc(t.dtype, [xs.a.shape[0]]);
    const iv = this.fresh('i', 'i64');
    const label = `pmap${this.n++}`;
    const body = this.block(() => {
      const ix = cvt('i64->i32', get(iv, 'i64'));
      const x = load(vtOf(xs.a.dtype), memOf(xs.a.dtype), add32(xs.a.data, bin('shl', 'i32', mul32(ix, xs.a.strides[0]), i32(log2Size(xs.a.dtype)))));
      const arg = convert(x, xs.a.dtype, (callee.params[0].type as { dtype: DType }).dtype);
      const r = call(callee.name, vtOf(t.dtype), arg);
      this.emit({ k: 'store', mem: memOf(t.dtype), addr: add32(out.data, bin('shl', 'i32', ix, i32(log2Size(t.dtype)))), value: convert(r, (callee.ret as { dtype: DType }).dtype, t.dtype) });
    });
    this.emit({ k: 'parfor', label, v: iv, t: 'i64', start: i64(0), stop: cvt('i32->i64', xs.a.shape[0]), step: i64(1), body, schedule: 'auto', chunk: null, numThreads: null, useIf: null, reductions: [], line: this.mod.line(e.span) });
    return this.ownedArray(out);
  }


  shapeExprs(e: A.Expr): Expr[] {
    const v = this.expr(e);
    const one = (x: Val, sp: Span): Expr => {
      const s = x as { e: Expr; dtype: DType };
      const n = this.tmp(convert(s.e, s.dtype, 'int64'));
      const site = this.mod.site(Code.ValueError, 'negative_dim', sp);
      this.emit({ k: 'if', cond: bin('lt_s', 'i64', n, i64(0)), then: [this.trap(this.mod.imp('err_value', ['i32'], null), i32(site))], else: [] });
      return this.tmp(cvt('i64->i32', n));
    };
    if (v.k === 't') return v.items.map((x) => one(x, e.span));
    return [one(v, e.span)];
  }

  fill(a: ArrRef, value: Expr, span: Span): void {
    const val = this.tmp(value);
    this.nest(a.shape, [a], span, (p) => [{ k: 'store', mem: memOf(a.dtype), addr: p[0], value: val }], ARRAY_OP);
  }

  kwOf(e: A.Call, name: string): A.Expr | undefined { return e.keywords.find((k) => k.name === name)?.value; }

  builtinCall(e: A.Call, name: string, self: A.Expr | null, t: Type): Val {
    const rdt = (t as { dtype?: DType }).dtype ?? 'float64';
    if (name.startsWith('astype:') && e.args[0] && this.type(e.args[0]).kind === 'str') return parseString(this, e, name.slice('astype:'.length) as DType);
    if (isUfunc(name) || name.startsWith('astype:') || name === 'where' || name === 'clip' || name === 'max2' || name === 'min2') {
      // Scalar case (array case went through elementwise()).
      return this.builtinScalar(name, ufuncArgs(e).map((a) => this.expr(a)), rdt, e);
    }
    if (EXCEPTIONS.has(name)) return { k: 'exc', name, msg: e.args[0]?.kind === 'Str' ? e.args[0].value : '', ...(e.args[0] && e.args[0].kind !== 'Str' ? { dyn: e.args[0] } : {}) };
    if (name === '.s:split') return splitString(this, e, self!);
    if (['str', 'repr', 'ascii', 'format'].includes(name) || name.startsWith('.s:')) return strBuiltin(this, e, name, self);
    if (name.startsWith('.l:')) return listMethod(this, e, name.slice(3), self!);
    if (name.startsWith('random.') || name.startsWith('.rng:')) return randomCall(this, e, name, self, t);
    if (name.startsWith('list:')) return listReduce(this, e, name.slice(5), t);
    if (name === 'list' || name === 'sorted') return listCall(this, e, name, t);
    if (name === '.tolist') return toList(this, self!, t);
    if (name === 'range') return rangeValue(this, e);
    if ((name === 'array' || name === 'asarray') && e.args[0] && this.cur.types.get(e.args[0])?.kind === 'list') return arrayOfList(this, e, t);
    const args = self ? [self, ...e.args] : e.args;
    const fname = self ? name.slice(1) : name;
    if (name.startsWith('math.')) return mathCall(this, e, name.slice(5));
    if (['divmod', 'np.divmod', 'roll', 'meshgrid', 'bincount', 'allclose', 'nonzero', 'linalg.norm'].includes(fname)) return numpyMore(this, e, fname, args, t);
    if (name.startsWith('tuple:') || NUMPY_EXTRA.has(fname)) return numpyExtra(this, e, fname, args, t);
    switch (fname) {
      case 'print': this.print(e, false); return { k: 'none' };
      case 'p.print': this.print(e, true); return { k: 'none' };
      case 'maxN': case 'minN': return maxMinOfMany(this, e, fname, rdt);
      case 'p.barrier': {
        const team = this.expr((e.func as A.Attribute).value) as { k: 'team'; nt: Expr };
        this.emit({ k: 'expr', e: call('__barrier', null, cvt('i64->i32', team.nt)) });
        return { k: 'none' };
      }
      case 'len': {
        const v = this.expr(e.args[0]);
        if (v.k === 't') return { k: 's', e: i64(v.items.length), dtype: 'int64' };
        if (v.k === 'str') return { k: 's', e: i64(Array.from(v.text).length), dtype: 'int64' };
        if (this.type(e.args[0]).kind === 'str') return { k: 's', e: strNumber(this, 'len', v, e.span), dtype: 'int64' };
        if (['list', 'range'].includes(this.type(e.args[0]).kind)) return { k: 's', e: lengthOf(this, v, this.type(e.args[0])), dtype: 'int64' };
        if (v.k === 'a') return { k: 's', e: cvt('i32->i64', v.a.shape[0]), dtype: 'int64' };
        return { k: 'none' };
      }
      case 'wtime': return { k: 's', e: call(this.mod.imp('wtime', [], 'f64'), 'f64'), dtype: 'float64' };
      case 'imshow': {
        const v = this.expr(e.args[0]) as { a: ArrRef };
        const site = this.mod.site(Code.Raised, 'imshow', e.span);
        this.emit({ k: 'expr', e: call(this.mod.imp('imshow', ['i32', 'i32'], null), null, v.a.desc, i32(site)) });
        return { k: 'none' };
      }
      case 'shape': { const v = this.expr(e.args[0]) as { a: ArrRef }; return { k: 't', items: v.a.shape.map((n) => ({ k: 's', e: cvt('i32->i64', n), dtype: 'int64' as DType })) }; }
      case 'ndim': { const v = this.expr(e.args[0]) as { a: ArrRef }; return { k: 's', e: i64(v.a.ndim), dtype: 'int64' }; }
      case 'size': { const v = this.expr(e.args[0]) as { a: ArrRef }; return { k: 's', e: cvt('i32->i64', v.a.shape.reduce((acc: Expr, n) => mul32(acc, n), i32(1))), dtype: 'int64' }; }
      case 'zeros': case 'empty': case 'ones': case 'full': {
        const shape = this.shapeExprs(e.args[0]);
        // zeros too is filled by a (parallel, SIMD) loop rather than the allocator's serial memory.fill.
        const a = this.alloc(rdt, shape, fname !== 'empty');
        if (fname === 'zeros') this.fill(a, cst(vtOf(rdt), 0), e.span);
        if (fname === 'ones') this.fill(a, convert(cst(vtOf('int64'), 1), 'int64', rdt), e.span);
        if (fname === 'full') {
          const fv = e.args[1] ?? this.kwOf(e, 'fill_value')!;
          const v = this.expr(fv) as { e: Expr; dtype: DType };
          this.fill(a, convert(v.e, v.dtype, rdt), e.span);
        }
        return this.ownedArray(a);
      }
      case 'zeros_like': case 'ones_like': case 'empty_like': case 'full_like': {
        const src = this.expr(e.args[0]) as { a: ArrRef };
        const a = this.alloc(rdt, src.a.shape);
        if (fname === 'ones_like') this.fill(a, convert(i64(1), 'int64', rdt), e.span);
        if (fname === 'full_like') { const v = this.expr(e.args[1]) as { e: Expr; dtype: DType }; this.fill(a, convert(v.e, v.dtype, rdt), e.span); }
        return this.ownedArray(a);
      }
      case 'eye': {
        const n = this.shapeExprs(e.args[0])[0];
        const mE = e.args[1] ?? this.kwOf(e, 'M');
        const m = mE ? this.shapeExprs(mE)[0] : n;
        const kE = this.kwOf(e, 'k');
        const k = kE ? this.tmp(cvt('i64->i32', convert((this.expr(kE) as { e: Expr }).e, (this.type(kE) as { dtype: DType }).dtype, 'int64'))) : i32(0);
        const a = this.alloc(rdt, [n, m]);
        const i = this.fresh('i', 'i32');
        const col = add32(get(i, 'i32'), k);
        const cond = bin('and', 'i32', bin('ge_s', 'i32', col, i32(0)), bin('lt_s', 'i32', col, a.shape[1]));
        this.emit({ k: 'for', label: `eye${this.n++}`, v: i, t: 'i32', start: i32(0), stop: a.shape[0], step: i32(1), body: [
          { k: 'if', cond, then: [{ k: 'store', mem: memOf(rdt), addr: add32(a.data, bin('shl', 'i32', add32(mul32(get(i, 'i32'), a.strides[0]), col), i32(log2Size(rdt)))), value: convert(i64(1), 'int64', rdt) }], else: [] },
        ] });
        return this.ownedArray(a);
      }
      case 'arange': return this.arange(e, rdt);
      case 'linspace': return this.linspace(e, rdt);
      case 'array': case 'asarray': {
        const a0 = e.args[0];
        if (a0.kind !== 'List' && a0.kind !== 'Tuple') {
          const src = this.expr(a0) as { a: ArrRef; owned: boolean };
          // asarray of an array of the same dtype is that array, not a copy.
          if (fname === 'asarray' && src.a.dtype === rdt) return src as Val;
          const a = this.alloc(rdt, src.a.shape);
          this.copyInto(a, src.a, e.span);
          return this.ownedArray(a);
        }
        return this.arrayLiteral(a0, rdt, (t as { ndim: number }).ndim);
      }
      case 'copy': {
        const src = this.expr(args[0]) as { a: ArrRef };
        const a = this.alloc(src.a.dtype, src.a.shape);
        this.copyInto(a, src.a, e.span);
        return this.ownedArray(a);
      }
      case '.fill': {
        const dst = this.expr(self!) as { a: ArrRef };
        const v = this.expr(e.args[0]) as { e: Expr; dtype: DType };
        this.fill(dst.a, convert(v.e, v.dtype, dst.a.dtype), e.span);
        return { k: 'none' };
      }
      case 'fill': {
        const dst = this.expr(self!) as { a: ArrRef };
        const v = this.expr(e.args[0]) as { e: Expr; dtype: DType };
        this.fill(dst.a, convert(v.e, v.dtype, dst.a.dtype), e.span);
        return { k: 'none' };
      }
      case 'transpose': case 'swapaxes': case 'moveaxis': {
        const src = this.expr(args[0]) as { a: ArrRef };
        const perm = permutation(fname, src.a.ndim, axesArgs(e, fname, self !== null)) as number[];
        return this.makeView(src.a, src.a.data, perm.map((k) => src.a.shape[k]), perm.map((k) => src.a.strides[k]));
      }
      case 'dtype': return { k: 'dtype', dtype: rdt };
      case 'issubdtype': {
        const [a, b] = e.args.map((x) => this.type(x));
        const da = staticDtype(e.args[0], a)!;
        const sub = b.kind === 'builtin' && b.name.startsWith('abstract:') ? ABSTRACT_DTYPES[b.name.slice('abstract:'.length)](da) : da === staticDtype(e.args[1], b);
        return { k: 's', e: i32(sub ? 1 : 0), dtype: 'bool' };
      }
      case 'get_num_threads': return { k: 's', e: cvt('i32->i64', load('i32', 'i32', i32(CTRL.numThreads))), dtype: 'int64' };
      case 'get_thread_id': case 'threadid': return { k: 's', e: cvt('i32->i64', call(this.mod.imp('thread_id', [], 'i32'), 'i32')), dtype: 'int64' };
      case 'set_num_threads': {
        const v = this.expr(e.args[0]) as { e: Expr; dtype: DType };
        const n = this.tmp(convert(v.e, v.dtype, 'int64'));
        const site = this.mod.site(Code.ValueError, 'num_threads', e.span);
        const bad = bin('or', 'i32', bin('lt_s', 'i64', n, i64(1)), bin('gt_s', 'i64', n, cvt('i32->i64', load('i32', 'i32', i32(CTRL.teamSize)))));
        this.emit({ k: 'if', cond: bad, then: [this.trap(this.mod.imp('err_value', ['i32'], null), i32(site))], else: [] });
        this.emit({ k: 'store', mem: 'i32', addr: i32(CTRL.numThreads), value: cvt('i64->i32', n) });
        return { k: 'none' };
      }
      case 'ravel': case 'reshape': return this.reshape(e, args, fname, t);
      case 'astype': {
        const src = this.expr(self!) as { a: ArrRef };
        const a = this.alloc(rdt, src.a.shape);
        this.copyInto(a, src.a, e.span);
        return this.ownedArray(a);
      }
      case 'dot': case 'matmul': {
        if (this.type(args[0]).kind === 'scalar' || this.type(args[1]).kind === 'scalar') {
          // dot with a scalar is multiplication (NumPy).
          const mul: A.Binary = { kind: 'Binary', op: '*', left: args[0], right: args[1], span: e.span };
          this.inst.types.set(mul, t);
          return this.expr(mul);
        }
        return this.matmul(this.expr(args[0]), this.expr(args[1]), t, e.span, fname === 'dot');
      }
      case 'outer': {
        const a = this.expr(e.args[0]) as { a: ArrRef }, b = this.expr(e.args[1]) as { a: ArrRef };
        const fa = this.flatView(a.a), fb = this.flatView(b.a);
        const out = this.alloc(rdt, [fa.shape[0], fb.shape[0]]);
        const colA: ArrRef = { ...fa, ndim: 2, shape: [fa.shape[0], i32(1)], strides: [fa.strides[0], i32(0)] };
        this.nest(out.shape, [out, colA, fb], e.span, (p) => [{ k: 'store', mem: memOf(rdt), addr: p[0], value: bin('mul', vtOf(rdt), convert(load(vtOf(fa.dtype), memOf(fa.dtype), p[1]), fa.dtype, rdt), convert(load(vtOf(fb.dtype), memOf(fb.dtype), p[2]), fb.dtype, rdt)) }]);
        return this.ownedArray(out);
      }
      case 'atomic_add': case 'atomic_max': case 'atomic_min': {
        const a = this.expr(e.args[0]) as { a: ArrRef };
        const iv = this.expr(e.args[1]);
        const idxVals = iv.k === 't' ? iv.items : [iv];
        const parts = idxVals.map((x) => ({ k: 'int' as const, e: this.tmp(convert((x as { e: Expr }).e, (x as { dtype: DType }).dtype, 'int64')), span: e.args[1].span }));
        const addr = this.indexArr(a.a, parts, e.span, true) as { e: Expr };
        const v = this.expr(e.args[2]) as { e: Expr; dtype: DType };
        const d = a.a.dtype, vt = vtOf(d);
        const old = this.fresh('old', vt);
        const nv = this.tmp(convert(v.e, v.dtype, d));
        const at = this.tmp(addr.e);
        if (fname === 'atomic_add' && isInt(d)) {
          this.set(old, { k: 'atomic', t: vt, mem: memOf(d), op: 'add', addr: at, value: nv });
          return { k: 's', e: get(old, vt), dtype: d };
        }
        // Floats, bools, min and max: compare-and-swap on the element's bits until no other
        // thread changed it in between.
        const bt: VT = vt === 'f64' || vt === 'i64' ? 'i64' : 'i32';
        const bmem = d === 'bool' ? 'u8' : bt;
        const toBits = (x: Expr) => (vt === 'f64' ? cvt('bits:f64->i64', x) : vt === 'f32' ? cvt('bits:f32->i32', x) : x);
        const fromBits = (x: Expr) => (vt === 'f64' ? cvt('bits:i64->f64', x) : vt === 'f32' ? cvt('bits:i32->f32', x) : x);
        const seen = this.fresh('seen', bt);
        const label = `cas${this.n++}`;
        const upd = fname === 'atomic_add' ? (d === 'bool' ? bin('or', 'i32', get(old, vt), nv) : bin('add', vt, get(old, vt), nv))
          : (this.builtinScalar(fname === 'atomic_max' ? 'maximum' : 'minimum', [{ k: 's', e: get(old, vt), dtype: d }, { k: 's', e: nv, dtype: d }], d, e) as { e: Expr }).e;
        this.emit({ k: 'while', label, cond: i32(1), body: [
          { k: 'set', name: seen, value: { k: 'load', t: bt, mem: bmem, addr: at, atomic: true } },
          { k: 'set', name: old, value: fromBits(get(seen, bt)) },
          { k: 'if', cond: bin('eq', bt, { k: 'cmpxchg', t: bt, mem: bmem, addr: at, expected: get(seen, bt), replacement: toBits(upd) }, get(seen, bt)), then: [{ k: 'break', label }], else: [] },
        ] });
        return { k: 's', e: get(old, vt), dtype: d };
      }
    }
    if (['sum', 'prod', 'min', 'max', 'mean', 'argmin', 'argmax', 'any', 'all', 'count_nonzero', 'std', 'var'].includes(fname)) return this.reduce(e, fname, args[0], t);
    if (LIBRARY_FNS.has(fname)) return libraryCall(this, e, fname, args, self !== null, t);
    throw new Error(`internal: builtin ${name} not lowered`);
  }

  flatView(a: ArrRef): ArrRef {
    if (a.ndim === 1) return a;
    const c = this.contiguousCopy(a);
    return { ...c, ndim: 1, shape: [this.tmp(c.shape.reduce((acc: Expr, n) => mul32(acc, n), i32(1)))], strides: [i32(1)] };
  }

  contiguousCopy(a: ArrRef, dtype: DType = a.dtype): ArrRef {
    const c = this.alloc(dtype, a.shape);
    this.copyInto(c, a, { start: 0, end: 0 });
    this.ownedArray(c);
    return c;
  }

  reshape(e: A.Call, args: A.Expr[], fname: string, t: Type, evaluated?: Val): Val {
    const src = (evaluated ?? this.expr(args[0])) as { a: ArrRef };
    const nd = (t as { ndim: number }).ndim;
    let dims: Expr[];
    const size = this.tmp(src.a.shape.reduce((acc: Expr, n) => mul32(acc, n), i32(1)));
    if (fname === 'ravel') dims = [size];
    else {
      const rest = args.slice(1);
      const vals: Val[] = rest.length === 1 ? ((v) => (v.k === 't' ? v.items : [v]))(this.expr(rest[0])) : rest.map((x) => this.expr(x));
      const raw = vals.map((v) => this.tmp(cvt('i64->i32', convert((v as { e: Expr }).e, (v as { dtype: DType }).dtype, 'int64'))));
      // One -1 is inferred from the size.
      const known = raw.reduce((acc: Expr, n) => mul32(acc, select('i32', bin('eq', 'i32', n, i32(-1)), i32(1), n)), i32(1));
      const kn = this.tmp(known);
      dims = raw.map((n) => this.tmp(select('i32', bin('eq', 'i32', n, i32(-1)), select('i32', kn, bin('div_s', 'i32', size, select('i32', kn, kn, i32(1))), i32(0)), n)));
      const prod = dims.reduce((acc: Expr, n) => mul32(acc, n), i32(1));
      const site = this.mod.site(Code.ValueError, 'reshape', e.span);
      this.emit({ k: 'if', cond: bin('ne', 'i32', prod, size), then: [this.trap(this.mod.imp('err_reshape', ['i32', 'i32', 'i32'], null), i32(site), src.a.desc, size)], else: [] });
    }
    // A view when the source is C-contiguous; otherwise a contiguous copy first.
    let contiguous: Expr = i32(1);
    let expect: Expr = i32(1);
    for (let k = src.a.ndim - 1; k >= 0; k--) {
      contiguous = bin('and', 'i32', contiguous, bin('or', 'i32', bin('eq', 'i32', src.a.strides[k], expect), bin('le_s', 'i32', src.a.shape[k], i32(1))));
      expect = mul32(expect, src.a.shape[k]);
    }
    const base = this.fresh('rsb', 'i32'), data = this.fresh('rsd', 'i32');
    const copy = this.block(() => {
      const c = this.alloc(src.a.dtype, src.a.shape);
      this.copyInto(c, src.a, e.span);
      this.set(base, c.desc); this.set(data, c.data);
    });
    this.emit({ k: 'if', cond: contiguous, then: [{ k: 'retain', desc: src.a.desc }, { k: 'set', name: base, value: src.a.desc }, { k: 'set', name: data, value: src.a.data }], else: copy });
    const strides: Expr[] = [];
    let acc: Expr = i32(1);
    for (let k = nd - 1; k >= 0; k--) { strides.unshift(acc); acc = this.tmp(mul32(acc, dims[k])); }
    const baseRef: ArrRef = { desc: get(base, 'i32'), data: get(data, 'i32'), shape: [], strides: [], dtype: src.a.dtype, ndim: 0 };
    const v = this.makeView(baseRef, get(data, 'i32'), dims, strides);
    this.emit({ k: 'release', desc: get(base, 'i32') });
    return v;
  }

  arange(e: A.Call, rdt: DType): Val {
    const vals = e.args.map((a) => this.expr(a) as { e: Expr; dtype: DType });
    const isF = vals.some((v) => isFloat(v.dtype)) || isFloat(rdt);
    const cd: DType = isF ? 'float64' : 'int64';
    const conv = (v: { e: Expr; dtype: DType }) => this.tmp(convert(v.e, v.dtype, cd));
    const [start, stop, step] = vals.length === 1 ? [cst(vtOf(cd), 0), conv(vals[0]), cst(vtOf(cd), 1)] : vals.length === 2 ? [conv(vals[0]), conv(vals[1]), cst(vtOf(cd), 1)] : [conv(vals[0]), conv(vals[1]), conv(vals[2])];
    const site = this.mod.site(Code.ValueError, 'arange_step', e.span);
    this.emit({ k: 'if', cond: bin('eq', vtOf(cd), step, cst(vtOf(cd), 0)), then: [this.trap(this.mod.imp('err_value', ['i32'], null), i32(site))], else: [] });
    let len: Expr;
    if (isF) len = cvt('f64->i32', un('ceil', 'f64', bin('div', 'f64', bin('sub', 'f64', stop, start), step)));
    else {
      const num = bin('sub', 'i64', stop, start);
      // ceil((stop - start) / step) for either sign of step
      const q = bin('div_s', 'i64', bin('add', 'i64', num, bin('sub', 'i64', step, select('i64', bin('gt_s', 'i64', step, i64(0)), i64(1), i64(-1)))), step);
      len = cvt('i64->i32', q);
    }
    const n = this.tmp(select('i32', bin('gt_s', 'i32', len, i32(0)), len, i32(0)));
    const a = this.alloc(rdt, [n], true);
    this.nest(a.shape, [a], e.span, (p, [i]) => {
      const x = isF ? bin('add', 'f64', start, bin('mul', 'f64', cvt('i32->f64', i), step)) : bin('add', 'i64', start, bin('mul', 'i64', cvt('i32->i64', i), step));
      return [{ k: 'store', mem: memOf(rdt), addr: p[0], value: convert(x, cd, rdt) }];
    }, ARRAY_OP);
    return this.ownedArray(a);
  }

  linspace(e: A.Call, rdt: DType): Val {
    const f = (x: A.Expr) => { const v = this.expr(x) as { e: Expr; dtype: DType }; return this.tmp(convert(v.e, v.dtype, 'float64')); };
    const start = f(e.args[0]), stop = f(e.args[1]);
    const numE = e.args[2] ?? this.kwOf(e, 'num');
    const num64 = numE ? this.tmp(convert((this.expr(numE) as { e: Expr }).e, (this.type(numE) as { dtype: DType }).dtype, 'int64')) : i64(50);
    this.emit({ k: 'if', cond: bin('lt_s', 'i64', num64, i64(0)), then: [fmtTrap(this, 'ValueError', 'Number of samples, {0}, must be non-negative.', (numE ?? e).span, num64)], else: [] });
    const num = this.tmp(cvt('i64->i32', num64));
    const epE = this.kwOf(e, 'endpoint');
    const endpoint = epE ? this.tmp(this.cond(epE)) : i32(1);
    const div = this.tmp(select('i32', endpoint, bin('sub', 'i32', num, i32(1)), num));
    // With one point (div == 0) NumPy returns [start]: use step 0 rather than (stop-start)/0.
    const step = this.tmp(select('f64', div, bin('div', 'f64', bin('sub', 'f64', stop, start), cvt('i32->f64', div)), f64(0)));
    const a = this.alloc(rdt, [num], true);
    const at = (ix: Expr) => add32(a.data, bin('shl', 'i32', ix, i32(log2Size(rdt))));
    // NumPy floors the points before casting to an integer dtype (a cast alone would truncate).
    const cast = (x: Expr) => convert(rdt === 'int32' || rdt === 'int64' ? un('floor', 'f64', x) : x, 'float64', rdt);
    this.nest(a.shape, [a], e.span, (p, [i]) => [
      { k: 'store', mem: memOf(rdt), addr: p[0], value: cast(bin('add', 'f64', start, bin('mul', 'f64', cvt('i32->f64', i), step))) },
    ], ARRAY_OP);
    this.emit({ k: 'if', cond: bin('and', 'i32', endpoint, bin('gt_s', 'i32', num, i32(1))), then: [{ k: 'store', mem: memOf(rdt), addr: at(bin('sub', 'i32', num, i32(1))), value: cast(stop) }], else: [] });
    return this.ownedArray(a);
  }

  arrayLiteral(lit: A.ListExpr | A.TupleExpr, rdt: DType, ndim: number): Val {
    const shape: number[] = [];
    let x: A.Expr = lit;
    for (let k = 0; k < ndim; k++) { const l = x as A.ListExpr; shape.push(l.elts.length); x = l.elts[0]; }
    const a = this.alloc(rdt, shape.map((n) => i32(n)));
    let idx = 0;
    const walk = (node: A.Expr, depth: number) => {
      if (depth === ndim) {
        const v = this.expr(node) as { e: Expr; dtype: DType };
        this.emit({ k: 'store', mem: memOf(rdt), addr: add32(a.data, i32(idx * ELEM_SIZE[rdt])), value: convert(v.e, v.dtype, rdt) });
        idx++;
        return;
      }
      for (const c of (node as A.ListExpr).elts) walk(c, depth + 1);
    };
    walk(lit, 0);
    return this.ownedArray(a);
  }

  matmul(lv: Val, rv: Val, t: Type, span: Span, isDot = false): Val {
    if (lv.k !== 'a' || rv.k !== 'a') {
      return this.binaryScalar('*', lv, rv, (t as { dtype: DType }).dtype, span, { kind: 'scalar', dtype: (lv as { dtype: DType }).dtype, weak: false }, { kind: 'scalar', dtype: (rv as { dtype: DType }).dtype, weak: false });
    }
    const a = lv.a, b = rv.a;
    const d = (t as { dtype: DType }).dtype;
    const vt = vtOf(d);
    const site = this.mod.site(Code.ShapeMismatch, 'matmul', span);
    const kA = a.shape[a.ndim - 1], kB = b.shape[0];
    this.emit({ k: 'if', cond: bin('ne', 'i32', kA, kB), then: [this.trap(this.mod.imp('err_shape', ['i32', 'i32', 'i32'], null), i32(site), a.desc, b.desc)], else: [] });
    const el = (x: ArrRef, ...ix: Expr[]) => convert(load(vtOf(x.dtype), memOf(x.dtype), add32(x.data, bin('shl', 'i32', ix.reduce((acc: Expr, v, k) => add32(acc, mul32(v, x.strides[k])), i32(0)), i32(log2Size(x.dtype))))), x.dtype, d);
    const loopK = (label: string, body: Stmt[], kv: string): Stmt => ({ k: 'for', label, v: kv, t: 'i32', start: i32(0), stop: kA, step: i32(1), body });
    if ((d === 'float64' || d === 'float32') && a.dtype === d && b.dtype === d && (a.ndim === 2 || b.ndim === 2)) return this.blockedMatmul(a, b, d, span);
    if (a.ndim === 1 && b.ndim === 1 && (d === 'float64' || d === 'float32') && a.dtype === d && b.dtype === d) {
      const s = this.dotLine(a, b, vt);
      return { k: 's', e: this.tmp(isDot ? s : bin('add', vt, cst(vt, 0), s)), dtype: d };
    }
    if (a.ndim === 1 && b.ndim === 1) {
      const acc = this.fresh('acc', vt), kv = this.fresh('k', 'i32');
      this.set(acc, cst(vt, 0));
      this.emit(loopK(`dot${this.n++}`, [{ k: 'set', name: acc, value: bin('add', vt, get(acc, vt), bin('mul', vt, el(a, get(kv, 'i32')), el(b, get(kv, 'i32')))) }], kv));
      return { k: 's', e: get(acc, vt), dtype: d };
    }
    if (a.ndim === 2 && b.ndim === 2) {
      // i-k-j order: the inner loop walks rows of b and out contiguously.
      const out = this.alloc(d, [a.shape[0], b.shape[1]]);
      const iv = this.fresh('i', 'i32'), kv = this.fresh('k', 'i32'), jv = this.fresh('j', 'i32'), aik = this.fresh('aik', vt);
      const o = (i: Expr, j: Expr) => add32(out.data, bin('shl', 'i32', add32(mul32(i, out.strides[0]), j), i32(log2Size(d))));
      this.emit({ k: 'for', label: `mm${this.n++}`, v: iv, t: 'i32', start: i32(0), stop: a.shape[0], step: i32(1), body: [
        loopK(`mmk${this.n++}`, [
          { k: 'set', name: aik, value: el(a, get(iv, 'i32'), get(kv, 'i32')) },
          { k: 'for', label: `mmj${this.n++}`, v: jv, t: 'i32', start: i32(0), stop: b.shape[1], step: i32(1), body: [
            { k: 'store', mem: memOf(d), addr: o(get(iv, 'i32'), get(jv, 'i32')), value: bin('add', vt, load(vt, memOf(d), o(get(iv, 'i32'), get(jv, 'i32'))), bin('mul', vt, get(aik, vt), el(b, get(kv, 'i32'), get(jv, 'i32')))) },
          ] },
        ], kv),
      ] });
      return this.ownedArray(out);
    }
    // matrix @ vector or vector @ matrix
    const m = a.ndim === 2 ? a.shape[0] : b.shape[1];
    const out = this.alloc(d, [m]);
    const iv = this.fresh('i', 'i32'), kv = this.fresh('k', 'i32'), acc = this.fresh('acc', vt);
    const term = a.ndim === 2 ? bin('mul', vt, el(a, get(iv, 'i32'), get(kv, 'i32')), el(b, get(kv, 'i32'))) : bin('mul', vt, el(a, get(kv, 'i32')), el(b, get(kv, 'i32'), get(iv, 'i32')));
    this.emit({ k: 'for', label: `mv${this.n++}`, v: iv, t: 'i32', start: i32(0), stop: m, step: i32(1), body: [
      { k: 'set', name: acc, value: cst(vt, 0) },
      loopK(`mvk${this.n++}`, [{ k: 'set', name: acc, value: bin('add', vt, get(acc, vt), term) }], kv),
      { k: 'store', mem: memOf(d), addr: add32(out.data, bin('shl', 'i32', get(iv, 'i32'), i32(log2Size(d)))), value: get(acc, vt) },
    ] });
    return this.ownedArray(out);
  }

  /**
   * A float matrix product through `__matmul_<t>` (see Note [Blocked matmul] in kernels.ts); a vector
   * operand is a 1 x K or K x 1 matrix. An operand whose columns are not contiguous (a transposed
   * view, a strided slice) is copied first: O(n^2) against the product's O(n^3).
   */
  blockedMatmul(a: ArrRef, b: ArrRef, d: DType, span: Span): Val {
    const t = d === 'float64' ? 'f64' : 'f32';
    const fn = this.mod.kernel(`matmul_${t}`);
    const contiguousCols = (x: ArrRef, strided: boolean): { data: Expr; ld: Expr; tmp: string } => {
      const data = this.fresh('mdata', 'i32'), ld = this.fresh('ld', 'i32'), tmp = this.fresh('mtmp', 'i32');
      this.set(data, x.data);
      this.set(ld, x.ndim === 2 ? x.strides[0] : (strided ? x.strides[0] : i32(0)));
      this.set(tmp, i32(0));
      // A vector used as a column (K x 1) is read one element per row at stride ld: no copy needed.
      if (!strided) {
        const last = x.strides[x.ndim - 1], cols = x.shape[x.ndim - 1];
        const copy = this.block(() => {
          const c = this.alloc(d, x.shape);
          this.copyInto(c, x, span);
          this.set(tmp, c.desc);
          this.set(data, c.data);
          if (x.ndim === 2) this.set(ld, c.strides[0]);
        });
        this.emit({ k: 'if', cond: bin('and', 'i32', bin('ne', 'i32', last, i32(1)), bin('gt_s', 'i32', cols, i32(1))), then: copy, else: [] });
      }
      return { data: get(data, 'i32'), ld: get(ld, 'i32'), tmp };
    };
    const A = contiguousCols(a, false);
    const B = contiguousCols(b, b.ndim === 1);
    const M = a.ndim === 2 ? a.shape[0] : i32(1), K = a.shape[a.ndim - 1], N = b.ndim === 2 ? b.shape[1] : i32(1);
    const outShape = [...(a.ndim === 2 ? [a.shape[0]] : []), ...(b.ndim === 2 ? [b.shape[1]] : [])];
    const out = this.alloc(d, outShape);
    this.emit({ k: 'expr', e: call(fn, null, A.data, B.data, out.data, M, N, K, A.ld, B.ld, N) });
    this.emit({ k: 'release', desc: get(A.tmp, 'i32') });
    this.emit({ k: 'release', desc: get(B.tmp, 'i32') });
    return this.ownedArray(out);
  }

  // ---------------- reductions ----------------
  reduce(e: A.Call, fname: string, arg: A.Expr, t: Type): Val {
    const argT = this.type(arg);
    const rdt = (t as { dtype: DType }).dtype;
    if (argT.kind === 'scalar') {
      const v = this.expr(arg) as { e: Expr; dtype: DType };
      if (['argmin', 'argmax'].includes(fname)) return { k: 's', e: i64(0), dtype: 'int64' };
      if (['std', 'var'].includes(fname)) return { k: 's', e: cst(vtOf(rdt), 0), dtype: rdt };
      if (fname === 'count_nonzero') return { k: 's', e: convert(convert(v.e, v.dtype, 'bool'), 'bool', 'int64'), dtype: 'int64' };
      return { k: 's', e: convert(v.e, v.dtype, rdt), dtype: rdt };
    }
    const axE = this.kwOf(e, 'axis');
    const kdE = this.kwOf(e, 'keepdims');
    const keepdims = kdE?.kind === 'Bool' && kdE.value;
    if (fname === 'sum' && !axE && !this.kwOf(e, 'dtype') && !keepdims) {
      const fused = this.fusedDotSum(arg, rdt, e);
      if (fused) return fused;
    }
    const src = this.expr(arg);
    if (src.k !== 'a') return { k: 'none' };
    // With dtype= the elements are cast first, so sums are pairwise in that dtype; a whole-array sum
    // or mean casts as it goes, through NumPy's buffer (sumInNumPyOrder).
    const castsAsItGoes = !axE && (fname === 'sum' || fname === 'mean');
    const a = this.kwOf(e, 'dtype') && src.a.dtype !== rdt && !castsAsItGoes ? this.contiguousCopy(src.a, rdt) : src.a;
    if (axE && axE.kind !== 'None' && axisValue(axE, null) === undefined) return dynamicAxisReduce(this, e, fname, a, axE, rdt, !!keepdims);
    // Along the only axis of a 1-d array the result is a number, as the whole array's (the checker's type).
    if (axE && axE.kind !== 'None' && t.kind !== 'scalar') {
      let ax = Number(axE.kind === 'Int' ? axE.value : -(axE as A.Unary & { operand: A.IntLit }).operand.value);
      if (ax < 0) ax += a.ndim;
      const outShape = a.shape.filter((_n, k) => k !== ax);
      const out = fname === 'std' || fname === 'var' ? this.varAlong(fname, a, ax, rdt, e) : this.reduceAlong(fname, a, ax, rdt, e);
      const res = this.ownedArray(out);
      if (!keepdims) return res;
      // The reduced axis back, with extent 1 (a view of the result).
      return this.makeView(out, out.data, [...outShape.slice(0, ax), i32(1), ...outShape.slice(ax)], [...out.strides.slice(0, ax), i32(0), ...out.strides.slice(ax)]);
    }
    const r = this.reduceAll(fname, a, rdt, e);
    if (!keepdims) return { k: 's', e: r.e, dtype: r.dtype };
    const one = this.alloc(r.dtype, a.shape.map(() => i32(1)), true);
    this.emit({ k: 'store', mem: memOf(r.dtype), addr: one.data, value: r.e });
    return this.ownedArray(one);
  }

  /**
   * `sum(x * y)` of two 1-d float arrays of the result's dtype in one pass: the pairwise sum of the
   * products (`__psum_dot_<t>`), bit-identical to NumPy's sum of the product array. Lengths that
   * differ (broadcasting, or an error) take the general path at run time. Null: not this pattern.
   */
  fusedDotSum(arg: A.Expr, rdt: DType, e: A.Call): Val | null {
    if (arg.kind !== 'Binary' || arg.op !== '*' || !isFloat(rdt)) return null;
    const lt = this.type(arg.left), rt = this.type(arg.right);
    if (lt.kind !== 'array' || rt.kind !== 'array' || lt.ndim !== 1 || rt.ndim !== 1 || lt.dtype !== rdt || rt.dtype !== rdt) return null;
    const l = this.expr(arg.left), r = this.expr(arg.right);
    if (l.k !== 'a' || r.k !== 'a') return null;
    const vt = vtOf(rdt);
    const acc = this.fresh('acc', vt);
    const general = this.block(() => {
      const prod = this.elementwise(arg, arg.span, { leaves: new Map([[arg.left, l.a], [arg.right, r.a]]), scalars: new Map() }) as { a: ArrRef };
      this.set(acc, this.reduceAll('sum', prod.a, rdt, e).e);
    });
    this.emit({ k: 'if', cond: bin('eq', 'i32', l.a.shape[0], r.a.shape[0]), then: [{ k: 'set', name: acc, value: bin('add', vt, cst(vt, 0), this.dotLine(l.a, r.a, vt)) }], else: general });
    return { k: 's', e: get(acc, vt), dtype: rdt };
  }

  /**
   * The pairwise sum of x[i] * y[i] over two 1-d float arrays of the same length and dtype. It
   * starts from -0.0, as NumPy's dot does; sum() and @ start from the identity 0.0 (add 0 to it).
   */
  dotLine(x: ArrRef, y: ArrRef, vt: VT): Expr {
    const sh = i32(log2Size(x.dtype));
    const fn = this.mod.helper(vt === 'f64' ? 'psum_dot_f64' : 'psum_dot_f32');
    return call(fn, vt, x.data, x.shape[0], bin('shl', 'i32', x.strides[0], sh), y.data, bin('shl', 'i32', y.strides[0], sh));
  }

  /** `zero-size array to reduction operation ...` when `size` is 0 (or, with `isCond`, when it is true). */
  emptyCheck(fname: string, size: Expr, e: A.Call, isCond = false): void {
    const site = this.mod.site(Code.ValueError, 'empty_reduce', e.span, fname);
    this.emit({ k: 'if', cond: isCond ? size : bin('eq', 'i32', size, i32(0)), then: [this.trap(this.mod.imp('err_value', ['i32'], null), i32(site))], else: [] });
  }

  /** Reduces a 1-d strided line (used for axis reductions). */
  /** A new array: `fname` of `a` along axis `ax`. */
  /**
   * Note [Axis sums]: NumPy's float sum along an axis is pairwise per output element when its
   * iterator makes the reduced axis the innermost one, and otherwise adds the slices along it one
   * after another. The iterator puts innermost the axis of least |stride| in the input (the output's
   * zero stride there gives it no say), ignoring axes of extent 1; so it depends on the layout, not
   * on which axis is last: `b.T.sum(axis=0)` is pairwise. `pairwise` overrides the layout test (var
   * sums squares laid out like the input, as NumPy's are). Other reductions are exact or order-free.
   */
  reduceAlong(fname: string, a: ArrRef, ax: number, rdt: DType, e: A.Call, pairwise?: Expr): ArrRef {
    const outShape = a.shape.filter((_n, k) => k !== ax);
    const out = this.alloc(rdt, outShape);
    if (['min', 'max', 'argmin', 'argmax'].includes(fname)) {
      // NumPy: an error when there is an output element to compute from an empty line.
      this.emptyCheck(fname, bin('and', 'i32', bin('eq', 'i32', a.shape[ax], i32(0)), bin('ne', 'i32', outShape.reduce((x: Expr, n) => mul32(x, n), i32(1)), i32(0))), e, true);
    }
    const orderMatters = (fname === 'sum' || fname === 'mean') && isFloat(a.dtype);
    const pw = orderMatters ? this.tmp(pairwise ?? this.reducedAxisInnermost(a, ax)) : null;
    // Nest over the output; each element reduces along `ax` with an inner loop.
    const inner: ArrRef = { ...a, ndim: a.ndim - 1, shape: outShape, strides: a.strides.filter((_s, k) => k !== ax) };
    // Each output element is computed whole by one thread, so any team gives the same bits.
    const lines = (lastAxis: boolean) => this.block(() => this.nest(out.shape, [out, inner], e.span, (p) => this.block(() => {
      const r = this.reduceLine(fname, { ...a, data: p[1], ndim: 1, shape: [a.shape[ax]], strides: [a.strides[ax]] }, rdt, e, lastAxis);
      this.emit({ k: 'store', mem: memOf(rdt), addr: p[0], value: convert(r.e, r.dtype, rdt) });
    }), { par: true, lineCost: a.shape[ax] }));
    const sequential = a.ndim === 2 && ax === 0 && ['sum', 'mean', 'prod', 'min', 'max', 'any', 'all'].includes(fname)
      ? this.block(() => this.columnReduce(fname, a, out, rdt, e))
      : lines(pw ? false : ax === a.ndim - 1);
    if (pw) this.emit({ k: 'if', cond: pw, then: lines(true), else: sequential });
    else this.out.push(...sequential);
    return out;
  }

  /** Whether NumPy's iterator makes axis `ax` of `a` the innermost (Note [Axis sums]). */
  reducedAxisInnermost(a: ArrRef, ax: number): Expr {
    const sr = this.tmp(un('abs', 'i32', a.strides[ax]));
    return range(a.ndim).filter((k) => k !== ax).reduce((acc: Expr, k) =>
      bin('and', 'i32', acc, bin('or', 'i32', bin('le_s', 'i32', a.shape[k], i32(1)), bin('lt_s', 'i32', sr, un('abs', 'i32', a.strides[k])))), i32(1));
  }

  /**
   * Note [Column reductions]: `fname` of a 2-d array along axis 0 row by row, out = op(out, a[i, :])
   * for i in order: each output element sees the same operations in the same order as the
   * sequential line NumPy reduces (so float sums agree to the bit), but the loop walks memory by
   * rows and vectorizes. Blocks of COL_BLOCK columns (small enough for an out block to stay in L1) run on the team.
   */
  columnReduce(fname: string, a: ArrRef, out: ArrRef, rdt: DType, e: A.Call): void {
    const COL_BLOCK = 1024;
    const vt = vtOf(rdt), mem = memOf(rdt), sz = ELEM_SIZE[rdt], asz = ELEM_SIZE[a.dtype];
    const accD: DType = fname === 'any' || fname === 'all' ? 'bool' : rdt;
    const n = this.tmp(a.shape[0]), cols = this.tmp(a.shape[1]);
    const blk = this.fresh('cb', 'i32'), lo = this.fresh('clo', 'i32'), len = this.fresh('clen', 'i32'), i = this.fresh('ci', 'i32');
    const seg = (data: Expr, stride: Expr, dtype: DType): ArrRef => ({ desc: out.desc, data, shape: [get(len, 'i32')], strides: [stride], dtype, ndim: 1 });
    const outSeg = seg(add32(out.data, mul32(get(lo, 'i32'), i32(sz))), i32(1), rdt);
    const rowSeg = (row: Expr) => seg(add32(a.data, mul32(add32(mul32(row, a.strides[0]), mul32(get(lo, 'i32'), a.strides[1])), i32(asz))), a.strides[1], a.dtype);
    const x = (p: Expr) => convert(load(vtOf(a.dtype), memOf(a.dtype), p), a.dtype, accD);
    const combine = (cur: Expr, v: Expr): Expr => {
      switch (fname) {
        case 'prod': return bin('mul', vt, cur, v);
        case 'min': case 'max': return bin(fname, vt, cur, v);
        case 'any': return bin('or', 'i32', cur, v);
        case 'all': return bin('and', 'i32', cur, v);
        default: return bin('add', vt, cur, v);
      }
    };
    const identity = fname === 'prod' || fname === 'all' ? 1 : 0;
    const body = this.block(() => {
      this.set(lo, mul32(get(blk, 'i32'), i32(COL_BLOCK)));
      this.set(len, select('i32', bin('lt_s', 'i32', bin('sub', 'i32', cols, get(lo, 'i32')), i32(COL_BLOCK)), bin('sub', 'i32', cols, get(lo, 'i32')), i32(COL_BLOCK)));
      // The first row (or the identity when there is none), then each further row folded in.
      this.emit({ k: 'if', cond: bin('gt_s', 'i32', n, i32(0)), then: this.block(() => {
        this.nest(outSeg.shape, [outSeg, rowSeg(i32(0))], e.span, (p) => [{ k: 'store', mem, addr: p[0], value: convert(x(p[1]), accD, rdt) }], { simd: true });
      }), else: this.block(() => {
        this.nest(outSeg.shape, [outSeg], e.span, (p) => [{ k: 'store', mem, addr: p[0], value: convert(cst(vtOf(accD), identity), accD, rdt) }], { simd: true });
      }) });
      // Four rows per pass over the block (the same operations in the same order: out op r0 op r1 ...),
      // so the block of out is loaded and stored a quarter as often; then the rows that remain.
      const fold = (rows: number) => this.block(() => {
        this.nest(outSeg.shape, [outSeg, ...range(rows).map((r) => rowSeg(add32(get(i, 'i32'), i32(r))))], e.span, (p) => {
          let v = convert(load(vt, mem, p[0]), rdt, accD);
          for (let r = 1; r <= rows; r++) v = combine(v, x(p[r]));
          return [{ k: 'store', mem, addr: p[0], value: convert(v, accD, rdt) }];
        }, { simd: true });
      });
      this.set(i, i32(1));
      this.emit({ k: 'while', label: `crow${this.n++}`, cond: bin('le_s', 'i32', add32(get(i, 'i32'), i32(4)), n), body: [...fold(4), { k: 'set', name: i, value: add32(get(i, 'i32'), i32(4)) }] });
      this.emit({ k: 'while', label: `crow${this.n++}`, cond: bin('lt_s', 'i32', get(i, 'i32'), n), body: [...fold(1), { k: 'set', name: i, value: add32(get(i, 'i32'), i32(1)) }] });
      if (fname === 'mean') {
        const nd = this.tmp(convert(n, 'int32', rdt));
        this.nest(outSeg.shape, [outSeg], e.span, (p) => [{ k: 'store', mem, addr: p[0], value: bin('div', vt, load(vt, mem, p[0]), nd) }], { simd: true });
      }
    });
    const work = bin('mul', 'i64', cvt('i32->i64', n), cvt('i32->i64', cols));
    this.emit({
      k: 'parfor', label: `colr${this.n++}`, v: blk, t: 'i32', start: i32(0), stop: bin('div_s', 'i32', add32(cols, i32(COL_BLOCK - 1)), i32(COL_BLOCK)), step: i32(1),
      schedule: 'static', chunk: null, numThreads: null, useIf: bin('ge_s', 'i64', work, i64(PAR_MIN_ELEMS)), reductions: [], line: this.mod.line(e.span), body,
    });
  }

  /**
   * std/var along an axis as NumPy's _var computes them, each step a whole-array operation on the
   * team: the mean along the axis, the squared deviations from it (one fused array), their sum
   * along the axis, divided by max(n - ddof, 0).
   */
  varAlong(fname: 'std' | 'var', a: ArrRef, ax: number, rdt: DType, e: A.Call): ArrRef {
    const vt = vtOf(rdt);
    const pairwise = this.tmp(this.reducedAxisInnermost(a, ax));
    const mean = this.reduceAlong('mean', a, ax, rdt, e);
    const back: ArrRef = { ...mean, ndim: a.ndim, shape: [...mean.shape.slice(0, ax), i32(1), ...mean.shape.slice(ax)], strides: [...mean.strides.slice(0, ax), i32(0), ...mean.strides.slice(ax)] };
    const sq = this.alloc(rdt, a.shape, true);
    this.nest(a.shape, [sq, a, back], e.span, (p) => {
      const d = this.fresh('dx', vt);
      return [
        { k: 'set', name: d, value: bin('sub', vt, convert(load(vtOf(a.dtype), memOf(a.dtype), p[1]), a.dtype, rdt), load(vt, memOf(rdt), p[2])) },
        { k: 'store', mem: memOf(rdt), addr: p[0], value: bin('mul', vt, get(d, vt), get(d, vt)) },
      ];
    }, ARRAY_OP);
    this.emit({ k: 'release', desc: mean.desc });
    const out = this.reduceAlong('sum', sq, ax, rdt, e, pairwise);
    this.emit({ k: 'release', desc: sq.desc });
    const div = this.tmp(this.varDivisor(convert(a.shape[ax], 'int32', rdt), rdt, e));
    this.nest(out.shape, [out], e.span, (p) => {
      const v = bin('div', vt, load(vt, memOf(rdt), p[0]), div);
      return [{ k: 'store', mem: memOf(rdt), addr: p[0], value: fname === 'std' ? un('sqrt', vt, v) : v }];
    }, ARRAY_OP);
    return out;
  }

  /** max(n - ddof, 0), NumPy's divisor of var and std. */
  varDivisor(n: Expr, rdt: DType, e: A.Call): Expr {
    const vt = vtOf(rdt);
    const ddofE = this.kwOf(e, 'ddof');
    const ddof = ddofE ? convert((this.expr(ddofE) as { e: Expr; dtype: DType }).e, (this.type(ddofE) as { dtype: DType }).dtype, rdt) : cst(vt, 0);
    const d = this.tmp(bin('sub', vt, n, ddof));
    return select(vt, bin('lt', vt, d, cst(vt, 0)), cst(vt, 0), d);
  }

  reduceLine(fname: string, line: ArrRef, rdt: DType, e: A.Call, lastAxis: boolean): { e: Expr; dtype: DType } {
    // NumPy adds along a non-last axis row by row (sequentially), along the last axis pairwise.
    // The caller checked for empty lines and runs the lines on the team: each line is serial.
    return this.reduceAll(fname, line, rdt, e, !lastAxis, true);
  }

  reduceAll(fname: string, a: ArrRef, rdt: DType, e: A.Call, sequential = false, inLine = false): { e: Expr; dtype: DType } {
    const ad = a.dtype;
    const size = this.tmp(a.shape.reduce((acc: Expr, n) => mul32(acc, n), i32(1)));
    if (fname === 'std' || fname === 'var') {
      const mean = this.reduceAll('mean', a, rdt, e, sequential);
      const m = this.tmp(mean.e);
      const vt = vtOf(rdt);
      const acc = this.fresh('acc', vt);
      // As NumPy: x = a - mean, x = x * x (an array laid out like a: its axes in a's order of
      // |stride|, each in a's direction), then the pairwise sum of x in memory order.
      const sq = this.alloc(rdt, a.shape, true);
      const key = a.strides.map((s) => this.tmp(un('abs', 'i32', s)));
      const inner = (j: number, k: number) => bin(j > k ? 'le_s' : 'lt_s', 'i32', key[j], key[k]);
      const kStrides = range(a.ndim).map((k) => range(a.ndim).filter((j) => j !== k).reduce((acc: Expr, j) => mul32(acc, select('i32', inner(j, k), a.shape[j], i32(1))), i32(1)));
      this.nest(a.shape, [{ ...sq, strides: kStrides }, a], e.span, (p) => {
        const xt = this.fresh('dx', vt);
        return [
          { k: 'set', name: xt, value: bin('sub', vt, convert(load(vtOf(ad), memOf(ad), p[1]), ad, rdt), m) },
          { k: 'store', mem: memOf(rdt), addr: p[0], value: bin('mul', vt, get(xt, vt), get(xt, vt)) },
        ];
      }, ARRAY_OP);
      if (sequential) {
        // Along a non-last axis NumPy adds the rows one after another (see reduceLine).
        this.set(acc, cst(vt, 0));
        this.nest(sq.shape, [sq], e.span, (p) => [{ k: 'set', name: acc, value: bin('add', vt, get(acc, vt), load(vt, memOf(rdt), p[0])) }]);
      } else this.set(acc, bin('add', vt, cst(vt, 0), call(this.mod.helper(vt === 'f64' ? 'psum_f64' : 'psum_f32'), vt, sq.data, size, i32(ELEM_SIZE[rdt]))));
      this.emit({ k: 'release', desc: sq.desc });
      const v = bin('div', vt, get(acc, vt), this.varDivisor(convert(size, 'int32', rdt), rdt, e));
      return { e: fname === 'std' ? un('sqrt', vt, v) : v, dtype: rdt };
    }
    // A whole-array int mean or sum(a, dtype=float64) converts on the way into NumPy's buffer.
    const castInBuffer = isFloat(rdt) && ad !== rdt && !sequential && !inLine;
    if ((fname === 'sum' || fname === 'mean') && (isFloat(ad) || castInBuffer)) {
      // See Note [Pairwise sums] and Note [Strided sums].
      const sd = castInBuffer ? rdt : ad;
      const h = this.mod.helper(sd === 'float64' ? 'psum_f64' : 'psum_f32');
      const vt = vtOf(sd);
      const acc = this.fresh('acc', vt);
      const line = (data: Expr, n: Expr, stride: Expr) => call(h, vt, data, n, bin('shl', 'i32', stride, i32(log2Size(sd))));
      if (castInBuffer) this.sumInNumPyOrder(a, acc, line, sd);
      else if (a.ndim === 1 && !sequential) this.set(acc, bin('add', vt, cst(vt, 0), line(a.data, a.shape[0], a.strides[0])));
      else if (a.ndim === 1) {
        this.set(acc, cst(vt, 0));
        this.nest(a.shape, [a], e.span, (p) => [{ k: 'set', name: acc, value: bin('add', vt, get(acc, vt), load(vt, memOf(ad), p[0])) }]);
      } else this.sumInNumPyOrder(a, acc, line);
      if (fname === 'mean') return { e: bin('div', vt, get(acc, vt), convert(size, 'int32', sd)), dtype: sd };
      return { e: get(acc, vt), dtype: sd };
    }
    const accD: DType = fname === 'mean' ? (isFloat(ad) ? ad : 'float64') : fname === 'any' || fname === 'all' ? 'bool' : fname === 'count_nonzero' ? 'int64' : ['argmin', 'argmax', 'min', 'max'].includes(fname) ? ad : rdt;
    const vt = vtOf(accD);
    const acc = this.fresh('acc', vt);
    const isMinMax = ['min', 'max', 'argmin', 'argmax'].includes(fname);
    if (isMinMax) {
      if (!inLine) this.emptyCheck(fname, size, e);
      this.set(acc, convert(load(vtOf(ad), memOf(ad), a.data), ad, accD));
    } else {
      const init = fname === 'prod' || fname === 'all' ? 1 : 0;
      this.set(acc, cst(vt, init));
    }
    const best = this.fresh('bi', 'i32'), cnt = this.fresh('ci', 'i32');
    this.set(best, i32(0)); this.set(cnt, i32(0));
    // Exact in any grouping, so big arrays reduce on the team (float sums went pairwise above;
    // float products and int means are left in order).
    const isI = vt === 'i32' || vt === 'i64';
    const op: I.ReduceOp | null = ({ sum: isI ? 'add' : null, count_nonzero: 'add', prod: isI ? 'mul' : null, any: 'or', all: 'and', min: 'min', max: 'max' } as Record<string, I.ReduceOp | null>)[fname] ?? null;
    const red = op && !inLine ? { reduce: [{ name: acc, t: vt, op }], par: true } : {};
    // argmin/argmax: first occurrence wins; a NaN is the answer once seen (NumPy).
    const better = (x: Expr, cur: Expr) => (isFloat(accD)
      ? bin('and', 'i32', bin('eq', vt, cur, cur), bin('or', 'i32', bin(fname === 'argmax' ? 'gt' : 'lt', vt, x, cur), bin('ne', vt, x, x)))
      : bin(fname === 'argmax' ? 'gt_s' : 'lt_s', vt, x, cur));
    const serial = this.block(() => this.nest(a.shape, [a], e.span, (p) => {
      const x = convert(load(vtOf(ad), memOf(ad), p[0]), ad, accD);
      const cur = get(acc, vt);
      const out: Stmt[] = [];
      switch (fname) {
        case 'sum': case 'mean': out.push({ k: 'set', name: acc, value: accD === 'bool' ? bin('or', 'i32', cur, x) : bin('add', vt, cur, x) }); break;
        case 'prod': out.push({ k: 'set', name: acc, value: bin('mul', vt, cur, x) }); break;
        case 'any': out.push({ k: 'set', name: acc, value: bin('or', 'i32', cur, x) }); break;
        case 'all': out.push({ k: 'set', name: acc, value: bin('and', 'i32', cur, x) }); break;
        case 'count_nonzero': out.push({ k: 'set', name: acc, value: bin('add', 'i64', cur, convert(convert(load(vtOf(ad), memOf(ad), p[0]), ad, 'bool'), 'bool', 'int64')) }); break;
        case 'min': case 'max': {
          if (isFloat(accD)) out.push({ k: 'set', name: acc, value: bin(fname, vt, cur, x) });
          else {
            const xv = this.fresh('x', vt);
            out.push({ k: 'set', name: xv, value: x });
            out.push({ k: 'set', name: acc, value: select(vt, bin(fname === 'max' ? 'gt_s' : 'lt_s', vt, get(xv, vt), cur), get(xv, vt), cur) });
          }
          break;
        }
        case 'argmin': case 'argmax': {
          const xv = this.fresh('x', vt);
          out.push({ k: 'set', name: xv, value: x });
          out.push({ k: 'if', cond: better(get(xv, vt), cur), then: [{ k: 'set', name: acc, value: get(xv, vt) }, { k: 'set', name: best, value: get(cnt, 'i32') }], else: [] });
          break;
        }
      }
      if (fname === 'argmin' || fname === 'argmax') out.push({ k: 'set', name: cnt, value: add32(get(cnt, 'i32'), i32(1)) });
      return out;
    }, red));
    if (isMinMax && !inLine && ad !== 'bool') {
      // Contiguous elements go through the SIMD kernels, in blocks on the team when there are many.
      const t = vtOf(ad) as RT, sz = ELEM_SIZE[ad];
      const mm = this.mod.reduceKernel(fname === 'min' || fname === 'argmin' ? 'min' : 'max', t);
      const blocks = fname === 'min' || fname === 'max' ? this.block(() => {
        const blk = this.fresh('blk', 'i32'), lo = this.fresh('lo', 'i32');
        const nb = bin('div_s', 'i32', add32(size, i32(ARG_BLOCK - 1)), i32(ARG_BLOCK));
        const len = select('i32', bin('lt_s', 'i32', bin('sub', 'i32', size, get(lo, 'i32')), i32(ARG_BLOCK)), bin('sub', 'i32', size, get(lo, 'i32')), i32(ARG_BLOCK));
        this.emit({
          k: 'parfor', label: `mmb${this.n++}`, v: blk, t: 'i32', start: i32(0), stop: nb, step: i32(1), schedule: 'static', chunk: null,
          numThreads: null, useIf: null, reductions: [{ name: acc, t: vt, op: fname as 'min' | 'max' }], line: this.mod.line(e.span), body: [
            { k: 'set', name: lo, value: mul32(get(blk, 'i32'), i32(ARG_BLOCK)) },
            { k: 'set', name: acc, value: bin(fname, vt, get(acc, vt), call(mm, vt, add32(a.data, mul32(get(lo, 'i32'), i32(sz))), len)) },
          ],
        });
      }) : this.block(() => this.argBestBlocks(a, size, acc, best, better, fname, e.span));
      const whole = this.block(() => {
        this.set(acc, call(mm, vt, a.data, size));
        if (fname === 'argmin' || fname === 'argmax') this.set(best, call(this.mod.reduceKernel('first', t), 'i32', a.data, size, get(acc, vt)));
      });
      this.emit({ k: 'if', cond: this.isContiguous(a), then: [{ k: 'if', cond: bin('ge_s', 'i32', size, i32(ARG_BLOCK * 2)), then: blocks, else: whole }], else: serial });
    } else this.out.push(...serial);
    if (fname === 'argmin' || fname === 'argmax') return { e: cvt('i32->i64', get(best, 'i32')), dtype: 'int64' };
    if (fname === 'mean') return { e: bin('div', vt, get(acc, vt), convert(size, 'int32', accD)), dtype: accD };
    return { e: get(acc, vt), dtype: accD };
  }

  /**
   * Note [Strided sums]: NumPy's float sum of an n-d array, to the last bit. Its iterator orders the
   * axes by |stride| (outermost first, extents of 1 aside) and merges neighbours that step evenly;
   * if one line remains (any contiguous array, in memory order, or a 1-d view), that line is summed
   * pairwise. Otherwise the leading merged axes are the outer part and the rest is a slab, and the
   * elements go through a buffer of max(1, 8192 // slab) whole slabs: each buffer is summed
   * pairwise and added to the total in order. (Checked against NumPy 2.4 on 500 random views of
   * 2 to 4 dimensions, with negative, transposed and unit axes.) The copy costs one pass; NumPy
   * makes it too. A slab of 2^17 elements or more is itself summed on the team (__psum).
   * With a cast (`to`: an int mean, `sum(a, dtype=float64)`) NumPy always buffers, so one line is
   * summed in chunks of 8192 elements too, each pairwise, added in order.
   */
  sumInNumPyOrder(a: ArrRef, acc: string, line: (data: Expr, n: Expr, stride: Expr) => Expr, to?: DType): void {
    const d = a.ndim, bufD = to ?? a.dtype, vt = vtOf(bufD), size = ELEM_SIZE[a.dtype];
    const N = range(d).map(() => this.fresh('sn', 'i32')), S = range(d).map(() => this.fresh('ss', 'i32'));
    const n = (k: number) => get(N[k], 'i32'), st = (k: number) => get(S[k], 'i32');
    range(d).forEach((k) => { this.set(N[k], a.shape[k]); this.set(S[k], a.strides[k]); });
    // Stable sort, outermost first: by |stride| descending, extents of 1 last.
    const key = (k: number) => select('i32', bin('eq', 'i32', n(k), i32(1)), i32(-1), un('abs', 'i32', st(k)));
    const tn = this.fresh('sw', 'i32'), ts = this.fresh('sw', 'i32');
    for (let i = 0; i < d - 1; i++) {
      for (let j = 0; j < d - 1 - i; j++) {
        this.emit({ k: 'if', cond: bin('lt_s', 'i32', key(j), key(j + 1)), then: [
          { k: 'set', name: tn, value: n(j) }, { k: 'set', name: N[j], value: n(j + 1) }, { k: 'set', name: N[j + 1], value: get(tn, 'i32') },
          { k: 'set', name: ts, value: st(j) }, { k: 'set', name: S[j], value: st(j + 1) }, { k: 'set', name: S[j + 1], value: get(ts, 'i32') },
        ], else: [] });
      }
    }
    // The outer part: the leading axes that merge (an extent of 1 merges with anything).
    const merged = this.fresh('mg', 'i32'), outer = this.fresh('out', 'i32'), lineS = this.fresh('ls', 'i32'), total = this.fresh('tot', 'i32');
    this.set(merged, i32(1)); this.set(outer, n(0)); this.set(lineS, st(0)); this.set(total, n(0));
    for (let i = 0; i + 1 < d; i++) {
      const unit = bin('eq', 'i32', n(i + 1), i32(1));
      this.set(merged, bin('and', 'i32', get(merged, 'i32'), bin('or', 'i32', unit, bin('eq', 'i32', st(i), mul32(n(i + 1), st(i + 1))))));
      this.set(outer, select('i32', get(merged, 'i32'), mul32(get(outer, 'i32'), n(i + 1)), get(outer, 'i32')));
      this.set(lineS, select('i32', unit, get(lineS, 'i32'), st(i + 1)));
      this.set(total, mul32(get(total, 'i32'), n(i + 1)));
    }
    const oneLine = [{ k: 'set', name: acc, value: bin('add', vt, cst(vt, 0), line(a.data, get(total, 'i32'), get(lineS, 'i32'))) } as Stmt];
    const slab = this.fresh('slab', 'i32'), per = this.fresh('per', 'i32');
    const buffered = this.block(() => {
      this.set(acc, cst(vt, 0));
      this.set(slab, bin('div_s', 'i32', get(total, 'i32'), get(outer, 'i32')));
      this.set(per, bin('div_s', 'i32', i32(8192), get(slab, 'i32')));
      this.set(per, select('i32', bin('lt_s', 'i32', get(per, 'i32'), i32(1)), i32(1), get(per, 'i32')));
      const chunk = this.tmp(to ? select('i32', get(merged, 'i32'), i32(8192), mul32(get(per, 'i32'), get(slab, 'i32'))) : mul32(get(per, 'i32'), get(slab, 'i32')));
      const buf = this.alloc(bufD, [chunk], true);
      const cnt = this.fresh('cnt', 'i32');
      this.set(cnt, i32(0));
      const flush = (count: Expr): Stmt => ({ k: 'set', name: acc, value: bin('add', vt, get(acc, vt), line(buf.data, count, i32(1))) });
      // The axes in sorted order, nested; the innermost copies one element into the buffer.
      const ptr = range(d).map(() => this.fresh('q', 'i32'));
      const level = (k: number): Stmt[] => {
        const iv = this.fresh('i', 'i32');
        const inner: Stmt[] = k + 1 < d ? [{ k: 'set', name: ptr[k + 1], value: get(ptr[k], 'i32') }, ...level(k + 1)] : [
          { k: 'store', mem: memOf(bufD), addr: add32(buf.data, mul32(get(cnt, 'i32'), i32(ELEM_SIZE[bufD]))), value: convert(load(vtOf(a.dtype), memOf(a.dtype), get(ptr[k], 'i32')), a.dtype, bufD) },
          { k: 'set', name: cnt, value: add32(get(cnt, 'i32'), i32(1)) },
          { k: 'if', cond: bin('eq', 'i32', get(cnt, 'i32'), chunk), then: [flush(chunk), { k: 'set', name: cnt, value: i32(0) }], else: [] },
        ];
        return [{ k: 'for', label: `sumnd${this.n++}`, v: iv, t: 'i32', start: i32(0), stop: n(k), step: i32(1), body: [
          ...inner, { k: 'set', name: ptr[k], value: add32(get(ptr[k], 'i32'), mul32(st(k), i32(size))) },
        ] }];
      };
      this.set(ptr[0], a.data);
      this.out.push(...level(0));
      this.emit({ k: 'if', cond: bin('gt_s', 'i32', get(cnt, 'i32'), i32(0)), then: [flush(get(cnt, 'i32'))], else: [] });
      this.emit({ k: 'release', desc: buf.desc });
    });
    if (to) this.emit({ k: 'if', cond: bin('gt_s', 'i32', get(total, 'i32'), i32(0)), then: buffered, else: [{ k: 'set', name: acc, value: cst(vt, 0) }] });
    else this.emit({ k: 'if', cond: bin('or', 'i32', get(merged, 'i32'), bin('le_s', 'i32', get(total, 'i32'), i32(1))), then: oneLine, else: buffered });
  }

  /** Run-time test: the array is C-contiguous (extents of 1 have any stride). */
  isContiguous(a: ArrRef): Expr {
    let c: Expr = i32(1), expect: Expr = i32(1);
    for (let k = a.ndim - 1; k >= 0; k--) {
      c = bin('and', 'i32', c, bin('or', 'i32', bin('eq', 'i32', a.strides[k], expect), bin('le_s', 'i32', a.shape[k], i32(1))));
      expect = mul32(expect, a.shape[k]);
    }
    return c;
  }

  /**
   * argmin/argmax of a big C-contiguous array on the team: a parfor finds each block's extreme and
   * its first index with the SIMD kernels, then the blocks are combined in order with the serial
   * rule (`better`). The first block holding the answer holds it first, so the index is the serial one.
   */
  argBestBlocks(a: ArrRef, size: Expr, acc: string, best: string, better: (x: Expr, cur: Expr) => Expr, fname: string, span: Span): void {
    const vt = vtOf(a.dtype), mem = memOf(a.dtype), sz = ELEM_SIZE[a.dtype], t = vt as RT;
    const nb = this.tmp(bin('div_s', 'i32', add32(size, i32(ARG_BLOCK - 1)), i32(ARG_BLOCK)), 'nb');
    const vals = this.tmp(call('__malloc', 'i32', mul32(nb, i32(8))), 'bv'), idxs = this.tmp(call('__malloc', 'i32', mul32(nb, i32(4))), 'bix');
    const blk = this.fresh('blk', 'i32'), lo = this.fresh('lo', 'i32'), len = this.fresh('len', 'i32'), i = this.fresh('i', 'i32');
    const bacc = this.fresh('bacc', vt), x = this.fresh('x', vt);
    const g = (n: string, t: VT = 'i32') => get(n, t);
    const from = add32(a.data, mul32(g(lo), i32(sz)));
    this.emit({
      k: 'parfor', label: `argb${this.n++}`, v: blk, t: 'i32', start: i32(0), stop: nb, step: i32(1), schedule: 'static', chunk: null,
      numThreads: null, useIf: null, reductions: [], line: this.mod.line(span), body: [
        { k: 'set', name: lo, value: mul32(g(blk), i32(ARG_BLOCK)) },
        { k: 'set', name: len, value: select('i32', bin('lt_s', 'i32', bin('sub', 'i32', size, g(lo)), i32(ARG_BLOCK)), bin('sub', 'i32', size, g(lo)), i32(ARG_BLOCK)) },
        { k: 'set', name: bacc, value: call(this.mod.reduceKernel(fname === 'argmin' ? 'min' : 'max', t), vt, from, g(len)) },
        { k: 'store', mem, addr: add32(vals, mul32(g(blk), i32(8))), value: g(bacc, vt) },
        { k: 'store', mem: 'i32', addr: add32(idxs, mul32(g(blk), i32(4))), value: add32(g(lo), call(this.mod.reduceKernel('first', t), 'i32', from, g(len), g(bacc, vt))) },
      ],
    });
    const at = (arr: Expr, k: Expr, m: I.Mem, vtk: VT, w: number) => load(vtk, m, add32(arr, mul32(k, i32(w))));
    this.set(acc, at(vals, i32(0), mem, vt, 8));
    this.set(best, at(idxs, i32(0), 'i32', 'i32', 4));
    this.emit({ k: 'for', label: `ab${this.n++}`, v: i, t: 'i32', start: i32(1), stop: nb, step: i32(1), body: [
      { k: 'set', name: x, value: at(vals, g(i), mem, vt, 8) },
      { k: 'if', cond: better(g(x, vt), g(acc, vt)), then: [{ k: 'set', name: acc, value: g(x, vt) }, { k: 'set', name: best, value: at(idxs, g(i), 'i32', 'i32', 4) }], else: [] },
    ] });
    this.emit({ k: 'expr', e: call('__free', null, vals) });
    this.emit({ k: 'expr', e: call('__free', null, idxs) });
  }

  // ---------------- print ----------------
  print(e: A.Call, _team: boolean): void {
    const imp = (n: string, params: VT[]) => this.mod.imp(n, params, null);
    const text = (s: string) => this.emit({ k: 'expr', e: call(imp('print_text', ['i32']), null, i32(this.mod.str(s))) });
    // sep= and end= are strings (None: the default); evaluated, as Python does, after the values.
    const one = (v: Val, t: Type, repr: boolean) => {
      if (((t.kind === 'str' || t.kind === 'list') && v.k === 'a') || t.kind === 'range') return printString(this, v, t, repr);
      switch (v.k) {
        case 's': {
          const fn = { bool: 'print_bool', int32: 'print_i32', int64: 'print_i64', float32: 'print_f32', float64: 'print_f64' }[v.dtype];
          this.emit({ k: 'expr', e: call(imp(fn, [vtOf(v.dtype), 'i32']), null, v.e, i32(repr ? 1 : 0)) });
          return;
        }
        case 'a': this.emit({ k: 'expr', e: call(imp('print_array', ['i32', 'i32']), null, v.a.desc, i32(repr ? 1 : 0)) }); return;
        case 't': {
          const et = (t as { elems: Type[] }).elems;
          text('(');
          v.items.forEach((it, i) => { if (i) text(', '); one(it, et[i], true); });
          if (v.items.length === 1) text(',');
          text(')');
          return;
        }
        case 'str': text(repr ? pyRepr({ t: 'str', v: v.text }) : v.text); return;
        case 'none': text('None'); return;
        case 'dtype': text(t.kind === 'dtype' && t.cls ? `<class 'numpy.${v.dtype}'>` : repr ? `dtype('${v.dtype}')` : v.dtype); return;
        default: text(`<${v.k}>`);
      }
    };
    // Python evaluates every argument before printing any of them.
    const vals = e.args.map((a) => this.snapshot(this.expr(a)));
    const keyword = (name: string, dflt: string): Val => {
      const k = e.keywords.find((kw) => kw.name === name)?.value;
      return !k || k.kind === 'None' ? { k: 'str', text: dflt } : this.snapshot(this.expr(k));
    };
    const sep = keyword('sep', ' '), end = keyword('end', '\n');
    const STR: Type = { kind: 'str' };
    vals.forEach((v, i) => {
      if (i) one(sep, STR, false);
      one(v, this.type(e.args[i]), false);
    });
    one(end, STR, false);
    this.emit({ k: 'expr', e: call(imp('print_flush', []), null) });
  }
}

function assignedIn(body: A.Stmt[], name: string): boolean {
  let found = false;
  const visit = (x: unknown): void => {
    if (found || !x || typeof x !== 'object') return;
    if (Array.isArray(x)) { x.forEach(visit); return; }
    const n = x as A.Stmt;
    if ((n.kind === 'Assign' && n.targets.some((t) => t.kind === 'Name' && t.id === name)) || ((n.kind === 'AugAssign' || n.kind === 'AnnAssign') && n.target.kind === 'Name' && n.target.id === name)
      || (n.kind === 'For' && n.target.kind === 'Name' && n.target.id === name)) { found = true; return; }
    if (n.kind === 'Assign' && n.targets.some((t) => t.kind === 'Tuple' && t.elts.some((e) => e.kind === 'Name' && e.id === name))) { found = true; return; }
    for (const [k, v] of Object.entries(n)) if (k !== 'span' && v && typeof v === 'object') visit(v);
  };
  visit(body);
  return found;
}

/** Number of iterations of range(start, stop, step), for either sign of step (step != 0). */


/** The value of a number literal, possibly negated; null for anything else. */
function literalValue(e: A.Expr): number | null {
  if (e.kind === 'Int') return Number(e.value);
  if (e.kind === 'Float') return e.value;
  if (e.kind === 'Unary' && e.op === '-') { const v = literalValue(e.operand); return v === null ? null : -v; }
  return null;
}

function range(n: number): number[] { return Array.from({ length: n }, (_v, i) => i); }

function exprType(e: Expr): VT { return verifyExprType(e) ?? 'i32'; }

function isUfunc(name: string): boolean {
  return ['abs', 'fabs', 'sqrt', 'exp', 'log', 'log2', 'log10', 'sin', 'cos', 'tan', 'arcsin', 'arccos', 'arctan', 'sinh', 'cosh', 'tanh',
    'floor', 'ceil', 'round', 'erf', 'sign', 'isnan', 'isinf', 'isfinite', 'negative', 'exp2', 'expm1', 'log1p', 'trunc', 'square',
    'radians', 'deg2rad', 'degrees', 'rad2deg', 'rint',
    'maximum', 'minimum', 'arctan2', 'power', 'hypot', 'fmod', 'copysign', 'isclose'].includes(name);
}



/**
 * Note [Inlined functions]: a call of a user function inside an elementwise expression is fused
 * like a ufunc when the function is only elementwise arithmetic: its body is assignments of
 * elementwise expressions (over its parameters, its own earlier locals, literals, ufuncs, where,
 * clip, astype and other such functions) and a final return of one. Then `s * cnd(d1)` is one loop
 * with cnd's locals as per-element temporaries, instead of one array per statement of cnd. Every
 * parameter and local must be read later, so every leaf reaches the result and the result's shape is
 * the broadcast of the leaves, as NumPy's would be. Anything else (loops, ifs, globals, slices,
 * reductions, prints) keeps the function a real call.
 */
const inlineCache = new WeakMap<FuncInstance, { assigns: A.Assign[]; ret: A.Expr } | null>();
function inlineBody(f: FuncInstance, visiting = new Set<FuncInstance>()): { assigns: A.Assign[]; ret: A.Expr } | null {
  if (inlineCache.has(f)) return inlineCache.get(f)!;
  if (visiting.has(f) || !f.def) return null;
  visiting.add(f);
  const result = ((): { assigns: A.Assign[]; ret: A.Expr } | null => {
    let stmts = f.def!.body;
    if (stmts[0]?.kind === 'ExprStmt' && stmts[0].expr.kind === 'Str') stmts = stmts.slice(1); // docstring
    const last = stmts[stmts.length - 1];
    if (!last || last.kind !== 'Return' || !last.value) return null;
    const assigns = stmts.slice(0, -1);
    if (!assigns.every((st): st is A.Assign => st.kind === 'Assign' && st.targets.length === 1 && st.targets[0].kind === 'Name')) return null;
    // Every binding (a parameter, or an assignment) must be read before it is replaced or the body ends.
    const read = new Map<string, boolean>(f.params.map((p) => [p.name, false]));
    const ok = (e: A.Expr): boolean => {
      const t = f.types.get(e);
      if (!t || (t.kind !== 'scalar' && t.kind !== 'array')) return false;
      switch (e.kind) {
        case 'Name': if (!read.has(e.id)) return false; read.set(e.id, true); return true;
        case 'Int': case 'Float': case 'Bool': return true;
        case 'Binary': return e.op !== '@' && ok(e.left) && ok(e.right);
        case 'Unary': return ok(e.operand);
        case 'Compare': return e.ops.length === 1 && ok(e.left) && ok(e.comparators[0]);
        case 'Call': {
          const r = f.calls.get(e);
          if (r?.kind === 'user') return e.keywords.length === 0 && e.args.length === r.inst.params.length && inlineBody(r.inst, visiting) !== null && e.args.every(ok);
          if (r?.kind !== 'builtin' || !(isUfunc(r.name) || r.name.startsWith('astype:') || r.name === 'where' || r.name === 'clip' || r.name === '.astype')) return false;
          return elemChildren(e, r).every(ok);
        }
        default: return false;
      }
    };
    for (const st of assigns) {
      const name = (st.targets[0] as A.Name).id;
      if (!ok(st.value) || read.get(name) === false) return null;
      read.set(name, false);
    }
    if (!ok(last.value) || [...read.values()].includes(false)) return null;
    return { assigns, ret: last.value };
  })();
  visiting.delete(f);
  inlineCache.set(f, result);
  return result;
}


/** How a value is stored: a range object as its start, stop and step. */
function asStored(t: Type): Type {
  // A generator is its state's bytes (compiler/lower-random.ts).
  if (t.kind === 'rng') return { kind: 'array', dtype: t.gen === 'mt' ? 'bool' : 'int64', ndim: 1 };
  if (t.kind !== 'range') return t;
  const int: Type = { kind: 'scalar', dtype: 'int64', weak: true };
  return { kind: 'tuple', elems: [int, int, int] };
}
