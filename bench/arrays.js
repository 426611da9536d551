// The arrays section of `npm run bench`: whole-array kernels written in array form
// (bench/kernels/arrays/*.par) run as Par at 1 and N threads, as NumPy (the same .par file under
// CPython + NumPy through test/oracle/run.py, BLAS limited to 1 and N threads) and as C + OpenMP
// twins (gcc -O3 -fopenmp -ffp-contract=off, no -march: the baseline x86-64 SSE2 that wasm's 128-bit
// SIMD matches) at 1 and N threads. The table shows the medians of the kernel times the programs
// report, a rate (GB/s, GFLOP/s, ...) for Par at N threads, and ratios against NumPy and C at equal
// threads. A measurement, never a pass/fail test.
import { join } from 'node:path';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import {
  buildOmp, compareChecksums, compilePar, cpuSnapshot, errorMessage, kernelDir, median, ompProbe, otherLoad, outDir,
  runOmp, runParProgram, runProcess, withParams, rootDir,
  runInTurn,
} from './lib.js';
import { printTable } from './table.js';

const arraysDir = join(kernelDir, 'arrays');

/**
 * The rows. `file` names bench/kernels/arrays/<file>.par; `c` the C twin (relative to
 * bench/kernels); `params` are the size variables at the top of the .par file and the C program's
 * arguments; `rate(sizes, seconds)` the figure of merit of a run.
 */
export const ARRAY_KERNELS = [
  { name: 'triad', file: 'triad', c: 'arrays/triad.c', params: ['n', 'reps'], sizes: [10000000, 20], quick: [2000000, 5],
    rate: ([n, reps], t) => `${(24 * n * reps / t / 1e9).toFixed(1)} GB/s` },
  { name: 'sum', file: 'sum', c: 'arrays/sum.c', params: ['n', 'reps'], sizes: [10000000, 40], quick: [2000000, 10],
    rate: ([n, reps], t) => `${(8 * n * reps / t / 1e9).toFixed(1)} GB/s` },
  { name: 'dot', file: 'dot', c: 'arrays/dot.c', params: ['n', 'reps'], sizes: [10000000, 30], quick: [2000000, 8],
    rate: ([n, reps], t) => `${(16 * n * reps / t / 1e9).toFixed(1)} GB/s` },
  { name: 'black-scholes', file: 'blackscholes', c: 'arrays/blackscholes.c', params: ['n', 'reps'], sizes: [10000000, 3], quick: [1000000, 1],
    rate: ([n, reps], t) => `${(n * reps / t / 1e6).toFixed(1)} Mopt/s` },
  // The slice-form stencil computes what the loop-form parallel kernel computes: same C twin.
  { name: 'jacobi (slices)', file: 'jacobi', c: 'parallel/jacobi.c', params: ['n', 'sweeps'], sizes: [1000, 200], quick: [1000, 40],
    rate: ([n, sweeps], t) => `${((n - 2) ** 2 * sweeps / t / 1e6).toFixed(0)} Mpt/s` },
  // C: the i-k-j loop (-DIKJ; vectorized by gcc), the usual first optimization of the naive loop.
  { name: 'matmul 512', file: 'matmul', c: 'arrays/matmul.c', defines: ['IKJ'], params: ['n', 'reps'], sizes: [512, 8], quick: [512, 2],
    rate: ([n, reps], t) => `${(2 * n ** 3 * reps / t / 1e9).toFixed(2)} GFLOP/s` },
  { name: 'matmul 1024', file: 'matmul', c: 'arrays/matmul.c', defines: ['IKJ'], params: ['n', 'reps'], sizes: [1024, 2], quick: [1024, 1],
    rate: ([n, reps], t) => `${(2 * n ** 3 * reps / t / 1e9).toFixed(2)} GFLOP/s` },
  // The issue's "naive C": the textbook i-j-k triple loop (a dot product per element), at n = 512 and 1000.
  { name: 'matmul 512 vs i-j-k', file: 'matmul', c: 'arrays/matmul.c', defines: [], params: ['n', 'reps'], sizes: [512, 8], quick: [512, 2],
    rate: ([n, reps], t) => `${(2 * n ** 3 * reps / t / 1e9).toFixed(2)} GFLOP/s` },
  { name: 'matmul 1000 vs i-j-k', file: 'matmul', c: 'arrays/matmul.c', defines: [], params: ['n', 'reps'], sizes: [1000, 2], quick: [1000, 1],
    rate: ([n, reps], t) => `${(2 * n ** 3 * reps / t / 1e9).toFixed(2)} GFLOP/s` },
];

const IMPLS = ['par1', 'parN', 'np1', 'npN', 'c1', 'cN'];

export function selectArrays(only) {
  if (!only) return ARRAY_KERNELS;
  const norm = (s) => s.toLowerCase().replace(/[\s_()]+/g, '-').replace(/-+$/, '');
  return ARRAY_KERNELS.filter((k) => only.some((o) => norm(o) === norm(k.name) || norm(o) === k.file || norm(o) === 'arrays'));
}

/** NumPy with its BLAS (OpenBLAS, MKL or a reference one) limited to `threads`. */
function runNumpy(file, threads) {
  const env = Object.fromEntries(['OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS', 'BLIS_NUM_THREADS'].map((v) => [v, String(threads)]));
  return runProcess('python3', [join(rootDir, 'test', 'oracle', 'run.py'), file], 600_000, env);
}

async function measureRow(k, ctx) {
  const sizes = ctx.quick ? k.quick : k.sizes;
  const m = Object.fromEntries(IMPLS.map((i) => [i, { results: [] }]));
  const programs = {};
  const before = cpuSnapshot();
  const src = withParams(readFileSync(join(arraysDir, `${k.file}.par`), 'utf8'), k, sizes);
  // NumPy runs the same source, with the sizes of this row, from a file.
  mkdirSync(join(outDir, 'arrays'), { recursive: true });
  const pyFile = join(outDir, 'arrays', `${k.file}-${sizes.join('-')}.par`);
  writeFileSync(pyFile, src);
  try {
    for (const [impl, threads] of [['par1', 1], ['parN', ctx.threads]]) {
      try {
        programs[impl] = await compilePar(ctx.par, `bench/kernels/arrays/${k.file}.par`, src, threads);
      } catch (e) {
        m[impl] = { error: errorMessage(e) };
      }
    }
    if (!ctx.numpy) m.np1 = m.npN = { skipped: 'no numpy' };
    const exe = join(outDir, 'arrays', [k.c.replace(/\W+/g, '_').replace(/_c$/, ''), ...(k.defines ?? [])].join('-'));
    if (ctx.omp.error) m.c1 = m.cN = { skipped: 'skipped' };
    else {
      const err = ctx.built.get(exe) ?? buildOmp(join(kernelDir, k.c), exe, k.defines ?? []);
      ctx.built.set(exe, err);
      if (err) m.c1 = m.cN = { error: err };
    }
    const run = {
      par1: () => runParProgram(programs.par1),
      parN: () => runParProgram(programs.parN),
      np1: async () => runNumpy(pyFile, 1),
      npN: async () => runNumpy(pyFile, ctx.threads),
      c1: async () => runOmp(exe, sizes, 1),
      cN: async () => runOmp(exe, sizes, ctx.threads),
    };
    await runInTurn(m, run, IMPLS, ctx.runs);
  } finally {
    for (const p of Object.values(programs)) p.dispose();
  }
  return { m, sizes, load: otherLoad(before, cpuSnapshot(), ctx.cores) };
}

const med = (x) => (x.results?.length ? median(x.results.map((r) => r.time)) : null);
const clip = (s, n) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const fmtTime = (x) => (x.skipped ? x.skipped : x.error ? clip(`error: ${x.error}`, 24) : `${med(x).toFixed(3)} s`);
/** How many times faster `a` is than `b` (b's time / a's time). */
const faster = (a, b) => (a !== null && b !== null && a > 0 ? `${(b / a).toFixed(2)}x` : '-');

/** opts: { runs, quick, only, threads, cores }; returns the number of checksum mismatches. */
export async function arraysSection(opts, par) {
  const N = opts.threads;
  const kernels = selectArrays(opts.only);
  if (kernels.length === 0) return 0;
  console.log(`== Arrays: Par array form vs NumPy vs C + OpenMP, 1 and ${N} threads ==`);
  const omp = ompProbe();
  if (omp.error) console.log(`C + OpenMP skipped: ${omp.error}`);
  else console.log(`C:       gcc -O3 -fopenmp -ffp-contract=off (no -march=native), OMP_NUM_THREADS=1 and ${N}; matmul.c is the i-k-j loop (-DIKJ), and the textbook i-j-k loop in the "vs i-j-k" row`);
  const probe = (() => {
    try {
      return runProcess('python3', ['-c', 'import numpy, time; print("checksum:", numpy.__version__); print("time: 0")']).checksum;
    } catch {
      return null;
    }
  })();
  console.log(`NumPy:   ${probe ? `${probe}, the same .par file under test/oracle/run.py; BLAS threads (OMP/OPENBLAS/MKL_NUM_THREADS) 1 and ${N}` : 'not available (python3 + numpy)'}`);
  console.log(`Par:     compile(src, { threads: 1 | ${N} }) in this process, bounds checks on; ${opts.runs} run(s) of each of the six, in turn`);

  const ctx = { par, omp, numpy: !!probe, runs: opts.runs, quick: opts.quick, threads: N, cores: opts.cores, built: new Map() };
  const rows = [];
  for (const k of kernels) {
    process.stderr.write(`running ${k.name} (arrays) ...\n`);
    rows.push({ k, ...(await measureRow(k, ctx)) });
  }

  // Checksums agree to a relative 1e-9 (NumPy's BLAS and OpenMP sum in other orders); Par's own
  // are bit-identical at 1 and N threads.
  let mismatches = 0;
  for (const row of rows) {
    const all = IMPLS.flatMap((impl) => (row.m[impl].results ?? []).map((r) => ({ impl, checksum: r.checksum })));
    row.agreement = all.length ? 'exact' : 'none ran';
    if (!all.length) continue;
    row.checksum = all[0].checksum;
    const parRef = all.find((x) => x.impl.startsWith('par'));
    for (const x of all) {
      const c = compareChecksums(all[0].checksum, x.checksum);
      if (c === 'mismatch' || (x.impl.startsWith('par') && x.checksum !== parRef.checksum)) {
        mismatches++;
        row.agreement = 'MISMATCH';
        console.log(`!!! CHECKSUM MISMATCH in ${row.k.name}: ${all[0].impl} printed ${all[0].checksum} but ${x.impl} printed ${x.checksum} !!!`);
      } else if (c === 'rounding' && row.agreement === 'exact') row.agreement = 'within rounding';
    }
  }

  const nt = `${N} thr`;
  printTable(
    ['kernel', 'Par 1 thr', `Par ${nt}`, `Par ${nt} rate`, 'NumPy 1 thr', `NumPy ${nt}`, 'C 1 thr', `C ${nt}`,
      'Par vs NumPy 1', `Par vs NumPy ${N}`, 'Par vs C 1', `Par vs C ${N}`, 'other load', 'checksum'],
    rows.map(({ k, m, sizes, load, checksum, agreement }) => [
      k.name, ...['par1', 'parN'].map((i) => fmtTime(m[i])), med(m.parN) ? k.rate(sizes, med(m.parN)) : '-',
      ...['np1', 'npN', 'c1', 'cN'].map((i) => fmtTime(m[i])),
      faster(med(m.par1), med(m.np1)), faster(med(m.parN), med(m.npN)), faster(med(m.par1), med(m.c1)), faster(med(m.parN), med(m.cN)),
      load === null ? '?' : `${load.toFixed(2)} cores`,
      `${checksum ?? '-'} (${agreement})`,
    ]),
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
  );
  console.log('');
  console.log('Medians of the kernel times the programs report (start-up, compilation and set-up excluded).');
  console.log('"Par vs X" = X time / Par time at equal threads: above 1x Par is faster. Rates for Par at N threads:');
  console.log('triad counts 24 bytes per element (read x and y, write y), sum 8, dot 16; Mopt/s = options priced per');
  console.log('second; Mpt/s = interior grid points per second; GFLOP/s = 2 n^3 per product.');
  console.log('NumPy evaluates each statement separately, with temporaries; Par fuses a statement into one loop.');
  const errors = rows.flatMap(({ k, m }) => IMPLS.filter((i) => m[i].error).map((i) => `  ${k.name} ${i}: ${m[i].error}`));
  if (errors.length) console.log(`\nerrors:\n${errors.join('\n')}`);
  const busy = rows.map((r) => r.load).filter((x) => x !== null);
  if (busy.length && Math.max(...busy) > 0.25) {
    console.log(`\nnote: other processes used up to ${Math.max(...busy).toFixed(2)} cores during these measurements: the timings are noisy, the ${N}-thread ones most.`);
  }
  console.log('');
  return mismatches;
}
