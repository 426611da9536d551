/* Parallel benchmark kernel, C + OpenMP twin of sum.par: reps parallel sum reductions over an
 * n-element float64 array (memory-bound). OpenMP adds the per-thread partials in an unspecified
 * order, Par in a fixed block order: the totals agree to rounding, not to the last bit.
 * Usage: sum [n reps]. Prints "checksum: <sum over the reps>" and "time: <seconds>". */
#include <omp.h>
#include <stdint.h>
#include "../common.h"

int main(int argc, char **argv) {
  int64_t n = 4000000, reps = 200;
  if (argc == 3) {
    n = atoll(argv[1]);
    reps = atoll(argv[2]);
  }
  double *a = malloc((size_t)n * sizeof *a);
  if (!a) return 1;
  for (int64_t i = 0; i < n; i++) a[i] = 1.0 / (1.0 + (double)(i % 1000));

  double total = 0.0;
  double t0 = omp_get_wtime();
  for (int64_t r = 0; r < reps; r++) {
    double s = 0.0;
#pragma omp parallel for reduction(+ : s)
    for (int64_t i = 0; i < n; i++) s += a[i];
    total += s;
  }
  double t1 = omp_get_wtime();

  print_double("checksum: ", total);
  printf("time: %.6f\n", t1 - t0);
  free(a);
  return 0;
}
