// The import graph of language/, compiler/ and runtime/ has no cycle (issue 19): each module can be
// read, tested and changed knowing only what it imports. Type-only imports are left out, since they
// vanish when compiled and do not fix an order of evaluation.
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? sources(join(dir, d.name)) : d.name.endsWith('.ts') && !d.name.endsWith('.d.ts') ? [join(dir, d.name)] : []);
}

/** Relative value imports of a file, as absolute .ts paths. */
export function valueImports(file: string, text: string): string[] {
  const out: string[] = [];
  // `import type ...` and `export type ...` are erased; `import { type A, b }` still loads the module.
  const re = /^\s*(import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"](\.[^'"]+)['"]/gm;
  for (const m of text.matchAll(re)) {
    if (m[2]) continue;
    out.push(resolve(dirname(file), m[3]!.replace(/\.js$/, '.ts')));
  }
  return out;
}

/** One cycle of the graph as a list of files, or null. */
export function findCycle(graph: Map<string, string[]>): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (f: string): string[] | null => {
    if (state.get(f) === 'done') return null;
    if (state.get(f) === 'open') return [...stack.slice(stack.indexOf(f)), f];
    state.set(f, 'open'); stack.push(f);
    for (const g of graph.get(f) ?? []) { const c = visit(g); if (c) return c; }
    stack.pop(); state.set(f, 'done');
    return null;
  };
  for (const f of graph.keys()) { const c = visit(f); if (c) return c; }
  return null;
}

describe('import graph', () => {
  it('finds a cycle when there is one (the check itself)', () => {
    const g = new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', []]]);
    expect(findCycle(g)).toEqual(['a', 'b', 'c', 'a']);
    expect(findCycle(new Map([['a', ['b']], ['b', []]]))).toBeNull();
    expect(valueImports('/x/a.ts', "import type { T } from './t.js';\nimport { type U, v } from './v.js';\nexport * from './w.js';"))
      .toEqual(['/x/v.ts', '/x/w.ts']);
  });

  it('has no cycle in language/, compiler/ and runtime/', () => {
    const graph = new Map<string, string[]>();
    for (const dir of ['language', 'compiler', 'runtime']) {
      for (const f of sources(join(root, dir))) graph.set(f, valueImports(f, readFileSync(f, 'utf8')));
    }
    expect(graph.size).toBeGreaterThan(50);
    const cycle = findCycle(graph);
    expect(cycle?.map((f) => relative(root, f)).join(' -> ') ?? 'no cycle').toBe('no cycle');
  });
});
