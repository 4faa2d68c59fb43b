/**
 * Where Node looks for packages, and who wins: the search path of node_modules directories
 * from a directory upward in Node's own resolution order, then NODE_PATH and Node's global
 * folders, then (only when asked) npm's global root; the nearest package of a name wins and
 * every farther one is reported as shadowed.
 */
import * as fs from 'node:fs';
import Module from 'node:module';
import * as path from 'node:path';
import { diagnostic, type Diagnostic } from '../diagnostics.js';
import { importModule } from '../import.js';
import { pnpApiFor } from './pnp.js';
import type { NodePackageRecord } from './source.js';

/** Why a directory is on the search path. */
export type SearchOrigin = 'node_modules' | 'NODE_PATH' | 'global-folder' | 'global' | 'pnp';

export interface SearchDir {
  readonly dir: string;
  readonly origin: SearchOrigin;
}

export interface NodeSearchOptions {
  /** Where resolution starts, as for a module in this directory (default: the working directory). */
  readonly from?: string;
  /** NODE_PATH entries (default `$NODE_PATH`, split at `path.delimiter`); `false` for none. */
  readonly nodePath?: string | readonly string[] | false;
  /** Node's GLOBAL_FOLDERS (`~/.node_modules`, `~/.node_libraries`, `<prefix>/lib/node`), which Node resolves from; default true. */
  readonly globalFolders?: boolean;
  /**
   * npm's global packages, which Node does NOT resolve from (`npm root -g`): `true` for the
   * prefix npm would use (`$npm_config_prefix`, `~/.npmrc`, Node's own prefix), or a prefix.
   * Default false.
   */
  readonly global?: boolean | string;
}

export interface NodeSearchPath {
  readonly dirs: readonly SearchDir[];
  /** The project's Yarn Plug'n'Play file when `from` is inside one. */
  readonly pnp: string | null;
  readonly diagnostics: readonly Diagnostic[];
}

type ModuleInternals = { _nodeModulePaths?: (from: string) => string[] };

/** Node's node_modules chain for a module in `dir` (Module._nodeModulePaths, nearest first). */
export function nodeModulesChain(dir: string): string[] {
  const own = (Module as unknown as ModuleInternals)._nodeModulePaths;
  if (typeof own === 'function') return own(dir);
  // The same walk, should a future Node hide the function: every ancestor's node_modules,
  // except below a directory that is itself named node_modules.
  const out: string[] = [];
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    if (path.basename(d) !== 'node_modules') out.push(path.join(d, 'node_modules'));
    if (path.dirname(d) === d) return out;
  }
}

function realOr(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

/** Node's GLOBAL_FOLDERS, computed as Module._initPaths does. */
function globalFolders(): string[] {
  const home = process.platform === 'win32' ? process.env['USERPROFILE'] : process.env['HOME'];
  const prefix = process.platform === 'win32' ? path.resolve(process.execPath, '..') : path.resolve(process.execPath, '..', '..');
  const out = [path.resolve(prefix, 'lib', 'node')];
  if (home) out.unshift(path.resolve(home, '.node_modules'), path.resolve(home, '.node_libraries'));
  return out;
}

/** The global root of an npm prefix: `<prefix>/lib/node_modules` (`<prefix>\node_modules` on Windows). */
export function globalRootOf(prefix: string): string {
  return process.platform === 'win32' ? path.join(prefix, 'node_modules') : path.join(prefix, 'lib', 'node_modules');
}

/** A Yarn PnP project's `.pnp.cjs` (or `.pnp.js`) at `dir` or above. */
function findPnp(dir: string): string | null {
  for (let d = dir; ; d = path.dirname(d)) {
    for (const f of ['.pnp.cjs', '.pnp.js']) {
      const p = path.join(d, f);
      if (fs.existsSync(p)) return p;
    }
    if (path.dirname(d) === d) return null;
  }
}

/** The directories searched, in order; a directory reached twice (by real path) is searched once. */
export async function nodeSearchPath(options: NodeSearchOptions = {}): Promise<NodeSearchPath> {
  const from = realOr(options.from ?? process.cwd());
  const diagnostics: Diagnostic[] = [];
  const pnp = findPnp(from);
  // Under Plug'n'Play, pnpapi is the resolution: the workspace's dependencies, nothing else.
  if (pnp !== null && pnpApiFor(from) !== null) return { dirs: [{ dir: from, origin: 'pnp' }], pnp, diagnostics };
  const dirs: SearchDir[] = [];
  const seen = new Set<string>();
  const add = (dir: string, origin: SearchOrigin): void => {
    const key = realOr(dir);
    if (seen.has(key)) return;
    seen.add(key);
    dirs.push({ dir, origin });
  };
  for (const d of nodeModulesChain(from)) add(d, 'node_modules');
  const np = options.nodePath === undefined ? process.env['NODE_PATH'] ?? '' : options.nodePath === false ? [] : options.nodePath;
  for (const d of typeof np === 'string' ? np.split(path.delimiter) : np) if (d !== '') add(path.resolve(d), 'NODE_PATH');
  if (options.globalFolders !== false) for (const d of globalFolders()) add(d, 'global-folder');
  if (options.global !== undefined && options.global !== false) {
    const root = typeof options.global === 'string'
      ? globalRootOf(path.resolve(options.global))
      : (await globalDirectory()).npm.packages;
    add(root, 'global');
  }
  if (pnp !== null) {
    diagnostics.push(diagnostic('EP723', "this project uses Yarn Plug'n'Play, whose packages only a process running under it can read: run the host (or epi) through yarn (`yarn node host.js`, `yarn exec epi list --node`), or set `nodeLinker: node-modules` in .yarnrc.yml", { file: pnp }));
  }
  return { dirs, pnp, diagnostics };
}

/** One directory's packages as resolution needs them (a scan or a cache). */
export interface NodeModulesView {
  readonly dir: string;
  readonly origin: SearchOrigin;
  /** Every package key of the directory (what shadows a farther package of that name); asked only when a farther directory has a package to compare. */
  readonly keys: { has(key: string): boolean };
  /** The packages the lookup reads: every one, or (a group lookup) those declaring the group, with its entry points only. */
  readonly packages: readonly NodePackageRecord[];
  /** The directory's own diagnostics and its packages', files relative to `dir`. */
  readonly diagnostics: readonly Diagnostic[];
}

export interface ResolvedPackage {
  readonly record: NodePackageRecord;
  /** The directory searched (as on the search path). */
  readonly nodeModules: string;
  readonly origin: SearchOrigin;
  /** The package directory as Node finds it (through any symlink). */
  readonly dir: string;
}

export interface ShadowedPackage {
  readonly package: ResolvedPackage;
  readonly by: ResolvedPackage;
}

export interface NodeResolution {
  /** The packages in use, in search order, then listing order. */
  readonly packages: readonly ResolvedPackage[];
  readonly shadowed: readonly ShadowedPackage[];
  /** Absolute files. */
  readonly diagnostics: readonly Diagnostic[];
}

const absolute = (dir: string, d: Diagnostic): Diagnostic => (d.file === undefined ? d : { ...d, file: d.file === '' ? dir : path.join(dir, d.file) });

/** Nearest wins, as Node's resolution: the first directory on the search path that has a package of a name provides it. */
export function resolveNodePackages(views: readonly NodeModulesView[]): NodeResolution {
  const packages: ResolvedPackage[] = [];
  const shadowed: ShadowedPackage[] = [];
  const diagnostics: Diagnostic[] = [];
  const listed = new Map<string, ResolvedPackage>();
  views.forEach((v, i) => {
    for (const d of v.diagnostics) diagnostics.push(absolute(v.dir, d));
    for (const record of v.packages) {
      const p: ResolvedPackage = { record, nodeModules: v.dir, origin: v.origin, dir: path.join(v.dir, ...record.location.split('/')) };
      // The nearest directory holding the key; a directory's own keys are unique.
      let w = -1;
      for (let j = 0; j < i && w < 0; j++) if (views[j]!.keys.has(record.key)) w = j;
      if (w < 0) {
        listed.set(record.key, p);
        packages.push(p);
        continue;
      }
      const near = views[w]!;
      // The winner itself may not be read by this lookup (it does not declare the group).
      const by = listed.get(record.key) ?? {
        record: { key: record.key, name: record.key, version: null, location: record.key, linked: false, hasExports: false, entryPoints: [], diagnostics: [], watch: [] },
        nodeModules: near.dir,
        origin: near.origin,
        dir: path.join(near.dir, ...record.key.split('/')),
      };
      shadowed.push({ package: p, by });
      const byText = by.record.version === null && !listed.has(record.key) ? `${record.key}` : `${by.record.key} ${by.record.version ?? '(no version)'}`;
      diagnostics.push(diagnostic('EP720', `${record.key} ${record.version ?? '(no version)'} is shadowed by ${byText} at ${by.dir}`, { file: p.dir }));
    }
  });
  return { packages, shadowed, diagnostics };
}

type GlobalDirectory = typeof import('global-directory').default;

/**
 * global-directory (an ES module): its default export, whether it arrives as a module namespace
 * (import()) or wrapped once more (a bundle's require() of an ES module, where import() cannot run).
 */
async function globalDirectory(): Promise<GlobalDirectory> {
  const m = await importModule<{ default: GlobalDirectory | { default: GlobalDirectory } }>('global-directory');
  const d = m.default;
  return 'npm' in d ? d : d.default;
}
