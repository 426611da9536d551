// The front end's entry point: source text to AST. Lexes, parses with the shared Chevrotain
// parser, turns its recognition errors into diagnostics (at most one per logical line, since
// later ones on the same line are usually echoes of the first), builds the AST and refuses
// expressions too deep for the later stages (MAX_EXPR_DEPTH). It returns
// a best-effort Module even for broken input, and never throws.
import type { IRecognitionException, IToken } from 'chevrotain';
import type { Expr, Module, Stmt } from './ast.js';
import { Code } from './diagnostics.js';
import type { DiagnosticBag } from './diagnostics.js';
import { Dedent, Indent, lex, Newline } from './lexer.js';
import { parser } from './parser.js';
import { sourceFile, type SourceFile, type Span } from './source.js';
import { toAst } from './to-ast.js';

export function parse(file: SourceFile, diags: DiagnosticBag): Module {
  const module: Module = { kind: 'Module', body: [], span: { start: 0, end: file.text.length }, file };
  const first = diags.items.length;
  if (tooLarge(file, diags)) return module;
  try {
    const { tokens, unclosed } = lex(file, diags);
    parser.input = tokens;
    const cst = parser.module();
    const errors = [...parser.errors];
    parser.input = []; // let the shared parser drop this file's tokens
    const lexical = diags.items.slice(first).map((d) => d.span.start);
    reportSyntaxErrors(errors, tokens, unclosed, lexical, file, diags);
    module.body = toAst(cst, file, diags, errors.length > 0 || unclosed !== null || lexical.length > 0, embeddedParser(file, diags));
    checkExpressionDepth(module.body, diags);
  } catch (e) {
    if (e instanceof RangeError) {
      // Each level of parentheses costs about a hundred stack frames in the recursive-descent
      // parser, so absurd nesting (some 140 levels under Node's default stack) exhausts it.
      diags.error(Code.Syntax, 'this code is nested too deeply to parse', { start: 0, end: 0 });
    } else {
      // A bug, not a user error; still report it rather than crash the caller.
      diags.error(Code.Syntax, `internal error in the parser: ${e instanceof Error ? e.message : String(e)}`,
        { start: 0, end: 0 });
    }
  }
  // Stages report in their own order (lexer, parser, tree checks); users read files top down.
  const ours = diags.items.splice(first).sort((a, b) => a.span.start - b.span.start);
  diags.items.push(...ours);
  return module;
}

/**
 * The largest source compiled. Compile time grows with the code (Binaryen's optimizer takes ~1 ms per
 * simple statement, several under load), so a pasted or generated file of 10^5 lines would hold the
 * compiler for minutes: past these limits it is a compile error at the first line or byte beyond them.
 * The largest program in the repository has 110 lines.
 */
export const MAX_SOURCE_LINES = 10_000;
export const MAX_SOURCE_CHARS = 1 << 20;

function tooLarge(file: SourceFile, diags: DiagnosticBag): boolean {
  const text = file.text;
  if (text.length > MAX_SOURCE_CHARS) {
    diags.error(Code.Syntax, `this program is too large to compile: ${text.length} characters (the limit is ${MAX_SOURCE_CHARS})`, { start: MAX_SOURCE_CHARS, end: MAX_SOURCE_CHARS + 1 });
    return true;
  }
  let at = -1;
  for (let line = 1; line <= MAX_SOURCE_LINES; line++) {
    at = text.indexOf('\n', at + 1);
    if (at < 0 || at === text.length - 1) return false;
  }
  const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
  diags.error(Code.Syntax, `this program is too large to compile: ${lines} lines (the limit is ${MAX_SOURCE_LINES})`, { start: at + 1, end: at + 2 });
  return true;
}

/**
 * An f-string field's expression, parsed as CPython does, as `(text)`: the text is padded so that
 * it sits at its own offset, and every span (and error) of the result points into the real file.
 */
function embeddedParser(file: SourceFile, diags: DiagnosticBag): (text: string, offset: number) => Expr | null {
  return (text, offset) => {
    const padded = sourceFile(file.name, '(' + ' '.repeat(Math.max(0, offset - 1)) + text + ')');
    const first = diags.items.length;
    const before = diags.items.filter((d) => d.severity === 'error').length;
    const m = parse(padded, diags);
    const s = m.body[0];
    const close = offset + text.length; // where the ')' added around the text stands: the field's '}' or '!' or ':'
    for (const d of diags.items.slice(first)) {
      d.message = 'f-string: ' + (d.span.start === close ? d.message.replace("found ')'", 'found the end of the field') : d.message);
    }
    if (diags.items.filter((d) => d.severity === 'error').length > before || m.body.length !== 1 || s.kind !== 'ExprStmt') return null;
    // The parentheses gave the expression their span: give it back its own text's.
    const start = offset + (text.length - text.trimStart().length);
    return { ...s.expr, span: { start, end: Math.max(start, offset + text.trimEnd().length) } };
  };
}

/**
 * The deepest expression the later stages take. The checker, lowering and vectorizer recurse once
 * per level of the expression tree, and under Node's default stack a chain of array additions
 * `a + a + ... + a` overflows them at about 1200 terms (scalars at about 2500): past this limit the
 * user gets a diagnostic at the expression rather than an internal "Maximum call stack" error.
 * Parentheses cost far more stack in the parser, which reports its own limit ("nested too deeply").
 */
export const MAX_EXPR_DEPTH = 1000;

const EXPR_KINDS = new Set(['Int', 'Float', 'Bool', 'Str', 'None', 'Name', 'Unary', 'Binary', 'Compare', 'BoolOp',
  'IfExp', 'Call', 'Attribute', 'Subscript', 'Slice', 'Tuple', 'List', 'Lambda', 'JoinedStr', 'ListComp']);

/** Reports each outermost expression deeper than MAX_EXPR_DEPTH. Iterative: the tree can be deep. */
function checkExpressionDepth(body: Stmt[], diags: DiagnosticBag): void {
  type Node = { kind?: unknown; span?: Span };
  // depth counts expression nodes from the statement down; root is the outermost expression.
  const stack: { node: Node; depth: number; root: Node | null }[] = body.map((s) => ({ node: s as Node, depth: 0, root: null }));
  const reported = new Set<Node>();
  while (stack.length > 0) {
    const { node, depth: above, root: outer } = stack.pop()!;
    const isExpr = typeof node.kind === 'string' && EXPR_KINDS.has(node.kind);
    const depth = isExpr ? above + 1 : above;
    const root = isExpr ? outer ?? node : null;
    if (root && depth > MAX_EXPR_DEPTH) {
      if (!reported.has(root)) {
        reported.add(root);
        diags.error(Code.Syntax, `this expression is too deeply nested to compile (more than ${MAX_EXPR_DEPTH} levels of operators, calls or indexing); split it into several statements`, root.span!);
      }
      continue;
    }
    for (const [key, value] of Object.entries(node)) {
      if (key === 'span' || key === 'file' || value === null || typeof value !== 'object') continue;
      for (const child of Array.isArray(value) ? value : [value]) {
        if (child !== null && typeof child === 'object') stack.push({ node: child as Node, depth, root });
      }
    }
  }
}

function reportSyntaxErrors(
  errors: IRecognitionException[], tokens: IToken[], unclosed: IToken | null, lexical: number[],
  file: SourceFile, diags: DiagnosticBag,
): void {
  // Logical line of an offset = number of NEWLINE tokens before it (a NEWLINE belongs to the
  // line it ends), so errors on one line, even one spread over brackets, are grouped.
  const breaks = tokens.filter((t) => t.tokenType === Newline).map((t) => t.startOffset);
  const lineOf = (offset: number) => {
    let lo = 0, hi = breaks.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (breaks[mid] < offset) lo = mid + 1; else hi = mid;
    }
    return lo;
  };
  const reported = new Set(lexical.map(lineOf));
  const end = file.text.length;
  const located = errors
    .map((e) => ({ e, span: spanOf(e.token, end) }))
    .sort((a, b) => a.span.start - b.span.start);
  if (unclosed) {
    diags.error(Code.Syntax, `'${unclosed.image}' was never closed`, { start: unclosed.startOffset, end: unclosed.startOffset + 1 });
  }
  for (const { e, span } of located) {
    // Everything after an unclosed bracket is one long line to the parser: its errors are noise.
    if (unclosed && span.start >= unclosed.startOffset) continue;
    // A DEDENT only fails to match after an earlier error has thrown the block structure off.
    if (e.token.tokenType === Dedent) continue;
    const line = lineOf(span.start);
    if (reported.has(line)) continue;
    const indent = e.token.tokenType === Indent;
    // A block under a line that failed to parse is usually a consequence of that failure.
    if (indent && reported.has(line - 1)) continue;
    reported.add(line);
    // Python calls these IndentationErrors; so do we.
    diags.error(indent ? Code.BadIndent : Code.Syntax, e.message, span);
  }
}

function spanOf(tok: IToken, end: number): Span {
  if (!Number.isFinite(tok.startOffset)) return { start: end, end };
  return { start: tok.startOffset, end: tok.startOffset + Math.max(tok.image.length, 0) };
}
