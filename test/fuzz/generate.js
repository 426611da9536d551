// A grammar-based generator of well-typed Par programs that are also valid Python (so CPython +
// NumPy is their oracle) and deterministic at any team size (so outputs must be bit-identical at 1, 2,
// 3 and 7 threads): scalars, 1-d and 2-d arrays, slices, broadcasting, reductions, ufuncs, prange
// loops with reductions and private variables, parallel regions with p.range and barriers, functions
// of scalars and of arrays, if/while. Choices come from fast-check (fc.gen), so program k of seed S
// is reproducible on its own: generateProgram(S, k).
//
// Values stay small (integers reduced modulo small numbers, divisors kept away from zero) because
// Par's ints are int64 while Python's are unbounded, and because the point is the compiler, not
// overflow. Parallel loops only write elements of their own iteration, so they have no races.
import fc from 'fast-check';

/** Array lengths: small ones are printed whole; the big ones (past the 2^15-element threshold of parallel whole-array loops) only through reductions and single elements. */
const SMALL = [1, 2, 3, 4, 5, 7, 8, 16, 17];
const BIG = [40000, 70001];
const SMALL_LIMIT = 64;

function chooser(g) {
  const int = (lo, hi) => g(fc.integer, { min: lo, max: hi });
  return {
    int,
    pick: (xs) => xs[int(0, xs.length - 1)],
    chance: (p) => int(0, 999) < p * 1000,
  };
}

const FLOAT_LITERALS = ['0.5', '1.5', '2.0', '-0.75', '3.25', '0.125', '-2.5', '1.0', '10.0', '0.1',
  '1e-07', '123456.789', '1e+16', '-0.0', '0.3333333333333333', '2.5e-05', '-1e+20'];

class Gen {
  constructor(c) {
    this.c = c;
    this.lines = [];
    this.indent = '';
    /** Scalars in scope: { name, type: 'int' | 'float' | 'bool' }. */
    this.scalars = [];
    /** Arrays in scope: { name, dtype: 'float64' | 'int64', shape: number[] }. */
    this.arrays = [];
    /** Functions: { name, kind: 'scalar' | 'array', arity }. */
    this.funcs = [];
    this.counter = 0;
    /** Names the current loop body must not assign (arrays read by other iterations). */
    this.readOnly = new Set();
  }

  fresh(prefix) { return `${prefix}${this.counter++}`; }
  emit(line) { this.lines.push(this.indent + line); }
  block(f) {
    const saved = this.indent;
    this.indent += '    ';
    f();
    this.indent = saved;
  }

  vars(type) { return this.scalars.filter((s) => s.type === type); }
  arraysOf(dtype, shape) {
    return this.arrays.filter((a) => (!dtype || a.dtype === dtype) && (!shape || sameShape(a.shape, shape)));
  }

  // ---- scalar expressions ----

  floatExpr(d = 0) {
    const c = this.c;
    const leaf = d >= 3 || c.chance(0.3);
    if (leaf) {
      const vs = this.vars('float');
      const arrs = this.arraysOf('float64');
      const k = c.int(0, 4);
      if (k === 0 && vs.length) return c.pick(vs).name;
      if (k === 1 && arrs.length) return this.element(c.pick(arrs));
      if (k === 2 && this.vars('int').length) return `${c.pick(this.vars('int')).name} * ${c.pick(FLOAT_LITERALS)}`;
      return c.pick(FLOAT_LITERALS);
    }
    const a = () => this.floatExpr(d + 1);
    switch (c.int(0, 13)) {
      case 0: return `(${a()} + ${a()})`;
      case 1: return `(${a()} - ${a()})`;
      case 2: return `(${a()} * ${a()})`;
      case 3: return `(${a()} / (abs(${a()}) + 1.0))`;
      case 4: return `sqrt(abs(${a()}))`;
      case 5: return `${c.pick(['sin', 'cos', 'tanh', 'arctan'])}(${a()})`;
      case 6: return `${c.pick(['min', 'max'])}(${a()}, ${a()})`;
      case 7: {
        const arrs = this.arraysOf('float64');
        if (!arrs.length) return a();
        const arr = c.pick(arrs);
        return `${arr.name}.${c.pick(['sum', 'min', 'max', 'mean'])}()`;
      }
      case 8: return `(${a()} if ${this.boolExpr(d + 1)} else ${a()})`;
      case 9: {
        const fs = this.funcs.filter((f) => f.kind === 'scalar');
        if (!fs.length) return a();
        const f = c.pick(fs);
        return `${f.name}(${Array.from({ length: f.arity }, () => a()).join(', ')})`;
      }
      case 10: {
        const fs = this.funcs.filter((f) => f.kind === 'array');
        const arrs = this.arrays.filter((x) => x.dtype === 'float64' && x.shape.length === 1);
        if (!fs.length || !arrs.length) return a();
        return `${c.pick(fs).name}(${c.pick(arrs).name})`;
      }
      case 11: return `float(${this.intExpr(d + 1)})`;
      case 12: return c.pick([`(${a()} % ${c.pick(['2.5', '1.0', '7.0', '-3.0'])})`, `(${a()} // ${c.pick(['2.5', '-1.5'])})`, `(${this.intExpr(d + 1)} / ${c.int(1, 7)})`, `(${a()} ** 2)`, `float(${c.pick(['count_nonzero', 'any', 'all'])}(${this.arrays.length ? `${c.pick(this.arrays).name} > 0` : 'zeros(3) > 0'}))`]);
      default: return `abs(${a()})`;
    }
  }

  intExpr(d = 0) {
    const c = this.c;
    const leaf = d >= 3 || c.chance(0.35);
    if (leaf) {
      const vs = this.vars('int');
      const arrs = this.arraysOf('int64');
      const k = c.int(0, 4);
      if (k === 0 && vs.length) return c.pick(vs).name;
      if (k === 1 && arrs.length) return this.element(c.pick(arrs));
      if (k === 2 && this.arrays.length) return `len(${c.pick(this.arrays).name})`;
      return String(c.int(-9, 20));
    }
    const a = () => this.intExpr(d + 1);
    switch (c.int(0, 10)) {
      case 0: return `(${a()} + ${a()})`;
      case 1: return `(${a()} - ${a()})`;
      case 2: return `(${a()} * ${c.int(-3, 5)})`;
      case 3: return `(${a()} // (abs(${a()}) % 5 + 1))`;
      case 4: return `(${a()} % ${c.int(1, 13)})`;
      case 5: return `${c.pick(['min', 'max'])}(${a()}, ${a()})`;
      case 6: return `abs(${a()})`;
      case 7: {
        const arrs = this.arraysOf('int64');
        if (!arrs.length) return a();
        return `(${c.pick(arrs).name}.${c.pick(['sum', 'min', 'max'])}() % 1000)`;
      }
      case 8: return `(${a()} if ${this.boolExpr(d + 1)} else ${a()})`;
      case 9: return c.pick([`(${a()} ${c.pick(['&', '|', '^'])} ${a()})`, `(${a()} << ${c.int(0, 5)})`, `(${a()} >> ${c.int(0, 3)})`, `(${a()} % 7) ** ${c.int(0, 3)}`, `(-(${a()}) // ${c.int(1, 6)})`]);
      default: return `int(${this.floatExpr(d + 1)} * 0.0 + ${c.int(0, 9)})`;
    }
  }

  boolExpr(d = 0) {
    const c = this.c;
    if (d >= 3) return c.pick(['True', 'False']);
    switch (c.int(0, 5)) {
      case 0: return `${this.floatExpr(d + 1)} ${c.pick(['<', '<=', '>', '>='])} ${this.floatExpr(d + 1)}`;
      case 1: return `${this.intExpr(d + 1)} ${c.pick(['==', '!=', '<', '>='])} ${this.intExpr(d + 1)}`;
      case 2: return `(${this.boolExpr(d + 1)}) ${c.pick(['and', 'or'])} (${this.boolExpr(d + 1)})`;
      case 3: return `not (${this.boolExpr(d + 1)})`;
      case 4: {
        const bs = this.vars('bool');
        return bs.length ? c.pick(bs).name : 'True';
      }
      default: return `${this.intExpr(d + 1)} % 2 == 0`;
    }
  }

  scalarExpr(type, d = 0) {
    return type === 'int' ? this.intExpr(d) : type === 'float' ? this.floatExpr(d) : this.boolExpr(d);
  }

  /** One element of an array, at a constant index in range (negative indices too). */
  element(arr) {
    const idx = arr.shape.map((n) => (this.c.chance(0.2) ? -this.c.int(1, n) : this.c.int(0, n - 1)));
    return `${arr.name}[${idx.join(', ')}]`;
  }

  // ---- array expressions ----

  /** An expression of the given dtype and shape, built from arrays in scope, slices and broadcasting. */
  arrayExpr(dtype, shape, d = 0) {
    const c = this.c;
    if (d >= 3 || c.chance(0.25)) return this.arrayLeaf(dtype, shape);
    const a = () => this.arrayExpr(dtype, shape, d + 1);
    if (dtype === 'int64') {
      switch (c.int(0, 6)) {
        case 6: return c.pick([`(${a()} << ${c.int(0, 3)})`, `(${a()} >> ${c.int(0, 2)})`, `(${a()} ** 2)`, `(${a()} // ${c.int(-3, 4) || 2})`, `(-${a()})`, `abs(${a()})`, `(${a()} & ${c.int(0, 15)})`]);
        case 0: return `(${a()} + ${a()})`;
        case 1: return `(${a()} - ${this.intExpr(2)})`;
        case 2: return `(${a()} * ${c.int(-3, 4)})`;
        case 3: return `(${a()} % ${c.int(1, 9)})`;
        case 4: return `maximum(${a()}, ${a()})`;
        default: return `where(${a()} > ${c.int(-2, 5)}, ${a()}, ${a()})`;
      }
    }
    switch (c.int(0, 11)) {
      case 0: return `(${a()} + ${a()})`;
      case 1: return `(${a()} - ${a()})`;
      case 2: return `(${a()} * ${this.floatExpr(2)})`;
      case 3: return `(${a()} / (abs(${a()}) + 1.0))`;
      case 4: return `sqrt(abs(${a()}))`;
      case 5: return `${c.pick(['sin', 'cos', 'tanh', 'exp'])}(${c.pick(['sin', 'cos', 'tanh'])}(${a()}))`;
      case 6: return `where(${a()} > ${this.floatExpr(2)}, ${a()}, ${a()})`;
      case 7: return `${c.pick(['maximum', 'minimum'])}(${a()}, ${a()})`;
      case 8: return `(${this.arrayExpr('int64', shape, d + 1)} * ${c.pick(FLOAT_LITERALS)})`;
      case 9: return `clip(${a()}, -1.0, ${c.pick(['2.0', '0.5'])})`;
      case 10: return c.pick([`(${a()} ** 2)`, `floor(${a()})`, `(${a()} // 1.5)`, `(${a()} % -2.0)`, `(-${a()})`, `abs(${a()})`, `log1p(abs(${a()}))`, `round(${a()}, ${c.int(0, 3)})`]);
      default: return `(${a()} ${c.pick(['+', '*', '-'])} ${this.floatExpr(2)})`;
    }
  }

  arrayLeaf(dtype, shape) {
    const c = this.c;
    const same = this.arraysOf(dtype, shape);
    const k = c.int(0, 5);
    if (k <= 1 && same.length) return c.pick(same).name;
    if (k === 2 && shape.length === 1) {
      // A slice of a longer 1-d array, contiguous or strided, forward or reversed.
      const longer = this.arrays.filter((x) => x.dtype === dtype && x.shape.length === 1 && x.shape[0] >= shape[0]);
      if (longer.length) {
        const src = c.pick(longer);
        const n = src.shape[0], m = shape[0];
        if (c.chance(0.3) && n >= 2 * m) return `${src.name}[${c.chance(0.5) ? 1 : 0}::2][:${m}]`;
        const lo = c.int(0, n - m);
        if (c.chance(0.3)) return `${src.name}[${lo}:${lo + m}][::-1]`;
        if (c.chance(0.2)) return lo + m === n && lo === 0 ? `${src.name}[::-1]` : `${src.name}[${lo + m - 1}:${lo === 0 ? '' : lo - 1}:-1]`;
        return `${src.name}[${lo}:${lo + m}]`;
      }
    }
    if (k === 3 && shape.length === 1) {
      // A row or a column of a 2-d array.
      const rows = this.arrays.filter((x) => x.dtype === dtype && x.shape.length === 2 && x.shape[1] === shape[0]);
      const cols = this.arrays.filter((x) => x.dtype === dtype && x.shape.length === 2 && x.shape[0] === shape[0]);
      if (rows.length && c.chance(0.5)) { const m = c.pick(rows); return `${m.name}[${c.int(0, m.shape[0] - 1)}]`; }
      if (cols.length) { const m = c.pick(cols); return `${m.name}[:, ${c.int(0, m.shape[1] - 1)}]`; }
    }
    if (k === 4 && shape.length === 2) {
      // Broadcasting: a row vector against the rows, a column against the columns, or a transpose.
      const rowVecs = this.arrays.filter((x) => x.dtype === dtype && x.shape.length === 1 && x.shape[0] === shape[1]);
      const trans = this.arrays.filter((x) => x.dtype === dtype && x.shape.length === 2 && x.shape[0] === shape[1] && x.shape[1] === shape[0]);
      if (trans.length && c.chance(0.4)) return `${c.pick(trans).name}.T`;
      if (rowVecs.length && same.length) return `(${c.pick(same).name} + ${c.pick(rowVecs).name})`;
      const colVecs = this.arrays.filter((x) => x.dtype === dtype && x.shape.length === 1 && x.shape[0] === shape[0]);
      if (colVecs.length && same.length) return `(${c.pick(same).name} * ${c.pick(colVecs).name}.reshape((${shape[0]}, 1)))`;
    }
    return this.creation(dtype, shape);
  }

  creation(dtype, shape) {
    const c = this.c;
    const size = shape.reduce((x, y) => x * y, 1);
    const sh = shape.length === 1 ? String(shape[0]) : `(${shape.join(', ')})`;
    const reshape = (e) => (shape.length === 1 ? e : `${e}.reshape(${sh})`);
    if (dtype === 'int64') {
      switch (c.int(0, 3)) {
        case 0: return reshape(`(arange(${size}) % ${c.int(2, 11)})`);
        case 1: return `zeros(${sh}, dtype=int64)`;
        case 2: return reshape(`(arange(${size}) * ${c.int(-3, 3)} - ${c.int(0, 9)})`);
        default: return `full(${sh}, ${c.int(-5, 5)})`;
      }
    }
    switch (c.int(0, 4)) {
      case 0: return reshape(`(arange(${size}) * ${c.pick(FLOAT_LITERALS)} - ${c.pick(FLOAT_LITERALS)})`);
      case 1: return reshape(`linspace(${c.pick(FLOAT_LITERALS)}, ${c.pick(FLOAT_LITERALS)}, ${size})`);
      case 2: return `ones(${sh}) * ${c.pick(FLOAT_LITERALS)}`;
      case 3: return `zeros(${sh})`;
      default: return reshape(`sin(arange(${size}) * ${c.pick(FLOAT_LITERALS)})`);
    }
  }

  pickShape() {
    const c = this.c;
    if (c.chance(0.15)) return [c.pick(BIG)];
    if (c.chance(0.25)) return [c.pick([1, 2, 3, 4, 5]), c.pick([1, 2, 3, 4, 6])];
    if (c.chance(0.05)) return [c.pick([200, 300]), c.pick([150, 199])];
    return [c.pick(SMALL)];
  }

  // ---- statements ----

  printStmt() {
    const c = this.c;
    const items = [];
    for (let k = c.int(1, 3); k > 0; k--) {
      const small = this.arrays.filter((a) => size(a.shape) <= SMALL_LIMIT);
      const any = this.arrays;
      const r = c.int(0, 5);
      if (r === 0 && small.length) items.push(c.pick(small).name);
      else if (r === 1 && any.length) {
        const a = c.pick(any);
        const red = a.dtype === 'float64' ? c.pick(['sum', 'min', 'max', 'mean']) : c.pick(['sum', 'min', 'max']);
        items.push(`${a.name}.${red}()`);
      } else if (r === 2 && any.length) items.push(this.element(c.pick(any)));
      else if (r === 3) {
        const m2 = this.arrays.filter((a) => a.shape.length === 2 && a.shape[0] * a.shape[1] <= SMALL_LIMIT * 4);
        if (m2.length) items.push(`${c.pick(m2).name}.sum(axis=${c.int(0, 1)})`);
        else if (this.scalars.length) items.push(c.pick(this.scalars).name);
      } else if (this.scalars.length) items.push(c.pick(this.scalars).name);
      else items.push(this.floatExpr(1));
    }
    this.emit(`print(${items.join(', ')})`);
  }

  newArray() {
    const c = this.c;
    const dtype = c.chance(0.7) ? 'float64' : 'int64';
    const shape = this.pickShape();
    const name = this.fresh(shape.length === 2 ? 'm' : dtype === 'int64' ? 'k' : 'a');
    this.emit(`${name} = ${c.chance(0.5) ? this.creation(dtype, shape) : this.arrayExpr(dtype, shape)}`);
    this.arrays.push({ name, dtype, shape });
  }

  newScalar() {
    const type = this.c.pick(['int', 'float', 'float', 'bool']);
    const name = this.fresh(type === 'int' ? 'n' : type === 'float' ? 'x' : 'b');
    this.emit(`${name} = ${this.scalarExpr(type)}`);
    this.scalars.push({ name, type });
  }

  updateArray() {
    const c = this.c;
    const targets = this.arrays.filter((a) => !this.readOnly.has(a.name));
    if (!targets.length) return this.newArray();
    const a = c.pick(targets);
    const r = c.int(0, 3);
    if (r === 0) this.emit(`${a.name} ${c.pick(['+=', '-=', '*='])} ${this.arrayExpr(a.dtype, a.shape, 1)}`);
    else if (r === 1 && a.shape.length === 1 && a.shape[0] >= 2) {
      const lo = c.int(0, a.shape[0] - 1), hi = c.int(lo + 1, a.shape[0]);
      this.emit(`${a.name}[${lo}:${hi}] = ${this.arrayExpr(a.dtype, [hi - lo], 1)}`);
    } else if (r === 2 && a.shape.length === 2) {
      this.emit(`${a.name}[${c.int(0, a.shape[0] - 1)}, :] = ${this.arrayExpr(a.dtype, [a.shape[1]], 1)}`);
    } else {
      this.emit(`${this.element(a)} = ${a.dtype === 'int64' ? this.intExpr(1) : this.floatExpr(1)}`);
    }
  }

  updateScalar() {
    const c = this.c;
    const num = this.scalars.filter((s) => s.type !== 'bool');
    if (!num.length) return this.newScalar();
    const s = c.pick(num);
    if (s.type === 'int') this.emit(`${s.name} = (${s.name} + ${this.intExpr(1)}) % ${c.int(3, 1009)}`);
    else this.emit(`${s.name} ${c.pick(['+=', '-=', '*='])} ${this.floatExpr(1)}`);
  }

  /** A prange loop: reductions of each kind, a private temporary, an output array written at [i]. */
  prangeLoop(kind = 'prange') {
    const c = this.c;
    const ones = this.arrays.filter((a) => a.shape.length === 1);
    const n = ones.length && c.chance(0.7) ? c.pick(ones).shape[0] : c.pick([...SMALL, ...BIG]);
    const inputs = this.arrays.filter((a) => a.shape.length === 1 && a.shape[0] === n);
    const out = this.fresh('o');
    this.emit(`${out} = zeros(${n})`);
    const sums = [];
    const nRed = c.int(1, 3);
    for (let k = 0; k < nRed; k++) {
      const op = c.pick(['+=', '+=', '-=', 'max', 'min', 'count', '*=']);
      const name = this.fresh('r');
      const type = op === 'count' ? 'int' : 'float';
      this.emit(`${name} = ${op === '*=' ? '1.0' : type === 'int' ? '0' : op === 'max' ? '-1e300' : op === 'min' ? '1e300' : '0.0'}`);
      sums.push({ name, op, type });
    }
    const i = this.fresh('i');
    const t = this.fresh('t');
    const range = kind === 'prange' ? `prange(${n}${c.chance(0.3) ? `, schedule="${c.pick(['static', 'dynamic', 'guided'])}"` : ''})` : `range(${n})`;
    this.emit(`for ${i} in ${range}:`);
    const saved = this.scalars;
    this.readOnly = new Set(this.arrays.map((a) => a.name));
    this.block(() => {
      this.scalars = [...saved.filter((s) => !sums.some((r) => r.name === s.name)), { name: i, type: 'int' }];
      const reads = inputs.length ? inputs.map((a) => `${a.name}[${c.chance(0.7) ? i : `(${i} + ${c.int(1, 5)}) % ${n}`}]`) : [];
      const base = reads.length ? c.pick(reads) : `${i} * 0.5`;
      this.emit(`${t} = ${base} * ${c.pick(FLOAT_LITERALS)} + ${this.floatExpr(2)}`);
      this.scalars.push({ name: t, type: 'float' });
      if (c.chance(0.3)) this.emit(`${t} = ${t} if ${t} < ${c.pick(FLOAT_LITERALS)} else -${t}`);
      for (const r of sums) {
        if (r.op === 'max' || r.op === 'min') this.emit(`${r.name} = ${r.op}(${r.name}, ${t})`);
        else if (r.op === 'count') { this.emit(`if ${t} > 0.0:`); this.block(() => this.emit(`${r.name} += 1`)); }
        else if (r.op === '*=') this.emit(`${r.name} *= 1.0 + ${t} * 1e-6`);
        else this.emit(`${r.name} ${r.op} ${t}`);
      }
      this.emit(`${out}[${i}] = ${t} * 2.0`);
    });
    this.readOnly = new Set();
    this.scalars = [...saved, ...sums.map((r) => ({ name: r.name, type: r.type })), { name: t, type: 'float' }];
    this.arrays.push({ name: out, dtype: 'float64', shape: [n] });
  }

  /** A prange over the rows of a 2-d array: whole-row array statements in the body. */
  rowLoop() {
    const c = this.c;
    const twos = this.arrays.filter((a) => a.shape.length === 2 && a.dtype === 'float64');
    if (!twos.length) return this.prangeLoop('prange');
    const m = c.pick(twos), [r, cols] = m.shape;
    const out = this.fresh('q'), i = this.fresh('i');
    const rows = this.arrays.filter((a) => a.shape.length === 1 && a.dtype === 'float64' && a.shape[0] === cols);
    this.emit(`${out} = zeros((${r}, ${cols}))`);
    this.emit(`for ${i} in prange(${r}):`);
    this.block(() => {
      this.emit(`${out}[${i}, :] = ${m.name}[${i}, :] * ${c.pick(FLOAT_LITERALS)} + ${rows.length ? c.pick(rows).name : `${m.name}[0, :]`}`);
      if (c.chance(0.5)) this.emit(`${out}[${i}, ${c.int(0, cols - 1)}] += ${m.name}[${i}, :].sum()`);
    });
    this.arrays.push({ name: out, dtype: 'float64', shape: [r, cols] });
  }

  /** A region: two p.range passes separated by a barrier, the second reading the first's output at other indices. */
  region() {
    const c = this.c;
    const n = c.pick([...SMALL, ...BIG]);
    const first = this.fresh('g'), second = this.fresh('h');
    this.emit(`${first} = zeros(${n})`);
    this.emit(`${second} = zeros(${n})`);
    const p = this.fresh('p'), i = this.fresh('j');
    const inputs = this.arrays.filter((a) => a.shape.length === 1 && a.shape[0] === n);
    this.emit(`with parallel(${c.chance(0.3) ? `num_threads=${c.int(1, 3)}` : ''}) as ${p}:`);
    const saved = this.scalars;
    this.readOnly = new Set(this.arrays.map((a) => a.name));
    this.block(() => {
      this.scalars = [...saved, { name: i, type: 'int' }];
      this.emit(`for ${i} in ${p}.range(0, ${n}, 1):`);
      this.block(() => {
        const src = inputs.length ? `${c.pick(inputs).name}[${i}]` : `${i} * 0.25`;
        this.emit(`${first}[${i}] = ${src} + ${this.floatExpr(2)}`);
      });
      this.emit(`${p}.barrier()`);
      this.emit(`for ${i} in ${p}.range(0, ${n}, 1):`);
      this.block(() => this.emit(`${second}[${i}] = ${first}[(${i} + ${c.int(1, 3)}) % ${n}] - ${first}[${i}]`));
    });
    this.readOnly = new Set();
    this.scalars = saved;
    this.arrays.push({ name: first, dtype: 'float64', shape: [n] }, { name: second, dtype: 'float64', shape: [n] });
  }

  func() {
    const c = this.c;
    const name = this.fresh('f');
    if (c.chance(0.6)) {
      const arity = c.int(1, 3);
      const params = Array.from({ length: arity }, (_, k) => `${name}_${'xyz'[k]}`);
      this.emit(`def ${name}(${params.join(', ')}):`);
      const saved = { scalars: this.scalars, arrays: this.arrays, funcs: this.funcs };
      this.scalars = params.map((p) => ({ name: p, type: 'float' }));
      this.arrays = [];
      this.block(() => {
        if (c.chance(0.4)) {
          const v = `${name}_v`;
          this.emit(`${v} = ${this.floatExpr(1)}`);
          this.scalars.push({ name: v, type: 'float' });
        }
        this.emit(`return ${this.floatExpr(1)}`);
      });
      Object.assign(this, saved);
      this.funcs.push({ name, kind: 'scalar', arity });
    } else {
      const a = `${name}_a`, s = `${name}_s`, k = `${name}_k`;
      this.emit(`def ${name}(${a}):`);
      this.block(() => {
        this.emit(`${s} = 0.0`);
        this.emit(`for ${k} in range(len(${a})):`);
        this.block(() => this.emit(`${s} += ${a}[${k}] * ${c.pick(FLOAT_LITERALS)} + ${c.pick(['0.0', `${k} * 0.5`, `${a}[0]`])}`));
        this.emit(`return ${s}`);
      });
      this.funcs.push({ name, kind: 'array', arity: 1 });
    }
  }

  /** Library calls: matrix products, arg-reductions, scans, sorting, masks, atomics in prange. */
  library() {
    const c = this.c;
    const name = this.fresh('l');
    const ones = this.arrays.filter((a) => a.shape.length === 1 && a.dtype === 'float64');
    const twos = this.arrays.filter((a) => a.shape.length === 2 && a.dtype === 'float64');
    switch (c.int(0, 6)) {
      case 0: {
        if (!twos.length) return this.newArray();
        const m = c.pick(twos);
        const inner = m.shape[1], cols = c.pick([1, 2, 3, 5]);
        this.emit(`${name} = ${m.name} @ ${this.creation('float64', [inner, cols])}`);
        this.arrays.push({ name, dtype: 'float64', shape: [m.shape[0], cols] });
        return;
      }
      case 1: {
        if (!ones.length) return this.newArray();
        const a = c.pick(ones);
        this.emit(`${name} = ${c.pick(['cumsum', 'sort'])}(${a.name})`);
        this.arrays.push({ name, dtype: 'float64', shape: a.shape });
        return;
      }
      case 2: {
        if (!this.arrays.length) return this.newArray();
        const a = c.pick(this.arrays);
        this.emit(`${name} = int(${c.pick(['argmax', 'argmin'])}(${a.name}))`);
        this.scalars.push({ name, type: 'int' });
        return;
      }
      case 3: {
        if (!ones.length) return this.newArray();
        const a = c.pick(ones);
        this.emit(`${name} = ${a.name}[${a.name} ${c.pick(['>', '<'])} ${this.floatExpr(2)}].sum()`);
        this.scalars.push({ name, type: 'float' });
        return;
      }
      case 4: {
        // A histogram with atomic_add from a prange: integer counts, the same at any team size.
        const ks = this.arrays.filter((a) => a.shape.length === 1 && a.dtype === 'int64');
        const n = ks.length ? c.pick(ks).shape[0] : c.pick(BIG);
        const src = ks.filter((a) => a.shape[0] === n);
        const bins = c.int(1, 9), i = this.fresh('i');
        this.emit(`${name} = zeros(${bins}, dtype=int64)`);
        this.emit(`for ${i} in prange(${n}):`);
        this.block(() => this.emit(`atomic_add(${name}, ${src.length ? `abs(${c.pick(src).name}[${i}])` : i} % ${bins}, ${c.int(1, 3)})`));
        this.arrays.push({ name, dtype: 'int64', shape: [bins] });
        return;
      }
      case 5: {
        // A prange with start, stop and step, and an integer reduction.
        const n = c.pick([...SMALL, ...BIG]), lo = c.int(0, 3), step = c.pick([1, 2, 3, 7]);
        const i = this.fresh('i');
        this.emit(`${name} = 0`);
        this.emit(`for ${i} in prange(${lo}, ${n}, ${step}):`);
        this.block(() => this.emit(`${name} += (${i} * ${c.int(1, 9)}) % ${c.int(2, 11)}`));
        this.scalars.push({ name, type: 'int' });
        return;
      }
      default: {
        if (!twos.length) return this.newArray();
        const m = c.pick(twos), axis = c.int(0, 1);
        this.emit(`${name} = ${m.name}.${c.pick(['sum', 'max', 'min', 'mean'])}(axis=${axis})`);
        this.arrays.push({ name, dtype: 'float64', shape: [m.shape[1 - axis]] });
      }
    }
  }

  ifStmt() {
    this.emit(`if ${this.boolExpr(1)}:`);
    this.block(() => this.simpleStmt());
    if (this.c.chance(0.5)) {
      this.emit('else:');
      this.block(() => this.simpleStmt());
    }
  }

  whileLoop() {
    const k = this.fresh('w');
    this.emit(`${k} = 0`);
    this.emit(`while ${k} < ${this.c.int(0, 6)}:`);
    this.block(() => {
      this.simpleStmt();
      this.emit(`${k} += 1`);
    });
    this.scalars.push({ name: k, type: 'int' });
  }

  /** A statement that introduces no new name (safe inside a branch). */
  simpleStmt() {
    if (this.c.chance(0.5) && this.arrays.length) this.updateArray();
    else if (this.scalars.some((s) => s.type !== 'bool')) this.updateScalar();
    else this.printStmt();
  }

  statement() {
    const c = this.c;
    const r = c.int(0, 99);
    if (r < 16) this.newArray();
    else if (r < 30) this.newScalar();
    else if (r < 40) this.updateArray();
    else if (r < 46) this.updateScalar();
    else if (r < 60) this.printStmt();
    else if (r < 68) this.prangeLoop('prange');
    else if (r < 72) this.rowLoop();
    else if (r < 76) this.prangeLoop('range');
    else if (r < 80) this.region();
    else if (r < 86) this.func();
    else if (r < 92) this.library();
    else if (r < 96) this.ifStmt();
    else this.whileLoop();
  }

  program() {
    this.newArray();
    this.newScalar();
    for (let k = this.c.int(4, 14); k > 0; k--) this.statement();
    this.printStmt();
    return this.lines.join('\n') + '\n';
  }
}

function sameShape(a, b) { return a.length === b.length && a.every((n, k) => n === b[k]); }
function size(shape) { return shape.reduce((x, y) => x * y, 1); }

/** Program `index` of run `seed`: the same text every time, independent of how many programs the run has. */
export function generateProgram(seed, index) {
  const [g] = fc.sample(fc.gen(), { seed: (seed * 1_000_003 + index) | 0, numRuns: 1 });
  return new Gen(chooser(g)).program();
}
