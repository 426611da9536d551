// NumPy's distributions (compiler/random-dists.ts) against NumPy itself, run at test time: for
// seeds 0, 42 and 2**32 - 1 and each distribution (with parameters that reach each of its
// algorithm's branches), the first N values of RandomState(seed).<dist>(...) and of
// default_rng(seed).<dist>(...) from test/fixtures/numpy-dists.py (python3 + NumPy), against ours.
//
// Exactness: a value either has NumPy's bits, or differs because a libm function (log, log1p, exp,
// expm1, pow: mathlib-wasm's against the C library's) rounded differently; such a value must be
// within ULPS ulps of NumPy's (one libm ulp, amplified by the arithmetic after it: a product, a
// sqrt, x^(1/a)). A different rounding can also flip an acceptance test that sits on its boundary
// (Poisson, binomial, gamma), after which the streams draw differently: the test allows that at most
// once per 10^5 values and counts it, and requires the values before it to agree as above. The
// uniform-only ones (triangular; geometric by search; Poisson by multiplication; binomial by
// inversion) must be bit-exact. And the math functions themselves: over 10^5 arguments of the kinds
// the distributions pass, mathlib-wasm's log, log1p, exp, expm1 and pow must be within 1 ulp of
// the C library's (Python's math module), and the share that differs is printed.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { emitWasm } from '../compiler/emit.js';
import { verifyIR } from '../compiler/verify.js';
import type { Expr, Func, Local, Program, VT } from '../compiler/ir.js';
import { MT, PCG, RANDOM_FUNCS as R, RANDOM_IMPORTS, ZIG, randomLibrary, zigguratTables } from '../compiler/random.js';
import { DISTS, DIST_IMPORTS, type Dist, type GenKind, distFn, distributionLibrary } from '../compiler/random-dists.js';

const N = 10 ** 6;
const SEEDS = [0, 42, 2 ** 32 - 1];
/** Ulps allowed where libm rounds differently (see the header). */
const ULPS = 4;

/** [numpy name, numpy args, bit-exact]; binomial's args are NumPy's (n, p). */
const CASES: [Dist, number[], boolean][] = [
  ['standard_exponential', [], false], ['exponential', [2.5], false],
  ['standard_gamma', [0.5], false], ['standard_gamma', [1], false], ['standard_gamma', [3.7], false], ['gamma', [2, 1.5], false],
  ['beta', [0.5, 0.7], false], ['beta', [2, 5], false], ['chisquare', [3], false], ['lognormal', [0.1, 0.5], false],
  ['poisson', [3.5], true], ['poisson', [25], false], ['poisson', [1000], false],
  ['binomial', [10, 0.3], true], ['binomial', [100, 0.9], true], ['binomial', [1000, 0.4], false], ['binomial', [500, 0.8], false],
  ['geometric', [0.5], true], ['geometric', [0.05], false],
  ['laplace', [0, 2], false], ['logistic', [1, 0.5], false], ['triangular', [-1, 0.5, 2], true],
  ['weibull', [1.5], false], ['pareto', [3], false], ['standard_cauchy', [], false], ['standard_t', [4], false],
];

const loc = (name: string, t: VT): Local => ({ name, t });
const get = (name: string, t: VT): Expr => ({ k: 'get', t, name });

/** `fill<fn>(st, out, n, args...)`: out[i] = fn(st, args...) for i < n (8-byte elements). */
function fill(fn: string, t: VT, args: readonly VT[]): Func {
  const params = [loc('st', 'i32'), loc('out', 'i32'), loc('n', 'i32'), ...args.map((a, i) => loc(`a${i}`, a))];
  const i32c = (v: number): Expr => ({ k: 'const', t: 'i32', v });
  return {
    name: `fill${fn}`, params, results: [], locals: [loc('i', 'i32')], exportAs: `fill${fn}`,
    body: [{
      k: 'for', label: 'fill', v: 'i', t: 'i32', start: i32c(0), stop: get('n', 'i32'), step: i32c(1),
      body: [{
        k: 'store', mem: t as 'f64' | 'i64',
        addr: { k: 'bin', t: 'i32', op: 'add', a: get('out', 'i32'), b: { k: 'bin', t: 'i32', op: 'shl', a: get('i', 'i32'), b: i32c(3) } },
        value: { k: 'call', t, fn, args: [get('st', 'i32'), ...args.map((a, i) => get(`a${i}`, a))] },
      }],
    }],
  };
}

/** `libm_<name>(x, y)`: the native math function the distributions call (y only for pow). */
function libmFuncs(): Func[] {
  return DIST_IMPORTS.map((im) => ({ im, short: /^__m_(\w+)_f64$/.exec(im.base)![1] })).map(({ im, short }) => ({
    name: `libm_${short}`, params: [loc('x', 'f64'), loc('y', 'f64')], results: ['f64'] as VT[], locals: [], exportAs: `libm_${short}`,
    body: [{ k: 'return' as const, values: [{ k: 'call' as const, t: 'f64' as VT, fn: im.name, args: im.params.length === 2 ? [get('x', 'f64'), get('y', 'f64')] : [get('x', 'f64')] }] }],
  }));
}
const LIBM = ['log', 'log1p', 'exp', 'expm1', 'pow'] as const;

const TABLES = 1024, PAGES = 160;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Exports = Record<string, any>;
let mod: Promise<{ ex: Exports; memory: WebAssembly.Memory; mt: number; pcg: number; out: number }> | null = null;
function instance() {
  mod ??= (async () => {
    const fills = (Object.keys(DISTS) as Dist[]).flatMap((d) => (['mt', 'pcg'] as GenKind[]).map((g) => fill(distFn(g, d), DISTS[d].result, DISTS[d].params)));
    const p: Program = {
      funcs: [...randomLibrary(TABLES).map((f) => ({ ...f, exportAs: f.name })), ...distributionLibrary(TABLES), ...fills, ...libmFuncs()],
      imports: [...RANDOM_IMPORTS, ...DIST_IMPORTS.filter((i) => !RANDOM_IMPORTS.some((r) => r.name === i.name))],
      dataBase: TABLES, dataSize: ZIG.size, data: [{ offset: TABLES, bytes: zigguratTables() }],
    };
    expect(verifyIR(p)).toEqual([]);
    const emitted = await emitWasm(p, { initialPages: PAGES, maxPages: PAGES });
    const module = new WebAssembly.Module(emitted.bytes as BufferSource);
    const memory = new WebAssembly.Memory({ initial: PAGES, maximum: PAGES, shared: true });
    const math: Record<string, (...x: number[]) => number> = {};
    for (const i of WebAssembly.Module.imports(module)) if (i.module === 'math') math[i.name] = (Math as unknown as Record<string, (...x: number[]) => number>)[i.name.replace(/^math_/, '')];
    const inst = new WebAssembly.Instance(module, { env: { memory, oom: () => { throw new Error('oom'); } }, math });
    const ex = inst.exports as Exports;
    ex.__init();
    const mt = emitted.heapBase, pcg = mt + MT.size, out = pcg + PCG.size + 64;
    expect(out + 8 * N).toBeLessThanOrEqual(PAGES * 65536);
    return { ex, memory, mt, pcg, out };
  })();
  return mod;
}

const python = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0;
const SCRIPT = new URL('./fixtures/numpy-dists.py', import.meta.url).pathname;
function numpy(gen: 'legacy' | 'generator', seed: number): Uint8Array {
  const input = JSON.stringify({ gen, seed, n: N, cases: CASES.map(([d, args]) => [d, args]) });
  const r = spawnSync('python3', [SCRIPT], { input, maxBuffer: 8 * N * CASES.length + 1024 });
  if (r.status !== 0) throw new Error(`numpy-dists.py failed: ${r.stderr}`);
  return new Uint8Array(r.stdout.buffer, r.stdout.byteOffset, r.stdout.length);
}

const bits = new DataView(new ArrayBuffer(16));
function ulps(a: number, b: number): number {
  if (Object.is(a, b)) return 0;
  if (Math.sign(a) !== Math.sign(b)) return Infinity;
  bits.setFloat64(0, a, true); bits.setFloat64(8, b, true);
  const d = bits.getBigInt64(0, true) - bits.getBigInt64(8, true);
  return Number(d < 0n ? -d : d);
}

/** Distance of a from NumPy's b in ulps of max(|b|, floor): where the value is loc + scale * f(U), f's rounding shows at the scale of loc. */
function ulpsAt(a: number, b: number, floor: number): number {
  if (Math.abs(b) >= floor) return ulps(a, b);
  bits.setFloat64(0, floor, true);
  const e = Number(bits.getBigUint64(0, true) >> 52n);
  return Math.abs(a - b) / 2 ** (e - 1075);
}
/** The scale below which a distribution's values have absolute, not relative, error (see ulpsAt). */
const FLOORS: Partial<Record<Dist, (args: number[]) => number>> = {
  laplace: (a) => Math.abs(a[0]) + a[1], logistic: (a) => Math.abs(a[0]) + a[1],
};
const GAMMA_FAMILY = new Set<Dist>(['standard_gamma', 'gamma', 'chisquare', 'beta', 'standard_t']);
/** RandomState's pareto is exp(E / a) - 1: exp's rounding shows at the scale of 1. */
const LEGACY_FLOORS: Partial<Record<Dist, (args: number[]) => number>> = { pareto: () => 1 };

describe.skipIf(!python)('NumPy distributions', () => {
  for (const gen of ['legacy', 'generator'] as const) {
    for (const seed of SEEDS) {
      it(`${gen === 'legacy' ? 'RandomState' : 'default_rng'}(${seed}): the first ${N} values of each distribution are NumPy's`, async () => {
        const { ex, memory, mt, pcg, out } = await instance();
        const want = numpy(gen, seed);
        const report: string[] = [], failures: string[] = [];
        CASES.forEach(([d, args, exact], c) => {
          const st = gen === 'legacy' ? mt : pcg;
          if (gen === 'legacy') ex[R.mtSeed](st, seed); else ex[R.pcgSeed](st, BigInt(seed));
          const ours = d === 'binomial' ? [args[1], BigInt(args[0])] : args;
          ex[`fill${distFn(gen === 'legacy' ? 'mt' : 'pcg', d)}`](st, out, N, ...ours);
          const g = new DataView(memory.buffer, out, 8 * N);
          const w = new DataView(want.buffer, want.byteOffset + 8 * N * c, 8 * N);
          const isInt = DISTS[d].result === 'i64';
          const what = `${d}(${args.join(', ')})`;
          const floor = (gen === 'legacy' ? LEGACY_FLOORS[d] : undefined)?.(args) ?? FLOORS[d]?.(args) ?? 0;
          // RandomState's gamma family: the polar normals' <= 2 ulps (test/random.test.ts) grow through V = (1 + cX)^3;
          // pareto, expm1(E / a): E's ulp in the exponential's tail grows by E / a.
          const tolerance = gen === 'legacy' && GAMMA_FAMILY.has(d) ? 16 : d === 'pareto' ? 8 : ULPS;
          let differ = 0, worst = 0, desync = -1;
          for (let i = 0; i < N; i++) {
            if (g.getBigInt64(8 * i, true) === w.getBigInt64(8 * i, true)) continue;
            const u = isInt ? Infinity : ulpsAt(g.getFloat64(8 * i, true), w.getFloat64(8 * i, true), floor);
            if (u <= tolerance && !exact) { differ++; worst = Math.max(worst, u); continue; }
            desync = i;
            break;
          }
          const shown = (i: number) => (isInt ? String(g.getBigInt64(8 * i, true)) : String(g.getFloat64(8 * i, true)));
          const wanted = (i: number) => (isInt ? String(w.getBigInt64(8 * i, true)) : String(w.getFloat64(8 * i, true)));
          if (desync >= 0 && (exact || desync < 10 ** 5)) failures.push(`${what}: value ${desync} is ${shown(desync)}, NumPy's ${wanted(desync)}${exact ? ' (must be exact)' : ''}`);
          report.push(`${what}: ${differ === 0 && desync < 0 ? 'exact' : `${differ} differ by <= ${worst} ulp${desync >= 0 ? `, streams part at ${desync} (${shown(desync)}, NumPy's ${wanted(desync)})` : ''}`}`);
        });
        console.log(`[random-dists] ${gen} seed ${seed}: ${report.join('; ')}`);
        if (failures.length) console.log(failures.join('\n'));
        expect(failures).toEqual([]);
      }, 120_000);
    }
  }

  it.each(LIBM)('%s: Par\'s math function is within 1 ulp of the C library\'s over the arguments the distributions pass', async (name) => {
    const { ex } = await instance();
    const n = 100_000, args = new Float64Array(2 * n);
    let s = 12345;
    const u = () => { s = (Math.imul(s, 1103515245) + 12345) >>> 0; return (s + 0.5) / 2 ** 32; };
    for (let i = 0; i < n; i++) {
      // The ranges met: uniforms in (0, 1) and their complements (log, log1p of -U), exponents of
      // normals and exponentials (exp, expm1 over +-40), powers U^(1/a) and E^(1/a).
      const v = u(), w = u();
      const x = name === 'log' ? (i % 3 === 0 ? v : i % 3 === 1 ? 1 - v * 1e-3 : v * 100) : name === 'log1p' ? -v : name === 'pow' ? v * (i % 2 ? 1 : 10) : (v - 0.5) * 80;
      args[2 * i] = x; args[2 * i + 1] = name === 'pow' ? 0.05 + 5 * w : 0;
    }
    const r = spawnSync('python3', [new URL('./fixtures/libm-values.py', import.meta.url).pathname], { input: Buffer.concat([Buffer.from(`${name}\n`), Buffer.from(args.buffer)]), maxBuffer: 16 * n });
    expect(r.status, String(r.stderr)).toBe(0);
    const want = new Float64Array(new Uint8Array(r.stdout).buffer);
    let differ = 0, worst = 0;
    for (let i = 0; i < n; i++) {
      const d = ulps(ex[`libm_${name}`](args[2 * i], args[2 * i + 1]), want[i]);
      if (d) { differ++; worst = Math.max(worst, d); }
    }
    console.log(`[random-dists] ${name}: ${differ} of ${n} differ from the C library's, by <= ${worst} ulp`);
    expect(worst).toBeLessThanOrEqual(1);
  });
});
