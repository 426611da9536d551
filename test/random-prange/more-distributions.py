# What more-distributions.par means (Note [Streams in prange]).
import numpy as np

np.random.seed(77)
w = np.random.randint(0, 2**32, size=2, dtype=np.uint32)
w0, w1 = int(w[0]), int(w[1])
counts = np.zeros((5, 4), dtype=np.int64)
vals = np.zeros((5, 4))
for k in range(5):
    g = np.random.default_rng([w0, w1, k])
    counts[k, 0] = g.poisson(3.0 + k)
    counts[k, 1] = g.binomial(40, 0.25)
    counts[k, 2] = g.geometric(0.2)
    counts[k, 3] = np.sum(g.poisson(np.array([1.0, 50.0])))
    vals[k, 0] = g.exponential(2.0)
    vals[k, 1] = g.gamma(2.5)
    vals[k, 2] = g.lognormal(0.1 * k, 0.5)
    vals[k, 3] = g.beta(2.0, 3.0)
print(counts)
print(np.round(vals, 8))
