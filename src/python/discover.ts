/**
 * Discovery of distributions in ONE search-path entry: a directory (site-packages, an `.egg`
 * directory, a source checkout holding `*.egg-info`) or a zip archive (`python3X.zip`, a zipped
 * egg, a wheel). The result is a `DirectoryScan` (src/cache/source.ts): plain data that the
 * cache engine stores as it is. This module is the Python *source*'s scanner.
 *
 * Only the entries of the path entry itself are examined (never recursively), so symlink loops
 * can only surface as ELOOP on a single stat, which becomes a diagnostic.
 *
 * Order: units come in importlib's in-directory order — by the position in the directory
 * listing (not sorted) of the first candidate of each normalized name — and within one name by
 * epindex's preference (`comparePreference`); the first of a name is its winner.
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { diagnostic, type Diagnostic } from '../diagnostics.js';
import { normalizeName, parseObjectReference, type DistributionLayout } from '../entry-point.js';
import { errnoCode } from '../errors.js';
import { parseEntryPointsTxt, type EntryPointLine } from '../format/entry-points-txt.js';
import type { DirectoryScan, RefJSON, Unit, UnitEntryPoint, Watch } from '../cache/source.js';
import { NO_STAMP, statPath, type Stamp, type StatResult } from '../cache/stamp.js';
import { readCoreMetadata } from './metadata.js';
import { compareVersionsDescending } from './versions.js';

export interface ScanOptions {
  /** Record stamps and watches for freshness checks (cache building). */
  readonly stamps?: boolean;
}

/** The most of a METADATA / PKG-INFO file read for its headers. */
export const METADATA_HEAD_BYTES = 64 * 1024;

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

/** What the preference among candidates of one name looks at. */
export interface Preferable {
  readonly child: string;
  readonly layout: string;
  readonly version: string | null;
  readonly real: boolean;
}

/**
 * Preference among candidates of one normalized name within one path entry: a real
 * distribution (with METADATA/PKG-INFO) before a metadata-less leftover; then the highest
 * PEP 440 version; then dist-info before egg-info before egg before egg-info file; then by
 * child name (code units). Returns <0 when `a` is preferred.
 */
export function comparePreference(a: Preferable, b: Preferable): number {
  if (a.real !== b.real) return a.real ? -1 : 1;
  const v = a.version === b.version ? 0 : compareVersionsDescending(a.version, b.version);
  if (v !== 0) return v;
  const l = (LAYOUT_RANK[a.layout as DistributionLayout] ?? 9) - (LAYOUT_RANK[b.layout as DistributionLayout] ?? 9);
  if (l !== 0) return l;
  return a.child < b.child ? -1 : a.child > b.child ? 1 : 0;
}

/** A unit before the in-directory choice (`winner` is decided by `arrange`). */
export type Candidate = Omit<Unit, 'winner'>;

/**
 * importlib's in-directory order: group candidates by key in the order of each key's first
 * appearance (the candidates arrive in listing order), prefer within a key, mark winners.
 * Every candidate that is not its key's winner gets an EP206 (directory-level, so that a
 * rescan of the candidate alone reads the same unit).
 */
export function arrange(candidates: readonly Candidate[]): { units: Unit[]; diagnostics: Diagnostic[] } {
  const byKey = new Map<string, Candidate[]>();
  for (const c of candidates) {
    const list = byKey.get(c.key);
    if (list === undefined) byKey.set(c.key, [c]);
    else list.push(c);
  }
  const units: Unit[] = [];
  const diagnostics: Diagnostic[] = [];
  const label = (c: Candidate): string => `${c.name} ${c.version ?? '(no version)'}`;
  for (const list of byKey.values()) {
    if (list.length > 1) list.sort(comparePreference);
    list.forEach((c, i) => {
      units.push({ ...c, winner: i === 0 });
      if (i > 0) diagnostics.push(diagnostic('EP206', `${label(c)} is not used: ${label(list[0]!)} (${list[0]!.child}) in the same directory is preferred`, { file: c.child }));
    });
  }
  return { units, diagnostics };
}

/** Scan one search-path entry. Never throws for anything the filesystem does. */
export function scanPathEntry(pathEntry: string, options: ScanOptions = {}): DirectoryScan {
  const root = pathEntry === '' ? '.' : pathEntry;
  let st: StatResult | null;
  try {
    st = statPath(root);
  } catch (e) {
    const code = errCode(e);
    if (code === 'ELOOP') return emptyScan('unsearchable', [diagnostic('EP204', 'path entry is a symbolic link loop', { file: '' })]);
    return emptyScan('unsearchable', [diagnostic('EP203', `path entry cannot be read (${code})`, { file: '' })]);
  }
  if (st === null) return emptyScan('missing', []);
  if (st.isDirectory()) return scanDirectory(root, options);
  if (st.isFile()) return scanZip(root);
  return emptyScan('unsearchable', []);
}

function emptyScan(kind: DirectoryScan['kind'], diagnostics: Diagnostic[]): DirectoryScan {
  return { kind, listing: [], units: [], diagnostics, listingDirs: [] };
}

export interface ListedCandidate {
  readonly name: string;
  /** What readdir said: 'unknown' for symlinks and filesystems without d_type. */
  readonly type: 'dir' | 'file' | 'unknown';
}

/** The candidates of a directory path entry in listing order (not sorted); throws the readdir error. */
export function listCandidates(root: string, isEgg: boolean): ListedCandidate[] {
  const out: ListedCandidate[] = [];
  // opendir, not readdirSync: libuv's scandir sorts the names, while importlib's order is
  // os.listdir's, the raw readdir order (spec §4.2); opendir's reads give that order.
  const dir = fs.opendirSync(root);
  try {
    for (let d = dir.readSync(); d !== null; d = dir.readSync()) {
      if (candidateLayout(d.name, isEgg) !== null) out.push({ name: d.name, type: d.isDirectory() ? 'dir' : d.isFile() ? 'file' : 'unknown' });
    }
  } finally {
    dir.closeSync();
  }
  return out;
}

function scanDirectory(root: string, options: ScanOptions): DirectoryScan {
  const isEgg = entryIsEgg(root);
  let listed: ListedCandidate[];
  try {
    listed = listCandidates(root, isEgg);
  } catch (e) {
    return emptyScan('unsearchable', [diagnostic('EP203', `path entry cannot be listed (${errCode(e)})`, { file: '' })]);
  }
  const diagnostics: Diagnostic[] = [];
  const candidates: Candidate[] = [];
  const listing: { name: string; stamp: Stamp }[] = [];
  for (const d of listed) {
    const r = scanCandidate(root, d.name, d.type, options);
    if (r.unit !== null) candidates.push(r.unit);
    if (r.diagnostics.length > 0) diagnostics.push(...r.diagnostics);
    listing.push({ name: d.name, stamp: r.stamp ?? NO_STAMP });
  }
  const arranged = arrange(candidates);
  return { kind: 'directory', listing, units: arranged.units, diagnostics: [...diagnostics, ...arranged.diagnostics], listingDirs: [] };
}

export interface CandidateResult {
  /** `null` when the candidate gives no distribution (a loop, a dangling link, a .dist-info file…). */
  readonly unit: Candidate | null;
  /** Path-level diagnostics (files relative to the path entry); a unit's own are in `unit`. */
  readonly diagnostics: Diagnostic[];
  /** The candidate's own stamp (with `stamps`; `null` when it could not be stat'ed). */
  readonly stamp: Stamp | null;
}

const noUnit = (diagnostics: Diagnostic[], stamp: Stamp | null = null): CandidateResult => ({ unit: null, diagnostics, stamp });

/** A stat that turns "cannot stat" into `null` plus the error code. */
function tryStat(p: string): { st: StatResult | null; code: string | null } {
  try {
    return { st: statPath(p), code: null };
  } catch (e) {
    return { st: null, code: errCode(e) };
  }
}

/**
 * Scan one candidate child of a directory path entry. `type` is what readdir said.
 * Diagnostics' files are relative to the path entry.
 */
export function scanCandidate(root: string, child: string, type: ListedCandidate['type'], options: ScanOptions = {}): CandidateResult {
  const full = root + path.sep + child;
  const layout0 = candidateLayout(child, entryIsEgg(root));
  if (layout0 === null) return noUnit([]);
  let self: StatResult | null = null;
  if (type === 'unknown' || options.stamps) {
    const { st, code } = tryStat(full);
    if (st === null) {
      if (code === 'ELOOP') return noUnit([diagnostic('EP204', 'symbolic link loop; ignored', { file: child })]);
      if (code === null) return noUnit([diagnostic('EP203', 'dangling symbolic link; ignored', { file: child })]);
      return noUnit([diagnostic('EP203', `cannot be read (${code}); ignored`, { file: child })]);
    }
    self = st;
    type = st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'unknown';
  }
  const selfStamp = self?.stamp ?? null;
  if (type === 'unknown') return noUnit([], selfStamp);
  if (type === 'file' && layout0 !== 'egg-info') {
    return noUnit([diagnostic('EP209', 'is a file, not a directory; ignored', { file: child })], selfStamp);
  }
  const layout: DistributionLayout = type === 'file' ? 'egg-info-file' : layout0;
  const stem = layout === 'egg' ? path.basename(root).slice(0, -'.egg'.length) : child.slice(0, child.lastIndexOf('.'));
  const fromStem = splitStem(stem);
  let key = fromStem.name;
  let version = fromStem.version;
  const diagnostics: Diagnostic[] = [];
  const watches: Watch[] = [];
  const editable = layout !== 'dist-info'; // setuptools rewrites *.egg-info in place (spec §5.4)
  if (options.stamps && selfStamp !== null && layout !== 'egg-info-file') watches.push({ path: child, level: editable ? 'stat' : 'full', stamp: selfStamp });

  // METADATA / PKG-INFO: its Name is the distribution's name (as importlib's `dist.name`); its
  // Version is used when the stem has none; eggs and empty stems take their identity from Name.
  let metadataFile: string | null = null;
  let metadataRel: string | null = null;
  let metadataStamp: Stamp | null = null;
  if (layout === 'egg-info-file') {
    metadataFile = full;
    metadataRel = child;
    metadataStamp = selfStamp;
  } else {
    for (const f of layout === 'dist-info' ? ['METADATA', 'PKG-INFO'] : ['PKG-INFO', 'METADATA']) {
      const { st } = tryStat(full + path.sep + f);
      if (st?.isFile()) {
        metadataFile = full + path.sep + f;
        metadataRel = `${child}/${f}`;
        metadataStamp = st.stamp;
        break;
      }
    }
  }
  const real = metadataFile !== null;
  let name = fromStem.name;
  if (metadataFile !== null) {
    if (options.stamps && metadataStamp !== null) watches.push({ path: metadataRel!, level: editable ? 'stat' : 'full', stamp: metadataStamp });
    const needVersion = version === null;
    const head = readHead(metadataFile, METADATA_HEAD_BYTES, (text) => {
      const md = readCoreMetadata(text);
      return md.name !== null && (!needVersion || md.version !== null);
    });
    if (head.text === null) {
      diagnostics.push(diagnostic('EP203', `metadata cannot be read (${head.problem})`, { file: metadataRel! }));
    } else {
      const md = readCoreMetadata(head.text);
      if (md.name !== null) {
        name = md.name;
        if (layout === 'egg' || key === '') key = md.name;
      }
      if (version === null) version = md.version;
    }
  }
  if (key === '') {
    return noUnit([diagnostic('EP208', 'no distribution name in the directory name or the metadata; ignored', { file: child })], selfStamp);
  }
  if (name === '') name = key;

  let entryPoints: UnitEntryPoint[] = [];
  if (layout !== 'egg-info-file') {
    const rel = `${child}/entry_points.txt`;
    const file = full + path.sep + 'entry_points.txt';
    const { st, code } = tryStat(file);
    if (st !== null && options.stamps) watches.push({ path: rel, level: 'stat', stamp: st.stamp });
    if (st === null && code !== null) {
      diagnostics.push(diagnostic('EP111', `entry_points.txt cannot be read (${code}); no entry points are read from it`, { file: rel }));
    } else if (st !== null && !st.isFile()) {
      diagnostics.push(diagnostic('EP112', 'entry_points.txt is not a regular file; ignored', { file: rel }));
    } else if (st !== null) {
      const read = readWhole(file);
      if (read.bytes === null) {
        diagnostics.push(diagnostic('EP111', `entry_points.txt cannot be read (${read.problem}); no entry points are read from it`, { file: rel }));
      } else {
        const parsed = parseEntryPointsTxt(read.bytes, { file: rel });
        entryPoints = parsed.entries.map(withRef);
        diagnostics.push(...parsed.diagnostics);
      }
    }
  }
  if (!real) diagnostics.push(diagnostic('EP202', 'no METADATA or PKG-INFO: a leftover metadata directory', { file: child }));
  const unit: Candidate = { child, key: normalizeName(key), name, version, layout, real, entryPoints, diagnostics, watches };
  return { unit, diagnostics: [], stamp: selfStamp };
}

/** The parsed object reference, decided once when the scan is made (and stored in caches). */
export function referenceJSON(value: string): RefJSON {
  const r = parseObjectReference(value);
  return r.ok ? [r.module, r.attr, [...r.extras]] : r.problem;
}

const withRef = (e: EntryPointLine): UnitEntryPoint => ({ group: e.group, name: e.name, value: e.value, line: e.line, ref: referenceJSON(e.value) });

interface Read {
  readonly bytes: Buffer | null;
  readonly problem: string | null;
}

function readWhole(file: string): Read {
  try {
    return { bytes: fs.readFileSync(file), problem: null };
  } catch (e) {
    return { bytes: null, problem: errCode(e) };
  }
}

/** One buffer for every metadata head (the scan is synchronous). */
let headBuffer: Buffer | undefined;
const FIRST_READ = 4096;

/**
 * The start of a metadata file, decoded as UTF-8: the first 4 KiB, which hold `Name` and
 * `Version` in every real file, and more (up to `limit`) only when they are not there yet.
 */
function readHead(file: string, limit: number, satisfied: (text: string) => boolean): { text: string | null; problem: string | null } {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (e) {
    return { text: null, problem: errCode(e) };
  }
  try {
    const buf = (headBuffer ??= Buffer.allocUnsafe(limit));
    let n = 0;
    let want = FIRST_READ;
    for (;;) {
      const got = fs.readSync(fd, buf, n, want - n, n);
      n += got;
      if (got === 0 || n >= limit) break;
      if (n >= want) {
        // Only whole lines count: a header cut at the boundary is read again in full.
        const whole = buf.lastIndexOf(0x0a, n - 1);
        if (whole >= 0 && satisfied(buf.toString('utf8', 0, whole + 1))) break;
        want = limit;
      }
    }
    return { text: buf.toString('utf8', 0, n), problem: null };
  } catch (e) {
    return { text: null, problem: errCode(e) };
  } finally {
    fs.closeSync(fd);
  }
}

// ---------------------------------------------------------------------------------------------
// Zip archives on the search path

type Fflate = typeof import('fflate');
let fflate: Fflate | undefined;
const loadFflate = (): Fflate => (fflate ??= createRequire(import.meta.url)('fflate') as Fflate);

function scanZip(root: string): DirectoryScan {
  const isEgg = entryIsEgg(root);
  const names: string[] = [];
  let files: Record<string, Uint8Array>;
  let data: Buffer;
  try {
    data = fs.readFileSync(root);
  } catch (e) {
    return emptyScan('unsearchable', [diagnostic('EP203', `path entry cannot be read (${errCode(e)})`, { file: '' })]);
  }
  // Not a zip (no local-file or end-of-central-directory signature): silently not searchable, like importlib.
  if (data.length < 22 || data.readUInt32LE(0) !== 0x04034b50 && data.lastIndexOf(Buffer.from('PK\x05\x06', 'latin1')) < 0) {
    return emptyScan('unsearchable', []);
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
    return emptyScan('unsearchable', [diagnostic('EP205', `zip archive cannot be read: ${(e as Error).message}`, { file: '' })]);
  }
  // Top-level candidate names in central-directory order (first appearance).
  const tops = new Map<string, boolean /* isDir */>();
  for (const n of names) {
    const slash = n.indexOf('/');
    const top = slash < 0 ? n : n.slice(0, slash);
    if (candidateLayout(top, isEgg) === null) continue;
    tops.set(top, (tops.get(top) ?? false) || slash >= 0);
  }
  const decoder = new TextDecoder();
  const candidates: Candidate[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const [child, isDir] of tops) {
    const layout0 = candidateLayout(child, isEgg)!;
    if (!isDir && layout0 !== 'egg-info') {
      diagnostics.push(diagnostic('EP209', 'is a file, not a directory; ignored', { file: child }));
      continue;
    }
    const layout: DistributionLayout = isDir ? layout0 : 'egg-info-file';
    const stem = layout === 'egg' ? path.basename(root).slice(0, -'.egg'.length) : child.slice(0, child.lastIndexOf('.'));
    const fromStem = splitStem(stem);
    let key = fromStem.name;
    let name = fromStem.name;
    let version = fromStem.version;
    const mdBytes = isDir ? (files[`${child}/${layout === 'dist-info' ? 'METADATA' : 'PKG-INFO'}`] ?? files[`${child}/${layout === 'dist-info' ? 'PKG-INFO' : 'METADATA'}`]) : files[child];
    if (mdBytes !== undefined) {
      const md = readCoreMetadata(decoder.decode(mdBytes.subarray(0, METADATA_HEAD_BYTES)));
      if (md.name !== null) {
        name = md.name;
        if (layout === 'egg' || key === '') key = md.name;
      }
      if (version === null) version = md.version;
    }
    if (key === '') {
      diagnostics.push(diagnostic('EP208', 'no distribution name in the directory name or the metadata; ignored', { file: child }));
      continue;
    }
    if (name === '') name = key;
    const unitDiagnostics: Diagnostic[] = [];
    let entryPoints: UnitEntryPoint[] = [];
    const ep = isDir ? files[`${child}/entry_points.txt`] : undefined;
    if (ep !== undefined) {
      const parsed = parseEntryPointsTxt(ep, { file: `${child}/entry_points.txt` });
      entryPoints = parsed.entries.map(withRef);
      unitDiagnostics.push(...parsed.diagnostics);
    }
    if (mdBytes === undefined) unitDiagnostics.push(diagnostic('EP202', 'no METADATA or PKG-INFO: a leftover metadata directory', { file: child }));
    candidates.push({ child, key: normalizeName(key), name, version, layout, real: mdBytes !== undefined, entryPoints, diagnostics: unitDiagnostics, watches: [] });
  }
  const listing = [...tops.keys()].map((name) => ({ name, stamp: NO_STAMP }));
  const arranged = arrange(candidates);
  return { kind: 'zip', listing, units: arranged.units, diagnostics: [...diagnostics, ...arranged.diagnostics], listingDirs: [] };
}
