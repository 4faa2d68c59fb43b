/**
 * Writing and removing launchers. Handwritten rather than write-file-atomic: a launcher must be
 * created exclusively and never through a symlink in the destination (O_EXCL|O_NOFOLLOW), get
 * pip's mode (`mode | 0o555` after the umask), be fsynced before it replaces anything, and the
 * replace must be refused when the file changed since the plan looked at it.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { errnoCode } from '../errors.js';

/** What a plan saw at a path: `null` for nothing, else the file's identity. */
export type Identity = { readonly dev: number; readonly ino: number } | null;

export function identityOf(file: string): Identity | 'unknown' {
  try {
    const st = fs.lstatSync(file);
    return { dev: st.dev, ino: st.ino };
  } catch (e) {
    return errnoCode(e) === 'ENOENT' ? null : 'unknown';
  }
}

const sameIdentity = (a: Identity | 'unknown', b: Identity): boolean =>
  a !== 'unknown' && (a === null || b === null ? a === b : a.dev === b.dev && a.ino === b.ino);

export class ChangedError extends Error {
  override readonly name = 'ChangedError';
}

/** pip's launcher mode: whatever the umask left of 0666, plus r-x for everyone. */
export const launcherMode = (created: number): number => (created | 0o555) & 0o7777;

/**
 * Write `content` to `file` atomically: a temporary file beside it (fixed-length name, so a
 * long script name cannot make it too long), written, chmod'ed, fsynced, then renamed over
 * `file` — only if `file` still has the identity `expected`. `mode`: the new file's mode
 * (default: pip's launcher mode). On any failure the temporary file
 * is removed and `file` is as it was. Returns the identity of the new file.
 */
export function writeLauncherFile(file: string, content: string | Uint8Array, expected: Identity, mode?: number): { dev: number; ino: number } {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.epindex-${process.pid}-${randomBytes(6).toString('hex')}.tmp`);
  const fd = fs.openSync(tmp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | (fs.constants.O_NOFOLLOW ?? 0), 0o666);
  let ok = false;
  try {
    try {
      const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
      for (let off = 0; off < bytes.length; ) off += fs.writeSync(fd, bytes, off, bytes.length - off);
      fs.fchmodSync(fd, mode ?? launcherMode(fs.fstatSync(fd).mode));
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    if (!sameIdentity(identityOf(file), expected)) throw new ChangedError(`${file} changed since it was examined; left alone`);
    fs.renameSync(tmp, file);
    ok = true;
    const st = fs.lstatSync(file);
    return { dev: st.dev, ino: st.ino };
  } finally {
    if (!ok) fs.rmSync(tmp, { force: true });
  }
}

/** Make an existing launcher executable (pip's mode), if it is still the file the plan saw. */
export function makeExecutable(file: string, expected: Identity): void {
  if (!sameIdentity(identityOf(file), expected)) throw new ChangedError(`${file} changed since it was examined; left alone`);
  const st = fs.lstatSync(file);
  fs.chmodSync(file, launcherMode(st.mode));
}

/** Remove a launcher, if it is still the file the plan saw. */
export function removeLauncherFile(file: string, expected: Identity): void {
  if (!sameIdentity(identityOf(file), expected)) throw new ChangedError(`${file} changed since it was examined; left alone`);
  fs.unlinkSync(file);
}
