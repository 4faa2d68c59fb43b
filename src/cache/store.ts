/**
 * The cache engine: locate, read (trust, integrity, freshness), write (atomic), and the
 * per-path-entry decision each lookup policy makes. One engine for every path entry kind.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { diagnostic, type Diagnostic } from '../diagnostics.js';
import { errnoCode } from '../errors.js';
import { entryIsEgg, listCandidates, scanPathEntry, type PathEntryScan, type StatFn } from '../python/discover.js';
import { CacheSectionError, scanView, type EntryView } from '../entry-view.js';
import { openCache, serializeCache, type CachedEntry } from './format.js';
import { checkFreshness, RACY_WINDOW_NS, type Freshness, type FreshnessResult } from './freshness.js';
import { inDirectoryLocation, realPathOf, userCacheRoot, userLocation, type CacheLocation } from './location.js';
import { trustProblem } from './trust.js';

/**
 * How a lookup uses caches (docs/spec.md §6):
 * - `scan`: ignore caches;
 * - `only`: fresh caches only; a path entry without one contributes nothing (with a diagnostic);
 * - `prefer`: fresh caches where they exist, scan the other path entries;
 * - `fallback`: believe trusted caches without freshness checks; when the requested group or
 *   name is absent from the answer, look again as `prefer` does;
 * - `auto` (default): `prefer`, and write fresh caches for stale or missing path entries.
 */
export type CachePolicy = 'scan' | 'only' | 'prefer' | 'fallback' | 'auto';
export const CACHE_POLICIES: readonly CachePolicy[] = ['scan', 'only', 'prefer', 'fallback', 'auto'];
export type { Freshness };

export interface CacheOptions {
  /** Default `stat`. */
  readonly freshness?: Freshness;
  /** The user cache root; default `$EPINDEX_CACHE_DIR` or the platform's cache directory. */
  readonly userCacheDir?: string;
  /** Test hook: the stat used for stamps and freshness. */
  readonly stat?: StatFn;
}

export type CacheState = 'fresh' | 'stale' | 'missing' | 'untrusted' | 'corrupt' | 'not-cacheable';

const uid = (): number => (typeof process.getuid === 'function' ? process.getuid() : 0);
const errCode = errnoCode;

// ---------------------------------------------------------------------------------------------
// Reading

type ReadResult =
  | { readonly state: 'missing' }
  | { readonly state: 'untrusted' | 'corrupt'; readonly reason: string; readonly code: 'EP301' | 'EP302' | 'EP303' | 'EP304' | 'EP308' }
  | { readonly state: 'ok'; readonly entry: CachedEntry; readonly scannedAtNs: bigint; readonly size: number };

interface Memo {
  readonly key: string;
  readonly entry: CachedEntry;
}
/** Parsed caches by file, keyed by the file's identity: a warm in-process lookup re-reads nothing unchanged. */
const memo = new Map<string, Memo>();

function lstatOrNull(p: string): fs.BigIntStats | null {
  try {
    return fs.lstatSync(p, { bigint: true });
  } catch {
    return null;
  }
}

function readCacheAt(loc: CacheLocation, pathEntry: string, entryStat: fs.BigIntStats | null): ReadResult {
  let fd: number;
  try {
    fd = fs.openSync(loc.file, fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0));
  } catch (e) {
    const code = errCode(e);
    if (code === 'ENOENT' || code === 'ENOTDIR') return { state: 'missing' };
    if (code === 'ELOOP') return { state: 'untrusted', code: 'EP304', reason: 'the cache path is a symbolic link' };
    return { state: 'untrusted', code: 'EP304', reason: `cannot be opened (${code})` };
  }
  try {
    const st = fs.fstatSync(fd, { bigint: true });
    const holder = lstatOrNull(loc.dir);
    if (holder === null) return { state: 'untrusted', code: 'EP304', reason: 'its directory cannot be examined' };
    const problem = trustProblem({ file: st, holder, ...(entryStat ? { entry: entryStat } : {}), private: loc.kind === 'user', uid: uid() });
    if (problem !== null) return { state: 'untrusted', code: 'EP304', reason: problem };
    const key = `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
    // Keyed by spelling too: records are bound to the path entry as spelled in the search path.
    const memoKey = `${loc.file}\0${pathEntry}`;
    const known = memo.get(memoKey);
    let entry: CachedEntry;
    if (known !== undefined && known.key === key) {
      entry = known.entry;
    } else {
      const opened = openCache(fs.readFileSync(fd), pathEntry);
      if (!opened.ok) return { state: 'corrupt', code: opened.code, reason: opened.reason };
      entry = opened.entry;
      memo.set(memoKey, { key, entry });
    }
    if (loc.kind === 'user' && entry.realPath !== realPathOf(pathEntry)) {
      return { state: 'corrupt', code: 'EP308', reason: `it describes ${entry.realPath}` };
    }
    return { state: 'ok', entry, scannedAtNs: st.mtimeNs, size: Number(st.size) };
  } catch (e) {
    return { state: 'corrupt', code: 'EP301', reason: `cannot be read (${errCode(e)})` };
  } finally {
    fs.closeSync(fd);
  }
}

/** The locations a path entry's cache may be read from, in order (the user cache's is computed only when reached). */
function* readLocations(pathEntry: string, isDir: boolean, opts: CacheOptions): Generator<CacheLocation> {
  if (isDir) yield inDirectoryLocation(pathEntry);
  const real = realPathOf(pathEntry);
  if (real !== null) yield userLocation(opts.userCacheDir ?? userCacheRoot(), real);
}

// ---------------------------------------------------------------------------------------------
// Writing

const TMP_MAX_AGE_MS = 10 * 60 * 1000;

/** Where a new cache for this path entry goes: in the directory when we may write there and a cache we write there would be trusted; else the user cache. */
function writeLocation(pathEntry: string, listingHint: readonly string[] | null, entryStat: fs.BigIntStats, opts: CacheOptions): CacheLocation | null {
  const me = BigInt(uid());
  if (entryStat.isDirectory() && (me === 0n || me === entryStat.uid) && !(entryStat.mode & 0o002n) && process.platform !== 'win32') {
    // Only directories that hold distributions get a cache of their own: the stdlib and
    // lib-dynload directories are left untouched (their caches go to the user cache).
    let holdsDists: boolean;
    try {
      holdsDists = (listingHint ?? listCandidates(pathEntry === '' ? '.' : pathEntry, entryIsEgg(pathEntry)).map((d) => d.name)).length > 0;
    } catch {
      holdsDists = false;
    }
    if (holdsDists) {
      try {
        fs.accessSync(pathEntry === '' ? '.' : pathEntry, fs.constants.W_OK);
        return inDirectoryLocation(pathEntry);
      } catch {
        // not writable (read-only filesystem, ACLs): fall through to the user cache
      }
    }
  }
  const real = realPathOf(pathEntry);
  return real === null ? null : userLocation(opts.userCacheDir ?? userCacheRoot(), real);
}

function prepareHolder(loc: CacheLocation, opts: CacheOptions): void {
  if (loc.kind === 'user') {
    const root = opts.userCacheDir ?? userCacheRoot();
    fs.mkdirSync(loc.dir, { recursive: true, mode: 0o700 });
    for (const d of [root, loc.dir]) {
      const st = fs.lstatSync(d);
      if (!st.isDirectory()) throw Object.assign(new Error(`${d} is not a directory`), { code: 'ENOTDIR' });
      if ((st.mode & 0o077) !== 0 && st.uid === uid()) fs.chmodSync(d, 0o700);
    }
    return;
  }
  try {
    fs.mkdirSync(loc.dir, { mode: 0o755 });
  } catch (e) {
    if (errCode(e) !== 'EEXIST') throw e;
  }
  const st = fs.lstatSync(loc.dir);
  if (!st.isDirectory()) throw Object.assign(new Error(`${loc.dir} is not a directory (a symlink?)`), { code: 'ENOTDIR' });
}

function removeStaleTemporaries(dir: string): void {
  try {
    const now = Date.now();
    for (const name of fs.readdirSync(dir)) {
      if (!name.endsWith('.tmp')) continue;
      const p = path.join(dir, name);
      const st = fs.lstatSync(p, { throwIfNoEntry: false });
      if (st?.isFile() && now - st.mtimeMs > TMP_MAX_AGE_MS) fs.rmSync(p, { force: true });
    }
  } catch {
    // best effort
  }
}

export interface WriteOutcome {
  readonly scan: PathEntryScan;
  readonly written: CacheLocation | null;
  readonly diagnostics: Diagnostic[];
}

/**
 * Scan a path entry and write its cache atomically: a temporary file in the cache's own
 * directory (created exclusively, never through a symlink), fsync, rename over the cache.
 * The temporary file's birth time on that filesystem's clock is the scan's start; it becomes
 * the cache file's mtime (see freshness.ts). Any failure leaves the old cache untouched and
 * returns the scan with an EP306 diagnostic.
 */
export function scanAndWrite(pathEntry: string, opts: CacheOptions): WriteOutcome {
  const stat = opts.stat;
  const root = pathEntry === '' ? '.' : pathEntry;
  let entryStat: fs.BigIntStats;
  try {
    entryStat = fs.statSync(root, { bigint: true });
  } catch {
    return { scan: scanPathEntry(pathEntry), written: null, diagnostics: [] };
  }
  if (!entryStat.isDirectory() && !entryStat.isFile()) return { scan: scanPathEntry(pathEntry), written: null, diagnostics: [] };
  const loc = writeLocation(pathEntry, null, entryStat, opts);
  const fallbackScan = (): PathEntryScan => scanPathEntry(pathEntry);
  if (loc === null) return { scan: fallbackScan(), written: null, diagnostics: [] };
  const failed = (e: unknown, what: string): WriteOutcome => ({
    scan: fallbackScan(),
    written: null,
    diagnostics: [diagnostic('EP306', `${what} (${errCode(e)}: ${(e as Error).message ?? ''})`.replace(/: \)$/, ')'), { file: loc.file })],
  });
  try {
    prepareHolder(loc, opts);
  } catch (e) {
    return failed(e, 'cannot prepare the cache directory');
  }
  removeStaleTemporaries(loc.dir);
  const tmp = path.join(loc.dir, `${path.basename(loc.file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let fd: number;
  try {
    fd = fs.openSync(tmp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | (fs.constants.O_NOFOLLOW ?? 0), loc.kind === 'user' ? 0o600 : 0o644);
  } catch (e) {
    return failed(e, 'cannot create the cache file');
  }
  let scan: PathEntryScan | null = null;
  try {
    const scannedAtNs = fs.fstatSync(fd, { bigint: true }).mtimeNs;
    scan = scanPathEntry(pathEntry, { stamps: true, ...(stat ? { stat } : {}) });
    if (scan.kind !== 'directory' && scan.kind !== 'zip') throw Object.assign(new Error('the path entry cannot be scanned'), { code: 'ENOTSUP' });
    const text = serializeCache({ kind: scan.kind, realPath: realPathOf(pathEntry) ?? path.resolve(root), scan });
    const buf = Buffer.from(text, 'utf8');
    let off = 0;
    while (off < buf.length) off += fs.writeSync(fd, buf, off, buf.length - off);
    const at = Number(scannedAtNs - 1_000_000n) / 1e9;
    fs.futimesSync(fd, at, at);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = -1;
    fs.renameSync(tmp, loc.file);
    return { scan, written: loc, diagnostics: [] };
  } catch (e) {
    if (fd >= 0) {
      try {
        fs.closeSync(fd);
      } catch {
        // already failing
      }
    }
    fs.rmSync(tmp, { force: true });
    const out = failed(e, 'cannot write the cache');
    return scan !== null ? { ...out, scan } : out;
  }
}

// ---------------------------------------------------------------------------------------------
// Lookup decisions

export interface EntryLoad {
  /** What the lookup reads. */
  readonly view: EntryView;
  /** Where the answer came from. `none` = contributes nothing (`only` without a fresh cache). */
  readonly source: 'cache' | 'scan' | 'none';
  readonly diagnostics: Diagnostic[];
  /** The same content as whole records (parses every section of a cache). */
  readonly scan: PathEntryScan;
}

/** `trust` is `fallback`'s first phase: believe any trusted, intact cache without freshness checks. */
export type LoadMode = Exclude<CachePolicy, 'fallback'> | 'trust';

function load(view: EntryView, source: EntryLoad['source'], diagnostics: Diagnostic[]): EntryLoad {
  return {
    view,
    source,
    diagnostics,
    get scan() {
      return view.toScan();
    },
  };
}

const scanned = (scan: PathEntryScan, diagnostics: Diagnostic[] = []): EntryLoad => load(scanView(scan), 'scan', diagnostics);

/**
 * One path entry under one policy. `need.group` says what the lookup will read (undefined:
 * every group): those sections of a cache are parsed and verified here, so that a damaged
 * section makes the cache ignored now rather than failing the lookup later.
 */
export function loadPathEntry(pathEntry: string, mode: LoadMode, opts: CacheOptions = {}, need: { readonly group?: string | undefined } = {}): EntryLoad {
  if (mode === 'scan') return scanned(scanPathEntry(pathEntry));
  const root = pathEntry === '' ? '.' : pathEntry;
  let entryStat: fs.BigIntStats;
  try {
    entryStat = fs.statSync(root, { bigint: true });
  } catch {
    return scanned(scanPathEntry(pathEntry)); // missing or unreadable: the scan says which
  }
  const isDir = entryStat.isDirectory();
  if (!isDir && !entryStat.isFile()) return scanned(scanPathEntry(pathEntry));
  const diagnostics: Diagnostic[] = [];
  const stale: string[] = [];
  for (const loc of readLocations(pathEntry, isDir, opts)) {
    // The directory itself (stat, not lstat): a path entry spelled through a symlink is judged
    // by the directory the cache is in, not by the link's own meaningless 0777 mode.
    const r = readCacheAt(loc, pathEntry, loc.kind === 'in-directory' ? entryStat : null);
    if (r.state === 'missing') continue;
    if (r.state !== 'ok') {
      diagnostics.push(diagnostic(r.code, `cache ignored: ${r.reason}`, { file: loc.file }));
      continue;
    }
    let f: FreshnessResult = { fresh: true, worthRewriting: false };
    try {
      if (mode !== 'trust') f = checkFreshness(pathEntry, r.entry, { level: opts.freshness ?? 'stat', scannedAtNs: r.scannedAtNs, ...(opts.stat ? { stat: opts.stat } : {}) });
      if (f.fresh) r.entry.prepare(need);
    } catch (e) {
      if (!(e instanceof CacheSectionError)) throw e;
      forget(loc.file);
      diagnostics.push(diagnostic(e.code, `cache ignored: ${e.message}`, { file: loc.file }));
      continue;
    }
    if (f.fresh) {
      // Under auto, a cache whose stamps are outdated or racy is rewritten once the racy
      // window has passed, so that later lookups take the cheap path again. Only in place:
      // a copy elsewhere (the user cache, for whoever cannot write this directory) would be
      // rewritten on every lookup, since readers keep finding this one first.
      const rewrite = mode === 'auto' && f.worthRewriting && BigInt(Date.now()) * 1_000_000n - r.scannedAtNs > RACY_WINDOW_NS &&
        writeLocation(pathEntry, r.entry.listing, entryStat, opts)?.file === loc.file;
      if (!rewrite) return load(r.entry, 'cache', diagnostics);
      break;
    }
    stale.push(f.reason);
    diagnostics.push(diagnostic('EP305', `cache is stale: ${f.reason}`, { file: loc.file }));
  }
  if (mode === 'only') {
    diagnostics.push(diagnostic('EP307', stale.length > 0 ? `no fresh cache (${stale[0]}); contributes nothing` : 'no cache; contributes nothing', { file: pathEntry }));
    return load(scanView({ pathEntry, kind: isDir ? 'directory' : 'zip', dists: [], diagnostics: [], listing: [] }), 'none', diagnostics);
  }
  if (mode === 'auto') {
    const w = scanAndWrite(pathEntry, opts);
    return scanned(w.scan, [...diagnostics, ...w.diagnostics]);
  }
  return scanned(scanPathEntry(pathEntry), diagnostics);
}

/** Drop a file's parsed cache (it turned out damaged). */
function forget(file: string): void {
  for (const key of memo.keys()) if (key.startsWith(file + '\0')) memo.delete(key);
}

// ---------------------------------------------------------------------------------------------
// Status, build, clear

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
}

export function cacheStatusOf(pathEntry: string, opts: CacheOptions = {}): CacheStatus {
  const root = pathEntry === '' ? '.' : pathEntry;
  const none = (state: CacheState, reason: string | null): CacheStatus => ({ pathEntry, state, reason, file: null, location: null, size: null, ageSeconds: null, distributions: null, racy: false });
  let entryStat: fs.BigIntStats;
  try {
    entryStat = fs.statSync(root, { bigint: true });
  } catch (e) {
    return none('not-cacheable', errCode(e) === 'ENOENT' ? 'does not exist' : `cannot be examined (${errCode(e)})`);
  }
  const isDir = entryStat.isDirectory();
  if (!isDir && !entryStat.isFile()) return none('not-cacheable', 'neither a directory nor a file');
  if (!isDir && scanPathEntry(pathEntry).kind !== 'zip') return none('not-cacheable', 'a file that is not a zip archive');
  let first: CacheStatus | null = null;
  for (const loc of readLocations(pathEntry, isDir, opts)) {
    const r = readCacheAt(loc, pathEntry, loc.kind === 'in-directory' ? entryStat : null);
    if (r.state === 'missing') continue;
    const base = { pathEntry, file: loc.file, location: loc.kind };
    let s: CacheStatus;
    if (r.state !== 'ok') {
      s = { ...base, state: r.state, reason: r.reason, size: null, ageSeconds: null, distributions: null, racy: false };
    } else {
      try {
        const f = checkFreshness(pathEntry, r.entry, { level: opts.freshness ?? 'stat', scannedAtNs: r.scannedAtNs, ...(opts.stat ? { stat: opts.stat } : {}) });
        if (f.fresh) r.entry.prepare({});
        s = {
          ...base,
          state: f.fresh ? 'fresh' : 'stale',
          reason: f.fresh ? null : f.reason,
          size: r.size,
          ageSeconds: Math.max(0, Math.round((Date.now() - Number(r.scannedAtNs / 1_000_000n)) / 1000)),
          distributions: r.entry.summaries.length,
          racy: f.fresh && f.worthRewriting,
        };
      } catch (e) {
        if (!(e instanceof CacheSectionError)) throw e;
        forget(loc.file);
        s = { ...base, state: 'corrupt', reason: e.message, size: r.size, ageSeconds: null, distributions: null, racy: false };
      }
    }
    if (s.state === 'fresh') return s;
    first ??= s;
  }
  return first ?? none('missing', null);
}

export interface BuildResult {
  readonly pathEntry: string;
  readonly outcome: 'unchanged' | 'written' | 'failed' | 'skipped';
  readonly file: string | null;
  readonly reason: string | null;
  readonly distributions: number;
  readonly diagnostics: Diagnostic[];
}

export interface BuildOptions extends CacheOptions {
  /** Write even when the cache is fresh. */
  readonly force?: boolean;
  /**
   * When a cache comes out racy (something changed within 2 s of the scan, as right after
   * `pip install`), wait until those 2 s have passed and write it once more, so that lookups
   * take the cheap path. At most one wait per call, whatever the number of entries. Default
   * false (a library call should not sleep unasked); `epi cache build|rebuild` settle.
   */
  readonly settle?: boolean;
  /** Called before each path entry is built (progress display). */
  readonly onEntry?: (index: number, pathEntry: string) => void;
}

function buildOne(pathEntry: string, opts: BuildOptions): BuildResult {
  const status = cacheStatusOf(pathEntry, opts);
  if (status.state === 'not-cacheable') return { pathEntry, outcome: 'skipped', file: null, reason: status.reason, distributions: 0, diagnostics: [] };
  if (status.state === 'fresh' && !opts.force) {
    return { pathEntry, outcome: 'unchanged', file: status.file, reason: null, distributions: status.distributions ?? 0, diagnostics: [] };
  }
  const w = scanAndWrite(pathEntry, opts);
  if (w.written === null) {
    return { pathEntry, outcome: 'failed', file: null, reason: w.diagnostics[0]?.message ?? 'no writable cache location', distributions: w.scan.dists.length, diagnostics: w.diagnostics };
  }
  const reason = status.state === 'missing' ? null : status.state === 'fresh' ? 'forced' : status.reason ?? status.state;
  return { pathEntry, outcome: 'written', file: w.written.file, reason, distributions: w.scan.dists.length, diagnostics: w.diagnostics };
}

function sleepMs(ms: number): void {
  if (ms > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Build the caches of several path entries; fresh ones are left alone unless `force`. */
export function buildCaches(pathEntries: readonly string[], opts: BuildOptions = {}): BuildResult[] {
  const results = pathEntries.map((p, i) => {
    opts.onEntry?.(i, p);
    return buildOne(p, opts);
  });
  if (opts.settle !== true) return results;
  // Settle racy caches: one wait for all of them, then one more write each.
  const racy: number[] = [];
  let until = 0;
  for (const [i, r] of results.entries()) {
    if (r.outcome !== 'written' && r.outcome !== 'unchanged') continue;
    const s = cacheStatusOf(r.pathEntry, opts);
    if (!s.racy || s.file === null) continue;
    racy.push(i);
    const mtime = fs.statSync(s.file, { throwIfNoEntry: false })?.mtimeMs ?? 0;
    until = Math.max(until, mtime + Number(RACY_WINDOW_NS / 1_000_000n) + 10);
  }
  if (racy.length === 0) return results;
  sleepMs(until - Date.now());
  for (const i of racy) {
    const before = results[i]!;
    const again = buildOne(before.pathEntry, { ...opts, force: true });
    results[i] = again.outcome !== 'written' ? again : { ...again, reason: before.outcome === 'written' ? before.reason : 'settled racy stamps' };
  }
  return results;
}

/** Build one path entry's cache (see `buildCaches`). */
export function buildCache(pathEntry: string, opts: BuildOptions = {}): BuildResult {
  return buildCaches([pathEntry], opts)[0]!;
}

/** Remove a path entry's caches (in the directory, when ours to remove, and in the user cache). */
export function clearCache(pathEntry: string, opts: CacheOptions = {}): string[] {
  const removed: string[] = [];
  const root = pathEntry === '' ? '.' : pathEntry;
  const isDir = fs.statSync(root, { throwIfNoEntry: false })?.isDirectory() ?? false;
  for (const loc of readLocations(pathEntry, isDir, opts)) {
    const st = lstatOrNull(loc.file);
    if (st === null) continue;
    try {
      fs.rmSync(loc.file, { force: true });
      removed.push(loc.file);
      if (loc.kind === 'in-directory') {
        for (const name of fs.readdirSync(loc.dir)) if (name.endsWith('.tmp')) fs.rmSync(path.join(loc.dir, name), { force: true });
        fs.rmdirSync(loc.dir);
      }
    } catch {
      // not ours to remove, or the directory holds something else: leave it
    }
  }
  memo.clear();
  return removed;
}
