// The parallel-loop pass (the team's wasm-side runtime is team-runtime.ts). Each outermost `parfor` of a function is
// outlined into `__parK(env, tid, nthreads)`, which takes chunks of the iteration space by the loop's
// schedule and runs them; the loop itself becomes: fill an environment block, `__fork(K, env, n)`,
// combine the reduction partials, copy back the last iteration's privates. Fork-join runs entirely
// in wasm (see Note [Fork-join] in runtime/protocol.ts).
//
// Note [Deterministic reductions]: the iteration space is cut into a grid of blocks whose size
// depends only on the trip count (at most MAX_BLOCKS blocks). Each block's partial starts from the
// operator's identity and runs its iterations in order; chunks of every schedule are whole blocks;
// after the join thread 0 folds the partials in block order into the variable's value before the
// loop. So a reduction gives bit-identical results for any thread count and any schedule; serial
// runs take the same path with one thread.
import { CTRL, LOOP_STATS, SCHED, XRANGE_LOOPS } from '../runtime/protocol.js';
import type { Expr, Func, Local, Program, ReduceOp, Stmt, VT } from './ir.js';
import { add32, bin, call, cst, get, i32, i64, load, select, cvt } from './ir-build.js';
import { ClusterPlan } from './cluster-plan.js';
import { atomicLoad32, busyTimeEnd, busyTimeStart, c32, ENV, expr, MAX_BLOCKS, ret, SAMPLE_EVERY, SERIAL_CUTOFF, set, slotAddr, st, teamRuntime, traceChunk, when } from './team-runtime.js';

/** A parallel loop or region as the manifest lists it; `cluster`: why a prange loop cannot run on a cluster ('' when it can). */
export interface RegionInfo { line: number; kind: 'prange' | 'region'; cluster?: string }

export function parallelize(p: Program): Program {
  const outlined: Func[] = [];
  const regions: RegionInfo[] = [];
  const plan = new ClusterPlan(p);
  const funcs = p.funcs.map((f) => new Outliner(f, outlined, regions, plan).run());
  const imports = [...p.imports];
  for (const name of ['joined', 'cancelled', 'team_start', 'team_lost']) {
    if (!imports.some((i) => i.name === name)) imports.push({ name, module: 'env', base: name, params: [], result: null });
  }
  if (!imports.some((i) => i.name === 'now')) imports.push({ name: 'now', module: 'env', base: 'now', params: [], result: 'f64' });
  if (!imports.some((i) => i.name === 'thread_id')) imports.push({ name: 'thread_id', module: 'env', base: 'thread_id', params: [], result: 'i32' });
  // Cluster mode (runtime/cluster/): thread 0 hands a qualifying loop to the cluster instead of forking.
  if (!imports.some((i) => i.name === 'cluster_run')) imports.push({ name: 'cluster_run', module: 'env', base: 'cluster_run', params: ['i32', 'i32'], result: 'i32' });
  if (!imports.some((i) => i.name === 'trace')) imports.push({ name: 'trace', module: 'env', base: 'trace', params: ['i32', 'i32', 'i64', 'i64', 'i32'], result: null });
  return { ...p, imports, regions, funcs: [...funcs, ...outlined, dispatch(outlined), ...teamRuntime()] };
}

/**
 * `__dispatch(region, env, tid, n, self)`: calls the outlined body numbered `region` as thread `tid`
 * of a team of `n`; `self` is the thread's place in the whole team (its SLOT), which differs from
 * `tid` in a nested team (see Note [Nested teams]).
 */
function dispatch(outlined: Func[]): Func {
  const body: Stmt[] = outlined.map((f, k) => when(bin('eq', 'i32', get('region', 'i32'), i32(k)), [
    expr(call(f.name, null, get('env', 'i32'), get('tid', 'i32'), get('n', 'i32'), get('self', 'i32'))), ret(),
  ]));
  return { name: '__dispatch', params: ['region', 'env', 'tid', 'n', 'self'].map((name) => ({ name, t: 'i32' as VT })), results: [], locals: [], body };
}

/** Whether a break or continue in the body targets `label`. */
function usesLabel(body: Stmt[], label: string): boolean {
  return body.some((s) => {
    switch (s.k) {
      case 'break': case 'continue': return s.label === label;
      case 'if': return usesLabel(s.then, label) || usesLabel(s.else, label);
      case 'while': case 'for': case 'parfor': case 'region': case 'block': return usesLabel(s.body, label);
      default: return false;
    }
  });
}

/** Names a statement list reads and writes (locals only; labels and functions are not names here). */
export function namesIn(body: Stmt[]): { used: Set<string>; assigned: Set<string>; read: Set<string> } {
  const used = new Set<string>(), assigned = new Set<string>(), read = new Set<string>();
  const ex = (e: Expr | null): void => {
    if (!e) return;
    switch (e.k) {
      case 'get': used.add(e.name); read.add(e.name); return;
      case 'const': case 'memsize': return;
      case 'load': ex(e.addr); return;
      case 'bin': ex(e.a); ex(e.b); return;
      case 'un': case 'cvt': ex(e.a); return;
      case 'select': ex(e.cond); ex(e.a); ex(e.b); return;
      case 'call': e.args.forEach(ex); return;
      case 'atomic': ex(e.addr); ex(e.value); return;
      case 'cmpxchg': ex(e.addr); ex(e.expected); ex(e.replacement); return;
      case 'memgrow': ex(e.pages); return;
      case 'wait': ex(e.addr); ex(e.expected); ex(e.timeout); return;
      case 'notify': ex(e.addr); ex(e.count); return;
      case 'simd': e.args.forEach(ex); return;
    }
  };
  const visit = (ss: Stmt[]): void => {
    for (const s of ss) {
      switch (s.k) {
        case 'set': assigned.add(s.name); used.add(s.name); ex(s.value); break;
        case 'setm': s.names.forEach((n) => { assigned.add(n); used.add(n); }); ex(s.call); break;
        case 'store': ex(s.addr); ex(s.value); break;
        case 'expr': ex(s.e); break;
        case 'if': ex(s.cond); visit(s.then); visit(s.else); break;
        case 'while': ex(s.cond); visit(s.body); break;
        case 'for': case 'parfor':
          assigned.add(s.v); used.add(s.v); ex(s.start); ex(s.stop); ex(s.step); visit(s.body);
          if (s.k === 'parfor') { ex(s.chunk); ex(s.numThreads); ex(s.useIf); }
          break;
        case 'region': assigned.add(s.threadNum); assigned.add(s.numThreadsVar); used.add(s.threadNum); used.add(s.numThreadsVar); ex(s.numThreads); ex(s.useIf); visit(s.body); break;
        case 'return': s.values.forEach(ex); break;
        case 'alloc': assigned.add(s.name); used.add(s.name); s.shape.forEach(ex); break;
        case 'release': case 'retain': ex(s.desc); break;
        case 'trap': ex(s.call); break;
        case 'block': visit(s.body); break;
        default: {
          const other = s as { k: string; dest?: Expr; value?: Expr; size?: Expr; src?: Expr };
          ex(other.dest ?? null); ex(other.value ?? null); ex(other.size ?? null); ex(other.src ?? null);
        }
      }
    }
  };
  visit(body);
  return { used, assigned, read };
}

/** `body` without the statement `skip` (found by identity, at any depth). */
function without(body: Stmt[], skip: Stmt): Stmt[] {
  return body.flatMap((s): Stmt[] => {
    if (s === skip) return [];
    switch (s.k) {
      case 'if': return [{ ...s, then: without(s.then, skip), else: without(s.else, skip) }];
      case 'while': case 'for': case 'parfor': case 'region': case 'block': return [{ ...s, body: without(s.body, skip) } as Stmt];
      default: return [s];
    }
  });
}

const IDENTITY: Record<ReduceOp, (t: VT) => Expr> = {
  add: (t) => cst(t, 0), mul: (t) => cst(t, 1), and: (t) => cst(t, -1), or: (t) => cst(t, 0), xor: (t) => cst(t, 0),
  min: (t) => (t === 'f32' || t === 'f64' ? cst(t, Infinity) : t === 'i64' ? i64(0x7fffffffffffffffn) : i32(0x7fffffff)),
  max: (t) => (t === 'f32' || t === 'f64' ? cst(t, -Infinity) : t === 'i64' ? i64(-0x8000000000000000n) : i32(-0x80000000)),
  min_u: (t) => cst(t, -1), max_u: (t) => cst(t, 0),
};

/** acc op x, with NumPy-like min/max (NaN propagates for floats). */
function combine(op: ReduceOp, t: VT, a: Expr, b: Expr): Expr {
  const isF = t === 'f32' || t === 'f64';
  switch (op) {
    case 'add': return bin('add', t, a, b);
    case 'mul': return bin('mul', t, a, b);
    case 'and': return t === 'i32' && false ? a : bin('and', t, a, b);
    case 'or': return bin('or', t, a, b);
    case 'xor': return bin('xor', t, a, b);
    case 'min': return isF ? bin('min', t, a, b) : select(t, bin('lt_s', t, b, a), b, a);
    case 'max': return isF ? bin('max', t, a, b) : select(t, bin('gt_s', t, b, a), b, a);
    case 'min_u': return select(t, bin('lt_u', t, b, a), b, a);
    case 'max_u': return select(t, bin('gt_u', t, b, a), b, a);
  }
}

class Outliner {
  types = new Map<string, VT>();
  extraLocals: Local[] = [];
  n = 0;
  constructor(readonly f: Func, readonly outlined: Func[], readonly regions: RegionInfo[], readonly plan: ClusterPlan) {
    for (const l of [...f.params, ...f.locals]) this.types.set(l.name, l.t);
  }

  run(): Func {
    const body = this.stmts(this.f.body);
    return { ...this.f, body, locals: [...this.f.locals, ...this.extraLocals] };
  }

  /**
   * Adds the outlined body of parallel construct number `region`, then outlines the constructs
   * nested in it (they fork from inside parallel code: see Note [Nested teams]).
   */
  addOutlined(region: number, line: number, kind: 'prange' | 'region', locals: Local[], body: Stmt[], cluster?: string): void {
    this.regions[region] = { line, kind, ...(cluster !== undefined ? { cluster } : {}) };
    const params = ['env%', 'tid%', 'n%', 'self%'].map((name) => ({ name, t: 'i32' as VT }));
    const fn: Func = { name: `__par${region}`, params, results: [], locals, body, arrays: this.f.arrays };
    this.outlined[region] = fn;
    this.outlined[region] = new Outliner(fn, this.outlined, this.regions, this.plan).run();
  }

  local(prefix: string, t: VT): string {
    const name = `${prefix}%par${this.n++}`;
    this.extraLocals.push({ name, t });
    this.types.set(name, t);
    return name;
  }

  stmts(ss: Stmt[]): Stmt[] {
    return ss.flatMap((s): Stmt[] => {
      switch (s.k) {
        case 'parfor': return this.outline(s);
        case 'region': return this.outlineRegion(s);
        case 'if': return [{ ...s, then: this.stmts(s.then), else: this.stmts(s.else) }];
        case 'while': case 'for': case 'block': return [{ ...s, body: this.stmts(s.body) }];
        default: return [s];
      }
    });
  }

  outline(p: Stmt & { k: 'parfor' }): Stmt[] {
    const region = this.outlined.length;
    const { used, assigned } = namesIn(p.body);
    const reds = new Map(p.reductions.map((r) => [r.name, r]));
    const arrays = new Set(this.f.arrays ?? []);
    // SIMD temporaries (v128) are set before use in each iteration: never copied in or out.
    const captured = [...used].filter((n) => !assigned.has(n) && !reds.has(n) && n !== p.v && this.types.has(n) && this.types.get(n) !== 'v128');
    const privates = [...assigned].filter((n) => !reds.has(n) && n !== p.v && this.types.has(n) && this.types.get(n) !== 'v128');
    // Lastprivate: only the privates the function reads outside the loop are handed back. Copying
    // every temporary of the body made each one live out of its loop, and V8 then spilled them all
    // in the hot inner loop (1.5-2x slower than the same loop outside prange).
    const readOutside = namesIn(without(this.f.body, p)).read;
    const handedBack = privates.filter((n) => readOutside.has(n));
    const slotOf = new Map<string, number>();
    [...captured, ...handedBack].forEach((n, i) => slotOf.set(n, ENV.slots + 8 * i));
    const envSize = ENV.slots + 8 * slotOf.size;
    const memOf = (t: VT) => t;

    // ---- the outlined function ----
    const env = get('env%', 'i32');
    const locals: Local[] = [];
    const addLocal = (name: string, t: VT) => { if (!locals.some((l) => l.name === name)) locals.push({ name, t }); };
    for (const n of used) if (this.types.has(n)) addLocal(n, this.types.get(n)!);
    addLocal(p.v, p.t);
    for (const r of p.reductions) addLocal(r.name, r.t);
    for (const n of ['k', 'blk', 'nb']) addLocal(`${n}%`, n === 'k' ? 'i32' : 'i64');
    for (const n of ['lo', 'hi', 'it', 'bend', 'start', 'step', 'grain']) addLocal(`${n}%`, 'i64');
    addLocal('slot%', 'i32');
    addLocal('parts%', 'i32');
    const g64 = (n: string) => get(`${n}%`, 'i64');
    const loadSlot = (n: string): Stmt => set(n, load(this.types.get(n)!, memOf(this.types.get(n)!), c32(env, slotOf.get(n)!)));
    const storeSlot = (n: string): Stmt => st(memOf(this.types.get(n)!), c32(env, slotOf.get(n)!), get(n, this.types.get(n)!));
    const partialAddr = (ri: number, blk: Expr) => add32(load('i32', 'i32', add32(get('parts%', 'i32'), i32(ri * 4))), cvt('i64->i32', bin('mul', 'i64', blk, i64(8))));
    const iterBody: Stmt[] = [
      // The current iteration, for error reports (see runtime/protocol.ts CTRL.iterSlots).
      st('i64', get('slot%', 'i32'), g64('it')),
      set(p.v, p.t === 'i64' ? bin('add', 'i64', g64('start'), bin('mul', 'i64', g64('it'), g64('step')))
        : cvt('i64->i32', bin('add', 'i64', g64('start'), bin('mul', 'i64', g64('it'), g64('step'))))),
      { k: 'block', body: p.body },
    ];
    // The body's `continue`/`break` target the original label: wrap each iteration in a loop with that label that runs once.
    // (Only needed when the body continues; otherwise the iteration is inlined into the chunk loop.)
    const oneIter: Stmt = usesLabel(p.body, p.label)
      ? { k: 'for', label: p.label, v: 'it%', t: 'i64', start: g64('it'), stop: bin('add', 'i64', g64('it'), i64(1)), step: i64(1), body: iterBody }
      : { k: 'block', body: iterBody };
    const blockLoop: Stmt[] = p.reductions.length === 0
      ? [{ k: 'for', label: `chunk${region}`, v: 'blk%', t: 'i64', start: g64('lo'), stop: g64('hi'), step: i64(1), body: [set('it%', g64('blk')), oneIter] }]
      : [{ k: 'for', label: `blocks${region}`, v: 'blk%', t: 'i64', start: bin('div_s', 'i64', g64('lo'), g64('grain')), stop: bin('div_s', 'i64', bin('add', 'i64', g64('hi'), bin('sub', 'i64', g64('grain'), i64(1))), g64('grain')), step: i64(1), body: [
        ...p.reductions.map((r) => set(r.name, IDENTITY[r.op](r.t))),
        set('bend%', bin('mul', 'i64', bin('add', 'i64', g64('blk'), i64(1)), g64('grain'))),
        set('bend%', select('i64', bin('lt_s', 'i64', g64('bend'), g64('hi')), g64('bend'), g64('hi'))),
        { k: 'for', label: `iters${region}`, v: 'nb%', t: 'i64', start: bin('mul', 'i64', g64('blk'), g64('grain')), stop: g64('bend'), step: i64(1), body: [set('it%', g64('nb')), oneIter] },
        ...p.reductions.map((r, ri): Stmt => st(memOf(r.t), partialAddr(ri, g64('blk')), get(r.name, r.t))),
      ] }];
    const releasePrivates: Stmt[] = privates.filter((n) => arrays.has(n)).map((n) => ({ k: 'release', desc: get(n, 'i32') }));
    const fnBody: Stmt[] = [
      ...captured.map(loadSlot),
      set('start%', load('i64', 'i64', c32(env, ENV.start))), set('step%', load('i64', 'i64', c32(env, ENV.step))),
      set('grain%', load('i64', 'i64', c32(env, ENV.grain))),
      set('parts%', load('i32', 'i32', c32(env, ENV.partials))),
      set('slot%', slotAddr(get('self%', 'i32'), 'iter')),
      set('k%', i32(0)),
      { k: 'while', label: `sched${region}`, cond: i32(1), body: [
        { k: 'setm', names: ['lo%', 'hi%'], call: call('__next_chunk', null, env, get('tid%', 'i32'), get('n%', 'i32'), get('k%', 'i32')) },
        set('k%', add32(get('k%', 'i32'), i32(1))),
        when(bin('ge_s', 'i64', g64('lo'), g64('hi')), [{ k: 'break', label: `sched${region}` }]),
        // Once a thread has failed, stop at a chunk boundary, but still run chunks below the failed
        // iteration: one of them may fail too, and the lowest failing iteration is the one reported.
        when(bin('and', 'i32', atomicLoad32(i32(CTRL.cancel)), bin('gt_s', 'i64', g64('lo'), load('i64', 'i64', i32(CTRL.errIter)))), [{ k: 'break', label: `sched${region}` }]),
        traceChunk(region, g64('lo'), g64('hi'), 0),
        ...blockLoop,
        traceChunk(region, g64('lo'), g64('hi'), 1),
        // The thread that ran the last iteration hands its privates back (lastprivate).
        when(bin('eq', 'i64', g64('hi'), load('i64', 'i64', c32(env, ENV.trip))), [
          ...handedBack.map(storeSlot),
          ...handedBack.filter((n) => arrays.has(n)).map((n) => set(n, i32(0))),
          st('i32', c32(env, ENV.last), i32(1)),
        ]),
      ] },
      ...releasePrivates,
      ...busyTimeEnd(env),
    ];
    fnBody.unshift(...busyTimeStart(env));
    addLocal('t0%', 'f64');
    // Loops of the array library (line 0) are fine-grained: never worth a network round trip.
    const clusterWhy = p.line ? (p.cluster === false ? 'cluster=False' : this.plan.loopReason(p.body)) : undefined;
    this.addOutlined(region, p.line, 'prange', locals, fnBody, clusterWhy);

    // ---- the call site ----
    const e = this.local('env', 'i32');
    const E = get(e, 'i32');
    const trip = this.local('trip', 'i64'), start = this.local('start', 'i64'), stop = this.local('stop', 'i64'), step = this.local('step', 'i64');
    const grain = this.local('grain', 'i64'), nblk = this.local('nblk', 'i64'), chunk = this.local('chunk', 'i64');
    const nth = this.local('nth', 'i32'), kind = this.local('kind', 'i32');
    const to64 = (x: Expr) => (p.t === 'i64' ? x : cvt('i32->i64', x));
    const G = (n: string, t: VT = 'i64') => get(n, t);
    const out: Stmt[] = [
      set(start, to64(p.start)), set(stop, to64(p.stop)), set(step, to64(p.step)),
      // Trip count of range(start, stop, step), for either sign of step.
      set(trip, select('i64', bin('gt_s', 'i64', G(step), i64(0)),
        bin('div_s', 'i64', bin('add', 'i64', bin('sub', 'i64', G(stop), G(start)), bin('sub', 'i64', G(step), i64(1))), G(step)),
        bin('div_s', 'i64', bin('add', 'i64', bin('sub', 'i64', G(start), G(stop)), bin('sub', 'i64', i64(-1), G(step))), bin('sub', 'i64', i64(0), G(step))))),
      set(trip, select('i64', bin('gt_s', 'i64', G(trip), i64(0)), G(trip), i64(0))),
      // Reduction loops run in whole blocks of the grid; other loops in single iterations.
      set(grain, p.reductions.length ? bin('div_s', 'i64', bin('add', 'i64', G(trip), i64(MAX_BLOCKS - 1)), i64(MAX_BLOCKS)) : i64(1)),
      set(grain, select('i64', bin('gt_s', 'i64', G(grain), i64(0)), G(grain), i64(1))),
      set(nblk, bin('div_s', 'i64', bin('add', 'i64', G(trip), bin('sub', 'i64', G(grain), i64(1))), G(grain))),
      // Team size, limited by num_threads= and use_threads_if=.
      set(nth, load('i32', 'i32', i32(p.numThreads ? CTRL.teamSize : CTRL.numThreads))),
      set(nth, select('i32', bin('gt_s', 'i32', G(nth, 'i32'), i32(0)), G(nth, 'i32'), i32(1))),
      ...(p.numThreads ? [set(nth, select('i32', bin('lt_s', 'i64', p.numThreads, cvt('i32->i64', G(nth, 'i32'))), cvt('i64->i32', p.numThreads), G(nth, 'i32'))),
        set(nth, select('i32', bin('gt_s', 'i32', G(nth, 'i32'), i32(0)), G(nth, 'i32'), i32(1)))] : []),
      ...(p.useIf ? [when({ k: 'un', t: 'i32', op: 'eqz', a: p.useIf }, [set(nth, i32(1))])] : []),
      ...this.schedule(p, kind, chunk, grain, trip, nth),
      set(e, call('__malloc', 'i32', i32(envSize))),
      st('i64', c32(E, ENV.start), G(start)), st('i64', c32(E, ENV.step), G(step)), st('i64', c32(E, ENV.trip), G(trip)),
      st('i64', c32(E, ENV.grain), G(grain)), st('i64', c32(E, ENV.chunk), G(chunk)), st('i32', c32(E, ENV.kind), G(kind, 'i32')),
      st('i32', c32(E, ENV.last), i32(0)), st('i64', c32(E, ENV.next), i64(0)),
      st('i32', c32(E, ENV.partials), p.reductions.length ? call('__malloc', 'i32', i32(4 * p.reductions.length)) : i32(0)),
      ...p.reductions.map((_r, ri): Stmt => st('i32', add32(load('i32', 'i32', c32(E, ENV.partials)), i32(4 * ri)),
        call('__malloc', 'i32', cvt('i64->i32', bin('mul', 'i64', bin('add', 'i64', G(nblk), i64(1)), i64(8)))))),
      ...captured.map((n): Stmt => st(memOf(this.types.get(n)!), c32(E, slotOf.get(n)!), get(n, this.types.get(n)!))),
      ...this.forkWithStats(region, E, nth, G(trip), !!(p.numThreads || p.useIf), true, clusterWhy === ''),
    ];
    // Fold the partials in block order (see Note [Deterministic reductions]).
    const b = this.local('b', 'i64');
    p.reductions.forEach((r, ri) => {
      const parts = load('i32', 'i32', add32(load('i32', 'i32', c32(E, ENV.partials)), i32(4 * ri)));
      out.push({ k: 'for', label: `fold${region}_${ri}`, v: b, t: 'i64', start: i64(0), stop: G(nblk), step: i64(1), body: [
        set(r.name, combine(r.op, r.t, get(r.name, r.t), load(r.t, memOf(r.t), add32(parts, cvt('i64->i32', bin('mul', 'i64', G(b), i64(8))))))),
      ] });
      out.push(expr(call('__free', null, parts)));
    });
    if (p.reductions.length) out.push(expr(call('__free', null, load('i32', 'i32', c32(E, ENV.partials)))));
    // Last-private values: what the last iteration left (arrays: the outer reference is replaced).
    out.push(when(load('i32', 'i32', c32(E, ENV.last)), handedBack.flatMap((n): Stmt[] => [
      ...(arrays.has(n) ? [{ k: 'release', desc: get(n, 'i32') } as Stmt] : []),
      set(n, load(this.types.get(n)!, memOf(this.types.get(n)!), c32(E, slotOf.get(n)!))),
    ])));
    out.push(expr(call('__free', null, E)));
    return out;
  }

  /**
   * `__fork` wrapped in the cost model and the per-loop statistics (see LOOP_STATS). Clock reads
   * cost ~70 ns each (an import of performance.now()), as much as the rest of a fork, so a run is
   * timed only when profiling (CTRL.profile, `par run --time`) or when the cost model samples it:
   * the first 4 runs (the first includes compiling the body on each thread), every
   * SAMPLE_EVERY-th run, and a run whose trip count is off by 2x from the sampled one (see
   * Note [Cost model]).
   *
   * Note [Cost model]: unless the thread count is explicit, a loop runs serially when its estimated
   * work (the work of the last sampled run, scaled by trip count) is below SERIAL_CUTOFF fork-join
   * round trips; a sampled parallel run's work is the sum of the threads' busy times.
   */
  forkWithStats(region: number, env: Expr, nth: string, trip: Expr, explicit: boolean, nestable: boolean, cluster = false): Stmt[] {
    const S = this.local('stats', 'i32'), t0 = this.local('t0', 'f64'), dt = this.local('dt', 'f64'), timed = this.local('timed', 'i32');
    const inPar = this.local('inpar', 'i32'), used = this.local('used', 'i32');
    const reason = this.local('why', 'i32'), mx = this.local('mx', 'f64'), sum = this.local('sum', 'f64'), busy = this.local('busy', 'f64'), t = this.local('t', 'i32');
    const gS = get(S, 'i32'), gN = get(nth, 'i32'), gT = get(timed, 'i32');
    const f64at = (off: number) => load('f64', 'f64', c32(gS, off));
    const i64at = (off: number) => load('i64', 'i64', c32(gS, off));
    const addI64 = (off: number, v: Expr): Stmt => st('i64', c32(gS, off), bin('add', 'i64', i64at(off), v));
    const addF64 = (off: number, v: Expr): Stmt => st('f64', c32(gS, off), bin('add', 'f64', f64at(off), v));
    // Inside parallel code other threads may update the same statistics: atomic counts, no timing.
    const atomicAddI64 = (off: number, v: Expr): Stmt => expr({ k: 'atomic', t: 'i64', mem: 'i64', op: 'add', addr: c32(gS, off), value: v });
    const count = (off: number, v: Expr): Stmt => when(get(inPar, 'i32'), [atomicAddI64(off, v)], [addI64(off, v)]);
    const sampledTrip = i64at(LOOP_STATS.sampledTrip);
    return [
      set(inPar, atomicLoad32(i32(CTRL.active))),
      set(S, load('i32', 'i32', i32(CTRL.stats))),
      set(S, select('i32', gS, add32(gS, i32(region * LOOP_STATS.SIZE)), i32(0))),
      set(reason, select('i32', bin('le_s', 'i32', gN, i32(1)), select('i32', bin('le_s', 'i32', load('i32', 'i32', i32(CTRL.teamSize)), i32(1)), i32(4), i32(2)), i32(0))),
      set(timed, i32(0)),
      when(gS, [
        set(timed, bin('and', 'i32', { k: 'un', t: 'i32', op: 'eqz', a: get(inPar, 'i32') }, bin('or', 'i32', load('i32', 'i32', i32(CTRL.profile)), bin('or', 'i32',
          bin('or', 'i32', bin('lt_s', 'i64', i64at(LOOP_STATS.runs), i64(4)), { k: 'un', t: 'i64', op: 'eqz', a: bin('and', 'i64', i64at(LOOP_STATS.runs), i64(SAMPLE_EVERY - 1)) }),
          bin('or', 'i32', bin('gt_s', 'i64', trip, bin('mul', 'i64', sampledTrip, i64(2))), bin('lt_s', 'i64', bin('mul', 'i64', trip, i64(2)), sampledTrip)))))),
        ...(explicit ? [] : [when(bin('and', 'i32', bin('gt_s', 'i32', gN, i32(1)), bin('gt', 'f64', f64at(LOOP_STATS.last), cst('f64', 0))), [
          when(bin('lt', 'f64', bin('mul', 'f64', f64at(LOOP_STATS.last), cvt('i64->f64', trip)),
            bin('mul', 'f64', cvt('i32->f64', load('i32', 'i32', i32(CTRL.forkCost))), bin('mul', 'f64', cst('f64', SERIAL_CUTOFF), cvt('i64->f64', sampledTrip)))), [
            set(nth, i32(1)), set(reason, i32(1)),
          ]),
        ])]),
      ]),
      st('i32', c32(env, ENV.timed), gT),
      // A team started by this fork (Note [Lazy team]) starts before the clock does: the loop's
      // time and the cost model's samples are the loop's own.
      when(bin('and', 'i32', bin('gt_s', 'i32', gN, i32(1)), { k: 'un', t: 'i32', op: 'eqz', a: bin('or', 'i32', get(inPar, 'i32'), atomicLoad32(i32(CTRL.teamUp))) }), [
        expr(call('team_start', null)),
      ]),
      when(gT, [set(t0, call('now', 'f64'))]),
      ...(cluster
        // In cluster mode (CTRL.cluster) a qualifying loop met outside parallel code runs on the cluster.
        ? [when(bin('and', 'i32', load('i32', 'i32', i32(CTRL.cluster)), { k: 'un', t: 'i32', op: 'eqz', a: get(inPar, 'i32') }),
          [set(used, call('cluster_run', 'i32', i32(region), env))],
          [set(used, call('__fork', 'i32', i32(region), env, gN, i32(nestable ? 1 : 0)))])]
        : [set(used, call('__fork', 'i32', i32(region), env, gN, i32(nestable ? 1 : 0)))]),
      // One thread although more were asked for: nested in parallel code (see Note [Nested teams]).
      when(bin('and', 'i32', bin('eq', 'i32', get(used, 'i32'), i32(1)), { k: 'un', t: 'i32', op: 'eqz', a: get(reason, 'i32') }), [
        set(reason, nestable ? select('i32', load('i32', 'i32', i32(CTRL.nested)), i32(5), i32(3)) : i32(3)),
      ]),
      when(gS, [
        count(LOOP_STATS.runs, i64(1)), count(LOOP_STATS.iters, trip),
        st('i32', c32(gS, LOOP_STATS.threads), get(used, 'i32')),
        when(get(reason, 'i32'), [
          count(LOOP_STATS.serialRuns, i64(1)),
          st('i32', c32(gS, LOOP_STATS.reason), get(reason, 'i32')),
          st('i32', c32(gS, LOOP_STATS.lastTrip), cvt('i64->i32', trip)),
        ]),
        when(gT, [
          set(dt, bin('sub', 'f64', call('now', 'f64'), get(t0, 'f64'))),
          addI64(LOOP_STATS.timedRuns, i64(1)), addF64(LOOP_STATS.time, get(dt, 'f64')),
          st('i64', c32(gS, LOOP_STATS.sampledTrip), trip),
          st('f64', c32(gS, LOOP_STATS.last), get(dt, 'f64')), // the work of a serial run; a parallel run's is set below
          when({ k: 'un', t: 'i32', op: 'eqz', a: get(reason, 'i32') }, [
            // Imbalance: the busiest thread against the mean, from each thread's busy time.
            set(mx, cst('f64', 0)), set(sum, cst('f64', 0)),
            { k: 'for', label: `busy${region}`, v: t, t: 'i32', start: i32(0), stop: gN, step: i32(1), body: [
              set(busy, load('f64', 'f64', slotAddr(get(t, 'i32'), 'busy'))),
              set(mx, bin('max', 'f64', get(mx, 'f64'), get(busy, 'f64'))), set(sum, bin('add', 'f64', get(sum, 'f64'), get(busy, 'f64'))),
            ] },
            addF64(LOOP_STATS.sumMax, get(mx, 'f64')), addF64(LOOP_STATS.sumMean, bin('div', 'f64', get(sum, 'f64'), cvt('i32->f64', gN))),
            st('f64', c32(gS, LOOP_STATS.last), get(sum, 'f64')),
          ]),
        ]),
      ]),
    ];
  }

  /**
   * `with parallel() as p:` — the body runs once on each thread. Variables assigned in it are
   * private to each thread, starting from their value before the region (arrays are retained);
   * thread 0's values are kept after it, as in a serial run. Everything else is shared.
   */
  outlineRegion(r: Stmt & { k: 'region' }): Stmt[] {
    const region = this.outlined.length;
    const { used, assigned } = namesIn(r.body);
    const team = new Set([r.threadNum, r.numThreadsVar]);
    const arrays = new Set(this.f.arrays ?? []);
    const captured = [...used].filter((n) => !assigned.has(n) && !team.has(n) && this.types.has(n) && this.types.get(n) !== 'v128');
    const privates = [...assigned].filter((n) => !team.has(n) && this.types.has(n) && this.types.get(n) !== 'v128');
    const slotOf = new Map<string, number>();
    [...captured, ...privates].forEach((n, i) => slotOf.set(n, ENV.slots + 8 * i));
    const T = (n: string) => this.types.get(n)!;
    const env = get('env%', 'i32');
    const locals: Local[] = [...used].filter((n) => this.types.has(n)).map((name) => ({ name, t: T(name) }));
    for (const n of team) if (!locals.some((l) => l.name === n)) locals.push({ name: n, t: 'i64' });
    const arrayPrivates = privates.filter((n) => arrays.has(n));
    locals.push({ name: 't0%', t: 'f64' });
    this.addOutlined(region, r.line, 'region', locals, [
      ...[...captured, ...privates].map((n) => set(n, load(T(n), T(n), c32(env, slotOf.get(n)!)))),
      ...arrayPrivates.map((n): Stmt => ({ k: 'retain', desc: get(n, 'i32') })),
      ...busyTimeStart(env),
      set(r.threadNum, cvt('i32->i64', get('tid%', 'i32'))),
      set(r.numThreadsVar, cvt('i32->i64', get('n%', 'i32'))),
      // Not inside a loop: errors report the thread only.
      st('i64', slotAddr(get('self%', 'i32'), 'iter'), i64(-1)),
      traceChunk(region, i64(-1), i64(-1), 0),
      { k: 'block', body: r.body },
      traceChunk(region, i64(-1), i64(-1), 1),
      when(bin('eq', 'i32', get('tid%', 'i32'), i32(0)), [
        ...privates.map((n) => st(T(n), c32(env, slotOf.get(n)!), get(n, T(n)))),
        ...arrayPrivates.map((n) => set(n, i32(0))),
      ]),
      ...arrayPrivates.map((n): Stmt => ({ k: 'release', desc: get(n, 'i32') })),
      ...busyTimeEnd(env),
    ]);
    const e = this.local('env', 'i32'), nth = this.local('nth', 'i32'), xr = this.local('xr', 'i32'), outerXr = this.local('oxr', 'i32');
    const E = get(e, 'i32');
    const inPar = atomicLoad32(i32(CTRL.active));
    return [
      // Fresh p.xrange counters for this region. A region in parallel code runs on one thread and
      // leaves the running region's counters alone (its p.xrange loops then use none).
      set(outerXr, load('i32', 'i32', i32(CTRL.xrange))),
      set(xr, i32(0)),
      when({ k: 'un', t: 'i32', op: 'eqz', a: inPar }, [
        set(xr, call('__malloc', 'i32', i32(8 * XRANGE_LOOPS))),
        { k: 'memfill', dest: get(xr, 'i32'), value: i32(0), size: i32(8 * XRANGE_LOOPS) },
        st('i32', i32(CTRL.xrange), get(xr, 'i32')),
      ]),
      set(nth, load('i32', 'i32', i32(r.numThreads ? CTRL.teamSize : CTRL.numThreads))),
      set(nth, select('i32', bin('gt_s', 'i32', get(nth, 'i32'), i32(0)), get(nth, 'i32'), i32(1))),
      ...(r.numThreads ? [set(nth, select('i32', bin('lt_s', 'i64', r.numThreads, cvt('i32->i64', get(nth, 'i32'))), cvt('i64->i32', r.numThreads), get(nth, 'i32'))),
        set(nth, select('i32', bin('gt_s', 'i32', get(nth, 'i32'), i32(0)), get(nth, 'i32'), i32(1)))] : []),
      ...(r.useIf ? [when({ k: 'un', t: 'i32', op: 'eqz', a: r.useIf }, [set(nth, i32(1))])] : []),
      set(e, call('__malloc', 'i32', i32(ENV.slots + 8 * slotOf.size))),
      ...[...captured, ...privates].map((n) => st(T(n), c32(E, slotOf.get(n)!), get(n, T(n)))),
      // A region always runs on the team it asks for: its body may wait at barriers.
      ...this.forkWithStats(region, E, nth, i64(1), true, false),
      when(get(xr, 'i32'), [st('i32', i32(CTRL.xrange), get(outerXr, 'i32')), expr(call('__free', null, get(xr, 'i32')))]),
      ...privates.flatMap((n): Stmt[] => [
        ...(arrays.has(n) ? [{ k: 'release', desc: get(n, 'i32') } as Stmt] : []),
        set(n, load(T(n), T(n), c32(E, slotOf.get(n)!))),
      ]),
      expr(call('__free', null, E)),
    ];
  }

  schedule(p: Stmt & { k: 'parfor' }, kind: string, chunk: string, grain: string, trip: string, nth: string): Stmt[] {
    const G = (n: string, t: VT = 'i64') => get(n, t);
    const roundToGrain = (x: Expr) => bin('mul', 'i64', bin('div_s', 'i64', bin('add', 'i64', x, bin('sub', 'i64', G(grain), i64(1))), G(grain)), G(grain));
    const user = p.chunk ? select('i64', bin('gt_s', 'i64', p.chunk, i64(0)), p.chunk, i64(0)) : i64(0);
    const out: Stmt[] = [];
    let k: Expr;
    switch (p.schedule) {
      case 'static': k = i32(SCHED.static); break;
      case 'dynamic': k = i32(SCHED.dynamic); break;
      case 'guided': k = i32(SCHED.guided); break;
      case 'runtime': k = load('i32', 'i32', i32(CTRL.schedKind)); break;
      default: k = i32(SCHED.auto);
    }
    out.push(set(kind, k));
    const userChunk = p.schedule === 'runtime' ? cvt('i32->i64', load('i32', 'i32', i32(CTRL.schedChunk))) : user;
    out.push(set(chunk, userChunk));
    // auto: dynamic chunks of about 1/16 of a thread's share, so imbalance costs at most a few percent.
    out.push(when(bin('eq', 'i32', G(kind, 'i32'), i32(SCHED.auto)), [
      set(chunk, bin('div_s', 'i64', G(trip), bin('mul', 'i64', cvt('i32->i64', G(nth, 'i32')), i64(16)))),
      set(kind, i32(SCHED.dynamic)),
    ]));
    // Defaults as OpenMP: dynamic and guided take chunks of 1; static without a chunk splits evenly.
    out.push(when(bin('and', 'i32', bin('ne', 'i32', G(kind, 'i32'), i32(SCHED.static)), bin('le_s', 'i64', G(chunk), i64(0))), [set(chunk, i64(1))]));
    out.push(when(bin('gt_s', 'i64', G(chunk), i64(0)), [set(chunk, roundToGrain(G(chunk)))]));
    return out;
  }
}
