// The check worker: the compiler's front end (parse + type check, the stages that report user
// errors) run on every edit, off the page's thread so typing never waits for it. It loads only the
// front end (no Binaryen), so it starts fast.
import { sourceFile } from '../../dist/language/source.js';
import { DiagnosticBag, formatDiagnostic } from '../../dist/language/diagnostics.js';
import { parse } from '../../dist/language/parse.js';
import { check } from '../../dist/language/checker.js';
import type { CheckReply, CheckRequest, Marker } from './protocol.js';

export function diagnose(source: string): Marker[] {
  const file = sourceFile('main.par', source);
  const diags = new DiagnosticBag();
  const mod = parse(file, diags);
  if (!diags.hasErrors) check(mod, diags);
  return diags.items.map((d) => ({ message: d.message, severity: d.severity, span: d.span, formatted: formatDiagnostic(d, file) }));
}

self.onmessage = (e: MessageEvent<CheckRequest>) => {
  const t0 = performance.now();
  let markers: Marker[];
  try {
    markers = diagnose(e.data.source);
  } catch (err) {
    // A crash of the checker is a bug in Par: show it at the top rather than going silent.
    const message = `internal compiler error: ${err instanceof Error ? err.message : String(err)}`;
    markers = [{ message, severity: 'error', span: { start: 0, end: 0 }, formatted: message }];
  }
  const reply: CheckReply = { id: e.data.id, markers, ms: performance.now() - t0 };
  self.postMessage(reply);
};
