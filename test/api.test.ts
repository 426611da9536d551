// The embedded API: compile(), running scripts, calling functions with typed arrays, disposal,
// every --dump stage, the wasm cache, and bounded memory for loops that allocate.
import { describe, it, expect } from 'vitest';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compile, ParError, precompile } from '../index.js';

async function run(src: string): Promise<{ out: string; heap: number }> {
  const r = await compile(src, { filename: 't.par' });
  expect(r.diagnostics.map((d) => r.format(d))).toEqual([]);
  let out = '';
  await r.program!.run({ stdout: (t) => { out += t; } });
  const heap = r.program!.heapBytes();
  r.program!.dispose();
  return { out, heap };
}

describe('compile() API', () => {
  it('returns diagnostics and no program for bad input', async () => {
    const r = await compile('x = 1 +\ny = undefined_name\n', { filename: 'bad.par' });
    expect(r.program).toBeNull();
    expect(r.diagnostics.length).toBeGreaterThan(0);
    expect(r.format(r.diagnostics[0])).toMatch(/^bad\.par:1:\d+: error: /);
  });

  it('calls a function with typed arrays and scalars, and sees in-place writes', async () => {
    const src = [
      'def axpy(a: float64, x: float64[:], y: float64[:]) -> float64:',
      '    y[:] = a * x + y',
      '    return sum(y)',
      'def scale(m: float64[:, :], k: int) -> float64[:, :]:',
      '    return m * k',
      'def stats(v: int32[:]):',
      '    return v.min(), v.max()',
    ].join('\n');
    const r = await compile(src);
    const p = r.program!;
    const x = new Float64Array([1, 2, 3]);
    const y = new Float64Array([10, 20, 30]);
    expect(await p.call('axpy', 2, { data: x, shape: [3], dtype: 'float64' }, { data: y, shape: [3], dtype: 'float64' })).toBe(72);
    expect([...y]).toEqual([12, 24, 36]);
    const m = await p.call('scale', { data: new Float64Array([1, 2, 3, 4, 5, 6]), shape: [2, 3], dtype: 'float64' }, 3) as { data: Float64Array; shape: number[] };
    expect(m.shape).toEqual([2, 3]);
    expect([...m.data]).toEqual([3, 6, 9, 12, 15, 18]);
    expect(await p.call('stats', { data: new Int32Array([5, -2, 9]), shape: [3], dtype: 'int32' })).toEqual([-2, 9]);
    await expect(p.call('nope')).rejects.toThrow(/no function 'nope'/);
    p.dispose();
    await expect(p.run()).rejects.toThrow(/disposed/);
  });

  it('turns run-time errors into ParErrors with the source span', async () => {
    const r = await compile('a = zeros(4)\ni = 7\nprint(a[i])\n', { filename: 'oob.par' });
    const err = await r.program!.run({ stdout: () => {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ParError);
    expect((err as ParError).formatted).toMatch(/^oob\.par:3:9: error: IndexError: index 7 is out of bounds for axis 0 with size 4/);
    // The program stays usable after an error.
    await expect(r.program!.run({ stdout: () => {} })).rejects.toBeInstanceOf(ParError);
  });

  it('prints every dump stage', async () => {
    const r = await compile('def f(x):\n    return x * 2.0\nfor i in prange(4):\n    print(f(i))\n');
    expect(r.dump('ast')).toMatch(/FunctionDef|def/);
    expect(r.dump('typed')).toMatch(/def f\(x: int64\) -> float64/);
    expect(r.dump('ir')).toMatch(/parfor/);
    expect(r.dump('wat')).toMatch(/\(module/);
  });

  it('caches compiled wasm by source hash', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parcache-'));
    const src = 'print(sum(arange(10)))\n';
    const first = await compile(src, { cacheDir: dir });
    expect(first.timings.cache).toBeUndefined();
    expect(readdirSync(dir).filter((f) => f.endsWith('.wasm'))).toHaveLength(1);
    const second = await compile(src, { cacheDir: dir });
    expect(second.timings.cache).toBe(1);
    let out = '';
    await second.program!.run({ stdout: (t) => { out += t; } });
    expect(out).toBe('45\n');
  });

  it('runs a loop that allocates temporaries in bounded memory', async () => {
    const body = (n: number) => `s = 0.0\nfor i in range(${n}):\n    t = zeros(1000) + i\n    u = t[::2] * 2.0\n    s += sum(u)\nprint(s)\n`;
    const small = await run(body(10));
    const big = await run(body(100000));
    // 100000 iterations each allocate ~16 KB; without freeing that would be 1.6 GB.
    expect(big.heap).toBeLessThan(small.heap + 256 * 1024);
    expect(big.out).toBe(`${2 * 500 * (100000 * 99999 / 2)}.0\n`.replace('e+', 'e+'));
  });
});

// The playground compiles its examples when the site is built and hands them to compile().
describe('precompile() and the precompiled option', () => {
  const source = 'x = arange(5)\nprint(sum(x * x))\n';
  const output = async (r: Awaited<ReturnType<typeof compile>>) => {
    let out = '';
    await r.program!.run({ stdout: (t) => { out += t; } });
    r.program!.dispose();
    return out;
  };

  it('runs the precompiled wasm without compiling when source and options match', async () => {
    const pre = await precompile(source, { interruptible: true });
    expect(pre).not.toBeNull();
    const r = await compile(source, { interruptible: true, precompiled: pre! });
    expect(r.timings.cache).toBe(1);
    expect(r.timings.emit).toBeUndefined();
    expect(await output(r)).toBe('30\n');
  });

  it('ignores it for another source or other options', async () => {
    const pre = (await precompile(source, { interruptible: true }))!;
    const other = await compile('print(7)\n', { interruptible: true, precompiled: pre });
    expect(other.timings.cache).toBeUndefined();
    expect(await output(other)).toBe('7\n');
    const notInterruptible = await compile(source, { precompiled: pre });
    expect(notInterruptible.timings.cache).toBeUndefined();
    expect(await output(notInterruptible)).toBe('30\n');
  });

  it('gives null for a program with errors', async () => {
    expect(await precompile('print(undefined_name)\n')).toBeNull();
  });
});
