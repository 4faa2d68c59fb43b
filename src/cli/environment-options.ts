/** The options every querying command shares: which environment, which cache policy. */
import { CACHE_POLICIES, type CachePolicy } from '../cache/store.js';
import type { Freshness } from '../cache/freshness.js';
import { pythonEnvironment, type PythonEnvironment } from '../environment.js';
import type { OptionSpec } from './args.js';

export interface EnvironmentFlags {
  python?: string;
  path?: string[];
  site?: string;
  cache?: CachePolicy;
  freshness?: Freshness;
}

export const FRESHNESS_OPTION: OptionSpec = { name: 'freshness', type: 'string', value: '<level>', choices: ['stat', 'listing'], description: 'how thoroughly a cache is checked', defaultText: 'stat, or $EPINDEX_FRESHNESS' };

export const ENVIRONMENT_OPTIONS: readonly OptionSpec[] = [
  { name: 'python', type: 'string', value: '<python>', description: 'ask this interpreter for sys.path (default: $VIRTUAL_ENV/bin/python, else python3)', conflicts: ['path', 'site'] },
  { name: 'path', type: 'string', value: '<dir...>', description: 'search these path entries, in order, instead of asking an interpreter', conflicts: ['site'] },
  { name: 'site', type: 'string', value: '<dir>', description: 'emulate site.py for one site directory (the directory, then its .pth path lines)' },
  { name: 'cache', type: 'string', value: '<policy>', choices: CACHE_POLICIES, description: 'how caches are used', defaultText: 'auto, or $EPINDEX_CACHE' },
  FRESHNESS_OPTION,
];

export function openEnvironment(flags: EnvironmentFlags): Promise<PythonEnvironment> {
  return pythonEnvironment({
    ...(flags.python !== undefined ? { python: flags.python } : {}),
    ...(flags.path !== undefined ? { path: flags.path } : {}),
    ...(flags.site !== undefined ? { site: flags.site } : {}),
    ...(flags.cache !== undefined ? { cache: flags.cache } : {}),
    ...(flags.freshness !== undefined ? { freshness: flags.freshness } : {}),
  });
}
