// Lowering of one function: checked AST -> loop IR. FnLowerer holds a function's state (locals,
// variable slots, temporaries, loop labels) and the ownership of its arrays; its methods live in one
// module per concern, as mixin classes assembled at the end of this file: statements.ts,
// expressions.ts, scalars.ts, arrays.ts (indexing, views, nests), elementwise.ts (fusion), calls.ts,
// reductions.ts. Library calls are plain functions taking the FnLowerer: library.ts, numpy.ts,
// lists.ts, strings.ts, random-calls.ts. Each module imports FnLowerer's type only, so the import
// graph has no cycle.
//
// Note [Array values]: an array in IR is a descriptor pointer plus "shadow" locals holding its data
// pointer, shape and strides. Descriptors are immutable after creation, so the shadows are loaded
// once per assignment instead of on every element access, which keeps loops free of descriptor loads.
//
// Note [Ownership]: every array-valued expression yields either a borrowed reference (a variable)
// or an owned one (a new array or view). Variables own one reference each; owned temporaries that
// are not moved into a variable are released at the end of their statement; a function releases its
// array locals on return. Memory held by a loop body is therefore bounded by one iteration's arrays.
import type * as A from '../../language/ast.js';
import type { FuncInstance } from '../../language/checker.js';
import { DEFAULT_OPTIONS, type FuncOptions } from '../../language/compat.js';
import { globalDecls, type Definite } from '../../language/definite.js';
import type { Span } from '../../language/source.js';
import type { DType, Type } from '../../language/types.js';
import { DESC } from '../../runtime/layout.js';
import type * as I from '../ir.js';
import { storageOf } from './lists.js';
import { materialize } from './strings.js';
import { add32, call, convert, cst, get, i32, load, memOf, vtOf } from '../ir-build.js';
import { type ArrRef, asStored, exprType, range, type Slot, type Val } from './values.js';
import type { ModuleLowerer } from './module.js';
import { StatementLowering } from './statements.js';
import { ArrayLowering } from './arrays.js';
import { ElementwiseLowering } from './elementwise.js';
import { ScalarLowering } from './scalars.js';
import { ExpressionLowering } from './expressions.js';
import { CallLowering } from './calls.js';
import { ReductionLowering } from './reductions.js';

type Expr = I.Expr;
type Stmt = I.Stmt;
type VT = I.VT;

export class FnLowerer {
  locals = new Map<string, VT>();
  slots = new Map<string, Slot>();
  out: Stmt[] = [];
  temps: { a: ArrRef; moved: boolean }[] = [];
  /** The expression (or statement) being lowered: where an array allocated now reports MemoryError. */
  at: Span | null = null;
  labels: { brk: string; cont: string }[] = [];
  n = 0;
  mod: ModuleLowerer;
  ret: Type;
  arrayLocals: string[] = [];
  /** Functions being inlined into a fused nest, innermost last, with their names' element values. */
  inlined: { inst: FuncInstance; env: Map<string, { e: Expr; dtype: DType }> }[] = [];
  /** Loop variables known to be >= 0 (range loops with a non-negative start and a positive step, never reassigned). */
  nonNeg = new Set<string>();
  /** prange bodies being lowered (lower/races.ts instruments their element accesses). */
  raceDepth = 0;
  /** Views made by indexing (descriptor local -> the indexed array's descriptor and the subscript), so that races in them are reported in the array's terms. */
  raceViews = new Map<string, { base: Expr; span: Span }>();
  /** The variable each slot holds, for the "assigned" flags of definite assignment. */
  slotVar = new Map<Slot, string>();
  /** Reads whose variable may be unassigned depending on how often a loop ran (language/definite.ts): checked at run time. */
  get assigned(): Definite | undefined { return this.mod.cp.definite.get(this.inst.def ? this.inst.def.body : this.mod.cp.top); }

  constructor(mod: ModuleLowerer, readonly inst: FuncInstance) {
    this.mod = mod;
    this.ret = inst.ret ?? { kind: 'none' };
  }

  // ---------------- helpers ----------------
  fresh(prefix: string, t: VT): string {
    const name = `${prefix}%${this.n++}`;
    this.locals.set(name, t);
    return name;
  }
  local(name: string, t: VT): string { this.locals.set(name, t); return name; }
  emit(s: Stmt): void { this.out.push(s); }
  set(name: string, value: Expr): void { this.emit({ k: 'set', name, value }); }
  /** Evaluates e once into a fresh local and returns a get of it (constants and gets are kept as is). */
  tmp(e: Expr, prefix = 't'): Expr {
    if (e.k === 'const' || e.k === 'get') return e;
    const t = exprType(e);
    const n = this.fresh(prefix, t);
    this.set(n, e);
    return get(n, t);
  }
  block(f: () => void): Stmt[] {
    const saved = this.out;
    this.out = [];
    f();
    const r = this.out;
    this.out = saved;
    return r;
  }
  /** The instance whose AST is being lowered: `inst`, or a function inlined into a fused nest. */
  get cur(): FuncInstance { return this.inlined.length ? this.inlined[this.inlined.length - 1].inst : this.inst; }
  type(e: A.Expr): Type {
    const t = this.cur.types.get(e);
    if (!t) throw new Error(`internal: no type for ${e.kind} at ${e.span.start}`);
    return t;
  }
  trap(fn: string, ...args: Expr[]): Stmt { return { k: 'trap', call: call(fn, null, ...args) }; }
  /** Index checks: on unless the program turns them off, or the function's decorator does (`@njit(boundscheck=False)`). */
  get boundsCheck(): boolean { return this.mod.opts.boundsCheck && (this.options.boundscheck ?? true); }
  /** What the function's decorators say (Numba's parallel=, boundscheck=). */
  get options(): FuncOptions { return (this.inst.def && this.mod.cp.options.get(this.inst.def)) || DEFAULT_OPTIONS; }

  // ---------------- functions ----------------
  lower(): I.Func {
    const params: I.Local[] = [];
    const entry: Stmt[] = [];
    for (const p of this.inst.params) {
      const slot = this.slotFor(p.name, p.type);
      this.slots.set(p.name, slot);
      this.flattenParams(slot, params, entry);
    }
    for (const [name, t] of this.inst.locals) if (!this.slots.has(name)) this.slots.set(name, this.slotFor(name, t));
    if (!this.inst.def) for (const [name, slot] of this.mod.globalSlots) this.slots.set(name, slot);
    // `global x`: the function reads and writes the module's x where it lives, in static memory.
    else for (const name of globalDecls(this.inst.def.body)) { const slot = this.mod.globalSlots.get(name); if (slot) this.slots.set(name, slot); }
    for (const [name, slot] of this.slots) this.slotVar.set(slot, name);
    const body = this.block(() => {
      for (const s of entry) this.emit(s);
      const stmts = this.inst.def ? this.inst.def.body : this.mod.cp.top;
      this.stmts(stmts);
      if (this.inst.def) {
        this.releaseLocals();
        if (this.ret.kind !== 'none') this.emit({ k: 'return', values: this.zeroValues(this.ret) });
      } else this.releaseLocals();
    });
    const paramNames = new Set(params.map((p) => p.name));
    return {
      name: this.inst.name,
      arrays: [...this.arrayLocals],
      params,
      results: this.inst.def ? this.flatVTs(this.ret) : [],
      locals: [...this.locals].filter(([n]) => !paramNames.has(n)).map(([name, t]) => ({ name, t })),
      body,
    };
  }

  flatVTs(t: Type): VT[] {
    t = asStored(t);
    switch (t.kind) {
      case 'scalar': return [vtOf(t.dtype)];
      case 'array': case 'str': case 'list': return ['i32'];
      case 'tuple': return t.elems.flatMap((e) => this.flatVTs(e));
      default: return [];
    }
  }

  zeroValues(t: Type): Expr[] { return this.flatVTs(t).map((vt) => cst(vt, 0)); }

  flattenParams(slot: Slot, params: I.Local[], entry: Stmt[]): void {
    switch (slot.k) {
      case 's': params.push({ name: slot.name, t: vtOf(slot.dtype) }); break;
      case 'a':
        params.push({ name: slot.name, t: 'i32' });
        // Parameters are borrowed from the caller; the function owns a reference of its own.
        entry.push({ k: 'retain', desc: get(slot.name, 'i32') });
        entry.push(...this.block(() => this.loadShadows(slot)));
        break;
      case 'ld':
        params.push({ name: slot.name, t: 'i32' });
        entry.push({ k: 'retain', desc: get(slot.name, 'i32') });
        break;
      case 't': for (const s of slot.items) this.flattenParams(s, params, entry); break;
      default: break;
    }
  }

  slotFor(name: string, t: Type): Slot {
    if (this.inst.def === null && this.mod.globalSlots.has(name)) return this.mod.globalSlots.get(name)!;
    // A string is an array of its UTF-8 bytes (see strings.ts).
    if (t.kind === 'str') return this.slotFor(name, { kind: 'array', dtype: 'bool', ndim: 1 });
    t = asStored(t);
    switch (t.kind) {
      case 'list': { this.local(name, 'i32'); this.arrayLocals.push(name); return { k: 'ld', name, elem: t.elem }; }
      case 'scalar': return { k: 's', name: this.local(name, vtOf(t.dtype)), dtype: t.dtype };
      case 'array': {
        this.local(name, 'i32');
        this.local(name + '.d', 'i32');
        for (let k = 0; k < t.ndim; k++) { this.local(`${name}.n${k}`, 'i32'); this.local(`${name}.s${k}`, 'i32'); }
        this.arrayLocals.push(name);
        return { k: 'a', name, dtype: t.dtype, ndim: t.ndim };
      }
      case 'tuple': return { k: 't', items: t.elems.map((e, i) => this.slotFor(`${name}.${i}`, e)) };
      case 'team': return { k: 'team', tn: this.local(name + '.tn', 'i64'), nt: this.local(name + '.nt', 'i64') };
      case 'dtype': return { k: 'dt', dtype: t.dtype };
      default: return { k: 'none' };
    }
  }

  loadShadows(slot: Slot & { k: 'a' }): void {
    const d = get(slot.name, 'i32');
    this.set(slot.name + '.d', load('i32', 'i32', add32(d, i32(DESC.data))));
    for (let k = 0; k < slot.ndim; k++) {
      this.set(`${slot.name}.n${k}`, load('i32', 'i32', add32(d, i32(DESC.shape + 4 * k))));
      this.set(`${slot.name}.s${k}`, load('i32', 'i32', add32(d, i32(DESC.strides + 4 * k))));
    }
  }

  slotArr(slot: Slot & { k: 'a' }): ArrRef {
    return {
      desc: get(slot.name, 'i32'), data: get(slot.name + '.d', 'i32'), dtype: slot.dtype, ndim: slot.ndim,
      shape: range(slot.ndim).map((k) => get(`${slot.name}.n${k}`, 'i32')),
      strides: range(slot.ndim).map((k) => get(`${slot.name}.s${k}`, 'i32')),
    };
  }

  /** An ArrRef for a descriptor held in an expression: loads its fields into fresh locals. */
  arrFromDesc(desc: Expr, dtype: DType, ndim: number): ArrRef {
    const d = this.tmp(desc, 'desc');
    const f = (off: number, p: string) => this.tmp(load('i32', 'i32', add32(d, i32(off))), p);
    return {
      desc: d, data: f(DESC.data, 'data'), dtype, ndim,
      shape: range(ndim).map((k) => f(DESC.shape + 4 * k, 'n')),
      strides: range(ndim).map((k) => f(DESC.strides + 4 * k, 's')),
    };
  }

  releaseLocals(except?: Set<string>): void {
    for (const n of this.arrayLocals) if (!except?.has(n)) this.emit({ k: 'release', desc: get(n, 'i32') });
  }

  readSlot(slot: Slot): Val {
    switch (slot.k) {
      case 's': return { k: 's', e: get(slot.name, vtOf(slot.dtype)), dtype: slot.dtype };
      case 'a': return { k: 'a', a: this.slotArr(slot), owned: false };
      case 't': return { k: 't', items: slot.items.map((s) => this.readSlot(s)) };
      case 'gs': return { k: 's', e: load(vtOf(slot.dtype), memOf(slot.dtype) === 'u8' ? 'i32' : memOf(slot.dtype), i32(slot.addr)), dtype: slot.dtype };
      case 'ga': return { k: 'a', a: this.arrFromDesc(load('i32', 'i32', i32(slot.addr)), slot.dtype, slot.ndim), owned: false };
      case 'team': return { k: 'team', tn: get(slot.tn, 'i64'), nt: get(slot.nt, 'i64') };
      case 'dt': return { k: 'dtype', dtype: slot.dtype };
      case 'ld': return { k: 'a', a: this.arrFromDesc(get(slot.name, 'i32'), storageOf(slot.elem), 1), owned: false };
      case 'none': return { k: 'none' };
    }
  }

  /** Stores a value into a variable, taking ownership (moving an owned temp, retaining a borrowed one). */
  writeSlot(slot: Slot, v: Val, span: Span): void {
    const name = this.slotVar.get(slot);
    if (name && this.assigned?.flagged.has(name)) this.set(this.local(`${name}.set`, 'i32'), i32(1));
    switch (slot.k) {
      case 's': this.set(slot.name, this.scalarAs(v, slot.dtype, span)); return;
      case 'gs': this.emit({ k: 'store', mem: memOf(slot.dtype) === 'u8' ? 'i32' : memOf(slot.dtype), addr: i32(slot.addr), value: this.scalarAs(v, slot.dtype, span) }); return;
      case 'a': case 'ga': case 'ld': {
        if (v.k === 'str') v = materialize(this, v, span);
        if (v.k !== 'a') throw new Error('internal: array slot gets non-array');
        const nd = this.take(v);
        const oldName = this.fresh('old', 'i32');
        if (slot.k === 'ld') {
          this.set(oldName, get(slot.name, 'i32'));
          this.set(slot.name, nd);
        } else if (slot.k === 'a') {
          this.set(oldName, get(slot.name, 'i32'));
          this.set(slot.name, nd);
          this.loadShadows(slot);
        } else {
          this.set(oldName, load('i32', 'i32', i32(slot.addr)));
          this.emit({ k: 'store', mem: 'i32', addr: i32(slot.addr), value: nd });
        }
        this.emit({ k: 'release', desc: get(oldName, 'i32') });
        return;
      }
      case 't': {
        if (v.k !== 't') throw new Error('internal: tuple slot gets non-tuple');
        // Evaluate all parts before assigning so `a, b = b, a` swaps.
        const parts = v.items.map((it) => this.snapshot(it));
        slot.items.forEach((s, i) => this.writeSlot(s, parts[i], span));
        return;
      }
      case 'team': if (v.k === 'team') { this.set(slot.tn, v.tn); this.set(slot.nt, v.nt); } return;
      case 'dt': case 'none': return;
    }
  }

  /** Sets an array or list variable's descriptor without reference counting (a comprehension moving its result out). */
  writeSlotRaw(slot: Slot, desc: Expr): void {
    if (slot.k === 'ld' || slot.k === 'a') this.set(slot.name, desc);
    else if (slot.k === 'ga') this.emit({ k: 'store', mem: 'i32', addr: i32(slot.addr), value: desc });
  }

  /** Copies a value into fresh locals, so later assignments cannot change it (`a, b = b, a`). */
  snapshot(v: Val): Val {
    switch (v.k) {
      case 's': { const n = this.fresh('snap', exprType(v.e)); this.set(n, v.e); return { k: 's', e: get(n, exprType(v.e)), dtype: v.dtype }; }
      case 'a': {
        if (v.owned) return v;
        this.emit({ k: 'retain', desc: v.a.desc });
        return this.ownedArray(this.arrFromDesc(get(this.localCopy(v.a.desc), 'i32'), v.a.dtype, v.a.ndim));
      }
      case 't': return { k: 't', items: v.items.map((x) => this.snapshot(x)) };
      default: return v;
    }
  }

  localCopy(e: Expr): string { const n = this.fresh('cp', exprType(e)); this.set(n, e); return n; }

  /** Returns a descriptor expression holding one reference the caller now owns. */
  take(v: Val & { k: 'a' }): Expr {
    if (v.owned) {
      const t = this.temps.find((x) => x.a === v.a);
      if (t) t.moved = true;
      return v.a.desc;
    }
    this.emit({ k: 'retain', desc: v.a.desc });
    return v.a.desc;
  }

  ownedArray(a: ArrRef): Val {
    this.temps.push({ a, moved: false });
    return { k: 'a', a, owned: true };
  }

  releaseTemps(mark: number): void {
    const ts = this.temps.splice(mark);
    for (const t of ts) if (!t.moved) this.emit({ k: 'release', desc: t.a.desc });
  }

  scalarAs(v: Val, d: DType, span: Span): Expr {
    if (v.k !== 's') throw new Error(`internal: expected scalar at ${span.start}, got ${v.k}`);
    return convert(v.e, v.dtype, d);
  }
}

/** FnLowerer's methods live in one module per concern (the mixin classes); this is where they meet. */
export interface FnLowerer extends StatementLowering, ArrayLowering, ElementwiseLowering, ScalarLowering, ExpressionLowering, CallLowering, ReductionLowering {}
for (const mixin of [StatementLowering, ArrayLowering, ElementwiseLowering, ScalarLowering, ExpressionLowering, CallLowering, ReductionLowering]) {
  for (const key of Object.getOwnPropertyNames(mixin.prototype)) {
    if (key !== 'constructor') Object.defineProperty(FnLowerer.prototype, key, Object.getOwnPropertyDescriptor(mixin.prototype, key)!);
  }
}
