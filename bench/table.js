// Plain-text tables for bench/run.js: columns padded to their widest cell, separated by " | ".

/** Prints a header row, a rule and the rows. `right` lists column indexes to right-align. */
export function printTable(header, rows, right = []) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const cell = (c, i) => (right.includes(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]));
  const line = (cells) => cells.map(cell).join(' | ').trimEnd();
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const r of rows) console.log(line(r));
}
