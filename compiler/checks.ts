// The bounds-check hoisting pass: versions counted loops so that the common case runs without
// per-access index checks (what Cython's boundscheck(False) gives by hand, done safely), tests a
// whole loop nest's checks once before its outermost loop (Note [Loop nests]), then gives each
// check-free copy a further copy for contiguous rows (Note [Unit strides]) and moves the
// loop-invariant address arithmetic out of both, regrouped so that as much of it as possible is
// invariant (Note [Reassociated addresses], compiler/reassociate.ts; V8 does no loop-invariant code
// motion for wasm).
//
// Note [Loop versioning]: lowering guards every array access with `if (w >=u n) trap err_index(...)`.
// In a `for v = s .. e step c` loop, a check at the top level of the body whose index w is either
// loop-invariant or `k + c*v` (k, c invariant), possibly through NumPy's negative-index wrap
// `select(t <s 0, t + n, t)`, passes on every iteration exactly when it passes at both ends of v's
// range (the wrap is then the identity). Such a loop becomes
//     s' = s; e' = e; c' = c
//     if (all hoisted checks pass at both ends) { loop without them } else { the original loop }
// so a program that fails still fails in the checked copy, at the same iteration with the same
// message, and a negative index that is really used just takes the checked copy. Only `set`s at the
// body's top level (blocks opened) are followed, and only names the body assigns once; anything else
// stays checked. The pass runs after `parallelize`, so the chunk loops of outlined prange bodies
// (whose variable is `start + it * step`) are versioned too.
import { namesIn } from './parallel.js';
import type { Expr, Func, Local, Program, Stmt } from './ir.js';
import { exprType } from './verify.js';
import { bin, get, i64, select } from './ir-build.js';
import { reassociate, splitOffset } from './reassociate.js';

export function hoistBoundsChecks(p: Program): Program {
  return { ...p, funcs: p.funcs.map((f) => new Versioner(f).run()) };
}

type Linear = { scale: Expr; off: Expr };
type Affine = { kind: 'inv'; e: Expr } | ({ kind: 'lin'; wrapped: boolean } & Linear);
/**
 * What the enclosing loop needs to know of a versioned loop (Note [Loop nests]): its bounds (in the
 * scope just before it), its hoisted checks `off + scale * v <u n` (v its variable; scale 0 for an
 * invariant index), all invariant in the loop, and the conditions it took over from loops nested in
 * it (in terms of its bound locals and names it does not assign).
 */
type Versioned = { v: string; start: Expr; stop: Expr; step: Expr; checks: (Linear & { n: Expr })[]; conds: Expr[] };

class Versioner {
  private extra: Local[] = [];
  private n = 0;
  /** The `if` each versioned loop became, with what its enclosing loop needs to take its checks over. */
  private readonly versioned = new WeakMap<Stmt, Versioned>();
  /** The check-free copies of nested loops that enclosing loops run directly. */
  private readonly nested = new WeakSet<Stmt>();
  constructor(private readonly f: Func) {}

  run(): Func {
    const body = this.stmts(this.f.body);
    return this.extra.length ? { ...this.f, body, locals: [...this.f.locals, ...this.extra] } : { ...this.f, body };
  }

  private stmts(ss: Stmt[]): Stmt[] {
    return ss.flatMap((s): Stmt[] => {
      switch (s.k) {
        case 'if': return [{ ...s, then: this.stmts(s.then), else: this.stmts(s.else) }];
        case 'while': case 'block': case 'parfor': case 'region': return [{ ...s, body: this.stmts(s.body) }];
        case 'for': return this.version({ ...s, body: this.stmts(s.body) });
        default: return [s];
      }
    });
  }

  private version(loop: Stmt & { k: 'for' }): Stmt[] {
    if (loop.t !== 'i64') return [loop];
    const { assigned } = namesIn(loop.body);
    if (assigned.has(loop.v)) return [loop];
    const counts = new Map<string, number>();
    countSets(loop.body, counts);
    // Definitions of names set once, at the top level, from pure expressions (see Note [Loop versioning]).
    const defs = new Map<string, Expr>();
    const invariant = (e: Expr): boolean => pure(e) && gets(e).every((n) => n !== loop.v && !assigned.has(n));
    const expand = (e: Expr): Expr | null => {
      if (e.k === 'get') {
        if (e.name === loop.v) return e;
        if (!assigned.has(e.name)) return e;
        return defs.get(e.name) ?? null;
      }
      if (!pure(e)) return null;
      const kids = children(e).map(expand);
      return kids.some((k) => k === null) ? null : rebuild(e, kids as Expr[]);
    };
    const [s0, e0, c0] = ['vs', 've', 'vc'].map((x) => `${x}%chk${this.n}`);
    const [first, stop, step] = [s0, e0, c0].map((x) => get(x, 'i64'));
    // v runs from `first` towards `stop` (exclusive), so its other extreme is stop - sign(step).
    // A linear index is monotonic in v, so its extremes are at v's.
    const last = bin('sub', 'i64', stop, select('i64', bin('gt_s', 'i64', step, i64(0)), i64(1), i64(-1)));
    const conds: Expr[] = [];
    const hoisted = new Set<Stmt>();
    const checks: Versioned['checks'] = [], taken: Expr[] = [];
    // In the unchecked copy a wrapped index is known to be non-negative: the wrap goes; a nested
    // versioned loop whose conditions are taken over is replaced by its check-free copy.
    const setOf = new Map<string, Stmt & { k: 'set' }>(), replaced = new Map<Stmt, Stmt>();
    for (const s of topLevel(loop.body)) {
      if (s.k === 'set' && counts.get(s.name) === 1) {
        const x = expand(s.value);
        if (x) { defs.set(s.name, x); setOf.set(s.name, s); }
        continue;
      }
      const inner = this.versioned.get(s);
      if (inner && s.k === 'if') {
        const cs = takeOver(inner, loop.v, first, last, expand, invariant);
        if (cs) {
          const block: Stmt = { k: 'block', body: s.then };
          conds.push(...cs);
          taken.push(...cs);
          replaced.set(s, block);
          this.nested.add(block);
        }
        continue;
      }
      const chk = boundsCheck(s);
      if (!chk) continue;
      const w = expand(chk.index), n = expand(chk.bound);
      if (!w || !n || !invariant(n)) continue;
      const a = affine(w, loop.v, invariant);
      if (!a) continue;
      const inRange = (x: Expr) => bin('lt_u', 'i64', x, n);
      if (a.kind === 'inv') conds.push(inRange(a.e));
      else conds.push(inRange(at(first, a)), inRange(at(last, a)));
      checks.push(a.kind === 'inv' ? { scale: i64(0), off: a.e, n } : { scale: a.scale, off: a.off, n });
      hoisted.add(s);
      const def = chk.index.k === 'get' ? setOf.get(chk.index.name) : undefined;
      if (a.kind === 'lin' && a.wrapped && def?.value.k === 'select') replaced.set(def, { ...def, value: def.value.b });
    }
    if (!hoisted.size && !taken.length) return [loop];
    this.n++;
    this.extra.push(...[s0, e0, c0].map((name) => ({ name, t: 'i64' as const })));
    const all = dedupe(conds.map(fold)).reduce((x, y) => bin('and', 'i32', x, y));
    const bounds = { start: first, stop, step };
    const fast: Stmt = { ...loop, ...bounds, body: without(loop.body, hoisted, replaced) };
    const versioned: Stmt = { k: 'if', cond: all, then: unitStrideVersion(fast, invariant, this.nested, this.f).flatMap((s) => this.hoistInvariants(s)), else: [{ ...loop, ...bounds }] };
    this.versioned.set(versioned, { v: loop.v, start: loop.start, stop: loop.stop, step: loop.step, checks, conds: taken });
    return [
      { k: 'set', name: s0, value: loop.start },
      { k: 'set', name: e0, value: loop.stop },
      { k: 'set', name: c0, value: loop.step },
      versioned,
    ];
  }

  /**
   * Loop-invariant code motion for the check-free copies (V8 does none for wasm): each largest
   * pure subexpression of the body's top-level statements that is invariant once the names the body
   * sets once, earlier in the same iteration, are expanded (a row offset `ix_i * a.s0`) is computed
   * once before the loop. Pure expressions cannot trap, so computing one when the loop runs no
   * iteration is harmless.
   */
  private hoistInvariants(s: Stmt): Stmt[] {
    if (s.k === 'if') return [{ ...s, then: s.then.flatMap((x) => this.hoistInvariants(x)), else: s.else.flatMap((x) => this.hoistInvariants(x)) }];
    if (s.k !== 'for') return [s];
    const { assigned } = namesIn(s.body);
    const counts = new Map<string, number>();
    countSets(s.body, counts);
    const invariant = (e: Expr): boolean => pure(e) && gets(e).every((n) => n !== s.v && !assigned.has(n));
    const defs = new Map<string, Expr>();
    const expand = (e: Expr): Expr | null => {
      if (e.k === 'get') return e.name === s.v ? e : !assigned.has(e.name) ? e : defs.get(e.name) ?? null;
      if (!pure(e)) return null;
      const kids = children(e).map(expand);
      return kids.some((k) => k === null) ? null : rebuild(e, kids as Expr[]);
    };
    const before: Stmt[] = [];
    const memo = new Map<string, string>();
    // Note [Reassociated addresses]: a constant part of an element address goes to the offset field.
    const offsetOf = (addr: Expr) => {
      const x = expand(addr);
      return x && splitOffset(x, (a) => { const y = expand(a); return !!y && invariant(y); }, (n) => defs.get(n) ?? null);
    };
    const visit = (e: Expr): Expr => {
      if (e.k === 'get' || e.k === 'const') return e;
      if (e.k === 'load' && !e.atomic) {
        const o = offsetOf(e.addr);
        if (o) return { ...e, addr: visit(o.base), offset: (e.offset ?? 0) + o.offset };
      }
      const x = expand(e);
      if (x && invariant(x)) {
        const k = key(x);
        let name = memo.get(k);
        if (!name) {
          name = `inv%chk${this.n++}`;
          memo.set(k, name);
          this.extra.push({ name, t: exprType(x)! });
          before.push({ k: 'set', name, value: x });
        }
        return get(name, exprType(x)!);
      }
      // Note [Reassociated addresses]: `data + ((row + ix) << 3)` as `(data + (row << 3)) + (ix << 3)`.
      const r = reassociate(e, (a) => { const y = expand(a); return !!y && invariant(y); }, (n) => defs.get(n) ?? null);
      return r ? rebuild(r, children(r).map(visit)) : mapSubExprs(e, visit);
    };
    const top = (ss: Stmt[]): Stmt[] => ss.map((st) => {
      if (st.k === 'block') return { ...st, body: top(st.body) };
      const o = st.k === 'store' ? offsetOf(st.addr) : null;
      const out = o && st.k === 'store' ? { ...st, addr: visit(o.base), offset: (st.offset ?? 0) + o.offset, value: visit(st.value) } : mapStmtExprs(st, visit, false);
      if (st.k === 'set' && counts.get(st.name) === 1) {
        const x = expand(st.value);
        if (x) defs.set(st.name, x);
      }
      return out;
    });
    const body = top(s.body);
    return before.length ? [...before, { ...s, body }] : [s];
  }
}

/**
 * Note [Loop nests]: a loop whose body holds, at its top level, a versioned inner loop takes that
 * loop's conditions over when it can, so that a loop nest tests them once, before its outermost
 * loop, instead of once per run of the inner loop, and runs the check-free copy of the inner loop
 * directly. The inner loop's conditions at its own two ends cannot be used (an inner loop that runs
 * no iteration, as `for j in range(i + 1, n)` at i = n - 1, may fail them harmlessly); instead,
 * with the inner bounds s, e linear in the outer variable v and an invariant step, every value the
 * inner variable u takes while v runs over [first, last] lies in [lo, hi], lo the least of
 * s(first), s(last) (e + 1 for a negative step), hi the greatest of e(first) - 1, e(last) - 1 (or s).
 * An index `off(v) + scale * u` linear in both then passes everywhere when it passes at the four
 * corners of that box. The inner loop's own taken-over conditions must be invariant here. When the
 * outer conditions fail, the original loop runs, still holding the inner loop's own versioning.
 */
function takeOver(inner: Versioned, v: string, first: Expr, last: Expr, expand: (e: Expr) => Expr | null, invariant: (e: Expr) => boolean): Expr[] | null {
  const step = expand(inner.step);
  if (!step || !invariant(step)) return null;
  const linearIn = (e: Expr, wrapOk: boolean): Linear | null => {
    const x = expand(e);
    const a = x && affine(x, v, invariant);
    if (!a) return null;
    if (a.kind === 'inv') return { scale: i64(0), off: a.e };
    return a.wrapped && !wrapOk ? null : a;
  };
  const start = linearIn(inner.start, false), stop = linearIn(inner.stop, false);
  if (!start || !stop) return null;
  const up = fold(bin('gt_s', 'i64', step, i64(0)));
  const lowest = (x: Expr) => select('i64', up, at(x, start), bin('add', 'i64', at(x, stop), i64(1)));
  const highest = (x: Expr) => select('i64', up, bin('sub', 'i64', at(x, stop), i64(1)), at(x, start));
  const lo = extreme('lt_s', lowest(first), lowest(last)), hi = extreme('gt_s', highest(first), highest(last));
  const conds: Expr[] = [];
  for (const c of inner.checks) {
    // A wrapped index (NumPy's negative-index wrap of t) is t wherever t is in range.
    const n = expand(c.n), scale = expand(c.scale), off = linearIn(c.off, true);
    if (!n || !scale || !off || !invariant(n) || !invariant(scale)) return null;
    for (const x of [first, last]) for (const u of [lo, hi]) conds.push(bin('lt_u', 'i64', bin('add', 'i64', at(x, off), bin('mul', 'i64', scale, u)), n));
  }
  for (const c of inner.conds) {
    const x = expand(c);
    if (!x || !invariant(x)) return null;
    conds.push(x);
  }
  return conds;
}

/** `off + scale * x`. */
function at(x: Expr, l: Linear): Expr {
  return bin('add', 'i64', l.off, bin('mul', 'i64', l.scale, x));
}

/** The smaller (`lt_s`) or greater (`gt_s`) of two i64 values. */
function extreme(op: 'lt_s' | 'gt_s', a: Expr, b: Expr): Expr {
  const fa = fold(a), fb = fold(b);
  return same(fa, fb) ? fa : select('i64', bin(op, 'i64', fa, fb), fa, fb);
}

/** e with constant i64 arithmetic and comparisons, x + 0, x * 1, x * 0 and constant selects folded (keeps the conditions small). */
function fold(e: Expr): Expr {
  if (e.k !== 'bin' && e.k !== 'select' && e.k !== 'cvt' && e.k !== 'un') return e;
  const x = rebuild(e, children(e).map(fold));
  const c = (y: Expr): bigint | null => (y.k === 'const' && y.t === 'i64' ? BigInt(y.v) : null);
  if (x.k === 'select') {
    const k = x.cond.k === 'const' ? Number(x.cond.v) : null;
    if (k !== null) return k ? x.a : x.b;
    return same(x.a, x.b) ? x.a : x;
  }
  if (x.k !== 'bin') return x;
  const a = c(x.a), b = c(x.b);
  if (x.t === 'i64' && a !== null && b !== null) {
    const r = ({ add: a + b, sub: a - b, mul: a * b } as Record<string, bigint>)[x.op];
    if (r !== undefined) return i64(BigInt.asIntN(64, r));
    const t = ({ gt_s: a > b, lt_s: a < b, ge_s: a >= b, le_s: a <= b, eq: a === b, ne: a !== b } as Record<string, boolean>)[x.op];
    if (t !== undefined) return { k: 'const', t: 'i32', v: t ? 1 : 0 };
  }
  if (x.t !== 'i64') return x;
  if (x.op === 'add' && a === 0n) return x.b;
  if ((x.op === 'add' || x.op === 'sub') && b === 0n) return x.a;
  if (x.op === 'mul' && (a === 1n || b === 1n)) return a === 1n ? x.b : x.a;
  if (x.op === 'mul' && (a === 0n || b === 0n)) return i64(0);
  return x;
}

/** The expressions without structural repeats, in order. */
function dedupe(es: Expr[]): Expr[] {
  const seen = new Set<string>();
  return es.filter((e) => { const k = key(e); return seen.has(k) ? false : (seen.add(k), true); });
}

function key(e: Expr): string {
  return JSON.stringify(e, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v));
}

/**
 * Note [Unit strides]: an address in a loop body is `data + (... + ix * a.s1) << 3`, the stride a
 * variable because a view may have any. When the body multiplies indices by the last strides of its
 * arrays (loop-invariant), the check-free loop gets a further copy for when they are all 1 (the
 * contiguous case), with the multiplies gone: V8 then addresses with one `lea` and keeps the strides
 * out of the registers the loop needs, and a constant last index (`pos[j, 2]`) becomes a constant
 * byte offset that goes to the load's offset field (Note [Reassociated addresses]), so `pos[j, 0]`,
 * `pos[j, 1]` and `pos[j, 2]` share one address. The statements of nested loops taken over (Note
 * [Loop nests]) are left out: those loops have their own copies.
 */
function unitStrideVersion(loop: Stmt & { k: 'for' }, invariant: (e: Expr) => boolean, nested: WeakSet<Stmt>, f: Func): Stmt[] {
  const strides = new Set<string>();
  // Only an array's last stride is 1 for contiguous data: `a.s0 == 1` of a 2-d a is all but never true.
  const names = new Set([...f.params, ...f.locals].map((l) => l.name));
  const isLast = (name: string) => { const m = /^(.*)\.s(\d+)$/.exec(name); return !!m && !names.has(`${m[1]}.s${Number(m[2]) + 1}`); };
  const isStride = (e: Expr) => e.k === 'get' && e.t === 'i32' && isLast(e.name) && invariant(e);
  const find = (e: Expr): void => {
    if (e.k === 'bin' && e.op === 'mul' && e.t === 'i32') {
      const [s, x] = isStride(e.b) ? [e.b, e.a] : isStride(e.a) ? [e.a, e.b] : [null, null];
      if (s && x) strides.add((s as Expr & { k: 'get' }).name);
    }
    subExprs(e).forEach(find);
  };
  const own = (ss: Stmt[]): Stmt[] => ss.flatMap((s) => (nested.has(s) ? [] : s.k === 'block' ? own(s.body) : [s]));
  for (const s of own(loop.body)) stmtExprs(s).forEach(find);
  if (!strides.size) return [loop];
  const unit = (e: Expr): Expr => {
    if (e.k === 'bin' && e.op === 'mul' && e.t === 'i32') {
      if (e.b.k === 'get' && strides.has(e.b.name)) return unit(e.a);
      if (e.a.k === 'get' && strides.has(e.a.name)) return unit(e.b);
    }
    return mapSubExprs(e, unit);
  };
  const cond = [...strides].map((n) => bin('eq', 'i32', get(n, 'i32'), { k: 'const', t: 'i32', v: 1 })).reduce((x, y) => bin('and', 'i32', x, y));
  const body = loop.body.map((s) => mapStmtExprs(s, unit));
  return [{ k: 'if', cond, then: [{ ...loop, body }], else: [loop] }];
}

/** The expressions a statement evaluates itself (not those of nested statements). */
function stmtExprs(s: Stmt): Expr[] {
  switch (s.k) {
    case 'set': return [s.value];
    case 'store': return [s.addr, s.value];
    case 'expr': return [s.e];
    case 'if': return [s.cond];
    default: return [];
  }
}

/** `s` with `f` applied to its expressions, and with `deep` into blocks and ifs (other statements stay as they are). */
function mapStmtExprs(s: Stmt, f: (e: Expr) => Expr, deep = true): Stmt {
  switch (s.k) {
    case 'set': return { ...s, value: f(s.value) };
    case 'store': return { ...s, addr: f(s.addr), value: f(s.value) };
    case 'expr': return { ...s, e: f(s.e) };
    case 'if': return deep ? { ...s, cond: f(s.cond), then: s.then.map((x) => mapStmtExprs(x, f)), else: s.else.map((x) => mapStmtExprs(x, f)) } : { ...s, cond: f(s.cond) };
    case 'block': return deep ? { ...s, body: s.body.map((x) => mapStmtExprs(x, f)) } : s;
    default: return s;
  }
}

/** Direct subexpressions, including those of loads and calls. */
function subExprs(e: Expr): Expr[] {
  switch (e.k) {
    case 'load': return [e.addr];
    case 'call': case 'simd': return e.args;
    default: return children(e);
  }
}

function mapSubExprs(e: Expr, f: (e: Expr) => Expr): Expr {
  switch (e.k) {
    case 'load': return { ...e, addr: f(e.addr) };
    case 'call': return { ...e, args: e.args.map(f) };
    case 'simd': return { ...e, args: e.args.map(f) };
    default: return rebuild(e, children(e).map(f));
  }
}

/** The statements that run in order on every iteration: the body's, with blocks opened. */
function topLevel(ss: Stmt[]): Stmt[] {
  return ss.flatMap((s) => (s.k === 'block' ? topLevel(s.body) : [s]));
}

/** The statements without `drop`, with `replace`d ones replaced. */
function without(ss: Stmt[], drop: Set<Stmt>, replace: Map<Stmt, Stmt>): Stmt[] {
  return ss.filter((s) => !drop.has(s)).map((s) => (s.k === 'block' ? { ...s, body: without(s.body, drop, replace) } : replace.get(s) ?? s));
}

/** `if (w >=u i32->i64(n)) trap err_index(...)`, as lowering writes an index check. */
function boundsCheck(s: Stmt): { index: Expr; bound: Expr } | null {
  if (s.k !== 'if' || s.else.length || s.then.length !== 1) return null;
  const t = s.then[0];
  if (t.k !== 'trap' || t.call.fn !== 'err_index') return null;
  const c = s.cond;
  if (c.k !== 'bin' || c.op !== 'ge_u' || c.t !== 'i64') return null;
  return { index: c.a, bound: c.b };
}

/** w as a function of the loop variable v: invariant, linear, or NumPy's wrap of a linear t. */
function affine(w: Expr, v: string, invariant: (e: Expr) => boolean): Affine | null {
  if (invariant(w)) return { kind: 'inv', e: w };
  const lin = linear(w, v, invariant);
  if (lin) return { kind: 'lin', wrapped: false, ...lin };
  // select(t <s 0, t + n, t): the wrap of a linear t; with t in [0, n) at both ends it is t.
  if (w.k === 'select' && w.cond.k === 'bin' && w.cond.op === 'lt_s' && same(w.cond.a, w.b) && w.cond.b.k === 'const' && Number(w.cond.b.v) === 0) {
    const t = linear(w.b, v, invariant);
    if (t) return { kind: 'lin', wrapped: true, ...t };
  }
  return null;
}

/** e as `off + scale * v` with off and scale invariant, else null. */
function linear(e: Expr, v: string, invariant: (e: Expr) => boolean): Linear | null {
  if (e.k === 'get' && e.name === v) return { scale: i64(1), off: i64(0) };
  if (e.k !== 'bin' || e.t !== 'i64' || !['add', 'sub', 'mul'].includes(e.op)) return null;
  const a = linear(e.a, v, invariant);
  if (a && invariant(e.b)) {
    return e.op === 'mul' ? { scale: bin('mul', 'i64', a.scale, e.b), off: bin('mul', 'i64', a.off, e.b) } : { scale: a.scale, off: bin(e.op, 'i64', a.off, e.b) };
  }
  const b = invariant(e.a) ? linear(e.b, v, invariant) : null;
  if (!b) return null;
  switch (e.op) {
    case 'add': return { scale: b.scale, off: bin('add', 'i64', e.a, b.off) };
    case 'sub': return { scale: bin('sub', 'i64', i64(0), b.scale), off: bin('sub', 'i64', e.a, b.off) };
    default: return { scale: bin('mul', 'i64', e.a, b.scale), off: bin('mul', 'i64', e.a, b.off) };
  }
}

/** Expressions without effects or memory reads, so they can be evaluated before the loop. */
function pure(e: Expr): boolean {
  switch (e.k) {
    case 'const': case 'get': return true;
    case 'bin': return !['div_s', 'div_u', 'rem_s'].includes(e.op) && pure(e.a) && pure(e.b);
    case 'un': case 'cvt': return pure(e.a);
    case 'select': return pure(e.cond) && pure(e.a) && pure(e.b);
    default: return false;
  }
}

function children(e: Expr): Expr[] {
  switch (e.k) {
    case 'bin': return [e.a, e.b];
    case 'un': case 'cvt': return [e.a];
    case 'select': return [e.cond, e.a, e.b];
    default: return [];
  }
}

function rebuild(e: Expr, k: Expr[]): Expr {
  switch (e.k) {
    case 'bin': return { ...e, a: k[0], b: k[1] };
    case 'un': case 'cvt': return { ...e, a: k[0] };
    case 'select': return { ...e, cond: k[0], a: k[1], b: k[2] };
    default: return e;
  }
}

function gets(e: Expr): string[] {
  return e.k === 'get' ? [e.name] : children(e).flatMap(gets);
}

function same(a: Expr, b: Expr): boolean {
  return key(a) === key(b);
}

/** How many times each name is assigned anywhere in the statements. */
function countSets(ss: Stmt[], out: Map<string, number>): void {
  const bump = (n: string) => out.set(n, (out.get(n) ?? 0) + 1);
  for (const s of ss) {
    switch (s.k) {
      case 'set': bump(s.name); break;
      case 'setm': s.names.forEach(bump); break;
      case 'alloc': bump(s.name); break;
      case 'if': countSets(s.then, out); countSets(s.else, out); break;
      case 'for': case 'parfor': bump(s.v); countSets(s.body, out); break;
      case 'while': case 'block': countSets(s.body, out); break;
      case 'region': bump(s.threadNum); bump(s.numThreadsVar); countSets(s.body, out); break;
      default: break;
    }
  }
}
