// The SIMD vectorizer for loop bodies: turns the scalar body of an innermost elementwise loop into
// the body of a loop that handles one v128 (2 float64 or 4 float32 lanes) per iteration, or says
// it cannot. It works on the IR, not the AST, so whatever lowering produced for an element (fused
// arithmetic, where/clip/maximum, ufunc calls) is vectorized the same way.
//
// Note [SIMD loops]: an innermost loop is vectorized when every array operand advances by exactly
// one element per iteration (checked at run time; other strides take the scalar loop), or is known
// at compile time not to advance (a broadcast extent of 1, as in x[:, None]: its element is
// splatted), and its body
// is only float arithmetic of one width on those elements and loop-invariant scalars. Each lane op
// is the IEEE operation the scalar loop does (add, mul, div, sqrt, NumPy's min/max as compares,
// compare + bitselect for select), so a vector iteration computes exactly the values of L scalar
// iterations; the remainder (n mod L elements) runs the scalar body. Calls of math imports have no
// lane form here: each lane is extracted, passed to the scalar function and put back, unless
// `vectorMath` names a v128 variant.
import type { Expr, Mem, Stmt, VT } from './ir.js';
import { CMP_OPS } from './ir.js';

export type Lane = 'f64' | 'f32' | 'i64' | 'i32';
export const LANES: Record<Lane, { shape: 'f64x2' | 'f32x4' | 'i64x2' | 'i32x4'; n: number }> = {
  f64: { shape: 'f64x2', n: 2 },
  f32: { shape: 'f32x4', n: 4 },
  i64: { shape: 'i64x2', n: 2 },
  i32: { shape: 'i32x4', n: 4 },
};
const isFloatLane = (l: Lane) => l === 'f64' || l === 'f32';

export const simd = (op: string, t: VT, args: Expr[], lane?: number): Expr =>
  (lane === undefined ? { k: 'simd', t, op, args } : { k: 'simd', t, op, args, lane });
export const splat = (l: Lane, x: Expr): Expr => simd(`${LANES[l].shape}.splat`, 'v128', [x]);
export const vload = (addr: Expr): Expr => ({ k: 'load', t: 'v128', mem: 'v128', addr });
export const extractLane = (l: Lane, v: Expr, i: number): Expr => simd(`${LANES[l].shape}.extract_lane`, l, [v], i);

const LANE_BIN = new Set(['add', 'sub', 'mul', 'div']);
const LANE_UN = new Set(['neg', 'abs', 'sqrt', 'floor', 'ceil', 'trunc', 'nearest']);
/** Integer lanes: wrapping add/sub/mul and bitwise ops, as the scalar i32/i64 ops (wasm has no integer lane division). */
const INT_LANE_BIN: Record<string, string> = { add: 'add', sub: 'sub', mul: 'mul', and: 'v128.and', or: 'v128.or', xor: 'v128.xor' };
/** Integer compares with a lane form (wasm SIMD has signed compares for both widths). */
const INT_CMP = new Set(['eq', 'ne', 'lt_s', 'le_s', 'gt_s', 'ge_s']);

export interface VectorizeEnv {
  /** Locals holding the operands' element addresses in this loop: loads/stores through them become v128. */
  pointers: ReadonlySet<string>;
  /** Addresses of broadcast operands, the same element on every iteration: a load is splatted. */
  invariant?: ReadonlySet<string>;
  /** Locals that change from one iteration to the next (loop counters): a body reading them stays scalar. */
  variant: ReadonlySet<string>;
  /** A fresh local of a type (for vector temporaries). */
  fresh: (t: VT) => string;
  /** The v128 variant of a math import taking and returning `lane` values, if there is one. */
  vectorMath?: (fn: string, lane: Lane, arity: number) => string | null;
}

/** The lane type of a scalar body: the type every store through a pointer writes, or null. */
export function bodyLane(ss: Stmt[], pointers: ReadonlySet<string>): Lane | null {
  let lane: Lane | null = null;
  let ok = true;
  const visit = (s: Stmt) => {
    if (s.k === 'store') {
      if (!(s.mem in LANES) || s.addr.k !== 'get' || !pointers.has(s.addr.name)) ok = false;
      else if (lane && lane !== s.mem) ok = false;
      else lane = s.mem as Lane;
    } else if (s.k !== 'set') ok = false;
  };
  ss.forEach(visit);
  return ok ? lane : null;
}

/**
 * The vector form of a scalar loop body (`set`s of temporaries and stores through pointers), or
 * null when some part has no lane form. Pointers are not advanced here; the caller's loop does.
 */
const isCompare = (e: Expr): boolean => e.k === 'bin' && CMP_OPS.has(e.op);

export function vectorizeBody(ss: Stmt[], env: VectorizeEnv, lane: Lane): Stmt[] | null {
  const { shape, n: L } = LANES[lane];
  const out: Stmt[] = [];
  // Scalar temporaries of the body and their vector counterparts: values or compare masks.
  const temps = new Map<string, { v: string; mask: boolean }>();
  const assigned = new Set(ss.flatMap((s) => (s.k === 'set' ? [s.name] : [])));
  const fail = Symbol('fail');
  const bad = (): never => { throw fail; };
  const tempOf = (e: Expr): Expr => {
    if (e.k === 'get') return e;
    const name = env.fresh('v128');
    out.push({ k: 'set', name, value: e });
    return { k: 'get', t: 'v128', name };
  };

  /** A compare (or a logical combination of compares) as a lane mask. */
  const mask = (e: Expr): Expr => {
    if (e.k === 'get' && temps.get(e.name)?.mask) return { k: 'get', t: 'v128', name: temps.get(e.name)!.v };
    if (e.k === 'bin' && CMP_OPS.has(e.op) && e.t === lane && ['eq', 'ne', 'lt', 'le', 'gt', 'ge'].includes(e.op)) {
      return simd(`${shape}.${e.op}`, 'v128', [value(e.a), value(e.b)]);
    }
    if (e.k === 'bin' && e.t === lane && !isFloatLane(lane) && INT_CMP.has(e.op)) {
      // i64x2 has no ne/le_s/ge_s ops in the IR table: not of eq/gt_s/lt_s.
      const [a, b] = [value(e.a), value(e.b)];
      if (e.op === 'eq' || e.op === 'lt_s' || e.op === 'gt_s') return simd(`${shape}.${e.op}`, 'v128', [a, b]);
      const inv = { ne: 'eq', le_s: 'gt_s', ge_s: 'lt_s' }[e.op as 'ne' | 'le_s' | 'ge_s'];
      return simd('v128.not', 'v128', [simd(`${shape}.${inv}`, 'v128', [a, b])]);
    }
    if (e.k === 'bin' && e.t === 'i32' && (e.op === 'and' || e.op === 'or')) return simd(`v128.${e.op}`, 'v128', [mask(e.a), mask(e.b)]);
    if (e.k === 'un' && e.op === 'eqz' && e.t === 'i32') return simd('v128.not', 'v128', [mask(e.a)]);
    return bad();
  };

  /** A scalar the same on every iteration (constants and outside locals, combined): splatted. */
  const invariant = (e: Expr): boolean => {
    switch (e.k) {
      case 'const': return true;
      case 'get': return !temps.has(e.name) && !env.pointers.has(e.name) && !env.variant.has(e.name) && !assigned.has(e.name) && !env.invariant?.has(e.name);
      case 'cvt': case 'un': return invariant(e.a);
      case 'bin': return invariant(e.a) && invariant(e.b);
      default: return false;
    }
  };
  const value = (e: Expr): Expr => {
    if (e.t === lane && e.k !== 'const' && e.k !== 'get' && invariant(e)) return splat(lane, e);
    switch (e.k) {
      case 'const': return e.t === lane ? splat(lane, e) : bad();
      case 'get': {
        const t = temps.get(e.name);
        if (t) return t.mask ? bad() : { k: 'get', t: 'v128', name: t.v };
        if (e.t !== lane || env.pointers.has(e.name) || env.variant.has(e.name) || assigned.has(e.name)) return bad();
        return splat(lane, e);
      }
      case 'load':
        if (e.mem === lane && e.addr.k === 'get' && env.invariant?.has(e.addr.name) && !e.atomic) return splat(lane, e);
        return e.mem === lane && e.addr.k === 'get' && env.pointers.has(e.addr.name) && !e.atomic ? { k: 'load', t: 'v128', mem: 'v128', addr: e.addr } : bad();
      case 'bin':
        if (e.t !== lane) return bad();
        if (!isFloatLane(lane)) {
          const op = INT_LANE_BIN[e.op];
          if (op) return simd(op.startsWith('v128') ? op : `${shape}.${op}`, 'v128', [value(e.a), value(e.b)]);
          if (e.op === 'min' || e.op === 'max') {
            // The scalar rule (emit.ts): b unless a is strictly beyond it.
            const a = tempOf(value(e.a)), b = tempOf(value(e.b));
            return simd('v128.bitselect', 'v128', [a, b, simd(`${shape}.${e.op === 'max' ? 'gt_s' : 'lt_s'}`, 'v128', [a, b])]);
          }
          return bad();
        }
        if (e.op === 'min' || e.op === 'max') {
          // The scalar rule (emit.ts): a where a is NaN or strictly beyond b, else b.
          const a = tempOf(value(e.a)), b = tempOf(value(e.b));
          const pick = simd('v128.or', 'v128', [simd(`${shape}.${e.op === 'max' ? 'gt' : 'lt'}`, 'v128', [a, b]), simd(`${shape}.ne`, 'v128', [a, a])]);
          return simd('v128.bitselect', 'v128', [a, b, pick]);
        }
        if (LANE_BIN.has(e.op)) return simd(`${shape}.${e.op}`, 'v128', [value(e.a), value(e.b)]);
        return bad();
      case 'un':
        if (!isFloatLane(lane)) return bad();
        return e.t === lane && LANE_UN.has(e.op) ? simd(`${shape}.${e.op}`, 'v128', [value(e.a)]) : bad();
      case 'select':
        // bitselect takes lanes of a where the mask is set: the scalar select, lane by lane.
        return e.t === lane ? simd('v128.bitselect', 'v128', [value(e.a), value(e.b), mask(e.cond)]) : bad();
      case 'cvt': {
        // A float32 math call is the float64 function between two conversions: its f32x4 form
        // computes in f64 and rounds once, the same value.
        const c = e.a;
        if (lane !== 'f32' || e.op !== 'f64->f32' || c.k !== 'call' || !c.args.every((a) => a.k === 'cvt' && a.op === 'f32->f64')) return bad();
        const vfn = env.vectorMath?.(c.fn, lane, c.args.length);
        if (!vfn) return bad();
        return { k: 'call', t: 'v128', fn: vfn, args: c.args.map((a) => tempOf(value((a as Expr & { k: 'cvt' }).a))) };
      }
      case 'call': {
        if (e.t !== lane || !e.args.every((a) => a.t === lane) || !/^(math_|__m_)/.test(e.fn)) return bad();
        const args = e.args.map((a) => tempOf(value(a)));
        const vfn = env.vectorMath?.(e.fn, lane, args.length);
        if (vfn) return { k: 'call', t: 'v128', fn: vfn, args };
        // No lane form: one scalar call per lane.
        let v = splat(lane, { k: 'call', t: lane, fn: e.fn, args: args.map((a) => extractLane(lane, a, 0)) });
        for (let i = 1; i < L; i++) v = simd(`${shape}.replace_lane`, 'v128', [v, { k: 'call', t: lane, fn: e.fn, args: args.map((a) => extractLane(lane, a, i)) }], i);
        return v;
      }
      default: return bad();
    }
  };

  try {
    for (const s of ss) {
      if (s.k === 'set') {
        // A compare, or and/or of i32 values (for i32 lanes: of compares only, else it is data).
        const isMask = s.value.k === 'bin' && CMP_OPS.has(s.value.op) ||
          (s.value.k === 'bin' && (s.value.op === 'and' || s.value.op === 'or') && s.value.t === 'i32' && (lane !== 'i32' || isCompare(s.value.a)));
        const v = isMask ? mask(s.value) : value(s.value);
        const name = env.fresh('v128');
        out.push({ k: 'set', name, value: v });
        temps.set(s.name, { v: name, mask: isMask });
      } else if (s.k === 'store' && s.mem === lane && s.addr.k === 'get' && env.pointers.has(s.addr.name)) {
        out.push({ k: 'store', mem: 'v128' as Mem, addr: s.addr, value: value(s.value) });
      } else return null;
    }
  } catch (x) {
    if (x === fail) return null;
    throw x;
  }
  return out;
}
