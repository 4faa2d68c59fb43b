import { openEnvironment, type EnvironmentFlags } from '../environment-options.js';
import { colorDiagnostic, printJson } from '../output.js';

/** Exit 1 when any diagnostic is an error. */
export async function diagnose(flags: EnvironmentFlags & { json?: boolean; all?: boolean }): Promise<number> {
  const env = await openEnvironment(flags);
  const all = await env.diagnose();
  const shown = flags.all ? all : all.filter((d) => d.severity !== 'info');
  const errors = all.filter((d) => d.severity === 'error').length;
  if (flags.json) {
    printJson({ diagnostics: shown, errors, warnings: all.filter((d) => d.severity === 'warning').length });
  } else {
    for (const d of shown) process.stdout.write(colorDiagnostic(d) + '\n');
    const hidden = all.length - shown.length;
    process.stderr.write(`epi: ${errors} error(s), ${shown.length - errors - (flags.all ? hidden : 0)} warning(s)${hidden > 0 && !flags.all ? `, ${hidden} info (--all shows them)` : ''}\n`);
  }
  return errors > 0 ? 1 : 0;
}
