/**
 * Discovery of distributions in ONE search-path entry: a directory (site-packages, an `.egg`
 * directory, a source checkout holding `*.egg-info`) or a zip archive (`python3X.zip`, a zipped
 * egg, a wheel). The result is a `PathEntryScan`: plain data that the cache stores as it is.
 *
 * Only the entries of the path entry itself are examined (never recursively), so symlink loops
 * can only surface as ELOOP on a single stat, which becomes a diagnostic.
 *
 * Hostile directories: every file is read through `readSmallFile` (never blocks on a FIFO,
 * reads regular files only, at most `LIMITS.fileBytes`), zips through `openZip` (bounded, CRC
 * checked), names are `os.fsdecode`d bytes (src/fsnames.ts) and every path handed to `fs` goes
 * through `fsPath`; whatever the filesystem answers becomes a diagnostic of the candidate it
 * concerns, never an exception, so the other distributions keep their entry points.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { diagnostic, type Diagnostic } from '../diagnostics.js';
import { normalizeName, type DistributionLayout } from '../entry-point.js';
import type { DistSummary } from '../entry-view.js';
import { errnoCode } from '../errors.js';
import { parseEntryPointsTxt, type EntryPointLine } from '../format/entry-points-txt.js';
import { fsPath, readdirEntries, type DirEntry } from '../fsnames.js';
import { errnoText, fileKind, readSmallFile, type SmallFile } from '../fsutil.js';
import { isZipError, openZip, type ZipArchive, type ZipEntry } from '../zip.js';
import { readCoreMetadata } from './metadata.js';
import { compareVersionsDescending } from './versions.js';

/** What freshness needs of one file or directory; bigints as decimal strings (JSON-safe). */
export interface Stamp {
  readonly ino: string;
  readonly size: string;
  readonly mtimeNs: string;
  readonly ctimeNs: string;
}

export interface DistStamps {
  /** The metadata directory (or the egg-info file). */
  readonly self: Stamp;
  /** entry_points.txt; `null` when absent. Only for directory layouts. */
  readonly entryPoints?: Stamp | null;
  /** METADATA / PKG-INFO, only when its content (name or version) was used. */
  readonly metadata?: Stamp;
}


/** One candidate distribution found in a path entry: what resolution needs, its entry points and diagnostics. */
export interface DistRecord extends DistSummary {
  readonly entryPoints: readonly EntryPointLine[];
  readonly diagnostics: readonly Diagnostic[];
  readonly stamps?: DistStamps;
}

export type PathEntryKind = 'directory' | 'zip' | 'missing' | 'unsearchable';

/**
 * Everything discovery found in one path entry. Every `file` in it (diagnostics included) is
 * relative to the path entry, `''` being the entry itself, so a scan does not depend on where
 * the entry is mounted or how it was spelled; `resolve` makes them absolute.
 */
export interface PathEntryScan {
  readonly pathEntry: string;
  readonly kind: PathEntryKind;
  /** Sorted by normalized name, then by preference (see `comparePreference`). */
  readonly dists: readonly DistRecord[];
  /** About the path entry itself and its children (unreadable, loop, bad zip). */
  readonly diagnostics: readonly Diagnostic[];
  /** The candidate names, sorted: what the "listing" freshness level compares. */
  readonly listing: readonly string[];
  readonly stamp?: Stamp;
}

/** A stat that follows symlinks; `undefined` (or an ENOENT error) when the path does not exist. */
export type StatFn = (p: string) => fs.BigIntStats | undefined;

export interface ScanOptions {
  /** Record stamps for freshness checks (cache building). */
  readonly stamps?: boolean;
  /** The stat used for stamps (tests inject coarse-mtime filesystems). */
  readonly stat?: StatFn;
}

// throwIfNoEntry: an exception per absent file costs ten times the stat itself.
export const bigStat: StatFn = (p) => fs.statSync(fsPath(p), { bigint: true, throwIfNoEntry: false });

const enoent = (): never => {
  throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
};

export function stampOf(st: fs.BigIntStats): Stamp {
  return { ino: String(st.ino), size: String(st.size), mtimeNs: String(st.mtimeNs), ctimeNs: String(st.ctimeNs) };
}

const errCode = errnoCode;

/** Classify a child of a path entry the way importlib.metadata's `Lookup` does (case-insensitive suffix). */
export function candidateLayout(child: string, entryIsEgg: boolean): 'dist-info' | 'egg-info' | 'egg' | null {
  const low = child.toLowerCase();
  if (low.endsWith('.dist-info')) return 'dist-info';
  if (low.endsWith('.egg-info')) return 'egg-info';
  if (entryIsEgg && low === 'egg-info') return 'egg';
  return null;
}

export function entryIsEgg(pathEntry: string): boolean {
  return path.basename(pathEntry).toLowerCase().endsWith('.egg');
}

/** Name and version from a stem: the text before the first `-`, and the text after it up to the next `-`. */
export function splitStem(stem: string): { name: string; version: string | null } {
  const dash = stem.indexOf('-');
  if (dash < 0) return { name: stem, version: null };
  const rest = stem.slice(dash + 1);
  const next = rest.indexOf('-');
  const version = next < 0 ? rest : rest.slice(0, next);
  return { name: stem.slice(0, dash), version: version === '' ? null : version };
}

const LAYOUT_RANK: Record<DistributionLayout, number> = { 'dist-info': 0, 'egg-info': 1, egg: 2, 'egg-info-file': 3 };

/**
 * Preference among candidates of one normalized name within one path entry: a real
 * distribution (with METADATA/PKG-INFO) before a metadata-less leftover; then the highest
 * PEP 440 version; then dist-info before egg-info before egg before egg-info file; then by
 * child name (code units). Returns <0 when `a` is preferred.
 */
export function comparePreference(a: DistRecord, b: DistRecord): number {
  if (a.hasMetadata !== b.hasMetadata) return a.hasMetadata ? -1 : 1;
  const v = a.version === b.version ? 0 : compareVersionsDescending(a.version, b.version);
  if (v !== 0) return v;
  const l = LAYOUT_RANK[a.layout] - LAYOUT_RANK[b.layout];
  if (l !== 0) return l;
  return a.child < b.child ? -1 : a.child > b.child ? 1 : 0;
}

export function sortRecords(records: DistRecord[]): DistRecord[] {
  return records.sort((a, b) => (a.normalizedName < b.normalizedName ? -1 : a.normalizedName > b.normalizedName ? 1 : comparePreference(a, b)));
}

/** Scan one search-path entry. Never throws for anything the filesystem does. */
export function scanPathEntry(pathEntry: string, options: ScanOptions = {}): PathEntryScan {
  const root = pathEntry === '' ? '.' : pathEntry;
  const stat = options.stat ?? bigStat;
  let st: fs.BigIntStats | fs.Stats;
  try {
    st = options.stamps ? stat(root) ?? enoent() : fs.statSync(fsPath(root));
  } catch (e) {
    const code = errCode(e);
    if (code === 'ENOENT' || code === 'ENOTDIR') return emptyScan(pathEntry, 'missing', []);
    if (code === 'ELOOP') return emptyScan(pathEntry, 'unsearchable', [diagnostic('EP204', 'path entry is a symbolic link loop', { file: '' })]);
    return emptyScan(pathEntry, 'unsearchable', [diagnostic('EP203', `path entry cannot be read (${errnoText(e)})`, { file: '' })]);
  }
  const stamp = options.stamps ? stampOf(st as fs.BigIntStats) : undefined;
  if (st.isDirectory()) return scanDirectory(pathEntry, root, stamp, options);
  if (st.isFile()) return scanZip(pathEntry, root, stamp);
  return emptyScan(pathEntry, 'unsearchable', [], stamp);
}

function emptyScan(pathEntry: string, kind: PathEntryKind, diagnostics: Diagnostic[], stamp?: Stamp): PathEntryScan {
  return stamp === undefined ? { pathEntry, kind, dists: [], diagnostics, listing: [] } : { pathEntry, kind, dists: [], diagnostics, listing: [], stamp };
}

/**
 * The candidates of a directory path entry, sorted by name: `name` is the `os.fsdecode`d file
 * name (what Python shows), `type` what readdir said. Throws the readdir error.
 */
export function listCandidates(root: string, isEgg: boolean): DirEntry[] {
  const out: DirEntry[] = [];
  for (const d of readdirEntries(root)) {
    if (candidateLayout(d.name, isEgg) !== null) out.push(d);
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function scanDirectory(pathEntry: string, root: string, stamp: Stamp | undefined, options: ScanOptions): PathEntryScan {
  const isEgg = entryIsEgg(root);
  let dirents: DirEntry[];
  try {
    dirents = listCandidates(root, isEgg);
  } catch (e) {
    return emptyScan(pathEntry, 'unsearchable', [diagnostic('EP203', `path entry cannot be listed (${errnoText(e)})`, { file: '' })], stamp);
  }
  const diagnostics: Diagnostic[] = [];
  const records: DistRecord[] = [];
  for (const d of dirents) {
    const r = scanCandidate(root, d.name, d.type, options);
    if ('record' in r) records.push(r.record);
    if (r.diagnostics.length > 0) diagnostics.push(...r.diagnostics);
  }
  const scan: PathEntryScan = { pathEntry, kind: 'directory', dists: sortRecords(records), diagnostics, listing: dirents.map((d) => d.name) };
  return stamp === undefined ? scan : { ...scan, stamp };
}

type CandidateResult = { record: DistRecord; diagnostics: Diagnostic[] } | { diagnostics: Diagnostic[] };

/** What a stat of a name inside a candidate says, without throwing. */
type Probe = { readonly kind: 'file' | 'absent' } | { readonly kind: 'other'; readonly what: string } | { readonly kind: 'error'; readonly code: string; readonly text: string };

function probe(p: string): Probe {
  try {
    const st = fs.statSync(fsPath(p), { throwIfNoEntry: false });
    if (st === undefined) return { kind: 'absent' };
    return st.isFile() ? { kind: 'file' } : { kind: 'other', what: fileKind(st) };
  } catch (e) {
    // ENOTDIR: the candidate stopped being a directory under us; nothing is there.
    return errCode(e) === 'ENOTDIR' ? { kind: 'absent' } : { kind: 'error', code: errCode(e), text: errnoText(e) };
  }
}

/** The stamp of a file read (or refused) through `readSmallFile`: the fstat, or the `stat` hook's answer when one is given. */
function readStamp(file: string, r: SmallFile, stat: StatFn | undefined): Stamp | null {
  let st: fs.BigIntStats | undefined = 'stat' in r ? r.stat : undefined;
  // Unreadable but there: its stamp still shows a chmod that makes it readable.
  if (st === undefined && !r.ok && r.problem === 'error') st = statQuiet(file);
  if (st === undefined) return null;
  return stampOf((stat === undefined ? undefined : statQuiet(file, stat)) ?? st);
}

function statQuiet(file: string, stat: StatFn = bigStat): fs.BigIntStats | undefined {
  try {
    return stat(file);
  } catch {
    return undefined;
  }
}

/**
 * Scan one candidate child of a directory path entry. `type` is what readdir said
 * ('unknown' for symlinks, special files and filesystems without d_type). Candidate-level
 * diagnostics (loops, unreadable, special files) come back without a record; the record's own
 * diagnostics are in the record. Files are relative to the path entry.
 */
export function scanCandidate(root: string, child: string, type: 'dir' | 'file' | 'unknown', options: ScanOptions = {}): CandidateResult {
  const full = path.join(root, child);
  const layout0 = candidateLayout(child, entryIsEgg(root));
  if (layout0 === null) return { diagnostics: [] };
  const stat = options.stat ?? bigStat;
  const ignored = (d: Diagnostic): CandidateResult => ({ diagnostics: [d] });
  let selfStat: fs.BigIntStats | undefined;
  if (type === 'unknown' || options.stamps) {
    try {
      selfStat = stat(full) ?? enoent();
    } catch (e) {
      const code = errCode(e);
      if (code === 'ELOOP') return ignored(diagnostic('EP204', 'symbolic link loop; ignored', { file: child }));
      if (code === 'ENOENT') return ignored(diagnostic('EP203', 'dangling symbolic link; ignored', { file: child }));
      return ignored(diagnostic('EP203', `cannot be read (${errnoText(e)}); ignored`, { file: child }));
    }
    type = selfStat.isDirectory() ? 'dir' : selfStat.isFile() ? 'file' : 'unknown';
    if (type === 'unknown') return ignored(diagnostic('EP214', `is ${fileKind(selfStat)}, not a directory or a file; ignored`, { file: child }));
  }
  if (type === 'file' && layout0 !== 'egg-info') return ignored(diagnostic('EP209', 'is a file, not a directory; ignored', { file: child }));
  const layout: DistributionLayout = type === 'file' ? 'egg-info-file' : layout0;
  const stem = layout === 'egg' ? path.basename(root).slice(0, -'.egg'.length) : child.slice(0, child.lastIndexOf('.'));
  let { name, version } = splitStem(stem);
  const diagnostics: Diagnostic[] = [];
  const stamps: { self?: Stamp; entryPoints?: Stamp | null; metadata?: Stamp } = {};
  if (options.stamps && selfStat) stamps.self = stampOf(selfStat);

  // METADATA / PKG-INFO: existence always; content only when the stem lacks a name or version
  // (importlib takes an egg's name from PKG-INFO, so eggs always read it).
  let metadataFile: string | null = null;
  if (layout === 'egg-info-file') {
    metadataFile = full;
  } else {
    for (const f of layout === 'dist-info' ? ['METADATA', 'PKG-INFO'] : ['PKG-INFO', 'METADATA']) {
      const p = path.join(full, f);
      const found = probe(p);
      if (found.kind === 'file') {
        metadataFile = p;
        break;
      }
      if (found.kind === 'other') {
        diagnostics.push(diagnostic('EP210', `${f} is ${found.what}, not a regular file; ignored`, { file: path.join(child, f) }));
      } else if (found.kind === 'error') {
        if (found.code === 'ELOOP') diagnostics.push(diagnostic('EP204', `${f} is a symbolic link loop; ignored`, { file: path.join(child, f) }));
        // EACCES/EPERM (a 0000 or 0400 directory) and the like: nothing in it can be examined.
        else return ignored(diagnostic('EP203', `cannot be read (${found.text}); ignored`, { file: child }));
      }
    }
  }
  const hasMetadata = metadataFile !== null;
  if (metadataFile !== null && (version === null || name === '' || layout === 'egg')) {
    const rel = layout === 'egg-info-file' ? child : path.join(child, path.basename(metadataFile));
    const read = readSmallFile(metadataFile);
    if (options.stamps && layout !== 'egg-info-file') {
      const st = readStamp(metadataFile, read, options.stat);
      if (st !== null) stamps.metadata = st;
    }
    if (read.ok) {
      const md = readCoreMetadata(read.bytes, { file: rel });
      diagnostics.push(...md.diagnostics);
      if (layout === 'egg' && md.name !== null) name = md.name;
      if (name === '' && md.name !== null) name = md.name;
      if (version === null) version = md.version;
    } else {
      diagnostics.push(metadataProblem(read, rel));
    }
  }
  if (name === '') {
    return ignored(diagnostic('EP208', 'no distribution name in the directory name or the metadata; ignored', { file: child }));
  }

  let entryPoints: EntryPointLine[] = [];
  if (layout !== 'egg-info-file') {
    const rel = path.join(child, 'entry_points.txt');
    const file = path.join(full, 'entry_points.txt');
    const read = readSmallFile(file);
    if (options.stamps) stamps.entryPoints = read.ok || read.problem !== 'absent' ? readStamp(file, read, options.stat) : null;
    if (read.ok) {
      const parsed = parseEntryPointsTxt(read.bytes, { file: rel });
      entryPoints = parsed.entries;
      diagnostics.push(...parsed.diagnostics);
    } else if (read.problem !== 'absent') {
      diagnostics.push(entryPointsProblem(read, rel));
    }
  }
  if (!hasMetadata) {
    diagnostics.push(diagnostic('EP202', 'no METADATA or PKG-INFO: a leftover metadata directory', { file: child }));
  }
  const record: DistRecord = {
    child,
    layout,
    name,
    normalizedName: normalizeName(name),
    version,
    hasMetadata,
    entryPoints,
    diagnostics,
    ...(options.stamps ? { stamps: stamps as DistStamps } : {}),
  };
  return { record, diagnostics: [] };
}

type Refused = Exclude<SmallFile, { ok: true }>;

function entryPointsProblem(r: Refused, file: string): Diagnostic {
  switch (r.problem) {
    case 'not-regular':
      return diagnostic('EP112', `entry_points.txt is ${r.what}, not a regular file; ignored`, { file });
    case 'too-large':
      return diagnostic('EP113', `entry_points.txt has ${r.size} bytes, over the limit of ${r.limit}; no entry points are read from it`, { file });
    case 'absent':
      return diagnostic('EP111', 'entry_points.txt disappeared while it was read; no entry points are read from it', { file });
    case 'error':
      return diagnostic('EP111', `entry_points.txt cannot be read (${r.text}); no entry points are read from it`, { file });
  }
}

function metadataProblem(r: Refused, file: string): Diagnostic {
  const base = path.basename(file);
  switch (r.problem) {
    case 'not-regular':
      return diagnostic('EP210', `${base} is ${r.what}, not a regular file; its Name and Version are not read`, { file });
    case 'too-large':
      return diagnostic('EP213', `${base} has ${r.size} bytes, over the limit of ${r.limit}; its Name and Version are not read`, { file });
    case 'absent':
      return diagnostic('EP203', `${base} disappeared while it was read`, { file });
    case 'error':
      return diagnostic('EP203', `metadata cannot be read (${r.text})`, { file });
  }
}

// ---------------------------------------------------------------------------------------------
// Zip archives on the search path

function scanZip(pathEntry: string, root: string, stamp: Stamp | undefined): PathEntryScan {
  let zip: ZipArchive;
  try {
    zip = openZip(root);
  } catch (e) {
    return emptyScan(pathEntry, 'unsearchable', zipOpenProblem(e), stamp);
  }
  try {
    return scanZipArchive(pathEntry, root, zip, stamp);
  } finally {
    zip.close();
  }
}

function zipOpenProblem(e: unknown): Diagnostic[] {
  const file = '';
  if (!isZipError(e)) return [diagnostic('EP205', `zip archive cannot be read: ${(e as Error).message}`, { file })];
  switch (e.code) {
    case 'NOT_ZIP':
      // A plain file on the path contributes nothing, silently, as in importlib.
      return [];
    case 'IO':
      return [diagnostic('EP203', `path entry ${e.message}`, { file })];
    case 'TOO_LARGE':
      return [diagnostic('EP216', `zip archive not searched: ${e.message}`, { file })];
    default:
      return [diagnostic('EP205', `zip archive cannot be read: ${e.message}`, { file })];
  }
}

type MemberRead = { readonly bytes: Uint8Array } | { readonly error: unknown };

function readMember(zip: ZipArchive, entry: ZipEntry): MemberRead {
  try {
    return { bytes: zip.read(entry) };
  } catch (e) {
    return { error: e };
  }
}

/** The diagnostic for a member that could not be read: integrity (EP215), a limit, or otherwise unreadable. */
function memberProblem(e: unknown, file: string, what: 'entry_points.txt' | 'metadata'): Diagnostic {
  const lost = what === 'entry_points.txt' ? 'no entry points are read from it' : 'its Name and Version are not read';
  if (!isZipError(e)) return diagnostic('EP205', `cannot be read from the zip archive: ${(e as Error).message}; ${lost}`, { file });
  switch (e.code) {
    case 'CRC_MISMATCH':
    case 'CORRUPT':
      return diagnostic('EP215', `zip integrity: ${e.message}; ${lost}`, { file });
    case 'TOO_LARGE':
      if (e.limit === 'maxTotalBytes') return diagnostic('EP216', `${e.message}; ${lost}`, { file });
      return what === 'entry_points.txt' ? diagnostic('EP113', `${e.message}; ${lost}`, { file }) : diagnostic('EP213', `${e.message}; ${lost}`, { file });
    case 'IO':
    case 'NOT_ZIP':
      return what === 'entry_points.txt' ? diagnostic('EP111', `entry_points.txt cannot be read (${e.message}); ${lost}`, { file }) : diagnostic('EP203', `metadata cannot be read (${e.message})`, { file });
    case 'UNSUPPORTED':
      return diagnostic('EP205', `cannot be read from the zip archive: ${e.message}; ${lost}`, { file });
  }
}

function scanZipArchive(pathEntry: string, root: string, zip: ZipArchive, stamp: Stamp | undefined): PathEntryScan {
  const isEgg = entryIsEgg(root);
  // Top-level names, as importlib's FastPath.zip_children sees them: a name with a `/` implies a directory.
  const tops = new Map<string, boolean /* isDir */>();
  for (const { name: n } of zip.entries) {
    const slash = n.indexOf('/');
    const top = slash < 0 ? n : n.slice(0, slash);
    if (candidateLayout(top, isEgg) === null) continue;
    tops.set(top, (tops.get(top) ?? false) || slash >= 0);
  }
  const member = (name: string): ZipEntry | undefined => {
    const e = zip.get(name);
    return e === undefined || e.isDirectory ? undefined : e;
  };
  const records: DistRecord[] = [];
  const diagnostics: Diagnostic[] = [];
  const listing = [...tops.keys()].sort();
  for (const child of listing) {
    const isDir = tops.get(child)!;
    const layout0 = candidateLayout(child, isEgg)!;
    if (!isDir && layout0 !== 'egg-info') {
      diagnostics.push(diagnostic('EP209', 'is a file, not a directory; ignored', { file: child }));
      continue;
    }
    const layout: DistributionLayout = isDir ? layout0 : 'egg-info-file';
    const stem = layout === 'egg' ? path.basename(root).slice(0, -'.egg'.length) : child.slice(0, child.lastIndexOf('.'));
    let { name, version } = splitStem(stem);
    const recordDiagnostics: Diagnostic[] = [];
    const [first, second] = layout === 'dist-info' ? ['METADATA', 'PKG-INFO'] : ['PKG-INFO', 'METADATA'];
    const mdEntry = isDir ? member(`${child}/${first}`) ?? member(`${child}/${second}`) : member(child);
    if (mdEntry !== undefined && (version === null || name === '' || layout === 'egg')) {
      const read = readMember(zip, mdEntry);
      if ('bytes' in read) {
        const md = readCoreMetadata(read.bytes, { file: mdEntry.name });
        recordDiagnostics.push(...md.diagnostics);
        if ((layout === 'egg' || name === '') && md.name !== null) name = md.name;
        if (version === null) version = md.version;
      } else {
        recordDiagnostics.push(memberProblem(read.error, mdEntry.name, 'metadata'));
      }
    }
    if (name === '') {
      diagnostics.push(diagnostic('EP208', 'no distribution name in the directory name or the metadata; ignored', { file: child }));
      continue;
    }
    let entryPoints: EntryPointLine[] = [];
    if (isDir) {
      const file = `${child}/entry_points.txt`;
      const ep = member(file);
      if (ep !== undefined) {
        const read = readMember(zip, ep);
        if ('bytes' in read) {
          const parsed = parseEntryPointsTxt(read.bytes, { file });
          entryPoints = parsed.entries;
          recordDiagnostics.push(...parsed.diagnostics);
        } else {
          recordDiagnostics.push(memberProblem(read.error, file, 'entry_points.txt'));
        }
      } else if (zip.get(`${file}/`) !== undefined) {
        recordDiagnostics.push(diagnostic('EP112', 'entry_points.txt is a directory, not a regular file; ignored', { file }));
      }
    }
    if (mdEntry === undefined) recordDiagnostics.push(diagnostic('EP202', 'no METADATA or PKG-INFO: a leftover metadata directory', { file: child }));
    records.push({ child, layout, name, normalizedName: normalizeName(name), version, hasMetadata: mdEntry !== undefined, entryPoints, diagnostics: recordDiagnostics });
  }
  const scan: PathEntryScan = { pathEntry, kind: 'zip', dists: sortRecords(records), diagnostics, listing };
  return stamp === undefined ? scan : { ...scan, stamp };
}
