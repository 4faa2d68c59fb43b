/**
 * Loading an npm entry point with Node's own resolution (never a reimplementation of it):
 *
 * - A package with `exports`: the specifier `key/sub` is resolved by Node's ES module resolver,
 *   with the `import` conditions a host's own `import` would use, as if imported from a module
 *   next to the package's node_modules directory. Node 20 resolves ESM only relative to the
 *   importing module (`import.meta.resolve`'s parent argument is behind a flag), so the importer
 *   is a two-line module in the user's private cache directory whose `node_modules` is a
 *   symlink to that directory. Should that directory be unusable, the package resolves itself
 *   through `createRequire` (its own `exports`, with the `require` conditions).
 * - A package without `exports`: the subpath is a file relative to the package root, resolved
 *   as `require.resolve` resolves a relative path (exact name, then `.js`, `.json`, `.node`,
 *   then a directory's `main`/`index`).
 *
 * The module is then imported from its file URL (`import()` loads ES modules and CommonJS
 * alike, and a file URL is right on Windows where a path is not), and the export path walked.
 */
import * as fs from 'node:fs';
// Renamed: scripts/build.mjs rewrites a plain createRequire import (it knows only createRequire(import.meta.url)).
import { createRequire as requireFrom } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { userCacheRoot } from '../cache/location.js';
import { readSmallFile } from '../fsutil.js';
import { userCacheDir } from '../cache/user-root.js';
import { importModule } from '../import.js';
import type { NodeEntryPoint } from './entry-point.js';
import { EntryPointLoadError } from './errors.js';

type Resolve = (specifier: string) => string;
const resolvers = new Map<string, Promise<Resolve | null>>();

const RESOLVER_SOURCE = '// epindex: resolves bare specifiers from the node_modules directory linked beside this file.\nexport const resolve = (specifier) => import.meta.resolve(specifier);\n';
const uid = (): number | null => (typeof process.getuid === 'function' ? process.getuid() : null);

/** Replace `target` with a fresh file or link, atomically (rename over it). */
function replace(target: string, make: (tmp: string) => void): void {
  const tmp = `${target}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    make(tmp);
    fs.renameSync(tmp, target);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

function privateDir(dir: string): boolean {
  const st = fs.lstatSync(dir);
  if (!st.isDirectory()) return false;
  if (process.platform === 'win32') return true;
  return st.uid === uid() && (st.mode & 0o022) === 0;
}

async function makeResolver(nodeModules: string): Promise<Resolve | null> {
  try {
    const real = fs.realpathSync(nodeModules);
    // Under a trusted user cache root only (spec §5.5): the importer runs as this user.
    const holder = userCacheDir(userCacheRoot(), 'node-resolvers', true);
    if (!('dir' in holder)) return null;
    const root = holder.dir;
    // node:crypto is loaded here, not at import: importing the library must not pay for it.
    const { createHash } = requireFrom(import.meta.url)('node:crypto') as typeof import('node:crypto');
    const home = path.join(root, createHash('sha256').update(real).digest('hex').slice(0, 40));
    try {
      fs.mkdirSync(home, { mode: 0o700 });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    // Only a directory nobody else can write: the importer runs as this user.
    if (!privateDir(root) || !privateDir(home)) return null;
    const link = path.join(home, 'node_modules');
    let current: string | null = null;
    try {
      current = fs.readlinkSync(link);
    } catch {
      // absent (or not a link: replaced below)
    }
    if (current !== real) replace(link, (tmp) => fs.symlinkSync(real, tmp, process.platform === 'win32' ? 'junction' : 'dir'));
    const file = path.join(home, 'resolve.mjs');
    const read = readSmallFile(file, { limit: 4096 });
    const source = read.ok ? read.bytes.toString('utf8') : null;
    if (source !== RESOLVER_SOURCE) replace(file, (tmp) => fs.writeFileSync(tmp, RESOLVER_SOURCE, { mode: 0o600, flag: 'wx' }));
    const mod = await importModule<{ resolve: Resolve }>(pathToFileURL(file).href);
    // Node realpaths what it resolves, but not a file that does not exist: such an answer is
    // spelled through the link here, and is given back through the user's node_modules instead.
    const viaLink = pathToFileURL(link).href + '/';
    const users = pathToFileURL(nodeModules).href + '/';
    return (specifier) => {
      const url = mod.resolve(specifier);
      return url.startsWith(viaLink) ? users + url.slice(viaLink.length) : url;
    };
  } catch {
    return null;
  }
}

function resolverFor(nodeModules: string): Promise<Resolve | null> {
  let r = resolvers.get(nodeModules);
  if (r === undefined) resolvers.set(nodeModules, (r = makeResolver(nodeModules)));
  return r;
}

/** The file URL of an entry point's module (see the module comment for the rules). */
export async function resolveEntryPoint(ep: NodeEntryPoint): Promise<string> {
  const problem = ep.problem;
  if (problem !== null) throw new EntryPointLoadError(ep, 'target', new Error(`invalid target: ${problem}`));
  const pkg = ep.package;
  const module = ep.module!;
  try {
    // Plug'n'Play: the workspace that depends on the package asks pnpapi (require conditions).
    if (pkg.origin === 'pnp') return pathToFileURL(requireFrom(path.join(pkg.nodeModules, 'package.json')).resolve(ep.specifier!)).href;
    const local = requireFrom(path.join(pkg.dir, 'package.json'));
    if (!pkg.hasExports) return pathToFileURL(local.resolve(module === '.' ? './' : module)).href;
    const esm = await resolverFor(pkg.nodeModules);
    if (esm !== null) return existing(ep, esm(ep.specifier!));
    // Self-reference: the package's own exports, resolved from inside it (require conditions).
    return pathToFileURL(local.resolve(module === '.' ? pkg.name : pkg.name + module.slice(1))).href;
  } catch (e) {
    throw new EntryPointLoadError(ep, 'resolve', e);
  }
}

/**
 * The URL, if its file exists. ESM resolution maps `exports` without looking at the disk, so a
 * package that is not built yet (`./dist/index.js` missing) fails here, naming the file.
 */
function existing(ep: NodeEntryPoint, url: string): string {
  if (!url.startsWith('file:')) return url;
  const file = fileURLToPath(url);
  if (fs.existsSync(file)) return url;
  let build = '';
  const manifest = readSmallFile(path.join(ep.package.dir, 'package.json'), { limit: 8 * 1024 * 1024 });
  if (manifest.ok) {
    try {
      const scripts = (JSON.parse(manifest.bytes.toString('utf8')) as { scripts?: Record<string, unknown> }).scripts ?? {};
      const name = ['build', 'prepare', 'prepack'].find((k) => typeof scripts[k] === 'string');
      if (name !== undefined) build = `; is the package built? its package.json has a "${name}" script`;
    } catch {
      /* only a hint */
    }
  }
  // Node's code for a module that is not there, so hosts that test `cause.code` keep working.
  throw Object.assign(new Error(`${file} does not exist (${JSON.stringify(ep.specifier)} resolves there through the package's "exports")${build}`), { code: 'ERR_MODULE_NOT_FOUND' });
}

const holds = (o: unknown, key: string): boolean => (typeof o === 'object' && o !== null) || typeof o === 'function' ? key in (o as object) : false;

/** Import the module and walk the export path. */
export async function loadEntryPoint(ep: NodeEntryPoint): Promise<unknown> {
  const url = await resolveEntryPoint(ep);
  let namespace: Record<string, unknown>;
  try {
    namespace = await importModule(url);
  } catch (e) {
    throw new EntryPointLoadError(ep, 'import', e);
  }
  let value: unknown = namespace;
  const parts = ep.exportPath;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    // CommonJS: a property Node's export detection did not see is still on module.exports (the default export).
    const from = i === 0 && !holds(namespace, part) && holds(namespace['default'], part) ? namespace['default'] : value;
    if (!holds(from, part)) {
      const where = i === 0 ? `the module ${url}` : `"${parts.slice(0, i).join('.')}" of ${url}`;
      throw new EntryPointLoadError(ep, 'export', new Error(`${where} has no export "${part}"`));
    }
    try {
      value = (from as Record<string, unknown>)[part];
    } catch (e) {
      throw new EntryPointLoadError(ep, 'export', e);
    }
  }
  return value;
}
