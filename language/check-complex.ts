// Typing of Python's complex numbers (lowering is compiler/lower/complex.ts): `1j` literals,
// `complex(x, y)`, + - * / and ** with a literal integer exponent (with ints, floats and bools,
// which Python turns into complex first), == and !=, unary - and +, `.real`, `.imag`,
// `.conjugate()` and `abs()`. Arrays of complex numbers are not supported yet; a complex value
// where they would be needed is an error saying so.
import type * as A from './ast.js';
import { Code } from './diagnostics.js';
import { Unknown } from './check-base.js';
import { FLOAT, showType, type Type } from './types.js';
import type { Checker } from './checker.js';

export const COMPLEX: Type = { kind: 'complex' };

const number = (t: Type) => t.kind === 'complex' || t.kind === 'scalar';

/** `l op r` where one side is complex. */
export function complexBinary(ck: Checker, op: A.BinaryOp, l: Type, r: Type, span: A.Expr['span'], right?: A.Expr): Type {
  if (l.kind === 'array' || r.kind === 'array') { ck.error(Code.Unsupported, 'arrays of complex numbers are not supported yet', span); throw new Unknown(); }
  if (!number(l) || !number(r)) { ck.error(Code.TypeMismatch, `unsupported operand type(s) for ${op}: '${pyName(l)}' and '${pyName(r)}'`, span); throw new Unknown(); }
  if (op === '+' || op === '-' || op === '*' || op === '/') return COMPLEX;
  if (op === '**') {
    if (!right || integerLiteral(right) === null) { ck.error(Code.Unsupported, 'a complex power is supported with a literal integer exponent (z ** 2, z ** -1) for now', span); throw new Unknown(); }
    return COMPLEX;
  }
  ck.error(Code.TypeMismatch, `unsupported operand type(s) for ${op}: '${pyName(l)}' and '${pyName(r)}'`, span);
  throw new Unknown();
}

/** The exponent of `z ** n` when it is an integer literal, possibly negated (|n| <= 100, as CPython's integer power). */
export function integerLiteral(e: A.Expr): number | null {
  if (e.kind === 'Int' && e.value <= 100n) return Number(e.value);
  if (e.kind === 'Unary' && e.op === '-' && e.operand.kind === 'Int' && e.operand.value <= 100n) return -Number(e.operand.value);
  return null;
}

/** A comparison with a complex operand: == and != only, as Python. */
export function complexCompare(ck: Checker, op: string, l: Type, r: Type, span: A.Expr['span']): void {
  if (l.kind === 'array' || r.kind === 'array') { ck.error(Code.Unsupported, 'arrays of complex numbers are not supported yet', span); return; }
  if ((op !== '==' && op !== '!=') || !number(l) || !number(r)) ck.error(Code.TypeMismatch, `'${op}' not supported between instances of '${pyName(l)}' and '${pyName(r)}'`, span);
}

/** `z.real`, `z.imag`, `z.conjugate`. */
export function complexAttribute(ck: Checker, e: A.Attribute): Type {
  if (e.attr === 'real' || e.attr === 'imag') return FLOAT;
  if (e.attr === 'conjugate') return { kind: 'builtin', name: '.conjugate' };
  ck.error(Code.UndefinedName, `'complex' object has no attribute '${e.attr}'`, e.span);
  throw new Unknown();
}

/** complex(x, y), abs(z), z.conjugate(); null when the call is not about complex numbers. */
export function complexCall(ck: Checker, c: A.Call, name: string): Type | null {
  if (name === 'complex') {
    ck.kw(c, [], 'complex');
    ck.nargs(c, 0, 2, 'complex');
    for (const a of c.args) {
      const t = ck.expr(a);
      if (t.kind !== 'scalar' && t.kind !== 'complex') ck.error(Code.TypeMismatch, `complex() argument must be a number, not '${pyName(t)}'`, a.span);
    }
    return COMPLEX;
  }
  if (name === '.conjugate') { ck.nargs(c, 0, 0, 'conjugate'); return COMPLEX; }
  if (name === 'abs' && c.args.length === 1 && ck.expr(c.args[0]).kind === 'complex') {
    if (c.func.kind !== 'Name' || ck.imports.names.get(c.func.id)?.module === 'numpy') { ck.error(Code.Unsupported, 'NumPy functions of complex numbers are not supported yet (abs(z) is)', c.span); throw new Unknown(); }
    return FLOAT;
  }
  return null;
}

const pyName = (t: Type) => (t.kind === 'complex' ? 'complex' : t.kind === 'scalar' ? (t.dtype === 'float64' && t.weak ? 'float' : t.dtype === 'bool' ? 'bool' : t.weak ? 'int' : t.dtype) : showType(t));
