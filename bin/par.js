#!/usr/bin/env node
// The `par` command (package.json "bin"): a launcher for the compiled CLI in dist/compiler/cli.js,
// where all the logic and its tests live. dist/ is built by `npm install` (prepare) or `npm run build`.
// Ctrl-C while the compiler is still loading: exit as an interrupted command would (130).
const early = () => process.exit(130);
process.on('SIGINT', early);
let cli;
try {
  cli = await import('../dist/compiler/cli.js');
} catch (e) {
  // A fresh checkout without a build should say what to do, not print a module-resolution trace.
  if (e?.code !== 'ERR_MODULE_NOT_FOUND' || !String(e.message).includes('dist')) throw e;
  process.stderr.write("par: the compiler is not built yet (dist/ is missing); run 'npm install' or 'npm run build'\n");
  process.exit(70);
}
// This process compiles at most one program: Binaryen may start on V8's baseline compiler
// (Note [Binaryen on Liftoff] in compiler/binaryen.ts; compile() callers keep V8's tiering).
(await import('../dist/compiler/start-mode.js')).startMode.oneShot = true;
process.off('SIGINT', early); // main() installs its own handler, which also stops a running program
// exitCode rather than process.exit(): let piped stdout drain before the process ends.
process.exitCode = await cli.main(process.argv.slice(2));
