/**
 * `import()` of a module the library does not bundle: a plugin, a resolver it writes, an npm
 * dependency that is an ES module. The bundles run from V8's code cache (scripts/code-cache.cjs)
 * as code compiled by vm.Script, where a plain import() has no module loader to call; the
 * loader passes its own import() as `__epindexImport`. Everywhere else (the modules tsc
 * compiled, a plain require of a bundle) the plain import() is used.
 */
declare const __epindexImport: ((specifier: string) => Promise<unknown>) | undefined;

export function importModule<T = Record<string, unknown>>(specifier: string): Promise<T> {
  return (typeof __epindexImport === 'function' ? __epindexImport(specifier) : import(specifier)) as Promise<T>;
}
