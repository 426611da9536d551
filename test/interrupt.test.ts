// Program.stopFlag() (compile(..., { interruptible: true }); the playground's Stop): another thread
// sets the word and a program stuck in `while` loops, on every thread of the team, stops with
// KeyboardInterrupt; without the option there is no flag.
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { compile } from '../index.js';

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

  it('is null unless the program was compiled interruptible', async () => {
    const r = await compile('print(1)\n');
    try { expect(r.program!.stopFlag!()).toBeNull(); } finally { r.program!.dispose(); }
  });
});
