# What montecarlo.par means (Note [Streams in prange]): iteration k draws from default_rng([w0, w1, k]).
import numpy as np


def estimate_pi(n):
    w = np.random.randint(0, 2**32, size=2, dtype=np.uint32)
    hits = 0
    for k in range(n):
        g = np.random.default_rng([int(w[0]), int(w[1]), k])
        x = g.random()
        y = g.random()
        if x * x + y * y < 1.0:
            hits += 1
    return 4.0 * hits / n


np.random.seed(7)
print(estimate_pi(20000))
print(estimate_pi(20000))
print(np.random.random())
