/**
 * The activate scripts of a moved or copied virtual environment name its old location. `repair`
 * rewrites that path, and only that path, where it is unambiguous (docs/spec.md "Scripts
 * (launchers)", repair rules):
 *
 * 1. The old location is what the file's own `VIRTUAL_ENV` assignment says, as venv, uv and
 *    virtualenv write it (the `ASSIGNMENTS` below). Every such line of the file must give the
 *    same literal absolute path, with nothing that expands in it.
 * 2. Every occurrence of that path in the file must stand alone: preceded by the line start, a
 *    blank, `=`, `(` or a quote, and followed by the line end, a blank, `/`, `;`, `)` or a quote.
 * 3. The new location must be writable there as it is: in quotes, no quote, `$`, backtick,
 *    backslash or `!`; outside quotes, only characters that need no quoting.
 *
 * Otherwise the file is left as it is, with a diagnostic. The prompt (the old directory's
 * name), Activate.ps1 (which finds the environment from its own location) and everything else
 * are never touched.
 */
import * as fs from 'node:fs';
import { readSmallFile, smallFileProblem } from '../fsutil.js';
import * as path from 'node:path';
import { diagnostic, type Diagnostic } from '../diagnostics.js';
import { errnoCode } from '../errors.js';
import { identityOf, type Identity } from './files.js';

export type ActivateShell = 'sh' | 'fish' | 'csh' | 'nu' | 'powershell';

/** Files looked at, in the scripts directory of the environment. */
export const ACTIVATE_FILES: ReadonlyArray<readonly [name: string, shell: ActivateShell]> = [
  ['activate', 'sh'],
  ['activate.fish', 'fish'],
  ['activate.csh', 'csh'],
  ['activate.nu', 'nu'],
  ['Activate.ps1', 'powershell'],
  ['activate.ps1', 'powershell'],
];

/** The assignments that name the environment, per shell; each captures the literal in one of its groups. */
const ASSIGNMENTS: Record<ActivateShell, readonly RegExp[]> = {
  sh: [
    // venv: `VIRTUAL_ENV="/x"`, `export VIRTUAL_ENV="/x"`; uv: `VIRTUAL_ENV='/x'`; virtualenv: `VIRTUAL_ENV=/x`
    /^\s*(?:export\s+)?VIRTUAL_ENV=(?:"([^"]*)"|'([^']*)'|([^\s"'`$;&|()<>\\]+))\s*$/,
    // venv 3.13: `VIRTUAL_ENV=$(cygpath "/x")`
    /^\s*VIRTUAL_ENV=\$\(cygpath (?:"([^"]*)"|'([^']*)')\)\s*$/,
  ],
  fish: [/^\s*set -gx VIRTUAL_ENV (?:"([^"]*)"|'([^']*)')\s*$/],
  csh: [/^\s*setenv VIRTUAL_ENV (?:"([^"]*)"|'([^']*)')\s*$/, /^\s*set _virtualenv_dir=(?:"([^"]*)"|'([^']*)')\s*$/],
  nu: [/^\s*(?:const|let) virtual_env = (?:"([^"]*)"|'([^']*)'|r#'([^']*)'#)\s*$/],
  powershell: [],
};

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
const EXPANDS = /[$`\\!"']/;
const BARE_SAFE = /^[A-Za-z0-9@%+=:,./_-]+$/;
const BEFORE = new Set(['', ' ', '\t', '=', '(', '"', "'"]);
const AFTER = new Set(['', ' ', '\t', '/', ';', ')', '"', "'", '\n', '\r']);

export interface ActivatePlan {
  readonly file: string;
  readonly shell: ActivateShell;
  /** `rewrite`: `content` replaces the file; `unchanged`: it names this environment; `left`: not touched (see `reason`). */
  readonly action: 'rewrite' | 'unchanged' | 'left';
  readonly reason: string;
  readonly oldPath: string | null;
  /** 1-based lines that change. */
  readonly lines: readonly number[];
  readonly content: string | null;
  readonly identity: Identity;
  readonly diagnostics: readonly Diagnostic[];
}

const samePlace = (a: string, b: string): boolean => {
  if (path.resolve(a) === path.resolve(b)) return true;
  try {
    return fs.realpathSync(a) === fs.realpathSync(b);
  } catch {
    return false;
  }
};

/** Plan the rewrite of one activate script's text (pure, for tests); `root` is the environment's location now. */
export function planActivateText(text: string, shell: ActivateShell, root: string): Omit<ActivatePlan, 'file' | 'shell' | 'identity' | 'diagnostics'> & { problem: string | null } {
  const left = (reason: string, problem: string | null = null, oldPath: string | null = null) => ({ action: 'left' as const, reason, oldPath, lines: [], content: null, problem });
  if (shell === 'powershell') return left('finds the environment from its own location; nothing to rewrite');
  const lines = text.split('\n');
  const found = new Set<string>();
  for (const line of lines) {
    for (const re of ASSIGNMENTS[shell]) {
      const m = re.exec(line.replace(/\r$/, ''));
      if (m === null) continue;
      const quoted = m[1] !== undefined;
      const v = m[1] ?? m[2] ?? m[3] ?? '';
      // A double-quoted value with anything that expands is not a literal path.
      if (quoted && /[$`\\!]/.test(v)) continue;
      found.add(v);
    }
  }
  if (found.size === 0) return left('no hard-coded location of the environment (it finds itself, or the format is unknown)');
  if (found.size > 1) return left(`ambiguous: it assigns several locations (${[...found].map((v) => JSON.stringify(v)).join(', ')})`, 'its VIRTUAL_ENV assignments disagree');
  const old = [...found][0]!;
  if (!old.startsWith('/') || CONTROL.test(old)) return left(`the location it names (${JSON.stringify(old)}) is not a plain absolute path`, 'not a plain absolute path');
  if (samePlace(old, root)) return { action: 'unchanged', reason: 'names this environment', oldPath: old, lines: [], content: null, problem: null };

  // Every occurrence must stand alone, and the new path must be writable where each one is.
  const out: string[] = [];
  const changed: number[] = [];
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!;
    let result = '';
    let from = 0;
    for (let k = line.indexOf(old); k >= 0; k = line.indexOf(old, k + old.length)) {
      const before = k === 0 ? '' : line[k - 1]!;
      const after = line[k + old.length] ?? '';
      if (!BEFORE.has(before) || !AFTER.has(after)) return left(`the old location ${old} also appears inside a longer word on line ${n + 1}`, `line ${n + 1} holds the old location inside a longer word`, old);
      const quoted = before === '"' || before === "'";
      if (quoted ? EXPANDS.test(root) || CONTROL.test(root) : !BARE_SAFE.test(root)) {
        return left(`the new location ${JSON.stringify(root)} would need quoting or escaping on line ${n + 1}`, `the new location cannot be written safely on line ${n + 1}`, old);
      }
      result += line.slice(from, k) + root;
      from = k + old.length;
    }
    if (from > 0) changed.push(n + 1);
    out.push(from > 0 ? result + line.slice(from) : line);
  }
  return { action: 'rewrite', reason: `names the old location ${old}`, oldPath: old, lines: changed, content: out.join('\n'), problem: null };
}

/** Plan the activate scripts found in `scriptsDir` of the environment now at `root`. */
export function planActivate(scriptsDir: string, root: string): ActivatePlan[] {
  const plans: ActivatePlan[] = [];
  const seen = new Set<string>();
  for (const [name, shell] of ACTIVATE_FILES) {
    const file = path.join(scriptsDir, name);
    let st: fs.Stats;
    try {
      st = fs.lstatSync(file);
    } catch {
      continue;
    }
    // Activate.ps1 and activate.ps1 are one file on a case-insensitive filesystem.
    const key = `${st.dev}:${st.ino}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const identity = identityOf(file);
    const base = { file, shell, identity: identity === 'unknown' ? null : identity };
    if (!st.isFile()) {
      plans.push({ ...base, action: 'left', reason: 'not a regular file', oldPath: null, lines: [], content: null, diagnostics: [] });
      continue;
    }
    let text: string;
    try {
      // A regular file within the size limit, never blocking (§4.1.2): it may have been swapped since the lstat.
      const read = readSmallFile(file);
      if (!read.ok) throw Object.assign(new Error(smallFileProblem(read)), { code: read.problem === 'error' ? read.code : read.problem === 'absent' ? 'ENOENT' : read.problem === 'too-large' ? 'EFBIG' : 'EINVAL' });
      text = new TextDecoder('utf-8', { fatal: true }).decode(read.bytes);
    } catch (e) {
      const why = e instanceof TypeError ? 'not UTF-8' : `cannot be read (${errnoCode(e)})`;
      plans.push({ ...base, action: 'left', reason: why, oldPath: null, lines: [], content: null, diagnostics: [diagnostic('EP510', `activate script left alone: ${why}`, { file })] });
      continue;
    }
    const p = planActivateText(text, shell, root);
    const diagnostics = p.problem === null ? [] : [diagnostic('EP510', `activate script left alone: ${p.reason}`, { file })];
    plans.push({ ...base, action: p.action, reason: p.reason, oldPath: p.oldPath, lines: p.lines, content: p.content, diagnostics });
  }
  return plans;
}
