// Runs fuzz programs in a worker thread (sandbox-worker.js) under a watchdog. A run that exceeds its
// time gets its stop flag set (the soft stop users have); a compile or a run that still does not
// finish is a hang: the thread is terminated and a fresh one started, so one bad program never takes
// the fuzzer down with it.
import { Worker } from 'node:worker_threads';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const WORKER_URL = new URL('./sandbox-worker.js', import.meta.url);

export class Sandbox {
  /**
   * @param {{ compileMs?: number, runMs?: number, graceMs?: number }} limits compileMs bounds a
   *   compile, runMs a run before the soft stop, graceMs how long the soft stop may take.
   */
  constructor(limits = {}) {
    // Generous: a dynamic-axis reduction program took 14 s to compile on a machine with load 20.
    this.compileMs = limits.compileMs ?? 120_000;
    this.runMs = limits.runMs ?? 10_000;
    this.graceMs = limits.graceMs ?? 5_000;
    this.worker = null;
    this.nextId = 1;
    this.restarts = 0;
    // The team size is not part of the wasm: the runs at other sizes reuse the first compile's output.
    this.cacheDir = mkdtempSync(path.join(tmpdir(), 'par-fuzz-'));
  }

  start() {
    const w = new Worker(WORKER_URL, { resourceLimits: { maxOldGenerationSizeMb: 2048 } });
    w.unref();
    this.worker = w;
    return w;
  }

  /**
   * Compiles and runs `src` at each team size in `threads`; resolves to { results } as reported by
   * the worker, or { hang: 'compile' | 'run', softStopped } / { died: message } when it had to be
   * killed or died.
   */
  run(src, { threads = [1], filename = 'fuzz.par', interruptible = false, maxMemory = '256M' } = {}) {
    const w = this.worker ?? this.start();
    const id = this.nextId++;
    return new Promise((resolve) => {
      let timer = null;
      let softStopped = false;
      const finish = (value, kill) => {
        clearTimeout(timer);
        w.off('message', onMessage);
        w.off('error', onError);
        w.off('exit', onExit);
        if (kill) {
          this.worker = null;
          this.restarts++;
          w.terminate().catch(() => {});
        }
        resolve(value);
      };
      const hardStop = (phase) => { timer = setTimeout(() => finish({ hang: phase, softStopped }, true), this.graceMs); };
      const onMessage = (m) => {
        clearTimeout(timer);
        if (m.type === 'running') {
          timer = setTimeout(() => {
            softStopped = true;
            if (m.flag) Atomics.store(m.flag, 0, 1);
            hardStop('run');
          }, this.runMs);
        } else if (m.type === 'ran') {
          timer = setTimeout(() => hardStop('compile'), this.compileMs);
        } else if (m.type === 'done' && m.id === id) {
          finish({ results: m.results, softStopped }, false);
        }
      };
      const onError = (e) => finish({ died: `${e?.name ?? 'Error'}: ${e?.message ?? e}\n${e?.stack ?? ''}` }, true);
      const onExit = (code) => finish({ died: `sandbox thread exited with code ${code}` }, true);
      w.on('message', onMessage);
      w.on('error', onError);
      w.on('exit', onExit);
      timer = setTimeout(() => hardStop('compile'), this.compileMs);
      w.postMessage({ id, src, threads, filename, interruptible, maxMemory, cacheDir: this.cacheDir });
    });
  }

  async close() {
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate();
    rmSync(this.cacheDir, { recursive: true, force: true });
  }
}
