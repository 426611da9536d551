# An 8-bit grayscale image pipeline as Numba users write it: a uint8 image made with
# np.zeros((h, w), dtype=np.uint8), a histogram indexed by pixel values, a threshold into a uint8
# mask, a horizontal gradient through explicit int16 casts, and a uint32 checksum that wraps.
import numpy as np
from numba import njit, prange


@njit(parallel=True)
def make_image(h, w):
    img = np.zeros((h, w), dtype=np.uint8)
    for y in prange(h):
        for x in range(w):
            img[y, x] = (x * 7 + y * 13 + (x * y) % 17) % 256
    return img


@njit
def histogram(img):
    hist = np.zeros(256, dtype=np.int64)
    for y in range(img.shape[0]):
        for x in range(img.shape[1]):
            hist[img[y, x]] += 1
    return hist


@njit(parallel=True)
def threshold(img, t):
    out = np.empty_like(img)
    for y in prange(img.shape[0]):
        for x in range(img.shape[1]):
            out[y, x] = 255 if img[y, x] > t else 0
    return out


@njit(parallel=True)
def gradient(img):
    h, w = img.shape
    g = np.zeros((h, w), dtype=np.int16)
    for y in prange(h):
        for x in range(1, w - 1):
            g[y, x] = np.int16(img[y, x + 1]) - np.int16(img[y, x - 1])
    return g


@njit
def checksum(img):
    s = np.uint32(0)
    for y in range(img.shape[0]):
        for x in range(img.shape[1]):
            s = np.uint32(s * np.uint32(31) + np.uint32(img[y, x]))
    return s


img = make_image(48, 64)
print(img.dtype, img.shape, img[0, :10], img[47, -6:])
hist = histogram(img)
print(hist.sum(), hist.argmax(), hist[:12])
mask = threshold(img, 127)
print(mask.dtype, int(mask.sum()), mask[3, :12])
g = gradient(img)
print(g.dtype, g[5, :10], int(g.min()), int(g.max()), int(np.abs(g).sum()))
print(checksum(img), checksum(mask))
