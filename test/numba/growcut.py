# GrowCut-style cellular segmentation: each cell is attacked by its 8 neighbours, weighted by how
# similar their intensities are; iterate until no label changes (an integer reduction counts them).
import numpy as np
from numba import njit, prange


@njit(parallel=True)
def growcut_step(image, lab, strength, lab2, strength2):
    h, w = image.shape
    changes = 0
    for i in prange(h):
        for j in range(w):
            l = lab[i, j]
            s = strength[i, j]
            for di in range(-1, 2):
                for dj in range(-1, 2):
                    ii = i + di
                    jj = j + dj
                    if (di != 0 or dj != 0) and ii >= 0 and ii < h and jj >= 0 and jj < w:
                        attack = (1.0 - abs(image[i, j] - image[ii, jj])) * strength[ii, jj]
                        if attack > s:
                            s = attack
                            l = lab[ii, jj]
            if l != lab[i, j]:
                changes += 1
            lab2[i, j] = l
            strength2[i, j] = s
    return changes


h, w = 10, 14
yy = np.arange(h).reshape((h, 1)) * np.ones((1, w))
xx = np.ones((h, 1)) * np.arange(w).reshape((1, w))
image = np.where(xx + 0.5 * yy < 9.0, 0.2, 0.8) + 0.01 * ((xx * 3 + yy * 5) % 4)
lab = np.zeros((h, w), dtype=np.int64)
strength = np.zeros((h, w))
lab[2, 2] = 1
strength[2, 2] = 1.0
lab[7, 11] = 2
strength[7, 11] = 1.0
lab2 = lab.copy()
strength2 = strength.copy()
iterations = 0
changes = 1
while changes > 0:
    changes = growcut_step(image, lab, strength, lab2, strength2)
    lab, lab2 = lab2, lab
    strength, strength2 = strength2, strength
    iterations += 1
print(lab)
print(iterations, np.sum(lab == 1), np.sum(lab == 2))
print(f"strength sum = {strength.sum():.10f}")
