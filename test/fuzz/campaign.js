// One fuzzing campaign: `count` programs from seed `seed`, generated (all three oracles) and mutants
// of the test programs (oracle (a)), each failure shrunk to a small program that fails the same way.
// Used by test/fuzz.test.ts (a fixed seed, in CI) and by `npm run fuzz` (main.js, long runs).
import { readdirSync, readFileSync } from 'node:fs';
import { generateProgram } from './generate.js';
import { mutateProgram } from './mutate.js';
import { checkProgram } from './oracles.js';
import { shrink } from './shrink.js';

const PROGRAMS = new URL('../programs/', import.meta.url);

export function testSources() {
  return readdirSync(PROGRAMS).filter((f) => f.endsWith('.par')).sort()
    .map((name) => ({ name, text: readFileSync(new URL(name, PROGRAMS), 'utf8') }));
}

/**
 * @param {{ count: number, seed: number, mutantShare?: number, sandbox, python, compare,
 *   shrinkBudget?: number, log?: (line: string) => void }} opts
 * mutantShare: the fraction of programs that are mutants (default 0.5).
 */
export async function campaign(opts) {
  const { count, seed, sandbox, python, compare, log = () => {} } = opts;
  const mutantShare = opts.mutantShare ?? 0.5;
  const sources = mutantShare > 0 ? testSources() : [];
  const stats = { generated: 0, mutated: 0, compiled: 0, ran: 0, rejectedMutants: 0, pythonCompared: 0, failures: [] };
  const seen = new Set();
  for (let k = 0; k < count; k++) {
    opts.progress?.(k, stats);
    const mutant = Math.floor((k + 1) * mutantShare) > Math.floor(k * mutantShare); // evenly interleaved
    const { src, from } = mutant ? mutateProgram(sources, seed, k) : { src: generateProgram(seed, k), from: null };
    const kind = mutant ? 'mutated' : 'generated';
    stats[kind]++;
    const env = { sandbox, python, compare, kind };
    const { report, failures } = await checkProgram(src, env);
    const first = report.results?.[0];
    if (first && first.status !== 'diagnostics') stats.compiled++;
    if (first && (first.status === 'ok' || first.status === 'run-error')) stats.ran++;
    if (mutant && first?.status === 'diagnostics') stats.rejectedMutants++;
    if (!mutant && python && report.results) stats.pythonCompared++;
    for (const f of failures) {
      const signature = `${f.oracle}:${f.kind}:${f.detail.split('\n')[0].slice(0, 80)}`;
      if (seen.has(signature)) continue;
      seen.add(signature);
      log(`[${k}] ${kind}${from ? ` from ${from}` : ''}: oracle (${f.oracle}) ${f.kind}: ${f.detail.split('\n')[0]}`);
      const still = async (candidate) => (await checkProgram(candidate, env)).failures.some((g) => g.oracle === f.oracle && g.kind === f.kind);
      const small = opts.shrinkBudget === 0 ? { src, calls: 0 } : await shrink(src, still, { budget: opts.shrinkBudget ?? 300 });
      const again = await checkProgram(small.src, env);
      const detail = again.failures.find((g) => g.oracle === f.oracle && g.kind === f.kind) ?? f;
      stats.failures.push({ index: k, kind, from, oracle: f.oracle, failure: f.kind, detail: detail.detail, full: detail.full, original: src, minimized: small.src });
      log(`    minimized (${small.calls} runs) to:\n${small.src.replace(/^/gm, '      ')}    ${detail.detail.split('\n').slice(0, 6).join('\n    ')}`);
    }
  }
  return stats;
}
