// The fuzzer's three oracles, applied to what the sandbox reports for one program:
//   (a) robustness, for every input: no internal error (compile() throwing, run() rejecting with
//       anything but a ParError), no dead sandbox thread, no hang (a compile that does not finish, a
//       run the stop flag cannot stop), no stack trace in a diagnostic, diagnostics in the
//       `file:line:col: error:` form;
//   (b) agreement with CPython + NumPy, for generated programs (valid Python by construction): the
//       same output (test/compare-output.ts's tolerant comparison) and the same exception type;
//   (c) determinism: the same output, byte for byte, and the same error at 1, 2, 3 and 7 threads.
// A failure is { oracle, kind, detail }; `kind` is the signature shrinking must preserve.

export const THREADS = [1, 2, 3, 7];

/** `file:line:col: error: message`, then the source line and a caret line. */
const DIAGNOSTIC = /^[^\n:]+:\d+:\d+: error: [^\n]+\n[^\n]*\n\s*\^/;

/** Oracle (a) on a sandbox report. */
export function robustness(report) {
  if (report.died) return [{ oracle: 'a', kind: 'sandbox-died', detail: report.died }];
  if (report.hang === 'compile') return [{ oracle: 'a', kind: 'compile-hang', detail: 'compile() did not finish' }];
  if (report.hang === 'run') {
    return [{ oracle: 'a', kind: 'run-unstoppable', detail: 'the run ignored its stop flag (or had none) and did not finish' }];
  }
  const failures = [];
  for (const r of report.results) {
    if (r.status === 'compile-threw') failures.push({ oracle: 'a', kind: 'compile-threw', detail: firstLine(r.detail), full: r.detail });
    if (r.status === 'run-threw') failures.push({ oracle: 'a', kind: 'run-threw', detail: firstLine(r.detail), full: r.detail });
    if (r.stackInDiagnostic) failures.push({ oracle: 'a', kind: 'stack-trace', detail: r.stackInDiagnostic });
    for (const text of [...(r.diagnostics ?? []), ...(r.formatted ? [r.formatted] : [])]) {
      if (!DIAGNOSTIC.test(text)) failures.push({ oracle: 'a', kind: 'malformed-diagnostic', detail: text });
      else if (/internal|\bundefined\b(?! name)|\[object|\bNaN:/i.test(text.split('\n')[0])) failures.push({ oracle: 'a', kind: 'internal-message', detail: text });
    }
  }
  return dedupe(failures);
}

/** Oracle (c): every team size printed the same bytes and ended the same way. */
export function determinism(report) {
  if (!report.results) return [];
  const ran = report.results.filter((r) => r.status === 'ok' || r.status === 'run-error');
  const failures = [];
  const base = ran[0];
  for (const r of ran.slice(1)) {
    if (r.formatted && /KeyboardInterrupt/.test(r.formatted)) continue; // stopped by the watchdog
    if (r.output !== base.output) {
      failures.push({ oracle: 'c', kind: 'threads-output', detail: `threads=${base.threads} vs threads=${r.threads}: ${firstDifference(base.output, r.output)}` });
    } else if (sameTeamless(r.formatted) !== sameTeamless(base.formatted)) {
      failures.push({ oracle: 'c', kind: 'threads-error', detail: `threads=${base.threads}: ${base.formatted ?? 'no error'}\nthreads=${r.threads}: ${r.formatted ?? 'no error'}` });
    }
  }
  return failures.slice(0, 1);
}

/**
 * Oracle (b) for a generated program: Par at one thread against CPython's { ok, out, error }.
 * `compare(par, python)` is compareOutputs from test/compare-output.ts (null when they agree).
 */
export function agreement(report, py, compare) {
  if (!report.results) return [];
  const par = report.results[0];
  if (py.error === 'Timeout' || py.crashed) return [];
  if (par.status === 'diagnostics') {
    return [{ oracle: 'b', kind: 'rejected', detail: `Par rejects a program CPython ${py.ok ? 'runs' : `runs up to ${py.error}`}:\n${par.diagnostics[0]}` }];
  }
  if (par.status !== 'ok' && par.status !== 'run-error') return [];
  const diff = compare(par.output, py.out);
  if (diff) return [{ oracle: 'b', kind: 'output', detail: diff }];
  const parError = par.status === 'run-error' ? errorType(par.message) : null;
  const pyError = py.ok ? null : errorType(py.error);
  if (parError !== pyError) {
    return [{ oracle: 'b', kind: 'exception', detail: `Par: ${par.message ?? 'no error'}; Python: ${py.error ?? 'no error'}` }];
  }
  return [];
}

/**
 * An error report without the thread that met it: which thread runs an iteration depends on the team
 * size and the schedule by design; the message, line and iteration must not.
 */
function sameTeamless(formatted) {
  return (formatted ?? '').replace(/ on thread \d+\)/g, ' on thread T)');
}

function errorType(message) {
  const m = /^([A-Za-z]+(?:Error|Exception|Interrupt)?)\b/.exec(message ?? '');
  return m ? m[1] : message;
}

function firstLine(s) { return String(s ?? '').split('\n')[0]; }

function firstDifference(a, b) {
  const la = a.split('\n'), lb = b.split('\n');
  for (let i = 0; i < Math.max(la.length, lb.length); i++) {
    if (la[i] !== lb[i]) return `line ${i + 1}: ${JSON.stringify(la[i] ?? '<end>')} vs ${JSON.stringify(lb[i] ?? '<end>')}`;
  }
  return '(same lines)';
}

function dedupe(failures) {
  const seen = new Set();
  return failures.filter((f) => (seen.has(f.kind) ? false : (seen.add(f.kind), true)));
}

/**
 * Runs one program through the oracles. `kind` 'generated' applies all three; 'mutated' (a mutant
 * of a test program, usually not valid Python, sometimes legitimately thread-dependent) only (a);
 * 'threads' (a) and (c).
 */
export async function checkProgram(src, { sandbox, python, compare, kind, threads = THREADS }) {
  // 'threads': a kept program that is not valid Python (or whose Python run means nothing, such as a
  // 10 GB allocation that NumPy's calloc grants lazily): oracles (a) and (c) only.
  const multi = kind === 'generated' || kind === 'threads';
  const report = await sandbox.run(src, { threads: multi ? threads : [2], interruptible: !multi });
  const failures = robustness(report);
  if (kind === 'threads') failures.push(...determinism(report));
  if (kind === 'generated') {
    // Generated programs are small and end quickly under CPython: one that needed the stop flag hung.
    if (report.softStopped && report.results) failures.push({ oracle: 'a', kind: 'run-timeout', detail: 'the run had to be stopped' });
    failures.push(...determinism(report));
    if (python && report.results) failures.push(...agreement(report, await python.run(src), compare));
  }
  return { report, failures };
}
