// Python's text for Par's scalar values, as CPython 3.11 + NumPy 2.4 (print options legacy='1.25')
// produce it: str(), repr(), ascii(), format(x, spec) with the whole format-spec mini-language,
// printf-style `%` formatting, and the parse of str.format templates. The compiler builds
// f-strings, str.format, `%` and str() on these. The code follows CPython's own
// (Python/formatter_unicode.c, Python/pystrtod.c, Objects/unicodeobject.c's PyUnicode_Format,
// Objects/stringlib/unicode_format.h) branch for branch, so that the same inputs take the same
// paths and fail with the same exception and message.
import { exactDecimal, formatScalar } from './format.js';

export type IntDType = 'int8' | 'int16' | 'int32' | 'int64' | 'uint8' | 'uint16' | 'uint32' | 'uint64';
/** A scalar as Python sees it. `np` marks a NumPy scalar (np.float32(1.5)); unset, a builtin. */
export type PyValue =
  | { t: 'int'; v: bigint; np?: IntDType }
  | { t: 'float'; v: number; np?: 'float32' | 'float64' }
  | { t: 'bool'; v: boolean; np?: true }
  | { t: 'str'; v: string };

/** The Python exception a formatting error raises. OverflowError and IndexError occur too
 *  ('%c' % 1114112, format(-1, 'c'), '%d' % inf; '%(k)s' % np.float64(1)). */
export type PyErrorType = 'ValueError' | 'TypeError' | 'OverflowError' | 'IndexError' | 'KeyError';

export class PyFormatError extends Error {
  constructor(readonly pyType: PyErrorType, message: string) {
    super(message);
    this.name = pyType;
  }
}

/** One piece of a str.format template: literal text, or a replacement field whose format spec
 *  is itself pieces (specs may hold replacement fields: '{:{w}.{p}f}'). */
export type TemplatePiece =
  | { lit: string }
  | { field: string; conversion: 'r' | 's' | 'a' | null; spec: TemplatePiece[] };

const fail = (type: PyErrorType, message: string): never => {
  throw new PyFormatError(type, message);
};

const INT_MAX = 2147483647;
const SSIZE_MAX = (1n << 63n) - 1n;

/** Length in code points: Python counts those, JS strings count UTF-16 units. */
function cpLen(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** The name Python's messages give the value's type. */
function typeName(x: PyValue): string {
  if (x.t === 'str' || !x.np) return x.t;
  return x.t === 'bool' ? 'numpy.bool' : `numpy.${x.np}`;
}

// ---------------------------------------------------------------------------------------------
// Decimal digits of doubles, as David Gay's dtoa gives them to CPython

/** |x| = 0.d1d2d3... × 10^decpt; `digits` has no trailing zeros (it is '' when x rounded to 0). */
interface Digits {
  digits: string;
  decpt: number;
}

/** The exact decimal expansion of a finite nonzero |x|. */
function exactDigits(x: number): Digits {
  const { s, decpt } = exactDecimal(x);
  return { digits: s.replace(/0+$/, ''), decpt };
}

/** Keep `keep` leading digits, rounding half to even on the exact value (as dtoa does); `zero`
 *  is what a result of 0 looks like. */
function roundDigits(d: Digits, keep: number, zero: Digits): Digits {
  const { digits, decpt } = d;
  if (keep >= digits.length) return d;
  if (keep < 0) return zero;
  const next = digits.charCodeAt(keep) - 48;
  // Trailing zeros are stripped, so anything after `next` is a nonzero tail.
  const odd = keep > 0 && (digits.charCodeAt(keep - 1) & 1) === 1;
  const up = next > 5 || (next === 5 && (keep + 1 < digits.length || odd));
  const head = digits.slice(0, keep);
  if (!up) return keep === 0 ? zero : { digits: head.replace(/0+$/, ''), decpt };
  const inc = (BigInt('0' + head) + 1n).toString();
  return { digits: inc.replace(/0+$/, ''), decpt: decpt + (inc.length > keep ? 1 : 0) };
}

/** dtoa's three modes for a finite |x|: 0 shortest round-trip, 2 `nd` significant digits,
 *  3 `nd` digits after the point. */
function dtoa(x: number, mode: 0 | 2 | 3, nd: number): Digits {
  if (x === 0) return { digits: '0', decpt: 1 };
  if (mode === 0) {
    // JS's shortest digits are dtoa mode 0's: the shortest that read back, nearest of those.
    const [m, e] = x.toExponential().split('e');
    return { digits: m.replace('.', ''), decpt: Number(e) + 1 };
  }
  const d = exactDigits(x);
  return roundDigits(d, mode === 2 ? nd : d.decpt + nd, { digits: '', decpt: -nd });
}

interface FloatFlags {
  addDot0?: boolean; // repr style: 1.0, not 1
  alt?: boolean; // '#': keep the point and, for g, trailing zeros
  noNeg0?: boolean; // 'z': -0.0 that rounds to zero loses its sign
  upper?: boolean; // E, F, G: INF, NAN, 1E+16
}

/** PyOS_double_to_string: code 'e', 'f', 'g' with a precision, or 'r' for repr. */
function floatText(x: number, code: 'e' | 'f' | 'g' | 'r', precision: number, o: FloatFlags): string {
  if (Number.isNaN(x)) return o.upper ? 'NAN' : 'nan'; // the sign of a nan is never shown
  let neg = x < 0 || Object.is(x, -0);
  if (!Number.isFinite(x)) return (neg ? '-' : '') + (o.upper ? 'INF' : 'inf');
  let prec = precision;
  if (code === 'e') prec++;
  if (code === 'g' && prec === 0) prec = 1;
  const { digits, decpt: dp } = dtoa(Math.abs(x), code === 'r' ? 0 : code === 'f' ? 3 : 2, prec);
  let decpt = dp;
  if (o.noNeg0 && (digits === '' || digits === '0')) neg = false;
  const len = digits.length;
  // The text is a slice vdigits[start:end] of digits padded with zeros both ways, a point at decpt.
  let end = len;
  let useExp = false;
  if (code === 'e') {
    useExp = true;
    end = prec;
  } else if (code === 'f') end = decpt + prec;
  else if (code === 'g') {
    useExp = decpt <= -4 || decpt > (o.addDot0 ? prec - 1 : prec);
    if (o.alt) end = prec;
  } else useExp = decpt <= -4 || decpt > 16; // repr switches to exponent notation at 1e16
  let exp = 0;
  if (useExp) {
    exp = decpt - 1;
    decpt = 1;
  }
  const start = decpt <= 0 ? decpt - 1 : 0;
  end = Math.max(end, !useExp && o.addDot0 ? decpt + 1 : decpt);
  let s = neg ? '-' : '';
  s += decpt <= 0 ? '0'.repeat(decpt - start) + '.' + '0'.repeat(-decpt) : '0'.repeat(-start);
  s += decpt > 0 && decpt <= len ? digits.slice(0, decpt) + '.' + digits.slice(decpt) : digits;
  s += len < decpt ? '0'.repeat(decpt - len) + '.' + '0'.repeat(end - decpt) : '0'.repeat(end - len);
  if (s.endsWith('.') && !o.alt) s = s.slice(0, -1);
  if (useExp) s += (o.upper ? 'E' : 'e') + (exp < 0 ? '-' : '+') + String(Math.abs(exp)).padStart(2, '0');
  return s;
}

/** repr(float): the shortest digits that read back. */
const floatRepr = (x: number) => floatText(x, 'r', 0, { addDot0: true });

// ---------------------------------------------------------------------------------------------
// str, repr, ascii

/** Code points that Python 3.11 (Unicode 14) leaves unassigned but newer engines' Unicode tables
 *  assign (Node 20 has Unicode 17): for Python they are not printable, and not digits. Ranges as
 *  base-36 `start` or `start-extra`. */
const NEWER_UNICODE =
  '1ov 1p3 2fw 2jg 2k3 2xa 5an-e 5b4-b 5e6-1 5fj 5mx-1 6gx 753-2 8ly 9h8-3 9us-1 9v3 x57-4 x5e x5g ' +
  'x5m-2 x69 1dqb-f 1e34-1 1e4o-6 1fpc-1f 1ge8-p 1h6o-11 1h7t-s 1h8u-1 1hhe-5 1hhs-8 1hiy-5 1i67-2 ' +
  '1if4-9 1iff 1ifi 1ifk-11 1ign-9 1igy 1ih1 1ih3-3 1ih8-9 1ihj-1 1iht-1 1j2o-j 1jwg-9 1jz4-7 1k1s-x ' +
  '1k34-9 1kfk-17 1kgw-9 1kow-g 1kpe-14 1kqm-s 1ovj 1ow0-l 1oww-32y 1xq8-1l 205c-1l 20f4-o 20fv-o ' +
  '20oi-4 25fc-7 26f3 26fd-l 26io-36 2dki 2dlh 2iv4-70 2j28-c3 2jei-m 2jfk-g 2k74-j 2mn9-5 2muo-1p ' +
  '2mxb 2nrk-15 2nyo-16 2nzz 2o5c-u 2o68-l 2o72-1 2rbs 2rbw 2rg4-b 2rix 2roy-9 2rpc-1 2rps-8 2s0k-3 ' +
  '2s1h-2 2s1z-3 2s26-1 2s31-2 2s3f-4 2s3q 2s3s 2s3x-2 2s4a-2 2s4f 2s4o-2 2s4v 2s53-1 2saz-10 2sca ' +
  '3tbt-6 3xya-b 43qo-h9 4bio-6jt';
let newer: [number, number][] | undefined;

function newerThanPython(cp: number): boolean {
  newer ??= NEWER_UNICODE.split(' ').map((r) => {
    const [a, b] = r.split('-').map((p) => parseInt(p, 36));
    return [a, a + (b ?? 0)];
  });
  return newer.some(([a, b]) => cp >= a && cp <= b);
}

/** Python's str.isprintable for one character: not in Cc Cf Cs Co Cn Zl Zp Zs (space aside). */
function printable(ch: string, cp: number): boolean {
  return cp === 0x20 || (!/[\p{C}\p{Z}]/u.test(ch) && !newerThanPython(cp));
}

/** repr() of a str (ascii() too, which escapes every non-ASCII character). */
function strRepr(s: string, ascii: boolean): string {
  // Single quotes unless the text has a ' and no ".
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    const hex = (n: number) => cp.toString(16).padStart(n, '0');
    if (ch === quote || ch === '\\') out += '\\' + ch;
    else if (ch === '\t') out += '\\t';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (cp < 0x20 || cp === 0x7f) out += '\\x' + hex(2);
    else if (cp < 0x7f || (!ascii && printable(ch, cp))) out += ch;
    else out += cp <= 0xff ? '\\x' + hex(2) : cp <= 0xffff ? '\\u' + hex(4) : '\\U' + hex(8);
  }
  return out + quote;
}

/** str(x). A NumPy float32 shows NumPy's shortest float32 digits (0.1, not 0.10000000149011612). */
export function pyStr(x: PyValue): string {
  switch (x.t) {
    case 'str': return x.v;
    case 'bool': return x.v ? 'True' : 'False';
    case 'int': return x.v.toString();
    case 'float': return x.np === 'float32' ? formatScalar(x.v, 'float32') : floatRepr(x.v);
  }
}

/** repr(z) of a Python complex, as CPython writes it: `2j`, `(1+2j)`, `(-0-0j)`, `(1+nanj)`. */
export function complexRepr(re: number, im: number): string {
  const part = (x: number) => floatText(x, 'r', 0, {});
  if (re === 0 && !Object.is(re, -0)) return part(im) + 'j';
  const i = part(im);
  return `(${part(re)}${i.startsWith('-') ? i : '+' + i}j)`;
}

/** repr(x). With legacy='1.25', NumPy scalars repr as their str (1.5, not np.float64(1.5)). */
export function pyRepr(x: PyValue): string {
  return x.t === 'str' ? strRepr(x.v, false) : pyStr(x);
}

/** ascii(x), the !a conversion: repr with non-ASCII characters escaped. */
export function pyAscii(x: PyValue): string {
  return x.t === 'str' ? strRepr(x.v, true) : pyStr(x);
}

// ---------------------------------------------------------------------------------------------
// The format-spec mini-language: [[fill]align][sign][z][#][0][width][grouping][.precision][type]

interface Spec {
  fill: string;
  align: string;
  sign: string;
  noNeg0: boolean;
  alt: boolean;
  width: number; // -1: none
  sep: '' | ',' | '_';
  four: boolean; // '_' with b/o/x/X groups by four
  precision: number; // -1: none
  type: string; // '' for none (C's '\0')
}

/** A decimal digit's value, any script's (Python takes '٣' as 3 in a width), or -1. */
function digitValue(ch: string): number {
  if (ch >= '0' && ch <= '9') return ch.charCodeAt(0) - 48;
  const isNd = (cp: number) => /\p{Nd}/u.test(String.fromCodePoint(cp)) && !newerThanPython(cp);
  const cp = ch.codePointAt(0)!;
  if (!isNd(cp)) return -1;
  // Nd characters come in runs of ten, 0 to 9, and adjacent runs (math digits) stay aligned.
  let first = cp;
  while (isNd(first - 1)) first--;
  return (cp - first) % 10;
}

/** get_integer: the digits at c[pos...] as [value, next pos], value -1 when there are none. */
function integerAt(c: string[], pos: number): [number, number] {
  let acc = 0n;
  const start = pos;
  for (let d: number; pos < c.length && (d = digitValue(c[pos])) >= 0; pos++) {
    acc = acc * 10n + BigInt(d);
    if (acc > SSIZE_MAX) fail('ValueError', 'Too many decimal digits in format string');
  }
  return [pos === start ? -1 : Number(acc), pos];
}

/** A type character as CPython's messages show it: itself if printable ASCII, else '\x..'. */
const codeText = (ch: string) => {
  const cp = ch.codePointAt(0)!;
  return cp > 32 && cp < 128 ? ch : `\\x${cp.toString(16)}`;
};

function parseSpec(spec: string, tname: string, defType: string, defAlign: string): Spec {
  const c = Array.from(spec);
  const s: Spec = {
    fill: ' ', align: defAlign, sign: '', noNeg0: false, alt: false, width: -1, sep: '', four: false,
    precision: -1, type: defType,
  };
  const isAlign = (ch: string | undefined) => ch === '<' || ch === '>' || ch === '=' || ch === '^';
  let pos = 0;
  let fillGiven = false;
  let alignGiven = false;
  if (c.length >= 2 && isAlign(c[1])) {
    [s.fill, s.align] = c;
    fillGiven = alignGiven = true;
    pos = 2;
  } else if (isAlign(c[0])) {
    s.align = c[pos++];
    alignGiven = true;
  }
  if (c[pos] === '+' || c[pos] === '-' || c[pos] === ' ') s.sign = c[pos++];
  if (c[pos] === 'z') [s.noNeg0, pos] = [true, pos + 1];
  if (c[pos] === '#') [s.alt, pos] = [true, pos + 1];
  // A leading 0 means fill with zeros after the sign, unless a fill or alignment was given.
  if (!fillGiven && c[pos] === '0') {
    s.fill = '0';
    if (!alignGiven && defAlign === '>') s.align = '=';
    pos++;
  }
  [s.width, pos] = integerAt(c, pos);
  const both = () => fail('ValueError', "Cannot specify both ',' and '_'.");
  if (c[pos] === ',') s.sep = c[pos++] as ',';
  if (c[pos] === '_') s.sep = s.sep ? both() : (c[pos++] as '_');
  if (c[pos] === ',' && s.sep === '_') both();
  if (c[pos] === '.') {
    const [p, next] = integerAt(c, ++pos);
    if (p < 0) fail('ValueError', 'Format specifier missing precision');
    [s.precision, pos] = [p, next];
  }
  if (c.length - pos > 1) fail('ValueError', `Invalid format specifier '${spec}' for object of type '${tname}'`);
  if (c.length - pos === 1) s.type = c[pos];
  // Grouping goes with decimal types and no type (''); '_' also with b o x X, in fours.
  if (s.sep && !/^[defgEG%F]?$/.test(s.type)) {
    if (s.sep === '_' && /^[boxX]$/.test(s.type)) s.four = true;
    else fail('ValueError', `Cannot specify '${s.sep}' with '${codeText(s.type)}'.`);
  }
  return s;
}

function unknownCode(type: string, tname: string): never {
  return fail('ValueError', `Unknown format code '${codeText(type)}' for object of type '${tname}'`);
}

/** _PyUnicode_InsertThousandsGrouping: digits in groups of `size` from the right (0: no
 *  grouping), zero-padded to minWidth with the separators counted, as the '0' flag asks. */
function groupDigits(digits: string, minWidth: number, sep: string, size: number): string {
  let remaining = digits.length;
  let pos = remaining;
  let out = '';
  let useSep = false;
  const put = (len: number) => {
    const zeros = Math.max(0, len - remaining);
    const chars = Math.max(0, Math.min(remaining, len));
    out = '0'.repeat(zeros) + digits.slice(pos - chars, pos) + (useSep ? sep : '') + out;
    pos -= chars;
    remaining -= chars;
    useSep = true;
  };
  minWidth = Math.max(0, minWidth);
  if (size > 0) {
    for (;;) {
      const len = Math.min(size, Math.max(remaining, minWidth, 1));
      put(len);
      minWidth -= len;
      if (remaining <= 0 && minWidth <= 0) return out;
      minWidth -= sep.length;
    }
  }
  put(Math.max(remaining, minWidth, 1));
  return out;
}

/** calc_number_widths + fill_number: | pad | sign | prefix | pad | digits | point | rest | pad |. */
function layoutNumber(neg: boolean, prefix: string, digits: string, point: string, rest: string, s: Spec, grouped: boolean): string {
  const sign = s.sign === '+' ? (neg ? '-' : '+') : s.sign === ' ' ? (neg ? '-' : ' ') : neg ? '-' : '';
  const fixed = sign.length + prefix.length + point.length + cpLen(rest);
  const minWidth = s.fill === '0' && s.align === '=' ? s.width - fixed : 0;
  const size = !grouped || !s.sep ? 0 : s.four ? 4 : 3;
  let body = digits === '' ? '' : groupDigits(digits, minWidth, s.sep, size);
  if (s.type === 'X') body = body.toUpperCase();
  const pad = Math.max(0, s.width - (fixed + body.length));
  const left = s.align === '>' ? pad : s.align === '^' ? pad >> 1 : 0;
  const mid = s.align === '=' ? pad : 0;
  const right = pad - left - mid;
  return s.fill.repeat(left) + sign + prefix + s.fill.repeat(mid) + body + point + rest + s.fill.repeat(right);
}

/** format_long_internal: b c d o x X n for ints and bools. */
function formatLong(v: bigint, s: Spec): string {
  if (s.precision !== -1) fail('ValueError', 'Precision not allowed in integer format specifier');
  if (s.noNeg0) fail('ValueError', 'Negative zero coercion (z) not allowed in integer format specifier');
  if (s.type === 'c') {
    if (s.sign) fail('ValueError', "Sign not allowed with integer format specifier 'c'");
    if (s.alt) fail('ValueError', "Alternate form (#) not allowed with integer format specifier 'c'");
    if (v > SSIZE_MAX || v < -SSIZE_MAX - 1n) fail('OverflowError', 'Python int too large to convert to C long');
    if (v < 0n || v > 0x10ffffn) fail('OverflowError', '%c arg not in range(0x110000)');
    return layoutNumber(false, '', '', '', String.fromCodePoint(Number(v)), s, false);
  }
  const base = s.type === 'b' ? 2 : s.type === 'o' ? 8 : s.type === 'x' || s.type === 'X' ? 16 : 10;
  const prefix = s.alt && base !== 10 ? (s.type === 'X' ? '0X' : '0' + s.type) : '';
  // 'n' is 'd' in the C locale, which CPython keeps: no grouping.
  return layoutNumber(v < 0n, prefix, (v < 0n ? -v : v).toString(base), '', '', s, s.type !== 'n');
}

/** format_float_internal: e E f F g G n % and none, for floats (and ints given these types). */
function formatFloat(x: number, s: Spec): string {
  if (s.precision > INT_MAX) fail('ValueError', 'precision too big');
  let type = s.type;
  let addDot0 = false;
  let defaultPrecision = 6;
  if (type === '') {
    // Like repr without a precision, else like 'g' but always with a point or an exponent.
    [type, addDot0, defaultPrecision] = ['r', true, 0];
  }
  if (type === 'n') type = 'g';
  const percent = type === '%';
  if (percent) [type, x] = ['f', x * 100];
  let precision = s.precision;
  if (precision < 0) precision = defaultPrecision;
  else if (type === 'r') type = 'g';
  const upper = type === 'E' || type === 'F' || type === 'G';
  const code = type.toLowerCase() as 'e' | 'f' | 'g' | 'r';
  let text = floatText(x, code, precision, { addDot0, alt: s.alt, noNeg0: s.noNeg0, upper });
  if (percent) text += '%';
  const neg = text.startsWith('-');
  if (neg) text = text.slice(1);
  const digits = /^[0-9]*/.exec(text)![0];
  const point = text[digits.length] === '.' ? '.' : '';
  return layoutNumber(neg, '', digits, point, text.slice(digits.length + point.length), s, s.type !== 'n');
}

/** format_string_internal. */
function formatString(v: string, s: Spec): string {
  if (s.type !== 's') unknownCode(s.type, 'str');
  if (s.sign) fail('ValueError', `${s.sign === ' ' ? 'Space' : 'Sign'} not allowed in string format specifier`);
  if (s.noNeg0) fail('ValueError', 'Negative zero coercion (z) not allowed in string format specifier');
  if (s.alt) fail('ValueError', 'Alternate form (#) not allowed in string format specifier');
  if (s.align === '=') fail('ValueError', "'=' alignment not allowed in string format specifier");
  let chars = cpLen(v);
  if (s.precision >= 0 && chars > s.precision) {
    v = Array.from(v).slice(0, s.precision).join('');
    chars = s.precision;
  }
  const pad = Math.max(0, s.width - chars);
  const left = s.align === '>' ? pad : s.align === '^' ? pad >> 1 : 0;
  return s.fill.repeat(left) + v + s.fill.repeat(pad - left);
}

function formatInt(v: bigint, spec: string, tname: string): string {
  const s = parseSpec(spec, tname, 'd', '>');
  if (/^[bcdoxXn]$/.test(s.type)) return formatLong(v, s);
  if (/^[eEfFgG%]$/.test(s.type)) return formatFloat(Number(v), s); // Number(bigint) rounds as float(int) does
  return unknownCode(s.type, tname);
}

/**
 * format(x, spec). NumPy scalars format as the Python int, float or bool they convert to, so an
 * empty spec gives str() of that: format(np.float32(0.1), '') is '0.10000000149011612', unlike
 * str(np.float32(0.1)) == '0.1'. A bool with a nonempty spec formats as an int: '{:>5}' of True
 * is '    1'.
 */
export function formatSpec(x: PyValue, spec: string): string {
  switch (x.t) {
    case 'str':
      return spec === '' ? x.v : formatString(x.v, parseSpec(spec, 'str', 's', '<'));
    case 'bool':
      return spec === '' ? pyStr(x) : formatInt(x.v ? 1n : 0n, spec, 'bool');
    case 'int':
      return spec === '' ? x.v.toString() : formatInt(x.v, spec, 'int');
    case 'float': {
      const v = x.np === 'float32' ? Math.fround(x.v) : x.v;
      if (spec === '') return floatRepr(v);
      const s = parseSpec(spec, 'float', '', '>');
      return /^[eEfFgGn%]?$/.test(s.type) ? formatFloat(v, s) : unknownCode(s.type, 'float');
    }
  }
}

// ---------------------------------------------------------------------------------------------
// printf-style formatting: fmt % args

interface PercentFlags {
  ljust: boolean;
  sign: boolean;
  blank: boolean;
  alt: boolean;
  zero: boolean;
}

/** The integer of a '*' width or precision: only a Python int (or bool) will do. */
function starArg(v: PyValue, precision: boolean): number {
  if ((v.t !== 'int' && v.t !== 'bool') || v.np) fail('TypeError', '* wants int');
  const n = v.t === 'bool' ? BigInt(v.v) : (v.v as bigint);
  if (precision && (n > BigInt(INT_MAX) || n < -BigInt(INT_MAX) - 1n)) {
    fail('OverflowError', 'Python int too large to convert to C int');
  }
  return Number(n);
}

/** mainformatlong + _PyUnicode_FormatLong: %d %i %u %o %x %X. */
function percentLong(v: PyValue, type: string, alt: boolean, prec: number): string {
  const hex = 'oxX'.includes(type);
  const wrong = () =>
    fail('TypeError', `%${type} format: ${hex ? 'an integer' : 'a real number'} is required, not ${typeName(v)}`);
  let n: bigint;
  if (v.t === 'str') return wrong();
  if (v.t === 'int') n = v.v;
  else if (v.t === 'bool') n = v.np && hex ? wrong() : BigInt(v.v); // numpy.bool has no __index__
  else if (hex) return wrong();
  else if (Number.isNaN(v.v)) return fail('ValueError', 'cannot convert float NaN to integer');
  else if (!Number.isFinite(v.v)) return fail('OverflowError', 'cannot convert float infinity to integer');
  else n = BigInt(Math.trunc(v.np === 'float32' ? Math.fround(v.v) : v.v));
  if (prec > INT_MAX - 3) fail('OverflowError', 'precision too large');
  const base = type === 'o' ? 8 : hex ? 16 : 10;
  const digits = (n < 0n ? -n : n).toString(base);
  const s = (n < 0n ? '-' : '') + (alt && hex ? (type === 'o' ? '0o' : '0x') : '') + '0'.repeat(Math.max(0, prec - digits.length)) + digits;
  return type === 'X' ? s.toUpperCase() : s;
}

/** The double that %e %f %g read. */
function percentDouble(v: PyValue): number {
  if (v.t === 'str') return fail('TypeError', 'must be real number, not str');
  if (v.t === 'bool') return Number(v.v);
  if (v.t === 'int') return Number(v.v);
  return v.np === 'float32' ? Math.fround(v.v) : v.v;
}

/** formatchar: %c takes a one-character str or an integer (by __index__: no float, no numpy.bool). */
function percentChar(v: PyValue): string {
  if (v.t === 'str') return cpLen(v.v) === 1 ? v.v : fail('TypeError', '%c requires int or char');
  if (v.t === 'float' || (v.t === 'bool' && v.np)) return fail('TypeError', '%c requires int or char');
  const n = v.t === 'bool' ? BigInt(v.v) : v.v;
  if (n < 0n || n > 0x10ffffn) fail('OverflowError', '%c arg not in range(0x110000)');
  return String.fromCodePoint(Number(n));
}

/** unicode_format_arg_output: sign, '0x' prefix and padding around a converted argument. */
function percentOutput(str: string, ch: string, f: PercentFlags, width: number, prec: number, numeric: boolean): string {
  const fill = numeric && f.zero ? '0' : ' ';
  const cps = Array.from(str);
  let len = cps.length;
  if ((width === -1 || width <= len) && (prec === -1 || prec >= len) && !f.sign && !f.blank) return str;
  if ((ch === 's' || ch === 'r' || ch === 'a') && prec >= 0 && len > prec) len = prec;
  let at = 0;
  let sign = '';
  if (numeric) {
    if (cps[0] === '-' || cps[0] === '+') [sign, len, at] = [cps[0], len - 1, 1];
    else sign = f.sign ? '+' : f.blank ? ' ' : '';
  }
  const prefixed = f.alt && (ch === 'x' || ch === 'X' || ch === 'o');
  width = Math.max(width, len);
  let out = '';
  if (sign) {
    if (fill !== ' ') out += sign;
    if (width > len) width--;
  }
  if (prefixed) {
    if (fill !== ' ') [out, at] = [out + '0' + ch, at + 2];
    width = Math.max(0, width - 2);
    len -= 2;
  }
  if (width > len && !f.ljust) [out, width] = [out + fill.repeat(width - len), len];
  if (fill === ' ') {
    out += sign;
    if (prefixed) [out, at] = [out + '0' + ch, at + 2];
  }
  out += cps.slice(at, at + len).join('');
  return out + ' '.repeat(Math.max(0, width - len));
}

/**
 * fmt % args: a tuple when `args` is an array, else the single-value form `fmt % x`. In that form
 * a NumPy scalar counts as a mapping (it has __getitem__), so Python does not complain when the
 * template takes no argument: 'abc' % np.float64(1) is 'abc', while 'abc' % 1.0 raises.
 */
export function percentFormat(fmt: string, args: PyValue | readonly PyValue[]): string {
  const single = Array.isArray(args) ? undefined : (args as PyValue);
  const list: readonly PyValue[] = single ? [single] : (args as readonly PyValue[]);
  const mapping = single !== undefined && single.t !== 'str' && !!single.np;
  const c = Array.from(fmt);
  const n = c.length;
  let argi = 0;
  const nextArg = () => (argi < list.length ? list[argi++] : fail('TypeError', 'not enough arguments for format string'));
  let out = '';
  let i = 0;
  while (i < n) {
    if (c[i] !== '%') {
      const j = c.indexOf('%', i);
      out += c.slice(i, j < 0 ? n : j).join('');
      i = j < 0 ? n : j;
      continue;
    }
    i++;
    if (c[i] === '%') {
      out += '%';
      i++;
      continue;
    }
    if (c[i] === '(') {
      if (mapping) fail('IndexError', 'invalid index to scalar variable.');
      fail('TypeError', 'format requires a mapping');
    }
    // CPython reads with a countdown `cnt` of the characters left; running out anywhere is
    // 'incomplete format', checked only at the end, after any '*' argument was taken.
    let cnt = n - i;
    let ch = '';
    const adv = () => --cnt >= 0 && ((ch = c[i++]), true);
    const cur = (): string => ch; // what adv() read last (a call, so TypeScript does not narrow it)
    const f: PercentFlags = { ljust: false, sign: false, blank: false, alt: false, zero: false };
    const flagNames = ['ljust', 'sign', 'blank', 'alt', 'zero'] as const;
    while (adv() && '-+ #0'.includes(ch)) f[flagNames['-+ #0'.indexOf(ch)]] = true;
    const digit = () => ch >= '0' && ch <= '9';
    let width = -1;
    let prec = -1;
    if (ch === '*') {
      width = starArg(nextArg(), false);
      if (width < 0) [f.ljust, width] = [true, -width];
      adv();
    } else if (digit()) {
      let w = BigInt(ch);
      while (adv() && digit()) if ((w = w * 10n + BigInt(ch)) > SSIZE_MAX) fail('ValueError', 'width too big');
      width = Number(w);
    }
    if (ch === '.') {
      prec = 0;
      adv();
      if (cur() === '*') {
        prec = Math.max(0, starArg(nextArg(), true));
        adv();
      } else if (digit()) {
        prec = Number(ch);
        while (adv() && digit()) if ((prec = prec * 10 + Number(ch)) > INT_MAX) fail('ValueError', 'precision too big');
      }
    }
    if (cnt >= 0 && (ch === 'h' || ch === 'l' || ch === 'L')) adv(); // C length modifiers, ignored
    if (cnt < 0) fail('ValueError', 'incomplete format');
    const v = nextArg(); // taken before the type is checked: '%y' % () is "not enough arguments"
    let str: string;
    let numeric = false;
    switch (ch) {
      case 's': str = pyStr(v); break;
      case 'r': str = pyRepr(v); break;
      case 'a': str = pyAscii(v); break;
      case 'c': str = percentChar(v); break;
      case 'd': case 'i': case 'u': case 'o': case 'x': case 'X':
        str = percentLong(v, ch, f.alt, prec);
        numeric = true;
        break;
      case 'e': case 'E': case 'f': case 'F': case 'g': case 'G': {
        const code = ch.toLowerCase() as 'e' | 'f' | 'g';
        str = floatText(percentDouble(v), code, prec < 0 ? 6 : prec, { alt: f.alt, upper: ch !== code });
        numeric = true;
        break;
      }
      default: {
        const cp = ch.codePointAt(0)!;
        const shown = cp >= 31 && cp <= 126 ? ch : '?';
        return fail('ValueError', `unsupported format character '${shown}' (0x${cp.toString(16)}) at index ${i - 1}`);
      }
    }
    out += percentOutput(str, ch, f, width, prec, numeric);
  }
  if (argi < list.length && !mapping) fail('TypeError', 'not all arguments converted during string formatting');
  return out;
}

// ---------------------------------------------------------------------------------------------
// str.format templates

/**
 * The pieces of a str.format template (MarkupIterator and parse_field). CPython parses lazily,
 * while rendering, so with several faults it reports the first one reached; here the whole
 * template is checked up front, conversions included ('Unknown conversion specifier x').
 */
export function parseFormatTemplate(fmt: string): TemplatePiece[] {
  return parseTemplate(Array.from(fmt), 2);
}

function parseTemplate(c: string[], depth: number): TemplatePiece[] {
  // Specs nest one level: '{:{w}}' is fine, '{:{w:{x}}}' is not.
  if (depth <= 0) fail('ValueError', 'Max string recursion exceeded');
  const pieces: TemplatePiece[] = [];
  const n = c.length;
  let lit = '';
  let i = 0;
  while (i < n) {
    const start = i;
    let ch = '';
    while (i < n && (ch = c[i++]) !== '{' && ch !== '}');
    const brace = ch === '{' || ch === '}';
    let len = i - start;
    if (ch === '}' && (i >= n || c[i] !== '}')) fail('ValueError', "Single '}' encountered in format string");
    if (ch === '{' && i >= n) fail('ValueError', "Single '{' encountered in format string");
    let markup = brace;
    if (brace) {
      if (c[i] === ch) [i, markup] = [i + 1, false]; // '{{' or '}}': the brace is literal text
      else len--;
    }
    lit += c.slice(start, start + len).join('');
    if (!markup) continue;

    const nameStart = i;
    let end = '';
    while (i < n) {
      end = c[i++];
      if (end === '{') fail('ValueError', "unexpected '{' in field name");
      if (end === '[') {
        while (i < n && c[i] !== ']') i++; // a ':' or '!' inside [...] belongs to the name
      } else if (end === '}' || end === ':' || end === '!') break;
    }
    const field = c.slice(nameStart, i - 1).join('');
    let conversion: string | null = null;
    let spec: TemplatePiece[] = [];
    if (end === '!' || end === ':') {
      let specFollows = true;
      if (end === '!') {
        if (i >= n) fail('ValueError', 'end of string while looking for conversion specifier');
        conversion = c[i++];
        if (i < n) {
          const after = c[i++];
          if (after === '}') specFollows = false;
          else if (after !== ':') fail('ValueError', "expected ':' after conversion specifier");
        }
      }
      if (specFollows) {
        const specStart = i;
        let count = 1;
        let nested = false;
        while (i < n && count > 0) {
          const d = c[i++];
          if (d === '{') [nested, count] = [true, count + 1];
          else if (d === '}') count--;
        }
        if (count > 0) fail('ValueError', "unmatched '{' in format spec");
        const text = c.slice(specStart, i - 1);
        // CPython checks the conversion before it expands the spec.
        checkConversion(conversion);
        spec = nested ? parseTemplate(text, depth - 1) : text.length ? [{ lit: text.join('') }] : [];
      }
    } else if (end !== '}') fail('ValueError', "expected '}' before end of string");
    checkConversion(conversion);
    if (lit) pieces.push({ lit });
    lit = '';
    pieces.push({ field, conversion: conversion as 'r' | 's' | 'a' | null, spec });
  }
  if (lit) pieces.push({ lit });
  return pieces;
}

function checkConversion(conv: string | null): void {
  if (conv !== null && conv !== 'r' && conv !== 's' && conv !== 'a') {
    const cp = conv.codePointAt(0)!;
    fail('ValueError', `Unknown conversion specifier ${cp > 32 && cp < 127 ? conv : '\\x' + cp.toString(16)}`);
  }
}
