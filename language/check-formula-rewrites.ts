// NumPy functions that are formulas of others (np.ptp is max - min, np.logspace is base **
// linspace, np.average is a weighted sum over the weights' sum, np.trapezoid sums d * (y[1:] +
// y[:-1]) / 2, np.cross of 3-vectors is its three products): the checker rewrites such a call, once,
// into the expression NumPy evaluates (numpy/lib/_function_base_impl.py, numpy/_core/numeric.py), so
// the digits are NumPy's and the result fuses like any expression. `pure` guards arguments that the
// formula reads more than once.
import type * as A from './ast.js';
import { Code } from './diagnostics.js';
import type { Checker } from './checker.js';
import { Unknown } from './check-base.js';
import { BINARY_UFUNCS, CREATION, UNARY_UFUNCS } from './builtins.js';
import { isFloat } from './types.js';

export const FORMULA_FNS = new Set(['ptp', 'logspace', 'average', 'trapezoid', 'trapz', 'cross', 'digitize', 'sinc', 'fmax', 'fmin', 'nan_to_num', 'heaviside', 'reciprocal']);

type Span = A.Expr['span'];
const RESHAPING = new Set(['reshape', '.reshape', 'ravel', '.ravel', 'transpose', '.transpose', '.astype', '.copy', '.flatten', 'astype']);
const np = (attr: string, span: Span): A.Expr => ({ kind: 'Attribute', value: { kind: 'Name', id: 'numpy', span }, attr, attrSpan: span, span });
export const npCall = (f: string, args: A.Expr[], keywords: A.Keyword[], span: Span): A.Expr => ({ kind: 'Call', func: np(f, span), args, keywords, span });
const bin = (op: A.BinaryOp, left: A.Expr, right: A.Expr, span: Span): A.Expr => ({ kind: 'Binary', op, left, right, span });
const int = (v: number, span: Span): A.Expr => ({ kind: 'Int', value: BigInt(v), span });
const slice = (lower: A.Expr | null, upper: A.Expr | null, span: Span): A.Expr => ({ kind: 'Slice', lower, upper, step: null, span } as A.Expr);
const ellipsis = (span: Span): A.Expr => ({ kind: 'Slice', lower: null, upper: null, step: null, ellipsis: true, span } as A.Expr);
const lastAxis = (e: A.Expr, ix: A.Expr, span: Span): A.Expr => ({ kind: 'Subscript', value: e, index: [ellipsis(span), ix], span } as A.Expr);

/** Whether evaluating `e` more than once gives the same value at no great cost: names, literals, indexing, operators and ufuncs of such. */
export function pure(ck: Checker, e: A.Expr): boolean {
  switch (e.kind) {
    case 'Name': case 'Int': case 'Float': case 'Bool': case 'Str': return true;
    case 'List': case 'Tuple': return e.elts.every((x) => pure(ck, x));
    case 'Attribute': return pure(ck, e.value);
    case 'Subscript': return pure(ck, e.value) && e.index.every((ix) => (ix.kind === 'Slice' ? [ix.lower, ix.upper, ix.step].every((p) => !p || pure(ck, p)) : pure(ck, ix)));
    case 'Unary': return pure(ck, e.operand);
    case 'Binary': return pure(ck, e.left) && pure(ck, e.right);
    case 'Compare': return pure(ck, e.left) && e.comparators.every((x) => pure(ck, x));
    case 'Call': {
      const f = ck.expr(e.func);
      // Ufuncs, creation functions (np.arange(5), np.array([...])) and reshaping: the same values each time.
      if (f.kind !== 'builtin' || !(UNARY_UFUNCS.has(f.name) || BINARY_UFUNCS.has(f.name) || CREATION.has(f.name) || RESHAPING.has(f.name))) return false;
      const self = f.name.startsWith('.') && e.func.kind === 'Attribute' ? [e.func.value] : [];
      return [...self, ...e.args].every((x) => pure(ck, x)) && e.keywords.every((k) => pure(ck, k.value));
    }
    default: return false;
  }
}

/** Replaces the node `c` by `e` in place, so every later pass and lowering see `e`. */
export function replaceNode(c: A.Call, e: A.Expr): A.Expr {
  for (const k of Object.keys(c)) delete (c as unknown as Record<string, unknown>)[k];
  return Object.assign(c as unknown as A.Expr, e);
}

/** The arguments by NumPy's parameter names (positional or keyword); unknown keywords are errors. */
function params(ck: Checker, c: A.Call, fname: string, names: string[]): Map<string, A.Expr> {
  const m = new Map<string, A.Expr>();
  if (c.args.length > names.length) { ck.error(Code.ArgCount, `${fname}() takes at most ${names.length} arguments, got ${c.args.length}`, c.span); throw new Unknown(); }
  c.args.forEach((a, i) => m.set(names[i], a));
  for (const k of c.keywords) {
    if (!names.includes(k.name)) { ck.error(Code.Unsupported, `${fname}(${k.name}=...) is not supported in Par`, k.span); throw new Unknown(); }
    if (m.has(k.name)) { ck.error(Code.ArgCount, `${fname}() got multiple values for argument '${k.name}'`, k.span); throw new Unknown(); }
    m.set(k.name, k.value);
  }
  return m;
}

function needPure(ck: Checker, fname: string, ...es: (A.Expr | undefined)[]): void {
  for (const e of es) {
    if (e && !pure(ck, e)) { ck.error(Code.Unsupported, `${fname}() of this expression is not supported in Par; assign it to a variable first`, e.span); throw new Unknown(); }
  }
}

function required(ck: Checker, c: A.Call, fname: string, p: Map<string, A.Expr>, name: string): A.Expr {
  const e = p.get(name);
  if (!e) { ck.error(Code.ArgCount, `${fname}() missing required argument '${name}'`, c.span); throw new Unknown(); }
  return e;
}

/** Rewrites the call `c` of np.`name` in place into the formula NumPy evaluates. */
export function rewriteFormula(ck: Checker, c: A.Call, name: string): A.Expr {
  const span = c.span;
  const kw = (m: Map<string, A.Expr>, ...names: string[]): A.Keyword[] => names.filter((n) => m.has(n)).map((n) => ({ name: n, value: m.get(n)!, span: m.get(n)!.span }));
  switch (name) {
    case 'ptp': {
      const p = params(ck, c, name, ['a', 'axis', 'keepdims']);
      const a = required(ck, c, name, p, 'a');
      needPure(ck, name, a);
      const ks = kw(p, 'axis', 'keepdims');
      return replaceNode(c, bin('-', npCall('max', [a], ks, span), npCall('min', [a], ks, span), span));
    }
    case 'logspace': {
      const p = params(ck, c, name, ['start', 'stop', 'num', 'endpoint', 'base', 'dtype']);
      if (p.has('dtype')) { ck.error(Code.Unsupported, 'logspace(dtype=...) is not supported yet; use .astype()', p.get('dtype')!.span); throw new Unknown(); }
      const lin = npCall('linspace', [required(ck, c, name, p, 'start'), required(ck, c, name, p, 'stop')], kw(p, 'num', 'endpoint'), span);
      return replaceNode(c, npCall('power', [p.get('base') ?? { kind: 'Float', value: 10, span }, lin], [], span));
    }
    case 'average': {
      const p = params(ck, c, name, ['a', 'axis', 'weights', 'returned', 'keepdims']);
      if (p.has('returned')) { ck.error(Code.Unsupported, 'average(returned=...) is not supported yet', p.get('returned')!.span); throw new Unknown(); }
      const a = required(ck, c, name, p, 'a'), w = p.get('weights');
      const ks = kw(p, 'axis', 'keepdims');
      if (!w || w.kind === 'None') return replaceNode(c, npCall('mean', [a], ks, span));
      needPure(ck, name, w);
      const at = ck.expr(a), wt = ck.expr(w);
      if (at.kind === 'array' && wt.kind === 'array' && at.ndim !== wt.ndim) { ck.error(Code.Unsupported, 'average() with weights of another shape than the array is not supported yet; give weights of its shape', w.span); throw new Unknown(); }
      // NumPy: np.multiply(a, wgt).sum(axis) / wgt.sum(axis), in at least float64.
      const wf = npCall('asarray', [w], [{ name: 'dtype', value: np('float64', span), span }], span);
      return replaceNode(c, bin('/', npCall('sum', [npCall('multiply', [a, wf], [], span)], ks, span), npCall('sum', [wf], ks, span), span));
    }
    case 'trapezoid': case 'trapz': {
      const p = params(ck, c, name, ['y', 'x', 'dx', 'axis']);
      const y = required(ck, c, name, p, 'y'), x = p.get('x');
      const ax = p.get('axis');
      if (ax && !(ax.kind === 'Unary' && ax.op === '-' && ax.operand.kind === 'Int' && ax.operand.value === 1n)) { ck.error(Code.Unsupported, `${name}() along another axis than the last is not supported yet`, ax.span); throw new Unknown(); }
      needPure(ck, name, y);
      const d = x && x.kind !== 'None' ? npCall('diff', [x], [], span) : p.get('dx') ?? { kind: 'Float', value: 1, span };
      const pairs = bin('+', lastAxis(y, slice(int(1, span), null, span), span), lastAxis(y, slice(null, int(-1, span), span), span), span);
      return replaceNode(c, npCall('sum', [bin('/', bin('*', d, pairs, span), { kind: 'Float', value: 2, span }, span)], [{ name: 'axis', value: { kind: 'Unary', op: '-', operand: int(1, span), span }, span }], span));
    }
    case 'digitize': {
      // NumPy: searchsorted(bins, x, side) for increasing bins, len(bins) - searchsorted(bins[::-1], x, side) for decreasing ones.
      const p = params(ck, c, name, ['x', 'bins', 'right']);
      const x = required(ck, c, name, p, 'x'), bins = required(ck, c, name, p, 'bins');
      const r = p.get('right');
      if (r && r.kind !== 'Bool') { ck.error(Code.TypeMismatch, 'digitize(right=...) must be True or False, written out', r.span); throw new Unknown(); }
      needPure(ck, name, x, bins);
      const side: A.Keyword = { name: 'side', value: { kind: 'Str', value: r?.kind === 'Bool' && r.value ? 'left' : 'right', span }, span };
      const reversed: A.Expr = { kind: 'Subscript', value: bins, index: [{ kind: 'Slice', lower: null, upper: null, step: int(-1, span), span } as A.Expr], span } as A.Expr;
      const len: A.Expr = { kind: 'Call', func: { kind: 'Name', id: 'len', span }, args: [bins], keywords: [], span };
      const first: A.Expr = { kind: 'Subscript', value: bins, index: [int(0, span)], span } as A.Expr;
      const lastEl: A.Expr = { kind: 'Subscript', value: bins, index: [{ kind: 'Unary', op: '-', operand: int(1, span), span }], span } as A.Expr;
      const increasing: A.Expr = { kind: 'Compare', left: first, ops: ['<='], comparators: [lastEl], span };
      return replaceNode(c, npCall('where', [increasing, npCall('searchsorted', [bins, x], [side], span), bin('-', len, npCall('searchsorted', [reversed, x], [side], span), span)], [], span));
    }
    case 'sinc': {
      // NumPy: y = pi * where(x == 0, 1.0e-20, x); sin(y) / y.
      const p = params(ck, c, name, ['x']);
      const x = required(ck, c, name, p, 'x');
      const y = bin('*', np('pi', span), npCall('where', [{ kind: 'Compare', left: x, ops: ['=='], comparators: [int(0, span)], span }, { kind: 'Float', value: 1e-20, span }, x], [], span), span);
      needPure(ck, name, x);
      return replaceNode(c, bin('/', npCall('sin', [y], [], span), y, span));
    }
    case 'fmax': case 'fmin': {
      // maximum/minimum, except that a nan gives way to the other operand.
      const p = params(ck, c, name, ['x1', 'x2']);
      const a = required(ck, c, name, p, 'x1'), b = required(ck, c, name, p, 'x2');
      needPure(ck, name, a, b);
      const nan = (v: A.Expr): A.Expr => npCall('isnan', [v], [], span);
      return replaceNode(c, npCall('where', [nan(a), b, npCall('where', [nan(b), a, npCall(name === 'fmax' ? 'maximum' : 'minimum', [a, b], [], span)], [], span)], [], span));
    }
    case 'heaviside': {
      // 0 below zero, 1 above, x2 at zero, nan for nan.
      const p = params(ck, c, name, ['x1', 'x2']);
      const a = required(ck, c, name, p, 'x1'), b = required(ck, c, name, p, 'x2');
      needPure(ck, name, a);
      const cmp = (op: A.CompareOp): A.Expr => ({ kind: 'Compare', left: a, ops: [op], comparators: [int(0, span)], span });
      const f = (v: number): A.Expr => ({ kind: 'Float', value: v, span });
      return replaceNode(c, npCall('where', [cmp('<'), f(0), npCall('where', [cmp('>'), f(1), npCall('where', [cmp('=='), b, np('nan', span)], [], span)], [], span)], [], span));
    }
    case 'nan_to_num': {
      // nan -> nan=, +inf -> posinf= (the dtype's largest), -inf -> neginf=; integers unchanged.
      const p = params(ck, c, name, ['x', 'copy', 'nan', 'posinf', 'neginf']);
      const x = required(ck, c, name, p, 'x');
      const t = ck.expr(x);
      if (!(t.kind === 'array' || t.kind === 'scalar') || !isFloat(t.dtype)) return replaceNode(c, npCall('copy', [x], [], span));
      needPure(ck, name, x);
      const big = t.dtype === 'float32' ? 3.4028234663852886e38 : Number.MAX_VALUE;
      // (Negative numbers as Python writes them: a minus applied to a literal.)
      const f = (v: number): A.Expr => (v < 0 ? { kind: 'Unary', op: '-', operand: { kind: 'Float', value: -v, span }, span } : { kind: 'Float', value: v, span });
      const inf = (sign: number): A.Expr => ({ kind: 'Compare', left: x, ops: ['=='], comparators: [sign < 0 ? { kind: 'Unary', op: '-', operand: np('inf', span), span } : np('inf', span)], span });
      const pick = (k: string, dflt: number): A.Expr => { const v = p.get(k); return v && v.kind !== 'None' ? v : f(dflt); };
      const cast = (v: A.Expr): A.Expr => npCall(t.dtype, [v], [], span);
      return replaceNode(c, npCall('where', [npCall('isnan', [x], [], span), cast(pick('nan', 0)), npCall('where', [inf(1), cast(pick('posinf', big)), npCall('where', [inf(-1), cast(pick('neginf', -big)), x], [], span)], [], span)], [], span));
    }
    case 'reciprocal': {
      const p = params(ck, c, name, ['x']);
      const x = required(ck, c, name, p, 'x');
      const t = ck.expr(x);
      if (!(t.kind === 'array' || t.kind === 'scalar') || !isFloat(t.dtype)) { ck.error(Code.Unsupported, 'reciprocal() of integers (which NumPy truncates) is not supported in Par; write 1 / x', x.span); throw new Unknown(); }
      return replaceNode(c, bin('/', { kind: 'Float', value: 1, span }, x, span));
    }
    case 'cross': {
      const p = params(ck, c, name, ['a', 'b']);
      const a = required(ck, c, name, p, 'a'), b = required(ck, c, name, p, 'b');
      needPure(ck, name, a, b);
      const at = ck.expr(a), bt = ck.expr(b);
      if (at.kind !== 'array' || bt.kind !== 'array') { ck.error(Code.TypeMismatch, 'cross() takes two arrays of 3-vectors', c.span); throw new Unknown(); }
      const comp = (x: A.Expr, k: number) => lastAxis(x, int(k, span), span);
      const term = (i: number, j: number) => bin('-', bin('*', comp(a, i), comp(b, j), span), bin('*', comp(a, j), comp(b, i), span), span);
      const parts = [term(1, 2), term(2, 0), term(0, 1)];
      // 1-d vectors give numbers: an array of the three; otherwise the three arrays stacked on a last axis.
      if (at.ndim === 1 && bt.ndim === 1) return replaceNode(c, npCall('array', [{ kind: 'List', elts: parts, span } as A.Expr], [], span));
      return replaceNode(c, npCall('stack', [{ kind: 'Tuple', elts: parts, span } as A.Expr], [{ name: 'axis', value: { kind: 'Unary', op: '-', operand: int(1, span), span }, span }], span));
    }
  }
  throw new Unknown();
}
