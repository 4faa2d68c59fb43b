/**
 * Writing a cache atomically (docs/spec.md §5.3): a temporary file in the cache's own directory
 * (created exclusively, never through a symlink), its birth time taken as the scan's start,
 * the scan, the bytes, fsync, rename over the cache file. A failure leaves the old cache as it
 * was and no temporary file behind. Where we may write is trust.ts's rule, checked first.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { errnoCode } from '../errors.js';
import { serializeCache, type CacheContent } from './format.js';
import type { CacheLocation } from './location.js';
import type { DirectoryScan } from './source.js';
import { currentUid } from './trust.js';
import { userCacheDir } from './user-root.js';

const TMP_MAX_AGE_MS = 10 * 60 * 1000;

/** A write that could not be made; `code` is the errno-style reason, `message` says what was attempted. */
export class CacheWriteError extends Error {
  override readonly name = 'CacheWriteError';
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

function refuse(code: string, message: string): never {
  throw new CacheWriteError(code, message);
}

/**
 * Make sure the holder directory exists and is safe to write in. In a directory: `.epindex`
 * (created with mode 0755 when `create`), a real directory of ours writable by nobody else.
 * In the user cache: a trusted root (user-root.ts), `entry-points.v3` created 0700 as needed.
 */
export function prepareHolder(loc: CacheLocation, create: boolean, userRoot: string): void {
  const uid = currentUid();
  const posix = process.platform !== 'win32';
  if (loc.kind === 'user') {
    // Created 0700 where missing, never chmod'ed: a root or holder that exists is used only when
    // it is trusted as it is (spec §5.5, "The user cache root").
    const d = userCacheDir(userRoot, path.basename(loc.dir), true);
    if ('problem' in d) refuse('EPERM', `the user cache root is not trusted: ${d.problem}`);
    return;
  }
  if (create) {
    try {
      fs.mkdirSync(loc.dir, { mode: 0o755 });
    } catch (e) {
      if (errnoCode(e) !== 'EEXIST') refuse(errnoCode(e), `cannot create ${loc.dir}`);
    }
  }
  const st = fs.lstatSync(loc.dir);
  if (!st.isDirectory()) refuse('ENOTDIR', `${loc.dir} is not a directory (a symlink?)`);
  if (posix && st.uid !== uid) refuse('EPERM', `${loc.dir} belongs to uid ${st.uid}`);
  if (posix && st.mode & 0o022) refuse('EPERM', `${loc.dir} is writable by group or others`);
}

/** Remove our own temporary files older than 10 minutes (writers that died mid-write). */
export function removeStaleTemporaries(dir: string): void {
  const uid = currentUid();
  try {
    const now = Date.now();
    for (const name of fs.readdirSync(dir)) {
      if (!name.endsWith('.tmp')) continue;
      const p = path.join(dir, name);
      const st = fs.lstatSync(p, { throwIfNoEntry: false });
      if (st?.isFile() && (process.platform === 'win32' || st.uid === uid) && now - st.mtimeMs > TMP_MAX_AGE_MS) fs.rmSync(p, { force: true });
    }
  } catch {
    // best effort
  }
}

let counter = 0;

/**
 * Write a cache for `loc`: `scan(scanned)` is called between creating the temporary file and
 * writing it, with the scan's start on the cache filesystem's clock. Returns the scan; throws
 * CacheWriteError (the old cache untouched, no temporary file left).
 */
export function writeCacheFile(loc: CacheLocation, makeContent: () => CacheContent): DirectoryScan {
  const tmp = path.join(loc.dir, `${path.basename(loc.file)}.${process.pid}.${Date.now().toString(36)}${(counter++).toString(36)}.tmp`);
  let fd: number;
  try {
    fd = fs.openSync(tmp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | (fs.constants.O_NOFOLLOW ?? 0), loc.kind === 'user' ? 0o600 : 0o644);
  } catch (e) {
    refuse(errnoCode(e), `cannot create the cache file (${errnoCode(e)})`);
  }
  try {
    // The scan starts now, on the cache filesystem's own clock: the temporary file's birth time
    // (minus 1 ms, so that it is surely before anything the scan reads) becomes the cache file's
    // mtime, which readers take as the scan's start (spec §5.2).
    const born = fs.fstatSync(fd, { bigint: true }).mtimeNs;
    const content = makeContent();
    const buf = serializeCache(content);
    let off = 0;
    while (off < buf.length) off += fs.writeSync(fd, buf, off, buf.length - off);
    const at = Number(born - 1_000_000n) / 1e9;
    fs.futimesSync(fd, at, at);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = -1;
    fs.renameSync(tmp, loc.file);
    return content.scan;
  } catch (e) {
    if (fd >= 0) {
      try {
        fs.closeSync(fd);
      } catch {
        // already failing
      }
    }
    fs.rmSync(tmp, { force: true });
    // Our own refusals, and anything that is not a system error (a scan that found nothing to
    // cache, a bug), go to the caller as they are.
    if (e instanceof CacheWriteError || typeof (e as NodeJS.ErrnoException).code !== 'string') throw e;
    refuse(errnoCode(e), `cannot write the cache (${errnoCode(e)}${(e as Error).message ? `: ${(e as Error).message.replace(/^[A-Z]+: /, '')}` : ''})`);
  }
}
