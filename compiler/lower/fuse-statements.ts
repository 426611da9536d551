// Fusion across statements: consecutive `x = <elementwise expression>` assignments that read the
// same arrays become one loop nest, so those arrays are read once and the work the statements share
// is done once (Note [Body CSE]). Black-Scholes' call and put prices are the case in point: both
// evaluate the normal CDF of d1 and d2, and put's cnd(-d) is cnd(d)'s polynomial and exp again.
//
// Note [Statement groups]: statements 1..m of a block form a group when each assigns an array
// variable (of the value's dtype and rank, all of one rank) an elementwise expression whose leaves
// are array variables or scalar arithmetic on variables and literals (so evaluating every leaf
// first has no effect and cannot fail), no statement reads a variable an earlier one assigns, no
// variable is assigned twice, and each statement after the first reads an array an earlier one
// reads. Statements that depend on each other stay separate: fusing a producer with its consumers
// made Black-Scholes slower (V8's code for the bigger loop), and sharing is what pays. At run time
// the group runs fused when every statement's broadcast shape is the first one's and its nest
// cannot fail midway (no traps); else its statements run one by one, as NumPy would, and report
// any error themselves. Each element loads every leaf before storing any result, so a target may
// reuse its own buffer (Note [Buffer reuse]) even when an earlier statement reads it.
import type * as A from '../../language/ast.js';
import type { DType, Type } from '../../language/types.js';
import type { Expr } from '../ir.js';
import type { FnLowerer } from './function.js';
import type { ArrRef } from './values.js';
import { pureBody } from '../cse.js';
import { elemChildren } from './library.js';
import { DESC } from '../../runtime/layout.js';
import { i32, get, bin, load, add32, select } from '../ir-build.js';

type ArrayType = Type & { kind: 'array' };

/** How many statements from body[i] on form a group (Note [Statement groups]); below 2, none. */
export function groupLength(fl: FnLowerer, body: A.Stmt[], i: number): number {
  const targets = new Set<string>();
  const read = new Set<string>();
  let ndim = -1;
  let n = 0;
  for (let j = i; j < body.length; j++) {
    const s = body[j];
    if (s.kind !== 'Assign' || s.targets.length !== 1 || s.targets[0].kind !== 'Name' || !fl.isElementwise(s.value)) break;
    const id = s.targets[0].id;
    const slot = fl.slots.get(id);
    const vt = fl.type(s.value) as ArrayType;
    const xt = fl.inst.locals.get(id) ?? fl.mod.cp.globals.get(id);
    if (!slot || (slot.k !== 'a' && slot.k !== 'ga') || xt?.kind !== 'array' || xt.dtype !== vt.dtype || xt.ndim !== vt.ndim || vt.ndim === 0) break;
    const names = leafNames(fl, s.value);
    if (!names || targets.has(id) || (ndim >= 0 && vt.ndim !== ndim)) break;
    if ([...names].some((x) => targets.has(x)) || (n > 0 && ![...names].some((x) => read.has(x)))) break;
    targets.add(id);
    for (const x of names) read.add(x);
    ndim = vt.ndim;
    n++;
  }
  return n;
}

/** The array variables an elementwise expression reads; null when a leaf is not simple. */
function leafNames(fl: FnLowerer, e: A.Expr): Set<string> | null {
  const names = new Set<string>();
  const walk = (x: A.Expr): boolean => {
    if (fl.type(x).kind === 'scalar') return simpleScalar(x);
    if (fl.isElementwise(x)) return elemChildren(x, fl.cur.calls.get(x as A.Call)).every(walk);
    if (x.kind !== 'Name') return false;
    names.add(x.id);
    return true;
  };
  return walk(e) ? names : null;
}

function simpleScalar(e: A.Expr): boolean {
  switch (e.kind) {
    case 'Name': case 'Int': case 'Float': case 'Bool': return true;
    case 'Unary': return (e.op === '-' || e.op === '+') && simpleScalar(e.operand);
    case 'Binary': return (e.op === '+' || e.op === '-' || e.op === '*') && simpleScalar(e.left) && simpleScalar(e.right);
    default: return false;
  }
}

/** Lowers a group (see groupLength); false, having emitted nothing, when its nest could fail midway. */
export function lowerGroup(fl: FnLowerer, group: A.Assign[]): boolean {
  const ids = group.map((s) => (s.targets[0] as A.Name).id);
  const types = group.map((s) => fl.type(s.value) as ArrayType);
  const R = types[0].ndim;
  const span = group[0].span;
  const mark = fl.temps.length;
  let pure = true;
  const code = fl.block(() => {
    const leaves = new Map<A.Expr, ArrRef>();
    const scalars = new Map<A.Expr, { e: Expr; dtype: DType }>();
    const own = group.map((s) => {
      const l = new Map<A.Expr, ArrRef>();
      fl.collectLeaves(s.value, l, scalars);
      for (const [k, a] of l) leaves.set(k, a);
      return [...l.values()];
    });
    // The broadcast shape of each statement, without its checks: the group runs fused only when
    // every operand broadcasts to the first statement's shape and every statement's shape is that.
    const extent = (ops: ArrRef[], k: number): Expr => ops.reduce((n: Expr, o) => {
      const ok = k - (R - o.ndim);
      return ok < 0 ? n : select('i32', bin('ne', 'i32', o.shape[ok], i32(1)), o.shape[ok], n);
    }, i32(1));
    const shape = Array.from({ length: R }, (_v, k) => fl.tmp(extent(own[0], k), 'n'));
    let fits: Expr = i32(1);
    own.forEach((ops, i) => {
      for (let k = 0; k < R; k++) {
        if (i > 0) fits = bin('and', 'i32', fits, bin('eq', 'i32', extent(ops, k), shape[k]));
        for (const o of ops) {
          const ok = k - (R - o.ndim);
          if (ok >= 0) fits = bin('and', 'i32', fits, bin('or', 'i32', bin('eq', 'i32', o.shape[ok], i32(1)), bin('eq', 'i32', o.shape[ok], shape[k])));
        }
      }
    });
    const fused = fl.block(() => {
      const ds = ids.map(() => fl.fresh('out', 'i32'));
      const nest = fl.block(() => {
        const outs: ArrRef[] = ds.map((d, i) => ({
          desc: get(d, 'i32'), data: fl.tmp(load('i32', 'i32', add32(get(d, 'i32'), i32(DESC.data))), 'data'),
          dtype: types[i].dtype, ndim: R, shape, strides: fl.contiguousStrides(shape),
        }));
        fl.fusedNest(outs, group.map((s) => s.value), { leaves, scalars }, span);
      });
      pure = pureBody(nest, true);
      ds.forEach((d, i) => fl.outBuffer(d, fl.slots.get(ids[i])!, types[i].dtype, shape, group[i].value.span, true));
      for (const x of nest) fl.emit(x);
      ds.forEach((d, i) => fl.writeSlot(fl.slots.get(ids[i])!, fl.ownedArray({ desc: get(d, 'i32'), data: i32(0), dtype: types[i].dtype, ndim: R, shape, strides: [] }), group[i].span));
      fl.releaseTemps(mark);
    });
    const oneByOne = fl.block(() => { for (const s of group) fl.stmt(s); });
    fl.emit({ k: 'if', cond: fits, then: fused, else: oneByOne });
  });
  if (!pure) return false;
  for (const s of code) fl.emit(s);
  return true;
}
