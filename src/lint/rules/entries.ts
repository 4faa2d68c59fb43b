/**
 * Rules on entry points themselves (group, name, value), whatever file declared them:
 * entry_points.txt, pyproject.toml, setup.cfg (and, later, package.json).
 */
import { parseObjectReference } from '../../entry-point.js';
import { GROUP_NAME, PY_WORD, pyStrip } from '../../python/text.js';
import { finding, type Finding } from '../findings.js';

/** One declared entry point with where it was declared. */
export interface DeclaredEntry {
  readonly group: string;
  readonly name: string;
  readonly value: string;
  readonly file?: string | undefined;
  readonly line?: number | undefined;
}

export const SCRIPT_GROUPS: ReadonlySet<string> = new Set(['console_scripts', 'gui_scripts']);

/**
 * importlib.metadata's own object-reference pattern (3.10+, and the one CPython 3.15 enforces
 * when reading): `(?P<module>[\w.]+)\s*(:\s*(?P<attr>[\w.]+)\s*)?((?P<extras>\[.*\])\s*)?$`
 * with Python's Unicode `\w` and `\s`. More lenient than the spec (`a..b`, `1abc` pass).
 */
const PY_SPACE = String.raw`[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]`;
const IMPORTLIB_PATTERN = new RegExp(String.raw`^[${PY_WORD.slice(1, -1)}.]+${PY_SPACE}*(?::${PY_SPACE}*[${PY_WORD.slice(1, -1)}.]+${PY_SPACE}*)?(?:\[[^\n]*\]${PY_SPACE}*)?\n?$`, 'u');

/** Whether importlib.metadata's pattern accepts the value (CPython 3.15 raises ValueError otherwise). */
export function importlibAccepts(value: string): boolean {
  return IMPORTLIB_PATTERN.test(value);
}

const BREAKS = /[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/;
const RECOMMENDED_NAME = new RegExp(String.raw`^(?:${PY_WORD}|[.-])+$`, 'u');
// Control characters, path separators: what cannot be (part of) a file name on some system.
const UNSAFE_FILE_CHAR = /[\x00-\x1f\x7f/\\]/;

export interface EntryCheckOptions {
  /**
   * The entries come from a reader that strips names and values and splits lines
   * (entry_points.txt): checks that only declarations can fail are skipped.
   */
  readonly read?: boolean;
}

/** Spec and value-portability rules on a list of entry points (file order), plus cross-entry rules. */
export function checkEntries(entries: readonly DeclaredEntry[], options: EntryCheckOptions = {}): Finding[] {
  const out: Finding[] = [];
  const at = (e: DeclaredEntry) => ({ file: e.file, line: e.line });
  const q = JSON.stringify;
  const seenGroups = new Set<string>();
  for (const e of entries) {
    if (!options.read && !seenGroups.has(e.group)) {
      seenGroups.add(e.group);
      if (!GROUP_NAME.test(e.group)) out.push(finding('EP601', `invalid group name ${q(e.group)} (must match ^\\w+(\\.\\w+)*$)`, at(e)));
    }
    if (!options.read) {
      if (BREAKS.test(e.group) || BREAKS.test(e.name) || BREAKS.test(e.value)) {
        out.push(finding('EP606', `line break in [${e.group}] ${q(e.name)} = ${q(e.value)}: it cannot be written to entry_points.txt`, at(e)));
        continue;
      }
      if (e.name.includes('=')) out.push(finding('EP602', `name ${q(e.name)} in [${e.group}] contains "="; readers split at the first "=" and read name ${q(pyStrip(e.name.slice(0, e.name.indexOf('='))))}`, at(e)));
      if (e.name !== '' && pyStrip(e.name) !== e.name) out.push(finding('EP604', `name ${q(e.name)} in [${e.group}] starts or ends with whitespace; readers read ${q(pyStrip(e.name))}`, at(e)));
      if (e.name.startsWith('#')) out.push(finding('EP614', `name ${q(e.name)} in [${e.group}] starts with "#": every reader takes the line for a comment and loses the entry point`, at(e)));
    }
    const name = options.read ? e.name : pyStrip(e.name);
    if (name === '') out.push(finding('EP605', `entry point with an empty name in [${e.group}] (value ${q(e.value)})`, at(e)));
    else if (name.startsWith('[')) out.push(finding('EP603', `name ${q(name)} in [${e.group}] starts with "["`, at(e)));
    else if (name.startsWith(';')) out.push(finding('EP634', `name ${q(name)} in [${e.group}] starts with ";"`, at(e)));
    checkValue(e, out);
    if (SCRIPT_GROUPS.has(e.group) && name !== '') checkScriptName(e.group, name, e, out);
  }
  // Cross-entry rules: duplicates, case collisions, console/gui collisions.
  const byKey = new Map<string, DeclaredEntry>();
  const scripts = new Map<string, DeclaredEntry>();
  for (const e of entries) {
    const name = options.read ? e.name : pyStrip(e.name);
    const key = `${e.group}\0${name}`;
    const first = byKey.get(key);
    if (first !== undefined) {
      out.push(finding('EP612', `${q(name)} appears twice in [${e.group}]${first.line !== undefined ? ` (first on line ${first.line})` : ''}`, at(e)));
      continue;
    }
    byKey.set(key, e);
    if (!SCRIPT_GROUPS.has(e.group) || name === '') continue;
    const folded = name.toLowerCase();
    const other = scripts.get(folded);
    if (other === undefined) {
      scripts.set(folded, e);
    } else {
      const otherName = options.read ? other.name : pyStrip(other.name);
      if (otherName === name) out.push(finding('EP611', `script ${q(name)} is in both [${other.group}] and [${e.group}]`, at(e)));
      else out.push(finding('EP610', `script ${q(name)} in [${e.group}] and ${q(otherName)} in [${other.group}] differ only in case`, at(e)));
    }
  }
  return out;
}

function checkValue(e: DeclaredEntry, out: Finding[]): void {
  const q = JSON.stringify;
  const at = { file: e.file, line: e.line };
  const value = pyStrip(e.value);
  if (value === '') {
    out.push(finding('EP606', `entry point ${q(e.name)} in [${e.group}] has an empty value`, at));
    out.push(finding('EP629', `empty value of ${q(e.name)} in [${e.group}]`, at));
    return;
  }
  const ref = parseObjectReference(value);
  if (!ref.ok) out.push(finding('EP606', `invalid object reference ${q(value)} for ${q(e.name)} in [${e.group}]: ${ref.problem}`, at));
  else if (ref.extras.length > 0) out.push(finding('EP613', `${q(e.name)} in [${e.group}] has extras [${ref.extras.join(', ')}]`, at));
  if (/\s[#;]/u.test(value)) out.push(finding('EP621', `value of ${q(e.name)} in [${e.group}] contains an inline comment: ${q(value)}`, at));
  if (value.includes('%')) out.push(finding('EP625', `value of ${q(e.name)} in [${e.group}] contains "%": ${q(value)}`, at));
  if (!importlibAccepts(value)) out.push(finding('EP629', `${q(value)} (${q(e.name)} in [${e.group}]) does not match importlib.metadata's object-reference pattern`, at));
  if (ref.ok && ref.attr === null && SCRIPT_GROUPS.has(e.group)) {
    out.push(finding('EP607', `script ${q(e.name)} in [${e.group}] names module ${q(ref.module)} without ":function"`, at));
  }
}

function checkScriptName(group: string, name: string, e: DeclaredEntry, out: Finding[]): void {
  const q = JSON.stringify;
  const at = { file: e.file, line: e.line };
  if (UNSAFE_FILE_CHAR.test(name) || name === '.' || name === '..') {
    out.push(finding('EP608', `script name ${q(name)} in [${group}] is not a safe file name`, at));
  } else if (!RECOMMENDED_NAME.test(name)) {
    out.push(finding('EP609', `script name ${q(name)} in [${group}] has characters outside letters, digits, "_", "." and "-"`, at));
  }
}
