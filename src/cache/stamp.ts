/**
 * Stamps: what freshness compares of a file or directory, and the one `stat` the warm path
 * makes per watched file.
 *
 * A stamp is six integers `[ino, size, mtime_sec, mtime_nsec, ctime_sec, ctime_nsec]` (spec
 * §5.2): exact nanoseconds without BigInt, JSON-safe, and the same numbers Python's `os.stat`
 * gives (`divmod(st_mtime_ns, 10**9)`). Recorded stamps live in flat number arrays and are
 * compared in place: checking 20,000 files allocates no stamp objects.
 *
 * The stat itself: `fs.statSync` builds a Stats object per call, which measured here ~1.5 µs of
 * a ~6 µs stat (the syscall alone is ~4 µs on these VMs). Node's own fs binding fills a shared
 * Float64Array instead; where it exists with the layout Node 20 has, and agrees with
 * `fs.statSync` on a probe, `statInto` uses it, else it falls back to `fs.statSync` (exact too:
 * see `fromStats`). The choice is made once per process and can be forced with
 * `EPINDEX_PORTABLE_STAT=1`.
 */
import * as fs from 'node:fs';
import { fsPath } from '../fsnames.js';

/** Six integers: ino, size, mtime seconds, mtime nanoseconds, ctime seconds, ctime nanoseconds. */
export type Stamp = readonly [number, number, number, number, number, number];
export const STAMP_WIDTH = 6;
/** The stamp recorded for something that could not be stat'ed. */
export const NO_STAMP: Stamp = [0, 0, 0, 0, 0, 0];

/** 2 s: the coarsest common timestamp granularity (FAT); HFS+ and ext3 have 1 s. */
export const RACY_WINDOW_MS = 2000;

/** What a stat tells the cache: a stamp plus the type and ownership bits trust needs. */
export interface StatResult {
  readonly dev: number;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly stamp: Stamp;
  isDirectory(): boolean;
  isFile(): boolean;
}

const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;

/** A StatResult from parts (tests, and the portable path). */
export function statResult(dev: number, mode: number, uid: number, gid: number, stamp: Stamp): StatResult {
  return new Result(dev, mode, uid, gid, stamp);
}

class Result implements StatResult {
  constructor(readonly dev: number, readonly mode: number, readonly uid: number, readonly gid: number, readonly stamp: Stamp) {}
  isDirectory(): boolean {
    return (this.mode & S_IFMT) === S_IFDIR;
  }
  isFile(): boolean {
    return (this.mode & S_IFMT) === S_IFREG;
  }
}

// Node 20's binding layout (src/node_file.h FsStatsOffset).
const K = { dev: 0, mode: 1, uid: 3, gid: 4, ino: 7, size: 8, mSec: 12, mNsec: 13, cSec: 14, cNsec: 15 } as const;

type BindingStat = (path: string | Buffer, bigint: false, req: undefined, throwIfNoEntry: boolean) => Float64Array | undefined;
let bindingStat: BindingStat | null | undefined;

/** A replacement stat for tests (a simulated coarse-mtime filesystem); `null` restores the real one. */
export type StatHook = (p: string) => StatResult | null;
let hook: StatHook | null = null;
export function setStatHook(h: StatHook | null): void {
  hook = h;
}

function pickBinding(): BindingStat | null {
  if (process.env['EPINDEX_PORTABLE_STAT'] === '1') return null;
  try {
    // process.binding is a documentation-only deprecation (DEP0111) in Node 20; it warns only
    // under --pending-deprecation, where we do not use it.
    if (process.execArgv.includes('--pending-deprecation') || (process.env['NODE_OPTIONS'] ?? '').includes('--pending-deprecation')) return null;
    const b = (process as unknown as { binding(name: string): { stat?: unknown } }).binding('fs');
    if (typeof b.stat !== 'function') return null;
    const f = b.stat.bind(b) as BindingStat;
    // Probe: the layout must agree with fs.statSync on a directory that surely exists.
    const probe = process.cwd();
    const a = f(probe, false, undefined, false);
    const s = fs.statSync(probe);
    if (!(a instanceof Float64Array) || a.length < 16 || a[K.ino] !== s.ino || a[K.mode] !== s.mode || a[K.size] !== s.size ||
      a[K.mSec]! * 1e3 + a[K.mNsec]! / 1e6 !== s.mtimeMs || a[K.uid] !== s.uid) return null;
    return f;
  } catch {
    return null;
  }
}

const errnoOf = (e: unknown): string | undefined => (typeof e === 'object' && e !== null ? (e as { code?: string }).code : undefined);

/**
 * stat(2) following symlinks. `null` when the path does not exist (ENOENT, ENOTDIR); other
 * errors (EACCES, ELOOP…) throw as fs.statSync's do.
 */
export function statPath(p: string): StatResult | null {
  if (hook !== null) return hook(p);
  if (bindingStat === undefined) bindingStat = pickBinding();
  if (bindingStat !== null) {
    let a: Float64Array | undefined;
    try {
      // Names that are not UTF-8 are carried as os.fsdecode gives them: back to their bytes.
      a = bindingStat(fsPath(p), false, undefined, false);
    } catch (e) {
      if (errnoOf(e) === 'ENOTDIR') return null;
      throw e;
    }
    if (a === undefined) return null;
    return new Result(a[K.dev]!, a[K.mode]!, a[K.uid]!, a[K.gid]!, [a[K.ino]!, a[K.size]!, a[K.mSec]!, a[K.mNsec]!, a[K.cSec]!, a[K.cNsec]!]);
  }
  let s: fs.BigIntStats | undefined;
  try {
    s = fs.statSync(fsPath(p), { bigint: true, throwIfNoEntry: false });
  } catch (e) {
    if (errnoOf(e) === 'ENOTDIR') return null;
    throw e;
  }
  return s === undefined ? null : fromBigStats(s);
}

/** A stamp from a BigIntStats (fstat of an open file, the portable path). */
export function fromBigStats(s: fs.BigIntStats): StatResult {
  const sec = (ns: bigint): number => Number(ns / 1_000_000_000n);
  const nsec = (ns: bigint): number => Number(ns % 1_000_000_000n);
  return new Result(Number(s.dev), Number(s.mode), Number(s.uid), Number(s.gid), [Number(s.ino), Number(s.size), sec(s.mtimeNs), nsec(s.mtimeNs), sec(s.ctimeNs), nsec(s.ctimeNs)]);
}

/**
 * Compare `p`'s current stamp with `recorded[at .. at+6)` without allocating a stamp: the
 * warm path's inner loop. `false` when it differs or `p` is gone or unreadable.
 */
export function sameStampAt(p: string, recorded: ArrayLike<number>, at: number): boolean {
  if (bindingStat === undefined) bindingStat = pickBinding();
  if (bindingStat !== null && hook === null) {
    let a: Float64Array | undefined;
    try {
      a = bindingStat(fsPath(p), false, undefined, false);
    } catch {
      return false;
    }
    return a !== undefined && a[K.mNsec] === recorded[at + 3] && a[K.mSec] === recorded[at + 2] && a[K.size] === recorded[at + 1] &&
      a[K.ino] === recorded[at] && a[K.cNsec] === recorded[at + 5] && a[K.cSec] === recorded[at + 4];
  }
  let s: StatResult | null;
  try {
    s = statPath(p);
  } catch {
    return false;
  }
  return s !== null && stampEqualsAt(s.stamp, recorded, at);
}

export function stampEqualsAt(s: Stamp, recorded: ArrayLike<number>, at: number): boolean {
  for (let i = 0; i < STAMP_WIDTH; i++) if (s[i] !== recorded[at + i]) return false;
  return true;
}

/** Milliseconds of a (sec, nsec) pair, for racy comparisons only (2 s windows need no nanoseconds). */
const ms = (sec: number, nsec: number): number => sec * 1e3 + nsec / 1e6;

/** A stamp is racy when its mtime or ctime is within the racy window of the scan's start (spec §5.4). */
export function isRacy(stamp: ArrayLike<number>, at: number, scanned: readonly [number, number]): boolean {
  const t = Math.max(ms(stamp[at + 2]!, stamp[at + 3]!), ms(stamp[at + 4]!, stamp[at + 5]!));
  return t >= ms(scanned[0], scanned[1]) - RACY_WINDOW_MS;
}

/** Whether the racy window after `scanned` has passed, on this machine's clock. */
export function racyWindowPassed(scanned: readonly [number, number]): boolean {
  return Date.now() - ms(scanned[0], scanned[1]) > RACY_WINDOW_MS;
}

/** For tests: which stat implementation this process uses. */
export function statImplementation(): 'binding' | 'portable' {
  if (bindingStat === undefined) bindingStat = pickBinding();
  return bindingStat === null ? 'portable' : 'binding';
}
