// A Vite plugin that compiles the playground's examples when the site is built, so that the first
// result after the page loads needs no compile: the run worker hands the entry of the example it
// prepares to compile() as `precompiled` (a cache hit), and Binaryen, whose first compile in a page
// runs cold (about 2 s on a loaded 2-core machine), warms up after that first run. The module
// `virtual:par-precompiled` is the list of { source, boundsCheck, interruptible, bytes (base64),
// manifest }; compile() ignores an entry whose source or options differ from its call's.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ID = 'virtual:par-precompiled';
const RESOLVED = '\0' + ID;
/** The options of the run worker's compiles that change the wasm (playground/src/run-worker.ts). */
const OPTIONS = { filename: 'main.par', interruptible: true };

export function precompiledExamples() {
  return {
    name: 'par-precompiled-examples',
    resolveId: (id) => (id === ID ? RESOLVED : null),
    async load(id) {
      if (id !== RESOLVED) return null;
      const { precompile } = await import('../dist/index.js');
      const src = new URL('./src/', import.meta.url);
      const list = JSON.parse(readFileSync(new URL('./examples.json', import.meta.url), 'utf8'));
      const entries = [];
      for (const x of list) {
        const file = fileURLToPath(new URL(x.file, src));
        this.addWatchFile(file);
        const source = readFileSync(file, 'utf8') + (x.append ?? '');
        const built = await precompile(source, OPTIONS);
        if (!built) throw new Error(`precompile: ${x.file} does not compile`);
        entries.push({ ...built, bytes: Buffer.from(built.bytes).toString('base64') });
      }
      return `export default ${JSON.stringify(entries)};\n`;
    },
  };
}
