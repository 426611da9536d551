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
//
// The vector loop (vectorLoop) handles two vectors per iteration, the second through the loads'
// and stores' static offset so that it costs no address arithmetic, then at most one single-vector
// iteration, then the scalar remainder. Every element still gets the operations of its scalar
// iteration in the same order, and the memory accesses happen in the same order as in a loop of
// one vector per iteration, so the unrolling changes no result (even when a store aliases a later
// load). Splats of loop-invariant scalars and constants (a v128.const costs V8 several instructions
// at each use) are computed once into v128 locals before the loop.
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

/**
 * Note [Narrow lanes]: int8/uint8 (and bool) elements in i8x16 lanes, int16/uint16 in i16x8. The
 * scalar body computes in i32 and stores the low 8 or 16 bits, so a lane need only hold its
 * scalar value modulo 2^w: that is so for loads (of either signedness), splats of i32 scalars and
 * the ring operations add, sub, mul (i16x8 only: wasm has no i8x16.mul), and, or, xor, and the
 * sign extensions and masks that wrap a value (identity modulo 2^w when they keep at least w bits).
 * Anything else (compares, shifts, division, conversions, selects) keeps the loop scalar.
 */
export type NarrowLane = 'u8' | 'i8' | 'u16' | 'i16';
const NARROW: Record<NarrowLane, { shape: 'i8x16' | 'i16x8'; n: number; bits: number }> = {
  u8: { shape: 'i8x16', n: 16, bits: 8 }, i8: { shape: 'i8x16', n: 16, bits: 8 },
  u16: { shape: 'i16x8', n: 8, bits: 16 }, i16: { shape: 'i16x8', n: 8, bits: 16 },
};
const isNarrow = (l: string): l is NarrowLane => Object.hasOwn(NARROW, l);
/** Elements per v128 of a lane type. */
export const laneCount = (l: Lane | NarrowLane): number => (isNarrow(l) ? NARROW[l].n : LANES[l].n);

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
export function bodyLane(ss: Stmt[], pointers: ReadonlySet<string>): Lane | NarrowLane | null {
  let lane: Lane | NarrowLane | null = null;
  let ok = true;
  const visit = (s: Stmt) => {
    if (s.k === 'store') {
      if (!(s.mem in LANES || isNarrow(s.mem)) || s.addr.k !== 'get' || !pointers.has(s.addr.name)) ok = false;
      else if (lane && lane !== s.mem) ok = false;
      else lane = s.mem as Lane | NarrowLane;
    } else if (s.k !== 'set') ok = false;
  };
  ss.forEach(visit);
  return ok ? lane : null;
}

const isCompare = (e: Expr): boolean => e.k === 'bin' && CMP_OPS.has(e.op);
/** An invariant scalar expression that cannot trap (no integer division), so it may be computed before the loop. */
const cannotTrap = (e: Expr): boolean =>
  e.k === 'bin' ? !['div_s', 'div_u', 'rem_s'].includes(e.op) && cannotTrap(e.a) && cannotTrap(e.b) : e.k === 'un' || e.k === 'cvt' ? cannotTrap(e.a) : true;

/** A vectorized loop body. */
export interface VectorBody {
  /** Sets of v128 locals to loop-invariant splats, to run once before the vector loop. */
  pre: Stmt[];
  /** One vector iteration at the pointers (`set`s of v128 temporaries, v128 stores). */
  body: Stmt[];
}

/**
 * The vector form of a scalar loop body (`set`s of temporaries and stores through pointers), or
 * null when some part has no lane form. Pointers are not advanced here; the caller's loop does.
 */
export function vectorizeBody(ss: Stmt[], env: VectorizeEnv, anyLane: Lane | NarrowLane): VectorBody | null {
  if (isNarrow(anyLane)) return vectorizeNarrow(ss, env, anyLane);
  const lane = anyLane;
  const { shape, n: L } = LANES[lane];
  const out: Stmt[] = [];
  const pre: Stmt[] = [];
  const hoisted = new Map<string, string>();
  /** The splat of an invariant scalar, as a v128 local set before the loop (once per distinct scalar). */
  const invariantSplat = (e: Expr): Expr => {
    if (!cannotTrap(e)) return splat(lane, e);
    const key = JSON.stringify(e, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v));
    let name = hoisted.get(key);
    if (!name) {
      name = env.fresh('v128');
      hoisted.set(key, name);
      pre.push({ k: 'set', name, value: splat(lane, e) });
    }
    return { k: 'get', t: 'v128', name };
  };
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
    if (e.t === lane && e.k !== 'const' && e.k !== 'get' && invariant(e)) return invariantSplat(e);
    switch (e.k) {
      case 'const': return e.t === lane ? invariantSplat(e) : bad();
      case 'get': {
        const t = temps.get(e.name);
        if (t) return t.mask ? bad() : { k: 'get', t: 'v128', name: t.v };
        if (e.t !== lane || env.pointers.has(e.name) || env.variant.has(e.name) || assigned.has(e.name)) return bad();
        return invariantSplat(e);
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
  return { pre, body: out };
}

/** vectorizeBody for 8- and 16-bit lanes (Note [Narrow lanes]). */
function vectorizeNarrow(ss: Stmt[], env: VectorizeEnv, lane: NarrowLane): VectorBody | null {
  const { shape, bits } = NARROW[lane];
  const out: Stmt[] = [];
  const pre: Stmt[] = [];
  const temps = new Map<string, string>();
  const assigned = new Set(ss.flatMap((s) => (s.k === 'set' ? [s.name] : [])));
  const sameWidth = (m: Mem) => isNarrow(m) && NARROW[m].bits === bits;
  const invariant = (e: Expr): boolean => {
    switch (e.k) {
      case 'const': return true;
      case 'get': return !temps.has(e.name) && !env.pointers.has(e.name) && !env.variant.has(e.name) && !assigned.has(e.name) && !env.invariant?.has(e.name);
      case 'cvt': case 'un': return invariant(e.a);
      case 'bin': return !['div_s', 'div_u', 'rem_s', 'rem_u'].includes(e.op) && invariant(e.a) && invariant(e.b);
      default: return false;
    }
  };
  const value = (e: Expr): Expr | null => {
    if (e.t !== 'i32') return null;
    if (e.k !== 'get' && e.k !== 'load' && invariant(e) || e.k === 'get' && !temps.has(e.name) && invariant(e)) {
      const name = env.fresh('v128');
      pre.push({ k: 'set', name, value: simd(`${shape}.splat`, 'v128', [e]) });
      return { k: 'get', t: 'v128', name };
    }
    switch (e.k) {
      case 'get': { const t = temps.get(e.name); return t ? { k: 'get', t: 'v128', name: t } : null; }
      case 'load':
        if (e.atomic || e.addr.k !== 'get' || !sameWidth(e.mem)) return null;
        if (env.invariant?.has(e.addr.name)) return simd(`${shape}.splat`, 'v128', [e]);
        return env.pointers.has(e.addr.name) ? { k: 'load', t: 'v128', mem: 'v128', addr: e.addr } : null;
      case 'un': {
        const keeps = e.op === 'extend8_s' ? 8 : e.op === 'extend16_s' ? 16 : 0;
        return keeps >= bits ? value(e.a) : null;
      }
      case 'bin': {
        const a = value(e.a), b = a && value(e.b);
        if (!a || !b) return null;
        if (e.op === 'and' || e.op === 'or' || e.op === 'xor') return simd(`v128.${e.op}`, 'v128', [a, b]);
        if (e.op === 'add' || e.op === 'sub' || (e.op === 'mul' && bits === 16)) return simd(`${shape}.${e.op}`, 'v128', [a, b]);
        return null;
      }
      default: return null;
    }
  };
  for (const s of ss) {
    if (s.k === 'set') {
      const v = value(s.value);
      if (!v) return null;
      const name = env.fresh('v128');
      out.push({ k: 'set', name, value: v });
      temps.set(s.name, name);
    } else if (s.k === 'store' && s.mem === lane && s.addr.k === 'get' && env.pointers.has(s.addr.name)) {
      const v = value(s.value);
      if (!v) return null;
      out.push({ k: 'store', mem: 'v128', addr: s.addr, value: v });
    } else return null;
  }
  return { pre, body: out };
}

/**
 * A copy of a vector body working `offset` bytes past the pointers: loads and stores through
 * `pointers` get that static offset, and the temporaries it sets get fresh names.
 */
export function offsetBody(body: Stmt[], pointers: ReadonlySet<string>, offset: number, fresh: (t: VT) => string): Stmt[] {
  const names = new Map<string, string>();
  for (const s of body) if (s.k === 'set') names.set(s.name, fresh('v128'));
  const at = (addr: Expr, o: number | undefined) => (addr.k === 'get' && pointers.has(addr.name) ? (o ?? 0) + offset : o);
  const ex = (e: Expr): Expr => {
    switch (e.k) {
      case 'get': return names.has(e.name) ? { ...e, name: names.get(e.name)! } : e;
      case 'load': { const o = at(e.addr, e.offset); return { ...e, addr: ex(e.addr), ...(o ? { offset: o } : {}) }; }
      case 'bin': return { ...e, a: ex(e.a), b: ex(e.b) };
      case 'un': case 'cvt': return { ...e, a: ex(e.a) };
      case 'select': return { ...e, cond: ex(e.cond), a: ex(e.a), b: ex(e.b) };
      case 'call': case 'simd': return { ...e, args: e.args.map(ex) };
      case 'const': return e;
      default: throw new Error(`offsetBody: unexpected ${e.k} in a vector body`);
    }
  };
  return body.map((s): Stmt => {
    if (s.k === 'set') return { k: 'set', name: names.get(s.name)!, value: ex(s.value) };
    if (s.k === 'store') { const o = at(s.addr, s.offset); return { ...s, addr: ex(s.addr), value: ex(s.value), ...(o ? { offset: o } : {}) }; }
    throw new Error(`offsetBody: unexpected ${s.k} in a vector body`);
  });
}

/**
 * The vector part of an innermost loop over [lo, end) (end - lo a multiple of the lane count),
 * counter `v`, pointers at element lo; `advance(k)` moves the pointers by k vectors. Two vectors per
 * iteration (the second at a static offset of 16 bytes), then at most one more vector; the
 * invariant splats are set first. See the note at the top of this file.
 */
export function vectorLoop(vb: VectorBody, o: {
  v: string; lo: Expr; end: Expr; lanes: number; pointers: ReadonlySet<string>;
  fresh: (t: VT) => string; label: () => string; advance: (vectors: number) => Stmt[];
}): Stmt[] {
  const i32 = (v: number): Expr => ({ k: 'const', t: 'i32', v });
  const pairs = o.fresh('i32');
  const pairsEnd: Expr = { k: 'get', t: 'i32', name: pairs };
  return [
    ...structuredClone(vb.pre),
    // The end of the pairs: end, less one vector when their number is odd.
    { k: 'set', name: pairs, value: { k: 'bin', t: 'i32', op: 'sub', a: o.end, b: { k: 'bin', t: 'i32', op: 'and', a: { k: 'bin', t: 'i32', op: 'sub', a: o.end, b: o.lo }, b: i32(o.lanes) } } },
    { k: 'for', label: o.label(), v: o.v, t: 'i32', start: o.lo, stop: pairsEnd, step: i32(2 * o.lanes), body: [
      ...structuredClone(vb.body), ...offsetBody(vb.body, o.pointers, 16, o.fresh), ...o.advance(2),
    ] },
    { k: 'if', cond: { k: 'bin', t: 'i32', op: 'ne', a: pairsEnd, b: o.end }, then: [...offsetBody(vb.body, o.pointers, 0, o.fresh), ...o.advance(1)], else: [] },
  ];
}
