/* Parallel benchmark kernel, C + OpenMP twin of histogram.par: n keys from a multiplicative hash of
 * the index counted into nbins bins with an atomic increment per key (omp atomic; atomic_add in
 * Par). Usage: histogram [n nbins]. Prints "checksum: <sum of (bin + 1) * count>" and
 * "time: <seconds>". */
#include <omp.h>
#include <stdint.h>
#include "../common.h"

int main(int argc, char **argv) {
  int64_t n = 80000000, nbins = 256;
  if (argc == 3) {
    n = atoll(argv[1]);
    nbins = atoll(argv[2]);
  }
  int64_t *h = calloc((size_t)nbins, sizeof *h);
  if (!h) return 1;

  double t0 = omp_get_wtime();
#pragma omp parallel for
  for (int64_t i = 0; i < n; i++) {
    int64_t k = ((i * 2654435761LL) >> 16) % nbins;
#pragma omp atomic
    h[k] += 1;
  }
  double t1 = omp_get_wtime();

  int64_t check = 0;
  for (int64_t k = 0; k < nbins; k++) check += (k + 1) * h[k];
  printf("checksum: %lld\n", (long long)check);
  printf("time: %.6f\n", t1 - t0);
  free(h);
  return 0;
}
