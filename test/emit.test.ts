// Tests of the wasm emitter, the IR verifier and the IR printer on hand-built IR programs: each
// program is emitted, instantiated over a shared WebAssembly.Memory (as the runtime will do) and
// run after `__init`. Covers arithmetic and conversions of every type, loops and labels, multi-value,
// the allocator and array descriptors (reuse, growth, oom, a multi-threaded stress test), the
// verifier's reports and the printer's text.
import { describe, expect, it } from 'vitest';
import { Worker } from 'node:worker_threads';
import { emitWasm, withRuntime, type EmitOptions } from '../compiler/emit.js';
import { verifyIR } from '../compiler/verify.js';
import { printIR } from '../compiler/ir-print.js';
import { loadBinaryen, validateModule } from '../compiler/binaryen.js';
import type { BinOp, CvtOp, Expr, Func, Import, Local, Program, Stmt, UnOp, VT } from '../compiler/ir.js';
import { ALLOC, DESC, PAGE } from '../runtime/layout.js';

// --- IR builders ---------------------------------------------------------------------------------
const c = (t: VT, v: number | bigint): Expr => ({ k: 'const', t, v });
const i32 = (v: number) => c('i32', v);
const i64 = (v: number | bigint) => c('i64', BigInt(v));
const f64 = (v: number) => c('f64', v);
const get = (name: string, t: VT = 'i32'): Expr => ({ k: 'get', t, name });
const bin = (op: BinOp, a: Expr, b: Expr, t: VT = 'i32'): Expr => ({ k: 'bin', t, op, a, b });
const un = (op: UnOp, a: Expr, t: VT = 'i32'): Expr => ({ k: 'un', t, op, a });
const cvt = (op: CvtOp, a: Expr): Expr => ({ k: 'cvt', t: op.slice(-3) as VT, op, a });
const call = (fn: string, args: Expr[], t: VT | null = null) => ({ k: 'call' as const, t, fn, args });
const set = (name: string, value: Expr): Stmt => ({ k: 'set', name, value });
const ret = (...values: Expr[]): Stmt => ({ k: 'return', values });
const when = (cond: Expr, then: Stmt[], otherwise: Stmt[] = []): Stmt => ({ k: 'if', cond, then, else: otherwise });
const forLoop = (label: string, v: string, t: VT, start: Expr, stop: Expr, step: Expr, body: Stmt[]): Stmt =>
  ({ k: 'for', label, v, t, start, stop, step, body });
const L = (spec: string): Local[] =>
  spec ? spec.split(',').map((s) => { const [name, t] = s.trim().split(':'); return { name: name.trim(), t: t.trim() as VT }; }) : [];
const fn = (name: string, params: string, results: VT[], locals: string, body: Stmt[]): Func =>
  ({ name, params: L(params), results, locals: L(locals), body, exportAs: name });
const prog = (funcs: Func[], extra: Partial<Program> = {}): Program =>
  ({ funcs, imports: [], dataBase: 1024, dataSize: 0, data: [], ...extra });

class OomError extends Error {
  constructor(readonly bytes: number) { super(`out of memory (${bytes >>> 0} bytes)`); }
}
/** What `env.err_alloc` reports: an array that could not be had. */
class AllocError extends Error {
  constructor(readonly site: number, readonly dtypeCode: number, readonly shape: bigint[]) { super(`cannot allocate shape ${shape}`); }
}
const errAlloc = (site: number, dtypeCode: number, ndim: number, ...shape: bigint[]) => { throw new AllocError(site, dtypeCode, shape.slice(0, ndim)); };

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Exports = Record<string, any>;

async function instantiate(p: Program, opts: EmitOptions = {}, env: Record<string, unknown> = {}) {
  const out = await emitWasm(p, { maxPages: 1024, ...opts });
  const module = new WebAssembly.Module(out.bytes as BufferSource);
  const memory = new WebAssembly.Memory({ initial: out.initialPages, maximum: out.maxPages, shared: true });
  const instance = new WebAssembly.Instance(module, {
    env: { memory, oom: (bytes: number) => { throw new OomError(bytes); }, err_alloc: errAlloc, ...env },
  });
  const ex = instance.exports as Exports;
  ex.__init();
  const i32At = (addr: number) => new DataView(memory.buffer).getInt32(addr, true);
  return { ex, memory, out, module, i32At };
}

// --- arithmetic ------------------------------------------------------------------------------------
const I32_SAMPLES = [0, 1, -1, 7, -7, 3, 100, 0x7fffffff, -0x80000000, 0x12345678];
const I64_SAMPLES = [0n, 1n, -1n, 7n, -7n, 3n, 1n << 40n, -(1n << 40n), (1n << 63n) - 1n, -(1n << 63n)];
const F_SAMPLES = [0, -0, 1.5, -2.5, 0.5, 3, 1e30, -1e-30, Infinity, NaN];

const wrap32 = (x: number) => x | 0;
const I32_OPS: Partial<Record<BinOp, (a: number, b: number) => number | null>> = {
  add: (a, b) => wrap32(a + b), sub: (a, b) => wrap32(a - b), mul: (a, b) => Math.imul(a, b),
  div_s: (a, b) => (b === 0 || (a === -0x80000000 && b === -1) ? null : wrap32(a / b)),
  div_u: (a, b) => (b === 0 ? null : wrap32(Math.floor((a >>> 0) / (b >>> 0)))),
  rem_s: (a, b) => (b === 0 ? null : wrap32(a % b)),
  and: (a, b) => a & b, or: (a, b) => a | b, xor: (a, b) => a ^ b,
  shl: (a, b) => a << b, shr_s: (a, b) => a >> b, shr_u: (a, b) => wrap32(a >>> b),
  eq: (a, b) => +(a === b), ne: (a, b) => +(a !== b), lt_s: (a, b) => +(a < b), le_s: (a, b) => +(a <= b),
  gt_s: (a, b) => +(a > b), ge_s: (a, b) => +(a >= b), lt_u: (a, b) => +(a >>> 0 < b >>> 0), ge_u: (a, b) => +(a >>> 0 >= b >>> 0),
  min: (a, b) => Math.min(a, b), max: (a, b) => Math.max(a, b),
};
const s64 = (x: bigint) => BigInt.asIntN(64, x);
const u64 = (x: bigint) => BigInt.asUintN(64, x);
const I64_OPS: Partial<Record<BinOp, (a: bigint, b: bigint) => bigint | number | null>> = {
  add: (a, b) => s64(a + b), sub: (a, b) => s64(a - b), mul: (a, b) => s64(a * b),
  div_s: (a, b) => (b === 0n || (a === -(1n << 63n) && b === -1n) ? null : s64(a / b)),
  div_u: (a, b) => (b === 0n ? null : s64(u64(a) / u64(b))),
  rem_s: (a, b) => (b === 0n ? null : s64(a % b)),
  and: (a, b) => a & b, or: (a, b) => a | b, xor: (a, b) => a ^ b,
  shl: (a, b) => s64(a << (b & 63n)), shr_s: (a, b) => a >> (b & 63n), shr_u: (a, b) => s64(u64(a) >> (b & 63n)),
  eq: (a, b) => +(a === b), ne: (a, b) => +(a !== b), lt_s: (a, b) => +(a < b), le_s: (a, b) => +(a <= b),
  gt_s: (a, b) => +(a > b), ge_s: (a, b) => +(a >= b), lt_u: (a, b) => +(u64(a) < u64(b)), ge_u: (a, b) => +(u64(a) >= u64(b)),
  min: (a, b) => (a < b ? a : b), max: (a, b) => (a > b ? a : b),
};
const F_OPS: Partial<Record<BinOp, (a: number, b: number) => number>> = {
  add: (a, b) => a + b, sub: (a, b) => a - b, mul: (a, b) => a * b, div: (a, b) => a / b,
  // NumPy's minimum/maximum: a if a is NaN or strictly beyond b, else b (a tie of 0.0 and -0.0 gives b).
  min: (a, b) => (a < b || a !== a ? a : b), max: (a, b) => (a > b || a !== a ? a : b), copysign: (a, b) => (b < 0 || Object.is(b, -0) ? -Math.abs(a) : Math.abs(a)),
  eq: (a, b) => +(a === b), ne: (a, b) => +(a !== b), lt: (a, b) => +(a < b), le: (a, b) => +(a <= b), gt: (a, b) => +(a > b), ge: (a, b) => +(a >= b),
};
const CMP = new Set<BinOp>(['eq', 'ne', 'lt_s', 'le_s', 'gt_s', 'ge_s', 'lt_u', 'ge_u', 'lt', 'le', 'gt', 'ge']);
const binFn = (t: VT, op: BinOp): Func =>
  fn(`${op}_${t}`, `a: ${t}, b: ${t}`, [CMP.has(op) ? 'i32' : t], '', [ret(bin(op, get('a', t), get('b', t), t))]);

function roundHalfEven(x: number): number {
  if (!Number.isFinite(x)) return x;
  const r = Math.round(x);
  const res = Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
  return res === 0 ? (x < 0 || Object.is(x, -0) ? -0 : 0) : res;
}
const F_UN: Partial<Record<UnOp, (a: number) => number>> = {
  neg: (a) => -a, abs: Math.abs, sqrt: Math.sqrt, floor: Math.floor, ceil: Math.ceil, trunc: Math.trunc, nearest: roundHalfEven,
};
const I32_UN: Partial<Record<UnOp, (a: number) => number>> = {
  eqz: (a) => +(a === 0), clz: Math.clz32, ctz: (a) => (a === 0 ? 32 : 31 - Math.clz32(a & -a)),
  popcnt: (a) => { let n = 0; for (let x = a >>> 0; x; x >>>= 1) n += x & 1; return n; },
  neg: (a) => wrap32(-a), abs: (a) => wrap32(Math.abs(a)),
};
const I64_UN: Partial<Record<UnOp, (a: bigint) => bigint | number>> = {
  eqz: (a) => +(a === 0n), neg: (a) => s64(-a), abs: (a) => s64(a < 0n ? -a : a),
  clz: (a) => { const u = u64(a); for (let i = 63; i >= 0; i--) if ((u >> BigInt(i)) & 1n) return BigInt(63 - i); return 64n; },
  ctz: (a) => { const u = u64(a); for (let i = 0; i < 64; i++) if ((u >> BigInt(i)) & 1n) return BigInt(i); return 64n; },
  popcnt: (a) => { let n = 0n; for (let u = u64(a); u; u >>= 1n) n += u & 1n; return n; },
};
const unFn = (t: VT, op: UnOp): Func => fn(`${op}_${t}`, `a: ${t}`, [op === 'eqz' ? 'i32' : t], '', [ret(un(op, get('a', t), t))]);

describe.each([0, 3])('arithmetic at -O%i', (optimizeLevel) => {
  it('evaluates every binary operator on every type like JS does', async () => {
    const funcs: Func[] = [];
    for (const op of Object.keys(I32_OPS) as BinOp[]) funcs.push(binFn('i32', op));
    for (const op of Object.keys(I64_OPS) as BinOp[]) funcs.push(binFn('i64', op));
    for (const op of Object.keys(F_OPS) as BinOp[]) funcs.push(binFn('f32', op), binFn('f64', op));
    const { ex } = await instantiate(prog(funcs), { optimizeLevel });
    for (const [op, ref] of Object.entries(I32_OPS)) {
      for (const a of I32_SAMPLES) for (const b of I32_SAMPLES) {
        const want = ref!(a, b);
        if (want === null) expect(() => ex[`${op}_i32`](a, b)).toThrow(WebAssembly.RuntimeError);
        else expect(ex[`${op}_i32`](a, b), `${a} ${op} ${b}`).toBe(want);
      }
    }
    for (const [op, ref] of Object.entries(I64_OPS)) {
      for (const a of I64_SAMPLES) for (const b of I64_SAMPLES) {
        const want = ref!(a, b);
        if (want === null) expect(() => ex[`${op}_i64`](a, b)).toThrow(WebAssembly.RuntimeError);
        else expect(ex[`${op}_i64`](a, b), `${a} ${op} ${b}`).toBe(want);
      }
    }
    for (const [op, ref] of Object.entries(F_OPS)) {
      for (const a of F_SAMPLES) for (const b of F_SAMPLES) {
        if (op === 'copysign' && (Number.isNaN(a) || Number.isNaN(b))) continue;
        expect(ex[`${op}_f64`](a, b), `${a} ${op} ${b}`).toBe(ref!(a, b));
        const fa = Math.fround(a), fb = Math.fround(b);
        const want32 = CMP.has(op as BinOp) ? ref!(fa, fb) : Math.fround(ref!(fa, fb));
        expect(ex[`${op}_f32`](fa, fb), `f32 ${a} ${op} ${b}`).toBe(want32);
      }
    }
  });

  it('evaluates every unary operator', async () => {
    const funcs: Func[] = [];
    for (const op of Object.keys(I32_UN) as UnOp[]) funcs.push(unFn('i32', op));
    for (const op of Object.keys(I64_UN) as UnOp[]) funcs.push(unFn('i64', op));
    for (const op of Object.keys(F_UN) as UnOp[]) funcs.push(unFn('f32', op), unFn('f64', op));
    const { ex } = await instantiate(prog(funcs), { optimizeLevel });
    for (const [op, ref] of Object.entries(I32_UN)) for (const a of I32_SAMPLES) expect(ex[`${op}_i32`](a), `${op} ${a}`).toBe(ref!(a));
    for (const [op, ref] of Object.entries(I64_UN)) {
      for (const a of I64_SAMPLES) {
        const want = ref!(a);
        expect(ex[`${op}_i64`](a), `${op} ${a}`).toBe(op === 'eqz' ? want : BigInt(want));
      }
    }
    for (const [op, ref] of Object.entries(F_UN)) {
      for (const a of [...F_SAMPLES, 2.5, -3.5, 4.7, -0.3]) {
        expect(ex[`${op}_f64`](a), `${op} ${a}`).toBe(ref!(a));
        expect(ex[`${op}_f32`](Math.fround(a)), `f32 ${op} ${a}`).toBe(Math.fround(ref!(Math.fround(a))));
      }
    }
  });

  it('converts between types (saturating float->int, wrap, sign and zero extension)', async () => {
    const ops: CvtOp[] = ['i32->i64', 'i64->i32', 'i32->f32', 'i32->f64', 'i64->f32', 'i64->f64', 'f32->i32', 'f32->i64',
      'f64->i32', 'f64->i64', 'f32->f64', 'f64->f32', 'u32->i64'];
    const name = (op: CvtOp) => op.replace('->', '_to_');
    const funcs = ops.map((op) => fn(name(op), `a: ${op === 'u32->i64' ? 'i32' : op.slice(0, 3)}`, [op.slice(-3) as VT], '',
      [ret(cvt(op, get('a', op === 'u32->i64' ? 'i32' : op.slice(0, 3) as VT)))]));
    const { ex } = await instantiate(prog(funcs), { optimizeLevel });
    const x = (op: CvtOp, a: unknown) => ex[name(op)](a);
    expect(x('i32->i64', -5)).toBe(-5n);
    expect(x('u32->i64', -1)).toBe(0xffffffffn);
    expect(x('i64->i32', (1n << 32n) + 7n)).toBe(7);
    expect(x('i64->i32', -1n)).toBe(-1);
    expect(x('i32->f64', -0x80000000)).toBe(-2147483648);
    expect(x('i32->f32', 16777217)).toBe(16777216);
    expect(x('i64->f64', 1n << 60n)).toBe(2 ** 60);
    expect(x('i64->f32', -3n)).toBe(-3);
    expect(x('f64->i32', 3.99)).toBe(3);
    expect(x('f64->i32', -3.99)).toBe(-3);
    expect(x('f64->i32', NaN)).toBe(0);
    expect(x('f64->i32', 1e20)).toBe(0x7fffffff);
    expect(x('f64->i32', -1e20)).toBe(-0x80000000);
    expect(x('f32->i32', Infinity)).toBe(0x7fffffff);
    expect(x('f64->i64', 1e30)).toBe((1n << 63n) - 1n);
    expect(x('f64->i64', -1e30)).toBe(-(1n << 63n));
    expect(x('f32->i64', -7.5)).toBe(-7n);
    expect(x('f64->f32', 0.1)).toBe(Math.fround(0.1));
    expect(x('f32->f64', Math.fround(0.1))).toBe(Math.fround(0.1));
  });
});

it('evaluates select, u8 memory, atomics and cmpxchg', async () => {
  const A = 2048;
  const { ex, memory } = await instantiate(prog([
    fn('sel', 'c: i32, a: f64, b: f64', ['f64'], '', [ret({ k: 'select', t: 'f64', cond: get('c'), a: get('a', 'f64'), b: get('b', 'f64') })]),
    fn('bytes', 'v: i32', ['i32'], '', [
      { k: 'store', mem: 'u8', addr: i32(A), value: get('v') },
      ret({ k: 'load', t: 'i32', mem: 'u8', addr: i32(A) }),
    ]),
    fn('atomics', '', ['i32'], 'old: i32, o64: i64', [
      { k: 'store', mem: 'i32', addr: i32(A + 8), value: i32(40) },
      set('old', { k: 'atomic', t: 'i32', mem: 'i32', op: 'add', addr: i32(A + 8), value: i32(2) }),
      { k: 'store', mem: 'i64', addr: i32(A + 16), value: i64(5) },
      set('o64', { k: 'cmpxchg', t: 'i64', mem: 'i64', addr: i32(A + 16), expected: i64(5), replacement: i64(1n << 40n) }),
      { k: 'expr', e: { k: 'cmpxchg', t: 'i64', mem: 'i64', addr: i32(A + 16), expected: i64(5), replacement: i64(9) } },
      { k: 'expr', e: { k: 'atomic', t: 'i32', mem: 'u8', op: 'or', addr: i32(A + 24), value: i32(0x81) } },
      ret(bin('add', get('old'), cvt('i64->i32', get('o64', 'i64')))),
    ]),
  ]));
  expect(ex.sel(1, 1.5, 2.5)).toBe(1.5);
  expect(ex.sel(0, 1.5, 2.5)).toBe(2.5);
  expect(ex.bytes(0x1ff)).toBe(0xff); // store8 keeps the low byte; load8_u zero-extends
  expect(ex.atomics()).toBe(45);
  const dv = new DataView(memory.buffer);
  expect(dv.getInt32(A + 8, true)).toBe(42);
  expect(dv.getBigInt64(A + 16, true)).toBe(1n << 40n); // the second cmpxchg saw 2^40, not 5
  expect(dv.getUint8(A + 24)).toBe(0x81);
});

// --- control flow ----------------------------------------------------------------------------------
describe('loops', () => {
  it('runs for loops with break and continue (continue still increments)', async () => {
    const { ex } = await instantiate(prog([
      fn('evens', '', ['i64'], 'i: i64, s: i64', [
        set('s', i64(0)),
        forLoop('L', 'i', 'i64', i64(0), i64(100), i64(1), [
          when(bin('eq', get('i', 'i64'), i64(7), 'i64'), [{ k: 'break', label: 'L' }]),
          when(cvt('i64->i32', bin('and', get('i', 'i64'), i64(1), 'i64')), [{ k: 'continue', label: 'L' }]),
          set('s', bin('add', get('s', 'i64'), get('i', 'i64'), 'i64')),
        ]),
        ret(get('s', 'i64')),
      ]),
      fn('allContinue', '', ['i32'], 'i: i32, n: i32', [
        set('n', i32(0)),
        forLoop('L', 'i', 'i32', i32(0), i32(10), i32(1), [
          set('n', bin('add', get('n'), i32(1))),
          { k: 'continue', label: 'L' },
          set('n', bin('add', get('n'), i32(100))),
        ]),
        ret(get('n')),
      ]),
    ]));
    expect(ex.evens()).toBe(0n + 2n + 4n + 6n);
    expect(ex.allContinue()).toBe(10);
  });

  it('runs constant negative steps and run-time steps of either sign', async () => {
    const { ex } = await instantiate(prog([
      fn('down', '', ['i32'], 'i: i32, s: i32, n: i32', [
        set('s', i32(0)), set('n', i32(0)),
        forLoop('L', 'i', 'i32', i32(10), i32(0), i32(-3), [
          set('s', bin('add', get('s'), get('i'))), set('n', bin('add', get('n'), i32(1))),
        ]),
        ret(bin('add', bin('mul', get('n'), i32(1000)), get('s'))),
      ]),
      fn('range', 'a: i64, b: i64, st: i64', ['i64'], 'i: i64, s: i64, n: i64', [
        set('s', i64(0)), set('n', i64(0)),
        forLoop('L', 'i', 'i64', get('a', 'i64'), get('b', 'i64'), get('st', 'i64'), [
          set('s', bin('add', get('s', 'i64'), get('i', 'i64'), 'i64')), set('n', bin('add', get('n', 'i64'), i64(1), 'i64')),
        ]),
        ret(bin('add', bin('mul', get('n', 'i64'), i64(1000000), 'i64'), get('s', 'i64'), 'i64')),
      ]),
    ]));
    expect(ex.down()).toBe(4 * 1000 + 10 + 7 + 4 + 1);
    const jsRange = (a: number, b: number, st: number) => {
      let s = 0, n = 0;
      for (let i = a; st > 0 ? i < b : i > b; i += st) { s += i; n++; }
      return BigInt(n * 1000000 + s);
    };
    for (const [a, b, st] of [[0, 10, 3], [10, 0, -3], [5, 5, 1], [0, 10, -1], [10, 0, 2], [-7, 8, 5], [8, -7, -5]]) {
      expect(ex.range(BigInt(a), BigInt(b), BigInt(st)), `range(${a}, ${b}, ${st})`).toBe(jsRange(a, b, st));
    }
  });

  it('evaluates start, stop and step once each, in order', async () => {
    const calls: string[] = [];
    const imports: Import[] = ['start', 'stop', 'step'].map((n) => ({ name: n, module: 'env', base: n, params: [], result: 'i32' }));
    const p = prog([fn('count', '', ['i32'], 'i: i32, n: i32', [
      set('n', i32(0)),
      forLoop('L', 'i', 'i32', call('start', [], 'i32'), call('stop', [], 'i32'), call('step', [], 'i32'), [
        set('n', bin('add', get('n'), i32(1))),
      ]),
      ret(get('n')),
    ])], { imports });
    const { ex } = await instantiate(p, {}, {
      start: () => (calls.push('start'), 1), stop: () => (calls.push('stop'), 10), step: () => (calls.push('step'), 2),
    });
    expect(ex.count()).toBe(5);
    expect(calls).toEqual(['start', 'stop', 'step']);
  });

  it('runs nested while loops with labelled break and continue', async () => {
    const { ex } = await instantiate(prog([
      fn('nest', '', ['i32'], 'i: i32, j: i32, total: i32', [
        set('i', i32(0)), set('total', i32(0)),
        { k: 'while', label: 'outer', cond: bin('lt_s', get('i'), i32(10)), body: [
          set('i', bin('add', get('i'), i32(1))),
          set('j', i32(0)),
          { k: 'while', label: 'inner', cond: i32(1), body: [
            set('j', bin('add', get('j'), i32(1))),
            when(bin('eq', get('j'), i32(3)), [{ k: 'continue', label: 'outer' }]),
            when(bin('eq', get('i'), i32(4)), [{ k: 'break', label: 'outer' }]),
            set('total', bin('add', get('total'), bin('mul', get('i'), i32(10)))),
          ] },
        ] },
        ret(bin('add', bin('mul', get('total'), i32(100)), get('i'))),
      ]),
    ]));
    let i = 0, total = 0;
    outer: while (i < 10) {
      i++;
      let j = 0;
      while (true) {
        j++;
        if (j === 3) continue outer;
        if (i === 4) break outer;
        total += i * 10;
      }
    }
    expect(ex.nest()).toBe(total * 100 + i);
  });

  it('runs parfor serially with its reductions, and regions once as thread 0 of 1', async () => {
    const { ex } = await instantiate(prog([
      fn('sumsq', 'n: i64', ['f64'], 'i: i64, s: f64', [
        set('s', f64(0)),
        { k: 'parfor', label: 'P', v: 'i', t: 'i64', start: i64(0), stop: get('n', 'i64'), step: i64(1), schedule: 'dynamic',
          chunk: i64(4), numThreads: null, useIf: null, reductions: [{ name: 's', t: 'f64', op: 'add' }], line: 3, body: [
            when(bin('eq', get('i', 'i64'), i64(2), 'i64'), [{ k: 'continue', label: 'P' }]),
            set('s', bin('add', get('s', 'f64'), cvt('i64->f64', bin('mul', get('i', 'i64'), get('i', 'i64'), 'i64')), 'f64')),
          ] },
        ret(get('s', 'f64')),
      ]),
      fn('team', '', ['i64'], 'tid: i32, nt: i64, r: i64', [
        set('r', i64(0)),
        { k: 'region', threadNum: 'tid', numThreadsVar: 'nt', numThreads: i32(8), useIf: null, line: 9, body: [
          set('r', bin('add', get('r', 'i64'), bin('add', bin('mul', cvt('i32->i64', get('tid')), i64(10), 'i64'), get('nt', 'i64'), 'i64'), 'i64')),
        ] },
        ret(get('r', 'i64')),
      ]),
    ]));
    expect(ex.sumsq(10n)).toBe(285 - 4);
    expect(ex.team()).toBe(1n);
  });

  it('returns several values and unpacks them with setm', async () => {
    const { ex } = await instantiate(prog([
      fn('pair', 'a: i32, b: f64', ['f64', 'i64'], '', [ret(bin('mul', get('b', 'f64'), f64(2), 'f64'), bin('add', cvt('i32->i64', get('a')), i64(1), 'i64'))]),
      fn('usePair', 'a: i32', ['f64'], 'x: f64, y: i64', [
        { k: 'setm', names: ['x', 'y'], call: call('pair', [get('a'), f64(1.25)]) },
        { k: 'expr', e: call('pair', [i32(0), f64(0)]) }, // a dropped multi-value result
        ret(bin('add', get('x', 'f64'), cvt('i64->f64', get('y', 'i64')), 'f64')),
      ]),
    ]));
    expect(ex.pair(4, 0.5)).toEqual([1, 5n]);
    expect(ex.usePair(4)).toBe(2.5 + 5);
  });

  it('traps through the import and stops there', async () => {
    const p = prog([fn('check', 'x: i32', ['i32'], '', [
      when(bin('lt_s', get('x'), i32(0)), [{ k: 'trap', call: call('raise', [i32(17)]) }]),
      ret(get('x')),
    ])], { imports: [{ name: 'raise', module: 'env', base: 'raise', params: ['i32'], result: null }] });
    const { ex } = await instantiate(p, {}, { raise: (code: number) => { throw new Error(`raised ${code}`); } });
    expect(ex.check(3)).toBe(3);
    expect(() => ex.check(-1)).toThrow('raised 17');
  });
});

// --- memory, data, allocator -----------------------------------------------------------------------
describe('memory and the allocator', () => {
  it('imports env.memory as a shared memory with the requested limits', async () => {
    const out = await emitWasm(prog([]), { initialPages: 3, maxPages: 77 });
    const module = new WebAssembly.Module(out.bytes as BufferSource);
    expect(WebAssembly.Module.imports(module)).toContainEqual({ module: 'env', name: 'memory', kind: 'memory' });
    expect(WebAssembly.Module.imports(module)).toContainEqual({ module: 'env', name: 'oom', kind: 'function' });
    expect(out.wat()).toMatch(/\(import "env" "memory" \(memory \$\S+ 3 77 shared\)\)/);
    expect(memoryImportLimits(out.bytes)).toEqual({ shared: true, initial: 3, maximum: 77 });
    expect(WebAssembly.Module.exports(module).map((e) => e.name)).toEqual(
      expect.arrayContaining(['__init', '__malloc', '__free', '__retain', '__release', '__array_new']));
    const plain = new WebAssembly.Memory({ initial: 3, maximum: 77 });
    expect(() => new WebAssembly.Instance(module, { env: { memory: plain, oom: () => {} } })).toThrow(WebAssembly.LinkError);
  });

  it('uses the default limits and optimize level', async () => {
    const out = await emitWasm(prog([]));
    expect(out.maxPages).toBe(65536);
    expect(out.initialPages).toBe(1);
    expect(memoryImportLimits(out.bytes)).toEqual({ shared: true, initial: 1, maximum: 65536 });
  });

  it('copies data segments to absolute addresses in __init and starts the heap after them', async () => {
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setFloat64(0, 3.5, true);
    const p = prog([fn('read', '', ['f64'], '', [ret({ k: 'load', t: 'f64', mem: 'f64', addr: i32(1040) })]),
      fn('alloc', 'n: i32', ['i32'], '', [ret(call('__malloc', [get('n')], 'i32'))])],
    { dataBase: 1024, dataSize: 40, data: [{ offset: 1024, bytes: new Uint8Array([1, 2, 3, 4]) }, { offset: 1040, bytes }] });
    const { ex, memory, i32At, out } = await instantiate(p);
    expect(out.heapBase).toBe(1072);
    expect([...new Uint8Array(memory.buffer, 1024, 5)]).toEqual([1, 2, 3, 4, 0]);
    expect(ex.read()).toBe(3.5);
    expect(i32At(ALLOC.heapTop)).toBe(1072);
    expect(i32At(ALLOC.heapBaseAddr)).toBe(1072);
    const a = ex.alloc(1);
    expect(a).toBe(1072 + 16);
    expect(a % 16).toBe(0);
  });

  const arrays = prog([
    fn('mk2', 'n: i64, m: i32', ['i32'], 'd: i32', [
      { k: 'alloc', name: 'd', ndim: 2, dtypeCode: 4, elemSize: 8, shape: [get('n', 'i64'), get('m')] }, ret(get('d'))]),
    fn('mk3', '', ['i32'], 'd: i32', [
      { k: 'alloc', name: 'd', ndim: 3, dtypeCode: 1, elemSize: 4, shape: [i32(2), i32(3), i64(4)] }, ret(get('d'))]),
    fn('mk0', '', ['i32'], 'd: i32', [{ k: 'alloc', name: 'd', ndim: 0, dtypeCode: 0, elemSize: 1, shape: [] }, ret(get('d'))]),
    fn('mk1', 'n: i64', ['i32'], 'd: i32', [
      { k: 'alloc', name: 'd', ndim: 1, dtypeCode: 4, elemSize: 8, shape: [get('n', 'i64')] }, ret(get('d'))]),
    fn('retain', 'd: i32', [], '', [{ k: 'retain', desc: get('d') }]),
    fn('release', 'd: i32', [], '', [{ k: 'release', desc: get('d') }]),
    // n rounds of: two arrays of different sizes, written, released in the other order.
    fn('churn', 'n: i32, len: i64', [], 'i: i32, a: i32, b: i32', [
      forLoop('L', 'i', 'i32', i32(0), get('n'), i32(1), [
        { k: 'alloc', name: 'a', ndim: 1, dtypeCode: 4, elemSize: 8, shape: [get('len', 'i64')] },
        { k: 'alloc', name: 'b', ndim: 2, dtypeCode: 0, elemSize: 1, shape: [i32(3), get('i')] },
        { k: 'store', mem: 'f64', addr: { k: 'load', t: 'i32', mem: 'i32', addr: bin('add', get('a'), i32(DESC.data)) }, value: f64(1) },
        { k: 'release', desc: get('a') },
        { k: 'release', desc: get('b') },
      ]),
    ]),
  ]);
  const descriptor = (i32At: (a: number) => number, d: number) => ({
    rc: i32At(d + DESC.rc), data: i32At(d + DESC.data), base: i32At(d + DESC.base), ndim: i32At(d + DESC.ndim),
    dtype: i32At(d + DESC.dtype), size: i32At(d + DESC.size),
    shape: [0, 1, 2, 3].map((k) => i32At(d + DESC.shape + 4 * k)), strides: [0, 1, 2, 3].map((k) => i32At(d + DESC.strides + 4 * k)),
  });

  it('fills array descriptors: rc, data, ndim, dtype, size, shape and C strides', async () => {
    const { ex, i32At } = await instantiate(arrays);
    const d = ex.mk2(5n, 7);
    expect(d % 16).toBe(0);
    expect(descriptor(i32At, d)).toEqual({ rc: 1, data: d + DESC.SIZE, base: 0, ndim: 2, dtype: 4, size: 35, shape: [5, 7, 0, 0], strides: [7, 1, 0, 0] });
    const e = ex.mk3();
    expect(descriptor(i32At, e)).toEqual({ rc: 1, data: e + DESC.SIZE, base: 0, ndim: 3, dtype: 1, size: 24, shape: [2, 3, 4, 0], strides: [12, 4, 1, 0] });
    const z = ex.mk0();
    expect(descriptor(i32At, z)).toMatchObject({ rc: 1, ndim: 0, dtype: 0, size: 1, shape: [0, 0, 0, 0] });
    const empty = ex.mk2(0n, 3);
    expect(descriptor(i32At, empty)).toMatchObject({ size: 0, shape: [0, 3, 0, 0], strides: [3, 1, 0, 0] });
  });

  it('counts references, reuses freed blocks and zeroes recycled data', async () => {
    const { ex, memory, i32At } = await instantiate(arrays);
    const d = ex.mk1(100n);
    ex.retain(d);
    expect(i32At(d)).toBe(2);
    ex.release(d);
    expect(i32At(d)).toBe(1);
    new Float64Array(memory.buffer, d + DESC.SIZE, 100).fill(7);
    ex.release(d);
    ex.release(0); // null is ignored
    ex.retain(0);
    const again = ex.mk1(90n); // same size class: the freed block comes back
    expect(again).toBe(d);
    expect(descriptor(i32At, again)).toMatchObject({ rc: 1, size: 90, shape: [90, 0, 0, 0] });
    expect([...new Float64Array(memory.buffer, again + DESC.SIZE, 90)].every((x) => x === 0)).toBe(true);
  });

  it('releases a view\'s base when the view dies', async () => {
    const { ex, memory, i32At } = await instantiate(arrays);
    const base = ex.mk1(1000n);
    const view = ex.mk0();
    new DataView(memory.buffer).setInt32(view + DESC.base, base, true);
    ex.retain(base); // the view's reference
    ex.release(base); // the owner's reference goes; the view keeps the base alive
    expect(i32At(base)).toBe(1);
    ex.release(view);
    expect(ex.mk0()).toBe(view);
    expect(ex.mk1(1000n)).toBe(base);
  });

  it('runs 100000 allocate/release rounds in bounded memory', async () => {
    const { ex, i32At } = await instantiate(arrays);
    ex.churn(10, 1000n);
    const top = i32At(ALLOC.heapTop);
    ex.churn(100000, 1000n);
    ex.churn(1000, 300000n); // large blocks (2.4 MB) are reused too
    const top2 = i32At(ALLOC.heapTop);
    ex.churn(1000, 300000n);
    expect(i32At(ALLOC.heapTop)).toBe(top2);
    // Only the b arrays (which grow with i, up to 3*100000 bytes) and one large block may be new.
    expect(top2 - top).toBeLessThan(2 * 2 ** 19 + 2 * 2 ** 20 + 2_500_000);
  });

  it('grows the memory past its initial size and reports oom when the maximum is reached', async () => {
    const { ex, memory } = await instantiate(arrays, { initialPages: 1, maxPages: 200 });
    expect(memory.buffer.byteLength).toBe(PAGE);
    const d = ex.mk1(1_000_000n);
    expect(memory.buffer.byteLength).toBeGreaterThanOrEqual(8_000_000 + d);
    const data = new Float64Array(memory.buffer, d + DESC.SIZE, 1_000_000);
    data[999_999] = 2.5;
    expect(data[0]).toBe(0);
    expect(new Float64Array(memory.buffer, d + DESC.SIZE, 1_000_000)[999_999]).toBe(2.5);
    let err: unknown;
    try { ex.mk1(2_000_000n); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(AllocError);
    expect((err as AllocError).shape).toEqual([2_000_000n]);
    expect((err as AllocError).dtypeCode).toBe(4);
    // The allocator's lock was released before reporting, so allocation still works.
    expect(ex.mk1(10n)).toBeGreaterThan(0);
    expect(() => ex.mk1(-1n)).toThrow(AllocError);
    expect(() => ex.mk2(1n << 20n, 1 << 12)).toThrow(AllocError); // 2^32 elements: more than 2^31-1
    expect(() => ex.mk2(0n, 0)).not.toThrow();
    let raw: unknown;
    try { ex.__malloc(20_000_000); } catch (e) { raw = e; }
    expect((raw as OomError).bytes).toBe(20_000_000);
  });

  const large = prog([
    fn('malloc', 'n: i32', ['i32'], '', [ret(call('__malloc', [get('n')], 'i32'))]),
    fn('free', 'p: i32', [], '', [{ k: 'expr', e: call('__free', [get('p')]) }]),
    // n rounds of `a = zeros(len + i * step)`: the new array is made before the old one is released.
    fn('grow', 'n: i32, len: i64, step: i64', [], 'i: i32, a: i32, b: i32', [
      forLoop('L', 'i', 'i32', i32(0), get('n'), i32(1), [
        { k: 'alloc', name: 'b', ndim: 1, dtypeCode: 4, elemSize: 8,
          shape: [bin('add', get('len', 'i64'), bin('mul', { k: 'cvt', t: 'i64', op: 'i32->i64', a: get('i') }, get('step', 'i64'), 'i64'), 'i64')] },
        { k: 'release', desc: get('a') },
        { k: 'set', name: 'a', value: get('b') },
      ]),
      { k: 'release', desc: get('a') },
    ]),
  ]);

  it('merges freed large blocks, splits them and gives the top back', async () => {
    const { ex, i32At } = await instantiate(large);
    const MiB = 2 ** 20;
    const top0 = i32At(ALLOC.heapTop);
    const a = ex.malloc(2 * MiB), b = ex.malloc(2 * MiB), c = ex.malloc(2 * MiB), d = ex.malloc(16);
    expect([b - a, c - b]).toEqual([2 * MiB + 16, 2 * MiB + 16]);
    ex.free(a);
    ex.free(c);
    ex.free(b); // merges with both neighbours into one 6 MiB block
    expect(i32At(a - 12)).toBe(6 * MiB + 32);
    expect(ex.malloc(5 * MiB)).toBe(a); // first fit; the rest (more than 1 MiB) is split off
    const rest = a + 5 * MiB + 16;
    expect(i32At(rest - 16)).toBe(32);
    expect(i32At(rest - 12)).toBe(MiB + 16);
    ex.free(a); // and merges with it again
    expect(i32At(a - 12)).toBe(6 * MiB + 32);
    expect(i32At(ALLOC.largeFree)).toBe(a);
    expect(i32At(a - 8)).toBe(0);
    ex.free(d);
    // Freeing the last large block, which ends where `d` starts, does not touch the top; `d` is small.
    const top1 = i32At(ALLOC.heapTop);
    const e = ex.malloc(7 * MiB); // more than the free 6 MiB block: from the top
    expect(e).toBe(top1 + 16);
    ex.free(e); // the block at the top goes back to the bump pointer
    expect(i32At(ALLOC.heapTop)).toBe(top1);
    expect(i32At(ALLOC.largeFree)).toBe(a);
    expect(ex.malloc(3 * MiB)).toBe(a);
    expect(top1 - top0).toBeLessThan(7 * MiB);
  });

  it('keeps a loop whose arrays grow within a few times the largest array', async () => {
    const { ex, i32At } = await instantiate(large, { maxPages: 4096 });
    const top0 = i32At(ALLOC.heapTop);
    // 400 arrays from 1.6 MB to 17.6 MB: 3.8 GB in all, so without merging the 256 MiB limit fails.
    ex.grow(400, 200_000n, 5_000n);
    const largest = 8 * (200_000 + 399 * 5_000);
    expect(i32At(ALLOC.heapTop) - top0).toBeLessThan(3 * largest);
  });

  it('keeps the free lists consistent when four threads allocate at once', async () => {
    const out = await emitWasm(prog([]), { maxPages: 1024 });
    const module = new WebAssembly.Module(out.bytes as BufferSource);
    const memory = new WebAssembly.Memory({ initial: out.initialPages, maximum: out.maxPages, shared: true });
    const main = new WebAssembly.Instance(module, { env: { memory, oom: () => { throw new Error('oom'); }, err_alloc: errAlloc } });
    (main.exports as Exports).__init();
    const source = `
      const { workerData, parentPort } = require('node:worker_threads');
      const { module, memory, id, rounds, gate } = workerData;
      const ex = new WebAssembly.Instance(module, { env: { memory, oom: () => { throw new Error('oom'); }, err_alloc: () => { throw new Error('oom'); } } }).exports;
      // Start together, so the threads really contend for the lock.
      const g = new Int32Array(gate);
      Atomics.add(g, 0, 1);
      while (Atomics.load(g, 0) < 4) {}
      let bad = 0;
      const live = [];
      for (let r = 0; r < rounds; r++) {
        // Small blocks of five classes, and every 64th round a large one (merged and split on free).
        const n = r % 64 === 63 ? (1 << 20) + 4096 * (r % 7) : 16 << (r % 5);
        const p = ex.__malloc(n);
        new Int32Array(memory.buffer, p, n / 4).fill(id * 1000000 + r);
        live.push([p, n, id * 1000000 + r]);
        if (live.length > 8) {
          const [q, m, v] = live.shift();
          if (!new Int32Array(memory.buffer, q, m / 4).every((x) => x === v)) bad++;
          ex.__free(q);
        }
      }
      parentPort.postMessage(bad);`;
    const gate = new SharedArrayBuffer(4);
    const results = await Promise.all([1, 2, 3, 4].map((id) => new Promise<number>((resolve, reject) => {
      const w = new Worker(source, { eval: true, workerData: { module, memory, id, rounds: 50000, gate } });
      w.once('message', (bad: number) => { resolve(bad); void w.terminate(); });
      w.once('error', reject);
    })));
    expect(results).toEqual([0, 0, 0, 0]);
    expect(new Int32Array(memory.buffer)[ALLOC.lock / 4]).toBe(0);
  });
});

/** The limits of the memory import, read from the binary's import section. */
function memoryImportLimits(bytes: Uint8Array): { shared: boolean; initial: number; maximum: number | null } | null {
  let pos = 8;
  const u32 = () => { let r = 0, s = 0, b: number; do { b = bytes[pos++]; r |= (b & 0x7f) << s; s += 7; } while (b & 0x80); return r >>> 0; };
  const name = () => { const n = u32(); const s = new TextDecoder().decode(bytes.subarray(pos, pos + n)); pos += n; return s; };
  while (pos < bytes.length) {
    const id = bytes[pos++];
    const size = u32();
    const end = pos + size;
    if (id === 2) {
      for (let n = u32(); n > 0; n--) {
        const mod = name(), field = name(), kind = bytes[pos++];
        if (kind === 0) { u32(); continue; } // function: type index
        if (kind !== 2) return null;
        const flags = bytes[pos++];
        const initial = u32();
        const maximum = flags & 1 ? u32() : null;
        if (mod === 'env' && field === 'memory') return { shared: (flags & 2) !== 0, initial, maximum };
      }
    }
    pos = end;
  }
  return null;
}

// --- verifier and printer --------------------------------------------------------------------------
describe('verifyIR', () => {
  const ok = fn('ok', 'a: i32', ['i32'], '', [ret(get('a'))]);
  const broken: [string, Func | Program, string][] = [
    ['undeclared local', fn('f', '', [], '', [set('x', i32(1))]), 'local x is not declared'],
    ['get at the wrong type', fn('f', 'a: i32', ['i64'], '', [ret(get('a', 'i64'))]), 'get a has t i64, but the local is i32'],
    ['mixed operand types', fn('f', 'a: i32, b: f64', ['i32'], '', [ret(bin('add', get('a'), get('b', 'f64')))]), 'right operand of add has type f64, expected i32'],
    ['comparison result used as i64', fn('f', 'a: i64', ['i64'], '', [ret(bin('lt_s', get('a', 'i64'), i64(0), 'i64'))]), 'return value 1 has type i32, expected i64'],
    ['float op on ints', fn('f', 'a: i32', ['i32'], '', [ret(bin('div', get('a'), get('a')))]), 'binary div is not defined on i32'],
    ['int op on floats', fn('f', 'a: f64', ['f64'], '', [ret(un('clz', get('a', 'f64'), 'f64'))]), 'unary clz is not defined on f64'],
    ['wrong conversion source', fn('f', 'a: i32', ['f64'], '', [ret(cvt('i64->f64', get('a')))]), 'operand of i64->f64 has type i32, expected i64'],
    ['local declared twice', fn('f', 'a: i32', [], 'a: i64', []), 'local a declared twice'],
    ['break to an unknown label', fn('f', '', [], '', [{ k: 'break', label: 'nowhere' }]), 'break to label nowhere, which is not an enclosing loop'],
    ['break out of a parfor', fn('f', '', [], 'i: i64', [{ k: 'parfor', label: 'P', v: 'i', t: 'i64', start: i64(0), stop: i64(9), step: i64(1),
      schedule: 'static', chunk: null, numThreads: null, useIf: null, reductions: [], line: 1, body: [{ k: 'break', label: 'P' }] }]), 'break out of parallel loop P'],
    ['continue an outer loop from a parfor', fn('f', '', [], 'i: i64, j: i64', [forLoop('O', 'j', 'i64', i64(0), i64(2), i64(1), [
      { k: 'parfor', label: 'P', v: 'i', t: 'i64', start: i64(0), stop: i64(9), step: i64(1), schedule: 'static', chunk: null, numThreads: null,
        useIf: null, reductions: [], line: 1, body: [{ k: 'continue', label: 'O' }] }])]), 'not an enclosing loop inside this parallel body'],
    ['return inside a region', fn('f', '', [], 't: i32, n: i32', [{ k: 'region', threadNum: 't', numThreadsVar: 'n', numThreads: null, useIf: null,
      line: 1, body: [ret()] }]), 'return inside a parallel loop or region'],
    ['call of an unknown function', fn('f', '', [], '', [{ k: 'expr', e: call('nope', []) }]), 'call of unknown function nope'],
    ['wrong arity', fn('f', '', ['i32'], '', [ret(call('ok', [], 'i32'))]), 'ok takes 1 arguments, given 0'],
    ['call t that does not match the callee', fn('f', '', ['i64'], '', [ret(call('ok', [i32(1)], 'i64'))]), 'call of ok has t i64, but it returns i32'],
    ['void call as a value', fn('f', '', ['i32'], '', [ret(call('__free', [i32(0)]))]), 'call of __free without a single result used as a value'],
    ['wrong number of return values', fn('f', '', ['i32', 'i32'], '', [ret(i32(1))]), 'returns 1 values, the function has 2 results'],
    ['setm of a single-result function', fn('f', '', [], 'x: i32, y: i32', [{ k: 'setm', names: ['x', 'y'], call: call('ok', [i32(1)], 'i32') }]), 'the call of a setm has t null'],
    ['float loop variable', fn('f', '', [], 'x: f64', [forLoop('L', 'x', 'f64', f64(0), f64(1), f64(0.5), [])]), 'loop variable x must be i32 or i64'],
    ['zero step', fn('f', '', [], 'i: i32', [forLoop('L', 'i', 'i32', i32(0), i32(1), i32(0), [])]), 'loop step is the constant 0'],
    ['shadowed label', fn('f', '', [], 'i: i32', [{ k: 'while', label: 'L', cond: i32(0), body: [{ k: 'while', label: 'L', cond: i32(0), body: [] }] }]), 'label L shadows'],
    ['alloc with the wrong number of extents', fn('f', '', [], 'd: i32', [{ k: 'alloc', name: 'd', ndim: 2, dtypeCode: 4, elemSize: 8, shape: [i32(3)] }]), 'ndim 2 but 1 extents'],
    ['atomic on floats', fn('f', '', ['f64'], '', [ret({ k: 'atomic', t: 'f64', mem: 'f64', op: 'add', addr: i32(0), value: f64(1) })]), 'atomic access to f64'],
    ['u8 loaded as i64', fn('f', '', ['i64'], '', [ret({ k: 'load', t: 'i64', mem: 'u8', addr: i32(0) })]), 'load.u8 has t i64, expected i32'],
    ['store of the wrong type', fn('f', '', [], '', [{ k: 'store', mem: 'f32', addr: i32(0), value: f64(1) }]), 'value stored to f32 has type f64, expected f32'],
    ['i32 constant out of range', fn('f', '', ['i32'], '', [ret(i32(2 ** 33))]), 'i32 constant 8589934592 is out of range'],
    ['reduction type mismatch', fn('f', '', [], 'i: i64, s: f32', [{ k: 'parfor', label: 'P', v: 'i', t: 'i64', start: i64(0), stop: i64(9), step: i64(1),
      schedule: 'static', chunk: null, numThreads: null, useIf: null, reductions: [{ name: 's', t: 'f64', op: 'add' }], line: 1, body: [] }]),
    'reduction variable s is f32, but the reduction says f64'],
    ['redefined runtime function', fn('__malloc', 'n: i64', ['i32'], '', [ret(i32(0))]), 'differs from the runtime library'],
    ['segment outside the data area', prog([], { dataBase: 1024, dataSize: 8, data: [{ offset: 1028, bytes: new Uint8Array(8) }] }), 'lies outside [1024, 1032)'],
    ['data below the static base', prog([], { dataBase: 0 }), 'dataBase 0 is below 1024'],
  ];
  it.each(broken)('reports %s', (_, f, message) => {
    const p = 'funcs' in f ? f : prog([ok, f]);
    const errs = verifyIR(p);
    expect(errs.join('\n')).toContain(message);
  });

  it('accepts well-formed programs, including the runtime library itself', () => {
    expect(verifyIR(prog([ok]))).toEqual([]);
    expect(verifyIR(withRuntime(prog([ok])))).toEqual([]);
    expect(verifyIR(arraysForVerify())).toEqual([]);
  });

  it('names the function and statement in its messages', () => {
    const errs = verifyIR(prog([fn('g', 'a: i32', [], 's: f64', [set('s', bin('add', get('a'), i32(1)))])]));
    expect(errs).toEqual(['func g: local s: f64 is assigned a i32 in `s = (a + 1)`']);
  });

  it('makes emitWasm refuse invalid IR with an internal compiler error', async () => {
    await expect(emitWasm(prog([fn('f', '', [], '', [set('x', i32(1))])]))).rejects.toThrow(/internal compiler error: invalid IR:\nfunc f: local x is not declared/);
    await expect(emitWasm(prog([fn('__init', '', [], '', [])]))).rejects.toThrow('__init is reserved');
    await expect(emitWasm(prog([fn('__malloc', 'n: i32', ['i32'], '', [ret(get('n'))])]))).rejects.toThrow('__malloc: name defined twice');
  });

  it('gets Binaryen\'s validation text for a module the verifier would have stopped', async () => {
    const b = await loadBinaryen();
    const m = new b.Module();
    try {
      m.addFunction('bad', b.none, b.i32, [], m.i64.const(1n));
      expect(validateModule(m)).toMatch(/wasm-validator error in function bad/);
    } finally {
      m.dispose();
    }
  });
});

function arraysForVerify(): Program {
  return prog([fn('a', 'n: i64', ['i32'], 'd: i32', [
    { k: 'alloc', name: 'd', ndim: 1, dtypeCode: 4, elemSize: 8, shape: [get('n', 'i64')] },
    { k: 'retain', desc: get('d') }, { k: 'release', desc: get('d') },
    { k: 'memfill', dest: get('d'), value: i32(0), size: i32(8) },
    { k: 'memcopy', dest: get('d'), src: get('d'), size: i32(8) },
    ret(get('d')),
  ])]);
}

describe('printIR', () => {
  it('prints functions, loops and expressions readably', () => {
    const p = prog([{
      name: 'main', params: L('n: i64, a: i32'), results: ['f64'], locals: L('i: i64, s: f64, d: i32'), exportAs: 'main', body: [
        set('s', f64(0)),
        { k: 'parfor', label: 'L1', v: 'i', t: 'i64', start: i64(0), stop: get('n', 'i64'), step: i64(1), schedule: 'dynamic', chunk: i64(4),
          numThreads: null, useIf: null, reductions: [{ name: 's', t: 'f64', op: 'add' }], line: 12, body: [
            set('s', bin('add', get('s', 'f64'), { k: 'load', t: 'f64', mem: 'f64', addr: bin('add', get('a'), bin('shl', cvt('i64->i32', get('i', 'i64')), i32(3))) }, 'f64')),
            when(bin('lt_s', get('i', 'i64'), i64(0), 'i64'), [{ k: 'continue', label: 'L1' }], [{ k: 'expr', e: call('__free', [i32(0)]) }]),
          ] },
        { k: 'alloc', name: 'd', ndim: 2, dtypeCode: 4, elemSize: 8, shape: [get('n', 'i64'), i32(3)] },
        { k: 'release', desc: get('d') },
        ret(un('sqrt', get('s', 'f64'), 'f64')),
      ],
    }], { imports: [{ name: 'print', module: 'env', base: 'print_f64', params: ['f64'], result: null }], dataSize: 16,
      data: [{ offset: 1024, bytes: new Uint8Array(16) }] });
    expect(printIR(p)).toBe(`import print(f64) = env.print_f64
data 1024 .. 1040 (16 bytes)
  segment 1024: 16 bytes

func main(n: i64, a: i32) -> f64 export "main" {
  local i: i64, s: f64, d: i32
  s = 0.0
  L1: parfor i: i64 = 0 .. n step 1 schedule=dynamic chunk=4 reduce(add s: f64) line 12 {
    s = (s + load.f64[(a + (i64->i32(i) << 3))])
    if (i <s 0) {
      continue L1
    } else {
      __free(0)
    }
  }
  d = alloc[n, 3] dtype=4 elem=8
  release d
  return sqrt(s)
}
`);
  });
});
