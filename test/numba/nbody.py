# N-body accelerations with softening (each body sums over the others in a fixed order, so every
# element is exact), a kick-drift integrator and the potential energy as a float reduction.
import numpy as np
from numba import njit, prange


@njit(parallel=True)
def accelerations(pos, mass, eps2):
    n = pos.shape[0]
    acc = np.zeros((n, 3), dtype=np.float64)
    for i in prange(n):
        ax = 0.0
        ay = 0.0
        az = 0.0
        for j in range(n):
            if j != i:
                dx = pos[j, 0] - pos[i, 0]
                dy = pos[j, 1] - pos[i, 1]
                dz = pos[j, 2] - pos[i, 2]
                r2 = dx * dx + dy * dy + dz * dz + eps2
                inv = mass[j] / (r2 * np.sqrt(r2))
                ax += dx * inv
                ay += dy * inv
                az += dz * inv
        acc[i, 0] = ax
        acc[i, 1] = ay
        acc[i, 2] = az
    return acc


@njit(parallel=True)
def potential(pos, mass, eps2):
    n = pos.shape[0]
    e = 0.0
    for i in prange(n):
        for j in range(i + 1, n):
            dx = pos[j, 0] - pos[i, 0]
            dy = pos[j, 1] - pos[i, 1]
            dz = pos[j, 2] - pos[i, 2]
            e -= mass[i] * mass[j] / np.sqrt(dx * dx + dy * dy + dz * dz + eps2)
    return e


n = 12
t = np.arange(n * 3, dtype=np.float64).reshape((n, 3))
pos = np.cos(t * 1.3) * 2.0
vel = np.zeros((n, 3))
mass = 1.0 + (np.arange(n) % 3) * 0.5
eps2 = 0.01
dt = 0.005
e0 = 0.5 * np.sum(mass * np.sum(vel ** 2, axis=1)) + potential(pos, mass, eps2)
for step in range(20):
    vel += dt * accelerations(pos, mass, eps2)
    pos += dt * vel
e1 = 0.5 * np.sum(mass * np.sum(vel ** 2, axis=1)) + potential(pos, mass, eps2)
print(pos[:4])
print(accelerations(pos, mass, eps2)[0])
print(f"energy = {e0:.8f} -> {e1:.8f}")
