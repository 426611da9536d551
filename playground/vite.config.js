// Vite configuration of the playground (`npm run playground`, `npm run build:playground`). The page
// needs cross-origin isolation for shared wasm memory, so the dev and preview servers send COOP/COEP;
// the static site also ships coi-serviceworker, which adds those headers from a service worker on
// hosts that cannot set them. The compiler and runtime come from the tsc build in ../dist; the build
// serves Binaryen's wasm as a file of its own (binaryen-wasm.js) and compiles the examples ahead of
// time (precompile.js).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { binaryenWasm } from './binaryen-wasm.js';
import { precompiledExamples } from './precompile.js';

export const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

const coiScript = fileURLToPath(new URL('../node_modules/coi-serviceworker/coi-serviceworker.min.js', import.meta.url));

/** Serves (dev) and emits (build) coi-serviceworker.js at the site's root, straight from the npm package. */
function coiServiceWorker() {
  return {
    name: 'par-coi-serviceworker',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        if (!req.url?.endsWith('/coi-serviceworker.js')) return next();
        res.setHeader('Content-Type', 'text/javascript');
        res.end(readFileSync(coiScript));
      });
    },
    generateBundle() {
      this.emitFile({ type: 'asset', fileName: 'coi-serviceworker.js', source: readFileSync(coiScript) });
    },
  };
}

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  // Relative URLs: the site works from any directory of any static host.
  base: './',
  server: { headers: isolationHeaders, fs: { allow: [fileURLToPath(new URL('..', import.meta.url))] } },
  preview: { headers: isolationHeaders },
  // Module workers: the runtime's workers use top-level await and start nested workers.
  // Binaryen and the precompiled examples are bundled only into the run worker: worker plugins.
  worker: { format: 'es', plugins: () => [binaryenWasm(), precompiledExamples()] },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 16384 },
  plugins: [coiServiceWorker()],
});
