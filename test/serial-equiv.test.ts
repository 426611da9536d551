// `par check --serial-equiv`: runs a program on a team and on one thread and reports the first
// difference (seeded here: a loop-carried dependence, a team-dependent count), or that there is none.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dir = mkdtempSync(path.join(tmpdir(), 'par-serial-equiv-'));
function check(name: string, src: string, ...args: string[]) {
  const file = path.join(dir, name);
  writeFileSync(file, src);
  return spawnSync(process.execPath, [path.join(ROOT, 'bin/par.js'), 'check', '--serial-equiv', file, '--threads', '3', ...args], { encoding: 'utf8', timeout: 120_000 });
}

describe('par check --serial-equiv', () => {
  it('passes a deterministic parallel program (atomics, reductions, regions)', () => {
    const r = check('ok.par', [
      'h = zeros(4, dtype=int64)', 'for i in prange(100000):', '    atomic_add(h, i % 4, 1)', 'print(h)',
      's = 0.0', 'for i in prange(100000):', '    s += i * 0.5', 'print(s)',
      'a = zeros(100)', 'with parallel() as p:', '    for i in p.range(0, 100, 1):', '        a[i] = i', 'print(a.sum())', '',
    ].join('\n'));
    expect(r.stdout).toMatch(/serial-equiv: the same output \(3 lines\) and ending on 3 threads and on 1/);
    expect(r.status).toBe(0);
  });

  it('reports a count that depends on the team size, with the first differing line', () => {
    const r = check('team.par', 'c = zeros(1, dtype=int64)\nprint("start")\nwith parallel() as p:\n    with p.lock:\n        c[0] += 1\nprint(c)\n');
    expect(r.stderr).toMatch(/team\.par: serial-equiv: output line 2 differs: "\[3\]" on 3 threads, "\[1\]" on 1 thread/);
    expect(r.status).toBe(1);
  });

  it('reports a seeded race (iteration i reads what iteration i - 1 writes) in at least one of three runs', () => {
    // A race shows only when the threads overlap, which a loaded machine may prevent now and then.
    const src = 'a = zeros(300000)\nfor i in prange(1, 300000, schedule="static"):\n    a[i] = a[i - 1] + 1.0\nprint(a[-1])\n';
    const runs = [];
    for (let k = 0; k < 3; k++) {
      const r = check('race.par', src);
      runs.push(r);
      if (r.status === 1) break;
    }
    const found = runs.find((r) => r.status === 1);
    expect(found?.stderr).toMatch(/serial-equiv: output line 1 differs: "\d+\.0" on 3 threads, "299999\.0" on 1 thread/);
  }, 280_000);

  it('compares how the runs end, not only what they print', () => {
    const r = check('err.par', 'a = zeros(3)\nwith parallel() as p:\n    if p.num_threads > 1:\n        a[5] = 1.0\nprint("done")\n');
    expect(r.stderr).toMatch(/serial-equiv: (output line 1 differs|the runs end differently)/);
    expect(r.status).toBe(1);
  });

  it('is a usage error on par run', () => {
    const file = path.join(dir, 'u.par');
    writeFileSync(file, 'print(1)\n');
    const r = spawnSync(process.execPath, [path.join(ROOT, 'bin/par.js'), 'run', '--serial-equiv', file], { encoding: 'utf8' });
    expect(r.stderr).toMatch(/--serial-equiv applies to 'par check'/);
    expect(r.status).toBe(2);
  });
});
