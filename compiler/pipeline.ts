// The compile pipeline proper: parse, check, lower, parallelize, hoist bounds checks, verify and
// emit through Binaryen, plus the text of each stage for `--dump`. The driver (compiler/driver.ts)
// loads this module with import() only when the compiled-code cache misses or a dump needs it, so a
// cache hit never loads the front end (Chevrotain) or Binaryen.
import type { DiagnosticBag } from '../language/diagnostics.js';
import type { SourceFile } from '../language/source.js';
import { parse } from '../language/parse.js';
import { printAst } from '../language/ast-print.js';
import { check, type CheckedProgram } from '../language/checker.js';
import { showType, type Type } from '../language/types.js';
import { lower } from './lower/module.js';
import type { Lowered } from './lower/values.js';
import { printIR } from './ir-print.js';
import { verifyIR } from './verify.js';
import { parallelize } from './parallel.js';
import { hoistBoundsChecks } from './checks.js';
import { emitWasm } from './emit.js';

/** What the driver needs to run a compiled program, and what the cache stores beside the wasm bytes. */
export interface Manifest {
  strings: string[];
  sites: { code: number; kind: string; span: { start: number; end: number }; text?: string }[];
  entries: [string, { fn: string; params: Type[]; ret: Type }][];
  /** Parallel loops and regions by number, for the per-loop report. */
  regions: { line: number; kind: 'prange' | 'region'; cluster?: string }[];
  /** Pages of memory the static data needs (the module's memory import minimum). */
  minPages: number;
}

/** `outlined`: the IR after `parallelize` and `checks`, as it goes to Binaryen. */
export type DumpStage = 'ast' | 'typed' | 'ir' | 'outlined' | 'wat';

export interface Pipeline {
  /** Runs every stage; null when the front end reported errors (they are in the bag). */
  build(): Promise<{ bytes: Uint8Array; manifest: Manifest } | null>;
  /** The text of a stage; runs the front end first if it has not run. */
  dump(stage: DumpStage): string;
}

/**
 * The stages of one compilation. They run lazily, so that `--dump=ast` stops early; each adds its
 * milliseconds to `timings` under its own name.
 */
export function pipeline(
  file: SourceFile, diags: DiagnosticBag, timings: Record<string, number>,
  options: { boundsCheck: boolean; interruptible: boolean; checkRaces?: boolean },
): Pipeline {
  const time = <T>(stage: string, f: () => T): T => {
    const t0 = performance.now();
    try { return f(); } finally { timings[stage] = (timings[stage] ?? 0) + performance.now() - t0; }
  };
  let mod: ReturnType<typeof parse> | undefined;
  let checked: CheckedProgram | undefined;
  let lowered: Lowered | undefined;
  let finalIR: string | undefined;
  let wasmText: (() => string) | undefined;
  const front = () => {
    if (!mod) mod = time('parse', () => parse(file, diags));
    if (!checked && !diags.hasErrors) checked = time('check', () => check(mod!, diags));
    if (checked && !lowered && !diags.hasErrors) lowered = time('lower', () => lower(checked!, file, { boundsCheck: options.boundsCheck, ...(options.checkRaces ? { checkRaces: true } : {}) }));
  };
  return {
    async build() {
      front();
      if (!lowered) return null;
      // --dump=ir shows the loop IR as lowered (parallel loops as ParFor nodes), before outlining.
      const outlined = time('parallelize', () => parallelize(lowered!.program));
      const program = time('checks', () => hoistBoundsChecks(outlined));
      finalIR = printIR(program);
      const problems = time('verify', () => verifyIR(program));
      if (problems.length) throw new Error(`internal compiler error: invalid IR:\n${problems.join('\n')}`);
      const t0 = performance.now();
      const em = await emitWasm(program, { optimizeLevel: 3, interruptible: options.interruptible });
      timings.emit = performance.now() - t0;
      wasmText = em.wat;
      const manifest: Manifest = { strings: lowered.strings, sites: lowered.sites, entries: [...lowered.entries], regions: program.regions ?? [], minPages: em.initialPages };
      return { bytes: em.bytes, manifest };
    },
    dump(stage) {
      front();
      switch (stage) {
        case 'ast': return mod ? printAst(mod) : '';
        case 'typed': return checked ? dumpTyped(checked) : '';
        case 'ir': return lowered ? printIR(lowered.program) : '';
        // After a compile error the late stages never ran: print nothing rather than a hint that
        // does not apply (the diagnostics already say what went wrong).
        case 'outlined': return finalIR ?? (diags.hasErrors ? '' : '(run without --dump first)');
        case 'wat': return wasmText ? wasmText() : diags.hasErrors ? '' : '(run without --dump first)';
      }
    },
  };
}

function dumpTyped(cp: CheckedProgram): string {
  const lines: string[] = [];
  for (const inst of [cp.main, ...cp.instances]) {
    const sig = inst.def ? `def ${inst.name}(${inst.params.map((p) => `${p.name}: ${showType(p.type)}`).join(', ')}) -> ${showType(inst.ret ?? { kind: 'none' })}` : 'script body';
    lines.push(sig);
    for (const [n, t] of inst.locals) if (!inst.params.some((p) => p.name === n)) lines.push(`  ${n}: ${showType(t)}`);
    for (const [loop, info] of inst.parloops) {
      lines.push(`  prange at offset ${loop.span.start}: reductions [${info.reductions.map((r) => `${r.name} ${r.op}`).join(', ')}], private [${info.privates.join(', ')}]`);
    }
  }
  if (cp.globals.size) {
    lines.push('module-level variables used by functions (in memory):');
    for (const [n, t] of cp.globals) lines.push(`  ${n}: ${showType(t)}`);
  }
  return lines.join('\n') + '\n';
}
