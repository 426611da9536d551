// The platform seam of the worker team: how to learn the core count and the environment, start a
// worker (runtime/worker.ts) and talk to it, on Node `worker_threads` or browser Web Workers. The
// team (runtime/team.ts) and the worker entry only go through this file. Node modules are imported
// lazily so that a browser bundle never loads them.
import type { WorkerInit } from './protocol.js';
import { endSupervisor, superviseNode } from './supervisor.js';

/** What a worker is started with: the protocol's WorkerInit plus the team's own start-up values. */
export interface TeamWorkerInit extends WorkerInit {
  /** CTRL.gen when the team was created: the worker waits for it to change. */
  seen: number;
  /** The memory limit in pages, for MemoryError messages. */
  maxPages: number;
  /** Node: the worker's end of its lifeline to the supervisor (runtime/supervisor.ts); held, never used. */
  lifeline?: unknown;
  /** Fault injection for tests (test/faults.test.ts): 'exit-in-loop' ends the worker's thread at its first chunk of a traced loop. */
  fault?: 'exit-in-loop';
}

/** Messages a worker posts to thread 0 (only at start-up; regions never use messages). */
export type WorkerMessage = { type: 'ready' } | { type: 'failed'; message: string };

export interface TeamWorker {
  /** Resolves once the worker has instantiated the module and entered its loop. */
  ready: Promise<void>;
  /** Node: resolves with the exit code when the thread ends (a worker killed from outside too). */
  exited?: Promise<number>;
  /** Stops the thread; the promise (Node) settles once it has stopped. */
  terminate(): void | Promise<unknown>;
}

export interface Platform {
  name: 'node' | 'browser';
  cpuCount(): number;
  env(): Record<string, string | undefined>;
  /** Whether the caller's thread may block in Atomics.wait (a browser's main thread may not). */
  mainCanBlock: boolean;
  /** Whether spawn() works here; without it every program runs on thread 0 alone. */
  hasWorkers: boolean;
  spawn(init: TeamWorkerInit): Promise<TeamWorker>;
  /**
   * Starts a worker synchronously, for a team started at its first fork (Note [Lazy team] in
   * runtime/team.ts); only where a worker boots while its creator blocks (Node), after prepare().
   */
  spawnNow?(init: TeamWorkerInit): TeamWorker;
  /** Loads what spawnNow needs. */
  prepare?(): Promise<void>;
  /** The team over this memory is gone: stop watching for its workers' deaths (runtime/supervisor.ts). */
  release?(memory: WebAssembly.Memory): void;
}

/** The worker's side of the seam. */
export interface WorkerPort {
  init: TeamWorkerInit;
  post(msg: WorkerMessage): void;
  close(): void;
}

const isNode = typeof process !== 'undefined' && !!process.versions?.node;

export function currentPlatform(): Platform {
  return isNode ? nodePlatform : browserPlatform;
}

let NodeWorker: typeof import('node:worker_threads').Worker | undefined;
let NodeChannel: typeof import('node:worker_threads').MessageChannel | undefined;
let nodeWorkerHref: URL | undefined;

const nodePlatform: Platform = {
  name: 'node',
  cpuCount: () => cpus,
  env: () => process.env,
  mainCanBlock: true,
  hasWorkers: true,
  async prepare() {
    NodeWorker ??= (await import('node:worker_threads')).Worker;
    NodeChannel ??= (await import('node:worker_threads')).MessageChannel;
    nodeWorkerHref ??= await nodeWorkerURL();
  },
  async spawn(init) {
    await nodePlatform.prepare!();
    return nodePlatform.spawnNow!(init);
  },
  spawnNow(init) {
    if (!NodeWorker || !nodeWorkerHref) throw new Error('internal error: spawnNow() before prepare()');
    // Workers inherit the process's execArgv; options about the main script's input (`node
    // --input-type=module -e ...`) make a worker fail to start, and mean nothing to it.
    const execArgv = process.execArgv.filter((a, i, all) =>
      !/^(--input-type|--eval|--print|-e|-p)(=|$)/.test(a) && !/^(--eval|--print|-e|-p)$/.test(all[i - 1] ?? ''));
    let w: import('node:worker_threads').Worker;
    // A death during a loop is noticed by the supervisor, through this channel (runtime/supervisor.ts).
    const life = new NodeChannel!();
    const data = { ...init, lifeline: life.port1 };
    try {
      w = new NodeWorker(nodeWorkerHref, { workerData: data, execArgv, transferList: [life.port1] });
    } catch (e) {
      // V8 and per-process flags (`node --expose-gc`, `--max-old-space-size=...`) are refused in a
      // worker's execArgv: drop the ones Node names and keep the rest (loaders, conditions).
      if ((e as { code?: string }).code !== 'ERR_WORKER_INVALID_EXEC_ARGV') throw e;
      const bad = new Set(String((e as Error).message).replace(/^[^:]*:\s*/, '').split(/,\s*/));
      w = new NodeWorker(nodeWorkerHref, { workerData: data, execArgv: execArgv.filter((a) => !bad.has(a)), transferList: [life.port1] });
    }
    superviseNode(NodeWorker, init.memory, init.tid, life.port2);
    let started = false;
    const ready = new Promise<void>((resolve, reject) => {
      w.on('message', (m: WorkerMessage) => {
        if (m.type === 'ready') { started = true; resolve(); } else reject(new Error(`worker ${init.tid} failed to start: ${m.message}`));
      });
      w.on('error', (e) => { if (!started) reject(new Error(`worker ${init.tid} failed to start: ${e.message}`)); });
      w.on('exit', (code) => { if (!started) reject(new Error(`worker ${init.tid} exited during start-up (code ${code})`)); });
    });
    ready.catch(() => { /* observed by the team; avoid an unhandled rejection meanwhile */ });
    // Referenced while it starts (someone may be awaiting `ready`); after that an idle team never
    // keeps the process alive. The listeners are added before: adding one refs the worker again.
    ready.then(() => w.unref(), () => w.unref());
    const exited = new Promise<number>((resolve) => w.on('exit', resolve));
    return { ready, exited, terminate: () => w.terminate().catch(() => 0) };
  },
  release: (memory) => endSupervisor(memory),
};

let cpus = 1;
if (isNode) {
  const os = await import('node:os');
  cpus = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

/**
 * `new URL('./worker.js', import.meta.url)`, so bundlers find the worker. When this module runs from
 * its TypeScript source (vitest) there is no worker.js beside it: the worker then comes from the
 * build in dist/ (`npx tsc -p tsconfig.json`).
 */
async function nodeWorkerURL(): Promise<URL> {
  const url = new URL('./worker.js', import.meta.url);
  if (!import.meta.url.endsWith('.ts')) return url;
  const { existsSync } = await import('node:fs');
  const { fileURLToPath } = await import('node:url');
  if (existsSync(fileURLToPath(url))) return url;
  const built = new URL('../dist/runtime/worker.js', import.meta.url);
  if (existsSync(fileURLToPath(built))) return built;
  throw new Error(`the worker script is not built: ${fileURLToPath(built)} is missing (run 'npx tsc -p tsconfig.json')`);
}

/**
 * Browsers: Web Workers need shared memory, which needs a cross-origin isolated page (COOP/COEP);
 * without it a program runs on thread 0 alone. Thread 0 itself must be a worker (a page's main
 * thread may not block in Atomics.wait, which every join does).
 */
const isolated = typeof crossOriginIsolated !== 'undefined' ? crossOriginIsolated : typeof SharedArrayBuffer !== 'undefined';

/**
 * Where a browser's team workers are started. By default thread 0 (itself a worker) starts them as
 * nested workers; an embedder may start them elsewhere instead, e.g. the playground starts them from
 * the page, because terminating a worker forcibly ends it at once while its nested workers are only
 * asked to stop (Chromium ends one stuck in a loop seconds later).
 */
let spawner: ((init: TeamWorkerInit) => Promise<TeamWorker>) | null = null;
export function setWorkerSpawner(f: ((init: TeamWorkerInit) => Promise<TeamWorker>) | null): void { spawner = f; }

const browserPlatform: Platform = {
  name: 'browser',
  cpuCount: () => (typeof navigator !== 'undefined' && navigator.hardwareConcurrency) || 1,
  env: () => ({}),
  mainCanBlock: typeof document === 'undefined',
  hasWorkers: isolated && typeof Worker !== 'undefined',
  async spawn(init) {
    if (spawner) return spawner(init);
    // Written out in one expression so bundlers (Vite, webpack) see the worker and emit its chunk.
    const w = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    let started = false;
    const ready = new Promise<void>((resolve, reject) => {
      w.onmessage = (e: MessageEvent<WorkerMessage>) => {
        if (e.data.type === 'ready') { started = true; resolve(); } else reject(new Error(`worker ${init.tid} failed to start: ${e.data.message}`));
      };
      w.onerror = (e: ErrorEvent) => {
        e.preventDefault();
        if (!started) reject(new Error(`worker ${init.tid} failed to start: ${e.message || 'could not load runtime/worker.js'}`));
      };
      w.onmessageerror = () => { if (!started) reject(new Error(`worker ${init.tid} could not receive its start-up message`)); };
    });
    ready.catch(() => { /* observed by the team */ });
    // The module and the shared memory are cloned, not copied: every worker sees the same memory.
    w.postMessage(init);
    return { ready, terminate: () => w.terminate() };
  },
};

/** Called once by the worker entry. */
export async function workerPort(): Promise<WorkerPort> {
  if (isNode) {
    const { parentPort, workerData } = await import('node:worker_threads');
    if (!parentPort) throw new Error('runtime/worker.js must run in a worker thread');
    return { init: workerData as TeamWorkerInit, post: (m) => parentPort.postMessage(m), close: () => parentPort.close() };
  }
  // The init is the first message (see browserPlatform.spawn). The listener is added while the
  // module evaluates, before the worker's message queue is started, so it cannot miss it.
  const scope = globalThis as unknown as DedicatedWorkerGlobalScope;
  const init = await new Promise<TeamWorkerInit>((resolve) => {
    scope.addEventListener('message', (e: MessageEvent<TeamWorkerInit>) => resolve(e.data), { once: true });
  });
  return { init, post: (m) => scope.postMessage(m), close: () => scope.close() };
}
