/** Output for the CLI only: tables, colours, JSON, diagnostics. */
import { createRequire } from 'node:module';
import { stripVTControlCharacters } from 'node:util';
import { formatDiagnostic, type Diagnostic } from '../diagnostics.js';

type Style = (s: string) => string;
type Colors = { readonly red: Style; readonly yellow: Style; readonly green: Style; readonly dim: Style; readonly bold: Style };
const plain = (s: string): string => s;
const PLAIN: Colors = { red: plain, yellow: plain, green: plain, dim: plain, bold: plain };

/**
 * Colours only for a terminal that wants them (NO_COLOR, FORCE_COLOR respected by picocolors);
 * picocolors is loaded only then, since output to pipes and files is plain anyway.
 */
function pickColors(): Colors {
  const wanted = process.env['FORCE_COLOR'] !== undefined ? process.env['FORCE_COLOR'] !== '0' : process.stdout.isTTY === true && process.env['NO_COLOR'] === undefined;
  return wanted ? (createRequire(import.meta.url)('picocolors') as typeof import('picocolors')).createColors(true) : PLAIN;
}
export const colors: Colors = pickColors();
const pc = colors;

/** Print JSON (two-space indent, final newline). */
export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

/** Display width of a string: code points without colour escapes (good enough for identifiers and paths). */
const width = (s: string): number => [...stripVTControlCharacters(s)].length;

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
