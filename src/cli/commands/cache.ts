import * as fs from 'node:fs';
import { buildCaches, cacheStatusOf, clearCache, type BuildResult, type CacheOptions } from '../../cache/store.js';
import { argumentsReport, counts, openEnvironment, requireExisting, type EnvironmentFlags, type EnvironmentReport } from '../environment-options.js';
import { colorDiagnostic, colors, esc, printJson, table } from '../output.js';
import { buildProgress } from '../progress.js';

/** The racy window (docs/spec.md §5.4), with a margin for the clock of the cache's filesystem. */
const RACY_WINDOW_MS = 2010;

/** The freshness level in force when no option gives one (as the library reads it). */
const defaultFreshness = (): 'stat' | 'listing' => (process.env['EPINDEX_FRESHNESS'] === 'listing' ? 'listing' : 'stat');

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
 * Build each path entry's cache, with progress on a terminal. Two passes through the public
 * API: the builds (one progress step each), then — only when some cache came out racy, which
 * the progress says before the wait — `buildCaches` again with `settle`, which waits out the
 * window and rewrites those caches (the others are fresh by then and left alone).
 */
function runBuilds(entries: readonly string[], flags: CacheFlags): BuildResult[] {
  const progress = buildProgress(entries.length, !flags.quiet && !flags.json && entries.length > 0);
  const opts = { ...cacheOptions(flags), ...(flags.force ? { force: true } : {}) };
  try {
    const first = buildCaches(entries, { ...opts, onEntry: (i, entry) => progress.entry(i, entry) });
    const racy = first.flatMap((r) => {
      if (r.outcome !== 'written' && r.outcome !== 'unchanged') return [];
      const s = cacheStatusOf(r.pathEntry, cacheOptions(flags));
      return s.racy && s.file !== null ? [s.file] : [];
    });
    if (racy.length === 0) return first;
    const until = Math.max(...racy.map((f) => (fs.statSync(f, { throwIfNoEntry: false })?.mtimeMs ?? 0) + RACY_WINDOW_MS));
    progress.waiting(racy.length, Math.max(0, until - Date.now()));
    const settled = buildCaches(entries, { ...cacheOptions(flags), settle: true });
    return first.map((r, i) => {
      const s = settled[i]!;
      if (s.outcome !== 'written') return r;
      return { ...s, reason: r.outcome === 'written' ? r.reason : s.reason };
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
    process.stdout.write(table(results.map((r) => [{ text: r.outcome, style: OUTCOME_COLOR[r.outcome] }, String(r.distributions), r.pathEntry, r.reason ?? '']), ['CACHE', 'DISTS', 'PATH ENTRY', 'DETAIL'], { shrink: [{ column: 3 }, { column: 2, from: 'start' }] }));
  }
  if (!flags.json) for (const r of failed) for (const d of r.diagnostics) process.stderr.write(colorDiagnostic(d) + '\n');
  return failed.length > 0 ? 1 : 0;
}

export async function cacheBuild(dirs: string[], flags: CacheFlags): Promise<number> {
  for (const d of dirs) requireExisting('cache build', d);
  return reportBuilds(runBuilds(dirs, flags), argumentsReport(dirs, flags.freshness ?? defaultFreshness()), flags);
}

export async function cacheRebuild(flags: CacheFlags): Promise<number> {
  const { env, report } = await openEnvironment({ ...flags, cache: 'auto' });
  return reportBuilds(runBuilds(env.searchPath, flags), report, flags);
}

export async function cacheStatus(flags: CacheFlags): Promise<number> {
  const { env, report } = await openEnvironment({ ...flags, cache: flags.cache ?? 'prefer' });
  const entries = env.searchPath.map((p) => cacheStatusOf(p, cacheOptions({ ...flags, freshness: env.freshness })));
  if (flags.json) {
    printJson({ environment: report, freshness: env.freshness, entries });
    return 0;
  }
  const color = { fresh: colors.green, stale: colors.yellow, missing: colors.dim, untrusted: colors.red, corrupt: colors.red, 'not-cacheable': colors.dim } as const;
  const rows = entries.map((s) => [{ text: s.state, style: color[s.state] }, s.location ?? '', s.distributions === null ? '' : String(s.distributions), humanSize(s.size), humanAge(s.ageSeconds), s.pathEntry, s.reason ?? (s.racy ? 'racy: recent changes are re-read on every lookup until a rebuild' : '')]);
  process.stdout.write(table(rows, ['STATE', 'WHERE', 'DISTS', 'SIZE', 'AGE', 'PATH ENTRY', 'WHY'], { shrink: [{ column: 6 }, { column: 5, from: 'start' }] }));
  return 0;
}

export async function cacheClear(dirs: string[], flags: CacheFlags): Promise<number> {
  for (const d of dirs) requireExisting('cache clear', d);
  const opened = dirs.length > 0 ? null : await openEnvironment({ ...flags, cache: flags.cache ?? 'prefer' });
  const entries = opened?.env.searchPath ?? dirs;
  const removed = entries.flatMap((p) => clearCache(p, cacheOptions(flags)));
  if (flags.json) printJson({ environment: opened?.report ?? argumentsReport(dirs, flags.freshness ?? defaultFreshness()), removed });
  else if (!flags.quiet) process.stdout.write(removed.length > 0 ? removed.map((f) => `removed ${esc(f)}\n`).join('') : 'no caches to remove\n');
  return 0;
}
