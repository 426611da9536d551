// Typing of statements: assignments, control flow, for loops (prange's inferred reductions and
// privates), with-blocks (parallel regions, the team's lock, Cython's nogil), raise, assert and
// return. Expressions, names and calls are the checker's (checker.ts) and its modules'.
import type * as A from './ast.js';
import { Code } from './diagnostics.js';
import type { Span } from './source.js';
import { type Type, INT, NONE, isFloat, showType } from './types.js';
import { assignedNames, exprText } from './check-base.js';
import { starCall } from './check-unpack.js';
import type { Checker, ParLoopInfo } from './checker.js';

export function stmtInner(ck: Checker, s: A.Stmt): void {
  switch (s.kind) {
    case 'ExprStmt': {
      const t = ck.expr(s.expr);
      void t;
      return;
    }
    case 'Assign': {
      const vt = ck.expr(s.value);
      for (const tg of s.targets) ck.assignTarget(tg, vt, s.value);
      return;
    }
    case 'AnnAssign': {
      const ann = ck.annotation(s.annotation);
      if (s.value) {
        if (ann) ck.annotated.set(s.value, ann);
        const vt = ck.expr(s.value);
        if (ann && !ck.assignable(vt, ann)) ck.error(Code.TypeMismatch, `cannot assign ${showType(vt)} to '${exprText(s.target)}' declared as ${showType(ann)}`, s.value.span);
        ck.assignTarget(s.target, ann ?? vt, s.value);
      } else if (ann && s.target.kind === 'Name') ck.bindVar(s.target.id, ann, s.target.span);
      return;
    }
    case 'AugAssign': {
      const cur = ck.expr(s.target);
      const vt = ck.expr(s.value);
      const rt = ck.binaryType(s.op, cur, vt, s.span, s.value);
      if (cur.kind === 'array') {
        if (rt.kind === 'array' && rt.ndim > cur.ndim) ck.error(Code.ShapeMismatch, `in-place '${s.op}=' cannot broadcast a ${rt.ndim}-d result into a ${cur.ndim}-d array`, s.span);
        return;
      }
      if (rt.kind === 'array') { ck.error(Code.TypeMismatch, `'${s.op}=' of an array into the scalar '${exprText(s.target)}'`, s.value.span); return; }
      if (s.target.kind === 'Name') ck.bindVar(s.target.id, rt, s.target.span);
      return;
    }
    case 'If': {
      ck.condition(s.test);
      ck.block(s.body);
      ck.block(s.orelse);
      return;
    }
    case 'While': {
      ck.condition(s.test);
      ck.loops.push('loop');
      ck.block(s.body);
      ck.loops.pop();
      return;
    }
    case 'For': return forStmt(ck, s);
    case 'Break': case 'Continue': {
      const kw = s.kind.toLowerCase();
      const inner = ck.loops[ck.loops.length - 1];
      if (!inner) ck.error(Code.Syntax, `'${kw}' outside a loop`, s.span);
      else if (inner === 'region') ck.error(Code.Unsupported, `'${kw}' cannot leave a parallel region: every thread must reach its end`, s.span);
      else if (inner === 'prange' && kw === 'break') ck.error(Code.Unsupported, "'break' is not allowed in a prange loop: its iterations run in any order on several threads (use a while loop, or skip the work with a flag)", s.span);
      else if (inner === 'share' && kw === 'break') ck.error(Code.Unsupported, "'break' is not allowed in a p.range or p.xrange loop: each thread runs its own share of the iterations (skip the work with a flag)", s.span);
      return;
    }
    case 'Pass': case 'Global': return;
    case 'Return': {
      if (ck.isMain) { ck.error(Code.Syntax, "'return' outside a function", s.span); return; }
      if (ck.parDepth > 0) { ck.error(Code.Unsupported, "'return' inside a parallel loop or region is not supported", s.span); return; }
      const t = s.value ? ck.expr(s.value) : NONE;
      if (t.kind === 'func' || t.kind === 'builtin' || t.kind === 'team' || t.kind === 'dtype') {
        ck.error(Code.TypeMismatch, `a function cannot return ${showType(t)}`, s.value!.span); return;
      }
      const declared = ck.inst.def ? ck.declaredReturn(ck.inst.def) : null;
      if (declared && !ck.assignable(t, declared)) {
        ck.error(Code.TypeMismatch, `'${ck.inst.def!.name}' is declared to return ${showType(declared)} but this returns ${showType(t)}`, s.value?.span ?? s.span); return;
      }
      ck.retSoFar = ck.retSoFar ? ck.unify(ck.retSoFar, t, s.span, 'return value') : t;
      return;
    }
    case 'FunctionDef':
      ck.error(Code.Unsupported, 'nested function definitions are not supported in Par; define functions at the top level', s.nameSpan);
      return;
    case 'With': return withStmt(ck, s);
    case 'Raise': {
      if (s.exc) {
        const t = ck.expr(s.exc);
        if (t.kind !== 'exception') ck.error(Code.TypeMismatch, 'raise needs an exception such as ValueError("message")', s.exc.span);
      }
      return;
    }
    case 'Assert': {
      ck.condition(s.test);
      if (s.msg) { const t = ck.expr(s.msg); if (t.kind !== 'str') ck.error(Code.TypeMismatch, `an assert message must be a string, got ${showType(t)}`, s.msg.span); }
      return;
    }
    // Imports are resolved before checking (collectImports): a module is a namespace, not a variable.
    case 'Import': case 'ImportFrom': return;
  }
}

export function forStmt(ck: Checker, s: A.For): void {
  const it = s.iter.kind === 'Call' ? starCall(ck, s.iter) : s.iter;
  let elem: Type;
  let isPrange = false, share = false;
  if (it.kind === 'Call') {
    const fname = ck.calleeName(it.func);
    if (fname === 'range' || fname === 'prange' || fname === 'p.range' || fname === 'p.xrange') {
      isPrange = fname === 'prange';
      share = fname === 'p.range' || fname === 'p.xrange';
      if (share) ck.teamAlive(it.func as A.Attribute);
      ck.rangeCall(it, fname);
      elem = INT;
    } else elem = ck.iterElem(it);
  } else elem = ck.iterElem(it);
  if (s.target.kind !== 'Name' && (isPrange || share)) { ck.error(Code.Unsupported, 'a parallel loop target must be a single name', s.target.span); return; }
  ck.bindTarget(s.target, elem);
  ck.loops.push(isPrange ? 'prange' : share ? 'share' : 'loop');
  if (isPrange) ck.parDepth++;
  ck.block(s.body);
  if (isPrange) { ck.parDepth--; inferReductions(ck, s); }
  ck.loops.pop();
}

/** Finds the reduction variables of a prange body and checks they are used only as reductions. */
export function inferReductions(ck: Checker, s: A.For): void {
  const ops = new Map<string, { op: ParLoopInfo['reductions'][0]['op']; span: Span }[]>();
  const reductionStmts = new Set<A.Stmt>();
  const outerVars = (n: string) => ck.inst.locals.has(n) || ck.globals.has(n);
  const visit = (body: A.Stmt[]) => {
    for (const st of body) {
      if (st.kind === 'AugAssign' && st.target.kind === 'Name' && ['+', '-', '*', '&', '|', '^'].includes(st.op)) {
        const t = ck.inst.types.get(st.target);
        if (t?.kind === 'scalar') { push(st.target.id, st.op as '+', st.span); reductionStmts.add(st); }
      } else if (st.kind === 'Assign' && st.targets.length === 1 && st.targets[0].kind === 'Name' && st.value.kind === 'Call') {
        const fn = ck.calleeName(st.value.func);
        const name = st.targets[0].id;
        if ((fn === 'max' || fn === 'min') && st.value.args.length >= 2 && st.value.args.some((a) => a.kind === 'Name' && a.id === name)) {
          push(name, fn, st.span); reductionStmts.add(st);
        }
      }
      if (st.kind === 'If') { visit(st.body); visit(st.orelse); }
      else if (st.kind === 'While' || st.kind === 'For' || st.kind === 'With') visit(st.body);
    }
  };
  const push = (name: string, op: ParLoopInfo['reductions'][0]['op'], span: Span) => {
    if (!ops.has(name)) ops.set(name, []);
    ops.get(name)!.push({ op, span });
  };
  visit(s.body);
  const info: ParLoopInfo = { reductions: [], privates: [] };
  const assignedInBody = assignedNames(s.body);
  // A variable given a fresh value in the body (`s = 0.0` before an inner `s += ...`) is private.
  const plain = assignedNames(s.body.filter((st) => !reductionStmts.has(st)).flatMap((st) => plainAssigns(st, reductionStmts)));
  for (const [name, uses] of ops) {
    if (!outerVars(name) || name === (s.target as A.Name).id || plain.has(name)) continue;
    const kinds = new Set(uses.map((u) => (u.op === '-' ? '+' : u.op)));
    if (kinds.size > 1) {
      ck.error(Code.BadReduction, `reduction variable '${name}' is updated with different operators (${[...new Set(uses.map((u) => u.op))].join(', ')}) in one parallel loop; use one operator per variable`, uses[1].span);
      continue;
    }
    // Any other read or write of the variable in the body breaks the reduction.
    const bad = findOtherUse(s.body, name, reductionStmts);
    if (bad) {
      ck.error(Code.BadReduction, `'${name}' is a reduction variable of this parallel loop (updated with '${uses[0].op}${uses[0].op.length === 1 ? '=' : ''}'), so it cannot be read or assigned elsewhere in the loop body`, bad);
      continue;
    }
    info.reductions.push({ name, op: uses[0].op });
  }
  for (const n of assignedInBody) if (!info.reductions.some((r) => r.name === n)) info.privates.push(n);
  ck.inst.parloops.set(s, info);
}

export function withStmt(ck: Checker, s: A.With): void {
  // Cython's `with nogil:` (also `with nogil, parallel():`): Par has no GIL to release.
  s.items = s.items.filter((it) => !(it.context.kind === 'Name' && it.context.id === 'nogil' || it.context.kind === 'Attribute' && it.context.attr === 'nogil' && ck.calleeName(it.context) === 'nogil'));
  if (s.items.length === 0) return ck.block(s.body);
  if (s.items.length !== 1) { ck.error(Code.Unsupported, 'with takes exactly one item in Par', s.span); return; }
  const item = s.items[0];
  const ctx = item.context;
  if (ctx.kind === 'Call' && ck.calleeName(ctx.func) === 'parallel') {
    ck.inst.types.set(ctx, { kind: 'team' });
    ck.inst.calls.set(ctx, { kind: 'builtin', name: 'parallel', self: null });
    if (ctx.args.length) ck.error(Code.ArgCount, 'parallel() takes keyword arguments only (num_threads=, if_=)', ctx.args[0].span);
    for (const k of ctx.keywords) {
      if (k.name !== 'num_threads' && k.name !== 'if_') ck.error(Code.ArgCount, `parallel() got an unexpected keyword argument '${k.name}'`, k.span);
      const t = ck.expr(k.value);
      if (t.kind !== 'scalar' && t.kind !== 'none') ck.error(Code.TypeMismatch, `${k.name} must be a scalar`, k.value.span);
      else if (k.name === 'num_threads' && t.kind === 'scalar' && isFloat(t.dtype)) ck.error(Code.TypeMismatch, 'num_threads must be an integer', k.value.span);
    }
    if (item.asName) {
      ck.bindVar(item.asName, { kind: 'team' }, item.span);
      ck.endedTeams.delete(item.asName);
    }
    // A region nested in parallel code has a team, and a lock, of its own.
    const locks = ck.locks;
    ck.locks = 0;
    ck.parDepth++;
    ck.loops.push('region');
    ck.block(s.body);
    ck.loops.pop();
    ck.parDepth--;
    ck.locks = locks;
    // The team is usable only inside its block: after the join its threads are gone.
    if (item.asName) ck.endedTeams.add(item.asName);
    return;
  }
  const t = ck.expr(ctx);
  if (t.kind !== 'lock') { ck.error(Code.Unsupported, 'with supports parallel(...) and p.lock only', ctx.span); return; }
  if (ck.locks > 0) ck.error(Code.Unsupported, "a 'with p.lock' inside another would wait for itself forever: the team's lock is not re-entrant", ctx.span);
  ck.locks++;
  ck.block(s.body);
  ck.locks--;
}

/** The statements of a body (recursively) other than the given reduction updates. */
function plainAssigns(st: A.Stmt, skip: Set<A.Stmt>): A.Stmt[] {
  if (skip.has(st)) return [];
  switch (st.kind) {
    case 'If': return [...st.body, ...st.orelse].flatMap((x) => plainAssigns(x, skip));
    case 'While': case 'With': return st.body.flatMap((x) => plainAssigns(x, skip));
    case 'For': return [{ ...st, body: [] }, ...st.body.flatMap((x) => plainAssigns(x, skip))];
    default: return [st];
  }
}

function findOtherUse(body: A.Stmt[], name: string, allowed: Set<A.Stmt>): Span | null {
  let found: Span | null = null;
  const visitExpr = (e: unknown): void => {
    if (found || !e || typeof e !== 'object') return;
    if (Array.isArray(e)) { e.forEach(visitExpr); return; }
    const n = e as A.Expr;
    if (n.kind === 'Name' && n.id === name) { found = n.span; return; }
    for (const [k, v] of Object.entries(n)) if (k !== 'span' && v && typeof v === 'object') visitExpr(v);
  };
  const visit = (stmts: A.Stmt[]) => {
    for (const s of stmts) {
      if (found) return;
      if (allowed.has(s)) {
        // The update itself may not read the variable except as the accumulator.
        if (s.kind === 'AugAssign') visitExpr(s.value);
        else if (s.kind === 'Assign' && s.value.kind === 'Call') visitExpr(s.value.args.filter((a) => !(a.kind === 'Name' && a.id === name)));
        continue;
      }
      switch (s.kind) {
        case 'If': visitExpr(s.test); visit(s.body); visit(s.orelse); break;
        case 'While': visitExpr(s.test); visit(s.body); break;
        case 'For': visitExpr(s.iter); visitExpr(s.target); visit(s.body); break;
        case 'With': visitExpr(s.items); visit(s.body); break;
        default: visitExpr(s);
      }
    }
  };
  visit(body);
  return found;
}
