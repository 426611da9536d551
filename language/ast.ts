// The abstract syntax tree built from the CST by the visitor. It mirrors Python's `ast` module for
// the subset Par accepts; it holds spans but no types (the checker builds a typed tree).
import type { SourceFile, Span } from './source.js';

interface Node { span: Span }

export type Expr =
  | IntLit | FloatLit | ImagLit | BoolLit | StrLit | NoneLit | Name
  | Unary | Binary | Compare | BoolOp | IfExp
  | Call | Attribute | Subscript | Slice | TupleExpr | ListExpr | Lambda | JoinedStr | ListComp;

export interface IntLit extends Node { kind: 'Int'; value: bigint }
export interface FloatLit extends Node { kind: 'Float'; value: number }
/** `2j`, `1.5j`: an imaginary literal (its value is the imaginary part). */
export interface ImagLit extends Node { kind: 'Imag'; value: number }
export interface BoolLit extends Node { kind: 'Bool'; value: boolean }
export interface StrLit extends Node { kind: 'Str'; value: string }
/** `f"sum={s:.3f}"` (with any adjacent literals joined in): literal text and formatted values, as CPython's JoinedStr. */
export interface JoinedStr extends Node { kind: 'JoinedStr'; parts: FStringPart[] }
/** `{value!conversion:spec}`; the spec is literal text and nested fields (`{x:{w}.{p}f}`), null without `:`. */
export interface FormattedValue { value: Expr; conversion: 'r' | 's' | 'a' | null; spec: FStringPart[] | null; span: Span }
export type FStringPart = string | FormattedValue;
export interface NoneLit extends Node { kind: 'None' }
export interface Name extends Node { kind: 'Name'; id: string }

export type UnaryOp = '-' | '+' | 'not' | '~';
export interface Unary extends Node { kind: 'Unary'; op: UnaryOp; operand: Expr }

export type BinaryOp = '+' | '-' | '*' | '/' | '//' | '%' | '**' | '@' | '&' | '|' | '^' | '<<' | '>>';
export interface Binary extends Node { kind: 'Binary'; op: BinaryOp; left: Expr; right: Expr }

export type CompareOp = '<' | '<=' | '>' | '>=' | '==' | '!=' | 'is' | 'is not' | 'in' | 'not in';
/** Chained comparison `a < b <= c`: ops.length === comparators.length. */
export interface Compare extends Node { kind: 'Compare'; left: Expr; ops: CompareOp[]; comparators: Expr[] }

export interface BoolOp extends Node { kind: 'BoolOp'; op: 'and' | 'or'; values: Expr[] }
export interface IfExp extends Node { kind: 'IfExp'; test: Expr; body: Expr; orelse: Expr }

export interface Keyword { name: string; value: Expr; span: Span }
/** `stars`: the positions in `args` written `*t` (argument unpacking; the checker expands them, see starCall). */
export interface Call extends Node { kind: 'Call'; func: Expr; args: Expr[]; keywords: Keyword[]; stars?: number[] }
export interface Attribute extends Node { kind: 'Attribute'; value: Expr; attr: string; attrSpan: Span }
/** `a[i, 1:n, ::2]`: one entry per comma-separated index; slices appear as Slice nodes. */
export interface Subscript extends Node { kind: 'Subscript'; value: Expr; index: Expr[] }
/** Only valid inside Subscript.index (and annotations such as `float64[:, :]`). `...` is a Slice with
 * `ellipsis` set: it stands for as many full slices as the indexed array has axes left over, so every
 * pass that only looks inside indices treats it as the `:` it expands to. */
export interface Slice extends Node { kind: 'Slice'; lower: Expr | null; upper: Expr | null; step: Expr | null; ellipsis?: true }
export interface TupleExpr extends Node { kind: 'Tuple'; elts: Expr[] }
export interface ListExpr extends Node { kind: 'List'; elts: Expr[] }
export interface Lambda extends Node { kind: 'Lambda'; params: Param[]; body: Expr }
/** `for target in iter if c1 if c2` inside a comprehension. */
export interface Comprehension { target: Expr; iter: Expr; ifs: Expr[] }
/** `[elt for ... in ...]`; also a generator expression (`sum(x * x for x in xs)`, `generator` set), which Par
 *  evaluates as the list it would produce. Its loop variables are its own, as in Python 3. */
export interface ListComp extends Node { kind: 'ListComp'; elt: Expr; generators: Comprehension[]; generator?: true }

export type Stmt =
  | ExprStmt | Assign | AugAssign | AnnAssign | If | While | For | Break | Continue | Pass | Return
  | FunctionDef | With | Raise | Assert | Import | ImportFrom | Global;

export interface ExprStmt extends Node { kind: 'ExprStmt'; expr: Expr }
/** `a = b = value`: targets are Name, Subscript, Attribute or Tuple (of targets). */
export interface Assign extends Node { kind: 'Assign'; targets: Expr[]; value: Expr }
export interface AugAssign extends Node { kind: 'AugAssign'; target: Expr; op: BinaryOp; value: Expr }
export interface AnnAssign extends Node { kind: 'AnnAssign'; target: Expr; annotation: Expr; value: Expr | null }
/** `elif` is an If nested alone in orelse, as in Python's ast. */
export interface If extends Node { kind: 'If'; test: Expr; body: Stmt[]; orelse: Stmt[] }
export interface While extends Node { kind: 'While'; test: Expr; body: Stmt[] }
export interface For extends Node { kind: 'For'; target: Expr; iter: Expr; body: Stmt[] }
export interface Break extends Node { kind: 'Break' }
export interface Continue extends Node { kind: 'Continue' }
export interface Pass extends Node { kind: 'Pass' }
/** `global a, b`: the function's assignments to these names rebind the module-level variables. */
export interface Global extends Node { kind: 'Global'; names: string[] }
export interface Return extends Node { kind: 'Return'; value: Expr | null }
export interface Param { name: string; annotation: Expr | null; default: Expr | null; span: Span }
export interface FunctionDef extends Node {
  kind: 'FunctionDef'; name: string; nameSpan: Span; params: Param[]; returns: Expr | null; body: Stmt[];
  /** `@njit(parallel=True)` lines, outermost first; their meaning is decided by language/compat.ts. */
  decorators?: Expr[];
}
export interface WithItem { context: Expr; asName: string | null; span: Span }
export interface With extends Node { kind: 'With'; items: WithItem[]; body: Stmt[] }
export interface Raise extends Node { kind: 'Raise'; exc: Expr | null }
export interface Assert extends Node { kind: 'Assert'; test: Expr; msg: Expr | null }
/** `import numpy as np`, `import math` */
export interface Import extends Node { kind: 'Import'; module: string; asName: string | null }
/** `from numpy import *`, `from par import prange, parallel` */
export interface ImportFrom extends Node { kind: 'ImportFrom'; module: string; names: { name: string; asName: string | null }[] | '*' }

/** `file` is set by parse(), so that dumps and later stages can show line:col. */
export interface Module { kind: 'Module'; body: Stmt[]; span: Span; file?: SourceFile }

/** `index` with its `...` replaced by full slices for an array of `ndim` axes (NumPy: the indices
 * other than None and `...` take one axis each; `...` takes the rest, possibly none). The checker
 * rejects a second `...`; here any further one becomes nothing. */
export function expandEllipsis(index: Expr[], ndim: number): Expr[] {
  const at = index.findIndex((ix) => ix.kind === 'Slice' && ix.ellipsis);
  if (at < 0) return index;
  const taken = index.filter((ix) => ix.kind !== 'None' && !(ix.kind === 'Slice' && ix.ellipsis)).length;
  const span = index[at].span;
  const full = Array.from({ length: Math.max(0, ndim - taken) }, (): Slice => ({ kind: 'Slice', lower: null, upper: null, step: null, span }));
  return [...index.slice(0, at), ...full, ...index.slice(at + 1).filter((ix) => !(ix.kind === 'Slice' && ix.ellipsis))];
}
