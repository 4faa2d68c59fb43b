/**
 * The cache operations of the public API, for Python path entries (the npm source has its
 * own). The engine (src/cache/) is source-neutral; this module chooses the Python source.
 */
import { cacheStatus as statusOf, buildCaches as build, clearCache as clear, type BuildOptions, type BuildResult, type CacheStatus, type ClearResult } from './cache/store.js';
import type { CacheOptions } from './cache/engine.js';
import { cacheSettings } from './environment.js';
import { EpindexError } from './errors.js';
import { pythonSource } from './python/source.js';

function checked<T extends CacheOptions>(opts: T): T {
  if (typeof opts !== 'object' || opts === null) throw new EpindexError('INVALID_ARGUMENT', 'options must be an object');
  const { freshness } = cacheSettings({ freshness: opts.freshness });
  return { ...opts, freshness };
}

function entries(pathEntries: readonly string[]): readonly string[] {
  if (!Array.isArray(pathEntries) || !pathEntries.every((p) => typeof p === 'string')) throw new EpindexError('INVALID_ARGUMENT', 'path entries must be an array of strings');
  return pathEntries;
}

/**
 * Build the caches of several path entries (in the directories where allowed, else in the user
 * cache); fresh ones are left alone unless `force`. Asynchronous and never blocking: each
 * directory is scanned and written in a worker thread, and the racy window is waited out with a
 * timer (`settle`, default true).
 */
export async function buildCaches(pathEntries: readonly string[], opts: BuildOptions = {}): Promise<BuildResult[]> {
  return build(entries(pathEntries), pythonSource, checked(opts), 'worker');
}

/** Build one path entry's cache (see `buildCaches`). */
export async function buildCache(pathEntry: string, opts: BuildOptions = {}): Promise<BuildResult> {
  return (await buildCaches([pathEntry], opts))[0]!;
}

/** Whether a path entry's cache is fresh at the chosen level, where it is, and why not. */
export function cacheStatus(pathEntry: string, opts: CacheOptions = {}): CacheStatus {
  if (typeof pathEntry !== 'string') throw new EpindexError('INVALID_ARGUMENT', 'the path entry must be a string');
  return statusOf(pathEntry, pythonSource, checked(opts));
}

/** Remove a path entry's caches (in the directory when this process may, and in the user cache). */
export function clearCache(pathEntry: string, opts: CacheOptions = {}): ClearResult {
  return clear(pathEntry, checked(opts));
}

export type { BuildOptions, BuildResult, BuildProgress, CacheStatus, ClearResult } from './cache/store.js';
