/** Output for the CLI only: tables, colours, JSON, diagnostics. */
import pc from 'picocolors';
import { formatDiagnostic, type Diagnostic } from '../diagnostics.js';

export const colors = pc;

/** Print JSON (two-space indent, final newline). */
export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

/** Display width of a string (code points; good enough for identifiers and paths). */
const width = (s: string): number => [...s].length;

/** An aligned table: columns separated by two spaces, the last column unpadded. */
export function table(rows: readonly (readonly string[])[], header?: readonly string[]): string {
  const all = header ? [header, ...rows] : rows;
  if (all.length === 0) return '';
  const n = Math.max(...all.map((r) => r.length));
  const widths = Array.from({ length: n }, (_, i) => Math.max(...all.map((r) => width(r[i] ?? ''))));
  const line = (r: readonly string[], style: (s: string) => string = (s) => s): string =>
    r.map((c, i) => (i === r.length - 1 ? c : c + ' '.repeat(widths[i]! - width(c)))).map(style).join('  ').trimEnd();
  const out = all.map((r, i) => (header && i === 0 ? line(r, pc.bold) : line(r)));
  return out.join('\n') + '\n';
}

export function colorDiagnostic(d: Diagnostic): string {
  const s = formatDiagnostic(d);
  return d.severity === 'error' ? pc.red(s) : d.severity === 'warning' ? pc.yellow(s) : pc.dim(s);
}

/** A one-line hint on stderr when a lookup noticed warnings or errors. */
export function summarizeDiagnostics(diagnostics: readonly Diagnostic[]): void {
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.filter((d) => d.severity === 'warning').length;
  if (errors + warnings === 0) return;
  const parts = [errors > 0 ? `${errors} error${errors === 1 ? '' : 's'}` : '', warnings > 0 ? `${warnings} warning${warnings === 1 ? '' : 's'}` : ''].filter(Boolean);
  process.stderr.write(pc.dim(`epi: ${parts.join(', ')} in this environment; run \`epi diagnose\` for details\n`));
}
