# Oracle stand-in for cython.parallel: prange is range (its keywords accepted), parallel() a block
# run once, threadid() 0: the program's sequential meaning.
import contextlib as _ctx


def prange(*args, nogil=False, schedule=None, chunksize=None, num_threads=None, use_threads_if=None):
    return range(*args)


@_ctx.contextmanager
def parallel(num_threads=None, use_threads_if=None):
    yield


def threadid():
    return 0
