// A helper for the test files that run whole programs on real worker teams: compile with no
// diagnostics expected, run, dispose, and return what the program printed.
import { expect } from 'vitest';
import { compile } from '../index.js';

export async function runWith(src: string, threads: number, filename = 'test.par'): Promise<string> {
  const r = await compile(src, { filename, threads });
  expect(r.diagnostics.map((d) => r.format(d))).toEqual([]);
  let out = '';
  try {
    await r.program!.run({ stdout: (t) => { out += t; } });
  } finally {
    r.program!.dispose();
  }
  return out;
}
