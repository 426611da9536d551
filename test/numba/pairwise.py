# Pairwise Euclidean distances between the rows of X (a helper taking two row views), then a count
# of close pairs and the nearest distance through prange reductions (+= and min).
import numpy as np
from numba import njit, prange


@njit
def dist(a, b):
    s = 0.0
    for k in range(a.shape[0]):
        d = a[k] - b[k]
        s += d * d
    return np.sqrt(s)


@njit(parallel=True)
def pairwise(X):
    n = X.shape[0]
    D = np.empty((n, n), dtype=np.float64)
    for i in prange(n):
        for j in range(n):
            D[i, j] = dist(X[i], X[j])
    return D


@njit(parallel=True)
def close_pairs(D, r):
    count = 0
    nearest = np.inf
    for i in prange(D.shape[0]):
        for j in range(i + 1, D.shape[1]):
            if D[i, j] < r:
                count += 1
            nearest = min(nearest, D[i, j])
    return count, nearest


n = 7
X = np.empty((n, 3))
for i in range(n):
    for k in range(3):
        X[i, k] = ((i * 7 + k * 3) % 11) / 11.0
D = pairwise(X)
print(D)
count, nearest = close_pairs(D, 0.8)
print(count, nearest)
print(f"symmetric: {np.all(D == D.T)}, diagonal zero: {np.all(np.diag(D) == 0.0)}")
