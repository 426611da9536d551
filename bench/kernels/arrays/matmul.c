/* Array benchmark kernel, the naive C twin of matmul.par: c = a @ b for n x n float64 matrices,
 * reps times, as the textbook i-j-k triple loop (a dot product of a row of a and a column of b per
 * element) with the rows shared by OpenMP: no blocking, no packing, no transposition. Built with
 * -DIKJ it is the i-k-j order instead (rows of b, vectorized by gcc), the usual first optimization.
 * Usage: matmul [n reps].
 * Prints "checksum: <sum of the last product>" and "time: <seconds>" for the products alone. */
#include <omp.h>
#include "../common.h"

int main(int argc, char **argv) {
  int64_t n = 512, reps = 4;
  if (argc == 3) {
    n = atoll(argv[1]);
    reps = atoll(argv[2]);
  }
  double *a = malloc((size_t)(n * n) * sizeof *a), *b = malloc((size_t)(n * n) * sizeof *b);
  double *c = malloc((size_t)(n * n) * sizeof *c);
  if (!a || !b || !c) return 1;
  for (int64_t i = 0; i < n * n; i++) {
    a[i] = (double)(i % 7) * 0.5 - 1.5;
    b[i] = (double)(i % 5) * 0.25 - 0.5;
  }
  double t0 = omp_get_wtime();
  for (int64_t r = 0; r < reps; r++) {
#pragma omp parallel for
    for (int64_t i = 0; i < n; i++) {
#ifdef IKJ
      double *ci = c + i * n;
      for (int64_t j = 0; j < n; j++) ci[j] = 0.0;
      for (int64_t k = 0; k < n; k++) {
        double aik = a[i * n + k];
        const double *bk = b + k * n;
        for (int64_t j = 0; j < n; j++) ci[j] += aik * bk[j];
      }
#else
      for (int64_t j = 0; j < n; j++) {
        double s = 0.0;
        for (int64_t k = 0; k < n; k++) s += a[i * n + k] * b[k * n + j];
        c[i * n + j] = s;
      }
#endif
    }
  }
  double t1 = omp_get_wtime();
  double s = 0.0;
  for (int64_t i = 0; i < n * n; i++) s += c[i];
  print_double("checksum: ", s);
  printf("time: %.6f\n", t1 - t0);
  return 0;
}
