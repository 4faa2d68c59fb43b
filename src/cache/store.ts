/**
 * The cache's public operations: build (explicitly, in the directory where allowed), status,
 * clear. Lookups go through engine.ts.
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import type { Worker } from 'node:worker_threads';
import type { Diagnostic } from '../diagnostics.js';
import { EpindexError, type ErrorCode } from '../errors.js';
import { cacheStatusOf as statusOf, forgetAll, untrustedRoot, writeLocation, writeSomewhere, type CacheOptions, type CacheStatus } from './engine.js';
import { inDirectoryLocation, OLDER_CACHE_FILES, realPathOf, userCacheRoot, userLocation } from './location.js';
import type { Source } from './source.js';
import { RACY_WINDOW_MS, statPath } from './stamp.js';
import { currentUid, writeProblem } from './trust.js';
import { userRootProblem } from './user-root.js';

export { CACHE_POLICIES, type CacheOptions, type CachePolicy, type CacheState, type CacheStatus } from './engine.js';
export type { Freshness } from './freshness.js';

export interface BuildResult {
  readonly pathEntry: string;
  readonly outcome: 'unchanged' | 'written' | 'failed' | 'skipped';
  readonly file: string | null;
  readonly location: 'in-directory' | 'user' | null;
  readonly reason: string | null;
  readonly distributions: number;
  readonly diagnostics: Diagnostic[];
}

/** What a build reports as it goes (for progress displays). */
export type BuildProgress =
  | { readonly phase: 'build'; readonly index: number; readonly total: number; readonly pathEntry: string }
  /** Path entry `index` is being scanned: `done` of its `total` candidates read (at most ~20 a second). */
  | { readonly phase: 'scan'; readonly index: number; readonly pathEntry: string; readonly done: number; readonly total: number }
  | { readonly phase: 'settle'; readonly waitMs: number; readonly entries: number }
  | { readonly phase: 'done'; readonly total: number };

export interface BuildOptions extends CacheOptions {
  /** Write even when the cache is fresh. */
  readonly force?: boolean;
  /**
   * When a cache comes out racy (something changed within 2 s of the scan, as right after
   * `pip install`), wait until those 2 s have passed and write it once more, so that lookups
   * take the cheap path. At most one wait per call. Default true.
   */
  readonly settle?: boolean;
  /**
   * Write caches into the directories themselves where allowed (default true: an explicit
   * build is how an in-directory cache comes to exist). `false`: the user cache only.
   */
  readonly inDirectory?: boolean | ((pathEntry: string) => boolean);
  readonly onProgress?: (p: BuildProgress) => void;
}

/** How one directory is built: in this thread, or in the build worker. */
type Builder = { build(pathEntry: string, force: boolean, onScan?: (done: number, total: number) => void): Promise<BuildResult>; close(): void };

function inThread(source: Source, opts: BuildOptions): Builder {
  return { build: async (p, force, onScan) => buildOne(p, source, onScan === undefined ? opts : { ...opts, onScan }, force), close: () => undefined };
}

/**
 * The build worker (build-worker.ts, next to this module or to the bundle that holds it), or
 * `null` when it cannot be started (a bundle without it): then directories are built in this
 * thread, between ticks. A worker that dies (out of memory under a small `--max-old-space-size`,
 * killed) fails the directory it was building — a `failed` result saying why, never an
 * exception — and the next directory gets a new worker.
 */
function inWorker(source: Source, opts: BuildOptions): Builder | null {
  const url = new URL('./build-worker.js', import.meta.url);
  let W: typeof import('node:worker_threads').Worker;
  try {
    if (url.protocol !== 'file:' || !fs.existsSync(url)) return null;
    // createRequire keeps worker_threads out of every lookup's start-up: only builds load it.
    W = (createRequire(import.meta.url)('node:worker_threads') as typeof import('node:worker_threads')).Worker;
  } catch {
    return null;
  }
  const { onProgress: _p, inDirectory, ...plain } = opts;
  let worker: Worker | null = null;
  let current: { pathEntry: string; resolve: (r: BuildResult) => void; reject: (e: unknown) => void; onScan?: ((done: number, total: number) => void) | undefined } | null = null;
  const died = (why: string): void => {
    worker = null;
    const c = current;
    current = null;
    c?.resolve({ pathEntry: c.pathEntry, outcome: 'failed', file: null, location: null, reason: `the cache build worker ${why}`, distributions: 0, diagnostics: [] });
  };
  const start = (): Worker => {
    const w = new W(url, { stdout: false, stderr: false });
    w.on('message', (m: { result?: BuildResult; error?: { name: string; message: string; code?: unknown; stack?: string }; scanned?: [number, number] }) => {
      const c = current;
      if (c === null || w !== worker) return;
      if (m.scanned !== undefined) return c.onScan?.(m.scanned[0], m.scanned[1]);
      current = null;
      if (m.error === undefined) return c.resolve(m.result!);
      const e = m.error.name === 'EpindexError' && typeof m.error.code === 'string' ? new EpindexError(m.error.code as ErrorCode, m.error.message) : Object.assign(new Error(m.error.message), { name: m.error.name, code: m.error.code });
      if (m.error.stack !== undefined) e.stack = m.error.stack;
      c.reject(e);
    });
    w.on('error', (e: NodeJS.ErrnoException) => {
      if (w !== worker) return;
      died(e.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'ran out of memory (the JavaScript heap limit: raise it with NODE_OPTIONS=--max-old-space-size=MiB)' : `failed: ${e.message}`);
    });
    w.on('exit', (code) => {
      if (w === worker) died(`exited (${code})`);
    });
    return w;
  };
  return {
    build: (pathEntry, force, onScan) =>
      new Promise<BuildResult>((resolve, reject) => {
        try {
          worker ??= start();
        } catch (e) {
          return reject(e);
        }
        current = { pathEntry, resolve, reject, onScan };
        const inDir = typeof inDirectory === 'function' ? inDirectory(pathEntry) : inDirectory ?? true;
        const { onScan: _s, ...cloneable } = plain;
        worker.postMessage({ id: 0, pathEntry, source: source.id, opts: { ...cloneable, inDirectory: inDir }, force, progress: onScan !== undefined });
      }),
    close: () => {
      const w = worker;
      worker = null;
      void w?.terminate();
    },
  };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

function buildOne(pathEntry: string, source: Source, opts: BuildOptions, force: boolean): BuildResult {
  const status = statusOf(pathEntry, source, opts);
  const none = { file: null, location: null, diagnostics: [] };
  if (status.state === 'not-cacheable') return { pathEntry, outcome: 'skipped', reason: status.reason, distributions: 0, ...none };
  const inDir = typeof opts.inDirectory === 'function' ? opts.inDirectory(pathEntry) : opts.inDirectory ?? true;
  const st = statPath(pathEntry === '' ? '.' : pathEntry);
  if (st === null) return { pathEntry, outcome: 'skipped', reason: 'does not exist', distributions: 0, ...none };
  const target = writeLocation(pathEntry, st, inDir, source, opts);
  const sameLocation = status.file !== null && target !== null && (status.location === target.loc.kind);
  if (status.state === 'fresh' && !force && sameLocation) {
    return { pathEntry, outcome: 'unchanged', file: status.file, location: status.location, reason: null, distributions: status.distributions ?? 0, diagnostics: [] };
  }
  if (target === null) {
    const root = opts.userCacheDir ?? userCacheRoot();
    const why = realPathOf(pathEntry) === null ? null : userRootProblem(root);
    if (why === null) return { pathEntry, outcome: 'failed', reason: 'no cache location can be used (the real path cannot be resolved)', distributions: 0, ...none };
    const d = untrustedRoot(root, why);
    return { pathEntry, outcome: 'failed', reason: d.message, distributions: 0, file: null, location: null, diagnostics: [d] };
  }
  const w = writeSomewhere(pathEntry, st, source, target, opts);
  const count = w.scan.units.length;
  if (w.written === null) {
    return { pathEntry, outcome: 'failed', file: null, location: null, reason: w.diagnostics[0]?.message ?? 'no writable cache location', distributions: count, diagnostics: w.diagnostics };
  }
  const fellBack = target.loc.kind === 'in-directory' && w.written.kind === 'user';
  const why = status.state === 'missing' ? null : status.state === 'fresh' ? (force ? 'forced' : `moved to the ${w.written.kind === 'user' ? 'user cache' : 'directory'}`) : status.reason ?? status.state;
  const reason = fellBack ? [why, 'the directory cannot hold it: written to the user cache'].filter(Boolean).join('; ') : why;
  return { pathEntry, outcome: 'written', file: w.written.file, location: w.written.kind, reason, distributions: count, diagnostics: w.diagnostics };
}

/** Build one directory's cache now, without settling (tests, and callers that settle themselves). */
export function buildCacheSync(pathEntry: string, source: Source, opts: BuildOptions = {}): BuildResult {
  return buildOne(pathEntry, source, opts, opts.force === true);
}

/**
 * Build the caches of several directories; fresh ones are left alone unless `force`. `worker`:
 * each directory is scanned and written in a worker thread (the library's way: the caller's
 * event loop is never blocked); `thread` (the CLI, tests): here, yielding between directories.
 * The racy window is waited out with a timer.
 */
export async function buildCaches(pathEntries: readonly string[], source: Source, opts: BuildOptions = {}, where: 'worker' | 'thread' = 'thread'): Promise<BuildResult[]> {
  const builder = (where === 'worker' && pathEntries.length > 0 ? inWorker(source, opts) : null) ?? inThread(source, opts);
  try {
    return await buildAll(pathEntries, source, opts, builder);
  } finally {
    builder.close();
  }
}

async function buildAll(pathEntries: readonly string[], source: Source, opts: BuildOptions, builder: Builder): Promise<BuildResult[]> {
  const results: BuildResult[] = [];
  for (const [index, p] of pathEntries.entries()) {
    const { onProgress } = opts;
    onProgress?.({ phase: 'build', index, total: pathEntries.length, pathEntry: p });
    results.push(await builder.build(p, opts.force === true, onProgress && ((done, total) => onProgress({ phase: 'scan', index, pathEntry: p, done, total }))));
    await tick();
  }
  if (opts.settle !== false) {
    // Settle racy caches: one wait for all of them, then one more write each.
    const racy: number[] = [];
    let until = 0;
    for (const [i, r] of results.entries()) {
      if (r.outcome !== 'written' && r.outcome !== 'unchanged') continue;
      const s = statusOf(r.pathEntry, source, opts);
      if (!s.racy || s.scannedAtMs === null) continue;
      racy.push(i);
      until = Math.max(until, s.scannedAtMs + RACY_WINDOW_MS + 20);
    }
    if (racy.length > 0) {
      const waitMs = Math.max(0, until - Date.now());
      opts.onProgress?.({ phase: 'settle', waitMs, entries: racy.length });
      await sleep(waitMs);
      for (const i of racy) {
        const before = results[i]!;
        const again = await builder.build(before.pathEntry, true);
        results[i] = again.outcome !== 'written' ? again : { ...again, reason: before.outcome === 'written' ? before.reason : 'settled racy stamps' };
        await tick();
      }
    }
  }
  opts.onProgress?.({ phase: 'done', total: pathEntries.length });
  return results;
}

export function cacheStatus(pathEntry: string, source: Source, opts: CacheOptions = {}): CacheStatus {
  return statusOf(pathEntry, source, opts);
}

export interface ClearResult {
  readonly removed: string[];
  /** In-directory caches left alone, and why (owned by someone else, unsafe path). */
  readonly kept: { readonly file: string; readonly reason: string }[];
}

/**
 * Remove a directory's caches: in the directory when this process may write there (trust.ts's
 * rule: never in a directory another user could change under it), and in the user cache.
 * Files of earlier format versions go too.
 */
export function clearCache(pathEntry: string, opts: CacheOptions = {}, source?: Source): ClearResult {
  if (typeof pathEntry !== 'string') throw new EpindexError('INVALID_ARGUMENT', 'clearCache: the path entry must be a string');
  const removed: string[] = [];
  const kept: { file: string; reason: string }[] = [];
  const real = realPathOf(pathEntry);
  if (real !== null) {
    const loc = inDirectoryLocation(real, source?.cacheName);
    const holder = fs.lstatSync(loc.dir, { throwIfNoEntry: false });
    if (holder !== undefined) {
      const why = writeProblem(real) ?? (!holder.isDirectory() ? '.epindex is not a directory' : process.platform !== 'win32' && holder.uid !== currentUid() ? `.epindex belongs to uid ${holder.uid}` : null);
      if (why !== null) {
        kept.push({ file: loc.dir, reason: why });
      } else {
        for (const name of fs.readdirSync(loc.dir)) {
          if (name !== path.basename(loc.file) && !OLDER_CACHE_FILES.includes(name) && !name.endsWith('.tmp')) continue;
          const p = path.join(loc.dir, name);
          const st = fs.lstatSync(p, { throwIfNoEntry: false });
          if (st === undefined || st.isDirectory()) continue;
          fs.rmSync(p, { force: true });
          removed.push(p);
        }
        try {
          fs.rmdirSync(loc.dir);
        } catch {
          // it holds something else: leave it
        }
      }
    }
    for (const root of [opts.userCacheDir ?? userCacheRoot()]) {
      // Nothing under a root that is not trusted is removed either (§5.5).
      if (userRootProblem(root) !== null) continue;
      const u = userLocation(root, real, source?.cacheName);
      if (fs.lstatSync(u.file, { throwIfNoEntry: false }) !== undefined) {
        fs.rmSync(u.file, { force: true });
        removed.push(u.file);
      }
    }
  }
  forgetAll();
  return { removed, kept };
}
