# The Python oracle's prelude: with it, a .par program runs under CPython + NumPy and must print
# the same numbers as Par. Parallel constructs get their sequential meaning.
import builtins as _b
import contextlib as _ctx
import time as _time
import numpy as np
from numpy import *

np.set_printoptions(legacy='1.25')  # scalars inside tuples print as 1.0, not np.float64(1.0)


def prange(*args, schedule=None, chunksize=None, num_threads=None, use_threads_if=None, cluster=None):
    return range(*args)


class _Team:
    thread_num = 0
    num_threads = 1
    lock = _ctx.nullcontext()

    def range(self, *args):
        return _b.range(*args)

    xrange = range

    def barrier(self):
        pass

    def print(self, *args, **kw):
        _b.print(*args, **kw)


@_ctx.contextmanager
def parallel(num_threads=None, if_=True):
    yield _Team()


def _atomic(a, i, v, f):
    old = a[i]
    a[i] = f(a[i], v)
    return old


def atomic_add(a, i, v): return _atomic(a, i, v, lambda x, y: x + y)
def atomic_max(a, i, v): return _atomic(a, i, v, np.maximum)
def atomic_min(a, i, v): return _atomic(a, i, v, np.minimum)
def pmap(f, xs): return np.array([f(x) for x in xs])


def _python_seq(a):
    # Lists, ranges, strings and generators get Python's builtins; arrays and NumPy scalars NumPy's.
    return not isinstance(a, (np.ndarray, np.generic, int, float))


def max(a, *rest, **kw):
    return _b.max(a, *rest, **kw) if rest or _python_seq(a) else np.max(a, **kw)


def min(a, *rest, **kw):
    return _b.min(a, *rest, **kw) if rest or _python_seq(a) else np.min(a, **kw)


def sum(a, *rest, **kw):
    return _b.sum(a, *rest) if _python_seq(a) and not kw else np.sum(a, *rest, **kw)


def any(a, **kw):
    return _b.any(a) if _python_seq(a) and not kw else np.any(a, **kw)


def all(a, **kw):
    return _b.all(a) if _python_seq(a) and not kw else np.all(a, **kw)


def divmod(a, b):
    # `from numpy import *` brought NumPy's ufunc: numbers get Python's divmod (its ZeroDivisionError;
    # NumPy scalars still compute as NumPy), arrays np.divmod, as in Par.
    return np.divmod(a, b) if isinstance(a, np.ndarray) or isinstance(b, np.ndarray) else _b.divmod(a, b)


def wtime(): return _time.perf_counter()


import math as _math
erf = np.vectorize(_math.erf, otypes=[float])  # NumPy has no erf; Par has it as a ufunc
