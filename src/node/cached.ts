/**
 * The seam between the npm source and the cache engine: one node_modules directory in, the
 * view a lookup reads out. Until the engine's source interface is on main this scans every
 * time (policy `scan`); the shapes are the engine's (a listing, units, a rescan of one).
 */
import type { Diagnostic } from '../diagnostics.js';
import type { CachePolicy } from '../cache/store.js';
import type { Freshness } from '../cache/freshness.js';
import type { NodeModulesView, SearchDir } from './discover.js';
import { pnpApiFor, scanPnp } from './pnp.js';
import { scanNodeModules } from './source.js';

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
}

/** One directory of the search path, as a lookup of `group` (every group when undefined) reads it. */
export function loadNodeModules(d: SearchDir, _options: NodeCacheOptions, _group: string | undefined): NodeModulesLoad {
  if (d.origin === 'pnp') {
    // No directory to cache: pnpapi answers from its own in-memory tables.
    const api = pnpApiFor(d.dir);
    const scan = api === null ? null : scanPnp(api, d.dir);
    const view: NodeModulesView = scan === null
      ? { dir: d.dir, origin: 'pnp', packages: [], diagnostics: [] }
      : { dir: scan.workspace, origin: 'pnp', packages: scan.packages, diagnostics: [...scan.diagnostics, ...scan.packages.flatMap((p) => p.diagnostics)] };
    return { view, diagnostics: [] };
  }
  const scan = scanNodeModules(d.dir);
  const view: NodeModulesView = {
    dir: d.dir,
    origin: d.origin,
    packages: scan.packages,
    diagnostics: [...scan.diagnostics, ...scan.packages.flatMap((p) => p.diagnostics)],
  };
  return { view, diagnostics: [] };
}
