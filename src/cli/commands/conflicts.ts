import { openEnvironment, type EnvironmentFlags } from '../environment-options.js';
import { printJson, table } from '../output.js';
import { distLabel } from './list.js';

export async function conflicts(flags: EnvironmentFlags & { group?: string; json?: boolean }): Promise<number> {
  const env = await openEnvironment(flags);
  const found = await env.conflicts(flags.group !== undefined ? { group: flags.group } : {});
  if (flags.json) {
    printJson({ conflicts: found.map((c) => ({ group: c.group, name: c.name, providers: c.providers.map((e) => e.toJSON()) })) });
    return 0;
  }
  if (found.length === 0) {
    process.stderr.write('epi: no conflicts\n');
    return 0;
  }
  const rows = found.flatMap((c) => c.providers.map((e, i) => [i === 0 ? c.group : '', i === 0 ? c.name : '', distLabel(e), e.value]));
  process.stdout.write(table(rows, ['GROUP', 'NAME', 'DISTRIBUTION', 'VALUE']));
  return 0;
}
