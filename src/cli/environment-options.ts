/**
 * The options every querying command shares (which environment, which cache policy), and the
 * one description of the environment every command reports: in `epi env`, and as
 * `environment` in every `--json` output (schema/definitions.schema.json#/$defs/environment).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CACHE_POLICIES, type CachePolicy } from '../cache/engine.js';
import { FRESHNESS_LEVELS } from '../cache/freshness.js';
import type { Freshness } from '../cache/freshness.js';
import type { Diagnostic } from '../diagnostics.js';
import type { Distribution, EntryPoint, EntryPointJSON } from '../entry-point.js';
import { missingEntry, pythonEnvironment, type PythonEnvironment } from '../environment.js';
import { statAny } from '../python/discover.js';
import { choosePython, type InterpreterChoice } from '../python/find-python.js';
import { interpreterDetails } from '../python/interpreter-cache.js';
import { probeVersion } from '../python/interpreter.js';
import { UsageError, type OptionSpec } from './args.js';
import { uniqueDiagnostics } from './commands/lookup.js';
import { colorDiagnostic, countDiagnostics, type Counts } from './output.js';
import { err } from './stdio.js';

export interface EnvironmentFlags {
  python?: string;
  path?: string[];
  site?: string;
  cache?: CachePolicy;
  freshness?: Freshness;
  quiet?: boolean;
  json?: boolean;
}

export const FRESHNESS_OPTION: OptionSpec = { name: 'freshness', type: 'string', value: '<level>', choices: FRESHNESS_LEVELS, description: 'how thoroughly a cache is checked: listing < stat < full', defaultText: 'stat, or $EPINDEX_FRESHNESS' };

export const ENVIRONMENT_OPTIONS: readonly OptionSpec[] = [
  {
    name: 'python',
    short: 'p',
    type: 'string',
    value: '<python>',
    description: 'ask this interpreter for sys.path: a path, an environment directory, a version (3.12, python3.12, cpython@3.12, >=3.11) or a name on PATH',
    defaultText: '$VIRTUAL_ENV, $CONDA_PREFIX, a .venv here or above, else python3',
    conflicts: ['path', 'site'],
  },
  { name: 'path', type: 'string', value: '<dir>', pathList: true, legacyGreedy: true, complete: 'directory', description: 'search these path entries, in order, instead of asking an interpreter', conflicts: ['site'] },
  { name: 'site', type: 'string', value: '<dir>', complete: 'directory', description: 'emulate site.py for one site directory (the directory, then its .pth path lines)' },
  { name: 'cache', type: 'string', value: '<policy>', choices: CACHE_POLICIES, description: 'how caches are used', defaultText: 'auto, or $EPINDEX_CACHE' },
  FRESHNESS_OPTION,
];

export interface ShimReport {
  readonly manager: string;
  readonly shim: string;
  readonly versions: readonly string[];
  readonly origin: string;
  readonly resolved: boolean;
  readonly unresolved: string | null;
}

export interface InterpreterReport {
  /** What was asked to run (`--python` value resolved, or the default's path). */
  readonly command: string;
  /** The interpreter file the answer is about (a shim resolved). */
  readonly file: string;
  readonly executable: string;
  readonly version: string;
  readonly prefix: string;
  readonly basePrefix: string;
  /** The answer came from the interpreter cache: nothing was run. */
  readonly fromCache: boolean;
  readonly shim: ShimReport | null;
}

/** Which interpreter and search path a command used, and why. */
export interface EnvironmentReport {
  readonly source: InterpreterChoice['source'] | 'path-option' | 'site-option' | 'arguments';
  readonly request: string | null;
  readonly reason: string;
  readonly interpreter: InterpreterReport | null;
  readonly searchPath: readonly string[];
  readonly cache: CachePolicy | null;
  readonly freshness: Freshness;
  readonly diagnostics: readonly Diagnostic[];
}

export interface Opened {
  readonly env: PythonEnvironment;
  readonly report: EnvironmentReport;
}

/** A path the user named must exist: a missing one is a usage error, not an empty answer. */
export function requireExisting(option: string, p: string): void {
  if (!fs.existsSync(p === '' ? '.' : p)) throw new UsageError(`${option} ${p}: no such file or directory`, { hint: false });
}

function printSetupDiagnostics(diagnostics: readonly Diagnostic[], flags: EnvironmentFlags): void {
  if (flags.quiet) return;
  for (const d of diagnostics) if (d.severity !== 'info') err(colorDiagnostic(d) + '\n');
}

export async function openEnvironment(flags: EnvironmentFlags): Promise<Opened> {
  const common = {
    ...(flags.cache !== undefined ? { cache: flags.cache } : {}),
    ...(flags.freshness !== undefined ? { freshness: flags.freshness } : {}),
  };
  if (flags.path !== undefined) {
    // A missing entry is skipped, as importlib skips it, with a warning: a raw sys.path works as --path.
    const diagnostics = uniqueDiagnostics([flags.path.filter((p) => exists(p) === false).map(missingEntry)]);
    printSetupDiagnostics(diagnostics, flags);
    const env = await pythonEnvironment({ path: flags.path, ...common });
    return { env, report: { source: 'path-option', request: null, reason: '--path: the given path entries, no interpreter', interpreter: null, searchPath: env.searchPath, cache: env.cache, freshness: env.freshness, diagnostics } };
  }
  if (flags.site !== undefined) {
    requireExisting('--site', flags.site);
    if (!fs.statSync(flags.site).isDirectory()) throw new UsageError(`--site ${flags.site}: not a directory`, { hint: false });
    const env = await pythonEnvironment({ site: flags.site, ...common });
    return { env, report: { source: 'site-option', request: null, reason: `--site: site.py emulated for ${path.resolve(flags.site)}, no interpreter`, interpreter: null, searchPath: env.searchPath, cache: env.cache, freshness: env.freshness, diagnostics: [] } };
  }
  const choice = choosePython(flags.python, { probe: probeVersion });
  printSetupDiagnostics(choice.diagnostics, flags);
  const env = await pythonEnvironment({ python: choice.command, ...common });
  const info = env.interpreter!;
  const d = interpreterDetails(info);
  const shim: ShimReport | null = d?.shim ? { manager: d.shim.manager, shim: d.shim.shim, versions: d.shim.versions, origin: d.shim.origin, resolved: d.shim.interpreter !== null, unresolved: d.shim.unresolved ?? null } : null;
  const diagnostics = [...choice.diagnostics];
  if (shim !== null && !shim.resolved) {
    const { diagnostic } = await import('../diagnostics.js');
    diagnostics.push(diagnostic('EP405', `${shim.manager} shim ${shim.shim} was run to find the interpreter: ${shim.unresolved}`, { file: shim.shim }));
  }
  const reason = shim?.resolved ? `${choice.reason}, a ${shim.manager} shim for ${d!.interpreter} (${shim.versions.join(', ')} from ${shim.origin})` : choice.reason;
  return {
    env,
    report: {
      source: choice.source,
      request: choice.request,
      reason,
      interpreter: { command: choice.command, file: d?.interpreter ?? choice.command, executable: info.executable, version: info.version, prefix: info.prefix, basePrefix: info.basePrefix, fromCache: d?.fromCache ?? false, shim },
      searchPath: env.searchPath,
      cache: env.cache,
      freshness: env.freshness,
      diagnostics,
    },
  };
}

/** Whether a path entry exists as discovery sees it (null: it cannot be examined, which discovery reports itself). */
export function exists(p: string): boolean | null {
  try {
    return statAny(p === '' ? '.' : p) !== null;
  } catch {
    return null;
  }
}

/**
 * Codes about the search path itself rather than a distribution: a path entry skipped because
 * it does not exist (EP219), one that contributes nothing under `--cache only` (EP307). They
 * say why an answer is smaller than expected, so they are shown on stderr as the command
 * answers and are part of `environment.diagnostics`, not only of the summary count.
 */
const SEARCH_PATH_CODES: ReadonlySet<string> = new Set(['EP219', 'EP307']);
export const isSearchPathDiagnostic = (d: Diagnostic): boolean => SEARCH_PATH_CODES.has(d.code);

export interface Settled {
  /** The environment with the search-path diagnostics the lookups found. */
  readonly report: EnvironmentReport;
  /** Every diagnostic of the command, each once, the environment's first. */
  readonly diagnostics: Diagnostic[];
  /** Those not shown on stderr already (what a summary line counts). */
  readonly unshown: Diagnostic[];
  /** `--path` was given and none of its entries exists: nothing was searched; the command exits 1. */
  readonly searchedNothing: boolean;
}

/**
 * After a command's lookups: the search-path diagnostics they found move into the
 * environment and are shown on stderr (unless `--quiet`); says when nothing was searched at all.
 */
export function settle(opened: Opened, lookups: ReadonlyArray<readonly Diagnostic[]>, flags: EnvironmentFlags): Settled {
  const setup = opened.report.diagnostics;
  const key = (d: Diagnostic): string => JSON.stringify([d.code, d.file, d.line, d.message]);
  const known = new Set(setup.map(key));
  const found = uniqueDiagnostics(lookups).filter((d) => !known.has(key(d)));
  const pathLevel = found.filter((d) => SEARCH_PATH_CODES.has(d.code));
  const report: EnvironmentReport = { ...opened.report, diagnostics: [...setup, ...pathLevel] };
  const show = flags.quiet !== true;
  if (show) for (const d of pathLevel) if (d.severity !== 'info') err(colorDiagnostic(d) + '\n');
  // Setup diagnostics were shown when the environment was opened (printSetupDiagnostics).
  const shown = new Set(flags.quiet === true ? [] : [...setup, ...(show ? pathLevel : [])].filter((d) => d.severity !== 'info'));
  const diagnostics = [...report.diagnostics, ...found.filter((d) => !SEARCH_PATH_CODES.has(d.code))];
  const missing = new Set(report.diagnostics.filter((d) => d.code === 'EP219').map((d) => d.file));
  const searchedNothing = report.source === 'path-option' && report.searchPath.length > 0 && report.searchPath.every((p) => missing.has(p));
  if (searchedNothing && flags.json !== true && flags.quiet !== true) err('epi: found nothing: no --path entry exists\n');
  return { report, diagnostics, unshown: diagnostics.filter((d) => !shown.has(d)), searchedNothing };
}

/** The environment of commands given directories rather than an environment (`cache build DIR...`). */
export function argumentsReport(dirs: readonly string[], freshness: Freshness): EnvironmentReport {
  return { source: 'arguments', request: null, reason: 'the directories given as arguments', interpreter: null, searchPath: [...dirs], cache: null, freshness, diagnostics: [] };
}

/** A distribution as JSON: one shape wherever one appears (schema/definitions.schema.json#/$defs/distribution). */
export const distributionJSON = (d: Distribution): Distribution => d;

/** An entry point as JSON, its distribution in the one distribution shape (EntryPoint.toJSON's). */
export const entryPointJSON = (e: EntryPoint): EntryPointJSON => e.toJSON();

/** Counts over a command's diagnostics, for JSON (`{errors, warnings, info}`). */
export const counts = (diagnostics: readonly Diagnostic[]): Counts => countDiagnostics(diagnostics);
