// One chunk runner of `par worker` (runtime/cluster/worker.ts): a worker thread holding an instance
// of the submitted module with its own team. For each chunk it restores the coordinator's memory
// snapshot, rewrites the loop's environment header so that the team runs exactly iterations
// [lo, hi) (dynamic chunks, whole reduction blocks), forks, and sends back the bytes that changed
// (see Note [Cluster chunks] in agent.ts) or the error the team recorded, then undoes the changes.
//
// The worker's own control block (CTRL: its team's generation counters, spin, size) is never
// overwritten by a snapshot, and its team's per-thread slots live in the last pages of memory,
// above every snapshot's heap; only the allocator state and [STATIC_BASE, heap top) are restored.
import { parentPort, workerData } from 'node:worker_threads';
import { instantiate, type ParInstance } from '../instance.js';
import { CTRL, LOOP_ENV, SLOT } from '../protocol.js';
import { ALLOC, PAGE, STATIC_BASE } from '../layout.js';
import { inRegion, recordError, trapFromError } from '../trap.js';
import { packDiff, pagesOf, type ChunkError, type ChunkJob, type ModuleInfo } from './common.js';
import { narrowLoop } from './coordinator-protocol.js';

export interface ExecMessage {
  job: ChunkJob;
  /** Present when this executor does not hold the job's module yet. */
  module?: { hash: string; bytes: Uint8Array; info: ModuleInfo };
  /** Present when the snapshot differs from the last one sent. */
  snapshot?: { hash: string; top: number; data: SharedArrayBuffer };
}
export type ExecReply = { ok: true; diff: Uint8Array | null; error: ChunkError | null; ms: number } | { ok: false; message: string };

const threads = (workerData as { threads?: number }).threads;
let inst: ParInstance | null = null;
let modHash = '';
let snap: { hash: string; top: number; data: SharedArrayBuffer } | null = null;
/** Where the team's slots are, and the ranges the last chunk changed (restored before the next). */
let slotsAt = 0;
let dirty: [number, number][] = [];

async function load(m: NonNullable<ExecMessage['module']>): Promise<void> {
  if (inst) inst.team.dispose();
  inst = await instantiate({ bytes: m.bytes, strings: m.info.strings, sites: m.info.sites, minPages: m.info.minPages, stdout: () => {}, threads });
  await inst.team.ready();
  modHash = m.hash;
  snap = null;
  slotsAt = 0;
}

/** Makes the memory the snapshot again: all of it for a new snapshot, else only what the last chunk changed. */
function restore(s: { hash: string; top: number; data: SharedArrayBuffer }): void {
  const memory = inst!.memory;
  const src = new Uint8Array(s.data);
  if (snap?.hash === s.hash) {
    const mem = new Uint8Array(memory.buffer);
    for (const [a, b] of dirty) mem.set(src.subarray(a, b), a);
    dirty = [];
    return;
  }
  const ctrl = new Int32Array(memory.buffer, 0, CTRL.END / 4);
  const size = Atomics.load(ctrl, CTRL.teamSize / 4);
  const slotPages = Math.ceil((SLOT.SIZE * size) / PAGE);
  const need = pagesOf(s.top) + slotPages;
  const have = memory.buffer.byteLength / PAGE;
  if (have < need) memory.grow(need - have);
  if (slotsAt < s.top) {
    // The team is idle (each thread waits on CTRL.wake and reads its mailbox through CTRL.iterSlots):
    // move the slots first, then let a moment pass before the old ones are overwritten.
    const at = memory.buffer.byteLength - slotPages * PAGE;
    new Uint8Array(memory.buffer, at, SLOT.SIZE * size).fill(0);
    for (let t = 0; t < size; t++) new BigInt64Array(memory.buffer, at + t * SLOT.SIZE + SLOT.iter, 1)[0] = -1n;
    Atomics.store(ctrl, CTRL.iterSlots / 4, at);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2);
    slotsAt = at;
  }
  const mem = new Uint8Array(memory.buffer);
  mem.set(src.subarray(ALLOC.heapTop, CTRL.gen), ALLOC.heapTop);
  mem.set(src.subarray(STATIC_BASE, s.top), STATIC_BASE);
  snap = s;
  dirty = [];
}

/** Ranges of [STATIC_BASE, top) that differ from the snapshot, in 4-byte words, close ranges merged. */
function changed(memory: WebAssembly.Memory, s: { top: number; data: SharedArrayBuffer }): [number, number][] {
  const n = Math.ceil(s.top / 4);
  const a = new Int32Array(memory.buffer, 0, n), b = new Int32Array(s.data, 0, n);
  const out: [number, number][] = [];
  for (let i = STATIC_BASE / 4; i < n; i++) {
    if (a[i] === b[i]) continue;
    let j = i + 1;
    // Extend over gaps of up to 8 equal words: one record of 8 more bytes beats a new record header.
    for (let gap = 0; j < n && gap <= 8; j++) gap = a[j] === b[j] ? gap + 1 : 0;
    while (a[j - 1] === b[j - 1]) j--;
    out.push([i * 4, Math.min(j * 4, s.top)]);
    i = j;
  }
  return out;
}

function runChunk(m: ExecMessage): ExecReply {
  const t0 = performance.now();
  const { job } = m;
  const ex = inst!.exports;
  const memory = inst!.memory;
  const E = job.env;
  const n = inst!.team.size;
  narrowLoop(memory, E, job.lo, job.hi, n);
  let error: ChunkError | null = null;
  try {
    ex.__fork(job.region, E, n, 0);
  } catch (e) {
    let t = trapFromError(e);
    // Thread 0's own share failed: wait for the other threads, whose errors may be lower.
    if (inRegion(memory)) {
      if (!t?.recorded) recordError(memory, inst!.output, 0, t?.site ?? -1, t?.message ?? String(e));
      try { ex.__join(); } catch (j) { t = trapFromError(j) ?? t; }
    }
    if (!t) throw e;
    error = { site: t.site, message: t.message, thread: t.thread ?? 0, iteration: t.iteration === undefined ? null : String(t.iteration) };
  }
  // The environment's header is the worker's own business.
  new Uint8Array(memory.buffer).set(new Uint8Array(snap!.data, E, LOOP_ENV.slots), E);
  dirty = changed(memory, snap!);
  const diff = error ? null : packDiff(new Uint8Array(memory.buffer), dirty);
  return { ok: true, diff, error, ms: performance.now() - t0 };
}

parentPort!.on('message', (m: ExecMessage) => {
  void (async () => {
    try {
      if (m.module && m.module.hash !== modHash) await load(m.module);
      if (!inst || modHash !== m.job.mod) throw new Error('internal error: the executor has no module for this chunk');
      if (m.snapshot) restore(m.snapshot);
      else if (snap?.hash === m.job.snap) restore(snap);
      else throw new Error('internal error: the executor has no snapshot for this chunk');
      parentPort!.postMessage(runChunk(m));
    } catch (e) {
      parentPort!.postMessage({ ok: false, message: e instanceof Error ? e.message : String(e) } satisfies ExecReply);
    }
  })();
});
