/**
 * Shared set-up for the launcher tests: a fixture wheel whose scripts exercise every launcher
 * rule, venvs built offline, and the real tools (uv and the newest pip, from PyPI, installed once
 * into a throwaway venv cached under os.tmpdir()).
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PYTHON } from '../support/python.js';
import { buildWheel, wheelFileName, type WheelSpec } from '../support/venv.js';

/** The fixture package: one function per launcher rule. */
export const FIXTURE_MODULE = `import json, os, sys

def show():
    print(json.dumps({"argv": sys.argv, "prefix": sys.prefix}))
    return 3

def none():
    print("none")

def boom():
    raise ValueError("boom from epifix")

def code():
    return int(sys.argv[1]) if len(sys.argv) > 1 else 0

class Obj:
    class Inner:
        @staticmethod
        def method():
            print("nested", sys.argv[1:])
            return 5
`;

export const FIXTURE_EP = `[console_scripts]
epifix-show = epifix:show
epifix-none = epifix:none
epifix-boom = epifix:boom
epifix-code = epifix:code
epifix-nested = epifix:Obj.Inner.method

[gui_scripts]
epifix-gui = epifix:show
`;

export const FIXTURE_SCRIPTS = ['epifix-show', 'epifix-none', 'epifix-boom', 'epifix-code', 'epifix-nested', 'epifix-gui'];

export const FIXTURE_WHEEL: WheelSpec = { name: 'epifix', version: '1.0', entryPoints: FIXTURE_EP, files: { 'epifix/__init__.py': FIXTURE_MODULE } };

/** The caller's environment without pip settings or a venv, plus what keeps pip quiet and offline-friendly. */
export function childEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.toUpperCase().startsWith('PIP_') && !k.startsWith('UV_') && k !== 'VIRTUAL_ENV' && k !== 'PYTHONPATH') env[k] = v;
  return { ...env, PIP_CONFIG_FILE: os.devNull, PIP_NO_INPUT: '1', PIP_DISABLE_PIP_VERSION_CHECK: '1', PYTHONDONTWRITEBYTECODE: '1', UV_NO_CONFIG: '1', UV_CACHE_DIR: path.join(os.tmpdir(), 'epindex-test-tools', 'uv-cache'), ...extra };
}

export function run(cmd: string, args: readonly string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): SpawnSyncReturns<string> {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: opts.env ?? childEnv(), cwd: opts.cwd, maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw new Error(`${cmd} ${args.join(' ')}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r;
}

/** Write the fixture wheel into `dir`; returns its path. */
export function writeFixtureWheel(dir: string, spec: WheelSpec = FIXTURE_WHEEL): string {
  const file = path.join(dir, wheelFileName(spec));
  fs.writeFileSync(file, buildWheel(spec));
  return file;
}

/** `python -m venv --without-pip dir`; returns the venv's python. */
export function makeVenv(dir: string, python: string = PYTHON): string {
  run(python, ['-m', 'venv', '--without-pip', dir]);
  return path.join(dir, 'bin', 'python');
}

/** The pip wheel ensurepip bundles with `python` (offline), or null. */
export function bundledPip(python: string = PYTHON): string | null {
  const out = run(python, ['-c', 'import ensurepip, glob, os; print("\\n".join(glob.glob(os.path.join(os.path.dirname(ensurepip.__file__), "_bundled", "pip-*.whl"))))']).stdout.trim();
  return out === '' ? null : out.split('\n')[0]!;
}

/** Install wheels into the venv of `venvPython` with the bundled pip, run from its wheel (as ensurepip does): offline. */
export function pipInstall(venvPython: string, wheels: readonly string[]): void {
  const pip = bundledPip();
  if (pip === null) throw new Error(`${PYTHON} bundles no pip wheel (ensurepip unbundled?): the pip comparison needs one`);
  run(venvPython, [path.join(pip, 'pip'), 'install', '--no-index', '--no-deps', '--no-compile', '--no-warn-script-location', '-q', ...wheels]);
}

export interface Tools {
  /** The uv binary. */
  readonly uv: string;
  readonly uvVersion: string;
  /** A python whose `-m pip` is the newest pip. */
  readonly pipPython: string;
  readonly pipVersion: string;
  /** The site-packages holding pypa/installer (put it on PYTHONPATH of another interpreter). */
  readonly installerPath: string;
}

/**
 * Makes `dir` once for every test process and run: `fill` works in a temporary sibling, the
 * `marker` file is written when it succeeds, and the sibling is renamed into place, so nobody
 * sees half of it. A process that loses the race uses the winner's; a `dir` left without its
 * marker (an interrupted older run) is replaced.
 */
export function preparedOnce(dir: string, marker: string, fill: (tmp: string) => void): void {
  if (fs.existsSync(path.join(dir, marker))) return;
  const root = path.dirname(dir);
  fs.mkdirSync(root, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(root, `preparing-${path.basename(dir)}-`));
  try {
    fill(tmp);
    fs.writeFileSync(path.join(tmp, marker), '');
    try {
      fs.renameSync(tmp, dir);
    } catch {
      if (!fs.existsSync(path.join(dir, marker))) {
        fs.rmSync(dir, { recursive: true, force: true });
        fs.renameSync(tmp, dir);
      }
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

let tools: Tools | null = null;

/**
 * uv and the newest pip, installed from PyPI into a venv under os.tmpdir() once and reused by
 * later runs (keyed by the base interpreter). Built in a temporary directory and renamed into
 * place, so concurrent test processes never see half an install; used only through `python -m
 * pip` and the uv binary, which still work after that rename. Throws, with the reason, when
 * PyPI cannot be reached: these tests compare with the real tools and must not pass without them.
 */
export function realTools(): Tools {
  if (tools !== null) return tools;
  const root = path.join(os.tmpdir(), 'epindex-test-tools');
  fs.mkdirSync(root, { recursive: true });
  const key = createHash('sha256').update(fs.realpathSync(PYTHON)).digest('hex').slice(0, 12);
  const dir = path.join(root, `venv-${key}`);
  const python = path.join(dir, 'bin', 'python');
  const uv = path.join(dir, 'bin', 'uv');
  if (!fs.existsSync(uv)) fs.rmSync(path.join(dir, 'ready-v2'), { force: true });
  preparedOnce(dir, 'ready-v2', (tmp) => {
    const tmpPython = makeVenv(tmp);
    const pip = bundledPip();
    if (pip === null) throw new Error(`${PYTHON} bundles no pip wheel to install uv with`);
    const r = spawnSync(tmpPython, [path.join(pip, 'pip'), 'install', '-q', '--disable-pip-version-check', '--no-compile', 'uv', 'pip', 'installer'], { encoding: 'utf8', env: childEnv(), timeout: 300_000 });
    if (r.status !== 0) {
      throw new Error(`could not install uv and pip from PyPI, which these tests compare against (is PyPI reachable? set PIP_INDEX_URL for a mirror):\n${r.stderr || r.error?.message}`);
    }
  });
  const uvVersion = run(uv, ['--version']).stdout.trim();
  const pipVersion = run(python, ['-m', 'pip', '--version']).stdout.trim().split(' ').slice(0, 2).join(' ');
  const installerPath = run(python, ['-c', 'import installer, os; print(os.path.dirname(os.path.dirname(installer.__file__)))']).stdout.trim();
  tools = { uv, uvVersion, pipPython: python, pipVersion, installerPath };
  return tools;
}

/**
 * A wheel from PyPI (`pip download --no-deps --only-binary :all: REQUIREMENT`, with the newest pip
 * of `realTools`), downloaded once into a directory under os.tmpdir() keyed by the requirement
 * and reused by later runs (built beside it and renamed into place). Returns the wheel's path.
 */
export function pypiWheel(requirement: string): string {
  const root = path.join(os.tmpdir(), 'epindex-test-tools', 'wheels');
  fs.mkdirSync(root, { recursive: true });
  const dir = path.join(root, createHash('sha256').update(requirement).digest('hex').slice(0, 12));
  const find = (): string | null => (fs.existsSync(path.join(dir, 'ready')) ? fs.readdirSync(dir).filter((f) => f.endsWith('.whl')).map((f) => path.join(dir, f))[0] ?? null : null);
  preparedOnce(dir, 'ready', (tmp) => {
    const r = spawnSync(realTools().pipPython, ['-m', 'pip', 'download', '-q', '--no-deps', '--only-binary', ':all:', '-d', tmp, requirement], { encoding: 'utf8', env: childEnv(), timeout: 300_000 });
    if (r.status !== 0) throw new Error(`could not download ${requirement} from PyPI (is PyPI reachable? set PIP_INDEX_URL for a mirror):\n${r.stderr || r.error?.message}`);
  });
  const wheel = find();
  if (wheel === null) throw new Error(`pip download ${requirement} left no wheel in ${dir}`);
  return wheel;
}

/** `uv pip install` the wheels into the venv of `venvPython` (offline: local wheels, no deps). */
export function uvInstall(venvPython: string, wheels: readonly string[], extra: readonly string[] = []): void {
  run(realTools().uv, ['pip', 'install', '-q', '--offline', '--no-deps', '--python', venvPython, ...extra, ...wheels]);
}

export interface Ran {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run a launcher (through the kernel's #! handling, as a shell would). */
export function launch(file: string, args: readonly string[] = [], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Ran {
  const r = spawnSync(file, args, { encoding: 'utf8', cwd: opts.cwd, env: opts.env ?? childEnv() });
  if (r.error) return { status: -1, stdout: '', stderr: r.error.message };
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Every path under `root` with its kind and content hash: "nothing was written anywhere". */
export function snapshot(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const d of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = path.join(dir, d.name);
      const st = fs.lstatSync(p);
      if (d.isDirectory()) {
        out.push(`${p}/ ${st.mode.toString(8)}`);
        walk(p);
      } else if (d.isSymbolicLink()) out.push(`${p} -> ${fs.readlinkSync(p)}`);
      else out.push(`${p} ${st.mode.toString(8)} ${createHash('sha256').update(fs.readFileSync(p)).digest('hex').slice(0, 16)}`);
    }
  };
  walk(root);
  return out;
}
