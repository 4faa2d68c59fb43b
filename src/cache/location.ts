/**
 * Where a directory's cache lives: in the directory itself (`.epindex/entry-points.v3.jsonl`),
 * or in the user's private cache directory keyed by the directory's real path.
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fsPath } from '../fsnames.js';
import { CACHE_VERSION } from './format.js';

/** The directory inside a path entry that holds its cache (a subdirectory, so that writing the cache does not change the path entry's own mtime). */
export const IN_DIR_CACHE_DIR = '.epindex';
export const IN_DIR_CACHE_FILE = `entry-points.v${CACHE_VERSION}.jsonl`;
/** The default cache name (the Python source's); other sources name their own (Source.cacheName). */
export const DEFAULT_CACHE_NAME = 'entry-points';
/** Files of earlier format versions that `clear` also removes. */
export const OLDER_CACHE_FILES = ['entry-points.v1.json', 'entry-points.v2.jsonl', 'entry-points.v3.jsonl', 'npm-entry-points.v3.jsonl'];

export type CacheLocationKind = 'in-directory' | 'user';

export interface CacheLocation {
  readonly kind: CacheLocationKind;
  /** The directory holding the cache file (`<entry>/.epindex` or the user cache directory). */
  readonly dir: string;
  readonly file: string;
}

export function inDirectoryLocation(dir: string, cacheName: string = DEFAULT_CACHE_NAME): CacheLocation {
  const holder = path.join(dir === '' ? '.' : dir, IN_DIR_CACHE_DIR);
  return { kind: 'in-directory', dir: holder, file: path.join(holder, `${cacheName}.v${CACHE_VERSION}.jsonl`) };
}

export { userCacheRoot } from './user-root.js';

type Crypto = typeof import('node:crypto');
let crypto: Crypto | undefined;

/** The user-cache file of a directory whose real path is `realPath`. */
export function userLocation(root: string, realPath: string, cacheName: string = DEFAULT_CACHE_NAME): CacheLocation {
  const dir = path.join(root, `entry-points.v${CACHE_VERSION}`);
  // node:crypto costs ~1 ms to load: only lookups that reach the user cache pay it.
  crypto ??= createRequire(import.meta.url)('node:crypto') as Crypto;
  // The path's bytes (os.fsencode), as the Python reader hashes them: a name that is not UTF-8
  // gives the same key on both sides.
  const key = crypto.createHash('sha256').update(fsPath(realPath)).digest('hex').slice(0, 40);
  return { kind: 'user', dir, file: path.join(dir, cacheName === DEFAULT_CACHE_NAME ? `${key}.jsonl` : `${key}.${cacheName}.jsonl`) };
}

const realPaths = new Map<string, string>();

/**
 * The real path of a directory, memoized per process (null when it cannot be resolved, which
 * is not memoized). A stale memo can only make a cache look like another directory's (then it
 * is rebuilt), never the reverse: the device and inode are compared as well.
 */
export function realPathOf(dir: string): string | null {
  const abs = path.resolve(dir === '' ? '.' : dir);
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

/** Forget memoized real paths (a directory was replaced, e.g. in tests). */
export function forgetRealPaths(): void {
  realPaths.clear();
}
