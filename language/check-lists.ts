// Typing of Python lists (Par's typed lists, as Numba's; lowering is compiler/lower/lists.ts): what
// a list may hold and how element types unify, indexing, comprehensions (checked as the loops they
// stand for, comprehensionPlan), list(), Python's sum/min/max/any/all of lists, list methods, and
// np.array of a list.
import type * as A from './ast.js';
import { Code } from './diagnostics.js';
import type { Span } from './source.js';
import { type DType, type Type, array, scalar, BOOL, INT, NONE, elemOf, promote, promoteDtypes, typeKey, showType, isFloat, withoutShapes } from './types.js';
import { Unknown } from './check-base.js';
import type { Checker } from './checker.js';

/** Methods of list. */
export const LIST_METHODS = new Set(['append', 'pop', 'insert', 'extend', 'clear', 'reverse', 'sort', 'index', 'count', 'copy']);

/** What a list may hold: numbers, strings, arrays and lists (tuples not yet). */
export function listElem(ck: Checker, t: Type, span: Span): Type {
  if (t.kind === 'scalar' || t.kind === 'str' || t.kind === 'array' || (t.kind === 'list' && t.elem)) return withoutShapes(t);
  // A tuple is stored boxed (Note [Lists]): its leaves may be anything a list holds.
  if (t.kind === 'tuple' && t.elems.length > 0 && t.elems.length <= 32) return { kind: 'tuple', elems: t.elems.map((x) => listElem(ck, x, span)) };
  ck.error(Code.Unsupported, t.kind === 'list' ? 'a list of lists needs its inner lists to hold something' : `a list of ${showType(t)} is not supported yet (Par lists hold numbers, strings, arrays, tuples or lists)`, span);
  throw new Unknown();
}

/** Par lists hold one type, as Numba's typed lists: numbers of one dtype, strings, arrays of one dtype and rank, lists. */
export function elemUnify(ck: Checker, a: Type, b: Type, span: Span): Type {
  if (a.kind === 'scalar' && b.kind === 'scalar' && a.dtype === b.dtype) return scalar(a.dtype, a.weak && b.weak);
  if (a.kind === 'list' && b.kind === 'list') return { kind: 'list', elem: !a.elem ? b.elem : !b.elem ? a.elem : elemUnify(ck, a.elem, b.elem, span) };
  if (a.kind === 'tuple' && b.kind === 'tuple' && a.elems.length === b.elems.length) return { kind: 'tuple', elems: a.elems.map((x, i) => elemUnify(ck, x, b.elems[i], span)) };
  if (typeKey(withoutShapes(a)) === typeKey(withoutShapes(b))) return withoutShapes(a);
  ck.error(Code.TypeMismatch, `a list holds values of one type in Par (as Numba's typed lists), here ${showType(a)} and ${showType(b)}`, span);
  throw new Unknown();
}

/** Whether a value of type v can go into (or be looked for in) a list of `elem`. */
export function sameElem(ck: Checker, v: Type, elem: Type): boolean {
  if (v.kind === 'scalar' && elem.kind === 'scalar') return v.dtype === elem.dtype;
  if (v.kind === 'tuple' && elem.kind === 'tuple') return v.elems.length === elem.elems.length && v.elems.every((x, i) => sameElem(ck, x, elem.elems[i]));
  return typeKey(withoutShapes(v)).replace(/~/g, '') === typeKey(elem).replace(/~/g, '');
}

/** `xs[i]`, `xs[i:j:k]` (a new list), `r[i]` of a range. */
export function listIndex(ck: Checker, e: A.Subscript, base: Type & ({ kind: 'list' } | { kind: 'range' })): Type {
  if (e.index.length !== 1 || (e.index[0].kind === 'Slice' && e.index[0].ellipsis)) { ck.error(Code.TypeMismatch, 'list indices must be integers or slices', e.span); throw new Unknown(); }
  const ix = e.index[0];
  for (const p of ix.kind === 'Slice' ? [ix.lower, ix.upper, ix.step] : [ix]) {
    if (!p) continue;
    const t = ck.expr(p);
    if (t.kind !== 'scalar' || isFloat(t.dtype)) { ck.error(Code.TypeMismatch, `list indices must be integers or slices, not ${showType(t)}`, p.span); throw new Unknown(); }
  }
  if (base.kind === 'range') {
    if (ix.kind === 'Slice') { ck.error(Code.Unsupported, 'slicing a range is not supported in Par', ix.span); throw new Unknown(); }
    return INT;
  }
  if (ix.kind === 'Slice') return base;
  if (!base.elem) { ck.error(Code.TypeMismatch, 'this list never holds anything, so its elements have no type', e.span); throw new Unknown(); }
  return base.elem;
}

/** `[elt for x in xs if c]`, checked as the loop it stands for (comprehensionPlan). */
export function listComp(ck: Checker, e: A.ListComp): Type {
  const plan = comprehensionPlan(e);
  for (const n of plan.names) ck.localNames.add(n);
  ck.block(plan.stmts);
  const t = ck.inst.locals.get(plan.result);
  if (!t || t.kind !== 'list' || !t.elem) throw new Unknown();
  return t;
}

/** `list()`, `list(x)` of anything a for loop walks (but enumerate/zip, whose items are tuples). */
export function listCall(ck: Checker, c: A.Call): Type {
  ck.nargs(c, 0, 1, 'list');
  ck.kw(c, [], 'list');
  if (!c.args[0]) return { kind: 'list', elem: null };
  return { kind: 'list', elem: listElem(ck, ck.iterElem(c.args[0]), c.args[0].span) };
}

/** Python's sum, min, max, any and all of a list or range: one element after another. */
export function listReduce(ck: Checker, c: A.Call, fname: string): Type {
  const t = ck.expr(c.args[0]) as Type & ({ kind: 'list' } | { kind: 'range' });
  ck.inst.calls.set(c, { kind: 'builtin', name: 'list:' + fname, self: null });
  const elem = t.kind === 'range' ? INT : t.elem;
  if (fname === 'any' || fname === 'all') return BOOL;
  if (!elem && fname === 'sum') return INT;
  if (!elem) { ck.error(Code.TypeMismatch, `${fname}() of a list that never holds anything`, c.args[0].span); throw new Unknown(); }
  if (fname === 'sum') {
    if (elem.kind !== 'scalar' && elem.kind !== 'array') { ck.error(Code.TypeMismatch, `sum() adds numbers or arrays, not ${showType(elem)}`, c.args[0].span); throw new Unknown(); }
    // Python starts from the int 0: 0 + elements.
    const p = promote({ dtype: 'int64', weak: true }, elemOf(elem)!);
    const d = p.dtype === 'bool' ? 'int64' : p.dtype;
    return elem.kind === 'array' ? array(d, elem.ndim) : scalar(d, p.weak);
  }
  if (elem.kind !== 'scalar' && elem.kind !== 'str') { ck.error(Code.TypeMismatch, `${fname}() compares numbers or strings, not ${showType(elem)}`, c.args[0].span); throw new Unknown(); }
  return elem;
}

/** `xs.append(v)`, `xs.pop()`, ...: an append to an empty list gives the list its element type. */
export function listMethod(ck: Checker, c: A.Call, m: string, self: A.Expr): Type {
  const lt = ck.expr(self) as Type & { kind: 'list' };
  const elem = lt.elem;
  const put = (v: Type, span: Span) => {
    const el = listElem(ck, v, span);
    const next = elem ? elemUnify(ck, elem, el, span) : el;
    // An append that keeps the element type binds nothing new (so a function may append to a module-level list).
    if (self.kind === 'Name' && !(elem && typeKey(next) === typeKey(elem))) ck.bindVar(self.id, { kind: 'list', elem: next }, self.span);
    else if (!elem) { ck.error(Code.TypeMismatch, 'put the first element in this list through a variable (xs = []; xs.append(v))', self.span); throw new Unknown(); }
  };
  const needElem = (): Type => {
    if (!elem) { ck.error(Code.TypeMismatch, `${m}() of a list that never holds anything`, c.span); throw new Unknown(); }
    return elem;
  };
  const kw = ck.kw(c, m === 'sort' ? ['reverse'] : [], m);
  switch (m) {
    case 'append': ck.nargs(c, 1, 1, m); put(ck.expr(c.args[0]), c.args[0].span); return NONE;
    case 'insert': ck.nargs(c, 2, 2, m); ck.intArg(c.args[0], m); put(ck.expr(c.args[1]), c.args[1].span); return NONE;
    case 'extend': ck.nargs(c, 1, 1, m); put(ck.iterElem(c.args[0]), c.args[0].span); return NONE;
    case 'pop': ck.nargs(c, 0, 1, m); if (c.args[0]) ck.intArg(c.args[0], m); return needElem();
    case 'clear': case 'reverse': ck.nargs(c, 0, 0, m); return NONE;
    case 'sort': {
      ck.nargs(c, 0, 0, m);
      const rev = kw.get('reverse')?.value;
      if (rev && ck.expr(rev).kind !== 'scalar') ck.error(Code.TypeMismatch, 'sort(reverse=...) must be a boolean', rev.span);
      const el = elem ?? NONE;
      if (elem && el.kind !== 'scalar' && el.kind !== 'str' && el.kind !== 'tuple') ck.error(Code.Unsupported, `sort() sorts numbers, strings and tuples in Par, not ${showType(el)}`, c.span);
      return NONE;
    }
    case 'index': case 'count': {
      ck.nargs(c, 1, 1, m);
      const v = ck.expr(c.args[0]);
      if (elem && !sameElem(ck, v, elem)) ck.error(Code.TypeMismatch, `${m}() looks for ${showType(v)} in a list of ${showType(elem)}`, c.args[0].span);
      return INT;
    }
    case 'copy': ck.nargs(c, 0, 0, m); return lt;
  }
  throw new Unknown();
}

/** `np.array(xs)`: a list of numbers is a 1-d array; of arrays or lists (all of one shape), one dimension more. */
export function arrayOfList(ck: Checker, a: A.Expr, lt: Type & { kind: 'list' }, dtypeKw: A.Keyword | undefined): Type {
  let t: Type | null = lt;
  let ndim = 0;
  while (t && t.kind === 'list') { ndim++; t = t.elem; }
  if (!t) { ck.error(Code.TypeMismatch, 'array() of a list that never holds anything: its dtype is unknown', a.span); throw new Unknown(); }
  if (t.kind === 'tuple') {
    // np.array([(1, 2), (3, 4)]): tuples of numbers are rows, their dtype NumPy's promotion of the items'.
    const items = t.elems;
    if (!items.every((x) => x.kind === 'scalar')) { ck.error(Code.Unsupported, `array() of a list of ${showType(t)} is not supported (tuples of numbers are)`, a.span); throw new Unknown(); }
    t = scalar(items.map((x) => (x as { dtype: DType }).dtype).reduce((x, y) => promoteDtypes(x, y)));
    ndim++;
  }
  if (t.kind === 'array') ndim += t.ndim;
  if (t.kind !== 'scalar' && t.kind !== 'array') { ck.error(Code.TypeMismatch, `array() of a list of ${showType(t)}`, a.span); throw new Unknown(); }
  if (ndim > 4) ck.error(Code.Unsupported, 'arrays have at most 4 dimensions in Par', a.span);
  return array(ck.dtypeArg(dtypeKw, t.dtype), ndim);
}

/** A comprehension as the statements it stands for, once per node: its result variable and its loop. */
export interface ComprehensionPlan { result: string; names: string[]; stmts: A.Stmt[] }
const plans = new WeakMap<A.ListComp, ComprehensionPlan>();
let comprehensions = 0;

/**
 * `[elt for x in xs if c for y in ys]` is `r = []; for x in xs: if c: for y in ys: r.append(elt)`.
 * Its loop variables are its own (Python 3): they are renamed `x#k` throughout the comprehension,
 * inner comprehensions first, so they never meet a variable of the function or of another scope.
 */
export function comprehensionPlan(e: A.ListComp): ComprehensionPlan {
  let plan = plans.get(e);
  if (plan) return plan;
  const k = comprehensions++;
  const names: string[] = [];
  const rename = new Map<string, string>();
  const targetNames = (t: A.Expr) => {
    if (t.kind === 'Name') { if (!rename.has(t.id)) { rename.set(t.id, `${t.id}#${k}`); names.push(`${t.id}#${k}`); } }
    else if (t.kind === 'Tuple') t.elts.forEach(targetNames);
  };
  const inner = (x: unknown) => visitComprehensions(x, (lc) => comprehensionPlan(lc));
  inner([e.elt, ...e.generators.flatMap((g) => [g.iter, ...g.ifs])]);
  e.generators.forEach((g) => targetNames(g.target));
  const apply = (x: unknown) => renameNames(x, rename);
  apply([e.elt, ...e.generators.flatMap((g, i) => [g.target, ...(i > 0 ? [g.iter] : []), ...g.ifs])]);
  const result = `comp#${k}`;
  const span = e.span;
  const name = (): A.Name => ({ kind: 'Name', id: result, span });
  let body: A.Stmt[] = [{ kind: 'ExprStmt', expr: { kind: 'Call', func: { kind: 'Attribute', value: name(), attr: 'append', attrSpan: span, span }, args: [e.elt], keywords: [], span: e.elt.span }, span: e.elt.span }];
  for (const g of [...e.generators].reverse()) {
    for (const c of [...g.ifs].reverse()) body = [{ kind: 'If', test: c, body, orelse: [], span: c.span }];
    body = [{ kind: 'For', target: g.target, iter: g.iter, body, span }];
  }
  plan = { result, names: [result, ...names], stmts: [{ kind: 'Assign', targets: [name()], value: { kind: 'List', elts: [], span }, span }, ...body] };
  plans.set(e, plan);
  return plan;
}

/** Calls f on every comprehension under x (not descending into them: f handles its own). */
function visitComprehensions(x: unknown, f: (lc: A.ListComp) => void): void {
  if (Array.isArray(x)) { x.forEach((y) => visitComprehensions(y, f)); return; }
  if (!x || typeof x !== 'object') return;
  if ((x as A.Expr).kind === 'ListComp') { f(x as A.ListComp); return; }
  for (const [k, v] of Object.entries(x)) if (k !== 'span' && v && typeof v === 'object') visitComprehensions(v, f);
}

function renameNames(x: unknown, to: Map<string, string>): void {
  if (Array.isArray(x)) { x.forEach((y) => renameNames(y, to)); return; }
  if (!x || typeof x !== 'object') return;
  const n = x as A.Name;
  if (n.kind === 'Name' && to.has(n.id)) { n.id = to.get(n.id)!; return; }
  for (const [k, v] of Object.entries(x)) if (k !== 'span' && v && typeof v === 'object') renameNames(v, to);
}
