// Lowering of np.random's permutations and samples, for RandomState and Generator alike: shuffle,
// permutation and choice (with or without replacement, with p=), drawing what NumPy draws:
//  - shuffle (both): for i = n-1 down to 1, swap x[i] and x[j], j = random_interval(i): masked
//    rejection (__mt_bounded / __pcg_interval, whose 32-bit words are PCG64's buffered halves).
//  - choice with replacement: RandomState randint(0, n) (masked), Generator integers(0, n)
//    (Lemire); with p: cdf = cumsum(p) / its last, one uniform double per sample, and the index is
//    searchsorted(cdf, u, side='right').
//  - choice without replacement: RandomState, permutation(n)[:size]; Generator, Floyd's algorithm
//    (j from n - size to n - 1: v = integers(0, j + 1), or j itself when v was taken) then a shuffle
//    of the sample by Lemire's integers, or, for n > 10000 and size > n // 50, a shuffle of the last
//    `size` places of arange(n). Without replacement and with p is not supported yet.
// Also `fill` (arrays of draws, element after element) and `raise`, which random-calls.ts uses.
import type * as A from '../../language/ast.js';
import { Code } from '../../language/diagnostics.js';
import type { DType, Type } from '../../language/types.js';
import type * as I from '../ir.js';
import type { FnLowerer } from './function.js';
import type { Val } from './values.js';
import { RANDOM_FUNCS as R } from '../random.js';
import { i32, i64, f64, get, bin, un, cvt, load, call, add32, mul32, vtOf, memOf, log2Size, convert, select } from '../ir-build.js';

type Expr = I.Expr;
type Stmt = I.Stmt;
type Span = { start: number; end: number };

export const raise = (fl: FnLowerer, kind: string, text: string, span: Span): Stmt =>
  fl.trap(fl.mod.imp('err_raise', ['i32'], null), i32(fl.mod.site(Code.ValueError, kind, span, text)));

/** Fills a new C-ordered array element after element, as NumPy draws them. */
export function fill(fl: FnLowerer, data: Expr, shape: Expr[], d: DType, draw: () => { e: Expr; dtype: DType }): void {
  const n = fl.tmp(shape.reduce((acc: Expr, x) => mul32(acc, x), i32(1)), 'n');
  const k = fl.fresh('k', 'i32');
  const v = draw();
  const body: Stmt[] = [{ k: 'store', mem: memOf(d), addr: add32(data, bin('shl', 'i32', get(k, 'i32'), i32(log2Size(d)))), value: convert(v.e, v.dtype, d) }];
  fl.emit({ k: 'for', label: `draw${fl.n++}`, v: k, t: 'i32', start: i32(0), stop: n, step: i32(1), body });
}

const at64 = (data: Expr, k: Expr) => add32(data, bin('shl', 'i32', k, i32(3)));
const when = (cond: Expr, then: Stmt[], els: Stmt[] = []): Stmt => ({ k: 'if', cond, then, else: els });

/**
 * Shuffles elements (rows, for more than one dimension) first..n-1 of an array in place (NumPy's order: i from n-1 down to `first`),
 * j = bounded(st, 0, i): __mt_bounded or __pcg_interval for shuffle, __pcg_bounded for Generator.choice.
 */
export function shuffleArray(fl: FnLowerer, st: Expr, bounded: string, x: Val & { k: 'a' }, span: Span, first: Expr = i32(1)): void {
  const a = x.a;
  const i = fl.fresh('i', 'i32');
  const loop = (body: Stmt[]) => fl.emit({ k: 'for', label: `shuffle${fl.n++}`, v: i, t: 'i32', start: bin('sub', 'i32', a.shape[0], i32(1)), stop: bin('sub', 'i32', first, i32(1)), step: i32(-1), body });
  if (a.ndim > 1) {
    // Rows along the first axis, swapped element by element (NumPy draws the same j for them).
    const j = fl.fresh('j', 'i32');
    const row = (k: Expr) => ({ ...a, data: add32(a.data, bin('shl', 'i32', mul32(k, a.strides[0]), i32(log2Size(a.dtype)))), shape: a.shape.slice(1), strides: a.strides.slice(1), ndim: a.ndim - 1 });
    const vt = vtOf(a.dtype), mem = memOf(a.dtype), tmp = fl.fresh('sw', vt);
    loop(fl.block(() => {
      fl.emit({ k: 'set', name: j, value: cvt('i64->i32', call(bounded, 'i64', st, i64(0), cvt('i32->i64', get(i, 'i32')))) });
      fl.nest(a.shape.slice(1), [row(get(i, 'i32')), row(get(j, 'i32'))], span, (ptrs) => [
        { k: 'set', name: tmp, value: load(vt, mem, ptrs[0]) },
        { k: 'store', mem, addr: ptrs[0], value: load(vt, mem, ptrs[1]) },
        { k: 'store', mem, addr: ptrs[1], value: get(tmp, vt) },
      ]);
    }));
    return;
  }
  const at = (k: Expr) => add32(a.data, bin('shl', 'i32', mul32(k, a.strides[0]), i32(log2Size(a.dtype))));
  const vt = vtOf(a.dtype), mem = memOf(a.dtype);
  const j = fl.fresh('j', 'i32'), tmp = fl.fresh('sw', vt);
  const body: Stmt[] = [
    { k: 'set', name: j, value: cvt('i64->i32', call(bounded, 'i64', st, i64(0), cvt('i32->i64', get(i, 'i32')))) },
    { k: 'set', name: tmp, value: load(vt, mem, at(get(i, 'i32'))) },
    { k: 'store', mem, addr: at(get(i, 'i32')), value: load(vt, mem, at(get(j, 'i32'))) },
    { k: 'store', mem, addr: at(get(j, 'i32')), value: get(tmp, vt) },
  ];
  loop(body);
}

/** arange(n), for permutation(n). */
export function arange(fl: FnLowerer, n: Val & { k: 's' }): Val & { k: 'a' } {
  const len = fl.tmp(cvt('i64->i32', convert(n.e, n.dtype, 'int64')));
  const out = fl.alloc('int64', [len], true);
  const k = fl.fresh('k', 'i32');
  fl.emit({ k: 'for', label: `ar${fl.n++}`, v: k, t: 'i32', start: i32(0), stop: len, step: i32(1), body: [
    { k: 'store', mem: 'i64', addr: at64(out.data, get(k, 'i32')), value: cvt('i32->i64', get(k, 'i32')) },
  ] });
  return fl.ownedArray(out) as Val & { k: 'a' };
}

export function copyOf(fl: FnLowerer, x: Val & { k: 'a' }, span: Span): Val & { k: 'a' } {
  const out = fl.alloc(x.a.dtype, x.a.shape, true);
  fl.copyInto(out, x.a, span);
  return fl.ownedArray(out) as Val & { k: 'a' };
}

/** shuffle(x) and permutation(x or n) of a RandomState or Generator. */
export function permute(fl: FnLowerer, st: Expr, gen: 'mt' | 'pcg', fn: 'shuffle' | 'permutation', x: A.Expr, span: Span): Val {
  const bounded = gen === 'mt' ? R.mtBounded : R.pcgInterval;
  const xv = fl.expr(x);
  if (fn === 'shuffle') { shuffleArray(fl, st, bounded, xv as Val & { k: 'a' }, span); return { k: 'none' }; }
  const out = xv.k === 's' ? arange(fl, xv) : copyOf(fl, xv as Val & { k: 'a' }, span);
  shuffleArray(fl, st, bounded, out, span);
  return out;
}

/** The probabilities p as a checked cdf (cumsum(p) / its last), NumPy's checks and messages (the caller releases it). */
function cdfOf(fl: FnLowerer, pE: A.Expr, pop: Expr, gen: 'mt' | 'pcg', span: Span): { data: Expr; desc: Expr } {
  const pv = fl.expr(pE) as Val & { k: 'a' };
  const p = pv.a, legacy = gen === 'mt';
  const err = (cond: Expr, text: string) => fl.emit(when(cond, [raise(fl, 'ValueError', text, span)]));
  err(bin('ne', 'i64', cvt('i32->i64', p.shape[0]), pop), legacy ? "'a' and 'p' must have same size" : 'a and p must have same size');
  const n = p.shape[0];
  const elem = (k: Expr) => convert(load(vtOf(p.dtype), memOf(p.dtype), add32(p.data, bin('shl', 'i32', mul32(k, p.strides[0]), i32(log2Size(p.dtype))))), p.dtype, 'float64');
  // Kahan's sum for the check, as NumPy; a plain running sum for the cdf, as cumsum.
  const sum = fl.fresh('psum', 'f64'), c = fl.fresh('pc', 'f64'), y = fl.fresh('py', 'f64'), t = fl.fresh('pt', 'f64'), neg = fl.fresh('pneg', 'i32');
  const k = fl.fresh('k', 'i32'), run = fl.fresh('run', 'f64');
  const cdf = fl.alloc('float64', [n], true);
  const g = (x: string) => get(x, 'f64');
  for (const [name, value] of [[sum, f64(0)], [c, f64(0)], [neg, i32(0)], [run, f64(0)]] as const) fl.emit({ k: 'set', name, value });
  fl.emit({ k: 'for', label: `cdf${fl.n++}`, v: k, t: 'i32', start: i32(0), stop: n, step: i32(1), body: [
    { k: 'set', name: y, value: elem(get(k, 'i32')) },
    { k: 'set', name: neg, value: bin('or', 'i32', get(neg, 'i32'), bin('lt', 'f64', g(y), f64(0))) },
    { k: 'set', name: run, value: bin('add', 'f64', g(run), g(y)) },
    { k: 'store', mem: 'f64', addr: at64(cdf.data, get(k, 'i32')), value: g(run) },
    when(un('eqz', 'i32', get(k, 'i32')), [{ k: 'set', name: sum, value: g(y) }], [
      { k: 'set', name: y, value: bin('sub', 'f64', g(y), g(c)) },
      { k: 'set', name: t, value: bin('add', 'f64', g(sum), g(y)) },
      { k: 'set', name: c, value: bin('sub', 'f64', bin('sub', 'f64', g(t), g(sum)), g(y)) },
      { k: 'set', name: sum, value: g(t) },
    ]),
  ] });
  err(bin('ne', 'f64', g(sum), g(sum)), legacy ? 'probabilities contain NaN' : 'Probabilities contain NaN');
  err(get(neg, 'i32'), legacy ? 'probabilities are not non-negative' : 'Probabilities are not non-negative');
  err(bin('gt', 'f64', un('abs', 'f64', bin('sub', 'f64', g(sum), f64(1))), f64(Math.sqrt(2 ** -52))),
    legacy ? 'probabilities do not sum to 1' : 'Probabilities do not sum to 1. See Notes section of docstring for more information.');
  const last = fl.tmp(load('f64', 'f64', at64(cdf.data, bin('sub', 'i32', n, i32(1)))), 'last');
  fl.emit({ k: 'for', label: `cdfn${fl.n++}`, v: k, t: 'i32', start: i32(0), stop: n, step: i32(1), body: [
    { k: 'store', mem: 'f64', addr: at64(cdf.data, get(k, 'i32')), value: bin('div', 'f64', load('f64', 'f64', at64(cdf.data, get(k, 'i32'))), last) },
  ] });
  return cdf;
}

/** searchsorted(cdf[0:n], u, side='right'): the number of entries <= u (binary search; cdf is non-decreasing). */
function searchRight(fl: FnLowerer, cdf: Expr, n: Expr, u: Expr): Stmt[] & { result: Expr } {
  const lo = fl.fresh('lo', 'i32'), hi = fl.fresh('hi', 'i32'), mid = fl.fresh('mid', 'i32');
  const g = (x: string) => get(x, 'i32');
  const stmts: Stmt[] = [
    { k: 'set', name: lo, value: i32(0) }, { k: 'set', name: hi, value: n },
    { k: 'while', label: `bs${fl.n++}`, cond: bin('lt_s', 'i32', g(lo), g(hi)), body: [
      { k: 'set', name: mid, value: bin('shr_u', 'i32', bin('add', 'i32', g(lo), g(hi)), i32(1)) },
      when(bin('le', 'f64', load('f64', 'f64', at64(cdf, g(mid))), u), [{ k: 'set', name: lo, value: bin('add', 'i32', g(mid), i32(1)) }], [{ k: 'set', name: hi, value: g(mid) }]),
    ] },
  ];
  return Object.assign(stmts, { result: cvt('i32->i64', g(lo)) });
}

/** Generator.choice(n, size, replace=False) indices: Floyd's algorithm or a tail shuffle, then a shuffle (see the header). */
function generatorSample(fl: FnLowerer, st: Expr, pop: Expr, count: Expr, idx: Expr, span: Span): void {
  const g64 = (x: string) => get(x, 'i64');
  const tailCond = bin('and', 'i32', bin('gt_s', 'i64', pop, i64(10000)), bin('gt_s', 'i64', count, bin('div_s', 'i64', pop, i64(50))));
  // Tail shuffle: arange(n), shuffle places n-1 down to max(n - size, 1), keep the last `size`.
  const tailBody = fl.block(() => {
    const n = cvt('i64->i32', pop), skip = cvt('i64->i32', bin('sub', 'i64', pop, count));
    const perm = fl.alloc('int64', [n], false);
    const k = fl.fresh('k', 'i32');
    fl.emit({ k: 'for', label: `ar${fl.n++}`, v: k, t: 'i32', start: i32(0), stop: n, step: i32(1), body: [
      { k: 'store', mem: 'i64', addr: at64(perm.data, get(k, 'i32')), value: cvt('i32->i64', get(k, 'i32')) },
    ] });
    const first = fl.tmp(select('i32', bin('gt_s', 'i32', skip, i32(1)), skip, i32(1)), 'first');
    shuffleArray(fl, st, R.pcgBounded, { k: 'a', a: perm, owned: false }, span, first);
    fl.emit({ k: 'for', label: `tail${fl.n++}`, v: k, t: 'i32', start: i32(0), stop: cvt('i64->i32', count), step: i32(1), body: [
      { k: 'store', mem: 'i64', addr: at64(idx, get(k, 'i32')), value: load('i64', 'i64', at64(perm.data, add32(get(k, 'i32'), skip))) },
    ] });
    fl.emit({ k: 'release', desc: perm.desc });
  });
  // Floyd: a hash set of the taken values, open addressing over the smallest 2^k >= 1.2 size places.
  const floydBody = fl.block(() => {
    const setSize = fl.tmp(cvt('f64->i64', bin('mul', 'f64', f64(1.2), cvt('i64->f64', count))), 'setsize');
    const mask = fl.tmp(select('i64', bin('eq', 'i64', setSize, i64(0)), i64(0), bin('shr_u', 'i64', i64(-1), un('clz', 'i64', setSize))), 'mask');
    const places = cvt('i64->i32', bin('add', 'i64', mask, i64(1)));
    const table = fl.alloc('int64', [places], false);
    const t = fl.fresh('t', 'i32');
    fl.emit({ k: 'for', label: `hs${fl.n++}`, v: t, t: 'i32', start: i32(0), stop: places, step: i32(1), body: [
      { k: 'store', mem: 'i64', addr: at64(table.data, get(t, 'i32')), value: i64(-1) },
    ] });
    const j = fl.fresh('j', 'i64'), val = fl.fresh('val', 'i64'), loc = fl.fresh('loc', 'i64');
    const slot = () => load('i64', 'i64', at64(table.data, cvt('i64->i32', g64(loc))));
    const probe = (cond: Expr): Stmt => ({ k: 'while', label: `pr${fl.n++}`, cond, body: [{ k: 'set', name: loc, value: bin('and', 'i64', bin('add', 'i64', g64(loc), i64(1)), mask) }] });
    const take = (v: Expr): Stmt[] => [
      { k: 'store', mem: 'i64', addr: at64(table.data, cvt('i64->i32', g64(loc))), value: v },
      { k: 'store', mem: 'i64', addr: at64(idx, cvt('i64->i32', bin('add', 'i64', bin('sub', 'i64', g64(j), pop), count))), value: v },
    ];
    fl.emit({ k: 'for', label: `floyd${fl.n++}`, v: j, t: 'i64', start: bin('sub', 'i64', pop, count), stop: pop, step: i64(1), body: [
      { k: 'set', name: val, value: call(R.pcgBounded, 'i64', st, i64(0), g64(j)) },
      { k: 'set', name: loc, value: bin('and', 'i64', g64(val), mask) },
      probe(bin('and', 'i32', bin('ne', 'i64', slot(), i64(-1)), bin('ne', 'i64', slot(), g64(val)))),
      when(bin('eq', 'i64', slot(), i64(-1)), take(g64(val)), [
        { k: 'set', name: loc, value: bin('and', 'i64', g64(j), mask) },
        probe(bin('ne', 'i64', slot(), i64(-1))),
        ...take(g64(j)),
      ]),
    ] });
    fl.emit({ k: 'release', desc: table.desc });
    // shuffle=True: the sample in random order (the tail shuffle's already is).
    shuffleArray(fl, st, R.pcgBounded, { k: 'a', a: { desc: i32(0), data: idx, shape: [cvt('i64->i32', count)], strides: [i32(1)], dtype: 'int64', ndim: 1 }, owned: false }, span);
  });
  fl.emit(when(tailCond, tailBody, floydBody));
}

/** choice(a, size, replace, p) of a RandomState or Generator. */
export function choice(fl: FnLowerer, st: Expr, gen: 'mt' | 'pcg', e: A.Call, given: Map<string, A.Expr>, t: Type): Val {
  const legacy = gen === 'mt';
  const aE = given.get('a')!;
  const av = fl.expr(aE);
  const pop = av.k === 'a' ? fl.tmp(cvt('i32->i64', av.a.shape[0])) : fl.tmp(convert((av as { e: Expr }).e, (av as { dtype: DType }).dtype, 'int64'));
  const rep = given.get('replace');
  const replace = !(rep?.kind === 'Bool' && !rep.value);
  const pE = given.get('p');
  const withP = pE !== undefined && pE.kind !== 'None';
  const sizeE = given.get('size');
  const shape = sizeE && sizeE.kind !== 'None' ? fl.shapeExprs(sizeE) : [];
  const count = fl.tmp(cvt('i32->i64', shape.reduce((acc: Expr, x) => mul32(acc, x), i32(1))), 'count');
  const empty = av.k === 'a'
    ? (legacy ? "'a' cannot be empty unless no samples are taken" : 'a cannot be empty unless no samples are taken')
    : (legacy ? 'a must be greater than 0 unless no samples are taken' : 'a must be a positive integer unless no samples are taken');
  fl.emit(when(bin('and', 'i32', bin('le_s', 'i64', pop, i64(0)), bin('gt_s', 'i64', count, i64(0))), [raise(fl, 'ValueError', empty, e.span)]));
  const cdf = withP ? cdfOf(fl, pE!, pop, gen, e.span) : null;
  const idx = fl.alloc('int64', [cvt('i64->i32', count)], true);
  if (replace) {
    if (cdf) {
      const n = cvt('i64->i32', pop);
      const u = fl.fresh('u', 'f64');
      const k = fl.fresh('k', 'i32');
      const search = searchRight(fl, cdf.data, n, get(u, 'f64'));
      fl.emit({ k: 'for', label: `pick${fl.n++}`, v: k, t: 'i32', start: i32(0), stop: cvt('i64->i32', count), step: i32(1), body: [
        { k: 'set', name: u, value: call(legacy ? R.mtDouble : R.pcgDouble, 'f64', st) },
        ...search,
        { k: 'store', mem: 'i64', addr: at64(idx.data, get(k, 'i32')), value: search.result },
      ] });
    } else {
      fill(fl, idx.data, [cvt('i64->i32', count)], 'int64', () => ({ e: call(legacy ? R.mtBounded : R.pcgBounded, 'i64', st, i64(0), bin('sub', 'i64', pop, i64(1))), dtype: 'int64' }));
    }
  } else {
    if (cdf) fl.emit(raise(fl, 'ValueError', 'choice without replacement and with p is not supported yet', e.span));
    fl.emit(when(bin('gt_s', 'i64', count, pop), [raise(fl, 'ValueError', legacy ? "Cannot take a larger sample than population when 'replace=False'" : 'Cannot take a larger sample than population when replace is False', e.span)]));
    if (legacy) {
      const perm = arange(fl, { k: 's', e: pop, dtype: 'int64' });
      shuffleArray(fl, st, R.mtBounded, perm, e.span);
      fl.copyInto({ ...idx }, { ...perm.a, shape: [cvt('i64->i32', count)] }, e.span);
    } else {
      generatorSample(fl, st, pop, count, idx.data, e.span);
    }
  }
  // The chosen elements (or the indices themselves, for choice(n)).
  const k = fl.fresh('k', 'i32');
  const d = t.kind === 'array' || t.kind === 'scalar' ? t.dtype : 'int64';
  const pick = (at: Expr): Expr => {
    const ix = load('i64', 'i64', at64(idx.data, at));
    if (av.k !== 'a') return ix;
    const a = av.a;
    return load(vtOf(a.dtype), memOf(a.dtype), add32(a.data, bin('shl', 'i32', mul32(cvt('i64->i32', ix), a.strides[0]), i32(log2Size(a.dtype)))));
  };
  const from: DType = av.k === 'a' ? av.a.dtype : 'int64';
  if (t.kind !== 'array') {
    const one = fl.tmp(convert(pick(i32(0)), from, d));
    fl.emit({ k: 'release', desc: idx.desc });
    if (cdf) fl.emit({ k: 'release', desc: cdf.desc });
    return { k: 's', e: one, dtype: d };
  }
  const out = fl.alloc(d, shape, true);
  fl.emit({ k: 'for', label: `pick${fl.n++}`, v: k, t: 'i32', start: i32(0), stop: cvt('i64->i32', count), step: i32(1), body: [
    { k: 'store', mem: memOf(d), addr: add32(out.data, bin('shl', 'i32', get(k, 'i32'), i32(log2Size(d)))), value: convert(pick(get(k, 'i32')), from, d) },
  ] });
  fl.emit({ k: 'release', desc: idx.desc });
  if (cdf) fl.emit({ k: 'release', desc: cdf.desc });
  return fl.ownedArray(out);
}
