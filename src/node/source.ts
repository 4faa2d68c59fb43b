/**
 * The npm source: how to list and scan one node_modules directory. It knows nothing of caches
 * and nothing of the directories around it; the search path (discover.ts) and the cache engine
 * call it one directory at a time.
 *
 * - A listing is the candidate package names in directory-listing order, `@scope/name` in place
 *   of their scope directory, with the scope directories whose stamps prove the listing unchanged.
 * - A scan turns one candidate into a package record (a *unit*): its key (the name Node resolves
 *   it by), package.json name and version, entry points, diagnostics, and the files whose stamps
 *   tell whether it changed, with the freshness level that needs each.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { diagnostic, type Diagnostic } from '../diagnostics.js';
import { errnoCode } from '../errors.js';
import { fsdecode, fsPath, readdirEntries, type DirEntry } from '../fsnames.js';
import { parsePackageJson, type DeclaredEntryPoint } from '../format/package-json.js';
import { readRegularFile } from './read.js';

/** A freshness level that needs a file's stamp: `stat` (the default) or only `full`. */
export type WatchLevel = 'stat' | 'full';

export interface WatchedFile {
  /** Relative to the node_modules directory, `/`-separated. */
  readonly path: string;
  readonly level: WatchLevel;
}

/** One package of a node_modules directory, as a scan found it. */
export interface NodePackageRecord {
  /** The name Node resolves it by: its directory's name (`name` or `@scope/name`). */
  readonly key: string;
  /** package.json `name` (the key when it has none). */
  readonly name: string;
  readonly version: string | null;
  /** The package directory relative to the node_modules directory (`/`-separated; today always the key). */
  readonly location: string;
  /** A symlink out of this node_modules directory (a workspace, `npm link`, a `file:` directory): its files change in place. */
  readonly linked: boolean;
  /** Whether package.json has `exports` (targets then resolve through it). */
  readonly hasExports: boolean;
  readonly entryPoints: readonly DeclaredEntryPoint[];
  /** Files relative to the node_modules directory. */
  readonly diagnostics: readonly Diagnostic[];
  readonly watch: readonly WatchedFile[];
}

export interface NodeModulesListing {
  /** Candidate keys in listing order (`readdirSync` order, a scope's packages where the scope is). */
  readonly names: readonly string[];
  /** `@scope` directories (relative), whose stamps prove their part of the listing unchanged. */
  readonly dirs: readonly string[];
  /** The candidates that are symbolic links (from the listing's entry types: no lstat each). */
  readonly links: ReadonlySet<string>;
  readonly diagnostics: readonly Diagnostic[];
}

export interface NodeModulesScan {
  readonly dir: string;
  readonly listing: NodeModulesListing;
  /** Packages in listing order; candidates that are not packages are left out. */
  readonly packages: readonly NodePackageRecord[];
  /** Diagnostics of the directory itself (files relative to it). */
  readonly diagnostics: readonly Diagnostic[];
}

/** Names npm, pnpm, yarn and bun keep for themselves (`.bin`, `.pnpm`, `.package-lock.json`, `.cache`…): never packages. */
const hidden = (name: string): boolean => name.startsWith('.');

/** A directory's entries with their names as bytes (`fsdecode`d, §4.1.1): a scope or package name need not be UTF-8. */
function readEntries(dir: string): DirEntry[] {
  return readdirEntries(dir);
}

/**
 * The candidates of one node_modules directory. A directory that is missing lists nothing,
 * silently; one that cannot be read lists nothing with EP721.
 */
export function listNodeModules(dir: string): NodeModulesListing {
  const names: string[] = [];
  const dirs: string[] = [];
  const diagnostics: Diagnostic[] = [];
  const links = new Set<string>();
  let top: DirEntry[];
  try {
    top = readEntries(dir);
  } catch (e) {
    const code = errnoCode(e);
    if (code !== 'ENOENT' && code !== 'ENOTDIR') diagnostics.push(diagnostic('EP721', `cannot list this directory (${code})`, { file: '' }));
    return { names, dirs, links, diagnostics };
  }
  for (const entry of top) {
    const name = entry.name;
    if (hidden(name)) continue;
    if (name.startsWith('@')) {
      let scoped: DirEntry[];
      try {
        scoped = readEntries(path.join(dir, name));
      } catch (e) {
        const code = errnoCode(e);
        // A file named @x is not a scope; a dangling or looping link is worth a word.
        if (code === 'ELOOP') diagnostics.push(diagnostic('EP722', `scope directory ${name} is a symbolic link loop`, { file: name }));
        else if (code === 'ENOENT') diagnostics.push(diagnostic('EP722', `scope directory ${name} is a dangling symbolic link`, { file: name }));
        else if (code !== 'ENOTDIR') diagnostics.push(diagnostic('EP721', `cannot list scope directory ${name} (${code})`, { file: name }));
        continue;
      }
      dirs.push(name);
      for (const child of scoped) {
        if (hidden(child.name)) continue;
        names.push(`${name}/${child.name}`);
        if (child.link) links.add(`${name}/${child.name}`);
      }
    } else {
      names.push(name);
      if (entry.link) links.add(name);
    }
  }
  return { names, dirs, links, diagnostics };
}

function canSearch(dir: string): boolean {
  try {
    fs.accessSync(fsPath(dir), fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function realOrNull(p: string): string | null {
  try {
    return fsdecode(fs.realpathSync.native(fsPath(p), { encoding: 'buffer' }));
  } catch {
    return null;
  }
}

/**
 * Scan one candidate: `null` when it is not a package (a plain file, a directory without
 * package.json) — with a diagnostic in `sink` when that is worth knowing. `realDir` is the
 * node_modules directory's real path (to tell links out of it); computed when not given.
 */
export function scanPackage(dir: string, key: string, sink: Diagnostic[] = [], realDir: string | null = realOrNull(dir), isLink?: boolean): NodePackageRecord | null {
  const pkgDir = path.join(dir, key);
  return readPackage(pkgDir, key, key, sink, () => {
    if (!(isLink ?? fs.lstatSync(fsPath(pkgDir)).isSymbolicLink())) return false;
    const real = realOrNull(pkgDir);
    // pnpm links into its own .pnpm store inside this directory: replaced, never edited in place.
    return real === null || realDir === null || !(real + path.sep).startsWith(realDir + path.sep);
  });
}

/**
 * Read the package at `pkgDir`, known as `key`, at `location` (relative to the directory
 * scanned, `/`-separated; files of diagnostics are relative to it too). `linked` says whether
 * its files change in place.
 */
export function readPackage(pkgDir: string, key: string, location: string, sink: Diagnostic[], linked: () => boolean): NodePackageRecord | null {
  const file = `${location}/package.json`;
  // package.json first: for a real package that is all the system calls a scan makes (open,
  // fstat, read, close); why a candidate has none is asked only when it has none.
  const read = readRegularFile(path.join(pkgDir, 'package.json'));
  if (!read.ok) {
    if (read.reason === 'missing') {
      let st: fs.Stats;
      try {
        st = fs.statSync(fsPath(pkgDir));
      } catch (e) {
        const code = errnoCode(e);
        if (code === 'ELOOP') sink.push(diagnostic('EP722', `${key} is a symbolic link loop; skipped`, { file: location }));
        else if (code === 'ENOENT') sink.push(diagnostic('EP722', `${key} is a dangling symbolic link; skipped`, { file: location }));
        else if (code !== 'ENOTDIR') sink.push(diagnostic('EP721', `cannot examine ${key} (${code}); skipped`, { file: location }));
        return null;
      }
      if (st.isDirectory()) sink.push(diagnostic('EP725', `${key} has no package.json; skipped`, { file: location }));
    } else if (read.reason === 'unreadable') {
      const code = read.code;
      if (code === 'ELOOP') sink.push(diagnostic('EP722', `${key} is a symbolic link loop; skipped`, { file: location }));
      else if (code === 'EACCES' && !canSearch(pkgDir)) sink.push(diagnostic('EP721', `cannot examine ${key} (${code}); skipped`, { file: location }));
      else sink.push(diagnostic('EP702', `cannot read package.json (${code})`, { file }));
    } else {
      sink.push(diagnostic('EP712', read.reason === 'too-large' ? 'package.json is larger than 8 MiB' : 'package.json is not a regular file', { file }));
    }
    return null;
  }
  const parsed = parsePackageJson(read.bytes, { file });
  const diagnostics: Diagnostic[] = [...parsed.diagnostics];
  if (parsed.declares) {
    if (parsed.name === null) diagnostics.push(diagnostic('EP710', `package.json has no "name"; it is known by its directory, ${key}`, { file, pointer: '/name' }));
    else if (parsed.name !== key) diagnostics.push(diagnostic('EP711', `package.json names "${parsed.name}", but Node resolves this package as "${key}" (an alias?)`, { file, pointer: '/name' }));
  }
  let isLinked = false;
  try {
    isLinked = linked();
  } catch {
    // gone since it was read: treated as a plain directory; the cache's stamps will notice
  }
  return {
    key,
    name: parsed.name ?? key,
    version: parsed.version,
    location,
    linked: isLinked,
    hasExports: parsed.hasExports,
    entryPoints: parsed.entries,
    diagnostics,
    // A linked package's package.json is edited in place (a workspace under development); an
    // installed one changes only by being replaced, which the listing's stamps see.
    watch: [{ path: file, level: isLinked ? 'stat' : 'full' }],
  };
}

/** List and scan one node_modules directory, uncached. */
export function scanNodeModules(dir: string): NodeModulesScan {
  const listing = listNodeModules(dir);
  const diagnostics: Diagnostic[] = [...listing.diagnostics];
  const realDir = realOrNull(dir);
  const packages: NodePackageRecord[] = [];
  for (const key of listing.names) {
    const r = scanPackage(dir, key, diagnostics, realDir, listing.links.has(key));
    if (r !== null) packages.push(r);
  }
  return { dir, listing, packages, diagnostics };
}
