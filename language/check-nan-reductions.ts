// NumPy's reductions that skip nan (np.nansum, nanprod, nanmax, nanmin, nanmean): the checker
// rewrites such a call, once, into the reduction of a masked array, as NumPy computes them
// (numpy/lib/_nanfunctions_impl.py): nansum is the sum with each nan replaced by 0 (same pairwise
// order), nanmean that sum over the count of non-nan elements, nanmax the max with nans as -inf, nan
// where every element was nan. For integer and bool arrays they are the plain reductions.
import type * as A from './ast.js';
import { Code } from './diagnostics.js';
import type { Checker } from './checker.js';
import { Unknown } from './check-base.js';
import { isFloat } from './types.js';
import { pure, replaceNode } from './check-formula-rewrites.js';

export const NAN_REDUCTIONS = new Set(['nansum', 'nanprod', 'nanmax', 'nanmin', 'nanmean']);

type Span = A.Expr['span'];
const np = (attr: string, span: Span): A.Expr => ({ kind: 'Attribute', value: { kind: 'Name', id: 'numpy', span }, attr, attrSpan: span, span });
const call = (f: string, args: A.Expr[], keywords: A.Keyword[], span: Span): A.Expr => ({ kind: 'Call', func: np(f, span), args, keywords, span });
/** A number as Python would write it: nan and inf through numpy's constants, negatives with a minus. */
const float = (value: number, span: Span): A.Expr => {
  if (Number.isNaN(value)) return np('nan', span);
  if (value < 0) return { kind: 'Unary', op: '-', operand: float(-value, span), span };
  return value === Infinity ? np('inf', span) : { kind: 'Float', value, span };
};

/** Rewrites the call `c` of np.`name` in place (see the file's comment); problems are reported and throw. */
export function rewriteNanReduction(ck: Checker, c: A.Call, name: string): A.Expr {
  const allowed = name === 'nanmax' || name === 'nanmin' ? ['axis', 'keepdims'] : ['axis', 'keepdims', 'dtype'];
  const bad = c.keywords.find((k) => !allowed.includes(k.name));
  if (bad) { ck.error(Code.Unsupported, `${name}(${bad.name}=...) is not supported in Par`, bad.span); throw new Unknown(); }
  if (c.args.length < 1 || c.args.length > 2) { ck.error(Code.ArgCount, `${name}() takes an array and axis=`, c.span); throw new Unknown(); }
  const [a, axis] = c.args;
  const kws: A.Keyword[] = [...(axis ? [{ name: 'axis', value: axis, span: axis.span }] : []), ...c.keywords];
  const span = c.span;
  const plain = name.slice(3);
  const t = ck.expr(a);
  let e: A.Expr;
  if (!(t.kind === 'array' || t.kind === 'scalar') || !isFloat(t.dtype)) e = call(plain, [a], kws, span);
  else {
    // The array expression appears two or three times below, so it must not draw random numbers or call functions.
    if (!pure(ck, a)) { ck.error(Code.Unsupported, `${name}() of this expression is not supported in Par; assign it to a variable first`, a.span); throw new Unknown(); }
    const isnan = call('isnan', [a], [], span);
    const masked = (fill: number) => call('where', [isnan, float(fill, span), a], [], span);
    switch (name) {
      case 'nansum': e = call('sum', [masked(0)], kws, span); break;
      case 'nanprod': e = call('prod', [masked(1)], kws, span); break;
      case 'nanmean': {
        const count = call('sum', [{ kind: 'Unary', op: '~', operand: isnan, span }], kws.filter((k) => k.name !== 'dtype'), span);
        e = { kind: 'Binary', op: '/', left: call('sum', [masked(0)], kws, span), right: count, span };
        break;
      }
      default: {
        const best = call(plain, [masked(name === 'nanmax' ? -Infinity : Infinity)], kws, span);
        e = call('where', [call('all', [isnan], kws, span), float(NaN, span), best], [], span);
      }
    }
  }
  return replaceNode(c, e);
}

