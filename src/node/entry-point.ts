/**
 * The npm model: a package as resolution found it, and one of its entry points, whose `load()`
 * imports the target with Node's own resolution and walks the export path. Loading code is
 * imported on the first `load()`, so that finding entry points stays cheap.
 */
import type { ParsedTarget } from '../format/package-json.js';
import type { SearchOrigin } from './discover.js';

/** An npm package in use, as discovery found it. */
export interface NodePackage {
  /** The name Node resolves it by (its directory in node_modules: `name` or `@scope/name`). */
  readonly key: string;
  /** package.json `name` (the key when it has none). */
  readonly name: string;
  readonly version: string | null;
  /** The package directory as Node finds it (through a workspace or pnpm symlink, not resolved). */
  readonly dir: string;
  /** The node_modules (or NODE_PATH, global) directory it was found in. */
  readonly nodeModules: string;
  readonly origin: SearchOrigin;
  /** A symlink out of its node_modules directory (a workspace, `npm link`, a `file:` directory). */
  readonly linked: boolean;
  /** Whether package.json has `exports`: targets then resolve through it. */
  readonly hasExports: boolean;
}

export interface NodeEntryPointJSON {
  group: string;
  name: string;
  value: string;
  module: string | null;
  exportPath: string[];
  valid: boolean;
  problem?: string;
  pointer: string;
  package: { key: string; name: string; version: string | null; dir: string; nodeModules: string; linked: boolean };
}

/** One entry point of an npm package. `T` is what `load()` resolves to (the host's promise, not checked). */
export class NodeEntryPoint<T = unknown> {
  readonly group: string;
  readonly name: string;
  /** The target as written in package.json. */
  readonly value: string;
  readonly package: NodePackage;
  /** Where the target is in package.json (RFC 6901). */
  readonly pointer: string;
  readonly #target: ParsedTarget;

  constructor(group: string, name: string, value: string, pkg: NodePackage, pointer: string, target: ParsedTarget) {
    this.group = group;
    this.name = name;
    this.value = value;
    this.package = pkg;
    this.pointer = pointer;
    this.#target = target;
    Object.freeze(this);
  }

  /** `.` or `./sub/path`; `null` when the target is invalid. */
  get module(): string | null {
    return this.#target.ok ? this.#target.module : null;
  }

  /** The properties walked from the module namespace (empty: the namespace itself). */
  get exportPath(): readonly string[] {
    return this.#target.ok ? this.#target.exportPath : [];
  }

  get valid(): boolean {
    return this.#target.ok;
  }

  /** Why the target is invalid; `null` when it is valid. */
  get problem(): string | null {
    return this.#target.ok ? null : this.#target.problem;
  }

  /** The specifier Node resolves: `key` or `key/sub/path` (null when the target is invalid). */
  get specifier(): string | null {
    const m = this.module;
    return m === null ? null : m === '.' ? this.package.key : this.package.key + m.slice(1);
  }

  /**
   * The file URL of the target module, by Node's own resolution from the package's location
   * (through `exports` with the `import` conditions when the package has `exports`).
   * Throws an `EntryPointLoadError` when it cannot be resolved.
   */
  async resolve(): Promise<string> {
    return (await import('./load.js')).resolveEntryPoint(this);
  }

  /**
   * Import the target (ES module or CommonJS) and walk its export path. Rejects with an
   * `EntryPointLoadError` (package, group, name, target; the original error as `cause`).
   */
  async load(): Promise<T> {
    return (await import('./load.js')).loadEntryPoint(this) as Promise<T>;
  }

  toJSON(): NodeEntryPointJSON {
    const p = this.package;
    const j: NodeEntryPointJSON = {
      group: this.group,
      name: this.name,
      value: this.value,
      module: this.module,
      exportPath: [...this.exportPath],
      valid: this.valid,
      pointer: this.pointer,
      package: { key: p.key, name: p.name, version: p.version, dir: p.dir, nodeModules: p.nodeModules, linked: p.linked },
    };
    const problem = this.problem;
    if (problem !== null) j.problem = problem;
    return j;
  }
}
