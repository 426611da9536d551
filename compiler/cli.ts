// The `par` command line: parses arguments, reads the script (file, stdin or -e), calls compile(),
// prints diagnostics and dumps, runs the program and maps every outcome to an exit code.
// bin/par.js only imports this module and calls main(); everything testable lives here.
//
// Exit codes: 0 success; 1 compile or run-time error in the user's program; 2 usage error (bad
// option, unknown command, unreadable file); 70 internal error (EX_SOFTWARE, a bug in Par itself);
// 130 interrupted by SIGINT (128 + 2, what shells report for Ctrl-C).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { availableParallelism, homedir } from 'node:os';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { deflateSync } from 'node:zlib';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import pc from 'picocolors';
import { compile, type CompileOptions, type CompileResult, type DumpStage, type Program } from './driver.js';
import { ParError } from '../runtime/errors.js';
import { encodePNG, type Picture } from '../runtime/image.js';
import { memoryLimitBytes } from '../runtime/memory-size.js';

export const EXIT_OK = 0;
export const EXIT_ERROR = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERNAL = 70;
export const EXIT_INTERRUPTED = 130;

const DUMP_STAGES: readonly DumpStage[] = ['ast', 'typed', 'ir', 'outlined', 'wat'];

const HELP = `Par: a parallel NumPy-like language compiled to multithreaded WebAssembly.

Usage:
  par run FILE [options]     compile and run FILE ('-' reads the script from stdin)
  par FILE [options]         shortcut for 'par run FILE'
  par -e CODE [options]      run CODE given on the command line
  par check FILE             compile only: print diagnostics, exit 0 if there are no errors
  par worker --redis URL     serve cluster runs (see 'par worker --help')
  par check --serial-equiv FILE
                             also run FILE on a team (--threads, at least 2) and on one thread and
                             report the first difference (a schedule-dependent program, e.g. a race)
  par --help | --version

Options for run:
  --threads N        team size (default: PAR_NUM_THREADS, OMP_NUM_THREADS, else the core count)
  --max-memory SIZE  memory limit, e.g. 512M or 2G (default: PAR_MAX_MEMORY, else 4G, the most
                     WebAssembly allows); an array past it is a MemoryError
  --dump=STAGE       print a compiler stage (ast, typed, ir, outlined, wat) to stdout instead of
                     running; outlined: the IR after parallel outlining and bounds-check hoisting
  --time             print compile and run times to stderr
  --timeout SECONDS  stop the program with a TimeoutError after SECONDS (every thread stops at its
                     next loop iteration; for untrusted code)
  --check-races      check prange loops for data races: two iterations that write the same array
                     element, or one writes and another reads it, stop the run with both named
  --no-bounds-check  skip array bounds checks (faster; out-of-range indexing is then undefined)
  --no-cache         do not read or write the compiled-code cache
  --cluster URL      run qualifying parallel loops on the 'par worker' nodes of a Redis server,
                     redis://USER:SECRET@HOST:6379 or rediss:// (docs/cluster.md)
  --cluster-timeout S  with --cluster: fail when no worker finishes a chunk for S seconds
  --tls-ca FILE, --tls-cert FILE, --tls-key FILE
                     with --cluster rediss://: a CA to trust, and a client certificate and key

Global options:
  --color, --no-color  force or suppress coloured diagnostics (also FORCE_COLOR, NO_COLOR)
  -h, --help           show this help
  --version            show the version

The cache lives in .parcache/ beside the script (for stdin and -e: $XDG_CACHE_HOME/par or
~/.cache/par); PAR_CACHE_DIR overrides the location and PAR_NO_CACHE=1 disables it.
Set PAR_DEBUG=1 to see stack traces of internal errors.

Exit status: 0 ok, 1 error in the program, 2 usage error, 69 cluster unavailable, 70 internal error,
130 interrupted.
`;

/** Where the CLI reads and writes; the defaults are the real process, tests may substitute. */
export interface CliIO {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  env: Record<string, string | undefined>;
  readStdin(): Promise<string>;
  /** Called on SIGINT after the running program has been told to stop. */
  exit(code: number): void;
  /** Registers a SIGINT handler; returns its removal. Absent means signals are not handled. */
  onInterrupt?(handler: () => void): () => void;
}

function processIO(): CliIO {
  // `par run x.par | head` closes the pipe early; that is the reader's choice, not a crash.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(EXIT_OK);
    throw e;
  });
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    async readStdin() {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
      return Buffer.concat(chunks).toString('utf8');
    },
    exit: (code) => process.exit(code),
    onInterrupt(handler) {
      process.on('SIGINT', handler);
      return () => { process.off('SIGINT', handler); };
    },
  };
}

/**
 * Whether to colour what goes to `stream` (stderr, where diagnostics go). The same rule as
 * picocolors' `isColorSupported`, but tested on the stream actually written: picocolors looks at
 * stdout, and `par run x.par > out.txt` must still colour errors on the terminal.
 * NO_COLOR / --no-color win; FORCE_COLOR / --color / CI force colour; otherwise a TTY that is not
 * TERM=dumb. One deliberate difference: FORCE_COLOR=0 or =false means "off", as in Node itself.
 */
export function colorEnabled(
  stream: { isTTY?: boolean },
  env: Record<string, string | undefined>,
  flag?: boolean,
): boolean {
  if (flag !== undefined) return flag;
  if (env.NO_COLOR) return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force.toLowerCase() !== 'false';
  if (process.platform === 'win32' || env.CI) return true;
  return !!stream.isTTY && env.TERM !== 'dumb';
}

/** The default compiled-code cache, like Python's __pycache__: beside the script when there is one. */
export function defaultCacheDir(scriptPath: string | null, env: Record<string, string | undefined>): string | false {
  const off = env.PAR_NO_CACHE;
  if (off && off !== '0') return false;
  if (env.PAR_CACHE_DIR) return resolve(env.PAR_CACHE_DIR);
  if (scriptPath !== null) return join(dirname(resolve(scriptPath)), '.parcache');
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'par');
  try {
    if (process.platform === 'win32' && env.LOCALAPPDATA) return join(env.LOCALAPPDATA, 'par', 'cache');
    return join(homedir(), '.cache', 'par');
  } catch {
    return false; // no home directory (some containers): run uncached rather than fail
  }
}

export function version(): string {
  // dist/compiler/cli.js sits two levels below package.json; the TypeScript source (run by
  // vitest) sits one level below. Check the name so a stray parent package.json is never used.
  for (const rel of ['../../package.json', '../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'parlang' && pkg.version) return pkg.version;
    } catch { /* try the next candidate */ }
  }
  return 'unknown';
}

/** A mistake on the command line: reported in one line plus a hint, exit 2. */
class UsageError extends Error {}

type Command = 'run' | 'check';

interface Invocation {
  command: Command;
  /** A file path, '-' for stdin, or null when the code came from -e. */
  file: string | null;
  code: string | null;
  threads?: number;
  maxMemory?: string;
  /** --timeout, in seconds. */
  timeout?: number;
  cluster?: string;
  clusterTimeout?: number;
  /** --tls-ca, --tls-cert, --tls-key: PEM file names, read when the run starts. */
  clusterTls?: { 'tls-ca'?: string; 'tls-cert'?: string; 'tls-key'?: string };
  /** par check --serial-equiv. */
  serialEquiv?: boolean;
  /** par run --check-races. */
  checkRaces?: boolean;
  dump?: DumpStage;
  time: boolean;
  boundsCheck: boolean;
  cache: boolean;
  color?: boolean;
  help: boolean;
  version: boolean;
}

const OPTIONS = {
  eval: { type: 'string', short: 'e' },
  threads: { type: 'string' },
  'max-memory': { type: 'string' },
  timeout: { type: 'string' },
  cluster: { type: 'string' },
  'cluster-timeout': { type: 'string' },
  'tls-ca': { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'serial-equiv': { type: 'boolean' },
  'check-races': { type: 'boolean' },
  dump: { type: 'string' },
  time: { type: 'boolean' },
  'no-bounds-check': { type: 'boolean' },
  'no-cache': { type: 'boolean' },
  color: { type: 'boolean' },
  'no-color': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const;

/** Options that only make sense when something is run (or dumped); `check` rejects them. */
const RUN_ONLY = ['threads', 'max-memory', 'timeout', 'dump', 'time', 'no-bounds-check', 'cluster', 'cluster-timeout', 'tls-ca', 'tls-cert', 'tls-key', 'check-races'] as const;

export function parseCommandLine(argv: readonly string[]): Invocation {
  // `-e CODE` takes the next argument verbatim, like `python -c`: parseArgs would refuse code
  // that starts with '-' (`par -e '-1 + 2'`) as an ambiguous option value.
  const args: string[] = [];
  let code: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') { args.push(...argv.slice(i)); break; }
    if (a === '-e' || a === '--eval') {
      if (i + 1 >= argv.length) throw new UsageError(`option ${a} needs an argument (the code to run)`);
      if (code !== null) throw new UsageError('-e may be given only once');
      code = argv[++i];
    } else {
      args.push(a);
    }
  }

  let parsed;
  try {
    parsed = parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(describeParseError(e));
  }
  const { values, positionals } = parsed;
  if (values.eval !== undefined) {
    // Only the `--eval=CODE` / `-eCODE` spellings get here; the pre-pass took the others.
    if (code !== null) throw new UsageError('-e may be given only once');
    code = values.eval;
  }

  const inv: Invocation = {
    command: 'run', file: null, code,
    time: !!values.time, boundsCheck: !values['no-bounds-check'], cache: !values['no-cache'],
    color: values['no-color'] ? false : values.color ? true : undefined,
    help: !!values.help, version: !!values.version,
  };
  if (values.color && values['no-color']) throw new UsageError('--color and --no-color contradict each other');
  if (inv.help || inv.version) return inv;

  const rest = [...positionals];
  const first = rest[0];
  if (first === 'run' || first === 'check') {
    inv.command = first;
    rest.shift();
  } else if (first === 'help') {
    inv.help = true;
    return inv;
  } else if (first !== undefined && code === null && !looksLikeFile(first)) {
    // `par FILE` is a shortcut, but a bare word that is neither a command nor an existing file
    // is more likely a mistyped command than a missing script.
    throw new UsageError(`unknown command '${first}' (commands: run, check; to run a file of that name write ./${first})`);
  }

  if (code !== null) {
    if (rest.length > 0) throw new UsageError(`unexpected argument '${rest[0]}' after -e CODE`);
  } else {
    if (rest.length === 0) {
      throw new UsageError(inv.command === 'check' ? 'missing FILE to check' : 'missing FILE to run (or use -e CODE, or - for stdin)');
    }
    inv.file = rest.shift()!;
    if (rest.length > 0) throw new UsageError(`unexpected argument '${rest[0]}' (Par scripts take no arguments)`);
  }

  if (inv.command === 'check') {
    // --serial-equiv runs the program, so --threads and --timeout apply to it.
    const bad = RUN_ONLY.find((k) => values[k] !== undefined && !(values['serial-equiv'] && (k === 'threads' || k === 'timeout')));
    if (bad) throw new UsageError(`option --${bad} applies to 'par run', not 'par check'`);
    inv.serialEquiv = !!values['serial-equiv'];
  } else if (values['serial-equiv']) throw new UsageError(`option --serial-equiv applies to 'par check', not 'par run'`);
  if (values['check-races']) inv.checkRaces = true;
  if (values.threads !== undefined) {
    const t = values.threads.trim();
    if (!/^[0-9]+$/.test(t) || Number(t) < 1 || !Number.isSafeInteger(Number(t))) {
      throw new UsageError(`--threads expects a positive whole number, got '${values.threads}'`);
    }
    inv.threads = Number(t);
  }
  if (values['max-memory'] !== undefined) {
    try {
      memoryLimitBytes(values['max-memory'], '--max-memory');
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    inv.maxMemory = values['max-memory'];
  }
  if (values.timeout !== undefined) {
    const t = Number(values.timeout.trim());
    if (!values.timeout.trim() || !(t > 0 && Number.isFinite(t))) throw new UsageError(`--timeout expects a positive number of seconds, got '${values.timeout}'`);
    inv.timeout = t;
  }
  if (values.cluster !== undefined) {
    if (!/^rediss?:\/\/\S+$/.test(values.cluster)) throw new UsageError('--cluster expects redis://USER:SECRET@HOST:PORT (or rediss:// for TLS)'); // the value is not echoed: it may hold the secret
    inv.cluster = values.cluster;
  }
  if (values['cluster-timeout'] !== undefined) {
    const t = Number(values['cluster-timeout']);
    if (!(t > 0) || !Number.isFinite(t)) throw new UsageError(`--cluster-timeout expects a positive number of seconds, got '${values['cluster-timeout']}'`);
    if (values.cluster === undefined) throw new UsageError('--cluster-timeout applies only with --cluster');
    inv.clusterTimeout = t;
  }
  for (const k of ['tls-ca', 'tls-cert', 'tls-key'] as const) {
    if (values[k] === undefined) continue;
    if (values.cluster === undefined) throw new UsageError(`--${k} applies only with --cluster`);
    (inv.clusterTls ??= {})[k] = values[k];
  }
  if (values.dump !== undefined) {
    if (!(DUMP_STAGES as readonly string[]).includes(values.dump)) {
      throw new UsageError(`--dump expects one of ${DUMP_STAGES.join(', ')}, got '${values.dump}'`);
    }
    inv.dump = values.dump as DumpStage;
  }
  return inv;
}

function looksLikeFile(arg: string): boolean {
  return arg === '-' || arg.endsWith('.par') || arg.includes('/') || arg.includes('\\') || existsSync(arg);
}

/** parseArgs' messages are long and mention its own workarounds; keep the gist. */
function describeParseError(e: unknown): string {
  const err = e as { code?: string; message?: string };
  const msg = String(err.message ?? e);
  const name = /'(-[^' ]+)/.exec(msg)?.[1] ?? '';
  switch (err.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option '${name}'`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (/does not take an argument/.test(msg)) return `option ${name} does not take a value`;
      if (/ambiguous/.test(msg)) return `option ${name} needs a value (write ${name}=VALUE for a value starting with '-')`;
      return `option ${name} needs a value`;
    default:
      return msg.split('\n')[0];
  }
}

/** Runs the `par` command; returns the exit code (bin/par.js puts it in process.exitCode). */
export async function main(argv: readonly string[], io: CliIO = processIO()): Promise<number> {
  // Decided before anything is parsed, so that even a usage error honours NO_COLOR/FORCE_COLOR;
  // an explicit --color/--no-color is applied once parsing has succeeded.
  let color = colorEnabled(io.stderr, io.env, argv.includes('--no-color') ? false : argv.includes('--color') ? true : undefined);
  const err = (text: string) => { io.stderr.write(text.endsWith('\n') ? text : text + '\n'); };

  if (argv[0] === 'worker') return (await import('./cluster-cli.js')).workerCommand(argv.slice(1), io);
  let inv: Invocation;
  try {
    inv = parseCommandLine(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) return internalError(e, io, color);
    return usage(e.message, io, color);
  }
  color = colorEnabled(io.stderr, io.env, inv.color);
  if (inv.help) { io.stdout.write(HELP); return EXIT_OK; }
  if (inv.version) { io.stdout.write(`par ${version()}\n`); return EXIT_OK; }

  // SIGINT while compiling or reading stdin: dispose what exists and exit 130. While the program
  // runs, thread 0 is busy in wasm and a JS handler could not run until it returns, so no handler
  // is held then: the default action ends the process at once (shells report 130 for it) and takes
  // the workers with it. See Session.unguarded.
  const onInterrupt = () => {
    try { session.program?.dispose(); } catch { /* exiting anyway */ }
    io.exit(EXIT_INTERRUPTED);
  };
  let removeInterrupt = io.onInterrupt?.(onInterrupt);
  const session: Session = {
    program: null,
    async unguarded(f) {
      removeInterrupt?.();
      removeInterrupt = undefined;
      try {
        return await f();
      } finally {
        removeInterrupt = io.onInterrupt?.(onInterrupt);
      }
    },
  };
  try {
    return await execute(inv, io, color, session, err);
  } catch (e) {
    if (e instanceof Error && e.name === 'ConfigError') return usage(e.message, io, color);
    if (e instanceof Error && e.name === 'ClusterError') { err(`par: cluster: ${e.message}`); return (await import('./cluster-cli.js')).EXIT_CLUSTER; }
    return internalError(e, io, color);
  } finally {
    removeInterrupt?.();
  }
}

interface Session {
  program: Program | null;
  /** Runs `f` with no SIGINT handler installed, so Ctrl-C takes the signal's default action. */
  unguarded<T>(f: () => Promise<T>): Promise<T>;
}

async function execute(
  inv: Invocation, io: CliIO, color: boolean, session: Session, err: (text: string) => void,
): Promise<number> {
  // 1. The source and the name diagnostics will show (Python's conventions: <stdin>, <string>).
  let source: string;
  let filename: string;
  if (inv.code !== null) {
    source = inv.code;
    filename = '<string>';
  } else if (inv.file === '-') {
    source = await io.readStdin();
    filename = '<stdin>';
  } else {
    filename = inv.file!;
    try {
      source = await readFile(filename, 'utf8');
    } catch (e) {
      return usage(`can't open file '${filename}': ${describeFsError(e)}`, io, color);
    }
  }
  if (source.charCodeAt(0) === 0xfeff) source = source.slice(1); // a BOM is not part of the program

  // 2. Compile. A dump needs every stage to run, so it bypasses the cache.
  const scriptPath = inv.code === null && inv.file !== '-' ? inv.file : null;
  const options: CompileOptions = {
    filename,
    boundsCheck: inv.boundsCheck,
    profile: inv.time,
    cacheDir: inv.cache && !inv.dump ? defaultCacheDir(scriptPath, io.env) : false,
  };
  if (inv.threads !== undefined) options.threads = inv.threads;
  if (inv.maxMemory !== undefined) options.maxMemory = inv.maxMemory;
  if (inv.timeout !== undefined) options.timeout = inv.timeout * 1000;
  if (inv.checkRaces) options.checkRaces = true;
  if (inv.cluster !== undefined) options.cluster = inv.cluster;
  if (inv.clusterTimeout !== undefined) options.clusterTimeout = inv.clusterTimeout;
  if (inv.clusterTls) {
    const { readClusterTls } = await import('./cluster-cli.js');
    try {
      const tls = readClusterTls(inv.cluster!, inv.clusterTls);
      if (tls) options.clusterTls = tls;
    } catch (e) {
      return usage((e as Error).message, io, color);
    }
  }

  const t0 = performance.now();
  const result = await compile(source, options);
  const compileMs = performance.now() - t0;

  for (const d of result.diagnostics) err(result.format(d, { color }));
  const failed = result.diagnostics.some((d) => d.severity === 'error');

  if (inv.dump) {
    let text: string;
    try {
      text = result.dump(inv.dump);
    } catch (e) {
      // With errors a late stage may not exist; the diagnostics above already say why.
      if (failed) return EXIT_ERROR;
      throw e;
    }
    io.stdout.write(text.endsWith('\n') || text === '' ? text : text + '\n');
    return failed ? EXIT_ERROR : EXIT_OK;
  }
  if (failed) {
    if (inv.time) printTimes(io, { compileMs, result });
    return EXIT_ERROR;
  }
  if (!result.program) throw new Error('compile() reported no errors but returned no program');

  if (inv.command === 'check') {
    result.program.dispose();
    if (!inv.serialEquiv) return EXIT_OK;
    const { serialEquivalence } = await import('./serial-equiv.js');
    const r = await serialEquivalence(source, options, inv.threads ?? availableParallelism());
    if (r.difference) { err(`${filename}: serial-equiv: ${r.difference}`); return EXIT_ERROR; }
    io.stdout.write(`${filename}: serial-equiv: the same output (${r.lines} lines) and ending on ${r.threads} threads and on 1\n`);
    return EXIT_OK;
  }

  // 3. Run. The program is disposed however the run ends, so the worker team never outlives it.
  const program = result.program;
  session.program = program;
  let runMs: number | undefined;
  try {
    const t1 = performance.now();
    try {
      const image = imageWriter(scriptPath, err);
      // Paths in the program are relative to the script's directory (the current one for -e and stdin).
      const files = scriptPath ? dirname(resolve(scriptPath)) : process.cwd();
      await session.unguarded(() => program.run({ stdout: (text) => { io.stdout.write(text); }, image, files }));
    } finally {
      runMs = performance.now() - t1;
      if (inv.time) printTimes(io, { compileMs, runMs, result, program });
    }
    return EXIT_OK;
  } catch (e) {
    if (isParError(e)) { err(e.formatted); return EXIT_ERROR; }
    throw e;
  } finally {
    session.program = null;
    program.dispose();
  }
}

/**
 * imshow(a) in a terminal: each picture becomes `<script>-<k>.png` in the current directory (k
 * counts from 1; `imshow-<k>.png` for -e and stdin), and its path is printed on stderr, so stdout
 * stays what Python prints.
 */
function imageWriter(scriptPath: string | null, err: (text: string) => void): (p: Picture) => void {
  const stem = scriptPath ? basename(scriptPath, extname(scriptPath)) : 'imshow';
  let k = 0;
  return (p) => {
    const path = `${stem}-${++k}.png`;
    writeFileSync(path, encodePNG(p, (raw) => deflateSync(raw)));
    err(`par: imshow: wrote ${path}`);
  };
}

/** Recognizes a ParError even if it came from another copy of the runtime module. */
function isParError(e: unknown): e is ParError {
  return e instanceof ParError
    || (e instanceof Error && e.name === 'ParError' && typeof (e as Partial<ParError>).formatted === 'string');
}

function describeFsError(e: unknown): string {
  switch ((e as NodeJS.ErrnoException).code) {
    case 'ENOENT': return 'no such file';
    case 'EISDIR': return 'is a directory';
    case 'EACCES': case 'EPERM': return 'permission denied';
    default: return (e as Error).message ?? String(e);
  }
}

function usage(message: string, io: CliIO, color: boolean): number {
  const c = pc.createColors(color);
  io.stderr.write(`par: ${c.bold(c.red('error:'))} ${message}\nTry 'par --help' for more information.\n`);
  return EXIT_USAGE;
}

function internalError(e: unknown, io: CliIO, color: boolean): number {
  const c = pc.createColors(color);
  const message = e instanceof Error ? e.message : String(e);
  let text = `par: ${c.bold(c.red('internal error:'))} ${message}\n`;
  if (io.env.PAR_DEBUG === '1') text += `${e instanceof Error && e.stack ? e.stack : String(e)}\n`;
  else text += c.dim('(this is a bug in Par; set PAR_DEBUG=1 to see the stack trace)') + '\n';
  io.stderr.write(text);
  return EXIT_INTERNAL;
}

/**
 * `--time`: our own wall-clock measurements, then whatever the compiler (`result.timings`, e.g.
 * per stage) and the runtime (`program.timings`, e.g. per parallel loop: schedule, threads, "ran
 * serially: n=200") choose to expose. Neither property is part of the interface yet, so they are
 * read duck-typed: a string, a list of lines, or a record of milliseconds (or preformatted values).
 */
function printTimes(
  io: CliIO,
  t: { compileMs: number; runMs?: number; result: CompileResult; program?: Program },
): void {
  const lines = [`par: compile ${fmtMs(t.compileMs)}`];
  lines.push(...timingLines((t.result as { timings?: unknown }).timings));
  if (t.runMs !== undefined) lines.push(`par: run     ${fmtMs(t.runMs)}`);
  if (t.program) lines.push(...timingLines((t.program as { timings?: unknown }).timings));
  io.stderr.write(lines.join('\n') + '\n');
}

function timingLines(timings: unknown): string[] {
  if (timings === undefined || timings === null) return [];
  const indent = (s: string) => `par:   ${s}`;
  if (typeof timings === 'string') return timings.split('\n').filter((s) => s !== '').map(indent);
  if (Array.isArray(timings)) return timings.map((x) => indent(typeof x === 'string' ? x : JSON.stringify(x)));
  if (typeof timings === 'object') {
    return Object.entries(timings).map(([k, v]) => indent(`${k} ${typeof v === 'number' ? fmtMs(v) : String(v)}`));
  }
  return [indent(String(timings))];
}

function fmtMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(3)} s` : `${ms.toFixed(ms < 10 ? 2 : 1)} ms`;
}
