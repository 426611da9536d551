// Small constructors for IR expressions and the dtype <-> value-type mapping, shared by lowering
// and the IR-level runtime helpers.
import { type DType, DTYPE_INFO } from '../language/types.js';
import type { Expr, Mem, VT, BinOp, UnOp, CvtOp } from './ir.js';

export const i32 = (v: number): Expr => ({ k: 'const', t: 'i32', v });
export const i64 = (v: bigint | number): Expr => ({ k: 'const', t: 'i64', v: BigInt(v) });
export const f64 = (v: number): Expr => ({ k: 'const', t: 'f64', v });
export const cst = (t: VT, v: number | bigint): Expr =>
  t === 'i64' ? i64(typeof v === 'bigint' ? v : BigInt(Math.trunc(Number(v)))) : { k: 'const', t, v: Number(v) };
export const get = (name: string, t: VT): Expr => ({ k: 'get', t, name });
export const bin = (op: BinOp, t: VT, a: Expr, b: Expr): Expr => ({ k: 'bin', op, t, a, b });
export const un = (op: UnOp, t: VT, a: Expr): Expr => ({ k: 'un', op, t, a });
export const cvt = (op: CvtOp, a: Expr): Expr => ({ k: 'cvt', op, t: op.split('->')[1] as VT, a });
export const load = (t: VT, mem: Mem, addr: Expr): Expr => ({ k: 'load', t, mem, addr });
export const call = (fn: string, t: VT | null, ...args: Expr[]): Expr & { k: 'call' } => ({ k: 'call', fn, t, args });
export const select = (t: VT, cond: Expr, a: Expr, b: Expr): Expr => ({ k: 'select', t, cond, a, b });
export const add32 = (a: Expr, b: Expr) => bin('add', 'i32', a, b);
export const mul32 = (a: Expr, b: Expr) => bin('mul', 'i32', a, b);

/**
 * How each dtype lives in wasm: its value type, its memory type, log2 of its size. int8/int16/
 * uint8/uint16 are i32 values kept wrapped (sign- or zero-extended from their width, so signed i32
 * ops compare, divide and convert them correctly); uint32 is its 32 bits in an i32 and uint64 its
 * 64 bits in an i64, which need the unsigned ops (`isUnsigned`).
 */
const LOWERED: Record<DType, { vt: VT; mem: Mem; log2: number }> = {
  bool: { vt: 'i32', mem: 'u8', log2: 0 }, int8: { vt: 'i32', mem: 'i8', log2: 0 }, uint8: { vt: 'i32', mem: 'u8', log2: 0 },
  int16: { vt: 'i32', mem: 'i16', log2: 1 }, uint16: { vt: 'i32', mem: 'u16', log2: 1 },
  int32: { vt: 'i32', mem: 'i32', log2: 2 }, uint32: { vt: 'i32', mem: 'i32', log2: 2 },
  int64: { vt: 'i64', mem: 'i64', log2: 3 }, uint64: { vt: 'i64', mem: 'i64', log2: 3 },
  float32: { vt: 'f32', mem: 'f32', log2: 2 }, float64: { vt: 'f64', mem: 'f64', log2: 3 },
};
export const vtOf = (d: DType): VT => LOWERED[d].vt;
export const memOf = (d: DType): Mem => LOWERED[d].mem;
export const log2Size = (d: DType): number => LOWERED[d].log2;
/** Whether d's values need unsigned comparisons, division and conversions (uint32, uint64). */
export const needsUnsigned = (d: DType): boolean => d === 'uint32' || d === 'uint64';

/** An i32 or i64 integer value cut to dtype d's width as NumPy wraps (identity for 32/64-bit dtypes). */
export function wrapInt(e: Expr, d: DType): Expr {
  switch (d) {
    case 'int8': return un('extend8_s', 'i32', e);
    case 'int16': return un('extend16_s', 'i32', e);
    case 'uint8': return bin('and', 'i32', e, i32(0xff));
    case 'uint16': return bin('and', 'i32', e, i32(0xffff));
    default: return e;
  }
}

/** Converts a value of dtype `from` to dtype `to` with NumPy's casting (floats to ints truncate, ints wrap). */
export function convert(e: Expr, from: DType, to: DType): Expr {
  if (from === to) return e;
  const vf = vtOf(from), vt = vtOf(to);
  if (to === 'bool') return bin('ne', vf, e, cst(vf, 0));
  const fromInt = vf === 'i32' || vf === 'i64', toInt = vt === 'i32' || vt === 'i64';
  if (fromInt && toInt) {
    // Bits first (i32 values are already their dtype's extension), then the target's width.
    const bits = vf === vt ? e : vf === 'i64' ? cvt('i64->i32', e) : cvt(from === 'uint32' ? 'u32->i64' : 'i32->i64', e);
    const f = DTYPE_INFO[from], t = DTYPE_INFO[to];
    return vt === 'i32' && (f.min < t.min || f.max > t.max) ? wrapInt(bits, to) : bits;
  }
  if (fromInt) return cvt(`${needsUnsigned(from) ? (vf === 'i32' ? 'u32' : 'u64') : vf}->${vt}` as CvtOp, e);
  if (toInt && vt === 'i32' && to !== 'int32') {
    // Out-of-range floats: through int64 and its low bits, as C's casts on x86-64 give.
    return wrapInt(cvt('i64->i32', cvt(`${vf}->i64` as CvtOp, e)), to);
  }
  if (to === 'uint64') {
    // From 2^63 up: subtract 2^63 and set the top bit back (the saturating signed truncation stops at 2^63 - 1).
    const x = e, big = vf === 'f64' ? bin('ge', 'f64', x, cst('f64', 2 ** 63)) : bin('ge', 'f32', x, cst('f32', 2 ** 63));
    return select('i64', big, bin('xor', 'i64', cvt(`${vf}->i64` as CvtOp, bin('sub', vf, x, cst(vf, 2 ** 63))), i64(-(2n ** 63n))), cvt(`${vf}->i64` as CvtOp, x));
  }
  return cvt(`${vf}->${vt}` as CvtOp, e);
}

/** Comparison op names for a value type (ints signed). */
export function cmpOp(op: '<' | '<=' | '>' | '>=' | '==' | '!=', t: VT): BinOp {
  const isF = t === 'f32' || t === 'f64';
  switch (op) {
    case '<': return isF ? 'lt' : 'lt_s';
    case '<=': return isF ? 'le' : 'le_s';
    case '>': return isF ? 'gt' : 'gt_s';
    case '>=': return isF ? 'ge' : 'ge_s';
    case '==': return 'eq';
    case '!=': return 'ne';
  }
}

/** Comparison op for values of dtype d: unsigned for uint32 and uint64. */
export function cmpOpOf(op: '<' | '<=' | '>' | '>=' | '==' | '!=', d: DType): BinOp {
  const o = cmpOp(op, vtOf(d));
  return needsUnsigned(d) ? o.replace('_s', '_u') as BinOp : o;
}

/** The number of iterations of range(start, stop, step), as i64 (0 when empty). */
export function tripCount(start: Expr, stop: Expr, step: Expr): Expr {
  const up = bin('div_s', 'i64', bin('add', 'i64', bin('sub', 'i64', stop, start), bin('sub', 'i64', step, i64(1))), step);
  const down = bin('div_s', 'i64', bin('add', 'i64', bin('sub', 'i64', start, stop), bin('sub', 'i64', i64(-1), step)), bin('sub', 'i64', i64(0), step));
  const t = select('i64', bin('gt_s', 'i64', step, i64(0)), up, down);
  return select('i64', bin('gt_s', 'i64', t, i64(0)), t, i64(0));
}
