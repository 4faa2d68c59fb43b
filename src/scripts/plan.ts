/**
 * Plans for `install`, `repair` and `remove`, and carrying them out. A plan is data (what would
 * be written, replaced or removed, and why); `--dry-run` prints it, `applyPlan` does it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { diagnostic, type Diagnostic } from '../diagnostics.js';
import { normalizeName, type Distribution } from '../entry-point.js';
import { errnoCode } from '../errors.js';
import { planActivate, type ActivatePlan } from './activate.js';
import { identityOf, makeExecutable, removeLauncherFile, writeLauncherFile, ChangedError, type Identity } from './files.js';
import { checkInterpreter, distLabel, runsClaim, selectClaims, type Inventory, type ScriptClaim, type ScriptEntry } from './inventory.js';
import { absolutePrelude, fitsPlainShebang, relativeInterpreter, relocatablePrelude, renderLauncher, unwritableInterpreterReason, type InterpreterForm } from './launcher.js';
import { oldLocationOf, planOtherScripts, recordOwners, type ScriptRepair } from './other-scripts.js';
import { isVirtualEnvironment, type ScriptsTarget } from './probe.js';

export type ActionKind = 'create' | 'replace' | 'repair' | 'chmod' | 'remove' | 'unchanged' | 'skip';

export interface Action {
  readonly kind: ActionKind;
  readonly path: string;
  readonly claim: ScriptClaim;
  readonly state: ScriptEntry['state'];
  readonly reason: string;
  /** The new content, for create / replace / repair. */
  readonly content: string | null;
  /** What was at the path when planned (null: nothing); the action is refused if it changed. */
  readonly identity: Identity;
}

export interface Plan {
  readonly command: 'install' | 'repair' | 'remove';
  readonly target: ScriptsTarget;
  readonly actions: readonly Action[];
  /** repair only: the environment's activate scripts. */
  readonly activate: readonly ActivatePlan[];
  /** repair only: the other files of the scripts directory (a distribution's own `#!` scripts…). */
  readonly scripts: readonly ScriptRepair[];
  readonly diagnostics: readonly Diagnostic[];
}

export interface Selection {
  /** Only these distributions (any spelling); all when absent or empty. */
  readonly dists?: readonly string[] | undefined;
}

export interface InstallOptions extends Selection {
  readonly force?: boolean | undefined;
  readonly relocatable?: boolean | undefined;
}

const real = (p: string): string | null => {
  try {
    return fs.realpathSync(p);
  } catch {
    return null;
  }
};

/** The entries a command acts on: selected, not refused, one per file (the first selected claimant). */
function firstPerFile(inv: Inventory, selected: (c: ScriptClaim) => boolean): ScriptEntry[] {
  const seen = new Set<string>();
  const out: ScriptEntry[] = [];
  for (const e of inv.entries) {
    if (!selected(e.claim) || e.claim.refused !== null || e.claim.path === null || seen.has(e.claim.path)) continue;
    seen.add(e.claim.path);
    out.push(e);
  }
  return out;
}

const identityFrom = (e: ScriptEntry): Identity => (e.file.kind === 'missing' ? null : (() => {
  const id = identityOf(e.claim.path!);
  return id === 'unknown' ? null : id;
})());

/** Whether `file` is the environment's interpreter itself (a script named `python`). */
const isInterpreter = (file: string, executable: string): boolean => path.resolve(file) === path.resolve(executable) || (real(file) !== null && real(file) === real(executable) && path.dirname(path.resolve(file)) === path.dirname(path.resolve(executable)));

/** What `install` would do. */
export function planInstall(inv: Inventory, options: InstallOptions = {}): Plan {
  const { selected, diagnostics } = selectClaims(inv, options.dists);
  const exe = inv.target.executable;
  // A distribution with a refused script gets none of its launchers (pip and uv refuse the wheel).
  const refusedDists = new Map<string, ScriptClaim>();
  for (const e of inv.entries) if (selected(e.claim) && e.claim.refused !== null && !refusedDists.has(e.claim.dist?.metadataPath ?? '')) refusedDists.set(e.claim.dist?.metadataPath ?? '', e.claim);
  for (const c of refusedDists.values()) {
    diagnostics.push(diagnostic('EP511', `no launcher is written for ${distLabel(c.dist)}: its script ${JSON.stringify(c.name)} was refused`, { file: c.dist?.metadataPath }));
  }
  const actions: Action[] = [];
  for (const e of firstPerFile(inv, selected)) {
    const c = e.claim;
    const file = c.path!;
    const base = { path: file, claim: c, state: e.state, identity: identityFrom(e) };
    const skip = (reason: string, d?: Diagnostic): void => {
      actions.push({ ...base, kind: 'skip', reason, content: null });
      if (d) diagnostics.push(d);
    };
    if (refusedDists.has(c.dist?.metadataPath ?? '')) {
      skip('another script of this distribution was refused');
      continue;
    }
    const form: InterpreterForm = options.relocatable ? { kind: 'relocatable', relative: relativeInterpreter(c.dir, exe) } : { kind: 'absolute', path: exe };
    const unwritable = form.kind === 'absolute' ? unwritableInterpreterReason(exe, fitsPlainShebang(exe) ? 'plain' : 'shell') : unwritableInterpreterReason(form.relative, 'shell');
    if (unwritable !== null) {
      skip(unwritable, diagnostic('EP508', `no launcher written: ${unwritable}`, { file }));
      continue;
    }
    if (e.file.kind !== 'missing' && isInterpreter(file, exe)) {
      skip('this is the interpreter itself', diagnostic('EP509', `${JSON.stringify(c.name)} of ${distLabel(c.dist)} would replace the interpreter ${exe}; never done, even with --force`, { file }));
      continue;
    }
    const content = renderLauncher(form, c.target!, { group: c.group, name: c.name, value: c.entryPoint.value, dist: c.dist?.name ?? null });
    const f = e.file;
    switch (f.kind) {
      case 'missing':
        actions.push({ ...base, kind: 'create', reason: 'no launcher', content });
        break;
      case 'launcher': {
        const interp = checkInterpreter(f.interpreter, file, exe);
        const works = runsClaim(f, c) && (options.relocatable ? f.writer === 'epindex' && f.interpreter.kind === 'relative' && f.interpreter.resolver === 'epindex' && interp.same : interp.same);
        if (works) {
          actions.push({ ...base, kind: f.stat.executable ? 'unchanged' : 'chmod', reason: f.stat.executable ? `already a working launcher (${f.writer})` : 'a working launcher without the executable bit', content: null });
        } else {
          const why = !runsClaim(f, c) ? 'it runs something else' : !interp.same ? `its interpreter is ${interp.text}` : 'it is not relocatable';
          actions.push({ ...base, kind: 'replace', reason: `a launcher ${f.writer} wrote, but ${why}`, content });
        }
        break;
      }
      case 'foreign':
      case 'symlink': {
        const what = f.kind === 'symlink' ? `a symbolic link${f.target ? ` to ${f.target}` : ''}` : `a file epindex did not write (${f.why})`;
        if (options.force) actions.push({ ...base, kind: 'replace', reason: `--force: replaces ${what}`, content });
        else skip(`${what}; --force replaces it`, diagnostic('EP506', `left alone: ${what} is where ${JSON.stringify(c.name)} of ${distLabel(c.dist)} goes (--force replaces it)`, { file }));
        break;
      }
      case 'not-a-file':
        skip(f.why, diagnostic('EP509', `left alone: ${f.why} is where ${JSON.stringify(c.name)} of ${distLabel(c.dist)} goes; never replaced`, { file }));
        break;
      case 'unreadable':
        skip(f.why, diagnostic('EP507', `left alone: the file ${f.why}`, { file }));
        break;
    }
  }
  return { command: 'install', target: inv.target, actions, activate: [], scripts: [], diagnostics };
}

export interface RepairOptions extends Selection {
  readonly dest?: string | undefined;
  /** The distributions in use, whose RECORD says whose each other script is; none: every other script is nobody's. */
  readonly distributions?: readonly Distribution[] | undefined;
}

/**
 * What `repair` would do: new preludes for launchers whose interpreter is missing or another;
 * the activate scripts; the interpreter line of every other script that names the old location.
 */
export function planRepair(inv: Inventory, options: RepairOptions = {}): Plan {
  const scriptsDir = path.resolve(options.dest ?? inv.target.schemes[0]!.scripts);
  const { owners, diagnostics: ownerDiagnostics } = recordOwners(scriptsDir, options.distributions ?? []);
  const owning = new Set([...owners.values()].map((d) => d.normalizedName));
  const { selected, diagnostics } = selectClaims(inv, options.dists, owning);
  const exe = inv.target.executable;
  const actions: Action[] = [];
  for (const e of firstPerFile(inv, selected)) {
    const f = e.file;
    if (f.kind !== 'launcher') continue;
    const c = e.claim;
    const file = c.path!;
    const base = { path: file, claim: c, state: e.state, identity: identityFrom(e), content: null };
    const interp = checkInterpreter(f.interpreter, file, exe);
    if (interp.same) {
      actions.push({ ...base, kind: 'unchanged', reason: `runs ${interp.text}` });
      continue;
    }
    if (f.interpreter.kind === 'command') {
      actions.push({ ...base, kind: 'unchanged', reason: `${interp.text}: chosen by whoever wrote it, left alone` });
      continue;
    }
    let prelude: string;
    if (f.interpreter.kind === 'absolute') {
      const why = unwritableInterpreterReason(exe, fitsPlainShebang(exe) && f.interpreter.args.length === 0 ? 'plain' : 'shell');
      if (why !== null) {
        actions.push({ ...base, kind: 'skip', reason: why });
        diagnostics.push(diagnostic('EP508', `not repaired: ${why}`, { file }));
        continue;
      }
      prelude = absolutePrelude(exe, f.interpreter.args);
    } else {
      const rel = relativeInterpreter(c.dir, exe);
      const why = unwritableInterpreterReason(rel, 'shell');
      if (why !== null) {
        actions.push({ ...base, kind: 'skip', reason: why });
        diagnostics.push(diagnostic('EP508', `not repaired: ${why}`, { file }));
        continue;
      }
      prelude = relocatablePrelude(rel);
    }
    actions.push({ ...base, kind: 'repair', reason: `its interpreter was ${interp.text}`, content: prelude + f.body });
  }
  // The activate scripts, unless the repair was narrowed to some distributions or another directory;
  // read in any case, for the old location they name.
  const defaultDir = inv.target.schemes[0]!.scripts;
  const whole = (options.dists ?? []).length === 0 && scriptsDir === path.resolve(defaultDir);
  const activatePlans = isVirtualEnvironment(inv.target) ? planActivate(defaultDir, inv.target.prefix) : [];
  const activate = whole ? activatePlans : [];
  for (const a of activate) diagnostics.push(...a.diagnostics);
  // Every other file of the scripts directory: the launchers at claimed paths are done above.
  const wanted = (options.dists ?? []).map(normalizeName);
  const claimedBySelected = new Set(inv.entries.filter((e) => selected(e.claim) && e.claim.path !== null).map((e) => e.claim.path!));
  const other = planOtherScripts({
    dir: scriptsDir,
    old: oldLocationOf(inv, activatePlans),
    owners,
    skip: new Set(inv.entries.filter((e) => e.file.kind === 'launcher' && e.claim.path !== null).map((e) => e.claim.path!)),
    selected: (owner, file) => wanted.length === 0 || (owner !== null && wanted.includes(owner.normalizedName)) || claimedBySelected.has(file),
  });
  diagnostics.push(...(wanted.length === 0 ? ownerDiagnostics : []), ...other.diagnostics);
  for (const s of other.scripts) diagnostics.push(...s.diagnostics);
  return { command: 'repair', target: inv.target, actions, activate, scripts: other.scripts, diagnostics };
}

/** What `remove` would do: the known launchers of the selected distributions, never foreign files. */
export function planRemove(inv: Inventory, options: Selection = {}): Plan {
  const { selected, diagnostics } = selectClaims(inv, options.dists);
  const actions: Action[] = [];
  const seen = new Set<string>();
  for (const e of inv.entries) {
    const c = e.claim;
    if (!selected(c) || c.path === null || seen.has(c.path)) continue;
    seen.add(c.path);
    const f = e.file;
    const base = { path: c.path, claim: c, state: e.state, identity: identityFrom(e), content: null };
    if (f.kind === 'missing') continue;
    if (f.kind !== 'launcher') {
      const what = f.kind === 'foreign' ? `a file epindex did not write (${f.why})` : f.kind === 'symlink' ? 'a symbolic link' : f.why;
      actions.push({ ...base, kind: 'skip', reason: `${what}; never removed` });
      diagnostics.push(diagnostic('EP506', `not removed: ${what} is where ${JSON.stringify(c.name)} of ${distLabel(c.dist)} goes`, { file: c.path }));
      continue;
    }
    // Its own launcher, or a stale one nobody else claims; never one that runs another distribution's entry point.
    const mine = e.claimants.filter((x) => selected(x));
    const other = e.runs !== null && !mine.includes(e.runs) ? e.runs : null;
    if (other !== null) {
      actions.push({ ...base, kind: 'skip', reason: `it runs ${distLabel(other.dist)}'s entry point` });
      diagnostics.push(diagnostic('EP513', `not removed: ${JSON.stringify(c.name)} runs ${distLabel(other.dist)}'s entry point, which also claims it`, { file: c.path }));
      continue;
    }
    if (e.runs === null && e.claimants.some((x) => !selected(x))) {
      actions.push({ ...base, kind: 'skip', reason: 'another distribution also claims it' });
      diagnostics.push(diagnostic('EP513', `not removed: ${JSON.stringify(c.name)} is also claimed by ${e.claimants.filter((x) => !selected(x)).map((x) => distLabel(x.dist)).join(', ')}`, { file: c.path }));
      continue;
    }
    actions.push({ ...base, kind: 'remove', reason: `a launcher ${f.writer} wrote${e.runs === null ? ' (it runs something else, and nobody else claims the name)' : ''}` });
  }
  return { command: 'remove', target: inv.target, actions, activate: [], scripts: [], diagnostics };
}

export interface Outcome {
  readonly action: Action | ActivatePlan | ScriptRepair;
  /** Whether the change was made (false for unchanged, skipped and failed ones). */
  readonly done: boolean;
  readonly error: string | null;
}

export interface AppliedPlan {
  readonly plan: Plan;
  readonly outcomes: readonly Outcome[];
  readonly diagnostics: readonly Diagnostic[];
}

const CHANGES: ReadonlySet<ActionKind> = new Set(['create', 'replace', 'repair', 'chmod', 'remove']);

/** Carry out a plan, one file at a time; a failure is a diagnostic and never stops the others. */
export function applyPlan(plan: Plan): AppliedPlan {
  const diagnostics: Diagnostic[] = [...plan.diagnostics];
  const outcomes: Outcome[] = [];
  // Files written in this run, by identity: a second name that turns out to be the same file
  // is a case-insensitive filesystem folding two names, and is not overwritten.
  const written = new Map<string, string>();
  const fail = (a: Action | ActivatePlan | ScriptRepair, file: string, e: unknown): void => {
    const why = e instanceof ChangedError ? e.message : `${errnoCode(e)}: ${e instanceof Error ? e.message : String(e)}`;
    diagnostics.push(diagnostic('EP507', e instanceof ChangedError ? why : `could not change ${file}: ${why}`, { file }));
    outcomes.push({ action: a, done: false, error: why });
  };
  for (const a of plan.actions) {
    if (!CHANGES.has(a.kind)) {
      outcomes.push({ action: a, done: false, error: null });
      continue;
    }
    try {
      if (a.kind === 'remove') removeLauncherFile(a.path, a.identity);
      else if (a.kind === 'chmod') makeExecutable(a.path, a.identity);
      else {
        const now = identityOf(a.path);
        if (now !== null && now !== 'unknown' && written.has(`${now.dev}:${now.ino}`)) {
          diagnostics.push(diagnostic('EP504', `not written: ${JSON.stringify(a.claim.name)} is the same file as ${JSON.stringify(written.get(`${now.dev}:${now.ino}`))} on this case-insensitive filesystem`, { file: a.path }));
          outcomes.push({ action: a, done: false, error: 'same file as another name (case-insensitive filesystem)' });
          continue;
        }
        if (a.identity === null) fs.mkdirSync(path.dirname(a.path), { recursive: true });
        const id = writeLauncherFile(a.path, a.content!, a.identity);
        written.set(`${id.dev}:${id.ino}`, a.claim.name);
      }
      outcomes.push({ action: a, done: true, error: null });
    } catch (e) {
      fail(a, a.path, e);
    }
  }
  for (const a of plan.activate) {
    if (a.action !== 'rewrite') {
      outcomes.push({ action: a, done: false, error: null });
      continue;
    }
    try {
      writeTextFile(a.file, a.content!, a.identity);
      outcomes.push({ action: a, done: true, error: null });
    } catch (e) {
      fail(a, a.file, e);
    }
  }
  for (const s of plan.scripts) {
    if (s.action !== 'repair') {
      outcomes.push({ action: s, done: false, error: null });
      continue;
    }
    try {
      // The script keeps its mode (and only its interpreter line changes).
      writeLauncherFile(s.file, s.content!, s.identity, s.mode);
      outcomes.push({ action: s, done: true, error: null });
    } catch (e) {
      fail(s, s.file, e);
    }
  }
  return { plan, outcomes, diagnostics };
}

/** An activate script keeps its mode. */
function writeTextFile(file: string, content: string, expected: Identity): void {
  writeLauncherFile(file, content, expected, fs.lstatSync(file).mode & 0o7777);
}
