/**
 * A project directory: which of pyproject.toml, setup.cfg and setup.py gives the entry points
 * the build writes, as setuptools 84 decides (each rule checked against a real setuptools build
 * in test/build/setup-py.test.ts):
 *
 * 1. setup.py's `setup(entry_points=…)` is set first; setup.cfg's (either form) is applied
 *    only when that value is falsy (None, `{}`, `''`, not given): setuptools skips an option
 *    already set. Never merged.
 * 2. pyproject.toml's non-empty `[project]` table comes last. For each of `entry-points`,
 *    `scripts`, `gui-scripts` that it neither declares nor lists in `dynamic`, a non-empty
 *    previous value (non-script groups; `console_scripts`; `gui_scripts`) is reset, with a
 *    warning. If any field is declared or reset, the entry points become exactly [project]'s —
 *    everything from setup.py and setup.cfg is dropped, even groups whose field is dynamic.
 *    Otherwise setup.py's or setup.cfg's stand.
 * 3. Entry points given as INI text (setup.py's string form, setup.cfg's `[options]
 *    entry_points`) beside such a [project] table make setuptools fail (AttributeError) as soon
 *    as it inspects them: when a field is neither declared nor dynamic, or one is dynamic.
 *
 * setup.py and setup.cfg count only when the build backend is setuptools' (`[build-system]`
 * without `build-backend` is pip's fallback to setuptools' legacy backend).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readSmallFile } from '../fsutil.js';
import { finding, type Finding } from '../lint/findings.js';
import { isTruthy, type BuildDeclaration, type SetuptoolsValue } from './declaration.js';
import { ENTRY_FIELDS, readPyproject, type EntryField } from './pyproject.js';
import { readSetupCfg } from './setup-cfg.js';
import { readSetupPy } from './setup-py.js';

export interface ProjectOptions {
  /** The interpreter that parses setup.py; asked for only when there is a setup.py to read. */
  readonly python: () => string;
}

/** The project files read, in the order setuptools applies them. */
export const PYTHON_PROJECT_FILES = ['pyproject.toml', 'setup.cfg', 'setup.py'] as const;

const TABLE: Record<EntryField, string> = { 'entry-points': '[project.entry-points]', scripts: '[project.scripts]', 'gui-scripts': '[project.gui-scripts]' };
const GROUPS: Record<EntryField, string> = { 'entry-points': 'plugin groups', scripts: 'console_scripts', 'gui-scripts': 'gui_scripts' };

/** A project file that is there but not a regular file (a FIFO, a directory) is reported by its reader, never skipped. */
const exists = (f: string): boolean => {
  try {
    fs.lstatSync(f);
    return true;
  } catch {
    return false;
  }
};

/** Whether the value setuptools holds gives `field` (what setuptools' `_PREVIOUSLY_DEFINED` getters see). */
function gives(v: SetuptoolsValue, field: EntryField): boolean {
  if (v.kind !== 'dict') return false;
  if (field === 'scripts') return v.groups.get('console_scripts') === true;
  if (field === 'gui-scripts') return v.groups.get('gui_scripts') === true;
  return [...v.groups.keys()].some((g) => g !== 'console_scripts' && g !== 'gui_scripts');
}

const list = (xs: readonly string[]): string => (xs.length <= 1 ? xs.join('') : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`);

/**
 * The entry points the build writes for the project in `dir`, with the findings of every
 * project file and of their precedence; null when the directory has none of the three files.
 */
export async function readProject(dir: string, options: ProjectOptions): Promise<BuildDeclaration | null> {
  const [ppFile, cfgFile, pyFile] = PYTHON_PROJECT_FILES.map((n) => path.join(dir, n)) as [string, string, string];
  // A project file that is there but is not a regular file (a FIFO, a link to /dev/zero) is
  // reported by its reader, which never blocks on it (§4.1.2), never skipped as if absent.
  const pp = exists(ppFile) ? readPyproject(ppFile) : null;
  const hasCfg = exists(cfgFile);
  const hasPy = exists(pyFile);
  if (pp === null && !hasCfg && !hasPy) return null;
  if (!hasCfg && !hasPy) return pp;
  const build = pp?.build;
  const backend = build?.backend ?? null;
  if (backend !== null && !backend.startsWith('setuptools.build_meta')) {
    // Said only where the file declares entry points: a setup.cfg of tool settings is common.
    const findings: Finding[] = [...pp!.findings];
    const declares = (f: string): boolean => {
      if (f === cfgFile) return isTruthy(readSetupCfg(f).setuptools ?? { kind: 'none' });
      const read = readSmallFile(f);
      return read.ok && read.bytes.includes('entry_points');
    };
    for (const f of [hasCfg ? cfgFile : null, hasPy ? pyFile : null]) {
      if (f !== null && declares(f)) findings.push(finding('EP685', `${path.basename(f)} declares entry points that are not read: the build backend is ${JSON.stringify(backend)}, not setuptools'${build!.backendPath ? ' (an in-tree backend that wraps setuptools.build_meta would read them; epi cannot tell)' : ''}`, { file: f }));
    }
    return { ...pp!, findings };
  }

  const cfg = hasCfg ? readSetupCfg(cfgFile) : null;
  const py = hasPy ? await readSetupPy(pyFile, { python: options.python() }) : null;
  const findings: Finding[] = [...(pp?.findings ?? []), ...(cfg?.findings ?? []), ...(py?.findings ?? [])];
  const S: SetuptoolsValue = py?.setuptools ?? { kind: 'none' };
  const C: SetuptoolsValue = cfg?.setuptools ?? { kind: 'none' };
  const at = (d: BuildDeclaration): { file: string; line: number | undefined } => ({ file: d.file, line: d.line });

  // 1. setup.py, else setup.cfg.
  let first: BuildDeclaration | null = null;
  let value: SetuptoolsValue = { kind: 'none' };
  if (S.kind === 'unknown' || isTruthy(S)) {
    first = py;
    value = S;
    if (cfg !== null && isTruthy(C) && S.kind !== 'unknown') {
      findings.push(finding('EP686', `setup.cfg's entry points are ignored: setup.py passes entry_points to setup()${py!.line !== undefined ? ` (setup.py line ${py!.line})` : ''}, and setuptools keeps that value whole`, at(cfg)));
    }
  } else if (cfg !== null && isTruthy(C)) {
    first = cfg;
    value = C;
  }
  const result = (winner: BuildDeclaration | null, undecided = false, dynamic: readonly string[] = []): BuildDeclaration => ({
    file: winner?.file ?? pp?.file ?? py?.file ?? cfg!.file,
    entries: winner?.entries ?? [],
    findings,
    dynamic,
    undecided,
  });

  // 2. pyproject.toml's [project].
  if (build === undefined || !build.project) return result(first, value.kind === 'unknown');
  if (build.toolDynamic && build.dynamicFields.length > 0) {
    // [tool.setuptools.dynamic] entry-points names a file setuptools reads: not read here.
    return result(pp, false, pp!.dynamic);
  }
  const declared = build.staticFields;
  const neither = ENTRY_FIELDS.filter((f) => !declared.includes(f) && !build.dynamicFields.includes(f));
  if (value.kind === 'unknown') {
    // setup.py's value only matters when [project] does not declare all three.
    return declared.length === ENTRY_FIELDS.length ? result(pp) : result(null, true);
  }
  if (value.kind === 'text' && value.truthy && (neither.length > 0 || build.dynamicFields.length > 0)) {
    findings.push(finding('EP687', `setuptools fails the build ("AttributeError: 'str' object has no attribute 'items'"): ${path.basename(first!.file)} gives entry_points as INI text and pyproject.toml has a [project] table${neither.length > 0 ? ` that neither declares nor lists as dynamic ${list(neither.map((f) => `"${f}"`))}` : ` listing ${list(build.dynamicFields.map((f) => `"${f}"`))} as dynamic`}`, at(first!)));
    return result(null);
  }
  const reset = neither.filter((f) => gives(value, f));
  if (declared.length === 0 && reset.length === 0) return result(first);
  if (first !== null && isTruthy(value)) {
    const why: string[] = [];
    if (reset.length > 0) why.push(`pyproject.toml's [project] table neither declares nor lists as dynamic ${list(reset.map((f) => `"${f}"`))}, so setuptools ignores ${reset.length === 1 ? 'it' : 'them'} (with a warning)`);
    if (declared.length > 0) why.push(`pyproject.toml declares ${list(declared.map((f) => TABLE[f]))}`);
    const lost = build.dynamicFields.filter((f) => gives(value, f));
    const also = lost.length > 0 ? `, dropping its ${list(lost.map((f) => GROUPS[f]))} too although ${list(lost.map((f) => `"${f}"`))} ${lost.length === 1 ? 'is' : 'are'} in project.dynamic` : '';
    findings.push(finding('EP686', `${path.basename(first.file)}'s entry points are ignored: ${why.join('; and ')}; setuptools then keeps only the entry points [project] declares${also}`, at(first)));
  }
  return result(pp);
}
