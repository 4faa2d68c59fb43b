/**
 * Host helpers (docs/spec.md "Host helpers", the TypeScript spelling): every plugin of a group,
 * loaded once, lazily, on first use; a defined order; one broken plugin reported and the rest
 * loaded (or, strict, the first failure thrown); a block list by name; an environment variable
 * that turns autoload off.
 */
import type { Diagnostic } from '../diagnostics.js';
import { compareCodePoints } from '../python/text.js';
import type { NodeEntryPoint } from './entry-point.js';
import { entryPoints, type NodeEnvironmentOptions } from './environment.js';
import { EntryPointLoadError, isEntryPointLoadError } from './errors.js';

export const DEFAULT_DISABLE_ENV = 'EPINDEX_DISABLE_AUTOLOAD';

export interface PluginOptions extends NodeEnvironmentOptions {
  /** Entry point names not to import (pytest's `-p no:NAME`); they are listed by `blocked()`. */
  readonly block?: Iterable<string> | undefined;
  /** Throw the first failure (in plugin order) instead of reporting it and going on. */
  readonly strict?: boolean;
  /** The variable that disables autoload when set to anything but "" or "0"; default `EPINDEX_DISABLE_AUTOLOAD`. */
  readonly disableEnv?: string;
  /** Called once per failure; default `process.emitWarning` with type `EpindexWarning`. */
  readonly onWarning?: (failure: PluginFailure) => void;
}

/** A loaded plugin: its entry point and what `load()` gave. */
export interface Plugin<T> {
  readonly name: string;
  readonly entryPoint: NodeEntryPoint<T>;
  readonly object: T;
}

/** An entry point that failed to load. */
export interface PluginFailure {
  /** The package that declared it (Python's "distribution"). */
  readonly distribution: { readonly name: string; readonly version: string | null };
  readonly group: string;
  readonly name: string;
  readonly value: string;
  readonly error: EntryPointLoadError;
  readonly entryPoint: NodeEntryPoint;
}

export interface PluginSetState<T> {
  /** In plugin order: `order` (a finite number on the loaded object, default 0), then name, then search order. */
  readonly loaded: readonly Plugin<T>[];
  readonly failures: readonly PluginFailure[];
  readonly blocked: readonly NodeEntryPoint<T>[];
  /** Why nothing was loaded (the autoload switch), else null. */
  readonly disabled: string | null;
  /** What discovery noticed. */
  readonly diagnostics: readonly Diagnostic[];
}

function orderOf(object: unknown): number {
  if ((typeof object !== 'object' || object === null) && typeof object !== 'function') return 0;
  const o = (object as { order?: unknown }).order;
  return typeof o === 'number' && Number.isFinite(o) ? o : 0;
}

function defaultWarning(f: PluginFailure): void {
  process.emitWarning(f.error.message, { type: 'EpindexWarning', code: 'EPINDEX_PLUGIN_FAILED' });
}

/** The plugins of one group. Constructing it reads and imports nothing. */
export class PluginSet<T = unknown> implements AsyncIterable<Plugin<T>> {
  readonly group: string;
  readonly #options: PluginOptions;
  #state: Promise<PluginSetState<T>> | null = null;

  constructor(group: string, options: PluginOptions = {}) {
    this.group = group;
    this.#options = options;
  }

  /** The one load of this set (started by the first access; later accesses share it). */
  ready(): Promise<PluginSetState<T>> {
    return (this.#state ??= this.#load());
  }

  /** Forget the result; the next access looks the group up and loads again. */
  reload(): Promise<PluginSetState<T>> {
    this.#state = null;
    return this.ready();
  }

  async loaded(): Promise<readonly Plugin<T>[]> {
    return (await this.ready()).loaded;
  }

  async failures(): Promise<readonly PluginFailure[]> {
    return (await this.ready()).failures;
  }

  async blocked(): Promise<readonly NodeEntryPoint<T>[]> {
    return (await this.ready()).blocked;
  }

  /** The first loaded plugin of this name (in plugin order), or undefined. */
  async get(name: string): Promise<T | undefined> {
    return (await this.ready()).loaded.find((p) => p.name === name)?.object;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Plugin<T>> {
    yield* (await this.ready()).loaded;
  }

  async #load(): Promise<PluginSetState<T>> {
    const { block, strict, disableEnv, onWarning, ...lookup } = this.#options;
    const variable = disableEnv ?? DEFAULT_DISABLE_ENV;
    const switchValue = process.env[variable];
    if (switchValue !== undefined && switchValue !== '' && switchValue !== '0') {
      return { loaded: [], failures: [], blocked: [], disabled: `autoload is disabled by ${variable}=${switchValue}`, diagnostics: [] };
    }
    const eps = await entryPoints<T>({ ...lookup, group: this.group });
    const blockSet = new Set(block ?? []);
    const blocked: NodeEntryPoint<T>[] = [];
    const ok: Array<{ plugin: Plugin<T>; order: number; index: number }> = [];
    const failed: Array<{ failure: PluginFailure; index: number }> = [];
    let index = 0;
    for (const ep of eps) {
      const i = index++;
      if (blockSet.has(ep.name)) {
        blocked.push(ep);
        continue;
      }
      try {
        const object = await ep.load();
        let order: number;
        try {
          order = orderOf(object);
        } catch (e) {
          throw new EntryPointLoadError(ep, 'value', e);
        }
        ok.push({ plugin: { name: ep.name, entryPoint: ep, object }, order, index: i });
      } catch (e) {
        const error = isEntryPointLoadError(e) ? e : new EntryPointLoadError(ep, 'import', e);
        failed.push({ failure: { distribution: { name: ep.package.name, version: ep.package.version }, group: ep.group, name: ep.name, value: ep.value, error, entryPoint: ep }, index: i });
      }
    }
    ok.sort((a, b) => a.order - b.order || compareCodePoints(a.plugin.name, b.plugin.name) || a.index - b.index);
    failed.sort((a, b) => compareCodePoints(a.failure.name, b.failure.name) || a.index - b.index);
    const failures = failed.map((f) => f.failure);
    if (strict && failures.length > 0) throw failures[0]!.error;
    const warn = onWarning ?? defaultWarning;
    for (const f of failures) warn(f);
    return { loaded: ok.map((x) => x.plugin), failures, blocked, disabled: null, diagnostics: eps.diagnostics };
  }
}

/**
 * The plugins of `group`, loaded once on first use.
 *
 * ```ts
 * const formatters = plugins<Formatter>('myapp.formatters', { block: ['legacy'] });
 * for await (const { name, object } of formatters) register(name, object);
 * ```
 */
export function plugins<T = unknown>(group: string, options: PluginOptions = {}): PluginSet<T> {
  return new PluginSet<T>(group, options);
}
