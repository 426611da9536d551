// Par's static types: NumPy dtypes for scalars and array elements, arrays of a fixed rank, tuples,
// and the few non-value types the checker needs (strings for print/raise, dtypes as values, ...).
// Promotion follows NumPy 2 (NEP 50): Python scalars (literals, ints from len()/range, arithmetic
// on them) are "weak" and take the dtype of the strong operand when they fit its kind.
export type DType = 'bool' | 'int8' | 'int16' | 'int32' | 'int64' | 'uint8' | 'uint16' | 'uint32' | 'uint64' | 'float32' | 'float64';
export const DTYPES: readonly DType[] = ['bool', 'int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64', 'float32', 'float64'];

/**
 * What each dtype is, in one table: its kind (b bool, i signed, u unsigned, f float), its width in
 * bits and, for integers, its range. Promotion, literal range checks, casts and lowering read it.
 */
export const DTYPE_INFO: Readonly<Record<DType, { kind: 'b' | 'i' | 'u' | 'f'; bits: number; min: bigint; max: bigint }>> = (() => {
  const int = (kind: 'i' | 'u', bits: number) => ({
    kind, bits, min: kind === 'u' ? 0n : -(1n << BigInt(bits - 1)), max: (1n << BigInt(kind === 'u' ? bits : bits - 1)) - 1n,
  });
  return {
    bool: { kind: 'b', bits: 8, min: 0n, max: 1n }, int8: int('i', 8), int16: int('i', 16), int32: int('i', 32), int64: int('i', 64),
    uint8: int('u', 8), uint16: int('u', 16), uint32: int('u', 32), uint64: int('u', 64),
    float32: { kind: 'f', bits: 32, min: 0n, max: 0n }, float64: { kind: 'f', bits: 64, min: 0n, max: 0n },
  };
})();

export type Type =
  | { kind: 'scalar'; dtype: DType; weak: boolean }
  /** shape: the extents when known at compile time (constant creation shapes), for early shape errors. */
  | { kind: 'array'; dtype: DType; ndim: number; shape?: number[] }
  | { kind: 'tuple'; elems: Type[] }
  /** A Python list of one element type (as Numba's typed lists): scalars, strings or arrays. `elem` is
   *  null for a list nothing was put in yet (`xs = []` before the first append). */
  | { kind: 'list'; elem: Type | null }
  /** A range object (`r = range(n)`): start, stop and step. */
  | { kind: 'range' }
  /** A Python complex number (language/check-complex.ts); arrays of them are not supported yet. */
  | { kind: 'complex' }
  /** A random generator: NumPy's legacy RandomState (`mt`, also the module-level np.random functions) or a Generator (`pcg`, default_rng). */
  | { kind: 'rng'; gen: 'mt' | 'pcg' }
  | { kind: 'none' }
  | { kind: 'str' }
  /** `a.dtype` (a dtype instance), or with `cls` a scalar type such as `np.float32` (prints as `<class 'numpy.float32'>`). */
  | { kind: 'dtype'; dtype: DType; cls?: boolean }
  | { kind: 'func'; name: string }
  | { kind: 'builtin'; name: string }
  | { kind: 'module'; name: string }
  | { kind: 'team' }
  | { kind: 'lock' }
  | { kind: 'exception'; name: string };

export const scalar = (dtype: DType, weak = false): Type => ({ kind: 'scalar', dtype, weak });
export const array = (dtype: DType, ndim: number, shape?: number[]): Type =>
  shape && shape.length === ndim ? { kind: 'array', dtype, ndim, shape } : { kind: 'array', dtype, ndim };

/** NumPy's broadcasting of two known shapes; null when they are incompatible. */
export function broadcastShapes(a: number[], b: number[]): number[] | null {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let k = 0; k < n; k++) {
    const x = a[a.length - n + k] ?? 1, y = b[b.length - n + k] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return null;
    out.push(x === 1 ? y : x);
  }
  return out;
}

export const showShape = (s: number[]) => `(${s.join(',')}${s.length === 1 ? ',' : ''})`;

/** A type without compile-time shapes: function specializations must not depend on them. */
export function withoutShapes(t: Type): Type {
  if (t.kind === 'array' && t.shape) return { kind: 'array', dtype: t.dtype, ndim: t.ndim };
  if (t.kind === 'tuple') return { kind: 'tuple', elems: t.elems.map(withoutShapes) };
  if (t.kind === 'list' && t.elem) return { kind: 'list', elem: withoutShapes(t.elem) };
  return t;
}
export const INT = scalar('int64', true);
export const FLOAT = scalar('float64', true);
export const BOOL = scalar('bool', true);
export const NONE: Type = { kind: 'none' };
export const STR: Type = { kind: 'str' };

export const kindOf = (d: DType) => { const k = DTYPE_INFO[d].kind; return k === 'b' ? 0 : k === 'f' ? 2 : 1; };
export const isFloat = (d: DType) => d === 'float32' || d === 'float64';
export const isInt = (d: DType) => kindOf(d) === 1;
export const isUnsigned = (d: DType) => DTYPE_INFO[d].kind === 'u';
/** The integer dtype of a kind and width (`int16`, `uint64`). */
const intOf = (kind: 'i' | 'u', bits: number): DType => `${kind === 'u' ? 'u' : ''}int${bits}` as DType;

/** The dtype NumPy sums, multiplies and accumulates a dtype in: bool and signed integers in int64, unsigned in uint64. */
export const sumDtype = (d: DType): DType => (d === 'bool' || DTYPE_INFO[d].kind === 'i' ? 'int64' : DTYPE_INFO[d].kind === 'u' ? 'uint64' : d);

/** The float dtype NumPy's float ufuncs (sqrt, exp, arctan2, ...) give an integer dtype: float32 for
 *  16-bit ones, float64 for wider ones (and, in Par, for bool); null for 8-bit ones, whose float16 Par lacks. */
export const floatOf = (d: DType): DType | null => (isFloat(d) ? d : d === 'bool' || DTYPE_INFO[d].bits > 16 ? 'float64' : DTYPE_INFO[d].bits === 16 ? 'float32' : null);

/** NumPy's promotion of two strong dtypes (its promotion table, float16 and complex aside). */
export function promoteDtypes(a: DType, b: DType): DType {
  if (a === b) return a;
  if (a === 'bool') return b;
  if (b === 'bool') return a;
  const x = DTYPE_INFO[a], y = DTYPE_INFO[b];
  if (x.kind === 'f' || y.kind === 'f') {
    // float32 holds int8/uint8/int16/uint16 exactly; wider integers need float64.
    const [i, f] = x.kind === 'f' ? [y, x] : [x, y];
    return f.bits === 64 || i.kind === 'f' && i.bits === 64 || i.kind !== 'f' && i.bits > 16 ? 'float64' : 'float32';
  }
  if (x.kind === y.kind) return intOf(x.kind as 'i' | 'u', Math.max(x.bits, y.bits));
  // Signed with unsigned: the narrowest signed type holding both; none holds uint64 and int64.
  const [s, u] = x.kind === 'i' ? [x, y] : [y, x];
  if (s.bits > u.bits) return intOf('i', s.bits);
  return u.bits === 64 ? 'float64' : intOf('i', u.bits * 2);
}

/** Promotion of the element types of two operands, honouring weak Python scalars (NEP 50). */
export function promote(a: { dtype: DType; weak: boolean }, b: { dtype: DType; weak: boolean }): { dtype: DType; weak: boolean } {
  if (a.weak && b.weak) {
    const k = Math.max(kindOf(a.dtype), kindOf(b.dtype));
    return { dtype: k === 0 ? 'bool' : k === 1 ? 'int64' : 'float64', weak: true };
  }
  if (a.weak !== b.weak) {
    const [w, s] = a.weak ? [a, b] : [b, a];
    if (kindOf(w.dtype) <= kindOf(s.dtype)) return { dtype: s.dtype, weak: false };
    return { dtype: kindOf(w.dtype) === 1 ? 'int64' : 'float64', weak: false };
  }
  return { dtype: promoteDtypes(a.dtype, b.dtype), weak: false };
}

export function elemOf(t: Type): { dtype: DType; weak: boolean } | null {
  if (t.kind === 'scalar') return { dtype: t.dtype, weak: t.weak };
  if (t.kind === 'array') return { dtype: t.dtype, weak: false };
  return null;
}

export function typeEq(a: Type, b: Type): boolean {
  return typeKey(a) === typeKey(b);
}

/** A canonical string for a type; used for specialization keys and messages. */
export function typeKey(t: Type): string {
  switch (t.kind) {
    case 'scalar': return t.dtype + (t.weak ? '~' : '');
    case 'array': return `${t.dtype}[${Array(t.ndim).fill(':').join(', ')}]`;
    case 'tuple': return `(${t.elems.map(typeKey).join(', ')}${t.elems.length === 1 ? ',' : ''})`;
    case 'list': return `list[${t.elem ? typeKey(t.elem) : '?'}]`;
    case 'rng': return t.gen === 'mt' ? 'RandomState' : 'Generator';
    case 'complex': return 'complex';
    case 'dtype': return t.cls ? `type(${t.dtype})` : `dtype(${t.dtype})`;
    case 'func': return `function ${t.name}`;
    case 'builtin': return `builtin ${t.name}`;
    case 'module': return `module ${t.name}`;
    case 'exception': return t.name;
    default: return t.kind;
  }
}

/** What a user sees in messages: `float64`, `int64[:, :]`, `(int64, float64)`. */
export function showType(t: Type): string {
  return typeKey(t).replace(/~/g, '');
}

/** NumPy's names for Par's dtypes, as attributes of numpy (`np.double`) and as Numba's type names (`f8`). */
const DTYPE_NAMES: Record<string, DType> = {
  float64: 'float64', float32: 'float32', int64: 'int64', int32: 'int32', bool_: 'bool',
  int8: 'int8', int16: 'int16', uint8: 'uint8', uint16: 'uint16', uint32: 'uint32', uint64: 'uint64',
  double: 'float64', single: 'float32', int_: 'int64', intp: 'int64', intc: 'int32', longlong: 'int64',
};
/** Attributes of numpy that are dtypes but whose bare names mean something else (Python's `bool`). */
const MODULE_DTYPE_NAMES: Record<string, DType> = {
  ...DTYPE_NAMES, bool: 'bool', long: 'int64',
  byte: 'int8', ubyte: 'uint8', short: 'int16', ushort: 'uint16', uintc: 'uint32', ulonglong: 'uint64', uintp: 'uint64', uint: 'uint64', ulong: 'uint64',
};
/** NumPy's dtype strings: `np.dtype('f8')`, `astype('float32')`, `zeros(3, '<i4')`. */
const DTYPE_CODES: Record<string, DType> = {
  ...MODULE_DTYPE_NAMES, f8: 'float64', f4: 'float32', i8: 'int64', i4: 'int32', b1: 'bool', '?': 'bool',
  d: 'float64', f: 'float32', i: 'int32', l: 'int64', q: 'int64', float: 'float64', int: 'int64',
  i1: 'int8', i2: 'int16', u1: 'uint8', u2: 'uint16', u4: 'uint32', u8: 'uint64',
  b: 'int8', h: 'int16', B: 'uint8', H: 'uint16', I: 'uint32', L: 'uint64', Q: 'uint64',
};
/** NumPy dtypes Par does not have, so that naming one says so instead of "undefined name". */
export const OTHER_DTYPES = new Set(['float16', 'half', 'longdouble', 'float128', 'complex64', 'complex128', 'complex256', 'cdouble', 'csingle']);

/** The dtype a name stands for (`float32`, `double`, `bool_`); `ofModule`: as an attribute of numpy (`np.bool`). */
export function dtypeNamed(n: string, ofModule = false): DType | undefined {
  const names = ofModule ? MODULE_DTYPE_NAMES : DTYPE_NAMES;
  return Object.hasOwn(names, n) ? names[n] : undefined;
}

/** The dtype a NumPy dtype string stands for (`'f8'`, `'<i4'`, `'float32'`); byte order marks other than big-endian are allowed. */
export function dtypeOfString(s: string): DType | undefined {
  const code = /^[<=|]/.test(s) ? s.slice(1) : s;
  return Object.hasOwn(DTYPE_CODES, code) ? DTYPE_CODES[code] : undefined;
}
