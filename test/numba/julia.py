# Julia set escape counts with the `import numba` style: numba.njit with every option spelled out,
# numba.prange, a while loop with a tuple assignment, an int32 image and a prange over levels.
import numpy as np
import numba


@numba.njit(parallel=True, fastmath=False, cache=False)
def julia(h, w, cr, ci, maxiter):
    out = np.empty((h, w), dtype=np.int32)
    for i in numba.prange(h):
        for j in range(w):
            zr = -1.5 + 3.0 * j / w
            zi = -1.0 + 2.0 * i / h
            n = 0
            while n < maxiter and zr * zr + zi * zi <= 4.0:
                zr, zi = zr * zr - zi * zi + cr, 2.0 * zr * zi + ci
                n += 1
            out[i, j] = n
    return out


@numba.njit(parallel=True, fastmath=False, cache=False)
def count_levels(img, nlev):
    counts = np.zeros(nlev, dtype=np.int64)
    for k in numba.prange(nlev):
        c = 0
        for i in range(img.shape[0]):
            for j in range(img.shape[1]):
                if img[i, j] == k:
                    c += 1
        counts[k] = c
    return counts


maxiter = 32
img = julia(40, 60, -0.8, 0.156, maxiter)
counts = count_levels(img, maxiter + 1)
print(img[::8, ::10])
print(counts)
print(counts.sum(), img.sum(), img.max())
print(f"never escaped: {counts[maxiter]} of {img.size}")
