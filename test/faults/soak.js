// Leak soak (issue 17): `node test/faults/soak.js cycles=N regions=M` runs N compile/run/dispose
// cycles of a parallel program in this process, then one program that enters M parallel regions,
// and prints JSON with the process's resident memory, open file descriptors, OS threads and active
// handles before, after the first tenth of the cycles (the warm baseline) and at the end. A leaked
// worker shows up as threads, a leaked file or pipe as descriptors, a leaked team or memory as RSS.
import { readdirSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { compile } from '../../dist/index.js';

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.split('=')));
const cycles = Number(args.cycles ?? 100), regions = Number(args.regions ?? 0), threads = Number(args.threads ?? 2);

const count = (dir) => { try { return readdirSync(dir).length; } catch { return -1; } };
function sample() {
  globalThis.gc?.();
  return {
    rssMB: +(process.memoryUsage().rss / 2 ** 20).toFixed(1),
    fds: count('/proc/self/fd'),
    threads: count('/proc/self/task'),
    handles: process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap').length,
  };
}

const src = 'a = arange(50000) * 0.5\ns = 0.0\nfor i in prange(1000):\n    s += a[i] * 2.0\nb = a * 2.0 + 1.0\nprint(s, b.sum())\n';
const cacheDir = mkdtempSync(path.join(tmpdir(), 'par-soak-'));
const start = sample();
let warm = null;
let expected = null;
const t0 = Date.now();
for (let k = 0; k < cycles; k++) {
  const r = await compile(src, { threads, cacheDir });
  let out = '';
  await r.program.run({ stdout: (t) => { out += t; } });
  r.program.dispose();
  expected ??= out;
  if (out !== expected) throw new Error(`cycle ${k}: output changed: ${out} vs ${expected}`);
  if (k + 1 === Math.max(1, Math.floor(cycles / 10))) warm = sample();
}
const cyclesMs = Date.now() - t0;
const afterCycles = sample();
let regionsMs = 0, afterRegions = null;
if (regions > 0) {
  const r = await compile(`n = 0\nc = zeros(${threads}, dtype=int64)\nfor k in range(${regions}):\n    with parallel() as p:\n        c[p.thread_num] += 1\nprint(c.sum())\n`, { threads, cacheDir });
  const t1 = Date.now();
  let out = '';
  await r.program.run({ stdout: (t) => { out += t; } });
  regionsMs = Date.now() - t1;
  r.program.dispose();
  if (out.trim() !== String(regions * threads)) throw new Error(`regions: printed ${out.trim()}, expected ${regions * threads}`);
  afterRegions = sample();
}
rmSync(cacheDir, { recursive: true, force: true });
// Workers are terminated asynchronously: give them a moment before the last count.
await new Promise((r) => setTimeout(r, 500));
const end = sample();
console.log(JSON.stringify({ cycles, regions, threads, cyclesMs, regionsMs, start, warm, afterCycles, afterRegions, end }));
