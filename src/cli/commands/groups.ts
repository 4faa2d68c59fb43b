import { counts, openEnvironment, settle, type EnvironmentFlags } from '../environment-options.js';
import { printJson, summarizeDiagnostics, table } from '../output.js';
import { out } from '../stdio.js';

export async function groups(flags: EnvironmentFlags & { json?: boolean }): Promise<number> {
  const opened = await openEnvironment(flags);
  const all = await opened.env.entryPoints();
  const summary = await opened.env.groups();
  const { report, diagnostics, unshown, searchedNothing } = settle(opened, [all.diagnostics], flags);
  if (flags.json) {
    printJson({ environment: report, groups: summary, diagnostics, counts: counts(diagnostics) });
  } else {
    out(table(summary.map((g) => [g.group, String(g.entryPoints), String(g.distributions)]), ['GROUP', 'ENTRY POINTS', 'DISTRIBUTIONS']));
    summarizeDiagnostics(unshown);
  }
  return searchedNothing ? 1 : 0;
}
