// Whole-array operations on real worker teams: sums, means and dot products of big arrays are
// bit-identical for every thread count AND equal to NumPy's to the last bit (the program tests'
// oracle only checks a relative 1e-9); big elementwise statements, reductions and matmul are lowered
// to parallel, vectorized loops (checked in --dump=ir) and print the same on every team size.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compile } from '../index.js';
import { runWith as runProgram } from './run-program.js';

const runWith = (src: string, threads: number) => runProgram(src, threads, 'arrays.par');

/** The program's output under CPython + NumPy, or null when they are not available. */
function numpy(src: string): string | null {
  const probe = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) return null;
  const file = join(mkdtempSync(join(tmpdir(), 'par-arrays-')), 'prog.par');
  writeFileSync(file, src);
  const r = spawnSync('python3', ['test/oracle/run.py', file], { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`python3 failed: ${r.stderr}`);
  return r.stdout;
}

const THREADS = [1, 2, 3, 4, 7];

// Values whose sums are not exact in floating point, so a different summation order shows.
const SUMS = `
sizes = array([100, 1000, 131071, 131072, 131073, 262144, 1000003, 3000017])
for n in sizes:
    a = arange(n) * 0.37 - (arange(n) % 13) * 1.7 + 0.1
    b = (arange(n) % 11) * 0.3 - 1.1
    f = ((arange(n) % 1000) * 0.001).astype(float32)
    print(n, sum(a), mean(a), sum(a * b), sum(a[::2]), sum(a[::-1]), sum(f), mean(f))
m = (arange(2000 * 700) * 0.37 - (arange(2000 * 700) % 11) * 2.3).reshape((2000, 700))
print(sum(m), mean(m), sum(m.T))
`;

describe('parallel sums are NumPy\'s pairwise sums', () => {
  it('prints bit-identical sums and means for 1, 2, 3, 4 and 7 threads, equal to NumPy\'s', async () => {
    const outs = await Promise.all(THREADS.map((t) => runWith(SUMS, t)));
    expect(outs[0].trim().split('\n')).toHaveLength(9);
    for (const o of outs) expect(o).toBe(outs[0]);
    const expected = numpy(SUMS);
    if (expected !== null) expect(outs[0]).toBe(expected);
  }, 120_000);
});

const ARRAYS = `
n = 500003
x = (arange(n) % 1000) * 0.001
y = ones(n)
y[:] = 2.0 * x + y
z = where(x > 0.5, sqrt(x), x * x - 1.0)
m = (arange(700 * 300) % 17 * 0.5).reshape((700, 300))
q = m * 2.0 - arange(300) * 0.25
print(sum(y), sum(z), y[n - 1], z[777], sum(q), q[699, 299])
print(min(z), max(z), argmin(z), argmax(z), count_nonzero(z > 0.0))
a = (arange(300 * 200) % 9 - 4.0).reshape((300, 200)) * 0.25
b = (arange(200 * 250) % 5 - 2.0).reshape((200, 250)) * 0.5
c = a @ b
print(sum(c), c[299, 249], c[0, 0], dot(x, y))
`;

describe('parallel, vectorized array operations', () => {
  it('lowers a big elementwise statement to a parfor with f64x2 lanes and a scalar remainder', async () => {
    const r = await compile('x = arange(100000) * 0.5\nz = x + 2.0\ny = x * z + 1.0\nprint(y[3])\n', { filename: 'ir.par' });
    const ir = r.dump('ir');
    expect(ir).toMatch(/parfor c%\d+: i32/);
    expect(ir).toContain('f64x2.add(f64x2.mul(load.v128');
    expect(ir).toMatch(/store\.f64\[p%\d+\] = \(\(load\.f64/);
  });

  it('unrolls the vector loop by two vectors, with invariant splats before it, and handles every remainder', async () => {
    const r = await compile('x = arange(1000) * 0.5\nz = x + 2.0\ny = x * 0.25 + z\nprint(y[3])\n', { filename: 'ir.par' });
    const ir = r.dump('ir');
    expect(ir).toMatch(/v%\d+ = f64x2\.splat\(0\.25\)/);
    expect(ir).toMatch(/store\.v128\[p%\d+ @16\] = f64x2\.add\(f64x2\.mul\(load\.v128\[p%\d+ @16\], v%\d+\), load\.v128\[p%\d+ @16\]\)/);
    // Lengths 0..12 (pairs, one more vector, scalar rest), unaligned starts, float64 and float32,
    // an overlapping in-place update: the same values as the scalar loop and NumPy.
    const src = `
for n in range(13):
    x = arange(n + 3) * 0.37 - 1.1
    s = x[1:n + 1]
    y = zeros(n)
    y[:] = s * 2.5 + 1.0 / (s + 3.0)
    ok = True
    for i in range(n):
        if y[i] != s[i] * 2.5 + 1.0 / (s[i] + 3.0):
            ok = False
    f = s.astype(float32)
    g = f * f - f
    x[1:] = x[:-1] * 0.5 + 1.0
    print(n, ok, sum(y), sum(g), sum(x))
`;
    const outs = await Promise.all([1, 2].map((t) => runWith(src, t)));
    expect(outs[0]).toBe(outs[1]);
    expect(outs[0]).not.toContain('False');
    const expected = numpy(src);
    if (expected !== null) expect(outs[0]).toBe(expected);
  }, 120_000);

  it('computes a subexpression shared up to negation once per element (cnd(d) and cnd(-d): one exp)', async () => {
    const cnd = 'def cnd(d):\n    q = 1.0 / (1.0 + 0.23 * abs(d))\n    w = 1.0 - exp(-0.5 * d * d) * q\n    return where(d < 0.0, 1.0 - w, w)\n';
    const exps = async (body: string) => {
      const all = (await compile(`${cnd}d = arange(100000) * 0.001 - 50.0\ns = d * 2.0\n${body}print(sum(y))\n`, { filename: 'ir.par' })).dump('ir');
      const ir = all.slice(all.indexOf('func __main'), all.indexOf('\nfunc cnd'));
      return [(ir.match(/__m_exp_f64\(/g) ?? []).length, (ir.match(/__m_exp_f64x2\(/g) ?? []).length];
    };
    // The parallel and serial nests each have a vector loop (two vectors, then one) and a scalar remainder.
    expect(await exps('y = s * cnd(d) - s * cnd(-d)\n')).toEqual([2, 6]);
    expect(await exps('y = s * cnd(d) - s * cnd(d + 1.0)\n')).toEqual([4, 12]);
    // A statement group (Note [Statement groups]) shares the work of two statements; each statement
    // is also compiled alone, for when the group's shapes differ at run time.
    expect(await exps('for i in range(2):\n    y = s * cnd(d)\n    z = s * cnd(-d)\n')).toEqual([2 + 2 * 2, 6 + 2 * 6]);
  });

  it('prints the same elementwise, reduction and matmul results on every team size', async () => {
    const outs = await Promise.all(THREADS.map((t) => runWith(ARRAYS, t)));
    for (const o of outs) expect(o).toBe(outs[0]);
    const expected = numpy(ARRAYS);
    // dot() is BLAS in NumPy (another summation order): compare all but that number exactly.
    if (expected !== null) expect(outs[0].replace(/ \S+\n$/, '\n')).toBe(expected.replace(/ \S+\n$/, '\n'));
  }, 120_000);
});
