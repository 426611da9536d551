// Tokens and the lexer. Chevrotain scans the raw tokens (whitespace, comments and line breaks are
// skipped); a post-pass (`layout`) then applies Python's indentation rules and inserts the NEWLINE,
// INDENT and DEDENT tokens the parser needs. Doing layout as a separate pass keeps the token
// patterns context-free and puts all the line logic in one readable function.
import { createToken, createTokenInstance, Lexer, tokenMatcher } from './chevrotain.js';
import type { CustomPatternMatcherReturn, IToken, TokenType } from 'chevrotain';
import { Code } from './diagnostics.js';
import type { DiagnosticBag } from './diagnostics.js';
import type { SourceFile } from './source.js';

// ---- categories (never matched directly; they let the parser say "any binary operator") ----
export const AugAssign = createToken({ name: 'AugAssign', pattern: Lexer.NA, label: 'an augmented assignment' });
export const CompareOp = createToken({ name: 'CompareOp', pattern: Lexer.NA, label: 'a comparison' });
/** The left-associative binary operators `| ^ & << >> + - * / // % @` (not `**`). */
export const BinaryOp = createToken({ name: 'BinaryOp', pattern: Lexer.NA, label: 'an operator' });
export const UnaryOp = createToken({ name: 'UnaryOp', pattern: Lexer.NA, label: 'a unary operator' });

// ---- layout tokens, produced only by `layout` ----
export const Newline = createToken({ name: 'Newline', pattern: Lexer.NA, label: 'end of line' });
export const Indent = createToken({ name: 'Indent', pattern: Lexer.NA, label: 'an indented block' });
export const Dedent = createToken({ name: 'Dedent', pattern: Lexer.NA, label: 'a dedent' });

// ---- skipped ----
const Whitespace = createToken({ name: 'Whitespace', pattern: /[ \t\f\r]+/, group: Lexer.SKIPPED });
const Comment = createToken({ name: 'Comment', pattern: /#[^\n]*/, group: Lexer.SKIPPED });
const Continuation = createToken({ name: 'Continuation', pattern: /\\\r?\n/, group: Lexer.SKIPPED, line_breaks: true });
const LineBreak = createToken({ name: 'LineBreak', pattern: /\n/, group: Lexer.SKIPPED, line_breaks: true });

// ---- literals ----
/** String literals, with an optional prefix (r, b, f, u, rb, fr, ...), single, double or triple
 *  quoted. An unterminated string still becomes a token (payload 'unterminated') so the lexer can
 *  report it once and the parser carries on. */
export const StringLit = createToken({
  name: 'StringLit', label: 'a string', line_breaks: true,
  start_chars_hint: ['"', "'", 'r', 'R', 'b', 'B', 'u', 'U', 'f', 'F'],
  pattern: { exec: matchString },
});
const digits = String.raw`\d(?:_?\d)*`;
const exponent = String.raw`[eE][+-]?${digits}`;
const floatBody = String.raw`(?:${digits}\.(?:${digits})?(?:${exponent})?|\.${digits}(?:${exponent})?|${digits}${exponent})`;
/** `1j`: an imaginary literal (language/check-complex.ts). */
export const ImagLit = createToken({ name: 'ImagLit', label: 'a number', pattern: new RegExp(`(?:${floatBody}|${digits})[jJ]`) });
export const FloatLit = createToken({ name: 'FloatLit', label: 'a number', pattern: new RegExp(floatBody) });
export const IntLit = createToken({
  name: 'IntLit', label: 'a number',
  pattern: /0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|\d(?:_?\d)*/,
});

export const Identifier = createToken({ name: 'Identifier', label: 'a name', pattern: /[A-Za-z_][A-Za-z0-9_]*/ });

// ---- keywords (including the Python ones Par rejects, so that it can say so clearly) ----
const keywords: { word: string; type: TokenType }[] = [];
function keyword(word: string): TokenType {
  const name = word[0].toUpperCase() + word.slice(1);
  const type = createToken({ name, pattern: new RegExp(word), longer_alt: Identifier, label: `'${word}'` });
  keywords.push({ word, type });
  return type;
}
export const Def = keyword('def'), Return = keyword('return'), If = keyword('if'), Elif = keyword('elif');
export const Else = keyword('else'), While = keyword('while'), For = keyword('for'), In = keyword('in');
export const Break = keyword('break'), Continue = keyword('continue'), Pass = keyword('pass');
export const And = keyword('and'), Or = keyword('or'), Not = keyword('not'), Is = keyword('is');
export const True = keyword('True'), False = keyword('False'), None = keyword('None');
export const With = keyword('with'), As = keyword('as'), Raise = keyword('raise'), Assert = keyword('assert');
export const Import = keyword('import'), From = keyword('from'), Lambda = keyword('lambda');
export const Class = keyword('class'), Try = keyword('try'), Except = keyword('except');
export const Finally = keyword('finally'), Global = keyword('global'), Nonlocal = keyword('nonlocal');
export const Del = keyword('del'), Yield = keyword('yield'), Async = keyword('async'), Await = keyword('await');

// ---- operators and punctuation (longest first: Chevrotain takes the first pattern that matches) ----
function op(name: string, image: string, categories: TokenType[] = []): TokenType {
  return createToken({ name, pattern: image, label: `'${image}'`, categories });
}
export const PowAssign = op('PowAssign', '**=', [AugAssign]);
export const FloorDivAssign = op('FloorDivAssign', '//=', [AugAssign]);
export const LShiftAssign = op('LShiftAssign', '<<=', [AugAssign]);
export const RShiftAssign = op('RShiftAssign', '>>=', [AugAssign]);
export const Pow = op('Pow', '**');
export const FloorDiv = op('FloorDiv', '//', [BinaryOp]);
export const LShift = op('LShift', '<<', [BinaryOp]);
export const RShift = op('RShift', '>>', [BinaryOp]);
export const LessEq = op('LessEq', '<=', [CompareOp]);
export const GreaterEq = op('GreaterEq', '>=', [CompareOp]);
export const EqEq = op('EqEq', '==', [CompareOp]);
export const NotEq = op('NotEq', '!=', [CompareOp]);
export const Arrow = op('Arrow', '->');
export const PlusAssign = op('PlusAssign', '+=', [AugAssign]);
export const MinusAssign = op('MinusAssign', '-=', [AugAssign]);
export const StarAssign = op('StarAssign', '*=', [AugAssign]);
export const SlashAssign = op('SlashAssign', '/=', [AugAssign]);
export const PercentAssign = op('PercentAssign', '%=', [AugAssign]);
export const AmpAssign = op('AmpAssign', '&=', [AugAssign]);
export const PipeAssign = op('PipeAssign', '|=', [AugAssign]);
export const CaretAssign = op('CaretAssign', '^=', [AugAssign]);
export const AtAssign = op('AtAssign', '@=', [AugAssign]);
export const Plus = op('Plus', '+', [BinaryOp, UnaryOp]);
export const Minus = op('Minus', '-', [BinaryOp, UnaryOp]);
export const Star = op('Star', '*', [BinaryOp]);
export const Slash = op('Slash', '/', [BinaryOp]);
export const Percent = op('Percent', '%', [BinaryOp]);
export const At = op('At', '@', [BinaryOp]);
export const Amp = op('Amp', '&', [BinaryOp]);
export const Pipe = op('Pipe', '|', [BinaryOp]);
export const Caret = op('Caret', '^', [BinaryOp]);
export const Tilde = op('Tilde', '~', [UnaryOp]);
export const Less = op('Less', '<', [CompareOp]);
export const Greater = op('Greater', '>', [CompareOp]);
export const Equals = op('Equals', '=');
export const LParen = op('LParen', '(');
export const RParen = op('RParen', ')');
export const LBracket = op('LBracket', '[');
export const RBracket = op('RBracket', ']');
export const LBrace = op('LBrace', '{');
export const RBrace = op('RBrace', '}');
export const Comma = op('Comma', ',');
export const Colon = op('Colon', ':');
export const Semicolon = op('Semicolon', ';');
export const Ellipsis = op('Ellipsis', '...');
export const Dot = op('Dot', '.');

const scanned: TokenType[] = [
  Whitespace, Comment, Continuation, LineBreak,
  StringLit, ImagLit, FloatLit, IntLit,
  // Longest first, so that 'as' cannot claim the start of 'assert' (longer_alt only rescues names).
  ...keywords.sort((a, b) => b.word.length - a.word.length).map((k) => k.type), Identifier,
  PowAssign, FloorDivAssign, LShiftAssign, RShiftAssign,
  Pow, FloorDiv, LShift, RShift, LessEq, GreaterEq, EqEq, NotEq, Arrow,
  PlusAssign, MinusAssign, StarAssign, SlashAssign, PercentAssign, AmpAssign, PipeAssign, CaretAssign, AtAssign,
  Plus, Minus, Star, Slash, Percent, At, Amp, Pipe, Caret, Tilde, Less, Greater, Equals,
  LParen, RParen, LBracket, RBracket, LBrace, RBrace, Comma, Colon, Semicolon, Ellipsis, Dot,
];

/** The token types the scanner matches, in priority order. */
export const scannedTokens: readonly TokenType[] = scanned;

/** Every token type, for the parser's vocabulary. */
export const allTokens: TokenType[] = [
  AugAssign, CompareOp, BinaryOp, UnaryOp, Newline, Indent, Dedent, ...scanned,
];

/** Lexer options; Chevrotain's checks of the token patterns are skipped at start-up (test/parser.test.ts runs them). */
export const lexerConfig = { positionTracking: 'onlyOffset', ensureOptimizations: false } as const;
const scanner = new Lexer(scanned, { ...lexerConfig, skipValidations: true });

function matchString(text: string, offset: number): CustomPatternMatcherReturn | null {
  let i = offset;
  while (i - offset < 2 && /[rRbBuUfF]/.test(text[i] ?? '')) i++;
  const q = text[i];
  if (q !== '"' && q !== "'") return null;
  if (!/^(?:|[rR]|[uU]|[bB]|[fF]|[rR][bBfF]|[bBfF][rR])$/.test(text.slice(offset, i))) return null;
  const triple = text.startsWith(q + q + q, i);
  let j = i + (triple ? 3 : 1);
  let terminated = false;
  while (j < text.length) {
    const c = text[j];
    if (c === '\\') { j += text.startsWith('\r\n', j + 1) ? 3 : 2; continue; }
    if (triple ? text.startsWith(q + q + q, j) : c === q) { j += triple ? 3 : 1; terminated = true; break; }
    if (!triple && c === '\n') break;
    j++;
  }
  j = Math.min(j, text.length);
  const result = [text.slice(offset, j)] as CustomPatternMatcherReturn;
  if (!terminated) result.payload = triple ? 'unterminated triple' : 'unterminated';
  return result;
}

const openers: Record<string, string> = { '(': ')', '[': ']', '{': '}' };

export interface LexResult {
  /** Tokens including NEWLINE/INDENT/DEDENT, ready for the parser. */
  tokens: IToken[];
  /** The outermost bracket still open at the end of the file, if any. */
  unclosed: IToken | null;
}

/** Scans a file; lexical errors go to `diags`, and a usable token stream is always returned. */
export function lex(file: SourceFile, diags: DiagnosticBag): LexResult {
  const { tokens, errors } = scanner.tokenize(file.text);
  for (const e of errors) {
    const bad = file.text.slice(e.offset, e.offset + e.length);
    const span = { start: e.offset, end: e.offset + e.length };
    diags.error(Code.BadCharacter, badCharacterMessage(bad), span);
  }
  for (const t of tokens) {
    // Python refuses `09` and `007` (C would read them as octal); `0`, `00`, `0.5`, `09.5` are fine.
    if (t.tokenType === IntLit && /^0[0-9_]*[1-9]/.test(t.image)) {
      diags.error(Code.Syntax, 'leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers',
        { start: t.startOffset, end: tokenEnd(t) });
    }
    if (t.payload === 'unterminated' || t.payload === 'unterminated triple') {
      const what = t.payload === 'unterminated' ? 'string literal' : 'triple-quoted string literal';
      diags.error(Code.UnterminatedString, `unterminated ${what}`, { start: t.startOffset, end: tokenEnd(t) });
    }
  }
  return layout(file.text, tokens, diags);
}

function badCharacterMessage(bad: string): string {
  const c = bad[0];
  const shown = bad.length === 1 ? `character '${c}'` : `characters '${bad}'`;
  if (c === '\\') return 'unexpected character after line continuation character';
  if (c === '!') return `unexpected ${shown} (use 'not' for logical negation)`;
  if (/\p{L}/u.test(c)) return `unexpected ${shown} (names must be ASCII)`;
  return `unexpected ${shown}`;
}

/**
 * Python's layout rules over the scanned tokens: a logical line ends at a line break outside
 * brackets (a trailing backslash joins lines); its indentation is compared with a stack of open
 * levels to emit INDENT or DEDENTs. Blank and comment-only lines produce no tokens, so they are
 * ignored for free. Tabs advance to the next multiple of 8, as in CPython.
 *
 * Like CPython's tokenizer, each level is also measured with tabs as 1 column (`alts`): when the
 * two measures disagree about a line (deeper by one, equal or shallower by the other), its meaning
 * depends on the tab size, and that is a TabError.
 */
function layout(text: string, tokens: IToken[], diags: DiagnosticBag): LexResult {
  const out: IToken[] = [];
  const levels = [0];
  const alts = [0];
  const brackets: IToken[] = [];
  let prev: IToken | null = null;
  const synth = (type: TokenType, image: string, start: number) =>
    createTokenInstance(type, image, start, start + image.length - 1, NaN, NaN, NaN, NaN);

  for (const tok of tokens) {
    const lineBreak: number = prev === null ? -1 : brackets.length > 0 ? -2 : findLineBreak(text, tokenEnd(prev), tok.startOffset);
    if (prev === null || lineBreak >= 0) {
      if (prev !== null) out.push(synth(Newline, '\n', lineBreak));
      const { col, alt } = indentation(text, tok.startOffset);
      const tabError = () => diags.error(Code.BadIndent, 'inconsistent use of tabs and spaces in indentation',
        { start: tok.startOffset, end: tokenEnd(tok) });
      if (col > levels[levels.length - 1]) {
        if (alt <= alts[alts.length - 1]) tabError();
        levels.push(col);
        alts.push(alt);
        out.push(synth(Indent, '', tok.startOffset));
      } else {
        while (col < levels[levels.length - 1]) {
          levels.pop();
          alts.pop();
          out.push(synth(Dedent, '', tok.startOffset));
        }
        if (col !== levels[levels.length - 1]) {
          diags.error(Code.BadIndent, 'unindent does not match any outer indentation level',
            { start: tok.startOffset, end: tokenEnd(tok) });
        } else if (alt !== alts[alts.length - 1]) {
          tabError();
        }
      }
    }
    out.push(tok);
    const image = tok.image;
    if (tok.tokenType === LParen || tok.tokenType === LBracket || tok.tokenType === LBrace) {
      brackets.push(tok);
    } else if (tok.tokenType === RParen || tok.tokenType === RBracket || tok.tokenType === RBrace) {
      // A mismatched closer still pops: the parser reports the mismatch, and layout stays sane.
      if (brackets.length > 0 && openers[brackets[brackets.length - 1].image] !== image) {
        const i = brackets.map((b) => openers[b.image]).lastIndexOf(image);
        if (i >= 0) brackets.length = i + 1;
      }
      brackets.pop();
    }
    prev = tok;
  }
  if (prev !== null) {
    // The last line's own line break, if it has one, so messages say "end of line" there.
    const last = brackets.length > 0 ? -1 : findLineBreak(text, tokenEnd(prev), text.length);
    out.push(last >= 0 ? synth(Newline, '\n', last) : synth(Newline, '', text.length));
  }
  while (levels.length > 1) {
    levels.pop();
    out.push(synth(Dedent, '', text.length));
  }
  return { tokens: out, unclosed: brackets[0] ?? null };
}

/** The offset of the first line break in text[from, to) that ends a line, or -1. Comments and
 *  backslash continuations in the gap are skipped; bad characters (already reported) are ignored. */
function findLineBreak(text: string, from: number, to: number): number {
  for (let i = from; i < to; i++) {
    const c = text[i];
    if (c === '#') {
      while (i < to && text[i] !== '\n') i++;
      if (i < to) return i;
    } else if (c === '\\' && (text[i + 1] === '\n' || (text[i + 1] === '\r' && text[i + 2] === '\n'))) {
      i += text[i + 1] === '\n' ? 1 : 2;
    } else if (c === '\n') {
      return i;
    }
  }
  return -1;
}

/** Column of the first non-blank character on the line holding `offset`, with tabs to 8 (`col`)
 *  and with tabs as 1 column (`alt`), as CPython's tokenizer measures it. */
function indentation(text: string, offset: number): { col: number; alt: number } {
  let i = text.lastIndexOf('\n', offset - 1) + 1;
  let col = 0;
  let alt = 0;
  for (; i < offset; i++) {
    const c = text[i];
    if (c === ' ') { col++; alt++; }
    else if (c === '\t') { col = (Math.floor(col / 8) + 1) * 8; alt++; }
    else if (c === '\f') { col = 0; alt = 0; }
    else break;
  }
  return { col, alt };
}

/** Exclusive end offset of a token (its image is exactly its source text). */
export function tokenEnd(t: IToken): number { return t.startOffset + t.image.length; }

/** A short human description of a token for messages: "name 'x'", "')'", "end of line". */
export function describeToken(tok: IToken): string {
  const t = tok.tokenType;
  if (t === Newline) return tok.image === '' ? 'end of file' : 'end of line';
  if (t === Indent) return 'an indent';
  if (t === Dedent) return 'a dedent';
  if (tokenMatcher(tok, Identifier)) return `name '${tok.image}'`;
  if (t === IntLit || t === FloatLit || t === ImagLit) return `number '${tok.image}'`;
  if (t === StringLit) return `string ${tok.image.length > 24 ? tok.image.slice(0, 20) + '...' : tok.image}`;
  if (tok.image === '') return 'end of file';
  return `'${tok.image}'`;
}
