// Lowering of NumPy's order statistics: median, percentile and quantile (method 'linear'). The array
// (flattened, or each line along the axis) is sorted with the library's merge sort, then each line's
// value is computed with NumPy's arithmetic, so the digits agree: median is the mean of the middle
// one or two elements; quantile takes the virtual index (n - 1) * q, its neighbours and NumPy's
// `_lerp` (which interpolates from the nearer end); a line whose last sorted element is NaN gives NaN.
import type * as A from '../../language/ast.js';
import { axisValue } from '../../language/check-numpy.js';
import { type DType, isFloat, type Type } from '../../language/types.js';
import type * as I from '../ir.js';
import type { FnLowerer } from './function.js';
import type { ArrRef, Val } from './values.js';
import { add32, bin, convert, cvt, f64, get, i32, memOf, select, un, vtOf } from '../ir-build.js';
import { arr, elemAddr, flattenCopy, fmtTrap, ld, row, sortLines, without } from './library.js';

type Expr = I.Expr;
type Stmt = I.Stmt;

export function quantileCall(fl: FnLowerer, e: A.Call, fname: 'median' | 'percentile' | 'quantile', t: Type): Val {
  const rdt: DType = t.kind === 'scalar' || t.kind === 'array' ? t.dtype : 'float64';
  const a0 = arr(fl, e.args[0]);
  const axv = axisValue(fl.kwOf(e, 'axis'), null);
  const ax = axv === null || axv === undefined ? null : axv < 0 ? axv + a0.ndim : axv;
  // The q's, as float64 (percentile's divided by 100 first, as NumPy does).
  let q1: Expr | null = null;
  let qs: ArrRef | null = null;
  const intQ = fname === 'quantile' && !isFloat((fl.type(e.args[1]) as { dtype?: DType }).dtype ?? 'float64');
  if (fname !== 'median') {
    const qE = e.args[1];
    const qt = fl.type(qE);
    const qv = fl.expr(qE);
    if (qt.kind === 'scalar' && qv.k === 's') q1 = fl.tmp(convert(qv.e, qv.dtype, 'float64'), 'q');
    else if (qv.k === 't') {
      qs = fl.alloc('float64', [i32(qv.items.length)], true);
      qv.items.forEach((it, j) => {
        if (it.k === 's') fl.emit({ k: 'store', mem: 'f64', addr: add32(qs!.data, i32(8 * j)), value: convert(it.e, it.dtype, 'float64') });
      });
      fl.ownedArray(qs);
    } else if (qv.k === 'a') qs = qv.a;
  }
  const scaled = (q: Expr) => (fname === 'percentile' ? bin('div', 'f64', q, f64(100)) : q);
  // The sorted copy, and the axis its lines run along.
  let S: ArrRef, k: number;
  if (ax === null) {
    S = flattenCopy(fl, a0, a0.dtype, e.span);
    sortLines(fl, S, S, 0, false, e.span);
    k = 0;
  } else {
    S = fl.alloc(a0.dtype, a0.shape, true);
    sortLines(fl, a0, S, ax, false, e.span);
    k = ax;
  }
  fl.ownedArray(S);
  const n = fl.tmp(S.shape[k], 'n');
  if (fname !== 'median') {
    fl.emit({ k: 'if', cond: bin('eq', 'i32', n, i32(0)), then: [fmtTrap(fl, 'IndexError', 'index -1 is out of bounds for axis 0 with size 0', e.span)], else: [] });
  }
  const lines = without(S, k);
  const stride = S.strides[k];
  const sd = S.dtype;
  const at = (base: Expr, i: Expr) => ld(sd, elemAddr(S, base, i, stride));
  const vt = vtOf(rdt);
  const res = fl.fresh('med', vt);
  const checkQ = (q: Expr): Stmt => ({
    k: 'if', cond: bin('or', 'i32', bin('lt', 'f64', q, f64(0)), bin('or', 'i32', bin('gt', 'f64', q, f64(1)), bin('ne', 'f64', q, q))),
    then: [fmtTrap(fl, 'ValueError', fname === 'percentile' ? 'Percentiles must be in the range [0, 100]' : 'Quantiles must be in the range [0, 1]', e.args[1].span)], else: [],
  });
  /** Statements setting `res` to the statistic of the line starting at `base`. */
  const lineValue = (base: Expr, q: Expr | null): Stmt[] => fl.block(() => {
    const conv = (x: Expr) => convert(x, sd, rdt);
    if (fname === 'median') {
      const m = fl.tmp(bin('shr_s', 'i32', n, i32(1)), 'm');
      const even = fl.block(() => fl.set(res, bin('div', vt, bin('add', vt, conv(at(base, bin('sub', 'i32', m, i32(1)))), conv(at(base, m))), convert(f64(2), 'float64', rdt))));
      const odd = fl.block(() => fl.set(res, conv(at(base, m))));
      fl.emit({ k: 'if', cond: bin('and', 'i32', n, i32(1)), then: odd, else: even });
      // NumPy's median of nothing is the mean of nothing: NaN (with a warning).
      fl.emit({ k: 'if', cond: bin('eq', 'i32', n, i32(0)), then: [{ k: 'set', name: res, value: convert(f64(NaN), 'float64', rdt) }], else: [] });
    } else if (intQ) {
      fl.set(res, at(base, cvt('f64->i32', bin('mul', 'f64', cvt('i32->f64', bin('sub', 'i32', n, i32(1))), q!))));
    } else {
      const v = fl.tmp(bin('mul', 'f64', cvt('i32->f64', bin('sub', 'i32', n, i32(1))), q!), 'v');
      const above = fl.tmp(bin('ge', 'f64', v, cvt('i32->f64', bin('sub', 'i32', n, i32(1)))), 'above');
      const lo = fl.tmp(select('i32', above, bin('sub', 'i32', n, i32(1)), cvt('f64->i32', un('floor', 'f64', v))), 'lo');
      const hi = select('i32', above, lo, add32(lo, i32(1)));
      // NumPy's gamma is measured from the previous index, which is -1 ("the last") above the range.
      const g = fl.tmp(bin('sub', 'f64', v, select('f64', above, f64(-1), cvt('i32->f64', lo))), 'g');
      const a = fl.tmp(at(base, lo), 'qa'), b = fl.tmp(at(base, hi), 'qb');
      // The difference in the input's type (exact for integers), then NumPy's promotions.
      const diff = fl.tmp(convert(bin('sub', vtOf(sd), b, a), sd, rdt), 'qd');
      const gr = convert(g, 'float64', rdt), omg = convert(bin('sub', 'f64', f64(1), g), 'float64', rdt);
      const low = bin('add', vt, conv(a), bin('mul', vt, diff, gr));
      const high = bin('sub', vt, conv(b), bin('mul', vt, diff, omg));
      fl.set(res, select(vt, bin('ge', 'f64', g, f64(0.5)), high, low));
    }
    if (isFloat(sd)) {
      const last = at(base, bin('sub', 'i32', n, i32(1)));
      fl.emit({ k: 'if', cond: bin('and', 'i32', bin('gt_s', 'i32', n, i32(0)), bin('ne', vtOf(sd), last, last)), then: [{ k: 'set', name: res, value: convert(f64(NaN), 'float64', rdt) }], else: [] });
    }
  });
  if (t.kind === 'scalar') {
    const q = q1 === null ? null : fl.tmp(scaled(q1), 'qq');
    if (q) fl.emit(checkQ(q));
    for (const s of lineValue(lines.data, q)) fl.emit(s);
    return { k: 's', e: get(res, vt), dtype: rdt };
  }
  const outShape = [...(qs ? [qs.shape[0]] : []), ...lines.shape];
  const out = fl.alloc(rdt, outShape, true);
  const fill = (dst: ArrRef, q: Expr | null) => {
    fl.nest(lines.shape, [lines, dst], e.span, (p) => [...lineValue(p[0], q), { k: 'store', mem: memOf(rdt), addr: p[1], value: get(res, vt) }]);
  };
  if (!qs) {
    const q = q1 === null ? null : fl.tmp(scaled(q1), 'qq');
    if (q) fl.emit(checkQ(q));
    fill(out, q);
  } else {
    const qarr = qs;
    const j = fl.fresh('j', 'i32');
    const body = fl.block(() => {
      const q = fl.tmp(scaled(convert(ld(qarr.dtype, elemAddr(qarr, qarr.data, get(j, 'i32'), qarr.strides[0])), qarr.dtype, 'float64')), 'qq');
      fl.emit(checkQ(q));
      fill(row(out, get(j, 'i32')), q);
    });
    fl.emit({ k: 'for', label: `q${fl.n++}`, v: j, t: 'i32', start: i32(0), stop: qarr.shape[0], step: i32(1), body });
  }
  return fl.ownedArray(out);
}
