import type { EntryPoint } from '../../entry-point.js';
import type { Diagnostic } from '../../diagnostics.js';
import { renderEntryPointsTxt, unrenderableReason } from '../../format/entry-points-txt.js';
import { counts, entryPointJSON, isSearchPathDiagnostic, openEnvironment, settle, type EnvironmentFlags } from '../environment-options.js';
import { colors, errColors, plural, printJson, summarizeDiagnostics, table } from '../output.js';
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
  const json = flags.json === true || flags.format === 'json';
  const opened = await openEnvironment({ ...flags, json });
  const { env } = opened;
  const info = flags.dist === undefined ? undefined : await env.distribution(flags.dist);
  if (info === null) {
    const s = settle(opened, [(await env.distributions()).diagnostics.filter(isSearchPathDiagnostic)], { ...flags, json });
    if (json) printJson({ environment: s.report, entryPoints: [], diagnostics: s.diagnostics, counts: counts(s.diagnostics) });
    err(`epi: no distribution named ${JSON.stringify(flags.dist)} in this environment\n`);
    return 1;
  }
  const found = await entryPointsOf(env, flags.group ?? [], {
    ...(flags.name !== undefined ? { name: flags.name } : {}),
    ...(flags.dist !== undefined ? { dist: flags.dist } : {}),
  });
  const s = settle(opened, [found.diagnostics], { ...flags, json });
  if (s.searchedNothing && !json) return 1; // said by settle; an empty table would add nothing
  const code = printEntryPoints(found.entryPoints, s.diagnostics, flags, { environment: s.report }, s.unshown);
  return s.searchedNothing ? 1 : code;
}

/** The table, JSON or entry_points.txt of a listing; JSON keeps the table's order. */
export function printEntryPoints(entryPoints: EntryPoint[], diagnostics: readonly Diagnostic[], flags: ListFlags, extra: Record<string, unknown>, unshown: readonly Diagnostic[] = diagnostics): number {
  // The table reads by group and name; among equal names, search-path order (the sort is stable).
  const sorted = entryPoints.sort(byGroupAndName);
  const format = flags.json ? 'json' : flags.format ?? 'table';
  if (format === 'json') {
    printJson({ ...('environment' in extra ? { environment: extra['environment'] } : {}), entryPoints: sorted.map(entryPointJSON), diagnostics, counts: counts(diagnostics), ...('findings' in extra ? { findings: extra['findings'] } : {}) });
    return 0;
  }
  if (format === 'ini') {
    const ok = sorted.filter((e) => unrenderableReason(e) === null);
    if (ok.length < sorted.length) err(errColors.yellow(`epi: ${plural(sorted.length - ok.length, 'entry point')} cannot be written as entry_points.txt and ${sorted.length - ok.length === 1 ? 'was' : 'were'} left out\n`));
    out(renderEntryPointsTxt(ok));
    return 0;
  }
  const rows = sorted.map((e) => [e.group, e.name, e.valid ? e.value : { text: e.value, style: colors.red }, distLabel(e)]);
  if (rows.length > 0) out(table(rows, ['GROUP', 'NAME', 'VALUE', 'DISTRIBUTION'], { shrink: [{ column: 2 }, { column: 3 }] }));
  else err('epi: no entry points match\n');
  summarizeDiagnostics(unshown);
  return 0;
}
