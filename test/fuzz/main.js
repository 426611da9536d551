// `npm run fuzz -- --count N --seed S [--mutants F] [--no-python] [--shrink B]`: a long fuzzing run
// (see campaign.js). Prints each failure with its minimized program and writes them to
// test/fuzz/found/ (not committed: a failure worth keeping goes to test/fuzz/regressions/).
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { campaign } from './campaign.js';
import { Sandbox } from './sandbox.js';
import { PythonOracle, pythonAvailable } from './python.js';
import { importTs } from './load-ts.js';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '200' },
    seed: { type: 'string', default: String(Date.now() % 1_000_000) },
    mutants: { type: 'string', default: '0.5' },
    'no-python': { type: 'boolean', default: false },
    shrink: { type: 'string', default: '300' },
  },
});
const count = Number(values.count), seed = Number(values.seed);
const { compareOutputs } = await importTs(new URL('../compare-output.ts', import.meta.url));
const python = !values['no-python'] && pythonAvailable() ? new PythonOracle() : null;
if (!python) console.log('(no python3 + NumPy: oracle (b) is off)');
const sandbox = new Sandbox();
const t0 = Date.now();
console.log(`fuzzing ${count} programs, seed ${seed}, mutant share ${values.mutants}`);
const stats = await campaign({ count, seed, mutantShare: Number(values.mutants), sandbox, python, compare: compareOutputs, shrinkBudget: Number(values.shrink), log: (l) => console.log(l), progress: (k, st) => { if (k % 50 === 0) console.log(`... ${k} programs, ${st.failures.length} failures, ${((Date.now() - t0) / 1000).toFixed(0)} s`); } });
await sandbox.close();
python?.close();
const secs = ((Date.now() - t0) / 1000).toFixed(0);
console.log(`\n${count} programs in ${secs} s: ${stats.generated} generated, ${stats.mutated} mutants (${stats.rejectedMutants} rejected with diagnostics), ${stats.compiled} compiled, ${stats.ran} ran, ${stats.pythonCompared} compared with CPython, sandbox restarts ${sandbox.restarts}`);
console.log(`${stats.failures.length} distinct failures`);
if (stats.failures.length) {
  const dir = new URL(`./found/seed-${seed}/`, import.meta.url);
  mkdirSync(dir, { recursive: true });
  stats.failures.forEach((f, i) => {
    writeFileSync(new URL(`${i}-${f.oracle}-${f.failure}.par`, dir), `# fuzz seed ${seed} program ${f.index} (${f.kind}${f.from ? ` from ${f.from}` : ''}): oracle (${f.oracle}) ${f.failure}\n# ${f.detail.split('\n').join('\n# ')}\n${f.minimized}`);
  });
  console.log(`written to ${dir.pathname}`);
}
process.exitCode = stats.failures.length ? 1 : 0;
