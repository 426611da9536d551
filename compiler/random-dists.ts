// NumPy's random distributions beyond uniform and normal (issue 18), as IR functions over the
// generators of compiler/random.ts, drawing exactly what NumPy 2.x draws for the same seed:
// `__mt_<dist>(st, ...)` is RandomState's (legacy-distributions.c where NumPy kept the 1.16 code,
// distributions.c elsewhere, over MT19937's doubles and the polar-method normals), `__pcg_<dist>`
// is Generator's (distributions.c over PCG64: ziggurat normals and exponentials). The algorithms
// are the textbook ones NumPy uses, reimplemented from their descriptions:
//   standard_exponential  RandomState: -log(1 - U). Generator: the 256-layer exponential ziggurat
//                         (tables ZIG.ke/we/fe, compiler/random.ts), its tail r - log1p(-U).
//   standard_gamma        Marsaglia-Tsang for shape >= 1 (normal X, V = (1 + cX)^3, squeeze then
//                         log test); shape < 1: Johnk-style rejection from U and an exponential.
//   beta                  Johnk's algorithm when a, b <= 1 (Generator handles underflow through
//                         logs and tiny a, b by one uniform); else Ga / (Ga + Gb).
//   poisson               lam < 10: multiplication of uniforms; else Hoermann's PTRS (transformed
//                         rejection), whose acceptance test needs log k! (`__rnd_loggam`, Stirling).
//   binomial              min(p, 1-p) * n <= 30: inversion (RandomState's q^n = exp(n log q),
//                         Generator's exp(n log1p(-p))); else Kachitvichyanukul-Schmeiser BTPE.
//   geometric             p >= 1/3: sequential search; else inversion (RandomState:
//                         ceil(log1p(-U) / log(1 - p)); Generator: ceil(-E / log1p(-p)), capped).
//   the others            closed forms (exponential, gamma, chisquare, lognormal, pareto,
//                         weibull, laplace, logistic, triangular, standard_cauchy, standard_t).
// libm: these call mathlib-wasm's log, log1p, exp, expm1 and pow where NumPy calls the C
// library's; where glibc does not round correctly and mathlib-wasm does (or the reverse) a value
// can differ in its last bits, and an acceptance test on the boundary can flip (then the streams
// shift). test/random-dists.test.ts measures this against NumPy.
import type { Expr, Func, Import, Local, Stmt, VT } from './ir.js';
import { call, cvt, f64, un } from './ir-build.js';
import { mathFn, NATIVE_MATH } from './mathlib-wasm.js';
import {
  RANDOM_FUNCS as R, S, ST, ZIG, ZIG_EXP_R, b32, b64, bf, brk, c32, c64, fn, g32, g64, gf, ld, locals, loop, pcgWord64, pcgWord64Locals, ret, set, when, wrap,
} from './random.js';

const M = (name: string, arity: 1 | 2 = 1) => ({ name: mathFn(name, 'f64')!.name, arity });
const LIBM = { log: M('log'), log1p: M('log1p'), exp: M('exp'), expm1: M('expm1'), pow: M('pow', 2) };
/** The native math functions the distributions call (add to Program.imports, with RANDOM_IMPORTS). */
export const DIST_IMPORTS: readonly Import[] = Object.values(LIBM).map(({ name, arity }) =>
  ({ name, module: NATIVE_MATH, base: name, params: arity === 1 ? ['f64'] : ['f64', 'f64'], result: 'f64' }));

/** Each distribution's parameters (after the state) and result. binomial takes (p, n). */
export const DISTS = {
  standard_exponential: { params: [], result: 'f64' },
  exponential: { params: ['f64'], result: 'f64' },
  standard_gamma: { params: ['f64'], result: 'f64' },
  gamma: { params: ['f64', 'f64'], result: 'f64' },
  beta: { params: ['f64', 'f64'], result: 'f64' },
  chisquare: { params: ['f64'], result: 'f64' },
  lognormal: { params: ['f64', 'f64'], result: 'f64' },
  poisson: { params: ['f64'], result: 'i64' },
  binomial: { params: ['f64', 'i64'], result: 'i64' },
  geometric: { params: ['f64'], result: 'i64' },
  laplace: { params: ['f64', 'f64'], result: 'f64' },
  logistic: { params: ['f64', 'f64'], result: 'f64' },
  triangular: { params: ['f64', 'f64', 'f64'], result: 'f64' },
  weibull: { params: ['f64'], result: 'f64' },
  pareto: { params: ['f64'], result: 'f64' },
  standard_cauchy: { params: [], result: 'f64' },
  standard_t: { params: ['f64'], result: 'f64' },
} as const satisfies Record<string, { params: readonly ('f64' | 'i64')[]; result: 'f64' | 'i64' }>;
export type Dist = keyof typeof DISTS;
export type GenKind = 'mt' | 'pcg';
/** The IR function of a distribution for a generator. */
export const distFn = (gen: GenKind, d: Dist): string => `__${gen}_${d}`;
const LOGGAM = '__rnd_loggam';

// f64 shorthands.
const add = (a: Expr, b: Expr) => bf('add', a, b), sub = (a: Expr, b: Expr) => bf('sub', a, b);
const mul = (a: Expr, b: Expr) => bf('mul', a, b), div = (a: Expr, b: Expr) => bf('div', a, b);
const lt = (a: Expr, b: Expr) => bf('lt', a, b), le = (a: Expr, b: Expr) => bf('le', a, b);
const gt = (a: Expr, b: Expr) => bf('gt', a, b), ge = (a: Expr, b: Expr) => bf('ge', a, b), eq = (a: Expr, b: Expr) => bf('eq', a, b);
const and = (a: Expr, b: Expr) => b32('and', a, b), or = (a: Expr, b: Expr) => b32('or', a, b), not = (a: Expr) => un('eqz', 'i32', a);
const neg = (a: Expr) => un('neg', 'f64', a), sqrt = (a: Expr) => un('sqrt', 'f64', a), floor = (a: Expr) => un('floor', 'f64', a);
const K = (v: number) => f64(v);
const log = (a: Expr) => call(LIBM.log.name, 'f64', a), log1p = (a: Expr) => call(LIBM.log1p.name, 'f64', a);
const exp = (a: Expr) => call(LIBM.exp.name, 'f64', a), expm1 = (a: Expr) => call(LIBM.expm1.name, 'f64', a);
const pow = (a: Expr, b: Expr) => call(LIBM.pow.name, 'f64', a, b);
/** C's (int64_t) of a double (wasm's saturating truncation; NumPy's arguments keep it in range). */
const toInt = (a: Expr) => cvt('f64->i64', a);
const toF = (a: Expr) => cvt('i64->f64', a);
const again = (label: string): Stmt => ({ k: 'continue', label });
const fl = (...names: string[]) => locals('f64', ...names);

interface Gen { kind: GenKind; double: () => Expr; gauss: () => Expr }
const GENS: Gen[] = [
  { kind: 'mt', double: () => call(R.mtDouble, 'f64', S), gauss: () => call(R.mtGauss, 'f64', S) },
  { kind: 'pcg', double: () => call(R.pcgDouble, 'f64', S), gauss: () => call(R.pcgStandardNormal, 'f64', S) },
];
const draw = (g: Gen, d: Dist, ...args: Expr[]) => call(distFn(g.kind, d), DISTS[d].result, S, ...args);

/** A distribution's function: parameters named as given (types from DISTS). */
function dist(g: Gen, d: Dist, names: string[], locs: Local[], body: Stmt[]): Func {
  const params = names.map((name, i) => ({ name, t: DISTS[d].params[i] as VT }));
  return fn(distFn(g.kind, d), [...ST, ...params], [DISTS[d].result], locs, body);
}

function standardExponential(g: Gen, tables: number): Func {
  if (g.kind === 'mt') return dist(g, 'standard_exponential', [], [], [ret(neg(log(sub(K(1), g.double()))))]);
  const a = g32('a'), x = gf('x');
  return dist(g, 'standard_exponential', [], [...pcgWord64Locals('ri'), ...locals('i32', 'a'), ...fl('x')], [
    loop('zig', [
      ...pcgWord64('ri'),
      set('ri', b64('shr_u', g64('ri'), c64(3))),
      set('a', b32('shl', wrap(b64('and', g64('ri'), c64(0xff))), c32(3))),
      set('ri', b64('shr_u', g64('ri'), c64(8))),
      set('x', mul(toF(g64('ri')), ld('f64', a, tables + ZIG.we))),
      when(b64('lt_u', g64('ri'), ld('i64', a, tables + ZIG.ke)), [ret(x)]),
      when(b32('eq', a, c32(0)), [ret(sub(K(ZIG_EXP_R), log1p(neg(g.double()))))]),
      when(lt(add(mul(sub(ld('f64', a, tables + ZIG.fe - 8), ld('f64', a, tables + ZIG.fe)), g.double()), ld('f64', a, tables + ZIG.fe)), exp(neg(x))), [ret(x)]),
    ]),
  ]);
}

function standardGamma(g: Gen): Func {
  const shape = gf('shape'), U = gf('U'), V = gf('V'), X = gf('X'), Y = gf('Y'), b = gf('b'), c = gf('c');
  const E = () => draw(g, 'standard_exponential');
  return dist(g, 'standard_gamma', ['shape'], fl('U', 'V', 'X', 'Y', 'b', 'c'), [
    when(eq(shape, K(1)), [ret(E())]),
    when(eq(shape, K(0)), [ret(K(0))]),
    when(lt(shape, K(1)), [
      loop('small', [
        set('U', g.double()), set('V', E()),
        when(le(U, sub(K(1), shape)), [
          set('X', pow(U, div(K(1), shape))),
          when(le(X, V), [ret(X)]),
        ], [
          set('Y', neg(log(div(sub(K(1), U), shape)))),
          set('X', pow(add(sub(K(1), shape), mul(shape, Y)), div(K(1), shape))),
          when(le(X, add(V, Y)), [ret(X)]),
        ]),
      ]),
    ]),
    set('b', sub(shape, K(1 / 3))),
    set('c', div(K(1), sqrt(mul(K(9), b)))),
    loop('mt', [
      loop('positive', [set('X', g.gauss()), set('V', add(K(1), mul(c, X))), when(not(le(V, K(0))), [brk('positive')])]),
      set('V', mul(mul(V, V), V)),
      set('U', g.double()),
      when(lt(U, sub(K(1), mul(mul(K(0.0331), mul(X, X)), mul(X, X)))), [ret(mul(b, V))]),
      when(lt(log(U), add(mul(mul(K(0.5), X), X), mul(b, add(sub(K(1), V), log(V))))), [ret(mul(b, V))]),
    ]),
  ]);
}

function beta(g: Gen): Func {
  const a = gf('a'), b = gf('b'), U = gf('U'), V = gf('V'), X = gf('X'), Y = gf('Y'), s = gf('s'), lx = gf('lx'), ly = gf('ly');
  const uv = [set('U', g.double()), set('V', g.double()), set('X', pow(U, div(K(1), a))), set('Y', pow(V, div(K(1), b))), set('s', add(X, Y))];
  const logs = [set('lx', div(log(U), a)), set('ly', div(log(V), b))];
  const johnk: Stmt[] = g.kind === 'mt' ? [
    loop('johnk', [
      ...uv,
      when(le(s, K(1)), [
        when(gt(s, K(0)), [ret(div(X, s))]),
        // Both powers underflowed: X / (X + Y) from the logs, shifted by their maximum.
        ...logs, set('s', bf('max', lx, ly)), set('lx', sub(lx, s)), set('ly', sub(ly, s)),
        ret(exp(sub(lx, log(add(exp(lx), exp(ly)))))),
      ]),
    ]),
  ] : [
    // a and b so small that the result is 0 or 1 but for ~1e-100: one uniform picks which.
    when(and(lt(a, K(3e-103)), lt(b, K(3e-103))), [ret(cvt('i32->f64', lt(mul(add(a, b), g.double()), a)))]),
    loop('johnk', [
      ...uv,
      when(and(le(s, K(1)), gt(add(U, V), K(0))), [
        when(and(gt(X, K(0)), gt(Y, K(0))), [ret(div(X, s))]),
        ...logs, set('s', sub(lx, ly)),
        when(gt(s, K(0)), [ret(exp(neg(log1p(exp(neg(s))))))]),
        ret(exp(sub(s, log1p(exp(s))))),
      ]),
    ]),
  ];
  return dist(g, 'beta', ['a', 'b'], fl('U', 'V', 'X', 'Y', 's', 'lx', 'ly'), [
    when(and(le(a, K(1)), le(b, K(1))), johnk),
    set('X', draw(g, 'standard_gamma', a)), set('Y', draw(g, 'standard_gamma', b)),
    ret(div(X, add(X, Y))),
  ]);
}

/** `__rnd_loggam(x)`: log Gamma(x) for the Poisson and binomial tests, Stirling's series after shifting x to >= 7. */
function loggam(): Func {
  // The series' coefficients B_2k / (2k (2k - 1)), k = 1..10, as NumPy writes them (the last to 15 digits).
  const A = [8.333333333333333e-02, -2.777777777777778e-03, 7.936507936507937e-04, -5.952380952380952e-04, 8.417508417508418e-04,
    -1.917526917526918e-03, 6.410256410256410e-03, -2.955065359477124e-02, 1.796443723688307e-01, -1.39243221690590e+00];
  const x = gf('x'), x0 = gf('x0'), x2 = gf('x2'), gl = gf('gl'), n = g64('n');
  const body: Stmt[] = [
    when(or(eq(x, K(1)), eq(x, K(2))), [ret(K(0))]),
    set('n', c64(0)),
    when(lt(x, K(7)), [set('n', toInt(sub(K(7), x)))]),
    set('x0', add(x, toF(n))),
    set('x2', mul(div(K(1), x0), div(K(1), x0))),
    set('gl', K(A[9])),
  ];
  for (let k = 8; k >= 0; k--) body.push(set('gl', add(mul(gl, x2), K(A[k]))));
  body.push(
    set('gl', sub(add(add(div(gl, x0), mul(K(0.5), K(1.8378770664093453))), mul(sub(x0, K(0.5)), log(x0))), x0)),
    when(lt(x, K(7)), [
      { k: 'while', label: 'down', cond: b64('gt_s', n, c64(0)), body: [
        set('gl', sub(gl, log(sub(x0, K(1))))), set('x0', sub(x0, K(1))), set('n', b64('sub', n, c64(1))),
      ] },
    ]),
    ret(gl),
  );
  return fn(LOGGAM, fl('x'), ['f64'], [...fl('x0', 'x2', 'gl'), ...locals('i64', 'n')], body);
}

function poisson(g: Gen): Func {
  const lam = gf('lam'), U = gf('U'), V = gf('V'), us = gf('us'), a = gf('a'), b = gf('b'), k = g64('k'), X = g64('X');
  return dist(g, 'poisson', ['lam'], [...fl('U', 'V', 'us', 'a', 'b', 'slam', 'loglam', 'invalpha', 'vr', 'prod', 'enlam'), ...locals('i64', 'k', 'X')], [
    when(ge(lam, K(10)), [
      // PTRS (Hoermann 1993), with its published constants.
      set('slam', sqrt(lam)), set('loglam', log(lam)),
      set('b', add(K(0.931), mul(K(2.53), gf('slam')))),
      set('a', add(K(-0.059), mul(K(0.02483), b))),
      set('invalpha', add(K(1.1239), div(K(1.1328), sub(b, K(3.4))))),
      set('vr', sub(K(0.9277), div(K(3.6224), sub(b, K(2))))),
      loop('ptrs', [
        set('U', sub(g.double(), K(0.5))), set('V', g.double()),
        set('us', sub(K(0.5), un('abs', 'f64', U))),
        set('k', toInt(floor(add(add(mul(add(div(mul(K(2), a), us), b), U), lam), K(0.43))))),
        when(and(ge(us, K(0.07)), le(V, gf('vr'))), [ret(k)]),
        when(or(b64('lt_s', k, c64(0)), and(lt(us, K(0.013)), gt(V, us))), [again('ptrs')]),
        when(le(sub(add(log(V), log(gf('invalpha'))), log(add(div(a, mul(us, us)), b))),
          sub(add(neg(lam), mul(toF(k), gf('loglam'))), call(LOGGAM, 'f64', add(toF(k), K(1))))), [ret(k)]),
      ]),
    ]),
    when(eq(lam, K(0)), [ret(c64(0))]),
    set('enlam', exp(neg(lam))), set('X', c64(0)), set('prod', K(1)),
    loop('mult', [
      set('prod', mul(gf('prod'), g.double())),
      when(not(gt(gf('prod'), gf('enlam'))), [ret(X)]),
      set('X', b64('add', X, c64(1))),
    ]),
  ]);
}

/** `__<gen>_binomial_inv(st, n, p)`: inversion for small n p. */
function binomialInversion(g: Gen): Func {
  const n = g64('n'), p = gf('p'), q = gf('q'), qn = gf('qn'), np = gf('np'), px = gf('px'), U = gf('U'), X = g64('X'), bound = g64('bound');
  return fn(`${distFn(g.kind, 'binomial')}_inv`, [...ST, ...locals('i64', 'n'), ...fl('p')], ['i64'], [...fl('q', 'qn', 'np', 'px', 'U'), ...locals('i64', 'X', 'bound')], [
    set('q', sub(K(1), p)),
    set('qn', exp(mul(toF(n), g.kind === 'mt' ? log(q) : log1p(neg(p))))),
    set('np', mul(toF(n), p)),
    set('bound', toInt(bf('min', toF(n), add(np, mul(K(10), sqrt(add(mul(np, q), K(1)))))))),
    set('X', c64(0)), set('px', qn), set('U', g.double()),
    { k: 'while', label: 'inv', cond: gt(U, px), body: [
      set('X', b64('add', X, c64(1))),
      when(b64('gt_s', X, bound), [set('X', c64(0)), set('px', qn), set('U', g.double())], [
        set('U', sub(U, px)),
        set('px', div(mul(mul(toF(b64('add', b64('sub', n, X), c64(1))), p), px), mul(toF(X), q))),
      ]),
    ] },
    ret(X),
  ]);
}

/** `__<gen>_binomial_btpe(st, n, p)`: BTPE (Kachitvichyanukul and Schmeiser 1988) for n min(p, 1-p) > 30. */
function binomialBtpe(g: Gen): Func {
  const v = (name: string) => gf(name), i = (name: string) => g64(name);
  const n = i('n'), p = v('p'), r = v('r'), q = v('q'), fm = v('fm'), m = i('m'), p1 = v('p1'), xm = v('xm'), xl = v('xl'), xr = v('xr'), c = v('c');
  const laml = v('laml'), lamr = v('lamr'), p2 = v('p2'), p3 = v('p3'), p4 = v('p4'), a = v('a'), u = v('u'), x = v('x'), s = v('s'), F = v('F');
  const y = i('y'), k = i('k'), ii = i('i'), nrq = v('nrq'), A = v('A'), rho = v('rho'), t = v('t');
  const x1 = v('x1'), f1 = v('f1'), z = v('z'), w = v('w'), fN = toF(n), fm_ = toF(m);
  const V = v('v');
  /** (13680 - (462 - (132 - (99 - 140 / s2) / s2) / s2) / s2) / s / 166320: Stirling's correction at s. */
  const stirling = (s0: Expr) => {
    const s2 = mul(s0, s0);
    return div(div(sub(K(13680), div(sub(K(462), div(sub(K(132), div(sub(K(99), div(K(140), s2)), s2)), s2)), s2)), s0), K(166320));
  };
  const accept = 'step10'; // leaving the loop accepts y; continuing it draws again
  const step50: Stmt[] = [
    set('k', b64('sub', y, m)), when(b64('lt_s', k, c64(0)), [set('k', b64('sub', c64(0), k))]),
    when(not(and(b64('gt_s', k, c64(20)), lt(toF(k), sub(div(nrq, K(2)), K(1))))), [
      // Explicit evaluation of f(y) / f(m).
      set('s', div(r, q)), set('a', mul(s, toF(b64('add', n, c64(1))))), set('F', K(1)),
      when(b64('lt_s', m, y), [
        { k: 'for', label: 'up', v: 'i', t: 'i64', start: b64('add', m, c64(1)), stop: b64('add', y, c64(1)), step: c64(1), body: [set('F', mul(F, sub(div(a, toF(ii)), s)))] },
      ], [
        when(b64('gt_s', m, y), [
          { k: 'for', label: 'dn', v: 'i', t: 'i64', start: b64('add', y, c64(1)), stop: b64('add', m, c64(1)), step: c64(1), body: [set('F', div(F, sub(div(a, toF(ii)), s)))] },
        ]),
      ]),
      when(gt(V, F), [again('step10')]),
      brk(accept),
    ]),
    // Squeeze on log f(y) / f(m), then the exact bound with Stirling's corrections.
    set('rho', mul(div(toF(k), nrq), add(div(add(mul(toF(k), add(div(toF(k), K(3)), K(0.625))), K(0.16666666666666666)), nrq), K(0.5)))),
    set('t', div(toF(b64('mul', b64('sub', c64(0), k), k)), mul(K(2), nrq))),
    set('A', log(V)),
    when(lt(A, sub(t, rho)), [brk(accept)]),
    when(gt(A, add(t, rho)), [again('step10')]),
    set('x1', add(toF(y), K(1))), set('f1', add(fm_, K(1))), set('z', sub(add(fN, K(1)), fm_)), set('w', add(sub(fN, toF(y)), K(1))),
    when(gt(A, add(add(add(add(add(add(
      mul(xm, log(div(f1, x1))),
      mul(add(toF(b64('sub', n, m)), K(0.5)), log(div(z, w)))),
      mul(toF(b64('sub', y, m)), log(div(mul(w, r), mul(x1, q))))),
      stirling(f1)), stirling(z)), stirling(x1)), stirling(w))), [again('step10')]),
    brk(accept),
  ];
  const fLocals = fl('r', 'q', 'fm', 'p1', 'xm', 'xl', 'xr', 'c', 'laml', 'lamr', 'p2', 'p3', 'p4', 'a', 'u', 'v', 'x', 's', 'F', 'nrq', 'A', 'rho', 't', 'x1', 'f1', 'z', 'w');
  return fn(`${distFn(g.kind, 'binomial')}_btpe`, [...ST, ...locals('i64', 'n'), ...fl('p')], ['i64'], [...fLocals, ...locals('i64', 'm', 'y', 'k', 'i')], [
    set('r', bf('min', p, sub(K(1), p))), set('q', sub(K(1), r)),
    set('fm', add(mul(fN, r), r)), set('m', toInt(floor(fm))),
    set('p1', add(floor(sub(mul(K(2.195), sqrt(mul(mul(fN, r), q))), mul(K(4.6), q))), K(0.5))),
    set('xm', add(fm_, K(0.5))), set('xl', sub(xm, p1)), set('xr', add(xm, p1)),
    set('c', add(K(0.134), div(K(20.5), add(K(15.3), fm_)))),
    set('a', div(sub(fm, xl), sub(fm, mul(xl, r)))), set('laml', mul(a, add(K(1), div(a, K(2))))),
    set('a', div(sub(xr, fm), mul(xr, q))), set('lamr', mul(a, add(K(1), div(a, K(2))))),
    set('p2', mul(p1, add(K(1), mul(K(2), c)))), set('p3', add(p2, div(c, laml))), set('p4', add(p3, div(c, lamr))),
    loop('step10', [
        set('nrq', mul(mul(fN, r), q)),
        set('u', mul(g.double(), p4)), set('v', g.double()),
        when(le(u, p1), [set('y', toInt(floor(add(sub(xm, mul(p1, V)), u)))), brk(accept)]),
        when(le(u, p2), [
          set('x', add(xl, div(sub(u, p1), c))),
          set('v', sub(add(mul(V, c), K(1)), div(un('abs', 'f64', add(sub(fm_, x), K(0.5))), p1))),
          when(gt(V, K(1)), [again('step10')]),
          set('y', toInt(floor(x))),
        ], [
          when(le(u, p3), [
            set('y', toInt(floor(add(xl, div(log(V), laml))))),
            when(or(b64('lt_s', y, c64(0)), eq(V, K(0))), [again('step10')]),
            set('v', mul(mul(V, sub(u, p2)), laml)),
          ], [
            set('y', toInt(floor(sub(xr, div(log(V), lamr))))),
            when(or(b64('gt_s', y, n), eq(V, K(0))), [again('step10')]),
            set('v', mul(mul(V, sub(u, p3)), lamr)),
          ]),
        ]),
      ...step50,
    ]),
    ret(select64(gt(p, K(0.5)), b64('sub', n, y), y)),
  ]);
}
const select64 = (cond: Expr, a: Expr, b: Expr): Expr => ({ k: 'select', t: 'i64', cond, a, b });

function binomial(g: Gen): Func {
  const p = gf('p'), n = g64('n'), q = gf('q');
  const inv = `${distFn(g.kind, 'binomial')}_inv`, btpe = `${distFn(g.kind, 'binomial')}_btpe`;
  const pick = (pp: Expr) => when(le(mul(pp, toF(n)), K(30)), [set('x', call(inv, 'i64', S, n, pp))], [set('x', call(btpe, 'i64', S, n, pp))]);
  return dist(g, 'binomial', ['p', 'n'], [...fl('q'), ...locals('i64', 'x')], [
    ...(g.kind === 'pcg' ? [when(or(b64('eq', n, c64(0)), eq(p, K(0))), [ret(c64(0))])] : []),
    when(le(p, K(0.5)), [pick(p), ret(g64('x'))]),
    set('q', sub(K(1), p)), pick(q),
    ret(b64('sub', n, g64('x'))),
  ]);
}

function geometric(g: Gen): Func {
  const p = gf('p'), U = gf('U'), sum = gf('sum'), prod = gf('prod'), X = g64('X'), z = gf('z');
  return dist(g, 'geometric', ['p'], [...fl('U', 'sum', 'prod', 'z'), ...locals('i64', 'X')], [
    when(ge(p, K(0.333333333333333333333333)), [
      set('X', c64(1)), set('sum', p), set('prod', p), set('U', g.double()),
      { k: 'while', label: 'search', cond: gt(U, sum), body: [
        set('prod', mul(prod, sub(K(1), p))), set('sum', add(sum, prod)), set('X', b64('add', X, c64(1))),
      ] },
      ret(X),
    ]),
    ...(g.kind === 'mt' ? [ret(toInt(un('ceil', 'f64', div(log1p(neg(g.double())), log(sub(K(1), p))))))] : [
      set('z', un('ceil', 'f64', div(neg(draw(g, 'standard_exponential')), log1p(neg(p))))),
      ret(toInt(z)), // saturates at INT64_MAX as NumPy caps it
    ]),
  ]);
}

/** The closed forms and rejections on one uniform. */
function simple(g: Gen): Func[] {
  const E = () => draw(g, 'standard_exponential'), U = gf('U');
  const loc = gf('loc'), scale = gf('scale');
  return [
    dist(g, 'exponential', ['scale'], [], [ret(mul(scale, E()))]),
    dist(g, 'gamma', ['shape', 'scale'], [], [ret(mul(scale, draw(g, 'standard_gamma', gf('shape'))))]),
    dist(g, 'chisquare', ['df'], [], [ret(mul(K(2), draw(g, 'standard_gamma', div(gf('df'), K(2)))))]),
    dist(g, 'lognormal', ['mean', 'sigma'], [], [ret(exp(add(gf('mean'), mul(gf('sigma'), g.gauss()))))]),
    dist(g, 'weibull', ['a'], [], [when(eq(gf('a'), K(0)), [ret(K(0))]), ret(pow(E(), div(K(1), gf('a'))))]),
    dist(g, 'pareto', ['a'], [], [ret(g.kind === 'mt' ? sub(exp(div(E(), gf('a'))), K(1)) : expm1(div(E(), gf('a'))))]),
    dist(g, 'standard_cauchy', [], fl('num'), [set('num', g.gauss()), ret(div(gf('num'), g.gauss()))]),
    dist(g, 'standard_t', ['df'], fl('num', 'den'), [
      set('num', g.gauss()), set('den', draw(g, 'standard_gamma', div(gf('df'), K(2)))),
      ret(div(mul(sqrt(div(gf('df'), K(2))), gf('num')), sqrt(gf('den')))),
    ]),
    dist(g, 'laplace', ['loc', 'scale'], fl('U'), [
      loop('draw', [
        set('U', g.double()),
        when(ge(U, K(0.5)), [ret(sub(loc, mul(scale, log(sub(sub(K(2), U), U)))))]),
        when(gt(U, K(0)), [ret(add(loc, mul(scale, log(add(U, U)))))]),
      ]),
    ]),
    dist(g, 'logistic', ['loc', 'scale'], fl('U'), [
      loop('draw', [set('U', g.double()), when(gt(U, K(0)), [ret(add(loc, mul(scale, log(div(U, sub(K(1), U))))))])]),
    ]),
    dist(g, 'triangular', ['left', 'mode', 'right'], fl('base', 'lb', 'U'), [
      set('base', sub(gf('right'), gf('left'))), set('lb', sub(gf('mode'), gf('left'))),
      set('U', g.double()),
      when(le(U, div(gf('lb'), gf('base'))), [ret(add(gf('left'), sqrt(mul(U, mul(gf('lb'), gf('base'))))))]),
      ret(sub(gf('right'), sqrt(mul(sub(K(1), U), mul(sub(gf('right'), gf('mode')), gf('base')))))),
    ]),
  ];
}

/** Every distribution for both generators; `tables` as for randomLibrary (the ziggurat tables' address). */
export function distributionLibrary(tables: number): Func[] {
  const out: Func[] = [loggam()];
  for (const g of GENS) {
    out.push(standardExponential(g, tables), standardGamma(g), beta(g), poisson(g), binomialInversion(g), binomialBtpe(g), binomial(g), geometric(g), ...simple(g));
  }
  return out;
}
