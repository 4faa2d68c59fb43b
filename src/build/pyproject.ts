/**
 * pyproject.toml → entry points (the pyproject specification's "Entry points" section):
 * `[project.scripts]` → console_scripts, `[project.gui-scripts]` → gui_scripts,
 * `[project.entry-points.<group>]` → that group. Backends MUST refuse a
 * `[project.entry-points.console_scripts]` or `gui_scripts` table, and nested tables; fields
 * listed in `project.dynamic` are computed by the backend and cannot be read here.
 *
 * TOML is parsed by smol-toml (loaded when a pyproject.toml is read). It reports no positions
 * for values, so `locateKeys` finds the line of each table and key in the text.
 */
import { createRequire } from 'node:module';
import { readSmallFile, smallFileProblem } from '../fsutil.js';
import { LIMITS } from '../limits.js';
import { finding, type Finding } from '../lint/findings.js';
import { checkEntries, type DeclaredEntry } from '../lint/rules/entries.js';
import type { BuildDeclaration } from './declaration.js';

type SmolToml = typeof import('smol-toml');
let toml: SmolToml | undefined;
const loadToml = (): SmolToml => (toml ??= createRequire(import.meta.url)('smol-toml') as SmolToml);

const utf8 = new TextDecoder('utf-8', { fatal: true });

type Table = Record<string, unknown>;
const isTable = (v: unknown): v is Table => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);

/** The three pyproject fields that hold entry points, with the group each writes. */
const FIELDS = [
  { field: 'scripts', group: 'console_scripts', table: 'project.scripts' },
  { field: 'gui-scripts', group: 'gui_scripts', table: 'project.gui-scripts' },
] as const;

/** The entry point fields of [project]. */
export type EntryField = 'scripts' | 'gui-scripts' | 'entry-points';
export const ENTRY_FIELDS: readonly EntryField[] = ['entry-points', 'scripts', 'gui-scripts'];

/** What decides whether setup.py and setup.cfg count (src/build/project.ts). */
export interface PyprojectBuild {
  /** [build-system] build-backend; null when not given (pip then builds with setuptools' legacy backend). */
  readonly backend: string | null;
  /** [build-system] backend-path is given: an in-tree backend. */
  readonly backendPath: boolean;
  /** A [project] table with something in it (setuptools skips an empty one). */
  readonly project: boolean;
  /** Entry point fields given in [project], and those listed in project.dynamic. */
  readonly staticFields: readonly EntryField[];
  readonly dynamicFields: readonly EntryField[];
  /** [tool.setuptools.dynamic] has entry-points (setuptools reads them from a file). */
  readonly toolDynamic: boolean;
}

export interface PyprojectDeclaration extends BuildDeclaration {
  /** Absent when the file is not TOML. */
  readonly build?: PyprojectBuild;
}

function buildOf(doc: Table): PyprojectBuild {
  const bs = isTable(doc['build-system']) ? doc['build-system'] : {};
  const project = isTable(doc['project']) ? doc['project'] : {};
  const dynamic = Array.isArray(project['dynamic']) ? project['dynamic'] : [];
  const tool = isTable(doc['tool']) && isTable(doc['tool']['setuptools']) && isTable(doc['tool']['setuptools']['dynamic']) ? doc['tool']['setuptools']['dynamic'] : {};
  return {
    backend: typeof bs['build-backend'] === 'string' ? bs['build-backend'] : null,
    backendPath: bs['backend-path'] !== undefined,
    project: Object.keys(project).length > 0,
    staticFields: ENTRY_FIELDS.filter((f) => project[f] !== undefined),
    dynamicFields: ENTRY_FIELDS.filter((f) => dynamic.includes(f)),
    toolDynamic: tool['entry-points'] !== undefined,
  };
}

/** Read pyproject.toml; never throws for what the file contains. */
export function readPyproject(file: string, content?: Uint8Array): PyprojectDeclaration {
  const findings: Finding[] = [];
  const dynamicFields: string[] = [];
  let build: PyprojectBuild | undefined;
  const result = (entries: readonly DeclaredEntry[] = []): PyprojectDeclaration => ({ file, entries, findings, dynamic: dynamicFields, ...(build !== undefined ? { build } : {}) });
  let text: string;
  // As every file epindex reads (§4.1.2): a regular file, within the size limit, never blocking.
  const read = content === undefined ? readSmallFile(file) : null;
  if (read !== null && !read.ok) {
    findings.push(finding('EP660', `pyproject.toml ${smallFileProblem(read)}`, { file }));
    return result();
  }
  try {
    text = utf8.decode(content ?? read!.bytes);
  } catch {
    findings.push(finding('EP660', 'pyproject.toml is not valid UTF-8', { file }));
    return result();
  }
  let doc: Table;
  try {
    // smol-toml counts nesting itself; the limit is epindex's (§10), not the library's default.
    doc = loadToml().parse(text, { maxDepth: LIMITS.nestingDepth }) as Table;
  } catch (e) {
    const err = e as { message?: string; line?: number; column?: number };
    findings.push(finding('EP660', (err.message ?? String(e)).split('\n')[0]!, { file, line: err.line, column: err.column }));
    return result();
  }
  build = buildOf(doc);
  const lines = locateKeys(text);
  const lineOf = (...keyPath: string[]): number | undefined => {
    for (let n = keyPath.length; n > 0; n--) {
      const l = lines.get(keyPath.slice(0, n).join('\0'));
      if (l !== undefined) return l;
    }
    return undefined;
  };
  const project = doc['project'];
  if (!isTable(project)) {
    const poetry = isTable(doc['tool']) && isTable((doc['tool'] as Table)['poetry']) ? ' ([tool.poetry] is there: Poetry translates its own scripts and plugins when it builds)' : '';
    findings.push(finding('EP665', `no [project] table, so no entry points are declared here${poetry}`, { file }));
    return result();
  }
  const dynamic = Array.isArray(project['dynamic']) ? project['dynamic'].filter((x): x is string => typeof x === 'string') : [];
  const entries: DeclaredEntry[] = [];

  for (const { field, group, table } of FIELDS) {
    const v = project[field];
    if (dynamic.includes(field)) {
      dynamicFields.push(field);
      if (v !== undefined) findings.push(finding('EP664', `"${field}" is in project.dynamic and [${table}] is also given`, { file, line: lineOf('project', field) }));
      else findings.push(finding('EP663', `"${field}" is in project.dynamic: the backend computes the ${group} at build time`, { file, line: lineOf('project', 'dynamic') }));
      continue;
    }
    if (v === undefined) continue;
    if (!isTable(v)) {
      findings.push(finding('EP662', `[${table}] is not a table`, { file, line: lineOf('project', field) }));
      continue;
    }
    for (const [name, value] of Object.entries(v)) {
      const line = lineOf('project', field, name);
      if (typeof value !== 'string') {
        findings.push(finding('EP662', `${table}.${JSON.stringify(name)} is ${isTable(value) ? 'a table' : `a ${describe(value)}`}, not a string "module:function"`, { file, line }));
        continue;
      }
      entries.push({ group, name, value, file, line });
    }
  }

  const eps = project['entry-points'];
  if (dynamic.includes('entry-points')) {
    dynamicFields.push('entry-points');
    if (eps !== undefined) findings.push(finding('EP664', '"entry-points" is in project.dynamic and [project.entry-points] is also given', { file, line: lineOf('project', 'entry-points') }));
    else findings.push(finding('EP663', '"entry-points" is in project.dynamic: the backend computes the entry point groups at build time', { file, line: lineOf('project', 'dynamic') }));
  } else if (eps !== undefined) {
    if (!isTable(eps)) {
      findings.push(finding('EP662', '[project.entry-points] is not a table of groups', { file, line: lineOf('project', 'entry-points') }));
    } else {
      for (const [group, members] of Object.entries(eps)) {
        const line = lineOf('project', 'entry-points', group);
        if (group === 'console_scripts' || group === 'gui_scripts') {
          findings.push(finding('EP661', `[project.entry-points.${group}] is not allowed; use [project.${group === 'console_scripts' ? 'scripts' : 'gui-scripts'}]`, { file, line }));
          continue;
        }
        if (!isTable(members)) {
          findings.push(finding('EP662', `project.entry-points.${JSON.stringify(group)} is a ${describe(members)}, not a table of entry points`, { file, line }));
          continue;
        }
        for (const [name, value] of Object.entries(members)) {
          const at = lineOf('project', 'entry-points', group, name);
          if (typeof value !== 'string') {
            findings.push(finding('EP662', isTable(value)
              ? `[project.entry-points.${group}.${name}] is a nested table; entry point groups are flat tables of strings`
              : `project.entry-points.${group}.${JSON.stringify(name)} is a ${describe(value)}, not a string`, { file, line: at }));
            continue;
          }
          entries.push({ group, name, value, file, line: at });
        }
      }
    }
  }
  findings.push(...checkEntries(entries));
  return result(entries);
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v instanceof Date) return 'date';
  if (isTable(v)) return 'table';
  return typeof v === 'bigint' ? 'integer' : typeof v;
}

// ---------------------------------------------------------------------------------------------
// Where each table and key is: a line scanner good enough for finding positions (the parse
// itself is smol-toml's). Keys are joined with NUL: `project\0scripts\0name`.

const BARE = /^[A-Za-z0-9_-]+/;

function readKey(s: string): { parts: string[]; rest: string } | null {
  const parts: string[] = [];
  let rest = s.trimStart();
  for (;;) {
    let m: RegExpExecArray | null;
    if ((m = /^"((?:[^"\\]|\\.)*)"/.exec(rest))) {
      parts.push(unescapeBasic(m[1]!));
    } else if ((m = /^'([^']*)'/.exec(rest))) {
      parts.push(m[1]!);
    } else if ((m = BARE.exec(rest))) {
      parts.push(m[0]);
    } else {
      return null;
    }
    rest = rest.slice(m[0].length).trimStart();
    if (rest.startsWith('.')) {
      rest = rest.slice(1).trimStart();
      continue;
    }
    return { parts, rest };
  }
}

function unescapeBasic(s: string): string {
  return s.replace(/\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)/g, (_, e: string) => {
    if (e.length > 1) return String.fromCodePoint(parseInt(e.slice(1), 16));
    return ({ n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', '"': '"', '\\': '\\' } as Record<string, string>)[e] ?? e;
  });
}

export function locateKeys(text: string): Map<string, number> {
  const out = new Map<string, number>();
  let table: string[] = [];
  let inMultiline: string | null = null;
  text.split(/\r?\n/).forEach((line, i) => {
    const n = i + 1;
    if (inMultiline !== null) {
      if (line.includes(inMultiline)) inMultiline = null;
      return;
    }
    const s = line.trimStart();
    if (s.startsWith('[[')) {
      const k = readKey(s.slice(2));
      table = k ? k.parts : [];
      return;
    }
    if (s.startsWith('[')) {
      const k = readKey(s.slice(1));
      if (k && k.rest.startsWith(']')) {
        table = k.parts;
        const key = table.join('\0');
        if (!out.has(key)) out.set(key, n);
      }
      return;
    }
    const k = readKey(s);
    if (k && k.rest.startsWith('=')) {
      const full = [...table, ...k.parts];
      for (let j = table.length + 1; j <= full.length; j++) {
        const key = full.slice(0, j).join('\0');
        if (!out.has(key)) out.set(key, n);
      }
      const after = k.rest.slice(1).trimStart();
      const inline = /^\{(.*)\}\s*(#.*)?$/.exec(after);
      if (inline) {
        // An inline table on one line: its keys are on this line too.
        for (const part of inline[1]!.split(',')) {
          const ik = readKey(part);
          if (ik && ik.rest.startsWith('=')) {
            const key = [...full, ...ik.parts].join('\0');
            if (!out.has(key)) out.set(key, n);
          }
        }
      }
      for (const q of ['"""', "'''"]) {
        const at = after.indexOf(q);
        if (at >= 0 && after.indexOf(q, at + 3) < 0) inMultiline = q;
      }
    }
  });
  return out;
}
