// What a cached `par run` loads (issue 19): a cache hit must load neither Binaryen nor the front end
// (Chevrotain, the parser, the checker, lowering), only the runtime. `par` runs as a user runs it
// (node bin/par.js, from dist/), under a module-resolution hook that lists every module it loads;
// the first run fills the cache and must load Binaryen, which shows the hook sees it when it is there.
// Also: on Node the worker team starts at the first parallel fork (Note [Lazy team], runtime/team.ts).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { compile, type Program } from '../compiler/driver.js';
import { createOutputBuffer, OutputQueue } from '../runtime/output.js';
import type { Platform, TeamWorkerInit } from '../runtime/platform.js';
import { CTRL } from '../runtime/protocol.js';
import { Team } from '../runtime/team.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const work = mkdtempSync(join(tmpdir(), 'par-startup-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// The hook appends the URL of each module loaded to the file named by PAR_TEST_MODULE_LOG (loaded,
// not resolved: the front end resolves Chevrotain's entry point only to find its one-file build).
writeFileSync(join(work, 'hooks.mjs'), `import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  appendFileSync(process.env.PAR_TEST_MODULE_LOG, url + '\\n');
  return next(url, context);
}
`);
writeFileSync(join(work, 'register.mjs'), `import { register } from 'node:module';
register(${JSON.stringify(pathToFileURL(join(work, 'hooks.mjs')).href)});
`);

/** Runs `par run FILE` and returns its output and the URLs of the modules it loaded. */
function parRun(file: string, n: number, extra: string[] = []): { out: string; modules: string[] } {
  const log = join(work, `modules-${n}.txt`);
  writeFileSync(log, '');
  const r = spawnSync(process.execPath, ['--import', join(work, 'register.mjs'), join(root, 'bin', 'par.js'), 'run', file, ...extra], {
    encoding: 'utf8', env: { ...process.env, PAR_TEST_MODULE_LOG: log, PAR_NO_CACHE: '', PAR_CACHE_DIR: '' }, timeout: 120_000,
  });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return { out: r.stdout, modules: readFileSync(log, 'utf8').split('\n').filter(Boolean) };
}

const loads = (modules: string[], part: string) => modules.some((u) => u.includes(part));

describe('start-up', () => {
  it('a cached run loads neither Binaryen nor the front end', () => {
    const file = join(work, 'one.par');
    writeFileSync(file, 'print(sum(arange(1000) * 2) + 1)\n');
    const miss = parRun(file, 1);
    expect(miss.out).toBe('999001\n');
    // The split copy of Binaryen (scripts/split-binaryen.js) and Chevrotain's one-file build.
    expect(loads(miss.modules, '/dist/binaryen/binaryen.js')).toBe(true);
    expect(loads(miss.modules, '/node_modules/binaryen/')).toBe(false);
    expect(loads(miss.modules, '/node_modules/chevrotain/lib/chevrotain.mjs')).toBe(true);
    expect(miss.modules.filter((u) => /\/node_modules\/(@chevrotain|lodash-es)\/|\/chevrotain\/lib\/src\//.test(u))).toEqual([]);
    expect(loads(miss.modules, '/dist/compiler/pipeline.js')).toBe(true);

    const hit = parRun(file, 2);
    expect(hit.out).toBe('999001\n');
    expect(loads(hit.modules, '/dist/runtime/instance.js')).toBe(true);
    expect(hit.modules.filter((u) => /\/node_modules\/(binaryen|chevrotain|@chevrotain|lodash-es)\/|\/dist\/binaryen\//.test(u))).toEqual([]);
    expect(hit.modules.filter((u) => /\/dist\/(language\/(parse|checker|lexer)|compiler\/(pipeline|emit|binaryen|lower|parallel))/.test(u))).toEqual([]);
  });

  it('--no-cache loads the compiler and gives the same output', () => {
    const file = join(work, 'two.par');
    writeFileSync(file, 'x = arange(10)\nprint(x * 3)\n');
    const r = parRun(file, 3, ['--no-cache']);
    expect(r.out).toBe('[ 0  3  6  9 12 15 18 21 24 27]\n');
    expect(loads(r.modules, '/dist/binaryen/binaryen.js')).toBe(true);
  });
});

describe('lazy team (Note [Lazy team])', () => {
  const timings = (p: Program) => (p as unknown as { timings: string[] }).timings;
  const runOut = async (p: Program) => { let out = ''; await p.run({ stdout: (t) => { out += t; } }); return out; };

  it('a program that never forks never starts its workers', async () => {
    const r = await compile('print(sum(arange(1000) * 2) + 1)\n', { threads: 2, profile: true });
    try {
      expect(await runOut(r.program!)).toBe('999001\n');
      expect(timings(r.program!)[0]).toBe('fork-join round trip: not measured (no parallel loop needed the workers, so they never started)');
    } finally { r.program!.dispose(); }
  });

  it('the first prange starts them; later runs and calls reuse the team', async () => {
    const src = 'def f(n):\n    s = 0\n    for i in prange(n):\n        s += i\n    return s\nprint(f(100000))\n';
    const r = await compile(src, { threads: 2, profile: true });
    try {
      expect(await runOut(r.program!)).toBe('4999950000\n');
      const t = timings(r.program!);
      expect(t[0]).toMatch(/^fork-join round trip: [\d.]+ µs$/);
      expect(t[1]).toMatch(/^line 3 prange: 1 run, 100000 iterations, .*2 threads/);
      expect(await r.program!.call('f', 1000)).toBe(499500n);
      expect(await runOut(r.program!)).toBe('4999950000\n');
    } finally { r.program!.dispose(); }
  });
});

describe('lazy team start-up failure', () => {
  it('a worker that cannot start fails the fork with its message, and every later one, never a hung join', async () => {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    const output = new OutputQueue(createOutputBuffer());
    const i32 = new Int32Array(memory.buffer, 0, CTRL.END / 4);
    let spawned = 0;
    // What runtime/worker.ts does when instantiating fails: the text in the error slot, then the count.
    const spawnNow = (init: TeamWorkerInit) => {
      spawned++;
      new OutputQueue(init.output).setError(-1, `worker ${init.tid} failed to start: no memory`);
      Atomics.add(i32, CTRL.startFailed / 4, 1);
      const ready = Promise.reject(new Error('failed'));
      ready.catch(() => {}); // as platform.ts does: observed by the team
      return { ready, terminate: () => {} };
    };
    const platform: Platform = {
      name: 'node', cpuCount: () => 2, env: () => ({}), mainCanBlock: true, hasWorkers: true,
      spawn: () => { throw new Error('the eager path must not be taken'); }, spawnNow,
    };
    let heap = 1024;
    const fn = () => {};
    const team = Team.start({
      platform, config: { size: 2, spin: 0, schedKind: 0, schedChunk: 0, nested: false },
      module: null as unknown as WebAssembly.Module, memory, output: output.buffer, maxPages: 1, strings: [], sites: [],
      exports: { __worker_main: fn, __worker_ack: fn, __join: fn, __malloc: (n: number) => { const p = heap; heap += n; return p; } } as never,
      lazy: true, readError: () => output.getError().message,
    });
    expect(team.lazy).toBe(true);
    expect(Atomics.load(i32, CTRL.teamUp / 4)).toBe(0);
    await team.ready(); // nothing to wait for before the first fork
    expect(spawned).toBe(0);
    expect(() => team.startNow()).toThrow('worker 1 failed to start: no memory');
    expect(() => team.startNow()).toThrow('worker 1 failed to start: no memory');
    await expect(team.ready()).rejects.toThrow('worker 1 failed to start: no memory');
    expect(spawned).toBe(1);
    expect(Atomics.load(i32, CTRL.teamUp / 4)).toBe(0);
  });
});
