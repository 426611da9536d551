/* Array benchmark kernel, C + OpenMP twin of triad.par: y = a * x + y over n float64 elements,
 * reps times, one parallel loop per rep. Usage: triad [n reps].
 * Prints "checksum: <sum of y>" and "time: <seconds>" for the reps. */
#include <omp.h>
#include "../common.h"

int main(int argc, char **argv) {
  int64_t n = 10000000, reps = 20;
  if (argc == 3) {
    n = atoll(argv[1]);
    reps = atoll(argv[2]);
  }
  double *x = malloc((size_t)n * sizeof *x), *y = malloc((size_t)n * sizeof *y);
  if (!x || !y) return 1;
#pragma omp parallel for
  for (int64_t i = 0; i < n; i++) {
    x[i] = 1.0 + (double)(i % 10) * 0.125;
    y[i] = 0.0;
  }
  const double a = 0.5;
  double t0 = omp_get_wtime();
  for (int64_t r = 0; r < reps; r++) {
#pragma omp parallel for
    for (int64_t i = 0; i < n; i++) y[i] = a * x[i] + y[i];
  }
  double t1 = omp_get_wtime();
  double s = 0.0;
  for (int64_t i = 0; i < n; i++) s += y[i];
  print_double("checksum: ", s);
  printf("time: %.6f\n", t1 - t0);
  return 0;
}
