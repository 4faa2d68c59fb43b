/**
 * Freshness: does a cache still describe its path entry? (docs/spec.md §5.4 has the table of
 * which check catches which change and what it costs.)
 *
 * - `listing` level: the path entry's own stamp (inode, nanosecond mtime and ctime); when it differs, or
 *   is too recent to be trusted, the candidate names are listed again and compared.
 * - `stat` level (default): the listing check, then per distribution the stamps of its metadata
 *   directory, its entry_points.txt and (when its content was used) its METADATA.
 *
 * Racy stamps: a stamp whose mtime/ctime is within RACY_WINDOW_NS of the scan (the cache file's
 * mtime, set to the scan's start on the cache's own filesystem clock) cannot prove that nothing
 * changed afterwards in the same timestamp tick; such items are re-read and compared instead
 * (the approach git takes with its index).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bigStat, listCandidates, entryIsEgg, scanCandidate, scanPathEntry, type DistRecord, type Stamp, type StatFn } from '../python/discover.js';
import type { CachedEntry } from './format.js';

export type Freshness = 'stat' | 'listing';

/** 2 s: the coarsest common timestamp granularity (FAT); HFS+ and ext3 have 1 s. */
export const RACY_WINDOW_NS = 2_000_000_000n;

export type FreshnessResult =
  | { readonly fresh: true; /** Content verified, but stamps are outdated or racy: worth rewriting. */ readonly worthRewriting: boolean }
  | { readonly fresh: false; readonly reason: string };

/** A recorded stamp as bigints, parsed once per stamp object (caches are kept in memory). */
interface BigStamp {
  readonly ino: bigint;
  readonly size: bigint;
  readonly mtimeNs: bigint;
  readonly ctimeNs: bigint;
}
const parsed = new WeakMap<Stamp, BigStamp>();
function big(s: Stamp): BigStamp {
  let b = parsed.get(s);
  if (b === undefined) {
    b = { ino: BigInt(s.ino), size: BigInt(s.size), mtimeNs: BigInt(s.mtimeNs), ctimeNs: BigInt(s.ctimeNs) };
    parsed.set(s, b);
  }
  return b;
}

/** Compare a stat with a recorded stamp without converting the stat to strings. */
function sameStamp(st: fs.BigIntStats, s: Stamp): boolean {
  const b = big(s);
  return st.mtimeNs === b.mtimeNs && st.ino === b.ino && st.size === b.size && st.ctimeNs === b.ctimeNs;
}

function isRacy(s: Stamp, scannedAtNs: bigint): boolean {
  const b = big(s);
  return (b.mtimeNs > b.ctimeNs ? b.mtimeNs : b.ctimeNs) >= scannedAtNs - RACY_WINDOW_NS;
}

function statOrNull(stat: StatFn, p: string): fs.BigIntStats | null {
  try {
    return stat(p) ?? null;
  } catch {
    return null;
  }
}

export interface FreshnessOptions {
  readonly level: Freshness;
  /** The cache file's mtime: when the scan started, on the cache's filesystem clock. */
  readonly scannedAtNs: bigint;
  readonly stat?: StatFn;
}

export function checkFreshness(pathEntry: string, entry: CachedEntry, options: FreshnessOptions): FreshnessResult {
  const stat = options.stat ?? bigStat;
  const root = pathEntry === '' ? '.' : pathEntry;
  const st = statOrNull(stat, root);
  if (st === null) return { fresh: false, reason: 'the path entry is gone' };
  const recorded = entry.stamp;

  if (entry.kind === 'zip') {
    if (!st.isFile()) return { fresh: false, reason: 'the path entry is no longer a file' };
    if (!sameStamp(st, recorded)) return { fresh: false, reason: 'the zip archive changed' };
    if (!isRacy(recorded, options.scannedAtNs)) return { fresh: true, worthRewriting: false };
    // Too close to the scan to prove anything: read the archive again and compare.
    const again = scanPathEntry(pathEntry);
    const before = entry.toScan().dists;
    const same = again.kind === 'zip' && again.dists.length === before.length && again.dists.every((r, i) => sameRecordContent(r, before[i]!));
    return same ? { fresh: true, worthRewriting: true } : { fresh: false, reason: 'the zip archive changed within the timestamp granularity of the scan' };
  }
  if (!st.isDirectory()) return { fresh: false, reason: 'the path entry is no longer a directory' };

  let worthRewriting = false;
  // ctime too: an mtime set back with utimes (cp -p, rsync -t, tar) hides an install from the
  // mtime alone, and nothing but the clock can set a ctime.
  const b = big(recorded);
  const listingTrusted = st.ino === b.ino && st.mtimeNs === b.mtimeNs && st.ctimeNs === b.ctimeNs && !isRacy(recorded, options.scannedAtNs);
  if (!listingTrusted) {
    let names: string[];
    try {
      names = listCandidates(root, entryIsEgg(root)).map((d) => d.name);
    } catch (e) {
      return { fresh: false, reason: `the path entry cannot be listed (${(e as NodeJS.ErrnoException).code ?? 'error'})` };
    }
    const diff = listingDiff(entry.listing, names);
    if (diff !== null) return { fresh: false, reason: diff };
    worthRewriting = true;
  }
  if (options.level === 'listing') return { fresh: true, worthRewriting };

  const summaries = entry.summaries;
  for (let i = 0; i < summaries.length; i++) {
    const why = checkDistribution(root, entry, i, stat, options.scannedAtNs);
    if (why === 'racy') worthRewriting = true;
    else if (why !== null) return { fresh: false, reason: why };
  }
  // Candidates that gave no record (symlink loops, dangling links, .dist-info files) can start
  // giving one without any stamp above changing (a link's target appears): look again.
  const listing = entry.listing;
  if (listing.length !== summaries.length) {
    const known = new Set(summaries.map((r) => r.child));
    for (const child of listing) {
      if (!known.has(child) && 'record' in scanCandidate(root, child, 'unknown', { stat })) return { fresh: false, reason: `${child} became readable` };
    }
  }
  return { fresh: true, worthRewriting };
}

/** `null` when equal, else a short description of the difference. */
export function listingDiff(before: readonly string[], after: readonly string[]): string | null {
  const a = new Set(before);
  const b = new Set(after);
  const added = after.filter((n) => !a.has(n));
  const removed = before.filter((n) => !b.has(n));
  if (added.length === 0 && removed.length === 0) return null;
  const parts = [...added.slice(0, 3).map((n) => `+${n}`), ...removed.slice(0, 3).map((n) => `-${n}`)];
  const more = added.length + removed.length - parts.length;
  return `the listing changed: ${parts.join(' ')}${more > 0 ? ` and ${more} more` : ''}`;
}

/** Per-distribution stat check. `null` = fresh, `'racy'` = fresh after re-reading, else the reason it is stale. */
function checkDistribution(root: string, entry: CachedEntry, i: number, stat: StatFn, scannedAtNs: bigint): string | null | 'racy' {
  const r = entry.summaries[i]!;
  const s = entry.stampsOf(i);
  if (s === undefined) return `${r.child} has no stamps`;
  // Plain concatenation: path.join's normalization is measurable at one call per distribution.
  const full = root + path.sep + r.child;
  const self = statOrNull(stat, full);
  if (self === null || !sameStamp(self, s.self)) return `${r.child} changed`;
  let racy = isRacy(s.self, scannedAtNs);
  // An absent entry_points.txt that appears changes its directory's stamp, checked just above
  // (or re-read, when racy): only a present one needs a stat of its own, for in-place edits.
  if (s.entryPoints !== undefined && s.entryPoints !== null) {
    const ep = statOrNull(stat, full + path.sep + 'entry_points.txt');
    if (ep === null) return `${r.child}/entry_points.txt was removed`;
    if (!sameStamp(ep, s.entryPoints)) return `${r.child}/entry_points.txt changed`;
    racy ||= isRacy(s.entryPoints, scannedAtNs);
  }
  if (s.metadata !== undefined) {
    const file = r.layout === 'dist-info' ? 'METADATA' : 'PKG-INFO';
    const md = statOrNull(stat, full + path.sep + file) ?? statOrNull(stat, full + path.sep + (file === 'METADATA' ? 'PKG-INFO' : 'METADATA'));
    if (md === null || !sameStamp(md, s.metadata)) return `${r.child} metadata changed`;
    racy ||= isRacy(s.metadata, scannedAtNs);
  }
  if (!racy) return null;
  // Same stamps, but too close to the scan to prove anything: read it again and compare.
  const again = scanCandidate(root, r.child, 'unknown', { stamps: true, stat });
  if (!('record' in again) || !sameRecordContent(entry.record(i), again.record)) return `${r.child} changed within the timestamp granularity of the scan`;
  return 'racy';
}

function sameRecordContent(a: DistRecord, b: DistRecord): boolean {
  return a.layout === b.layout && a.name === b.name && a.version === b.version && a.hasMetadata === b.hasMetadata &&
    JSON.stringify(a.entryPoints.map((e) => [e.group, e.name, e.value, e.line])) === JSON.stringify(b.entryPoints.map((e) => [e.group, e.name, e.value, e.line])) &&
    JSON.stringify(a.diagnostics) === JSON.stringify(b.diagnostics);
}
