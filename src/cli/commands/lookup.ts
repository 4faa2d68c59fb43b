/** Lookups shared by the commands: several groups at once (the library takes one a lookup). */
import type { Diagnostic } from '../../diagnostics.js';
import type { EntryPoint, EntryPointQuery } from '../../entry-point.js';
import type { PythonEnvironment } from '../../environment.js';

/** Diagnostics of several lookups, each once, in first-seen order. */
export function uniqueDiagnostics(lists: ReadonlyArray<readonly Diagnostic[]>): Diagnostic[] {
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const list of lists) {
    for (const d of list) {
      const k = JSON.stringify([d.code, d.file, d.line, d.message]);
      if (!seen.has(k)) {
        seen.add(k);
        out.push(d);
      }
    }
  }
  return out;
}

/**
 * Entry points of every group in `groups` (all groups when empty), each group looked up on its
 * own (a cache parses only the groups asked for), in the order the groups were given.
 */
export async function entryPointsOf(env: PythonEnvironment, groups: readonly string[], query: Omit<EntryPointQuery, 'group'>): Promise<{ entryPoints: EntryPoint[]; diagnostics: Diagnostic[] }> {
  const wanted = groups.length === 0 ? [undefined] : [...new Set(groups)];
  const results = [];
  for (const group of wanted) results.push(await env.entryPoints({ ...query, ...(group !== undefined ? { group } : {}) }));
  return { entryPoints: results.flatMap((r) => r.toArray()), diagnostics: uniqueDiagnostics(results.map((r) => r.diagnostics)) };
}

/** The order of `list` (table and JSON alike): by group, then name; equal names keep search-path order. */
export function byGroupAndName(a: EntryPoint, b: EntryPoint): number {
  return a.group < b.group ? -1 : a.group > b.group ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
