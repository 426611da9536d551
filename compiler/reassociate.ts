// Reassociation of i32 address arithmetic for the check-free loop copies of compiler/checks.ts
// (Note [Reassociated addresses]): an address such as `a.d + ((row + ix) << 3)` becomes
// `(a.d + (row << 3)) + (ix << 3)`, whose first half is loop-invariant and is computed once before
// the loop by the invariant code motion there.
//
// Note [Reassociated addresses]: lowering writes an element address as `data + (offset << log2size)`
// with the offset a sum of index * stride terms, so the loop-invariant terms (the row of a 2-d
// access, the data pointer) are split by the shift from each other and cannot be hoisted together.
// i32 arithmetic is arithmetic modulo 2^32, where + is associative and commutative and `<< k`,
// `* c` and the wrap of an i64 to i32 distribute over + and -: any such tree is a sum of
// coefficient * atom terms plus a constant, and can be regrouped freely without changing a bit of
// its value. The regrouped form is (invariant terms + constant) + (varying terms). A varying atom
// that is a local the loop body set once from an index expression (`ix = i64->i32(j - 1)`) is looked
// through when its definition is itself a sum of plain locals, so that `a[i, j - 1]` and `a[i, j + 1]`
// share `j << 3` and differ only in their hoisted invariant part.
import type { Expr } from './ir.js';
import { bin, cvt } from './ir-build.js';
import { STATIC_BASE } from '../runtime/layout.js';

type Term = { atom: Expr; c: bigint };
/** Σ c * atom + k, over i32 or i64 (coefficients kept modulo 2^bits). */
type Sum = { terms: Map<string, Term>; k: bigint; bits: 32 | 64 };

/**
 * `e` (an i32 add/sub/shl/mul tree) regrouped as `invariant + varying` when that gives an invariant
 * part worth computing before the loop (more than one term, or a scaled term or a constant with one),
 * else null. `definition(name)` is the expansion of a local the loop body set once, or null.
 */
export function reassociate(e: Expr, invariant: (e: Expr) => boolean, definition: (name: string) => Expr | null): Expr | null {
  if (e.t !== 'i32' || e.k !== 'bin' || !['add', 'sub', 'shl', 'mul'].includes(e.op)) return null;
  const s = sum(e, 32, definition);
  if (!s) return null;
  const inv: Term[] = [], varying: Term[] = [];
  for (const t of s.terms.values()) if (t.c !== 0n) (invariant(t.atom) ? inv : varying).push(t);
  if (!varying.length || !inv.length) return null;
  if (inv.length === 1 && inv[0].c === 1n && s.k === 0n) return null;
  return bin('add', 'i32', build(inv, s.k), build(varying, 0n));
}

/**
 * An element address `e` (expanded: a sum holding an array's data pointer `x.d`) split into a base
 * and a constant byte offset in [0, STATIC_BASE] for the load or store's offset field, the base
 * regrouped as in `reassociate` without the constant (the same base for all the elements of a row,
 * which is then computed once). The sum modulo 2^32 equals base + offset without wrapping because
 * the element lies at STATIC_BASE or above (had base + offset passed 2^32, it would lie below offset).
 */
export function splitOffset(e: Expr, invariant: (e: Expr) => boolean, definition: (name: string) => Expr | null): { base: Expr; offset: number } | null {
  if (e.t !== 'i32') return null;
  const s = sum(e, 32, definition);
  const data = [...s.terms.values()].some((t) => t.c === 1n && t.atom.k === 'get' && t.atom.name.endsWith('.d'));
  if (!data || s.k < 0n || s.k > BigInt(STATIC_BASE)) return null;
  const inv: Term[] = [], varying: Term[] = [];
  for (const t of s.terms.values()) if (t.c !== 0n) (invariant(t.atom) ? inv : varying).push(t);
  const base = !inv.length ? build(varying, 0n) : !varying.length ? build(inv, 0n) : bin('add', 'i32', build(inv, 0n), build(varying, 0n));
  return { base, offset: Number(s.k) };
}

function wrapBits(v: bigint, bits: 32 | 64): bigint {
  return BigInt.asIntN(bits, v);
}

function keyOf(e: Expr): string {
  return JSON.stringify(e, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v));
}

function atomSum(atom: Expr, bits: 32 | 64): Sum {
  return { terms: new Map([[keyOf(atom), { atom, c: 1n }]]), k: 0n, bits };
}

function scaled(s: Sum, by: bigint): Sum {
  const terms = new Map<string, Term>();
  for (const [k, t] of s.terms) terms.set(k, { atom: t.atom, c: wrapBits(t.c * by, s.bits) });
  return { terms, k: wrapBits(s.k * by, s.bits), bits: s.bits };
}

function added(a: Sum, b: Sum): Sum {
  const terms = new Map(a.terms);
  for (const [k, t] of b.terms) {
    const old = terms.get(k);
    terms.set(k, { atom: t.atom, c: wrapBits((old?.c ?? 0n) + t.c, a.bits) });
  }
  return { terms, k: wrapBits(a.k + b.k, a.bits), bits: a.bits };
}

const constOf = (e: Expr): bigint | null => (e.k === 'const' && (e.t === 'i32' || e.t === 'i64') ? BigInt(e.v) : null);

/** e as a Sum over `bits`; null when it is not an integer expression of that width. */
function sum(e: Expr, bits: 32 | 64, definition: (name: string) => Expr | null): Sum {
  const t = bits === 32 ? 'i32' : 'i64';
  const k = constOf(e);
  if (k !== null) return { terms: new Map(), k: wrapBits(k, bits), bits };
  if (e.k === 'bin' && e.t === t) {
    const cb = constOf(e.b), ca = constOf(e.a);
    switch (e.op) {
      case 'add': return added(sum(e.a, bits, definition), sum(e.b, bits, definition));
      case 'sub': return added(sum(e.a, bits, definition), scaled(sum(e.b, bits, definition), -1n));
      case 'shl': if (cb !== null) return scaled(sum(e.a, bits, definition), 1n << (cb & BigInt(bits - 1))); break;
      case 'mul':
        if (cb !== null) return scaled(sum(e.a, bits, definition), cb);
        if (ca !== null) return scaled(sum(e.b, bits, definition), ca);
        break;
      default: break;
    }
  }
  if (bits === 32 && e.k === 'cvt' && e.op === 'i64->i32') {
    // wrap(Σ c * x + k) = Σ wrap(c) * wrap(x) + wrap(k) modulo 2^32.
    const inner = sum(e.a, 64, definition);
    const terms = new Map<string, Term>();
    for (const x of inner.terms.values()) {
      const atom = cvt('i64->i32', x.atom);
      terms.set(keyOf(atom), { atom, c: wrapBits(x.c, 32) });
    }
    return { terms, k: wrapBits(inner.k, 32), bits };
  }
  if (e.k === 'get' && e.t === t) {
    const d = definition(e.name);
    if (d) {
      const s = sum(d, bits, definition);
      // Look through only to sums of plain locals: anything else would be computed again here.
      if ([...s.terms.values()].every((x) => x.atom.k === 'get' || (x.atom.k === 'cvt' && x.atom.a.k === 'get'))) return s;
    }
  }
  return atomSum(e, bits);
}

/** Σ c * atom + k as an i32 expression, with power-of-two coefficients as shifts. */
function build(terms: Term[], k: bigint): Expr {
  const one = (x: Term): Expr => {
    const c = BigInt.asUintN(32, x.c);
    if (c === 1n) return x.atom;
    if ((c & (c - 1n)) === 0n) return bin('shl', 'i32', x.atom, { k: 'const', t: 'i32', v: c.toString(2).length - 1 });
    return bin('mul', 'i32', x.atom, { k: 'const', t: 'i32', v: Number(BigInt.asIntN(32, x.c)) });
  };
  let out: Expr | null = null;
  for (const x of terms) out = out ? bin('add', 'i32', out, one(x)) : one(x);
  if (k !== 0n || !out) {
    const kc: Expr = { k: 'const', t: 'i32', v: Number(BigInt.asIntN(32, k)) };
    out = out ? bin('add', 'i32', out, kc) : kc;
  }
  return out;
}
