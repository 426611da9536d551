// Tests of the `par` command line. Two halves:
//  - end to end: spawn `node bin/par.js ...` exactly as a user would (the test script runs tsc
//    first, so dist/ exists) and check exit codes, stdout/stderr and colour handling;
//  - in process: main() with a fake compile() and fake I/O, for the paths the real compiler cannot
//    be made to take on demand (internal errors, --time hooks, disposal, SIGINT, cache options).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CliIO } from '../compiler/cli.js';
import type { CompileOptions, CompileResult, Program } from '../compiler/driver.js';
import { formatDiagnostic, type Diagnostic } from '../language/diagnostics.js';
import { sourceFile } from '../language/source.js';
import { ParError } from '../runtime/errors.js';

// The in-process half replaces compile(); the spawned half runs dist/ and is unaffected.
const fake = vi.hoisted(() => ({
  compile: null as null | ((source: string, options?: CompileOptions) => Promise<CompileResult>),
}));
vi.mock('../compiler/driver.js', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../compiler/driver.js')>()),
  compile: (source: string, options?: CompileOptions) => fake.compile!(source, options),
}));
const { main, colorEnabled, defaultCacheDir, EXIT_INTERNAL, EXIT_INTERRUPTED } = await import('../compiler/cli.js');

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'par.js');
const work = mkdtempSync(join(tmpdir(), 'par-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const ESC = '\x1b[';
/** A line of a JavaScript stack trace: users must never see one for their own mistakes. */
const STACK_LINE = /^\s+at .+:\d+:\d+\)?$/m;

function script(name: string, text: string): string {
  const path = join(work, name);
  writeFileSync(path, text);
  return path;
}

interface Run { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

/**
 * Spawns the CLI with a predictable environment: no colour variables, no CI (picocolors' rule
 * turns colour on under CI), no cache writes into the test folders, unless `env` says otherwise.
 */
function par(
  args: string[],
  opts: { input?: string; env?: Record<string, string>; cwd?: string; onSpawn?: (kill: (s: NodeJS.Signals) => void) => void } = {},
): Promise<Run> {
  const env: Record<string, string | undefined> = { ...process.env, PAR_NO_CACHE: '1' };
  for (const k of ['NO_COLOR', 'FORCE_COLOR', 'CI', 'PAR_DEBUG', 'TERM']) delete env[k];
  Object.assign(env, opts.env);
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: opts.cwd ?? work, env, stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => { stdout += s; });
    child.stderr.setEncoding('utf8').on('data', (s: string) => { stderr += s; });
    child.on('error', reject);
    child.on('close', (code, signal) => resolvePromise({ code, signal, stdout, stderr }));
    if (opts.onSpawn) opts.onSpawn((s) => child.kill(s));
    else child.stdin.end(opts.input ?? '');
  });
}

describe('par (spawned): arguments and usage', () => {
  it.each([['--help'], ['-h'], ['help']])('%s prints usage to stdout and exits 0', async (flag) => {
    const r = await par([flag]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage:');
    expect(r.stdout).toContain('par run FILE');
    expect(r.stdout).toContain('--dump=STAGE');
    expect(r.stderr).toBe('');
  });

  it('--version prints the version from package.json', async () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    const r = await par(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(`par ${pkg.version}`);
  });

  const good = () => script('usage.par', 'print(1)\n');
  it.each<[string, () => string[], RegExp]>([
    ['no arguments', () => [], /missing FILE/],
    ['an unknown option', () => ['--bogus'], /unknown option '--bogus'/],
    ['an unknown short option', () => ['-x', good()], /unknown option '-x'/],
    ['an unknown command', () => ['frobnicate'], /unknown command 'frobnicate'/],
    ['run without a file', () => ['run'], /missing FILE/],
    ['a missing file', () => ['run', join(work, 'does-not-exist.par')], /can't open file .*does-not-exist\.par.*no such file/],
    ['a missing file via the shortcut', () => ['nope.par'], /can't open file 'nope\.par'/],
    ['a directory', () => ['run', work], /is a directory/],
    ['--threads 0', () => ['run', good(), '--threads', '0'], /--threads expects a positive whole number/],
    ['--threads=abc', () => ['run', good(), '--threads=abc'], /--threads expects a positive whole number, got 'abc'/],
    ['--threads=-2', () => ['run', good(), '--threads=-2'], /--threads expects a positive whole number/],
    ['--threads 1.5', () => ['run', good(), '--threads', '1.5'], /--threads expects a positive whole number/],
    ['--threads without a value', () => ['run', good(), '--threads'], /--threads needs a value/],
    ['a bad --dump stage', () => ['run', good(), '--dump=bytes'], /--dump expects one of ast, typed, ir, outlined, wat/],
    ['a value for a flag', () => ['run', good(), '--time=yes'], /--time does not take a value/],
    ['a run option with check', () => ['check', good(), '--threads', '2'], /applies to 'par run'/],
    ['two files', () => ['run', good(), good()], /unexpected argument/],
    ['-e without code', () => ['-e'], /-e needs an argument/],
    ['-e with a file too', () => ['-e', 'print(1)', good()], /unexpected argument/],
  ])('%s is a usage error: exit 2, a one-line message and a hint', async (_name, args, message) => {
    const r = await par(args());
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^par: error: /);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toContain("Try 'par --help'");
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(r.stderr.trim().split('\n')).toHaveLength(2);
  });

  it('SIGINT while waiting for the script on stdin exits 130', async () => {
    const r = await par(['run', '-'], {
      // stdin stays open, so the CLI sits in readStdin() with its handler installed.
      onSpawn: (kill) => { setTimeout(() => kill('SIGINT'), 1500); },
    });
    expect(r.signal).toBeNull();
    expect(r.code).toBe(130);
    expect(r.stderr).not.toMatch(STACK_LINE);
  });
});

describe('par (spawned): colour', () => {
  // Usage errors are coloured by the same rule as diagnostics, so this half runs without a compiler.
  it('is off when stderr is not a terminal', async () => {
    const r = await par(['--bogus']);
    expect(r.stderr).not.toContain(ESC);
  });
  it('is on with FORCE_COLOR=1', async () => {
    const r = await par(['--bogus'], { env: { FORCE_COLOR: '1' } });
    expect(r.stderr).toContain(ESC);
  });
  it('is off with FORCE_COLOR=0', async () => {
    const r = await par(['--bogus'], { env: { FORCE_COLOR: '0' } });
    expect(r.stderr).not.toContain(ESC);
  });
  it('NO_COLOR wins over FORCE_COLOR', async () => {
    const r = await par(['--bogus'], { env: { FORCE_COLOR: '1', NO_COLOR: '1' } });
    expect(r.stderr).not.toContain(ESC);
  });
  it('--color and --no-color override the environment', async () => {
    const on = await par(['--color', '--bogus'], { env: { NO_COLOR: '1' } });
    expect(on.stderr).toContain(ESC);
    const off = await par(['--no-color', '--bogus'], { env: { FORCE_COLOR: '1' } });
    expect(off.stderr).not.toContain(ESC);
  });
  it('stdout (help, dumps, program output) is never coloured', async () => {
    const r = await par(['--help'], { env: { FORCE_COLOR: '1' } });
    expect(r.stdout).not.toContain(ESC);
  });
});

// These need the real compiler and runtime (compiler/driver.ts); until they land they fail with
// exit 70 "internal error: ... not implemented yet", which is itself the documented behaviour.
describe('par (spawned): compiling and running', () => {
  const syntaxError = () => script('syntax.par', 'x = 1\ndef f(:\n    return 1\n');

  it('-e runs inline code', async () => {
    const r = await par(['-e', 'print(1 + 2)']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('3\n');
    expect(r.code).toBe(0);
  });

  it('run - reads the script from stdin', async () => {
    const r = await par(['run', '-'], { input: 'x = 6\nprint(x * 7)\n' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('42\n');
    expect(r.code).toBe(0);
  });

  it('run FILE and the shortcut par FILE run a script', async () => {
    const f = script('hello.par', 'def sq(x):\n    return x * x\n\nprint(sq(9))\n');
    for (const args of [['run', f], [f], ['run', f, '--threads', '2', '--no-bounds-check', '--no-cache']]) {
      const r = await par(args);
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe('81\n');
      expect(r.code).toBe(0);
    }
  });

  it('a syntax error exits 1 with file:line:col, the source line and a caret, and no stack', async () => {
    const f = syntaxError();
    const r = await par(['run', f]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/syntax\.par:2:\d+: error: /);
    expect(r.stderr).toContain('def f(:');
    expect(r.stderr).toMatch(/^\s*\^/m);
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(r.stderr).not.toContain('internal error');
  });

  it('diagnostics for stdin and -e are named <stdin> and <string>', async () => {
    const a = await par(['run', '-'], { input: 'def f(:\n' });
    expect(a.code).toBe(1);
    expect(a.stderr).toMatch(/^<stdin>:1:\d+: error: /m);
    const b = await par(['-e', 'def f(:']);
    expect(b.code).toBe(1);
    expect(b.stderr).toMatch(/^<string>:1:\d+: error: /m);
  });

  it('check prints diagnostics and exits 1 on errors, 0 without, running nothing', async () => {
    const bad = await par(['check', syntaxError()]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/syntax\.par:2:\d+: error: /);
    const ok = await par(['check', script('fine.par', 'print(123)\n')]);
    expect(ok.stderr).toBe('');
    expect(ok.stdout).toBe('');
    expect(ok.code).toBe(0);
  });

  it('diagnostics are coloured with FORCE_COLOR=1 and plain with NO_COLOR', async () => {
    const f = syntaxError();
    const forced = await par(['run', f], { env: { FORCE_COLOR: '1' } });
    expect(forced.code).toBe(1);
    expect(forced.stderr).toContain(ESC);
    const plain = await par(['run', f], { env: { FORCE_COLOR: '1', NO_COLOR: '1' } });
    expect(plain.code).toBe(1);
    expect(plain.stderr).not.toContain(ESC);
    expect(plain.stderr).toMatch(/syntax\.par:2:\d+: error: /);
    const piped = await par(['run', f]);
    expect(piped.stderr).not.toContain(ESC);
  });

  it.each([
    ['an IndexError', 'a = zeros(3)\nprint(a[0])\nprint(a[5])\n', /rt\.par:3:\d+: error: .*index/i],
    ['a raised ValueError', 'print(1)\nraise ValueError("boom")\n', /rt\.par:2:\d+: error: .*boom/],
  ])('%s at run time exits 1 with the formatted error and no stack', async (_name, text, message) => {
    const r = await par(['run', script('rt.par', text)]);
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n')[0]).toMatch(/^(0\.0|1)$/); // output before the error is kept
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(r.stderr).not.toContain('internal error');
  });

  it.each(['ast', 'typed', 'ir', 'wat'])('--dump=%s prints the stage and does not run', async (stage) => {
    const r = await par(['-e', 'x = 1000 + 234\nprint(x)', `--dump=${stage}`]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().length).toBeGreaterThan(0);
    expect(r.stdout).not.toMatch(/^1234$/m);
    if (stage === 'wat') expect(r.stdout).toContain('(module');
  });

  it.each(['ast', 'typed', 'ir', 'outlined', 'wat'])('--dump=%s after a compile error prints the error and no hint', async (stage) => {
    // The late stages never ran; the dump once said the wasm "came from the cache" under --no-cache.
    const r = await par(['run', script('colon.par', 'if True\n    x = 1\n'), '--no-cache', `--dump=${stage}`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/colon\.par:1:8: error: /);
    expect(r.stdout).not.toMatch(/cache|--dump/);
    if (stage !== 'ast') expect(r.stdout).toBe('');
  });

  it('a very long operator chain is a compile error at the expression, not an internal error', async () => {
    const r = await par(['run', script('chain.par', `a = ones(3)\nx = ${Array(1500).fill('a').join('+')}\nprint(x)\n`)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^.*chain\.par:2:5: error: this expression is too deeply nested to compile/);
    expect(r.stderr).not.toContain('internal error');
    expect(r.stderr).not.toMatch(STACK_LINE);
  });

  it('--time reports compile and run times on stderr, leaving stdout alone', async () => {
    const r = await par(['-e', 'print(5)', '--time']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('5\n');
    expect(r.stderr).toMatch(/compile\s+[\d.]+ m?s/);
    expect(r.stderr).toMatch(/run\s+[\d.]+ m?s/);
  });
});

// ---------------------------------------------------------------------------------------------
// In process, with a fake compiler.

interface FakeIO { out: string; err: string; exitCode: number | null; interrupt: (() => void) | null; io: CliIO }
function fakeIO(env: Record<string, string> = {}, stdin = ''): FakeIO {
  const f: FakeIO = {
    out: '', err: '', exitCode: null, interrupt: null,
    io: {
      stdout: { write: (s: string) => { f.out += s; } },
      stderr: { write: (s: string) => { f.err += s; }, isTTY: false },
      env,
      readStdin: async () => stdin,
      exit: (code: number) => { f.exitCode = code; },
      onInterrupt: (h: () => void) => { f.interrupt = h; return () => { f.interrupt = null; }; },
    },
  };
  return f;
}

interface FakeProgram extends Program { disposed: number; timings?: unknown }
function fakeProgram(run: Program['run']): FakeProgram {
  const p: FakeProgram = {
    disposed: 0,
    run,
    call: async () => null,
    dispose: () => { p.disposed++; },
    [Symbol.dispose]: () => { p.dispose(); },
  };
  return p;
}
function fakeResult(source: string, options: CompileOptions | undefined, program: Program | null, diagnostics: Diagnostic[] = []): CompileResult {
  const file = sourceFile(options?.filename ?? '<input>', source);
  return {
    file, diagnostics, program,
    dump: (stage) => `(${stage} of ${file.name})`,
    format: (d, o) => formatDiagnostic(d, file, o),
  };
}

describe('main() in process', () => {
  let seen: CompileOptions | undefined;
  beforeEach(() => { seen = undefined; });

  it('an unexpected exception is an internal error: exit 70, stack only with PAR_DEBUG=1', async () => {
    fake.compile = async () => { throw new Error('kaboom'); };
    const quiet = fakeIO();
    expect(await main(['-e', 'print(1)'], quiet.io)).toBe(EXIT_INTERNAL);
    expect(quiet.err).toMatch(/^par: internal error: kaboom$/m);
    expect(quiet.err).not.toMatch(STACK_LINE);
    const debug = fakeIO({ PAR_DEBUG: '1' });
    expect(await main(['-e', 'print(1)'], debug.io)).toBe(EXIT_INTERNAL);
    expect(debug.err).toMatch(STACK_LINE);
  });

  it('a ParError from run prints err.formatted, exits 1 and disposes the program', async () => {
    const prog = fakeProgram(async (o) => {
      o?.stdout?.('partial\n');
      const d: Diagnostic = { code: 3001, severity: 'error', message: 'index 5 is out of bounds for axis 0 with size 3', span: { start: 0, end: 1 } };
      throw new ParError(d, 'x.par:1:1: error: index 5 is out of bounds\n  a[5]\n  ^', 2, 17n);
    });
    fake.compile = async (s, o) => fakeResult(s, o, prog);
    const f = fakeIO();
    expect(await main(['-e', 'a[5]'], f.io)).toBe(1);
    expect(f.out).toBe('partial\n');
    expect(f.err).toBe('x.par:1:1: error: index 5 is out of bounds\n  a[5]\n  ^\n');
    expect(prog.disposed).toBe(1);
  });

  it('compile errors are formatted with the colour decided for stderr and nothing runs', async () => {
    fake.compile = async (s, o) => fakeResult(s, o, null, [
      { code: 1010, severity: 'error', message: 'expected an expression', span: { start: 4, end: 5 } },
    ]);
    const plain = fakeIO();
    expect(await main(['-e', 'x = )'], plain.io)).toBe(1);
    expect(plain.err).toBe('<string>:1:5: error: expected an expression\n  x = )\n      ^\n');
    const colored = fakeIO({ FORCE_COLOR: '1' });
    expect(await main(['-e', 'x = )'], colored.io)).toBe(1);
    expect(colored.err).toContain(ESC);
  });

  it('warnings alone do not fail the run', async () => {
    const prog = fakeProgram(async () => {});
    fake.compile = async (s, o) => fakeResult(s, o, prog, [
      { code: 9999, severity: 'warning', message: 'unused variable', span: { start: 0, end: 1 } },
    ]);
    const f = fakeIO();
    expect(await main(['-e', 'y = 1'], f.io)).toBe(0);
    expect(f.err).toContain('warning: unused variable');
  });

  it('--dump prints result.dump(stage) and never runs', async () => {
    const run = vi.fn(async () => {});
    fake.compile = async (s, o) => { seen = o; return fakeResult(s, o, fakeProgram(run)); };
    const f = fakeIO();
    expect(await main(['-e', 'print(1)', '--dump=ir'], f.io)).toBe(0);
    expect(f.out).toBe('(ir of <string>)\n');
    expect(run).not.toHaveBeenCalled();
    expect(seen?.cacheDir).toBe(false); // a dump must see every stage, not a cached module
  });

  it('passes threads, bounds checks and the cache directory to compile()', async () => {
    const prog = fakeProgram(async () => {});
    fake.compile = async (s, o) => { seen = o; return fakeResult(s, o, prog); };
    const file = script('opts.par', 'print(1)\n');
    expect(await main(['run', file, '--threads', '3', '--no-bounds-check'], fakeIO().io)).toBe(0);
    expect(seen).toMatchObject({ filename: file, threads: 3, boundsCheck: false, cacheDir: join(work, '.parcache') });
    expect(await main([file, '--no-cache'], fakeIO().io)).toBe(0);
    expect(seen).toMatchObject({ boundsCheck: true, cacheDir: false });
    expect(seen).not.toHaveProperty('threads');
    expect(await main([file], fakeIO({ PAR_NO_CACHE: '1' }).io)).toBe(0);
    expect(seen?.cacheDir).toBe(false);
    expect(await main(['run', '-'], fakeIO({ XDG_CACHE_HOME: '/xdg' }, 'print(1)').io)).toBe(0);
    expect(seen).toMatchObject({ filename: '<stdin>', cacheDir: join('/xdg', 'par') });
  });

  it('--time prints compile and run times plus any timings the compiler and program expose', async () => {
    const prog = fakeProgram(async () => {});
    prog.timings = ['prange at k.par:4: 8 threads, dynamic, 12.0 ms'];
    fake.compile = async (s, o) => Object.assign(fakeResult(s, o, prog), { timings: { parse: 1.5, emit: 3 } });
    const f = fakeIO();
    expect(await main(['-e', 'print(1)', '--time'], f.io)).toBe(0);
    expect(f.err).toMatch(/compile\s+[\d.]+ ms/);
    expect(f.err).toMatch(/parse 1\.50 ms/);
    expect(f.err).toMatch(/run\s+[\d.]+ ms/);
    expect(f.err).toContain('prange at k.par:4: 8 threads, dynamic, 12.0 ms');
  });

  it('holds no SIGINT handler while the program runs, so Ctrl-C takes the default action at once', async () => {
    // Thread 0 is busy in wasm during a run: a JS handler could not run before it returns.
    let finish!: () => void;
    const prog = fakeProgram(() => new Promise<void>((r) => { finish = r; }));
    fake.compile = async (s, o) => fakeResult(s, o, prog);
    const f = fakeIO();
    const done = main(['-e', 'while True: pass'], f.io);
    await vi.waitFor(() => expect(typeof finish).toBe('function'));
    expect(f.interrupt).toBeNull();
    finish();
    expect(await done).toBe(0);
    expect(prog.disposed).toBe(1);
    expect(f.interrupt).toBeNull(); // and none is left once main() returns
  });

  it('-e takes the next argument verbatim, even when it starts with a dash', async () => {
    const sources: string[] = [];
    fake.compile = async (s, o) => { sources.push(s); return fakeResult(s, o, fakeProgram(async () => {})); };
    expect(await main(['-e', '-x + 1', '--no-cache'], fakeIO().io)).toBe(0);
    expect(await main(['run', '--eval=print(2)'], fakeIO().io)).toBe(0);
    expect(await main(['-e', '--help'], fakeIO().io)).toBe(0);
    expect(sources).toEqual(['-x + 1', 'print(2)', '--help']);
  });

  it('check compiles without running', async () => {
    const run = vi.fn(async () => {});
    const prog = fakeProgram(run);
    fake.compile = async (s, o) => fakeResult(s, o, prog);
    const f = fakeIO();
    expect(await main(['check', script('c.par', 'print(1)\n')], f.io)).toBe(0);
    expect(run).not.toHaveBeenCalled();
    expect(prog.disposed).toBe(1);
    expect(f.out + f.err).toBe('');
  });
});

describe('colour and cache rules', () => {
  it('colorEnabled follows picocolors on the stream it is given', () => {
    const tty = { isTTY: true };
    const pipe = { isTTY: false };
    expect(colorEnabled(tty, {})).toBe(true);
    expect(colorEnabled(pipe, {})).toBe(process.platform === 'win32');
    expect(colorEnabled(tty, { TERM: 'dumb' })).toBe(process.platform === 'win32');
    expect(colorEnabled(tty, { NO_COLOR: '1' })).toBe(false);
    expect(colorEnabled(tty, { NO_COLOR: '' })).toBe(true);
    expect(colorEnabled(pipe, { FORCE_COLOR: '1' })).toBe(true);
    expect(colorEnabled(pipe, { FORCE_COLOR: '' })).toBe(true);
    expect(colorEnabled(tty, { FORCE_COLOR: '0' })).toBe(false);
    expect(colorEnabled(pipe, { CI: 'true' })).toBe(true);
    expect(colorEnabled(pipe, { NO_COLOR: '1', FORCE_COLOR: '1' })).toBe(false);
    expect(colorEnabled(pipe, { NO_COLOR: '1' }, true)).toBe(true);
  });

  it('defaultCacheDir: beside the script, else the user cache; env overrides', () => {
    expect(defaultCacheDir('/a/b/k.par', {})).toBe(join('/a/b', '.parcache'));
    expect(defaultCacheDir(null, { XDG_CACHE_HOME: '/c' })).toBe(join('/c', 'par'));
    expect(defaultCacheDir('/a/b/k.par', { PAR_CACHE_DIR: '/d' })).toBe(resolve('/d'));
    expect(defaultCacheDir('/a/b/k.par', { PAR_NO_CACHE: '1' })).toBe(false);
    expect(defaultCacheDir('/a/b/k.par', { PAR_NO_CACHE: '0' })).toBe(join('/a/b', '.parcache'));
  });
});
