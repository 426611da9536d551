// Reductions: sum, prod, min, max, mean, std, var, argmin/argmax, any/all over a whole array or
// along an axis, serial or on the team, in NumPy's order of summation so results match to the bit.
//
// Note [Pairwise sums]: float sum() and mean() use NumPy's pairwise summation, so results agree
// with NumPy to the last bit (and rounding error grows as O(log n), not O(n)).
import type * as A from '../../language/ast.js';
import { Code } from '../../language/diagnostics.js';
import { axisValue } from '../../language/check-numpy.js';
import type { Span } from '../../language/source.js';
import { type DType, isFloat, isInt, type Type } from '../../language/types.js';
import { ELEM_SIZE } from '../../runtime/layout.js';
import type * as I from '../ir.js';
import { dynamicAxisReduce } from './numpy.js';
import type { RT } from '../kernels.js';
import { add32, bin, call, cmpOpOf, convert, cst, cvt, get, i32, i64, load, log2Size, memOf, mul32, needsUnsigned, select, un, vtOf, wrapInt } from '../ir-build.js';
import { ARG_BLOCK, ARRAY_OP, type ArrRef, PAR_MIN_ELEMS, range, type Val } from './values.js';
import type { FnLowerer } from './function.js';

type Expr = I.Expr;
type Stmt = I.Stmt;
type VT = I.VT;

export class ReductionLowering {
  reduce(this: FnLowerer, e: A.Call, fname: string, arg: A.Expr, t: Type): Val {
    const argT = this.type(arg);
    const rdt = (t as { dtype: DType }).dtype;
    if (argT.kind === 'scalar') {
      const v = this.expr(arg) as { e: Expr; dtype: DType };
      if (['argmin', 'argmax'].includes(fname)) return { k: 's', e: i64(0), dtype: 'int64' };
      if (['std', 'var'].includes(fname)) return { k: 's', e: cst(vtOf(rdt), 0), dtype: rdt };
      if (fname === 'count_nonzero') return { k: 's', e: convert(convert(v.e, v.dtype, 'bool'), 'bool', 'int64'), dtype: 'int64' };
      return { k: 's', e: convert(v.e, v.dtype, rdt), dtype: rdt };
    }
    const axE = this.kwOf(e, 'axis');
    const kdE = this.kwOf(e, 'keepdims');
    const keepdims = kdE?.kind === 'Bool' && kdE.value;
    if (fname === 'sum' && !axE && !this.kwOf(e, 'dtype') && !keepdims) {
      const fused = this.fusedDotSum(arg, rdt, e);
      if (fused) return fused;
    }
    const src = this.expr(arg);
    if (src.k !== 'a') return { k: 'none' };
    // With dtype= the elements are cast first, so sums are pairwise in that dtype; a whole-array sum
    // or mean casts as it goes, through NumPy's buffer (sumInNumPyOrder).
    const castsAsItGoes = !axE && (fname === 'sum' || fname === 'mean');
    const a = this.kwOf(e, 'dtype') && src.a.dtype !== rdt && !castsAsItGoes ? this.contiguousCopy(src.a, rdt) : src.a;
    if (axE && axE.kind !== 'None' && axisValue(axE, null) === undefined) return dynamicAxisReduce(this, e, fname, a, axE, rdt, !!keepdims);
    // Along the only axis of a 1-d array the result is a number, as the whole array's (the checker's type).
    if (axE && axE.kind !== 'None' && t.kind !== 'scalar') {
      let ax = Number(axE.kind === 'Int' ? axE.value : -(axE as A.Unary & { operand: A.IntLit }).operand.value);
      if (ax < 0) ax += a.ndim;
      const outShape = a.shape.filter((_n, k) => k !== ax);
      const out = fname === 'std' || fname === 'var' ? this.varAlong(fname, a, ax, rdt, e) : this.reduceAlong(fname, a, ax, rdt, e);
      const res = this.ownedArray(out);
      if (!keepdims) return res;
      // The reduced axis back, with extent 1 (a view of the result).
      return this.makeView(out, out.data, [...outShape.slice(0, ax), i32(1), ...outShape.slice(ax)], [...out.strides.slice(0, ax), i32(0), ...out.strides.slice(ax)]);
    }
    const r = this.reduceAll(fname, a, rdt, e);
    if (!keepdims) return { k: 's', e: r.e, dtype: r.dtype };
    const one = this.alloc(r.dtype, a.shape.map(() => i32(1)), true);
    this.emit({ k: 'store', mem: memOf(r.dtype), addr: one.data, value: r.e });
    return this.ownedArray(one);
  }

  /**
   * `sum(x * y)` of two 1-d float arrays of the result's dtype in one pass: the pairwise sum of the
   * products (`__psum_dot_<t>`), bit-identical to NumPy's sum of the product array. Lengths that
   * differ (broadcasting, or an error) take the general path at run time. Null: not this pattern.
   */
  fusedDotSum(this: FnLowerer, arg: A.Expr, rdt: DType, e: A.Call): Val | null {
    if (arg.kind !== 'Binary' || arg.op !== '*' || !isFloat(rdt)) return null;
    const lt = this.type(arg.left), rt = this.type(arg.right);
    if (lt.kind !== 'array' || rt.kind !== 'array' || lt.ndim !== 1 || rt.ndim !== 1 || lt.dtype !== rdt || rt.dtype !== rdt) return null;
    const l = this.expr(arg.left), r = this.expr(arg.right);
    if (l.k !== 'a' || r.k !== 'a') return null;
    const vt = vtOf(rdt);
    const acc = this.fresh('acc', vt);
    const general = this.block(() => {
      const prod = this.elementwise(arg, arg.span, { leaves: new Map([[arg.left, l.a], [arg.right, r.a]]), scalars: new Map() }) as { a: ArrRef };
      this.set(acc, this.reduceAll('sum', prod.a, rdt, e).e);
    });
    this.emit({ k: 'if', cond: bin('eq', 'i32', l.a.shape[0], r.a.shape[0]), then: [{ k: 'set', name: acc, value: bin('add', vt, cst(vt, 0), this.dotLine(l.a, r.a, vt)) }], else: general });
    return { k: 's', e: get(acc, vt), dtype: rdt };
  }

  /**
   * The pairwise sum of x[i] * y[i] over two 1-d float arrays of the same length and dtype. It
   * starts from -0.0, as NumPy's dot does; sum() and @ start from the identity 0.0 (add 0 to it).
   */
  dotLine(this: FnLowerer, x: ArrRef, y: ArrRef, vt: VT): Expr {
    const sh = i32(log2Size(x.dtype));
    const fn = this.mod.helper(vt === 'f64' ? 'psum_dot_f64' : 'psum_dot_f32');
    return call(fn, vt, x.data, x.shape[0], bin('shl', 'i32', x.strides[0], sh), y.data, bin('shl', 'i32', y.strides[0], sh));
  }

  /** `zero-size array to reduction operation ...` when `size` is 0 (or, with `isCond`, when it is true). */
  emptyCheck(this: FnLowerer, fname: string, size: Expr, e: A.Call, isCond = false): void {
    const site = this.mod.site(Code.ValueError, 'empty_reduce', e.span, fname);
    this.emit({ k: 'if', cond: isCond ? size : bin('eq', 'i32', size, i32(0)), then: [this.trap(this.mod.imp('err_value', ['i32'], null), i32(site))], else: [] });
  }

  /** Reduces a 1-d strided line (used for axis reductions). */
  /** A new array: `fname` of `a` along axis `ax`. */
  /**
   * Note [Axis sums]: NumPy's float sum along an axis is pairwise per output element when its
   * iterator makes the reduced axis the innermost one, and otherwise adds the slices along it one
   * after another. The iterator puts innermost the axis of least |stride| in the input (the output's
   * zero stride there gives it no say), ignoring axes of extent 1; so it depends on the layout, not
   * on which axis is last: `b.T.sum(axis=0)` is pairwise. `pairwise` overrides the layout test (var
   * sums squares laid out like the input, as NumPy's are). Other reductions are exact or order-free.
   */
  reduceAlong(this: FnLowerer, fname: string, a: ArrRef, ax: number, rdt: DType, e: A.Call, pairwise?: Expr): ArrRef {
    const outShape = a.shape.filter((_n, k) => k !== ax);
    const out = this.alloc(rdt, outShape);
    if (['min', 'max', 'argmin', 'argmax'].includes(fname)) {
      // NumPy: an error when there is an output element to compute from an empty line.
      this.emptyCheck(fname, bin('and', 'i32', bin('eq', 'i32', a.shape[ax], i32(0)), bin('ne', 'i32', outShape.reduce((x: Expr, n) => mul32(x, n), i32(1)), i32(0))), e, true);
    }
    const orderMatters = (fname === 'sum' || fname === 'mean') && isFloat(a.dtype);
    const pw = orderMatters ? this.tmp(pairwise ?? this.reducedAxisInnermost(a, ax)) : null;
    // Nest over the output; each element reduces along `ax` with an inner loop.
    const inner: ArrRef = { ...a, ndim: a.ndim - 1, shape: outShape, strides: a.strides.filter((_s, k) => k !== ax) };
    // Each output element is computed whole by one thread, so any team gives the same bits.
    const lines = (lastAxis: boolean) => this.block(() => this.nest(out.shape, [out, inner], e.span, (p) => this.block(() => {
      const r = this.reduceLine(fname, { ...a, data: p[1], ndim: 1, shape: [a.shape[ax]], strides: [a.strides[ax]] }, rdt, e, lastAxis);
      this.emit({ k: 'store', mem: memOf(rdt), addr: p[0], value: convert(r.e, r.dtype, rdt) });
    }), { par: true, lineCost: a.shape[ax] }));
    const sequential = a.ndim === 2 && ax === 0 && ['sum', 'mean', 'prod', 'min', 'max', 'any', 'all'].includes(fname)
      ? this.block(() => this.columnReduce(fname, a, out, rdt, e))
      : lines(pw ? false : ax === a.ndim - 1);
    if (pw) this.emit({ k: 'if', cond: pw, then: lines(true), else: sequential });
    else this.out.push(...sequential);
    return out;
  }

  /** Whether NumPy's iterator makes axis `ax` of `a` the innermost (Note [Axis sums]). */
  reducedAxisInnermost(this: FnLowerer, a: ArrRef, ax: number): Expr {
    const sr = this.tmp(un('abs', 'i32', a.strides[ax]));
    return range(a.ndim).filter((k) => k !== ax).reduce((acc: Expr, k) =>
      bin('and', 'i32', acc, bin('or', 'i32', bin('le_s', 'i32', a.shape[k], i32(1)), bin('lt_s', 'i32', sr, un('abs', 'i32', a.strides[k])))), i32(1));
  }

  /**
   * Note [Column reductions]: `fname` of a 2-d array along axis 0 row by row, out = op(out, a[i, :])
   * for i in order: each output element sees the same operations in the same order as the
   * sequential line NumPy reduces (so float sums agree to the bit), but the loop walks memory by
   * rows and vectorizes. Blocks of COL_BLOCK columns (small enough for an out block to stay in L1) run on the team.
   */
  columnReduce(this: FnLowerer, fname: string, a: ArrRef, out: ArrRef, rdt: DType, e: A.Call): void {
    const COL_BLOCK = 1024;
    const vt = vtOf(rdt), mem = memOf(rdt), sz = ELEM_SIZE[rdt], asz = ELEM_SIZE[a.dtype];
    const accD: DType = fname === 'any' || fname === 'all' ? 'bool' : rdt;
    const n = this.tmp(a.shape[0]), cols = this.tmp(a.shape[1]);
    const blk = this.fresh('cb', 'i32'), lo = this.fresh('clo', 'i32'), len = this.fresh('clen', 'i32'), i = this.fresh('ci', 'i32');
    const seg = (data: Expr, stride: Expr, dtype: DType): ArrRef => ({ desc: out.desc, data, shape: [get(len, 'i32')], strides: [stride], dtype, ndim: 1 });
    const outSeg = seg(add32(out.data, mul32(get(lo, 'i32'), i32(sz))), i32(1), rdt);
    const rowSeg = (row: Expr) => seg(add32(a.data, mul32(add32(mul32(row, a.strides[0]), mul32(get(lo, 'i32'), a.strides[1])), i32(asz))), a.strides[1], a.dtype);
    const x = (p: Expr) => convert(load(vtOf(a.dtype), memOf(a.dtype), p), a.dtype, accD);
    const combine = (cur: Expr, v: Expr): Expr => {
      switch (fname) {
        case 'prod': return bin('mul', vt, cur, v);
        case 'min': case 'max': return bin(needsUnsigned(accD) ? `${fname}_u` : fname, vt, cur, v);
        case 'any': return bin('or', 'i32', cur, v);
        case 'all': return bin('and', 'i32', cur, v);
        default: return bin('add', vt, cur, v);
      }
    };
    const identity = fname === 'prod' || fname === 'all' ? 1 : 0;
    const body = this.block(() => {
      this.set(lo, mul32(get(blk, 'i32'), i32(COL_BLOCK)));
      this.set(len, select('i32', bin('lt_s', 'i32', bin('sub', 'i32', cols, get(lo, 'i32')), i32(COL_BLOCK)), bin('sub', 'i32', cols, get(lo, 'i32')), i32(COL_BLOCK)));
      // The first row (or the identity when there is none), then each further row folded in.
      this.emit({ k: 'if', cond: bin('gt_s', 'i32', n, i32(0)), then: this.block(() => {
        // NumPy's float sums start from the identity: 0.0 + a[0, j] is a[0, j] except that -0.0 becomes 0.0.
        const first = (p: Expr) => (fname === 'sum' || fname === 'mean') && isFloat(accD) ? bin('add', vt, cst(vt, 0), x(p)) : x(p);
        this.nest(outSeg.shape, [outSeg, rowSeg(i32(0))], e.span, (p) => [{ k: 'store', mem, addr: p[0], value: convert(first(p[1]), accD, rdt) }], { simd: true });
      }), else: this.block(() => {
        this.nest(outSeg.shape, [outSeg], e.span, (p) => [{ k: 'store', mem, addr: p[0], value: convert(cst(vtOf(accD), identity), accD, rdt) }], { simd: true });
      }) });
      // Four rows per pass over the block (the same operations in the same order: out op r0 op r1 ...),
      // so the block of out is loaded and stored a quarter as often; then the rows that remain.
      const fold = (rows: number) => this.block(() => {
        this.nest(outSeg.shape, [outSeg, ...range(rows).map((r) => rowSeg(add32(get(i, 'i32'), i32(r))))], e.span, (p) => {
          let v = convert(load(vt, mem, p[0]), rdt, accD);
          for (let r = 1; r <= rows; r++) v = combine(v, x(p[r]));
          return [{ k: 'store', mem, addr: p[0], value: convert(v, accD, rdt) }];
        }, { simd: true });
      });
      this.set(i, i32(1));
      this.emit({ k: 'while', label: `crow${this.n++}`, cond: bin('le_s', 'i32', add32(get(i, 'i32'), i32(4)), n), body: [...fold(4), { k: 'set', name: i, value: add32(get(i, 'i32'), i32(4)) }] });
      this.emit({ k: 'while', label: `crow${this.n++}`, cond: bin('lt_s', 'i32', get(i, 'i32'), n), body: [...fold(1), { k: 'set', name: i, value: add32(get(i, 'i32'), i32(1)) }] });
      if (fname === 'mean') {
        const nd = this.tmp(convert(n, 'int32', rdt));
        this.nest(outSeg.shape, [outSeg], e.span, (p) => [{ k: 'store', mem, addr: p[0], value: bin('div', vt, load(vt, mem, p[0]), nd) }], { simd: true });
      }
    });
    const work = bin('mul', 'i64', cvt('i32->i64', n), cvt('i32->i64', cols));
    this.emit({
      k: 'parfor', label: `colr${this.n++}`, v: blk, t: 'i32', start: i32(0), stop: bin('div_s', 'i32', add32(cols, i32(COL_BLOCK - 1)), i32(COL_BLOCK)), step: i32(1),
      schedule: 'static', chunk: null, numThreads: null, useIf: bin('ge_s', 'i64', work, i64(PAR_MIN_ELEMS)), reductions: [], line: this.mod.line(e.span), body,
    });
  }

  /**
   * std/var along an axis as NumPy's _var computes them, each step a whole-array operation on the
   * team: the mean along the axis, the squared deviations from it (one fused array), their sum
   * along the axis, divided by max(n - ddof, 0).
   */
  varAlong(this: FnLowerer, fname: 'std' | 'var', a: ArrRef, ax: number, rdt: DType, e: A.Call): ArrRef {
    const vt = vtOf(rdt);
    const pairwise = this.tmp(this.reducedAxisInnermost(a, ax));
    const mean = this.reduceAlong('mean', a, ax, rdt, e);
    const back: ArrRef = { ...mean, ndim: a.ndim, shape: [...mean.shape.slice(0, ax), i32(1), ...mean.shape.slice(ax)], strides: [...mean.strides.slice(0, ax), i32(0), ...mean.strides.slice(ax)] };
    const sq = this.alloc(rdt, a.shape, true);
    this.nest(a.shape, [sq, a, back], e.span, (p) => {
      const d = this.fresh('dx', vt);
      return [
        { k: 'set', name: d, value: bin('sub', vt, convert(load(vtOf(a.dtype), memOf(a.dtype), p[1]), a.dtype, rdt), load(vt, memOf(rdt), p[2])) },
        { k: 'store', mem: memOf(rdt), addr: p[0], value: bin('mul', vt, get(d, vt), get(d, vt)) },
      ];
    }, ARRAY_OP);
    this.emit({ k: 'release', desc: mean.desc });
    const out = this.reduceAlong('sum', sq, ax, rdt, e, pairwise);
    this.emit({ k: 'release', desc: sq.desc });
    const div = this.tmp(this.varDivisor(convert(a.shape[ax], 'int32', rdt), rdt, e));
    this.nest(out.shape, [out], e.span, (p) => {
      const v = bin('div', vt, load(vt, memOf(rdt), p[0]), div);
      return [{ k: 'store', mem: memOf(rdt), addr: p[0], value: fname === 'std' ? un('sqrt', vt, v) : v }];
    }, ARRAY_OP);
    return out;
  }

  /** max(n - ddof, 0), NumPy's divisor of var and std. */
  varDivisor(this: FnLowerer, n: Expr, rdt: DType, e: A.Call): Expr {
    const vt = vtOf(rdt);
    const ddofE = this.kwOf(e, 'ddof');
    const ddof = ddofE ? convert((this.expr(ddofE) as { e: Expr; dtype: DType }).e, (this.type(ddofE) as { dtype: DType }).dtype, rdt) : cst(vt, 0);
    const d = this.tmp(bin('sub', vt, n, ddof));
    return select(vt, bin('lt', vt, d, cst(vt, 0)), cst(vt, 0), d);
  }

  reduceLine(this: FnLowerer, fname: string, line: ArrRef, rdt: DType, e: A.Call, lastAxis: boolean): { e: Expr; dtype: DType } {
    // NumPy adds along a non-last axis row by row (sequentially), along the last axis pairwise.
    // The caller checked for empty lines and runs the lines on the team: each line is serial.
    return this.reduceAll(fname, line, rdt, e, !lastAxis, true);
  }

  reduceAll(this: FnLowerer, fname: string, a: ArrRef, rdt: DType, e: A.Call, sequential = false, inLine = false): { e: Expr; dtype: DType } {
    const ad = a.dtype;
    const size = this.tmp(a.shape.reduce((acc: Expr, n) => mul32(acc, n), i32(1)));
    if (fname === 'std' || fname === 'var') {
      const mean = this.reduceAll('mean', a, rdt, e, sequential);
      const m = this.tmp(mean.e);
      const vt = vtOf(rdt);
      const acc = this.fresh('acc', vt);
      // As NumPy: x = a - mean, x = x * x (an array laid out like a: its axes in a's order of
      // |stride|, each in a's direction), then the pairwise sum of x in memory order.
      const sq = this.alloc(rdt, a.shape, true);
      const key = a.strides.map((s) => this.tmp(un('abs', 'i32', s)));
      const inner = (j: number, k: number) => bin(j > k ? 'le_s' : 'lt_s', 'i32', key[j], key[k]);
      const kStrides = range(a.ndim).map((k) => range(a.ndim).filter((j) => j !== k).reduce((acc: Expr, j) => mul32(acc, select('i32', inner(j, k), a.shape[j], i32(1))), i32(1)));
      this.nest(a.shape, [{ ...sq, strides: kStrides }, a], e.span, (p) => {
        const xt = this.fresh('dx', vt);
        return [
          { k: 'set', name: xt, value: bin('sub', vt, convert(load(vtOf(ad), memOf(ad), p[1]), ad, rdt), m) },
          { k: 'store', mem: memOf(rdt), addr: p[0], value: bin('mul', vt, get(xt, vt), get(xt, vt)) },
        ];
      }, ARRAY_OP);
      if (sequential) {
        // Along a non-last axis NumPy adds the rows one after another (see reduceLine).
        this.set(acc, cst(vt, 0));
        this.nest(sq.shape, [sq], e.span, (p) => [{ k: 'set', name: acc, value: bin('add', vt, get(acc, vt), load(vt, memOf(rdt), p[0])) }]);
      } else this.set(acc, bin('add', vt, cst(vt, 0), call(this.mod.helper(vt === 'f64' ? 'psum_f64' : 'psum_f32'), vt, sq.data, size, i32(ELEM_SIZE[rdt]))));
      this.emit({ k: 'release', desc: sq.desc });
      const v = bin('div', vt, get(acc, vt), this.varDivisor(convert(size, 'int32', rdt), rdt, e));
      return { e: fname === 'std' ? un('sqrt', vt, v) : v, dtype: rdt };
    }
    // A whole-array int mean or sum(a, dtype=float64) converts on the way into NumPy's buffer.
    const castInBuffer = isFloat(rdt) && ad !== rdt && !sequential && !inLine;
    if ((fname === 'sum' || fname === 'mean') && (isFloat(ad) || castInBuffer)) {
      // See Note [Pairwise sums] and Note [Strided sums].
      const sd = castInBuffer ? rdt : ad;
      const h = this.mod.helper(sd === 'float64' ? 'psum_f64' : 'psum_f32');
      const vt = vtOf(sd);
      const acc = this.fresh('acc', vt);
      const line = (data: Expr, n: Expr, stride: Expr) => call(h, vt, data, n, bin('shl', 'i32', stride, i32(log2Size(sd))));
      if (castInBuffer) this.sumInNumPyOrder(a, acc, line, sd);
      else if (a.ndim === 1 && !sequential) this.set(acc, bin('add', vt, cst(vt, 0), line(a.data, a.shape[0], a.strides[0])));
      else if (a.ndim === 1) {
        this.set(acc, cst(vt, 0));
        this.nest(a.shape, [a], e.span, (p) => [{ k: 'set', name: acc, value: bin('add', vt, get(acc, vt), load(vt, memOf(ad), p[0])) }]);
      } else this.sumInNumPyOrder(a, acc, line);
      if (fname === 'mean') return { e: bin('div', vt, get(acc, vt), convert(size, 'int32', sd)), dtype: sd };
      return { e: get(acc, vt), dtype: sd };
    }
    const accD: DType = fname === 'mean' ? (isFloat(ad) ? ad : 'float64') : fname === 'any' || fname === 'all' ? 'bool' : fname === 'count_nonzero' ? 'int64' : ['argmin', 'argmax', 'min', 'max'].includes(fname) ? ad : rdt;
    const vt = vtOf(accD);
    const acc = this.fresh('acc', vt);
    const isMinMax = ['min', 'max', 'argmin', 'argmax'].includes(fname);
    if (isMinMax) {
      if (!inLine) this.emptyCheck(fname, size, e);
      this.set(acc, convert(load(vtOf(ad), memOf(ad), a.data), ad, accD));
    } else {
      const init = fname === 'prod' || fname === 'all' ? 1 : 0;
      this.set(acc, cst(vt, init));
    }
    const best = this.fresh('bi', 'i32'), cnt = this.fresh('ci', 'i32');
    this.set(best, i32(0)); this.set(cnt, i32(0));
    // Exact in any grouping, so big arrays reduce on the team (float sums went pairwise above;
    // float products and int means are left in order).
    const isI = vt === 'i32' || vt === 'i64';
    const u = needsUnsigned(accD);
    const op: I.ReduceOp | null = ({ sum: isI ? 'add' : null, count_nonzero: 'add', prod: isI ? 'mul' : null, any: 'or', all: 'and', min: u ? 'min_u' : 'min', max: u ? 'max_u' : 'max' } as Record<string, I.ReduceOp | null>)[fname] ?? null;
    const red = op && !inLine ? { reduce: [{ name: acc, t: vt, op }], par: true } : {};
    // argmin/argmax: first occurrence wins; a NaN is the answer once seen (NumPy).
    const better = (x: Expr, cur: Expr) => (isFloat(accD)
      ? bin('and', 'i32', bin('eq', vt, cur, cur), bin('or', 'i32', bin(fname === 'argmax' ? 'gt' : 'lt', vt, x, cur), bin('ne', vt, x, x)))
      : bin(cmpOpOf(fname === 'argmax' ? '>' : '<', accD), vt, x, cur));
    const serial = this.block(() => this.nest(a.shape, [a], e.span, (p) => {
      const x = convert(load(vtOf(ad), memOf(ad), p[0]), ad, accD);
      const cur = get(acc, vt);
      const out: Stmt[] = [];
      switch (fname) {
        case 'sum': case 'mean': out.push({ k: 'set', name: acc, value: accD === 'bool' ? bin('or', 'i32', cur, x) : bin('add', vt, cur, x) }); break;
        case 'prod': out.push({ k: 'set', name: acc, value: bin('mul', vt, cur, x) }); break;
        case 'any': out.push({ k: 'set', name: acc, value: bin('or', 'i32', cur, x) }); break;
        case 'all': out.push({ k: 'set', name: acc, value: bin('and', 'i32', cur, x) }); break;
        case 'count_nonzero': out.push({ k: 'set', name: acc, value: bin('add', 'i64', cur, convert(convert(load(vtOf(ad), memOf(ad), p[0]), ad, 'bool'), 'bool', 'int64')) }); break;
        case 'min': case 'max': {
          if (isFloat(accD)) out.push({ k: 'set', name: acc, value: bin(fname, vt, cur, x) });
          else {
            const xv = this.fresh('x', vt);
            out.push({ k: 'set', name: xv, value: x });
            out.push({ k: 'set', name: acc, value: select(vt, bin(cmpOpOf(fname === 'max' ? '>' : '<', accD), vt, get(xv, vt), cur), get(xv, vt), cur) });
          }
          break;
        }
        case 'argmin': case 'argmax': {
          const xv = this.fresh('x', vt);
          out.push({ k: 'set', name: xv, value: x });
          out.push({ k: 'if', cond: better(get(xv, vt), cur), then: [{ k: 'set', name: acc, value: get(xv, vt) }, { k: 'set', name: best, value: get(cnt, 'i32') }], else: [] });
          break;
        }
      }
      if (fname === 'argmin' || fname === 'argmax') out.push({ k: 'set', name: cnt, value: add32(get(cnt, 'i32'), i32(1)) });
      return out;
    }, red));
    // (The kernels read whole i32/i64/f32/f64 elements and compare signed.)
    if (isMinMax && !inLine && (ad === 'int32' || ad === 'int64' || isFloat(ad))) {
      // Contiguous elements go through the SIMD kernels, in blocks on the team when there are many.
      const t = vtOf(ad) as RT, sz = ELEM_SIZE[ad];
      const mm = this.mod.reduceKernel(fname === 'min' || fname === 'argmin' ? 'min' : 'max', t);
      const blocks = fname === 'min' || fname === 'max' ? this.block(() => {
        const blk = this.fresh('blk', 'i32'), lo = this.fresh('lo', 'i32');
        const nb = bin('div_s', 'i32', add32(size, i32(ARG_BLOCK - 1)), i32(ARG_BLOCK));
        const len = select('i32', bin('lt_s', 'i32', bin('sub', 'i32', size, get(lo, 'i32')), i32(ARG_BLOCK)), bin('sub', 'i32', size, get(lo, 'i32')), i32(ARG_BLOCK));
        this.emit({
          k: 'parfor', label: `mmb${this.n++}`, v: blk, t: 'i32', start: i32(0), stop: nb, step: i32(1), schedule: 'static', chunk: null,
          numThreads: null, useIf: null, reductions: [{ name: acc, t: vt, op: fname as 'min' | 'max' }], line: this.mod.line(e.span), body: [
            { k: 'set', name: lo, value: mul32(get(blk, 'i32'), i32(ARG_BLOCK)) },
            { k: 'set', name: acc, value: bin(fname, vt, get(acc, vt), call(mm, vt, add32(a.data, mul32(get(lo, 'i32'), i32(sz))), len)) },
          ],
        });
      }) : this.block(() => this.argBestBlocks(a, size, acc, best, better, fname, e.span));
      const whole = this.block(() => {
        this.set(acc, call(mm, vt, a.data, size));
        if (fname === 'argmin' || fname === 'argmax') this.set(best, call(this.mod.reduceKernel('first', t), 'i32', a.data, size, get(acc, vt)));
      });
      this.emit({ k: 'if', cond: this.isContiguous(a), then: [{ k: 'if', cond: bin('ge_s', 'i32', size, i32(ARG_BLOCK * 2)), then: blocks, else: whole }], else: serial });
    } else this.out.push(...serial);
    if (fname === 'argmin' || fname === 'argmax') return { e: cvt('i32->i64', get(best, 'i32')), dtype: 'int64' };
    if (fname === 'mean') return { e: bin('div', vt, get(acc, vt), convert(size, 'int32', accD)), dtype: accD };
    // sum(a, dtype=uint8) adds in i32: wrapping once at the end gives the same bits as at every step.
    return { e: isInt(accD) ? wrapInt(get(acc, vt), accD) : get(acc, vt), dtype: accD };
  }

  /**
   * Note [Strided sums]: NumPy's float sum of an n-d array, to the last bit. Its iterator orders the
   * axes by |stride| (outermost first, extents of 1 aside) and merges neighbours that step evenly;
   * if one line remains (any contiguous array, in memory order, or a 1-d view), that line is summed
   * pairwise. Otherwise the leading merged axes are the outer part and the rest is a slab, and the
   * elements go through a buffer of max(1, 8192 // slab) whole slabs: each buffer is summed
   * pairwise and added to the total in order. (Checked against NumPy 2.4 on 500 random views of
   * 2 to 4 dimensions, with negative, transposed and unit axes.) The copy costs one pass; NumPy
   * makes it too. A slab of 2^17 elements or more is itself summed on the team (__psum).
   * With a cast (`to`: an int mean, `sum(a, dtype=float64)`) NumPy always buffers, so one line is
   * summed in chunks of 8192 elements too, each pairwise, added in order.
   */
  sumInNumPyOrder(this: FnLowerer, a: ArrRef, acc: string, line: (data: Expr, n: Expr, stride: Expr) => Expr, to?: DType): void {
    const d = a.ndim, bufD = to ?? a.dtype, vt = vtOf(bufD), size = ELEM_SIZE[a.dtype];
    const N = range(d).map(() => this.fresh('sn', 'i32')), S = range(d).map(() => this.fresh('ss', 'i32'));
    const n = (k: number) => get(N[k], 'i32'), st = (k: number) => get(S[k], 'i32');
    range(d).forEach((k) => { this.set(N[k], a.shape[k]); this.set(S[k], a.strides[k]); });
    // Stable sort, outermost first: by |stride| descending, extents of 1 last.
    const key = (k: number) => select('i32', bin('eq', 'i32', n(k), i32(1)), i32(-1), un('abs', 'i32', st(k)));
    const tn = this.fresh('sw', 'i32'), ts = this.fresh('sw', 'i32');
    for (let i = 0; i < d - 1; i++) {
      for (let j = 0; j < d - 1 - i; j++) {
        this.emit({ k: 'if', cond: bin('lt_s', 'i32', key(j), key(j + 1)), then: [
          { k: 'set', name: tn, value: n(j) }, { k: 'set', name: N[j], value: n(j + 1) }, { k: 'set', name: N[j + 1], value: get(tn, 'i32') },
          { k: 'set', name: ts, value: st(j) }, { k: 'set', name: S[j], value: st(j + 1) }, { k: 'set', name: S[j + 1], value: get(ts, 'i32') },
        ], else: [] });
      }
    }
    // The outer part: the leading axes that merge (an extent of 1 merges with anything).
    const merged = this.fresh('mg', 'i32'), outer = this.fresh('out', 'i32'), lineS = this.fresh('ls', 'i32'), total = this.fresh('tot', 'i32');
    this.set(merged, i32(1)); this.set(outer, n(0)); this.set(lineS, st(0)); this.set(total, n(0));
    for (let i = 0; i + 1 < d; i++) {
      const unit = bin('eq', 'i32', n(i + 1), i32(1));
      this.set(merged, bin('and', 'i32', get(merged, 'i32'), bin('or', 'i32', unit, bin('eq', 'i32', st(i), mul32(n(i + 1), st(i + 1))))));
      this.set(outer, select('i32', get(merged, 'i32'), mul32(get(outer, 'i32'), n(i + 1)), get(outer, 'i32')));
      this.set(lineS, select('i32', unit, get(lineS, 'i32'), st(i + 1)));
      this.set(total, mul32(get(total, 'i32'), n(i + 1)));
    }
    const oneLine = [{ k: 'set', name: acc, value: bin('add', vt, cst(vt, 0), line(a.data, get(total, 'i32'), get(lineS, 'i32'))) } as Stmt];
    const slab = this.fresh('slab', 'i32'), per = this.fresh('per', 'i32');
    const buffered = this.block(() => {
      this.set(acc, cst(vt, 0));
      this.set(slab, bin('div_s', 'i32', get(total, 'i32'), get(outer, 'i32')));
      this.set(per, bin('div_s', 'i32', i32(8192), get(slab, 'i32')));
      this.set(per, select('i32', bin('lt_s', 'i32', get(per, 'i32'), i32(1)), i32(1), get(per, 'i32')));
      const chunk = this.tmp(to ? select('i32', get(merged, 'i32'), i32(8192), mul32(get(per, 'i32'), get(slab, 'i32'))) : mul32(get(per, 'i32'), get(slab, 'i32')));
      const buf = this.alloc(bufD, [chunk], true);
      const cnt = this.fresh('cnt', 'i32');
      this.set(cnt, i32(0));
      const flush = (count: Expr): Stmt => ({ k: 'set', name: acc, value: bin('add', vt, get(acc, vt), line(buf.data, count, i32(1))) });
      // The axes in sorted order, nested; the innermost copies one element into the buffer.
      const ptr = range(d).map(() => this.fresh('q', 'i32'));
      const level = (k: number): Stmt[] => {
        const iv = this.fresh('i', 'i32');
        const inner: Stmt[] = k + 1 < d ? [{ k: 'set', name: ptr[k + 1], value: get(ptr[k], 'i32') }, ...level(k + 1)] : [
          { k: 'store', mem: memOf(bufD), addr: add32(buf.data, mul32(get(cnt, 'i32'), i32(ELEM_SIZE[bufD]))), value: convert(load(vtOf(a.dtype), memOf(a.dtype), get(ptr[k], 'i32')), a.dtype, bufD) },
          { k: 'set', name: cnt, value: add32(get(cnt, 'i32'), i32(1)) },
          { k: 'if', cond: bin('eq', 'i32', get(cnt, 'i32'), chunk), then: [flush(chunk), { k: 'set', name: cnt, value: i32(0) }], else: [] },
        ];
        return [{ k: 'for', label: `sumnd${this.n++}`, v: iv, t: 'i32', start: i32(0), stop: n(k), step: i32(1), body: [
          ...inner, { k: 'set', name: ptr[k], value: add32(get(ptr[k], 'i32'), mul32(st(k), i32(size))) },
        ] }];
      };
      this.set(ptr[0], a.data);
      this.out.push(...level(0));
      this.emit({ k: 'if', cond: bin('gt_s', 'i32', get(cnt, 'i32'), i32(0)), then: [flush(get(cnt, 'i32'))], else: [] });
      this.emit({ k: 'release', desc: buf.desc });
    });
    if (to) this.emit({ k: 'if', cond: bin('gt_s', 'i32', get(total, 'i32'), i32(0)), then: buffered, else: [{ k: 'set', name: acc, value: cst(vt, 0) }] });
    else this.emit({ k: 'if', cond: bin('or', 'i32', get(merged, 'i32'), bin('le_s', 'i32', get(total, 'i32'), i32(1))), then: oneLine, else: buffered });
  }

  /** Run-time test: the array is C-contiguous (extents of 1 have any stride). */
  isContiguous(this: FnLowerer, a: ArrRef): Expr {
    let c: Expr = i32(1), expect: Expr = i32(1);
    for (let k = a.ndim - 1; k >= 0; k--) {
      c = bin('and', 'i32', c, bin('or', 'i32', bin('eq', 'i32', a.strides[k], expect), bin('le_s', 'i32', a.shape[k], i32(1))));
      expect = mul32(expect, a.shape[k]);
    }
    return c;
  }

  /**
   * argmin/argmax of a big C-contiguous array on the team: a parfor finds each block's extreme and
   * its first index with the SIMD kernels, then the blocks are combined in order with the serial
   * rule (`better`). The first block holding the answer holds it first, so the index is the serial one.
   */
  argBestBlocks(this: FnLowerer, a: ArrRef, size: Expr, acc: string, best: string, better: (x: Expr, cur: Expr) => Expr, fname: string, span: Span): void {
    const vt = vtOf(a.dtype), mem = memOf(a.dtype), sz = ELEM_SIZE[a.dtype], t = vt as RT;
    const nb = this.tmp(bin('div_s', 'i32', add32(size, i32(ARG_BLOCK - 1)), i32(ARG_BLOCK)), 'nb');
    const vals = this.tmp(call('__malloc', 'i32', mul32(nb, i32(8))), 'bv'), idxs = this.tmp(call('__malloc', 'i32', mul32(nb, i32(4))), 'bix');
    const blk = this.fresh('blk', 'i32'), lo = this.fresh('lo', 'i32'), len = this.fresh('len', 'i32'), i = this.fresh('i', 'i32');
    const bacc = this.fresh('bacc', vt), x = this.fresh('x', vt);
    const g = (n: string, t: VT = 'i32') => get(n, t);
    const from = add32(a.data, mul32(g(lo), i32(sz)));
    this.emit({
      k: 'parfor', label: `argb${this.n++}`, v: blk, t: 'i32', start: i32(0), stop: nb, step: i32(1), schedule: 'static', chunk: null,
      numThreads: null, useIf: null, reductions: [], line: this.mod.line(span), body: [
        { k: 'set', name: lo, value: mul32(g(blk), i32(ARG_BLOCK)) },
        { k: 'set', name: len, value: select('i32', bin('lt_s', 'i32', bin('sub', 'i32', size, g(lo)), i32(ARG_BLOCK)), bin('sub', 'i32', size, g(lo)), i32(ARG_BLOCK)) },
        { k: 'set', name: bacc, value: call(this.mod.reduceKernel(fname === 'argmin' ? 'min' : 'max', t), vt, from, g(len)) },
        { k: 'store', mem, addr: add32(vals, mul32(g(blk), i32(8))), value: g(bacc, vt) },
        { k: 'store', mem: 'i32', addr: add32(idxs, mul32(g(blk), i32(4))), value: add32(g(lo), call(this.mod.reduceKernel('first', t), 'i32', from, g(len), g(bacc, vt))) },
      ],
    });
    const at = (arr: Expr, k: Expr, m: I.Mem, vtk: VT, w: number) => load(vtk, m, add32(arr, mul32(k, i32(w))));
    this.set(acc, at(vals, i32(0), mem, vt, 8));
    this.set(best, at(idxs, i32(0), 'i32', 'i32', 4));
    this.emit({ k: 'for', label: `ab${this.n++}`, v: i, t: 'i32', start: i32(1), stop: nb, step: i32(1), body: [
      { k: 'set', name: x, value: at(vals, g(i), mem, vt, 8) },
      { k: 'if', cond: better(g(x, vt), g(acc, vt)), then: [{ k: 'set', name: acc, value: g(x, vt) }, { k: 'set', name: best, value: at(idxs, g(i), 'i32', 'i32', 4) }], else: [] },
    ] });
    this.emit({ k: 'expr', e: call('__free', null, vals) });
    this.emit({ k: 'expr', e: call('__free', null, idxs) });
  }
}
