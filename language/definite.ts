// Definite assignment. Python raises UnboundLocalError (NameError at module level) when a local
// variable is read on a path where it was never assigned; Par would otherwise read 0. For every read of a
// local of one body (a function, or the module's top-level statements) a forward dataflow over
// the structured statements decides whether the variable is assigned on every path ('yes'), may
// be unassigned on a path that does not depend on how often a loop ran ('no': a compile-time
// error), or only on paths that do ('loop': checked at run time, the lowering keeps a flag).
import type * as A from './ast.js';

export type State = 'no' | 'loop' | 'yes';

export interface DefiniteError {
  read: A.Name;
  /** The path, e.g. "when the 'if' at line 3 is false"; empty when no branch needs naming. */
  reason: string;
  /** The whole diagnostic: "name 'y' may be used before it is assigned (when ...)". */
  message: string;
}

export interface Definite {
  /** Reads to report at compile time, in source order. */
  errors: DefiniteError[];
  /** Reads that need a run-time check (state 'loop'). */
  checked: Set<A.Name>;
  /** Variables that need an "assigned" flag at run time (those with checked reads). */
  flagged: Set<string>;
  /** The state of every read of a tracked variable (unreachable reads are 'yes'). */
  states: Map<A.Name, State>;
}

/** The list comprehension node the AST may gain; handled here so that its scope is right from the start. */
interface ListComp { kind: 'ListComp'; elt: A.Expr; generators: { target: A.Expr; iter: A.Expr; ifs: A.Expr[] }[] }

interface Cell {
  st: State;
  /** For 'no': the decisions of one path that reaches here unassigned. */
  why: readonly string[];
  /** For 'no': assigned on at least one path reaching here (the message says "may be used"). */
  some: boolean;
  /** For 'no': assigned on at least one path since the head of the innermost enclosing loop, so
   * that whether it is assigned at the back edge depends on what this iteration did. */
  here: boolean;
}
type Env = Map<string, Cell> | null; // null: unreachable

const YES: Cell = { st: 'yes', why: [], some: true, here: true };
const NO: Cell = { st: 'no', why: [], some: false, here: false };
const LOOP: Cell = { st: 'loop', why: [], some: true, here: true };
const RANK: Record<State, number> = { no: 0, loop: 1, yes: 2 };

/** Which of two unassigned paths to name: one where it was never assigned, then the shorter. */
function better(a: Cell, b: Cell): Cell {
  if (a.some !== b.some) return a.some ? b : a;
  return b.why.length < a.why.length ? b : a;
}

/** Merge of two paths: the minimum. */
function meet(a: Cell, b: Cell): Cell {
  if (a.st === 'no' && b.st === 'no') return { ...better(a, b), some: a.some || b.some, here: a.here || b.here };
  if (RANK[a.st] !== RANK[b.st]) {
    // In a loop body both sides come from the head, so the assigned side was assigned since it.
    const lo = RANK[a.st] < RANK[b.st] ? a : b;
    return lo.st === 'no' ? { ...lo, some: true, here: true } : lo;
  }
  return a;
}

/**
 * At a loop head (a: entry, b: back edge) and at its exit (a: the head, b: the breaks). Unassigned
 * on entry but assigned on some path around the loop means the variable's state depends on the
 * iterations already run: 'loop'. Branches in a loop body often test the iteration (`if i > 0:`),
 * so one assignment on one path around the loop is enough. At the exit only the breaks count:
 * a break reached unassigned is a path of the current iteration alone.
 */
function loopMeet(a: Cell, b: Cell, head: boolean): Cell {
  if (a.st === 'no' && (b.st !== 'no' || (head && b.here))) return LOOP;
  // Both unassigned at the exit: name the break's path, which shows where an assignment is missing.
  if (a.st === 'no' && b.st === 'no' && !head) return { ...b, some: a.some || b.some, here: a.here || b.here };
  return meet(a, b);
}

function join(a: Env, b: Env, f: (x: Cell, y: Cell, k: string) => Cell): Env {
  if (!a) return b && new Map(b);
  if (!b) return new Map(a);
  const out = new Map<string, Cell>();
  for (const [k, x] of a) out.set(k, f(x, b.get(k)!, k));
  return out;
}

function sameStates(a: Env, b: Env): boolean {
  if (!a || !b) return a === b;
  for (const [k, x] of a) { const y = b.get(k)!; if (x.st !== y.st || x.some !== y.some || x.here !== y.here) return false; }
  return true;
}

const isTrue = (e: A.Expr) => (e.kind === 'Bool' && e.value) || (e.kind === 'Int' && e.value !== 0n);

/** Names a body assigns anywhere (Python's rule for what is local), not descending into defs.
 *  `imports`: whether imported names count (Python binds them; Par's checker resolves modules before
 *  checking, so for it they are not variables). */
export function localNames(body: A.Stmt[], imports = true): Set<string> {
  return assignedIn(body, imports, new Set());
}

/** The names a body declares `global`, anywhere in it (Python applies them to the whole body). */
export function globalDecls(body: A.Stmt[], out = new Set<string>()): Set<string> {
  for (const s of body) {
    switch (s.kind) {
      case 'Global': s.names.forEach((n) => out.add(n)); break;
      case 'For': case 'While': case 'With': globalDecls(s.body, out); break;
      case 'If': globalDecls(s.body, out); globalDecls(s.orelse, out); break;
      default: break;
    }
  }
  return out;
}

function assignedIn(body: A.Stmt[], imports: boolean, out: Set<string>): Set<string> {
  const target = (t: A.Expr) => {
    if (t.kind === 'Name') out.add(t.id);
    else if (t.kind === 'Tuple' || t.kind === 'List') t.elts.forEach(target);
  };
  const inner = (ss: A.Stmt[]) => assignedIn(ss, imports, out);
  for (const s of body) {
    switch (s.kind) {
      case 'Assign': s.targets.forEach(target); break;
      case 'AugAssign': case 'AnnAssign': target(s.target); break;
      case 'For': target(s.target); inner(s.body); break;
      case 'While': inner(s.body); break;
      case 'If': inner(s.body); inner(s.orelse); break;
      case 'With': for (const it of s.items) if (it.asName) out.add(it.asName); inner(s.body); break;
      case 'Import': if (imports) out.add(s.asName ?? s.module.split('.')[0]); break;
      case 'ImportFrom': if (imports && s.names !== '*') for (const n of s.names) out.add(n.asName ?? n.name); break;
      default: break;
    }
  }
  return out;
}

/**
 * The analysis of one body. `locals` are the names it assigns (see localNames); parameters are
 * assigned on entry. `text`, the source, only lets reasons say 'elif' rather than 'if'.
 */
export function definiteAssignment(body: A.Stmt[], params: string[], locals: Set<string>,
  lineOf: (offset: number) => number, text?: string): Definite {
  const tracked = new Set([...locals, ...params]);
  const w = new Walk(tracked, lineOf, text);
  const env: Env = new Map();
  for (const n of tracked) env.set(n, NO);
  for (const p of params) env.set(p, YES);
  w.block(body, env);

  const out: Definite = { errors: [], checked: new Set(), flagged: new Set(), states: new Map() };
  const reads = [...w.reads].sort((x, y) => x[0].span.start - y[0].span.start);
  for (const [read, c] of reads) {
    out.states.set(read, c.st);
    if (c.st === 'loop') {
      out.checked.add(read);
      out.flagged.add(read.id);
    } else if (c.st === 'no') {
      const reason = c.why.length ? `when ${c.why.length > 1 ? `${c.why.slice(0, -1).join(', ')} and ${c.why[c.why.length - 1]}` : c.why[0]}` : '';
      const message = !c.some ? `name '${read.id}' is used before it is assigned`
        : `name '${read.id}' may be used before it is assigned${reason ? ` (${reason})` : ''}`;
      out.errors.push({ read, reason, message });
    }
  }
  return out;
}

interface LoopFrame { brk: Env; cont: Env }

class Walk {
  /** The state at each read; a read inside a loop is overwritten by every pass, the last one at the fixpoint. */
  reads = new Map<A.Name, Cell>();
  loops: LoopFrame[] = [];
  constructor(readonly tracked: Set<string>, readonly lineOf: (offset: number) => number, readonly text?: string) {}

  block(body: A.Stmt[], env: Env): Env {
    // Statements after a return/raise/break/continue are still walked: their reads are 'yes'.
    for (const s of body) env = this.stmt(s, env);
    return env;
  }

  assign(name: string, env: Env): void {
    if (env && this.tracked.has(name)) env.set(name, YES);
  }

  read(n: A.Name, env: Env): void {
    if (this.tracked.has(n.id)) this.reads.set(n, env ? env.get(n.id)! : YES);
  }

  /** An assignment target: subscripts and attributes read their base and indices, names are assigned. */
  target(t: A.Expr, env: Env): void {
    switch (t.kind) {
      case 'Name': this.assign(t.id, env); return;
      case 'Tuple': case 'List': for (const x of t.elts) this.target(x, env); return;
      default: this.expr(t, env); return;
    }
  }

  stmt(s: A.Stmt, env: Env): Env {
    switch (s.kind) {
      case 'ExprStmt': this.expr(s.expr, env); return env;
      case 'Assign':
        this.expr(s.value, env);
        for (const t of s.targets) this.target(t, env);
        return env;
      case 'AugAssign':
        this.expr(s.target, env);
        this.expr(s.value, env);
        if (s.target.kind === 'Name') this.assign(s.target.id, env);
        return env;
      case 'AnnAssign':
        // Annotations of variables are not evaluated (and the oracle defers all of them).
        if (s.value) { this.expr(s.value, env); this.target(s.target, env); } else if (s.target.kind !== 'Name') this.expr(s.target, env);
        return env;
      case 'If': {
        this.expr(s.test, env);
        const yes = this.block(s.body, env && new Map(env));
        const no = this.block(s.orelse, env && new Map(env));
        return this.joinIf(s, env, yes, no);
      }
      case 'While': case 'For': return this.loop(s, env);
      case 'Break': case 'Continue': {
        const f = this.loops[this.loops.length - 1];
        if (f && env) {
          if (s.kind === 'Break') f.brk = join(f.brk, env, meet);
          else f.cont = join(f.cont, env, meet);
        }
        return null;
      }
      case 'Return': if (s.value) this.expr(s.value, env); return null;
      case 'Raise': if (s.exc) this.expr(s.exc, env); return null;
      case 'Assert': this.expr(s.test, env); if (s.msg) this.expr(s.msg, env); return env;
      case 'With':
        for (const it of s.items) { this.expr(it.context, env); if (it.asName) this.assign(it.asName, env); }
        return this.block(s.body, env);
      case 'Import': this.assign(s.asName ?? s.module.split('.')[0], env); return env;
      case 'ImportFrom':
        if (s.names !== '*') for (const n of s.names) this.assign(n.asName ?? n.name, env);
        return env;
      case 'Pass': case 'Global': case 'FunctionDef': return env; // nested defs are rejected by the checker
    }
  }

  /** The join after an if: a variable assigned in one branch only is 'no' with this if's decision on the path. */
  joinIf(s: A.If, pre: Env, yes: Env, no: Env): Env {
    if (!yes || !no) return join(yes, no, meet);
    const kw = this.text?.startsWith('elif', s.span.start) ? 'elif' : 'if';
    const where = `the '${kw}' at line ${this.lineOf(s.span.start)}`;
    return join(yes, no, (a, b, k) => {
      if (a.st !== 'no' && b.st !== 'no') return meet(a, b);
      // Untouched by both branches: the if does not matter.
      if (a.st === b.st && a.some === b.some && a.here === b.here && a.why.length === b.why.length && a.why.every((d, i) => b.why[i] === d)) return a;
      const [c, side, other] = a.st === 'no' && (b.st !== 'no' || better(a, b) === a) ? [a, 'true', b] : [b, 'false', a];
      // Both branches never assign it: the if does not matter.
      if (other.st === 'no' && !other.some && !c.some) return c;
      const prefix = pre!.get(k)!.why;
      const inner = prefix.every((d, i) => c.why[i] === d) ? c.why.slice(prefix.length) : [];
      return { st: 'no', why: [...prefix, `${where} is ${side}`, ...inner], some: true, here: other.st !== 'no' || a.here || b.here };
    });
  }

  /**
   * A for or while loop: the head's state is a fixpoint over the back edge. Every pass rewrites
   * the states of the reads in the body, so the last pass, at the fixpoint, is what remains.
   */
  loop(s: A.For | A.While, entry: Env): Env {
    const forever = s.kind === 'While' && isTrue(s.test);
    if (s.kind === 'For') this.expr(s.iter, entry); // evaluated once, before the first iteration
    let head: Env = entry && new Map(entry);
    let back: Env = null;
    let frame: LoopFrame = { brk: null, cont: null };
    for (let pass = 0; ; pass++) {
      frame = { brk: null, cont: null };
      this.loops.push(frame);
      const body: Env = head && new Map();
      for (const [k, c] of head ?? []) body!.set(k, c.st === 'no' && c.here ? { ...c, here: false } : c);
      if (s.kind === 'For') this.target(s.target, body);
      const end = this.block(s.body, body);
      this.loops.pop();
      back = join(end, frame.cont, meet);
      const next = back ? join(entry, back, (a, b) => loopMeet(a, b, true)) : entry && new Map(entry);
      // States only rise (no -> loop), so this ends; the bound is a guard.
      if (sameStates(next, head) || pass > 2 * this.tracked.size + 4) break;
      head = next;
    }
    // The test is evaluated on arrival, before any iteration: its reads are not guarded by one.
    if (s.kind === 'While') this.expr(s.test, join(entry, back, (a, b) => (a.st === 'no' ? a : meet(a, b))));
    const normal = forever ? null : head;
    if (!normal || !frame.brk) return join(normal, frame.brk, meet);
    return join(normal, frame.brk, (a, b) => loopMeet(a, b, false));
  }

  expr(e: A.Expr, env: Env, shadow?: Set<string>): void {
    const sub = (x: A.Expr | null) => { if (x) this.expr(x, env, shadow); };
    switch (e.kind) {
      case 'Int': case 'Float': case 'Bool': case 'Str': case 'None': return;
      case 'Name': if (!shadow?.has(e.id)) this.read(e, env); return;
      case 'Unary': sub(e.operand); return;
      case 'Binary': sub(e.left); sub(e.right); return;
      case 'Compare': sub(e.left); e.comparators.forEach(sub); return;
      // `a and b` may skip b: b's reads still happen on the paths that evaluate it, at this state.
      case 'BoolOp': e.values.forEach(sub); return;
      case 'IfExp': sub(e.test); sub(e.body); sub(e.orelse); return;
      case 'Call': sub(e.func); e.args.forEach(sub); e.keywords.forEach((k) => sub(k.value)); return;
      case 'Attribute': sub(e.value); return;
      case 'Subscript': sub(e.value); e.index.forEach(sub); return;
      case 'Slice': sub(e.lower); sub(e.upper); sub(e.step); return;
      case 'Tuple': case 'List': e.elts.forEach(sub); return;
      // A lambda's body runs when it is called, which this analysis cannot place; only its defaults run here.
      case 'Lambda': for (const p of e.params) sub(p.default); return;
      default: {
        const x = e as unknown as { kind: string };
        if (x.kind === 'ListComp') this.listComp(x as ListComp, env, shadow);
        else this.generic(x, env, shadow);
      }
    }
  }

  /** A comprehension has its own scope: its targets are its locals, and only the first iterable is
   * evaluated in the enclosing one. Everything else reads enclosing variables at the current state. */
  listComp(c: ListComp, env: Env, shadow?: Set<string>): void {
    const own = new Set(shadow);
    const names = (t: A.Expr) => { if (t.kind === 'Name') own.add(t.id); else if (t.kind === 'Tuple' || t.kind === 'List') t.elts.forEach(names); };
    c.generators.forEach((g) => names(g.target));
    c.generators.forEach((g, i) => {
      this.expr(g.iter, env, i === 0 ? shadow : own);
      if (g.target.kind !== 'Name' && g.target.kind !== 'Tuple' && g.target.kind !== 'List') this.expr(g.target, env, own);
      g.ifs.forEach((x) => this.expr(x, env, own));
    });
    this.expr(c.elt, env, own);
  }

  /** An expression kind this module does not know yet: every Name below it is a read. */
  generic(node: object, env: Env, shadow?: Set<string>): void {
    for (const [k, v] of Object.entries(node)) {
      if (k === 'span' || !v || typeof v !== 'object') continue;
      for (const x of Array.isArray(v) ? v : [v]) {
        if (x && typeof x === 'object' && typeof (x as { kind?: unknown }).kind === 'string') this.expr(x as A.Expr, env, shadow);
        else if (x && typeof x === 'object') this.generic(x as object, env, shadow);
      }
    }
  }
}
