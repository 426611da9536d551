/* Benchmark kernel, C reference for bench/run.js: the Benchmarks Game 5-body simulation exactly as
 * nbody.par and nbody.js compute it (same arrays, loops and operation order, so bit-identical
 * energies). Usage: nbody [steps]. Prints "checksum: <energy after the steps>" and
 * "time: <seconds>" for the stepping loop alone. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "common.h"

#define NB 5
static const double PI = 3.141592653589793;
static const double DAYS_PER_YEAR = 365.24;


static double energy(double pos[NB][3], double vel[NB][3], const double *mass) {
  double e = 0.0;
  for (int i = 0; i < NB; i++) {
    e += 0.5 * mass[i] * (vel[i][0] * vel[i][0] + vel[i][1] * vel[i][1] + vel[i][2] * vel[i][2]);
    for (int j = i + 1; j < NB; j++) {
      double dx = pos[i][0] - pos[j][0];
      double dy = pos[i][1] - pos[j][1];
      double dz = pos[i][2] - pos[j][2];
      e -= mass[i] * mass[j] / sqrt(dx * dx + dy * dy + dz * dz);
    }
  }
  return e;
}

static void advance(double pos[NB][3], double vel[NB][3], const double *mass, long steps, double dt) {
  for (long s = 0; s < steps; s++) {
    for (int i = 0; i < NB; i++) {
      for (int j = i + 1; j < NB; j++) {
        double dx = pos[i][0] - pos[j][0];
        double dy = pos[i][1] - pos[j][1];
        double dz = pos[i][2] - pos[j][2];
        double d2 = dx * dx + dy * dy + dz * dz;
        double mag = dt / (d2 * sqrt(d2));
        double mj = mass[j] * mag;
        vel[i][0] -= dx * mj;
        vel[i][1] -= dy * mj;
        vel[i][2] -= dz * mj;
        double mi = mass[i] * mag;
        vel[j][0] += dx * mi;
        vel[j][1] += dy * mi;
        vel[j][2] += dz * mi;
      }
    }
    for (int i = 0; i < NB; i++) {
      pos[i][0] += dt * vel[i][0];
      pos[i][1] += dt * vel[i][1];
      pos[i][2] += dt * vel[i][2];
    }
  }
}

int main(int argc, char **argv) {
  long steps = 10000000;
  if (argc == 2) steps = atol(argv[1]);
  const double SOLAR_MASS = 4.0 * PI * PI;
  /* Sun, Jupiter, Saturn, Uranus, Neptune. */
  double pos[NB][3] = {
    {0.0, 0.0, 0.0},
    {4.84143144246472090e+00, -1.16032004402742839e+00, -1.03622044471123109e-01},
    {8.34336671824457987e+00, 4.12479856412430479e+00, -4.03523417114321381e-01},
    {1.28943695621391310e+01, -1.51111514016986312e+01, -2.23307578892655734e-01},
    {1.53796971148509165e+01, -2.59193146099879641e+01, 1.79258772950371181e-01}};
  double vel[NB][3] = {
    {0.0, 0.0, 0.0},
    {1.66007664274403694e-03, 7.69901118419740425e-03, -6.90460016972063023e-05},
    {-2.76742510726862411e-03, 4.99852801234917238e-03, 2.30417297573763929e-05},
    {2.96460137564761618e-03, 2.37847173959480950e-03, -2.96589568540237556e-05},
    {2.68067772490389322e-03, 1.62824170038242295e-03, -9.51592254519715870e-05}};
  double mass[NB] = {1.0, 9.54791938424326609e-04, 2.85885980666130812e-04,
                     4.36624404335156298e-05, 5.15138902046611451e-05};
  for (int i = 0; i < NB; i++) {
    mass[i] = mass[i] * SOLAR_MASS;
    for (int k = 0; k < 3; k++) vel[i][k] = vel[i][k] * DAYS_PER_YEAR;
  }
  /* Offset momentum: the sun balances the planets. */
  double px = 0.0, py = 0.0, pz = 0.0;
  for (int i = 0; i < NB; i++) {
    px += vel[i][0] * mass[i];
    py += vel[i][1] * mass[i];
    pz += vel[i][2] * mass[i];
  }
  vel[0][0] = -px / SOLAR_MASS;
  vel[0][1] = -py / SOLAR_MASS;
  vel[0][2] = -pz / SOLAR_MASS;

  print_double("energy before: ", energy(pos, vel, mass));
  double t0 = wtime();
  advance(pos, vel, mass, steps, 0.01);
  double t1 = wtime();
  print_double("checksum: ", energy(pos, vel, mass));
  printf("time: %.6f\n", t1 - t0);
  return 0;
}
