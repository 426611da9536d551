// Thread 0's side of cluster mode: starts the cluster agent (runtime/cluster/agent.ts), and runs a
// loop on the cluster from inside the `cluster_run` import, blocking until the agent has written
// the loop's results into the shared memory. A chunk's error comes back as the ParTrap a local run
// would raise (same site, iteration and message, naming the worker); a failure of the cluster
// itself (Redis lost, no worker within --cluster-timeout) as a ClusterError.
import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ParTrap } from '../trap.js';
import { ClusterError, parseClusterUrl, type ModuleInfo } from './common.js';
import { SYNC, type AgentInit, type AgentReply } from './coordinator-protocol.js';

export interface ClusterOptions {
  url: string;
  memory: WebAssembly.Memory;
  bytes: Uint8Array;
  info: ModuleInfo;
  /** Source line of each parallel loop, by region number (for messages). */
  lines: number[];
  timeoutMs?: number;
}

/** A script next to this module, or its built copy when running from sources (vitest). */
export function builtScript(name: string): URL {
  const url = new URL(`./${name}.js`, import.meta.url);
  if (!import.meta.url.endsWith('.ts')) return url;
  const built = new URL(`../../dist/runtime/cluster/${name}.js`, import.meta.url);
  if (existsSync(fileURLToPath(built))) return built;
  throw new Error(`the cluster scripts are not built: ${fileURLToPath(built)} is missing (run 'npx tsc -p tsconfig.json')`);
}

export class ClusterClient {
  private sync = new SharedArrayBuffer(SYNC.BYTES);
  private state = new Int32Array(this.sync, 0, SYNC.HEADER / 4);
  private closed = false;
  private constructor(private agent: Worker, private lines: number[]) {}

  /** Connects (checking the credentials and the ACL) and uploads the module; throws a ClusterError. */
  static async start(o: ClusterOptions): Promise<ClusterClient> {
    parseClusterUrl(o.url);
    const sync = new SharedArrayBuffer(SYNC.BYTES);
    const init: AgentInit = { url: o.url, memory: o.memory, sync, bytes: o.bytes, info: o.info, timeoutMs: o.timeoutMs ?? 0 };
    const agent = new Worker(builtScript('agent'), { workerData: init });
    const client = new ClusterClient(agent, o.lines);
    client.sync = sync;
    client.state = new Int32Array(sync, 0, SYNC.HEADER / 4);
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

  /** The `cluster_run` import: runs parallel loop `region` with environment `env` on the cluster. */
  run(region: number, env: number): number {
    if (this.closed) throw new ClusterError('the cluster connection is closed');
    Atomics.store(this.state, SYNC.state, SYNC.RUNNING);
    this.agent.postMessage({ type: 'run', region, env, line: this.lines[region] ?? 0 });
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

  dispose(): void {
    if (this.closed) return;
    this.closed = true;
    this.agent.postMessage({ type: 'close' });
    // The agent closes its connections and exits; if it cannot, it does not keep the process alive.
    setTimeout(() => { void this.agent.terminate(); }, 2000).unref();
  }
}
