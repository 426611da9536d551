// Typing of Python's math module (lowering is in compiler/lower-library.ts): called with numbers,
// math's functions are Python's (a Python float, an int for floor/ceil/trunc, Python's ValueError
// and OverflowError); applied to an array, NumPy's function of the same meaning, elementwise.
import type * as A from './ast.js';
import { Code } from './diagnostics.js';
import { type Type, BOOL, FLOAT, INT, showType } from './types.js';
import { Unknown } from './check-base.js';
import { MATH_FNS } from './builtins.js';
import type { Checker } from './checker.js';
import { mathProd } from './check-numpy.js';

/**
 * `math.f(...)`: Python's math function, whose value NumPy's f computes. With numbers: a Python
 * float (an int for floor/ceil/trunc, a bool for isnan/isinf/isfinite/isclose), and CPython's
 * errors (lowering checks them). With an array: NumPy's f, elementwise (Python's math takes numbers only).
 */
export function mathCall(ck: Checker, c: A.Call, id: string): Type {
  if (id === 'prod') return mathProd(ck, c);
  const fname = `math.${id}`;
  const two = ['atan2', 'hypot', 'copysign', 'fmod', 'pow', 'isclose'].includes(id);
  const kw = ck.kw(c, id === 'isclose' ? ['rel_tol', 'abs_tol'] : [], fname);
  ck.nargs(c, two ? 2 : 1, two || id === 'log' ? 2 : 1, fname);
  const ts = c.args.map((a) => ck.valueArg(a, fname));
  for (const k of kw.values()) {
    const kt = ck.expr(k.value);
    if (kt.kind !== 'scalar') ck.error(Code.TypeMismatch, `${fname}() ${k.name} must be a number, got ${showType(kt)}`, k.value.span);
  }
  if (ts.some((t) => t.kind === 'array')) {
    const np = MATH_FNS.get(id)!;
    if (id === 'isclose' || c.args.length === 2 && id === 'log') {
      ck.error(Code.TypeMismatch, `${fname}() takes numbers, not arrays (use ${id === 'log' ? 'np.log(x) / np.log(base)' : 'np.isclose'})`, c.span);
      throw new Unknown();
    }
    ck.inst.calls.set(c, { kind: 'builtin', name: np, self: null });
    return ck.builtin(c, np, null);
  }
  if (['floor', 'ceil', 'trunc'].includes(id)) return INT;
  if (['isnan', 'isinf', 'isfinite', 'isclose'].includes(id)) return BOOL;
  return FLOAT;
}
