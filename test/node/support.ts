/** Fixture packages for node_modules trees (test/support/fixtures.ts's Tree shape). */
import type { Tree } from '../support/fixtures.js';

export interface PackageSpec {
  readonly version?: string;
  readonly type?: 'module' | 'commonjs';
  readonly main?: string;
  readonly exports?: unknown;
  /** group -> name -> target */
  readonly eps?: Record<string, Record<string, unknown>> | unknown;
  /** More package.json fields. */
  readonly json?: Record<string, unknown>;
  /** Other files of the package, relative path -> content. */
  readonly files?: Record<string, string>;
}

/** A package directory tree: package.json plus files (nested paths allowed). */
export function pkg(name: string, spec: PackageSpec = {}): Tree {
  const json: Record<string, unknown> = { name, version: spec.version ?? '1.0.0', ...spec.json };
  if (spec.type !== undefined) json['type'] = spec.type;
  if (spec.main !== undefined) json['main'] = spec.main;
  if (spec.exports !== undefined) json['exports'] = spec.exports;
  if (spec.eps !== undefined) json['plugin-entry-points'] = spec.eps;
  const t: Tree = { 'package.json': JSON.stringify(json, null, 2) + '\n' };
  for (const [p, content] of Object.entries(spec.files ?? {})) {
    const parts = p.split('/');
    let at: Tree = t;
    for (const d of parts.slice(0, -1)) at = (at[d] ??= {}) as Tree;
    at[parts[parts.length - 1]!] = content;
  }
  return t;
}

/** A node_modules tree of packages keyed by name (`@scope/name` nests under the scope). */
export function nodeModules(packages: Record<string, Tree>): Tree {
  const t: Tree = {};
  for (const [name, tree] of Object.entries(packages)) {
    if (name.startsWith('@')) {
      const [scope, child] = name.split('/') as [string, string];
      ((t[scope] ??= {}) as Tree)[child] = tree;
    } else {
      t[name] = tree;
    }
  }
  return t;
}
