// The loop IR: what lowering produces and the wasm emitter consumes. Close to wasm (value types,
// loads/stores with explicit addresses) but structured: counted loops, parallel loops with their
// schedule and reductions, parallel regions, and array allocation/release are explicit nodes, so
// passes can see and transform them (see Note [Parallelism is data]).
//
// Note [Parallelism is data]: a ParFor carries everything a runtime needs to run it on a team:
// the iteration space, the schedule, the reductions (operator + identity), and the source line for
// reports. Whether it runs serially is decided by passes and by the runtime's cost model, never
// by the emitter.

export type VT = 'i32' | 'i64' | 'f32' | 'f64' | 'v128';
/** Memory access types: bool and uint8 arrays are stored as u8; i8/u16/i16 load sign- or zero-extended
 *  to i32 (and store the low bits); v128 moves 16 bytes (SIMD). */
export type Mem = 'u8' | 'i8' | 'u16' | 'i16' | 'i32' | 'i64' | 'f32' | 'f64' | 'v128';

/** SIMD lane shapes (see Note [SIMD]). */
export type Lanes = 'f64x2' | 'f32x4' | 'i64x2' | 'i32x4';
const FLOAT_LANE_OPS = ['add', 'sub', 'mul', 'div', 'min', 'max', 'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'neg', 'abs', 'sqrt', 'floor', 'ceil', 'trunc', 'nearest'] as const;
const INT_LANE_OPS = ['add', 'sub', 'mul', 'eq', 'ne', 'lt_s', 'gt_s'] as const;
/**
 * Note [SIMD]: the IR's SIMD is one expression kind, `simd`, whose `op` names a wasm SIMD
 * instruction ('f64x2.add', 'v128.bitselect', ...), plus v128 loads and stores (mem 'v128'). Lane
 * arithmetic is IEEE per lane, so a vectorized loop computes exactly what its scalar form does.
 * SIMD_OPS gives each op's operand and result types; lane ops (splat excepted) take `lane`.
 */
export const SIMD_OPS: Readonly<Record<string, { args: VT[]; result: VT; lane?: true }>> = (() => {
  const ops: Record<string, { args: VT[]; result: VT; lane?: true }> = {};
  const scalarOf: Record<Lanes, VT> = { f64x2: 'f64', f32x4: 'f32', i64x2: 'i64', i32x4: 'i32' };
  for (const l of ['f64x2', 'f32x4', 'i64x2', 'i32x4'] as Lanes[]) {
    const s = scalarOf[l];
    ops[`${l}.splat`] = { args: [s], result: 'v128' };
    ops[`${l}.extract_lane`] = { args: ['v128'], result: s, lane: true };
    ops[`${l}.replace_lane`] = { args: ['v128', s], result: 'v128', lane: true };
    for (const op of l[0] === 'f' ? FLOAT_LANE_OPS : INT_LANE_OPS) {
      ops[`${l}.${op}`] = { args: ['neg', 'abs', 'sqrt', 'floor', 'ceil', 'trunc', 'nearest'].includes(op) ? ['v128'] : ['v128', 'v128'], result: 'v128' };
    }
  }
  for (const op of ['and', 'or', 'xor', 'andnot']) ops[`v128.${op}`] = { args: ['v128', 'v128'], result: 'v128' };
  for (const op of ['min_s', 'max_s']) ops[`i32x4.${op}`] = { args: ['v128', 'v128'], result: 'v128' };
  // Narrow lanes (Note [Narrow lanes] in vectorize.ts): splats of i32 values and wrapping arithmetic.
  for (const l of ['i8x16', 'i16x8']) {
    ops[`${l}.splat`] = { args: ['i32'], result: 'v128' };
    for (const op of l === 'i16x8' ? ['add', 'sub', 'mul'] : ['add', 'sub']) ops[`${l}.${op}`] = { args: ['v128', 'v128'], result: 'v128' };
  }
  ops['v128.not'] = { args: ['v128'], result: 'v128' };
  ops['v128.any_true'] = { args: ['v128'], result: 'i32' };
  /** bitselect(a, b, mask): bits of a where mask is 1, of b where it is 0. */
  ops['v128.bitselect'] = { args: ['v128', 'v128', 'v128'], result: 'v128' };
  return ops;
})();

export type BinOp =
  | 'add' | 'sub' | 'mul' | 'div_s' | 'div_u' | 'rem_s' | 'rem_u' | 'div' // div: float division
  | 'and' | 'or' | 'xor' | 'shl' | 'shr_s' | 'shr_u'
  | 'eq' | 'ne' | 'lt_s' | 'le_s' | 'gt_s' | 'ge_s' | 'lt_u' | 'le_u' | 'gt_u' | 'ge_u' | 'lt' | 'le' | 'gt' | 'ge' // lt..ge: float
  | 'min' | 'max' | 'min_u' | 'max_u' | 'copysign';
/** Comparisons: for these `bin.t` is the OPERAND type and the result is always i32 (0 or 1). */
export const CMP_OPS: ReadonlySet<BinOp> = new Set<BinOp>(['eq', 'ne', 'lt_s', 'le_s', 'gt_s', 'ge_s', 'lt_u', 'le_u', 'gt_u', 'ge_u', 'lt', 'le', 'gt', 'ge']);
/** extend8_s/extend16_s: sign-extend the low 8/16 bits (how int8/int16 values wrap). */
export type UnOp = 'neg' | 'abs' | 'sqrt' | 'floor' | 'ceil' | 'trunc' | 'nearest' | 'eqz' | 'clz' | 'ctz' | 'popcnt' | 'extend8_s' | 'extend16_s';
/** Conversions between value types; `s` = signed/saturating where it matters. */
export type CvtOp =
  | 'i32->i64' | 'i64->i32' | 'i32->f32' | 'i32->f64' | 'i64->f32' | 'i64->f64'
  | 'f32->i32' | 'f32->i64' | 'f64->i32' | 'f64->i64' | 'f32->f64' | 'f64->f32' | 'u32->i64'
  /** Unsigned integer sources (uint32 in an i32, uint64 in an i64). */
  | 'u32->f32' | 'u32->f64' | 'u64->f32' | 'u64->f64'
  /** Bit-pattern reinterpretations (for atomic updates of floats by compare-and-swap). */
  | 'bits:f32->i32' | 'bits:i32->f32' | 'bits:f64->i64' | 'bits:i64->f64';

/**
 * Typing conventions (checked by verify.ts): every operand of `bin`/`un`/`select` has type `t`, and
 * the result has type `t` EXCEPT comparisons (CMP_OPS) and `un eqz`, whose `t` is the operand type
 * and whose result is i32. Integer ops (div_s, shl, clz, ...) need i32/i64; float ops (div, lt..ge,
 * sqrt, floor, ...) need f32/f64; add/sub/mul/eq/ne/min/max/neg/abs work on all four (integer min/max
 * are signed; float max(a, b) is NumPy's: a if a is NaN or a > b, else b, and min likewise). Addresses are i32. `cvt.t` is the destination type of its op; f->i conversions saturate.
 * A v128 value is made and consumed only by `simd`, v128 loads/stores, locals and `select`.
 */
export type Expr =
  | { k: 'const'; t: VT; v: number | bigint }
  | { k: 'get'; t: VT; name: string }
  /** atomic: a sequentially consistent load (integer mems), for flags other threads write.
   * offset: a constant byte offset added to addr (the wasm memarg offset, so it costs no add; a
   * non-negative integer below 2^32; the sum does not wrap, it traps past the end of memory). */
  | { k: 'load'; t: VT; mem: Mem; addr: Expr; atomic?: boolean; offset?: number }
  | { k: 'bin'; t: VT; op: BinOp; a: Expr; b: Expr }
  | { k: 'un'; t: VT; op: UnOp; a: Expr }
  | { k: 'cvt'; t: VT; op: CvtOp; a: Expr }
  | { k: 'select'; t: VT; cond: Expr; a: Expr; b: Expr }
  /** Call of an IR function, an import or a RUNTIME_FUNCS entry; t null when it returns nothing or
   * several values (then only valid in an `expr`, `trap` or `setm` stmt). */
  | { k: 'call'; t: VT | null; fn: string; args: Expr[] }
  /** Atomic read-modify-write on memory; returns the old value. */
  | { k: 'atomic'; t: VT; mem: Mem; op: 'add' | 'sub' | 'and' | 'or' | 'xor' | 'xchg'; addr: Expr; value: Expr }
  | { k: 'cmpxchg'; t: VT; mem: Mem; addr: Expr; expected: Expr; replacement: Expr }
  /** memory.size / memory.grow, in 64 KiB pages; grow returns the old size, or -1 when it fails. */
  | { k: 'memsize'; t: 'i32' }
  | { k: 'memgrow'; t: 'i32'; pages: Expr }
  /** memory.atomic.wait32: sleeps while [addr] == expected (timeout in ns, -1 = forever); 0 woken, 1 not-equal, 2 timed out. */
  | { k: 'wait'; t: 'i32'; addr: Expr; expected: Expr; timeout: Expr }
  /** memory.atomic.notify: wakes up to `count` waiters on addr; returns how many woke. */
  | { k: 'notify'; t: 'i32'; addr: Expr; count: Expr }
  /** A SIMD instruction (see Note [SIMD]); `t` is SIMD_OPS[op].result. */
  | { k: 'simd'; t: VT; op: string; args: Expr[]; lane?: number };

export type Schedule = 'auto' | 'static' | 'dynamic' | 'guided' | 'runtime';
/** min_u/max_u: of uint32/uint64 values. */
export type ReduceOp = 'add' | 'mul' | 'and' | 'or' | 'xor' | 'min' | 'max' | 'min_u' | 'max_u';

export interface Reduction { name: string; t: VT; op: ReduceOp }

export type Stmt =
  | { k: 'set'; name: string; value: Expr }
  /** Sets several locals from a multi-value call (its `t` is null; the callee's results give the types). */
  | { k: 'setm'; names: string[]; call: Expr & { k: 'call' } }
  /** offset: a constant byte offset added to addr, as for `load`. */
  | { k: 'store'; mem: Mem; addr: Expr; value: Expr; offset?: number }
  | { k: 'expr'; e: Expr }
  | { k: 'if'; cond: Expr; then: Stmt[]; else: Stmt[] }
  /** `while cond: body` with a label for break/continue. */
  /** `site`: where a stop (KeyboardInterrupt, TimeoutError) in interruptible code reports (the loop's statement). */
  | { k: 'while'; label: string; cond: Expr; body: Stmt[]; site?: number }
  /** Counted loop: for v = start; step > 0 ? v < stop : v > stop; v += step (i64 or i32 v). stop and step are evaluated once.
   * `break label` leaves the loop; `continue label` runs the increment, then the test. Neither may
   * cross a parfor/region body, and `return` may not appear inside one (they will run on workers). */
  | { k: 'for'; label: string; v: string; t: VT; start: Expr; stop: Expr; step: Expr; body: Stmt[]; site?: number }
  /** A parallel loop: a `for` plus what the runtime needs to share it (see Note [Parallelism is data]). */
  | {
      k: 'parfor'; label: string; v: string; t: VT; start: Expr; stop: Expr; step: Expr; body: Stmt[];
      schedule: Schedule; chunk: Expr | null; numThreads: Expr | null; useIf: Expr | null;
      reductions: Reduction[]; line: number;
      /** false: `prange(..., cluster=False)`, never distributed in cluster mode (compiler/cluster-plan.ts). */
      cluster?: boolean;
    }
  /** A parallel region: the body runs once on each thread of the team (serially: once, as thread 0). */
  | { k: 'region'; body: Stmt[]; numThreads: Expr | null; useIf: Expr | null; threadNum: string; numThreadsVar: string; line: number }
  | { k: 'break'; label: string }
  | { k: 'continue'; label: string }
  | { k: 'return'; values: Expr[] }
  /** name (an i32 local) = a new array descriptor (rc 1, C-contiguous) with a fresh zero-filled buffer of
   * product(shape) elements of `elemSize` bytes; shape extents are i32 or i64 and must be >= 0.
   * `uninit`: the buffer is not zeroed (the caller writes every element before anything reads it). */
  | { k: 'alloc'; name: string; ndim: number; dtypeCode: number; elemSize: number; shape: Expr[]; uninit?: boolean; /** error site of its MemoryError; -1 unknown */ site?: number }
  /** Drop one reference to an array descriptor (null is ignored); frees it when none remain. */
  | { k: 'release'; desc: Expr }
  | { k: 'retain'; desc: Expr }
  | { k: 'trap'; call: Expr & { k: 'call' } }
  | { k: 'block'; body: Stmt[] }
  /** memory.fill / memory.copy (bulk memory): all operands i32, `value` is a byte. */
  | { k: 'memfill'; dest: Expr; value: Expr; size: Expr }
  | { k: 'memcopy'; dest: Expr; src: Expr; size: Expr };

export interface Local { name: string; t: VT }

export interface Func {
  name: string;
  params: Local[];
  results: VT[];
  locals: Local[];
  body: Stmt[];
  /** Exported to JS under this name. */
  exportAs?: string;
  /** Locals holding array descriptors owned by Par variables (a parallel body's privates release them). */
  arrays?: string[];
}

export interface Import { name: string; module: string; base: string; params: VT[]; result: VT | null }

export interface Program {
  funcs: Func[];
  imports: Import[];
  /** Bytes of static data (globals area, constant arrays) starting at address `dataBase` (>= STATIC_BASE);
   * the heap starts at dataBase + dataSize rounded up to 16. Segment offsets are absolute addresses. */
  dataBase: number;
  dataSize: number;
  data: { offset: number; bytes: Uint8Array }[];
  /** The parallel loops and regions the parallelize pass outlined, by region number. */
  regions?: { line: number; kind: 'prange' | 'region'; cluster?: string }[];
}

/**
 * The wasm-side runtime library emitted into every module (see emit.ts); IR may call these by name.
 * Descriptors are i32 addresses; `__array_new(count, elemSize, ndim, dtypeCode, zero)` returns an
 * array with rc, data, ndim, dtype and size set (shape/strides are left 0 for the caller to fill),
 * its data zero-filled when `zero` is non-zero.
 */
export const RUNTIME_FUNCS: Readonly<Record<string, { params: VT[]; results: VT[] }>> = {
  __malloc: { params: ['i32'], results: ['i32'] },
  __free: { params: ['i32'], results: [] },
  __retain: { params: ['i32'], results: [] },
  __release: { params: ['i32'], results: [] },
  __array_new: { params: ['i64', 'i32', 'i32', 'i32', 'i32'], results: ['i32'] },
};
