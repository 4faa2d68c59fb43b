/**
 * The cache engine: for one directory of one source, find a cache that may be believed (trust,
 * integrity, identity, freshness) or scan, and write caches where allowed. Knows sources only
 * through src/cache/source.ts.
 *
 * The warm path, per directory: stat the directory; open the cache (O_NOFOLLOW|O_NONBLOCK),
 * fstat it, lstat its holder; read the header (one pread, which holds the whole file when it is
 * small); prove it is this directory's cache; check freshness at the chosen level; read the
 * sections the lookup needs. Parsed caches are kept per file, keyed by the file's identity, so
 * a repeated lookup in one process re-reads nothing unchanged.
 */
import * as fs from 'node:fs';
import { diagnostic, type Diagnostic } from '../diagnostics.js';
import { errnoCode } from '../errors.js';
import { CacheFile, CacheFormatError, MAX_HEADER_BYTES, parseHeader, type CacheContent } from './format.js';
import { checkFreshness, listingUnchanged, type Freshness, type FreshnessResult } from './freshness.js';
import { inDirectoryLocation, realPathOf, userCacheRoot, userLocation, type CacheLocation } from './location.js';
import type { DirectoryScan, Source } from './source.js';
import { racyWindowPassed, statPath, type StatResult } from './stamp.js';
import { readTrustProblem, writeProblem } from './trust.js';
import { userRootProblem } from './user-root.js';
import { CacheWriteError, prepareHolder, removeStaleTemporaries, writeCacheFile } from './write.js';

/**
 * How a lookup uses caches (docs/spec.md §6):
 * - `scan`: ignore caches;
 * - `only`: fresh caches only; a directory without one contributes nothing (with a diagnostic);
 * - `prefer`: fresh caches where they exist, scan the other directories;
 * - `fallback`: believe trusted caches without freshness checks; when the requested group or
 *   name is absent from the answer, look again as `prefer` does;
 * - `auto` (default): `prefer`, and write fresh caches for stale or missing directories.
 */
export type CachePolicy = 'scan' | 'only' | 'prefer' | 'fallback' | 'auto';
export const CACHE_POLICIES: readonly CachePolicy[] = ['scan', 'only', 'prefer', 'fallback', 'auto'];
/** `trust` is `fallback`'s first phase: believe any trusted, intact cache without freshness checks. */
export type LoadMode = Exclude<CachePolicy, 'fallback'> | 'trust';

export interface CacheOptions {
  /** Default `stat`. */
  readonly freshness?: Freshness;
  /** The user cache root; default `$EPINDEX_CACHE_DIR` or the platform's cache directory. */
  readonly userCacheDir?: string;
  /** Told as a scan that writes a cache reads its candidates (`done` of `total`), for progress displays. */
  readonly onScan?: (done: number, total: number) => void;
}

/** `foreign`: a cache of another directory (copied, or the directory was replaced or is seen through another real path). */
export type CacheState = 'fresh' | 'stale' | 'missing' | 'untrusted' | 'corrupt' | 'foreign' | 'not-cacheable';

// ---------------------------------------------------------------------------------------------
// Reading a cache file

const HEAD_READ = 64 * 1024;
const OPEN_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0) | (fs.constants.O_NONBLOCK ?? 0);

/** An opened cache file with the bytes it came with and how to read more of it. */
export interface OpenedCache {
  readonly file: CacheFile;
  readonly location: CacheLocation;
  readonly size: number;
}

type ReadResult =
  | { readonly state: 'missing' }
  | { readonly state: 'untrusted' | 'corrupt'; readonly reason: string; readonly code: 'EP301' | 'EP302' | 'EP303' | 'EP304' | 'EP308' }
  | ({ readonly state: 'ok' } & OpenedCache);

interface Memo {
  readonly identity: string;
  readonly file: CacheFile;
}
const memo = new Map<string, Memo>();

/** The scan's start: the cache file's mtime as [sec, nsec] (the writer set it; spec §5.2). */
export const scanTimeOf = (st: fs.Stats): readonly [number, number] => {
  const sec = Math.floor(st.mtimeMs / 1000);
  return [sec, Math.round((st.mtimeMs - sec * 1000) * 1e6)];
};

const identityOf = (st: fs.Stats): string => `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;

/** Reads of a cache file: from the first chunk when it holds the bytes, else open-verify-pread. */
class FileReader {
  readonly #path: string;
  readonly #identity: string;
  #fd: number;
  readonly #head: Buffer;

  constructor(path: string, identity: string, fd: number, head: Buffer) {
    this.#path = path;
    this.#identity = identity;
    this.#fd = fd;
    this.#head = head;
  }

  readAt = (length: number, position: number): Buffer => {
    if (position + length <= this.#head.length) return this.#head.subarray(position, position + length);
    let fd = this.#fd;
    let opened = false;
    if (fd < 0) {
      // Read later than the lookup that opened it: the file must still be the same one.
      fd = fs.openSync(this.#path, OPEN_FLAGS);
      opened = true;
      if (identityOf(fs.fstatSync(fd)) !== this.#identity) {
        fs.closeSync(fd);
        throw new CacheFormatError('EP301', 'the cache file was replaced while in use');
      }
    }
    try {
      const buf = Buffer.allocUnsafe(length);
      let n = 0;
      while (n < length) {
        const got = fs.readSync(fd, buf, n, length - n, position + n);
        if (got === 0) break;
        n += got;
      }
      return n === length ? buf : buf.subarray(0, n);
    } finally {
      if (opened) fs.closeSync(fd);
    }
  };

  /** Use `fd` (a newly opened descriptor of the same file) for the reads of this lookup. */
  adopt(fd: number): void {
    this.release();
    this.#fd = fd;
  }

  release(): void {
    if (this.#fd >= 0) fs.closeSync(this.#fd);
    this.#fd = -1;
  }
}

const readers = new WeakMap<CacheFile, FileReader>();

/** Load section `name` of `file` (from its reader). Throws CacheFormatError. */
export function loadSection(file: CacheFile, name: string): void {
  if (file.loaded(name)) return;
  const reader = readers.get(file);
  if (reader === undefined) throw new Error('internal: a cache file without a reader');
  file.load(name, reader.readAt);
}

function readHead(fd: number, size: number): Buffer {
  const want = Math.min(size, HEAD_READ);
  const buf = Buffer.allocUnsafe(want);
  let n = 0;
  while (n < want) {
    const got = fs.readSync(fd, buf, n, want - n, n);
    if (got === 0) break;
    n += got;
  }
  return buf.subarray(0, n);
}

function readCacheAt(loc: CacheLocation): ReadResult {
  let fd: number;
  try {
    fd = fs.openSync(loc.file, OPEN_FLAGS);
  } catch (e) {
    const code = errnoCode(e);
    if (code === 'ENOENT' || code === 'ENOTDIR') return { state: 'missing' };
    if (code === 'ELOOP') return { state: 'untrusted', code: 'EP304', reason: 'the cache path is a symbolic link' };
    return { state: 'untrusted', code: 'EP304', reason: `cannot be opened (${code})` };
  }
  let keep = false;
  try {
    const st = fs.fstatSync(fd);
    let holder: fs.Stats;
    try {
      holder = fs.lstatSync(loc.dir);
    } catch {
      return { state: 'untrusted', code: 'EP304', reason: 'its directory cannot be examined' };
    }
    const problem = readTrustProblem(st, holder, loc.kind === 'user');
    if (problem !== null) return { state: 'untrusted', code: 'EP304', reason: problem };
    const identity = identityOf(st);
    const known = memo.get(loc.file);
    if (known !== undefined && known.identity === identity) {
      readers.get(known.file)?.adopt(fd);
      keep = true;
      return { state: 'ok', file: known.file, location: loc, size: st.size };
    }
    let head = readHead(fd, st.size);
    let nl = head.indexOf(0x0a);
    if (nl < 0 && head.length < st.size) {
      // A header longer than the first chunk (many groups): read up to the limit.
      const more = Buffer.allocUnsafe(Math.min(st.size, MAX_HEADER_BYTES));
      const n = fs.readSync(fd, more, 0, more.length, 0);
      head = more.subarray(0, n);
      nl = head.indexOf(0x0a);
    }
    if (nl < 0) return { state: 'corrupt', code: 'EP301', reason: head.length >= MAX_HEADER_BYTES ? 'no header line within the first 16 MiB (not a cache)' : 'no header line (truncated or not a cache)' };
    const header = parseHeader(head.subarray(0, nl), st.size, scanTimeOf(st));
    const file = new CacheFile(header, nl + 1);
    const reader = new FileReader(loc.file, identity, fd, head);
    readers.set(file, reader);
    keep = true;
    memo.set(loc.file, { identity, file });
    return { state: 'ok', file, location: loc, size: st.size };
  } catch (e) {
    if (e instanceof CacheFormatError) return { state: 'corrupt', code: e.code, reason: e.message };
    return { state: 'corrupt', code: 'EP301', reason: `cannot be read (${errnoCode(e)})` };
  } finally {
    if (!keep) fs.closeSync(fd);
  }
}

/** Close the descriptor a freshly opened cache kept for its first reads. */
function settleReader(file: CacheFile): void {
  readers.get(file)?.release();
}

/** Drop a file's parsed cache (it turned out damaged, or was removed). */
export function forget(file: string): void {
  memo.delete(file);
  for (const [k, r] of remembered) if (r.location.file === file) remembered.delete(k);
}

/**
 * The locations a directory's cache may be read from, in order (the user cache's is computed
 * only when reached, and only when its root is trusted: otherwise `EP309` goes to `diagnostics`).
 */
function* readLocations(dir: string, isDir: boolean, source: Source, opts: CacheOptions, diagnostics: Diagnostic[] = []): Generator<CacheLocation> {
  if (isDir) yield inDirectoryLocation(dir, source.cacheName);
  const real = realPathOf(dir);
  if (real === null) return;
  const root = opts.userCacheDir ?? userCacheRoot();
  const why = userRootProblem(root);
  if (why !== null) diagnostics.push(untrustedRoot(root, why));
  else yield userLocation(root, real, source.cacheName);
}

/** EP309: the one diagnostic of a lookup whose user cache root is not trusted (the lookup removes duplicates). */
export const untrustedRoot = (root: string, why: string): Diagnostic => diagnostic('EP309', `user cache root not trusted (${why}); no user cache is read or written`, { file: root });

/** A lookup's diagnostics with each directory's copy of one `EP309` reduced to the first. */
export function oncePerLookup(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    if (d.code !== 'EP309') return true;
    const k = `${d.file}\0${d.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Why `file` is not a cache of the directory `dir` (stat `st`) for `source`, or `null`. */
function identityProblem(file: CacheFile, dir: string, st: StatResult, source: Source): string | null {
  const h = file.header;
  if (h.source !== source.id) return `it is a cache of ${JSON.stringify(h.source)} packages`;
  if ((h.kind === 'zip') !== st.isFile()) return `it describes a ${h.kind}`;
  if (h.dev !== st.dev || h.entry[0] !== st.stamp[0]) return 'the path entry is another directory now (device or inode changed)';
  const real = realPathOf(dir);
  if (real !== null && h.realPath !== real) return `it describes ${h.realPath}`;
  return null;
}

// ---------------------------------------------------------------------------------------------
// Writing

/**
 * Where a new cache for `dir` goes. In the directory only when `inDirectory` allows it (an
 * explicit build, or an in-directory cache exists already), trust.ts's write rule holds for
 * the directory's real path, and the directory holds a candidate; else the user cache, when
 * its root is trusted. `null` when neither can be used.
 */
export function writeLocation(dir: string, st: StatResult, inDirectory: boolean, source: Source, opts: CacheOptions): { loc: CacheLocation; create: boolean; real: string } | null {
  const real = realPathOf(dir);
  if (real === null) return null;
  // A directory that holds no candidate (an interpreter's stdlib, lib-dynload) never gets an
  // in-directory cache: its scan is one readdir, and such directories are rarely the user's.
  if (inDirectory && st.isDirectory() && writeProblem(real) === null && source.listing(real).length > 0) {
    try {
      fs.accessSync(real, fs.constants.W_OK);
      return { loc: inDirectoryLocation(real, source.cacheName), create: true, real };
    } catch {
      // not writable (read-only filesystem, ACLs): fall through to the user cache
    }
  }
  const root = opts.userCacheDir ?? userCacheRoot();
  if (userRootProblem(root) !== null) return null;
  return { loc: userLocation(root, real, source.cacheName), create: true, real };
}

export interface WriteOutcome {
  readonly scan: DirectoryScan;
  readonly written: CacheLocation | null;
  readonly diagnostics: Diagnostic[];
  /** Nothing to cache: a file on the path that is not an archive (no diagnostic: importlib ignores it too). */
  readonly notCacheable?: true;
}

/** Thrown inside a write when the scan shows nothing that can be cached. */
class NotCacheable extends Error {
  constructor(readonly scan: DirectoryScan) {
    super('not cacheable');
  }
}

/**
 * Scan `dir` and write its cache atomically at `target` (from writeLocation). Any failure
 * returns the scan with an EP306 diagnostic.
 */
export function scanAndWrite(dir: string, source: Source, target: { loc: CacheLocation; create: boolean; real: string }, opts: CacheOptions): WriteOutcome {
  const root = dir === '' ? '.' : dir;
  const { loc } = target;
  let scan: DirectoryScan | null = null;
  try {
    prepareHolder(loc, target.create, opts.userCacheDir ?? userCacheRoot());
    removeStaleTemporaries(loc.dir);
    scan = writeCacheFile(loc, (): CacheContent => {
      // The directory's stamp after the holder and the temporary file exist (creating
      // `.epindex` changes it) and before the scan (a change during the scan then shows).
      const st = statPath(root);
      if (st === null) throw new CacheWriteError('ENOENT', 'the path entry disappeared');
      const s = source.scan(root, { stamps: true, ...(opts.onScan !== undefined ? { progress: opts.onScan } : {}) });
      scan = s;
      if (s.kind !== 'directory' && s.kind !== 'zip') throw new NotCacheable(s);
      return { source: source.id, kind: s.kind, realPath: target.real, dev: st.dev, entry: st.stamp, scan: s, sections: source.sections?.(root, s) ?? [] };
    });
    forget(loc.file);
    return { scan, written: loc, diagnostics: [] };
  } catch (e) {
    if (e instanceof NotCacheable) return { scan: e.scan, written: null, diagnostics: [], notCacheable: true };
    const message = e instanceof CacheWriteError ? e.message : `cannot write the cache (${errnoCode(e)})`;
    return { scan: scan ?? source.scan(root, { stamps: false }), written: null, diagnostics: [diagnostic('EP306', message, { file: loc.file })] };
  }
}

/**
 * A lookup's write: at `target`, and when that is the directory and the write fails there (a
 * `.epindex` that is not ours or not a directory, a read-only filesystem), in the user cache,
 * so that later lookups find a fresh cache instead of scanning every time.
 */
export function writeSomewhere(dir: string, st: StatResult, source: Source, target: { loc: CacheLocation; create: boolean; real: string }, opts: CacheOptions): WriteOutcome {
  const w = scanAndWrite(dir, source, target, opts);
  if (w.written !== null || w.notCacheable === true || target.loc.kind === 'user') return w;
  const user = writeLocation(dir, st, false, source, opts);
  if (user === null) return w;
  const again = scanAndWrite(dir, source, user, opts);
  if (again.written !== null) return again;
  const [a, b] = [w.diagnostics[0], again.diagnostics[0]];
  const both = a && b ? [diagnostic('EP306', `${a.message} in the directory, and ${b.message} in the user cache (${b.file})`, { file: a.file })] : [...w.diagnostics, ...again.diagnostics];
  return { ...again, diagnostics: both };
}

// ---------------------------------------------------------------------------------------------
// Lookup decisions

/** What a lookup gets for one directory. */
export type EntryLoad =
  | { readonly from: 'cache'; readonly file: CacheFile; readonly location: CacheLocation; readonly diagnostics: Diagnostic[] }
  | { readonly from: 'scan'; readonly scan: DirectoryScan; readonly diagnostics: Diagnostic[] }
  | { readonly from: 'none'; readonly diagnostics: Diagnostic[] };

/** What a lookup will read of each cache (loaded and verified before the cache is used). */
export interface Needs {
  /** Sections to load: `g:<group>` names, `dists`, `names`, `diagnostics`… */
  readonly sections: (file: CacheFile) => readonly string[];
}

/**
 * One directory under one mode. Every section in `needs` is loaded and verified here, so that
 * a damaged section makes the cache ignored now rather than failing the lookup later.
 */
export function loadDirectory(dir: string, source: Source, mode: LoadMode, opts: CacheOptions, needs: Needs): EntryLoad {
  const root = dir === '' ? '.' : dir;
  const scanned = (diagnostics: Diagnostic[] = []): EntryLoad => ({ from: 'scan', scan: source.scan(root, { stamps: false }), diagnostics });
  if (mode === 'scan') return scanned();
  let st: StatResult | null;
  try {
    st = statPath(root);
  } catch {
    return scanned(); // unreadable: the scan says why
  }
  if (st === null || (!st.isDirectory() && !st.isFile())) return scanned();
  const level = opts.freshness ?? 'stat';
  const fast = fastPath(dir, source, mode, level, st, needs);
  if (fast !== null) return fast;
  const diagnostics: Diagnostic[] = [];
  const stale: string[] = [];
  let existingInDir = false;
  for (const loc of readLocations(dir, st.isDirectory(), source, opts, diagnostics)) {
    const r = readCacheAt(loc);
    if (r.state === 'missing') continue;
    if (loc.kind === 'in-directory') existingInDir = true;
    if (r.state !== 'ok') {
      diagnostics.push(diagnostic(r.code, `cache ignored: ${r.reason}`, { file: loc.file }));
      continue;
    }
    const { file } = r;
    const wrong = identityProblem(file, dir, st, source);
    if (wrong !== null) {
      // A cache of another directory (copied, or the directory was replaced) is never believed.
      settleReader(file);
      diagnostics.push(diagnostic('EP308', `cache ignored: ${wrong}`, { file: loc.file }));
      continue;
    }
    let f: FreshnessResult;
    try {
      if (mode === 'trust') {
        f = { fresh: true, worthRewriting: false };
      } else {
        f = checkFreshness({ dir, file, source, level, stat: st, need: (s) => loadSection(file, s) });
      }
      if (f.fresh) for (const s of needs.sections(file)) loadSection(file, s);
      if (f.fresh && !f.worthRewriting && mode !== 'trust' && listingUnchanged(file, st)) remember(dir, source, level, st, file, loc, mode);
    } catch (e) {
      settleReader(file);
      if (!(e instanceof CacheFormatError)) throw e;
      forget(loc.file);
      diagnostics.push(diagnostic(e.code, `cache ignored: ${e.message}`, { file: loc.file }));
      continue;
    }
    settleReader(file);
    if (f.fresh) {
      // Under auto, a cache whose stamps are outdated or racy is rewritten once the racy
      // window has passed, so that later lookups take the cheap path again; only where this
      // process may write it (a copy elsewhere would be shadowed by this one on every lookup).
      if (!(mode === 'auto' && f.worthRewriting && racyWindowPassed(file.header.scanned))) return { from: 'cache', file, location: loc, diagnostics };
      const target = writeLocation(dir, st, loc.kind === 'in-directory', source, opts);
      if (target === null || target.loc.kind !== loc.kind) return { from: 'cache', file, location: loc, diagnostics };
      const w = writeSomewhere(dir, st, source, target, opts);
      return { from: 'scan', scan: w.scan, diagnostics: [...diagnostics, ...w.diagnostics] };
    }
    stale.push(f.reason);
    diagnostics.push(diagnostic('EP305', `cache is stale: ${f.reason}`, { file: loc.file }));
  }
  if (mode === 'only') {
    diagnostics.push(diagnostic('EP307', stale.length > 0 ? `no fresh cache (${stale[0]}); contributes nothing` : 'no cache; contributes nothing', { file: dir }));
    return { from: 'none', diagnostics };
  }
  if (mode === 'auto') {
    // Refresh an in-directory cache that exists; otherwise write to the user cache (spec §5.1).
    const target = writeLocation(dir, st, existingInDir, source, opts);
    if (target !== null) {
      const w = writeSomewhere(dir, st, source, target, opts);
      return { from: 'scan', scan: w.scan, diagnostics: [...diagnostics, ...w.diagnostics] };
    }
  }
  return scanned(diagnostics);
}

/**
 * Within one process: a directory whose own stamp is exactly the one its cache was last found
 * fresh with (and not racy) still has the same listing, so the cache need not be opened again;
 * the `stat` and `full` levels still compare their watched stamps. Keyed by source, spelling
 * and level; a policy that wrote or rewrote is not remembered.
 */
interface Remembered {
  readonly file: CacheFile;
  readonly location: CacheLocation;
  readonly dev: number;
  readonly stamp: readonly number[];
}
const remembered = new Map<string, Remembered>();
const rememberKey = (dir: string, source: Source, level: Freshness): string => `${source.id}\0${level}\0${dir}`;

function remember(dir: string, source: Source, level: Freshness, st: StatResult, file: CacheFile, location: CacheLocation, mode: LoadMode): void {
  if (mode === 'scan') return;
  remembered.set(rememberKey(dir, source, level), { file, location, dev: st.dev, stamp: st.stamp });
}

function fastPath(dir: string, source: Source, mode: LoadMode, level: Freshness, st: StatResult, needs: Needs): EntryLoad | null {
  if (mode === 'scan' || mode === 'trust') return null;
  const key = rememberKey(dir, source, level);
  const r = remembered.get(key);
  if (r === undefined) return null;
  const s = st.stamp;
  if (r.dev !== st.dev || s[0] !== r.stamp[0] || s[2] !== r.stamp[2] || s[3] !== r.stamp[3] || s[4] !== r.stamp[4] || s[5] !== r.stamp[5] || s[1] !== r.stamp[1]) {
    remembered.delete(key);
    return null;
  }
  const { file } = r;
  try {
    if (level !== 'listing') {
      const f = checkFreshness({ dir, file, source, level, stat: st, need: (n) => loadSection(file, n) });
      if (!f.fresh || f.worthRewriting) {
        remembered.delete(key);
        return null;
      }
    }
    for (const n of needs.sections(file)) loadSection(file, n);
  } catch (e) {
    if (!(e instanceof CacheFormatError)) throw e;
    remembered.delete(key);
    return null;
  }
  return { from: 'cache', file, location: r.location, diagnostics: [] };
}

// ---------------------------------------------------------------------------------------------
// Status

export interface CacheStatus {
  readonly pathEntry: string;
  readonly state: CacheState;
  /** Why it is not fresh (or why it cannot be cached). */
  readonly reason: string | null;
  /** The cache file examined (the one used when fresh). */
  readonly file: string | null;
  readonly location: 'in-directory' | 'user' | null;
  readonly size: number | null;
  /** Seconds since the scan that produced it. */
  readonly ageSeconds: number | null;
  readonly distributions: number | null;
  /**
   * Fresh only after re-reading: some stamps were too close to the scan to prove anything (or
   * the directory's own stamp is outdated), so every check re-lists or re-reads them. Writing
   * the cache again more than 2 s after the last change makes checks cheap again.
   */
  readonly racy: boolean;
  /** When the scan behind it started (ms since the epoch), for settling. */
  readonly scannedAtMs: number | null;
}

/** The state of `dir`'s cache at `level`; verifies every section of a fresh cache. */
export function cacheStatusOf(dir: string, source: Source, opts: CacheOptions = {}): CacheStatus {
  const root = dir === '' ? '.' : dir;
  const none = (state: CacheState, reason: string | null): CacheStatus => ({ pathEntry: dir, state, reason, file: null, location: null, size: null, ageSeconds: null, distributions: null, racy: false, scannedAtMs: null });
  let st: StatResult | null;
  try {
    st = statPath(root);
  } catch (e) {
    return none('not-cacheable', `cannot be examined (${errnoCode(e)})`);
  }
  if (st === null) return none('not-cacheable', 'does not exist');
  if (!st.isDirectory() && !st.isFile()) return none('not-cacheable', 'neither a directory nor a file');
  if (!st.isDirectory() && source.scan(root, { stamps: false }).kind !== 'zip') return none('not-cacheable', 'a file that is not a zip archive');
  let first: CacheStatus | null = null;
  const untrusted: Diagnostic[] = [];
  for (const loc of readLocations(dir, st.isDirectory(), source, opts, untrusted)) {
    const r = readCacheAt(loc);
    if (r.state === 'missing') continue;
    const base = { pathEntry: dir, file: loc.file, location: loc.kind };
    let s: CacheStatus;
    if (r.state !== 'ok') {
      s = { ...base, state: r.state === 'untrusted' ? 'untrusted' : 'corrupt', reason: r.reason, size: null, ageSeconds: null, distributions: null, racy: false, scannedAtMs: null };
    } else {
      const { file } = r;
      const h = file.header;
      const scannedAtMs = h.scanned[0] * 1000 + h.scanned[1] / 1e6;
      const wrong = identityProblem(file, dir, st, source);
      if (wrong !== null) {
        settleReader(file);
        const s: CacheStatus = { ...base, state: 'foreign', reason: wrong, size: r.size, ageSeconds: null, distributions: null, racy: false, scannedAtMs: null };
        first ??= s;
        continue;
      }
      try {
        const f: FreshnessResult = checkFreshness({ dir, file, source, level: opts.freshness ?? 'stat', stat: st, need: (n) => loadSection(file, n) });
        if (f.fresh) for (const name of h.sections.keys()) loadSection(file, name);
        s = {
          ...base,
          state: f.fresh ? 'fresh' : 'stale',
          reason: f.fresh ? null : f.reason,
          size: r.size,
          ageSeconds: Math.max(0, Math.round((Date.now() - scannedAtMs) / 1000)),
          distributions: h.distributions,
          racy: f.fresh && f.worthRewriting,
          scannedAtMs,
        };
      } catch (e) {
        if (!(e instanceof CacheFormatError)) throw e;
        forget(loc.file);
        s = { ...base, state: 'corrupt', reason: e.message, size: r.size, ageSeconds: null, distributions: null, racy: false, scannedAtMs: null };
      } finally {
        settleReader(file);
      }
    }
    if (s.state === 'fresh') return s;
    first ??= s;
  }
  return first ?? none('missing', untrusted[0]?.message ?? null);
}

/** Drop every parsed cache of this process. */
export function forgetAll(): void {
  memo.clear();
  remembered.clear();
}
