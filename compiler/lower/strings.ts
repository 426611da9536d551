// Lowering of Python's str: f-strings, `%` and str.format, str()/repr()/format(), concatenation,
// comparison, indexing and methods. A run-time string is a 1-d bool (u8) array of UTF-8 bytes, an
// owned or borrowed array value like any other, so variables, arguments, results and reference
// counting need nothing new; a string literal stays a compile-time value until it must exist in
// memory. Every operation pushes its operands to runtime/strings.ts (the `s_*` imports) and runs a
// StrOp there: Python's formatting rules live in one place, in JS (runtime/pyformat.ts).
import type * as A from '../../language/ast.js';
import { Code } from '../../language/diagnostics.js';
import type { Span } from '../../language/source.js';
import { type DType, isInt, type Type } from '../../language/types.js';
import { DTYPE_CODE } from '../../runtime/layout.js';
import type { FPartOp, StrOp } from '../../runtime/strings.js';
import { StrResult, NumKind } from '../../runtime/strings.js';
import type * as I from '../ir.js';
import type { FnLowerer } from './function.js';
import type { Val } from './values.js';
import { i32, cvt, call, convert, bin } from '../ir-build.js';

type Expr = I.Expr;

const STR_DTYPE: DType = 'bool';
const INT: Type = { kind: 'scalar', dtype: 'int64', weak: true };

/** The site that reports a string operation's Python exception (the message comes from JS). */
const siteOf = (fl: FnLowerer, span: Span): number => fl.mod.site(Code.ValueError, 'str', span);

/** Pushes one value for the next string operation: numbers with their Python or NumPy kind, strings, other printable values. */
export function pushValue(fl: FnLowerer, v: Val, t: Type): void {
  const imp = (name: string, params: I.VT[]) => fl.mod.imp(name, params, null);
  switch (v.k) {
    case 's': {
      const weak = t.kind === 'scalar' && t.weak;
      const kind = weak ? NumKind.Python : v.dtype === 'int32' || v.dtype === 'float32' ? NumKind.Narrow : NumKind.Wide;
      if (v.dtype === 'bool') fl.emit({ k: 'expr', e: call(imp('s_bool', ['i32', 'i32']), null, v.e, i32(weak ? NumKind.Python : NumKind.Wide)) });
      else if (isInt(v.dtype)) {
        // Integers travel as i64 (uint64 as its bits) with their dtype's code.
        const k = weak || v.dtype === 'int32' || v.dtype === 'int64' ? kind : NumKind.Code + DTYPE_CODE[v.dtype];
        fl.emit({ k: 'expr', e: call(imp('s_i64', ['i64', 'i32']), null, convert(v.e, v.dtype, v.dtype === 'uint64' ? 'uint64' : 'int64'), i32(k)) });
      }
      else fl.emit({ k: 'expr', e: call(imp('s_f64', ['f64', 'i32']), null, convert(v.e, v.dtype, 'float64'), i32(kind)) });
      return;
    }
    case 'str': fl.emit({ k: 'expr', e: call(imp('s_lit', ['i32']), null, i32(fl.mod.str(v.text))) }); return;
    case 'a':
      if (t.kind === 'list') fl.emit({ k: 'expr', e: call(imp('s_list', ['i32', 'i32']), null, v.a.desc, i32(fl.mod.str(JSON.stringify(t)))) });
      else fl.emit({ k: 'expr', e: call(imp(t.kind === 'str' ? 's_str' : 's_arr', ['i32']), null, v.a.desc) });
      return;
    case 't': {
      if (t.kind === 'range') {
        // repr(range(0, 5)) is 'range(0, 5)'; with a step, 'range(0, 5, 2)'.
        const [a, b, c] = v.items;
        pushValue(fl, a, INT); pushValue(fl, b, INT); pushValue(fl, c, INT);
        run(fl, { op: 'range' }, null, StrResult.Number);
        return;
      }
      const elems = t.kind === 'tuple' ? t.elems : [];
      v.items.forEach((x, i) => pushValue(fl, x, elems[i]));
      run(fl, { op: 'tuple', n: v.items.length }, null, StrResult.Number);
      return;
    }
    case 'dtype': {
      const cls = t.kind === 'dtype' && t.cls;
      const text = cls ? [`<class 'numpy.${v.dtype}'>`, `<class 'numpy.${v.dtype}'>`, 'type'] : [v.dtype, `dtype('${v.dtype}')`, 'numpy.dtype'];
      fl.emit({ k: 'expr', e: call(imp('s_obj', ['i32']), null, i32(fl.mod.str(JSON.stringify(text)))) });
      return;
    }
    default:
      fl.emit({ k: 'expr', e: call(imp('s_obj', ['i32']), null, i32(fl.mod.str(JSON.stringify(['None', 'None', 'NoneType'])))) });
  }
}

/** Evaluates `e` and pushes it. */
function push(fl: FnLowerer, e: A.Expr): void {
  pushValue(fl, fl.expr(e), fl.type(e));
}

/** `s.split(sep, maxsplit)`: how many pieces (kept in JS), then each piece by `splitPiece`. */
export function splitCount(fl: FnLowerer, e: A.Call, self: A.Expr): Expr {
  push(fl, self);
  const args = [e.args[0] ?? e.keywords.find((k) => k.name === 'sep')?.value, e.args[1] ?? e.keywords.find((k) => k.name === 'maxsplit')?.value];
  const given = args[1] ? 2 : args[0] ? 1 : 0;
  for (const a of args.slice(0, given)) pushValue(fl, a ? fl.expr(a) : { k: 'none' }, a ? fl.type(a) : { kind: 'none' });
  return (run(fl, { op: 'split', n: given }, e.span, StrResult.Number) as { e: Expr }).e;
}

/** The k-th piece of the last split. */
export function splitPiece(fl: FnLowerer, k: Expr, span: Span): Val {
  pushValue(fl, { k: 's', e: k, dtype: 'int64' }, INT);
  return run(fl, { op: 'piece' }, span, StrResult.Text);
}

/** Runs a string operation on what was pushed. Text: a new string (owned); Print: appended to the print line; Number: an i64. */
function run(fl: FnLowerer, op: StrOp, span: Span | null, how: StrResult): Val {
  const sOp = fl.mod.imp('s_op', ['i32', 'i32', 'i32'], 'i64');
  const r = call(sOp, 'i64', i32(fl.mod.str(JSON.stringify(op))), i32(span ? siteOf(fl, span) : -1), i32(how));
  if (how === StrResult.Print) { fl.emit({ k: 'expr', e: r }); return { k: 'none' }; }
  if (how === StrResult.Number) return { k: 's', e: fl.tmp(r), dtype: 'int64' };
  const n = fl.tmp(cvt('i64->i32', r), 'len');
  const a = fl.alloc(STR_DTYPE, [n], true);
  fl.emit({ k: 'expr', e: call(fl.mod.imp('s_take', ['i32'], null), null, a.data) });
  return fl.ownedArray(a);
}

/** A string value in memory: run-time strings as they are, literals made (once per evaluation). */
export function materialize(fl: FnLowerer, v: Val, span: Span): Val {
  if (v.k !== 'str') return v;
  pushValue(fl, v, { kind: 'str' });
  return run(fl, { op: 'str' }, span, StrResult.Text);
}

/** Prints a value the way print() shows it (str) or, inside a tuple, its repr. */
export function printString(fl: FnLowerer, v: Val, t: Type, repr: boolean): void {
  pushValue(fl, v, t);
  run(fl, { op: repr ? 'repr' : 'str' }, null, StrResult.Print);
}

/** f"...": every field's value, then its spec's fields, in CPython's order. */
export function joinedStr(fl: FnLowerer, e: A.JoinedStr): Val {
  const parts = (ps: A.FStringPart[]): FPartOp[] => ps.map((p) => {
    if (typeof p === 'string') return p;
    push(fl, p.value);
    return { c: p.conversion, s: p.spec ? parts(p.spec) : null };
  });
  return run(fl, { op: 'f', parts: parts(e.parts) }, e.span, StrResult.Text);
}

/** `s + t`, `s * n`, `n * s`, `template % values`. */
export function strBinary(fl: FnLowerer, e: A.Binary): Val {
  const lt = fl.type(e.left), rt = fl.type(e.right);
  if (e.op === '*' && lt.kind !== 'str') { push(fl, e.right); push(fl, e.left); return run(fl, { op: 'mul' }, e.span, StrResult.Text); }
  push(fl, e.left);
  if (e.op === '%') {
    const v = fl.expr(e.right);
    if (rt.kind === 'tuple' && v.k === 't') {
      v.items.forEach((x, i) => pushValue(fl, x, rt.elems[i]));
      return run(fl, { op: 'pct', n: v.items.length, tuple: true }, e.span, StrResult.Text);
    }
    pushValue(fl, v, rt);
    return run(fl, { op: 'pct', n: 1, tuple: false }, e.span, StrResult.Text);
  }
  push(fl, e.right);
  return run(fl, { op: e.op === '+' ? 'add' : 'mul' }, e.span, StrResult.Text);
}

/** One comparison of two strings: `==`, `<`, ..., `in`. */
export function strCompare(fl: FnLowerer, op: A.CompareOp, l: Val, r: Val, span: Span): Expr {
  const str: Type = { kind: 'str' };
  pushValue(fl, l, str);
  pushValue(fl, r, str);
  if (op === 'in' || op === 'not in') {
    const v = run(fl, { op: 'in' }, span, StrResult.Number) as { e: Expr };
    return op === 'in' ? cvt('i64->i32', v.e) : bin('eq', 'i64', v.e, { k: 'const', t: 'i64', v: 0 });
  }
  const c = (run(fl, { op: 'cmp' }, span, StrResult.Number) as { e: Expr }).e;
  const zero: Expr = { k: 'const', t: 'i64', v: 0 };
  const cmp = { '==': 'eq', '!=': 'ne', '<': 'lt_s', '<=': 'le_s', '>': 'gt_s', '>=': 'ge_s' } as const;
  return bin(cmp[op as keyof typeof cmp], 'i64', c, zero);
}

/** `s[i]` and `s[i:j:k]`. */
export function strIndex(fl: FnLowerer, e: A.Subscript): Val {
  push(fl, e.value);
  const ix = e.index[0];
  if (ix.kind !== 'Slice') { push(fl, ix); return run(fl, { op: 'index' }, e.span, StrResult.Text); }
  const given = [ix.lower, ix.upper, ix.step];
  for (const p of given) if (p) push(fl, p);
  return run(fl, { op: 'slice', has: given.map(Boolean) as [boolean, boolean, boolean] }, e.span, StrResult.Text);
}

/** `len(s)`, the truth of `s`: numbers from a string. */
export function strNumber(fl: FnLowerer, op: 'len' | 'bool', v: Val, span: Span): Expr {
  pushValue(fl, v, { kind: 'str' });
  return (run(fl, { op }, span, StrResult.Number) as { e: Expr }).e;
}

/** `int(s)`, `float(s)`, `bool(s)`, `int32(s)`: Python's parse of the text, converted to `d`. */
export function parseString(fl: FnLowerer, e: A.Call, d: DType): Val {
  push(fl, e.args[0]);
  if (d === 'bool') return { k: 's', e: bin('ne', 'i64', (run(fl, { op: 'bool' }, e.span, StrResult.Number) as { e: Expr }).e, { k: 'const', t: 'i64', v: 0 }), dtype: 'bool' };
  if (d === 'int32' || d === 'int64') return { k: 's', e: convert((run(fl, { op: 'int' }, e.span, StrResult.Number) as { e: Expr }).e, 'int64', d), dtype: d };
  const f = call(fl.mod.imp('s_opf', ['i32', 'i32'], 'f64'), 'f64', i32(fl.mod.str(JSON.stringify({ op: 'float' }))), i32(siteOf(fl, e.span)));
  return { k: 's', e: convert(fl.tmp(f), 'float64', d), dtype: d };
}

/** `str(x)`, `repr(x)`, `ascii(x)`, `format(x, spec)`, and str's methods (`.s:name`). */
export function strBuiltin(fl: FnLowerer, e: A.Call, name: string, self: A.Expr | null): Val {
  if (name === 'str' && !e.args[0]) return { k: 'str', text: '' };
  if (name === 'str' && fl.type(e.args[0]).kind === 'str') return fl.expr(e.args[0]);
  if (name === 'str' || name === 'repr' || name === 'ascii') { push(fl, e.args[0]); return run(fl, { op: name }, e.span, StrResult.Text); }
  if (name === 'format') {
    push(fl, e.args[0]);
    pushValue(fl, e.args[1] ? fl.expr(e.args[1]) : { k: 'str', text: '' }, { kind: 'str' });
    return run(fl, { op: 'format' }, e.span, StrResult.Text);
  }
  const m = name.slice('.s:'.length);
  push(fl, self!);
  if (m === 'join') {
    const arg = e.args[0];
    const at = fl.type(arg);
    pushValue(fl, materialize(fl, fl.expr(arg), arg.span), at.kind === 'list' ? at : { kind: 'str' });
    return run(fl, { op: 'join' }, e.span, StrResult.Text);
  }
  for (const a of e.args) push(fl, a);
  if (m === 'format') {
    for (const k of e.keywords) push(fl, k.value);
    return run(fl, { op: 'tformat', n: e.args.length + e.keywords.length, names: e.keywords.map((k) => k.name) }, e.span, StrResult.Text);
  }
  const t = fl.type(e);
  const v = run(fl, { op: 'm', name: m, n: e.args.length }, e.span, t.kind === 'str' ? StrResult.Text : StrResult.Number);
  if (t.kind === 'scalar' && t.dtype === 'bool' && v.k === 's') return { k: 's', e: bin('ne', 'i64', v.e, { k: 'const', t: 'i64', v: 0 }), dtype: 'bool' };
  return v;
}

/** `raise E(message)` with a message computed at run time. */
export function raiseWith(fl: FnLowerer, name: string, message: A.Expr, span: Span): void {
  push(fl, message);
  const raise = fl.mod.imp('s_raise', ['i32', 'i32'], null);
  fl.emit({ k: 'trap', call: call(raise, null, i32(fl.mod.str(JSON.stringify({ op: 'raise', name }))), i32(fl.mod.site(Code.Raised, name, span))) });
}

/** The string a loop `for ch in s` walks: its characters one at a time, by index. */
export function strChar(fl: FnLowerer, s: Val, i: Expr, span: Span): Val {
  pushValue(fl, s, { kind: 'str' });
  pushValue(fl, { k: 's', e: i, dtype: 'int64' }, { kind: 'scalar', dtype: 'int64', weak: true });
  return run(fl, { op: 'index' }, span, StrResult.Text);
}

