// Benchmark kernel, plain JavaScript for bench/run.js: the same escape-time Mandelbrot as
// mandelbrot.par and mandelbrot.c (same region, sizes and operation order, so the same checksum).
// Usage: node mandelbrot.js [w h maxiter]. Prints "checksum: <sum of iteration counts>" and
// "time: <seconds>" for the kernel alone.
import { performance } from 'node:perf_hooks';

function escape(cr, ci, maxiter) {
  let zr = 0.0;
  let zi = 0.0;
  let k = 0;
  while (k < maxiter) {
    const zr2 = zr * zr;
    const zi2 = zi * zi;
    if (zr2 + zi2 > 4.0) break;
    zi = 2.0 * zr * zi + ci;
    zr = zr2 - zi2 + cr;
    k += 1;
  }
  return k;
}

const args = process.argv.slice(2).map(Number);
const [w, h, maxiter] = args.length === 3 ? args : [1600, 1200, 1000];
const img = new Int32Array(w * h); // counts are at most maxiter
const dx = 3.2 / w;
const dy = 2.4 / h;

const t0 = performance.now();
for (let y = 0; y < h; y++) {
  const ci = -1.2 + y * dy;
  for (let x = 0; x < w; x++) img[y * w + x] = escape(-2.2 + x * dx, ci, maxiter);
}
const t1 = performance.now();

let total = 0;
for (let i = 0; i < w * h; i++) total += img[i];
console.log(`checksum: ${total}`);
console.log(`time: ${((t1 - t0) / 1000).toFixed(6)}`);
