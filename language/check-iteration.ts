// Typing of what a for loop iterates (part of the Checker, as a mixin class): ranges and prange with
// their schedules, arrays, lists, strings, tuples, enumerate/zip/reversed.
import type * as A from './ast.js';
import { Code } from './diagnostics.js';
import { Unknown } from './check-base.js';
import { array, INT, isFloat, scalar, showType, STR, type Type, typeKey, withoutShapes } from './types.js';
import type { Checker } from './checker.js';

export class IterationTyping {
  /** The items of what a for loop or comprehension walks. */
  iterElem(this: Checker, e: A.Expr): Type {
    if (e.kind === 'Call') {
      const fname = this.calleeName(e.func);
      if (fname === 'enumerate' || fname === 'zip' || fname === 'reversed') return this.iterCall(e, fname);
      if (fname === 'range') { this.rangeCall(e, 'range'); return INT; }
    }
    const t = this.expr(e);
    if (t.kind === 'str') return STR;
    if (t.kind === 'range') return INT;
    if (t.kind === 'list') {
      if (!t.elem) { this.error(Code.TypeMismatch, 'cannot iterate over a list whose element type is unknown (nothing is ever put in it)', e.span); throw new Unknown(); }
      return t.elem;
    }
    if (t.kind === 'array') return t.ndim === 1 ? scalar(t.dtype) : array(t.dtype, t.ndim - 1);
    if (t.kind === 'tuple' && t.elems.length > 0) {
      // A Python loop variable takes each item's own type; Par's has one, so the items must share it.
      const first = t.elems[0];
      if (first.kind === 'scalar' && t.elems.every((x) => x.kind === 'scalar' && x.dtype === first.dtype)) return first;
      // Arrays of one dtype and rank, or strings: one variable type serves every item.
      if ((first.kind === 'array' || first.kind === 'str') && t.elems.every((x) => typeKey(withoutShapes(x)) === typeKey(withoutShapes(first)))) return withoutShapes(first);
      this.error(Code.Unsupported, `a for loop over a tuple needs items of one type (numbers of one dtype, arrays of one dtype and rank, or strings), not ${showType(t)}`, e.span);
      throw new Unknown();
    }
    this.error(Code.TypeMismatch, `cannot iterate over ${showType(t)}; use range(...) or an array`, e.span);
    throw new Unknown();
  }
  /** `enumerate(x, start=0)`, `zip(a, b, ...)`, `reversed(x)`: iterables of a for loop or comprehension. */
  iterCall(this: Checker, c: A.Call, fname: string): Type {
    this.inst.types.set(c, { kind: 'builtin', name: fname });
    this.inst.calls.set(c, { kind: 'builtin', name: fname, self: null });
    if (fname === 'enumerate') {
      this.nargs(c, 1, 2, 'enumerate');
      const start = c.args[1] ?? this.kw(c, ['start'], 'enumerate').get('start')?.value;
      if (start) this.intArg(start, 'enumerate');
      return { kind: 'tuple', elems: [INT, this.iterElem(c.args[0])] };
    }
    this.kw(c, fname === 'zip' ? ['strict'] : [], fname);
    if (fname === 'zip') {
      if (c.args.length === 0) { this.error(Code.ArgCount, 'zip() needs at least one iterable in Par', c.span); throw new Unknown(); }
      return { kind: 'tuple', elems: c.args.map((a) => this.iterElem(a)) };
    }
    this.nargs(c, 1, 1, 'reversed');
    if (c.args[0].kind === 'Call' && ['enumerate', 'zip', 'reversed'].includes(this.calleeName(c.args[0].func) ?? '')) {
      this.error(Code.TypeMismatch, `reversed() needs a sequence, not ${this.calleeName(c.args[0].func)}()`, c.args[0].span);
      throw new Unknown();
    }
    return this.iterElem(c.args[0]);
  }
  rangeCall(this: Checker, c: A.Call, fname: string): void {
    this.inst.types.set(c, { kind: 'builtin', name: fname });
    this.inst.calls.set(c, { kind: 'builtin', name: fname, self: null });
    if (c.args.length < 1 || c.args.length > 3) this.error(Code.ArgCount, `${fname}() takes 1 to 3 positional arguments, got ${c.args.length}`, c.span);
    for (const a of c.args) {
      const t = this.expr(a);
      if (t.kind !== 'scalar' || isFloat(t.dtype)) this.error(Code.TypeMismatch, `${fname}() arguments must be integers, got ${showType(t)}`, a.span);
    }
    if (c.args[2]?.kind === 'Int' && c.args[2].value === 0n) this.error(Code.ValueError, `${fname}() arg 3 must not be zero`, c.args[2].span);
    // nogil= is Cython's (cython.parallel.prange): Par has no GIL, so it means nothing.
    // cluster= is Par's: cluster=False keeps the loop off the cluster in cluster mode (docs/cluster.md).
    const allowed = fname === 'prange' ? ['schedule', 'chunksize', 'num_threads', 'use_threads_if', 'nogil', 'cluster'] : [];
    for (const k of c.keywords) {
      if (!allowed.includes(k.name)) { this.error(Code.ArgCount, `${fname}() got an unexpected keyword argument '${k.name}'`, k.span); continue; }
      const t = this.expr(k.value);
      if (k.name === 'nogil') continue;
      if (k.name === 'cluster') {
        if (k.value.kind !== 'Bool') this.error(Code.TypeMismatch, 'cluster must be True or False (a constant)', k.value.span);
      } else if (k.name === 'schedule') {
        if (k.value.kind !== 'Str' || !['auto', 'static', 'dynamic', 'guided', 'runtime'].includes(k.value.value))
          this.error(Code.TypeMismatch, 'schedule must be one of "auto", "static", "dynamic", "guided", "runtime"', k.value.span);
      } else if (k.name === 'use_threads_if') {
        if (t.kind !== 'scalar') this.error(Code.TypeMismatch, 'use_threads_if must be a scalar condition', k.value.span);
      } else if (t.kind !== 'scalar' || isFloat(t.dtype)) this.error(Code.TypeMismatch, `${k.name} must be an integer`, k.value.span);
    }
  }
}
