// What the checker's modules share: the exception that abandons an expression whose type cannot be
// found (already reported, or to be found in a later pass of the fixpoint), the names a body
// assigns, and the short text of an expression for messages.
import type * as A from './ast.js';
import { localNames } from './definite.js';

export class Unknown extends Error {}

/** Names assigned anywhere in a body (Python's rule for what is local); imports are namespaces, not variables. */
export const assignedNames = (body: A.Stmt[]): Set<string> => localNames(body, false);

/** An expression as a message names it: `a.b`, `f(...)`, `x[...]`. */
export function exprText(e: A.Expr): string {
  switch (e.kind) {
    case 'Name': return e.id;
    case 'Attribute': return `${exprText(e.value)}.${e.attr}`;
    case 'Call': return `${exprText(e.func)}(...)`;
    case 'Subscript': return `${exprText(e.value)}[...]`;
    case 'Int': return String(e.value);
    default: return e.kind.toLowerCase();
  }
}
