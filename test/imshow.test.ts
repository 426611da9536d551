// imshow(a), the playground's picture builtin, outside the browser: the checker's errors, the
// picture handed to RunOptions.image (row-major, strides followed), the run-time error inside
// parallel code, and `par run` writing a PNG and printing its path.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { compile } from '../index.js';
import type { Picture } from '../runtime/image.js';
import { toRGBA } from '../runtime/image.js';

async function pictures(source: string, threads = 1): Promise<Picture[]> {
  const r = await compile(source, { threads });
  expect(r.diagnostics.map((d) => r.format(d))).toEqual([]);
  const got: Picture[] = [];
  try { await r.program!.run({ stdout: () => {}, image: (p) => got.push(p) }); } finally { r.program!.dispose(); }
  return got;
}

describe('imshow', () => {
  it('hands each 2-d array over as row-major values, following views', async () => {
    const [a, t] = await pictures('a = arange(6).reshape(2, 3)\nimshow(a * 2)\nimshow(a.T[::-1])\n');
    expect([a.width, a.height, [...a.data]]).toEqual([3, 2, [0, 2, 4, 6, 8, 10]]);
    expect([t.width, t.height, [...t.data]]).toEqual([2, 3, [2, 5, 1, 4, 0, 3]]);
  });

  it('rejects what is not a 2-d array at compile time', async () => {
    for (const [src, msg] of [['imshow(zeros(3))', 'imshow() needs a 2-d array, got float64[:]'], ['imshow(1.5)', 'imshow() needs an array'], ['imshow(zeros((2, 2)), cmap="gray")', "unexpected keyword argument 'cmap'"]]) {
      const r = await compile(src + '\n');
      expect(r.program).toBeNull();
      expect(r.diagnostics[0].message).toContain(msg);
    }
  });

  it('is a run-time error inside a parallel loop, reported at the call', async () => {
    const r = await compile('a = zeros((2, 2))\nfor i in prange(4):\n    imshow(a)\n', { threads: 2 });
    const err = await r.program!.run({ stdout: () => {}, image: () => {} }).then(() => null, (e) => e);
    r.program!.dispose();
    expect(err?.formatted).toMatch(/^<input>:3:5: error: RuntimeError: imshow\(\) cannot be called inside a parallel loop or region/);
  });

  it('colours from the minimum to the maximum with viridis, NaN transparent', () => {
    const rgba = toRGBA({ width: 3, height: 1, data: new Float64Array([0, NaN, 1]) });
    expect([...rgba]).toEqual([0x44, 0x01, 0x54, 255, 0, 0, 0, 0, 0xfd, 0xe7, 0x25, 255]);
  });
});

describe('par run with imshow', () => {
  const dir = mkdtempSync(join(tmpdir(), 'par-imshow-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes <script>-<k>.png in the current directory and prints its path on stderr', () => {
    writeFileSync(join(dir, 'pic.par'), 'a = arange(12).reshape(3, 4)\nimshow(a)\nprint("done")\n');
    const bin = new URL('../bin/par.js', import.meta.url).pathname;
    const r = spawnSync(process.execPath, [bin, 'run', '--no-cache', 'pic.par'], { cwd: dir, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('done\n');
    expect(r.stderr).toBe('par: imshow: wrote pic-1.png\n');
    const png = readFileSync(join(dir, 'pic-1.png'));
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect([png.readUInt32BE(16), png.readUInt32BE(20), png[24], png[25]]).toEqual([4, 3, 8, 6]); // 4 x 3, 8-bit RGBA
    const idat = png.subarray(png.indexOf('IDAT') + 4, png.indexOf('IEND') - 8);
    const raw = inflateSync(idat);
    expect(raw.length).toBe(3 * (1 + 4 * 4));
    expect([...raw.subarray(1, 5)]).toEqual([0x44, 0x01, 0x54, 255]); // the minimum, viridis' first colour
    expect([...raw.subarray(raw.length - 4)]).toEqual([0xfd, 0xe7, 0x25, 255]); // the maximum, its last
  });
});
