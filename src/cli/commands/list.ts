import type { EntryPoint } from '../../entry-point.js';
import { renderEntryPointsTxt, unrenderableReason } from '../../format/entry-points-txt.js';
import { openEnvironment, type EnvironmentFlags } from '../environment-options.js';
import { colors, printJson, summarizeDiagnostics, table } from '../output.js';

export interface ListFlags extends EnvironmentFlags {
  group?: string;
  name?: string;
  dist?: string;
  json?: boolean;
  format?: 'table' | 'json' | 'ini';
}

export const distLabel = (e: EntryPoint): string => (e.dist ? `${e.dist.name} ${e.dist.version ?? ''}`.trimEnd() : '');

export async function list(flags: ListFlags): Promise<number> {
  const env = await openEnvironment(flags);
  const eps = await env.entryPoints({
    ...(flags.group !== undefined ? { group: flags.group } : {}),
    ...(flags.name !== undefined ? { name: flags.name } : {}),
    ...(flags.dist !== undefined ? { dist: flags.dist } : {}),
  });
  const format = flags.json ? 'json' : flags.format ?? 'table';
  if (format === 'json') {
    printJson({ entryPoints: eps.toJSON(), diagnostics: eps.diagnostics });
    return 0;
  }
  if (format === 'ini') {
    const ok = eps.toArray().filter((e) => unrenderableReason(e) === null);
    if (ok.length < eps.length) process.stderr.write(colors.yellow(`epi: ${eps.length - ok.length} entry point(s) cannot be written as entry_points.txt and were left out\n`));
    process.stdout.write(renderEntryPointsTxt(ok));
    return 0;
  }
  // The table reads by group and name; among equal names, search-path order (the sort is stable).
  const sorted = eps.toArray().sort((a, b) => (a.group < b.group ? -1 : a.group > b.group ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const rows = sorted.map((e) => [e.group, e.name, e.valid ? e.value : colors.red(e.value), distLabel(e)]);
  if (rows.length > 0) process.stdout.write(table(rows, ['GROUP', 'NAME', 'VALUE', 'DISTRIBUTION']));
  else process.stderr.write('epi: no entry points match\n');
  summarizeDiagnostics(eps.diagnostics);
  return 0;
}
