// Typing of NumPy's functions that rearrange an array's elements: np.tile, np.repeat (and
// a.repeat), np.split and np.array_split, np.argwhere, and the views np.flip/flipud/fliplr,
// np.expand_dims, np.squeeze (a.squeeze) and np.atleast_1d/2d/3d. Lowering is
// compiler/lower/arrangement.ts.
import type * as A from './ast.js';
import { Code } from './diagnostics.js';
import { type Type, array, showType, isFloat } from './types.js';
import { Unknown } from './check-base.js';
import type { Checker } from './checker.js';
import { axisValue, literalAxis } from './check-numpy.js';

export const ARRANGEMENT_FNS = new Set(['tile', 'repeat', '.repeat', 'argwhere', 'split', 'array_split',
  'flip', 'flipud', 'fliplr', 'expand_dims', 'squeeze', '.squeeze', 'atleast_1d', 'atleast_2d', 'atleast_3d']);

/** The axes a literal `axis=` names (an integer or a tuple of them), normalized; null for None or absent; undefined when not literal. */
export function literalAxes(e: A.Expr | undefined, ndim: number): number[] | null | undefined {
  if (!e || e.kind === 'None') return null;
  const items = e.kind === 'Tuple' ? e.elts : [e];
  const vs = items.map((x) => axisValue(x, null));
  if (vs.some((v) => v === null || v === undefined)) return undefined;
  return (vs as number[]).map((v) => (v < 0 ? v + ndim : v));
}

/** Where atleast_Nd puts the new axes of a rank-r array: the result's extent j comes from axis map[j] of a, or is 1 (-1). */
export function atleastAxes(n: number, r: number): number[] {
  if (r >= n) return Array.from({ length: r }, (_v, j) => j);
  if (n === 2) return r === 0 ? [-1, -1] : [-1, 0];
  // atleast_3d: (n,) -> (1, n, 1), (m, n) -> (m, n, 1).
  return r === 0 ? [-1, -1, -1] : r === 1 ? [-1, 0, -1] : [0, 1, -1];
}

/** The argument at position `i` or keyword `name` (NumPy's names; the method form has no `a`). */
export function argOf(c: A.Call, args: A.Expr[], i: number, name: string): A.Expr | undefined {
  return args[i] ?? c.keywords.find((k) => k.name === name)?.value;
}

export function arrangementCall(ck: Checker, c: A.Call, name: string, args: A.Expr[]): Type {
  const fname = name.replace(/^\./, '');
  switch (name) {
    case 'tile': {
      ck.kw(c, ['A', 'reps'], fname);
      const aE = argOf(c, args, 0, 'A'), repsE = argOf(c, args, 1, 'reps');
      if (!aE || !repsE || args.length > 2) { ck.error(Code.ArgCount, 'tile() takes an array and reps', c.span); throw new Unknown(); }
      const t = ck.expr(aE);
      if (t.kind !== 'array') { ck.error(Code.Unsupported, `tile() of ${showType(t)} is not supported in Par; use np.full(reps, x)`, aE.span); throw new Unknown(); }
      return array(t.dtype, Math.max(t.ndim, repsCount(ck, repsE, 'tile')));
    }
    case 'repeat': case '.repeat': {
      ck.kw(c, name === 'repeat' ? ['a', 'repeats', 'axis'] : ['repeats', 'axis'], fname);
      const aE = argOf(c, args, 0, 'a'), rE = argOf(c, args, 1, 'repeats'), axE = argOf(c, args, 2, 'axis');
      if (!aE || !rE || args.length > 3) { ck.error(Code.ArgCount, 'repeat() takes an array, repeats and axis=', c.span); throw new Unknown(); }
      const t = ck.expr(aE);
      if (t.kind !== 'array') { ck.error(Code.Unsupported, `repeat() of ${showType(t)} is not supported in Par; use np.full(n, x)`, aE.span); throw new Unknown(); }
      const rt = ck.expr(rE);
      const intRepeats = (rt.kind === 'scalar' || (rt.kind === 'array' && rt.ndim === 1)) && !isFloat(rt.dtype) && rt.dtype !== 'bool';
      if (!intRepeats) ck.error(Code.TypeMismatch, `repeat() repeats must be an integer or a 1-d array of integers, got ${showType(rt)}`, rE.span);
      const ax = axE && axE.kind !== 'None' ? literalAxis(ck, axE, t.ndim, null) : null;
      return array(t.dtype, ax === null ? 1 : t.ndim);
    }
    case 'split': case 'array_split': {
      ck.kw(c, ['ary', 'indices_or_sections', 'axis'], fname);
      const aE = argOf(c, args, 0, 'ary'), sE = argOf(c, args, 1, 'indices_or_sections'), axE = argOf(c, args, 2, 'axis');
      if (!aE || !sE || args.length > 3) { ck.error(Code.ArgCount, `${fname}() takes an array, sections or indices, and axis=`, c.span); throw new Unknown(); }
      const t = ck.expr(aE);
      if (t.kind !== 'array') { ck.error(Code.TypeMismatch, `${fname}() needs an array, got ${showType(t)}`, aE.span); throw new Unknown(); }
      const st = ck.expr(sE);
      const isInt = (x: Type | null) => !!x && x.kind === 'scalar' && !isFloat(x.dtype) && x.dtype !== 'bool';
      const ok = isInt(st) || (st.kind === 'tuple' && st.elems.every(isInt)) || (st.kind === 'list' && (st.elem === null || isInt(st.elem)))
        || (st.kind === 'array' && st.ndim === 1 && !isFloat(st.dtype) && st.dtype !== 'bool');
      if (!ok) ck.error(Code.TypeMismatch, `${fname}() takes a number of sections or a sequence of indices, got ${showType(st)}`, sE.span);
      if (axE) literalAxis(ck, axE, t.ndim, 0);
      return { kind: 'list', elem: array(t.dtype, t.ndim) };
    }
    case 'flip': case 'flipud': case 'fliplr': {
      ck.kw(c, name === 'flip' ? ['m', 'axis'] : ['m'], fname);
      const aE = argOf(c, args, 0, 'm');
      if (!aE || args.length > (name === 'flip' ? 2 : 1)) { ck.error(Code.ArgCount, name === 'flip' ? 'flip() takes an array and axis=' : `${fname}() takes one array`, c.span); throw new Unknown(); }
      const t = ck.arrayArg(aE, fname);
      const need = name === 'fliplr' ? 2 : 1;
      if (t.ndim < need) { ck.error(Code.ValueError, `Input must be >= ${need}-d.`, aE.span); throw new Unknown(); }
      const axE = argOf(c, args, 1, 'axis');
      if (name === 'flip') axesArg(ck, axE, t.ndim, 'flip');
      return array(t.dtype, t.ndim);
    }
    case 'expand_dims': {
      ck.kw(c, ['a', 'axis'], fname);
      const aE = argOf(c, args, 0, 'a'), axE = argOf(c, args, 1, 'axis');
      if (!aE || !axE || args.length > 2) { ck.error(Code.ArgCount, 'expand_dims() takes an array and axis', c.span); throw new Unknown(); }
      const t = ck.arrayArg(aE, fname);
      const n = axE.kind === 'Tuple' ? axE.elts.length : 1;
      axesArg(ck, axE, t.ndim + n, fname);
      return array(t.dtype, t.ndim + n);
    }
    case 'squeeze': case '.squeeze': {
      ck.kw(c, name === 'squeeze' ? ['a', 'axis'] : ['axis'], fname);
      const aE = argOf(c, args, 0, 'a'), axE = argOf(c, args, 1, 'axis');
      if (!aE || args.length > 2) { ck.error(Code.ArgCount, 'squeeze() takes an array and axis=', c.span); throw new Unknown(); }
      const t = ck.arrayArg(aE, fname);
      const axes = axesArg(ck, axE, t.ndim, fname);
      if (axes) return array(t.dtype, t.ndim - axes.length);
      // Without axis= the rank depends on which extents are 1: known only for constant shapes.
      if (!t.shape) { ck.error(Code.Unsupported, 'squeeze() without axis= needs extents known when compiling; name the axes: squeeze(a, axis=0)', c.span); throw new Unknown(); }
      return array(t.dtype, t.shape.filter((x) => x !== 1).length);
    }
    case 'atleast_1d': case 'atleast_2d': case 'atleast_3d': {
      ck.kw(c, [], fname);
      if (args.length !== 1) { ck.error(Code.Unsupported, `${fname}() of ${args.length} arrays is not supported in Par; call it once per array`, c.span); throw new Unknown(); }
      const t = ck.arrayArg(args[0], fname);
      return array(t.dtype, Math.max(t.ndim, Number(name[8])));
    }
    case 'argwhere': {
      ck.kw(c, ['a'], fname);
      const aE = argOf(c, args, 0, 'a');
      if (!aE || args.length > 1) { ck.error(Code.ArgCount, 'argwhere() takes one array', c.span); throw new Unknown(); }
      const t = ck.expr(aE);
      if (t.kind !== 'array') { ck.error(Code.Unsupported, `argwhere() of ${showType(t)} is not supported in Par; it takes an array`, aE.span); throw new Unknown(); }
      return array('int64', 2);
    }
  }
  throw new Unknown();
}

/** How many axes `reps` names: 1 for an integer, the length of a tuple of integers. */
function repsCount(ck: Checker, e: A.Expr, fname: string): number {
  const t = ck.expr(e);
  const isInt = (x: Type) => x.kind === 'scalar' && !isFloat(x.dtype) && x.dtype !== 'bool';
  if (isInt(t)) return 1;
  if (t.kind === 'tuple' && t.elems.length > 0 && t.elems.every(isInt)) return t.elems.length;
  ck.error(Code.TypeMismatch, `${fname}() reps must be an integer or a tuple of integers, got ${showType(t)}`, e.span);
  throw new Unknown();
}

/** A literal axis or tuple of axes for a rank-`ndim` result (checked in range and distinct); null when absent. */
function axesArg(ck: Checker, e: A.Expr | undefined, ndim: number, fname: string): number[] | null {
  const axes = literalAxes(e, ndim);
  if (axes === null) return null;
  if (axes === undefined) { ck.error(Code.TypeMismatch, `${fname}() axis must be an integer literal or a tuple of them`, e!.span); throw new Unknown(); }
  const bad = axes.findIndex((v) => v < 0 || v >= ndim);
  if (bad >= 0) { ck.error(Code.ShapeMismatch, `axis ${axisValue((e!.kind === 'Tuple' ? e!.elts : [e!])[bad], null)} is out of bounds for array of dimension ${ndim}`, e!.span); throw new Unknown(); }
  if (new Set(axes).size !== axes.length) { ck.error(Code.ValueError, 'repeated axis', e!.span); throw new Unknown(); }
  ck.expr(e!);
  return axes;
}
