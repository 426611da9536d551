// Memory layout shared by the compiler (which emits loads/stores at these offsets) and the JS
// runtime (which reads arrays for printing and for the API). One wasm memory, shared by all threads:
//   [0, 1024)            reserved: null page, allocator state (heap top, lock, free lists)
//   [1024, heapBase)     static data: the script's module-level variables, string-free constants
//   [heapBase, ...)      heap managed by the wasm-side allocator
import type { DType } from '../language/types.js';

/** Array descriptor: 64 bytes, immutable after creation except the reference count. */
export const DESC = {
  rc: 0, data: 4, base: 8, ndim: 12, dtype: 16, size: 20,
  /** shape[k] at shape + 4k (i32), strides[k] (in elements, i32) at strides + 4k, k < MAX_NDIM */
  shape: 24, strides: 40,
  SIZE: 64,
} as const;
export const MAX_NDIM = 4;

/** Allocator state in the reserved page. */
export const ALLOC = {
  heapTop: 16,   // i32: first never-used byte of the heap
  lock: 20,      // i32: spin lock for the free lists (threads)
  freeLists: 64, // i32 heads, one per power-of-two size class 4..31
  heapBaseAddr: 24, // i32: set at start-up
  largeFree: 28, // i32: first free large block, in address order (Note [Allocator] in compiler/emit.ts)
} as const;
export const STATIC_BASE = 1024;
export const PAGE = 65536;

/** dtype codes in descriptors; 5 and 6 are OBJ_CODE and TUP_CODE, so the small integers come after. */
export const DTYPE_CODE: Record<DType, number> = {
  bool: 0, int32: 1, int64: 2, float32: 3, float64: 4, int8: 7, int16: 8, uint8: 9, uint16: 10, uint32: 11, uint64: 12,
};
export const CODE_DTYPE: DType[] = [];
for (const [d, c] of Object.entries(DTYPE_CODE)) CODE_DTYPE[c] = d as DType;
export const ELEM_SIZE: Record<DType, number> = {
  bool: 1, int32: 4, int64: 8, float32: 4, float64: 8, int8: 1, int16: 2, uint8: 1, uint16: 2, uint32: 4, uint64: 8,
};
/** The typed array that views memory as elements of each dtype (unsigned dtypes read unsigned). */
export const TYPED_ARRAY = {
  bool: Uint8Array, int8: Int8Array, int16: Int16Array, int32: Int32Array, int64: BigInt64Array,
  uint8: Uint8Array, uint16: Uint16Array, uint32: Uint32Array, uint64: BigUint64Array, float32: Float32Array, float64: Float64Array,
} as const satisfies Record<DType, unknown>;
/** dtype code of a list whose elements are descriptors (strings, arrays, lists): see Note [Lists] in compiler/lower/lists.ts. */
export const OBJ_CODE = 5;
/** dtype code of a boxed tuple (a list element that is a tuple): 8-byte slots, the objects among them marked in BOX_MASK. */
export const TUP_CODE = 6;
/** Byte offset, in a boxed tuple's descriptor, of the bit mask of its slots that hold descriptors (strides[2], unused at ndim 1). */
export const BOX_MASK = 48;
