// Splits the body of an f-string literal into literal text and replacement fields, with the
// source offset of every expression, following CPython 3.11's f-string parser
// (Parser/string_parser.c: fstring_find_literal, fstring_find_expr) and its error messages. The
// compiler parses each expression's text itself: CPython compiles it as `(text)`, so newlines
// inside a triple-quoted f-string's expression are fine. Also the decoding of every string
// literal's escapes (decodeString), which f-string literal parts share.

/** One part of an f-string: literal text (escapes decoded), or a replacement field. */
export interface FPart {
  lit?: string;
  /** The expression's source text between `{` and `!`/`:`/`=`/`}`, whitespace included, and the
   *  offset of its first character in the source file. */
  expr?: { text: string; offset: number };
  /** `!r`, `!s`, `!a`; null without one (but 'r' for `{x=}` without a spec or conversion). */
  conversion?: 'r' | 's' | 'a' | null;
  /** The format spec after `:`, itself literal text and nested fields; undefined without `:`. */
  spec?: FPart[];
  /** For `{x = }`: the text printed before the value, 'x = ' (from after `{` to after the `=`
   *  and the whitespace that follows it). CPython merges it into the preceding literal. */
  debugText?: string;
}

class FStringError {
  constructor(readonly message: string, readonly at: number) {}
}

const MAX_NESTING = 200; // CPython's MAXLEVEL for brackets in one expression

/**
 * The parts of one f-string literal. `body` is the text between its quotes, escapes not decoded,
 * at `bodyOffset` in the source; `raw` for an r prefix. An error comes with the offset of the
 * character at fault (CPython 3.11 itself points at the end of the string).
 */
export function splitFString(body: string, bodyOffset: number, raw: boolean): { parts: FPart[] } | { error: string; offset: number } {
  try {
    return { parts: new Splitter(body, bodyOffset, raw).parts(0) };
  } catch (e) {
    if (e instanceof FStringError) return { error: e.message, offset: bodyOffset + e.at };
    throw e;
  }
}

const isSpace = (ch: string) => ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || ch === '\v' || ch === '\f';

class Splitter {
  private pos = 0;

  constructor(private readonly s: string, private readonly base: number, private readonly raw: boolean) {}

  private fail(message: string, at: number = this.pos): never {
    throw new FStringError(message, at);
  }

  /** Literals and fields up to the end of the body (level 0) or to the '}' closing a spec (1, 2). */
  parts(level: number): FPart[] {
    const out: FPart[] = [];
    let lit = '';
    for (;;) {
      const { text, more } = this.literal(level);
      lit += text;
      if (more) continue; // a doubled brace: still literal text
      if (this.pos >= this.s.length || this.s[this.pos] === '}') break;
      if (lit) out.push({ lit });
      lit = '';
      out.push(this.field(level));
    }
    if (lit) out.push({ lit });
    if (level > 0 && this.s[this.pos] !== '}') this.fail("f-string: expecting '}'");
    return out;
  }

  /** Literal text up to a '{' or '}', decoded. `more`: it ended at a doubled brace (level 0 only,
   *  so that the '}}' in f'{x:{y}}}' is not taken for an escaped brace). */
  private literal(level: number): { text: string; more: boolean } {
    const s = this.s;
    const start = this.pos;
    let i = start;
    let end = -1;
    let more = false;
    while (i < s.length) {
      let ch = s[i++];
      if (!this.raw && ch === '\\' && i < s.length) {
        ch = s[i++];
        if (ch === 'N') {
          // \N{NAME}: its braces are not a replacement field.
          if (i < s.length && s[i++] === '{') while (i < s.length && s[i++] !== '}');
          continue;
        }
        // '\{' leaves the backslash as literal text and the brace starts a field.
      }
      if (ch === '{' || ch === '}') {
        if (level === 0) {
          if (s[i] === ch) {
            [end, more] = [i, true];
            this.pos = i + 1;
            break;
          }
          if (ch === '}') this.fail("f-string: single '}' is not allowed", i - 1);
        }
        end = --i;
        break;
      }
    }
    if (end < 0) end = i;
    if (!more) this.pos = end;
    const chunk = s.slice(start, end);
    // decodeString wants a quoted literal; any one-character "quote" does.
    return { text: chunk && decodeString(`x${chunk}x`, 0, this.raw), more };
  }

  /** A replacement field, at its '{'. */
  private field(level: number): FPart {
    const s = this.s;
    if (level >= 2) this.fail('f-string: expressions nested too deeply');
    const start = ++this.pos;
    let quote = '';
    let triple = false;
    let quoteAt = 0;
    const stack: { ch: string; at: number }[] = [];
    for (; this.pos < s.length; this.pos++) {
      const ch = s[this.pos];
      // Not even inside a string in the expression, raw f-string or not.
      if (ch === '\\') this.fail('f-string expression part cannot include a backslash');
      if (quote) {
        if (ch === quote && (!triple || (s[this.pos + 1] === ch && s[this.pos + 2] === ch))) {
          if (triple) this.pos += 2;
          quote = '';
        }
        continue;
      }
      if (ch === "'" || ch === '"') {
        triple = s[this.pos + 1] === ch && s[this.pos + 2] === ch;
        [quote, quoteAt] = [ch, this.pos];
        if (triple) this.pos += 2;
      } else if (ch === '[' || ch === '(' || ch === '{') {
        if (stack.length >= MAX_NESTING) this.fail('f-string: too many nested parenthesis');
        stack.push({ ch, at: this.pos });
      } else if (ch === '#') {
        this.fail("f-string expression part cannot include '#'");
      } else if (stack.length === 0 && '!:}=<>'.includes(ch)) {
        // '!=', '==', '<=', '>=' are operators, and a lone '<' or '>' a comparison.
        if (s[this.pos + 1] === '=' && ch !== ':' && ch !== '}') this.pos++;
        else if (ch !== '<' && ch !== '>') break;
      } else if (ch === ']' || ch === ')' || ch === '}') {
        const open = stack.pop();
        if (!open) this.fail(`f-string: unmatched '${ch}'`);
        const want = open.ch === '(' ? ')' : open.ch === '[' ? ']' : '}';
        if (ch !== want) this.fail(`f-string: closing parenthesis '${ch}' does not match opening parenthesis '${open.ch}'`);
      }
    }
    if (quote) this.fail('f-string: unterminated string', quoteAt);
    if (stack.length) {
      const open = stack[stack.length - 1];
      this.fail(`f-string: unmatched '${open.ch}'`, open.at);
    }
    if (this.pos >= s.length) this.fail("f-string: expecting '}'");
    const exprEnd = this.pos;
    const text = s.slice(start, exprEnd);
    if (/^[ \t\n\f]*$/.test(text)) {
      const stop = s[exprEnd];
      this.fail(stop === '}' ? 'f-string: empty expression not allowed' : `f-string: expression required before '${stop}'`);
    }
    const part: FPart = { expr: { text, offset: this.base + start }, conversion: null };
    if (s[this.pos] === '=') {
      this.pos++;
      while (this.pos < s.length && isSpace(s[this.pos])) this.pos++;
      if (this.pos >= s.length) this.fail("f-string: expecting '}'");
      part.debugText = s.slice(start, this.pos);
    }
    if (s[this.pos] === '!') {
      if (++this.pos >= s.length) this.fail("f-string: expecting '}'");
      const conv = s[this.pos++];
      if (conv !== 'r' && conv !== 's' && conv !== 'a') {
        this.fail("f-string: invalid conversion character: expected 's', 'r', or 'a'", this.pos - 1);
      }
      part.conversion = conv;
    }
    if (s[this.pos] === ':') {
      if (++this.pos >= s.length) this.fail("f-string: expecting '}'");
      part.spec = this.parts(level + 1);
    }
    if (this.pos >= s.length || s[this.pos] !== '}') this.fail("f-string: expecting '}'");
    this.pos++;
    if (part.debugText !== undefined && part.conversion === null && !part.spec) part.conversion = 'r';
    return part;
  }
}

const simpleEscapes: Record<string, string> = {
  '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\n': '',
};

/** The value of a string literal: quotes removed and, unless raw, Python's escapes decoded. */
export function decodeString(image: string, prefixLength: number, raw: boolean): string {
  let body = image.slice(prefixLength);
  const q = body.startsWith('"""') || body.startsWith("'''") ? body.slice(0, 3) : body[0];
  body = body.slice(q.length, body.endsWith(q) && body.length >= 2 * q.length ? body.length - q.length : body.length);
  if (raw) return body;
  return body.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{1,3}|\r\n|[\s\S])/g, (all, e: string) => {
    if (e in simpleEscapes) return simpleEscapes[e];
    if (e === '\r\n') return '';
    if (/^[0-7]/.test(e)) return String.fromCodePoint(Number.parseInt(e, 8));
    if (/^[xuU]./.test(e)) return String.fromCodePoint(Math.min(Number.parseInt(e.slice(1), 16), 0x10ffff));
    return all; // unknown escapes keep their backslash, as in Python
  });
}
