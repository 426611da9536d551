// Python's str at run time: the `env.s_*` imports through which generated code builds, formats,
// compares and measures strings. A string lives in wasm memory as a 1-d bool (u8) array of its
// UTF-8 bytes. Every operation happens here, on values the code pushes first (s_i64, s_f64, s_str,
// ...), described by an operation the compiler put in the string table as JSON (StrOp). A string
// result comes back in two steps: s_op returns its byte length, the code allocates that many bytes
// and s_take copies them in; or, when it is only printed, s_op appends it to the print line.
import { CODE_DTYPE, DESC, TYPED_ARRAY } from './layout.js';
import type { DType } from '../language/types.js';
import type { IntDType } from './pyformat.js';
import { PyFormatError, formatSpec, parseFormatTemplate, percentFormat, pyAscii, pyRepr, pyStr, type PyValue, type TemplatePiece } from './pyformat.js';

/** A value pushed for a string operation: a scalar or str, or any other object by its str() and repr() (a list also by its items). */
type SValue = PyValue | { t: 'obj'; str: string; repr: string; type: string; items?: SValue[] };

/** The Par type of a list's elements, as the compiler writes it (language/types.ts). */
type ElemType = { kind: 'scalar'; dtype: string; weak: boolean } | { kind: 'str' } | { kind: 'array' } | { kind: 'list'; elem: ElemType | null } | { kind: 'tuple'; elems: ElemType[] };

/** An f-string part: literal text, or a field formatting the next value (its spec may hold fields too). */
export type FPartOp = string | { c: 'r' | 's' | 'a' | null; s: FPartOp[] | null };

/** What s_op does with the values pushed since the last one (compiler/lower/strings.ts writes these). */
export type StrOp =
  | { op: 'f'; parts: FPartOp[] } // f-string
  | { op: 'str' | 'repr' | 'ascii' }
  | { op: 'format' } // format(value, spec)
  | { op: 'pct'; n: number; tuple: boolean } // template % value, template % (v1, ..., vn)
  | { op: 'tformat'; n: number; names: string[] } // template.format(*n positional values, **names)
  | { op: 'add' | 'mul' | 'len' | 'cmp' | 'in' | 'index' | 'int' | 'float' | 'bool' }
  | { op: 'slice'; has: [boolean, boolean, boolean] }
  | { op: 'tuple'; n: number } // pops n values, pushes their tuple (for str((a, b)) and '%s' % ((a, b),))
  | { op: 'm'; name: string; n: number } // receiver.name(n args)
  | { op: 'raise'; name: string } // raise name(message)
  | { op: 'neq' } // two lists differ (Python's !=)
  | { op: 'range' } // pops start, stop, step, pushes the range object's text
  | { op: 'join' } // sep.join(list or str)
  | { op: 'split'; n: number } // s.split(sep=None, maxsplit=-1) with n of the arguments given: the number of pieces (kept for 'piece')
  | { op: 'piece' }; // the k-th piece of the last split

/** How s_op returns its result: a string's byte length (then s_take), printed, or a number. */
export const enum StrResult { Text = 0, Print = 1, Number = 2 }

/** Kinds of pushed numbers: a Python number, or a NumPy scalar of a dtype. */
export const enum NumKind { Python = 0, Wide = 1, Narrow = 2, /** Code + a dtype code (runtime/layout.ts): a NumPy integer of that dtype */ Code = 16 }

export interface StringImportsOptions {
  memory: WebAssembly.Memory;
  strings: string[];
  /** Raises the Python exception `message` (`ValueError: ...`) at error site `site`. */
  trap(site: number, message: string): never;
  /** Appends printed text to the thread's current line. */
  print(text: string): void;
  /** str() and repr() of an array descriptor, as print shows it. */
  arrayText(desc: number): { str: string; repr: string };
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The s_* imports of one thread: each thread has its own stack of pushed values and its own result. */
export function stringImports(o: StringImportsOptions): Record<string, (...args: never[]) => unknown> {
  let stack: SValue[] = [];
  let pieces: string[] = [];
  let result = new Uint8Array(0);
  const ops = new Map<number, StrOp>();
  const opOf = (id: number): StrOp => {
    let op = ops.get(id);
    if (!op) ops.set(id, op = JSON.parse(o.strings[id]) as StrOp);
    return op;
  };
  const text = (desc: number): string => {
    const i32 = new Int32Array(o.memory.buffer);
    const data = i32[(desc + DESC.data) >> 2] >>> 0, n = i32[(desc + DESC.shape) >> 2];
    // TextDecoder does not read shared memory: copy the bytes out first.
    return decoder.decode(new Uint8Array(o.memory.buffer, data, n).slice());
  };
  const pop = (n: number): SValue[] => (n === 0 ? [] : stack.splice(stack.length - n, n));
  const str = (v: SValue) => (v.t === 'obj' ? v.str : pyStr(v));
  const repr = (v: SValue) => (v.t === 'obj' ? v.repr : pyRepr(v));
  const ascii = (v: SValue) => (v.t === 'obj' ? v.repr.replace(/[^\x00-\x7f]/gu, (c) => escapeNonAscii(c)) : pyAscii(v));
  const convert = (v: SValue, c: 'r' | 's' | 'a' | null): SValue => (c === null ? v : { t: 'str', v: c === 'r' ? repr(v) : c === 's' ? str(v) : ascii(v) });
  const format = (v: SValue, spec: string): string => {
    if (v.t !== 'obj') return formatSpec(v, spec);
    if (spec === '') return v.str;
    throw new PyFormatError('TypeError', `unsupported format string passed to ${v.type}.__format__`);
  };
  const asPy = (v: SValue): PyValue => (v.t === 'obj' ? { t: 'str', v: v.str } : v);
  const needStr = (v: SValue): string => {
    if (v.t !== 'str') throw new PyFormatError('TypeError', `expected a str, got ${v.t === 'obj' ? v.type : v.t}`);
    return v.v;
  };
  const needInt = (v: SValue): number => Number(v.t === 'int' ? v.v : v.t === 'bool' ? BigInt(v.v) : 0n);
  const chars = (s: string) => Array.from(s);

  /** An f-string's parts; values are consumed in CPython's order: a field's value, then its spec's fields. */
  const fstring = (parts: FPartOp[], args: SValue[]): string => {
    let out = '';
    for (const p of parts) {
      if (typeof p === 'string') { out += p; continue; }
      const v = args.shift()!;
      const spec = p.s ? fstring(p.s, args) : '';
      out += format(convert(v, p.c), spec);
    }
    return out;
  };

  /** str.format: fields by position (auto-numbered or explicit), by name, and `.attr`/`[k]` are not supported. */
  const tformat = (template: string, pos: SValue[], named: Map<string, SValue>): string => {
    let auto = 0;
    let manual = false;
    const field = (name: string): SValue => {
      if (name === '') {
        if (manual) throw new PyFormatError('ValueError', 'cannot switch from manual field specification to automatic field numbering');
        if (auto >= pos.length) throw new PyFormatError('IndexError', `Replacement index ${auto} out of range for positional args tuple`);
        return pos[auto++];
      }
      if (/^\d+$/.test(name)) {
        if (auto > 0) throw new PyFormatError('ValueError', 'cannot switch from automatic field numbering to manual field specification');
        manual = true;
        const k = Number(name);
        if (k >= pos.length) throw new PyFormatError('IndexError', `Replacement index ${k} out of range for positional args tuple`);
        return pos[k];
      }
      const v = named.get(name);
      if (v === undefined) throw /[.[]/.test(name) ? new PyFormatError('ValueError', `field '${name}' (attributes and items) is not supported in Par`) : new PyFormatError('KeyError', `'${name}'`);
      return v;
    };
    const render = (pieces: TemplatePiece[]): string => pieces.map((p) => {
      if ('lit' in p) return p.lit;
      const v = convert(field(p.field), p.conversion);
      return format(v, render(p.spec));
    }).join('');
    return render(parseFormatTemplate(template));
  };

  const method = (name: string, self: string, args: SValue[]): string | number => {
    const s = (i: number, dflt?: string) => (args[i] === undefined ? dflt : needStr(args[i]));
    switch (name) {
      case 'upper': return self.toUpperCase();
      case 'lower': return self.toLowerCase();
      case 'strip': return stripChars(self, s(0), true, true);
      case 'lstrip': return stripChars(self, s(0), true, false);
      case 'rstrip': return stripChars(self, s(0), false, true);
      case 'startswith': return self.startsWith(s(0)!) ? 1 : 0;
      case 'endswith': return self.endsWith(s(0)!) ? 1 : 0;
      case 'find': { const k = self.indexOf(s(0)!); return k < 0 ? -1 : chars(self.slice(0, k)).length; }
      case 'count': { const sub = s(0)!; return sub === '' ? chars(self).length + 1 : self.split(sub).length - 1; }
      case 'replace': return self.split(s(0)!).join(s(1)!);
      case 'zfill': {
        const w = needInt(args[0]), n = chars(self).length;
        if (w <= n) return self;
        const sign = self[0] === '+' || self[0] === '-' ? self[0] : '';
        return sign + '0'.repeat(w - n) + self.slice(sign.length);
      }
      case 'center': case 'ljust': case 'rjust': {
        const w = needInt(args[0]), fill = s(1, ' ')!, n = chars(self).length;
        if (chars(fill).length !== 1) throw new PyFormatError('TypeError', 'The fill character must be exactly one character long');
        if (w <= n) return self;
        const pad = w - n;
        if (name === 'ljust') return self + fill.repeat(pad);
        if (name === 'rjust') return fill.repeat(pad) + self;
        // CPython: the extra space goes left when the padding is odd and the width is odd.
        const left = Math.floor(pad / 2) + (pad & w & 1);
        return fill.repeat(left) + self + fill.repeat(pad - left);
      }
      case 'isdigit': return self !== '' && /^\p{Nd}+$/u.test(self) ? 1 : 0;
      case 'isalpha': return self !== '' && /^\p{L}+$/u.test(self) ? 1 : 0;
      case 'isspace': return self !== '' && /^\s+$/u.test(self) ? 1 : 0;
      case 'isupper': return /\p{Lu}/u.test(self) && !/\p{Ll}/u.test(self) ? 1 : 0;
      case 'islower': return /\p{Ll}/u.test(self) && !/\p{Lu}/u.test(self) ? 1 : 0;
      case 'title': return self.toLowerCase().replace(/(^|[^\p{L}])(\p{L})/gu, (_m, a: string, b: string) => a + b.toUpperCase());
      case 'capitalize': return self ? chars(self)[0].toUpperCase() + chars(self).slice(1).join('').toLowerCase() : self;
    }
    throw new PyFormatError('TypeError', `str.${name}() is not supported`);
  };

  const run = (op: StrOp): string | number => {
    switch (op.op) {
      case 'f': return fstring(op.parts, pop(countFields(op.parts)));
      case 'str': return str(pop(1)[0]);
      case 'repr': return repr(pop(1)[0]);
      case 'ascii': return ascii(pop(1)[0]);
      case 'format': { const [v, spec] = pop(2); return format(v, needStr(spec)); }
      case 'pct': {
        const args = pop(op.n);
        const template = needStr(pop(1)[0]);
        return percentFormat(template, op.tuple ? args.map(asPy) : asPy(args[0]));
      }
      case 'tformat': {
        const args = pop(op.n);
        const template = needStr(pop(1)[0]);
        const k = args.length - op.names.length;
        return tformat(template, args.slice(0, k), new Map(op.names.map((n, i) => [n, args[k + i]])));
      }
      case 'add': { const [a, b] = pop(2); return needStr(a) + needStr(b); }
      case 'mul': { const [a, b] = pop(2); const n = needInt(b); return n > 0 ? needStr(a).repeat(n) : ''; }
      case 'len': return chars(needStr(pop(1)[0])).length;
      case 'bool': return needStr(pop(1)[0]) === '' ? 0 : 1;
      case 'cmp': {
        const [a, b] = pop(2).map(needStr);
        // Python compares code points; JS's < compares UTF-16 units, which differs above U+FFFF.
        const x = chars(a).map((c) => c.codePointAt(0)!), y = chars(b).map((c) => c.codePointAt(0)!);
        for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1;
        return Math.sign(x.length - y.length);
      }
      case 'in': { const [needle, hay] = pop(2).map(needStr); return hay.includes(needle) ? 1 : 0; }
      case 'index': {
        const [s, i] = pop(2);
        const cs = chars(needStr(s));
        let k = needInt(i);
        if (k < 0) k += cs.length;
        if (k < 0 || k >= cs.length) throw new PyFormatError('IndexError', 'string index out of range');
        return cs[k];
      }
      case 'slice': {
        const given = op.has.filter(Boolean).length;
        const parts = pop(given);
        const cs = chars(needStr(pop(1)[0]));
        const [lo, hi, st] = op.has.map((h) => (h ? needInt(parts.shift()!) : null));
        if (st === 0) throw new PyFormatError('ValueError', 'slice step cannot be zero');
        return sliceIndices(cs.length, lo, hi, st ?? 1).map((k) => cs[k]).join('');
      }
      case 'int': {
        const s = needStr(pop(1)[0]);
        const t = s.trim().replace(/_/g, (u, at: number, all: string) => (/\d/.test(all[at - 1] ?? '') && /\d/.test(all[at + 1] ?? '') ? '' : u));
        if (!/^[+-]?\d+$/.test(t)) throw new PyFormatError('ValueError', `invalid literal for int() with base 10: ${pyRepr({ t: 'str', v: s })}`);
        return Number(BigInt.asIntN(64, BigInt(t)));
      }
      case 'float': {
        const s = needStr(pop(1)[0]);
        const t = s.trim().toLowerCase();
        const v = /^[+-]?(inf|infinity)$/.test(t) ? (t.startsWith('-') ? -Infinity : Infinity) : /^[+-]?nan$/.test(t) ? NaN
          : /^[+-]?(\d(_?\d)*\.?(\d(_?\d)*)?|\.\d(_?\d)*)(e[+-]?\d(_?\d)*)?$/.test(t) ? Number(t.replace(/_/g, '')) : undefined;
        if (v === undefined) throw new PyFormatError('ValueError', `could not convert string to float: ${pyRepr({ t: 'str', v: s })}`);
        return v;
      }
      case 'tuple': {
        stack.push(tupleValue(pop(op.n)));
        return 0;
      }
      case 'm': {
        const args = pop(op.n);
        return method(op.name, needStr(pop(1)[0]), args);
      }
      case 'neq': { const [a, b] = pop(2); return equal(a, b) ? 0 : 1; }
      case 'join': {
        const [sep, seq] = pop(2);
        const parts = seq.t === 'obj' ? (seq.items ?? []) : Array.from(needStr(seq)).map((c): SValue => ({ t: 'str', v: c }));
        return parts.map((p, i) => {
          if (p.t !== 'str') throw new PyFormatError('TypeError', `sequence item ${i}: expected str instance, ${p.t === 'obj' ? p.type : p.t} found`);
          return p.v;
        }).join(needStr(sep));
      }
      case 'split': {
        const args = pop(op.n);
        const self = needStr(pop(1)[0]);
        const sep = args[0] && args[0].t !== 'obj' ? needStr(args[0]) : null;
        const max = args[1] ? needInt(args[1]) : -1;
        if (sep === '') throw new PyFormatError('ValueError', 'empty separator');
        pieces = splitText(self, sep, max);
        return pieces.length;
      }
      case 'piece': return pieces[needInt(pop(1)[0])];
      case 'range': {
        const [a, b, c] = pop(3).map((x) => pyStr(x as PyValue));
        const t = c === '1' ? `range(${a}, ${b})` : `range(${a}, ${b}, ${c})`;
        stack.push({ t: 'obj', str: t, repr: t, type: 'range' });
        return 0;
      }
      case 'raise': {
        const msg = needStr(pop(1)[0]);
        throw new Raised(msg === '' ? op.name : `${op.name}: ${msg}`);
      }
    }
  };
  const guarded = <T>(site: number, f: () => T): T => {
    try {
      return f();
    } catch (e) {
      stack = [];
      if (e instanceof PyFormatError) o.trap(site, `${e.pyType}: ${e.message}`);
      if (e instanceof Raised) o.trap(site, e.message);
      throw e;
    }
  };

  /** A list's items, read from memory (Note [Lists] in compiler/lower/lists.ts). */
  const listItems = (desc: number, elem: ElemType | null): SValue[] => {
    const i32 = new Int32Array(o.memory.buffer);
    const data = i32[(desc + DESC.data) >> 2] >>> 0, n = i32[(desc + DESC.size) >> 2];
    const items: SValue[] = [];
    for (let k = 0; k < n && elem; k++) {
      items.push(elem.kind === 'scalar' ? scalarAt(o.memory, data, k, elem) : objectAt(i32[(data >> 2) + k] >>> 0, elem));
    }
    return items;
  };
  /** The value a descriptor held by a list stands for. */
  const objectAt = (p: number, elem: ElemType): SValue => {
    if (elem.kind === 'str') return { t: 'str', v: text(p) };
    if (elem.kind === 'list') return listValue(p, elem.elem);
    if (elem.kind === 'tuple') {
      // A boxed tuple: its leaves in 8-byte slots, in order.
      const data = new Int32Array(o.memory.buffer)[(p + DESC.data) >> 2] >>> 0;
      let k = 0;
      const part = (t: ElemType): SValue => {
        if (t.kind === 'tuple') return tupleValue(t.elems.map(part));
        const at = data + 8 * k++;
        return t.kind === 'scalar' ? scalarAt(o.memory, at, 0, t) : objectAt(new Int32Array(o.memory.buffer)[at >> 2] >>> 0, t);
      };
      return part(elem);
    }
    const a = o.arrayText(p);
    return { t: 'obj', str: a.repr, repr: a.repr, type: 'numpy.ndarray' };
  };
  const listValue = (desc: number, elem: ElemType | null): SValue => {
    const items = listItems(desc, elem);
    const r = `[${items.map(repr).join(', ')}]`;
    return { t: 'obj', str: r, repr: r, type: 'list', items };
  };

  return {
    s_list: (desc: number, typeId: number) => { stack.push(listValue(desc, (JSON.parse(o.strings[typeId]) as { elem: ElemType | null }).elem)); },
    // sorted() and list.sort() of strings or tuples: the element pointers reordered by Python's <, stably.
    l_sort: (desc: number, typeId: number, reverse: number, site: number) => {
      const elem = (JSON.parse(o.strings[typeId]) as { elem: ElemType }).elem;
      const i32 = new Int32Array(o.memory.buffer);
      const data = i32[(desc + DESC.data) >> 2] >>> 0, n = i32[(desc + DESC.size) >> 2];
      const keyed = Array.from(i32.subarray(data >> 2, (data >> 2) + n), (p, k) => ({ p, k, v: objectAt(p >>> 0, elem) }));
      guarded(site, () => keyed.sort((a, b) => (reverse ? order(b.v, a.v) : order(a.v, b.v)) || a.k - b.k));
      keyed.forEach((x, k) => { i32[(data >> 2) + k] = x.p; });
    },
    s_i64: (v: bigint, kind: NumKind) => {
      // uint64 arrives as its bits in an i64; every other integer dtype arrives exactly.
      const np = kind >= NumKind.Code ? CODE_DTYPE[kind - NumKind.Code] : kind === NumKind.Wide ? 'int64' : kind === NumKind.Narrow ? 'int32' : undefined;
      stack.push({ t: 'int', v: np === 'uint64' ? BigInt.asUintN(64, v) : v, ...(np ? { np } : {}) } as PyValue);
    },
    s_f64: (v: number, kind: NumKind) => { stack.push({ t: 'float', v, ...(kind === NumKind.Wide ? { np: 'float64' } : kind === NumKind.Narrow ? { np: 'float32' } : {}) } as PyValue); },
    s_bool: (v: number, kind: NumKind) => { stack.push(kind === NumKind.Python ? { t: 'bool', v: v !== 0 } : { t: 'bool', v: v !== 0, np: true }); },
    s_str: (desc: number) => { stack.push({ t: 'str', v: text(desc) }); },
    s_lit: (id: number) => { stack.push({ t: 'str', v: o.strings[id] }); },
    s_obj: (id: number) => { const [str, repr, type] = JSON.parse(o.strings[id]) as string[]; stack.push({ t: 'obj', str, repr, type }); },
    s_arr: (desc: number) => { stack.push({ t: 'obj', ...o.arrayText(desc), type: 'numpy.ndarray' }); },
    s_op: (id: number, site: number, how: StrResult): bigint => {
      const r = guarded(site, () => run(opOf(id)));
      if (how === StrResult.Number) return BigInt(r as number);
      if (how === StrResult.Print) { o.print(String(r)); return 0n; }
      result = encoder.encode(String(r));
      return BigInt(result.length);
    },
    s_opf: (id: number, site: number): number => guarded(site, () => run(opOf(id)) as number),
    s_raise: (id: number, site: number): void => { guarded(site, () => run(opOf(id))); },
    s_take: (ptr: number) => { new Uint8Array(o.memory.buffer).set(result, ptr); },
  };
}

/** `raise E(message)` with a message made at run time. */
class Raised extends Error {}

/** How many values an f-string's fields consume. */
function countFields(parts: FPartOp[]): number {
  let n = 0;
  for (const p of parts) if (typeof p !== 'string') n += 1 + (p.s ? countFields(p.s) : 0);
  return n;
}

function escapeNonAscii(c: string): string {
  const cp = c.codePointAt(0)!;
  const hex = (w: number) => cp.toString(16).padStart(w, '0');
  return cp <= 0xff ? '\\x' + hex(2) : cp <= 0xffff ? '\\u' + hex(4) : '\\U' + hex(8);
}

/** str.strip and friends: Python's whitespace, or the given characters. */
function stripChars(s: string, set: string | undefined, left: boolean, right: boolean): string {
  const cs = Array.from(s);
  const strip = (c: string) => (set === undefined ? /\s/u.test(c) : set.includes(c));
  let a = 0, b = cs.length;
  if (left) while (a < b && strip(cs[a])) a++;
  if (right) while (b > a && strip(cs[b - 1])) b--;
  return cs.slice(a, b).join('');
}

/** The indices slice(lo, hi, st) selects from a sequence of n items (Python's slice.indices). */
export function sliceIndices(n: number, lo: number | null, hi: number | null, st: number): number[] {
  const clamp = (v: number, min: number, max: number) => Math.min(Math.max(v, min), max);
  const norm = (v: number | null, dflt: number, min: number, max: number) => (v === null ? dflt : clamp(v < 0 ? v + n : v, min, max));
  const out: number[] = [];
  if (st > 0) for (let k = norm(lo, 0, 0, n), e = norm(hi, n, 0, n); k < e; k += st) out.push(k);
  else for (let k = norm(lo, n - 1, -1, n - 1), e = norm(hi, -1, -1, n - 1); k > e; k += st) out.push(k);
  return out;
}

/** Element k of a list of numbers, as the Python or NumPy scalar it is. */
function scalarAt(memory: WebAssembly.Memory, data: number, k: number, t: { dtype: string; weak: boolean }): PyValue {
  const b = memory.buffer;
  const np = !t.weak;
  switch (t.dtype) {
    case 'bool': return np ? { t: 'bool', v: new Uint8Array(b)[data + k] !== 0, np: true } : { t: 'bool', v: new Uint8Array(b)[data + k] !== 0 };
    case 'float32': return { t: 'float', v: new Float32Array(b)[(data >> 2) + k], ...(np ? { np: 'float32' as const } : {}) };
    case 'float64': return { t: 'float', v: new Float64Array(b)[(data >> 3) + k], ...(np ? { np: 'float64' as const } : {}) };
    default: {
      const T = TYPED_ARRAY[t.dtype as Exclude<DType, 'bool' | 'float32' | 'float64'>];
      return { t: 'int', v: BigInt(new T(b)[data / T.BYTES_PER_ELEMENT + k]), ...(np ? { np: t.dtype as IntDType } : {}) };
    }
  }
}

/** Python's == of two values (lists element by element; NumPy arrays inside lists cannot be compared). */
function equal(a: SValue, b: SValue): boolean {
  if (a.t === 'obj' || b.t === 'obj') {
    if (a.t === 'obj' && b.t === 'obj' && a.items && b.items) return a.items.length === b.items.length && a.items.every((x, i) => equal(x, b.items![i]));
    if (a.t === 'obj' && a.type === 'numpy.ndarray') throw new PyFormatError('ValueError', 'The truth value of an array with more than one element is ambiguous. Use a.any() or a.all()');
    return false;
  }
  if (a.t === 'str' || b.t === 'str') return a.t === b.t && a.v === b.v;
  const num = (x: PyValue): number | bigint => (x.t === 'bool' ? (x.v ? 1n : 0n) : x.v as number | bigint);
  const x = num(a), y = num(b);
  return typeof x === typeof y ? x === y : Number(x) === Number(y);
}

/** str.split: on runs of whitespace (sep None, empty pieces dropped) or on every sep, at most `max` times (-1: all). */
function splitText(s: string, sep: string | null, max: number): string[] {
  if (sep !== null) {
    const all = s.split(sep);
    return max < 0 || all.length <= max + 1 ? all : [...all.slice(0, max), all.slice(max).join(sep)];
  }
  const out: string[] = [];
  let rest = s.replace(/^\s+/u, '');
  while (rest !== '' && (max < 0 || out.length < max)) {
    const m = /\s+/u.exec(rest);
    if (!m) break;
    out.push(rest.slice(0, m.index));
    rest = rest.slice(m.index + m[0].length);
  }
  rest = max >= 0 && out.length >= max ? rest : rest.replace(/\s+$/u, '');
  if (rest !== '') out.push(rest);
  return out;
}

function tupleValue(items: SValue[]): SValue {
  const t = `(${items.map((x) => (x.t === 'obj' ? x.repr : pyRepr(x))).join(', ')}${items.length === 1 ? ',' : ''})`;
  return { t: 'obj', str: t, repr: t, type: 'tuple', items };
}

/** Python's ordering of two values: numbers, strings, and tuples or lists item by item. */
function order(a: SValue, b: SValue): number {
  if (a.t === 'obj' && b.t === 'obj' && a.items && b.items) {
    for (let i = 0; i < Math.min(a.items.length, b.items.length); i++) {
      if (!equal(a.items[i], b.items[i])) return order(a.items[i], b.items[i]);
    }
    return a.items.length - b.items.length;
  }
  if (a.t === 'str' && b.t === 'str') {
    const x = Array.from(a.v, (c) => c.codePointAt(0)!), y = Array.from(b.v, (c) => c.codePointAt(0)!);
    for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
    return x.length - y.length;
  }
  if (a.t === 'obj' || b.t === 'obj' || a.t === 'str' || b.t === 'str') {
    throw new PyFormatError('TypeError', `'<' not supported between instances of '${a.t === 'obj' ? a.type : a.t}' and '${b.t === 'obj' ? b.type : b.t}'`);
  }
  const num = (x: PyValue): number => (x.t === 'bool' ? Number(x.v) : Number(x.v));
  const x = num(a), y = num(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
