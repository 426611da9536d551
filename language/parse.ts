// The front end's entry point: source text to AST. Lexes, parses with the shared Chevrotain
// parser, turns its recognition errors into diagnostics (at most one per logical line, since
// later ones on the same line are usually echoes of the first), and builds the AST. It returns
// a best-effort Module even for broken input, and never throws.
import type { IRecognitionException, IToken } from 'chevrotain';
import type { Module } from './ast.js';
import { Code } from './diagnostics.js';
import type { DiagnosticBag } from './diagnostics.js';
import { Dedent, Indent, lex, Newline } from './lexer.js';
import { parser } from './parser.js';
import type { SourceFile, Span } from './source.js';
import { toAst } from './to-ast.js';

export function parse(file: SourceFile, diags: DiagnosticBag): Module {
  const module: Module = { kind: 'Module', body: [], span: { start: 0, end: file.text.length }, file };
  const first = diags.items.length;
  try {
    const { tokens, unclosed } = lex(file, diags);
    parser.input = tokens;
    const cst = parser.module();
    const errors = [...parser.errors];
    parser.input = []; // let the shared parser drop this file's tokens
    const lexical = diags.items.slice(first).map((d) => d.span.start);
    reportSyntaxErrors(errors, tokens, unclosed, lexical, file, diags);
    module.body = toAst(cst, file, diags, errors.length > 0 || unclosed !== null || lexical.length > 0);
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
