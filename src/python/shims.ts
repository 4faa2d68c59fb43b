/**
 * Version-manager shims (pyenv, asdf, mise) resolved to the interpreter they would run, without
 * running anything: the shim's own version selection is reimplemented (docs/spec.md §4.4.3).
 * Whatever cannot be decided with certainty (an unknown hook, a TOML configuration, a version
 * that is not installed) is reported as unresolved, and the caller runs the shim as before:
 * a slow answer, never a wrong one. Nothing here is cached: the selection is recomputed on every
 * run from the environment variables and version files, so changing `PYENV_VERSION` or a
 * `.python-version` file can never be answered from an earlier selection.
 */
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import { fsPath } from '../fsnames.js';
import { readSmallFile } from '../fsutil.js';
import * as path from 'node:path';

/** node:os only when $HOME is not set (it costs every start-up otherwise). */
const homedir = (): string => (createRequire(import.meta.url)('node:os') as typeof import('node:os')).homedir();

export type ShimManager = 'pyenv' | 'asdf' | 'mise';

export interface ShimResolution {
  readonly manager: ShimManager;
  /** The shim file. */
  readonly shim: string;
  /** The interpreter the shim would run; null when that cannot be decided without running it. */
  readonly interpreter: string | null;
  /** The selected version(s), as the manager names them (`3.11.7`, `system`). */
  readonly versions: readonly string[];
  /** What selected them: `PYENV_VERSION`, a version file's path, or the manager's default. */
  readonly origin: string;
  /** Why `interpreter` is null. */
  readonly unresolved?: string;
}

const isExecutableFile = (p: string): boolean => {
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
};
const homeOf = (env: NodeJS.ProcessEnv): string => env['HOME'] || homedir();
/** stat that never throws (ENOTDIR and EACCES included): null when there is nothing to see. */
function statOrNull(p: string): fs.Stats | null {
  try {
    return fs.statSync(p, { throwIfNoEntry: false }) ?? null;
  } catch {
    return null;
  }
}
const isDir = (p: string): boolean => statOrNull(p)?.isDirectory() ?? false;
const isFile = (p: string): boolean => statOrNull(p)?.isFile() ?? false;

/** A small regular file's text (`readSmallFile`: never a FIFO, never past the size limit), or null. */
function smallText(file: string): string | null {
  const read = readSmallFile(file);
  return read.ok ? read.bytes.toString('utf8') : null;
}

/** The head of a small script, or null for binaries and large files. */
function scriptHead(file: string): string | null {
  let fd: number;
  try {
    fd = fs.openSync(fsPath(file), fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
  } catch {
    return null;
  }
  try {
    if (!fs.fstatSync(fd).isFile()) return null;
    const buf = Buffer.alloc(4096);
    const n = fs.readSync(fd, buf, 0, buf.length, 0);
    const head = buf.subarray(0, n);
    return head[0] === 0x23 && head[1] === 0x21 ? head.toString('utf8') : null;
  } catch {
    return null;
  } finally {
    fs.closeSync(fd);
  }
}

/** The working directory as the shell that starts the shim sees it: `$PWD` when it is the same directory. */
function logicalCwd(env: NodeJS.ProcessEnv, cwd: string): string {
  const pwd = env['PWD'];
  if (pwd && path.isAbsolute(pwd)) {
    try {
      if (fs.realpathSync(pwd) === fs.realpathSync(cwd)) return pwd;
    } catch {
      // fall through
    }
  }
  return cwd;
}

/** `dir`, its parent, … up to `/`. */
function ancestors(dir: string): string[] {
  const out: string[] = [];
  let d = path.resolve(dir);
  for (;;) {
    out.push(d);
    const up = path.dirname(d);
    if (up === d) return out;
    d = up;
  }
}

/** Search PATH for `name`, skipping the directories in `skip` (a shims directory). */
function searchPath(name: string, env: NodeJS.ProcessEnv, skip: readonly string[]): string | null {
  for (const dir of (env['PATH'] ?? '').split(path.delimiter)) {
    if (dir === '' || skip.includes(path.resolve(dir))) continue;
    const p = path.join(dir, name);
    if (isExecutableFile(p)) return p;
  }
  return null;
}

/** Numeric components for sorting `3.12.1` after `3.12.0` and `3.9.9` below `3.10.0`. */
function versionKey(v: string): number[] {
  return v.split(/[.-]/).map((p) => (/^\d+$/.test(p) ? Number(p) : -1));
}
export function compareVersionNames(a: string, b: string): number {
  const ka = versionKey(a);
  const kb = versionKey(b);
  for (let i = 0; i < Math.max(ka.length, kb.length); i++) {
    const d = (ka[i] ?? -2) - (kb[i] ?? -2);
    if (d !== 0) return d;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The latest installed version starting with `prefix` (`3.12` → `3.12.1`), the way pyenv's
 * `latest` and mise's fuzzy versions pick one: pre-releases and dev builds skipped, free-threaded
 * (`t`) builds only when asked for. Only for plain numeric prefixes; anything else is null.
 */
function latestInstalled(dir: string, prefix: string): string | null {
  if (!/^\d+(\.\d+)*t?$/.test(prefix)) return null;
  const threaded = prefix.endsWith('t');
  const base = threaded ? prefix.slice(0, -1) : prefix;
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return null;
  }
  const ok = names.filter((n) => (n.startsWith(base + '.') || n.startsWith(base + '-')) && /^\d+(\.\d+)*t?$/.test(n) && n.endsWith('t') === threaded && isDir(path.join(dir, n)));
  ok.sort(compareVersionNames);
  return ok.at(-1) ?? null;
}

// ---------------------------------------------------------------------------------------------
// pyenv

/** Hook scripts known to change nothing when the command is found (pyenv-virtualenv's, pyenv's own pip-rehash). */
const HARMLESS_HOOKS: Record<string, readonly string[]> = {
  which: ['conda.bash', 'python-config.bash', 'system-site-packages.bash'],
  exec: ['pip-rehash.bash'],
  'version-name': [],
};

function pyenvHookProblem(root: string, installPrefix: string, env: NodeJS.ProcessEnv): string | null {
  const dirs = [...(env['PYENV_HOOK_PATH'] ?? '').split(':').filter(Boolean), path.join(root, 'pyenv.d'), path.join(installPrefix, 'pyenv.d'), '/usr/etc/pyenv.d', '/usr/local/etc/pyenv.d', '/etc/pyenv.d', '/usr/lib/pyenv/hooks'];
  if (isDir(path.join(root, 'plugins'))) {
    try {
      for (const p of fs.readdirSync(path.join(root, 'plugins'))) dirs.push(path.join(root, 'plugins', p, 'etc', 'pyenv.d'));
    } catch {
      // unreadable: no plugins for pyenv either
    }
  }
  for (const d of dirs) {
    // Most of these directories do not exist: a stat that cannot throw is far cheaper than a failing readdir.
    if (!isDir(d)) continue;
    for (const [command, harmless] of Object.entries(HARMLESS_HOOKS)) {
      if (!isDir(path.join(d, command))) continue;
      let names: string[];
      try {
        names = fs.readdirSync(path.join(d, command));
      } catch {
        continue;
      }
      for (const n of names) if (n.endsWith('.bash') && !harmless.includes(n)) return `pyenv hook ${path.join(d, command, n)} may change the choice`;
    }
  }
  return null;
}

/** pyenv's `version-file-read`: the first word of every non-comment line, at most 1024 bytes a line. */
function readPyenvVersionFile(file: string): string[] | null {
  const text = smallText(file);
  if (text === null || text === '') return null;
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const word = line.slice(0, 1024).trim().split(/[\s\r]+/)[0] ?? '';
    if (word === '' || word.startsWith('#')) continue;
    if (word === '..' || word.includes('/')) return null; // pyenv's path-traversal check: let pyenv itself decide
    out.push(word);
  }
  return out.length > 0 ? out : null;
}

function resolvePyenv(shim: string, head: string, env: NodeJS.ProcessEnv, cwd: string): ShimResolution {
  const command = path.basename(shim);
  const root = /export PYENV_ROOT="([^"]+)"/.exec(head)?.[1] ?? env['PYENV_ROOT'] ?? path.join(homeOf(env), '.pyenv');
  const libexec = /exec "([^"]+)\/libexec\/pyenv" exec/.exec(head)?.[1] ?? root;
  const result = (versions: readonly string[], origin: string, interpreter: string | null, unresolved?: string): ShimResolution => ({ manager: 'pyenv', shim, interpreter, versions, origin, ...(unresolved !== undefined ? { unresolved } : {}) });

  // Selection: PYENV_VERSION, else the nearest .python-version from PYENV_DIR (or the working directory) up, else the global file.
  let versions: string[] = [];
  let origin: string;
  if (env['PYENV_VERSION']) {
    versions = env['PYENV_VERSION'].split(':').filter(Boolean);
    origin = 'PYENV_VERSION';
  } else {
    const dirs = [env['PYENV_DIR'] ? path.resolve(env['PYENV_DIR']) : logicalCwd(env, cwd)];
    if (env['PYENV_DIR']) dirs.push(logicalCwd(env, cwd));
    let file: string | null = null;
    for (const d of dirs) {
      file = ancestors(d).map((a) => path.join(a, '.python-version')).find(isFile) ?? null;
      if (file !== null) break;
    }
    origin = file ?? path.join(root, 'version');
    const read = readPyenvVersionFile(origin);
    if (read === null && (statOrNull(origin)?.size ?? 0) > 0) {
      // A file with content pyenv would reject or warn about: let pyenv say so.
      return result([], origin, null, `${origin} names a version by path, or cannot be read`);
    }
    versions = read ?? [];
  }
  if (versions.length === 0) versions = ['system'];

  const hook = pyenvHookProblem(root, libexec, env);
  if (hook !== null) return result(versions, origin, null, hook);

  const installed = path.join(root, 'versions');
  // pyenv exec: each selected version in turn, then the system PATH (without the shims).
  for (const v of [...versions, 'system']) {
    if (v === 'system') {
      const found = searchPath(command, env, [path.join(root, 'shims'), ...(env['_PYENV_SHIM_PATHS_' + command.toUpperCase().replace(/[^A-Z0-9_]/g, '_')] ?? '').split(':').filter(Boolean).map((p) => path.resolve(p))]);
      if (found !== null) return result(versions, origin, found);
      continue;
    }
    let name = v;
    if (!isDir(path.join(installed, name))) {
      const stripped = v.replace(/^python-/, '');
      if (isDir(path.join(installed, stripped))) name = stripped;
      else {
        const latest = latestInstalled(installed, v) ?? latestInstalled(installed, stripped);
        if (latest === null) {
          if (/^\d+(\.\d+)*t?$/.test(stripped)) continue; // not installed: pyenv skips it too
          return result(versions, origin, null, `version ${JSON.stringify(v)} needs pyenv's own resolution`);
        }
        name = latest;
      }
    }
    const candidate = path.join(installed, name, 'bin', command);
    if (isExecutableFile(candidate)) return result(versions, origin, candidate);
  }
  // Not found anywhere: pyenv's which hooks may still find something, or pyenv prints an error. Let it.
  return result(versions, origin, null, `${command} is not provided by ${versions.join(', ')}`);
}

// ---------------------------------------------------------------------------------------------
// asdf

/** `.tool-versions`: `python 3.11.7 3.10.0` lines; `#` starts a comment. */
function readToolVersions(file: string, tool: string): string[] | null {
  const text = smallText(file);
  if (text === null) return null;
  for (const line of text.split(/\r?\n/)) {
    const words = line.replace(/#.*/, '').trim().split(/\s+/);
    if (words[0] === tool && words.length > 1) return words.slice(1);
  }
  return null;
}

function resolveAsdf(shim: string, env: NodeJS.ProcessEnv, cwd: string): ShimResolution {
  const command = path.basename(shim);
  const data = env['ASDF_DATA_DIR'] ?? path.dirname(path.dirname(shim));
  const result = (versions: readonly string[], origin: string, interpreter: string | null, unresolved?: string): ShimResolution => ({ manager: 'asdf', shim, interpreter, versions, origin, ...(unresolved !== undefined ? { unresolved } : {}) });
  const rc = env['ASDF_CONFIG_FILE'] ?? path.join(homeOf(env), '.asdfrc');
  if (/^\s*legacy_version_file\s*=\s*yes/m.test(smallText(rc) ?? '')) return result([], rc, null, 'asdf reads legacy version files (legacy_version_file = yes)');
  let versions: string[] | null = null;
  let origin = '';
  if (env['ASDF_PYTHON_VERSION']) {
    versions = env['ASDF_PYTHON_VERSION'].split(/\s+/).filter(Boolean);
    origin = 'ASDF_PYTHON_VERSION';
  } else {
    const name = env['ASDF_DEFAULT_TOOL_VERSIONS_FILENAME'] ?? '.tool-versions';
    for (const file of [...ancestors(logicalCwd(env, cwd)).map((d) => path.join(d, name)), path.join(homeOf(env), name)]) {
      versions = readToolVersions(file, 'python');
      if (versions !== null) {
        origin = file;
        break;
      }
    }
  }
  if (versions === null) return result([], '', null, 'no python version set for asdf');
  for (const v of versions) {
    let bin: string;
    if (v === 'system') {
      const found = searchPath(command, env, [path.resolve(path.join(data, 'shims'))]);
      if (found !== null) return result(versions, origin, found);
      continue;
    } else if (v.startsWith('path:')) bin = path.join(v.slice(5), 'bin');
    else if (v.startsWith('ref:')) bin = path.join(data, 'installs', 'python', `ref-${v.slice(4)}`, 'bin');
    else bin = path.join(data, 'installs', 'python', v, 'bin');
    const candidate = path.join(bin, command);
    if (isExecutableFile(candidate)) return result(versions, origin, candidate);
  }
  return result(versions, origin, null, `${command} is not provided by ${versions.join(', ')}`);
}

// ---------------------------------------------------------------------------------------------
// mise

const MISE_CONFIGS = ['mise.toml', '.mise.toml', 'mise.local.toml', '.mise.local.toml', path.join('mise', 'config.toml'), path.join('.mise', 'config.toml'), path.join('.config', 'mise.toml'), path.join('.config', 'mise', 'config.toml')];

/**
 * mise: `MISE_PYTHON_VERSION`, else `.tool-versions` files. Its TOML configuration (per
 * directory, per environment, global) has more forms than are worth reimplementing: when any
 * such file could apply, the shim is left to mise.
 */
function resolveMise(shim: string, env: NodeJS.ProcessEnv, cwd: string): ShimResolution {
  const command = path.basename(shim);
  const data = env['MISE_DATA_DIR'] ?? path.dirname(path.dirname(shim));
  const installs = path.join(data, 'installs', 'python');
  const result = (versions: readonly string[], origin: string, interpreter: string | null, unresolved?: string): ShimResolution => ({ manager: 'mise', shim, interpreter, versions, origin, ...(unresolved !== undefined ? { unresolved } : {}) });
  let versions: string[] | null = null;
  let origin = '';
  if (env['MISE_PYTHON_VERSION']) {
    versions = env['MISE_PYTHON_VERSION'].split(/\s+/).filter(Boolean);
    origin = 'MISE_PYTHON_VERSION';
  } else {
    const configHome = env['XDG_CONFIG_HOME'] ?? path.join(homeOf(env), '.config');
    const globals = [env['MISE_GLOBAL_CONFIG_FILE'] ?? path.join(configHome, 'mise', 'config.toml'), path.join(configHome, 'mise', 'config.local.toml'), '/etc/mise/config.toml'];
    for (const d of ancestors(logicalCwd(env, cwd))) {
      const toml = MISE_CONFIGS.map((n) => path.join(d, n)).find(isFile);
      if (toml !== undefined) return result([], toml, null, `mise configuration ${toml} is left to mise`);
      versions = readToolVersions(path.join(d, '.tool-versions'), 'python');
      if (versions !== null) {
        origin = path.join(d, '.tool-versions');
        break;
      }
    }
    if (versions === null) {
      const g = globals.find(isFile);
      if (g !== undefined) return result([], g, null, `mise configuration ${g} is left to mise`);
      return result([], '', null, 'no python version set for mise');
    }
  }
  for (const v of versions) {
    if (v === 'system') {
      const found = searchPath(command, env, [path.resolve(path.dirname(shim))]);
      if (found !== null) return result(versions, origin, found);
      continue;
    }
    const name = isDir(path.join(installs, v)) ? v : latestInstalled(installs, v);
    if (name === null) continue;
    const candidate = path.join(installs, name, 'bin', command);
    if (isExecutableFile(candidate)) return result(versions, origin, candidate);
  }
  return result(versions, origin, null, `${command} is not provided by ${versions.join(', ')}`);
}

/**
 * When `file` (an absolute path) is a pyenv, asdf or mise shim, what it would run; null when it
 * is not a shim. Costs a few `stat`s and small reads, never a process.
 */
export function resolveShim(file: string, env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): ShimResolution | null {
  let lst: fs.Stats | undefined;
  try {
    lst = fs.lstatSync(fsPath(file), { throwIfNoEntry: false });
  } catch {
    return null;
  }
  if (lst === undefined) return null;
  if (lst.isSymbolicLink()) {
    // mise's shims are links to the mise binary, which looks at the name it was started by.
    let real: string;
    try {
      real = fs.realpathSync.native(fsPath(file)) as string;
    } catch {
      return null;
    }
    return /^mise(\.exe)?$/.test(path.basename(real)) ? resolveMise(file, env, cwd) : null;
  }
  if (lst.size > 4096) return null;
  const head = scriptHead(file);
  if (head === null) return null;
  if (/\/libexec\/pyenv" exec /.test(head) || /\bpyenv exec\b/.test(head)) return resolvePyenv(file, head, env, cwd);
  if (/\basdf\S*"? exec\b/.test(head) || /# asdf-plugin: /.test(head)) return resolveAsdf(file, env, cwd);
  if (/\bmise\S*"? x\b|\bmise exec\b/.test(head)) return resolveMise(file, env, cwd);
  return null;
}
