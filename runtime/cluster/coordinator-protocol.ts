// How thread 0 and its cluster agent (runtime/cluster/agent.ts) talk: the agent's start-up data,
// and the shared reply buffer thread 0 waits on while a loop runs on the cluster.
import type { ChunkError, ClusterTls, ModuleInfo } from './common.js';
import { LOOP_ENV, SCHED } from '../protocol.js';

/** The reply buffer: i32 state, i32 length of the JSON reply that follows the header. */
export const SYNC = { state: 0, length: 1, HEADER: 16, BYTES: 1 << 16, IDLE: 0, RUNNING: 1, OK: 2, FAILED: 3 } as const;

export interface AgentInit {
  url: string;
  tls?: ClusterTls;
  memory: WebAssembly.Memory;
  sync: SharedArrayBuffer;
  bytes: Uint8Array;
  info: ModuleInfo;
  /** --cluster-timeout in ms (0: wait for workers as long as it takes). */
  timeoutMs: number;
}

/** A loop's outcome: done (in `chunks` chunks), an error a chunk raised, or a failure of the cluster itself. */
export type AgentReply =
  | { ok: true; chunks: number }
  | { ok: false; error: ChunkError; worker: string }
  | { ok: false; fatal: string; error?: undefined };

/**
 * Rewrites a loop environment's header so that `__fork(region, env, n, 0)` runs exactly iterations
 * [lo, hi) on a team of n: dynamic chunks of about a quarter of each thread's share, in whole
 * reduction blocks (lo is a multiple of the grain). Each such run ends as if it were the loop's
 * last (lastprivates are stored), which is right when the runs go in iteration order.
 */
export function narrowLoop(memory: WebAssembly.Memory, env: number, lo: number, hi: number, n: number): void {
  const dv = new DataView(memory.buffer);
  const grain = Number(dv.getBigInt64(env + LOOP_ENV.grain, true));
  const per = Math.max(grain, Math.ceil((hi - lo) / (4 * n) / grain) * grain);
  dv.setBigInt64(env + LOOP_ENV.trip, BigInt(hi), true);
  dv.setBigInt64(env + LOOP_ENV.next, BigInt(lo), true);
  dv.setBigInt64(env + LOOP_ENV.chunk, BigInt(per), true);
  dv.setInt32(env + LOOP_ENV.kind, SCHED.dynamic, true);
  dv.setInt32(env + LOOP_ENV.last, 0, true);
  dv.setInt32(env + LOOP_ENV.timed, 0, true);
}
