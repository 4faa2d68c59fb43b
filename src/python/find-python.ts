/**
 * Which interpreter to ask for the search path, the way uv chooses one (docs/spec.md §4.4.1):
 * a `--python` request is an interpreter path, a directory (a virtual environment or an
 * installation), a version request (`3.12`, `python3.12`, `cpython@3.12`, `cp312`, `>=3.11`),
 * or an executable name looked up on PATH; with no request, `$VIRTUAL_ENV`, `$CONDA_PREFIX`,
 * a `.venv` in the working directory or a parent, else `python3` on PATH. Every choice says why.
 * Versions are learnt without running anything where the files tell (`pyvenv.cfg`, a versioned
 * executable or directory name); only a version request that nothing else can settle runs the
 * candidate.
 */
import * as fs from 'node:fs';
import { fsdecode, fsPath } from '../fsnames.js';
import { readSmallFile } from '../fsutil.js';
import { envValue } from '../rawbytes.js';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { diagnostic, type Diagnostic } from '../diagnostics.js';
import { EpindexError } from '../errors.js';
import { compareVersionNames, resolveShim } from './shims.js';

/** node:os only when $HOME is not set (it costs every start-up otherwise). */
const homedir = (): string => (createRequire(import.meta.url)('node:os') as typeof import('node:os')).homedir();

export type PythonSource = 'python-option' | 'VIRTUAL_ENV' | 'CONDA_PREFIX' | '.venv' | 'PATH';

export interface InterpreterChoice {
  /** The `--python` value, or null when none was given. */
  readonly request: string | null;
  /** How the request was read. */
  readonly requestKind: 'default' | 'path' | 'directory' | 'version' | 'name';
  /** Where the interpreter was found. */
  readonly source: PythonSource;
  /** The interpreter to run: an absolute path, or a bare name when PATH has none (running it then fails clearly). */
  readonly command: string;
  /** One sentence: why this interpreter. */
  readonly reason: string;
  /** Warnings about what was skipped on the way (`EP402`–`EP404`). */
  readonly diagnostics: readonly Diagnostic[];
}

export interface ChoiceContext {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Learn an interpreter's version by running it (for version requests the files cannot settle). */
  readonly probe?: (interpreter: string) => string | null;
  /**
   * For a command that changes an environment (`epi scripts install|repair|remove`, `epi
   * accelerate`): a `$VIRTUAL_ENV` or `$CONDA_PREFIX` that names no usable environment is an
   * error, never a reason to act on another environment instead.
   */
  readonly destructive?: string;
}

/** The error a destructive command gets when an environment variable names no usable environment. */
function refuseFallback(diagnostics: readonly Diagnostic[], command: string | undefined): void {
  if (command === undefined) return;
  const d = diagnostics.find((x) => x.code === 'EP402' || x.code === 'EP404');
  if (d === undefined) return;
  throw new EpindexError('PYTHON_FAILED', `${d.message.replace(/; ignored.*$/, '')}; ${command} refuses to act on another environment instead (give --python, or ${d.code === 'EP402' ? 'deactivate it' : 'unset it'})`);
}

const WIN = process.platform === 'win32';
const homeOf = (env: NodeJS.ProcessEnv): string => env['HOME'] || homedir();

// Paths by their bytes (fsPath): an environment's directory need not be UTF-8 (§4.1.1).
const isExecutableFile = (p: string): boolean => {
  try {
    fs.accessSync(fsPath(p), fs.constants.X_OK);
    return fs.statSync(fsPath(p)).isFile();
  } catch {
    return false;
  }
};
/** stat that never throws (ENOTDIR and EACCES included): null when there is nothing to see. */
function statOrNull(p: string): fs.Stats | null {
  try {
    return fs.statSync(fsPath(p), { throwIfNoEntry: false }) ?? null;
  } catch {
    return null;
  }
}
const isDir = (p: string): boolean => statOrNull(p)?.isDirectory() ?? false;

/** The interpreter of an environment or installation directory: `bin/python` (`Scripts\python.exe`), else `bin/python3`. */
export function environmentInterpreter(dir: string): string | null {
  const names = WIN ? [path.join('Scripts', 'python.exe'), 'python.exe'] : [path.join('bin', 'python'), path.join('bin', 'python3')];
  for (const n of names) if (isExecutableFile(path.join(dir, n))) return path.join(dir, n);
  return null;
}

// ---------------------------------------------------------------------------------------------
// Requests

export interface VersionRequest {
  readonly implementation: 'cpython' | 'pypy' | 'graalpy' | null;
  /** `[3]`, `[3, 12]`, `[3, 12, 1]`; null for a specifier or an implementation alone. */
  readonly version: readonly number[] | null;
  /** A PEP 440 specifier set (`>=3.11,<3.13`), when given as one. */
  readonly specifier: string | null;
  readonly freethreaded: boolean;
}

const IMPLEMENTATIONS: ReadonlyArray<readonly [string, VersionRequest['implementation']]> = [
  ['cpython', 'cpython'], ['cp', 'cpython'], ['pypy', 'pypy'], ['pp', 'pypy'], ['graalpy', 'graalpy'], ['gp', 'graalpy'], ['python', null], ['', null],
];

/** `3`, `3.12`, `3.12.1`, `312` (3.12), `3.13t`, a specifier set; null when it is none of these. */
function parseVersion(text: string): Omit<VersionRequest, 'implementation'> | null {
  if (text === '') return null;
  if (/^(==|!=|<=|>=|<|>|~=)/.test(text)) return { version: null, specifier: text, freethreaded: false };
  const m = /^(\d+)(?:\.(\d+))?(?:\.(\d+))?(t)?$/.exec(text);
  if (m === null) return null;
  let parts = [m[1], m[2], m[3]].filter((x): x is string => x !== undefined).map(Number);
  // `312` is 3.12 (uv's and the py launcher's short form), `3` alone is a major version.
  if (parts.length === 1 && m[1]!.length >= 2 && m[1]!.startsWith('3')) parts = [3, Number(m[1]!.slice(1))];
  return { version: parts, specifier: null, freethreaded: m[4] === 't' };
}

/** A version request (`3.12`, `python3.12`, `python@3.12`, `cpython@3.12`, `cp312`, `pypy`), or null. */
export function parseVersionRequest(request: string): VersionRequest | null {
  const lower = request.toLowerCase();
  for (const [prefix, implementation] of IMPLEMENTATIONS) {
    if (!lower.startsWith(prefix)) continue;
    let rest = lower.slice(prefix.length);
    if (rest === '') {
      if (prefix === '' || prefix === 'python') continue;
      return { implementation, version: null, specifier: null, freethreaded: false };
    }
    if (rest.startsWith('@')) rest = rest.slice(1);
    const v = parseVersion(rest);
    if (v !== null) return { implementation, ...v };
  }
  return null;
}

const formatRequest = (r: VersionRequest): string => `${r.implementation ?? 'Python'} ${r.specifier ?? (r.version?.join('.') ?? 'any version')}${r.freethreaded ? 't' : ''}`;

// ---------------------------------------------------------------------------------------------
// Learning a candidate's version without running it

/** `version`/`version_info` of a `pyvenv.cfg` (venv, virtualenv, uv), and its implementation when recorded. */
function pyvenvVersion(dir: string): { version: string | null; implementation: string | null } {
  // Never blocks on a FIFO, never reads past the size limit (§4.1.2).
  const read = readSmallFile(path.join(dir, 'pyvenv.cfg'));
  if (!read.ok) return { version: null, implementation: null };
  const text = read.bytes.toString('utf8');
  const get = (k: string): string | null => new RegExp(`^\\s*${k}\\s*=\\s*(.+?)\\s*$`, 'mi').exec(text)?.[1] ?? null;
  const v = get('version_info') ?? get('version');
  return { version: v === null ? null : (/^\d+(\.\d+)*/.exec(v)?.[0] ?? null), implementation: get('implementation')?.toLowerCase() ?? null };
}

/** What a path says about the version it runs: `python3.12`, `…/versions/3.12.1/…`, `cpython-3.12.3-…`, `pypy3.10`. */
function versionFromPath(p: string): { version: string | null; implementation: string | null } {
  const dirMatch = /(?:^|[/\\])(?:(cpython|pypy|graalpy)-)?(\d+\.\d+\.\d+)(t)?(?:[-+][^/\\]*)?[/\\]bin[/\\][^/\\]+$/.exec(p);
  if (dirMatch) return { version: dirMatch[2]!, implementation: dirMatch[1] ?? null };
  const name = /(?:^|[/\\])(python|pypy|graalpy)(\d+(?:\.\d+)*)t?(?:\.exe)?$/.exec(p);
  if (name) return { version: name[2]!, implementation: name[1] === 'python' ? null : name[1]! };
  return { version: null, implementation: null };
}

type Pep440 = { satisfies(version: string, specifier: string): boolean };
let pep440: Pep440 | undefined;

/** Whether `version` (maybe only `3.12`) satisfies the request: true, false, or null when it cannot tell. */
function matches(request: VersionRequest, version: string | null, implementation: string | null): boolean | null {
  if (implementation !== null && request.implementation !== null && implementation !== request.implementation) return false;
  if (request.version === null && request.specifier === null) return implementation === null && request.implementation !== 'cpython' ? null : true;
  if (version === null) return null;
  const have = version.split('.').map(Number);
  if (request.specifier !== null) {
    if (have.length < 3) return null;
    pep440 ??= createRequire(import.meta.url)('@renovatebot/pep440') as Pep440;
    return pep440.satisfies(version, request.specifier);
  }
  for (let i = 0; i < request.version!.length; i++) {
    if (have[i] === undefined) return null;
    if (have[i] !== request.version![i]) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Choosing

interface Candidate {
  readonly file: string;
  readonly source: PythonSource;
  readonly where: string;
  /** What the files say about it. */
  readonly version: string | null;
  readonly implementation: string | null;
}

function virtualEnvironments(env: NodeJS.ProcessEnv, cwd: string, diagnostics: Diagnostic[]): Candidate[] {
  const out: Candidate[] = [];
  // As bytes: Node's string of a value that is not UTF-8 names another directory.
  const venv = envValue('VIRTUAL_ENV', env);
  if (venv) {
    const dir = path.resolve(cwd, venv);
    const exe = isDir(dir) ? environmentInterpreter(dir) : null;
    if (exe === null) diagnostics.push(diagnostic('EP402', `$VIRTUAL_ENV names ${isDir(dir) ? 'a directory without an interpreter' : 'a directory that does not exist'}: ${dir}; ignored (deactivate it, or give --python)`, { file: dir }));
    else out.push({ file: exe, source: 'VIRTUAL_ENV', where: `$VIRTUAL_ENV (${dir})`, ...pyvenvVersion(dir) });
  }
  const conda = envValue('CONDA_PREFIX', env);
  const condaBase = env['CONDA_DEFAULT_ENV'] === 'base' || (conda !== undefined && isDir(path.join(conda, 'conda-meta')) && isDir(path.join(conda, 'pkgs')));
  const condaCandidate = (): void => {
    if (!conda) return;
    const dir = path.resolve(cwd, conda);
    const exe = isDir(dir) ? environmentInterpreter(dir) : null;
    if (exe === null) diagnostics.push(diagnostic('EP404', `$CONDA_PREFIX names ${isDir(dir) ? 'a directory without an interpreter' : 'a directory that does not exist'}: ${dir}; ignored`, { file: dir }));
    else out.push({ file: exe, source: 'CONDA_PREFIX', where: `$CONDA_PREFIX (${dir})`, ...versionFromPath(fsdecode(fs.realpathSync.native(fsPath(exe), { encoding: 'buffer' }))) });
  };
  if (!condaBase) condaCandidate();
  for (const d of ancestors(cwd)) {
    const dir = path.join(d, '.venv');
    if (!isDir(dir)) continue;
    const exe = environmentInterpreter(dir);
    if (exe === null) {
      diagnostics.push(diagnostic('EP403', `${dir} has no interpreter; skipped`, { file: dir }));
      continue;
    }
    out.push({ file: exe, source: '.venv', where: d === cwd ? `.venv in the working directory (${dir})` : `.venv in a parent of the working directory (${dir})`, ...pyvenvVersion(dir) });
    break;
  }
  // A base conda environment is the system's Python, tried after project environments (as uv does).
  if (condaBase) condaCandidate();
  return out;
}

function ancestors(dir: string): string[] {
  const out: string[] = [];
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    out.push(d);
    if (path.dirname(d) === d) return out;
  }
}

/** An executable on PATH, its shim resolved for what it says about the version. */
function onPath(name: string, env: NodeJS.ProcessEnv): string[] {
  const exts = WIN ? ['.exe', ''] : [''];
  const out: string[] = [];
  for (const dir of (env['PATH'] ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    for (const ext of exts) {
      const p = path.resolve(dir, name + ext);
      if (isExecutableFile(p)) out.push(p);
    }
  }
  return out;
}

function describeFile(file: string, env: NodeJS.ProcessEnv, cwd: string): { version: string | null; implementation: string | null; runs: string | null } {
  const shim = resolveShim(file, env, cwd);
  const runs = shim === null ? file : shim.interpreter;
  if (runs === null) return { version: null, implementation: null, runs: null };
  let real = runs;
  try {
    real = fs.realpathSync(runs);
  } catch {
    // keep the path
  }
  const fromReal = versionFromPath(real);
  const fromName = versionFromPath(runs);
  const venvDir = path.dirname(path.dirname(runs));
  const fromCfg = fs.existsSync(path.join(venvDir, 'pyvenv.cfg')) ? pyvenvVersion(venvDir) : { version: null, implementation: null };
  const best = [fromCfg, fromReal, fromName].reduce((a, b) => ((b.version?.split('.').length ?? 0) > (a.version?.split('.').length ?? 0) ? b : a));
  return { version: best.version, implementation: fromCfg.implementation ?? fromReal.implementation ?? fromName.implementation, runs };
}

/** uv-managed installations (`uv python install`), newest first. */
function uvManaged(env: NodeJS.ProcessEnv): Candidate[] {
  const root = env['UV_PYTHON_INSTALL_DIR'] ?? path.join(env['XDG_DATA_HOME'] ?? path.join(homeOf(env), '.local', 'share'), 'uv', 'python');
  let names: string[];
  try {
    names = fs.readdirSync(root);
  } catch {
    return [];
  }
  const out: Candidate[] = [];
  for (const n of names) {
    const m = /^(cpython|pypy|graalpy)-(\d+\.\d+\.\d+)/.exec(n);
    const exe = m ? environmentInterpreter(path.join(root, n)) : null;
    if (m && exe) out.push({ file: exe, source: 'PATH', where: `uv-managed installation ${path.join(root, n)}`, version: m[2]!, implementation: m[1]! });
  }
  return out.sort((a, b) => compareVersionNames(b.version!, a.version!));
}

/** pyenv's installed versions, newest first (pyenv's shims would refuse any version not selected). */
function pyenvInstalled(env: NodeJS.ProcessEnv): Candidate[] {
  const root = env['PYENV_ROOT'] ?? path.join(homeOf(env), '.pyenv');
  let names: string[];
  try {
    names = fs.readdirSync(path.join(root, 'versions'));
  } catch {
    return [];
  }
  const out: Candidate[] = [];
  for (const n of names) {
    const m = /^(?:(pypy|graalpy)\d*(?:\.\d+)*-)?(\d+\.\d+\.\d+)$/.exec(n);
    const exe = m ? environmentInterpreter(path.join(root, 'versions', n)) : null;
    if (m && exe) out.push({ file: exe, source: 'PATH', where: `pyenv installation ${path.join(root, 'versions', n)}`, version: m[2]!, implementation: m[1] ?? 'cpython' });
  }
  return out.sort((a, b) => compareVersionNames(b.version!, a.version!));
}

function executableNames(r: VersionRequest, env: NodeJS.ProcessEnv): string[] {
  const stems = r.implementation === 'pypy' ? ['pypy'] : r.implementation === 'graalpy' ? ['graalpy'] : ['python'];
  const out: string[] = [];
  for (const s of stems) {
    if (r.specifier !== null) {
      // A range names no minor version: every versioned name on PATH, newest first.
      const versioned = new Set<string>();
      for (const dir of (env['PATH'] ?? '').split(path.delimiter)) {
        try {
          for (const n of fs.readdirSync(dir)) if (new RegExp(`^${s}\\d+\\.\\d+$`).test(n)) versioned.add(n);
        } catch {
          // not a directory
        }
      }
      out.push(...[...versioned].sort((a, b) => compareVersionNames(b.slice(s.length), a.slice(s.length))));
    }
    const v = r.version ?? [];
    if (v.length >= 2) out.push(`${s}${v[0]}.${v[1]}${r.freethreaded ? 't' : ''}`);
    if (v.length >= 1) out.push(`${s}${v[0]}`);
    else out.push(`${s}3`);
    out.push(s);
  }
  return out;
}

function findVersion(request: string, r: VersionRequest, env: NodeJS.ProcessEnv, cwd: string, probe: ChoiceContext['probe'], diagnostics: Diagnostic[], destructive?: string): InterpreterChoice {
  const pick = (c: Candidate, how: string): InterpreterChoice => ({ request, requestKind: 'version', source: c.source, command: c.file, reason: `--python ${request}: ${c.where}${how}`, diagnostics });
  const consider = (c: Candidate): InterpreterChoice | null => {
    const m = matches(r, c.version, c.implementation);
    if (m === true) return pick(c, c.version ? ` is ${c.implementation ?? 'Python'} ${c.version}` : '');
    if (m === null && probe !== undefined) {
      // The files do not settle it: ask this candidate now, so that the order of the sources holds.
      const v = probe(c.file);
      if (v !== null && matches(r, v, c.implementation) === true) return pick(c, ` is ${v} (asked)`);
    }
    return null;
  };
  const venvs = virtualEnvironments(env, cwd, diagnostics);
  refuseFallback(diagnostics, destructive);
  for (const c of venvs) {
    const found = consider(c);
    if (found) return found;
  }
  for (const c of uvManaged(env)) {
    const found = consider(c);
    if (found) return found;
  }
  const seen = new Set<string>();
  for (const name of executableNames(r, env)) {
    for (const file of onPath(name, env)) {
      if (seen.has(file)) continue;
      seen.add(file);
      const d = describeFile(file, env, cwd);
      if (d.runs === null) continue; // a shim that would refuse: pyenv/asdf say the command is not provided
      const found = consider({ file, source: 'PATH', where: `${name} on PATH (${file}${d.runs !== file ? ` → ${d.runs}` : ''})`, version: d.version, implementation: d.implementation });
      if (found) return found;
    }
  }
  for (const c of pyenvInstalled(env)) {
    const found = consider(c);
    if (found) return found;
  }
  throw new EpindexError('PYTHON_FAILED', `no interpreter found for --python ${request} (${formatRequest(r)}): looked in the active and project environments, uv-managed installations, PATH and pyenv's versions`);
}

/** Choose the interpreter for `request` (`--python`), or the default one when it is undefined. */
export function choosePython(request: string | undefined, context: ChoiceContext = {}): InterpreterChoice {
  const env = context.env ?? process.env;
  const cwd = context.cwd ?? process.cwd();
  const diagnostics: Diagnostic[] = [];
  if (request === undefined || request === '') {
    const venvs = virtualEnvironments(env, cwd, diagnostics);
    refuseFallback(diagnostics, context.destructive);
    const first = venvs[0];
    if (first !== undefined) return { request: null, requestKind: 'default', source: first.source, command: first.file, reason: `no --python: ${first.where}`, diagnostics };
    const name = WIN ? 'python' : 'python3';
    const found = onPath(name, env)[0];
    return { request: null, requestKind: 'default', source: 'PATH', command: found ?? name, reason: found ? `no --python, no active or project environment: ${name} on PATH (${found})` : `no --python, no active or project environment, and no ${name} on PATH`, diagnostics };
  }
  const version = parseVersionRequest(request);
  if (version !== null) return findVersion(request, version, env, cwd, context.probe, diagnostics, context.destructive);
  const asPath = path.resolve(cwd, request);
  const st = statOrNull(asPath);
  if (st?.isDirectory()) {
    const exe = environmentInterpreter(asPath);
    if (exe === null) throw new EpindexError('PYTHON_FAILED', `--python ${request}: the directory ${asPath} has no interpreter (${WIN ? 'Scripts\\python.exe' : 'bin/python'})`);
    return { request, requestKind: 'directory', source: 'python-option', command: exe, reason: `--python ${request}: the environment ${asPath}`, diagnostics };
  }
  if (st !== null || request.includes('/') || (WIN && request.includes('\\'))) {
    return { request, requestKind: 'path', source: 'python-option', command: asPath, reason: `--python ${request}: the interpreter ${asPath}`, diagnostics };
  }
  const found = onPath(request, env)[0];
  return { request, requestKind: 'name', source: 'python-option', command: found ?? request, reason: found ? `--python ${request}: ${request} on PATH (${found})` : `--python ${request}: not found on PATH`, diagnostics };
}
