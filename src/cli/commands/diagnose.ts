import type { ReportFormat } from '../../lint/report.js';
import { counts, openEnvironment, settle, type EnvironmentFlags } from '../environment-options.js';
import { colorDiagnostic, colors, countsText, printJson } from '../output.js';
import { out, err } from '../stdio.js';

/** Exit 1 when any diagnostic is an error. */
export async function diagnose(flags: EnvironmentFlags & { json?: boolean; all?: boolean; format?: ReportFormat }): Promise<number> {
  const opened = await openEnvironment({ ...flags, quiet: true });
  // Every diagnostic is printed below: none on stderr before.
  const { report, diagnostics: all, searchedNothing } = settle(opened, [await opened.env.diagnose()], { ...flags, quiet: true });
  const shown = flags.all ? all : all.filter((d) => d.severity !== 'info');
  const c = counts(all);
  if (!flags.json && (flags.format === 'sarif' || flags.format === 'github')) {
    // The linter's reporter: the same SARIF and annotations as `epi lint`.
    const { fromDiagnostic, printFindings } = await import('./lint.js');
    printFindings(shown.map(fromDiagnostic), flags.format);
    return c.errors > 0 || searchedNothing ? 1 : 0;
  }
  if (flags.json || flags.format === 'json') {
    // `counts` covers every diagnostic, shown or not (info ones need --all); `shown` says how many are listed.
    printJson({ environment: report, diagnostics: shown, counts: c, shown: shown.length });
  } else {
    for (const d of shown) out(colorDiagnostic(d, colors) + '\n');
    const info = c.info === 0 ? '' : flags.all ? `, ${c.info} info` : `, ${c.info} info (--all shows them)`;
    err(`epi: ${countsText(c)}${info}\n`);
  }
  return c.errors > 0 || searchedNothing ? 1 : 0;
}
