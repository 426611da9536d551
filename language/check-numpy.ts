// Typing of the NumPy library beyond elementwise code (the checker's part; lowering is in
// compiler/lower/library.ts, numpy.ts and numpy-misc.ts): reductions, sorting, joining and scans,
// the wider library (unique, histogram, pad, einsum, grids, ...), reductions of tuples, @vectorize
// calls, diagonals, and the pure helpers lowering shares (axis values, pad widths, einsum plans,
// norm orders, axis permutations).
import type * as A from './ast.js';
import { Code } from './diagnostics.js';
import {
  type DType, type Type, array, scalar, BOOL, INT, NONE, STR, promote, promoteDtypes, elemOf, showType,
  kindOf, isFloat, isInt, sumDtype, broadcastShapes, showShape, dtypeOfString,
} from './types.js';
import { Unknown } from './check-base.js';
import type { Checker } from './checker.js';

export function reduction(ck: Checker, c: A.Call, fname: string, args: A.Expr[]): Type {
  const isMethod = args !== c.args;
  if (!isMethod && (fname === 'max' || fname === 'min') && args.length === 2) {
    // Python's max/min of two scalars (Numba-style reductions use this form).
    const a = ck.valueArg(args[0], fname), b = ck.valueArg(args[1], fname);
    if (a.kind === 'array' || b.kind === 'array') { ck.error(Code.TypeMismatch, `${fname}(a, b) compares two scalars; use ${fname === 'max' ? 'maximum' : 'minimum'}(a, b) for arrays`, c.span); throw new Unknown(); }
    const p = promote(elemOf(a)!, elemOf(b)!);
    ck.inst.calls.set(c, { kind: 'builtin', name: fname + '2', self: null });
    return scalar(p.dtype, p.weak);
  }
  if (!isMethod && (fname === 'max' || fname === 'min') && args.length >= 3) return ck.maxMinOfMany(c, fname);
  if (!isMethod && (fname === 'max' || fname === 'min') && args.length === 0) { ck.error(Code.ArgCount, `${fname} expected at least 1 argument, got 0`, c.span); throw new Unknown(); }
  if (args.length !== 1) { ck.error(Code.ArgCount, `${fname}() takes one array argument (and axis=)`, c.span); throw new Unknown(); }
  const takesDtype = ['sum', 'prod', 'mean', 'std', 'var'].includes(fname);
  const kw = ck.kw(c, ['axis', 'keepdims', ...(takesDtype ? ['dtype'] : []), ...(fname === 'std' || fname === 'var' ? ['ddof'] : [])], fname);
  const keep = kw.get('keepdims')?.value;
  if (keep && keep.kind !== 'Bool') ck.error(Code.TypeMismatch, 'keepdims must be True or False (a literal)', keep.span);
  const forced = kw.get('dtype') ? ck.dtypeArg(kw.get('dtype'), 'float64') : null;
  if (forced && fname !== 'sum' && fname !== 'prod' && !isFloat(forced)) ck.error(Code.Unsupported, `${fname}(dtype=${forced}) is not supported in Par; use a float dtype`, kw.get('dtype')!.value.span);
  const red = (d: DType, nd: number): Type => {
    const r = reducedElem(ck, fname, d, nd);
    return forced ? (nd === 0 ? scalar(forced) : array(forced, nd)) : r;
  };
  const t0 = ck.expr(args[0]);
  if (t0.kind === 'tuple' && !isMethod) return tupleReduction(ck, c, fname, t0, kw, forced);
  const t = ck.valueArg(args[0], fname);
  if (t.kind === 'scalar') {
    if (kw.has('axis')) ck.error(Code.TypeMismatch, `${fname}() of a scalar has no axis`, kw.get('axis')!.span);
    return red(t.dtype, 0);
  }
  if (t.kind !== 'array') throw new Unknown();
  let ndim = 0;
  const ax = kw.get('axis');
  if (ax && ax.value.kind !== 'None') {
    const at = ck.expr(ax.value);
    if (ax.value.kind !== 'Int' && !(ax.value.kind === 'Unary' && ax.value.operand.kind === 'Int')) {
      // An axis known only at run time (a variable, a parameter) is checked there (NumPy's AxisError).
      if (at.kind === 'tuple') ck.error(Code.Unsupported, `${fname}() over several axes (a tuple axis) is not supported yet`, ax.value.span);
      else if (at.kind !== 'scalar' || !isInt(at.dtype)) ck.error(Code.TypeMismatch, `axis must be an integer, got ${showType(at)}`, ax.value.span);
    } else {
      const v = Number(ax.value.kind === 'Int' ? ax.value.value : -(ax.value.operand as A.IntLit).value);
      if (v < -t.ndim || v >= t.ndim) ck.error(Code.ShapeMismatch, `axis ${v} is out of bounds for an array of dimension ${t.ndim}`, ax.value.span);
    }
    void at;
    ndim = t.ndim - 1;
  }
  if (kw.get('ddof')) ck.expr(kw.get('ddof')!.value);
  // keepdims=True: the reduced axes stay, with extent 1.
  return red(t.dtype, keep?.kind === 'Bool' && keep.value ? t.ndim : ndim);
}

/** `sort`, `argsort`, `concatenate`, `stack`, `vstack`, `hstack`, `cumsum`, `cumprod`, `diff`, `a.flatten()`. */
export function library(ck: Checker, c: A.Call, fname: string, args: A.Expr[], isMethod: boolean): Type {
  const axisExpr = (pos: number): A.Expr | undefined => args[pos] ?? c.keywords.find((k) => k.name === 'axis')?.value;
  switch (fname) {
    case 'sort': case 'argsort': case 'cumsum': case 'cumprod': {
      const scan = fname === 'cumsum' || fname === 'cumprod';
      const kw = ck.kw(c, ['axis', ...(scan ? ['dtype'] : ['kind'])], fname);
      if (args.length > 2) ck.nargs(c, 1, isMethod ? 1 : 2, fname);
      const t = ck.arrayArg(args[0], fname);
      if (args[1] && kw.has('axis')) ck.error(Code.ArgCount, `${fname}() got multiple values for argument 'axis'`, kw.get('axis')!.span);
      const kind = kw.get('kind')?.value;
      if (kind && kind.kind !== 'None' && (kind.kind !== 'Str' || !['quicksort', 'mergesort', 'heapsort', 'stable'].includes(kind.value)))
        ck.error(Code.TypeMismatch, 'kind must be one of "quicksort", "mergesort", "heapsort", "stable"', kind.span);
      if (t.ndim === 0) ck.error(Code.ShapeMismatch, `${fname}() needs an array of at least 1 dimension`, args[0].span);
      // Scans default to the flattened array, sorts to the last axis; an in-place sort has no axis=None.
      const ax = literalAxis(ck, axisExpr(1), t.ndim, scan ? null : -1);
      if (ax === null && fname === 'sort' && isMethod) ck.error(Code.Unsupported, 'a.sort(axis=None) is not supported (NumPy cannot sort in place flattened)', axisExpr(1)!.span);
      const nd = ax === null ? 1 : t.ndim;
      if (fname === 'sort' && isMethod) return NONE;
      if (fname === 'argsort') return array('int64', nd);
      let d: DType = sumDtype(t.dtype);
      if (fname === 'sort') d = t.dtype;
      if (kw.get('dtype')) d = ck.dtypeArg(kw.get('dtype'), d);
      return array(d, nd);
    }
    case 'diag': case 'diagonal': case 'trace': return diagonalCall(ck, c, fname, args, isMethod);
    case 'flatten': {
      ck.nargs(c, 0, 0, 'flatten');
      ck.kw(c, [], 'flatten');
      return array(ck.arrayArg(args[0], 'flatten').dtype, 1);
    }
    case 'diff': {
      const kw = ck.kw(c, ['n', 'axis'], 'diff');
      ck.nargs(c, 1, 1, 'diff');
      const t = ck.arrayArg(args[0], 'diff');
      if (t.ndim === 0) ck.error(Code.ShapeMismatch, 'diff requires input that is at least one dimensional', args[0].span);
      const n = kw.get('n')?.value;
      if (n && (n.kind !== 'Int')) ck.error(Code.TypeMismatch, 'diff() n must be a non-negative integer literal', n.span);
      literalAxis(ck, kw.get('axis')?.value, t.ndim, -1);
      return array(t.dtype, t.ndim);
    }
    case 'concatenate': case 'stack': case 'vstack': case 'hstack': {
      const kw = ck.kw(c, fname === 'concatenate' || fname === 'stack' ? ['axis', 'dtype'] : ['dtype'], fname);
      ck.nargs(c, 1, fname === 'concatenate' || fname === 'stack' ? 2 : 1, fname);
      const seq = c.args[0];
      const arrs = joinedArrays(ck, seq, fname);
      let d = arrs.map((t) => t.dtype).reduce((x, y) => promoteDtypes(x, y));
      if (kw.get('dtype')) d = ck.dtypeArg(kw.get('dtype'), d);
      // vstack and hstack are concatenate after atleast_2d / atleast_1d.
      const nds = arrs.map((t) => (fname === 'vstack' ? Math.max(2, t.ndim) : t.ndim));
      const bad = nds.findIndex((n) => n !== nds[0]);
      if (bad > 0) {
        ck.error(Code.ShapeMismatch, `all the input arrays must have same number of dimensions, but the array at index 0 has ${nds[0]} dimension(s) and the array at index ${bad} has ${nds[bad]} dimension(s)`, seq.span);
        throw new Unknown();
      }
      const nd = nds[0];
      if (fname === 'stack') {
        if (nd + 1 > 4) ck.error(Code.Unsupported, 'arrays have at most 4 dimensions in Par', c.span);
        literalAxis(ck, axisExpr(1), nd + 1, 0);
        const shapes = arrs.map((t) => t.shape);
        if (shapes.every((x) => x) && shapes.some((x) => x!.join() !== shapes[0]!.join())) ck.error(Code.ShapeMismatch, 'all input arrays must have the same shape', seq.span);
        return array(d, nd + 1);
      }
      if (nd === 0) { ck.error(Code.ShapeMismatch, 'zero-dimensional arrays cannot be concatenated', seq.span); throw new Unknown(); }
      const ax = fname === 'vstack' ? 0 : fname === 'hstack' ? (nd === 1 ? 0 : 1) : literalAxis(ck, axisExpr(1), nd, 0);
      if (ax === null) return array(d, 1);
      const shapes = arrs.map((t) => (fname === 'vstack' && t.ndim === 1 && t.shape ? [1, ...t.shape] : t.shape));
      if (shapes.every((x) => x)) {
        for (let i = 1; i < shapes.length; i++) {
          const k = shapes[i]!.findIndex((n, j) => j !== ax && n !== shapes[0]![j]);
          if (k >= 0) {
            ck.error(Code.ShapeMismatch, `all the input array dimensions except for the concatenation axis must match exactly, but along dimension ${k}, the array at index 0 has size ${shapes[0]![k]} and the array at index ${i} has size ${shapes[i]![k]}`, seq.span);
            break;
          }
        }
      }
      return array(d, nd);
    }
  }
  throw new Unknown();
}

/** An `axis` argument: an integer literal (negative counts from the end) or None; `dflt` when absent. */
export function literalAxis(ck: Checker, e: A.Expr | undefined, ndim: number, dflt: number | null): number | null {
  const v = axisValue(e, dflt);
  if (v === undefined) { ck.error(Code.TypeMismatch, 'axis must be an integer literal or None', e!.span); return dflt; }
  if (v !== null && e && (v < -ndim || v >= ndim)) ck.error(Code.ShapeMismatch, `axis ${v} is out of bounds for array of dimension ${ndim}`, e.span);
  if (e) ck.expr(e);
  return v === null ? null : v < 0 ? v + ndim : v;
}

export function reducedElem(ck: Checker, fname: string, d: DType, ndim: number): Type {
  let r: DType = d;
  switch (fname) {
    case 'sum': case 'prod': r = sumDtype(d); break;
    case 'mean': case 'std': case 'var': if (!isFloat(d)) r = 'float64'; break;
    case 'argmin': case 'argmax': case 'count_nonzero': r = 'int64'; break;
    case 'any': case 'all': r = 'bool'; break;
  }
  return ndim === 0 ? scalar(r) : array(r, ndim);
}

/** `np.unique`, `searchsorted`, `histogram`, `convolve`, `pad`, `take`, `identity`, `triu`, `tril`, `column_stack`, `einsum` (mgrid/ogrid are indexed: gridType). */
export function numpyExtra(ck: Checker, c: A.Call, name: string, _args: A.Expr[]): Type {
  switch (name) {
    case 'unique': {
      ck.nargs(c, 1, 1, 'unique');
      const kw = ck.kw(c, ['return_index', 'return_inverse', 'return_counts', 'axis', 'equal_nan', 'sorted'], 'unique');
      const t = ck.arrayArg(c.args[0], 'unique');
      for (const k of ['return_index', 'return_inverse']) if (ck.flagArg(kw, k, 'unique')) ck.error(Code.Unsupported, `unique(${k}=True) is not supported yet (return_counts=True is)`, kw.get(k)!.value.span);
      const ax = kw.get('axis')?.value;
      if (ax && ax.kind !== 'None') ck.error(Code.Unsupported, 'unique(axis=...) is not supported yet (Par gives the unique elements of the flattened array)', ax.span);
      ck.flagArg(kw, 'equal_nan', 'unique');
      ck.flagArg(kw, 'sorted', 'unique');
      const u = array(t.dtype, 1);
      return ck.flagArg(kw, 'return_counts', 'unique') ? { kind: 'tuple', elems: [u, array('int64', 1)] } : u;
    }
    case 'searchsorted': {
      ck.nargs(c, 2, 2, 'searchsorted');
      const kw = ck.kw(c, ['side', 'sorter'], 'searchsorted');
      const a = ck.valueArg(c.args[0], 'searchsorted');
      if (a.kind !== 'array' || a.ndim !== 1) { ck.error(Code.ValueError, a.kind === 'array' ? 'object too deep for desired array' : 'object of too small depth for desired array', c.args[0].span); throw new Unknown(); }
      const v = ck.valueArg(c.args[1], 'searchsorted');
      const side = kw.get('side')?.value;
      if (side && !(side.kind === 'Str' && (side.value === 'left' || side.value === 'right'))) {
        ck.error(side.kind === 'Str' ? Code.ValueError : Code.TypeMismatch, side.kind === 'Str' ? `search side must be 'left' or 'right' (got '${side.value}')` : "searchsorted(side=...) must be the string 'left' or 'right'", side.span);
      }
      const so = kw.get('sorter')?.value;
      if (so && so.kind !== 'None') ck.error(Code.Unsupported, 'searchsorted(sorter=...) is not supported yet; search a[sorter] instead', so.span);
      return v.kind === 'array' ? array('int64', v.ndim) : scalar('int64');
    }
    case 'histogram': {
      ck.nargs(c, 1, 1, 'histogram');
      const kw = ck.kw(c, ['bins', 'range', 'density', 'weights'], 'histogram');
      const t = ck.arrayArg(c.args[0], 'histogram');
      const bins = kw.get('bins')?.value;
      if (bins) {
        const bt = bins.kind === 'Str' ? STR : ck.expr(bins);
        if (bt.kind === 'array' || bt.kind === 'list' || bt.kind === 'str') ck.error(Code.Unsupported, `histogram() with ${bt.kind === 'str' ? 'a binning method' : 'bin edges'} is not supported yet (bins is a number of equal bins)`, bins.span);
        else if (bt.kind !== 'scalar' || isFloat(bt.dtype)) ck.error(Code.TypeMismatch, '`bins` must be an integer, a string, or an array', bins.span);
      }
      // NumPy's bin_type: result_type(first_edge, last_edge, a), an integer type made float64.
      let edge: { dtype: DType; weak: boolean } = { dtype: t.dtype, weak: false };
      const r = kw.get('range')?.value;
      if (r && r.kind !== 'None') {
        const rt = ck.expr(r);
        if (rt.kind !== 'tuple' || rt.elems.length !== 2 || rt.elems.some((x) => x.kind !== 'scalar')) { ck.error(Code.TypeMismatch, 'histogram() range must be a tuple of two numbers (lo, hi)', r.span); throw new Unknown(); }
        for (const x of rt.elems) edge = promote(edge, x as Type & { kind: 'scalar' });
      }
      for (const k of ['density', 'weights']) {
        const v = kw.get(k)?.value;
        if (v && v.kind !== 'None' && !(v.kind === 'Bool' && !v.value)) ck.error(Code.Unsupported, `histogram(${k}=...) is not supported yet`, v.span);
      }
      return { kind: 'tuple', elems: [array('int64', 1), array(isFloat(edge.dtype) ? edge.dtype : 'float64', 1)] };
    }
    case 'convolve': {
      ck.nargs(c, 2, 2, 'convolve');
      const kw = ck.kw(c, ['mode'], 'convolve');
      const ts = c.args.map((x) => ck.valueArg(x, 'convolve'));
      ts.forEach((t, i) => { if (t.kind === 'array' && t.ndim !== 1) ck.error(Code.ValueError, 'object too deep for desired array', c.args[i].span); });
      const mode = kw.get('mode')?.value;
      if (mode && !(mode.kind === 'Str' && ['full', 'same', 'valid'].includes(mode.value))) {
        ck.error(mode.kind === 'Str' ? Code.ValueError : Code.TypeMismatch, mode.kind === 'Str' ? "Use one of 'valid', 'same', or 'full' for convolve/correlate mode" : "convolve(mode=...) must be the string 'full', 'same' or 'valid'", mode.span);
      }
      // np.array(v) of each: Python numbers as int64/float64 (no weak promotion).
      return array(promoteDtypes(elemOf(ts[0])!.dtype, elemOf(ts[1])!.dtype), 1);
    }
    case 'pad': {
      ck.nargs(c, 2, 2, 'pad');
      const kw = ck.kw(c, ['mode', 'constant_values'], 'pad');
      const t = ck.arrayArg(c.args[0], 'pad');
      const problem = padProblem(ck.expr(c.args[1]), t.ndim);
      if (problem) ck.error(problem.code, problem.text, c.args[1].span);
      const mode = kw.get('mode')?.value;
      const m = !mode ? 'constant' : mode.kind === 'Str' ? mode.value : null;
      if (m === null) ck.error(Code.TypeMismatch, "pad(mode=...) must be a string such as 'constant'", mode!.span);
      else if (['reflect', 'symmetric', 'linear_ramp', 'maximum', 'mean', 'median', 'minimum'].includes(m)) ck.error(Code.Unsupported, `pad(mode='${m}') is not supported yet (Par has 'constant', 'edge', 'wrap' and 'empty')`, mode!.span);
      else if (!PAD_MODES.includes(m)) ck.error(Code.ValueError, `mode '${m}' is not supported`, mode!.span);
      const cv = kw.get('constant_values');
      if (cv) {
        if (m && m !== 'constant') ck.error(Code.ValueError, `unsupported keyword arguments for mode '${m}': {'constant_values'}`, cv.span);
        const ct = ck.expr(cv.value);
        if (ct.kind !== 'scalar') ck.error(Code.Unsupported, 'pad(constant_values=...) takes one number in Par (pairs per axis are not supported yet)', cv.value.span);
      }
      return array(t.dtype, t.ndim);
    }
    case 'take': {
      ck.nargs(c, 2, 2, 'take');
      const kw = ck.kw(c, ['axis', 'mode'], 'take');
      const a = ck.arrayArg(c.args[0], 'take');
      const it = ck.valueArg(c.args[1], 'take');
      const id = elemOf(it)!.dtype;
      if (isFloat(id)) ck.error(Code.TypeMismatch, `Cannot cast array data from dtype('${id}') to dtype('int64') according to the rule 'same_kind'`, c.args[1].span);
      const mode = kw.get('mode')?.value;
      if (mode && !(mode.kind === 'Str' && ['raise', 'wrap', 'clip'].includes(mode.value))) ck.error(mode.kind === 'Str' ? Code.ValueError : Code.TypeMismatch, mode.kind === 'Str' ? `clipmode must be one of 'clip', 'raise', or 'wrap' (got '${mode.value}')` : "take(mode=...) must be the string 'raise', 'wrap' or 'clip'", mode.span);
      const ax = literalAxis(ck, kw.get('axis')?.value, a.ndim, null);
      const inRank = it.kind === 'array' ? it.ndim : 0;
      const nd = ax === null ? inRank : a.ndim - 1 + inRank;
      if (nd > 4) ck.error(Code.Unsupported, 'arrays have at most 4 dimensions in Par', c.span);
      return nd === 0 ? scalar(a.dtype) : array(a.dtype, nd);
    }
    case 'identity': {
      ck.nargs(c, 1, 1, 'identity');
      const kw = ck.kw(c, ['dtype'], 'identity');
      ck.intArg(c.args[0], 'identity');
      return array(ck.dtypeArg(kw.get('dtype'), 'float64'), 2);
    }
    case 'triu': case 'tril': {
      ck.nargs(c, 1, 1, name);
      const kw = ck.kw(c, ['k'], name);
      const t = ck.arrayArg(c.args[0], name);
      if (kw.get('k')) ck.intArg(kw.get('k')!.value, name);
      // A 1-d array is broadcast against the n x n mask (NumPy's where): an n x n result.
      return array(t.dtype, Math.max(2, t.ndim));
    }
    case 'column_stack': {
      ck.nargs(c, 1, 1, 'column_stack');
      ck.kw(c, [], 'column_stack');
      const seq = c.args[0];
      const arrs = joinedArrays(ck, seq, 'column_stack');
      // 1-d arrays become columns; then they are joined along axis 1.
      const nds = arrs.map((t) => Math.max(2, t.ndim));
      const bad = nds.findIndex((n) => n !== nds[0]);
      if (bad > 0) { ck.error(Code.ShapeMismatch, `all the input arrays must have same number of dimensions, but the array at index 0 has ${nds[0]} dimension(s) and the array at index ${bad} has ${nds[bad]} dimension(s)`, seq.span); throw new Unknown(); }
      return array(arrs.map((t) => t.dtype).reduce((x, y) => promoteDtypes(x, y)), nds[0]);
    }
    case 'einsum': {
      const spec = c.args[0];
      if (!spec || spec.kind !== 'Str') { ck.error(Code.Unsupported, "einsum() takes its subscripts as a string literal in Par: einsum('ij,jk->ik', a, b)", spec?.span ?? c.span); throw new Unknown(); }
      const kw = ck.kw(c, ['optimize'], 'einsum');
      if (kw.get('optimize')) ck.expr(kw.get('optimize')!.value);
      const ops = c.args.slice(1).map((x) => ck.arrayArg(x, 'einsum'));
      const plan = einsumPlan(spec.value, ops.map((t) => t.ndim));
      if ('error' in plan) { ck.error(plan.unsupported ? Code.Unsupported : Code.ValueError, plan.error, spec.span); throw new Unknown(); }
      const d = ops.map((t) => t.dtype).reduce((x, y) => promoteDtypes(x, y));
      if (d === 'bool' && !['transpose', 'view', 'diagonal', 'outer'].includes(plan.form)) { ck.error(Code.Unsupported, `einsum('${spec.value}') of bool arrays is not supported yet`, spec.span); throw new Unknown(); }
      return plan.ndim === 0 ? scalar(d) : array(d, plan.ndim);
    }
    case 'mgrid': case 'ogrid':
      ck.error(Code.TypeMismatch, `np.${name} is indexed, not called: np.${name}[0:3, 0:4]`, c.span);
      throw new Unknown();
  }
  throw new Unknown();
}

/** `divmod`, `np.roll`, `np.meshgrid`, `np.bincount`, `np.isclose`/`allclose`, `np.nonzero`/`where(c)`/`a.nonzero()`, `np.linalg.norm`. */
export function numpyMore(ck: Checker, c: A.Call, name: string, args: A.Expr[]): Type {
  const rankOf = (...ts: Type[]) => Math.max(...ts.map((t) => (t.kind === 'array' ? t.ndim : 0)));
  switch (name) {
    case 'divmod': case 'np.divmod': {
      // (a // b, a % b); two arrays for arrays (np.divmod). Bools divide as ints.
      ck.nargs(c, 2, 2, 'divmod');
      ck.kw(c, [], 'divmod');
      const a = ck.valueArg(c.args[0], 'divmod'), b = ck.valueArg(c.args[1], 'divmod');
      const p = promote(elemOf(a)!, elemOf(b)!);
      const d: DType = p.dtype === 'bool' ? 'int64' : p.dtype;
      const rank = rankOf(a, b);
      const one = rank ? array(d, rank) : scalar(d, p.weak);
      return { kind: 'tuple', elems: [one, one] };
    }
    case 'roll': {
      const kw = ck.kw(c, ['shift', 'axis'], 'roll');
      const shiftE = c.args[1] ?? kw.get('shift')?.value;
      if (c.args.length < 1 || !shiftE || c.args.length > 2) { ck.error(Code.ArgCount, 'roll() takes an array, a shift and axis=', c.span); throw new Unknown(); }
      const t = ck.arrayArg(c.args[0], 'roll');
      const st = ck.expr(shiftE);
      if (st.kind !== 'scalar') ck.error(st.kind === 'tuple' ? Code.Unsupported : Code.TypeMismatch, st.kind === 'tuple' ? 'roll() with a tuple of shifts is not supported yet; roll one axis at a time' : `roll() shift must be an integer, got ${showType(st)}`, shiftE.span);
      // (A tuple of shifts comes with a tuple of axes: one error for both.)
      else literalAxis(ck, kw.get('axis')?.value, t.ndim, null);
      return array(t.dtype, t.ndim);
    }
    case 'meshgrid': {
      const kw = ck.kw(c, ['indexing', 'sparse', 'copy'], 'meshgrid');
      if (c.args.length === 0 || c.args.length > 4) { ck.error(c.args.length ? Code.Unsupported : Code.ArgCount, 'meshgrid() takes 1 to 4 arrays in Par', c.span); throw new Unknown(); }
      const ts = c.args.map((a) => ck.arrayArg(a, 'meshgrid'));
      const ix = kw.get('indexing')?.value;
      if (ix && !(ix.kind === 'Str' && (ix.value === 'xy' || ix.value === 'ij'))) ck.error(ix.kind === 'Str' ? Code.ValueError : Code.TypeMismatch, ix.kind === 'Str' ? "Valid values for `indexing` are 'xy' and 'ij'." : "meshgrid(indexing=...) must be the string 'xy' or 'ij'", ix.span);
      const sparse = kw.get('sparse')?.value;
      if (sparse && !(sparse.kind === 'Bool' && !sparse.value)) ck.error(Code.Unsupported, 'meshgrid(sparse=True) is not supported in Par; its arrays broadcast like the full grids', sparse.span);
      if (kw.get('copy')) ck.expr(kw.get('copy')!.value);
      return { kind: 'tuple', elems: ts.map((t) => array(t.dtype, ts.length)) };
    }
    case 'bincount': {
      const kw = ck.kw(c, ['weights', 'minlength'], 'bincount');
      ck.nargs(c, 1, 1, 'bincount');
      const t = ck.valueArg(c.args[0], 'bincount');
      // NumPy's messages: the list is cast to intp ('safe' casting) as a 1-d array.
      if (t.kind !== 'array') ck.error(Code.ValueError, 'object of too small depth for desired array', c.args[0].span);
      else if (isFloat(t.dtype)) ck.error(Code.TypeMismatch, `Cannot cast array data from dtype('${t.dtype}') to dtype('int64') according to the rule 'safe'`, c.args[0].span);
      else if (t.ndim !== 1) ck.error(Code.ValueError, 'object too deep for desired array', c.args[0].span);
      const w = kw.get('weights')?.value;
      const weighted = !!w && w.kind !== 'None';
      if (w && weighted) {
        const wt = ck.valueArg(w, 'bincount');
        if (wt.kind !== 'array') ck.error(Code.ValueError, 'object of too small depth for desired array', w.span);
        else if (wt.ndim !== 1) ck.error(Code.ValueError, 'object too deep for desired array', w.span);
      }
      const ml = kw.get('minlength')?.value;
      if (ml && ml.kind === 'None') ck.error(Code.TypeMismatch, 'use 0 instead of None for minlength', ml.span);
      else if (ml) ck.intArg(ml, 'bincount');
      return array(weighted ? 'float64' : 'int64', 1);
    }
    case 'isclose': case 'allclose': {
      ck.nargs(c, 2, 2, name);
      const kw = ck.kw(c, ['rtol', 'atol', 'equal_nan'], name);
      const a = ck.valueArg(c.args[0], name), b = ck.valueArg(c.args[1], name);
      for (const k of kw.values()) {
        const kt = ck.expr(k.value);
        if (kt.kind !== 'scalar') ck.error(Code.TypeMismatch, `${name}() ${k.name} must be a number, got ${showType(kt)}`, k.value.span);
      }
      // allclose is Python's bool(all(isclose(...))).
      if (name === 'allclose') return BOOL;
      const rank = rankOf(a, b);
      return rank ? array('bool', rank) : scalar('bool');
    }
    case 'nonzero': case '.nonzero': case 'where': {
      const n = name === '.nonzero' ? 0 : 1;
      ck.nargs(c, n, n, name === 'where' ? 'where' : 'nonzero');
      ck.kw(c, [], name === 'where' ? 'where' : 'nonzero');
      const t = ck.valueArg(args[0], 'nonzero');
      if (name === 'where') ck.inst.calls.set(c, { kind: 'builtin', name: 'nonzero', self: null });
      if (t.kind !== 'array') { ck.error(Code.ValueError, 'Calling nonzero on 0d arrays is not allowed. Use np.atleast_1d(scalar).nonzero() instead.', args[0].span); throw new Unknown(); }
      return { kind: 'tuple', elems: Array.from({ length: t.ndim }, () => array('int64', 1)) };
    }
    case 'linalg.norm': {
      ck.nargs(c, 1, 1, 'norm');
      const kw = ck.kw(c, ['ord', 'axis', 'keepdims'], 'norm');
      const t = ck.arrayArg(c.args[0], 'norm');
      const d: DType = t.dtype === 'float32' ? 'float32' : 'float64';
      const ordE = kw.get('ord')?.value;
      const ord = normOrd(ordE);
      const keep = kw.get('keepdims')?.value;
      if (keep && keep.kind !== 'Bool') ck.error(Code.TypeMismatch, 'norm(keepdims=...) must be True or False, written out', keep.span);
      const kept = keep?.kind === 'Bool' && keep.value;
      const axE = kw.get('axis')?.value;
      const ax = axE && axE.kind !== 'None' ? literalAxis(ck, axE, t.ndim, null) : null;
      if (ord === undefined) ck.error(Code.TypeMismatch, "norm() ord must be written as a literal: None, a number, inf, -inf or 'fro'", ordE!.span);
      else {
        const problem = normProblem(ord, t.ndim, ax !== null);
        if (problem) ck.error(problem.unsupported ? Code.Unsupported : Code.ValueError, problem.text, ordE?.span ?? c.span);
      }
      // (Along the only axis of a vector, a number.)
      if (kept) return array(d, t.ndim);
      return ax === null || t.ndim === 1 ? scalar(d) : array(d, t.ndim - 1);
    }
  }
  throw new Unknown();
}

/** Python's sum/min/max/any/all of a tuple (and math.prod): one element after another, in Python's types. */
export function tupleFold(ck: Checker, c: A.Call, fname: string, t: Type & { kind: 'tuple' }, start: Type | null): Type {
  ck.inst.calls.set(c, { kind: 'builtin', name: 'tuple:py:' + fname, self: null });
  const bad = t.elems.find((x) => x.kind !== 'scalar');
  if (bad) { ck.error(Code.TypeMismatch, `${fname === 'prod' ? 'math.prod' : fname}() of a tuple takes numbers in Par, not ${showType(bad)}`, c.args[0].span); throw new Unknown(); }
  const els = t.elems as (Type & { kind: 'scalar' })[];
  if (fname === 'any' || fname === 'all') return BOOL;
  if (fname === 'sum' || fname === 'prod') {
    // Python starts from 0 (math.prod from start=1) and adds (multiplies) left to right.
    const s0 = (start ?? INT) as Type & { kind: 'scalar' };
    const p = els.reduce((acc: { dtype: DType; weak: boolean }, x) => promote(acc, x), { dtype: s0.dtype, weak: s0.weak });
    return scalar(p.dtype === 'bool' ? 'int64' : p.dtype, p.weak);
  }
  if (!els.length) { ck.error(Code.ValueError, `${fname}() arg is an empty sequence`, c.args[0].span); throw new Unknown(); }
  const p = els.map((x): { dtype: DType; weak: boolean } => x).reduce((x, y) => promote(x, y));
  return scalar(p.dtype, p.weak);
}

/** NumPy's reduction of a tuple of numbers (`np.prod(a.shape)`): that of the 1-d array `np.array(t)`. */
export function tupleReduction(ck: Checker, c: A.Call, fname: string, t: Type & { kind: 'tuple' }, kw: Map<string, A.Keyword>, forced: DType | null): Type {
  const bad = t.elems.find((x) => x.kind !== 'scalar');
  if (bad) { ck.error(Code.Unsupported, `${fname}() of a tuple holding ${showType(bad)} is not supported (Par reduces tuples of numbers; join arrays with np.stack)`, c.args[0].span); throw new Unknown(); }
  // np.array(t): Python numbers count as bool, int64 and float64; an empty tuple is float64.
  const ds = (t.elems as (Type & { kind: 'scalar' })[]).map((x) => x.dtype);
  const d: DType = ds.length ? ds.reduce((x, y) => promoteDtypes(x, y)) : 'float64';
  const ax = kw.get('axis')?.value;
  if (ax && ax.kind !== 'None') {
    const v = axisValue(ax, null);
    if (v === undefined) ck.error(Code.TypeMismatch, `${fname}() of a tuple takes axis as an integer literal`, ax.span);
    else if (v !== null && v !== 0 && v !== -1) ck.error(Code.ShapeMismatch, `axis ${v} is out of bounds for array of dimension 1`, ax.span);
    ck.expr(ax);
  }
  const keep = kw.get('keepdims')?.value;
  if (keep?.kind === 'Bool' && keep.value) ck.error(Code.Unsupported, `${fname}(keepdims=True) of a tuple is not supported`, keep.span);
  if (kw.get('ddof')) ck.expr(kw.get('ddof')!.value);
  ck.inst.calls.set(c, { kind: 'builtin', name: 'tuple:np:' + fname, self: null });
  return forced ? scalar(forced) : reducedElem(ck, fname, d, 0);
}

/** `math.prod(iterable, *, start=1)`: Python's product of a tuple, list, range or 1-d array, left to right. */
export function mathProd(ck: Checker, c: A.Call): Type {
  ck.nargs(c, 1, 1, 'math.prod');
  const kw = ck.kw(c, ['start'], 'math.prod');
  const st = kw.get('start') ? ck.expr(kw.get('start')!.value) : INT;
  if (st.kind !== 'scalar') { ck.error(Code.TypeMismatch, `math.prod() start must be a number, got ${showType(st)}`, kw.get('start')!.value.span); throw new Unknown(); }
  const t = ck.expr(c.args[0]);
  if (t.kind === 'tuple') return tupleFold(ck, c, 'prod', t, st);
  let elem: Type | null;
  if (t.kind === 'list' || t.kind === 'range') {
    elem = t.kind === 'range' ? INT : t.elem ?? INT;
    ck.inst.calls.set(c, { kind: 'builtin', name: 'list:prod', self: null });
  } else if (t.kind === 'array' && t.ndim === 1) {
    // Its elements are NumPy scalars: 1 * np.int32(x) stays int32 (NEP 50).
    elem = scalar(t.dtype);
    ck.inst.calls.set(c, { kind: 'builtin', name: 'tuple:py:prod', self: null });
  } else { ck.error(Code.TypeMismatch, `math.prod() takes a tuple, list, range or 1-d array in Par, got ${showType(t)}`, c.args[0].span); throw new Unknown(); }
  if (elem.kind !== 'scalar') { ck.error(Code.TypeMismatch, `math.prod() multiplies numbers, not ${showType(elem)}`, c.args[0].span); throw new Unknown(); }
  const p = promote(promote(st, elem), elem);
  return scalar(p.dtype === 'bool' ? 'int64' : p.dtype, p.weak);
}

/** `np.mgrid[0:3, 0:4]` (one array, the grids stacked) and `np.ogrid[0:3, 0:4]` (a tuple of open grids): integer slices. */
export function gridType(ck: Checker, e: A.Subscript, name: string): Type {
  const ix = e.index;
  if (!ix.length || ix.some((x) => x.kind !== 'Slice' || x.ellipsis)) { ck.error(Code.Unsupported, `np.${name}[...] takes slices in Par (np.${name}[0:3, 0:4])`, e.span); throw new Unknown(); }
  let p: { dtype: DType; weak: boolean } = { dtype: 'int64', weak: true };
  for (const s of ix as A.Slice[]) {
    if (!s.upper) { ck.error(Code.TypeMismatch, `np.${name}[...] needs a stop in each slice`, s.span); throw new Unknown(); }
    for (const b of [s.lower, s.upper, s.step]) {
      if (!b) continue;
      const bt = ck.expr(b);
      if (bt.kind !== 'scalar' || isFloat(bt.dtype)) { ck.error(Code.Unsupported, `np.${name} with ${bt.kind === 'scalar' ? 'float' : showType(bt)} bounds or steps is not supported yet (integer slices are)`, b.span); throw new Unknown(); }
      p = promote(p, bt);
    }
  }
  const n = ix.length;
  const d: DType = p.dtype === 'bool' ? 'int64' : p.dtype;
  if (n === 1) return array(d, 1);
  if (n + (name === 'mgrid' ? 1 : 0) > 4) { ck.error(Code.Unsupported, 'arrays have at most 4 dimensions in Par', e.span); throw new Unknown(); }
  return name === 'mgrid' ? array(d, n + 1) : { kind: 'tuple', elems: Array.from({ length: n }, () => array(d, n)) };
}

/**
 * A call of a @vectorize function, which is a ufunc: its inputs are numbers or arrays, broadcast
 * together; the function is specialized for one element of each (strong scalars of their dtypes,
 * or the first signature they all cast to safely, as NumPy's loop search picks one) and applied to
 * every element. The call is an array of the broadcast rank, of the result dtype (the signature's,
 * or the specialization's), or a scalar of that dtype when every input is a scalar.
 */
export function vectorizedCall(ck: Checker, c: A.Call, def: A.FunctionDef): Type {
  const sigs = ck.options.get(def)?.signatures ?? [];
  if (c.keywords.length) { ck.error(Code.ArgCount, `${def.name}() is a ufunc (@vectorize): pass its inputs by position`, c.keywords[0].span); throw new Unknown(); }
  if (c.args.length !== def.params.length) { ck.error(Code.ArgCount, `${def.name}() takes ${def.params.length} argument${def.params.length === 1 ? '' : 's'} but ${c.args.length} were given`, c.span); throw new Unknown(); }
  const ts = c.args.map((a) => ck.valueArg(a, def.name));
  let elems: Type[] = ts.map((t) => scalar(elemOf(t)!.dtype));
  let ret: DType | null = null;
  if (sigs.length) {
    // NumPy's loop search with Python numbers (should_use_min_scalar_weak_literals): next to a
    // NumPy value of their kind or a higher one, a Python int casts to any int or float dtype and a
    // Python float to any float dtype; otherwise they are int64 and float64. NumPy values cast
    // as np.can_cast(from, to, 'safe').
    const py = ts.map((t) => (t.kind === 'scalar' && t.weak && t.dtype !== 'bool' ? kindOf(t.dtype) : -1));
    const numpyKinds = ts.filter((_t, i) => py[i] < 0).map((t) => kindOf(elemOf(t)!.dtype));
    const weak = numpyKinds.length > 0 && Math.max(...numpyKinds) >= Math.max(...py);
    const safe = (t: Type, to: Type) => to.kind === 'scalar' && promote({ ...elemOf(t)!, weak: weak && elemOf(t)!.weak }, { dtype: to.dtype, weak: false }).dtype === to.dtype;
    const sig = sigs.find((s) => s.params.length === ts.length && s.params.every((p, i) => safe(ts[i], p)));
    if (!sig) {
      ck.error(Code.TypeMismatch, `ufunc '${def.name}' not supported for the input types (${ts.map((t) => elemOf(t)!.dtype).join(', ')}), and the inputs could not be safely coerced to any supported types according to the casting rule 'safe'`, c.span);
      throw new Unknown();
    }
    elems = sig.params;
    ret = sig.ret && sig.ret.kind === 'scalar' ? sig.ret.dtype : null;
  }
  const r = ck.userCall(c, def, c.args, [], elems);
  if (r.kind !== 'scalar') { ck.error(Code.TypeMismatch, `a @vectorize function must return a number for each element; '${def.name}' returns ${showType(r)}`, c.span); throw new Unknown(); }
  const d = ret ?? r.dtype;
  const ranks = ts.map((t) => (t.kind === 'array' ? t.ndim : 0));
  if (!ts.some((t) => t.kind === 'array')) return scalar(d);
  const shapes = ts.map((t) => (t.kind === 'array' ? t.shape : []));
  let shape: number[] | null | undefined;
  if (shapes.every((x) => x)) {
    shape = shapes.reduce((x: number[] | null, y) => x && broadcastShapes(x, y!), []);
    if (!shape) ck.error(Code.ShapeMismatch, `operands could not be broadcast together with shapes ${shapes.map((x) => showShape(x!)).join(' ')}`, c.span);
  }
  return array(d, Math.max(...ranks), shape ?? undefined);
}

/** `diag(v, k=0)`, `diagonal(a, offset=0)` / `a.diagonal(offset)`, `trace(a, offset=0)` / `a.trace(offset)`. */
export function diagonalCall(ck: Checker, c: A.Call, fname: string, args: A.Expr[], isMethod: boolean): Type {
  const key = fname === 'diag' ? 'k' : 'offset';
  const kw = ck.kw(c, [key], fname);
  ck.nargs(c, isMethod ? 0 : 1, isMethod ? 1 : 2, fname);
  const off = args[1] ?? kw.get(key)?.value;
  if (args[1] && kw.has(key)) ck.error(Code.ArgCount, `${fname}() got multiple values for argument '${key}'`, kw.get(key)!.span);
  if (off) ck.intArg(off, fname);
  const t = ck.expr(args[0]);
  if (t.kind !== 'array' || (fname === 'diag' ? t.ndim > 2 : t.ndim !== 2)) {
    const nd = t.kind === 'array' ? t.ndim : 0;
    if (fname === 'diag') ck.error(Code.ShapeMismatch, 'Input must be 1- or 2-d.', args[0].span);
    else if (nd < 2) ck.error(Code.ShapeMismatch, 'diag requires an array of at least two dimensions', args[0].span);
    else ck.error(Code.Unsupported, `${fname}() of a ${nd}-d array is not supported yet (Par takes the diagonal of a 2-d array)`, args[0].span);
    throw new Unknown();
  }
  if (fname === 'trace') return scalar(sumDtype(t.dtype));
  return array(t.dtype, fname === 'diag' && t.ndim === 1 ? 2 : 1);
}

/** The dtype a ufunc computes in when given `dtype=`: NumPy casts inputs with the 'same_kind' rule. */
export function ufuncDtype(ck: Checker, name: string, k: A.Keyword, inputs: Type[], natural: DType): DType {
  const want = ck.dtypeArg(k, natural);
  const floatOnly = !['abs', 'floor', 'ceil', 'round', 'sign', 'negative', 'trunc', 'square', 'maximum', 'minimum', 'power', 'fmod', 'clip'].includes(name);
  if (floatOnly && !isFloat(want)) {
    ck.error(Code.TypeMismatch, `No loop matching the specified signature and casting was found for ufunc ${name} (dtype=${want})`, k.value.span);
    return natural;
  }
  for (const t of inputs) {
    const el = elemOf(t);
    if (el && !el.weak && kindOf(el.dtype) > kindOf(want)) {
      ck.error(Code.TypeMismatch, `Cannot cast ufunc '${name}' input from dtype('${el.dtype}') to dtype('${want}') with casting rule 'same_kind'`, k.value.span);
      return natural;
    }
  }
  return want;
}

/** The value of an axis argument: a literal int, null for None (or `dflt` when absent), undefined when not a literal. */
export function axisValue(e: A.Expr | undefined, dflt: number | null): number | null | undefined {
  if (!e) return dflt;
  if (e.kind === 'None') return null;
  if (e.kind === 'Int') return Number(e.value);
  if (e.kind === 'Unary' && e.op === '-' && e.operand.kind === 'Int') return -Number(e.operand.value);
  return undefined;
}

/** The positions `t[lo:hi:step]` takes from a tuple of n items, when the bounds are integer literals (or absent); else null. */
export function tupleSlice(ix: A.Expr, n: number): number[] | null {
  if (ix.kind !== 'Slice' || ix.ellipsis) return null;
  const lit = (x: A.Expr | null): number | null | undefined => (x === null ? null : axisValue(x, null) ?? undefined);
  const [lo, hi, st] = [lit(ix.lower), lit(ix.upper), lit(ix.step)];
  if (lo === undefined || hi === undefined || st === undefined || st === 0) return null;
  const step = st ?? 1;
  // Python's slice.indices.
  const clamp = (v: number | null, dflt: number) => (v === null ? dflt : v < 0 ? Math.max(v + n, step < 0 ? -1 : 0) : Math.min(v, step < 0 ? n - 1 : n));
  const out: number[] = [];
  for (let i = clamp(lo, step < 0 ? n - 1 : 0), end = clamp(hi, step < 0 ? -1 : n); step > 0 ? i < end : i > end; i += step) out.push(i);
  return out;
}

/** The shape of a pad_width as np.asarray sees it (a number, a tuple of numbers, a tuple of tuples), or why it is not one. */
export function padShape(t: Type): number[] | { code: number; text: string } {
  const integral = (x: Type) => x.kind === 'scalar' && isInt(x.dtype);
  const leaves: Type[] = [];
  let shape: number[];
  if (t.kind === 'scalar') { shape = []; leaves.push(t); }
  else if (t.kind === 'tuple' && t.elems.every((x) => x.kind === 'scalar')) { shape = [t.elems.length]; leaves.push(...t.elems); }
  else if (t.kind === 'tuple' && t.elems.length && t.elems.every((x) => x.kind === 'tuple' && x.elems.every((y) => y.kind === 'scalar'))) {
    const lens = t.elems.map((x) => (x as Type & { kind: 'tuple' }).elems.length);
    if (lens.some((n) => n !== lens[0])) return { code: Code.ValueError, text: `setting an array element with a sequence. The requested array has an inhomogeneous shape after 1 dimensions. The detected shape was (${t.elems.length},) + inhomogeneous part.` };
    shape = [t.elems.length, lens[0]];
    for (const x of t.elems) leaves.push(...(x as Type & { kind: 'tuple' }).elems);
  } else return { code: Code.TypeMismatch, text: `pad_width must be an integer, a (before, after) pair or one pair per axis, got ${showType(t)}` };
  // np.pad: pad_width.dtype.kind must be 'i' (bools alone are not; with an int they are).
  if (!leaves.every((x) => integral(x) || (x.kind === 'scalar' && x.dtype === 'bool')) || !leaves.some(integral)) return { code: Code.TypeMismatch, text: '`pad_width` must be of integral type.' };
  return shape;
}

/** NumPy's _as_pairs for pad_width: null when it gives one (before, after) pair per axis, else its error. */
export function padProblem(t: Type, ndim: number): { code: number; text: string } | null {
  const shape = padShape(t);
  if (!Array.isArray(shape)) return shape;
  const size = shape.reduce((a, b) => a * b, 1);
  if (size === 1 || (size === 2 && !(shape.length === 2 && shape[0] === 2 && shape[1] === 1))) return null;
  // Otherwise broadcast to (ndim, 2).
  const want = [ndim, 2];
  const ok = shape.length <= 2 && shape.every((n, i) => n === 1 || n === want[want.length - shape.length + i]);
  const shown = `(${shape.join(',')}${shape.length === 1 ? ',' : ''})`;
  return ok ? null : { code: Code.ValueError, text: `operands could not be broadcast together with remapped shapes [original->remapped]: ${shown}  and requested shape (${ndim},2)` };
}

/** What `einsum(spec, ...)` of operands of these ranks is: one of EINSUM_FORMS and its result rank, or NumPy's error (or Par's). */
export function einsumPlan(spec: string, ranks: number[]): { form: string; ndim: number; letters: string } | { error: string; unsupported?: boolean } {
  const s = spec.replace(/\s+/g, '');
  if (s.includes('.')) return { error: "einsum() with '...' (broadcast dimensions) is not supported yet", unsupported: true };
  const arrow = s.indexOf('->');
  const lhs = arrow < 0 ? s : s.slice(0, arrow);
  const given = arrow < 0 ? null : s.slice(arrow + 2);
  const bad = [...lhs.replace(/,/g, ''), ...(given ?? '')].find((ch) => !/[A-Za-z]/.test(ch));
  if (bad) return { error: `invalid subscript '${bad}' in einstein sum subscripts string, subscripts must be letters` };
  const ins = lhs.split(',');
  if (ins.length < ranks.length) return { error: 'more operands provided to einstein sum function than specified in the subscripts string' };
  if (ins.length > ranks.length) return { error: 'fewer operands provided to einstein sum function than specified in the subscripts string' };
  for (let i = 0; i < ins.length; i++) {
    if (ins[i].length > ranks[i]) return { error: `einstein sum subscripts string contains too many subscripts for operand ${i}` };
    if (ins[i].length < ranks[i]) return { error: "operand has more dimensions than subscripts given in einstein sum, but no '...' ellipsis provided to broadcast the extra dimensions." };
  }
  const counts = new Map<string, number>();
  for (const ch of ins.join('')) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let out: string;
  if (given === null) out = [...counts].filter(([, n]) => n === 1).map(([ch]) => ch).sort().join('');
  else {
    for (let i = 0; i < given.length; i++) {
      if (!counts.has(given[i])) return { error: `einstein sum subscripts string included output subscript '${given[i]}' which never appeared in an input` };
      if (given.indexOf(given[i]) !== i) return { error: `einstein sum subscripts string includes output subscript '${given[i]}' multiple times` };
    }
    out = given;
  }
  const names = new Map<string, string>();
  const canon = (x: string) => [...x].map((ch) => { if (!names.has(ch)) names.set(ch, 'ijklmnopqrstuvwxyz'[names.size]); return names.get(ch)!; }).join('');
  const key = `${ins.map(canon).join(',')}->${canon(out)}`;
  const form = EINSUM_FORMS[key];
  if (!form) return { error: `einsum('${spec}') is not supported in Par; it has ${Object.keys(EINSUM_FORMS).map((k) => `'${k}'`).join(', ')} (with any letters)`, unsupported: true };
  return { form, ndim: out.length, letters: ins.join('') };
}

/**
 * The `ord` of `norm()` as written: null for None (or absent), a number (`2`, `-1`, `inf`, `np.inf`,
 * `-np.inf`, `float('inf')`), `'fro'`/`'nuc'`/...; undefined when it is not a literal.
 */
export function normOrd(e: A.Expr | undefined): number | string | null | undefined {
  if (!e || e.kind === 'None') return null;
  if (e.kind === 'Int') return Number(e.value);
  if (e.kind === 'Float') return e.value;
  if (e.kind === 'Str') return e.value;
  if ((e.kind === 'Name' || e.kind === 'Attribute') && (e.kind === 'Name' ? e.id : e.attr) === 'inf') return Infinity;
  if (e.kind === 'Call' && e.func.kind === 'Name' && e.func.id === 'float' && e.args.length === 1 && e.args[0].kind === 'Str' && ['inf', 'infinity'].includes(e.args[0].value.toLowerCase().replace(/^\+/, ''))) return Infinity;
  if (e.kind === 'Unary' && (e.op === '-' || e.op === '+')) {
    const v = normOrd(e.operand);
    return typeof v === 'number' ? (e.op === '-' ? -v : v) : undefined;
  }
  return undefined;
}

/** What NumPy says of norm(ord=...) for an array of `ndim` axes (`vector`: an axis is given), or what Par lacks; null when it is fine. */
export function normProblem(ord: number | string | null, ndim: number, vector: boolean): { text: string; unsupported?: boolean } | null {
  if (ord === null) return null;
  if (vector || ndim === 1) return typeof ord === 'string' ? { text: `Invalid norm order '${ord}' for vectors` } : null;
  if (ndim !== 2) return { text: 'Improper number of dimensions to norm.' };
  if ([1, -1, Infinity, -Infinity, 'fro', 'f'].includes(ord)) return null;
  if ([2, -2, 'nuc'].includes(ord)) return { text: `norm(ord=${typeof ord === 'string' ? `'${ord}'` : ord}) of a matrix (from its singular values) is not supported in Par`, unsupported: true };
  return { text: 'Invalid norm order for matrices.' };
}

/** A constant shape argument: `3` or `(2, 3)` with integer literals. */
export function constShape(e: A.Expr): number[] | undefined {
  if (e.kind === 'Int') return [Number(e.value)];
  if (e.kind === 'Tuple' && e.elts.every((x) => x.kind === 'Int')) return e.elts.map((x) => Number((x as A.IntLit).value));
  return undefined;
}

/** The axes arguments of transpose, swapaxes and moveaxis: `a.transpose(1, 0)`, `a.transpose((1, 0))`, `np.transpose(a, axes=(1, 0))`. */
export function axesArgs(c: A.Call, fname: string, method: boolean): A.Expr[] {
  const rest = method ? c.args : c.args.slice(1);
  const kw = c.keywords.find((k) => k.name === 'axes' || k.name === 'axis1' || k.name === 'source')?.value;
  const given = fname === 'transpose' && kw ? [kw] : [...rest, ...c.keywords.filter((k) => ['axis1', 'axis2', 'source', 'destination'].includes(k.name)).map((k) => k.value)];
  if (fname === 'transpose' && given.length === 1 && (given[0].kind === 'Tuple' || given[0].kind === 'List')) return given[0].elts;
  if (fname === 'transpose' && given.length === 1 && given[0].kind === 'None') return [];
  return given;
}

/**
 * The axis order of `a.transpose(axes)`, `swapaxes(a, i, j)` or `moveaxis(a, src, dst)` for an array
 * of `ndim` axes (axes are integer literals; the result's axis k is the input's axis perm[k]), or
 * NumPy's message for a bad one. No axes: transpose reverses them.
 */
export function permutation(fname: string, ndim: number, axes: A.Expr[]): number[] | string {
  const vals: number[] = [];
  for (const e of axes) {
    const v = axisValue(e, null);
    if (typeof v !== 'number') return `${fname}() axes must be integer literals`;
    if (v < -ndim || v >= ndim) return `axis ${v} is out of bounds for array of dimension ${ndim}`;
    vals.push(v < 0 ? v + ndim : v);
  }
  const all = Array.from({ length: ndim }, (_v, i) => i);
  if (fname === 'transpose') {
    if (vals.length === 0) return all.reverse();
    if (vals.length !== ndim) return "axes don't match array";
    if (new Set(vals).size !== ndim) return 'repeated axis in transpose';
    return vals;
  }
  if (vals.length !== 2) return `${fname}() takes an array and two axes`;
  const [i, j] = vals;
  if (fname === 'swapaxes') { all[i] = j; all[j] = i; return all; }
  const order = all.filter((k) => k !== i);
  order.splice(j, 0, i);
  return order;
}

/** The dtype a value denotes where NumPy compares it with a dtype: a dtype, Python's int/float/bool, or a dtype string (null: a string that names none). */
export function staticDtype(e: A.Expr, t: Type): DType | null | undefined {
  if (t.kind === 'dtype') return t.dtype;
  if (t.kind === 'builtin' && ['int', 'float', 'bool'].includes(t.name)) return t.name === 'int' ? 'int64' : t.name === 'float' ? 'float64' : 'bool';
  if (t.kind === 'str' && e.kind === 'Str') return dtypeOfString(e.value) ?? null;
  return undefined;
}

/** np.pad's modes that Par has. */
export const PAD_MODES = ['constant', 'edge', 'wrap', 'empty'];

/** The einsum subscripts Par has, with letters renamed in order of first appearance, and the operation each one is. */
export const EINSUM_FORMS: Record<string, string> = {
  'ij,jk->ik': 'matmul', 'ij,j->i': 'matmul', 'i,ij->j': 'matmul', 'i,i->': 'dot', 'ij,ij->': 'sumprod', 'i,j->ij': 'outer',
  'ij->ji': 'transpose', 'ii->': 'trace', 'ii->i': 'diagonal', 'i->': 'sum', 'ij->': 'sum', 'ij->i': 'sum1', 'ij->j': 'sum0', 'i->i': 'view', 'ij->ij': 'view',
};

/**
 * The arrays a joining function takes (`concatenate`, `stack`, `vstack`, `hstack`, `column_stack`):
 * a list or tuple display, or a tuple value; at least one, each an array. A list made at run time
 * has no length known when compiling, so it is refused with what to write instead.
 */
function joinedArrays(ck: Checker, seq: A.Expr, fname: string): (Type & { kind: 'array' })[] {
  let ts: Type[];
  if (seq.kind === 'List' || seq.kind === 'Tuple') {
    ts = seq.elts.map((x) => ck.expr(x));
    ck.inst.types.set(seq, { kind: 'tuple', elems: ts });
  } else {
    const st = ck.expr(seq);
    if (st.kind === 'list' && st.elem?.kind === 'array') { ck.error(Code.Unsupported, `${fname}() of a list built at run time (${showType(st)}) is not supported yet: write the arrays out (${fname}([a, b, c])), or make one array with np.array(list)`, seq.span); throw new Unknown(); }
    if (st.kind !== 'tuple') { ck.error(Code.TypeMismatch, `${fname}() needs a tuple or list of arrays, got ${showType(st)}`, seq.span); throw new Unknown(); }
    ts = st.elems;
  }
  if (ts.length === 0) { ck.error(Code.ValueError, 'need at least one array to concatenate', seq.span); throw new Unknown(); }
  return ts.map((t, i) => {
    if (t.kind !== 'array') { ck.error(Code.TypeMismatch, `${fname}() joins arrays; element ${i} is ${showType(t)}`, seq.span); throw new Unknown(); }
    return t;
  });
}
