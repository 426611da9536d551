// Lowering of expressions: the dispatch over AST kinds, names, attributes, comparisons, and calls of
// user functions (arguments flattened, defaults filled, pmap).
import type * as A from '../../language/ast.js';
import { Code } from '../../language/diagnostics.js';
import type { FuncInstance } from '../../language/checker.js';
import { staticDtype, tupleSlice } from '../../language/check-numpy.js';
import { gather, gatherMixed, isArrayIndex, isMixedArrayIndex } from './index-arrays.js';
import { isVectorized, vectorizedScalar } from './library.js';
import type { Span } from '../../language/source.js';
import { type DType, DTYPE_INFO, type Type } from '../../language/types.js';
import { ELEM_SIZE } from '../../runtime/layout.js';
import type * as I from '../ir.js';
import { listBinary, listComp, listCompare, listIndex, listLiteral, storageOf } from './lists.js';
import { gridValue } from './numpy.js';
import { joinedStr, materialize, strBinary, strCompare, strIndex, strNumber } from './strings.js';
import { add32, bin, call, convert, cvt, f64, get, i32, i64, load, log2Size, memOf, mul32, un, vtOf } from '../ir-build.js';
import { ARRAY_OP, type ArrRef, asStored, type Val } from './values.js';
import { complexAttribute, complexBinary, complexEquals, complexIfExp, complexLiteral, complexUnary } from './complex.js';
import type { FnLowerer } from './function.js';

type Expr = I.Expr;
type Stmt = I.Stmt;

export class ExpressionLowering {
  expr(this: FnLowerer, e: A.Expr): Val {
    const outer = this.at;
    this.at = e.span;
    try { return this.exprAt(e); } finally { this.at = outer; }
  }

  exprAt(this: FnLowerer, e: A.Expr): Val {
    // `f(*t)` is its expansion for this specialization (language/check-unpack.ts).
    if (e.kind === 'Call' && e.stars) { const x = this.cur.starCalls.get(e); if (x) return this.exprAt(x); }
    const t = this.type(e);
    if (t.kind === 'array' && this.isElementwise(e)) return this.elementwise(e, e.span);
    switch (e.kind) {
      case 'Int': return { k: 's', e: i64(e.value), dtype: 'int64' };
      case 'Float': return { k: 's', e: f64(e.value), dtype: 'float64' };
      case 'Imag': return complexLiteral(e.value);
      case 'Bool': return { k: 's', e: i32(e.value ? 1 : 0), dtype: 'bool' };
      case 'Str': return { k: 'str', text: e.value };
      case 'JoinedStr': return joinedStr(this, e);
      case 'None': return { k: 'none' };
      case 'Name': return this.name(e, t);
      case 'Unary': return this.type(e.operand).kind === 'complex' ? complexUnary(this, e) : this.unaryScalar(e, this.expr(e.operand), (t as { dtype: DType }).dtype);
      case 'Binary': {
        if (e.op === '@') return this.matmul(this.expr(e.left), this.expr(e.right), t, e.span);
        if (t.kind === 'str') return strBinary(this, e);
        if (t.kind === 'list') return listBinary(this, e, t);
        if (t.kind === 'complex') return complexBinary(this, e);
        const l = this.expr(e.left);
        const r = this.expr(e.right);
        return this.binaryScalar(e.op, l, r, (t as { dtype: DType }).dtype, e.span, this.type(e.left), this.type(e.right));
      }
      case 'Compare': return this.compare(e);
      case 'BoolOp': {
        if (t.kind === 'str') return this.strBoolOp(e);
        // Short-circuit: evaluate into a local inside nested ifs.
        const rt = t as { dtype: DType };
        const res = this.fresh('bo', vtOf(rt.dtype));
        const go = (i: number): Stmt[] => this.block(() => {
          const v = this.expr(e.values[i]);
          const x = this.scalarAs(v, rt.dtype, e.span);
          this.set(res, x);
          if (i + 1 < e.values.length) {
            const truthy = convert(get(res, vtOf(rt.dtype)), rt.dtype, 'bool');
            const rest = go(i + 1);
            this.emit({ k: 'if', cond: e.op === 'and' ? truthy : un('eqz', 'i32', truthy), then: rest, else: [] });
          }
        });
        for (const s of go(0)) this.emit(s);
        return { k: 's', e: get(res, vtOf(rt.dtype)), dtype: rt.dtype };
      }
      case 'IfExp': {
        const c = this.cond(e.test);
        if (t.kind === 'scalar') {
          const res = this.fresh('ife', vtOf(t.dtype));
          const a = this.block(() => this.set(res, this.scalarAs(this.expr(e.body), t.dtype, e.span)));
          const b = this.block(() => this.set(res, this.scalarAs(this.expr(e.orelse), t.dtype, e.span)));
          this.emit({ k: 'if', cond: c, then: a, else: b });
          return { k: 's', e: get(res, vtOf(t.dtype)), dtype: t.dtype };
        }
        if (t.kind === 'array' || t.kind === 'str') {
          const res = this.fresh('ifa', 'i32');
          const branch = (x: A.Expr) => this.block(() => { const v = materialize(this, this.expr(x), x.span); if (v.k === 'a') this.set(res, this.take(v)); });
          this.emit({ k: 'if', cond: c, then: branch(e.body), else: branch(e.orelse) });
          return t.kind === 'str' ? this.ownedArray(this.arrFromDesc(get(res, 'i32'), 'bool', 1)) : this.ownedArray(this.arrFromDesc(get(res, 'i32'), t.dtype, t.ndim));
        }
        if (t.kind === 'complex') return complexIfExp(this, e, c);
        throw new Error('internal: unsupported conditional expression type');
      }
      case 'Call': return this.callExpr(e, t);
      case 'Attribute': return this.attribute(e, t);
      case 'Subscript': {
        if (this.type(e.value).kind === 'builtin') return gridValue(this, e);
        if (this.type(e.value).kind === 'str') return strIndex(this, e);
        if (this.type(e.value).kind === 'list' || this.type(e.value).kind === 'range') return listIndex(this, e);
        if (isArrayIndex(this, e)) return gather(this, e);
        if (isMixedArrayIndex(this, e)) return gatherMixed(this, e);
        const base = this.expr(e.value);
        if (base.k === 't') {
          const picked = tupleSlice(e.index[0], base.items.length);
          if (picked) return { k: 't', items: picked.map((i) => base.items[i]) };
          const ix = e.index[0] as A.IntLit;
          let i = Number(ix.value);
          if (i < 0) i += base.items.length;
          return base.items[i];
        }
        if (base.k !== 'a') throw new Error('internal: subscript of non-array');
        return this.indexArr(base.a, this.indexParts(this.indices(e)), e.span, false);
      }
      case 'Tuple': return { k: 't', items: e.elts.map((x) => this.expr(x)) };
      case 'List': return listLiteral(this, e, t);
      case 'ListComp': return listComp(this, e);
      default: throw new Error(`internal: cannot lower ${e.kind}`);
    }
  }

  /** `a or b` of strings: the first true one (or the last), evaluating no further. */
  strBoolOp(this: FnLowerer, e: A.BoolOp): Val {
    const res = this.fresh('bos', 'i32');
    const str = () => ({ k: 'a' as const, a: this.arrFromDesc(get(res, 'i32'), 'bool', 1), owned: false });
    const go = (i: number): Stmt[] => this.block(() => {
      const mark = this.temps.length;
      const v = materialize(this, this.expr(e.values[i]), e.values[i].span);
      if (v.k === 'a') this.set(res, this.take(v));
      this.releaseTemps(mark);
      if (i + 1 === e.values.length) return;
      const truthy = bin('ne', 'i64', strNumber(this, 'bool', str(), e.span), i64(0));
      this.emit({ k: 'if', cond: e.op === 'and' ? truthy : un('eqz', 'i32', truthy), then: [{ k: 'release', desc: get(res, 'i32') }, ...go(i + 1)], else: [] });
    });
    for (const s of go(0)) this.emit(s);
    return this.ownedArray(this.arrFromDesc(get(res, 'i32'), 'bool', 1));
  }

  name(this: FnLowerer, e: A.Name, t: Type): Val {
    if (!this.inlined.length && this.assigned?.checked.has(e)) {
      // Python's errors for a variable a loop may have left unassigned.
      const site = this.inst.def
        ? this.mod.site(Code.UndefinedName, 'UnboundLocalError', e.span, `cannot access local variable '${e.id}' where it is not associated with a value`)
        : this.mod.site(Code.UndefinedName, 'NameError', e.span, `name '${e.id}' is not defined`);
      this.emit({ k: 'if', cond: un('eqz', 'i32', get(this.local(`${e.id}.set`, 'i32'), 'i32')), then: [this.trap(this.mod.imp('err_raise', ['i32'], null), i32(site))], else: [] });
    }
    const slot = this.slots.get(e.id) ?? (this.inst.globalsUsed.has(e.id) ? this.mod.globalSlots.get(e.id) : undefined);
    if (slot) return this.readSlot(slot);
    switch (t.kind) {
      case 'scalar': {
        const c: Record<string, number> = { pi: Math.PI, e: Math.E, inf: Infinity, nan: NaN };
        return { k: 's', e: f64(c[e.id]), dtype: 'float64' };
      }
      case 'dtype': return { k: 'dtype', dtype: t.dtype };
      // A Par program is always the script being run.
      case 'str': if (e.id === '__name__') return { k: 'str', text: '__main__' }; return { k: 'none' };
      default: return { k: 'none' };
    }
  }

  attribute(this: FnLowerer, e: A.Attribute, t: Type): Val {
    const info = e.value.kind === 'Call' ? this.cur.calls.get(e.value) : undefined;
    if (info?.kind === 'builtin' && info.name.startsWith('iinfo:')) {
      const d = DTYPE_INFO[info.name.slice('iinfo:'.length) as DType];
      return { k: 's', e: i64(e.attr === 'bits' ? BigInt(d.bits) : e.attr === 'max' ? d.max : d.min), dtype: 'int64' };
    }
    const bt = this.type(e.value);
    if (bt.kind === 'complex') return complexAttribute(this, e);
    if (bt.kind === 'module') {
      if (t.kind === 'scalar') return { k: 's', e: f64(({ pi: Math.PI, e: Math.E, inf: Infinity, nan: NaN } as Record<string, number>)[e.attr]), dtype: 'float64' };
      if (t.kind === 'dtype') return { k: 'dtype', dtype: t.dtype };
      return { k: 'none' };
    }
    const base = this.expr(e.value);
    if (base.k === 'team') {
      if (e.attr === 'thread_num') return { k: 's', e: base.tn, dtype: 'int64' };
      if (e.attr === 'num_threads') return { k: 's', e: base.nt, dtype: 'int64' };
      return { k: 'none' };
    }
    if (base.k === 'a') {
      const a = base.a;
      const size = () => cvt('i32->i64', a.shape.reduce((acc: Expr, n) => mul32(acc, n), i32(1)));
      switch (e.attr) {
        case 'shape': return { k: 't', items: a.shape.map((n) => ({ k: 's', e: cvt('i32->i64', n), dtype: 'int64' as DType })) };
        case 'ndim': return { k: 's', e: i64(a.ndim), dtype: 'int64' };
        case 'size': return { k: 's', e: size(), dtype: 'int64' };
        case 'itemsize': return { k: 's', e: i64(ELEM_SIZE[a.dtype]), dtype: 'int64' };
        case 'nbytes': return { k: 's', e: bin('mul', 'i64', size(), i64(ELEM_SIZE[a.dtype])), dtype: 'int64' };
        case 'dtype': return { k: 'dtype', dtype: a.dtype };
        case 'T': return this.transpose(a);
        // a.flat reads the elements in C order: a view when a is C-contiguous, else a copy (docs/language.md §13).
        case 'flat': return this.reshape({ kind: 'Call', func: e, args: [], keywords: [], span: e.span }, [e.value], 'ravel', t, base);
      }
    }
    if (base.k === 'dtype') {
      switch (e.attr) {
        case 'name': return { k: 'str', text: base.dtype };
        case 'kind': return { k: 'str', text: DTYPE_INFO[base.dtype].kind };
        case 'char': return { k: 'str', text: { bool: '?', int8: 'b', int16: 'h', int32: 'i', int64: 'l', uint8: 'B', uint16: 'H', uint32: 'I', uint64: 'L', float32: 'f', float64: 'd' }[base.dtype] };
        case 'itemsize': return { k: 's', e: i64(ELEM_SIZE[base.dtype]), dtype: 'int64' };
        case 'type': return base;
      }
    }
    if (base.k === 's' && e.attr === 'dtype') return { k: 'dtype', dtype: base.dtype };
    return { k: 'none' };
  }

  compare(this: FnLowerer, e: A.Compare): Val {
    // Python: a < b < c is (a < b) and (b < c), each operand evaluated once, left to right,
    // and later operands are not evaluated once a comparison is false.
    const res = this.fresh('cmp', 'i32');
    const step = (left: Val, lt: Type, i: number): Stmt[] => this.block(() => {
      const rE = e.comparators[i];
      const right = this.snapshot(this.expr(rE));
      const rt = this.type(rE);
      const op = e.ops[i];
      let c: Expr;
      const lE = i === 0 ? e.left : e.comparators[i - 1];
      if (op === 'is' || op === 'is not') c = i32((left.k === 'none') === (right.k === 'none') ? (op === 'is' ? 1 : 0) : (op === 'is' ? 0 : 1));
      else if (lt.kind === 'dtype' || rt.kind === 'dtype') c = i32((staticDtype(lE, lt) === staticDtype(rE, rt)) === (op === '==') ? 1 : 0);
      else if (lt.kind === 'str' && rt.kind === 'str') c = strCompare(this, op, left, right, e.span);
      else if (rt.kind === 'list') c = listCompare(this, op, left, right, lt, rt, e.span);
      else if (lt.kind === 'complex' || rt.kind === 'complex') c = complexEquals(this, op, left, right);
      else c = this.compareScalar(op as '<', left as { e: Expr; dtype: DType }, right as { e: Expr; dtype: DType }, lt, rt);
      this.set(res, c);
      if (i + 1 < e.ops.length) this.emit({ k: 'if', cond: get(res, 'i32'), then: step(right, rt, i + 1), else: [] });
    });
    const left = e.ops.length > 1 ? this.snapshot(this.expr(e.left)) : this.expr(e.left);
    for (const st of step(left, this.type(e.left), 0)) this.emit(st);
    return { k: 's', e: get(res, 'i32'), dtype: 'bool' };
  }

  transpose(this: FnLowerer, a: ArrRef): Val {
    return this.makeView(a, a.data, [...a.shape].reverse(), [...a.strides].reverse());
  }

  callExpr(this: FnLowerer, e: A.Call, t: Type): Val {
    const r = this.inst.calls.get(e);
    if (!r) {
      const ft = this.type(e.func);
      if (ft.kind === 'builtin' && ['ValueError', 'IndexError', 'RuntimeError', 'ZeroDivisionError', 'TypeError', 'ArithmeticError', 'AssertionError', 'Exception', 'NotImplementedError', 'OverflowError'].includes(ft.name))
        return { k: 'exc', name: ft.name, msg: e.args[0]?.kind === 'Str' ? e.args[0].value : '' };
      throw new Error('internal: unresolved call');
    }
    if (r.kind === 'user') {
      if (e.func.kind === 'Name' && e.func.id === 'pmap') return this.pmap(e, r.inst, t);
      if (isVectorized(this, r.inst)) return vectorizedScalar(this, e, r.inst, t);
      return this.userCall(e, r.inst, t);
    }
    return this.builtinCall(e, r.name, r.self, t);
  }

  userCall(this: FnLowerer, e: A.Call, callee: FuncInstance, t: Type): Val {
    const def = callee.def!;
    const argExprs: (A.Expr | null)[] = def.params.map(() => null);
    e.args.forEach((a, i) => { argExprs[i] = a; });
    for (const k of e.keywords) argExprs[def.params.findIndex((p) => p.name === k.name)] = k.value;
    const flat: Expr[] = [];
    def.params.forEach((p, i) => {
      const ex = argExprs[i] ?? p.default!;
      const v = ex === p.default && !argExprs[i] ? this.defaultValue(ex) : this.expr(ex);
      this.flattenArg(this.coerceTo(v, callee.params[i].type, ex.span), callee.params[i].type, flat, ex.span);
    });
    const vts = this.flatVTs(t);
    if (vts.length <= 1) {
      const c = call(callee.name, vts[0] ?? null, ...flat);
      if (vts.length === 0) { this.emit({ k: 'expr', e: c }); return { k: 'none' }; }
      if (t.kind === 'array') return this.ownedArray(this.arrFromDesc(c, t.dtype, t.ndim));
      if (t.kind === 'str') return this.ownedArray(this.arrFromDesc(c, 'bool', 1));
      if (t.kind === 'list') return this.ownedArray(this.arrFromDesc(c, storageOf(t.elem), 1));
      if (t.kind === 'rng') { const st = asStored(t) as Type & { kind: 'array' }; return this.ownedArray(this.arrFromDesc(c, st.dtype, 1)); }
      return { k: 's', e: this.tmp(c, 'r'), dtype: (t as { dtype: DType }).dtype };
    }
    const names = vts.map((vt) => this.fresh('r', vt));
    this.emit({ k: 'setm', names, call: call(callee.name, null, ...flat) });
    let i = 0;
    const rebuild = (tt: Type): Val => {
      switch (tt.kind) {
        case 'scalar': return { k: 's', e: get(names[i++], vtOf(tt.dtype)), dtype: tt.dtype };
        case 'array': return this.ownedArray(this.arrFromDesc(get(names[i++], 'i32'), tt.dtype, tt.ndim));
        case 'str': return this.ownedArray(this.arrFromDesc(get(names[i++], 'i32'), 'bool', 1));
        case 'list': return this.ownedArray(this.arrFromDesc(get(names[i++], 'i32'), storageOf(tt.elem), 1));
        case 'range': case 'rng': case 'complex': return rebuild(asStored(tt));
        case 'tuple': return { k: 't', items: tt.elems.map(rebuild) };
        default: return { k: 'none' };
      }
    };
    return rebuild(t);
  }

  /** Default argument values are evaluated in the callee's definition context (module level). */
  defaultValue(this: FnLowerer, ex: A.Expr): Val {
    switch (ex.kind) {
      case 'Int': return { k: 's', e: i64(ex.value), dtype: 'int64' };
      case 'Float': return { k: 's', e: f64(ex.value), dtype: 'float64' };
      case 'Bool': return { k: 's', e: i32(ex.value ? 1 : 0), dtype: 'bool' };
      case 'Unary':
        if (ex.op === '-' && ex.operand.kind === 'Int') return { k: 's', e: i64(-ex.operand.value), dtype: 'int64' };
        if (ex.op === '-' && ex.operand.kind === 'Float') return { k: 's', e: f64(-ex.operand.value), dtype: 'float64' };
        break;
      default: break;
    }
    return this.expr(ex);
  }

  flattenArg(this: FnLowerer, v: Val, t: Type, out: Expr[], span: Span): void {
    switch (t.kind) {
      case 'scalar': out.push(this.scalarAs(v, t.dtype, span)); return;
      case 'array': if (v.k === 'a') out.push(v.a.desc); return;
      case 'str': { const m = materialize(this, v, span); if (m.k === 'a') out.push(m.a.desc); return; }
      case 'list': if (v.k === 'a') out.push(v.a.desc); return;
      case 'range': case 'rng': case 'complex': return this.flattenArg(v, asStored(t), out, span);
      case 'tuple': if (v.k === 't') t.elems.forEach((x, i) => this.flattenArg(v.items[i], x, out, span)); return;
      default: return;
    }
  }

  pmap(this: FnLowerer, e: A.Call, callee: FuncInstance, t: Type): Val {
    const xs = this.expr(e.args[1]);
    if (xs.k !== 'a' || t.kind !== 'array') return { k: 'none' };
    const out = this.alloc(t.dtype, [xs.a.shape[0]]);
    const iv = this.fresh('i', 'i64');
    const label = `pmap${this.n++}`;
    const body = this.block(() => {
      const ix = cvt('i64->i32', get(iv, 'i64'));
      const x = load(vtOf(xs.a.dtype), memOf(xs.a.dtype), add32(xs.a.data, bin('shl', 'i32', mul32(ix, xs.a.strides[0]), i32(log2Size(xs.a.dtype)))));
      const arg = convert(x, xs.a.dtype, (callee.params[0].type as { dtype: DType }).dtype);
      const r = call(callee.name, vtOf(t.dtype), arg);
      this.emit({ k: 'store', mem: memOf(t.dtype), addr: add32(out.data, bin('shl', 'i32', ix, i32(log2Size(t.dtype)))), value: convert(r, (callee.ret as { dtype: DType }).dtype, t.dtype) });
    });
    this.emit({ k: 'parfor', label, v: iv, t: 'i64', start: i64(0), stop: cvt('i32->i64', xs.a.shape[0]), step: i64(1), body, schedule: 'auto', chunk: null, numThreads: null, useIf: null, reductions: [], line: this.mod.line(e.span) });
    return this.ownedArray(out);
  }

  shapeExprs(this: FnLowerer, e: A.Expr): Expr[] {
    const v = this.expr(e);
    const one = (x: Val, sp: Span): Expr => {
      const s = x as { e: Expr; dtype: DType };
      const n = this.tmp(convert(s.e, s.dtype, 'int64'));
      const site = this.mod.site(Code.ValueError, 'negative_dim', sp);
      this.emit({ k: 'if', cond: bin('lt_s', 'i64', n, i64(0)), then: [this.trap(this.mod.imp('err_value', ['i32'], null), i32(site))], else: [] });
      // An extent past i32 must not wrap into a small array (zeros(2**32 + 5) is not 5 elements).
      const huge = this.mod.site(Code.ValueError, 'huge_dim', sp);
      this.emit({ k: 'if', cond: bin('gt_s', 'i64', n, i64(0x7fffffff)), then: [this.trap(this.mod.imp('err_value', ['i32'], null), i32(huge))], else: [] });
      return this.tmp(cvt('i64->i32', n));
    };
    if (v.k === 't') return v.items.map((x) => one(x, e.span));
    return [one(v, e.span)];
  }

  fill(this: FnLowerer, a: ArrRef, value: Expr, span: Span): void {
    const val = this.tmp(value);
    this.nest(a.shape, [a], span, (p) => [{ k: 'store', mem: memOf(a.dtype), addr: p[0], value: val }], ARRAY_OP);
  }

  kwOf(this: FnLowerer, e: A.Call, name: string): A.Expr | undefined { return e.keywords.find((k) => k.name === name)?.value; }
}
