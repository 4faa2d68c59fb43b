/**
 * setup.py → entry points, read statically: the file is parsed with Python's `ast` in the
 * chosen interpreter (python/src/epindex/_setup_py.py) and never executed. The helper returns
 * the literal value of `setup(entry_points=…)` with source lines; this module reads that value
 * as setuptools does (setuptools/_entry_points.py `load`, which egg_info's `write_entries` calls):
 *
 * - a dict: each key is a group; its value (a string, or a list/tuple/set of strings, nested
 *   as deep as one likes) goes through jaraco.text's `yield_lines` — `str.splitlines`, each
 *   line stripped, blank and `#` lines dropped — and the lines are read under a `[group]`
 *   header by importlib.metadata's reader;
 * - a string: INI text, read by that reader as it is (no byte order mark removed);
 * - None, `{}` or `''`: no entry points (and setup.cfg's are used: see project.ts);
 * - anything else fails the build.
 *
 * Whatever setup.py computes (EP681) is left to the build: nothing is written for it.
 */
import * as path from 'node:path';
import { errnoText, readSmallFile } from '../fsutil.js';
import { LIMITS } from '../limits.js';
import { finding, type Finding } from '../lint/findings.js';
import { checkEntries, type DeclaredEntry } from '../lint/rules/entries.js';
import { choosePython } from '../python/find-python.js';
import { probeVersion, pythonPackageDir, runBounded, stoppedReason } from '../python/interpreter.js';
import { pySplitlines, pyStrip } from '../python/text.js';
import type { BuildDeclaration, SetuptoolsValue } from './declaration.js';
import { readEntryPointsText } from './setup-cfg.js';

export interface SetupPyOptions {
  /** The interpreter whose `ast` parses setup.py (chosen as every command chooses one). */
  readonly python: string;
}

/**
 * The interpreter that parses setup.py, chosen as every command chooses one (docs/spec.md
 * §4.4.1): `--python`'s request, else the environment's. Chosen when first asked for.
 */
export function setupPyInterpreter(request: string | undefined): () => string {
  let chosen: string | undefined;
  return () => (chosen ??= choosePython(request, { probe: probeVersion }).command);
}

// ---------------------------------------------------------------------------------------------
// The helper's answer

type Node =
  | { t: 'str'; line: number | null; v: string; lines: number[] }
  | { t: 'dict'; line: number | null; items: Array<{ key: Node; value: Node }>; duplicates: Array<{ key: string; line: number | null; first: number | null }> }
  | { t: 'list'; line: number | null; kind: string; items: Node[] }
  | { t: 'none'; line: number | null }
  | { t: 'other'; line: number | null; type: string }
  | { t: 'computed'; line: number | null; what: string };

type Answer =
  | { calls: number[]; given: boolean; line: number | null; value: Node | null; computed: Node[] }
  | { error: { kind: 'size' | 'encoding' | 'syntax'; line: number | null; message: string } }
  | { tooOld: string };

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isLine = (v: unknown): v is number | null => v === null || (typeof v === 'number' && Number.isInteger(v) && v > 0);
const isStr = (v: unknown): v is string => typeof v === 'string';

/** The answer's shape, checked before it is used (an interpreter may print anything). */
function checkNode(v: unknown, depth = 0): v is Node {
  if (!isObj(v) || !isLine(v['line']) || depth > 200) return false;
  switch (v['t']) {
    case 'str': return isStr(v['v']) && Array.isArray(v['lines']) && v['lines'].every((l) => isLine(l) && l !== null);
    case 'dict': return Array.isArray(v['items']) && v['items'].every((i) => isObj(i) && checkNode(i['key'], depth + 1) && checkNode(i['value'], depth + 1))
      && Array.isArray(v['duplicates']) && v['duplicates'].every((d) => isObj(d) && isStr(d['key']) && isLine(d['line']) && isLine(d['first']));
    case 'list': return isStr(v['kind']) && Array.isArray(v['items']) && v['items'].every((i) => checkNode(i, depth + 1));
    case 'none': return true;
    case 'other': return isStr(v['type']);
    case 'computed': return isStr(v['what']);
    default: return false;
  }
}

function checkAnswer(v: unknown): v is Answer {
  if (!isObj(v)) return false;
  if ('tooOld' in v) return isStr(v['tooOld']);
  if ('error' in v) {
    const e = v['error'];
    return isObj(e) && ['size', 'encoding', 'syntax'].includes(e['kind'] as string) && isLine(e['line']) && isStr(e['message']);
  }
  return Array.isArray(v['calls']) && v['calls'].every((l) => isLine(l) && l !== null) && typeof v['given'] === 'boolean' && isLine(v['line'])
    && (v['value'] === null || checkNode(v['value'])) && Array.isArray(v['computed']) && v['computed'].every((n) => checkNode(n));
}

// ---------------------------------------------------------------------------------------------
// Running the helper: in its own process group, killed as a group at its deadline

/** Imports nothing but sys before it knows the interpreter is new enough for the helper. */
export const SETUP_PY_BOOT = [
  'import sys',
  'if sys.version_info < (3, 9):',
  '    sys.stdout.write(\'{"tooOld": "%d.%d.%d"}\' % tuple(sys.version_info[:3]))',
  '    sys.exit(0)',
  'import runpy',
  'sys.argv = sys.argv[1:]',
  'runpy.run_path(sys.argv[0], run_name="__main__")',
].join('\n');

type Run = { ok: true; stdout: string } | { ok: false; why: string };

/** Where the helper is: python/src/epindex/_setup_py.py of epi's copy of the Python package. */
function setupPyHelper(): string | null {
  const dir = pythonPackageDir();
  return dir === null ? null : path.join(dir, 'epindex', '_setup_py.py');
}

/**
 * `python -I -S -c BOOT helper LIMIT` with setup.py on stdin, bounded as every interpreter epi
 * runs (src/python/interpreter.ts `runBounded`: its own process group, killed at the deadline;
 * output past 64 MiB stops it).
 */
async function runHelper(python: string, helper: string, input: Uint8Array): Promise<Run> {
  const r = await runBounded(python, ['-I', '-S', '-c', SETUP_PY_BOOT, helper, String(LIMITS.fileBytes)], input);
  if (r.error !== null) return { ok: false, why: r.error.code === 'ENOENT' ? 'not found' : errnoText(r.error) };
  const stopped = stoppedReason(r);
  if (stopped !== null) return { ok: false, why: stopped };
  if (r.code !== 0) return { ok: false, why: r.signal !== null ? `killed by ${r.signal}` : r.stderr.trim().split('\n').pop() || `exit status ${r.code}` };
  return { ok: true, stdout: r.stdout };
}

// ---------------------------------------------------------------------------------------------
// Reading the value as setuptools does

type Where = (line: number) => { file: string; line: number | undefined };

/** A string's lines with their source lines (`str.splitlines`, as yield_lines splits). */
function strLines(n: Extract<Node, { t: 'str' }>): Array<{ text: string; line: number | undefined }> {
  return pySplitlines(n.v).map((text, i) => ({ text, line: n.lines[i] ?? n.line ?? undefined }));
}

const article = (noun: string): string => `${/^[aeiou]/i.test(noun) ? 'an' : 'a'} ${noun}`;
const what = (n: Node): string => (n.t === 'other' ? article(n.type) : n.t === 'none' ? 'None' : n.t === 'dict' ? 'a dict' : n.t === 'list' ? article(n.kind) : n.t === 'str' ? 'a string' : 'computed');

function computedIn(n: Node, out: Array<Extract<Node, { t: 'computed' }>>): void {
  if (n.t === 'computed') out.push(n);
  else if (n.t === 'list') for (const i of n.items) computedIn(i, out);
  else if (n.t === 'dict') for (const i of n.items) {
    computedIn(i.key, out);
    computedIn(i.value, out);
  }
}

/**
 * Read setup.py's `entry_points`; never throws for what the file contains. `undecided` when
 * setup.py computes them or could not be read (no interpreter, a failure): findings say why.
 */
export async function readSetupPy(file: string, options: SetupPyOptions): Promise<BuildDeclaration> {
  const findings: Finding[] = [];
  const unknown = (): BuildDeclaration => ({ file, entries: [], findings, dynamic: [], setuptools: { kind: 'unknown' }, undecided: true });
  const read = readSmallFile(file);
  if (!read.ok) {
    const why = read.problem === 'absent' ? 'does not exist' : read.problem === 'not-regular' ? `is ${read.what}, not a regular file` : read.problem === 'too-large' ? `has ${read.size} bytes, over the limit of ${read.limit}` : `cannot be read (${read.text})`;
    findings.push(finding('EP680', `setup.py ${why}`, { file }));
    return unknown();
  }
  const helper = setupPyHelper();
  if (helper === null) {
    findings.push(finding('EP684', 'setup.py not read: epi\'s Python helper (python/src/epindex/_setup_py.py) is missing from its installation', { file }));
    return unknown();
  }
  const run = await runHelper(options.python, helper, read.bytes);
  const notRead = (why: string): BuildDeclaration => {
    findings.push(finding('EP684', `setup.py not read: ${why}`, { file }));
    return unknown();
  };
  if (!run.ok) return notRead(`cannot run the Python interpreter ${JSON.stringify(options.python)}: ${run.why}${run.why === 'not found' ? ' (give one with --python)' : ''}`);
  let answer: unknown;
  try {
    answer = JSON.parse(run.stdout);
  } catch {
    return notRead(`the Python interpreter ${JSON.stringify(options.python)} did not answer in JSON`);
  }
  if (!checkAnswer(answer)) return notRead(`the Python interpreter ${JSON.stringify(options.python)} gave an answer of the wrong shape`);
  if ('tooOld' in answer) return notRead(`epi reads setup.py with Python 3.9 or later; ${JSON.stringify(options.python)} is ${answer.tooOld} (give another with --python)`);
  if ('error' in answer) {
    findings.push(finding('EP680', `setup.py ${answer.error.kind === 'syntax' ? 'cannot be parsed' : ''}${answer.error.kind === 'syntax' ? ': ' : ''}${answer.error.message}`, { file, line: answer.error.line ?? undefined }));
    return unknown();
  }
  return fromAnswer(file, answer, findings);
}

function fromAnswer(file: string, a: Extract<Answer, { calls: number[] }>, findings: Finding[]): BuildDeclaration {
  const result = (entries: readonly DeclaredEntry[], setuptools: SetuptoolsValue, undecided = false): BuildDeclaration =>
    ({ file, entries, findings, dynamic: [], setuptools, line: a.line ?? undefined, undecided });
  const decides = 'the build decides its entry points';
  if (a.calls.length === 0) {
    findings.push(finding('EP681', `setup.py calls setuptools' setup() nowhere epi can see (an import of setup from setuptools or distutils.core, or setuptools.setup); ${decides}`, { file }));
    return result([], { kind: 'unknown' }, true);
  }
  if (a.calls.length > 1) {
    for (const line of a.calls) findings.push(finding('EP681', `setup() is called ${a.calls.length} times (lines ${a.calls.join(', ')}): which call runs is decided when setup.py runs`, { file, line }));
    return result([], { kind: 'unknown' }, true);
  }
  const computed: Array<Extract<Node, { t: 'computed' }>> = [];
  for (const n of a.computed) computedIn(n, computed);
  if (a.value !== null) computedIn(a.value, computed);
  if (computed.length > 0) {
    const at = a.line !== null ? `entry_points (line ${a.line})` : 'entry_points';
    for (const c of computed) findings.push(finding('EP681', `${at}: ${c.what}${c.line !== null && !c.what.includes(`line ${c.line}`) ? ` at line ${c.line}` : ''}; ${decides}`, { file, line: c.line ?? a.line ?? undefined }));
    return result([], { kind: 'unknown' }, true);
  }
  const v = a.value;
  if (!a.given || v === null || v.t === 'none') return result([], { kind: 'none' });
  const at = (line: number | null | undefined): { file: string; line: number | undefined } => ({ file, line: line ?? a.line ?? undefined });

  if (v.t === 'str') {
    const lines = strLines(v);
    const where: Where = (line) => at(lines[line - 1]?.line);
    const entries = readEntryPointsText(v.v, where, findings, 'EP683');
    findings.push(...checkEntries(entries));
    return result(entries, { kind: 'text', truthy: v.v !== '' });
  }
  if (v.t !== 'dict') {
    findings.push(finding('EP682', `entry_points is ${what(v)}: setuptools fails the build ("'${v.t === 'list' ? v.kind : v.t === 'other' ? v.type : v.t}' object has no attribute 'items'"); give a dict {group: [lines]} or INI text`, at(v.line)));
    return result([], { kind: 'unknown' });
  }
  for (const d of v.duplicates) findings.push(finding('EP688', `group ${JSON.stringify(d.key)} is given twice in the dict (lines ${d.first ?? '?'} and ${d.line ?? '?'}): Python keeps the second value, and the first group's entry points are lost`, at(d.line)));
  const entries: DeclaredEntry[] = [];
  const groups = new Map<string, boolean>();
  for (const { key, value } of v.items) {
    if (key.t !== 'str') {
      findings.push(finding('EP682', `a group of entry_points is ${what(key)}, not a string`, at(key.line)));
      continue;
    }
    const group = key.v;
    groups.set(group, truthy(value));
    // yield_lines: strings split into lines, any iterable flattened; anything else is a TypeError.
    const lines: Array<{ text: string; line: number | undefined }> = [];
    const bad: Node[] = [];
    const flatten = (n: Node): void => {
      if (n.t === 'str') lines.push(...strLines(n));
      else if (n.t === 'list') for (const i of n.items) flatten(i);
      else bad.push(n);
    };
    flatten(value);
    if (bad.length > 0) {
      for (const b of bad) findings.push(finding('EP682', `group ${JSON.stringify(group)} holds ${what(b)}: setuptools wants a string or a list of strings (${b.t === 'dict' ? 'it would read the keys as lines' : 'the build fails with TypeError'})`, at(b.line)));
      continue;
    }
    const kept = lines.map((l) => ({ text: pyStrip(l.text), line: l.line })).filter((l) => l.text !== '' && !l.text.startsWith('#'));
    const text = `[${group}]\n` + kept.map((l) => l.text).join('\n');
    const where: Where = (line) => at(line === 1 ? key.line : kept[line - 2]?.line);
    entries.push(...readEntryPointsText(text, where, findings, 'EP683'));
  }
  findings.push(...checkEntries(entries));
  return result(entries, { kind: 'dict', groups });
}

/** Python's truth value of a group's value (what `dist.entry_points.get('console_scripts')` gives). */
function truthy(n: Node): boolean {
  switch (n.t) {
    case 'str': return n.v !== '';
    case 'list': return n.items.length > 0;
    case 'dict': return n.items.length > 0;
    case 'none': return false;
    default: return true;
  }
}
