// The time limit of a run (CompileOptions.timeout, `par run --timeout`): a small thread that sleeps
// until the deadline and then sets the program's stop word (CTRL.abort), which interruptible code
// checks at every while-loop iteration and counted-loop chunk on every thread. It has to be another
// thread: thread 0 runs the program on the caller's thread, so no timer of the caller's event loop
// can fire before the program returns.

/** The watchdog thread's code: wait on ctl[0] until the deadline; if still 0 then, claim it (2) and stop the program. */
const WATCHDOG_SOURCE = `
const arm = ({ ctl, flag, deadline }) => {
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0) break;
    if (Atomics.wait(ctl, 0, 0, left) !== 'timed-out' && Atomics.load(ctl, 0) !== 0) return;
  }
  if (Atomics.compareExchange(ctl, 0, 0, 2) === 0) Atomics.store(flag, 0, 1);
};`;

export interface Watchdog {
  /** True when the deadline passed and the stop word was set. */
  fired(): boolean;
  /** Stands the watchdog down (the run ended); after this, fired() no longer changes. */
  cancel(): void;
}

interface Startable {
  terminate(): unknown;
}

/**
 * Starts a watchdog that sets `flag[0] = 1` at `deadline` (Date.now() milliseconds) unless cancelled
 * first. Node: a worker_threads Worker; browsers: a Worker from a Blob URL (in a cross-origin isolated
 * page, where shared memory exists at all).
 */
export async function startWatchdog(flag: Int32Array, deadline: number): Promise<Watchdog> {
  const ctl = new Int32Array(new SharedArrayBuffer(4));
  const data = { ctl, flag, deadline };
  let thread: Startable;
  if (typeof process !== 'undefined' && process.versions?.node) {
    const { Worker } = await import('node:worker_threads');
    const w = new Worker(`${WATCHDOG_SOURCE}\narm(require('node:worker_threads').workerData);`, { eval: true, workerData: data });
    w.unref();
    thread = w;
  } else {
    // The watchdog shares the program's memory, which a page without cross-origin isolation cannot.
    if (typeof crossOriginIsolated !== 'undefined' && !crossOriginIsolated) throw new Error('a time limit needs a cross-origin isolated page (COOP/COEP): without one no thread can share the program\'s memory');
    // It says when it runs: a browser starts a worker created by a worker only once its creator
    // returns to its event loop, which thread 0 does not do until the program ends.
    const url = URL.createObjectURL(new Blob([`${WATCHDOG_SOURCE}\nonmessage = (e) => { postMessage('armed'); arm(e.data); };`], { type: 'text/javascript' }));
    const w = new Worker(url);
    URL.revokeObjectURL(url);
    const armed = new Promise<void>((resolve, reject) => {
      w.onmessage = () => resolve();
      w.onerror = (e) => { e.preventDefault(); reject(new Error(`the time limit's watchdog could not start: ${e.message}`)); };
    });
    w.postMessage(data);
    await armed;
    thread = w;
  }
  return {
    fired: () => Atomics.load(ctl, 0) === 2,
    cancel: () => {
      if (Atomics.compareExchange(ctl, 0, 0, 1) === 0) Atomics.notify(ctl, 0);
      void thread.terminate();
    },
  };
}
