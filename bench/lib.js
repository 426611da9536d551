// Shared helpers for bench/run.js (timings) and bench/check.js (agreement at small sizes): the
// single-thread kernel table, building the C versions (plain and OpenMP), running the Par/JS/C/Python
// implementations and reading their "checksum:" and "time:" lines.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const benchDir = dirname(fileURLToPath(import.meta.url));
export const rootDir = dirname(benchDir);
export const kernelDir = join(benchDir, 'kernels');
export const outDir = join(benchDir, 'out');
/** The parallel kernels (.par and C + OpenMP twins); their table is in bench/parallel.js. */
export const parallelKernelDir = join(kernelDir, 'parallel');

/**
 * The kernels. `params` are the size variables at the top of the .par file and, in the same order,
 * the command-line arguments of the JS and C versions; `small` are sizes at which the Python oracle
 * runs in about a second (they match the examples/ programs of the same name).
 */
export const KERNELS = [
  { name: 'mandelbrot', params: ['w', 'h', 'maxiter'], small: [400, 300, 200] },
  { name: 'nbody', params: ['steps'], small: [1000] },
];

export function parSource(name) {
  return readFileSync(join(kernelDir, `${name}.par`), 'utf8');
}

/** Rewrites the top-level `name = <int>` lines of a .par source to other sizes. */
export function withParams(src, kernel, values) {
  kernel.params.forEach((p, i) => {
    const re = new RegExp(`^${p} = \\d+$`, 'm');
    if (!re.test(src)) throw new Error(`${kernel.name}.par has no line "${p} = <int>"`);
    src = src.replace(re, `${p} = ${values[i]}`);
  });
  return src;
}

/** Parses `checksum: X`, `time: S` and, when present, `mean: S` from a program's output. */
export function parseOutput(text) {
  const checksum = /^checksum:\s*(\S+)\s*$/m.exec(text)?.[1];
  const time = /^time:\s*(\S+)\s*$/m.exec(text)?.[1];
  const mean = /^mean:\s*(\S+)\s*$/m.exec(text)?.[1];
  if (checksum === undefined) throw new Error(`no "checksum:" line in output: ${JSON.stringify(text.slice(0, 200))}`);
  if (time === undefined || !Number.isFinite(Number(time))) throw new Error(`no "time:" line in output: ${JSON.stringify(text.slice(0, 200))}`);
  return mean === undefined ? { checksum, time: Number(time) } : { checksum, time: Number(time), mean: Number(mean) };
}

/**
 * Compares two printed checksums. Integers must match exactly; floats are compared as numbers (C and
 * JS print them differently) and a relative difference up to 1e-9 counts as agreement "within rounding".
 */
export function compareChecksums(a, b) {
  if (a === b) return 'exact';
  const x = Number(a), y = Number(b);
  if (!Number.isFinite(x) || !Number.isFinite(y)) return 'mismatch';
  if (x === y) return 'exact';
  const isInt = (s) => /^-?\d+$/.test(s);
  if (isInt(a) && isInt(b)) return 'mismatch';
  return Math.abs(x - y) <= 1e-9 * Math.max(Math.abs(x), Math.abs(y)) ? 'rounding' : 'mismatch';
}

export function median(xs) {
  const s = [...xs].sort((p, q) => p - q);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function errorMessage(e) {
  if (e && typeof e === 'object' && 'formatted' in e && e.formatted) return String(e.formatted).split('\n')[0];
  return e instanceof Error ? e.message : String(e);
}

/** First line of `gcc --version`, or null when gcc is not on the PATH. */
export function gccVersion() {
  const r = spawnSync('gcc', ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return null;
  return r.stdout.split('\n')[0].trim();
}

/** Builds bench/out/<name> from bench/kernels/<name>.c; returns null or an error message. */
export function buildC(name) {
  mkdirSync(outDir, { recursive: true });
  // -ffp-contract=off keeps gcc from fusing a*b+c into an FMA on targets that have one, so the C
  // version rounds exactly like JS, wasm and NumPy.
  const args = ['-O2', '-ffp-contract=off', '-o', join(outDir, name), join(kernelDir, `${name}.c`), '-lm'];
  const r = spawnSync('gcc', args, { encoding: 'utf8' });
  if (r.error) return r.error.message;
  if (r.status !== 0) return `gcc failed: ${(r.stderr || '').trim().split('\n')[0]}`;
  return null;
}

/** Runs a command (with extra environment variables), returning parsed output or throwing with its stderr. */
export function runProcess(cmd, args, timeoutMs = 300_000, env = undefined) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: timeoutMs, cwd: rootDir, env: env ? { ...process.env, ...env } : process.env });
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`);
  if (r.status !== 0) {
    const why = (r.stderr || r.stdout || '').trim().split('\n').slice(-1)[0];
    throw new Error(`${cmd} exited with ${r.status ?? r.signal}: ${why}`);
  }
  return parseOutput(r.stdout);
}

export function runJS(kernel, values = []) {
  return runProcess(process.execPath, [join(kernelDir, `${kernel.name}.js`), ...values.map(String)]);
}

export function runC(kernel, values = []) {
  return runProcess(join(outDir, kernel.name), values.map(String));
}

/** Loads the built compiler (dist/index.js); returns { compile } or { error }. */
export async function loadPar() {
  const entry = join(rootDir, 'dist', 'index.js');
  if (!existsSync(entry)) return { error: 'dist/index.js not found (run npm run build)' };
  try {
    const mod = await import(new URL(`file://${entry}`).href);
    if (typeof mod.compile !== 'function') return { error: 'dist/index.js exports no compile()' };
    return { compile: mod.compile };
  } catch (e) {
    return { error: `cannot load dist/index.js: ${errorMessage(e)}` };
  }
}

/**
 * Compiles a .par source with compile() for a team of `threads`; returns the Program, or throws with
 * a one-line message. The Program owns a worker team: the caller must dispose() it.
 */
export async function compilePar(par, filename, src, threads = 1) {
  if (par.error) throw new Error(par.error);
  const r = await par.compile(src, { filename, threads });
  if (!r.program) {
    const d = r.diagnostics.find((x) => x.severity === 'error') ?? r.diagnostics[0];
    throw new Error(d ? r.format(d).split('\n')[0] : 'compilation failed without a diagnostic');
  }
  return r.program;
}

/** Runs a compiled Par program's script body once; returns its parsed output. */
export async function runParProgram(program) {
  let out = '';
  await program.run({ stdout: (t) => { out += t; } });
  return parseOutput(out);
}

/**
 * Compiles a .par source once with compile() and runs it `runs` times in this process, collecting
 * each run's printed output. Throws with a one-line message when compilation or a run fails.
 */
export async function runPar(par, filename, src, runs, threads = 1) {
  const program = await compilePar(par, filename, src, threads);
  const results = [];
  try {
    for (let i = 0; i < runs; i++) results.push(await runParProgram(program));
  } finally {
    program.dispose();
  }
  return results;
}

/**
 * Whether `gcc -fopenmp` works here: builds and runs a tiny OpenMP program. Returns { openmp } (the
 * _OPENMP date, e.g. 201511) or { error } saying what failed (no gcc, no libgomp, ...).
 */
export function ompProbe() {
  mkdirSync(outDir, { recursive: true });
  const src = join(outDir, 'omp-probe.c');
  const exe = join(outDir, 'omp-probe');
  writeFileSync(src, '#include <omp.h>\n#include <stdio.h>\nint main(void) {\n  int n = 0;\n#pragma omp parallel reduction(+ : n)\n  n += 1;\n  printf("%d %d %f\\n", _OPENMP, n, omp_get_wtime());\n  return n < 1;\n}\n');
  const b = spawnSync('gcc', ['-O2', '-fopenmp', '-o', exe, src], { encoding: 'utf8' });
  if (b.error) return { error: `gcc: ${b.error.message}` };
  if (b.status !== 0) return { error: `gcc -fopenmp failed: ${(b.stderr || '').trim().split('\n')[0]}` };
  const r = spawnSync(exe, [], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '2' } });
  if (r.error || r.status !== 0) return { error: `an OpenMP test program did not run: ${r.error?.message ?? (r.stderr || '').trim().split('\n')[0]}` };
  return { openmp: r.stdout.trim().split(/\s+/)[0] };
}

/**
 * Builds an OpenMP kernel with gcc -O3 -fopenmp (plus -D defines) into bench/out/parallel/<exe>;
 * returns null or an error message. -ffp-contract=off as in buildC: no FMA, the rounding of wasm.
 */
export function buildOmp(src, exe, defines = []) {
  mkdirSync(dirname(exe), { recursive: true });
  const args = ['-O3', '-fopenmp', '-ffp-contract=off', ...defines.map((d) => `-D${d}`), '-o', exe, src, '-lm'];
  const r = spawnSync('gcc', args, { encoding: 'utf8' });
  if (r.error) return r.error.message;
  if (r.status !== 0) return `gcc failed: ${(r.stderr || '').trim().split('\n')[0]}`;
  return null;
}

/** Runs an OpenMP binary with OMP_NUM_THREADS=threads; parsed output, or throws. */
export function runOmp(exe, values, threads) {
  return runProcess(exe, values.map(String), 300_000, { OMP_NUM_THREADS: String(threads), OMP_DYNAMIC: 'false' });
}

/**
 * CPU accounting for "how busy was the machine with other work": a snapshot of the machine's busy
 * and total time (/proc/stat, all CPUs) and of this process's own CPU time including the children it
 * waited for (/proc/self/stat: utime, stime, cutime, cstime), all in clock ticks. null where /proc
 * is missing (not Linux).
 */
export function cpuSnapshot() {
  try {
    // user nice system idle iowait irq softirq steal (guest time is already counted in user).
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
    const total = cpu.reduce((a, b) => a + b, 0);
    const idle = cpu[3] + (cpu[4] ?? 0); // idle + iowait
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number); // fields from 3 (state) on
    const own = f[11] + f[12] + f[13] + f[14]; // utime stime cutime cstime (fields 14..17)
    return { total, busy: total - idle, own };
  } catch {
    return null;
  }
}

/**
 * Cores' worth of CPU time that other processes used between two snapshots: (machine busy time -
 * this process's time) / elapsed time. null when unknown.
 */
export function otherLoad(a, b, cores) {
  if (!a || !b || b.total <= a.total) return null;
  return Math.max(0, ((b.busy - a.busy) - (b.own - a.own)) / (b.total - a.total) * cores);
}

/**
 * Runs each implementation once per round, in turn, for `runs` rounds (so slow drifts of the machine
 * hit all of them alike); one that fails keeps its error and is not run again.
 */
export async function runInTurn(m, run, impls, runs) {
  for (let r = 0; r < runs; r++) {
    for (const impl of impls) {
      if (!m[impl].results) continue;
      try {
        m[impl].results.push(await run[impl]());
      } catch (e) {
        m[impl] = { error: errorMessage(e) };
      }
    }
  }
}
