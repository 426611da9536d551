// Arrays as memory: indexing and views (basic indexing with bounds checks), stores into slices,
// copies that may overlap, loop nests over a shape with broadcasting (serial, SIMD or on the team),
// and allocation.
import type * as A from '../../language/ast.js';
import { expandEllipsis } from '../../language/ast.js';
import { Code } from '../../language/diagnostics.js';
import { assignArrayIndex, assignMixed, isArrayIndex, isMixedArrayIndex } from './index-arrays.js';
import type { Span } from '../../language/source.js';
import type { DType } from '../../language/types.js';
import { DESC, DTYPE_CODE, ELEM_SIZE } from '../../runtime/layout.js';
import { mathVec, NATIVE_MATH } from '../mathlib-wasm.js';
import type * as I from '../ir.js';
import { cseBody, pureBody } from '../cse.js';
import { listSetItem } from './lists.js';
import { bodyLane, type Lane, laneCount, type VectorBody, vectorizeBody, vectorLoop } from '../vectorize.js';
import { raceAccess, raceFresh, raceNestBody, raceView } from './races.js';
import { add32, bin, call, convert, cvt, get, i32, i64, load, log2Size, memOf, mul32, select, un, vtOf } from '../ir-build.js';
import { ARRAY_OP, type ArrRef, PAR_CHUNK, PAR_MIN_ELEMS, range, type Val } from './values.js';
import type { FnLowerer } from './function.js';

type Expr = I.Expr;
type Stmt = I.Stmt;

export class ArrayLowering {
  /** A subscript's indices with `...` expanded for the rank of the array it indexes. */
  indices(this: FnLowerer, e: A.Subscript): A.Expr[] {
    const t = this.type(e.value);
    return t.kind === 'array' ? expandEllipsis(e.index, t.ndim) : e.index;
  }

  /** Index entries after evaluation. */
  indexParts(this: FnLowerer, index: A.Expr[]): ({ k: 'int'; e: Expr; span: Span; nonNeg?: boolean } | { k: 'slice'; lo: Expr | null; hi: Expr | null; st: Expr | null; span: Span } | { k: 'new'; span: Span })[] {
    return index.map((ix) => {
      if (ix.kind === 'None') return { k: 'new' as const, span: ix.span };
      if (ix.kind === 'Slice') {
        const part = (p: A.Expr | null) => {
          if (!p || p.kind === 'None') return null;
          const v = this.expr(p);
          return this.tmp(convert(this.scalarAs(v, (this.type(p) as { dtype: DType }).dtype, p.span), (this.type(p) as { dtype: DType }).dtype, 'int64'));
        };
        return { k: 'slice' as const, lo: part(ix.lower), hi: part(ix.upper), st: part(ix.step), span: ix.span };
      }
      const v = this.expr(ix);
      return { k: 'int' as const, e: this.tmp(convert(this.scalarAs(v, (this.type(ix) as { dtype: DType }).dtype, ix.span), (this.type(ix) as { dtype: DType }).dtype, 'int64')), span: ix.span, nonNeg: this.isNonNeg(ix) };
    });
  }

  /** Bounds-checks and wraps a negative index; returns an i32 index local. */
  checkedIndex(this: FnLowerer, idx: Expr, n: Expr, axis: number, desc: Expr, span: Span, knownNonNeg = false): Expr {
    const iv = this.tmp(idx, 'ix');
    const n64 = cvt('i32->i64', n);
    const w = this.fresh('w', 'i64');
    // A constant non-negative index needs no wrap-around.
    const nonNeg = knownNonNeg || (iv.k === 'const' && BigInt(iv.v) >= 0n);
    this.set(w, nonNeg ? iv : select('i64', bin('lt_s', 'i64', iv, i64(0)), bin('add', 'i64', iv, n64), iv));
    if (this.boundsCheck) {
      const site = this.mod.site(Code.IndexError, 'index', span);
      this.emit({ k: 'if', cond: bin('ge_u', 'i64', get(w, 'i64'), n64), then: [this.trap(this.mod.imp('err_index', ['i32', 'i64', 'i32', 'i32'], null), i32(site), iv, i32(axis), desc)], else: [] });
    }
    return this.tmp(cvt('i64->i32', get(w, 'i64')), 'ix');
  }

  /** a[parts]: a scalar element or a view. */
  indexArr(this: FnLowerer, a: ArrRef, parts: ReturnType<FnLowerer['indexParts']>, span: Span, forStore: boolean): Val {
    let off: Expr = i32(0);
    const shape: Expr[] = [], strides: Expr[] = [];
    let k = 0; // the axis of `a` that the next index applies to
    parts.forEach((p) => {
      if (p.k === 'new') { shape.push(i32(1)); strides.push(i32(0)); return; }
      if (p.k === 'int') {
        const ix = this.checkedIndex(p.e, a.shape[k], k, a.desc, p.span, p.nonNeg);
        off = add32(off, mul32(ix, a.strides[k]));
      } else {
        const site = this.mod.site(Code.ValueError, 'slice_step', p.span);
        const s = this.fresh('ss', 'i32'), len = this.fresh('sl', 'i32');
        this.emit({ k: 'setm', names: [s, len], call: call(this.mod.helper('slice'), null, a.shape[k], p.lo ?? i64(0), p.hi ?? i64(0), p.st ?? i64(1), i32(p.lo ? 1 : 0), i32(p.hi ? 1 : 0), i32(site)) });
        const stepE = p.st ? this.tmp(cvt('i64->i32', p.st)) : i32(1);
        off = add32(off, mul32(get(s, 'i32'), a.strides[k]));
        shape.push(get(len, 'i32'));
        strides.push(this.tmp(mul32(a.strides[k], stepE)));
      }
      k++;
    });
    for (; k < a.ndim; k++) { shape.push(a.shape[k]); strides.push(a.strides[k]); }
    const addr = this.tmp(add32(a.data, bin('shl', 'i32', off, i32(log2Size(a.dtype)))), 'addr');
    if (shape.length === 0) {
      if (forStore) return { k: 's', e: addr, dtype: a.dtype };
      raceAccess(this, addr, a, span, false);
      return { k: 's', e: load(vtOf(a.dtype), memOf(a.dtype), addr), dtype: a.dtype };
    }
    const view = this.makeView(a, addr, shape, strides);
    if (view.k === 'a') raceView(this, view.a.desc, a.desc, span);
    return view;
  }

  makeView(this: FnLowerer, of: ArrRef, data: Expr, shape: Expr[], strides: Expr[]): Val {
    const v = this.tmp(call(this.mod.helper('view'), 'i32', of.desc, data, i32(shape.length)), 'view');
    const shp: Expr[] = [], str: Expr[] = [];
    shape.forEach((n, k) => {
      const nn = this.tmp(n, 'n'), ss = this.tmp(strides[k], 's');
      this.emit({ k: 'store', mem: 'i32', addr: add32(v, i32(DESC.shape + 4 * k)), value: nn });
      this.emit({ k: 'store', mem: 'i32', addr: add32(v, i32(DESC.strides + 4 * k)), value: ss });
      shp.push(nn); str.push(ss);
    });
    const size = shp.reduce((acc: Expr, n) => mul32(acc, n), i32(1));
    this.emit({ k: 'store', mem: 'i32', addr: add32(v, i32(DESC.size)), value: size });
    return this.ownedArray({ desc: v, data: this.tmp(data), shape: shp, strides: str, dtype: of.dtype, ndim: shape.length });
  }

  assignSubscript(this: FnLowerer, t: A.Subscript, value: A.Expr): void {
    if (this.type(t.value).kind === 'list') return listSetItem(this, t, this.expr(value), value.span);
    if (isArrayIndex(this, t)) return assignArrayIndex(this, t, this.expr(value), this.isFresh(value));
    if (isMixedArrayIndex(this, t)) return assignMixed(this, t, this.expr(value), this.isFresh(value));
    const base = this.expr(t.value);
    if (base.k !== 'a') return;
    const parts = this.indexParts(this.indices(t));
    const ints = parts.filter((p) => p.k === 'int').length;
    if (ints === base.a.ndim && parts.length === base.a.ndim) {
      const addr = this.indexArr(base.a, parts, t.span, true);
      const v = this.expr(value);
      if (addr.k !== 's' || v.k !== 's') return;
      raceAccess(this, addr.e, base.a, t.span, true);
      this.emit({ k: 'store', mem: memOf(base.a.dtype), addr: addr.e, value: convert(v.e, v.dtype, base.a.dtype) });
      return;
    }
    const view = this.indexArr(base.a, parts, t.span, true);
    if (view.k !== 'a') return;
    this.storeInto(view.a, value, value.span);
  }

  /** dst[...] = value with broadcasting; value is fused into the store loop when it is elementwise
   * and does not read the array being written (NumPy evaluates the right side first). */
  storeInto(this: FnLowerer, dst: ArrRef, value: A.Expr, span: Span): void {
    const vt = this.type(value);
    if (vt.kind === 'scalar') {
      const v = this.expr(value);
      const e = this.tmp(this.scalarAs(v, vt.dtype, span));
      this.nest(dst.shape, [dst], span, (ptrs) => [{ k: 'store', mem: memOf(dst.dtype), addr: ptrs[0], value: convert(e, vt.dtype, dst.dtype) }], ARRAY_OP);
      return;
    }
    // NumPy evaluates the right side before writing. When a source array may share memory with the
    // destination (same owner) and is not the very same view, that is decided at run time: then the
    // value goes through a temporary; otherwise it is computed straight into the destination.
    if (this.isElementwise(value)) {
      const l = this.leavesOf(value);
      const overlap = [...l.leaves.values()].map((a) => this.mayOverlap(a, dst)).reduce<Expr | null>((acc, c) => (acc ? bin('or', 'i32', acc, c) : c), null);
      if (!overlap) { this.fusedInto(dst, value, span, l); return; }
      const viaTemp = this.block(() => {
        const tmp = this.elementwise(value, span, l) as { a: ArrRef };
        this.copyInto(dst, tmp.a, span);
      });
      const direct = this.block(() => this.fusedInto(dst, value, span, l));
      this.emit({ k: 'if', cond: overlap, then: viaTemp, else: direct });
      return;
    }
    const src = this.expr(value);
    if (src.k !== 'a') return;
    if (this.isFresh(value)) { this.copyInto(dst, src.a, span); return; }
    const viaTemp = this.block(() => {
      const tmp = this.alloc(src.a.dtype, src.a.shape);
      this.copyInto(tmp, src.a, span);
      this.copyInto(dst, tmp, span);
      this.emit({ k: 'release', desc: tmp.desc });
    });
    const direct = this.block(() => this.copyInto(dst, src.a, span));
    this.emit({ k: 'if', cond: this.mayOverlap(src.a, dst), then: viaTemp, else: direct });
  }

  /** Run-time test: a and b view the same buffer and are not the identical view. */
  mayOverlap(this: FnLowerer, a: ArrRef, b: ArrRef): Expr {
    const owner = (d: Expr) => select('i32', bin('ne', 'i32', load('i32', 'i32', add32(d, i32(DESC.base))), i32(0)), load('i32', 'i32', add32(d, i32(DESC.base))), d);
    const same = bin('eq', 'i32', owner(a.desc), owner(b.desc));
    if (a.ndim !== b.ndim) return same;
    let identical: Expr = bin('eq', 'i32', a.data, b.data);
    for (let k = 0; k < a.ndim; k++) identical = bin('and', 'i32', identical, bin('eq', 'i32', a.strides[k], b.strides[k]));
    return bin('and', 'i32', same, un('eqz', 'i32', identical));
  }

  /** Whether an array expression always yields a new array (not a view of an existing one). */
  isFresh(this: FnLowerer, e: A.Expr): boolean {
    if (this.isElementwise(e)) return true;
    if (e.kind === 'Binary' && e.op === '@') return true;
    if (e.kind === 'Call') {
      const r = this.inst.calls.get(e);
      if (r?.kind === 'builtin') return !['transpose', '.transpose', 'reshape', '.reshape', 'ravel', '.ravel'].includes(r.name);
    }
    return false;
  }

  copyInto(this: FnLowerer, dst: ArrRef, src: ArrRef, span: Span): void {
    this.checkBroadcastTo(dst.shape, [src], span, dst);
    this.nest(dst.shape, [dst, src], span, (ptrs) => [{ k: 'store', mem: memOf(dst.dtype), addr: ptrs[0], value: convert(load(vtOf(src.dtype), memOf(src.dtype), ptrs[1]), src.dtype, dst.dtype) }], ARRAY_OP);
  }

  /**
   * Emits a loop nest over `shape` (row-major). Each operand is broadcast to the shape (aligned
   * right, stride 0 where its extent is 1 or missing); `body` receives the element address of each
   * operand. Addresses advance by adding byte strides, so the innermost loop has no multiplications.
   * With `simd`, the innermost loop also gets a vector form (Note [SIMD loops] in vectorize.ts);
   * with `par`, a big nest runs on the team (Note [Parallel array operations]).
   *
   * Note [Parallel array operations]: a nest of at least PAR_MIN_ELEMS elements whose body cannot
   * fail (no traps, only pure calls) becomes a `parfor`: over the rows of the outermost dimension,
   * or, for one dimension, over chunks of PAR_CHUNK elements (a multiple of every SIMD width, so
   * chunks vectorize like the whole line). Each iteration computes its own start addresses from its
   * index. A reduction nest (`reduce`: integer sums and products, min, max, any, all) is a parfor
   * with those reductions, whose block-ordered fold (Note [Deterministic reductions]) is exact for
   * these operators. Smaller nests keep the serial loop, so they never pay for a fork; above the threshold the
   * parfor's cost model still decides, and inside parallel code the parfor runs serially. When each
   * element of the nest is a whole line of work (`lineCost` elements: an axis reduction), the
   * threshold counts that work, and 1-d chunks hold about PAR_CHUNK elements of it.
   */
  nest(this: FnLowerer, shape: Expr[], operands: ArrRef[], span: Span, body: (ptrs: Expr[], idx: Expr[]) => Stmt[], opts: { par?: boolean; simd?: boolean; reduce?: I.Reduction[]; lineCost?: Expr } = {}): void {
    const R = shape.length;
    if (R === 0) { const ptrs = operands.map((o) => o.data); for (const s of body(ptrs, [])) this.emit(s); return; }
    const bstrides = operands.map((o) => shape.map((_n, k) => {
      const ok = k - (R - o.ndim);
      if (ok < 0) return i32(0);
      const bytes = bin('shl', 'i32', o.strides[ok], i32(log2Size(o.dtype)));
      return this.tmp(select('i32', bin('eq', 'i32', o.shape[ok], i32(1)), i32(0), bytes), 'bs');
    }));
    const ptr = operands.map((o) => range(R + 1).map((k) => (k === 0 ? this.tmp(o.data, 'p') : get(this.fresh('p', 'i32'), 'i32'))));
    const pname = (j: number, k: number) => (ptr[j][k] as { name: string }).name;
    const idx = range(R).map(() => this.fresh('k', 'i32'));
    const inner = raceNestBody(this, cseBody(body(operands.map((_o, j) => ptr[j][R]), idx.map((n) => get(n, 'i32'))), (t) => this.fresh('t', t)), operands, operands.map((_o, j) => pname(j, R)), span);
    let vec: { body: VectorBody; lanes: number; pointers: Set<string> } | null = null;
    // Operands whose last extent is the constant 1 (x[:, None]) stay on one element along the innermost loop.
    const still = operands.map((o) => { const n = o.shape[o.ndim - 1]; return n.k === 'const' && Number(n.v) === 1; });
    if (opts.simd) {
      const pointers = new Set(operands.flatMap((_o, j) => (still[j] ? [] : [pname(j, R)])));
      const invariant = new Set(operands.flatMap((_o, j) => (still[j] ? [pname(j, R)] : [])));
      const lane = bodyLane(inner, pointers);
      const vectorMath = (fn: string, l: Lane) => {
        const m = l === 'f64' || l === 'f32' ? /^__m_(\w+)_f(64|32)$/.exec(fn) : null;
        const v = m ? mathVec(m[1], l === 'f64' ? 'f64x2' : 'f32x4') : null;
        return v ? this.mod.imp(v.name, v.params, v.result, NATIVE_MATH) : null;
      };
      const vb = lane && vectorizeBody(inner, { pointers, invariant, variant: new Set(idx), fresh: (t) => this.fresh('v', t), vectorMath }, lane);
      if (lane && vb) vec = { body: vb, lanes: laneCount(lane), pointers };
    }
    const contig = vec ? this.tmp(operands.map((o, j) => (still[j] ? i32(1) : bin('eq', 'i32', bstrides[j][R - 1], i32(ELEM_SIZE[o.dtype]))))
      .reduce((a, c) => bin('and', 'i32', a, c)), 'contig') : null;
    const setPtrs = (k: number, value: (j: number) => Expr): Stmt[] => operands.map((_o, j) => ({ k: 'set', name: pname(j, k), value: value(j) }));
    const advance = (level: number): Stmt[] => setPtrs(level + 1, (j) => add32(ptr[j][level + 1], bstrides[j][level]));
    // The innermost loop over [lo, hi), its pointers already at element lo: vector part, then the scalar rest.
    const innermost = (lo: Expr, hi: Expr): Stmt[] => {
      const scalar = (from: Expr): Stmt => ({ k: 'for', label: `n${this.n++}`, v: idx[R - 1], t: 'i32', start: from, stop: hi, step: i32(1), body: [...structuredClone(inner), ...advance(R - 1)] });
      if (!vec) return [scalar(lo)];
      const nv = this.fresh('nv', 'i32');
      return [
        { k: 'set', name: nv, value: select('i32', contig!, add32(lo, bin('and', 'i32', bin('sub', 'i32', hi, lo), i32(-vec.lanes))), lo) },
        ...vectorLoop(vec.body, {
          v: idx[R - 1], lo, end: get(nv, 'i32'), lanes: vec.lanes, pointers: vec.pointers, fresh: (t) => this.fresh('v', t), label: () => `v${this.n++}`,
          advance: (k) => setPtrs(R, (j) => (still[j] ? ptr[j][R] : add32(ptr[j][R], i32(ELEM_SIZE[operands[j].dtype] * vec!.lanes * k)))),
        }),
        scalar(get(nv, 'i32')),
      ];
    };
    // The loop over `level` and everything inside it, pointers starting at ptr[.][level].
    const loopAt = (level: number): Stmt[] => {
      const init = setPtrs(level + 1, (j) => ptr[j][level]);
      if (level === R - 1) return [...init, ...innermost(i32(0), shape[level])];
      return [...init, { k: 'for', label: `n${this.n++}`, v: idx[level], t: 'i32', start: i32(0), stop: shape[level], step: i32(1), body: [...loopAt(level + 1), ...advance(level)] }];
    };
    if (!opts.par || !pureBody(inner, false, (fn) => this.mod.teamCalls.has(fn))) { for (const s of loopAt(0)) this.emit(s); return; }
    const total = shape.reduce((acc: Expr, n) => mul32(acc, n), i32(1));
    const cost = opts.lineCost ? this.tmp(select('i32', bin('gt_s', 'i32', opts.lineCost, i32(1)), opts.lineCost, i32(1)), 'lc') : null;
    const work = cost ? bin('mul', 'i64', cvt('i32->i64', total), cvt('i32->i64', cost)) : cvt('i32->i64', total);
    const chunkN = cost ? this.tmp(select('i32', bin('gt_s', 'i32', cost, i32(PAR_CHUNK)), i32(1), bin('div_s', 'i32', i32(PAR_CHUNK), cost)), 'ch') : i32(PAR_CHUNK);
    const line = this.mod.line(span);
    const parfor = (v: string, stop: Expr, body: Stmt[]): Stmt => ({
      k: 'parfor', label: `pn${this.n++}`, v, t: 'i32', start: i32(0), stop, step: i32(1), body,
      schedule: 'static', chunk: null, numThreads: null, useIf: null, reductions: opts.reduce ?? [], line,
    });
    let par: Stmt;
    if (R === 1) {
      const c = this.fresh('c', 'i32'), lo = this.fresh('lo', 'i32'), hi = this.fresh('hi', 'i32');
      const n = this.tmp(shape[0]);
      par = parfor(c, bin('div_s', 'i32', add32(n, bin('sub', 'i32', chunkN, i32(1))), chunkN), [
        { k: 'set', name: lo, value: mul32(get(c, 'i32'), chunkN) },
        { k: 'set', name: hi, value: add32(get(lo, 'i32'), chunkN) },
        { k: 'set', name: hi, value: select('i32', bin('lt_s', 'i32', n, get(hi, 'i32')), n, get(hi, 'i32')) },
        ...setPtrs(1, (j) => add32(ptr[j][0], mul32(get(lo, 'i32'), bstrides[j][0]))),
        ...innermost(get(lo, 'i32'), get(hi, 'i32')),
      ]);
    } else {
      par = parfor(idx[0], shape[0], [...setPtrs(1, (j) => add32(ptr[j][0], mul32(get(idx[0], 'i32'), bstrides[j][0]))), ...loopAt(1)]);
    }
    this.emit({ k: 'if', cond: bin('ge_s', 'i64', work, i64(PAR_MIN_ELEMS)), then: [par], else: loopAt(0) });
  }

  /** Broadcast shape of operands of rank R, with a run-time check that the extents agree. */
  broadcastShape(this: FnLowerer, R: number, ops: ArrRef[], span: Span): Expr[] {
    const shape: Expr[] = [];
    for (let k = 0; k < R; k++) {
      const n = this.fresh('bn', 'i32');
      this.set(n, i32(1));
      for (const o of ops) {
        const ok = k - (R - o.ndim);
        if (ok < 0) continue;
        this.set(n, select('i32', bin('ne', 'i32', o.shape[ok], i32(1)), o.shape[ok], get(n, 'i32')));
      }
      shape.push(get(n, 'i32'));
    }
    this.checkBroadcastTo(shape, ops, span);
    return shape;
  }

  checkBroadcastTo(this: FnLowerer, shape: Expr[], ops: ArrRef[], span: Span, dst?: ArrRef): void {
    const R = shape.length;
    for (const o of ops) {
      if (o.ndim > R) continue;
      let bad: Expr | null = null;
      for (let k = 0; k < o.ndim; k++) {
        const ok = o.shape[k], n = shape[k + R - o.ndim];
        const c = bin('and', 'i32', bin('ne', 'i32', ok, n), bin('ne', 'i32', ok, i32(1)));
        bad = bad ? bin('or', 'i32', bad, c) : c;
      }
      if (!bad) continue;
      const site = this.mod.site(Code.ShapeMismatch, dst ? 'assign_broadcast' : 'broadcast', span);
      const other = (ops.find((x) => x !== o) ?? o);
      const [a, b] = dst ? [o.desc, dst.desc] : ops.indexOf(other) < ops.indexOf(o) ? [other.desc, o.desc] : [o.desc, other.desc];
      this.emit({ k: 'if', cond: bad, then: [this.trap(this.mod.imp('err_shape', ['i32', 'i32', 'i32'], null), i32(site), a, b)], else: [] });
    }
  }

  /** A new C-contiguous array, zero-filled unless `uninit` (the caller then writes every element). */
  alloc(this: FnLowerer, dtype: DType, shape: Expr[], uninit = false): ArrRef {
    const d = this.fresh('arr', 'i32');
    const shp = shape.map((s) => this.tmp(s, 'n'));
    const site = this.at ? this.mod.site(Code.MemoryError, 'alloc', this.at, dtype) : -1;
    this.emit({ k: 'alloc', name: d, ndim: shp.length, dtypeCode: DTYPE_CODE[dtype], elemSize: ELEM_SIZE[dtype], shape: shp, site, ...(uninit ? { uninit } : {}) });
    raceFresh(this, get(d, 'i32'));
    return { desc: get(d, 'i32'), data: this.tmp(load('i32', 'i32', add32(get(d, 'i32'), i32(DESC.data))), 'data'), dtype, ndim: shp.length, shape: shp, strides: this.contiguousStrides(shp) };
  }

  /** The element strides of a C-contiguous array of this shape. */
  contiguousStrides(this: FnLowerer, shape: Expr[]): Expr[] {
    const strides: Expr[] = [];
    let acc: Expr = i32(1);
    for (let k = shape.length - 1; k >= 0; k--) { strides.unshift(acc); acc = k > 0 ? this.tmp(mul32(acc, shape[k]), 's') : acc; }
    return strides;
  }
}
