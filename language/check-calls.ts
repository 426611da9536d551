// Typing of calls of Par's builtins other than the library's (check-numpy.ts), strings'
// (check-strings.ts), lists' (check-lists.ts) and np.random's (check-random.ts): ufuncs, creation,
// print, len, conversions, shapes and views, dot/where/clip, atomics, pmap, Numba's thread functions;
// and Python's math module (mathCall): with numbers Python's functions (a Python float, an int for
// floor/ceil/trunc, CPython's errors), with an array NumPy's function of the same meaning.
import type * as A from './ast.js';
import { Code } from './diagnostics.js';
import {
  type DType, type Type, array, scalar, BOOL, FLOAT, INT, NONE, STR, promote, elemOf, showType, isFloat, isInt, promoteDtypes, floatOf,
} from './types.js';
import { Unknown } from './check-base.js';
import { BINARY_UFUNCS, EXCEPTIONS, LIBRARY_FNS, MATH_FNS, NUMPY_EXTRA, REDUCE_FNS, STATS_FNS, FILE_FNS, UNARY_UFUNCS } from './builtins.js';
import { fileCall } from './check-files.js';
import { statsCall } from './check-stats.js';
import type { Checker, FuncInstance } from './checker.js';
import { arrayOfList, listCall, listElem, listMethod, listReduce } from './check-lists.js';
import { axesArgs, constShape, library, mathProd, numpyExtra, numpyMore, permutation, reduction, tupleFold, ufuncDtype } from './check-numpy.js';
import { randomCall } from './check-random.js';
import { PRINTABLE, printable, strMethod } from './check-strings.js';
import { complexCall } from './check-complex.js';
import { builtinAsFunction } from './check-fnargs.js';
import { interpCall } from './check-interp.js';
import { ARRANGEMENT_FNS, arrangementCall } from './check-arrangement.js';

export function builtin(ck: Checker, c: A.Call, name: string, self: A.Expr | null): Type {
  const args = self ? [self, ...c.args] : c.args;
  const fname = self ? name.slice(1) : name;
  if (EXCEPTIONS.has(name)) {
    if (c.args.length > 1 || (c.args[0] && ck.expr(c.args[0]).kind !== 'str')) ck.error(Code.TypeMismatch, `${name}() takes one message, a string`, c.span);
    return { kind: 'exception', name };
  }
  if (name.startsWith('.s:')) return strMethod(ck, c, name.slice(3));
  const cx = complexCall(ck, c, name);
  if (cx) return cx;
  if (name.startsWith('math.')) return mathCall(ck, c, name.slice(5));
  if (UNARY_UFUNCS.has(name)) {
    const kw = ck.kw(c, name === 'isnan' || name === 'isinf' || name === 'isfinite' ? [] : name === 'round' ? ['dtype', 'decimals'] : ['dtype'], name);
    ck.nargs(c, 1, name === 'round' ? 2 : 1, name);
    const t = ck.valueArg(c.args[0], name);
    if (ck.methodCalls.has(c) && t.kind === 'scalar' && t.weak) {
      ck.error(Code.UndefinedName, `'${t.dtype === 'float64' ? 'float' : t.dtype === 'bool' ? 'bool' : 'int'}' object has no attribute 'round'`, c.func.span);
    }
    const dec = c.args[1] ?? kw.get('decimals')?.value;
    if (dec) {
      const dt = ck.expr(dec);
      if (dt.kind !== 'scalar' || isFloat(dt.dtype)) ck.error(Code.TypeMismatch, `round() decimals must be an integer, got ${showType(dt)}`, dec.span);
    }
    const el = elemOf(t)!;
    let d = el.dtype;
    if (['isnan', 'isinf', 'isfinite'].includes(name)) d = 'bool';
    else if (['abs', 'fabs', 'floor', 'ceil', 'round', 'sign', 'negative', 'trunc', 'square'].includes(name)) {
      if (d === 'bool' && name !== 'abs') d = name === 'sign' || name === 'negative' || name === 'square' ? 'int64' : 'bool';
      if (name === 'fabs' && !isFloat(d)) d = 'float64';
    } else if (!isFloat(d)) d = floatResult(ck, name, d, c);
    const forced = kw.get('dtype');
    if (forced) d = ufuncDtype(ck, name, forced, [t], d);
    if (t.kind === 'array') return array(d, t.ndim);
    return scalar(d, !forced && (name === 'abs' || name === 'round') ? el.weak : false);
  }
  if (BINARY_UFUNCS.has(name)) {
    ck.nargs(c, 2, 2, name);
    const kw = ck.kw(c, ['dtype'], name);
    const a = ck.valueArg(c.args[0], name), b = ck.valueArg(c.args[1], name);
    let p = promote(elemOf(a)!, elemOf(b)!);
    if ((name === 'arctan2' || name === 'hypot' || name === 'copysign') && !isFloat(p.dtype)) {
      // NumPy's loop: the narrowest float both operands cast to safely (float32 for two 16-bit ints).
      const strong = [elemOf(a)!, elemOf(b)!].filter((x) => !x.weak).map((x) => floatResult(ck, name, x.dtype, c));
      p = { dtype: strong.length ? strong.reduce(promoteDtypes) : 'float64', weak: false };
    }
    if (kw.get('dtype')) p = { dtype: ufuncDtype(ck, name, kw.get('dtype')!, [a, b], p.dtype), weak: false };
    if (a.kind === 'array' || b.kind === 'array') return array(p.dtype, ck.broadcastRank(a, b, c.span));
    return scalar(p.dtype, false);
  }
  if (['sum', 'min', 'max', 'any', 'all'].includes(fname) && !self && c.args.length === 1 && !c.keywords.length && ['list', 'range'].includes(ck.expr(c.args[0]).kind)) return listReduce(ck, c, fname);
  // Python's builtins of a tuple (sum(a.shape)); np.sum(t) is NumPy's, of the array the tuple makes (reduction()).
  if (['sum', 'min', 'max', 'any', 'all'].includes(fname) && !self && c.func.kind === 'Name' && ck.imports.names.get(c.func.id)?.module !== 'numpy' && c.args.length === 1 && !c.keywords.length && ck.expr(c.args[0]).kind === 'tuple') return tupleFold(ck, c, fname, ck.expr(c.args[0]) as Type & { kind: 'tuple' }, null);
  if (REDUCE_FNS.has(fname)) return reduction(ck, c, fname, args);
  if (name.startsWith('.l:')) return listMethod(ck, c, name.slice(3), self!);
  if (name.startsWith('random.') || name.startsWith('.rng:')) return randomCall(ck, c, name, self);
  if (LIBRARY_FNS.has(fname)) return library(ck, c, fname, args, self !== null);
  if (ARRANGEMENT_FNS.has(name)) return arrangementCall(ck, c, name, args);
  if (name === 'interp') return interpCall(ck, c);
  if (['divmod', 'np.divmod', 'roll', 'meshgrid', 'bincount', 'isclose', 'allclose', 'nonzero', '.nonzero', 'linalg.norm'].includes(name) || (name === 'where' && c.args.length === 1)) return numpyMore(ck, c, name, args);
  if (NUMPY_EXTRA.has(name)) return numpyExtra(ck, c, name, args);
  if (STATS_FNS.has(name)) return statsCall(ck, c, name);
  if (FILE_FNS.has(name)) return fileCall(ck, c, name);
  switch (name) {
    case 'print': case 'p.print':
      for (const a of c.args) {
        const t = ck.expr(a);
        if (!PRINTABLE.has(t.kind) && t.kind !== 'complex') ck.error(Code.TypeMismatch, `cannot print ${showType(t)}`, a.span);
      }
      for (const k of c.keywords) {
        if (k.name !== 'sep' && k.name !== 'end') ck.error(Code.ArgCount, `print() got an unexpected keyword argument '${k.name}'`, k.span);
        else if (ck.expr(k.value).kind !== 'str' && k.value.kind !== 'None') ck.error(Code.TypeMismatch, `print(${k.name}=...) must be a string`, k.value.span);
      }
      return NONE;
    case 'range':
      ck.rangeCall(c, 'range');
      return { kind: 'range' };
    case 'prange': case 'p.range': case 'p.xrange':
      ck.error(Code.Unsupported, `${name}() can only be used as the iterable of a for loop`, c.span);
      throw new Unknown();
    case 'enumerate': case 'zip': case 'reversed':
      ck.error(Code.Unsupported, `${name}() is supported as the iterable of a for loop or comprehension${name === 'reversed' ? ' and inside list()' : ''}`, c.span);
      throw new Unknown();
    case 'list': return listCall(ck, c);
    case 'sorted': {
      ck.nargs(c, 1, 1, 'sorted');
      const rev = ck.kw(c, ['reverse'], 'sorted').get('reverse')?.value;
      if (rev && ck.expr(rev).kind !== 'scalar') ck.error(Code.TypeMismatch, 'sorted(reverse=...) must be a boolean', rev.span);
      const elem = ck.iterElem(c.args[0]);
      if (elem.kind !== 'scalar' && elem.kind !== 'str' && elem.kind !== 'tuple') { ck.error(Code.Unsupported, `sorted() sorts numbers, strings and tuples in Par, not ${showType(elem)}`, c.args[0].span); throw new Unknown(); }
      return { kind: 'list', elem: listElem(ck, elem, c.args[0].span) };
    }
    case 'p.barrier':
      ck.nargs(c, 0, 0, 'barrier');
      // Every thread must reach the same barriers: one holding the lock, or inside its own share of
      // a loop, would leave the others waiting forever.
      if (ck.locks > 0) ck.error(Code.Unsupported, "p.barrier() inside 'with p.lock' would wait forever: the other threads cannot take the lock to reach it", c.span);
      else if (ck.loops.slice(ck.loops.lastIndexOf('region') + 1).some((l) => l === 'share' || l === 'prange')) ck.error(Code.Unsupported, 'p.barrier() inside a p.range, p.xrange or prange loop: the threads run different numbers of iterations, so they would not all reach it', c.span);
      return NONE;
    case 'len': {
      ck.nargs(c, 1, 1, 'len');
      const t = ck.expr(c.args[0]);
      if (t.kind === 'tuple' || t.kind === 'str' || t.kind === 'list' || t.kind === 'range') return INT;
      if (t.kind !== 'array') { ck.error(Code.TypeMismatch, `len() needs an array or a tuple, got ${showType(t)}`, c.args[0].span); throw new Unknown(); }
      return INT;
    }
    case 'int': case 'float': case 'bool':
      return ck.convert(c, name === 'int' ? 'int64' : name === 'float' ? 'float64' : 'bool', true);
    case 'str': case 'repr': case 'ascii': {
      ck.nargs(c, name === 'str' ? 0 : 1, 1, name);
      ck.kw(c, [], name);
      if (c.args[0]) printable(ck, c.args[0], name);
      return STR;
    }
    case 'format': {
      ck.nargs(c, 1, 2, 'format');
      printable(ck, c.args[0], 'format');
      if (c.args[1] && ck.expr(c.args[1]).kind !== 'str') ck.error(Code.TypeMismatch, 'format() argument 2 must be str', c.args[1].span);
      return STR;
    }
    case 'wtime': ck.nargs(c, 0, 0, 'wtime'); return scalar('float64', true);
    case 'imshow': {
      ck.nargs(c, 1, 1, 'imshow');
      ck.kw(c, [], 'imshow');
      const t = ck.arrayArg(c.args[0], 'imshow');
      if (t.ndim !== 2) ck.error(Code.TypeMismatch, `imshow() needs a 2-d array, got ${showType(t)}`, c.args[0].span);
      return NONE;
    }
    case 'shape': { ck.nargs(c, 1, 1, 'shape'); const t = ck.arrayArg(c.args[0], 'shape'); return { kind: 'tuple', elems: Array(t.ndim).fill(INT) }; }
    case 'ndim': case 'size': ck.nargs(c, 1, 1, name); ck.arrayArg(c.args[0], name); return INT;
    case 'zeros': case 'ones': case 'empty': {
      ck.nargs(c, 1, 1, name);
      const kw = ck.kw(c, ['dtype'], name);
      return array(ck.dtypeArg(kw.get('dtype'), 'float64'), ck.shapeArg(c.args[0]), constShape(c.args[0]));
    }
    case 'full': {
      const kw = ck.kw(c, ['dtype', 'fill_value'], name);
      if (c.args.length < 1 || c.args.length + (kw.has('fill_value') ? 1 : 0) !== 2) ck.nargs(c, 2, 2, name);
      const rank = ck.shapeArg(c.args[0]);
      const fill = c.args[1] ?? kw.get('fill_value')!.value;
      const given = kw.has('dtype') ? ck.dtypeArg(kw.get('dtype'), 'float64') : null;
      if (given) ck.allowUint64Literal(fill, given);
      const vt = ck.expr(fill);
      if (vt.kind !== 'scalar') { ck.error(Code.TypeMismatch, `full() needs a scalar fill value, got ${showType(vt)}`, c.span); throw new Unknown(); }
      const d = given ?? vt.dtype;
      ck.literalFits(fill, d);
      return array(d, rank, constShape(c.args[0]));
    }
    case 'zeros_like': case 'ones_like': case 'empty_like': case 'full_like': {
      ck.nargs(c, name === 'full_like' ? 2 : 1, name === 'full_like' ? 2 : 1, name);
      const kw = ck.kw(c, ['dtype'], name);
      const t = ck.arrayArg(c.args[0], name);
      if (name === 'full_like') ck.valueArg(c.args[1], name);
      return array(ck.dtypeArg(kw.get('dtype'), t.dtype), t.ndim);
    }
    case 'eye': {
      ck.nargs(c, 1, 2, 'eye');
      const kw = ck.kw(c, ['dtype', 'M', 'k'], 'eye');
      for (const a of c.args) ck.intArg(a, 'eye');
      if (kw.get('M')) ck.intArg(kw.get('M')!.value, 'eye');
      if (kw.get('k')) ck.intArg(kw.get('k')!.value, 'eye');
      return array(ck.dtypeArg(kw.get('dtype'), 'float64'), 2);
    }
    case 'arange': {
      ck.nargs(c, 1, 3, 'arange');
      const kw = ck.kw(c, ['dtype'], 'arange');
      let d: DType = 'int64';
      for (const a of c.args) {
        const t = ck.expr(a);
        if (t.kind !== 'scalar') { ck.error(Code.TypeMismatch, `arange() needs numbers, got ${showType(t)}`, a.span); throw new Unknown(); }
        if (isFloat(t.dtype)) d = 'float64';
      }
      return array(ck.dtypeArg(kw.get('dtype'), d), 1);
    }
    case 'linspace': {
      ck.nargs(c, 2, 3, 'linspace');
      const kw = ck.kw(c, ['num', 'endpoint', 'dtype', 'retstep', 'axis'], 'linspace');
      const retstep = kw.get('retstep')?.value, axis = kw.get('axis')?.value;
      if (retstep && !(retstep.kind === 'Bool' && !retstep.value)) ck.error(Code.Unsupported, 'linspace(retstep=True) is not supported in Par; compute the step as (stop - start) / (num - 1)', retstep.span);
      if (axis && !(axis.kind === 'Int' && axis.value === 0n)) ck.error(Code.Unsupported, 'linspace(axis=...) is not supported in Par (bounds are numbers)', axis.span);
      for (const a of c.args.slice(0, 2)) { const t = ck.expr(a); if (t.kind !== 'scalar') ck.error(Code.TypeMismatch, 'linspace() bounds must be numbers', a.span); }
      if (c.args[2]) ck.intArg(c.args[2], 'linspace');
      if (kw.get('num')) ck.intArg(kw.get('num')!.value, 'linspace');
      if (kw.get('endpoint')) ck.expr(kw.get('endpoint')!.value);
      return array(ck.dtypeArg(kw.get('dtype'), 'float64'), 1);
    }
    case 'array': case 'asarray': {
      ck.nargs(c, 1, 1, name);
      const kw = ck.kw(c, ['dtype'], name);
      const a = c.args[0];
      // A literal holding arrays (np.array([x, y])) is a list of arrays; one of numbers stays a nested literal.
      const holdsArrays = (x: A.Expr): boolean => (x.kind === 'List' || x.kind === 'Tuple' ? x.elts.some(holdsArrays) : ck.expr(x).kind === 'array');
      const lt = a.kind === 'Tuple' || (a.kind === 'List' && !holdsArrays(a)) ? null : ck.expr(a);
      if (lt && lt.kind === 'list') return arrayOfList(ck, a, lt, kw.get('dtype'));
      if (a.kind !== 'List' && a.kind !== 'Tuple') {
        const t = ck.arrayArg(a, 'array');
        return array(ck.dtypeArg(kw.get('dtype'), t.dtype), t.ndim);
      }
      // NumPy 2 checks each Python int literal against the dtype asked for (uint64's may pass int64).
      const given = kw.get('dtype') ? ck.dtypeArg(kw.get('dtype'), 'float64') : null;
      const leaves = (x: A.Expr): A.Expr[] => (x.kind === 'List' || x.kind === 'Tuple' ? x.elts.flatMap(leaves) : [x]);
      if (given) for (const x of leaves(a)) ck.allowUint64Literal(x, given);
      const { dtype, ndim } = ck.listLiteral(a);
      if (given) for (const x of leaves(a)) ck.literalFits(x, given);
      return array(given ?? dtype, ndim);
    }
    case 'copy': case '.copy': { ck.nargs(c, self ? 0 : 1, self ? 0 : 1, 'copy'); const t = ck.arrayArg(args[0], 'copy'); return t; }
    case 'transpose': case '.transpose': case 'swapaxes': case '.swapaxes': case 'moveaxis': {
      const t = ck.arrayArg(args[0], fname);
      const axes = axesArgs(c, fname, self !== null);
      axes.forEach((x) => ck.expr(x));
      const perm = permutation(fname, t.ndim, axes);
      if (typeof perm === 'string') ck.error(perm.startsWith('axis') ? Code.ShapeMismatch : Code.TypeMismatch, perm, axes[0]?.span ?? c.span);
      return array(t.dtype, t.ndim);
    }
    case 'dtype': {
      ck.nargs(c, 1, 1, 'dtype');
      const d = ck.dtypeOf(c.args[0]);
      if (!d) throw new Unknown();
      return { kind: 'dtype', dtype: d };
    }
    case 'issubdtype': {
      ck.nargs(c, 2, 2, 'issubdtype');
      for (const a of c.args) {
        const t = ck.expr(a);
        if (t.kind !== 'dtype' && !(t.kind === 'builtin' && (t.name.startsWith('abstract:') || ['int', 'float', 'bool'].includes(t.name)))) ck.error(Code.TypeMismatch, `issubdtype() needs dtypes, got ${showType(t)}`, a.span);
      }
      return BOOL;
    }
    case 'get_num_threads': case 'get_thread_id': case 'threadid': ck.nargs(c, 0, 0, name); return INT;
    case 'set_num_threads': {
      ck.nargs(c, 1, 1, name);
      ck.intArg(c.args[0], name);
      return NONE;
    }
    case 'ravel': case '.ravel': { const t = ck.arrayArg(args[0], 'ravel'); return array(t.dtype, 1); }
    case 'reshape': case '.reshape': {
      const t = ck.arrayArg(args[0], 'reshape');
      const rest = args.slice(1);
      if (rest.length === 0) { ck.error(Code.ArgCount, 'reshape() needs a shape', c.span); throw new Unknown(); }
      const rank = rest.length === 1 ? ck.shapeArg(rest[0]) : rest.map((x) => ck.intArg(x, 'reshape')).length;
      if (rank > 4) ck.error(Code.Unsupported, 'arrays have at most 4 dimensions in Par', c.span);
      return array(t.dtype, rank);
    }
    case '.astype': {
      ck.nargs(c, 1, 1, 'astype');
      const t = ck.arrayArg(self!, 'astype');
      const d = ck.dtypeOf(c.args[0]);
      if (!d) throw new Unknown();
      return array(d, t.ndim);
    }
    case '.fill': { ck.nargs(c, 1, 1, 'fill'); ck.arrayArg(self!, 'fill'); ck.valueArg(c.args[0], 'fill'); return NONE; }
    case '.tolist': {
      ck.nargs(c, 0, 0, 'tolist');
      const t = ck.arrayArg(self!, 'tolist');
      // tolist() gives Python numbers (a float32 element becomes a float holding the same value).
      if (t.ndim !== 1) { ck.error(Code.Unsupported, 'tolist() of an array of more than one dimension is not supported yet (lists of lists are built with a comprehension)', c.span); throw new Unknown(); }
      return { kind: 'list', elem: scalar(isFloat(t.dtype) ? 'float64' : isInt(t.dtype) ? 'int64' : 'bool', true) };
    }
    case 'dot': case '.dot': case 'matmul': {
      if (!self) ck.nargs(c, 2, 2, name); else ck.nargs(c, 1, 1, 'dot');
      const a = ck.valueArg(args[0], name), b = ck.valueArg(args[1], name);
      if (a.kind !== 'array' || b.kind !== 'array') return ck.binaryType('*', a, b, c.span);
      return ck.matmulType(a, b, c.span);
    }
    case 'outer': {
      ck.nargs(c, 2, 2, 'outer');
      const a = ck.arrayArg(c.args[0], 'outer'), b = ck.arrayArg(c.args[1], 'outer');
      return array(promoteDtypes(a.dtype, b.dtype), 2);
    }
    case 'where': {
      ck.nargs(c, 3, 3, 'where');
      ck.kw(c, [], 'where');
      const cond = ck.valueArg(c.args[0], 'where');
      const a = ck.valueArg(c.args[1], 'where'), b = ck.valueArg(c.args[2], 'where');
      const p = promote(elemOf(a)!, elemOf(b)!);
      const rank = Math.max(cond.kind === 'array' ? cond.ndim : 0, a.kind === 'array' ? a.ndim : 0, b.kind === 'array' ? b.ndim : 0);
      return rank ? array(p.dtype, rank) : scalar(p.dtype);
    }
    case 'clip': {
      ck.nargs(c, 3, 3, 'clip');
      const a = ck.valueArg(c.args[0], 'clip'), lo = ck.valueArg(c.args[1], 'clip'), hi = ck.valueArg(c.args[2], 'clip');
      if (ck.methodCalls.has(c) && a.kind === 'scalar' && a.weak) ck.error(Code.UndefinedName, `'${a.dtype === 'float64' ? 'float' : a.dtype === 'bool' ? 'bool' : 'int'}' object has no attribute 'clip'`, c.func.span);
      let p = promote(promote(elemOf(a)!, elemOf(lo)!), elemOf(hi)!);
      const forced = ck.kw(c, ['dtype'], 'clip').get('dtype');
      if (forced) p = { dtype: ufuncDtype(ck, 'clip', forced, [a, lo, hi], p.dtype), weak: false };
      const rank = Math.max(...[a, lo, hi].map((t) => (t.kind === 'array' ? t.ndim : 0)));
      return rank ? array(p.dtype, rank) : scalar(p.dtype, p.weak);
    }
    case 'atomic_add': case 'atomic_max': case 'atomic_min': {
      ck.nargs(c, 3, 3, name);
      const a = ck.arrayArg(c.args[0], name);
      const it = ck.expr(c.args[1]);
      const n = it.kind === 'tuple' ? it.elems.length : 1;
      if (n !== a.ndim) ck.error(Code.TypeMismatch, `${name}() needs ${a.ndim} index${a.ndim === 1 ? '' : 'es'} for a ${a.ndim}-d array`, c.args[1].span);
      const bad = (it.kind === 'tuple' ? it.elems : [it]).find((t) => t.kind !== 'scalar' || isFloat(t.dtype));
      if (bad) ck.error(Code.TypeMismatch, `array indices must be integers, got ${showType(bad)}`, c.args[1].span);
      const vt = ck.expr(c.args[2]);
      if (vt.kind !== 'scalar') ck.error(Code.TypeMismatch, `${name}() adds a scalar, got ${showType(vt)}`, c.args[2].span);
      return scalar(a.dtype);
    }
    case 'pmap': {
      ck.nargs(c, 2, 2, 'pmap');
      const given = ck.expr(c.args[0]);
      const f = (given.kind === 'builtin' && builtinAsFunction(ck, given.name, c.args[0])) || given;
      const xs = ck.arrayArg(c.args[1], 'pmap');
      if (f.kind !== 'func') { ck.error(Code.TypeMismatch, 'pmap() needs a function defined with def as its first argument', c.args[0].span); throw new Unknown(); }
      if (xs.ndim !== 1) ck.error(Code.Unsupported, 'pmap() maps over a 1-d array', c.args[1].span);
      const et = scalar(xs.dtype);
      const rt = ck.userCall(c, ck.functions.get(f.name)!, [c.args[1]], [], [et]);
      ck.inst.types.set(c.args[1], xs);
      const inst = (ck.inst.calls.get(c) as { inst: FuncInstance }).inst;
      ck.inst.calls.set(c, { kind: 'user', inst });
      if (rt.kind !== 'scalar') { ck.error(Code.TypeMismatch, `pmap() needs a function returning a number, '${f.name}' returns ${showType(rt)}`, c.args[0].span); throw new Unknown(); }
      return array(rt.dtype, 1);
    }
    case 'parallel':
      ck.error(Code.Unsupported, 'parallel(...) is used as `with parallel(...) as p:`', c.span);
      throw new Unknown();
  }
  ck.error(Code.Unsupported, `${fname}() is not supported yet`, c.span);
  throw new Unknown();
}

/**
 * `math.f(...)`: Python's math function, whose value NumPy's f computes. With numbers: a Python
 * float (an int for floor/ceil/trunc, a bool for isnan/isinf/isfinite/isclose), and CPython's
 * errors (lowering checks them). With an array: NumPy's f, elementwise (Python's math takes numbers only).
 */
export function mathCall(ck: Checker, c: A.Call, id: string): Type {
  if (id === 'prod') return mathProd(ck, c);
  const fname = `math.${id}`;
  const two = ['atan2', 'hypot', 'copysign', 'fmod', 'pow', 'isclose'].includes(id);
  const kw = ck.kw(c, id === 'isclose' ? ['rel_tol', 'abs_tol'] : [], fname);
  ck.nargs(c, two ? 2 : 1, two || id === 'log' ? 2 : 1, fname);
  const ts = c.args.map((a) => ck.valueArg(a, fname));
  for (const k of kw.values()) {
    const kt = ck.expr(k.value);
    if (kt.kind !== 'scalar') ck.error(Code.TypeMismatch, `${fname}() ${k.name} must be a number, got ${showType(kt)}`, k.value.span);
  }
  if (ts.some((t) => t.kind === 'array')) {
    const np = MATH_FNS.get(id)!;
    if (id === 'isclose' || c.args.length === 2 && id === 'log') {
      ck.error(Code.TypeMismatch, `${fname}() takes numbers, not arrays (use ${id === 'log' ? 'np.log(x) / np.log(base)' : 'np.isclose'})`, c.span);
      throw new Unknown();
    }
    ck.inst.calls.set(c, { kind: 'builtin', name: np, self: null });
    return builtin(ck, c, np, null);
  }
  if (['floor', 'ceil', 'trunc'].includes(id)) return INT;
  if (['isnan', 'isinf', 'isfinite', 'isclose'].includes(id)) return BOOL;
  return FLOAT;
}

/** The float dtype of a float ufunc of integers (floatOf); an error for 8-bit ones (NumPy's float16). */
function floatResult(ck: Checker, name: string, d: DType, c: A.Call): DType {
  const f = floatOf(d);
  if (!f) ck.error(Code.Unsupported, `${name} of ${d} is float16 in NumPy, which Par does not have; convert first (x.astype(np.float32))`, c.span);
  return f ?? 'float32';
}
