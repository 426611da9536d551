#!/usr/bin/env node
// `npm run bench:cluster`: what cluster mode costs and gains on this machine. A pmap of 1000 tasks
// of about 10 ms each (bench/kernels/cluster/pmap.par times its own pmap with wtime(), so start-up,
// compilation and connecting are excluded) runs locally on 1 thread and on the whole team, then
// with --cluster over 1, 2 and 3 local `par worker` processes (one thread each) on a private
// redis-server; and once more on 1 worker with one chunk job per task, which gives the per-job
// overhead: (time - local 1-thread time) / jobs (the coordinator's 1/64 sample counted as local).
// On a busy machine that difference drowns in noise, so the overheads are also measured directly
// with empty tasks (WORK = 1): a loop of 16 chunk jobs (the cost of one distributed loop) and a
// loop of one job per task (time / jobs). Medians of --runs runs; every run's checksum must
// agree. A measurement, never a pass/fail test. Needs redis-server (Debian's redis-server package).
//
//   node bench/cluster.js [--runs N] [--tasks N]
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { cpuSnapshot, otherLoad, rootDir } from './lib.js';

const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? Number(args[i + 1]) : dflt; };
const RUNS = opt('--runs', 3);
const TASKS = opt('--tasks', 1000);
const bin = join(rootDir, 'bin', 'par.js');
const work = mkdtempSync(join(os.tmpdir(), 'par-bench-cluster-'));
const children = new Set();
const killAll = () => { for (const c of children) c.kill('SIGKILL'); };
process.on('exit', () => { killAll(); rmSync(work, { recursive: true, force: true }); });
process.on('SIGINT', () => process.exit(130));

if (spawnSync('redis-server', ['--version']).status !== 0) {
  console.error('bench:cluster needs redis-server (apt-get install redis-server)');
  process.exit(2);
}

const source = readFileSync(join(rootDir, 'bench', 'kernels', 'cluster', 'pmap.par'), 'utf8').replace(/^TASKS = \d+$/m, `TASKS = ${TASKS}`);
const file = join(work, 'pmap.par');
writeFileSync(file, source);
const emptyFile = join(work, 'empty.par');
writeFileSync(emptyFile, source.replace(/^WORK = \d+$/m, 'WORK = 1'));

const freePort = () => new Promise((res) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); }); });

function start(cmd, argv, env = {}) {
  const proc = spawn(cmd, argv, { cwd: work, env: { ...process.env, PAR_CACHE_DIR: join(work, 'cache'), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(proc);
  const c = { proc, out: '', err: '', done: new Promise((res) => proc.on('exit', (code) => { children.delete(proc); res(code); })) };
  proc.stdout.setEncoding('utf8').on('data', (s) => { c.out += s; });
  proc.stderr.setEncoding('utf8').on('data', (s) => { c.err += s; });
  return c;
}
const until = async (cond, ms, what) => {
  const t0 = Date.now();
  while (!cond()) { if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`); await new Promise((r) => setTimeout(r, 50)); }
};

/** One run: the pmap's own time (s) and the checksum it prints. */
async function run(extra, env = {}, script = file) {
  const c = start(process.execPath, [bin, 'run', script, ...extra], env);
  const code = await c.done;
  const m = /^time (\S+) checksum (\S+)$/m.exec(c.out);
  if (code !== 0 || !m) throw new Error(`run failed (exit ${code}): ${c.err.trim()}`);
  return { time: Number(m[1]), checksum: m[2] };
}
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

const port = await freePort();
const secret = Math.random().toString(36).slice(2);
const url = `redis://par:${secret}@127.0.0.1:${port}`;
const redis = start('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
  '--user', 'par', 'on', `>${secret}`, '~par:*', '&par:*', '+@all', '-@dangerous', '+info', '+client|setname', '+client|getname']);
await until(() => /Ready to accept connections/.test(redis.out), 10000, 'redis-server');

const rows = [];
const checksums = new Set();
async function measure(label, extra, env, jobs, script = file) {
  const times = [];
  for (let r = 0; r < RUNS; r++) { const x = await run(extra, env, script); times.push(x.time); if (script === file) checksums.add(x.checksum); }
  rows.push({ label, time: median(times), jobs, empty: script !== file });
  process.stderr.write(`${label}: ${median(times).toFixed(3)} s\n`);
}

await run(['--threads', '1']); // compiles into the cache
const cpu0 = cpuSnapshot();
await measure('local, 1 thread', ['--threads', '1'], {}, 0);
await measure(`local, ${os.availableParallelism()} threads`, [], {}, 0);
// The coordinator runs 1/64 of the loop itself first (Note [Cluster cost model] in runtime/cluster/coordinator.ts).
const sample = Math.max(1, Math.floor(TASKS / 64));
const workers = [];
for (let w = 1; w <= 3; w++) {
  const c = start(process.execPath, [bin, 'worker', '--redis', url, '--threads', '1']);
  workers.push(c);
  await until(() => /connected to/.test(c.err), 20000, 'a worker');
  await measure(`cluster, ${w} worker${w > 1 ? 's' : ''} x 1 thread`, ['--cluster', url], {}, Math.min(TASKS - sample, Math.max(16, 4 * w)));
  if (w === 1) {
    await measure('cluster, 1 worker, one job per task', ['--cluster', url], { PAR_CLUSTER_CHUNKS: String(TASKS) }, TASKS - sample);
    await run(['--threads', '1'], {}, emptyFile); // compiles into the cache
    await measure('empty tasks: one loop of 16 chunk jobs, 1 worker', ['--cluster', url], { PAR_CLUSTER_MIN_MS: '0' }, 16, emptyFile);
    await measure('empty tasks: one job per task, 1 worker', ['--cluster', url], { PAR_CLUSTER_MIN_MS: '0', PAR_CLUSTER_CHUNKS: String(TASKS) }, TASKS - sample, emptyFile);
  }
}
for (const c of workers) c.proc.kill('SIGTERM');
await Promise.all(workers.map((c) => c.done));
redis.proc.kill('SIGTERM');
await redis.done;
const load = otherLoad(cpu0, cpuSnapshot(), os.availableParallelism());

const base = rows[0].time;
console.log(`\npmap of ${TASKS} tasks (${(base / TASKS * 1000).toFixed(1)} ms each on 1 thread), medians of ${RUNS} runs; ${os.availableParallelism()} cores, ${os.cpus()[0]?.model ?? ''}`);
console.log(`checksums ${checksums.size === 1 ? 'agree' : `DIFFER: ${[...checksums].join(' ')}`}; other processes used ${load === null ? 'n/a' : load.toFixed(2)} cores meanwhile\n`);
console.log('| run | time | speedup vs 1 thread | chunk jobs | overhead per job |');
console.log('| --- | --- | --- | --- | --- |');
for (const r of rows) {
  const over = r.empty ? `${((r.time / r.jobs) * 1000).toFixed(2)} ms` : r.jobs && r.label.includes('1 worker') ? `${(((r.time - base) / r.jobs) * 1000).toFixed(2)} ms` : '';
  console.log(`| ${r.label} | ${r.time.toFixed(3)} s | ${r.empty ? '' : `${(base / r.time).toFixed(2)}x`} | ${r.jobs || ''} | ${over} |`);
}
killAll();
process.exit(checksums.size === 1 ? 0 : 1);
