import { openEnvironment, type EnvironmentFlags } from '../environment-options.js';
import { colorDiagnostic, colors, printJson, table } from '../output.js';

export async function show(dist: string, flags: EnvironmentFlags & { json?: boolean }): Promise<number> {
  const env = await openEnvironment(flags);
  const info = await env.distribution(dist);
  if (info === null) {
    if (flags.json) printJson({ distribution: null, entryPoints: [], diagnostics: [] });
    process.stderr.write(`epi: no distribution named ${JSON.stringify(dist)} in this environment\n`);
    return 1;
  }
  const d = info.distribution;
  if (flags.json) {
    printJson({ distribution: d, entryPoints: info.entryPoints.toJSON(), diagnostics: info.entryPoints.diagnostics });
    return 0;
  }
  process.stdout.write(`${colors.bold(d.name)} ${d.version ?? '(no version)'}\n`);
  process.stdout.write(`metadata:    ${d.metadataPath}${d.hasMetadata ? '' : colors.yellow(' (no METADATA: leftover)')}\n`);
  process.stdout.write(`path entry:  ${d.pathEntry}\n`);
  process.stdout.write(`layout:      ${d.layout}\n`);
  const rows = info.entryPoints.toArray().map((e) => [e.group, e.name, e.valid ? e.value : colors.red(e.value)]);
  process.stdout.write(rows.length > 0 ? '\n' + table(rows, ['GROUP', 'NAME', 'VALUE']) : 'no entry points\n');
  for (const diag of info.entryPoints.diagnostics) process.stderr.write(colorDiagnostic(diag) + '\n');
  return 0;
}
