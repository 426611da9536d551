// The race detector's run-time side (Note [Race detection] in compiler/lower/races.ts): the
// `env.race_*` imports of every thread, over one shadow table in a SharedArrayBuffer of its own that
// the whole team shares, and the report thread 0 raises after a loop with a race.
//
// The table maps an element's address to the iterations that used it in the current loop run: the
// last writer and up to two distinct readers, each with its access site and thread. Entries carry the
// run's epoch, so a new loop run starts with an empty table without clearing it. An entry is locked
// while it is read and updated (its state word holds -1), so concurrent threads are checked too.
import { CODE_DTYPE, DESC, ELEM_SIZE } from './layout.js';
import { ParTrap } from './trap.js';

/** Header words of the shared buffer. */
const H = { active: 0, epochs: 1, count: 2, dropped: 3, lock: 4, loopSite: 5, records: 6, REPORTS: 16 } as const;
/** One recorded race: the access that found it (a) and the earlier one (b), the element's index. */
const R = { siteA: 0, tidA: 1, iterA: 2, writeA: 3, siteB: 4, tidB: 5, iterB: 6, writeB: 7, ndim: 8, idx: 9, SIZE: 16 } as const;
const MAX_REPORTS = 4;
const TABLE = 256; // first word of the table
/** Entry words: state (epoch, or LOCKED), address, then (iteration, site*1024+tid+1) for the writer and two readers. */
const E = { state: 0, addr: 1, wIter: 2, wWho: 3, r1Iter: 4, r1Who: 5, r2Iter: 6, r2Who: 7, SIZE: 8 } as const;
const LOCKED = -1;
const PROBES = 64;
/** Entries in the table: 2^21 (64 MiB, committed only as it is touched) holds the elements of a loop run touching up to ~1.5 million. */
export const RACE_ENTRIES = 1 << 21;

export function createRaceTable(entries = RACE_ENTRIES): SharedArrayBuffer {
  return new SharedArrayBuffer((TABLE + entries * E.SIZE) * 4);
}

/** Thread 0, before a run: no loop is being checked (a previous run may have stopped inside one). */
export function resetRaces(buf: SharedArrayBuffer): void {
  const h = new Int32Array(buf, 0, TABLE);
  Atomics.store(h, H.active, 0);
  Atomics.store(h, H.count, 0);
  Atomics.store(h, H.records, 0);
  Atomics.store(h, H.dropped, 0);
}

const who = (site: number, tid: number) => site * 1024 + tid + 1;

/**
 * Where an address's entry starts: neighbouring elements get neighbouring entries (8-byte words of
 * an 8 KiB block in a run of 1024 entries, so a loop walking an array walks the table), and the
 * blocks are scattered by a multiplicative hash.
 */
const slotOf = (addr: number) => ((addr >>> 3) & 1023) | (Math.imul(addr >>> 13, 0x9e3779b1) << 10);

/** The element at `addr` as an index into the array `desc` describes, or null when it is not one of its elements. */
function elementIndex(memory: WebAssembly.Memory, desc: number, addr: number): number[] | null {
  if (!desc) return null;
  const m = new Int32Array(memory.buffer);
  const w = desc >> 2;
  const ndim = m[w + DESC.ndim / 4];
  const size = ELEM_SIZE[CODE_DTYPE[m[w + DESC.dtype / 4]]];
  if (!size || ndim < 0 || ndim > 4) return null;
  let off = (addr - (m[w + DESC.data / 4] >>> 0)) / size;
  const axes = Array.from({ length: ndim }, (_v, k) => ({ k, n: m[w + DESC.shape / 4 + k], s: m[w + DESC.strides / 4 + k] }));
  const idx = new Array<number>(ndim).fill(0);
  for (const a of [...axes].sort((x, y) => Math.abs(y.s) - Math.abs(x.s))) {
    if (a.s === 0) continue;
    const q = Math.max(0, Math.min(a.n - 1, Math.trunc(off / a.s)));
    idx[a.k] = q;
    off -= q * a.s;
  }
  return off === 0 ? idx : null;
}

export interface RaceImportsOptions {
  memory: WebAssembly.Memory;
  tid: number;
  table: SharedArrayBuffer;
  sites: { kind: string; text?: string }[];
  /** A warning for the user (thread 0): some accesses were not checked. */
  warn?(text: string): void;
}

/** The `env.race_*` imports of one thread. */
export function raceImports(o: RaceImportsOptions): Record<string, (...args: never[]) => void> {
  const h = new Int32Array(o.table, 0, TABLE);
  const t = new Int32Array(o.table, TABLE * 4);
  const mask = (t.length / E.SIZE) - 1;
  /** Takes entry e's lock (its state word set to LOCKED); returns the state it had, to be stored back. */
  const lock = (e: number): number => {
    for (;;) {
      const s = Atomics.load(t, e);
      if (s !== LOCKED && Atomics.compareExchange(t, e, s, LOCKED) === s) return s;
    }
  };
  // This thread's state: the iteration it runs, in which loop run (epoch), and how deep it is in
  // prange loops nested in that run's body (their iterations belong to the outer one).
  let iter = 0, iterEpoch = 0, nested = 0, nestedEpoch = 0, owner = 0;

  const record = (siteA: number, iterA: number, writeA: boolean, whoB: number, iterB: number, writeB: boolean, addr: number, desc: number) => {
    while (Atomics.compareExchange(h, H.lock, 0, 1) !== 0) { /* a few stores */ }
    try {
      Atomics.add(h, H.count, 1);
      const n = h[H.records];
      const siteB = Math.floor((whoB - 1) / 1024), tidB = (whoB - 1) % 1024;
      const write = (r: number) => {
        const idx = elementIndex(o.memory, desc, addr);
        h.set([siteA, o.tid, iterA, +writeA, siteB, tidB, iterB, +writeB, idx ? idx.length : -1, ...(idx ?? [])], r);
      };
      for (let k = 0; k < n; k++) {
        const r = H.REPORTS + k * R.SIZE;
        if ((h[r + R.siteA] === siteA && h[r + R.siteB] === siteB) || (h[r + R.siteA] === siteB && h[r + R.siteB] === siteA)) {
          // Of the races between two places, report the one of the lowest iterations, whichever thread found it first.
          if (Math.min(iterA, iterB) < Math.min(h[r + R.iterA], h[r + R.iterB])) write(r);
          return;
        }
      }
      if (n >= MAX_REPORTS) return;
      write(H.REPORTS + n * R.SIZE);
      h[H.records] = n + 1;
    } finally {
      Atomics.store(h, H.lock, 0);
    }
  };

  return {
    race_begin: (site: number) => {
      const active = Atomics.load(h, H.active);
      if (active === 0) {
        const epoch = (Atomics.add(h, H.epochs, 1) + 1) & 0x3fffffff || 1;
        if (Atomics.compareExchange(h, H.active, 0, epoch) === 0) {
          h[H.loopSite] = site;
          owner = epoch;
          nested = 0;
          nestedEpoch = epoch;
          return;
        }
      }
      const now = Atomics.load(h, H.active);
      if (nestedEpoch !== now) { nestedEpoch = now; nested = 0; }
      nested++;
    },
    race_iter: (i: bigint) => {
      const active = Atomics.load(h, H.active);
      if (active === 0 || (nestedEpoch === active && nested > 0)) return;
      iter = Number(i);
      iterEpoch = active;
    },
    race_access: (site: number, addr: number, desc: number, write: number) => {
      const epoch = Atomics.load(h, H.active);
      if (epoch === 0 || iterEpoch !== epoch) return;
      addr >>>= 0;
      const me = who(site, o.tid);
      const start = slotOf(addr);
      for (let p = 0; p < PROBES; p++) {
        const e = ((start + p) & mask) * E.SIZE;
        const s = lock(e);
        if (s === epoch && t[e + E.addr] !== addr) { Atomics.store(t, e, s); continue; }
        if (s !== epoch) { t[e + E.addr] = addr; t[e + E.wWho] = 0; t[e + E.r1Who] = 0; t[e + E.r2Who] = 0; }
        if (write) {
          if (t[e + E.wWho] && t[e + E.wIter] !== iter) record(site, iter, true, t[e + E.wWho], t[e + E.wIter], true, addr, desc);
          else if (t[e + E.r1Who] && t[e + E.r1Iter] !== iter) record(site, iter, true, t[e + E.r1Who], t[e + E.r1Iter], false, addr, desc);
          else if (t[e + E.r2Who] && t[e + E.r2Iter] !== iter) record(site, iter, true, t[e + E.r2Who], t[e + E.r2Iter], false, addr, desc);
          t[e + E.wIter] = iter; t[e + E.wWho] = me;
        } else {
          if (t[e + E.wWho] && t[e + E.wIter] !== iter) record(site, iter, false, t[e + E.wWho], t[e + E.wIter], true, addr, desc);
          if (!t[e + E.r1Who]) { t[e + E.r1Iter] = iter; t[e + E.r1Who] = me; }
          else if (t[e + E.r1Iter] !== iter && !t[e + E.r2Who]) { t[e + E.r2Iter] = iter; t[e + E.r2Who] = me; }
        }
        Atomics.store(t, e, epoch);
        return;
      }
      Atomics.add(h, H.dropped, 1);
    },
    race_fresh: (desc: number) => {
      const epoch = Atomics.load(h, H.active);
      if (epoch === 0 || iterEpoch !== epoch || !desc) return;
      const m = new Int32Array(o.memory.buffer);
      const data = m[(desc + DESC.data) >> 2] >>> 0, count = m[(desc + DESC.size) >> 2];
      const size = ELEM_SIZE[CODE_DTYPE[m[(desc + DESC.dtype) >> 2]]];
      for (let k = 0; k < count; k++) {
        const addr = (data + k * size) >>> 0;
        const start = slotOf(addr);
        for (let p = 0; p < PROBES; p++) {
          const e = ((start + p) & mask) * E.SIZE;
          const s = lock(e);
          const hit = s === epoch && t[e + E.addr] === addr;
          if (hit) { t[e + E.wWho] = 0; t[e + E.r1Who] = 0; t[e + E.r2Who] = 0; }
          Atomics.store(t, e, s);
          if (hit || s !== epoch) break;
        }
      }
    },
    race_end: () => {
      const active = Atomics.load(h, H.active);
      if (active === 0) return;
      // A loop nested in the checked one's body (on any thread) ends first.
      if (nestedEpoch === active && nested > 0) { nested--; return; }
      if (owner !== active) return;
      owner = 0;
      Atomics.store(h, H.active, 0);
      const dropped = Atomics.exchange(h, H.dropped, 0);
      if (dropped) o.warn?.(`warning: the race detector's table was full: ${dropped} element accesses of the prange loop were not checked`);
      const n = h[H.records];
      if (n === 0) return;
      throw raceReport(h, o.sites);
    },
  };
}

/** The trap thread 0 raises for a loop run with races: the first one found, the others as notes. */
function raceReport(h: Int32Array, sites: { kind: string; text?: string }[]): ParTrap {
  const count = h[H.count], n = h[H.records];
  const loopSite = h[H.loopSite];
  const read = (k: number) => {
    const r = H.REPORTS + k * R.SIZE;
    const ndim = h[r + R.ndim];
    const name = sites[h[r + R.siteA]]?.text || 'an array';
    const nameB = sites[h[r + R.siteB]]?.text || name;
    const idx = ndim >= 0 ? `[${Array.from(h.subarray(r + R.idx, r + R.idx + ndim)).join(', ')}]` : null;
    return {
      siteA: h[r + R.siteA], siteB: h[r + R.siteB], iterA: h[r + R.iterA], iterB: h[r + R.iterB], tidA: h[r + R.tidA], tidB: h[r + R.tidB],
      writeA: h[r + R.writeA] === 1, writeB: h[r + R.writeB] === 1,
      elem: idx ? `${name}${idx}` : `an element of ${name}`, elemB: idx && nameB === name ? `${name}${idx}` : `the same element of ${nameB}`,
    };
  };
  const first = read(0);
  const verb = (w: boolean) => (w ? 'writes' : 'reads');
  const more = count > 1 ? ` (${count} conflicting accesses in this loop run)` : '';
  const message = `DataRace: iteration ${first.iterA} (thread ${first.tidA}) ${verb(first.writeA)} ${first.elem}, which iteration ${first.iterB} (thread ${first.tidB}) ${first.writeB ? 'wrote' : 'read'} in the same prange loop${more}`;
  const trap = new ParTrap(first.siteA, message);
  trap.related = [{ site: first.siteB, message: `the ${first.writeB ? 'write' : 'read'} of ${first.elemB} by iteration ${first.iterB} (thread ${first.tidB})` }];
  for (let k = 1; k < n; k++) {
    const r = read(k);
    trap.related.push({ site: r.siteA, message: `another race: iteration ${r.iterA} (thread ${r.tidA}) ${verb(r.writeA)} ${r.elem}, which iteration ${r.iterB} (thread ${r.tidB}) ${r.writeB ? 'wrote' : 'read'}` });
    trap.related.push({ site: r.siteB, message: `the ${r.writeB ? 'write' : 'read'} of ${r.elemB} by iteration ${r.iterB} (thread ${r.tidB})` });
  }
  trap.related.push({ site: loopSite, message: 'in this prange loop' });
  return trap;
}
