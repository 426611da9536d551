# Great-circle (haversine) distances between pairs of points given in degrees, with np.radians,
# np.sin/np.cos/np.arcsin/np.sqrt on scalars inside the kernel and a float reduction for the total.
import numpy as np
from numba import njit, prange

EARTH_RADIUS = 6371.0


@njit(parallel=True)
def arc_distance(lat1, lon1, lat2, lon2):
    n = lat1.shape[0]
    d = np.empty(n)
    for i in prange(n):
        p1 = np.radians(lat1[i])
        p2 = np.radians(lat2[i])
        dp = p2 - p1
        dl = np.radians(lon2[i] - lon1[i])
        a = np.sin(dp / 2.0) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2.0) ** 2
        d[i] = 2.0 * EARTH_RADIUS * np.arcsin(np.sqrt(a))
    return d


@njit(parallel=True)
def total_and_longest(d):
    total = 0.0
    longest = 0.0
    for i in prange(d.shape[0]):
        total += d[i]
        longest = max(longest, d[i])
    return total, longest


lat1 = np.linspace(-60.0, 60.0, 7)
lon1 = np.linspace(-150.0, 150.0, 7)
lat2 = lat1[::-1] * 0.5
lon2 = lon1 + 20.0
d = arc_distance(lat1, lon1, lat2, lon2)
for i in range(d.shape[0]):
    print(f"{i}: ({lat1[i]:6.1f}, {lon1[i]:7.1f}) -> ({lat2[i]:6.1f}, {lon2[i]:7.1f}) = {d[i]:9.3f} km")
total, longest = total_and_longest(d)
print(f"total = {total:.3f} km, longest = {longest:.3f} km")
