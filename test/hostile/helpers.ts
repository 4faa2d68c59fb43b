/**
 * Shared by the hostile-input suite (test/hostile/*.test.ts): sandboxes another user can reach,
 * the CLI (its reachable copy for another user) run with a time limit (a hang fails the test
 * instead of the suite), Python as that user, and a count of the bytes a call reads.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI } from '../support/cli.js';
import { tempDir } from '../support/fixtures.js';
import { PYTHON } from '../support/python.js';
import { reachableCli } from '../support/reachable.js';

export const POSIX = process.platform !== 'win32';
export const IS_ROOT = typeof process.getuid === 'function' && process.getuid() === 0;
/** The unprivileged user privilege cases run as when we are root (nobody on Debian). */
export const NOBODY = 65534;
/** Who the privilege cases run as: nobody when we are root, else ourselves (permissions apply to us then). */
export const UNPRIVILEGED: number | undefined = IS_ROOT ? NOBODY : undefined;

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const SUPPORT = path.join(ROOT, 'test', 'support');

/** A fresh temp dir everyone can enter and read (the files in it keep their own modes). */
export function sandbox(prefix = 'epindex-hostile-'): string {
  const d = tempDir(prefix);
  fs.chmodSync(d, 0o755);
  return d;
}

export interface Ran {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
}

export interface RunOptions {
  /** Run as this uid (and gid), root only. */
  readonly uid?: number | undefined;
  /** Killed (SIGKILL) after this long: a regression that blocks fails instead of hanging the suite. */
  readonly timeoutMs?: number;
  readonly env?: Record<string, string>;
}

/** Run `epi` (the copy an unprivileged user can read when `uid` is given). */
export function epi(args: readonly string[], options: RunOptions = {}): Ran {
  // The checkout may be in a mode-0700 directory: another user runs a reachable copy.
  const cli = options.uid !== undefined ? reachableCli() : CLI;
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_EXTRA_CA_CERTS: '', NO_COLOR: '1', ...options.env };
  delete env['EPINDEX_CACHE'];
  delete env['EPINDEX_FRESHNESS'];
  if (options.env?.['EPINDEX_CACHE_DIR'] === undefined) delete env['EPINDEX_CACHE_DIR'];
  const r = spawnSync(process.execPath, [cli, ...args], {
    encoding: 'utf8',
    env,
    cwd: '/',
    timeout: options.timeoutMs ?? 20_000,
    killSignal: 'SIGKILL',
    maxBuffer: 64 * 1024 * 1024,
    ...(options.uid !== undefined ? { uid: options.uid, gid: options.uid } : {}),
  });
  const timedOut = (r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT';
  return { status: r.status, signal: r.signal, stdout: r.stdout ?? '', stderr: r.stderr ?? '', timedOut };
}

/** `epi ... --json`, parsed; fails loudly (with what it printed) on a hang, a crash or bad JSON. */
export function epiJson<T>(args: readonly string[], options: RunOptions = {}): { ran: Ran; json: T } {
  const ran = epi([...args, '--json'], options);
  if (ran.timedOut) throw new Error(`epi ${args.join(' ')} did not finish within ${options.timeoutMs ?? 20_000} ms (it blocked)`);
  try {
    return { ran, json: JSON.parse(ran.stdout) as T };
  } catch {
    throw new Error(`epi ${args.join(' ')} exited ${ran.status} (${ran.signal}) without JSON:\n${ran.stdout}\n${ran.stderr}`);
  }
}

export interface DiagnosticJSON {
  readonly code: string;
  readonly severity: string;
  readonly file?: string;
  readonly line?: number;
  readonly message: string;
}
export interface EntryPointJSON {
  readonly group: string;
  readonly name: string;
  readonly value: string;
  readonly dist: { readonly name: string; readonly normalizedName: string; readonly version: string | null; readonly metadataPath: string } | null;
}
export interface ListJSON {
  readonly entryPoints: EntryPointJSON[];
  readonly diagnostics: DiagnosticJSON[];
}

/** A private user cache root for `uid` (mode 0700, theirs), for `--cache auto` runs. */
export function userCacheFor(uid: number | undefined): string {
  const d = sandbox('epindex-hostile-ucache-');
  fs.chmodSync(d, 0o700);
  if (uid !== undefined) fs.chownSync(d, uid, uid);
  return d;
}

let pythonChoice: Map<number | undefined, string | null> | undefined;
/**
 * A Python that `uid` can run: the tests' own when it can (it may live under /root), else the
 * system's. `null` when there is none.
 */
export function pythonFor(uid: number | undefined): string | null {
  pythonChoice ??= new Map();
  if (pythonChoice.has(uid)) return pythonChoice.get(uid)!;
  let found: string | null = null;
  for (const p of [PYTHON, '/usr/bin/python3', '/usr/local/bin/python3']) {
    const r = spawnSync(p, ['-c', 'import importlib.metadata'], { cwd: '/', ...(uid !== undefined ? { uid, gid: uid } : {}) });
    if (r.status === 0) {
      found = p;
      break;
    }
  }
  pythonChoice.set(uid, found);
  return found;
}

/** [normalized dist, group, name, value], sorted: what importlib and epindex are compared on. */
export type Row = [dist: string, group: string, name: string, value: string];
export const sortRows = (rows: Row[]): Row[] => rows.sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
export const rowsOf = (l: ListJSON): Row[] => sortRows(l.entryPoints.map((e): Row => [e.dist?.normalizedName ?? '(none)', e.group, e.name, e.value]));

/**
 * importlib.metadata.entry_points() for `searchPath`, run as `uid` with a Python that user can
 * run and a copy of test/support/oracle.py that user can read.
 */
export function importlibAs(uid: number | undefined, searchPath: readonly string[]): { entryPoints: Row[] } | { error: string } | null {
  const python = pythonFor(uid);
  if (python === null) return null;
  const d = sandbox('epindex-oracle-');
  const script = path.join(d, 'oracle.py');
  fs.copyFileSync(path.join(SUPPORT, 'oracle.py'), script);
  fs.chmodSync(script, 0o644);
  const r = spawnSync(python, [script, JSON.stringify(searchPath)], { encoding: 'utf8', cwd: '/', timeout: 20_000, killSignal: 'SIGKILL', ...(uid !== undefined ? { uid, gid: uid } : {}) });
  if (r.status !== 0) throw new Error(`oracle.py as uid ${uid} failed: ${r.stderr}`);
  const out = JSON.parse(r.stdout) as { entryPoints?: Row[]; error?: string };
  return out.entryPoints !== undefined ? { entryPoints: sortRows(out.entryPoints) } : { error: out.error! };
}

/** The `node:fs` module object itself (its ESM namespace is read-only); see syncBuiltinESMExports. */
const fsMut = createRequire(import.meta.url)('node:fs') as typeof fs;

/**
 * Run `fn` counting what it reads through `fs` (readSync, readFileSync, and opens): how a test
 * proves that a large file was looked at, not read.
 */
export function countingReads<T>(fn: () => T): { result: T; bytes: number; opens: string[] } {
  const m = fsMut as unknown as Record<string, unknown>;
  const readSync = fsMut.readSync;
  const readFileSync = fsMut.readFileSync;
  const openSync = fsMut.openSync;
  let bytes = 0;
  const opens: string[] = [];
  m['readSync'] = (...args: unknown[]): number => {
    const n = (readSync as (...a: unknown[]) => number)(...args);
    bytes += n;
    return n;
  };
  m['readFileSync'] = (...args: unknown[]): unknown => {
    const r = (readFileSync as (...a: unknown[]) => string | Buffer)(...args);
    bytes += r.length;
    return r;
  };
  m['openSync'] = (...args: unknown[]): number => {
    opens.push(String(args[0]));
    return (openSync as (...a: unknown[]) => number)(...args);
  };
  syncBuiltinESMExports();
  try {
    return { result: fn(), bytes, opens };
  } finally {
    m['readSync'] = readSync;
    m['readFileSync'] = readFileSync;
    m['openSync'] = openSync;
    syncBuiltinESMExports();
  }
}

/** A sparse file of `size` bytes (a hole: no disk is used), with `head` at its start. */
export function sparseFile(file: string, size: number, head: Uint8Array = new Uint8Array(0)): string {
  const fd = fs.openSync(file, 'w');
  try {
    if (head.length > 0) fs.writeSync(fd, head, 0, head.length, 0);
    fs.ftruncateSync(fd, size);
  } finally {
    fs.closeSync(fd);
  }
  return file;
}

/** Make a FIFO at `p` (mkfifo(1): Node has no mkfifo). */
export function mkfifo(p: string): void {
  const r = spawnSync('mkfifo', [p], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`mkfifo ${p} failed: ${r.stderr || r.error?.message}`);
}
