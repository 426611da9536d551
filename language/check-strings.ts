// Typing of Python's str (lowering is compiler/lower/strings.ts): what can be printed and
// formatted, the operators on strings, f-string fields, indexing, and str's methods.
import type * as A from './ast.js';
import { Code } from './diagnostics.js';
import type { Span } from './source.js';
import { type Type, BOOL, INT, STR, isFloat, showType } from './types.js';
import { Unknown } from './check-base.js';
import type { Checker } from './checker.js';

/** Values print, str() and f-strings can show. */
export const PRINTABLE = new Set<Type['kind']>(['scalar', 'array', 'tuple', 'str', 'none', 'dtype', 'list', 'range']);
/** Methods of str, by what they return. */
export const STR_METHODS = new Map<string, Type>([
  ...['upper', 'lower', 'strip', 'lstrip', 'rstrip', 'replace', 'zfill', 'center', 'ljust', 'rjust', 'title', 'capitalize', 'format'].map((m): [string, Type] => [m, STR]),
  ...['startswith', 'endswith', 'isdigit', 'isalpha', 'isspace', 'isupper', 'islower'].map((m): [string, Type] => [m, BOOL]),
  ...['find', 'count'].map((m): [string, Type] => [m, INT]),
  ['join', STR], ['split', { kind: 'list', elem: STR }],
]);


/** `s + t`, `s * n`, `template % values` (printf-style formatting of any printable values). */
export function strBinary(ck: Checker, op: A.BinaryOp, l: Type, r: Type, span: Span): Type {
  const intLike = (t: Type) => t.kind === 'scalar' && !isFloat(t.dtype);
  if (op === '+' && l.kind === 'str' && r.kind === 'str') return STR;
  if (op === '*' && ((l.kind === 'str' && intLike(r)) || (r.kind === 'str' && intLike(l)))) return STR;
  if (op === '%' && l.kind === 'str') {
    const items = r.kind === 'tuple' ? r.elems : [r];
    const bad = items.find((t) => !PRINTABLE.has(t.kind));
    if (bad) ck.error(Code.TypeMismatch, `cannot format ${showType(bad)} with '%'`, span);
    return STR;
  }
  const pyName = (t: Type) => (t.kind === 'scalar' ? (t.weak ? ({ bool: 'bool', int64: 'int', float64: 'float' } as Record<string, string>)[t.dtype] ?? t.dtype : t.dtype) : showType(t));
  ck.error(Code.TypeMismatch, `unsupported operand type(s) for ${op}: '${pyName(l)}' and '${pyName(r)}'`, span);
  throw new Unknown();
}

/** The fields of an f-string: any printable value, and specs that are strings. */
export function fstringParts(ck: Checker, parts: A.FStringPart[]): void {
  for (const p of parts) {
    if (typeof p === 'string') continue;
    const t = ck.expr(p.value);
    if (!PRINTABLE.has(t.kind)) ck.error(Code.TypeMismatch, `cannot format ${showType(t)} in an f-string`, p.value.span);
    if (p.spec) fstringParts(ck, p.spec);
  }
}

/** `s[i]`, `s[i:j:k]`: one character, or a substring. */
export function strIndex(ck: Checker, e: A.Subscript): Type {
  if (e.index.length !== 1) { ck.error(Code.TypeMismatch, 'string indices must be integers or slices', e.span); throw new Unknown(); }
  const ix = e.index[0];
  const parts = ix.kind === 'Slice' ? [ix.lower, ix.upper, ix.step] : [ix];
  if (ix.kind === 'Slice' && ix.ellipsis) { ck.error(Code.TypeMismatch, 'string indices must be integers or slices', ix.span); throw new Unknown(); }
  for (const p of parts) {
    if (!p) continue;
    const t = ck.expr(p);
    if (t.kind !== 'scalar' || isFloat(t.dtype)) { ck.error(Code.TypeMismatch, `string indices must be integers, not ${showType(t)}`, p.span); throw new Unknown(); }
  }
  return STR;
}

/** A value that str() and format() can show. */
export function printable(ck: Checker, e: A.Expr, fname: string): Type {
  const t = ck.expr(e);
  if (!PRINTABLE.has(t.kind)) ck.error(Code.TypeMismatch, `${fname}() cannot show ${showType(t)}`, e.span);
  return t;
}

/** `s.upper()`, `'{:.2f}'.format(x)`, ...: str's methods (STR_METHODS), run by runtime/strings.ts. */
export function strMethod(ck: Checker, c: A.Call, m: string): Type {
  if (m === 'join') {
    ck.nargs(c, 1, 1, 'join');
    // join(reversed(xs)), join(a generator): joined as the list they give.
    const a = c.args[0];
    if (a.kind === 'Call' && ['reversed', 'zip', 'enumerate', 'range'].includes(ck.calleeName(a.func) ?? '')) c.args[0] = { kind: 'Call', func: { kind: 'Name', id: 'list', span: a.span }, args: [a], keywords: [], span: a.span };
    const el = ck.iterElem(c.args[0]);
    if (el.kind !== 'str') ck.error(Code.TypeMismatch, `str.join() joins strings, not ${showType(el)} (use map(str, ...) as [str(x) for x in xs])`, c.args[0].span);
    return STR;
  }
  if (m === 'split') {
    ck.nargs(c, 0, 2, 'split');
    const kw = ck.kw(c, ['sep', 'maxsplit'], 'split');
    const sep = c.args[0] ?? kw.get('sep')?.value, max = c.args[1] ?? kw.get('maxsplit')?.value;
    if (sep && !['str', 'none'].includes(ck.expr(sep).kind)) ck.error(Code.TypeMismatch, 'split() sep must be a str or None', sep.span);
    if (max) ck.intArg(max, 'split');
    return { kind: 'list', elem: STR };
  }
  if (m === 'format') {
    for (const a of c.args) printable(ck, a, 'format');
    for (const k of c.keywords) printable(ck, k.value, 'format');
    return STR;
  }
  ck.kw(c, [], m);
  const [min, max] = ['strip', 'lstrip', 'rstrip'].includes(m) ? [0, 1] : ['center', 'ljust', 'rjust'].includes(m) ? [1, 2] : m === 'replace' ? [2, 2]
    : ['startswith', 'endswith', 'find', 'count', 'zfill'].includes(m) ? [1, 1] : [0, 0];
  ck.nargs(c, min, max, m);
  c.args.forEach((a, i) => {
    const t = ck.expr(a);
    const wantInt = (m === 'zfill' || ['center', 'ljust', 'rjust'].includes(m)) && i === 0;
    if (wantInt ? t.kind !== 'scalar' || isFloat(t.dtype) : t.kind !== 'str') ck.error(Code.TypeMismatch, `str.${m}() argument ${i + 1} must be ${wantInt ? 'an integer' : 'a str'}, got ${showType(t)}`, a.span);
  });
  return STR_METHODS.get(m)!;
}
