#!/usr/bin/env node
// Browser benchmarks of the playground (`npm run bench:browser`), in headless Chromium against the
// built site served with COOP/COEP (playground/site.js):
//  - page load to first result: navigation to the first run's output (the mandelbrot example);
//  - mandelbrot (bench/kernels/parallel/mandelbrot.par, 1200 x 900, maxiter 1000) at 1 and 2 threads:
//    the kernel time the program prints (wtime() around its prange), median of the runs, also in
//    Node for reference;
//  - compile time per keystroke: the check worker's front-end time (parse + type check) while
//    typing into a program.
// Printed, never asserted: the numbers depend on the machine and what else it is running.
//
//   node bench/browser.js [--runs N] [--no-build] [--only load]
// (--only load: just the page-load table.)
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { buildSite, launchChromium, serveSite } from '../playground/site.js';
import { printTable } from './table.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' }, 'no-build': { type: 'boolean' }, only: { type: 'string' } } });
if (values.only !== undefined && values.only !== 'load') throw new Error(`--only takes 'load', got '${values.only}'`);
const runs = Number(values.runs);
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
const ms = (x) => `${x.toFixed(0)} ms`;
const kernel = readFileSync(new URL('./kernels/parallel/mandelbrot.par', import.meta.url), 'utf8');
const kernelTime = (out) => Number(/^time: (\S+)/m.exec(out)?.[1]);

if (!values['no-build']) await buildSite();
const site = await serveSite();
const browser = await launchChromium();
console.log(`Chromium ${browser.version()}, ${os.cpus().length} cores, load average ${os.loadavg()[0].toFixed(1)} at the start; ${runs} runs each, medians\n`);

async function openPage() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  const page = await context.newPage();
  return { context, page };
}
const waitReady = (page) => page.waitForFunction(() => !document.getElementById('run').disabled, null, { timeout: 120_000 });
async function run(page) {
  const before = await page.evaluate(() => window.par.runsDone);
  await page.click('#run');
  await page.waitForFunction((n) => window.par.runsDone > n, before, { timeout: 600_000 });
  return page.evaluate(() => ({ out: document.getElementById('output').textContent, r: window.par.lastResult }));
}

// ---- page load to first result ----
const load = [];
for (let i = 0; i < runs; i++) {
  const { context, page } = await openPage();
  const t0 = Date.now();
  await page.goto(site.url);
  await page.waitForSelector('#editor .view-lines');
  const editor = Date.now() - t0;
  await waitReady(page);
  const ready = Date.now() - t0;
  const { r } = await run(page);
  const startup = await page.evaluate(() => window.par.startup);
  const stages = r.stages ?? {};
  const front = (stages.parse ?? 0) + (stages.check ?? 0) + (stages.lower ?? 0) + (stages.parallelize ?? 0) + (stages.checks ?? 0) + (stages.verify ?? 0);
  load.push({ editor, ready, first: Date.now() - t0, compile: r.compileMs, front, emit: stages.emit ?? 0, run: r.runMs, ...startup });
  await context.close();
}
printTable(['page load (mandelbrot example)', 'median'], [
  ['editor shown', ms(median(load.map((x) => x.editor)))],
  ['compiler worker ready', ms(median(load.map((x) => x.ready)))],
  ['  in the worker: compiler loaded', ms(median(load.map((x) => x.compiler)))],
  ['  in the worker: Binaryen loaded', ms(median(load.map((x) => x.binaryen)))],
  ['first result (load + compile + run)', ms(median(load.map((x) => x.first)))],
  ['  of which compile (the first, Binaryen cold)', ms(median(load.map((x) => x.compile)))],
  ['    front end (parse, check, lower, outline, verify)', ms(median(load.map((x) => x.front)))],
  ['    emit (Binaryen: build, optimize, binary)', ms(median(load.map((x) => x.emit)))],
  ['  of which run (team start-up included)', ms(median(load.map((x) => x.run)))],
], [1]);
console.log();

if (values.only === 'load') {
  await browser.close();
  await site.close();
  process.exit(0);
}

// ---- mandelbrot, 1 vs 2 threads ----
const { context, page } = await openPage();
await page.goto(site.url);
await waitReady(page);
await page.evaluate((s) => window.par.editor.setValue(s), kernel);
const times = { 1: [], 2: [] };
let checksum = '';
for (let i = 0; i < runs; i++) {
  for (const n of [1, 2]) {
    await page.selectOption('#threads', String(n));
    const { out, r } = await run(page);
    if (!r.ok) throw new Error(`the mandelbrot kernel failed in the browser:\n${out}`);
    checksum ||= /checksum: (\S+)/.exec(out)?.[1] ?? '';
    times[n].push(kernelTime(out));
  }
}
const { compile } = await import('../dist/index.js');
const nodeTimes = { 1: [], 2: [] };
for (const n of [1, 2]) {
  const c = await compile(kernel, { threads: n });
  for (let i = 0; i < runs; i++) {
    let out = '';
    await c.program.run({ stdout: (t) => { out += t; } });
    nodeTimes[n].push(kernelTime(out));
  }
  c.program.dispose();
}
const b1 = median(times[1]), b2 = median(times[2]), n1 = median(nodeTimes[1]), n2 = median(nodeTimes[2]);
printTable(['mandelbrot 1200x900, maxiter 1000', '1 thread', '2 threads', 'speed-up'], [
  ['Chromium (playground)', `${b1.toFixed(3)} s`, `${b2.toFixed(3)} s`, `${(b1 / b2).toFixed(2)}x`],
  ['Node (same compiler, for reference)', `${n1.toFixed(3)} s`, `${n2.toFixed(3)} s`, `${(n1 / n2).toFixed(2)}x`],
], [1, 2, 3]);
console.log(`checksum ${checksum}\n`);

// ---- compile time per keystroke ----
const rows = [];
for (const [name, file] of [['mandelbrot example', '../examples/mandelbrot.par'], ['n-body example', '../examples/nbody.par']]) {
  const source = readFileSync(new URL(file, import.meta.url), 'utf8');
  await page.evaluate((s) => window.par.editor.setValue(s), source);
  await page.waitForTimeout(500);
  await page.click('#editor .view-lines');
  await page.keyboard.press('Control+End');
  const before = await page.evaluate(() => window.par.checkTimes.length);
  const keys = 'x = 1 + 2 * 3';
  // One check per key: wait out the debounce (250 ms) between keys.
  for (const k of keys) { await page.keyboard.type(k); await page.waitForTimeout(300); }
  await page.waitForFunction((n) => window.par.checkTimes.length >= n, before + keys.length, { timeout: 30_000 });
  const t = await page.evaluate((n) => window.par.checkTimes.slice(n), before);
  rows.push([`${name} (${source.split('\n').length} lines)`, String(t.length), `${median(t).toFixed(1)} ms`, `${Math.max(...t).toFixed(1)} ms`]);
}
printTable(['check worker (parse + type check) per keystroke', 'checks', 'median', 'max'], rows, [1, 2, 3]);
await context.close();
console.log(`\nload average ${os.loadavg()[0].toFixed(1)} at the end`);
await browser.close();
await site.close();
