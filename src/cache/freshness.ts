/**
 * Freshness: does a cache still describe its directory? Three levels (docs/spec.md §5.4 has the
 * table of which check catches which change, and what each costs):
 *
 * - `listing`: the directory's own stamp; when it changed (or is racy), the candidates are
 *   listed again and compared as a sequence, and each candidate's inode and ctime compared (a
 *   same-version reinstall recreates its directory).
 * - `stat` (default): `listing`, plus the stamps of what can change in place: every present
 *   entry_points.txt, and `*.egg-info` directories with their PKG-INFO (setuptools rewrites
 *   those in place).
 * - `full`: `stat`, plus every other file the scan read (METADATA), every candidate's full
 *   stamp, and candidates that gave no distribution are looked at again.
 *
 * Before any level, the engine has proved the cache is this directory's (same device and inode,
 * a header naming its real path). Racy stamps (within 2 s of the scan's start: a change in the
 * same timestamp tick cannot be told apart) are re-read instead of trusted.
 */
import { unitDigest, type CacheFile } from './format.js';
import type { Source } from './source.js';
import { isRacy, sameStampAt, STAMP_WIDTH, statPath, type StatResult } from './stamp.js';

export type Freshness = 'listing' | 'stat' | 'full';
export const FRESHNESS_LEVELS: readonly Freshness[] = ['listing', 'stat', 'full'];

export type FreshnessResult =
  | { readonly fresh: true; /** Verified, but stamps are outdated or racy: worth rewriting. */ readonly worthRewriting: boolean }
  | { readonly fresh: false; readonly reason: string };

/**
 * Whether the directory's own stamp proves the listing unchanged (no relisting needed). The
 * caller has already compared device, inode and real path.
 */
export function listingUnchanged(file: CacheFile, st: StatResult): boolean {
  const h = file.header;
  const e = h.entry;
  const s = st.stamp;
  // ctime too: an mtime set back with utimes (cp -p, rsync -t, tar) hides an install from the
  // mtime alone, and nothing but the clock sets a ctime.
  return s[2] === e[2] && s[3] === e[3] && s[4] === e[4] && s[5] === e[5] && (h.kind !== 'zip' || s[1] === e[1]) && !isRacy(e, 0, h.scanned);
}

export interface CheckInput {
  readonly dir: string;
  readonly file: CacheFile;
  readonly source: Source;
  readonly level: Freshness;
  /** The directory's stat, taken by the engine. */
  readonly stat: StatResult;
  /** Loads a section of `file` (throws CacheFormatError when it is damaged). */
  readonly need: (section: string) => void;
}

export function checkFreshness(input: CheckInput): FreshnessResult {
  const { file, source, level, need } = input;
  const root = input.dir === '' ? '.' : input.dir;
  let listingOk = listingUnchanged(file, input.stat);
  if (listingOk && source.listingSpansDirectories === true) {
    // The other directories of the listing (npm scopes) can change on their own.
    need('listing');
    const { dirs, dirStamps } = file.listing;
    for (let i = 0, at = 0; i < dirs.length && listingOk; i++, at += STAMP_WIDTH) {
      if (!sameStampAt(root + '/' + dirs[i]!, dirStamps, at) || isRacy(dirStamps, at, file.header.scanned)) listingOk = false;
    }
  }
  if (file.header.kind === 'zip') {
    if (listingOk) return { fresh: true, worthRewriting: false };
    // The stamp differs or is racy: only the content can tell.
    need('dists');
    return sameContent(file, source.scan(root, { stamps: false }).units) ? { fresh: true, worthRewriting: true } : { fresh: false, reason: 'the zip archive changed' };
  }
  let worthRewriting = false;
  if (!listingOk) need('listing');
  /** Paths whose stamps were racy (candidates, or files inside them): re-read below. */
  const racyChildren = new Set<string>();
  if (!listingOk) {
    const why = listingChanged(root, file, source, racyChildren);
    if (why !== null) return { fresh: false, reason: why };
    worthRewriting = true;
  }
  if (level !== 'listing') {
    const why = checkStamps(root, file, source, level, need, racyChildren);
    if (why !== null) return { fresh: false, reason: why };
  }
  if (racyChildren.size > 0) {
    // Same stamps, but too close to the scan to prove anything: read the candidates they
    // belong to again and compare.
    need('dists');
    const digests = new Map<string, number>();
    for (const d of file.dists) digests.set(d[0], d[7]);
    const candidates = new Set<string>();
    for (const p of racyChildren) candidates.add(candidateOf(p, digests));
    for (const child of candidates) {
      const again = source.rescan(root, child);
      const want = digests.get(child);
      if ((again === null) !== (want === undefined) || (again !== null && unitDigest(again) !== want)) return { fresh: false, reason: `${child} changed within the timestamp granularity of the scan` };
    }
    worthRewriting = true;
  }
  return { fresh: true, worthRewriting };
}

/** The `stat` and `full` levels' stamps. `null` when they all match; racy ones go into `racyChildren`. */
function checkStamps(root: string, file: CacheFile, source: Source, level: Freshness, need: (s: string) => void, racyChildren: Set<string>): string | null {
  need('checks');
  const lists = level === 'full' ? (need('full'), [file.checks, file.full]) : [file.checks];
  for (const list of lists) {
    const prefix = root + '/';
    const { paths, stamps } = list;
    for (let i = 0, at = 0; i < paths.length; i++, at += STAMP_WIDTH) {
      if (!sameStampAt(prefix + paths[i]!, stamps, at)) return `${paths[i]} changed`;
    }
    // Racy stamps (within 2 s of the scan) cannot prove anything: their candidates are re-read.
    const scanned = file.header.scanned;
    for (let i = 0, at = 0; i < paths.length; i++, at += STAMP_WIDTH) if (isRacy(stamps, at, scanned)) racyChildren.add(paths[i]!);
  }
  if (level === 'full') {
    need('listing');
    const listing = file.listing;
    for (let i = 0; i < listing.names.length; i++) {
      if (allZero(listing.stamps, i * STAMP_WIDTH)) continue;
      if (!sameStampAt(root + '/' + listing.names[i]!, listing.stamps, i * STAMP_WIDTH)) return `${listing.names[i]} changed`;
      if (isRacy(listing.stamps, i * STAMP_WIDTH, file.header.scanned)) racyChildren.add(listing.names[i]!);
    }
    // Candidates that gave no distribution (dangling links, loops) can start giving one
    // without any stamp above changing (a link's target appears): look again.
    need('dists');
    const known = new Set(file.dists.map((d) => d[0]));
    for (const child of listing.names) {
      if (!known.has(child) && source.rescan(root, child) !== null) return `${child} became readable`;
    }
  }
  return null;
}

/**
 * The listing check after the directory's stamp changed: the candidates again, as a sequence;
 * then each candidate's inode and ctime (a reinstall of the same version recreates its
 * directory under the same name). `null` when unchanged.
 */
function listingChanged(root: string, file: CacheFile, source: Source, racyChildren: Set<string>): string | null {
  let names: string[];
  try {
    names = source.listing(root);
  } catch (e) {
    return `the path entry cannot be listed (${(e as NodeJS.ErrnoException).code ?? 'error'})`;
  }
  const listing = file.listing;
  const diff = listingDiff(listing.names, names);
  if (diff !== null) return diff;
  for (let i = 0; i < names.length; i++) {
    const at = i * STAMP_WIDTH;
    if (allZero(listing.stamps, at)) continue;
    let st: StatResult | null;
    try {
      st = statPath(root + '/' + names[i]!);
    } catch {
      st = null;
    }
    const s = listing.stamps;
    if (st === null || st.stamp[0] !== s[at] || st.stamp[4] !== s[at + 4] || st.stamp[5] !== s[at + 5]) return `${names[i]} was replaced`;
    if (isRacy(s, at, file.header.scanned)) racyChildren.add(names[i]!);
  }
  for (let i = 0; i < listing.dirs.length; i++) {
    if (!sameStampAt(root + '/' + listing.dirs[i]!, listing.dirStamps, i * STAMP_WIDTH)) return `${listing.dirs[i]} changed`;
  }
  return null;
}

/** `null` when equal as sequences, else a short description of the difference. */
export function listingDiff(before: readonly string[], after: readonly string[]): string | null {
  if (before.length === after.length && before.every((n, i) => n === after[i])) return null;
  const a = new Set(before);
  const b = new Set(after);
  const added = after.filter((n) => !a.has(n));
  const removed = before.filter((n) => !b.has(n));
  if (added.length === 0 && removed.length === 0) return 'the listing order changed';
  const parts = [...added.slice(0, 3).map((n) => `+${n}`), ...removed.slice(0, 3).map((n) => `-${n}`)];
  const more = added.length + removed.length - parts.length;
  return `the listing changed: ${parts.join(' ')}${more > 0 ? ` and ${more} more` : ''}`;
}

function sameContent(file: CacheFile, units: readonly import('./source.js').Unit[]): boolean {
  const dists = file.dists;
  return units.length === dists.length && units.every((u, i) => dists[i]![0] === u.child && dists[i]![7] === unitDigest(u));
}

function allZero(a: readonly number[], at: number): boolean {
  for (let i = 0; i < STAMP_WIDTH; i++) if (a[at + i] !== 0) return false;
  return true;
}

/**
 * The candidate a watched path belongs to: the longest unit child it is or lies under
 * (`@scope/pkg/package.json` → `@scope/pkg`), else its first component (a candidate that gave
 * no unit).
 */
function candidateOf(p: string, children: ReadonlyMap<string, unknown>): string {
  if (children.has(p)) return p;
  for (let i = p.lastIndexOf('/'); i > 0; i = p.lastIndexOf('/', i - 1)) {
    const prefix = p.slice(0, i);
    if (children.has(prefix)) return prefix;
  }
  const slash = p.indexOf('/');
  return slash < 0 ? p : p.slice(0, slash);
}
