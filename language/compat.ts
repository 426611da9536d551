// What Par makes of code written for other tools: the modules a script imports (NumPy, math,
// Numba, Cython, ...) and the names they bring, and the decorators Numba and Cython programs put on
// their functions (@njit, @jit, @vectorize, @cython.boundscheck(False), ...). Par compiles every
// function anyway, so most options change nothing; the few that change how Par runs the function
// (parallel=, boundscheck=, type signatures) are returned as FuncOptions. docs/language.md §1 lists
// every decorator and option and what it means in Par.
import type * as A from './ast.js';
import { Code, DiagnosticBag } from './diagnostics.js';
import { parse } from './parse.js';
import type { Span } from './source.js';
import { sourceFile } from './source.js';
import { type Type, type DType, scalar, array, NONE, dtypeNamed, dtypeOfString, OTHER_DTYPES } from './types.js';

/** Modules a Par program may import, and their submodules reachable as attributes. */
const MODULES = new Set(['numpy', 'numpy.linalg', 'numpy.random', 'math', 'par', 'numba', 'cython', 'cython.parallel', 'pymp', 'time', '__future__']);

/** The imports of a program: module aliases (`np` -> numpy) and imported names (`msqrt` -> math.sqrt). */
export interface Imports {
  modules: Map<string, string>;
  names: Map<string, { module: string; name: string }>;
}

/** Every import in the program, wherever it is: a module name is a namespace, resolved statically. */
export function collectImports(body: A.Stmt[], diags: DiagnosticBag): Imports {
  // `linalg` too: `from numpy import *` binds it, and Par's names are in scope as if it had run.
  const imports: Imports = { modules: new Map([['np', 'numpy'], ['numpy', 'numpy'], ['math', 'math'], ['par', 'par'], ['linalg', 'numpy.linalg']]), names: new Map() };
  const visit = (ss: A.Stmt[]) => {
    for (const s of ss) {
      if (s.kind === 'Import') {
        if (!MODULES.has(s.module)) { diags.error(Code.Unsupported, `module '${s.module}' is not available in Par (${availableModules})`, s.span); continue; }
        // `import cython.parallel` binds `cython`, as in Python; `import a.b as c` binds c to a.b.
        if (s.asName) imports.modules.set(s.asName, s.module);
        else imports.modules.set(s.module.split('.')[0], s.module.split('.')[0]);
      } else if (s.kind === 'ImportFrom') {
        if (!MODULES.has(s.module)) { diags.error(Code.Unsupported, `module '${s.module}' is not available in Par (${availableModules})`, s.span); continue; }
        if (s.names === '*') continue;
        for (const n of s.names) {
          const sub = `${s.module}.${n.name}`;
          if (MODULES.has(sub)) imports.modules.set(n.asName ?? n.name, sub);
          else imports.names.set(n.asName ?? n.name, { module: s.module, name: n.name });
        }
      } else if (s.kind === 'If' || s.kind === 'While' || s.kind === 'For' || s.kind === 'With' || s.kind === 'FunctionDef') {
        visit(s.body);
        if (s.kind === 'If') visit(s.orelse);
      }
    }
  };
  visit(body);
  return imports;
}

const availableModules = 'numpy, numpy.linalg, numpy.random, math, numba, cython, cython.parallel, pymp, time and par are';

/** The module an expression names (`np`, `numba`, `cython.parallel`), or null. */
export function moduleOf(e: A.Expr, imports: Imports, isLocal: (name: string) => boolean): string | null {
  if (e.kind === 'Name') return isLocal(e.id) ? null : imports.modules.get(e.id) ?? null;
  if (e.kind === 'Attribute') {
    const base = moduleOf(e.value, imports, isLocal);
    return base && submodule(base, e.attr);
  }
  return null;
}

/** `cython.parallel` for ('cython', 'parallel'): a module reached as an attribute of another; else null. */
export function submodule(module: string, attr: string): string | null {
  return MODULES.has(`${module}.${attr}`) ? `${module}.${attr}` : null;
}

/** How a decorated function runs in Par. */
export interface FuncOptions {
  /** Numba's parallel= (false: its prange loops run as range, on one thread). */
  parallel: boolean;
  /** Numba's boundscheck= or Cython's boundscheck(): overrides the program's setting for this function. */
  boundscheck: boolean | null;
  /** Numba's @vectorize: called with arrays, the function is applied to each element (a ufunc). */
  vectorize: boolean;
  /** A Numba type signature: the parameter types (and result type) it declares, like annotations. */
  signature: { params: Type[]; ret: Type | null } | null;
  /** @vectorize's signatures, in order: a call takes the first one its inputs cast to safely (NumPy's ufunc loop search); empty without any. */
  signatures: { params: Type[]; ret: Type | null }[];
}

export const DEFAULT_OPTIONS: FuncOptions = { parallel: true, boundscheck: null, vectorize: false, signature: null, signatures: [] };

/** Numba decorator options Par accepts, and whether they change anything (docs/language.md §1). */
const NUMBA_OPTIONS = new Set(['nopython', 'parallel', 'fastmath', 'cache', 'nogil', 'boundscheck', 'error_model', 'inline', 'forceobj', 'looplift', 'target']);
/** Cython's compiler directives and function decorators (pure Python mode). */
const CYTHON_DECORATORS = new Set(['boundscheck', 'wraparound', 'cdivision', 'nonecheck', 'initializedcheck', 'cfunc', 'ccall', 'inline', 'nogil', 'exceptval', 'locals', 'returns', 'infer_types', 'profile', 'overflowcheck']);

/** The canonical dotted name of a decorator expression (`numba.njit`, `cython.boundscheck`), or null. */
function decoratorName(e: A.Expr, imports: Imports): string | null {
  if (e.kind === 'Name') {
    const imported = imports.names.get(e.id);
    if (imported) return `${imported.module.split('.')[0]}.${imported.name}`;
    const mod = imports.modules.get(e.id);
    if (mod) return mod;
    // Numba's decorators are understood even where the import is missing (the file may rely on it).
    return ['njit', 'jit', 'vectorize'].includes(e.id) ? `numba.${e.id}` : e.id;
  }
  if (e.kind === 'Attribute') {
    const base = decoratorName(e.value, imports);
    return base && `${base}.${e.attr}`;
  }
  return null;
}

/** The options a function's decorators give it; unknown decorators and options are errors naming them. */
export function functionOptions(def: A.FunctionDef, imports: Imports, diags: DiagnosticBag): FuncOptions {
  const opts: FuncOptions = { ...DEFAULT_OPTIONS, signatures: [] };
  for (const d of def.decorators ?? []) {
    const call = d.kind === 'Call' ? d : null;
    const name = decoratorName(call ? call.func : d, imports);
    const shown = `@${exprText(call ? call.func : d)}`;
    if (name === 'numba.njit' || name === 'numba.jit' || name === 'numba.vectorize') {
      // Numba's default is parallel=False: prange is then an ordinary range (Numba's documented meaning).
      opts.parallel = false;
      if (name === 'numba.vectorize') opts.vectorize = true;
      for (const k of call?.keywords ?? []) {
        if (!NUMBA_OPTIONS.has(k.name)) { diags.error(Code.Unsupported, `${shown}(${k.name}=...) is not supported in Par`, k.span); continue; }
        if (k.name === 'parallel') opts.parallel = literalBool(k.value, diags) ?? opts.parallel;
        else if (k.name === 'boundscheck') opts.boundscheck = literalBool(k.value, diags);
        else if (k.name === 'target') {
          if (k.value.kind !== 'Str' || !['cpu', 'parallel'].includes(k.value.value)) diags.error(Code.Unsupported, `${shown}(target=...) must be 'cpu' or 'parallel' in Par`, k.value.span);
          else if (k.value.value === 'parallel') opts.parallel = true;
        }
      }
      const sigs = call ? call.args : [];
      if (sigs.length > 1) diags.error(Code.ArgCount, `${shown} takes one signature or a list of signatures`, sigs[1].span);
      if (sigs[0]) {
        const list = sigs[0].kind === 'List' ? sigs[0].elts : [sigs[0]];
        const parsed = list.map((s) => signatureOf(s, diags));
        // One signature fixes the types like annotations; with several, calls specialize as usual.
        if (parsed.length === 1 && parsed[0]) opts.signature = parsed[0];
        if (opts.vectorize) {
          // A ufunc's loops take scalars (arrays in a signature are @guvectorize's, which Par does not have).
          list.forEach((s, i) => {
            const sig = parsed[i];
            if (sig && [...sig.params, ...(sig.ret ? [sig.ret] : [])].some((t) => t.kind !== 'scalar')) diags.error(Code.BadAnnotation, `${shown} signatures take scalar types (a ufunc applies the function to single elements)`, s.span);
            else if (sig) opts.signatures.push(sig);
          });
          if (opts.signatures.length !== 1) opts.signature = null;
        }
      }
      continue;
    }
    const cy = name?.startsWith('cython.') ? name.slice('cython.'.length) : null;
    if (cy && CYTHON_DECORATORS.has(cy)) {
      if (cy === 'boundscheck') opts.boundscheck = call && call.args[0] ? literalBool(call.args[0], diags) : opts.boundscheck;
      continue;
    }
    diags.error(Code.Unsupported, `decorator '${shown}' is not supported in Par (Par accepts Numba's @njit, @jit and @vectorize, and Cython's directives such as @cython.boundscheck(False))`, d.span);
  }
  return opts;
}

function literalBool(e: A.Expr, diags: DiagnosticBag): boolean | null {
  if (e.kind === 'Bool') return e.value;
  diags.error(Code.TypeMismatch, 'this option must be True or False', e.span);
  return null;
}

/**
 * A Numba type signature: `'float64(float64[:], int64)'`, `float64(float64[:], int64)`, `'f8[:](f8[:, ::1])'`,
 * `'void(i8[:])'` or `'(f8, f8)'` (no result type). Layout markers (`::1`) are accepted: Par arrays take any strides.
 */
export function signatureOf(e: A.Expr, diags: DiagnosticBag): { params: Type[]; ret: Type | null } | null {
  let sig = e;
  let at: Span = e.span;
  if (e.kind === 'Str') {
    const parsed = parseSignatureText(e.value);
    if (!parsed) { diags.error(Code.BadAnnotation, `cannot read the signature '${e.value}'`, e.span); return null; }
    sig = parsed;
    at = e.span;
  }
  const fail = (what: A.Expr): null => { diags.error(Code.BadAnnotation, `unsupported type '${exprText(what)}' in a signature (use Par's dtypes such as float64, int32[:], f8[:, :])`, e.kind === 'Str' ? at : what.span); return null; };
  let ret: Type | null = null;
  let params: A.Expr[];
  if (sig.kind === 'Call') {
    const r = numbaType(sig.func);
    if (!r) return fail(sig.func);
    ret = r;
    params = sig.args;
  } else if (sig.kind === 'Tuple') params = sig.elts;
  else return fail(sig);
  const types: Type[] = [];
  for (const p of params) {
    const t = numbaType(p);
    if (!t || t.kind === 'none') return fail(p);
    types.push(t);
  }
  return { params: types, ret };
}

function parseSignatureText(text: string): A.Expr | null {
  const bag = new DiagnosticBag();
  const mod = parse(sourceFile('<signature>', text), bag);
  const s = mod.body[0];
  return !bag.hasErrors && mod.body.length === 1 && s.kind === 'ExprStmt' ? s.expr : null;
}

/** A Numba type written in a signature: a dtype (`float64`, `f8`, `boolean`, `intp`), `void`, or an array (`f8[:, ::1]`). */
function numbaType(e: A.Expr): Type | null {
  const name = e.kind === 'Name' ? e.id : e.kind === 'Attribute' ? e.attr : null;
  if (name !== null) {
    if (name === 'void' || name === 'none') return NONE;
    const d = numbaDtype(name);
    return d ? scalar(d) : null;
  }
  if (e.kind === 'Subscript') {
    const base = numbaType(e.value);
    if (!base || base.kind !== 'scalar' || !e.index.every((i) => i.kind === 'Slice' && !i.ellipsis)) return null;
    return array(base.dtype, e.index.length);
  }
  return null;
}

function numbaDtype(name: string): DType | undefined {
  if (name === 'boolean' || name === 'b1') return 'bool';
  if (name === 'float_' || name === 'double') return 'float64';
  if (name === 'byte' || name === 'uchar') return 'uint8'; // Numba's byte is unsigned (NumPy's np.byte is int8)
  if (name === 'char') return 'int8';
  return dtypeNamed(name, true) ?? dtypeOfString(name);
}

/** How an unsupported NumPy dtype is reported. */
export function otherDtypeMessage(name: string): string | null {
  return OTHER_DTYPES.has(name) ? `dtype ${name} is not supported in Par yet (Par has bool, the signed and unsigned integers of 8 to 64 bits, float32 and float64)` : null;
}

function exprText(e: A.Expr): string {
  if (e.kind === 'Name') return e.id;
  if (e.kind === 'Attribute') return `${exprText(e.value)}.${e.attr}`;
  if (e.kind === 'Call') return `${exprText(e.func)}(...)`;
  return e.kind.toLowerCase();
}

/**
 * NumPy's positional parameters past the ones Par reads by position: `[kept, names]` says that the
 * first `kept` arguments stay positional and the next ones are the named parameters, in order. So
 * `zeros(n, int32)` is `zeros(n, dtype=int32)` and `a.sum(1)` is `a.sum(axis=1)` (a method's `self`
 * counts as its first argument).
 */
const NUMPY_POSITIONAL: Record<string, [number, string[]]> = {
  zeros: [1, ['dtype', 'order']], ones: [1, ['dtype', 'order']], empty: [1, ['dtype', 'order']],
  full: [2, ['dtype', 'order']],
  zeros_like: [1, ['dtype', 'order', 'subok', 'shape']], ones_like: [1, ['dtype', 'order', 'subok', 'shape']],
  empty_like: [1, ['dtype', 'order', 'subok', 'shape']], full_like: [2, ['dtype', 'order', 'subok', 'shape']],
  array: [1, ['dtype']], asarray: [1, ['dtype', 'order']], copy: [1, ['order']],
  arange: [3, ['dtype']], linspace: [3, ['endpoint', 'retstep', 'dtype', 'axis']], eye: [2, ['k', 'dtype', 'order']],
  sum: [1, ['axis', 'dtype', 'out', 'keepdims']], prod: [1, ['axis', 'dtype', 'out', 'keepdims']], mean: [1, ['axis', 'dtype', 'out', 'keepdims']],
  std: [1, ['axis', 'dtype', 'out', 'ddof', 'keepdims']], var: [1, ['axis', 'dtype', 'out', 'ddof', 'keepdims']],
  min: [1, ['axis', 'out', 'keepdims']], max: [1, ['axis', 'out', 'keepdims']], argmin: [1, ['axis', 'out', 'keepdims']],
  argmax: [1, ['axis', 'out', 'keepdims']], any: [1, ['axis', 'out', 'keepdims']], all: [1, ['axis', 'out', 'keepdims']],
  count_nonzero: [1, ['axis', 'keepdims']],
  cumsum: [2, ['dtype', 'out']], cumprod: [2, ['dtype', 'out']], sort: [2, ['kind', 'order']], argsort: [2, ['kind', 'order']],
  astype: [2, ['order', 'casting', 'subok', 'copy']],
  roll: [2, ['axis']], bincount: [1, ['weights', 'minlength']], isclose: [2, ['rtol', 'atol', 'equal_nan']], allclose: [2, ['rtol', 'atol', 'equal_nan']],
  'linalg.norm': [1, ['ord', 'axis', 'keepdims']],
  unique: [1, ['return_index', 'return_inverse', 'return_counts', 'axis']], searchsorted: [2, ['side', 'sorter']],
  histogram: [1, ['bins', 'range', 'density', 'weights']], convolve: [2, ['mode']], pad: [2, ['mode']],
  median: [1, ['axis', 'out', 'overwrite_input', 'keepdims']],
  percentile: [2, ['axis', 'out', 'overwrite_input', 'method', 'keepdims']], quantile: [2, ['axis', 'out', 'overwrite_input', 'method', 'keepdims']],
  save: [2, ['allow_pickle', 'fix_imports']], load: [1, ['mmap_mode', 'allow_pickle', 'fix_imports', 'encoding']],
  savetxt: [2, ['fmt', 'delimiter', 'newline', 'header', 'footer', 'comments', 'encoding']],
  loadtxt: [1, ['dtype', 'comments', 'delimiter', 'converters', 'skiprows', 'usecols', 'unpack', 'ndmin', 'encoding', 'max_rows']],
  take: [2, ['axis', 'out', 'mode']], identity: [1, ['dtype']], triu: [1, ['k']], tril: [1, ['k']],
};

/**
 * Rewrites a builtin call's extra positional arguments as keywords (NUMPY_POSITIONAL), and drops
 * `order='C'` (Par's arrays are C-ordered; 'K' and 'A' give the same values). Returns what it
 * found wrong; the checker rewrites each call once and reports these each time it checks the call.
 */
export function normalizeCall(c: A.Call, name: string, method: boolean, viaModule: boolean): DiagnosticBag {
  const diags = new DiagnosticBag();
  const spec = NUMPY_POSITIONAL[name];
  // max(a, b) and min(a, b) written bare are Python's: the larger of two numbers.
  if (spec && !(!method && !viaModule && (name === 'max' || name === 'min'))) {
    const kept = spec[0] - (method ? 1 : 0);
    if (c.args.length > kept) {
      const extra = c.args.splice(kept);
      extra.forEach((value, i) => {
        const kw = spec[1][i];
        if (!kw) { diags.error(Code.ArgCount, `${name}() takes at most ${kept + spec[1].length} positional arguments`, value.span); return; }
        if (c.keywords.some((k) => k.name === kw)) { diags.error(Code.ArgCount, `${name}() got multiple values for argument '${kw}'`, value.span); return; }
        c.keywords.push({ name: kw, value, span: value.span });
      });
    }
  }
  const order = c.keywords.findIndex((k) => k.name === 'order');
  // (sort's order= names fields of structured arrays: not a memory layout, and not supported.)
  if (order >= 0 && spec?.[1].includes('order') && name !== 'sort' && name !== 'argsort') {
    const v = c.keywords[order].value;
    if (v.kind === 'Str' && v.value === 'F') diags.error(Code.Unsupported, `${name}(order='F') is not supported: Par's new arrays are C-ordered`, v.span);
    else if (v.kind !== 'Str' || !['C', 'K', 'A'].includes(v.value)) diags.error(Code.TypeMismatch, "order must be 'C', 'F', 'A' or 'K'", v.span);
    c.keywords.splice(order, 1);
  }
  return diags;
}
