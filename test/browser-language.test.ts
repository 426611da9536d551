// The playground's `par` language definition (playground/src/par-language.ts) against the compiler:
// every builtin it documents is one the checker knows, and the checker's exported builtin sets are
// all documented, so completion and hover docs cannot drift from the language.
import { describe, expect, it } from 'vitest';
import { BINARY_UFUNCS, EXCEPTIONS, LIBRARY_FNS, LINALG_FNS, UFUNC_ALIASES, UNARY_UFUNCS, isBuiltinName } from '../language/builtins.js';
import { dtypeNamed } from '../language/types.js';
import { BUILTINS, KEYWORDS } from '../playground/src/par-language.js';

describe('playground language definition', () => {
  it('documents only names the checker knows', () => {
    // (np.linalg's functions are known under their module: np.linalg.norm.)
    const unknown = Object.keys(BUILTINS).filter((n) => !isBuiltinName(n) && !dtypeNamed(n) && !LINALG_FNS.has(n));
    expect(unknown).toEqual([]);
  });

  it('documents every ufunc, library function and dtype the checker exports', () => {
    const names = [...UNARY_UFUNCS, ...BINARY_UFUNCS, ...[...LIBRARY_FNS].filter((n) => n !== 'flatten'), ...LINALG_FNS, ...UFUNC_ALIASES.keys(), 'float64', 'float32', 'int64', 'int32'];
    expect(names.filter((n) => !Object.hasOwn(BUILTINS, n))).toEqual([]);
  });

  it('gives every builtin a signature that starts with its name', () => {
    for (const [name, [sig, doc]] of Object.entries(BUILTINS)) {
      expect(sig.startsWith(`${name}(`), name).toBe(true);
      expect(doc.length, name).toBeGreaterThan(5);
    }
    expect(KEYWORDS).toEqual(expect.arrayContaining(['def', 'for', 'in', 'while', 'with', 'return']));
    expect(EXCEPTIONS.size).toBeGreaterThan(0);
  });
});
