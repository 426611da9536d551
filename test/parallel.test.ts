// Parallel semantics on real worker teams: reductions bit-identical for every thread count and
// schedule, parallel regions (shares, barrier, lock, privates), atomics, and a failing thread
// while the others wait at a barrier.
import { describe, it, expect } from 'vitest';
import { compile, ParError } from '../index.js';
import { runWith as runProgram } from './run-program.js';

const runWith = (src: string, threads: number) => runProgram(src, threads, 'par.par');

const THREADS = [1, 2, 3, 4, 7, 16];

describe('deterministic reductions', () => {
  const schedules = ['', ', schedule="static"', ', schedule="static", chunksize=3', ', schedule="dynamic"', ', schedule="dynamic", chunksize=100', ', schedule="guided"', ', schedule="auto"', ', schedule="runtime"'];
  const src = schedules.map((s, k) => [
    `s${k} = 0.0`, `p${k} = 1.0`, `m${k} = -1.0e300`,
    `for i in prange(1, 200001${s}):`,
    `    x = 1.0 / (i * i + 0.5)`,
    `    s${k} += x`, `    p${k} *= 1.0 + x * 1e-3`, `    m${k} = max(m${k}, x * (i % 17))`,
    `print(s${k}, p${k}, m${k})`,
  ].join('\n')).join('\n') + '\n';

  it('prints bit-identical floats for 1, 2, 3, 4, 7 and 16 threads and every schedule', async () => {
    const outs = await Promise.all(THREADS.map((t) => runWith(src, t)));
    const lines = outs[0].trim().split('\n');
    expect(lines).toHaveLength(schedules.length);
    // Every schedule gives the same bits too: the block grid depends only on the trip count.
    expect(new Set(lines).size).toBe(1);
    for (const o of outs) expect(o).toBe(outs[0]);
  });
});

describe('parallel regions', () => {
  const src = `
n = 1000
a = zeros(n)
total = zeros(1)
with parallel() as p:
    for i in p.range(0, n):
        a[i] = i * 2.0
    p.barrier()
    s = 0.0
    for i in p.xrange(0, n):
        s += a[i]
    with p.lock:
        total[0] += s
    mine = p.thread_num
print(sum(a), total[0], mine)
`;
  it.each([1, 2, 3, 4])('shares work, waits at the barrier and locks on %i threads', async (t) => {
    expect(await runWith(src, t)).toBe('999000.0 999000.0 0\n');
  });

  it('reports a thread failing while the others wait at a barrier, and stays usable', async () => {
    const r = await compile('a = zeros(4)\nwith parallel() as p:\n    if p.thread_num == 1:\n        a[10] = 1.0\n    p.barrier()\nprint("not reached")\n', { filename: 'bar.par', threads: 3 });
    try {
      for (let round = 0; round < 3; round++) {
        let out = '';
        const err = await r.program!.run({ stdout: (t) => { out += t; } }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(ParError);
        expect((err as ParError).formatted).toMatch(/^bar\.par:4:11: error: IndexError: index 10 is out of bounds.*\(on thread 1\)/);
        expect((err as ParError).thread).toBe(1);
        expect(out).toBe('');
      }
    } finally {
      r.program!.dispose();
    }
  });
});

describe('atomics', () => {
  const src = `
h = zeros(10, dtype=int64)
f = zeros(3)
m = zeros(1)
for i in prange(100000):
    atomic_add(h, (i * 7) % 10, 1)
    atomic_add(f, i % 3, 0.5)
    atomic_max(m, 0, i * 1.0)
print(h, f, m)
`;
  it.each([1, 2, 4])('histogram and float atomics are exact on %i threads', async (t) => {
    expect(await runWith(src, t)).toBe('[10000 10000 10000 10000 10000 10000 10000 10000 10000 10000] [16667.  16666.5 16666.5] [99999.]\n');
  });
});
