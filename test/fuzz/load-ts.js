// Loads a small TypeScript test helper (test/compare-output.ts) from plain Node, for `npm run fuzz`:
// transpiled with the TypeScript compiler the project already depends on, imported from a data URL.
import { readFileSync } from 'node:fs';
import ts from 'typescript';

export async function importTs(url) {
  const out = ts.transpileModule(readFileSync(url, 'utf8'), { compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 } });
  return import('data:text/javascript;base64,' + Buffer.from(out.outputText).toString('base64'));
}
