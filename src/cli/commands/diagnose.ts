import type { ReportFormat } from '../../lint/report.js';
import { openEnvironment, type EnvironmentFlags } from '../environment-options.js';
import { colorDiagnostic, printJson } from '../output.js';

/** Exit 1 when any diagnostic is an error. */
export async function diagnose(flags: EnvironmentFlags & { json?: boolean; all?: boolean; format?: ReportFormat }): Promise<number> {
  const env = await openEnvironment(flags);
  const all = await env.diagnose();
  const shown = flags.all ? all : all.filter((d) => d.severity !== 'info');
  if (!flags.json && (flags.format === 'sarif' || flags.format === 'github')) {
    // The linter's reporter: the same SARIF and annotations as `epi lint`.
    const [{ fromDiagnostic }, { printFindings }] = await Promise.all([import('../../lint/findings.js'), import('./lint.js')]);
    printFindings(shown.map(fromDiagnostic), flags.format);
    return all.some((d) => d.severity === 'error') ? 1 : 0;
  }
  const count = (severity: string): number => all.filter((d) => d.severity === severity).length;
  const errors = count('error');
  const warnings = count('warning');
  const infos = count('info');
  if (flags.json || flags.format === 'json') {
    printJson({ diagnostics: shown, errors, warnings });
  } else {
    for (const d of shown) process.stdout.write(colorDiagnostic(d) + '\n');
    const info = infos === 0 ? '' : flags.all ? `, ${infos} info` : `, ${infos} info (--all shows them)`;
    process.stderr.write(`epi: ${errors} error(s), ${warnings} warning(s)${info}\n`);
  }
  return errors > 0 ? 1 : 0;
}
