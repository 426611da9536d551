# What objects.par means (Note [Streams in prange]).
import numpy as np

rng = np.random.default_rng(5)
w = rng.integers(0, 2**32, size=2, dtype=np.uint32)
w0, w1 = int(w[0]), int(w[1])
out = np.zeros((4, 5))
for k in range(4):
    g = np.random.default_rng([w0, w1, k])
    out[k, 0] = g.random()
    out[k, 1] = g.integers(0, 1000)
    out[k, 2] = g.poisson(10.0)
    out[k, 3:5] = g.uniform(0.0, 1.0, 2)
print(out)
print(rng.random())
rs = np.random.RandomState(9)
w = rs.randint(0, 2**32, size=2, dtype=np.uint32)
w0, w1 = int(w[0]), int(w[1])
hits = np.zeros(6, dtype=np.int64)
for k in range(6):
    g = np.random.default_rng([w0, w1, k])
    hits[k] = g.binomial(100, 0.3) + g.integers(0, 10)
print(hits, rs.randint(0, 1000))
