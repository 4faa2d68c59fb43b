/**
 * Issue 3, "Must show" 4: the per-user cache of an interpreter's sys.path
 * (src/python/interpreter-cache.ts, docs/spec.md §4.4).
 *
 * Whether the interpreter was run is observed without timing: once an answer is cached, a
 * marker is slipped into the cached sys.path. A lookup that returns the marker reused the
 * cache; one that does not ran the interpreter (and its answer must equal a direct query).
 *
 * The cache is never written while any of its files changed in the last 2 s, so the venvs are
 * created up front and left to settle once (a wait for a condition, not a timing assertion).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, test } from 'node:test';
import { pythonEnvironment } from '../../src/environment.js';
import { interpreterInfo } from '../../src/python/interpreter-cache.js';
import { queryInterpreter, type InterpreterInfo } from '../../src/python/interpreter.js';
import { tempDir } from '../support/fixtures.js';
import { PYTHON } from '../support/python.js';
import { settle, userCache } from './helpers.js';

const MARKER = '/epindex-test-marker/reused-from-cache';

interface Venv {
  readonly root: string;
  readonly python: string;
  readonly site: string;
}

function makeVenv(): Venv {
  const root = path.join(tempDir('epindex-venv-'), 'venv');
  execFileSync(PYTHON, ['-m', 'venv', '--without-pip', root], { stdio: 'ignore' });
  const python = path.join(root, 'bin', 'python');
  const site = execFileSync(python, ['-c', 'import site; print(site.getsitepackages()[0])'], { encoding: 'utf8' }).trim();
  return { root, python, site };
}

function cacheFiles(uc: string): string[] {
  const dir = path.join(uc, 'interpreters.v1');
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => n.endsWith('.json')).map((n) => path.join(dir, n)) : [];
}

/** Slip the marker into every cached answer (the files stay the user's, mode 0600). */
function mark(uc: string): void {
  const files = cacheFiles(uc);
  assert.ok(files.length > 0, 'precondition: the answer was cached');
  for (const f of files) {
    const doc = JSON.parse(fs.readFileSync(f, 'utf8')) as { info: { path: string[] } };
    doc.info.path.push(MARKER);
    fs.writeFileSync(f, JSON.stringify(doc));
  }
}

const ask = (python: string, uc: string): Promise<InterpreterInfo> => interpreterInfo(python, { read: true, write: true, userCacheDir: uc });
const reused = (info: InterpreterInfo): boolean => info.path.includes(MARKER);

/** Cache the venv's answer and mark it; asserts the marked answer is then reused. */
async function cacheAndMark(v: Venv, uc: string): Promise<InterpreterInfo> {
  const first = await ask(v.python, uc);
  assert.ok(!reused(first));
  assert.equal(cacheFiles(uc).length, 1, 'precondition: a settled venv is cached');
  mark(uc);
  const second = await ask(v.python, uc);
  assert.ok(reused(second), 'precondition: the cached answer is reused while valid');
  return first;
}

async function assertRequeried(v: Venv, uc: string, what: string): Promise<InterpreterInfo> {
  const info = await ask(v.python, uc);
  assert.ok(!reused(info), `${what}: the interpreter was asked again`);
  const direct = await queryInterpreter(v.python);
  assert.deepEqual(info.path, direct.path, 'and its answer is the interpreter\'s own');
  return info;
}

describe('interpreter sys.path cache', () => {
  const venvs: Record<string, Venv> = {};
  const extra: Record<string, string> = {};
  let copiedPython = '';
  let wrapper = '';
  let unavailable: string | null = null;
  before(async () => {
    try {
      execFileSync(PYTHON, ['-c', 'import venv'], { stdio: 'ignore' });
    } catch {
      unavailable = `${PYTHON} has no venv module`;
      return;
    }
    for (const k of ['reuse', 'env', 'pthAdd', 'pthEdit', 'pthTouch', 'pthBytes', 'pthLater', 'cfg', 'pythonpath', 'retarget', 'scan']) venvs[k] = makeVenv();
    for (const k of ['A', 'B', 'C']) extra[k] = tempDir(`epindex-extra${k}-`);
    // Same-length names so that the edit below keeps the file size.
    fs.writeFileSync(path.join(venvs['pthEdit']!.site, 'extra.pth'), `${extra['A']}\n`);
    fs.writeFileSync(path.join(venvs['pthTouch']!.site, 'extra.pth'), `${extra['A']}\n`);
    // A .pth file whose name is not UTF-8: site.py reads it (os.listdir with surrogateescape).
    fs.writeFileSync(Buffer.concat([Buffer.from(venvs['pthBytes']!.site + '/extra'), Buffer.from([0xff]), Buffer.from('.pth')]), `${extra['A']}\n`);
    fs.writeFileSync(path.join(venvs['pthLater']!.site, 'later.pth'), `${path.join(extra['C']!, 'not-yet')}\n`);
    const copyDir = tempDir('epindex-pycopy-');
    copiedPython = path.join(copyDir, path.basename(fs.realpathSync(PYTHON)));
    fs.copyFileSync(fs.realpathSync(PYTHON), copiedPython);
    fs.chmodSync(copiedPython, 0o755);
    // A wrapper script (as pyenv/asdf shims are), settled too: only its being a wrapper keeps it out.
    const shimDir = tempDir('epindex-shim-');
    wrapper = path.join(shimDir, 'python3');
    fs.writeFileSync(wrapper, `#!/bin/sh\nexec "${venvs['scan']!.python}" "$@"\n`, { mode: 0o755 });
    await settle([...Object.values(venvs).map((v) => v.root), copyDir, shimDir]);
  });

  const guard = (t: { skip: (why: string) => void }): boolean => {
    if (unavailable === null) return false;
    t.skip(unavailable);
    return true;
  };

  test('a cached sys.path is reused while nothing it depends on changed', async (t) => {
    if (guard(t)) return;
    const v = venvs['reuse']!;
    const uc = userCache();
    const first = await cacheAndMark(v, uc);
    for (let i = 0; i < 3; i++) {
      const again = await ask(v.python, uc);
      assert.ok(reused(again));
      assert.deepEqual(again.path.filter((p) => p !== MARKER), first.path);
    }
    assert.ok(first.path.includes(v.site));
  });

  test('the environment reuses the cached sys.path under auto/prefer/only, never under scan', async (t) => {
    if (guard(t)) return;
    const v = venvs['env']!;
    const uc = userCache();
    const env0 = await pythonEnvironment({ python: v.python, cache: 'auto', userCacheDir: uc });
    assert.ok(!env0.searchPath.includes(MARKER));
    mark(uc);
    for (const cache of ['auto', 'prefer', 'only', 'fallback'] as const) {
      const env = await pythonEnvironment({ python: v.python, cache, userCacheDir: uc });
      assert.ok(env.searchPath.includes(MARKER), `${cache} reuses it`);
    }
    const scan = await pythonEnvironment({ python: v.python, cache: 'scan', userCacheDir: uc });
    assert.ok(!scan.searchPath.includes(MARKER), 'scan always asks the interpreter');
  });

  test('adding a .pth file to a site directory invalidates the cached sys.path', async (t) => {
    if (guard(t)) return;
    const v = venvs['pthAdd']!;
    const uc = userCache();
    await cacheAndMark(v, uc);
    fs.writeFileSync(path.join(v.site, 'added.pth'), `${extra['C']}\n`);
    const info = await assertRequeried(v, uc, 'a .pth file was added');
    assert.ok(info.path.includes(extra['C']!));
  });

  test('editing a .pth file in place invalidates the cached sys.path', async (t) => {
    if (guard(t)) return;
    const v = venvs['pthEdit']!;
    const uc = userCache();
    const first = await cacheAndMark(v, uc);
    assert.ok(first.path.includes(extra['A']!));
    const pth = path.join(v.site, 'extra.pth');
    const size = fs.statSync(pth).size;
    fs.writeFileSync(pth, `${extra['B']}\n`);
    assert.equal(fs.statSync(pth).size, size, 'same size');
    const info = await assertRequeried(v, uc, 'a .pth file was edited');
    assert.ok(info.path.includes(extra['B']!) && !info.path.includes(extra['A']!));
  });

  test('editing in place a .pth file whose name is not UTF-8 invalidates the cached sys.path', { skip: process.platform === 'win32' }, async (t) => {
    if (guard(t)) return;
    const v = venvs['pthBytes']!;
    const uc = userCache();
    const first = await cacheAndMark(v, uc);
    assert.ok(first.path.includes(extra['A']!), 'precondition: Python read the file');
    fs.writeFileSync(Buffer.concat([Buffer.from(v.site + '/extra'), Buffer.from([0xff]), Buffer.from('.pth')]), `${extra['B']}\n`);
    const info = await assertRequeried(v, uc, 'a .pth file with a non-UTF-8 name was edited');
    assert.ok(info.path.includes(extra['B']!));
  });

  test('editing a .pth file in place and setting its mtime back still invalidates the cached sys.path', async (t) => {
    if (guard(t)) return;
    const v = venvs['pthTouch']!;
    const uc = userCache();
    await cacheAndMark(v, uc);
    const pth = path.join(v.site, 'extra.pth');
    const st = fs.statSync(pth);
    const dirSt = fs.statSync(v.site);
    fs.writeFileSync(pth, `${extra['B']}\n`);
    fs.utimesSync(pth, st.atime, st.mtime);
    fs.utimesSync(v.site, dirSt.atime, dirSt.mtime);
    const info = await assertRequeried(v, uc, 'a .pth file was edited and its mtime set back');
    assert.ok(info.path.includes(extra['B']!));
  });

  test('a directory named by a .pth line that is created later joins the cached sys.path', async (t) => {
    if (guard(t)) return;
    const v = venvs['pthLater']!;
    const uc = userCache();
    const later = path.join(extra['C']!, 'not-yet');
    const first = await cacheAndMark(v, uc);
    assert.ok(!first.path.includes(later));
    fs.mkdirSync(later);
    const info = await assertRequeried(v, uc, 'a directory named by a .pth line appeared');
    assert.ok(info.path.includes(later));
  });

  test('a change to pyvenv.cfg invalidates the cached sys.path', async (t) => {
    if (guard(t)) return;
    const v = venvs['cfg']!;
    const uc = userCache();
    const first = await cacheAndMark(v, uc);
    const cfg = path.join(v.root, 'pyvenv.cfg');
    const text = fs.readFileSync(cfg, 'utf8');
    assert.match(text, /include-system-site-packages = false/);
    fs.writeFileSync(cfg, text.replace('include-system-site-packages = false', 'include-system-site-packages = true'));
    const info = await assertRequeried(v, uc, 'pyvenv.cfg changed');
    assert.ok(info.path.length > first.path.length, 'the system site-packages joined sys.path');
  });

  test('a different PYTHONPATH is not answered from the cache of another', async (t) => {
    if (guard(t)) return;
    const v = venvs['pythonpath']!;
    const uc = userCache();
    const saved = process.env['PYTHONPATH'];
    delete process.env['PYTHONPATH'];
    try {
      await cacheAndMark(v, uc);
      process.env['PYTHONPATH'] = extra['C']!;
      const info = await assertRequeried(v, uc, 'PYTHONPATH differs');
      assert.ok(info.path.includes(extra['C']!));
      process.env['PYTHONPATH'] = extra['B']!;
      const other = await ask(v.python, uc);
      assert.ok(!reused(other) && other.path.includes(extra['B']!) && !other.path.includes(extra['C']!));
      delete process.env['PYTHONPATH'];
      assert.ok(reused(await ask(v.python, uc)), 'the original environment still has its own valid entry');
    } finally {
      if (saved === undefined) delete process.env['PYTHONPATH'];
      else process.env['PYTHONPATH'] = saved;
    }
  });

  test('re-pointing the interpreter symlink at another binary invalidates the cached sys.path', async (t) => {
    if (guard(t)) return;
    const v = venvs['retarget']!;
    const uc = userCache();
    await cacheAndMark(v, uc);
    fs.rmSync(v.python);
    fs.symlinkSync(copiedPython, v.python);
    try {
      await queryInterpreter(v.python);
    } catch (e) {
      return t.skip(`a copy of ${PYTHON} does not run from another directory here: ${(e as Error).message}`);
    }
    const info = await assertRequeried(v, uc, 'the venv\'s python now resolves to another binary');
    assert.equal(fs.realpathSync(info.executable), copiedPython);
  });

  test('a wrapper script whose sys.executable is another file is never cached', async (t) => {
    if (guard(t)) return;
    const uc = userCache();
    const info = await ask(wrapper, uc);
    assert.notEqual(fs.realpathSync(info.executable), fs.realpathSync(wrapper), 'precondition: a wrapper');
    assert.deepEqual(cacheFiles(uc), [], 'nothing cached for the wrapper');
    const env = await pythonEnvironment({ python: wrapper, cache: 'auto', userCacheDir: uc });
    assert.deepEqual(env.searchPath, info.path);
    assert.deepEqual(cacheFiles(uc), []);
    // Control: the interpreter it runs, asked directly, is cached.
    await ask(venvs['scan']!.python, uc);
    assert.equal(cacheFiles(uc).length, 1);
  });
});
