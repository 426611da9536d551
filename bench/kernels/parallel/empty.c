/* Parallel benchmark kernel, C + OpenMP twin of empty.par: the cost of a parallel region. count
 * times an empty `omp parallel for` over 2 iterations, each timed on its own with omp_get_wtime;
 * reports the median round trip (found by bisection, as Par does: Par has no sort) and the mean.
 * Usage: empty [count]. Prints "checksum: <count>" and "time: <median seconds per region>". */
#include <omp.h>
#include <stdint.h>
#include "../common.h"

int main(int argc, char **argv) {
  int64_t count = 20000;
  if (argc == 2) count = atoll(argv[1]);
  double *rt = malloc((size_t)count * sizeof *rt);
  if (!rt) return 1;

  double t0 = omp_get_wtime();
  double prev = t0;
  for (int64_t r = 0; r < count; r++) {
#pragma omp parallel for
    for (int64_t i = 0; i < 2; i++) {
      __asm__ volatile("" ::: "memory"); /* an empty body the compiler cannot drop */
    }
    double now = omp_get_wtime();
    rt[r] = now - prev;
    prev = now;
  }
  double t1 = omp_get_wtime();

  /* Median by bisection on the value: the smallest v with at least half the round trips <= v. */
  double lo = rt[0], hi = rt[0];
  for (int64_t r = 1; r < count; r++) {
    if (rt[r] < lo) lo = rt[r];
    if (rt[r] > hi) hi = rt[r];
  }
  for (int it = 0; it < 60; it++) {
    double mid = 0.5 * (lo + hi);
    int64_t below = 0;
    for (int64_t r = 0; r < count; r++) below += rt[r] <= mid;
    if (2 * below >= count) hi = mid; else lo = mid;
  }
  printf("checksum: %lld\n", (long long)count);
  printf("mean: %.9f\n", (t1 - t0) / (double)count);
  printf("time: %.9f\n", hi);
  free(rt);
  return 0;
}
