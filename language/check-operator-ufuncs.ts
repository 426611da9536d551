// NumPy's ufuncs that are Python operators (`np.add(a, b)` is `a + b`, `np.less(a, b)` is `a < b`,
// `np.logical_and(a, b)` is `(a != 0) & (b != 0)`): the checker rewrites such a call, once, into the
// operator expression it means, so typing, fusion, SIMD and printing are the operators' own.
import type * as A from './ast.js';
import { Code } from './diagnostics.js';
import type { Checker } from './checker.js';
import { Unknown } from './check-base.js';
import { replaceNode } from './check-formula-rewrites.js';

type Build = (x: A.Expr[], span: A.Expr['span']) => A.Expr;
const binary = (op: A.BinaryOp): Build => ([l, r], span) => ({ kind: 'Binary', op, left: l, right: r, span });
const compare = (op: A.CompareOp): Build => ([l, r], span) => ({ kind: 'Compare', left: l, ops: [op], comparators: [r], span });
const zero = (span: A.Expr['span']): A.Expr => ({ kind: 'Int', value: 0n, span });
const truth = (x: A.Expr, span: A.Expr['span']): A.Expr => compare('!=')([x, zero(span)], span);
const logical = (op: A.BinaryOp): Build => ([l, r], span) => ({ kind: 'Binary', op, left: truth(l, span), right: truth(r, span), span });

/** numpy's name -> [number of arguments, the expression it means]. */
export const OPERATOR_UFUNCS = new Map<string, [number, Build]>([
  ['add', [2, binary('+')]], ['subtract', [2, binary('-')]], ['multiply', [2, binary('*')]],
  ['divide', [2, binary('/')]], ['true_divide', [2, binary('/')]], ['floor_divide', [2, binary('//')]],
  ['mod', [2, binary('%')]], ['remainder', [2, binary('%')]],
  ['bitwise_and', [2, binary('&')]], ['bitwise_or', [2, binary('|')]], ['bitwise_xor', [2, binary('^')]],
  ['left_shift', [2, binary('<<')]], ['right_shift', [2, binary('>>')]],
  ['equal', [2, compare('==')]], ['not_equal', [2, compare('!=')]], ['less', [2, compare('<')]],
  ['less_equal', [2, compare('<=')]], ['greater', [2, compare('>')]], ['greater_equal', [2, compare('>=')]],
  ['logical_and', [2, logical('&')]], ['logical_or', [2, logical('|')]], ['logical_xor', [2, logical('^')]],
  ['logical_not', [1, ([x], span) => compare('==')([x, zero(span)], span)]],
  ['positive', [1, ([x], span) => ({ kind: 'Unary', op: '+', operand: x, span })]],
  ['invert', [1, ([x], span) => ({ kind: 'Unary', op: '~', operand: x, span })]],
  ['bitwise_not', [1, ([x], span) => ({ kind: 'Unary', op: '~', operand: x, span })]],
]);

/** Rewrites the call `c` of operator ufunc `name` in place into its expression (reported problems throw). */
export function rewriteOperatorCall(ck: Checker, c: A.Call, name: string): A.Expr {
  const [n, build] = OPERATOR_UFUNCS.get(name)!;
  if (c.keywords.length) { ck.error(Code.Unsupported, `np.${name}(${c.keywords[0].name}=...) is not supported in Par; write the operator expression`, c.keywords[0].span); throw new Unknown(); }
  if (c.args.length !== n) { ck.error(Code.ArgCount, `${name}() takes ${n} argument${n === 1 ? '' : 's'}, got ${c.args.length}`, c.span); throw new Unknown(); }
  const e = build(c.args, c.span);
  return replaceNode(c, e);
}
