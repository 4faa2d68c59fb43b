/**
 * `epi write` and `epi lint` on setup.py through the CLI: the acceptance (dict and INI
 * forms written, a computed value refused with its line), the interpreter that parses setup.py
 * (every CPython 3.9+ on the machine gives the same answer; none, or one too old, is said
 * clearly), and the bounds: setup.py read only when it is a regular file within the size limit,
 * the child interpreter stopped at its deadline with everything it started (its own process
 * group), its output bounded.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { SETUP_PY_BOOT } from '../../src/build/setup-py.js';
import { LIMITS } from '../../src/limits.js';
import { epi } from '../support/cli.js';
import { tempDir, writeTree } from '../support/fixtures.js';
import { PYTHON } from '../support/python.js';
import { interpreters } from '../python/interpreters.js';

const root = tempDir('epindex-setup-py-cli-');
let n = 0;
const project = (setupPy: string | Uint8Array): string => writeTree(path.join(root, String(n++)), { 'setup.py': setupPy });
/** No interpreter but the one given: no $VIRTUAL_ENV, no conda, run where no .venv is above. */
const ISOLATED = { VIRTUAL_ENV: '', CONDA_PREFIX: '' };

const DICT_FORM = `from setuptools import setup

ENTRY_POINTS = {
    "console_scripts": ["numba = numba.misc.numba_entry:main"],
    "numba_extensions": ["init = numba_ext:_init_extension"],
    "pytest11": ["numba = numba.testing.plugin"],
}

setup(name="numba-like", entry_points=ENTRY_POINTS)
`;
const INI_FORM = `import setuptools

setuptools.setup(
    name="pytest-like",
    entry_points="""
        [console_scripts]
        pytest = pytest:console_main
        py.test = pytest:console_main
        [pytest11]
        like = pytest_like.plugin
    """,
)
`;
const COMPUTED = `from setuptools import setup

NAMES = ["a", "b"]
setup(
    name="computed",
    entry_points={
        "console_scripts": [f"{n} = pk.cli:main" for n in NAMES],
    },
)
`;

/** A stand-in interpreter: a shell script. */
function fakePython(body: string): string {
  const file = path.join(root, `python-${n++}`);
  fs.writeFileSync(file, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return file;
}

describe('epi write and lint read setup.py', () => {
  test('the dict form and the INI-string form are written; the findings carry setup.py lines', () => {
    const dict = epi(['write', project(DICT_FORM), '-p', PYTHON]);
    assert.equal(dict.status, 0, dict.stderr);
    assert.equal(dict.stdout, '[console_scripts]\nnumba = numba.misc.numba_entry:main\n\n[numba_extensions]\ninit = numba_ext:_init_extension\n\n[pytest11]\nnumba = numba.testing.plugin\n');
    const ini = project(INI_FORM);
    const w = epi(['write', ini, '-p', PYTHON]);
    assert.equal(w.status, 0, w.stderr);
    assert.equal(w.stdout, '[console_scripts]\npy.test = pytest:console_main\npytest = pytest:console_main\n\n[pytest11]\nlike = pytest_like.plugin\n');
    // A bad value is reported at its own line inside the string.
    fs.writeFileSync(path.join(ini, 'setup.py'), INI_FORM.replace('like = pytest_like.plugin', 'like = pytest-like.plugin'));
    const l = epi(['lint', ini], ISOLATED, { cwd: root });
    assert.equal(l.status, 1);
    assert.match(l.stdout, /setup\.py\n {2}10 {4}error {3}EP606 /);
  });

  test('a computed value: a finding with its line, exit 1 from lint; write writes nothing (--json: undecided)', () => {
    const dir = project(COMPUTED);
    const l = epi(['lint', dir], ISOLATED, { cwd: root });
    assert.equal(l.status, 1, l.stderr);
    assert.match(l.stdout, /setup\.py\n {2}7 {5}error {3}EP681 {2}entry_points \(line 6\): a comprehension at line 7; the build decides its entry points/);
    const out = path.join(root, `out-${n++}`);
    const w = epi(['write', dir, '-p', PYTHON, '--out', out]);
    assert.equal(w.status, 1);
    assert.equal(fs.existsSync(out), false);
    assert.match(w.stderr, /nothing written/);
    const j = JSON.parse(epi(['write', dir, '-p', PYTHON, '--json']).stdout) as { undecided: boolean; text: string | null; file: string };
    assert.deepEqual([j.undecided, j.text, path.basename(j.file)], [true, null, 'setup.py']);
  });

  test('the interpreter comes from the environment choice when --python is not given ($VIRTUAL_ENV)', () => {
    const venv = writeTree(path.join(root, `venv-${n++}`), { bin: { python: { symlink: PYTHON } } });
    const r = epi(['write', project(DICT_FORM)], { ...ISOLATED, VIRTUAL_ENV: venv }, { cwd: root });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^\[console_scripts\]/);
  });

  test('every CPython 3.9+ on the machine reads setup.py the same way', () => {
    const pythons = interpreters();
    assert.ok(pythons.length > 0);
    const dirs = [project(DICT_FORM), project(INI_FORM), project(COMPUTED)];
    const answers = pythons.map((p) => dirs.map((d) => {
      const r = epi(['write', d, '-p', p.executable, '--json']);
      const j = JSON.parse(r.stdout) as { text: string | null; findings: Array<{ code: string; line?: number }> };
      return { status: r.status, text: j.text, findings: j.findings.map((f) => `${f.code}:${f.line}`) };
    }));
    for (let i = 1; i < answers.length; i++) assert.deepEqual(answers[i], answers[0], `CPython ${pythons[i]!.version} and ${pythons[0]!.version} differ`);
    assert.deepEqual(answers[0]!.map((a) => a.status), [0, 0, 1]);
    assert.deepEqual(answers[0]![2]!.findings, ['EP681:7']);
  });

  test('no interpreter: said clearly (EP684 warning); write writes nothing, lint exits 0 (1 with --strict)', () => {
    const dir = project(DICT_FORM);
    const env = { ...ISOLATED, PATH: path.join(root, 'empty-path') };
    const w = epi(['write', dir], env, { cwd: root });
    assert.equal(w.status, 1);
    assert.equal(w.stdout, '');
    assert.match(w.stderr, /warning EP684 {2}setup\.py not read: cannot run the Python interpreter "python3": not found \(give one with --python\)/);
    assert.match(w.stderr, /nothing written: the entry points cannot be known without running setup\.py/);
    const l = epi(['lint', dir], env, { cwd: root });
    assert.equal(l.status, 0, l.stdout);
    assert.match(l.stdout, /EP684/);
    assert.equal(epi(['lint', '--strict', dir], env, { cwd: root }).status, 1);
  });

  test('an interpreter older than 3.9 is named, and told apart from one that fails', () => {
    const boot = spawnSync(PYTHON, ['-I', '-S', '-c', `import sys\nsys.version_info = (3, 8, 18, "final", 0)\n${SETUP_PY_BOOT}`, '/nonexistent', '1'], { encoding: 'utf8' });
    assert.equal(boot.stdout, '{"tooOld": "3.8.18"}');
    const old = fakePython(`cat >/dev/null; printf '{"tooOld": "3.8.18"}'`);
    const r = epi(['write', project(DICT_FORM), '-p', old]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /EP684 {2}setup\.py not read: epi reads setup\.py with Python 3\.9 or later; ".*" is 3\.8\.18/);
    const broken = fakePython(`cat >/dev/null; echo 'Traceback: it broke' >&2; exit 3`);
    assert.match(epi(['write', project(DICT_FORM), '-p', broken]).stderr, /EP684 {2}setup\.py not read: cannot run the Python interpreter ".*": Traceback: it broke/);
    const garbage = fakePython(`cat >/dev/null; echo '{"calls": "x"}'`);
    assert.match(epi(['write', project(DICT_FORM), '-p', garbage]).stderr, /EP684 .*gave an answer of the wrong shape/);
  });

  test('the deadline stops the interpreter and what it started (its process group), even when SIGTERM is ignored', () => {
    const pidFile = path.join(root, `grandchild-${n++}.pid`);
    const hang = fakePython(`trap '' TERM\nsleep 300 &\necho $! > ${pidFile}\nsleep 300`);
    const t = Date.now();
    const r = epi(['write', project(DICT_FORM), '-p', hang], { EPINDEX_PYTHON_TIMEOUT: '1' });
    const took = Date.now() - t;
    assert.equal(r.status, 1);
    assert.match(r.stderr, /EP684 {2}setup\.py not read: .*no answer within 1 s; stopped \(it ignored SIGTERM and was killed after 2 s more\)/);
    assert.ok(took < 15_000, `took ${took} ms`);
    const pid = Number(fs.readFileSync(pidFile, 'utf8'));
    assert.ok(!alive(pid), `the grandchild ${pid} still runs`);
  });

  test('output beyond the bound stops the interpreter', () => {
    const flood = fakePython('cat >/dev/null; exec yes');
    const r = epi(['write', project(DICT_FORM), '-p', flood]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /EP684 {2}setup\.py not read: .*it printed more than 64 MiB; stopped/);
  });

  test('setup.py is read only when it is a regular file within the size limit (never opened for a FIFO)', () => {
    const fifoDir = path.join(root, `fifo-${n++}`);
    fs.mkdirSync(fifoDir);
    const fifo = path.join(fifoDir, 'setup.py');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
    const f = epi(['lint', '--json', fifoDir], ISOLATED, { cwd: root });
    const findings = (JSON.parse(f.stdout) as { findings: Array<{ code: string; message: string }> }).findings;
    assert.deepEqual(findings.map((x) => [x.code, x.message]), [['EP680', 'setup.py is a FIFO, not a regular file']]);
    const big = project('#'.repeat(LIMITS.fileBytes + 1));
    const b = epi(['write', big, '-p', PYTHON]);
    assert.equal(b.status, 1);
    assert.match(b.stderr, new RegExp(`EP680 {2}setup\\.py has ${LIMITS.fileBytes + 1} bytes, over the limit of ${LIMITS.fileBytes}`));
  });

  test('setup.py is never run', () => {
    const marker = path.join(root, `ran-${n++}`);
    const dir = project(`open(${JSON.stringify(marker)}, "w").close()\n${DICT_FORM}`);
    assert.equal(epi(['write', dir, '-p', PYTHON]).status, 0);
    assert.equal(epi(['lint', dir], ISOLATED, { cwd: root }).status, 0);
    assert.equal(fs.existsSync(marker), false);
  });
});

/** Whether a process runs (a zombie waiting for its parent to reap it does not). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}
