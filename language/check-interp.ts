// Typing of np.interp (one-dimensional piecewise-linear interpolation); lowering is
// compiler/lower/interp.ts.
import type * as A from './ast.js';
import { Code } from './diagnostics.js';
import { type Type, array, scalar, showType } from './types.js';
import { Unknown } from './check-base.js';
import type { Checker } from './checker.js';
import { argOf } from './check-arrangement.js';

export const INTERP_PARAMS = ['x', 'xp', 'fp', 'left', 'right', 'period'];

/** The argument of parameter `name`: positional by INTERP_PARAMS' order, or keyword. */
export const interpArg = (c: A.Call, name: string): A.Expr | undefined => argOf(c, c.args, INTERP_PARAMS.indexOf(name), name);

export function interpCall(ck: Checker, c: A.Call): Type {
  const kw = ck.kw(c, INTERP_PARAMS, 'interp');
  if (c.args.length > 5) { ck.error(Code.ArgCount, 'interp() takes x, xp, fp, left=, right=', c.span); throw new Unknown(); }
  const period = kw.get('period')?.value;
  if (period && period.kind !== 'None') { ck.error(Code.Unsupported, 'interp(period=...) is not supported yet', period.span); throw new Unknown(); }
  const [xE, xpE, fpE] = ['x', 'xp', 'fp'].map((n) => interpArg(c, n));
  if (!xE || !xpE || !fpE) { ck.error(Code.ArgCount, 'interp() needs x, xp and fp', c.span); throw new Unknown(); }
  const x = ck.valueArg(xE, 'interp');
  for (const e of [xpE, fpE]) {
    const t = ck.expr(e);
    if (t.kind !== 'array' || t.ndim !== 1) { ck.error(Code.ValueError, t.kind === 'array' ? 'object too deep for desired array' : `interp() needs 1-d arrays for xp and fp, got ${showType(t)}`, e.span); throw new Unknown(); }
  }
  for (const n of ['left', 'right']) {
    const e = interpArg(c, n);
    if (e && e.kind !== 'None' && ck.expr(e).kind !== 'scalar') { ck.error(Code.TypeMismatch, `interp() ${n} must be a number`, e.span); throw new Unknown(); }
  }
  return x.kind === 'array' ? array('float64', x.ndim) : scalar('float64');
}
