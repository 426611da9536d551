# Mandelbrot escape counts: a serial @njit helper called from a prange over rows; the statistics of
# the image come from integer prange reductions (+= and max) in the same loop.
import numpy as np
from numba import njit, prange


@njit
def escape(cr, ci, maxiter):
    zr = 0.0
    zi = 0.0
    for k in range(maxiter):
        zr2 = zr * zr
        zi2 = zi * zi
        if zr2 + zi2 > 4.0:
            return k
        zi = 2.0 * zr * zi + ci
        zr = zr2 - zi2 + cr
    return maxiter


@njit(parallel=True)
def mandelbrot(h, w, maxiter):
    img = np.zeros((h, w), np.int64)
    inside = 0
    total = 0
    deepest = 0
    for y in prange(h):
        ci = -1.2 + 2.4 * y / (h - 1)
        for x in range(w):
            cr = -2.1 + 3.0 * x / (w - 1)
            v = escape(cr, ci, maxiter)
            img[y, x] = v
            total += v
            if v == maxiter:
                inside += 1
            else:
                deepest = max(deepest, v)
    return img, inside, total, deepest


H, W, MAXITER = 36, 64, 60
img, inside, total, deepest = mandelbrot(H, W, MAXITER)
print(img[::6, ::8])
print(inside, total, deepest)
print(f"inside fraction = {inside / img.size:.6f}, mean escape = {total / img.size:.4f}")
