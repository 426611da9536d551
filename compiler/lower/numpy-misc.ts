// More of NumPy (issue 18), each a function taking the FnLowerer: divmod, roll, meshgrid, bincount,
// allclose, nonzero and linalg.norm (numpyMore).
import type * as A from '../../language/ast.js';
import { axisValue, normOrd } from '../../language/check-numpy.js';
import type { Span } from '../../language/source.js';
import { type DType, isFloat, type Type } from '../../language/types.js';
import type * as I from '../ir.js';
import type { FnLowerer } from './function.js';
import type { ArrRef, Val } from './values.js';
import { add32, bin, call, convert, cst, cvt, f64, get, i32, i64, memOf, mul32, select, un, vtOf } from '../ir-build.js';
import { arr, elemAddr, flattenCopy, fmtTrap, ld, size } from './library.js';

type Expr = I.Expr;
type Stmt = I.Stmt;

const rangeN = (n: number): number[] => Array.from({ length: n }, (_v, i) => i);
const COPY_OP = { par: true, simd: true } as const;

/** Copies `src` into `dst` (same shape and dtype) element by element, on the team when big. */
function copySame(fl: FnLowerer, dst: ArrRef, src: ArrRef, span: Span): void {
  fl.nest(dst.shape, [dst, src], span, (p) => [{ k: 'store', mem: memOf(dst.dtype), addr: p[0], value: convert(ld(src.dtype, p[1]), src.dtype, dst.dtype) }], COPY_OP);
}

/**
 * A new array of f(x) (x converted to `dtype`) for every element x of `a`, laid out like `a` (its
 * axes in a's order of |stride|, as NumPy lays out an elementwise result): NumPy's reduction of it
 * along an axis then adds in the order NumPy's does (Note [Axis sums] in reductions.ts). Released at the
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
    case 'linalg.norm': {
      const keep = fl.kwOf(e, 'keepdims');
      if (!(keep?.kind === 'Bool' && keep.value)) return norm(fl, e, t);
      // keepdims=True: the reduced axes (all, or `axis`) kept with extent 1, in a new array.
      const x = arr(fl, e.args[0]);
      const d = (t as { dtype: DType }).dtype;
      const axv = axisValue(fl.kwOf(e, 'axis'), null);
      const r = norm(fl, e, { kind: 'array', dtype: d, ndim: x.ndim - 1 });
      const k = axv === null || axv === undefined ? null : axv < 0 ? axv + x.ndim : axv;
      const out = fl.alloc(d, x.shape.map((n, j) => (k === null || j === k ? i32(1) : n)), true);
      if (r.k === 's') fl.emit({ k: 'store', mem: memOf(d), addr: out.data, value: r.e });
      else {
        const a = (r as { a: ArrRef }).a;
        copySame(fl, out, { ...a, ndim: x.ndim, shape: out.shape, strides: out.shape.map((_n, j) => (j === k ? i32(0) : a.strides[j < k! ? j : j - 1])) }, span);
      }
      return fl.ownedArray(out);
    }
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
export function norm(fl: FnLowerer, e: A.Call, t: Type): Val {
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
