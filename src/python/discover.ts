/**
 * Discovery of distributions in ONE search-path entry: a directory (site-packages, an `.egg`
 * directory, a source checkout holding `*.egg-info`) or a zip archive (`python3X.zip`, a zipped
 * egg, a wheel). The result is a `PathEntryScan`: plain data that the cache stores as it is.
 *
 * Only the entries of the path entry itself are examined (never recursively), so symlink loops
 * can only surface as ELOOP on a single stat, which becomes a diagnostic.
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { diagnostic, type Diagnostic } from '../diagnostics.js';
import { normalizeName, type DistributionLayout } from '../entry-point.js';
import type { DistSummary } from '../entry-view.js';
import { errnoCode } from '../errors.js';
import { parseEntryPointsTxt, type EntryPointLine } from '../format/entry-points-txt.js';
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
export const bigStat: StatFn = (p) => fs.statSync(p, { bigint: true, throwIfNoEntry: false });

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
    st = options.stamps ? stat(root) ?? enoent() : fs.statSync(root);
  } catch (e) {
    const code = errCode(e);
    if (code === 'ENOENT' || code === 'ENOTDIR') return emptyScan(pathEntry, 'missing', []);
    if (code === 'ELOOP') return emptyScan(pathEntry, 'unsearchable', [diagnostic('EP204', 'path entry is a symbolic link loop', { file: '' })]);
    return emptyScan(pathEntry, 'unsearchable', [diagnostic('EP203', `path entry cannot be read (${code})`, { file: '' })]);
  }
  const stamp = options.stamps ? stampOf(st as fs.BigIntStats) : undefined;
  if (st.isDirectory()) return scanDirectory(pathEntry, root, stamp, options);
  if (st.isFile()) return scanZip(pathEntry, root, stamp);
  return emptyScan(pathEntry, 'unsearchable', [], stamp);
}

function emptyScan(pathEntry: string, kind: PathEntryKind, diagnostics: Diagnostic[], stamp?: Stamp): PathEntryScan {
  return stamp === undefined ? { pathEntry, kind, dists: [], diagnostics, listing: [] } : { pathEntry, kind, dists: [], diagnostics, listing: [], stamp };
}

/** The sorted candidate names of a directory path entry; throws the readdir error. */
export function listCandidates(root: string, isEgg: boolean): fs.Dirent[] {
  const out: fs.Dirent[] = [];
  for (const d of fs.readdirSync(root, { withFileTypes: true })) {
    if (candidateLayout(d.name, isEgg) !== null) out.push(d);
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function scanDirectory(pathEntry: string, root: string, stamp: Stamp | undefined, options: ScanOptions): PathEntryScan {
  const isEgg = entryIsEgg(root);
  let dirents: fs.Dirent[];
  try {
    dirents = listCandidates(root, isEgg);
  } catch (e) {
    return emptyScan(pathEntry, 'unsearchable', [diagnostic('EP203', `path entry cannot be listed (${errCode(e)})`, { file: '' })], stamp);
  }
  const diagnostics: Diagnostic[] = [];
  const records: DistRecord[] = [];
  for (const d of dirents) {
    const type = d.isDirectory() ? 'dir' : d.isFile() ? 'file' : 'unknown';
    const r = scanCandidate(root, d.name, type, options);
    if ('record' in r) records.push(r.record);
    if (r.diagnostics.length > 0) diagnostics.push(...r.diagnostics);
  }
  const scan: PathEntryScan = { pathEntry, kind: 'directory', dists: sortRecords(records), diagnostics, listing: dirents.map((d) => d.name) };
  return stamp === undefined ? scan : { ...scan, stamp };
}

type CandidateResult = { record: DistRecord; diagnostics: Diagnostic[] } | { diagnostics: Diagnostic[] };

/**
 * Scan one candidate child of a directory path entry. `type` is what readdir said
 * ('unknown' for symlinks and filesystems without d_type). Path-level diagnostics (loops,
 * unreadable) are returned with absolute files; record diagnostics are relative.
 */
export function scanCandidate(root: string, child: string, type: 'dir' | 'file' | 'unknown', options: ScanOptions = {}): CandidateResult {
  const full = path.join(root, child);
  const layout0 = candidateLayout(child, entryIsEgg(root));
  if (layout0 === null) return { diagnostics: [] };
  const stat = options.stat ?? bigStat;
  let selfStat: fs.BigIntStats | undefined;
  if (type === 'unknown' || options.stamps) {
    try {
      selfStat = stat(full) ?? enoent();
    } catch (e) {
      const code = errCode(e);
      if (code === 'ELOOP') return { diagnostics: [diagnostic('EP204', 'symbolic link loop; ignored', { file: child })] };
      if (code === 'ENOENT') return { diagnostics: [diagnostic('EP203', 'dangling symbolic link; ignored', { file: child })] };
      return { diagnostics: [diagnostic('EP203', `cannot be read (${code}); ignored`, { file: child })] };
    }
    type = selfStat.isDirectory() ? 'dir' : selfStat.isFile() ? 'file' : 'unknown';
  }
  if (type === 'unknown') return { diagnostics: [] };
  if (type === 'file' && layout0 !== 'egg-info') {
    return { diagnostics: [diagnostic('EP209', 'is a file, not a directory; ignored', { file: child })] };
  }
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
      const s = fs.statSync(p, { throwIfNoEntry: false });
      if (s?.isFile()) {
        metadataFile = p;
        break;
      }
    }
  }
  const hasMetadata = metadataFile !== null;
  if (metadataFile !== null && (version === null || name === '' || layout === 'egg')) {
    try {
      const fd = fs.openSync(metadataFile, 'r');
      try {
        if (options.stamps && layout !== 'egg-info-file') stamps.metadata = stampOf(fstamp(fd, metadataFile, options.stat));
        const md = readCoreMetadata(fs.readFileSync(fd, 'utf8'));
        if (layout === 'egg' && md.name !== null) name = md.name;
        if (name === '' && md.name !== null) name = md.name;
        if (version === null) version = md.version;
      } finally {
        fs.closeSync(fd);
      }
    } catch (e) {
      diagnostics.push(diagnostic('EP203', `metadata cannot be read (${errCode(e)})`, { file: path.join(child, path.basename(metadataFile)) }));
    }
  }
  if (name === '') {
    return { diagnostics: [diagnostic('EP208', 'no distribution name in the directory name or the metadata; ignored', { file: child })] };
  }

  let entryPoints: EntryPointLine[] = [];
  if (layout !== 'egg-info-file') {
    const rel = path.join(child, 'entry_points.txt');
    const read = readEntryPointsFile(path.join(full, 'entry_points.txt'), options.stamps === true, options.stat);
    if (options.stamps) stamps.entryPoints = read.stamp;
    if (read.bytes !== null) {
      const parsed = parseEntryPointsTxt(read.bytes, { file: rel });
      entryPoints = parsed.entries;
      diagnostics.push(...parsed.diagnostics);
    } else if (read.problem !== null) {
      diagnostics.push(read.problem === 'not a regular file'
        ? diagnostic('EP112', 'entry_points.txt is not a regular file; ignored', { file: rel })
        : diagnostic('EP111', `entry_points.txt cannot be read (${read.problem}); no entry points are read from it`, { file: rel }));
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

interface EntryPointsRead {
  readonly bytes: Uint8Array | null;
  readonly stamp: Stamp | null;
  /** `null` when the file is simply absent (no diagnostic). */
  readonly problem: string | null;
}

/**
 * The stamp of an open file: fstat, so that stamp and content come from the same file; through
 * the `stat` hook instead when one is given (a simulated filesystem must see every stamp).
 */
function fstamp(fd: number, file: string, stat: StatFn | undefined): fs.BigIntStats {
  return (stat === undefined ? undefined : stat(file)) ?? fs.fstatSync(fd, { bigint: true });
}

function readEntryPointsFile(file: string, stamps: boolean, stat?: StatFn): EntryPointsRead {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (e) {
    const code = errCode(e);
    if (code === 'ENOENT' || code === 'ENOTDIR') return { bytes: null, stamp: null, problem: null };
    return { bytes: null, stamp: null, problem: code };
  }
  try {
    const st = stamps ? fstamp(fd, file, stat) : fs.fstatSync(fd, { bigint: true });
    const stamp = stamps ? stampOf(st) : null;
    if (!st.isFile()) return { bytes: null, stamp, problem: 'not a regular file' };
    return { bytes: fs.readFileSync(fd), stamp, problem: null };
  } catch (e) {
    return { bytes: null, stamp: null, problem: errCode(e) };
  } finally {
    fs.closeSync(fd);
  }
}

// ---------------------------------------------------------------------------------------------
// Zip archives on the search path

type Fflate = typeof import('fflate');
let fflate: Fflate | undefined;
const loadFflate = (): Fflate => (fflate ??= createRequire(import.meta.url)('fflate') as Fflate);

function scanZip(pathEntry: string, root: string, stamp: Stamp | undefined): PathEntryScan {
  const isEgg = entryIsEgg(root);
  const names: string[] = [];
  let files: Record<string, Uint8Array>;
  let data: Buffer;
  try {
    data = fs.readFileSync(root);
  } catch (e) {
    return emptyScan(pathEntry, 'unsearchable', [diagnostic('EP203', `path entry cannot be read (${errCode(e)})`, { file: '' })], stamp);
  }
  // Not a zip (no local-file or end-of-central-directory signature): silently not searchable, like importlib.
  if (data.length < 22 || data.readUInt32LE(0) !== 0x04034b50 && data.lastIndexOf(Buffer.from('PK\x05\x06', 'latin1')) < 0) {
    return emptyScan(pathEntry, 'unsearchable', [], stamp);
  }
  const wanted = (n: string): boolean => {
    const slash = n.indexOf('/');
    const top = slash < 0 ? n : n.slice(0, slash);
    if (candidateLayout(top, isEgg) === null) return false;
    const rest = slash < 0 ? '' : n.slice(slash + 1);
    return rest === '' || rest === 'entry_points.txt' || rest === 'METADATA' || rest === 'PKG-INFO';
  };
  try {
    files = loadFflate().unzipSync(data, {
      filter: (f) => {
        names.push(f.name);
        return wanted(f.name) && !f.name.endsWith('/');
      },
    });
  } catch (e) {
    return emptyScan(pathEntry, 'unsearchable', [diagnostic('EP205', `zip archive cannot be read: ${(e as Error).message}`, { file: '' })], stamp);
  }
  const tops = new Map<string, boolean /* isDir */>();
  for (const n of names) {
    const slash = n.indexOf('/');
    const top = slash < 0 ? n : n.slice(0, slash);
    if (candidateLayout(top, isEgg) === null) continue;
    tops.set(top, (tops.get(top) ?? false) || slash >= 0);
  }
  const decoder = new TextDecoder();
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
    const mdBytes = isDir ? (files[`${child}/${layout === 'dist-info' ? 'METADATA' : 'PKG-INFO'}`] ?? files[`${child}/${layout === 'dist-info' ? 'PKG-INFO' : 'METADATA'}`]) : files[child];
    if (mdBytes !== undefined && (version === null || name === '' || layout === 'egg')) {
      const md = readCoreMetadata(decoder.decode(mdBytes));
      if ((layout === 'egg' || name === '') && md.name !== null) name = md.name;
      if (version === null) version = md.version;
    }
    if (name === '') {
      diagnostics.push(diagnostic('EP208', 'no distribution name in the directory name or the metadata; ignored', { file: child }));
      continue;
    }
    const recordDiagnostics: Diagnostic[] = [];
    let entryPoints: EntryPointLine[] = [];
    const ep = isDir ? files[`${child}/entry_points.txt`] : undefined;
    if (ep !== undefined) {
      const parsed = parseEntryPointsTxt(ep, { file: `${child}/entry_points.txt` });
      entryPoints = parsed.entries;
      recordDiagnostics.push(...parsed.diagnostics);
    }
    if (mdBytes === undefined) recordDiagnostics.push(diagnostic('EP202', 'no METADATA or PKG-INFO: a leftover metadata directory', { file: child }));
    records.push({ child, layout, name, normalizedName: normalizeName(name), version, hasMetadata: mdBytes !== undefined, entryPoints, diagnostics: recordDiagnostics });
  }
  const scan: PathEntryScan = { pathEntry, kind: 'zip', dists: sortRecords(records), diagnostics, listing };
  return stamp === undefined ? scan : { ...scan, stamp };
}
