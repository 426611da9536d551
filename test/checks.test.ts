// Tests of the bounds-check hoisting pass (compiler/checks.ts, Note [Loop versioning]) on the IR
// that lowering makes of small programs: which loops get a check-free copy, and that the checks
// that cannot be hoisted stay. The programs' results are tested in test/programs (index_loop_versioning,
// error_index_versioned); this file checks the shape of the IR, which no output can show.
import { describe, expect, it } from 'vitest';
import { DiagnosticBag } from '../language/diagnostics.js';
import { sourceFile } from '../language/source.js';
import { parse } from '../language/parse.js';
import { check } from '../language/checker.js';
import { lower } from '../compiler/lower/module.js';
import { hoistBoundsChecks } from '../compiler/checks.js';
import { parallelize } from '../compiler/parallel.js';
import type { Expr, Stmt } from '../compiler/ir.js';
import { printExpr } from '../compiler/ir-print.js';

/** The body of function `fn` after lowering, the parallel pass and the hoisting pass (as the driver runs them). */
function body(src: string, fn = '__main'): Stmt[] {
  const file = sourceFile('t.par', src);
  const diags = new DiagnosticBag();
  const checked = check(parse(file, diags), diags);
  expect(diags.items).toEqual([]);
  const p = hoistBoundsChecks(parallelize(lower(checked, file, { boundsCheck: true }).program));
  return p.funcs.find((f) => f.name === fn)!.body;
}
const mainBody = (src: string) => body(src);
function funcNames(src: string): string[] {
  const file = sourceFile('t.par', src);
  const diags = new DiagnosticBag();
  return parallelize(lower(check(parse(file, diags), diags), file, { boundsCheck: true }).program).funcs.map((f) => f.name);
}

const isCheck = (s: Stmt) => s.k === 'if' && s.then.length === 1 && s.then[0].k === 'trap' && s.then[0].call.fn === 'err_index';
/** Statements with blocks opened (a block's statements run in order like the enclosing ones). */
const opened = (ss: Stmt[]): Stmt[] => ss.flatMap((s) => (s.k === 'block' ? opened(s.body) : [s]));
type Version = 'unit' | 'fast' | 'checked' | 'no';
type For = Stmt & { k: 'for' };
/** `if (unit strides) { [invariants;] loop } else { [invariants;] loop }`: a check-free loop's two copies (Note [Unit strides]). */
function unitSplit(s: Stmt): { unit: For; fast: For; hoisted: number } | null {
  if (s.k !== 'if') return null;
  const [unit, fast] = [s.then, s.else].map((b) => b.filter((x) => x.k !== 'set'));
  if (unit.length !== 1 || fast.length !== 1 || unit[0].k !== 'for' || fast[0].k !== 'for' || unit[0].label !== fast[0].label) return null;
  return { unit: unit[0], fast: fast[0], hoisted: s.then.length - 1 };
}
/** The copies of a versioned loop: `if (checks pass) { [invariants;] [if (unit strides) {unit} else] {fast} } else {checked}`. */
function versions(s: Stmt): { unit?: For; fast: For; checked: For; hoisted: number } | null {
  if (s.k !== 'if' || s.else.length !== 1 || s.else[0].k !== 'for') return null;
  const checked = s.else[0];
  const sets = s.then.filter((x) => x.k === 'set');
  const rest = s.then.filter((x) => x.k !== 'set');
  if (rest.length !== 1) return null;
  const r = rest[0];
  if (r.k === 'for' && r.label === checked.label) return { fast: r, checked, hoisted: sets.length };
  const u = unitSplit(r);
  return u && u.unit.label === checked.label ? { ...u, checked, hoisted: sets.length + u.hoisted } : null;
}
/**
 * Every `for` loop in the statements, with the number of index checks at its body's top level and
 * which copy it is; a loop nested in another's check-free copy, where that loop took the nested
 * loop's checks over (Note [Loop nests]), is marked `in <copy>` and has no checked copy of its own.
 */
function loops(ss: Stmt[], out: { label: string; checks: number; versioned: string }[] = [], how: string = 'no', within = '') {
  const at = (h: string) => (within && h !== 'no' ? `${h} in ${within}` : h);
  for (const s of ss) {
    const v = versions(s);
    const u = v ? null : unitSplit(s);
    if (s.k === 'for') {
      out.push({ label: s.label, checks: opened(s.body).filter(isCheck).length, versioned: at(how) });
      loops(s.body, out, 'no', how === 'no' ? within : at(how));
    } else if (v) {
      if (v.unit) loops([v.unit], out, 'unit', within);
      loops([v.fast], out, 'fast', within);
      loops([v.checked], out, 'checked', within);
    } else if (u && within) {
      loops([u.unit], out, 'unit', within);
      loops([u.fast], out, 'fast', within);
    } else if (s.k === 'if') { loops(s.then, out, 'no', within); loops(s.else, out, 'no', within); }
    else if (s.k === 'while' || s.k === 'block' || s.k === 'parfor' || s.k === 'region') loops(s.body, out, 'no', within);
  }
  return out;
}

describe('bounds-check hoisting', () => {
  it('gives a stencil loop a copy with no index checks, keeping the checked one beside it', () => {
    const ls = loops(mainBody([
      'n = 100',
      'a = zeros((n, n))',
      'b = zeros((n, n))',
      'for i in range(1, n - 1):',
      '    for j in range(1, n - 1):',
      '        b[i, j] = 0.25 * (a[i - 1, j] + a[i + 1, j] + a[i, j - 1] + a[i, j + 1])',
    ].join('\n')));
    // The j loop is versioned: 10 checks (2 per access) go, and the check-free loop has a copy for
    // unit strides. The i loop has no checks of its own but takes the j loop's over (Note [Loop
    // nests]): its check-free copy runs the j loop's directly; its checked copy, the versioned j loop.
    const inner = ls.filter((l) => l.versioned !== 'no');
    expect(inner.map((l) => [l.versioned, l.checks])).toEqual([
      ['fast', 0], ['unit in fast', 0], ['fast in fast', 0],
      ['checked', 0], ['unit in checked', 0], ['fast in checked', 0], ['checked in checked', 10],
    ]);
  });

  it('drops the negative-index wrap of a hoisted index in the unchecked copy only', () => {
    const ss = mainBody([
      'v = zeros(10)',
      's = 0.0',
      'for j in range(1, 10):',
      '    s += v[j - 1]',
    ].join('\n'));
    const wraps = (body: Stmt[]) => opened(body).filter((x) => x.k === 'set' && x.value.k === 'select' && x.value.cond.k === 'bin' && x.value.cond.op === 'lt_s').length;
    const v = ss.map(versions).find((x) => x)!;
    expect([wraps(v.unit!.body), wraps(v.fast.body), wraps(v.checked.body)]).toEqual([0, 0, 1]);
  });

  it('hoists checks in loops with other steps, and in prange bodies and their chunk loops', () => {
    const src = [
      'v = zeros(10)',
      's = 0.0',
      'for j in range(9, -1, -2):',
      '    s += v[j] + v[-j - 1]',
      'for i in prange(10):',
      '    for j in range(0, 10, 3):',
      '        v[j] += i',
      'for i in prange(1, 10, 2):',
      '    s += v[i]',
    ].join('\n');
    expect(loops(mainBody(src)).filter((l) => l.checks || l.versioned !== 'no').map((l) => [l.versioned, l.checks])).toEqual([['unit', 0], ['fast', 0], ['checked', 2]]);
    // The first prange's inner loop; the second prange's chunk loop (i = start + it * step).
    // (Outlined bodies are numbered in source order; array operations may be outlined too.)
    const outlined = (fn: string) => loops(body(src, fn)).filter((l) => l.versioned !== 'no').map((l) => [l.versioned, l.checks]);
    const pars = [0, 1, 2, 3, 4].map((k) => `__par${k}`).filter((fn) => funcNames(src).includes(fn)).map(outlined).filter((x) => x.length);
    const nest = [['fast', 0], ['unit in fast', 0], ['fast in fast', 0], ['checked', 0], ['unit in checked', 0], ['fast in checked', 0], ['checked in checked', 1]];
    expect(pars).toEqual([nest, [['unit', 0], ['fast', 0], ['checked', 1]]]);
  });

  it('leaves the checks of arrays and indices the body rebinds, and of data-dependent indices', () => {
    const ls = loops(mainBody([
      'd = arange(4)',
      'idx = arange(4)',
      'acc = 0',
      'for j in range(4):',
      '    acc += d[j]',
      '    d = d * 2',
      'for j in range(4):',
      '    acc += d[idx[j]]',
    ].join('\n')));
    // Loop 1: d's extent locals change in the body. Loop 2: idx[j] is hoisted, d[idx[j]] is not.
    // (Loops without index checks, such as arange's, are left out.)
    expect(ls.filter((l) => l.checks || l.versioned !== 'no').map((l) => [l.versioned, l.checks])).toEqual([['no', 1], ['unit', 1], ['fast', 1], ['checked', 2]]);
  });
});

describe('unit strides and invariant code motion', () => {
  it('drops the stride multiplies in the unit copy and computes row offsets before the loop', () => {
    const ss = body([
      'def f(a: float64[:, :], b: float64[:, :]):',
      '    for i in range(1, 9):',
      '        for j in range(1, 9):',
      '            b[i, j] = a[i - 1, j] + a[i, j + 1]',
    ].join('\n'), 'f');
    // The i loop took the j loop's checks over (Note [Loop nests]); its checked copy holds the j
    // loop as versioned on its own.
    const outer = opened(ss).map(versions).find((x) => x)!.checked;
    const versioned = opened(outer.body).find((x): x is Stmt & { k: 'if' } => versions(x) !== null)!;
    const v = versions(versioned)!;
    const unitIf = versioned.then.find((x): x is Stmt & { k: 'if' } => x.k === 'if')!;
    // The unit copy runs when the strides of the varying (last) index are 1, and only those.
    expect(printExpr(unitIf.cond)).toBe('((b.s1 == 1) & (a.s1 == 1))');
    const text = (ss2: Stmt[]) => JSON.stringify(ss2, (_k, x) => (typeof x === 'bigint' ? String(x) : x));
    const strideMuls = (ss2: Stmt[]) => (text(ss2).match(/"name":"[ab]\.s1"/g) ?? []).length;
    expect(strideMuls(v.unit!.body)).toBe(0);
    expect(strideMuls(v.fast.body)).toBeGreaterThan(0);
    // Row offsets such as (i - 1) * a.s0 are computed once per row, before the j loop.
    expect(v.hoisted).toBeGreaterThan(0);
    expect(text(v.unit!.body)).not.toMatch(/"name":"[ab]\.s0"/);
    // Note [Reassociated addresses]: each address is a hoisted row pointer plus j * 8, the same
    // term for a[i - 1, j], a[i, j + 1] and b[i, j] (the + 8 of j + 1 is in the row pointer).
    const addrs = opened(v.unit!.body).flatMap((x) => (x.k === 'set' && x.name.startsWith('addr%') ? [printExpr(x.value)] : []));
    expect(addrs.length).toBe(3);
    const j = opened(v.unit!.body).find((x) => x.k === 'set' && x.name === 'j') as Stmt & { k: 'set' };
    for (const a of addrs) expect(a).toBe(`(${a.slice(1, a.indexOf(' '))} + (i64->i32(${printExpr(j.value)}) << 3))`);
    expect(addrs.every((a) => a.startsWith('(inv%'))).toBe(true);
  });
});

describe('constant offsets in the unit copy', () => {
  it('gives the elements of a row one address and constant offsets, pos[j, 0..2] as base @0, @8, @16', () => {
    const ss = body([
      'def f(pos: float64[:, :], out: float64[:]):',
      '    for j in range(1, 4):',
      '        out[j] = pos[j, 0] + pos[j, 1] * pos[j, 2]',
    ].join('\n'), 'f');
    const v = opened(ss).map(versions).find((x) => x)!;
    // The unit copy is for pos.s1 == 1 (the column index is a constant) and out.s0 == 1.
    const loads: string[] = [];
    const walk = (e: Expr) => { if (e.k === 'load') loads.push(`${printExpr(e.addr)} @${e.offset ?? 0}`); if (e.k === 'bin') { walk(e.a); walk(e.b); } };
    for (const x of opened(v.unit!.body)) if (x.k === 'store') walk(x.value);
    expect(loads.length).toBe(3);
    const base = loads[0].slice(0, loads[0].lastIndexOf(' '));
    expect(loads).toEqual([`${base} @0`, `${base} @8`, `${base} @16`]);
    // In the strided copy each column has its own address.
    const strided: string[] = [];
    const walk2 = (e: Expr) => { if (e.k === 'load') strided.push(printExpr(e.addr)); if (e.k === 'bin') { walk2(e.a); walk2(e.b); } };
    for (const x of opened(v.fast.body)) if (x.k === 'store') walk2(x.value);
    expect(new Set(strided).size).toBe(3);
  });
});

describe('lastprivate (compiler/parallel.ts)', () => {
  /** Names whose values an outlined prange body stores into memory (its env slots, for the caller). */
  function storedNames(ss: Stmt[], out = new Set<string>()): Set<string> {
    for (const s of ss) {
      const toEnv = s.k === 'store' && s.addr.k === 'bin' && s.addr.a.k === 'get' && s.addr.a.name === 'env%';
      if (toEnv && s.value.k === 'get') out.add(s.value.name);
      if (s.k === 'if') { storedNames(s.then, out); storedNames(s.else, out); }
      if (s.k === 'while' || s.k === 'for' || s.k === 'block') storedNames(s.body, out);
    }
    return out;
  }

  it('hands back only the privates read after the loop, not the body\'s temporaries', () => {
    const src = 'def f(a: float64[:]):\n    for i in prange(10):\n        t = i * 2.0\n        u = t + 1.0\n        a[i] = u\n    print(t)\n';
    const file = sourceFile('t.par', src);
    const diags = new DiagnosticBag();
    const p = parallelize(lower(check(parse(file, diags), diags), file, { boundsCheck: true }).program);
    const outlined = p.funcs.filter((f) => f.name.startsWith('__par') && f.locals.some((l) => l.name === 'u'));
    expect(outlined.length).toBe(1);
    const stored = storedNames(outlined[0].body);
    expect(stored.has('t')).toBe(true);
    expect(stored.has('u')).toBe(false);
    expect([...stored].filter((n) => n.includes('%'))).toEqual([]);
  });
});
