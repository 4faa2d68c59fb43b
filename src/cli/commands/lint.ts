import { createRequire } from 'node:module';
import { lintEnvironment } from '../../lint/environment.js';
import type { Finding } from '../../lint/findings.js';
import { lintPaths } from '../../lint/lint.js';
import { exitCodeFor, renderReport, summaryLine, type ReportFormat } from '../../lint/report.js';
import { openEnvironment, type EnvironmentFlags } from '../environment-options.js';
import { colors } from '../output.js';
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

/** Print findings in the chosen format; the text format's summary goes to stderr. */
export function printFindings(findings: readonly Finding[], format: ReportFormat): void {
  out(renderReport(findings, format, { toolVersion: toolVersion(), style: colors }));
  if (format === 'text') err(summaryLine(findings) + '\n');
}

/** Exit 1 on errors (on warnings too with --strict), else 0. */
export async function lint(paths: string[], flags: LintFlags): Promise<number> {
  const format: ReportFormat = flags.json ? 'json' : flags.format ?? 'text';
  const wantsEnvironment = flags.python !== undefined || flags.path !== undefined || flags.site !== undefined;
  const findings: Finding[] = [];
  if (paths.length > 0 || !wantsEnvironment) findings.push(...lintPaths(paths.length > 0 ? paths : ['.']));
  if (wantsEnvironment) findings.push(...(await lintEnvironment((await openEnvironment(flags)).env)));
  printFindings(findings, format);
  return exitCodeFor(findings, flags.strict === true);
}

/** For `epi diagnose --format sarif|github`, which reports through this command's bundle. */
export { fromDiagnostic } from '../../lint/findings.js';
