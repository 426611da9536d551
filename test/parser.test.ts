// Front-end tests: lexer (literals, layout), parser (precedence, statements, slices, calls),
// AST spans, syntax-error messages and positions, rejected Python constructs, the AST dump, and
// a fuzz run showing that no input makes parse() throw.
import { describe, expect, it } from 'vitest';
import type { Expr, FunctionDef, Module, Stmt } from '../language/ast.js';
import { printAst } from '../language/ast-print.js';
import { Code, DiagnosticBag } from '../language/diagnostics.js';
import { parse } from '../language/parse.js';
import { lineCol, sourceFile } from '../language/source.js';
import type { Span } from '../language/source.js';

function run(src: string) {
  const file = sourceFile('t.par', src);
  const bag = new DiagnosticBag();
  const m = parse(file, bag);
  const errors = bag.items.map((d) => {
    const { line, col } = lineCol(file, d.span.start);
    return `${line}:${col} ${d.message}`;
  });
  return { m, file, diags: bag.items, errors };
}

function ok(src: string): Module {
  const r = run(src);
  expect(r.errors).toEqual([]);
  return r.m;
}

function exprOf(src: string): Expr {
  const s = ok(src + '\n').body[0];
  if (s.kind !== 'ExprStmt') throw new Error(`not an expression statement: ${s.kind}`);
  return s.expr;
}

/** A compact one-line rendering that makes grouping visible. */
function show(e: Expr | null): string {
  if (e === null) return '';
  switch (e.kind) {
    case 'Int': return `${e.value}`;
    case 'Float': return Number.isInteger(e.value) ? e.value.toFixed(1) : `${e.value}`;
    case 'Bool': return e.value ? 'True' : 'False';
    case 'Str': return JSON.stringify(e.value);
    case 'None': return 'None';
    case 'Name': return e.id;
    case 'Unary': return `(${e.op} ${show(e.operand)})`;
    case 'Binary': return `(${e.op} ${show(e.left)} ${show(e.right)})`;
    case 'Compare': return `(cmp ${show(e.left)} ${e.ops.map((o, i) => `${o} ${show(e.comparators[i])}`).join(' ')})`;
    case 'BoolOp': return `(${e.op} ${e.values.map(show).join(' ')})`;
    case 'IfExp': return `(if ${show(e.test)} ${show(e.body)} ${show(e.orelse)})`;
    case 'Call': return `${show(e.func)}(${[...e.args.map(show), ...e.keywords.map((k) => `${k.name}=${show(k.value)}`)].join(', ')})`;
    case 'Attribute': return `${show(e.value)}.${e.attr}`;
    case 'Subscript': return `${show(e.value)}[${e.index.map(show).join(', ')}]`;
    case 'Slice': return `${show(e.lower)}:${show(e.upper)}:${show(e.step)}`;
    case 'Tuple': return `(tuple ${e.elts.map(show).join(' ')})`;
    case 'List': return `[${e.elts.map(show).join(', ')}]`;
    case 'Lambda': return `(lambda ${e.params.map((p) => p.name + (p.default ? `=${show(p.default)}` : '')).join(' ')}: ${show(e.body)})`;
  }
}

const text = (src: string, s: Span) => src.slice(s.start, s.end);
const kinds = (body: Stmt[]) => body.map((s) => s.kind);

describe('lexer', () => {
  it('reads integer literals as bigint in every base, with underscores', () => {
    const e = exprOf('(0, 42, 1_000_000, 0x_FF, 0o17, 0b1010, 9223372036854775808)');
    expect(e.kind === 'Tuple' && e.elts.map((x) => (x.kind === 'Int' ? x.value : null))).toEqual(
      [0n, 42n, 1000000n, 255n, 15n, 10n, 9223372036854775808n]);
  });

  it('reads float literals in all their forms', () => {
    const e = exprOf('(1.0, 1., .5, 1e-3, 2.5E+2, 1_000.5, 3e2)');
    expect(e.kind === 'Tuple' && e.elts.map((x) => [x.kind, x.kind === 'Float' ? x.value : null])).toEqual(
      [1, 1, 0.5, 0.001, 250, 1000.5, 300].map((v) => ['Float', v]));
  });

  it('decodes strings: quotes, escapes, raw, triple-quoted, adjacent concatenation', () => {
    const e = exprOf(String.raw`('a\tb', "it's", r'\n', """x
y""", 'ab' "cd", '\x41\u00e9\101', '\q')`);
    expect(e.kind === 'Tuple' && e.elts.map((x) => (x.kind === 'Str' ? x.value : null))).toEqual(
      ['a\tb', "it's", '\\n', 'x\ny', 'abcd', 'AéA', '\\q']);
  });

  it('refuses leading zeros in decimal integers, as Python does', () => {
    const msg = 'leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers';
    expect(run('x = 09\ny = 007\nz = 0_7\n').errors).toEqual([`1:5 ${msg}`, `2:5 ${msg}`, `3:5 ${msg}`]);
    const e = exprOf('(0, 00, 0_0, 0.5, 0e1, 09.5, 00.5, 010e2, 0o7)');
    expect(e.kind === 'Tuple' && e.elts.map(show)).toEqual(['0', '0', '0', '0.5', '0.0', '9.5', '0.5', '1000.0', '7']);
  });

  it('tells keywords from names that start with them', () => {
    const m = ok('assert iffy\nas_ = in_ + isx + notx + nonex\n');
    expect(kinds(m.body)).toEqual(['Assert', 'Assign']);
    expect(show((m.body[1] as Extract<Stmt, { kind: 'Assign' }>).value)).toBe('(+ (+ (+ in_ isx) notx) nonex)');
  });

  it('reports bad characters and unterminated strings without stopping', () => {
    const r = run('x = 1 $ 2\ns = "abc\nt = """never\nends\n');
    expect(r.diags.map((d) => [d.code, lineCol(r.file, d.span.start).line])).toEqual([
      [Code.BadCharacter, 1], [Code.UnterminatedString, 2], [Code.UnterminatedString, 3],
    ]);
    expect(r.errors[0]).toBe("1:7 unexpected character '$'");
  });
});

describe('layout (indentation)', () => {
  it('nests blocks and closes several levels at once', () => {
    const m = ok('for i in a:\n    if i:\n        x = 1\n        y = 2\nz = 3\n');
    expect(kinds(m.body)).toEqual(['For', 'Assign']);
    const f = m.body[0] as Extract<Stmt, { kind: 'For' }>;
    expect(kinds((f.body[0] as Extract<Stmt, { kind: 'If' }>).body)).toEqual(['Assign', 'Assign']);
  });

  it('ignores blank lines, comment lines, and newlines inside brackets', () => {
    const m = ok('# header\n\nif a:\n\n    # inside\n    x = f(1,\n  2,\n        3)   # trailing\n\n    y = [\n1]\n# end\n');
    const s = m.body[0] as Extract<Stmt, { kind: 'If' }>;
    expect(kinds(s.body)).toEqual(['Assign', 'Assign']);
  });

  it('joins lines ending in a backslash', () => {
    const m = ok('x = 1 + \\\n    2\ny = 3\n');
    expect(kinds(m.body)).toEqual(['Assign', 'Assign']);
  });

  it('counts a tab as advancing to the next multiple of 8', () => {
    // '  \t' and '\t' are both column 8; with the same prefix on each line that is consistent.
    const m = ok('if a:\n  \tif b:\n  \t\tx = 1\n  \ty = 2\n');
    expect(kinds((m.body[0] as Extract<Stmt, { kind: 'If' }>).body)).toEqual(['If', 'Assign']);
    // '\t\t' is column 16, not 2: '\t    ' (column 12) is a dedent that matches no level.
    expect(run('if a:\n\tif b:\n\t\tx = 1\n\t    y = 2\n').errors).toEqual(['4:6 unindent does not match any outer indentation level']);
  });

  it('reports a TabError where tabs of 8 and of 1 column disagree, as CPython does', () => {
    const tabError = (line: number, col: number) => [`${line}:${col} inconsistent use of tabs and spaces in indentation`];
    // Equal with tabs of 8, different with tabs of 1 (CPython: TabError).
    expect(run('if a:\n\tx = 1\n        y = 2\n').errors).toEqual(tabError(3, 9));
    expect(run('if a:\n        x = 1\n\ty = 2\n').errors).toEqual(tabError(3, 2));
    // Deeper with tabs of 8, not with tabs of 1.
    expect(run('if a:\n    if b:\n\tx = 1\n').errors).toEqual(tabError(3, 2));
    // A dedent back to a level reached another way.
    expect(run('if a:\n\tif b:\n\t\tx = 1\n        y = 2\n').errors).toEqual(tabError(4, 9));
    expect(run('if a:\n\tx = 1\n        y = 2\n').diags[0].code).toBe(Code.BadIndent);
  });

  it('accepts CRLF line endings and a missing final newline', () => {
    const m = ok('if a:\r\n    x = 1\r\ny = 2');
    expect(kinds(m.body)).toEqual(['If', 'Assign']);
  });

  it('accepts lone CR line endings (old Mac files), as Python does', () => {
    const m = ok('x = 1\rif a:\r    y = 2 # note\r    z = \\\r3\rw = 4\r');
    expect(kinds(m.body)).toEqual(['Assign', 'If', 'Assign']);
    expect(kinds((m.body[1] as Extract<Stmt, { kind: 'If' }>).body)).toEqual(['Assign', 'Assign']);
    expect(run('x = 1\ry = $\r').errors).toEqual(["2:5 unexpected character '$'"]);
  });

  it('reports an inconsistent dedent with Code.BadIndent', () => {
    const r = run('if a:\n        x = 1\n    y = 2\n');
    expect(r.diags.map((d) => d.code)).toEqual([Code.BadIndent]);
    expect(r.errors).toEqual(['3:5 unindent does not match any outer indentation level']);
  });

  it('reports an unexpected indent and a missing block', () => {
    expect(run('x = 1\n    y = 2\n').errors).toEqual(['2:5 unexpected indent']);
    const r = run('if x:\ny = 2\n');
    expect(r.errors).toEqual(["2:1 expected an indented block after 'if' statement on line 1"]);
    expect(r.diags[0].code).toBe(Code.BadIndent);
    expect(kinds(r.m.body)).toEqual(['If', 'Assign']); // the next line still parses
    // The unindented line is not also reported as a 'return' outside a function.
    expect(run('def f(x):\nreturn x\n').errors).toEqual(['2:1 expected an indented block after function definition on line 1']);
    expect(run('def f():\n\n# nothing\n').errors).toEqual(['4:1 expected an indented block after function definition on line 1']);
  });
});

describe('expressions', () => {
  const cases: [string, string][] = [
    ['-2**2', '(- (** 2 2))'],
    ['2**-1', '(** 2 (- 1))'],
    ['2**3**2', '(** 2 (** 3 2))'],
    ['-x ** 2', '(- (** x 2))'],
    ['a - b - c', '(- (- a b) c)'],
    ['a + b * c', '(+ a (* b c))'],
    ['a / b // c % d', '(% (// (/ a b) c) d)'],
    ['a.T @ b + c', '(+ (@ a.T b) c)'],
    ['a | b ^ c & d << 1 + 2', '(| a (^ b (& c (<< d (+ 1 2)))))'],
    ['a >> 1 << 2', '(<< (>> a 1) 2)'],
    ['a - b * c - d', '(- (- a (* b c)) d)'],
    ['1 + 2 << 3 | 4 & 5 ^ 6 * 7', '(| (<< (+ 1 2) 3) (^ (& 4 5) (* 6 7)))'],
    ['a * -b ** -c', '(* a (- (** b (- c))))'],
    ['~a & -b', '(& (~ a) (- b))'],
    ['+a', '(+ a)'],
    ['not a < b <= c', '(not (cmp a < b <= c))'],
    ['a == b != c > d >= e', '(cmp a == b != c > d >= e)'],
    ['a is not b', '(cmp a is not b)'],
    ['a not in b', '(cmp a not in b)'],
    ['a in b is c', '(cmp a in b is c)'],
    ['a or b and not c', '(or a (and b (not c)))'],
    ['a or b or c', '(or a b c)'],
    ['x if c else y if d else z', '(if c x (if d y z))'],
    ['lambda x, y=1: x + y', '(lambda x y=1: (+ x y))'],
    ['lambda: 0', '(lambda : 0)'],
    ['f(x)(y)[0].z', 'f(x)(y)[0].z'],
    ['(a + b) * c', '(* (+ a b) c)'],
    ['True and False or None', '(or (and True False) None)'],
  ];
  for (const [src, want] of cases) {
    it(`parses ${src}`, () => expect(show(exprOf(src))).toBe(want));
  }

  it('parses slices and multi-dimensional indices', () => {
    expect(show(exprOf('a[1:-1, ::2]'))).toBe('a[1:(- 1):, ::2]');
    expect(show(exprOf('a[i, j]'))).toBe('a[i, j]');
    expect(show(exprOf('a[:, 0]'))).toBe('a[::, 0]');
    expect(show(exprOf('a[:]'))).toBe('a[::]');
    expect(show(exprOf('a[::]'))).toBe('a[::]');
    expect(show(exprOf('a[1:2:3]'))).toBe('a[1:2:3]');
    expect(show(exprOf('a[::-1]'))).toBe('a[::(- 1)]');
    expect(show(exprOf('a[a > 0]'))).toBe('a[(cmp a > 0)]');
    expect(show(exprOf('a[i,]'))).toBe('a[i]');
  });

  it('parses positional and keyword arguments, with a trailing comma', () => {
    expect(show(exprOf('prange(0, n, 2, schedule="dynamic", chunksize=4,)'))).toBe(
      'prange(0, n, 2, schedule="dynamic", chunksize=4)');
    expect(show(exprOf('f()'))).toBe('f()');
  });

  it('parses tuples and list displays', () => {
    expect(show(exprOf('(x,)'))).toBe('(tuple x)');
    expect(show(exprOf('()'))).toBe('(tuple )');
    expect(show(exprOf('(x)'))).toBe('x');
    expect(show(exprOf('x, y'))).toBe('(tuple x y)');
    expect(show(exprOf('1,'))).toBe('(tuple 1)');
    expect(show(exprOf('[[1, 2], [3, 4]]'))).toBe('[[1, 2], [3, 4]]');
    expect(show(exprOf('[]'))).toBe('[]');
    expect(show(exprOf('zeros((n, m), dtype=float32)'))).toBe('zeros((tuple n m), dtype=float32)');
  });
});

describe('statements', () => {
  it('parses every statement kind', () => {
    const m = ok([
      'from numpy import *',
      'from par import prange as pr, parallel',
      'from a.b import (c,\n    d,)',
      'import numpy as np, math',
      'def f(a: float64[:, :], n: int = 3) -> float64:',
      '    if n > 0:',
      '        pass',
      '    elif n < 0:',
      '        return a[0, 0]',
      '    else:',
      '        raise ValueError("bad n")',
      '    while True:',
      '        break',
      '    for i, j in pairs:',
      '        continue',
      '    return',
      'x: float64 = 1.0',
      'y: int',
      'a = b = 0',
      'a, b = b, a + b',
      'total += 1; total //= 2; total **= 2',
      'with parallel(num_threads=2) as p, p.lock:',
      '    p.barrier()',
      'assert x > 0, "positive"',
      'raise',
      'print(x)',
    ].join('\n') + '\n');
    expect(kinds(m.body)).toEqual([
      'ImportFrom', 'ImportFrom', 'ImportFrom', 'Import', 'Import', 'FunctionDef', 'AnnAssign', 'AnnAssign', 'Assign',
      'Assign', 'AugAssign', 'AugAssign', 'AugAssign', 'With', 'Assert', 'Raise', 'ExprStmt',
    ]);
    const [star, some, paren, np] = m.body;
    expect(star).toMatchObject({ module: 'numpy', names: '*' });
    expect(some).toMatchObject({ module: 'par', names: [{ name: 'prange', asName: 'pr' }, { name: 'parallel', asName: null }] });
    expect(paren).toMatchObject({ module: 'a.b', names: [{ name: 'c' }, { name: 'd' }] });
    expect(np).toMatchObject({ module: 'numpy', asName: 'np' });

    const f = m.body[5] as Extract<Stmt, { kind: 'FunctionDef' }>;
    expect(f.name).toBe('f');
    expect(f.params.map((p) => [p.name, show(p.annotation), show(p.default)])).toEqual([
      ['a', 'float64[::, ::]', ''], ['n', 'int', '3'],
    ]);
    expect(show(f.returns)).toBe('float64');
    expect(kinds(f.body)).toEqual(['If', 'While', 'For', 'Return']);
    const ifs = f.body[0] as Extract<Stmt, { kind: 'If' }>;
    expect(kinds(ifs.orelse)).toEqual(['If']); // elif nests, as in Python's ast
    expect(kinds((ifs.orelse[0] as Extract<Stmt, { kind: 'If' }>).orelse)).toEqual(['Raise']);
    expect(show((f.body[2] as Extract<Stmt, { kind: 'For' }>).target)).toBe('(tuple i j)');

    const chained = m.body[8] as Extract<Stmt, { kind: 'Assign' }>;
    expect(chained.targets.map(show)).toEqual(['a', 'b']);
    const swap = m.body[9] as Extract<Stmt, { kind: 'Assign' }>;
    expect([swap.targets.map(show), show(swap.value)]).toEqual([['(tuple a b)'], '(tuple b (+ a b))']);
    expect(m.body.slice(10, 13).map((s) => s.kind === 'AugAssign' && s.op)).toEqual(['+', '//', '**']);
    const w = m.body[13] as Extract<Stmt, { kind: 'With' }>;
    expect(w.items.map((i) => [show(i.context), i.asName])).toEqual([['parallel(num_threads=2)', 'p'], ['p.lock', null]]);
  });

  it('parses one-line suites and trailing semicolons', () => {
    const m = ok('if x: y = 1; z = 2\nelse: pass\nwhile a: a -= 1;\ndef g(): return 0\n');
    expect(kinds(m.body)).toEqual(['If', 'While', 'FunctionDef']);
    expect(kinds((m.body[0] as Extract<Stmt, { kind: 'If' }>).body)).toEqual(['Assign', 'Assign']);
  });

  it('checks assignment targets, argument order and break/return placement', () => {
    expect(run('f(x) = 1\n').errors).toEqual(['1:1 cannot assign to a function call']);
    expect(run('a + 1 = 2\n').errors).toEqual(['1:1 cannot assign to an expression']);
    expect(run('a, b += 1\n').errors).toEqual(['1:1 cannot use augmented assignment on a tuple']);
    expect(run('f(a=1, 2)\n').errors).toEqual(['1:8 positional argument follows keyword argument']);
    expect(run('f(a=1, a=2)\n').errors).toEqual(["1:8 keyword argument repeated: 'a'"]);
    expect(run('def f(a, a): pass\n').errors).toEqual(["1:10 duplicate parameter 'a' in function definition"]);
    expect(run('def f(a=1, b): pass\n').errors).toEqual(
      ['1:12 a parameter without a default follows a parameter with a default']);
    expect(run('break\nreturn 1\n').errors).toEqual(["1:1 'break' outside loop", "2:1 'return' outside function"]);
    expect(run('for i in x:\n    def g():\n        continue\n').errors).toEqual(["3:9 'continue' outside loop"]);
    ok('def g():\n    for i in x:\n        if i: break\n    return 1\n');
  });
});

describe('spans', () => {
  it('cover exactly the source text of each node', () => {
    const src = 'def f(n):\n    x = foo(a, b=2) + a.T[1:, i]\n    return x\n';
    const f = ok(src).body[0] as Extract<Stmt, { kind: 'FunctionDef' }>;
    expect(text(src, f.span)).toBe(src.trimEnd());
    expect(text(src, f.nameSpan)).toBe('f');
    expect(text(src, f.params[0].span)).toBe('n');
    const assign = f.body[0] as Extract<Stmt, { kind: 'Assign' }>;
    expect(text(src, assign.span)).toBe('x = foo(a, b=2) + a.T[1:, i]');
    const sum = assign.value as Extract<Expr, { kind: 'Binary' }>;
    const call = sum.left as Extract<Expr, { kind: 'Call' }>;
    expect(text(src, call.span)).toBe('foo(a, b=2)');
    expect(text(src, call.keywords[0].span)).toBe('b=2');
    const sub = sum.right as Extract<Expr, { kind: 'Subscript' }>;
    expect(text(src, sub.span)).toBe('a.T[1:, i]');
    expect(text(src, sub.index[0].span)).toBe('1:');
    const attr = sub.value as Extract<Expr, { kind: 'Attribute' }>;
    expect([text(src, attr.span), text(src, attr.attrSpan)]).toEqual(['a.T', 'T']);
    expect(text(src, f.body[1].span)).toBe('return x');
  });

  it('include parentheses, and extend an if statement over its elif/else blocks', () => {
    const src = 'y = (a + b) * -c\nif a:\n    pass\nelif b:\n    x = 1\nelse:\n    x = 2\n';
    const m = ok(src);
    const v = (m.body[0] as Extract<Stmt, { kind: 'Assign' }>).value as Extract<Expr, { kind: 'Binary' }>;
    expect([text(src, v.span), text(src, v.left.span), text(src, v.right.span)]).toEqual(['(a + b) * -c', '(a + b)', '-c']);
    const s = m.body[1] as Extract<Stmt, { kind: 'If' }>;
    expect(text(src, s.span)).toBe('if a:\n    pass\nelif b:\n    x = 1\nelse:\n    x = 2');
    expect(text(src, s.orelse[0].span)).toBe('elif b:\n    x = 1\nelse:\n    x = 2');
  });
});

describe('syntax errors', () => {
  it('reports several errors in one file, each at its line:col', () => {
    const r = run([
      'x = )',             // 1
      'if x y:',           // 2
      '    a = 1',         // 3
      'while x',           // 4
      '    b = 2',         // 5
      'c = 1 2',           // 6
      'for i in range(3) print(i)', // 7
      'd = [1, 2 3]',      // 8
      'ok = 1',            // 9
    ].join('\n') + '\n');
    expect(r.errors).toEqual([
      "1:5 expected an expression, found ')'",
      "2:6 expected ':' after the condition, found name 'y'",
      "4:8 expected ':' after the condition, found end of line",
      "6:7 expected end of line, found number '2'",
      "7:19 expected ':' after the for clause, found name 'print'",
      "8:11 expected ']', found number '3'",
    ]);
    expect(r.diags.every((d) => d.code === Code.Syntax)).toBe(true);
    // The blocks under the broken headers and the good lines still make it into the AST.
    expect(kinds(r.m.body)).toContain('While');
    expect(r.m.body.some((s) => s.kind === 'Assign' && show(s.targets[0]) === 'ok')).toBe(true);
  });

  it('names an unclosed bracket instead of the errors it causes downstream', () => {
    expect(run('x = 1\ny = f(a,\nz = 2\n').errors).toEqual(["2:6 '(' was never closed"]);
  });

  it('gives clear messages for common slips', () => {
    expect(run('def f(x)\n    return x\n').errors).toEqual(["1:9 expected ':' after the function signature, found end of line"]);
    expect(run('else:\n    pass\n').errors).toEqual(["1:1 expected a statement, found 'else'"]);
    expect(run('for x range(3):\n    pass\n').errors).toEqual(["1:7 expected 'in', found name 'range'"]);
    expect(run('x = 1 +\n').errors).toEqual(['1:8 expected an expression, found end of line']);
  });
});

describe('unsupported Python constructs', () => {
  const cases: [string, string][] = [
    ['class A:\n    pass\n', 'classes are not supported in Par'],
    ['y = {1: 2}\n', 'dict displays are not supported in Par'],
    ['y = {1, 2}\n', 'set displays are not supported in Par'],
    ['try:\n    x = 1\nexcept ValueError as e:\n    pass\n', "'try' statements are not supported in Par"],
    ['def f():\n    nonlocal g\n', "'nonlocal' is not supported in Par"],
    ['del x\n', "'del' is not supported in Par"],
    ['def f():\n    yield 1\n', "'yield' is not supported in Par"],
    ['async def f():\n    pass\n', "'async' is not supported in Par"],
    ['@dataclass\nclass A:\n    pass\n', 'classes are not supported in Par'],
    ['def f(*args, b):\n    pass\n', "parameters after '*args' (keyword-only parameters) are not supported in Par"],
    ['def f(**kw):\n    pass\n', "'**kw' parameters are not supported in Par"],
    ['f(**xs)\n', "argument unpacking with '**' is not supported in Par"],
    ['for i in x:\n    pass\nelse:\n    pass\n', "'else' on a loop is not supported in Par"],
  ];
  for (const [src, message] of cases) {
    it(`rejects: ${message}`, () => {
      const r = run(src);
      expect(r.diags.map((d) => [d.code, d.message])).toEqual([[Code.Unsupported, message]]);
    });
  }

  it('parses f-string fields as expressions at their place in the file', () => {
    const r = run('s = f"a{x + 1:>{w}}b{y!r}"\n');
    expect(r.diags).toEqual([]);
    const v = (r.m.body[0] as { value: Expr }).value as Extract<Expr, { kind: 'JoinedStr' }>;
    const [lit, field] = v.parts;
    expect(lit).toBe('a');
    expect(typeof field !== 'string' && field.value.kind).toBe('Binary');
    expect(typeof field !== 'string' && field.value.span.start).toBe(8);
    expect(run('s = f"{x +}"\n').errors).toEqual(['1:11 f-string: expected an expression, found the end of the field']);
    expect(run('s = f"{}"\n').errors).toEqual(['1:8 f-string: empty expression not allowed']);
  });

  it('parses comprehensions and generator expressions, each if with its for', () => {
    const r = run('y = [i * j for i in a if i for j in b if j if i < j]\ns = sum(x for x in y)\n');
    expect(r.diags).toEqual([]);
    const lc = (r.m.body[0] as { value: Expr }).value as Extract<Expr, { kind: 'ListComp' }>;
    expect(lc.generators.map((g) => g.ifs.length)).toEqual([1, 2]);
    const gen = ((r.m.body[1] as { value: Expr }).value as Extract<Expr, { kind: 'Call' }>).args[0];
    expect(gen.kind === 'ListComp' && gen.generator).toBe(true);
  });

  it('keeps decorators on their function (language/compat.ts decides what they mean)', () => {
    const r = run('@njit(parallel=True)\n@cython.boundscheck(False)\ndef f():\n    pass\n');
    expect(r.diags).toEqual([]);
    const f = r.m.body[0] as FunctionDef;
    expect(f.decorators?.map((d) => d.kind)).toEqual(['Call', 'Call']);
    expect(f.span.start).toBe(0);
  });

  it('keeps going after an unsupported construct', () => {
    const r = run('class A:\n    pass\nx = {i: 1 for i in y}\nz = 1\n');
    expect(r.diags).toHaveLength(2);
    expect(kinds(r.m.body)).toEqual(['Assign']);
  });
});

const examples = [
  `def mandel(cx, cy, maxit):
    x = 0.0; y = 0.0
    for k in range(maxit):
        if x * x + y * y > 4.0:
            return k
        x, y = x * x - y * y + cx, 2.0 * x * y + cy
    return maxit

img = zeros((20, 30), dtype=int64)
for i in prange(20, schedule="dynamic", chunksize=2):
    for j in range(30):
        img[i, j] = mandel(-2.0 + 3.0 * j / 30, -1.0 + 2.0 * i / 20, 100)
`,
  'u[1:-1, 1:-1] = 0.25 * (u[:-2, 1:-1] + u[2:, 1:-1] + u[1:-1, :-2] + u[1:-1, 2:])\n',
  `with parallel(num_threads=2) as p:
    for i in p.range(0, n):
        with p.lock:
            total += 1
    p.barrier()
`,
  'print(a.T @ b, a[::-1], -x ** 2, not a < b <= c)\n',
];

describe('example programs and the AST dump', () => {
  it('parses the example programs cleanly', () => {
    for (const src of examples) ok(src);
    expect(kinds(ok(examples.join('')).body)).toEqual(['FunctionDef', 'Assign', 'For', 'Assign', 'With', 'ExprStmt']);
  });

  it('prints one node per line with the line:col of statements', () => {
    const dump = printAst(ok('def f(a: int = 1):\n    return -a ** 2\nfor i in range(3): x[i:] = f(i)\n'));
    expect(dump).toBe([
      '(Module',
      '  (FunctionDef f @1:1',
      '    (param a',
      '      (annotation',
      '        (Name int))',
      '      (default',
      '        (Int 1)))',
      '    (body',
      '      (Return @2:5',
      '        (Unary -',
      '          (Binary **',
      '            (Name a)',
      '            (Int 2))))))',
      '  (For @3:1',
      '    (Name i)',
      '    (Call',
      '      (Name range)',
      '      (Int 3))',
      '    (body',
      '      (Assign @3:20',
      '        (Subscript',
      '          (Name x)',
      '          (Slice',
      '            (Name i)',
      '            (_)',
      '            (_)))',
      '        (Call',
      '          (Name f)',
      '          (Name i))))))',
      '',
    ].join('\n'));
  });
});

describe('robustness', () => {
  // A small deterministic generator (mulberry32), so a failure is reproducible.
  function rng(seed: number) {
    return () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }
  const pieces = [
    'def', 'if', 'elif', 'else', 'for', 'in', 'while', 'with', 'as', 'return', 'lambda', 'not', 'and', 'is',
    'class', 'try', 'yield', 'import', 'from', 'x', 'f', '1', '2.5', '"s"', "'", '"""', '(', ')', '[', ']', '{', '}',
    ':', ',', '.', ';', '=', '==', '+', '-', '*', '**', '/', '//', '@', '->', '+=', '<', '\\', '#', '$', '?',
    ' ', ' ', ' ', '\n', '\n', '    ', '\t', '\r\n',
  ];

  it('never throws, whatever the input', () => {
    const next = rng(12345);
    const pick = <T>(xs: T[]) => xs[Math.floor(next() * xs.length)];
    const corpus = examples.join('');
    for (let n = 0; n < 1500; n++) {
      let src: string;
      const mode = n % 3;
      if (mode === 0) {
        src = Array.from({ length: 1 + Math.floor(next() * 60) }, () => pick(pieces)).join(' ');
      } else if (mode === 1) {
        src = Array.from({ length: Math.floor(next() * 120) }, () => String.fromCharCode(Math.floor(next() * 128))).join('');
      } else {
        // Mutate a real program: delete, duplicate or replace a few spans.
        src = corpus;
        for (let k = 0; k < 1 + Math.floor(next() * 4); k++) {
          const i = Math.floor(next() * src.length);
          const len = Math.floor(next() * 8);
          const what = next();
          src = what < 0.4 ? src.slice(0, i) + src.slice(i + len)
            : what < 0.7 ? src.slice(0, i) + src.slice(i, i + len) + src.slice(i)
              : src.slice(0, i) + pick(pieces) + src.slice(i + 1);
        }
      }
      let r: ReturnType<typeof run> | undefined;
      expect(() => { r = run(src); }, JSON.stringify(src)).not.toThrow();
      expect(r!.m.kind).toBe('Module');
      expect(r!.diags.filter((d) => d.message.startsWith('internal error')), JSON.stringify(src)).toEqual([]);
      for (const d of r!.diags) {
        expect(d.span.start >= 0 && d.span.end <= src.length && d.span.start <= d.span.end, JSON.stringify([src, d])).toBe(true);
      }
    }
  });

  it('parses reasonable nesting and reports absurd nesting instead of overflowing', () => {
    const nest = (n: number) => `x = ${'('.repeat(n)}1${')'.repeat(n)}\n`;
    expect(show((ok(nest(30)).body[0] as Extract<Stmt, { kind: 'Assign' }>).value)).toBe('1');
    const r = run(nest(3000));
    expect(r.errors).toEqual(['1:1 this code is nested too deeply to parse']);
    ok(nest(20)); // the shared parser is still usable afterwards
  });

  it('reports an expression too deep for the later stages at the expression, for chains of any length', () => {
    // A 1500-term `a+a+...+a` once overflowed the stack in lowering ("internal error: Maximum call
    // stack size exceeded"); 5000 scalar terms did in the checker.
    const msg = 'this expression is too deeply nested to compile (more than 1000 levels of operators, calls or indexing); split it into several statements';
    const chain = (n: number, term = 'a', op = '+') => Array(n).fill(term).join(op);
    ok(`x = ${chain(1000)}\n`);
    expect(run(`x = 1\ny = ${chain(1001)}\n`).errors).toEqual([`2:5 ${msg}`]);
    for (const n of [1500, 5000, 50000]) expect(run(`x = ${chain(n, '1')}\n`).errors).toEqual([`1:5 ${msg}`]);
    expect(run(`def f(a):\n    return g(${chain(1500, 'a[0]', '*')}) + 1\n`).errors).toEqual([`2:12 ${msg}`]);
    expect(run(`x = a${'.T'.repeat(1200)}\n`).errors).toEqual([`1:5 ${msg}`]);
  });

  it('handles empty and blank input', () => {
    expect(ok('').body).toEqual([]);
    expect(ok('\n\n   \n# only a comment').body).toEqual([]);
  });
});

// The shared lexer and parser skip Chevrotain's definition checks to start faster; these run them.
describe('grammar definition checks', () => {
  it('the token patterns pass the lexer checks', async () => {
    const { Lexer } = await import('../language/chevrotain.js');
    const { lexerConfig, scannedTokens } = await import('../language/lexer.js');
    const lexer = new Lexer([...scannedTokens], { ...lexerConfig, skipValidations: false });
    expect(lexer.lexerDefinitionErrors).toEqual([]);
  });
  it('the grammar passes the parser checks (no ambiguity, no left recursion)', async () => {
    const { ParParser } = await import('../language/parser.js');
    const validated = new ParParser({ validate: true });
    expect(validated.definitionErrors).toEqual([]);
  });
});
