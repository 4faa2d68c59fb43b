// The bookkeeping of scripts/build.mjs: whether dist/ is up to date, one build at a time, and
// putting a new build in place without ever taking a file away from a process reading dist/
// (`npm test` beside `npm start`, `npm pack` or `npm run build`). Plain Node, no dependencies.
//
// - Up to date: each part's inputs (paths and bytes, hashed) equal those recorded in
//   dist/.build-stamp.json after the last successful build, and its outputs are still there
//   with the size and mtime recorded. Hashing the bytes (~1.5 MB) costs a few milliseconds and,
//   unlike mtimes, is not fooled by a checkout, a copy or a clock.
// - In place: a part is built into a directory beside dist/ (at the same depth, so that the
//   source maps' relative paths hold), then each file whose bytes differ is renamed over its
//   old self: a reader opens the old file or the new one, never none. Files no part produces
//   any more (a deleted source's) are removed last. Unchanged files keep their inode and mtime
//   (the CLI's code cache is keyed by them).
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

export const STAMP = '.build-stamp.json';

/** Every file under `dir` (relative to it, '/'-separated); `skip(rel)` prunes directories; [] if it does not exist. */
export function walk(dir, skip = () => false) {
  const out = [];
  const go = (d) => {
    let entries;
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch (e) {
      if (e.code === 'ENOENT' || e.code === 'ENOTDIR') return;
      throw e;
    }
    for (const e of entries) {
      const p = join(d, e.name);
      const rel = relative(dir, p).split(sep).join('/');
      if (e.isDirectory()) {
        if (!skip(rel)) go(p);
      } else out.push(rel);
    }
  };
  go(dir);
  return out.sort();
}

/**
 * One hash of a part's inputs: `trees` ({ dir, match, skip }: the files under dir whose
 * relative path matches), single `files` (a missing one counts as missing, not as an error),
 * and the values of `env` variables that change the output.
 */
export function fingerprint(root, { trees = [], files = [], env = [] }, cache = new Map()) {
  const h = createHash('sha256');
  const add = (rel) => {
    let digest = cache.get(rel);
    if (digest === undefined) {
      try {
        digest = createHash('sha256').update(fs.readFileSync(join(root, rel))).digest('hex');
      } catch (e) {
        if (e.code !== 'ENOENT') throw e;
        digest = 'missing';
      }
      cache.set(rel, digest);
    }
    h.update(`${rel}\0${digest}\n`);
  };
  for (const t of trees) {
    for (const rel of walk(join(root, t.dir), (d) => t.skip?.(`${t.dir}/${d}`) ?? false)) {
      const full = `${t.dir}/${rel}`;
      if (t.match === undefined || t.match.test(full)) add(full);
    }
  }
  for (const f of files) add(f);
  for (const name of env) h.update(`env ${name}=${process.env[name] ?? ''}\n`);
  return h.digest('hex');
}

export function readStamp(dist) {
  try {
    const s = JSON.parse(fs.readFileSync(join(dist, STAMP), 'utf8'));
    return s !== null && typeof s === 'object' && s.format === 1 && typeof s.parts === 'object' && s.parts !== null ? s : null;
  } catch {
    return null;
  }
}

/** The outputs a stamp recorded are all there, as they were left. */
export function outputsIntact(dist, outputs) {
  for (const [rel, [size, mtimeMs]] of Object.entries(outputs)) {
    const st = fs.statSync(join(dist, rel), { throwIfNoEntry: false });
    if (st === undefined || !st.isFile() || st.size !== size || st.mtimeMs !== mtimeMs) return false;
  }
  return true;
}

const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
};
const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * Run `fn` holding `lockFile` (created exclusively, holding our pid). A lock whose process is
 * gone (a build killed half-way) is taken over; a live one is waited for, up to `waitMs`.
 */
export async function withLock(lockFile, fn, { waitMs = 10 * 60_000, onWait = () => {} } = {}) {
  const deadline = Date.now() + waitMs;
  let told = false;
  for (;;) {
    try {
      const fd = fs.openSync(lockFile, 'wx');
      fs.writeSync(fd, String(process.pid));
      fs.closeSync(fd);
      break;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
    }
    let holder = NaN;
    try {
      holder = Number(fs.readFileSync(lockFile, 'utf8'));
    } catch {
      continue; // released meanwhile
    }
    // An empty file: its writer is between open and write (or died there); wait a moment first.
    if (Number.isInteger(holder) && holder > 0 ? !alive(holder) : Date.now() - (fs.statSync(lockFile, { throwIfNoEntry: false })?.mtimeMs ?? 0) > 5000) {
      fs.rmSync(lockFile, { force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`another build (pid ${holder}) holds ${lockFile}`);
    if (!told) onWait(holder);
    told = true;
    sleep(100);
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lockFile, { force: true });
  }
}

const sameFile = (a, b) => {
  const sa = fs.statSync(a);
  const sb = fs.lstatSync(b, { throwIfNoEntry: false });
  if (sb === undefined || !sb.isFile() || sa.size !== sb.size || (sa.mode & 0o777) !== (sb.mode & 0o777)) return false;
  return fs.readFileSync(a).equals(fs.readFileSync(b));
};

/** Move every file of `staging` whose bytes differ into `dist` (one rename each); returns the relative paths moved. */
export function install(staging, dist) {
  const moved = [];
  for (const rel of walk(staging)) {
    const from = join(staging, rel);
    const to = join(dist, rel);
    if (sameFile(from, to)) continue;
    fs.mkdirSync(dirname(to), { recursive: true });
    const st = fs.lstatSync(to, { throwIfNoEntry: false });
    if (st !== undefined && st.isDirectory()) fs.rmSync(to, { recursive: true });
    fs.renameSync(from, to);
    moved.push(rel);
  }
  return moved;
}

/** Remove the files `rels` of `dist` and the directories they leave empty. */
export function removeOutputs(dist, rels) {
  for (const rel of rels) {
    fs.rmSync(join(dist, rel), { force: true });
    for (let d = dirname(join(dist, rel)); d.length > dist.length && d.startsWith(dist + sep); d = dirname(d)) {
      try {
        fs.rmdirSync(d);
      } catch {
        break; // not empty
      }
    }
  }
}

/** Record `outputs` (relative paths in dist) with their size and mtime. */
export function describeOutputs(dist, rels) {
  const out = {};
  for (const rel of rels) {
    const st = fs.statSync(join(dist, rel));
    out[rel] = [st.size, st.mtimeMs];
  }
  return out;
}

/** Write the stamp by rename, so that a reader never sees half of it. */
export function writeStamp(dist, stamp) {
  const tmp = join(dist, `${STAMP}.${process.pid}.tmp`);
  fs.writeFileSync(tmp, JSON.stringify(stamp) + '\n');
  fs.renameSync(tmp, join(dist, STAMP));
}
