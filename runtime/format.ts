// Text of printed values: Python's print for NumPy scalars, NumPy's str()/repr() for arrays, and
// Python's tuples of them. CPython + NumPy is the oracle, so every rule here mirrors NumPy 2.4's
// arrayprint down to spaces and newlines, with the oracle prelude's print options: the defaults
// plus legacy='1.25'. That legacy mode changes two things here, marked where they apply.
import { type DType, isInt } from '../language/types.js';

/** A strided view of an array's elements (strides and offset count elements, not bytes). */
export interface ArrayView {
  dtype: DType;
  data: Float64Array | Float32Array | Int32Array | BigInt64Array | Uint8Array;
  shape: number[];
  strides: number[];
  offset: number;
}

type Elem = number | bigint | boolean;

const LINE_WIDTH = 75;
const THRESHOLD = 1000; // arrays with more elements are summarized...
const EDGE_ITEMS = 3; // ...showing this many items at each end of every long axis
const PRECISION = 8;

// ---------------------------------------------------------------------------------------------
// Decimal digits of floats

/** |x| = d[0].d[1]d[2]... × 10^exp, with no trailing zeros in `digits` (zero is "0", exp 0). */
interface Dec {
  digits: string;
  exp: number;
}

function stripZeros(digits: string, exp: number): Dec {
  const d = digits.replace(/0+$/, '');
  return d === '' ? { digits: '0', exp: 0 } : { digits: d, exp };
}

/** Parse JS exponential notation ("1.25e-7") into a Dec. */
function parseExp(s: string): Dec {
  const [m, e] = s.split('e');
  return stripZeros(m.replace('.', ''), Number(e));
}

/**
 * The shortest digits that read back as |x| in its own precision; among equally short ones, the
 * closest (ties to even, as NumPy's Dragon4). JS gives that directly for float64; for float32 we
 * try each length in turn.
 */
function shortest(x: number, f32: boolean): Dec {
  x = Math.abs(x);
  if (x === 0) return { digits: '0', exp: 0 };
  if (!f32) return parseExp(x.toExponential());
  const ex = exact(x);
  // Reading back rounds half to even, as float32 conversion does: NumPy accepts those ties too.
  const readsBack = (digits: string, exp: number) =>
    Math.fround(Number(`${digits[0]}.${digits.slice(1)}e${exp}`)) === x;
  for (let p = 1; ; p++) {
    const near = roundTo(ex, p);
    if (readsBack(near.digits, near.exp)) return near;
    // At a power of two the interval below x is half as wide as above: the closest p-digit
    // decimal may lie below, outside, while the next one up is inside.
    const up = (BigInt(near.digits.padEnd(p, '0')) + 1n).toString();
    const exp = near.exp + up.length - p;
    if (readsBack(up, exp)) return stripZeros(up, exp);
  }
}

/** The exact decimal digits of a finite |x| and where its point goes: |x| = 0.s × 10^decpt (a double
 *  is mant·2^e2, and mant·2^-k = mant·5^k / 10^k, so the expansion ends). */
export function exactDecimal(x: number): { s: string; decpt: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(x));
  const bits = view.getBigUint64(0);
  const biased = Number(bits >> 52n);
  let mant = bits & ((1n << 52n) - 1n);
  if (biased !== 0) mant |= 1n << 52n;
  const e2 = (biased === 0 ? 1 : biased) - 1075;
  const s = e2 >= 0 ? (mant << BigInt(e2)).toString() : (mant * 5n ** BigInt(-e2)).toString();
  return { s, decpt: s.length + Math.min(e2, 0) };
}

/** The exact decimal value of |x|. */
function exact(x: number): Dec {
  const { s, decpt } = exactDecimal(x);
  return stripZeros(s, decpt - 1);
}

/** Round to `keep` significant digits, ties to even (NumPy's Dragon4 rounds this way). */
function roundTo(d: Dec, keep: number): Dec {
  if (d.digits.length <= keep) return d;
  if (keep < 0) return { digits: '0', exp: 0 };
  const head = d.digits.slice(0, keep);
  const next = d.digits[keep];
  const tail = d.digits.slice(keep + 1);
  const lastOdd = keep > 0 && Number(head[keep - 1]) % 2 === 1;
  const up = next > '5' || (next === '5' && (/[1-9]/.test(tail) || lastOdd));
  if (!up) return stripZeros(head, d.exp);
  const inc = (BigInt(head || '0') + 1n).toString();
  // A carry out of the top digit ("999" -> "1000") raises the exponent.
  return stripZeros(inc, d.exp + (inc.length > keep ? 1 : 0));
}

/**
 * NumPy's Dragon4 in unique mode with a precision cutoff: the shortest round-trip digits, unless
 * they run past the cutoff, in which case the exact value rounded at the cutoff.
 */
function cutDigits(x: number, f32: boolean, sci: boolean): Dec {
  const d = shortest(x, f32);
  const keep = sci ? PRECISION + 1 : d.exp + 1 + PRECISION;
  return d.digits.length <= keep ? d : roundTo(exact(x), keep);
}

/** Integer and fraction digits of a Dec written positionally. */
function positional(d: Dec): [string, string] {
  if (d.exp < 0) return ['0', '0'.repeat(-d.exp - 1) + d.digits];
  return [d.digits.slice(0, d.exp + 1).padEnd(d.exp + 1, '0'), d.digits.slice(d.exp + 1)];
}

function expText(e: number, minDigits: number): string {
  return (e < 0 ? '-' : '+') + String(Math.abs(e)).padStart(minDigits, '0');
}

const sign = (x: number) => (x < 0 || Object.is(x, -0) ? '-' : '');

// ---------------------------------------------------------------------------------------------
// Scalars

/** What Python's print (str) shows for a NumPy scalar of this dtype. */
export function formatScalar(v: Elem, dtype: DType): string {
  if (dtype === 'bool') return v ? 'True' : 'False';
  if (isInt(dtype)) return String(v);
  const x = dtype === 'float32' ? Math.fround(Number(v)) : Number(v);
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x < 0 ? '-inf' : 'inf';
  const d = shortest(x, dtype === 'float32');
  const ax = Math.abs(x);
  // NumPy switches on the value itself (as Python does on its shortest digits; same outcome).
  // (legacy='1.25': float32 too switches at 1e16, where NumPy's own default switches at 1e6.)
  if (ax === 0 || (ax >= 1e-4 && ax < 1e16)) {
    const [i, f] = positional(d);
    return `${sign(x)}${i}.${f || '0'}`;
  }
  const frac = d.digits.length > 1 ? '.' + d.digits.slice(1) : '';
  return `${sign(x)}${d.digits[0]}${frac}e${expText(d.exp, 2)}`;
}

/** What print(a.dtype) shows. */
export function formatDType(d: DType): string {
  return d;
}

/** Python's str() of a tuple whose items are already rendered (each as its repr). */
export function formatTuple(items: string[]): string {
  return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`;
}

// ---------------------------------------------------------------------------------------------
// Element formatters: one width and style for all elements shown, as NumPy chooses them

type ElemFormat = (v: Elem) => string;

function boolFormat(zeroD: boolean): ElemFormat {
  // Non-0-d arrays pad True to the width of False so columns line up.
  const t = zeroD ? 'True' : ' True';
  return (v) => (v ? t : 'False');
}

function intFormat(vals: Elem[]): ElemFormat {
  const width = Math.max(...vals.map((v) => String(v).length));
  return (v) => String(v).padStart(width);
}

function floatFormat(vals: number[], f32: boolean): ElemFormat {
  const finite = vals.filter(Number.isFinite);
  let sci = false;
  let max = 0;
  let min = Infinity;
  for (const v of finite) {
    const a = Math.abs(v);
    if (a === 0) continue;
    max = Math.max(max, a);
    min = Math.min(min, a);
  }
  if (max > 0) {
    // NumPy does these tests in the array's dtype: for float32 both the quotient and the 1e-4
    // literal are float32 values. (legacy='1.25': the 1e8 cutoff holds for float32 too, where
    // NumPy's own default is 1e6.)
    const ratio = f32 ? Math.fround(max / min) : max / min;
    sci = max >= 1e8 || min < (f32 ? Math.fround(1e-4) : 1e-4) || ratio > 1000;
  }

  // First pass over the finite values: their digits, which set the field widths. (-0 gets a key
  // of its own: a Map merges it with 0.)
  const key = (x: number) => (Object.is(x, -0) ? '-0' : x);
  const parts = new Map<number | string, { d: Dec; int: string; frac: string }>();
  for (const v of finite) {
    if (parts.has(key(v))) continue;
    const d = cutDigits(v, f32, sci);
    const [int, frac] = sci ? [d.digits[0], d.digits.slice(1)] : positional(d);
    parts.set(key(v), { d, int: sign(v) + int, frac });
  }
  let padLeft = 0;
  let fracLen = 0;
  let expDigits = 2;
  for (const { d, int, frac } of parts.values()) {
    padLeft = Math.max(padLeft, int.length);
    fracLen = Math.max(fracLen, frac.length);
    expDigits = Math.max(expDigits, String(Math.abs(d.exp)).length);
  }
  // Scientific: digits are zero-filled to a common length; positional: space-filled.
  const padRight = sci ? expDigits + 2 + fracLen : fracLen;
  if (finite.length < vals.length) {
    // nan / inf / -inf are right-aligned in the full field, which they may widen.
    const negInf = vals.some((v) => v === -Infinity) ? 1 : 0;
    padLeft = Math.max(padLeft, 3 + negInf - (padRight + 1));
  }
  const width = padLeft + padRight + 1;

  // Second pass, per element. NumPy now asks Dragon4 for a minimum number of digits, and where
  // the shortest digits stop early it prints more digits of the exact value, not zeros.
  return (v) => {
    const x = Number(v);
    if (!Number.isFinite(x)) return (Number.isNaN(x) ? 'nan' : x < 0 ? '-inf' : 'inf').padStart(width);
    const { d, int, frac } = parts.get(key(x))!;
    if (sci) {
      // fracLen digits after the point: float32 0.1 among longer numbers is 1.00000001e-01.
      const e = frac.length < fracLen ? roundTo(exact(x), fracLen + 1) : d;
      const lead = (sign(x) + e.digits[0]).padStart(padLeft);
      return `${lead}.${e.digits.slice(1).padEnd(fracLen, '0')}e${expText(e.exp, expDigits)}`;
    }
    // Digits up to the point at least: float32 93044248 is 93044248., not 93044250. as a scalar.
    // Only an integer's shortest digits stop before the point; a value whose digits end there
    // because rounding at the cutoff carried (9.999999999 -> 10.) keeps its rounded digits.
    const whole = Number.isInteger(x) && d.digits.length < d.exp + 1 ? sign(x) + positional(exact(x))[0] : int;
    return `${whole.padStart(padLeft)}.${frac.padEnd(fracLen)}`;
  };
}

// ---------------------------------------------------------------------------------------------
// Arrays

const GAP = -1; // stands for "..." in a list of shown indices

/** Indices shown along an axis of length n: all, or the ends around a "..." when summarizing. */
function shown(n: number, summarize: boolean): number[] {
  const all = Array.from({ length: n }, (_, i) => i);
  if (!summarize || n <= 2 * EDGE_ITEMS) return all;
  return [...all.slice(0, EDGE_ITEMS), GAP, ...all.slice(n - EDGE_ITEMS)];
}

function get(a: ArrayView, pos: number): Elem {
  const v = a.data[pos];
  return a.dtype === 'bool' ? v !== 0 : v;
}

const size = (a: ArrayView) => a.shape.reduce((p, n) => p * n, 1);

/** Every element that will be printed, in order: the formatter is sized to these alone. */
function shownElems(a: ArrayView, summarize: boolean): Elem[] {
  const out: Elem[] = [];
  const walk = (axis: number, pos: number): void => {
    if (axis === a.shape.length) {
      out.push(get(a, pos));
      return;
    }
    for (const i of shown(a.shape[axis], summarize)) if (i !== GAP) walk(axis + 1, pos + i * a.strides[axis]);
  };
  walk(0, a.offset);
  return out;
}

function elemFormat(a: ArrayView, elems: Elem[]): ElemFormat {
  switch (a.dtype) {
    case 'bool':
      return boolFormat(a.shape.length === 0);
    case 'float32': case 'float64':
      return floatFormat(elems as number[], a.dtype === 'float32');
    default:
      return intFormat(elems);
  }
}

/**
 * NumPy's array2string: nested brackets, elements of the last axis wrapped to the line width with
 * a hanging indent, blank lines between blocks of higher axes. `prefix` is the text before the
 * opening bracket ("array(" for repr), whose width the continuation lines are indented by.
 */
function array2string(a: ArrayView, sep: string, prefix: string, lineWidth: number): string {
  if (size(a) === 0) return '[]';
  const summarize = size(a) > THRESHOLD;
  const fmt = elemFormat(a, shownElems(a, summarize));
  const nd = a.shape.length;

  const render = (axis: number, pos: number, indent: string, width: number): string => {
    if (axis === nd) return fmt(get(a, pos));
    const items = shown(a.shape[axis], summarize);
    const child = (i: number) =>
      i === GAP ? '...' : render(axis + 1, pos + i * a.strides[axis], indent + ' ', width - 1);
    let s = '';
    if (axis === nd - 1) {
      // Leave room for the separator or closing bracket after each element.
      const elemWidth = width - Math.max(sep.trimEnd().length, 1);
      let line = indent;
      items.forEach((i, k) => {
        const word = child(i);
        // Wrap if the word overflows, unless the line holds nothing yet (wrapping would not help).
        if (line.length + word.length > elemWidth && line.length > indent.length) {
          s += line.trimEnd() + '\n';
          line = indent;
        }
        line += word;
        if (k < items.length - 1) line += sep;
      });
      s += line;
    } else {
      const lineSep = sep.trimEnd() + '\n'.repeat(nd - axis - 1);
      items.forEach((i, k) => {
        s += indent + child(i) + (k < items.length - 1 ? lineSep : '');
      });
    }
    return '[' + s.slice(indent.length) + ']';
  };
  return render(0, a.offset, ' '.repeat(1 + prefix.length), lineWidth);
}

/** str(a): what print(a) shows. */
export function formatArray(a: ArrayView): string {
  if (a.shape.length === 0) return formatScalar(get(a, a.offset), a.dtype);
  return array2string(a, ' ', '', LINE_WIDTH);
}

/** repr(a): how an array appears inside a printed tuple, e.g. `array([1, 2], dtype=int32)`. */
export function reprArray(a: ArrayView): string {
  const prefix = 'array(';
  const body = array2string(a, ', ', prefix, LINE_WIDTH - 1); // minus 1 for the closing ")"
  // Shape and dtype are added where the text alone would not say them. (legacy='1.25': no shape=
  // for summarized arrays, which NumPy's own default adds since 2.2.)
  const extras: string[] = [];
  const n = size(a);
  if (n === 0 && a.shape.length !== 1) extras.push(`shape=${formatTuple(a.shape.map(String))}`);
  if (n === 0 || (a.dtype !== 'int64' && a.dtype !== 'float64' && a.dtype !== 'bool')) extras.push(`dtype=${formatDType(a.dtype)}`);
  if (extras.length === 0) return `${prefix}${body})`;
  const head = `${prefix}${body},`;
  const tail = extras.join(', ') + ')';
  const lastLine = head.length - (head.lastIndexOf('\n') + 1);
  const spacer = lastLine + tail.length + 1 > LINE_WIDTH ? '\n' + ' '.repeat(prefix.length) : ' ';
  return head + spacer + tail;
}
