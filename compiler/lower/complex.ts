// Lowering of Python's complex numbers (typed by language/check-complex.ts). A complex value is the
// pair (real, imag) of float64s, stored as a two-item tuple (values.ts asStored), so variables,
// parameters and results need nothing new. The arithmetic is CPython 3.11's (Objects/complexobject.c):
// a real operand becomes (x, 0.0) first, products and quotients are computed as its _Py_c_prod and
// _Py_c_quot (Smith's method, ZeroDivisionError for a zero divisor), integer powers by its binary
// method, abs by hypot with its OverflowError.
import type * as A from '../../language/ast.js';
import { Code } from '../../language/diagnostics.js';
import { integerLiteral } from '../../language/check-complex.js';
import type { DType } from '../../language/types.js';
import type * as I from '../ir.js';
import { bin, call, convert, f64, i32, select, un } from '../ir-build.js';
import type { FnLowerer } from './function.js';
import type { Val } from './values.js';

type Expr = I.Expr;
type C = [Expr, Expr];

const add = (a: Expr, b: Expr) => bin('add', 'f64', a, b);
const sub = (a: Expr, b: Expr) => bin('sub', 'f64', a, b);
const mul = (a: Expr, b: Expr) => bin('mul', 'f64', a, b);
const div = (a: Expr, b: Expr) => bin('div', 'f64', a, b);

/** A complex Val from its parts, each evaluated once. */
function make(fl: FnLowerer, [re, im]: C): Val {
  return { k: 't', items: [{ k: 's', e: fl.tmp(re, 're'), dtype: 'float64' }, { k: 's', e: fl.tmp(im, 'im'), dtype: 'float64' }] };
}

/** The parts of a number: a complex's, or (x, 0.0) for a real one, as Python converts it. */
export function complexParts(fl: FnLowerer, v: Val): C {
  if (v.k === 't') return v.items.map((it) => fl.tmp((it as { e: Expr }).e)) as C;
  if (v.k === 's') return [fl.tmp(convert(v.e, v.dtype, 'float64')), f64(0)];
  throw new Error(`internal: a complex operand of kind ${v.k}`);
}

export const complexLiteral = (value: number): Val =>
  ({ k: 't', items: [{ k: 's', e: f64(0), dtype: 'float64' }, { k: 's', e: f64(value), dtype: 'float64' }] });

const product = (fl: FnLowerer, a: C, b: C): C => [fl.tmp(sub(mul(a[0], b[0]), mul(a[1], b[1]))), fl.tmp(add(mul(a[0], b[1]), mul(a[1], b[0])))];

/** _Py_c_quot: Smith's method; a zero divisor raises ZeroDivisionError with `message`. */
function quotient(fl: FnLowerer, a: C, b: C, span: A.Expr['span'], message: string): C {
  const abr = fl.tmp(un('abs', 'f64', b[0])), abi = fl.tmp(un('abs', 'f64', b[1]));
  const realBigger = fl.tmp(bin('ge', 'f64', abr, abi));
  const site = fl.mod.site(Code.ZeroDivision, 'ZeroDivisionError', span, message);
  fl.emit({ k: 'if', cond: bin('and', 'i32', realBigger, bin('eq', 'f64', abr, f64(0))), then: [fl.trap(fl.mod.imp('err_raise', ['i32'], null), i32(site))], else: [] });
  const r1 = fl.tmp(div(b[1], b[0])), d1 = fl.tmp(add(b[0], mul(b[1], r1)));
  const r2 = fl.tmp(div(b[0], b[1])), d2 = fl.tmp(add(mul(b[0], r2), b[1]));
  const imagBigger = bin('ge', 'f64', abi, abr);
  // Neither: a part of the divisor is a NaN.
  const pick = (x: Expr, y: Expr) => select('f64', realBigger, x, select('f64', imagBigger, y, f64(NaN)));
  return [
    pick(div(add(a[0], mul(a[1], r1)), d1), div(add(mul(a[0], r2), a[1]), d2)),
    pick(div(sub(a[1], mul(a[0], r1)), d1), div(sub(mul(a[1], r2), a[0]), d2)),
  ];
}

/** c_powi for a literal exponent |n| <= 100: c_powu's binary method, a reciprocal for n < 0. */
function power(fl: FnLowerer, x: C, n: number, span: A.Expr['span']): C {
  let r: C = [f64(1), f64(0)], p = x;
  const m = Math.abs(n);
  for (let mask = 1; mask > 0 && m >= mask; mask <<= 1) {
    if (m & mask) r = product(fl, r, p);
    if (m >= mask << 1) p = product(fl, p, p);
  }
  return n < 0 ? quotient(fl, [f64(1), f64(0)], r, span, '0.0 to a negative or complex power') : r;
}

/** `a op b` with a complex operand, for an operator the checker allowed (+ - * / and ** n). */
export function complexArith(fl: FnLowerer, op: A.BinaryOp, l: Val, r: Val, right: A.Expr, span: A.Expr['span']): Val {
  const a = complexParts(fl, l);
  if (op === '**') return make(fl, power(fl, a, integerLiteral(right)!, span));
  const b = complexParts(fl, r);
  switch (op) {
    case '+': return make(fl, [add(a[0], b[0]), add(a[1], b[1])]);
    case '-': return make(fl, [sub(a[0], b[0]), sub(a[1], b[1])]);
    case '*': return make(fl, product(fl, a, b));
    case '/': return make(fl, quotient(fl, a, b, span, 'complex division by zero'));
    default: throw new Error(`internal: complex ${op}`);
  }
}

export function complexBinary(fl: FnLowerer, e: A.Binary): Val {
  const l = fl.expr(e.left), r = e.op === '**' ? null : fl.expr(e.right);
  return complexArith(fl, e.op, l, r ?? { k: 'none' }, e.right, e.span);
}

/** -z, +z, not z. */
export function complexUnary(fl: FnLowerer, e: A.Unary): Val {
  const [re, im] = complexParts(fl, fl.expr(e.operand));
  if (e.op === 'not') return { k: 's', e: bin('and', 'i32', bin('eq', 'f64', re, f64(0)), bin('eq', 'f64', im, f64(0))), dtype: 'bool' };
  return e.op === '-' ? make(fl, [un('neg', 'f64', re), un('neg', 'f64', im)]) : make(fl, [re, im]);
}

/** `l == r` or `l != r` with a complex operand: both parts equal. */
export function complexEquals(fl: FnLowerer, op: string, l: Val, r: Val): Expr {
  const a = complexParts(fl, l), b = complexParts(fl, r);
  const eq = bin('and', 'i32', bin('eq', 'f64', a[0], b[0]), bin('eq', 'f64', a[1], b[1]));
  return op === '==' ? eq : un('eqz', 'i32', eq);
}

/** z.real, z.imag. */
export function complexAttribute(fl: FnLowerer, e: A.Attribute): Val {
  const [re, im] = complexParts(fl, fl.expr(e.value));
  return { k: 's', e: e.attr === 'real' ? re : im, dtype: 'float64' };
}

/** complex(x, y) (complex_new's rules for complex arguments), abs(z), z.conjugate(); null for other calls. */
export function complexCall(fl: FnLowerer, e: A.Call, name: string): Val | null {
  const isComplex = (x: A.Expr) => fl.type(x).kind === 'complex';
  if (name === 'complex') {
    const [x, y] = e.args;
    const cr: C = x ? complexParts(fl, fl.expr(x)) : [f64(0), f64(0)];
    if (!y) return make(fl, x && isComplex(x) ? cr : [cr[0], f64(0)]);
    const ci = complexParts(fl, fl.expr(y));
    return make(fl, [isComplex(y) ? sub(cr[0], ci[1]) : cr[0], isComplex(x!) ? add(ci[0], cr[1]) : ci[0]]);
  }
  if (name === '.conjugate') {
    const [re, im] = complexParts(fl, fl.expr((e.func as A.Attribute).value));
    return make(fl, [re, un('neg', 'f64', im)]);
  }
  if (name === 'abs' && e.args.length === 1 && isComplex(e.args[0])) {
    const [re, im] = complexParts(fl, fl.expr(e.args[0]));
    const h = fl.tmp(call(fl.mod.math('hypot'), 'f64', re, im));
    // Finite parts whose hypot overflows: CPython's OverflowError.
    const finite = (x: Expr) => bin('lt', 'f64', un('abs', 'f64', x), f64(Infinity));
    const site = fl.mod.site(Code.ValueError, 'OverflowError', e.span, 'absolute value too large');
    fl.emit({ k: 'if', cond: bin('and', 'i32', bin('and', 'i32', finite(re), finite(im)), un('eqz', 'i32', finite(h))), then: [fl.trap(fl.mod.imp('err_raise', ['i32'], null), i32(site))], else: [] });
    return { k: 's', e: h, dtype: 'float64' };
  }
  return null;
}

/** `a if c else b` of complex type. */
export function complexIfExp(fl: FnLowerer, e: A.IfExp, cond: Expr): Val {
  const re = fl.fresh('ire', 'f64'), im = fl.fresh('iim', 'f64');
  const side = (x: A.Expr) => fl.block(() => { const [a, b] = complexParts(fl, fl.expr(x)); fl.set(re, a); fl.set(im, b); });
  fl.emit({ k: 'if', cond, then: side(e.body), else: side(e.orelse) });
  return { k: 't', items: [{ k: 's', e: { k: 'get', t: 'f64', name: re }, dtype: 'float64' as DType }, { k: 's', e: { k: 'get', t: 'f64', name: im }, dtype: 'float64' as DType }] };
}

/** print(z): CPython's repr of a complex. */
export function printComplex(fl: FnLowerer, v: Val): void {
  const [re, im] = complexParts(fl, v);
  fl.emit({ k: 'expr', e: call(fl.mod.imp('print_complex', ['f64', 'f64'], null), null, re, im) });
}
