// The embedded API with the small and unsigned integer dtypes: Uint8Array, Int8Array, Uint16Array,
// Int16Array, Uint32Array and BigUint64Array in and out of compile()'s functions, in-place writes
// seen by the caller, and scalars that come back unsigned.
import { describe, it, expect } from 'vitest';
import { compile } from '../index.js';

const SRC = [
  'import numpy as np',
  'def invert(img: uint8[:, :]) -> uint8[:, :]:',
  '    return 255 - img',
  'def brighten(img: uint8[:]):',
  '    img[:] = img + np.uint8(100)',
  'def total(v: uint8[:]) -> uint64:',
  '    return v.sum()',
  'def widen(v: int8[:]) -> int16[:]:',
  '    return v.astype(np.int16) * np.int16(300)',
  'def halves(v: uint16[:], s: int16[:]):',
  '    return v // 2, s // 2',
  'def biggest(v: uint32[:]) -> uint32:',
  '    return v.max()',
  'def next_u64(v: uint64[:], k: uint64) -> uint64[:]:',
  '    return v + k',
  'def wrap(x: uint8, y: int8) -> uint8:',
  '    return x + np.uint8(y)',
].join('\n');

describe('compile() API: integer dtypes', () => {
  it('passes and returns typed arrays of every integer width', async () => {
    const r = await compile(SRC, { filename: 'ints.par' });
    expect(r.diagnostics.map((d) => r.format(d))).toEqual([]);
    const p = r.program!;
    const inv = await p.call('invert', { data: new Uint8Array([0, 1, 254, 255]), shape: [2, 2], dtype: 'uint8' }) as { data: Uint8Array; shape: number[]; dtype: string };
    expect(inv.dtype).toBe('uint8');
    expect(inv.data).toBeInstanceOf(Uint8Array);
    expect(inv.shape).toEqual([2, 2]);
    expect([...inv.data]).toEqual([255, 254, 1, 0]);

    const img = new Uint8Array([0, 100, 155, 200]);
    await p.call('brighten', { data: img, shape: [4], dtype: 'uint8' });
    expect([...img]).toEqual([100, 200, 255, 44]);

    expect(await p.call('total', { data: new Uint8Array(1000).fill(255), shape: [1000], dtype: 'uint8' })).toBe(255000n);

    const w = await p.call('widen', { data: new Int8Array([-128, -1, 0, 127]), shape: [4], dtype: 'int8' }) as { data: Int16Array; dtype: string };
    expect(w.dtype).toBe('int16');
    expect(w.data).toBeInstanceOf(Int16Array);
    // -128 * 300 = -38400 wraps to 27136 in int16; 127 * 300 = 38100 wraps to -27436.
    expect([...w.data]).toEqual([27136, -300, 0, -27436]);

    const [h1, h2] = await p.call('halves', { data: new Uint16Array([65535, 7]), shape: [2], dtype: 'uint16' }, { data: new Int16Array([-7, 7]), shape: [2], dtype: 'int16' }) as { data: ArrayLike<number> }[];
    expect([...(h1.data as Uint16Array)]).toEqual([32767, 3]);
    expect([...(h2.data as Int16Array)]).toEqual([-4, 3]);

    expect(await p.call('biggest', { data: new Uint32Array([5, 4000000000, 3000000000]), shape: [3], dtype: 'uint32' })).toBe(4000000000);

    const u = await p.call('next_u64', { data: new BigUint64Array([0n, 18446744073709551615n]), shape: [2], dtype: 'uint64' }, 1n) as { data: BigUint64Array; dtype: string };
    expect(u.dtype).toBe('uint64');
    expect(u.data).toBeInstanceOf(BigUint64Array);
    expect([...u.data]).toEqual([1n, 0n]);

    // Scalars are wrapped to their dtype on the way in: uint8(300) is 44, int8(-1) is 255 as a uint8.
    expect(await p.call('wrap', 300, -1)).toBe(43);
    expect(await p.call('wrap', 200, 100)).toBe(44);
    p.dispose();
  });
});
