# Monte Carlo estimate of pi with a hand-written Lehmer generator: one independent stream per prange
# iteration, hits counted by an integer reduction, so the result is exact for any thread count.
import numpy as np
from numba import njit, prange

MOD = 2147483647
MUL = 48271


@njit
def lcg(state):
    return (MUL * state) % MOD


@njit(parallel=True)
def count_hits(nstreams, steps):
    hits = 0
    for s in prange(nstreams):
        state = s * 7919 + 1
        for k in range(steps):
            state = lcg(state)
            x = state / MOD
            state = lcg(state)
            y = state / MOD
            if x * x + y * y <= 1.0:
                hits += 1
    return hits


nstreams = 64
steps = 2000
hits = count_hits(nstreams, steps)
total = nstreams * steps
pi_est = 4.0 * hits / total
print(hits, total)
print(pi_est)
print(f"pi ~ {pi_est:.6f}, error = {abs(pi_est - np.pi):.6f}")
