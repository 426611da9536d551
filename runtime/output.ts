// The team's shared text channel: one SharedArrayBuffer, created by thread 0 and handed to every
// worker, holding (1) the output queue: workers append whole printed lines under an Atomics lock and
// thread 0 drains them to the stdout callback (after each join, before its own prints, at the end of
// a run), so `print` / `p.print` lines are never interleaved and none is lost; (2) the text of the
// recorded run-time error (site and message), written under CTRL.errLock (see runtime/trap.ts).
//
// Layout (byte offsets): a header of i32 words, the error text area, then the queue's records, each
// an i32 byte length followed by the UTF-8 text padded to 4 bytes. The queue is drained as a whole,
// so it is a ring that always restarts at its beginning; the buffer is growable, so a writer never
// waits for thread 0 (which may be busy in its own share, or waiting for that very writer at a join).

const H = { lock: 0, used: 1, errSite: 2, errLen: 3 } as const; // i32 word indices
const ERR_TEXT = 64;
const ERR_CAP = 4096;
const LOG = ERR_TEXT + ERR_CAP;
const INITIAL = LOG + 64 * 1024;
const MAX = 256 * 1024 * 1024;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

type GrowableSAB = SharedArrayBuffer & { grow?(n: number): void; readonly growable?: boolean; readonly maxByteLength?: number };

/** A new buffer for the channel (growable where the platform allows it). */
export function createOutputBuffer(): SharedArrayBuffer {
  try {
    const SAB = SharedArrayBuffer as unknown as new (n: number, o: { maxByteLength: number }) => SharedArrayBuffer;
    const b = new SAB(INITIAL, { maxByteLength: MAX });
    if ((b as GrowableSAB).growable) return b;
  } catch { /* no growable SharedArrayBuffer: a fixed one, writers then wait for room */ }
  return new SharedArrayBuffer(16 * 1024 * 1024);
}

export class OutputQueue {
  private readonly i32: Int32Array;
  /**
   * `canWait`: whether this thread may block in Atomics.wait (not a browser's main thread). A buffer
   * from createOutputBuffer() is expected; the views are made length-tracking where possible.
   */
  constructor(readonly buffer: SharedArrayBuffer, private readonly canWait = true) {
    this.i32 = new Int32Array(buffer, 0, 4);
  }

  // Note [Queue lock]: a three-state futex mutex (0 free, 1 held, 2 held with waiters), Drepper's
  // "Futexes are tricky" mutex 2; threads that may not block just spin.
  lock(): void {
    const a = this.i32;
    let c = Atomics.compareExchange(a, H.lock, 0, 1);
    if (c === 0) return;
    for (let spins = 0; ; spins++) {
      if (!this.canWait || spins < 100) {
        if (Atomics.compareExchange(a, H.lock, 0, 1) === 0) return;
        continue;
      }
      if (c !== 2) c = Atomics.exchange(a, H.lock, 2);
      while (c !== 0) {
        Atomics.wait(a, H.lock, 2, 10); // bounded, as every wait of the team (Note [Bounded waits])
        c = Atomics.exchange(a, H.lock, 2);
      }
      return;
    }
  }

  unlock(): void {
    if (Atomics.exchange(this.i32, H.lock, 0) === 2) Atomics.notify(this.i32, H.lock, 1);
  }

  /** Appends one whole line (or any text that must stay in one piece). */
  append(text: string): void {
    const bytes = encoder.encode(text);
    const need = 4 + ((bytes.length + 3) & ~3);
    for (;;) {
      this.lock();
      const used = Atomics.load(this.i32, H.used);
      if (LOG + used + need <= this.room(LOG + used + need)) {
        const at = LOG + used;
        new DataView(this.buffer).setInt32(at, bytes.length, true);
        new Uint8Array(this.buffer, at + 4, bytes.length).set(bytes);
        Atomics.store(this.i32, H.used, used + need);
        this.unlock();
        return;
      }
      this.unlock();
      // Full and not growable: wait for a drain (it notifies `used`).
      if (used === 0) throw new Error(`a printed line of ${bytes.length} bytes does not fit the output queue`);
      if (this.canWait) Atomics.wait(this.i32, H.used, used, 10);
    }
  }

  /** Bytes the buffer can hold once grown towards `want` (its current size if it cannot grow). */
  private room(want: number): number {
    const b = this.buffer as GrowableSAB;
    if (want <= b.byteLength) return b.byteLength;
    if (!b.growable || want > (b.maxByteLength ?? 0)) return b.byteLength;
    b.grow!(Math.min(b.maxByteLength!, Math.max(want, b.byteLength * 2)));
    return b.byteLength;
  }

  /** True when lines are waiting (a cheap check without the lock). */
  pending(): boolean { return Atomics.load(this.i32, H.used) !== 0; }

  /** Takes every queued text, oldest first. */
  drain(): string[] {
    if (!this.pending()) return [];
    this.lock();
    const used = Atomics.load(this.i32, H.used);
    // Copy out of shared memory: TextDecoder refuses shared views in browsers.
    const bytes = new Uint8Array(this.buffer, LOG, used).slice();
    Atomics.store(this.i32, H.used, 0);
    this.unlock();
    Atomics.notify(this.i32, H.used);
    const out: string[] = [];
    const dv = new DataView(bytes.buffer);
    for (let at = 0; at < used;) {
      const n = dv.getInt32(at, true);
      out.push(decoder.decode(bytes.subarray(at + 4, at + 4 + n)));
      at += 4 + ((n + 3) & ~3);
    }
    return out;
  }

  /** Stores the recorded error's site and message (the caller holds CTRL.errLock). */
  setError(site: number, message: string): void {
    const tmp = new Uint8Array(ERR_CAP);
    const { written } = encoder.encodeInto(message, tmp); // whole characters only
    new Uint8Array(this.buffer, ERR_TEXT, written).set(tmp.subarray(0, written));
    Atomics.store(this.i32, H.errSite, site);
    Atomics.store(this.i32, H.errLen, written);
  }

  getError(): { site: number; message: string } {
    const n = Atomics.load(this.i32, H.errLen);
    return { site: Atomics.load(this.i32, H.errSite), message: decoder.decode(new Uint8Array(this.buffer, ERR_TEXT, n).slice()) };
  }
}
