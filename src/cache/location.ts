/**
 * Where a path entry's cache lives: in the directory itself (`.epindex/entry-points.v2.jsonl`)
 * when the user may write there, else in the user's private cache directory keyed by the
 * path entry's real path.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import envPaths from 'env-paths';
import { CACHE_VERSION } from './format.js';

/** The directory inside a path entry that holds its cache (a subdirectory, so that writing the cache does not change the path entry's own mtime). */
export const IN_DIR_CACHE_DIR = '.epindex';
export const IN_DIR_CACHE_FILE = `entry-points.v${CACHE_VERSION}.jsonl`;

export type CacheLocationKind = 'in-directory' | 'user';

export interface CacheLocation {
  readonly kind: CacheLocationKind;
  /** The directory holding the cache file (`<entry>/.epindex` or the user cache directory). */
  readonly dir: string;
  readonly file: string;
}

export function inDirectoryLocation(pathEntry: string): CacheLocation {
  const dir = path.join(pathEntry === '' ? '.' : pathEntry, IN_DIR_CACHE_DIR);
  return { kind: 'in-directory', dir, file: path.join(dir, IN_DIR_CACHE_FILE) };
}

/**
 * The user's cache root: `$EPINDEX_CACHE_DIR`, else the platform's cache directory
 * (`$XDG_CACHE_HOME/epindex` or `~/.cache/epindex` on Linux, `~/Library/Caches/epindex` on
 * macOS, `%LOCALAPPDATA%\epindex\Cache` on Windows).
 */
export function userCacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  const override = env['EPINDEX_CACHE_DIR'];
  return override ? path.resolve(override) : envPaths('epindex', { suffix: '' }).cache;
}

export function userLocation(root: string, realPath: string): CacheLocation {
  const dir = path.join(root, `entry-points.v${CACHE_VERSION}`);
  const key = createHash('sha256').update(realPath).digest('hex').slice(0, 40);
  return { kind: 'user', dir, file: path.join(dir, `${key}.jsonl`) };
}

const realPaths = new Map<string, string>();

/** The real path of a path entry, memoized per process (null when it cannot be resolved). */
export function realPathOf(pathEntry: string): string | null {
  const abs = path.resolve(pathEntry === '' ? '.' : pathEntry);
  let r = realPaths.get(abs);
  if (r === undefined) {
    try {
      r = fs.realpathSync.native(abs);
    } catch {
      return null;
    }
    realPaths.set(abs, r);
  }
  return r;
}
