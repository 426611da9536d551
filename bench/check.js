#!/usr/bin/env node
// Agreement check for the benchmark kernels and the examples (not a timing): runs every bench kernel
// at its small size as Python + NumPy (the oracle, test/oracle/run.py), Par, JS and C and requires
// the same checksum; likewise every parallel kernel as the oracle, Par at 1 and N threads (whose
// checksums must be bit-identical) and C + OpenMP at 1 and N threads; then runs each examples/*.par
// under the oracle and Par and compares the output, minus its "time:" line, with
// examples/<name>.expected. Par errors (e.g. the compiler not built or
// not finished) are reported and do not fail the check unless --strict is given.
//
//   node bench/check.js [--strict]
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { KERNELS, buildC, buildOmp, compareChecksums, errorMessage, gccVersion, loadPar, ompProbe, outDir, parSource, parseOutput, parallelKernelDir, rootDir, runC, runJS, runOmp, runPar, withParams } from './lib.js';
import { PARALLEL_KERNELS, atomicsProbe, ompExe, parSourceFor } from './parallel.js';

const strict = process.argv.includes('--strict');
let failures = 0;
let parErrors = 0;
const fail = (msg) => { failures++; console.log(`FAIL  ${msg}`); };

function oracle(file) {
  const r = spawnSync('python3', [join(rootDir, 'test', 'oracle', 'run.py'), file], { encoding: 'utf8', timeout: 120_000 });
  if (r.error) throw new Error(`python3: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`oracle failed: ${(r.stderr || '').trim().split('\n').slice(-1)[0]}`);
  return r.stdout;
}

/** Output lines without the time: line. */
const body = (text) => text.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('time:'));

/** Compares outputs token by token: integers exactly, floats to a relative 1e-9. */
function sameOutput(got, want) {
  const a = body(got).join(' ').split(/\s+/), b = body(want).join(' ').split(/\s+/);
  return a.length === b.length && a.every((t, i) => compareChecksums(t, b[i]) !== 'mismatch');
}

async function main() {
  mkdirSync(outDir, { recursive: true });
  const par = await loadPar();
  const gcc = gccVersion();
  if (!gcc) console.log('C skipped: gcc not found');

  console.log('bench kernels at small sizes:');
  for (const k of KERNELS) {
    const sizes = k.params.map((p, i) => `${p}=${k.small[i]}`).join(' ');
    const src = withParams(parSource(k.name), k, k.small);
    const file = join(outDir, `${k.name}.small.par`);
    writeFileSync(file, src);
    const got = {};
    const attempt = (impl, fn) => {
      try { got[impl] = fn(); } catch (e) { fail(`${k.name} ${impl}: ${errorMessage(e)}`); }
    };
    attempt('oracle', () => parseOutput(oracle(file)).checksum);
    attempt('JS', () => runJS(k, k.small).checksum);
    if (gcc) {
      const err = buildC(k.name);
      if (err) fail(`${k.name} C: ${err}`);
      else attempt('C', () => runC(k, k.small).checksum);
    }
    try {
      got.Par = (await runPar(par, `bench/kernels/${k.name}.par`, src, 1))[0].checksum;
    } catch (e) {
      parErrors++;
      console.log(`      ${k.name} Par: error: ${errorMessage(e)}`);
    }
    const ref = got.oracle ?? Object.values(got)[0];
    const bad = Object.entries(got).filter(([, c]) => compareChecksums(ref, c) === 'mismatch');
    const line = Object.entries(got).map(([impl, c]) => `${impl} ${c}`).join(', ');
    if (bad.length) fail(`${k.name} (${sizes}): checksums disagree: ${line}`);
    else console.log(`ok    ${k.name} (${sizes}): ${line}`);
  }

  const threads = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  const N = Math.max(2, threads);
  console.log(`parallel kernels at small sizes (Par and C + OpenMP at 1 and ${N} threads):`);
  const omp = gcc ? ompProbe() : { error: 'gcc not found' };
  if (omp.error) console.log(`      C + OpenMP skipped: ${omp.error}`);
  const built = new Map();
  for (const k of PARALLEL_KERNELS) {
    const sizes = k.params.map((p, i) => `${p}=${k.small[i]}`).join(' ');
    if (k.needs === 'atomics') {
      const probe = await atomicsProbe(par, k, k.small);
      if (probe.error === undefined && !probe.atomic) {
        console.log(`      ${k.name} skipped: atomic_add is not atomic in this compiler`);
        continue;
      }
    }
    const src = parSourceFor(k, k.small);
    const file = join(outDir, `${k.name.replace(/\s+/g, '-')}.small.par`);
    writeFileSync(file, src);
    const got = {};
    try { got.oracle = parseOutput(oracle(file)).checksum; } catch (e) { fail(`${k.name} oracle: ${errorMessage(e)}`); }
    if (!omp.error) {
      const exe = ompExe(k);
      const err = built.has(exe) ? built.get(exe) : buildOmp(join(parallelKernelDir, `${k.file}.c`), exe, k.defines ?? []);
      built.set(exe, err);
      if (err) fail(`${k.name} C: ${err}`);
      else {
        for (const t of [1, N]) {
          try { got[`C/${t}`] = runOmp(exe, k.small, t).checksum; } catch (e) { fail(`${k.name} C/${t}: ${errorMessage(e)}`); }
        }
      }
    }
    for (const t of [1, N]) {
      try {
        got[`Par/${t}`] = (await runPar(par, `bench/kernels/parallel/${k.file}.par`, src, 1, t))[0].checksum;
      } catch (e) {
        parErrors++;
        console.log(`      ${k.name} Par/${t}: error: ${errorMessage(e)}`);
      }
    }
    const ref = got.oracle ?? Object.values(got)[0];
    const bad = Object.entries(got).filter(([, c]) => compareChecksums(ref, c) === 'mismatch');
    const line = Object.entries(got).map(([impl, c]) => `${impl} ${c}`).join(', ');
    if (bad.length) fail(`${k.name} (${sizes}): checksums disagree: ${line}`);
    else if (got['Par/1'] !== undefined && got[`Par/${N}`] !== undefined && got['Par/1'] !== got[`Par/${N}`]) {
      fail(`${k.name} (${sizes}): Par is not deterministic: ${got['Par/1']} at 1 thread, ${got[`Par/${N}`]} at ${N}`);
    } else console.log(`ok    ${k.name} (${sizes}): ${line}`);
  }

  console.log('examples:');
  const exDir = join(rootDir, 'examples');
  for (const f of readdirSync(exDir).filter((x) => x.endsWith('.par')).sort()) {
    const name = f.slice(0, -4);
    const path = join(exDir, f);
    let want;
    try { want = readFileSync(join(exDir, `${name}.expected`), 'utf8'); } catch { fail(`${name}: no ${name}.expected`); continue; }
    try {
      const out = oracle(path);
      if (sameOutput(out, want)) console.log(`ok    ${name} oracle`);
      else fail(`${name} oracle printed ${JSON.stringify(body(out))}, expected ${JSON.stringify(body(want))}`);
    } catch (e) { fail(`${name} oracle: ${errorMessage(e)}`); }
    try {
      let out = '';
      if (par.error) throw new Error(par.error);
      const r = await par.compile(readFileSync(path, 'utf8'), { filename: `examples/${f}`, threads: 1 });
      if (!r.program) {
        const d = r.diagnostics.find((x) => x.severity === 'error') ?? r.diagnostics[0];
        throw new Error(d ? r.format(d).split('\n')[0] : 'compilation failed');
      }
      try { await r.program.run({ stdout: (t) => { out += t; } }); } finally { r.program.dispose(); }
      if (sameOutput(out, want)) console.log(`ok    ${name} Par`);
      else fail(`${name} Par printed ${JSON.stringify(body(out))}, expected ${JSON.stringify(body(want))}`);
    } catch (e) {
      parErrors++;
      console.log(`      ${name} Par: error: ${errorMessage(e)}`);
    }
  }

  const parNote = parErrors ? `, ${parErrors} Par error(s)${strict ? '' : ' (not counted; --strict counts them)'}` : '';
  console.log(`\n${failures ? `${failures} failure(s)` : 'all agree'}${parNote}`);
  process.exit(failures || (strict && parErrors) ? 1 : 0);
}

main().catch((e) => {
  console.error(`check: ${errorMessage(e)}`);
  process.exit(2);
});
