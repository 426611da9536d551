# Histogram without atomics: the data come from a serial @njit LCG, then each prange iteration owns
# one bin and counts the samples that fall in it; a second kernel checks the bins by a reduction.
import numpy as np
from numba import njit, prange


@njit
def make_data(n, seed):
    out = np.empty(n, dtype=np.float64)
    s = seed
    for i in range(n):
        s = (1103515245 * s + 12345) % 2147483648
        out[i] = s / 2147483648.0
    return out


@njit(parallel=True)
def histogram(x, nbins, lo, hi):
    counts = np.zeros(nbins, np.int64)
    width = (hi - lo) / nbins
    for b in prange(nbins):
        c = 0
        for i in range(x.shape[0]):
            k = int((x[i] - lo) / width)
            if k == nbins:
                k = nbins - 1
            if k == b:
                c += 1
        counts[b] = c
    return counts


@njit(parallel=True)
def weighted_total(counts):
    t = 0
    for b in prange(counts.shape[0]):
        t += b * counts[b]
    return t


data = make_data(5000, 2024)
x = data * data
counts = histogram(x, 16, 0.0, 1.0)
print(counts)
print(counts.sum(), weighted_total(counts))
mode = np.argmax(counts)
print(f"mode bin = {mode}, holding {counts[mode]} samples, mean = {x.mean():.10f}")
