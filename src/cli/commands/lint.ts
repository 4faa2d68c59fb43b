import { createRequire } from 'node:module';
import { lintEnvironment } from '../../lint/environment.js';
import type { Finding } from '../../lint/findings.js';
import { lintPaths } from '../../lint/lint.js';
import { setupPyInterpreter } from '../../build/setup-py.js';
import { countFindings, exitCodeFor, filesOf, jsonReport, renderReport, type ReportFormat } from '../../lint/report.js';
import { openEnvironment, type EnvironmentFlags, type EnvironmentReport } from '../environment-options.js';
import { colors, countsText, plural, printJson } from '../output.js';
import { out, err } from '../stdio.js';

export interface LintFlags extends EnvironmentFlags {
  format?: ReportFormat;
  json?: boolean;
  strict?: boolean;
}

declare const __EPINDEX_VERSION__: string | undefined;
/** The version SARIF names the tool with (set by the bundler; package.json when running the tsc output). */
export function toolVersion(): string {
  return typeof __EPINDEX_VERSION__ === 'string' ? __EPINDEX_VERSION__ : (createRequire(import.meta.url)('../../../../package.json') as { version: string }).version;
}

/**
 * The one-line summary after text output, in the counts wording of every command (output.ts
 * `countsText`): `epi: 1 error, 3 warnings in 2 files`, `, 1 info` when there is info.
 */
export function summaryLine(findings: readonly Finding[]): string {
  const c = countFindings(findings);
  if (findings.length === 0) return `epi: ${countsText(c)}`;
  return `epi: ${countsText(c)}${c.info > 0 ? `, ${c.info} info` : ''} in ${plural(filesOf(findings), 'file')}`;
}

/**
 * Print findings in the chosen format; the text format's summary goes to stderr. JSON
 * (schema/cli/lint.schema.json) through printJson, with the environment linted when there is one.
 */
export function printFindings(findings: readonly Finding[], format: ReportFormat, environment?: EnvironmentReport): void {
  if (format === 'json') {
    printJson({ ...(environment !== undefined ? { environment } : {}), ...jsonReport(findings) });
    return;
  }
  out(renderReport(findings, format, { toolVersion: toolVersion(), style: colors }));
  if (format === 'text') err(summaryLine(findings) + '\n');
}

/** Exit 1 on errors (on warnings too with --strict), else 0. */
export async function lint(paths: string[], flags: LintFlags): Promise<number> {
  const format: ReportFormat = flags.json ? 'json' : flags.format ?? 'text';
  const wantsEnvironment = flags.python !== undefined || flags.path !== undefined || flags.site !== undefined;
  const findings: Finding[] = [];
  // setup.py is parsed by the interpreter --python names, else the one every command would choose.
  if (paths.length > 0 || !wantsEnvironment) findings.push(...(await lintPaths(paths.length > 0 ? paths : ['.'], { python: setupPyInterpreter(flags.python) })));
  let environment: EnvironmentReport | undefined;
  if (wantsEnvironment) {
    const opened = await openEnvironment(flags);
    environment = opened.report;
    findings.push(...(await lintEnvironment(opened.env)));
  }
  printFindings(findings, format, environment);
  return exitCodeFor(findings, flags.strict === true);
}

/** For `epi diagnose --format sarif|github`, which reports through this command's bundle. */
export { fromDiagnostic } from '../../lint/findings.js';
