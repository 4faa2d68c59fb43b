import { counts, openEnvironment, type EnvironmentFlags } from '../environment-options.js';
import { printJson, summarizeDiagnostics, table } from '../output.js';
import { out } from '../stdio.js';

export async function groups(flags: EnvironmentFlags & { json?: boolean }): Promise<number> {
  const { env, report } = await openEnvironment(flags);
  const all = await env.entryPoints();
  const summary = await env.groups();
  const diagnostics = [...report.diagnostics, ...all.diagnostics];
  if (flags.json) {
    printJson({ environment: report, groups: summary, diagnostics, counts: counts(diagnostics) });
    return 0;
  }
  out(table(summary.map((g) => [g.group, String(g.entryPoints), String(g.distributions)]), ['GROUP', 'ENTRY POINTS', 'DISTRIBUTIONS']));
  summarizeDiagnostics(diagnostics);
  return 0;
}
