// Data in and out (np.save/np.load/np.savetxt/np.loadtxt) where the program tests cannot look: the
// files themselves. The CLI resolves paths against the script's directory and writes atomically
// (nothing written, nothing clobbered, when the call fails); np.save's bytes are NumPy's; compile()
// takes the files as a directory or as read/write functions, and says so when it has none.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { compile, ParError } from '../index.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'par.js');
const fixtures = join(root, 'test', 'programs', 'data');
const work = mkdtempSync(join(tmpdir(), 'par-files-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function par(dir: string, name: string, text: string) {
  writeFileSync(join(dir, name), text);
  // Run from another directory: the paths in the program are the script's.
  return spawnSync('node', [bin, 'run', '--no-cache', join(dir, name)], { cwd: tmpdir(), encoding: 'utf8' });
}

describe('files through the CLI', () => {
  it('reads and writes relative to the script, with the bytes NumPy writes', () => {
    const dir = mkdtempSync(join(work, 'cli-'));
    writeFileSync(join(dir, 'in.npy'), readFileSync(join(fixtures, 'samples_f8.npy')));
    const r = par(dir, 'copy.par', "import numpy as np\na: float64[:, :] = np.load('in.npy')\nnp.save('out', a)\nnp.savetxt('out.txt', a[:2])\nprint(a.shape)\n");
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('(4, 3)\n');
    // np.save adds .npy; the copy is byte for byte the file NumPy wrote.
    expect(Buffer.compare(readFileSync(join(dir, 'out.npy')), readFileSync(join(fixtures, 'samples_f8.npy')))).toBe(0);
    expect(readFileSync(join(dir, 'out.txt'), 'utf8').split('\n')[0]).toBe('1.229999999999999974e-03 2.987460000000000115e-01 -2.741379999999999928e-01') // NumPy's text;
    expect(readdirSync(dir).sort()).toEqual(['copy.par', 'in.npy', 'out.npy', 'out.txt']);
  });

  it('writes nothing, and leaves the old file, when the call fails', () => {
    const dir = mkdtempSync(join(work, 'atomic-'));
    writeFileSync(join(dir, 'keep.txt'), 'old\n');
    // Three columns, two formats: NumPy's ValueError before anything is written.
    const r = par(dir, 'bad.par', "import numpy as np\nnp.savetxt('keep.txt', np.ones((2, 3)), fmt='%d %d')\n");
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("bad.par:2:1: error: ValueError: fmt has wrong number of % formats:  %d %d");
    expect(readFileSync(join(dir, 'keep.txt'), 'utf8')).toBe('old\n');
    const r2 = par(dir, 'bad2.par', "import numpy as np\nnp.savetxt('new.txt', np.array(['x']) if False else np.ones(2), fmt='%s %q')\n");
    expect(r2.status).not.toBe(0);
    expect(existsSync(join(dir, 'new.txt'))).toBe(false);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('reports a missing file as Python does, with the line', () => {
    const dir = mkdtempSync(join(work, 'missing-'));
    const r = par(dir, 'miss.par', "import numpy as np\nx = np.loadtxt('nope.txt')\n");
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('miss.par:2:5: error: FileNotFoundError: nope.txt not found.');
    expect(r.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  });
});

describe('files through compile()', () => {
  const source = "import numpy as np\nnp.save('a.npy', np.arange(3.0))\nb: float64[:] = np.load('a.npy')\nprint(b * 2)\n";

  it('uses read/write functions with the paths as written', async () => {
    const store = new Map<string, Uint8Array>();
    const r = await compile(source);
    let out = '';
    await r.program!.run({ stdout: (t) => { out += t; }, files: { read: (p) => { const b = store.get(p); if (!b) throw Object.assign(new Error(p), { code: 'ENOENT' }); return b; }, write: (p, b) => { store.set(p, b); } } });
    expect(out).toBe('[0. 2. 4.]\n');
    expect([...store.keys()]).toEqual(['a.npy']);
    r.program!.dispose();
  });

  it('takes a directory', async () => {
    const dir = mkdtempSync(join(work, 'api-'));
    const r = await compile(source);
    let out = '';
    await r.program!.run({ stdout: (t) => { out += t; }, files: dir });
    expect(out).toBe('[0. 2. 4.]\n');
    expect(existsSync(join(dir, 'a.npy'))).toBe(true);
    r.program!.dispose();
  });

  it('stops with a clear error when it has no files', async () => {
    const r = await compile(source, { filename: 'nofiles.par' });
    const err = await r.program!.run({ stdout: () => {} }).then(() => null, (e) => e);
    r.program!.dispose();
    expect(err).toBeInstanceOf(ParError);
    expect((err as ParError).formatted).toContain('nofiles.par:2:1: error: RuntimeError: this program has no files to read or write');
  });
});
