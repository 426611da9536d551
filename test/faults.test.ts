// Fault injection (issue 17): a worker thread killed from outside is reported and the team rebuilt
// (the next call works); compile/run/dispose cycles and many parallel regions in one process leak
// no threads, file descriptors or memory (test/faults/soak.js, in a child process under
// --expose-gc, which Par must also survive); 20 compile() calls at once in one process.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile } from '../index.js';
import { currentPlatform, type TeamWorker } from '../runtime/platform.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

describe('a worker killed from outside', () => {
  it('is reported at the next call, the team is rebuilt, and the call after works', async () => {
    const platform = currentPlatform();
    const spawned: TeamWorker[] = [];
    // On Node every worker starts through spawnNow (the lazy team's first fork calls it, and spawn,
    // which a rebuilt team uses, calls it too); elsewhere through spawn.
    const spawn = platform.spawn, spawnNow = platform.spawnNow;
    if (spawnNow) platform.spawnNow = (init) => { const w = spawnNow.call(platform, init); spawned.push(w); return w; };
    else platform.spawn = async (init) => { const w = await spawn.call(platform, init); spawned.push(w); return w; };
    try {
      const src = 'def f(n: int) -> int:\n    s = 0\n    for i in prange(n, num_threads=3):\n        s += i\n    return s\n';
      const r = await compile(src, { threads: 3 });
      const p = r.program!;
      try {
        expect(await p.call('f', 1000n)).toBe(499500n);
        expect(spawned.length).toBe(2);
        await spawned[1].terminate();
        await new Promise((res) => setTimeout(res, 100)); // the exit event reaches this thread
        await expect(p.call('f', 1000n)).rejects.toThrow(/worker thread 2 of this program stopped unexpectedly .*restarted/);
        expect(spawned.length).toBe(4); // a new team of two workers
        for (let k = 0; k < 3; k++) expect(await p.call('f', 2000n + BigInt(k))).toBe(((2000n + BigInt(k)) * (1999n + BigInt(k))) / 2n);
        let out = '';
        const again = await compile('a = zeros(4)\nfor i in prange(4, num_threads=3):\n    a[i] = i\nprint(a.sum())\n', { threads: 3 });
        await again.program!.run({ stdout: (t) => { out += t; } });
        again.program!.dispose();
        expect(out).toBe('6.0\n');
      } finally {
        p.dispose();
      }
    } finally {
      platform.spawn = spawn;
      platform.spawnNow = spawnNow;
    }
  });
});

describe('a worker that dies during a parallel loop', () => {
  it('stops the loop with an error naming the thread and the loop, and the next call works', async () => {
    const platform = currentPlatform();
    const spawned: TeamWorker[] = [];
    let inject = true;
    // Worker 2 of the first team ends its thread at its first chunk (runtime/worker.ts, init.fault).
    const spawn = platform.spawn, spawnNow = platform.spawnNow;
    const faulty = <T extends { tid: number }>(init: T) => (inject && init.tid === 2 ? { ...init, fault: 'exit-in-loop' as const } : init);
    if (spawnNow) platform.spawnNow = (init) => { const w = spawnNow.call(platform, faulty(init)); spawned.push(w); return w; };
    else platform.spawn = async (init) => { const w = await spawn.call(platform, faulty(init)); spawned.push(w); return w; };
    try {
      const src = 'def f(n: int) -> float:\n    s = 0.0\n    for i in prange(n, num_threads=3, schedule="static"):\n        s += i * 0.5\n    return s\n';
      const r = await compile(src, { threads: 3, trace: true, filename: 'lost.par' });
      const p = r.program!;
      try {
        const e = await p.call('f', 300000n).then(() => null, (x: unknown) => x) as Error & { formatted?: string };
        expect(e?.formatted).toMatch(/^lost\.par:3:5: error: RuntimeError: worker thread 2 of this program stopped during the parallel loop; its team of 3 threads will be restarted, so the next run will work\n {2}    for i in prange/);
        inject = false;
        expect(spawned.length).toBe(2);
        for (let k = 0; k < 3; k++) expect(await p.call('f', 1000n + BigInt(k))).toBe(((999 + k) * (1000 + k)) / 4);
        expect(spawned.length).toBe(4); // the team was rebuilt: two new workers
      } finally {
        p.dispose();
      }
    } finally {
      platform.spawn = spawn;
      platform.spawnNow = spawnNow;
    }
  }, 60_000);
});

describe('no leaks', () => {
  it('keeps threads, descriptors and memory bounded over compile/run/dispose cycles and parallel regions', () => {
    const cycles = Number(process.env.PAR_SOAK_CYCLES ?? 40), regions = Number(process.env.PAR_SOAK_REGIONS ?? 20000);
    const r = spawnSync(process.execPath, ['--expose-gc', path.join(ROOT, 'test/faults/soak.js'), `cycles=${cycles}`, `regions=${regions}`, 'threads=3'], { encoding: 'utf8', timeout: 280_000 });
    expect(r.status, r.stderr).toBe(0);
    const m = JSON.parse(r.stdout.trim().split('\n').pop()!);
    // Every program's workers are gone once it is disposed: no thread or descriptor outlives it.
    expect(m.end.threads).toBeLessThanOrEqual(m.warm.threads);
    expect(m.end.fds).toBeLessThanOrEqual(m.warm.fds);
    expect(m.afterCycles.threads).toBeLessThanOrEqual(m.warm.threads + 2); // the last program's workers may still be stopping
    expect(m.end.handles).toBeLessThanOrEqual(m.start.handles + 1);
    // Memory: after warm-up (a tenth of the cycles), the rest add at most a quarter.
    expect(m.afterCycles.rssMB).toBeLessThan(m.warm.rssMB * 1.25 + 32);
    expect(m.end.rssMB).toBeLessThan(m.warm.rssMB * 1.25 + 32);
  }, 300_000);
});

describe('concurrent compile()', () => {
  it('compiles and runs 20 programs at once in one process, each with its own output', async () => {
    const programs = Array.from({ length: 20 }, (_, k) =>
      `a = arange(${1000 + k}) * ${k + 1}\ns = 0\nfor i in prange(len(a)):\n    s += a[i] % 7\nprint(${k}, s, a.sum())\n`);
    const expected = programs.map((_, k) => {
      const n = 1000 + k;
      let s = 0, sum = 0;
      for (let i = 0; i < n; i++) { s += (i * (k + 1)) % 7; sum += i * (k + 1); }
      return `${k} ${s} ${sum}\n`;
    });
    const results = await Promise.all(programs.map((src, k) => compile(src, { threads: 1 + (k % 3), filename: `p${k}.par` })));
    const outputs = await Promise.all(results.map(async (r) => {
      let out = '';
      try { await r.program!.run({ stdout: (t) => { out += t; } }); } finally { r.program!.dispose(); }
      return out;
    }));
    expect(outputs).toEqual(expected);
  }, 300_000);
});
