import { openEnvironment, type EnvironmentFlags } from '../environment-options.js';
import { printJson, table } from '../output.js';

export async function groups(flags: EnvironmentFlags & { json?: boolean }): Promise<number> {
  const env = await openEnvironment(flags);
  const summary = await env.groups();
  if (flags.json) printJson({ groups: summary });
  else process.stdout.write(table(summary.map((g) => [g.group, String(g.entryPoints), String(g.distributions)]), ['GROUP', 'ENTRY POINTS', 'DISTRIBUTIONS']));
  return 0;
}
