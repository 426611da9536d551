// Scalar arithmetic with Python's and NumPy's semantics: binary and unary operators (floor division
// and modulo with the sign of the divisor, integer powers, division by zero), comparisons, and the
// scalar builtins (abs, min, max, int, float, round, ...).
import type * as A from '../../language/ast.js';
import { Code } from '../../language/diagnostics.js';
import { isCloseElem } from './math-calls.js';
import { roundDecimals } from './library.js';
import type { Span } from '../../language/source.js';
import { type DType, elemOf, isFloat, isInt, isUnsigned, promote, type Type } from '../../language/types.js';
import type * as I from '../ir.js';
import { bin, call, cmpOp, cmpOpOf, convert, cst, cvt, i32, needsUnsigned, select, un, vtOf, wrapInt } from '../ir-build.js';
import { UFUNC_MATH, type Val } from './values.js';
import type { FnLowerer } from './function.js';

type Expr = I.Expr;

export class ScalarLowering {
  binaryScalar(this: FnLowerer, op: A.BinaryOp, l: Val, r: Val, rdt: DType, span: Span, lt: Type, rt: Type): Val {
    if (l.k !== 's' || r.k !== 's') throw new Error('internal: binaryScalar');
    // Operate in the promoted dtype; `/` converts ints to float first.
    const p = promote(elemOf(lt)!, elemOf(rt)!).dtype;
    let cd: DType = op === '/' ? rdt : ['<<', '>>'].includes(op) ? rdt : p === 'bool' && !['&', '|', '^'].includes(op) ? rdt : p;
    if (op !== '/' && rdt !== cd && !(op === '&' || op === '|' || op === '^')) cd = rdt;
    const a = convert(l.e, l.dtype, cd), b = convert(r.e, r.dtype, cd);
    const t = vtOf(cd);
    const isF = isFloat(cd);
    const v = (e: Expr): Val => ({ k: 's', e, dtype: rdt });
    // Integers narrower than their wasm type wrap as NumPy's do.
    const w = (e: Expr): Val => v(isInt(cd) ? wrapInt(e, cd) : e);
    const u = needsUnsigned(cd);
    switch (op) {
      case '+': return cd === 'bool' ? v(bin('or', 'i32', a, b)) : w(bin('add', t, a, b));
      case '-': return w(bin('sub', t, a, b));
      case '*': return cd === 'bool' ? v(bin('and', 'i32', a, b)) : w(bin('mul', t, a, b));
      case '/': return v(bin('div', t, a, b));
      case '//': case '%': {
        if (isF) {
          const f = this.mod.math(op === '//' ? 'pyfloordiv' : 'pymod');
          const r2 = cd === 'float32' ? cvt('f64->f32', call(f, 'f64', cvt('f32->f64', a), cvt('f32->f64', b))) : call(f, 'f64', a, b);
          return v(r2);
        }
        const site = this.mod.site(Code.ZeroDivision, op === '//' ? 'floordiv' : 'mod', span);
        const h = this.mod.helper(`${op === '//' ? 'floordiv' : 'mod'}_${u ? 'u' : 'i'}${t === 'i64' ? 64 : 32}`);
        return w(call(h, t, a, b, i32(site)));
      }
      case '**': {
        if (isF) {
          const f = this.mod.math('pow');
          return v(cd === 'float32' ? cvt('f64->f32', call(f, 'f64', cvt('f32->f64', a), cvt('f32->f64', b))) : call(f, 'f64', a, b));
        }
        const site = this.mod.site(Code.ValueError, 'negative_power', span);
        const r64 = call(this.mod.helper('ipow_i64'), 'i64', convert(a, cd, 'int64'), convert(b, cd, 'int64'), i32(site));
        return v(convert(r64, 'int64', cd));
      }
      case '&': return v(bin('and', t, a, b));
      case '|': return v(bin('or', t, a, b));
      case '^': return v(bin('xor', t, a, b));
      case '<<': return w(bin('shl', t, a, b));
      case '>>': return v(bin(u ? 'shr_u' : 'shr_s', t, a, b));
      case '@': return w(bin('mul', t, a, b));
    }
  }

  compareScalar(this: FnLowerer, op: '<' | '<=' | '>' | '>=' | '==' | '!=', a: { e: Expr; dtype: DType }, b: { e: Expr; dtype: DType }, lt: Type, rt: Type): Expr {
    const p = promote(elemOf(lt)!, elemOf(rt)!).dtype;
    const l = elemOf(lt)!, r = elemOf(rt)!;
    // (A weak uint64 is a literal past int64, met where a uint64 allows it: compared as uint64.)
    if (isInt(p) && l.weak !== r.weak && isInt(l.dtype) && isInt(r.dtype) && (l.weak ? l : r).dtype !== 'uint64') {
      // A Python int against a NumPy integer compares the values (NumPy 2), even out of the dtype's
      // range: in int64, and against uint64 a negative Python int is below every value.
      const [s, py, sFirst] = l.weak ? [b, a, false] : [a, b, true];
      const x = convert(s.e, s.dtype, 'int64'), y = convert(py.e, py.dtype, 'int64');
      const [xa, xb] = sFirst ? [x, y] : [y, x];
      if (s.dtype !== 'uint64') return bin(cmpOp(op, 'i64'), 'i64', xa, xb);
      const yt = this.tmp(y);
      const neg = bin('lt_s', 'i64', yt, cst('i64', 0));
      // With the Python int negative: uint64 > it, so (s OP py) is true for >, >=, !=.
      const whenNeg = i32(sFirst ? (['>', '>=', '!='].includes(op) ? 1 : 0) : (['<', '<=', '!='].includes(op) ? 1 : 0));
      return select('i32', neg, whenNeg, bin(cmpOpOf(op, 'uint64'), 'i64', sFirst ? x : yt, sFirst ? yt : x));
    }
    const cd: DType = p === 'bool' ? 'int32' : p;
    const t = vtOf(cd);
    return bin(cmpOpOf(op, cd), t, convert(a.e, a.dtype, cd), convert(b.e, b.dtype, cd));
  }

  unaryScalar(this: FnLowerer, e: A.Unary, v: Val, rdt: DType): Val {
    if (v.k !== 's') throw new Error('internal: unaryScalar');
    const x = convert(v.e, v.dtype, rdt);
    const t = vtOf(rdt);
    switch (e.op) {
      case '-': return { k: 's', e: isFloat(rdt) ? un('neg', t, x) : wrapInt(bin('sub', t, cst(t, 0), x), rdt), dtype: rdt };
      case '+': return { k: 's', e: x, dtype: rdt };
      case 'not': return { k: 's', e: un('eqz', 'i32', convert(v.e, v.dtype, 'bool')), dtype: 'bool' };
      case '~': return { k: 's', e: rdt === 'bool' ? bin('xor', 'i32', x, i32(1)) : wrapInt(bin('xor', t, x, cst(t, -1)), rdt), dtype: rdt };
    }
  }

  /** Scalar meaning of a builtin ufunc; args are already-evaluated scalars. */
  builtinScalar(this: FnLowerer, name: string, args: Val[], rdt: DType, e: A.Call): Val {
    const s = (x: Val) => x as { k: 's'; e: Expr; dtype: DType };
    const out = (x: Expr, d = rdt): Val => ({ k: 's', e: x, dtype: d });
    const t = vtOf(rdt);
    const mathF = (fname: string, x: Expr, d: DType) => {
      const f32 = d === 'float32' ? this.mod.mathF32(fname) : null;
      if (f32) return call(f32, 'f32', x);
      const f = this.mod.math(fname);
      return d === 'float32' ? cvt('f64->f32', call(f, 'f64', cvt('f32->f64', x))) : call(f, 'f64', x);
    };
    if (name.startsWith('astype:')) return out(convert(s(args[0]).e, s(args[0]).dtype, rdt));
    const a0 = args[0] ? s(args[0]) : null;
    switch (name) {
      case 'abs': case 'fabs': {
        const x = this.tmp(convert(a0!.e, a0!.dtype, rdt));
        if (isFloat(rdt)) return out(un('abs', t, x));
        if (rdt === 'bool' || isUnsigned(rdt)) return out(x);
        return out(wrapInt(select(t, bin('lt_s', t, x, cst(t, 0)), bin('sub', t, cst(t, 0), x), x), rdt));
      }
      case 'sqrt': return out(un('sqrt', t, convert(a0!.e, a0!.dtype, rdt)));
      case 'floor': case 'ceil': case 'trunc': case 'round': case 'rint': {
        const x = convert(a0!.e, a0!.dtype, rdt);
        if (name === 'round' && args[1]) return out(roundDecimals(this, x, s(args[1]), rdt));
        if (!isFloat(rdt)) return out(x);
        return out(un(name === 'round' || name === 'rint' ? 'nearest' : name, t, x));
      }
      case 'square': { const x = this.tmp(convert(a0!.e, a0!.dtype, rdt)); return out(isInt(rdt) ? wrapInt(bin('mul', t, x, x), rdt) : bin('mul', t, x, x)); }
      case 'radians': case 'deg2rad': case 'degrees': case 'rad2deg': {
        // NumPy's npy_deg2rad / npy_rad2deg (and CPython's math.radians): x times pi/180 or 180/pi, that constant computed in the dtype.
        const pi = rdt === 'float32' ? Math.fround(Math.PI) : Math.PI;
        const k = name === 'radians' || name === 'deg2rad' ? pi / 180 : 180 / pi;
        return out(bin('mul', t, convert(a0!.e, a0!.dtype, rdt), cst(t, rdt === 'float32' ? Math.fround(k) : k)));
      }
      case 'negative': { const x = convert(a0!.e, a0!.dtype, rdt); return out(isFloat(rdt) ? un('neg', t, x) : wrapInt(bin('sub', t, cst(t, 0), x), rdt)); }
      case 'sign': {
        const x = this.tmp(convert(a0!.e, a0!.dtype, rdt));
        const z = cst(t, 0), one = cst(t, 1), m1 = cst(t, -1);
        const gt = bin(cmpOpOf('>', rdt), t, x, z), lt = bin(cmpOpOf('<', rdt), t, x, z);
        // NaN stays NaN; x + 0.0 turns -0.0 into 0.0, as NumPy's sign does.
        return out(select(t, gt, one, select(t, lt, m1, isFloat(rdt) ? bin('add', t, x, z) : x)));
      }
      case 'isnan': { const d = a0!.dtype; if (!isFloat(d)) return out(i32(0), 'bool'); const x = this.tmp(a0!.e); return out(bin('ne', vtOf(d), x, x), 'bool'); }
      case 'isinf': { const d = a0!.dtype; if (!isFloat(d)) return out(i32(0), 'bool'); return out(bin('eq', vtOf(d), un('abs', vtOf(d), a0!.e), cst(vtOf(d), Infinity)), 'bool'); }
      case 'isfinite': { const d = a0!.dtype; if (!isFloat(d)) return out(i32(1), 'bool'); return out(bin('lt', vtOf(d), un('abs', vtOf(d), a0!.e), cst(vtOf(d), Infinity)), 'bool'); }
      case 'isclose': return out(isCloseElem(this, e, args), 'bool');
      case 'maximum': case 'minimum': case 'max2': case 'min2': {
        const a = this.tmp(convert(s(args[0]).e, s(args[0]).dtype, rdt)), b = this.tmp(convert(s(args[1]).e, s(args[1]).dtype, rdt));
        const isMax = name === 'maximum' || name === 'max2';
        if (isFloat(rdt) && (name === 'maximum' || name === 'minimum')) return out(bin(isMax ? 'max' : 'min', t, a, b));
        // Python's max(a, b): a unless b is strictly greater (NaN-free semantics of builtins.max).
        const c = bin(cmpOpOf(isMax ? '>' : '<', rdt), t, b, a);
        return out(select(t, c, b, a));
      }
      case 'arctan2': case 'hypot': case 'power': case 'fmod': case 'copysign': {
        if (name === 'power') return this.binaryScalar('**', args[0], args[1], rdt, e.span, this.type(e.args[0]), this.type(e.args[1]));
        const a = convert(s(args[0]).e, s(args[0]).dtype, rdt), b = convert(s(args[1]).e, s(args[1]).dtype, rdt);
        if (name === 'copysign') return out(bin('copysign', t, a, b));
        const f = this.mod.math(name === 'arctan2' ? 'atan2' : name);
        if (!isFloat(rdt)) {
          // fmod on ints: C remainder (truncating), as NumPy.
          const site = this.mod.site(Code.ZeroDivision, 'mod', e.span);
          const bb = this.tmp(b);
          this.emit({ k: 'if', cond: bin('eq', t, bb, cst(t, 0)), then: [this.trap(this.mod.imp('err_zero', ['i32'], null), i32(site))], else: [] });
          return out(bin(needsUnsigned(rdt) ? 'rem_u' : 'rem_s', t, a, bb));
        }
        return out(rdt === 'float32' ? cvt('f64->f32', call(f, 'f64', cvt('f32->f64', a), cvt('f32->f64', b))) : call(f, 'f64', a, b));
      }
      case 'where': {
        const c = convert(s(args[0]).e, s(args[0]).dtype, 'bool');
        const a = convert(s(args[1]).e, s(args[1]).dtype, rdt), b = convert(s(args[2]).e, s(args[2]).dtype, rdt);
        return out(select(t, c, a, b));
      }
      case 'clip': {
        const x = this.tmp(convert(s(args[0]).e, s(args[0]).dtype, rdt));
        const lo = this.tmp(convert(s(args[1]).e, s(args[1]).dtype, rdt)), hi = this.tmp(convert(s(args[2]).e, s(args[2]).dtype, rdt));
        // The bound first: a tie (0.0 against -0.0) keeps x, and a NaN bound wins, as NumPy's clip.
        if (isFloat(rdt)) return out(bin('min', t, hi, bin('max', t, lo, x)));
        const m = select(t, bin(cmpOpOf('<', rdt), t, x, lo), lo, x);
        const mm = this.tmp(m);
        return out(select(t, bin(cmpOpOf('>', rdt), t, mm, hi), hi, mm));
      }
    }
    const mf = UFUNC_MATH[name];
    if (mf) return out(mathF(mf, convert(a0!.e, a0!.dtype, rdt), rdt));
    throw new Error(`internal: no scalar builtin ${name}`);
  }
}
