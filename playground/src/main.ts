// The playground page: a Monaco editor with the `par` language, Run/Stop, a thread selector, output
// and dump tabs, examples, share links and localStorage. Compiling and running happen in workers:
// the check worker (diagnostics while typing) and the run worker (thread 0 of each run).
/// <reference types="vite/client" />
import type * as Monaco from 'monaco-editor/editor';
import { compressToEncodedURIComponent, decompressFromEncodedURIComponent } from 'lz-string';
import { registerPar } from './par-language.js';
import { EXAMPLES } from './examples.js';
import { toRGBA, type Picture } from '../../dist/runtime/image.js';
import type { ChunkTrace } from '../../dist/compiler/driver.js';
import type { CheckReply, Marker, Prepare, RunReply, RunResult, Startup } from './protocol.js';
import { clampLimits, limitsText, type Limits } from './limits.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const runBtn = $<HTMLButtonElement>('run'), stopBtn = $<HTMLButtonElement>('stop');
const threadSel = $<HTMLSelectElement>('threads'), exampleSel = $<HTMLSelectElement>('examples');
const statusEl = $('status'), outputEl = $('output');
const STORE = 'par.playground.source', STORE_THREADS = 'par.playground.threads', STORE_LIMITS = 'par.playground.limits';
const timeLimitIn = $<HTMLInputElement>('time-limit'), memoryLimitIn = $<HTMLInputElement>('memory-limit');

// ---- source and thread count: share link, else localStorage, else the first example ----
const cores = navigator.hardwareConcurrency || 1;
for (let n = 1; n <= Math.max(16, cores); n++) threadSel.add(new Option(String(n), String(n)));
for (const ex of EXAMPLES) exampleSel.add(new Option(ex.title, ex.id));

function fromHash(): { source: string; threads?: number } | null {
  const m = /^#code\/([^&]*)(?:&threads=(\d+))?/.exec(location.hash);
  if (!m) return null;
  const source = decompressFromEncodedURIComponent(m[1]);
  return source === null || source === '' ? null : { source, ...(m[2] ? { threads: Number(m[2]) } : {}) };
}
const shared = fromHash();
const initial = shared?.source ?? localStorage.getItem(STORE) ?? EXAMPLES[0].source;
threadSel.value = String(shared?.threads ?? localStorage.getItem(STORE_THREADS) ?? cores);
exampleSel.value = EXAMPLES.find((x) => x.source === initial)?.id ?? '';
if (!threadSel.value) threadSel.value = String(cores);

// ---- limits of each run (limits.ts): defaults 10 s and 1 GiB, kept in localStorage ----
const savedLimits = clampLimits(JSON.parse(localStorage.getItem(STORE_LIMITS) ?? '{}') as Partial<Limits>);
timeLimitIn.value = String(savedLimits.seconds);
memoryLimitIn.value = String(savedLimits.memoryMiB);
/** The limits the inputs hold, corrected (the inputs then show what applies). */
function currentLimits(): Limits {
  const l = clampLimits({ seconds: timeLimitIn.value, memoryMiB: memoryLimitIn.value });
  timeLimitIn.value = String(l.seconds);
  memoryLimitIn.value = String(l.memoryMiB);
  return l;
}
timeLimitIn.onchange = memoryLimitIn.onchange = () => localStorage.setItem(STORE_LIMITS, JSON.stringify(currentLimits()));

// ---- runs: thread 0 lives in the run worker; Stop replaces that worker ----
let runner: Worker;
let runnerReady = false;
let isolated = false;
let running: { id: number; t0: number; limits: Limits; version: number; timer?: number } | null = null;
let runId = 0;
let lastResult: RunResult | null = null;
let runsDone = 0;
/** The running program's stop word (see RunReply 'stopflag'). */
let stopFlag: Int32Array | null = null;
/** Run was asked for before the run worker was ready: it starts when it is. */
let pendingRun = false;
/** When the run worker had loaded the compiler, Binaryen, and warmed up (ms since it started). */
let startup: Startup | null = null;
// Started before the editor is loaded, so that Binaryen's start-up in the worker, and the compile of
// the program it will show, overlap it.
startRunner(initial);

// ---- editor ----
// Only the editor features the page uses (all of them would be a third more to load).
const [monaco, { default: EditorWorker }] = await Promise.all([
  import('monaco-editor/editor'),
  import('monaco-editor/editor/editor.worker?worker'),
  import('./editor-features.js'),
]);
self.MonacoEnvironment = { getWorker: () => new EditorWorker() };
registerPar(monaco);
const model = monaco.editor.createModel(initial, 'par', monaco.Uri.parse('file:///main.par'));
const editor = monaco.editor.create($('editor'), {
  model, theme: 'vs-dark', automaticLayout: true, minimap: { enabled: false }, fontSize: 14, tabSize: 4,
  insertSpaces: true, scrollBeyondLastLine: false, fixedOverflowWidgets: true,
});
editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.Enter, () => run());
window.addEventListener('keydown', (e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); run(); } });

const toRange = (span: { start: number; end: number }): Monaco.IRange => {
  const a = model.getPositionAt(span.start), b = model.getPositionAt(Math.max(span.end, span.start + 1));
  return { startLineNumber: a.lineNumber, startColumn: a.column, endLineNumber: b.lineNumber, endColumn: b.column };
};
const SEVERITY = { error: monaco.MarkerSeverity.Error, warning: monaco.MarkerSeverity.Warning, note: monaco.MarkerSeverity.Info };
function showMarkers(markers: Marker[]): void {
  monaco.editor.setModelMarkers(model, 'par', markers.map((m) => ({ ...toRange(m.span), message: m.message, severity: SEVERITY[m.severity] })));
}
/**
 * The last run's errors, for the text they were found in: a check of that same text whose reply
 * comes after the run (it was still waiting for its debounce) must not wipe out a run-time error.
 */
let runMarkers: { version: number; markers: Marker[] } | null = null;
function showCheckMarkers(markers: Marker[]): void {
  const run = runMarkers?.version === model.getVersionId() ? runMarkers.markers.filter((r) => !markers.some((m) => m.message === r.message)) : [];
  showMarkers([...markers, ...run]);
}

// ---- diagnostics while typing: debounced, in a worker loaded on the first edit ----
let checker: Worker | null = null;
let checkId = 0, checkTimer = 0;
/** Front-end time of each check in the worker, in ms (the benchmark reads it). */
const checkTimes: number[] = [];
function scheduleCheck(): void {
  clearTimeout(checkTimer);
  checkTimer = window.setTimeout(() => {
    checker ??= createChecker();
    checker.postMessage({ id: ++checkId, source: model.getValue() });
  }, 250);
}
function createChecker(): Worker {
  const w = new Worker(new URL('./check-worker.ts', import.meta.url), { type: 'module' });
  w.onmessage = (e: MessageEvent<CheckReply>) => {
    if (e.data.id !== checkId) return; // an older version of the text
    checkTimes.push(e.data.ms);
    showCheckMarkers(e.data.markers);
  };
  return w;
}
let saveTimer = 0;
model.onDidChangeContent(() => {
  scheduleCheck();
  clearTimeout(saveTimer);
  saveTimer = window.setTimeout(() => localStorage.setItem(STORE, model.getValue()), 300);
});
threadSel.onchange = () => localStorage.setItem(STORE_THREADS, threadSel.value);

/** The team workers the run worker asked for (see run-worker.ts), by its id for them. */
const team = new Map<number, Worker>();
/** The shared memory of the last team (the tests watch it stop changing after Stop). */
let teamMemory: WebAssembly.Memory | null = null;
function spawnTeamWorker(id: number, init: { memory: WebAssembly.Memory }): void {
  teamMemory = init.memory;
  const w = new Worker(new URL('../../dist/runtime/worker.js', import.meta.url), { type: 'module' });
  team.set(id, w);
  let answered = false;
  const answer = (error?: string) => {
    if (answered) return;
    answered = true;
    runner.postMessage(error === undefined ? { type: 'spawned', id } : { type: 'spawned', id, error });
  };
  w.onmessage = (e: MessageEvent<{ type: string; message?: string }>) => answer(e.data.type === 'ready' ? undefined : e.data.message ?? 'failed');
  w.onerror = (e) => { e.preventDefault(); answer(e.message || 'could not load the worker script'); };
  w.postMessage(init);
}
function killTeam(): void {
  for (const w of team.values()) w.terminate();
  team.clear();
}

function startRunner(source: string): void {
  runnerReady = false;
  runBtn.disabled = true;
  runner = new Worker(new URL('./run-worker.ts', import.meta.url), { type: 'module' });
  runner.onmessage = (e: MessageEvent<RunReply>) => onRunReply(e.data);
  runner.onerror = (e) => { e.preventDefault(); setStatus(`the run worker failed: ${e.message}`, true); };
  const prepare: Prepare = { type: 'prepare', source, threads: Number(threadSel.value) || cores, limits: currentLimits() };
  runner.postMessage(prepare);
}

function setStatus(text: string, warn = false): void {
  statusEl.textContent = text;
  statusEl.classList.toggle('warn', warn);
}

function onRunReply(m: RunReply): void {
  switch (m.type) {
    case 'ready':
      runnerReady = true;
      isolated = m.isolated;
      startup = m.startup;
      runBtn.disabled = running !== null;
      if (!isolated) {
        setStatus('This page is not cross-origin isolated (no COOP/COEP headers), so programs run on one thread.', true);
        threadSel.value = '1';
        threadSel.disabled = true;
      } else if (!running) setStatus(`ready · ${cores} cores`);
      if (pendingRun) { pendingRun = false; run(); }
      return;
    case 'out':
      if (m.id === running?.id) appendText(m.text);
      return;
    case 'image':
      if (m.id === running?.id) appendImage(m.picture);
      return;
    case 'done':
      if (m.id === running?.id) finishRun(m.result);
      return;
    case 'stopflag': if (m.id === running?.id) stopFlag = m.flag; return;
    case 'running': {
      // Isolated pages get TimeoutError from the program's own watchdog (with its line); here the page ends the run.
      const s = running?.limits.seconds ?? 0;
      if (m.id === running?.id && !isolated && s > 0) running.timer = window.setTimeout(() => stop(`TimeoutError: the program ran longer than its time limit of ${s} s, so it was stopped.`), s * 1000);
      return;
    }
    case 'spawn': spawnTeamWorker(m.id, m.init); return;
    case 'kill': team.get(m.id)?.terminate(); team.delete(m.id);
  }
}

function run(): void {
  if (running) return;
  if (!runnerReady) { pendingRun = true; setStatus('starting the compiler…'); return; }
  clearOutput();
  teamMemory = null;
  stopFlag = null;
  const threads = isolated ? Number(threadSel.value) : 1;
  const limits = currentLimits();
  running = { id: ++runId, t0: performance.now(), limits, version: model.getVersionId() };
  runBtn.disabled = true;
  stopBtn.disabled = false;
  setStatus(`running on ${threads} thread${threads === 1 ? '' : 's'} (limits: ${limitsText(limits)})…`);
  runner.postMessage({ type: 'run', id: running.id, source: model.getValue(), threads, limits });
}

function stop(why = 'Stopped.'): void {
  if (!running) return;
  clearTimeout(running.timer);
  // Every thread traps at its next loop iteration, so the terminations below take effect at once.
  if (stopFlag) Atomics.store(stopFlag, 0, 1);
  stopFlag = null;
  runner.terminate();
  killTeam();
  running = null;
  stopBtn.disabled = true;
  appendNote(why);
  setStatus(why === 'Stopped.' ? 'stopped' : 'stopped: time limit');
  startRunner(model.getValue());
}

function finishRun(r: RunResult): void {
  showText();
  const ms = performance.now() - running!.t0;
  clearTimeout(running!.timer);
  const version = running!.version;
  running = null;
  lastResult = r;
  runsDone++;
  stopBtn.disabled = true;
  runBtn.disabled = !runnerReady;
  for (const e of r.errors) appendError(e);
  if (r.internal) appendNote(`internal error in Par: ${r.internal}`);
  runMarkers = { version, markers: r.errors };
  if (r.errors.length && version === model.getVersionId()) showMarkers(r.errors);
  const state = r.ok ? 'done' : r.errors.length || r.internal ? 'failed' : 'done';
  setStatus(`${state} in ${fmt(ms)} (compile ${fmt(r.compileMs)}, run ${fmt(r.runMs)}) on ${r.threads} thread${r.threads === 1 ? '' : 's'}`);
  $('loops').textContent = r.loops.length ? r.loops.join('\n') : 'No parallel loop ran.';
  drawTimeline(r.trace);
  $('ir').textContent = r.ir || '(no IR: the program has errors)';
  $('wat').textContent = r.wat || '(no WebAssembly: the program has errors)';
}

const fmt = (ms: number) => (ms < 1000 ? `${ms.toFixed(0)} ms` : `${(ms / 1000).toFixed(2)} s`);

// ---- the output pane: text is appended in one text node per batch ----
// Printed text is drawn at most every 100 ms, and only the last OUTPUT_KEEP characters stay: a
// program that prints without end must not keep the page (and its Stop button) busy with layout.
const OUTPUT_KEEP = 100_000;
let unshown = '';
let shown: Text[] = [];
let shownChars = 0;
let frame = 0;
function appendText(text: string): void {
  unshown += text;
  if (unshown.length > OUTPUT_KEEP) { unshown = unshown.slice(-OUTPUT_KEEP); noteDropped(); }
  frame ||= window.setTimeout(showText, 100);
}
function showText(): void {
  clearTimeout(frame);
  frame = 0;
  if (!unshown) return;
  const node = document.createTextNode(unshown);
  outputEl.append(node);
  shown.push(node);
  shownChars += unshown.length;
  unshown = '';
  while (shownChars > OUTPUT_KEEP && shown.length > 1) {
    const old = shown.shift()!;
    shownChars -= old.length;
    old.remove();
    noteDropped();
  }
  outputEl.parentElement!.scrollTop = outputEl.parentElement!.scrollHeight;
}
let dropped: HTMLElement | null = null;
function noteDropped(): void {
  if (dropped) return;
  dropped = document.createElement('div');
  dropped.className = 'note';
  dropped.textContent = `… earlier output not shown (the pane keeps the last ${OUTPUT_KEEP.toLocaleString('en')} characters)`;
  outputEl.prepend(dropped);
}
function clearOutput(): void {
  dropped = null;
  outputEl.textContent = '';
  unshown = '';
  shown = [];
  shownChars = 0;
}
function appendNote(text: string): void {
  showText(); // after the text printed before it
  const d = document.createElement('div');
  d.className = 'note';
  d.textContent = text;
  outputEl.append(d);
}
function appendError(e: Marker): void {
  showText();
  const d = document.createElement('div');
  d.className = 'error';
  d.textContent = e.formatted;
  d.title = 'Show in the editor';
  d.onclick = () => {
    const r = toRange(e.span);
    editor.revealRangeInCenter(r);
    editor.setSelection(r);
    editor.focus();
  };
  outputEl.append(d);
}
function appendImage(picture: Picture): void {
  showText();
  const c = document.createElement('canvas');
  c.width = picture.width; c.height = picture.height;
  c.getContext('2d')!.putImageData(new ImageData(toRGBA(picture) as Uint8ClampedArray<ArrayBuffer>, picture.width, picture.height), 0, 0);
  // Small arrays are scaled up (pixelated) to a readable size.
  c.style.width = `${Math.min(Math.max(picture.width, 256), picture.width * 8)}px`;
  outputEl.append(c);
}

// ---- the timeline of the last run: one row per thread, one box per chunk, coloured by loop ----
const LOOP_COLORS = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];
let timelineHits: { x0: number; x1: number; y: number; text: string }[] = [];
function drawTimeline(trace: ChunkTrace | null): void {
  const c = $<HTMLCanvasElement>('timeline');
  const events = trace?.events.filter((e) => Number.isFinite(e.end)) ?? [];
  c.hidden = events.length === 0;
  timelineHits = [];
  if (!trace || c.hidden) return;
  const threads = Math.max(...events.map((e) => e.thread)) + 1;
  const t0 = Math.min(...events.map((e) => e.start)), t1 = Math.max(...events.map((e) => e.end));
  const used = [...new Set(events.map((e) => e.loop))].sort((a, b) => a - b);
  const W = Math.max(300, c.parentElement!.clientWidth - 24), ROW = 22, LEFT = 70, TOP = 18, legend = 18 * used.length;
  const H = TOP + threads * ROW + 24 + legend;
  const dpr = window.devicePixelRatio || 1;
  c.width = W * dpr; c.height = H * dpr; c.style.width = `${W}px`; c.style.height = `${H}px`;
  const g = c.getContext('2d')!;
  g.scale(dpr, dpr);
  g.font = '12px system-ui, sans-serif';
  g.fillStyle = '#d4d4d4';
  g.fillText(`timeline of the last run: ${fmtTime(t1 - t0)}, ${events.length} chunks${trace.dropped ? ` (${trace.dropped} more not recorded)` : ''}`, 0, 12);
  const x = (t: number) => LEFT + ((t - t0) / Math.max(t1 - t0, 1e-9)) * (W - LEFT - 8);
  for (let k = 0; k < threads; k++) { g.fillStyle = '#8a8a8a'; g.fillText(`thread ${k}`, 0, TOP + k * ROW + 15); }
  for (const e of events) {
    const loop = trace.loops[e.loop];
    const x0 = x(e.start), x1 = Math.max(x(e.end), x0 + 1), y = TOP + e.thread * ROW + 2;
    g.fillStyle = LOOP_COLORS[used.indexOf(e.loop) % LOOP_COLORS.length];
    g.fillRect(x0, y, x1 - x0, ROW - 4);
    const what = e.lo < 0 ? 'region body' : `iterations ${e.lo}–${e.hi - 1}`;
    timelineHits.push({ x0, x1, y, text: `thread ${e.thread}: line ${loop?.line} ${loop?.kind}, ${what}, ${fmtTime(e.end - e.start)} from ${fmtTime(e.start - t0)}` });
  }
  used.forEach((l, i) => {
    const y = TOP + threads * ROW + 12 + 18 * i;
    g.fillStyle = LOOP_COLORS[i % LOOP_COLORS.length];
    g.fillRect(LEFT, y, 12, 12);
    g.fillStyle = '#d4d4d4';
    g.fillText(`line ${trace.loops[l]?.line} ${trace.loops[l]?.kind}`, LEFT + 18, y + 11);
  });
}
const fmtTime = (ms: number) => (ms < 1 ? `${(ms * 1000).toFixed(0)} µs` : ms < 1000 ? `${ms.toFixed(2)} ms` : `${(ms / 1000).toFixed(3)} s`);
$<HTMLCanvasElement>('timeline').onmousemove = (e) => {
  const hit = timelineHits.find((h) => e.offsetX >= h.x0 - 1 && e.offsetX <= h.x1 + 1 && e.offsetY >= h.y && e.offsetY <= h.y + 18);
  (e.target as HTMLElement).title = hit?.text ?? '';
};

// ---- tabs ----
for (const b of document.querySelectorAll<HTMLButtonElement>('nav button')) {
  b.onclick = () => {
    for (const o of document.querySelectorAll<HTMLButtonElement>('nav button')) {
      o.setAttribute('aria-selected', String(o === b));
      $(`tab-${o.dataset.tab}`).hidden = o !== b;
    }
    // Drawn at the width the tab has once shown.
    if (b.dataset.tab === 'loops') drawTimeline(lastResult?.trace ?? null);
  };
}

// ---- examples, share, reset ----
exampleSel.onchange = () => {
  const ex = EXAMPLES.find((x) => x.id === exampleSel.value);
  if (ex) { model.setValue(ex.source); editor.focus(); }
};
$('share').onclick = async () => {
  const url = new URL(location.href);
  url.hash = `code/${compressToEncodedURIComponent(model.getValue())}&threads=${threadSel.value}`;
  history.replaceState(null, '', url);
  try { await navigator.clipboard.writeText(url.href); setStatus('link copied to the clipboard'); } catch { setStatus('the address bar now holds the link'); }
};
$('reset').onclick = () => {
  localStorage.removeItem(STORE);
  localStorage.removeItem(STORE_THREADS);
  history.replaceState(null, '', location.pathname + location.search);
  const ex = EXAMPLES.find((x) => x.id === exampleSel.value) ?? EXAMPLES[0];
  model.setValue(ex.source);
  threadSel.value = String(cores);
};
runBtn.onclick = () => run();
stopBtn.onclick = () => stop();

scheduleCheck();

/** For the end-to-end tests, the benchmarks and the curious: the editor, the last run, check times. */
Object.assign(window, {
  par: { editor, monaco, get lastResult() { return lastResult; }, get runsDone() { return runsDone; }, get teamMemory() { return teamMemory; }, get startup() { return startup; }, checkTimes },
});
