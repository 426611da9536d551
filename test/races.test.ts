// The race detector (compile(src, { checkRaces: true }), `par run --check-races`; Note [Race
// detection] in compiler/lower/races.ts): seeded races are reported with their line, array, element
// and both iterations; race-free kernels (stencils into another array, row-owned writes, reductions,
// private temporaries) run to their normal output; uninstrumented code is unchanged.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile, ParError } from '../index.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const HEAD = 'import numpy as np\nfrom numba import prange\n';

/**
 * Runs `src` with the detector on `threads` threads: its output, or the ParError it stopped with.
 * One thread by default: the detector compares iterations, not threads, so it finds the same races,
 * and which conflicting pair it meets first no longer depends on how a busy machine schedules a team.
 */
async function checked(src: string, threads = 1): Promise<{ out: string; err: ParError | null }> {
  const r = await compile(HEAD + src, { checkRaces: true, threads, filename: 'race.par' });
  expect(r.diagnostics.map((d) => d.message)).toEqual([]);
  let out = '';
  try {
    const err = await r.program!.run({ stdout: (t) => { out += t; } }).then(() => null, (e: unknown) => e);
    if (err !== null) expect(err).toBeInstanceOf(ParError);
    return { out, err: err as ParError | null };
  } finally {
    r.program!.dispose();
  }
}

/** The report's lines: the error, then each note, without the source lines and carets. */
const heads = (e: ParError) => e.formatted.split('\n').filter((l) => /^race\.par:\d+:\d+: /.test(l));

describe('race detector: seeded races', () => {
  it('a[i + 1] = a[i]: iteration i + 1 reads what iteration i wrote', async () => {
    const { err } = await checked('a = np.arange(10.0)\nfor i in prange(9):\n    a[i + 1] = a[i]\nprint(a.sum())\n');
    expect(heads(err!)).toEqual([
      expect.stringMatching(/^race\.par:5:16: error: DataRace: iteration 1 \(thread \d\) reads a\[1\], which iteration 0 \(thread \d\) wrote in the same prange loop \(8 conflicting accesses in this loop run\)$/),
      expect.stringMatching(/^race\.par:5:5: note: the write of a\[1\] by iteration 0 \(thread \d\)$/),
      'race.par:4:1: note: in this prange loop',
    ]);
    // ThreadSanitizer-like: each place with its source line and a caret under the access.
    expect(err!.formatted).toContain('race.par:5:16: error: DataRace');
    expect(err!.formatted).toMatch(/\n {6}a\[i \+ 1\] = a\[i\]\n {17}\^~~~\n/);
  });

  it('out[i % 3] += x: every third iteration updates the same element', async () => {
    const { err } = await checked('out = np.zeros(3)\nx = np.ones(30)\nfor i in prange(30):\n    out[i % 3] += x[i]\nprint(out)\n');
    // Which two iterations meet first depends on the schedule: any two with the same i % 3, at that element.
    const m = /^race\.par:6:5: error: DataRace: iteration (\d+) \(thread \d\) (reads|writes) out\[(\d)\], which iteration (\d+) \(thread \d\) wrote/.exec(heads(err!)[0]);
    expect(m, heads(err!)[0]).not.toBeNull();
    const [a, el, b] = [Number(m![1]), Number(m![3]), Number(m![4])];
    expect(a).not.toBe(b);
    expect([a % 3, b % 3]).toEqual([el, el]);
  });

  it('a histogram without atomic_add', async () => {
    const { err } = await checked('data = np.arange(100) % 7\nh = np.zeros(7, dtype=np.int64)\nfor i in prange(100):\n    h[data[i]] = h[data[i]] + 1\nprint(h)\n');
    expect(heads(err!)[0]).toMatch(/^race\.par:6:18: error: DataRace: iteration 7 \(thread \d\) reads h\[0\], which iteration 0 \(thread \d\) wrote/);
    expect(heads(err!)[1]).toMatch(/^race\.par:6:5: note: the write of h\[0\] by iteration 0/);
  });

  it('a write/read race on another line: b[i] = a[i]; a[i + 1] = 0', async () => {
    const { err } = await checked('a = np.ones(20)\nb = np.zeros(20)\nfor i in prange(19):\n    b[i] = a[i]\n    a[i + 1] = 0.0\nprint(b.sum())\n');
    const h = heads(err!);
    // Which access comes second depends on the schedule; either way both lines are named.
    expect(h[0]).toMatch(/^race\.par:(6:12|7:5): error: DataRace: iteration \d+ \(thread \d\) (reads|writes) a\[\d+\], which iteration \d+ \(thread \d\) (wrote|read)/);
    expect(h.slice(0, 2).map((l) => l.slice(0, 13)).sort()).toEqual(['race.par:6:12', 'race.par:7:5:']);
  });

  it('a race in a called function, 2-d element index', async () => {
    const { err } = await checked('def bump(m, i):\n    m[0, i // 2] = m[0, i // 2] + 1.0\n\nm = np.zeros((2, 8))\nfor i in prange(16):\n    bump(m, i)\nprint(m.sum())\n');
    const h = heads(err!);
    expect(h[0]).toMatch(/^race\.par:4:20: error: DataRace: iteration 1 \(thread \d\) reads m\[0, 0\], which iteration 0 \(thread \d\) wrote/);
    expect(h[h.length - 1]).toBe('race.par:7:1: note: in this prange loop');
  });

  it('a whole-row assignment counted element by element', async () => {
    const { err } = await checked('g = np.zeros((4, 5))\nfor i in prange(8):\n    g[i // 2, :] = i * 1.0\nprint(g.sum())\n');
    expect(heads(err!)[0]).toMatch(/^race\.par:5:5: error: DataRace: iteration 1 \(thread \d\) writes g\[0, 0\], which iteration 0 \(thread \d\) wrote/);
  });

  it('finds a race between iterations run by different threads of a real team', async () => {
    // Static schedule on two threads: thread 0 runs iterations below n // 2, thread 1 the rest.
    const { err } = await checked('n = 200000\na = np.zeros(n)\nfor i in prange(n, schedule="static", num_threads=2):\n    a[i] = 1.0\n    if i == n // 2:\n        a[i] = a[i - 1] + 1.0\nprint(a.sum())\n', 2);
    expect(err!.message).toMatch(/^DataRace: iteration (100000 \(thread 1\) reads a\[99999\], which iteration 99999 \(thread 0\) wrote|99999 \(thread 0\) writes a\[99999\], which iteration 100000 \(thread 1\) read) in the same prange loop$/);
  });
});

describe('race detector: nested loops and errors', () => {
  it('checks a prange nested in another (also through a call) as part of the outer iteration', async () => {
    const src = 'def inner(m, i):\n    for j in prange(4):\n        m[i, j] = i + j\n\nm = np.zeros((6, 4))\nfor i in prange(6):\n    inner(m, i)\nprint(m.sum())\n'
      + 'a = np.zeros(5)\nfor i in prange(5):\n    for j in prange(5):\n        a[j] += 1.0\nprint(a)\n';
    const { out, err } = await checked(src, 3);
    expect(out).toBe('96.0\n');
    // Outer iterations all update a[j]: a race between outer iterations, reported after the outer loop.
    expect(err!.message).toMatch(/^DataRace: iteration \d \(thread \d\) (reads|writes) a\[\d\], which iteration \d \(thread \d\) (wrote|read) in the same prange loop \(\d+ conflicting accesses in this loop run\)$/);
    expect(heads(err!).at(-1)).toBe('race.par:12:1: note: in this prange loop');
  });

  it('an error that stops a checked loop leaves the detector ready for the next call', async () => {
    const src = HEAD + 'def f(n: int) -> float:\n    a = np.zeros(n)\n    for i in prange(n):\n        a[i + 1] = 1.0\n    return a.sum()\n\n'
      + 'def g(n: int) -> float:\n    a = np.zeros(n)\n    for i in prange(n):\n        a[i] = i * 1.0\n    return a.sum()\n';
    const r = await compile(src, { checkRaces: true, threads: 2 });
    try {
      await expect(r.program!.call('f', 10n)).rejects.toThrow(/^IndexError/);
      expect(await r.program!.call('g', 10n)).toBe(45);
      expect(await r.program!.call('g', 4n)).toBe(6);
    } finally {
      r.program!.dispose();
    }
  });
});

describe('race detector: race-free kernels are not reported', () => {
  it('stencil into another array, reductions, row-owned 2-d writes, private temporaries, atomics', async () => {
    const src = [
      'n = 40', 'g = np.arange(n * n * 1.0).reshape((n, n))', 'r = np.zeros((n, n))',
      'for i in prange(1, n - 1):', '    for j in range(1, n - 1):', '        r[i, j] = 0.25 * (g[i - 1, j] + g[i + 1, j] + g[i, j - 1] + g[i, j + 1])',
      'rows = np.zeros((n, n))', 'for i in prange(n):', '    tmp = np.zeros(n)', '    tmp[:] = g[i, :] * 2.0', '    rows[i, :] = tmp + 1.0', '    rows[i] += 1.0',
      'tot = 0.0', 'mx = 0.0', 'c = 0', 'for i in prange(n):', '    tot += g[i, 0]', '    mx = max(mx, g[i, 1])', '    t = g[i, 2] * 2.0', '    if t > 100.0:', '        c += 1',
      'h = np.zeros(4, dtype=np.int64)', 'for i in prange(100):', '    atomic_add(h, i % 4, 1)',
      'def scale(v, k):', '    return v * k', 'w = np.zeros(n)', 'for i in prange(n):', '    w[i] = scale(g[i, 3], 2.0)',
      'print(r.sum(), rows.sum(), tot, mx, c, h, w.sum())', '',
    ].join('\n');
    const { out, err } = await checked(src, 3);
    expect(err).toBeNull();
    const plain = await compile(HEAD + src, { threads: 3 });
    let expected = '';
    await plain.program!.run({ stdout: (t) => { expected += t; } });
    plain.program!.dispose();
    expect(out).toBe(expected);
  });

  it('runs of the same loop one after another do not race with each other', async () => {
    const { err } = await checked('a = np.zeros(10)\nfor k in range(3):\n    for i in prange(10):\n        a[i] = a[i] + k\nprint(a.sum())\n');
    expect(err).toBeNull();
  });
});

describe('race detector: off by default', () => {
  it('leaves the IR of an uninstrumented program unchanged and the CLI flag works', async () => {
    const src = HEAD + 'a = np.zeros(100)\nfor i in prange(99):\n    a[i + 1] = a[i] + 1.0\nprint(a[-1])\n';
    const plain = await compile(src, {});
    expect(plain.dump('ir')).not.toMatch(/race_/);
    const on = await compile(src, { checkRaces: true });
    expect(on.dump('ir')).toMatch(/race_access/);
    plain.program?.dispose();
    on.program?.dispose();
    const dir = mkdtempSync(path.join(tmpdir(), 'par-races-'));
    const file = path.join(dir, 'r.par');
    writeFileSync(file, src);
    const r = spawnSync(process.execPath, [path.join(ROOT, 'bin/par.js'), 'run', '--check-races', '--no-cache', file], { encoding: 'utf8', timeout: 120_000 });
    // (A team of the machine's size: the first conflict met depends on the schedule.)
    expect(r.stderr).toMatch(/r\.par:5:(16|5): error: DataRace: iteration \d+ \(thread \d+\) (reads|writes) a\[\d+\], which iteration \d+/);
    expect(r.stderr).not.toMatch(/    at /);
    expect(r.status).toBe(1);
    const ok = spawnSync(process.execPath, [path.join(ROOT, 'bin/par.js'), 'run', '--no-cache', file], { encoding: 'utf8', timeout: 120_000 });
    expect(ok.stdout).toBe('99.0\n');
  }, 240_000);
});
