// The parameters of np.random's continuous and discrete distributions (uniform, normal and those of
// compiler/random-dists.ts): evaluated once, checked with NumPy's messages before any draw, and,
// when one of them is an array, broadcast like NumPy: the result has `size`'s shape (the
// parameters must broadcast to it) or, without size, the parameters' broadcast shape, and element k
// (C order) is drawn with the parameters' elements at k, one element after the other.
// NumPy checks a scalar parameter and an array one with slightly different messages ("p is NaN" /
// "p contains NaNs") and, for Poisson, in a different order; both are kept.
import type * as A from '../../language/ast.js';
import { Code } from '../../language/diagnostics.js';
import type { DType, Type } from '../../language/types.js';
import type * as I from '../ir.js';
import type { FnLowerer } from './function.js';
import type { ArrRef, Val } from './values.js';
import { DIST_PARAMS } from '../../language/check-random.js';
import { i32, i64, f64, get, bin, un, cvt, load, convert, memOf, vtOf } from '../ir-build.js';
import { raise } from './random-choice.js';

type Expr = I.Expr;
type Span = { start: number; end: number };

const POISSON_LAM_MAX = 2 ** 63 - Math.sqrt(2 ** 63) * 10;

/** A check: `bad(v)` is true for a parameter value that NumPy rejects with `text` (`arrayText` for array parameters). */
interface Check { bad: (v: (k: string) => Expr) => Expr; text: string; arrayText?: string; kind?: string }

const f = (op: 'lt' | 'le' | 'gt' | 'ge' | 'eq' | 'ne', a: Expr, b: number | Expr) => bin(op, 'f64', a, typeof b === 'number' ? f64(b) : b);
const not = (x: Expr) => un('eqz', 'i32', x);
const or = (a: Expr, b: Expr) => bin('or', 'i32', a, b);
/** CONS_NON_NEGATIVE: a negative sign bit (so -0.0 too), NaN allowed. */
const nonNegative = (k: string): Check => ({ bad: (v) => bin('lt_s', 'i64', cvt('bits:f64->i64', v(k)), i64(0)), text: `${k} < 0` });
/** CONS_POSITIVE. */
const positive = (k: string): Check => ({ bad: (v) => f('le', v(k), 0), text: `${k} <= 0` });

/** NumPy's checks of a distribution's parameters, in its order. */
function checks(fn: string, arrays: boolean): Check[] {
  switch (fn) {
    case 'uniform': return [{ bad: (v) => not(f('lt', un('abs', 'f64', bin('sub', 'f64', v('high'), v('low'))), Infinity)), text: 'Range exceeds valid bounds', kind: 'OverflowError' }];
    case 'normal': case 'exponential': case 'laplace': case 'logistic': return [nonNegative('scale')];
    case 'lognormal': return [nonNegative('sigma')];
    case 'standard_gamma': return [nonNegative('shape')];
    case 'gamma': return [nonNegative('shape'), nonNegative('scale')];
    case 'beta': return [positive('a'), positive('b')];
    case 'chisquare': case 'standard_t': return [positive('df')];
    case 'weibull': return [nonNegative('a')];
    case 'pareto': return [positive('a')];
    case 'poisson': {
      const negative: Check = { bad: (v) => not(f('ge', v('lam'), 0)), text: 'lam < 0 or lam is NaN', arrayText: 'lam < 0 or lam contains NaNs' };
      const large: Check = { bad: (v) => not(f('le', v('lam'), POISSON_LAM_MAX)), text: 'lam value too large' };
      return arrays ? [large, negative] : [negative, large];
    }
    case 'binomial': return [
      { bad: (v) => or(not(f('ge', v('p'), 0)), not(f('le', v('p'), 1))), text: 'p < 0, p > 1 or p is NaN', arrayText: 'p < 0, p > 1 or p contains NaNs' },
      { bad: (v) => bin('lt_s', 'i64', v('n'), i64(0)), text: 'n < 0' },
    ];
    case 'geometric': return [{ bad: (v) => or(not(f('gt', v('p'), 0)), not(f('le', v('p'), 1))), text: 'p <= 0, p > 1 or p contains NaNs' }];
    case 'triangular': return [
      { bad: (v) => f('gt', v('left'), v('mode')), text: 'left > mode' },
      { bad: (v) => f('gt', v('mode'), v('right')), text: 'mode > right' },
      { bad: (v) => f('eq', v('left'), v('right')), text: 'left == right' },
    ];
    default: return [];
  }
}

/** NumPy's parameter names and defaults of uniform, normal and the distributions. */
export function paramNames(fn: string): { names: string[]; defaults: number[] } {
  if (fn === 'uniform') return { names: ['low', 'high'], defaults: [0, 1] };
  if (fn === 'normal') return { names: ['loc', 'scale'], defaults: [0, 1] };
  const spec = DIST_PARAMS[fn];
  return { names: spec.names, defaults: spec.defaults.map((x) => x ?? 0) };
}

/**
 * Draws `fn` with its parameters: scalars give `draw` their values (the caller fills arrays of
 * `size`); returns null then. With an array parameter, returns the result array (`t`), filled here.
 */
export function withParams(fl: FnLowerer, fn: string, given: Map<string, A.Expr>, t: Type, span: Span,
  draw: (args: Expr[]) => { e: Expr; dtype: DType }): { scalarDraw: () => { e: Expr; dtype: DType } } | { result: Val } {
  const { names, defaults } = paramNames(fn);
  const types: DType[] = names.map((k) => (fn === 'binomial' && k === 'n' ? 'int64' : 'float64'));
  const vals = names.map((k, i) => {
    const a = given.get(k);
    if (!a || a.kind === 'None') return { k: 's', e: types[i] === 'int64' ? i64(defaults[i]) : f64(defaults[i]), dtype: types[i] } as Val;
    return fl.expr(a);
  });
  const arrays = vals.filter((v): v is Val & { k: 'a' } => v.k === 'a').map((v) => v.a);
  const scalars = vals.map((v, i) => (v.k === 'a' ? null : fl.tmp(convert((v as { e: Expr }).e, (v as { dtype: DType }).dtype, types[i]))));
  const fail = (c: Check, cond: Expr) => fl.emit({ k: 'if', cond, then: [c.kind
    ? fl.trap(fl.mod.imp('err_raise', ['i32'], null), i32(fl.mod.site(Code.ValueError, c.kind, span, c.text)))
    : raise(fl, 'ValueError', arrays.length && c.arrayText ? c.arrayText : c.text, span)], else: [] });
  if (!arrays.length) {
    const v = (k: string) => scalars[names.indexOf(k)]!;
    for (const c of checks(fn, false)) fail(c, c.bad(v));
    const args = scalars as Expr[];
    return { scalarDraw: () => draw(args) };
  }
  // Array parameters: the result's shape, then each check over all of it, then the draws.
  const sizeE = given.get('size');
  const out = t as Type & { kind: 'array' };
  let shape: Expr[];
  if (sizeE && sizeE.kind !== 'None') {
    shape = fl.shapeExprs(sizeE).map((n) => fl.tmp(n, 'n'));
    fl.checkBroadcastTo(shape, arrays, span);
  } else {
    shape = fl.broadcastShape(out.ndim, arrays, span).map((n) => fl.tmp(n, 'n'));
  }
  const params: ArrRef[] = vals.flatMap((v) => (v.k === 'a' ? [v.a] : []));
  const valueAt = (ptrs: Expr[]) => (k: string) => {
    const i = names.indexOf(k);
    const v = vals[i];
    if (v.k !== 'a') return scalars[i]!;
    const a = v.a, at = ptrs[params.indexOf(a) + 1];
    return convert(load(vtOf(a.dtype), memOf(a.dtype), at), a.dtype, types[i]);
  };
  const res = fl.alloc(out.dtype, shape, true);
  for (const c of checks(fn, true)) {
    const flag = fl.fresh('bad', 'i32');
    fl.emit({ k: 'set', name: flag, value: i32(0) });
    fl.nest(shape, [res, ...params], span, (ptrs) => [{ k: 'set', name: flag, value: or(get(flag, 'i32'), c.bad(valueAt(ptrs))) }]);
    fail(c, get(flag, 'i32'));
  }
  fl.nest(shape, [res, ...params], span, (ptrs) => {
    const v = valueAt(ptrs), d = draw(names.map((k) => v(k)));
    return [{ k: 'store', mem: memOf(out.dtype), addr: ptrs[0], value: convert(d.e, d.dtype, out.dtype) }];
  });
  return { result: fl.ownedArray(res) };
}
