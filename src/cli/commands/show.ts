import { counts, distributionJSON, entryPointJSON, isSearchPathDiagnostic, openEnvironment, settle, type EnvironmentFlags } from '../environment-options.js';
import { colorDiagnostic, colors, esc, printJson, table } from '../output.js';
import { out, err } from '../stdio.js';

export async function show(dist: string, flags: EnvironmentFlags & { json?: boolean }): Promise<number> {
  const opened = await openEnvironment(flags);
  const info = await opened.env.distribution(dist);
  // The distribution's own diagnostics, and the search path's (the environment's).
  const searchPath = (await opened.env.distributions()).diagnostics.filter(isSearchPathDiagnostic);
  if (info === null) {
    const s = settle(opened, [searchPath], flags);
    if (flags.json) printJson({ environment: s.report, distribution: null, entryPoints: [], diagnostics: s.diagnostics, counts: counts(s.diagnostics) });
    err(`epi: no distribution named ${JSON.stringify(esc(dist))} in this environment\n`);
    return 1;
  }
  const d = info.distribution;
  const { report, diagnostics } = settle(opened, [searchPath, info.entryPoints.diagnostics], flags);
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
