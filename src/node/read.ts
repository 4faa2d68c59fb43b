/**
 * Reading one package.json safely: never blocks on a FIFO or device planted in node_modules,
 * reads regular files only, and refuses what is larger than any real package.json.
 * (To be replaced by src/fsutil.ts's reader once it is on main; same contract.)
 */
import * as fs from 'node:fs';
import { errnoCode } from '../errors.js';
import { fsPath } from '../fsnames.js';

/** The largest package.json read; the npm registry's biggest manifests are a few hundred KiB. */
export const PACKAGE_JSON_LIMIT = 8 * 1024 * 1024;

export type ReadOutcome =
  | { readonly ok: true; readonly bytes: Buffer; readonly stat: fs.Stats }
  | { readonly ok: false; readonly reason: 'missing' | 'not-regular' | 'too-large' | 'unreadable'; readonly code: string };

export function readRegularFile(file: string, limit = PACKAGE_JSON_LIMIT): ReadOutcome {
  let fd: number;
  try {
    // By its bytes: a package or scope name need not be UTF-8 (§4.1.1).
    fd = fs.openSync(fsPath(file), fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0) | (fs.constants.O_NOCTTY ?? 0));
  } catch (e) {
    const code = errnoCode(e);
    return { ok: false, reason: code === 'ENOENT' || code === 'ENOTDIR' ? 'missing' : 'unreadable', code };
  }
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) return { ok: false, reason: 'not-regular', code: 'EINVAL' };
    if (stat.size > limit) return { ok: false, reason: 'too-large', code: 'EFBIG' };
    const bytes = Buffer.allocUnsafe(stat.size);
    let n = 0;
    while (n < stat.size) {
      const r = fs.readSync(fd, bytes, n, stat.size - n, n);
      if (r === 0) break;
      n += r;
    }
    return { ok: true, bytes: n === stat.size ? bytes : bytes.subarray(0, n), stat };
  } catch (e) {
    return { ok: false, reason: 'unreadable', code: errnoCode(e) };
  } finally {
    fs.closeSync(fd);
  }
}
