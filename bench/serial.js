// The single-thread section of `npm run bench`: each kernel in bench/kernels/ as Par (through
// compile() from dist/, one thread), plain JavaScript (node) and C (gcc -O2); the median of the times
// each program reports for its own kernel, checksums compared, a side-by-side table.
import { KERNELS, buildC, compareChecksums, errorMessage, median, parSource, runC, runJS, runPar } from './lib.js';
import { printTable } from './table.js';

/** Runs an implementation `runs` times; returns { times, checksums } or { error }. */
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

/**
 * opts: { runs, only, gcc }; par: loadPar()'s result. Prints the section; returns the number of
 * checksum mismatches.
 */
export async function serialSection(opts, par) {
  const kernels = opts.only ? KERNELS.filter((k) => opts.only.includes(k.name)) : KERNELS;
  if (kernels.length === 0) return 0;
  console.log('== Single thread: Par (1 thread) vs JavaScript vs C (gcc -O2) ==');
  if (!opts.gcc) console.log('C skipped: gcc not found');

  const rows = [];
  let mismatches = 0;
  for (const k of kernels) {
    process.stderr.write(`running ${k.name} (single thread) ...\n`);
    const once = (fn) => async (n) => Array.from({ length: n }, () => fn());
    const m = {};
    m.par = await measure(opts.runs, (n) => runPar(par, `bench/kernels/${k.name}.par`, parSource(k.name), n, 1));
    m.js = await measure(opts.runs, once(() => runJS(k)));
    if (!opts.gcc) m.c = { skipped: 'skipped' };
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

  printTable(['kernel', 'Par 1 thread', 'JS', 'C -O2', 'Par/C', 'Par/JS', 'checksum'], rows.map(({ k, m, checksum, agreement }) => [
    k.name, clip(fmtTime(m.par), 40), clip(fmtTime(m.js), 40), clip(fmtTime(m.c), 40),
    ratio(m.par, m.c), ratio(m.par, m.js), `${checksum} (${agreement})`,
  ]));

  // Full error messages, which the table clips.
  const errors = rows.flatMap(({ k, m }) =>
    [['Par', m.par], ['JS', m.js], ['C', m.c]].filter(([, r]) => r.error).map(([impl, r]) => `  ${k.name} ${impl}: ${r.error}`));
  if (errors.length) console.log(`\nerrors:\n${errors.join('\n')}`);
  if (mismatches) console.log(`\n!!! ${mismatches} checksum mismatch(es) in the single-thread section: the implementations do not compute the same thing !!!`);
  console.log('');
  return mismatches;
}
