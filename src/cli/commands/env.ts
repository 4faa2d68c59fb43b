import { exists, openEnvironment, type EnvironmentFlags } from '../environment-options.js';
import { colorDiagnostic, colors, esc, printJson } from '../output.js';
import { out, err } from '../stdio.js';

/** `epi env`: the environment every other command would use, and why (the same object as their JSON `environment`). */
export async function env(flags: EnvironmentFlags & { json?: boolean }): Promise<number> {
  const { report } = await openEnvironment(flags);
  if (flags.json) {
    printJson({ environment: report });
    return 0;
  }
  const i = report.interpreter;
  const lines: string[] = [];
  lines.push(`${colors.bold('why:')}         ${esc(report.reason)}`);
  if (i !== null) {
    lines.push(`${colors.bold('interpreter:')} ${esc(i.file)}${i.file !== i.command ? ` (via ${esc(i.command)})` : ''}`);
    lines.push(`${colors.bold('version:')}     ${esc(i.version)}`);
    lines.push(`${colors.bold('executable:')}  ${esc(i.executable)}`);
    lines.push(`${colors.bold('prefix:')}      ${esc(i.prefix)}${i.basePrefix !== i.prefix ? ` (base ${esc(i.basePrefix)})` : ''}`);
    if (i.shim !== null) lines.push(`${colors.bold('shim:')}        ${i.shim.manager} ${esc(i.shim.shim)}: ${i.shim.resolved ? `versions ${esc(i.shim.versions.join(', '))} from ${esc(i.shim.origin)}` : `run to find out (${esc(i.shim.unresolved ?? '')})`}`);
    lines.push(`${colors.bold('sys.path:')}    ${i.fromCache ? 'from the interpreter cache (nothing was run)' : 'asked of the interpreter'}`);
  }
  lines.push(`${colors.bold('cache:')}       ${report.cache ?? '-'}, freshness ${report.freshness}`);
  lines.push(colors.bold('search path:'));
  // importlib skips an entry that does not exist (an interpreter's pythonXY.zip, as a rule): so does every command.
  for (const p of report.searchPath) lines.push(`  ${esc(p)}${exists(p) === false ? colors.dim(' (does not exist; skipped)') : ''}`);
  out(lines.join('\n') + '\n');
  // Warnings were printed when the environment was chosen; the notes are shown here.
  for (const d of report.diagnostics) if (d.severity === 'info') err(colorDiagnostic(d) + '\n');
  return 0;
}
