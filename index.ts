// The embedded API: `import { compile } from 'parlang'`. compile() returns diagnostics and, when
// there are no errors, a Program that runs the script body or calls a named function.
export { compile, precompile } from './compiler/driver.js';
export type { CompileOptions, CompileResult, Program, RunOptions, ParValue, DumpStage, Precompiled } from './compiler/driver.js';
export type { ParFiles } from './runtime/files.js';
export { ParError, ClusterError } from './runtime/errors.js';
export type { Diagnostic } from './language/diagnostics.js';
export { formatDiagnostic } from './language/diagnostics.js';
