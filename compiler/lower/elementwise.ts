// Elementwise fusion: a chain of array operations becomes one loop nest with no temporaries; the
// output may reuse the assigned variable's buffer; simple user functions are inlined per element.
import type * as A from '../../language/ast.js';
import type { FuncInstance } from '../../language/checker.js';
import { elemChildren, isVectorized, ufuncArgs, vectorizedElem } from './library.js';
import type { Span } from '../../language/source.js';
import { type DType, isFloat, type Type } from '../../language/types.js';
import { DESC } from '../../runtime/layout.js';
import type * as I from '../ir.js';
import { pureBody } from '../cse.js';
import { add32, bin, convert, cst, get, i32, load, memOf, un, vtOf } from '../ir-build.js';
import { ARRAY_OP, type ArrRef, isUfunc, type Leaves, literalValue, type Slot, type Val } from './values.js';
import type { FnLowerer } from './function.js';

type Expr = I.Expr;

export class ElementwiseLowering {
  isElementwise(this: FnLowerer, e: A.Expr): boolean {
    const t = this.cur.types.get(e);
    if (!t || t.kind !== 'array') return false;
    switch (e.kind) {
      case 'Binary': return e.op !== '@';
      case 'Unary': case 'Compare': return true;
      case 'Call': {
        if (e.stars) return false; // f(*t) is lowered as its expansion (callExpr)
        const r = this.cur.calls.get(e);
        if (r?.kind === 'user' && isVectorized(this, r.inst)) return true;
        if (r?.kind === 'user') return e.keywords.length === 0 && e.args.length === r.inst.params.length && inlineBody(r.inst) !== null;
        if (r?.kind !== 'builtin') return false;
        return isUfunc(r.name) || r.name.startsWith('astype:') || r.name === 'where' || r.name === 'clip' || r.name === '.astype';
      }
      default: return false;
    }
  }

  /** Materializes an elementwise expression into a new array (one fused nest). */
  elementwise(this: FnLowerer, e: A.Expr, span: Span, pre?: Leaves): Val {
    const t = this.type(e) as Type & { kind: 'array' };
    const { leaves, scalars } = pre ?? this.leavesOf(e);
    const shape = this.broadcastShape(t.ndim, [...leaves.values()], span);
    const out = this.alloc(t.dtype, shape, true);
    this.fusedNest([out], [e], { leaves, scalars }, span);
    return this.ownedArray(out);
  }

  /**
   * Note [Buffer reuse]: `x = <elementwise expression>` writes into x's own buffer instead of a new
   * one when, at run time, nothing else can see that buffer (x's descriptor owns its data and holds
   * the only reference: no view, alias, parameter or temporary shares it) and the result has x's
   * shape; x's dtype and rank are the result's statically. Reads of x itself in the expression are
   * then at the element being written, before it is written, as NumPy's `out=x` would do them.
   * Only nests that cannot fail qualify, so x is never left half-written. A program that
   * reassigns big arrays in a loop then touches no fresh memory after the first round: first-touch
   * page faults cost ~20 ns per float64 element here, 20x the work of `v * sqrt(t)`.
   * Returns false (having emitted nothing) when the assignment does not qualify statically.
   */
  assignReusing(this: FnLowerer, target: A.Name, value: A.Expr): boolean {
    if (!this.isElementwise(value)) return false;
    const slot = this.slots.get(target.id);
    const vt = this.type(value), xt = this.inst.locals.get(target.id) ?? this.mod.cp.globals.get(target.id);
    if (!slot || (slot.k !== 'a' && slot.k !== 'ga') || vt.kind !== 'array' || xt?.kind !== 'array' || xt.dtype !== vt.dtype || xt.ndim !== vt.ndim || vt.ndim === 0) return false;
    const span = value.span;
    const mark = this.temps.length;
    const { leaves, scalars } = this.leavesOf(value);
    const shape = this.broadcastShape(vt.ndim, [...leaves.values()], span).map((n) => this.tmp(n, 'n'));
    // The nest is built first, so that its safety is known; it runs once the buffer `d` is chosen.
    const d = this.fresh('out', 'i32');
    const nest = this.block(() => {
      const data = this.tmp(load('i32', 'i32', add32(get(d, 'i32'), i32(DESC.data))), 'data');
      this.fusedNest([{ desc: get(d, 'i32'), data, dtype: vt.dtype, ndim: vt.ndim, shape, strides: this.contiguousStrides(shape) }], [value], { leaves, scalars }, span);
    });
    this.outBuffer(d, slot, vt.dtype, shape, span, pureBody(nest, true));
    for (const x of nest) this.emit(x);
    this.writeSlot(slot, this.ownedArray({ desc: get(d, 'i32'), data: i32(0), dtype: vt.dtype, ndim: vt.ndim, shape, strides: [] }), span);
    this.releaseTemps(mark);
    return true;
  }

  /**
   * Sets `d` to the output buffer of `x = <nest>` (Note [Buffer reuse]): x's own array when `reuse`
   * (the nest cannot fail midway) and, at run time, x's descriptor is the only reference to data it
   * owns and has this shape; else a new uninitialized array, whose MemoryError names `span`.
   */
  outBuffer(this: FnLowerer, d: string, slot: Slot, dtype: DType, shape: Expr[], span: Span, reuse: boolean): void {
    const outer = this.at;
    this.at = span;
    const fresh = this.block(() => this.set(d, this.alloc(dtype, shape, true).desc));
    this.at = outer;
    if (!reuse || (slot.k !== 'a' && slot.k !== 'ga')) { for (const x of fresh) this.emit(x); return; }
    const old = this.tmp(slot.k === 'a' ? get(slot.name, 'i32') : load('i32', 'i32', i32(slot.addr)), 'old');
    const field = (off: number) => load('i32', 'i32', add32(old, i32(off)));
    let same: Expr = bin('and', 'i32', bin('eq', 'i32', field(DESC.rc), i32(1)), bin('eq', 'i32', field(DESC.base), i32(0)));
    shape.forEach((n, k) => { same = bin('and', 'i32', same, bin('eq', 'i32', field(DESC.shape + 4 * k), n)); });
    const reused = this.fresh('reuse', 'i32');
    this.set(reused, i32(0));
    this.emit({ k: 'if', cond: old, then: [{ k: 'set', name: reused, value: same }], else: [] });
    this.emit({ k: 'if', cond: get(reused, 'i32'), then: [{ k: 'set', name: d, value: old }, { k: 'retain', desc: old }], else: fresh });
  }

  leavesOf(this: FnLowerer, e: A.Expr): Leaves {
    const leaves = new Map<A.Expr, ArrRef>();
    const scalars = new Map<A.Expr, { e: Expr; dtype: DType }>();
    this.collectLeaves(e, leaves, scalars);
    return { leaves, scalars };
  }

  fusedInto(this: FnLowerer, dst: ArrRef, e: A.Expr, span: Span, pre?: Leaves): void {
    const l = pre ?? this.leavesOf(e);
    this.checkBroadcastTo(dst.shape, [...l.leaves.values()], span, dst);
    this.fusedNest([dst], [e], l, span);
  }

  /**
   * One loop nest over the shape of dsts[0] computing each es[i] into dsts[i] element by element
   * from their leaves (one expression, or a statement group). Every value of an element is computed
   * before any is stored (Note [Statement groups]).
   */
  fusedNest(this: FnLowerer, dsts: ArrRef[], es: A.Expr[], { leaves, scalars }: Leaves, span: Span): void {
    // One operand per variable, however often the expression names it (its loads are then shared, Note [Body CSE]).
    const ops: ArrRef[] = [];
    const opOf = new Map<A.Expr, number>();
    const byName = new Map<string, number>();
    for (const [k, a] of leaves) {
      let i = k.kind === 'Name' ? byName.get(k.id) : undefined;
      if (i === undefined) { i = ops.length; ops.push(a); if (k.kind === 'Name') byName.set(k.id, i); }
      opOf.set(k, i);
    }
    const m = dsts.length;
    this.nest(dsts[0].shape, [...dsts, ...ops], span, (ptrs) => {
      const ld = new Map<A.Expr, Expr>();
      for (const [k, i] of opOf) { const a = ops[i]; ld.set(k, load(vtOf(a.dtype), memOf(a.dtype), ptrs[i + m])); }
      return this.block(() => {
        const values = es.map((e, i) => {
          const v = this.elemExpr(e, ld, scalars);
          const x = convert(v.e, v.dtype, dsts[i].dtype);
          return m === 1 ? x : this.tmp(x, 'g');
        });
        values.forEach((value, i) => this.emit({ k: 'store', mem: memOf(dsts[i].dtype), addr: ptrs[i], value }));
      });
    }, ARRAY_OP);
  }

  collectLeaves(this: FnLowerer, e: A.Expr, leaves: Map<A.Expr, ArrRef>, scalars: Map<A.Expr, { e: Expr; dtype: DType }>): void {
    const t = this.type(e);
    if (t.kind === 'scalar') {
      const v = this.expr(e);
      if (v.k === 's') scalars.set(e, { e: this.tmp(v.e), dtype: v.dtype });
      return;
    }
    if (this.isElementwise(e)) {
      for (const c of elemChildren(e, this.cur.calls.get(e as A.Call))) this.collectLeaves(c, leaves, scalars);
      return;
    }
    const v = this.expr(e);
    if (v.k === 'a') leaves.set(e, v.a);
  }

  /** The value of one element of an elementwise expression, given its leaves' element loads. */
  elemExpr(this: FnLowerer, e: A.Expr, ld: Map<A.Expr, Expr>, sc: Map<A.Expr, { e: Expr; dtype: DType }>): { e: Expr; dtype: DType } {
    const leaf = ld.get(e);
    if (leaf) { const t = this.type(e) as { dtype: DType }; return { e: leaf, dtype: t.dtype }; }
    const s = sc.get(e);
    if (s) return s;
    const t = this.type(e) as { dtype: DType; kind: string };
    const sub = (x: A.Expr) => this.elemExpr(x, ld, sc);
    const asVal = (x: { e: Expr; dtype: DType }): Val => ({ k: 's', e: x.e, dtype: x.dtype });
    const frame = this.inlined[this.inlined.length - 1];
    switch (e.kind) {
      // Inside an inlined function: its parameters and locals, and its literals.
      case 'Name': { const v = frame?.env.get(e.id); if (v) return v; break; }
      case 'Int': case 'Float': case 'Bool': if (frame) return this.expr(e) as { e: Expr; dtype: DType }; break;
      case 'Binary': {
        const p = e.op === '**' && isFloat(t.dtype) ? literalValue(e.right) : null;
        if (p === 2 || p === 0.5 || p === -1 || p === 1) {
          // NumPy's fast paths for an array to these powers: square, sqrt, reciprocal, copy.
          const x = this.tmp(convert(sub(e.left).e, (this.type(e.left) as { dtype: DType }).dtype, t.dtype));
          const vt = vtOf(t.dtype);
          return { e: p === 2 ? bin('mul', vt, x, x) : p === 0.5 ? un('sqrt', vt, x) : p === -1 ? bin('div', vt, cst(vt, 1), x) : x, dtype: t.dtype };
        }
        const r = this.binaryScalar(e.op, asVal(sub(e.left)), asVal(sub(e.right)), t.dtype, e.span, this.type(e.left), this.type(e.right));
        return { e: (r as { e: Expr }).e, dtype: t.dtype };
      }
      case 'Unary': return this.unaryScalar(e, asVal(sub(e.operand)), t.dtype) as { e: Expr; dtype: DType };
      case 'Compare': {
        const a = sub(e.left), b = sub(e.comparators[0]);
        return { e: this.compareScalar(e.ops[0] as '<', a, b, this.type(e.left), this.type(e.comparators[0])), dtype: 'bool' };
      }
      case 'Call': {
        const r = this.cur.calls.get(e)!;
        if (r.kind === 'user' && isVectorized(this, r.inst)) return vectorizedElem(this, r.inst, e.args.map((x) => sub(x)), t.dtype);
        if (r.kind === 'user') return this.inlineElem(r.inst, e.args.map((x) => sub(x)), ld, sc);
        if (r.kind !== 'builtin') break;
        if (r.name === '.astype') { const x = sub((e.func as A.Attribute).value); return { e: convert(x.e, x.dtype, t.dtype), dtype: t.dtype }; }
        const args = ufuncArgs(e).map((x) => asVal(sub(x)));
        return this.builtinScalar(r.name, args, t.dtype, e) as { e: Expr; dtype: DType };
      }
      default: break;
    }
    throw new Error(`internal: not elementwise: ${e.kind}`);
  }

  /**
   * One element of a call of an inlinable function (see Note [Inlined functions]): the arguments'
   * element values bind its parameters, each assignment of its body becomes a scalar temporary,
   * and its return expression is the value.
   */
  inlineElem(this: FnLowerer, f: FuncInstance, args: { e: Expr; dtype: DType }[], ld: Map<A.Expr, Expr>, sc: Map<A.Expr, { e: Expr; dtype: DType }>): { e: Expr; dtype: DType } {
    const body = inlineBody(f)!;
    const env = new Map<string, { e: Expr; dtype: DType }>();
    f.params.forEach((p, i) => env.set(p.name, { e: this.tmp(args[i].e), dtype: args[i].dtype }));
    this.inlined.push({ inst: f, env });
    try {
      for (const st of body.assigns) {
        const v = this.elemExpr(st.value, ld, sc);
        const d = (this.type(st.value) as { dtype: DType }).dtype;
        env.set((st.targets[0] as A.Name).id, { e: this.tmp(convert(v.e, v.dtype, d)), dtype: d });
      }
      const r = this.elemExpr(body.ret, ld, sc);
      return { e: r.e, dtype: r.dtype };
    } finally {
      this.inlined.pop();
    }
  }
}

/**
 * Note [Inlined functions]: a call of a user function inside an elementwise expression is fused
 * like a ufunc when the function is only elementwise arithmetic: its body is assignments of
 * elementwise expressions (over its parameters, its own earlier locals, literals, ufuncs, where,
 * clip, astype and other such functions) and a final return of one. Then `s * cnd(d1)` is one loop
 * with cnd's locals as per-element temporaries, instead of one array per statement of cnd. Every
 * parameter and local must be read later, so every leaf reaches the result and the result's shape is
 * the broadcast of the leaves, as NumPy's would be. Anything else (loops, ifs, globals, slices,
 * reductions, prints) keeps the function a real call.
 */
const inlineCache = new WeakMap<FuncInstance, { assigns: A.Assign[]; ret: A.Expr } | null>();

function inlineBody(f: FuncInstance, visiting = new Set<FuncInstance>()): { assigns: A.Assign[]; ret: A.Expr } | null {
  if (inlineCache.has(f)) return inlineCache.get(f)!;
  if (visiting.has(f) || !f.def) return null;
  visiting.add(f);
  const result = ((): { assigns: A.Assign[]; ret: A.Expr } | null => {
    let stmts = f.def!.body;
    if (stmts[0]?.kind === 'ExprStmt' && stmts[0].expr.kind === 'Str') stmts = stmts.slice(1); // docstring
    const last = stmts[stmts.length - 1];
    if (!last || last.kind !== 'Return' || !last.value) return null;
    const assigns = stmts.slice(0, -1);
    if (!assigns.every((st): st is A.Assign => st.kind === 'Assign' && st.targets.length === 1 && st.targets[0].kind === 'Name')) return null;
    // Every binding (a parameter, or an assignment) must be read before it is replaced or the body ends.
    const read = new Map<string, boolean>(f.params.map((p) => [p.name, false]));
    const ok = (e: A.Expr): boolean => {
      const t = f.types.get(e);
      if (!t || (t.kind !== 'scalar' && t.kind !== 'array')) return false;
      switch (e.kind) {
        case 'Name': if (!read.has(e.id)) return false; read.set(e.id, true); return true;
        case 'Int': case 'Float': case 'Bool': return true;
        case 'Binary': return e.op !== '@' && ok(e.left) && ok(e.right);
        case 'Unary': return ok(e.operand);
        case 'Compare': return e.ops.length === 1 && ok(e.left) && ok(e.comparators[0]);
        case 'Call': {
          if (e.stars) return false;
          const r = f.calls.get(e);
          if (r?.kind === 'user') return e.keywords.length === 0 && e.args.length === r.inst.params.length && inlineBody(r.inst, visiting) !== null && e.args.every(ok);
          if (r?.kind !== 'builtin' || !(isUfunc(r.name) || r.name.startsWith('astype:') || r.name === 'where' || r.name === 'clip' || r.name === '.astype')) return false;
          return elemChildren(e, r).every(ok);
        }
        default: return false;
      }
    };
    for (const st of assigns) {
      const name = (st.targets[0] as A.Name).id;
      if (!ok(st.value) || read.get(name) === false) return null;
      read.set(name, false);
    }
    if (!ok(last.value) || [...read.values()].includes(false)) return null;
    return { assigns, ret: last.value };
  })();
  visiting.delete(f);
  inlineCache.set(f, result);
  return result;
}
