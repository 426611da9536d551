#!/usr/bin/env node
// Start-up benchmark (`npm run bench:startup`): how long a one-line script takes from the command
// to its printed result, and the process's peak RSS, for `par run` with a warm cache, `par run
// --no-cache`, `par -e`, the compile() API in a fresh process (cached and not), and python3 + NumPy
// printing the same value. Each row runs in a fresh process, `--runs` times (default 20), in turn
// with the other rows; the table gives medians and the min-max spread. Printed, never asserted.
//
// Wall time and peak RSS are measured around the child by a small python3 wrapper (`getrusage` of
// its waited-for children), so neither includes the measuring process's own start-up.
//
//   node bench/startup.js [--runs N] [--threads N] [--baseline DIR]
//
// --baseline DIR: also run the par rows from another built checkout (DIR/bin/par.js, DIR/dist), in
// turn with this one's, for before/after figures taken under the same load.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { rootDir, median } from './lib.js';
import { printTable } from './table.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '20' }, threads: { type: 'string' }, baseline: { type: 'string' } } });
const runs = Number(values.runs);
const SCRIPT = 'print(sum(arange(1000) * 2) + 1)';
const EXPECTED = '999001';

const work = mkdtempSync(join(os.tmpdir(), 'par-startup-'));
// The compile() API in a fresh process, as an embedding program would start.
function apiScript(root, tag) {
  const file = join(work, `api${tag}.mjs`);
  writeFileSync(file, `import { compile } from ${JSON.stringify(join(root, 'dist/index.js'))};
const cacheDir = process.argv[2] === 'cache' ? ${JSON.stringify(join(work, `api-cache${tag}`))} : false;
const r = await compile(${JSON.stringify(SCRIPT)}, { cacheDir });
await r.program.run();
r.program.dispose();
`);
  return file;
}

/** The par rows for the checkout at `root`; `tag` marks a baseline's rows (and keeps its caches apart). */
function parRows(root, tag) {
  const par = join(root, 'bin/par.js');
  const file = join(work, `one${tag}.par`);
  writeFileSync(file, SCRIPT + '\n');
  const api = apiScript(root, tag);
  const name = (n) => tag ? `${n} [baseline]` : n;
  return [
    { name: name('par run FILE (cached)'), cmd: ['node', par, 'run', file] },
    { name: name('par run FILE --no-cache'), cmd: ['node', par, 'run', '--no-cache', file] },
    // -e caches under XDG_CACHE_HOME: a separate one per checkout.
    { name: name('par -e CODE (cached)'), cmd: ['node', par, '-e', SCRIPT], env: { XDG_CACHE_HOME: join(work, `xdg${tag}`) } },
    { name: name('compile() API, cacheDir (cached)'), cmd: ['node', api, 'cache'] },
    { name: name('compile() API, no cacheDir'), cmd: ['node', api, 'none'] },
  ];
}

const env = { ...process.env, XDG_CACHE_HOME: join(work, 'xdg'), PAR_CACHE_DIR: '' };
delete env.PAR_CACHE_DIR;
delete env.PAR_NO_CACHE;
if (values.threads) env.PAR_NUM_THREADS = values.threads;

const py = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' });
const ours = parRows(rootDir, '');
const base = values.baseline ? parRows(values.baseline, '-base') : [];
const rows = [
  ...ours.flatMap((r, i) => (base[i] ? [r, base[i]] : [r])),
  ...(py.status === 0
    ? [{ name: 'python3 + NumPy -c', cmd: ['python3', '-c', 'import numpy as np; print(np.sum(np.arange(1000)*2)+1)'] }]
    : []),
  { name: 'node -e "" (Node alone)', cmd: ['node', '-e', ''], noOutput: true },
];

// Wall time (ms) and the child's peak RSS (KiB) in one line of JSON.
const WRAPPER = `
import json, resource, subprocess, sys, time
t0 = time.perf_counter()
p = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
ms = (time.perf_counter() - t0) * 1000
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"ms": ms, "rss": ru.ru_maxrss, "code": p.returncode, "out": p.stdout.decode(), "err": p.stderr.decode()}))
`;

function measure(row) {
  const r = spawnSync('python3', ['-c', WRAPPER, ...row.cmd], { encoding: 'utf8', env: { ...env, ...row.env }, cwd: work });
  if (r.status !== 0) throw new Error(`the measuring wrapper failed: ${r.stderr}`);
  const m = JSON.parse(r.stdout);
  if (m.code !== 0 || (!row.noOutput && m.out.trim() !== EXPECTED)) {
    throw new Error(`${row.name} printed ${JSON.stringify(m.out)} (exit ${m.code}), expected ${EXPECTED}:\n${m.err}`);
  }
  return m;
}

// Warm the caches (par's compiled-code cache, the OS's file cache), then alternate the rows.
for (const row of rows) measure(row);
const results = new Map(rows.map((r) => [r, []]));
for (let i = 0; i < runs; i++) for (const row of rows) results.get(row).push(measure(row));

console.log(`${os.cpus().length} cores, load average ${os.loadavg()[0].toFixed(1)} at the end; ${runs} runs each, medians; Node ${process.version}`);
console.log(`script: ${SCRIPT}\n`);
const pyMs = median(results.get(rows.find((r) => r.name.startsWith('python3')) ?? rows[0]).map((m) => m.ms));
printTable(['command', 'wall', 'min-max', 'vs python3', 'peak RSS'], rows.map((row) => {
  const ms = results.get(row).map((m) => m.ms);
  const rss = results.get(row).map((m) => m.rss);
  return [
    row.name,
    `${median(ms).toFixed(0)} ms`,
    `${Math.min(...ms).toFixed(0)}-${Math.max(...ms).toFixed(0)} ms`,
    `${(median(ms) / pyMs).toFixed(2)}x`,
    `${(median(rss) / 1024).toFixed(0)} MB`,
  ];
}), [1, 2, 3, 4]);
rmSync(work, { recursive: true, force: true });
