// Common subexpressions of a loop body: each value an element's code computes twice is computed
// once into a local. A fused nest repeats work whenever the source does (Black-Scholes' cnd(d) and
// cnd(-d) evaluate the same exp and polynomial); NumPy cannot share it between its separate passes.
//
// Note [Body CSE]: the pass numbers the values of a straight-line body (set, store and expr
// statements of pure expressions; any other body is left as it is). A local's reads have the value
// of its last set in the body; before that it is a leaf, as are loop-invariant locals. A load's
// value also names the number of stores before it, so no load is shared across a store. Float
// negations are moved outward first, which is exact in IEEE arithmetic (a product or quotient with
// one operand negated is the negated product; neg(neg x) = x; abs(neg x) = abs x): then -0.5*d*d and
// -0.5*(-d)*(-d) are both neg(0.5*d*d) and share one value. NaN sign bits may differ, which nothing
// observes. A value used twice is then computed at its first use (just before that statement) into
// a local, or taken from the local a statement already set it in; nothing moves across a store.
import type { Expr, Stmt, VT } from './ir.js';
import { exprType } from './verify.js';

/** Calls that have no effect and always return the same value for the same arguments. */
export const PURE_CALL = /^(math_|__\w+_f(32|64)(x[24])?$)/;

interface Node { key: string; e: Expr; kids: number[] }

export function cseBody(body: Stmt[], fresh: (t: VT) => string): Stmt[] {
  if (!body.every((s) => (s.k === 'set' || s.k === 'store' || s.k === 'expr') && pureStmt(s))) return body;
  const nodes: Node[] = [];
  const byKey = new Map<string, number>();
  const localVal = new Map<string, number>();
  let stores = 0;

  const intern = (e: Expr, kids: number[], key: string): number => {
    let id = byKey.get(key);
    if (id === undefined) { id = nodes.length; nodes.push({ key, e, kids }); byKey.set(key, id); }
    return id;
  };
  const isFloat = (t: VT) => t === 'f32' || t === 'f64';
  const node = (id: number) => nodes[id].e;
  const constOf = (t: VT, v: number): number => intern({ k: 'const', t, v }, [], `c:${t}:${Object.is(v, -0) ? '-0' : v}`);
  const neg = (t: VT, a: number): number => {
    const x = node(a);
    if (x.k === 'un' && x.op === 'neg') return nodes[a].kids[0];
    if (x.k === 'const' && typeof x.v === 'number') return constOf(t, -x.v);
    return intern({ k: 'un', op: 'neg', t, a: x }, [a], `un:neg:${t}:${a}`);
  };
  /** a = sign * value: strips a float negation or a negative constant. */
  const unsign = (t: VT, a: number): [number, boolean] => {
    const x = node(a);
    if (x.k === 'un' && x.op === 'neg') return [nodes[a].kids[0], true];
    if (x.k === 'const' && typeof x.v === 'number' && (x.v < 0 || Object.is(x.v, -0))) return [constOf(t, -x.v), true];
    return [a, false];
  };

  /** The value number of an expression, canonicalizing negations of floats. */
  const value = (e: Expr): number => {
    switch (e.k) {
      case 'const': return typeof e.v === 'number' ? constOf(e.t, e.v) : intern(e, [], `c:${e.t}:${e.v}n`);
      case 'get': {
        const v = localVal.get(e.name);
        if (v !== undefined) return v;
        return intern(e, [], `g:${e.name}`);
      }
      case 'load': {
        const a = value(e.addr);
        return intern({ ...e, addr: node(a) }, [a], `ld:${e.t}:${e.mem}:${e.offset ?? 0}:${stores}:${a}`);
      }
      case 'un': {
        const a = value(e.a);
        if (isFloat(e.t) && e.op === 'neg') return neg(e.t, a);
        if (isFloat(e.t) && e.op === 'abs') { const [b] = unsign(e.t, a); return intern({ ...e, a: node(b) }, [b], `un:abs:${e.t}:${b}`); }
        return intern({ ...e, a: node(a) }, [a], `un:${e.op}:${e.t}:${a}`);
      }
      case 'bin': {
        let a = value(e.a), b = value(e.b);
        let flip = false;
        if (isFloat(e.t) && (e.op === 'mul' || e.op === 'div')) {
          const [a1, na] = unsign(e.t, a), [b1, nb] = unsign(e.t, b);
          [a, b, flip] = [a1, b1, na !== nb];
        }
        const id = intern({ ...e, a: node(a), b: node(b) }, [a, b], `bin:${e.op}:${e.t}:${a}:${b}`);
        return flip ? neg(e.t, id) : id;
      }
      case 'cvt': { const a = value(e.a); return intern({ ...e, a: node(a) }, [a], `cvt:${e.op}:${a}`); }
      case 'select': {
        const c = value(e.cond), a = value(e.a), b = value(e.b);
        return intern({ ...e, cond: node(c), a: node(a), b: node(b) }, [c, a, b], `sel:${e.t}:${c}:${a}:${b}`);
      }
      case 'call': {
        const as = e.args.map(value);
        return intern({ ...e, args: as.map(node) }, as, `call:${e.fn}:${as.join(',')}`);
      }
      case 'simd': {
        const as = e.args.map(value);
        return intern({ ...e, args: as.map(node) }, as, `simd:${e.op}:${e.lane ?? ''}:${as.join(',')}`);
      }
      default: throw new Error(`internal: cse of ${e.k}`);
    }
  };

  // Number every statement's values first (so uses are known), then rebuild.
  const numbered = body.map((s): { s: Stmt; vals: number[] } => {
    if (s.k === 'set') { const v = value(s.value); localVal.set(s.name, v); return { s, vals: [v] }; }
    if (s.k === 'store') { const vals = [value(s.addr), value(s.value)]; stores++; return { s, vals }; }
    return { s, vals: [value((s as { e: Expr }).e)] };
  });

  // How many places use each value: a value is visited once per use, its operands on its first.
  const uses = nodes.map(() => 0);
  const visit = (id: number): void => { if (uses[id]++ === 0) nodes[id].kids.forEach(visit); };
  for (const { vals } of numbered) vals.forEach(visit);

  const holder = new Map<number, string>();
  const out: Stmt[] = [];
  const build = (id: number, top: boolean): Expr => {
    const h = holder.get(id);
    const n = nodes[id];
    if (h !== undefined) return { k: 'get', t: exprType(n.e)!, name: h };
    if (!n.kids.length) return n.e;
    const kids = n.kids.map((k) => build(k, false));
    const e = rebuild(n.e, kids);
    if (top || uses[id] < 2) return e;
    const t = exprType(e)!;
    const name = fresh(t);
    out.push({ k: 'set', name, value: e });
    holder.set(id, name);
    return { k: 'get', t, name };
  };
  for (const { s, vals } of numbered) {
    if (s.k === 'set') {
      const e = build(vals[0], true);
      for (const [id, name] of holder) if (name === s.name) holder.delete(id);
      out.push({ k: 'set', name: s.name, value: e });
      if (!holder.has(vals[0])) holder.set(vals[0], s.name);
    } else if (s.k === 'store') {
      const addr = build(vals[0], false), v = build(vals[1], false);
      out.push({ ...s, addr, value: v });
      // Loads after this store are new values; holders of older loads stay valid (they were read before it).
    } else {
      out.push({ k: 'expr', e: build(vals[0], true) });
    }
  }
  return out;
}

/** An expression with its operands replaced (in the order value() numbered them). */
function rebuild(e: Expr, kids: Expr[]): Expr {
  switch (e.k) {
    case 'load': return { ...e, addr: kids[0] };
    case 'un': case 'cvt': return { ...e, a: kids[0] };
    case 'bin': return { ...e, a: kids[0], b: kids[1] };
    case 'select': return { ...e, cond: kids[0], a: kids[1], b: kids[2] };
    case 'call': case 'simd': return { ...e, args: kids };
    default: return e;
  }
}

function pureStmt(s: Stmt): boolean {
  let ok = true;
  const visit = (e: Expr): void => {
    if (!ok) return;
    switch (e.k) {
      case 'const': case 'get': return;
      case 'load': if (e.atomic) ok = false; else visit(e.addr); return;
      case 'un': case 'cvt': visit(e.a); return;
      case 'bin': visit(e.a); visit(e.b); return;
      case 'select': visit(e.cond); visit(e.a); visit(e.b); return;
      case 'call': if (!PURE_CALL.test(e.fn) || e.t === null) ok = false; else e.args.forEach(visit); return;
      case 'simd': e.args.forEach(visit); return;
      default: ok = false;
    }
  };
  if (s.k === 'set') visit(s.value);
  else if (s.k === 'store') { visit(s.addr); visit(s.value); }
  else if (s.k === 'expr') visit(s.e);
  return ok;
}

/**
 * Whether a loop body may run on several threads as it is: nothing in it can raise or allocate, and
 * it calls only pure functions. With `parfors`, parallel loops of such bodies are allowed too (a
 * whole nest that cannot fail midway, see Note [Buffer reuse]). `pureCall` accepts more functions
 * (@vectorize functions that cannot fail, see parallelSafe in lower/library.ts).
 */
export function pureBody(ss: Stmt[], parfors = false, pureCall?: (fn: string) => boolean): boolean {
  let ok = true;
  const visit = (x: unknown): void => {
    if (!ok || !x || typeof x !== 'object') return;
    if (Array.isArray(x)) { x.forEach(visit); return; }
    const n = x as { k?: string; fn?: string };
    if (n.k === 'trap' || (n.k === 'parfor' && !parfors) || n.k === 'region' || n.k === 'alloc' || (n.k === 'call' && !PURE_CALL.test(n.fn ?? '') && !pureCall?.(n.fn ?? ''))) { ok = false; return; }
    for (const v of Object.values(n)) if (v && typeof v === 'object') visit(v);
  };
  visit(ss);
  return ok;
}
