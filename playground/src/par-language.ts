// The `par` language for Monaco: Monarch highlighting, completion of keywords and builtins (with
// their signatures), and hover docs for builtins. The builtin table follows docs/language.md §8-10.
import type * as Monaco from 'monaco-editor/editor';

export const KEYWORDS = [
  'def', 'return', 'if', 'elif', 'else', 'for', 'in', 'while', 'break', 'continue', 'pass', 'with', 'as',
  'and', 'or', 'not', 'is', 'import', 'from', 'raise', 'assert', 'True', 'False', 'None',
];

/** name -> [signature, doc]. */
export const BUILTINS: Record<string, [string, string]> = {
  print: ['print(*values, sep=" ", end="\\n")', 'Prints values as Python and NumPy do.'],
  range: ['range(start, stop[, step])', 'Integer range for `for` loops.'],
  prange: ['prange(start, stop[, step], schedule="auto", chunksize=k, num_threads=k, use_threads_if=cond)', 'A parallel loop: iterations are shared by the team. Scalars updated with `+=`, `*=`, `max`/`min`... are inferred reductions (deterministic); other assigned variables are private.'],
  parallel: ['parallel(num_threads=None, if_=True)', '`with parallel() as p:` runs the block once on every thread: `p.thread_num`, `p.num_threads`, `p.range(...)`, `p.xrange(...)`, `p.barrier()`, `with p.lock:`, `p.print(...)`.'],
  pmap: ['pmap(f, xs)', 'A new 1-d array of `f(x)` for each element of `xs`, computed in parallel.'],
  atomic_add: ['atomic_add(a, i, v)', '`a[i] += v` as one atomic step; returns the old element.'],
  atomic_max: ['atomic_max(a, i, v)', '`a[i] = maximum(a[i], v)` atomically; returns the old element.'],
  atomic_min: ['atomic_min(a, i, v)', '`a[i] = minimum(a[i], v)` atomically; returns the old element.'],
  wtime: ['wtime() -> float64', 'Wall-clock seconds, for timing a kernel.'],
  imshow: ['imshow(a)', 'Draws a 2-d array as an image (in the playground, in the output pane; `par run` writes a PNG and prints its path).'],
  len: ['len(a) -> int', 'The first extent of an array (or the length of a tuple).'],
  int: ['int(x)', 'Converts to int64 (elementwise on arrays).'],
  float: ['float(x)', 'Converts to float64 (elementwise on arrays).'],
  bool: ['bool(x)', 'Converts to bool (elementwise on arrays).'],
  zeros: ['zeros(shape, dtype=float64)', 'A new array of zeros.'],
  str: ['str(x)', 'The text of a value, as Python shows it.'],
  repr: ['repr(x)', "A value's repr, as Python shows it ('a' with quotes)."],
  format: ['format(x, spec)', "x formatted with Python's format-spec mini-language ('.3f', '>8d', ...)."],
  list: ['list(iterable)', 'A new list of the items of a list, range, string or array (one element type).'],
  sorted: ['sorted(iterable, reverse=False)', 'A new sorted list (stable).'],
  enumerate: ['enumerate(iterable, start=0)', 'Pairs (index, item), for `for i, x in enumerate(xs)`.'],
  zip: ['zip(a, b, ...)', 'Tuples of the items at the same index, up to the shortest.'],
  reversed: ['reversed(sequence)', 'The items of a list, range, string or array, last first.'],
  get_num_threads: ['get_num_threads()', "Numba's: the number of threads a parallel loop uses."],
  set_num_threads: ['set_num_threads(n)', "Numba's: parallel loops use n threads (at most the team's size)."],
  get_thread_id: ['get_thread_id()', "Numba's: the calling thread's number in the team (0 outside parallel code)."],
  ones: ['ones(shape, dtype=float64)', 'A new array of ones.'],
  empty: ['empty(shape, dtype=float64)', 'A new array (zero-filled in Par).'],
  full: ['full(shape, fill_value, dtype=)', 'A new array filled with `fill_value`.'],
  zeros_like: ['zeros_like(a, dtype=)', 'Zeros with the shape (and dtype) of `a`.'],
  ones_like: ['ones_like(a, dtype=)', 'Ones with the shape (and dtype) of `a`.'],
  empty_like: ['empty_like(a, dtype=)', 'A new array with the shape (and dtype) of `a`.'],
  full_like: ['full_like(a, v, dtype=)', 'Filled with `v`, with the shape (and dtype) of `a`.'],
  eye: ['eye(N, M=None, k=0, dtype=float64)', 'Ones on the k-th diagonal.'],
  arange: ['arange([start,] stop[, step], dtype=)', 'Evenly spaced values in [start, stop).'],
  linspace: ['linspace(start, stop, num=50, endpoint=True, dtype=)', '`num` evenly spaced values from start to stop.'],
  array: ['array(object, dtype=)', 'An array from nested lists/tuples, or a copy of an array.'],
  dot: ['dot(a, b)', 'Matrix and vector products (arrays of at most 2 dimensions).'],
  matmul: ['matmul(a, b)', 'Matrix product, also `a @ b`.'],
  outer: ['outer(a, b)', 'Outer product of two (flattened) arrays.'],
  transpose: ['transpose(a)', 'A view with the axes reversed (`a.T`).'],
  reshape: ['reshape(a, shape)', 'A view (or copy) with a new shape; one extent may be -1.'],
  ravel: ['ravel(a)', 'A 1-d view (or copy).'],
  copy: ['copy(a)', 'A new C-contiguous copy.'],
  where: ['where(cond, x, y)', 'Elementwise `x if cond else y`.'],
  clip: ['clip(a, lo, hi)', 'Limits values to [lo, hi].'],
  shape: ['shape(a) -> tuple', 'The extents of an array.'],
  ndim: ['ndim(a) -> int', 'The number of dimensions.'],
  size: ['size(a) -> int', 'The number of elements.'],
  sum: ['sum(a, axis=None)', 'Sum (pairwise for floats, as NumPy).'],
  prod: ['prod(a, axis=None)', 'Product of the elements.'],
  min: ['min(a, axis=None) | min(x, y, ...)', 'Smallest element; with two or more scalars, Python\'s min.'],
  max: ['max(a, axis=None) | max(x, y, ...)', 'Largest element; with two or more scalars, Python\'s max.'],
  mean: ['mean(a, axis=None)', 'Arithmetic mean.'],
  std: ['std(a, axis=None, ddof=0)', 'Standard deviation.'],
  var: ['var(a, axis=None, ddof=0)', 'Variance.'],
  argmin: ['argmin(a, axis=None)', 'Index of the first smallest element.'],
  argmax: ['argmax(a, axis=None)', 'Index of the first largest element.'],
  any: ['any(a, axis=None)', 'Whether any element is true.'],
  all: ['all(a, axis=None)', 'Whether every element is true.'],
  count_nonzero: ['count_nonzero(a)', 'Number of non-zero elements.'],
  maximum: ['maximum(x, y)', 'Elementwise maximum (nan propagates).'],
  minimum: ['minimum(x, y)', 'Elementwise minimum (nan propagates).'],
  power: ['power(x, y)', 'Elementwise `x ** y`.'],
  arctan2: ['arctan2(y, x)', 'Elementwise arc tangent of y/x.'],
  hypot: ['hypot(x, y)', 'Elementwise sqrt(x² + y²).'],
  fmod: ['fmod(x, y)', 'Elementwise C remainder.'],
  copysign: ['copysign(x, y)', 'x with the sign of y.'],
  sort: ['sort(a, axis=-1, kind=)', 'A sorted copy along `axis` (stable; `nan` last).'],
  argsort: ['argsort(a, axis=-1, kind=)', 'Indices that sort `a` along `axis` (stable).'],
  concatenate: ['concatenate((a, b, ...), axis=0, dtype=)', 'Arrays joined along an existing axis.'],
  stack: ['stack((a, b, ...), axis=0)', 'Arrays of one shape joined along a new axis.'],
  vstack: ['vstack((a, b, ...))', 'Joined along axis 0 (1-d arrays as rows).'],
  hstack: ['hstack((a, b, ...))', 'Joined along axis 1 (axis 0 for 1-d arrays).'],
  cumsum: ['cumsum(a, axis=None, dtype=)', 'Running sums (of the flattened array by default).'],
  cumprod: ['cumprod(a, axis=None, dtype=)', 'Running products (of the flattened array by default).'],
  diff: ['diff(a, n=1, axis=-1)', '`a[1:] - a[:-1]` along `axis`, `n` times.'],
  diag: ['diag(v, k=0)', 'A 1-d `v` on diagonal `k` of a new square matrix; of a matrix, its diagonal `k`.'],
  diagonal: ['diagonal(a, offset=0)', 'Diagonal `offset` of a 2-d array (a view).'],
  trace: ['trace(a, offset=0)', 'Sum of diagonal `offset` of a 2-d array.'],
  roll: ['roll(a, shift, axis=None)', 'Elements shifted by `shift` along `axis`, wrapping around (the flattened array without an axis).'],
  meshgrid: ["meshgrid(x, y, ..., indexing='xy')", "Coordinate grids of 1 to 4 arrays, a tuple of new arrays; 'xy' swaps the first two axes, 'ij' does not."],
  unique: ['unique(a, return_counts=False, equal_nan=True)', 'The sorted unique elements of the flattened array; with return_counts=True also how often each occurs (int64).'],
  searchsorted: ["searchsorted(a, v, side='left')", "Where each `v` goes in the sorted 1-d `a` to keep it sorted (before equal elements, or after them with side='right'); int64."],
  histogram: ['histogram(a, bins=10, range=None)', 'A tuple (counts, edges) of `bins` equal bins over `range` (default min to max), the last bin closed.'],
  convolve: ["convolve(a, v, mode='full')", "The discrete convolution of two 1-d arrays; mode 'full', 'same' or 'valid'."],
  pad: ["pad(a, pad_width, mode='constant', constant_values=0)", "A new array with `pad_width` elements added before and after each axis; modes 'constant', 'empty', 'edge', 'wrap'."],
  take: ["take(a, indices, axis=None, mode='raise')", "The elements at `indices` of the flattened array (or along `axis`); mode 'wrap' or 'clip' for indices out of range."],
  identity: ['identity(n, dtype=float64)', 'The n x n identity matrix.'],
  triu: ['triu(m, k=0)', 'A copy of `m` with the elements below diagonal `k` zeroed.'],
  tril: ['tril(m, k=0)', 'A copy of `m` with the elements above diagonal `k` zeroed.'],
  column_stack: ['column_stack((a, b, ...))', '1-d arrays as the columns of a 2-d array (2-d arrays joined along axis 1).'],
  einsum: ["einsum('ij,jk->ik', a, b)", "Einstein summation given as a string literal: the one- and two-operand forms (matmul, dot, outer, transpose, trace, diagonal, sums)."],
  rint: ['rint(x)', 'Rounds half to even to the nearest integral value, as a float.'],
  bincount: ['bincount(x, weights=None, minlength=0)', 'How often each value 0, 1, ... max(x) occurs in a 1-d array of non-negative ints (or the sums of its weights, as float64).'],
  isclose: ['isclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False)', 'Elementwise `abs(a - b) <= atol + rtol * abs(b)` (equal infinities are close; nan only with equal_nan).'],
  allclose: ['allclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False)', 'Whether `isclose(a, b, ...)` holds for every element (a Python bool).'],
  nonzero: ['nonzero(a)', 'The indices of the non-zero elements: a tuple of int64 arrays, one per axis (also `a.nonzero()`, `where(a)`).'],
  divmod: ['divmod(a, b)', "`(a // b, a % b)`: Python's for numbers (a zero divisor raises ZeroDivisionError), NumPy's `np.divmod` for arrays."],
  norm: ["norm(x, ord=None, axis=None)", "`np.linalg.norm`: the 2-norm of a vector, the Frobenius norm of a matrix; ord 0, 1, 2, inf, -inf, p (vectors), 1, -1, inf, -inf, 'fro' (matrices); axis= for vector norms along an axis."],
  asin: ['asin(x)', "NumPy's arcsin (`math.asin`: Python's, a float, ValueError outside [-1, 1])."],
  acos: ['acos(x)', "NumPy's arccos (`math.acos`: Python's, a float, ValueError outside [-1, 1])."],
  atan: ['atan(x)', "NumPy's arctan (`math.atan` is Python's, a float)."],
  atan2: ['atan2(y, x)', "NumPy's arctan2 (`math.atan2` is Python's, a float)."],
  pow: ['pow(x, y)', "NumPy's power (`math.pow`: Python's, always a float; ValueError/OverflowError where CPython raises)."],
  absolute: ['absolute(x)', 'NumPy\'s name for `abs`.'],
  around: ['around(x, decimals=0)', 'NumPy\'s name for `round`.'],
  amax: ['amax(a, axis=None)', 'NumPy\'s name for `max`.'],
  amin: ['amin(a, axis=None)', 'NumPy\'s name for `min`.'],
  tile: ['tile(a, reps)', '`a` repeated `reps` times along each axis (an integer or a tuple).'],
  repeat: ['repeat(a, repeats, axis=None)', 'Each element (of the flattened array, or each slice along `axis`) repeated: one count, or a count per element.'],
  argwhere: ['argwhere(a)', 'The indices of the non-zero elements, one row each: an int64 array of shape (count, a.ndim).'],
  split: ['split(a, sections_or_indices, axis=0)', 'A list of views: equal sections, or cuts before each index.'],
  array_split: ['array_split(a, sections_or_indices, axis=0)', 'As `split`, with sections that need not be equal (the first ones one longer).'],
  flip: ['flip(m, axis=None)', 'A view with the given axes (all by default) reversed.'],
  flipud: ['flipud(m)', 'A view with the rows reversed (axis 0).'],
  fliplr: ['fliplr(m)', 'A view with the columns reversed (axis 1; m at least 2-d).'],
  expand_dims: ['expand_dims(a, axis)', 'A view with new axes of extent 1 at the given positions.'],
  squeeze: ['squeeze(a, axis=None)', 'A view without the axes of extent 1 (name them with axis=, unless the shape is known when compiling).'],
  atleast_1d: ['atleast_1d(a)', 'A view of `a` with at least one axis.'],
  atleast_2d: ['atleast_2d(a)', 'A view of `a` with at least two axes: a vector becomes one row.'],
  atleast_3d: ['atleast_3d(a)', 'A view of `a` with at least three axes: (n,) -> (1, n, 1), (m, n) -> (m, n, 1).'],
  interp: ['interp(x, xp, fp, left=None, right=None)', 'Piecewise-linear interpolation of the samples (xp, fp) at x, as NumPy computes it.'],
};
for (const f of ['sqrt', 'exp', 'exp2', 'expm1', 'log', 'log2', 'log10', 'log1p', 'sin', 'cos', 'tan', 'arcsin', 'arccos', 'arctan', 'sinh', 'cosh', 'tanh', 'erf', 'fabs', 'radians', 'deg2rad', 'degrees', 'rad2deg']) {
  BUILTINS[f] = [`${f}(x)`, `Elementwise ${f} (a float result).`];
}
for (const f of ['abs', 'round', 'floor', 'ceil', 'trunc', 'sign', 'negative', 'square']) {
  BUILTINS[f] = [`${f}(x)`, `Elementwise ${f} (same dtype as x).`];
}
for (const f of ['isnan', 'isinf', 'isfinite']) BUILTINS[f] = [`${f}(x)`, `Elementwise ${f} (a bool result).`];
const DTYPES = ['float64', 'float32', 'int64', 'int32', 'bool_', 'double', 'single'];
for (const d of DTYPES) BUILTINS[d] = [`${d}(x)`, `The ${d} dtype; called, converts x to it.`];
const CONSTANTS = ['pi', 'e', 'inf', 'nan'];
const EXCEPTIONS = ['ValueError', 'IndexError', 'RuntimeError', 'ZeroDivisionError', 'TypeError', 'ArithmeticError', 'AssertionError', 'Exception', 'NotImplementedError', 'OverflowError'];

export function registerPar(monaco: typeof Monaco): void {
  monaco.languages.register({ id: 'par', extensions: ['.par'], aliases: ['Par'] });
  monaco.languages.setLanguageConfiguration('par', {
    comments: { lineComment: '#' },
    brackets: [['(', ')'], ['[', ']']],
    autoClosingPairs: [{ open: '(', close: ')' }, { open: '[', close: ']' }, { open: '"', close: '"', notIn: ['string'] }, { open: "'", close: "'", notIn: ['string'] }],
    onEnterRules: [{ beforeText: /:\s*(#.*)?$/, action: { indentAction: monaco.languages.IndentAction.Indent } }],
  });
  monaco.languages.setMonarchTokensProvider('par', {
    keywords: KEYWORDS,
    builtins: Object.keys(BUILTINS),
    constants: [...CONSTANTS, ...EXCEPTIONS],
    tokenizer: {
      root: [
        [/#.*$/, 'comment'],
        [/[a-zA-Z_]\w*(?=\s*\()/, { cases: { '@keywords': 'keyword', '@builtins': 'predefined', '@default': 'identifier' } }],
        [/[a-zA-Z_]\w*/, { cases: { '@keywords': 'keyword', '@builtins': 'predefined', '@constants': 'constant', '@default': 'identifier' } }],
        [/\d+\.\d*([eE][-+]?\d+)?|\.\d+([eE][-+]?\d+)?|\d+[eE][-+]?\d+/, 'number.float'],
        [/0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|\d[\d_]*/, 'number'],
        [/"""/, 'string', '@tdq'],
        [/'''/, 'string', '@tsq'],
        [/"([^"\\]|\\.)*"/, 'string'],
        [/'([^'\\]|\\.)*'/, 'string'],
        [/[-+*/%@&|^~<>=!]+/, 'operator'],
        [/[()[\],.:]/, 'delimiter'],
      ],
      tdq: [[/"""/, 'string', '@pop'], [/./, 'string']],
      tsq: [[/'''/, 'string', '@pop'], [/./, 'string']],
    },
  } as Monaco.languages.IMonarchLanguage);

  monaco.languages.registerCompletionItemProvider('par', {
    provideCompletionItems(model, position) {
      const word = model.getWordUntilPosition(position);
      const range = { startLineNumber: position.lineNumber, endLineNumber: position.lineNumber, startColumn: word.startColumn, endColumn: word.endColumn };
      const K = monaco.languages.CompletionItemKind;
      const items: Monaco.languages.CompletionItem[] = [
        ...KEYWORDS.map((k) => ({ label: k, kind: K.Keyword, insertText: k, range })),
        ...Object.entries(BUILTINS).map(([name, [sig, doc]]) => ({
          label: { label: name, detail: sig.slice(name.length) }, kind: K.Function, insertText: name, detail: sig, documentation: { value: doc }, range,
        })),
        ...CONSTANTS.map((c) => ({ label: c, kind: K.Constant, insertText: c, range })),
        ...EXCEPTIONS.map((c) => ({ label: c, kind: K.Class, insertText: c, range })),
      ];
      return { suggestions: items };
    },
  });

  monaco.languages.registerHoverProvider('par', {
    provideHover(model, position) {
      const w = model.getWordAtPosition(position);
      const entry = w && Object.hasOwn(BUILTINS, w.word) ? BUILTINS[w.word] : undefined;
      if (!w || !entry) return null;
      return {
        range: { startLineNumber: position.lineNumber, endLineNumber: position.lineNumber, startColumn: w.startColumn, endColumn: w.endColumn },
        contents: [{ value: '```par\n' + entry[0] + '\n```' }, { value: entry[1] }],
      };
    },
  });
}
