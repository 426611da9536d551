// Lowering of Python lists (Par's typed lists: one element type, as Numba's) and range objects.
//
// Note [Lists]: a list is an array descriptor (ndim 1, shape[0] = its length) whose data block is
// allocated apart from the descriptor, so that it can grow: `__list_reserve` doubles it, and the
// capacity lives in the descriptor's unused strides[1] (LIST_CAP). Numbers are stored as their
// dtype; strings, arrays and lists as descriptor pointers (dtype code OBJ_CODE), one reference
// each, which `__release` drops when it frees a list (compiler/emit.ts). A list variable keeps only
// the descriptor: every use reloads data and length, since an append anywhere may move the data.
// An element read from a list of objects is retained for the statement, so a `pop` elsewhere in
// the same statement cannot free it under its reader. A tuple element is boxed: a small list of
// 8-byte slots (dtype code TUP_CODE) holding its leaves, the descriptors among them marked in
// BOX_MASK; tuples are immutable, so copies of a list share their boxes.
import type * as A from '../../language/ast.js';
import { comprehensionPlan } from '../../language/check-lists.js';
import { Code } from '../../language/diagnostics.js';
import type { Span } from '../../language/source.js';
import { type DType, type Type, isFloat, isInt } from '../../language/types.js';
import { BOX_MASK, DESC, DTYPE_CODE, OBJ_CODE, TUP_CODE } from '../../runtime/layout.js';
import type * as I from '../ir.js';
import type { FnLowerer } from './function.js';
import type { ArrRef, Val } from './values.js';
import { fmtTrap, sortHelper } from './library.js';
import { materialize, pushValue, splitCount, splitPiece, strCompare, strChar, strNumber } from './strings.js';
import { i32, i64, get, bin, un, cvt, load, call, select, add32, mul32, vtOf, memOf, log2Size, convert, cmpOpOf, tripCount, wrapInt } from '../ir-build.js';

type Expr = I.Expr;
type Stmt = I.Stmt;
type ListType = Type & { kind: 'list' };

/** Byte offset of a list's capacity in its descriptor (strides[1], unused at ndim 1). */
export const LIST_CAP = DESC.strides + 4;

const isObj = (elem: Type | null): boolean => !!elem && elem.kind !== 'scalar';
/** How the elements are stored: their dtype, or i32 descriptor pointers. */
export const storageOf = (elem: Type | null): DType => (elem && elem.kind === 'scalar' ? elem.dtype : 'int32');
const sizeLog = (elem: Type | null) => log2Size(storageOf(elem));

const fld = (d: Expr, off: number) => load('i32', 'i32', add32(d, i32(off)));
const put = (d: Expr, off: number, v: Expr): Stmt => ({ k: 'store', mem: 'i32', addr: add32(d, i32(off)), value: v });
const lenOf = (d: Expr) => fld(d, DESC.size);
const at = (d: Expr, elem: Type | null, i: Expr) => add32(fld(d, DESC.data), bin('shl', 'i32', i, i32(sizeLog(elem))));
const setLen = (d: Expr, n: Expr): Stmt[] => [put(d, DESC.size, n), put(d, DESC.shape, n)];

/** The runtime helpers, added to the module once. */
function helpers(fl: FnLowerer): void {
  if (fl.mod.helpers.has('__list_new')) return;
  fl.mod.helpers.add('__list_new');
  const g = (n: string) => get(n, 'i32');
  const set = (name: string, value: Expr): Stmt => ({ k: 'set', name, value });
  // __list_new(n, log2 element size, dtype code): a list of n zeroed elements. An empty list gets
  // its data block at its first append: `xs = []` does not know yet what xs will hold (see append).
  fl.mod.funcs.push({
    name: '__list_new', params: ['n', 'lg', 'code'].map((name) => ({ name, t: 'i32' as I.VT })), results: ['i32'],
    locals: ['cap', 'd', 'bytes'].map((name) => ({ name, t: 'i32' as I.VT })),
    body: [
      set('cap', select('i32', bin('lt_s', 'i32', g('n'), i32(4)), i32(4), g('n'))),
      set('cap', select('i32', bin('eq', 'i32', g('n'), i32(0)), i32(0), g('cap'))),
      set('d', call('__malloc', 'i32', i32(DESC.SIZE))),
      { k: 'memfill', dest: g('d'), value: i32(0), size: i32(DESC.SIZE) },
      set('bytes', bin('shl', 'i32', g('cap'), g('lg'))),
      { k: 'if', cond: g('cap'), then: [
        put(g('d'), DESC.data, call('__malloc', 'i32', g('bytes'))),
        { k: 'memfill', dest: fld(g('d'), DESC.data), value: i32(0), size: g('bytes') },
      ], else: [] },
      put(g('d'), DESC.rc, i32(1)), put(g('d'), DESC.ndim, i32(1)), put(g('d'), DESC.dtype, g('code')),
      ...setLen(g('d'), g('n')), put(g('d'), DESC.strides, i32(1)), put(g('d'), LIST_CAP, g('cap')),
      { k: 'return', values: [g('d')] },
    ],
  });
  // __list_reserve(d, need, lg): room for `need` elements, the capacity at least doubled when it grows.
  fl.mod.funcs.push({
    name: '__list_reserve', params: ['d', 'need', 'lg'].map((name) => ({ name, t: 'i32' as I.VT })), results: [],
    locals: ['cap', 'old', 'nd'].map((name) => ({ name, t: 'i32' as I.VT })),
    body: [
      set('cap', fld(g('d'), LIST_CAP)),
      { k: 'if', cond: bin('le_s', 'i32', g('need'), g('cap')), then: [{ k: 'return', values: [] }], else: [] },
      set('cap', mul32(g('cap'), i32(2))),
      { k: 'if', cond: bin('lt_s', 'i32', g('cap'), g('need')), then: [set('cap', g('need'))], else: [] },
      { k: 'if', cond: bin('lt_s', 'i32', g('cap'), i32(4)), then: [set('cap', i32(4))], else: [] },
      set('old', fld(g('d'), DESC.data)),
      set('nd', call('__malloc', 'i32', bin('shl', 'i32', g('cap'), g('lg')))),
      { k: 'memfill', dest: g('nd'), value: i32(0), size: bin('shl', 'i32', g('cap'), g('lg')) },
      { k: 'memcopy', dest: g('nd'), src: g('old'), size: bin('shl', 'i32', lenOf(g('d')), g('lg')) },
      { k: 'expr', e: call('__free', null, g('old')) },
      put(g('d'), DESC.data, g('nd')), put(g('d'), LIST_CAP, g('cap')),
    ],
  });
}

/** A new list of n (zeroed) elements of `elem`, owned. */
export function newList(fl: FnLowerer, elem: Type | null, n: Expr): Val {
  helpers(fl);
  const code = isObj(elem) ? OBJ_CODE : DTYPE_CODE[storageOf(elem)];
  const d = fl.tmp(call('__list_new', 'i32', n, i32(sizeLog(elem)), i32(code)), 'list');
  return fl.ownedArray(listRef(fl, d, elem));
}

/** The ArrRef of a list descriptor (its fields loaded now: reload after anything that may grow it). */
export function listRef(fl: FnLowerer, d: Expr, elem: Type | null): ArrRef {
  return fl.arrFromDesc(d, storageOf(elem), 1);
}

const elemOf = (t: Type): Type | null => (t.kind === 'list' ? t.elem : null);

/** The leaves of a (nested) tuple type, in order: what its box's slots hold. */
function leaves(t: Type): Type[] {
  return t.kind === 'tuple' ? t.elems.flatMap(leaves) : [t];
}

/** A tuple value boxed for a list: an owned descriptor (see Note [Lists]). */
function box(fl: FnLowerer, v: Val, t: Type & { kind: 'tuple' }, span: Span): Expr {
  const ls = leaves(t);
  const flat = (x: Val, tt: Type): Val[] => (tt.kind === 'tuple' && x.k === 't' ? x.items.flatMap((y, i) => flat(y, tt.elems[i])) : [x]);
  const vals = flat(v, t);
  const parts = vals.map((x, k) => (ls[k].kind === 'scalar' ? fl.scalarAs(x, (ls[k] as { dtype: DType }).dtype, span) : fl.tmp(fl.take(materialize(fl, x, span) as Val & { k: 'a' }))));
  helpers(fl);
  const b = fl.tmp(call('__list_new', 'i32', i32(ls.length), i32(3), i32(TUP_CODE)), 'box');
  fl.emit(put(b, BOX_MASK, i32(ls.reduce((m, x, k) => (x.kind === 'scalar' ? m : m | (1 << k)), 0))));
  parts.forEach((p, k) => {
    const lt = ls[k];
    const mem = lt.kind === 'scalar' ? memOf(lt.dtype) : 'i32';
    fl.emit({ k: 'store', mem, addr: add32(fld(b, DESC.data), i32(8 * k)), value: p });
  });
  return b;
}

/** The tuple in box b: numbers loaded, objects retained (owned by the statement). */
function unbox(fl: FnLowerer, b: Expr, t: Type & { kind: 'tuple' }): Val {
  let k = 0;
  const part = (tt: Type): Val => {
    if (tt.kind === 'tuple') return { k: 't', items: tt.elems.map(part) };
    const addr = add32(fld(b, DESC.data), i32(8 * k++));
    if (tt.kind === 'scalar') return { k: 's', e: fl.tmp(load(vtOf(tt.dtype), memOf(tt.dtype), addr)), dtype: tt.dtype };
    const p = fl.tmp(load('i32', 'i32', addr), 'el');
    fl.emit({ k: 'retain', desc: p });
    return fl.ownedArray(objRef(fl, p, tt));
  };
  return part(t);
}

/** Element i of a list as a value: numbers loaded, objects retained for the statement. */
function getItem(fl: FnLowerer, d: Expr, elem: Type | null, i: Expr): Val {
  const addr = at(d, elem, i);
  if (!elem || elem.kind === 'scalar') { const dt = storageOf(elem); return { k: 's', e: fl.tmp(load(vtOf(dt), memOf(dt), addr)), dtype: dt }; }
  if (elem.kind === 'tuple') return unbox(fl, fl.tmp(load('i32', 'i32', addr), 'box'), elem);
  const p = fl.tmp(load('i32', 'i32', addr), 'el');
  fl.emit({ k: 'retain', desc: p });
  return fl.ownedArray(objRef(fl, p, elem));
}

function objRef(fl: FnLowerer, p: Expr, elem: Type): ArrRef {
  return elem.kind === 'array' ? fl.arrFromDesc(p, elem.dtype, elem.ndim) : elem.kind === 'list' ? listRef(fl, p, elem.elem) : fl.arrFromDesc(p, 'bool', 1);
}

/** The i32 to store for a value going into a list: numbers converted, objects as an owned reference. */
function stored(fl: FnLowerer, v: Val, elem: Type | null, span: Span): Expr {
  if (!isObj(elem)) return fl.scalarAs(v, storageOf(elem), span);
  if (elem!.kind === 'tuple') return box(fl, v, elem as Type & { kind: 'tuple' }, span);
  const m = materialize(fl, v, span);
  return fl.tmp(fl.take(m as Val & { k: 'a' }), 'el');
}

/** Room for one more element; also records what the list holds (an empty list made as `[]` did not know). */
function grow(fl: FnLowerer, d: Expr, elem: Type | null, n: Expr): void {
  helpers(fl);
  fl.emit(put(d, DESC.dtype, i32(isObj(elem) ? OBJ_CODE : DTYPE_CODE[storageOf(elem)])));
  fl.emit({ k: 'expr', e: call('__list_reserve', null, d, add32(n, i32(1)), i32(sizeLog(elem))) });
}

/** Appends a stored element (see `stored`). */
function append(fl: FnLowerer, d: Expr, elem: Type | null, value: Expr): void {
  const n = fl.tmp(lenOf(d), 'n');
  grow(fl, d, elem, n);
  fl.emit({ k: 'store', mem: memOf(storageOf(elem)), addr: at(d, elem, n), value });
  for (const s of setLen(d, add32(n, i32(1)))) fl.emit(s);
}

/** A Python index into a list of n elements: negative counts from the end; out of range raises IndexError. */
function checkedIndex(fl: FnLowerer, i: Expr, n: Expr, span: Span, what = 'list index out of range'): Expr {
  const w = fl.tmp(i, 'ix');
  const k = fl.tmp(select('i64', bin('lt_s', 'i64', w, i64(0)), bin('add', 'i64', w, cvt('i32->i64', n)), w), 'ix');
  const site = fl.mod.site(Code.IndexError, 'IndexError', span, what);
  fl.emit({ k: 'if', cond: bin('ge_u', 'i64', k, cvt('i32->i64', n)), then: [fl.trap(fl.mod.imp('err_raise', ['i32'], null), i32(site))], else: [] });
  return fl.tmp(cvt('i64->i32', k), 'ix');
}

const int64 = (fl: FnLowerer, e: A.Expr): Expr => {
  const v = fl.expr(e) as { e: Expr; dtype: DType };
  return fl.tmp(convert(v.e, v.dtype, 'int64'));
};

/** A new list of `count` (an i32) elements, element j the value `make(j)` makes (in a loop over j). */
export function listOf(fl: FnLowerer, elem: Type, count: Expr, make: (j: Expr) => Val, span: Span): Val {
  const l = newList(fl, elem, count) as Val & { k: 'a' };
  loop(fl, i32(0), count, (j) => {
    const v = stored(fl, make(j), elem, span);
    fl.emit({ k: 'store', mem: memOf(storageOf(elem)), addr: at(l.a.desc, elem, j), value: v });
  });
  return l;
}

/** `[a, b, c]`. */
export function listLiteral(fl: FnLowerer, e: A.ListExpr, t: Type): Val {
  const elem = elemOf(t);
  const vals = e.elts.map((x) => stored(fl, fl.expr(x), elem, x.span));
  const l = newList(fl, elem, i32(vals.length)) as Val & { k: 'a' };
  vals.forEach((v, i) => fl.emit({ k: 'store', mem: memOf(storageOf(elem)), addr: at(l.a.desc, elem, i32(i)), value: v }));
  return l;
}

/** `[elt for ...]`: its loop (comprehensionPlan), then the list it built, taken out of its variable. */
export function listComp(fl: FnLowerer, e: A.ListComp): Val {
  const plan = comprehensionPlan(e);
  fl.stmts(plan.stmts);
  const slot = fl.slots.get(plan.result)!;
  const v = fl.readSlot(slot) as Val & { k: 'a' };
  const d = get(fl.localCopy(v.a.desc), 'i32');
  fl.writeSlotRaw(slot, i32(0));
  return fl.ownedArray(listRef(fl, d, elemOf(fl.type(e))));
}

/** `xs[i]`, `xs[i:j:k]`, `r[i]`. */
export function listIndex(fl: FnLowerer, e: A.Subscript): Val {
  const t = fl.type(e.value);
  const base = fl.expr(e.value);
  const ix = e.index[0];
  if (t.kind === 'range' && base.k === 't') {
    const [start, stop, step] = base.items.map((x) => (x as { e: Expr }).e);
    const n = fl.tmp(cvt('i64->i32', tripCount(start, stop, step)));
    const k = checkedIndex(fl, int64(fl, ix), n, ix.span, 'range object index out of range');
    return { k: 's', e: bin('add', 'i64', start, bin('mul', 'i64', cvt('i32->i64', k), step)), dtype: 'int64' };
  }
  const elem = elemOf(t);
  const d = fl.tmp((base as Val & { k: 'a' }).a.desc, 'list');
  if (ix.kind !== 'Slice') return getItem(fl, d, elem, checkedIndex(fl, int64(fl, ix), lenOf(d), ix.span));
  const site = fl.mod.site(Code.ValueError, 'slice_step', ix.span);
  const s = fl.fresh('ss', 'i32'), len = fl.fresh('sl', 'i32');
  const part = (p: A.Expr | null) => (p ? int64(fl, p) : i64(0));
  const step = ix.step ? int64(fl, ix.step) : i64(1);
  fl.emit({ k: 'setm', names: [s, len], call: call(fl.mod.helper('slice'), null, lenOf(d), part(ix.lower), part(ix.upper), step, i32(ix.lower ? 1 : 0), i32(ix.upper ? 1 : 0), i32(site)) });
  return copyRange(fl, d, elem, get(s, 'i32'), get(len, 'i32'), fl.tmp(cvt('i64->i32', step)));
}

/** A new list of `len` elements of d taken from `start` by `step` (objects retained). */
function copyRange(fl: FnLowerer, d: Expr, elem: Type | null, start: Expr, len: Expr, step: Expr): Val {
  const out = newList(fl, elem, len) as Val & { k: 'a' };
  loop(fl, i32(0), len, (k) => {
    const v = fl.tmp(load(vtOf(storageOf(elem)), memOf(storageOf(elem)), at(d, elem, add32(start, mul32(k, step)))));
    if (isObj(elem)) fl.emit({ k: 'retain', desc: v });
    fl.emit({ k: 'store', mem: memOf(storageOf(elem)), addr: at(out.a.desc, elem, k), value: v });
  });
  return out;
}

/** for k in [lo, hi): body(k), as an i32 counted loop. */
export function loop(fl: FnLowerer, lo: Expr, hi: Expr, body: (k: Expr) => void): void {
  const k = fl.fresh('k', 'i32');
  const stmts = fl.block(() => body(get(k, 'i32')));
  fl.emit({ k: 'for', label: `list${fl.n++}`, v: k, t: 'i32', start: lo, stop: fl.tmp(hi), step: i32(1), body: stmts });
}

/** `xs[i] = v`: the old element (an object) released after the new one is stored. */
export function listSetItem(fl: FnLowerer, t: A.Subscript, v: Val, span: Span): void {
  const elem = elemOf(fl.type(t.value));
  const d = fl.tmp((fl.expr(t.value) as Val & { k: 'a' }).a.desc, 'list');
  const k = checkedIndex(fl, int64(fl, t.index[0]), lenOf(d), t.index[0].span);
  const value = stored(fl, v, elem, span);
  const addr = fl.tmp(at(d, elem, k), 'addr');
  const old = isObj(elem) ? fl.tmp(load('i32', 'i32', addr), 'old') : null;
  fl.emit({ k: 'store', mem: memOf(storageOf(elem)), addr, value });
  if (old) fl.emit({ k: 'release', desc: old });
}

/** The number of items, for len() and truth: a list's length or a range's trip count. */
export function lengthOf(fl: FnLowerer, v: Val, t: Type): Expr {
  if (t.kind === 'range' && v.k === 't') {
    const [start, stop, step] = v.items.map((x) => (x as { e: Expr }).e);
    return tripCount(start, stop, step);
  }
  return cvt('i32->i64', lenOf((v as Val & { k: 'a' }).a.desc));
}

/** `xs + ys` (a new list), `xs * n`, `n * xs`. */
export function listBinary(fl: FnLowerer, e: A.Binary, t: Type): Val {
  const elem = elemOf(t);
  if (e.op === '+') {
    const a = fl.tmp((fl.expr(e.left) as Val & { k: 'a' }).a.desc), b = fl.tmp((fl.expr(e.right) as Val & { k: 'a' }).a.desc);
    const na = fl.tmp(lenOf(a)), nb = fl.tmp(lenOf(b));
    const out = newList(fl, elem, add32(na, nb)) as Val & { k: 'a' };
    copyInto(fl, out.a.desc, a, elem, i32(0), na);
    copyInto(fl, out.a.desc, b, elem, na, nb);
    return out;
  }
  const [le, ne] = fl.type(e.left).kind === 'list' ? [e.left, e.right] : [e.right, e.left];
  const a = fl.tmp((fl.expr(le) as Val & { k: 'a' }).a.desc);
  const n = fl.tmp(select('i64', bin('lt_s', 'i64', int64(fl, ne), i64(0)), i64(0), int64(fl, ne)));
  const na = fl.tmp(lenOf(a));
  const out = newList(fl, elem, cvt('i64->i32', bin('mul', 'i64', n, cvt('i32->i64', na)))) as Val & { k: 'a' };
  loop(fl, i32(0), cvt('i64->i32', n), (r) => copyInto(fl, out.a.desc, a, elem, mul32(r, na), na));
  return out;
}

/** Copies n elements of `src` to `dst` from index `to` (objects retained). */
function copyInto(fl: FnLowerer, dst: Expr, src: Expr, elem: Type | null, to: Expr, n: Expr): void {
  loop(fl, i32(0), n, (k) => {
    const v = fl.tmp(load(vtOf(storageOf(elem)), memOf(storageOf(elem)), at(src, elem, k)));
    if (isObj(elem)) fl.emit({ k: 'retain', desc: v });
    fl.emit({ k: 'store', mem: memOf(storageOf(elem)), addr: at(dst, elem, add32(to, k)), value: v });
  });
}

/** Appends every item of an iterable (extend, +=, list(x)). */
function extendFrom(fl: FnLowerer, d: Expr, elem: Type | null, src: A.Expr, span: Span): void {
  const seq = sequence(fl, src);
  walk(fl, seq, (item) => append(fl, d, elem, stored(fl, item, elem, span)), null);
}

/** `list(x)`, `sorted(x, reverse=...)`. */
export function listCall(fl: FnLowerer, e: A.Call, name: string, t: Type): Val {
  const elem = elemOf(t);
  const out = newList(fl, elem, i32(0)) as Val & { k: 'a' };
  if (e.args[0]) extendFrom(fl, out.a.desc, elem, e.args[0], e.span);
  if (name === 'sorted') {
    const rev = e.keywords.find((k) => k.name === 'reverse')?.value;
    sortList(fl, out.a.desc, elem, rev ? fl.cond(rev) : i32(0), e.span);
  }
  return out;
}

/** Sorts a list in place, stably; `reverse` keeps equal elements in their order, as Python does. */
function sortList(fl: FnLowerer, d: Expr, elem: Type | null, reverse: Expr, span: Span): void {
  if (elem && elem.kind !== 'scalar') {
    fl.emit({ k: 'expr', e: call(fl.mod.imp('l_sort', ['i32', 'i32', 'i32', 'i32'], null), null, d, i32(fl.mod.str(JSON.stringify({ kind: 'list', elem }))), reverse, i32(fl.mod.site(Code.ValueError, 'sort', span))) });
    return;
  }
  const dt = storageOf(elem);
  const rev = fl.tmp(reverse);
  fl.emit({ k: 'if', cond: rev, then: fl.block(() => reverseList(fl, d, elem)), else: [] });
  const n = fl.tmp(lenOf(d));
  const tmp = fl.alloc(dt, [n], true);
  fl.emit({ k: 'expr', e: call(sortHelper(fl, dt, false), null, fld(d, DESC.data), n, tmp.data) });
  fl.emit({ k: 'release', desc: tmp.desc });
  fl.emit({ k: 'if', cond: rev, then: fl.block(() => reverseList(fl, d, elem)), else: [] });
}

function reverseList(fl: FnLowerer, d: Expr, elem: Type | null): void {
  const dt = storageOf(elem);
  const n = fl.tmp(lenOf(d));
  loop(fl, i32(0), bin('div_s', 'i32', n, i32(2)), (k) => {
    const a = fl.tmp(at(d, elem, k)), b = fl.tmp(at(d, elem, bin('sub', 'i32', bin('sub', 'i32', n, i32(1)), k)));
    const x = fl.tmp(load(vtOf(dt), memOf(dt), a));
    fl.emit({ k: 'store', mem: memOf(dt), addr: a, value: load(vtOf(dt), memOf(dt), b) });
    fl.emit({ k: 'store', mem: memOf(dt), addr: b, value: x });
  });
}

/** Python's sum, min, max, any and all of a list or range, one element after another in order. */
export function listReduce(fl: FnLowerer, e: A.Call, fname: string, t: Type): Val {
  const seq = sequence(fl, e.args[0]);
  const st = fl.type(e.args[0]);
  const elem: Type | null = st.kind === 'range' ? { kind: 'scalar', dtype: 'int64', weak: true } : (st as ListType).elem;
  // A list nothing is ever put in is empty: Python's any([]) is False, all([]) True, sum([]) 0.
  if (!elem && fname !== 'prod') return fname === 'sum' ? { k: 's', e: i64(0), dtype: 'int64' } : { k: 's', e: i32(fname === 'all' ? 1 : 0), dtype: 'bool' };
  if (fname === 'prod') {
    // math.prod: start= (1) times each element, left to right, in the result's type.
    const rd = (t as { dtype: DType }).dtype;
    const startE = e.keywords.find((k) => k.name === 'start')?.value;
    const s = startE ? fl.expr(startE) as { e: Expr; dtype: DType } : { e: i64(1), dtype: 'int64' as DType };
    const acc = fl.fresh('acc', vtOf(rd));
    fl.set(acc, convert(s.e, s.dtype, rd));
    if (elem) walk(fl, seq, (item) => fl.set(acc, bin('mul', vtOf(rd), get(acc, vtOf(rd)), fl.scalarAs(item, rd, e.span))), null);
    return { k: 's', e: get(acc, vtOf(rd)), dtype: rd };
  }
  if (!elem) throw new Error('internal: empty list');
  if (fname === 'any' || fname === 'all') {
    const acc = fl.fresh('acc', 'i32');
    fl.set(acc, i32(fname === 'all' ? 1 : 0));
    walk(fl, seq, (item) => {
      const truth = elem!.kind === 'str' ? bin('ne', 'i64', strNumber(fl, 'bool', item, e.span), i64(0)) : elem.kind === 'scalar' ? convert((item as { e: Expr }).e, (item as { dtype: DType }).dtype, 'bool')
        : bin('ne', 'i64', lengthOf(fl, item, elem), i64(0));
      fl.set(acc, fname === 'all' ? bin('and', 'i32', get(acc, 'i32'), truth) : bin('or', 'i32', get(acc, 'i32'), truth));
    }, null);
    return { k: 's', e: get(acc, 'i32'), dtype: 'bool' };
  }
  if (fname === 'sum' && elem.kind === 'array') return sumOfArrays(fl, e, seq, (t as { dtype: DType }).dtype);
  if (fname === 'sum') {
    const rd = (t as { dtype: DType }).dtype;
    const acc = fl.fresh('acc', vtOf(rd));
    fl.set(acc, convert(i64(0), 'int64', rd));
    walk(fl, seq, (item) => fl.set(acc, bin('add', vtOf(rd), get(acc, vtOf(rd)), fl.scalarAs(item, rd, e.span))), null);
    return { k: 's', e: isInt(rd) ? wrapInt(get(acc, vtOf(rd)), rd) : get(acc, vtOf(rd)), dtype: rd };
  }
  // min/max: the first best element, as Python's (an element replaces the best only when strictly better).
  const n = fl.tmp(seq.count(), 'n');
  const site = fl.mod.site(Code.ValueError, 'ValueError', e.span, `${fname}() arg is an empty sequence`);
  fl.emit({ k: 'if', cond: bin('eq', 'i64', n, i64(0)), then: [fl.trap(fl.mod.imp('err_raise', ['i32'], null), i32(site))], else: [] });
  const better = (x: Val, best: Val): Expr => {
    if (elem.kind === 'str') return strCompare(fl, fname === 'max' ? '>' : '<', x, best, e.span);
    const d = (elem as { dtype: DType }).dtype;
    return bin(cmpOpOf(fname === 'max' ? '>' : '<', d), vtOf(d), (x as { e: Expr }).e, (best as { e: Expr }).e);
  };
  if (elem.kind === 'scalar') {
    const best = fl.fresh('best', vtOf(elem.dtype));
    fl.set(best, (seq.item(i64(0)) as { e: Expr }).e);
    walk(fl, seq, (item) => {
      fl.emit({ k: 'if', cond: better(item, { k: 's', e: get(best, vtOf(elem.dtype)), dtype: elem.dtype }), then: [{ k: 'set', name: best, value: (item as { e: Expr }).e }], else: [] });
    }, i64(1));
    return { k: 's', e: get(best, vtOf(elem.dtype)), dtype: elem.dtype };
  }
  const best = fl.fresh('best', 'i32');
  fl.set(best, fl.take(seq.item(i64(0)) as Val & { k: 'a' }));
  const bestVal = (): Val => ({ k: 'a', a: fl.arrFromDesc(get(best, 'i32'), 'bool', 1), owned: false });
  walk(fl, seq, (item) => {
    const it = fl.tmp((item as Val & { k: 'a' }).a.desc);
    fl.emit({ k: 'if', cond: better(item, bestVal()), then: [{ k: 'retain', desc: it }, { k: 'release', desc: get(best, 'i32') }, { k: 'set', name: best, value: it }], else: [] });
  }, i64(1));
  return fl.ownedArray(fl.arrFromDesc(get(best, 'i32'), 'bool', 1));
}

/**
 * Python's sum of arrays, 0 + x0 + x1 + ...: a copy of the first (in the result's dtype) to which
 * each next one is added in place. Python's sum of nothing is the int 0, which an array result
 * cannot hold: that is a ValueError here. An element of a bigger shape than the first (which NumPy
 * would broadcast the sum to) gets NumPy's error for an in-place add.
 */
function sumOfArrays(fl: FnLowerer, e: A.Call, seq: Sequence, rd: DType): Val {
  const n = fl.tmp(seq.count(), 'n');
  const site = fl.mod.site(Code.ValueError, 'ValueError', e.span, 'sum() of no arrays: Python gives the int 0, which Par cannot return where arrays are summed');
  fl.emit({ k: 'if', cond: bin('eq', 'i64', n, i64(0)), then: [fl.trap(fl.mod.imp('err_raise', ['i32'], null), i32(site))], else: [] });
  const first = (seq.item(i64(0)) as Val & { k: 'a' }).a;
  const acc = fl.alloc(rd, first.shape, true);
  fl.copyInto(acc, first, e.span);
  walk(fl, seq, (item) => {
    const x = (item as Val & { k: 'a' }).a;
    fl.checkBroadcastTo(acc.shape, [x], e.span, acc);
    fl.nest(acc.shape, [acc, x], e.span, (p) => [{ k: 'store', mem: memOf(rd), addr: p[0], value: bin('add', vtOf(rd), load(vtOf(rd), memOf(rd), p[0]), convert(load(vtOf(x.dtype), memOf(x.dtype), p[1]), x.dtype, rd)) }]);
  }, i64(1));
  return fl.ownedArray(acc);
}

/** `xs.append(v)`, `xs.pop()`, ...; `self` is the list. */
export function listMethod(fl: FnLowerer, e: A.Call, m: string, self: A.Expr): Val {
  const elem = elemOf(fl.type(self));
  const d = fl.tmp((fl.expr(self) as Val & { k: 'a' }).a.desc, 'list');
  const dt = storageOf(elem);
  switch (m) {
    case 'append': append(fl, d, elem, stored(fl, fl.expr(e.args[0]), elem, e.args[0].span)); return { k: 'none' };
    case 'extend': extendFrom(fl, d, elem, e.args[0], e.span); return { k: 'none' };
    case 'insert': {
      const n = fl.tmp(lenOf(d));
      // Python clamps the position into [0, len].
      const raw = fl.tmp(int64(fl, e.args[0]));
      const pos0 = select('i64', bin('lt_s', 'i64', raw, i64(0)), bin('add', 'i64', raw, cvt('i32->i64', n)), raw);
      const pos = fl.tmp(cvt('i64->i32', select('i64', bin('lt_s', 'i64', pos0, i64(0)), i64(0), select('i64', bin('gt_s', 'i64', pos0, cvt('i32->i64', n)), cvt('i32->i64', n), pos0))));
      const v = stored(fl, fl.expr(e.args[1]), elem, e.args[1].span);
      grow(fl, d, elem, n);
      fl.emit({ k: 'memcopy', dest: at(d, elem, add32(pos, i32(1))), src: at(d, elem, pos), size: bin('shl', 'i32', bin('sub', 'i32', n, pos), i32(sizeLog(elem))) });
      fl.emit({ k: 'store', mem: memOf(dt), addr: at(d, elem, pos), value: v });
      for (const s of setLen(d, add32(n, i32(1)))) fl.emit(s);
      return { k: 'none' };
    }
    case 'pop': {
      const n = fl.tmp(lenOf(d));
      const siteEmpty = fl.mod.site(Code.IndexError, 'IndexError', e.span, 'pop from empty list');
      fl.emit({ k: 'if', cond: bin('eq', 'i32', n, i32(0)), then: [fl.trap(fl.mod.imp('err_raise', ['i32'], null), i32(siteEmpty))], else: [] });
      const k = e.args[0] ? checkedIndex(fl, int64(fl, e.args[0]), n, e.args[0].span, 'pop index out of range') : fl.tmp(bin('sub', 'i32', n, i32(1)));
      const v = fl.tmp(load(vtOf(dt), memOf(dt), at(d, elem, k)), 'popped');
      fl.emit({ k: 'memcopy', dest: at(d, elem, k), src: at(d, elem, add32(k, i32(1))), size: bin('shl', 'i32', bin('sub', 'i32', bin('sub', 'i32', n, k), i32(1)), i32(sizeLog(elem))) });
      for (const s of setLen(d, bin('sub', 'i32', n, i32(1)))) fl.emit(s);
      // The list's reference to a popped object moves to the caller; a box is opened and dropped.
      if (elem && elem.kind === 'tuple') {
        const t = unbox(fl, v, elem);
        fl.emit({ k: 'release', desc: v });
        return t;
      }
      return isObj(elem) ? fl.ownedArray(objRef(fl, v, elem!)) : { k: 's', e: v, dtype: dt };
    }
    case 'clear': {
      if (isObj(elem)) loop(fl, i32(0), lenOf(d), (k) => fl.emit({ k: 'release', desc: load('i32', 'i32', at(d, elem, k)) }));
      for (const s of setLen(d, i32(0))) fl.emit(s);
      return { k: 'none' };
    }
    case 'reverse': reverseList(fl, d, elem); return { k: 'none' };
    case 'sort': {
      const rev = e.keywords.find((k) => k.name === 'reverse')?.value;
      sortList(fl, d, elem, rev ? fl.cond(rev) : i32(0), e.span);
      return { k: 'none' };
    }
    case 'copy': return copyRange(fl, d, elem, i32(0), fl.tmp(lenOf(d)), i32(1));
    case 'index': case 'count': {
      const target = fl.snapshot(fl.expr(e.args[0]));
      const found = fl.fresh('found', 'i64');
      fl.set(found, i64(m === 'index' ? -1 : 0));
      const label = `find${fl.n++}`;
      const k = fl.fresh('k', 'i32');
      const body = fl.block(() => {
        const mark = fl.temps.length;
        const eq = equal(fl, getItem(fl, d, elem, get(k, 'i32')), target, elem, e.span);
        fl.releaseTemps(mark);
        fl.emit({ k: 'if', cond: eq, then: m === 'index' ? [{ k: 'set', name: found, value: cvt('i32->i64', get(k, 'i32')) }, { k: 'break', label }] : [{ k: 'set', name: found, value: bin('add', 'i64', get(found, 'i64'), i64(1)) }], else: [] });
      });
      fl.emit({ k: 'for', label, v: k, t: 'i32', start: i32(0), stop: lenOf(d), step: i32(1), body });
      if (m === 'index') {
        const site = fl.mod.site(Code.ValueError, 'ValueError', e.span, 'list.index(x): x not in list');
        fl.emit({ k: 'if', cond: bin('lt_s', 'i64', get(found, 'i64'), i64(0)), then: [fl.trap(fl.mod.imp('err_raise', ['i32'], null), i32(site))], else: [] });
      }
      return { k: 's', e: get(found, 'i64'), dtype: 'int64' };
    }
  }
  throw new Error(`internal: list method ${m}`);
}

/** Python's == of two list elements (numbers by value, strings by text, lists element by element). */
function equal(fl: FnLowerer, a: Val, b: Val, elem: Type | null, span: Span): Expr {
  if (!elem || elem.kind === 'scalar') {
    const x = a as { e: Expr; dtype: DType }, y = b as { e: Expr; dtype: DType };
    const d = isFloat(x.dtype) || isFloat(y.dtype) ? 'float64' : x.dtype === 'bool' && y.dtype === 'bool' ? 'bool' : 'int64';
    return bin('eq', vtOf(d), convert(x.e, x.dtype, d), convert(y.e, y.dtype, d));
  }
  if (elem.kind === 'str') return strCompare(fl, '==', a, b, span);
  pushValue(fl, a, elem);
  pushValue(fl, b, elem);
  return un('eqz', 'i64', call(fl.mod.imp('s_op', ['i32', 'i32', 'i32'], 'i64'), 'i64', i32(fl.mod.str(JSON.stringify({ op: 'neq' }))), i32(-1), i32(2)));
}

/** `xs == ys`, `xs != ys`, `v in xs`, `v not in xs`. */
export function listCompare(fl: FnLowerer, op: A.CompareOp, l: Val, r: Val, lt: Type, rt: Type, span: Span): Expr {
  if (op === 'in' || op === 'not in') {
    const elem = (rt as ListType).elem;
    const d = fl.tmp((r as Val & { k: 'a' }).a.desc, 'list');
    const found = fl.fresh('found', 'i32');
    fl.set(found, i32(0));
    const label = `in${fl.n++}`;
    const k = fl.fresh('k', 'i32');
    const body = fl.block(() => {
      const mark = fl.temps.length;
      const eq = equal(fl, getItem(fl, d, elem, get(k, 'i32')), l, elem, span);
      fl.releaseTemps(mark);
      fl.emit({ k: 'if', cond: eq, then: [{ k: 'set', name: found, value: i32(1) }, { k: 'break', label }], else: [] });
    });
    fl.emit({ k: 'for', label, v: k, t: 'i32', start: i32(0), stop: lenOf(d), step: i32(1), body });
    return op === 'in' ? get(found, 'i32') : un('eqz', 'i32', get(found, 'i32'));
  }
  const eq = equal(fl, l, r, { kind: 'list', elem: (lt as ListType).elem ?? (rt as ListType).elem }, span);
  return op === '==' ? eq : un('eqz', 'i32', eq);
}

/** `np.array(xs)`: numbers into a 1-d array; arrays and lists (of one shape, checked) stacked along a new first axis. */
export function arrayOfList(fl: FnLowerer, e: A.Call, t: Type): Val {
  const at = t as Type & { kind: 'array' };
  const src = fl.type(e.args[0]) as ListType;
  const d = fl.tmp((fl.expr(e.args[0]) as Val & { k: 'a' }).a.desc, 'list');
  // The shape: the outer length, then the first element's shape (every element must match it).
  const shape: Expr[] = [fl.tmp(lenOf(d))];
  let elem: Type | null = src.elem;
  let firstOf: Expr = d;
  while (elem && elem.kind === 'list') {
    firstOf = fl.tmp(select('i32', bin('gt_s', 'i32', lenOf(firstOf), i32(0)), load('i32', 'i32', fld(firstOf, DESC.data)), i32(0)));
    shape.push(fl.tmp(select('i32', bin('ne', 'i32', firstOf, i32(0)), lenOf(firstOf), i32(0))));
    elem = elem.elem;
  }
  if (elem && elem.kind === 'tuple') shape.push(i32(elem.elems.length));
  if (elem && elem.kind === 'array') {
    const inner = fl.tmp(select('i32', bin('gt_s', 'i32', lenOf(firstOf), i32(0)), load('i32', 'i32', fld(firstOf, DESC.data)), i32(0)));
    for (let k = 0; k < elem.ndim; k++) shape.push(fl.tmp(select('i32', bin('ne', 'i32', inner, i32(0)), fld(inner, DESC.shape + 4 * k), i32(0))));
  }
  const out = fl.alloc(at.dtype, shape, true);
  const pos = fl.fresh('pos', 'i32');
  fl.set(pos, i32(0));
  // NumPy's message names the depth where the shapes differ and the shape above it.
  const fail = (level: number): Stmt => level === 0
    ? fmtTrap(fl, 'ValueError', 'setting an array element with a sequence. The requested array has an inhomogeneous shape after 1 dimensions. The detected shape was ({0},) + inhomogeneous part.', e.span, shape[0])
    : fmtTrap(fl, 'ValueError', `setting an array element with a sequence. The requested array has an inhomogeneous shape after ${level + 1} dimensions. The detected shape was (${shape.slice(0, level + 1).map((_n, j) => `{${Math.min(j, 2)}}`).join(', ')}) + inhomogeneous part.`, e.span, ...shape.slice(0, Math.min(level + 1, 3)));
  // Walks the nested lists in C order, storing each number at `pos`.
  const fill = (list: Expr, level: number, lt: Type | null): void => {
    loop(fl, i32(0), lenOf(list), (k) => {
      if (lt && lt.kind === 'list') {
        const sub = fl.tmp(load('i32', 'i32', at2(list, k)));
        fl.emit({ k: 'if', cond: bin('ne', 'i32', lenOf(sub), shape[level + 1]), then: [fail(level)], else: [] });
        fill(sub, level + 1, lt.elem);
      } else if (lt && lt.kind === 'tuple') {
        const row = unbox(fl, load('i32', 'i32', at2(list, k)), lt) as Val & { k: 't' };
        row.items.forEach((x) => {
          const v = x as { e: Expr; dtype: DType };
          fl.emit({ k: 'store', mem: memOf(at.dtype), addr: add32(out.data, bin('shl', 'i32', get(pos, 'i32'), i32(log2Size(at.dtype)))), value: convert(v.e, v.dtype, at.dtype) });
          fl.set(pos, add32(get(pos, 'i32'), i32(1)));
        });
      } else if (lt && lt.kind === 'array') {
        const a = fl.arrFromDesc(load('i32', 'i32', at2(list, k)), lt.dtype, lt.ndim);
        a.shape.forEach((n, j) => fl.emit({ k: 'if', cond: bin('ne', 'i32', n, shape[level + 1 + j]), then: [fail(level + j)], else: [] }));
        const dst = { ...a, desc: out.desc, dtype: at.dtype, data: add32(out.data, bin('shl', 'i32', get(pos, 'i32'), i32(log2Size(at.dtype)))), strides: fl.contiguousStrides(a.shape) };
        fl.copyInto(dst, a, e.span);
        fl.set(pos, add32(get(pos, 'i32'), a.shape.reduce((x: Expr, n) => mul32(x, n), i32(1))));
      } else {
        const sd = storageOf(lt);
        fl.emit({ k: 'store', mem: memOf(at.dtype), addr: add32(out.data, bin('shl', 'i32', get(pos, 'i32'), i32(log2Size(at.dtype)))), value: convert(load(vtOf(sd), memOf(sd), add32(fld(list, DESC.data), bin('shl', 'i32', k, i32(log2Size(sd))))), sd, at.dtype) });
        fl.set(pos, add32(get(pos, 'i32'), i32(1)));
      }
    });
  };
  const at2 = (list: Expr, k: Expr) => add32(fld(list, DESC.data), bin('shl', 'i32', k, i32(2)));
  fill(d, 0, src.elem);
  return fl.ownedArray(out);
}

/** `a.tolist()` of a 1-d array: its elements as Python numbers. */
export function toList(fl: FnLowerer, self: A.Expr, t: Type): Val {
  const elem = elemOf(t)!;
  const a = (fl.expr(self) as Val & { k: 'a' }).a;
  const out = newList(fl, elem, a.shape[0]) as Val & { k: 'a' };
  const dt = storageOf(elem);
  loop(fl, i32(0), a.shape[0], (k) => {
    const v = load(vtOf(a.dtype), memOf(a.dtype), add32(a.data, bin('shl', 'i32', mul32(k, a.strides[0]), i32(log2Size(a.dtype)))));
    fl.emit({ k: 'store', mem: memOf(dt), addr: at(out.a.desc, elem, k), value: convert(v, a.dtype, dt) });
  });
  return out;
}

/** `s.split(sep, maxsplit)`: a new list of strings. */
export function splitString(fl: FnLowerer, e: A.Call, self: A.Expr): Val {
  const elem: Type = { kind: 'str' };
  const n = fl.tmp(cvt('i64->i32', splitCount(fl, e, self)), 'n');
  const out = newList(fl, elem, n) as Val & { k: 'a' };
  loop(fl, i32(0), n, (k) => {
    const piece = splitPiece(fl, cvt('i32->i64', k), e.span) as Val & { k: 'a' };
    fl.emit({ k: 'store', mem: 'i32', addr: at(out.a.desc, elem, k), value: fl.take(piece) });
  });
  return out;
}

/** `r = range(...)`: a range object's start, stop and step. */
export function rangeValue(fl: FnLowerer, e: A.Call): Val {
  const args = e.args.map((a) => int64(fl, a));
  const [start, stop, step] = args.length === 1 ? [i64(0), args[0], i64(1)] : args.length === 2 ? [args[0], args[1], i64(1)] : args;
  if (args.length === 3) {
    const site = fl.mod.site(Code.ValueError, 'range_step', e.span);
    fl.emit({ k: 'if', cond: bin('eq', 'i64', step, i64(0)), then: [fl.trap(fl.mod.imp('err_value', ['i32'], null), i32(site))], else: [] });
  }
  const s = (x: Expr): Val => ({ k: 's', e: x, dtype: 'int64' });
  return { k: 't', items: [s(start), s(stop), s(step)] };
}

// ---------------- iteration ----------------

/** Something a for loop walks by index: how many items (evaluated before each iteration) and item i. */
interface Sequence { count: () => Expr; item: (i: Expr) => Val }

/** The sequence of a for loop's iterable: lists, ranges, arrays, strings, and enumerate/zip/reversed of them. */
export function sequence(fl: FnLowerer, e: A.Expr): Sequence {
  const r = e.kind === 'Call' ? fl.inst.calls.get(e) ?? fl.cur.calls.get(e) : undefined;
  if (e.kind === 'Call' && r?.kind === 'builtin') {
    if (r.name === 'enumerate') {
      const inner = sequence(fl, e.args[0]);
      const startE = e.args[1] ?? e.keywords.find((k) => k.name === 'start')?.value;
      const start = startE ? int64(fl, startE) : i64(0);
      return { count: inner.count, item: (i) => ({ k: 't', items: [{ k: 's', e: bin('add', 'i64', start, i), dtype: 'int64' }, inner.item(i)] }) };
    }
    if (r.name === 'zip') {
      const parts = e.args.map((a) => sequence(fl, a));
      return {
        count: () => parts.map((p) => p.count()).reduce((a, b) => select('i64', bin('lt_s', 'i64', a, b), a, b)),
        item: (i) => ({ k: 't', items: parts.map((p) => p.item(i)) }),
      };
    }
    if (r.name === 'reversed') {
      const inner = sequence(fl, e.args[0]);
      const n = fl.tmp(inner.count(), 'n');
      return { count: () => n, item: (i) => inner.item(bin('sub', 'i64', bin('sub', 'i64', n, i64(1)), i)) };
    }
    if (r.name === 'range') return rangeSeq(fl, rangeValue(fl, e));
  }
  const t = fl.type(e);
  const v = fl.snapshot(materialize(fl, fl.expr(e), e.span));
  if (t.kind === 'range') return rangeSeq(fl, v);
  if (t.kind === 'list') {
    const d = fl.tmp((v as Val & { k: 'a' }).a.desc, 'list');
    return { count: () => cvt('i32->i64', lenOf(d)), item: (i) => getItem(fl, d, t.elem, cvt('i64->i32', i)) };
  }
  if (t.kind === 'str') {
    const n = fl.tmp(strNumber(fl, 'len', v, e.span), 'n');
    return { count: () => n, item: (i) => strChar(fl, v, i, e.span) };
  }
  if (t.kind === 'array' && v.k === 'a') {
    const a = v.a;
    return { count: () => cvt('i32->i64', a.shape[0]), item: (i) => fl.indexArr(a, [{ k: 'int', e: i, span: e.span, nonNeg: true }], e.span, false) };
  }
  if (t.kind === 'tuple' && v.k === 't') {
    const items = v.items.map((x) => ({ e: fl.tmp((x as { e: Expr }).e), dtype: (x as { dtype: DType }).dtype }));
    return {
      count: () => i64(items.length),
      item: (i) => ({ k: 's', e: items.slice(1).reduce((acc: Expr, x, k) => select(vtOf(x.dtype), bin('eq', 'i64', i, i64(k + 1)), x.e, acc), items[0].e), dtype: items[0].dtype }),
    };
  }
  throw new Error(`internal: cannot iterate over ${t.kind}`);
}

function rangeSeq(fl: FnLowerer, v: Val): Sequence {
  const [start, stop, step] = (v as Val & { k: 't' }).items.map((x) => fl.tmp((x as { e: Expr }).e));
  const n = fl.tmp(tripCount(start, stop, step), 'n');
  return { count: () => n, item: (i) => ({ k: 's', e: bin('add', 'i64', start, bin('mul', 'i64', i, step)), dtype: 'int64' }) };
}

/** Runs `each(item)` for every item, from index `from`, re-reading the count before each (a list may grow). */
function walk(fl: FnLowerer, seq: Sequence, each: (item: Val) => void, from: Expr | null): void {
  const i = fl.fresh('i', 'i64');
  fl.set(i, from ? bin('sub', 'i64', from, i64(1)) : i64(-1));
  const label = `walk${fl.n++}`;
  const body = fl.block(() => {
    fl.set(i, bin('add', 'i64', get(i, 'i64'), i64(1)));
    fl.emit({ k: 'if', cond: bin('ge_s', 'i64', get(i, 'i64'), seq.count()), then: [{ k: 'break', label }], else: [] });
    const mark = fl.temps.length;
    each(seq.item(get(i, 'i64')));
    fl.releaseTemps(mark);
  });
  fl.emit({ k: 'while', label, cond: i32(1), body });
}

/** A for loop over a list, range object, or enumerate/zip/reversed: true when it was lowered here. */
export function forSequence(fl: FnLowerer, s: A.For): boolean {
  const it = s.iter;
  const r = it.kind === 'Call' ? fl.inst.calls.get(it) : undefined;
  const t = fl.type(it);
  const special = r?.kind === 'builtin' && ['enumerate', 'zip', 'reversed'].includes(r.name);
  if (!special && t.kind !== 'list' && t.kind !== 'range' && s.target.kind !== 'Tuple') return false;
  const seq = sequence(fl, it);
  const i = fl.fresh('i', 'i64');
  fl.set(i, i64(-1));
  const label = `for${fl.n++}`;
  fl.labels.push({ brk: label, cont: label });
  const body = fl.block(() => {
    fl.set(i, bin('add', 'i64', get(i, 'i64'), i64(1)));
    fl.emit({ k: 'if', cond: bin('ge_s', 'i64', get(i, 'i64'), seq.count()), then: [{ k: 'break', label }], else: [] });
    const mark = fl.temps.length;
    fl.assign(s.target, seq.item(get(i, 'i64')), s.span);
    fl.releaseTemps(mark);
    fl.stmts(s.body);
  });
  fl.labels.pop();
  fl.emit({ k: 'while', label, cond: i32(1), body });
  return true;
}
