// A standalone math-library module for tests and benchmarks (test/mathlib.test.ts, bench/mathlib.js):
// the native functions of mathlib-wasm.ts over an imported memory, with loops over arrays.
import type { BMemorySegment, BType, Binaryen } from './binaryen.js';
import { MATH_TABLES_SIZE, mathTables } from './mathlib-tables.js';
import { DEFS, mathFn, NativeMath, SHAPES } from './mathlib-wasm.js';

/** Where harnessModule puts the tables; arrays may start at HARNESS_HEAP. */
export const HARNESS_TABLES = 1024;
export const HARNESS_HEAP = HARNESS_TABLES + ((MATH_TABLES_SIZE + 15) & ~15);

/**
 * A module over an imported (unshared) `env.memory` of `pages` pages, with the tables at
 * HARNESS_TABLES (copied by the exported `init`), exporting for each name in `names` the scalar
 * `<name>` (f64) and loops `<name>_<form>(x, y, out, n)` over n elements at byte addresses, form
 * f64 | f32 | f64x2 | f32x4 (native) or js (the `math.math_<name>` import, f64). y is read only by
 * 2-argument functions.
 */
export function harnessModule(b: Binaryen, names: readonly string[], pages: number): Uint8Array {
  const m = new b.Module();
  try {
    m.setFeatures(b.Features.MVP | b.Features.SIMD128 | b.Features.BulkMemory | b.Features.BulkMemoryOpt |
      b.Features.NontrappingFPToInt | b.Features.SignExt | b.Features.Multivalue | b.Features.MutableGlobals);
    m.setMemory(pages, pages, null, [{ name: 'tables', data: mathTables(), passive: true, offset: 0 } as unknown as BMemorySegment], false);
    m.addMemoryImport('0', 'env', 'memory', false);
    const c = (v: number) => m.i32.const(v);
    const used: string[] = [];
    const jsNames = new Set<string>();
    const importJs = (n: string) => {
      if (!jsNames.has(n)) { jsNames.add(n); m.addFunctionImport('math_' + n, 'math', 'math_' + n, b.createType(DEFS[n]?.arity === 2 ? [b.f64, b.f64] : [b.f64]), b.f64); }
      return 'math_' + n;
    };
    const native = new NativeMath(b, m, HARNESS_TABLES, importJs);
    for (const name of names) {
      const arity = DEFS[name].arity;
      for (const shape of SHAPES) used.push(mathFn(name, shape)!.name);
      m.addFunctionExport(`__m_${name}_f64`, name);
      for (const form of [...SHAPES, 'js'] as const) {
        const step = form === 'f64x2' ? 16 : form === 'f32x4' ? 16 : form === 'f32' ? 4 : 8;
        const t = form === 'f64' || form === 'js' ? b.f64 : form === 'f32' ? b.f32 : b.v128;
        const load = (p: number) => {
          const addr = m.i32.add(m.local.get(p, b.i32), m.local.get(4, b.i32));
          return t === b.f64 ? m.f64.load(0, 8, addr) : t === b.f32 ? m.f32.load(0, 4, addr) : m.v128.load(0, 16, addr);
        };
        const callee = form === 'js' ? importJs(name) : mathFn(name, form)!.name;
        const args = arity === 2 ? [load(0), load(1)] : [load(0)];
        // As in compiled loops, the f64x2 form is inlined.
        const vars: BType[] = [b.i32];
        const v = native.inline(callee, args, (ty) => { vars.push(ty); return 4 + vars.length - 1; }) ?? m.call(callee, args, t);
        const dst = m.i32.add(m.local.get(2, b.i32), m.local.get(4, b.i32));
        const st = t === b.f64 ? m.f64.store(0, 8, dst, v) : t === b.f32 ? m.f32.store(0, 4, dst, v) : m.v128.store(0, 16, dst, v);
        const bytes = m.i32.mul(m.local.get(3, b.i32), c(form === 'f32' || form === 'f32x4' ? 4 : 8));
        // i = 0; while (i < bytes) { out[i] = f(x[i], y[i]); i += step }
        const body = m.block(null, [
          m.local.set(4, c(0)),
          m.block('done', [m.loop('next', m.block(null, [
            m.br('done', m.i32.ge_u(m.local.get(4, b.i32), bytes)),
            st,
            m.local.set(4, m.i32.add(m.local.get(4, b.i32), c(step))),
            m.br('next'),
          ]))]),
        ]);
        const fname = `${name}_${form}`;
        m.addFunction(fname, b.createType([b.i32, b.i32, b.i32, b.i32]), b.none, vars, body);
        m.addFunctionExport(fname, fname);
      }
    }
    native.add(used);
    m.addFunction('init', b.none, b.none, [], m.block(null, [m.memory.init('tables', c(HARNESS_TABLES), c(0), c(MATH_TABLES_SIZE)), m.data.drop('tables'), native.init()]));
    m.addFunctionExport('init', 'init');
    if (!m.validate()) throw new Error('internal: invalid math harness module');
    m.optimize();
    return m.emitBinary();
  } finally {
    m.dispose();
  }
}
