// A Vite build plugin that serves Binaryen's wasm as a file of its own. binaryen.js (the npm
// package) carries its 13 MB wasm binary inside index.js as one string literal, decodes it to bytes
// when it starts and compiles them with WebAssembly.instantiate: a browser parses 14 MB of
// JavaScript, decodes ten million characters and can neither stream the compile nor cache the
// compiled code. This plugin takes the literal out at build time, emits the bytes as
// assets/binaryen-HASH.wasm (content-hashed, so it can be cached for good) and starts Binaryen with
// Emscripten's `instantiateWasm` hook, which compiles the file with WebAssembly.instantiateStreaming
// while it downloads. Only the build is changed; `vite` (dev) serves the package as it is.
import { createHash } from 'node:crypto';
import { runInNewContext } from 'node:vm';

const PACKAGE_FILE = /[\\/]node_modules[\\/]binaryen[\\/]index\.js$/;
/** Where the package decodes its embedded binary (binaryen 132's minified names). */
const DECODE = 'bA??=x6(`';
/** The package starts itself at import with no options; the hook goes in here. */
const START = 'var jr=await S6()';

/** The end of the template literal that starts at `from` (just after its opening backtick). */
function literalEnd(code, from) {
  for (let i = from; i < code.length; i++) {
    const c = code[i];
    if (c === '\\') { i++; continue; }
    if (c === '`') return i;
    if (c === '$' && code[i + 1] === '{') throw new Error('binaryen-wasm: unexpected ${ in the embedded binary');
  }
  throw new Error('binaryen-wasm: the embedded binary does not end');
}

/** The package's own decoding (its function x6): each character's low byte, characters above 255 masked as it does. */
function decode(text) {
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    bytes[i] = (~c >> 8) & c;
  }
  return bytes;
}

export function binaryenWasm() {
  let wasm = null;
  return {
    name: 'par-binaryen-wasm',
    apply: 'build',
    transform(code, id) {
      if (!PACKAGE_FILE.test(id)) return null;
      const at = code.indexOf(DECODE);
      if (at < 0 || code.indexOf(DECODE, at + 1) >= 0 || !code.includes(START)) {
        // Another binaryen.js layout: leave it embedded rather than guess.
        this.warn('binaryen-wasm: binaryen.js has an unexpected layout; its wasm stays embedded');
        return null;
      }
      const bodyStart = at + DECODE.length;
      const bodyEnd = literalEnd(code, bodyStart);
      if (code[bodyEnd + 1] !== ')') throw new Error('binaryen-wasm: unexpected text after the embedded binary');
      const bytes = decode(runInNewContext('`' + code.slice(bodyStart, bodyEnd) + '`'));
      if (!WebAssembly.validate(bytes)) throw new Error('binaryen-wasm: the extracted binary is not valid wasm');
      const hash = createHash('sha256').update(bytes).digest('hex').slice(0, 10);
      wasm = { fileName: `assets/binaryen-${hash}.wasm`, name: `binaryen-${hash}.wasm`, bytes };
      // The chunk that holds this module is emitted into assets/ too, so the URL is relative to it.
      const url = `new URL(/* @vite-ignore */ './${wasm.name}', import.meta.url)`;
      const hook = `{instantiateWasm(imports, done) {
  WebAssembly.instantiateStreaming(fetch(${url}), imports)
    .then((r) => done(r.instance, r.module), (e) => { setTimeout(() => { throw new Error('could not load Binaryen: ' + e.message); }); });
  return {};
}}`;
      const out = code.slice(0, at) + 'bA??=new Uint8Array(0)' + code.slice(bodyEnd + 2).replace(START, `var jr=await S6(${hook})`);
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
