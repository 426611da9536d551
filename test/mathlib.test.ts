// Accuracy of the native math functions (compiler/mathlib-wasm.ts): each function runs over ~10^5
// points (random over its range, bit patterns over all magnitudes, special values and edge cases)
// in its scalar f64 form; the errors in ulps against a long-double / mpmath reference
// (test/oracle/mathref.py) must stay within the bound claimed; the f64x2 form must agree with the
// scalar form bit for bit, and likewise f32x4 with f32 (whose reference is the same one in float32).
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBinaryen } from '../compiler/binaryen.js';
import { NATIVE_NAMES } from '../compiler/mathlib-wasm.js';
import { harnessModule, HARNESS_HEAP } from '../compiler/mathlib-harness.js';

const N = 200_000;
const PAGES = 160;

/** Max ulp error claimed per function (f64). f32 results are claimed correctly rounded within 0.5 + 2^-20 ulp. */
const BOUND: Record<string, number> = { exp: 0.75, exp2: 0.75, log: 0.52, log2: 0.52, log10: 0.52, sin: 0.9, cos: 0.9, erf: 0.9, pow: 0.75, expm1: 0.52, log1p: 0.65, hypot: 0.75, tanh: 0.52, sinh: 0.75, cosh: 0.75 };

const python = spawnSync('python3', ['-c', 'import numpy, mpmath'], { encoding: 'utf8' }).status === 0;
if (!python) console.warn('[mathlib.test] python3 with numpy and mpmath is missing: the accuracy checks are skipped');

function rng(seed: number): () => number { // mulberry32
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SPECIAL = [0, -0, Infinity, -Infinity, NaN, 5e-324, -5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, -1.7976931348623157e308,
  1, -1, 0.5, 2, 1 + 2 ** -52, 1 - 2 ** -53, 2 ** -30, -(2 ** -30), 1e-300, Math.PI, Math.PI / 2, Math.PI / 4, 709.782712893384, 709.7827128933841,
  -745.1332191019411, -745.1332191019412, -708.4, 1024, -1074, -1075, 1023.9999999999999, 2 ** 20, 2 ** 20 - 1, 5.96875, 6, 7 / 32, 0.21875 - 2 ** -55, 0.0956009412184357];

/** Inputs for one function: specials, then ranges (uniform), then random bit patterns (all magnitudes). */
function inputs(name: string, n: number, rand: () => number): { x: Float64Array; y?: Float64Array } {
  const x = new Float64Array(n);
  const bitsPattern = () => { const b = new Float64Array(new Uint32Array([(rand() * 2 ** 32) >>> 0, (rand() * 2 ** 32) >>> 0]).buffer); return b[0]; };
  const ranges: Record<string, [number, number][]> = {
    exp: [[-746, 710], [-1, 1], [-1e-6, 1e-6]], exp2: [[-1076, 1025], [-1, 1]],
    log: [[0, 10], [0.9, 1.1], [1 - 1e-6, 1 + 1e-6], [0, 1e-300]], log2: [[0, 10], [0.9, 1.1]], log10: [[0, 10], [0.9, 1.1]],
    sin: [[-10, 10], [-1e5, 1e5], [-(2 ** 20), 2 ** 20], [-1e-5, 1e-5]], cos: [[-10, 10], [-1e5, 1e5], [-(2 ** 20), 2 ** 20]],
    tanh: [[-25, 25], [-1, 1], [-1e-3, 1e-3]], sinh: [[-712, 712], [-30, 30], [-1, 1], [-1e-3, 1e-3]], cosh: [[-712, 712], [-30, 30], [-1, 1], [-1e-3, 1e-3]],
    erf: [[-7, 7], [-0.2, 0.2], [-1e-8, 1e-8]], pow: [[0, 4]], hypot: [[0, 4]],
    expm1: [[-40, 710], [-1, 1], [-0.01, 0.01], [-1e-8, 1e-8]], log1p: [[-1, 10], [-0.5, 0.5], [-0.01, 0.01], [-1e-8, 1e-8]],
  };
  let i = 0;
  for (const s of SPECIAL) if (i < n) x[i++] = s;
  const rs = ranges[name];
  const nBits = Math.floor(n / 5);
  while (i < n - nBits) { const [a, b] = rs[i % rs.length]; x[i++] = a + (b - a) * rand(); }
  while (i < n) { const v = bitsPattern(); x[i++] = name.startsWith('log') ? Math.abs(v) : v; }
  if (name === 'hypot') return { x, y: x.map((v, i) => (i % 3 === 0 ? v * (rand() * 2 - 1) : i % 3 === 1 ? bitsPattern() : (rand() - 0.5) * 8)) };
  if (name !== 'pow') return { x };
  // pow: special grids, x over magnitudes with moderate y, x near 1 with large y, negative x with integer y
  const y = new Float64Array(n);
  let k = 0;
  const sp = SPECIAL.slice(0, 20).concat([3, -3, 0.25, -0.5, 1e300]);
  for (const a of sp) for (const b of sp) if (k < n) { x[k] = a; y[k] = b; k++; }
  for (; k < n; k++) {
    const kind = k % 4;
    if (kind === 0) { x[k] = Math.abs(bitsPattern()); y[k] = (rand() - 0.5) * 4; }
    else if (kind === 1) { x[k] = 0.5 + rand() * 1.5; y[k] = (rand() - 0.5) * 2000; }
    else if (kind === 2) { x[k] = 1 + (rand() - 0.5) * 1e-6; y[k] = (rand() - 0.5) * 1e9; }
    else { x[k] = -(rand() * 10); y[k] = Math.round((rand() - 0.5) * 60); }
  }
  return { x, y };
}

interface Report { n: number; max_ulp: number; worst_x: number | null; worst_y?: number; not_cr: number; exceptional_bad: number; bad_examples: number[][] }

function reference(dir: string, name: string, dt: 'f64' | 'f32', x: ArrayLike<number>, y: ArrayLike<number> | undefined, out: Float64Array | Float32Array): Report {
  const Arr = dt === 'f64' ? Float64Array : Float32Array;
  writeFileSync(join(dir, 'x.bin'), new Arr(x as ArrayLike<number>));
  if (y) writeFileSync(join(dir, 'y.bin'), new Arr(y as ArrayLike<number>));
  writeFileSync(join(dir, 'out.bin'), out);
  const r = spawnSync('python3', ['test/oracle/mathref.py', dir, name, dt], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`mathref.py failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Report;
}

describe('native math functions', async () => {
  const b = await loadBinaryen();
  const memory = new WebAssembly.Memory({ initial: PAGES, maximum: PAGES });
  const jsMath = { math_sin: Math.sin, math_cos: Math.cos, math_exp: Math.exp, math_log: Math.log, math_exp2: (v: number) => 2 ** v,
    math_log2: Math.log2, math_log10: Math.log10, math_erf: () => NaN, math_pow: Math.pow, math_expm1: Math.expm1, math_log1p: Math.log1p, math_hypot: Math.hypot, math_tanh: Math.tanh, math_sinh: Math.sinh, math_cosh: Math.cosh };
  const { instance } = await WebAssembly.instantiate(harnessModule(b, NATIVE_NAMES, PAGES), { env: { memory }, math: jsMath });
  const ex = instance.exports as Record<string, (...a: number[]) => void>;
  ex.init();
  const X = HARNESS_HEAP, Y = X + 8 * N, O = Y + 8 * N;

  const run = (name: string, form: string, x: ArrayLike<number>, y: ArrayLike<number> | undefined, f32: boolean): Float64Array | Float32Array => {
    const Arr = f32 ? Float32Array : Float64Array;
    new Arr(memory.buffer, X, x.length).set(x);
    if (y) new Arr(memory.buffer, Y, y.length).set(y);
    ex[`${name}_${form}`](X, Y, O, x.length);
    return new Arr(memory.buffer, O, x.length).slice();
  };
  const sameBits = (a: Float64Array | Float32Array, c: Float64Array | Float32Array) => {
    const u = new Uint8Array(a.buffer), v = new Uint8Array(c.buffer);
    for (let i = 0; i < u.length; i++) if (u[i] !== v[i]) return Math.floor(i / a.BYTES_PER_ELEMENT);
    return -1;
  };

  for (const name of NATIVE_NAMES) {
    const n = name === 'erf' ? N / 2 : N;
    const { x, y } = inputs(name, n, rng(12345 + name.length * 7919 + name.charCodeAt(0)));

    it(`${name}: f64x2 agrees with f64 bit for bit, f32x4 with f32`, () => {
      const s = run(name, 'f64', x, y, false), v = run(name, 'f64x2', x, y, false);
      const i = sameBits(s, v);
      expect(i, i < 0 ? '' : `x=${x[i]} y=${y?.[i]}: f64 ${s[i]}, f64x2 ${v[i]}`).toBe(-1);
      const s32 = run(name, 'f32', x, y, true), v32 = run(name, 'f32x4', x, y, true);
      const j = sameBits(s32, v32);
      expect(j, j < 0 ? '' : `x=${Math.fround(x[j])}: f32 ${s32[j]}, f32x4 ${v32[j]}`).toBe(-1);
    });

    it.skipIf(!python)(`${name}: within ${BOUND[name]} ulp over ${n} points (f64), correctly rounded f32`, () => {
      const dir = mkdtempSync(join(tmpdir(), 'par-mathlib-'));
      try {
        const r = reference(dir, name, 'f64', x, y, run(name, 'f64', x, y, false));
        const x32 = Float32Array.from(x), y32 = y && Float32Array.from(y);
        const r32 = reference(dir, name, 'f32', x32, y32, run(name, 'f32', x32, y32, true));
        console.log(`[mathlib] ${name.padEnd(5)} f64: max ${r.max_ulp.toFixed(4)} ulp at x=${r.worst_x}${r.worst_y !== undefined ? ` y=${r.worst_y}` : ''}, ` +
          `correctly rounded ${(100 * (1 - r.not_cr / r.n)).toFixed(3)}%; f32: max ${r32.max_ulp.toFixed(4)} ulp, ${r32.not_cr} not correctly rounded of ${r32.n}`);
        expect(r.exceptional_bad, JSON.stringify(r.bad_examples)).toBe(0);
        expect(r.max_ulp).toBeLessThanOrEqual(BOUND[name]);
        expect(r32.exceptional_bad, JSON.stringify(r32.bad_examples)).toBe(0);
        expect(r32.max_ulp).toBeLessThanOrEqual(0.5 + 2 ** -20);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }, 120_000);
  }
});
