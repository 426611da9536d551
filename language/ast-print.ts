// `par run --dump=ast`: the AST as an indented S-expression, one node per line, each statement
// tagged with its line:col. Expression fields print in the order of ast.ts (as Python's ast), and
// statement blocks are labelled (body, orelse) so nesting is unambiguous. Golden tests diff this.
import type * as A from './ast.js';
import { lineCol } from './source.js';
import type { SourceFile, Span } from './source.js';

interface Tree { head: string; kids: Tree[] }
const leaf = (head: string): Tree => ({ head, kids: [] });

export function printAst(m: A.Module, file: SourceFile | undefined = m.file): string {
  const at = (s: Span) => {
    if (!file) return `@${s.start}`;
    const { line, col } = lineCol(file, s.start);
    return `@${line}:${col}`;
  };
  const block = (label: string, body: A.Stmt[]): Tree => ({ head: label, kids: body.map(stmt) });
  const param = (p: A.Param): Tree => ({
    head: `param ${p.name}`,
    kids: [
      ...(p.annotation ? [{ head: 'annotation', kids: [expr(p.annotation)] }] : []),
      ...(p.default ? [{ head: 'default', kids: [expr(p.default)] }] : []),
    ],
  });
  const opt = (e: A.Expr | null): Tree => (e ? expr(e) : leaf('_'));

  function stmt(s: A.Stmt): Tree {
    const h = (name: string) => `${name} ${at(s.span)}`;
    switch (s.kind) {
      case 'ExprStmt': return { head: h('Expr'), kids: [expr(s.expr)] };
      case 'Assign': return { head: h('Assign'), kids: [...s.targets.map(expr), expr(s.value)] };
      case 'AugAssign': return { head: h(`AugAssign ${s.op}=`), kids: [expr(s.target), expr(s.value)] };
      case 'AnnAssign':
        return { head: h('AnnAssign'), kids: [expr(s.target), expr(s.annotation), ...(s.value ? [expr(s.value)] : [])] };
      case 'If':
        return { head: h('If'), kids: [expr(s.test), block('body', s.body), ...(s.orelse.length ? [block('orelse', s.orelse)] : [])] };
      case 'While': return { head: h('While'), kids: [expr(s.test), block('body', s.body)] };
      case 'For': return { head: h('For'), kids: [expr(s.target), expr(s.iter), block('body', s.body)] };
      case 'Break': case 'Continue': case 'Pass': return leaf(h(s.kind));
      case 'Global': return leaf(`${h(s.kind)} ${s.names.join(', ')}`);
      case 'Return': return { head: h('Return'), kids: s.value ? [expr(s.value)] : [] };
      case 'FunctionDef':
        return {
          head: h(`FunctionDef ${s.name}`),
          kids: [...(s.decorators ?? []).map((d) => ({ head: 'decorator', kids: [expr(d)] })), ...s.params.map(param), ...(s.returns ? [{ head: 'returns', kids: [expr(s.returns)] }] : []), block('body', s.body)],
        };
      case 'With':
        return {
          head: h('With'),
          kids: [...s.items.map((i) => ({ head: i.asName ? `item as ${i.asName}` : 'item', kids: [expr(i.context)] })), block('body', s.body)],
        };
      case 'Raise': return { head: h('Raise'), kids: s.exc ? [expr(s.exc)] : [] };
      case 'Assert': return { head: h('Assert'), kids: [expr(s.test), ...(s.msg ? [expr(s.msg)] : [])] };
      case 'Import': return leaf(h(`Import ${s.module}${s.asName ? ` as ${s.asName}` : ''}`));
      case 'ImportFrom': {
        const names = s.names === '*' ? '*' : s.names.map((n) => (n.asName ? `${n.name} as ${n.asName}` : n.name)).join(', ');
        return leaf(h(`ImportFrom ${s.module} ${names}`));
      }
      default: return unreachable(s);
    }
  }

  function expr(e: A.Expr): Tree {
    switch (e.kind) {
      case 'Int': return leaf(`Int ${e.value}`);
      case 'Float': return leaf(`Float ${floatText(e.value)}`);
      case 'Imag': return leaf(`Imag ${floatText(e.value)}j`);
      case 'Bool': return leaf(`Bool ${e.value ? 'True' : 'False'}`);
      case 'Str': return leaf(`Str ${JSON.stringify(e.value)}`);
      case 'None': return leaf('None');
      case 'Name': return leaf(`Name ${e.id}`);
      case 'Unary': return { head: `Unary ${e.op}`, kids: [expr(e.operand)] };
      case 'Binary': return { head: `Binary ${e.op}`, kids: [expr(e.left), expr(e.right)] };
      case 'Compare': return { head: `Compare ${e.ops.join(' ')}`, kids: [expr(e.left), ...e.comparators.map(expr)] };
      case 'BoolOp': return { head: `BoolOp ${e.op}`, kids: e.values.map(expr) };
      case 'IfExp': return { head: 'IfExp', kids: [expr(e.test), expr(e.body), expr(e.orelse)] };
      case 'Call':
        return {
          head: 'Call',
          kids: [expr(e.func), ...e.args.map(expr), ...e.keywords.map((k) => ({ head: `keyword ${k.name}`, kids: [expr(k.value)] }))],
        };
      case 'Attribute': return { head: `Attribute .${e.attr}`, kids: [expr(e.value)] };
      case 'Subscript': return { head: 'Subscript', kids: [expr(e.value), ...e.index.map(expr)] };
      case 'Slice': return e.ellipsis ? { head: 'Ellipsis', kids: [] } : { head: 'Slice', kids: [opt(e.lower), opt(e.upper), opt(e.step)] };
      case 'Tuple': return { head: 'Tuple', kids: e.elts.map(expr) };
      case 'List': return { head: 'List', kids: e.elts.map(expr) };
      case 'Lambda': return { head: 'Lambda', kids: [...e.params.map(param), expr(e.body)] };
      case 'JoinedStr': return { head: 'JoinedStr', kids: fparts(e.parts) };
      case 'ListComp':
        return {
          head: e.generator ? 'GeneratorExp' : 'ListComp',
          kids: [expr(e.elt), ...e.generators.map((g) => ({ head: 'for', kids: [expr(g.target), expr(g.iter), ...g.ifs.map((c) => ({ head: 'if', kids: [expr(c)] }))] }))],
        };
      default: return unreachable(e);
    }
  }

  function fparts(parts: A.FStringPart[]): Tree[] {
    return parts.map((p) => typeof p === 'string' ? leaf(`Str ${JSON.stringify(p)}`)
      : { head: `FormattedValue${p.conversion ? ' !' + p.conversion : ''}`, kids: [expr(p.value), ...(p.spec ? [{ head: 'spec', kids: fparts(p.spec) }] : [])] });
  }

  const out: string[] = [];
  render({ head: 'Module', kids: m.body.map(stmt) }, '', out);
  return out.join('\n') + '\n';
}

function render(t: Tree, indent: string, out: string[]): void {
  if (t.kids.length === 0) {
    out.push(`${indent}(${t.head})`);
    return;
  }
  out.push(`${indent}(${t.head}`);
  for (const k of t.kids) render(k, indent + '  ', out);
  out[out.length - 1] += ')';
}

/** Floats keep a decimal point (`1.0`), as Python prints them, so they differ visibly from ints. */
function floatText(v: number): string {
  return Number.isInteger(v) && Math.abs(v) < 1e16 ? v.toFixed(1) : String(v);
}

function unreachable(x: never): never {
  throw new Error(`unexpected node ${JSON.stringify(x)}`);
}
