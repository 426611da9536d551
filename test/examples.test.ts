// The examples a newcomer runs first: each must print the checksums recorded beside it (computed
// by CPython + NumPy), to rounding; the `time:` line is left out.
import { describe, it, expect } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { compile } from '../index.js';

const dir = new URL('../examples/', import.meta.url);
const examples = readdirSync(dir).filter((f) => f.endsWith('.par')).sort();

function numbersClose(got: string, want: string): boolean {
  const tok = (s: string) => s.trim().split(/\s+/);
  const a = tok(got), b = tok(want);
  return a.length === b.length && a.every((x, i) => {
    const [p, q] = [Number(x), Number(b[i])];
    if (Number.isNaN(p) || Number.isNaN(q)) return x === b[i];
    return p === q || Math.abs(p - q) <= 1e-9 * Math.max(Math.abs(p), Math.abs(q));
  });
}

describe('examples', () => {
  it('has the four the README promises', () => {
    expect(examples).toEqual(expect.arrayContaining(['blackscholes.par', 'heat.par', 'mandelbrot.par', 'nbody.par']));
  });
  it.each(examples)('%s prints its expected checksums', async (name) => {
    const r = await compile(readFileSync(new URL(name, dir), 'utf8'), { filename: `examples/${name}` });
    expect(r.diagnostics.map((d) => r.format(d))).toEqual([]);
    let out = '';
    await r.program!.run({ stdout: (t) => { out += t; } });
    const got = out.split('\n').filter((l) => !l.startsWith('time:')).join('\n');
    const want = readFileSync(new URL(name.replace(/\.par$/, '.expected'), dir), 'utf8');
    expect(numbersClose(got, want), `got:\n${got}\nwant:\n${want}`).toBe(true);
  });
});
