/**
 * The library's front door: a Python environment (a search path) and the lookups on it.
 * Every lookup re-checks the caches' freshness, so results are never older than the files.
 */
import * as path from 'node:path';
import { loadPathEntry, type CacheOptions, type CachePolicy, type EntryLoad } from './cache/store.js';
import type { Freshness } from './cache/freshness.js';
import { realPathOf } from './cache/location.js';
import type { Diagnostic, Severity } from './diagnostics.js';
import { EntryPoint, type Distribution, type EntryPointQuery, normalizeName } from './entry-point.js';
import { EntryPoints } from './entry-points.js';
import { EpindexError } from './errors.js';
import { defaultPython, emulateSite, type InterpreterInfo } from './python/interpreter.js';
import { interpreterInfo } from './python/interpreter-cache.js';
import type { EntryView } from './entry-view.js';
import { resolve, selectEntryPoints, type Resolution, type ShadowedDistribution } from './registry.js';

export interface EnvironmentOptions {
  /** Ask this interpreter for its sys.path (default: `$VIRTUAL_ENV`'s python, else `python3`). */
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

const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

export class PythonEnvironment {
  /** The ordered path entries searched. */
  readonly searchPath: readonly string[];
  /** The interpreter asked for the search path, when one was. */
  readonly interpreter: InterpreterInfo | null;
  readonly cache: CachePolicy;
  readonly freshness: Freshness;
  readonly #options: CacheOptions;
  readonly #setup: readonly Diagnostic[];
  /** The last resolution and the views it came from: caches unchanged since give the same objects back. */
  #last: { views: readonly EntryView[]; resolution: Resolution } | null = null;

  /** @internal use `pythonEnvironment()` */
  constructor(searchPath: readonly string[], interpreter: InterpreterInfo | null, cache: CachePolicy, options: CacheOptions, setup: readonly Diagnostic[]) {
    this.searchPath = searchPath;
    this.interpreter = interpreter;
    this.cache = cache;
    this.freshness = options.freshness ?? 'stat';
    this.#options = options;
    this.#setup = setup;
  }

  /** `group`: what the lookup will read (a cache parses only that group); undefined = every group. */
  #load(mode: Parameters<typeof loadPathEntry>[1], group: string | undefined): EntryLoad[] {
    // A directory reached twice (lib and a lib64 symlink) can only repeat what it said first.
    const seen = new Set<string>();
    const loads: EntryLoad[] = [];
    for (const entry of this.searchPath) {
      const real = realPathOf(entry);
      if (real !== null) {
        if (seen.has(real)) continue;
        seen.add(real);
      }
      loads.push(loadPathEntry(entry, mode, this.#options, { group }));
    }
    return loads;
  }

  #resolve(loads: readonly EntryLoad[]): Resolution {
    const views = loads.map((l) => l.view);
    const last = this.#last;
    if (last !== null && last.views.length === views.length && last.views.every((s, i) => s === views[i])) return last.resolution;
    const resolution = resolve(views);
    this.#last = { views, resolution };
    return resolution;
  }

  #lookup(query: EntryPointQuery = {}): { resolution: Resolution; diagnostics: Diagnostic[] } {
    // A dist or module query reads every group; a group query only its own.
    const group = query.dist === undefined ? query.group : undefined;
    let loads = this.#load(this.cache === 'fallback' ? 'trust' : this.cache, group);
    let resolution = this.#resolve(loads);
    if (this.cache === 'fallback' && (query.group !== undefined || query.name !== undefined) && selectEntryPoints(resolution, query).length === 0) {
      loads = this.#load('prefer', group);
      resolution = this.#resolve(loads);
    }
    return { resolution, diagnostics: [...this.#setup, ...loads.flatMap((l) => l.diagnostics), ...resolution.diagnostics] };
  }

  /** Entry points matching `query` (group, name, value, module, attr, dist), in search-path order. */
  async entryPoints(query: EntryPointQuery = {}): Promise<EntryPoints> {
    const { resolution, diagnostics } = this.#lookup(query);
    return new EntryPoints(selectEntryPoints(resolution, query), diagnostics);
  }

  /** The distributions in use, the shadowed ones, and every diagnostic. */
  async distributions(): Promise<DistributionReport> {
    const { resolution, diagnostics } = this.#lookup();
    return { distributions: resolution.distributions, shadowed: resolution.shadowed, diagnostics };
  }

  /** One distribution (by any spelling of its name) with its entry points; `null` if not installed. */
  async distribution(name: string): Promise<DistributionInfo | null> {
    const { resolution, diagnostics } = this.#lookup();
    const wanted = normalizeName(name);
    const found = resolution.distributions.find((d) => d.normalizedName === wanted);
    if (found === undefined) return null;
    const own = diagnostics.filter((d) => d.file !== undefined && (d.file === found.metadataPath || d.file.startsWith(found.metadataPath + path.sep)));
    return { distribution: found, entryPoints: new EntryPoints(selectEntryPoints(resolution, { dist: wanted }), own) };
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
    const { diagnostics } = this.#lookup();
    return diagnostics
      .map((d, i) => ({ d, i }))
      .sort((a, b) => SEVERITY_RANK[a.d.severity] - SEVERITY_RANK[b.d.severity] || a.i - b.i)
      .map(({ d }) => d);
  }
}

function envChoice<T extends string>(name: string, allowed: readonly T[]): T | undefined {
  const v = process.env[name];
  if (v === undefined || v === '') return undefined;
  if ((allowed as readonly string[]).includes(v)) return v as T;
  throw new EpindexError('INVALID_ARGUMENT', `${name}=${v} is not one of ${allowed.join(', ')}`);
}

/**
 * Open a Python environment. With `python` (or nothing), the interpreter is asked for its
 * sys.path once (its answer is cached per user and revalidated); with `path` or `site`, no
 * interpreter is run.
 */
export async function pythonEnvironment(options: EnvironmentOptions = {}): Promise<PythonEnvironment> {
  const given = [options.python !== undefined, options.path !== undefined, options.site !== undefined].filter(Boolean).length;
  if (given > 1) throw new EpindexError('INVALID_ARGUMENT', 'give at most one of python, path and site');
  const cache = options.cache ?? envChoice<CachePolicy>('EPINDEX_CACHE', ['scan', 'only', 'prefer', 'fallback', 'auto']) ?? 'auto';
  const freshness = options.freshness ?? envChoice<Freshness>('EPINDEX_FRESHNESS', ['stat', 'listing']) ?? 'stat';
  const cacheOptions: CacheOptions = { freshness, ...(options.userCacheDir !== undefined ? { userCacheDir: options.userCacheDir } : {}) };
  if (options.path !== undefined) return new PythonEnvironment([...options.path], null, cache, cacheOptions, []);
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
