/**
 * The launcher epindex writes for a console or gui script (POSIX only), and its two parts:
 *
 * - the **prelude**, which finds the interpreter: `#!/abs/python` when the line fits, else the
 *   `/bin/sh` `'''exec'` trick (as pypa/installer, pip's distlib and uv do), or the relocatable
 *   `/bin/sh` prelude that finds the interpreter relative to the launcher without `realpath`;
 * - the **body**, pypa/installer's template: import the object, clean `sys.argv[0]` as installers
 *   do, `sys.exit(func())` (so a `None` return exits 0, an int is the status, an uncaught
 *   exception prints its traceback and exits 1), plus a marker comment naming the entry point.
 *
 * See docs/spec.md "Scripts (launchers)".
 */
import * as path from 'node:path';

/** What a launcher runs: `from module import importName` then `sys.exit(call())`. */
export interface LauncherTarget {
  readonly module: string;
  /** The first dotted part of the attribute: what the `from` line imports. */
  readonly importName: string;
  /** The whole dotted attribute: what `sys.exit(...)` calls. */
  readonly call: string;
}

export function targetOf(module: string, attr: string): LauncherTarget {
  return { module, importName: attr.split('.')[0]!, call: attr };
}

export const sameTarget = (a: LauncherTarget, b: LauncherTarget): boolean => a.module === b.module && a.importName === b.importName && a.call === b.call;

/** What the marker comment records; informative, except `dist` (which `remove` reads). */
export interface LauncherMarker {
  readonly group: string;
  readonly name: string;
  readonly value: string;
  readonly dist: string | null;
}

export const MARKER_PREFIX = '# Launcher written by epindex: ';

/**
 * The longest shebang line (`#!`, the path, the newline) written in the plain form: the Linux
 * kernel's limit before 5.1, the rule of pypa/installer, pip (distlib, off macOS) and uv alike
 * (verified: a 124-byte interpreter path gets `#!`, a 125-byte one the `/bin/sh` form).
 */
export const MAX_SHEBANG_BYTES = 127;

/** Characters shlex.quote leaves bare. */
const SHELL_SAFE = /^[A-Za-z0-9@%+=:,./_-]+$/;

/** POSIX shell quoting as Python's shlex.quote (what pypa/installer and uv use in the `'''exec'` line). */
export function shellQuote(s: string): string {
  if (s === '') return "''";
  if (SHELL_SAFE.test(s)) return s;
  return `'${s.replace(/'/g, `'"'"'`)}'`;
}

/**
 * Why `p` cannot be written into a launcher's prelude, or null. Control characters (line breaks
 * above all) would end the shebang line or the shell word; a backslash would be read by Python as
 * an escape inside the `'''` string that hides the shell lines.
 */
export function unwritableInterpreterReason(p: string, form: 'plain' | 'shell'): string | null {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(p)) return 'the interpreter path holds a control character (a line break?)';
  if (form === 'shell' && p.includes('\\')) return 'the interpreter path holds a backslash, which Python would read as an escape in the /bin/sh prelude';
  return null;
}

/** Whether the plain `#!path` form is used for `interpreter`: no space or tab, and the line fits. */
export function fitsPlainShebang(interpreter: string): boolean {
  return !/[ \t]/.test(interpreter) && Buffer.byteLength(`#!${interpreter}\n`, 'utf8') <= MAX_SHEBANG_BYTES;
}

/** The prelude that runs an absolute interpreter (with optional interpreter arguments kept from an existing launcher). */
export function absolutePrelude(interpreter: string, args: readonly string[] = []): string {
  const plain = args.length === 0 ? interpreter : `${interpreter} ${args.join(' ')}`;
  if (fitsPlainShebang(plain) && !args.some((a) => /[ \t]/.test(a))) return `#!${plain}\n`;
  return `#!/bin/sh\n'''exec' ${[interpreter, ...args].map(shellQuote).join(' ')} "$0" "$@"\n' '''\n`;
}

/**
 * The relocatable prelude: follow symbolic links to the launcher itself with `readlink` (no
 * `-f`: macOS 12 and BusyBox have plain `readlink`, not `realpath`), at most 40 of them, take
 * the directory with parameter expansion (no `dirname`), and exec the interpreter at
 * `relative` from there. Python reads the shell lines as a string: the text has no backslash
 * and no three quotes in a row.
 */
export function relocatablePrelude(relative: string): string {
  return [...RELOCATABLE_HEAD, `exec "$d"/${shellQuote(relative)} "$0" "$@"`, "' '''", ''].join('\n');
}

/** The relocatable prelude's lines before its `exec` line (detection compares them exactly). */
export const RELOCATABLE_HEAD: readonly string[] = [
  '#!/bin/sh',
  "'''true'",
  '# relocatable: the interpreter is found from where this launcher really is',
  'p=$0',
  'n=0',
  'while [ -h "$p" ] && [ "$n" -lt 40 ]; do',
  '  l=$(readlink -- "$p") || break',
  '  case $l in',
  '    /*) p=$l ;;',
  '    *) case $p in */*) p=${p%/*}/$l ;; *) p=$l ;; esac ;;',
  '  esac',
  '  n=$((n + 1))',
  'done',
  'case $p in */*) d=${p%/*} ;; *) d=. ;; esac',
];

/** Path of the interpreter relative to the launcher's directory, POSIX separators. */
export function relativeInterpreter(scriptsDir: string, interpreter: string): string {
  const rel = path.relative(scriptsDir, interpreter);
  return rel === '' ? '.' : rel;
}

/** The body: marker, the import, the argv cleaning (uv's `endswith` form of installers' regex), the call. */
export function launcherBody(target: LauncherTarget, marker: LauncherMarker): string {
  // JSON: every control character is escaped, so no name or distribution can end the comment.
  const m = JSON.stringify({ group: marker.group, name: marker.name, value: marker.value, dist: marker.dist });
  return [
    '# -*- coding: utf-8 -*-',
    MARKER_PREFIX + m,
    'import sys',
    `from ${target.module} import ${target.importName}`,
    "if __name__ == '__main__':",
    "    if sys.argv[0].endswith('-script.pyw'):",
    '        sys.argv[0] = sys.argv[0][:-11]',
    "    elif sys.argv[0].endswith('.exe'):",
    '        sys.argv[0] = sys.argv[0][:-4]',
    `    sys.exit(${target.call}())`,
    '',
  ].join('\n');
}

export type InterpreterForm = { readonly kind: 'absolute'; readonly path: string } | { readonly kind: 'relocatable'; readonly relative: string };

/** A whole launcher. */
export function renderLauncher(form: InterpreterForm, target: LauncherTarget, marker: LauncherMarker): string {
  const prelude = form.kind === 'absolute' ? absolutePrelude(form.path) : relocatablePrelude(form.relative);
  return prelude + launcherBody(target, marker);
}
