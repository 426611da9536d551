// Lowering of the array library beyond ufuncs and reductions: boolean masks and integer-array
// (fancy) indexing, sort/argsort (a stable merge sort written once per dtype as an IR helper),
// concatenate/stack/vstack/hstack, cumsum/cumprod, diff and flatten, roll, meshgrid, bincount,
// nonzero, divmod, isclose/allclose, linalg.norm, and Python's math functions (mathCall). Each
// function takes the FnLowerer of the function being lowered and uses its helpers (nests,
// allocation, ownership).
//
// Note [Masks]: `a[m]` counts the True elements, allocates the result and gathers in a second pass
// over the same nest; when `m` is an elementwise expression (`a[a > 0]`) it is evaluated inside both
// passes instead of being materialized. Stores (`a[m] = v`, `a[m] += v`) evaluate the right side
// first; the mask expression is fused into the store loop too unless one of its arrays overlaps `a`
// other than as the identical view (decided at run time, as for slice stores): reading element i of
// `a` just before writing element i is safe, reading another element of it is not.
import type * as A from '../language/ast.js';
import { Code } from '../language/diagnostics.js';
import { MATH_FNS } from '../language/builtins.js';
import { axisValue, normOrd } from '../language/check-numpy.js';
import type { Span } from '../language/source.js';
import { type DType, type Type, isFloat, elemOf, promote } from '../language/types.js';
import type * as I from './ir.js';
import type { ArrRef, FnLowerer, Val } from './lower.js';
import { pureBody } from './cse.js';
import type { FuncInstance } from '../language/checker.js';
import { i32, i64, f64, cst, get, bin, un, cvt, load, call, select, add32, mul32, vtOf, memOf, log2Size, convert, cmpOp } from './ir-build.js';

type Expr = I.Expr;
type Stmt = I.Stmt;
// Every array allocated here is written completely before it is read, so none is zero-filled.

const size = (a: ArrRef): Expr => a.shape.reduce((acc: Expr, n) => mul32(acc, n), i32(1));
const elemAddr = (a: ArrRef, data: Expr, ix: Expr, stride: Expr): Expr => add32(data, bin('shl', 'i32', mul32(ix, stride), i32(log2Size(a.dtype))));
const ld = (d: DType, addr: Expr): Expr => load(vtOf(d), memOf(d), addr);
/** The row `ix` of a along axis 0 (an ArrRef of one dimension less). */
const row = (a: ArrRef, ix: Expr): ArrRef => ({ ...a, data: elemAddr(a, a.data, ix, a.strides[0]), ndim: a.ndim - 1, shape: a.shape.slice(1), strides: a.strides.slice(1) });
/** a without axis k (for nests over the lines along k). */
const without = (a: ArrRef, k: number): ArrRef => ({ ...a, ndim: a.ndim - 1, shape: a.shape.filter((_n, j) => j !== k), strides: a.strides.filter((_s, j) => j !== k) });

export function fmtTrap(fl: FnLowerer, kind: string, text: string, span: Span, a: Expr = i64(0), b: Expr = i64(0), c: Expr = i64(0)): Stmt {
  const site = fl.mod.site(kind === 'IndexError' ? Code.IndexError : kind === 'ZeroDivisionError' ? Code.ZeroDivision : Code.ValueError, kind, span, text);
  const w = (x: Expr) => (x.t === 'i64' ? x : cvt('i32->i64', x));
  return fl.trap(fl.mod.imp('err_fmt', ['i32', 'i64', 'i64', 'i64'], null), i32(site), w(a), w(b), w(c));
}

/** Elementwise copy with conversion, shapes already known to agree. */
export function copyRaw(fl: FnLowerer, dst: ArrRef, src: ArrRef, span: Span): void {
  fl.nest(dst.shape, [dst, src], span, (p) => [{ k: 'store', mem: memOf(dst.dtype), addr: p[0], value: convert(ld(src.dtype, p[1]), src.dtype, dst.dtype) }]);
}

/** A new 1-d array of a's elements in C order, converted to `dtype`. */
export function flattenCopy(fl: FnLowerer, a: ArrRef, dtype: DType, span: Span): ArrRef {
  const out = fl.alloc(dtype, [fl.tmp(size(a), 'n')], true);
  const q = fl.fresh('q', 'i32');
  fl.set(q, out.data);
  fl.nest(a.shape, [a], span, (p) => [
    { k: 'store', mem: memOf(dtype), addr: get(q, 'i32'), value: convert(ld(a.dtype, p[0]), a.dtype, dtype) },
    { k: 'set', name: q, value: add32(get(q, 'i32'), i32(1 << log2Size(dtype))) },
  ]);
  return out;
}

function arr(fl: FnLowerer, e: A.Expr): ArrRef { return (fl.expr(e) as { a: ArrRef }).a; }

// ---------------- masks and fancy indexing ----------------

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
  const rows = selectedRows(fl, a, ix, e.span);
  const out = fl.alloc(a.dtype, [rows.n, ...a.shape.slice(1)], true);
  rows.each((src, j) => copyRaw(fl, row(out, j), row(a, src), e.span));
  return fl.ownedArray(out);
}

/** The rows of `a` an index array selects along axis 0 (an int array, or a 1-d mask on a higher-rank array). */
function selectedRows(fl: FnLowerer, a: ArrRef, ix: A.Expr, span: Span, axis = 0): { n: Expr; each(body: (src: Expr, j: Expr) => void): void } {
  const idx = arr(fl, ix);
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
const toFront = (a: ArrRef, k: number): ArrRef => ({ ...a, shape: [a.shape[k], ...a.shape.filter((_n, j) => j !== k)], strides: [a.strides[k], ...a.strides.filter((_s, j) => j !== k)] });

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
  return { rows: selectedRows(fl, src, index[pos], e.span, axis), src, at: adjacent ? q : 0 };
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
  const rows = selectedRows(fl, a, ix, span);
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

// ---------------- sorting ----------------

/**
 * A stable merge sort as an IR helper, one per dtype: `__sort_<dt>(p, n, tmp)` sorts n contiguous
 * elements at p; `__argsort_<dt>(p, n, tmp, keys)` sorts n i32 indices at p by keys[index]. Runs of
 * 16 are insertion-sorted, then merged bottom-up between p and tmp. Floats order NaN last, as NumPy.
 */
/** Sorts of fewer elements run on one thread. */
const PAR_SORT_MIN = 1 << 15;
/** Outputs per piece of a long merge (a power of two times the run length 16). */
const PIECE = 1 << 12;

export function sortHelper(fl: FnLowerer, d: DType, arg: boolean): string {
  const fn = `__${arg ? 'argsort' : 'sort'}_${d}`;
  const mod = fl.mod;
  if (mod.helpers.has(fn)) return fn;
  mod.helpers.add(fn);
  const et: I.VT = arg ? 'i32' : vtOf(d);
  const em: I.Mem = arg ? 'i32' : memOf(d);
  const sz = arg ? 2 : log2Size(d);
  const g = (n: string) => get(n, 'i32');
  const at = (base: Expr, i: Expr) => add32(base, bin('shl', 'i32', i, i32(sz)));
  const el = (base: Expr, i: Expr) => load(et, em, at(base, i));
  const kt = vtOf(d);
  const key = (x: Expr) => (arg ? load(kt, memOf(d), add32(g('keys'), bin('shl', 'i32', x, i32(log2Size(d))))) : x);
  // x < y, with NaN after every number.
  const less = (x: Expr, y: Expr): Expr => {
    const a = key(x), b = key(y);
    if (!isFloat(d)) return bin(d === 'bool' ? 'lt_u' : cmpOp('<', kt), kt, a, b);
    return bin('or', 'i32', bin('lt', kt, a, b), bin('and', 'i32', bin('ne', kt, b, b), bin('eq', kt, a, a)));
  };
  const set = (name: string, value: Expr): Stmt => ({ k: 'set', name, value });
  const inc = (name: string, by: Expr = i32(1)): Stmt => set(name, add32(g(name), by));
  const min = (a: Expr, b: Expr) => select('i32', bin('lt_s', 'i32', a, b), a, b);
  const RUN = 16;
  // The insertion-sorted runs, and the merges of each pass, are independent: they run on the team
  // (the last passes have fewer merges than threads; the final one is serial). The result does not
  // depend on how they are shared, and small sorts stay on one thread.
  const par = { k: 'parfor' as const, schedule: 'dynamic' as const, chunk: null, numThreads: null, reductions: [], line: 0,
    useIf: bin('ge_s', 'i32', g('n'), i32(PAR_SORT_MIN)) };
  // Outputs k in [from, to) of the merge of src[i..mid) and src[j..hi) into dst.
  const mergeOut = (from: Expr, to: Expr): Stmt => ({ k: 'for', label: 'out', v: 'k', t: 'i32', start: from, stop: to, step: i32(1), body: [
    // Take from the right run only when its head is strictly less: equal keys keep their order.
    set('r', i32(0)),
    { k: 'if', cond: bin('lt_s', 'i32', g('j'), g('hi')), then: [set('r', select('i32', bin('ge_s', 'i32', g('i'), g('mid')), i32(1), less(el(g('src'), g('j')), el(g('src'), g('i')))))], else: [] },
    { k: 'if', cond: g('r'), then: [
      { k: 'store', mem: em, addr: at(g('dst'), g('k')), value: el(g('src'), g('j')) }, inc('j'),
    ], else: [
      { k: 'store', mem: em, addr: at(g('dst'), g('k')), value: el(g('src'), g('i')) }, inc('i'),
    ] },
  ] });
  const body: Stmt[] = [
    { ...par, label: 'runs', v: 'lo', t: 'i32', start: i32(0), stop: g('n'), step: i32(RUN), body: [
      set('hi', min(add32(g('lo'), i32(RUN)), g('n'))),
      { k: 'for', label: 'ins', v: 'i', t: 'i32', start: add32(g('lo'), i32(1)), stop: g('hi'), step: i32(1), body: [
        set('x', el(g('p'), g('i'))), set('j', g('i')),
        { k: 'while', label: 'shift', cond: bin('gt_s', 'i32', g('j'), g('lo')), body: [
          { k: 'if', cond: less(get('x', et), el(g('p'), bin('sub', 'i32', g('j'), i32(1)))), then: [], else: [{ k: 'break', label: 'shift' }] },
          { k: 'store', mem: em, addr: at(g('p'), g('j')), value: el(g('p'), bin('sub', 'i32', g('j'), i32(1))) },
          set('j', bin('sub', 'i32', g('j'), i32(1))),
        ] },
        { k: 'store', mem: em, addr: at(g('p'), g('j')), value: get('x', et) },
      ] },
    ] },
    set('src', g('p')), set('dst', g('tmp')), set('w', i32(RUN)),
    { k: 'while', label: 'pass', cond: bin('lt_s', 'i32', g('w'), g('n')), body: [
      // Short runs: one merge per iteration. Long ones (the last passes have fewer merges than
      // threads) are cut into pieces of PIECE outputs; a piece finds where it starts in each run by
      // binary search (the merge path), so every pass is shared evenly.
      { k: 'if', cond: bin('le_s', 'i32', bin('shl', 'i32', g('w'), i32(1)), i32(PIECE)), then: [
        { ...par, label: 'merge', v: 'lo', t: 'i32', start: i32(0), stop: g('n'), step: bin('shl', 'i32', g('w'), i32(1)), body: [
          set('mid', min(add32(g('lo'), g('w')), g('n'))), set('hi', min(add32(g('mid'), g('w')), g('n'))),
          set('i', g('lo')), set('j', g('mid')),
          mergeOut(g('lo'), g('hi')),
        ] },
      ], else: [
        { ...par, label: 'pieces', v: 'q', t: 'i32', start: i32(0), stop: g('n'), step: i32(PIECE), body: [
          // Pieces never straddle two merges: 2w is a multiple of PIECE.
          set('lo', bin('and', 'i32', g('q'), bin('sub', 'i32', i32(0), bin('shl', 'i32', g('w'), i32(1))))),
          set('mid', min(add32(g('lo'), g('w')), g('n'))), set('hi', min(add32(g('mid'), g('w')), g('n'))),
          // The smallest i (left elements among the piece's first d = q - lo outputs) such that the
          // left run's L[i] does not go before the right run's R[d - i - 1]: ties go left, as merged.
          set('d', bin('sub', 'i32', g('q'), g('lo'))),
          set('a', bin('sub', 'i32', g('d'), bin('sub', 'i32', g('hi'), g('mid')))), set('a', select('i32', bin('gt_s', 'i32', g('a'), i32(0)), g('a'), i32(0))),
          set('b', min(g('d'), bin('sub', 'i32', g('mid'), g('lo')))),
          { k: 'while', label: 'path', cond: bin('lt_s', 'i32', g('a'), g('b')), body: [
            set('m', bin('shr_s', 'i32', add32(g('a'), g('b')), i32(1))),
            // m < b <= left length, and d - m - 1 >= d - b >= 0: both elements exist.
            { k: 'if', cond: less(el(g('src'), add32(g('mid'), bin('sub', 'i32', bin('sub', 'i32', g('d'), g('m')), i32(1)))), el(g('src'), add32(g('lo'), g('m')))),
              then: [set('b', g('m'))], else: [set('a', add32(g('m'), i32(1)))] },
          ] },
          set('i', add32(g('lo'), g('a'))), set('j', add32(g('mid'), bin('sub', 'i32', g('d'), g('a')))),
          mergeOut(g('q'), min(add32(g('q'), i32(PIECE)), g('hi'))),
        ] },
      ] },
      set('t', g('src')), set('src', g('dst')), set('dst', g('t')), set('w', bin('shl', 'i32', g('w'), i32(1))),
    ] },
    { k: 'if', cond: bin('ne', 'i32', g('src'), g('p')), then: [{ k: 'memcopy', dest: g('p'), src: g('src'), size: bin('shl', 'i32', g('n'), i32(sz)) }], else: [] },
  ];
  const p32 = (...ns: string[]) => ns.map((name) => ({ name, t: 'i32' as I.VT }));
  mod.funcs.push({
    name: fn, params: p32('p', 'n', 'tmp', ...(arg ? ['keys'] : [])), results: [],
    locals: [...p32('lo', 'hi', 'i', 'j', 'k', 'src', 'dst', 'w', 'mid', 'r', 't', 'q', 'd', 'a', 'b', 'm'), { name: 'x', t: et }], body,
  });
  return fn;
}

/** sort/argsort/a.sort along one axis, line by line; a strided line goes through a contiguous buffer. */
function sortLines(fl: FnLowerer, src: ArrRef, dst: ArrRef, ax: number, isArg: boolean, span: Span): void {
  const n = src.shape[ax];
  const buf = fl.alloc(src.dtype, [n], true);
  const work = fl.alloc(isArg ? 'int32' : src.dtype, [n], true);
  const tmp = fl.alloc(isArg ? 'int32' : src.dtype, [n], true);
  const helper = sortHelper(fl, src.dtype, isArg);
  const k = fl.fresh('k', 'i32');
  const line = (body: Stmt[]): Stmt => ({ k: 'for', label: `line${fl.n++}`, v: k, t: 'i32', start: i32(0), stop: n, step: i32(1), body });
  const kk = get(k, 'i32');
  fl.nest(without(src, ax).shape, [without(src, ax), without(dst, ax)], span, (p) => {
    const sp = elemAddr(src, p[0], kk, src.strides[ax]), dp = elemAddr(dst, p[1], kk, dst.strides[ax]);
    const bufAt = elemAddr(buf, buf.data, kk, i32(1));
    if (!isArg) {
      // The line is sorted where it lands when that is contiguous, else in the buffer.
      return [
        ...(src === dst ? [] : [line([{ k: 'store', mem: memOf(dst.dtype), addr: dp, value: ld(src.dtype, sp) }])]),
        { k: 'if', cond: bin('eq', 'i32', dst.strides[ax], i32(1)), then: [{ k: 'expr', e: call(helper, null, p[1], n, tmp.data) }], else: [
          line([{ k: 'store', mem: memOf(src.dtype), addr: bufAt, value: ld(dst.dtype, dp) }]),
          { k: 'expr', e: call(helper, null, buf.data, n, tmp.data) },
          line([{ k: 'store', mem: memOf(dst.dtype), addr: dp, value: ld(src.dtype, bufAt) }]),
        ] },
      ];
    }
    const workAt = add32(work.data, bin('shl', 'i32', kk, i32(2)));
    return [
      line([{ k: 'store', mem: memOf(src.dtype), addr: bufAt, value: ld(src.dtype, sp) }, { k: 'store', mem: 'i32', addr: workAt, value: kk }]),
      { k: 'expr', e: call(helper, null, work.data, n, tmp.data, buf.data) },
      line([{ k: 'store', mem: memOf(dst.dtype), addr: dp, value: convert(load('i32', 'i32', workAt), 'int32', dst.dtype) }]),
    ];
  });
  for (const b of [buf, work, tmp]) fl.emit({ k: 'release', desc: b.desc });
}

// ---------------- joining ----------------

/** Concatenates arrays of equal rank along `ax` into a new array of dtype `d`. */
export function concat(fl: FnLowerer, arrs: ArrRef[], ax: number, d: DType, span: Span): Val {
  const first = arrs[0];
  arrs.forEach((b, i) => {
    if (i === 0) return;
    b.shape.forEach((n, k) => {
      if (k === ax) return;
      fl.emit({ k: 'if', cond: bin('ne', 'i32', n, first.shape[k]), then: [
        fmtTrap(fl, 'ValueError', `all the input array dimensions except for the concatenation axis must match exactly, but along dimension {0}, the array at index 0 has size {1} and the array at index ${i} has size {2}`, span, i64(k), first.shape[k], n),
      ], else: [] });
    });
  });
  const total = fl.tmp(arrs.map((b) => b.shape[ax]).reduce((x, y) => add32(x, y)), 'n');
  const out = fl.alloc(d, first.shape.map((n, k) => (k === ax ? total : n)), true);
  let off: Expr = i32(0);
  for (const b of arrs) {
    const o = fl.tmp(off, 'off');
    copyRaw(fl, { ...out, data: elemAddr(out, out.data, o, out.strides[ax]), shape: b.shape }, b, span);
    off = add32(o, b.shape[ax]);
  }
  return fl.ownedArray(out);
}

export function seqArrays(fl: FnLowerer, seq: A.Expr): ArrRef[] {
  if (seq.kind === 'List' || seq.kind === 'Tuple') return seq.elts.map((x) => arr(fl, x));
  const v = fl.expr(seq);
  return v.k === 't' ? v.items.map((x) => (x as { a: ArrRef }).a) : [];
}

// ---------------- entry point from builtinCall ----------------

export function libraryCall(fl: FnLowerer, e: A.Call, fname: string, args: A.Expr[], isMethod: boolean, t: Type): Val {
  const rt = t as Type & { kind: 'array' };
  const axisE = (pos: number) => args[pos] ?? fl.kwOf(e, 'axis');
  const norm = (v: number | null | undefined, nd: number) => (v === null || v === undefined ? null : v < 0 ? v + nd : v);
  switch (fname) {
    case 'sort': case 'argsort': {
      const a = arr(fl, args[0]);
      const ax = norm(axisValue(axisE(1), -1), a.ndim);
      if (isMethod && fname === 'sort') { sortLines(fl, a, a, ax!, false, e.span); return { k: 'none' }; }
      const src = ax === null ? flattenCopy(fl, a, a.dtype, e.span) : a;
      // A flattened copy is sorted in place; otherwise the result is a new array.
      const out = ax === null && fname === 'sort' ? src : fl.alloc(rt.dtype, src.shape, true);
      sortLines(fl, src, out, ax ?? 0, fname === 'argsort', e.span);
      if (out !== src && ax === null) fl.emit({ k: 'release', desc: src.desc });
      return fl.ownedArray(out);
    }
    case 'cumsum': case 'cumprod': {
      const a0 = arr(fl, args[0]);
      const ax = norm(axisValue(axisE(1), null), a0.ndim);
      // Without an axis the scan runs in place over a flattened copy in the result's dtype.
      const a = ax === null ? flattenCopy(fl, a0, rt.dtype, e.span) : a0;
      const k = ax ?? 0;
      const out = ax === null ? a : fl.alloc(rt.dtype, a.shape, true);
      const vt = vtOf(rt.dtype);
      const acc = fl.fresh('acc', vt), i = fl.fresh('i', 'i32');
      const isSum = fname === 'cumsum';
      const combine = (x: Expr, y: Expr) => (rt.dtype === 'bool' ? bin(isSum ? 'or' : 'and', 'i32', x, y) : bin(isSum ? 'add' : 'mul', vt, x, y));
      fl.nest(without(a, k).shape, [without(a, k), without(out, k)], e.span, (p) => [
        { k: 'set', name: acc, value: convert(i64(isSum ? 0 : 1), 'int64', rt.dtype) },
        { k: 'for', label: `scan${fl.n++}`, v: i, t: 'i32', start: i32(0), stop: a.shape[k], step: i32(1), body: [
          { k: 'set', name: acc, value: combine(get(acc, vt), convert(ld(a.dtype, elemAddr(a, p[0], get(i, 'i32'), a.strides[k])), a.dtype, rt.dtype)) },
          { k: 'store', mem: memOf(rt.dtype), addr: elemAddr(out, p[1], get(i, 'i32'), out.strides[k]), value: get(acc, vt) },
        ] },
      ]);
      return fl.ownedArray(out);
    }
    case 'diff': {
      let a = arr(fl, args[0]);
      const ax = norm(axisValue(fl.kwOf(e, 'axis'), -1), a.ndim)!;
      const nE = fl.kwOf(e, 'n');
      const times = nE && nE.kind === 'Int' ? Number(nE.value) : 1;
      if (times === 0) return { k: 'a', a: fl.contiguousCopy(a), owned: true };
      for (let r = 0; r < times; r++) {
        const n = fl.tmp(select('i32', bin('gt_s', 'i32', a.shape[ax], i32(0)), bin('sub', 'i32', a.shape[ax], i32(1)), i32(0)), 'n');
        const shape = a.shape.map((m, k) => (k === ax ? n : m));
        const out = fl.alloc(a.dtype, shape, true);
        const lo: ArrRef = { ...a, shape }, hi: ArrRef = { ...lo, data: elemAddr(a, a.data, i32(1), a.strides[ax]) };
        const vt = vtOf(a.dtype);
        fl.nest(shape, [out, hi, lo], e.span, (p) => [{ k: 'store', mem: memOf(a.dtype), addr: p[0],
          value: a.dtype === 'bool' ? bin('ne', 'i32', ld('bool', p[1]), ld('bool', p[2])) : bin('sub', vt, ld(a.dtype, p[1]), ld(a.dtype, p[2])) }]);
        if (r > 0) fl.emit({ k: 'release', desc: a.desc });
        a = out;
      }
      return fl.ownedArray(a);
    }
    case 'flatten': return fl.ownedArray(flattenCopy(fl, arr(fl, args[0]), rt.dtype, e.span));
    case 'diag': case 'diagonal': case 'trace': {
      const a = arr(fl, args[0]);
      const kE = args[1] ?? fl.kwOf(e, fname === 'diag' ? 'k' : 'offset');
      const k = kE ? fl.tmp(cvt('i64->i32', convert((fl.expr(kE) as { e: Expr }).e, (fl.type(kE) as { dtype: DType }).dtype, 'int64')), 'k') : i32(0);
      if (a.ndim === 1) return diagMatrix(fl, a, k, e.span);
      const d = diagonalView(fl, a, k);
      if (fname !== 'trace') return d;
      const r = fl.reduceAll('sum', (d as { a: ArrRef }).a, (t as { dtype: DType }).dtype, e);
      return { k: 's', e: r.e, dtype: r.dtype };
    }
    case 'concatenate': case 'stack': case 'vstack': case 'hstack': {
      let arrs = seqArrays(fl, e.args[0]);
      if (fname === 'stack') {
        const ax = norm(axisValue(axisE(1), 0), rt.ndim)!;
        const first = arrs[0];
        arrs.forEach((b, i) => {
          if (i === 0) return;
          const bad = b.shape.map((n, k) => bin('ne', 'i32', n, first.shape[k])).reduce((x, y) => bin('or', 'i32', x, y), i32(0));
          fl.emit({ k: 'if', cond: bad, then: [fmtTrap(fl, 'ValueError', 'all input arrays must have the same shape', e.span)], else: [] });
        });
        // Each input becomes a slab of extent 1 along the new axis.
        arrs = arrs.map((b) => ({ ...b, ndim: b.ndim + 1, shape: [...b.shape.slice(0, ax), i32(1), ...b.shape.slice(ax)], strides: [...b.strides.slice(0, ax), i32(0), ...b.strides.slice(ax)] }));
        return concat(fl, arrs, ax, rt.dtype, e.span);
      }
      if (fname === 'vstack') arrs = arrs.map((b) => (b.ndim === 1 ? { ...b, ndim: 2, shape: [i32(1), b.shape[0]], strides: [i32(0), b.strides[0]] } : b));
      const ax = fname === 'vstack' ? 0 : fname === 'hstack' ? (arrs[0].ndim === 1 ? 0 : 1) : norm(axisValue(axisE(1), 0), rt.ndim);
      if (ax === null) arrs = arrs.map((b) => { const f = flattenCopy(fl, b, b.dtype, e.span); fl.ownedArray(f); return f; });
      return concat(fl, arrs, ax ?? 0, rt.dtype, e.span);
    }
  }
  throw new Error(`internal: library function ${fname} not lowered`);
}

// ---------------- diagonals ----------------

/**
 * Diagonal k of a 2-d array as a 1-d view (element (i, i + k)): NumPy's diagonal() and diag() of a
 * matrix return a read-only view, so reads see later writes to `a` as NumPy's do; Par's view is
 * writable (writing through it is an error in NumPy).
 */
export function diagonalView(fl: FnLowerer, a: ArrRef, k: Expr): Val {
  const r0 = fl.tmp(select('i32', bin('lt_s', 'i32', k, i32(0)), bin('sub', 'i32', i32(0), k), i32(0)), 'r0');
  const c0 = fl.tmp(select('i32', bin('gt_s', 'i32', k, i32(0)), k, i32(0)), 'c0');
  const rows = bin('sub', 'i32', a.shape[0], r0), cols = bin('sub', 'i32', a.shape[1], c0);
  const m = fl.tmp(select('i32', bin('lt_s', 'i32', rows, cols), rows, cols), 'm');
  const n = fl.tmp(select('i32', bin('gt_s', 'i32', m, i32(0)), m, i32(0)), 'n');
  // An empty diagonal starts at the data (its offset may lie outside the array).
  const off = select('i32', bin('gt_s', 'i32', n, i32(0)), add32(mul32(r0, a.strides[0]), mul32(c0, a.strides[1])), i32(0));
  return fl.makeView(a, add32(a.data, bin('shl', 'i32', off, i32(log2Size(a.dtype)))), [n], [add32(a.strides[0], a.strides[1])]);
}

/** diag(v, k) of a 1-d array: a new square matrix of extent len(v) + |k|, zero but for v on diagonal k. */
function diagMatrix(fl: FnLowerer, v: ArrRef, k: Expr, span: Span): Val {
  const absk = select('i32', bin('lt_s', 'i32', k, i32(0)), bin('sub', 'i32', i32(0), k), k);
  const n = fl.tmp(add32(v.shape[0], absk), 'n');
  const out = fl.alloc(v.dtype, [n, n]);
  const r0 = select('i32', bin('lt_s', 'i32', k, i32(0)), bin('sub', 'i32', i32(0), k), i32(0));
  const c0 = select('i32', bin('gt_s', 'i32', k, i32(0)), k, i32(0));
  const start = fl.tmp(add32(out.data, bin('shl', 'i32', add32(mul32(r0, n), c0), i32(log2Size(v.dtype)))), 'p');
  copyRaw(fl, { ...out, data: start, ndim: 1, shape: [v.shape[0]], strides: [add32(n, i32(1))] }, v, span);
  return fl.ownedArray(out);
}

// ---------------- @vectorize functions (ufuncs) ----------------

/** Whether `inst` is a @vectorize function, whose calls apply it to every element of their inputs. */
export function isVectorized(fl: FnLowerer, inst: FuncInstance): boolean {
  return !!inst.def && !!fl.mod.cp.options.get(inst.def)?.vectorize;
}

/**
 * One element of a @vectorize call: the scalar specialization called on the inputs' elements,
 * converted to its parameter dtypes, and its result converted to the call's dtype `d` (a signature's
 * result type may differ from the body's). Its body may branch, loop and return, so it is called,
 * not inlined; called from a nest, the nest runs on the team when the function was declared
 * target='parallel' and cannot fail (see parallelSafe).
 */
export function vectorizedElem(fl: FnLowerer, inst: FuncInstance, args: { e: Expr; dtype: DType }[], d: DType): { e: Expr; dtype: DType } {
  const rd = (inst.ret as { dtype: DType }).dtype;
  if (parallelSafe(fl, inst)) fl.mod.teamCalls.add(inst.name);
  const xs = args.map((x, i) => convert(x.e, x.dtype, (inst.params[i].type as { dtype: DType }).dtype));
  return { e: convert(call(inst.name, vtOf(rd), ...xs), rd, d), dtype: d };
}

/** A @vectorize call whose inputs are all numbers: the function applied once. */
export function vectorizedScalar(fl: FnLowerer, e: A.Call, inst: FuncInstance, t: Type): Val {
  const d = (t as { dtype: DType }).dtype;
  const args = e.args.map((x) => fl.expr(x) as { e: Expr; dtype: DType });
  return { k: 's', e: fl.tmp(vectorizedElem(fl, inst, args, d).e, 'r'), dtype: d };
}

/** Per program being lowered: which functions' code cannot fail, and which are being looked at (a recursive one may fail). */
const failFree = new WeakMap<object, { known: Map<FuncInstance, boolean>; visiting: Set<FuncInstance> }>();

/**
 * Whether a nest calling `inst` may run on the team (Note [Parallel array operations]): Numba's
 * target='parallel' asks for it, and the function's code cannot fail (no trap, allocation or
 * parallel construct, and calls only of math functions and of other such functions). The function
 * is lowered once more to see its code.
 */
function parallelSafe(fl: FnLowerer, inst: FuncInstance): boolean {
  if (!fl.mod.cp.options.get(inst.def!)?.parallel) return false;
  const byName = new Map(fl.mod.cp.instances.map((i) => [i.name, i]));
  if (!failFree.has(fl.mod)) failFree.set(fl.mod, { known: new Map(), visiting: new Set() });
  const { known, visiting } = failFree.get(fl.mod)!;
  const cannotFail = (f: FuncInstance): boolean => {
    const seen = known.get(f);
    if (seen !== undefined) return seen;
    if (visiting.has(f)) return false;
    visiting.add(f);
    const Lowerer = fl.constructor as new (mod: FnLowerer['mod'], inst: FuncInstance) => FnLowerer;
    const body = new Lowerer(fl.mod, f).lower().body;
    const ok = pureBody(body, false, (fn) => { const g = byName.get(fn); return !!g && cannotFail(g); });
    visiting.delete(f);
    known.set(f, ok);
    return ok;
  };
  return cannotFail(inst);
}

/** Python's max(a, b, c, ...) / min(...) of numbers: left to right, a later one replaces the result only when strictly greater (smaller). */
export function maxMinOfMany(fl: FnLowerer, e: A.Call, name: 'maxN' | 'minN', rdt: DType): Val {
  const vals = e.args.map((x) => fl.snapshot(fl.expr(x)));
  return vals.slice(1).reduce((acc, v) => fl.builtinScalar(name === 'maxN' ? 'max2' : 'min2', [acc, v], rdt, e), vals[0]);
}

// ---------------- round(a, decimals) ----------------

/** The arguments of a ufunc call as scalars per element: positional ones, then the keywords that are values. */
export function ufuncArgs(e: A.Call): A.Expr[] {
  // round's decimals=, isclose's rtol=, atol=, equal_nan= (in this order, those given).
  const extra = ['decimals', 'rtol', 'atol', 'equal_nan'].flatMap((n) => e.keywords.filter((k) => k.name === n).map((k) => k.value));
  return extra.length ? [...e.args, ...extra] : e.args;
}

/** NumPy's round to `decimals` places: rint(x * 10**d) / 10**d, or rint(x / 10**-d) * 10**-d for d < 0.
 * Ints are unchanged for d >= 0; for d < 0 they are rounded in float64 and cast back, as NumPy does. */
export function roundDecimals(fl: FnLowerer, x: Expr, dec: { e: Expr; dtype: DType }, rdt: DType): Expr {
  if (!isFloat(rdt)) {
    const xi = fl.tmp(x);
    const r = roundDecimals(fl, convert(xi, rdt, 'float64'), dec, 'float64');
    return select(vtOf(rdt), bin('ge_s', 'i64', convert(dec.e, dec.dtype, 'int64'), i64(0)), xi, convert(r, 'float64', rdt));
  }
  const d = fl.tmp(convert(dec.e, dec.dtype, 'int64'));
  const vt = vtOf(rdt);
  const xv = fl.tmp(x);
  const round = (f: Expr, up: boolean): Expr => up
    ? bin('div', vt, { k: 'un', op: 'nearest', t: vt, a: bin('mul', vt, xv, f) }, f)
    : bin('mul', vt, { k: 'un', op: 'nearest', t: vt, a: bin('div', vt, xv, f) }, f);
  // A literal number of places (round(a, 2)) needs no pow() per element.
  if (d.k === 'const') {
    const k = Number(d.v);
    // NumPy's power_of_ten(): exact up to 1e8, then repeated multiplication by 10.
    let f = 10 ** Math.min(Math.abs(k), 9);
    for (let j = 9; j < Math.abs(k); j++) f *= 10;
    return round({ k: 'const', t: vt, v: rdt === 'float32' ? Math.fround(f) : f }, k >= 0);
  }
  const absd = select('i64', bin('lt_s', 'i64', d, i64(0)), bin('sub', 'i64', i64(0), d), d);
  const f = fl.tmp(convert(call(fl.mod.math('pow'), 'f64', { k: 'const', t: 'f64', v: 10 }, cvt('i64->f64', absd)), 'float64', rdt));
  return select(vt, bin('ge_s', 'i64', d, i64(0)), round(f, true), round(f, false));
}

// ---------------- more of NumPy: divmod, roll, meshgrid, bincount, isclose, nonzero, linalg.norm ----------------

const rangeN = (n: number): number[] => Array.from({ length: n }, (_v, i) => i);
const COPY_OP = { par: true, simd: true } as const;

/** Copies `src` into `dst` (same shape and dtype) element by element, on the team when big. */
function copySame(fl: FnLowerer, dst: ArrRef, src: ArrRef, span: Span): void {
  fl.nest(dst.shape, [dst, src], span, (p) => [{ k: 'store', mem: memOf(dst.dtype), addr: p[0], value: convert(ld(src.dtype, p[1]), src.dtype, dst.dtype) }], COPY_OP);
}

/**
 * A new array of f(x) (x converted to `dtype`) for every element x of `a`, laid out like `a` (its
 * axes in a's order of |stride|, as NumPy lays out an elementwise result): NumPy's reduction of it
 * along an axis then adds in the order NumPy's does (Note [Axis sums] in lower.ts). Released at the
 * end of the statement.
 */
function mapLike(fl: FnLowerer, a: ArrRef, dtype: DType, f: (x: Expr) => Expr, span: Span): ArrRef {
  const out = fl.alloc(dtype, a.shape, true);
  fl.ownedArray(out);
  const key = a.strides.map((s) => fl.tmp(un('abs', 'i32', s)));
  const inner = (j: number, k: number) => bin(j > k ? 'le_s' : 'lt_s', 'i32', key[j], key[k]);
  const strides = rangeN(a.ndim).map((k) => rangeN(a.ndim).filter((j) => j !== k).reduce((acc: Expr, j) => mul32(acc, select('i32', inner(j, k), a.shape[j], i32(1))), i32(1)));
  const t: ArrRef = { ...out, strides };
  fl.nest(a.shape, [t, a], span, (p) => fl.block(() => {
    const x = fl.tmp(convert(ld(a.dtype, p[1]), a.dtype, dtype));
    fl.emit({ k: 'store', mem: memOf(dtype), addr: p[0], value: f(x) });
  }), COPY_OP);
  return t;
}

export function numpyMore(fl: FnLowerer, e: A.Call, fname: string, args: A.Expr[], t: Type): Val {
  const span = e.span;
  switch (fname) {
    case 'divmod': case 'np.divmod': return divmodCall(fl, e, fname === 'divmod', t);
    case 'roll': {
      // NumPy: offset = shift % n (n or 1 when empty); the last `offset` elements move to the front.
      const a = arr(fl, e.args[0]);
      const sv = fl.expr(e.args[1] ?? fl.kwOf(e, 'shift')!) as { e: Expr; dtype: DType };
      const shift = fl.tmp(convert(sv.e, sv.dtype, 'int64'));
      const axE = fl.kwOf(e, 'axis');
      const v = axisValue(axE, null);
      const out = fl.alloc(a.dtype, a.shape, true);
      if (v === null || v === undefined) {
        // No axis: roll the flattened array, then give it a's shape.
        const flat = a.ndim === 1 ? a : flattenCopy(fl, a, a.dtype, span);
        rollAxis(fl, flat, { ...out, ndim: 1, shape: [flat.shape[0]], strides: [i32(1)] }, 0, shift, span);
        if (flat !== a) fl.emit({ k: 'release', desc: flat.desc });
      } else rollAxis(fl, a, out, v < 0 ? v + a.ndim : v, shift, span);
      return fl.ownedArray(out);
    }
    case 'meshgrid': {
      // The k-th output has the k-th input along its own axis and is constant along the others; with
      // indexing='xy' (the default) the first two axes are swapped. NumPy flattens each input.
      const ins = e.args.map((x) => {
        const a = arr(fl, x);
        if (a.ndim === 1) return a;
        const f = flattenCopy(fl, a, a.dtype, span);
        fl.ownedArray(f);
        return f;
      });
      const ix = fl.kwOf(e, 'indexing');
      const xy = !(ix?.kind === 'Str' && ix.value === 'ij') && ins.length >= 2;
      const axisOf = (i: number) => (xy && i < 2 ? 1 - i : i);
      const shape = rangeN(ins.length).map((k) => ins[axisOf(k)].shape[0]);
      return {
        k: 't', items: ins.map((a, i) => {
          const out = fl.alloc(a.dtype, shape, true);
          copySame(fl, out, { ...a, ndim: shape.length, shape, strides: shape.map((_n, k) => (k === axisOf(i) ? a.strides[0] : i32(0))) }, span);
          return fl.ownedArray(out);
        }),
      };
    }
    case 'bincount': return bincount(fl, e);
    case 'allclose': {
      // bool(all(isclose(a, b, ...))): the isclose nest, then its all().
      const ic: A.Call = { ...e };
      const rank = Math.max(...e.args.map((x) => { const xt = fl.type(x); return xt.kind === 'array' ? xt.ndim : 0; }));
      fl.cur.types.set(ic, rank ? { kind: 'array', dtype: 'bool', ndim: rank } : { kind: 'scalar', dtype: 'bool', weak: false });
      fl.cur.calls.set(ic, { kind: 'builtin', name: 'isclose', self: null });
      const v = fl.expr(ic);
      if (v.k === 's') return { k: 's', e: v.e, dtype: 'bool' };
      const r = fl.reduceAll('all', (v as { a: ArrRef }).a, 'bool', e);
      return { k: 's', e: r.e, dtype: 'bool' };
    }
    case 'nonzero': {
      // The indices of the non-zero elements, one int64 array per axis, in C order: count, then fill.
      const a = arr(fl, args[0]);
      const nz = (p: Expr) => convert(ld(a.dtype, p), a.dtype, 'bool');
      const cnt = fl.fresh('cnt', 'i32');
      fl.set(cnt, i32(0));
      fl.nest(a.shape, [a], span, (p) => [{ k: 'set', name: cnt, value: add32(get(cnt, 'i32'), nz(p[0])) }]);
      const n = fl.tmp(get(cnt, 'i32'), 'n');
      const outs = a.shape.map(() => fl.alloc('int64', [n], true));
      const j = fl.fresh('j', 'i32');
      fl.set(j, i32(0));
      fl.nest(a.shape, [a], span, (p, idx) => [{ k: 'if', cond: nz(p[0]), then: [
        ...outs.map((o, k): Stmt => ({ k: 'store', mem: 'i64', addr: add32(o.data, bin('shl', 'i32', get(j, 'i32'), i32(3))), value: cvt('i32->i64', idx[k]) })),
        { k: 'set', name: j, value: add32(get(j, 'i32'), i32(1)) },
      ], else: [] }]);
      return { k: 't', items: outs.map((o) => fl.ownedArray(o)) };
    }
    case 'linalg.norm': return norm(fl, e, t);
  }
  throw new Error(`internal: ${fname} not lowered`);
}

/** dst = src rolled by `shift` along axis k (both of the same shape): two block copies. */
function rollAxis(fl: FnLowerer, src: ArrRef, dst: ArrRef, k: number, shift: Expr, span: Span): void {
  const n = src.shape[k];
  const n64 = fl.tmp(cvt('i32->i64', select('i32', bin('eq', 'i32', n, i32(0)), i32(1), n)));
  const m = fl.tmp(bin('rem_s', 'i64', shift, n64));
  const off = fl.tmp(cvt('i64->i32', select('i64', bin('lt_s', 'i64', m, i64(0)), bin('add', 'i64', m, n64), m)), 'off');
  const rest = fl.tmp(bin('sub', 'i32', n, off), 'rest');
  const part = (a: ArrRef, at: Expr, len: Expr): ArrRef => ({ ...a, data: elemAddr(a, a.data, at, a.strides[k]), shape: a.shape.map((x, j) => (j === k ? len : x)) });
  copySame(fl, part(dst, off, rest), part(src, i32(0), rest), span);
  copySame(fl, part(dst, i32(0), off), part(src, rest, off), span);
}

/**
 * divmod(a, b): (a // b, a % b) as Par computes them, in one pass for arrays (np.divmod). A zero
 * integer divisor raises Python's `integer division or modulo by zero`; a zero float divisor raises
 * `float divmod()` when both are Python numbers (CPython's builtin), else gives NumPy's (inf, nan).
 */
function divmodCall(fl: FnLowerer, e: A.Call, builtin: boolean, t: Type): Val {
  const one = (t as Type & { kind: 'tuple' }).elems[0] as Type & { dtype: DType };
  const d = one.dtype;
  const lt = fl.type(e.args[0]), rt = fl.type(e.args[1]);
  const pythonFloats = builtin && one.kind === 'scalar' && one.weak && isFloat(d);
  const zeroText = isFloat(d) ? 'float divmod()' : 'integer division or modulo by zero';
  const pair = (x: Val, y: Val): [Expr, Expr] => {
    const yv = fl.tmp(convert((y as { e: Expr; dtype: DType }).e, (y as { dtype: DType }).dtype, d));
    if (!isFloat(d) || pythonFloats) fl.emit({ k: 'if', cond: bin('eq', vtOf(d), yv, cst(vtOf(d), 0)), then: [fmtTrap(fl, 'ZeroDivisionError', zeroText, e.span)], else: [] });
    const yd: Val = { k: 's', e: yv, dtype: d };
    const q = fl.binaryScalar('//', x, yd, d, e.span, lt, rt) as { e: Expr };
    const r = fl.binaryScalar('%', x, yd, d, e.span, lt, rt) as { e: Expr };
    return [q.e, r.e];
  };
  const va = fl.snapshot(fl.expr(e.args[0])), vb = fl.snapshot(fl.expr(e.args[1]));
  if (one.kind === 'scalar') {
    const [q, r] = pair(va, vb);
    return { k: 't', items: [{ k: 's', e: fl.tmp(q), dtype: d }, { k: 's', e: fl.tmp(r), dtype: d }] };
  }
  const ops = [va, vb].filter((v): v is Val & { k: 'a' } => v.k === 'a').map((v) => v.a);
  const shape = fl.broadcastShape((one as { ndim: number }).ndim, ops, e.span);
  const q = fl.alloc(d, shape, true), r = fl.alloc(d, shape, true);
  fl.nest(shape, [q, r, ...ops], e.span, (p) => fl.block(() => {
    let k = 2;
    const el = (v: Val): Val => (v.k === 'a' ? { k: 's', e: fl.tmp(ld(v.a.dtype, p[k++])), dtype: v.a.dtype } : v);
    const x = el(va), y = el(vb);
    const [qe, re] = pair(x, y);
    fl.emit({ k: 'store', mem: memOf(d), addr: p[0], value: qe });
    fl.emit({ k: 'store', mem: memOf(d), addr: p[1], value: re });
  }), COPY_OP);
  return { k: 't', items: [fl.ownedArray(q), fl.ownedArray(r)] };
}

/** np.bincount(x, weights=None, minlength=0), with NumPy's checks in NumPy's order. */
function bincount(fl: FnLowerer, e: A.Call): Val {
  const span = e.span;
  const a = arr(fl, e.args[0]);
  const wE = fl.kwOf(e, 'weights');
  const w = wE && wE.kind !== 'None' ? arr(fl, wE) : null;
  const mlE = fl.kwOf(e, 'minlength');
  let ml: Expr = i64(0);
  if (mlE) {
    const v = fl.expr(mlE) as { e: Expr; dtype: DType };
    ml = fl.tmp(convert(v.e, v.dtype, 'int64'));
    fl.emit({ k: 'if', cond: bin('lt_s', 'i64', ml, i64(0)), then: [fmtTrap(fl, 'ValueError', "'minlength' must not be negative", mlE.span)], else: [] });
  }
  const n = a.shape[0];
  const i = fl.fresh('i', 'i32');
  const at = (b: ArrRef) => elemAddr(b, b.data, get(i, 'i32'), b.strides[0]);
  const loop = (body: Stmt[]): Stmt => ({ k: 'for', label: `bc${fl.n++}`, v: i, t: 'i32', start: i32(0), stop: n, step: i32(1), body });
  const mx = fl.fresh('mx', 'i64'), v = fl.fresh('v', 'i64');
  fl.set(mx, i64(-1));
  fl.emit(loop([
    { k: 'set', name: v, value: convert(ld(a.dtype, at(a)), a.dtype, 'int64') },
    { k: 'if', cond: bin('lt_s', 'i64', get(v, 'i64'), i64(0)), then: [fmtTrap(fl, 'ValueError', "'list' argument must have no negative elements", span)], else: [] },
    { k: 'if', cond: bin('gt_s', 'i64', get(v, 'i64'), get(mx, 'i64')), then: [{ k: 'set', name: mx, value: get(v, 'i64') }], else: [] },
  ]));
  if (w) fl.emit({ k: 'if', cond: bin('and', 'i32', bin('ne', 'i32', n, i32(0)), bin('ne', 'i32', w.shape[0], n)), then: [fmtTrap(fl, 'ValueError', "The weights and list don't have the same length.", span)], else: [] });
  // max(max(x) + 1, minlength) bins; beyond what an array can hold the allocation reports MemoryError.
  const len = fl.tmp(bin('add', 'i64', get(mx, 'i64'), i64(1)));
  const len2 = fl.tmp(select('i64', bin('gt_s', 'i64', ml, len), ml, len));
  const size = fl.tmp(cvt('i64->i32', select('i64', bin('gt_s', 'i64', len2, i64(0x7fffffff)), i64(0x7fffffff), len2)), 'n');
  const d: DType = w ? 'float64' : 'int64';
  const out = fl.alloc(d, [size]);
  const slot = add32(out.data, bin('shl', 'i32', cvt('i64->i32', convert(ld(a.dtype, at(a)), a.dtype, 'int64')), i32(3)));
  const s = fl.fresh('slot', 'i32');
  fl.emit(loop([
    { k: 'set', name: s, value: slot },
    { k: 'store', mem: memOf(d), addr: get(s, 'i32'), value: w
      ? bin('add', 'f64', ld('float64', get(s, 'i32')), convert(ld(w.dtype, at(w)), w.dtype, 'float64'))
      : bin('add', 'i64', ld('int64', get(s, 'i32')), i64(1)) },
  ]));
  return fl.ownedArray(out);
}

/**
 * np.linalg.norm(x, ord=None, axis=None) as NumPy computes it (numpy/linalg/_linalg.py): int and
 * bool arrays as float64; the 2-norm of the whole array is the square root of its sum of squares
 * (pairwise here; NumPy's is BLAS's dot, whose order depends on the CPU, so the last bit can
 * differ); along an axis and for the other orders NumPy's reductions, in NumPy's order.
 */
function norm(fl: FnLowerer, e: A.Call, t: Type): Val {
  const span = e.span;
  const x = arr(fl, e.args[0]);
  const d = (t as { dtype: DType }).dtype;
  const vt = vtOf(d);
  const ord = normOrd(fl.kwOf(e, 'ord')) as number | string | null;
  const axv = axisValue(fl.kwOf(e, 'axis'), null);
  const ax = axv === null || axv === undefined ? null : axv < 0 ? axv + x.ndim : axv;
  const scalarOf = (r: { e: Expr }): Val => ({ k: 's', e: fl.tmp(r.e), dtype: d });
  const absOf = () => mapLike(fl, x, d, (v) => un('abs', vt, v), span);
  const sqrtInPlace = (o: ArrRef) => fl.nest(o.shape, [o], span, (p) => [{ k: 'store', mem: memOf(d), addr: p[0], value: un('sqrt', vt, ld(d, p[0])) }], COPY_OP);
  if (ax === null && (ord === null || ord === 'fro' || ord === 'f' || (ord === 2 && x.ndim === 1))) {
    // sqrt(x . x) of the flattened array.
    const line = x.ndim === 1 && x.dtype === d ? x : ((c) => ({ ...c, ndim: 1, shape: [fl.tmp(size(c))], strides: [i32(1)] }))(fl.contiguousCopy(x, d));
    return { k: 's', e: fl.tmp(un('sqrt', vt, bin('add', vt, cst(vt, 0), fl.dotLine(line, line, vt)))), dtype: d };
  }
  if (ax === null && x.ndim === 2) {
    // Matrix norms: the largest (smallest) column sum of |x| for 1 (-1), row sum for inf (-inf).
    const sums = fl.reduceAlong('sum', absOf(), ord === 1 || ord === -1 ? 0 : 1, d, e);
    fl.ownedArray(sums);
    return scalarOf(ord === 1 || ord === Infinity ? maxFromZero(fl, sums, d, span) : fl.reduceAll('min', sums, d, e));
  }
  // Vector norms of a 1-d array (k = 0, a number) or along axis k (an array).
  const k = ax ?? 0;
  const whole = ax === null || x.ndim === 1;
  const sum = (a: ArrRef): Val => {
    if (whole) return scalarOf(fl.reduceAll('sum', a, d, e));
    return fl.ownedArray(fl.reduceAlong('sum', a, k, d, e));
  };
  if (ord === Infinity || ord === -Infinity) {
    const isMax = ord === Infinity;
    // max(|x|, initial=0) for inf (0 when empty); min(|x|) for -inf (an error when empty).
    if (whole) return scalarOf(isMax ? maxFromZero(fl, x, d, span) : { e: minAbs(fl, x, d, e) });
    const outShape = x.shape.filter((_n, j) => j !== k);
    if (!isMax) fl.emptyCheck('min', bin('and', 'i32', bin('eq', 'i32', x.shape[k], i32(0)), bin('ne', 'i32', outShape.reduce((p: Expr, n) => mul32(p, n), i32(1)), i32(0))), e, true);
    const out = fl.alloc(d, outShape, true);
    fl.nest(outShape, [out], span, (p) => [{ k: 'store', mem: memOf(d), addr: p[0], value: cst(vt, isMax ? 0 : Infinity) }]);
    const spread: ArrRef = { ...out, ndim: x.ndim, shape: x.shape, strides: x.shape.map((_n, j) => (j === k ? i32(0) : out.strides[j < k ? j : j - 1])) };
    fl.nest(x.shape, [spread, x], span, (p) => [{ k: 'store', mem: memOf(d), addr: p[0],
      value: bin(isMax ? 'max' : 'min', vt, ld(d, p[0]), un('abs', vt, convert(ld(x.dtype, p[1]), x.dtype, d))) }]);
    return fl.ownedArray(out);
  }
  if (ord === 0) return sum(mapLike(fl, x, d, (v) => convert(bin('ne', vt, v, cst(vt, 0)), 'bool', d), span));
  if (ord === 1) return sum(absOf());
  if (ord === null || ord === 2) {
    const r = sum(mapLike(fl, x, d, (v) => bin('mul', vt, v, v), span));
    if (r.k === 's') return { k: 's', e: fl.tmp(un('sqrt', vt, r.e)), dtype: d };
    sqrtInPlace((r as { a: ArrRef }).a);
    return r;
  }
  // Any other p: sum(|x| ** p) ** (1 / p), with NumPy's fast paths for the powers 0.5 and -1.
  const p = ord as number;
  const pw = (v: Expr, y: number): Expr => {
    if (y === 0.5) return un('sqrt', vt, v);
    if (y === -1) return bin('div', vt, cst(vt, 1), v);
    const f = fl.mod.math('pow');
    return d === 'float32' ? cvt('f64->f32', call(f, 'f64', cvt('f32->f64', v), f64(y))) : call(f, 'f64', v, f64(y));
  };
  const r = sum(mapLike(fl, x, d, (v) => pw(un('abs', vt, v), p), span));
  const inv = d === 'float32' ? Math.fround(1 / p) : 1 / p;
  if (r.k === 's') return { k: 's', e: fl.tmp(pw(r.e, inv)), dtype: d };
  const o = (r as { a: ArrRef }).a;
  fl.nest(o.shape, [o], span, (q) => [{ k: 'store', mem: memOf(d), addr: q[0], value: pw(ld(d, q[0]), inv) }], COPY_OP);
  return r;
}

/** max(|a|) with NumPy's initial=0 (so 0 for an empty array; nan propagates). */
function maxFromZero(fl: FnLowerer, a: ArrRef, d: DType, span: Span): { e: Expr } {
  const vt = vtOf(d);
  const acc = fl.fresh('mx', vt);
  fl.set(acc, cst(vt, 0));
  fl.nest(a.shape, [a], span, (p) => [{ k: 'set', name: acc, value: bin('max', vt, get(acc, vt), un('abs', vt, convert(ld(a.dtype, p[0]), a.dtype, d))) }]);
  return { e: get(acc, vt) };
}

/** min(|a|), NumPy's error when a is empty. */
function minAbs(fl: FnLowerer, a: ArrRef, d: DType, e: A.Call): Expr {
  const vt = vtOf(d);
  fl.emptyCheck('min', size(a), e);
  const acc = fl.fresh('mn', vt);
  fl.set(acc, cst(vt, Infinity));
  fl.nest(a.shape, [a], e.span, (p) => [{ k: 'set', name: acc, value: bin('min', vt, get(acc, vt), un('abs', vt, convert(ld(a.dtype, p[0]), a.dtype, d))) }]);
  return get(acc, vt);
}

// ---------------- Python's math module ----------------

/** The math functions whose result can overflow (CPython's can_overflow: OverflowError rather than ValueError). */
const MATH_OVERFLOWS = new Set(['exp', 'exp2', 'expm1', 'sinh', 'cosh']);
/** Those that never raise (radians and degrees multiply; the others are defined everywhere). */
const MATH_NO_ERRORS = new Set(['radians', 'degrees', 'fabs', 'atan', 'tanh', 'erf', 'atan2', 'copysign', 'hypot']);

/**
 * `math.f(x, ...)` of numbers (Python's math module; checker.ts mathCall): the value of NumPy's f,
 * computed in float64, then CPython's checks (mathmodule.c: math_1, math_2, math_fmod, math_pow):
 * a nan result from a non-nan argument, or an infinite one from finite arguments, raises ValueError
 * (`math domain error`) or, where the function can overflow, OverflowError (`math range error`).
 */
export function mathCall(fl: FnLowerer, e: A.Call, id: string): Val {
  const span = e.span;
  const vals = e.args.map((x) => fl.expr(x) as { e: Expr; dtype: DType });
  const f = (v: { e: Expr; dtype: DType }) => fl.tmp(convert(v.e, v.dtype, 'float64'));
  const raise = (kind: string, text: string, cond: Expr) => fl.emit({ k: 'if', cond, then: [fmtTrap(fl, kind, text, span)], else: [] });
  const and = (a: Expr, b: Expr) => bin('and', 'i32', a, b), or = (a: Expr, b: Expr) => bin('or', 'i32', a, b);
  const isnan = (x: Expr) => bin('ne', 'f64', x, x);
  const isinf = (x: Expr) => bin('eq', 'f64', un('abs', 'f64', x), f64(Infinity));
  const finite = (x: Expr) => bin('lt', 'f64', un('abs', 'f64', x), f64(Infinity));
  const not = (x: Expr) => un('eqz', 'i32', x);
  const float = (x: Expr): Val => ({ k: 's', e: fl.tmp(x), dtype: 'float64' });
  const bool = (x: Expr): Val => ({ k: 's', e: fl.tmp(x), dtype: 'bool' });
  const DOMAIN = 'math domain error', RANGE = 'math range error';
  /** The value of NumPy's f at float64 arguments, with math_1's checks. */
  const unary = (name: string, x: Expr): Expr => {
    const r = fl.tmp((fl.builtinScalar(MATH_FNS.get(name)!, [{ k: 's', e: x, dtype: 'float64' }], 'float64', e) as { e: Expr }).e);
    if (MATH_NO_ERRORS.has(name)) return r;
    raise('ValueError', DOMAIN, and(isnan(r), not(isnan(x))));
    raise(MATH_OVERFLOWS.has(name) ? 'OverflowError' : 'ValueError', MATH_OVERFLOWS.has(name) ? RANGE : DOMAIN, and(isinf(r), finite(x)));
    return r;
  };
  switch (id) {
    case 'floor': case 'ceil': case 'trunc': {
      // Python's int: an int argument is itself; a float must be finite.
      const v = vals[0];
      if (!isFloat(v.dtype)) return { k: 's', e: convert(v.e, v.dtype, 'int64'), dtype: 'int64' };
      const x = f(v);
      raise('ValueError', 'cannot convert float NaN to integer', isnan(x));
      raise('OverflowError', 'cannot convert float infinity to integer', isinf(x));
      return { k: 's', e: fl.tmp(convert(un(id, 'f64', x), 'float64', 'int64')), dtype: 'int64' };
    }
    case 'isnan': case 'isinf': case 'isfinite': {
      const v = vals[0];
      if (!isFloat(v.dtype)) return bool(i32(id === 'isfinite' ? 1 : 0));
      const x = f(v);
      return bool(id === 'isnan' ? isnan(x) : id === 'isinf' ? isinf(x) : finite(x));
    }
    case 'isclose': {
      // CPython's math.isclose: symmetric, rel_tol=1e-09, abs_tol=0.0.
      const a = f(vals[0]), b = f(vals[1]);
      const tol = (name: string, dflt: number) => { const k = fl.kwOf(e, name); return k ? f(fl.expr(k) as { e: Expr; dtype: DType }) : f64(dflt); };
      const rel = tol('rel_tol', 1e-9), abs = tol('abs_tol', 0);
      raise('ValueError', 'tolerances must be non-negative', or(bin('lt', 'f64', rel, f64(0)), bin('lt', 'f64', abs, f64(0))));
      const diff = fl.tmp(un('abs', 'f64', bin('sub', 'f64', b, a)));
      const close = or(or(bin('le', 'f64', diff, un('abs', 'f64', bin('mul', 'f64', rel, b))), bin('le', 'f64', diff, un('abs', 'f64', bin('mul', 'f64', rel, a)))), bin('le', 'f64', diff, abs));
      return bool(or(bin('eq', 'f64', a, b), and(not(or(isinf(a), isinf(b))), close)));
    }
    case 'log': {
      const num = unary('log', f(vals[0]));
      if (vals.length === 1) return float(num);
      // math.log(x, base) is log(x) / log(base): base 1 divides by zero.
      const den = unary('log', f(vals[1]));
      raise('ZeroDivisionError', 'float division by zero', bin('eq', 'f64', den, f64(0)));
      return float(bin('div', 'f64', num, den));
    }
    case 'pow': {
      // math_pow: errors only for finite arguments (0 ** -1 and (-8) ** (1/3) are domain errors).
      const x = f(vals[0]), y = f(vals[1]);
      const r = fl.tmp(call(fl.mod.math('pow'), 'f64', x, y));
      const fin = and(finite(x), finite(y));
      raise('ValueError', DOMAIN, and(fin, or(isnan(r), and(isinf(r), bin('eq', 'f64', x, f64(0))))));
      raise('OverflowError', RANGE, and(fin, and(isinf(r), bin('ne', 'f64', x, f64(0)))));
      return float(r);
    }
    case 'atan2': case 'hypot': case 'copysign': case 'fmod': {
      const x = f(vals[0]), y = f(vals[1]);
      const r = fl.tmp((fl.builtinScalar(MATH_FNS.get(id)!, [{ k: 's', e: x, dtype: 'float64' }, { k: 's', e: y, dtype: 'float64' }], 'float64', e) as { e: Expr }).e);
      // math_fmod: fmod(x, 0) and fmod(inf, y) are domain errors.
      if (id === 'fmod') raise('ValueError', DOMAIN, and(isnan(r), not(or(isnan(x), isnan(y)))));
      return float(r);
    }
  }
  return float(unary(id, f(vals[0])));
}

/**
 * One element of np.isclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False), as NumPy 2 computes it:
 * b becomes a float (a Python int a Python float), then `abs(a - b) <= atol + rtol * abs(b)` in
 * NEP 50's promoted dtypes (a Python number adapts: float32 operands stay float32), and b finite,
 * or `a == b` (equal infinities), or with equal_nan both nan. `args`: a, b, then the keywords given.
 */
export function isCloseElem(fl: FnLowerer, e: A.Call, args: Val[]): Expr {
  const el = (x: A.Expr) => elemOf(fl.type(x))!;
  const given = ['rtol', 'atol', 'equal_nan'].map((n) => e.keywords.find((k) => k.name === n)?.value);
  let i = 2;
  const vals = given.map((g) => (g ? { v: args[i++] as { e: Expr; dtype: DType }, t: el(g) } : null));
  const tx = el(e.args[0]), ty0 = el(e.args[1]);
  const ty = { dtype: (isFloat(ty0.dtype) ? ty0.dtype : 'float64') as DType, weak: ty0.weak };
  const weakFloat = { dtype: 'float64' as DType, weak: true };
  const tr = vals[0]?.t ?? weakFloat, ta = vals[1]?.t ?? weakFloat;
  const dD = promote(tx, ty), dR = promote(tr, ty), dA = promote(ta, dR), dC = promote(dD, dA);
  const sx = args[0] as { e: Expr; dtype: DType }, sy = args[1] as { e: Expr; dtype: DType };
  const x = fl.tmp(sx.e), y = fl.tmp(convert(sy.e, sy.dtype, ty.dtype));
  const as = (v: Expr, from: DType, to: DType) => convert(v, from, to);
  const vt = (d: DType) => vtOf(d);
  const absy = un('abs', vt(ty.dtype), y);
  const diff = un('abs', vt(dD.dtype), bin('sub', vt(dD.dtype), as(x, sx.dtype, dD.dtype), as(y, ty.dtype, dD.dtype)));
  const rtol = vals[0] ? as(vals[0].v.e, vals[0].v.dtype, dR.dtype) : cst(vt(dR.dtype), 1e-5);
  const atol = vals[1] ? as(vals[1].v.e, vals[1].v.dtype, dA.dtype) : cst(vt(dA.dtype), 1e-8);
  const tol = bin('add', vt(dA.dtype), atol, as(bin('mul', vt(dR.dtype), rtol, as(absy, ty.dtype, dR.dtype)), dR.dtype, dA.dtype));
  const le = bin('le', vt(dC.dtype), as(diff, dD.dtype, dC.dtype), as(tol, dA.dtype, dC.dtype));
  const finite = bin('lt', vt(ty.dtype), un('abs', vt(ty.dtype), y), cst(vt(ty.dtype), Infinity));
  const eq = bin('eq', vt(dD.dtype), as(x, sx.dtype, dD.dtype), as(y, ty.dtype, dD.dtype));
  let r = bin('or', 'i32', bin('and', 'i32', le, finite), eq);
  if (vals[2]) {
    const xnan = isFloat(sx.dtype) ? bin('ne', vt(sx.dtype), x, x) : i32(0);
    r = bin('or', 'i32', r, bin('and', 'i32', convert(vals[2].v.e, vals[2].v.dtype, 'bool'), bin('and', 'i32', xnan, bin('ne', vt(ty.dtype), y, y))));
  }
  return r;
}

export function elemChildren(e: A.Expr, r: unknown): A.Expr[] {
  switch (e.kind) {
    case 'Binary': return [e.left, e.right];
    case 'Unary': return [e.operand];
    case 'Compare': return [e.left, e.comparators[0]];
    case 'Call': {
      const res = r as { name?: string; kind?: string } | undefined;
      if (res?.kind === 'user') return e.args;
      if (res?.name === '.astype') return [(e.func as A.Attribute).value];
      return ufuncArgs(e);
    }
    default: return [];
  }
}
