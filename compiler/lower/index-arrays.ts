// Boolean masks and integer-array (fancy) indexing: `a[m]`, `a[idx]`, one 1-d index array among
// basic indices (`a[:, idx]`), index arrays of any rank (`lut[img]`), and stores through them
// (`a[m] = v`, `a[idx] += v`).
//
// Note [Masks]: `a[m]` counts the True elements, allocates the result and gathers in a second pass
// over the same nest; when `m` is an elementwise expression (`a[a > 0]`) it is evaluated inside both
// passes instead of being materialized. Stores (`a[m] = v`, `a[m] += v`) evaluate the right side
// first; the mask expression is fused into the store loop too unless one of its arrays overlaps `a`
// other than as the identical view (decided at run time, as for slice stores): reading element i of
// `a` just before writing element i is safe, reading another element of it is not.
import type * as A from '../../language/ast.js';
import type { Span } from '../../language/source.js';
import type { Type } from '../../language/types.js';
import type * as I from '../ir.js';
import type { FnLowerer } from './function.js';
import type { ArrRef, Val } from './values.js';
import { add32, bin, convert, get, i32, i64, log2Size, memOf, mul32, select } from '../ir-build.js';
import { arr, copyRaw, elemAddr, flattenCopy, fmtTrap, ld, row, size } from './library.js';

type Expr = I.Expr;
type Stmt = I.Stmt;

export function isArrayIndex(fl: FnLowerer, e: A.Subscript): boolean {
  const index = fl.indices(e);
  return index.length === 1 && index[0].kind !== 'Slice' && fl.type(index[0]).kind === 'array';
}

/** The value of the mask at one element: a load from a materialized mask, or the fused expression. */
interface Mask { ops: ArrRef[]; at(ptrs: Expr[]): Expr; shape: Expr[] }

type Leaves = ReturnType<FnLowerer['leavesOf']>;

/** The mask `ix`: fused when it is an elementwise expression (`pre`: its leaves, already evaluated), else materialized. */
function maskOf(fl: FnLowerer, ix: A.Expr, span: Span, pre?: Leaves): Mask {
  const t = fl.type(ix) as Type & { kind: 'array' };
  if (pre || fl.isElementwise(ix)) {
    const l = pre ?? fl.leavesOf(ix);
    const ops = [...l.leaves.values()];
    const shape = fl.broadcastShape(t.ndim, ops, span);
    return {
      ops, shape, at: (ptrs) => {
        const m = new Map<A.Expr, Expr>();
        [...l.leaves.entries()].forEach(([k, a], i) => m.set(k, ld(a.dtype, ptrs[i])));
        const v = fl.elemExpr(ix, m, l.scalars);
        return convert(v.e, v.dtype, 'bool');
      },
    };
  }
  const m = arr(fl, ix);
  return { ops: [m], shape: m.shape, at: (ptrs) => ld('bool', ptrs[0]) };
}

function checkMaskShape(fl: FnLowerer, a: ArrRef, shape: Expr[], span: Span): void {
  shape.forEach((n, k) => fl.emit({ k: 'if', cond: bin('ne', 'i32', n, a.shape[k]), then: [
    fmtTrap(fl, 'IndexError', 'boolean index did not match indexed array along axis {0}; size of axis is {1} but size of corresponding boolean axis is {2}', span, i64(k), a.shape[k], n),
  ], else: [] }));
}

/** Number of True elements, counted in one nest over `a`'s shape. */
function countTrue(fl: FnLowerer, a: ArrRef, m: Mask, span: Span): Expr {
  const cnt = fl.fresh('cnt', 'i32');
  fl.set(cnt, i32(0));
  fl.nest(a.shape, m.ops, span, (p) => fl.block(() => fl.set(cnt, add32(get(cnt, 'i32'), m.at(p)))));
  return get(cnt, 'i32');
}

/** a[m] and a[idx] as values. */
export function gather(fl: FnLowerer, e: A.Subscript): Val {
  const a = arr(fl, e.value);
  const ix = fl.indices(e)[0];
  const it = fl.type(ix) as Type & { kind: 'array' };
  if (it.dtype === 'bool' && it.ndim === a.ndim) {
    const m = maskOf(fl, ix, e.span);
    checkMaskShape(fl, a, m.shape, e.span);
    const out = fl.alloc(a.dtype, [fl.tmp(countTrue(fl, a, m, e.span), 'n')], true);
    const q = fl.fresh('q', 'i32');
    fl.set(q, out.data);
    fl.nest(a.shape, [a, ...m.ops], e.span, (p) => fl.block(() => fl.emit({ k: 'if', cond: m.at(p.slice(1)), then: [
      { k: 'store', mem: memOf(a.dtype), addr: get(q, 'i32'), value: ld(a.dtype, p[0]) },
      { k: 'set', name: q, value: add32(get(q, 'i32'), i32(1 << log2Size(a.dtype))) },
    ], else: [] })));
    return fl.ownedArray(out);
  }
  const { flat, shape } = indexArray(fl, ix, e.span);
  const rows = selectedRows(fl, a, flat, e.span);
  // (A 1-d mask selects rows.n of them.)
  const out = fl.alloc(a.dtype, [...(shape.length > 1 ? shape : [rows.n]), ...a.shape.slice(1)], true);
  const dst = asRows(out, shape.length);
  rows.each((src, j) => copyRaw(fl, row(dst, j), row(a, src), e.span));
  return fl.ownedArray(out);
}

/**
 * Note [Index arrays of any rank]: `lut[img]` with a k-d integer array selects rows like a 1-d one;
 * the result has the index's shape followed by the rest of the array's. The index is read through
 * a C-ordered 1-d copy when it has more than one axis, and the result (or, for an assignment, the
 * value broadcast to that shape) through a view whose first k axes are merged into one.
 */
function indexArray(fl: FnLowerer, ix: A.Expr, span: Span): { flat: ArrRef; shape: Expr[] } {
  const idx = arr(fl, ix);
  if (idx.ndim === 1) return { flat: idx, shape: idx.shape };
  const flat = flattenCopy(fl, idx, idx.dtype, span);
  fl.ownedArray(flat);
  return { flat, shape: idx.shape };
}

/** A contiguous array with its first k axes merged into one (k >= 1). */
function asRows(a: ArrRef, k: number): ArrRef {
  if (k === 1) return a;
  const n = a.shape.slice(1, k).reduce((x, y) => mul32(x, y), a.shape[0]);
  return { ...a, ndim: a.ndim - k + 1, shape: [n, ...a.shape.slice(k)], strides: [a.strides[k - 1], ...a.strides.slice(k)] };
}

/** The rows of `a` an index array selects along axis 0 (an int array, or a 1-d mask on a higher-rank array). */
function selectedRows(fl: FnLowerer, a: ArrRef, idx: ArrRef, span: Span, axis = 0): { n: Expr; each(body: (src: Expr, j: Expr) => void): void } {
  const i = fl.fresh('i', 'i32');
  const step = (body: Stmt[]): Stmt => ({ k: 'for', label: `rows${fl.n++}`, v: i, t: 'i32', start: i32(0), stop: idx.shape[0], step: i32(1), body });
  const at = ld(idx.dtype, elemAddr(idx, idx.data, get(i, 'i32'), idx.strides[0]));
  if (idx.dtype === 'bool') {
    const m: Mask = { ops: [idx], shape: idx.shape, at: (p) => ld('bool', p[0]) };
    fl.emit({ k: 'if', cond: bin('ne', 'i32', idx.shape[0], a.shape[0]), then: [
      fmtTrap(fl, 'IndexError', 'boolean index did not match indexed array along axis {0}; size of axis is {1} but size of corresponding boolean axis is {2}', span, i64(axis), a.shape[0], idx.shape[0]),
    ], else: [] });
    const n = fl.tmp(countTrue(fl, idx, m, span), 'n');
    return {
      n, each: (body) => {
        const j = fl.fresh('j', 'i32');
        fl.set(j, i32(0));
        fl.emit(step([{ k: 'if', cond: at, then: [...fl.block(() => body(get(i, 'i32'), get(j, 'i32'))), { k: 'set', name: j, value: add32(get(j, 'i32'), i32(1)) }], else: [] }]));
      },
    };
  }
  return {
    n: idx.shape[0], each: (body) => fl.emit(step(fl.block(() => {
      const src = fl.checkedIndex(convert(at, idx.dtype, 'int64'), a.shape[0], axis, a.desc, span);
      body(src, get(i, 'i32'));
    }))),
  };
}

/** Whether a subscript mixes one 1-d index array with slices, integers or None (a[:, idx], a[m, 0]). */
export function isMixedArrayIndex(fl: FnLowerer, e: A.Subscript): boolean {
  const index = fl.indices(e);
  return index.length > 1 && index.some((ix) => ix.kind !== 'Slice' && ix.kind !== 'None' && fl.type(ix).kind === 'array');
}

/** a with axis k moved to the front (the same elements; a view in another axis order). */
export const toFront = (a: ArrRef, k: number): ArrRef => ({ ...a, shape: [a.shape[k], ...a.shape.filter((_n, j) => j !== k)], strides: [a.strides[k], ...a.strides.filter((_s, j) => j !== k)] });

/**
 * Note [Mixed index arrays]: a[..., idx, ...] with one 1-d index array (integers or a mask) among
 * slices, integers and None. The basic indices make a view with a full slice in the array's place;
 * that axis of the view (q) is selected like rows, through the view with q moved to the front.
 * NumPy puts the selected axis at q when the integers and the array are adjacent in the index, and
 * first otherwise (a[0, :, idx] has shape (len(idx), n)); the result is allocated in that order and
 * filled, or (for an assignment) the value broadcast to it, through the same kind of moved view.
 */
function mixedIndex(fl: FnLowerer, e: A.Subscript): { rows: ReturnType<typeof selectedRows>; src: ArrRef; at: number } {
  const a = arr(fl, e.value);
  const index = fl.indices(e);
  const pos = index.findIndex((ix) => ix.kind !== 'Slice' && ix.kind !== 'None' && fl.type(ix).kind === 'array');
  const before = fl.indexParts(index.slice(0, pos));
  const after = fl.indexParts(index.slice(pos + 1));
  const all = { k: 'slice' as const, lo: null, hi: null, st: null, span: index[pos].span };
  const view = (fl.indexArr(a, [...before, all, ...after], e.span, true) as { a: ArrRef }).a;
  const q = before.filter((p) => p.k !== 'int').length;
  const axis = before.filter((p) => p.k !== 'new').length;
  const advanced = index.map((ix, i) => i === pos || (ix.kind !== 'Slice' && ix.kind !== 'None'));
  const first = advanced.indexOf(true), last = advanced.lastIndexOf(true);
  const adjacent = advanced.slice(first, last + 1).every(Boolean);
  const src = toFront(view, q);
  return { rows: selectedRows(fl, src, arr(fl, index[pos]), e.span, axis), src, at: adjacent ? q : 0 };
}

/** a[..., idx, ...] as a value (Note [Mixed index arrays]). */
export function gatherMixed(fl: FnLowerer, e: A.Subscript): Val {
  const { rows, src, at } = mixedIndex(fl, e);
  const rest = src.shape.slice(1);
  const out = fl.alloc(src.dtype, [...rest.slice(0, at), rows.n, ...rest.slice(at)], true);
  const dst = toFront(out, at);
  rows.each((from, j) => copyRaw(fl, row(dst, j), row(src, from), e.span));
  return fl.ownedArray(out);
}

/** a[..., idx, ...] = v (Note [Mixed index arrays]); `fresh` as for assignArrayIndex. */
export function assignMixed(fl: FnLowerer, t: A.Subscript, value: Val, fresh: boolean): void {
  let v = value;
  if (v.k === 'a' && !fresh) v = { k: 'a', a: fl.contiguousCopy(v.a), owned: true };
  const { rows, src: dst, at } = mixedIndex(fl, t);
  if (v.k === 's') {
    const x = fl.tmp(convert(v.e, v.dtype, dst.dtype));
    rows.each((d) => { const r = row(dst, d); fl.nest(r.shape, [r], t.span, (p) => [{ k: 'store', mem: memOf(dst.dtype), addr: p[0], value: x }]); });
    return;
  }
  if (v.k !== 'a') return;
  // The value against the result's shape (aligned right); its axis at `at` (or a missing one, of
  // extent 1) supplies one row per selected element, or one row for all.
  const val = v.a, off = dst.ndim - val.ndim;
  const has = at - off >= 0;
  const lead = has ? val.shape[at - off] : i32(1);
  const vt: ArrRef = has ? toFront(val, at - off) : { ...val, ndim: val.ndim + 1, shape: [i32(1), ...val.shape], strides: [i32(0), ...val.strides] };
  fl.emit({ k: 'if', cond: bin('and', 'i32', bin('ne', 'i32', lead, rows.n), bin('ne', 'i32', lead, i32(1))), then: [
    fmtTrap(fl, 'ValueError', 'shape mismatch: value array could not be broadcast to indexing result ({0} values for {1} selected)', t.span, lead, rows.n),
  ], else: [] });
  const one = fl.tmp(bin('eq', 'i32', lead, i32(1)));
  rows.each((d, j) => {
    const from = row(vt, select('i32', one, i32(0), j)), to = row(dst, d);
    if (from.ndim > 0) return fl.copyInto(to, from, t.span);
    // One value per selected element: it fills that element's row.
    const x = fl.tmp(convert(ld(val.dtype, from.data), val.dtype, dst.dtype));
    fl.nest(to.shape, [to], t.span, (p) => [{ k: 'store', mem: memOf(dst.dtype), addr: p[0], value: x }]);
  });
}

/** a[m] = v, a[idx] = v (and a[m] op= v, which arrives as a[m] = a[m] op v). `v` is the right side,
 * already evaluated (NumPy's order); `fresh` says it is a new array, else it is copied in case it views `a`. */
export function assignArrayIndex(fl: FnLowerer, t: A.Subscript, value: Val, fresh: boolean): void {
  let v = value;
  if (v.k === 'a' && !fresh) v = { k: 'a', a: fl.contiguousCopy(v.a), owned: true };
  const a = arr(fl, t.value);
  const ix = fl.indices(t)[0];
  const it = fl.type(ix) as Type & { kind: 'array' };
  const span = t.span;
  if (it.dtype === 'bool' && it.ndim === a.ndim) {
    if (!fl.isElementwise(ix)) return storeMasked(fl, a, maskOf(fl, ix, span), v, span);
    const l = fl.leavesOf(ix);
    const overlap = [...l.leaves.values()].map((x) => fl.mayOverlap(x, a)).reduce<Expr | null>((acc, c) => (acc ? bin('or', 'i32', acc, c) : c), null);
    const fused = () => storeMasked(fl, a, maskOf(fl, ix, span, l), v, span);
    if (!overlap) return fused();
    const viaTemp = fl.block(() => {
      const m = (fl.elementwise(ix, span, l) as { a: ArrRef }).a;
      storeMasked(fl, a, { ops: [m], shape: m.shape, at: (p) => ld('bool', p[0]) }, v, span);
    });
    fl.emit({ k: 'if', cond: overlap, then: viaTemp, else: fl.block(fused) });
    return;
  }
  const { flat, shape } = indexArray(fl, ix, span);
  const rows = selectedRows(fl, a, flat, span);
  if (v.k === 'a' && shape.length > 1 && v.a.ndim > a.ndim - 1) {
    // (Note [Index arrays of any rank]) The value, broadcast to the result's shape, one row per index.
    const full = fl.alloc(a.dtype, [...shape, ...a.shape.slice(1)], true);
    fl.ownedArray(full);
    fl.copyInto(full, v.a, span);
    const src = asRows(full, shape.length);
    rows.each((dst, j) => fl.copyInto(row(a, dst), row(src, j), span));
    return;
  }
  if (v.k === 's') {
    const x = fl.tmp(convert(v.e, v.dtype, a.dtype));
    rows.each((dst) => { const r = row(a, dst); fl.nest(r.shape, [r], span, (p) => [{ k: 'store', mem: memOf(a.dtype), addr: p[0], value: x }]); });
    return;
  }
  if (v.k !== 'a') return;
  const src = v.a;
  // A value of the result's rank supplies one row per selected row (or one row for all); a lower
  // rank broadcasts against each row.
  const full = src.ndim === a.ndim;
  if (full) {
    fl.emit({ k: 'if', cond: bin('and', 'i32', bin('ne', 'i32', src.shape[0], rows.n), bin('ne', 'i32', src.shape[0], i32(1))), then: [
      fmtTrap(fl, 'ValueError', `shape mismatch: value array of shape ({0},${a.ndim > 1 ? '...' : ''}) could not be broadcast to indexing result of shape ({1},${a.ndim > 1 ? '...' : ''})`, span, src.shape[0], rows.n),
    ], else: [] });
  }
  const one = full ? fl.tmp(bin('eq', 'i32', src.shape[0], i32(1))) : i32(0);
  rows.each((dst, j) => fl.copyInto(row(a, dst), full ? row(src, select('i32', one, i32(0), j)) : src, span));
}

/** Stores v where the mask is True: a scalar everywhere, an array's values in order (or its one value for all). */
function storeMasked(fl: FnLowerer, a: ArrRef, m: Mask, v: Val, span: Span): void {
  checkMaskShape(fl, a, m.shape, span);
  if (v.k === 's') {
    const x = fl.tmp(convert(v.e, v.dtype, a.dtype));
    fl.nest(a.shape, [a, ...m.ops], span, (p) => fl.block(() => fl.emit({ k: 'if', cond: m.at(p.slice(1)), then: [{ k: 'store', mem: memOf(a.dtype), addr: p[0], value: x }], else: [] })));
    return;
  }
  if (v.k !== 'a') return;
  const src = v.a;
  const n = fl.tmp(countTrue(fl, a, m, span), 'n');
  const vn = fl.tmp(size(src), 'vn');
  fl.emit({ k: 'if', cond: bin('and', 'i32', bin('ne', 'i32', vn, n), bin('ne', 'i32', vn, i32(1))), then: [
    fmtTrap(fl, 'ValueError', 'NumPy boolean array indexing assignment cannot assign {0} input values to the {1} output values where the mask is true', span, vn, n),
  ], else: [] });
  const q = fl.fresh('q', 'i32');
  fl.set(q, src.data);
  const step = fl.tmp(select('i32', bin('eq', 'i32', vn, i32(1)), i32(0), bin('shl', 'i32', src.ndim ? src.strides[src.ndim - 1] : i32(0), i32(log2Size(src.dtype)))), 'st');
  fl.nest(a.shape, [a, ...m.ops], span, (p) => fl.block(() => fl.emit({ k: 'if', cond: m.at(p.slice(1)), then: [
    { k: 'store', mem: memOf(a.dtype), addr: p[0], value: convert(ld(src.dtype, get(q, 'i32')), src.dtype, a.dtype) },
    { k: 'set', name: q, value: add32(get(q, 'i32'), step) },
  ], else: [] })));
}
