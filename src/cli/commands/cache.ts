import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildCaches, cacheStatus as cacheStatusOf, clearCache, type BuildResult } from '../../caches.js';
import type { CacheOptions } from '../../cache/engine.js';
import type { Freshness } from '../../cache/freshness.js';
import { cacheSettings } from '../../environment.js';
import { rebuildMayWriteInto } from '../../python/managed.js';
import { argumentsReport, counts, openEnvironment, requireExisting, type EnvironmentFlags, type EnvironmentReport } from '../environment-options.js';
import { colorDiagnostic, colors, esc, printJson, table } from '../output.js';
import { buildProgress } from '../progress.js';
import { out, err } from '../stdio.js';

/** The freshness level in force when no option gives one (as the library reads it; an invalid variable is an error). */
const defaultFreshness = (): Freshness => cacheSettings({}).freshness;

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


/**
 * Build each path entry's cache, with progress on a terminal: distributions read, then
 * (when some cache came out racy) the wait for the racy window, said before it starts.
 */
async function runBuilds(entries: readonly string[], flags: CacheFlags, inDirectory?: (dir: string) => boolean): Promise<BuildResult[]> {
  const progress = buildProgress(entries, !flags.quiet && !flags.json && entries.length > 0);
  try {
    return await buildCaches(entries, {
      ...cacheOptions(flags),
      ...(flags.force ? { force: true } : {}),
      ...(inDirectory !== undefined ? { inDirectory } : {}),
      settle: true,
      onProgress: (p) => {
        if (p.phase === 'build') progress.entry(p.index, p.pathEntry);
        else if (p.phase === 'scan') progress.scanned(p.index, p.done, p.total);
        else if (p.phase === 'settle') progress.waiting(p.entries, p.waitMs);
      },
    });
  } finally {
    progress.stop();
  }
}

function reportBuilds(results: readonly BuildResult[], report: EnvironmentReport, flags: CacheFlags): number {
  const failed = results.filter((r) => r.outcome === 'failed');
  if (flags.json) {
    const diagnostics = results.flatMap((r) => r.diagnostics);
    printJson({ environment: report, results, counts: counts(diagnostics) });
  } else if (!flags.quiet) {
    out(table(results.map((r) => [{ text: r.outcome, style: OUTCOME_COLOR[r.outcome] }, String(r.distributions), r.pathEntry, r.reason ?? '']), ['CACHE', 'DISTS', 'PATH ENTRY', 'DETAIL'], { shrink: [{ column: 3 }, { column: 2, from: 'start' }] }));
  }
  if (!flags.json) for (const r of failed) for (const d of r.diagnostics) err(colorDiagnostic(d) + '\n');
  return failed.length > 0 ? 1 : 0;
}

export async function cacheBuild(dirs: string[], flags: CacheFlags): Promise<number> {
  for (const d of dirs) requireExisting('cache build', d);
  return reportBuilds(await runBuilds(dirs, flags), argumentsReport(dirs, flags.freshness ?? defaultFreshness()), flags);
}

export async function cacheRebuild(flags: CacheFlags): Promise<number> {
  const { env, report } = await openEnvironment({ ...flags, cache: 'auto' });
  // The whole search path: project trees and distro-managed directories keep their caches in
  // the user cache (spec §5.1).
  return reportBuilds(await runBuilds(env.searchPath, flags, rebuildMayWriteInto(env.searchPath, env.interpreter)), report, flags);
}

export async function cacheStatus(flags: CacheFlags): Promise<number> {
  const { env, report } = await openEnvironment({ ...flags, cache: flags.cache ?? 'prefer' });
  const entries = env.searchPath.map((p) => cacheStatusOf(p, cacheOptions({ ...flags, freshness: env.freshness })));
  // The importlib.metadata accelerator (docs/spec.md §14.3): its .pth file in a site directory.
  const accelerator = env.interpreter === null ? null : (env.interpreter.siteDirs.find((d) => fs.existsSync(path.join(d, 'epindex_accelerator.pth'))) ?? false);
  if (flags.json) {
    printJson({ environment: report, freshness: env.freshness, entries, ...(accelerator === null ? {} : { accelerator: accelerator === false ? { installed: false } : { installed: true, site: accelerator } }) });
    return 0;
  }
  const color = { fresh: colors.green, stale: colors.yellow, missing: colors.dim, untrusted: colors.red, corrupt: colors.red, foreign: colors.yellow, 'not-cacheable': colors.dim } as const;
  const rows = entries.map((s) => [{ text: s.state, style: color[s.state] }, s.location ?? '', s.distributions === null ? '' : String(s.distributions), humanSize(s.size), humanAge(s.ageSeconds), s.pathEntry, s.reason ?? (s.racy ? 'racy: recent changes are re-read on every lookup until a rebuild' : '')]);
  out(table(rows, ['STATE', 'WHERE', 'DISTS', 'SIZE', 'AGE', 'PATH ENTRY', 'WHY'], { shrink: [{ column: 6 }, { column: 5, from: 'start' }] }));
  if (accelerator !== null) out(`importlib.metadata accelerator: ${accelerator === false ? 'not installed (epi accelerate)' : `installed in ${accelerator}`}\n`);
  return 0;
}

export async function cacheClear(dirs: string[], flags: CacheFlags): Promise<number> {
  for (const d of dirs) requireExisting('cache clear', d);
  const opened = dirs.length > 0 ? null : await openEnvironment({ ...flags, cache: flags.cache ?? 'prefer' });
  const entries = opened?.env.searchPath ?? dirs;
  const removed = entries.flatMap((p) => clearCache(p, cacheOptions(flags)).removed);
  if (flags.json) printJson({ environment: opened?.report ?? argumentsReport(dirs, flags.freshness ?? defaultFreshness()), removed });
  else if (!flags.quiet) out(removed.length > 0 ? removed.map((f) => `removed ${esc(f)}\n`).join('') : 'no caches to remove\n');
  return 0;
}
