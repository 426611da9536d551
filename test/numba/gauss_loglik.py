# Log-likelihood of a Gaussian over a grid of means: a serial @njit likelihood called from a prange
# over the grid, a parallel version with a float reduction, and the best mean by argmax.
import numpy as np
from numba import njit, prange


@njit
def loglik(x, mu, sigma):
    s = 0.0
    for i in range(x.shape[0]):
        z = (x[i] - mu) / sigma
        s += z * z
    n = x.shape[0]
    return -0.5 * s - n * np.log(sigma) - 0.5 * n * np.log(2.0 * np.pi)


@njit(parallel=True)
def loglik_par(x, mu, sigma):
    s = 0.0
    for i in prange(x.shape[0]):
        z = (x[i] - mu) / sigma
        s += z * z
    n = x.shape[0]
    return -0.5 * s - n * np.log(sigma) - 0.5 * n * np.log(2.0 * np.pi)


@njit(parallel=True)
def scan_means(x, grid, sigma):
    ll = np.empty(grid.shape[0])
    for k in prange(grid.shape[0]):
        ll[k] = loglik(x, grid[k], sigma)
    return ll


x = 1.5 + np.sin(np.arange(200) * 0.7) * 0.8
grid = np.linspace(0.0, 3.0, 13)
ll = scan_means(x, grid, 0.8)
print(ll)
best = np.argmax(ll)
print(f"best mu on the grid = {grid[best]:.2f}")
print(f"loglik at the mean = {loglik(x, x.mean(), 0.8):.8f}")
print(f"parallel loglik   = {loglik_par(x, x.mean(), 0.8):.8f}")
