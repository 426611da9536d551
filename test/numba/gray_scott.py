# Gray-Scott reaction-diffusion on a periodic grid: neighbours by Python-style modulo indexing,
# two double buffers, every cell updated by a prange over rows.
import numpy as np
from numba import njit, prange


@njit(parallel=True)
def step(U, V, U2, V2, Du, Dv, F, k, dt):
    n, m = U.shape
    for i in prange(n):
        for j in range(m):
            u = U[i, j]
            v = V[i, j]
            lu = U[(i - 1) % n, j] + U[(i + 1) % n, j] + U[i, (j - 1) % m] + U[i, (j + 1) % m] - 4.0 * u
            lv = V[(i - 1) % n, j] + V[(i + 1) % n, j] + V[i, (j - 1) % m] + V[i, (j + 1) % m] - 4.0 * v
            uvv = u * v * v
            U2[i, j] = u + dt * (Du * lu - uvv + F * (1.0 - u))
            V2[i, j] = v + dt * (Dv * lv + uvv - (F + k) * v)


n = 20
U = np.ones((n, n))
V = np.zeros((n, n))
U[8:12, 8:12] = 0.5
V[8:12, 8:12] = 0.25
U2 = np.empty_like(U)
V2 = np.empty_like(V)
for it in range(60):
    step(U, V, U2, V2, 0.16, 0.08, 0.035, 0.065, 1.0)
    U, U2 = U2, U
    V, V2 = V2, V
print(V[10, ::2])
print(U[::5, 10])
print(f"mean U = {U.mean():.10f}, mean V = {V.mean():.10f}")
print(f"max V = {V.max():.10f} at row {np.argmax(V) // n}")
