# Sieve of Eratosthenes with a prange over the candidate primes (the marks are idempotent, so the
# result does not depend on the order), the primes gathered into a typed list inside @njit, and a
# module-level list of sizes.
import numpy as np
from numba import njit, prange


@njit(parallel=True)
def sieve(n):
    is_prime = np.ones(n + 1, dtype=np.bool_)
    is_prime[0] = False
    is_prime[1] = False
    r = int(np.sqrt(n)) + 1
    for p in prange(2, r):
        if is_prime[p]:
            for m in range(p * p, n + 1, p):
                is_prime[m] = False
    return is_prime


@njit
def collect(is_prime):
    out = []
    for i in range(is_prime.shape[0]):
        if is_prime[i]:
            out.append(i)
    return out


@njit(parallel=True)
def count_twins(is_prime):
    c = 0
    for i in prange(2, is_prime.shape[0] - 2):
        if is_prime[i] and is_prime[i + 2]:
            c += 1
    return c


flags = sieve(200)
primes = collect(flags)
print(primes[:12])
print(len(primes), primes[-1], count_twins(flags))
sizes = [10, 100, 1000, 10000]
counts = []
for n in sizes:
    counts.append(int(np.sum(sieve(n))))
print(counts)
for n, c in zip(sizes, counts):
    print(f"pi({n}) = {c}")
