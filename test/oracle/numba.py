# Oracle stand-in for Numba (CPython on PATH has no Numba): programs that `import numba` or use its
# decorators run under CPython as plain Python, which is what Numba's code means. The decorators
# return the function unchanged, with or without arguments (@njit, @njit(parallel=True),
# @numba.jit("f8(f8[:])", nopython=True)); @vectorize makes a NumPy ufunc-like function (with
# signatures, NumPy's choice of the first one the inputs cast to safely); prange is range; type
# names (float64, int32[:]) build signatures that @njit keeps and never checks.
import numpy as _np

_threads = [1]


def _decorator(*args, **kwargs):
    if len(args) == 1 and callable(args[0]) and not isinstance(args[0], _Type) and not kwargs:
        return args[0]
    return lambda f: f


njit = jit = _decorator


def vectorize(*args, **kwargs):
    if len(args) == 1 and callable(args[0]) and not isinstance(args[0], (_Type, list)) and not kwargs:
        return _Ufunc(args[0], [])
    sigs = args[0] if args else []
    sigs = [_signature(s) for s in (sigs if isinstance(sigs, list) else [sigs])]
    return lambda f: _Ufunc(f, sigs)


class _Ufunc:
    """A @vectorize function as Numba makes it, a ufunc: with signatures, the first loop every input
    casts to safely (NumPy's loop search), the inputs converted to its types and the results of its
    type; without, np.vectorize (the function on each element, the result dtype that of its first
    result). Numbers in give a NumPy scalar out."""
    def __init__(self, f, sigs):
        self.f, self.sigs = f, sigs
        self.__name__ = f.__name__

    def __call__(self, *xs):
        if not self.sigs:
            res = _np.vectorize(self.f)(*xs)
        else:
            # NumPy's should_use_min_scalar_weak_literals: Python numbers are weak next to a NumPy
            # value of their kind or a higher one, else int64 / float64.
            py = [1 if isinstance(x, int) and not isinstance(x, bool) else 2 if isinstance(x, float) else -1 for x in xs]
            kinds = [_kind(_np.asarray(x).dtype) for x, k in zip(xs, py) if k < 0]
            weak = bool(kinds) and max(kinds) >= max(py)
            for ret, params in self.sigs:
                if len(params) == len(xs) and all(_safe(x, p, weak) for x, p in zip(xs, params)):
                    ins = [_np.asarray(x, dtype=p) for x, p in zip(xs, params)]
                    res = _np.vectorize(self.f, otypes=[ret] if ret else None)(*ins)
                    break
            else:
                raise TypeError(f"ufunc '{self.__name__}' not supported for the input types, and the inputs could not be safely coerced to any supported types according to the casting rule ''safe''")
        return res[()] if isinstance(res, _np.ndarray) and res.ndim == 0 else res


def _kind(d):
    return {'b': 0, 'u': 1, 'i': 1, 'f': 2, 'c': 2}.get(d.kind, 3)


def _safe(x, to, weak):
    if weak and isinstance(x, int) and not isinstance(x, bool):
        return to.kind in 'iuf'
    if weak and isinstance(x, float):
        return to.kind == 'f'
    return _np.can_cast(_np.asarray(x).dtype, to, 'safe')


_NAMES = {'f8': 'float64', 'f4': 'float32', 'i8': 'int64', 'i4': 'int32', 'b1': 'bool', 'boolean': 'bool', 'intp': 'int64', 'double': 'float64', 'float_': 'float64'}


def _dtype(name):
    return _np.dtype(_NAMES.get(name, name))


def _signature(s):
    """(result dtype or None, [input dtypes]) of 'f8(f8, f8)', '(f8, f8)' or float64(float64, float64)."""
    if isinstance(s, _Type):
        return (_dtype(s.ret) if s.ret else None), [_dtype(p) for p in s.params]
    import re
    m = re.fullmatch(r'\s*(\w*)\s*\((.*)\)\s*', s)
    return (_dtype(m.group(1)) if m.group(1) else None), [_dtype(p.strip()) for p in m.group(2).split(',') if p.strip()]


def prange(*args):
    return range(*args)


def get_num_threads():
    return _threads[0]


def set_num_threads(n):
    _threads[0] = n


def get_thread_id():
    return 0


class _Type:
    """A Numba type in a signature: `float64`, `float64[:]`, `float64(float64[:], int64)`."""
    def __init__(self, name, ret=None, params=()):
        self.name, self.ret, self.params = name, ret, list(params)

    def __getitem__(self, _index):
        return _Type(self.name + '[]')

    def __call__(self, *args):
        return _Type(self.name + '(...)', self.name, [a.name for a in args])


for _n in ['float64', 'float32', 'int64', 'int32', 'boolean', 'b1', 'f8', 'f4', 'i8', 'i4', 'intp', 'void', 'double']:
    globals()[_n] = _Type(_n)
