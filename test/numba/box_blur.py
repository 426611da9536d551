# 3x3 box filter on an integer image (floor division, exact) and on a float image with clamped
# edges; a weighted checksum through an integer prange reduction.
import numpy as np
from numba import njit, prange


@njit(parallel=True)
def blur_int(img):
    h, w = img.shape
    out = np.zeros_like(img)
    total = 0
    for y in prange(1, h - 1):
        for x in range(1, w - 1):
            s = 0
            for dy in range(-1, 2):
                for dx in range(-1, 2):
                    s += img[y + dy, x + dx]
            out[y, x] = s // 9
            total += (y + 1) * (s // 9)
    return out, total


@njit(parallel=True)
def blur_clamped(img):
    h, w = img.shape
    out = np.empty((h, w), dtype=np.float64)
    for y in prange(h):
        for x in range(w):
            s = 0.0
            for dy in range(-1, 2):
                for dx in range(-1, 2):
                    yy = min(max(y + dy, 0), h - 1)
                    xx = min(max(x + dx, 0), w - 1)
                    s += img[yy, xx]
            out[y, x] = s / 9.0
    return out


h, w = 9, 12
img = (np.arange(h * w).reshape((h, w)) * 37) % 256
bi, weighted = blur_int(img)
print(bi)
print(weighted, np.sum(bi * (np.arange(h) + 1)[:, None]))
bf = blur_clamped(img.astype(np.float64))
print(bf[:3])
print(f"float blur mean = {bf.mean():.10f}, corner = {bf[0, 0]:.6f}")
