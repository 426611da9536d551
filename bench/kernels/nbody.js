// Benchmark kernel, plain JavaScript for bench/run.js: the Benchmarks Game 5-body simulation exactly
// as nbody.par and nbody.c compute it (flat Float64Arrays indexed [i*3+k], same loops and operation
// order, so bit-identical energies). Usage: node nbody.js [steps]. Prints
// "checksum: <energy after the steps>" and "time: <seconds>" for the stepping loop alone.
import { performance } from 'node:perf_hooks';

const NB = 5;
const PI = 3.141592653589793;
const SOLAR_MASS = 4.0 * PI * PI;
const DAYS_PER_YEAR = 365.24;

function energy(pos, vel, mass) {
  let e = 0.0;
  for (let i = 0; i < NB; i++) {
    e += 0.5 * mass[i] * (vel[i * 3] * vel[i * 3] + vel[i * 3 + 1] * vel[i * 3 + 1] + vel[i * 3 + 2] * vel[i * 3 + 2]);
    for (let j = i + 1; j < NB; j++) {
      const dx = pos[i * 3] - pos[j * 3];
      const dy = pos[i * 3 + 1] - pos[j * 3 + 1];
      const dz = pos[i * 3 + 2] - pos[j * 3 + 2];
      e -= mass[i] * mass[j] / Math.sqrt(dx * dx + dy * dy + dz * dz);
    }
  }
  return e;
}

function advance(pos, vel, mass, steps, dt) {
  for (let s = 0; s < steps; s++) {
    for (let i = 0; i < NB; i++) {
      for (let j = i + 1; j < NB; j++) {
        const dx = pos[i * 3] - pos[j * 3];
        const dy = pos[i * 3 + 1] - pos[j * 3 + 1];
        const dz = pos[i * 3 + 2] - pos[j * 3 + 2];
        const d2 = dx * dx + dy * dy + dz * dz;
        const mag = dt / (d2 * Math.sqrt(d2));
        const mj = mass[j] * mag;
        vel[i * 3] -= dx * mj;
        vel[i * 3 + 1] -= dy * mj;
        vel[i * 3 + 2] -= dz * mj;
        const mi = mass[i] * mag;
        vel[j * 3] += dx * mi;
        vel[j * 3 + 1] += dy * mi;
        vel[j * 3 + 2] += dz * mi;
      }
    }
    for (let i = 0; i < NB; i++) {
      pos[i * 3] += dt * vel[i * 3];
      pos[i * 3 + 1] += dt * vel[i * 3 + 1];
      pos[i * 3 + 2] += dt * vel[i * 3 + 2];
    }
  }
}

const steps = process.argv.length > 2 ? Number(process.argv[2]) : 10000000;
// Sun, Jupiter, Saturn, Uranus, Neptune.
const pos = new Float64Array([
  0.0, 0.0, 0.0,
  4.84143144246472090e+00, -1.16032004402742839e+00, -1.03622044471123109e-01,
  8.34336671824457987e+00, 4.12479856412430479e+00, -4.03523417114321381e-01,
  1.28943695621391310e+01, -1.51111514016986312e+01, -2.23307578892655734e-01,
  1.53796971148509165e+01, -2.59193146099879641e+01, 1.79258772950371181e-01,
]);
const vel = new Float64Array([
  0.0, 0.0, 0.0,
  1.66007664274403694e-03, 7.69901118419740425e-03, -6.90460016972063023e-05,
  -2.76742510726862411e-03, 4.99852801234917238e-03, 2.30417297573763929e-05,
  2.96460137564761618e-03, 2.37847173959480950e-03, -2.96589568540237556e-05,
  2.68067772490389322e-03, 1.62824170038242295e-03, -9.51592254519715870e-05,
]);
const mass = new Float64Array([
  1.0, 9.54791938424326609e-04, 2.85885980666130812e-04, 4.36624404335156298e-05, 5.15138902046611451e-05,
]);
for (let i = 0; i < NB; i++) {
  mass[i] = mass[i] * SOLAR_MASS;
  for (let k = 0; k < 3; k++) vel[i * 3 + k] = vel[i * 3 + k] * DAYS_PER_YEAR;
}
// Offset momentum: the sun balances the planets.
let px = 0.0;
let py = 0.0;
let pz = 0.0;
for (let i = 0; i < NB; i++) {
  px += vel[i * 3] * mass[i];
  py += vel[i * 3 + 1] * mass[i];
  pz += vel[i * 3 + 2] * mass[i];
}
vel[0] = -px / SOLAR_MASS;
vel[1] = -py / SOLAR_MASS;
vel[2] = -pz / SOLAR_MASS;

console.log(`energy before: ${energy(pos, vel, mass)}`);
const t0 = performance.now();
advance(pos, vel, mass, steps, 0.01);
const t1 = performance.now();
console.log(`checksum: ${energy(pos, vel, mass)}`);
console.log(`time: ${((t1 - t0) / 1000).toFixed(6)}`);
