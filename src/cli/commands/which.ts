import { openEnvironment, type EnvironmentFlags } from '../environment-options.js';
import { colors, printJson, table } from '../output.js';
import { distLabel } from './list.js';

export async function which(name: string, flags: EnvironmentFlags & { group?: string; json?: boolean }): Promise<number> {
  const group = flags.group ?? 'console_scripts';
  const env = await openEnvironment(flags);
  const providers = await env.which(name, group);
  if (flags.json) {
    printJson({ group, name, providers: providers.toJSON() });
  } else if (providers.length === 0) {
    process.stderr.write(`epi: nothing provides ${JSON.stringify(name)} in [${group}]\n`);
  } else {
    const rows = providers.toArray().map((e, i) => [distLabel(e), e.value, e.dist?.metadataPath ?? '', i === 0 ? '' : colors.dim('(shadowed by the first)')]);
    process.stdout.write(table(rows, ['DISTRIBUTION', 'VALUE', 'METADATA', '']));
  }
  return providers.length === 0 ? 1 : 0;
}
