// A Vite build plugin that serves Binaryen's wasm as a file of its own. binaryen.js (the npm
// package) carries its 13 MB wasm binary inside index.js as one string literal, decodes it to bytes
// when it starts and compiles them with WebAssembly.instantiate: a browser parses 14 MB of
// JavaScript, decodes ten million characters and can neither stream the compile nor cache the
// compiled code. This plugin takes the literal out at build time (scripts/split-binaryen.js, which
// also makes the copy Par loads on Node), emits the bytes as assets/binaryen-HASH.wasm
// (content-hashed, so it can be cached for good) and starts Binaryen with Emscripten's
// `instantiateWasm` hook, which compiles the file with WebAssembly.instantiateStreaming while it
// downloads. Only the build is changed; `vite` (dev) serves the package as it is.
import { createHash } from 'node:crypto';
import { splitBinaryen } from '../scripts/split-binaryen.js';

const PACKAGE_FILE = /[\\/]node_modules[\\/]binaryen[\\/]index\.js$/;

export function binaryenWasm() {
  let wasm = null;
  return {
    name: 'par-binaryen-wasm',
    apply: 'build',
    transform(code, id) {
      if (!PACKAGE_FILE.test(id)) return null;
      // The hook names the file by its hash, which is known only once the bytes are out.
      const HOOK = '__PAR_BINARYEN_HOOK__';
      const split = splitBinaryen(code, `await S6(${HOOK})`);
      if (!split) {
        // Another binaryen.js layout: leave it embedded rather than guess.
        this.warn('binaryen-wasm: binaryen.js has an unexpected layout; its wasm stays embedded');
        return null;
      }
      const hash = createHash('sha256').update(split.bytes).digest('hex').slice(0, 10);
      wasm = { fileName: `assets/binaryen-${hash}.wasm`, name: `binaryen-${hash}.wasm`, bytes: split.bytes };
      // The chunk that holds this module is emitted into assets/ too, so the URL is relative to it.
      const url = `new URL(/* @vite-ignore */ './${wasm.name}', import.meta.url)`;
      const hook = `{instantiateWasm(imports, done) {
  WebAssembly.instantiateStreaming(fetch(${url}), imports)
    .then((r) => done(r.instance, r.module), (e) => { setTimeout(() => { throw new Error('could not load Binaryen: ' + e.message); }); });
  return {};
}}`;
      const out = split.code.replace(HOOK, hook);
      return { code: out, map: null };
    },
    generateBundle(_options, bundle) {
      if (!wasm) return;
      const chunk = Object.values(bundle).find((c) => c.type === 'chunk' && c.code.includes(wasm.name));
      if (!chunk) throw new Error('binaryen-wasm: no chunk refers to the extracted binary');
      if (!chunk.fileName.startsWith('assets/') || chunk.fileName.includes('/', 7)) {
        throw new Error(`binaryen-wasm: Binaryen's chunk is ${chunk.fileName}, not in assets/; the relative URL would miss`);
      }
      this.emitFile({ type: 'asset', fileName: wasm.fileName, source: wasm.bytes });
    },
  };
}
