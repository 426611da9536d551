// Typing of data in and out: np.save/np.load (.npy) and np.savetxt/np.loadtxt. A loaded array's
// dtype and rank must be known when the program compiles: np.load takes them from the variable's
// annotation (`a: float64[:, :] = np.load('a.npy')`), np.loadtxt from its dtype= and ndmin=, or the
// annotation; the run checks the file against them (runtime/files.ts).
import type * as A from './ast.js';
import { Code } from './diagnostics.js';
import { type Type, array, NONE, showType } from './types.js';
import { Unknown } from './check-base.js';
import type { Checker } from './checker.js';

/** The options of a text call that must be literals (they go to the run time as constants). */
function literal(ck: Checker, kw: Map<string, A.Keyword>, name: string, fname: string, kind: 'Str' | 'Int'): A.Expr | undefined {
  const v = kw.get(name)?.value;
  if (!v || v.kind === 'None') return undefined;
  if (v.kind !== kind && !(kind === 'Int' && v.kind === 'Unary')) ck.error(Code.Unsupported, `${fname}(${name}=...) must be ${kind === 'Str' ? 'a string' : 'an integer'} literal in Par`, v.span);
  else ck.expr(v);
  return v;
}

function pathArg(ck: Checker, c: A.Call, fname: string): void {
  const p = c.args[0];
  const t = ck.expr(p);
  if (t.kind !== 'str') ck.error(Code.TypeMismatch, `${fname}() needs a file name (a str), got ${showType(t)}`, p.span);
}

export function fileCall(ck: Checker, c: A.Call, fname: string): Type {
  switch (fname) {
    case 'save': {
      ck.nargs(c, 2, 2, fname);
      const kw = ck.kw(c, ['allow_pickle', 'fix_imports'], fname);
      for (const k of kw.values()) ck.expr(k.value);
      pathArg(ck, c, fname);
      const t = ck.expr(c.args[1]);
      if (t.kind !== 'array' || t.ndim === 0) ck.error(Code.TypeMismatch, `np.save() of ${showType(t)}: Par saves arrays of at least 1 dimension`, c.args[1].span);
      return NONE;
    }
    case 'savetxt': {
      ck.nargs(c, 2, 2, fname);
      const kw = ck.kw(c, ['fmt', 'delimiter', 'newline', 'header', 'footer', 'comments', 'encoding'], fname);
      for (const k of ['fmt', 'delimiter', 'newline', 'header', 'footer', 'comments']) literal(ck, kw, k, fname, 'Str');
      const enc = kw.get('encoding')?.value;
      if (enc && enc.kind !== 'None' && !(enc.kind === 'Str' && /^utf-?8$/i.test(enc.value))) ck.error(Code.Unsupported, "savetxt(encoding=...): Par writes UTF-8", enc.span);
      pathArg(ck, c, fname);
      const t = ck.expr(c.args[1]);
      if (t.kind !== 'array' || t.ndim === 0 || t.ndim > 2) ck.error(Code.ValueError, `Expected 1D or 2D array, got ${t.kind === 'array' ? `${t.ndim}D array` : showType(t)} instead`, c.args[1].span);
      return NONE;
    }
    case 'load': {
      ck.nargs(c, 1, 1, fname);
      const kw = ck.kw(c, ['mmap_mode', 'allow_pickle', 'fix_imports', 'encoding'], fname);
      const mm = kw.get('mmap_mode')?.value;
      if (mm && mm.kind !== 'None') ck.error(Code.Unsupported, 'np.load(mmap_mode=...) is not supported in Par (it reads the whole file)', mm.span);
      pathArg(ck, c, fname);
      const ann = ck.annotated.get(c);
      if (!ann || ann.kind !== 'array') {
        ck.error(Code.Unsupported, "np.load(): Par needs the array's dtype and dimensions when it compiles; declare them where you assign it (a: float64[:, :] = np.load(...))", c.span);
        throw new Unknown();
      }
      return ann;
    }
    case 'loadtxt': {
      ck.nargs(c, 1, 1, fname);
      const kw = ck.kw(c, ['dtype', 'comments', 'delimiter', 'skiprows', 'usecols', 'ndmin', 'encoding', 'unpack', 'max_rows', 'converters'], fname);
      for (const k of ['unpack', 'max_rows', 'converters']) {
        const v = kw.get(k)?.value;
        if (v && v.kind !== 'None' && !(v.kind === 'Bool' && !v.value)) ck.error(Code.Unsupported, `loadtxt(${k}=...) is not supported yet`, v.span);
      }
      literal(ck, kw, 'comments', fname, 'Str');
      literal(ck, kw, 'delimiter', fname, 'Str');
      literal(ck, kw, 'skiprows', fname, 'Int');
      const nd = literal(ck, kw, 'ndmin', fname, 'Int');
      const ndmin = nd?.kind === 'Int' ? Number(nd.value) : 0;
      if (ndmin < 0 || ndmin > 2) ck.error(Code.ValueError, `Illegal value of ndmin keyword: ${ndmin}`, nd!.span);
      const uc = kw.get('usecols')?.value;
      let oneCol = false;
      if (uc && uc.kind !== 'None') {
        const ok = (x: A.Expr) => x.kind === 'Int' || (x.kind === 'Unary' && x.op === '-' && x.operand.kind === 'Int');
        if (ok(uc)) oneCol = true;
        else if (!((uc.kind === 'Tuple' || uc.kind === 'List') && uc.elts.length > 0 && uc.elts.every(ok))) ck.error(Code.Unsupported, 'loadtxt(usecols=...) must be an integer literal or a tuple or list of them in Par', uc.span);
        ck.expr(uc);
      }
      pathArg(ck, c, fname);
      const d = ck.dtypeArg(kw.get('dtype'), 'float64');
      const ann = ck.annotated.get(c);
      if (ann && ann.kind === 'array') {
        if (ann.dtype !== d) ck.error(Code.TypeMismatch, `np.loadtxt() reads ${d} (its dtype=), but the variable is declared ${showType(ann)}`, c.span);
        return array(d, ann.ndim);
      }
      // NumPy squeezes the result: one column (or row) is 1-d unless ndmin=2; the run checks the file.
      return array(d, oneCol ? Math.max(1, ndmin) : Math.max(2, ndmin));
    }
  }
  throw new Error(`internal: ${fname}`);
}
