// The team's wasm-side runtime, in IR: fork, join and the worker loop (Note [Fork-join] in
// runtime/protocol.ts), nested teams, chunk hand-out by schedule, bounded futex waits (Note [Bounded
// waits]); and the IR shorthands and constants it shares with the parallel-loop pass (parallel.ts).
import { CTRL, LOOP_ENV, SCHED, SLOT } from '../runtime/protocol.js';
import type { Expr, Func, Stmt, VT } from './ir.js';
import { add32, bin, call, get, i32, i64, load, select, cvt } from './ir-build.js';

export const MAX_BLOCKS = 256;
/**
 * The cost model: a loop whose last run did less work (summed over threads) than this many
 * fork-join round trips runs serially next time. Parallel time is about fork + work/n, so on n
 * threads the team can only win when work > fork * n/(n-1); the margin covers waking sleeping
 * workers, which the probe does not see.
 */
export const SERIAL_CUTOFF = 8;
/** A nested team's job record (see Note [Nested teams]): i32 fields, then the members' SLOT indices. */
const NESTED = { region: 0, env: 4, n: 8, done: 12, prev: 16, ids: 20 } as const;
/** Without profiling, the cost model times one run in this many (a power of two). */
export const SAMPLE_EVERY = 64;

/** A sampled run's busy time of this thread (see forkWithStats), in its iteration slot's second word. */
export const busyTimeStart = (env: Expr): Stmt[] => [when(load('i32', 'i32', c32(env, ENV.timed)), [set('t0%', call('now', 'f64'))])];
export const busyTimeEnd = (env: Expr): Stmt[] => [when(load('i32', 'i32', c32(env, ENV.timed)), [
  st('f64', slotAddr(get('self%', 'i32'), 'busy'), bin('sub', 'f64', call('now', 'f64'), get('t0%', 'f64'))),
])];

export const ENV = LOOP_ENV;

export const c32 = (addr: Expr, off: number) => add32(addr, i32(off));
/** A chunk's start (phase 0) or end (1) in the chunk trace, when one is recorded (CTRL.trace, TRACE). */
export const traceChunk = (region: number, lo: Expr, hi: Expr, phase: number): Stmt =>
  ({ k: 'if', cond: { k: 'load', t: 'i32', mem: 'i32', addr: i32(CTRL.trace) }, then: [{ k: 'expr', e: call('trace', null, i32(region), get('self%', 'i32'), lo, hi, i32(phase)) }], else: [] });
export const set = (name: string, value: Expr): Stmt => ({ k: 'set', name, value });
export const st = (mem: VT, addr: Expr, value: Expr): Stmt => ({ k: 'store', mem, addr, value });
export const atomicLoad32 = (addr: Expr): Expr => ({ k: 'load', t: 'i32', mem: 'i32', addr, atomic: true });
export const when = (cond: Expr, then: Stmt[], els: Stmt[] = []): Stmt => ({ k: 'if', cond, then, else: els });
export const expr = (e: Expr): Stmt => ({ k: 'expr', e });
export const ret = (...values: Expr[]): Stmt => ({ k: 'return', values });


/** The address of thread `self`'s SLOT field. */
export const slotAddr = (self: Expr, field: keyof typeof SLOT): Expr =>
  add32(load('i32', 'i32', i32(CTRL.iterSlots)), add32(bin('mul', 'i32', self, i32(SLOT.SIZE)), i32(SLOT[field])));

/**
 * Note [Bounded waits]: every futex wait of the team runtime sleeps for a bounded slice and then
 * re-checks its condition; none waits forever. With unbounded waits, under CPU contention a thread
 * now and then slept on although the counter it waited for had reached its value: a stress of
 * nested teams under two CPU hogs hung in 2 of ~36 runs, and a dump of the shared memory from a
 * watchdog thread showed the forker asleep with done == n - 1 and every other thread idle. With
 * 200 ms slices, 44 runs finished, and no wait ever ran out its slice after its value had changed,
 * so the lost wake-ups belong to the unbounded wait itself (V8's, not found further). A sleeping
 * joiner now wakes 1000 times a second and an idle worker 100 times; each costs a few µs.
 */
const JOIN_WAIT_NS = 1_000_000;
const IDLE_WAIT_NS = 10_000_000;

/** Fork, join and the worker loop (see Note [Fork-join] in runtime/protocol.ts). */
export function teamRuntime(): Func[] {
  const g = (n: string) => get(n, 'i32');
  const ctl = (k: keyof typeof CTRL) => i32(CTRL[k]);
  const clearIter0 = st('i64', slotAddr(i32(0), 'iter'), i64(-1));
  return [
    {
      // Returns the number of threads that ran the region.
      // Exported for cluster workers, which run a chunk of a loop on their own team (runtime/cluster/executor.ts).
      name: '__fork', params: [{ name: 'region', t: 'i32' }, { name: 'env', t: 'i32' }, { name: 'n', t: 'i32' }, { name: 'nestable', t: 'i32' }], results: ['i32'],
      locals: [], exportAs: '__fork',
      body: [
        // Inside parallel code: a nested team of idle threads, or serially (see Note [Nested teams]).
        when(atomicLoad32(ctl('active')), [
          when(bin('and', 'i32', bin('and', 'i32', bin('gt_s', 'i32', g('n'), i32(1)), g('nestable')), load('i32', 'i32', ctl('nested'))), [
            ret(call('__fork_nested', 'i32', g('region'), g('env'), g('n'), call('thread_id', 'i32'))),
          ]),
          expr(call('__dispatch', null, g('region'), g('env'), i32(0), i32(1), call('thread_id', 'i32'))), ret(i32(1)),
        ]),
        // Outside parallel code only thread 0 runs. Its slot keeps the iteration an error names (a
        // serial run too: runtime/trap.ts) and is cleared after the loop, so later errors name none.
        when(bin('le_s', 'i32', g('n'), i32(1)), [
          expr(call('__dispatch', null, g('region'), g('env'), i32(0), i32(1), i32(0))),
          clearIter0,
          ret(i32(1)),
        ]),
        // The first fork of more than one thread starts the workers (Note [Lazy team] in runtime/team.ts).
        when({ k: 'un', t: 'i32', op: 'eqz', a: atomicLoad32(ctl('teamUp')) }, [expr(call('team_start', null))]),
        st('i32', ctl('active'), i32(1)),
        st('i32', ctl('cancel'), i32(0)),
        st('i32', ctl('barCount'), i32(0)),
        st('i32', ctl('teamLock'), i32(0)),
        st('i32', ctl('region'), g('region')),
        st('i32', ctl('env'), g('env')),
        st('i32', ctl('nthreads'), g('n')),
        expr({ k: 'atomic', t: 'i32', mem: 'i32', op: 'xchg', addr: ctl('done'), value: i32(0) }),
        expr({ k: 'atomic', t: 'i32', mem: 'i32', op: 'add', addr: ctl('gen'), value: i32(1) }),
        expr({ k: 'atomic', t: 'i32', mem: 'i32', op: 'add', addr: ctl('wake'), value: i32(1) }),
        expr({ k: 'notify', t: 'i32', addr: ctl('wake'), count: i32(-1) }),
        expr(call('__dispatch', null, g('region'), g('env'), i32(0), g('n'), i32(0))),
        expr(call('__join', null)),
        clearIter0,
        ret(g('n')),
      ],
    },
    forkNested(),
    joinForked(),
    {
      name: '__join', params: [], results: [], locals: [{ name: 'spins', t: 'i32' }, { name: 'want', t: 'i32' }, { name: 'd', t: 'i32' }], exportAs: '__join',
      body: [
        when(bin('eq', 'i32', atomicLoad32(ctl('active')), i32(0)), [ret()]),
        when(load('i32', 'i32', slotAddr(i32(0), 'forked')), [expr(call('__join_forked', null, i32(0)))]),
        set('want', bin('sub', 'i32', load('i32', 'i32', ctl('nthreads')), i32(1))),
        ...joinWait(ctl('done'), g('want')),
        st('i32', ctl('active'), i32(0)),
        // A worker died in the loop (runtime/supervisor.ts): its share will never be acknowledged.
        when(atomicLoad32(ctl('lost')), [expr(call('team_lost', null))]),
        // Into JS only when there is something to report: an error or workers' printed lines.
        when(bin('or', 'i32', atomicLoad32(ctl('errSet')), atomicLoad32(ctl('outPending'))), [expr(call('joined', null))]),
      ],
    },
    {
      // `seen`: the last outer region (CTRL.gen) this worker saw. Workers sleep on CTRL.wake, which
      // every fork bumps, outer or nested, after publishing the work.
      name: '__worker_main', params: [{ name: 'tid', t: 'i32' }, { name: 'seen', t: 'i32' }], results: [],
      locals: [{ name: 'spins', t: 'i32' }, { name: 'w', t: 'i32' }, { name: 'job', t: 'i32' }], exportAs: '__worker_main',
      body: [
        set('spins', i32(0)),
        st('i32', slotAddr(g('tid'), 'seen'), g('seen')),
        { k: 'while', label: 'serve', cond: i32(1), body: [
          set('w', atomicLoad32(ctl('wake'))),
          when(atomicLoad32(ctl('stop')), [ret()]),
          // A nested team's job (see Note [Nested teams]).
          set('job', atomicLoad32(slotAddr(g('tid'), 'mailbox'))),
          when(g('job'), [
            st('i32', slotAddr(g('tid'), 'job'), g('job')),
            { k: 'expr', e: { k: 'atomic', t: 'i32', mem: 'i32', op: 'xchg', addr: slotAddr(g('tid'), 'mailbox'), value: i32(0) } },
            expr(call('__dispatch', null, load('i32', 'i32', c32(g('job'), NESTED.region)), load('i32', 'i32', c32(g('job'), NESTED.env)),
              load('i32', 'i32', slotAddr(g('tid'), 'teamTid')), load('i32', 'i32', c32(g('job'), NESTED.n)), g('tid'))),
            expr(call('__worker_ack', null, g('tid'))),
            set('spins', i32(0)),
            { k: 'continue', label: 'serve' },
          ]),
          when(bin('ne', 'i32', atomicLoad32(ctl('gen')), g('seen')), [
            // A member marks itself busy, unless a nested team claimed it first: that job comes first.
            when(bin('and', 'i32', bin('lt_s', 'i32', g('tid'), load('i32', 'i32', ctl('nthreads'))), load('i32', 'i32', ctl('nested'))), [
              when({ k: 'cmpxchg', t: 'i32', mem: 'i32', addr: slotAddr(g('tid'), 'state'), expected: i32(0), replacement: i32(1) }, [{ k: 'continue', label: 'serve' }]),
            ]),
            set('seen', atomicLoad32(ctl('gen'))),
            st('i32', slotAddr(g('tid'), 'seen'), g('seen')),
            when(bin('lt_s', 'i32', g('tid'), load('i32', 'i32', ctl('nthreads'))), [
              expr(call('__dispatch', null, load('i32', 'i32', ctl('region')), load('i32', 'i32', ctl('env')), g('tid'), load('i32', 'i32', ctl('nthreads')), g('tid'))),
              expr(call('__worker_ack', null, g('tid'))),
            ]),
            set('spins', i32(0)),
            { k: 'continue', label: 'serve' },
          ]),
          when(bin('lt_s', 'i32', g('spins'), load('i32', 'i32', ctl('spin'))), [set('spins', add32(g('spins'), i32(1)))],
            [expr({ k: 'wait', t: 'i32', addr: ctl('wake'), expected: g('w'), timeout: i64(IDLE_WAIT_NS) })]),
        ] },
      ],
    },
    {
      // Done with a share: idle again (recruitable), then acknowledge it to whoever forked it.
      name: '__worker_ack', params: [{ name: 'tid', t: 'i32' }], results: [], locals: [{ name: 'job', t: 'i32' }], exportAs: '__worker_ack',
      body: [
        when(load('i32', 'i32', slotAddr(g('tid'), 'forked')), [expr(call('__join_forked', null, g('tid')))]),
        set('job', load('i32', 'i32', slotAddr(g('tid'), 'job'))),
        st('i32', slotAddr(g('tid'), 'job'), i32(0)),
        { k: 'expr', e: { k: 'atomic', t: 'i32', mem: 'i32', op: 'xchg', addr: slotAddr(g('tid'), 'state'), value: i32(0) } },
        when(g('job'), [
          expr({ k: 'atomic', t: 'i32', mem: 'i32', op: 'add', addr: c32(g('job'), NESTED.done), value: i32(1) }),
          expr({ k: 'notify', t: 'i32', addr: c32(g('job'), NESTED.done), count: i32(1) }),
        ], [
          expr({ k: 'atomic', t: 'i32', mem: 'i32', op: 'add', addr: ctl('done'), value: i32(1) }),
          expr({ k: 'notify', t: 'i32', addr: ctl('done'), count: i32(1) }),
        ]),
      ],
    },
    nextChunk(),
    {
      // The runtime times this to measure the team's fork-join round trip (CTRL.forkCost).
      name: '__probe', params: [{ name: 'reps', t: 'i32' }], results: [], locals: [{ name: 'r', t: 'i32' }], exportAs: '__probe',
      body: [{ k: 'for', label: 'probe', v: 'r', t: 'i32', start: i32(0), stop: g('reps'), step: i32(1), body: [
        expr(call('__fork', 'i32', i32(-1), i32(0), load('i32', 'i32', ctl('teamSize')), i32(0))),
      ] }],
    },
    {
      // p.barrier(): the last thread to arrive opens the next phase; a failure elsewhere cancels the wait.
      name: '__barrier', params: [{ name: 'n', t: 'i32' }], results: [], locals: [{ name: 'phase', t: 'i32' }, { name: 'spins', t: 'i32' }],
      body: [
        when(bin('le_s', 'i32', g('n'), i32(1)), [ret()]),
        set('phase', atomicLoad32(ctl('barPhase'))),
        when(bin('eq', 'i32', { k: 'atomic', t: 'i32', mem: 'i32', op: 'add', addr: ctl('barCount'), value: i32(1) }, bin('sub', 'i32', g('n'), i32(1))), [
          expr({ k: 'atomic', t: 'i32', mem: 'i32', op: 'xchg', addr: ctl('barCount'), value: i32(0) }),
          expr({ k: 'atomic', t: 'i32', mem: 'i32', op: 'add', addr: ctl('barPhase'), value: i32(1) }),
          expr({ k: 'notify', t: 'i32', addr: ctl('barPhase'), count: i32(-1) }),
          ret(),
        ]),
        set('spins', i32(0)),
        { k: 'while', label: 'bar', cond: bin('eq', 'i32', atomicLoad32(ctl('barPhase')), g('phase')), body: [
          when(atomicLoad32(ctl('cancel')), [{ k: 'trap', call: call('cancelled', null) }]),
          when(bin('lt_s', 'i32', g('spins'), load('i32', 'i32', ctl('spin'))), [set('spins', add32(g('spins'), i32(1)))],
            [expr({ k: 'wait', t: 'i32', addr: ctl('barPhase'), expected: g('phase'), timeout: i64(JOIN_WAIT_NS) })]),
        ] },
      ],
    },
    {
      name: '__team_lock', params: [], results: [], locals: [{ name: 'spins', t: 'i32' }],
      body: [
        set('spins', i32(0)),
        { k: 'while', label: 'lock', cond: bin('ne', 'i32', { k: 'cmpxchg', t: 'i32', mem: 'i32', addr: ctl('teamLock'), expected: i32(0), replacement: i32(1) }, i32(0)), body: [
          when(atomicLoad32(ctl('cancel')), [{ k: 'trap', call: call('cancelled', null) }]),
          when(bin('lt_s', 'i32', g('spins'), load('i32', 'i32', ctl('spin'))), [set('spins', add32(g('spins'), i32(1)))],
            [expr({ k: 'wait', t: 'i32', addr: ctl('teamLock'), expected: i32(1), timeout: i64(JOIN_WAIT_NS) })]),
        ] },
      ],
    },
    {
      name: '__team_unlock', params: [], results: [], locals: [],
      body: [
        expr({ k: 'atomic', t: 'i32', mem: 'i32', op: 'xchg', addr: ctl('teamLock'), value: i32(0) }),
        expr({ k: 'notify', t: 'i32', addr: ctl('teamLock'), count: i32(1) }),
      ],
    },
  ];
}

/** Waits (spinning CTRL.spin polls, then sleeping) until the i32 counter at `addr` reaches `want`. */
function joinWait(addr: Expr, want: Expr): Stmt[] {
  const g = (n: string) => get(n, 'i32');
  return [
    set('spins', i32(0)),
    // Also stops when a worker has died (CTRL.lost): the count would never be reached.
    { k: 'while', label: 'join', cond: bin('and', 'i32', bin('ne', 'i32', atomicLoad32(addr), want), { k: 'un', t: 'i32', op: 'eqz', a: atomicLoad32(i32(CTRL.lost)) }), body: [
      set('d', atomicLoad32(addr)),
      when(bin('lt_s', 'i32', g('spins'), load('i32', 'i32', i32(CTRL.spin))), [set('spins', add32(g('spins'), i32(1)))],
        [expr({ k: 'wait', t: 'i32', addr, expected: g('d'), timeout: i64(JOIN_WAIT_NS) })]),
    ] },
  ];
}

/**
 * Note [Nested teams]: with PAR_NESTED=1 a prange met inside parallel code forks a team of its own
 * from the threads that are idle at that moment (not in the outer region, or done with their
 * share): `__fork_nested` claims each one by compare-and-swap on its SLOT.state (0 idle, 1 busy),
 * gives it its thread number in the new team, then publishes a job record (NESTED) in the claimed
 * threads' SLOT.mailbox and bumps CTRL.wake. The forker is thread 0 of the new team; a worker runs
 * a job, goes idle and acknowledges it in the record's own done counter, which the forker joins
 * on. With no idle thread the loop runs serially, as without PAR_NESTED. Regions (which may wait at
 * barriers on team-wide counters) always run serially inside parallel code.
 */
/**
 * `__join_forked(self)`: after thread `self` trapped in its share of nested teams it forked, waits
 * until their other members are done (they stop at their next chunk boundary), so that no thread
 * still runs, or records an error, once the construct has been reported.
 */
function joinForked(): Func {
  const g = (n: string) => get(n, 'i32');
  return {
    name: '__join_forked', params: [{ name: 'self', t: 'i32' }], results: [], locals: ['rec', 'spins', 'd'].map((name) => ({ name, t: 'i32' as VT })),
    body: [
      set('rec', load('i32', 'i32', slotAddr(g('self'), 'forked'))),
      { k: 'while', label: 'teams', cond: g('rec'), body: [
        ...joinWait(c32(g('rec'), NESTED.done), bin('sub', 'i32', load('i32', 'i32', c32(g('rec'), NESTED.n)), i32(1))),
        set('rec', load('i32', 'i32', c32(g('rec'), NESTED.prev))),
      ] },
      st('i32', slotAddr(g('self'), 'forked'), i32(0)),
    ],
  };
}

function forkNested(): Func {
  const g = (n: string) => get(n, 'i32');
  return {
    name: '__fork_nested', params: ['region', 'env', 'n', 'self'].map((name) => ({ name, t: 'i32' as VT })), results: ['i32'],
    locals: ['rec', 'm', 'k', 'spins', 'd'].map((name) => ({ name, t: 'i32' as VT })),
    body: [
      set('rec', call('__malloc', 'i32', add32(i32(NESTED.ids), bin('mul', 'i32', g('n'), i32(4))))),
      set('m', i32(1)),
      { k: 'for', label: 'recruit', v: 'k', t: 'i32', start: i32(1), stop: load('i32', 'i32', i32(CTRL.teamSize)), step: i32(1), body: [
        when(bin('ge_s', 'i32', g('m'), g('n')), [{ k: 'break', label: 'recruit' }]),
        when(bin('and', 'i32', bin('ne', 'i32', g('k'), g('self')),
          bin('eq', 'i32', { k: 'cmpxchg', t: 'i32', mem: 'i32', addr: slotAddr(g('k'), 'state'), expected: i32(0), replacement: i32(1) }, i32(0))), [
          st('i32', slotAddr(g('k'), 'teamTid'), g('m')),
          st('i32', add32(c32(g('rec'), NESTED.ids), bin('mul', 'i32', g('m'), i32(4))), g('k')),
          set('m', add32(g('m'), i32(1))),
        ]),
      ] },
      when(bin('eq', 'i32', g('m'), i32(1)), [
        expr(call('__free', null, g('rec'))),
        expr(call('__dispatch', null, g('region'), g('env'), i32(0), i32(1), g('self'))),
        ret(i32(1)),
      ]),
      st('i32', c32(g('rec'), NESTED.region), g('region')), st('i32', c32(g('rec'), NESTED.env), g('env')),
      st('i32', c32(g('rec'), NESTED.n), g('m')), st('i32', c32(g('rec'), NESTED.done), i32(0)),
      // The forker's open teams, innermost first: if its own share traps, __join_forked waits for them.
      st('i32', c32(g('rec'), NESTED.prev), load('i32', 'i32', slotAddr(g('self'), 'forked'))),
      st('i32', slotAddr(g('self'), 'forked'), g('rec')),
      { k: 'for', label: 'publish', v: 'k', t: 'i32', start: i32(1), stop: g('m'), step: i32(1), body: [
        expr({ k: 'atomic', t: 'i32', mem: 'i32', op: 'xchg', addr: slotAddr(load('i32', 'i32', add32(c32(g('rec'), NESTED.ids), bin('mul', 'i32', g('k'), i32(4)))), 'mailbox'), value: g('rec') }),
      ] },
      expr({ k: 'atomic', t: 'i32', mem: 'i32', op: 'add', addr: i32(CTRL.wake), value: i32(1) }),
      expr({ k: 'notify', t: 'i32', addr: i32(CTRL.wake), count: i32(-1) }),
      expr(call('__dispatch', null, g('region'), g('env'), i32(0), g('m'), g('self'))),
      ...joinWait(c32(g('rec'), NESTED.done), bin('sub', 'i32', g('m'), i32(1))),
      st('i32', slotAddr(g('self'), 'forked'), load('i32', 'i32', c32(g('rec'), NESTED.prev))),
      expr(call('__free', null, g('rec'))),
      ret(g('m')),
    ],
  };
}

/**
 * `__next_chunk(env, tid, n, k) -> (lo, hi)`: the k-th chunk (iteration numbers 0..trip) this
 * thread runs; lo >= hi when there are no more. Chunk bounds are multiples of the grain (the
 * reduction block size, else 1).
 */
function nextChunk(): Func {
  const g32 = (n: string) => get(n, 'i32'), g64 = (n: string) => get(n, 'i64');
  const env = g32('env');
  const e64 = (off: number) => load('i64', 'i64', c32(env, off));
  const n64 = cvt('i32->i64', g32('n')), t64 = cvt('i32->i64', g32('tid')), k64 = cvt('i32->i64', g32('k'));
  const min64 = (a: Expr, b: Expr) => select('i64', bin('lt_s', 'i64', a, b), a, b);
  const roundUp = (x: Expr) => bin('mul', 'i64', bin('div_s', 'i64', bin('add', 'i64', x, bin('sub', 'i64', g64('grain'), i64(1))), g64('grain')), g64('grain'));
  const done: Stmt = ret(i64(0), i64(0));
  const body: Stmt[] = [
    set('trip', e64(ENV.trip)), set('grain', e64(ENV.grain)), set('chunk', e64(ENV.chunk)),
    set('kind', load('i32', 'i32', c32(env, ENV.kind))),
    when(bin('eq', 'i32', g32('kind'), i32(SCHED.static)), [
      when(bin('eq', 'i64', g64('chunk'), i64(0)), [
        // One contiguous share per thread, in whole grains.
        when(bin('ne', 'i32', g32('k'), i32(0)), [done]),
        set('ng', bin('div_s', 'i64', bin('add', 'i64', g64('trip'), bin('sub', 'i64', g64('grain'), i64(1))), g64('grain'))),
        set('lo', bin('mul', 'i64', bin('div_s', 'i64', bin('mul', 'i64', g64('ng'), t64), n64), g64('grain'))),
        set('hi', bin('mul', 'i64', bin('div_s', 'i64', bin('mul', 'i64', g64('ng'), bin('add', 'i64', t64, i64(1))), n64), g64('grain'))),
        ret(min64(g64('lo'), g64('trip')), min64(g64('hi'), g64('trip'))),
      ]),
      // Round-robin chunks.
      set('lo', bin('mul', 'i64', bin('add', 'i64', t64, bin('mul', 'i64', k64, n64)), g64('chunk'))),
      ret(min64(g64('lo'), g64('trip')), min64(bin('add', 'i64', g64('lo'), g64('chunk')), g64('trip'))),
    ]),
    when(bin('eq', 'i32', g32('kind'), i32(SCHED.guided)), [
      // Chunks shrink with the work left: remaining / (2n), never below the chunk size.
      { k: 'while', label: 'claim', cond: i32(1), body: [
        set('lo', { k: 'load', t: 'i64', mem: 'i64', addr: c32(env, ENV.next), atomic: true }),
        when(bin('ge_s', 'i64', g64('lo'), g64('trip')), [done]),
        set('size', roundUp(bin('div_s', 'i64', bin('sub', 'i64', g64('trip'), g64('lo')), bin('mul', 'i64', n64, i64(2))))),
        set('size', select('i64', bin('lt_s', 'i64', g64('size'), g64('chunk')), g64('chunk'), g64('size'))),
        when(bin('eq', 'i64', { k: 'cmpxchg', t: 'i64', mem: 'i64', addr: c32(env, ENV.next), expected: g64('lo'), replacement: bin('add', 'i64', g64('lo'), g64('size')) }, g64('lo')), [
          ret(g64('lo'), min64(bin('add', 'i64', g64('lo'), g64('size')), g64('trip'))),
        ]),
      ] },
    ]),
    // dynamic and auto: a shared counter.
    set('lo', { k: 'atomic', t: 'i64', mem: 'i64', op: 'add', addr: c32(env, ENV.next), value: g64('chunk') }),
    ret(min64(g64('lo'), g64('trip')), min64(bin('add', 'i64', g64('lo'), g64('chunk')), g64('trip'))),
  ];
  return {
    name: '__next_chunk', params: ['env', 'tid', 'n', 'k'].map((name) => ({ name, t: 'i32' as VT })), results: ['i64', 'i64'],
    locals: [...['trip', 'grain', 'chunk', 'ng', 'lo', 'hi', 'size'].map((name) => ({ name, t: 'i64' as VT })), { name: 'kind', t: 'i32' }],
    body,
  };
}
