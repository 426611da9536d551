// Data in and out: np.save/np.load (.npy, format 1.0 and 2.0) and np.savetxt/np.loadtxt, as the
// `env.file_*` imports of thread 0. A file's whole content is made in memory before the host's
// `write` is called, so an error leaves nothing written; the host (ParFiles) resolves paths and
// writes atomically (runtime/node-files.ts: a temporary file renamed over the target). A loaded array comes
// back in two steps: file_load parses and checks it and returns its rank, the code allocates an
// array of the extents file_extent gives, and file_take copies the elements in.
import { type DType, isInt } from '../language/types.js';
import type { ArrayView } from './format.js';
import { DESC, ELEM_SIZE, TYPED_ARRAY } from './layout.js';
import { percentFormat, PyFormatError, type PyValue } from './pyformat.js';

/** How a program reads and writes files: paths as the program writes them; both synchronous. */
export interface ParFiles {
  /** The file's bytes; throws an Error with `code` 'ENOENT' (or another errno name) when it cannot. */
  read(path: string): Uint8Array;
  /** Replaces the file with `bytes`, all or nothing. */
  write(path: string, bytes: Uint8Array): void;
}

/** A failure with Python's exception name and message (the import turns it into a trap at the call). */
export class FileError extends Error {
  constructor(readonly kind: string, message: string) { super(message); }
}

const DESCR: Record<DType, string> = {
  bool: '|b1', int32: '<i4', int64: '<i8', float32: '<f4', float64: '<f8',
  int8: '|i1', int16: '<i2', uint8: '|u1', uint16: '<u2', uint32: '<u4', uint64: '<u8',
};
const SIZE = ELEM_SIZE;
const FROM_DESCR = new Map(Object.entries(DESCR).map(([d, s]) => [s, d as DType]));
FROM_DESCR.set('<b1', 'bool').set('<i1', 'int8').set('<u1', 'uint8');

/** The elements of a view in C order. */
function elements(v: ArrayView): (number | bigint | boolean)[] {
  const out: (number | bigint | boolean)[] = [];
  const n = v.shape.length;
  if (v.shape.some((e) => e === 0)) return out;
  const idx = new Array(n).fill(0);
  for (;;) {
    let off = v.offset;
    for (let k = 0; k < n; k++) off += idx[k] * v.strides[k];
    const x = v.data[off];
    out.push(v.dtype === 'bool' ? x !== 0 : x);
    let k = n - 1;
    while (k >= 0 && ++idx[k] === v.shape[k]) idx[k--] = 0;
    if (k < 0) return out;
  }
}

const shapeRepr = (s: number[]) => `(${s.join(', ')}${s.length === 1 ? ',' : ''})`;

/** The .npy bytes NumPy's np.save writes for this array (header padded to 64 bytes, version 1.0 unless it needs 2.0). */
export function encodeNpy(v: ArrayView): Uint8Array {
  let header = `{'descr': '${DESCR[v.dtype]}', 'fortran_order': False, 'shape': ${shapeRepr(v.shape)}, }`;
  // NumPy leaves room for the first extent to grow to 21 digits.
  if (v.shape.length > 0) header += ' '.repeat(21 - String(v.shape[0]).length);
  let version = 1, lenBytes = 2;
  let hlen = header.length + 1;
  let pad = 64 - ((6 + 2 + lenBytes + hlen) % 64);
  if (hlen + pad >= 65536) { version = 2; lenBytes = 4; pad = 64 - ((6 + 2 + lenBytes + hlen) % 64); }
  pad %= 64;
  const head = header + ' '.repeat(pad) + '\n';
  const els = elements(v);
  const size = SIZE[v.dtype];
  const prefix = 6 + 2 + lenBytes;
  const out = new Uint8Array(prefix + head.length + els.length * size);
  out.set([0x93, ...Array.from('NUMPY', (c) => c.charCodeAt(0)), version, 0]);
  const dv = new DataView(out.buffer);
  if (lenBytes === 2) dv.setUint16(8, head.length, true); else dv.setUint32(8, head.length, true);
  for (let i = 0; i < head.length; i++) out[prefix + i] = head.charCodeAt(i);
  let at = prefix + head.length;
  for (const x of els) {
    switch (v.dtype) {
      case 'bool': out[at] = x ? 1 : 0; break;
      case 'int8': dv.setInt8(at, Number(x)); break;
      case 'uint8': dv.setUint8(at, Number(x)); break;
      case 'int16': dv.setInt16(at, Number(x), true); break;
      case 'uint16': dv.setUint16(at, Number(x), true); break;
      case 'int32': dv.setInt32(at, Number(x), true); break;
      case 'uint32': dv.setUint32(at, Number(x), true); break;
      case 'int64': dv.setBigInt64(at, BigInt(x as bigint), true); break;
      case 'uint64': dv.setBigUint64(at, BigInt(x as bigint), true); break;
      case 'float32': dv.setFloat32(at, Number(x), true); break;
      case 'float64': dv.setFloat64(at, Number(x), true); break;
    }
    at += size;
  }
  return out;
}

/** A parsed array: its dtype, shape and elements in C order (a typed array of the dtype). */
export interface Loaded { dtype: DType; shape: number[]; data: ArrayBufferView & { length: number } }

const TYPED = TYPED_ARRAY as unknown as Record<DType, new (n: number) => ArrayBufferView & { length: number }>;

/** Reads .npy bytes: format 1.0, 2.0 or 3.0, C order, a little-endian dtype Par has. */
export function decodeNpy(bytes: Uint8Array, name: string): Loaded {
  const bad = (why: string): never => { throw new FileError('ValueError', `${name} is not a .npy file Par can read: ${why}`); };
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
  if (bytes.length < 10 || magic.some((b, i) => bytes[i] !== b)) {
    throw new FileError('ValueError', `Cannot load file containing pickled data when allow_pickle=False (${name} does not start with the .npy magic string)`);
  }
  const major = bytes[6];
  if (major < 1 || major > 3) bad(`format version ${major}.${bytes[7]} (Par reads 1.0, 2.0 and 3.0)`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const hl = major === 1 ? dv.getUint16(8, true) : dv.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  if (start + hl > bytes.length) bad('the header is cut short');
  const header = new TextDecoder().decode(bytes.subarray(start, start + hl));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1] ?? bad(`no 'descr' in the header ${header.trim()}`);
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1] ?? bad(`no 'fortran_order' in the header ${header.trim()}`);
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1] ?? bad(`no 'shape' in the header ${header.trim()}`);
  if (fortran === 'True') bad('it is in Fortran order (Par reads C-ordered arrays; save np.ascontiguousarray(a))');
  const dtype = FROM_DESCR.get(descr);
  if (!dtype) {
    bad(descr.startsWith('>') ? `its dtype '${descr}' is big-endian (Par reads little-endian data)` : `its dtype '${descr}' is not one Par has (bool, int8..int64, uint8..uint64, float32, float64)`);
  }
  const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s !== '').map((s) => {
    if (!/^\d+L?$/.test(s)) bad(`bad shape (${shapeText})`);
    return parseInt(s, 10);
  });
  const count = shape.reduce((a, b) => a * b, 1);
  const size = SIZE[dtype!];
  const body = start + hl;
  if (bytes.length - body < count * size) bad(`it holds ${Math.floor((bytes.length - body) / size)} elements where its shape ${shapeRepr(shape)} needs ${count}`);
  const data = new TYPED[dtype!](count);
  const raw = new Uint8Array(data.buffer);
  raw.set(bytes.subarray(body, body + count * size));
  return { dtype: dtype!, shape, data };
}

export interface TextOptions { fmt: string; delimiter: string; newline: string; header: string; footer: string; comments: string }

/** The text np.savetxt writes: each row `fmt % tuple(row)` with the format repeated per column and joined by the delimiter. */
export function savetxtText(v: ArrayView, o: TextOptions): string {
  if (v.shape.length === 0 || v.shape.length > 2) throw new FileError('ValueError', `Expected 1D or 2D array, got ${v.shape.length}D array instead`);
  const rows = v.shape[0], cols = v.shape.length === 1 ? 1 : v.shape[1];
  const percents = (o.fmt.match(/%/g) ?? []).length;
  let format: string;
  if (percents === 1) format = Array(cols).fill(o.fmt).join(o.delimiter);
  else if (percents !== cols) throw new FileError('ValueError', `fmt has wrong number of % formats:  ${o.fmt}`);
  else format = o.fmt;
  const els = elements(v);
  const np = v.dtype === 'bool' ? true : v.dtype;
  const value = (x: number | bigint | boolean): PyValue =>
    typeof x === 'boolean' ? { t: 'bool', v: x, np: true } : typeof x === 'bigint' || isInt(v.dtype) ? { t: 'int', v: BigInt(x), np: np as 'int64' } : { t: 'float', v: x, np: np as 'float64' };
  let text = '';
  if (o.header) text += o.comments + o.header.replace(/\n/g, '\n' + o.comments) + o.newline;
  for (let r = 0; r < rows; r++) {
    const row = els.slice(r * cols, (r + 1) * cols).map(value);
    try {
      text += percentFormat(format, row) + o.newline;
    } catch (e) {
      if (e instanceof PyFormatError) throw new FileError('TypeError', `Mismatch between array dtype ('${v.dtype}') and format specifier ('${format}')`);
      throw e;
    }
  }
  if (o.footer) text += o.comments + o.footer.replace(/\n/g, '\n' + o.comments) + o.newline;
  return text;
}

export interface LoadTextOptions { dtype: DType; delimiter: string | null; skiprows: number; usecols: number[] | null; usecolsInt: boolean; ndmin: number; comments: string }

/** Python's float(s) of a field (NumPy's loadtxt parser accepts the same spellings). */
function parseFloatField(s: string): number | null {
  const t = s.trim().replace(/_/g, '');
  if (/^[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?)$/.test(t)) return Number(t);
  const m = /^([+-]?)(inf|infinity|nan)$/i.exec(t);
  if (m) return m[2].toLowerCase() === 'nan' ? NaN : m[1] === '-' ? -Infinity : Infinity;
  return null;
}

/** np.loadtxt: rows of fields, comments and blank lines skipped, then NumPy's squeeze and ndmin. */
export function loadtxtParse(text: string, o: LoadTextOptions): Loaded {
  const lines = text.split(/\r\n|\n|\r/);
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  const rows: string[][] = [];
  let ncols = -1;
  lines.forEach((raw, i) => {
    if (i < o.skiprows) return;
    const c = o.comments ? raw.indexOf(o.comments) : -1;
    const line = c >= 0 ? raw.slice(0, c) : raw;
    if (line.trim() === '') return;
    let fields = o.delimiter === null ? line.trim().split(/\s+/) : line.split(o.delimiter);
    if (o.delimiter !== null && o.delimiter.trim() !== '') fields = fields.map((f) => f.trim());
    if (o.usecols) {
      fields = o.usecols.map((k) => {
        const j = k < 0 ? fields.length + k : k;
        if (j < 0 || j >= fields.length) throw new FileError('ValueError', `invalid column index ${k} at row ${i + 1} with ${fields.length} columns`);
        return fields[j];
      });
    }
    if (ncols >= 0 && fields.length !== ncols) {
      throw new FileError('ValueError', `the number of columns changed from ${ncols} to ${fields.length} at row ${i + 1}; use \`usecols\` to select a subset and avoid this error`);
    }
    ncols = fields.length;
    rows.push(fields);
  });
  if (ncols < 0) ncols = 0;
  const data = new TYPED[o.dtype](rows.length * ncols);
  rows.forEach((fields, r) => fields.forEach((f, c) => {
    const at = r * ncols + c;
    if (o.dtype === 'float64' || o.dtype === 'float32') {
      const x = parseFloatField(f);
      if (x === null) throw new FileError('ValueError', `could not convert string '${f.trim()}' to ${o.dtype} at row ${r}, column ${c + 1}.`);
      (data as Float64Array)[at] = x;
    } else {
      const t = f.trim();
      if (!/^[+-]?\d+$/.test(t)) throw new FileError('ValueError', `could not convert string '${t}' to ${o.dtype} at row ${r}, column ${c + 1}.`);
      if (o.dtype === 'int64' || o.dtype === 'uint64') (data as BigInt64Array)[at] = BigInt(t);
      else if (o.dtype === 'bool') (data as Uint8Array)[at] = BigInt(t) !== 0n ? 1 : 0;
      else (data as Int32Array)[at] = Number(t);
    }
  }));
  // NumPy's _ensure_ndmin_ndarray: squeeze above ndmin, then atleast_1d, or atleast_2d(...).T.
  let shape = o.usecolsInt ? [rows.length] : [rows.length, ncols];
  if (shape.length > o.ndmin) shape = shape.filter((e) => e !== 1);
  if (shape.length < o.ndmin) {
    if (o.ndmin === 1) shape = [shape.length ? shape[0] : 1];
    else if (shape.length === 0) shape = [1, 1];
    else shape = [shape[0], 1];
  }
  return { dtype: o.dtype, shape, data };
}

/** What the compiler puts in the string table for a save (compiler/lower/files.ts). */
export type SaveOp = { k: 'npy' } | ({ k: 'txt' } & TextOptions);
/** ... and for a load: the dtype and rank the program declared. */
export type LoadOp = { k: 'npy'; dtype: DType; ndim: number } | ({ k: 'txt'; ndim: number } & LoadTextOptions);

export interface FileImportsOptions {
  memory: WebAssembly.Memory;
  strings: string[];
  trap(site: number, message: string): never;
  view(desc: number): ArrayView;
  /** The host's files (thread 0 outside parallel code), or why there are none. */
  files(): ParFiles | string;
}

const dtypeText = (d: DType, ndim: number) => `${d}${ndim ? `[${Array(ndim).fill(':').join(', ')}]` : ''}`;

/** The env.file_* imports of one thread. */
export function fileImports(o: FileImportsOptions): Record<string, (...args: never[]) => unknown> {
  let pending: Loaded | null = null;
  const text = (desc: number): string => {
    const i32 = new Int32Array(o.memory.buffer);
    const data = i32[(desc + DESC.data) >> 2] >>> 0, n = i32[(desc + DESC.shape) >> 2];
    return new TextDecoder().decode(new Uint8Array(o.memory.buffer, data, n).slice());
  };
  const host = (site: number): ParFiles => {
    const f = o.files();
    if (typeof f === 'string') o.trap(site, f);
    return f as ParFiles;
  };
  /** Runs a file operation; its failures become Python's exceptions at the call. */
  const guarded = <T>(site: number, name: string, f: () => T, missing: (p: string) => string): T => {
    try {
      return f();
    } catch (e) {
      if (e instanceof FileError) o.trap(site, `${e.kind}: ${e.message}`);
      const code = (e as { code?: string }).code;
      if (code === 'ENOENT') o.trap(site, `FileNotFoundError: ${missing(name)}`);
      if (code === 'EISDIR') o.trap(site, `IsADirectoryError: [Errno 21] Is a directory: '${name}'`);
      if (code === 'EACCES') o.trap(site, `PermissionError: [Errno 13] Permission denied: '${name}'`);
      if (code) o.trap(site, `OSError: ${code}: ${name}`);
      throw e;
    }
  };
  const errno = (p: string) => `[Errno 2] No such file or directory: '${p}'`;
  return {
    file_save: (site: number, pathDesc: number, desc: number, opId: number) => {
      const op = JSON.parse(o.strings[opId]) as SaveOp;
      let p = text(pathDesc);
      // np.save adds the extension; savetxt writes the name as given.
      if (op.k === 'npy' && !p.endsWith('.npy')) p += '.npy';
      if (op.k === 'txt' && p.endsWith('.gz')) o.trap(site, 'ValueError: savetxt to a .gz file is not supported in Par');
      const files = host(site);
      guarded(site, p, () => {
        const v = o.view(desc);
        const bytes = op.k === 'npy' ? encodeNpy(v) : new TextEncoder().encode(savetxtText(v, op));
        files.write(p, bytes);
      }, errno);
    },
    file_load: (site: number, pathDesc: number, opId: number): number => {
      const op = JSON.parse(o.strings[opId]) as LoadOp;
      const p = text(pathDesc);
      const files = host(site);
      const got = guarded(site, p, () => {
        const bytes = files.read(p);
        return op.k === 'npy' ? decodeNpy(bytes, p) : loadtxtParse(new TextDecoder().decode(bytes), op);
      }, op.k === 'npy' ? errno : (q) => `${q} not found.`);
      if (got.dtype !== op.dtype || got.shape.length !== op.ndim) {
        const what = op.k === 'npy' ? `${p} holds a ${got.shape.length}-d ${got.dtype} array ${shapeRepr(got.shape)}` : `np.loadtxt gave a ${got.shape.length}-d array ${shapeRepr(got.shape)} from ${p}`;
        o.trap(site, `ValueError: ${what}, but the program declares ${dtypeText(op.dtype, op.ndim)} for it${op.k === 'txt' ? ` (declare the variable's rank, as in x: ${dtypeText(op.dtype, got.shape.length)} = np.loadtxt(...), or pass ndmin=${op.ndim})` : ''}`);
      }
      if (got.shape.some((e) => e > 0x7fffffff)) o.trap(site, `ValueError: ${p} is too big for Par (an extent above 2**31 - 1)`);
      pending = got;
      return got.shape.length;
    },
    file_extent: (k: number): number => pending!.shape[k],
    file_take: (desc: number) => {
      const v = o.view(desc);
      const got = pending!;
      pending = null;
      // The array was just allocated C-contiguous: one copy of the bytes.
      const size = SIZE[got.dtype];
      new Uint8Array(o.memory.buffer, v.offset * size, got.data.length * size).set(new Uint8Array(got.data.buffer, 0, got.data.length * size));
    },
  };
}
