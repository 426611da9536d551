// np.tile, np.repeat (a.repeat), np.split/np.array_split, np.argwhere, and the views np.flip,
// np.expand_dims, np.squeeze and np.atleast_Nd, each a function taking the FnLowerer. Typing is
// language/check-arrangement.ts.
//
// Note [Tiles and repeats as views]: both results are copies of `a` through a view with an extra
// axis of stride 0. tile(a, (r0, r1)) of an (n0, n1) array fills the (r0*n0, r1*n1) result seen as
// (r0, n0, r1, n1), from `a` seen with strides (0, s0, 0, s1); repeat(a, r, axis=k) fills the result
// seen with axis k split into (n_k, r), from `a` with a stride-0 axis after k. One copy nest each, on
// the team and in SIMD like any copy. Repeats given per element (an array) are a loop of row copies.
import type * as A from '../../language/ast.js';
import { axisValue } from '../../language/check-numpy.js';
import { argOf, atleastAxes, literalAxes } from '../../language/check-arrangement.js';
import type { Span } from '../../language/source.js';
import { type DType, type Type } from '../../language/types.js';
import type * as I from '../ir.js';
import type { FnLowerer } from './function.js';
import type { ArrRef, Val } from './values.js';
import { add32, bin, convert, cvt, get, i32, log2Size, memOf, mul32, select } from '../ir-build.js';
import { copyRaw, elemAddr, flattenCopy, fmtTrap, ld, row } from './library.js';
import { listOf, loop, sequence } from './lists.js';
import { toFront } from './index-arrays.js';

type Expr = I.Expr;

const COPY_OP = { par: true, simd: true } as const;

export function arrangementCall(fl: FnLowerer, e: A.Call, fname: string, args: A.Expr[], t: Type): Val {
  const span = e.span;
  const first = fname === 'tile' ? 'A' : fname.endsWith('split') ? 'ary' : fname.startsWith('flip') ? 'm' : 'a';
  const a = (fl.expr(argOf(e, args, 0, first)!) as { a: ArrRef }).a;
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
    case 'flip': case 'flipud': case 'fliplr': {
      const axes = fname === 'flipud' ? [0] : fname === 'fliplr' ? [1] : literalAxes(argOf(e, args, 1, 'axis'), a.ndim) ?? a.shape.map((_n, j) => j);
      // The last element along each flipped axis comes first; its stride turns negative.
      const off = axes.reduce((acc: Expr, j) => add32(acc, mul32(bin('sub', 'i32', a.shape[j], i32(1)), a.strides[j])), i32(0));
      const data = add32(a.data, bin('shl', 'i32', off, i32(log2Size(a.dtype))));
      return fl.makeView(a, data, a.shape, a.strides.map((st, j) => (axes!.includes(j) ? bin('sub', 'i32', i32(0), st) : st)));
    }
    case 'expand_dims': {
      const axes = literalAxes(argOf(e, args, 1, 'axis'), (t as { ndim: number }).ndim)!;
      const shape: Expr[] = [], strides: Expr[] = [];
      let k = 0;
      for (let j = 0; j < a.ndim + axes.length; j++) {
        if (axes.includes(j)) { shape.push(i32(1)); strides.push(i32(0)); } else { shape.push(a.shape[k]); strides.push(a.strides[k++]); }
      }
      return fl.makeView(a, a.data, shape, strides);
    }
    case 'squeeze': {
      const nd = (t as { ndim: number }).ndim;
      const named = literalAxes(argOf(e, args, 1, 'axis'), a.ndim);
      // Without axis=, the checker knew the extents: the axes of extent 1 go.
      const shapeT = (fl.type(argOf(e, args, 0, 'a')!) as { shape?: number[] }).shape;
      const axes = named ?? shapeT!.flatMap((x, j) => (x === 1 ? [j] : []));
      for (const j of axes) {
        fl.emit({ k: 'if', cond: bin('ne', 'i32', a.shape[j], i32(1)), then: [fmtTrap(fl, 'ValueError', 'cannot select an axis to squeeze out which has size not equal to one', span)], else: [] });
      }
      const keep = a.shape.map((_n, j) => j).filter((j) => !axes.includes(j));
      if (keep.length !== nd) throw new Error('internal: squeeze rank');
      return fl.makeView(a, a.data, keep.map((j) => a.shape[j]), keep.map((j) => a.strides[j]));
    }
    case 'atleast_1d': case 'atleast_2d': case 'atleast_3d': {
      const map = atleastAxes(Number(fname[8]), a.ndim);
      return fl.makeView(a, a.data, map.map((j) => (j < 0 ? i32(1) : a.shape[j])), map.map((j) => (j < 0 ? i32(0) : a.strides[j])));
    }
    case 'split': case 'array_split': {
      const v = axisValue(argOf(e, args, 2, 'axis'), 0) ?? 0;
      return split(fl, a, v < 0 ? v + a.ndim : v, argOf(e, args, 1, 'indices_or_sections')!, fname === 'split', t, span);
    }
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
  const from = toFront(a, k), to = toFront(out, k);
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

/**
 * np.split and np.array_split along axis k: a list of views. A number of sections N cuts the axis
 * into N pieces (np.split: equal ones, else NumPy's ValueError; array_split: the first n % N one
 * longer); a sequence of indices cuts it before each, piece j being a[ix[j-1]:ix[j]] with Python's
 * slice rules (negative from the end, clamped, empty when reversed).
 */
function split(fl: FnLowerer, a: ArrRef, k: number, sE: A.Expr, equal: boolean, t: Type, span: Span): Val {
  const n = a.shape[k];
  const sv = fl.expr(sE);
  let count: Expr, start: (j: Expr) => Expr, end: (j: Expr) => Expr;
  if (sv.k === 's') {
    const parts = fl.tmp(cvt('i64->i32', convert(sv.e, sv.dtype, 'int64')), 'sections');
    fl.emit({ k: 'if', cond: bin('le_s', 'i32', parts, i32(0)), then: [fmtTrap(fl, 'ValueError', 'number sections must be larger than 0.', span)], else: [] });
    const each = fl.tmp(bin('div_s', 'i32', n, parts)), extra = fl.tmp(bin('rem_s', 'i32', n, parts));
    if (equal) fl.emit({ k: 'if', cond: bin('ne', 'i32', extra, i32(0)), then: [fmtTrap(fl, 'ValueError', 'array split does not result in an equal division', span)], else: [] });
    count = parts;
    start = (j) => add32(mul32(j, each), select('i32', bin('lt_s', 'i32', j, extra), j, extra));
    end = (j) => start(add32(j, i32(1)));
  } else {
    // The cut points, as int64, in a scratch array: a tuple's items, or a list's or array's elements.
    const seq = sv.k === 't' ? null : sequence(fl, sE);
    const m = sv.k === 't' ? i32(sv.items.length) : fl.tmp(cvt('i64->i32', seq!.count()), 'm');
    const cuts = fl.alloc('int64', [m], true);
    fl.ownedArray(cuts);
    const put = (j: Expr, x: Val) => fl.emit({ k: 'store', mem: 'i64', addr: add32(cuts.data, bin('shl', 'i32', j, i32(3))), value: convert((x as { e: Expr }).e, (x as { dtype: DType }).dtype, 'int64') });
    if (sv.k === 't') sv.items.forEach((x, j) => put(i32(j), x));
    else loop(fl, i32(0), m, (j) => put(j, seq!.item(cvt('i32->i64', j))));
    const cut = (j: Expr) => fl.tmp(cvt('i64->i32', ld('int64', add32(cuts.data, bin('shl', 'i32', j, i32(3))))));
    // Python's slice bound: negative counts from the end, then clamped to [0, n].
    const clamp = (x: Expr) => {
      const y = fl.tmp(select('i32', bin('lt_s', 'i32', x, i32(0)), add32(x, n), x));
      return fl.tmp(select('i32', bin('lt_s', 'i32', y, i32(0)), i32(0), select('i32', bin('gt_s', 'i32', y, n), n, y)));
    };
    count = fl.tmp(add32(m, i32(1)), 'count');
    start = (j) => fl.tmp(select('i32', bin('eq', 'i32', j, i32(0)), i32(0), clamp(cut(select('i32', bin('eq', 'i32', j, i32(0)), i32(0), bin('sub', 'i32', j, i32(1)))))));
    end = (j) => fl.tmp(select('i32', bin('eq', 'i32', j, m), n, clamp(cut(select('i32', bin('eq', 'i32', j, m), i32(0), j)))));
  }
  return listOf(fl, t.kind === 'list' ? t.elem! : t, count, (j) => {
    const lo = fl.tmp(start(j), 'lo'), hi = fl.tmp(end(j), 'hi');
    const len = select('i32', bin('gt_s', 'i32', hi, lo), bin('sub', 'i32', hi, lo), i32(0));
    const data = add32(a.data, bin('shl', 'i32', mul32(lo, a.strides[k]), i32(log2Size(a.dtype))));
    return fl.makeView(a, data, a.shape.map((x, i) => (i === k ? len : x)), a.strides);
  }, span);
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

