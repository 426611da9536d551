// Calls of builtins and NumPy functions that make arrays: creation (zeros, arange, linspace, array
// literals), reshape and views, astype, matmul/dot; the rest of the library is dispatched to
// library.ts, numpy.ts, lists.ts, strings.ts and random.ts.
import type * as A from '../../language/ast.js';
import { Code } from '../../language/diagnostics.js';
import { ABSTRACT_DTYPES, EXCEPTIONS, LIBRARY_FNS, NUMPY_EXTRA, STATS_FNS, FILE_FNS } from '../../language/builtins.js';
import { fileCall } from './files.js';
import { quantileCall } from './quantiles.js';
import { axesArgs, permutation, staticDtype } from '../../language/check-numpy.js';
import { fmtTrap, libraryCall, maxMinOfMany, ufuncArgs } from './library.js';
import { mathCall } from './math-calls.js';
import { numpyMore } from './numpy-misc.js';
import { arrangementCall } from './arrangement.js';
import { interpCall } from './interp.js';
import { ARRANGEMENT_FNS } from '../../language/check-arrangement.js';
import type { Span } from '../../language/source.js';
import { type DType, isFloat, isInt, type Type } from '../../language/types.js';
import { ELEM_SIZE } from '../../runtime/layout.js';
import { CTRL } from '../../runtime/protocol.js';
import type * as I from '../ir.js';
import { arrayOfList, lengthOf, listCall, listMethod, listReduce, rangeValue, splitString, toList } from './lists.js';
import { numpyExtra } from './numpy.js';
import { randomCall } from './random-calls.js';
import { parseString, strBuiltin, strNumber } from './strings.js';
import { add32, bin, call, convert, cst, cvt, f64, get, i32, i64, load, log2Size, memOf, mul32, select, un, vtOf } from '../ir-build.js';
import { ARRAY_OP, type ArrRef, isUfunc, type Val } from './values.js';
import { complexCall } from './complex.js';
import type { FnLowerer } from './function.js';

type Expr = I.Expr;
type Stmt = I.Stmt;
type VT = I.VT;

export class CallLowering {
  builtinCall(this: FnLowerer, e: A.Call, name: string, self: A.Expr | null, t: Type): Val {
    const rdt = (t as { dtype?: DType }).dtype ?? 'float64';
    const cx = complexCall(this, e, name);
    if (cx) return cx;
    if (name.startsWith('astype:') && e.args[0] && this.type(e.args[0]).kind === 'str') return parseString(this, e, name.slice('astype:'.length) as DType);
    if (isUfunc(name) || name.startsWith('astype:') || name === 'where' || name === 'clip' || name === 'max2' || name === 'min2') {
      // Scalar case (array case went through elementwise()).
      return this.builtinScalar(name, ufuncArgs(e).map((a) => this.expr(a)), rdt, e);
    }
    if (EXCEPTIONS.has(name)) return { k: 'exc', name, msg: e.args[0]?.kind === 'Str' ? e.args[0].value : '', ...(e.args[0] && e.args[0].kind !== 'Str' ? { dyn: e.args[0] } : {}) };
    if (name === '.s:split') return splitString(this, e, self!);
    if (['str', 'repr', 'ascii', 'format'].includes(name) || name.startsWith('.s:')) return strBuiltin(this, e, name, self);
    if (name.startsWith('.l:')) return listMethod(this, e, name.slice(3), self!);
    if (name.startsWith('random.') || name.startsWith('.rng:')) return randomCall(this, e, name, self, t);
    if (name.startsWith('list:')) return listReduce(this, e, name.slice(5), t);
    if (name === 'list' || name === 'sorted') return listCall(this, e, name, t);
    if (name === '.tolist') return toList(this, self!, t);
    if (name === 'range') return rangeValue(this, e);
    if ((name === 'array' || name === 'asarray') && e.args[0] && this.cur.types.get(e.args[0])?.kind === 'list') return arrayOfList(this, e, t);
    const args = self ? [self, ...e.args] : e.args;
    const fname = self ? name.slice(1) : name;
    if (name.startsWith('math.')) return mathCall(this, e, name.slice(5));
    if (ARRANGEMENT_FNS.has(name)) return arrangementCall(this, e, fname, args, t);
    if (name === 'interp') return interpCall(this, e);
    if (['divmod', 'np.divmod', 'roll', 'meshgrid', 'bincount', 'allclose', 'nonzero', 'linalg.norm'].includes(fname)) return numpyMore(this, e, fname, args, t);
    if (name.startsWith('tuple:') || NUMPY_EXTRA.has(fname)) return numpyExtra(this, e, fname, args, t);
    if (STATS_FNS.has(fname)) return quantileCall(this, e, fname as 'median', t);
    if (FILE_FNS.has(fname)) return fileCall(this, e, fname, t);
    switch (fname) {
      case 'print': this.print(e, false); return { k: 'none' };
      case 'p.print': this.print(e, true); return { k: 'none' };
      case 'maxN': case 'minN': return maxMinOfMany(this, e, fname, rdt);
      case 'p.barrier': {
        const team = this.expr((e.func as A.Attribute).value) as { k: 'team'; nt: Expr };
        this.emit({ k: 'expr', e: call('__barrier', null, cvt('i64->i32', team.nt)) });
        return { k: 'none' };
      }
      case 'len': {
        const v = this.expr(e.args[0]);
        if (v.k === 't') return { k: 's', e: i64(v.items.length), dtype: 'int64' };
        if (v.k === 'str') return { k: 's', e: i64(Array.from(v.text).length), dtype: 'int64' };
        if (this.type(e.args[0]).kind === 'str') return { k: 's', e: strNumber(this, 'len', v, e.span), dtype: 'int64' };
        if (['list', 'range'].includes(this.type(e.args[0]).kind)) return { k: 's', e: lengthOf(this, v, this.type(e.args[0])), dtype: 'int64' };
        if (v.k === 'a') return { k: 's', e: cvt('i32->i64', v.a.shape[0]), dtype: 'int64' };
        return { k: 'none' };
      }
      case 'wtime': return { k: 's', e: call(this.mod.imp('wtime', [], 'f64'), 'f64'), dtype: 'float64' };
      case 'imshow': {
        const v = this.expr(e.args[0]) as { a: ArrRef };
        const site = this.mod.site(Code.Raised, 'imshow', e.span);
        this.emit({ k: 'expr', e: call(this.mod.imp('imshow', ['i32', 'i32'], null), null, v.a.desc, i32(site)) });
        return { k: 'none' };
      }
      case 'shape': { const v = this.expr(e.args[0]) as { a: ArrRef }; return { k: 't', items: v.a.shape.map((n) => ({ k: 's', e: cvt('i32->i64', n), dtype: 'int64' as DType })) }; }
      case 'ndim': { const v = this.expr(e.args[0]) as { a: ArrRef }; return { k: 's', e: i64(v.a.ndim), dtype: 'int64' }; }
      case 'size': { const v = this.expr(e.args[0]) as { a: ArrRef }; return { k: 's', e: cvt('i32->i64', v.a.shape.reduce((acc: Expr, n) => mul32(acc, n), i32(1))), dtype: 'int64' }; }
      case 'zeros': case 'empty': case 'ones': case 'full': {
        const shape = this.shapeExprs(e.args[0]);
        // zeros too is filled by a (parallel, SIMD) loop rather than the allocator's serial memory.fill.
        const a = this.alloc(rdt, shape, fname !== 'empty');
        if (fname === 'zeros') this.fill(a, cst(vtOf(rdt), 0), e.span);
        if (fname === 'ones') this.fill(a, convert(cst(vtOf('int64'), 1), 'int64', rdt), e.span);
        if (fname === 'full') {
          const fv = e.args[1] ?? this.kwOf(e, 'fill_value')!;
          const v = this.expr(fv) as { e: Expr; dtype: DType };
          this.fill(a, convert(v.e, v.dtype, rdt), e.span);
        }
        return this.ownedArray(a);
      }
      case 'zeros_like': case 'ones_like': case 'empty_like': case 'full_like': {
        const src = this.expr(e.args[0]) as { a: ArrRef };
        const a = this.alloc(rdt, src.a.shape);
        if (fname === 'ones_like') this.fill(a, convert(i64(1), 'int64', rdt), e.span);
        if (fname === 'full_like') { const v = this.expr(e.args[1]) as { e: Expr; dtype: DType }; this.fill(a, convert(v.e, v.dtype, rdt), e.span); }
        return this.ownedArray(a);
      }
      case 'eye': {
        const n = this.shapeExprs(e.args[0])[0];
        const mE = e.args[1] ?? this.kwOf(e, 'M');
        const m = mE ? this.shapeExprs(mE)[0] : n;
        const kE = this.kwOf(e, 'k');
        const k = kE ? this.tmp(cvt('i64->i32', convert((this.expr(kE) as { e: Expr }).e, (this.type(kE) as { dtype: DType }).dtype, 'int64'))) : i32(0);
        const a = this.alloc(rdt, [n, m]);
        const i = this.fresh('i', 'i32');
        const col = add32(get(i, 'i32'), k);
        const cond = bin('and', 'i32', bin('ge_s', 'i32', col, i32(0)), bin('lt_s', 'i32', col, a.shape[1]));
        this.emit({ k: 'for', label: `eye${this.n++}`, v: i, t: 'i32', start: i32(0), stop: a.shape[0], step: i32(1), body: [
          { k: 'if', cond, then: [{ k: 'store', mem: memOf(rdt), addr: add32(a.data, bin('shl', 'i32', add32(mul32(get(i, 'i32'), a.strides[0]), col), i32(log2Size(rdt)))), value: convert(i64(1), 'int64', rdt) }], else: [] },
        ] });
        return this.ownedArray(a);
      }
      case 'arange': return this.arange(e, rdt);
      case 'linspace': return this.linspace(e, rdt);
      case 'array': case 'asarray': {
        const a0 = e.args[0];
        if (a0.kind !== 'List' && a0.kind !== 'Tuple') {
          const src = this.expr(a0) as { a: ArrRef; owned: boolean };
          // asarray of an array of the same dtype is that array, not a copy.
          if (fname === 'asarray' && src.a.dtype === rdt) return src as Val;
          const a = this.alloc(rdt, src.a.shape);
          this.copyInto(a, src.a, e.span);
          return this.ownedArray(a);
        }
        return this.arrayLiteral(a0, rdt, (t as { ndim: number }).ndim);
      }
      case 'copy': {
        const src = this.expr(args[0]) as { a: ArrRef };
        const a = this.alloc(src.a.dtype, src.a.shape);
        this.copyInto(a, src.a, e.span);
        return this.ownedArray(a);
      }
      case '.fill': {
        const dst = this.expr(self!) as { a: ArrRef };
        const v = this.expr(e.args[0]) as { e: Expr; dtype: DType };
        this.fill(dst.a, convert(v.e, v.dtype, dst.a.dtype), e.span);
        return { k: 'none' };
      }
      case 'fill': {
        const dst = this.expr(self!) as { a: ArrRef };
        const v = this.expr(e.args[0]) as { e: Expr; dtype: DType };
        this.fill(dst.a, convert(v.e, v.dtype, dst.a.dtype), e.span);
        return { k: 'none' };
      }
      case 'transpose': case 'swapaxes': case 'moveaxis': {
        const src = this.expr(args[0]) as { a: ArrRef };
        const perm = permutation(fname, src.a.ndim, axesArgs(e, fname, self !== null)) as number[];
        return this.makeView(src.a, src.a.data, perm.map((k) => src.a.shape[k]), perm.map((k) => src.a.strides[k]));
      }
      case 'dtype': return { k: 'dtype', dtype: rdt };
      case 'issubdtype': {
        const [a, b] = e.args.map((x) => this.type(x));
        const da = staticDtype(e.args[0], a)!;
        const sub = b.kind === 'builtin' && b.name.startsWith('abstract:') ? ABSTRACT_DTYPES[b.name.slice('abstract:'.length)](da) : da === staticDtype(e.args[1], b);
        return { k: 's', e: i32(sub ? 1 : 0), dtype: 'bool' };
      }
      case 'get_num_threads': return { k: 's', e: cvt('i32->i64', load('i32', 'i32', i32(CTRL.numThreads))), dtype: 'int64' };
      case 'get_thread_id': case 'threadid': return { k: 's', e: cvt('i32->i64', call(this.mod.imp('thread_id', [], 'i32'), 'i32')), dtype: 'int64' };
      case 'set_num_threads': {
        const v = this.expr(e.args[0]) as { e: Expr; dtype: DType };
        const n = this.tmp(convert(v.e, v.dtype, 'int64'));
        const site = this.mod.site(Code.ValueError, 'num_threads', e.span);
        const bad = bin('or', 'i32', bin('lt_s', 'i64', n, i64(1)), bin('gt_s', 'i64', n, cvt('i32->i64', load('i32', 'i32', i32(CTRL.teamSize)))));
        this.emit({ k: 'if', cond: bad, then: [this.trap(this.mod.imp('err_value', ['i32'], null), i32(site))], else: [] });
        this.emit({ k: 'store', mem: 'i32', addr: i32(CTRL.numThreads), value: cvt('i64->i32', n) });
        return { k: 'none' };
      }
      case 'ravel': case 'reshape': return this.reshape(e, args, fname, t);
      case 'astype': {
        const src = this.expr(self!) as { a: ArrRef };
        const a = this.alloc(rdt, src.a.shape);
        this.copyInto(a, src.a, e.span);
        return this.ownedArray(a);
      }
      case 'dot': case 'matmul': {
        if (this.type(args[0]).kind === 'scalar' || this.type(args[1]).kind === 'scalar') {
          // dot with a scalar is multiplication (NumPy).
          const mul: A.Binary = { kind: 'Binary', op: '*', left: args[0], right: args[1], span: e.span };
          this.inst.types.set(mul, t);
          return this.expr(mul);
        }
        return this.matmul(this.expr(args[0]), this.expr(args[1]), t, e.span, fname === 'dot');
      }
      case 'outer': {
        const a = this.expr(e.args[0]) as { a: ArrRef }, b = this.expr(e.args[1]) as { a: ArrRef };
        const fa = this.flatView(a.a), fb = this.flatView(b.a);
        const out = this.alloc(rdt, [fa.shape[0], fb.shape[0]]);
        const colA: ArrRef = { ...fa, ndim: 2, shape: [fa.shape[0], i32(1)], strides: [fa.strides[0], i32(0)] };
        this.nest(out.shape, [out, colA, fb], e.span, (p) => [{ k: 'store', mem: memOf(rdt), addr: p[0], value: bin('mul', vtOf(rdt), convert(load(vtOf(fa.dtype), memOf(fa.dtype), p[1]), fa.dtype, rdt), convert(load(vtOf(fb.dtype), memOf(fb.dtype), p[2]), fb.dtype, rdt)) }]);
        return this.ownedArray(out);
      }
      case 'atomic_add': case 'atomic_max': case 'atomic_min': {
        const a = this.expr(e.args[0]) as { a: ArrRef };
        const iv = this.expr(e.args[1]);
        const idxVals = iv.k === 't' ? iv.items : [iv];
        const parts = idxVals.map((x) => ({ k: 'int' as const, e: this.tmp(convert((x as { e: Expr }).e, (x as { dtype: DType }).dtype, 'int64')), span: e.args[1].span }));
        const addr = this.indexArr(a.a, parts, e.span, true) as { e: Expr };
        const v = this.expr(e.args[2]) as { e: Expr; dtype: DType };
        const d = a.a.dtype, vt = vtOf(d);
        const old = this.fresh('old', vt);
        const nv = this.tmp(convert(v.e, v.dtype, d));
        const at = this.tmp(addr.e);
        if (fname === 'atomic_add' && isInt(d)) {
          this.set(old, { k: 'atomic', t: vt, mem: memOf(d), op: 'add', addr: at, value: nv });
          return { k: 's', e: get(old, vt), dtype: d };
        }
        // Floats, bools, min and max: compare-and-swap on the element's bits until no other
        // thread changed it in between.
        const bt: VT = vt === 'f64' || vt === 'i64' ? 'i64' : 'i32';
        const bmem = d === 'bool' ? 'u8' : bt;
        const toBits = (x: Expr) => (vt === 'f64' ? cvt('bits:f64->i64', x) : vt === 'f32' ? cvt('bits:f32->i32', x) : x);
        const fromBits = (x: Expr) => (vt === 'f64' ? cvt('bits:i64->f64', x) : vt === 'f32' ? cvt('bits:i32->f32', x) : x);
        const seen = this.fresh('seen', bt);
        const label = `cas${this.n++}`;
        const upd = fname === 'atomic_add' ? (d === 'bool' ? bin('or', 'i32', get(old, vt), nv) : bin('add', vt, get(old, vt), nv))
          : (this.builtinScalar(fname === 'atomic_max' ? 'maximum' : 'minimum', [{ k: 's', e: get(old, vt), dtype: d }, { k: 's', e: nv, dtype: d }], d, e) as { e: Expr }).e;
        this.emit({ k: 'while', label, cond: i32(1), body: [
          { k: 'set', name: seen, value: { k: 'load', t: bt, mem: bmem, addr: at, atomic: true } },
          { k: 'set', name: old, value: fromBits(get(seen, bt)) },
          { k: 'if', cond: bin('eq', bt, { k: 'cmpxchg', t: bt, mem: bmem, addr: at, expected: get(seen, bt), replacement: toBits(upd) }, get(seen, bt)), then: [{ k: 'break', label }], else: [] },
        ] });
        return { k: 's', e: get(old, vt), dtype: d };
      }
    }
    if (['sum', 'prod', 'min', 'max', 'mean', 'argmin', 'argmax', 'any', 'all', 'count_nonzero', 'std', 'var'].includes(fname)) return this.reduce(e, fname, args[0], t);
    if (LIBRARY_FNS.has(fname)) return libraryCall(this, e, fname, args, self !== null, t);
    throw new Error(`internal: builtin ${name} not lowered`);
  }

  flatView(this: FnLowerer, a: ArrRef): ArrRef {
    if (a.ndim === 1) return a;
    const c = this.contiguousCopy(a);
    return { ...c, ndim: 1, shape: [this.tmp(c.shape.reduce((acc: Expr, n) => mul32(acc, n), i32(1)))], strides: [i32(1)] };
  }

  contiguousCopy(this: FnLowerer, a: ArrRef, dtype: DType = a.dtype): ArrRef {
    const c = this.alloc(dtype, a.shape);
    this.copyInto(c, a, { start: 0, end: 0 });
    this.ownedArray(c);
    return c;
  }

  reshape(this: FnLowerer, e: A.Call, args: A.Expr[], fname: string, t: Type, evaluated?: Val): Val {
    const src = (evaluated ?? this.expr(args[0])) as { a: ArrRef };
    const nd = (t as { ndim: number }).ndim;
    let dims: Expr[];
    const size = this.tmp(src.a.shape.reduce((acc: Expr, n) => mul32(acc, n), i32(1)));
    if (fname === 'ravel') dims = [size];
    else {
      const rest = args.slice(1);
      const vals: Val[] = rest.length === 1 ? ((v) => (v.k === 't' ? v.items : [v]))(this.expr(rest[0])) : rest.map((x) => this.expr(x));
      const raw = vals.map((v) => this.tmp(cvt('i64->i32', convert((v as { e: Expr }).e, (v as { dtype: DType }).dtype, 'int64'))));
      // One -1 is inferred from the size.
      const known = raw.reduce((acc: Expr, n) => mul32(acc, select('i32', bin('eq', 'i32', n, i32(-1)), i32(1), n)), i32(1));
      const kn = this.tmp(known);
      dims = raw.map((n) => this.tmp(select('i32', bin('eq', 'i32', n, i32(-1)), select('i32', kn, bin('div_s', 'i32', size, select('i32', kn, kn, i32(1))), i32(0)), n)));
      const prod = dims.reduce((acc: Expr, n) => mul32(acc, n), i32(1));
      const site = this.mod.site(Code.ValueError, 'reshape', e.span);
      this.emit({ k: 'if', cond: bin('ne', 'i32', prod, size), then: [this.trap(this.mod.imp('err_reshape', ['i32', 'i32', 'i32'], null), i32(site), src.a.desc, size)], else: [] });
    }
    // A view when the source is C-contiguous; otherwise a contiguous copy first.
    let contiguous: Expr = i32(1);
    let expect: Expr = i32(1);
    for (let k = src.a.ndim - 1; k >= 0; k--) {
      contiguous = bin('and', 'i32', contiguous, bin('or', 'i32', bin('eq', 'i32', src.a.strides[k], expect), bin('le_s', 'i32', src.a.shape[k], i32(1))));
      expect = mul32(expect, src.a.shape[k]);
    }
    const base = this.fresh('rsb', 'i32'), data = this.fresh('rsd', 'i32');
    const copy = this.block(() => {
      const c = this.alloc(src.a.dtype, src.a.shape);
      this.copyInto(c, src.a, e.span);
      this.set(base, c.desc); this.set(data, c.data);
    });
    this.emit({ k: 'if', cond: contiguous, then: [{ k: 'retain', desc: src.a.desc }, { k: 'set', name: base, value: src.a.desc }, { k: 'set', name: data, value: src.a.data }], else: copy });
    const strides: Expr[] = [];
    let acc: Expr = i32(1);
    for (let k = nd - 1; k >= 0; k--) { strides.unshift(acc); acc = this.tmp(mul32(acc, dims[k])); }
    const baseRef: ArrRef = { desc: get(base, 'i32'), data: get(data, 'i32'), shape: [], strides: [], dtype: src.a.dtype, ndim: 0 };
    const v = this.makeView(baseRef, get(data, 'i32'), dims, strides);
    this.emit({ k: 'release', desc: get(base, 'i32') });
    return v;
  }

  arange(this: FnLowerer, e: A.Call, rdt: DType): Val {
    const vals = e.args.map((a) => this.expr(a) as { e: Expr; dtype: DType });
    const isF = vals.some((v) => isFloat(v.dtype)) || isFloat(rdt);
    const cd: DType = isF ? 'float64' : 'int64';
    const conv = (v: { e: Expr; dtype: DType }) => this.tmp(convert(v.e, v.dtype, cd));
    const [start, stop, step] = vals.length === 1 ? [cst(vtOf(cd), 0), conv(vals[0]), cst(vtOf(cd), 1)] : vals.length === 2 ? [conv(vals[0]), conv(vals[1]), cst(vtOf(cd), 1)] : [conv(vals[0]), conv(vals[1]), conv(vals[2])];
    const site = this.mod.site(Code.ValueError, 'arange_step', e.span);
    this.emit({ k: 'if', cond: bin('eq', vtOf(cd), step, cst(vtOf(cd), 0)), then: [this.trap(this.mod.imp('err_value', ['i32'], null), i32(site))], else: [] });
    let len: Expr;
    if (isF) len = cvt('f64->i32', un('ceil', 'f64', bin('div', 'f64', bin('sub', 'f64', stop, start), step)));
    else {
      const num = bin('sub', 'i64', stop, start);
      // ceil((stop - start) / step) for either sign of step
      const q = bin('div_s', 'i64', bin('add', 'i64', num, bin('sub', 'i64', step, select('i64', bin('gt_s', 'i64', step, i64(0)), i64(1), i64(-1)))), step);
      len = cvt('i64->i32', q);
    }
    const n = this.tmp(select('i32', bin('gt_s', 'i32', len, i32(0)), len, i32(0)));
    const a = this.alloc(rdt, [n], true);
    this.nest(a.shape, [a], e.span, (p, [i]) => {
      const x = isF ? bin('add', 'f64', start, bin('mul', 'f64', cvt('i32->f64', i), step)) : bin('add', 'i64', start, bin('mul', 'i64', cvt('i32->i64', i), step));
      return [{ k: 'store', mem: memOf(rdt), addr: p[0], value: convert(x, cd, rdt) }];
    }, ARRAY_OP);
    return this.ownedArray(a);
  }

  linspace(this: FnLowerer, e: A.Call, rdt: DType): Val {
    const f = (x: A.Expr) => { const v = this.expr(x) as { e: Expr; dtype: DType }; return this.tmp(convert(v.e, v.dtype, 'float64')); };
    const start = f(e.args[0]), stop = f(e.args[1]);
    const numE = e.args[2] ?? this.kwOf(e, 'num');
    const num64 = numE ? this.tmp(convert((this.expr(numE) as { e: Expr }).e, (this.type(numE) as { dtype: DType }).dtype, 'int64')) : i64(50);
    this.emit({ k: 'if', cond: bin('lt_s', 'i64', num64, i64(0)), then: [fmtTrap(this, 'ValueError', 'Number of samples, {0}, must be non-negative.', (numE ?? e).span, num64)], else: [] });
    const num = this.tmp(cvt('i64->i32', num64));
    const epE = this.kwOf(e, 'endpoint');
    const endpoint = epE ? this.tmp(this.cond(epE)) : i32(1);
    const div = this.tmp(select('i32', endpoint, bin('sub', 'i32', num, i32(1)), num));
    // With one point (div == 0) NumPy returns [start]: use step 0 rather than (stop-start)/0.
    const step = this.tmp(select('f64', div, bin('div', 'f64', bin('sub', 'f64', stop, start), cvt('i32->f64', div)), f64(0)));
    const a = this.alloc(rdt, [num], true);
    const at = (ix: Expr) => add32(a.data, bin('shl', 'i32', ix, i32(log2Size(rdt))));
    // NumPy floors the points before casting to an integer dtype (a cast alone would truncate).
    const cast = (x: Expr) => convert(rdt === 'int32' || rdt === 'int64' ? un('floor', 'f64', x) : x, 'float64', rdt);
    this.nest(a.shape, [a], e.span, (p, [i]) => [
      { k: 'store', mem: memOf(rdt), addr: p[0], value: cast(bin('add', 'f64', start, bin('mul', 'f64', cvt('i32->f64', i), step))) },
    ], ARRAY_OP);
    this.emit({ k: 'if', cond: bin('and', 'i32', endpoint, bin('gt_s', 'i32', num, i32(1))), then: [{ k: 'store', mem: memOf(rdt), addr: at(bin('sub', 'i32', num, i32(1))), value: cast(stop) }], else: [] });
    return this.ownedArray(a);
  }

  arrayLiteral(this: FnLowerer, lit: A.ListExpr | A.TupleExpr, rdt: DType, ndim: number): Val {
    const shape: number[] = [];
    let x: A.Expr = lit;
    for (let k = 0; k < ndim; k++) { const l = x as A.ListExpr; shape.push(l.elts.length); x = l.elts[0]; }
    const a = this.alloc(rdt, shape.map((n) => i32(n)));
    let idx = 0;
    const walk = (node: A.Expr, depth: number) => {
      if (depth === ndim) {
        const v = this.expr(node) as { e: Expr; dtype: DType };
        this.emit({ k: 'store', mem: memOf(rdt), addr: add32(a.data, i32(idx * ELEM_SIZE[rdt])), value: convert(v.e, v.dtype, rdt) });
        idx++;
        return;
      }
      for (const c of (node as A.ListExpr).elts) walk(c, depth + 1);
    };
    walk(lit, 0);
    return this.ownedArray(a);
  }

  matmul(this: FnLowerer, lv: Val, rv: Val, t: Type, span: Span, isDot = false): Val {
    if (lv.k !== 'a' || rv.k !== 'a') {
      return this.binaryScalar('*', lv, rv, (t as { dtype: DType }).dtype, span, { kind: 'scalar', dtype: (lv as { dtype: DType }).dtype, weak: false }, { kind: 'scalar', dtype: (rv as { dtype: DType }).dtype, weak: false });
    }
    const a = lv.a, b = rv.a;
    const d = (t as { dtype: DType }).dtype;
    const vt = vtOf(d);
    const site = this.mod.site(Code.ShapeMismatch, 'matmul', span);
    const kA = a.shape[a.ndim - 1], kB = b.shape[0];
    this.emit({ k: 'if', cond: bin('ne', 'i32', kA, kB), then: [this.trap(this.mod.imp('err_shape', ['i32', 'i32', 'i32'], null), i32(site), a.desc, b.desc)], else: [] });
    const el = (x: ArrRef, ...ix: Expr[]) => convert(load(vtOf(x.dtype), memOf(x.dtype), add32(x.data, bin('shl', 'i32', ix.reduce((acc: Expr, v, k) => add32(acc, mul32(v, x.strides[k])), i32(0)), i32(log2Size(x.dtype))))), x.dtype, d);
    const loopK = (label: string, body: Stmt[], kv: string): Stmt => ({ k: 'for', label, v: kv, t: 'i32', start: i32(0), stop: kA, step: i32(1), body });
    if ((d === 'float64' || d === 'float32') && a.dtype === d && b.dtype === d && (a.ndim === 2 || b.ndim === 2)) return this.blockedMatmul(a, b, d, span);
    if (a.ndim === 1 && b.ndim === 1 && (d === 'float64' || d === 'float32') && a.dtype === d && b.dtype === d) {
      const s = this.dotLine(a, b, vt);
      return { k: 's', e: this.tmp(isDot ? s : bin('add', vt, cst(vt, 0), s)), dtype: d };
    }
    if (a.ndim === 1 && b.ndim === 1) {
      const acc = this.fresh('acc', vt), kv = this.fresh('k', 'i32');
      this.set(acc, cst(vt, 0));
      this.emit(loopK(`dot${this.n++}`, [{ k: 'set', name: acc, value: bin('add', vt, get(acc, vt), bin('mul', vt, el(a, get(kv, 'i32')), el(b, get(kv, 'i32')))) }], kv));
      return { k: 's', e: get(acc, vt), dtype: d };
    }
    if (a.ndim === 2 && b.ndim === 2) {
      // i-k-j order: the inner loop walks rows of b and out contiguously.
      const out = this.alloc(d, [a.shape[0], b.shape[1]]);
      const iv = this.fresh('i', 'i32'), kv = this.fresh('k', 'i32'), jv = this.fresh('j', 'i32'), aik = this.fresh('aik', vt);
      const o = (i: Expr, j: Expr) => add32(out.data, bin('shl', 'i32', add32(mul32(i, out.strides[0]), j), i32(log2Size(d))));
      this.emit({ k: 'for', label: `mm${this.n++}`, v: iv, t: 'i32', start: i32(0), stop: a.shape[0], step: i32(1), body: [
        loopK(`mmk${this.n++}`, [
          { k: 'set', name: aik, value: el(a, get(iv, 'i32'), get(kv, 'i32')) },
          { k: 'for', label: `mmj${this.n++}`, v: jv, t: 'i32', start: i32(0), stop: b.shape[1], step: i32(1), body: [
            { k: 'store', mem: memOf(d), addr: o(get(iv, 'i32'), get(jv, 'i32')), value: bin('add', vt, load(vt, memOf(d), o(get(iv, 'i32'), get(jv, 'i32'))), bin('mul', vt, get(aik, vt), el(b, get(kv, 'i32'), get(jv, 'i32')))) },
          ] },
        ], kv),
      ] });
      return this.ownedArray(out);
    }
    // matrix @ vector or vector @ matrix
    const m = a.ndim === 2 ? a.shape[0] : b.shape[1];
    const out = this.alloc(d, [m]);
    const iv = this.fresh('i', 'i32'), kv = this.fresh('k', 'i32'), acc = this.fresh('acc', vt);
    const term = a.ndim === 2 ? bin('mul', vt, el(a, get(iv, 'i32'), get(kv, 'i32')), el(b, get(kv, 'i32'))) : bin('mul', vt, el(a, get(kv, 'i32')), el(b, get(kv, 'i32'), get(iv, 'i32')));
    this.emit({ k: 'for', label: `mv${this.n++}`, v: iv, t: 'i32', start: i32(0), stop: m, step: i32(1), body: [
      { k: 'set', name: acc, value: cst(vt, 0) },
      loopK(`mvk${this.n++}`, [{ k: 'set', name: acc, value: bin('add', vt, get(acc, vt), term) }], kv),
      { k: 'store', mem: memOf(d), addr: add32(out.data, bin('shl', 'i32', get(iv, 'i32'), i32(log2Size(d)))), value: get(acc, vt) },
    ] });
    return this.ownedArray(out);
  }

  /**
   * A float matrix product through `__matmul_<t>` (see Note [Blocked matmul] in kernels.ts); a vector
   * operand is a 1 x K or K x 1 matrix. An operand whose columns are not contiguous (a transposed
   * view, a strided slice) is copied first: O(n^2) against the product's O(n^3).
   */
  blockedMatmul(this: FnLowerer, a: ArrRef, b: ArrRef, d: DType, span: Span): Val {
    const t = d === 'float64' ? 'f64' : 'f32';
    const fn = this.mod.kernel(`matmul_${t}`);
    const contiguousCols = (x: ArrRef, strided: boolean): { data: Expr; ld: Expr; tmp: string } => {
      const data = this.fresh('mdata', 'i32'), ld = this.fresh('ld', 'i32'), tmp = this.fresh('mtmp', 'i32');
      this.set(data, x.data);
      this.set(ld, x.ndim === 2 ? x.strides[0] : (strided ? x.strides[0] : i32(0)));
      this.set(tmp, i32(0));
      // A vector used as a column (K x 1) is read one element per row at stride ld: no copy needed.
      if (!strided) {
        const last = x.strides[x.ndim - 1], cols = x.shape[x.ndim - 1];
        const copy = this.block(() => {
          const c = this.alloc(d, x.shape);
          this.copyInto(c, x, span);
          this.set(tmp, c.desc);
          this.set(data, c.data);
          if (x.ndim === 2) this.set(ld, c.strides[0]);
        });
        this.emit({ k: 'if', cond: bin('and', 'i32', bin('ne', 'i32', last, i32(1)), bin('gt_s', 'i32', cols, i32(1))), then: copy, else: [] });
      }
      return { data: get(data, 'i32'), ld: get(ld, 'i32'), tmp };
    };
    const A = contiguousCols(a, false);
    const B = contiguousCols(b, b.ndim === 1);
    const M = a.ndim === 2 ? a.shape[0] : i32(1), K = a.shape[a.ndim - 1], N = b.ndim === 2 ? b.shape[1] : i32(1);
    const outShape = [...(a.ndim === 2 ? [a.shape[0]] : []), ...(b.ndim === 2 ? [b.shape[1]] : [])];
    const out = this.alloc(d, outShape);
    this.emit({ k: 'expr', e: call(fn, null, A.data, B.data, out.data, M, N, K, A.ld, B.ld, N) });
    this.emit({ k: 'release', desc: get(A.tmp, 'i32') });
    this.emit({ k: 'release', desc: get(B.tmp, 'i32') });
    return this.ownedArray(out);
  }
}
