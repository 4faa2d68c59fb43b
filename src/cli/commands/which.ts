import { counts, entryPointJSON, openEnvironment, settle, type EnvironmentFlags } from '../environment-options.js';
import { colors, esc, printJson, table } from '../output.js';
import { distLabel } from './list.js';
import { entryPointsOf } from './lookup.js';
import { out, err } from '../stdio.js';

/** Exit 1 when nobody provides the name in any of the groups. */
export async function which(name: string, flags: EnvironmentFlags & { group?: string[]; json?: boolean }): Promise<number> {
  const groups = flags.group !== undefined && flags.group.length > 0 ? [...new Set(flags.group)] : ['console_scripts'];
  const opened = await openEnvironment(flags);
  const found = await entryPointsOf(opened.env, groups, { name });
  const providers = found.entryPoints;
  const { report, diagnostics } = settle(opened, [found.diagnostics], flags);
  if (flags.json) {
    printJson({ environment: report, groups, name, providers: providers.map(entryPointJSON), diagnostics, counts: counts(diagnostics) });
  } else if (providers.length === 0) {
    err(`epi: nothing provides ${JSON.stringify(esc(name))} in ${groups.map((g) => `[${esc(g)}]`).join(', ')}\n`);
  } else {
    const many = groups.length > 1;
    const first = new Set<string>();
    const rows = providers.map((e) => {
      const shadowed = first.has(e.group);
      first.add(e.group);
      return [...(many ? [e.group] : []), distLabel(e), e.value, e.dist?.metadataPath ?? '', shadowed ? { text: '(shadowed by the first)', style: colors.dim } : ''];
    });
    const header = [...(many ? ['GROUP'] : []), 'DISTRIBUTION', 'VALUE', 'METADATA', ''];
    out(table(rows, header, { shrink: [{ column: header.indexOf('METADATA'), from: 'start' }, { column: header.indexOf('VALUE') }] }));
  }
  return providers.length === 0 ? 1 : 0;
}
