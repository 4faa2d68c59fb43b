/**
 * The Python package is ready to publish under the name `epindex`: the wheel and sdist of the
 * in-tree backend (python/_build/epindex_build.py) pass the metadata checks PyPI's upload makes
 * (`twine check --strict`, twine from PyPI in a throwaway venv cached under os.tmpdir() and
 * keyed by the interpreter), and the npm package, the Python package and CHANGELOG.md name one
 * version. The install of the wheel (LICENSE in the installed dist-info) is python/tests/test_build.py.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../support/fixtures.js';
import { PYTHON } from '../support/python.js';
import { bundledPip, childEnv, makeVenv, preparedOnce, run } from '../scripts/support.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const TWINE = 'twine';

/**
 * A venv with twine from PyPI, installed once under os.tmpdir() (built beside it, renamed into
 * place: so it is run as `python -m twine`, whose launcher would name the old place). Returns its python.
 */
function twinePython(): string {
  const root = path.join(os.tmpdir(), 'epindex-test-tools');
  fs.mkdirSync(root, { recursive: true });
  const dir = path.join(root, `twine-${createHash('sha256').update(`${fs.realpathSync(PYTHON)}\0${TWINE}`).digest('hex').slice(0, 12)}`);
  const python = path.join(dir, 'bin', 'python');
  preparedOnce(dir, 'ready', (tmp) => {
    const py = makeVenv(tmp);
    const pip = bundledPip();
    if (pip === null) throw new Error(`${PYTHON} bundles no pip wheel to install twine with`);
    const r = spawnSync(py, [path.join(pip, 'pip'), 'install', '-q', '--disable-pip-version-check', '--no-compile', TWINE], { encoding: 'utf8', env: childEnv(), timeout: 300_000 });
    if (r.status !== 0) throw new Error(`could not install twine from PyPI (is PyPI reachable? set PIP_INDEX_URL for a mirror):\n${r.stderr || r.error?.message}`);
  });
  return python;
}

describe('the Python package, as PyPI would take it', () => {
  const out = tempDir('epindex-pydist-');
  const built = run(PYTHON, ['-c', 'import sys; sys.path.insert(0, sys.argv[1]); import epindex_build as b; print(b.build_wheel(sys.argv[2])); print(b.build_sdist(sys.argv[2]))', path.join(REPO, 'python', '_build'), out], { cwd: path.join(REPO, 'python') })
    .stdout.trim().split('\n').map((f) => path.join(out, f));

  test('twine check --strict passes the wheel and the sdist (readme renders, metadata valid)', () => {
    const r = spawnSync(twinePython(), ['-m', 'twine', '--no-color', 'check', '--strict', ...built], { encoding: 'utf8', env: childEnv() });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.deepEqual(r.stdout.trim().split('\n').map((l) => l.replace(/\s+/g, ' ').trim()), built.map((f) => `Checking ${f}: PASSED`));
  });

  test('one version: package.json, package-lock.json, pyproject.toml, epindex.__version__, the built files and a CHANGELOG heading', () => {
    const npm = (JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
    const lock = JSON.parse(fs.readFileSync(path.join(REPO, 'package-lock.json'), 'utf8')) as { version: string; packages: Record<string, { version: string }> };
    const pyproject = /^version = "([^"]+)"$/m.exec(fs.readFileSync(path.join(REPO, 'python', 'pyproject.toml'), 'utf8'))?.[1];
    const init = /^__version__ = "([^"]+)"$/m.exec(fs.readFileSync(path.join(REPO, 'python', 'src', 'epindex', '__init__.py'), 'utf8'))?.[1];
    assert.deepEqual([lock.version, lock.packages['']!.version, pyproject, init], [npm, npm, npm, npm]);
    assert.deepEqual(built.map((f) => path.basename(f)), [`epindex-${npm}-py3-none-any.whl`, `epindex-${npm}.tar.gz`]);
    assert.match(fs.readFileSync(path.join(REPO, 'CHANGELOG.md'), 'utf8'), new RegExp(`^## \\[${npm.replace(/\./g, '\\.')}\\]`, 'm'));
  });

  test("python/LICENSE is the repository's LICENSE", () => {
    assert.deepEqual(fs.readFileSync(path.join(REPO, 'python', 'LICENSE')), fs.readFileSync(path.join(REPO, 'LICENSE')));
  });
});
