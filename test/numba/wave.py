# 1-d wave equation, leapfrog in time: the update is a prange over the interior points, the discrete
# energy a float reduction; a main() function under `if __name__ == "__main__":` drives it.
import numpy as np
from numba import njit, prange


@njit(parallel=True)
def leapfrog(u_prev, u, u_next, c2):
    n = u.shape[0]
    for i in prange(1, n - 1):
        u_next[i] = 2.0 * u[i] - u_prev[i] + c2 * (u[i + 1] - 2.0 * u[i] + u[i - 1])
    u_next[0] = 0.0
    u_next[n - 1] = 0.0


@njit(parallel=True)
def energy(u_prev, u, c2):
    e = 0.0
    for i in prange(1, u.shape[0]):
        v = u[i] - u_prev[i]
        g = u[i] - u[i - 1]
        e += v * v + c2 * g * g
    return 0.5 * e


def main():
    n = 81
    x = np.linspace(0.0, 1.0, n)
    u0 = np.exp(-60.0 * (x - 0.5) ** 2)
    u0[0] = 0.0
    u0[n - 1] = 0.0
    c2 = 0.5
    u_prev = u0.copy()
    u = u0.copy()
    u_next = np.zeros(n)
    e_start = energy(u_prev, u, c2)
    for step in range(40):
        leapfrog(u_prev, u, u_next, c2)
        u_prev, u, u_next = u, u_next, u_prev
    print(u[::8])
    print(f"peak {u.max():.8f} at x = {x[np.argmax(u)]:.4f}, centre {u[n // 2]:.8f}")
    print(f"energy {e_start:.8f} -> {energy(u_prev, u, c2):.8f}")


if __name__ == "__main__":
    main()
