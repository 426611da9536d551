// What the checker's modules share: the exception that abandons an expression whose type cannot be
// found (already reported, or to be found in a later pass of the fixpoint).
export class Unknown extends Error {}
