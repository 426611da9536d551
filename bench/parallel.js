// The parallel section of `npm run bench`: each kernel in bench/kernels/parallel/ as Par (compile()
// in this process, once for a team of 1 thread and once for N threads) and as C + OpenMP
// (gcc -O3 -fopenmp, run with OMP_NUM_THREADS=1 and N). The four are run in turn, `runs` times, and
// the table shows the medians of the times each program reports for its own kernel (wtime() in
// Par, omp_get_wtime() in C): speedups, Par/C at equal threads, and whether all checksums agree.
// A measurement, never a pass/fail test.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  buildOmp, compareChecksums, compilePar, cpuSnapshot, errorMessage, median, ompProbe, otherLoad, outDir,
  parallelKernelDir, runOmp, runParProgram, withParams,
  runInTurn,
} from './lib.js';
import { printTable } from './table.js';

/**
 * The rows. `file` names bench/kernels/parallel/<file>.par and .c; `params` are the size variables
 * at the top of the .par file and, in the same order, the C program's arguments; `sizes` are the
 * full-run sizes (each C run at one thread takes roughly 0.3-1 s on a 2020s x86 core), `quick` the
 * --quick ones, `small` those at which bench/check.js runs the Python oracle (about a second).
 * `edit` rewrites one piece of the .par source (the schedule of a variant), `defines` are the
 * matching gcc -D flags. `unit: 'us'` marks a per-region cost reported in microseconds.
 * `needs: 'atomics'` runs the row only when atomic_add compiles to a real atomic.
 */
export const PARALLEL_KERNELS = [
  {
    name: 'mandelbrot static', file: 'mandelbrot', params: ['w', 'h', 'maxiter'], sizes: [1200, 900, 1000], quick: [600, 450, 1000], small: [200, 150, 200],
    edit: ['prange(h)', 'prange(h, schedule="static")'], defines: ['SCHED=static'],
  },
  {
    // No schedule argument: "auto" in Par, libgomp's default (static) in C.
    name: 'mandelbrot default', file: 'mandelbrot', params: ['w', 'h', 'maxiter'], sizes: [1200, 900, 1000], quick: [600, 450, 1000], small: [200, 150, 200],
    edit: null, defines: [],
  },
  {
    name: 'mandelbrot dynamic', file: 'mandelbrot', params: ['w', 'h', 'maxiter'], sizes: [1200, 900, 1000], quick: [600, 450, 1000], small: [200, 150, 200],
    edit: ['prange(h)', 'prange(h, schedule="dynamic")'], defines: ['SCHED=dynamic'],
  },
  { name: 'collatz', file: 'collatz', params: ['n'], sizes: [3000000], quick: [600000], small: [20000] },
  { name: 'jacobi', file: 'jacobi', params: ['n', 'sweeps'], sizes: [1000, 600], quick: [1000, 120], small: [60, 30] },
  { name: 'sum', file: 'sum', params: ['n', 'reps'], sizes: [4000000, 200], quick: [4000000, 40], small: [100000, 3] },
  { name: 'dot', file: 'dot', params: ['n', 'reps'], sizes: [4000000, 150], quick: [4000000, 30], small: [100000, 3] },
  { name: 'histogram', file: 'histogram', params: ['n', 'nbins'], sizes: [80000000, 256], quick: [16000000, 256], small: [100000, 256], needs: 'atomics' },
  { name: 'empty region', file: 'empty', params: ['count'], sizes: [20000], quick: [5000], small: [200], unit: 'us' },
];

/** A row is selected by --only through its name (spaces or dashes) or its file. */
export function selectParallel(only) {
  if (!only) return PARALLEL_KERNELS;
  const norm = (s) => s.toLowerCase().replace(/[\s_]+/g, '-');
  return PARALLEL_KERNELS.filter((k) => only.some((o) => norm(o) === norm(k.name) || norm(o) === k.file));
}

export function parSourceFor(k, sizes) {
  let src = withParams(readFileSync(join(parallelKernelDir, `${k.file}.par`), 'utf8'), k, sizes);
  if (k.edit) {
    if (!src.includes(k.edit[0])) throw new Error(`${k.file}.par has no "${k.edit[0]}" to rewrite for ${k.name}`);
    src = src.replace(k.edit[0], k.edit[1]);
  }
  return src;
}

/** Whether this compiler's atomic_add is a real atomic read-modify-write: its --dump=ir shows atomic.add. */
export async function atomicsProbe(par, k, sizes) {
  if (par.error) return { error: par.error };
  try {
    const r = await par.compile(parSourceFor(k, sizes), { filename: `bench/kernels/parallel/${k.file}.par`, threads: 1 });
    try {
      return { atomic: r.dump('ir').includes('atomic.add') };
    } finally {
      r.program?.dispose();
    }
  } catch (e) {
    return { error: errorMessage(e) };
  }
}

const IMPLS = ['par1', 'parN', 'c1', 'cN'];

/** The C + OpenMP binary of a row (one per kernel file and set of -D flags). */
export function ompExe(k) {
  return join(outDir, 'parallel', [k.file, ...(k.defines ?? []).map((d) => d.replace(/\W+/g, '_'))].join('-'));
}

/**
 * Measures one row: compiles Par for 1 and N threads and builds the C binary, then runs the four
 * implementations in turn `runs` times. An implementation that fails once is not run again.
 * Returns { m: { par1, parN, c1, cN } each { results } | { error } | { skipped }, load }.
 */
async function measureRow(k, ctx) {
  const sizes = ctx.quick ? k.quick : k.sizes;
  const m = Object.fromEntries(IMPLS.map((i) => [i, { results: [] }]));
  const programs = {};
  const before = cpuSnapshot();
  try {
    let src = null;
    try {
      src = parSourceFor(k, sizes);
    } catch (e) {
      m.par1 = m.parN = { error: errorMessage(e) };
    }
    for (const [impl, threads] of [['par1', 1], ['parN', ctx.threads]]) {
      if (m[impl].error) continue;
      try {
        programs[impl] = await compilePar(ctx.par, `bench/kernels/parallel/${k.file}.par`, src, threads);
      } catch (e) {
        m[impl] = { error: errorMessage(e) };
      }
    }
    let exe = null;
    if (ctx.omp.error) m.c1 = m.cN = { skipped: 'skipped' };
    else {
      exe = ompExe(k);
      const err = ctx.built.get(exe) ?? buildOmp(join(parallelKernelDir, `${k.file}.c`), exe, k.defines ?? []);
      ctx.built.set(exe, err);
      if (err) m.c1 = m.cN = { error: err };
    }
    const run = {
      par1: () => runParProgram(programs.par1),
      parN: () => runParProgram(programs.parN),
      c1: async () => runOmp(exe, sizes, 1),
      cN: async () => runOmp(exe, sizes, ctx.threads),
    };
    await runInTurn(m, run, IMPLS, ctx.runs);
  } finally {
    for (const p of Object.values(programs)) p.dispose();
  }
  return { m, load: otherLoad(before, cpuSnapshot(), ctx.cores) };
}

const times = (x) => (x.results?.length ? x.results.map((r) => r.time) : null);
const med = (x) => (times(x) ? median(times(x)) : null);
const clip = (s, n) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
function fmtTime(x, unit) {
  if (x.skipped) return x.skipped;
  if (x.error) return clip(`error: ${x.error}`, 24);
  const t = med(x);
  return unit === 'us' ? `${(t * 1e6).toFixed(2)} µs` : `${t.toFixed(3)} s`;
}
const fmtRatio = (a, b) => (a !== null && b !== null && b > 0 ? `${(a / b).toFixed(2)}x` : '-');
function fmtSpread(x, unit) {
  const ts = times(x);
  if (!ts) return '-';
  const f = (t) => (unit === 'us' ? (t * 1e6).toFixed(2) : t.toFixed(3));
  return `${f(Math.min(...ts))}-${f(Math.max(...ts))}`;
}

/**
 * opts: { runs, quick, only, threads, cores }; par: loadPar()'s result. Prints the section; returns
 * the number of checksum mismatches.
 */
export async function parallelSection(opts, par) {
  const N = opts.threads;
  const kernels = selectParallel(opts.only);
  if (kernels.length === 0) return 0;
  console.log(`== Parallel: Par prange vs C + OpenMP (gcc -O3 -fopenmp), 1 and ${N} threads ==`);
  const omp = ompProbe();
  if (omp.error) console.log(`C + OpenMP skipped: ${omp.error}`);
  else console.log(`OpenMP:  _OPENMP ${omp.openmp}; C runs with OMP_NUM_THREADS=1 and ${N}, OMP_DYNAMIC=false`);
  console.log(`Par:     compile(src, { threads: 1 }) and compile(src, { threads: ${N} }), run in this process; bounds checks on (the default)`);
  console.log(`sizes:   ${opts.quick ? '--quick (smaller than the full run)' : 'full'}; ${opts.runs} run(s) of each of the four, taken in turn`);

  const ctx = { par, omp, runs: opts.runs, quick: opts.quick, threads: N, cores: opts.cores, built: new Map() };
  const rows = [];
  for (const k of kernels) {
    if (k.needs === 'atomics') {
      const probe = await atomicsProbe(par, k, opts.quick ? k.quick : k.sizes);
      if (probe.error === undefined && !probe.atomic) {
        console.log(`${k.name} skipped: atomic_add is not atomic in this compiler (no atomic.add in --dump=ir)`);
        continue;
      }
    }
    process.stderr.write(`running ${k.name} (parallel) ...\n`);
    rows.push({ k, ...(await measureRow(k, ctx)) });
  }

  // Checksums: every run of every implementation of every row of a kernel file (the mandelbrot
  // variants compute the same image) must agree with the first, integers exactly, floats to a
  // relative 1e-9; Par's own results must be bit-identical for any thread count and schedule.
  let mismatches = 0;
  const firstOf = new Map();
  const parFirstOf = new Map();
  for (const row of rows) {
    const all = IMPLS.flatMap((impl) => (row.m[impl].results ?? []).map((r, i) => ({ impl, run: i + 1, checksum: r.checksum })));
    row.agreement = all.length ? 'exact' : 'none ran';
    if (!all.length) continue;
    if (!firstOf.has(row.k.file)) firstOf.set(row.k.file, { ...all[0], row: row.k.name });
    const ref = firstOf.get(row.k.file);
    row.checksum = ref.checksum;
    for (const x of all) {
      const c = compareChecksums(ref.checksum, x.checksum);
      if (c === 'mismatch') {
        mismatches++;
        row.agreement = 'MISMATCH';
        console.log(`!!! CHECKSUM MISMATCH in ${row.k.name}: ${ref.row} ${ref.impl} printed ${ref.checksum} but ${x.impl} run ${x.run} printed ${x.checksum} !!!`);
      } else if (c === 'rounding' && row.agreement === 'exact') row.agreement = 'within rounding';
      if (x.impl.startsWith('par')) {
        if (!parFirstOf.has(row.k.file)) parFirstOf.set(row.k.file, { ...x, row: row.k.name });
        const p = parFirstOf.get(row.k.file);
        if (x.checksum !== p.checksum) {
          mismatches++;
          row.agreement = 'MISMATCH';
          console.log(`!!! PAR NOT DETERMINISTIC in ${row.k.name}: ${p.row} ${p.impl} printed ${p.checksum} but ${x.impl} run ${x.run} printed ${x.checksum} !!!`);
        }
      }
    }
  }

  const nt = `${N} thr`;
  printTable(
    ['kernel', 'Par 1 thr', `Par ${nt}`, 'Par speedup', 'OMP 1 thr', `OMP ${nt}`, 'OMP speedup', 'Par/C 1 thr', `Par/C ${nt}`, 'other load', 'checksum'],
    rows.map(({ k, m, load, checksum, agreement }) => [
      k.name,
      fmtTime(m.par1, k.unit), fmtTime(m.parN, k.unit), k.unit ? '-' : fmtRatio(med(m.par1), med(m.parN)),
      fmtTime(m.c1, k.unit), fmtTime(m.cN, k.unit), k.unit ? '-' : fmtRatio(med(m.c1), med(m.cN)),
      fmtRatio(med(m.par1), med(m.c1)), fmtRatio(med(m.parN), med(m.cN)),
      load === null ? '?' : `${load.toFixed(2)} cores`,
      `${checksum ?? '-'} (${agreement})`,
    ]),
    [1, 2, 3, 4, 5, 6, 7, 8],
  );

  console.log('');
  console.log('Medians of the kernel times the programs report (compilation, start-up and set-up excluded).');
  console.log('speedup = time at 1 thread / time at N threads; Par/C = Par time / C + OpenMP time at equal threads.');
  console.log('"other load": CPU time other processes used while the row ran, in cores (from /proc/stat); when');
  console.log(`it is not near 0, the ${N}-thread runs had fewer than ${N} cores to themselves.`);
  if (rows.some((r) => r.k.name === 'mandelbrot default')) {
    console.log('mandelbrot default: no schedule argument, which is "auto" in Par (dynamic chunks of about');
    console.log('  trip/(16 threads)) and static in libgomp; the rows near the real axis hold most of the work.');
  }
  const empty = rows.find((r) => r.k.file === 'empty');
  if (empty) {
    const mean = (x) => (x.results?.length && x.results[0].mean !== undefined ? `${(median(x.results.map((r) => r.mean)) * 1e6).toFixed(2)} µs` : '-');
    console.log('empty region: median round trip of an empty 2-iteration parallel loop, each region timed on its');
    console.log(`  own; mean round trip (incl. outliers): Par ${mean(empty.m.par1)} / ${mean(empty.m.parN)}, OpenMP ${mean(empty.m.c1)} / ${mean(empty.m.cN)}`);
    console.log('  (1 / N threads). A 1-thread Par team runs a region inline, without a fork.');
  }

  console.log('\nspread of the runs (min-max; s, µs for the empty region):');
  printTable(['kernel', 'Par 1 thr', `Par ${nt}`, 'OMP 1 thr', `OMP ${nt}`],
    rows.map(({ k, m }) => [k.name, ...IMPLS.map((i) => fmtSpread(m[i], k.unit))]), [1, 2, 3, 4]);

  const errors = rows.flatMap(({ k, m }) =>
    [['Par 1 thread', m.par1], [`Par ${N} threads`, m.parN], ['C 1 thread', m.c1], [`C ${N} threads`, m.cN]]
      .filter(([, r]) => r.error).map(([impl, r]) => `  ${k.name} ${impl}: ${r.error}`));
  if (errors.length) console.log(`\nerrors:\n${errors.join('\n')}`);
  const busy = rows.map((r) => r.load).filter((x) => x !== null);
  if (busy.length && Math.max(...busy) > 0.25) {
    console.log(`\nnote: other processes used up to ${Math.max(...busy).toFixed(2)} cores during these measurements: the timings are noisy, the ${N}-thread ones most.`);
  }
  if (mismatches) console.log(`\n!!! ${mismatches} checksum mismatch(es) in the parallel section: the implementations do not compute the same thing !!!`);
  console.log('');
  return mismatches;
}
