# Oracle stand-in for Cython's pure-Python mode (no Cython on this CPython): `import cython` and its
# directives as decorators (@cython.boundscheck(False), @cython.wraparound(False), ...) do nothing,
# `with cython.nogil:` runs its block, as Cython's own Shadow module does when not compiled.
import contextlib as _ctx


def _directive(*args, **kwargs):
    if len(args) == 1 and callable(args[0]) and not kwargs:
        return args[0]
    return lambda f: f


boundscheck = wraparound = cdivision = nonecheck = initializedcheck = infer_types = overflowcheck = profile = _directive
cfunc = ccall = inline = exceptval = locals = returns = _directive
nogil = _ctx.nullcontext()
