/**
 * package.json "plugin-entry-points": the declaration of an npm package's entry points
 * (docs/spec.md "npm packages"). The reader is total: whatever the bytes, it returns what it
 * could read and a diagnostic (code, file, JSON pointer, line) for each problem; one bad group or
 * entry never hides the others.
 */
import { isUtf8 } from 'node:buffer';
import { createRequire } from 'node:module';
import { diagnostic, type Diagnostic, type DiagnosticCode } from '../diagnostics.js';
import { LIMITS } from '../limits.js';
import { GROUP_NAME, PY_WORD, pyStrip } from '../python/text.js';

/** The package.json field. Why this name: docs/spec.md "npm packages", the declaration. */
export const PLUGIN_ENTRY_POINTS_FIELD = 'plugin-entry-points';

/** A target's parts: the package module (`.` or `./sub/path`) and the export path after `:`. */
export interface PackageTarget {
  /** `.` (the package itself) or a `./`-relative subpath. */
  readonly module: string;
  /** Property names walked from the module namespace; empty = the namespace itself. */
  readonly exportPath: readonly string[];
}

export type ParsedTarget = ({ readonly ok: true } & PackageTarget) | { readonly ok: false; readonly problem: string };

/** One declared entry point, in declaration order. */
export interface DeclaredEntryPoint {
  readonly group: string;
  readonly name: string;
  /** The target as written. */
  readonly value: string;
  /** JSON pointer of the target in package.json, e.g. `/plugin-entry-points/my.group/yaml`. */
  readonly pointer: string;
  readonly target: ParsedTarget;
}

export interface ParsedPackageJson {
  /** The `name` field when it is a non-empty string. */
  readonly name: string | null;
  /** The `version` field when it is a string. */
  readonly version: string | null;
  /** Whether the package has an `exports` field (then targets resolve through it). */
  readonly hasExports: boolean;
  /** Whether the package declares anything (the field is present). */
  readonly declares: boolean;
  readonly entries: DeclaredEntryPoint[];
  readonly diagnostics: Diagnostic[];
}

/** Strict UTF-8 without a BOM, decoded: Buffer's native check and decoder are several times faster than a fatal TextDecoder. */
function decodeStrict(b: Uint8Array): string {
  if (!isUtf8(b)) throw new TypeError('invalid UTF-8');
  const text = Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** ECMAScript IdentifierName (what may follow a `.` in JavaScript). */
const IDENTIFIER_NAME = /^[\p{ID_Start}$_][\p{ID_Continue}$\u200c\u200d]*$/u;
/** The PyPA recommendation for new names, `[\w.-]+` with Python's Unicode `\w`. */
const RECOMMENDED_NAME = new RegExp(String.raw`^(?:${PY_WORD}|[.-])+$`, 'u');
/** Characters a module subpath may not hold: the `:` separator, URL specials, Windows separators, control characters. */
// eslint-disable-next-line no-control-regex
const BAD_MODULE_CHAR = /[:\\?#%\u0000-\u001f\u007f]/u;

/** RFC 6901 pointer for a path of keys. */
export function jsonPointer(keys: readonly string[]): string {
  return keys.map((k) => '/' + k.replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

/**
 * Parse a target: `module[:export.path]`, where `module` is `.` or `./` followed by
 * `/`-separated segments (none empty, `.`, `..` or `node_modules`, no `\ : ? # %`), and the
 * export path is ECMAScript IdentifierNames separated by dots.
 */
export function parsePackageTarget(value: string): ParsedTarget {
  if (value === '') return { ok: false, problem: 'empty target' };
  if (pyStrip(value) !== value) return { ok: false, problem: 'leading or trailing whitespace' };
  const colon = value.indexOf(':');
  const module = colon < 0 ? value : value.slice(0, colon);
  const path = colon < 0 ? null : value.slice(colon + 1);
  if (module !== '.') {
    if (!module.startsWith('./')) {
      return { ok: false, problem: `module "${module}" must be "." or start with "./" (a module of the package itself)` };
    }
    if (BAD_MODULE_CHAR.test(module)) return { ok: false, problem: `module "${module}" contains a character that is not allowed (\\ : ? # % or a control character)` };
    for (const seg of module.slice(2).split('/')) {
      if (seg === '') return { ok: false, problem: `module "${module}" has an empty path segment` };
      if (seg === '.' || seg === '..') return { ok: false, problem: `module "${module}" has a "${seg}" segment (it must stay inside the package)` };
      if (seg.toLowerCase() === 'node_modules') return { ok: false, problem: `module "${module}" reaches into node_modules (name a module of the package itself)` };
    }
  }
  if (path === null) return { ok: true, module, exportPath: [] };
  const parts = path.split('.');
  for (const p of parts) {
    if (p === '') return { ok: false, problem: `export path "${path}" has an empty part` };
    if (!IDENTIFIER_NAME.test(p)) return { ok: false, problem: `"${p}" in export path "${path}" is not a JavaScript identifier name` };
  }
  return { ok: true, module, exportPath: parts };
}

/** Why `name` breaks the PyPA name rules (no `=`, no surrounding whitespace, not empty, not starting with `[`), or null. */
export function entryPointNameProblem(name: string): string | null {
  if (name === '') return 'empty name';
  if (name.includes('=')) return `name "${name}" contains "="`;
  if (pyStrip(name) !== name) return `name "${name}" starts or ends with whitespace`;
  if (name.startsWith('[')) return `name "${name}" starts with "["`;
  return null;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const kind = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : `a ${typeof v}`);

interface Pending {
  readonly code: DiagnosticCode;
  readonly message: string;
  readonly keys: readonly string[] | null;
  /** A byte-free character offset (JSON syntax errors). */
  readonly offset?: number;
}

/**
 * Read a package.json. Bytes are decoded as strict UTF-8 (a leading BOM is dropped, as npm
 * does); `file` labels diagnostics. Never throws.
 */
export function parsePackageJson(content: string | Uint8Array, options: { file?: string } = {}): ParsedPackageJson {
  const file = options.file;
  const pending: Pending[] = [];
  let text: string;
  const finish = (r: Omit<ParsedPackageJson, 'diagnostics'>): ParsedPackageJson => {
    (r as { diagnostics?: Diagnostic[] }).diagnostics = pending.length === 0 ? [] : locate(text ?? '', pending, file);
    return r as ParsedPackageJson;
  };
  const empty = { name: null, version: null, hasExports: false, declares: false, entries: [] };
  if (typeof content === 'string') {
    text = content.charCodeAt(0) === 0xfeff ? content.slice(1) : content;
  } else {
    try {
      text = decodeStrict(content);
    } catch {
      text = '';
      pending.push({ code: 'EP701', message: 'package.json is not valid UTF-8', keys: null });
      return finish(empty);
    }
  }
  // Deeper than any real package.json: refused before any reader recurses into it (a
  // 100,000-deep one overflowed jsonc-parser's stack, and the whole lookup with it).
  const deep = nestedDeeperThan(text, LIMITS.nestingDepth);
  if (deep !== null) {
    pending.push({ code: 'EP713', message: `package.json nests arrays or objects deeper than ${LIMITS.nestingDepth} levels; the package declares nothing`, keys: null, offset: deep });
    return finish(empty);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    const m = /position (\d+)/.exec((e as Error).message);
    pending.push({ code: 'EP701', message: `package.json is not valid JSON: ${(e as Error).message}`, keys: null, ...(m ? { offset: Number(m[1]) } : {}) });
    return finish(empty);
  }
  if (!isObject(json)) {
    pending.push({ code: 'EP701', message: `package.json holds ${kind(json)}, not an object`, keys: [] });
    return finish(empty);
  }
  const name = typeof json['name'] === 'string' && json['name'] !== '' ? json['name'] : null;
  const version = typeof json['version'] === 'string' ? json['version'] : null;
  const hasExports = json['exports'] !== undefined && json['exports'] !== null;
  const field = json[PLUGIN_ENTRY_POINTS_FIELD];
  const entries: DeclaredEntryPoint[] = [];
  if (field === undefined) return finish({ name, version, hasExports, declares: false, entries });
  if (!isObject(field)) {
    pending.push({ code: 'EP703', message: `"${PLUGIN_ENTRY_POINTS_FIELD}" is ${kind(field)}; it must map group names to objects of entry points`, keys: [PLUGIN_ENTRY_POINTS_FIELD] });
    return finish({ name, version, hasExports, declares: true, entries });
  }
  for (const [group, members] of Object.entries(field)) {
    const gKeys = [PLUGIN_ENTRY_POINTS_FIELD, group];
    if (!GROUP_NAME.test(group)) {
      pending.push({ code: 'EP705', message: `group "${group}" does not match ^\\w+(\\.\\w+)*$`, keys: gKeys });
      continue;
    }
    if (!isObject(members)) {
      pending.push({ code: 'EP704', message: `group "${group}" is ${kind(members)}; it must map entry point names to targets`, keys: gKeys });
      continue;
    }
    for (const [epName, value] of Object.entries(members)) {
      const keys = [...gKeys, epName];
      const problem = entryPointNameProblem(epName);
      if (problem !== null) {
        pending.push({ code: 'EP706', message: problem, keys });
        continue;
      }
      if (typeof value !== 'string') {
        pending.push({ code: 'EP708', message: `the target of "${epName}" is ${kind(value)}, not a string like "./plugin.js:export"`, keys });
        continue;
      }
      if (!RECOMMENDED_NAME.test(epName)) pending.push({ code: 'EP707', message: `name "${epName}" is outside the recommended [\\w.-]+`, keys });
      const target = parsePackageTarget(value);
      if (!target.ok) pending.push({ code: 'EP709', message: `invalid target "${value}": ${target.problem}`, keys });
      entries.push({ group, name: epName, value, pointer: jsonPointer(keys), target });
    }
  }
  return finish({ name, version, hasExports, declares: true, entries });
}

/**
 * The offset of the first `[` or `{` that opens a level deeper than `limit` in JSON text
 * (strings skipped), or null. Linear, no recursion: it runs before anything else looks inside.
 */
export function nestedDeeperThan(text: string, limit: number): number | null {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // A string: to its closing quote, escapes skipped.
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) i++;
        else if (d === 0x22) break;
      }
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return i;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return null;
}

type JsoncParser = typeof import('jsonc-parser');
let jsonc: JsoncParser | undefined;

/**
 * Diagnostics with their lines. Positions are found only when there is something to report,
 * with jsonc-parser (loaded then): JSON.parse gives values, not where they were.
 */
function locate(text: string, pending: readonly Pending[], file: string | undefined): Diagnostic[] {
  if (pending.length === 0) return [];
  const lineOf = lineIndex(text);
  let tree: ReturnType<JsoncParser['parseTree']> | undefined | null = null;
  return pending.map((p) => {
    let offset = p.offset;
    if (offset === undefined && p.keys !== null && p.keys.length > 0) {
      if (tree === null) {
        jsonc ??= createRequire(import.meta.url)('jsonc-parser') as JsoncParser;
        tree = jsonc.parseTree(text);
      }
      const node = tree === undefined ? undefined : jsonc!.findNodeAtLocation(tree, [...p.keys]);
      // The key of a member, else the value.
      offset = node?.parent?.type === 'property' ? node.parent.offset : node?.offset;
    }
    return diagnostic(p.code, p.message, {
      file,
      line: offset === undefined ? (p.keys !== null && p.keys.length === 0 ? 1 : undefined) : lineOf(offset),
      pointer: p.keys === null ? undefined : jsonPointer(p.keys),
    });
  });
}

/** 1-based line of a character offset (line breaks: \n, \r\n, \r). */
function lineIndex(text: string): (offset: number) => number {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) starts.push(i + 1);
  }
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}
