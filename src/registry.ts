/**
 * Search path × scans → the environment's distributions and entry points: which distribution
 * of a name wins, which are shadowed, and every diagnostic with an absolute file.
 */
import * as path from 'node:path';
import { diagnostic, type Diagnostic } from './diagnostics.js';
import { EntryPoint, type Distribution, type EntryPointQuery, normalizeName } from './entry-point.js';
import type { DistRecord, PathEntryScan } from './python/discover.js';

/** A distribution that lost to an earlier one of the same normalized name. */
export interface ShadowedDistribution {
  readonly distribution: Distribution;
  readonly by: Distribution;
}

export interface ResolvedDistribution {
  readonly distribution: Distribution;
  readonly record: DistRecord;
}

export interface Resolution {
  /** Winners, in search-path order (then in-directory order). */
  readonly distributions: readonly ResolvedDistribution[];
  readonly shadowed: readonly ShadowedDistribution[];
  /** Path-entry diagnostics, every record's diagnostics (absolute files), shadowing diagnostics. */
  readonly diagnostics: readonly Diagnostic[];
}

function toDistribution(scan: PathEntryScan, r: DistRecord): Distribution {
  return {
    name: r.name,
    normalizedName: r.normalizedName,
    version: r.version,
    metadataPath: path.join(scan.pathEntry, r.child),
    pathEntry: scan.pathEntry,
    layout: r.layout,
    hasMetadata: r.hasMetadata,
  };
}

/** Scans keep files relative to their path entry; results show them whole. */
function absolute(scan: PathEntryScan, d: Diagnostic): Diagnostic {
  return d.file === undefined ? d : { ...d, file: d.file === '' ? scan.pathEntry : path.join(scan.pathEntry, d.file) };
}

/**
 * The first distribution of a normalized name on the search path wins, except that a
 * metadata-less leftover never hides a real distribution: the winner is the first real one
 * (path order, then the in-directory preference order), or the first leftover if none is real.
 */
export function resolve(scans: readonly PathEntryScan[]): Resolution {
  const firstReal = new Map<string, DistRecord>();
  const first = new Map<string, DistRecord>();
  for (const scan of scans) {
    for (const r of scan.dists) {
      if (!first.has(r.normalizedName)) first.set(r.normalizedName, r);
      if (r.hasMetadata && !firstReal.has(r.normalizedName)) firstReal.set(r.normalizedName, r);
    }
  }
  const winnerRecord = (name: string): DistRecord => firstReal.get(name) ?? first.get(name)!;
  const winners = new Map<DistRecord, ResolvedDistribution>();
  const distributions: ResolvedDistribution[] = [];
  const diagnostics: Diagnostic[] = [];
  const losers: Array<{ scan: PathEntryScan; record: DistRecord }> = [];
  for (const scan of scans) {
    for (const d of scan.diagnostics) diagnostics.push(absolute(scan, d));
    for (const r of scan.dists) {
      for (const d of r.diagnostics) diagnostics.push(absolute(scan, d));
      if (winnerRecord(r.normalizedName) === r) {
        const resolved = { distribution: toDistribution(scan, r), record: r };
        winners.set(r, resolved);
        distributions.push(resolved);
      } else {
        losers.push({ scan, record: r });
      }
    }
  }
  const shadowed: ShadowedDistribution[] = [];
  for (const { scan, record } of losers) {
    const by = winners.get(winnerRecord(record.normalizedName))!.distribution;
    const distribution = toDistribution(scan, record);
    shadowed.push({ distribution, by });
    const what = `${record.name} ${record.version ?? '(no version)'}`;
    const winner = `${by.name} ${by.version ?? '(no version)'} at ${by.metadataPath}`;
    diagnostics.push(
      by.pathEntry === scan.pathEntry
        ? diagnostic('EP206', `${what} is not used: ${winner} in the same directory is preferred`, { file: distribution.metadataPath })
        : diagnostic('EP201', `${what} is shadowed by ${winner}`, { file: distribution.metadataPath }),
    );
  }
  return { distributions, shadowed, diagnostics };
}

/** The entry points of the winning distributions that match `query`, in resolution order. */
export function selectEntryPoints(resolution: Resolution, query: EntryPointQuery = {}): EntryPoint[] {
  const out: EntryPoint[] = [];
  const dist = query.dist === undefined ? undefined : normalizeName(query.dist);
  for (const { distribution, record } of resolution.distributions) {
    if (dist !== undefined && distribution.normalizedName !== dist) continue;
    for (const e of record.entryPoints) {
      if (query.group !== undefined && e.group !== query.group) continue;
      if (query.name !== undefined && e.name !== query.name) continue;
      const ep = new EntryPoint(e.group, e.name, e.value, distribution);
      if (query.value !== undefined || query.module !== undefined || query.attr !== undefined) {
        if (!ep.matches(query)) continue;
      }
      out.push(ep);
    }
  }
  return out;
}
