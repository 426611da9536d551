// Memory: the limit (option, PAR_MAX_MEMORY, --max-memory), MemoryError naming the array that did
// not fit (also inside parallel code), the program staying usable after one, and scripts that
// allocate in a loop running in bounded memory, measured by the peak of a separate process.
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { compile } from '../index.js';
import { ParError } from '../runtime/errors.js';
import { sizeText } from '../runtime/instance.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const run = promisify(execFile);

async function failure(src: string, opts: { threads?: number; maxMemory?: string | number } = {}): Promise<{ out: string; err: ParError }> {
  const r = await compile(src, { filename: 'mem.par', threads: opts.threads ?? 1, ...(opts.maxMemory !== undefined ? { maxMemory: opts.maxMemory } : {}) });
  expect(r.diagnostics.map((d) => r.format(d))).toEqual([]);
  let out = '';
  try {
    await r.program!.run({ stdout: (t) => { out += t; } });
  } catch (e) {
    return { out, err: e as ParError };
  } finally {
    r.program!.dispose();
  }
  throw new Error(`no error; printed:\n${out}`);
}

describe('MemoryError', () => {
  it('names the shape, dtype and size as NumPy does, at the allocating expression', async () => {
    const { out, err } = await failure('a = ones(3)\nprint(a)\nb = zeros((30000, 30000)) + 1.0\nprint(b[0, 0])\n');
    expect(out).toBe('[1. 1. 1.]\n');
    expect(err).toBeInstanceOf(ParError);
    expect(err.formatted).toContain('mem.par:3:5: error: MemoryError: Unable to allocate 6.71 GiB for an array with shape (30000, 30000) and data type float64');
    expect(err.formatted).toContain("(WebAssembly's memory holds at most 4 GiB");
    expect(err.formatted).toContain('b = zeros((30000, 30000)) + 1.0\n      ^~~~~~~~~~~~~~~~~~~~');
  });

  it('reports the limit set by the option, and the program stays usable after the error', async () => {
    const src = `
def make(n: int) -> float:
    a = ones(n, dtype=float32)
    return float(sum(a))
`;
    const r = await compile(src, { filename: 'mem.par', threads: 1, maxMemory: '48M' });
    const p = r.program!;
    try {
      expect(await p.call('make', 1000)).toBe(1000);
      const err = await p.call('make', 20_000_000).then(() => null, (e: unknown) => e as ParError);
      expect(err?.message).toMatch(/^MemoryError: Unable to allocate 76\.3 MiB for an array with shape \(20000000,\) and data type float32 \(memory limit 48 MiB, heap [\d.]+ [KM]iB; raise the limit with PAR_MAX_MEMORY or --max-memory\)$/);
      expect(err?.formatted).toContain('mem.par:3:9:');
      // The allocator's lock and lists survived: the next calls allocate as before.
      for (let i = 0; i < 3; i++) expect(await p.call('make', 2_000_000)).toBe(2_000_000);
    } finally {
      p.dispose();
    }
  });

  it('says when an array has more elements than a Par array can hold', async () => {
    const { err } = await failure('a = zeros((100000, 100000), dtype=int32)\n');
    expect(err.message).toBe('MemoryError: Unable to allocate 37.3 GiB for an array with shape (100000, 100000) and data type int32 (a Par array holds at most 2**31 - 1 elements, each extent too)');
  });

  it('names the iteration and the thread inside a parallel loop', async () => {
    const src = `
s = zeros(8)
for i in prange(8, schedule="static", chunksize=1):
    t = ones(1000 + i * 3000000)
    s[i] = t[0]
print(s)
`;
    const { err } = await failure(src, { threads: 2, maxMemory: '64M' });
    expect(err.message).toMatch(/^MemoryError: Unable to allocate [\d.]+ MiB for an array with shape \(\d+,\) and data type float64 \(memory limit 64 MiB, .*\) \(in iteration \d on thread [01]\)$/);
    expect(err.formatted).toContain('mem.par:4:9:');
  });

  it('rejects bad limits clearly', async () => {
    await expect(compile('print(1)\n', { maxMemory: '12 apples' })).rejects.toThrow("maxMemory must be a size such as 512M, 2G or 1073741824 (bytes), got '12 apples'");
    await expect(compile('print(1)\n', { maxMemory: '5G' })).rejects.toThrow("maxMemory '5G' is 5368709120 bytes, above WebAssembly's limit of 4 GiB (4294967296 bytes)");
    // Fractional sizes once reached BigInt() and threw a raw RangeError; huge ones printed 'undefined' units.
    await expect(compile('print(1)\n', { maxMemory: '4.1G' })).rejects.toThrow("maxMemory '4.1G' is 4402341478 bytes, above WebAssembly's limit of 4 GiB (4294967296 bytes)");
    await expect(compile('print(1)\n', { maxMemory: '4096.5M' })).rejects.toThrow("maxMemory '4096.5M' is 4295491584 bytes, above");
    await expect(compile('print(1)\n', { maxMemory: 1e30 })).rejects.toThrow("maxMemory 1e+30 is above WebAssembly's limit of 4 GiB (4294967296 bytes)");
    await expect(compile('print(1)\n', { maxMemory: '1000000000000000000G' })).rejects.toThrow("maxMemory '1000000000000000000G' is above WebAssembly's limit of 4 GiB");
    await expect(compile('print(1)\n', { maxMemory: 0.5 })).rejects.toThrow('maxMemory must be a positive number of bytes, got 0.5');
    await expect(compile('print(1)\n', { maxMemory: '0.1' })).rejects.toThrow("maxMemory must be at least 1 byte, got '0.1'");
  });

  it('takes fractional sizes, dropping the fraction of a byte', async () => {
    for (const maxMemory of ['4294967296.5', 4294967296.5, '1.5G', 100000000.7]) {
      const r = await compile('print(1)\n', { maxMemory });
      let out = '';
      await r.program!.run({ stdout: (t) => { out += t; } });
      r.program!.dispose();
      expect(out).toBe('1\n');
    }
  });

  it('writes sizes exactly as numpy/_core/_exceptions.py does', () => {
    // Expected values printed by NumPy 2's _ArrayMemoryError._size_to_string.
    const cases: [number, string][] = [[0, '0 bytes'], [1023, '1023 bytes'], [1024, '1.00 KiB'], [10 ** 6, '977. KiB'],
      [1023 * 2 ** 20 + 2 ** 19, '1.00 GiB'], [7.2e9, '6.71 GiB'], [10 ** 15, '909. TiB'], [999.6 * 2 ** 30, '1000. GiB'], [2 ** 32, '4.00 GiB']];
    for (const [bytes, text] of cases) expect(sizeText(BigInt(Math.trunc(bytes)))).toBe(text);
  });
});

describe('the CLI', () => {
  const par = (args: string[], env: Record<string, string> = {}) =>
    run(process.execPath, [`${root}bin/par.js`, ...args], { env: { ...process.env, PAR_NO_CACHE: '1', NO_COLOR: '1', ...env } })
      .then((r) => ({ code: 0, ...r }), (e: { code: number; stdout: string; stderr: string }) => e);

  it('takes --max-memory and PAR_MAX_MEMORY, and refuses bad values with status 2', async () => {
    const prog = ['-e', 'a = zeros(1000)\nprint(a.shape)\nb = zeros(20000000)\nprint(b.shape)'];
    const byFlag = await par(['--max-memory', '100M', ...prog]);
    expect(byFlag.code).toBe(1);
    expect(byFlag.stdout).toBe('(1000,)\n');
    expect(byFlag.stderr).toContain('<string>:3:5: error: MemoryError: Unable to allocate 153. MiB for an array with shape (20000000,) and data type float64 (memory limit 100 MiB');
    const byEnv = await par(prog, { PAR_MAX_MEMORY: '100M' });
    expect(byEnv.stderr).toContain('(memory limit 100 MiB');
    const enough = await par(prog, { PAR_MAX_MEMORY: '1G' });
    expect([enough.code, enough.stdout]).toEqual([0, '(1000,)\n(20000000,)\n']);
    const bad = await par(['--max-memory', 'lots', ...prog]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("par: error: --max-memory must be a size such as 512M, 2G or 1073741824 (bytes), got 'lots'");
    const badEnv = await par(prog, { PAR_MAX_MEMORY: '-3' });
    expect(badEnv.code).toBe(2);
    expect(badEnv.stderr).toContain("PAR_MAX_MEMORY must be a size");
    // Fractions and huge sizes: a clear usage error, never a leaked RangeError or 'undefined' units.
    const frac = await par(['--max-memory', '4.1G', ...prog]);
    expect([frac.code, frac.stderr]).toEqual([2, "par: error: --max-memory '4.1G' is 4402341478 bytes, above WebAssembly's limit of 4 GiB (4294967296 bytes)\nTry 'par --help' for more information.\n"]);
    const huge = await par(['--max-memory', '100000000000000000000000', ...prog]);
    expect([huge.code, huge.stderr]).toEqual([2, "par: error: --max-memory '100000000000000000000000' is above WebAssembly's limit of 4 GiB (4294967296 bytes)\nTry 'par --help' for more information.\n"]);
    const fracEnv = await par(prog, { PAR_MAX_MEMORY: '4.1G' });
    expect([fracEnv.code, fracEnv.stderr]).toEqual([2, "par: error: PAR_MAX_MEMORY '4.1G' is 4402341478 bytes, above WebAssembly's limit of 4 GiB (4294967296 bytes)\nTry 'par --help' for more information.\n"]);
    const okFrac = await par(['--max-memory', '1.5G', ...prog], { PAR_MAX_MEMORY: '4294967296.5' });
    expect([okFrac.code, okFrac.stdout]).toEqual([0, '(1000,)\n(20000000,)\n']);
  });
});

describe('bounded memory', () => {
  // Calls work(rounds) of `src` in a fresh Node process and returns the process's peak resident
  // memory and the wasm memory's final size (its peak: it never shrinks), in MiB. The compiled code
  // comes from a cache filled by a first run, so Binaryen (whose own peak varies from run to run)
  // is not loaded in the measured ones.
  const cacheDir = mkdtempSync(join(tmpdir(), 'par-mem-'));
  async function peak(src: string, rounds: number): Promise<{ rss: number; wasm: number; out: number }> {
    const code = `
      const { compile } = await import(${JSON.stringify(`${root}dist/index.js`)});
      const r = await compile(${JSON.stringify(src)}, { threads: 2, cacheDir: ${JSON.stringify(cacheDir)} });
      const out = await r.program.call('work', ${rounds});
      const wasm = r.program.memoryBytes();
      r.program.dispose();
      console.log(JSON.stringify({ rss: process.resourceUsage().maxRSS / 1024, wasm: wasm / 2 ** 20, out }));`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', code]);
    return JSON.parse(stdout) as { rss: number; wasm: number; out: number };
  }

  it('allocating in a loop: the peak does not grow with the number of rounds', async () => {
    // Each round makes 8 MB arrays (a temporary the statement frees, a sorted copy, an array that
    // grows each round and replaces the last one): 300 rounds allocate ~10 GB in all.
    const src = `
def work(rounds: int) -> float:
    x = arange(1000000) * 0.5
    s = 0.0
    for i in range(rounds):
        y = x * 2.0 + 1.0
        s += sum(sort(y[::-1]) * 0.5)
        g = zeros(1000000 + 2000 * i)
        s += g[0] + y[-1]
    return s
`;
    await peak(src, 1);
    const few = await peak(src, 10);
    const many = await peak(src, 300);
    // Each round adds sum(y) * 0.5 + y[-1] with y = 1, 2, ..., 10^6 (NumPy agrees, exactly).
    const round = (1e6 * (1e6 + 1)) / 2 * 0.5 + 1e6;
    expect(few.out).toBe(10 * round);
    expect(many.out).toBe(300 * round);
    // One round needs ~40 MB of arrays; the allocator keeps a few rounds' worth at most.
    expect(many.wasm).toBeLessThan(few.wasm + 64);
    expect(many.wasm).toBeLessThan(160);
    expect(many.rss).toBeLessThan(few.rss + 96);
    console.log(`bounded memory: 10 rounds: wasm ${few.wasm} MiB, peak RSS ${few.rss.toFixed(0)} MiB; 300 rounds: ${many.wasm} MiB, ${many.rss.toFixed(0)} MiB`);
  }, 180_000);

  it('lists and strings made in a loop are freed: the peak does not grow with the number of rounds', async () => {
    // Each round builds a list of 10^5 numbers (grown by append), a comprehension over it, a list
    // of 20 arrays, a list of lists, and strings (f-strings, join, split): ~5 MB per round.
    const src = `
def work(rounds: int) -> float:
    total = 0.0
    for r in range(rounds):
        xs = []
        for i in range(100000):
            xs.append(i % 7)
        ys = [x * 2 for x in xs if x > 3]
        arrs = [arange(1000) + k for k in range(20)]
        grid = [[k, k + 1] for k in range(100)]
        words = " ".join([f"w{k}" for k in range(100)]).split()
        total += len(ys) + len(arrs) + len(grid) + len(words) + int(arrs[19][0]) + grid[99][1]
    return total
`;
    const few = await peak(src, 10);
    const many = await peak(src, 300);
    const round = 42856 + 20 + 100 + 100 + 19 + 100;
    expect(few.out).toBe(10 * round);
    expect(many.out).toBe(300 * round);
    expect(many.wasm).toBeLessThan(few.wasm + 16);
    console.log(`lists, bounded memory: 10 rounds: wasm ${few.wasm} MiB; 300 rounds: ${many.wasm} MiB`);
  }, 180_000);
});
