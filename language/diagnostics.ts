// One diagnostic type for every stage (lexer, parser, checker, lowering, runtime), the CLI, the
// compile() API and the editor markers. User errors are collected and returned, never thrown.
import type { Span } from './source.js';
import { lineCol, lineText } from './source.js';
import type { SourceFile } from './source.js';

export type Severity = 'error' | 'warning' | 'note';

/** Error codes are stable so tests, docs and the editor can refer to them. */
export const enum Code {
  // 1xxx: lexical and syntax
  BadCharacter = 1001, BadIndent = 1002, UnterminatedString = 1003, Syntax = 1010, Unsupported = 1020,
  // 2xxx: names and types
  UndefinedName = 2001, TypeMismatch = 2002, ArgCount = 2003, NotCallable = 2004, BadAnnotation = 2005,
  ShapeMismatch = 2006, BadReduction = 2007, RecursiveInference = 2008, BadAssign = 2009,
  // 3xxx: run time
  IndexError = 3001, ZeroDivision = 3002, Raised = 3003, ValueError = 3004, MemoryError = 3005,
}

export interface Diagnostic {
  code: number;
  severity: Severity;
  message: string;
  span: Span;
  related?: { message: string; span: Span }[];
}

/** Collects diagnostics of one compilation; every stage appends to the same bag. */
export class DiagnosticBag {
  readonly items: Diagnostic[] = [];
  error(code: number, message: string, span: Span): void {
    this.items.push({ code, severity: 'error', message, span });
  }
  get hasErrors(): boolean { return this.items.some((d) => d.severity === 'error'); }
}

export interface FormatOptions { color?: boolean }

/** GNU style: `file:line:col: error: message`, then the source line and a caret under the span. */
/** The most characters of a source line a diagnostic shows. */
const MAX_SHOWN = 240;

export function formatDiagnostic(d: Diagnostic, file: SourceFile, opts: FormatOptions = {}): string {
  const paint = (code: string, s: string) => (opts.color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const { line, col } = lineCol(file, d.span.start);
  const sevColor = d.severity === 'error' ? '1;31' : d.severity === 'warning' ? '1;35' : '1;36';
  const head = `${paint('1', `${file.name}:${line}:${col}:`)} ${paint(sevColor, d.severity + ':')} ${d.message}`;
  const lines = [head, ...sourceWithCaret(file, d.span, paint)];
  for (const r of d.related ?? []) {
    const rl = lineCol(file, r.span.start);
    lines.push(`${file.name}:${rl.line}:${rl.col}: ${paint('1;36', 'note:')} ${r.message}`, ...sourceWithCaret(file, r.span, paint));
  }
  return lines.join('\n');
}

/** The source line of a span (indented) and a caret line under it. */
function sourceWithCaret(file: SourceFile, span: Span, paint: (code: string, s: string) => string): string[] {
  const { line, col } = lineCol(file, span.start);
  const full = lineText(file, line);
  // A very long line (minified or generated code) is shown as a window around the caret.
  const from = full.length > MAX_SHOWN ? Math.max(0, Math.min(col - 1 - MAX_SHOWN / 2, full.length - MAX_SHOWN)) : 0;
  const text = (from > 0 ? '...' : '') + full.slice(from, from + MAX_SHOWN) + (from + MAX_SHOWN < full.length ? '...' : '');
  const shownCol = col - from + (from > 0 ? 3 : 0);
  const width = Math.max(1, Math.min(span.end, file.lineStarts[line] ?? file.text.length) - span.start);
  const caret = ' '.repeat(shownCol - 1) + '^' + '~'.repeat(Math.max(0, Math.min(width, MAX_SHOWN, full.length - col + 1) - 1));
  return [`  ${text}`, `  ${paint('1;32', caret)}`];
}
