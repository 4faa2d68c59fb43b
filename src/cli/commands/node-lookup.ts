/** `epi list|groups|conflicts|diagnose|cache build|cache status --node [DIR]`. */
import * as path from 'node:path';
import type { Diagnostic } from '../../diagnostics.js';
import { nodeEnvironment, NodeEntryPoints, type NodeEnvironment, type NodeEnvironmentOptions } from '../../node/environment.js';
import type { NodeEntryPoint } from '../../node/entry-point.js';
import { UsageError, type OptionValues } from '../args.js';
import { colorDiagnostic, printJson, summarizeDiagnostics, table } from '../output.js';
import type { CachePolicy } from '../../cache/store.js';
import type { Freshness } from '../../cache/freshness.js';

export function openNodeEnvironment(dir: string | undefined, o: OptionValues): Promise<NodeEnvironment> {
  const options: NodeEnvironmentOptions = {
    ...(dir !== undefined && dir !== '' ? { from: path.resolve(dir) } : {}),
    ...(o['global'] === true ? { global: true } : {}),
    ...(stringOf(o['cache']) !== undefined ? { cache: stringOf(o['cache']) as CachePolicy } : {}),
    ...(stringOf(o['freshness']) !== undefined ? { freshness: stringOf(o['freshness']) as Freshness } : {}),
  };
  return nodeEnvironment(options);
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

const diagnosticsJson = (ds: readonly Diagnostic[]): Diagnostic[] => [...ds];

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
  const env = await openNodeEnvironment(dir, o);
  const eps = await selected(env, o);
  if (o['json'] === true || o['format'] === 'json') {
    printJson({ entryPoints: eps.toJSON(), diagnostics: diagnosticsJson(eps.diagnostics) });
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
  const env = await openNodeEnvironment(dir, o);
  const summary = await env.groups();
  if (o['json'] === true) printJson({ groups: summary });
  else process.stdout.write(table(summary.map((g) => [g.group, String(g.entryPoints), String(g.packages)]), ['GROUP', 'ENTRY POINTS', 'PACKAGES']));
  return 0;
}

async function conflicts(dir: string | undefined, o: OptionValues): Promise<number> {
  const env = await openNodeEnvironment(dir, o);
  const groups = groupsOf(o);
  const found = groups === undefined ? await env.conflicts() : (await Promise.all(groups.map((group) => env.conflicts({ group })))).flat();
  if (o['json'] === true) {
    printJson({ conflicts: found.map((c) => ({ group: c.group, name: c.name, providers: c.providers.map((e) => e.toJSON()) })) });
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

async function diagnose(dir: string | undefined, o: OptionValues): Promise<number> {
  const env = await openNodeEnvironment(dir, o);
  const all = await env.diagnose();
  const shown = o['all'] === true ? all : all.filter((d) => d.severity !== 'info');
  const errors = all.filter((d) => d.severity === 'error').length;
  const warnings = all.filter((d) => d.severity === 'warning').length;
  if (o['json'] === true) printJson({ diagnostics: shown, errors, warnings });
  else {
    for (const d of shown) process.stdout.write(colorDiagnostic(d) + '\n');
    if (shown.length === 0) process.stderr.write('epi: no problems found\n');
  }
  return errors > 0 ? 1 : 0;
}
