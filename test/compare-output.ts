// Token-wise comparison of two program outputs with numeric tolerance, for the differential suites
// (the same rules as the CPython suite in test/programs.test.ts): text must match, a whitespace run
// counts as one space (its newlines are kept), numbers must match within relative 1e-9 or absolute
// 1e-12, integers exactly, and nan equals nan.

type Token = { num: false; text: string } | { num: true; text: string; int: boolean; value: number };
type NumToken = Extract<Token, { num: true }>;

/** Splits output into numbers and the text between them; whitespace runs become one space (or their newlines). */
export function tokenize(s: string): Token[] {
  const re = /(\s+)|([-+]?(?:inf|nan)(?![A-Za-z0-9_]))|([A-Za-z_][A-Za-z0-9_]*)|([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)|([^])/y;
  const out: Token[] = [];
  const pushText = (t: string) => {
    const last = out[out.length - 1];
    if (last && !last.num) last.text += t;
    else out.push({ num: false, text: t });
  };
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) {
    if (m[1] !== undefined) {
      const nl = m[1].replace(/[^\n]/g, '');
      pushText(nl.length > 0 ? nl : ' ');
    } else if (m[2] !== undefined) {
      const v = m[2].replace(/^\+/, '');
      out.push({ num: true, text: m[2], int: false, value: v.endsWith('nan') ? NaN : v.startsWith('-') ? -Infinity : Infinity });
    } else if (m[4] !== undefined) {
      out.push({ num: true, text: m[4], int: /^[-+]?\d+$/.test(m[4]), value: Number(m[4]) });
    } else {
      pushText(m[3] ?? m[5]);
    }
  }
  return out;
}

function numbersMatch(a: NumToken, b: NumToken): boolean {
  if (a.int !== b.int) return false;
  if (a.int) return BigInt(a.text) === BigInt(b.text);
  if (Number.isNaN(a.value) || Number.isNaN(b.value)) return Number.isNaN(a.value) && Number.isNaN(b.value);
  if (!Number.isFinite(a.value) || !Number.isFinite(b.value)) return a.value === b.value;
  const diff = Math.abs(a.value - b.value);
  return diff <= 1e-12 || diff <= 1e-9 * Math.max(Math.abs(a.value), Math.abs(b.value));
}

/**
 * null when the outputs agree, else a description of the first difference. `names` labels the two
 * sides in the message (default Par and Python).
 */
export function compareOutputs(actual: string, expected: string, names: [string, string] = ['Par', 'Python']): string | null {
  const a = tokenize(actual);
  const b = tokenize(expected);
  const lineOf = (toks: Token[], i: number) => 1 + toks.slice(0, i).reduce((n, t) => n + (t.text.match(/\n/g)?.length ?? 0), 0);
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i];
    const y = b[i];
    const same = x && y && (x.num && y.num ? numbersMatch(x, y) : !x.num && !y.num && x.text === y.text);
    if (!same) {
      const show = (t: Token | undefined) => (t ? JSON.stringify(t.text) : '<end of output>');
      const [na, nb] = names;
      return `first difference at ${na} line ${lineOf(a, i)} / ${nb} line ${lineOf(b, i)}: ${na} ${show(x)} vs ${nb} ${show(y)}`;
    }
  }
  return null;
}
