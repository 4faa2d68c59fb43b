/**
 * The one reporter of `epi lint` and `epi diagnose`: findings as text (grouped by file,
 * coloured on a terminal), JSON, SARIF 2.1.0 or GitHub Actions workflow commands
 * (docs/spec.md §12.6).
 */
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Severity } from '../diagnostics.js';
import { READERS, compareFindings, diagnosticHint, isLintCode, LINT_CODES, ruleTitle, type Finding } from './findings.js';
import { DIAGNOSTIC_CODES } from '../diagnostics.js';

export const REPORT_FORMATS = ['text', 'json', 'sarif', 'github'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

type Style = (s: string) => string;
export interface ReportStyle {
  readonly red: Style;
  readonly yellow: Style;
  readonly dim: Style;
  readonly bold: Style;
}

export interface ReportOptions {
  /** Paths are shown relative to this directory when inside it (default: the working directory). */
  readonly cwd?: string;
  readonly toolVersion: string;
  /** Colours for the text format. */
  readonly style?: ReportStyle;
}

/** The shared `counts` shape (schema/cli/definitions.schema.json), over findings. */
export interface Counts {
  readonly errors: number;
  readonly warnings: number;
  readonly info: number;
}

export function countFindings(findings: readonly Finding[]): Counts {
  let errors = 0;
  let warnings = 0;
  let info = 0;
  for (const f of findings) {
    if (f.severity === 'error') errors++;
    else if (f.severity === 'warning') warnings++;
    else info++;
  }
  return { errors, warnings, info };
}

/** 1 when there is an error (or, with `strict`, a warning); else 0. */
export function exitCodeFor(findings: readonly Finding[], strict = false): number {
  const c = countFindings(findings);
  return c.errors > 0 || (strict && c.warnings > 0) ? 1 : 0;
}

function shownPath(file: string, cwd: string): string {
  const abs = path.resolve(cwd, file);
  const rel = path.relative(cwd, abs);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : abs;
}

/** A file inside a wheel (`dist/x.whl/x.dist-info/RECORD`): the wheel and the member. */
function splitArchive(file: string): { file: string; member: string | null } {
  const m = /^(.*?\.whl)[\\/](.+)$/i.exec(file);
  return m ? { file: m[1]!, member: m[2]!.replace(/\\/g, '/') } : { file, member: null };
}

const PLAIN: ReportStyle = { red: (s) => s, yellow: (s) => s, dim: (s) => s, bold: (s) => s };

export function readersText(f: Finding): string[] {
  return (f.readers ?? []).map((r) => `${READERS[r.reader]} ${r.detail}`);
}

/** Text: findings grouped by file, each with its fix hint and the readers that disagree. */
export function renderText(findings: readonly Finding[], options: ReportOptions): string {
  const cwd = options.cwd ?? process.cwd();
  const st = options.style ?? PLAIN;
  const sorted = [...findings].sort(compareFindings);
  const out: string[] = [];
  let current: string | undefined | null = null;
  const sev: Record<Severity, Style> = { error: st.red, warning: st.yellow, info: st.dim };
  for (const f of sorted) {
    const file = f.file === undefined ? undefined : shownPath(f.file, cwd);
    if (file !== current) {
      if (current !== null) out.push('');
      out.push(st.bold(file ?? '(environment)'));
      current = file;
    }
    const at = f.line === undefined ? '-' : f.column === undefined ? String(f.line) : `${f.line}:${f.column}`;
    out.push(`  ${at.padEnd(5)} ${sev[f.severity](f.severity.padEnd(7))} ${f.code}  ${f.message}`);
    const pad = ' '.repeat(23);
    for (const r of readersText(f)) out.push(st.dim(`${pad}${r}`));
    if (f.hint !== undefined) out.push(st.dim(`${pad}fix: ${f.hint}`));
  }
  return out.length === 0 ? '' : out.join('\n') + '\n';
}

/** The number of files the findings are in (findings without a file count as one). */
export function filesOf(findings: readonly Finding[]): number {
  return new Set(findings.map((f) => f.file ?? '')).size;
}

/** The JSON report (schema/cli/lint.schema.json): the findings in output order and their counts. */
export function jsonReport(findings: readonly Finding[]): { findings: Finding[]; counts: Counts } {
  return { findings: [...findings].sort(compareFindings), counts: countFindings(findings) };
}

/** The JSON report as text, compact (the CLI prints `jsonReport` through its printJson). */
export function renderJson(findings: readonly Finding[]): string {
  return JSON.stringify(jsonReport(findings)) + '\n';
}

// ---------------------------------------------------------------------------------------------
// SARIF 2.1.0

const SARIF_SCHEMA = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';
const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };

function ruleOf(code: string): { severity: Severity; title: string; hint?: string; category: string } {
  if (isLintCode(code)) {
    const r = LINT_CODES[code];
    return { severity: r.severity, title: r.title, hint: r.hint, category: r.category };
  }
  if (code in DIAGNOSTIC_CODES) {
    const [severity, title] = DIAGNOSTIC_CODES[code as keyof typeof DIAGNOSTIC_CODES];
    const hint = diagnosticHint(code);
    return { severity, title, ...(hint !== undefined ? { hint } : {}), category: 'reader' };
  }
  return { severity: 'warning', title: code, category: 'other' };
}

/** `a/b c.txt` → `a/b%20c.txt`: a relative URI reference. */
const relativeUri = (p: string): string => p.split(path.sep).map(encodeURIComponent).join('/');

export function renderSarif(findings: readonly Finding[], options: ReportOptions): string {
  const cwd = options.cwd ?? process.cwd();
  const sorted = [...findings].sort(compareFindings);
  const codes = [...new Set(sorted.map((f) => f.code))].sort();
  const rules = codes.map((id) => {
    const r = ruleOf(id);
    return {
      id,
      name: ruleTitle(id),
      shortDescription: { text: r.title },
      ...(r.hint !== undefined ? { help: { text: r.hint } } : {}),
      defaultConfiguration: { level: LEVEL[r.severity] },
      properties: { tags: [r.category] },
    };
  });
  const results = sorted.map((f) => {
    let text = f.message;
    const readers = readersText(f);
    if (readers.length > 0) text += `. Readers that disagree: ${readers.join('; ')}`;
    const result: Record<string, unknown> = {
      ruleId: f.code,
      ruleIndex: codes.indexOf(f.code),
      level: LEVEL[f.severity],
      message: { text },
    };
    if (f.file !== undefined) {
      const { file, member } = splitArchive(f.file);
      const abs = path.resolve(cwd, file);
      const rel = path.relative(cwd, abs);
      const inside = rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
      const artifactLocation = inside ? { uri: relativeUri(rel), uriBaseId: '%SRCROOT%' } : { uri: pathToFileURL(abs).href };
      const physicalLocation: Record<string, unknown> = { artifactLocation };
      if (f.line !== undefined && member === null) physicalLocation['region'] = { startLine: f.line, ...(f.column !== undefined ? { startColumn: f.column } : {}) };
      result['locations'] = [{ physicalLocation, ...(member !== null ? { logicalLocations: [{ name: member, kind: 'member' }] } : {}) }];
    }
    const props: Record<string, unknown> = {};
    if (f.hint !== undefined) props['fix'] = f.hint;
    if (f.readers !== undefined) props['readers'] = f.readers;
    if (f.file !== undefined && splitArchive(f.file).member !== null && f.line !== undefined) props['memberLine'] = f.line;
    if (Object.keys(props).length > 0) result['properties'] = props;
    return result;
  });
  const log = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'epindex', version: options.toolVersion, informationUri: 'https://www.npmjs.com/package/epindex', rules } },
        originalUriBaseIds: { '%SRCROOT%': { uri: pathToFileURL(cwd.endsWith(path.sep) ? cwd : cwd + path.sep).href } },
        results,
      },
    ],
  };
  return JSON.stringify(log, null, 2) + '\n';
}

// ---------------------------------------------------------------------------------------------
// GitHub Actions workflow commands

const escapeData = (s: string): string => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (s: string): string => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
const COMMAND: Record<Severity, string> = { error: 'error', warning: 'warning', info: 'notice' };

/** `::error file=…,line=…,title=…::message`, one per finding; paths relative to $GITHUB_WORKSPACE (else the working directory). */
export function renderGithub(findings: readonly Finding[], options: ReportOptions): string {
  const root = process.env['GITHUB_WORKSPACE'] || options.cwd || process.cwd();
  return [...findings].sort(compareFindings).map((f) => {
    const props: string[] = [];
    let member: string | null = null;
    if (f.file !== undefined) {
      const split = splitArchive(f.file);
      member = split.member;
      props.push(`file=${escapeProperty(shownPath(split.file, root).split(path.sep).join('/'))}`);
      if (f.line !== undefined && member === null) props.push(`line=${f.line}`);
      if (f.column !== undefined && member === null) props.push(`col=${f.column}`);
    }
    props.push(`title=${escapeProperty(`${f.code} ${ruleTitle(f.code)}`)}`);
    const lines = [member !== null ? `${member}${f.line !== undefined ? `:${f.line}` : ''}: ${f.message}` : f.message, ...readersText(f)];
    if (f.hint !== undefined) lines.push(`fix: ${f.hint}`);
    return `::${COMMAND[f.severity]} ${props.join(',')}::${escapeData(lines.join('\n'))}\n`;
  }).join('');
}

export function renderReport(findings: readonly Finding[], format: ReportFormat, options: ReportOptions): string {
  switch (format) {
    case 'text': return renderText(findings, options);
    case 'json': return renderJson(findings);
    case 'sarif': return renderSarif(findings, options);
    case 'github': return renderGithub(findings, options);
  }
}
