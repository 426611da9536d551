// Par's static types: NumPy dtypes for scalars and array elements, arrays of a fixed rank, tuples,
// and the few non-value types the checker needs (strings for print/raise, dtypes as values, ...).
export type DType = 'bool' | 'int32' | 'int64' | 'float32' | 'float64';
export const DTYPES: readonly DType[] = ['bool', 'int32', 'int64', 'float32', 'float64'];
