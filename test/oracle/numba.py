# Oracle stand-in for Numba (CPython on PATH has no Numba): programs that `import numba` or use its
# decorators run under CPython as plain Python, which is what Numba's code means. The decorators
# return the function unchanged, with or without arguments (@njit, @njit(parallel=True),
# @numba.jit("f8(f8[:])", nopython=True)); @vectorize makes a NumPy ufunc-like function; prange is
# range; type names (float64, int32[:]) build signatures that are only kept, never checked.
import numpy as _np

_threads = [1]


def _decorator(*args, **kwargs):
    if len(args) == 1 and callable(args[0]) and not isinstance(args[0], _Type) and not kwargs:
        return args[0]
    return lambda f: f


njit = jit = _decorator


def vectorize(*args, **kwargs):
    def wrap(f):
        return _np.vectorize(f)
    if len(args) == 1 and callable(args[0]) and not isinstance(args[0], (_Type, list)) and not kwargs:
        return wrap(args[0])
    return wrap


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
    def __init__(self, name):
        self.name = name

    def __getitem__(self, _index):
        return _Type(self.name + '[]')

    def __call__(self, *args):
        return _Type(self.name + '(...)')


for _n in ['float64', 'float32', 'int64', 'int32', 'boolean', 'b1', 'f8', 'f4', 'i8', 'i4', 'intp', 'void', 'double']:
    globals()[_n] = _Type(_n)
