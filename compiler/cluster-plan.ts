// Which parallel loops cluster mode may run on other machines (see docs/cluster.md). A cluster
// worker runs a chunk of iterations on a copy of the coordinator's memory and sends back the bytes
// the chunk changed, so a loop qualifies only when everything it does is visible as plain stores:
// no printing or pictures (they would happen on the worker), no arrays created or dropped (the
// allocator's state cannot be merged), no atomics or locks (other chunks' updates would be lost),
// and no parallel construct inside it. (A scalar the loop assigns and the code after it reads,
// lastprivate, comes back too: each chunk stores it in the loop's environment, and the last chunk's
// bytes are applied last.)
// The analysis looks at the loop body and, transitively, at every function it calls.
import type { Expr, Program, Stmt } from './ir.js';
import { RUNTIME_FUNCS } from './ir.js';

/** Imports a chunk may call: pure math, error reports, clocks and the team's bookkeeping. */
const SAFE_IMPORTS = new Set(['now', 'wtime', 'thread_id', 'trace', 'cancelled', 'interrupted', 'joined']);
const safeImport = (base: string) => SAFE_IMPORTS.has(base) || /^(math_|err_|__m_)/.test(base);

function importReason(base: string): string {
  if (base.startsWith('print')) return 'it prints';
  if (base === 'imshow') return 'it shows an image';
  if (base === 'entropy') return 'it seeds random numbers';
  return `it calls ${base}()`;
}

/**
 * Reasons, per function of `p`, why code calling it cannot run on a cluster worker ('' when it
 * can). Computed once per program; recursion is resolved optimistically (a cycle adds no reason).
 */
export class ClusterPlan {
  private reasons = new Map<string, string>();
  private funcs: Map<string, Program['funcs'][number]>;
  private imports: Map<string, string>;

  constructor(p: Program) {
    this.funcs = new Map(p.funcs.map((f) => [f.name, f]));
    this.imports = new Map(p.imports.map((i) => [i.name, i.base]));
  }

  /** Why a parallel loop with this body cannot be distributed, or '' when it can. */
  loopReason(body: Stmt[]): string {
    return this.stmts(body);
  }

  private callReason(fn: string): string {
    const base = this.imports.get(fn);
    if (base !== undefined) return safeImport(base) ? '' : importReason(base);
    if (fn in RUNTIME_FUNCS) return 'it creates or frees arrays';
    const f = this.funcs.get(fn);
    if (!f) return ''; // the emitted math library: pure
    const known = this.reasons.get(fn);
    if (known !== undefined) return known;
    this.reasons.set(fn, '');
    const r = this.stmts(f.body);
    this.reasons.set(fn, r);
    return r;
  }

  private expr(e: Expr | null | undefined): string {
    if (!e) return '';
    switch (e.k) {
      case 'const': case 'get': case 'memsize': return '';
      case 'load': return this.expr(e.addr);
      case 'bin': return this.expr(e.a) || this.expr(e.b);
      case 'un': case 'cvt': return this.expr(e.a);
      case 'select': return this.expr(e.cond) || this.expr(e.a) || this.expr(e.b);
      case 'call': return this.callReason(e.fn) || this.exprs(e.args);
      case 'atomic': case 'cmpxchg': case 'wait': case 'notify': return 'it uses atomics or locks';
      case 'memgrow': return 'it grows memory';
      case 'simd': return this.exprs(e.args);
    }
    return '';
  }

  private exprs(es: Expr[]): string {
    for (const e of es) { const r = this.expr(e); if (r) return r; }
    return '';
  }

  private stmts(ss: Stmt[]): string {
    for (const s of ss) { const r = this.stmt(s); if (r) return r; }
    return '';
  }

  private stmt(s: Stmt): string {
    switch (s.k) {
      case 'set': return this.expr(s.value);
      case 'setm': return this.expr(s.call);
      case 'store': return this.expr(s.addr) || this.expr(s.value);
      case 'expr': return this.expr(s.e);
      case 'trap': return this.expr(s.call);
      case 'if': return this.expr(s.cond) || this.stmts(s.then) || this.stmts(s.else);
      case 'while': return this.expr(s.cond) || this.stmts(s.body);
      case 'for': return this.exprs([s.start, s.stop, s.step]) || this.stmts(s.body);
      case 'block': return this.stmts(s.body);
      case 'parfor': case 'region': return 'it contains a parallel loop or region';
      case 'alloc': case 'release': case 'retain': return 'it creates or frees arrays';
      case 'return': return this.exprs(s.values);
      case 'memfill': return this.exprs([s.dest, s.value, s.size]);
      case 'memcopy': return this.exprs([s.dest, s.src, s.size]);
      default: return '';
    }
  }
}
