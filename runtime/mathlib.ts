// Math functions JavaScript lacks, accurate to a few ulps so Par agrees with Python's math module.

/**
 * erf(x). For |x| < 2.5 the series erf(x) = 2/sqrt(pi) * exp(-x^2) * sum 2^n x^(2n+1) / (1*3*...*(2n+1)),
 * whose terms are all positive (no cancellation); beyond, 1 - erfc(x) with erfc from its continued
 * fraction, which converges fast there.
 */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  if (ax < 2.5) {
    let term = ax, sum = ax;
    const x2 = 2 * ax * ax;
    for (let n = 1; n < 200; n++) {
      term *= x2 / (2 * n + 1);
      sum += term;
      if (term < sum * 1e-17) break;
    }
    const r = (2 / Math.sqrt(Math.PI)) * Math.exp(-ax * ax) * sum;
    return x < 0 ? -r : r;
  }
  if (ax > 6) return x < 0 ? -1 : 1;
  const r = 1 - erfcLarge(ax);
  return x < 0 ? -r : r;
}

/** erfc(x) for x >= 2.5 by the continued fraction erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + 1/2/(x + 1/(x + 3/2/(x + ...)))). */
function erfcLarge(x: number): number {
  // Evaluate K = x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...)))) from the tail.
  let f = x;
  for (let n = 60; n >= 1; n--) f = x + (n / 2) / f;
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
}
