// Lowering of np.random: the legacy module-level functions (one RandomState in static memory, seeded
// from entropy on first use unless np.random.seed() came first), RandomState objects, and
// default_rng() Generators. The streams themselves are compiler/random.ts's IR functions, which
// reproduce NumPy's bit for bit; this file evaluates the arguments, checks them with NumPy's
// messages, and fills arrays element after element in NumPy's order.
//
// A generator object is its state's bytes: a RandomState is a bool array of MT.size + 8 bytes (its
// "seeded" word after the state), a Generator an int64 array holding the PCG64 state.
//
// Note [Streams in prange]: one stream shared by threads would race, and numbers that depend on which
// thread ran which iteration would change with the thread count. So a prange loop whose body (or a
// function it calls) draws from np.random's module-level generator first draws two 32-bit words w0,
// w1 from that generator (what `np.random.randint(0, 2**32, size=2, dtype=np.uint32)` gives), and
// iteration k (its place in the range: 0, 1, ...) draws from its own Generator,
// `np.random.default_rng([w0, w1, k])`: PCG64 seeded by SeedSequence, NumPy's own way to make
// independent streams. The module-level functions then use Generator's algorithms (random,
// standard_normal, normal, uniform, integers) on that stream. Each thread keeps the stream of the
// iteration it runs in its SLOT (runtime/protocol.ts: SLOT.rng, with SLOT.rngActive set), which is
// also where draws in called functions find it, so results are the same for any thread count and
// any schedule. After the loop the slots are cleared and the module-level generator has advanced by
// the two words. A loop whose body draws from a RandomState or Generator object named there (and
// not from the module-level functions) does the same with that object as the source: w0, w1 are
// its next two 32-bit words (what `g.integers(0, 2**32, size=2, dtype=np.uint32)` /
// `g.randint(...)` gives), and its draws in the body go to the iteration's stream, with Generator's
// algorithms (dispatchers `__rnd_obj*`); the object advances by the two words. A loop that draws from
// two sources (the module-level functions and an object, or two objects) raises a RuntimeError
// before it starts. Draws from objects in functions called from the loop, shuffle/permutation/choice
// and seed in parallel code, and any draw in a `with parallel()` region outside such a loop, stay errors.
import type * as A from '../../language/ast.js';
import type { FuncInstance } from '../../language/checker.js';
import type { DType, Type } from '../../language/types.js';
import { CTRL, SLOT } from '../../runtime/protocol.js';
import type * as I from '../ir.js';
import type { FnLowerer } from './function.js';
import type { Val } from './values.js';
import { MT, PCG, RANDOM_FUNCS as R, RANDOM_IMPORTS, ZIG, randomLibrary, zigguratTables } from '../random.js';
import { DISTS, DIST_IMPORTS, type Dist, distFn, distributionLibrary } from '../random-dists.js';
import { choice, fill, permute, raise } from './random-choice.js';
import { withParams } from './random-params.js';
import { i32, i64, get, bin, un, cvt, load, call, add32, mul32, convert, select } from '../ir-build.js';

type Expr = I.Expr;
type Stmt = I.Stmt;

/** Where a RandomState's "seeded" word is, after its state. */
const SEEDED = MT.size;
const MT_BYTES = MT.size + 8;

/** Adds the generators' functions, imports and tables to the module once. */
function library(fl: FnLowerer): void {
  const mod = fl.mod;
  if (mod.helpers.has('__random')) return;
  mod.helpers.add('__random');
  const tables = mod.staticBytes(ZIG.size, zigguratTables());
  mod.funcs.push(...randomLibrary(tables), ...distributionLibrary(tables));
  for (const im of [...RANDOM_IMPORTS, ...DIST_IMPORTS]) mod.imp(im.name, im.params, im.result, im.module);
}

/** The module-level RandomState of np.random.* (static memory, zeroed: not seeded yet). */
function globalState(fl: FnLowerer): Expr {
  library(fl);
  let at = fl.mod.randomState;
  if (at === null) at = fl.mod.randomState = fl.mod.staticBytes(MT_BYTES);
  return i32(at);
}

/**
 * Before a draw: from an object in parallel code, a RuntimeError (Note [Streams in prange]); from the
 * module-level generator, nothing when this thread runs a prange iteration with its own stream (the
 * draw goes there), else the same error in parallel code, and a seed from entropy if np.random.seed()
 * never ran. `shared`: shuffle, permutation and choice, which always use the module-level state.
 */
function ready(fl: FnLowerer, st: Expr, gen: 'mt' | 'pcg', span: { start: number; end: number }, method: boolean, shared = false, streamed = false): void {
  const parallel = (): Expr => ({ k: 'load', t: 'i32', mem: 'i32', addr: i32(CTRL.active), atomic: true });
  const error = (what: string) => raise(fl, 'RuntimeError', what, span);
  if (streamed) {
    fl.emit({ k: 'if', cond: bin('and', 'i32', un('eqz', 'i32', streamActive(fl)), parallel()), then: [error('draws from a RandomState or Generator object in parallel code outside its prange loop are not supported yet')], else: [] });
  } else if (method) {
    fl.emit({ k: 'if', cond: parallel(), then: [error('draws from a RandomState or Generator object in a function called from parallel code are not supported yet: draw from it in the prange loop itself (each iteration gets its own stream) or before the loop')], else: [] });
  } else {
    const active = streamActive(fl);
    fl.emit({ k: 'if', cond: shared ? bin('or', 'i32', active, parallel()) : bin('and', 'i32', un('eqz', 'i32', active), parallel()), then: [
      error(shared ? 'np.random.shuffle, permutation and choice in parallel code are not supported yet: draw before the loop' : 'np.random in a parallel region is not supported yet: draw in a prange loop (each iteration gets its own stream) or before the region'),
    ], else: [] });
  }
  if (gen !== 'mt') return;
  fl.emit({ k: 'if', cond: un('eqz', 'i32', load('i32', 'i32', add32(st, i32(SEEDED)))), then: [
    { k: 'expr', e: call(R.mtSeed, null, st, call(fl.mod.imp('entropy', [], 'i32'), 'i32')) },
    { k: 'store', mem: 'i32', addr: add32(st, i32(SEEDED)), value: i32(1) },
  ], else: [] });
}

const arg = (fl: FnLowerer, e: A.Expr | undefined, to: DType, dflt: Expr): Expr => {
  if (!e || e.kind === 'None') return dflt;
  const v = fl.expr(e) as { e: Expr; dtype: DType };
  return fl.tmp(convert(v.e, v.dtype, to));
};

/** Seeds the RandomState at st from an int seed (NumPy's range check), or from entropy for None. */
function seedMT(fl: FnLowerer, st: Expr, seed: A.Expr | undefined, span: { start: number; end: number }): void {
  library(fl);
  if (!seed || seed.kind === 'None') {
    fl.emit({ k: 'expr', e: call(R.mtSeed, null, st, call(fl.mod.imp('entropy', [], 'i32'), 'i32')) });
  } else {
    const s = arg(fl, seed, 'int64', i64(0));
    fl.emit({ k: 'if', cond: bin('ge_u', 'i64', s, i64(0x100000000)), then: [raise(fl, 'ValueError', 'Seed must be between 0 and 2**32 - 1', span)], else: [] });
    fl.emit({ k: 'expr', e: call(R.mtSeed, null, st, cvt('i64->i32', s)) });
  }
  fl.emit({ k: 'store', mem: 'i32', addr: add32(st, i32(SEEDED)), value: i32(1) });
}

/** `np.random.*(...)` and the methods of RandomState and Generator objects. */
export function randomCall(fl: FnLowerer, e: A.Call, name: string, self: A.Expr | null, t: Type): Val {
  const method = name.startsWith('.rng:');
  const fn = method ? name.slice(5) : name.slice('random.'.length);
  const given = fl.mod.cp.randomArgs.get(e) ?? new Map<string, A.Expr>();
  library(fl);
  if (fn === 'default_rng' || fn === 'RandomState') {
    const a = fl.alloc(fn === 'default_rng' ? 'int64' : 'bool', [i32(fn === 'default_rng' ? PCG.size / 8 : MT_BYTES)]);
    const seed = given.get('seed');
    if (fn === 'RandomState') seedMT(fl, a.data, seed, e.span);
    else if (!seed || seed.kind === 'None') {
      const word = () => cvt('i32->i64', call(fl.mod.imp('entropy', [], 'i32'), 'i32'));
      fl.emit({ k: 'expr', e: call(R.pcgSeed, null, a.data, bin('and', 'i64', bin('or', 'i64', bin('shl', 'i64', word(), i64(32)), bin('and', 'i64', word(), i64(0xffffffff))), i64(0x7fffffffffffffffn))) });
    } else {
      const s = arg(fl, seed, 'int64', i64(0));
      fl.emit({ k: 'if', cond: bin('lt_s', 'i64', s, i64(0)), then: [raise(fl, 'ValueError', 'expected non-negative integer', e.span)], else: [] });
      fl.emit({ k: 'expr', e: call(R.pcgSeed, null, a.data, s) });
    }
    return fl.ownedArray(a);
  }
  const gen: 'mt' | 'pcg' = method ? ((fl.type(self!) as Type & { kind: 'rng' }).gen) : 'mt';
  const st = method ? fl.tmp((fl.expr(self!) as Val & { k: 'a' }).a.data, 'rng') : globalState(fl);
  if (fn === 'seed') { seedMT(fl, st, given.get('seed'), e.span); return { k: 'none' }; }
  const streamed = method && streamCalls.has(e);
  ready(fl, st, gen, e.span, method, ['shuffle', 'permutation', 'choice'].includes(fn), streamed);
  const mt = gen === 'mt';
  // A draw: the object's own stream, or (module-level, or an object in a prange with streams) the
  // dispatcher that picks the iteration's stream in a prange.
  const op = (mtFn: string, pcgFn: string, any: StreamFn | (() => string), t: 'f64' | 'i64', ...args: Expr[]): Expr =>
    streamed ? call(objectStream(fl, mt ? mtFn : pcgFn, pcgFn, t, args.map((a) => a.t as I.VT)), t, st, ...args)
    : method ? call(mt ? mtFn : pcgFn, t, st, ...args) : call(typeof any === 'string' ? streamFns(fl)[any] : any(), t, ...args);
  // One draw: its IR expression and dtype, after the arguments are evaluated and checked once.
  let draw: () => { e: Expr; dtype: DType };
  const withArgs = fn === 'uniform' || fn === 'normal' || fn in DISTS;
  if (withArgs) {
    const mk = (args: Expr[]): { e: Expr; dtype: DType } => {
      if (fn === 'uniform') return { e: op(R.mtUniform, R.pcgUniform, 'uniform', 'f64', args[0], args[1]), dtype: 'float64' };
      if (fn === 'normal') return { e: op(R.mtNormal, R.pcgNormal, 'normal', 'f64', args[0], args[1]), dtype: 'float64' };
      const d = fn as Dist, sig = DISTS[d];
      // Ours take binomial's (p, n) in C's order.
      const cArgs = d === 'binomial' ? [args[1], args[0]] : args;
      return { e: op(distFn('mt', d), distFn('pcg', d), () => distStream(fl, d), sig.result, ...cArgs), dtype: sig.result === 'i64' ? 'int64' : 'float64' };
    };
    const r = withParams(fl, fn, given, t, e.span, mk);
    if ('result' in r) return r.result;
    draw = r.scalarDraw;
  } else switch (fn) {
    case 'random': case 'random_sample': case 'ranf': case 'sample': case 'rand':
      if (isFloat32(fl, given.get('dtype'))) draw = () => ({ e: call(R.pcgFloat, 'f32', st), dtype: 'float32' });
      else draw = () => ({ e: op(R.mtDouble, R.pcgDouble, 'double', 'f64'), dtype: 'float64' });
      break;
    case 'randn': case 'standard_normal':
      draw = () => ({ e: op(R.mtGauss, R.pcgStandardNormal, 'gauss', 'f64'), dtype: 'float64' });
      break;
    case 'randint': case 'integers': {
      const first = arg(fl, given.get('low'), 'int64', i64(0));
      const highE = given.get('high');
      const [lo, hi] = highE && highE.kind !== 'None' ? [first, arg(fl, highE, 'int64', i64(0))] : [i64(0), first];
      const endpoint = given.get('endpoint');
      const closed = endpoint?.kind === 'Bool' && endpoint.value;
      const d = (t.kind === 'array' || t.kind === 'scalar') ? t.dtype : 'int64';
      if (d === 'int32') {
        fl.emit({ k: 'if', cond: bin('lt_s', 'i64', lo, i64(-0x80000000)), then: [raise(fl, 'ValueError', 'low is out of bounds for int32', e.span)], else: [] });
        fl.emit({ k: 'if', cond: bin('gt_s', 'i64', hi, i64(closed ? 0x7fffffff : 0x80000000)), then: [raise(fl, 'ValueError', 'high is out of bounds for int32', e.span)], else: [] });
      }
      fl.emit({ k: 'if', cond: bin(closed ? 'gt_s' : 'ge_s', 'i64', lo, hi), then: [raise(fl, 'ValueError', closed ? 'low > high' : 'low >= high', e.span)], else: [] });
      const rng = fl.tmp(closed ? bin('sub', 'i64', hi, lo) : bin('sub', 'i64', bin('sub', 'i64', hi, i64(1)), lo));
      draw = () => ({ e: op(R.mtBounded, R.pcgBounded, 'bounded', 'i64', lo, rng), dtype: 'int64' });
      break;
    }
    case 'shuffle': case 'permutation': return permute(fl, st, gen, fn, given.get('x')!, e.span);
    case 'choice': return choice(fl, st, gen, e, given, t);
    default: throw new Error(`internal: np.random.${fn}`);
  }
  const dims = fn === 'rand' || fn === 'randn' ? e.args : null;
  const size = given.get('size');
  if (t.kind !== 'array') {
    const v = draw();
    const d = (t as { dtype: DType }).dtype;
    return { k: 's', e: fl.tmp(convert(v.e, v.dtype, d)), dtype: d };
  }
  const shape = dims ? dims.map((x) => fl.shapeExprs(x)[0]) : fl.shapeExprs(size!);
  const out = fl.alloc(t.dtype, shape, true);
  fill(fl, out.data, shape, t.dtype, draw);
  return fl.ownedArray(out);
}

/** Whether a dtype argument names float32 (Generator.random's dtype=np.float32 or 'float32'). */
function isFloat32(fl: FnLowerer, e: A.Expr | undefined): boolean {
  if (!e) return false;
  if (e.kind === 'Str') return e.value === 'float32';
  const t = fl.type(e);
  return t.kind === 'dtype' && t.dtype === 'float32';
}

/** The dispatcher of a distribution for the module-level functions (see streamFns), added once. */
function distStream(fl: FnLowerer, d: Dist): string {
  const name = `__rnd_${d}`;
  if (fl.mod.helpers.has(name)) return name;
  fl.mod.helpers.add(name);
  streamFns(fl);
  const params: I.Local[] = DISTS[d].params.map((t, i) => ({ name: `a${i}`, t }));
  const s = get('s', 'i32'), args = params.map((p) => get(p.name, p.t)), t = DISTS[d].result;
  fl.mod.funcs.push({
    name, params, results: [t], locals: [{ name: 's', t: 'i32' }],
    body: [
      { k: 'set', name: 's', value: call(STREAM_FNS.active, 'i32') },
      { k: 'if', cond: s, then: [{ k: 'return', values: [call(distFn('pcg', d), t, add32(s, i32(SLOT.rng)), ...args)] }], else: [] },
      { k: 'return', values: [call(distFn('mt', d), t, globalState(fl), ...args)] },
    ],
  });
  return name;
}

// ---------------- per-iteration streams in prange (Note [Streams in prange]) ----------------

type StreamFn = 'active' | 'double' | 'gauss' | 'normal' | 'uniform' | 'bounded' | 'word';
const STREAM_FNS: Record<StreamFn, string> = {
  active: '__rnd_active', double: '__rnd_double', gauss: '__rnd_gauss', normal: '__rnd_normal', uniform: '__rnd_uniform', bounded: '__rnd_bounded', word: '__rnd_word',
};

/**
 * The static word that is non-zero while a prange with per-iteration streams runs: serial draws test
 * it alone, so they never pay for finding their thread's slot (a call out to JS).
 */
function streamsInUse(fl: FnLowerer): number {
  streamFns(fl);
  return fl.mod.streamsInUse!;
}

/**
 * The dispatchers the module-level functions call, added once: each draws from this thread's
 * iteration stream when a stream loop runs and SLOT.rngActive says this thread runs one of its
 * iterations, else from the module-level RandomState. `__rnd_active()` is that test: the address of
 * the thread's slot, or 0.
 */
function streamFns(fl: FnLowerer): Record<StreamFn, string> {
  const mod = fl.mod;
  if (mod.streamsInUse !== null) return STREAM_FNS;
  const inUse = mod.streamsInUse = mod.staticBytes(4);
  const global = globalState(fl);
  const threadId = mod.imp('thread_id', [], 'i32');
  const s = get('s', 'i32');
  mod.funcs.push({
    name: STREAM_FNS.active, params: [], results: ['i32'], locals: [{ name: 's', t: 'i32' }],
    body: [
      { k: 'if', cond: un('eqz', 'i32', load('i32', 'i32', i32(inUse))), then: [{ k: 'return', values: [i32(0)] }], else: [] },
      { k: 'set', name: 's', value: add32(load('i32', 'i32', i32(CTRL.iterSlots)), mul32(call(threadId, 'i32'), i32(SLOT.SIZE))) },
      { k: 'return', values: [select('i32', load('i32', 'i32', add32(s, i32(SLOT.rngActive))), s, i32(0))] },
    ],
  });
  const dispatch = (name: StreamFn, mtFn: string, pcgFn: string, t: I.VT, params: I.Local[]): void => {
    const args = params.map((p) => get(p.name, p.t));
    mod.funcs.push({
      name: STREAM_FNS[name], params, results: [t], locals: [{ name: 's', t: 'i32' }],
      body: [
        { k: 'set', name: 's', value: call(STREAM_FNS.active, 'i32') },
        { k: 'if', cond: s, then: [{ k: 'return', values: [call(pcgFn, t, add32(s, i32(SLOT.rng)), ...args)] }], else: [] },
        { k: 'return', values: [call(mtFn, t, global, ...args)] },
      ],
    });
  };
  const f = (name: string): I.Local => ({ name, t: 'f64' });
  dispatch('double', R.mtDouble, R.pcgDouble, 'f64', []);
  dispatch('gauss', R.mtGauss, R.pcgStandardNormal, 'f64', []);
  dispatch('normal', R.mtNormal, R.pcgNormal, 'f64', [f('a'), f('b')]);
  dispatch('uniform', R.mtUniform, R.pcgUniform, 'f64', [f('a'), f('b')]);
  dispatch('bounded', R.mtBounded, R.pcgBounded, 'i64', [{ name: 'a', t: 'i64' }, { name: 'b', t: 'i64' }]);
  dispatch('word', R.mtNext32, R.pcgNext32, 'i32', []);
  return STREAM_FNS;
}

/** The draws from generator objects in prange bodies with iteration streams (found by iterationStreams). */
const streamCalls = new WeakSet<A.Call>();

/**
 * The dispatcher of an object's draw in a prange with streams, added once per function: the
 * iteration's stream (Generator's algorithm `pcgFn`) when this thread runs one, else the object's own.
 */
function objectStream(fl: FnLowerer, own: string, pcgFn: string, t: I.VT, types: I.VT[]): string {
  const name = `__rnd_obj${own}`;
  if (fl.mod.helpers.has(name)) return name;
  fl.mod.helpers.add(name);
  const params: I.Local[] = [{ name: 'st', t: 'i32' }, ...types.map((pt, i) => ({ name: `a${i}`, t: pt }))];
  const s = get('s', 'i32'), args = params.slice(1).map((p) => get(p.name, p.t));
  fl.mod.funcs.push({
    name, params, results: [t], locals: [{ name: 's', t: 'i32' }],
    body: [
      { k: 'set', name: 's', value: call(streamFns(fl).active, 'i32') },
      { k: 'if', cond: s, then: [{ k: 'return', values: [call(pcgFn, t, add32(s, i32(SLOT.rng)), ...args)] }], else: [] },
      { k: 'return', values: [call(own, t, get('st', 'i32'), ...args)] },
    ],
  });
  return name;
}

/** Whether this thread runs a prange iteration with its own stream. */
function streamActive(fl: FnLowerer): Expr {
  return un('eqz', 'i32', un('eqz', 'i32', call(streamFns(fl).active, 'i32')));
}

/**
 * The draws from generator objects in a prange body (not in the functions it calls), by the name of
 * the object (the checker allows only names there); marks each for streamCalls.
 */
function objectDraws(inst: FuncInstance, body: unknown): Map<string, A.Expr> {
  const found = new Map<string, A.Expr>();
  const visit = (x: unknown): void => {
    if (!x || typeof x !== 'object') return;
    if (Array.isArray(x)) { x.forEach(visit); return; }
    const n = x as A.Expr;
    if (n.kind === 'Call') {
      const r = inst.calls.get(n);
      if (r?.kind === 'builtin' && r.name.startsWith('.rng:') && n.func.kind === 'Attribute' && n.func.value.kind === 'Name') {
        streamCalls.add(n);
        if (!found.has(n.func.value.id)) found.set(n.func.value.id, n.func.value);
      }
    }
    for (const [k, v] of Object.entries(n)) if (k !== 'span' && v && typeof v === 'object') visit(v);
  };
  visit(body);
  return found;
}

const drawsMemo = new WeakMap<object, boolean>();
/** Whether running `body` of `inst` may draw from np.random's module-level generator, also in the functions it calls. */
function draws(inst: FuncInstance, body: unknown, visiting: Set<FuncInstance>): boolean {
  let found = false;
  const visit = (x: unknown): void => {
    if (found || !x || typeof x !== 'object') return;
    if (Array.isArray(x)) { x.forEach(visit); return; }
    const n = x as A.Expr;
    if (n.kind === 'Call') {
      const r = inst.calls.get(n);
      if (r?.kind === 'builtin' && r.name.startsWith('random.') && !['random.default_rng', 'random.RandomState'].includes(r.name)) { found = true; return; }
      if (r?.kind === 'user' && r.inst.def && !visiting.has(r.inst)) {
        let d = drawsMemo.get(r.inst);
        if (d === undefined) {
          visiting.add(r.inst);
          d = draws(r.inst, r.inst.def.body, visiting);
          visiting.delete(r.inst);
          drawsMemo.set(r.inst, d);
        }
        if (d) { found = true; return; }
      }
    }
    for (const [k, v] of Object.entries(n)) if (k !== 'span' && v && typeof v === 'object') visit(v);
  };
  visit(body);
  return found;
}

/**
 * For a prange whose body draws from the module-level generator (Note [Streams in prange]): emits,
 * before the loop, the draw of the two key words; returns the statements that give iteration `iv`
 * its stream (to put first in the body) and a function that emits the clean-up after the loop.
 * Null when the body does not draw.
 */
export function iterationStreams(fl: FnLowerer, body: A.Stmt[], iv: string, start: Expr, step: Expr, span: { start: number; end: number }): { seed: Stmt[]; after(): void } | null {
  const moduleLevel = draws(fl.cur, body, new Set());
  const objects = objectDraws(fl.cur, body);
  if (!moduleLevel && !objects.size) return null;
  const fns = streamFns(fl);
  if (Number(moduleLevel) + objects.size > 1) {
    const names = [...(moduleLevel ? ["np.random's functions"] : []), ...objects.keys()].join(', ');
    fl.emit(raise(fl, 'RuntimeError', `a prange loop that draws from more than one generator (${names}) is not supported yet: draw from one of them in the loop`, span));
  }
  // Nested in an iteration that has its own stream: the key comes from that stream, and the
  // iteration keeps its (now advanced) stream after the inner loop.
  const nested = fl.tmp(streamActive(fl), 'nested');
  let word: () => Expr;
  if (moduleLevel || !objects.size) {
    ready(fl, globalState(fl), 'mt', span, false);
    word = () => call(fns.word, 'i32');
  } else {
    // The object's words, as its randint/integers(0, 2**32, size=2, dtype=np.uint32) would draw them.
    const [obj] = objects.values();
    const gen = (fl.type(obj) as Type & { kind: 'rng' }).gen;
    const st = fl.tmp((fl.expr(obj) as Val & { k: 'a' }).a.data, 'rng');
    word = () => call(objectStream(fl, gen === 'mt' ? R.mtNext32 : R.pcgNext32, R.pcgNext32, 'i32', []), 'i32', st);
  }
  const w0 = fl.tmp(word(), 'w'), w1 = fl.tmp(word(), 'w');
  const s = fl.fresh('rs', 'i32'), k = fl.fresh('rk', 'i64');
  const at = (off: number) => add32(get(s, 'i32'), i32(off));
  const threadId = fl.mod.imp('thread_id', [], 'i32');
  fl.emit({ k: 'store', mem: 'i32', addr: i32(streamsInUse(fl)), value: i32(1) });
  const seed: Stmt[] = [
    { k: 'set', name: s, value: add32(load('i32', 'i32', i32(CTRL.iterSlots)), mul32(call(threadId, 'i32'), i32(SLOT.SIZE))) },
    { k: 'set', name: k, value: bin('div_s', 'i64', bin('sub', 'i64', get(iv, 'i64'), start), step) },
    { k: 'store', mem: 'i32', addr: at(SLOT.rngWords), value: w0 },
    { k: 'store', mem: 'i32', addr: at(SLOT.rngWords + 4), value: w1 },
    { k: 'store', mem: 'i64', addr: at(SLOT.rngWords + 8), value: get(k, 'i64') },
    // SeedSequence's words: k < 2**32 is one word, a larger k two (as NumPy splits a Python int).
    { k: 'expr', e: call(R.pcgSeedWords, null, at(SLOT.rng), at(SLOT.rngWords), bin('sub', 'i32', i32(4), un('eqz', 'i32', cvt('i64->i32', bin('shr_u', 'i64', get(k, 'i64'), i64(32)))))) },
    { k: 'store', mem: 'i32', addr: at(SLOT.rngActive), value: i32(1) },
  ];
  const after = (): void => {
    // Every thread's slot, since any of them may have run iterations (thread 0 alone runs this).
    const t = fl.fresh('t', 'i32');
    const base = fl.tmp(load('i32', 'i32', i32(CTRL.iterSlots)), 'slots');
    fl.emit({ k: 'if', cond: un('eqz', 'i32', nested), then: [
      { k: 'store', mem: 'i32', addr: i32(streamsInUse(fl)), value: i32(0) },
      { k: 'for', label: `rnd${fl.n++}`, v: t, t: 'i32', start: i32(0), stop: load('i32', 'i32', i32(CTRL.teamSize)), step: i32(1), body: [
        { k: 'store', mem: 'i32', addr: add32(add32(base, mul32(get(t, 'i32'), i32(SLOT.SIZE))), i32(SLOT.rngActive)), value: i32(0) },
      ] },
    ], else: [] });
  };
  return { seed, after };
}
