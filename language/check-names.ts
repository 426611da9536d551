// Typing of names and attributes (part of the Checker, as a mixin class): variables, Python's and
// NumPy's builtin names through imports, members of modules (np.float32, math.pi, np.random), and the
// attributes of arrays, dtypes, teams, strings, lists, generators and complex numbers.
import type * as A from './ast.js';
import { Code } from './diagnostics.js';
import type { Span } from './source.js';
import { GENERATOR_FNS, RANDOM_FNS } from './check-random.js';
import { STR_METHODS } from './check-strings.js';
import { LIST_METHODS } from './check-lists.js';
import { OPERATOR_UFUNCS } from './check-operator-ufuncs.js';
import { NAN_REDUCTIONS } from './check-nan-reductions.js';
import { FORMULA_FNS } from './check-formula-rewrites.js';
import { Unknown } from './check-base.js';
import { ABSTRACT_DTYPES, CONSTANTS, DECORATOR_NAMES, EXCEPTIONS, isBuiltinName, LINALG_FNS, MATH_FNS, UFUNC_ALIASES } from './builtins.js';
import { array, DTYPE_INFO, dtypeNamed, INT, isInt, showType, STR, type Type } from './types.js';
import { otherDtypeMessage, submodule } from './compat.js';
import { complexAttribute } from './check-complex.js';
import type { Checker } from './checker.js';

export class NameTyping {
  name(this: Checker, e: A.Name): Type {
    const id = e.id;
    if (this.localNames.has(id) && !(this.isMain === false && this.globalNames.has(id) && !this.inst.locals.has(id) && !this.localNames.has(id))) {
      const t = this.inst.locals.get(id);
      if (t) return t;
      this.changed = true;
      const said = this.poisoned.has(id) || this.assigned.errors.some((d) => d.read === e);
      if (!this.quiet && !said) this.error(Code.UndefinedName, `name '${id}' is used before it is assigned`, e.span);
      throw new Unknown();
    }
    if (!this.isMain && this.globalNames.has(id)) {
      const t = this.mainLocals.get(id);
      if (t) { this.inst.globalsUsed.add(id); return t; }
      if (!this.mainPoisoned.has(id)) this.error(Code.UndefinedName, `module-level variable '${id}' has no type yet where this function is first called; assign it before the call`, e.span);
      throw new Unknown();
    }
    if (this.functions.has(id)) return { kind: 'func', name: id };
    const mod = this.imports.modules.get(id);
    if (mod) return { kind: 'module', name: mod };
    const imported = this.imports.names.get(id);
    if (imported) return this.moduleMember(imported.module, imported.name, e.span);
    return this.knownName(id, null, e.span);
  }
  /** A name Par knows without a definition: builtins, constants, dtypes, exceptions (`module` when written `np.name`). */
  knownName(this: Checker, id: string, module: string | null, span: Span): Type {
    if (module === 'numpy' && OPERATOR_UFUNCS.has(id)) return { kind: 'builtin', name: 'op:' + id };
    if (module === 'numpy' && NAN_REDUCTIONS.has(id)) return { kind: 'builtin', name: 'nan:' + id };
    if (module === 'numpy' && FORMULA_FNS.has(id)) return { kind: 'builtin', name: 'formula:' + id };
    if (isBuiltinName(id) || EXCEPTIONS.has(id)) return { kind: 'builtin', name: UFUNC_ALIASES.get(id) ?? id };
    if (CONSTANTS[id]) return CONSTANTS[id];
    if (id === '__name__' && module === null) return STR;
    const d = dtypeNamed(id, module !== null);
    if (d) return { kind: 'dtype', dtype: d, cls: true };
    if (id === 'int' || id === 'float' || id === 'bool') return { kind: 'builtin', name: id };
    if (module === 'numpy' && ABSTRACT_DTYPES[id]) return { kind: 'builtin', name: 'abstract:' + id };
    const shown = module ? `${module}.${id}` : id;
    if (DECORATOR_NAMES.has(id)) this.error(Code.Unsupported, `'${shown}' is a decorator: write @${id} on the line above a def`, span);
    else if (otherDtypeMessage(id)) this.error(Code.Unsupported, otherDtypeMessage(id)!, span);
    else this.error(Code.UndefinedName, module ? `'${shown}' is not available in Par` : `undefined name '${id}'`, span);
    throw new Unknown();
  }
  /** `module.id`, also as `from module import id`. */
  moduleMember(this: Checker, module: string, id: string, span: Span): Type {
    const sub = submodule(module, id);
    if (sub) return { kind: 'module', name: sub };
    // Python's math is its own module: math.asin is not np.arcsin where Python raises (mathCall).
    if (module === 'math') {
      if (MATH_FNS.has(id) || id === 'prod') return { kind: 'builtin', name: 'math.' + id };
      if (Object.hasOwn(CONSTANTS, id)) return CONSTANTS[id];
      this.error(Code.UndefinedName, `'math.${id}' is not available in Par`, span);
      throw new Unknown();
    }
    if (module === 'numpy.random') {
      if (RANDOM_FNS.has(id) || id === 'default_rng' || id === 'RandomState') return { kind: 'builtin', name: 'random.' + id };
      this.error(Code.UndefinedName, `'numpy.random.${id}' is not available in Par (${[...RANDOM_FNS, 'default_rng', 'RandomState'].join(', ')} are)`, span);
      throw new Unknown();
    }
    if (module === 'numpy.linalg') {
      if (LINALG_FNS.has(id)) return { kind: 'builtin', name: 'linalg.' + id };
      this.error(Code.UndefinedName, `'numpy.linalg.${id}' is not available in Par (numpy.linalg.norm is)`, span);
      throw new Unknown();
    }
    // NumPy's divmod is a ufunc (no ZeroDivisionError for floats); the bare name is Python's builtin.
    if (module === 'numpy' && id === 'divmod') return { kind: 'builtin', name: 'np.divmod' };
    // Python's clocks all give wall-clock seconds: as timers they are wtime().
    if (module === 'time') {
      if (['time', 'perf_counter', 'monotonic'].includes(id)) return { kind: 'builtin', name: 'wtime' };
      this.error(Code.UndefinedName, `'time.${id}' is not available in Par (time.time, time.perf_counter and time.monotonic are)`, span);
      throw new Unknown();
    }
    return this.knownName(id, module, span);
  }
  /** `np.iinfo(d).max`, `.min`, `.bits`: a Python int, the call recorded as `iinfo:<dtype>` for lowering. */
  iinfo(this: Checker, e: A.Attribute): Type | null {
    const c = e.value;
    if (c.kind !== 'Call') return null;
    const f = c.func;
    const imported = f.kind === 'Name' ? this.imports.names.get(f.id) : undefined;
    const named = f.kind === 'Name' ? imported?.module === 'numpy' && imported.name === 'iinfo'
      : f.kind === 'Attribute' && f.attr === 'iinfo' && f.value.kind === 'Name' && this.imports.modules.get(f.value.id) === 'numpy';
    if (!named) return null;
    if (c.args.length !== 1 || c.keywords.length) { this.error(Code.ArgCount, 'iinfo() takes one dtype', c.span); throw new Unknown(); }
    const d = this.dtypeOf(c.args[0]);
    if (!d) throw new Unknown();
    if (!isInt(d)) { this.error(Code.ValueError, `Invalid integer data type '${DTYPE_INFO[d].kind}'.`, c.args[0].span); throw new Unknown(); }
    if (!['max', 'min', 'bits'].includes(e.attr)) { this.error(Code.UndefinedName, `'iinfo' object has no attribute '${e.attr}' (Par has min, max and bits)`, e.span); throw new Unknown(); }
    if (e.attr === 'max' && d === 'uint64') { this.error(Code.Unsupported, 'np.iinfo(np.uint64).max does not fit in int64, the range of Par\'s Python ints', e.span); throw new Unknown(); }
    this.inst.calls.set(c, { kind: 'builtin', name: 'iinfo:' + d, self: null });
    return INT;
  }
  attribute(this: Checker, e: A.Attribute): Type {
    const info = this.iinfo(e);
    if (info) return info;
    const base = this.expr(e.value);
    if (base.kind === 'module') return this.moduleMember(base.name, e.attr, e.span);
    if (base.kind === 'team') {
      this.teamAlive(e);
      switch (e.attr) {
        case 'thread_num': case 'num_threads': return INT;
        case 'lock': return { kind: 'lock' };
        case 'range': case 'xrange': case 'barrier': case 'print': return { kind: 'builtin', name: 'p.' + e.attr };
      }
      this.error(Code.UndefinedName, `a parallel team has no attribute '${e.attr}'`, e.span);
      throw new Unknown();
    }
    if (base.kind === 'array') {
      switch (e.attr) {
        case 'shape': return { kind: 'tuple', elems: Array(base.ndim).fill(INT) };
        case 'ndim': case 'size': case 'itemsize': case 'nbytes': return INT;
        case 'dtype': return { kind: 'dtype', dtype: base.dtype };
        case 'T': return array(base.dtype, base.ndim);
        case 'flat': return array(base.dtype, 1);
      }
      if (['sum', 'prod', 'min', 'max', 'mean', 'argmin', 'argmax', 'any', 'all', 'std', 'var', 'copy', 'reshape', 'ravel', 'astype', 'transpose', 'swapaxes', 'dot', 'fill', 'sort', 'argsort', 'cumsum', 'cumprod', 'flatten', 'diagonal', 'trace', 'nonzero', 'repeat', 'squeeze'].includes(e.attr))
        return { kind: 'builtin', name: '.' + e.attr };
    }
    if (base.kind === 'complex') return complexAttribute(this, e);
    if (base.kind === 'str' && STR_METHODS.has(e.attr)) return { kind: 'builtin', name: '.s:' + e.attr };
    if (base.kind === 'list' && LIST_METHODS.has(e.attr)) return { kind: 'builtin', name: '.l:' + e.attr };
    if (base.kind === 'rng' && (base.gen === 'mt' ? RANDOM_FNS : GENERATOR_FNS).has(e.attr)) return { kind: 'builtin', name: '.rng:' + e.attr };
    if (base.kind === 'array' && e.attr === 'tolist') return { kind: 'builtin', name: '.tolist' };
    if (base.kind === 'dtype') {
      switch (e.attr) {
        case 'name': case 'kind': case 'char': return { kind: 'str' };
        case 'itemsize': return INT;
        case 'type': return { kind: 'dtype', dtype: base.dtype, cls: true };
      }
    }
    // A NumPy scalar has a dtype; a Python number (a weak scalar) has none.
    if (base.kind === 'scalar' && e.attr === 'dtype' && !base.weak) return { kind: 'dtype', dtype: base.dtype };
    this.error(Code.UndefinedName, `${showType(base)} has no attribute '${e.attr}'`, e.span);
    throw new Unknown();
  }
}
