/** `epi list --wheel`: a wheel's entry points (bundled apart from the lookup commands). */
import { EntryPoint, normalizeName, type Distribution } from '../../entry-point.js';
import { EpindexError } from '../../errors.js';
import { parseEntryPointsTxt } from '../../format/entry-points-txt.js';
import { readWheel } from '../../lint/wheel.js';
import { colorDiagnostic } from '../output.js';
import { printEntryPoints, type ListFlags } from './list.js';
import { err } from '../stdio.js';

/**
 * A wheel's entry points, read from the zip (nothing extracted). RECORD problems are reported
 * on stderr (with --json, under `findings`); a file that is no wheel is an error (exit 2).
 */
export async function listWheel(file: string, flags: ListFlags): Promise<number> {
  const w = readWheel(file);
  const fatal = w.findings.find((f) => f.code === 'EP640' || f.code === 'EP641');
  if (fatal !== undefined) throw new EpindexError('INVALID_ARGUMENT', `${file}: ${fatal.message}`);
  const parsed = w.entryPoints === null ? { entries: [], diagnostics: [] } : parseEntryPointsTxt(w.entryPoints, { file: w.entryPointsFile });
  const name = w.name ?? '';
  const dist: Distribution = { name, normalizedName: normalizeName(name), version: w.version, metadataPath: `${file}/${w.distInfo}`, pathEntry: file, layout: 'dist-info', hasMetadata: true };
  const groups = flags.group ?? [];
  const eps = parsed.entries
    .map((e) => new EntryPoint(e.group, e.name, e.value, dist))
    .filter((e) => (groups.length === 0 || groups.includes(e.group)) && (flags.name === undefined || e.name === flags.name) && (flags.dist === undefined || normalizeName(flags.dist) === dist.normalizedName));
  if (!(flags.json || flags.format === 'json')) for (const f of w.findings) err(colorDiagnostic({ ...f, code: f.code as never }) + '\n');
  return printEntryPoints(eps, parsed.diagnostics, flags, { findings: w.findings });
}

