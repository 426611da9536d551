// The lowerer's vocabulary: how values and variables are represented (Val, ArrRef, Slot), what
// lowering produces (Lowered), its tuning constants, and small pure helpers the other modules share.
import type * as A from '../../language/ast.js';
import type { Span } from '../../language/source.js';
import type { DType, Type } from '../../language/types.js';
import type * as I from '../ir.js';
import { exprType as verifyExprType } from '../verify.js';

type Expr = I.Expr;
type VT = I.VT;

export interface ArrRef { desc: Expr; data: Expr; shape: Expr[]; strides: Expr[]; dtype: DType; ndim: number }

export type Val =
  | { k: 's'; e: Expr; dtype: DType }
  | { k: 'a'; a: ArrRef; owned: boolean }
  | { k: 't'; items: Val[] }
  | { k: 'none' }
  | { k: 'str'; text: string }
  | { k: 'dtype'; dtype: DType }
  | { k: 'team'; tn: Expr; nt: Expr }
  | { k: 'exc'; name: string; msg: string; dyn?: A.Expr };

export interface Leaves { leaves: Map<A.Expr, ArrRef>; scalars: Map<A.Expr, { e: Expr; dtype: DType }> }

export type Slot =
  | { k: 's'; name: string; dtype: DType }
  | { k: 'a'; name: string; dtype: DType; ndim: number }
  | { k: 't'; items: Slot[] }
  | { k: 'gs'; addr: number; dtype: DType }
  | { k: 'ga'; addr: number; dtype: DType; ndim: number }
  | { k: 'team'; tn: string; nt: string }
  /** A dtype is known when compiling: each one gives its own specialization. */
  | { k: 'dt'; dtype: DType; cls?: boolean }
  /** A list: its descriptor only, as its data and length change (Note [Lists] in lists.ts). */
  | { k: 'ld'; name: string; elem: Type | null }
  | { k: 'none' };

/** A run-time error site: where it is and what kind; the runtime formats the message. */
export interface ErrorSite { code: number; kind: string; span: Span; text?: string }

export interface Lowered {
  program: I.Program;
  strings: string[];
  sites: ErrorSite[];
  /** Entry points callable from JS: name -> IR function and Par signature. */
  entries: Map<string, { fn: string; params: Type[]; ret: Type }>;
}

export interface LowerOptions { boundsCheck: boolean; /** Instrument prange bodies for the race detector (lower/races.ts). */ checkRaces?: boolean }

/** Nests with fewer elements never fork (see Note [Parallel array operations]). */
export const PAR_MIN_ELEMS = 1 << 15;
/** Elements per parallel iteration of a one-dimensional nest. */
export const PAR_CHUNK = 1 << 13;
/** Elements per parallel block of argmin/argmax. */
export const ARG_BLOCK = 1 << 15;
/** Whole-array operations: vectorized, and parallel when big. */
export const ARRAY_OP = { par: true, simd: true } as const;

export const MATH1 = ['sin', 'cos', 'tan', 'asin', 'acos', 'atan', 'sinh', 'cosh', 'tanh', 'exp', 'log', 'log2', 'log10', 'erf', 'expm1', 'log1p', 'exp2', 'cbrt'];
export const MATH2 = ['atan2', 'pow', 'hypot', 'fmod', 'pymod', 'pyfloordiv'];
export const UFUNC_MATH: Record<string, string> = {
  arcsin: 'asin', arccos: 'acos', arctan: 'atan', sin: 'sin', cos: 'cos', tan: 'tan', sinh: 'sinh', cosh: 'cosh', tanh: 'tanh',
  exp: 'exp', log: 'log', log2: 'log2', log10: 'log10', erf: 'erf', expm1: 'expm1', log1p: 'log1p', exp2: 'exp2',
};

/** The value of a number literal, possibly negated; null for anything else. */
export function literalValue(e: A.Expr): number | null {
  if (e.kind === 'Int') return Number(e.value);
  if (e.kind === 'Float') return e.value;
  if (e.kind === 'Unary' && e.op === '-') { const v = literalValue(e.operand); return v === null ? null : -v; }
  return null;
}

export function range(n: number): number[] { return Array.from({ length: n }, (_v, i) => i); }

export function exprType(e: Expr): VT { return verifyExprType(e) ?? 'i32'; }

export function isUfunc(name: string): boolean {
  return ['abs', 'fabs', 'sqrt', 'exp', 'log', 'log2', 'log10', 'sin', 'cos', 'tan', 'arcsin', 'arccos', 'arctan', 'sinh', 'cosh', 'tanh',
    'floor', 'ceil', 'round', 'erf', 'sign', 'isnan', 'isinf', 'isfinite', 'negative', 'exp2', 'expm1', 'log1p', 'trunc', 'square',
    'radians', 'deg2rad', 'degrees', 'rad2deg', 'rint',
    'maximum', 'minimum', 'arctan2', 'power', 'hypot', 'fmod', 'copysign', 'isclose'].includes(name);
}

/** How a value is stored: a range object as its start, stop and step. */
export function asStored(t: Type): Type {
  // A generator is its state's bytes (compiler/lower/random-calls.ts).
  if (t.kind === 'rng') return { kind: 'array', dtype: t.gen === 'mt' ? 'bool' : 'int64', ndim: 1 };
  // A complex number is its real and imaginary parts (complex.ts).
  if (t.kind === 'complex') return { kind: 'tuple', elems: [{ kind: 'scalar', dtype: 'float64', weak: true }, { kind: 'scalar', dtype: 'float64', weak: true }] };
  if (t.kind !== 'range') return t;
  const int: Type = { kind: 'scalar', dtype: 'int64', weak: true };
  return { kind: 'tuple', elems: [int, int, int] };
}
