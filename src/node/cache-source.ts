/**
 * The npm source as the cache engine sees it (src/cache/source.ts): one node_modules directory
 * listed and scanned by source.ts, its packages as units, and the way back from a unit or a
 * cache's group section to package records.
 *
 * What a unit holds for npm: `child` and `key` are the name Node resolves the package by
 * (`name` or `@scope/name`); `layout` is `package` or `linked`, with `+exports` when the
 * package has `exports`; an entry point's `line` is its position among the package's
 * declarations (1-based; package.json has no line structure a lookup needs) and its `ref` is
 * `{p: JSON pointer, m: module, e: export path}` or `{p, problem}` for an invalid target.
 */
import * as path from 'node:path';
import type { DirectoryScan, RefJSON, ScanRequest, Source, Unit, UnitEntryPoint } from '../cache/source.js';
import { CacheFile, MAX_HEADER_BYTES, parseHeader, type GroupSection } from '../cache/format.js';
import { NO_STAMP, statPath, type Stamp } from '../cache/stamp.js';
import { errnoCode } from '../errors.js';
import type { Diagnostic } from '../diagnostics.js';
import type { DeclaredEntryPoint, ParsedTarget } from '../format/package-json.js';
import { crc32 } from '../crc32.js';
import { readRegularFile } from './read.js';
import { listNodeModules, scanPackage, type NodePackageRecord } from './source.js';
import * as fs from 'node:fs';

const stampOf = (p: string): Stamp => {
  try {
    return statPath(p)?.stamp ?? NO_STAMP;
  } catch {
    return NO_STAMP;
  }
};

function refOf(e: DeclaredEntryPoint): RefJSON {
  return e.target.ok ? { p: e.pointer, m: e.target.module, e: [...e.target.exportPath] } : { p: e.pointer, problem: e.target.problem };
}

const POINTER_MARK = ' (at ';

/**
 * The engine's diagnostic rows have no JSON pointer: it travels at the end of the message
 * (` (at /plugin-entry-points/g/n)`, as the CLI shows it anyway) and is split off again when a
 * record is read back, so a cached lookup and a scan give the same diagnostics.
 */
export function packPointer(d: Diagnostic): Diagnostic {
  if (d.pointer === undefined) return d;
  const { pointer, ...rest } = d;
  return { ...rest, message: `${d.message}${POINTER_MARK}${pointer === '' ? '/' : pointer})` };
}

export function unpackPointer(d: Diagnostic): Diagnostic {
  const at = d.message.lastIndexOf(POINTER_MARK);
  if (at < 0 || !d.message.endsWith(')') || d.message[at + POINTER_MARK.length] !== '/') return d;
  const pointer = d.message.slice(at + POINTER_MARK.length, -1);
  return { ...d, message: d.message.slice(0, at), pointer: pointer === '/' ? '' : pointer };
}

const layoutOf = (r: NodePackageRecord): string => `${r.linked ? 'linked' : 'package'}${r.hasExports ? '+exports' : ''}`;

/** A package record as the engine's unit. */
export function unitOf(dir: string, r: NodePackageRecord, stamps: boolean): Unit {
  return {
    child: r.key,
    key: r.key,
    name: r.name,
    version: r.version,
    layout: layoutOf(r),
    real: true,
    winner: true,
    entryPoints: r.entryPoints.map((e, i): UnitEntryPoint => ({ group: e.group, name: e.name, value: e.value, line: i + 1, ref: refOf(e) })),
    diagnostics: r.diagnostics.map(packPointer),
    watches: stamps ? r.watch.map((w) => ({ path: w.path, level: w.level, stamp: stampOf(path.join(dir, w.path)) })) : [],
  };
}

/** A cached or scanned entry point back as a declaration. */
export function declarationOf(group: string, name: string, value: string, ref: RefJSON): DeclaredEntryPoint {
  const r = (typeof ref === 'object' && ref !== null && !Array.isArray(ref) ? ref : {}) as { p?: unknown; m?: unknown; e?: unknown; problem?: unknown };
  const pointer = typeof r.p === 'string' ? r.p : '';
  const target: ParsedTarget =
    typeof r.m === 'string' && Array.isArray(r.e) && r.e.every((x) => typeof x === 'string')
      ? { ok: true, module: r.m, exportPath: r.e as string[] }
      : { ok: false, problem: typeof r.problem === 'string' ? r.problem : 'unreadable cached target' };
  return { group, name, value, pointer, target };
}

/** A unit (of a scan) back as a package record, its entry points in declaration order. */
export function recordOfUnit(u: Unit): NodePackageRecord {
  const eps = [...u.entryPoints].sort((a, b) => a.line - b.line);
  return {
    key: u.key,
    name: u.name,
    version: u.version,
    location: u.child,
    linked: u.layout.startsWith('linked'),
    hasExports: u.layout.endsWith('+exports'),
    entryPoints: eps.map((e) => declarationOf(e.group, e.name, e.value, e.ref)),
    diagnostics: u.diagnostics.map(unpackPointer),
    watch: u.watches.map((w) => ({ path: w.path, level: w.level })),
  };
}

/** The packages of one cached group section, with that group's entry points. */
export function recordsOfGroup(group: string, section: GroupSection): NodePackageRecord[] {
  const ds = section.dists;
  const records: Array<{ r: NodePackageRecord; eps: DeclaredEntryPoint[] }> = ds.index.map((_, k) => {
    const eps: DeclaredEntryPoint[] = [];
    const layout = ds.layout[k]!;
    return { eps, r: { key: ds.normalizedName[k]!, name: ds.name[k]!, version: ds.version[k]!, location: ds.child[k]!, linked: layout.startsWith('linked'), hasExports: layout.endsWith('+exports'), entryPoints: eps, diagnostics: [], watch: [] } };
  });
  const e = section.eps;
  for (let j = 0; j < e.name.length; j++) records[e.dist[j]!]!.eps.push(declarationOf(group, e.name[j]!, e.value[j]!, e.ref[j]!));
  return records.map((x) => x.r);
}

/** The layout of a scope's bookkeeping unit (never a package: not real, never a winner). */
export const SCOPE_LAYOUT = 'scope';

/**
 * How many packages a cache file of this source holds: its units without the scopes'
 * bookkeeping ones (the header's `distributions` counts those too). Null when the file cannot
 * be read as a cache (it is opened without following a link, and must be a regular file).
 */
export function packagesInCache(file: string): number | null {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0) | (fs.constants.O_NONBLOCK ?? 0));
  } catch {
    return null;
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) return null;
    // Positioned reads of the header and the one section, as a lookup reads (never the whole file).
    const readAt = (length: number, position: number): Buffer => {
      const buf = Buffer.allocUnsafe(Math.max(0, Math.min(length, st.size - position)));
      let n = 0;
      while (n < buf.length) {
        const got = fs.readSync(fd, buf, n, buf.length - n, position + n);
        if (got === 0) break;
        n += got;
      }
      return buf.subarray(0, n);
    };
    // The header in the engine's first read (64 KiB); the rest of 16 MiB only for a longer one.
    let head = readAt(64 * 1024, 0);
    if (head.indexOf(0x0a) < 0 && head.length < st.size) head = readAt(MAX_HEADER_BYTES, 0);
    const nl = head.indexOf(0x0a);
    if (nl < 0) return null;
    const cache = new CacheFile(parseHeader(head.subarray(0, nl), st.size, [0, 0]), nl + 1);
    cache.load('dists', readAt);
    return cache.dists.layout.filter((l) => l !== SCOPE_LAYOUT).length;
  } catch {
    return null;
  } finally {
    fs.closeSync(fd);
  }
}

/** The `@scope` directories `listNodeModules` finds: each one is a bookkeeping unit of a scan with stamps. */
export const scopeCount = (dir: string): number => listNodeModules(dir).dirs.length;

/**
 * A scope directory as a unit of its own, for the engine's freshness checks: it carries the
 * scope directory's stamp (a package added to an existing scope changes only that directory,
 * which the engine compares at the listing level only when node_modules itself changed), and
 * the engine re-reads a racy watched file through its first path component — for a scoped
 * package, the scope. Its digest therefore covers the scope's package names and every one of
 * their package.json files, so a racy re-read sees any change under the scope.
 */
function scopeUnit(dir: string, scope: string): Unit {
  const scopeDir = path.join(dir, scope);
  let names: string[] = [];
  try {
    names = fs.readdirSync(scopeDir).filter((n) => !n.startsWith('.'));
  } catch {
    // gone: an empty scope
  }
  let crc = crc32(Buffer.from(JSON.stringify(names)));
  for (const n of names) {
    const r = readRegularFile(path.join(scopeDir, n, 'package.json'));
    crc = crc32(r.ok ? r.bytes : Buffer.from(`\0${r.reason}`), crc);
  }
  return {
    child: scope,
    key: scope,
    name: scope,
    version: String(crc),
    layout: SCOPE_LAYOUT,
    real: false,
    winner: false,
    entryPoints: [],
    diagnostics: [],
    watches: [{ path: scope, level: 'stat', stamp: stampOf(scopeDir) }],
  };
}

function kindOf(dir: string): DirectoryScan['kind'] {
  try {
    return fs.statSync(dir).isDirectory() ? 'directory' : 'unsearchable';
  } catch (e) {
    const code = errnoCode(e);
    return code === 'ENOENT' || code === 'ENOTDIR' ? 'missing' : 'unsearchable';
  }
}

/** One node_modules directory for the engine. */
export const nodeSource: Source = {
  id: 'node',
  cacheName: 'npm-entry-points',
  listingSpansDirectories: true,
  scan(dir: string, request: ScanRequest): DirectoryScan {
    const kind = kindOf(dir);
    if (kind !== 'directory') return { kind, listing: [], units: [], diagnostics: [], listingDirs: [] };
    const listing = listNodeModules(dir);
    const diagnostics = [...listing.diagnostics];
    let realDir: string | null;
    try {
      realDir = fs.realpathSync(dir);
    } catch {
      realDir = null;
    }
    const units: Unit[] = [];
    for (const key of listing.names) {
      const r = scanPackage(dir, key, diagnostics, realDir, listing.links.has(key));
      if (r !== null) units.push(unitOf(dir, r, request.stamps));
    }
    if (request.stamps) for (const scope of listing.dirs) units.push(scopeUnit(dir, scope));
    return {
      kind,
      listing: listing.names.map((name) => ({ name, stamp: request.stamps ? stampOf(path.join(dir, name)) : NO_STAMP })),
      units,
      diagnostics,
      listingDirs: listing.dirs.map((d) => ({ path: d, stamp: request.stamps ? stampOf(path.join(dir, d)) : NO_STAMP })),
    };
  },
  listing(dir: string): string[] {
    fs.readdirSync(dir); // the listing error, as the interface asks
    return [...listNodeModules(dir).names];
  },
  rescan(dir: string, child: string): Unit | null {
    if (child.startsWith('@') && !child.includes('/')) return scopeUnit(dir, child);
    const r = scanPackage(dir, child, []);
    return r === null ? null : unitOf(dir, r, true);
  },
};
