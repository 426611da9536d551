// Typing of operators and subscripts (part of the Checker, as a mixin class): binary operators with
// NumPy's promotion and static broadcasting, matmul's shapes, basic and array indexing.
import type * as A from './ast.js';
import { expandEllipsis } from './ast.js';
import { Code } from './diagnostics.js';
import type { Span } from './source.js';
import { strBinary } from './check-strings.js';
import { complexBinary } from './check-complex.js';
import { Unknown } from './check-base.js';
import { array, broadcastShapes, type DType, elemOf, isFloat, kindOf, promote, promoteDtypes, scalar, showShape, showType, type Type } from './types.js';
import type { Checker } from './checker.js';

export class OperatorTyping {
  broadcastRank(this: Checker, a: Type, b: Type, _span: Span): number {
    const ra = a.kind === 'array' ? a.ndim : 0, rb = b.kind === 'array' ? b.ndim : 0;
    return Math.max(ra, rb);
  }
  binaryType(this: Checker, op: A.BinaryOp, l: Type, r: Type, span: Span, right?: A.Expr): Type {
    if (l.kind === 'str' || r.kind === 'str') return strBinary(this, op, l, r, span);
    if (l.kind === 'complex' || r.kind === 'complex') return complexBinary(this, op, l, r, span, right);
    if (l.kind === 'list' || r.kind === 'list') {
      const intLike = (t: Type) => t.kind === 'scalar' && !isFloat(t.dtype);
      if (op === '+' && l.kind === 'list' && r.kind === 'list') return this.unify(l, r, span, "the operands of '+'");
      if (op === '*' && (l.kind === 'list' ? intLike(r) : intLike(l))) return l.kind === 'list' ? l : r;
      this.error(Code.TypeMismatch, `unsupported operand type(s) for ${op}: '${showType(l)}' and '${showType(r)}' (a list is not an array: use np.array(xs))`, span);
      throw new Unknown();
    }
    if (op === '@') {
      if (l.kind !== 'array' || r.kind !== 'array') { this.error(Code.TypeMismatch, `'@' needs two arrays, got ${showType(l)} and ${showType(r)}`, span); throw new Unknown(); }
      return this.matmulType(l, r, span);
    }
    const a = elemOf(l), b = elemOf(r);
    if (!a || !b) { this.error(Code.TypeMismatch, `unsupported operand types for ${op}: ${showType(l)} and ${showType(r)}`, span); throw new Unknown(); }
    if (right) this.literalInRange(right, l, r);
    let p = promote(a, b);
    switch (op) {
      case '/': if (kindOf(p.dtype) < 2) p = { dtype: 'float64', weak: p.weak }; break;
      case '&': case '|': case '^':
        if (isFloat(p.dtype)) this.error(Code.TypeMismatch, `'${op}' needs integers or booleans, got ${p.dtype}`, span);
        break;
      case '<<': case '>>':
        if (kindOf(p.dtype) !== 1) { if (isFloat(p.dtype)) this.error(Code.TypeMismatch, `'${op}' needs integers, got ${p.dtype}`, span); p = { dtype: 'int64', weak: p.weak }; }
        break;
      default:
        // Python's True + True is 2; NumPy's bools (arrays, np.bool_ scalars) add as logical or.
        if (p.dtype === 'bool' && (p.weak || op !== '+' && op !== '*')) p = { dtype: 'int64', weak: p.weak };
    }
    if (l.kind === 'array' || r.kind === 'array') return array(p.dtype, this.broadcastRank(l, r, span), this.staticBroadcast(l, r, span));
    return scalar(p.dtype, p.weak);
  }
  /** The result shape when both shapes are known; a mismatch is reported here, at compile time. */
  staticBroadcast(this: Checker, l: Type, r: Type, span: Span): number[] | undefined {
    const sl = l.kind === 'array' ? l.shape : l.kind === 'scalar' ? [] : undefined;
    const sr = r.kind === 'array' ? r.shape : r.kind === 'scalar' ? [] : undefined;
    if (!sl || !sr) return undefined;
    const out = broadcastShapes(sl, sr);
    if (!out) this.error(Code.ShapeMismatch, `operands could not be broadcast together with shapes ${showShape(sl)} ${showShape(sr)}`, span);
    return out ?? undefined;
  }
  matmulType(this: Checker, l: Type & { kind: 'array' }, r: Type & { kind: 'array' }, span: Span): Type {
    const d = promoteDtypes(l.dtype, r.dtype);
    const dt: DType = d === 'bool' ? 'bool' : d;
    if (l.ndim > 2 || r.ndim > 2) { this.error(Code.Unsupported, 'matmul of arrays with more than 2 dimensions is not supported yet', span); throw new Unknown(); }
    const nd = (l.ndim === 2 ? 1 : 0) + (r.ndim === 2 ? 1 : 0);
    return nd === 0 ? scalar(dt) : array(dt, nd);
  }
  subscriptType(this: Checker, e: A.Subscript, base: Type & { kind: 'array' }): Type {
    // `a[[0, 2]]`: NumPy makes a list index an index array (or a mask); so does Par, once per node.
    if (e.index.some((ix) => ix.kind === 'List' && ix.elts.length > 0)) {
      const np = [...this.imports.modules].find(([, m]) => m === 'numpy')?.[0];
      e.index = e.index.map((ix): A.Expr => {
        if (ix.kind !== 'List' || ix.elts.length === 0) return ix;
        const func: A.Expr = np ? { kind: 'Attribute', value: { kind: 'Name', id: np, span: ix.span }, attr: 'array', attrSpan: ix.span, span: ix.span } : { kind: 'Name', id: 'array', span: ix.span };
        return { kind: 'Call', func, args: [ix], keywords: [], span: ix.span };
      });
    }
    const second = e.index.filter((ix) => ix.kind === 'Slice' && ix.ellipsis)[1];
    if (second) { this.error(Code.IndexError, "an index can only have a single ellipsis ('...')", second.span); throw new Unknown(); }
    const index = expandEllipsis(e.index, base.ndim);
    if (index.length === 1 && index[0].kind !== 'Slice') {
      const it = this.expr(index[0]);
      if (it.kind === 'array') return this.arrayIndexType(index[0], base, it);
    }
    const axes = index.filter((ix) => ix.kind !== 'None').length;
    if (axes > base.ndim) { this.error(Code.IndexError, `too many indices: ${axes} for a ${base.ndim}-d array`, e.span); throw new Unknown(); }
    let dims = base.ndim, arrays = 0;
    for (const ix of index) {
      if (ix.kind === 'None') {
        // numpy.newaxis: a new axis of length 1.
        this.expr(ix);
        if (++dims > 4) { this.error(Code.Unsupported, 'arrays have at most 4 dimensions', ix.span); throw new Unknown(); }
      } else if (ix.kind === 'Slice') {
        for (const part of [ix.lower, ix.upper, ix.step]) {
          if (!part) continue;
          const t = this.expr(part);
          if (t.kind !== 'none' && (t.kind !== 'scalar' || isFloat(t.dtype))) this.error(Code.TypeMismatch, `slice bounds must be integers, got ${showType(t)}`, part.span);
        }
      } else {
        const t = this.expr(ix);
        if (t.kind === 'array') {
          // One 1-d index array among basic indices selects along its axis (Note [Mixed index arrays] in compiler/lower/index-arrays.ts).
          if (isFloat(t.dtype)) { this.error(Code.IndexError, 'arrays used as indices must be of integer (or boolean) type', ix.span); throw new Unknown(); }
          if (t.ndim !== 1) { this.error(Code.Unsupported, 'an index array of more than one dimension combined with other indices is not supported yet', ix.span); throw new Unknown(); }
          if (arrays++) { this.error(Code.Unsupported, 'indexing with more than one index array (a[idx1, idx2]) is not supported yet', ix.span); throw new Unknown(); }
          continue;
        }
        if (t.kind !== 'scalar' || isFloat(t.dtype)) { this.error(Code.TypeMismatch, `array indices must be integers, got ${showType(t)}`, ix.span); throw new Unknown(); }
        dims--;
      }
    }
    return dims === 0 ? scalar(base.dtype) : array(base.dtype, dims);
  }
  /** a[m] with a boolean mask (a new 1-d array of the selected elements) or a[idx] with an int array (gather along axis 0). */
  arrayIndexType(this: Checker, ix: A.Expr, base: Type & { kind: 'array' }, t: Type & { kind: 'array' }): Type {
    if (t.dtype === 'bool') {
      if (t.ndim > base.ndim) { this.error(Code.IndexError, `too many indices for array: array is ${base.ndim}-dimensional, but ${t.ndim} were indexed`, ix.span); throw new Unknown(); }
      if (t.ndim === base.ndim) {
        const k = base.shape && t.shape ? t.shape.findIndex((n, j) => n !== base.shape![j]) : -1;
        if (k >= 0) this.error(Code.IndexError, `boolean index did not match indexed array along axis ${k}; size of axis is ${base.shape![k]} but size of corresponding boolean axis is ${t.shape![k]}`, ix.span);
        return array(base.dtype, 1);
      }
      if (t.ndim === 1) return array(base.dtype, base.ndim);
      this.error(Code.Unsupported, `a ${t.ndim}-d boolean mask on a ${base.ndim}-d array is not supported yet (use a mask of the array's shape, or a 1-d mask on the first axis)`, ix.span);
      throw new Unknown();
    }
    if (isFloat(t.dtype)) { this.error(Code.IndexError, 'arrays used as indices must be of integer (or boolean) type', ix.span); throw new Unknown(); }
    if (t.ndim === 0) { this.error(Code.Unsupported, 'indexing with a 0-d integer array is not supported yet; use an integer', ix.span); throw new Unknown(); }
    // The index's shape, then the rest of the array's (Note [Index arrays of any rank] in lowering).
    return array(base.dtype, t.ndim + base.ndim - 1);
  }
}
