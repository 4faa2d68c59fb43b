/**
 * Shared helpers for the cache tests: fixture sites, "what a fresh scan says", per-policy
 * results, racy-window settling, a faithful coarse-mtime filesystem, unprivileged child
 * processes and tmpfs mounts. Importing this module has no side effects (node --test also
 * runs it as a file of its own).
 */
import { spawn, spawnSync, type SpawnOptions } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CacheOptions } from '../../src/cache/engine.js';
import type { Freshness } from '../../src/cache/freshness.js';
import { statResult, RACY_WINDOW_MS, type StatHook } from '../../src/cache/stamp.js';
import { fsPath, readdirNames } from '../../src/fsnames.js';
import { CLI } from '../support/cli.js';
import { distInfo, tempDir, writeTree, type Tree } from '../support/fixtures.js';
import { reachableCli } from '../support/reachable.js';

/** The shipped bin (test/support/cli.ts says which file that is). */
export { CLI };
/** The child-process driver compiled next to this file. */
export const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'child.js');

export const IS_ROOT = typeof process.getuid === 'function' && process.getuid() === 0;
export const NOBODY = 65534;

// ---------------------------------------------------------------------------------------------
// Fixture sites

export function ep(lines: Record<string, Record<string, string>>): string {
  return Object.entries(lines).map(([g, eps]) => `[${g}]\n${Object.entries(eps).map(([n, v]) => `${n} = ${v}\n`).join('')}`).join('\n');
}

/** alpha (console script + plugin), beta (plugin), gamma (no entry points). */
export const BASE_SITE: Tree = {
  ...distInfo('alpha', '1.0', ep({ console_scripts: { alpha: 'alpha.cli:main' }, 'epi.plugins': { first: 'alpha.plugins:First' } })),
  ...distInfo('beta', '2.0', ep({ 'epi.plugins': { second: 'beta:Second' } })),
  ...distInfo('gamma', '0.5'),
};

/** A fresh site directory holding `tree`. */
export function site(tree: Tree = BASE_SITE, prefix = 'epindex-site-'): string {
  return writeTree(tempDir(prefix), tree);
}

/** A private user cache root for one test (mode 0700, as the engine expects). */
export function userCache(): string {
  const d = tempDir('epindex-ucache-');
  fs.chmodSync(d, 0o700);
  return d;
}

export * from './driver.js';
import { cacheFile } from './driver.js';

export function tmpFiles(dir: string): string[] {
  try {
    return fs.readdirSync(path.dirname(cacheFile(dir))).filter((n) => n.endsWith('.tmp'));
  } catch {
    return [];
  }
}

// ---------------------------------------------------------------------------------------------
// Time

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function newestTime(p: string): bigint {
  // Names as bytes where they are not UTF-8 (fixtures with such names settle too).
  const st = fs.lstatSync(fsPath(p), { bigint: true });
  let t = st.mtimeNs > st.ctimeNs ? st.mtimeNs : st.ctimeNs;
  if (st.isDirectory()) for (const n of readdirNames(p)) {
    const c = newestTime(path.join(p, n));
    if (c > t) t = c;
  }
  return t;
}

/**
 * Wait until every timestamp under `roots` is older than the racy window, measured on the
 * filesystem's own clock (a probe file's ctime), so that a cache built afterwards trusts its
 * stamps without re-reading. A wait for a condition, not a timing assertion.
 */
export async function settle(roots: readonly string[]): Promise<void> {
  let newest = 0n;
  for (const r of roots) {
    const t = newestTime(r);
    if (t > newest) newest = t;
  }
  const probeDir = tempDir('epindex-probe-');
  const probe = path.join(probeDir, 'probe');
  const window = BigInt(RACY_WINDOW_MS) * 1_000_000n;
  for (;;) {
    fs.writeFileSync(probe, '');
    const now = fs.statSync(probe, { bigint: true }).ctimeNs;
    if (now - newest > window + 200_000_000n) return;
    await sleep(Math.min(500, Number((window + 250_000_000n - (now - newest)) / 1_000_000n)));
  }
}

/** Whole seconds of `t`, as utimes can set exactly. */
export const wholeSeconds = (ns: bigint): number => Number(ns / 1_000_000_000n);

/** Set the mtime (and atime) of `p` to a whole second, exactly. */
export function setMtime(p: string, seconds: number): void {
  fs.utimesSync(p, seconds, seconds);
}

/** Every path under `root`, the root included (deepest first). */
export function allPaths(root: string): string[] {
  const out: string[] = [];
  const walk = (p: string): void => {
    const st = fs.lstatSync(p);
    if (st.isDirectory()) for (const n of fs.readdirSync(p)) if (n !== '.epindex') walk(path.join(p, n));
    out.push(p);
  };
  walk(root);
  return out;
}

// ---------------------------------------------------------------------------------------------
// A faithful coarse-mtime filesystem

const fsMut = createRequire(import.meta.url)('node:fs') as typeof fs;

function truncateStats(s: fs.BigIntStats, tick: bigint): fs.BigIntStats {
  const t = (x: bigint): bigint => x - (x % tick);
  const out = Object.assign(Object.create(Object.getPrototypeOf(s) as object) as fs.BigIntStats, s);
  Object.assign(out, {
    mtimeNs: t(s.mtimeNs),
    ctimeNs: t(s.ctimeNs),
    atimeNs: t(s.atimeNs),
    mtimeMs: t(s.mtimeNs) / 1_000_000n,
    ctimeMs: t(s.ctimeNs) / 1_000_000n,
    atimeMs: t(s.atimeNs) / 1_000_000n,
  });
  return out;
}

export const SECOND = 1_000_000_000n;

/** The injected `stat` of a filesystem whose timestamps have a granularity of `tick`. */
export function coarseStat(tick: bigint = SECOND): StatHook {
  return (p) => {
    let s: fs.BigIntStats | undefined;
    try {
      s = fsMut.statSync(p, { bigint: true, throwIfNoEntry: false });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
      throw e;
    }
    if (s === undefined) return null;
    const t = truncateStats(s, tick);
    const sec = (ns: bigint): number => Number(ns / 1_000_000_000n);
    const nsec = (ns: bigint): number => Number(ns % 1_000_000_000n);
    return statResult(Number(t.dev), Number(t.mode), Number(t.uid), Number(t.gid), [Number(t.ino), Number(t.size), sec(t.mtimeNs), nsec(t.mtimeNs), sec(t.ctimeNs), nsec(t.ctimeNs)]);
  };
}

/**
 * Run `fn` with `fstat` (bigint) truncated to `tick` as well. The `stat` hook cannot reach the
 * stamps discovery takes with fstat on an open file (entry_points.txt, METADATA) nor the cache
 * file's own mtime (the scan's start); on a real coarse filesystem those are coarse too.
 */
export function withCoarseFstat<T>(tick: bigint, fn: () => T): T {
  const orig = fsMut.fstatSync;
  const patched = ((fd: number, opts?: fs.StatOptions) => {
    const s = (orig as (fd: number, o?: fs.StatOptions) => fs.Stats | fs.BigIntStats)(fd, opts);
    return opts?.bigint ? truncateStats(s as fs.BigIntStats, tick) : s;
  }) as typeof fs.fstatSync;
  fsMut.fstatSync = patched;
  syncBuiltinESMExports();
  try {
    return fn();
  } finally {
    fsMut.fstatSync = orig;
    syncBuiltinESMExports();
  }
}

/** Run `fn` with one `node:fs` function replaced (live ESM bindings included). */
export function withPatchedFs<K extends keyof typeof fs, T>(name: K, replacement: (typeof fs)[K], fn: () => T): T {
  const orig = fsMut[name];
  (fsMut as Record<K, unknown>)[name] = replacement;
  syncBuiltinESMExports();
  try {
    return fn();
  } finally {
    (fsMut as Record<K, unknown>)[name] = orig;
    syncBuiltinESMExports();
  }
}

export function errnoError(code: string, syscall: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: injected failure, ${syscall}`), { code, syscall, errno: -1 });
}

// ---------------------------------------------------------------------------------------------
// Child processes

export interface Ran {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env['EPINDEX_CACHE'];
  delete env['EPINDEX_FRESHNESS'];
  return { ...env, NODE_EXTRA_CA_CERTS: '', NO_COLOR: '1', ...extra };
}

/** Run the CLI synchronously; `user` = run as that uid/gid (root only). */
export function runCli(args: readonly string[], env: Record<string, string>, user?: number): Ran {
  // Another user runs a copy of the CLI it can reach: the checkout may sit in a mode-0700 directory.
  const cli = user !== undefined ? reachableCli() : CLI;
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: childEnv(env), cwd: '/', ...(user !== undefined ? { uid: user, gid: user } : {}) });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** Run the CLI asynchronously (for processes that must run at the same time). */
export function runCliAsync(args: readonly string[], env: Record<string, string>): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [CLI, ...args], { env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'], cwd: '/' });
    let stdout = '';
    let stderr = '';
    p.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    p.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    p.on('error', reject);
    p.on('close', (status, signal) => resolve({ status, signal, stdout, stderr }));
  });
}

/** Run the child driver asynchronously. */
export function runChild(args: readonly string[], env: Record<string, string> = {}, opts: SpawnOptions = {}): { done: Promise<Ran>; child: ReturnType<typeof spawn> } {
  const child = spawn(process.execPath, [CHILD, ...args], { env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'], cwd: '/', ...opts });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const done = new Promise<Ran>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr }));
  });
  return { done, child };
}

/**
 * Give a tree to the unprivileged user when we are root (so a child running as that user sees
 * it as its own); a no-op otherwise.
 */
export function chownTree(root: string, uid: number): void {
  if (!IS_ROOT) return;
  for (const p of allPaths(root)) fs.lchownSync(p, uid, uid);
}

// ---------------------------------------------------------------------------------------------
// Mounts

/** Mount a tmpfs of `size` at a fresh directory; null (with why) when the machine does not allow it. */
export function mountTmpfs(size: string): { dir: string; unmount: () => void } | { dir: null; why: string } {
  if (process.platform !== 'linux') return { dir: null, why: 'tmpfs mounts need Linux' };
  if (!IS_ROOT) return { dir: null, why: 'mounting a tmpfs needs root (CAP_SYS_ADMIN)' };
  const dir = tempDir('epindex-tmpfs-');
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0755`, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0) return { dir: null, why: `mount -t tmpfs failed: ${(r.stderr || r.error?.message || '').trim()}` };
  return { dir, unmount: () => void spawnSync('umount', ['-l', dir]) };
}

export function remount(dir: string, options: string): { ok: true } | { ok: false; why: string } {
  const r = spawnSync('mount', ['-o', `remount,${options}`, dir], { encoding: 'utf8' });
  return r.status === 0 ? { ok: true } : { ok: false, why: `mount -o remount,${options} failed: ${(r.stderr || '').trim()}` };
}

/** A read-only bind mount of `src` at a fresh directory. */
export function roBind(src: string): { dir: string; unmount: () => void } | { dir: null; why: string } {
  if (process.platform !== 'linux') return { dir: null, why: 'bind mounts need Linux' };
  if (!IS_ROOT) return { dir: null, why: 'bind mounts need root (CAP_SYS_ADMIN)' };
  const dir = tempDir('epindex-robind-');
  let r = spawnSync('mount', ['--bind', src, dir], { encoding: 'utf8' });
  if (r.status !== 0) return { dir: null, why: `mount --bind failed: ${(r.stderr || '').trim()}` };
  r = spawnSync('mount', ['-o', 'remount,bind,ro', dir], { encoding: 'utf8' });
  if (r.status !== 0) {
    spawnSync('umount', ['-l', dir]);
    return { dir: null, why: `mount -o remount,bind,ro failed: ${(r.stderr || '').trim()}` };
  }
  return { dir, unmount: () => void spawnSync('umount', ['-l', dir]) };
}

export type { CacheOptions, Freshness };
