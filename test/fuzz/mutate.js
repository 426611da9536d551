// A byte- and token-level mutator of Par programs (the test programs are its seeds): deletes and
// inserts characters, duplicates and swaps lines, changes indentation, replaces numbers with
// boundary values, names with other names and keywords, operators with other operators, and deletes
// tokens. Mutants are mostly invalid; oracle (a) requires a clean diagnostic or a clean run for each.
import fc from 'fast-check';

const CHARS = '()[]{}:,.=+-*/%<>!&|^~@#"\'\\\n \t0123456789aexyz_';
const NUMBERS = ['0', '-1', '1', '2**63', '9223372036854775807', '-9223372036854775808', '2**62 * 4', '1e308', '1e-320',
  'nan', 'inf', '-inf', '10**20', '0.0', '-0.0', '3.5', 'True', 'None', '""', '(1, 2)', '[1, 2]', '2147483648', '-2**31', '10**9'];
const NAMES = ['prange', 'range', 'zeros', 'ones', 'arange', 'print', 'len', 'sum', 'float', 'int', 'bool', 'None', 'True',
  'lambda', 'def', 'return', 'parallel', 'atomic_add', 'float32', 'int8', 'uint8', 'int32', 'complex', 'yield', 'global',
  'nonlocal', 'class', 'import', 'p', 'x', 'self', 'reshape', 'T', 'shape', 'dtype', 'axis', 'min', 'max', 'sqrt', 'where',
  'empty', 'list', 'dict', 'str', 'pmap', 'break', 'continue', 'pass', 'while', 'if', 'else', 'in', 'not', 'is', 'and', 'or',
  'astype', 'copy', 'exec', 'eval', 'open', '__import__', 'os', 'sys', 'globals', 'getattr'];
const OPERATORS = ['+', '-', '*', '/', '//', '%', '**', '@', '&', '|', '^', '<<', '>>', '<', '>', '<=', '>=', '==', '!=', '=',
  '+=', '-=', '*=', '/=', ':', ',', '.', 'and', 'or', 'not', 'in', 'is'];
const TOKEN = /[A-Za-z_][A-Za-z0-9_]*|\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|\.\d+|\*\*|\/\/|<<|>>|[<>=!]=|[-+*/%&|^@]=?|[()[\]{}:,.~]|"[^"\n]*"|'[^'\n]*'/g;

function tokens(src) {
  return [...src.matchAll(TOKEN)].map((m) => ({ text: m[0], start: m.index, end: m.index + m[0].length }));
}

function chooser(g) {
  const int = (lo, hi) => g(fc.integer, { min: lo, max: Math.max(lo, hi) });
  return { int, pick: (xs) => xs[int(0, xs.length - 1)] };
}

function replaceRange(src, start, end, text) { return src.slice(0, start) + text + src.slice(end); }

function mutateOnce(src, c) {
  const lines = src.split('\n');
  const toks = tokens(src);
  const pos = () => c.int(0, src.length);
  switch (c.int(0, 10)) {
    case 0: { const at = pos(); return replaceRange(src, at, at + c.int(1, 10), ''); }
    case 1: { const at = pos(); return replaceRange(src, at, at, c.pick([...CHARS])); }
    case 2: { const k = c.int(0, lines.length - 1); lines.splice(k, 0, lines[k]); return lines.join('\n'); }
    case 3: {
      const i = c.int(0, lines.length - 1), j = c.int(0, lines.length - 1);
      [lines[i], lines[j]] = [lines[j], lines[i]];
      return lines.join('\n');
    }
    case 4: {
      const k = c.int(0, lines.length - 1);
      lines[k] = c.pick([(l) => '    ' + l, (l) => l.replace(/^ {1,4}/, ''), (l) => '\t' + l, (l) => ' ' + l])(lines[k]);
      return lines.join('\n');
    }
    case 5: {
      const nums = toks.filter((t) => /^[\d.]/.test(t.text));
      if (!nums.length) return src;
      const t = c.pick(nums);
      return replaceRange(src, t.start, t.end, c.pick(NUMBERS));
    }
    case 6: {
      const names = toks.filter((t) => /^[A-Za-z_]/.test(t.text));
      if (!names.length) return src;
      const t = c.pick(names);
      const other = c.int(0, 1) ? c.pick(names).text : c.pick(NAMES);
      return replaceRange(src, t.start, t.end, other);
    }
    case 7: {
      const ops = toks.filter((t) => OPERATORS.includes(t.text) || /^[-+*/%&|^@<>=!]/.test(t.text));
      if (!ops.length) return src;
      const t = c.pick(ops);
      return replaceRange(src, t.start, t.end, c.pick(OPERATORS));
    }
    case 8: {
      if (!toks.length) return src;
      const t = c.pick(toks);
      return replaceRange(src, t.start, t.end, '');
    }
    case 9: {
      // Copy a token somewhere else.
      if (!toks.length) return src;
      const t = c.pick(toks), at = c.pick(toks);
      return replaceRange(src, at.start, at.start, t.text + ' ');
    }
    default: {
      // Duplicate a range of lines (a loop body twice, a def twice, ...).
      const i = c.int(0, lines.length - 1), j = c.int(i, Math.min(lines.length - 1, i + 6));
      lines.splice(j + 1, 0, ...lines.slice(i, j + 1));
      return lines.join('\n');
    }
  }
}

/** Mutant `index` of run `seed`, from one of `sources` (reproducible on its own). */
export function mutateProgram(sources, seed, index) {
  const [g] = fc.sample(fc.gen(), { seed: (seed * 7_000_003 + index * 31 + 17) | 0, numRuns: 1 });
  const c = chooser(g);
  const base = c.pick(sources);
  let src = base.text;
  for (let k = c.int(1, 4); k > 0; k--) src = mutateOnce(src, c);
  return { src, from: base.name };
}
