/**
 * `epi cache build --node DIR...` and `epi cache status --node [DIR]`: the caches of
 * node_modules directories, through the same engine as Python's (src/cache/).
 *
 * A DIR named `node_modules` is that directory; any other DIR stands for the node_modules
 * directories Node resolves from it (the ones that exist).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildCaches, cacheStatus, type BuildResult } from '../../cache/store.js';
import type { Freshness } from '../../cache/freshness.js';
import { cacheSettings } from '../../environment.js';
import { nodeSource } from '../../node/cache-source.js';
import { nodeSearchPath } from '../../node/discover.js';
import type { OptionValues } from '../args.js';
import { colorDiagnostic, colors, printJson, table } from '../output.js';

const isDir = (p: string): boolean => {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
};

async function directories(args: readonly string[], o: OptionValues): Promise<string[]> {
  const out: string[] = [];
  for (const a of args.length > 0 ? args : [process.cwd()]) {
    const dir = path.resolve(a);
    if (path.basename(dir) === 'node_modules') {
      out.push(dir);
      continue;
    }
    const search = await nodeSearchPath({ from: dir, ...(o['global'] === true ? { global: true } : {}) });
    for (const d of search.dirs) if (d.origin !== 'pnp' && isDir(d.dir) && !out.includes(d.dir)) out.push(d.dir);
  }
  return out;
}

const freshnessOf = (o: OptionValues): Freshness => cacheSettings({ freshness: o['freshness'] }).freshness;
const OUTCOME_COLOR = { written: colors.green, unchanged: colors.dim, failed: colors.red, skipped: colors.dim } as const;

export async function nodeCache(command: string, args: string[], o: OptionValues): Promise<number> {
  const freshness = freshnessOf(o);
  const dirs = await directories(args, o);
  if (command === 'cache build') {
    const results: BuildResult[] = await buildCaches(dirs, nodeSource, { freshness, ...(o['force'] === true ? { force: true } : {}), settle: true });
    const failed = results.filter((r) => r.outcome === 'failed');
    if (o['json'] === true) printJson({ results });
    else if (o['quiet'] !== true) process.stdout.write(table(results.map((r) => [OUTCOME_COLOR[r.outcome](r.outcome), String(r.distributions), r.pathEntry, r.reason ?? '']), ['CACHE', 'PACKAGES', 'DIRECTORY', 'DETAIL']));
    if (o['json'] !== true) for (const r of failed) for (const d of r.diagnostics) process.stderr.write(colorDiagnostic(d) + '\n');
    return failed.length > 0 ? 1 : 0;
  }
  const entries = dirs.map((d) => cacheStatus(d, nodeSource, { freshness }));
  if (o['json'] === true) {
    printJson({ freshness, entries });
    return 0;
  }
  const color = { fresh: colors.green, stale: colors.yellow, missing: colors.dim, untrusted: colors.red, corrupt: colors.red, foreign: colors.yellow, 'not-cacheable': colors.dim } as const;
  process.stdout.write(table(entries.map((s) => [color[s.state](s.state), s.location ?? '', s.distributions === null ? '' : String(s.distributions), s.pathEntry, s.reason ?? (s.racy ? 'racy: recent changes are re-read until a rebuild' : '')]), ['STATE', 'WHERE', 'PACKAGES', 'DIRECTORY', 'WHY']));
  return 0;
}
