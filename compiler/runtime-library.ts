// The runtime library every module gets, written in IR: the allocator, reference counts and releases
// of arrays, lists and boxed tuples, and the other helpers emit.ts adds through withRuntime; also
// the IR shorthands they are written with (emit.ts uses them to expand `alloc`).
import type { BinOp, Expr, Func, Stmt, VT } from './ir.js';
import { ALLOC, BOX_MASK, DESC, OBJ_CODE, PAGE, TUP_CODE } from '../runtime/layout.js';

// Note [Allocator]: every block has a 16-byte header before its 16-aligned payload:
//   [p-16] size class k   [p-12] payload capacity in bytes   [p-8] next free block (on a free list)
// Small requests (up to LARGE bytes) get a power-of-two capacity 2^k (k >= 4); free-list heads are
// i32s at ALLOC.freeLists + 4k, every block on list k fits any request of class k, and `__malloc`
// pops the head. Small blocks are never split or merged: a loop that allocates and frees the same
// sizes reuses its blocks.
// Large requests get their size rounded up to 64 KiB and class LARGE_CLASS. Free large blocks sit on
// one list in address order (head at ALLOC.largeFree): `__free` merges a block with free neighbours
// and gives a free block that ends at the heap top back to the bump pointer; `__malloc` takes the
// first block that fits and splits off what it does not need. Without merging, a loop whose arrays
// grow (`a = zeros(n * k)` for growing n: each new array is allocated before the old one is
// released) would need the sum of all sizes, not a few times the largest.
// New blocks come from the bump pointer ALLOC.heapTop, growing the memory when it passes the end.
// The free lists and the heap top are guarded by a spin lock at ALLOC.lock (cmpxchg 0 -> 1; release
// by an atomic exchange); reference counts are atomic and need no lock. `__try_malloc` returns 0 when
// the memory cannot grow (the limit set by the runtime's WebAssembly.Memory maximum); `__malloc`
// then calls `env.oom(bytes)`, which throws MemoryError (the request as a u32, 0xFFFFFFFF when it
// does not fit in 32 bits). Array allocations report their shape and dtype instead (`err_alloc`).

const LARGE = 1 << 20;
const LARGE_CLASS = 32;
const MAX_REQUEST = 0x7fff0000;

export const i32c = (v: number): Expr => ({ k: 'const', t: 'i32', v });
export const i64c = (v: number | bigint): Expr => ({ k: 'const', t: 'i64', v: BigInt(v) });
export const get = (name: string, t: VT = 'i32'): Expr => ({ k: 'get', t, name });
export const bin = (op: BinOp, a: Expr, b: Expr, t: VT = 'i32'): Expr => ({ k: 'bin', t, op, a, b });
export const add = (a: Expr, b: Expr): Expr => bin('add', a, b);
const sub = (a: Expr, b: Expr): Expr => bin('sub', a, b);
const load32 = (addr: Expr): Expr => ({ k: 'load', t: 'i32', mem: 'i32', addr });
export const store32 = (addr: Expr, value: Expr): Stmt => ({ k: 'store', mem: 'i32', addr, value });
export const set = (name: string, value: Expr): Stmt => ({ k: 'set', name, value });
export const call = (fn: string, args: Expr[], t: VT | null = null): Expr & { k: 'call' } => ({ k: 'call', t, fn, args });
const run = (fn: string, ...args: Expr[]): Stmt => ({ k: 'expr', e: call(fn, args) });
export const when = (cond: Expr, then: Stmt[], otherwise: Stmt[] = []): Stmt => ({ k: 'if', cond, then, else: otherwise });
const ret = (...values: Expr[]): Stmt => ({ k: 'return', values });
const u64 = (e: Expr): Expr => ({ k: 'cvt', t: 'i64', op: 'u32->i64', a: e });
const wrap = (e: Expr): Expr => ({ k: 'cvt', t: 'i32', op: 'i64->i32', a: e });
export const isZero = (e: Expr): Expr => ({ k: 'un', t: 'i32', op: 'eqz', a: e });
const p32 = (...names: string[]) => names.map((name) => ({ name, t: 'i32' as VT }));
const fn = (name: string, params: Func['params'], results: VT[], locals: Func['locals'], body: Stmt[], exported = false): Func =>
  ({ name, params, results, locals, body, ...(exported ? { exportAs: name } : {}) });

/** The runtime library's functions; `oom` names the `env.oom` import. */
export function runtimeLibrary(oom: string): Func[] {
  const lock = i32c(ALLOC.lock);
  const heapTop = i32c(ALLOC.heapTop);
  const head = (k: Expr) => add(i32c(ALLOC.freeLists), bin('shl', k, i32c(2)));
  const fail = (bytes: Expr): Stmt => ({ k: 'trap', call: call(oom, [bytes]) });
  const largeHead = i32c(ALLOC.largeFree);
  const capOf = (p: Expr) => load32(sub(p, i32c(12)));
  const nextOf = (p: Expr) => sub(p, i32c(8));
  const endOf = (p: Expr) => add(p, capOf(p));
  return [
    fn('__lock', [], [], [], [
      { k: 'while', label: 'spin', body: [],
        cond: bin('ne', { k: 'cmpxchg', t: 'i32', mem: 'i32', addr: lock, expected: i32c(0), replacement: i32c(1) }, i32c(0)) },
    ]),
    fn('__unlock', [], [], [], [
      { k: 'expr', e: { k: 'atomic', t: 'i32', mem: 'i32', op: 'xchg', addr: lock, value: i32c(0) } },
    ]),
    // First large block with capacity >= cap, unlinked, its unused tail split off and left on the
    // list when that is worth a block of its own; 0 if none. Lock held.
    fn('__take_large', p32('cap'), ['i32'], p32('link', 'p', 'rest', 'q'), [
      set('link', largeHead),
      { k: 'while', label: 'scan', cond: i32c(1), body: [
        set('p', load32(get('link'))),
        when(isZero(get('p')), [ret(i32c(0))]),
        when(bin('ge_u', capOf(get('p')), get('cap')), [
          set('rest', sub(capOf(get('p')), get('cap'))),
          when(bin('lt_u', i32c(LARGE + 16), get('rest')), [
            set('q', add(get('p'), add(get('cap'), i32c(16)))),
            store32(sub(get('q'), i32c(16)), i32c(LARGE_CLASS)),
            store32(sub(get('q'), i32c(12)), sub(get('rest'), i32c(16))),
            store32(nextOf(get('q')), load32(nextOf(get('p')))),
            store32(sub(get('p'), i32c(12)), get('cap')),
            store32(get('link'), get('q')),
          ], [store32(get('link'), load32(nextOf(get('p'))))]),
          ret(get('p')),
        ]),
        set('link', nextOf(get('p'))),
      ] },
    ]),
    // Puts a large block back in address order, merged with the free blocks right before and after
    // it; a free block that then ends at the heap top is given back to the bump pointer. Lock held.
    fn('__free_large', p32('p'), [], p32('link', 'prevLink', 'prev', 'n', 'prevEnd'), [
      set('link', largeHead), set('prevLink', i32c(0)), set('prev', i32c(0)),
      { k: 'while', label: 'find', cond: i32c(1), body: [
        set('n', load32(get('link'))),
        when(bin('or', isZero(get('n')), bin('lt_u', get('p'), get('n'))), [{ k: 'break', label: 'find' }]),
        set('prevLink', get('link')), set('prev', get('n')),
        set('link', nextOf(get('n'))),
      ] },
      // Merge with the next block, then with the previous one.
      // (`bin('and')` evaluates both sides, so a missing neighbour is tested first, on its own.)
      when(bin('ne', get('n'), i32c(0)), [
        when(bin('eq', endOf(get('p')), sub(get('n'), i32c(16))), [
          store32(sub(get('p'), i32c(12)), add(capOf(get('p')), add(capOf(get('n')), i32c(16)))),
          set('n', load32(nextOf(get('n')))),
        ]),
      ]),
      store32(nextOf(get('p')), get('n')),
      when(bin('ne', get('prev'), i32c(0)), [set('prevEnd', endOf(get('prev')))], [set('prevEnd', i32c(-1))]),
      when(bin('eq', get('prevEnd'), sub(get('p'), i32c(16))), [
        store32(sub(get('prev'), i32c(12)), add(capOf(get('prev')), add(capOf(get('p')), i32c(16)))),
        store32(nextOf(get('prev')), get('n')),
        set('p', get('prev')), set('link', get('prevLink')),
      ], [store32(get('link'), get('p'))]),
      // `link` now points at p; p is the last free block if it touches the top.
      when(bin('eq', endOf(get('p')), load32(heapTop)), [
        store32(get('link'), i32c(0)),
        store32(heapTop, sub(get('p'), i32c(16))),
      ]),
    ]),
    fn('__try_malloc', p32('bytes'), ['i32'], [...p32('cap', 'k', 'p', 'top', 'need', 'cur'), { name: 'end', t: 'i64' }], [
      when(bin('lt_u', i32c(MAX_REQUEST), get('bytes')), [ret(i32c(0))]),
      when(bin('lt_u', get('bytes'), i32c(17)), [set('cap', i32c(16))], [
        when(bin('lt_u', get('bytes'), i32c(LARGE + 1)),
          [set('cap', bin('shl', i32c(1), sub(i32c(32), { k: 'un', t: 'i32', op: 'clz', a: sub(get('bytes'), i32c(1)) })))],
          [set('cap', bin('and', add(get('bytes'), i32c(0xffff)), i32c(-0x10000)))]),
      ]),
      run('__lock'),
      when(bin('lt_u', i32c(LARGE), get('cap')), [
        set('k', i32c(LARGE_CLASS)),
        set('p', call('__take_large', [get('cap')], 'i32')),
      ], [
        set('k', sub(i32c(31), { k: 'un', t: 'i32', op: 'clz', a: get('cap') })),
        set('p', load32(head(get('k')))),
        when(bin('ne', get('p'), i32c(0)), [store32(head(get('k')), load32(nextOf(get('p'))))]),
      ]),
      when(bin('ne', get('p'), i32c(0)), [run('__unlock'), ret(get('p'))]),
      // Bump allocation, in i64 so the end of a 4 GiB memory cannot wrap around.
      set('top', load32(heapTop)),
      set('end', bin('add', u64(get('top')), u64(add(get('cap'), i32c(16))), 'i64')),
      when(bin('ge_u', get('end', 'i64'), i64c(1n << 32n), 'i64'), [run('__unlock'), ret(i32c(0))]),
      set('need', wrap(bin('shr_u', bin('add', get('end', 'i64'), i64c(PAGE - 1), 'i64'), i64c(16), 'i64'))),
      set('cur', { k: 'memsize', t: 'i32' }),
      when(bin('lt_u', get('cur'), get('need')), [
        when(bin('eq', { k: 'memgrow', t: 'i32', pages: sub(get('need'), get('cur')) }, i32c(-1)), [run('__unlock'), ret(i32c(0))]),
      ]),
      store32(heapTop, wrap(get('end', 'i64'))),
      set('p', add(get('top'), i32c(16))),
      store32(sub(get('p'), i32c(16)), get('k')),
      store32(sub(get('p'), i32c(12)), get('cap')),
      store32(nextOf(get('p')), i32c(0)),
      run('__unlock'),
      ret(get('p')),
    ]),
    fn('__malloc', p32('bytes'), ['i32'], p32('p'), [
      set('p', call('__try_malloc', [get('bytes')], 'i32')),
      when(isZero(get('p')), [fail(get('bytes'))]),
      ret(get('p')),
    ], true),
    fn('__free', p32('p'), [], p32('h'), [
      when(isZero(get('p')), [ret()]),
      run('__lock'),
      when(bin('eq', load32(sub(get('p'), i32c(16))), i32c(LARGE_CLASS)), [run('__free_large', get('p'))], [
        set('h', head(load32(sub(get('p'), i32c(16))))),
        store32(nextOf(get('p')), load32(get('h'))),
        store32(get('h'), get('p')),
      ]),
      run('__unlock'),
    ], true),
    fn('__retain', p32('d'), [], [], [
      when(bin('ne', get('d'), i32c(0)), [
        { k: 'expr', e: { k: 'atomic', t: 'i32', mem: 'i32', op: 'add', addr: add(get('d'), i32c(DESC.rc)), value: i32c(1) } },
      ]),
    ], true),
    // The last reference frees the descriptor's block (which holds the data unless it is a view)
    // and drops the view's reference to its base. A list (no base, data in a block of its own: Note
    // [Lists] in lower/lists.ts) frees its data too, after releasing the objects it holds.
    fn('__release', p32('d'), [], p32('data', 'k'), [
      when(isZero(get('d')), [ret()]),
      when(bin('eq', { k: 'atomic', t: 'i32', mem: 'i32', op: 'sub', addr: add(get('d'), i32c(DESC.rc)), value: i32c(1) }, i32c(1)), [
        set('data', load32(add(get('d'), i32c(DESC.data)))),
        when(bin('and', isZero(load32(add(get('d'), i32c(DESC.base)))), bin('ne', get('data'), add(get('d'), i32c(DESC.SIZE)))), [
          when(bin('eq', load32(add(get('d'), i32c(DESC.dtype))), i32c(OBJ_CODE)), [
            { k: 'for', label: 'objs', v: 'k', t: 'i32', start: i32c(0), stop: load32(add(get('d'), i32c(DESC.size))), step: i32c(1), body: [
              run('__release', load32(add(get('data'), bin('shl', get('k'), i32c(2))))),
            ] },
          ]),
          // A boxed tuple: its slots marked in BOX_MASK hold descriptors.
          when(bin('eq', load32(add(get('d'), i32c(DESC.dtype))), i32c(TUP_CODE)), [
            { k: 'for', label: 'slots', v: 'k', t: 'i32', start: i32c(0), stop: load32(add(get('d'), i32c(DESC.size))), step: i32c(1), body: [
              when(bin('and', bin('shr_u', load32(add(get('d'), i32c(BOX_MASK))), get('k')), i32c(1)), [
                run('__release', load32(add(get('data'), bin('shl', get('k'), i32c(3))))),
              ]),
            ] },
          ]),
          run('__free', get('data')),
        ]),
        run('__release', load32(add(get('d'), i32c(DESC.base)))),
        run('__free', get('d')),
      ]),
    ], true),
    // acc * d for an element count, or -1 when an extent or the count passes 2^31-1 (Par's limit:
    // extents and sizes are i32s).
    fn('__dim', [{ name: 'acc', t: 'i64' }, { name: 'd', t: 'i64' }], ['i64'], [{ name: 'r', t: 'i64' }], [
      when(bin('or', bin('lt_s', get('acc', 'i64'), i64c(0), 'i64'), bin('ge_u', get('d', 'i64'), i64c(1n << 31n), 'i64')), [ret(i64c(-1))]),
      set('r', bin('mul', get('acc', 'i64'), get('d', 'i64'), 'i64')),
      when(bin('gt_s', get('r', 'i64'), i64c(0x7fffffff), 'i64'), [ret(i64c(-1))]),
      ret(get('r', 'i64')),
    ]),
    // A descriptor + data block (data zeroed when `zero`), or 0 when `count` is -1 (see __dim) or the
    // memory cannot grow; the caller stores shape and strides, or reports the failure with the shape.
    fn('__array_new', [{ name: 'count', t: 'i64' }, ...p32('elemSize', 'ndim', 'dtype', 'zero')], ['i32'],
      [{ name: 'total', t: 'i64' }, ...p32('d')], [
        when(bin('lt_s', get('count', 'i64'), i64c(0), 'i64'), [ret(i32c(0))]),
        set('total', bin('add', bin('mul', get('count', 'i64'), u64(get('elemSize')), 'i64'), i64c(DESC.SIZE), 'i64')),
        when(bin('ge_u', get('total', 'i64'), i64c(1n << 32n), 'i64'), [ret(i32c(0))]),
        set('d', call('__try_malloc', [wrap(get('total', 'i64'))], 'i32')),
        when(isZero(get('d')), [ret(i32c(0))]),
        { k: 'memfill', dest: get('d'), value: i32c(0), size: { k: 'select', t: 'i32', cond: get('zero'), a: wrap(get('total', 'i64')), b: i32c(DESC.SIZE) } },
        store32(add(get('d'), i32c(DESC.rc)), i32c(1)),
        store32(add(get('d'), i32c(DESC.data)), add(get('d'), i32c(DESC.SIZE))),
        store32(add(get('d'), i32c(DESC.ndim)), get('ndim')),
        store32(add(get('d'), i32c(DESC.dtype)), get('dtype')),
        store32(add(get('d'), i32c(DESC.size)), wrap(get('count', 'i64'))),
        ret(get('d')),
      ], true),
  ];
}
