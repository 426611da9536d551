// Arguments of builtin calls (part of the Checker, as a mixin class): keyword and count checks, dtype,
// shape, integer and flag arguments, nested list literals, conversions, and max/min of many values.
import type * as A from './ast.js';
import { Code } from './diagnostics.js';
import { Unknown } from './check-base.js';
import { array, type DType, DTYPE_INFO, dtypeOfString, elemOf, isFloat, isInt, promote, scalar, showType, type Type } from './types.js';
import { otherDtypeMessage } from './compat.js';
import type { Checker } from './checker.js';

export class ArgumentTyping {
  convert(this: Checker, c: A.Call, d: DType, weak: boolean): Type {
    this.inst.calls.set(c, { kind: 'builtin', name: 'astype:' + d, self: null });
    if (c.args.length !== 1) { this.error(Code.ArgCount, `${d}() takes exactly one argument`, c.span); throw new Unknown(); }
    this.allowUint64Literal(c.args[0], d);
    const t = this.expr(c.args[0]);
    if (!weak) this.literalFits(c.args[0], d);
    // int('12'), float('1.5'): parsed as Python parses them (NumPy's int32('12') too).
    if (t.kind === 'str') return scalar(d, weak);
    if (t.kind === 'array') return array(d, t.ndim);
    if (t.kind !== 'scalar') { this.error(Code.TypeMismatch, `cannot convert ${showType(t)} to ${d}`, c.args[0].span); throw new Unknown(); }
    return scalar(d, weak);
  }
  /** NumPy 2 (NEP 50) raises OverflowError when a Python int literal does not fit the NumPy integer dtype it meets. */
  literalFits(this: Checker, e: A.Expr, d: DType): void {
    const v = e.kind === 'Int' ? e.value : e.kind === 'Unary' && e.op === '-' && e.operand.kind === 'Int' ? -e.operand.value : null;
    if (v === null || !isInt(d)) return;
    if (v < DTYPE_INFO[d].min || v > DTYPE_INFO[d].max) this.error(Code.TypeMismatch, `Python integer ${v} out of bounds for ${d}`, e.span);
  }
  /** literalFits for a literal operand `e` (of type `lit`) of a binary operator whose other operand has type `other`. */
  literalInRange(this: Checker, e: A.Expr, other: Type, lit: Type): void {
    const o = elemOf(other), l = elemOf(lit);
    if (o && l && !o.weak && l.weak && isInt(o.dtype)) this.literalFits(e, o.dtype);
  }
  /** Lets an integer literal past int64 stand where it meets a uint64 (checked by literalFits). */
  allowUint64Literal(this: Checker, e: A.Expr, d: DType): void {
    if (d === 'uint64' && e.kind === 'Int') this.uint64Literals.add(e);
  }
  kw(this: Checker, c: A.Call, allowed: string[], fname: string): Map<string, A.Keyword> {
    const m = new Map<string, A.Keyword>();
    for (const k of c.keywords) {
      if (k.name === 'out' && !allowed.includes('out')) { this.error(Code.Unsupported, `${fname}(): out= is not supported in Par; assign the result instead (x[...] = ${fname}(...))`, k.span); continue; }
      if (!allowed.includes(k.name)) { this.error(Code.ArgCount, `${fname}() got an unexpected keyword argument '${k.name}'`, k.span); continue; }
      m.set(k.name, k);
    }
    return m;
  }
  nargs(this: Checker, c: A.Call, min: number, max: number, fname: string): void {
    if (c.args.length < min || c.args.length > max) {
      const want = min === max ? `${min}` : `${min} to ${max}`;
      this.error(Code.ArgCount, `${fname}() takes ${want} positional argument${max === 1 ? '' : 's'}, got ${c.args.length}`, c.span);
      throw new Unknown();
    }
  }
  dtypeArg(this: Checker, k: A.Keyword | undefined, def: DType): DType {
    if (!k) return def;
    return this.dtypeOf(k.value) ?? def;
  }
  /** A dtype written as NumPy accepts one: `np.float32`, `a.dtype`, `float`, `'f8'`, `'<i4'`; null (reported) otherwise. */
  dtypeOf(this: Checker, e: A.Expr): DType | null {
    if (e.kind === 'Str') {
      const d = dtypeOfString(e.value);
      if (!d) this.error(Code.TypeMismatch, otherDtypeMessage(e.value) ?? `data type '${e.value}' not understood`, e.span);
      return d ?? null;
    }
    const t = this.expr(e);
    if (t.kind === 'dtype') return t.dtype;
    if (t.kind === 'builtin' && (t.name === 'int' || t.name === 'float' || t.name === 'bool')) return t.name === 'int' ? 'int64' : t.name === 'float' ? 'float64' : 'bool';
    this.error(Code.TypeMismatch, `dtype must be a dtype such as float64 or int32, got ${showType(t)}`, e.span);
    return null;
  }
  /** A shape argument: an int or a tuple of ints; returns its rank. */
  shapeArg(this: Checker, e: A.Expr): number {
    const t = this.expr(e);
    if (t.kind === 'scalar' && !isFloat(t.dtype)) return 1;
    if (t.kind === 'tuple' && t.elems.every((x) => x.kind === 'scalar' && !isFloat(x.dtype))) {
      if (t.elems.length > 4) this.error(Code.Unsupported, 'arrays have at most 4 dimensions in Par', e.span);
      return t.elems.length;
    }
    this.error(Code.TypeMismatch, `a shape must be an integer or a tuple of integers, got ${showType(t)}`, e.span);
    throw new Unknown();
  }
  arrayArg(this: Checker, e: A.Expr, fname: string): Type & { kind: 'array' } {
    const t = this.expr(e);
    if (t.kind !== 'array') { this.error(Code.TypeMismatch, `${fname}() needs an array, got ${showType(t)}`, e.span); throw new Unknown(); }
    return t;
  }
  valueArg(this: Checker, e: A.Expr, fname: string): Type {
    const t = this.expr(e);
    if (t.kind !== 'array' && t.kind !== 'scalar') { this.error(Code.TypeMismatch, `${fname}() needs a number or an array, got ${showType(t)}`, e.span); throw new Unknown(); }
    return t;
  }
  intArg(this: Checker, e: A.Expr, fname: string): number {
    const t = this.expr(e);
    if (t.kind !== 'scalar' || isFloat(t.dtype)) this.error(Code.TypeMismatch, `${fname}() needs an integer, got ${showType(t)}`, e.span);
    return 1;
  }
  listLiteral(this: Checker, e: A.ListExpr | A.TupleExpr): { dtype: DType; ndim: number } {
    let elem: { dtype: DType; weak: boolean } | null = null;
    let sub: number | null = null;
    let len: number | null = null;
    for (const x of e.elts) {
      let nd: number;
      if (x.kind === 'List' || x.kind === 'Tuple') {
        const r = this.listLiteral(x);
        this.inst.types.set(x, array(r.dtype, r.ndim));
        nd = r.ndim;
        elem = elem ? promote(elem, { dtype: r.dtype, weak: false }) : { dtype: r.dtype, weak: false };
        if (len !== null && len !== x.elts.length) this.error(Code.ShapeMismatch, 'array() rows must all have the same length', x.span);
        len = x.elts.length;
      } else {
        const t = this.expr(x);
        if (t.kind !== 'scalar') { this.error(Code.TypeMismatch, `array() elements must be numbers, got ${showType(t)}`, x.span); throw new Unknown(); }
        nd = 0;
        // array() gives Python numbers their default dtypes (no NEP 50 weak promotion here).
        elem = elem ? promote(elem, { dtype: t.dtype, weak: false }) : { dtype: t.dtype, weak: false };
      }
      if (sub !== null && sub !== nd) { this.error(Code.ShapeMismatch, 'array() needs a rectangular nested list', x.span); throw new Unknown(); }
      sub = nd;
    }
    if (sub === null) { this.error(Code.Unsupported, 'array([]) of an empty list is not supported; use zeros(0)', e.span); throw new Unknown(); }
    if (sub + 1 > 4) this.error(Code.Unsupported, 'arrays have at most 4 dimensions in Par', e.span);
    return { dtype: elem!.dtype, ndim: sub + 1 };
  }
  // ---------------- the array library: sorting, joining, scans ----------------
  // ---------------- more of NumPy (issue 18): tuples, searching, counting, padding, einsum, grids ----------------
  /** A True/False keyword given as a literal (false when absent). */
  flagArg(this: Checker, kw: Map<string, A.Keyword>, k: string, fname: string): boolean {
    const v = kw.get(k)?.value;
    if (!v || v.kind === 'None') return false;
    if (v.kind !== 'Bool') { this.error(Code.TypeMismatch, `${fname}() ${k} must be True or False (a literal)`, v.span); return false; }
    return v.value;
  }
  // ---------------- @vectorize functions, max/min of several numbers, diagonals ----------------
  /** Python's max(a, b, c, ...) / min(...) of three or more numbers: the first largest (smallest), in their promoted type. */
  maxMinOfMany(this: Checker, c: A.Call, fname: string): Type {
    this.kw(c, [], fname);
    const ts = c.args.map((a) => this.valueArg(a, fname));
    const bad = c.args.find((_a, i) => ts[i].kind === 'array');
    if (bad) { this.error(Code.TypeMismatch, `${fname}(a, b, c, ...) compares numbers; use ${fname === 'max' ? 'maximum' : 'minimum'}(a, b) for arrays, or ${fname}(a) for the ${fname === 'max' ? 'largest' : 'smallest'} element of one array`, bad.span); throw new Unknown(); }
    const p = ts.map((t) => elemOf(t)!).reduce((x, y) => promote(x, y));
    this.inst.calls.set(c, { kind: 'builtin', name: fname + 'N', self: null });
    return scalar(p.dtype, p.weak);
  }
}
