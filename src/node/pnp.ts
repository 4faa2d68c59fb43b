/**
 * Yarn Plug'n'Play: no node_modules, packages in zip archives, resolution by the project's
 * pnpapi. A process running under PnP (`yarn node`, `yarn exec`, `yarn run`) has `fs` able to
 * read those archives and `module.findPnpApi`; there, the packages of the workspace that holds
 * the starting directory are its dependencies as pnpapi lists them. Outside PnP nothing can read
 * them (discover.ts says so, EP723).
 */
import Module from 'node:module';
import * as path from 'node:path';
import type { Diagnostic } from '../diagnostics.js';
import { readPackage, type NodePackageRecord } from './source.js';

interface Locator { readonly name: string | null; readonly reference: string | null }
interface PackageInformation {
  readonly packageLocation: string;
  readonly packageDependencies: ReadonlyMap<string, string | readonly [string, string] | null>;
  readonly linkType?: 'HARD' | 'SOFT';
}
/** The part of Yarn's pnpapi used here (https://yarnpkg.com/advanced/pnpapi). */
export interface PnpApi {
  findPackageLocator(location: string): Locator | null;
  getPackageInformation(locator: Locator): PackageInformation | null;
}

/** The pnpapi that owns `dir`, when this process runs under Plug'n'Play. */
export function pnpApiFor(dir: string): PnpApi | null {
  const find = (Module as unknown as { findPnpApi?: (p: string) => PnpApi | null }).findPnpApi;
  if (typeof find !== 'function') return null;
  try {
    return find(dir.endsWith(path.sep) ? dir : dir + path.sep);
  } catch {
    return null;
  }
}

export interface PnpScan {
  /** The directory of the workspace whose dependencies these are. */
  readonly workspace: string;
  readonly packages: readonly NodePackageRecord[];
  readonly diagnostics: readonly Diagnostic[];
}

/** The dependencies of the workspace holding `from`, in pnpapi's order; locations relative to the workspace. */
export function scanPnp(api: PnpApi, from: string): PnpScan | null {
  const issuer = api.findPackageLocator(from.endsWith(path.sep) ? from : from + path.sep);
  if (issuer === null) return null;
  const info = api.getPackageInformation(issuer);
  if (info === null) return null;
  const workspace = info.packageLocation.replace(/[\\/]+$/, '');
  const packages: NodePackageRecord[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const [key, ref] of info.packageDependencies) {
    if (ref === null) continue; // an unmet peer dependency
    const locator: Locator = Array.isArray(ref) ? { name: ref[0], reference: ref[1] } : { name: key, reference: ref as string };
    if (locator.name === issuer.name && locator.reference === issuer.reference) continue; // its self-reference
    const dep = api.getPackageInformation(locator);
    if (dep === null) continue;
    const dir = dep.packageLocation.replace(/[\\/]+$/, '');
    const location = path.relative(workspace, dir).split(path.sep).join('/');
    // Workspaces, portals and links are directories edited in place; archives are replaced.
    const r = readPackage(dir, key, location, diagnostics, () => dep.linkType === 'SOFT');
    if (r !== null) packages.push(r);
  }
  return { workspace, packages, diagnostics };
}
