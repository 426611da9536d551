// The math library's constants and tables (compiler/mathlib-wasm.ts), computed exactly in BigInt
// fixed point and rounded once to doubles: ln2 and pi in parts, the exp/log tables, erf's Taylor
// coefficients, and the layout of the table area in static memory.
const FB = 320n;
export const ONE = 1n << FB;
const fmul = (a: bigint, b: bigint) => (a * b) >> FB;
const fdiv = (a: bigint, b: bigint) => (a << FB) / b;
const fromD = (d: number) => BigInt(d * 2 ** 320);
const toD = (a: bigint) => Number(a) / 2 ** 320;
/** hi + lo doubles of a fixed-point value. */
export const split2 = (a: bigint): [number, number] => { const hi = toD(a); return [hi, toD(a - fromD(hi))]; };

function fexp(x: bigint): bigint { // all-positive series for x >= 0, reciprocal for x < 0
  if (x < 0n) return fdiv(ONE, fexp(-x));
  let term = ONE, sum = ONE;
  for (let n = 1n; term !== 0n; n++) { term = fmul(term, x) / n; sum += term; }
  return sum;
}
function fatanhInv(k: bigint): bigint { // atanh(1/k) = sum 1/((2n+1) k^(2n+1))
  let p = ONE / k, sum = 0n;
  for (let n = 0n; p !== 0n; n++) { sum += p / (2n * n + 1n); p /= k * k; }
  return sum;
}
function flog(v: bigint): bigint { // 2 atanh((v-1)/(v+1)) for v near 1
  const u = fdiv(v - ONE, v + ONE), u2 = fmul(u, u);
  let p = u, sum = 0n;
  for (let n = 0n; p !== 0n && p !== -1n; n++) { sum += p / (2n * n + 1n); p = fmul(p, u2); }
  return 2n * sum;
}
function fatan(k: bigint): bigint { // atan(1/k)
  let p = ONE / k, sum = 0n;
  for (let n = 0n; p !== 0n; n++) { sum += (n % 2n ? -p : p) / (2n * n + 1n); p /= k * k; }
  return sum;
}
function fsqrt(a: bigint): bigint {
  const s = a << FB; // sqrt(a * 2^FB) = sqrt(a/2^FB) * 2^FB
  let x = 1n << ((BigInt(s.toString(2).length) + 1n) / 2n);
  for (;;) { const y = (x + s / x) >> 1n; if (y >= x) return x; x = y; }
}
const LN2 = 2n * fatanhInv(3n);
const PI = 16n * fatan(5n) - 4n * fatan(239n);

/** Rounds a fixed-point value to a double with at most `bits` significant bits (toward nearest). */
function roundBits(a: bigint, bits: number): number {
  const d = toD(a);
  const e = Math.floor(Math.log2(Math.abs(d)));
  const q = 2 ** (e - bits + 1);
  return Math.round(d / q) * q;
}

export const LN2HI = roundBits(LN2, 42);
export const LN2LO = toD(LN2 - fromD(LN2HI));
const LN2N = LN2 / 128n; // ln2/128 (exact division by a power of two)
export const L2NHI = roundBits(LN2N, 35);
export const L2NLO = toD(LN2N - fromD(L2NHI));
export const [LN2_H, LN2_L] = split2(LN2);
export const [INVLN2_H, INVLN2_L] = split2(fdiv(ONE, LN2));
export const [INVLN10_H, INVLN10_L] = split2(fdiv(ONE, flog(10n * ONE / 8n) + 3n * LN2)); // ln10 = ln(10/8) + 3 ln2
const PIO2 = PI / 2n;
export const PIO2_PARTS: number[] = (() => { // pi/2 in four parts; the first three with 33 bits
  const parts: number[] = [];
  let rest = PIO2;
  for (let i = 0; i < 3; i++) { const p = roundBits(rest, 33); parts.push(p); rest -= fromD(p); }
  parts.push(toD(rest));
  return parts;
})();
export const TWO_OVER_PI = toD(fdiv(ONE, PIO2));
export const [TSQPI_H, TSQPI_L] = split2(fdiv(2n * ONE, fsqrt(PI))); // 2/sqrt(pi)

export const EXP_OFF = 0, LOG_OFF = 128 * 16, ERF_OFF = LOG_OFF + 128 * 32;
export const ERF_DEG = 12, ERF_J0 = 4, ERF_J1 = 96, ERF_STRIDE = (ERF_DEG + 2) * 8;
export const POOL_OFF = (ERF_OFF + (ERF_J1 - ERF_J0 + 1) * ERF_STRIDE + 15) & ~15;
export const POOL_CAP = 256;
/** Bytes of the tables plus the vector constant pool (see ConstPool in mathlib-wasm.ts). */
export const MATH_TABLES_SIZE = POOL_OFF + POOL_CAP * 16;
export const LOG_OFFBITS = 0x3fe6000000000000n;

export const f64Bits = (d: number): bigint => new BigUint64Array(Float64Array.of(d).buffer)[0];

let tables: Uint8Array | null = null;
/** The tables' bytes (little-endian), to be placed at a 16-aligned address given to NativeMath; the pool's slots are left zero. */
export function mathTables(): Uint8Array {
  if (tables) return tables;
  const buf = new ArrayBuffer(MATH_TABLES_SIZE), dv = new DataView(buf);
  const scratch = new DataView(new ArrayBuffer(8));
  const bitsOf = (d: number) => { scratch.setFloat64(0, d, true); return scratch.getBigUint64(0, true); };
  // exp: entry j = [lo/hi of 2^(j/128) = hi + lo, bits(hi) - (j << 45)]
  for (let j = 0; j < 128; j++) {
    const [hi, lo] = split2(fexp(BigInt(j) * LN2N));
    const at = EXP_OFF + 16 * j;
    const b = BigInt.asUintN(64, bitsOf(hi) - (BigInt(j) << 45n));
    dv.setFloat64(at, lo / hi, true); // relative: the kernel computes hi * (1 + tail + expm1(r))
    dv.setBigUint64(at + 8, b, true);
  }
  // log: entry i covers z with bits in [OFF + i 2^45, OFF + (i+1) 2^45): [invc, -log(invc) hi, lo, 0]
  const fromBits = (b: bigint) => { scratch.setBigUint64(0, b, true); return scratch.getFloat64(0, true); };
  for (let i = 0; i < 128; i++) {
    const lo = fromBits(LOG_OFFBITS + (BigInt(i) << 45n)), hi = fromBits(LOG_OFFBITS + (BigInt(i + 1) << 45n));
    // The two intervals next to 1 use invc = 1, so z - 1 is exact and log(x) near 1 keeps full relative accuracy.
    const invc = i === 79 || i === 80 ? 1 : roundBits(fdiv(2n * ONE, fromD(lo) + fromD(hi)), 12);
    const [lh, ll] = invc === 1 ? [0, 0] : split2(-flog(fromD(invc)));
    const at = LOG_OFF + 32 * i;
    dv.setFloat64(at, invc, true); dv.setFloat64(at + 8, lh, true); dv.setFloat64(at + 16, ll, true);
  }
  // erf: entry j (center a = j/16): [erf(a) hi, erf(a) lo, c1..c12] with erf(a+t) = erf(a) + sum c_n t^n
  const tsqpi = fdiv(2n * ONE, fsqrt(PI));
  for (let j = ERF_J0; j <= ERF_J1; j++) {
    const a = BigInt(j) * ONE / 16n, a2 = fmul(a, a);
    const ea = fexp(-a2);
    // erf(a) = 2/sqrt(pi) e^{-a^2} sum 2^n a^(2n+1) / (1*3*...*(2n+1)): positive terms only.
    let term = a, sum = a;
    for (let n = 1n; term !== 0n; n++) { term = fmul(term, 2n * a2) / (2n * n + 1n); sum += term; }
    const erfA = fmul(fmul(tsqpi, ea), sum);
    const at = ERF_OFF + (j - ERF_J0) * ERF_STRIDE;
    const [eh, el] = split2(erfA);
    dv.setFloat64(at, eh, true); dv.setFloat64(at + 8, el, true);
    // c_n = 2/sqrt(pi) e^{-a^2} (-1)^(n-1) H_{n-1}(a) / n!, H the physicists' Hermite polynomials.
    let hPrev = 0n, h = ONE, fact = 1n;
    for (let n = 1; n <= ERF_DEG; n++) {
      fact *= BigInt(n);
      const c = fmul(fmul(tsqpi, ea), h) / fact;
      dv.setFloat64(at + 8 + 8 * n, toD(n % 2 ? c : -c), true);
      const next = 2n * fmul(a, h) - 2n * BigInt(n - 1) * hPrev;
      hPrev = h; h = next;
    }
  }
  tables = new Uint8Array(buf);
  return tables;
}

