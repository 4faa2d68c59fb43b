/**
 * What is at a launcher's path: nothing, a launcher a known installer wrote (epindex, pip's
 * distlib, uv, pypa/installer, setuptools' easy_install), or something else — a foreign file,
 * never replaced without `--force`, or a directory / special file, never replaced at all.
 *
 * A launcher is recognised by its structure, not its bytes, so every template variant of those
 * installers is known (see docs/spec.md "Scripts (launchers)", detection rules):
 * a prelude (`#!path`, the `/bin/sh` `'''exec'` trick, uv's relocatable `realpath` form,
 * epindex's relocatable form), then only these lines: blank lines, a coding comment, epindex's
 * marker, `import re` / `import sys`, exactly one `from M import N`, `if __name__ == '__main__':`,
 * one known way of cleaning `sys.argv[0]`, and `sys.exit(N...())`.
 */
import * as fs from 'node:fs';
import { errnoCode } from '../errors.js';
import { isPyIdentifier } from '../python/text.js';
import { MARKER_PREFIX, RELOCATABLE_HEAD, type LauncherMarker, type LauncherTarget } from './launcher.js';

export type Writer = 'epindex' | 'pip' | 'uv' | 'installer' | 'setuptools';

export type InterpreterRef =
  /** An absolute path (the plain `#!` line or the `'''exec'` line), with interpreter arguments if any. */
  | { readonly kind: 'absolute'; readonly path: string; readonly args: readonly string[] }
  /** Relative to the launcher's real directory: epindex's relocatable form, or uv's (needs `realpath`). */
  | { readonly kind: 'relative'; readonly relative: string; readonly resolver: 'epindex' | 'uv-realpath' }
  /** `#!/usr/bin/env python3`: whatever that command finds on PATH. */
  | { readonly kind: 'command'; readonly text: string };

export interface KnownLauncher {
  readonly kind: 'launcher';
  readonly writer: Writer;
  /** The exact text of the prelude; `repair` replaces it and keeps the body. */
  readonly prelude: string;
  readonly body: string;
  readonly interpreter: InterpreterRef;
  /** What it runs; null for setuptools' easy_install launchers, which name the entry point instead. */
  readonly target: LauncherTarget | null;
  /** setuptools' `# EASY-INSTALL-ENTRY-SCRIPT: 'dist','group','name'`. */
  readonly entryPoint: { readonly dist: string; readonly group: string; readonly name: string } | null;
  readonly marker: LauncherMarker | null;
}

export interface FileStat {
  readonly dev: number;
  readonly ino: number;
  readonly mode: number;
  readonly executable: boolean;
}

export type Inspection =
  | { readonly kind: 'missing' }
  | (KnownLauncher & { readonly stat: FileStat })
  | { readonly kind: 'foreign'; readonly why: string; readonly stat: FileStat }
  | { readonly kind: 'symlink'; readonly target: string }
  | { readonly kind: 'not-a-file'; readonly why: string }
  | { readonly kind: 'unreadable'; readonly why: string };

/** Launchers are a few hundred bytes; anything much larger is not one of them. */
const MAX_LAUNCHER_BYTES = 64 * 1024;

export function inspectPath(file: string): Inspection {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(file);
  } catch (e) {
    const code = errnoCode(e);
    if (code === 'ENOENT') return { kind: 'missing' };
    if (code === 'ENOTDIR') return { kind: 'not-a-file', why: 'a parent is not a directory' };
    return { kind: 'unreadable', why: `cannot be examined (${code})` };
  }
  if (st.isSymbolicLink()) {
    let target = '';
    try {
      target = fs.readlinkSync(file);
    } catch {
      /* shown as an empty target */
    }
    return { kind: 'symlink', target };
  }
  if (st.isDirectory()) return { kind: 'not-a-file', why: 'a directory' };
  if (!st.isFile()) return { kind: 'not-a-file', why: 'not a regular file' };
  const stat: FileStat = { dev: st.dev, ino: st.ino, mode: st.mode & 0o7777, executable: (st.mode & 0o111) !== 0 };
  if (st.size > MAX_LAUNCHER_BYTES) return { kind: 'foreign', why: 'too large to be a launcher', stat };
  let bytes: Buffer;
  try {
    // O_NONBLOCK: the name may be a FIFO by now (swapped since the lstat); fstat says.
    const fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0) | (fs.constants.O_NONBLOCK ?? 0));
    try {
      if (!fs.fstatSync(fd).isFile()) throw Object.assign(new Error('not a regular file'), { code: 'EINVAL' });
      bytes = Buffer.alloc(MAX_LAUNCHER_BYTES + 1);
      const n = fs.readSync(fd, bytes, 0, bytes.length, 0);
      bytes = bytes.subarray(0, n);
    } finally {
      fs.closeSync(fd);
    }
  } catch (e) {
    return { kind: 'unreadable', why: `cannot be read (${errnoCode(e)})` };
  }
  return { ...parseLauncher(bytes), stat };
}

/** Recognise a launcher from its bytes. */
export function parseLauncher(bytes: Uint8Array): KnownLauncher | { readonly kind: 'foreign'; readonly why: string } {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return { kind: 'foreign', why: 'not UTF-8 text (a binary?)' };
  }
  if (text.includes('\0')) return { kind: 'foreign', why: 'holds NUL bytes (a binary?)' };
  if (!text.startsWith('#!')) return { kind: 'foreign', why: 'no #! line' };
  const split = splitPrelude(text);
  if (split === null) return { kind: 'foreign', why: 'a /bin/sh prelude epindex does not know' };
  const body = parseBody(split.body);
  if (body.kind === 'foreign') return body;
  return {
    kind: 'launcher',
    writer: body.writer,
    prelude: split.prelude,
    body: split.body,
    interpreter: split.interpreter,
    target: body.target,
    entryPoint: body.entryPoint,
    marker: body.marker,
  };
}

// ---------------------------------------------------------------------------------------------
// Preludes

const lineEnd = (text: string, from: number): number => {
  const i = text.indexOf('\n', from);
  return i < 0 ? text.length : i + 1;
};

export function splitPrelude(text: string): { prelude: string; body: string; interpreter: InterpreterRef } | null {
  const l1 = lineEnd(text, 0);
  const first = text.slice(0, l1).replace(/\r?\n$/, '');
  if (first === '#!/bin/sh') {
    // epindex's relocatable prelude: the head lines exactly, then the exec line, then `' '''`.
    const lines = text.split('\n');
    if (RELOCATABLE_HEAD.every((l, i) => lines[i] === l)) {
      const n = RELOCATABLE_HEAD.length;
      const m = /^exec "\$d"\/(.+) "\$0" "\$@"$/.exec(lines[n] ?? '');
      const rel = m ? parseShellWords(m[1]!) : null;
      if (rel === null || rel.length !== 1 || lines[n + 1] !== "' '''") return null;
      const prelude = lines.slice(0, n + 2).join('\n') + '\n';
      if (!text.startsWith(prelude)) return null;
      return { prelude, body: text.slice(prelude.length), interpreter: { kind: 'relative', relative: rel[0]!, resolver: 'epindex' } };
    }
    // The `'''exec'` trick: `'''exec' INTERPRETER [ARGS] "$0" "$@"` then `' '''`.
    const l2 = lineEnd(text, l1);
    const l3 = lineEnd(text, l2);
    const second = text.slice(l1, l2).replace(/\n$/, '');
    const third = text.slice(l2, l3).replace(/\n$/, '');
    if (!second.startsWith("'''exec' ") || !second.endsWith(' "$0" "$@"') || third !== "' '''") return null;
    const command = second.slice("'''exec' ".length, -' "$0" "$@"'.length);
    const interpreter = execInterpreter(command);
    if (interpreter === null) return null;
    return { prelude: text.slice(0, l3), body: text.slice(l3), interpreter };
  }
  // Plain `#!`: the kernel skips blanks after `#!`, the path ends at the next blank.
  const rest = first.slice(2).replace(/^[ \t]+/, '').replace(/\r$/, '');
  const words = rest.split(/[ \t]+/).filter((w) => w !== '');
  if (words.length === 0) return null;
  const [interp, ...args] = words as [string, ...string[]];
  const base = interp.slice(interp.lastIndexOf('/') + 1);
  const interpreter: InterpreterRef = base === 'env' ? { kind: 'command', text: rest } : { kind: 'absolute', path: interp, args };
  return { prelude: text.slice(0, l1), body: text.slice(l1), interpreter };
}

const UV_RELOCATABLE = '"$(dirname -- "$(realpath -- "$0")")"/';

/** The interpreter of an `'''exec'` line's command: literal shell words, or uv's relocatable `realpath` form. */
export function execInterpreter(command: string): InterpreterRef | null {
  if (command.startsWith(UV_RELOCATABLE)) {
    const w = parseShellWords(command.slice(UV_RELOCATABLE.length));
    return w !== null && w.length === 1 ? { kind: 'relative', relative: w[0]!, resolver: 'uv-realpath' } : null;
  }
  const words = parseShellWords(command);
  if (words === null || words.length === 0) return null;
  const [p, ...args] = words as [string, ...string[]];
  return { kind: 'absolute', path: p, args };
}

/**
 * The words of the literal shell text installers write: single-quoted runs, double-quoted runs
 * (with `\"`, `\\`, `\$`, `` \` `` escapes) and bare characters, separated by spaces. Anything
 * that expands (`$`, backticks, globs, redirections) makes it unknown: null.
 */
export function parseShellWords(s: string): string[] | null {
  const words: string[] = [];
  let cur: string | null = null;
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (c === ' ' || c === '\t') {
      if (cur !== null) words.push(cur);
      cur = null;
      i++;
    } else if (c === "'") {
      const j = s.indexOf("'", i + 1);
      if (j < 0) return null;
      cur = (cur ?? '') + s.slice(i + 1, j);
      i = j + 1;
    } else if (c === '"') {
      let out = '';
      i++;
      for (;;) {
        if (i >= s.length) return null;
        const d = s[i]!;
        if (d === '"') break;
        if (d === '$' || d === '`') return null;
        if (d === '\\' && i + 1 < s.length && '"\\$`'.includes(s[i + 1]!)) {
          out += s[i + 1]!;
          i += 2;
          continue;
        }
        out += d;
        i++;
      }
      cur = (cur ?? '') + out;
      i++;
    } else if (/[A-Za-z0-9@%+=:,./_\-~^]/.test(c) || c.charCodeAt(0) > 0x7f) {
      cur = (cur ?? '') + c;
      i++;
    } else {
      return null;
    }
  }
  if (cur !== null) words.push(cur);
  return words;
}

// ---------------------------------------------------------------------------------------------
// Bodies

/** A PEP 263 coding declaration. */
export const CODING = /^#.*coding[:=][ \t]*[-\w.]+/;
const FROM = /^from (\S+) import (\S+)$/;
const EXIT = /^ {4}sys\.exit\((\S+)\(\)\)$/;
const MAIN = new Set(["if __name__ == '__main__':", 'if __name__ == "__main__":']);

/** One-line ways of cleaning `sys.argv[0]`, and who writes each. */
const ARGV_LINE: ReadonlyMap<string, Writer> = new Map([
  ["    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])", 'pip'],
  ["    sys.argv[0] = re.sub(r'(-script\\.pyw?|\\.exe)?$', '', sys.argv[0])", 'pip'],
  ['    sys.argv[0] = re.sub(r"(-script\\.pyw|\\.exe)?$", "", sys.argv[0])', 'installer'],
  ["    sys.argv[0] = sys.argv[0].removesuffix('.exe')", 'pip'],
]);

/** uv's four lines (double quotes) and epindex's (the same, single quotes). */
const argvEndswith = (q: string): string[] => [
  `    if sys.argv[0].endswith(${q}-script.pyw${q}):`,
  '        sys.argv[0] = sys.argv[0][:-11]',
  `    elif sys.argv[0].endswith(${q}.exe${q}):`,
  '        sys.argv[0] = sys.argv[0][:-4]',
];
const ARGV_UV = argvEndswith('"');
const ARGV_EPINDEX = argvEndswith("'");

const dotted = (s: string): boolean => s.split('.').every((p) => isPyIdentifier(p));

type Body =
  | { kind: 'known'; writer: Writer; target: LauncherTarget | null; entryPoint: KnownLauncher['entryPoint']; marker: LauncherMarker | null }
  | { kind: 'foreign'; why: string };

const NOT_A_TEMPLATE: Body = { kind: 'foreign', why: 'not a launcher template epindex knows' };

function parseMarker(line: string): LauncherMarker | null {
  try {
    const j = JSON.parse(line.slice(MARKER_PREFIX.length)) as Record<string, unknown>;
    if (typeof j['group'] !== 'string' || typeof j['name'] !== 'string' || typeof j['value'] !== 'string') return null;
    if (j['dist'] !== null && typeof j['dist'] !== 'string') return null;
    return { group: j['group'], name: j['name'], value: j['value'], dist: j['dist'] as string | null };
  } catch {
    return null;
  }
}

/** `'a','b','c'` as setuptools writes it (repr of plain strings). */
function parseEasyInstall(rest: string): KnownLauncher['entryPoint'] {
  const m = /^'([^'\\]*)','([^'\\]*)','([^'\\]*)'$/.exec(rest.trim());
  return m ? { dist: m[1]!, group: m[2]!, name: m[3]! } : null;
}

function parseBody(body: string): Body {
  const lines = body.split('\n').map((l) => l.replace(/\r$/, ''));
  const first = lines.find((l) => l !== '' && !CODING.test(l));
  if (first?.startsWith('# EASY-INSTALL-ENTRY-SCRIPT: ')) {
    const ep = parseEasyInstall(first.slice('# EASY-INSTALL-ENTRY-SCRIPT: '.length));
    return ep === null ? NOT_A_TEMPLATE : { kind: 'known', writer: 'setuptools', target: null, entryPoint: ep, marker: null };
  }
  let marker: LauncherMarker | null = null;
  let from: { module: string; importName: string } | null = null;
  let sawSys = false;
  let i = 0;
  const next = (): string | undefined => {
    while (i < lines.length && lines[i] === '') i++;
    return lines[i];
  };
  // Header: comments (coding, marker) and imports, up to the `if __name__` line.
  for (;;) {
    const l = next();
    if (l === undefined) return NOT_A_TEMPLATE;
    if (MAIN.has(l)) {
      i++;
      break;
    }
    if (l.startsWith(MARKER_PREFIX) && marker === null) {
      marker = parseMarker(l);
      if (marker === null) return NOT_A_TEMPLATE;
    } else if (CODING.test(l)) {
      /* the coding comment */
    } else if (l === 'import re') {
      /* distlib and pypa/installer import re for the argv regex */
    } else if (l === 'import sys') {
      sawSys = true;
    } else {
      const m = FROM.exec(l);
      if (m === null || from !== null || !dotted(m[1]!) || !isPyIdentifier(m[2]!)) return NOT_A_TEMPLATE;
      from = { module: m[1]!, importName: m[2]! };
    }
    i++;
  }
  if (from === null || !sawSys) return NOT_A_TEMPLATE;
  // The argv cleaning.
  let argvWriter: Writer | null = null;
  const l = lines[i];
  if (l !== undefined && ARGV_LINE.has(l)) {
    argvWriter = ARGV_LINE.get(l)!;
    i++;
  } else if (ARGV_UV.every((x, k) => lines[i + k] === x)) {
    argvWriter = 'uv';
    i += ARGV_UV.length;
  } else if (ARGV_EPINDEX.every((x, k) => lines[i + k] === x)) {
    argvWriter = 'epindex';
    i += ARGV_EPINDEX.length;
  } else {
    return NOT_A_TEMPLATE;
  }
  const exit = EXIT.exec(lines[i] ?? '');
  if (exit === null) return NOT_A_TEMPLATE;
  const call = exit[1]!;
  if (!dotted(call) || call.split('.')[0] !== from.importName) return NOT_A_TEMPLATE;
  i++;
  if (lines.slice(i).some((x) => x.trim() !== '')) return NOT_A_TEMPLATE;
  // The marker says epindex only with epindex's argv lines; otherwise it was copied or edited.
  if ((marker !== null) !== (argvWriter === 'epindex')) return NOT_A_TEMPLATE;
  return { kind: 'known', writer: argvWriter, target: { module: from.module, importName: from.importName, call }, entryPoint: null, marker };
}
