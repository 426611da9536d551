// What the cluster's two sides (the coordinator, runtime/cluster/agent.ts, and `par worker`,
// runtime/cluster/worker.ts) share: Redis key names under Par's prefix, the job and result formats,
// connecting with clear errors, and memory snapshots as content-hashed 64 KiB pages.
// Node only (ioredis, node:crypto); never imported by a browser bundle.
import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { PAGE } from '../layout.js';
import { ClusterError } from '../errors.js';

/** Every key Par uses starts with this (BullMQ's prefix too), so an ACL user can be limited to `~par:*`. */
export const PREFIX = 'par';
/** BullMQ queue of chunk jobs (the children of a loop's flow), and of the flows' parents. */
export const CHUNK_QUEUE = 'chunks';
export const LOOP_QUEUE = 'loops';
/** Blobs live this long after their last upload (seconds): a run refreshes what it uses. */
export const BLOB_TTL = 24 * 3600;
export const key = {
  module: (h: string) => `${PREFIX}:mod:${h}`,
  page: (h: string) => `${PREFIX}:page:${h}`,
  snapshot: (h: string) => `${PREFIX}:snap:${h}`,
  /** Sorted set: worker name -> last heartbeat (ms since the epoch). */
  workers: `${PREFIX}:workers`,
};
/** A worker refreshes its heartbeat this often; one not heard from for 3 periods is not counted. */
export const HEARTBEAT_MS = 2000;

export { ClusterError };

/**
 * TLS material for rediss:// beyond what the address says, as PEM text: `ca` to trust a private
 * CA, `cert` and `key` for servers that ask clients for a certificate (`tls-auth-clients yes`).
 */
export interface ClusterTls { ca?: string; cert?: string; key?: string }

/** ioredis options for `tls` (empty when there is none, so a redis:// address stays plain). */
const tlsOptions = (tls: ClusterTls | undefined) => (tls && (tls.ca || tls.cert || tls.key) ? { tls: { ...tls } } : {});

/** A chunk job's data: run chunk [lo, hi) (iteration numbers) of loop `region` of module `mod` on snapshot `snap`. */
export interface ChunkJob { mod: string; snap: string; region: number; env: number; lo: number; hi: number; index: number; line: number }
/** What the module key holds beside the wasm bytes (JSON, after a 4-byte length). */
export interface ModuleInfo { strings: string[]; sites: { kind: string; text?: string }[]; minPages: number }
/** A snapshot: the heap's extent and the hash of each 64 KiB page below it ('' for a page of zeros). */
export interface Snapshot { top: number; pages: string[] }
/** An error a chunk raised, as the worker's team recorded it (runtime/trap.ts). */
export interface ChunkError { site: number; message: string; thread: number; iteration: string | null }
/** A chunk job's return value: the bytes it changed (base64 of DiffRecords) or its error. */
export interface ChunkResult { worker: string; ms: number; diff?: string; error?: ChunkError }

export const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest('hex');

/** redis://USER:SECRET@HOST:PORT or rediss:// (TLS); the text for messages never shows the secret. */
export function parseClusterUrl(text: string): { url: string; shown: string; user: string } {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new ClusterError(`the cluster address must look like redis://USER:SECRET@HOST:6379 (or rediss:// for TLS), got '${text}'`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new ClusterError(`the cluster address must start with redis:// or rediss://, got '${u.protocol}//'`);
  }
  if (!u.hostname) throw new ClusterError(`the cluster address names no host: '${text}'`);
  const shown = `${u.protocol}//${u.username ? `${decodeURIComponent(u.username)}@` : ''}${u.hostname}:${u.port || 6379}`;
  return { url: text, shown, user: decodeURIComponent(u.username) || 'default' };
}

/** A connection for BullMQ (which needs maxRetriesPerRequest: null); errors are reported by whoever watches it. */
export function connection(url: string, tls?: ClusterTls): Redis {
  const r = new Redis(url, { ...tlsOptions(tls), maxRetriesPerRequest: null, connectTimeout: 5000, retryStrategy: (n) => Math.min(200 * n, 2000) });
  r.on('error', () => { /* watched by the health check (see ping) */ });
  return r;
}

/** Turns a connection failure into a sentence naming the server and, for refusals, the ACL user. */
/** ioredis options for a connection that must fail fast instead of queueing (health checks). */
export const quickOptions = (tls?: ClusterTls) => ({ ...tlsOptions(tls), maxRetriesPerRequest: 0, enableOfflineQueue: false, connectTimeout: 2000, retryStrategy: (n: number) => Math.min(200 * n, 1000) });

export function describeRedisError(e: unknown, where: { shown: string; user: string }): string {
  const msg = e instanceof Error ? e.message : String(e);
  const code = (e as { code?: string }).code ?? '';
  if (/WRONGPASS|invalid username-password/i.test(msg)) return `Redis at ${where.shown} refused the credentials of user '${where.user}' (wrong user name or password)`;
  if (/NOAUTH/i.test(msg)) return `Redis at ${where.shown} requires a password: give it in the address, redis://USER:SECRET@HOST:PORT`;
  if (/NOPERM/i.test(msg)) return `the Redis user '${where.user}' at ${where.shown} lacks a permission Par needs (${msg.replace(/^NOPERM\s*/, '')}); see docs/cluster.md for the ACL`;
  if (code === 'ECONNRESET' && where.shown.startsWith('rediss://')) {
    return `Redis at ${where.shown} closed the TLS connection (ECONNRESET): a server with tls-auth-clients yes wants a client certificate (--tls-cert and --tls-key)`;
  }
  if (['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ECONNRESET'].includes(code) || /ETIMEDOUT|connect/i.test(msg)) {
    return `cannot reach Redis at ${where.shown} (${code || msg})`;
  }
  return `Redis at ${where.shown}: ${msg}`;
}

/**
 * Connects once without retrying and checks what Par needs: the credentials, and writing and
 * deleting a key under Par's prefix. Throws a ClusterError within `timeoutMs`.
 */
export async function preflight(url: string, tls?: ClusterTls, timeoutMs = 5000): Promise<void> {
  const where = parseClusterUrl(url);
  let last: unknown = null;
  const r = new Redis(url, { ...tlsOptions(tls), lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: timeoutMs, enableOfflineQueue: false, enableReadyCheck: false });
  r.on('error', (e) => { last = e; });
  const timer = new Promise<never>((_, reject) => setTimeout(() => reject(Object.assign(new Error('connect ETIMEDOUT'), { code: 'ETIMEDOUT' })), timeoutMs).unref());
  try {
    await Promise.race([r.connect(), timer]);
    const probe = `${PREFIX}:probe:${process.pid}:${Date.now()}`;
    // BullMQ reads the server's version with INFO; without the permission it fails later, less clearly.
    await Promise.race([r.set(probe, '1', 'PX', 10000).then(() => r.del(probe)).then(() => r.info('server')), timer]);
  } catch (e) {
    // ioredis reports a refused AUTH to the command as "Connection is closed" or "Stream isn't
    // writeable", and the reason on its error event, which may come a moment later.
    if (!last) await new Promise((r) => setTimeout(r, 200));
    const cause = last ?? e;
    throw new ClusterError(describeRedisError(cause, where));
  } finally {
    r.disconnect();
  }
}

/** One record of a diff: `len` bytes at `addr`. Packed as u32 addr, u32 len, bytes (padded to 4). */
export function packDiff(mem: Uint8Array, ranges: [number, number][]): Buffer {
  let size = 0;
  for (const [a, b] of ranges) size += 8 + ((b - a + 3) & ~3);
  const out = Buffer.alloc(size);
  let at = 0;
  for (const [a, b] of ranges) {
    out.writeUInt32LE(a, at); out.writeUInt32LE(b - a, at + 4);
    out.set(mem.subarray(a, b), at + 8);
    at += 8 + ((b - a + 3) & ~3);
  }
  return out;
}

export function applyDiff(mem: Uint8Array, diff: Uint8Array): void {
  const dv = new DataView(diff.buffer, diff.byteOffset, diff.byteLength);
  for (let at = 0; at < diff.length;) {
    const addr = dv.getUint32(at, true), len = dv.getUint32(at + 4, true);
    mem.set(diff.subarray(at + 8, at + 8 + len), addr);
    at += 8 + ((len + 3) & ~3);
  }
}

/** The number of pages a snapshot of `top` bytes has. */
export const pagesOf = (top: number) => Math.ceil(top / PAGE);
