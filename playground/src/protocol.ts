// Messages between the page and its two workers: the check worker (diagnostics while typing) and the
// run worker (thread 0 of a run: compiles with the real compiler, runs, reports). Spans are source
// offsets; the page turns them into editor positions.

export interface Span { start: number; end: number }

export interface Marker { message: string; severity: 'error' | 'warning' | 'note'; span: Span; formatted: string }

export type CheckRequest = { id: number; source: string };
export type CheckReply = { id: number; markers: Marker[]; ms: number };

export type RunRequest = { type: 'run'; id: number; source: string; threads: number; limits: Limits };
/**
 * To the run worker, when it starts: the program in the editor. It is compiled as soon as the
 * compiler is loaded, so that a Run of it right after the page loads finds it compiled.
 */
export type Prepare = { type: 'prepare'; source: string; threads: number; limits: Limits };
/** To the run worker: a team worker it asked for has started (or failed to). */
export type Spawned = { type: 'spawned'; id: number; error?: string };

import type { Picture } from '../../dist/runtime/image.js';
import type { Limits } from './limits.js';
import type { ChunkTrace } from '../../dist/compiler/driver.js';
import type { TeamWorkerInit } from '../../dist/runtime/platform.js';

/** ms since the run worker started: the compiler loaded, Binaryen loaded, the compile of the prepared program done (0: none). */
export interface Startup { compiler: number; binaryen: number; warmup: number }

export type RunReply =
  | { type: 'ready'; isolated: boolean; cores: number; startup: Startup }
  | { type: 'out'; id: number; text: string }
  | { type: 'image'; id: number; picture: Picture }
  // The program's stop word (Program.stopFlag): Stop sets it so every thread traps at once, since
  // Chromium gives a worker that is terminated while busy two seconds before it forces the end.
  | { type: 'stopflag'; id: number; flag: Int32Array }
  // The program starts running (compiled): a page without isolation times its limit from here.
  | { type: 'running'; id: number }
  | { type: 'done'; id: number; result: RunResult }
  // Team workers are started and ended by the page, so that Stop can terminate them at once.
  | { type: 'spawn'; id: number; init: TeamWorkerInit }
  | { type: 'kill'; id: number };

export interface RunResult {
  ok: boolean;
  /** Compile errors, or the run-time error (with its span, for jumping to the line). */
  errors: Marker[];
  /** Threads in the team that ran the program. */
  threads: number;
  compileMs: number;
  /** The compile's milliseconds per stage (CompileResult.timings). */
  stages?: Record<string, number>;
  runMs: number;
  /** `par run --time` lines: per parallel loop, runs, time, threads, imbalance. */
  loops: string[];
  /** Which thread ran which chunk of each parallel loop, and when. */
  trace: ChunkTrace | null;
  ir: string;
  wat: string;
  /** A bug in Par or the page, not in the program. */
  internal?: string;
}
