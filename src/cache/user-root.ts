/**
 * The user cache root (docs/spec.md §5.1, §5.5 "The user cache root"): where it is, whether it
 * may be trusted, and its subdirectories, made as needed. Imported by scripts/code-cache.cjs too
 * (bundled into dist/code-cache.cjs), so that the V8 code cache obeys the same rule: it may use
 * Node's built-in modules only.
 *
 * The rule, for the effective uid U: the root is an absolute path; resolving it one component at
 * a time from `/`, every directory a component is looked up in is owned by root or U and not
 * writable by group or others unless sticky, and every symbolic link followed is owned by root or
 * U; the root itself is a real directory of U's, not writable by group or others. What is
 * missing (at most its last two components) is created with mode 0700; nothing that exists is ever chmod'ed (epindex sets modes
 * only on directories it created). Then nobody else can make epindex read or write anything
 * under the root: not root following another user's `~/.cache/epindex -> /victim`, not a user
 * writing into a group-writable `$XDG_CACHE_HOME`.
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';

const WORLD_WRITABLE = 0o002;
const GROUP_WRITABLE = 0o020;
const STICKY = 0o1000;
/** Symbolic links followed while resolving a root (Linux's own limit). */
const LINK_LIMIT = 40;
/** Missing components of a root that epindex creates, at most. */
const MAX_CREATED = 2;

const posix = process.platform !== 'win32';
/** The user whose caches these are: the real uid, as every other owner check of both languages (src/cache/trust.ts, python/src/epindex/_userroot.py) takes it. */
const userUid = (): number => (typeof process.getuid === 'function' ? process.getuid() : 0);

/**
 * The user's cache root: `$EPINDEX_CACHE_DIR`, else the platform's cache directory
 * (`$XDG_CACHE_HOME/epindex` or `~/.cache/epindex` on Linux, `~/Library/Caches/epindex` on
 * macOS, `%LOCALAPPDATA%\epindex\Cache` on Windows). A relative `$EPINDEX_CACHE_DIR` is returned
 * as it is, never resolved against the working directory: the trust check refuses it.
 */
export function userCacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  const override = env['EPINDEX_CACHE_DIR'];
  if (override) return path.isAbsolute(override) ? path.normalize(override) : override;
  // env-paths' rules, written out: its module (and node:os) cost every start-up ~1 ms, for
  // three lines per platform. The home directory from $HOME, else the password database.
  const home = (): string => env['HOME'] || (createRequire(import.meta.url)('node:os') as typeof import('node:os')).homedir();
  if (process.platform === 'darwin') return path.join(home(), 'Library', 'Caches', 'epindex');
  if (process.platform === 'win32') return path.join(env['LOCALAPPDATA'] || path.join(home(), 'AppData', 'Local'), 'epindex', 'Cache');
  const xdg = env['XDG_CACHE_HOME'];
  return path.join(xdg && path.isAbsolute(xdg) ? xdg : path.join(home(), '.cache'), 'epindex');
}

const errno = (e: unknown): string => (e as NodeJS.ErrnoException).code ?? 'error';

/** A root resolved as far as it exists: the real path of its deepest existing component, and the real paths still to create, parent first. */
interface Resolved {
  readonly existing: string;
  readonly missing: readonly string[];
}

/** Why `dir` (a real directory, lstat'ed as `st`) may not be looked up in: someone else could change what its names mean. */
function lookupProblem(dir: string, st: fs.Stats, uid: number): string | null {
  if (st.uid !== uid && st.uid !== 0) return `${dir} belongs to uid ${st.uid}, neither you nor root`;
  if (st.mode & (WORLD_WRITABLE | GROUP_WRITABLE) && !(st.mode & STICKY)) return `${dir} is writable by group or others`;
  return null;
}

/** Why `dir` (lstat'ed as `st`) may not hold the user's caches, or null: a real directory of `uid`'s that nobody else can write. */
function holderProblem(dir: string, st: fs.Stats, uid: number): string | null {
  if (st.isSymbolicLink()) return `${dir} is a symbolic link`;
  if (!st.isDirectory()) return `${dir} is not a directory`;
  if (st.uid !== uid) return `${dir} belongs to uid ${st.uid}, not to you`;
  if (st.mode & (WORLD_WRITABLE | GROUP_WRITABLE)) return `${dir} is writable by group or others`;
  return null;
}

/** Resolve `root` one component at a time, checking every step (rules 1–3); a problem, or how far it exists. */
function resolveRoot(root: string, uid: number): string | Resolved {
  if (!path.isAbsolute(root)) return `${JSON.stringify(root)} is a relative path`;
  const pending = root.split('/').filter((c) => c !== '' && c !== '.');
  let cur = '/';
  let links = 0;
  let st: fs.Stats;
  try {
    st = fs.lstatSync(cur);
  } catch (e) {
    return `/ cannot be examined (${errno(e)})`;
  }
  if (pending.length === 0) return holderProblem(cur, st, uid) ?? { existing: cur, missing: [] };
  let why = lookupProblem(cur, st, uid);
  if (why !== null) return why;
  while (pending.length > 0) {
    const name = pending.shift()!;
    if (name === '.') continue;
    if (name === '..') {
      cur = path.dirname(cur); // `cur` is a real path: its parent was checked on the way down
      continue;
    }
    const next = cur === '/' ? `/${name}` : `${cur}/${name}`;
    try {
      st = fs.lstatSync(next);
    } catch (e) {
      if (errno(e) !== 'ENOENT') return `${next} cannot be examined (${errno(e)})`;
      // The rest is ours to create, under a directory nobody else can change.
      // At most the root's last two components are made (`.cache/epindex`): a `$HOME` that
      // does not exist means no user cache, never a home directory made by epindex.
      if (pending.some((c) => c === '..') || pending.length + 1 > MAX_CREATED) return `${next} does not exist`;
      const missing = [next];
      for (const c of pending) missing.push(`${missing[missing.length - 1]!}/${c}`);
      return { existing: cur, missing };
    }
    if (st.isSymbolicLink()) {
      if (pending.length === 0) return `${next} is a symbolic link`;
      if (st.uid !== uid && st.uid !== 0) return `${next} is a symbolic link of uid ${st.uid}, neither you nor root`;
      if (++links > LINK_LIMIT) return `${root}: too many symbolic links`;
      let target: string;
      try {
        target = fs.readlinkSync(next);
      } catch (e) {
        return `${next} cannot be read (${errno(e)})`;
      }
      pending.unshift(...target.split('/').filter((c) => c !== ''));
      if (target.startsWith('/')) cur = '/';
      continue;
    }
    why = pending.length === 0 ? holderProblem(next, st, uid) : st.isDirectory() ? lookupProblem(next, st, uid) : `${next} is not a directory`;
    if (why !== null) return why;
    cur = next;
  }
  return { existing: cur, missing: [] };
}

const verdicts = new Map<string, string | null>();

/**
 * Why the user cache root `root` is not trusted (§5.5), or `null` when it is: rules 1–3 on what
 * exists of it (what does not exist yet is created by `userCacheDir`). Taken once per process,
 * root and uid.
 */
export function userRootProblem(root: string, uid = userUid()): string | null {
  if (!posix) return path.isAbsolute(root) ? null : `${JSON.stringify(root)} is a relative path`;
  const key = `${uid}\0${root}`;
  let v = verdicts.get(key);
  if (v === undefined) {
    const r = resolveRoot(root, uid);
    v = typeof r === 'string' ? r : null;
    verdicts.set(key, v);
  }
  return v;
}

/** Forget the verdicts taken (tests that change a root's owner or mode in one process). */
export function forgetUserRootVerdicts(): void {
  verdicts.clear();
}

/** The outcome of `userCacheDir`: the directory, or why not (`missing`: it does not exist and was not to be created). */
export type UserDir = { readonly dir: string } | { readonly problem: string } | { readonly missing: true };

/**
 * `<root>/<sub>` (`sub` one name: `entry-points.v3`, `interpreters.v1`, `code`…) when the root is
 * trusted and the directory is a real one of ours that nobody else can write; created, with the
 * missing part of the root, one component at a time with mode 0700 when `create`. The path is
 * given as the root spells it (every component of it is checked: nobody else can change what it
 * names).
 */
export function userCacheDir(root: string, sub: string, create: boolean, uid = userUid()): UserDir {
  const why = userRootProblem(root, uid);
  if (why !== null) return { problem: why };
  const dir = path.join(root, sub);
  if (!posix) {
    if (create) {
      try {
        fs.mkdirSync(dir, { recursive: true });
      } catch (e) {
        return { problem: `${dir} cannot be created (${errno(e)})` };
      }
    }
    return fs.existsSync(dir) ? { dir } : { missing: true };
  }
  let st = lstatOrNull(dir);
  if (st === null) {
    if (!create) return { missing: true };
    const r = resolveRoot(root, uid);
    if (typeof r === 'string') return { problem: r };
    // Parent first; each made 0700 (the umask can only take bits away) and checked once made.
    const real = r.missing[r.missing.length - 1] ?? r.existing;
    for (const d of [...r.missing, path.join(real, sub)]) {
      try {
        fs.mkdirSync(d, { mode: 0o700 });
      } catch (e) {
        if (errno(e) !== 'EEXIST') return { problem: `${d} cannot be created (${errno(e)})` };
      }
      const made = lstatOrNull(d);
      const p = made === null ? `${d} disappeared` : holderProblem(d, made, uid);
      if (p !== null) return { problem: p };
    }
    st = lstatOrNull(dir);
    if (st === null) return { problem: `${dir} cannot be created` };
  }
  const p = holderProblem(dir, st, uid);
  return p === null ? { dir } : { problem: p };
}

function lstatOrNull(p: string): fs.Stats | null {
  try {
    return fs.lstatSync(p);
  } catch {
    return null;
  }
}
