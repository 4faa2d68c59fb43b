/**
 * The cache engine with the Python source, as the cache tests drive it: in the test process
 * (through helpers.ts) and in child processes (child.ts), so this module imports nothing from
 * node:test. An injected stat simulates a coarse-mtime filesystem.
 */
import * as fs from 'node:fs';
import { crc32 } from '../../src/crc32.js';
import { cacheStatusOf as engineStatus, forgetAll, loadDirectory, scanTimeOf, type CacheOptions, type CachePolicy, type CacheStatus, type LoadMode } from '../../src/cache/engine.js';
import { CacheFile, CacheFormatError, parseHeader } from '../../src/cache/format.js';
import { checkFreshness, type Freshness, type FreshnessResult } from '../../src/cache/freshness.js';
import { inDirectoryLocation } from '../../src/cache/location.js';
import { setStatHook, statPath, type StatHook } from '../../src/cache/stamp.js';
import { buildCacheSync, type BuildOptions, type BuildResult } from '../../src/cache/store.js';
import type { EntryPointJSON, EntryPointQuery } from '../../src/entry-point.js';
import { scanView, cacheView, type EntryView } from '../../src/entry-view.js';
import { pythonEnvironment } from '../../src/environment.js';
import { pythonSource } from '../../src/python/source.js';

export interface TestCacheOptions extends CacheOptions {
  /** Run with this stat (a simulated filesystem) instead of the real one. */
  readonly stat?: StatHook;
}

function withHook<T>(hook: StatHook | undefined, fn: () => T): T {
  if (hook === undefined) return fn();
  setStatHook(hook);
  try {
    return fn();
  } finally {
    setStatHook(null);
  }
}

/** Build `dir`'s cache now (no settling), in the directory where allowed. */
export function buildCache(dir: string, opts: TestCacheOptions & BuildOptions = {}): BuildResult {
  return withHook(opts.stat, () => buildCacheSync(dir, pythonSource, opts));
}

export function cacheStatusOf(dir: string, opts: TestCacheOptions = {}): CacheStatus {
  return withHook(opts.stat, () => engineStatus(dir, pythonSource, opts));
}

export interface Loaded {
  readonly source: 'cache' | 'scan' | 'none';
  readonly diagnostics: import('../../src/diagnostics.js').Diagnostic[];
  /** What the lookup reads (every section of a cache loaded). */
  readonly view: EntryView;
}

/** One directory under one mode, as a lookup of every group would load it. */
export function loadPathEntry(dir: string, mode: LoadMode, opts: TestCacheOptions = {}): Loaded {
  return withHook(opts.stat, () => {
    const l = loadDirectory(dir, pythonSource, mode, opts, { sections: (f) => [...f.header.sections.keys()] });
    const view = l.from === 'cache' ? cacheView(dir, l.file, l.location.file, () => pythonSource.scan(dir, { stamps: false }))
      : scanView(dir, l.from === 'scan' ? l.scan : { kind: 'missing', listing: [], units: [], diagnostics: [], listingDirs: [] });
    return { source: l.from, diagnostics: l.diagnostics, view };
  });
}

const plainDiag = (r: readonly unknown[]): unknown => ({ dist: r[0], code: r[1], file: r[2], line: r[3], message: r[4] });

/** What a lookup's answer is made of, from a cache or a scan alike (no stamps, no digests). */
export function view(v: EntryView): unknown {
  const groups: Record<string, unknown> = {};
  for (const g of [...v.groups()].sort()) groups[g] = v.group(g);
  return {
    kind: v.kind,
    dists: v.dists().map((d) => d.slice(0, 7)),
    names: v.names(),
    groups,
    diagnostics: v.diagnostics().map(plainDiag),
  };
}

export const freshView = (dir: string): unknown => view(scanView(dir, pythonSource.scan(dir, { stamps: false })));

export interface PolicyResult {
  readonly entryPoints: EntryPointJSON[];
  readonly codes: string[];
}

/** `entryPoints(query)` under one policy, through the public front door. */
export async function lookup(dirs: readonly string[], cache: CachePolicy, opts: { userCacheDir: string; freshness?: Freshness }, query: EntryPointQuery = {}): Promise<PolicyResult> {
  const env = await pythonEnvironment({ path: dirs, cache, userCacheDir: opts.userCacheDir, ...(opts.freshness ? { freshness: opts.freshness } : {}) });
  const eps = await env.entryPoints(query);
  return { entryPoints: eps.toJSON(), codes: eps.diagnostics.map((d) => d.code) };
}

// ---------------------------------------------------------------------------------------------
// Looking inside a cache

export function cacheFile(dir: string): string {
  return inDirectoryLocation(dir).file;
}

/** Open a cache file with every section loaded (throws when it is not a valid cache). */
export function openCacheFile(file: string): CacheFile {
  const bytes = fs.readFileSync(file);
  const nl = bytes.indexOf(0x0a);
  const header = parseHeader(bytes.subarray(0, nl), bytes.length, scanTimeOf(fs.statSync(file)));
  const f = new CacheFile(header, nl + 1);
  for (const name of header.sections.keys()) f.load(name, (len, pos) => bytes.subarray(pos, pos + len));
  return f;
}

/** The view of what the in-directory cache of `dir` recorded. */
export function cachedView(dir: string): unknown {
  return view(cacheViewOf(cacheFile(dir)));
}

/** A cache file as the EntryView a lookup would get (every section loaded). */
export function cacheViewOf(file: string): EntryView {
  return cacheViewOfLoaded('', openCacheFile(file));
}

function cacheViewOfLoaded(dir: string, f: CacheFile): EntryView {
  const v = scanView(dir, { kind: f.header.kind, listing: [], units: [], diagnostics: [], listingDirs: [] });
  return { ...v, kind: f.header.kind, distributionCount: f.header.distributions, groups: () => f.groups, group: (g) => f.group(g), dists: () => f.dists, names: () => f.names, diagnostics: () => f.diagnostics };
}

/** The engine's own freshness verdict on the in-directory cache, with its racy flag. */
export function verdict(dir: string, level: Freshness, stat?: StatHook): FreshnessResult {
  forgetAll();
  const file = openCacheFile(cacheFile(dir));
  return withHook(stat, () => {
    const st = statPath(dir);
    if (st === null) throw new Error(`${dir} is gone`);
    return checkFreshness({ dir, file, source: pythonSource, level, stat: st, need: () => undefined });
  });
}


/** Parse and verify every section of cache bytes: `null` when valid, else why not. */
export function cacheProblem(bytes: Buffer): string | null {
  try {
    const nl = bytes.indexOf(0x0a);
    if (nl < 0) return 'no header line';
    const header = parseHeader(bytes.subarray(0, nl), bytes.length, [0, 0]);
    const f = new CacheFile(header, nl + 1);
    for (const name of header.sections.keys()) f.load(name, (len, pos) => bytes.subarray(pos, pos + len));
    return null;
  } catch (e) {
    if (e instanceof CacheFormatError) return `${e.code} ${e.message}`;
    throw e;
  }
}

export type { CacheOptions, CachePolicy, Freshness };

/** Re-sign a cache's header line after editing it (as a forger who knows the format would). */
export function resign(text: string): string {
  const nl = text.indexOf('\n');
  const header = text.slice(0, nl);
  const i = header.lastIndexOf(',"crc":');
  const signed = Buffer.from(header.slice(0, i) + '}', 'utf8');
  return `${header.slice(0, i)},"crc":${crc32(signed)}}${text.slice(nl)}`;
}

/**
 * Rewrite a cache after editing its body as a forger who knows the format would: every
 * section's offset, length and checksum, `bodyBytes`, and the header's checksum recomputed.
 */
export function forge(text: string, edit: (body: string) => string): string {
  const nl = text.indexOf('\n');
  const header = JSON.parse(text.slice(0, nl)) as { sections: Record<string, [number, number, number]>; bodyBytes: number; crc?: number };
  const names = Object.keys(header.sections);
  const lines = edit(text.slice(nl + 1)).split('\n').slice(0, names.length);
  let offset = 0;
  names.forEach((name, k) => {
    const b = Buffer.from(lines[k]!, 'utf8');
    header.sections[name] = [offset, b.length + 1, crc32(b)];
    offset += b.length + 1;
  });
  header.bodyBytes = offset;
  delete header.crc;
  const head = JSON.stringify(header);
  return resign(`${head.slice(0, -1)},"crc":0}\n${lines.map((l) => l + '\n').join('')}`);
}
