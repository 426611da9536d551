// np.interp as NumPy computes it (arr_interp in numpy/_core/src/multiarray/compiled_base.c): for
// each x, the last j with xp[j] <= x (x below xp[0]: left, above xp[-1]: right, nan: nan), then
// fp[j] where x is a sample point, else slope * (x - xp[j]) + fp[j] with slope = (fp[j+1] - fp[j]) /
// (xp[j+1] - xp[j]), retried from j+1 when that is nan. One IR helper, __interp, called per element.
import type * as A from '../../language/ast.js';
import { interpArg } from '../../language/check-interp.js';
import type * as I from '../ir.js';
import type { FnLowerer } from './function.js';
import type { ArrRef, Val } from './values.js';
import { add32, bin, call, convert, get, i32, load, select } from '../ir-build.js';
import { arr, fmtTrap, ld } from './library.js';

type Expr = I.Expr;
type Stmt = I.Stmt;

export function interpCall(fl: FnLowerer, e: A.Call): Val {
  const span = e.span;
  // xp and fp as contiguous float64 (the dtype NumPy converts them to).
  const f64Of = (a: ArrRef): ArrRef => (a.dtype === 'float64' ? a : (fl.ownedArray(fl.contiguousCopy(a, 'float64')) as { a: ArrRef }).a);
  const xp = f64Of(arr(fl, interpArg(e, 'xp')!)), fp = f64Of(arr(fl, interpArg(e, 'fp')!));
  const n = xp.shape[0];
  fl.emit({ k: 'if', cond: bin('ne', 'i32', n, fp.shape[0]), then: [fmtTrap(fl, 'ValueError', 'fp and xp are not of the same length.', span)], else: [] });
  fl.emit({ k: 'if', cond: bin('eq', 'i32', n, i32(0)), then: [fmtTrap(fl, 'ValueError', 'array of sample points is empty', span)], else: [] });
  const at = (a: ArrRef, i: Expr) => ld('float64', add32(a.data, bin('shl', 'i32', bin('mul', 'i32', i, a.strides[0]), i32(3))));
  const bound = (name: string, dflt: Expr): Expr => {
    const b = interpArg(e, name);
    if (!b || b.kind === 'None') return fl.tmp(dflt);
    const v = fl.expr(b) as { e: Expr; dtype: 'float64' };
    return fl.tmp(convert(v.e, v.dtype, 'float64'));
  };
  const left = bound('left', at(fp, i32(0))), right = bound('right', at(fp, bin('sub', 'i32', n, i32(1))));
  const helper = interpHelper(fl);
  const args = (x: Expr) => [x, xp.data, xp.strides[0], fp.data, fp.strides[0], n, left, right];
  const xv = fl.expr(interpArg(e, 'x')!);
  if (xv.k === 's') return { k: 's', e: fl.tmp(call(helper, 'f64', ...args(convert(xv.e, xv.dtype, 'float64')))), dtype: 'float64' };
  const x = (xv as { a: ArrRef }).a;
  const out = fl.alloc('float64', x.shape, true);
  fl.nest(x.shape, [out, x], span, (p) => [{ k: 'store', mem: 'f64', addr: p[0], value: call(helper, 'f64', ...args(convert(ld(x.dtype, p[1]), x.dtype, 'float64'))) }], { par: true, simd: false });
  return fl.ownedArray(out);
}

/** `__interp(x, xp, xs, fp, fs, n, left, right)`: xp and fp are f64 arrays with element strides xs, fs. */
function interpHelper(fl: FnLowerer): string {
  const fn = '__interp';
  const mod = fl.mod;
  if (mod.helpers.has(fn)) return fn;
  mod.helpers.add(fn);
  const g = (v: string) => get(v, 'i32'), x = get('x', 'f64');
  const el = (base: string, stride: string, i: Expr) => load('f64', 'f64', add32(g(base), bin('shl', 'i32', bin('mul', 'i32', i, g(stride)), i32(3))));
  const XP = (i: Expr) => el('xp', 'xs', i), FP = (i: Expr) => el('fp', 'fs', i);
  const ret = (v: Expr): Stmt => ({ k: 'return', values: [v] });
  const j = g('j'), j1 = add32(g('j'), i32(1)), last = bin('sub', 'i32', g('n'), i32(1));
  const isNan = (v: Expr) => bin('ne', 'f64', v, v);
  const body: Stmt[] = [
    // One sample point: NumPy compares only (a nan x gives fp[0]).
    { k: 'if', cond: bin('eq', 'i32', g('n'), i32(1)), then: [ret(select('f64', bin('lt', 'f64', x, XP(i32(0))), get('left', 'f64'), select('f64', bin('gt', 'f64', x, XP(i32(0))), get('right', 'f64'), FP(i32(0)))))], else: [] },
    { k: 'if', cond: isNan(x), then: [ret(x)], else: [] },
    { k: 'if', cond: bin('gt', 'f64', x, XP(last)), then: [ret(get('right', 'f64'))], else: [] },
    { k: 'if', cond: bin('lt', 'f64', x, XP(i32(0))), then: [ret(get('left', 'f64'))], else: [] },
    // The last j with xp[j] <= x: xp[lo] <= x throughout, and the answer stays in [lo, hi].
    { k: 'set', name: 'j', value: i32(0) }, { k: 'set', name: 'hi', value: last },
    { k: 'while', label: 'search', cond: bin('lt_s', 'i32', j, g('hi')), body: [
      { k: 'set', name: 'mid', value: bin('shr_s', 'i32', add32(add32(j, g('hi')), i32(1)), i32(1)) },
      { k: 'if', cond: bin('le', 'f64', XP(g('mid')), x), then: [{ k: 'set', name: 'j', value: g('mid') }], else: [{ k: 'set', name: 'hi', value: bin('sub', 'i32', g('mid'), i32(1)) }] },
    ] },
    { k: 'if', cond: bin('or', 'i32', bin('eq', 'i32', j, last), bin('eq', 'f64', XP(j), x)), then: [ret(FP(j))], else: [] },
    { k: 'set', name: 'slope', value: bin('div', 'f64', bin('sub', 'f64', FP(j1), FP(j)), bin('sub', 'f64', XP(j1), XP(j))) },
    { k: 'set', name: 'r', value: bin('add', 'f64', bin('mul', 'f64', get('slope', 'f64'), bin('sub', 'f64', x, XP(j))), FP(j)) },
    { k: 'if', cond: isNan(get('r', 'f64')), then: [
      { k: 'set', name: 'r', value: bin('add', 'f64', bin('mul', 'f64', get('slope', 'f64'), bin('sub', 'f64', x, XP(j1))), FP(j1)) },
      { k: 'if', cond: bin('and', 'i32', isNan(get('r', 'f64')), bin('eq', 'f64', FP(j), FP(j1))), then: [ret(FP(j))], else: [] },
    ], else: [] },
    ret(get('r', 'f64')),
  ];
  mod.funcs.push({
    name: fn,
    params: [{ name: 'x', t: 'f64' }, { name: 'xp', t: 'i32' }, { name: 'xs', t: 'i32' }, { name: 'fp', t: 'i32' }, { name: 'fs', t: 'i32' }, { name: 'n', t: 'i32' }, { name: 'left', t: 'f64' }, { name: 'right', t: 'f64' }],
    results: ['f64'], locals: [{ name: 'j', t: 'i32' }, { name: 'hi', t: 'i32' }, { name: 'mid', t: 'i32' }, { name: 'slope', t: 'f64' }, { name: 'r', t: 'f64' }], body,
  });
  return fn;
}

