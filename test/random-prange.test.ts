// np.random in prange loops (Note [Streams in prange] in compiler/lower/random-calls.ts): each
// iteration draws from default_rng([w0, w1, k]), so a program prints the same at 1, 2, 3 and 7
// threads, and the same as the Python program beside it that spells that meaning out
// (test/random-prange/NAME.py, run by python3 with NumPy); also draws from a generator object named in
// the loop (objects.par). Draws that stay errors are checked too.
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { compile, ParError } from '../index.js';
import { runWith } from './run-program.js';

const DIR = new URL('./random-prange/', import.meta.url);
const names = readdirSync(DIR).filter((f) => f.endsWith('.par')).map((f) => f.slice(0, -4)).sort();
const python = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0;

/** Compiles `src` (no diagnostics expected), runs it on 2 threads, and returns the ParError it stops with, formatted. */
async function runError(src: string): Promise<string> {
  const r = await compile(src, { filename: 'e.par', threads: 2 });
  expect(r.diagnostics).toEqual([]);
  let err: unknown;
  try { await r.program!.run({ stdout: () => {} }); } catch (e) { err = e; } finally { r.program!.dispose(); }
  expect(err).toBeInstanceOf(ParError);
  return r.format((err as ParError).diagnostic!);
}

describe('np.random in prange: one stream per iteration', () => {
  it('has programs to run', () => expect(names.length).toBeGreaterThanOrEqual(2));
  for (const name of names) {
    const src = readFileSync(new URL(`${name}.par`, DIR), 'utf8');
    it(`${name}: the same output at 1, 2, 3 and 7 threads`, async () => {
      const outs = [];
      for (const t of [1, 2, 3, 7]) outs.push(await runWith(src, t, `test/random-prange/${name}.par`));
      expect(outs[0]).toMatch(/\d/);
      for (const o of outs.slice(1)) expect(o).toBe(outs[0]);
    });
    it.skipIf(!python)(`${name}: the same output as default_rng([w0, w1, k]) per iteration in NumPy`, async () => {
      const py = spawnSync('python3', [new URL(`${name}.py`, DIR).pathname], { encoding: 'utf8', timeout: 120_000 });
      expect(py.status, py.stderr).toBe(0);
      expect(await runWith(src, 2, `test/random-prange/${name}.par`)).toBe(py.stdout);
    });
  }
});

describe('np.random in parallel code that stays an error', () => {
  const diagnostics = async (src: string) => (await compile(src, { filename: 'e.par' })).diagnostics.map((d) => d.message);
  it('Generator.shuffle in a prange, an object in a region, seed and shuffle in a prange, a draw in a region: compile errors', async () => {
    expect(await diagnostics('import numpy as np\nrng = np.random.default_rng(1)\na = arange(4)\nfor i in prange(4):\n    rng.shuffle(a)\n'))
      .toEqual([expect.stringContaining('Generator.shuffle() in a parallel loop is not supported yet: call it before the loop')]);
    expect(await diagnostics('import numpy as np\nrng = np.random.default_rng(1)\na = zeros(4)\nwith parallel() as p:\n    a[p.thread_num] = rng.random()\n'))
      .toEqual([expect.stringContaining('Generator.random() in a parallel region is not supported yet')]);
    expect(await diagnostics('import numpy as np\na = arange(4)\nfor i in prange(4):\n    np.random.seed(i)\n'))
      .toEqual([expect.stringContaining('np.random.seed() in a parallel loop is not supported yet')]);
    expect(await diagnostics('import numpy as np\na = arange(4)\nfor i in prange(4):\n    np.random.shuffle(a)\n'))
      .toEqual([expect.stringContaining('np.random.shuffle() in a parallel loop is not supported yet')]);
    expect(await diagnostics('import numpy as np\na = zeros(4)\nwith parallel() as p:\n    a[p.thread_num] = np.random.random()\n'))
      .toEqual([expect.stringContaining('np.random.random() in a parallel region is not supported yet')]);
  });
  it('a prange drawing from two generators (np.random and an object): a RuntimeError naming the loop', async () => {
    const src = 'import numpy as np\nrng = np.random.default_rng(1)\na = zeros(8)\nfor i in prange(8):\n    a[i] = rng.random() + np.random.random()\n';
    const text = await runError(src);
    expect(text).toContain("RuntimeError: a prange loop that draws from more than one generator (np.random's functions, rng) is not supported yet");
    expect(text).toMatch(/^e\.par:4:/);
  });
  it('a function called from a region that draws: a RuntimeError naming the line', async () => {
    const src = 'import numpy as np\ndef f():\n    return np.random.random()\na = zeros(64)\nwith parallel() as p:\n    a[p.thread_num] = f()\n';
    const text = await runError(src);
    expect(text).toContain('RuntimeError: np.random in a parallel region is not supported yet');
    expect(text).toMatch(/^e\.par:3:/);
  });
});
