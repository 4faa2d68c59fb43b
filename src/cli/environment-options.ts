/** The options every querying command shares: which environment, which cache policy. */
import { Option, type Command } from 'commander';
import { CACHE_POLICIES, type CachePolicy } from '../cache/store.js';
import type { Freshness } from '../cache/freshness.js';
import { pythonEnvironment, type PythonEnvironment } from '../environment.js';

export interface EnvironmentFlags {
  python?: string;
  path?: string[];
  site?: string;
  cache?: CachePolicy;
  freshness?: Freshness;
}

export function addEnvironmentOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--python <python>', 'ask this interpreter for sys.path (default: $VIRTUAL_ENV/bin/python, else python3)').conflicts(['path', 'site']))
    .addOption(new Option('--path <dir...>', 'search these path entries, in order, instead of asking an interpreter').conflicts(['site']))
    .addOption(new Option('--site <dir>', 'emulate site.py for one site directory (the directory, then its .pth path lines)'))
    .addOption(new Option('--cache <policy>', 'how caches are used').choices(CACHE_POLICIES).default(undefined, 'auto, or $EPINDEX_CACHE'))
    .addOption(new Option('--freshness <level>', 'how thoroughly a cache is checked').choices(['stat', 'listing']).default(undefined, 'stat, or $EPINDEX_FRESHNESS'));
}

export function openEnvironment(flags: EnvironmentFlags): Promise<PythonEnvironment> {
  return pythonEnvironment({
    ...(flags.python !== undefined ? { python: flags.python } : {}),
    ...(flags.path !== undefined ? { path: flags.path } : {}),
    ...(flags.site !== undefined ? { site: flags.site } : {}),
    ...(flags.cache !== undefined ? { cache: flags.cache } : {}),
    ...(flags.freshness !== undefined ? { freshness: flags.freshness } : {}),
  });
}
