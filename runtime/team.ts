// The worker team of one Program: its configuration (team size, spinning, schedule="runtime",
// nesting; from the API option and the PAR_* / OMP_* environment), the control block fields thread 0
// fills in right after `__init`, and the workers' lifecycle: created once, started with a
// TeamWorkerInit, stopped by dispose(). Regions themselves never pass through here: thread 0 forks
// and joins inside wasm (see Note [Fork-join] in runtime/protocol.ts).
import { CTRL, SCHED, SLOT } from './protocol.js';
import { iterationCell } from './trap.js';
import type { Platform, TeamWorker, TeamWorkerInit } from './platform.js';

/** A bad thread count, schedule, flag or memory size in the options or the environment. */
export class ConfigError extends Error {
  constructor(message: string) { super(message); this.name = 'ConfigError'; }
}

export interface TeamConfig {
  /** Threads in the team, thread 0 included. */
  size: number;
  /** CTRL.spin: wait-loop iterations before a thread sleeps. */
  spin: number;
  schedKind: number;
  schedChunk: number;
  nested: boolean;
}

/** No more threads than this, whatever the settings say. */
export const MAX_TEAM = 1024;

/**
 * Spin iterations (atomic loads, ~2 ns each when the line is quiet) before an idle worker sleeps.
 * Like libgomp's GOMP_SPINCOUNT (300000): long enough that a worker is still spinning when thread 0
 * forks again after a short serial stretch or after being descheduled by another process; a worker
 * that fell asleep costs a futex wake-up (tens of µs) per region, measured here at 30-46 µs under
 * load with 20000 spins against ~1.6 µs with 10^6. Spinning only pays while every thread has a core
 * of its own, so an oversubscribed team never spins.
 */
export const DEFAULT_SPIN = 300000;

type Env = Record<string, string | undefined>;

function set(env: Env, name: string): string | undefined {
  const v = env[name]?.trim();
  return v ? v : undefined;
}

function wholeNumber(text: string, what: string, min: number): number {
  const n = /^[0-9]+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < min) {
    throw new ConfigError(`${what} must be a ${min > 0 ? 'positive' : 'non-negative'} whole number, got '${text}'`);
  }
  return n;
}

/** options.threads, else PAR_NUM_THREADS, else OMP_NUM_THREADS, else the core count; capped by PAR_THREAD_LIMIT. */
export function resolveTeamSize(threads: number | undefined, env: Env, cpuCount: number): number {
  let n: number;
  if (threads !== undefined) {
    if (!Number.isSafeInteger(threads) || threads < 1) throw new ConfigError(`threads must be a positive whole number, got ${String(threads)}`);
    n = threads;
  } else {
    const name = set(env, 'PAR_NUM_THREADS') ? 'PAR_NUM_THREADS' : set(env, 'OMP_NUM_THREADS') ? 'OMP_NUM_THREADS' : null;
    // OpenMP allows a list, one count per nesting level: the first is the team's.
    n = name ? wholeNumber(set(env, name)!.split(',')[0].trim(), name, 1) : Math.max(1, cpuCount | 0);
  }
  const limit = set(env, 'PAR_THREAD_LIMIT');
  if (limit) n = Math.min(n, wholeNumber(limit, 'PAR_THREAD_LIMIT', 1));
  if (n > MAX_TEAM) throw new ConfigError(`a team of ${n} threads is too large (at most ${MAX_TEAM})`);
  return n;
}

/** OpenMP's OMP_SCHEDULE syntax: `[monotonic:|nonmonotonic:]kind[,chunk]`, case-insensitive. */
export function parseSchedule(text: string, what = 'PAR_SCHEDULE'): { kind: number; chunk: number } {
  const m = /^\s*(?:(?:non)?monotonic\s*:\s*)?(static|dynamic|guided|auto)\s*(?:,\s*([^\s,]*)\s*)?$/i.exec(text);
  if (!m) throw new ConfigError(`${what} must look like 'static', 'dynamic,4', 'guided' or 'auto', got '${text}'`);
  const kind = SCHED[m[1].toLowerCase() as keyof typeof SCHED];
  const chunk = m[2] === undefined ? 0 : wholeNumber(m[2], `the chunk size in ${what}`, 1);
  return { kind, chunk: kind === SCHED.auto ? 0 : chunk };
}

function flag(text: string, what: string): boolean {
  const t = text.toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(t)) return true;
  if (['0', 'false', 'no', 'off'].includes(t)) return false;
  throw new ConfigError(`${what} must be true or false, got '${text}'`);
}

export function resolveTeamConfig(threads: number | undefined, env: Env, cpuCount: number): TeamConfig {
  const size = resolveTeamSize(threads, env, cpuCount);
  const spinText = set(env, 'PAR_SPIN');
  const spin = spinText !== undefined ? wholeNumber(spinText, 'PAR_SPIN', 0) : size > cpuCount ? 0 : DEFAULT_SPIN;
  const schedName = set(env, 'PAR_SCHEDULE') ? 'PAR_SCHEDULE' : set(env, 'OMP_SCHEDULE') ? 'OMP_SCHEDULE' : null;
  const sched = schedName ? parseSchedule(set(env, schedName)!, schedName) : { kind: SCHED.auto, chunk: 0 };
  const nestedText = set(env, 'PAR_NESTED');
  return { size, spin, schedKind: sched.kind, schedChunk: sched.chunk, nested: nestedText ? flag(nestedText, 'PAR_NESTED') : false };
}

type Exports = Record<string, (...args: never[]) => unknown>;

/** Whether the module has the team's wasm side (compiler/parallel.ts); without it everything runs on thread 0. */
export function hasTeamExports(exports: Exports): boolean {
  return ['__worker_main', '__worker_ack', '__join'].every((k) => typeof exports[k] === 'function');
}

export interface TeamStart {
  platform: Platform;
  config: TeamConfig;
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  exports: Exports;
  strings: string[];
  sites: { kind: string; text?: string }[];
  output: SharedArrayBuffer;
  maxPages: number;
  /** The race detector's shadow table, shared by every thread. */
  races?: SharedArrayBuffer;
  /** The module imports `env.team_start`: on a platform that can, start the workers at the first fork (Note [Lazy team]). */
  lazy?: boolean;
  /** After a lazy start: thread 0 measures the fork-join cost (see probeForkCost). */
  onStarted?: () => void;
  /** The text a worker that failed to start left in the error slot. */
  readError?: () => string;
}

/** Longest wait for a lazily started team before giving up (a worker that never even ran its script). */
const START_TIMEOUT_MS = 60_000;

/** Blocks thread 0 until `count` workers have started, or throws when one failed or none came in time. */
function waitForWorkers(i32: Int32Array, count: number, readError?: () => string): void {
  const t0 = Date.now();
  for (;;) {
    const n = Atomics.load(i32, CTRL.started / 4);
    if (Atomics.load(i32, CTRL.startFailed / 4) > 0) throw new Error(readError?.() || 'a worker of the team failed to start');
    if (n >= count) return;
    if (Date.now() - t0 > START_TIMEOUT_MS) throw new Error(`the worker team did not start within ${START_TIMEOUT_MS / 1000} s (${n} of ${count} workers running)`);
    Atomics.wait(i32, CTRL.started / 4, n, 10);
  }
}

/**
 * The team's fork-join round trip in ns (CTRL.forkCost, the cost model's unit), measured with
 * `__probe` on the running team: the median of up to 5 rounds of 10 forks, fewer (3) once 2 ms have
 * passed, so that a contended machine, where a round trip can take a scheduler slice, pays little.
 */
export function probeForkCost(probe: (reps: number) => void): number {
  const rounds: number[] = [];
  const start = performance.now();
  for (let r = 0; r < 5 && (r < 3 || performance.now() - start < 2); r++) {
    const t0 = performance.now();
    probe(10);
    rounds.push(((performance.now() - t0) * 1e6) / 10);
  }
  rounds.sort((a, b) => a - b);
  return Math.round(rounds[rounds.length >> 1]);
}

/**
 * Note [Lazy team]: starting workers costs tens of milliseconds (an isolate each, the runtime's
 * modules, instantiating the program) and a script may never fork at all: sum(arange(1000)) runs
 * its kernel serially. On Node a module that imports `env.team_start` therefore gets its workers
 * only when thread 0 first forks more than one thread: `__fork` sees CTRL.teamUp = 0 and calls
 * the import, which spawns them and blocks (Atomics.wait, in bounded slices) until each has entered
 * its loop (CTRL.started) or one has failed (CTRL.startFailed, its message in the error slot).
 * Node boots a worker without the parent's event loop, so blocking is safe there; a browser starts
 * a worker only once its creator returns to its event loop, so browsers start the team eagerly, as
 * does any module without the import (hand-written ones in the tests).
 */
export class Team {
  private disposed = false;
  private started: Promise<void> | null = null;
  /** A worker that ended while the team was alive (terminated from outside, crashed): the team must be rebuilt. */
  private lost: { tid: number; code: number } | null = null;
  /** The lost worker's death has been reported already (it died during a loop): rebuild without an error. */
  private reported = false;
  /** Where the team's workers come from (released on dispose). */
  private platform: Platform | null = null;
  /** Starts a replacement for worker `tid` (eagerly: the team is up when one is needed). */
  private respawn: ((tid: number) => Promise<TeamWorker>) | null = null;
  private constructor(
    readonly size: number, private memory: WebAssembly.Memory, private workers: Promise<TeamWorker>[],
    private pending: (() => void) | null,
  ) {}

  /** Notes worker `tid`'s exit while it is still this team's (see rebuild). */
  private watch(w: Promise<TeamWorker>, tid: number): void {
    w.then((x) => x.exited?.then((code) => {
      if (!this.disposed && this.workers[tid - 1] === w) this.lost ??= { tid, code };
    }), () => {});
  }

  /**
   * A worker ended while the team was idle (its exit is seen between runs: during a run thread 0
   * holds this thread): stop the others, start a new set on the same memory, and report it. The
   * program's data is intact, so the next run works.
   */
  private async rebuild(lost: { tid: number; code: number }): Promise<void> {
    const i32 = new Int32Array(this.memory.buffer, 0, CTRL.END / 4);
    Atomics.store(i32, CTRL.stop / 4, 1);
    Atomics.notify(i32, CTRL.gen / 4);
    Atomics.notify(i32, CTRL.wake / 4);
    await Promise.all(this.workers.map((w) => w.then((x) => x.terminate(), () => {})));
    Atomics.store(i32, CTRL.stop / 4, 0);
    this.workers.forEach((_, k) => {
      this.workers[k] = this.respawn!(k + 1);
      this.watch(this.workers[k], k + 1);
    });
    this.lost = null;
    this.started = null;
    Atomics.store(i32, CTRL.lost / 4, 0);
    await this.ready();
    // A death during a loop was reported by that run already (lostInLoop): this run just works.
    if (this.reported) { this.reported = false; return; }
    throw new Error(`worker thread ${lost.tid} of this program stopped unexpectedly (exit code ${lost.code}); its team of ${this.size} threads has been restarted, so the next run will work`);
  }

  /**
   * Thread 0, right after `__init`: fills the control block and starts size - 1 workers, now or
   * (Note [Lazy team]) at the first fork. A module without the team's exports, or a platform
   * without workers, gets a team of one.
   */
  static start(o: TeamStart): Team {
    const size = hasTeamExports(o.exports) && o.platform.hasWorkers ? o.config.size : 1;
    const i32 = new Int32Array(o.memory.buffer, 0, CTRL.END / 4);
    // Per-thread slots, SLOT.SIZE bytes apart (whole cache lines), 64-byte aligned.
    const raw = (o.exports.__malloc as unknown as (n: number) => number)(SLOT.SIZE * size + 64);
    const slots = (raw + 63) & ~63;
    new Uint8Array(o.memory.buffer, slots, SLOT.SIZE * size).fill(0);
    Atomics.store(i32, CTRL.iterSlots / 4, slots);
    // No thread is in a loop yet: an error now names no iteration.
    for (let t = 0; t < size; t++) iterationCell(o.memory, t)![0] = -1n;
    Atomics.store(i32, CTRL.spin / 4, o.config.spin);
    Atomics.store(i32, CTRL.schedKind / 4, o.config.schedKind);
    Atomics.store(i32, CTRL.schedChunk / 4, o.config.schedChunk);
    Atomics.store(i32, CTRL.nested / 4, o.config.nested ? 1 : 0);
    Atomics.store(i32, CTRL.stop / 4, 0);
    Atomics.store(i32, CTRL.teamSize / 4, size);
    Atomics.store(i32, CTRL.numThreads / 4, size);
    Atomics.store(i32, CTRL.started / 4, 0);
    Atomics.store(i32, CTRL.startFailed / 4, 0);
    const workers: Promise<TeamWorker>[] = [];
    let team: Team | null = null;
    const initOf = (tid: number): TeamWorkerInit => ({
      module: o.module, memory: o.memory, tid, strings: o.strings, sites: o.sites, output: o.output, seen: Atomics.load(i32, CTRL.gen / 4), maxPages: o.maxPages,
      ...(o.races ? { races: o.races } : {}),
    });
    const spawnAll = (spawn: (init: TeamWorkerInit) => Promise<TeamWorker>) => {
      for (let tid = 1; tid < size; tid++) {
        const w = spawn(initOf(tid));
        w.catch(() => { /* reported by ready() or by startNow() */ });
        workers.push(w);
        team?.watch(w, tid);
      }
    };
    const respawn = (tid: number) => {
      const w = o.platform.spawn(initOf(tid));
      w.catch(() => { /* reported by ready() */ });
      return w;
    };
    const lazy = size > 1 && o.lazy === true && o.platform.spawnNow !== undefined;
    if (!lazy) {
      team = new Team(size, o.memory, workers, null);
      team.respawn = respawn;
      team.platform = o.platform;
      spawnAll((init) => o.platform.spawn(init));
      Atomics.store(i32, CTRL.teamUp / 4, 1);
      return team;
    }
    Atomics.store(i32, CTRL.teamUp / 4, 0);
    const startNow = () => {
      if (team?.isDisposed) throw new Error('this team has been disposed');
      spawnAll((init) => Promise.resolve(o.platform.spawnNow!(init)));
      waitForWorkers(i32, size - 1, o.readError);
      Atomics.store(i32, CTRL.teamUp / 4, 1);
      o.onStarted?.();
    };
    team = new Team(size, o.memory, workers, startNow);
    team.respawn = respawn;
    team.platform = o.platform;
    return team;
  }

  /**
   * Thread 0, from the join: worker `tid` died during the loop (runtime/supervisor.ts). The run
   * reports it; the next run() or call() first rebuilds the team, quietly.
   */
  lostInLoop(tid: number): void {
    this.lost = { tid, code: -1 };
    this.reported = true;
  }

  /** Whether the workers are to be started at the first fork (Note [Lazy team]) and have not been yet. */
  get lazy(): boolean { return this.pending !== null; }

  /** Why a lazy start failed: every later fork and run fails with it too (no join may wait for missing workers). */
  private startError: unknown = null;

  /** The `env.team_start` import of thread 0: starts the workers and waits until they run. */
  startNow(): void {
    if (this.startError) throw this.startError;
    const f = this.pending;
    if (!f) return;
    this.pending = null;
    try {
      f();
    } catch (e) {
      this.startError = e;
      this.dispose();
      throw e;
    }
  }

  /**
   * Resolves once every worker runs its loop; thread 0 awaits it before it first enters wasm, so a
   * worker that cannot start is an error rather than a join that never ends.
   */
  ready(): Promise<void> {
    if (this.startError) return Promise.reject(this.startError);
    if (this.disposed) return Promise.reject(new Error('this team has been disposed'));
    if (this.lost) return this.rebuild(this.lost);
    // A lazy team is not started yet; startNow() waits for its workers itself.
    if (this.pending) return Promise.resolve();
    this.started ??= Promise.all(this.workers.map(async (w) => (await w).ready)).then(() => undefined, (e: unknown) => {
      this.dispose();
      throw e;
    });
    return this.started;
  }

  /** Stops the workers: CTRL.stop, wake every waiter, terminate. Safe to call more than once. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const i32 = new Int32Array(this.memory.buffer, 0, CTRL.END / 4);
    Atomics.store(i32, CTRL.stop / 4, 1);
    Atomics.notify(i32, CTRL.gen / 4);
    Atomics.notify(i32, CTRL.wake / 4);
    for (const w of this.workers) w.then((x) => x.terminate(), () => {});
    this.platform?.release?.(this.memory);
  }

  get isDisposed(): boolean { return this.disposed; }
}
