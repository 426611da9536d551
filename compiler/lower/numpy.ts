// Lowering of more of NumPy (issue 18): reductions of tuples (`np.prod(a.shape)`, Python's
// `sum(t)`, `math.prod`), reductions along an axis known only at run time, `np.unique`,
// `searchsorted`, `histogram`, `convolve`, `pad`, `take`, `identity`, `triu`/`tril`,
// `column_stack`, `einsum` (each subscript mapped to matmul, dot, a sum, outer, a transpose or a
// diagonal), and the index grids `np.mgrid`/`np.ogrid`. The checker types these in
// `numpyExtra()` and its neighbours; each function here takes the FnLowerer of the function
// being lowered and uses its helpers (nests, allocation, ownership), as library.ts does.
import type * as A from '../../language/ast.js';
import { axisValue, einsumPlan, padShape } from '../../language/check-numpy.js';
import { type DType, type Type, isFloat, promote, promoteDtypes } from '../../language/types.js';
import type * as I from '../ir.js';
import type { FnLowerer } from './function.js';
import type { ArrRef, Val } from './values.js';
import { concat, copyRaw, diagonalView, flattenCopy, fmtTrap, seqArrays, sortHelper } from './library.js';
import { i32, i64, f64, cst, get, bin, un, cvt, load, call, select, add32, mul32, vtOf, memOf, log2Size, convert, cmpOpOf } from '../ir-build.js';

type Expr = I.Expr;
type Stmt = I.Stmt;
type Num = { e: Expr; dtype: DType };
type Scalar = Type & { kind: 'scalar' };
type ArrT = Type & { kind: 'array' };

const ld = (d: DType, addr: Expr): Expr => load(vtOf(d), memOf(d), addr);
/** The address of element `ix` of a line of `a` starting at `data` with element stride `stride`. */
const elemAt = (a: ArrRef, data: Expr, ix: Expr, stride: Expr): Expr => add32(data, bin('shl', 'i32', mul32(ix, stride), i32(log2Size(a.dtype))));
const size = (a: ArrRef): Expr => a.shape.reduce((acc: Expr, n) => mul32(acc, n), i32(1));
const rangeN = (n: number): number[] => Array.from({ length: n }, (_v, i) => i);
const or = (a: Expr, b: Expr) => bin('or', 'i32', a, b), and = (a: Expr, b: Expr) => bin('and', 'i32', a, b);

function arr(fl: FnLowerer, e: A.Expr): ArrRef { return (fl.expr(e) as { a: ArrRef }).a; }
function num(fl: FnLowerer, e: A.Expr): Num { const v = fl.expr(e) as Num; return { e: fl.tmp(v.e), dtype: v.dtype }; }
function int64Of(fl: FnLowerer, e: A.Expr): Expr { const v = num(fl, e); return fl.tmp(convert(v.e, v.dtype, 'int64')); }
/** A counted loop over [start, stop) of a fresh i32 local. */
function loop(fl: FnLowerer, v: string, stop: Expr, body: Stmt[], start: Expr = i32(0)): Stmt {
  return { k: 'for', label: `np${fl.n++}`, v, t: 'i32', start, stop, step: i32(1), body };
}
/** Raises NumPy's error `kind: text` (with {0}, {1}, {2} filled from a, b, c) when `cond` holds. */
function raiseIf(fl: FnLowerer, cond: Expr, kind: string, text: string, span: A.Expr['span'], a?: Expr, b?: Expr, c?: Expr): void {
  fl.emit({ k: 'if', cond, then: [fmtTrap(fl, kind, text, span, a, b, c)], else: [] });
}
/** Two i32 values in one i64 argument of a message ({kh} and {kl} in its text). */
const pack = (h: Expr, l: Expr): Expr => bin('or', 'i64', bin('shl', 'i64', cvt('i32->i64', h), i64(32)), cvt('u32->i64', l));

export function numpyExtra(fl: FnLowerer, e: A.Call, fname: string, args: A.Expr[], t: Type): Val {
  if (fname.startsWith('tuple:py:')) return pythonFold(fl, e, fname.slice('tuple:py:'.length), t);
  if (fname.startsWith('tuple:np:')) return tupleReduce(fl, e, fname.slice('tuple:np:'.length), t);
  const rdt = (t as { dtype?: DType }).dtype ?? 'float64';
  switch (fname) {
    case 'unique': return unique(fl, e, t);
    case 'searchsorted': return searchsorted(fl, e, t);
    case 'histogram': return histogram(fl, e, t);
    case 'convolve': return convolve(fl, e, rdt);
    case 'pad': return pad(fl, e);
    case 'take': return take(fl, e, t);
    case 'identity': {
      const n = fl.shapeExprs(args[0])[0];
      const out = fl.alloc(rdt, [n, n]);
      const i = fl.fresh('i', 'i32');
      fl.emit(loop(fl, i, n, [{ k: 'store', mem: memOf(rdt), addr: elemAt(out, out.data, get(i, 'i32'), add32(n, i32(1))), value: convert(i64(1), 'int64', rdt) }]));
      return fl.ownedArray(out);
    }
    case 'triu': case 'tril': return triangle(fl, e, fname === 'triu');
    case 'column_stack': {
      // 1-d arrays become columns (n x 1), then everything is joined along axis 1.
      const arrs = seqArrays(fl, e.args[0]).map((b) => (b.ndim === 1 ? { ...b, ndim: 2, shape: [b.shape[0], i32(1)], strides: [b.strides[0], i32(0)] } : b));
      return concat(fl, arrs, 1, rdt, e.span);
    }
    case 'einsum': return einsum(fl, e, t);
  }
  throw new Error(`internal: ${fname} not lowered`);
}

// ---------------- tuples: Python's builtins and NumPy's reductions ----------------

/**
 * Python's sum/min/max/any/all of a tuple, and math.prod (of a tuple, or of a 1-d array's
 * elements): left to right from 0 (1, or start=), each step in the promoted type of its two
 * operands, as Python computes with its numbers and NumPy's scalars.
 */
function pythonFold(fl: FnLowerer, e: A.Call, fname: string, t: Type): Val {
  const rd = (t as Scalar).dtype, vt = vtOf(rd);
  const arg = e.args[0];
  const argT = fl.type(arg);
  const startE = fl.kwOf(e, 'start');
  if (argT.kind === 'array') {
    const a = arr(fl, arg);
    const s = startE ? num(fl, startE) : { e: i64(1), dtype: 'int64' as DType };
    const acc = fl.fresh('acc', vt);
    fl.set(acc, convert(s.e, s.dtype, rd));
    fl.nest(a.shape, [a], e.span, (p) => [{ k: 'set', name: acc, value: bin('mul', vt, get(acc, vt), convert(ld(a.dtype, p[0]), a.dtype, rd)) }]);
    return { k: 's', e: get(acc, vt), dtype: rd };
  }
  const types = (argT as Type & { kind: 'tuple' }).elems as Scalar[];
  const items = ((fl.expr(arg) as { items: Val[] }).items as Num[]).map((x) => ({ e: fl.tmp(x.e), dtype: x.dtype }));
  if (fname === 'any' || fname === 'all') {
    const v = items.map((x) => convert(x.e, x.dtype, 'bool')).reduce((a, b) => (fname === 'any' ? or(a, b) : and(a, b)), i32(fname === 'all' ? 1 : 0));
    return { k: 's', e: fl.tmp(v), dtype: 'bool' };
  }
  if (fname === 'sum' || fname === 'prod') {
    let acc: Val = startE ? fl.expr(startE) : { k: 's', e: i64(fname === 'prod' ? 1 : 0), dtype: 'int64' };
    let accT: Scalar = startE ? fl.type(startE) as Scalar : { kind: 'scalar', dtype: 'int64', weak: true };
    items.forEach((x, i) => {
      const p = promote(accT, types[i]);
      const d: DType = p.dtype === 'bool' ? 'int64' : p.dtype;
      const r = fl.binaryScalar(fname === 'sum' ? '+' : '*', acc, { k: 's', ...x }, d, e.span, accT, types[i]) as Num;
      acc = { k: 's', e: fl.tmp(r.e), dtype: d };
      accT = { kind: 'scalar', dtype: d, weak: p.weak };
    });
    return { k: 's', e: convert((acc as Num).e, (acc as Num).dtype, rd), dtype: rd };
  }
  // min/max: an element replaces the best only when strictly better (Python's first extreme; nan stays out unless first).
  const best = fl.fresh('best', vt);
  fl.set(best, convert(items[0].e, items[0].dtype, rd));
  for (const x of items.slice(1)) {
    const xv = fl.tmp(convert(x.e, x.dtype, rd));
    const better = rd === 'bool' ? bin(fname === 'max' ? 'gt_s' : 'lt_s', 'i32', xv, get(best, vt)) : bin(cmpOpOf(fname === 'max' ? '>' : '<', rd), vt, xv, get(best, vt));
    fl.set(best, select(vt, better, xv, get(best, vt)));
  }
  return { k: 's', e: get(best, vt), dtype: rd };
}

/** NumPy's reduction of a tuple of numbers: that of `np.array(t)`, a 1-d array made of its items. */
function tupleReduce(fl: FnLowerer, e: A.Call, fname: string, t: Type): Val {
  const rdt = (t as Scalar).dtype;
  const types = (fl.type(e.args[0]) as Type & { kind: 'tuple' }).elems as Scalar[];
  let d: DType = types.length ? types.map((x) => x.dtype).reduce((x, y) => promoteDtypes(x, y)) : 'float64';
  // With dtype= the elements are cast first (sum and mean cast as they add, which is the same here).
  if (fl.kwOf(e, 'dtype') && fname !== 'sum' && fname !== 'mean') d = rdt;
  const items = (fl.expr(e.args[0]) as { items: Val[] }).items as Num[];
  const a = fl.alloc(d, [i32(items.length)], true);
  items.forEach((x, i) => fl.emit({ k: 'store', mem: memOf(d), addr: add32(a.data, i32(i << log2Size(d))), value: convert(x.e, x.dtype, d) }));
  fl.ownedArray(a);
  const r = fl.reduceAll(fname, a, rdt, e);
  return { k: 's', e: fl.tmp(convert(r.e, r.dtype, rdt)), dtype: rdt };
}

// ---------------- reductions along an axis known at run time ----------------

/**
 * `a.sum(axis=k)` with `k` a value (a parameter, a variable): NumPy's AxisError when it is out of
 * range, else the reduction along that axis, one branch per possible axis (the result's rank is
 * known: one less than a's, or a's with keepdims=True, whose extent 1 goes where `k` says).
 */
export function dynamicAxisReduce(fl: FnLowerer, e: A.Call, fname: string, a: ArrRef, axE: A.Expr, rdt: DType, keepdims: boolean): Val {
  const nd = a.ndim;
  const raw = int64Of(fl, axE);
  const ax64 = fl.tmp(select('i64', bin('lt_s', 'i64', raw, i64(0)), bin('add', 'i64', raw, i64(nd)), raw));
  raiseIf(fl, or(bin('lt_s', 'i64', ax64, i64(0)), bin('ge_s', 'i64', ax64, i64(nd))), 'AxisError', 'axis {0} is out of bounds for array of dimension {1}', axE.span, raw, i64(nd));
  if (nd === 1) {
    // Along the only axis: the whole array, a number (or an array of one element with keepdims).
    const r = fl.reduceAll(fname, a, rdt, e);
    const v = fl.tmp(convert(r.e, r.dtype, rdt));
    if (!keepdims) return { k: 's', e: v, dtype: rdt };
    const one = fl.alloc(rdt, [i32(1)], true);
    fl.emit({ k: 'store', mem: memOf(rdt), addr: one.data, value: v });
    return fl.ownedArray(one);
  }
  const ax = fl.tmp(cvt('i64->i32', ax64), 'ax');
  const res = fl.fresh('red', 'i32');
  let branches: Stmt[] = [];
  for (let k = nd - 1; k >= 0; k--) {
    const body = fl.block(() => {
      const out = fname === 'std' || fname === 'var' ? fl.varAlong(fname, a, k, rdt, e) : fl.reduceAlong(fname, a, k, rdt, e);
      fl.set(res, out.desc);
    });
    branches = k === nd - 1 ? body : [{ k: 'if', cond: bin('eq', 'i32', ax, i32(k)), then: body, else: branches }];
  }
  for (const s of branches) fl.emit(s);
  const out = fl.arrFromDesc(get(res, 'i32'), rdt, nd - 1);
  const val = fl.ownedArray(out);
  if (!keepdims) return val;
  const here = (k: number) => bin('eq', 'i32', ax, i32(k));
  // Axis k of the result: extent 1 at ax, the output's axis k before it, axis k - 1 after it.
  const pick = (xs: Expr[], at: Expr) => rangeN(nd).map((k) => fl.tmp(
    k === 0 ? select('i32', here(0), at, xs[0]) : k === nd - 1 ? select('i32', here(k), at, xs[k - 1])
      : select('i32', here(k), at, select('i32', bin('gt_s', 'i32', ax, i32(k)), xs[k], xs[k - 1]))));
  return fl.makeView(out, out.data, pick(out.shape, i32(1)), pick(out.strides, i32(0)));
}

// ---------------- unique, searchsorted, histogram ----------------

/** np.unique(a, return_counts=, equal_nan=True): a sorted copy of the flattened array, each run of equal values kept once. */
function unique(fl: FnLowerer, e: A.Call, t: Type): Val {
  const span = e.span;
  const a = arr(fl, e.args[0]);
  const d = a.dtype, vt = vtOf(d);
  const flat = flattenCopy(fl, a, d, span);
  const n = flat.shape[0];
  const tmp = fl.alloc(d, [n], true);
  fl.emit({ k: 'expr', e: call(sortHelper(fl, d, false), null, flat.data, n, tmp.data) });
  fl.emit({ k: 'release', desc: tmp.desc });
  const eqNanE = fl.kwOf(e, 'equal_nan');
  const equalNan = !(eqNanE?.kind === 'Bool' && !eqNanE.value);
  const x = (i: Expr) => ld(d, elemAt(flat, flat.data, i, i32(1)));
  const i = fl.fresh('i', 'i32');
  const cur = fl.fresh('cur', vt), prev = fl.fresh('prev', vt);
  // Element i starts a new value (NaNs sort last; with equal_nan they are one value).
  const newValue = (): Stmt[] => [
    { k: 'set', name: cur, value: x(get(i, 'i32')) },
    { k: 'set', name: prev, value: x(bin('sub', 'i32', get(i, 'i32'), i32(1))) },
  ];
  const distinct = isFloat(d) && equalNan
    ? and(bin('ne', vt, get(cur, vt), get(prev, vt)), or(bin('eq', vt, get(cur, vt), get(cur, vt)), bin('eq', vt, get(prev, vt), get(prev, vt))))
    : bin('ne', vt, get(cur, vt), get(prev, vt));
  const k = fl.fresh('nu', 'i32');
  fl.set(k, select('i32', bin('gt_s', 'i32', n, i32(0)), i32(1), i32(0)));
  fl.emit(loop(fl, i, n, [...newValue(), { k: 'set', name: k, value: add32(get(k, 'i32'), distinct) }], i32(1)));
  const out = fl.alloc(d, [get(k, 'i32')], true);
  const countsE = fl.kwOf(e, 'return_counts');
  const counts = countsE?.kind === 'Bool' && countsE.value ? fl.alloc('int64', [out.shape[0]], true) : null;
  const j = fl.fresh('j', 'i32');
  const cnt = (j: Expr) => add32(counts!.data, bin('shl', 'i32', j, i32(3)));
  fl.set(j, i32(0));
  fl.emit({ k: 'if', cond: bin('gt_s', 'i32', n, i32(0)), then: [
    { k: 'store', mem: memOf(d), addr: out.data, value: x(i32(0)) },
    ...(counts ? [{ k: 'store', mem: 'i64', addr: counts.data, value: i64(1) } as Stmt] : []),
  ], else: [] });
  fl.emit(loop(fl, i, n, [...newValue(), { k: 'if', cond: distinct, then: [
    { k: 'set', name: j, value: add32(get(j, 'i32'), i32(1)) },
    { k: 'store', mem: memOf(d), addr: elemAt(out, out.data, get(j, 'i32'), i32(1)), value: get(cur, vt) },
    ...(counts ? [{ k: 'store', mem: 'i64', addr: cnt(get(j, 'i32')), value: i64(1) } as Stmt] : []),
  ], else: counts ? [{ k: 'store', mem: 'i64', addr: cnt(get(j, 'i32')), value: bin('add', 'i64', load('i64', 'i64', cnt(get(j, 'i32'))), i64(1)) }] : [] }], i32(1)));
  fl.emit({ k: 'release', desc: flat.desc });
  return counts ? { k: 't', items: [fl.ownedArray(out), fl.ownedArray(counts)] } : fl.ownedArray(out);
}

/**
 * np.searchsorted(a, v, side=): NumPy's binary search (npysort/binsearch.cpp) step for step, keys
 * in C order, each search narrowed by the previous key's result as NumPy does (so an unsorted `a`
 * gives NumPy's answers too); a and v compared in their promoted dtype, NaN after every number.
 */
function searchsorted(fl: FnLowerer, e: A.Call, t: Type): Val {
  const a = arr(fl, e.args[0]);
  const sideE = fl.kwOf(e, 'side');
  const right = sideE?.kind === 'Str' && sideE.value === 'right';
  const v = fl.expr(e.args[1]);
  const vd = v.k === 'a' ? v.a.dtype : (v as Num).dtype;
  const c = promoteDtypes(a.dtype, vd), ct = vtOf(c);
  const less = (x: Expr, y: Expr): Expr => (isFloat(c) ? or(bin('lt', ct, x, y), and(bin('ne', ct, y, y), bin('eq', ct, x, x)))
    : bin(cmpOpOf('<', c), ct, x, y));
  const cmp = (x: Expr, y: Expr): Expr => (right ? bin('eq', 'i32', less(y, x), i32(0)) : less(x, y));
  const n = fl.tmp(a.shape[0], 'n');
  const lo = fl.fresh('lo', 'i32'), hi = fl.fresh('hi', 'i32'), mid = fl.fresh('mid', 'i32'), started = fl.fresh('st', 'i32');
  const last = fl.fresh('last', ct), key = fl.fresh('key', ct), midv = fl.fresh('midv', ct);
  fl.set(lo, i32(0)); fl.set(hi, n); fl.set(started, i32(0));
  const g = (x: string) => get(x, 'i32');
  const search = (k: Expr): Stmt[] => [
    { k: 'set', name: key, value: k },
    { k: 'if', cond: and(g(started), cmp(get(last, ct), get(key, ct))), then: [{ k: 'set', name: hi, value: n }], else: [
      { k: 'set', name: lo, value: i32(0) },
      { k: 'set', name: hi, value: select('i32', bin('lt_s', 'i32', g(hi), n), add32(g(hi), i32(1)), n) },
    ] },
    { k: 'set', name: last, value: get(key, ct) },
    { k: 'set', name: started, value: i32(1) },
    { k: 'while', label: `bs${fl.n++}`, cond: bin('lt_s', 'i32', g(lo), g(hi)), body: [
      { k: 'set', name: mid, value: add32(g(lo), bin('shr_s', 'i32', bin('sub', 'i32', g(hi), g(lo)), i32(1))) },
      { k: 'set', name: midv, value: convert(ld(a.dtype, elemAt(a, a.data, g(mid), a.strides[0])), a.dtype, c) },
      { k: 'if', cond: cmp(get(midv, ct), get(key, ct)), then: [{ k: 'set', name: lo, value: add32(g(mid), i32(1)) }], else: [{ k: 'set', name: hi, value: g(mid) }] },
    ] },
  ];
  if (v.k !== 'a') {
    for (const s of search(convert((v as Num).e, vd, c))) fl.emit(s);
    return { k: 's', e: fl.tmp(cvt('i32->i64', g(lo))), dtype: 'int64' };
  }
  const out = fl.alloc('int64', v.a.shape, true);
  fl.nest(v.a.shape, [out, v.a], e.span, (p) => [...search(convert(ld(vd, p[1]), vd, c)), { k: 'store', mem: 'i64', addr: p[0], value: cvt('i32->i64', g(lo)) }]);
  void t;
  return fl.ownedArray(out);
}

/**
 * np.histogram(a, bins=10, range=None) with equal bins, as numpy/lib/_histograms_impl.py computes
 * it: the outer edges (range, or a.min() and a.max(), widened by 0.5 when equal), the edges by
 * linspace, then each kept element's bin from ((x - first) / (last - first)) * bins, corrected
 * against the edges, the last bin closed. The arithmetic is done in the dtypes NumPy's promotion
 * gives (float32 data stays float32; the edges of Python-number bounds are computed in float64).
 */
function histogram(fl: FnLowerer, e: A.Call, t: Type): Val {
  const span = e.span;
  const a = arr(fl, e.args[0]);
  const ad = a.dtype;
  const ed = ((t as Type & { kind: 'tuple' }).elems[1] as ArrT).dtype;
  const ev = vtOf(ed);
  const binsE = fl.kwOf(e, 'bins');
  const nb = binsE ? int64Of(fl, binsE) : i64(10);
  raiseIf(fl, bin('lt_s', 'i64', nb, i64(1)), 'ValueError', '`bins` must be positive, when an integer', binsE?.span ?? span);
  const rangeE = fl.kwOf(e, 'range');
  // The outer edges as NumPy holds them: Python numbers (weak) or NumPy scalars of dtype bt.
  let bt: DType, weak: boolean, first: Expr, last: Expr;
  if (rangeE && rangeE.kind !== 'None') {
    const rts = (fl.type(rangeE) as Type & { kind: 'tuple' }).elems as Scalar[];
    const items = (fl.expr(rangeE) as { items: Val[] }).items as Num[];
    const p = promote(rts[0], rts[1]);
    bt = p.dtype === 'bool' ? 'int64' : p.dtype; weak = p.weak;
    first = fl.tmp(convert(items[0].e, items[0].dtype, bt)); last = fl.tmp(convert(items[1].e, items[1].dtype, bt));
    raiseIf(fl, bin(cmpOpOf('>', bt), vtOf(bt), first, last), 'ValueError', 'max must be larger than min in range parameter.', rangeE.span);
    if (items.some((x) => isFloat(x.dtype))) {
      const finite = (x: Num) => (isFloat(x.dtype) ? bin('lt', vtOf(x.dtype), un('abs', vtOf(x.dtype), x.e), cst(vtOf(x.dtype), Infinity)) : i32(1));
      const shown = (x: Num, k: number) => (isFloat(x.dtype) ? `{${k}f}` : `{${k}}`);
      const arg = (x: Num) => (isFloat(x.dtype) ? cvt('bits:f64->i64', convert(x.e, x.dtype, 'float64')) : convert(x.e, x.dtype, 'int64'));
      raiseIf(fl, bin('eq', 'i32', and(finite(items[0]), finite(items[1])), i32(0)), 'ValueError', `supplied range of [${shown(items[0], 0)}, ${shown(items[1], 1)}] is not finite`, rangeE.span, arg(items[0]), arg(items[1]));
    }
  } else {
    // a.min() and a.max(), NumPy scalars of a's dtype (bools as uint8); 0 and 1 for an empty array.
    bt = ad === 'bool' ? 'int64' : ad; weak = false;
    const bv = vtOf(bt);
    const lo = fl.fresh('lo', bv), hi = fl.fresh('hi', bv);
    const whole = fl.block(() => {
      const mn = fl.reduceAll('min', a, ad, e), mx = fl.reduceAll('max', a, ad, e);
      fl.set(lo, convert(mn.e, mn.dtype, bt));
      fl.set(hi, convert(mx.e, mx.dtype, bt));
    });
    fl.emit({ k: 'if', cond: bin('eq', 'i32', size(a), i32(0)), then: [{ k: 'set', name: lo, value: convert(i64(0), 'int64', bt) }, { k: 'set', name: hi, value: convert(i64(1), 'int64', bt) }], else: whole });
    first = get(lo, bv); last = get(hi, bv);
    if (isFloat(bt)) {
      const finite = (x: Expr) => bin('lt', bv, un('abs', bv, x), cst(bv, Infinity));
      raiseIf(fl, bin('eq', 'i32', and(finite(first), finite(last)), i32(0)), 'ValueError', 'autodetected range of [{0f}, {1f}] is not finite', span,
        cvt('bits:f64->i64', convert(first, bt, 'float64')), cvt('bits:f64->i64', convert(last, bt, 'float64')));
    }
  }
  // Equal edges are widened by 0.5 each way (floats from then on).
  const fd: DType = isFloat(bt) ? bt : 'float64', fv = vtOf(fd);
  const same = fl.tmp(bin('eq', vtOf(bt), first, last));
  const F = fl.tmp(select(fv, same, bin('sub', fv, convert(first, bt, fd), cst(fv, 0.5)), convert(first, bt, fd)));
  const L = fl.tmp(select(fv, same, bin('add', fv, convert(last, bt, fd), cst(fv, 0.5)), convert(last, bt, fd)));
  // norm_denom = last_edge - first_edge, exactly for Python ints.
  const denom = isFloat(bt) ? fl.tmp(bin('sub', fv, L, F)) : fl.tmp(select('f64', same, f64(1), convert(bin('sub', 'i64', convert(last, bt, 'int64'), convert(first, bt, 'int64')), 'int64', 'float64')));
  // The edges: linspace(F, L, bins + 1), computed in float32 when the bounds are float32 NumPy scalars, else in float64, then cast.
  const lt: DType = fd === 'float32' && !weak ? 'float32' : 'float64', lv = vtOf(lt);
  const n32 = fl.tmp(cvt('i64->i32', nb), 'nb');
  const edges = fl.alloc(ed, [add32(n32, i32(1))], true);
  const Fl = fl.tmp(convert(F, fd, lt)), Ll = fl.tmp(convert(L, fd, lt));
  const delta = fl.tmp(bin('sub', lv, Ll, Fl)), div = fl.tmp(convert(nb, 'int64', lt));
  const step = fl.tmp(bin('div', lv, delta, div));
  const zeroStep = fl.tmp(bin('eq', lv, step, cst(lv, 0)));
  const i = fl.fresh('i', 'i32');
  const iv = convert(get(i, 'i32'), 'int32', lt);
  const y = bin('add', lv, select(lv, zeroStep, bin('mul', lv, bin('div', lv, iv, div), delta), bin('mul', lv, iv, step)), Fl);
  const edgeAt = (k: Expr) => elemAt(edges, edges.data, k, i32(1));
  fl.emit(loop(fl, i, n32, [{ k: 'store', mem: memOf(ed), addr: edgeAt(get(i, 'i32')), value: convert(y, lt, ed) }]));
  fl.emit({ k: 'store', mem: memOf(ed), addr: edgeAt(n32), value: convert(Ll, lt, ed) });
  fl.emit(loop(fl, i, n32, [{ k: 'if', cond: bin('ge', ev, ld(ed, edgeAt(get(i, 'i32'))), ld(ed, edgeAt(add32(get(i, 'i32'), i32(1))))), then: [
    fmtTrap(fl, 'ValueError', 'Too many bins for data range. Cannot create {0} finite-sized bins.', span, nb),
  ], else: [] }]));
  // The counts: each element in [F, L] (compared in the edges' dtype) into its bin.
  const counts = fl.alloc('int64', [n32]);
  const Fe = fl.tmp(convert(F, fd, ed)), Le = fl.tmp(convert(L, fd, ed)), De = fl.tmp(convert(denom, fd, ed)), Ne = fl.tmp(convert(nb, 'int64', ed));
  const x = fl.fresh('x', ev), ix = fl.fresh('ix', 'i32');
  const g = get(ix, 'i32');
  fl.nest(a.shape, [a], span, (p) => [
    { k: 'set', name: x, value: convert(ld(ad, p[0]), ad, ed) },
    { k: 'if', cond: and(bin('ge', ev, get(x, ev), Fe), bin('le', ev, get(x, ev), Le)), then: [
      { k: 'set', name: ix, value: cvt('i64->i32', convert(bin('mul', ev, bin('div', ev, bin('sub', ev, get(x, ev), Fe), De), Ne), ed, 'int64')) },
      { k: 'if', cond: bin('eq', 'i32', g, n32), then: [{ k: 'set', name: ix, value: bin('sub', 'i32', g, i32(1)) }], else: [] },
      // Within an ulp of an edge the quotient can land in the neighbouring bin: the edges decide.
      { k: 'if', cond: bin('lt', ev, get(x, ev), ld(ed, edgeAt(g))), then: [{ k: 'set', name: ix, value: bin('sub', 'i32', g, i32(1)) }], else: [] },
      { k: 'if', cond: and(bin('ge', ev, get(x, ev), ld(ed, edgeAt(add32(g, i32(1))))), bin('ne', 'i32', g, bin('sub', 'i32', n32, i32(1)))), then: [{ k: 'set', name: ix, value: add32(g, i32(1)) }], else: [] },
      { k: 'set', name: ix, value: select('i32', bin('lt_s', 'i32', g, i32(0)), i32(0), select('i32', bin('ge_s', 'i32', g, n32), bin('sub', 'i32', n32, i32(1)), g)) },
      { k: 'store', mem: 'i64', addr: add32(counts.data, bin('shl', 'i32', g, i32(3))), value: bin('add', 'i64', load('i64', 'i64', add32(counts.data, bin('shl', 'i32', g, i32(3)))), i64(1)) },
    ], else: [] },
  ]);
  return { k: 't', items: [fl.ownedArray(counts), fl.ownedArray(edges)] };
}

// ---------------- convolve, pad, take, triangles ----------------

/**
 * np.convolve(a, v, mode): NumPy's correlate of the longer with the shorter reversed; each output
 * is the sum over the overlap of long[t] * short[k - t], t increasing, from 0 (NumPy's dot for
 * kernels; for float windows of more than about 11 elements NumPy may use BLAS, whose order and
 * fused multiply-adds can change the last bits).
 */
function convolve(fl: FnLowerer, e: A.Call, d: DType): Val {
  const span = e.span;
  const line = (x: A.Expr): ArrRef => {
    const v = fl.expr(x);
    if (v.k === 'a') return fl.contiguousCopy(v.a, d);
    const s = v as Num;
    const one = fl.alloc(d, [i32(1)], true);
    fl.emit({ k: 'store', mem: memOf(d), addr: one.data, value: convert(s.e, s.dtype, d) });
    fl.ownedArray(one);
    return one;
  };
  const a = line(e.args[0]), v = line(e.args[1]);
  raiseIf(fl, bin('eq', 'i32', a.shape[0], i32(0)), 'ValueError', 'a cannot be empty', span);
  raiseIf(fl, bin('eq', 'i32', v.shape[0], i32(0)), 'ValueError', 'v cannot be empty', span);
  const swap = fl.tmp(bin('gt_s', 'i32', v.shape[0], a.shape[0]));
  const N = fl.tmp(select('i32', swap, v.shape[0], a.shape[0]), 'n'), M = fl.tmp(select('i32', swap, a.shape[0], v.shape[0]), 'm');
  const P = fl.tmp(select('i32', swap, v.data, a.data)), Q = fl.tmp(select('i32', swap, a.data, v.data));
  const modeE = fl.kwOf(e, 'mode');
  const mode = modeE?.kind === 'Str' ? modeE.value : 'full';
  const len = mode === 'full' ? add32(N, bin('sub', 'i32', M, i32(1))) : mode === 'same' ? N : add32(bin('sub', 'i32', N, M), i32(1));
  const off = mode === 'full' ? i32(0) : mode === 'same' ? bin('sub', 'i32', bin('sub', 'i32', M, i32(1)), bin('shr_s', 'i32', M, i32(1))) : bin('sub', 'i32', M, i32(1));
  const out = fl.alloc(d, [len], true);
  const offT = fl.tmp(off, 'off');
  const vt = vtOf(d), sh = log2Size(d);
  const j = fl.fresh('j', 'i32'), k = fl.fresh('k', 'i32'), t = fl.fresh('t', 'i32'), acc = fl.fresh('acc', vt);
  const g = (x: string) => get(x, 'i32');
  const el = (base: Expr, ix: Expr) => ld(d, add32(base, bin('shl', 'i32', ix, i32(sh))));
  const term = (x: Expr, y: Expr) => (d === 'bool' ? and(x, y) : bin('mul', vt, x, y));
  const lo = select('i32', bin('gt_s', 'i32', bin('sub', 'i32', g(k), bin('sub', 'i32', M, i32(1))), i32(0)), bin('sub', 'i32', g(k), bin('sub', 'i32', M, i32(1))), i32(0));
  const hi = select('i32', bin('lt_s', 'i32', g(k), bin('sub', 'i32', N, i32(1))), g(k), bin('sub', 'i32', N, i32(1)));
  fl.emit(loop(fl, j, out.shape[0], [
    { k: 'set', name: k, value: add32(g(j), offT) },
    { k: 'set', name: acc, value: cst(vt, 0) },
    loop(fl, t, add32(hi, i32(1)), [{ k: 'set', name: acc, value: (d === 'bool' ? or : (x: Expr, y: Expr) => bin('add', vt, x, y))(get(acc, vt), term(el(P, g(t)), el(Q, bin('sub', 'i32', g(k), g(t))))) }], lo),
    { k: 'store', mem: memOf(d), addr: add32(out.data, bin('shl', 'i32', g(j), i32(sh))), value: get(acc, vt) },
  ]));
  return fl.ownedArray(out);
}

/** pad_width as one (before, after) pair of i32 per axis (NumPy's _as_pairs), after NumPy's check that none is negative. */
function padPairs(fl: FnLowerer, pw: A.Expr, nd: number, span: A.Expr['span']): [Expr, Expr][] {
  const shape = padShape(fl.type(pw)) as number[];
  const v = fl.expr(pw);
  const leaves: Num[] = [];
  const collect = (x: Val) => { if (x.k === 't') x.items.forEach(collect); else leaves.push(x as Num); };
  collect(v);
  const vals = leaves.map((x) => fl.tmp(convert(x.e, x.dtype, 'int64')));
  raiseIf(fl, vals.map((x) => bin('lt_s', 'i64', x, i64(0))).reduce(or), 'ValueError', "index can't contain negative values", span);
  const v32 = vals.map((x) => fl.tmp(cvt('i64->i32', x), 'pw'));
  const count = shape.reduce((p, q) => p * q, 1);
  if (count === 1) return rangeN(nd).map(() => [v32[0], v32[0]]);
  if (count === 2 && !(shape.length === 2 && shape[0] === 2 && shape[1] === 1)) return rangeN(nd).map(() => [v32[0], v32[1]]);
  // Broadcast to (nd, 2): rows (nd, or 1 for every axis) of one (both sides) or two numbers.
  const [rows, cols] = shape;
  return rangeN(nd).map((k) => {
    const r = rows === 1 ? 0 : k;
    return cols === 1 ? [v32[r], v32[r]] : [v32[2 * r], v32[2 * r + 1]];
  });
}

/** np.pad(a, pad_width, mode='constant'|'empty'|'edge'|'wrap', constant_values=0). */
function pad(fl: FnLowerer, e: A.Call): Val {
  const span = e.span;
  const a = arr(fl, e.args[0]);
  const nd = a.ndim, sh = log2Size(a.dtype);
  const pairs = padPairs(fl, e.args[1], nd, span);
  const modeE = fl.kwOf(e, 'mode');
  const mode = modeE?.kind === 'Str' ? modeE.value : 'constant';
  const shape = a.shape.map((n, k) => fl.tmp(add32(add32(n, pairs[k][0]), pairs[k][1]), 'n'));
  if (mode === 'constant' || mode === 'empty') {
    const cvE = fl.kwOf(e, 'constant_values');
    const out = fl.alloc(a.dtype, shape, !!cvE);
    if (cvE) { const v = num(fl, cvE); fl.fill(out, convert(v.e, v.dtype, a.dtype), span); }
    const off = pairs.reduce((acc: Expr, p, k) => add32(acc, mul32(p[0], out.strides[k])), i32(0));
    copyRaw(fl, { ...out, data: fl.tmp(add32(out.data, bin('shl', 'i32', off, i32(sh)))), shape: a.shape }, a, span);
    return fl.ownedArray(out);
  }
  // Other modes read a's elements, so an empty axis cannot be extended (NumPy checks axis by axis).
  a.shape.forEach((n, k) => raiseIf(fl, and(bin('eq', 'i32', n, i32(0)), bin('ne', 'i32', or(pairs[k][0], pairs[k][1]), i32(0))), 'ValueError',
    "can't extend empty axis {0} using modes other than 'constant' or 'empty'", span, i64(k)));
  const out = fl.alloc(a.dtype, shape, true);
  const n = a.shape.map((x) => fl.tmp(x, 'n'));
  fl.nest(shape, [out], span, (p, idx) => {
    const src = idx.map((ix, k) => {
      const r = bin('sub', 'i32', ix, pairs[k][0]);
      if (mode === 'edge') return select('i32', bin('lt_s', 'i32', r, i32(0)), i32(0), select('i32', bin('ge_s', 'i32', r, n[k]), bin('sub', 'i32', n[k], i32(1)), r));
      // wrap: periodic, whatever the width (NumPy repeats the array as often as needed).
      const m = bin('rem_s', 'i32', r, n[k]);
      return bin('rem_s', 'i32', add32(m, n[k]), n[k]);
    });
    const off = src.reduce((acc: Expr, s, k) => add32(acc, mul32(s, a.strides[k])), i32(0));
    return [{ k: 'store', mem: memOf(a.dtype), addr: p[0], value: ld(a.dtype, add32(a.data, bin('shl', 'i32', off, i32(sh)))) }];
  }, { par: true });
  return fl.ownedArray(out);
}

/** np.take(a, indices, axis=None, mode='raise'|'wrap'|'clip'): a new array (or a number) of the elements the indices pick. */
function take(fl: FnLowerer, e: A.Call, t: Type): Val {
  const span = e.span;
  const a0 = arr(fl, e.args[0]);
  const axv = axisValue(fl.kwOf(e, 'axis'), null);
  const ax = axv === null || axv === undefined ? null : axv < 0 ? axv + a0.ndim : axv;
  const modeE = fl.kwOf(e, 'mode');
  const mode = modeE?.kind === 'Str' ? modeE.value : 'raise';
  const a = ax === null ? fl.flatView(a0) : a0;
  const k = ax ?? 0;
  const d = a.dtype, sh = log2Size(d);
  const n = fl.tmp(a.shape[k], 'n');
  const n64 = fl.tmp(cvt('i32->i64', n));
  const iv = fl.expr(e.args[1]);
  const count = iv.k === 'a' ? size(iv.a) : i32(1);
  raiseIf(fl, and(bin('eq', 'i32', n, i32(0)), bin('ne', 'i32', count, i32(0))), 'IndexError', 'cannot do a non-empty take from an empty axes.', span);
  // One index (emitted where it is used): wrapped, clipped, or counted from the end and checked.
  const index = (raw: Expr): Expr => {
    const j = fl.tmp(raw);
    if (mode === 'clip') return cvt('i64->i32', select('i64', bin('lt_s', 'i64', j, i64(0)), i64(0), select('i64', bin('ge_s', 'i64', j, n64), bin('sub', 'i64', n64, i64(1)), j)));
    if (mode === 'wrap') return cvt('i64->i32', bin('rem_s', 'i64', bin('add', 'i64', bin('rem_s', 'i64', j, n64), n64), n64));
    const w = fl.tmp(select('i64', bin('lt_s', 'i64', j, i64(0)), bin('add', 'i64', j, n64), j));
    raiseIf(fl, or(bin('lt_s', 'i64', w, i64(0)), bin('ge_s', 'i64', w, n64)), 'IndexError', 'index {0} is out of bounds for axis {1} with size {2}', span, j, i64(k), n64);
    return cvt('i64->i32', w);
  };
  const pre = a.shape.slice(0, k), post = a.shape.slice(k + 1);
  if (iv.k !== 'a') {
    const s = iv as Num;
    const j = fl.tmp(index(convert(s.e, s.dtype, 'int64')), 'j');
    const at = fl.tmp(add32(a.data, bin('shl', 'i32', mul32(j, a.strides[k]), i32(sh))));
    if (t.kind === 'scalar') return { k: 's', e: fl.tmp(ld(d, at)), dtype: d };
    const out = fl.alloc(d, [...pre, ...post], true);
    copyRaw(fl, out, { ...a, data: at, ndim: a.ndim - 1, shape: [...pre, ...post], strides: a.strides.filter((_s, q) => q !== k) }, span);
    return fl.ownedArray(out);
  }
  const ix = iv.a;
  const outShape = [...pre, ...ix.shape, ...post];
  const out = fl.alloc(d, outShape, true);
  const m = ix.ndim;
  const spread: ArrRef = { ...ix, ndim: outShape.length, shape: outShape, strides: [...pre.map(() => i32(0)), ...ix.strides, ...post.map(() => i32(0))] };
  fl.nest(outShape, [out, spread], span, (p, idx) => fl.block(() => {
    const j = index(convert(ld(ix.dtype, p[1]), ix.dtype, 'int64'));
    const off = [...pre.map((_n, q) => mul32(idx[q], a.strides[q])), mul32(j, a.strides[k]), ...post.map((_n, q) => mul32(idx[k + m + q], a.strides[k + 1 + q]))].reduce(add32);
    fl.emit({ k: 'store', mem: memOf(d), addr: p[0], value: ld(d, add32(a.data, bin('shl', 'i32', off, i32(sh)))) });
  }));
  return fl.ownedArray(out);
}

/** np.triu(m, k) / np.tril(m, k): zero below (above) diagonal k of the last two axes; a 1-d m is broadcast to n x n. */
function triangle(fl: FnLowerer, e: A.Call, upper: boolean): Val {
  const m = arr(fl, e.args[0]);
  const kE = fl.kwOf(e, 'k');
  const k = kE ? fl.tmp(cvt('i64->i32', int64Of(fl, kE)), 'k') : i32(0);
  const src: ArrRef = m.ndim === 1 ? { ...m, ndim: 2, shape: [m.shape[0], m.shape[0]], strides: [i32(0), m.strides[0]] } : m;
  const out = fl.alloc(m.dtype, src.shape, true);
  const R = src.ndim, vt = vtOf(m.dtype);
  fl.nest(src.shape, [out, src], e.span, (p, idx) => {
    const diff = bin('sub', 'i32', idx[R - 1], idx[R - 2]);
    const keep = bin(upper ? 'ge_s' : 'le_s', 'i32', diff, k);
    return [{ k: 'store', mem: memOf(m.dtype), addr: p[0], value: select(vt, keep, ld(m.dtype, p[1]), cst(vt, 0)) }];
  }, { par: true });
  return fl.ownedArray(out);
}

// ---------------- einsum ----------------

const REMAPPED = 'operands could not be broadcast together with remapped shapes [original->remapped]:';

/**
 * np.einsum of a literal subscript string (language/checker.ts einsumPlan): each supported form is
 * one of Par's operations (matmul and dot with Par's summation order, pairwise float sums, outer,
 * views for transposes and diagonals). Extents of 1 broadcast against the other operand's, as in
 * NumPy (a view with stride 0); other mismatches raise NumPy's errors.
 */
function einsum(fl: FnLowerer, e: A.Call, t: Type): Val {
  const span = e.span;
  const spec = (e.args[0] as A.Expr & { kind: 'Str' }).value;
  const ops = e.args.slice(1);
  const plan = einsumPlan(spec, ops.map((x) => (fl.type(x) as ArrT).ndim)) as { form: string; ndim: number; letters: string };
  const d = (t as { dtype: DType }).dtype;
  const vals = ops.map((x) => (fl.expr(x) as Val & { k: 'a' }).a);
  const [A0, B0] = vals;
  const ranks = vals.map((x) => x.ndim).join(',');
  const asVal = (a: ArrRef): Val => ({ k: 'a', a, owned: false });
  // Dimension x of one operand against dimension y of the other: equal, or one of them 1 (then stretched).
  const joint: [number, number][] = [];
  const shapeText = (a: ArrRef, h: number) => (a.ndim === 1 ? `({${h}},)` : `({${h}h},{${h}l})`);
  const argOf = (a: ArrRef) => (a.ndim === 1 ? cvt('i32->i64', a.shape[0]) : pack(a.shape[0], a.shape[1]));
  const mismatch = (text: string) => {
    const bad = joint.map(([x, y]) => and(bin('ne', 'i32', A0.shape[x], B0.shape[y]), and(bin('ne', 'i32', A0.shape[x], i32(1)), bin('ne', 'i32', B0.shape[y], i32(1))))).reduce(or);
    raiseIf(fl, bad, 'ValueError', `${REMAPPED} ${text} `, span, argOf(A0), argOf(B0));
  };
  // The operands with each joint extent of 1 stretched to the other's (stride 0).
  const stretched = (): [ArrRef, ArrRef] => {
    const a = { ...A0, shape: [...A0.shape], strides: [...A0.strides] }, b = { ...B0, shape: [...B0.shape], strides: [...B0.strides] };
    for (const [x, y] of joint) {
      const n = fl.tmp(select('i32', bin('eq', 'i32', A0.shape[x], i32(1)), B0.shape[y], A0.shape[x]), 'n');
      a.strides[x] = fl.tmp(select('i32', bin('eq', 'i32', A0.shape[x], n), A0.strides[x], i32(0)), 's');
      b.strides[y] = fl.tmp(select('i32', bin('eq', 'i32', B0.shape[y], n), B0.strides[y], i32(0)), 's');
      a.shape[x] = n; b.shape[y] = n;
    }
    return [a, b];
  };
  const square = (single: boolean) => {
    const letter = plan.letters[0];
    raiseIf(fl, bin('ne', 'i32', A0.shape[0], A0.shape[1]), 'ValueError', `dimensions in ${single ? 'single operand' : 'operand 0'} for collapsing index '${letter}' don't match ({0} != {1})`, span,
      cvt('i32->i64', A0.shape[0]), cvt('i32->i64', A0.shape[1]));
  };
  switch (plan.form) {
    case 'matmul': {
      if (ranks === '2,2') { joint.push([1, 0]); mismatch(`${shapeText(A0, 0)}->({0h},newaxis,{0l}) ${shapeText(B0, 1)}->({1l},{1h})`); }
      else if (ranks === '2,1') { joint.push([1, 0]); mismatch(`${shapeText(A0, 0)}->({0h},{0l}) ${shapeText(B0, 1)}->({1})`); }
      else { joint.push([0, 0]); mismatch(`${shapeText(A0, 0)}->({0}) ${shapeText(B0, 1)}->({1l},{1h})`); }
      const [a, b] = stretched();
      return fl.matmul(asVal(a), asVal(b), t, span);
    }
    case 'dot': {
      joint.push([0, 0]);
      mismatch(`${shapeText(A0, 0)}->({0},) ${shapeText(B0, 1)}->({1},)`);
      const [a, b] = stretched();
      return fl.matmul(asVal(a), asVal(b), t, span);
    }
    case 'sumprod': {
      joint.push([0, 0], [1, 1]);
      mismatch(`${shapeText(A0, 0)}->({0h},{0l}) ${shapeText(B0, 1)}->({1h},{1l})`);
      const [a, b] = stretched();
      const prod = fl.alloc(d, a.shape, true);
      fl.nest(a.shape, [prod, a, b], span, (p) => [{ k: 'store', mem: memOf(d), addr: p[0], value: bin('mul', vtOf(d), convert(ld(a.dtype, p[1]), a.dtype, d), convert(ld(b.dtype, p[2]), b.dtype, d)) }], { par: true, simd: true });
      fl.ownedArray(prod);
      const r = fl.reduceAll('sum', prod, d, e);
      return { k: 's', e: fl.tmp(convert(r.e, r.dtype, d)), dtype: d };
    }
    case 'outer': {
      const out = fl.alloc(d, [A0.shape[0], B0.shape[0]], true);
      const col: ArrRef = { ...A0, ndim: 2, shape: [A0.shape[0], i32(1)], strides: [A0.strides[0], i32(0)] };
      const mul = (x: Expr, y: Expr) => (d === 'bool' ? and(x, y) : bin('mul', vtOf(d), x, y));
      fl.nest(out.shape, [out, col, B0], span, (p) => [{ k: 'store', mem: memOf(d), addr: p[0], value: mul(convert(ld(A0.dtype, p[1]), A0.dtype, d), convert(ld(B0.dtype, p[2]), B0.dtype, d)) }], { par: true });
      return fl.ownedArray(out);
    }
    case 'transpose': return fl.transpose(A0);
    case 'view': return fl.makeView(A0, A0.data, A0.shape, A0.strides);
    case 'trace': case 'diagonal': {
      square(plan.form === 'diagonal');
      const diag = diagonalView(fl, A0, i32(0));
      if (plan.form === 'diagonal') return diag;
      const r = fl.reduceAll('sum', (diag as { a: ArrRef }).a, d, e);
      return { k: 's', e: fl.tmp(convert(r.e, r.dtype, d)), dtype: d };
    }
    case 'sum': {
      const r = fl.reduceAll('sum', A0, d, e);
      return { k: 's', e: fl.tmp(convert(r.e, r.dtype, d)), dtype: d };
    }
    case 'sum0': case 'sum1': return fl.ownedArray(fl.reduceAlong('sum', A0, plan.form === 'sum0' ? 0 : 1, d, e));
  }
  throw new Error(`internal: einsum form ${plan.form}`);
}

// ---------------- np.mgrid, np.ogrid ----------------

/**
 * `np.mgrid[a:b:s, c:d:t]` (the index grids stacked in one array) and `np.ogrid[...]` (a tuple of
 * open grids, each of extent 1 but along its own axis): NumPy's nd_grid with integer slices, each
 * of ceil((stop - start) / step) points start + i * step. One slice is NumPy's arange.
 */
export function gridValue(fl: FnLowerer, e: A.Subscript): Val {
  const span = e.span;
  const open = (fl.type(e.value) as { name: string }).name === 'ogrid';
  const t = fl.type(e);
  const d = (t.kind === 'tuple' ? t.elems[0] as ArrT : t as ArrT).dtype;
  const sl = e.index as A.Slice[];
  const parts = sl.map((s) => ({
    start: s.lower ? int64Of(fl, s.lower) : i64(0),
    stop: int64Of(fl, s.upper!),
    step: s.step ? int64Of(fl, s.step) : i64(1),
  }));
  const sizes = parts.map((p) => {
    raiseIf(fl, bin('eq', 'i64', p.step, i64(0)), 'ZeroDivisionError', 'division by zero', span);
    const diff = fl.tmp(bin('sub', 'i64', p.stop, p.start));
    const q = bin('div_s', 'i64', diff, p.step), r = fl.tmp(bin('rem_s', 'i64', diff, p.step));
    // ceil((stop - start) / step): the truncated quotient, plus one when a remainder has the step's sign.
    const ceil = fl.tmp(bin('add', 'i64', q, cvt('i32->i64', and(bin('ne', 'i64', r, i64(0)), bin('eq', 'i32', bin('lt_s', 'i64', r, i64(0)), bin('lt_s', 'i64', p.step, i64(0)))))));
    if (sl.length === 1) return fl.tmp(cvt('i64->i32', select('i64', bin('lt_s', 'i64', ceil, i64(0)), i64(0), ceil)), 'n');
    raiseIf(fl, bin('lt_s', 'i64', ceil, i64(0)), 'ValueError', 'negative dimensions are not allowed', span);
    return fl.tmp(cvt('i64->i32', ceil), 'n');
  });
  const value = (k: number, i: Expr) => convert(bin('add', 'i64', bin('mul', 'i64', cvt('i32->i64', i), parts[k].step), parts[k].start), 'int64', d);
  const fillAlong = (o: ArrRef, k: number, shape: Expr[]) => fl.nest(shape, [o], span, (p, idx) => [{ k: 'store', mem: memOf(d), addr: p[0], value: value(k, idx[k]) }], { par: true });
  if (sl.length === 1) {
    const out = fl.alloc(d, [sizes[0]], true);
    fillAlong(out, 0, out.shape);
    return fl.ownedArray(out);
  }
  if (open) {
    return {
      k: 't', items: sizes.map((n, k) => {
        const out = fl.alloc(d, sizes.map((m, q) => (q === k ? n : i32(1))), true);
        fillAlong(out, k, out.shape);
        return fl.ownedArray(out);
      }),
    };
  }
  const out = fl.alloc(d, [i32(sizes.length), ...sizes], true);
  sizes.forEach((_n, k) => fillAlong({ ...out, data: fl.tmp(elemAt(out, out.data, i32(k), out.strides[0])), ndim: sizes.length, shape: out.shape.slice(1), strides: out.strides.slice(1) }, k, out.shape.slice(1)));
  return fl.ownedArray(out);
}

/**
 * `y, x = a`: Python's unpacking of an array along its first axis (the rows are views, the
 * elements of a 1-d array numbers), with Python's ValueError when the extent is not the number of names.
 */
export function unpackArray(fl: FnLowerer, t: A.TupleExpr | A.ListExpr, v: Val & { k: 'a' }, span: A.Expr['span']): void {
  const a = v.a, n = t.elts.length;
  const len = fl.tmp(a.shape[0], 'n');
  raiseIf(fl, bin('gt_s', 'i32', len, i32(n)), 'ValueError', `too many values to unpack (expected ${n})`, span);
  raiseIf(fl, bin('lt_s', 'i32', len, i32(n)), 'ValueError', `not enough values to unpack (expected ${n}, got {0})`, span, cvt('i32->i64', len));
  const parts: Val[] = t.elts.map((_x, i) => {
    const at = elemAt(a, a.data, i32(i), a.strides[0]);
    if (a.ndim === 1) return { k: 's', e: fl.tmp(ld(a.dtype, at)), dtype: a.dtype };
    return fl.makeView(a, at, a.shape.slice(1), a.strides.slice(1));
  });
  t.elts.forEach((x, i) => fl.assign(x, parts[i], span));
}
