/** Output for the CLI only: tables, colours, JSON, diagnostics, counts, terminal escaping. */
import { createRequire } from 'node:module';
import type { Diagnostic } from '../diagnostics.js';
import { isTerminal, out, err, terminalColumns } from './stdio.js';

type Style = (s: string) => string;
type Colors = { readonly red: Style; readonly yellow: Style; readonly green: Style; readonly dim: Style; readonly bold: Style };
const plain = (s: string): string => s;
const PLAIN: Colors = { red: plain, yellow: plain, green: plain, dim: plain, bold: plain };

/**
 * Colours only for a terminal that wants them (NO_COLOR, FORCE_COLOR respected by picocolors),
 * decided for each stream: `epi list 2>log` on a terminal gets a coloured table and a log
 * without escapes. picocolors is loaded only then, since output to pipes and files is plain.
 */
function pickColors(fd: 1 | 2): Colors {
  const wanted = process.env['FORCE_COLOR'] !== undefined ? process.env['FORCE_COLOR'] !== '0' : isTerminal(fd) && process.env['NO_COLOR'] === undefined;
  return wanted ? (createRequire(import.meta.url)('picocolors') as typeof import('picocolors')).createColors(true) : PLAIN;
}
/** Colours for standard output. */
export const colors: Colors = pickColors(1);
/** Colours for standard error: messages, warnings, diagnostics. */
export const errColors: Colors = isTerminal(1) === isTerminal(2) ? colors : pickColors(2);
const pc = colors;

/**
 * Print JSON with a final newline: indented on a terminal, compact otherwise (as gh does; pip
 * and uv print compact JSON) — half the bytes and time for a program reading it. JSON is
 * exact: nothing in it is escaped for the terminal.
 */
export function printJson(value: unknown): void {
  out((isTerminal(1) ? JSON.stringify(value, null, 2) : JSON.stringify(value)) + '\n');
}

// ---------------------------------------------------------------------------------------------
// Terminal escaping (docs/spec.md §8.2)

/**
 * C0 controls, DEL, C1 controls (U+009B is a one-byte CSI), and the bidirectional overrides and
 * isolates that reorder what a terminal shows: anything a name, value or path could use to
 * move the cursor, retitle the window, clear the screen or disguise itself.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Record<string, string> = { '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** Text made safe for a terminal: every unsafe character shown as `\t`, `\n`, `\r`, `\xNN` or `\uNNNN`. */
export function esc(s: string): string {
  return s.replace(UNSAFE, (c) => NAMED[c] ?? (c.charCodeAt(0) < 0x100 ? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}` : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}

/** `file:line: severity CODE message`, escaped for the terminal. */
export function formatDiagnosticText(d: Diagnostic): string {
  const at = d.file === undefined ? '' : d.line === undefined ? `${esc(d.file)}: ` : `${esc(d.file)}:${d.line}: `;
  return `${at}${d.severity} ${d.code} ${esc(d.message)}${d.pointer === undefined ? '' : ` (at ${esc(d.pointer === '' ? '/' : d.pointer)})`}`;
}

/** A diagnostic line coloured for stderr, where diagnostics go (`style: colors` for one printed on stdout). */
export function colorDiagnostic(d: Diagnostic, style: Colors = errColors): string {
  const s = formatDiagnosticText(d);
  return d.severity === 'error' ? style.red(s) : d.severity === 'warning' ? style.yellow(s) : style.dim(s);
}

// ---------------------------------------------------------------------------------------------
// Counts: one wording everywhere ("1 error, 3 warnings")

export interface Counts {
  readonly errors: number;
  readonly warnings: number;
  readonly info: number;
}

export function countDiagnostics(diagnostics: readonly Diagnostic[]): Counts {
  let errors = 0;
  let warnings = 0;
  let info = 0;
  for (const d of diagnostics) d.severity === 'error' ? errors++ : d.severity === 'warning' ? warnings++ : info++;
  return { errors, warnings, info };
}

/** `1 entry point`, `3 entry points`. */
export const plural = (n: number, noun: string, nouns = `${noun}s`): string => `${n} ${n === 1 ? noun : nouns}`;

/** `1 error, 3 warnings`, `2 warnings`, `1 error`; `no errors or warnings` when there are none. Info is counted separately. */
export function countsText(c: Counts): string {
  const parts = [c.errors > 0 ? plural(c.errors, 'error') : '', c.warnings > 0 ? plural(c.warnings, 'warning') : ''].filter(Boolean);
  return parts.length > 0 ? parts.join(', ') : 'no errors or warnings';
}

/** A one-line hint on stderr when a lookup noticed warnings or errors. */
export function summarizeDiagnostics(diagnostics: readonly Diagnostic[]): void {
  const c = countDiagnostics(diagnostics);
  if (c.errors + c.warnings === 0) return;
  err(errColors.dim(`epi: ${countsText(c)} in this environment; run \`epi diagnose\` for details\n`));
}

// ---------------------------------------------------------------------------------------------
// Tables that fit

/** A cell: text (escaped for the terminal by the table) and an optional style applied after. */
export type Cell = string | { readonly text: string; readonly style: Style };

export interface TableOptions {
  /**
   * Columns that may be shortened to fit the width, first to last: the first is shortened down
   * to its minimum before the next is touched. Columns not named are never shortened.
   */
  readonly shrink?: ReadonlyArray<{ readonly column: number; readonly from?: 'end' | 'start'; readonly min?: number }>;
  /** Width to fit; default `tableWidth()`. */
  readonly width?: number | null;
}

/**
 * The width tables must fit: the terminal's columns when stdout is a terminal, else a positive
 * `$COLUMNS` when set, else unlimited (a pipe gets every character, for grep and scripts).
 */
export function tableWidth(): number | null {
  const columns = terminalColumns();
  if (columns !== undefined) return columns;
  const env = Number(process.env['COLUMNS']);
  return Number.isInteger(env) && env > 0 ? env : null;
}

let stringWidth: ((s: string) => number) | undefined;
/**
 * Display width in terminal columns (string-width: East Asian wide and fullwidth characters
 * count 2, combining marks 0, colour escapes nothing), so that a CJK name keeps its columns
 * aligned. Printable ASCII, nearly every cell, is its length.
 */
const width = (s: string): number => {
  if (/^[\x20-\x7e]*$/.test(s)) return s.length;
  // Loaded at the first other cell: its module builds an Intl.Segmenter (2-9 ms), which no
  // start-up of epi should pay (the bundle turns this into a lazy bundled require).
  stringWidth ??= (createRequire(import.meta.url)('string-width') as { default: (s: string) => number }).default;
  return stringWidth(s);
};

let graphemes: Intl.Segmenter | undefined;

/** `s` cut to `to` columns with `…` at the cut, whole characters only (a wide one is never halved). */
function shorten(s: string, to: number, from: 'end' | 'start'): string {
  if (width(s) <= to) return s;
  if (to <= 1) return '…';
  const parts = [...(graphemes ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' })).segment(s)].map((g) => g.segment);
  if (from === 'start') parts.reverse();
  const kept: string[] = [];
  let used = 1;
  for (const p of parts) {
    const w = width(p);
    if (used + w > to) break;
    kept.push(p);
    used += w;
  }
  return from === 'end' ? kept.join('') + '…' : '…' + kept.reverse().join('');
}

/** An aligned table: columns separated by two spaces, the last column unpadded, fitted to the width. */
export function table(rows: readonly (readonly Cell[])[], header?: readonly string[], options: TableOptions = {}): string {
  const text = (c: Cell | undefined): string => esc(c === undefined ? '' : typeof c === 'string' ? c : c.text);
  const all: string[][] = [...(header ? [header.map((h) => esc(h))] : []), ...rows.map((r) => r.map(text))];
  if (all.length === 0) return '';
  const n = Math.max(...all.map((r) => r.length));
  const widths = Array.from({ length: n }, (_, i) => Math.max(...all.map((r) => width(r[i] ?? ''))));
  const limit = options.width === undefined ? tableWidth() : options.width;
  const from: Array<'end' | 'start'> = Array.from({ length: n }, () => 'end');
  if (limit !== null) {
    const total = (): number => widths.reduce((a, b) => a + b, 0) + 2 * (n - 1);
    for (const s of options.shrink ?? []) {
      if (total() <= limit) break;
      const min = Math.max(s.min ?? 8, header ? width(all[0]![s.column] ?? '') : 0);
      widths[s.column] = Math.max(min, Math.min(widths[s.column]!, widths[s.column]! - (total() - limit)));
      from[s.column] = s.from ?? 'end';
    }
  }
  const styleOf = (ri: number, ci: number): Style => {
    if (header && ri === 0) return pc.bold;
    const c = rows[header ? ri - 1 : ri]?.[ci];
    return c !== undefined && typeof c !== 'string' ? c.style : plain;
  };
  const out = all.map((r, ri) =>
    r
      .map((c, ci) => {
        const fitted = width(c) > widths[ci]! ? shorten(c, widths[ci]!, from[ci]!) : c;
        return styleOf(ri, ci)(fitted) + (ci === r.length - 1 ? '' : ' '.repeat(widths[ci]! - width(fitted)));
      })
      .join('  ')
      .trimEnd(),
  );
  return out.join('\n') + '\n';
}
