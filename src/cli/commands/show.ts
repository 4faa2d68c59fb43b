import { counts, distributionJSON, entryPointJSON, openEnvironment, type EnvironmentFlags } from '../environment-options.js';
import { colorDiagnostic, colors, esc, printJson, table } from '../output.js';
import { out, err } from '../stdio.js';

export async function show(dist: string, flags: EnvironmentFlags & { json?: boolean }): Promise<number> {
  const { env, report } = await openEnvironment(flags);
  const info = await env.distribution(dist);
  if (info === null) {
    if (flags.json) printJson({ environment: report, distribution: null, entryPoints: [], diagnostics: report.diagnostics, counts: counts(report.diagnostics) });
    err(`epi: no distribution named ${JSON.stringify(esc(dist))} in this environment\n`);
    return 1;
  }
  const d = info.distribution;
  const diagnostics = [...report.diagnostics, ...info.entryPoints.diagnostics];
  if (flags.json) {
    printJson({ environment: report, distribution: distributionJSON(d), entryPoints: info.entryPoints.toArray().map(entryPointJSON), diagnostics, counts: counts(diagnostics) });
    return 0;
  }
  out(`${colors.bold(esc(d.name))} ${esc(d.version ?? '(no version)')}\n`);
  out(`metadata:    ${esc(d.metadataPath)}${d.hasMetadata ? '' : colors.yellow(' (no METADATA: leftover)')}\n`);
  out(`path entry:  ${esc(d.pathEntry)}\n`);
  out(`layout:      ${d.layout}\n`);
  const rows = info.entryPoints.toArray().map((e) => [e.group, e.name, e.valid ? e.value : { text: e.value, style: colors.red }]);
  out(rows.length > 0 ? '\n' + table(rows, ['GROUP', 'NAME', 'VALUE'], { shrink: [{ column: 2 }] }) : 'no entry points\n');
  for (const diag of info.entryPoints.diagnostics) err(colorDiagnostic(diag) + '\n');
  return 0;
}
