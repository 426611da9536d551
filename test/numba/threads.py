# The threading API: get_num_threads/set_num_threads at the top level, get_thread_id inside a prange
# (the ids are checked, not printed), and results that do not depend on the team size.
import numpy as np
import numba
from numba import njit, prange, get_num_threads, set_num_threads, get_thread_id


@njit(parallel=True)
def owners(n):
    tid = np.empty(n, np.int64)
    for i in prange(n):
        tid[i] = get_thread_id()
    return tid


@njit(parallel=True)
def sum_squares(n):
    s = 0
    for i in prange(n):
        s += i * i
    return s


@njit
def team_size():
    return get_num_threads()


nt = get_num_threads()
set_num_threads(nt)
print(nt >= 1, team_size() == nt)
tid = owners(1000)
print(tid.min() >= 0, tid.max() < nt)
for n in [10, 1000, 100000]:
    print(n, sum_squares(n), (n - 1) * n * (2 * n - 1) // 6)
set_num_threads(1)
print(get_num_threads(), sum_squares(1000))
set_num_threads(nt)
print(get_num_threads() == nt, numba.get_num_threads() == nt)
