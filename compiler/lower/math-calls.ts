// Python's math module on numbers (`math.sqrt(x)`, ...): NumPy's function computed in float64, then
// CPython's domain and range checks; and isclose's element.
import type * as A from '../../language/ast.js';
import { MATH_FNS } from '../../language/builtins.js';
import { type DType, elemOf, isFloat, promote } from '../../language/types.js';
import type * as I from '../ir.js';
import type { FnLowerer } from './function.js';
import type { Val } from './values.js';
import { bin, call, convert, cst, f64, i32, un, vtOf } from '../ir-build.js';
import { fmtTrap } from './library.js';

type Expr = I.Expr;

/** The math functions whose result can overflow (CPython's can_overflow: OverflowError rather than ValueError). */
const MATH_OVERFLOWS = new Set(['exp', 'exp2', 'expm1', 'sinh', 'cosh']);
/** Those that never raise (radians and degrees multiply; the others are defined everywhere). */
const MATH_NO_ERRORS = new Set(['radians', 'degrees', 'fabs', 'atan', 'tanh', 'erf', 'atan2', 'copysign', 'hypot']);

/**
 * `math.f(x, ...)` of numbers (Python's math module; checker.ts mathCall): the value of NumPy's f,
 * computed in float64, then CPython's checks (mathmodule.c: math_1, math_2, math_fmod, math_pow):
 * a nan result from a non-nan argument, or an infinite one from finite arguments, raises ValueError
 * (`math domain error`) or, where the function can overflow, OverflowError (`math range error`).
 */
export function mathCall(fl: FnLowerer, e: A.Call, id: string): Val {
  const span = e.span;
  const vals = e.args.map((x) => fl.expr(x) as { e: Expr; dtype: DType });
  const f = (v: { e: Expr; dtype: DType }) => fl.tmp(convert(v.e, v.dtype, 'float64'));
  const raise = (kind: string, text: string, cond: Expr) => fl.emit({ k: 'if', cond, then: [fmtTrap(fl, kind, text, span)], else: [] });
  const and = (a: Expr, b: Expr) => bin('and', 'i32', a, b), or = (a: Expr, b: Expr) => bin('or', 'i32', a, b);
  const isnan = (x: Expr) => bin('ne', 'f64', x, x);
  const isinf = (x: Expr) => bin('eq', 'f64', un('abs', 'f64', x), f64(Infinity));
  const finite = (x: Expr) => bin('lt', 'f64', un('abs', 'f64', x), f64(Infinity));
  const not = (x: Expr) => un('eqz', 'i32', x);
  const float = (x: Expr): Val => ({ k: 's', e: fl.tmp(x), dtype: 'float64' });
  const bool = (x: Expr): Val => ({ k: 's', e: fl.tmp(x), dtype: 'bool' });
  const DOMAIN = 'math domain error', RANGE = 'math range error';
  /** The value of NumPy's f at float64 arguments, with math_1's checks. */
  const unary = (name: string, x: Expr): Expr => {
    const r = fl.tmp((fl.builtinScalar(MATH_FNS.get(name)!, [{ k: 's', e: x, dtype: 'float64' }], 'float64', e) as { e: Expr }).e);
    if (MATH_NO_ERRORS.has(name)) return r;
    raise('ValueError', DOMAIN, and(isnan(r), not(isnan(x))));
    raise(MATH_OVERFLOWS.has(name) ? 'OverflowError' : 'ValueError', MATH_OVERFLOWS.has(name) ? RANGE : DOMAIN, and(isinf(r), finite(x)));
    return r;
  };
  switch (id) {
    case 'floor': case 'ceil': case 'trunc': {
      // Python's int: an int argument is itself; a float must be finite.
      const v = vals[0];
      if (!isFloat(v.dtype)) return { k: 's', e: convert(v.e, v.dtype, 'int64'), dtype: 'int64' };
      const x = f(v);
      raise('ValueError', 'cannot convert float NaN to integer', isnan(x));
      raise('OverflowError', 'cannot convert float infinity to integer', isinf(x));
      return { k: 's', e: fl.tmp(convert(un(id, 'f64', x), 'float64', 'int64')), dtype: 'int64' };
    }
    case 'isnan': case 'isinf': case 'isfinite': {
      const v = vals[0];
      if (!isFloat(v.dtype)) return bool(i32(id === 'isfinite' ? 1 : 0));
      const x = f(v);
      return bool(id === 'isnan' ? isnan(x) : id === 'isinf' ? isinf(x) : finite(x));
    }
    case 'isclose': {
      // CPython's math.isclose: symmetric, rel_tol=1e-09, abs_tol=0.0.
      const a = f(vals[0]), b = f(vals[1]);
      const tol = (name: string, dflt: number) => { const k = fl.kwOf(e, name); return k ? f(fl.expr(k) as { e: Expr; dtype: DType }) : f64(dflt); };
      const rel = tol('rel_tol', 1e-9), abs = tol('abs_tol', 0);
      raise('ValueError', 'tolerances must be non-negative', or(bin('lt', 'f64', rel, f64(0)), bin('lt', 'f64', abs, f64(0))));
      const diff = fl.tmp(un('abs', 'f64', bin('sub', 'f64', b, a)));
      const close = or(or(bin('le', 'f64', diff, un('abs', 'f64', bin('mul', 'f64', rel, b))), bin('le', 'f64', diff, un('abs', 'f64', bin('mul', 'f64', rel, a)))), bin('le', 'f64', diff, abs));
      return bool(or(bin('eq', 'f64', a, b), and(not(or(isinf(a), isinf(b))), close)));
    }
    case 'log': {
      const num = unary('log', f(vals[0]));
      if (vals.length === 1) return float(num);
      // math.log(x, base) is log(x) / log(base): base 1 divides by zero.
      const den = unary('log', f(vals[1]));
      raise('ZeroDivisionError', 'float division by zero', bin('eq', 'f64', den, f64(0)));
      return float(bin('div', 'f64', num, den));
    }
    case 'pow': {
      // math_pow: errors only for finite arguments (0 ** -1 and (-8) ** (1/3) are domain errors).
      const x = f(vals[0]), y = f(vals[1]);
      const r = fl.tmp(call(fl.mod.math('pow'), 'f64', x, y));
      const fin = and(finite(x), finite(y));
      raise('ValueError', DOMAIN, and(fin, or(isnan(r), and(isinf(r), bin('eq', 'f64', x, f64(0))))));
      raise('OverflowError', RANGE, and(fin, and(isinf(r), bin('ne', 'f64', x, f64(0)))));
      return float(r);
    }
    case 'atan2': case 'hypot': case 'copysign': case 'fmod': {
      const x = f(vals[0]), y = f(vals[1]);
      const r = fl.tmp((fl.builtinScalar(MATH_FNS.get(id)!, [{ k: 's', e: x, dtype: 'float64' }, { k: 's', e: y, dtype: 'float64' }], 'float64', e) as { e: Expr }).e);
      // math_fmod: fmod(x, 0) and fmod(inf, y) are domain errors.
      if (id === 'fmod') raise('ValueError', DOMAIN, and(isnan(r), not(or(isnan(x), isnan(y)))));
      return float(r);
    }
  }
  return float(unary(id, f(vals[0])));
}

/**
 * One element of np.isclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False), as NumPy 2 computes it:
 * b becomes a float (a Python int a Python float), then `abs(a - b) <= atol + rtol * abs(b)` in
 * NEP 50's promoted dtypes (a Python number adapts: float32 operands stay float32), and b finite,
 * or `a == b` (equal infinities), or with equal_nan both nan. `args`: a, b, then the keywords given.
 */
export function isCloseElem(fl: FnLowerer, e: A.Call, args: Val[]): Expr {
  const el = (x: A.Expr) => elemOf(fl.type(x))!;
  const given = ['rtol', 'atol', 'equal_nan'].map((n) => e.keywords.find((k) => k.name === n)?.value);
  let i = 2;
  const vals = given.map((g) => (g ? { v: args[i++] as { e: Expr; dtype: DType }, t: el(g) } : null));
  const tx = el(e.args[0]), ty0 = el(e.args[1]);
  const ty = { dtype: (isFloat(ty0.dtype) ? ty0.dtype : 'float64') as DType, weak: ty0.weak };
  const weakFloat = { dtype: 'float64' as DType, weak: true };
  const tr = vals[0]?.t ?? weakFloat, ta = vals[1]?.t ?? weakFloat;
  const dD = promote(tx, ty), dR = promote(tr, ty), dA = promote(ta, dR), dC = promote(dD, dA);
  const sx = args[0] as { e: Expr; dtype: DType }, sy = args[1] as { e: Expr; dtype: DType };
  const x = fl.tmp(sx.e), y = fl.tmp(convert(sy.e, sy.dtype, ty.dtype));
  const as = (v: Expr, from: DType, to: DType) => convert(v, from, to);
  const vt = (d: DType) => vtOf(d);
  const absy = un('abs', vt(ty.dtype), y);
  const diff = un('abs', vt(dD.dtype), bin('sub', vt(dD.dtype), as(x, sx.dtype, dD.dtype), as(y, ty.dtype, dD.dtype)));
  const rtol = vals[0] ? as(vals[0].v.e, vals[0].v.dtype, dR.dtype) : cst(vt(dR.dtype), 1e-5);
  const atol = vals[1] ? as(vals[1].v.e, vals[1].v.dtype, dA.dtype) : cst(vt(dA.dtype), 1e-8);
  const tol = bin('add', vt(dA.dtype), atol, as(bin('mul', vt(dR.dtype), rtol, as(absy, ty.dtype, dR.dtype)), dR.dtype, dA.dtype));
  const le = bin('le', vt(dC.dtype), as(diff, dD.dtype, dC.dtype), as(tol, dA.dtype, dC.dtype));
  const finite = bin('lt', vt(ty.dtype), un('abs', vt(ty.dtype), y), cst(vt(ty.dtype), Infinity));
  const eq = bin('eq', vt(dD.dtype), as(x, sx.dtype, dD.dtype), as(y, ty.dtype, dD.dtype));
  let r = bin('or', 'i32', bin('and', 'i32', le, finite), eq);
  if (vals[2]) {
    const xnan = isFloat(sx.dtype) ? bin('ne', vt(sx.dtype), x, x) : i32(0);
    r = bin('or', 'i32', r, bin('and', 'i32', convert(vals[2].v.e, vals[2].v.dtype, 'bool'), bin('and', 'i32', xnan, bin('ne', vt(ty.dtype), y, y))));
  }
  return r;
}
