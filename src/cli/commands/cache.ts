import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { buildCaches, cacheStatusOf, clearCache, type BuildResult, type CacheOptions } from '../../cache/store.js';
import { openEnvironment, type EnvironmentFlags } from '../environment-options.js';
import { colorDiagnostic, colors, printJson, table } from '../output.js';

export interface CacheFlags extends EnvironmentFlags {
  json?: boolean;
  quiet?: boolean;
  force?: boolean;
}

const cacheOptions = (flags: CacheFlags): CacheOptions => (flags.freshness !== undefined ? { freshness: flags.freshness } : {});

function humanSize(n: number | null): string {
  if (n === null) return '';
  return n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

function humanAge(s: number | null): string {
  if (s === null) return '';
  return s < 120 ? `${s}s` : s < 7200 ? `${Math.round(s / 60)}m` : s < 172800 ? `${Math.round(s / 3600)}h` : `${Math.round(s / 86400)}d`;
}

const OUTCOME_COLOR = { written: colors.green, unchanged: colors.dim, failed: colors.red, skipped: colors.dim } as const;

/** Build each path entry's cache, with a progress bar on a terminal. */
function runBuilds(entries: readonly string[], flags: CacheFlags): BuildResult[] {
  const showProgress = !flags.quiet && !flags.json && process.stderr.isTTY === true && entries.length > 1;
  type Bar = { start(total: number, value: number, payload: object): void; update(value: number, payload: object): void; stop(): void };
  let bar: Bar | null = null;
  if (showProgress) {
    const { SingleBar, Presets } = createRequire(import.meta.url)('cli-progress') as typeof import('cli-progress');
    bar = new SingleBar({ stream: process.stderr, format: 'caches {bar} {value}/{total} {entry}', hideCursor: true, clearOnComplete: true }, Presets.shades_classic);
    bar.start(entries.length, 0, { entry: '' });
  }
  const results = buildCaches(entries, {
    ...cacheOptions(flags),
    ...(flags.force ? { force: true } : {}),
    settle: true,
    onEntry: (i, entry) => bar?.update(i, { entry }),
  });
  bar?.update(entries.length, { entry: '' });
  bar?.stop();
  return results;
}

function reportBuilds(results: readonly BuildResult[], flags: CacheFlags): number {
  const failed = results.filter((r) => r.outcome === 'failed');
  if (flags.json) {
    printJson({ results });
  } else if (!flags.quiet) {
    process.stdout.write(table(results.map((r) => [OUTCOME_COLOR[r.outcome](r.outcome), String(r.distributions), r.pathEntry, r.reason ?? '']), ['CACHE', 'DISTS', 'PATH ENTRY', 'DETAIL']));
  }
  if (!flags.json) for (const r of failed) for (const d of r.diagnostics) process.stderr.write(colorDiagnostic(d) + '\n');
  return failed.length > 0 ? 1 : 0;
}

export async function cacheBuild(dirs: string[], flags: CacheFlags): Promise<number> {
  return reportBuilds(runBuilds(dirs, flags), flags);
}

export async function cacheRebuild(flags: CacheFlags): Promise<number> {
  const env = await openEnvironment({ ...flags, cache: 'auto' });
  return reportBuilds(runBuilds(env.searchPath, flags), flags);
}

export async function cacheStatus(flags: CacheFlags): Promise<number> {
  const env = await openEnvironment({ ...flags, cache: flags.cache ?? 'prefer' });
  const entries = env.searchPath.map((p) => cacheStatusOf(p, cacheOptions(flags)));
  // The importlib.metadata accelerator (docs/spec.md §11.3): its .pth file in a site directory.
  const accelerator = env.interpreter === null ? null : (env.interpreter.siteDirs.find((d) => fs.existsSync(path.join(d, 'epindex_accelerator.pth'))) ?? false);
  if (flags.json) {
    printJson({ freshness: env.freshness, entries, ...(accelerator === null ? {} : { accelerator: accelerator === false ? { installed: false } : { installed: true, site: accelerator } }) });
    return 0;
  }
  const color = { fresh: colors.green, stale: colors.yellow, missing: colors.dim, untrusted: colors.red, corrupt: colors.red, 'not-cacheable': colors.dim } as const;
  const rows = entries.map((s) => [color[s.state](s.state), s.location ?? '', s.distributions === null ? '' : String(s.distributions), humanSize(s.size), humanAge(s.ageSeconds), s.pathEntry, s.reason ?? (s.racy ? 'racy: recent changes are re-read on every lookup until a rebuild' : '')]);
  process.stdout.write(table(rows, ['STATE', 'WHERE', 'DISTS', 'SIZE', 'AGE', 'PATH ENTRY', 'WHY']));
  if (accelerator !== null) process.stdout.write(`importlib.metadata accelerator: ${accelerator === false ? 'not installed (epi accelerate)' : `installed in ${accelerator}`}\n`);
  return 0;
}

export async function cacheClear(dirs: string[], flags: CacheFlags): Promise<number> {
  const entries = dirs.length > 0 ? dirs : (await openEnvironment({ ...flags, cache: flags.cache ?? 'prefer' })).searchPath;
  const removed = entries.flatMap((p) => clearCache(p, cacheOptions(flags)));
  if (flags.json) printJson({ removed });
  else if (!flags.quiet) process.stdout.write(removed.length > 0 ? removed.map((f) => `removed ${f}\n`).join('') : 'no caches to remove\n');
  return 0;
}
