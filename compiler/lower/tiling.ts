// np.tile, np.repeat (a.repeat) and np.argwhere, each a function taking the FnLowerer. Typing is
// language/check-tiling.ts.
//
// Note [Tiles and repeats as views]: both results are copies of `a` through a view with an extra
// axis of stride 0. tile(a, (r0, r1)) of an (n0, n1) array fills the (r0*n0, r1*n1) result seen as
// (r0, n0, r1, n1), from `a` seen with strides (0, s0, 0, s1); repeat(a, r, axis=k) fills the result
// seen with axis k split into (n_k, r), from `a` with a stride-0 axis after k. One copy nest each, on
// the team and in SIMD like any copy. Repeats given per element (an array) are a loop of row copies.
import type * as A from '../../language/ast.js';
import { axisValue } from '../../language/check-numpy.js';
import { argOf } from '../../language/check-tiling.js';
import type { Span } from '../../language/source.js';
import { type DType, type Type } from '../../language/types.js';
import type * as I from '../ir.js';
import type { FnLowerer } from './function.js';
import type { ArrRef, Val } from './values.js';
import { add32, bin, convert, cvt, get, i32, memOf, mul32, select } from '../ir-build.js';
import { copyRaw, elemAddr, flattenCopy, fmtTrap, ld, row } from './library.js';
import { loop } from './lists.js';

type Expr = I.Expr;

const COPY_OP = { par: true, simd: true } as const;

export function tilingCall(fl: FnLowerer, e: A.Call, fname: string, args: A.Expr[], t: Type): Val {
  const span = e.span;
  const a = (fl.expr(argOf(e, args, 0, fname === 'tile' ? 'A' : 'a')!) as { a: ArrRef }).a;
  switch (fname) {
    case 'tile': return tile(fl, a, argOf(e, args, 1, 'reps')!, (t as { ndim: number }).ndim, span);
    case 'repeat': {
      const axE = argOf(e, args, 2, 'axis');
      const v = axisValue(axE, null);
      const rE = argOf(e, args, 1, 'repeats')!;
      let src = a, k = 0;
      if (v === null || v === undefined) {
        // No axis: repeat the elements of the flattened array.
        if (a.ndim !== 1) src = (fl.ownedArray(flattenCopy(fl, a, a.dtype, span)) as { a: ArrRef }).a;
      } else k = v < 0 ? v + a.ndim : v;
      const rt = fl.type(rE);
      if (rt.kind === 'scalar') {
        const r = fl.expr(rE) as { e: Expr; dtype: DType };
        return repeatEach(fl, src, k, fl.tmp(cvt('i64->i32', convert(r.e, r.dtype, 'int64')), 'r'), span);
      }
      return repeatCounts(fl, src, k, (fl.expr(rE) as { a: ArrRef }).a, span);
    }
    case 'argwhere': return argwhere(fl, a, span);
  }
  throw new Error(`internal: ${fname} not lowered`);
}

/** np.tile (Note [Tiles and repeats as views]); `d` is the result's rank. */
function tile(fl: FnLowerer, a: ArrRef, repsE: A.Expr, d: number, span: Span): Val {
  const rv = fl.expr(repsE);
  const items = rv.k === 't' ? rv.items : [rv];
  const reps: Expr[] = items.map((x) => fl.tmp(cvt('i64->i32', convert((x as { e: Expr }).e, (x as { dtype: DType }).dtype, 'int64')), 'rep'));
  for (const r of reps) negativeCheck(fl, r, 'negative dimensions are not allowed', span);
  const pad = <T>(xs: T[], fill: T): T[] => [...Array(d - xs.length).fill(fill), ...xs];
  const shape = pad(a.shape, i32(1)), strides = pad(a.strides, i32(0)), r = pad(reps, i32(1));
  const out = fl.alloc(a.dtype, shape.map((n, j) => mul32(r[j], n)), true);
  const dst: ArrRef = { ...out, ndim: 2 * d, shape: shape.flatMap((n, j) => [r[j], n]), strides: out.strides.flatMap((s, j) => [mul32(shape[j], s), s]) };
  const src: ArrRef = { ...a, ndim: 2 * d, shape: dst.shape, strides: strides.flatMap((s) => [i32(0), s]) };
  fl.nest(dst.shape, [dst, src], span, (p) => [{ k: 'store', mem: memOf(a.dtype), addr: p[0], value: ld(a.dtype, p[1]) }], COPY_OP);
  return fl.ownedArray(out);
}

/** np.repeat with one count for every element along axis k (Note [Tiles and repeats as views]). */
function repeatEach(fl: FnLowerer, a: ArrRef, k: number, r: Expr, span: Span): Val {
  negativeCheck(fl, r, 'negative dimensions are not allowed', span);
  const out = fl.alloc(a.dtype, a.shape.map((n, j) => (j === k ? mul32(n, r) : n)), true);
  const splice = <T>(xs: T[], x: T, y: T) => [...xs.slice(0, k), x, y, ...xs.slice(k + 1)];
  const shape = splice(a.shape, a.shape[k], r);
  const dst: ArrRef = { ...out, ndim: a.ndim + 1, shape, strides: splice(out.strides, mul32(r, out.strides[k]), out.strides[k]) };
  const src: ArrRef = { ...a, ndim: a.ndim + 1, shape, strides: splice(a.strides, a.strides[k], i32(0)) };
  fl.nest(shape, [dst, src], span, (p) => [{ k: 'store', mem: memOf(a.dtype), addr: p[0], value: ld(a.dtype, p[1]) }], COPY_OP);
  return fl.ownedArray(out);
}

/** np.repeat with a count per element along axis k (or one count, broadcast): rows copied one by one. */
function repeatCounts(fl: FnLowerer, a: ArrRef, k: number, counts: ArrRef, span: Span): Val {
  const n = a.shape[k], m = counts.shape[0];
  fl.emit({ k: 'if', cond: bin('and', 'i32', bin('ne', 'i32', m, n), bin('ne', 'i32', m, i32(1))), then: [
    fmtTrap(fl, 'ValueError', 'operands could not be broadcast together with shape ({0},) ({1},)', span, n, m),
  ], else: [] });
  const one = fl.tmp(bin('eq', 'i32', m, i32(1)));
  const countAt = (i: Expr) => cvt('i64->i32', convert(ld(counts.dtype, elemAddr(counts, counts.data, select('i32', one, i32(0), i), counts.strides[0])), counts.dtype, 'int64'));
  const total = fl.fresh('total', 'i32');
  fl.set(total, i32(0));
  loop(fl, i32(0), n, (i) => {
    const c = fl.tmp(countAt(i), 'c');
    negativeCheck(fl, c, 'repeats may not contain negative values.', span);
    fl.set(total, add32(get(total, 'i32'), c));
  });
  const out = fl.alloc(a.dtype, a.shape.map((x, j) => (j === k ? get(total, 'i32') : x)), true);
  const front = (x: ArrRef): ArrRef => ({ ...x, shape: [x.shape[k], ...x.shape.filter((_s, j) => j !== k)], strides: [x.strides[k], ...x.strides.filter((_s, j) => j !== k)] });
  const from = front(a), to = front(out);
  const at = fl.fresh('at', 'i32');
  fl.set(at, i32(0));
  loop(fl, i32(0), n, (i) => {
    const c = fl.tmp(countAt(i), 'c');
    loop(fl, i32(0), c, () => {
      copyRaw(fl, row(to, get(at, 'i32')), row(from, i), span);
      fl.set(at, add32(get(at, 'i32'), i32(1)));
    });
  });
  return fl.ownedArray(out);
}

function negativeCheck(fl: FnLowerer, x: Expr, message: string, span: Span): void {
  fl.emit({ k: 'if', cond: bin('lt_s', 'i32', x, i32(0)), then: [fmtTrap(fl, 'ValueError', message, span)], else: [] });
}

/** np.argwhere: the indices of the non-zero elements, one row each, in C order: count, then fill. */
function argwhere(fl: FnLowerer, a: ArrRef, span: Span): Val {
  const nz = (p: Expr) => convert(ld(a.dtype, p), a.dtype, 'bool');
  const cnt = fl.fresh('cnt', 'i32');
  fl.set(cnt, i32(0));
  fl.nest(a.shape, [a], span, (p) => [{ k: 'set', name: cnt, value: add32(get(cnt, 'i32'), nz(p[0])) }]);
  const out = fl.alloc('int64', [fl.tmp(get(cnt, 'i32'), 'n'), i32(a.ndim)], true);
  const q = fl.fresh('q', 'i32');
  fl.set(q, out.data);
  fl.nest(a.shape, [a], span, (p, idx) => [{ k: 'if', cond: nz(p[0]), then: [
    ...idx.map((x, j): I.Stmt => ({ k: 'store', mem: 'i64', addr: add32(get(q, 'i32'), i32(8 * j)), value: cvt('i32->i64', x) })),
    { k: 'set', name: q, value: add32(get(q, 'i32'), i32(8 * a.ndim)) },
  ], else: [] }]);
  return fl.ownedArray(out);
}

