/**
 * Who may be believed, and where we may write (docs/spec.md §5.5, the threat model).
 *
 * Reading: a cache is believed only if it was written by the reading user or by root — by
 * nobody who could make it say something other than the files importlib reads. So the file and
 * its holder directory must be owned by the reader or root and writable by nobody else; in the
 * user cache (whose root user-root.ts must trust first), the holder and the file must be the
 * reader's own.
 *
 * Writing: a process writes, renames or deletes inside `<dir>/.epindex` only when nobody else
 * can swap any component of that path under it: it owns the directory, the directory is not
 * writable by group or others, and every ancestor of its real path is owned by root or by it and
 * not writable by group or others (unless sticky, like /tmp). Root therefore never writes into a
 * directory owned by another user (it uses its own user cache). Node has no openat/unlinkat, so
 * this rule, checked once before acting, is what makes the operations immune to a swapped
 * component: nobody who could swap one exists.
 *
 * POSIX only; on Windows ownership and modes are not checked.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const WORLD_WRITABLE = 0o002;
const GROUP_WRITABLE = 0o020;
const STICKY = 0o1000;

export const currentUid = (): number => (typeof process.getuid === 'function' ? process.getuid() : 0);
const posix = process.platform !== 'win32';

export interface Owned {
  readonly uid: number;
  readonly mode: number;
}

/** `null` when a cache file (fstat of the opened file) in `holder` (lstat) may be believed, else why not. */
export function readTrustProblem(file: Owned & { isFile(): boolean }, holder: fs.Stats, userCache: boolean, uid = currentUid()): string | null {
  if (!file.isFile()) return 'not a regular file';
  if (!holder.isDirectory()) return 'its directory is not a directory (a symlink?)';
  if (!posix) return null;
  if (userCache) {
    if (holder.uid !== uid) return 'the user cache directory belongs to another user';
    if (holder.mode & (WORLD_WRITABLE | GROUP_WRITABLE)) return 'the user cache directory is writable by group or others';
    if (file.uid !== uid) return 'the cache file belongs to another user';
  } else {
    if (file.uid !== uid && file.uid !== 0) return `the cache file belongs to uid ${file.uid}, neither you nor root`;
    if (holder.uid !== uid && holder.uid !== 0) return `its directory belongs to uid ${holder.uid}, neither you nor root`;
    if (holder.mode & (WORLD_WRITABLE | GROUP_WRITABLE)) return 'its directory is writable by group or others';
  }
  if (file.mode & (WORLD_WRITABLE | GROUP_WRITABLE)) return 'the cache file is writable by group or others';
  return null;
}

/**
 * Why this process may not write inside `realDir` (a real path, as realpath gives it), or
 * `null` when it may: it owns `realDir`, which nobody else can write, and no ancestor can be
 * swapped by anyone else.
 */
export function writeProblem(realDir: string, uid = currentUid()): string | null {
  if (!posix) return null;
  let st: fs.Stats;
  try {
    st = fs.lstatSync(realDir);
  } catch (e) {
    return `cannot be examined (${(e as NodeJS.ErrnoException).code ?? 'error'})`;
  }
  if (!st.isDirectory()) return 'not a directory';
  if (st.uid !== uid) return `owned by uid ${st.uid}, not by you`;
  if (st.mode & (WORLD_WRITABLE | GROUP_WRITABLE)) return 'writable by group or others';
  return ancestorsProblem(realDir, uid);
}

/** Why some ancestor of `realDir` could be swapped by someone else, or `null`. */
export function ancestorsProblem(realDir: string, uid = currentUid()): string | null {
  if (!posix) return null;
  let dir = path.dirname(realDir);
  for (let depth = 0; depth < 256; depth++) {
    let st: fs.Stats;
    try {
      st = fs.lstatSync(dir);
    } catch (e) {
      return `${dir} cannot be examined (${(e as NodeJS.ErrnoException).code ?? 'error'})`;
    }
    if (!st.isDirectory()) return `${dir} is not a directory`;
    if (st.uid !== uid && st.uid !== 0) return `${dir} belongs to uid ${st.uid}, neither you nor root`;
    if (st.mode & (WORLD_WRITABLE | GROUP_WRITABLE) && !(st.mode & STICKY)) return `${dir} is writable by group or others`;
    const parent = path.dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
  return 'too deep';
}
