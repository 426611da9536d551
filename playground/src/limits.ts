// The limits every playground run gets (issue 17): a time limit and a memory limit by default, shown
// beside Run and adjustable. A runaway program stops with TimeoutError or MemoryError at its line,
// and the page stays usable. The run worker passes compileOptions() to compile(); the page keeps the
// values. Nothing here touches the DOM, so the API-level test imports it under Node.

export interface Limits {
  /** Seconds each run may take (0: no limit; Stop still works). */
  seconds: number;
  /** Memory the program may use, in MiB (WebAssembly allows at most 4096). */
  memoryMiB: number;
}

export const DEFAULT_LIMITS: Limits = { seconds: 10, memoryMiB: 1024 };
export const MAX_SECONDS = 3600;
export const MIN_MEMORY_MIB = 16, MAX_MEMORY_MIB = 4096;

/** Limits as the page's inputs give them (anything), made whole and in range; a missing or bad value is the default. */
export function clampLimits(l: { seconds?: unknown; memoryMiB?: unknown }): Limits {
  const num = (v: unknown) => (typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN);
  const s = num(l.seconds), m = num(l.memoryMiB);
  return {
    seconds: Number.isFinite(s) ? Math.min(MAX_SECONDS, Math.max(0, Math.round(s * 10) / 10)) : DEFAULT_LIMITS.seconds,
    memoryMiB: Number.isFinite(m) ? Math.min(MAX_MEMORY_MIB, Math.max(MIN_MEMORY_MIB, Math.round(m))) : DEFAULT_LIMITS.memoryMiB,
  };
}

/** What the run worker passes to compile() for a run on `threads` threads under `limits`. */
export function compileOptions(threads: number, limits: Limits) {
  return {
    filename: 'main.par', threads, profile: true, trace: true, interruptible: true,
    maxMemory: limits.memoryMiB * 2 ** 20,
    ...(limits.seconds > 0 ? { timeout: limits.seconds * 1000 } : {}),
  };
}

/** The limits as the status line states them. */
export const limitsText = (l: Limits) => `${l.seconds > 0 ? `${l.seconds} s` : 'no time limit'}, ${l.memoryMiB >= 1024 && l.memoryMiB % 1024 === 0 ? `${l.memoryMiB / 1024} GiB` : `${l.memoryMiB} MiB`}`;
