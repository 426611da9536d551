// imshow(a): a 2-d array as a picture. The values are scaled from their minimum to their maximum and
// coloured with viridis (matplotlib's default colormap), as `matplotlib.pyplot.imshow(a)` shows them.
// The playground draws the RGBA pixels on a canvas; the CLI writes them to a PNG file (encodePNG).
import type { ArrayView } from './format.js';

export interface Picture { width: number; height: number; data: Float64Array }

/** A 2-d array view as row-major float64 values (strides, negative ones included, are followed). */
export function pictureOf(v: ArrayView): Picture {
  const [height, width] = v.shape;
  const data = new Float64Array(width * height);
  const src = v.data as ArrayLike<number | bigint>;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) data[y * width + x] = Number(src[v.offset + y * v.strides[0] + x * v.strides[1]]);
  }
  return { width, height, data };
}

/** viridis at ten evenly spaced points (R's viridis(10)), interpolated linearly between them. */
const VIRIDIS = [
  0x440154, 0x482878, 0x3e4a89, 0x31688e, 0x26828e, 0x1f9e89, 0x35b779, 0x6dcd59, 0xb4de2c, 0xfde725,
];

/** RGBA pixels, row-major; NaN and infinities are transparent (as in matplotlib). */
export function toRGBA(p: Picture): Uint8ClampedArray {
  let lo = Infinity, hi = -Infinity;
  for (const v of p.data) if (Number.isFinite(v)) { if (v < lo) lo = v; if (v > hi) hi = v; }
  const scale = hi > lo ? (VIRIDIS.length - 1) / (hi - lo) : 0;
  const out = new Uint8ClampedArray(p.data.length * 4);
  for (let i = 0; i < p.data.length; i++) {
    const v = p.data[i];
    if (!Number.isFinite(v)) continue;
    const t = (v - lo) * scale;
    const k = Math.min(Math.floor(t), VIRIDIS.length - 2), f = t - k;
    const a = VIRIDIS[k], b = VIRIDIS[k + 1];
    for (let c = 0; c < 3; c++) {
      const sh = 16 - 8 * c;
      out[4 * i + c] = Math.round(((a >> sh) & 255) * (1 - f) + ((b >> sh) & 255) * f);
    }
    out[4 * i + 3] = 255;
  }
  return out;
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 255] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** An 8-bit RGBA PNG of the picture; `deflate` is zlib's (node:zlib deflateSync on Node). */
export function encodePNG(p: Picture, deflate: (raw: Uint8Array) => Uint8Array): Uint8Array {
  const rgba = toRGBA(p);
  const stride = p.width * 4;
  const raw = new Uint8Array((stride + 1) * p.height); // each row starts with filter type 0
  for (let y = 0; y < p.height; y++) raw.set(rgba.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  const header = new Uint8Array(13);
  const hv = new DataView(header.buffer);
  hv.setUint32(0, p.width); hv.setUint32(4, p.height);
  header.set([8, 6, 0, 0, 0], 8); // 8 bits, RGBA, deflate, no filter, no interlace
  const chunks = [chunk('IHDR', header), chunk('IDAT', deflate(raw)), chunk('IEND', new Uint8Array(0))];
  const sig = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  const out = new Uint8Array(8 + chunks.reduce((n, c) => n + c.length, 0));
  out.set(sig);
  let at = 8;
  for (const c of chunks) { out.set(c, at); at += c.length; }
  return out;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  dv.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}
