# 2-d heat equation by Jacobi iteration until the largest change is small: @jit(nopython=True,
# parallel=True), shape unpacking, a max reduction over abs() and arrays swapped between sweeps.
import numpy as np
from numba import jit, prange


@jit(nopython=True, parallel=True)
def jacobi_step(u, v):
    h, w = u.shape
    diff = 0.0
    for i in prange(1, h - 1):
        for j in range(1, w - 1):
            v[i, j] = 0.25 * (u[i - 1, j] + u[i + 1, j] + u[i, j - 1] + u[i, j + 1])
            diff = max(diff, abs(v[i, j] - u[i, j]))
    return diff


n = 16
u = np.zeros((n, n), dtype=np.float64)
u[0, :] = 100.0
u[:, 0] = 50.0
u[n - 1, :] = 10.0
v = u.copy()
steps = 0
diff = 1.0
while diff > 1e-2 and steps < 1000:
    diff = jacobi_step(u, v)
    u, v = v, u
    steps += 1
print(steps)
print(f"last change = {diff:.6e}")
print(u[n // 2, ::3])
print(u[::4, n // 2])
print(f"mean temperature = {u.mean():.10g}")
