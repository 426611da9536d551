// `par check --serial-equiv FILE`: runs the program on a team and on one thread and reports the first
// difference in what they print or how they end. Par's parallel constructs are deterministic by
// design (reductions on a fixed grid, the lowest failing iteration reported), so a difference means
// the program depends on the schedule: usually a race (two iterations writing one element, or one
// writing what another reads). The thread that met an error is not compared: it depends on the team.
import { compile, type CompileOptions } from './driver.js';
import { ParError } from '../runtime/errors.js';

export interface SerialEquivResult {
  /** Null when both runs printed the same and ended the same way. */
  difference: string | null;
  lines: number;
  threads: number;
}

async function runAt(source: string, options: CompileOptions, threads: number): Promise<{ out: string; error: string | null }> {
  const r = await compile(source, { ...options, threads });
  if (!r.program) throw new Error('the program has compile errors');
  let out = '';
  try {
    await r.program.run({ stdout: (t) => { out += t; } });
    return { out, error: null };
  } catch (e) {
    if (e instanceof ParError) return { out, error: e.formatted.replace(/ on thread \d+\)/g, ' on thread T)') };
    throw e;
  } finally {
    r.program.dispose();
  }
}

export async function serialEquivalence(source: string, options: CompileOptions, threads: number): Promise<SerialEquivResult> {
  const team = Math.max(2, threads);
  const par = await runAt(source, options, team);
  const ser = await runAt(source, options, 1);
  const a = par.out.split('\n'), b = ser.out.split('\n');
  const lines = Math.max(a.length, b.length) - 1;
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) {
      const show = (s: string | undefined) => (s === undefined ? '(no more output)' : JSON.stringify(s));
      return { difference: `output line ${i + 1} differs: ${show(a[i])} on ${team} threads, ${show(b[i])} on 1 thread`, lines, threads: team };
    }
  }
  if (par.error !== ser.error) {
    return { difference: `the runs end differently:\n  on ${team} threads: ${par.error ?? 'no error'}\n  on 1 thread: ${ser.error ?? 'no error'}`, lines, threads: team };
  }
  return { difference: null, lines, threads: team };
}
