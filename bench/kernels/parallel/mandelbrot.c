/* Parallel benchmark kernel, C + OpenMP twin of mandelbrot.par: escape-time Mandelbrot over
 * [-2.0, 0.6] x [0, 1.3], one parallel loop over the rows. The region is the upper half of the
 * plane, so the rows near the real axis (the first ones) hold most of the set and most of the work:
 * an even block split of the rows is badly imbalanced. Build with -DSCHED=static or -DSCHED=dynamic
 * for schedule(SCHED); without it the loop has no schedule clause (libgomp's default, static).
 * Usage: mandelbrot [w h maxiter]. Prints "checksum: <sum of iteration counts>" and
 * "time: <seconds>" for the parallel loop alone (omp_get_wtime). */
#include <omp.h>
#include <stdint.h>
#include "../common.h"

int main(int argc, char **argv) {
  int64_t w = 1200, h = 900, maxiter = 1000;
  if (argc == 4) {
    w = atoll(argv[1]);
    h = atoll(argv[2]);
    maxiter = atoll(argv[3]);
  }
  int64_t *img = calloc((size_t)(w * h), sizeof *img);
  if (!img) return 1;
  double dx = 2.6 / (double)w;
  double dy = 1.3 / (double)h;

  double t0 = omp_get_wtime();
#ifdef SCHED
#pragma omp parallel for schedule(SCHED)
#else
#pragma omp parallel for
#endif
  for (int64_t y = 0; y < h; y++) {
    double ci = (double)y * dy;
    for (int64_t x = 0; x < w; x++)
      img[y * w + x] = escape(-2.0 + (double)x * dx, ci, maxiter);
  }
  double t1 = omp_get_wtime();

  int64_t total = 0;
  for (int64_t i = 0; i < w * h; i++) total += img[i];
  printf("checksum: %lld\n", (long long)total);
  printf("time: %.6f\n", t1 - t0);
  free(img);
  return 0;
}
