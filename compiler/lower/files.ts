// Lowering of np.save/np.load/np.savetxt/np.loadtxt: calls of the env.file_* imports of
// runtime/files.ts, with the call's literal options as a JSON constant in the string table. A load
// is file_load (parse and check; the rank), the extents, an allocation, then file_take.
import type * as A from '../../language/ast.js';
import { Code } from '../../language/diagnostics.js';
import type { Type } from '../../language/types.js';
import type { LoadOp, SaveOp } from '../../runtime/files.js';
import type { FnLowerer } from './function.js';
import type { Val } from './values.js';
import { call, i32 } from '../ir-build.js';
import { materialize } from './strings.js';

const strKw = (fl: FnLowerer, e: A.Call, name: string, dflt: string): string => {
  const v = fl.kwOf(e, name);
  return v && v.kind === 'Str' ? v.value : dflt;
};
const intOf = (x: A.Expr | undefined, dflt: number): number =>
  !x ? dflt : x.kind === 'Int' ? Number(x.value) : x.kind === 'Unary' && x.operand.kind === 'Int' ? -Number(x.operand.value) : dflt;

export function fileCall(fl: FnLowerer, e: A.Call, fname: string, t: Type): Val {
  const site = fl.mod.site(Code.ValueError, 'file', e.span);
  const pv = materialize(fl, fl.expr(e.args[0]), e.args[0].span);
  if (pv.k !== 'a') throw new Error('internal: file name is not a string');
  const path = fl.tmp(pv.a.desc, 'path');
  if (fname === 'save' || fname === 'savetxt') {
    const op: SaveOp = fname === 'save' ? { k: 'npy' } : {
      k: 'txt', fmt: strKw(fl, e, 'fmt', '%.18e'), delimiter: strKw(fl, e, 'delimiter', ' '), newline: strKw(fl, e, 'newline', '\n'),
      header: strKw(fl, e, 'header', ''), footer: strKw(fl, e, 'footer', ''), comments: strKw(fl, e, 'comments', '# '),
    };
    const av = fl.expr(e.args[1]);
    if (av.k !== 'a') throw new Error('internal: saving a non-array');
    fl.emit({ k: 'expr', e: call(fl.mod.imp('file_save', ['i32', 'i32', 'i32', 'i32'], null), null, i32(site), path, av.a.desc, i32(fl.mod.str(JSON.stringify(op)))) });
    return { k: 'none' };
  }
  const rt = t as Type & { kind: 'array' };
  let op: LoadOp;
  if (fname === 'load') op = { k: 'npy', dtype: rt.dtype, ndim: rt.ndim };
  else {
    const uc = fl.kwOf(e, 'usecols');
    const cols = !uc || uc.kind === 'None' ? null : uc.kind === 'Tuple' || uc.kind === 'List' ? uc.elts.map((x) => intOf(x, 0)) : [intOf(uc, 0)];
    const delim = fl.kwOf(e, 'delimiter');
    op = {
      k: 'txt', dtype: rt.dtype, ndim: rt.ndim, delimiter: delim && delim.kind === 'Str' ? delim.value : null,
      skiprows: intOf(fl.kwOf(e, 'skiprows'), 0), usecols: cols, usecolsInt: !!uc && uc.kind !== 'None' && uc.kind !== 'Tuple' && uc.kind !== 'List',
      ndmin: intOf(fl.kwOf(e, 'ndmin'), 0), comments: strKw(fl, e, 'comments', '#'),
    };
  }
  fl.emit({ k: 'expr', e: call(fl.mod.imp('file_load', ['i32', 'i32', 'i32'], 'i32'), 'i32', i32(site), path, i32(fl.mod.str(JSON.stringify(op)))) });
  const extent = fl.mod.imp('file_extent', ['i32'], 'i32');
  const shape = Array.from({ length: rt.ndim }, (_, k) => fl.tmp(call(extent, 'i32', i32(k)), 'n'));
  const out = fl.alloc(rt.dtype, shape, true);
  fl.emit({ k: 'expr', e: call(fl.mod.imp('file_take', ['i32'], null), null, out.desc) });
  return fl.ownedArray(out);
}
