/**
 * The real Python interpreter (not a pyenv shim) and the throwaway venvs: one per peer, one for
 * the real environment. Venvs are created `--without-pip` from the real interpreter, without
 * system site-packages (so no start-up `.pth` of the machine runs in them), and filled by the
 * interpreter's own pip through `pip --python VENV`, wheels only. A venv is reused while the
 * requirements it was made from are unchanged (a marker file records them).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureDir, VENVS } from './paths.js';

export interface Interpreter {
  /** sys.executable of the machine's python3 (resolved through any shim once). */
  readonly executable: string;
  readonly version: string;
}

export function realPython(): Interpreter {
  const given = process.env['BENCH_PYTHON'];
  const exe = given && given !== '' ? given : execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();
  const version = execFileSync(exe, ['-c', 'import platform; print(platform.python_version())'], { encoding: 'utf8' }).trim();
  return { executable: exe, version };
}

export interface Venv {
  readonly dir: string;
  readonly python: string;
  readonly sitePackages: string;
  /** Whether it was (re)created by this run, and how long that took. */
  readonly created: boolean;
  readonly seconds: number;
}

export interface VenvSpec {
  readonly name: string;
  /** Requirement strings, or `-r FILE` pairs. */
  readonly requirements: readonly string[];
  readonly noDeps?: boolean;
  /** Files whose content is part of the spec (a requirements file). */
  readonly inputs?: readonly string[];
}

function sitePackagesOf(dir: string): string {
  const lib = path.join(dir, 'lib');
  const py = fs.readdirSync(lib).find((d) => d.startsWith('python'));
  if (py === undefined) throw new Error(`no lib/python* in ${dir}`);
  return path.join(lib, py, 'site-packages');
}

export function ensureVenv(interp: Interpreter, spec: VenvSpec, log: (s: string) => void): Venv {
  const dir = path.join(ensureDir(VENVS), spec.name);
  const marker = path.join(dir, '.bench-spec.json');
  const h = createHash('sha256').update(JSON.stringify({ python: interp.executable, version: interp.version, spec: { ...spec, inputs: undefined } }));
  for (const f of spec.inputs ?? []) h.update(fs.readFileSync(f));
  const want = h.digest('hex');
  const python = path.join(dir, 'bin', 'python');
  if (fs.existsSync(python) && fs.existsSync(marker) && fs.readFileSync(marker, 'utf8') === want) {
    return { dir, python, sitePackages: sitePackagesOf(dir), created: false, seconds: 0 };
  }
  const t0 = performance.now();
  log(`creating venv ${spec.name} (${spec.requirements.length === 0 ? 'no packages' : spec.requirements.join(' ')})`);
  fs.rmSync(dir, { recursive: true, force: true });
  execFileSync(interp.executable, ['-m', 'venv', '--without-pip', dir], { stdio: 'inherit' });
  if (spec.requirements.length > 0) {
    const args = ['-m', 'pip', '--python', python, 'install', '--disable-pip-version-check', '--no-input', '-q', '--only-binary', ':all:', ...(spec.noDeps ? ['--no-deps'] : []), ...spec.requirements];
    const r = spawnSync(interp.executable, args, { stdio: ['ignore', 'inherit', 'inherit'] });
    if (r.status !== 0) throw new Error(`pip install into ${dir} failed (exit ${r.status})`);
  }
  fs.writeFileSync(marker, want);
  return { dir, python, sitePackages: sitePackagesOf(dir), created: true, seconds: (performance.now() - t0) / 1000 };
}

/** The installed version of a distribution in a venv (asked in a process of its own). */
export function installedVersion(python: string, dist: string): string {
  return execFileSync(python, ['-c', `import importlib.metadata as m; print(m.version(${JSON.stringify(dist)}))`], { encoding: 'utf8' }).trim();
}
