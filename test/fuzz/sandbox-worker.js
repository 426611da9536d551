// A fuzzing sandbox thread: compiles and runs one program in-process (dist/index.js) at each requested
// team size and reports what happened, classified for the oracles. Before each run it posts the
// program's stop flag so that the parent can stop a runaway run softly; a compiler that hangs is
// terminated from outside by the parent (see sandbox.js).
import { parentPort } from 'node:worker_threads';
import { compile, ParError } from '../../dist/index.js';

/** A stack-trace line (`    at f (file.js:1:2)`) must never reach a user. */
const STACK_LINE = /^\s+at .+(\(|:\d+:\d+)/m;

function describeThrown(e) {
  if (e instanceof Error) return `${e.name}: ${e.message}\n${e.stack ?? ''}`;
  return String(e);
}

/** The shape of a ParError (errors re-created across a worker boundary may lose their prototype). */
function isParError(e) {
  return e instanceof ParError || (e && typeof e === 'object' && 'diagnostic' in e && 'formatted' in e);
}

async function runOnce(src, filename, threads, interruptible, maxMemory, cacheDir) {
  const phase = { at: 'compile' };
  let r;
  try {
    r = await compile(src, { filename, threads, interruptible, maxMemory, cacheDir });
  } catch (e) {
    return { status: 'compile-threw', detail: describeThrown(e) };
  }
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length || !r.program) {
    const formatted = errors.map((d) => r.format(d));
    return { status: 'diagnostics', diagnostics: formatted, codes: errors.map((d) => d.code) };
  }
  const program = r.program;
  let out = '';
  phase.at = 'run';
  try {
    parentPort.postMessage({ type: 'running', flag: program.stopFlag?.() ?? null });
    await program.run({ stdout: (t) => { out += t; } });
    return { status: 'ok', output: out };
  } catch (e) {
    if (isParError(e)) return { status: 'run-error', output: out, formatted: e.formatted, message: e.message };
    return { status: 'run-threw', output: out, detail: describeThrown(e) };
  } finally {
    try { program.dispose(); } catch (e) { /* reported below through the next run, if it matters */ }
    parentPort.postMessage({ type: 'ran' });
  }
}

parentPort.on('message', async (job) => {
  const results = [];
  for (const t of job.threads) {
    const interruptible = !!job.interruptible;
    const res = await runOnce(job.src, job.filename, t, interruptible, job.maxMemory, job.cacheDir);
    res.threads = t;
    res.interruptible = interruptible;
    for (const text of [res.formatted, ...(res.diagnostics ?? [])]) {
      if (text && STACK_LINE.test(text)) res.stackInDiagnostic = text;
    }
    results.push(res);
    // A compile error is the same at every team size; a run-time error is compared across sizes.
    if (res.status === 'diagnostics' || res.status === 'compile-threw') break;
  }
  parentPort.postMessage({ type: 'done', id: job.id, results });
});
