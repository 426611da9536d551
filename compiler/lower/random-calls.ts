// Lowering of np.random: the legacy module-level functions (one RandomState in static memory, seeded
// from entropy on first use unless np.random.seed() came first), RandomState objects, and
// default_rng() Generators. The streams themselves are compiler/random.ts's IR functions, which
// reproduce NumPy's bit for bit; this file evaluates the arguments, checks them with NumPy's
// messages, and fills arrays element after element in NumPy's order.
//
// A generator object is its state's bytes: a RandomState is a bool array of MT.size + 8 bytes (its
// "seeded" word after the state), a Generator an int64 array holding the PCG64 state. Draws in
// parallel code raise a RuntimeError for now: one stream shared by threads would race, and the
// per-thread streams issue 18 asks for are not built yet.
import type * as A from '../../language/ast.js';
import { Code } from '../../language/diagnostics.js';
import type { DType, Type } from '../../language/types.js';
import { CTRL } from '../../runtime/protocol.js';
import type * as I from '../ir.js';
import type { FnLowerer } from './function.js';
import type { Val } from './values.js';
import { MT, PCG, RANDOM_FUNCS as R, RANDOM_IMPORTS, ZIG, randomLibrary, zigguratTables } from '../random.js';
import { i32, i64, f64, get, bin, un, cvt, load, call, add32, mul32, vtOf, memOf, log2Size, convert } from '../ir-build.js';

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
  mod.funcs.push(...randomLibrary(tables));
  for (const im of RANDOM_IMPORTS) mod.imp(im.name, im.params, im.result, im.module);
}

/** The module-level RandomState of np.random.* (static memory, zeroed: not seeded yet). */
function globalState(fl: FnLowerer): Expr {
  library(fl);
  let at = fl.mod.randomState;
  if (at === null) at = fl.mod.randomState = fl.mod.staticBytes(MT_BYTES);
  return i32(at);
}

const raise = (fl: FnLowerer, kind: string, text: string, span: { start: number; end: number }): Stmt =>
  fl.trap(fl.mod.imp('err_raise', ['i32'], null), i32(fl.mod.site(Code.ValueError, kind, span, text)));

/** A RuntimeError in parallel code (see the file's comment), and the RandomState seeded from entropy if it is not yet. */
function ready(fl: FnLowerer, st: Expr, gen: 'mt' | 'pcg', span: { start: number; end: number }): void {
  fl.emit({ k: 'if', cond: { k: 'load', t: 'i32', mem: 'i32', addr: i32(CTRL.active), atomic: true }, then: [
    raise(fl, 'RuntimeError', 'np.random in a parallel loop or region is not supported yet: draw the numbers before it, in serial code', span),
  ], else: [] });
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
  ready(fl, st, gen, e.span);
  const mt = gen === 'mt';
  // One draw: its IR expression and dtype, after the arguments are evaluated and checked once.
  let draw: () => { e: Expr; dtype: DType };
  switch (fn) {
    case 'random': case 'random_sample': case 'ranf': case 'sample': case 'rand':
      draw = () => ({ e: call(mt ? R.mtDouble : R.pcgDouble, 'f64', st), dtype: 'float64' });
      break;
    case 'randn': case 'standard_normal':
      draw = () => ({ e: call(mt ? R.mtGauss : R.pcgStandardNormal, 'f64', st), dtype: 'float64' });
      break;
    case 'uniform': {
      const lo = arg(fl, given.get('low'), 'float64', f64(0)), hi = arg(fl, given.get('high'), 'float64', f64(1));
      const range = bin('sub', 'f64', hi, lo);
      // NumPy: high - low must be finite.
      fl.emit({ k: 'if', cond: un('eqz', 'i32', bin('lt', 'f64', un('abs', 'f64', range), f64(Infinity))), then: [
        fl.trap(fl.mod.imp('err_raise', ['i32'], null), i32(fl.mod.site(Code.ValueError, 'OverflowError', e.span, 'Range exceeds valid bounds'))),
      ], else: [] });
      draw = () => ({ e: call(mt ? R.mtUniform : R.pcgUniform, 'f64', st, lo, hi), dtype: 'float64' });
      break;
    }
    case 'normal': {
      const loc = arg(fl, given.get('loc'), 'float64', f64(0)), scale = arg(fl, given.get('scale'), 'float64', f64(1));
      fl.emit({ k: 'if', cond: bin('lt', 'f64', scale, f64(0)), then: [raise(fl, 'ValueError', 'scale < 0', e.span)], else: [] });
      draw = () => ({ e: call(mt ? R.mtNormal : R.pcgNormal, 'f64', st, loc, scale), dtype: 'float64' });
      break;
    }
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
      draw = () => ({ e: call(mt ? R.mtBounded : R.pcgBounded, 'i64', st, lo, rng), dtype: 'int64' });
      break;
    }
    case 'shuffle': shuffle(fl, st, fl.expr(given.get('x')!) as Val & { k: 'a' }, e.span); return { k: 'none' };
    case 'permutation': {
      const x = given.get('x')!;
      const xv = fl.expr(x);
      const out = xv.k === 's' ? arange(fl, xv) : copyOf(fl, xv as Val & { k: 'a' }, e.span);
      shuffle(fl, st, out as Val & { k: 'a' }, e.span);
      return out;
    }
    case 'choice': return choice(fl, st, e, given, t);
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

/** Fills a new C-ordered array element after element, as NumPy draws them. */
function fill(fl: FnLowerer, data: Expr, shape: Expr[], d: DType, draw: () => { e: Expr; dtype: DType }): void {
  const n = fl.tmp(shape.reduce((acc: Expr, x) => mul32(acc, x), i32(1)), 'n');
  const k = fl.fresh('k', 'i32');
  const v = draw();
  const body: Stmt[] = [{ k: 'store', mem: memOf(d), addr: add32(data, bin('shl', 'i32', get(k, 'i32'), i32(log2Size(d)))), value: convert(v.e, v.dtype, d) }];
  fl.emit({ k: 'for', label: `draw${fl.n++}`, v: k, t: 'i32', start: i32(0), stop: n, step: i32(1), body });
}

/** RandomState.shuffle of a 1-d array in place: for i from n-1 down to 1, swap x[i] with x[j], j in [0, i]. */
function shuffle(fl: FnLowerer, st: Expr, x: Val & { k: 'a' }, span: { start: number; end: number }): void {
  const a = x.a;
  if (a.ndim !== 1) { fl.emit(raise(fl, 'ValueError', 'shuffle of an array of more than one dimension is not supported yet', span)); return; }
  const i = fl.fresh('i', 'i32');
  const at = (k: Expr) => add32(a.data, bin('shl', 'i32', mul32(k, a.strides[0]), i32(log2Size(a.dtype))));
  const vt = vtOf(a.dtype), mem = memOf(a.dtype);
  const j = fl.fresh('j', 'i32'), tmp = fl.fresh('sw', vt);
  const body: Stmt[] = [
    { k: 'set', name: j, value: cvt('i64->i32', call(R.mtBounded, 'i64', st, i64(0), cvt('i32->i64', get(i, 'i32')))) },
    { k: 'set', name: tmp, value: load(vt, mem, at(get(i, 'i32'))) },
    { k: 'store', mem, addr: at(get(i, 'i32')), value: load(vt, mem, at(get(j, 'i32'))) },
    { k: 'store', mem, addr: at(get(j, 'i32')), value: get(tmp, vt) },
  ];
  fl.emit({ k: 'for', label: `shuffle${fl.n++}`, v: i, t: 'i32', start: bin('sub', 'i32', a.shape[0], i32(1)), stop: i32(0), step: i32(-1), body });
}

/** arange(n), for permutation(n). */
function arange(fl: FnLowerer, n: Val & { k: 's' }): Val {
  const len = fl.tmp(cvt('i64->i32', convert(n.e, n.dtype, 'int64')));
  const out = fl.alloc('int64', [len], true);
  const k = fl.fresh('k', 'i32');
  fl.emit({ k: 'for', label: `ar${fl.n++}`, v: k, t: 'i32', start: i32(0), stop: len, step: i32(1), body: [
    { k: 'store', mem: 'i64', addr: add32(out.data, bin('shl', 'i32', get(k, 'i32'), i32(3))), value: cvt('i32->i64', get(k, 'i32')) },
  ] });
  return fl.ownedArray(out);
}

function copyOf(fl: FnLowerer, x: Val & { k: 'a' }, span: { start: number; end: number }): Val {
  const out = fl.alloc(x.a.dtype, x.a.shape, true);
  fl.copyInto(out, x.a, span);
  return fl.ownedArray(out);
}

/** RandomState.choice(a, size, replace): randint indices with replacement, a permutation's first ones without. */
function choice(fl: FnLowerer, st: Expr, e: A.Call, given: Map<string, A.Expr>, t: Type): Val {
  const aE = given.get('a')!;
  const av = fl.expr(aE);
  const pop = av.k === 'a' ? fl.tmp(cvt('i32->i64', av.a.shape[0])) : fl.tmp(convert((av as { e: Expr }).e, (av as { dtype: DType }).dtype, 'int64'));
  const rep = given.get('replace');
  const replace = !(rep?.kind === 'Bool' && !rep.value);
  const sizeE = given.get('size');
  const shape = sizeE && sizeE.kind !== 'None' ? fl.shapeExprs(sizeE) : [];
  const count = fl.tmp(cvt('i32->i64', shape.reduce((acc: Expr, x) => mul32(acc, x), i32(1))), 'count');
  fl.emit({ k: 'if', cond: bin('and', 'i32', bin('le_s', 'i64', pop, i64(0)), bin('gt_s', 'i64', count, i64(0))), then: [raise(fl, 'ValueError', 'a must be greater than 0 unless no samples are taken', e.span)], else: [] });
  const idx = fl.alloc('int64', [cvt('i64->i32', count)], true);
  if (replace) {
    fill(fl, idx.data, [cvt('i64->i32', count)], 'int64', () => ({ e: call(R.mtBounded, 'i64', st, i64(0), bin('sub', 'i64', pop, i64(1))), dtype: 'int64' }));
  } else {
    fl.emit({ k: 'if', cond: bin('gt_s', 'i64', count, pop), then: [raise(fl, 'ValueError', "Cannot take a larger sample than population when 'replace=False'", e.span)], else: [] });
    const perm = arange(fl, { k: 's', e: pop, dtype: 'int64' }) as Val & { k: 'a' };
    shuffle(fl, st, perm, e.span);
    fl.copyInto({ ...idx }, { ...perm.a, shape: [cvt('i64->i32', count)] }, e.span);
  }
  // The chosen elements (or the indices themselves, for choice(n)).
  const k = fl.fresh('k', 'i32');
  const d = t.kind === 'array' || t.kind === 'scalar' ? t.dtype : 'int64';
  const pick = (at: Expr): Expr => {
    const ix = load('i64', 'i64', add32(idx.data, bin('shl', 'i32', at, i32(3))));
    if (av.k !== 'a') return ix;
    const a = av.a;
    return load(vtOf(a.dtype), memOf(a.dtype), add32(a.data, bin('shl', 'i32', mul32(cvt('i64->i32', ix), a.strides[0]), i32(log2Size(a.dtype)))));
  };
  const from: DType = av.k === 'a' ? av.a.dtype : 'int64';
  if (t.kind !== 'array') return { k: 's', e: fl.tmp(convert(pick(i32(0)), from, d)), dtype: d };
  const out = fl.alloc(d, shape, true);
  fl.emit({ k: 'for', label: `pick${fl.n++}`, v: k, t: 'i32', start: i32(0), stop: cvt('i64->i32', count), step: i32(1), body: [
    { k: 'store', mem: memOf(d), addr: add32(out.data, bin('shl', 'i32', get(k, 'i32'), i32(log2Size(d)))), value: convert(pick(get(k, 'i32')), from, d) },
  ] });
  fl.emit({ k: 'release', desc: idx.desc });
  return fl.ownedArray(out);
}
