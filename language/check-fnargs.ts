// A NumPy or math function passed where a function is expected (`integrate(np.sin, 0, 1)`,
// `pmap(math.sqrt, xs)`): Par specializes the callee for each function it is given, so the builtin
// becomes a small function of its own, `def <np.sin>(x): return np.sin(x)`, made once per builtin
// and checked and lowered like any user function (inlined into elementwise code where it is called).
import type * as A from './ast.js';
import { BINARY_UFUNCS, MATH_FNS, REDUCE_FNS, UFUNC_ALIASES, UNARY_UFUNCS } from './builtins.js';
import type { Checker } from './checker.js';
import { functionOptions } from './compat.js';
import { OPERATOR_UFUNCS } from './check-operator-ufuncs.js';
import type { Type } from './types.js';

const TWO_ARGS = new Set(['hypot', 'copysign', 'fmod', 'atan2', 'pow', 'isclose']);

/** How many arguments the builtin `name` takes when it stands for a function (0: it cannot). */
function arity(name: string): number {
  if (name.startsWith('op:')) return OPERATOR_UFUNCS.get(name.slice(3))?.[0] ?? 0;
  if (name.startsWith('math.')) {
    const m = name.slice(5);
    return MATH_FNS.has(m) ? (TWO_ARGS.has(m) ? 2 : 1) : 0;
  }
  const n = UFUNC_ALIASES.get(name) ?? name;
  if (UNARY_UFUNCS.has(n) || REDUCE_FNS.has(n)) return 1;
  if (BINARY_UFUNCS.has(n)) return 2;
  return 0;
}

/** The function type `arg` (an expression naming builtin `name`) stands for as an argument, or null. */
export function builtinAsFunction(ck: Checker, name: string, arg: A.Expr): Type | null {
  const n = arity(name);
  if (n === 0 || (arg.kind !== 'Name' && arg.kind !== 'Attribute')) return null;
  // Not an identifier, so no user function can have this name.
  const fname = `<${name}>`;
  if (!ck.functions.has(fname)) {
    const span = arg.span;
    const params: A.Param[] = ['x', 'y'].slice(0, n).map((p) => ({ name: p, annotation: null, default: null, span }));
    const call: A.Call = { kind: 'Call', func: arg, args: params.map((p): A.Expr => ({ kind: 'Name', id: p.name, span })), keywords: [], span };
    const def: A.FunctionDef = { kind: 'FunctionDef', name: fname, nameSpan: span, params, returns: null, body: [{ kind: 'Return', value: call, span }], span };
    ck.functions.set(fname, def);
    ck.options.set(def, functionOptions(def, ck.imports, ck.diags));
  }
  return { kind: 'func', name: fname };
}
