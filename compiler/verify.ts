// The loop-IR verifier: checks what the emitter relies on (declared locals used at their type,
// operand types matching each node's `t` under the conventions in ir.ts, labels in scope, calls
// with the right arity and types, results matching) so a lowering or pass bug is reported by name
// here instead of surfacing as a Binaryen validation failure or a wrong answer. It runs after
// lowering and after each pass; an empty list means the program is well formed.
import type { BinOp, CvtOp, Expr, Func, Mem, Program, Stmt, UnOp, VT } from './ir.js';
import { CMP_OPS, RUNTIME_FUNCS, SIMD_OPS } from './ir.js';
import { printStmt } from './ir-print.js';
import { MAX_NDIM, STATIC_BASE } from '../runtime/layout.js';

const VTS: ReadonlySet<string> = new Set(['i32', 'i64', 'f32', 'f64', 'v128']);
const MEMS: ReadonlySet<string> = new Set(['u8', 'i8', 'u16', 'i16', 'i32', 'i64', 'f32', 'f64', 'v128']);
const isInt = (t: VT | null): boolean => t === 'i32' || t === 'i64';
const isFloat = (t: VT | null): boolean => t === 'f32' || t === 'f64';

const INT_BIN: ReadonlySet<BinOp> = new Set<BinOp>(['div_s', 'div_u', 'rem_s', 'rem_u', 'and', 'or', 'xor', 'shl', 'shr_s', 'shr_u',
  'lt_s', 'le_s', 'gt_s', 'ge_s', 'lt_u', 'le_u', 'gt_u', 'ge_u', 'min_u', 'max_u']);
const FLOAT_BIN: ReadonlySet<BinOp> = new Set<BinOp>(['div', 'lt', 'le', 'gt', 'ge', 'copysign']);
const ANY_BIN: ReadonlySet<BinOp> = new Set<BinOp>(['add', 'sub', 'mul', 'eq', 'ne', 'min', 'max']);
const INT_UN: ReadonlySet<UnOp> = new Set<UnOp>(['eqz', 'clz', 'ctz', 'popcnt', 'extend8_s', 'extend16_s']);
const FLOAT_UN: ReadonlySet<UnOp> = new Set<UnOp>(['sqrt', 'floor', 'ceil', 'trunc', 'nearest']);
const ANY_UN: ReadonlySet<UnOp> = new Set<UnOp>(['neg', 'abs']);

/** [source, destination] of each conversion. */
export const CVT_TYPES: Readonly<Record<CvtOp, readonly [VT, VT]>> = {
  'i32->i64': ['i32', 'i64'], 'i64->i32': ['i64', 'i32'], 'u32->i64': ['i32', 'i64'],
  'i32->f32': ['i32', 'f32'], 'i32->f64': ['i32', 'f64'], 'i64->f32': ['i64', 'f32'], 'i64->f64': ['i64', 'f64'],
  'f32->i32': ['f32', 'i32'], 'f32->i64': ['f32', 'i64'], 'f64->i32': ['f64', 'i32'], 'f64->i64': ['f64', 'i64'],
  'f32->f64': ['f32', 'f64'], 'f64->f32': ['f64', 'f32'],
  'u32->f32': ['i32', 'f32'], 'u32->f64': ['i32', 'f64'], 'u64->f32': ['i64', 'f32'], 'u64->f64': ['i64', 'f64'],
  'bits:f32->i32': ['f32', 'i32'], 'bits:i32->f32': ['i32', 'f32'], 'bits:f64->i64': ['f64', 'i64'], 'bits:i64->f64': ['i64', 'f64'],
};

/** The value type a memory access type loads as / stores from: bools (u8) travel as i32. */
export function memValueType(mem: Mem): VT {
  return mem === 'u8' || mem === 'i8' || mem === 'u16' || mem === 'i16' ? 'i32' : mem;
}

/** The type of the value an expression produces (null: a call returning nothing or several values). */
export function exprType(e: Expr): VT | null {
  if (e.k === 'bin' && CMP_OPS.has(e.op)) return 'i32';
  if (e.k === 'un' && e.op === 'eqz') return 'i32';
  return e.t;
}

interface Sig { params: VT[]; results: VT[] }
interface Label { name: string; isParfor: boolean }
/** What is in scope at a statement: loop labels (innermost last) up to the nearest parallel body. */
interface Scope { labels: Label[]; inParallel: boolean }

export function verifyIR(p: Program): string[] {
  const errs: string[] = [];
  const sigs = new Map<string, Sig>(Object.entries(RUNTIME_FUNCS));
  const defined = new Set<string>();

  for (const i of p.imports) {
    if (defined.has(i.name)) errs.push(`import ${i.name}: name defined twice`);
    defined.add(i.name);
    if (RUNTIME_FUNCS[i.name]) errs.push(`import ${i.name}: clashes with a runtime library function`);
    for (const t of i.params) if (!VTS.has(t)) errs.push(`import ${i.name}: bad parameter type ${t}`);
    if (i.result !== null && !VTS.has(i.result)) errs.push(`import ${i.name}: bad result type ${i.result}`);
    sigs.set(i.name, { params: i.params, results: i.result === null ? [] : [i.result] });
  }
  const exports = new Set<string>();
  for (const f of p.funcs) {
    if (defined.has(f.name)) errs.push(`func ${f.name}: name defined twice`);
    defined.add(f.name);
    const rt = RUNTIME_FUNCS[f.name];
    // The emitter verifies the program together with the runtime library, which defines these.
    if (rt && (rt.params.join() !== f.params.map((l) => l.t).join() || rt.results.join() !== f.results.join())) {
      errs.push(`func ${f.name}: differs from the runtime library's signature`);
    }
    sigs.set(f.name, { params: f.params.map((l) => l.t), results: f.results });
    if (f.exportAs !== undefined) {
      if (exports.has(f.exportAs)) errs.push(`func ${f.name}: export name "${f.exportAs}" used twice`);
      exports.add(f.exportAs);
    }
  }

  if (!Number.isInteger(p.dataBase) || p.dataBase < STATIC_BASE) errs.push(`data: dataBase ${p.dataBase} is below ${STATIC_BASE}`);
  if (!Number.isInteger(p.dataSize) || p.dataSize < 0) errs.push(`data: bad dataSize ${p.dataSize}`);
  for (const d of p.data) {
    if (!Number.isInteger(d.offset) || d.offset < p.dataBase || d.offset + d.bytes.length > p.dataBase + p.dataSize) {
      errs.push(`data: segment at ${d.offset} (${d.bytes.length} bytes) lies outside [${p.dataBase}, ${p.dataBase + p.dataSize})`);
    }
  }

  for (const f of p.funcs) new FuncVerifier(f, sigs, errs).run();
  return errs;
}

class FuncVerifier {
  private locals = new Map<string, VT>();
  /** The statement being checked, for messages. */
  private where = '';

  constructor(private f: Func, private sigs: Map<string, Sig>, private errs: string[]) {}

  private err(msg: string): void {
    this.errs.push(`func ${this.f.name}: ${msg}${this.where ? ` in \`${this.where}\`` : ''}`);
  }

  run(): void {
    for (const l of [...this.f.params, ...this.f.locals]) {
      if (this.locals.has(l.name)) this.err(`local ${l.name} declared twice`);
      if (!VTS.has(l.t)) this.err(`local ${l.name} has bad type ${l.t}`);
      this.locals.set(l.name, l.t);
    }
    for (const t of this.f.results) if (!VTS.has(t)) this.err(`bad result type ${t}`);
    this.stmts(this.f.body, { labels: [], inParallel: false });
  }

  private local(name: string, what: string): VT | null {
    const t = this.locals.get(name);
    if (t === undefined) this.err(`${what} ${name} is not declared`);
    return t ?? null;
  }

  private setLocal(name: string, t: VT | null): void {
    const lt = this.local(name, 'local');
    if (lt && t && lt !== t) this.err(`local ${name}: ${lt} is assigned a ${t}`);
  }

  /** Checks `e` and that it produces a `want`; returns its type. */
  private want(e: Expr, want: VT | readonly VT[], what: string): VT | null {
    const t = this.expr(e);
    const ok = typeof want === 'string' ? t === want : t !== null && want.includes(t);
    if (t && !ok) this.err(`${what} has type ${t}, expected ${typeof want === 'string' ? want : want.join(' or ')}`);
    return t;
  }

  /** Checks a call; returns its callee's signature when known. */
  private call(e: Expr & { k: 'call' }): Sig | null {
    const sig = this.sigs.get(e.fn);
    if (!sig) {
      this.err(`call of unknown function ${e.fn}`);
      for (const a of e.args) this.expr(a);
      return null;
    }
    if (e.args.length !== sig.params.length) this.err(`${e.fn} takes ${sig.params.length} arguments, given ${e.args.length}`);
    e.args.forEach((a, i) => (i < sig.params.length ? this.want(a, sig.params[i], `argument ${i + 1} of ${e.fn}`) : this.expr(a)));
    const single = sig.results.length === 1 ? sig.results[0] : null;
    if (e.t !== single) {
      this.err(`call of ${e.fn} has t ${e.t}, but it returns ${sig.results.length ? sig.results.join(', ') : 'nothing'} (t is null unless there is exactly one result)`);
    }
    return sig;
  }

  /** Checks an expression in a value position (no void calls) and returns its type. */
  private expr(e: Expr): VT | null {
    if (e.k === 'call') {
      this.call(e);
      if (e.t === null) this.err(`call of ${e.fn} without a single result used as a value`);
      return e.t;
    }
    return this.value(e);
  }

  private value(e: Expr): VT | null {
    if (e.k !== 'memsize' && e.k !== 'memgrow' && !VTS.has((e as { t: string }).t)) {
      this.err(`${e.k} has bad type ${(e as { t: string }).t}`);
      return null;
    }
    if (e.t === 'v128' && ['const', 'bin', 'un', 'cvt'].includes(e.k)) {
      this.err(`${e.k} of type v128 (SIMD values come from simd nodes and v128 loads)`);
      return null;
    }
    switch (e.k) {
      case 'simd': {
        const sig = SIMD_OPS[e.op];
        if (!sig) { this.err(`unknown SIMD op ${e.op}`); e.args.forEach((a) => this.expr(a)); return null; }
        if (e.t !== sig.result) this.err(`${e.op} has t ${e.t}, expected ${sig.result}`);
        if (e.args.length !== sig.args.length) this.err(`${e.op} takes ${sig.args.length} operands, given ${e.args.length}`);
        e.args.forEach((a, i) => (i < sig.args.length ? this.want(a, sig.args[i], `operand ${i + 1} of ${e.op}`) : this.expr(a)));
        const lanes = Number(/x(\d)$/.exec(e.op.split('.')[0])?.[1] ?? 0);
        if (sig.lane ? !(Number.isInteger(e.lane) && e.lane! >= 0 && e.lane! < lanes) : e.lane !== undefined) this.err(`${e.op} with lane ${e.lane}`);
        return sig.result;
      }
      case 'const': {
        const v = e.v;
        if (isInt(e.t)) {
          const [lo, hi] = e.t === 'i32' ? [-(2n ** 31n), 2n ** 32n] : [-(2n ** 63n), 2n ** 64n];
          if (typeof v === 'number' && !Number.isInteger(v)) this.err(`${e.t} constant ${v} is not an integer`);
          else if (BigInt(v) < lo || BigInt(v) >= hi) this.err(`${e.t} constant ${v} is out of range`);
        } else if (typeof v !== 'number') this.err(`${e.t} constant ${v} is not a number`);
        return e.t;
      }
      case 'get': {
        const t = this.local(e.name, 'local');
        if (t && t !== e.t) this.err(`get ${e.name} has t ${e.t}, but the local is ${t}`);
        return e.t;
      }
      case 'load':
        if (e.atomic && (e.mem === 'f32' || e.mem === 'f64' || e.mem === 'v128')) this.err(`atomic load of ${e.mem} (only integer memory is atomic)`);
        this.mem(e.mem, e.t, 'load');
        this.offset(e.offset, 'load');
        this.want(e.addr, 'i32', 'address');
        return e.t;
      case 'bin': {
        if (INT_BIN.has(e.op) ? !isInt(e.t) : FLOAT_BIN.has(e.op) ? !isFloat(e.t) : !ANY_BIN.has(e.op)) {
          this.err(`binary ${e.op} is not defined on ${e.t}`);
        }
        this.want(e.a, e.t, `left operand of ${e.op}`);
        this.want(e.b, e.t, `right operand of ${e.op}`);
        return exprType(e);
      }
      case 'un':
        if (INT_UN.has(e.op) ? !isInt(e.t) : FLOAT_UN.has(e.op) ? !isFloat(e.t) : !ANY_UN.has(e.op)) {
          this.err(`unary ${e.op} is not defined on ${e.t}`);
        }
        this.want(e.a, e.t, `operand of ${e.op}`);
        return exprType(e);
      case 'cvt': {
        const ts = CVT_TYPES[e.op];
        if (!ts) {
          this.err(`unknown conversion ${e.op}`);
          this.expr(e.a);
        } else {
          if (ts[1] !== e.t) this.err(`conversion ${e.op} has t ${e.t}, expected ${ts[1]}`);
          this.want(e.a, ts[0], `operand of ${e.op}`);
        }
        return e.t;
      }
      case 'select':
        this.want(e.cond, 'i32', 'select condition');
        this.want(e.a, e.t, 'select operand');
        this.want(e.b, e.t, 'select operand');
        return e.t;
      case 'call': return this.expr(e);
      case 'atomic':
      case 'cmpxchg':
        if (e.mem === 'f32' || e.mem === 'f64' || e.mem === 'v128') this.err(`atomic access to ${e.mem} (only integer memory is atomic)`);
        this.mem(e.mem, e.t, e.k);
        this.want(e.addr, 'i32', 'address');
        if (e.k === 'atomic') this.want(e.value, e.t, `operand of atomic ${e.op}`);
        else {
          this.want(e.expected, e.t, 'expected value of cmpxchg');
          this.want(e.replacement, e.t, 'replacement of cmpxchg');
        }
        return e.t;
      case 'memsize':
        if (e.t !== 'i32') this.err('memory.size has type i32');
        return 'i32';
      case 'wait':
        this.want(e.addr, 'i32', 'address'); this.want(e.expected, 'i32', 'expected value of wait'); this.want(e.timeout, 'i64', 'timeout of wait');
        return 'i32';
      case 'notify':
        this.want(e.addr, 'i32', 'address'); this.want(e.count, 'i32', 'count of notify');
        return 'i32';
      case 'memgrow':
        if (e.t !== 'i32') this.err('memory.grow has type i32');
        this.want(e.pages, 'i32', 'pages of memory.grow');
        return 'i32';
      default:
        this.err(`unknown expression kind ${(e as { k: string }).k}`);
        return null;
    }
  }

  private mem(mem: Mem, t: VT, what: string): void {
    if (!MEMS.has(mem)) this.err(`${what} of unknown memory type ${mem}`);
    else if (memValueType(mem) !== t) this.err(`${what}.${mem} has t ${t}, expected ${memValueType(mem)}`);
  }

  /** A load's or store's static offset: absent, or an integer in [0, 2^32). */
  private offset(offset: number | undefined, what: string): void {
    if (offset !== undefined && !(Number.isInteger(offset) && offset >= 0 && offset < 2 ** 32)) this.err(`${what} offset ${offset} is not an integer in [0, 2^32)`);
  }

  private stmts(ss: Stmt[], scope: Scope): void {
    for (const s of ss) {
      // Nested bodies set `where` to their own statements; the head's message names the head.
      this.where = printStmt(s).split('\n')[0];
      this.stmt(s, scope);
    }
  }

  private pushLabel(label: string, scope: Scope, isParfor: boolean): Scope {
    if (!label) this.err('loop without a label');
    if (scope.labels.some((l) => l.name === label)) this.err(`label ${label} shadows an enclosing loop's label`);
    return { labels: [...scope.labels, { name: label, isParfor }], inParallel: scope.inParallel };
  }

  private loop(s: Stmt & { k: 'for' | 'parfor' }, scope: Scope): Scope {
    if (!isInt(s.t)) this.err(`loop variable ${s.v} must be i32 or i64, not ${s.t}`);
    const vt = this.local(s.v, 'loop variable');
    if (vt && vt !== s.t) this.err(`loop variable ${s.v} is ${vt}, but the loop says ${s.t}`);
    this.want(s.start, s.t, 'loop start');
    this.want(s.stop, s.t, 'loop stop');
    this.want(s.step, s.t, 'loop step');
    if (s.step.k === 'const' && Number(s.step.v) === 0) this.err('loop step is the constant 0');
    return this.pushLabel(s.label, scope, s.k === 'parfor');
  }

  private stmt(s: Stmt, scope: Scope): void {
    switch (s.k) {
      case 'set': this.setLocal(s.name, this.expr(s.value)); break;
      case 'setm': {
        const sig = this.call(s.call);
        if (s.call.t !== null) this.err('the call of a setm has t null');
        if (new Set(s.names).size !== s.names.length) this.err('setm assigns a local twice');
        if (sig) {
          if (sig.results.length !== s.names.length) this.err(`${s.call.fn} returns ${sig.results.length} values, setm takes ${s.names.length}`);
          s.names.forEach((n, i) => this.setLocal(n, sig.results[i] ?? null));
        }
        break;
      }
      case 'store':
        if (!MEMS.has(s.mem)) this.err(`store of unknown memory type ${s.mem}`);
        this.offset(s.offset, 'store');
        this.want(s.addr, 'i32', 'address');
        if (MEMS.has(s.mem)) this.want(s.value, memValueType(s.mem), `value stored to ${s.mem}`);
        break;
      case 'expr':
        if (s.e.k === 'call') this.call(s.e);
        else this.expr(s.e);
        break;
      case 'trap': this.call(s.call); break;
      case 'if':
        this.want(s.cond, 'i32', 'condition');
        this.stmts(s.then, scope);
        this.stmts(s.else, scope);
        break;
      case 'while':
        this.want(s.cond, 'i32', 'condition');
        this.stmts(s.body, this.pushLabel(s.label, scope, false));
        break;
      case 'for':
        this.stmts(s.body, this.loop(s, scope));
        break;
      case 'parfor': {
        const inner = this.loop(s, scope);
        if (!['auto', 'static', 'dynamic', 'guided', 'runtime'].includes(s.schedule)) this.err(`unknown schedule ${s.schedule}`);
        if (s.chunk) this.want(s.chunk, ['i32', 'i64'], 'chunk');
        if (s.numThreads) this.want(s.numThreads, ['i32', 'i64'], 'num_threads');
        if (s.useIf) this.want(s.useIf, 'i32', 'if clause');
        for (const r of s.reductions) {
          const t = this.local(r.name, 'reduction variable');
          if (t && t !== r.t) this.err(`reduction variable ${r.name} is ${t}, but the reduction says ${r.t}`);
          if ((r.op === 'and' || r.op === 'or' || r.op === 'xor') && !isInt(r.t)) this.err(`reduction ${r.op} on ${r.t}`);
        }
        // Only the parfor's own label is visible inside (to `continue` it); nothing may leave the body.
        this.stmts(s.body, { labels: inner.labels.slice(-1), inParallel: true });
        break;
      }
      case 'region':
        for (const n of [s.threadNum, s.numThreadsVar]) {
          const t = this.local(n, 'region variable');
          if (t && !isInt(t)) this.err(`region variable ${n} must be an integer`);
        }
        if (s.numThreads) this.want(s.numThreads, ['i32', 'i64'], 'num_threads');
        if (s.useIf) this.want(s.useIf, 'i32', 'if clause');
        this.stmts(s.body, { labels: [], inParallel: true });
        break;
      case 'break':
      case 'continue': {
        const l = scope.labels.find((x) => x.name === s.label);
        if (!l) this.err(`${s.k} to label ${s.label}, which is not an enclosing loop${scope.inParallel ? ' inside this parallel body' : ''}`);
        else if (s.k === 'break' && l.isParfor) this.err(`break out of parallel loop ${s.label}`);
        break;
      }
      case 'return':
        if (scope.inParallel) this.err('return inside a parallel loop or region');
        if (s.values.length !== this.f.results.length) this.err(`returns ${s.values.length} values, the function has ${this.f.results.length} results`);
        s.values.forEach((v, i) => (i < this.f.results.length ? this.want(v, this.f.results[i], `return value ${i + 1}`) : this.expr(v)));
        break;
      case 'alloc':
        this.setLocal(s.name, 'i32');
        if (!Number.isInteger(s.ndim) || s.ndim < 0 || s.ndim > MAX_NDIM) this.err(`ndim ${s.ndim} is not in 0..${MAX_NDIM}`);
        if (s.shape.length !== s.ndim) this.err(`ndim ${s.ndim} but ${s.shape.length} extents`);
        if (![1, 2, 4, 8].includes(s.elemSize)) this.err(`element size ${s.elemSize} is not 1, 2, 4 or 8`);
        if (!Number.isInteger(s.dtypeCode) || s.dtypeCode < 0) this.err(`bad dtype code ${s.dtypeCode}`);
        for (const e of s.shape) this.want(e, ['i32', 'i64'], 'extent');
        break;
      case 'release':
      case 'retain':
        this.want(s.desc, 'i32', 'descriptor');
        break;
      case 'block': this.stmts(s.body, scope); break;
      case 'memfill':
        this.want(s.dest, 'i32', 'destination');
        this.want(s.value, 'i32', 'fill byte');
        this.want(s.size, 'i32', 'size');
        break;
      case 'memcopy':
        this.want(s.dest, 'i32', 'destination');
        this.want(s.src, 'i32', 'source');
        this.want(s.size, 'i32', 'size');
        break;
      default:
        this.err(`unknown statement kind ${(s as { k: string }).k}`);
    }
  }
}
