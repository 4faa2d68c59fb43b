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
 *
 * Hostile directories: every file is opened without blocking and read only when it is a regular
 * file (entry_points.txt through `readSmallFile`, at most `LIMITS.fileBytes`; METADATA's head
 * through `readHead`), zips through `openZip` (bounded, CRC-checked), names are `os.fsdecode`d
 * bytes (src/fsnames.ts) and every path handed to the filesystem goes through `fsPath`; whatever
 * the filesystem answers becomes a diagnostic of the candidate it concerns, never an exception,
 * so the other distributions keep their entry points.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { diagnostic, type Diagnostic } from '../diagnostics.js';
import { normalizeName, parseObjectReference, type DistributionLayout } from '../entry-point.js';
import { errnoCode } from '../errors.js';
import { parseEntryPointsTxt, type EntryPointLine } from '../format/entry-points-txt.js';
import type { DirectoryScan, RefJSON, Unit, UnitEntryPoint, Watch } from '../cache/source.js';
import { fromBigStats, NO_STAMP, statPath, type Stamp, type StatResult } from '../cache/stamp.js';
import { fsPath, readdirEntries } from '../fsnames.js';
import { errnoText, fileKind, readSmallFile, type SmallFile } from '../fsutil.js';
import { isZipError, openZip, type ZipArchive, type ZipEntry } from '../zip.js';
import { importlibHeaders, readCoreMetadata } from './metadata.js';
import { compareVersionsDescending } from './versions.js';

export interface ScanOptions {
  /**
   * Record stamps and watches for freshness checks (cache building). A scan for a cache also
   * records what importlib itself reads (`importlibFacts`: the whole metadata file is read).
   */
  readonly stamps?: boolean;
  /** Told after each candidate of a directory is read (`done` of `total`): progress of a long build. */
  readonly progress?: (done: number, total: number) => void;
}

/**
 * A unit's `extra` in a Python cache: `[Name, Version]` exactly as importlib.metadata's
 * `dist.metadata` gives them, each `null` where that cannot be stated (spec §5.2, the
 * `importlib` section).
 */
export type ImportlibFacts = readonly [name: string | null, version: string | null];
const UNKNOWN_FACTS: ImportlibFacts = [null, null];

/** Metadata problems after which importlib reads something else, blocks or raises: no facts. */
const METADATA_DOUBT = new Set(['EP203', 'EP204', 'EP210', 'EP211', 'EP213']);

/**
 * `[Name, Version]` as importlib reads them from the metadata file epindex read (`text` is that
 * whole file, or `null` when it could not be read whole and strictly decoded), or unknown:
 * importlib reads `METADATA`, else (absent or empty) `PKG-INFO`; `otherMetadata` says that a
 * `METADATA` exists beside the `PKG-INFO` epindex read (egg layouts prefer `PKG-INFO`).
 */
function importlibFacts(text: string | null, diagnostics: readonly Diagnostic[], otherMetadata: boolean): ImportlibFacts {
  if (text === null || text === '' || otherMetadata || diagnostics.some((d) => METADATA_DOUBT.has(d.code))) return UNKNOWN_FACTS;
  const h = importlibHeaders(text);
  return [h.name, h.version];
}

/** The whole metadata file as importlib decodes it (strict UTF-8), or `null`. */
function wholeText(bytes: Uint8Array | null): string | null {
  if (bytes === null) return null;
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return null;
  }
}
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

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
    st = statAny(root);
  } catch (e) {
    const code = errCode(e);
    if (code === 'ELOOP') return emptyScan('unsearchable', [diagnostic('EP204', 'path entry is a symbolic link loop', { file: '' })]);
    return emptyScan('unsearchable', [diagnostic('EP203', `path entry cannot be read (${errnoText(e)})`, { file: '' })]);
  }
  if (st === null) return emptyScan('missing', []);
  if (st.isDirectory()) return scanDirectory(root, options);
  if (st.isFile()) return scanZip(root);
  return emptyScan('unsearchable', []);
}

function emptyScan(kind: DirectoryScan['kind'], diagnostics: Diagnostic[]): DirectoryScan {
  return { kind, listing: [], units: [], diagnostics, listingDirs: [] };
}

/**
 * `statPath` (the cache's stat, which tests can hook) for a path Node can spell as a string;
 * through the bytes (`fsPath`) for one holding a name that is not UTF-8. Same contract: `null`
 * when absent (ENOENT, ENOTDIR), other errors thrown.
 */
export function statAny(p: string): StatResult | null {
  const native = fsPath(p);
  if (typeof native === 'string') return statPath(p);
  try {
    const s = fs.statSync(native, { bigint: true, throwIfNoEntry: false });
    return s === undefined ? null : fromBigStats(s);
  } catch (e) {
    if (errCode(e) === 'ENOTDIR') return null;
    throw e;
  }
}

export interface ListedCandidate {
  readonly name: string;
  /** What readdir said: 'unknown' for symlinks and filesystems without d_type. */
  readonly type: 'dir' | 'file' | 'unknown';
}

/**
 * The candidates of a directory path entry in listing order (not sorted); throws the readdir
 * error. Names are the `os.fsdecode`d bytes (what Python shows; `fsPath` spells them back).
 */
export function listCandidates(root: string, isEgg: boolean): ListedCandidate[] {
  const out: ListedCandidate[] = [];
  for (const d of readdirEntries(root)) {
    if (candidateLayout(d.name, isEgg) !== null) out.push(d);
  }
  return out;
}

function scanDirectory(root: string, options: ScanOptions): DirectoryScan {
  const isEgg = entryIsEgg(root);
  let listed: ListedCandidate[];
  try {
    listed = listCandidates(root, isEgg);
  } catch (e) {
    return emptyScan('unsearchable', [diagnostic('EP203', `path entry cannot be listed (${errnoText(e)})`, { file: '' })]);
  }
  const diagnostics: Diagnostic[] = [];
  const candidates: Candidate[] = [];
  const listing: { name: string; stamp: Stamp }[] = [];
  for (const d of listed) {
    const r = scanCandidate(root, d.name, d.type, options);
    if (r.unit !== null) candidates.push(r.unit);
    if (r.diagnostics.length > 0) diagnostics.push(...r.diagnostics);
    listing.push({ name: d.name, stamp: r.stamp ?? NO_STAMP });
    options.progress?.(listing.length, listed.length);
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

/** A stat that turns "cannot stat" into `null` plus the error code and its text. */
function tryStat(p: string): { st: StatResult | null; code: string | null; text: string } {
  try {
    return { st: statAny(p), code: null, text: '' };
  } catch (e) {
    return { st: null, code: errCode(e), text: errnoText(e) };
  }
}

/** "a FIFO", "a directory"… for a StatResult that is not a regular file. */
function kindOf(st: StatResult): string {
  return fileKind({ isDirectory: () => st.isDirectory(), isFIFO: () => (st.mode & 0o170000) === 0o010000, isSocket: () => (st.mode & 0o170000) === 0o140000,
    isCharacterDevice: () => (st.mode & 0o170000) === 0o020000, isBlockDevice: () => (st.mode & 0o170000) === 0o060000, isSymbolicLink: () => false, isFile: () => st.isFile() } as fs.Stats);
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
    const { st, code, text } = tryStat(full);
    if (st === null) {
      if (code === 'ELOOP') return noUnit([diagnostic('EP204', 'symbolic link loop; ignored', { file: child })]);
      if (code === null) return noUnit([diagnostic('EP203', 'dangling symbolic link; ignored', { file: child })]);
      return noUnit([diagnostic('EP203', `cannot be read (${text}); ignored`, { file: child })]);
    }
    self = st;
    type = st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'unknown';
  }
  const selfStamp = self?.stamp ?? null;
  // A FIFO, socket or device named like a candidate: importlib would open it (and block).
  if (type === 'unknown') return noUnit(self === null ? [] : [diagnostic('EP214', `is ${kindOf(self)}, not a directory or a file; ignored`, { file: child })], selfStamp);
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
      const { st, code, text } = tryStat(full + path.sep + f);
      if (st?.isFile()) {
        metadataFile = full + path.sep + f;
        metadataRel = `${child}/${f}`;
        metadataStamp = st.stamp;
        break;
      }
      if (st !== null) {
        diagnostics.push(diagnostic('EP210', `${f} is ${kindOf(st)}, not a regular file; ignored`, { file: `${child}/${f}` }));
      } else if (code === 'ELOOP') {
        diagnostics.push(diagnostic('EP204', `${f} is a symbolic link loop; ignored`, { file: `${child}/${f}` }));
      } else if (code !== null) {
        // EACCES/EPERM (a 0000 or 0400 directory) and the like: nothing in it can be examined.
        return noUnit([diagnostic('EP203', `cannot be read (${text}); ignored`, { file: child })], selfStamp);
      }
    }
  }
  const real = metadataFile !== null;
  let name = fromStem.name;
  let whole: ReturnType<typeof readSmallFile> | null = null;
  if (metadataFile !== null) {
    if (options.stamps && metadataStamp !== null) watches.push({ path: metadataRel!, level: editable ? 'stat' : 'full', stamp: metadataStamp });
    const needVersion = version === null;
    const satisfied = (text: string): boolean => {
      const md = readCoreMetadata(text);
      return md.name !== null && (!needVersion || md.version !== null);
    };
    // A scan for a cache reads the whole file anyway (the importlib facts): the head is cut
    // from those bytes, by readHead's rule, rather than read again.
    whole = options.stamps ? readSmallFile(metadataFile) : null;
    const head = whole?.ok ? { bytes: headOf(whole.bytes, METADATA_HEAD_BYTES, satisfied), problem: null } : readHead(metadataFile, METADATA_HEAD_BYTES, satisfied);
    if (head.bytes === null) {
      diagnostics.push(head.problem.startsWith('is ')
        ? diagnostic('EP210', `${path.basename(metadataRel!)} ${head.problem}, not a regular file; its Name and Version are not read`, { file: metadataRel! })
        : diagnostic('EP203', `metadata cannot be read (${head.problem})`, { file: metadataRel! }));
    } else {
      const md = readCoreMetadata(head.bytes, { file: metadataRel! });
      diagnostics.push(...md.diagnostics);
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
  let extra: ImportlibFacts | undefined;
  if (options.stamps) {
    const read = metadataFile === null ? null : whole ?? readSmallFile(metadataFile);
    // Egg layouts read PKG-INFO first, importlib METADATA: the two agree only without a METADATA.
    let otherMetadata = false;
    if (layout !== 'dist-info' && metadataRel !== null && metadataRel.endsWith('/PKG-INFO')) {
      const other = tryStat(full + path.sep + 'METADATA');
      otherMetadata = other.st !== null || other.code !== null;
    }
    extra = importlibFacts(read?.ok ? wholeText(read.bytes) : null, diagnostics, otherMetadata);
  }

  let entryPoints: UnitEntryPoint[] = [];
  if (layout !== 'egg-info-file') {
    const rel = `${child}/entry_points.txt`;
    const file = full + path.sep + 'entry_points.txt';
    const { st, code, text } = tryStat(file);
    if (st !== null && options.stamps) watches.push({ path: rel, level: 'stat', stamp: st.stamp });
    if (st === null && code !== null) {
      diagnostics.push(diagnostic('EP111', `entry_points.txt cannot be read (${text}); no entry points are read from it`, { file: rel }));
    } else if (st !== null && !st.isFile()) {
      diagnostics.push(diagnostic('EP112', `entry_points.txt is ${kindOf(st)}, not a regular file; ignored`, { file: rel }));
    } else if (st !== null) {
      const read = readSmallFile(file);
      if (read.ok) {
        const parsed = parseEntryPointsTxt(read.bytes, { file: rel });
        entryPoints = parsed.entries.map(withRef);
        diagnostics.push(...parsed.diagnostics);
      } else if (read.problem !== 'absent') {
        diagnostics.push(entryPointsProblem(read, rel));
      }
    }
  }
  if (!real) diagnostics.push(diagnostic('EP202', 'no METADATA or PKG-INFO: a leftover metadata directory', { file: child }));
  const unit: Candidate = { child, key: normalizeName(key), name, version, layout, real, entryPoints, diagnostics, watches, ...(extra === undefined ? {} : { extra }) };
  return { unit, diagnostics: [], stamp: selfStamp };
}

/** The parsed object reference, decided once when the scan is made (and stored in caches). */
export function referenceJSON(value: string): RefJSON {
  const r = parseObjectReference(value);
  if (!r.ok) return r.problem;
  // The canonical form (most entry points): the reader takes module and attr from the value.
  if (r.extras.length === 0 && value === (r.attr === null ? r.module : `${r.module}:${r.attr}`)) return 0;
  return [r.module, r.attr, [...r.extras]];
}

const withRef = (e: EntryPointLine): UnitEntryPoint => ({ group: e.group, name: e.name, value: e.value, line: e.line, ref: referenceJSON(e.value) });

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

/** One buffer for every metadata head (the scan is synchronous). */
let headBuffer: Buffer | undefined;
const FIRST_READ = 4096;
const OPEN_NONBLOCKING = fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0) | (fs.constants.O_NOCTTY ?? 0);

/** What `readHead` would read of a regular file holding `bytes` (the same cut, without a read). */
function headOf(bytes: Uint8Array, limit: number, satisfied: (text: string) => boolean): Uint8Array {
  if (bytes.length < FIRST_READ) return bytes;
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const first = buf.lastIndexOf(0x0a, FIRST_READ - 1);
  if (first >= 0 && satisfied(buf.toString('utf8', 0, first + 1))) return bytes.subarray(0, first + 1);
  if (bytes.length < limit) return bytes;
  const last = buf.lastIndexOf(0x0a, limit - 1);
  return bytes.subarray(0, last >= 0 ? last + 1 : limit);
}

/**
 * The start of a metadata file: the first 4 KiB, which hold `Name` and `Version` in every real
 * file, and more (up to `limit`) only when they are not there yet. Opened without blocking and
 * read only if it is a regular file (a FIFO swapped in after the stat: `problem` "is a FIFO").
 * A head cut at `limit` ends at its last whole line, so a character split there is not "invalid
 * UTF-8". The bytes are a view of a shared buffer, valid until the next call.
 */
function readHead(file: string, limit: number, satisfied: (text: string) => boolean): { bytes: Uint8Array; problem: null } | { bytes: null; problem: string } {
  let fd: number;
  try {
    fd = fs.openSync(fsPath(file), OPEN_NONBLOCKING);
  } catch (e) {
    return { bytes: null, problem: errnoText(e) };
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) return { bytes: null, problem: `is ${fileKind(st)}` };
    const buf = (headBuffer ??= Buffer.allocUnsafe(limit));
    let n = 0;
    let want = FIRST_READ;
    let cut = false;
    for (;;) {
      const got = fs.readSync(fd, buf, n, want - n, n);
      n += got;
      if (got === 0) break;
      if (n >= limit) {
        cut = true;
        break;
      }
      if (n >= want) {
        // Only whole lines count: a header cut at the boundary is read again in full.
        const whole = buf.lastIndexOf(0x0a, n - 1);
        if (whole >= 0 && satisfied(buf.toString('utf8', 0, whole + 1))) {
          cut = true;
          n = whole + 1;
          break;
        }
        want = limit;
      }
    }
    if (cut && n === limit) {
      const whole = buf.lastIndexOf(0x0a, n - 1);
      if (whole >= 0) n = whole + 1;
    }
    return { bytes: buf.subarray(0, n), problem: null };
  } catch (e) {
    return { bytes: null, problem: errnoText(e) };
  } finally {
    fs.closeSync(fd);
  }
}

// ---------------------------------------------------------------------------------------------
// Zip archives on the search path

function scanZip(root: string): DirectoryScan {
  let zip: ZipArchive;
  try {
    zip = openZip(root);
  } catch (e) {
    return emptyScan('unsearchable', zipOpenProblem(e));
  }
  try {
    return scanZipArchive(root, zip);
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

function readMember(zip: ZipArchive, entry: ZipEntry): { bytes: Uint8Array } | { error: unknown } {
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

function scanZipArchive(root: string, zip: ZipArchive): DirectoryScan {
  const isEgg = entryIsEgg(root);
  // Top-level candidate names in central-directory order (first appearance), as importlib's
  // FastPath.zip_children sees them: a name with a `/` implies a directory.
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
    const unitDiagnostics: Diagnostic[] = [];
    const [first, second] = layout === 'dist-info' ? ['METADATA', 'PKG-INFO'] : ['PKG-INFO', 'METADATA'];
    const mdEntry = isDir ? member(`${child}/${first}`) ?? member(`${child}/${second}`) : member(child);
    let text: string | null = null;
    if (mdEntry !== undefined) {
      const read = readMember(zip, mdEntry);
      if ('bytes' in read) {
        text = wholeText(read.bytes);
        const md = readCoreMetadata(read.bytes.subarray(0, METADATA_HEAD_BYTES), { file: mdEntry.name });
        unitDiagnostics.push(...md.diagnostics);
        if (md.name !== null) {
          name = md.name;
          if (layout === 'egg' || key === '') key = md.name;
        }
        if (version === null) version = md.version;
      } else {
        unitDiagnostics.push(memberProblem(read.error, mdEntry.name, 'metadata'));
      }
    }
    if (key === '') {
      diagnostics.push(diagnostic('EP208', 'no distribution name in the directory name or the metadata; ignored', { file: child }));
      continue;
    }
    if (name === '') name = key;
    let entryPoints: UnitEntryPoint[] = [];
    if (isDir) {
      const file = `${child}/entry_points.txt`;
      const ep = member(file);
      if (ep !== undefined) {
        const read = readMember(zip, ep);
        if ('bytes' in read) {
          const parsed = parseEntryPointsTxt(read.bytes, { file });
          entryPoints = parsed.entries.map(withRef);
          unitDiagnostics.push(...parsed.diagnostics);
        } else {
          unitDiagnostics.push(memberProblem(read.error, file, 'entry_points.txt'));
        }
      } else if (zip.get(`${file}/`) !== undefined) {
        unitDiagnostics.push(diagnostic('EP112', 'entry_points.txt is a directory, not a regular file; ignored', { file }));
      }
    }
    const otherMetadata = isDir && mdEntry !== undefined && mdEntry.name === `${child}/PKG-INFO` && zip.get(`${child}/METADATA`) !== undefined;
    const extra = importlibFacts(text, unitDiagnostics, otherMetadata);
    if (mdEntry === undefined) unitDiagnostics.push(diagnostic('EP202', 'no METADATA or PKG-INFO: a leftover metadata directory', { file: child }));
    candidates.push({ child, key: normalizeName(key), name, version, layout, real: mdEntry !== undefined, entryPoints, diagnostics: unitDiagnostics, watches: [], extra });
  }
  const listing = [...tops.keys()].map((name) => ({ name, stamp: NO_STAMP }));
  const arranged = arrange(candidates);
  return { kind: 'zip', listing, units: arranged.units, diagnostics: [...diagnostics, ...arranged.diagnostics], listingDirs: [] };
}
