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

/**
 * A cluster that cannot be used (docs/cluster.md): a bad address, refused credentials, Redis
 * unreachable or lost, no worker in time. Kept here, not beside the Redis code, so that programs can
 * import it without loading ioredis.
 */
export class ClusterError extends Error {
  constructor(message: string) { super(message); this.name = 'ClusterError'; }
}
