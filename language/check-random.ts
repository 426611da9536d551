// Typing of np.random calls (the checker's part; lowering is compiler/lower/random-calls.ts): the
// module-level legacy functions, RandomState objects and default_rng Generators, their arguments
// by NumPy's parameter names, and the types NumPy gives their results.
import type * as A from './ast.js';
import { Code } from './diagnostics.js';
import { type DType, type Type, array, scalar, FLOAT, INT, NONE, isFloat, isInt, showType } from './types.js';
import { Unknown } from './check-base.js';
import type { Checker } from './checker.js';

/**
 * The distributions of compiler/random-dists.ts, for both APIs: NumPy's parameter names (before
 * `size`) and defaults (null: required). `int`: the result is an integer (int64 arrays, Python ints).
 */
export const DIST_PARAMS: Record<string, { names: string[]; defaults: (number | null)[]; int?: boolean }> = {
  standard_exponential: { names: [], defaults: [] },
  exponential: { names: ['scale'], defaults: [1] },
  standard_gamma: { names: ['shape'], defaults: [null] },
  gamma: { names: ['shape', 'scale'], defaults: [null, 1] },
  beta: { names: ['a', 'b'], defaults: [null, null] },
  chisquare: { names: ['df'], defaults: [null] },
  lognormal: { names: ['mean', 'sigma'], defaults: [0, 1] },
  poisson: { names: ['lam'], defaults: [1], int: true },
  binomial: { names: ['n', 'p'], defaults: [null, null], int: true },
  geometric: { names: ['p'], defaults: [null], int: true },
  laplace: { names: ['loc', 'scale'], defaults: [0, 1] },
  logistic: { names: ['loc', 'scale'], defaults: [0, 1] },
  triangular: { names: ['left', 'mode', 'right'], defaults: [null, null, null] },
  weibull: { names: ['a'], defaults: [null] },
  pareto: { names: ['a'], defaults: [null] },
  standard_cauchy: { names: [], defaults: [] },
  standard_t: { names: ['df'], defaults: [null] },
};
const DIST_NAMES = Object.keys(DIST_PARAMS);
/** NumPy's legacy random functions (np.random.*, and the methods of a RandomState). */
export const RANDOM_FNS = new Set(['seed', 'random', 'random_sample', 'rand', 'ranf', 'sample', 'randn', 'standard_normal', 'randint', 'uniform', 'normal', 'shuffle', 'permutation', 'choice', ...DIST_NAMES]);
/** The methods of a Generator (np.random.default_rng). */
export const GENERATOR_FNS = new Set(['random', 'integers', 'standard_normal', 'normal', 'uniform', 'shuffle', 'permutation', 'choice', ...DIST_NAMES]);

/**
 * `np.random.rand(3)`, `np.random.seed(1)`, `rng = np.random.default_rng(42)`, `rng.integers(0, 10, size=5)`:
 * NumPy's streams (compiler/random.ts). Arguments are numbers; `size` an int or a tuple of ints.
 * A scalar result is a Python number, as NumPy returns one (`integers` gives a NumPy int64).
 */
export function randomCall(ck: Checker, c: A.Call, name: string, self: A.Expr | null): Type {
  const method = name.startsWith('.rng:');
  const fn = method ? name.slice(5) : name.slice('random.'.length);
  const gen: 'mt' | 'pcg' = method ? (ck.expr(self!) as Type & { kind: 'rng' }).gen : 'mt';
  const shown = method ? `${gen === 'mt' ? 'RandomState' : 'Generator'}.${fn}` : `np.random.${fn}`;
  // In a prange, the module-level functions draw from the iteration's own stream (Note [Streams in
  // prange] in compiler/lower/random-calls.ts); everything else shared by threads would race. A draw
  // in a function called from parallel code is checked at run time.
  // A draw from a generator object named in a prange body is a draw from the iteration's stream,
  // seeded from that object (Note [Streams in prange]).
  if (ck.parDepth > 0 && !['default_rng', 'RandomState'].includes(fn)) {
    const why = ck.loops.includes('region') ? 'draw in a prange loop (each iteration gets its own stream) or before the region'
      : ['seed', 'shuffle', 'permutation', 'choice'].includes(fn) ? 'call it before the loop'
      : method && self!.kind !== 'Name' ? 'draw from a generator held in a variable (each prange iteration gets its own stream)' : null;
    if (why) ck.error(Code.Unsupported, `${shown}() in ${ck.loops.includes('region') ? 'a parallel region' : 'a parallel loop'} is not supported yet: ${why}`, c.span);
  }
  const num = (e: A.Expr, int = false) => {
    const t = ck.expr(e);
    if (t.kind !== 'scalar' || (int && isFloat(t.dtype))) ck.error(Code.Unsupported, t.kind === 'array' ? `${shown}() with array arguments is not supported yet (its arguments are numbers)` : `${shown}() needs ${int ? 'an integer' : 'a number'}, got ${showType(t)}`, e.span);
  };
  // Positional parameters after the first ones, NumPy's order.
  const params: Record<string, string[]> = {
    seed: ['seed'], random: ['size'], random_sample: ['size'], ranf: ['size'], sample: ['size'], standard_normal: ['size'],
    randint: ['low', 'high', 'size', 'dtype'], integers: ['low', 'high', 'size', 'dtype', 'endpoint'],
    uniform: ['low', 'high', 'size'], normal: ['loc', 'scale', 'size'], shuffle: ['x'], permutation: ['x'], choice: ['a', 'size', 'replace', 'p'],
    default_rng: ['seed'], RandomState: ['seed'],
    ...Object.fromEntries(DIST_NAMES.map((d) => [d, [...DIST_PARAMS[d].names, 'size']])),
  };
  const given = new Map<string, A.Expr>();
  if (fn === 'rand' || fn === 'randn') {
    ck.kw(c, [], fn);
    c.args.forEach((a) => num(a, true));
    return c.args.length ? array('float64', c.args.length) : FLOAT;
  }
  // Generator.random(size, dtype): float64 or float32.
  const names = fn === 'random' && gen === 'pcg' ? ['size', 'dtype'] : params[fn] ?? [];
  if (c.args.length > names.length) { ck.error(Code.ArgCount, `${shown}() takes at most ${names.length} positional arguments`, c.args[names.length].span); throw new Unknown(); }
  c.args.forEach((a, i) => given.set(names[i], a));
  for (const k of c.keywords) {
    if (!names.includes(k.name)) { ck.error(Code.ArgCount, `${shown}() got an unexpected keyword argument '${k.name}'`, k.span); continue; }
    if (given.has(k.name)) { ck.error(Code.ArgCount, `${shown}() got multiple values for argument '${k.name}'`, k.span); continue; }
    given.set(k.name, k.value);
  }
  // The call's arguments by name, for lowering (compiler/lower/random-calls.ts).
  ck.randomArgs.set(c, given);
  const sizeRank = (): number | null => {
    const s = given.get('size');
    if (!s || s.kind === 'None') return null;
    return ck.shapeArg(s);
  };
  // A parameter of uniform, normal or a distribution: a number or an array of numbers (broadcast, as
  // NumPy does: compiler/lower/random-params.ts); its rank.
  const param = (e: A.Expr): number => {
    const t = ck.expr(e);
    if (t.kind === 'array' && (isFloat(t.dtype) || isInt(t.dtype))) return t.ndim;
    if (t.kind !== 'scalar') ck.error(Code.TypeMismatch, `${shown}() needs a number or an array of numbers, got ${showType(t)}`, e.span);
    return 0;
  };
  const dist = DIST_PARAMS[fn];
  if (dist || fn === 'uniform' || fn === 'normal') {
    const names = dist ? dist.names : fn === 'uniform' ? ['low', 'high'] : ['loc', 'scale'];
    let rank = 0;
    names.forEach((k, i) => {
      const a = given.get(k);
      if (a) rank = Math.max(rank, param(a));
      else if (dist && dist.defaults[i] === null) { ck.error(Code.ArgCount, `${shown}() missing required argument '${k}'`, c.span); throw new Unknown(); }
    });
    const r = sizeRank() ?? (rank > 0 ? rank : null);
    const int = dist?.int ?? false;
    return r === null ? (int ? INT : FLOAT) : array(int ? 'int64' : 'float64', r);
  }
  switch (fn) {
    case 'seed': case 'default_rng': case 'RandomState': {
      const s = given.get('seed');
      if (s && s.kind !== 'None') num(s, true);
      if (fn === 'seed') return NONE;
      return { kind: 'rng', gen: fn === 'default_rng' ? 'pcg' : 'mt' };
    }
    case 'random': case 'random_sample': case 'ranf': case 'sample': case 'standard_normal': {
      const r = sizeRank();
      const dt = given.get('dtype');
      const d = dt ? ck.dtypeOf(dt) ?? 'float64' : 'float64';
      if (d !== 'float64' && d !== 'float32') ck.error(Code.Unsupported, `${shown}(dtype=${d}) is not supported (float64 and float32 are)`, dt!.span);
      // A scalar comes back as a Python float (NumPy converts the C float).
      if (d === 'float32') return r === null ? FLOAT : array('float32', r);
      return r === null ? FLOAT : array('float64', r);
    }
    case 'randint': case 'integers': {
      const low = given.get('low');
      if (!low) { ck.error(Code.ArgCount, `${shown}() missing required argument 'low'`, c.span); throw new Unknown(); }
      num(low, true);
      const high = given.get('high');
      if (high && high.kind !== 'None') num(high, true);
      const end = given.get('endpoint');
      if (end && end.kind !== 'Bool') ck.error(Code.TypeMismatch, 'endpoint must be True or False', end.span);
      const dt = given.get('dtype');
      const d = dt ? ck.dtypeOf(dt) ?? 'int64' : 'int64';
      // NumPy draws narrower and unsigned dtypes with their own bounded algorithms (other streams).
      if (d !== 'int32' && d !== 'int64') ck.error(Code.Unsupported, `${shown}(dtype=${d}) is not supported (int32 and int64 are)`, dt!.span);
      const r = sizeRank();
      return r === null ? (fn === 'randint' && d === 'int64' ? INT : scalar(d)) : array(d, r);
    }
    case 'shuffle': case 'permutation': {
      const x = given.get('x');
      if (!x) { ck.error(Code.ArgCount, `${shown}() missing required argument 'x'`, c.span); throw new Unknown(); }
      const t = ck.expr(x);
      if (fn === 'permutation' && t.kind === 'scalar' && !isFloat(t.dtype)) return array('int64', 1);
      if (t.kind !== 'array') { ck.error(Code.TypeMismatch, `${shown}() needs an array${fn === 'permutation' ? ' or an integer' : ''}, got ${showType(t)}`, x.span); throw new Unknown(); }
      return fn === 'shuffle' ? NONE : array(t.dtype, t.ndim);
    }
    case 'choice': {
      const a = given.get('a');
      if (!a) { ck.error(Code.ArgCount, `${shown}() missing required argument 'a'`, c.span); throw new Unknown(); }
      const t = ck.expr(a);
      const rep = given.get('replace');
      if (rep && rep.kind !== 'Bool') ck.error(Code.TypeMismatch, 'replace must be True or False', rep.span);
      const p = given.get('p');
      if (p && p.kind !== 'None') {
        const pt = ck.expr(p);
        if (pt.kind !== 'array' || pt.ndim !== 1 || !(isFloat(pt.dtype) || isInt(pt.dtype))) ck.error(Code.TypeMismatch, `${shown}(p=...) needs a 1-d array of probabilities, got ${showType(pt)}`, p.span);
        else if (rep?.kind === 'Bool' && !rep.value) ck.error(Code.Unsupported, `${shown}(replace=False, p=...) is not supported yet`, c.span);
      }
      const elem: DType = t.kind === 'array' ? t.dtype : 'int64';
      if (t.kind === 'array' ? t.ndim !== 1 : t.kind !== 'scalar' || isFloat(t.dtype)) { ck.error(Code.TypeMismatch, `${shown}() needs a 1-d array or an integer, got ${showType(t)}`, a.span); throw new Unknown(); }
      const r = sizeRank();
      return r === null ? (t.kind === 'array' ? scalar(elem) : INT) : array(elem, r);
    }
  }
  ck.error(Code.Unsupported, `${shown}() is not supported yet`, c.span);
  throw new Unknown();
}
