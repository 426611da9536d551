// The names Par knows without a definition: NumPy's ufuncs, reductions, creation and library
// functions, Python's builtins and exceptions, math's functions, constants. The checker types calls
// of them; lowering, the playground's completion and its tests read these tables too.
import { type DType, type Type, FLOAT, isFloat, isInt, isUnsigned } from './types.js';

export const REDUCE_FNS = new Set(['sum', 'prod', 'min', 'max', 'mean', 'argmin', 'argmax', 'any', 'all', 'count_nonzero', 'std', 'var']);
export const UNARY_UFUNCS = new Set([
  'abs', 'sqrt', 'exp', 'log', 'log2', 'log10', 'sin', 'cos', 'tan', 'arcsin', 'arccos', 'arctan', 'sinh', 'cosh',
  'tanh', 'floor', 'ceil', 'round', 'erf', 'sign', 'isnan', 'isinf', 'isfinite', 'negative', 'fabs', 'exp2', 'expm1', 'log1p', 'trunc', 'square',
  'radians', 'deg2rad', 'degrees', 'rad2deg', 'rint',
]);
export const BINARY_UFUNCS = new Set(['maximum', 'minimum', 'arctan2', 'power', 'hypot', 'fmod', 'copysign']);
/** NumPy 2's array-API names of ufuncs: `np.asin` is `np.arcsin` (the same object, messages name arcsin). */
export const UFUNC_ALIASES = new Map([['asin', 'arcsin'], ['acos', 'arccos'], ['atan', 'arctan'], ['atan2', 'arctan2'], ['pow', 'power'],
  ['absolute', 'abs'], ['around', 'round'], ['amax', 'max'], ['amin', 'min']]);
/**
 * Python's math functions Par has, and the NumPy function that computes each one's value. Called
 * with numbers they are Python's (docs/language.md §1): a Python float (an int for floor, ceil and
 * trunc, a bool for the tests), and Python's ValueError/OverflowError where CPython raises one;
 * applied to an array, NumPy's function elementwise.
 */
export const MATH_FNS = new Map([
  ...['sqrt', 'exp', 'exp2', 'expm1', 'log', 'log2', 'log10', 'log1p', 'sin', 'cos', 'tan', 'sinh', 'cosh', 'tanh', 'erf', 'fabs',
    'radians', 'degrees', 'floor', 'ceil', 'trunc', 'isnan', 'isinf', 'isfinite', 'hypot', 'copysign', 'fmod'].map((n): [string, string] => [n, n]),
  ['asin', 'arcsin'], ['acos', 'arccos'], ['atan', 'arctan'], ['atan2', 'arctan2'], ['pow', 'power'], ['isclose', 'isclose'],
]);
/** Functions of numpy.linalg (`np.linalg.norm`, `import numpy.linalg as la`). */
export const LINALG_FNS = new Set(['norm']);
export const CREATION = new Set(['zeros', 'ones', 'empty', 'full', 'eye', 'arange', 'linspace', 'array', 'zeros_like', 'ones_like', 'empty_like', 'full_like']);
export const OTHER_BUILTINS = new Set([
  'print', 'range', 'prange', 'len', 'int', 'float', 'bool', 'dot', 'transpose', 'reshape', 'ravel', 'copy', 'where', 'clip',
  'wtime', 'imshow', 'atomic_add', 'atomic_max', 'atomic_min', 'pmap', 'parallel', 'outer', 'matmul', 'shape', 'ndim', 'size',
  'asarray', 'swapaxes', 'moveaxis', 'dtype', 'issubdtype', 'str', 'repr', 'ascii', 'format',
  'list', 'sorted', 'enumerate', 'zip', 'reversed', 'get_num_threads', 'set_num_threads', 'get_thread_id', 'threadid',
  'divmod', 'roll', 'meshgrid', 'bincount', 'isclose', 'allclose', 'nonzero', 'complex',
  'tile', 'repeat', 'argwhere', 'split', 'array_split', 'flip', 'flipud', 'fliplr', 'expand_dims', 'squeeze',
  'atleast_1d', 'atleast_2d', 'atleast_3d', 'interp',
]);
/** NumPy's abstract scalar classes, for issubdtype(a.dtype, np.floating). */
export const ABSTRACT_DTYPES: Record<string, (d: DType) => boolean> = {
  floating: isFloat, inexact: isFloat, integer: isInt, signedinteger: (d) => isInt(d) && !isUnsigned(d), unsignedinteger: isUnsigned, number: (d) => d !== 'bool', generic: () => true,
};
/** Numba and Cython names with no meaning in expressions. */
export const DECORATOR_NAMES = new Set(['njit', 'jit', 'vectorize']);
/** The array library beyond ufuncs and reductions (sorting, joining, scans); typed by `library()`. */
export const LIBRARY_FNS = new Set(['sort', 'argsort', 'concatenate', 'stack', 'vstack', 'hstack', 'cumsum', 'cumprod', 'diff', 'flatten', 'diag', 'diagonal', 'trace']);
/** More of NumPy (issue 18): searching, counting, padding, triangles, einsum, grids; typed by `numpyExtra()`. */
export const NUMPY_EXTRA = new Set(['unique', 'searchsorted', 'histogram', 'convolve', 'pad', 'take', 'identity', 'triu', 'tril', 'column_stack', 'einsum', 'mgrid', 'ogrid']);
/** NumPy's order statistics (median, percentile, quantile); typed by `statsCall()` (check-stats.ts). */
export const STATS_FNS = new Set(['median', 'percentile', 'quantile']);
/** Data in and out (np.save, np.load, np.savetxt, np.loadtxt); typed by `fileCall()` (check-files.ts). */
export const FILE_FNS = new Set(['save', 'load', 'savetxt', 'loadtxt']);
export const EXCEPTIONS = new Set(['ValueError', 'IndexError', 'RuntimeError', 'ZeroDivisionError', 'TypeError', 'ArithmeticError', 'AssertionError', 'Exception', 'NotImplementedError', 'OverflowError']);
export const CONSTANTS: Record<string, Type> = { pi: FLOAT, e: FLOAT, inf: FLOAT, nan: FLOAT };

export function isBuiltinName(n: string): boolean {
  return REDUCE_FNS.has(n) || UNARY_UFUNCS.has(n) || BINARY_UFUNCS.has(n) || CREATION.has(n) || OTHER_BUILTINS.has(n) || (LIBRARY_FNS.has(n) && n !== 'flatten') || UFUNC_ALIASES.has(n) || NUMPY_EXTRA.has(n) || STATS_FNS.has(n) || FILE_FNS.has(n);
}
