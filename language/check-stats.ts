// Typing of NumPy's order statistics: median, percentile and quantile (the default 'linear'
// method), of the flattened array or along one literal axis, for one q or a 1-d sequence of them.
import type * as A from './ast.js';
import { Code } from './diagnostics.js';
import { type DType, type Type, array, isFloat, scalar } from './types.js';
import { Unknown } from './check-base.js';
import { literalAxis } from './check-numpy.js';
import type { Checker } from './checker.js';

/** float32 stays float32 (NumPy computes in the input's float type); everything else gives float64. */
export const statsDtype = (d: DType): DType => (d === 'float32' ? 'float32' : 'float64');

export function statsCall(ck: Checker, c: A.Call, fname: string): Type {
  const hasQ = fname !== 'median';
  ck.nargs(c, hasQ ? 2 : 1, hasQ ? 2 : 1, fname);
  const kw = ck.kw(c, ['axis', 'overwrite_input', 'keepdims', ...(hasQ ? ['method', 'interpolation'] : [])], fname);
  const t = ck.expr(c.args[0]);
  if (t.kind !== 'array' || t.ndim === 0) { ck.error(Code.TypeMismatch, `${fname}() needs an array of at least 1 dimension, got ${t.kind === 'array' ? 'a 0-d array' : t.kind}`, c.args[0].span); throw new Unknown(); }
  const ax = literalAxis(ck, kw.get('axis')?.value, t.ndim, null);
  ck.flagArg(kw, 'overwrite_input', fname);
  if (ck.flagArg(kw, 'keepdims', fname)) ck.error(Code.Unsupported, `${fname}(keepdims=True) is not supported yet`, kw.get('keepdims')!.value.span);
  const interp = kw.get('interpolation');
  if (interp) ck.error(Code.Unsupported, `${fname}(interpolation=...) is deprecated in NumPy and not supported; Par computes method='linear'`, interp.span);
  const method = kw.get('method')?.value;
  if (method && !(method.kind === 'Str' && method.value === 'linear')) ck.error(Code.Unsupported, `${fname}(method=...): only the default method 'linear' is supported`, method.span);
  let vector = false;
  if (hasQ) {
    const q = c.args[1];
    const qt = ck.expr(q);
    if (qt.kind === 'array' && qt.ndim === 1) vector = true;
    else if (qt.kind === 'list' && qt.elem?.kind === 'scalar') vector = true;
    else if (qt.kind === 'tuple' && qt.elems.length > 0 && qt.elems.every((x) => x.kind === 'scalar')) vector = true;
    else if (qt.kind !== 'scalar') { ck.error(Code.TypeMismatch, `${fname}() q must be a number or a 1-d sequence of numbers, got ${qt.kind === 'array' ? `a ${qt.ndim}-d array` : qt.kind}`, q.span); throw new Unknown(); }
    if (qt.kind === 'scalar' && qt.dtype === 'bool') ck.error(Code.TypeMismatch, `${fname}() q must be a number`, q.span);
  }
  if (hasQ && t.dtype === 'bool') ck.error(Code.TypeMismatch, `${fname}() of a bool array: NumPy's interpolation subtracts booleans, which it does not support (convert with astype(int) first)`, c.args[0].span);
  // An integer q (0 or 1) of quantile() indexes the sorted array, which keeps its dtype (NumPy's take).
  const qt = hasQ ? ck.inst.types.get(c.args[1]) : undefined;
  const intQ = fname === 'quantile' && qt?.kind === 'scalar' && !isFloat(qt.dtype);
  // One q gives the input's float type; a sequence of them gives float64 (NumPy's gamma is then an array).
  const d = intQ ? t.dtype : vector ? 'float64' : statsDtype(t.dtype);
  const rest = ax === null ? 0 : t.ndim - 1;
  const nd = rest + (vector ? 1 : 0);
  return nd === 0 ? scalar(d, false) : array(d, nd);
}
