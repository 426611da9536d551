// The race detector's instrumentation (`compile(src, { checkRaces: true })`, `par run --check-races`):
// calls of the `env.race_*` imports (runtime/races.ts) around and inside prange bodies. Off, it emits
// nothing, so uninstrumented code is unchanged.
//
// Note [Race detection]: a prange calls `race_begin(loop site)` before it forks and `race_end()` after
// the join; each iteration starts with `race_iter(i)`. Array element loads and stores call
// `race_access(site, address, descriptor, write)`: the runtime keeps, per element address, the last
// writing iteration and up to two reading ones (a shadow hash table in a SharedArrayBuffer of its
// own, shared by the team), and records a race when a different iteration of the same loop run
// wrote the element before, or read it before a write. Iterations are compared, not threads, so a
// race is found even when one thread runs both iterations. Instrumented are the element accesses
// lexically inside prange bodies and in every function but the script body (they may be called from
// a prange; outside a loop run the runtime returns at once), element by element in whole-array
// nests, and arrays allocated there (`race_fresh`: a new array's elements forget the iterations that
// used the same memory before it was freed: private temporaries are not races). Reductions and
// private scalars are locals, never stored to memory, so they are never seen.
import type { Span } from '../../language/source.js';
import { Code } from '../../language/diagnostics.js';
import type * as I from '../ir.js';
import { call, i32 } from '../ir-build.js';
import type { ArrRef } from './values.js';
import type { FnLowerer } from './function.js';

type Expr = I.Expr;
type Stmt = I.Stmt;

/** Whether element accesses lowered now are checked. */
export function racesOn(fl: FnLowerer): boolean {
  return fl.mod.opts.checkRaces === true && (fl.raceDepth > 0 || fl.inst !== fl.mod.cp.main);
}

/** The name of the array variable whose descriptor is `desc`, or ''. */
function arrayName(fl: FnLowerer, desc: Expr): string {
  if (desc.k !== 'get') return '';
  for (const [name, s] of fl.slots) if (s.k === 'a' && s.name === desc.name) return name;
  return '';
}

/** A view made by indexing `base` at `span` (remembered only while instrumenting). */
export function raceView(fl: FnLowerer, view: Expr, base: Expr, span: Span): void {
  if (racesOn(fl) && view.k === 'get') fl.raceViews.set(view.name, { base, span });
}

/** The array a nest operand's descriptor belongs to (through views made by indexing) and the subscript that made the view. */
function rootOf(fl: FnLowerer, desc: Expr, span: Span): { desc: Expr; span: Span } {
  let at = { desc, span };
  for (let v = desc.k === 'get' ? fl.raceViews.get(desc.name) : undefined; v; v = v.base.k === 'get' ? fl.raceViews.get(v.base.name) : undefined) at = { desc: v.base, span: v.span };
  return at;
}

/** A site for accesses at `span`: its text is the array's name (the subscript's base when there is one). */
function accessSite(fl: FnLowerer, span: Span, desc: Expr): number {
  const src = fl.mod.file.text.slice(span.start, span.end);
  const m = /^\s*([A-Za-z_][\w.]*)\s*\[/.exec(src);
  return fl.mod.site(Code.Raised, 'race', span, m ? m[1] : arrayName(fl, desc));
}

function accessCall(fl: FnLowerer, site: number, addr: Expr, desc: Expr, write: boolean): Stmt {
  const fn = fl.mod.imp('race_access', ['i32', 'i32', 'i32', 'i32'], null);
  return { k: 'expr', e: call(fn, null, i32(site), addr, desc, i32(write ? 1 : 0)) };
}

/** Checks one element access (addr: a local or constant, evaluated twice). */
export function raceAccess(fl: FnLowerer, addr: Expr, a: ArrRef, span: Span, write: boolean): void {
  if (!racesOn(fl)) return;
  fl.emit(accessCall(fl, accessSite(fl, span, a.desc), addr, a.desc, write));
}

/** Does `e` contain a load from the local `p`? */
function loadsFrom(e: unknown, p: string): boolean {
  if (!e || typeof e !== 'object') return false;
  const x = e as { k?: string; addr?: { k: string; name?: string } };
  if (x.k === 'load' && x.addr?.k === 'get' && x.addr.name === p) return true;
  return Object.values(e).some((v) => loadsFrom(v, p));
}

function storesTo(s: Stmt[], p: string): boolean {
  return s.some((x) => (x.k === 'store' && x.addr.k === 'get' && x.addr.name === p) || Object.values(x).some((v) => Array.isArray(v) && v.length > 0 && typeof v[0] === 'object' && 'k' in v[0] && storesTo(v as Stmt[], p)));
}

/** A nest's element body with a check of each operand it reads or writes (pointer locals `ptrs`). */
export function raceNestBody(fl: FnLowerer, inner: Stmt[], operands: ArrRef[], ptrs: string[], span: Span): Stmt[] {
  if (!racesOn(fl)) return inner;
  const checks: Stmt[] = [];
  operands.forEach((o, j) => {
    const p = ptrs[j];
    const reads = loadsFrom(inner, p), writes = storesTo(inner, p);
    if (!reads && !writes) return;
    const root = rootOf(fl, o.desc, span);
    const site = accessSite(fl, root.span, root.desc);
    const at: Expr = { k: 'get', name: p, t: 'i32' };
    if (reads) checks.push(accessCall(fl, site, at, root.desc, false));
    if (writes) checks.push(accessCall(fl, site, at, root.desc, true));
  });
  return [...checks, ...inner];
}

/** A new array's elements belong to no iteration yet (its memory may have been another's). */
export function raceFresh(fl: FnLowerer, desc: Expr): void {
  if (!racesOn(fl)) return;
  fl.emit({ k: 'expr', e: call(fl.mod.imp('race_fresh', ['i32'], null), null, desc) });
}

/** Around a prange: what runs before the loop, at the start of each iteration, and after it; null when off. */
export function racePrange(fl: FnLowerer, span: Span, iv: string): { begin: Stmt; iter: Stmt; end: Stmt } | null {
  if (fl.mod.opts.checkRaces !== true) return null;
  const site = fl.mod.site(Code.Raised, 'race_loop', span);
  return {
    begin: { k: 'expr', e: call(fl.mod.imp('race_begin', ['i32'], null), null, i32(site)) },
    iter: { k: 'expr', e: call(fl.mod.imp('race_iter', ['i64'], null), null, { k: 'get', name: iv, t: 'i64' }) },
    end: { k: 'expr', e: call(fl.mod.imp('race_end', [], null), null) },
  };
}
