// Micro benchmark of the math functions: ns per element over an array of 2^16 doubles (floats for
// the f32 forms), for the JS Math import (what generated code called before), the native scalar
// f64 form, the f64x2 form, and the f32 / f32x4 forms, each a loop in wasm (compiler/mathlib-wasm.ts
// harnessModule). Medians of --runs timed repetitions. Run `npm run build` first.
//   node bench/mathlib.js [--runs N] [--only exp,log]
import { loadBinaryen } from '../dist/compiler/binaryen.js';
import { NATIVE_NAMES } from '../dist/compiler/mathlib-wasm.js';
import { harnessModule, HARNESS_HEAP } from '../dist/compiler/mathlib-harness.js';
import { printTable } from './table.js';
import { median } from './lib.js';

const arg = (k, d) => { const i = process.argv.indexOf(k); return i >= 0 ? process.argv[i + 1] : d; };
const runs = Number(arg('--runs', 7));
const names = arg('--only', NATIVE_NAMES.join(',')).split(',');
const N = 1 << 16, PAGES = 64, REPS = 20;

const b = await loadBinaryen();
const memory = new WebAssembly.Memory({ initial: PAGES, maximum: PAGES });
const math = {
  math_sin: Math.sin, math_cos: Math.cos, math_exp: Math.exp, math_log: Math.log, math_exp2: (x) => 2 ** x,
  math_log2: Math.log2, math_log10: Math.log10, math_pow: Math.pow, math_expm1: Math.expm1, math_log1p: Math.log1p, math_hypot: Math.hypot, math_tanh: Math.tanh, math_sinh: Math.sinh, math_cosh: Math.cosh,
  math_erf: (await import('../dist/runtime/mathlib.js')).erf,
};
const { instance } = await WebAssembly.instantiate(harnessModule(b, names, PAGES), { env: { memory }, math });
const ex = instance.exports;
ex.init();
const X = HARNESS_HEAP, Y = X + 8 * N, O = Y + 8 * N;

// Typical arguments for each function (the fast paths; special values are rare in real data).
let seed = 1;
const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
const range = { exp: [-20, 20], exp2: [-30, 30], log: [1e-3, 1e3], log2: [1e-3, 1e3], log10: [1e-3, 1e3], sin: [-100, 100], cos: [-100, 100], erf: [-4, 4], pow: [0.1, 10], expm1: [-2, 2], log1p: [-0.5, 10], hypot: [-10, 10], tanh: [-5, 5], sinh: [-5, 5], cosh: [-5, 5] };

const rows = [];
for (const name of names) {
  const [lo, hi] = range[name];
  const xs = Float64Array.from({ length: N }, () => lo + (hi - lo) * rand());
  const ys = Float64Array.from({ length: N }, () => -3 + 6 * rand());
  const cells = [name];
  for (const form of ['js', 'f64', 'f64x2', 'f32', 'f32x4']) {
    const f32 = form.startsWith('f32');
    const Arr = f32 ? Float32Array : Float64Array;
    new Arr(memory.buffer, X, N).set(xs);
    new Arr(memory.buffer, Y, N).set(ys);
    const f = ex[`${name}_${form}`];
    f(X, Y, O, N); // warm up
    const times = [];
    for (let r = 0; r < runs; r++) {
      const t0 = performance.now();
      for (let k = 0; k < REPS; k++) f(X, Y, O, N);
      times.push(((performance.now() - t0) * 1e6) / (REPS * N));
    }
    cells.push(median(times).toFixed(2));
  }
  cells.push((Number(cells[1]) / Number(cells[3])).toFixed(1) + 'x');
  rows.push(cells);
}
console.log(`ns per element, ${N} elements, median of ${runs} runs`);
printTable(['function', 'JS import', 'native f64', 'native f64x2', 'native f32', 'native f32x4', 'import / f64x2'], rows, [1, 2, 3, 4, 5, 6]);
