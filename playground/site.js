// Builds and serves the playground's static site and starts headless Chromium: shared by the
// end-to-end tests (test/browser.test.ts) and the browser benchmarks (bench/browser.js).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build, preview } from 'vite';

const config = fileURLToPath(new URL('./vite.config.js', import.meta.url));
export const CHROMIUM = process.env.PAR_CHROMIUM ?? '/usr/bin/chromium';

/** Writes playground/dist (needs the tsc build in dist/, which the site bundles). */
export async function buildSite() {
  if (!existsSync(new URL('../dist/compiler/driver.js', import.meta.url))) {
    throw new Error("the compiler is not built: run 'npx tsc -p tsconfig.json' first");
  }
  await build({ configFile: config, logLevel: 'error' });
}

/**
 * Serves playground/dist on 127.0.0.1 (a secure context, so service workers work) on a free port:
 * with `isolation` through `vite preview` (which sends COOP/COEP, see vite.config.js), without it
 * from a plain static server, as a host that cannot set headers would.
 */
export async function serveSite({ isolation = true } = {}) {
  if (!isolation) return servePlain();
  const server = await preview({ configFile: config, logLevel: 'error', preview: { host: '127.0.0.1', port: 0 } });
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('the preview server did not report its address');
  return { url, close: () => new Promise((resolve) => server.httpServer.close(() => resolve(undefined))) };
}

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.ttf': 'font/ttf', '.wasm': 'application/wasm' };

async function servePlain() {
  const { createServer } = await import('node:http');
  const { readFile } = await import('node:fs/promises');
  const { extname, join, normalize } = await import('node:path');
  const root = fileURLToPath(new URL('./dist/', import.meta.url));
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    const file = join(root, path.endsWith('/') ? path + 'index.html' : path);
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((resolve) => server.close(() => resolve(undefined))) };
}

/** Debian's Chromium, headless, through playwright-core (which never downloads a browser). */
export async function launchChromium() {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is not installed at ${CHROMIUM}: the browser tests need it. Install it with 'apt-get install -y chromium' (CI does), or point PAR_CHROMIUM at a Chromium binary.`);
  }
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}
