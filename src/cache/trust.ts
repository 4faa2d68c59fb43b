/**
 * Trust: a cache is believed only if nobody who cannot write its directory could have written
 * it. Checked on the open file (opened with O_NOFOLLOW, so never through a symlink) and on the
 * directories around it. POSIX only; on Windows ownership is not checked.
 */
import type * as fs from 'node:fs';

const WORLD_WRITABLE = 0o002n;
const GROUP_WRITABLE = 0o020n;
const STICKY = 0o1000n;

export interface TrustInput {
  /** fstat of the opened cache file. */
  readonly file: fs.BigIntStats;
  /** lstat of the directory holding the cache file. */
  readonly holder: fs.BigIntStats;
  /** lstat of the path entry, when the cache is stored in it (in-directory caches). */
  readonly entry?: fs.BigIntStats;
  /** For user-cache files: the holder must be private to this user. */
  readonly private: boolean;
  readonly uid: number;
}

/** `null` when trusted, else why not. */
export function trustProblem(t: TrustInput): string | null {
  if (process.platform === 'win32') return t.file.isFile() ? null : 'not a regular file';
  const uid = BigInt(t.uid);
  if (!t.file.isFile()) return 'not a regular file';
  if (!t.holder.isDirectory()) return 'its directory is not a directory (a symlink?)';
  if (t.file.mode & WORLD_WRITABLE) return 'the cache file is world-writable';
  if (t.holder.mode & WORLD_WRITABLE && !(t.holder.mode & STICKY)) return 'its directory is world-writable';
  if (t.private) {
    if (t.holder.uid !== uid) return 'the user cache directory belongs to another user';
    if (t.holder.mode & 0o077n) return 'the user cache directory is readable or writable by others (expected mode 0700)';
    if (t.file.uid !== uid) return 'the cache file belongs to another user';
    if (t.file.mode & GROUP_WRITABLE) return 'the cache file is group-writable';
    return null;
  }
  const entry = t.entry ?? t.holder;
  if (entry.mode & WORLD_WRITABLE && !(entry.mode & STICKY)) return 'the path entry is world-writable';
  // Whoever can write the file must be able to write the path entry anyway: root, the entry's
  // owner, or (for the group-writable case) members of the entry's own group.
  const writers = new Set([0n, entry.uid]);
  if (!writers.has(t.file.uid)) return `the cache file belongs to uid ${t.file.uid}, who does not own ${entry === t.holder ? 'its directory' : 'the path entry'}`;
  if (!writers.has(t.holder.uid)) return `the cache directory belongs to uid ${t.holder.uid}, who does not own the path entry`;
  for (const [st, what] of [[t.file, 'cache file'], [t.holder, 'cache directory']] as const) {
    if (st.mode & GROUP_WRITABLE && !(entry.mode & GROUP_WRITABLE && st.gid === entry.gid)) return `the ${what} is group-writable by a group that cannot write the path entry`;
  }
  return null;
}
