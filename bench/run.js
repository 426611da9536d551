#!/usr/bin/env node
// The benchmark harness behind `npm run bench`, in two sections:
//  - single thread (bench/serial.js): each kernel in bench/kernels/ as Par (compile() from dist/, one
//    thread), plain JavaScript (node) and C (gcc -O2);
//  - parallel (bench/parallel.js): each kernel in bench/kernels/parallel/ as Par at 1 and N threads
//    and as C + OpenMP (gcc -O3 -fopenmp) at 1 and N threads;
//  - arrays (bench/arrays.js): array-form kernels in bench/kernels/arrays/ as Par, NumPy and C + OpenMP
//    at 1 and N threads.
// Both take the median of the times each program reports for its own kernel (start-up and
// compilation excluded), check that all checksums agree and print tables. A measurement, never a
// pass/fail test.
//
//   node bench/run.js [--runs N] [--quick] [--threads N] [--section single|parallel|arrays|all] [--only name,...]
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { KERNELS, cpuSnapshot, errorMessage, gccVersion, loadPar, otherLoad, rootDir } from './lib.js';
import { parallelSection, selectParallel } from './parallel.js';
import { arraysSection, selectArrays } from './arrays.js';
import { serialSection } from './serial.js';

const USAGE = `usage: node bench/run.js [options]
  --runs N          runs of each implementation (default 7; the median is reported)
  --quick           a fast smoke run: 1 run each, smaller parallel kernels
  --threads N       the team size of the parallel section (default: the number of cores)
  --section S       single, parallel, arrays or all (default all)
  --only a,b        only these kernels (single-thread names, parallel row names such as
                    mandelbrot-static, parallel kernel files such as mandelbrot, array rows
                    such as matmul-1024 or array kernel files such as triad)`;

/** The commit of the Par checkout being measured, and whether its working tree has changes. */
function parRevision() {
  const git = (...args) => spawnSync('git', ['-C', rootDir, ...args], { encoding: 'utf8' });
  const head = git('log', '-1', '--format=%h %s');
  if (head.error || head.status !== 0) return 'unknown (no git)';
  const dirty = git('status', '--porcelain', '--untracked-files=no');
  const subject = head.stdout.trim();
  return `${subject.length > 70 ? `${subject.slice(0, 69)}…` : subject}${dirty.stdout.trim() ? ' + uncommitted changes' : ''} (dist/ as built)`;
}

function parseArgs(argv) {
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  const opts = { runs: 7, runsGiven: false, quick: false, only: null, threads: cores, cores, section: 'all' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--quick') opts.quick = true;
    else if (a === '--runs' || a.startsWith('--runs=')) { opts.runs = Number(value()); opts.runsGiven = true; }
    else if (a === '--threads' || a.startsWith('--threads=')) opts.threads = Number(value());
    else if (a === '--only' || a.startsWith('--only=')) opts.only = value().split(',').map((s) => s.trim()).filter(Boolean);
    else if (a === '--section' || a.startsWith('--section=')) opts.section = value();
    else if (a === '--help' || a === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else throw new Error(`unknown option ${a}\n${USAGE}`);
  }
  if (opts.quick && !opts.runsGiven) opts.runs = 1;
  if (!Number.isInteger(opts.runs) || opts.runs < 1) throw new Error('--runs needs a positive integer');
  if (!Number.isInteger(opts.threads) || opts.threads < 1) throw new Error('--threads needs a positive integer');
  if (!['single', 'parallel', 'arrays', 'all'].includes(opts.section)) throw new Error('--section must be single, parallel, arrays or all');
  if (opts.only) {
    const known = [...KERNELS.map((k) => k.name), ...selectParallel(opts.only).map((k) => k.name), ...selectArrays(opts.only).map((k) => k.name)];
    const unknown = opts.only.filter((o) => !KERNELS.some((k) => k.name === o) && selectParallel([o]).length === 0 && selectArrays([o]).length === 0);
    if (unknown.length || known.length === 0) throw new Error(`no kernel named ${unknown.join(', ')}\n${USAGE}`);
  }
  return opts;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const cpus = os.cpus();
  const gcc = gccVersion();
  const started = Date.now();
  const snap = cpuSnapshot();
  console.log('Par benchmarks (median of reported kernel times; start-up and compilation excluded)');
  console.log(`machine: ${opts.cores} cores, ${cpus[0]?.model?.trim() ?? 'unknown cpu'}, ${os.platform()} ${os.arch()}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`);
  console.log(`load:    ${os.loadavg().map((x) => x.toFixed(2)).join(' ')} (1, 5, 15 min averages at the start)`);
  console.log(`node:    ${process.version}`);
  console.log(`gcc:     ${gcc ?? 'not found'}`);
  console.log(`par:     ${parRevision()}`);
  console.log(`runs:    ${opts.runs} per implementation${opts.quick ? ' (--quick)' : ''}`);
  console.log('');

  const par = await loadPar();
  if (par.error) console.log(`Par: ${par.error}\n`);
  let mismatches = 0;
  if (opts.section === 'all' || opts.section === 'single') mismatches += await serialSection({ runs: opts.runs, only: opts.only, gcc }, par);
  if (opts.section === 'all' || opts.section === 'parallel') mismatches += await parallelSection(opts, par);
  if (opts.section === 'all' || opts.section === 'arrays') mismatches += await arraysSection(opts, par);

  const other = otherLoad(snap, cpuSnapshot(), opts.cores);
  console.log(`done in ${((Date.now() - started) / 1000).toFixed(0)} s; load at the end ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}` +
    (other === null ? '' : `; other processes used ${other.toFixed(2)} cores on average meanwhile`));
  if (mismatches) console.log(`!!! ${mismatches} CHECKSUM MISMATCH(ES): see the messages above !!!`);
}

main().catch((e) => {
  console.error(`bench: ${errorMessage(e)}`);
  process.exit(2);
});
