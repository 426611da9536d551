// The worker team's protocol: the control block's slots in shared memory (read and written by the
// generated wasm and by the JS team), and the messages a worker is started with. Thread 0 is the
// caller; a region is dispatched by bumping `gen`, never by postMessage.
//
// Note [Fork-join]: thread 0 fills region/env/nthreads, sets done = 0, increments gen and notifies;
// each worker with tid < nthreads runs the region and increments done (then notifies); thread 0
// runs its own share and waits until done == nthreads - 1. Workers spin on gen for `spin`
// iterations before sleeping in memory.atomic.wait32, so back-to-back regions cost microseconds.

/** Byte addresses in the reserved low page (below STATIC_BASE; the allocator uses [16, 192)). */
export const CTRL = {
  gen: 256,        // i32: outer region generation: bumped by each fork of thread 0
  wake: 288,       // i32: bumped by every fork, outer or nested, after publishing it: workers sleep on it
  done: 320,       // i32: workers finished with the current region (own cache line)
  nthreads: 384,   // i32: threads in the current region, thread 0 included
  region: 388,     // i32: which outlined body to run (see __dispatch)
  env: 392,        // i32: address of the region's environment block
  cancel: 396,     // i32: non-zero after an error: every thread stops at its next chunk boundary
  stop: 400,       // i32: non-zero: workers return from __worker_main (the team is disposed)
  spin: 404,       // i32: spin iterations before a worker sleeps
  teamSize: 408,   // i32: number of threads in the team (workers + thread 0)
  active: 412,     // i32: 1 while a region runs: a nested parallel loop then runs serially
  iterSlots: 416,  // i32: address of the per-thread SLOTs (SLOT.SIZE bytes apart, indexed by the thread's place in the team)
  errLock: 420,    // i32: spin lock around the error record
  errSet: 424,     // i32: 1 when an error is recorded
  errThread: 428,  // i32: thread of the recorded error
  errIter: 432,    // i64: iteration of the recorded error (lowest wins)
  schedKind: 440,  // i32: schedule="runtime": 0 static, 1 dynamic, 2 guided, 3 auto (from PAR_SCHEDULE/OMP_SCHEDULE)
  schedChunk: 444, // i32: its chunk size (0 = default)
  nested: 448,     // i32: PAR_NESTED: a prange in parallel code may fork a team of idle threads (Note [Nested teams])
  teamLock: 452,   // i32: `with p.lock:` (0 free, 1 held)
  barCount: 456,   // i32: threads arrived at the current p.barrier()
  barPhase: 460,   // i32: bumped when the last thread arrives; waiters wait on it
  stats: 464,      // i32: address of the per-loop statistics (LOOP_STATS bytes per parallel loop or region)
  forkCost: 468,   // i32: measured fork-join round trip of the team, in ns (the cost model's unit)
  xrange: 472,     // i32: the running region's p.xrange counters (XRANGE_LOOPS i64 each), or 0
  profile: 476,    // i32: 1: time every run of every parallel loop (`par run --time`); 0: sample for the cost model
  outPending: 480, // i32: 1 when a worker queued printed lines since thread 0 last drained them
  trace: 484,      // i32: address of the chunk trace (TRACE; the playground's timeline), or 0: not recorded
  abort: 488,      // i32: non-zero: code compiled `interruptible` raises KeyboardInterrupt at its next while-loop iteration or counted-loop chunk (Stop)
  numThreads: 492, // i32: threads a parallel construct uses when it asks for no number (Numba's set_num_threads; at most teamSize)
  teamUp: 496,     // i32: 1 once the workers run; 0: thread 0's first fork of more than one thread calls env.team_start (Note [Lazy team])
  started: 500,    // i32: workers that have instantiated the module and entered their loop (a lazily started team waits on it)
  startFailed: 504, // i32: workers that could not start (their message is in the error record)
  cluster: 508,    // i32: 1 in cluster mode: qualifying loops call the `cluster_run` import instead of forking (runtime/cluster/)
  lost: 512,       // i32: a worker's thread ended during a parallel loop (its tid; set by the Node supervisor, runtime/supervisor.ts): the join stops waiting and calls env.team_lost
  END: 516,
} as const;

/**
 * p.xrange hands out iterations from a shared counter; the k-th xrange loop a thread enters in a
 * region uses counter k (every thread meets the same loops in the same order, as OpenMP requires of
 * worksharing loops). Loops past this many per region fall back to a cyclic share.
 */
export const XRANGE_LOOPS = 64;

/**
 * Per parallel loop statistics, written by thread 0 after each run (for `--time` and the cost
 * model). Times are summed over timed runs only: all runs when profiling, else the sampled ones.
 */
export const LOOP_STATS = {
  runs: 0, iters: 8, time: 16, sumMax: 24, sumMean: 32, serialRuns: 40, // i64 / f64 (ns)
  threads: 48, reason: 52, lastTrip: 56, // i32
  last: 64, // f64: work of the last timed run (ns): its wall time if serial, the threads' summed busy time if parallel
  sampledTrip: 72, timedRuns: 80, // i64: trip count of the last timed run; number of timed runs
  SIZE: 128,
} as const;
/**
 * The chunk trace, recorded only when asked for (`compile(..., { trace: true })`): a header, then one
 * record per chunk of a parallel loop (per thread's run of a region), written by the `env.trace`
 * import at the chunk's start and end. Times are ms since `origin` (performance.timeOrigin-based,
 * so every thread's clock agrees).
 */
export const TRACE = {
  count: 0, cap: 4, origin: 8, // i32 records claimed (may exceed cap: the rest were dropped), i32, f64
  HEADER: 16,
  region: 0, tid: 4, lo: 8, hi: 16, start: 24, end: 32, // i32, i32, f64 (iterations [lo, hi); -1 for a region), f64, f64, f64
  SIZE: 40,
} as const;

/** Why a loop last ran on one thread. */
export const SERIAL_REASON = ['', 'small work (cost model)', 'one thread asked for (num_threads=1 or use_threads_if=False)', 'nested in parallel code', 'one thread in the team', 'nested in parallel code, no idle thread'] as const;

/**
 * Each thread's own two cache lines: what it is running (for error reports), its busy time in a timed
 * run, and its part in nested teams (see Note [Nested teams] in compiler/parallel.ts).
 */
export const SLOT = {
  iter: 0,     // i64: the iteration being run (-1 outside loops), for error reports
  busy: 8,     // f64: busy time of the last timed run (ns)
  mailbox: 16, // i32: a nested team's job record published to this thread, or 0
  teamTid: 20, // i32: this thread's number in that nested team
  state: 24,   // i32: 0 idle (may be recruited), 1 busy
  job: 28,     // i32: the nested job being run (0: the outer region), acknowledged by __worker_ack
  forked: 32,  // i32: the innermost nested team this thread forked and has not joined yet (a chain)
  seen: 36,    // i32: the last outer region (CTRL.gen) this worker took up; the worker resumes from it after a trap
  rngActive: 40, // i32: 1 while this thread runs a prange iteration with its own np.random stream (Note [Streams in prange] in compiler/lower/random-calls.ts)
  rngWords: 44,  // 4 x u32: that stream's SeedSequence words [w0, w1, k lo, k hi]
  rng: 64,       // 48 bytes: that stream's PCG64 state (compiler/random.ts PCG)
  SIZE: 128,
} as const;

/**
 * Environment block of one parallel loop (byte offsets), filled by thread 0 before the fork
 * (compiler/parallel.ts); a cluster worker rewrites its header to run one chunk (runtime/cluster/).
 */
export const LOOP_ENV = {
  start: 0, step: 8, trip: 16, grain: 24, chunk: 32, // i64
  kind: 40, last: 44, partials: 48, timed: 52, // i32
  next: 64, // i64: shared chunk counter, on its own cache line
  slots: 128, // 8 bytes per captured or last-private local
} as const;

/** Schedule kinds as stored in parallel-loop environments and CTRL.schedKind. */
export const SCHED = { static: 0, dynamic: 1, guided: 2, auto: 3 } as const;

/** What a worker receives once, at start-up. */
export interface WorkerInit {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  tid: number;
  /** Strings and error sites, so the worker formats its own print lines and errors. */
  strings: string[];
  sites: { kind: string; text?: string }[];
  /** SharedArrayBuffer for the output queue (see runtime/output.ts). */
  output: SharedArrayBuffer;
  /** The race detector's shadow table (runtime/races.ts), when the program was compiled with checkRaces. */
  races?: SharedArrayBuffer;
}
