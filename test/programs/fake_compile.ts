// TEMPORARY fake compile() that returns Python's output, to check the runner. Delete after use.
import { spawnSync } from 'node:child_process';
import { sourceFile } from '../../language/source.js';
import { formatDiagnostic, type Diagnostic } from '../../language/diagnostics.js';
import { ParError } from '../../runtime/errors.js';
import type { CompileResult, CompileOptions } from '../../index.js';
export { ParError };
export async function compile(source: string, options: CompileOptions = {}): Promise<CompileResult> {
  const file = sourceFile(options.filename ?? '<input>', source);
  const res = spawnSync('python3', ['/tmp/oracle_future.py', options.filename!], { cwd: '/work/main', encoding: 'utf8' });
  const diagAt = (line: number, message: string): Diagnostic => {
    const start = file.lineStarts[line - 1] + (file.text.slice(file.lineStarts[line - 1]).match(/^\s*/)![0].length);
    return { code: 0, severity: 'error', message, span: { start, end: start + 3 } };
  };
  const format = (d: Diagnostic) => formatDiagnostic(d, file);
  let runErr: ParError | null = null;
  if (res.status !== 0) {
    const lines = res.stderr.trim().split('\n');
    const last = lines[lines.length - 1];
    const frames = [...res.stderr.matchAll(/File "([^"]+)", line (\d+)/g)].filter((m) => m[1] === options.filename);
    const line = Number(frames[frames.length - 1][2]);
    const d = diagAt(line, last);
    if (/^(SyntaxError|IndentationError)/.test(last)) return { file, diagnostics: [d], program: null, dump: () => '', format };
    runErr = new ParError(d, format(d));
  }
  const program = {
    async run(opts: { stdout?: (t: string) => void } = {}) {
      for (const l of res.stdout.split(/(?<=\n)/)) if (l) opts.stdout?.(l);
      if (runErr) throw runErr;
    },
    async call() { return null; },
    dispose() {},
    [Symbol.dispose]() {},
  };
  return { file, diagnostics: [], program, dump: () => '', format };
}
