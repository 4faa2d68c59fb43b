import type { Conflict } from '../../environment.js';
import { counts, entryPointJSON, openEnvironment, settle, type EnvironmentFlags } from '../environment-options.js';
import { printJson, table } from '../output.js';
import { distLabel } from './list.js';
import { out, err } from '../stdio.js';

export async function conflicts(flags: EnvironmentFlags & { group?: string[]; json?: boolean }): Promise<number> {
  const opened = await openEnvironment(flags);
  const { env } = opened;
  const groups = flags.group !== undefined && flags.group.length > 0 ? [...new Set(flags.group)] : [undefined];
  const found: Conflict[] = [];
  const lookups = [];
  for (const g of groups) {
    found.push(...(await env.conflicts(g !== undefined ? { group: g } : {})));
    lookups.push((await env.entryPoints(g !== undefined ? { group: g } : {})).diagnostics);
  }
  const { report, diagnostics, searchedNothing } = settle(opened, lookups, flags);
  if (flags.json) {
    printJson({ environment: report, conflicts: found.map((c) => ({ group: c.group, name: c.name, providers: c.providers.map(entryPointJSON) })), diagnostics, counts: counts(diagnostics) });
    return searchedNothing ? 1 : 0;
  }
  if (found.length === 0) {
    err('epi: no conflicts\n');
    return searchedNothing ? 1 : 0;
  }
  const rows = found.flatMap((c) => c.providers.map((e, i) => [i === 0 ? c.group : '', i === 0 ? c.name : '', distLabel(e), e.value]));
  out(table(rows, ['GROUP', 'NAME', 'DISTRIBUTION', 'VALUE'], { shrink: [{ column: 3 }] }));
  return 0;
}
