import type { EntryPoint } from '../../entry-point.js';
import { renderEntryPointsTxt, unrenderableReason } from '../../format/entry-points-txt.js';
import { counts, entryPointJSON, openEnvironment, type EnvironmentFlags } from '../environment-options.js';
import { colors, plural, printJson, summarizeDiagnostics, table } from '../output.js';
import { byGroupAndName, entryPointsOf } from './lookup.js';

export interface ListFlags extends EnvironmentFlags {
  group?: string[];
  name?: string;
  dist?: string;
  json?: boolean;
  format?: 'table' | 'json' | 'ini';
}

export const distLabel = (e: EntryPoint): string => (e.dist ? `${e.dist.name} ${e.dist.version ?? ''}`.trimEnd() : '');

/** Exit 1 when `--dist` names no installed distribution; an empty listing is still a success. */
export async function list(flags: ListFlags): Promise<number> {
  const { env, report } = await openEnvironment(flags);
  if (flags.dist !== undefined && (await env.distribution(flags.dist)) === null) {
    if (flags.json || flags.format === 'json') printJson({ environment: report, entryPoints: [], diagnostics: report.diagnostics, counts: counts(report.diagnostics) });
    process.stderr.write(`epi: no distribution named ${JSON.stringify(flags.dist)} in this environment\n`);
    return 1;
  }
  const found = await entryPointsOf(env, flags.group ?? [], {
    ...(flags.name !== undefined ? { name: flags.name } : {}),
    ...(flags.dist !== undefined ? { dist: flags.dist } : {}),
  });
  const diagnostics = [...report.diagnostics, ...found.diagnostics];
  // The table reads by group and name; JSON keeps the same order, so that both say the same thing.
  const sorted = found.entryPoints.sort(byGroupAndName);
  const format = flags.json ? 'json' : flags.format ?? 'table';
  if (format === 'json') {
    printJson({ environment: report, entryPoints: sorted.map(entryPointJSON), diagnostics, counts: counts(diagnostics) });
    return 0;
  }
  if (format === 'ini') {
    const ok = sorted.filter((e) => unrenderableReason(e) === null);
    if (ok.length < sorted.length) process.stderr.write(colors.yellow(`epi: ${plural(sorted.length - ok.length, 'entry point')} cannot be written as entry_points.txt and ${sorted.length - ok.length === 1 ? 'was' : 'were'} left out\n`));
    process.stdout.write(renderEntryPointsTxt(ok));
    return 0;
  }
  const rows = sorted.map((e) => [e.group, e.name, e.valid ? e.value : { text: e.value, style: colors.red }, distLabel(e)]);
  if (rows.length > 0) process.stdout.write(table(rows, ['GROUP', 'NAME', 'VALUE', 'DISTRIBUTION'], { shrink: [{ column: 2 }, { column: 3 }] }));
  else process.stderr.write('epi: no entry points match\n');
  summarizeDiagnostics(diagnostics);
  return 0;
}
