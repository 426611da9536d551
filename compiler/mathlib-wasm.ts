// Math functions as wasm code added to each module that uses them (instead of calls into JS's
// Math), in scalar f64/f32 and SIMD f64x2/f32x4 forms, so they can be inlined and vectorized.
//
// How to use (lowering, SIMD):
//   mathFn(name, shape)  -> { name, params, result } of the native function, or null when `name`
//                          has no native form (then keep the `math.*` import). shape: 'f64' | 'f32'
//                          | 'f64x2' | 'f32x4'. Declare it in the IR as an import from module
//                          NATIVE_MATH (`imp(fn.name, fn.params, fn.result, NATIVE_MATH)`): verify
//                          sees its signature; emit.ts adds the body instead of importing it.
//   mathVec(name, shape)  -> the same, for the vector shapes only.
//   NATIVE_NAMES          -> the functions implemented: NATIVE1 take one argument, NATIVE2 two.
// emit.ts makes a NativeMath(module, table address, JS-import declarer), inlines the f64x2 calls of
// vector loops with it, adds the functions the module names, runs its init() (the vector constant
// pool) in the module's __init, and places mathTables() (exp/log/erf tables, computed here with
// BigInt arithmetic) in static memory at the table address.
// harnessModule builds a standalone module for test/mathlib.test.ts and bench/mathlib.js.
//
// Each function is written once, against a lane algebra (`Alg`) that is either scalar (f64 + i64)
// or SIMD (f64x2 + i64x2). A function is a branch-free fast path plus a mask of lanes it does not
// cover (nan, inf, zero, subnormal, overflow, huge arguments); those lanes go to the scalar form's
// slow path, which may branch. Vector forms run the fast path and, if any lane is special, redo all
// lanes with the scalar form, so scalar and vector results agree bit for bit. f32 forms compute in
// f64 and round once to f32. No FMA is used (wasm has none): exact products use Dekker's splitting,
// and results are assembled as hi + lo sums so that, mostly, only the final addition rounds.
//
// Algorithms (the usual ones, written for this file):
//   exp   x = k ln2/128 + r, 2^(k/128) from a 128-entry table (hi as bits, lo relative), Taylor
//         degree 6 for expm1(r), |r| <= ln2/256; the exponent is added to the table bits. The
//         kernel takes a hi + lo argument (pow, exp2, sinh/cosh). Overflow and subnormal results
//         scale by two powers of two in the slow path.
//   expm1 the exp kernel with (s - 1) + s*r exact; sinh, cosh, tanh from expm1 |x| in hi + lo with
//         a residual-corrected division.
//   log   x = 2^k z, z in [0.6875, 1.375); a 128-entry table of invc (12 bits, so z*invc splits
//         exactly; invc = 1 next to 1), -log(invc) as hi+lo; log1p(r) by Taylor degree 11; the sum
//         kept as hi+lo (pow uses it directly). log1p: log of 1 + x = u + c exactly, plus c/u.
//   pow   exp(y log x) with log as hi+lo and the product by Dekker, exp of a hi+lo argument.
//   sin/cos  Cody-Waite reduction by pi/2 in four 33-bit parts (|x| < 2^20; larger arguments use
//         the JS import, which does Payne-Hanek), Taylor degree 17/18 kernels, r - r^3/6 and 1 - r^2/2 exact.
//   erf   |x| < 7/32: the odd series; up to 6: Taylor expansions of degree 12 around a/16 from a
//         table (erf and its derivatives through Hermite polynomials); beyond, +-1.
//   exp2/log2/log10  the exp/log kernels with an exact rescaling by ln2 or 1/ln(10) in hi+lo.
//   hypot  sqrt of an exact sum of squares, corrected by one Newton step; scaled in the slow path.
import type { BExpr, BModule, BType, Binaryen } from './binaryen.js';
import type { VT } from './ir.js';
import { ERF_DEG, ERF_J0, ERF_J1, ERF_OFF, EXP_OFF, f64Bits, INVLN10_H, INVLN10_L, INVLN2_H, INVLN2_L, L2NHI, L2NLO, LN2_H, LN2_L, LN2HI, LN2LO, LOG_OFF, LOG_OFFBITS, ONE, PIO2_PARTS, POOL_CAP, POOL_OFF, split2, TSQPI_H, TSQPI_L, TWO_OVER_PI } from './mathlib-tables.js';

export const NATIVE_MATH = 'par:mathlib';
export type MathShape = 'f64' | 'f32' | 'f64x2' | 'f32x4';
export const NATIVE1 = ['exp', 'log', 'exp2', 'log2', 'log10', 'expm1', 'log1p', 'sin', 'cos', 'sinh', 'cosh', 'tanh', 'erf'] as const;
export const NATIVE2 = ['pow', 'hypot'] as const;
export const NATIVE_NAMES: readonly string[] = [...NATIVE1, ...NATIVE2];

export const SHAPES: readonly MathShape[] = ['f64', 'f32', 'f64x2', 'f32x4'];

export interface MathFn { name: string; params: VT[]; result: VT }

export function mathFn(name: string, shape: MathShape): MathFn | null {
  const arity = (NATIVE1 as readonly string[]).includes(name) ? 1 : (NATIVE2 as readonly string[]).includes(name) ? 2 : 0;
  if (!arity) return null;
  const t: VT = shape === 'f64' ? 'f64' : shape === 'f32' ? 'f32' : 'v128';
  return { name: `__m_${name}_${shape}`, params: arity === 2 ? [t, t] : [t], result: t };
}

export function mathVec(name: string, shape: 'f64x2' | 'f32x4'): MathFn | null {
  return mathFn(name, shape);
}

const isVectorForm = (fn: string): boolean => /_(f64x2|f32x4)$/.test(fn);

/** Parses a native function name back into (name, shape); null for other names. */
function parseName(fn: string): { name: string; shape: MathShape } | null {
  const m = /^__m_([a-z0-9]+)_(f64|f32|f64x2|f32x4)$/.exec(fn);
  if (!m || !NATIVE_NAMES.includes(m[1])) return null;
  return { name: m[1], shape: m[2] as MathShape };
}

// ---------------------------------------------------------------------------------------------
// Function builder and lane algebras

/**
 * The vector forms' constants, each 64-bit pattern in both halves of a 16-byte slot after the
 * tables, filled by the module's init once every function is built. A `v128.load` of a slot is one
 * instruction in V8's code where a `v128.const` of two equal non-zero halves costs three or four at
 * every use: exp's f64x2 form went from 3.2 to 3.0 ns per element.
 */
class ConstPool {
  private slots = new Map<bigint, number>();
  /** The byte offset (from the tables' base) of the slot holding `bits` in both lanes. */
  slot(bits: bigint): number {
    const key = BigInt.asUintN(64, bits);
    let i = this.slots.get(key);
    if (i === undefined) {
      i = this.slots.size;
      if (i >= POOL_CAP) throw new Error(`internal: more than ${POOL_CAP} vector math constants`);
      this.slots.set(key, i);
    }
    return POOL_OFF + 16 * i;
  }
  /** Stores every slot's value. */
  fill(m: BModule, tab: number): E {
    const bytes = new Uint8Array(16), dv = new DataView(bytes.buffer);
    return m.block(null, [...this.slots].map(([bits, i]) => {
      dv.setBigUint64(0, bits, true); dv.setBigUint64(8, bits, true);
      return m.v128.store(tab + POOL_OFF + 16 * i, 16, m.i32.const(0), m.v128.const(Array.from(bytes)));
    }));
  }
}

type E = BExpr;
/** A value kept in a local: every use reads it again (a Binaryen expression may be used once). */
class Val { constructor(readonly g: Gen, readonly l: number, readonly t: BType) {} }
type Arg = E | Val;

class Gen {
  stmts: E[] = [];
  vars: BType[] = [];
  /** `alloc`: where locals come from when the code is inlined into another function. */
  constructor(readonly m: BModule, readonly params: BType[], private alloc?: (t: BType) => number) {}
  x(a: Arg): E { return a instanceof Val ? this.m.local.get(a.l, a.t) : a; }
  local(t: BType): number {
    if (this.alloc) return this.alloc(t);
    this.vars.push(t);
    return this.params.length + this.vars.length - 1;
  }
  let(e: E, t: BType): Val { const l = this.local(t); this.stmts.push(this.m.local.set(l, e)); return new Val(this, l, t); }
  param(i: number): Val { return new Val(this, i, this.params[i]); }
  set(v: Val, e: E): void { this.stmts.push(this.m.local.set(v.l, e)); }
}

/** Float lanes (F), 64-bit integer lanes (I) and masks (M) over scalars or v128. */
abstract class Alg {
  abstract readonly vec: boolean;
  abstract readonly ft: BType; abstract readonly it: BType; abstract readonly mt: BType;
  constructor(readonly b: Binaryen, readonly m: BModule, readonly g: Gen, readonly tab: number) {}
  x(a: Arg): E { return this.g.x(a); }
  F(e: E): Val { return this.g.let(e, this.ft); }
  I(e: E): Val { return this.g.let(e, this.it); }
  M(e: E): Val { return this.g.let(e, this.mt); }
  abstract f(c: number): E;
  abstract i(c: bigint): E;
  abstract fop(op: 'add' | 'sub' | 'mul' | 'div' | 'min' | 'max' | 'copysign', a: Arg, b: Arg): E;
  abstract fun(op: 'neg' | 'abs' | 'sqrt' | 'floor' | 'nearest' | 'trunc', a: Arg): E;
  abstract fcmp(op: 'lt' | 'le' | 'gt' | 'ge' | 'eq' | 'ne', a: Arg, b: Arg): E;
  abstract iop(op: 'add' | 'sub' | 'and' | 'or' | 'xor', a: Arg, b: Arg): E;
  abstract ishift(op: 'shl' | 'shr_s' | 'shr_u', a: Arg, n: number): E;
  abstract icmp(op: 'eq' | 'lt_s' | 'gt_s', a: Arg, b: Arg): E;
  abstract bits(a: Arg): E;
  abstract fbits(a: Arg): E;
  abstract sel(mask: Arg, a: Arg, b: Arg): E;
  abstract mand(a: Arg, b: Arg): E;
  abstract mor(a: Arg, b: Arg): E;
  abstract mnot(a: Arg): E;
  abstract any(mask: Arg): E;
  /** Loads per lane from the tables: f64 (or i64 when int) at tab + off + (byte offset lane of idx). */
  abstract gather(idx: Val, off: number, int?: boolean): E;

  /** mask ? a() : b(), lane by lane: vectors compute both; scalars branch, so only one runs. */
  choose(mask: Val, a: () => Val, b: () => Val): Val {
    if (this.vec) { const va = a(), vb = b(); return this.F(this.sel(mask, va, vb)); }
    const res = new Val(this.g, this.g.local(this.ft), this.ft);
    const saved = this.g.stmts;
    const arm = (f: () => Val) => { this.g.stmts = []; const v = f(); return this.m.block(null, [...this.g.stmts, this.m.local.set(res.l, this.x(v))]); };
    const thenArm = arm(a), elseArm = arm(b);
    this.g.stmts = saved;
    this.g.stmts.push(this.m.if(this.x(mask), thenArm, elseArm));
    return res;
  }
  add(a: Arg, b: Arg) { return this.fop('add', a, b); }
  sub(a: Arg, b: Arg) { return this.fop('sub', a, b); }
  mul(a: Arg, b: Arg) { return this.fop('mul', a, b); }
  /** Horner evaluation of sum cs[i] t^i. */
  poly(t: Val, cs: readonly number[]): E {
    let acc: E = this.f(cs[cs.length - 1]);
    for (let i = cs.length - 2; i >= 0; i--) acc = this.add(this.mul(acc, t), this.f(cs[i]));
    return acc;
  }
  /** Exact product a*b = hi + lo (Dekker; needs |a|, |b| < 2^995). */
  twoProd(a: Val, b: Val): [Val, Val] {
    const p = this.F(this.mul(a, b));
    const [ah, al] = this.split(a), [bh, bl] = this.split(b);
    const err = this.add(this.add(this.add(this.sub(this.mul(ah, bh), p), this.mul(ah, bl)), this.mul(al, bh)), this.mul(al, bl));
    return [p, this.F(err)];
  }
  split(a: Val): [Val, Val] {
    const c = this.F(this.mul(a, this.f(134217729)));
    const hi = this.F(this.sub(c, this.sub(c, a)));
    return [hi, this.F(this.sub(a, hi))];
  }
  /** a + b = s + err exactly (any magnitudes). */
  twoSum(a: Val, b: Val): [Val, Val] {
    const s = this.F(this.add(a, b));
    const bb = this.F(this.sub(s, a));
    return [s, this.F(this.add(this.sub(a, this.sub(s, bb)), this.sub(b, bb)))];
  }
  /** a + b = s + err exactly when |a| >= |b| or a == 0. */
  fastSum(a: Val, b: Val): [Val, Val] {
    const s = this.F(this.add(a, b));
    return [s, this.F(this.sub(b, this.sub(s, a)))];
  }
  /** The integer in the low bits of kd = v + 1.5*2^52 (v integral, |v| < 2^51) and v itself. */
  roundInt(v: Arg): [Val, Val] {
    const kd = this.F(this.add(v, this.f(SHIFT)));
    return [this.I(this.bits(kd)), this.F(this.sub(kd, this.f(SHIFT)))];
  }
}
const SHIFT = 1.5 * 2 ** 52;

class ScalarAlg extends Alg {
  readonly vec = false;
  get ft() { return this.b.f64; } get it() { return this.b.i64; } get mt() { return this.b.i32; }
  f(c: number) { return this.m.f64.const(c); }
  i(c: bigint) { return (this.m.i64.const as unknown as (v: bigint) => E)(BigInt.asIntN(64, c)); }
  fop(op: 'add' | 'sub' | 'mul' | 'div' | 'min' | 'max' | 'copysign', a: Arg, b: Arg) { return this.m.f64[op](this.x(a), this.x(b)); }
  fun(op: 'neg' | 'abs' | 'sqrt' | 'floor' | 'nearest' | 'trunc', a: Arg) { return this.m.f64[op](this.x(a)); }
  fcmp(op: 'lt' | 'le' | 'gt' | 'ge' | 'eq' | 'ne', a: Arg, b: Arg) { return this.m.f64[op](this.x(a), this.x(b)); }
  iop(op: 'add' | 'sub' | 'and' | 'or' | 'xor', a: Arg, b: Arg) { return this.m.i64[op](this.x(a), this.x(b)); }
  ishift(op: 'shl' | 'shr_s' | 'shr_u', a: Arg, n: number) { return this.m.i64[op](this.x(a), this.i(BigInt(n))); }
  icmp(op: 'eq' | 'lt_s' | 'gt_s', a: Arg, b: Arg) { return this.m.i64[op](this.x(a), this.x(b)); }
  bits(a: Arg) { return this.m.i64.reinterpret(this.x(a)); }
  fbits(a: Arg) { return this.m.f64.reinterpret(this.x(a)); }
  sel(mask: Arg, a: Arg, b: Arg) { return this.m.select(this.x(mask), this.x(a), this.x(b)); }
  mand(a: Arg, b: Arg) { return this.m.i32.and(this.x(a), this.x(b)); }
  mor(a: Arg, b: Arg) { return this.m.i32.or(this.x(a), this.x(b)); }
  mnot(a: Arg) { return this.m.i32.eqz(this.x(a)); }
  any(mask: Arg) { return this.x(mask); }
  gather(idx: Val, off: number, int = false) {
    const addr = this.m.i32.wrap(this.x(idx));
    return int ? this.m.i64.load(this.tab + off, 8, addr) : this.m.f64.load(this.tab + off, 8, addr);
  }
}

class VectorAlg extends Alg {
  readonly vec = true;
  constructor(b: Binaryen, m: BModule, g: Gen, tab: number, private pool: ConstPool) { super(b, m, g, tab); }
  get ft() { return this.b.v128; } get it() { return this.b.v128; } get mt() { return this.b.v128; }
  f(c: number) { return this.i(f64Bits(c)); }
  i(c: bigint) { return this.m.v128.load(this.tab + this.pool.slot(c), 16, this.m.i32.const(0)); }
  fop(op: 'add' | 'sub' | 'mul' | 'div' | 'min' | 'max' | 'copysign', a: Arg, b: Arg): E {
    if (op === 'copysign') { // sign bit of b, the rest of a
      const sign = this.i(-0x8000000000000000n);
      return this.m.v128.bitselect(this.x(b), this.x(a), sign);
    }
    return this.m.f64x2[op](this.x(a), this.x(b));
  }
  fun(op: 'neg' | 'abs' | 'sqrt' | 'floor' | 'nearest' | 'trunc', a: Arg) { return this.m.f64x2[op](this.x(a)); }
  fcmp(op: 'lt' | 'le' | 'gt' | 'ge' | 'eq' | 'ne', a: Arg, b: Arg) { return this.m.f64x2[op](this.x(a), this.x(b)); }
  iop(op: 'add' | 'sub' | 'and' | 'or' | 'xor', a: Arg, b: Arg) {
    return op === 'add' || op === 'sub' ? this.m.i64x2[op](this.x(a), this.x(b)) : this.m.v128[op](this.x(a), this.x(b));
  }
  ishift(op: 'shl' | 'shr_s' | 'shr_u', a: Arg, n: number) { return this.m.i64x2[op](this.x(a), this.m.i32.const(n)); }
  icmp(op: 'eq' | 'lt_s' | 'gt_s', a: Arg, b: Arg) { return this.m.i64x2[op](this.x(a), this.x(b)); }
  bits(a: Arg) { return this.x(a); }
  fbits(a: Arg) { return this.x(a); }
  sel(mask: Arg, a: Arg, b: Arg) { return this.m.v128.bitselect(this.x(a), this.x(b), this.x(mask)); }
  mand(a: Arg, b: Arg) { return this.m.v128.and(this.x(a), this.x(b)); }
  mor(a: Arg, b: Arg) { return this.m.v128.or(this.x(a), this.x(b)); }
  mnot(a: Arg) { return this.m.v128.not(this.x(a)); }
  any(mask: Arg) { return this.m.v128.any_true(this.x(mask)); }
  /** The two lanes' byte offsets as i32 locals, extracted once per index vector. */
  private lanes = new Map<Val, [Val, Val]>();
  gather(idx: Val, off: number) {
    const m = this.m;
    let ls = this.lanes.get(idx);
    if (!ls) {
      const lane = (i: number) => this.g.let(m.i32.wrap(m.i64x2.extract_lane(this.x(idx), i as unknown as E)), this.b.i32);
      ls = [lane(0), lane(1)];
      this.lanes.set(idx, ls);
    }
    const base = this.tab + off;
    return m.v128.load64_lane(base, 8, 1, this.x(ls[1]), m.v128.load64_zero(base, 8, this.x(ls[0])));
  }

}

// ---------------------------------------------------------------------------------------------
// Kernels: fast paths over any algebra. Each returns [result, special-lanes mask].

/** exp(h + l) for |h| <= 704 (the caller masks other lanes). */
function expKernel(A: Alg, h: Val, l: Arg | null): Val {
  const [ki, kd] = A.roundInt(A.fun('nearest', A.mul(h, A.f(128 / LN2_H))));
  const rh = A.F(A.sub(h, A.mul(kd, A.f(L2NHI))));
  let t = A.F(A.fun('neg', A.mul(kd, A.f(L2NLO))));
  if (l !== null) t = A.F(A.add(t, l));
  const [r, rlo] = A.fastSum(rh, t);
  const idx = A.I(A.ishift('shl', A.iop('and', ki, A.i(127n)), 4));
  const tail = A.gather(idx, EXP_OFF);
  const sbits = A.iop('add', A.gather(idx, EXP_OFF + 8, true), A.ishift('shl', ki, 45));
  const scale = A.F(A.fbits(sbits));
  const r2 = A.F(A.mul(r, r));
  const p = A.add(r, A.mul(r2, A.poly(r, [1 / 2, 1 / 6, 1 / 24, 1 / 120, 1 / 720])));
  const tmp = A.F(A.add(A.add(tail, rlo), p));
  return A.F(A.add(scale, A.mul(scale, tmp)));
}

/** Lanes exp(h) cannot take: |h| > 704 or nan. */
function expSpecial(A: Alg, h: Val): E {
  return A.mnot(A.fcmp('le', A.fun('abs', h), A.f(704)));
}

/** log(x) = hi + lo for positive normal x (kbias added to the exponent, for rescaled subnormals). */
function logKernel(A: Alg, x: Val, kbias: number): [Val, Val] {
  const ix = A.I(A.bits(x));
  const tmp = A.I(A.iop('sub', ix, A.i(LOG_OFFBITS)));
  const idx = A.I(A.ishift('shl', A.iop('and', A.ishift('shr_u', tmp, 45), A.i(127n)), 5));
  const k = A.ishift('shr_s', tmp, 52);
  let kd = A.F(A.sub(A.fbits(A.iop('add', k, A.i(0x4338000000000000n))), A.f(SHIFT)));
  if (kbias) kd = A.F(A.add(kd, A.f(kbias)));
  const iz = A.I(A.iop('sub', ix, A.iop('and', tmp, A.i(0xfffn << 52n))));
  const z = A.F(A.fbits(iz));
  const zh = A.F(A.fbits(A.iop('and', iz, A.i(~0xfffn))));
  const invc = A.F(A.gather(idx, LOG_OFF));
  const a = A.F(A.sub(A.mul(zh, invc), A.f(1)));
  const b = A.F(A.mul(A.sub(z, zh), invc));
  const [r, rlo] = A.fastSum(a, b);
  const w0 = A.F(A.mul(kd, A.f(LN2HI)));
  const [w, wlo] = A.fastSum(w0, A.F(A.gather(idx, LOG_OFF + 8)));
  const [hi, herr] = A.twoSum(w, r);
  const r2 = A.F(A.mul(r, r));
  const p = A.mul(r2, A.poly(r, [-1 / 2, 1 / 3, -1 / 4, 1 / 5, -1 / 6, 1 / 7, -1 / 8, 1 / 9, -1 / 10, 1 / 11]));
  const lo = A.add(A.add(A.add(A.add(wlo, herr), A.add(A.mul(kd, A.f(LN2LO)), A.gather(idx, LOG_OFF + 16))), rlo), p);
  return [hi, A.F(lo)];
}

/** Lanes log cannot take: not a positive normal finite number. */
function logSpecial(A: Alg, x: Val): E {
  const t1 = A.I(A.iop('sub', A.ishift('shr_u', A.bits(x), 52), A.i(1n)));
  return A.mor(A.icmp('lt_s', t1, A.i(0n)), A.icmp('gt_s', t1, A.i(0x7fdn)));
}

/** (hi + lo) * (ch + cl), as hi + lo. */
function ddMul(A: Alg, hi: Val, lo: Val, ch: number, cl: number): [Val, Val] {
  const [p, pe] = A.twoProd(hi, A.F(A.f(ch)));
  return [p, A.F(A.add(pe, A.add(A.mul(hi, A.f(cl)), A.mul(lo, A.f(ch)))))];
}

/** sin and cos of x, |x| < 2^20, quadrant-selected; which: 0 sin, 1 cos. */
function trigKernel(A: Alg, x: Val, which: 0 | 1): Val {
  const [P1, P2, P3, P4] = PIO2_PARTS;
  const [ki, kd] = A.roundInt(A.fun('nearest', A.mul(x, A.f(TWO_OVER_PI))));
  const y1 = A.F(A.sub(x, A.mul(kd, A.f(P1))));
  const [r0, e0] = A.twoSum(y1, A.F(A.fun('neg', A.mul(kd, A.f(P2)))));
  const rr = A.F(A.sub(A.sub(e0, A.mul(kd, A.f(P3))), A.mul(kd, A.f(P4))));
  const [r, rl] = A.fastSum(r0, rr);
  const r2 = A.F(A.mul(r, r));
  const [ph, pl] = A.twoProd(r, r);
  // sin(r + rl) = (r - r^3/6) + (r^5 S(r^2) + rl (1 - r^2/2)), with r - r^3/6 as an exact sum
  const sinT = (): Val => {
    const [c3, c3e] = A.twoProd(r, ph);
    const [t, te] = A.twoProd(c3, A.F(A.f(SIXTH_H)));
    const tl = A.add(te, A.add(A.mul(c3, A.f(SIXTH_L)), A.mul(A.add(c3e, A.mul(r, pl)), A.f(SIXTH_H))));
    const [sh, se] = A.twoSum(r, A.F(A.fun('neg', t)));
    const tail5 = A.mul(A.mul(A.mul(r2, r2), r), A.poly(r2, SIN_C.slice(1)));
    return A.F(A.add(sh, A.add(A.sub(se, tl), A.add(tail5, A.sub(rl, A.mul(A.mul(rl, r2), A.f(0.5)))))));
  };
  // cos(r + rl) = (1 - r^2/2) + (r^4 C(r^2) - r rl), with r^2/2 exact
  const cosT = (): Val => {
    const hh = A.F(A.mul(ph, A.f(0.5)));
    const w = A.F(A.sub(A.f(1), hh));
    const werr = A.sub(A.sub(A.f(1), w), hh);
    const tail = A.sub(A.mul(A.mul(r2, r2), A.poly(r2, COS_C)), A.add(A.mul(r, rl), A.mul(pl, A.f(0.5))));
    return A.F(A.add(w, A.add(werr, tail)));
  };
  const q = A.I(A.iop('and', A.iop('add', ki, A.i(BigInt(which))), A.i(3n)));
  const odd = A.M(A.mnot(A.icmp('eq', A.iop('and', q, A.i(1n)), A.i(0n))));
  const neg = A.mnot(A.icmp('eq', A.iop('and', q, A.i(2n)), A.i(0n)));
  const v = A.choose(odd, cosT, sinT);
  const res = A.sel(neg, A.fun('neg', v), v);
  // sin(x) = x for tiny x (keeps -0)
  return which === 0 ? A.F(A.sel(A.fcmp('lt', A.fun('abs', x), A.f(2 ** -26)), x, res)) : A.F(res);
}
const [SIXTH_H, SIXTH_L] = split2(ONE / 6n);
const fact = (n: number): number => (n <= 1 ? 1 : n * fact(n - 1));
const SIN_C = [3, 5, 7, 9, 11, 13, 15, 17].map((n, i) => (i % 2 ? 1 : -1) / fact(n));
const COS_C = [4, 6, 8, 10, 12, 14, 16, 18].map((n, i) => (i % 2 ? -1 : 1) / fact(n));
function trigSpecial(A: Alg, x: Val): E {
  return A.mnot(A.fcmp('lt', A.fun('abs', x), A.f(2 ** 20)));
}

/** erf(x) for finite x. */
function erfKernel(A: Alg, x: Val): Val {
  const ax = A.F(A.fun('abs', x));
  // series, |x| < 3.5/16: erf = c x + c x s, c = 2/sqrt(pi), s = sum_{n>=1} (-1)^n x^2n / (n! (2n+1))
  const x2 = A.F(A.mul(ax, ax));
  const sc: number[] = [];
  for (let n = 1; n <= 10; n++) sc.push((n % 2 ? -1 : 1) / (fact(n) * (2 * n + 1)));
  const s = A.mul(x2, A.poly(x2, sc));
  const [p, pe] = A.twoProd(ax, A.F(A.f(TSQPI_H)));
  const small = A.F(A.add(p, A.add(A.add(pe, A.mul(ax, A.f(TSQPI_L))), A.mul(p, s))));
  // table: a = j/16, t = |x| - a exact
  const jd = A.F(A.fun('nearest', A.mul(A.fop('min', ax, A.f(ERF_J1 / 16)), A.f(16))));
  const jc = A.F(A.fop('max', jd, A.f(ERF_J0)));
  const ji = A.I(A.bits(A.add(jc, A.f(SHIFT))));
  const idx = A.I(A.ishift('shl', A.iop('and', A.iop('sub', ji, A.i(BigInt(ERF_J0))), A.i(127n)), 0));
  const off = A.I(A.iop('add', A.iop('add', A.ishift('shl', idx, 6), A.ishift('shl', idx, 5)), A.ishift('shl', idx, 4))); // * 112
  const t = A.F(A.sub(ax, A.mul(jc, A.f(1 / 16))));
  let acc: E = A.gather(off, ERF_OFF + 8 + 8 * ERF_DEG);
  for (let n = ERF_DEG - 1; n >= 1; n--) acc = A.add(A.mul(acc, t), A.gather(off, ERF_OFF + 8 + 8 * n));
  const tab = A.F(A.add(A.gather(off, ERF_OFF), A.add(A.gather(off, ERF_OFF + 8), A.mul(acc, t))));
  const v = A.sel(A.fcmp('lt', ax, A.f(ERF_SERIES)), small, A.sel(A.fcmp('lt', ax, A.f(6)), tab, A.f(1)));
  return A.F(A.fop('copysign', v, x));
}
const ERF_SERIES = (ERF_J0 - 0.5) / 16;
function erfSpecial(A: Alg, x: Val): E { return A.fcmp('ne', x, x); }

// ---------------------------------------------------------------------------------------------
// Function definitions: fast path + special mask (any algebra), slow path (scalar only).

interface Def {
  arity: 1 | 2;
  fast(A: Alg, args: Val[]): [Val, E];
  /** Scalar slow path for special lanes; returns the result expression (may add statements). */
  slow(A: Alg, args: Val[], ctx: SlowCtx): E;
}
interface SlowCtx { importJs(name: string): string }

function expDef(kind: 'exp' | 'exp2'): Def {
  /** h + l: the argument of exp (for exp2, x ln2 in hi + lo). */
  const arg = (A: Alg, x: Val): [Val, Val | null] => {
    if (kind === 'exp') return [x, null];
    const [h, l] = A.twoProd(x, A.F(A.f(LN2_H)));
    return [h, A.F(A.add(l, A.mul(x, A.f(LN2_L))))];
  };
  return {
    arity: 1,
    fast(A, [x]) {
      const [h, l] = arg(A, x);
      // exp2's Dekker split needs |x| well inside the range; the mask also covers nan and inf.
      const sp = kind === 'exp' ? expSpecial(A, h) : A.mnot(A.fcmp('le', A.fun('abs', x), A.f(1015)));
      return [expKernel(A, h, l), sp];
    },
    slow(A, [x]) {
      const m = A.m;
      if (kind === 'exp') return expSlow(A, x, null);
      const xc = A.F(m.select(m.f64.gt(A.x(x), A.f(2000)), A.f(2000), m.select(m.f64.lt(A.x(x), A.f(-2000)), A.f(-2000), A.x(x))));
      const [h, l] = arg(A, xc);
      return expSlow(A, h, l);
    },
  };
}

/** exp(h + l) for any h: overflow, underflow to subnormals and zero, nan. */
function expSlow(A: Alg, h: Val, l: Val | null): E {
  const m = A.m;
  // Clamp (keeping nan): beyond +-746 the result is inf or 0 either way; the clamp keeps the scale exponents in range.
  const hc = A.F(m.select(m.f64.gt(A.x(h), A.f(746)), A.f(746), m.select(m.f64.lt(A.x(h), A.f(-746)), A.f(-746), A.x(h))));
  const [ki, kd] = A.roundInt(A.fun('nearest', A.mul(hc, A.f(128 / LN2_H))));
  const rh = A.F(A.sub(hc, A.mul(kd, A.f(L2NHI))));
  let t = A.F(A.fun('neg', A.mul(kd, A.f(L2NLO))));
  if (l) t = A.F(A.add(t, l));
  const [r, rlo] = A.fastSum(rh, t);
  const j = A.I(A.iop('and', ki, A.i(127n)));
  const idx = A.I(A.ishift('shl', j, 4));
  const sc = A.F(A.fbits(A.iop('add', A.gather(idx, EXP_OFF + 8, true), A.ishift('shl', j, 45))));
  const r2 = A.F(A.mul(r, r));
  const p = A.add(r, A.mul(r2, A.poly(r, [1 / 2, 1 / 6, 1 / 24, 1 / 120, 1 / 720])));
  const y = A.F(A.add(sc, A.mul(sc, A.add(A.add(A.gather(idx, EXP_OFF), rlo), p))));
  // 2^e in two normal factors
  const e = A.I(A.ishift('shr_s', ki, 7));
  const e1 = A.I(A.ishift('shr_s', e, 1));
  const pow2 = (v: Arg) => A.fbits(A.ishift('shl', A.iop('add', v, A.i(1023n)), 52));
  const res = A.mul(A.mul(y, pow2(e1)), pow2(A.iop('sub', e, e1)));
  return m.select(m.f64.ne(A.x(h), A.x(h)), A.x(h), res);
}

function logDef(kind: 'log' | 'log2' | 'log10'): Def {
  const finish = (A: Alg, hi: Val, lo: Val): E => {
    if (kind === 'log') return A.add(hi, lo);
    const [ph, pl] = kind === 'log2' ? ddMul(A, hi, lo, INVLN2_H, INVLN2_L) : ddMul(A, hi, lo, INVLN10_H, INVLN10_L);
    return A.add(ph, pl);
  };
  return {
    arity: 1,
    fast(A, [x]) {
      const [hi, lo] = logKernel(A, x, 0);
      return [A.F(finish(A, hi, lo)), logSpecial(A, x)];
    },
    slow(A, [x]) {
      const m = A.m;
      // subnormal: rescale by 2^52
      const [hi, lo] = logKernel(A, A.F(A.mul(x, A.f(2 ** 52))), -52);
      const sub = A.F(finish(A, hi, lo));
      return m.select(m.f64.eq(A.x(x), A.f(0)), A.f(-Infinity),
        m.select(m.f64.lt(A.x(x), A.f(0)), A.f(NaN),
          m.select(m.f64.ne(A.x(x), A.x(x)), A.x(x),
            m.select(m.f64.eq(A.x(x), A.f(Infinity)), A.x(x), A.x(sub)))));
    },
  };
}

function trigDef(which: 0 | 1): Def {
  return {
    arity: 1,
    fast(A, [x]) { return [trigKernel(A, x, which), trigSpecial(A, x)]; },
    slow(A, [x], ctx) {
      // Huge arguments need Payne-Hanek reduction; JS's Math (fdlibm) has it. inf and nan -> nan.
      return A.m.call(ctx.importJs(which ? 'cos' : 'sin'), [A.x(x)], A.b.f64);
    },
  };
}

const erfDef: Def = {
  arity: 1,
  fast(A, [x]) { return [erfKernel(A, x), erfSpecial(A, x)]; },
  slow(A, [x]) { return A.x(x); },
};

const powDef: Def = {
  arity: 2,
  fast(A, [x, y]) {
    const [hi, lo] = logKernel(A, x, 0);
    const [h0, hl] = A.twoProd(y, hi);
    // y*lo is not small next to the product's error: renormalize so |l| <= ulp(h) (exp's reduction uses h alone)
    const [h, l] = A.twoSum(h0, A.F(A.add(hl, A.mul(y, lo))));
    const sp = A.mor(A.mor(logSpecial(A, x), A.mnot(A.fcmp('lt', A.fun('abs', y), A.f(2 ** 900)))), expSpecial(A, h));
    return [expKernel(A, h, l), sp];
  },
  slow(A, [x, y]) {
    const m = A.m, b = A.b;
    const c = (v: number) => A.f(v);
    const X = () => A.x(x), Y = () => A.x(y);
    const out: E[] = [];
    const ret = (e: E) => m.return(e);
    const when = (cond: E, e: E) => out.push(m.if(cond, ret(e)));
    const ax = A.F(A.fun('abs', x));
    // y an odd integer (|y| >= 2^53 is even)
    const hy = A.F(A.mul(y, c(0.5)));
    const isInt = A.M(m.f64.eq(m.f64.floor(Y()), Y()));
    const odd = A.M(m.i32.and(A.x(isInt), m.f64.ne(m.f64.floor(A.x(hy)), A.x(hy))));
    when(m.i32.or(m.f64.eq(Y(), c(0)), m.f64.eq(X(), c(1))), c(1));
    when(m.i32.or(m.f64.ne(X(), X()), m.f64.ne(Y(), Y())), m.f64.add(X(), Y()));
    when(m.f64.eq(X(), c(0)), m.select(m.f64.lt(Y(), c(0)),
      m.select(A.x(odd), m.f64.copysign(c(Infinity), X()), c(Infinity)),
      m.select(A.x(odd), X(), c(0))));
    // y infinite, or so large that y log|x| is far beyond the range (|log x| >= 2^-53 for x != 1)
    when(m.f64.ge(m.f64.abs(Y()), c(2 ** 900)), m.select(m.f64.eq(A.x(ax), c(1)), c(1),
      m.select(m.i32.eq(m.f64.lt(A.x(ax), c(1)), m.f64.gt(Y(), c(0))), c(0), c(Infinity))));
    when(m.f64.eq(A.x(ax), c(Infinity)), m.select(m.f64.lt(Y(), c(0)),
      m.select(A.x(odd), m.f64.copysign(c(0), X()), c(0)),
      m.select(A.x(odd), X(), c(Infinity))));
    when(m.i32.and(m.f64.lt(X(), c(0)), m.i32.eqz(A.x(isInt))), c(NaN));
    // |x| finite nonzero, y finite nonzero: exp(y log|x|), rescaling subnormal x
    const subn = A.M(m.f64.lt(A.x(ax), c(2 ** -1022)));
    const xs = A.F(m.select(A.x(subn), m.f64.mul(A.x(ax), c(2 ** 52)), A.x(ax)));
    const [hi0, lo0] = logKernel(A, xs, 0);
    // subtract 52 ln2 (as hi + lo) for rescaled subnormals
    const kb = A.F(m.select(A.x(subn), c(-52), c(0)));
    const [hi, e1] = A.twoSum(hi0, A.F(A.mul(kb, c(LN2HI))));
    const lo = A.F(A.add(A.add(lo0, e1), A.mul(kb, c(LN2LO))));
    // y * (hi + lo); |y| may be huge here, so scale it down by 2^-60 for the split and back
    const ys = A.F(A.mul(y, c(2 ** -60)));
    const [h0, hl0] = A.twoProd(ys, hi);
    const [h, l] = A.twoSum(A.F(A.mul(h0, c(2 ** 60))), A.F(A.add(A.mul(hl0, c(2 ** 60)), A.mul(y, lo))));
    const r = A.F(expSlow(A, h, l));
    out.push(m.select(A.x(odd), m.select(m.f64.lt(X(), c(0)), A.fun('neg', r), A.x(r)), A.x(r)));
    return m.block(null, out, b.f64);
  },
};

/** expm1(x) = hi + lo for -704 <= x <= 600: exp(x) = s (1 + tmp) as in expKernel; expm1 = (s - 1) + s tmp, summed exactly enough. */
function expm1Kernel(A: Alg, x: Val): [Val, Val] {
    const [ki, kd] = A.roundInt(A.fun('nearest', A.mul(x, A.f(128 / LN2_H))));
    const [r, rlo] = A.fastSum(A.F(A.sub(x, A.mul(kd, A.f(L2NHI)))), A.F(A.fun('neg', A.mul(kd, A.f(L2NLO)))));
    const idx = A.I(A.ishift('shl', A.iop('and', ki, A.i(127n)), 4));
    const s = A.F(A.fbits(A.iop('add', A.gather(idx, EXP_OFF + 8, true), A.ishift('shl', ki, 45))));
    const r2 = A.F(A.mul(r, r));
    // s r exactly; the rest of s tmp (r^2/2 and smaller) needs no extra precision
    // (the table's tail times (1 + r): tail r is not negligible next to a result as small as r)
    const tail = A.F(A.gather(idx, EXP_OFF));
    const small = A.F(A.add(A.add(A.add(tail, A.mul(tail, r)), rlo), A.mul(r2, A.poly(r, [1 / 2, 1 / 6, 1 / 24, 1 / 120, 1 / 720]))));
    const [a, ae] = A.twoSum(s, A.F(A.f(-1)));
    const [b, be] = A.twoProd(s, r);
    const [c, ce] = A.twoSum(a, b);
    // normalized, so that lo is below an ulp of hi (tanh's division relies on it)
    return A.fastSum(c, A.F(A.add(A.add(ce, ae), A.add(be, A.mul(s, small)))));
}

const expm1Def: Def = {
  arity: 1,
  fast(A, [x]) {
    const [hi, lo] = expm1Kernel(A, x);
    // expm1(x) = x for tiny x (and keeps -0)
    const v = A.F(A.sel(A.fcmp('lt', A.fun('abs', x), A.f(2 ** -54)), x, A.add(hi, lo)));
    // beyond 600 the split of s would overflow; nan and -inf also go to the slow path
    return [v, A.mnot(A.mand(A.fcmp('ge', x, A.f(-704)), A.fcmp('le', x, A.f(600))))];
  },
  slow(A, [x]) {
    const m = A.m;
    return m.select(m.f64.lt(A.x(x), A.f(0)), A.f(-1), expSlow(A, x, null)); // nan: expSlow keeps it
  },
};

/** tanh|x| = E / (E + 2), E = expm1(2|x|) in hi + lo, the quotient corrected by its residual. */
const tanhDef: Def = {
  arity: 1,
  fast(A, [x]) {
    const ax = A.F(A.fun('abs', x));
    const [eh, el] = expm1Kernel(A, A.F(A.mul(ax, A.f(2))));
    const [dh, dl0] = A.twoSum(eh, A.F(A.f(2)));
    const dl = A.F(A.add(dl0, el));
    const q = A.F(A.fop('div', eh, dh));
    const [p, pe] = A.twoProd(q, dh);
    const rem = A.sub(A.add(A.sub(A.sub(eh, p), pe), el), A.mul(q, dl));
    const t = A.add(q, A.fop('div', rem, dh));
    // 1 beyond 22 (1 - tanh < 2^-63), x itself below 2^-28
    const v = A.sel(A.fcmp('lt', ax, A.f(2 ** -28)), ax, A.sel(A.fcmp('gt', ax, A.f(22)), A.f(1), t));
    return [A.F(A.fop('copysign', v, x)), A.fcmp('ne', x, x)];
  },
  slow(A, [x]) { return A.x(x); },
};

/** (nh + nl) / (dh + dl) as hi + lo: the quotient corrected once by its residual (lo parts below an ulp). */
function ddDiv(A: Alg, nh: Val, nl: Val, dh: Val, dl: Val): [Val, Val] {
  const q = A.F(A.fop('div', nh, dh));
  const [p, pe] = A.twoProd(q, dh);
  const rem = A.sub(A.add(A.sub(A.sub(nh, p), pe), nl), A.mul(q, dl));
  return A.fastSum(q, A.F(A.fop('div', rem, dh)));
}

/** e^|x| / 2 for large |x| (the slow path of sinh and cosh), as exp(|x| - ln2) with the subtraction exact. */
function halfExpSlow(A: Alg, x: Val): E {
  // clamped (nan stays nan): beyond 746 the result is inf anyway, and inf - ln2 would give a nan low part
  const [h, hl] = A.twoSum(A.F(A.fop('min', A.fun('abs', x), A.f(746))), A.F(A.f(-LN2_H)));
  return expSlow(A, h, A.F(A.sub(hl, A.f(LN2_L))));
}

/** sinh|x| = (E + E/(E + 1)) / 2 and cosh x = (Y + 1/Y) / 2 with E = expm1|x|, Y = E + 1, in hi + lo. */
function hypDef(kind: 'sinh' | 'cosh'): Def {
  return {
    arity: 1,
    fast(A, [x]) {
      const ax = A.F(A.fun('abs', x));
      const [eh, el] = expm1Kernel(A, ax);
      const [y0, ye] = A.twoSum(eh, A.F(A.f(1)));
      const [yh, yl] = A.fastSum(y0, A.F(A.add(ye, el)));
      const [qh, ql] = kind === 'sinh' ? ddDiv(A, eh, el, yh, yl) : ddDiv(A, A.F(A.f(1)), A.F(A.f(0)), yh, yl);
      const [ah, al] = kind === 'sinh' ? [eh, el] : [yh, yl];
      const [sh, se] = A.twoSum(ah, qh);
      const v = A.F(A.mul(A.add(sh, A.add(se, A.add(al, ql))), A.f(0.5)));
      const sp = A.mnot(A.fcmp('le', ax, A.f(600)));
      if (kind === 'cosh') return [v, sp];
      // sinh x = x below 2^-28
      return [A.F(A.fop('copysign', A.sel(A.fcmp('lt', ax, A.f(2 ** -28)), ax, v), x)), sp];
    },
    slow(A, [x]) {
      const r = halfExpSlow(A, x);
      return kind === 'cosh' ? r : A.fop('copysign', r, x);
    },
  };
}

const log1pDef: Def = {
  arity: 1,
  fast(A, [x]) {
    const [u, c] = A.twoSum(A.F(A.f(1)), x); // 1 + x = u + c exactly
    const [hi, lo] = logKernel(A, u, 0);
    const res = A.add(hi, A.add(lo, A.fop('div', c, u)));
    const v = A.F(A.sel(A.fcmp('lt', A.fun('abs', x), A.f(2 ** -54)), x, res));
    return [v, logSpecial(A, u)];
  },
  slow(A, [x]) {
    const m = A.m;
    return m.select(m.f64.eq(A.x(x), A.f(-1)), A.f(-Infinity), m.select(m.f64.lt(A.x(x), A.f(-1)), A.f(NaN), A.add(x, x)));
  },
};

/** sqrt(a^2 + b^2) for a >= b >= 0 in a moderate range, with the sum of squares exact and one Newton correction. */
function hypotCore(A: Alg, a: Val, b: Val): Val {
  const [sx, sxe] = A.twoProd(a, a), [sy, sye] = A.twoProd(b, b);
  const [s, se0] = A.twoSum(sx, sy);
  const se = A.F(A.add(se0, A.add(sxe, sye)));
  const h = A.F(A.fun('sqrt', s));
  const [hh, hhe] = A.twoProd(h, h);
  const d = A.sub(A.add(A.sub(s, hh), se), hhe);
  const res = A.add(h, A.fop('div', d, A.mul(h, A.f(2))));
  return A.F(A.sel(A.fcmp('eq', b, A.f(0)), a, res));
}
const hypotDef: Def = {
  arity: 2,
  fast(A, [x, y]) {
    const ax = A.F(A.fun('abs', x)), ay = A.F(A.fun('abs', y));
    const a = A.F(A.fop('max', ax, ay)), b = A.F(A.fop('min', ax, ay));
    // squares must neither overflow nor lose bits to underflow (nan fails the comparisons too)
    const ok = A.mand(A.fcmp('le', a, A.f(2 ** 500)), A.mor(A.fcmp('ge', b, A.f(2 ** -450)), A.fcmp('eq', b, A.f(0))));
    return [hypotCore(A, a, b), A.mnot(ok)];
  },
  slow(A, [x, y]) {
    const m = A.m, c = (v: number) => A.f(v);
    const ax = A.F(A.fun('abs', x)), ay = A.F(A.fun('abs', y));
    const a = A.F(m.select(m.f64.ge(A.x(ax), A.x(ay)), A.x(ax), A.x(ay)));
    const b = A.F(m.select(m.f64.ge(A.x(ax), A.x(ay)), A.x(ay), A.x(ax)));
    // scale both by a power of two that brings a near 1 (exact unless b underflows, when it no longer matters)
    const big = A.M(m.f64.gt(A.x(a), c(1)));
    const sc = A.F(m.select(A.x(big), c(2 ** -600), c(2 ** 600)));
    const r = hypotCore(A, A.F(A.mul(a, sc)), A.F(A.mul(b, sc)));
    const scaled = A.fop('div', r, sc);
    const inf = m.i32.or(m.f64.eq(A.x(ax), c(Infinity)), m.f64.eq(A.x(ay), c(Infinity)));
    const nan = m.i32.or(m.f64.ne(A.x(x), A.x(x)), m.f64.ne(A.x(y), A.x(y)));
    // b negligible next to a
    const far = m.f64.gt(A.x(a), m.f64.mul(A.x(b), c(2 ** 60)));
    return m.select(inf, c(Infinity), m.select(nan, c(NaN), m.select(far, A.x(a), scaled)));
  },
};

export const DEFS: Record<string, Def> = {
  expm1: expm1Def, log1p: log1pDef, hypot: hypotDef, tanh: tanhDef, sinh: hypDef('sinh'), cosh: hypDef('cosh'),
  exp: expDef('exp'), exp2: expDef('exp2'), log: logDef('log'), log2: logDef('log2'), log10: logDef('log10'),
  sin: trigDef(0), cos: trigDef(1), erf: erfDef, pow: powDef,
};

// ---------------------------------------------------------------------------------------------
// Adding functions to a module

/**
 * The native math of one module. `tableBase` is where mathTables() lies in memory; `importJs(name)`
 * declares (once) the `math.<name>` import a slow path may fall back to and returns its internal
 * name. Callers inline the f64x2 forms (`inline`), add the functions the module names (`add`), and
 * run `init()` once at start-up, after the tables are in place.
 */
export class NativeMath {
  private pool = new ConstPool();
  private done = new Set<string>();
  constructor(private b: Binaryen, private m: BModule, private tab: number, private importJs: (name: string) => string) {}

  /**
   * Adds the native functions named in `used` (names from mathFn) and whatever they call. The
   * vector forms are never functions: every call of one is inlined (see `inline`).
   */
  add(used: readonly string[]): void {
    for (const fn of used) if (!isVectorForm(fn)) this.want(fn);
  }

  /**
   * A call of an f64x2 or f32x4 form, inlined: its body as an expression over `args`, with locals from
   * `alloc`; null for other functions. Inside a vector loop this saves the call, whose v128
   * arguments and live vectors V8 passes and spills through memory: exp 3.0 -> 2.3 ns per element.
   */
  inline(fn: string, args: E[], alloc: (t: BType) => number): E | null {
    const p = parseName(fn);
    if (!p || (p.shape !== 'f64x2' && p.shape !== 'f32x4')) return null;
    this.want(`__m_${p.name}_f64`);
    const g = new Gen(this.m, [], alloc);
    const vals = args.map((a) => g.let(a, this.b.v128));
    return p.shape === 'f64x2' ? this.vectorBody(g, p.name, vals) : this.f32x4Body(g, p.name, vals);
  }

  /** Fills the vector constant pool: for the module's init. */
  init(): E { return this.pool.fill(this.m, this.tab); }

  /** Adds a scalar form (f64, or f32 and the f64 form it calls) once. */
  private want(fn: string): void {
    if (this.done.has(fn)) return;
    const p = parseName(fn);
    if (!p || (p.shape !== 'f64' && p.shape !== 'f32')) throw new Error(`internal: no native math function ${fn}`);
    this.done.add(fn);
    if (p.shape === 'f32') this.want(`__m_${p.name}_f64`);
    this.build(p.name, p.shape);
  }

  /** The fast path over both lanes; if some lane is special, every lane through the scalar form (which equals the fast path elsewhere). */
  private vectorBody(g: Gen, name: string, args: Val[]): E {
    const { b, m } = this;
    const A = new VectorAlg(b, m, g, this.tab, this.pool);
    const [res, sp] = DEFS[name].fast(A, args);
    const r = new Val(g, res.l, res.t);
    const lanes = [0, 1].map((i) => m.call(`__m_${name}_f64`, args.map((a) => m.f64x2.extract_lane(g.x(a), i as unknown as E)), b.f64));
    const perLane = m.f64x2.replace_lane(m.f64x2.splat(lanes[0]), 1 as unknown as E, lanes[1]);
    g.stmts.push(m.if(A.any(sp), g.m.local.set(r.l, perLane)));
    return m.block(null, [...g.stmts, g.x(r)], b.v128);
  }

  /** Two f64x2 halves, demoted and joined. */
  private f32x4Body(g: Gen, name: string, args: Val[]): E {
    const { b, m } = this;
    const hiHalf = (a: Val) => m.f64x2.promote_low_f32x4(m.i8x16.shuffle(g.x(a), g.x(a), [8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7]));
    const half = (xs: E[]) => m.f32x4.demote_f64x2_zero(this.inline(`__m_${name}_f64x2`, xs, (t) => g.local(t))!);
    const lo = half(args.map((a) => m.f64x2.promote_low_f32x4(g.x(a))));
    const hi = half(args.map(hiHalf));
    return m.block(null, [...g.stmts, m.i8x16.shuffle(lo, hi, [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23])], b.v128);
  }

  /** The f64 form (fast path, then the slow path for special arguments) or the f32 form (through f64). */
  private build(name: string, shape: 'f64' | 'f32'): void {
    const { b, m } = this;
    const def = DEFS[name];
    const ty = shape === 'f64' ? b.f64 : b.f32;
    const params = Array(def.arity).fill(ty) as BType[];
    const g = new Gen(m, params);
    const args = params.map((_, i) => g.param(i));
    let body: E;
    if (shape === 'f32') {
      body = m.f32.demote(m.call(`__m_${name}_f64`, args.map((a) => m.f64.promote(g.x(a))), b.f64));
    } else {
      const A = new ScalarAlg(b, m, g, this.tab);
      const [res, sp] = def.fast(A, args);
      const fastStmts = g.stmts;
      g.stmts = [];
      const slow = def.slow(A, args, { importJs: this.importJs });
      const slowStmts = g.stmts;
      // The fast path is computed first (it cannot trap); special arguments then take the slow path.
      body = m.block(null, [...fastStmts, m.if(sp, m.return(m.block(null, [...slowStmts, slow], b.f64))), g.x(res)], b.f64);
    }
    m.addFunction(`__m_${name}_${shape}`, b.createType(params), ty, g.vars, body);
  }
}
