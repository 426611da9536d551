/* Parallel benchmark kernel, C + OpenMP twin of collatz.par: the longest Collatz chain of a start
 * value below n, schedule(dynamic) (chains have very uneven lengths) with a max reduction for the
 * longest chain and a sum reduction for the total number of steps.
 * Usage: collatz [n]. Prints "checksum: <longest chain>/<total steps>" and "time: <seconds>". */
#include <omp.h>
#include <stdint.h>
#include "../common.h"

int main(int argc, char **argv) {
  int64_t n = 3000000;
  if (argc == 2) n = atoll(argv[1]);
  int64_t best = 0, total = 0;

  double t0 = omp_get_wtime();
#pragma omp parallel for schedule(dynamic) reduction(max : best) reduction(+ : total)
  for (int64_t i = 1; i < n; i++) {
    int64_t x = i;
    int64_t steps = 0;
    while (x != 1) {
      if (x & 1)
        x = 3 * x + 1;
      else
        x = x >> 1;
      steps += 1;
    }
    best = best > steps ? best : steps;
    total += steps;
  }
  double t1 = omp_get_wtime();

  printf("checksum: %lld/%lld\n", (long long)best, (long long)total);
  printf("time: %.6f\n", t1 - t0);
  return 0;
}
