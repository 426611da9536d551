# Matrix-vector products with hand-written loops (float, and int64 through a transposed view),
# checked against NumPy's @ with a tolerance.
import numpy as np
from numba import jit, prange


@jit(nopython=True, parallel=True)
def matvec(A, x):
    m, n = A.shape
    y = np.zeros(m)
    for i in prange(m):
        s = 0.0
        for j in range(n):
            s += A[i, j] * x[j]
        y[i] = s
    return y


@jit(nopython=True, parallel=True)
def matvec_int(A, x):
    m, n = A.shape
    y = np.zeros(m, dtype=np.int64)
    nonzero = 0
    for i in prange(m):
        s = 0
        for j in range(n):
            s += A[i, j] * x[j]
        y[i] = s
        if s != 0:
            nonzero += 1
    return y, nonzero


m, n = 7, 5
A = np.arange(m * n, dtype=np.float64).reshape((m, n)) / 10.0 - 1.0
x = np.linspace(-1.0, 1.0, n)
y = matvec(A, x)
print(y)
print(np.abs(y - A @ x).max() < 1e-12)
z = matvec(A, np.cos(np.arange(n) * 0.5))
print(z)
Ai = (np.arange(m * n).reshape((m, n)) * 13) % 7 - 3
yi, nz = matvec_int(Ai.T, np.arange(m) - 3)
print(yi, nz)
print(np.all(yi == Ai.T @ (np.arange(m) - 3)))
print(f"|A c| = {np.sqrt(np.dot(z, z)):.10g}")
