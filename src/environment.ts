/**
 * The library's front door: a Python environment (a search path) and the lookups on it.
 * Every lookup re-checks the caches' freshness, so results are never older than the files;
 * within one process, a directory whose stamp (and, at the `stat` level, whose watched files)
 * did not change is answered from what was read before, without opening its cache again.
 */
import * as path from 'node:path';
import { CACHE_POLICIES, loadDirectory, oncePerLookup, type CacheOptions, type CachePolicy, type EntryLoad, type LoadMode } from './cache/engine.js';
import { FRESHNESS_LEVELS, type Freshness } from './cache/freshness.js';
import type { CacheFile } from './cache/format.js';
import { realPathOf } from './cache/location.js';
import { bySeverity, diagnostic, DIAGNOSTIC_CODES, type Diagnostic } from './diagnostics.js';
import { EntryPoint, type Distribution, type EntryPointQuery, normalizeName } from './entry-point.js';
import { EntryPoints } from './entry-points.js';
import { cacheView, scanView, type EntryView } from './entry-view.js';
import { EpindexError } from './errors.js';
import { defaultPython, emulateSite, type InterpreterInfo } from './python/interpreter.js';
import { interpreterInfo } from './python/interpreter-cache.js';
import { pythonSource } from './python/source.js';
import { resolve, type Resolution, type ShadowedDistribution } from './registry.js';

export interface EnvironmentOptions {
  /** Ask this interpreter for its sys.path: a path, an environment directory, a version request (`3.12`, `cpython@3.12`, `>=3.11`) or a name on PATH, read as uv reads `--python` (default: `$VIRTUAL_ENV`, `$CONDA_PREFIX`, a `.venv` here or above, else `python3`). */
  readonly python?: string;
  /** The search path itself, in order (no interpreter is run). */
  readonly path?: readonly string[];
  /** Emulate site.py for one site directory: the directory, then its .pth path lines. */
  readonly site?: string;
  /** How lookups use caches; default `auto` (or `$EPINDEX_CACHE`). */
  readonly cache?: CachePolicy;
  /** How thoroughly a cache's freshness is checked; default `stat` (or `$EPINDEX_FRESHNESS`). */
  readonly freshness?: Freshness;
  /** The user cache root; default `$EPINDEX_CACHE_DIR` or the platform's cache directory. */
  readonly userCacheDir?: string;
}

export interface DistributionInfo {
  readonly distribution: Distribution;
  readonly entryPoints: EntryPoints;
}

export interface DistributionReport {
  /** The distributions in use, in search-path order. */
  readonly distributions: readonly Distribution[];
  readonly shadowed: readonly ShadowedDistribution[];
  readonly diagnostics: readonly Diagnostic[];
}

export interface GroupSummary {
  readonly group: string;
  readonly entryPoints: number;
  readonly distributions: number;
}

/** One group + name provided by several distributions; the first provider wins lookups by name. */
export interface Conflict {
  readonly group: string;
  readonly name: string;
  readonly providers: readonly EntryPoint[];
}

/** The result of loading one directory, kept for the next lookup of this process. */
interface Loaded {
  readonly entry: string;
  readonly load: EntryLoad;
  readonly view: EntryView;
}

export class PythonEnvironment {
  /** The ordered path entries searched. */
  readonly searchPath: readonly string[];
  /** The interpreter asked for the search path, when one was. */
  readonly interpreter: InterpreterInfo | null;
  readonly cache: CachePolicy;
  readonly freshness: Freshness;
  readonly #options: CacheOptions;
  readonly #setup: readonly Diagnostic[];
  /** The search path was given (`path`): an entry that does not exist is said (EP219), not only skipped. */
  readonly #given: boolean;
  /** The search path without entries whose real path came earlier (lib and a lib64 symlink). */
  #entries: readonly string[] | undefined;
  /** The last resolution and the cache files behind it: unchanged files give the same resolution back. */
  #last: { files: readonly (CacheFile | null)[]; resolution: Resolution; group: string | undefined } | null = null;

  /** @internal use `pythonEnvironment()` */
  constructor(searchPath: readonly string[], interpreter: InterpreterInfo | null, cache: CachePolicy, options: CacheOptions, setup: readonly Diagnostic[], given = false) {
    this.searchPath = searchPath;
    this.interpreter = interpreter;
    this.cache = cache;
    this.freshness = options.freshness ?? 'stat';
    this.#options = options;
    this.#setup = setup;
    this.#given = given;
  }

  #distinctEntries(): readonly string[] {
    if (this.#entries !== undefined) return this.#entries;
    // A directory reached twice (lib and a lib64 symlink) can only repeat what it said first.
    const seen = new Set<string>();
    const out: string[] = [];
    for (const entry of this.searchPath) {
      const real = realPathOf(entry);
      if (real !== null) {
        if (seen.has(real)) continue;
        seen.add(real);
      }
      out.push(entry);
    }
    return (this.#entries = out);
  }

  /** `group`: what the lookup reads (a cache then loads only that group); undefined = every group. */
  #load(mode: LoadMode, group: string | undefined): Loaded[] {
    const sections = (file: CacheFile): string[] =>
      group === undefined ? ['diagnostics', ...file.groups.map((g) => `g:${g}`)] : file.has(`g:${group}`) ? ['diagnostics', `g:${group}`] : ['diagnostics'];
    return this.#distinctEntries().map((entry): Loaded => {
      const load = loadDirectory(entry, pythonSource, mode, this.#options, { sections });
      const view =
        load.from === 'cache'
          ? cacheView(entry, load.file, load.location.file, () => pythonSource.scan(entry === '' ? '.' : entry, { stamps: false }))
          : load.from === 'scan'
            ? scanView(entry, load.scan)
            : scanView(entry, { kind: 'missing', listing: [], units: [], diagnostics: [], listingDirs: [] });
      return { entry, load, view };
    });
  }

  #resolve(loaded: readonly Loaded[], group: string | undefined): Resolution {
    const files = loaded.map((l) => (l.load.from === 'cache' ? l.load.file : null));
    const last = this.#last;
    // Views wrap their files; the same files (all from caches) give the same answer.
    if (last !== null && last.group === group && files.every((f) => f !== null) && last.files.length === files.length && last.files.every((f, i) => f === files[i])) {
      return last.resolution;
    }
    const resolution = resolve(loaded.map((l) => l.view));
    this.#last = { files, resolution, group };
    return resolution;
  }

  #lookup(query: EntryPointQuery = {}): { resolution: Resolution; diagnostics: () => Diagnostic[]; loadDiagnostics: readonly Diagnostic[] } {
    // A dist or module query reads every group; a group query only its own.
    const group = query.dist === undefined ? query.group : undefined;
    let loaded = this.#load(this.cache === 'fallback' ? 'trust' : this.cache, group);
    let resolution = this.#resolve(loaded, group);
    if (this.cache === 'fallback' && (query.group !== undefined || query.name !== undefined) && resolution.select(query).length === 0) {
      loaded = this.#load('prefer', group);
      resolution = this.#resolve(loaded, group);
    }
    const loadDiagnostics = oncePerLookup([...this.#setup, ...loaded.flatMap((l) => (this.#given && l.load.from === 'scan' && l.load.scan.kind === 'missing' ? [missingEntry(l.entry), ...l.load.diagnostics] : l.load.diagnostics))]);
    return { resolution, loadDiagnostics, diagnostics: () => [...loadDiagnostics, ...resolution.lookupDiagnostics()] };
  }

  /** Entry points matching `query` (group, name, value, module, attr, dist), in search-path order. */
  async entryPoints(query: EntryPointQuery = {}): Promise<EntryPoints> {
    const { resolution, diagnostics } = this.#lookup(checkQuery(query));
    return new EntryPoints(resolution.select(query), diagnostics);
  }

  /** The distributions in use, the shadowed ones, and every diagnostic. */
  async distributions(): Promise<DistributionReport> {
    const { resolution, diagnostics } = this.#lookup();
    return { distributions: resolution.distributions, shadowed: resolution.shadowed, diagnostics: diagnostics() };
  }

  /** One distribution (by any spelling of its name) with its entry points; `null` if not installed. */
  async distribution(name: string): Promise<DistributionInfo | null> {
    if (typeof name !== 'string') throw new EpindexError('INVALID_ARGUMENT', 'distribution(name): name must be a string');
    const { resolution, diagnostics } = this.#lookup();
    const wanted = normalizeName(name);
    const found = resolution.distributions.find((d) => d.normalizedName === wanted);
    if (found === undefined) return null;
    const own = diagnostics().filter((d) => d.file !== undefined && (d.file === found.metadataPath || d.file.startsWith(found.metadataPath + path.sep)));
    return { distribution: found, entryPoints: new EntryPoints(resolution.select({ dist: wanted }), own) };
  }

  /** Every group with its number of entry points and of distributions providing them. */
  async groups(): Promise<GroupSummary[]> {
    const eps = await this.entryPoints();
    const by = new Map<string, { n: number; dists: Set<string> }>();
    for (const e of eps) {
      let g = by.get(e.group);
      if (g === undefined) by.set(e.group, (g = { n: 0, dists: new Set() }));
      g.n++;
      g.dists.add(e.dist?.normalizedName ?? '');
    }
    return [...by.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([group, g]) => ({ group, entryPoints: g.n, distributions: g.dists.size }));
  }

  /** Who provides `name` in `group` (default `console_scripts`), first on the search path first. */
  async which(name: string, group = 'console_scripts'): Promise<EntryPoints> {
    return this.entryPoints({ group, name });
  }

  /** Group + name pairs provided by more than one distribution. */
  async conflicts(query: { readonly group?: string } = {}): Promise<Conflict[]> {
    const eps = await this.entryPoints(query.group === undefined ? {} : { group: query.group });
    const by = new Map<string, EntryPoint[]>();
    for (const e of eps) {
      const k = `${e.group}\0${e.name}`;
      let list = by.get(k);
      if (list === undefined) by.set(k, (list = []));
      list.push(e);
    }
    const out: Conflict[] = [];
    for (const list of by.values()) {
      const dists = new Set(list.map((e) => e.dist?.normalizedName));
      if (dists.size > 1) out.push({ group: list[0]!.group, name: list[0]!.name, providers: list });
    }
    return out.sort((a, b) => (a.group < b.group ? -1 : a.group > b.group ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Every diagnostic of a full lookup, errors first. */
  async diagnose(): Promise<Diagnostic[]> {
    const { resolution, loadDiagnostics } = this.#lookup();
    // Every distribution resolved: shadowing across directories is reported too.
    return bySeverity([...loadDiagnostics, ...resolution.diagnostics]);
  }
}

/**
 * A given path entry that does not exist: skipped, as importlib skips it, and said (EP219) so
 * that a typo is not a silent empty answer. Entries an interpreter reports are skipped
 * silently: its `sys.path` holds a missing `pythonXY.zip` as a rule (docs/spec.md §4.4).
 */
export function missingEntry(entry: string): Diagnostic {
  return diagnostic('EP219', DIAGNOSTIC_CODES.EP219[1], { file: entry });
}

const QUERY_KEYS = ['group', 'name', 'value', 'module', 'attr', 'dist'] as const;

/** Lookups take strings only: anything else is a programming error, said as one. */
function checkQuery(query: EntryPointQuery): EntryPointQuery {
  if (typeof query !== 'object' || query === null) throw new EpindexError('INVALID_ARGUMENT', 'the query must be an object');
  for (const [k, v] of Object.entries(query)) {
    if (!(QUERY_KEYS as readonly string[]).includes(k)) throw new EpindexError('INVALID_ARGUMENT', `unknown query key ${JSON.stringify(k)} (allowed: ${QUERY_KEYS.join(', ')})`);
    if (v !== undefined && typeof v !== 'string') throw new EpindexError('INVALID_ARGUMENT', `query.${k} must be a string`);
  }
  return query;
}

function choice<T extends string>(what: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new EpindexError('INVALID_ARGUMENT', `${what} ${JSON.stringify(value)} is not one of ${allowed.join(', ')}`);
}

function envChoice<T extends string>(name: string, allowed: readonly T[]): T | undefined {
  const v = process.env[name];
  if (v === undefined || v === '') return undefined;
  if ((allowed as readonly string[]).includes(v)) return v as T;
  throw new EpindexError('INVALID_ARGUMENT', `${name}=${v} is not one of ${allowed.join(', ')}`);
}

/** The cache policy and freshness level from options, else the environment, else the defaults. Throws for anything else. */
export function cacheSettings(options: { readonly cache?: unknown; readonly freshness?: unknown }): { cache: CachePolicy; freshness: Freshness } {
  const cache = options.cache === undefined ? envChoice('EPINDEX_CACHE', CACHE_POLICIES) ?? 'auto' : choice('cache', options.cache, CACHE_POLICIES);
  const freshness = options.freshness === undefined ? envChoice('EPINDEX_FRESHNESS', FRESHNESS_LEVELS) ?? 'stat' : choice('freshness', options.freshness, FRESHNESS_LEVELS);
  return { cache, freshness };
}

function validate(options: EnvironmentOptions): void {
  if (typeof options !== 'object' || options === null) throw new EpindexError('INVALID_ARGUMENT', 'options must be an object');
  const given = [options.python !== undefined, options.path !== undefined, options.site !== undefined].filter(Boolean).length;
  if (given > 1) throw new EpindexError('INVALID_ARGUMENT', 'give at most one of python, path and site');
  if (options.python !== undefined && typeof options.python !== 'string') throw new EpindexError('INVALID_ARGUMENT', 'python must be a string (an interpreter)');
  if (options.site !== undefined && typeof options.site !== 'string') throw new EpindexError('INVALID_ARGUMENT', 'site must be a string (a directory)');
  if (options.path !== undefined && (!Array.isArray(options.path) || !options.path.every((p) => typeof p === 'string'))) {
    throw new EpindexError('INVALID_ARGUMENT', 'path must be an array of strings (the path entries, in order)');
  }
  if (options.userCacheDir !== undefined && typeof options.userCacheDir !== 'string') throw new EpindexError('INVALID_ARGUMENT', 'userCacheDir must be a string');
}

/**
 * Open a Python environment. With `python` (or nothing), the interpreter is asked for its
 * sys.path once (its answer is cached per user and revalidated); with `path` or `site`, no
 * interpreter is run. Invalid options throw `EpindexError` (`INVALID_ARGUMENT`).
 */
export async function pythonEnvironment(options: EnvironmentOptions = {}): Promise<PythonEnvironment> {
  validate(options);
  const { cache, freshness } = cacheSettings(options);
  const cacheOptions: CacheOptions = { freshness, ...(options.userCacheDir !== undefined ? { userCacheDir: options.userCacheDir } : {}) };
  if (options.path !== undefined) return new PythonEnvironment([...options.path], null, cache, cacheOptions, [], true);
  if (options.site !== undefined) {
    const site = emulateSite(options.site);
    return new PythonEnvironment(site.path, null, cache, cacheOptions, site.diagnostics);
  }
  const info = await interpreterInfo(options.python ?? defaultPython(), {
    read: cache !== 'scan',
    write: cache === 'auto',
    ...(options.userCacheDir !== undefined ? { userCacheDir: options.userCacheDir } : {}),
  });
  return new PythonEnvironment(info.path, info, cache, cacheOptions, []);
}
