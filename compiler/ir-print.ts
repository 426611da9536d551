// Readable text for the loop IR (`par run --dump=ir`, verifier messages, test failures): one
// statement per line, nested bodies indented in braces, expressions in infix form with explicit
// signedness (`<s`, `/u`) and memory types (`load.f64[addr]`). Meant for people, not for re-parsing.
import type { BinOp, Expr, Func, Program, Stmt } from './ir.js';

const BIN_SYMBOL: Partial<Record<BinOp, string>> = {
  add: '+', sub: '-', mul: '*', div_s: '/s', div_u: '/u', rem_s: '%s', div: '/',
  and: '&', or: '|', xor: '^', shl: '<<', shr_s: '>>s', shr_u: '>>u',
  eq: '==', ne: '!=', lt_s: '<s', le_s: '<=s', gt_s: '>s', ge_s: '>=s', lt_u: '<u', le_u: '<=u', gt_u: '>u', ge_u: '>=u', rem_u: '%u',
  lt: '<', le: '<=', gt: '>', ge: '>=',
};

function printConst(e: Expr & { k: 'const' }): string {
  if (e.t === 'i32' || e.t === 'i64') return String(e.v);
  const v = Number(e.v);
  let s: string;
  if (Number.isNaN(v)) s = 'nan';
  else if (!Number.isFinite(v)) s = v > 0 ? 'inf' : '-inf';
  else if (Object.is(v, -0)) s = '-0.0';
  else if (Number.isInteger(v) && Math.abs(v) < 1e21) s = v.toFixed(1);
  else s = String(v);
  return e.t === 'f32' ? `${s}f` : s;
}

/** A load's or store's static offset, as `load.v128[p @16]`; nothing when it is 0. */
const offsetText = (offset: number | undefined): string => (offset ? ` @${offset}` : '');

export function printExpr(e: Expr): string {
  switch (e.k) {
    case 'const': return printConst(e);
    case 'get': return e.name;
    case 'load': return `${e.atomic ? 'atomic.' : ''}load.${e.mem}[${printExpr(e.addr)}${offsetText(e.offset)}]`;
    case 'bin': {
      const sym = BIN_SYMBOL[e.op];
      return sym ? `(${printExpr(e.a)} ${sym} ${printExpr(e.b)})` : `${e.op}(${printExpr(e.a)}, ${printExpr(e.b)})`;
    }
    case 'un':
      if (e.op === 'neg') return `(-${printExpr(e.a)})`;
      if (e.op === 'eqz') return `(!${printExpr(e.a)})`;
      return `${e.op}(${printExpr(e.a)})`;
    case 'cvt': return `${e.op}(${printExpr(e.a)})`;
    case 'select': return `select(${printExpr(e.cond)}, ${printExpr(e.a)}, ${printExpr(e.b)})`;
    case 'call': return `${e.fn}(${e.args.map(printExpr).join(', ')})`;
    case 'atomic': return `atomic.${e.op}.${e.mem}[${printExpr(e.addr)}](${printExpr(e.value)})`;
    case 'cmpxchg':
      return `cmpxchg.${e.mem}[${printExpr(e.addr)}](${printExpr(e.expected)}, ${printExpr(e.replacement)})`;
    case 'memsize': return 'memory.size';
    case 'memgrow': return `memory.grow(${printExpr(e.pages)})`;
    case 'wait': return `atomic.wait[${printExpr(e.addr)}](${printExpr(e.expected)}, ${printExpr(e.timeout)})`;
    case 'notify': return `atomic.notify[${printExpr(e.addr)}](${printExpr(e.count)})`;
    case 'simd': return `${e.op}${e.lane !== undefined ? `[${e.lane}]` : ''}(${e.args.map(printExpr).join(', ')})`;
    default: return `<unknown expr ${(e as { k: string }).k}>`;
  }
}

type LoopStmt = Stmt & { k: 'for' | 'parfor' };

function loopHead(s: LoopStmt): string {
  let h = `${s.label}: ${s.k} ${s.v}: ${s.t} = ${printExpr(s.start)} .. ${printExpr(s.stop)} step ${printExpr(s.step)}`;
  if (s.k === 'parfor') {
    h += ` schedule=${s.schedule}`;
    if (s.chunk) h += ` chunk=${printExpr(s.chunk)}`;
    if (s.numThreads) h += ` num_threads=${printExpr(s.numThreads)}`;
    if (s.useIf) h += ` if=${printExpr(s.useIf)}`;
    if (s.reductions.length) h += ` reduce(${s.reductions.map((r) => `${r.op} ${r.name}: ${r.t}`).join(', ')})`;
    h += ` line ${s.line}`;
  }
  return h;
}

/** Appends the lines of `ss` at indentation `depth` (two spaces a level). */
function printStmts(ss: Stmt[], depth: number, out: string[]): void {
  const pad = '  '.repeat(depth);
  const nested = (head: string, body: Stmt[]) => {
    out.push(`${pad}${head} {`);
    printStmts(body, depth + 1, out);
    out.push(`${pad}}`);
  };
  for (const s of ss) {
    switch (s.k) {
      case 'set': out.push(`${pad}${s.name} = ${printExpr(s.value)}`); break;
      case 'setm': out.push(`${pad}${s.names.join(', ')} = ${printExpr(s.call)}`); break;
      case 'store': out.push(`${pad}store.${s.mem}[${printExpr(s.addr)}${offsetText(s.offset)}] = ${printExpr(s.value)}`); break;
      case 'expr': out.push(`${pad}${printExpr(s.e)}`); break;
      case 'if':
        out.push(`${pad}if ${printExpr(s.cond)} {`);
        printStmts(s.then, depth + 1, out);
        if (s.else.length) {
          out.push(`${pad}} else {`);
          printStmts(s.else, depth + 1, out);
        }
        out.push(`${pad}}`);
        break;
      case 'while': nested(`${s.label}: while ${printExpr(s.cond)}`, s.body); break;
      case 'for':
      case 'parfor': nested(loopHead(s), s.body); break;
      case 'region': {
        let h = `region tid=${s.threadNum} nthreads=${s.numThreadsVar}`;
        if (s.numThreads) h += ` num_threads=${printExpr(s.numThreads)}`;
        if (s.useIf) h += ` if=${printExpr(s.useIf)}`;
        nested(`${h} line ${s.line}`, s.body);
        break;
      }
      case 'break': out.push(`${pad}break ${s.label}`); break;
      case 'continue': out.push(`${pad}continue ${s.label}`); break;
      case 'return': out.push(`${pad}return${s.values.length ? ' ' + s.values.map(printExpr).join(', ') : ''}`); break;
      case 'alloc':
        out.push(`${pad}${s.name} = alloc[${s.shape.map(printExpr).join(', ')}] dtype=${s.dtypeCode} elem=${s.elemSize}${s.uninit ? ' uninit' : ''}`);
        break;
      case 'release': out.push(`${pad}release ${printExpr(s.desc)}`); break;
      case 'retain': out.push(`${pad}retain ${printExpr(s.desc)}`); break;
      case 'trap': out.push(`${pad}trap ${printExpr(s.call)}`); break;
      case 'block': nested('block', s.body); break;
      case 'memfill': out.push(`${pad}memory.fill(${printExpr(s.dest)}, ${printExpr(s.value)}, ${printExpr(s.size)})`); break;
      case 'memcopy': out.push(`${pad}memory.copy(${printExpr(s.dest)}, ${printExpr(s.src)}, ${printExpr(s.size)})`); break;
      default: out.push(`${pad}<unknown stmt ${(s as { k: string }).k}>`);
    }
  }
}

export function printStmt(s: Stmt, depth = 0): string {
  const out: string[] = [];
  printStmts([s], depth, out);
  return out.join('\n');
}

export function printFunc(f: Func): string {
  const params = f.params.map((l) => `${l.name}: ${l.t}`).join(', ');
  const results = f.results.length === 0 ? '' : f.results.length === 1 ? ` -> ${f.results[0]}` : ` -> (${f.results.join(', ')})`;
  const exp = f.exportAs !== undefined ? ` export "${f.exportAs}"` : '';
  const out = [`func ${f.name}(${params})${results}${exp} {`];
  if (f.locals.length) out.push(`  local ${f.locals.map((l) => `${l.name}: ${l.t}`).join(', ')}`);
  printStmts(f.body, 1, out);
  out.push('}');
  return out.join('\n');
}

export function printIR(p: Program): string {
  const out: string[] = [];
  for (const i of p.imports) {
    out.push(`import ${i.name}(${i.params.join(', ')})${i.result ? ` -> ${i.result}` : ''} = ${i.module}.${i.base}`);
  }
  out.push(`data ${p.dataBase} .. ${p.dataBase + p.dataSize} (${p.dataSize} bytes)`);
  for (const d of p.data) out.push(`  segment ${d.offset}: ${d.bytes.length} bytes`);
  for (const f of p.funcs) out.push('', printFunc(f));
  return out.join('\n') + '\n';
}
