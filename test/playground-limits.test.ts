// The playground's default limits (issue 17; playground/src/limits.ts): every run compiles with a
// time and a memory limit, 10 s and 1 GiB unless the page's inputs say otherwise. Checked here with
// the options the run worker passes to compile(), under Node; the browser test checks the page.
import { describe, expect, it } from 'vitest';
import { compile, ParError } from '../index.js';
import { clampLimits, compileOptions, DEFAULT_LIMITS, limitsText } from '../playground/src/limits.js';

async function failure(src: string, limits = DEFAULT_LIMITS): Promise<ParError> {
  const r = await compile(src, compileOptions(2, limits));
  try {
    const e = await r.program!.run({ stdout: () => {} }).then(() => null, (x: unknown) => x);
    expect(e).toBeInstanceOf(ParError);
    // The program stays usable after its limit stopped it.
    let out = '';
    await r.program!.call('ok').then((v) => { out = String(v); }, () => {});
    expect(out).toBe('7');
    return e as ParError;
  } finally {
    r.program!.dispose();
  }
}

const OK = 'def ok() -> int:\n    return 7\n\n';

describe('playground limits', () => {
  it('default to 10 s and 1 GiB, passed to compile() as timeout and maxMemory', () => {
    expect(DEFAULT_LIMITS).toEqual({ seconds: 10, memoryMiB: 1024 });
    expect(compileOptions(2, DEFAULT_LIMITS)).toMatchObject({ timeout: 10_000, maxMemory: 2 ** 30, threads: 2, interruptible: true });
    expect(limitsText(DEFAULT_LIMITS)).toBe('10 s, 1 GiB');
  });

  it('clamp what the inputs hold; 0 seconds means no time limit', () => {
    expect(clampLimits({ seconds: '2.5', memoryMiB: '64' })).toEqual({ seconds: 2.5, memoryMiB: 64 });
    expect(clampLimits({ seconds: '', memoryMiB: 'lots' })).toEqual(DEFAULT_LIMITS);
    expect(clampLimits({ seconds: -3, memoryMiB: 1e9 })).toEqual({ seconds: 0, memoryMiB: 4096 });
    expect(clampLimits({ seconds: 99999, memoryMiB: 1 })).toEqual({ seconds: 3600, memoryMiB: 16 });
    expect(compileOptions(1, { seconds: 0, memoryMiB: 64 })).not.toHaveProperty('timeout');
  });

  it('stop a runaway loop with TimeoutError at its line', async () => {
    const e = await failure(OK + 'x = 0\nwhile True:\n    x += 1\n', { seconds: 0.5, memoryMiB: 1024 });
    expect(e.formatted).toMatch(/^main\.par:5:1: error: TimeoutError: the program ran longer than its time limit of 0\.5 s\n  while True:/);
  });

  it('stop a program that allocates without end with MemoryError naming the limit', async () => {
    const e = await failure(OK + 'xs = []\nwhile True:\n    xs.append(zeros(10**6))\n', { seconds: 60, memoryMiB: 64 });
    expect(e.message).toMatch(/^MemoryError: Unable to allocate .*memory limit 64 MiB/);
  });
});
