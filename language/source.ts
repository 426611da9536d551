// Source files and spans: a span is a pair of character offsets into one file; lines and
// columns (1-based) are computed only when a message is shown.
export interface Span { start: number; end: number }

export interface SourceFile {
  name: string;
  text: string;
  /** Offset of the first character of each line; lineStarts[0] = 0. */
  lineStarts: number[];
}

export function sourceFile(name: string, text: string): SourceFile {
  // A lone CR (old Mac line endings) ends a line, as in Python; writing it as LF keeps every
  // offset, and then the lexer and the line table only need to know LF (and CRLF).
  text = text.replace(/\r(?!\n)/g, '\n');
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) lineStarts.push(i + 1);
  return { name, text, lineStarts };
}

export function lineCol(file: SourceFile, offset: number): { line: number; col: number } {
  let lo = 0, hi = file.lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (file.lineStarts[mid] <= offset) lo = mid; else hi = mid - 1;
  }
  return { line: lo + 1, col: offset - file.lineStarts[lo] + 1 };
}

export function lineText(file: SourceFile, line: number): string {
  const start = file.lineStarts[line - 1] ?? file.text.length;
  const end = file.lineStarts[line] ?? file.text.length;
  return file.text.slice(start, end).replace(/\r?\n$/, '');
}

export function spanTo(a: Span, b: Span): Span { return { start: a.start, end: b.end }; }
