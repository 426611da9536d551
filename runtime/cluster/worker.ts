// `par worker`: a cluster node. It takes chunk jobs from Par's BullMQ queue on Redis, fetches the
// job's module and memory snapshot (by content hash, cached), runs the chunk on an executor thread
// (runtime/cluster/executor.ts; --concurrency of them, each with a team of --threads), and returns
// the chunk's changed bytes as the job's value. It runs only modules taken from that authenticated
// queue. SIGINT/SIGTERM: stop taking jobs, finish the running ones, exit 0; a second signal hands
// the running ones back instead.
//
// Stalled-job recovery is BullMQ's: a job's lock is renewed every LOCK_MS/2 by this process's event
// loop (free while chunks run on executor threads); a killed worker's job is moved back to the
// queue by another worker's stalled-job check within about LOCK_MS + STALLED_MS.
import { hostname } from 'node:os';
import { Worker as Thread } from 'node:worker_threads';
import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { PAGE } from '../layout.js';
import {
  CHUNK_QUEUE, connection, HEARTBEAT_MS, key, pagesOf, parseClusterUrl, preflight, PREFIX,
  type ChunkJob, type ChunkResult, type ClusterTls, type ModuleInfo, type Snapshot,
} from './common.js';
import { builtScript } from './coordinator.js';
import type { ExecMessage, ExecReply } from './executor.js';

const LOCK_MS = 4000;
const STALLED_MS = 2000;
/** Pages kept in memory for later snapshots (64 KiB each): 256 MiB. */
const PAGE_CACHE = 4096;

export interface WorkerOptions {
  url: string;
  tls?: ClusterTls;
  threads?: number;
  concurrency: number;
  /** Lines about the worker's life (stderr). */
  log(text: string): void;
  /** Also log each chunk as it starts and ends. */
  verbose?: boolean;
  /** Registers the stop signal handlers; returns their removal. */
  onStop(handler: () => void): () => void;
}

interface Executor { thread: Thread; mod: string; snap: string }

class Blobs {
  private modules = new Map<string, { bytes: Uint8Array; info: ModuleInfo }>();
  private snapshots = new Map<string, { top: number; data: SharedArrayBuffer }>();
  private pages = new Map<string, Buffer>();
  constructor(private redis: Redis) {}

  async module(hash: string): Promise<{ bytes: Uint8Array; info: ModuleInfo }> {
    let m = this.modules.get(hash);
    if (!m) {
      const blob = await this.redis.getBuffer(key.module(hash));
      if (!blob) throw new Error(`module ${hash.slice(0, 12)} is not in Redis (expired?)`);
      const n = blob.readUInt32LE(0);
      m = { info: JSON.parse(blob.subarray(4, 4 + n).toString()) as ModuleInfo, bytes: new Uint8Array(blob.subarray(4 + n)) };
      this.modules.set(hash, m);
    }
    return m;
  }

  async snapshot(hash: string): Promise<{ top: number; data: SharedArrayBuffer }> {
    const have = this.snapshots.get(hash);
    if (have) return have;
    const text = await this.redis.get(key.snapshot(hash));
    if (!text) throw new Error(`snapshot ${hash.slice(0, 12)} is not in Redis (expired?)`);
    const s = JSON.parse(text) as Snapshot;
    const missing = [...new Set(s.pages.filter((h) => h && !this.pages.has(h)))];
    for (let i = 0; i < missing.length; i += 64) {
      const part = missing.slice(i, i + 64);
      const got = await this.redis.mgetBuffer(...part.map(key.page));
      got.forEach((b, k) => {
        if (!b) throw new Error(`memory page ${part[k].slice(0, 12)} is not in Redis (expired?)`);
        this.pages.set(part[k], b);
      });
    }
    const data = new SharedArrayBuffer(pagesOf(s.top) * PAGE);
    const view = new Uint8Array(data);
    s.pages.forEach((h, p) => { if (h) view.set(this.pages.get(h)!, p * PAGE); });
    // Oldest first: drop pages and snapshots beyond the caches' sizes.
    for (const h of s.pages) if (h) { const b = this.pages.get(h)!; this.pages.delete(h); this.pages.set(h, b); }
    while (this.pages.size > PAGE_CACHE) this.pages.delete(this.pages.keys().next().value!);
    this.snapshots.set(hash, { top: s.top, data: data });
    while (this.snapshots.size > 2) this.snapshots.delete(this.snapshots.keys().next().value!);
    return { top: s.top, data };
  }
}

export async function runWorker(o: WorkerOptions): Promise<void> {
  const where = parseClusterUrl(o.url);
  await preflight(o.url, o.tls);
  const name = `${hostname()}:${process.pid}`;
  const redis = connection(o.url, o.tls);
  const blobs = new Blobs(redis);
  const idle: Executor[] = [];
  const all: Executor[] = [];
  for (let k = 0; k < o.concurrency; k++) {
    const thread = new Thread(builtScript('executor'), { workerData: { threads: o.threads } });
    const ex = { thread, mod: '', snap: '' };
    idle.push(ex); all.push(ex);
  }
  const waiting: ((e: Executor) => void)[] = [];
  const take = () => new Promise<Executor>((res) => { const e = idle.pop(); if (e) res(e); else waiting.push(res); });
  const give = (e: Executor) => { const w = waiting.shift(); if (w) w(e); else idle.push(e); };

  const processor = async (job: Job<ChunkJob>): Promise<ChunkResult> => {
    const d = job.data;
    const [mod, snap] = await Promise.all([blobs.module(d.mod), blobs.snapshot(d.snap)]);
    const ex = await take();
    if (o.verbose) o.log(`par worker ${name}: chunk ${d.index} of the loop at line ${d.line}: iterations [${d.lo}, ${d.hi})`);
    try {
      const msg: ExecMessage = { job: d };
      if (ex.mod !== d.mod) msg.module = { hash: d.mod, ...mod };
      if (ex.snap !== d.snap || ex.mod !== d.mod) msg.snapshot = { hash: d.snap, ...snap };
      const reply = await new Promise<ExecReply>((res, rej) => {
        const onExit = (code: number) => rej(new Error(`executor thread exited (code ${code})`));
        ex.thread.once('exit', onExit);
        ex.thread.once('message', (r: ExecReply) => { ex.thread.off('exit', onExit); res(r); });
        ex.thread.postMessage(msg);
      });
      if (!reply.ok) { ex.mod = ''; ex.snap = ''; throw new Error(reply.message); }
      ex.mod = d.mod; ex.snap = d.snap;
      if (o.verbose) o.log(`par worker ${name}: chunk ${d.index} done in ${reply.ms.toFixed(1)} ms${reply.error ? ` with ${reply.error.message.split(':')[0]}` : ''}`);
      return { worker: name, ms: Math.round(reply.ms), ...(reply.diff ? { diff: Buffer.from(reply.diff).toString('base64') } : {}), ...(reply.error ? { error: reply.error } : {}) };
    } finally {
      give(ex);
    }
  };

  const blocking = connection(o.url, o.tls);
  const worker = new Worker<ChunkJob, ChunkResult>(CHUNK_QUEUE, processor, {
    connection: blocking, prefix: PREFIX, concurrency: o.concurrency,
    lockDuration: LOCK_MS, stalledInterval: STALLED_MS, maxStalledCount: 3,
  });
  let lastError = '';
  worker.on('error', (e) => {
    const text = e.message;
    if (text !== lastError) { lastError = text; o.log(`par worker: Redis: ${text}`); }
  });
  const beat = () => redis.zadd(key.workers, Date.now(), name).catch(() => { /* reported by the worker's error event */ });
  await beat();
  const heartbeat = setInterval(beat, HEARTBEAT_MS);
  o.log(`par worker ${name}: connected to ${where.shown}, ${o.concurrency} chunk${o.concurrency === 1 ? '' : 's'} at a time, ${o.threads ?? 'default'} threads each`);

  await new Promise<void>((resolve) => {
    let stopping = false, finished = false;
    const finish = async () => {
      if (finished) return;
      finished = true;
      await redis.zrem(key.workers, name).catch(() => {});
      for (const e of all) await e.thread.terminate();
      redis.disconnect();
      blocking.disconnect();
      remove();
      resolve();
    };
    const remove = o.onStop(() => {
      clearInterval(heartbeat);
      if (stopping) {
        // A second signal: hand the running chunks back rather than finish them. Their locks are
        // not renewed any more, so another worker's stalled-job check requeues them (LOCK_MS + STALLED_MS).
        // (worker.close(true) would wait for the first close; the process just exits instead.)
        o.log(`par worker ${name}: stopping now; the running chunks go back to the queue`);
        finished = true;
        const gone = redis.zrem(key.workers, name).catch(() => {});
        void Promise.race([gone, new Promise((r) => setTimeout(r, 1000))]).then(() => { remove(); resolve(); });
        return;
      }
      stopping = true;
      o.log(`par worker ${name}: stopping (finishing the running chunks; signal again to hand them back)`);
      void worker.close().then(finish);
    });
  });
}
