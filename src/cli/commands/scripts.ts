/** `epi scripts list|install|repair|remove`: the console and gui script launchers of an environment. */
import type { Diagnostic } from '../../diagnostics.js';
import * as path from 'node:path';
import type { ActivatePlan } from '../../scripts/activate.js';
import type { ScriptRepair } from '../../scripts/other-scripts.js';
import { selectClaims, type ScriptEntry } from '../../scripts/inventory.js';
import { applyPlan, planInstall, planRemove, planRepair, type Action, type AppliedPlan, type Plan } from '../../scripts/plan.js';
import { scriptsInventory, type EnvironmentScripts } from '../../scripts/scripts.js';
import { colorDiagnostic, colors, countDiagnostics, errColors, printJson, summarizeDiagnostics, table } from '../output.js';
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
  // By name, then group (code-unit order, as `list`); one name's claimants keep the inventory's order. JSON in the table's order.
  const key = (e: ScriptEntry): string => `${e.claim.name}\0${e.claim.group}`;
  const entries = inv.entries.filter((e) => selected(e.claim)).sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
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

const PAST: Record<string, string> = { create: 'created', replace: 'replaced', repair: 'repaired', chmod: 'made executable', remove: 'removed', rewrite: 'rewrote', skip: 'skipped', left: 'left broken' };
const FUTURE: Record<string, string> = { create: 'would create', replace: 'would replace', repair: 'would repair', chmod: 'would make executable', remove: 'would remove', rewrite: 'would rewrite', skip: 'would skip', left: 'would leave broken' };

const isActivate = (a: Action | ActivatePlan | ScriptRepair): a is ActivatePlan => 'shell' in a;
const isScript = (a: Action | ActivatePlan | ScriptRepair): a is ScriptRepair => 'group' in a;

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

function scriptJSON(s: ScriptRepair, outcome?: { done: boolean; error: string | null }): Record<string, unknown> {
  return {
    action: s.action,
    path: s.file,
    dist: s.dist ? { name: s.dist.name, version: s.dist.version } : null,
    interpreter: s.interpreter,
    newInterpreter: s.newInterpreter,
    reason: s.reason,
    ...(outcome ? { done: outcome.done, error: outcome.error } : {}),
  };
}

/** `a, b, c, … (N launchers)`: the names of one group, at most `SHOWN` of them. */
const SHOWN = 6;
function nameList(names: readonly string[], noun: string): string {
  const shown = names.length > SHOWN ? [...names.slice(0, SHOWN - 1), '…'] : names;
  return `${shown.join(', ')}${names.length > 1 ? ` (${names.length} ${noun}s)` : ''}`;
}

/** What was left as it is, grouped by why: `names: why`, one line a group. */
function leftAsTheyAre(plan: Plan): string[] {
  const groups = new Map<string, { noun: string; names: string[] }>();
  const add = (why: string, noun: string, name: string): void => {
    const key = `${noun}\0${why}`;
    let g = groups.get(key);
    if (g === undefined) groups.set(key, (g = { noun, names: [] }));
    g.names.push(name);
  };
  for (const a of plan.actions) if (a.kind === 'unchanged') add(a.reason, 'launcher', path.basename(a.path));
  for (const a of plan.activate) if (a.action !== 'rewrite') add(a.reason, 'file', path.basename(a.file));
  for (const s of plan.scripts) if (s.action === 'unchanged') add(s.group, 'file', path.basename(s.file));
  return [...groups].map(([key, g]) => `  ${nameList(g.names, g.noun)}: ${key.slice(key.indexOf('\0') + 1)}`);
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
  const brokenScripts = plan.scripts.filter((s) => s.action === 'left').length;
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const status = failed + skipped + activateProblems + brokenScripts + errors > 0 ? 1 : 0;
  if (flags.json) {
    printJson({
      command: plan.command,
      dryRun: applied === null,
      python: plan.target.command,
      executable: plan.target.executable,
      actions: plan.actions.map((a) => actionJSON(a, outcomes.get(a))),
      ...(plan.command === 'repair' ? { activate: plan.activate.map((a) => activateJSON(a, outcomes.get(a))), scripts: plan.scripts.map((s) => scriptJSON(s, outcomes.get(s))) } : {}),
      diagnostics,
      counts: countDiagnostics(diagnostics),
    });
    return status;
  }
  const words = applied === null ? FUTURE : PAST;
  const rows: string[][] = [];
  const all: Array<Action | ActivatePlan | ScriptRepair> = [...plan.actions, ...plan.activate, ...plan.scripts];
  for (const a of all) {
    const kind = isActivate(a) || isScript(a) ? a.action : a.kind;
    if (kind === 'unchanged' || (kind === 'left' && isActivate(a))) continue;
    const o = outcomes.get(a);
    const verb = o?.error ? colors.red(`failed to ${kind}`) : kind === 'skip' || kind === 'left' ? colors.yellow(words[kind]!) : words[kind]!;
    if (isActivate(a)) rows.push([verb, a.file, `${a.reason}${a.lines.length ? ` (line${a.lines.length > 1 ? 's' : ''} ${a.lines.join(', ')})` : ''}`]);
    else if (isScript(a)) rows.push([verb, a.file, `${a.dist ? `${distText({ name: a.dist.name, version: a.dist.version })}: ` : ''}${a.reason}`]);
    else rows.push([verb, a.path, `${distText(a.claim.dist ? { name: a.claim.dist.name, version: a.claim.dist.version } : null)} [${a.claim.group}] ${a.claim.name} = ${a.claim.entryPoint.value}: ${a.reason}`]);
  }
  if (rows.length > 0) out(table(rows));
  const left = leftAsTheyAre(plan);
  if (left.length > 0) err(errColors.dim(`epi: ${rows.length === 0 ? 'nothing to do; ' : ''}left as they are:\n${left.join('\n')}\n`));
  else if (rows.length === 0) err(errColors.dim('epi: nothing to do\n'));
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
  const plan = planRepair(inv, { dists: flags.dist, dest: flags.dest, distributions: inv.distributions });
  return report(plan, flags['dry-run'] ? null : applyPlan(plan), flags, inv.lookupDiagnostics);
}

export async function scriptsRemove(flags: ScriptsFlags): Promise<number> {
  const inv = await open(flags, 'epi scripts remove');
  const plan = planRemove(inv, { dists: flags.dist });
  return report(plan, flags['dry-run'] ? null : applyPlan(plan), flags, inv.lookupDiagnostics);
}
