/* Shared by the C benchmark kernels (bench/run.js): printing a double as the shortest decimal that
 * reads back the same (as Python and Par print floats), and the escape-time Mandelbrot iteration. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <time.h>

static void print_double(const char *label, double x) {
  char buf[40];
  for (int prec = 1; prec <= 17; prec++) {
    snprintf(buf, sizeof buf, "%.*g", prec, x);
    if (strtod(buf, NULL) == x) break;
  }
  printf("%s%s\n", label, buf);
}

/* Wall-clock seconds (the serial kernels; the OpenMP ones use omp_get_wtime). */
static inline double wtime(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static inline int64_t escape(double cr, double ci, int64_t maxiter) {
  double zr = 0.0, zi = 0.0;
  int64_t k = 0;
  while (k < maxiter) {
    double zr2 = zr * zr;
    double zi2 = zi * zi;
    if (zr2 + zi2 > 4.0) break;
    zi = 2.0 * zr * zi + ci;
    zr = zr2 - zi2 + cr;
    k += 1;
  }
  return k;
}
