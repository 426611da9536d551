# The Rosenbrock function and its gradient, each a prange over the coordinates, then a few steps of
# gradient descent driven from the module level.
import numpy as np
from numba import njit, prange


@njit(parallel=True)
def rosen(x):
    s = 0.0
    for i in prange(x.shape[0] - 1):
        s += 100.0 * (x[i + 1] - x[i] ** 2) ** 2 + (1.0 - x[i]) ** 2
    return s


@njit(parallel=True)
def rosen_grad(x):
    n = len(x)
    g = np.zeros_like(x)
    for i in prange(n):
        gi = 0.0
        if i > 0:
            gi += 200.0 * (x[i] - x[i - 1] ** 2)
        if i < n - 1:
            gi += -400.0 * x[i] * (x[i + 1] - x[i] ** 2) - 2.0 * (1.0 - x[i])
        g[i] = gi
    return g


x = np.linspace(-1.2, 1.2, 8)
print(f"f(x0) = {rosen(x):.10g}")
print(rosen_grad(x))
lr = 1e-4
for it in range(200):
    x = x - lr * rosen_grad(x)
print(x)
print(f"f(x200) = {rosen(x):.10g}")
print(rosen(np.ones(10)), rosen_grad(np.ones(5)))
