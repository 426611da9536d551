// Numba differential suite: every test/numba/*.py is a Numba program as people publish them
// (@njit/@jit decorators, prange, np.* inside jitted functions, f-strings). Each one runs unchanged
// under real Numba (/usr/bin/python3, or NUMBA_PYTHON) and under Par with 1 and 2 threads, and the
// outputs are compared token by token with the programs suite's tolerance (test/compare-output.ts).
// Par's runs must also print exactly the same text for both thread counts. The suite is skipped,
// with a note, when that interpreter cannot import numba.
import { describe, it, expect } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile, ParError } from '../index.js';
import type { CompileResult } from '../index.js';
import { compareOutputs } from './compare-output.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIR_REL = 'test/numba';
const DIR = path.join(ROOT, DIR_REL);
const files = readdirSync(DIR).filter((f) => f.endsWith('.py')).sort();
const rel = (name: string) => `${DIR_REL}/${name}`;

const PYTHON = process.env.NUMBA_PYTHON ?? '/usr/bin/python3';
// A fixed Numba team, so runs do not depend on the machine; the programs print nothing that does.
const NUMBA_THREADS = '2';
const NUMBA_POOL = 2;
const NUMBA_TIMEOUT_MS = 120_000;
const PAR_THREADS = [1, 2] as const;

// The interpreter gets a clean environment: no PYTHONPATH/PYTHONHOME from the python3 on PATH
// (CPython with NumPy 2, no Numba), no bytecode written into the repository.
function pythonEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PYTHONDONTWRITEBYTECODE: '1', NUMBA_NUM_THREADS: NUMBA_THREADS };
  delete env.PYTHONPATH;
  delete env.PYTHONHOME;
  return env;
}

function detectNumba(): { ok: boolean; reason: string } {
  const res = spawnSync(PYTHON, ['-c', 'import numba'], { encoding: 'utf8', timeout: 60_000, env: pythonEnv() });
  if (res.error) return { ok: false, reason: `${PYTHON} not runnable (${res.error.message})` };
  if (res.status !== 0) {
    const last = (res.stderr ?? '').trim().split('\n').pop() ?? '';
    return { ok: false, reason: `${PYTHON} cannot import numba (${last}); install python3-numba, or set NUMBA_PYTHON` };
  }
  return { ok: true, reason: '' };
}

const numba = detectNumba();
if (!numba.ok) console.warn(`[numba.test] skipping the Numba differential suite: ${numba.reason}`);

// ---- Real Numba: every program queued at once, at most NUMBA_POOL processes at a time ----

interface PyRun { code: number | null; stdout: string; stderr: string }

function runNumba(name: string): Promise<PyRun> {
  return new Promise((resolve) => {
    const child = spawn(PYTHON, [rel(name)], { cwd: ROOT, env: pythonEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => { stdout += s; });
    child.stderr.setEncoding('utf8').on('data', (s: string) => { stderr += s; });
    const timer = setTimeout(() => { stderr += `\n[killed after ${NUMBA_TIMEOUT_MS} ms]`; child.kill('SIGKILL'); }, NUMBA_TIMEOUT_MS);
    child.on('error', (e) => { clearTimeout(timer); resolve({ code: -1, stdout, stderr: stderr + String(e) }); });
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}

const numbaRuns = new Map<string, Promise<PyRun>>();
if (numba.ok) {
  let active = 0;
  const queue: (() => void)[] = [];
  const next = () => {
    while (active < NUMBA_POOL && queue.length > 0) {
      active++;
      queue.shift()!();
    }
  };
  for (const name of files) {
    numbaRuns.set(name, new Promise<PyRun>((resolve) => {
      queue.push(() => { void runNumba(name).then(resolve).finally(() => { active--; next(); }); });
    }));
  }
  next();
}

async function numbaOutput(name: string): Promise<string> {
  const r = await numbaRuns.get(name)!;
  if (r.code !== 0) throw new Error(`real Numba failed: ${PYTHON} ${rel(name)} exited with ${r.code}:\n${r.stderr}`);
  return r.stdout;
}

// ---- Par: compile() and run, once per program and team size ----

interface ParRun { result: CompileResult; output: string; error: string | null }

function asParError(e: unknown): ParError | null {
  if (e instanceof ParError) return e;
  if (e && typeof e === 'object' && 'diagnostic' in e && 'formatted' in e) return e as ParError;
  return null;
}

async function runParUncached(name: string, threads: number): Promise<ParRun> {
  const result = await compile(readFileSync(path.join(DIR, name), 'utf8'), { filename: rel(name), threads, cacheDir: false });
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  if (!result.program) {
    return { result, output: '', error: `Par compile errors:\n${errors.map((d) => result.format(d)).join('\n')}` };
  }
  let output = '';
  let error: string | null = null;
  try {
    await result.program.run({ stdout: (text) => { output += text; } });
  } catch (e) {
    const pe = asParError(e);
    if (!pe) throw e;
    error = `Par run-time error:\n${pe.formatted}\noutput before the error:\n${output}`;
  } finally {
    result.program.dispose();
  }
  return { result, output, error };
}

const parRuns = new Map<string, Promise<ParRun>>();
function runPar(name: string, threads: number): Promise<ParRun> {
  const key = `${name}@${threads}`;
  let p = parRuns.get(key);
  if (!p) {
    p = runParUncached(name, threads);
    parRuns.set(key, p);
  }
  return p;
}

// ---- The suite ----

if (!numba.ok) {
  describe('numba differential (real Numba vs Par)', () => {
    it.skip(`skipped: ${numba.reason}`, () => {});
  });
} else {
  describe('numba differential (real Numba vs Par)', () => {
    it('has programs to test', () => {
      expect(files.length).toBeGreaterThanOrEqual(14);
    });

    for (const name of files) {
      for (const threads of PAR_THREADS) {
        it(`${name} (${threads} thread${threads === 1 ? '' : 's'})`, async () => {
          const expected = await numbaOutput(name);
          const par = await runPar(name, threads);
          if (par.error) throw new Error(par.error);
          const diff = compareOutputs(par.output, expected, ['Par', 'Numba']);
          expect(diff, `${diff}\n--- Par (${threads} threads) ---\n${par.output}\n--- Numba ---\n${expected}`).toBeNull();
          if (threads !== PAR_THREADS[0]) {
            const first = await runPar(name, PAR_THREADS[0]);
            if (!first.error) expect(par.output, `Par printed different text with ${PAR_THREADS[0]} and ${threads} threads`).toBe(first.output);
          }
        }, NUMBA_TIMEOUT_MS + 30_000);
      }
    }
  });
}
