/**
 * One throwaway venv with the real tools the lint and build tests compare against, installed
 * from PyPI once and kept under os.tmpdir() (keyed by what is installed and by the
 * interpreter), so later runs are offline:
 * - hatchling and flit-core (build backends; setuptools comes from PyPI too, to build with the
 *   backend users get);
 * - importlib_metadata 8.7.0, the release whose reader CPython 3.15 ships (it validates every
 *   value while reading; later releases went back to validating lazily);
 * - pre-commit, to run the repository's hook.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PYTHON } from './python.js';

export const TOOL_REQUIREMENTS = ['hatchling', 'flit-core', 'setuptools>=77', 'importlib_metadata==8.7.0', 'pre-commit'];

export interface ToolsVenv {
  readonly root: string;
  readonly python: string;
  readonly bin: string;
}

function run(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env, maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw new Error(`${cmd} ${args.join(' ')}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
}

let cached: ToolsVenv | undefined;

/** The tools venv, built on first use (about 15 s with network), reused afterwards. */
export function toolsVenv(): ToolsVenv {
  if (cached !== undefined) return cached;
  const key = createHash('sha256').update(JSON.stringify([TOOL_REQUIREMENTS, fs.realpathSync(PYTHON), 1])).digest('hex').slice(0, 16);
  const root = path.join(os.tmpdir(), `epindex-lint-tools-${key}`);
  const bin = path.join(root, process.platform === 'win32' ? 'Scripts' : 'bin');
  const python = path.join(bin, process.platform === 'win32' ? 'python.exe' : 'python');
  const marker = path.join(root, '.complete');
  if (!fs.existsSync(marker)) {
    // Built beside its final place and renamed into it, so a half-built venv is never used.
    const staging = `${root}.${process.pid}.${Date.now()}`;
    fs.rmSync(staging, { recursive: true, force: true });
    run(PYTHON, ['-m', 'venv', staging]);
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!/^PIP_(USER|TARGET|PREFIX|REQUIRE_VIRTUALENV)$/i.test(k)) env[k] = v;
    run(path.join(staging, 'bin', 'python'), ['-m', 'pip', 'install', '-q', '--disable-pip-version-check', ...TOOL_REQUIREMENTS], { ...env, PIP_NO_INPUT: '1' });
    // Renamed after the install: console-script shebangs keep the staging path, so tools are
    // always run as `python -m tool`, which does not depend on them.
    fs.writeFileSync(path.join(staging, '.complete'), '');
    try {
      fs.renameSync(staging, root);
    } catch {
      fs.rmSync(staging, { recursive: true, force: true }); // another process won the race
    }
  }
  cached = { root, python, bin };
  return cached;
}
