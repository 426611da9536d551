// Argument unpacking, `f(*t)`: a call with starred tuples is checked and lowered as the call with the
// tuples' items in their place (`f(t[0], t[1])`). A tuple's length is part of its type, so the
// expansion is made per specialization: a function called with a 2-d and a 3-d shape has two.
import type * as A from './ast.js';
import { Code } from './diagnostics.js';
import { showType, type Type } from './types.js';
import { Unknown } from './check-base.js';
import type { Checker } from './checker.js';

/** The expanded calls of each starred call, by the lengths of its tuples (shared by every instance). */
const expansions = new WeakMap<A.Call, Map<string, A.Call>>();

/** Whether evaluating `e` again gives the same value and does nothing else (a name, `a.shape`, `t[0]`). */
function repeatable(e: A.Expr): boolean {
  switch (e.kind) {
    case 'Name': case 'Int': case 'Float': case 'Bool': case 'Str': return true;
    case 'Attribute': return repeatable(e.value);
    case 'Subscript': return repeatable(e.value) && e.index.every(repeatable);
    case 'Slice': return [e.lower, e.upper, e.step].every((x) => !x || repeatable(x));
    case 'None': return true;
    case 'Unary': return repeatable(e.operand);
    default: return false;
  }
}

/** The call `c` stands for in this instance: itself, or its expansion when it has starred arguments. */
export function starCall(ck: Checker, c: A.Call): A.Call {
  if (!c.stars?.length) return c;
  const pieces: A.Expr[][] = [];
  const lengths: number[] = [];
  c.args.forEach((a, i) => {
    if (!c.stars!.includes(i)) { pieces.push([a]); return; }
    if (a.kind === 'Tuple') { pieces.push(a.elts); lengths.push(a.elts.length); return; }
    const t: Type = ck.expr(a);
    if (t.kind !== 'tuple') {
      ck.error(Code.Unsupported, `argument unpacking ('*') needs a tuple, whose length Par knows when it compiles; this is ${showType(t)}${t.kind === 'list' || t.kind === 'array' ? '' : ''}`, a.span);
      throw new Unknown();
    }
    if (!repeatable(a)) {
      ck.error(Code.Unsupported, 'argument unpacking (\'*\') of an expression that computes something: assign the tuple to a variable first (t = ...; f(*t))', a.span);
      throw new Unknown();
    }
    lengths.push(t.elems.length);
    pieces.push(t.elems.map((_, k): A.Expr => ({ kind: 'Subscript', value: a, index: [{ kind: 'Int', value: BigInt(k), span: a.span }], span: a.span })));
  });
  let byLength = expansions.get(c);
  if (!byLength) expansions.set(c, (byLength = new Map()));
  const key = lengths.join(',');
  let x = byLength.get(key);
  if (!x) {
    x = { kind: 'Call', func: c.func, args: pieces.flat(), keywords: c.keywords, span: c.span };
    byLength.set(key, x);
  }
  ck.inst.starCalls.set(c, x);
  return x;
}
