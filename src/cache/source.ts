/**
 * The one interface between the cache engine and what it caches. The engine knows nothing
 * about Python or Node: a *source* knows how to list and scan one directory (a sys.path entry,
 * a node_modules directory) and says which of the files it read can change in place. The
 * engine locates, trusts, reads, checks and writes caches of whatever a source produces.
 *
 * Paths inside a scan are relative to the scanned directory (`/`-separated), so a scan does not
 * depend on how the directory was spelled or where it is mounted.
 */
import type { Diagnostic } from '../diagnostics.js';
import type { Stamp } from './stamp.js';

/** Who may need a watched file checked: `stat` (the default level, and `full`) or `full` only. */
export type WatchLevel = 'stat' | 'full';

/** A file or directory whose stamp freshness compares. */
export interface Watch {
  /** Relative to the scanned directory. */
  readonly path: string;
  readonly level: WatchLevel;
  readonly stamp: Stamp;
}

/** One entry point as a source read it. `ref` is the source's parsed target (opaque to the engine). */
export interface UnitEntryPoint {
  readonly group: string;
  readonly name: string;
  readonly value: string;
  /** 1-based line of the declaration (Python), or 0 where lines do not apply. */
  readonly line: number;
  /** The parsed target, decided when the cache is written: JSON the source can read back. */
  readonly ref: RefJSON;
}

/** JSON a source uses for a parsed target: the engine stores it as it is. */
export type RefJSON = string | number | boolean | null | readonly RefJSON[] | { readonly [k: string]: RefJSON };

/** A distribution (Python) or a package (npm): what resolution and lookups need. */
export interface Unit {
  /** The candidate it was read from, relative to the directory (`foo-1.0.dist-info`, `@scope/pkg`). */
  readonly child: string;
  /** The identity resolution compares (Python: the PEP 503 normalized name; npm: the package name). */
  readonly key: string;
  /** The name to show (Python: METADATA's `Name`; npm: package.json's `name`). */
  readonly name: string;
  readonly version: string | null;
  /** Source-specific kind (Python: `dist-info`, `egg-info`, `egg-info-file`, `egg`). */
  readonly layout: string;
  /** A leftover (metadata-less directory) is not real; it never hides a real unit. */
  readonly real: boolean;
  /** Whether this unit is the one used for its key within this directory. */
  readonly winner: boolean;
  readonly entryPoints: readonly UnitEntryPoint[];
  /** Diagnostics about this unit; files relative to the directory. */
  readonly diagnostics: readonly Diagnostic[];
  /** What to stat to prove the unit unchanged (only with stamps). */
  readonly watches: readonly Watch[];
  /**
   * Source-specific facts a scan for a cache records (opaque to the engine; part of the unit's
   * digest): the Python source's `[Name, Version]` as importlib reads them.
   */
  readonly extra?: RefJSON;
}

export type ScanKind = 'directory' | 'zip' | 'missing' | 'unsearchable';

/** Everything a source found in one directory. */
export interface DirectoryScan {
  readonly kind: ScanKind;
  /**
   * The candidate names in listing order (what the listing check compares, as a sequence),
   * each with its stamp (NO_STAMP when it could not be stat'ed, and inside archives).
   */
  readonly listing: readonly { readonly name: string; readonly stamp: Stamp }[];
  /**
   * In in-directory order (grouped by key in the order of the key's first candidate in the
   * listing; within a key, the winner first).
   */
  readonly units: readonly Unit[];
  /** About the directory itself and candidates that gave no unit; files relative. */
  readonly diagnostics: readonly Diagnostic[];
  /**
   * Directories besides the scanned one whose stamps prove the listing unchanged (npm's
   * `@scope` directories), relative; empty for Python.
   */
  readonly listingDirs: readonly { readonly path: string; readonly stamp: Stamp }[];
}

export interface ScanRequest {
  /** Take stamps (cache building); a plain lookup scan skips them. */
  readonly stamps: boolean;
  /** Told after each candidate read (`done` of `total`), for progress displays. */
  readonly progress?: (done: number, total: number) => void;
}

export interface Source {
  /** Written into every cache (`python`, `node`); a cache of another source is ignored. */
  readonly id: string;
  /**
   * The cache file's name without version and extension (default `entry-points`): sources
   * that can meet the same directory keep separate files (`npm-entry-points.v3.jsonl`).
   */
  readonly cacheName?: string;
  /**
   * Whether a listing spans more directories than the scanned one (`listingDirs`, npm's
   * `@scope` directories): their stamps are then compared on every lookup, not only when the
   * directory's own stamp changed (a package added to a scope changes only the scope).
   */
  readonly listingSpansDirectories?: boolean;
  /** Scan one directory (or archive); never throws for anything the filesystem does. */
  scan(dir: string, request: ScanRequest): DirectoryScan;
  /**
   * The candidate names of a directory, in listing order, as `scan` would list them; throws
   * the listing error.
   */
  listing(dir: string): string[];
  /** Scan one candidate again (racy re-read), with stamps; `null` when it gives no unit now. */
  rescan(dir: string, child: string): Unit | null;
  /**
   * Sections of the source's own, written after the engine's and never read by it (the Python
   * source's `importlib` section, for the Python accelerator): `[name, JSON value]` pairs.
   */
  sections?(dir: string, scan: DirectoryScan): ReadonlyArray<readonly [string, unknown]>;
}

/** Whether two units read the same content (what a racy re-read compares). */
export function sameUnitContent(a: Unit, b: Unit): boolean {
  if (a.key !== b.key || a.name !== b.name || a.version !== b.version || a.layout !== b.layout || a.real !== b.real) return false;
  if (a.entryPoints.length !== b.entryPoints.length || a.diagnostics.length !== b.diagnostics.length) return false;
  for (let i = 0; i < a.entryPoints.length; i++) {
    const x = a.entryPoints[i]!;
    const y = b.entryPoints[i]!;
    if (x.group !== y.group || x.name !== y.name || x.value !== y.value || x.line !== y.line) return false;
  }
  for (let i = 0; i < a.diagnostics.length; i++) {
    const x = a.diagnostics[i]!;
    const y = b.diagnostics[i]!;
    if (x.code !== y.code || x.message !== y.message || x.file !== y.file || x.line !== y.line) return false;
  }
  return JSON.stringify(a.extra) === JSON.stringify(b.extra);
}
