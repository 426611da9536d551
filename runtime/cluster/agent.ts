// The coordinator's cluster agent: a worker thread that owns the Redis connections of one program
// in cluster mode. Thread 0 is blocked inside wasm while a loop runs on the cluster (the
// `cluster_run` import waits on a shared word; runtime/cluster/coordinator.ts), so the network
// work happens here: snapshot the program's memory as content-hashed pages (each page uploaded once),
// add the loop's chunks as the children of a BullMQ flow, follow their completion, write the
// chunks' changed bytes back into the shared memory in chunk order, and report.
//
// Note [Cluster chunks]: a chunk is a run of whole reduction blocks (compiler/parallel.ts, Note
// [Deterministic reductions]); its partials land in the same slots a local run uses, so the fold
// after the loop gives the same bits. Changes come back as diffs against the snapshot and are
// applied in chunk order: with row-owned writes the order does not matter, and where two chunks
// write the same byte the later chunk wins, as the later iterations would in a serial run.
import { writeSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { FlowProducer, Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { ALLOC, PAGE } from '../layout.js';
import { LOOP_ENV } from '../protocol.js';
import {
  applyDiff, BLOB_TTL, CHUNK_QUEUE, ClusterError, connection, describeRedisError, HEARTBEAT_MS, key, LOOP_QUEUE,
  pagesOf, parseClusterUrl, preflight, PREFIX, quickOptions, sha256, type ChunkError, type ChunkJob, type ChunkResult, type ModuleInfo,
} from './common.js';
import { SYNC, type AgentInit, type AgentReply } from './coordinator-protocol.js';

const init = workerData as AgentInit;
const where = parseClusterUrl(init.url);
const sync = new Int32Array(init.sync, 0, SYNC.HEADER / 4);
/** Redis unreachable this long during a run: the run fails. */
const LOST_MS = 8000;

function reply(r: AgentReply): void {
  const text = new TextEncoder().encode(JSON.stringify(r));
  const room = init.sync.byteLength - SYNC.HEADER;
  const body = text.length <= room ? text : new TextEncoder().encode(JSON.stringify({ fatal: 'internal error: the cluster reply is too long' }));
  new Uint8Array(init.sync, SYNC.HEADER, body.length).set(body);
  Atomics.store(sync, SYNC.length, body.length);
  Atomics.store(sync, SYNC.state, r.ok ? SYNC.OK : SYNC.FAILED);
  Atomics.notify(sync, SYNC.state);
}

/** `p`, or a ClusterError saying Redis was lost when it takes longer than LOST_MS (commands wait while ioredis reconnects). */
function inTime<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ClusterError(`lost the connection to Redis at ${where.shown}: ${what} got no answer within ${LOST_MS / 1000} s`)), LOST_MS);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

const say = (text: string) => { try { writeSync(2, `par: cluster: ${text}\n`); } catch { /* stderr closed */ } };

let redis: Redis, health: Redis;
let flows: FlowProducer, loops: Queue, events: QueueEvents;
let modHash = '';
const uploaded = new Set<string>();
const runId = `${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
let loopSeq = 0;

/** Completions of this run's chunk jobs, by job id (events may arrive before the flow's add returns). */
const finished = new Map<string, { result?: ChunkResult; failed?: string }>();
let wake: (() => void) | null = null;

async function start(): Promise<void> {
  await preflight(init.url, init.tls);
  redis = connection(init.url, init.tls);
  // Health checks must fail fast while Redis is away, not wait in ioredis's offline queue.
  health = new Redis(init.url, quickOptions(init.tls));
  health.on('error', () => { /* counted by runLoop's health check */ });
  const info: ModuleInfo = init.info;
  const head = Buffer.from(JSON.stringify(info));
  const blob = Buffer.concat([Buffer.alloc(4), head, Buffer.from(init.bytes)]);
  blob.writeUInt32LE(head.length, 0);
  modHash = sha256(blob);
  await redis.set(key.module(modHash), blob, 'EX', BLOB_TTL);
  flows = new FlowProducer({ connection: redis, prefix: PREFIX });
  loops = new Queue(LOOP_QUEUE, { connection: redis, prefix: PREFIX });
  events = new QueueEvents(CHUNK_QUEUE, { connection: connection(init.url, init.tls), prefix: PREFIX });
  events.on('error', () => { /* the health check reports a lost connection */ });
  events.on('completed', ({ jobId, returnvalue }) => {
    if (!jobId.startsWith(runId)) return;
    const result = (typeof returnvalue === 'string' ? JSON.parse(returnvalue) : returnvalue) as ChunkResult;
    finished.set(jobId, { result });
    wake?.();
  });
  events.on('failed', ({ jobId, failedReason }) => {
    if (!jobId.startsWith(runId)) return;
    finished.set(jobId, { failed: failedReason });
    wake?.();
  });
  // BullMQ's stalled-job check moved a chunk whose worker stopped renewing its lock back to the queue.
  events.on('stalled', ({ jobId }) => {
    if (jobId.startsWith(runId)) say(`chunk ${jobId.slice(jobId.lastIndexOf('-') + 1)} of a loop lost its worker; it runs again on another`);
  });
  await events.waitUntilReady();
}

/** Uploads the pages of memory below the heap's top that the cluster does not have yet; returns the snapshot's hash. */
async function snapshot(): Promise<string> {
  const buf = init.memory.buffer;
  const top = new Int32Array(buf, 0, 64)[ALLOC.heapTop / 4] >>> 0;
  const pages: string[] = [];
  const pipe = redis.pipeline();
  for (let p = 0; p < pagesOf(top); p++) {
    const bytes = new Uint8Array(buf, p * PAGE, Math.min(PAGE, top - p * PAGE));
    const words = new Int32Array(buf, p * PAGE, bytes.length >> 2);
    let zero = true;
    for (let i = 0; i < words.length; i++) if (words[i] !== 0) { zero = false; break; }
    if (zero && (bytes.length & 3) === 0) { pages.push(''); continue; }
    const copy = Buffer.from(bytes); // a stable copy: hashing and sending must see the same bytes
    const h = sha256(copy);
    pages.push(h);
    if (!uploaded.has(h)) { pipe.set(key.page(h), copy, 'EX', BLOB_TTL); uploaded.add(h); }
  }
  const snap = JSON.stringify({ top, pages });
  const sh = sha256(snap);
  pipe.set(key.snapshot(sh), snap, 'EX', BLOB_TTL);
  const res = await pipe.exec();
  const bad = res?.find(([e]) => e);
  if (bad) throw bad[0];
  return sh;
}

/** Workers that sent a heartbeat recently. */
async function workersSeen(): Promise<number> {
  return health.zcount(key.workers, Date.now() - 3 * HEARTBEAT_MS, '+inf');
}

/** The chunks of iterations [from, trip): whole blocks, about four chunks per worker, at least 16 when there are enough blocks. */
function chunksOf(from: number, trip: number, grain: number, workers: number): [number, number][] {
  const first = from / grain, blocks = Math.ceil(trip / grain) - first;
  const want = Math.max(1, Math.min(blocks, Number(process.env.PAR_CLUSTER_CHUNKS) || Math.max(16, 4 * workers)));
  const out: [number, number][] = [];
  for (let k = 0; k < want; k++) {
    const lo = (first + Math.floor((blocks * k) / want)) * grain, hi = Math.min(trip, (first + Math.floor((blocks * (k + 1)) / want)) * grain);
    if (hi > lo) out.push([lo, hi]);
  }
  return out;
}

/** Runs iterations [from, trip) of a loop on the cluster (thread 0 ran the ones before: see ClusterClient.run). */
async function runLoop(region: number, env: number, line: number, from: number): Promise<AgentReply> {
  const dv = new DataView(init.memory.buffer);
  const trip = Number(dv.getBigInt64(env + LOOP_ENV.trip, true)), grain = Number(dv.getBigInt64(env + LOOP_ENV.grain, true));
  if (trip <= from) return { ok: true, chunks: 0 };
  const snap = await inTime(snapshot(), 'uploading the memory snapshot');
  const chunks = chunksOf(from, trip, grain, await inTime(workersSeen(), 'counting workers'));
  const seq = loopSeq++;
  const ids = chunks.map((_, k) => `${runId}-${seq}-${k}`);
  const parentId = `${runId}-${seq}`;
  await inTime(flows.add({
    name: `line ${line}`, queueName: LOOP_QUEUE, data: { run: runId }, opts: { jobId: parentId },
    children: chunks.map(([lo, hi], k) => ({
      name: `line ${line} [${lo}, ${hi})`, queueName: CHUNK_QUEUE,
      data: { mod: modHash, snap, region, env, lo, hi, index: k, line } satisfies ChunkJob,
      opts: { jobId: ids[k], removeOnComplete: true, removeOnFail: { age: 3600 } },
    })),
  }), 'adding the chunk jobs');
  const t0 = Date.now();
  let lastDone = t0, lastOk = t0, lastSaid = t0, saidWaiting = false, workers = 0;
  const results: (ChunkResult | undefined)[] = Array.from({ length: chunks.length }, () => undefined);
  let done = 0;
  let lowest: { k: number; e: ChunkError; worker: string } | null = null;
  const cleanUp = async () => {
    try { await inTime(loops.remove(parentId, { removeChildren: true }), 'removing the finished flow'); } catch { /* active children finish on their own; Redis may be gone */ }
    for (const id of ids) finished.delete(id);
  };
  try {
    for (;;) {
      for (let k = 0; k < chunks.length; k++) {
        const f = results[k] ? undefined : finished.get(ids[k]);
        if (!f) continue;
        if (f.failed !== undefined) return { ok: false, fatal: `a cluster worker failed on chunk ${k} of the loop at line ${line} (iterations ${chunks[k][0]}..${chunks[k][1] - 1}): ${f.failed}` };
        results[k] = f.result!;
        done++;
        lastDone = Date.now();
        const err = f.result!.error;
        if (err && (!lowest || BigInt(err.iteration ?? -1) < BigInt(lowest.e.iteration ?? -1))) lowest = { k, e: err, worker: f.result!.worker };
      }
      // With an error, the chunks below it still decide which error is reported (the lowest
      // iteration, as locally); the chunks above it are cancelled.
      const needed = lowest ? lowest.k + 1 : chunks.length;
      if (results.slice(0, needed).every((r) => r)) break;
      const now = Date.now();
      try {
        await Promise.race([health.ping(), new Promise((_, rej) => setTimeout(() => rej(new Error('ping timed out')), 1000).unref())]);
        lastOk = now;
        workers = await workersSeen();
      } catch (e) {
        if (now - lastOk > LOST_MS) return { ok: false, fatal: `lost the connection to Redis at ${where.shown}: no answer for ${LOST_MS / 1000} s (${e instanceof Error ? e.message : String(e)})` };
      }
      if (init.timeoutMs > 0 && now - lastDone > init.timeoutMs) {
        return { ok: false, fatal: `no cluster worker finished a chunk of the loop at line ${line} within ${init.timeoutMs / 1000} s (--cluster-timeout; ${workers} worker${workers === 1 ? '' : 's'} seen, ${done}/${chunks.length} chunks done)` };
      }
      if (!saidWaiting && workers === 0 && now - t0 > 2000) {
        saidWaiting = true;
        say(`waiting for a worker: none is connected to ${where.shown} (start one with 'par worker --redis ...')`);
      }
      if (now - lastSaid >= 2000 && now - t0 >= 2000) {
        lastSaid = now;
        say(`line ${line}: ${done}/${chunks.length} chunks done, ${workers} worker${workers === 1 ? '' : 's'}`);
      }
      await new Promise<void>((res) => { wake = res; setTimeout(res, 500).unref(); });
      wake = null;
    }
  } finally {
    await cleanUp();
  }
  if (lowest) return { ok: false, error: lowest.e, worker: lowest.worker };
  const mem = new Uint8Array(init.memory.buffer);
  for (const r of results) if (r?.diff) applyDiff(mem, Buffer.from(r.diff, 'base64'));
  // Every chunk ran its end as if it were the loop's last (runtime/cluster/executor.ts), so the
  // last chunk's lastprivate values were applied last: they are the loop's.
  new DataView(init.memory.buffer).setInt32(env + LOOP_ENV.last, 1, true);
  return { ok: true, chunks: chunks.length };
}

parentPort!.on('message', (m: { type: 'run'; region: number; env: number; line: number; from: number } | { type: 'close' }) => {
  if (m.type === 'close') {
    void Promise.allSettled([events?.close(), flows?.close(), loops?.close()]).finally(() => {
      redis?.disconnect(); health?.disconnect();
      process.exit(0);
    });
    return;
  }
  runLoop(m.region, m.env, m.line, m.from).then(reply, (e) => reply({
    ok: false, fatal: e instanceof ClusterError ? e.message : /ECONN|ETIMEDOUT|closed|WRONGPASS|NOPERM/i.test(String(e)) ? describeRedisError(e, where) : `internal error in the cluster agent: ${e instanceof Error ? e.stack : String(e)}`,
  }));
});

start().then(() => parentPort!.postMessage({ type: 'ready' }), (e) => {
  parentPort!.postMessage({ type: 'failed', message: e instanceof ClusterError ? e.message : describeRedisError(e, where) });
});
