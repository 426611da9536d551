// End-to-end tests of the playground in a real browser: Debian's Chromium driven by playwright-core
// against the built static site (built once, below), served with COOP/COEP, and once from a plain
// host without them. Screenshots go to test/artifacts/ (git-ignored). Without Chromium every test
// fails with a message saying how to install it.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { buildSite, launchChromium, serveSite } from '../playground/site.js';
import { compile } from '../index.js';

const ARTIFACTS = new URL('./artifacts/', import.meta.url);
let browser: Browser;
let site: { url: string; close(): Promise<unknown> };
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await launchChromium();
  await buildSite();
  site = await serveSite();
}, 180_000);

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  await site?.close();
});

/** Run is enabled: the compiler worker is ready (false while a page is still loading, or reloading). */
const runEnabled = () => {
  const b = document.getElementById('run') as HTMLButtonElement | null;
  return b !== null && !b.disabled;
};

/** A fresh page (its own storage) on the playground, once the compiler worker is ready. */
async function open(url = site.url): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  contexts.push(context);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  (page as Page & { errors: string[] }).errors = errors;
  await page.goto(url);
  await page.waitForFunction(runEnabled, null, { timeout: 60_000 });
  return page;
}

/** One page for the tests that need no fresh storage (each sets its own program): loads are slow. */
let sharedPage: Page | undefined;
const page0 = async () => (sharedPage ??= await open());

const setSource = (page: Page, source: string) => page.evaluate((s) => (window as any).par.editor.setValue(s), source);
const getSource = (page: Page) => page.evaluate(() => (window as any).par.editor.getValue() as string);

/** Clicks Run (or presses Ctrl+Enter in the editor) and waits for the run to finish; returns the output pane's text. */
async function run(page: Page, how: 'button' | 'keys' = 'button'): Promise<string> {
  const before = await page.evaluate(() => (window as any).par.runsDone as number);
  if (how === 'keys') {
    await page.click('#editor .view-lines');
    await page.keyboard.press('Control+Enter');
  } else {
    await page.click('#run');
  }
  await page.waitForFunction((n) => (window as any).par.runsDone > n, before, { timeout: 60_000 });
  return page.textContent('#output') as Promise<string>;
}

const shot = (page: Page, name: string) => page.screenshot({ path: new URL(`${name}.png`, ARTIFACTS).pathname });

/** What Node prints for the same program (the same compiler and runtime). */
async function nodeOutput(source: string, threads: number): Promise<string> {
  const r = await compile(source, { threads });
  expect(r.diagnostics.map((d) => r.format(d))).toEqual([]);
  let out = '';
  try { await r.program!.run({ stdout: (t) => { out += t; } }); } finally { r.program!.dispose(); }
  return out;
}

/** Equal outside `time:` lines, numbers to 1e-9 relative. */
function sameOutput(a: string, b: string): boolean {
  const tok = (s: string) => s.split('\n').filter((l) => !l.startsWith('time:')).join('\n').trim().split(/\s+/);
  const x = tok(a), y = tok(b);
  return x.length === y.length && x.every((s, i) => {
    const [p, q] = [Number(s), Number(y[i])];
    if (Number.isNaN(p) || Number.isNaN(q)) return s === y[i];
    return p === q || Math.abs(p - q) <= 1e-9 * Math.max(Math.abs(p), Math.abs(q));
  });
}

describe('playground in Chromium', () => {
  // A failed test must not leave a program running on the shared page for the next one.
  afterEach(async () => {
    if (sharedPage && await sharedPage.isEnabled('#stop')) await sharedPage.click('#stop');
  });

  it('is cross-origin isolated, and a 2-thread run of the mandelbrot example uses 2 threads', async () => {
    const page = await page0();
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    await page.selectOption('#examples', 'mandelbrot');
    await page.selectOption('#threads', '2');
    const out = await run(page);
    expect(out).toContain(readFileSync(new URL('../examples/mandelbrot.expected', import.meta.url), 'utf8').trim());
    // The example came compiled with the site (playground/precompile.js), and its IR and WAT tabs still show.
    const dumps = await page.evaluate(() => { const r = (window as any).par.lastResult; return { cache: r.stages?.cache, ir: r.ir, wat: r.wat }; });
    expect(dumps.cache).toBe(1);
    expect(dumps.ir).toContain('func __main');
    expect(dumps.wat).toMatch(/^\(module[\s\S]*\(func \$__main/);
    const loops = await page.evaluate(() => (window as any).par.lastResult.loops as string[]);
    expect(loops.find((l) => l.startsWith('line 30 prange'))).toMatch(/, 2 threads, load imbalance/);
    await page.click('nav button[data-tab="loops"]');
    expect(await page.textContent('#loops')).toContain('2 threads');
    // The timeline: both threads ran chunks of the loop (dynamic schedule, 300 rows).
    const trace = await page.evaluate(() => (window as any).par.lastResult.trace);
    const chunks = trace.events.filter((e: any) => trace.loops[e.loop].line === 30);
    expect(new Set(chunks.map((e: any) => e.thread))).toEqual(new Set([0, 1]));
    expect(chunks.reduce((n: number, e: any) => n + e.hi - e.lo, 0)).toBe(300);
    expect(await page.isVisible('#timeline')).toBe(true);
    await shot(page, 'timeline');
    await page.click('nav button[data-tab="output"]');
    // imshow(img) drew the 400 x 300 image.
    expect(await page.$eval('#output canvas', (c) => [(c as HTMLCanvasElement).width, (c as HTMLCanvasElement).height])).toEqual([400, 300]);
    await shot(page, 'mandelbrot-2-threads');
    expect((page as Page & { errors: string[] }).errors).toEqual([]);
  });

  it('shows the compiler\'s diagnostics as squiggles while typing', async () => {
    const page = await page0();
    await setSource(page, '');
    await page.click('#editor .view-lines');
    await page.keyboard.type('x = 1\ny = x + undefined_thing\n');
    await page.waitForSelector('#editor .squiggly-error', { timeout: 10_000 });
    const markers = await page.evaluate(() => {
      const { monaco, editor } = (window as any).par;
      return monaco.editor.getModelMarkers({ resource: editor.getModel().uri }).map((m: any) => ({ line: m.startLineNumber, message: m.message }));
    });
    expect(markers).toEqual([expect.objectContaining({ line: 2, message: expect.stringContaining('undefined_thing') })]);
    await shot(page, 'squiggle');
    // Fixing the text clears the marker.
    await setSource(page, 'x = 1\ny = x + 2\n');
    await page.waitForSelector('#editor .squiggly-error', { state: 'detached', timeout: 10_000 });
  });

  it('completes builtins with their signatures and shows hover docs', async () => {
    const page = await page0();
    await setSource(page, '');
    await page.click('#editor .view-lines');
    await page.keyboard.type('a = linsp');
    await page.keyboard.press('Control+Space');
    await page.waitForSelector('.suggest-widget .monaco-list-row', { timeout: 10_000 });
    expect(await page.textContent('.suggest-widget')).toContain('(start, stop, num=50, endpoint=True, dtype=)');
    await page.keyboard.press('Enter');
    expect(await getSource(page)).toBe('a = linspace');
    await setSource(page, 'x = zeros(3)\n');
    await page.hover('#editor .view-line >> text=zeros');
    // Monaco can keep an empty, hidden hover element from the completion above: read the visible one.
    const hover = page.locator('.monaco-hover-content:visible').first();
    await hover.waitFor({ state: 'visible', timeout: 10_000 });
    expect(await hover.textContent()).toContain('zeros(shape, dtype=float64)');
    await shot(page, 'hover');
  });

  it('runs every example in the menu and prints what Node prints', async () => {
    const page = await open();
    await page.selectOption('#threads', '2');
    const ids = await page.$$eval('#examples option', (os) => os.map((o) => (o as HTMLOptionElement).value).filter(Boolean));
    expect(ids).toEqual(expect.arrayContaining(['mandelbrot', 'nbody', 'heat', 'blackscholes', 'reductions', 'region', 'pmap']));
    for (const id of ids) {
      await page.selectOption('#examples', id);
      const out = await run(page);
      const want = await nodeOutput(await getSource(page), 2);
      expect(sameOutput(out, want), `${id}: browser printed\n${out}\nNode printed\n${want}`).toBe(true);
    }
  }, 180_000);

  it('Stop ends an infinite parallel loop within a second, and the next run works', async () => {
    const page = await page0();
    await page.selectOption('#threads', '2');
    // Both threads write to shared memory forever; the page holds that memory, so it can see them stop.
    await setSource(page, 'a = zeros(2, dtype=int64)\nfor i in prange(2):\n    while True:\n        a[i] += 1\n');
    await page.click('#run');
    // Running once the team exists (after compiling) and the memory changes.
    await page.waitForFunction(() => (window as any).par.teamMemory, null, { timeout: 30_000 });
    // In the page: find the words the threads keep writing (their counters), measure how fast they
    // count, press Stop, and see how much they still count afterwards. Counting, not the page's
    // clock, tells how long the threads ran on: a loaded machine may delay the page's own timers.
    const r = await page.evaluate(async () => {
      const sleep = (ms: number) => new Promise((f) => setTimeout(f, ms));
      const words = new Int32Array((window as any).par.teamMemory.buffer);
      // Heap words (above the control block's reserved kilobyte, where start-up fork-joins count)
      // that changed in three windows in a row: the loop's counters.
      let hot: number[] = [];
      const windows: Set<number>[] = [];
      for (let tries = 0; hot.length === 0 && tries < 200; tries++) {
        const before = words.slice();
        await sleep(50);
        const now = new Set<number>();
        for (let i = 1024 / 4; i < words.length; i++) if (words[i] !== before[i]) now.add(i);
        windows.unshift(now);
        if (windows.length >= 3) hot = [...now].filter((i) => windows[1].has(i) && windows[2].has(i));
      }
      const snap = () => hot.map((i) => words[i]);
      const counted = (a: number[], b: number[]) => a.reduce((n, v, k) => n + ((b[k] - v) >>> 0), 0);
      const s0 = snap(), tA = performance.now();
      await sleep(300);
      const perMs = counted(s0, snap()) / (performance.now() - tA);
      const running = !(document.getElementById('stop') as HTMLButtonElement).disabled;
      (document.getElementById('stop') as HTMLButtonElement).click();
      const atStop = snap(), t0 = performance.now();
      // Stopped when the counters keep still for 300 ms (given up after 10 s).
      let last = atStop, quietSince = t0;
      while (performance.now() - quietSince < 300 && performance.now() - t0 < 10_000) {
        await sleep(10);
        const now = snap();
        if (now.some((v, k) => v !== last[k])) { last = now; quietSince = performance.now(); }
      }
      return { hot: hot.length, running, perMs, ranOnMs: counted(atStop, last) / perMs, quietAfterMs: quietSince - t0 };
    });
    expect(r.running).toBe(true);
    expect(r.hot).toBeGreaterThan(0);
    expect(r.perMs).toBeGreaterThan(0);
    expect(r.quietAfterMs).toBeLessThan(10_000);
    // After Stop the threads did less than a second's worth of their counting.
    expect(r.ranOnMs, JSON.stringify(r)).toBeLessThan(1000);
    expect(await page.textContent('#output')).toContain('Stopped.');
    await shot(page, 'stopped');
    await setSource(page, 'print(sum(arange(10)))\n');
    await page.waitForFunction(runEnabled, null, { timeout: 30_000 });
    expect((await run(page)).trim()).toBe('45');
  });

  it('applies a time and a memory limit by default: a runaway program stops with a clear message, the next run works', async () => {
    const page = await page0();
    // The defaults the page shows (playground/src/limits.ts), then a shorter time limit for this test.
    expect(await page.inputValue('#time-limit')).toBe('10');
    expect(await page.inputValue('#memory-limit')).toBe('1024');
    await page.fill('#time-limit', '1');
    await setSource(page, 'x = 0\nwhile True:\n    x += 1\n');
    const out = await run(page);
    expect(out).toMatch(/main\.par:2:1: error: TimeoutError: the program ran longer than its time limit of 1 s/);
    await page.fill('#memory-limit', '64');
    await setSource(page, 'xs = []\nwhile True:\n    xs.append(zeros(10**6))\n');
    expect(await run(page)).toMatch(/main\.par:3:\d+: error: MemoryError: Unable to allocate .*memory limit 64 MiB/);
    await page.fill('#time-limit', '10');
    await page.fill('#memory-limit', '1024');
    await setSource(page, 'print(sum(arange(10)))\n');
    expect((await run(page)).trim()).toBe('45');
  });

  it('keeps the page usable while a program prints without end, and Stop ends it', async () => {
    const page = await page0();
    await setSource(page, 'i = 0\nwhile True:\n    print("line", i)\n    i += 1\n');
    await page.click('#run');
    await page.waitForSelector('#output .note', { timeout: 30_000 }); // the pane dropped early lines
    expect(await page.textContent('#output .note')).toContain('earlier output not shown');
    await page.click('#stop');
    await page.waitForFunction(() => document.getElementById('output')!.textContent!.includes('Stopped.'));
    const out = await page.textContent('#output');
    expect(out!.length).toBeLessThan(120_000);
    expect(out).toMatch(/line \d+\n/);
    await setSource(page, 'print("next")\n');
    await page.waitForFunction(runEnabled, null, { timeout: 30_000 });
    expect((await run(page)).trim()).toBe('next');
  });

  it('runs on Ctrl+Enter, and jumps to the line of a run-time error when it is clicked', async () => {
    const page = await page0();
    await setSource(page, 'a = zeros(3)\nprint(a)\nprint(a[5])\n');
    const out = await run(page, 'keys');
    expect(out).toContain('main.par:3:');
    expect(out).toContain('IndexError: index 5 is out of bounds for axis 0 with size 3');
    expect(out).toContain('[0. 0. 0.]');
    await page.click('#output .error');
    expect(await page.evaluate(() => (window as any).par.editor.getPosition().lineNumber)).toBe(3);
    // The error is also a marker on that line.
    const lines = await page.evaluate(() => {
      const { monaco, editor } = (window as any).par;
      return monaco.editor.getModelMarkers({ resource: editor.getModel().uri }).map((m: any) => m.startLineNumber);
    });
    expect(lines).toEqual([3]);
  });

  it('opens a share link with the same program and thread count', async () => {
    const page = await open();
    const source = 'x = arange(5)\nprint(x * 2)  # shared\n';
    await setSource(page, source);
    await page.selectOption('#threads', '2');
    await page.click('#share');
    const link = page.url();
    expect(link).toMatch(/#code\/.+&threads=2$/);
    const other = await open(link);
    expect(await getSource(other)).toBe(source);
    expect(await other.inputValue('#threads')).toBe('2');
    expect((await run(other)).trim()).toBe('[0 2 4 6 8]');
  });

  it('keeps the last program in localStorage, and Reset brings the example back', async () => {
    const page = await open();
    const example = await getSource(page);
    await setSource(page, 'print("kept")\n');
    await page.waitForFunction(() => localStorage.getItem('par.playground.source') === 'print("kept")\n');
    await page.reload();
    await page.waitForFunction(() => (window as any).par?.editor);
    expect(await getSource(page)).toBe('print("kept")\n');
    await page.click('#reset');
    expect(await getSource(page)).toBe(example);
    expect(example).toContain(readFileSync(new URL('../examples/mandelbrot.par', import.meta.url), 'utf8'));
  });
});

describe('playground on a host without COOP/COEP', () => {
  let plain: { url: string; close(): Promise<unknown> };
  beforeAll(async () => { plain = await serveSite({ isolation: false }); });
  afterAll(async () => { await plain?.close(); });

  it('says it is not isolated and runs on one thread', async () => {
    const page = await open(`${plain.url}?nocoi`);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);
    expect(await page.textContent('#status')).toContain('not cross-origin isolated');
    await setSource(page, 's = 0\nfor i in prange(1000):\n    s += i\nprint(s)\n');
    expect((await run(page)).trim()).toBe('499500');
    expect(await page.evaluate(() => (window as any).par.lastResult.threads)).toBe(1);
    await shot(page, 'not-isolated');
    // The time limit still applies: no watchdog thread can share memory here, so the page ends the run.
    await page.fill('#time-limit', '1');
    await setSource(page, 'x = 0\nwhile True:\n    x += 1\n');
    await page.click('#run');
    await page.waitForFunction(() => document.getElementById('output')!.textContent!.includes('TimeoutError'), null, { timeout: 60_000 });
    expect(await page.textContent('#output')).toContain('TimeoutError: the program ran longer than its time limit of 1 s, so it was stopped.');
    await page.fill('#time-limit', '10');
    await setSource(page, 'print(sum(arange(10)))\n');
    await page.waitForFunction(runEnabled, null, { timeout: 60_000 });
    expect((await run(page)).trim()).toBe('45');
  });

  it('becomes isolated through coi-serviceworker', async () => {
    const page = await open(plain.url);
    await page.waitForFunction(() => crossOriginIsolated, null, { timeout: 30_000 });
    await page.waitForFunction(runEnabled, null, { timeout: 60_000 });
    await page.selectOption('#threads', '2');
    await setSource(page, 's = 0\nfor i in prange(100000):\n    s += i\nprint(s)\n');
    expect((await run(page)).trim()).toBe('4999950000');
    expect(await page.evaluate(() => (window as any).par.lastResult.threads)).toBe(2);
  });
});
