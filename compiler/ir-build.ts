// Small constructors for IR expressions and the dtype <-> value-type mapping, shared by lowering
// and the IR-level runtime helpers.
import type { DType } from '../language/types.js';
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

export const vtOf = (d: DType): VT => (d === 'int64' ? 'i64' : d === 'float32' ? 'f32' : d === 'float64' ? 'f64' : 'i32');
export const memOf = (d: DType): Mem => (d === 'bool' ? 'u8' : d === 'int32' ? 'i32' : d === 'int64' ? 'i64' : d === 'float32' ? 'f32' : 'f64');
export const log2Size = (d: DType): number => (d === 'bool' ? 0 : d === 'int32' || d === 'float32' ? 2 : 3);

/** Converts a value of dtype `from` to dtype `to` with NumPy's casting (floats to ints truncate). */
export function convert(e: Expr, from: DType, to: DType): Expr {
  if (from === to) return e;
  const vf = vtOf(from), vt = vtOf(to);
  if (to === 'bool') {
    const zero = cst(vf, 0);
    return bin(vf === 'f32' || vf === 'f64' ? 'ne' : 'ne', vf, e, zero);
  }
  if (vf === vt) return e; // bool -> int32
  const op = `${vf}->${vt}` as CvtOp;
  return cvt(op, e);
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

/** The number of iterations of range(start, stop, step), as i64 (0 when empty). */
export function tripCount(start: Expr, stop: Expr, step: Expr): Expr {
  const up = bin('div_s', 'i64', bin('add', 'i64', bin('sub', 'i64', stop, start), bin('sub', 'i64', step, i64(1))), step);
  const down = bin('div_s', 'i64', bin('add', 'i64', bin('sub', 'i64', start, stop), bin('sub', 'i64', i64(-1), step)), bin('sub', 'i64', i64(0), step));
  const t = select('i64', bin('gt_s', 'i64', step, i64(0)), up, down);
  return select('i64', bin('gt_s', 'i64', t, i64(0)), t, i64(0));
}
