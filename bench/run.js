#!/usr/bin/env node
// The benchmark harness behind `npm run bench`: runs each kernel in bench/kernels/ as Par (through
// compile() from dist/, one thread), plain JavaScript (node) and C (gcc -O2), takes the median of
// the times each program reports for its own kernel (start-up and compilation excluded), checks that
// all checksums agree and prints a side-by-side table. A measurement, never a pass/fail test.
//
//   node bench/run.js [--runs N] [--quick] [--only mandelbrot,nbody]
import os from 'node:os';
import { KERNELS, buildC, compareChecksums, errorMessage, gccVersion, loadPar, median, parSource, runC, runJS, runPar } from './lib.js';

function parseArgs(argv) {
  const opts = { runs: 5, only: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--quick') opts.runs = 1;
    else if (a === '--runs' || a.startsWith('--runs=')) opts.runs = Number(value());
    else if (a === '--only' || a.startsWith('--only=')) opts.only = value().split(',');
    else if (a === '--help' || a === '-h') {
      console.log('usage: node bench/run.js [--runs N] [--quick] [--only kernel,...]');
      process.exit(0);
    } else throw new Error(`unknown option ${a}`);
  }
  if (!Number.isInteger(opts.runs) || opts.runs < 1) throw new Error('--runs needs a positive integer');
  return opts;
}

/** Runs one implementation `runs` times; returns { times, checksums } or { error }. */
async function measure(runs, once) {
  try {
    const results = await once(runs);
    return { times: results.map((r) => r.time), checksums: results.map((r) => r.checksum) };
  } catch (e) {
    return { error: errorMessage(e) };
  }
}

const fmtTime = (m) => (m.error ? `error: ${m.error}` : m.skipped ? m.skipped : `${median(m.times).toFixed(3)} s`);
const ratio = (a, b) => (a.times && b.times ? `${(median(a.times) / median(b.times)).toFixed(2)}x` : '-');
const clip = (s, n) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const kernels = opts.only ? KERNELS.filter((k) => opts.only.includes(k.name)) : KERNELS;
  if (kernels.length === 0) throw new Error(`no kernel named ${opts.only.join(', ')}`);

  const cpus = os.cpus();
  const gcc = gccVersion();
  console.log('Par benchmarks (median of reported kernel times; start-up and compilation excluded)');
  console.log(`machine: ${cpus.length} cores, ${cpus[0]?.model?.trim() ?? 'unknown cpu'}, ${os.platform()} ${os.arch()}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`);
  console.log(`node:    ${process.version}`);
  console.log(`gcc:     ${gcc ?? 'not found'}`);
  console.log(`runs:    ${opts.runs} per implementation`);
  if (!gcc) console.log('C skipped: gcc not found');
  console.log('');

  const par = await loadPar();
  const rows = [];
  let mismatches = 0;
  for (const k of kernels) {
    process.stderr.write(`running ${k.name} ...\n`);
    const once = (fn) => async (n) => Array.from({ length: n }, () => fn());
    const m = {};
    m.par = await measure(opts.runs, (n) => runPar(par, `bench/kernels/${k.name}.par`, parSource(k.name), n, 1));
    m.js = await measure(opts.runs, once(() => runJS(k)));
    if (!gcc) m.c = { skipped: 'skipped' };
    else {
      const err = buildC(k.name);
      m.c = err ? { error: err } : await measure(opts.runs, once(() => runC(k)));
    }

    // Every run of every implementation must print the same checksum as the first one that ran.
    const all = Object.entries({ Par: m.par, JS: m.js, C: m.c }).flatMap(([impl, r]) =>
      (r.checksums ?? []).map((c, i) => ({ impl, run: i + 1, checksum: c })));
    let agreement = all.length ? 'exact' : 'none ran';
    for (const x of all.slice(1)) {
      const c = compareChecksums(all[0].checksum, x.checksum);
      if (c === 'mismatch') {
        mismatches++;
        agreement = 'MISMATCH';
        console.log(`!!! CHECKSUM MISMATCH in ${k.name}: ${all[0].impl} printed ${all[0].checksum} but ${x.impl} run ${x.run} printed ${x.checksum} !!!`);
      } else if (c === 'rounding' && agreement === 'exact') agreement = 'within rounding';
    }
    rows.push({ k, m, checksum: all[0]?.checksum ?? '-', agreement });
  }

  const header = ['kernel', 'Par 1 thread', 'JS', 'C -O2', 'Par/C', 'Par/JS', 'checksum'];
  const table = rows.map(({ k, m, checksum, agreement }) => [
    k.name, clip(fmtTime(m.par), 40), clip(fmtTime(m.js), 40), clip(fmtTime(m.c), 40),
    ratio(m.par, m.c), ratio(m.par, m.js), `${checksum} (${agreement})`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i].length)));
  const line = (cells) => cells.map((c, i) => c.padEnd(widths[i])).join(' | ').trimEnd();
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const r of table) console.log(line(r));

  // Full error messages, which the table clips.
  const errors = rows.flatMap(({ k, m }) =>
    [['Par', m.par], ['JS', m.js], ['C', m.c]].filter(([, r]) => r.error).map(([impl, r]) => `  ${k.name} ${impl}: ${r.error}`));
  if (errors.length) console.log(`\nerrors:\n${errors.join('\n')}`);
  if (mismatches) console.log(`\n!!! ${mismatches} checksum mismatch(es): the implementations do not compute the same thing !!!`);
}

main().catch((e) => {
  console.error(`bench: ${errorMessage(e)}`);
  process.exit(2);
});
