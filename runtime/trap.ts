// Run-time errors raised by generated code in any thread. An error import formats its message and
// throws a ParTrap to unwind the wasm stack; inside a parallel region it first records the error in
// the control block, "lowest iteration wins", and cancels the team, so thread 0 reports one
// deterministic error after the join (see `takeRecordedError`, called from the `joined` import).
import { CTRL, SLOT } from './protocol.js';
import type { OutputQueue } from './output.js';

/** What the generated code raised: the error site and the message it formats to. */
export class ParTrap extends Error {
  constructor(
    readonly site: number,
    message: string,
    readonly thread?: number,
    readonly iteration?: bigint,
    /** Already in the shared error record (so a worker's catch must not record it again). */
    readonly recorded = false,
  ) { super(message); }
  /** Other places the report points at (the race detector's second access and its loop). */
  related?: { site: number; message: string }[];
  /** The parallel loop or region (its number in the manifest) where it happened, for an error without a site. */
  region?: number;
}

/** Whether thread 0 is between a fork and its join. */
export function inRegion(memory: WebAssembly.Memory): boolean {
  return Atomics.load(new Int32Array(memory.buffer, 0, CTRL.END / 4), CTRL.active / 4) !== 0;
}

/** Thread `tid`'s current iteration (SLOT.iter: -1 outside loops), or null before the team starts. */
export function iterationCell(memory: WebAssembly.Memory, tid: number): BigInt64Array | null {
  const slots = Atomics.load(new Int32Array(memory.buffer, 0, CTRL.END / 4), CTRL.iterSlots / 4);
  return slots ? new BigInt64Array(memory.buffer, slots + tid * SLOT.SIZE + SLOT.iter, 1) : null;
}

/** The suffix an error in parallel code gets: where it happened. */
const whereText = (iteration: bigint, thread: number) => iteration >= 0n ? ` (in iteration ${iteration} on thread ${thread})` : ` (on thread ${thread})`;

/**
 * Records an error of thread `tid` if none is recorded yet or its iteration is lower than the
 * recorded one, and sets CTRL.cancel so every thread stops at its next chunk boundary.
 */
export function recordError(memory: WebAssembly.Memory, out: OutputQueue, tid: number, site: number, message: string): void {
  const buf = memory.buffer;
  const i32 = new Int32Array(buf, 0, CTRL.END / 4);
  const iter = iterationCell(memory, tid)?.[0] ?? -1n;
  const L = CTRL.errLock / 4;
  while (Atomics.compareExchange(i32, L, 0, 1) !== 0) { /* held for a few stores only */ }
  try {
    const recorded = new BigInt64Array(buf, CTRL.errIter, 1);
    const better = Atomics.load(i32, CTRL.errSet / 4) === 0 || iter < recorded[0]
      || (iter === recorded[0] && tid < Atomics.load(i32, CTRL.errThread / 4));
    if (better) {
      out.setError(site, message);
      recorded[0] = iter;
      Atomics.store(i32, CTRL.errThread / 4, tid);
      Atomics.store(i32, CTRL.errSet / 4, 1);
    }
    Atomics.store(i32, CTRL.cancel / 4, 1);
  } finally {
    Atomics.store(i32, L, 0);
  }
}

/**
 * Builds the trap an error import throws: recorded first when raised inside a parallel region
 * (always on a worker; on thread 0 while CTRL.active is set).
 */
export function raise(memory: WebAssembly.Memory, out: OutputQueue, tid: number, site: number, message: string): ParTrap {
  if (tid === 0 && !inRegion(memory)) {
    // A parallel loop run on thread 0 alone (one thread, or too little work to fork) still names
    // its iteration, as a forked run would; the slot is -1 outside loops.
    const cell = iterationCell(memory, 0);
    const iteration = cell?.[0] ?? -1n;
    if (iteration < 0n) return new ParTrap(site, message);
    cell![0] = -1n;
    return new ParTrap(site, message + whereText(iteration, 0), 0, iteration);
  }
  recordError(memory, out, tid, site, message);
  return new ParTrap(site, message, tid, undefined, true);
}

/** Thread 0, after a join: the recorded error as a trap (clearing the record), or null. */
export function takeRecordedError(memory: WebAssembly.Memory, out: OutputQueue): ParTrap | null {
  const i32 = new Int32Array(memory.buffer, 0, CTRL.END / 4);
  if (Atomics.load(i32, CTRL.errSet / 4) === 0) return null;
  const { site, message } = out.getError();
  const thread = Atomics.load(i32, CTRL.errThread / 4);
  const iteration = new BigInt64Array(memory.buffer, CTRL.errIter, 1)[0];
  Atomics.store(i32, CTRL.errSet / 4, 0);
  Atomics.store(i32, CTRL.cancel / 4, 0);
  // The error unwinds past the fork that would clear thread 0's iteration: clear it here.
  const cell = iterationCell(memory, 0);
  if (cell) cell[0] = -1n;
  return new ParTrap(site, message + whereText(iteration, thread), thread, iteration >= 0n ? iteration : undefined);
}

/**
 * Thread 0 outside a region: a JS-side failure (trapFromError: stack overflow, wasm trap) in a
 * parallel loop run on thread 0 alone names its iteration, as raise() does for Par's own errors and
 * as a forked run would, so the report does not depend on the team size.
 */
export function withSerialIteration(memory: WebAssembly.Memory, t: ParTrap): ParTrap {
  const cell = iterationCell(memory, 0);
  const iteration = cell?.[0] ?? -1n;
  if (iteration < 0n || t.iteration !== undefined) return t;
  cell![0] = -1n;
  return new ParTrap(t.site, t.message + whereText(iteration, 0), 0, iteration);
}

/** A JS-side failure of generated code (wasm trap, stack overflow) as a trap with no site, or null. */
export function trapFromError(e: unknown): ParTrap | null {
  if (e instanceof ParTrap) return e;
  if (e instanceof WebAssembly.RuntimeError) return new ParTrap(-1, `RuntimeError: ${e.message}`);
  if (e instanceof RangeError && /call stack/.test(e.message)) return new ParTrap(-1, 'RecursionError: maximum recursion depth exceeded');
  return null;
}
