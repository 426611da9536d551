// Shrinking a failing program while it keeps failing the same way (the same oracle and kind): delta
// debugging over lines (Zeller's ddmin: drop halves, quarters, ... then single lines), then over the
// tokens of each remaining line. `stillFails(src)` runs the oracles; `budget` caps how many times.

export async function shrink(src, stillFails, { budget = 400 } = {}) {
  let calls = 0;
  const test = async (candidate) => {
    if (calls >= budget) return false;
    calls++;
    return stillFails(candidate);
  };
  let lines = src.replace(/\n+$/, '').split('\n');
  const join = (ls) => ls.join('\n') + '\n';
  // ddmin over lines.
  let n = 2;
  while (lines.length >= 2 && calls < budget) {
    const chunk = Math.ceil(lines.length / n);
    let reduced = false;
    for (let start = 0; start < lines.length; start += chunk) {
      const complement = [...lines.slice(0, start), ...lines.slice(start + chunk)];
      if (complement.length && (await test(join(complement)))) {
        lines = complement;
        n = Math.max(n - 1, 2);
        reduced = true;
        break;
      }
    }
    if (!reduced) {
      if (n >= lines.length) break;
      n = Math.min(lines.length, n * 2);
    }
  }
  // Tokens within each line: drop one token, or a bracketed group, at a time.
  for (let i = 0; i < lines.length && calls < budget; i++) {
    let changed = true;
    while (changed && calls < budget) {
      changed = false;
      const toks = [...lines[i].matchAll(/[A-Za-z_][A-Za-z0-9_]*|\d+(?:\.\d*)?(?:e[-+]?\d+)?|\S/g)];
      for (let t = toks.length - 1; t >= 0 && calls < budget; t--) {
        const line = lines[i].slice(0, toks[t].index) + lines[i].slice(toks[t].index + toks[t][0].length);
        const candidate = [...lines.slice(0, i), line, ...lines.slice(i + 1)];
        if (line.trim() && (await test(join(candidate)))) {
          lines = candidate;
          changed = true;
          break;
        }
      }
    }
  }
  return { src: join(lines), calls };
}
