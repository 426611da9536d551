// The IR's SIMD on hand-built programs: v128 loads and stores, lane arithmetic, splat, lane
// extraction and replacement, compare + bitselect, emitted and run; the verifier's reports on badly
// typed SIMD; the printer's text; and the vectorizer turning a scalar loop body into lanes.
import { describe, expect, it } from 'vitest';
import { emitWasm } from '../compiler/emit.js';
import { verifyIR } from '../compiler/verify.js';
import { printExpr, printStmt } from '../compiler/ir-print.js';
import { bodyLane, offsetBody, vectorizeBody } from '../compiler/vectorize.js';
import type { Expr, Func, Program, Stmt, VT } from '../compiler/ir.js';

const get = (name: string, t: VT = 'i32'): Expr => ({ k: 'get', t, name });
const i32 = (v: number): Expr => ({ k: 'const', t: 'i32', v });
const f64 = (v: number): Expr => ({ k: 'const', t: 'f64', v });
const simd = (op: string, args: Expr[], t: VT = 'v128', lane?: number): Expr => ({ k: 'simd', t, op, args, ...(lane === undefined ? {} : { lane }) });
const vload = (addr: Expr): Expr => ({ k: 'load', t: 'v128', mem: 'v128', addr });
const prog = (funcs: Func[]): Program => ({ funcs, imports: [], dataBase: 1024, dataSize: 0, data: [] });

async function run(p: Program) {
  const out = await emitWasm(p, { maxPages: 64 });
  const memory = new WebAssembly.Memory({ initial: out.initialPages, maximum: out.maxPages, shared: true });
  const inst = new WebAssembly.Instance(new WebAssembly.Module(out.bytes as BufferSource), { env: { memory, oom: () => { throw new Error('oom'); } } });
  const ex = inst.exports as Record<string, (...a: number[]) => number>;
  ex.__init();
  return { ex, f64s: (addr: number, n: number) => Array.from(new Float64Array(memory.buffer, addr, n)), memory };
}

describe('SIMD in the IR', () => {
  it('computes lane by lane what the scalar ops compute (IEEE per lane)', async () => {
    // out[0..1] = bitselect(max(a, b) * 2, -sqrt(a), a < b); out[2] = lane 1 of a + b; a, b at 2048, 2064.
    const A = 2048, B = 2064, OUT = 2080;
    const va = vload(i32(A)), vb = vload(i32(B));
    const body: Stmt[] = [
      { k: 'store', mem: 'v128', addr: i32(OUT), value: simd('v128.bitselect', [
        simd('f64x2.mul', [simd('f64x2.max', [va, vb]), simd('f64x2.splat', [f64(2)])]),
        simd('f64x2.neg', [simd('f64x2.sqrt', [va])]),
        simd('f64x2.lt', [va, vb]),
      ]) },
      { k: 'store', mem: 'f64', addr: i32(OUT + 16), value: simd('f64x2.extract_lane', [simd('f64x2.add', [va, vb])], 'f64', 1) },
      { k: 'store', mem: 'v128', addr: i32(OUT + 24), value: simd('f64x2.replace_lane', [simd('f64x2.splat', [f64(7)]), f64(-0.5)], 'v128', 0) },
      // Static offsets: out[6] = b[0], out[7..8] = a + b (lanes 0 and 1 of the vector at a + 16 bytes).
      { k: 'store', mem: 'f64', addr: i32(OUT), offset: 48, value: { k: 'load', t: 'f64', mem: 'f64', addr: i32(A), offset: 16 } },
      { k: 'store', mem: 'v128', addr: i32(OUT + 8), offset: 48, value: simd('f64x2.add', [va, { k: 'load', t: 'v128', mem: 'v128', addr: i32(A), offset: 16 }]) },
    ];
    const f: Func = { name: 'go', params: [], results: [], locals: [], body, exportAs: 'go' };
    expect(verifyIR(prog([f]))).toEqual([]);
    const { ex, f64s, memory } = await run(prog([f]));
    new Float64Array(memory.buffer, A, 4).set([4, NaN, 9, 1]);
    ex.go();
    const [a0, a1, b0, b1] = [4, NaN, 9, 1];
    const scalar = [a0 < b0 ? Math.max(a0, b0) * 2 : -Math.sqrt(a0), a1 < b1 ? Math.max(a1, b1) * 2 : -Math.sqrt(a1)];
    expect(f64s(OUT, 9)).toEqual([...scalar, a1 + b1, -0.5, 7, 0, b0, a0 + b0, a1 + b1]);
  });

  it('reports badly typed SIMD and prints SIMD readably', () => {
    const bad: Func = { name: 'bad', params: [{ name: 'x', t: 'f64' }], results: [], locals: [{ name: 'v', t: 'v128' }], body: [
      { k: 'set', name: 'v', value: simd('f64x2.add', [get('x', 'f64'), simd('f64x2.splat', [get('x', 'f64')])]) },
      { k: 'set', name: 'v', value: simd('f64x2.extract_lane', [get('v', 'v128')], 'f64', 2) },
      { k: 'set', name: 'v', value: simd('f64x2.fma', [get('v', 'v128')]) },
      { k: 'set', name: 'v', value: { k: 'bin', t: 'v128', op: 'add', a: get('v', 'v128'), b: get('v', 'v128') } },
      { k: 'store', mem: 'f64', addr: i32(0), offset: -8, value: { k: 'load', t: 'f64', mem: 'f64', addr: i32(0), offset: 0.5 } },
    ] };
    const errs = verifyIR(prog([bad])).join('\n');
    expect(errs).toContain('operand 1 of f64x2.add has type f64, expected v128');
    expect(errs).toContain('f64x2.extract_lane with lane 2');
    expect(errs).toContain('local v: v128 is assigned a f64');
    expect(errs).toContain('unknown SIMD op f64x2.fma');
    expect(errs).toContain('bin of type v128');
    expect(errs).toContain('load offset 0.5 is not an integer in [0, 2^32)');
    expect(errs).toContain('store offset -8 is not an integer in [0, 2^32)');
    expect(printExpr({ k: 'load', t: 'v128', mem: 'v128', addr: get('p'), offset: 16 })).toBe('load.v128[p @16]');
    expect(printExpr(simd('f64x2.extract_lane', [vload(get('p'))], 'f64', 1))).toBe('f64x2.extract_lane[1](load.v128[p])');
  });

  it('vectorizes a fused float body and refuses one with an int conversion or a loop-carried value', () => {
    const pointers = new Set(['p0', 'p1', 'p2']);
    const ld = (p: string): Expr => ({ k: 'load', t: 'f64', mem: 'f64', addr: get(p) });
    const body: Stmt[] = [
      { k: 'set', name: 't', value: { k: 'bin', t: 'f64', op: 'mul', a: ld('p1'), b: get('s', 'f64') } },
      { k: 'store', mem: 'f64', addr: get('p0'), value: { k: 'select', t: 'f64', cond: { k: 'bin', t: 'f64', op: 'gt', a: get('t', 'f64'), b: f64(0) }, a: get('t', 'f64'), b: ld('p2') } },
    ];
    let n = 0;
    const env = { pointers, variant: new Set(['k']), fresh: () => `v${n++}` };
    expect(bodyLane(body, pointers)).toBe('f64');
    const v = vectorizeBody(body, env, 'f64')!;
    // The splats of the invariant s and 0.0 are computed once, before the loop.
    expect(v.pre.map((s) => printStmt(s))).toEqual(['v0 = f64x2.splat(s)', 'v2 = f64x2.splat(0.0)']);
    expect(v.body.map((s) => printStmt(s))).toEqual(['v1 = f64x2.mul(load.v128[p1], v0)', 'store.v128[p0] = v128.bitselect(v1, load.v128[p2], f64x2.gt(v1, v2))']);
    // The second vector of an unrolled iteration: static offsets on the pointers' loads and stores, fresh temporaries.
    expect(offsetBody(v.body, pointers, 16, () => `w${n++}`).map((s) => printStmt(s)))
      .toEqual(['w3 = f64x2.mul(load.v128[p1 @16], v0)', 'store.v128[p0 @16] = v128.bitselect(w3, load.v128[p2 @16], f64x2.gt(w3, v2))']);
    const withInt: Stmt[] = [{ k: 'store', mem: 'f64', addr: get('p0'), value: { k: 'cvt', t: 'f64', op: 'i64->f64', a: { k: 'load', t: 'i64', mem: 'i64', addr: get('p1') } } }];
    expect(vectorizeBody(withInt, env, 'f64')).toBeNull();
    const carried: Stmt[] = [{ k: 'set', name: 'acc', value: { k: 'bin', t: 'f64', op: 'add', a: get('acc', 'f64'), b: ld('p1') } }];
    expect(vectorizeBody(carried, env, 'f64')).toBeNull();
    const counter: Stmt[] = [{ k: 'store', mem: 'f64', addr: get('p0'), value: { k: 'cvt', t: 'f64', op: 'i32->f64', a: get('k') } }];
    expect(vectorizeBody(counter, env, 'f64')).toBeNull();
  });
});
