// The compiler driver: runs the stages (parse, check, lower, passes, emit) as a pipeline and wraps
// the result in a Program bound to the runtime.  (Interface first; stages are filled in.)
import type { Diagnostic } from '../language/diagnostics.js';
import { formatDiagnostic } from '../language/diagnostics.js';
import { sourceFile, type SourceFile } from '../language/source.js';

export type DumpStage = 'ast' | 'typed' | 'ir' | 'wat';

export interface CompileOptions {
  /** File name used in diagnostics (default `<input>`). */
  filename?: string;
  /** Bounds checks on array indexing (default true), like Cython's boundscheck. */
  boundsCheck?: boolean;
  /** Team size; default PAR_NUM_THREADS, OMP_NUM_THREADS, then the core count. */
  threads?: number;
  /** Directory for the compiled-wasm cache keyed by source hash; false disables it. */
  cacheDir?: string | false;
}

export interface RunOptions {
  /** Receives printed text (whole lines, each ending in "\n"); default writes to process.stdout. */
  stdout?: (text: string) => void;
}

/** A value crossing the JS boundary: numbers/bigints/booleans for scalars, typed arrays with a shape for arrays, JS arrays for tuples. */
export type ParValue = number | bigint | boolean | ParArray | ParValue[] | null;
export interface ParArray { data: ArrayBufferView; shape: number[]; dtype: string }

export interface Program {
  /** Runs the script's top-level statements. Rejects with a ParError on a run-time error. */
  run(opts?: RunOptions): Promise<void>;
  /** Calls a function defined in the script with JS arguments. */
  call(name: string, ...args: ParValue[]): Promise<ParValue>;
  dispose(): void;
  [Symbol.dispose](): void;
}

export interface CompileResult {
  file: SourceFile;
  diagnostics: Diagnostic[];
  /** null when there are errors. */
  program: Program | null;
  /** Text of an intermediate stage, for `par run --dump=...`. */
  dump(stage: DumpStage): string;
  /** `file:line:col: error: ...` with the source line and a caret. */
  format(d: Diagnostic, opts?: { color?: boolean }): string;
}

export async function compile(source: string, options: CompileOptions = {}): Promise<CompileResult> {
  const file = sourceFile(options.filename ?? '<input>', source);
  throw new Error(`compile(${file.name}): not implemented yet`);
  // eslint-disable-next-line no-unreachable
  return { file, diagnostics: [], program: null, dump: () => '', format: (d, o) => formatDiagnostic(d, file, o) };
}
