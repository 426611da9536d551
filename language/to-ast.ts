// The CST-to-AST visitor: turns Chevrotain's concrete tree into the nodes of ast.ts with accurate
// spans. It also reports what is easier to see on a tree than in the grammar: Python constructs
// outside Par's subset, invalid assignment targets, argument-order mistakes and `break`/`return`
// in the wrong place (Python reports these as SyntaxErrors too).
import type { CstElement, CstNode, IToken } from 'chevrotain';
import type * as A from './ast.js';
import { Code } from './diagnostics.js';
import type { DiagnosticBag } from './diagnostics.js';
import { lineCol } from './source.js';
import type { SourceFile, Span } from './source.js';
import { parser } from './parser.js';
import { decodeString, splitFString, type FPart } from './fstring.js';

type Ctx = Record<string, CstElement[] | undefined>;

/** Thrown to drop the statement being built: its CST is incomplete after error recovery, or it
 *  uses a construct already reported as unsupported. Caught per statement. */
class Skip extends Error {}

const valid = (n: number) => Number.isFinite(n);
function tokSpan(t: IToken): Span { return { start: t.startOffset, end: t.startOffset + t.image.length }; }
/** From the start of `a` to the end of `b`; tokens invented by error recovery have no position. */
function cover(a: Span | IToken, b: Span | IToken = a): Span {
  const sa = 'image' in a ? tokSpan(a) : a;
  const sb = 'image' in b ? tokSpan(b) : b;
  const start = valid(sa.start) ? sa.start : sb.start;
  const end = valid(sb.end) ? sb.end : sa.end;
  return { start, end };
}

const BaseVisitor = parser.getBaseCstVisitorConstructor();

interface Arg { keyword: A.Keyword | null; value: A.Expr; star?: true }

class AstBuilder extends BaseVisitor {
  private loops = 0;
  private functions = 0;
  /** Set once a block is missing: the lines after it were probably meant to be inside it, so
   *  "'return' outside function" there would only echo the first error. */
  private blocksBroken = false;

  constructor(private readonly file: SourceFile, private readonly diags: DiagnosticBag, private readonly recovering: boolean,
    private readonly parseEmbedded: ParseEmbedded) {
    super();
    this.validateVisitor();
  }

  // ---------------- access helpers ----------------
  private node(ctx: Ctx, key: string, i = 0): CstNode {
    const n = ctx[key]?.[i] as CstNode | undefined;
    if (!n || n.recoveredNode) throw new Skip();
    return n;
  }
  private tok(ctx: Ctx, key: string, i = 0): IToken {
    const t = ctx[key]?.[i] as IToken | undefined;
    if (!t) throw new Skip();
    return t;
  }
  private toks(ctx: Ctx, key: string): IToken[] { return (ctx[key] ?? []) as IToken[]; }
  private nodes(ctx: Ctx, key: string): CstNode[] { return (ctx[key] ?? []) as CstNode[]; }
  private has(ctx: Ctx, key: string): boolean { return (ctx[key]?.length ?? 0) > 0; }
  private sub<R>(ctx: Ctx, key: string, i = 0, param?: unknown): R { return this.visit(this.node(ctx, key, i), param) as R; }
  private expr(ctx: Ctx, key: string, i = 0): A.Expr { return this.sub<A.Expr>(ctx, key, i); }
  private optExpr(ctx: Ctx, key: string): A.Expr | null { return this.has(ctx, key) ? this.expr(ctx, key) : null; }

  private unsupported(what: string, span: Span): never {
    this.diags.error(Code.Unsupported, `${what} not supported in Par`, span);
    throw new Skip();
  }
  private syntax(message: string, span: Span): void { this.diags.error(Code.Syntax, message, span); }
  private misplaced(message: string, span: Span): void {
    if (!this.recovering && !this.blocksBroken) this.syntax(message, span);
  }

  /** Builds one statement's nodes; a Skip (or any failure while recovering from errors) drops it. */
  private guarded(build: () => A.Stmt[]): A.Stmt[] {
    const saved = [this.loops, this.functions];
    try {
      return build();
    } catch (e) {
      [this.loops, this.functions] = saved;
      if (e instanceof Skip || this.recovering) return [];
      throw e;
    }
  }

  // ---------------- statements ----------------
  module(ctx: Ctx): A.Stmt[] {
    return this.nodes(ctx, 'statement').flatMap((n) => this.guarded(() => this.visit(n) as A.Stmt[]));
  }

  statement(ctx: Ctx): A.Stmt[] {
    const key = Object.keys(ctx)[0];
    if (!key) throw new Skip();
    const n = this.node(ctx, key);
    const r = this.visit(n) as A.Stmt | A.Stmt[];
    return Array.isArray(r) ? r : [r];
  }

  simpleStmts(ctx: Ctx): A.Stmt[] {
    return this.nodes(ctx, 'smallStmt').flatMap((n) => this.guarded(() => this.visit(n) as A.Stmt[]));
  }

  smallStmt(ctx: Ctx): A.Stmt[] {
    for (const kind of ['Pass', 'Break', 'Continue'] as const) {
      if (!this.has(ctx, kind)) continue;
      const t = this.tok(ctx, kind);
      if (kind !== 'Pass' && this.loops === 0) this.misplaced(`'${t.image}' outside loop`, tokSpan(t));
      return [{ kind, span: tokSpan(t) }];
    }
    const key = Object.keys(ctx)[0];
    if (!key) throw new Skip();
    const r = this.sub<A.Stmt | A.Stmt[]>(ctx, key);
    return Array.isArray(r) ? r : [r];
  }

  exprStmt(ctx: Ctx): A.Stmt {
    const lhs = this.expr(ctx, 'lhs');
    if (this.has(ctx, 'annotation')) {
      const annotation = this.expr(ctx, 'annotation');
      const value = this.optExpr(ctx, 'annValue');
      if (lhs.kind === 'Tuple') this.syntax('only a single target (not a tuple) can be annotated', lhs.span);
      else this.checkTarget(lhs);
      return { kind: 'AnnAssign', target: lhs, annotation, value, span: cover(lhs.span, (value ?? annotation).span) };
    }
    if (this.has(ctx, 'augValue')) {
      const opTok = this.tok(ctx, 'AugAssign');
      const value = this.expr(ctx, 'augValue');
      if (lhs.kind === 'Tuple' || lhs.kind === 'List') this.syntax('cannot use augmented assignment on a tuple', lhs.span);
      else this.checkTarget(lhs);
      const op = opTok.image.slice(0, -1) as A.BinaryOp;
      return { kind: 'AugAssign', target: lhs, op, value, span: cover(lhs.span, value.span) };
    }
    if (this.has(ctx, 'rhs')) {
      const rhs = this.nodes(ctx, 'rhs').map((_, i) => this.expr(ctx, 'rhs', i));
      const value = rhs.pop()!;
      const targets = [lhs, ...rhs].map((t) => this.checkTarget(t));
      return { kind: 'Assign', targets, value, span: cover(lhs.span, value.span) };
    }
    return { kind: 'ExprStmt', expr: lhs, span: lhs.span };
  }

  /** Targets are names, subscripts, attributes, or tuples of them (a list target becomes a tuple). */
  private checkTarget(e: A.Expr): A.Expr {
    switch (e.kind) {
      case 'Name': case 'Subscript': case 'Attribute':
        return e;
      case 'Tuple': case 'List':
        return { kind: 'Tuple', elts: e.elts.map((x) => this.checkTarget(x)), span: e.span };
      default:
        this.syntax(`cannot assign to ${describeExpr(e)}`, e.span);
        return e;
    }
  }

  returnStmt(ctx: Ctx): A.Return {
    const kw = this.tok(ctx, 'Return');
    const value = this.optExpr(ctx, 'testList');
    if (this.functions === 0) this.misplaced("'return' outside function", tokSpan(kw));
    return { kind: 'Return', value, span: cover(kw, value?.span ?? kw) };
  }

  raiseStmt(ctx: Ctx): A.Raise {
    const kw = this.tok(ctx, 'Raise');
    if (this.has(ctx, 'From')) this.unsupported("'raise ... from' is", cover(this.tok(ctx, 'From'), this.expr(ctx, 'cause').span));
    const exc = this.optExpr(ctx, 'exc');
    return { kind: 'Raise', exc, span: cover(kw, exc?.span ?? kw) };
  }

  assertStmt(ctx: Ctx): A.Assert {
    const kw = this.tok(ctx, 'Assert');
    const test = this.expr(ctx, 'cond');
    const msg = this.optExpr(ctx, 'msg');
    return { kind: 'Assert', test, msg, span: cover(kw, (msg ?? test).span) };
  }

  importStmt(ctx: Ctx): A.Import[] {
    const kw = this.tok(ctx, 'Import');
    return this.nodes(ctx, 'dottedAsName').map((_, i) => {
      const item = this.sub<{ module: string; asName: string | null; span: Span }>(ctx, 'dottedAsName', i);
      return { kind: 'Import', module: item.module, asName: item.asName, span: i === 0 ? cover(kw, item.span) : item.span };
    });
  }

  dottedAsName(ctx: Ctx): { module: string; asName: string | null; span: Span } {
    const name = this.sub<{ name: string; span: Span }>(ctx, 'dottedName');
    const as = this.toks(ctx, 'Identifier')[0];
    return { module: name.name, asName: as?.image ?? null, span: cover(name.span, as ?? name.span) };
  }

  dottedName(ctx: Ctx): { name: string; span: Span } {
    const parts = this.toks(ctx, 'Identifier');
    if (parts.length === 0) throw new Skip();
    return { name: parts.map((t) => t.image).join('.'), span: cover(parts[0], parts[parts.length - 1]) };
  }

  importFrom(ctx: Ctx): A.ImportFrom {
    const kw = this.tok(ctx, 'From');
    const dots = this.toks(ctx, 'relative');
    if (dots.length > 0) this.unsupported('relative imports are', cover(dots[0], dots[dots.length - 1]));
    const module = this.sub<{ name: string }>(ctx, 'dottedName').name;
    let names: A.ImportFrom['names'];
    let last: Span | IToken;
    if (this.has(ctx, 'Star')) {
      names = '*';
      last = this.tok(ctx, 'Star');
    } else {
      const r = this.sub<{ names: { name: string; asName: string | null }[]; span: Span }>(ctx, 'importAsNames');
      names = r.names;
      last = this.toks(ctx, 'RParen')[0] ?? r.span;
    }
    return { kind: 'ImportFrom', module, names, span: cover(kw, last) };
  }

  importAsNames(ctx: Ctx): { names: { name: string; asName: string | null }[]; span: Span } {
    const items = this.nodes(ctx, 'importAsName').map((_, i) => this.sub<{ name: string; asName: string | null; span: Span }>(ctx, 'importAsName', i));
    const names = items.map(({ name, asName }) => ({ name, asName }));
    return { names, span: cover(items[0].span, items[items.length - 1].span) };
  }

  importAsName(ctx: Ctx): { name: string; asName: string | null; span: Span } {
    const name = this.tok(ctx, 'name');
    const as = this.toks(ctx, 'asName')[0];
    return { name: name.image, asName: as?.image ?? null, span: cover(name, as ?? name) };
  }

  globalStmt(ctx: Ctx): A.Global {
    const kw = this.toks(ctx, 'Global')[0];
    // Par has no nested functions, so there is no enclosing scope for 'nonlocal' to name.
    if (!kw) this.unsupported("'nonlocal' is", tokSpan(this.tok(ctx, 'Nonlocal')));
    const names = this.toks(ctx, 'Identifier');
    return { kind: 'Global', names: names.map((t) => t.image), span: cover(kw, names[names.length - 1]) };
  }

  delStmt(ctx: Ctx): never { this.unsupported("'del' is", tokSpan(this.tok(ctx, 'Del'))); }

  suite(ctx: Ctx, owner: { kw: IToken; what: string }): A.Stmt[] {
    if (this.has(ctx, 'simpleStmts')) return this.sub<A.Stmt[]>(ctx, 'simpleStmts');
    if (this.has(ctx, 'missingBlock')) {
      // Python's wording; the caret goes on the line that should have been indented.
      const nl = this.tok(ctx, 'missingBlock');
      const text = this.file.text;
      const at = /(?:\s|#[^\n]*)*/y;
      at.lastIndex = nl.startOffset + nl.image.length;
      const start = Math.min(at.exec(text) ? at.lastIndex : text.length, text.length);
      const word = /\w+|\S|/y;
      word.lastIndex = start;
      const end = start + (word.exec(text)?.[0].length ?? 0);
      const line = lineCol(this.file, owner.kw.startOffset).line;
      this.diags.error(Code.BadIndent, `expected an indented block after ${owner.what} on line ${line}`, { start, end });
      this.blocksBroken = true;
      return [];
    }
    return this.nodes(ctx, 'statement').flatMap((n) => this.guarded(() => this.visit(n) as A.Stmt[]));
  }

  /** The statements of a suite; `kw` and `what` name its header for a missing-block message. */
  private block(ctx: Ctx, key: string, i: number, kw: IToken, what: string): A.Stmt[] {
    return this.sub<A.Stmt[]>(ctx, key, i, { kw, what });
  }
  /** The span of a compound statement: from its keyword to the end of its last nested statement. */
  private compound(kw: IToken, header: Span, ...blocks: A.Stmt[][]): Span {
    for (let i = blocks.length - 1; i >= 0; i--) {
      const b = blocks[i];
      if (b.length > 0) return cover(kw, b[b.length - 1].span);
    }
    return cover(kw, header);
  }

  ifStmt(ctx: Ctx): A.If {
    const head = this.sub<{ kw: IToken; test: A.Expr; end: Span }>(ctx, 'ifHeader');
    const body = this.block(ctx, 'body', 0, head.kw, "'if' statement");
    let orelse: A.Stmt[] = this.has(ctx, 'orelse') ? this.elseBlock(ctx) : [];
    const elifs = this.nodes(ctx, 'elifHeader');
    for (let i = elifs.length - 1; i >= 0; i--) {
      const h = this.sub<{ kw: IToken; test: A.Expr; end: Span }>(ctx, 'elifHeader', i);
      const b = this.block(ctx, 'elifBody', i, h.kw, "'elif' statement");
      orelse = [{ kind: 'If', test: h.test, body: b, orelse, span: this.compound(h.kw, h.end, b, orelse) }];
    }
    return { kind: 'If', test: head.test, body, orelse, span: this.compound(head.kw, head.end, body, orelse) };
  }

  private elseBlock(ctx: Ctx): A.Stmt[] {
    return this.block(ctx, 'orelse', 0, this.sub<IToken>(ctx, 'elseHeader'), "'else' statement");
  }

  ifHeader(ctx: Ctx) { return this.condHeader(ctx, 'If'); }
  elifHeader(ctx: Ctx) { return this.condHeader(ctx, 'Elif'); }
  whileHeader(ctx: Ctx) { return this.condHeader(ctx, 'While'); }
  private condHeader(ctx: Ctx, kwKey: string): { kw: IToken; test: A.Expr; end: Span } {
    const kw = this.tok(ctx, kwKey);
    const test = this.expr(ctx, 'test');
    return { kw, test, end: cover(kw, this.toks(ctx, 'Colon')[0] ?? test.span) };
  }
  elseHeader(ctx: Ctx): IToken { return this.tok(ctx, 'Else'); }

  whileStmt(ctx: Ctx): A.While {
    const head = this.sub<{ kw: IToken; test: A.Expr; end: Span }>(ctx, 'whileHeader');
    this.loopElse(ctx);
    const body = this.loop(() => this.block(ctx, 'body', 0, head.kw, "'while' statement"));
    return { kind: 'While', test: head.test, body, span: this.compound(head.kw, head.end, body) };
  }

  private loop<R>(f: () => R): R {
    this.loops++;
    try { return f(); } finally { this.loops--; }
  }
  private loopElse(ctx: Ctx): void {
    if (this.has(ctx, 'elseHeader')) this.unsupported("'else' on a loop is", tokSpan(this.sub<IToken>(ctx, 'elseHeader')));
  }

  forStmt(ctx: Ctx): A.For {
    const head = this.sub<{ kw: IToken; target: A.Expr; iter: A.Expr; end: Span }>(ctx, 'forHeader');
    this.loopElse(ctx);
    const body = this.loop(() => this.block(ctx, 'body', 0, head.kw, "'for' statement"));
    return { kind: 'For', target: head.target, iter: head.iter, body, span: this.compound(head.kw, head.end, body) };
  }

  forHeader(ctx: Ctx): { kw: IToken; target: A.Expr; iter: A.Expr; end: Span } {
    const kw = this.tok(ctx, 'For');
    const target = this.checkTarget(this.expr(ctx, 'target'));
    const iter = this.expr(ctx, 'iter');
    return { kw, target, iter, end: cover(kw, this.toks(ctx, 'Colon')[0] ?? iter.span) };
  }

  funcDef(ctx: Ctx): A.FunctionDef {
    const head = this.sub<Omit<A.FunctionDef, 'kind' | 'body' | 'span'> & { kw: IToken; end: Span }>(ctx, 'funcHeader');
    const saved = this.loops;
    this.loops = 0;
    this.functions++;
    let body: A.Stmt[];
    try {
      body = this.block(ctx, 'body', 0, head.kw, 'function definition');
    } finally {
      this.loops = saved;
      this.functions--;
    }
    const { kw, end, ...sig } = head;
    return { kind: 'FunctionDef', ...sig, body, span: this.compound(kw, end, body) };
  }

  funcHeader(ctx: Ctx) {
    const kw = this.tok(ctx, 'Def');
    const name = this.tok(ctx, 'name');
    const params = this.paramList(ctx, 'param', 'function definition');
    const returns = this.optExpr(ctx, 'returns');
    const end = cover(kw, this.toks(ctx, 'Colon')[0] ?? returns?.span ?? name);
    return { kw, end, name: name.image, nameSpan: tokSpan(name), params, returns };
  }

  /** Parameters, with Python's checks: no duplicates, no required parameter after a default. */
  private paramList(ctx: Ctx, key: string, where: string): A.Param[] {
    const params = this.nodes(ctx, key).map((_, i) => this.sub<A.Param>(ctx, key, i));
    const seen = new Set<string>();
    let sawDefault = false;
    for (const p of params) {
      if (seen.has(p.name)) this.syntax(`duplicate parameter '${p.name}' in ${where}`, p.span);
      seen.add(p.name);
      if (p.default) sawDefault = true;
      else if (sawDefault) this.syntax('a parameter without a default follows a parameter with a default', p.span);
    }
    return params;
  }

  param(ctx: Ctx): A.Param {
    this.rejectStarParam(ctx);
    const name = this.tok(ctx, 'name');
    const annotation = this.optExpr(ctx, 'annotation');
    const dflt = this.optExpr(ctx, 'default');
    return { name: name.image, annotation, default: dflt, span: cover(name, (dflt ?? annotation)?.span ?? name) };
  }

  private rejectStarParam(ctx: Ctx): void {
    const star = this.toks(ctx, 'Star')[0] ?? this.toks(ctx, 'Pow')[0];
    if (!star) return;
    const name = this.toks(ctx, 'starName')[0];
    const span = cover(star, name ?? star);
    if (!name) this.unsupported("keyword-only parameters (a bare '*') are", span);
    this.unsupported(star.image === '*' ? `'*${name.image}' parameters are` : `'**${name.image}' parameters are`, span);
  }

  withStmt(ctx: Ctx): A.With {
    const head = this.sub<{ kw: IToken; items: A.WithItem[]; end: Span }>(ctx, 'withHeader');
    const body = this.block(ctx, 'body', 0, head.kw, "'with' statement");
    return { kind: 'With', items: head.items, body, span: this.compound(head.kw, head.end, body) };
  }

  withHeader(ctx: Ctx): { kw: IToken; items: A.WithItem[]; end: Span } {
    const kw = this.tok(ctx, 'With');
    const items = this.nodes(ctx, 'withItem').map((_, i) => this.sub<A.WithItem>(ctx, 'withItem', i));
    return { kw, items, end: cover(kw, this.toks(ctx, 'Colon')[0] ?? items[items.length - 1].span) };
  }

  withItem(ctx: Ctx): A.WithItem {
    const context = this.expr(ctx, 'test');
    const as = this.toks(ctx, 'Identifier')[0];
    return { context, asName: as?.image ?? null, span: cover(context.span, as ?? context.span) };
  }

  // ---- rejected statements: reported once, their contents are not examined ----
  classDef(ctx: Ctx): never { this.unsupported('classes are', this.headerSpan(ctx, 'classHeader', 'Class')); }
  classHeader(): void {}
  tryStmt(ctx: Ctx): never { this.unsupported("'try' statements are", this.headerSpan(ctx, 'tryHeader', 'Try')); }
  tryHeader(): void {}
  exceptHeader(): void {}
  finallyHeader(): void {}
  /** Decorators are kept on the function; compat.ts decides which ones Par understands. */
  decorated(ctx: Ctx): A.FunctionDef {
    const decorators = this.nodes(ctx, 'test').map((_, i) => this.expr(ctx, 'test', i));
    if (this.has(ctx, 'classDef')) this.sub<never>(ctx, 'classDef');
    if (this.has(ctx, 'asyncStmt')) this.sub<never>(ctx, 'asyncStmt');
    const def = this.sub<A.FunctionDef>(ctx, 'funcDef');
    return { ...def, decorators, span: cover(this.tok(ctx, 'At'), def.span) };
  }
  asyncStmt(ctx: Ctx): never { this.unsupported("'async' is", tokSpan(this.tok(ctx, 'Async'))); }
  private headerSpan(ctx: Ctx, header: string, kwKey: string): Span {
    const h = this.node(ctx, header).children as Ctx;
    const kw = this.tok(h, kwKey);
    return cover(kw, this.toks(h, 'Identifier')[0] ?? kw);
  }

  // ---------------- expressions ----------------
  testList(ctx: Ctx): A.Expr { return this.sequence(ctx, 'test'); }
  exprList(ctx: Ctx): A.Expr { return this.sequence(ctx, 'binary'); }
  /** One expression, or a bare tuple when there is a comma (`return a, b`, `x = 1,`). */
  private sequence(ctx: Ctx, key: string): A.Expr {
    const elts = this.nodes(ctx, key).map((_, i) => this.expr(ctx, key, i));
    if (elts.length === 0) throw new Skip();
    const commas = this.toks(ctx, 'Comma');
    if (commas.length === 0) return elts[0];
    const last = commas.length >= elts.length ? commas[commas.length - 1] : elts[elts.length - 1].span;
    return { kind: 'Tuple', elts, span: cover(elts[0].span, last) };
  }

  test(ctx: Ctx): A.Expr {
    if (this.has(ctx, 'lambdef')) return this.expr(ctx, 'lambdef');
    const body = this.expr(ctx, 'body');
    if (!this.has(ctx, 'If')) return body;
    const test = this.expr(ctx, 'cond');
    const orelse = this.expr(ctx, 'orelse');
    return { kind: 'IfExp', test, body, orelse, span: cover(body.span, orelse.span) };
  }

  lambdef(ctx: Ctx): A.Lambda {
    const kw = this.tok(ctx, 'Lambda');
    const params = this.paramList(ctx, 'lambdaParam', 'lambda');
    const body = this.expr(ctx, 'body');
    return { kind: 'Lambda', params, body, span: cover(kw, body.span) };
  }

  lambdaParam(ctx: Ctx): A.Param {
    this.rejectStarParam(ctx);
    const name = this.tok(ctx, 'name');
    const dflt = this.optExpr(ctx, 'default');
    return { name: name.image, annotation: null, default: dflt, span: cover(name, dflt?.span ?? name) };
  }

  orTest(ctx: Ctx): A.Expr { return this.boolOp(ctx, 'andTest', 'or'); }
  andTest(ctx: Ctx): A.Expr { return this.boolOp(ctx, 'notTest', 'and'); }
  private boolOp(ctx: Ctx, key: string, op: 'and' | 'or'): A.Expr {
    const values = this.nodes(ctx, key).map((_, i) => this.expr(ctx, key, i));
    if (values.length === 0) throw new Skip();
    if (values.length === 1) return values[0];
    return { kind: 'BoolOp', op, values, span: cover(values[0].span, values[values.length - 1].span) };
  }

  notTest(ctx: Ctx): A.Expr {
    if (!this.has(ctx, 'Not')) return this.expr(ctx, 'comparison');
    const kw = this.tok(ctx, 'Not');
    const operand = this.expr(ctx, 'notTest');
    return { kind: 'Unary', op: 'not', operand, span: cover(kw, operand.span) };
  }

  comparison(ctx: Ctx): A.Expr {
    const operands = this.nodes(ctx, 'binary').map((_, i) => this.expr(ctx, 'binary', i));
    if (operands.length === 0) throw new Skip();
    if (operands.length === 1) return operands[0];
    const ops = this.nodes(ctx, 'compOp').map((_, i) => this.sub<A.CompareOp>(ctx, 'compOp', i));
    const [left, ...comparators] = operands;
    if (ops.length !== comparators.length) throw new Skip();
    return { kind: 'Compare', left, ops, comparators, span: cover(left.span, comparators[comparators.length - 1].span) };
  }

  compOp(ctx: Ctx): A.CompareOp {
    if (this.has(ctx, 'CompareOp')) return this.tok(ctx, 'CompareOp').image as A.CompareOp;
    if (this.has(ctx, 'Is')) return this.has(ctx, 'Not') ? 'is not' : 'is';
    return this.has(ctx, 'Not') ? 'not in' : 'in';
  }

  /** Groups the flat operator list by Python's precedence (all left-associative), by
   *  precedence climbing: `a - b * c - d` is `(a - (b * c)) - d`. */
  binary(ctx: Ctx): A.Expr {
    const ops = this.toks(ctx, 'BinaryOp');
    const operands = this.nodes(ctx, 'factor');
    if (operands.length !== ops.length + 1) throw new Skip();
    let next = 0; // operand `next` is followed by operator `next`
    const climb = (minPrec: number): A.Expr => {
      let left = this.expr(ctx, 'factor', next);
      while (next < ops.length && precedence[ops[next].image] >= minPrec) {
        const op = ops[next++];
        const right = climb(precedence[op.image] + 1);
        left = { kind: 'Binary', op: op.image as A.BinaryOp, left, right, span: cover(left.span, right.span) };
      }
      return left;
    };
    return climb(0);
  }

  factor(ctx: Ctx): A.Expr {
    if (this.has(ctx, 'UnaryOp')) {
      const op = this.tok(ctx, 'UnaryOp');
      const operand = this.expr(ctx, 'operand');
      return { kind: 'Unary', op: op.image as A.UnaryOp, operand, span: cover(op, operand.span) };
    }
    if (this.has(ctx, 'Await')) this.unsupported("'await' is", tokSpan(this.tok(ctx, 'Await')));
    let e = this.expr(ctx, 'atom');
    for (let i = 0; i < this.nodes(ctx, 'trailer').length; i++) e = this.sub<A.Expr>(ctx, 'trailer', i, e);
    if (!this.has(ctx, 'Pow')) return e;
    const exp = this.expr(ctx, 'exponent');
    return { kind: 'Binary', op: '**', left: e, right: exp, span: cover(e.span, exp.span) };
  }

  /** A call, subscript or attribute applied to `value`, the expression built so far. */
  trailer(ctx: Ctx, value: A.Expr): A.Expr {
    if (this.has(ctx, 'Dot')) {
      const attr = this.tok(ctx, 'Identifier');
      // numpy.newaxis is None (so np.newaxis and newaxis index like None).
      if (attr.image === 'newaxis' && value.kind === 'Name') return { kind: 'None', span: cover(value.span, attr) };
      return { kind: 'Attribute', value, attr: attr.image, attrSpan: tokSpan(attr), span: cover(value.span, attr) };
    }
    if (this.has(ctx, 'LBracket')) {
      const index = this.nodes(ctx, 'subscript').map((_, i) => this.expr(ctx, 'subscript', i));
      const close = this.toks(ctx, 'RBracket')[0];
      return { kind: 'Subscript', value, index, span: cover(value.span, close ?? index[index.length - 1].span) };
    }
    const args = this.has(ctx, 'argList') ? this.sub<Arg[]>(ctx, 'argList') : [];
    const close = this.tok(ctx, 'RParen');
    const call: A.Call = { kind: 'Call', func: value, args: [], keywords: [], span: cover(value.span, close) };
    for (const a of args) {
      if (a.keyword) {
        if (call.keywords.some((k) => k.name === a.keyword!.name)) {
          this.syntax(`keyword argument repeated: '${a.keyword.name}'`, a.keyword.span);
        }
        call.keywords.push(a.keyword);
      } else {
        if (call.keywords.length > 0 && !a.star) this.syntax('positional argument follows keyword argument', a.value.span);
        if (a.star) (call.stars ??= []).push(call.args.length);
        call.args.push(a.value);
      }
    }
    return call;
  }

  subscript(ctx: Ctx): A.Expr {
    if (this.has(ctx, 'Ellipsis')) return { kind: 'Slice', lower: null, upper: null, step: null, ellipsis: true, span: tokSpan(this.tok(ctx, 'Ellipsis')) };
    const lower = this.optExpr(ctx, 'lower');
    if (!this.has(ctx, 'sliceTail')) {
      if (!lower) throw new Skip();
      return lower;
    }
    const tail = this.sub<{ upper: A.Expr | null; step: A.Expr | null; first: IToken; last: Span | IToken }>(ctx, 'sliceTail');
    return { kind: 'Slice', lower, upper: tail.upper, step: tail.step, span: cover(lower?.span ?? tail.first, tail.last) };
  }

  sliceTail(ctx: Ctx) {
    const colons = this.toks(ctx, 'Colon');
    const upper = this.optExpr(ctx, 'upper');
    const step = this.optExpr(ctx, 'step');
    const first = this.tok(ctx, 'Colon');
    const last = step?.span ?? colons[1] ?? upper?.span ?? first;
    return { upper, step, first, last };
  }

  argList(ctx: Ctx): Arg[] {
    return this.nodes(ctx, 'argument').map((_, i) => this.sub<Arg>(ctx, 'argument', i));
  }

  argument(ctx: Ctx): Arg {
    const star = this.toks(ctx, 'Star')[0] ?? this.toks(ctx, 'Pow')[0];
    if (star?.image === '**') this.unsupported("argument unpacking with '**' is", cover(star, this.expr(ctx, 'starred').span));
    // `f(*t)`: the checker expands it, per specialization, into the tuple's items.
    if (star) return { keyword: null, value: this.expr(ctx, 'starred'), star: true };
    let value = this.expr(ctx, 'value');
    // `sum(x * x for x in xs)`: a generator expression as the only argument.
    if (this.has(ctx, 'compFor')) value = { kind: 'ListComp', elt: value, generators: this.sub<A.Comprehension[]>(ctx, 'compFor'), generator: true, span: cover(value.span, this.compForEnd(ctx)) };
    if (!this.has(ctx, 'keyword')) return { keyword: null, value };
    const name = this.tok(ctx, 'keyword');
    return { keyword: { name: name.image, value, span: cover(name, value.span) }, value };
  }

  private compForEnd(ctx: Ctx): Span {
    const n = this.node(ctx, 'compFor');
    return lastToken(n) ? tokSpan(lastToken(n)!) : { start: NaN, end: NaN };
  }

  atom(ctx: Ctx): A.Expr {
    const open = this.toks(ctx, 'LParen')[0] ?? this.toks(ctx, 'LBracket')[0] ?? this.toks(ctx, 'LBrace')[0];
    if (open) {
      const close = this.toks(ctx, 'RParen')[0] ?? this.toks(ctx, 'RBracket')[0] ?? this.toks(ctx, 'RBrace')[0];
      const span = cover(open, close ?? open);
      if (open.image === '{') {
        const what = this.has(ctx, 'dictOrSet') ? this.sub<string>(ctx, 'dictOrSet') : 'dict displays are';
        this.unsupported(what, span);
      }
      const list = open.image === '[';
      if (!this.has(ctx, 'testListComp')) return list ? { kind: 'List', elts: [], span } : { kind: 'Tuple', elts: [], span };
      const inner = this.sub<{ elts: A.Expr[]; comma: boolean; comp: A.Comprehension[] | null }>(ctx, 'testListComp');
      if (inner.comp) return { kind: 'ListComp', elt: inner.elts[0], generators: inner.comp, ...(list ? {} : { generator: true as const }), span };
      if (list) return { kind: 'List', elts: inner.elts, span };
      if (inner.comma) return { kind: 'Tuple', elts: inner.elts, span };
      // A parenthesized expression: widen its span to include the parentheses.
      return { ...inner.elts[0], span };
    }
    if (this.has(ctx, 'StringLit')) return this.strings(this.toks(ctx, 'StringLit'));
    const t = Object.values(ctx)[0]?.[0] as IToken | undefined;
    if (!t || !('image' in t)) throw new Skip();
    const span = tokSpan(t);
    switch (t.tokenType.name) {
      case 'Identifier': return t.image === 'newaxis' ? { kind: 'None', span } : { kind: 'Name', id: t.image, span };
      case 'IntLit': return { kind: 'Int', value: intValue(t.image), span };
      case 'FloatLit': return { kind: 'Float', value: Number(t.image.replace(/_/g, '')), span };
      case 'ImagLit': return { kind: 'Imag', value: Number(t.image.slice(0, -1).replace(/_/g, '')), span };
      case 'True': return { kind: 'Bool', value: true, span };
      case 'False': return { kind: 'Bool', value: false, span };
      case 'None': return { kind: 'None', span };
      case 'Yield': return this.unsupported("'yield' is", span);
      default: throw new Skip();
    }
  }

  /** Adjacent literals concatenate, as in Python: `"a" "b"` is `"ab"`; with an f-string among them, a JoinedStr. */
  private strings(toks: IToken[]): A.StrLit | A.JoinedStr {
    const parts: A.FStringPart[] = [];
    let joined = false;
    const push = (p: A.FStringPart) => {
      if (typeof p === 'string' && typeof parts[parts.length - 1] === 'string') parts[parts.length - 1] += p;
      else if (p !== '') parts.push(p);
    };
    for (const t of toks) {
      const prefix = /^[A-Za-z]*/.exec(t.image)![0].toLowerCase();
      if (prefix.includes('b')) this.unsupported('bytes literals are', tokSpan(t));
      if (!prefix.includes('f')) { push(decodeString(t.image, prefix.length, prefix.includes('r'))); continue; }
      joined = true;
      const rest = t.image.slice(prefix.length);
      const q = rest.startsWith('"""') || rest.startsWith("'''") ? 3 : 1;
      const body = rest.slice(q, rest.length - q);
      const split = splitFString(body, t.startOffset + prefix.length + q, prefix.includes('r'));
      if ('error' in split) {
        this.syntax(split.error, { start: split.offset, end: split.offset + 1 });
        throw new Skip();
      }
      for (const p of this.fstringParts(split.parts)) push(p);
    }
    const span = cover(toks[0], toks[toks.length - 1]);
    if (!joined) return { kind: 'Str', value: parts.map(String).join(''), span };
    return { kind: 'JoinedStr', parts, span };
  }

  /** The parts of an f-string with each field's expression parsed (by parse.ts, at its place in the file). */
  private fstringParts(parts: FPart[]): A.FStringPart[] {
    const out: A.FStringPart[] = [];
    for (const p of parts) {
      if (p.lit !== undefined) { out.push(p.lit); continue; }
      if (!p.expr) continue;
      if (p.debugText !== undefined) out.push(p.debugText);
      const value = this.parseEmbedded(p.expr.text, p.expr.offset);
      if (!value) throw new Skip();
      const end = p.expr.offset + p.expr.text.length;
      out.push({ value, conversion: p.conversion ?? null, spec: p.spec ? this.fstringParts(p.spec) : null, span: { start: p.expr.offset, end } });
    }
    return out;
  }

  testListComp(ctx: Ctx): { elts: A.Expr[]; comma: boolean; comp: A.Comprehension[] | null } {
    const elts = this.nodes(ctx, 'test').map((_, i) => this.expr(ctx, 'test', i));
    if (this.has(ctx, 'compFor')) return { elts, comma: false, comp: this.sub<A.Comprehension[]>(ctx, 'compFor') };
    return { elts, comma: this.has(ctx, 'Comma'), comp: null };
  }

  /** The `for ... in ... if ...` clauses, each `if` belonging to the `for` before it. */
  compFor(ctx: Ctx): A.Comprehension[] {
    const fors = this.toks(ctx, 'For');
    if (this.has(ctx, 'Async')) this.unsupported("'async for' is", tokSpan(this.tok(ctx, 'Async')));
    const gens: A.Comprehension[] = fors.map((_, i) => ({ target: this.checkTarget(this.expr(ctx, 'target', i)), iter: this.expr(ctx, 'iter', i), ifs: [] }));
    const ifs = this.toks(ctx, 'If');
    this.nodes(ctx, 'cond').forEach((_, i) => {
      const at = ifs[i].startOffset;
      const g = fors.filter((f) => f.startOffset < at).length - 1;
      gens[Math.max(0, g)].ifs.push(this.expr(ctx, 'cond', i));
    });
    return gens;
  }

  /** Only says which kind of `{...}` display this is, for the message. */
  dictOrSet(ctx: Ctx): string {
    const dict = this.nodes(ctx, 'dictItem').some((n) => (n.children.Colon?.length ?? 0) > 0 || (n.children.Pow?.length ?? 0) > 0);
    if (this.has(ctx, 'compFor')) return dict ? 'dict comprehensions are' : 'set comprehensions are';
    return dict ? 'dict displays are' : 'set displays are';
  }
  dictItem(): void {}
}

/** Python's binding strength of the binary operators, loosest first. */
const precedence: Record<string, number> = {
  '|': 1, '^': 2, '&': 3, '<<': 4, '>>': 4, '+': 5, '-': 5, '*': 6, '/': 6, '//': 6, '%': 6, '@': 6,
};

function intValue(image: string): bigint {
  const s = image.replace(/_/g, '');
  // BigInt understands 0x/0o/0b; a decimal with leading zeros is parsed as decimal.
  return /^0[xXoObB]/.test(s) ? BigInt(s) : BigInt(s.replace(/^0+(?=\d)/, ''));
}

function lastToken(n: CstNode): IToken | undefined {
  let best: IToken | undefined;
  for (const els of Object.values(n.children)) {
    for (const el of els) {
      const t = 'image' in el ? el : lastToken(el);
      if (t && valid(t.startOffset) && (!best || t.startOffset > best.startOffset)) best = t;
    }
  }
  return best;
}

function describeExpr(e: A.Expr): string {
  switch (e.kind) {
    case 'Call': return 'a function call';
    case 'Int': case 'Float': case 'Imag': case 'Bool': case 'Str': case 'None': return 'a literal';
    case 'Compare': return 'a comparison';
    case 'BoolOp': return `an '${e.op}' expression`;
    case 'IfExp': return 'a conditional expression';
    case 'Lambda': return 'a lambda';
    case 'Slice': return 'a slice';
    default: return 'an expression';
  }
}

/** Builds the statements of a module from the CST of `parser.module()`. `recovering` says the
 *  parser reported errors, so incomplete pieces of the tree are expected and silently dropped. */
export function toAst(cst: CstNode, file: SourceFile, diags: DiagnosticBag, recovering: boolean, parseEmbedded: ParseEmbedded): A.Stmt[] {
  return new AstBuilder(file, diags, recovering, parseEmbedded).visit(cst) as A.Stmt[];
}

/** Parses the source text of an f-string field found at `offset` of the file (null after reporting an error). */
export type ParseEmbedded = (text: string, offset: number) => A.Expr | null;
