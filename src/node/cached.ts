/**
 * The seam between the npm side and the cache engine: one directory of the search path in,
 * the view a lookup reads out. node_modules directories go through the engine (the same
 * format, freshness levels, policies, trust and fault handling as Python path entries, with
 * `"source":"node"`); Yarn PnP has no directory to cache and is read from pnpapi each time.
 */
import { diagnosticOf, type CacheFile } from '../cache/format.js';
import { loadDirectory, loadSection, type CachePolicy, type LoadMode } from '../cache/engine.js';
import type { Freshness } from '../cache/freshness.js';
import type { DirectoryScan } from '../cache/source.js';
import type { Diagnostic } from '../diagnostics.js';
import type { DeclaredEntryPoint } from '../format/package-json.js';
import { declarationOf, nodeSource, recordOfUnit, recordsOfGroup, SCOPE_LAYOUT, unpackPointer } from './cache-source.js';
import type { NodeModulesView, SearchDir } from './discover.js';
import { pnpApiFor, scanPnp } from './pnp.js';
import type { NodePackageRecord } from './source.js';

export interface NodeCacheOptions {
  /** How lookups use caches; default `auto` (or `$EPINDEX_CACHE`). */
  readonly cache?: CachePolicy;
  /** How thoroughly a cache's freshness is checked; default `stat` (or `$EPINDEX_FRESHNESS`). */
  readonly freshness?: Freshness;
  /** The user cache root; default `$EPINDEX_CACHE_DIR` or the platform's cache directory. */
  readonly userCacheDir?: string;
}

export interface NodeModulesLoad {
  readonly view: NodeModulesView;
  /** What the cache noticed (stale, untrusted, not written…), absolute files. */
  readonly diagnostics: readonly Diagnostic[];
  /** Whether the answer came from a cache file. */
  readonly cached: boolean;
}

const declares = (r: NodePackageRecord, group: string): boolean => r.entryPoints.some((e) => e.group === group);

function scanToView(d: SearchDir, scan: DirectoryScan, group: string | undefined): NodeModulesView {
  const all = scan.units.filter((u) => u.layout !== SCOPE_LAYOUT).map(recordOfUnit);
  return {
    dir: d.dir,
    origin: d.origin,
    keys: new Set(all.map((r) => r.key)),
    packages: group === undefined ? all : all.filter((r) => declares(r, group)).map((r) => ({ ...r, entryPoints: r.entryPoints.filter((e) => e.group === group) })),
    diagnostics: [...scan.diagnostics, ...scan.units.flatMap((u) => u.diagnostics)].map(unpackPointer),
  };
}

/** Views of cache files, per file (immutable once written) and lookup: a warm repeated lookup builds nothing. */
const views = new WeakMap<CacheFile, Map<string, NodeModulesView>>();

function fileToView(d: SearchDir, file: CacheFile, group: string | undefined): NodeModulesView {
  let byLookup = views.get(file);
  if (byLookup === undefined) views.set(file, (byLookup = new Map()));
  const k = `${d.origin}\0${d.dir}\0${group === undefined ? '' : 'g:' + group}`;
  let v = byLookup.get(k);
  if (v === undefined) byLookup.set(k, (v = buildFileView(d, file, group)));
  return v;
}

function buildFileView(d: SearchDir, file: CacheFile, group: string | undefined): NodeModulesView {
  let packages: NodePackageRecord[];
  if (group !== undefined) {
    const section = file.group(group);
    packages = section === null ? [] : recordsOfGroup(group, section);
  } else {
    // Every package, each with its entry points of every group in declaration order.
    const eps = file.dists.map((): Array<[number, DeclaredEntryPoint]> => []);
    for (const g of file.groups) {
      const s = file.group(g)!;
      for (const e of s.eps) eps[s.dists[e[0]]![0]]!.push([e[3], declarationOf(g, e[1], e[2], e[4])]);
    }
    packages = file.dists.flatMap((row, i) => {
      if (row[4] === SCOPE_LAYOUT) return [];
      const layout = row[4];
      return [{
        key: row[2],
        name: row[1],
        version: row[3],
        location: row[0],
        linked: layout.startsWith('linked'),
        hasExports: layout.endsWith('+exports'),
        entryPoints: eps[i]!.sort((a, b) => a[0] - b[0]).map((x) => x[1]),
        diagnostics: [],
        watch: [],
      }];
    });
  }
  // The names section is read only when a farther directory has a package to compare (most
  // lookups have one node_modules directory that exists, and nothing to compare).
  let names: ReadonlySet<string> | undefined;
  const keys = {
    has(key: string): boolean {
      if (names === undefined) {
        try {
          loadSection(file, 'names');
          names = new Set(file.names.real);
        } catch {
          names = new Set(packages.map((p) => p.key)); // damaged meanwhile: what this lookup read
        }
      }
      return names.has(key);
    },
  };
  return { dir: d.dir, origin: d.origin, keys, packages, diagnostics: file.diagnostics.map((row) => unpackPointer(diagnosticOf(row))) };
}

/** One directory of the search path, as a lookup of `group` (every group when undefined) under `mode` reads it. */
export function loadNodeModules(d: SearchDir, options: NodeCacheOptions, group: string | undefined, mode: LoadMode): NodeModulesLoad {
  if (d.origin === 'pnp') {
    // No directory to cache: pnpapi answers from its own in-memory tables.
    const api = pnpApiFor(d.dir);
    const scan = api === null ? null : scanPnp(api, d.dir);
    const all = scan?.packages ?? [];
    const view: NodeModulesView = {
      dir: scan?.workspace ?? d.dir,
      origin: 'pnp',
      keys: new Set(all.map((r) => r.key)),
      packages: group === undefined ? all : all.filter((r) => declares(r, group)).map((r) => ({ ...r, entryPoints: r.entryPoints.filter((e) => e.group === group) })),
      diagnostics: scan === null ? [] : [...scan.diagnostics, ...all.flatMap((p) => p.diagnostics)],
    };
    return { view, diagnostics: [], cached: false };
  }
  const sections = (file: CacheFile): string[] =>
    group === undefined ? ['names', 'diagnostics', 'dists', ...file.groups.map((g) => `g:${g}`)] : ['diagnostics', ...(file.has(`g:${group}`) ? [`g:${group}`] : [])];
  const load = loadDirectory(d.dir, nodeSource, mode, { ...(options.freshness !== undefined ? { freshness: options.freshness } : {}), ...(options.userCacheDir !== undefined ? { userCacheDir: options.userCacheDir } : {}) }, { sections });
  if (load.from === 'cache') return { view: fileToView(d, load.file, group), diagnostics: load.diagnostics, cached: true };
  if (load.from === 'scan') return { view: scanToView(d, load.scan, group), diagnostics: load.diagnostics, cached: false };
  return { view: { dir: d.dir, origin: d.origin, keys: new Set(), packages: [], diagnostics: [] }, diagnostics: load.diagnostics, cached: false };
}
