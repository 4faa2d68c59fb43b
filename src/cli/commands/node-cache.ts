/**
 * `epi cache build --node DIR...` and `epi cache status --node [DIR]`: the caches of
 * node_modules directories, through the same engine as Python's (src/cache/).
 *
 * A DIR named `node_modules` is that directory; any other DIR stands for the node_modules
 * directories Node resolves from it (the ones that exist).
 *
 * The engine counts a directory's units; for npm those include one bookkeeping unit per
 * `@scope` directory (src/node/cache-source.ts), which is no package: the counts shown here
 * are read from the cache's `dists` section without them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildCaches, cacheStatus, type BuildResult, type CacheStatus } from '../../cache/store.js';
import type { Freshness } from '../../cache/freshness.js';
import { cacheSettings } from '../../environment.js';
import { nodeSource, packagesInCache, scopeCount } from '../../node/cache-source.js';
import { nodeSearchPath, type SearchOrigin } from '../../node/discover.js';
import type { OptionValues } from '../args.js';
import { colorDiagnostic, colors, countDiagnostics, printJson, table } from '../output.js';
import type { NodeEnvironmentReport } from './node-lookup.js';

const isDir = (p: string): boolean => {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
};
const realOr = (p: string): string => {
  try {
    return fs.realpathSync(p);
  } catch {
    return p;
  }
};

interface Directories {
  readonly dirs: Array<{ dir: string; origin: SearchOrigin }>;
  readonly pnp: string | null;
}

async function directories(args: readonly string[], o: OptionValues): Promise<Directories> {
  const dirs: Array<{ dir: string; origin: SearchOrigin }> = [];
  let pnp: string | null = null;
  for (const a of args.length > 0 ? args : [process.cwd()]) {
    const dir = path.resolve(a);
    if (path.basename(dir) === 'node_modules') {
      if (!dirs.some((d) => d.dir === dir)) dirs.push({ dir, origin: 'node_modules' });
      continue;
    }
    const search = await nodeSearchPath({ from: dir, ...(o['global'] === true ? { global: true } : {}) });
    pnp ??= search.pnp;
    for (const d of search.dirs) if (d.origin !== 'pnp' && isDir(d.dir) && !dirs.some((x) => x.dir === d.dir)) dirs.push({ dir: d.dir, origin: d.origin });
  }
  return { dirs, pnp };
}

/**
 * The nodeEnvironment of a cache command: `from` is the directory resolution started from
 * (`cache status --node DIR`), null when the directories are the arguments themselves
 * (`cache build`, or a DIR named node_modules); no lookup policy applies to these commands.
 */
function environmentOf(from: string | null, found: Directories, o: OptionValues, freshness: Freshness): NodeEnvironmentReport {
  return { from: from === null ? null : realOr(from), global: o['global'] === true, pnp: found.pnp, searchPath: found.dirs.map((d) => ({ ...d, exists: isDir(d.dir) })), cache: null, freshness };
}

const freshnessOf = (o: OptionValues): Freshness => cacheSettings({ freshness: o['freshness'] }).freshness;
const OUTCOME_COLOR = { written: colors.green, unchanged: colors.dim, failed: colors.red, skipped: colors.dim } as const;

/** A build result with the number of packages (not units) it holds. */
function packagesOfBuild(r: BuildResult): BuildResult {
  const n = r.file !== null ? packagesInCache(r.file) : r.distributions > 0 && isDir(r.pathEntry) ? Math.max(0, r.distributions - scopeCount(r.pathEntry)) : null;
  return n === null ? r : { ...r, distributions: n };
}

function packagesOfStatus(s: CacheStatus): CacheStatus {
  const n = s.file !== null && s.distributions !== null ? packagesInCache(s.file) : null;
  return n === null ? s : { ...s, distributions: n };
}

export async function nodeCache(command: string, args: string[], o: OptionValues): Promise<number> {
  const freshness = freshnessOf(o);
  const found = await directories(args, o);
  const dirs = found.dirs.map((d) => d.dir);
  if (command === 'cache build') {
    const results = (await buildCaches(dirs, nodeSource, { freshness, ...(o['force'] === true ? { force: true } : {}), settle: true })).map(packagesOfBuild);
    const failed = results.filter((r) => r.outcome === 'failed');
    if (o['json'] === true) printJson({ environment: environmentOf(null, found, o, freshness), results, counts: countDiagnostics(results.flatMap((r) => r.diagnostics)) });
    else if (o['quiet'] !== true) process.stdout.write(table(results.map((r) => [OUTCOME_COLOR[r.outcome](r.outcome), String(r.distributions), r.pathEntry, r.reason ?? '']), ['CACHE', 'PACKAGES', 'DIRECTORY', 'DETAIL']));
    if (o['json'] !== true) for (const r of failed) for (const d of r.diagnostics) process.stderr.write(colorDiagnostic(d) + '\n');
    return failed.length > 0 ? 1 : 0;
  }
  const entries = dirs.map((d) => packagesOfStatus(cacheStatus(d, nodeSource, { freshness })));
  if (o['json'] === true) {
    const from = args[0] === undefined ? process.cwd() : path.resolve(args[0]);
    printJson({ environment: environmentOf(path.basename(from) === 'node_modules' ? null : from, found, o, freshness), freshness, entries });
    return 0;
  }
  const color = { fresh: colors.green, stale: colors.yellow, missing: colors.dim, untrusted: colors.red, corrupt: colors.red, foreign: colors.yellow, 'not-cacheable': colors.dim } as const;
  process.stdout.write(table(entries.map((s) => [color[s.state](s.state), s.location ?? '', s.distributions === null ? '' : String(s.distributions), s.pathEntry, s.reason ?? (s.racy ? 'racy: recent changes are re-read until a rebuild' : '')]), ['STATE', 'WHERE', 'PACKAGES', 'DIRECTORY', 'WHY']));
  return 0;
}
