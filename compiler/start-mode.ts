// How this process uses Par: `par` sets `oneShot` (it compiles one program and exits), which lets
// Binaryen start on V8's baseline compiler only (Note [Binaryen on Liftoff] in binaryen.ts). A
// process that compiles many programs (the compile() API in a server, the test suite) keeps V8's
// normal tiering, under which its later compiles are faster. Kept apart so that the CLI can set it
// without loading the compiler.
export const startMode = { oneShot: false };
