# What distributions.par means (Note [Streams in prange]).
import numpy as np


def key():
    w = np.random.randint(0, 2**32, size=2, dtype=np.uint32)
    return int(w[0]), int(w[1])


np.random.seed(2024)
out = np.zeros((6, 7))
w0, w1 = key()
for k in range(6):
    g = np.random.default_rng([w0, w1, k])
    out[k, 0] = g.random()
    out[k, 1] = g.standard_normal()
    out[k, 2] = g.integers(0, 100)
    out[k, 3] = g.standard_normal()
    out[k, 4] = g.normal(0.0, 2.0)
    out[k, 5:7] = g.uniform(-1.0, 1.0, 2)
print(out)
sums = np.zeros(4)
w0, w1 = key()
for k, j in enumerate(range(10, 30, 5)):
    g = np.random.default_rng([w0, w1, k])
    sums[(j - 10) // 5] = np.sum(g.random(3)) + g.integers(0, 5, size=2)[1]
print(sums)
