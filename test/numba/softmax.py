# Row-wise softmax and standardization: a helper compiled eagerly from an explicit signature string
# using the math module and a for-each loop over an array, row views and a whole-array exp inside a
# prange, and whole-array expressions (mean, sqrt, **) in a serial @njit function.
import math
import numpy as np
from numba import njit, prange


@njit("float64(float64[:])")
def logsumexp(v):
    m = v.max()
    s = 0.0
    for x in v:
        s += math.exp(x - m)
    return m + math.log(s)


@njit(parallel=True)
def softmax_rows(X):
    out = np.empty_like(X)
    for i in prange(X.shape[0]):
        row = X[i, :]
        out[i, :] = np.exp(row - logsumexp(row))
    return out


@njit
def standardize(x):
    mu = x.mean()
    sd = np.sqrt(((x - mu) ** 2).mean())
    return (x - mu) / sd


X = np.sin(np.arange(20.0).reshape((4, 5)) * 0.9) * 3.0
P = softmax_rows(X)
print(P)
print(np.abs(P.sum(axis=1) - 1.0).max() < 1e-12, np.argmax(P, axis=1))
z = standardize(np.arange(10.0) ** 2)
print(z)
print(f"logsumexp(row 0) = {logsumexp(X[0]):.10f}, mean(z) ~ 0: {abs(z.mean()) < 1e-12}")
