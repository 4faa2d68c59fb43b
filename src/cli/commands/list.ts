import type { EntryPoint } from '../../entry-point.js';
import type { Diagnostic } from '../../diagnostics.js';
import { renderEntryPointsTxt, unrenderableReason } from '../../format/entry-points-txt.js';
import { counts, entryPointJSON, openEnvironment, type EnvironmentFlags } from '../environment-options.js';
import { colors, plural, printJson, summarizeDiagnostics, table } from '../output.js';
import { byGroupAndName, entryPointsOf } from './lookup.js';
import { out, err } from '../stdio.js';

export interface ListFlags extends EnvironmentFlags {
  group?: string[];
  name?: string;
  dist?: string;
  json?: boolean;
  format?: 'table' | 'json' | 'ini';
  wheel?: string;
}

export const distLabel = (e: EntryPoint): string => (e.dist ? `${e.dist.name} ${e.dist.version ?? ''}`.trimEnd() : '');

/** Exit 1 when `--dist` names no installed distribution; an empty listing is still a success. */
export async function list(flags: ListFlags): Promise<number> {
  if (flags.wheel !== undefined) return (await import('./list-wheel.js')).listWheel(flags.wheel, flags);
  const { env, report } = await openEnvironment(flags);
  if (flags.dist !== undefined && (await env.distribution(flags.dist)) === null) {
    if (flags.json || flags.format === 'json') printJson({ environment: report, entryPoints: [], diagnostics: report.diagnostics, counts: counts(report.diagnostics) });
    err(`epi: no distribution named ${JSON.stringify(flags.dist)} in this environment\n`);
    return 1;
  }
  const found = await entryPointsOf(env, flags.group ?? [], {
    ...(flags.name !== undefined ? { name: flags.name } : {}),
    ...(flags.dist !== undefined ? { dist: flags.dist } : {}),
  });
  return printEntryPoints(found.entryPoints, [...report.diagnostics, ...found.diagnostics], flags, { environment: report });
}

/** The table, JSON or entry_points.txt of a listing; JSON keeps the table's order. */
export function printEntryPoints(entryPoints: EntryPoint[], diagnostics: readonly Diagnostic[], flags: ListFlags, extra: Record<string, unknown>): number {
  // The table reads by group and name; among equal names, search-path order (the sort is stable).
  const sorted = entryPoints.sort(byGroupAndName);
  const format = flags.json ? 'json' : flags.format ?? 'table';
  if (format === 'json') {
    printJson({ ...('environment' in extra ? { environment: extra['environment'] } : {}), entryPoints: sorted.map(entryPointJSON), diagnostics, counts: counts(diagnostics), ...('findings' in extra ? { findings: extra['findings'] } : {}) });
    return 0;
  }
  if (format === 'ini') {
    const ok = sorted.filter((e) => unrenderableReason(e) === null);
    if (ok.length < sorted.length) err(colors.yellow(`epi: ${plural(sorted.length - ok.length, 'entry point')} cannot be written as entry_points.txt and ${sorted.length - ok.length === 1 ? 'was' : 'were'} left out\n`));
    out(renderEntryPointsTxt(ok));
    return 0;
  }
  const rows = sorted.map((e) => [e.group, e.name, e.valid ? e.value : { text: e.value, style: colors.red }, distLabel(e)]);
  if (rows.length > 0) out(table(rows, ['GROUP', 'NAME', 'VALUE', 'DISTRIBUTION'], { shrink: [{ column: 2 }, { column: 3 }] }));
  else err('epi: no entry points match\n');
  summarizeDiagnostics(diagnostics);
  return 0;
}
