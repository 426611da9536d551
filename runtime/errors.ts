// Errors raised by running Par code: each carries the diagnostic (code, message, span) and, for
// errors inside parallel code, the iteration and the thread.
import type { Diagnostic } from '../language/diagnostics.js';

export class ParError extends Error {
  constructor(
    readonly diagnostic: Diagnostic,
    /** The whole report: `file:line:col: error: ...`, source line and caret. */
    readonly formatted: string,
    readonly thread?: number,
    readonly iteration?: bigint,
  ) {
    super(diagnostic.message);
    this.name = 'ParError';
  }
}
