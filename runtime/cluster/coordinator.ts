// Thread 0's side of cluster mode: starts the cluster agent (runtime/cluster/agent.ts), and runs a
// loop from inside the `cluster_run` import: a sample on the local team, then the rest locally or
// on the cluster (Note [Cluster cost model]), blocking until the agent has written the loop's
// results into the shared memory. A chunk's error comes back as the ParTrap a local run
// would raise (same site, iteration and message, naming the worker); a failure of the cluster
// itself (Redis lost, no worker within --cluster-timeout) as a ClusterError.
import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ParTrap } from '../trap.js';
import { LOOP_ENV } from '../protocol.js';
import { ClusterError, parseClusterUrl, type ClusterTls, type ModuleInfo } from './common.js';
import { narrowLoop, SYNC, type AgentInit, type AgentReply } from './coordinator-protocol.js';

/**
 * Note [Cluster cost model]: a loop goes to the cluster only when it has work enough to repay a
 * snapshot and a flow of jobs. Thread 0 first runs about 1/64 of the loop's blocks (at least one)
 * on its own team and times them; if the rest would take less than PAR_CLUSTER_MIN_MS (default
 * 500 ms) locally, the rest runs locally too, else it goes to the cluster. So a prange inside a
 * time-stepping loop stays local while a sweep of seconds is distributed; a distributed loop
 * pays its sample, about 1.5% of its work, on the coordinator.
 */
const DEFAULT_MIN_MS = 500;

export interface ClusterOptions {
  url: string;
  tls?: ClusterTls;
  memory: WebAssembly.Memory;
  bytes: Uint8Array;
  info: ModuleInfo;
  /** Source line of each parallel loop, by region number (for messages). */
  lines: number[];
  timeoutMs?: number;
  /** The exported `__fork(region, env, n, nestable)`: runs a loop on the local team. */
  fork(region: number, env: number, n: number): void;
  /** Threads of the local team. */
  teamSize: number;
  /** PAR_CLUSTER_MIN_MS: less estimated work than this (ms, on the local team) stays local. */
  minMs?: number;
}

/** What happened to one loop's runs in cluster mode, for `--time`. */
interface LoopRecord { cluster: number; local: number; estimateMs: number }

/** A script next to this module, or its built copy when running from sources (vitest). */
export function builtScript(name: string): URL {
  const url = new URL(`./${name}.js`, import.meta.url);
  if (!import.meta.url.endsWith('.ts')) return url;
  const built = new URL(`../../dist/runtime/cluster/${name}.js`, import.meta.url);
  if (existsSync(fileURLToPath(built))) return built;
  throw new Error(`the cluster scripts are not built: ${fileURLToPath(built)} is missing (run 'npx tsc -p tsconfig.json')`);
}

export class ClusterClient {
  private state: Int32Array;
  private closed = false;
  private records = new Map<number, LoopRecord>();
  private constructor(private agent: Worker, private o: ClusterOptions, private sync: SharedArrayBuffer) {
    this.state = new Int32Array(sync, 0, SYNC.HEADER / 4);
  }

  /** Connects (checking the credentials and the ACL) and uploads the module; throws a ClusterError. */
  static async start(o: ClusterOptions): Promise<ClusterClient> {
    parseClusterUrl(o.url);
    const sync = new SharedArrayBuffer(SYNC.BYTES);
    const init: AgentInit = { url: o.url, ...(o.tls ? { tls: o.tls } : {}), memory: o.memory, sync, bytes: o.bytes, info: o.info, timeoutMs: o.timeoutMs ?? 0 };
    const agent = new Worker(builtScript('agent'), { workerData: init });
    const client = new ClusterClient(agent, o, sync);
    await new Promise<void>((resolve, reject) => {
      agent.on('message', (m: { type: string; message?: string }) => {
        if (m.type === 'ready') resolve();
        else if (m.type === 'failed') reject(new ClusterError(m.message!));
      });
      agent.on('error', (e) => reject(e));
      agent.on('exit', (code) => reject(new ClusterError(`the cluster agent exited during start-up (code ${code})`)));
    }).catch((e) => { void agent.terminate(); throw e; });
    agent.unref();
    return client;
  }

  /**
   * The `cluster_run` import: runs parallel loop `region` with environment `env`, a sample locally
   * and the rest on the cluster or locally (see Note [Cluster cost model]). Returns the number of
   * chunks or threads used.
   */
  run(region: number, env: number): number {
    if (this.closed) throw new ClusterError('the cluster connection is closed');
    const { memory, teamSize } = this.o;
    const dv = () => new DataView(memory.buffer);
    const trip = Number(dv().getBigInt64(env + LOOP_ENV.trip, true)), grain = Number(dv().getBigInt64(env + LOOP_ENV.grain, true));
    if (trip <= 0) return 1;
    const rec = this.records.get(region) ?? { cluster: 0, local: 0, estimateMs: 0 };
    this.records.set(region, rec);
    // On an error the header is left as it is: the team may still be finishing chunks of it.
    const header = new Uint8Array(memory.buffer, env, LOOP_ENV.slots).slice();
    const local = (lo: number, hi: number) => {
      narrowLoop(memory, env, lo, hi, teamSize);
      this.o.fork(region, env, teamSize);
      new Uint8Array(memory.buffer).set(header, env);
    };
    const sampleEnd = Math.min(trip, Math.max(1, Math.floor(Math.ceil(trip / grain) / 64)) * grain);
    const t0 = performance.now();
    local(0, sampleEnd);
    rec.estimateMs = ((performance.now() - t0) * trip) / sampleEnd;
    const minMs = this.o.minMs ?? DEFAULT_MIN_MS;
    if (sampleEnd === trip || rec.estimateMs < minMs) {
      if (sampleEnd < trip) local(sampleEnd, trip);
      dv().setInt32(env + LOOP_ENV.last, 1, true);
      rec.local++;
      return teamSize;
    }
    rec.cluster++;
    Atomics.store(this.state, SYNC.state, SYNC.RUNNING);
    this.agent.postMessage({ type: 'run', region, env, line: this.o.lines[region] ?? 0, from: sampleEnd });
    while (Atomics.load(this.state, SYNC.state) === SYNC.RUNNING) Atomics.wait(this.state, SYNC.state, SYNC.RUNNING, 1000);
    const len = Atomics.load(this.state, SYNC.length);
    const r = JSON.parse(new TextDecoder().decode(new Uint8Array(this.sync, SYNC.HEADER, len).slice())) as AgentReply;
    Atomics.store(this.state, SYNC.state, SYNC.IDLE);
    if (r.ok) return Math.max(1, r.chunks);
    if (r.error) {
      const e = r.error;
      const message = e.message.replace(/ on thread (\d+)\)$/, ` on thread $1 of cluster worker ${r.worker})`);
      throw new ParTrap(e.site, message, e.thread, e.iteration === null ? undefined : BigInt(e.iteration));
    }
    throw new ClusterError(r.fatal);
  }

  /** `--time`: where loop `region` ran in cluster mode, or '' if it never came here. */
  report(region: number): string {
    const r = this.records.get(region);
    if (!r) return '';
    const parts: string[] = [];
    if (r.cluster) parts.push(`distributed to the cluster${r.local ? ` ${r.cluster}x` : ''}`);
    if (r.local) parts.push(`kept local${r.cluster ? ` ${r.local}x` : ''}: about ${r.estimateMs.toFixed(1)} ms of work (PAR_CLUSTER_MIN_MS=${this.o.minMs ?? DEFAULT_MIN_MS})`);
    return parts.join(', ');
  }

  dispose(): void {
    if (this.closed) return;
    this.closed = true;
    this.agent.postMessage({ type: 'close' });
    // The agent closes its connections and exits; if it cannot, it does not keep the process alive.
    setTimeout(() => { void this.agent.terminate(); }, 2000).unref();
  }
}
