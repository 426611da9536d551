// The chunk trace (compile(..., { trace: true }), Program.chunkTrace(); the playground's timeline):
// every iteration of a parallel loop is in exactly one recorded chunk, regions record each thread's
// run, times are ordered, and without the option nothing is recorded.
import { describe, expect, it } from 'vitest';
import { compile } from '../index.js';

const SRC = `s = 0
for i in prange(1000, schedule="dynamic", chunksize=7, num_threads=2):
    s += i
with parallel(num_threads=2) as p:
    s = s + 0
print(s)
`;

describe('chunk trace', () => {
  it('records each chunk of a parallel loop and each thread of a region', async () => {
    const r = await compile(SRC, { threads: 2, trace: true });
    try {
      await r.program!.run({ stdout: () => {} });
      const t = r.program!.chunkTrace!()!;
      expect(t.loops).toEqual([{ line: 2, kind: 'prange' }, { line: 4, kind: 'region' }]);
      expect(t.dropped).toBe(0);
      const chunks = t.events.filter((e) => e.loop === 0).sort((a, b) => a.lo - b.lo);
      // The chunks tile [0, 1000), each at least the chunk size (with a reduction, chunks are whole
      // blocks of the reduction grid) except the last.
      expect(chunks[0].lo).toBe(0);
      expect(chunks.at(-1)!.hi).toBe(1000);
      chunks.forEach((e, k) => {
        if (k > 0) expect(e.lo).toBe(chunks[k - 1].hi);
        if (k < chunks.length - 1) expect(e.hi - e.lo).toBeGreaterThanOrEqual(7);
      });
      for (const e of t.events) expect(e.end).toBeGreaterThanOrEqual(e.start);
      const region = t.events.filter((e) => e.loop === 1);
      expect(region.map((e) => e.thread).sort()).toEqual([0, 1]);
      expect(region.every((e) => e.lo === -1 && e.hi === -1)).toBe(true);
    } finally {
      r.program!.dispose();
    }
  });

  it('records nothing unless asked', async () => {
    const r = await compile(SRC, { threads: 2 });
    try {
      await r.program!.run({ stdout: () => {} });
      expect(r.program!.chunkTrace!()).toBeNull();
    } finally {
      r.program!.dispose();
    }
  });
});
