// The type checker: infers a dtype and rank for every expression and specializes each function per
// tuple of argument types (monomorphization, as Numba does). Its output is a set of FuncInstances,
// each holding the types of its expressions and the resolution of its calls; lowering reads them.
//
// Note [Side tables instead of a typed tree]: a function body is checked once per specialization,
// so types live in per-instance maps keyed by AST node rather than in a copied tree. This keeps
// the AST immutable and shared, and `--dump=typed` prints the AST with one instance's types.
import type * as A from './ast.js';
import { Code, DiagnosticBag, type Diagnostic } from './diagnostics.js';
import type { Span } from './source.js';
import { lineCol } from './source.js';
import { definiteAssignment, globalDecls, type Definite } from './definite.js';
import { starCall } from './check-unpack.js';
import { fstringParts, strIndex } from './check-strings.js';
import { elemUnify, listComp, listElem, listIndex, sameElem } from './check-lists.js';
import { assignedNames, exprText, Unknown } from './check-base.js';
import { builtin } from './check-calls.js';
import { builtinAsFunction } from './check-fnargs.js';
import { rewriteOperatorCall } from './check-operator-ufuncs.js';
import { rewriteNanReduction } from './check-nan-reductions.js';
import { rewriteFormula } from './check-formula-rewrites.js';
import { stmtInner } from './check-statements.js';
import { gridType, staticDtype, tupleSlice, vectorizedCall } from './check-numpy.js';
import {
  type Type, DTYPES, scalar, array, INT, FLOAT, BOOL, NONE, STR, promote, elemOf, typeKey, showType,
  kindOf, isFloat, showShape, withoutShapes, dtypeNamed,
} from './types.js';
import { collectImports, functionOptions, moduleOf, normalizeCall, type FuncOptions, type Imports } from './compat.js';
import { OperatorTyping } from './check-operators.js';
import { COMPLEX, complexCompare } from './check-complex.js';
import { ArgumentTyping } from './check-args.js';
import { IterationTyping } from './check-iteration.js';
import { NameTyping } from './check-names.js';

export type Resolved =
  | { kind: 'user'; inst: FuncInstance }
  | { kind: 'builtin'; name: string; self: A.Expr | null };

export interface ParLoopInfo { reductions: { name: string; op: '+' | '-' | '*' | '&' | '|' | '^' | 'max' | 'min' }[]; privates: string[] }

export interface FuncInstance {
  /** Unique wasm-level name: `f`, or `f$1` for further specializations. */
  name: string;
  def: A.FunctionDef | null;
  params: { name: string; type: Type }[];
  ret: Type | null;
  locals: Map<string, Type>;
  types: Map<A.Expr, Type>;
  calls: Map<A.Call, Resolved>;
  parloops: Map<A.For, ParLoopInfo>;
  /** Calls with starred arguments (`f(*t)`) and the calls they expand to here (check-unpack.ts). */
  starCalls: Map<A.Call, A.Call>;
  /** Module-level variables this function reads or writes (they live in memory). */
  globalsUsed: Set<string>;
  diags: DiagnosticBag;
  done: boolean;
  /** Its returns failed to type (already reported), so its result type is unknown. */
  failed?: boolean;
}

export interface CheckedProgram {
  main: FuncInstance;
  instances: FuncInstance[];
  /** Module-level variables that functions use: stored in static memory, not in main's locals. */
  globals: Map<string, Type>;
  functions: Map<string, A.FunctionDef>;
  /** The script's top-level statements (the body of `__main`). */
  top: A.Stmt[];
  /** What each function's decorators mean (Numba's parallel=, boundscheck=, ...). */
  options: Map<A.FunctionDef, FuncOptions>;
  /** Each body's definite-assignment analysis (keyed by the body's statement list). */
  definite: Map<A.Stmt[], Definite>;
  /** The arguments of each np.random call, by NumPy's parameter names. */
  randomArgs: Map<A.Call, Map<string, A.Expr>>;
}

/** Errors listed at most (then a note says how many more there are). */
const MAX_ERRORS = 20;

export function check(mod: A.Module, diags: DiagnosticBag): CheckedProgram {
  return new Checker(mod, diags).run();
}

/** Names read in a function body (any Name expression), for finding module-level variables functions use. */
function namesRead(node: unknown, out: Set<string>): Set<string> {
  if (Array.isArray(node)) { for (const x of node) namesRead(x, out); return out; }
  if (node && typeof node === 'object') {
    const n = node as { kind?: string; id?: string };
    if (n.kind === 'Name' && typeof n.id === 'string') out.add(n.id);
    for (const [k, v] of Object.entries(node)) if (k !== 'span' && v && typeof v === 'object') namesRead(v, out);
  }
  return out;
}

export class Checker {
  functions = new Map<string, A.FunctionDef>();
  instances = new Map<string, FuncInstance>();
  order: FuncInstance[] = [];
  globals = new Map<string, Type>();
  globalNames = new Set<string>();
  imports!: Imports;
  /** np.random calls' arguments by parameter name (randomCall), for lowering. */
  randomArgs = new Map<A.Call, Map<string, A.Expr>>();
  /** Calls whose NumPy positional arguments were rewritten as keywords, with the problems found (compat.ts normalizeCall). */
  normalized = new Map<A.Call, Diagnostic[]>();
  /** What each function's decorators make of it (language/compat.ts). */
  options = new Map<A.FunctionDef, FuncOptions>();
  /** Calls written as the methods a.round(k) and a.clip(lo, hi), rewritten to round(a, k) and clip(a, lo, hi): a Python number has no such method. */
  methodCalls = new Set<A.Call>();
  mainLocals: Map<string, Type> = new Map();
  /** Values assigned to an annotated target, with the declared type (np.load reads its type there). */
  annotated = new Map<A.Expr, Type>();
  /** Integer literals above int64's range allowed because they meet a uint64 (`np.uint64(2**64 - 1)`, `x & 0xffffffffffffffff`). */
  uint64Literals = new Set<A.Expr>();

  constructor(readonly mod: A.Module, readonly diags: DiagnosticBag) {}

  run(): CheckedProgram {
    const top: A.Stmt[] = [];
    const first = this.diags.items.length;
    this.imports = collectImports(this.mod.body, this.diags);
    for (const s of this.mod.body) {
      if (s.kind === 'FunctionDef') {
        if (this.functions.has(s.name)) this.diags.error(Code.Unsupported, `function '${s.name}' is defined twice; Par functions are defined once`, s.nameSpan);
        this.functions.set(s.name, s);
        this.options.set(s, functionOptions(s, this.imports, this.diags));
      } else top.push(s);
    }
    const topAssigned = assignedNames(top);
    for (const f of this.functions.values()) {
      const own = assignedNames(f.body);
      for (const n of globalDecls(f.body)) {
        own.delete(n);
        const p = f.params.find((q) => q.name === n);
        if (p) this.diags.error(Code.Unsupported, `name '${n}' is parameter and global`, p.span);
        else if (!topAssigned.has(n)) this.diags.error(Code.Unsupported, `'global ${n}' in function '${f.name}' names a variable the module never assigns; Par gives a module-level variable its type where the module assigns it (assign it at module level before the call)`, globalSpan(f.body, n) ?? f.nameSpan);
        else this.globalNames.add(n);
      }
      for (const p of f.params) own.add(p.name);
      for (const n of namesRead(f.body, new Set())) if (!own.has(n) && topAssigned.has(n)) this.globalNames.add(n);
    }
    const mainDef: A.FunctionDef = { kind: 'FunctionDef', name: '__main', nameSpan: this.mod.span, params: [], returns: null, body: top, span: this.mod.span };
    const main = this.newInstance('__main', null, []);
    this.checkBody(main, mainDef, true);
    // Fully annotated functions are entry points for JS (`program.call`) even when the script never
    // calls them: specialize them for their declared types.
    const roots: FuncInstance[] = [main];
    this.inst = main;
    this.mainLocals = main.locals;
    for (const def of this.functions.values()) {
      if (!def.params.every((_p, i) => this.declaredParam(def, i) !== undefined)) continue;
      const params = def.params.map((p, i) => ({ name: p.name, type: this.declaredParam(def, i)! }));
      if (params.some((p) => !p.type)) continue;
      roots.push(this.instantiate(def, params as { name: string; type: Type }[], def.nameSpan));
    }
    for (const [n, t] of main.locals) if (this.globalNames.has(n)) this.globals.set(n, t);
    for (const n of this.globalNames) main.locals.delete(n);
    // Only instances reached in the final pass of their callers count (see checkBody).
    const reached = new Set<FuncInstance>();
    const visit = (i: FuncInstance) => {
      if (reached.has(i)) return;
      reached.add(i);
      for (const r of i.calls.values()) if (r.kind === 'user') visit(r.inst);
    };
    roots.forEach(visit);
    const seen = new Set<string>();
    for (const i of [main, ...this.order]) {
      if (!reached.has(i)) continue;
      for (const d of i.diags.items) {
        const key = `${d.span.start}:${d.message}`;
        if (!seen.has(key)) { seen.add(key); this.diags.items.push(d); }
      }
    }
    // Users read a file top down; instances are checked in call order.
    const mine = this.diags.items.splice(first).sort((a, b) => a.span.start - b.span.start);
    // As compilers do, stop listing after a screenful: later errors are often consequences.
    const errors = mine.filter((d) => d.severity === 'error');
    if (errors.length > MAX_ERRORS) {
      const cut = mine.indexOf(errors[MAX_ERRORS]);
      mine.splice(cut, mine.length, { code: 0, severity: 'note', message: `${errors.length - MAX_ERRORS} more error${errors.length - MAX_ERRORS === 1 ? '' : 's'} not shown`, span: errors[MAX_ERRORS].span });
    }
    this.diags.items.push(...mine);
    return { main, instances: this.order.filter((i) => reached.has(i)), globals: this.globals, functions: this.functions, top, options: this.options, definite: this.definite, randomArgs: this.randomArgs };
  }

  /** A parameter's declared type: its annotation, or the Numba signature's; undefined when it has none, null when it is invalid. */
  declaredParam(def: A.FunctionDef, i: number): Type | null | undefined {
    const sig = this.options.get(def)?.signature;
    if (sig) return sig.params[i] ?? null;
    const ann = def.params[i].annotation;
    return ann ? this.annotation(ann) : undefined;
  }

  /** The declared result type (`-> T`, or the signature's), or null. */
  declaredReturn(def: A.FunctionDef): Type | null {
    const sig = this.options.get(def)?.signature;
    if (sig?.ret) return sig.ret;
    return def.returns ? this.annotation(def.returns) : null;
  }

  newInstance(name: string, def: A.FunctionDef | null, params: { name: string; type: Type }[]): FuncInstance {
    return { name, def, params, ret: null, locals: new Map(), types: new Map(), calls: new Map(), parloops: new Map(), starCalls: new Map(), globalsUsed: new Set(), diags: new DiagnosticBag(), done: false };
  }

  // ---- per-function state while checking a body ----
  inst!: FuncInstance;
  quiet = false;
  changed = false;
  localNames = new Set<string>();
  /** The names the function body declares `global` (empty for the module's body). */
  declaredGlobals = new Set<string>();
  retSoFar: Type | null = null;
  isMain = false;
  /** Enclosing loops and parallel regions, innermost last (for break/continue checks). */
  loops: ('loop' | 'prange' | 'share' | 'region')[] = [];
  parDepth = 0;
  /** Names of teams (`with parallel() as p`) whose block has ended in this function. */
  endedTeams = new Set<string>();
  /** How many `with p.lock` blocks enclose the statement being checked. */
  locks = 0;
  /** Variables whose assigning statement failed to check: reading them is not an error of its own (one root error per mistake). */
  poisoned = new Set<string>();
  mainPoisoned = new Set<string>();
  /** Whether a `return` of this pass failed to type. */
  retFailed = false;
  /** The definite-assignment analysis of the body being checked. */
  assigned!: Definite;
  /** Every body's definite-assignment analysis; lowering adds the run-time checks it asks for. */
  definite = new Map<A.Stmt[], Definite>();

  /** Checks a body to a fixpoint of its variables' types, then once more recording diagnostics. */
  checkBody(inst: FuncInstance, def: A.FunctionDef, isMain: boolean): void {
    const saved = { inst: this.inst, quiet: this.quiet, changed: this.changed, localNames: this.localNames, retSoFar: this.retSoFar, retFailed: this.retFailed, isMain: this.isMain, declaredGlobals: this.declaredGlobals, loops: this.loops, parDepth: this.parDepth, endedTeams: this.endedTeams, locks: this.locks, poisoned: this.poisoned, assigned: this.assigned };
    this.inst = inst; this.isMain = isMain; this.loops = []; this.parDepth = 0; this.endedTeams = new Set(); this.locks = 0;
    this.localNames = assignedNames(def.body);
    this.declaredGlobals = isMain ? new Set() : globalDecls(def.body);
    for (const n of this.declaredGlobals) this.localNames.delete(n);
    for (const p of inst.params) { this.localNames.add(p.name); inst.locals.set(p.name, p.type); }
    this.assigned = this.definiteOf(def.body, inst.params.map((p) => p.name));
    for (let iter = 0; ; iter++) {
      const last = iter >= 8;
      this.quiet = !last; this.changed = false; this.retSoFar = null; this.retFailed = false; this.poisoned = new Set();
      inst.types.clear(); inst.calls.clear(); inst.parloops.clear(); inst.starCalls.clear(); inst.diags.items.length = 0;
      if (isMain) { this.mainLocals = inst.locals; this.mainPoisoned = this.poisoned; }
      if (last) for (const d of this.assigned.errors) this.error(Code.UndefinedName, d.message, d.read.span);
      this.block(def.body);
      // A function whose every return failed to type has no result type: calls of it say nothing more.
      inst.failed = this.retSoFar === null && this.retFailed;
      let ret: Type = this.retSoFar ?? NONE;
      if (!isMain) {
        const ann = this.declaredReturn(def);
        if (ann) ret = ann;
      }
      if (inst.ret === null || typeKey(inst.ret) !== typeKey(ret)) { inst.ret = ret; this.changed = true; }
      if (last && !isMain && ret.kind !== 'none' && !definitelyReturns(def.body)) {
        this.error(Code.TypeMismatch, `function '${def.name}' returns ${showType(ret)} on some paths but can reach its end without a return (Python would return None there)`, def.nameSpan);
      }
      if (last) break;
      if (!this.changed) { iter = 7; }
    }
    inst.done = true;
    Object.assign(this, saved);
  }

  error(code: number, message: string, span: Span): void {
    this.inst.diags.error(code, message, span);
  }

  /** Where a body's variables may be read unassigned (language/definite.ts), once per body. */
  definiteOf(body: A.Stmt[], params: string[]): Definite {
    let d = this.definite.get(body);
    if (!d) {
      const file = this.mod.file;
      d = definiteAssignment(body, params, this.localNames, (at) => (file ? lineCol(file, at).line : 0), file?.text);
      this.definite.set(body, d);
    }
    return d;
  }

  // ---------------- statements ----------------
  block(body: A.Stmt[]): void { for (const s of body) this.stmt(s); }

  stmt(s: A.Stmt): void {
    const errors = this.inst.diags.items.length;
    let failed = false;
    try {
      stmtInner(this, s);
    } catch (e) {
      if (!(e instanceof Unknown)) throw e;
      failed = true;
    }
    // What a failed statement would have defined is unknown, not unassigned: say nothing more of it.
    if (failed || this.inst.diags.items.length > errors) {
      for (const n of assignedNames([s])) if (!this.inst.locals.has(n)) this.poisoned.add(n);
      if (s.kind === 'Return' && failed) this.retFailed = true;
    }
  }

  condition(e: A.Expr): void {
    const t = this.expr(e);
    if (t.kind === 'array') this.error(Code.TypeMismatch, 'the truth value of an array is ambiguous; use any(...) or all(...)', e.span);
    else if (t.kind !== 'scalar' && t.kind !== 'none' && t.kind !== 'str' && t.kind !== 'list') this.error(Code.TypeMismatch, `a condition must be a scalar, not ${showType(t)}`, e.span);
  }

  /** A for loop's (or comprehension's) target: a name, or a tuple of targets unpacking each item. */
  bindTarget(tg: A.Expr, t: Type): void {
    if (tg.kind === 'Name') { this.bindVar(tg.id, t, tg.span); this.inst.types.set(tg, this.inst.locals.get(tg.id) ?? t); return; }
    if (tg.kind === 'Tuple' && t.kind === 'tuple' && t.elems.length === tg.elts.length) { tg.elts.forEach((x, i) => this.bindTarget(x, t.elems[i])); this.inst.types.set(tg, t); return; }
    this.error(Code.TypeMismatch, tg.kind === 'Tuple' ? `cannot unpack ${showType(t)} into ${tg.elts.length} names` : 'a for loop target must be a name or a tuple of names', tg.span);
    throw new Unknown();
  }

  /** `p.attr` where `p` names the team of a region that has ended is an error (its threads are gone). */
  teamAlive(e: A.Attribute): void {
    if (e.value.kind !== 'Name' || !this.endedTeams.has(e.value.id)) return;
    this.error(Code.Unsupported, `'${e.value.id}' is the team of a parallel region that has ended; use it inside its 'with parallel() as ${e.value.id}:' block`, e.span);
    throw new Unknown();
  }

  // ---------------- variables and assignment ----------------
  bindVar(name: string, t: Type, span: Span): void {
    const inFunc = !this.isMain;
    // A `global` the module never assigns has been reported where it is declared.
    if (inFunc && this.declaredGlobals.has(name)) return this.globalNames.has(name) ? this.bindGlobal(name, t, span) : undefined;
    if (inFunc && !this.localNames.has(name) && this.globalNames.has(name)) {
      this.error(Code.Unsupported, `assigning to module-level variable '${name}' inside a function is not supported (Python would make it local)`, span);
      return;
    }
    const table = this.inst.locals;
    const old = table.get(name);
    if (!old) { table.set(name, t); this.changed = true; return; }
    const u = this.unify(old, t, span, `variable '${name}'`);
    if (fullKey(u) !== fullKey(old)) { table.set(name, u); this.changed = true; }
  }

  /** `x = v` in a function that declares `global x`: the module's variable keeps the one type the module gave it. */
  bindGlobal(name: string, t: Type, span: Span): void {
    if (this.parDepth > 0) {
      this.error(Code.Unsupported, `assigning module-level variable '${name}' inside a parallel loop or region is not supported: compute into a local variable and assign '${name}' after the loop`, span);
      return;
    }
    const old = this.mainLocals.get(name);
    if (!old) {
      if (!this.mainPoisoned.has(name)) this.error(Code.UndefinedName, `module-level variable '${name}' has no type yet where this function is first called; assign it before the call`, span);
      return;
    }
    const u = this.unify(old, t, span, `module-level variable '${name}'`);
    if (typeKey(strong(u)) !== typeKey(strong(old))) {
      this.error(Code.TypeMismatch, `assigning ${showType(t)} to module-level variable '${name}' would change its type from ${showType(old)}; Par gives it one type, the one the module assigns it (assign it a value of that type at module level)`, span);
      return;
    }
    this.inst.globalsUsed.add(name);
  }

  unify(a: Type, b: Type, span: Span, what: string): Type {
    if (a.kind === 'array' && b.kind === 'array' && typeKey(a) === typeKey(b)) {
      return a.shape && b.shape && a.shape.join() === b.shape.join() ? a : array(a.dtype, a.ndim);
    }
    if (typeKey(a) === typeKey(b)) return a;
    if (a.kind === 'scalar' && b.kind === 'scalar') {
      const p = promote(a, b);
      return scalar(p.dtype, a.weak && b.weak);
    }
    if (a.kind === 'tuple' && b.kind === 'tuple' && a.elems.length === b.elems.length) {
      return { kind: 'tuple', elems: a.elems.map((x, i) => this.unify(x, b.elems[i], span, what)) };
    }
    if (a.kind === 'list' && b.kind === 'list') return { kind: 'list', elem: !a.elem ? b.elem : !b.elem ? a.elem : elemUnify(this, a.elem, b.elem, span) };
    if (a.kind === 'none' || b.kind === 'none') {
      // Par has no optional types: None is a type of its own, never a value of another.
      this.error(Code.BadAssign, `${what} is None in one place and ${showType(a.kind === 'none' ? b : a)} in another; Par has no None value of another type`, span);
      return a.kind === 'none' ? b : a;
    }
    this.error(Code.BadAssign, `${what} has type ${showType(a)} and cannot also hold ${showType(b)}; Par gives each variable one type`, span);
    return a;
  }

  assignable(v: Type, target: Type): boolean {
    if (typeKey(v) === typeKey(target)) return true;
    if (v.kind === 'scalar' && target.kind === 'scalar') return true;
    return false;
  }

  assignTarget(tg: A.Expr, vt: Type, value: A.Expr): void {
    switch (tg.kind) {
      case 'Name':
        if (vt.kind === 'none' && value.kind === 'Call') { this.error(Code.TypeMismatch, `'${exprText(value)}' returns no value`, value.span); return; }
        if (vt.kind === 'builtin' || vt.kind === 'module' || vt.kind === 'exception') {
          this.error(Code.Unsupported, `cannot store ${showType(vt)} in a variable`, value.span); return;
        }
        this.bindVar(tg.id, vt, tg.span);
        this.inst.types.set(tg, this.inst.locals.get(tg.id) ?? vt);
        return;
      case 'Tuple': case 'List': {
        // `y, x = np.mgrid[0:h, 0:w]`: an array unpacks along its first axis (its extent is checked when it runs).
        if (vt.kind === 'array') { tg.elts.forEach((e) => this.assignTarget(e, vt.ndim === 1 ? scalar(vt.dtype) : array(vt.dtype, vt.ndim - 1), value)); return; }
        if (vt.kind !== 'tuple') { this.error(Code.TypeMismatch, `cannot unpack ${showType(vt)} into ${tg.elts.length} names`, value.span); return; }
        if (vt.elems.length !== tg.elts.length) { this.error(Code.TypeMismatch, `cannot unpack a tuple of ${vt.elems.length} into ${tg.elts.length} names`, value.span); return; }
        tg.elts.forEach((e, i) => this.assignTarget(e, vt.elems[i], value));
        return;
      }
      case 'Subscript': {
        const base = this.expr(tg.value);
        if (base.kind === 'list') {
          const it = listIndex(this, tg, base);
          if (it.kind === 'list') { this.error(Code.Unsupported, 'assigning to a slice of a list is not supported yet', tg.span); return; }
          if (!sameElem(this, vt, it)) this.error(Code.TypeMismatch, `cannot store ${showType(vt)} in a list of ${showType(it)} (Par lists hold one type)`, value.span);
          this.inst.types.set(tg, it);
          return;
        }
        if (base.kind !== 'array') { this.error(Code.TypeMismatch, `cannot assign into an element of ${showType(base)}`, tg.value.span); return; }
        const lhs = this.subscriptType(tg, base);
        this.inst.types.set(tg, lhs);
        if (vt.kind !== 'scalar' && vt.kind !== 'array') { this.error(Code.TypeMismatch, `cannot assign ${showType(vt)} into an array`, value.span); return; }
        if (lhs.kind === 'scalar' && vt.kind === 'array') { this.error(Code.TypeMismatch, 'cannot assign an array into a single element', value.span); return; }
        if (vt.kind === 'scalar' && vt.weak) this.literalFits(value, base.dtype);
        if (lhs.kind === 'array' && vt.kind === 'array' && vt.ndim > lhs.ndim) this.error(Code.ShapeMismatch, `cannot assign a ${vt.ndim}-d array into a ${lhs.ndim}-d slice`, value.span);
        return;
      }
      case 'Attribute':
        this.error(Code.Unsupported, `cannot assign to attribute '${tg.attr}'`, tg.span);
        return;
      default:
        this.error(Code.Syntax, 'cannot assign to this expression', tg.span);
    }
  }

  annotation(e: A.Expr): Type | null {
    // int, float, bool, float64, float64[:], float64[:, :]
    const scalarOf = (n: string): Type | null => {
      if (n === 'int') return INT;
      if (n === 'float') return FLOAT;
      if (n === 'bool') return BOOL;
      if (n === 'str') return STR;
      const d = dtypeNamed(n);
      return d ? scalar(d) : null;
    };
    const nameOf = (x: A.Expr) => (x.kind === 'Name' ? x.id : x.kind === 'Attribute' && x.value.kind === 'Name' ? x.attr : null);
    if (e.kind === 'Name' || e.kind === 'Attribute') {
      const n = nameOf(e);
      const t = n ? scalarOf(n) : null;
      if (t) return t;
    } else if (e.kind === 'Subscript') {
      const n = nameOf(e.value);
      const t = n ? scalarOf(n) : null;
      if (t && t.kind === 'scalar' && e.index.every((i) => i.kind === 'Slice' && !i.ellipsis)) return array(t.weak ? (t.dtype === 'int64' ? 'int64' : t.dtype) : t.dtype, e.index.length);
    } else if (e.kind === 'None') return NONE;
    this.error(Code.BadAnnotation, `unsupported type annotation '${exprText(e)}' (use int, float, bool, a dtype such as float64, or float64[:, :])`, e.span);
    return null;
  }

  // ---------------- expressions ----------------
  expr(e: A.Expr): Type {
    const t = this.exprInner(e);
    this.inst.types.set(e, t);
    return t;
  }

  exprInner(e: A.Expr): Type {
    switch (e.kind) {
      case 'Int':
        if ((e.value > 0x7fffffffffffffffn && !this.uint64Literals.has(e)) || e.value < -0x8000000000000000n) this.error(Code.TypeMismatch, 'integer literal does not fit in int64', e.span);
        // Past int64 (where a uint64 allows it) the literal is a Python int with uint64's bits.
        return e.value > 0x7fffffffffffffffn ? scalar('uint64', true) : INT;
      case 'Float': return FLOAT;
      case 'Imag': return COMPLEX;
      case 'Bool': return BOOL;
      case 'Str': return STR;
      case 'JoinedStr': fstringParts(this, e.parts); return STR;
      case 'None': return NONE;
      case 'Name': return this.name(e);
      case 'Unary': {
        // -9223372036854775808 is int64's minimum, though its digits alone are past int64.
        if (e.op === '-' && e.operand.kind === 'Int' && e.operand.value === 0x8000000000000000n) { this.inst.types.set(e.operand, INT); return INT; }
        const t = this.expr(e.operand);
        if (t.kind === 'complex' && e.op !== '~') return e.op === 'not' ? BOOL : COMPLEX;
        const el = elemOf(t);
        if (!el) { this.error(Code.TypeMismatch, `bad operand type for unary '${e.op}': ${showType(t)}`, e.span); throw new Unknown(); }
        if (e.op === 'not') {
          if (t.kind === 'array') this.error(Code.TypeMismatch, "'not' of an array is ambiguous; use ~a or logical_not", e.span);
          return BOOL;
        }
        let d = el.dtype;
        if (e.op === '~' && isFloat(d)) this.error(Code.TypeMismatch, `'~' needs integers or booleans, got ${d}`, e.span);
        if ((e.op === '-' || e.op === '+') && d === 'bool') d = 'int64';
        return t.kind === 'array' ? array(d, t.ndim) : scalar(d, el.weak);
      }
      case 'Binary': {
        const l = this.expr(e.left);
        if (l.kind === 'scalar' || l.kind === 'array') this.allowUint64Literal(e.right, l.dtype);
        const r = this.expr(e.right);
        this.literalInRange(e.left, r, l);
        return this.binaryType(e.op, l, r, e.span, e.right);
      }
      case 'Compare': {
        let left = this.expr(e.left);
        let res: Type = BOOL;
        e.comparators.forEach((c, i) => {
          if (left.kind === 'scalar' || left.kind === 'array') this.allowUint64Literal(c, left.dtype);
          const r = this.expr(c);
          const op = e.ops[i];
          if ((op === 'in' || op === 'not in') && !(left.kind === 'str' && r.kind === 'str') && r.kind !== 'list') { this.error(Code.Unsupported, `'${op}' is supported for strings and lists in Par`, e.span); throw new Unknown(); }
          if (op === 'is' || op === 'is not') {
            if (left.kind !== 'none' && r.kind !== 'none') this.error(Code.Unsupported, `'${op}' is only supported with None`, e.span);
            return;
          }
          if ((op === '==' || op === '!=') && (left.kind === 'dtype' || r.kind === 'dtype')) {
            // `a.dtype == np.float32`: known when compiling (see staticDtypeEq).
            const other = left.kind === 'dtype' ? c : e.left;
            if (staticDtype(other, left.kind === 'dtype' ? r : left) === undefined) this.error(Code.TypeMismatch, `cannot compare a dtype with ${showType(left.kind === 'dtype' ? r : left)}`, e.span);
            left = r;
            return;
          }
          if (left.kind === 'str' && r.kind === 'str') { left = r; return; }
          if ((op === 'in' || op === 'not in') && r.kind === 'list') {
            if (r.elem && !sameElem(this, left, r.elem)) this.error(Code.TypeMismatch, `'${op}' looks for ${showType(left)} in a list of ${showType(r.elem)}`, e.span);
            left = r;
            return;
          }
          if ((op === '==' || op === '!=') && left.kind === 'list' && r.kind === 'list') { left = r; return; }
          if (left.kind === 'complex' || r.kind === 'complex') { complexCompare(this, op, left, r, e.span); left = r; return; }
          const a = elemOf(left), b = elemOf(r);
          if (!a || !b) { this.error(Code.TypeMismatch, `cannot compare ${showType(left)} with ${showType(r)}`, e.span); throw new Unknown(); }
          if (left.kind === 'array' || r.kind === 'array') {
            if (e.ops.length > 1) this.error(Code.TypeMismatch, 'chained comparisons of arrays are ambiguous; combine with &', e.span);
            res = array('bool', this.broadcastRank(left, r, e.span), this.staticBroadcast(left, r, e.span));
          }
          left = r;
        });
        return res;
      }
      case 'BoolOp': {
        let t: Type | null = null;
        const types = e.values.map((v) => this.expr(v));
        // `name or "default"`: strings, all of them (a Par expression has one type).
        if (types.every((vt) => vt.kind === 'str')) return STR;
        e.values.forEach((v, i) => {
          const vt = types[i];
          if (vt.kind !== 'scalar') { this.error(Code.TypeMismatch, `'${e.op}' needs scalars or strings, got ${showType(vt)} (use & or | for arrays)`, v.span); throw new Unknown(); }
          t = t ? (t.kind === 'scalar' && t.dtype === 'bool' && vt.dtype === 'bool' ? BOOL : this.unify(t, vt, v.span, `'${e.op}' operand`)) : vt;
        });
        return t!;
      }
      case 'IfExp': {
        this.condition(e.test);
        const a = this.expr(e.body), b = this.expr(e.orelse);
        return this.unify(a, b, e.span, 'conditional expression');
      }
      case 'Call': {
        const x = starCall(this, e);
        return x === e ? this.call(e) : this.expr(x);
      }
      case 'Attribute': return this.attribute(e);
      case 'Subscript': {
        const base = this.expr(e.value);
        if (base.kind === 'tuple') {
          // t[i:j:k] with literal bounds (a.shape[1:]): the tuple of those items.
          const picked = e.index.length === 1 ? tupleSlice(e.index[0], base.elems.length) : null;
          if (picked) return { kind: 'tuple', elems: picked.map((i) => base.elems[i]) };
          // t[-1]: the literal -1 (the parser gives negation of 1).
          const ix0 = e.index[0];
          if (e.index.length === 1 && ix0.kind === 'Unary' && ix0.op === '-' && ix0.operand.kind === 'Int') e.index[0] = { kind: 'Int', value: -ix0.operand.value, span: ix0.span };
          if (e.index.length !== 1 || e.index[0].kind !== 'Int') { this.error(Code.TypeMismatch, 'a tuple can only be indexed by an integer literal', e.span); throw new Unknown(); }
          this.expr(e.index[0]);
          let i = Number((e.index[0] as A.IntLit).value);
          if (i < 0) i += base.elems.length;
          if (i < 0 || i >= base.elems.length) { this.error(Code.IndexError, `tuple index ${(e.index[0] as A.IntLit).value} out of range for a tuple of ${base.elems.length}`, e.span); throw new Unknown(); }
          return base.elems[i];
        }
        if (base.kind === 'builtin' && (base.name === 'mgrid' || base.name === 'ogrid')) return gridType(this, e, base.name);
        if (base.kind === 'str') return strIndex(this, e);
        if (base.kind === 'list' || base.kind === 'range') return listIndex(this, e, base);
        if (base.kind !== 'array') { this.error(Code.TypeMismatch, `${showType(base)} cannot be indexed`, e.value.span); throw new Unknown(); }
        return this.subscriptType(e, base);
      }
      case 'Slice': this.error(Code.Syntax, 'a slice is only allowed inside [...]', e.span); throw new Unknown();
      case 'Tuple': return { kind: 'tuple', elems: e.elts.map((x) => this.expr(x)) };
      case 'List': return { kind: 'list', elem: e.elts.length ? e.elts.map((x) => listElem(this, this.expr(x), x.span)).reduce((a, b, i) => elemUnify(this, a, b, e.elts[i].span)) : null };
      case 'ListComp': return listComp(this, e);
      case 'Lambda': this.error(Code.Unsupported, 'lambda is not supported yet; define a function with def', e.span); throw new Unknown();
    }
  }

  /** The builtin a call names, through imports (`np.zeros`, `numba.prange`, `from numba import prange as pr`); `p.x` for a team's. */
  calleeName(f: A.Expr): string | null {
    const isLocal = (n: string) => this.localNames.has(n) || this.inst.locals.has(n);
    if (f.kind === 'Name') return (!isLocal(f.id) && this.imports.names.get(f.id)?.name) || f.id;
    if (f.kind !== 'Attribute') return null;
    if (moduleOf(f.value, this.imports, isLocal)) return f.attr;
    if (f.value.kind === 'Name') {
      const t = this.inst.types.get(f.value) ?? this.inst.locals.get(f.value.id);
      if (t?.kind === 'team') return 'p.' + f.attr;
    }
    return null;
  }

  // ---------------- calls ----------------
  call(c: A.Call): Type {
    // NumPy's method form a.round(k) is the function round(a, k); rewritten once, before typing.
    if (c.func.kind === 'Attribute' && c.func.attr === 'round' && this.calleeName(c.func) === null) {
      c.args = [c.func.value, ...c.args];
      c.func = { kind: 'Name', id: 'round', span: c.func.span };
      this.methodCalls.add(c);
    }
    // a.clip(lo, hi) is np.clip(a, lo, hi) (written through the module: a function of the program may be called clip).
    if (c.func.kind === 'Attribute' && c.func.attr === 'clip' && this.calleeName(c.func) === null) {
      const span = c.func.span;
      c.args = [c.func.value, ...c.args];
      c.func = { kind: 'Attribute', value: { kind: 'Name', id: 'numpy', span }, attr: 'clip', attrSpan: c.func.attrSpan, span };
      this.methodCalls.add(c);
    }
    const ft = this.expr(c.func);
    if (ft.kind === 'builtin' && ft.name.startsWith('op:')) return this.expr(rewriteOperatorCall(this, c, ft.name.slice(3)));
    if (ft.kind === 'builtin' && ft.name.startsWith('nan:')) return this.expr(rewriteNanReduction(this, c, ft.name.slice(4)));
    if (ft.kind === 'builtin' && ft.name.startsWith('formula:')) return this.expr(rewriteFormula(this, c, ft.name.slice(8)));
    if (ft.kind === 'func' && this.options.get(this.functions.get(ft.name)!)?.vectorize) return vectorizedCall(this, c, this.functions.get(ft.name)!);
    if (ft.kind === 'func') return this.userCall(c, this.functions.get(ft.name)!, c.args, c.keywords);
    if (ft.kind === 'dtype') return this.convert(c, ft.dtype, false);
    if (ft.kind !== 'builtin') { this.error(Code.NotCallable, `${showType(ft)} is not callable`, c.func.span); throw new Unknown(); }
    const name = ft.name;
    const self = name.startsWith('.') ? (c.func as A.Attribute).value : null;
    const viaModule = c.func.kind === 'Attribute' && this.inst.types.get(c.func.value)?.kind === 'module';
    let problems = this.normalized.get(c);
    if (!problems) this.normalized.set(c, problems = normalizeCall(c, self ? name.slice(1) : name, self !== null, viaModule).items);
    for (const d of problems) this.error(d.code, d.message, d.span);
    this.inst.calls.set(c, { kind: 'builtin', name, self });
    return builtin(this, c, name, self);
  }

  userCall(c: A.Call, def: A.FunctionDef, args: A.Expr[], keywords: A.Keyword[], preTyped?: Type[]): Type {
    // `def f(a, *args)`: the extra positional arguments are passed as one tuple (a syntactic
    // rewrite of the call, once; each number of extra arguments specializes f anew).
    const star = def.params.findIndex((p) => p.star);
    if (star >= 0 && !preTyped && args === c.args) {
      if (!packedCalls.has(c)) {
        const extra = c.args.slice(star);
        const span = extra.length ? { start: extra[0].span.start, end: extra[extra.length - 1].span.end } : c.span;
        c.args = [...c.args.slice(0, star), { kind: 'Tuple', elts: extra, span }];
        packedCalls.add(c);
      }
      args = c.args;
      const kwStar = keywords.find((k) => k.name === def.params[star].name);
      if (kwStar) { this.error(Code.ArgCount, `${def.name}() got an unexpected keyword argument '${kwStar.name}'`, kwStar.span); throw new Unknown(); }
    } else if (star >= 0 && (preTyped || args !== c.args)) {
      this.error(Code.Unsupported, `${def.name}() has a '*${def.params[star].name}' parameter, which this kind of call does not fill yet`, c.span);
      throw new Unknown();
    }
    const types: (Type | null)[] = def.params.map(() => null);
    const argSpans: Span[] = def.params.map(() => c.span);
    const argExprs: (A.Expr | null)[] = def.params.map(() => null);
    if (args.length > def.params.length) { this.error(Code.ArgCount, `${def.name}() takes ${def.params.length} argument${def.params.length === 1 ? '' : 's'} but ${args.length} were given`, c.span); throw new Unknown(); }
    args.forEach((a, i) => { types[i] = preTyped ? preTyped[i] : this.expr(a); argSpans[i] = a.span; argExprs[i] = a; });
    for (const k of keywords) {
      const i = def.params.findIndex((p) => p.name === k.name);
      if (i < 0) { this.error(Code.ArgCount, `${def.name}() got an unexpected keyword argument '${k.name}'`, k.span); throw new Unknown(); }
      if (types[i]) { this.error(Code.ArgCount, `${def.name}() got multiple values for argument '${k.name}'`, k.span); throw new Unknown(); }
      types[i] = this.expr(k.value); argSpans[i] = k.value.span; argExprs[i] = k.value;
    }
    const params: { name: string; type: Type }[] = [];
    def.params.forEach((p, i) => {
      let t = types[i];
      if (!t) {
        if (!p.default) { this.error(Code.ArgCount, `${def.name}() missing required argument '${p.name}'`, c.span); throw new Unknown(); }
        t = this.expr(p.default);
      }
      const ann = this.declaredParam(def, i);
      if (ann) {
        const ok = ann.kind === 'scalar' && t.kind === 'scalar' ? (kindOf(t.dtype) <= kindOf(ann.dtype)) : typeKey(ann).replace('~', '') === typeKey(t).replace('~', '');
        if (!ok) this.error(Code.TypeMismatch, `argument '${p.name}' of ${def.name}() must be ${showType(ann)}, got ${showType(t)}`, argSpans[i]);
        t = ann;
      }
      if (t.kind === 'builtin') t = (argExprs[i] && builtinAsFunction(this, t.name, argExprs[i]!)) || t;
      if (t.kind === 'builtin' || t.kind === 'module' || t.kind === 'exception' || t.kind === 'none') { this.error(Code.TypeMismatch, `cannot pass ${showType(t)} to a function`, argSpans[i]); throw new Unknown(); }
      params.push({ name: p.name, type: withoutShapes(t) });
    });
    const inst = this.instantiate(def, params, c.span);
    this.inst.calls.set(c, { kind: 'user', inst });
    // A function still being checked whose every return failed may have failed only through this
    // very call (`return f(n + 1) + 1`): say so, or nothing would report the error.
    const recursiveFailure = inst.failed && !inst.done;
    if (inst.failed && !recursiveFailure) throw new Unknown();
    if (!inst.ret || recursiveFailure) {
      if (!this.quiet) this.error(Code.RecursiveInference, `cannot infer the return type of recursive function '${def.name}' here; return a value before the recursive call or annotate '-> type'`, c.span);
      this.changed = true;
      throw new Unknown();
    }
    return inst.ret;
  }

  instantiate(def: A.FunctionDef, params: { name: string; type: Type }[], _span: Span): FuncInstance {
    const key = def.name + '(' + params.map((p) => typeKey(p.type)).join(',') + ')';
    let inst = this.instances.get(key);
    if (inst) {
      // A recursive call to an instance being checked: use the return type found so far.
      if (!inst.done && inst.ret === null && inst === this.inst && this.retSoFar) return { ...inst, ret: this.retSoFar } as FuncInstance === inst ? inst : (inst.ret = this.retSoFar, inst);
      return inst;
    }
    const n = [...this.instances.values()].filter((i) => i.def === def).length;
    inst = this.newInstance(n === 0 ? def.name : `${def.name}$${n}`, def, params);
    inst.ret = this.declaredReturn(def);
    this.instances.set(key, inst);
    this.order.push(inst);
    this.checkBody(inst, def, false);
    return inst;
  }

  // ---------------- more of NumPy: divmod, roll, meshgrid, bincount, isclose, nonzero, linalg.norm ----------------
}

/** Whether every path through a body ends in return or raise (so it cannot fall off the end). */
function definitelyReturns(body: A.Stmt[]): boolean {
  const hasBreak = (ss: A.Stmt[]): boolean => ss.some((s) => s.kind === 'Break' || (s.kind === 'If' && (hasBreak(s.body) || hasBreak(s.orelse))) || (s.kind === 'With' && hasBreak(s.body)));
  return body.some((s) => {
    switch (s.kind) {
      case 'Return': case 'Raise': return true;
      case 'If': return definitelyReturns(s.body) && definitelyReturns(s.orelse);
      case 'With': return definitelyReturns(s.body);
      case 'While': return ((s.test.kind === 'Bool' && s.test.value) || (s.test.kind === 'Int' && s.test.value !== 0n)) && !hasBreak(s.body);
      default: return false;
    }
  });
}

/** typeKey plus compile-time shapes, to notice when unification forgets a shape. */
function fullKey(t: Type): string {
  return typeKey(t) + (t.kind === 'array' && t.shape ? showShape(t.shape) : '') + (t.kind === 'tuple' ? t.elems.map(fullKey).join() : '');
}

export { DTYPES };

/** Calls of `*args` functions whose extra arguments have been packed into a tuple. */
const packedCalls = new WeakSet<A.Call>();

/** A type with its scalars' weakness dropped: a module-level variable's storage does not depend on it. */
function strong(t: Type): Type {
  if (t.kind === 'scalar') return t.weak ? { ...t, weak: false } : t;
  if (t.kind === 'tuple') return { kind: 'tuple', elems: t.elems.map(strong) };
  return t;
}

/** Where a body declares `global name`. */
function globalSpan(body: A.Stmt[], name: string): Span | null {
  for (const s of body) {
    if (s.kind === 'Global' && s.names.includes(name)) return s.span;
    const inner = s.kind === 'If' ? [...s.body, ...s.orelse] : s.kind === 'For' || s.kind === 'While' || s.kind === 'With' ? s.body : [];
    const found = inner.length ? globalSpan(inner, name) : null;
    if (found) return found;
  }
  return null;
}

/** Checker's methods in other modules (mixin classes): this is where they meet. */
export interface Checker extends OperatorTyping, ArgumentTyping, IterationTyping, NameTyping {}
for (const mixin of [OperatorTyping, ArgumentTyping, IterationTyping, NameTyping]) {
  for (const key of Object.getOwnPropertyNames(mixin.prototype)) {
    if (key !== 'constructor') Object.defineProperty(Checker.prototype, key, Object.getOwnPropertyDescriptor(mixin.prototype, key)!);
  }
}
