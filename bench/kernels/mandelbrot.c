/* Benchmark kernel, C reference for bench/run.js: the same escape-time Mandelbrot as
 * mandelbrot.par and mandelbrot.js (same region, sizes and operation order, so the same checksum).
 * Usage: mandelbrot [w h maxiter]. Prints "checksum: <sum of iteration counts>" and
 * "time: <seconds>" for the kernel alone. */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <time.h>
#include "common.h"

int main(int argc, char **argv) {
  int64_t w = 1600, h = 1200, maxiter = 1000;
  if (argc == 4) {
    w = atoll(argv[1]);
    h = atoll(argv[2]);
    maxiter = atoll(argv[3]);
  }
  int64_t *img = calloc((size_t)(w * h), sizeof *img);
  if (!img) return 1;
  double dx = 3.2 / (double)w;
  double dy = 2.4 / (double)h;

  double t0 = wtime();
  for (int64_t y = 0; y < h; y++) {
    double ci = -1.2 + (double)y * dy;
    for (int64_t x = 0; x < w; x++)
      img[y * w + x] = escape(-2.2 + (double)x * dx, ci, maxiter);
  }
  double t1 = wtime();

  int64_t total = 0;
  for (int64_t i = 0; i < w * h; i++) total += img[i];
  printf("checksum: %lld\n", (long long)total);
  printf("time: %.6f\n", t1 - t0);
  free(img);
  return 0;
}
