# Prefix sums (a serial @njit scan, a blocked two-pass prange scan); cumulative and moving averages.
import numpy as np
from numba import njit, prange


@njit
def prefix_sum(a):
    out = np.empty_like(a)
    s = 0
    for i in range(a.shape[0]):
        s += a[i]
        out[i] = s
    return out


@njit(parallel=True)
def blocked_scan(a, nblocks):
    n = len(a)
    size = (n + nblocks - 1) // nblocks
    sums = np.zeros(nblocks, np.int64)
    out = np.empty(n, np.int64)
    for b in prange(nblocks):
        lo = b * size
        s = 0
        for i in range(lo, min(lo + size, n)):
            s += a[i]
            out[i] = s
        sums[b] = s
    offsets = np.cumsum(sums) - sums
    for i in prange(n):
        out[i] += offsets[i // size]
    return out


@njit
def averages(x, k):
    cum = np.empty(len(x))
    mov = np.empty(len(x) - k + 1)
    s = 0.0
    w = 0.0
    for i in range(len(x)):
        s += x[i]
        cum[i] = s / (i + 1)
        w += x[i]
        if i >= k:
            w -= x[i - k]
        if i >= k - 1:
            mov[i - k + 1] = w / k
    return cum, mov


a = (np.arange(40) * 17) % 23 - 11
p = prefix_sum(a)
print(p)
print(np.all(p == blocked_scan(a, 6)), p[-1], np.cumsum(a)[-1])
cum, mov = averages(np.sqrt(np.arange(12.0)), 4)
print(cum)
print(mov)
print(f"final cumulative average = {cum[-1]:.10f}")
