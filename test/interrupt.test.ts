// Program.stopFlag() (compile(..., { interruptible: true }); the playground's Stop): another thread
// sets the word and a program stuck in `while` or counted loops, on every thread of the team, stops with
// KeyboardInterrupt; without the option there is no flag.
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { compile, ParError } from '../index.js';

/** Sets the flag from another thread after `ms` (this thread is busy running the program). */
function setLater(flag: Int32Array, ms: number): Worker {
  return new Worker(`
    const { workerData } = require('node:worker_threads');
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ${ms});
    Atomics.store(workerData, 0, 1);
  `, { eval: true, workerData: flag });
}

describe('stopFlag', () => {
  it('stops an endless parallel loop on every thread with KeyboardInterrupt', async () => {
    const r = await compile('a = zeros(2, dtype=int64)\nfor i in prange(2):\n    while True:\n        a[i] += 1\n', { threads: 2, interruptible: true });
    const program = r.program!;
    try {
      const flag = program.stopFlag!()!;
      expect(flag[0]).toBe(0);
      const w = setLater(flag, 300);
      const err = await program.run({ stdout: () => {} }).then(() => null, (e) => e);
      await w.terminate();
      expect(String(err?.formatted ?? err)).toMatch(/error: KeyboardInterrupt/);
    } finally {
      program.dispose();
    }
  });

  it.each([
    ['constant', 's = 0\nfor i in range(10**12):\n    s += i\nprint(s)\n'],
    ['variable', 's = 0\nk = -1\nfor i in range(0, -10**12, k):\n    s += i\nprint(s)\n'],
  ])('stops an endless serial counted loop (%s step)', async (_, src) => {
    const r = await compile(src, { threads: 1, interruptible: true });
    const program = r.program!;
    try {
      const w = setLater(program.stopFlag!()!, 200);
      const t0 = Date.now();
      const err = await program.run({ stdout: () => {} }).then(() => null, (e) => e);
      await w.terminate();
      expect(err).toBeInstanceOf(ParError);
      expect(String(err?.message)).toMatch(/KeyboardInterrupt/);
      expect(Date.now() - t0).toBeLessThan(10_000);
    } finally {
      program.dispose();
    }
  });

  it('stops endless counted loops inside prange on every thread', async () => {
    const src = 'a = zeros(2, dtype=int64)\nfor i in prange(2):\n    for j in range(10**12):\n        a[i] += j & 1\nprint(a)\n';
    const r = await compile(src, { threads: 2, interruptible: true });
    const program = r.program!;
    try {
      const w = setLater(program.stopFlag!()!, 300);
      const err = await program.run({ stdout: () => {} }).then(() => null, (e) => e);
      await w.terminate();
      expect(String(err?.formatted ?? err)).toMatch(/error: KeyboardInterrupt/);
    } finally {
      program.dispose();
    }
  });

  it('leaves counted loops correct (constant and variable steps, continue, break, nesting, array loops)', async () => {
    // 70000 and 3 * 30000 iterations cross the every-65536th check several times without a stop.
    const src = [
      's = 0', 'for i in range(0, 210000, 3):', '    if i % 7 == 0:', '        continue', '    s += i',
      't = 0', 'for i in range(100000, -1, -5):', '    t += i',
      'u = 0', 'for i in range(30000):', '    for j in range(3):', '        u += i * j',
      'w = 0', 'k = 7', 'for i in range(5, 500000, k):', '    if i > 460000:', '        break', '    w += i',
      'for i in range(10, 10):', '    w += 1000000',
      'n = -3', 'for i in range(200000, 0, n):', '    w += i % 5',
      'for i in range(-2**62, 2**62, 2**61):', '    w += i // 2**58',
      'a = arange(200000) * 3', 'print(s, t, u, w, a.sum())', '',
    ].join('\n');
    const expected = (() => {
      let s = 0, t = 0, u = 0;
      for (let i = 0; i < 210000; i += 3) if (i % 7 !== 0) s += i;
      for (let i = 100000; i > -1; i -= 5) t += i;
      for (let i = 0; i < 30000; i++) for (let j = 0; j < 3; j++) u += i * j;
      let w = 0;
      for (let i = 5; i < 500000; i += 7) { if (i > 460000) break; w += i; }
      for (let i = 200000; i > 0; i -= 3) w += i % 5;
      for (let i = -16; i < 16; i += 8) w += i; // i // 2**58 over range(-2**62, 2**62, 2**61)
      return `${s} ${t} ${u} ${w} ${3 * 199999 * 200000 / 2}\n`;
    })();
    for (const interruptible of [true, false]) {
      const r = await compile(src, { interruptible });
      let out = '';
      try {
        await r.program!.run({ stdout: (x: string) => { out += x; } });
        expect(out).toBe(expected);
      } finally {
        r.program!.dispose();
      }
    }
  });

  it('is null unless the program was compiled interruptible', async () => {
    const r = await compile('print(1)\n');
    try { expect(r.program!.stopFlag!()).toBeNull(); } finally { r.program!.dispose(); }
  });
});
