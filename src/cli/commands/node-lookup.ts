/** `epi list|groups|conflicts|diagnose|cache build|cache status --node [DIR]`. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Diagnostic } from '../../diagnostics.js';
import { cacheSettings } from '../../environment.js';
import { nodeEnvironment, NodeEntryPoints, type NodeEnvironment, type NodeEnvironmentOptions } from '../../node/environment.js';
import type { NodeEntryPoint } from '../../node/entry-point.js';
import type { SearchOrigin } from '../../node/discover.js';
import type { ReportFormat } from '../../lint/report.js';
import { UsageError, type OptionValues } from '../args.js';
import { colorDiagnostic, colors, countDiagnostics, countsText, printJson, summarizeDiagnostics, table } from '../output.js';
import type { CachePolicy } from '../../cache/store.js';
import type { Freshness } from '../../cache/freshness.js';

/**
 * The `environment` of every `--node` JSON output (schema/cli/definitions.schema.json
 * `nodeEnvironment`): where resolution started, whether npm's global root was added, the
 * directories searched in order (each with why it is searched and whether it exists), the
 * Yarn PnP file when there is one, and the cache policy and freshness level used.
 */
export interface NodeEnvironmentReport {
  /** Null for `cache build --node`, whose directories are its arguments. */
  readonly from: string | null;
  readonly global: boolean;
  readonly pnp: string | null;
  readonly searchPath: ReadonlyArray<{ readonly dir: string; readonly origin: SearchOrigin; readonly exists: boolean }>;
  /** The lookup policy; null for the cache commands, which use none. */
  readonly cache: CachePolicy | null;
  readonly freshness: Freshness;
}

export interface OpenedNode {
  readonly env: NodeEnvironment;
  readonly report: NodeEnvironmentReport;
}

const realOr = (p: string): string => {
  try {
    return fs.realpathSync(p);
  } catch {
    return p;
  }
};
const isDirectory = (p: string): boolean => {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
};

export async function openNodeEnvironment(dir: string | undefined, o: OptionValues): Promise<OpenedNode> {
  const from = dir !== undefined && dir !== '' ? path.resolve(dir) : process.cwd();
  const options: NodeEnvironmentOptions = {
    from,
    ...(o['global'] === true ? { global: true } : {}),
    ...(stringOf(o['cache']) !== undefined ? { cache: stringOf(o['cache']) as CachePolicy } : {}),
    ...(stringOf(o['freshness']) !== undefined ? { freshness: stringOf(o['freshness']) as Freshness } : {}),
  };
  const env = await nodeEnvironment(options);
  const { cache, freshness } = cacheSettings({ cache: options.cache, freshness: options.freshness });
  const report: NodeEnvironmentReport = {
    // As resolution sees it (src/node/discover.ts starts from the real path).
    from: realOr(from),
    global: o['global'] === true,
    pnp: env.pnp,
    searchPath: env.searchPath.map((d) => ({ dir: d.dir, origin: d.origin, exists: isDirectory(d.dir) })),
    cache,
    freshness,
  };
  return { env, report };
}

/** `--group` as given: none, one, or several (repeatable). */
export function groupsOf(o: OptionValues): string[] | undefined {
  const g = o['group'];
  return g === undefined ? undefined : Array.isArray(g) ? g : typeof g === 'string' ? [g] : undefined;
}
const stringOf = (v: unknown): string | undefined => (typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : undefined);

/** The entry points of each selected group, in order (every group when none is selected). */
export async function selected(env: NodeEnvironment, o: OptionValues): Promise<NodeEntryPoints> {
  const name = stringOf(o['name']);
  const pkg = stringOf(o['dist']);
  const base = { ...(name !== undefined ? { name } : {}), ...(pkg !== undefined ? { package: pkg } : {}) };
  const groups = groupsOf(o);
  if (groups === undefined) return env.entryPoints(base);
  const parts = await Promise.all(groups.map((group) => env.entryPoints({ ...base, group })));
  return new NodeEntryPoints(parts.flatMap((p) => p.toArray()), [...new Set(parts.flatMap((p) => [...p.diagnostics]))]);
}

export const packageLabel = (e: NodeEntryPoint): string => `${e.package.key}${e.package.version === null ? '' : ' ' + e.package.version}`;

/** The members every `--node` lookup's JSON ends with: its diagnostics and their counts. */
const diagnosticsJson = (ds: readonly Diagnostic[]): { diagnostics: Diagnostic[]; counts: ReturnType<typeof countDiagnostics> } => ({ diagnostics: [...ds], counts: countDiagnostics(ds) });

export async function runNode(command: string, args: string[], o: OptionValues): Promise<number> {
  switch (command) {
    case 'list':
      return list(args[0], o);
    case 'groups':
      return groups(args[0], o);
    case 'conflicts':
      return conflicts(args[0], o);
    case 'diagnose':
      return diagnose(args[0], o);
    case 'cache build':
    case 'cache status':
      return (await import('./node-cache.js')).nodeCache(command, args, o);
    default:
      throw new UsageError(`'${command}' has no --node side`);
  }
}

async function list(dir: string | undefined, o: OptionValues): Promise<number> {
  if (o['format'] === 'ini') throw new UsageError("--format ini is for Python's entry_points.txt; with --node use table or json");
  const { env, report } = await openNodeEnvironment(dir, o);
  const eps = await selected(env, o);
  if (o['json'] === true || o['format'] === 'json') {
    printJson({ environment: report, entryPoints: eps.toJSON(), ...diagnosticsJson(eps.diagnostics) });
    return 0;
  }
  const rows = eps.toArray()
    .map((e, i) => ({ e, i }))
    .sort((a, b) => (a.e.group < b.e.group ? -1 : a.e.group > b.e.group ? 1 : a.e.name < b.e.name ? -1 : a.e.name > b.e.name ? 1 : a.i - b.i))
    .map(({ e }) => [e.group, e.name, e.value, packageLabel(e)]);
  if (rows.length > 0) process.stdout.write(table(rows, ['GROUP', 'NAME', 'TARGET', 'PACKAGE']));
  else process.stderr.write('epi: no entry points\n');
  summarizeDiagnostics(eps.diagnostics);
  return 0;
}

async function groups(dir: string | undefined, o: OptionValues): Promise<number> {
  const { env, report } = await openNodeEnvironment(dir, o);
  const { diagnostics } = await env.entryPoints();
  const summary = await env.groups();
  if (o['json'] === true) printJson({ environment: report, groups: summary, ...diagnosticsJson(diagnostics) });
  else {
    process.stdout.write(table(summary.map((g) => [g.group, String(g.entryPoints), String(g.packages)]), ['GROUP', 'ENTRY POINTS', 'PACKAGES']));
    summarizeDiagnostics(diagnostics);
  }
  return 0;
}

async function conflicts(dir: string | undefined, o: OptionValues): Promise<number> {
  const { env, report } = await openNodeEnvironment(dir, o);
  const groups = groupsOf(o);
  const found = groups === undefined ? await env.conflicts() : (await Promise.all(groups.map((group) => env.conflicts({ group })))).flat();
  if (o['json'] === true) {
    const { diagnostics } = await selected(env, o);
    printJson({ environment: report, conflicts: found.map((c) => ({ group: c.group, name: c.name, providers: c.providers.map((e) => e.toJSON()) })), ...diagnosticsJson(diagnostics) });
    return 0;
  }
  if (found.length === 0) {
    process.stderr.write('epi: no conflicts\n');
    return 0;
  }
  const rows = found.flatMap((c) => c.providers.map((e, i) => [i === 0 ? c.group : '', i === 0 ? c.name : '', packageLabel(e), e.value]));
  process.stdout.write(table(rows, ['GROUP', 'NAME', 'PACKAGE', 'TARGET']));
  return 0;
}

/** As the Python side's diagnose (commands/diagnose.ts): the same JSON members, formats and summary line. */
async function diagnose(dir: string | undefined, o: OptionValues): Promise<number> {
  const { env, report } = await openNodeEnvironment(dir, o);
  const all = await env.diagnose();
  const shown = o['all'] === true ? all : all.filter((d) => d.severity !== 'info');
  const c = countDiagnostics(all);
  const format = o['format'] as ReportFormat | undefined;
  if (o['json'] !== true && (format === 'sarif' || format === 'github')) {
    const { fromDiagnostic, printFindings } = await import('./lint.js');
    printFindings(shown.map(fromDiagnostic), format);
  } else if (o['json'] === true || format === 'json') {
    // `counts` covers every diagnostic, shown or not (info ones need --all); `shown` says how many are listed.
    printJson({ environment: report, diagnostics: shown, counts: c, shown: shown.length });
  } else {
    for (const d of shown) process.stdout.write(colorDiagnostic(d, colors) + '\n');
    const info = c.info === 0 ? '' : o['all'] === true ? `, ${c.info} info` : `, ${c.info} info (--all shows them)`;
    process.stderr.write(`epi: ${countsText(c)}${info}\n`);
  }
  return c.errors > 0 ? 1 : 0;
}
