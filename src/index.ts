/**
 * epindex: Python entry points, read to the letter of the spec, with a per-directory cache.
 * This module exports the public API and nothing else.
 */
export {
  pythonEnvironment,
  PythonEnvironment,
  type EnvironmentOptions,
  type DistributionInfo,
  type DistributionReport,
  type GroupSummary,
  type Conflict,
} from './environment.js';
export { EntryPoints } from './entry-points.js';
export {
  EntryPoint,
  parseObjectReference,
  normalizeName,
  type Distribution,
  type DistributionLayout,
  type EntryPointQuery,
  type EntryPointJSON,
  type ObjectReference,
  type ParsedReference,
} from './entry-point.js';
export type { ShadowedDistribution } from './registry.js';
export {
  parseEntryPointsTxt,
  renderEntryPointsTxt,
  unrenderableReason,
  type EntryPointLine,
  type ParsedEntryPointsTxt,
  type RenderableEntryPoint,
} from './format/entry-points-txt.js';
export { buildCache, buildCaches, cacheStatus, clearCache, type BuildOptions, type BuildResult, type BuildProgress, type CacheStatus, type ClearResult } from './caches.js';
export { CACHE_POLICIES, type CachePolicy, type CacheOptions, type CacheState } from './cache/engine.js';
export { FRESHNESS_LEVELS, type Freshness } from './cache/freshness.js';
export type { InterpreterInfo } from './python/interpreter.js';
export { DIAGNOSTIC_CODES, formatDiagnostic, type Diagnostic, type DiagnosticCode, type Severity } from './diagnostics.js';
export { EpindexError, isEpindexError, type ErrorCode } from './errors.js';
// npm packages: entry points declared in package.json "plugin-entry-points" (docs/spec.md "npm packages")
export {
  nodeEnvironment,
  entryPoints,
  NodeEnvironment,
  NodeEntryPoints,
  type NodeEnvironmentOptions,
  type NodeEntryPointQuery,
  type NodePackageReport,
  type NodeGroupSummary,
  type NodeConflict,
} from './node/environment.js';
export { NodeEntryPoint, type NodePackage, type NodeEntryPointJSON } from './node/entry-point.js';
export type { NodeSearchOptions, SearchDir, SearchOrigin } from './node/discover.js';
export { EntryPointLoadError, isEntryPointLoadError, type LoadStage } from './node/errors.js';
export { plugins, PluginSet, DEFAULT_DISABLE_ENV, type Plugin, type PluginFailure, type PluginOptions, type PluginSetState } from './node/plugins.js';
export {
  parsePackageJson,
  parsePackageTarget,
  PLUGIN_ENTRY_POINTS_FIELD,
  type ParsedPackageJson,
  type DeclaredEntryPoint,
  type PackageTarget,
  type ParsedTarget,
} from './format/package-json.js';
