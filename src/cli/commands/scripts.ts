/** `epi scripts list|install|repair|remove`: the console and gui script launchers of an environment. */
import type { Diagnostic } from '../../diagnostics.js';
import type { ActivatePlan } from '../../scripts/activate.js';
import { selectClaims, type ScriptEntry } from '../../scripts/inventory.js';
import { applyPlan, planInstall, planRemove, planRepair, type Action, type AppliedPlan, type Plan } from '../../scripts/plan.js';
import { scriptsInventory, type EnvironmentScripts } from '../../scripts/scripts.js';
import { colorDiagnostic, colors, countDiagnostics, printJson, summarizeDiagnostics, table } from '../output.js';
import { out, err } from '../stdio.js';

export interface ScriptsFlags {
  python?: string;
  dest?: string;
  dist?: string[];
  json?: boolean;
  'dry-run'?: boolean;
  force?: boolean;
  relocatable?: boolean;
}

const open = (flags: ScriptsFlags, destructive?: string): Promise<EnvironmentScripts> => scriptsInventory({ python: flags.python, dest: flags.dest, destructive });

const distJSON = (e: { claim: ScriptEntry['claim'] }): { name: string; version: string | null } | null => (e.claim.dist ? { name: e.claim.dist.name, version: e.claim.dist.version } : null);
const distText = (d: { name: string; version: string | null } | null): string => (d ? `${d.name}${d.version ? ' ' + d.version : ''}` : '');

function printDiagnostics(ds: readonly Diagnostic[]): void {
  for (const d of ds) err(colorDiagnostic(d) + '\n');
}

function entryJSON(e: ScriptEntry): Record<string, unknown> {
  return {
    name: e.claim.name,
    group: e.claim.group,
    value: e.claim.entryPoint.value,
    ...(e.claim.declared !== e.claim.name ? { declaredName: e.claim.declared } : {}),
    dist: distJSON(e),
    path: e.claim.path,
    state: e.state,
    detail: e.detail,
    writer: e.writer,
    interpreter: e.interpreter?.path ?? null,
    ...(e.claimants.length > 1 ? { claimedBy: e.claimants.map((c) => distText(c.dist ? { name: c.dist.name, version: c.dist.version } : null)), runs: e.runs ? distText({ name: e.runs.dist?.name ?? '', version: e.runs.dist?.version ?? null }) : null } : {}),
  };
}

const STATE_TEXT: Record<ScriptEntry['state'], string> = {
  ok: 'ok',
  missing: 'missing',
  'other-interpreter': 'other interpreter',
  foreign: 'not a launcher',
  conflict: 'claimed by several',
  differs: 'differs from the entry point',
  'not-executable': 'not executable',
  invalid: 'refused',
};

export async function scriptsList(flags: ScriptsFlags): Promise<number> {
  const inv = await open(flags);
  const { selected, diagnostics } = selectClaims(inv, flags.dist);
  const entries = inv.entries.filter((e) => selected(e.claim));
  if (flags.json) {
    printJson({ python: inv.target.command, executable: inv.target.executable, scripts: entries.map(entryJSON), diagnostics, counts: countDiagnostics(diagnostics) });
  } else {
    const rows = entries.map((e) => {
      const state = e.state === 'ok' ? colors.green(`ok (${e.writer})`) : `${colors.yellow(STATE_TEXT[e.state])}: ${e.detail}`;
      return [e.claim.name, e.claim.group, distText(distJSON(e)), e.claim.path ?? '', state];
    });
    if (rows.length > 0) out(table(rows, ['NAME', 'GROUP', 'DISTRIBUTION', 'LAUNCHER', 'STATE']));
    else err('epi: no console or gui scripts in this environment\n');
    printDiagnostics(diagnostics);
    summarizeDiagnostics(inv.lookupDiagnostics);
  }
  return entries.some((e) => e.state !== 'ok') || diagnostics.some((d) => d.code === 'EP514') ? 1 : 0;
}

const PAST: Record<string, string> = { create: 'created', replace: 'replaced', repair: 'repaired', chmod: 'made executable', remove: 'removed', rewrite: 'rewrote', skip: 'skipped' };
const FUTURE: Record<string, string> = { create: 'would create', replace: 'would replace', repair: 'would repair', chmod: 'would make executable', remove: 'would remove', rewrite: 'would rewrite', skip: 'would skip' };

const isActivate = (a: Action | ActivatePlan): a is ActivatePlan => 'shell' in a;

function actionJSON(a: Action, outcome?: { done: boolean; error: string | null }): Record<string, unknown> {
  return {
    action: a.kind,
    path: a.path,
    name: a.claim.name,
    group: a.claim.group,
    value: a.claim.entryPoint.value,
    dist: a.claim.dist ? { name: a.claim.dist.name, version: a.claim.dist.version } : null,
    state: a.state,
    reason: a.reason,
    ...(outcome ? { done: outcome.done, error: outcome.error } : {}),
  };
}

function activateJSON(a: ActivatePlan, outcome?: { done: boolean; error: string | null }): Record<string, unknown> {
  return { action: a.action, path: a.file, shell: a.shell, reason: a.reason, oldPath: a.oldPath, lines: a.lines, ...(outcome ? { done: outcome.done, error: outcome.error } : {}) };
}

/** Print a plan (dry run) or what was done, and say whether anything asked for was left undone. */
function report(plan: Plan, applied: AppliedPlan | null, flags: ScriptsFlags, lookup: readonly Diagnostic[]): number {
  const outcomes = new Map<object, { done: boolean; error: string | null }>();
  for (const o of applied?.outcomes ?? []) outcomes.set(o.action, o);
  const diagnostics = applied?.diagnostics ?? plan.diagnostics;
  const failed = (applied?.outcomes ?? []).filter((o) => o.error !== null).length;
  const skipped = plan.actions.filter((a) => a.kind === 'skip').length;
  const activateProblems = plan.activate.filter((a) => a.diagnostics.length > 0).length;
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const status = failed + skipped + activateProblems + errors > 0 ? 1 : 0;
  if (flags.json) {
    printJson({
      command: plan.command,
      dryRun: applied === null,
      python: plan.target.command,
      executable: plan.target.executable,
      actions: plan.actions.map((a) => actionJSON(a, outcomes.get(a))),
      ...(plan.command === 'repair' ? { activate: plan.activate.map((a) => activateJSON(a, outcomes.get(a))) } : {}),
      diagnostics,
      counts: countDiagnostics(diagnostics),
    });
    return status;
  }
  const words = applied === null ? FUTURE : PAST;
  const rows: string[][] = [];
  let unchanged = 0;
  const all: Array<Action | ActivatePlan> = [...plan.actions, ...plan.activate];
  for (const a of all) {
    const kind = isActivate(a) ? a.action : a.kind;
    if (kind === 'unchanged' || kind === 'left') {
      unchanged++;
      continue;
    }
    const o = outcomes.get(a);
    const verb = o?.error ? colors.red(`failed to ${kind}`) : kind === 'skip' ? colors.yellow(words[kind]!) : words[kind]!;
    if (isActivate(a)) rows.push([verb, a.file, `${a.reason}${a.lines.length ? ` (line${a.lines.length > 1 ? 's' : ''} ${a.lines.join(', ')})` : ''}`]);
    else rows.push([verb, a.path, `${distText(a.claim.dist ? { name: a.claim.dist.name, version: a.claim.dist.version } : null)} [${a.claim.group}] ${a.claim.name} = ${a.claim.entryPoint.value}: ${a.reason}`]);
  }
  if (rows.length > 0) out(table(rows));
  if (unchanged > 0 || rows.length === 0) err(colors.dim(`epi: ${unchanged} file${unchanged === 1 ? '' : 's'} left as ${unchanged === 1 ? 'it is' : 'they are'}${rows.length === 0 ? '; nothing to do' : ''}\n`));
  printDiagnostics(diagnostics);
  summarizeDiagnostics(lookup);
  return status;
}

export async function scriptsInstall(flags: ScriptsFlags): Promise<number> {
  const inv = await open(flags, 'epi scripts install');
  const plan = planInstall(inv, { dists: flags.dist, force: flags.force, relocatable: flags.relocatable });
  return report(plan, flags['dry-run'] ? null : applyPlan(plan), flags, inv.lookupDiagnostics);
}

export async function scriptsRepair(flags: ScriptsFlags): Promise<number> {
  const inv = await open(flags, 'epi scripts repair');
  const plan = planRepair(inv, { dists: flags.dist, dest: flags.dest });
  return report(plan, flags['dry-run'] ? null : applyPlan(plan), flags, inv.lookupDiagnostics);
}

export async function scriptsRemove(flags: ScriptsFlags): Promise<number> {
  const inv = await open(flags, 'epi scripts remove');
  const plan = planRemove(inv, { dists: flags.dist });
  return report(plan, flags['dry-run'] ? null : applyPlan(plan), flags, inv.lookupDiagnostics);
}
