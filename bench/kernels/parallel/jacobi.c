/* Parallel benchmark kernel, C + OpenMP twin of jacobi.par: Jacobi sweeps of the 5-point Laplace
 * stencil on an n x n grid (top edge held at 1, other edges at 0), one parallel loop over the
 * interior rows per sweep, then the two grids swap. Every point is computed with the same operation
 * order as in Par, so the result is bit-identical.
 * Usage: jacobi [n sweeps]. Prints "checksum: <sum of the final grid, row by row>" and
 * "time: <seconds>" for the sweeps alone. */
#include <omp.h>
#include <stdint.h>
#include "../common.h"

int main(int argc, char **argv) {
  int64_t n = 1000, sweeps = 600;
  if (argc == 3) {
    n = atoll(argv[1]);
    sweeps = atoll(argv[2]);
  }
  double *a = calloc((size_t)(n * n), sizeof *a);
  double *b = calloc((size_t)(n * n), sizeof *b);
  if (!a || !b) return 1;
  for (int64_t j = 0; j < n; j++) a[j] = 1.0;
  memcpy(b, a, (size_t)(n * n) * sizeof *a);

  double t0 = omp_get_wtime();
  for (int64_t s = 0; s < sweeps; s++) {
#pragma omp parallel for
    for (int64_t i = 1; i < n - 1; i++)
      for (int64_t j = 1; j < n - 1; j++)
        b[i * n + j] = 0.25 * (a[(i - 1) * n + j] + a[(i + 1) * n + j] + a[i * n + j - 1] + a[i * n + j + 1]);
    double *t = a;
    a = b;
    b = t;
  }
  double t1 = omp_get_wtime();

  double total = 0.0;
  for (int64_t i = 0; i < n * n; i++) total += a[i];
  print_double("checksum: ", total);
  printf("time: %.6f\n", t1 - t0);
  free(a);
  free(b);
  return 0;
}
