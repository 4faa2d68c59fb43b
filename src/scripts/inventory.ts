/**
 * Which launchers an environment should have and what is at each path: one claim per console
 * or gui script of every distribution in use, placed in the scripts directory of the install
 * scheme the distribution was installed in, and the state of the file there.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { diagnostic, type Diagnostic } from '../diagnostics.js';
import { normalizeName, type Distribution, type EntryPoint } from '../entry-point.js';
import { inspectPath, type Inspection, type InterpreterRef, type KnownLauncher, type Writer } from './detect.js';
import { sameTarget, targetOf, type LauncherTarget } from './launcher.js';
import { consoleScriptNames, keywordIn, unsafeNameReason } from './names.js';
import type { ScriptsTarget } from './probe.js';

export const SCRIPT_GROUPS = ['console_scripts', 'gui_scripts'] as const;
export type ScriptGroup = (typeof SCRIPT_GROUPS)[number];

/** One launcher a distribution asks for. */
export interface ScriptClaim {
  readonly group: ScriptGroup;
  /** The file name. */
  readonly name: string;
  /** The name in entry_points.txt (differs for pip's `pipX.Y`). */
  readonly declared: string;
  readonly entryPoint: EntryPoint;
  readonly dist: Distribution | null;
  /** The scripts directory it belongs in. */
  readonly dir: string;
  /** `dir/name`, or null when the name is refused. */
  readonly path: string | null;
  /** What the launcher must run; null when the value cannot be launched. */
  readonly target: LauncherTarget | null;
  /** Why no launcher can be written for it. */
  readonly refused: string | null;
}

export type ScriptState =
  /** A known launcher that runs this entry point with this interpreter, executable. */
  | 'ok'
  | 'missing'
  /** A known launcher whose interpreter is missing or another one (the moved or copied venv). */
  | 'other-interpreter'
  /** A file epindex does not recognise as a launcher (or a symlink, directory, unreadable file). */
  | 'foreign'
  /** Several distributions (or both script groups) claim this file. */
  | 'conflict'
  /** A known launcher that runs something else than the entry point says. */
  | 'differs'
  /** A known launcher without the executable bit. */
  | 'not-executable'
  /** No launcher can be written: unsafe name, no `:attr`, invalid value. */
  | 'invalid';

/** How a launcher's interpreter compares with the environment's. */
export interface InterpreterCheck {
  /** The path it runs (resolved for relocatable launchers); null for `#!/usr/bin/env python3`. */
  readonly path: string | null;
  readonly exists: boolean;
  /** It is the environment's interpreter. */
  readonly same: boolean;
  readonly text: string;
}

export interface ScriptEntry {
  readonly claim: ScriptClaim;
  readonly state: ScriptState;
  /** Human-readable detail of the state. */
  readonly detail: string;
  readonly file: Inspection;
  readonly writer: Writer | null;
  readonly interpreter: InterpreterCheck | null;
  /** Every claim on this file, first on the search path first (the one a launcher should run). */
  readonly claimants: readonly ScriptClaim[];
  /** Which claimant the existing launcher runs, if any. */
  readonly runs: ScriptClaim | null;
}

export interface Inventory {
  readonly target: ScriptsTarget;
  readonly entries: readonly ScriptEntry[];
  readonly diagnostics: readonly Diagnostic[];
}

const PYTHON_NAME = /^python(\d+(\.\d+)?)?$/;

const real = (p: string): string | null => {
  try {
    return fs.realpathSync(p);
  } catch {
    return null;
  }
};

/**
 * Whether the interpreter at `a` is the environment's `b`: the same path, or in the same real
 * directory and the same real file (`bin/python3` → `bin/python`), or both `pythonX[.Y]` names
 * in that directory (a venv made with `--copies` has separate copies).
 */
export function sameInterpreter(a: string, b: string): boolean {
  if (path.resolve(a) === path.resolve(b)) return true;
  const da = real(path.dirname(a));
  if (da === null || da !== real(path.dirname(b))) return false;
  const ra = real(a);
  if (ra === null) return false;
  return ra === real(b) || (PYTHON_NAME.test(path.basename(a)) && PYTHON_NAME.test(path.basename(b)));
}

export function checkInterpreter(ref: InterpreterRef, launcherPath: string, executable: string): InterpreterCheck {
  if (ref.kind === 'command') return { path: null, exists: false, same: false, text: `runs whatever ${JSON.stringify(ref.text)} finds on PATH` };
  let p: string;
  if (ref.kind === 'absolute') p = ref.path;
  else {
    const dir = ref.resolver === 'uv-realpath' ? (real(path.dirname(launcherPath)) ?? path.dirname(launcherPath)) : path.dirname(launcherPath);
    p = path.join(dir, ref.relative);
  }
  const exists = fs.existsSync(p);
  const same = exists && sameInterpreter(p, executable);
  const how = ref.kind === 'relative' ? (ref.resolver === 'uv-realpath' ? ' (relocatable, uv: needs realpath)' : ' (relocatable)') : '';
  return { path: p, exists, same, text: `${p}${how}${exists ? '' : ' (missing)'}` };
}

/** The scheme a distribution was installed with: its path entry is (in) that scheme's purelib or platlib; else the default. */
export function scriptsDirFor(dist: Distribution | null, target: ScriptsTarget): string {
  const def = target.schemes[0]!.scripts;
  if (dist === null) return def;
  const entry = real(dist.pathEntry) ?? path.resolve(dist.pathEntry);
  const within = (lib: string): boolean => {
    const r = real(lib) ?? path.resolve(lib);
    return entry === r || entry.startsWith(r + path.sep);
  };
  for (const s of target.schemes) if (within(s.purelib) || within(s.platlib)) return s.scripts;
  return def;
}

const distKey = (d: Distribution | null): string => d?.metadataPath ?? '';
const distLabel = (d: Distribution | null): string => (d === null ? '(no distribution)' : `${d.name}${d.version ? ' ' + d.version : ''}`);

/** Why an entry point's value cannot be launched, or null. */
function valueProblem(ep: EntryPoint): string | null {
  if (!ep.valid) return `its value ${JSON.stringify(ep.value)} is not a valid object reference: ${ep.problem}`;
  if (ep.attr === null) return `its value ${JSON.stringify(ep.value)} has no ":attr" to call (installers refuse it too)`;
  const kw = keywordIn(ep.module!, ep.attr);
  if (kw !== null) return `its value ${JSON.stringify(ep.value)} holds the Python keyword "${kw}", which a launcher cannot import`;
  return null;
}

/**
 * The claims of every distribution in use, in search-path order. Within one distribution and
 * group the last of several same-named entries is used (pip's dict); pip's versioned `pip` and
 * `easy_install` names are applied.
 */
export function claimsOf(eps: readonly EntryPoint[], target: ScriptsTarget, dest: string | undefined): { claims: ScriptClaim[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const byDist = new Map<string, { dist: Distribution | null; groups: Map<ScriptGroup, Map<string, EntryPoint>> }>();
  for (const ep of eps) {
    if (!(SCRIPT_GROUPS as readonly string[]).includes(ep.group)) continue;
    const k = distKey(ep.dist);
    let d = byDist.get(k);
    if (d === undefined) byDist.set(k, (d = { dist: ep.dist, groups: new Map() }));
    let g = d.groups.get(ep.group as ScriptGroup);
    if (g === undefined) d.groups.set(ep.group as ScriptGroup, (g = new Map()));
    if (g.has(ep.name)) {
      diagnostics.push(diagnostic('EP512', `${distLabel(ep.dist)} declares [${ep.group}] ${JSON.stringify(ep.name)} more than once; the last one (${ep.value}) is used, as pip does`, { file: ep.dist ? path.join(ep.dist.metadataPath, 'entry_points.txt') : undefined }));
    }
    g.set(ep.name, ep);
  }
  const claims: ScriptClaim[] = [];
  for (const { dist, groups } of byDist.values()) {
    const dir = path.resolve(dest ?? scriptsDirFor(dist, target));
    for (const group of SCRIPT_GROUPS) {
      const g = groups.get(group);
      if (g === undefined) continue;
      const names = group === 'console_scripts' ? consoleScriptNames([...g.keys()], target.version) : [...g.keys()].map((n) => ({ name: n, declared: n }));
      for (const { name, declared } of names) {
        const ep = g.get(declared)!;
        const unsafe = unsafeNameReason(name, dir);
        const vp = valueProblem(ep);
        const refused = unsafe ?? vp;
        const epFile = ep.dist ? path.join(ep.dist.metadataPath, 'entry_points.txt') : undefined;
        if (unsafe !== null) diagnostics.push(diagnostic('EP501', `[${group}] ${JSON.stringify(name)} of ${distLabel(dist)} refused: ${unsafe}; nothing is written for it`, { file: epFile }));
        else if (vp !== null) diagnostics.push(diagnostic(ep.valid && ep.attr === null ? 'EP502' : 'EP503', `[${group}] ${JSON.stringify(name)} of ${distLabel(dist)} refused: ${vp}`, { file: epFile }));
        claims.push({
          group,
          name,
          declared,
          entryPoint: ep,
          dist,
          dir,
          path: unsafe === null ? path.join(dir, name) : null,
          target: vp === null ? targetOf(ep.module!, ep.attr!) : null,
          refused,
        });
      }
    }
  }
  return { claims, diagnostics };
}

/** Whether a known launcher runs what `claim` says. */
export function runsClaim(l: KnownLauncher, claim: ScriptClaim): boolean {
  if (l.entryPoint !== null) {
    return l.entryPoint.group === claim.group && l.entryPoint.name === claim.declared && claim.dist !== null && normalizeName(l.entryPoint.dist) === claim.dist.normalizedName;
  }
  return l.target !== null && claim.target !== null && sameTarget(l.target, claim.target);
}

const describeFile = (f: Inspection): string => {
  switch (f.kind) {
    case 'foreign':
      return `a file epindex did not write: ${f.why}`;
    case 'symlink':
      return `a symbolic link${f.target ? ` to ${f.target}` : ''}`;
    case 'not-a-file':
      return f.why;
    case 'unreadable':
      return f.why;
    default:
      return '';
  }
};

/** The state of the file at `claim.path` for `claim`, ignoring other claimants. */
function stateFor(claim: ScriptClaim, file: Inspection, executable: string): { state: ScriptState; detail: string; interpreter: InterpreterCheck | null } {
  if (claim.refused !== null) return { state: 'invalid', detail: claim.refused, interpreter: null };
  if (file.kind === 'missing') return { state: 'missing', detail: 'no launcher', interpreter: null };
  if (file.kind !== 'launcher') return { state: 'foreign', detail: describeFile(file), interpreter: null };
  const interpreter = checkInterpreter(file.interpreter, claim.path!, executable);
  if (!runsClaim(file, claim)) {
    const runs = file.target ? `${file.target.module}:${file.target.call}` : `${file.entryPoint?.dist} [${file.entryPoint?.group}] ${file.entryPoint?.name}`;
    return { state: 'differs', detail: `the launcher runs ${runs}, the entry point says ${claim.entryPoint.value}`, interpreter };
  }
  if (!interpreter.same) return { state: 'other-interpreter', detail: `runs ${interpreter.text}, not ${executable}`, interpreter };
  if (!file.stat.executable) return { state: 'not-executable', detail: 'the launcher is not executable', interpreter };
  return { state: 'ok', detail: `runs ${interpreter.text}`, interpreter };
}

/** Inspect every claimed launcher. `entryPoints`: the environment's console and gui scripts, in search-path order. */
export function takeInventory(entryPoints: readonly EntryPoint[], target: ScriptsTarget, dest?: string): Inventory {
  const { claims, diagnostics } = claimsOf(entryPoints, target, dest);
  // Claims per file, and names per directory that differ only in case.
  const byPath = new Map<string, ScriptClaim[]>();
  const byFold = new Map<string, Set<string>>();
  for (const c of claims) {
    if (c.path === null) continue;
    let l = byPath.get(c.path);
    if (l === undefined) byPath.set(c.path, (l = []));
    l.push(c);
    const fold = path.join(c.dir, c.name.toLowerCase());
    let s = byFold.get(fold);
    if (s === undefined) byFold.set(fold, (s = new Set()));
    s.add(c.name);
  }
  for (const [file, list] of byPath) {
    if (list.length < 2) continue;
    const who = list.map((c) => `${distLabel(c.dist)} [${c.group}] ${c.entryPoint.value}`).join(', ');
    diagnostics.push(diagnostic('EP505', `${JSON.stringify(list[0]!.name)} is claimed ${list.length} times: ${who}; the first on the search path is the one a launcher runs`, { file }));
  }
  for (const [fold, names] of byFold) {
    if (names.size < 2) continue;
    diagnostics.push(diagnostic('EP504', `script names differ only in case: ${[...names].map((n) => JSON.stringify(n)).join(', ')}; on a case-insensitive filesystem they are one file (the spec leaves this undefined)`, { file: path.dirname(fold) }));
  }
  const inspected = new Map<string, Inspection>();
  const entries: ScriptEntry[] = [];
  for (const claim of claims) {
    let file: Inspection = { kind: 'missing' };
    let claimants: readonly ScriptClaim[] = [claim];
    if (claim.path !== null) {
      file = inspected.get(claim.path) ?? inspectPath(claim.path);
      inspected.set(claim.path, file);
      claimants = byPath.get(claim.path)!;
    }
    const s = stateFor(claim, file, target.executable);
    const runs = file.kind === 'launcher' ? (claimants.find((c) => runsClaim(file, c)) ?? null) : null;
    const conflict = claimants.length > 1 && claim.refused === null;
    entries.push({
      claim,
      state: conflict ? 'conflict' : s.state,
      detail: conflict ? `claimed by ${claimants.length}: ${claimants.map((c) => distLabel(c.dist)).join(', ')}${runs ? `; the launcher runs ${distLabel(runs.dist)}'s` : ''}; this one: ${s.state}` : s.detail,
      file,
      writer: file.kind === 'launcher' ? file.writer : null,
      interpreter: s.interpreter,
      claimants,
      runs,
    });
  }
  return { target, entries, diagnostics };
}

/**
 * The claims of the distributions named in `dists` (any spelling; all when empty), and the
 * inventory's diagnostics that concern them (`EP514` for a name that matches nothing; `alsoPresent`:
 * normalized names that count as something, as a distribution with other scripts for `repair`).
 */
export function selectClaims(inv: Inventory, dists: readonly string[] | undefined, alsoPresent: ReadonlySet<string> = new Set()): { selected: (c: ScriptClaim) => boolean; diagnostics: Diagnostic[] } {
  const wanted = (dists ?? []).map(normalizeName);
  if (wanted.length === 0) return { selected: () => true, diagnostics: [...inv.diagnostics] };
  const selected = (c: ScriptClaim): boolean => c.dist !== null && wanted.includes(c.dist.normalizedName);
  const diagnostics: Diagnostic[] = [];
  const present = new Set([...inv.entries.map((e) => e.claim.dist?.normalizedName), ...alsoPresent]);
  for (const [i, w] of wanted.entries()) {
    if (!present.has(w)) diagnostics.push(diagnostic('EP514', `no distribution ${JSON.stringify(dists![i])} with console or gui scripts in this environment`));
  }
  // A diagnostic concerns a selected distribution when it names its metadata, one of its launchers, or their directory.
  const claims = inv.entries.map((e) => e.claim).filter(selected);
  const metadata = claims.map((c) => c.dist!.metadataPath);
  const files = new Set(claims.flatMap((c) => (c.path === null ? [c.dir] : [c.path, c.dir])));
  const concerns = (d: Diagnostic): boolean => d.file === undefined || files.has(d.file) || metadata.some((m) => d.file === m || d.file!.startsWith(m + path.sep));
  return { selected, diagnostics: [...inv.diagnostics.filter(concerns), ...diagnostics] };
}

export { distLabel };
