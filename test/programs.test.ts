// Program tests: every test/programs/*.par is compiled with compile() and run. A normal program's
// output must equal its .out file (UPDATE=1 rewrites the .out files from Par's output instead); an
// error_*.par program must report an error at each line marked `# error: <text>`. A second suite runs
// the normal programs under CPython + NumPy (test/oracle/run.py) and compares numbers with tolerance.
import { describe, it, expect } from 'vitest';
import { readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile, ParError } from '../index.js';
import type { CompileResult, Diagnostic, ParFiles } from '../index.js';
import { lineCol } from '../language/source.js';
import { compareOutputs } from './compare-output.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIR_REL = 'test/programs';
const DIR = path.join(ROOT, DIR_REL);
const UPDATE = process.env.UPDATE === '1';

const allFiles = readdirSync(DIR).filter((f) => f.endsWith('.par')).sort();
const isErrorProgram = (name: string) => name.startsWith('error_');
const normalFiles = allFiles.filter((f) => !isErrorProgram(f));
const errorFiles = allFiles.filter(isErrorProgram);

const rel = (name: string) => `${DIR_REL}/${name}`;
const outPath = (name: string) => path.join(DIR, name.replace(/\.par$/, '.out'));
const readSource = (name: string) => readFileSync(path.join(DIR, name), 'utf8');
function readExpected(name: string): string {
  const p = outPath(name);
  if (!existsSync(p)) throw new Error(`missing ${path.relative(ROOT, p)} (generate it with the oracle, or run with UPDATE=1)`);
  return readFileSync(p, 'utf8');
}

// ---- Running a program through Par (memoized: both suites share one compile and run per file) ----

interface ParRun {
  result: CompileResult;
  /** Everything the program printed (up to a run-time error, if any). */
  output: string;
  /** False when compilation reported errors (the program never ran). */
  ran: boolean;
  /** What program.run() rejected with, if it did. */
  runError: unknown;
}

const parRuns = new Map<string, Promise<ParRun>>();
function runPar(name: string): Promise<ParRun> {
  let p = parRuns.get(name);
  if (!p) {
    p = runParUncached(name);
    parRuns.set(name, p);
  }
  return p;
}

async function runParUncached(name: string): Promise<ParRun> {
  const result = await compile(readSource(name), { filename: rel(name) });
  let output = '';
  let runError: unknown = undefined;
  const program = result.program;
  if (!program) return { result, output, ran: false, runError };
  try {
    await program.run({ stdout: (text) => { output += text; }, files: scratchFiles() });
  } catch (e) {
    runError = e;
  } finally {
    program.dispose();
  }
  return { result, output, ran: true, runError };
}

/**
 * The files a test program sees: test/programs/ to read (its data/ fixtures), and writes kept in
 * memory, so a program may save and load again while nothing lands in the source tree (the oracle
 * runs the Python side in a scratch directory the same way). Also the embedder's form of `files`.
 */
function scratchFiles(): ParFiles {
  const written = new Map<string, Uint8Array>();
  const key = (p: string) => path.normalize(p);
  return {
    read: (p) => written.get(key(p)) ?? readFileSync(path.join(DIR, p)),
    write: (p, bytes) => { written.set(key(p), bytes.slice()); },
  };
}

const errorsOf = (r: CompileResult): Diagnostic[] => r.diagnostics.filter((d) => d.severity === 'error');

function asParError(e: unknown): ParError | null {
  if (e instanceof ParError) return e;
  // Errors re-created across a worker boundary may lose their prototype; accept the shape.
  if (e && typeof e === 'object' && 'diagnostic' in e && 'formatted' in e) return e as ParError;
  return null;
}

/** Fails the current test unless the program compiled cleanly and ran without error. */
function expectCleanRun(r: ParRun): void {
  const errs = errorsOf(r.result);
  if (errs.length > 0) throw new Error(`compile errors:\n${errs.map((d) => r.result.format(d)).join('\n')}`);
  if (r.runError !== undefined) {
    const pe = asParError(r.runError);
    if (pe) throw new Error(`run-time error:\n${pe.formatted}\noutput before the error:\n${r.output}`);
    throw r.runError;
  }
}

// ---- Error programs: `# error: <text>` markers ----

interface Marker { line: number; text: string }
function parseMarkers(source: string): Marker[] {
  const markers: Marker[] = [];
  source.split('\n').forEach((lineText, i) => {
    const m = /#\s*error:\s*(.*?)\s*$/.exec(lineText);
    if (m) markers.push({ line: i + 1, text: m[1] });
  });
  return markers;
}

interface Reported { line: number; message: string; formatted: string }

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// ---- CPython + NumPy runs (started early, in a bounded pool, so they overlap with Par's work) ----

function detectPython(): { ok: boolean; reason: string } {
  const res = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8', timeout: 60_000 });
  if (res.error) return { ok: false, reason: `python3 not runnable (${res.error.message})` };
  if (res.status !== 0) {
    const last = (res.stderr ?? '').trim().split('\n').pop() ?? '';
    return { ok: false, reason: `numpy not importable by python3 (${last})` };
  }
  return { ok: true, reason: '' };
}

const python = detectPython();
if (!python.ok) console.warn(`[programs.test] skipping 'differential vs CPython+NumPy': ${python.reason}`);

interface PyRun { code: number | null; stdout: string; stderr: string }

/** Runs at most `limit` tasks at once, in the order they were queued. */
function makePool(limit: number) {
  let active = 0;
  const queue: (() => void)[] = [];
  const next = () => {
    if (active >= limit) return;
    const start = queue.shift();
    if (start) { active++; start(); }
  };
  return <T>(task: () => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      queue.push(() => { task().then(resolve, reject).finally(() => { active--; next(); }); });
      next();
    });
}

const POOL_SIZE = Math.max(1, availableParallelism());
const pool = makePool(POOL_SIZE);
const PY_TIMEOUT_MS = 120_000;

function runPython(name: string): Promise<PyRun> {
  return new Promise((resolve) => {
    const child = spawn('python3', ['test/oracle/run.py', rel(name)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PAR_ORACLE_SCRATCH: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => { stdout += s; });
    child.stderr.setEncoding('utf8').on('data', (s: string) => { stderr += s; });
    const timer = setTimeout(() => { stderr += `\n[killed after ${PY_TIMEOUT_MS} ms]`; child.kill('SIGKILL'); }, PY_TIMEOUT_MS);
    child.on('error', (e) => { clearTimeout(timer); resolve({ code: -1, stdout, stderr: stderr + String(e) }); });
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}

const pyRuns = new Map<string, Promise<PyRun>>();
function schedulePython(name: string): Promise<PyRun> {
  let p = pyRuns.get(name);
  if (!p) {
    p = pool(() => runPython(name));
    pyRuns.set(name, p);
  }
  return p;
}
/** The Python result for normalFiles[i]; also queues the next few so they run while Par works. */
function pythonResult(i: number): Promise<PyRun> {
  for (let k = i; k < Math.min(normalFiles.length, i + 2 * POOL_SIZE); k++) schedulePython(normalFiles[k]);
  return schedulePython(normalFiles[i]);
}

describe('programs', () => {
  it('has programs to test', () => {
    expect(normalFiles.length).toBeGreaterThan(0);
    expect(errorFiles.length).toBeGreaterThan(0);
  });

  normalFiles.forEach((name, i) => {
    it(name, async () => {
      if (python.ok) void pythonResult(i); // for the differential suite below; not awaited here
      const r = await runPar(name);
      expectCleanRun(r);
      if (UPDATE) {
        writeFileSync(outPath(name), r.output);
        return;
      }
      expect(r.output).toBe(readExpected(name));
    });
  });

  for (const name of errorFiles) {
    it(name, async () => {
      const markers = parseMarkers(readSource(name));
      expect(markers.length, `${name} has no "# error: <text>" marker`).toBeGreaterThan(0);
      const r = await runPar(name);
      const file = r.result.file;
      const errs = errorsOf(r.result);
      let reported: Reported[];
      if (errs.length > 0) {
        reported = errs.map((d) => ({ line: lineCol(file, d.span.start).line, message: d.message, formatted: r.result.format(d) }));
      } else {
        if (r.runError === undefined) {
          throw new Error(`expected an error at line(s) ${markers.map((m) => m.line).join(', ')}, but the program compiled and ran; output:\n${r.output}`);
        }
        const pe = asParError(r.runError);
        if (!pe) throw r.runError;
        reported = [{ line: lineCol(file, pe.diagnostic.span.start).line, message: pe.diagnostic.message, formatted: pe.formatted }];
      }
      const listing = reported.map((x) => x.formatted).join('\n');
      for (const mk of markers) {
        const hit = reported.find((x) => x.line === mk.line && x.message.toLowerCase().includes(mk.text.toLowerCase()));
        expect(hit, `no error at ${rel(name)}:${mk.line} containing "${mk.text}"; reported:\n${listing}`).toBeDefined();
        const head = new RegExp(`^${escapeRe(rel(name))}:${mk.line}:\\d+: error: `);
        expect(hit!.formatted, 'formatted report must start with path:line:col: error:').toMatch(head);
        expect(hit!.formatted, 'formatted report must have a caret line').toMatch(/^\s*\^~*\s*$/m);
      }
      // Output printed before a run-time error; a compile-time error prints nothing (a run-time error
      // that the compiler catches early is accepted, so the output is compared only when it ran).
      if (r.ran) {
        if (UPDATE) writeFileSync(outPath(name), r.output);
        else expect(r.output).toBe(readExpected(name));
      }
    });
  }
});

// ---- Differential testing against CPython + NumPy ----

describe.skipIf(!python.ok)('differential vs CPython+NumPy', () => {
  normalFiles.forEach((name, i) => {
    it(name, async () => {
      const py = await pythonResult(i);
      if (py.code !== 0) throw new Error(`python3 test/oracle/run.py ${rel(name)} exited with ${py.code}:\n${py.stderr}`);
      const r = await runPar(name);
      expectCleanRun(r);
      const diff = compareOutputs(r.output, py.stdout);
      expect(diff, `${diff}\n--- Par ---\n${r.output}\n--- Python ---\n${py.stdout}`).toBeNull();
    });
  });
});
