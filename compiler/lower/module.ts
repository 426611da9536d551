// Lowering of a whole program: one ModuleLowerer holds what functions share (strings, error sites,
// globals in static memory, imports, IR helpers made once) and lowers each function instance with a
// FnLowerer.
import type { CheckedProgram } from '../../language/checker.js';
import { lineCol, type SourceFile, type Span } from '../../language/source.js';
import type { Type } from '../../language/types.js';
import { DESC, STATIC_BASE } from '../../runtime/layout.js';
import { mathFn, NATIVE_MATH } from '../mathlib-wasm.js';
import type * as I from '../ir.js';
import { storageOf } from './lists.js';
import { firstFunc, matmulFuncs, minmaxFunc, pairwiseFunc, psumFunc, type RT } from '../kernels.js';
import { add32, bin, call, cst, cvt, get, i32, i64, load, select, un } from '../ir-build.js';
import { asStored, type ErrorSite, type Lowered, type LowerOptions, MATH1, MATH2, type Slot } from './values.js';
import { FnLowerer } from './function.js';

type Expr = I.Expr;
type Stmt = I.Stmt;
type VT = I.VT;

export function lower(cp: CheckedProgram, file: SourceFile, opts: LowerOptions): Lowered {
  return new ModuleLowerer(cp, file, opts).run();
}

export class ModuleLowerer {
  funcs: I.Func[] = [];
  strings: string[] = [];
  stringIds = new Map<string, number>();
  sites: ErrorSite[] = [];
  globalSlots = new Map<string, Slot>();
  staticTop = STATIC_BASE;
  helpers = new Set<string>();
  /** User functions whose calls may run on the team: @vectorize(target='parallel') ones that cannot fail (library.ts). */
  teamCalls = new Set<string>();
  imports = new Map<string, I.Import>();
  /** The address of np.random's module-level RandomState, once a function draws from it (random-calls.ts). */
  randomState: number | null = null;
  /** The word that is non-zero while a prange with per-iteration np.random streams runs (random-calls.ts). */
  streamsInUse: number | null = null;
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

  helper(name: 'floordiv_i64' | 'mod_i64' | 'floordiv_u32' | 'floordiv_u64' | 'mod_u32' | 'mod_u64' | 'ipow_i64' | 'slice' | 'view' | 'floordiv_i32' | 'mod_i32' | 'pairwise_f64' | 'pairwise_f32' | 'psum_f64' | 'psum_f32' | 'psum_dot_f64' | 'psum_dot_f32'): string {
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
      case 'floordiv_u32': case 'floordiv_u64': case 'mod_u32': case 'mod_u64': {
        // uint32/uint64: no signs to floor, only the zero divisor to report.
        const t: VT = name.endsWith('64') ? 'i64' : 'i32';
        const body: Stmt[] = [
          { k: 'if', cond: bin('eq', t, p('b', t), cst(t, 0)), then: [{ k: 'trap', call: call(errZero, null, p('site', 'i32')) }], else: [] },
          ret(bin(name.startsWith('floordiv') ? 'div_u' : 'rem_u', t, p('a', t), p('b', t))),
        ];
        this.funcs.push({ name: fn, params: [{ name: 'a', t }, { name: 'b', t }, { name: 'site', t: 'i32' }], results: [t], locals: [], body });
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
