// How thread 0 and its cluster agent (runtime/cluster/agent.ts) talk: the agent's start-up data,
// and the shared reply buffer thread 0 waits on while a loop runs on the cluster.
import type { ChunkError, ModuleInfo } from './common.js';

/** The reply buffer: i32 state, i32 length of the JSON reply that follows the header. */
export const SYNC = { state: 0, length: 1, HEADER: 16, BYTES: 1 << 16, IDLE: 0, RUNNING: 1, OK: 2, FAILED: 3 } as const;

export interface AgentInit {
  url: string;
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
