/* Array benchmark kernel, C + OpenMP twin of blackscholes.par: Black-Scholes call and put prices of
 * n options in one parallel loop, reps times, with the same polynomial normal CDF. Usage:
 * blackscholes [n reps].
 * Prints "checksum: <sum of calls + sum of puts>" and "time: <seconds>" for the pricing alone. */
#include <math.h>
#include <omp.h>
#include "../common.h"

static inline double cnd(double d) {
  double q = 1.0 / (1.0 + 0.2316419 * fabs(d));
  double w = 1.0 - 0.3989422804014327 * exp(-0.5 * d * d) *
    (q * (0.31938153 + q * (-0.356563782 + q * (1.781477937 + q * (-1.821255978 + q * 1.330274429)))));
  return d < 0.0 ? 1.0 - w : w;
}

int main(int argc, char **argv) {
  int64_t n = 10000000, reps = 3;
  if (argc == 3) {
    n = atoll(argv[1]);
    reps = atoll(argv[2]);
  }
  double *s = malloc((size_t)n * sizeof *s), *k = malloc((size_t)n * sizeof *k), *t = malloc((size_t)n * sizeof *t);
  double *call = malloc((size_t)n * sizeof *call), *put = malloc((size_t)n * sizeof *put);
  if (!s || !k || !t || !call || !put) return 1;
  for (int64_t i = 0; i < n; i++) {
    s[i] = 80.0 + (double)(i % 41);
    k[i] = 100.0 + (double)(i % 7) * 2.5;
    t[i] = 0.25 + (double)(i % 8) * 0.25;
  }
  const double r = 0.02, v = 0.3;
  double t0 = omp_get_wtime();
  for (int64_t rep = 0; rep < reps; rep++)
#pragma omp parallel for
  for (int64_t i = 0; i < n; i++) {
    double sq = v * sqrt(t[i]);
    double d1 = (log(s[i] / k[i]) + (r + 0.5 * v * v) * t[i]) / sq;
    double d2 = d1 - sq;
    double disc = k[i] * exp(-r * t[i]);
    call[i] = s[i] * cnd(d1) - disc * cnd(d2);
    put[i] = disc * cnd(-d2) - s[i] * cnd(-d1);
  }
  double t1 = omp_get_wtime();
  double sc = 0.0, sp = 0.0;
  for (int64_t i = 0; i < n; i++) {
    sc += call[i];
    sp += put[i];
  }
  print_double("checksum: ", sc + sp);
  printf("time: %.6f\n", t1 - t0);
  return 0;
}
