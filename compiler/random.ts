// NumPy's random streams, bit for bit, as IR functions that lowering calls (issue 18): the legacy
// `RandomState` (MT19937: `np.random.seed`, `random_sample`, `randn`, `randint`, `uniform`, `normal`)
// and `default_rng(seed)`'s `Generator` (PCG64 seeded by SeedSequence: `random`, `integers`,
// `standard_normal`, `normal`, `uniform`). Every function takes the address of a generator's state
// in linear memory, so the lowering keeps one state per generator object (and per thread).
// `randomLibrary(tables)` returns them all (a module includes them once; Binaryen drops the unused
// ones), `RANDOM_IMPORTS` the native math functions they call, `zigguratTables()` the bytes the
// caller places at `tables` (static data, ZIG.size bytes, 8-aligned).
//
// Note [MT19937 state] (MT.size = 2512 bytes, 8-aligned):
//   MT.key       0     624 x u32, the Mersenne Twister's words
//   MT.pos       2496  i32, index of the next word (624: regenerate first)
//   MT.hasGauss  2500  i32, 1 when `gauss` holds the second value of the last polar pair
//   MT.gauss     2504  f64, that cached value (RandomState's `has_gauss`/`gauss`)
// Seeding (`np.random.seed(s)` and `RandomState(s)` for an int 0 <= s < 2**32, else ValueError
// "Seed must be between 0 and 2**32 - 1"): NumPy's legacy path,
// `_legacy_seeding` -> `mt19937_seed`, which is Knuth's init_genrand recurrence on s itself
// (key[0] = s, key[i] = 1812433253 * (key[i-1] ^ key[i-1] >> 30) + i), pos = 624, and the gauss
// cache cleared. It is NOT init_by_array: that is the path for an array seed (`seed([1, 2, 3])`,
// `__mt_seed_array`), and `seed(0)` differs from `seed([0])`. Outputs: the tempered 32-bit word;
// 64 bits = (first << 32) | second; a double = ((w1 >> 5) * 2^26 + (w2 >> 6)) / 2^53.
//
// Note [PCG64 state] (PCG.size = 48 bytes, 8-aligned):
//   PCG.stateLo 0, PCG.stateHi 8   u64 halves of the 128-bit LCG state
//   PCG.incLo  16, PCG.incHi  24   u64 halves of the (odd) 128-bit increment
//   PCG.hasUint32 32               i32, 1 when `uinteger` holds the high half of the last 64-bit output
//   PCG.uinteger  36               u32, that half (PCG64's `next_uint32` buffer; see below)
//   PCG.scratch   40               8 bytes used while seeding (the seed's 32-bit words)
// Step: state = state * 0x2360ed051fc65da44385df649fccf645 + inc (mod 2^128), then the output is
// rotr64(hi ^ lo, hi >> 58) of the new state. Seeding (`default_rng(s)`, `PCG64(s)`; a negative s
// is ValueError "expected non-negative integer"):
// SeedSequence(s) — the int split into 32-bit words, low first (0 is one word [0]), hashed into a
// pool of 4 words — then generate_state(4, uint64): 8 words from the pool read as 4 u64 (little
// endian pairs); seed = (w[0] << 64) | w[1], inc = (w[2] << 64) | w[3]; then PCG's srandom:
// state = 0, inc = (inc << 1) | 1, step, state += seed, step; the uint32 buffer cleared.
// `__pcg_seed_words` takes the entropy words from memory, for the spawn keys of per-thread streams
// later: child k of SeedSequence(s).spawn(...) is SeedSequence(words = s's words padded with zeros
// to 4, then k), so Generator(PCG64(child)) is `__pcg_seed_words` of [s0, 0, 0, 0, k] for s < 2**32
// (tested for SeedSequence(42).spawn(2)[1]).
//
// What lowering must know:
//  - Bounded integers are on the closed interval [off, off + rng] with rng an unsigned 64-bit
//    range: randint(low, high) / integers(low, high) is off = low, rng = high - 1 - low (after
//    checking low < high: NumPy raises ValueError "low >= high"); integers(..., endpoint=True) is
//    rng = high - low (ValueError "low > high" when it is negative). rng = 0 returns off WITHOUT drawing. rng < 2^32 uses the 32-bit path
//    (one next_uint32 per try, rng = 2^32 - 1: one next_uint32, no rejection); larger ranges the
//    64-bit one (rng = 2^64 - 1: one next_uint64). RandomState uses masked rejection (mask = the
//    smallest 2^k - 1 >= rng; draw & mask until <= rng); Generator uses Lemire's multiply-shift
//    with rejection. dtype int32 (randint(..., dtype=np.int32)) draws exactly what the 32-bit
//    path draws. An array fill draws element after element exactly as scalar calls do.
//  - PCG64's next_uint32 is buffered: one 64-bit output gives two 32-bit ones, low half first;
//    the buffer is part of the state and survives other calls (random() between two integers(0, 10)
//    does not clear it), so Generator.integers with a small range consumes half an output per try.
//    MT19937's next_uint32 is one word, unbuffered.
//  - RandomState's normals (randn, standard_normal, normal) use the polar method and cache the
//    second value of each pair in the state: only `seed` clears the cache; random_sample/randint
//    between two randn calls do not. normal(loc, scale) = loc + scale * gauss; uniform(low, high) =
//    low + (high - low) * double (NumPy raises OverflowError when high - low is not finite).
//  - Generator's standard_normal is NumPy's 256-layer ziggurat (Note [Ziggurat tables]); normal is
//    loc + scale * standard_normal; uniform as above; random() = (next_uint64 >> 11) / 2^53.
//  - The only C-library calls: log in the polar method (every legacy normal pair), log1p/exp in
//    the ziggurat's tail and wedges. Here they are mathlib-wasm's native log/log1p/exp, so normals
//    can differ from NumPy's in the last bits where the two libraries round differently: glibc's
//    log is not correctly rounded for ~0.08% of the polar method's arguments (mathlib-wasm's is
//    nearly always), which shows in ~0.03% of RandomState's normals, each exactly the value a log
//    one ulp away gives (<= 2 ulps of the result: sqrt, then the product, can double the ulp);
//    Generator's normals differ in ~3 per 10^6 (tail values, log1p), by one ulp. NumPy's own
//    values vary likewise between platforms' libms. Uniform doubles and integers never call libm
//    and are bit-exact. (test/random.test.ts measures all this against NumPy.)
//  - Aliases: rand/random/ranf/sample are random_sample; RandomState.shuffle/permutation draw
//    j = random_interval(i), which is `__mt_bounded(st, 0, i)` (same mask, same 32/64-bit choice).
import type { Expr, Func, Import, Local, Mem, Stmt, VT } from './ir.js';
import { bin, call, cvt, f64, get, i32, i64, select, un } from './ir-build.js';
import { mathFn, NATIVE_MATH } from './mathlib-wasm.js';

/** Byte offsets in a legacy RandomState (MT19937) state: Note [MT19937 state]. */
export const MT = { key: 0, pos: 2496, hasGauss: 2500, gauss: 2504, size: 2512 } as const;
/** Byte offsets in a Generator (PCG64) state: Note [PCG64 state]. */
export const PCG = { stateLo: 0, stateHi: 8, incLo: 16, incHi: 24, hasUint32: 32, uinteger: 36, scratch: 40, size: 48 } as const;
/** Byte offsets of the ziggurat tables (256 entries each): the normal's ki u64, wi f64, fi f64, the exponential's ke u64, we f64, fe f64. */
export const ZIG = { ki: 0, wi: 2048, fi: 4096, ke: 6144, we: 8192, fe: 10240, size: 12288 } as const;

/** The library's function names (all are internal: `__` names, not exported). */
export const RANDOM_FUNCS = {
  mtSeed: '__mt_seed', mtSeedArray: '__mt_seed_array', mtGen: '__mt_gen', mtNext32: '__mt_next32', mtNext64: '__mt_next64',
  mtDouble: '__mt_double', mtGauss: '__mt_gauss', mtNormal: '__mt_normal', mtUniform: '__mt_uniform',
  mtBounded: '__mt_bounded', mtRandint: '__mt_randint',
  seedSeqPool: '__seedseq_pool', pcgSeed: '__pcg_seed', pcgSeedWords: '__pcg_seed_words', pcgNext64: '__pcg_next64',
  pcgNext32: '__pcg_next32', pcgDouble: '__pcg_double', pcgBounded: '__pcg_bounded', pcgInterval: '__pcg_interval', pcgFloat: '__pcg_float', pcgIntegers: '__pcg_integers',
  pcgStandardNormal: '__pcg_standard_normal', pcgNormal: '__pcg_normal', pcgUniform: '__pcg_uniform',
} as const;

const LOG = mathFn('log', 'f64')!.name;
const LOG1P = mathFn('log1p', 'f64')!.name;
const EXP = mathFn('exp', 'f64')!.name;
/** The native math functions the library calls; add them to Program.imports (names are mathlib-wasm's). */
export const RANDOM_IMPORTS: readonly Import[] = [LOG, LOG1P, EXP].map((name) => ({ name, module: NATIVE_MATH, base: name, params: ['f64'], result: 'f64' }));

// ---------------------------------------------------------------------------------------------
// IR shorthands.

export const c32 = (v: number): Expr => i32(v | 0);
export const c64 = (v: bigint | number): Expr => i64(BigInt.asIntN(64, BigInt(v)));
export const g32 = (n: string) => get(n, 'i32');
export const g64 = (n: string) => get(n, 'i64');
export const gf = (n: string) => get(n, 'f64');
export const b32 = (op: Parameters<typeof bin>[0], a: Expr, b: Expr) => bin(op, 'i32', a, b);
export const b64 = (op: Parameters<typeof bin>[0], a: Expr, b: Expr) => bin(op, 'i64', a, b);
export const bf = (op: Parameters<typeof bin>[0], a: Expr, b: Expr) => bin(op, 'f64', a, b);
export const u64 = (e: Expr) => cvt('u32->i64', e);
export const wrap = (e: Expr) => cvt('i64->i32', e);
export const ld = (t: VT, addr: Expr, offset = 0): Expr => ({ k: 'load', t, mem: t as Mem, addr, offset });
export const st = (t: VT, addr: Expr, offset: number, value: Expr): Stmt => ({ k: 'store', mem: t as Mem, addr, value, offset });
export const set = (name: string, value: Expr): Stmt => ({ k: 'set', name, value });
export const when = (cond: Expr, then: Stmt[], els: Stmt[] = []): Stmt => ({ k: 'if', cond, then, else: els });
export const ret = (...values: Expr[]): Stmt => ({ k: 'return', values });
/** `while (1)`: left by `return` or `break label`. */
export const loop = (label: string, body: Stmt[]): Stmt => ({ k: 'while', label, cond: c32(1), body });
export const brk = (label: string): Stmt => ({ k: 'break', label });
export const forRange = (label: string, v: string, start: Expr, stop: Expr, body: Stmt[]): Stmt =>
  ({ k: 'for', label, v, t: 'i32', start, stop, step: c32(1), body });
export const locals = (t: VT, ...names: string[]): Local[] => names.map((name) => ({ name, t }));
/** A function; `locs` may name a local twice (the inlined draws share theirs). */
export const fn = (name: string, params: Local[], results: VT[], locs: Local[], body: Stmt[]): Func =>
  ({ name, params, results, locals: locs.filter((l, i) => locs.findIndex((m) => m.name === l.name) === i), body });
export const ST = locals('i32', 'st');
export const S = g32('st');
const M32 = 0xffffffffn;

/** out = the high 64 bits of the unsigned 128-bit product a * b, from 32-bit pieces (wasm has no i64 mul_hi). a, b: pure expressions. */
function mulhi(out: string, a: Expr, b: Expr, p: string): Stmt[] {
  const lo = (e: Expr) => b64('and', e, c64(M32)), hi = (e: Expr) => b64('shr_u', e, c64(32));
  return [
    set(`${p}a0`, lo(a)), set(`${p}a1`, hi(a)), set(`${p}b0`, lo(b)), set(`${p}b1`, hi(b)),
    set(`${p}t`, b64('add', b64('mul', g64(`${p}a1`), g64(`${p}b0`)), hi(b64('mul', g64(`${p}a0`), g64(`${p}b0`))))),
    set(`${p}w`, b64('add', lo(g64(`${p}t`)), b64('mul', g64(`${p}a0`), g64(`${p}b1`)))),
    set(out, b64('add', b64('add', b64('mul', g64(`${p}a1`), g64(`${p}b1`)), hi(g64(`${p}t`))), hi(g64(`${p}w`)))),
  ];
}
const mulhiLocals = (p: string) => locals('i64', `${p}a0`, `${p}a1`, `${p}b0`, `${p}b1`, `${p}t`, `${p}w`);

// ---------------------------------------------------------------------------------------------
// MT19937 and the legacy RandomState distributions.

const N = 624, M = 397;
const MATRIX_A = 0x9908b0df, UPPER = 0x80000000, LOWER = 0x7fffffff;

/** `__mt_seed(st, seed)`: np.random.seed(seed) for 0 <= seed < 2**32 (seed as u32). */
function mtSeed(): Func {
  const x = g32('x');
  return fn(RANDOM_FUNCS.mtSeed, [...ST, ...locals('i32', 'seed')], [], locals('i32', 'x', 'i'), [
    set('x', g32('seed')),
    st('i32', S, MT.key, x),
    forRange('init', 'i', c32(1), c32(N), [
      set('x', b32('add', b32('mul', c32(1812433253), b32('xor', x, b32('shr_u', x, c32(30)))), g32('i'))),
      st('i32', b32('add', S, b32('shl', g32('i'), c32(2))), MT.key, x),
    ]),
    st('i32', S, MT.pos, c32(N)), st('i32', S, MT.hasGauss, c32(0)), st('f64', S, MT.gauss, f64(0)),
  ]);
}

/** `__mt_seed_array(st, words, n)`: np.random.seed(array of n >= 1 uint32 words at `words`): init_by_array. */
function mtSeedArray(): Func {
  const key = (i: Expr) => b32('add', S, b32('shl', i, c32(2)));
  const i = g32('i'), j = g32('j'), prev = ld('i32', key(b32('sub', i, c32(1))), MT.key);
  const mixPrev = (mul: number) => b32('xor', ld('i32', key(i), MT.key), b32('mul', b32('xor', prev, b32('shr_u', prev, c32(30))), c32(mul)));
  const advance: Stmt[] = [
    set('i', b32('add', i, c32(1))),
    when(b32('ge_s', i, c32(N)), [st('i32', S, MT.key, ld('i32', S, MT.key + 4 * (N - 1))), set('i', c32(1))]),
  ];
  return fn(RANDOM_FUNCS.mtSeedArray, [...ST, ...locals('i32', 'words', 'n')], [], locals('i32', 'i', 'j', 'k'), [
    { k: 'expr', e: call(RANDOM_FUNCS.mtSeed, null, S, c32(19650218)) },
    set('i', c32(1)), set('j', c32(0)),
    set('k', select('i32', b32('gt_s', c32(N), g32('n')), c32(N), g32('n'))),
    { k: 'while', label: 'mix1', cond: b32('ne', g32('k'), c32(0)), body: [
      st('i32', key(i), MT.key, b32('add', b32('add', mixPrev(1664525), ld('i32', b32('add', g32('words'), b32('shl', j, c32(2))))), j)),
      ...advance,
      set('j', b32('add', j, c32(1))),
      when(b32('ge_s', j, g32('n')), [set('j', c32(0))]),
      set('k', b32('sub', g32('k'), c32(1))),
    ] },
    set('k', c32(N - 1)),
    { k: 'while', label: 'mix2', cond: b32('ne', g32('k'), c32(0)), body: [
      st('i32', key(i), MT.key, b32('sub', mixPrev(1566083941), i)),
      ...advance,
      set('k', b32('sub', g32('k'), c32(1))),
    ] },
    st('i32', S, MT.key, c32(UPPER)),
    st('i32', S, MT.pos, c32(N)), st('i32', S, MT.hasGauss, c32(0)), st('f64', S, MT.gauss, f64(0)),
  ]);
}

/** `__mt_gen(st)`: the next 624 words (the twist), pos = 0. */
function mtGen(): Func {
  const p = g32('p'), y = g32('y');
  const twist = (y: Expr) => b32('xor', b32('shr_u', y, c32(1)), select('i32', b32('and', y, c32(1)), c32(MATRIX_A), c32(0)));
  const yOf = (a: Expr, b: Expr) => set('y', b32('or', b32('and', a, c32(UPPER)), b32('and', b, c32(LOWER))));
  const at = (i: Expr) => b32('add', S, b32('shl', i, c32(2)));
  return fn(RANDOM_FUNCS.mtGen, ST, [], locals('i32', 'i', 'p', 'y'), [
    forRange('lo', 'i', c32(0), c32(N - M), [
      set('p', at(g32('i'))),
      yOf(ld('i32', p, MT.key), ld('i32', p, MT.key + 4)),
      st('i32', p, MT.key, b32('xor', ld('i32', p, MT.key + 4 * M), twist(y))),
    ]),
    forRange('hi', 'i', c32(N - M), c32(N - 1), [
      set('p', at(g32('i'))),
      yOf(ld('i32', p, MT.key), ld('i32', p, MT.key + 4)),
      st('i32', p, MT.key, b32('xor', ld('i32', b32('sub', p, c32(4 * (N - M))), MT.key), twist(y))),
    ]),
    yOf(ld('i32', S, MT.key + 4 * (N - 1)), ld('i32', S, MT.key)),
    st('i32', S, MT.key + 4 * (N - 1), b32('xor', ld('i32', S, MT.key + 4 * (M - 1)), twist(y))),
    st('i32', S, MT.pos, c32(0)),
  ]);
}

// Note [Inlined draws]: each generator's step is a statement sequence (`mtWord`, `mtDraw`,
// `pcgWord64`, `pcgWord32`) included by every function that draws, rather than a call: Binaryen
// does not inline functions this size, and a wasm call per word costs as much as the word.

/** out (i32) = the next tempered MT19937 word; locals: mtWordLocals(out). */
function mtWord(out: string): Stmt[] {
  const y = g32(out);
  const xs = (e: Expr) => set(out, b32('xor', y, e));
  return [
    set('pos', ld('i32', S, MT.pos)),
    when(b32('ge_s', g32('pos'), c32(N)), [{ k: 'expr', e: call(RANDOM_FUNCS.mtGen, null, S) }, set('pos', c32(0))]),
    set(out, ld('i32', b32('add', S, b32('shl', g32('pos'), c32(2))), MT.key)),
    st('i32', S, MT.pos, b32('add', g32('pos'), c32(1))),
    xs(b32('shr_u', y, c32(11))),
    xs(b32('and', b32('shl', y, c32(7)), c32(0x9d2c5680))),
    xs(b32('and', b32('shl', y, c32(15)), c32(0xefc60000))),
    xs(b32('shr_u', y, c32(18))),
  ];
}
const mtWordLocals = (...outs: string[]) => locals('i32', 'pos', ...outs);

/** out (f64) = random_sample() = ((a >> 5) * 2^26 + (b >> 6)) / 2^53 of two words; locals: mtDrawLocals(out). */
function mtDraw(out: string): Stmt[] {
  const half = (w: string, shift: number) => cvt('i32->f64', b32('shr_u', g32(w), c32(shift)));
  return [...mtWord('wa'), ...mtWord('wb'), set(out, bf('div', bf('add', bf('mul', half('wa', 5), f64(67108864)), half('wb', 6)), f64(9007199254740992)))];
}
const mtDrawLocals = (out: string) => [...mtWordLocals('wa', 'wb'), ...locals('f64', out)];

/** `__mt_next32(st) -> i32`: the next tempered 32-bit output (as an i32 bit pattern). */
function mtNext32(): Func {
  return fn(RANDOM_FUNCS.mtNext32, ST, ['i32'], mtWordLocals('y'), [...mtWord('y'), ret(g32('y'))]);
}

/** `__mt_next64(st) -> i64`: (first << 32) | second. */
function mtNext64(): Func {
  return fn(RANDOM_FUNCS.mtNext64, ST, ['i64'], mtWordLocals('hi', 'lo'), [
    ...mtWord('hi'), ...mtWord('lo'),
    ret(b64('or', b64('shl', u64(g32('hi')), c64(32)), u64(g32('lo')))),
  ]);
}

/** `__mt_double(st) -> f64`: random_sample(). */
function mtDouble(): Func {
  return fn(RANDOM_FUNCS.mtDouble, ST, ['f64'], mtDrawLocals('d'), [...mtDraw('d'), ret(gf('d'))]);
}

/** `__mt_gauss(st) -> f64`: RandomState's standard normal (polar method, second value cached in the state). */
function mtGauss(): Func {
  const x1 = gf('x1'), x2 = gf('x2'), r2 = gf('r2');
  return fn(RANDOM_FUNCS.mtGauss, ST, ['f64'], [...mtDrawLocals('d'), ...locals('f64', 'x1', 'x2', 'r2', 'f')], [
    when(b32('ne', ld('i32', S, MT.hasGauss), c32(0)), [
      set('f', ld('f64', S, MT.gauss)),
      st('i32', S, MT.hasGauss, c32(0)), st('f64', S, MT.gauss, f64(0)),
      ret(gf('f')),
    ]),
    loop('polar', [
      ...mtDraw('d'), set('x1', bf('sub', bf('mul', f64(2), gf('d')), f64(1))),
      ...mtDraw('d'), set('x2', bf('sub', bf('mul', f64(2), gf('d')), f64(1))),
      set('r2', bf('add', bf('mul', x1, x1), bf('mul', x2, x2))),
      when(b32('and', bf('lt', r2, f64(1)), bf('ne', r2, f64(0))), [brk('polar')]),
    ]),
    set('f', un('sqrt', 'f64', bf('div', bf('mul', f64(-2), call(LOG, 'f64', r2)), r2))),
    st('f64', S, MT.gauss, bf('mul', gf('f'), x1)), st('i32', S, MT.hasGauss, c32(1)),
    ret(bf('mul', gf('f'), x2)),
  ]);
}

/** `__mt_normal(st, loc, scale) -> f64` and `__pcg_normal`: loc + scale * standard normal. */
function normal(name: string, std: string): Func {
  return fn(name, [...ST, ...locals('f64', 'loc', 'scale')], ['f64'], [], [
    ret(bf('add', gf('loc'), bf('mul', gf('scale'), call(std, 'f64', S)))),
  ]);
}

/** `__mt_uniform(st, low, high) -> f64` and `__pcg_uniform`: low + (high - low) * double. */
function uniform(name: string, dbl: string): Func {
  return fn(name, [...ST, ...locals('f64', 'low', 'high')], ['f64'], locals('f64', 'range'), [
    set('range', bf('sub', gf('high'), gf('low'))),
    ret(bf('add', gf('low'), bf('mul', gf('range'), call(dbl, 'f64', S)))),
  ]);
}

/**
 * The cases every bounded-integer function shares; `small` and `large` return off + a value in
 * [0, rng]; word32(out) / word64(out) draw one 32-/64-bit output into a local.
 */
function bounded(name: string, word32: (out: string) => Stmt[], word64: (out: string) => Stmt[], small: Stmt[], large: Stmt[], locs: Local[]): Func {
  const off = g64('off'), rng = g64('rng');
  return fn(name, [...ST, ...locals('i64', 'off', 'rng')], ['i64'], locs, [
    when(b64('eq', rng, c64(0)), [ret(off)]),
    when(b64('lt_u', rng, c64(1n << 32n)), [
      when(b64('eq', rng, c64(M32)), [...word32('v'), ret(b64('add', off, u64(g32('v'))))]),
      ...small,
    ]),
    when(b64('eq', rng, c64(-1)), [...word64('v64'), ret(b64('add', off, g64('v64')))]),
    ...large,
  ]);
}

/**
 * `__mt_bounded(st, off, rng) -> i64`: off + a uniform integer in [0, rng] (rng unsigned), RandomState's
 * masked rejection; `__pcg_interval` is the same method on PCG64's words (NumPy's random_interval, which
 * Generator.shuffle and permutation use: the 32-bit words are PCG64's buffered halves).
 */
function maskedBounded(name: string, word32: (out: string) => Stmt[], word64: (out: string) => Stmt[], locs: Local[]): Func {
  const r32 = wrap(g64('rng')), v32 = g32('v'), v64 = g64('v64');
  return bounded(name, word32, word64, [
    set('mask', b32('shr_u', c32(-1), un('clz', 'i32', r32))),
    loop('mask32', [
      ...word32('v'), set('v', b32('and', v32, g32('mask'))),
      when(b32('ge_u', r32, v32), [brk('mask32')]),
    ]),
    ret(b64('add', g64('off'), u64(v32))),
  ], [
    set('mask64', b64('shr_u', c64(-1), un('clz', 'i64', g64('rng')))),
    loop('mask64', [
      ...word64('v64'), set('v64', b64('and', v64, g64('mask64'))),
      when(b64('ge_u', g64('rng'), v64), [brk('mask64')]),
    ]),
    ret(b64('add', g64('off'), v64)),
  ], [...locs, ...locals('i32', 'mask'), ...locals('i64', 'mask64', 'v64')]);
}
const mtWords64 = (out: string) => [...mtWord('wa'), ...mtWord('wb'), set(out, b64('or', b64('shl', u64(g32('wa')), c64(32)), u64(g32('wb'))))];
const mtBounded = () => maskedBounded(RANDOM_FUNCS.mtBounded, mtWord, mtWords64, mtWordLocals('v', 'wa', 'wb'));
const pcgInterval = () => maskedBounded(RANDOM_FUNCS.pcgInterval, pcgWord32, pcgWord64, [...pcgWord32Locals('v'), ...pcgWord64Locals('x')]);

/** `__mt_randint(st, low, high) -> i64` / `__pcg_integers`: [low, high), low < high (the caller checks). */
function exclusive(name: string, boundedFn: string): Func {
  return fn(name, [...ST, ...locals('i64', 'low', 'high')], ['i64'], [], [
    ret(call(boundedFn, 'i64', S, g64('low'), b64('sub', b64('sub', g64('high'), c64(1)), g64('low')))),
  ]);
}

// ---------------------------------------------------------------------------------------------
// SeedSequence and PCG64.

const INIT_A = 0x43b0d7e5, MULT_A = 0x931e8875, INIT_B = 0x8b51f9dd, MULT_B = 0x58f38ded;
const MIX_MULT_L = 0xca01f9dd, MIX_MULT_R = 0x4973f715;
const PCG_MULT = 0x2360ed051fc65da44385df649fccf645n;
const MULT_LO = PCG_MULT & 0xffffffffffffffffn, MULT_HI = PCG_MULT >> 64n;

/**
 * `__seedseq_pool(words, n) -> (p0, p1, p2, p3)`: SeedSequence's entropy pool (pool_size 4) for the
 * n >= 1 uint32 entropy words at `words` (the seed's words, low first, then any spawn key's).
 */
function seedSeqPool(): Func {
  const h = g32('h');
  /** value = hashmix(value) with the running hash constant h. */
  const hashmix = (target: string, value: Expr): Stmt[] => [
    set(target, b32('xor', value, h)), set('h', b32('mul', h, c32(MULT_A))),
    set(target, b32('mul', g32(target), h)), set(target, b32('xor', g32(target), b32('shr_u', g32(target), c32(16)))),
  ];
  const mix = (dst: string, y: Expr): Stmt[] => [
    set(dst, b32('sub', b32('mul', c32(MIX_MULT_L), g32(dst)), b32('mul', c32(MIX_MULT_R), y))),
    set(dst, b32('xor', g32(dst), b32('shr_u', g32(dst), c32(16)))),
  ];
  const word = (i: Expr) => ld('i32', b32('add', g32('words'), b32('shl', i, c32(2))));
  const body: Stmt[] = [set('h', c32(INIT_A))];
  for (let i = 0; i < 4; i++) {
    body.push(when(b32('lt_s', c32(i), g32('n')), [set('v', word(c32(i)))], [set('v', c32(0))]), ...hashmix(`p${i}`, g32('v')));
  }
  for (let src = 0; src < 4; src++) {
    for (let dst = 0; dst < 4; dst++) if (src !== dst) body.push(...hashmix('v', g32(`p${src}`)), ...mix(`p${dst}`, g32('v')));
  }
  const rest: Stmt[] = [];
  for (let dst = 0; dst < 4; dst++) rest.push(...hashmix('v', word(g32('i'))), ...mix(`p${dst}`, g32('v')));
  body.push(forRange('rest', 'i', c32(4), g32('n'), rest), ret(g32('p0'), g32('p1'), g32('p2'), g32('p3')));
  return fn(RANDOM_FUNCS.seedSeqPool, locals('i32', 'words', 'n'), ['i32', 'i32', 'i32', 'i32'], locals('i32', 'h', 'v', 'i', 'p0', 'p1', 'p2', 'p3'), body);
}

/** The PCG64 step on the state at st: state = state * PCG_MULT + inc; leaves the new halves in locals nl, nh. */
function pcgStep(): Stmt[] {
  return [
    set('sl', ld('i64', S, PCG.stateLo)),
    ...mulhi('nh', g64('sl'), c64(MULT_LO), 'm'),
    set('nh', b64('add', b64('add', g64('nh'), b64('mul', g64('sl'), c64(MULT_HI))), b64('mul', ld('i64', S, PCG.stateHi), c64(MULT_LO)))),
    set('lo', b64('mul', g64('sl'), c64(MULT_LO))),
    set('nl', b64('add', g64('lo'), ld('i64', S, PCG.incLo))),
    set('nh', b64('add', b64('add', g64('nh'), ld('i64', S, PCG.incHi)), cvt('u32->i64', b64('lt_u', g64('nl'), g64('lo'))))),
    st('i64', S, PCG.stateLo, g64('nl')), st('i64', S, PCG.stateHi, g64('nh')),
  ];
}
const pcgStepLocals = () => [...locals('i64', 'sl', 'lo', 'nl', 'nh'), ...mulhiLocals('m')];

/** out (i64) = PCG64's next output: the XSL-RR of the stepped state; locals: pcgWord64Locals(out). */
export function pcgWord64(out: string): Stmt[] {
  return [
    ...pcgStep(),
    set(out, b64('xor', g64('nh'), g64('nl'))), set('rot', b64('shr_u', g64('nh'), c64(58))),
    // rotr(x, rot); wasm masks shift counts to 6 bits, so rot = 0 gives x | x.
    set(out, b64('or', b64('shr_u', g64(out), g64('rot')), b64('shl', g64(out), b64('sub', c64(64), g64('rot'))))),
  ];
}
export const pcgWord64Locals = (...outs: string[]) => [...pcgStepLocals(), ...locals('i64', 'rot', ...outs)];

/** out (i32) = the buffered 32-bit output: the low half of a 64-bit output, then its high half; locals: pcgWord32Locals(out). */
function pcgWord32(out: string): Stmt[] {
  return [when(b32('ne', ld('i32', S, PCG.hasUint32), c32(0)), [st('i32', S, PCG.hasUint32, c32(0)), set(out, ld('i32', S, PCG.uinteger))], [
    ...pcgWord64('w64'),
    st('i32', S, PCG.hasUint32, c32(1)), st('i32', S, PCG.uinteger, wrap(b64('shr_u', g64('w64'), c64(32)))),
    set(out, wrap(g64('w64'))),
  ])];
}
const pcgWord32Locals = (...outs: string[]) => [...pcgWord64Locals('w64'), ...locals('i32', ...outs)];

/** `__pcg_next64(st) -> i64`: PCG64's next 64-bit output. */
function pcgNext64(): Func {
  return fn(RANDOM_FUNCS.pcgNext64, ST, ['i64'], pcgWord64Locals('x'), [...pcgWord64('x'), ret(g64('x'))]);
}

/** `__pcg_next32(st) -> i32`: PCG64's next (buffered) 32-bit output. */
function pcgNext32(): Func {
  return fn(RANDOM_FUNCS.pcgNext32, ST, ['i32'], pcgWord32Locals('y'), [...pcgWord32('y'), ret(g32('y'))]);
}

/** `__pcg_seed_words(st, words, n)`: PCG64(SeedSequence(entropy words)); n >= 1. */
function pcgSeedWords(): Func {
  const body: Stmt[] = [
    { k: 'setm', names: ['p0', 'p1', 'p2', 'p3'], call: call(RANDOM_FUNCS.seedSeqPool, null, g32('words'), g32('n')) },
    set('h', c32(INIT_B)),
  ];
  for (let j = 0; j < 8; j++) {
    body.push(
      set('d', b32('xor', g32(`p${j % 4}`), g32('h'))), set('h', b32('mul', g32('h'), c32(MULT_B))),
      set('d', b32('mul', g32('d'), g32('h'))), set(`w${j}`, b32('xor', g32('d'), b32('shr_u', g32('d'), c32(16)))),
    );
  }
  const pair = (lo: number) => b64('or', u64(g32(`w${lo}`)), b64('shl', u64(g32(`w${lo + 1}`)), c64(32)));
  body.push(
    // seed = (pair0 << 64) | pair1, initseq = (pair2 << 64) | pair3; inc = (initseq << 1) | 1.
    st('i64', S, PCG.incHi, b64('or', b64('shl', pair(4), c64(1)), b64('shr_u', pair(6), c64(63)))),
    st('i64', S, PCG.incLo, b64('or', b64('shl', pair(6), c64(1)), c64(1))),
    st('i64', S, PCG.stateLo, c64(0)), st('i64', S, PCG.stateHi, c64(0)),
    { k: 'expr', e: call(RANDOM_FUNCS.pcgNext64, 'i64', S) },
    set('lo', ld('i64', S, PCG.stateLo)),
    set('sl', b64('add', g64('lo'), pair(2))),
    st('i64', S, PCG.stateHi, b64('add', b64('add', ld('i64', S, PCG.stateHi), pair(0)), cvt('u32->i64', b64('lt_u', g64('sl'), g64('lo'))))),
    st('i64', S, PCG.stateLo, g64('sl')),
    { k: 'expr', e: call(RANDOM_FUNCS.pcgNext64, 'i64', S) },
    st('i32', S, PCG.hasUint32, c32(0)), st('i32', S, PCG.uinteger, c32(0)),
  );
  return fn(RANDOM_FUNCS.pcgSeedWords, [...ST, ...locals('i32', 'words', 'n')], [],
    [...locals('i32', 'p0', 'p1', 'p2', 'p3', 'h', 'd', ...Array.from({ length: 8 }, (_v, j) => `w${j}`)), ...locals('i64', 'lo', 'sl')], body);
}

/** `__pcg_seed(st, seed)`: default_rng(seed) for an int 0 <= seed < 2**63 (the caller rejects negative seeds, as NumPy does). */
function pcgSeed(): Func {
  const seed = g64('seed');
  return fn(RANDOM_FUNCS.pcgSeed, [...ST, ...locals('i64', 'seed')], [], [], [
    st('i32', S, PCG.scratch, wrap(seed)), st('i32', S, PCG.scratch + 4, wrap(b64('shr_u', seed, c64(32)))),
    { k: 'expr', e: call(RANDOM_FUNCS.pcgSeedWords, null, S, b32('add', S, c32(PCG.scratch)), select('i32', b64('lt_u', c64(M32), seed), c32(2), c32(1))) },
  ]);
}

/** `__pcg_double(st) -> f64`: Generator.random(): (next64 >> 11) / 2^53. */
function pcgDouble(): Func {
  return fn(RANDOM_FUNCS.pcgDouble, ST, ['f64'], pcgWord64Locals('x'), [
    ...pcgWord64('x'),
    ret(bf('mul', cvt('i64->f64', b64('shr_u', g64('x'), c64(11))), f64(2 ** -53))),
  ]);
}

/** `__pcg_float(st) -> f32`: Generator.random(dtype=np.float32): (next32 >> 8) / 2^24. */
function pcgFloat(): Func {
  return fn(RANDOM_FUNCS.pcgFloat, ST, ['f32'], pcgWord32Locals('y'), [
    ...pcgWord32('y'),
    ret(bin('mul', 'f32', cvt('i32->f32', b32('shr_u', g32('y'), c32(8))), { k: 'const', t: 'f32', v: 2 ** -24 })),
  ]);
}

/** `__pcg_bounded(st, off, rng) -> i64`: off + a uniform integer in [0, rng] (rng unsigned), Generator's Lemire method. */
function pcgBounded(): Func {
  const excl = g64('excl'), m = g64('m'), left = g64('left');
  const draw32 = [...pcgWord32('v'), set('m', b64('mul', u64(g32('v')), excl)), set('left', b64('and', m, c64(M32)))];
  const draw64 = [...pcgWord64('x'), set('left', b64('mul', g64('x'), excl))];
  return bounded(RANDOM_FUNCS.pcgBounded, pcgWord32, pcgWord64, [
    // 32-bit: m = next32 * (rng + 1); reject while the low 32 bits < (2^32 - 1 - rng) mod (rng + 1).
    set('excl', b64('add', g64('rng'), c64(1))),
    ...draw32,
    when(b64('lt_u', left, excl), [
      set('thr', b64('rem_s', b64('sub', c64(M32), g64('rng')), excl)),
      { k: 'while', label: 'lemire32', cond: b64('lt_u', left, g64('thr')), body: draw32 },
    ]),
    ret(b64('add', g64('off'), b64('shr_u', m, c64(32)))),
  ], [
    // 64-bit: the 128-bit product x * (rng + 1); reject while its low half < (2^64 - 1 - rng) mod (rng + 1).
    set('excl', b64('add', g64('rng'), c64(1))),
    ...draw64,
    when(b64('lt_u', left, excl), [
      set('thr', b64('sub', c64(-1), g64('rng'))),
      set('thr', b64('sub', g64('thr'), b64('mul', b64('div_u', g64('thr'), excl), excl))),
      { k: 'while', label: 'lemire64', cond: b64('lt_u', left, g64('thr')), body: draw64 },
    ]),
    ...mulhi('m', g64('x'), excl, 'h'),
    ret(b64('add', g64('off'), m)),
  ], [...pcgWord32Locals('v'), ...pcgWord64Locals('x', 'v64'), ...locals('i64', 'excl', 'm', 'left', 'thr'), ...mulhiLocals('h')]);
}

// Note [Ziggurat tables]: NumPy's Generator.standard_normal is Marsaglia and Tsang's ziggurat with
// 256 layers over 52-bit integers: x_255 = R = 3.6541528853610088 (the base strip's edge), layers
// of area V = 0.004928673233974652, and x_i = sqrt(-2 log(V / x_(i+1) + f(x_(i+1)))) down to i = 1,
// f(x) = exp(-x^2 / 2); then wi[i] = x_i / 2^52, fi[i] = f(x_i), ki[i+1] = x_i / x_(i+1) * 2^52
// rounded half to even, and the base strip: wi[0] = q / 2^52, ki[0] = R / q * 2^52, fi[0] = 1 with
// q = V / f(R); ki[1] = 0. NumPy's tables were computed in double precision with exp and log
// correctly rounded, except one exp: f(x_38) came out one ulp above the correctly rounded value,
// which changes every x_i below layer 38. `zigguratTables` redoes that computation (exp and log
// correctly rounded by BigInt fixed point, the one ulp included) and reproduces all 768 entries
// bit for bit; test/random.test.ts checks the resulting stream against NumPy's.

const ZIG_R = 3.6541528853610088;
const ZIG_INV_R = 1 / ZIG_R; // 0.27366123732975828, as NumPy's constant
const ZIG_V = 0.004928673233974652;

/**
 * `__pcg_standard_normal(st) -> f64`: Generator.standard_normal(): one 64-bit draw gives the layer
 * (low 8 bits), the sign (bit 8) and a 52-bit magnitude; the tail (layer 0 past R) and the wedges
 * (between layers) reject with log1p/exp. `tables`: the address of zigguratTables().
 */
function pcgStandardNormal(tables: number): Func {
  const dbl = call(RANDOM_FUNCS.pcgDouble, 'f64', S);
  const a = g32('a'), x = gf('x'), xx = gf('xx');
  return fn(RANDOM_FUNCS.pcgStandardNormal, ST, ['f64'], [...pcgWord64Locals('r'), ...locals('i64', 'rabs'), ...locals('i32', 'a'), ...locals('f64', 'x', 'xx', 'yy', 'fa')], [
    loop('zig', [
      ...pcgWord64('r'),
      set('a', b32('shl', wrap(b64('and', g64('r'), c64(0xff))), c32(3))),
      set('rabs', b64('and', b64('shr_u', g64('r'), c64(9)), c64((1n << 52n) - 1n))),
      set('x', bf('mul', cvt('i64->f64', g64('rabs')), ld('f64', a, tables + ZIG.wi))),
      when(b64('ne', b64('and', g64('r'), c64(0x100)), c64(0)), [set('x', un('neg', 'f64', x))]),
      when(b64('lt_s', g64('rabs'), ld('i64', a, tables + ZIG.ki)), [ret(x)]),
      when(b32('eq', a, c32(0)), [
        loop('tail', [
          set('xx', bf('mul', f64(-ZIG_INV_R), call(LOG1P, 'f64', un('neg', 'f64', dbl)))),
          set('yy', un('neg', 'f64', call(LOG1P, 'f64', un('neg', 'f64', dbl)))),
          when(bf('gt', bf('add', gf('yy'), gf('yy')), bf('mul', xx, xx)), [
            set('x', bf('add', f64(ZIG_R), xx)),
            ret(select('f64', b64('ne', b64('and', g64('rabs'), c64(0x100)), c64(0)), un('neg', 'f64', x), x)),
          ]),
        ]),
      ], [
        set('fa', ld('f64', a, tables + ZIG.fi)),
        when(bf('lt', bf('add', bf('mul', bf('sub', ld('f64', a, tables + ZIG.fi - 8), gf('fa')), dbl), gf('fa')),
          call(EXP, 'f64', bf('mul', bf('mul', f64(-0.5), x), x))), [ret(x)]),
      ]),
    ]),
  ]);
}

/** Every function of the library; `tables` is where the caller put zigguratTables() (8-aligned). */
export function randomLibrary(tables: number): Func[] {
  if (tables % 8) throw new Error(`ziggurat tables at ${tables}: not 8-aligned`);
  const R = RANDOM_FUNCS;
  return [
    mtSeed(), mtSeedArray(), mtGen(), mtNext32(), mtNext64(), mtDouble(), mtGauss(),
    normal(R.mtNormal, R.mtGauss), uniform(R.mtUniform, R.mtDouble), mtBounded(), exclusive(R.mtRandint, R.mtBounded),
    seedSeqPool(), pcgSeedWords(), pcgSeed(), pcgNext64(), pcgNext32(), pcgDouble(), pcgFloat(), pcgBounded(), pcgInterval(), exclusive(R.pcgIntegers, R.pcgBounded),
    pcgStandardNormal(tables), normal(R.pcgNormal, R.pcgStandardNormal), uniform(R.pcgUniform, R.pcgDouble),
  ];
}

// ---------------------------------------------------------------------------------------------
// The ziggurat tables (Note [Ziggurat tables]), with exp and log correctly rounded: the exact
// argument in binary fixed point (FB fraction bits), the function by series, one rounding to double.

const FB = 256n;
const ONE = 1n << FB;
const bits = new DataView(new ArrayBuffer(8));
/** d * 2^FB exactly (d finite, not tiny). */
function fixedOf(d: number): bigint {
  bits.setFloat64(0, d);
  const w = bits.getBigUint64(0), e = Number((w >> 52n) & 0x7ffn);
  const m = (w & ((1n << 52n) - 1n)) | (e ? 1n << 52n : 0n);
  const sh = BigInt((e || 1) - 1075) + FB;
  const a = sh >= 0n ? m << sh : m >> -sh;
  return w >> 63n ? -a : a;
}
/** The double nearest a fixed-point value (BigInt -> Number rounds to nearest; the scaling is exact). */
const doubleOf = (a: bigint): number => Number(a) / 2 ** Number(FB);
function expFixed(x: bigint): bigint {
  const ax = x < 0n ? -x : x;
  let term = ONE, sum = ONE;
  for (let n = 1n; term !== 0n; n++) { term = ((term * ax) >> FB) / n; sum += term; }
  return x < 0n ? (ONE << FB) / sum : sum;
}
function atanhFixed(u: bigint): bigint {
  const u2 = (u * u) >> FB;
  let p = u, sum = 0n;
  for (let n = 1n; p !== 0n; n += 2n) { sum += p / n; p = (p * u2) >> FB; }
  return sum;
}
const LN2 = 2n * atanhFixed(ONE / 3n);
function logFixed(y: bigint): bigint { // y > 0: y = 2^k m, m in [1, 2), log m = 2 atanh((m - 1) / (m + 1))
  const k = BigInt(y.toString(2).length) - FB - 1n;
  const m = k >= 0n ? y >> k : y << -k;
  return 2n * atanhFixed(((m - ONE) << FB) / (m + ONE)) + k * LN2;
}
const crExp = (d: number) => doubleOf(expFixed(fixedOf(d)));
const crLog = (d: number) => doubleOf(logFixed(fixedOf(d)));
const nextUp = (d: number) => { bits.setFloat64(0, d); bits.setBigUint64(0, bits.getBigUint64(0) + 1n); return bits.getFloat64(0); };
function roundHalfEven(t: number): number {
  const n = Math.floor(t), frac = t - n;
  return frac > 0.5 || (frac === 0.5 && n % 2 === 1) ? n + 1 : n;
}

// The exponential's ziggurat (Generator.standard_exponential): 256 layers over 53-bit integers,
// f(x) = exp(-x), x_255 = RE, layer area VE = (RE + 1) exp(-RE) (so the base strip's q = RE + 1),
// x_i = -log(VE / x_(i+1) + f(x_(i+1))). NumPy's we/fe tables are these x_i / 2^53 and f(x_i)
// computed in high precision and rounded once: `expZiggurat` does that in BigInt fixed point and
// matches all 512 entries bit for bit. Its ke[i+1] = floor(x_i / x_(i+1) * 2^53) is within 2 of
// NumPy's (which is 0 to 2 below; the rule that made NumPy's was not found): a draw comes out
// differently only when its 53-bit integer is one of those <= 2 values of its layer, < 2^-51 per draw.
export const ZIG_EXP_R = 7.6971174701310497; // NumPy's ziggurat_exp_r, 7.6971174701310497140446280481
const ZIG_EXP_R_DIGITS = 76971174701310497140446280481n; // that value * 10^28

function expZiggurat(out: DataView): void {
  const r = (ZIG_EXP_R_DIGITS << FB) / 10n ** 28n;
  const v = ((r + ONE) * expFixed(-r)) >> FB;
  const x: bigint[] = new Array(256);
  x[255] = r;
  for (let i = 254; i >= 1; i--) x[i] = -logFixed(((v << FB) / x[i + 1]) + expFixed(-x[i + 1]));
  for (let i = 0; i < 256; i++) {
    const ke = i === 0 ? (r << 53n) / (r + ONE) : i === 1 ? 0n : (x[i - 1] << 53n) / x[i];
    out.setBigUint64(ZIG.ke + 8 * i, ke, true);
    out.setFloat64(ZIG.we + 8 * i, doubleOf(i === 0 ? r + ONE : x[i]) / 2 ** 53, true);
    out.setFloat64(ZIG.fe + 8 * i, i === 0 ? 1 : doubleOf(expFixed(-x[i])), true);
  }
}

let tableBytes: Uint8Array | null = null;
/** The ziggurat tables as ZIG.size bytes (little endian): ki/ke (u64), wi/we, fi/fe (f64), 256 entries each. */
export function zigguratTables(): Uint8Array {
  if (tableBytes) return tableBytes.slice();
  const x = new Float64Array(256), f = new Float64Array(256), m1 = 2 ** 52;
  x[255] = ZIG_R;
  f[255] = crExp(-0.5 * ZIG_R * ZIG_R);
  for (let i = 254; i >= 1; i--) {
    x[i] = Math.sqrt(-2 * crLog(ZIG_V / x[i + 1] + f[i + 1]));
    f[i] = crExp(-0.5 * x[i] * x[i]);
    if (i === 38) f[i] = nextUp(f[i]); // NumPy's generator's exp: one ulp above (Note [Ziggurat tables])
  }
  const q = ZIG_V / f[255];
  const out = new DataView(new ArrayBuffer(ZIG.size));
  for (let i = 0; i < 256; i++) {
    const ki = i === 0 ? Math.trunc((ZIG_R / q) * m1) : i === 1 ? 0 : roundHalfEven((x[i - 1] / x[i]) * m1);
    out.setBigUint64(ZIG.ki + 8 * i, BigInt(ki), true);
    out.setFloat64(ZIG.wi + 8 * i, i === 0 ? q / m1 : x[i] / m1, true);
    out.setFloat64(ZIG.fi + 8 * i, i === 0 ? 1 : f[i], true);
  }
  expZiggurat(out);
  tableBytes = new Uint8Array(out.buffer);
  return tableBytes.slice();
}
