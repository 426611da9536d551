// Typing of NumPy's functions that repeat, split or list elements: np.tile, np.repeat (and
// a.repeat), np.split and np.array_split, np.argwhere. Lowering is compiler/lower/tiling.ts.
import type * as A from './ast.js';
import { Code } from './diagnostics.js';
import { type Type, array, showType, isFloat } from './types.js';
import { Unknown } from './check-base.js';
import type { Checker } from './checker.js';
import { literalAxis } from './check-numpy.js';

export const TILING_FNS = new Set(['tile', 'repeat', '.repeat', 'argwhere', 'split', 'array_split']);

/** The argument at position `i` or keyword `name` (NumPy's names; the method form has no `a`). */
export function argOf(c: A.Call, args: A.Expr[], i: number, name: string): A.Expr | undefined {
  return args[i] ?? c.keywords.find((k) => k.name === name)?.value;
}

export function tilingCall(ck: Checker, c: A.Call, name: string, args: A.Expr[]): Type {
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
