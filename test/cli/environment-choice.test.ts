/**
 * Choosing the environment like uv does (docs/spec.md §4.4.1) and resolving version-manager
 * shims without running them (§4.4.3): issue 9 item 1.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { pythonEnvironment } from '../../src/environment.js';
import { choosePython, parseVersionRequest } from '../../src/python/find-python.js';
import { PYTHON } from '../support/python.js';
import { resolveShim } from '../../src/python/shims.js';
import { epi } from '../support/cli.js';
import { tempDir, writeTree } from '../support/fixtures.js';

/** An executable file that fails if anything runs it: choices must be made without running. */
function fakeExe(p: string): string {
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, '#!/bin/sh\necho "ran $0" >&2\nexit 99\n', { mode: 0o755 });
  return p;
}
function venv(dir: string, version: string): string {
  writeTree(dir, { 'pyvenv.cfg': `home = /usr/bin\nversion = ${version}\n` });
  return fakeExe(path.join(dir, 'bin', 'python'));
}
/** A shim in pyenv's own format (what `pyenv rehash` writes). */
function pyenvShim(root: string, name: string): string {
  const p = path.join(root, 'shims', name);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, `#!/usr/bin/env bash\nset -e\n[ -n "$PYENV_DEBUG" ] && set -x\n\nprogram="\${0##*/}"\n\nexport PYENV_ROOT="${root}"\nexec "${root}/libexec/pyenv" exec "$program" "$@"\n`, { mode: 0o755 });
  return p;
}
const BASE_ENV = { PATH: '/nonexistent', HOME: '/nonexistent' } as NodeJS.ProcessEnv;

describe('version requests are read as uv reads them', () => {
  const rows: Array<[string, ReturnType<typeof parseVersionRequest>]> = [
    ['3', { implementation: null, version: [3], specifier: null, freethreaded: false }],
    ['3.12', { implementation: null, version: [3, 12], specifier: null, freethreaded: false }],
    ['3.12.1', { implementation: null, version: [3, 12, 1], specifier: null, freethreaded: false }],
    ['312', { implementation: null, version: [3, 12], specifier: null, freethreaded: false }],
    ['3.13t', { implementation: null, version: [3, 13], specifier: null, freethreaded: true }],
    ['python3.12', { implementation: null, version: [3, 12], specifier: null, freethreaded: false }],
    ['python@3.12', { implementation: null, version: [3, 12], specifier: null, freethreaded: false }],
    ['cpython@3.12', { implementation: 'cpython', version: [3, 12], specifier: null, freethreaded: false }],
    ['cpython3.12', { implementation: 'cpython', version: [3, 12], specifier: null, freethreaded: false }],
    ['cp312', { implementation: 'cpython', version: [3, 12], specifier: null, freethreaded: false }],
    ['pypy@3.10', { implementation: 'pypy', version: [3, 10], specifier: null, freethreaded: false }],
    ['pypy', { implementation: 'pypy', version: null, specifier: null, freethreaded: false }],
    ['>=3.11,<3.13', { implementation: null, version: null, specifier: '>=3.11,<3.13', freethreaded: false }],
    ['python', null],
    ['mypython3', null],
    ['/usr/bin/python3', null],
    ['.venv', null],
  ];
  for (const [request, expected] of rows) test(`${request} is ${expected === null ? 'not a version request' : JSON.stringify(expected)}`, () => assert.deepEqual(parseVersionRequest(request), expected));
});

describe('choosing the interpreter', () => {
  test('no --python: $VIRTUAL_ENV first', () => {
    const v = tempDir();
    const exe = venv(v, '3.12.1');
    const c = choosePython(undefined, { env: { ...BASE_ENV, VIRTUAL_ENV: v }, cwd: tempDir() });
    assert.deepEqual([c.source, c.command, c.diagnostics], ['VIRTUAL_ENV', exe, []]);
  });

  test('a $VIRTUAL_ENV that does not exist is a warning (EP402), not a silent fallback', () => {
    const root = tempDir();
    const exe = venv(path.join(root, '.venv'), '3.12.1');
    const c = choosePython(undefined, { env: { ...BASE_ENV, VIRTUAL_ENV: path.join(root, 'gone') }, cwd: root });
    assert.deepEqual(c.diagnostics.map((d) => [d.code, d.severity]), [['EP402', 'warning']]);
    assert.match(c.diagnostics[0]!.message, /does not exist/);
    assert.deepEqual([c.source, c.command], ['.venv', exe]);
  });

  test('the CLI prints the EP402 warning and says in --json what it chose instead', () => {
    const root = tempDir();
    const r = epi(['env', '--json'], { VIRTUAL_ENV: path.join(root, 'gone') }, { cwd: root });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /warning EP402 \$VIRTUAL_ENV names a directory that does not exist/);
    const j = JSON.parse(r.stdout) as { environment: { source: string; diagnostics: Array<{ code: string }> } };
    assert.equal(j.environment.source, 'PATH');
    assert.deepEqual(j.environment.diagnostics.map((d) => d.code), ['EP402']);
  });

  test('no --python, no active environment: a .venv in the working directory or a parent', () => {
    const root = tempDir();
    const exe = venv(path.join(root, '.venv'), '3.11.2');
    const deep = path.join(root, 'src', 'pkg');
    fs.mkdirSync(deep, { recursive: true });
    const c = choosePython(undefined, { env: BASE_ENV, cwd: deep });
    assert.deepEqual([c.source, c.command], ['.venv', exe]);
    assert.match(c.reason, /\.venv in a parent of the working directory/);
  });

  test('a .venv without an interpreter is skipped with EP403, and the search goes on upward', () => {
    const root = tempDir();
    const exe = venv(path.join(root, '.venv'), '3.11.2');
    fs.mkdirSync(path.join(root, 'sub', '.venv'), { recursive: true });
    const c = choosePython(undefined, { env: BASE_ENV, cwd: path.join(root, 'sub') });
    assert.deepEqual([c.command, c.diagnostics.map((d) => d.code)], [exe, ['EP403']]);
  });

  test('nothing else: python3 on PATH', () => {
    const bin = tempDir();
    const exe = fakeExe(path.join(bin, 'python3'));
    const c = choosePython(undefined, { env: { PATH: bin, HOME: '/nonexistent' }, cwd: tempDir() });
    assert.deepEqual([c.source, c.command], ['PATH', exe]);
  });

  test('--python DIR is an environment directory: its bin/python', () => {
    const v = tempDir();
    const exe = venv(v, '3.12.1');
    const c = choosePython(v, { env: BASE_ENV, cwd: '/' });
    assert.deepEqual([c.requestKind, c.command], ['directory', exe]);
  });

  test('--python FILE is that interpreter; a relative path is relative to the working directory', () => {
    const d = tempDir();
    const exe = fakeExe(path.join(d, 'bin', 'py'));
    assert.equal(choosePython('bin/py', { env: BASE_ENV, cwd: d }).command, exe);
    assert.equal(choosePython(exe, { env: BASE_ENV, cwd: '/' }).requestKind, 'path');
  });

  test('--python NAME is looked up on PATH', () => {
    const bin = tempDir();
    const exe = fakeExe(path.join(bin, 'mypython'));
    assert.deepEqual(Object.values((({ requestKind, command }) => ({ requestKind, command }))(choosePython('mypython', { env: { PATH: bin }, cwd: '/' }))), ['name', exe]);
  });

  for (const request of ['3.12', 'python3.12', 'cpython@3.12', 'cp312', '312', '>=3.12,<3.13']) {
    test(`--python ${request} finds python3.12 on PATH without running anything`, () => {
      const bin = tempDir();
      fakeExe(path.join(bin, 'python3'));
      const exe = fakeExe(path.join(bin, 'python3.12'));
      // A specifier needs a full version: the name says only 3.12, so it is asked (probe).
      const c = choosePython(request, { env: { PATH: bin, HOME: '/nonexistent' }, cwd: tempDir(), probe: (f) => (f.endsWith('3.12') ? '3.12.4' : '3.11.9') });
      assert.deepEqual([c.requestKind, c.command], ['version', exe]);
    });
  }

  test('a version request uses the active environment when it matches (as uv does), and skips it when not', () => {
    const v = tempDir();
    const exe = venv(v, '3.12.1');
    const bin = tempDir();
    const other = fakeExe(path.join(bin, 'python3.11'));
    assert.equal(choosePython('3.12', { env: { PATH: bin, VIRTUAL_ENV: v, HOME: '/nonexistent' }, cwd: '/' }).command, exe);
    assert.equal(choosePython('3.11', { env: { PATH: bin, VIRTUAL_ENV: v, HOME: '/nonexistent' }, cwd: '/' }).command, other);
  });

  test('the library reads its python option the same way: an environment directory and a version request', async () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'bin'));
    fs.symlinkSync(PYTHON, path.join(dir, 'bin', 'python'));
    const byDir = await pythonEnvironment({ python: dir, cache: 'scan' });
    assert.equal(byDir.interpreter?.executable, path.join(dir, 'bin', 'python'));
    const version = execFileSync(PYTHON, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], { encoding: 'utf8' }).trim();
    const byVersion = await pythonEnvironment({ python: version, cache: 'scan' });
    assert.ok(byVersion.interpreter?.version.startsWith(version + '.'), byVersion.interpreter?.version);
  });

  test('a version nobody has is a clear error', () => {
    assert.throws(() => choosePython('3.99', { env: BASE_ENV, cwd: tempDir() }), /no interpreter found for --python 3\.99/);
    const r = epi(['list', '-p', '3.99'], { PATH: '/nonexistent', PYENV_ROOT: '/nonexistent', HOME: '/nonexistent' });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^epi: no interpreter found for --python 3\.99/);
  });
});

describe('pyenv, asdf and mise shims are resolved without running them', () => {
  function pyenvRoot(): string {
    const root = tempDir();
    for (const v of ['3.11.7', '3.12.0', '3.12.1', '3.13.0rc1']) fakeExe(path.join(root, 'versions', v, 'bin', 'python3'));
    fs.writeFileSync(path.join(root, 'version'), '3.11.7\n');
    pyenvShim(root, 'python3');
    return root;
  }
  const resolved = (shim: string, env: NodeJS.ProcessEnv, cwd: string): string | null => resolveShim(shim, { PATH: '/nonexistent', ...env }, cwd)?.interpreter ?? null;

  test('pyenv: the global version file', () => {
    const root = pyenvRoot();
    assert.equal(resolved(path.join(root, 'shims', 'python3'), {}, tempDir()), path.join(root, 'versions', '3.11.7', 'bin', 'python3'));
  });

  test('pyenv: PYENV_VERSION wins, a prefix picks the latest release', () => {
    const root = pyenvRoot();
    const shim = path.join(root, 'shims', 'python3');
    assert.equal(resolved(shim, { PYENV_VERSION: '3.12.0' }, tempDir()), path.join(root, 'versions', '3.12.0', 'bin', 'python3'));
    assert.equal(resolved(shim, { PYENV_VERSION: '3.12' }, tempDir()), path.join(root, 'versions', '3.12.1', 'bin', 'python3'));
    assert.equal(resolved(shim, { PYENV_VERSION: '3.13' }, tempDir()), null, 'only a pre-release: pyenv itself decides');
  });

  test('pyenv: the nearest .python-version from the working directory up', () => {
    const root = pyenvRoot();
    const shim = path.join(root, 'shims', 'python3');
    const project = tempDir();
    fs.writeFileSync(path.join(project, '.python-version'), '# pinned\n3.12.0\n');
    fs.mkdirSync(path.join(project, 'a', 'b'), { recursive: true });
    assert.equal(resolved(shim, {}, path.join(project, 'a', 'b')), path.join(root, 'versions', '3.12.0', 'bin', 'python3'));
    fs.writeFileSync(path.join(project, 'a', '.python-version'), '3.11.7\n');
    assert.equal(resolved(shim, {}, path.join(project, 'a', 'b')), path.join(root, 'versions', '3.11.7', 'bin', 'python3'));
  });

  test('pyenv: several versions, the first providing the command; then system (PATH without the shims)', () => {
    const root = pyenvRoot();
    fakeExe(path.join(root, 'versions', '3.12.1', 'bin', 'python3.12'));
    const shim = pyenvShim(root, 'python3.12');
    assert.equal(resolved(shim, { PYENV_VERSION: '3.11.7:3.12.1' }, tempDir()), path.join(root, 'versions', '3.12.1', 'bin', 'python3.12'));
    const bin = tempDir();
    const system = fakeExe(path.join(bin, 'python3'));
    assert.equal(resolved(path.join(root, 'shims', 'python3'), { PYENV_VERSION: 'system', PATH: [path.join(root, 'shims'), bin].join(path.delimiter) }, tempDir()), system);
  });

  test('pyenv: an unknown hook leaves the shim to pyenv (unresolved, run as before)', () => {
    const root = pyenvRoot();
    writeTree(path.join(root, 'pyenv.d', 'which'), { 'custom.bash': 'PYENV_COMMAND_PATH=/elsewhere\n' });
    const r = resolveShim(path.join(root, 'shims', 'python3'), { PATH: '/nonexistent' }, tempDir());
    assert.equal(r?.interpreter, null);
    assert.match(r?.unresolved ?? '', /custom\.bash/);
  });

  test('asdf: ASDF_PYTHON_VERSION, else .tool-versions from the working directory up', () => {
    const data = tempDir();
    const exe = fakeExe(path.join(data, 'installs', 'python', '3.12.1', 'bin', 'python3'));
    const other = fakeExe(path.join(data, 'installs', 'python', '3.11.7', 'bin', 'python3'));
    const shim = path.join(data, 'shims', 'python3');
    fs.mkdirSync(path.dirname(shim), { recursive: true });
    fs.writeFileSync(shim, `#!/usr/bin/env bash\n# asdf-plugin: python 3.12.1\nexec ${data}/bin/asdf exec "python3" "$@" # asdf_allow: ' asdf '\n`, { mode: 0o755 });
    const project = tempDir();
    fs.writeFileSync(path.join(project, '.tool-versions'), 'nodejs 20.0.0\npython 3.12.1 3.11.7 # comment\n');
    assert.equal(resolved(shim, { ASDF_DATA_DIR: data }, project), exe);
    assert.equal(resolved(shim, { ASDF_DATA_DIR: data, ASDF_PYTHON_VERSION: '3.11.7' }, project), other);
  });

  test('mise: MISE_PYTHON_VERSION and .tool-versions; its TOML configuration is left to mise', () => {
    const data = tempDir();
    const exe = fakeExe(path.join(data, 'installs', 'python', '3.12.1', 'bin', 'python3'));
    const bin = fakeExe(path.join(data, 'bin', 'mise'));
    fs.mkdirSync(path.join(data, 'shims'));
    const shim = path.join(data, 'shims', 'python3');
    fs.symlinkSync(bin, shim);
    const home = { MISE_DATA_DIR: data, XDG_CONFIG_HOME: tempDir() };
    assert.equal(resolved(shim, { ...home, MISE_PYTHON_VERSION: '3.12' }, tempDir()), exe);
    const project = tempDir();
    fs.writeFileSync(path.join(project, '.tool-versions'), 'python 3.12.1\n');
    assert.equal(resolved(shim, home, project), exe);
    fs.writeFileSync(path.join(project, 'mise.toml'), '[tools]\npython = "3.12"\n');
    assert.equal(resolved(shim, home, project), null);
  });

  test('a plain interpreter or script is not a shim', () => {
    const d = tempDir();
    assert.equal(resolveShim(fakeExe(path.join(d, 'python3')), {}, d), null);
  });
});

describe('a pyenv shim end to end: cheap, and never stale when the selection changes', () => {
  // Two real interpreters, installed in a pyenv root of our own (links to the machine's).
  const real = fs.readdirSync(execFileSync('pyenv', ['root'], { encoding: 'utf8' }).trim() + '/versions')
    .filter((v) => /^3\.(9|1[0-3])\.\d+$/.test(v))
    .map((v) => path.join(execFileSync('pyenv', ['root'], { encoding: 'utf8' }).trim(), 'versions', v, 'bin', 'python3'))
    .filter((p) => fs.existsSync(p));
  const root = tempDir();
  const cacheDir = tempDir();
  const names = ['aaa', 'bbb'];
  test('the machine has two CPythons to switch between', () => assert.ok(real.length >= 2, `found ${real.join(', ')}`));
  real.slice(0, 2).forEach((exe, i) => {
    fs.mkdirSync(path.join(root, 'versions', names[i]!, 'bin'), { recursive: true });
    fs.symlinkSync(exe, path.join(root, 'versions', names[i]!, 'bin', 'python3'));
  });
  fs.writeFileSync(path.join(root, 'version'), 'aaa\n');
  const shim = pyenvShim(root, 'python3');
  const project = tempDir();
  const versionOf = (exe: string): string => execFileSync(exe, ['-c', 'import sys; print("%d.%d.%d" % sys.version_info[:3])'], { encoding: 'utf8' }).trim();
  type EnvJson = { environment: { interpreter: { version: string; file: string; fromCache: boolean; shim: { resolved: boolean; origin: string } } } };
  const run = (env: NodeJS.ProcessEnv = {}): EnvJson['environment']['interpreter'] => {
    const r = epi(['env', '-p', shim, '--json'], { EPINDEX_CACHE_DIR: cacheDir, PYENV_VERSION: '', ...env }, { cwd: project });
    assert.equal(r.status, 0, r.stderr);
    return (JSON.parse(r.stdout) as EnvJson).environment.interpreter;
  };

  test('PYENV_VERSION, .python-version and the global file each select their interpreter, from the cache once seen', () => {
    if (real.length < 2) return;
    const [a, b] = [versionOf(real[0]!), versionOf(real[1]!)];
    const first = run();
    assert.deepEqual([first.version, first.shim.resolved, first.shim.origin], [a, true, path.join(root, 'version')]);
    assert.equal(run().fromCache, true, 'the second run asks nothing');
    assert.equal(run({ PYENV_VERSION: 'bbb' }).version, b);
    fs.writeFileSync(path.join(project, '.python-version'), 'bbb\n');
    assert.equal(run().version, b);
    fs.writeFileSync(path.join(project, '.python-version'), 'aaa\n');
    const back = run();
    assert.deepEqual([back.version, back.fromCache], [a, true]);
    fs.rmSync(path.join(project, '.python-version'));
    fs.writeFileSync(path.join(root, 'version'), 'bbb\n');
    assert.equal(run().version, b);
  });
});
