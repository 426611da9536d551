// The one place that loads Chevrotain's code (other files import only its types from 'chevrotain').
// On Node it loads the single-file build the package ships beside its modules (lib/chevrotain.mjs,
// the same version with lodash-es inlined) instead of the package's entry point, which pulls in
// ~180 modules of its own and ~640 of lodash-es: one file instead of ~820 took the front end's
// import from 0.3-1.0 s to 20-50 ms under load (Note [Start-up] in docs/architecture.md). Bundlers
// (the playground) and test runners without import.meta.resolve get the package as it is.
import type * as Chevrotain from 'chevrotain';

async function load(): Promise<typeof Chevrotain> {
  const resolve = (import.meta as { resolve?: (specifier: string) => string }).resolve;
  if (globalThis.process?.versions?.node && resolve) {
    // The entry point is lib/src/api.js; the bundle is lib/chevrotain.mjs.
    const bundle = new URL('../chevrotain.mjs', resolve('chevrotain')).href;
    try {
      return await import(/* @vite-ignore */ bundle) as typeof Chevrotain;
    } catch {
      // Another layout of the package: its entry point works too, only slower to load.
    }
  }
  return await import('chevrotain');
}

const chevrotain = await load();
export const { CstParser, EOF, Lexer, createToken, createTokenInstance, tokenMatcher } = chevrotain;
