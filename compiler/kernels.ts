// Array kernels written in the IR that lowering calls as helpers: NumPy's pairwise summation (SIMD
// leaves, parallel top of the tree) and the blocked, vectorized matrix product. They are IR, not
// hand-written wasm, so they are verified, printed by --dump=ir and outlined by the parallel pass
// like user code.
import type { Expr, Func, Local, Stmt, VT } from './ir.js';
import { add32, bin, call, cst, cvt, get, i32, load, mul32, select } from './ir-build.js';
import { LANES, extractLane, simd, splat, vload } from './vectorize.js';

type FT = 'f64' | 'f32';
const set = (name: string, value: Expr): Stmt => ({ k: 'set', name, value });
const g = (name: string, t: VT = 'i32') => get(name, t);
const when = (cond: Expr, then: Stmt[], els: Stmt[] = []): Stmt => ({ k: 'if', cond, then, else: els });
const ret = (...values: Expr[]): Stmt => ({ k: 'return', values });
const whileLoop = (label: string, cond: Expr, body: Stmt[]): Stmt => ({ k: 'while', label, cond, body });
const forLoop = (label: string, v: string, start: Expr, stop: Expr, step: Expr, body: Stmt[]): Stmt =>
  ({ k: 'for', label, v, t: 'i32', start, stop, step, body });
const locals = (t: VT, ...names: string[]): Local[] => names.map((name) => ({ name, t }));
const range = (n: number) => Array.from({ length: n }, (_v, i) => i);

/** The pairwise leaf and split sizes of NumPy (numpy/_core/src/umath/loops_utils.h.src). */
const PW_BLOCK = 128;
/**
 * Sums of at least this many elements compute the top PSUM_LEVELS levels of the pairwise tree in
 * parallel (see Note [Parallel pairwise sums]).
 */
export const PSUM_MIN = 1 << 17;
const PSUM_LEVELS = 6;

/**
 * `__pairwise_<t>(p, n, sb)`: NumPy's pairwise sum of n elements at p, sb bytes apart (see Note
 * [Pairwise sums] in lower/reductions.ts): blocks of up to 128 elements summed with 8 accumulators r0..r7,
 * larger ranges split in two at a multiple of 8. When the elements are contiguous the 8
 * accumulators are the lanes of 8/L vectors (4 f64x2 or 2 f32x4): lane j of vector k is r(kL+j),
 * and each vector add is the same 8 scalar additions in the same order, so the result is the same.
 * `__pairwise_dot_<t>(p, n, sb, q, sq)` is the same sum of the products p[i] * q[i]: NumPy's
 * sum(a * b) without the temporary array.
 */
export function pairwiseFunc(t: FT, dot = false): Func {
  const fn = dot ? `__pairwise_dot_${t}` : `__pairwise_${t}`;
  const size = t === 'f64' ? 8 : 4;
  const { n: L, shape } = LANES[t];
  const V = 8 / L;
  const at = (i: Expr) => {
    const x = load(t, t, add32(g('p'), mul32(i, g('sb'))));
    return dot ? bin('mul', t, x, load(t, t, add32(g('q'), mul32(i, g('sq'))))) : x;
  };
  const r = (j: number) => g(`r${j}`, t);
  const n = g('n'), iv = g('i');
  const seqTail = whileLoop('tail', bin('lt_s', 'i32', iv, n), [set('res', bin('add', t, g('res', t), at(iv))), set('i', add32(iv, i32(1)))]);
  const vat = (k: number) => {
    const off = add32(mul32(iv, i32(size)), i32(16 * k));
    const x = vload(add32(g('p'), off));
    return dot ? simd(`${shape}.mul`, 'v128', [x, vload(add32(g('q'), off))]) : x;
  };
  const contiguous = dot ? bin('and', 'i32', bin('eq', 'i32', g('sb'), i32(size)), bin('eq', 'i32', g('sq'), i32(size))) : bin('eq', 'i32', g('sb'), i32(size));
  const args = (p: Expr, cnt: Expr, off: Expr) => (dot
    ? [add32(g('p'), mul32(off, g('sb'))), cnt, g('sb'), add32(g('q'), mul32(off, g('sq'))), g('sq')]
    : [add32(p, mul32(off, g('sb'))), cnt, g('sb')]);
  const body: Stmt[] = [
    when(bin('lt_s', 'i32', n, i32(8)), [set('res', cst(t, -0)), set('i', i32(0)), seqTail, ret(g('res', t))]),
    when(bin('le_s', 'i32', n, i32(PW_BLOCK)), [
      set('m', bin('sub', 'i32', n, bin('rem_s', 'i32', n, i32(8)))),
      set('i', i32(0)),
      when(contiguous, [
        ...range(V).map((k) => set(`v${k}`, vat(k))),
        set('i', i32(8)),
        whileLoop('vblk', bin('lt_s', 'i32', iv, g('m')), [
          ...range(V).map((k) => set(`v${k}`, simd(`${shape}.add`, 'v128', [g(`v${k}`, 'v128'), vat(k)]))),
          set('i', add32(iv, i32(8))),
        ]),
        ...range(8).map((j) => set(`r${j}`, extractLane(t, g(`v${Math.floor(j / L)}`, 'v128'), j % L))),
      ], [
        ...range(8).map((j) => set(`r${j}`, at(i32(j)))),
        set('i', i32(8)),
        whileLoop('blk', bin('lt_s', 'i32', iv, g('m')), [
          ...range(8).map((j) => set(`r${j}`, bin('add', t, r(j), at(add32(iv, i32(j)))))),
          set('i', add32(iv, i32(8))),
        ]),
      ]),
      set('res', bin('add', t, bin('add', t, bin('add', t, r(0), r(1)), bin('add', t, r(2), r(3))), bin('add', t, bin('add', t, r(4), r(5)), bin('add', t, r(6), r(7))))),
      seqTail, ret(g('res', t)),
    ]),
    set('m', bin('div_s', 'i32', n, i32(2))),
    set('m', bin('sub', 'i32', g('m'), bin('rem_s', 'i32', g('m'), i32(8)))),
    ret(bin('add', t, call(fn, t, ...args(g('p'), g('m'), i32(0))), call(fn, t, ...args(g('p'), bin('sub', 'i32', n, g('m')), g('m'))))),
  ];
  return {
    name: fn, params: locals('i32', 'p', 'n', 'sb', ...(dot ? ['q', 'sq'] : [])), results: [t],
    locals: [...locals(t, ...range(8).map((j) => `r${j}`), 'res'), ...locals('i32', 'i', 'm'), ...locals('v128', ...range(V).map((k) => `v${k}`))], body,
  };
}

/**
 * `__psum_<t>(p, n, sb)`: the same sum as `__pairwise_<t>`, with the top of the tree in parallel.
 *
 * Note [Parallel pairwise sums]: the pairwise tree depends only on n, and its subtrees are
 * independent. For n >= PSUM_MIN the 2^PSUM_LEVELS subtrees at depth PSUM_LEVELS (each still far
 * above the 128-element leaves) are summed by a parfor, leaf k found by following the bits of k
 * from the root (0 = left half); then the partials are added pairwise, level by level, in the
 * tree's own order. So the result is bit-identical to the serial sum, and NumPy's, on any number of
 * threads. The loop has an explicit condition (always true), so the cost model never serializes it:
 * at this size the work is many fork-join round trips.
 */
export function psumFunc(t: FT, dot = false): Func {
  const fn = dot ? `__psum_dot_${t}` : `__psum_${t}`;
  const leaf = dot ? `__pairwise_dot_${t}` : `__pairwise_${t}`;
  const size = t === 'f64' ? 8 : 4;
  const leaves = 1 << PSUM_LEVELS;
  const slot = (i: Expr) => add32(g('buf'), mul32(i, i32(size)));
  const args = (off: Expr, cnt: Expr) => (dot
    ? [add32(g('p'), mul32(off, g('sb'))), cnt, g('sb'), add32(g('q'), mul32(off, g('sq'))), g('sq')]
    : [add32(g('p'), mul32(off, g('sb'))), cnt, g('sb')]);
  const body: Stmt[] = [
    when(bin('lt_s', 'i32', g('n'), i32(PSUM_MIN)), [ret(call(leaf, t, ...args(i32(0), g('n'))))]),
    set('buf', call('__malloc', 'i32', i32(leaves * size))),
    {
      k: 'parfor', label: 'leaves', v: 'k', t: 'i32', start: i32(0), stop: i32(leaves), step: i32(1),
      schedule: 'dynamic', chunk: null, numThreads: null, useIf: i32(1), reductions: [], line: 0,
      body: [
        set('off', i32(0)), set('len', g('n')), set('b', i32(PSUM_LEVELS - 1)),
        whileLoop('down', bin('ge_s', 'i32', g('b'), i32(0)), [
          set('m', bin('div_s', 'i32', g('len'), i32(2))),
          set('m', bin('sub', 'i32', g('m'), bin('rem_s', 'i32', g('m'), i32(8)))),
          when(bin('and', 'i32', bin('shr_u', 'i32', g('k'), g('b')), i32(1)),
            [set('off', add32(g('off'), g('m'))), set('len', bin('sub', 'i32', g('len'), g('m')))],
            [set('len', g('m'))]),
          set('b', bin('sub', 'i32', g('b'), i32(1))),
        ]),
        { k: 'store', mem: t, addr: slot(g('k')), value: call(leaf, t, ...args(g('off'), g('len'))) },
      ],
    },
    set('w', i32(leaves / 2)),
    whileLoop('up', bin('gt_s', 'i32', g('w'), i32(0)), [
      forLoop('pairs', 'i', i32(0), g('w'), i32(1), [
        { k: 'store', mem: t, addr: slot(g('i')), value: bin('add', t, load(t, t, slot(mul32(g('i'), i32(2)))), load(t, t, slot(add32(mul32(g('i'), i32(2)), i32(1))))) },
      ]),
      set('w', bin('shr_u', 'i32', g('w'), i32(1))),
    ]),
    set('res', load(t, t, g('buf'))),
    { k: 'expr', e: call('__free', null, g('buf')) },
    ret(g('res', t)),
  ];
  return {
    name: fn, params: locals('i32', 'p', 'n', 'sb', ...(dot ? ['q', 'sq'] : [])), results: [t],
    locals: [...locals('i32', 'buf', 'k', 'off', 'len', 'b', 'm', 'w', 'i'), ...locals(t, 'res')], body,
  };
}

// ---------------------------------------------------------------------------------------------
// min/max and argmin/argmax of contiguous elements.

/** Element types the min/max kernels take. */
export type RT = 'f64' | 'f32' | 'i64' | 'i32';
const SHAPE_OF: Record<RT, 'f64x2' | 'f32x4' | 'i64x2' | 'i32x4'> = { f64: 'f64x2', f32: 'f32x4', i64: 'i64x2', i32: 'i32x4' };
const SIZE_OF: Record<RT, number> = { f64: 8, f32: 4, i64: 8, i32: 4 };

/**
 * `__minmax_<op>_<t>(p, n)`: the min or max of n >= 1 contiguous elements at p, by the fold
 * acc = op(acc, x) of the scalar loop (op as the IR's min/max: a NaN wins, as in NumPy). Four
 * vector accumulators take 4L elements per iteration, so compares of different iterations overlap
 * instead of waiting on one chain; they are folded together and with the scalar tail at the end.
 * The order of the fold differs from the scalar loop's only in which of two equal values is kept
 * (0.0 against -0.0, or NaNs of different payloads), where NumPy's SIMD loops differ as well.
 */
export function minmaxFunc(op: 'min' | 'max', t: RT): Func {
  const shape = SHAPE_OF[t], size = SIZE_OF[t], L = 16 / size, step = 4 * L;
  const isF = t === 'f64' || t === 'f32';
  const pick = (acc: Expr, x: Expr): Expr => {
    if (t === 'i32') return simd(`i32x4.${op}_s`, 'v128', [acc, x]);
    const beyond = simd(`${shape}.${isF ? op === 'max' ? 'gt' : 'lt' : op === 'max' ? 'gt_s' : 'lt_s'}`, 'v128', [acc, x]);
    return simd('v128.bitselect', 'v128', [acc, x, isF ? simd('v128.or', 'v128', [beyond, simd(`${shape}.ne`, 'v128', [acc, acc])]) : beyond]);
  };
  const at = (i: Expr) => load(t, t, add32(g('p'), mul32(i, i32(size))));
  const vat = (k: number) => vload(add32(g('p'), add32(mul32(g('i'), i32(size)), i32(16 * k))));
  const v = (k: number) => g(`v${k}`, 'v128');
  const body: Stmt[] = [
    set('r', at(i32(0))), set('i', i32(1)),
    when(bin('ge_s', 'i32', g('n'), i32(2 * step)), [
      set('i', i32(0)),
      ...range(4).map((k) => set(`v${k}`, vat(k))),
      set('i', i32(step)),
      set('m', bin('sub', 'i32', g('n'), bin('rem_s', 'i32', g('n'), i32(step)))),
      whileLoop('vmm', bin('lt_s', 'i32', g('i'), g('m')), [
        ...range(4).map((k) => set(`v${k}`, pick(v(k), vat(k)))),
        set('i', add32(g('i'), i32(step))),
      ]),
      set('v0', pick(pick(v(0), v(1)), pick(v(2), v(3)))),
      set('r', simd(`${shape}.extract_lane`, t, [v(0)], 0)),
      ...range(L - 1).map((j) => set('r', bin(op, t, g('r', t), simd(`${shape}.extract_lane`, t, [v(0)], j + 1)))),
    ]),
    whileLoop('tail', bin('lt_s', 'i32', g('i'), g('n')), [set('r', bin(op, t, g('r', t), at(g('i')))), set('i', add32(g('i'), i32(1)))]),
    ret(g('r', t)),
  ];
  return {
    name: `__minmax_${op}_${t}`, params: locals('i32', 'p', 'n'), results: [t],
    locals: [...locals(t, 'r'), ...locals('i32', 'i', 'm'), ...locals('v128', 'v0', 'v1', 'v2', 'v3')], body,
  };
}

/**
 * `__first_<t>(p, n, x)`: the first i < n with p[i] == x, or with p[i] a NaN when x is one; -1 if
 * none. With __minmax it makes argmin/argmax: the first occurrence of the extreme, as NumPy's.
 */
export function firstFunc(t: RT): Func {
  const shape = SHAPE_OF[t], size = SIZE_OF[t], L = 16 / size;
  const isF = t === 'f64' || t === 'f32';
  const at = (i: Expr) => load(t, t, add32(g('p'), mul32(i, i32(size))));
  const xv = g('xv', 'v128');
  const hitV = (y: Expr): Expr => (isF
    ? simd('v128.or', 'v128', [simd(`${shape}.eq`, 'v128', [y, xv]), simd('v128.and', 'v128', [simd(`${shape}.ne`, 'v128', [y, y]), simd(`${shape}.ne`, 'v128', [xv, xv])])])
    : simd(`${shape}.eq`, 'v128', [y, xv]));
  const hit = (y: Expr): Expr => (isF ? bin('or', 'i32', bin('eq', t, y, g('x', t)), bin('and', 'i32', bin('ne', t, y, y), bin('ne', t, g('x', t), g('x', t)))) : bin('eq', t, y, g('x', t)));
  const body: Stmt[] = [
    set('xv', simd(`${shape}.splat`, 'v128', [g('x', t)])),
    set('i', i32(0)),
    set('m', bin('sub', 'i32', g('n'), bin('rem_s', 'i32', g('n'), i32(L)))),
    // Whole vectors until one holds a hit; the scalar scan then finds which lane.
    whileLoop('vfind', bin('and', 'i32', bin('lt_s', 'i32', g('i'), g('m')), bin('eq', 'i32', simd('v128.any_true', 'i32', [hitV(vload(add32(g('p'), mul32(g('i'), i32(size)))))]), i32(0))), [
      set('i', add32(g('i'), i32(L))),
    ]),
    whileLoop('find', bin('lt_s', 'i32', g('i'), g('n')), [
      set('y', at(g('i'))),
      when(hit(g('y', t)), [ret(g('i'))]),
      set('i', add32(g('i'), i32(1))),
    ]),
    ret(i32(-1)),
  ];
  return {
    name: `__first_${t}`, params: [...locals('i32', 'p', 'n'), ...locals(t, 'x')], results: ['i32'],
    locals: [...locals(t, 'y'), ...locals('i32', 'i', 'm'), ...locals('v128', 'xv')], body,
  };
}

// ---------------------------------------------------------------------------------------------
// Matrix product.
//
// Note [Blocked matmul]: C (M x N, zero-filled) += A (M x K) B (K x N), every matrix with unit
// column stride and a row stride in elements (lda, ldb, ldc). `__matmul_<t>` cuts the rows into
// blocks of MM_MB and runs them as a parfor (explicitly parallel when M*N*K is big enough to pay for
// a fork); `__mm_block_<t>` walks one row block by panels of MM_KC of the k range and MM_NC columns,
// calling the register-tile kernel `__mm_tile<r>_<t>`, which keeps an r x 2L tile of C in 2r
// vectors (L lanes) and adds A[i,k] * B[k, j..j+2L) for each k of the panel. Columns that do not
// fill a tile and rows below a multiple of 4 take the 1-row kernel or a scalar loop. Every C[i,j] is
// still the sum over k in increasing order, as in the naive loop, so the result does not depend on
// the blocking or the number of threads (NumPy's BLAS sums in another order: the oracle allows it).
// The whole-tile columns of B are first packed tile by tile ([tile][k][2L], contiguous), so the
// kernel reads B sequentially instead of one row (a page apart for big n) per k.
const MM_MB = 32;
const MM_KC = 256;
const MM_NC = 128;
/** Products with fewer multiply-adds run on one thread. */
const MM_PAR_MIN = 1 << 18;

/** `__mm_tile<rows>_<t>(a, b, c, kc, sa, sb, sc)`: the register tile, strides in bytes. */
export function mmTileFunc(t: FT, rows: number): Func {
  const { shape } = LANES[t];
  const size = t === 'f64' ? 8 : 4;
  const acc = (r: number, h: number) => `c${r}${h}`;
  const cAddr = (r: number, h: number) => add32(add32(g('c'), mul32(i32(r), g('sc'))), i32(16 * h));
  const body: Stmt[] = [
    ...range(rows).flatMap((r) => [0, 1].map((h) => set(acc(r, h), vload(cAddr(r, h))))),
    forLoop('k', 'k', i32(0), g('kc'), i32(1), [
      set('b0', vload(g('b'))), set('b1', vload(add32(g('b'), i32(16)))),
      ...range(rows).flatMap((r) => [
        set('x', splat(t, load(t, t, add32(g('a'), mul32(i32(r), g('sa')))))),
        ...[0, 1].map((h) => set(acc(r, h), simd(`${shape}.add`, 'v128', [g(acc(r, h), 'v128'), simd(`${shape}.mul`, 'v128', [g('x', 'v128'), g(`b${h}`, 'v128')])]))),
      ]),
      set('a', add32(g('a'), i32(size))),
      set('b', add32(g('b'), g('sb'))),
    ]),
    ...range(rows).flatMap((r) => [0, 1].map((h): Stmt => ({ k: 'store', mem: 'v128', addr: cAddr(r, h), value: g(acc(r, h), 'v128') }))),
  ];
  return {
    name: `__mm_tile${rows}_${t}`, params: locals('i32', 'a', 'b', 'c', 'kc', 'sa', 'sb', 'sc'), results: [],
    locals: [...locals('i32', 'k'), ...locals('v128', 'b0', 'b1', 'x', ...range(rows).flatMap((r) => [acc(r, 0), acc(r, 1)]))], body,
  };
}

/** `__mm_block_<t>(A, B, Bp, C, N, K, lda, ldb, ldc, i0, i1)`: rows i0..i1 of C (see Note [Blocked matmul]); Bp is the packed B. */
export function mmBlockFunc(t: FT): Func {
  const size = t === 'f64' ? 8 : 4;
  const W = 2 * LANES[t].n;
  const el = (base: string, row: Expr, ld: string, col: Expr) => add32(g(base), mul32(add32(mul32(row, g(ld)), col), i32(size)));
  const min = (a: Expr, b: Expr) => select('i32', bin('lt_s', 'i32', a, b), a, b);
  // Packed B: tile j/W holds K rows of W elements.
  const packed = add32(g('Bp'), mul32(add32(mul32(bin('div_s', 'i32', g('j'), i32(W)), g('K')), g('k0')), i32(W * size)));
  const tile = (rows: number, i: Expr): Stmt => ({ k: 'expr', e: call(`__mm_tile${rows}_${t}`, null,
    el('A', i, 'lda', g('k0')), packed, el('C', i, 'ldc', g('j')),
    bin('sub', 'i32', g('k1'), g('k0')), mul32(g('lda'), i32(size)), i32(W * size), mul32(g('ldc'), i32(size))) });
  const body: Stmt[] = [
    // Columns that fill whole tiles.
    set('nw', bin('sub', 'i32', g('N'), bin('rem_s', 'i32', g('N'), i32(W)))),
    forLoop('kb', 'k0', i32(0), g('K'), i32(MM_KC), [
      set('k1', min(add32(g('k0'), i32(MM_KC)), g('K'))),
      forLoop('jb', 'j0', i32(0), g('nw'), i32(MM_NC), [
        set('j1', min(add32(g('j0'), i32(MM_NC)), g('nw'))),
        set('i', g('i0')),
        whileLoop('rows4', bin('le_s', 'i32', add32(g('i'), i32(4)), g('i1')), [
          forLoop('cols4', 'j', g('j0'), g('j1'), i32(W), [tile(4, g('i'))]),
          set('i', add32(g('i'), i32(4))),
        ]),
        whileLoop('rows1', bin('lt_s', 'i32', g('i'), g('i1')), [
          forLoop('cols1', 'j', g('j0'), g('j1'), i32(W), [tile(1, g('i'))]),
          set('i', add32(g('i'), i32(1))),
        ]),
      ]),
    ]),
    // The remaining columns, one element at a time, k in order.
    forLoop('ri', 'i', g('i0'), g('i1'), i32(1), [
      forLoop('rj', 'j', g('nw'), g('N'), i32(1), [
        set('s', load(t, t, el('C', g('i'), 'ldc', g('j')))),
        forLoop('rk', 'k0', i32(0), g('K'), i32(1), [
          set('s', bin('add', t, g('s', t), bin('mul', t, load(t, t, el('A', g('i'), 'lda', g('k0'))), load(t, t, el('B', g('k0'), 'ldb', g('j')))))),
        ]),
        { k: 'store', mem: t, addr: el('C', g('i'), 'ldc', g('j')), value: g('s', t) },
      ]),
    ]),
  ];
  return {
    name: `__mm_block_${t}`, params: locals('i32', 'A', 'B', 'Bp', 'C', 'N', 'K', 'lda', 'ldb', 'ldc', 'i0', 'i1'), results: [],
    locals: [...locals('i32', 'nw', 'k0', 'k1', 'j0', 'j1', 'i', 'j'), ...locals(t, 's')], body,
  };
}

/** `__matmul_<t>(A, B, C, M, N, K, lda, ldb, ldc)`: row blocks on the team (see Note [Blocked matmul]). */
export function matmulFunc(t: FT): Func {
  const size = t === 'f64' ? 8 : 4;
  const W = 2 * LANES[t].n;
  const body: Stmt[] = [
    set('nw', bin('sub', 'i32', g('N'), bin('rem_s', 'i32', g('N'), i32(W)))),
    set('Bp', call('__malloc', 'i32', mul32(mul32(g('K'), g('nw')), i32(size)))),
    set('q', g('Bp')),
    forLoop('pj', 'j', i32(0), g('nw'), i32(W), [
      forLoop('pk', 'k', i32(0), g('K'), i32(1), [
        set('src', add32(g('B'), mul32(add32(mul32(g('k'), g('ldb')), g('j')), i32(size)))),
        { k: 'store', mem: 'v128', addr: g('q'), value: vload(g('src')) },
        { k: 'store', mem: 'v128', addr: add32(g('q'), i32(16)), value: vload(add32(g('src'), i32(16))) },
        set('q', add32(g('q'), i32(W * size))),
      ]),
    ]),
  {
    k: 'parfor', label: 'rowblocks', v: 'ib', t: 'i32', start: i32(0), stop: bin('div_s', 'i32', add32(g('M'), i32(MM_MB - 1)), i32(MM_MB)), step: i32(1),
    schedule: 'dynamic', chunk: null, numThreads: null, line: 0, reductions: [],
    useIf: bin('ge_s', 'i64', bin('mul', 'i64', bin('mul', 'i64', cvt('i32->i64', g('M')), cvt('i32->i64', g('N'))), cvt('i32->i64', g('K'))), { k: 'const', t: 'i64', v: BigInt(MM_PAR_MIN) }),
    body: [
      set('i0', mul32(g('ib'), i32(MM_MB))),
      set('i1', add32(g('i0'), i32(MM_MB))),
      set('i1', select('i32', bin('lt_s', 'i32', g('M'), g('i1')), g('M'), g('i1'))),
      { k: 'expr', e: call(`__mm_block_${t}`, null, g('A'), g('B'), g('Bp'), g('C'), g('N'), g('K'), g('lda'), g('ldb'), g('ldc'), g('i0'), g('i1')) },
    ],
  },
    { k: 'expr', e: call('__free', null, g('Bp')) },
  ];
  return { name: `__matmul_${t}`, params: locals('i32', 'A', 'B', 'C', 'M', 'N', 'K', 'lda', 'ldb', 'ldc'), results: [], locals: locals('i32', 'ib', 'i0', 'i1', 'nw', 'Bp', 'q', 'j', 'k', 'src'), body };
}

/** The functions `__matmul_<t>` needs, itself first. */
export function matmulFuncs(t: FT): Func[] {
  return [matmulFunc(t), mmBlockFunc(t), mmTileFunc(t, 4), mmTileFunc(t, 1)];
}
