// Limits for untrusted code: compile(src, { timeout, signal }) and `par run --timeout` stop runaway
// programs (serial, parallel, and a called function) with a clear TimeoutError, leave the program
// usable for the next call, and reject bad values; an aborted signal rejects compile() and run().
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile, ParError } from '../index.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

async function failure(p: Promise<unknown>): Promise<ParError> {
  const e = await p.then(() => null, (x) => x);
  expect(e).toBeInstanceOf(ParError);
  return e as ParError;
}

describe('timeout', () => {
  it('stops an endless serial loop with TimeoutError', async () => {
    const r = await compile('x = 0\nwhile True:\n    x += 1\n', { threads: 1, timeout: 300, filename: 'spin.par' });
    try {
      const t0 = Date.now();
      const e = await failure(r.program!.run({ stdout: () => {} }));
      // Reported at the loop it stopped in (the while statement, line 2).
      expect(e.formatted).toMatch(/^spin\.par:2:1: error: TimeoutError: the program ran longer than its time limit of 0\.3 s\n  while True:\n  \^~+/);
      expect(Date.now() - t0).toBeLessThan(20_000);
    } finally {
      r.program!.dispose();
    }
  });

  it('stops endless loops on every thread of a parallel loop, naming the iteration and thread', async () => {
    const src = 'a = zeros(3, dtype=int64)\nfor i in prange(3):\n    for j in range(10**15):\n        a[i] += j & 1\nprint(a)\n';
    const r = await compile(src, { threads: 3, timeout: 300 });
    try {
      const e = await failure(r.program!.run({ stdout: () => {} }));
      expect(e.message).toMatch(/^TimeoutError: .* \(in iteration \d+ on thread \d+\)$/);
    } finally {
      r.program!.dispose();
    }
  });

  it('applies to each call, and the next call after a timeout works', async () => {
    const src = 'def work(n: int) -> int:\n    s = 0\n    for i in range(n):\n        s += i % 7\n    return s\n';
    const r = await compile(src, { threads: 2, timeout: 300 });
    const p = r.program!;
    try {
      expect(await p.call('work', 100n)).toBe(295n);
      const e = await failure(p.call('work', 10n ** 15n));
      expect(e.message).toMatch(/^TimeoutError/);
      expect(await p.call('work', 1000n)).toBe(2997n);
    } finally {
      p.dispose();
    }
  });

  it('does not disturb a run that finishes in time', async () => {
    const r = await compile('s = 0\nfor i in prange(100000):\n    s += i % 3\nprint(s)\n', { threads: 2, timeout: 60_000 });
    let out = '';
    try {
      await r.program!.run({ stdout: (t) => { out += t; } });
      await r.program!.run({ stdout: (t) => { out += t; } });
    } finally {
      r.program!.dispose();
    }
    expect(out).toBe('99999\n99999\n');
  });

  it.each([0, -1, NaN, Infinity])('rejects timeout %s', async (t) => {
    await expect(compile('print(1)\n', { timeout: t })).rejects.toThrow(/timeout must be a positive number of milliseconds/);
  });
});

describe('signal', () => {
  it('rejects compile() when already aborted, or aborted while it runs', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(compile('print(1)\n', { signal: ac.signal })).rejects.toThrow(/abort/i);
    const ac2 = new AbortController();
    const pending = compile('a = arange(10) * 2.0\nprint(a.sum())\n', { signal: ac2.signal });
    ac2.abort(new Error('user cancelled'));
    await expect(pending).rejects.toThrow(/user cancelled/);
  });

  it('rejects run() after the abort, with the signal\'s reason, and leaves the program usable without one', async () => {
    const ac = new AbortController();
    const r = await compile('print(7)\n', { signal: ac.signal });
    let out = '';
    try {
      await r.program!.run({ stdout: (t) => { out += t; } });
      ac.abort(new Error('stop now'));
      await expect(r.program!.run({ stdout: (t) => { out += t; } })).rejects.toThrow(/stop now/);
    } finally {
      r.program!.dispose();
    }
    expect(out).toBe('7\n');
  });
});

describe('par run --timeout', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'par-limits-'));
  const file = path.join(dir, 'spin.par');
  writeFileSync(file, 'x = 0\nprint("start")\nwhile True:\n    x += 1\n');
  const par = (...args: string[]) => spawnSync(process.execPath, [path.join(ROOT, 'bin/par.js'), ...args], { encoding: 'utf8', timeout: 120_000 });

  it('stops the program with a TimeoutError diagnostic and exit status 1', () => {
    const r = par('run', file, '--timeout', '0.5', '--no-cache', '--threads', '2');
    expect(r.stdout).toBe('start\n');
    expect(r.stderr).toMatch(/spin\.par:\d+:\d+: error: TimeoutError: the program ran longer than its time limit of 0\.5 s/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.status).toBe(1);
  });

  it.each(['0', '-2', 'abc', ''])('rejects --timeout %j as a usage error', (v) => {
    const r = par('run', file, `--timeout=${v}`);
    expect(r.stderr).toMatch(/--timeout expects a positive number of seconds/);
    expect(r.status).toBe(2);
  });
});

describe('huge and deeply nested sources', () => {
  const errorOf = async (src: string) => {
    const r = await compile(src, { filename: 'big.par' });
    const errors = r.diagnostics.filter((d) => d.severity === 'error');
    expect(r.program).toBeNull();
    expect(errors.length).toBeGreaterThan(0);
    const text = r.format(errors[0]);
    expect(text).toMatch(/^big\.par:\d+:\d+: error: /);
    // The report stays readable however long the line is.
    expect(text.length).toBeLessThan(1000);
    return text;
  };

  it.each([
    ['100000 lines', Array.from({ length: 100_000 }, (_, k) => `x = ${k}`).join('\n') + '\n', /too large to compile: 100000 lines \(the limit is 10000\)/],
    ['2 MB on one line', 'x = 1\n# ' + 'a'.repeat(2 << 20) + '\n', /too large to compile: \d+ characters/],
    ['10^5 nested parentheses', 'print(' + '('.repeat(100_000) + '1' + ')'.repeat(100_000) + ')\n', /nested too deeply/],
    ['10^4 nested lists', 'x = ' + '['.repeat(10_000) + '1' + ']'.repeat(10_000) + '\n', /nested too deeply/],
    ['1000 nested ifs', Array.from({ length: 1000 }, (_, k) => ' '.repeat(k) + 'if True:').join('\n') + '\n' + ' '.repeat(1000) + 'print(1)\n', /nested too deeply/],
    ['a sum of 10^5 terms', 'x = ' + Array(100_000).fill('1').join(' + ') + '\n', /too deeply nested to compile/],
    ['10^4 chained subscripts', 'a = zeros(3)\nprint(a' + '[0]'.repeat(10_000) + ')\n', /too deeply nested to compile/],
  ])('%s: a compile error', async (_, src, message) => {
    expect(await errorOf(src)).toMatch(message);
  }, 120_000);

  it('accepts a program at the line limit', async () => {
    const r = await compile(Array.from({ length: 9_999 }, (_, k) => `# line ${k}`).join('\n') + '\nprint(1)\n');
    expect(r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message)).toEqual([]);
    r.program?.dispose();
  });
});
