/**
 * The npm side's front door: the packages Node can resolve from a directory, and their entry
 * points. Every lookup looks at the directories again (through their caches), so results are
 * never older than the files.
 */
import { bySeverity, type Diagnostic } from '../diagnostics.js';
import { EpindexError } from '../errors.js';
import { compareCodePoints } from '../python/text.js';
import { nodeSearchPath, resolveNodePackages, type NodeModulesView, type NodeResolution, type NodeSearchOptions, type ResolvedPackage, type SearchDir } from './discover.js';
import { NodeEntryPoint, type NodePackage } from './entry-point.js';
import { loadNodeModules, type NodeCacheOptions, type NodeModulesLoad } from './cached.js';
import { oncePerLookup, type LoadMode } from '../cache/engine.js';
import { cacheSettings } from '../environment.js';

export interface NodeEnvironmentOptions extends NodeSearchOptions, NodeCacheOptions {}

/** Selection criteria; every given one must match. */
export interface NodeEntryPointQuery {
  readonly group?: string;
  readonly name?: string;
  /** The package, by the name Node resolves it by (`@scope/name`) or its package.json name. */
  readonly package?: string;
  readonly value?: string;
}

/** The result of a lookup: the entry points in search order, and what the lookup noticed. */
export class NodeEntryPoints<T = unknown> implements Iterable<NodeEntryPoint<T>> {
  readonly #items: readonly NodeEntryPoint<T>[];
  readonly diagnostics: readonly Diagnostic[];

  constructor(items: readonly NodeEntryPoint<T>[], diagnostics: readonly Diagnostic[] = []) {
    this.#items = items;
    this.diagnostics = diagnostics;
  }

  get length(): number {
    return this.#items.length;
  }

  [Symbol.iterator](): Iterator<NodeEntryPoint<T>> {
    return this.#items[Symbol.iterator]();
  }

  at(index: number): NodeEntryPoint<T> | undefined {
    return this.#items.at(index);
  }

  /** The first with this name (nearest package first). */
  get(name: string): NodeEntryPoint<T> | undefined {
    return this.#items.find((e) => e.name === name);
  }

  select(query: NodeEntryPointQuery): NodeEntryPoints<T> {
    return new NodeEntryPoints(this.#items.filter((e) => matches(e, query)), this.diagnostics);
  }

  get names(): Set<string> {
    return new Set(this.#items.map((e) => e.name));
  }

  get groups(): Set<string> {
    return new Set(this.#items.map((e) => e.group));
  }

  toArray(): NodeEntryPoint<T>[] {
    return [...this.#items];
  }

  toJSON(): ReturnType<NodeEntryPoint['toJSON']>[] {
    return this.#items.map((e) => e.toJSON());
  }
}

function matches(e: NodeEntryPoint<unknown>, q: NodeEntryPointQuery): boolean {
  if (q.group !== undefined && e.group !== q.group) return false;
  if (q.name !== undefined && e.name !== q.name) return false;
  if (q.value !== undefined && e.value !== q.value) return false;
  if (q.package !== undefined && e.package.key !== q.package && e.package.name !== q.package) return false;
  return true;
}

export interface NodePackageReport {
  /** The packages in use, nearest directory first, then listing order. */
  readonly packages: readonly NodePackage[];
  readonly shadowed: readonly { readonly package: NodePackage; readonly by: NodePackage }[];
  readonly diagnostics: readonly Diagnostic[];
}

export interface NodeGroupSummary {
  readonly group: string;
  readonly entryPoints: number;
  readonly packages: number;
}

export interface NodeConflict {
  readonly group: string;
  readonly name: string;
  readonly providers: readonly NodeEntryPoint[];
}

function toPackage(p: ResolvedPackage): NodePackage {
  const r = p.record;
  return { key: r.key, name: r.name, version: r.version, dir: p.dir, nodeModules: p.nodeModules, origin: p.origin, linked: r.linked, hasExports: r.hasExports };
}

export class NodeEnvironment {
  /** The directories searched, in order. */
  readonly searchPath: readonly SearchDir[];
  /** The project's Yarn Plug'n'Play file, when there is one (not supported: EP723). */
  readonly pnp: string | null;
  readonly #options: NodeCacheOptions;
  readonly #setup: readonly Diagnostic[];
  #last: { views: readonly NodeModulesView[]; resolution: NodeResolution; packages: Map<ResolvedPackage, NodePackage> } | null = null;

  /** @internal use `nodeEnvironment()` */
  constructor(searchPath: readonly SearchDir[], pnp: string | null, options: NodeCacheOptions, setup: readonly Diagnostic[]) {
    this.searchPath = searchPath;
    this.pnp = pnp;
    this.#options = options;
    this.#setup = setup;
  }

  #load(group: string | undefined, mode: LoadMode): NodeModulesLoad[] {
    return this.searchPath.map((d) => loadNodeModules(d, this.#options, group, mode));
  }

  #lookup(group: string | undefined, name?: string): { resolution: NodeResolution; pkg: (p: ResolvedPackage) => NodePackage; diagnostics: Diagnostic[] } {
    const policy = this.#options.cache ?? 'auto';
    let loads = this.#load(group, policy === 'fallback' ? 'trust' : policy);
    // fallback: believe caches without checking them; when the group or name asked for is not
    // in the answer, look again as prefer does (spec §6).
    if (policy === 'fallback' && group !== undefined) {
      const found = loads.some((l) => l.view.packages.some((p) => p.entryPoints.some((e) => e.group === group && (name === undefined || e.name === name))));
      if (!found) loads = this.#load(group, 'prefer');
    }
    const views = loads.map((l) => l.view);
    let last = this.#last;
    if (last === null || last.views.length !== views.length || !last.views.every((v, i) => v === views[i])) {
      last = this.#last = { views, resolution: resolveNodePackages(views), packages: new Map() };
    }
    const memo = last.packages;
    const pkg = (p: ResolvedPackage): NodePackage => {
      let x = memo.get(p);
      if (x === undefined) memo.set(p, (x = toPackage(p)));
      return x;
    };
    return { resolution: last.resolution, pkg, diagnostics: oncePerLookup([...this.#setup, ...loads.flatMap((l) => l.diagnostics), ...last.resolution.diagnostics]) };
  }

  /** Entry points matching `query`, nearest package first, then declaration order. `T` is what `load()` resolves to. */
  async entryPoints<T = unknown>(query: NodeEntryPointQuery = {}): Promise<NodeEntryPoints<T>> {
    const { resolution, pkg, diagnostics } = this.#lookup(query.group, query.name);
    const out: NodeEntryPoint<T>[] = [];
    for (const p of resolution.packages) {
      if (query.package !== undefined && p.record.key !== query.package && p.record.name !== query.package) continue;
      for (const e of p.record.entryPoints) {
        if (query.group !== undefined && e.group !== query.group) continue;
        if (query.name !== undefined && e.name !== query.name) continue;
        if (query.value !== undefined && e.value !== query.value) continue;
        out.push(new NodeEntryPoint<T>(e.group, e.name, e.value, pkg(p), e.pointer, e.target));
      }
    }
    return new NodeEntryPoints(out, diagnostics);
  }

  /** The packages in use, the shadowed ones, and every diagnostic. */
  async packages(): Promise<NodePackageReport> {
    const { resolution, pkg, diagnostics } = this.#lookup(undefined);
    return {
      packages: resolution.packages.map(pkg),
      shadowed: resolution.shadowed.map((s) => ({ package: pkg(s.package), by: pkg(s.by) })),
      diagnostics,
    };
  }

  /** Every group with its number of entry points and of packages providing them. */
  async groups(): Promise<NodeGroupSummary[]> {
    const by = new Map<string, { n: number; pkgs: Set<string> }>();
    for (const e of await this.entryPoints()) {
      let g = by.get(e.group);
      if (g === undefined) by.set(e.group, (g = { n: 0, pkgs: new Set() }));
      g.n++;
      g.pkgs.add(e.package.key);
    }
    return [...by.entries()].sort(([a], [b]) => compareCodePoints(a, b)).map(([group, g]) => ({ group, entryPoints: g.n, packages: g.pkgs.size }));
  }

  /** Group + name pairs provided by more than one package (the nearest provider is first). */
  async conflicts(query: { readonly group?: string } = {}): Promise<NodeConflict[]> {
    const by = new Map<string, NodeEntryPoint[]>();
    for (const e of await this.entryPoints(query.group === undefined ? {} : { group: query.group })) {
      const k = `${e.group}\0${e.name}`;
      let list = by.get(k);
      if (list === undefined) by.set(k, (list = []));
      list.push(e);
    }
    const out: NodeConflict[] = [];
    for (const list of by.values()) {
      if (new Set(list.map((e) => e.package.key)).size > 1) out.push({ group: list[0]!.group, name: list[0]!.name, providers: list });
    }
    return out.sort((a, b) => compareCodePoints(a.group, b.group) || compareCodePoints(a.name, b.name));
  }

  /** Every diagnostic of a full lookup, errors first. */
  async diagnose(): Promise<Diagnostic[]> {
    const { diagnostics } = this.#lookup(undefined);
    return bySeverity(diagnostics);
  }
}

/**
 * The packages Node can resolve from `from` (default: the working directory): its node_modules
 * chain, NODE_PATH, Node's global folders, and npm's global root when `global` is set.
 */
export async function nodeEnvironment(options: NodeEnvironmentOptions = {}): Promise<NodeEnvironment> {
  if (options.from !== undefined && typeof options.from !== 'string') throw new EpindexError('INVALID_ARGUMENT', '`from` must be a directory path');
  const { cache, freshness } = cacheSettings({ cache: options.cache, freshness: options.freshness });
  const search = await nodeSearchPath(options);
  const cacheOptions: NodeCacheOptions = { cache, freshness, ...(options.userCacheDir !== undefined ? { userCacheDir: options.userCacheDir } : {}) };
  return new NodeEnvironment(search.dirs, search.pnp, cacheOptions, search.diagnostics);
}

/**
 * The entry points of the packages Node resolves from `from` (default: the working directory),
 * typed: `load()` resolves to `T`.
 *
 * ```ts
 * const formatters = await entryPoints<Formatter>({ group: 'myapp.formatters' });
 * for (const ep of formatters) register(ep.name, await ep.load());
 * ```
 */
export async function entryPoints<T = unknown>(query: NodeEntryPointQuery & NodeEnvironmentOptions = {}): Promise<NodeEntryPoints<T>> {
  const { group, name, package: pkg, value, ...options } = query;
  const env = await nodeEnvironment(options);
  return env.entryPoints<T>({
    ...(group !== undefined ? { group } : {}),
    ...(name !== undefined ? { name } : {}),
    ...(pkg !== undefined ? { package: pkg } : {}),
    ...(value !== undefined ? { value } : {}),
  });
}

