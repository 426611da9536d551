/* Array benchmark kernel, C + OpenMP twin of sum.par: reps sums of n float64 elements with an
 * OpenMP reduction (partials added in an unspecified order: agrees to rounding). Usage: sum [n reps].
 * Prints "checksum: <sum over the reps>" and "time: <seconds>" for the sums alone. */
#include <omp.h>
#include "../common.h"

int main(int argc, char **argv) {
  int64_t n = 10000000, reps = 40;
  if (argc == 3) {
    n = atoll(argv[1]);
    reps = atoll(argv[2]);
  }
  double *x = malloc((size_t)n * sizeof *x);
  if (!x) return 1;
#pragma omp parallel for
  for (int64_t i = 0; i < n; i++) x[i] = 1.0 / (1.0 + (double)(i % 1000));
  double total = 0.0;
  double t0 = omp_get_wtime();
  for (int64_t r = 0; r < reps; r++) {
    double s = 0.0;
#pragma omp parallel for reduction(+ : s)
    for (int64_t i = 0; i < n; i++) s += x[i];
    total += s;
  }
  double t1 = omp_get_wtime();
  print_double("checksum: ", total);
  printf("time: %.6f\n", t1 - t0);
  return 0;
}
