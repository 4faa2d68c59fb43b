/**
 * The one way discovery reads a small file: never blocks on a FIFO, never reads what is not a
 * regular file, never reads more than a limit, and never throws for anything the filesystem
 * does (the result says what happened, for a diagnostic).
 *
 * open(O_RDONLY | O_NONBLOCK | O_NOCTTY): opening a FIFO without a writer returns at once
 * instead of waiting for one, and a terminal never becomes the controlling one; then fstat
 * (the file opened, not whatever the name points at by now) must say "regular file" before
 * anything is read. A special file reached through a name is still opened — as Python opens
 * it — but never read.
 */
import * as fs from 'node:fs';
import { errnoCode } from './errors.js';
import { fsPath } from './fsnames.js';
import { LIMITS } from './limits.js';

const C = fs.constants;
const OPEN_FLAGS = C.O_RDONLY | (C.O_NONBLOCK ?? 0) | (C.O_NOCTTY ?? 0);

export type SmallFile =
  | { readonly ok: true; readonly bytes: Buffer; readonly stat: fs.BigIntStats }
  /** ENOENT / ENOTDIR: there is no such file (never a diagnostic by itself). */
  | { readonly ok: false; readonly problem: 'absent' }
  /** A directory, FIFO, socket or device; `what` says which ("a FIFO"). */
  | { readonly ok: false; readonly problem: 'not-regular'; readonly what: string; readonly stat?: fs.BigIntStats }
  | { readonly ok: false; readonly problem: 'too-large'; readonly size: bigint; readonly limit: number; readonly stat: fs.BigIntStats }
  /** Any other failure: `code` is the errno name, `text` says it for people ("permission denied (EACCES)"). */
  | { readonly ok: false; readonly problem: 'error'; readonly code: string; readonly text: string };

/** "a FIFO", "a directory"… for a stat that is not a regular file. */
export function fileKind(st: fs.Stats | fs.BigIntStats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSymbolicLink()) return 'a symbolic link';
  return st.isFile() ? 'a regular file' : 'not a regular file';
}

/**
 * A system error for people, once: "permission denied (EACCES)". Node's own messages repeat the
 * code and the path (`EACCES: permission denied, open '/x'`), which callers already show.
 */
export function errnoText(e: unknown): string {
  const code = errnoCode(e);
  const message = e instanceof Error ? e.message : String(e);
  const m = /^[A-Z0-9_]+: ([^,]*)/.exec(message);
  const what = m?.[1]?.trim() || (code === 'EUNKNOWN' ? message : '');
  return what === '' ? code : code === 'EUNKNOWN' ? what : `${what} (${code})`;
}

export interface ReadSmallFileOptions {
  /** Refuse a file longer than this many bytes (default `LIMITS.fileBytes`). */
  readonly limit?: number;
}

/** What went wrong with a `readSmallFile`, for a message: `is a FIFO, not a regular file`, `has 5000000 bytes, over the limit of 4194304`… */
export function smallFileProblem(r: Exclude<SmallFile, { ok: true }>): string {
  switch (r.problem) {
    case 'absent':
      return 'does not exist';
    case 'not-regular':
      return `is ${r.what}, not a regular file; not read`;
    case 'too-large':
      return `has ${r.size} bytes, over the limit of ${r.limit}; not read`;
    case 'error':
      return `cannot be read (${r.code})`;
  }
}

/** Read one small regular file whole; see the module comment. */
export function readSmallFile(file: string, options: ReadSmallFileOptions = {}): SmallFile {
  const limit = options.limit ?? LIMITS.fileBytes;
  let fd: number;
  try {
    fd = fs.openSync(fsPath(file), OPEN_FLAGS);
  } catch (e) {
    const code = errnoCode(e);
    if (code === 'ENOENT' || code === 'ENOTDIR') return { ok: false, problem: 'absent' };
    // open(2) of a UNIX socket fails with ENXIO; say what it is.
    if (code === 'ENXIO' || code === 'EOPNOTSUPP') {
      const st = statOrUndefined(file);
      if (st !== undefined && !st.isFile()) return { ok: false, problem: 'not-regular', what: fileKind(st), stat: st };
    }
    return { ok: false, problem: 'error', code, text: errnoText(e) };
  }
  try {
    const st = fs.fstatSync(fd, { bigint: true });
    if (!st.isFile()) return { ok: false, problem: 'not-regular', what: fileKind(st), stat: st };
    if (st.size > BigInt(limit)) return { ok: false, problem: 'too-large', size: st.size, limit, stat: st };
    const bytes = readBounded(fd, Number(st.size), limit);
    if (bytes === null) return { ok: false, problem: 'too-large', size: BigInt(limit) + 1n, limit, stat: st };
    return { ok: true, bytes, stat: st };
  } catch (e) {
    return { ok: false, problem: 'error', code: errnoCode(e), text: errnoText(e) };
  } finally {
    fs.closeSync(fd);
  }
}

function statOrUndefined(file: string): fs.BigIntStats | undefined {
  try {
    return fs.statSync(fsPath(file), { bigint: true, throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}

/**
 * Read from offset 0 to the end, or `null` once more than `limit` bytes came (a file that grew
 * after fstat, or one whose size fstat does not know, as in /proc).
 */
function readBounded(fd: number, expected: number, limit: number): Buffer | null {
  let buf = Buffer.allocUnsafe(Math.min(limit, expected > 0 ? expected : 64 * 1024) + 1);
  let n = 0;
  for (;;) {
    if (n === buf.length) {
      if (n > limit) return null;
      const bigger = Buffer.allocUnsafe(Math.min(limit + 1, buf.length * 2));
      buf.copy(bigger, 0, 0, n);
      buf = bigger;
    }
    const got = fs.readSync(fd, buf, n, buf.length - n, n);
    if (got === 0) break;
    n += got;
  }
  if (n > limit) return null;
  return n === buf.length ? buf : buf.subarray(0, n);
}
