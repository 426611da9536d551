/* Shared by the C + OpenMP kernels of the parallel benchmark (bench/run.js): the shortest decimal
 * that reads back as the same double, as Python and Par print floats. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void print_double(const char *label, double x) {
  char buf[40];
  for (int prec = 1; prec <= 17; prec++) {
    snprintf(buf, sizeof buf, "%.*g", prec, x);
    if (strtod(buf, NULL) == x) break;
  }
  printf("%s%s\n", label, buf);
}
