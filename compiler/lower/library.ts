// Lowering of the array library beyond ufuncs and reductions: sort/argsort (a stable merge sort
// written once per dtype as an IR helper), concatenate/stack/vstack/hstack, cumsum/cumprod, diff
// and flatten (libraryCall), diagonals, calls of @vectorize functions, max/min of many arguments and
// round(a, decimals); also the helpers the other library modules share (fmtTrap, copies, rows).
// Each function takes the FnLowerer of the function being lowered and uses its helpers (nests,
// allocation, ownership).
import type * as A from '../../language/ast.js';
import { Code } from '../../language/diagnostics.js';
import { axisValue } from '../../language/check-numpy.js';
import type { Span } from '../../language/source.js';
import { type DType, isFloat, type Type } from '../../language/types.js';
import type * as I from '../ir.js';
import type { FnLowerer } from './function.js';
import type { ArrRef, Val } from './values.js';
import { pureBody } from '../cse.js';
import type { FuncInstance } from '../../language/checker.js';
import { add32, bin, call, cmpOpOf, convert, cvt, get, i32, i64, load, log2Size, memOf, mul32, select, vtOf } from '../ir-build.js';

type Expr = I.Expr;
type Stmt = I.Stmt;
// Every array allocated here is written completely before it is read, so none is zero-filled.

export const size = (a: ArrRef): Expr => a.shape.reduce((acc: Expr, n) => mul32(acc, n), i32(1));
export const elemAddr = (a: ArrRef, data: Expr, ix: Expr, stride: Expr): Expr => add32(data, bin('shl', 'i32', mul32(ix, stride), i32(log2Size(a.dtype))));
export const ld = (d: DType, addr: Expr): Expr => load(vtOf(d), memOf(d), addr);
/** The row `ix` of a along axis 0 (an ArrRef of one dimension less). */
export const row = (a: ArrRef, ix: Expr): ArrRef => ({ ...a, data: elemAddr(a, a.data, ix, a.strides[0]), ndim: a.ndim - 1, shape: a.shape.slice(1), strides: a.strides.slice(1) });
/** a without axis k (for nests over the lines along k). */
export const without = (a: ArrRef, k: number): ArrRef => ({ ...a, ndim: a.ndim - 1, shape: a.shape.filter((_n, j) => j !== k), strides: a.strides.filter((_s, j) => j !== k) });

export function fmtTrap(fl: FnLowerer, kind: string, text: string, span: Span, a: Expr = i64(0), b: Expr = i64(0), c: Expr = i64(0)): Stmt {
  const site = fl.mod.site(kind === 'IndexError' ? Code.IndexError : kind === 'ZeroDivisionError' ? Code.ZeroDivision : Code.ValueError, kind, span, text);
  const w = (x: Expr) => (x.t === 'i64' ? x : cvt('i32->i64', x));
  return fl.trap(fl.mod.imp('err_fmt', ['i32', 'i64', 'i64', 'i64'], null), i32(site), w(a), w(b), w(c));
}

/** Elementwise copy with conversion, shapes already known to agree. */
export function copyRaw(fl: FnLowerer, dst: ArrRef, src: ArrRef, span: Span): void {
  fl.nest(dst.shape, [dst, src], span, (p) => [{ k: 'store', mem: memOf(dst.dtype), addr: p[0], value: convert(ld(src.dtype, p[1]), src.dtype, dst.dtype) }]);
}

/** A new 1-d array of a's elements in C order, converted to `dtype`. */
export function flattenCopy(fl: FnLowerer, a: ArrRef, dtype: DType, span: Span): ArrRef {
  const out = fl.alloc(dtype, [fl.tmp(size(a), 'n')], true);
  const q = fl.fresh('q', 'i32');
  fl.set(q, out.data);
  fl.nest(a.shape, [a], span, (p) => [
    { k: 'store', mem: memOf(dtype), addr: get(q, 'i32'), value: convert(ld(a.dtype, p[0]), a.dtype, dtype) },
    { k: 'set', name: q, value: add32(get(q, 'i32'), i32(1 << log2Size(dtype))) },
  ]);
  return out;
}

export function arr(fl: FnLowerer, e: A.Expr): ArrRef { return (fl.expr(e) as { a: ArrRef }).a; }

// ---------------- sorting ----------------

/**
 * A stable merge sort as an IR helper, one per dtype: `__sort_<dt>(p, n, tmp)` sorts n contiguous
 * elements at p; `__argsort_<dt>(p, n, tmp, keys)` sorts n i32 indices at p by keys[index]. Runs of
 * 16 are insertion-sorted, then merged bottom-up between p and tmp. Floats order NaN last, as NumPy.
 */
/** Sorts of fewer elements run on one thread. */
const PAR_SORT_MIN = 1 << 15;
/** Outputs per piece of a long merge (a power of two times the run length 16). */
const PIECE = 1 << 12;

export function sortHelper(fl: FnLowerer, d: DType, arg: boolean): string {
  const fn = `__${arg ? 'argsort' : 'sort'}_${d}`;
  const mod = fl.mod;
  if (mod.helpers.has(fn)) return fn;
  mod.helpers.add(fn);
  const et: I.VT = arg ? 'i32' : vtOf(d);
  const em: I.Mem = arg ? 'i32' : memOf(d);
  const sz = arg ? 2 : log2Size(d);
  const g = (n: string) => get(n, 'i32');
  const at = (base: Expr, i: Expr) => add32(base, bin('shl', 'i32', i, i32(sz)));
  const el = (base: Expr, i: Expr) => load(et, em, at(base, i));
  const kt = vtOf(d);
  const key = (x: Expr) => (arg ? load(kt, memOf(d), add32(g('keys'), bin('shl', 'i32', x, i32(log2Size(d))))) : x);
  // x < y, with NaN after every number.
  const less = (x: Expr, y: Expr): Expr => {
    const a = key(x), b = key(y);
    if (!isFloat(d)) return bin(d === 'bool' ? 'lt_u' : cmpOpOf('<', d), kt, a, b);
    return bin('or', 'i32', bin('lt', kt, a, b), bin('and', 'i32', bin('ne', kt, b, b), bin('eq', kt, a, a)));
  };
  const set = (name: string, value: Expr): Stmt => ({ k: 'set', name, value });
  const inc = (name: string, by: Expr = i32(1)): Stmt => set(name, add32(g(name), by));
  const min = (a: Expr, b: Expr) => select('i32', bin('lt_s', 'i32', a, b), a, b);
  const RUN = 16;
  // The insertion-sorted runs, and the merges of each pass, are independent: they run on the team
  // (the last passes have fewer merges than threads; the final one is serial). The result does not
  // depend on how they are shared, and small sorts stay on one thread.
  const par = { k: 'parfor' as const, schedule: 'dynamic' as const, chunk: null, numThreads: null, reductions: [], line: 0,
    useIf: bin('ge_s', 'i32', g('n'), i32(PAR_SORT_MIN)) };
  // Outputs k in [from, to) of the merge of src[i..mid) and src[j..hi) into dst.
  const mergeOut = (from: Expr, to: Expr): Stmt => ({ k: 'for', label: 'out', v: 'k', t: 'i32', start: from, stop: to, step: i32(1), body: [
    // Take from the right run only when its head is strictly less: equal keys keep their order.
    set('r', i32(0)),
    { k: 'if', cond: bin('lt_s', 'i32', g('j'), g('hi')), then: [set('r', select('i32', bin('ge_s', 'i32', g('i'), g('mid')), i32(1), less(el(g('src'), g('j')), el(g('src'), g('i')))))], else: [] },
    { k: 'if', cond: g('r'), then: [
      { k: 'store', mem: em, addr: at(g('dst'), g('k')), value: el(g('src'), g('j')) }, inc('j'),
    ], else: [
      { k: 'store', mem: em, addr: at(g('dst'), g('k')), value: el(g('src'), g('i')) }, inc('i'),
    ] },
  ] });
  const body: Stmt[] = [
    { ...par, label: 'runs', v: 'lo', t: 'i32', start: i32(0), stop: g('n'), step: i32(RUN), body: [
      set('hi', min(add32(g('lo'), i32(RUN)), g('n'))),
      { k: 'for', label: 'ins', v: 'i', t: 'i32', start: add32(g('lo'), i32(1)), stop: g('hi'), step: i32(1), body: [
        set('x', el(g('p'), g('i'))), set('j', g('i')),
        { k: 'while', label: 'shift', cond: bin('gt_s', 'i32', g('j'), g('lo')), body: [
          { k: 'if', cond: less(get('x', et), el(g('p'), bin('sub', 'i32', g('j'), i32(1)))), then: [], else: [{ k: 'break', label: 'shift' }] },
          { k: 'store', mem: em, addr: at(g('p'), g('j')), value: el(g('p'), bin('sub', 'i32', g('j'), i32(1))) },
          set('j', bin('sub', 'i32', g('j'), i32(1))),
        ] },
        { k: 'store', mem: em, addr: at(g('p'), g('j')), value: get('x', et) },
      ] },
    ] },
    set('src', g('p')), set('dst', g('tmp')), set('w', i32(RUN)),
    { k: 'while', label: 'pass', cond: bin('lt_s', 'i32', g('w'), g('n')), body: [
      // Short runs: one merge per iteration. Long ones (the last passes have fewer merges than
      // threads) are cut into pieces of PIECE outputs; a piece finds where it starts in each run by
      // binary search (the merge path), so every pass is shared evenly.
      { k: 'if', cond: bin('le_s', 'i32', bin('shl', 'i32', g('w'), i32(1)), i32(PIECE)), then: [
        { ...par, label: 'merge', v: 'lo', t: 'i32', start: i32(0), stop: g('n'), step: bin('shl', 'i32', g('w'), i32(1)), body: [
          set('mid', min(add32(g('lo'), g('w')), g('n'))), set('hi', min(add32(g('mid'), g('w')), g('n'))),
          set('i', g('lo')), set('j', g('mid')),
          mergeOut(g('lo'), g('hi')),
        ] },
      ], else: [
        { ...par, label: 'pieces', v: 'q', t: 'i32', start: i32(0), stop: g('n'), step: i32(PIECE), body: [
          // Pieces never straddle two merges: 2w is a multiple of PIECE.
          set('lo', bin('and', 'i32', g('q'), bin('sub', 'i32', i32(0), bin('shl', 'i32', g('w'), i32(1))))),
          set('mid', min(add32(g('lo'), g('w')), g('n'))), set('hi', min(add32(g('mid'), g('w')), g('n'))),
          // The smallest i (left elements among the piece's first d = q - lo outputs) such that the
          // left run's L[i] does not go before the right run's R[d - i - 1]: ties go left, as merged.
          set('d', bin('sub', 'i32', g('q'), g('lo'))),
          set('a', bin('sub', 'i32', g('d'), bin('sub', 'i32', g('hi'), g('mid')))), set('a', select('i32', bin('gt_s', 'i32', g('a'), i32(0)), g('a'), i32(0))),
          set('b', min(g('d'), bin('sub', 'i32', g('mid'), g('lo')))),
          { k: 'while', label: 'path', cond: bin('lt_s', 'i32', g('a'), g('b')), body: [
            set('m', bin('shr_s', 'i32', add32(g('a'), g('b')), i32(1))),
            // m < b <= left length, and d - m - 1 >= d - b >= 0: both elements exist.
            { k: 'if', cond: less(el(g('src'), add32(g('mid'), bin('sub', 'i32', bin('sub', 'i32', g('d'), g('m')), i32(1)))), el(g('src'), add32(g('lo'), g('m')))),
              then: [set('b', g('m'))], else: [set('a', add32(g('m'), i32(1)))] },
          ] },
          set('i', add32(g('lo'), g('a'))), set('j', add32(g('mid'), bin('sub', 'i32', g('d'), g('a')))),
          mergeOut(g('q'), min(add32(g('q'), i32(PIECE)), g('hi'))),
        ] },
      ] },
      set('t', g('src')), set('src', g('dst')), set('dst', g('t')), set('w', bin('shl', 'i32', g('w'), i32(1))),
    ] },
    { k: 'if', cond: bin('ne', 'i32', g('src'), g('p')), then: [{ k: 'memcopy', dest: g('p'), src: g('src'), size: bin('shl', 'i32', g('n'), i32(sz)) }], else: [] },
  ];
  const p32 = (...ns: string[]) => ns.map((name) => ({ name, t: 'i32' as I.VT }));
  mod.funcs.push({
    name: fn, params: p32('p', 'n', 'tmp', ...(arg ? ['keys'] : [])), results: [],
    locals: [...p32('lo', 'hi', 'i', 'j', 'k', 'src', 'dst', 'w', 'mid', 'r', 't', 'q', 'd', 'a', 'b', 'm'), { name: 'x', t: et }], body,
  });
  return fn;
}

/** sort/argsort/a.sort along one axis, line by line; a strided line goes through a contiguous buffer. */
export function sortLines(fl: FnLowerer, src: ArrRef, dst: ArrRef, ax: number, isArg: boolean, span: Span): void {
  const n = src.shape[ax];
  const buf = fl.alloc(src.dtype, [n], true);
  const work = fl.alloc(isArg ? 'int32' : src.dtype, [n], true);
  const tmp = fl.alloc(isArg ? 'int32' : src.dtype, [n], true);
  const helper = sortHelper(fl, src.dtype, isArg);
  const k = fl.fresh('k', 'i32');
  const line = (body: Stmt[]): Stmt => ({ k: 'for', label: `line${fl.n++}`, v: k, t: 'i32', start: i32(0), stop: n, step: i32(1), body });
  const kk = get(k, 'i32');
  fl.nest(without(src, ax).shape, [without(src, ax), without(dst, ax)], span, (p) => {
    const sp = elemAddr(src, p[0], kk, src.strides[ax]), dp = elemAddr(dst, p[1], kk, dst.strides[ax]);
    const bufAt = elemAddr(buf, buf.data, kk, i32(1));
    if (!isArg) {
      // The line is sorted where it lands when that is contiguous, else in the buffer.
      return [
        ...(src === dst ? [] : [line([{ k: 'store', mem: memOf(dst.dtype), addr: dp, value: ld(src.dtype, sp) }])]),
        { k: 'if', cond: bin('eq', 'i32', dst.strides[ax], i32(1)), then: [{ k: 'expr', e: call(helper, null, p[1], n, tmp.data) }], else: [
          line([{ k: 'store', mem: memOf(src.dtype), addr: bufAt, value: ld(dst.dtype, dp) }]),
          { k: 'expr', e: call(helper, null, buf.data, n, tmp.data) },
          line([{ k: 'store', mem: memOf(dst.dtype), addr: dp, value: ld(src.dtype, bufAt) }]),
        ] },
      ];
    }
    const workAt = add32(work.data, bin('shl', 'i32', kk, i32(2)));
    return [
      line([{ k: 'store', mem: memOf(src.dtype), addr: bufAt, value: ld(src.dtype, sp) }, { k: 'store', mem: 'i32', addr: workAt, value: kk }]),
      { k: 'expr', e: call(helper, null, work.data, n, tmp.data, buf.data) },
      line([{ k: 'store', mem: memOf(dst.dtype), addr: dp, value: convert(load('i32', 'i32', workAt), 'int32', dst.dtype) }]),
    ];
  });
  for (const b of [buf, work, tmp]) fl.emit({ k: 'release', desc: b.desc });
}

// ---------------- joining ----------------

/** Concatenates arrays of equal rank along `ax` into a new array of dtype `d`. */
export function concat(fl: FnLowerer, arrs: ArrRef[], ax: number, d: DType, span: Span): Val {
  const first = arrs[0];
  arrs.forEach((b, i) => {
    if (i === 0) return;
    b.shape.forEach((n, k) => {
      if (k === ax) return;
      fl.emit({ k: 'if', cond: bin('ne', 'i32', n, first.shape[k]), then: [
        fmtTrap(fl, 'ValueError', `all the input array dimensions except for the concatenation axis must match exactly, but along dimension {0}, the array at index 0 has size {1} and the array at index ${i} has size {2}`, span, i64(k), first.shape[k], n),
      ], else: [] });
    });
  });
  const total = fl.tmp(arrs.map((b) => b.shape[ax]).reduce((x, y) => add32(x, y)), 'n');
  const out = fl.alloc(d, first.shape.map((n, k) => (k === ax ? total : n)), true);
  let off: Expr = i32(0);
  for (const b of arrs) {
    const o = fl.tmp(off, 'off');
    copyRaw(fl, { ...out, data: elemAddr(out, out.data, o, out.strides[ax]), shape: b.shape }, b, span);
    off = add32(o, b.shape[ax]);
  }
  return fl.ownedArray(out);
}

export function seqArrays(fl: FnLowerer, seq: A.Expr): ArrRef[] {
  if (seq.kind === 'List' || seq.kind === 'Tuple') return seq.elts.map((x) => arr(fl, x));
  const v = fl.expr(seq);
  return v.k === 't' ? v.items.map((x) => (x as { a: ArrRef }).a) : [];
}

// ---------------- entry point from builtinCall ----------------

export function libraryCall(fl: FnLowerer, e: A.Call, fname: string, args: A.Expr[], isMethod: boolean, t: Type): Val {
  const rt = t as Type & { kind: 'array' };
  const axisE = (pos: number) => args[pos] ?? fl.kwOf(e, 'axis');
  const norm = (v: number | null | undefined, nd: number) => (v === null || v === undefined ? null : v < 0 ? v + nd : v);
  switch (fname) {
    case 'sort': case 'argsort': {
      const a = arr(fl, args[0]);
      const ax = norm(axisValue(axisE(1), -1), a.ndim);
      if (isMethod && fname === 'sort') { sortLines(fl, a, a, ax!, false, e.span); return { k: 'none' }; }
      const src = ax === null ? flattenCopy(fl, a, a.dtype, e.span) : a;
      // A flattened copy is sorted in place; otherwise the result is a new array.
      const out = ax === null && fname === 'sort' ? src : fl.alloc(rt.dtype, src.shape, true);
      sortLines(fl, src, out, ax ?? 0, fname === 'argsort', e.span);
      if (out !== src && ax === null) fl.emit({ k: 'release', desc: src.desc });
      return fl.ownedArray(out);
    }
    case 'cumsum': case 'cumprod': {
      const a0 = arr(fl, args[0]);
      const ax = norm(axisValue(axisE(1), null), a0.ndim);
      // Without an axis the scan runs in place over a flattened copy in the result's dtype.
      const a = ax === null ? flattenCopy(fl, a0, rt.dtype, e.span) : a0;
      const k = ax ?? 0;
      const out = ax === null ? a : fl.alloc(rt.dtype, a.shape, true);
      const vt = vtOf(rt.dtype);
      const acc = fl.fresh('acc', vt), i = fl.fresh('i', 'i32');
      const isSum = fname === 'cumsum';
      const combine = (x: Expr, y: Expr) => (rt.dtype === 'bool' ? bin(isSum ? 'or' : 'and', 'i32', x, y) : bin(isSum ? 'add' : 'mul', vt, x, y));
      fl.nest(without(a, k).shape, [without(a, k), without(out, k)], e.span, (p) => [
        { k: 'set', name: acc, value: convert(i64(isSum ? 0 : 1), 'int64', rt.dtype) },
        { k: 'for', label: `scan${fl.n++}`, v: i, t: 'i32', start: i32(0), stop: a.shape[k], step: i32(1), body: [
          { k: 'set', name: acc, value: combine(get(acc, vt), convert(ld(a.dtype, elemAddr(a, p[0], get(i, 'i32'), a.strides[k])), a.dtype, rt.dtype)) },
          { k: 'store', mem: memOf(rt.dtype), addr: elemAddr(out, p[1], get(i, 'i32'), out.strides[k]), value: get(acc, vt) },
        ] },
      ]);
      return fl.ownedArray(out);
    }
    case 'diff': {
      let a = arr(fl, args[0]);
      const ax = norm(axisValue(fl.kwOf(e, 'axis'), -1), a.ndim)!;
      const nE = fl.kwOf(e, 'n');
      const times = nE && nE.kind === 'Int' ? Number(nE.value) : 1;
      if (times === 0) return { k: 'a', a: fl.contiguousCopy(a), owned: true };
      for (let r = 0; r < times; r++) {
        const n = fl.tmp(select('i32', bin('gt_s', 'i32', a.shape[ax], i32(0)), bin('sub', 'i32', a.shape[ax], i32(1)), i32(0)), 'n');
        const shape = a.shape.map((m, k) => (k === ax ? n : m));
        const out = fl.alloc(a.dtype, shape, true);
        const lo: ArrRef = { ...a, shape }, hi: ArrRef = { ...lo, data: elemAddr(a, a.data, i32(1), a.strides[ax]) };
        const vt = vtOf(a.dtype);
        fl.nest(shape, [out, hi, lo], e.span, (p) => [{ k: 'store', mem: memOf(a.dtype), addr: p[0],
          value: a.dtype === 'bool' ? bin('ne', 'i32', ld('bool', p[1]), ld('bool', p[2])) : bin('sub', vt, ld(a.dtype, p[1]), ld(a.dtype, p[2])) }]);
        if (r > 0) fl.emit({ k: 'release', desc: a.desc });
        a = out;
      }
      return fl.ownedArray(a);
    }
    case 'flatten': return fl.ownedArray(flattenCopy(fl, arr(fl, args[0]), rt.dtype, e.span));
    case 'diag': case 'diagonal': case 'trace': {
      const a = arr(fl, args[0]);
      const kE = args[1] ?? fl.kwOf(e, fname === 'diag' ? 'k' : 'offset');
      const k = kE ? fl.tmp(cvt('i64->i32', convert((fl.expr(kE) as { e: Expr }).e, (fl.type(kE) as { dtype: DType }).dtype, 'int64')), 'k') : i32(0);
      if (a.ndim === 1) return diagMatrix(fl, a, k, e.span);
      const d = diagonalView(fl, a, k);
      if (fname !== 'trace') return d;
      const r = fl.reduceAll('sum', (d as { a: ArrRef }).a, (t as { dtype: DType }).dtype, e);
      return { k: 's', e: r.e, dtype: r.dtype };
    }
    case 'concatenate': case 'stack': case 'vstack': case 'hstack': {
      let arrs = seqArrays(fl, e.args[0]);
      if (fname === 'stack') {
        const ax = norm(axisValue(axisE(1), 0), rt.ndim)!;
        const first = arrs[0];
        arrs.forEach((b, i) => {
          if (i === 0) return;
          const bad = b.shape.map((n, k) => bin('ne', 'i32', n, first.shape[k])).reduce((x, y) => bin('or', 'i32', x, y), i32(0));
          fl.emit({ k: 'if', cond: bad, then: [fmtTrap(fl, 'ValueError', 'all input arrays must have the same shape', e.span)], else: [] });
        });
        // Each input becomes a slab of extent 1 along the new axis.
        arrs = arrs.map((b) => ({ ...b, ndim: b.ndim + 1, shape: [...b.shape.slice(0, ax), i32(1), ...b.shape.slice(ax)], strides: [...b.strides.slice(0, ax), i32(0), ...b.strides.slice(ax)] }));
        return concat(fl, arrs, ax, rt.dtype, e.span);
      }
      if (fname === 'vstack') arrs = arrs.map((b) => (b.ndim === 1 ? { ...b, ndim: 2, shape: [i32(1), b.shape[0]], strides: [i32(0), b.strides[0]] } : b));
      const ax = fname === 'vstack' ? 0 : fname === 'hstack' ? (arrs[0].ndim === 1 ? 0 : 1) : norm(axisValue(axisE(1), 0), rt.ndim);
      if (ax === null) arrs = arrs.map((b) => { const f = flattenCopy(fl, b, b.dtype, e.span); fl.ownedArray(f); return f; });
      return concat(fl, arrs, ax ?? 0, rt.dtype, e.span);
    }
  }
  throw new Error(`internal: library function ${fname} not lowered`);
}

// ---------------- diagonals ----------------

/**
 * Diagonal k of a 2-d array as a 1-d view (element (i, i + k)): NumPy's diagonal() and diag() of a
 * matrix return a read-only view, so reads see later writes to `a` as NumPy's do; Par's view is
 * writable (writing through it is an error in NumPy).
 */
export function diagonalView(fl: FnLowerer, a: ArrRef, k: Expr): Val {
  const r0 = fl.tmp(select('i32', bin('lt_s', 'i32', k, i32(0)), bin('sub', 'i32', i32(0), k), i32(0)), 'r0');
  const c0 = fl.tmp(select('i32', bin('gt_s', 'i32', k, i32(0)), k, i32(0)), 'c0');
  const rows = bin('sub', 'i32', a.shape[0], r0), cols = bin('sub', 'i32', a.shape[1], c0);
  const m = fl.tmp(select('i32', bin('lt_s', 'i32', rows, cols), rows, cols), 'm');
  const n = fl.tmp(select('i32', bin('gt_s', 'i32', m, i32(0)), m, i32(0)), 'n');
  // An empty diagonal starts at the data (its offset may lie outside the array).
  const off = select('i32', bin('gt_s', 'i32', n, i32(0)), add32(mul32(r0, a.strides[0]), mul32(c0, a.strides[1])), i32(0));
  return fl.makeView(a, add32(a.data, bin('shl', 'i32', off, i32(log2Size(a.dtype)))), [n], [add32(a.strides[0], a.strides[1])]);
}

/** diag(v, k) of a 1-d array: a new square matrix of extent len(v) + |k|, zero but for v on diagonal k. */
function diagMatrix(fl: FnLowerer, v: ArrRef, k: Expr, span: Span): Val {
  const absk = select('i32', bin('lt_s', 'i32', k, i32(0)), bin('sub', 'i32', i32(0), k), k);
  const n = fl.tmp(add32(v.shape[0], absk), 'n');
  const out = fl.alloc(v.dtype, [n, n]);
  const r0 = select('i32', bin('lt_s', 'i32', k, i32(0)), bin('sub', 'i32', i32(0), k), i32(0));
  const c0 = select('i32', bin('gt_s', 'i32', k, i32(0)), k, i32(0));
  const start = fl.tmp(add32(out.data, bin('shl', 'i32', add32(mul32(r0, n), c0), i32(log2Size(v.dtype)))), 'p');
  copyRaw(fl, { ...out, data: start, ndim: 1, shape: [v.shape[0]], strides: [add32(n, i32(1))] }, v, span);
  return fl.ownedArray(out);
}

// ---------------- @vectorize functions (ufuncs) ----------------

/** Whether `inst` is a @vectorize function, whose calls apply it to every element of their inputs. */
export function isVectorized(fl: FnLowerer, inst: FuncInstance): boolean {
  return !!inst.def && !!fl.mod.cp.options.get(inst.def)?.vectorize;
}

/**
 * One element of a @vectorize call: the scalar specialization called on the inputs' elements,
 * converted to its parameter dtypes, and its result converted to the call's dtype `d` (a signature's
 * result type may differ from the body's). Its body may branch, loop and return, so it is called,
 * not inlined; called from a nest, the nest runs on the team when the function was declared
 * target='parallel' and cannot fail (see parallelSafe).
 */
export function vectorizedElem(fl: FnLowerer, inst: FuncInstance, args: { e: Expr; dtype: DType }[], d: DType): { e: Expr; dtype: DType } {
  const rd = (inst.ret as { dtype: DType }).dtype;
  if (parallelSafe(fl, inst)) fl.mod.teamCalls.add(inst.name);
  const xs = args.map((x, i) => convert(x.e, x.dtype, (inst.params[i].type as { dtype: DType }).dtype));
  return { e: convert(call(inst.name, vtOf(rd), ...xs), rd, d), dtype: d };
}

/** A @vectorize call whose inputs are all numbers: the function applied once. */
export function vectorizedScalar(fl: FnLowerer, e: A.Call, inst: FuncInstance, t: Type): Val {
  const d = (t as { dtype: DType }).dtype;
  const args = e.args.map((x) => fl.expr(x) as { e: Expr; dtype: DType });
  return { k: 's', e: fl.tmp(vectorizedElem(fl, inst, args, d).e, 'r'), dtype: d };
}

/** Per program being lowered: which functions' code cannot fail, and which are being looked at (a recursive one may fail). */
const failFree = new WeakMap<object, { known: Map<FuncInstance, boolean>; visiting: Set<FuncInstance> }>();

/**
 * Whether a nest calling `inst` may run on the team (Note [Parallel array operations]): Numba's
 * target='parallel' asks for it, and the function's code cannot fail (no trap, allocation or
 * parallel construct, and calls only of math functions and of other such functions). The function
 * is lowered once more to see its code.
 */
function parallelSafe(fl: FnLowerer, inst: FuncInstance): boolean {
  if (!fl.mod.cp.options.get(inst.def!)?.parallel) return false;
  const byName = new Map(fl.mod.cp.instances.map((i) => [i.name, i]));
  if (!failFree.has(fl.mod)) failFree.set(fl.mod, { known: new Map(), visiting: new Set() });
  const { known, visiting } = failFree.get(fl.mod)!;
  const cannotFail = (f: FuncInstance): boolean => {
    const seen = known.get(f);
    if (seen !== undefined) return seen;
    if (visiting.has(f)) return false;
    visiting.add(f);
    const Lowerer = fl.constructor as new (mod: FnLowerer['mod'], inst: FuncInstance) => FnLowerer;
    const body = new Lowerer(fl.mod, f).lower().body;
    const ok = pureBody(body, false, (fn) => { const g = byName.get(fn); return !!g && cannotFail(g); });
    visiting.delete(f);
    known.set(f, ok);
    return ok;
  };
  return cannotFail(inst);
}

/** Python's max(a, b, c, ...) / min(...) of numbers: left to right, a later one replaces the result only when strictly greater (smaller). */
export function maxMinOfMany(fl: FnLowerer, e: A.Call, name: 'maxN' | 'minN', rdt: DType): Val {
  const vals = e.args.map((x) => fl.snapshot(fl.expr(x)));
  return vals.slice(1).reduce((acc, v) => fl.builtinScalar(name === 'maxN' ? 'max2' : 'min2', [acc, v], rdt, e), vals[0]);
}

// ---------------- round(a, decimals) ----------------

/** The arguments of a ufunc call as scalars per element: positional ones, then the keywords that are values. */
export function ufuncArgs(e: A.Call): A.Expr[] {
  // round's decimals=, isclose's rtol=, atol=, equal_nan= (in this order, those given).
  const extra = ['decimals', 'rtol', 'atol', 'equal_nan'].flatMap((n) => e.keywords.filter((k) => k.name === n).map((k) => k.value));
  return extra.length ? [...e.args, ...extra] : e.args;
}

/** NumPy's round to `decimals` places: rint(x * 10**d) / 10**d, or rint(x / 10**-d) * 10**-d for d < 0.
 * Ints are unchanged for d >= 0; for d < 0 they are rounded in float64 and cast back, as NumPy does. */
export function roundDecimals(fl: FnLowerer, x: Expr, dec: { e: Expr; dtype: DType }, rdt: DType): Expr {
  if (!isFloat(rdt)) {
    const xi = fl.tmp(x);
    const r = roundDecimals(fl, convert(xi, rdt, 'float64'), dec, 'float64');
    return select(vtOf(rdt), bin('ge_s', 'i64', convert(dec.e, dec.dtype, 'int64'), i64(0)), xi, convert(r, 'float64', rdt));
  }
  const d = fl.tmp(convert(dec.e, dec.dtype, 'int64'));
  const vt = vtOf(rdt);
  const xv = fl.tmp(x);
  const round = (f: Expr, up: boolean): Expr => up
    ? bin('div', vt, { k: 'un', op: 'nearest', t: vt, a: bin('mul', vt, xv, f) }, f)
    : bin('mul', vt, { k: 'un', op: 'nearest', t: vt, a: bin('div', vt, xv, f) }, f);
  // A literal number of places (round(a, 2)) needs no pow() per element.
  if (d.k === 'const') {
    const k = Number(d.v);
    // NumPy's power_of_ten(): exact up to 1e8, then repeated multiplication by 10.
    let f = 10 ** Math.min(Math.abs(k), 9);
    for (let j = 9; j < Math.abs(k); j++) f *= 10;
    return round({ k: 'const', t: vt, v: rdt === 'float32' ? Math.fround(f) : f }, k >= 0);
  }
  const absd = select('i64', bin('lt_s', 'i64', d, i64(0)), bin('sub', 'i64', i64(0), d), d);
  const f = fl.tmp(convert(call(fl.mod.math('pow'), 'f64', { k: 'const', t: 'f64', v: 10 }, cvt('i64->f64', absd)), 'float64', rdt));
  return select(vt, bin('ge_s', 'i64', d, i64(0)), round(f, true), round(f, false));
}

export function elemChildren(e: A.Expr, r: unknown): A.Expr[] {
  switch (e.kind) {
    case 'Binary': return [e.left, e.right];
    case 'Unary': return [e.operand];
    case 'Compare': return [e.left, e.comparators[0]];
    case 'Call': {
      const res = r as { name?: string; kind?: string } | undefined;
      if (res?.kind === 'user') return e.args;
      if (res?.name === '.astype') return [(e.func as A.Attribute).value];
      return ufuncArgs(e);
    }
    default: return [];
  }
}
