/**
 * Which script names may become files, and the names installers actually write (pip's and uv's
 * `pip`/`easy_install` versioned names).
 */
import * as path from 'node:path';

/**
 * Why `name` cannot be a launcher file directly inside `dest`, or `null` when it can. A name is
 * refused when it is empty, `.` or `..`, holds a path separator (`/`, and `\` everywhere, since
 * a launcher written here may be read on Windows), a NUL, a line break or any other control
 * character, is absolute, or resolves to anything but a direct child of `dest`.
 */
export function unsafeNameReason(name: string, dest: string): string | null {
  if (name === '') return 'the name is empty';
  if (name === '.' || name === '..') return `"${name}" names a directory`;
  if (path.isAbsolute(name) || path.win32.isAbsolute(name)) return 'the name is an absolute path';
  if (/^[A-Za-z]:/.test(name)) return 'the name starts with a drive letter';
  if (name.includes('/') || name.includes('\\')) return 'the name holds a path separator';
  if (name.includes('..')) return 'the name holds ".."';
  // eslint-disable-next-line no-control-regex
  const control = /[\u0000-\u001f\u007f]/.exec(name);
  if (control !== null) {
    const c = control[0].charCodeAt(0);
    return c === 0 ? 'the name holds a NUL character' : c === 10 || c === 13 ? 'the name holds a line break' : `the name holds the control character U+${c.toString(16).padStart(4, '0').toUpperCase()}`;
  }
  const full = path.resolve(dest, name);
  if (path.dirname(full) !== path.resolve(dest) || path.basename(full) !== name) return 'the name resolves outside the destination';
  return null;
}

/** A script entry point as it becomes a launcher: the name written may differ from the one declared. */
export interface ScriptName {
  /** The file name to write. */
  readonly name: string;
  /** The name in entry_points.txt it comes from. */
  readonly declared: string;
}

const PIP_VERSIONED = /^pip(\d+(\.\d+)?)?$/;
const EASY_INSTALL_VERSIONED = /^easy_install(-\d+\.\d+)?$/;

/**
 * pip's rule (`get_console_script_specs`), which uv reproduces: a `pip` console script is
 * written as `pip`, `pipX` and `pipX.Y` of the *target* interpreter, and every other versioned
 * `pipN[.M]` entry point of that distribution is dropped (a pip wheel built under 3.12 declares
 * `pip3.12`); likewise `easy_install` → `easy_install`, `easy_install-X.Y`. `ENSUREPIP_OPTIONS`
 * is not honoured (it only matters while ensurepip itself runs). Input: one distribution's
 * console script names in file order; output: what to write, in order.
 */
export function consoleScriptNames(names: readonly string[], version: readonly [number, number]): ScriptName[] {
  const [major, minor] = version;
  const hasPip = names.includes('pip');
  const hasEasy = names.includes('easy_install');
  const out: ScriptName[] = [];
  if (hasPip) {
    for (const n of ['pip', `pip${major}`, `pip${major}.${minor}`]) out.push({ name: n, declared: 'pip' });
  }
  if (hasEasy) {
    for (const n of ['easy_install', `easy_install-${major}.${minor}`]) out.push({ name: n, declared: 'easy_install' });
  }
  for (const n of names) {
    if (hasPip && PIP_VERSIONED.test(n)) continue;
    if (hasEasy && EASY_INSTALL_VERSIONED.test(n)) continue;
    out.push({ name: n, declared: n });
  }
  return out;
}

/** Python keywords: an object reference made of them imports fine with importlib but is a syntax error in `from m import a`. */
const KEYWORDS = new Set([
  'False', 'None', 'True', 'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue', 'def', 'del', 'elif', 'else', 'except', 'finally', 'for', 'from', 'global', 'if', 'import', 'in', 'is', 'lambda', 'nonlocal', 'not', 'or', 'pass', 'raise', 'return', 'try', 'while', 'with', 'yield',
]);

/** The first dotted part of `module` or `attr` that is a Python keyword, or null. */
export function keywordIn(module: string, attr: string): string | null {
  for (const part of [...module.split('.'), ...attr.split('.')]) if (KEYWORDS.has(part)) return part;
  return null;
}
