import { EntryPoint, normalizeName, type Distribution } from '../../entry-point.js';
import { EntryPoints } from '../../entry-points.js';
import { renderEntryPointsTxt, unrenderableReason, parseEntryPointsTxt } from '../../format/entry-points-txt.js';
import { EpindexError } from '../../errors.js';
import { openEnvironment, type EnvironmentFlags } from '../environment-options.js';
import { colorDiagnostic, colors, printJson, summarizeDiagnostics, table } from '../output.js';

export interface ListFlags extends EnvironmentFlags {
  group?: string;
  name?: string;
  dist?: string;
  json?: boolean;
  format?: 'table' | 'json' | 'ini';
  /** List the entry points of this wheel instead of an environment's. */
  wheel?: string;
}

export const distLabel = (e: EntryPoint): string => (e.dist ? `${e.dist.name} ${e.dist.version ?? ''}`.trimEnd() : '');

export async function list(flags: ListFlags): Promise<number> {
  const query = {
    ...(flags.group !== undefined ? { group: flags.group } : {}),
    ...(flags.name !== undefined ? { name: flags.name } : {}),
    ...(flags.dist !== undefined ? { dist: flags.dist } : {}),
  };
  if (flags.wheel !== undefined) return listWheel(flags.wheel, query, flags);
  const env = await openEnvironment(flags);
  const eps = await env.entryPoints(query);
  return printEntryPoints(eps, flags);
}

/**
 * A wheel's entry points, read from the zip (nothing extracted). RECORD problems are reported
 * on stderr (with --json, under `findings`); a file that is no wheel is an error (exit 2).
 */
async function listWheel(file: string, query: { group?: string; name?: string; dist?: string }, flags: ListFlags): Promise<number> {
  const { readWheel } = await import('../../lint/wheel.js');
  const w = readWheel(file);
  const fatal = w.findings.find((f) => f.code === 'EP640' || f.code === 'EP641');
  if (fatal !== undefined) throw new EpindexError('INVALID_ARGUMENT', `${file}: ${fatal.message}`);
  const parsed = w.entryPoints === null ? { entries: [], diagnostics: [] } : parseEntryPointsTxt(w.entryPoints, { file: w.entryPointsFile });
  const name = w.name ?? '';
  const dist: Distribution = { name, normalizedName: normalizeName(name), version: w.version, metadataPath: `${file}/${w.distInfo}`, pathEntry: file, layout: 'dist-info', hasMetadata: true };
  const all = parsed.entries.map((e) => new EntryPoint(e.group, e.name, e.value, dist));
  const eps = new EntryPoints(all, parsed.diagnostics).select(query);
  const format = flags.json ? 'json' : flags.format ?? 'table';
  if (format === 'json') {
    printJson({ entryPoints: eps.toJSON(), diagnostics: eps.diagnostics, findings: w.findings });
    return 0;
  }
  for (const f of w.findings) process.stderr.write(colorDiagnostic({ ...f, code: f.code as never }) + '\n');
  return printEntryPoints(eps, flags);
}

function printEntryPoints(eps: EntryPoints, flags: ListFlags): number {
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
