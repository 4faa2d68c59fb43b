/**
 * What `epi scripts` refuses and never touches: unsafe names (nothing written anywhere), files
 * it did not write (unless --force; directories and the interpreter never), and the states
 * `list` reports for each; idempotence; remove; Windows.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, test } from 'node:test';
import { EntryPoint, type Distribution } from '../../src/entry-point.js';
import { takeInventory } from '../../src/scripts/inventory.js';
import { applyPlan, planInstall } from '../../src/scripts/plan.js';
import { probeInterpreter } from '../../src/scripts/probe.js';
import { epi } from '../support/cli.js';
import { distInfo, tempDir, writeTree } from '../support/fixtures.js';
import { makeVenv, run, snapshot } from './support.js';

const root = tempDir('epindex-scripts-safety-');
const env = { EPINDEX_CACHE_DIR: path.join(root, 'cache'), VIRTUAL_ENV: '' };
const scripts = (args: readonly string[]) => epi(['scripts', ...args], env);

interface Listed {
  scripts: Array<{ name: string; state: string; writer: string | null; dist: { name: string } | null; path: string | null; claimedBy?: string[] }>;
  diagnostics: Array<{ code: string; message: string; file?: string }>;
}
interface Planned {
  actions: Array<{ action: string; name: string; path: string; dist: { name: string } | null; reason: string }>;
  diagnostics: Array<{ code: string; message: string; file?: string }>;
}
const json = <T>(args: readonly string[]): { status: number; j: T } => {
  const r = scripts([...args, '--json']);
  assert.ok(r.stdout.startsWith('{'), `no JSON from epi scripts ${args.join(' ')}: ${r.stderr}`);
  return { status: r.status, j: JSON.parse(r.stdout) as T };
};
const codes = (ds: ReadonlyArray<{ code: string }>): string[] => [...new Set(ds.map((d) => d.code))].sort();

/** A venv (no pip) whose site-packages gets hand-written distributions. */
function venvWith(name: string, tree: Parameters<typeof writeTree>[1]): { python: string; bin: string; site: string } {
  const dir = path.join(root, name);
  const python = makeVenv(dir);
  const site = run(python, ['-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])']).stdout.trim();
  writeTree(site, tree);
  return { python, bin: path.join(dir, 'bin'), site };
}

const launcherFor = (python: string, module: string, func: string): string =>
  `#!${python}\n# -*- coding: utf-8 -*-\nimport re\nimport sys\nfrom ${module} import ${func}\nif __name__ == '__main__':\n    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])\n    sys.exit(${func}())\n`;

describe('names that would escape the destination', () => {
  let v: ReturnType<typeof venvWith>;
  before(() => {
    v = venvWith('escape', {
      ...distInfo('evil', '1.0', '[console_scripts]\n../x = m:f\na/b = m:f\n/abs/x = m:f\na\0b = m:f\n..\\y = m:f\nok-evil = m:f\n'),
      ...distInfo('good', '1.0', '[console_scripts]\ngood = m:f\n'),
    });
  });

  test('"../x", "a/b", "/abs/x", a NUL and a backslash are refused with EP501; nothing is written anywhere, not even the bad distribution\'s good names', () => {
    const dest = path.join(root, 'escape-dest', 'bin');
    fs.mkdirSync(dest, { recursive: true });
    const before = snapshot(root);
    const { status, j } = json<Planned>(['install', '--python', v.python, '--dest', dest]);
    assert.equal(status, 1);
    const refused = j.diagnostics.filter((d) => d.code === 'EP501').map((d) => d.message);
    for (const n of ['"../x"', '"a/b"', '"/abs/x"', '"a\\u0000b"', '"..\\\\y"']) assert.ok(refused.some((m) => m.includes(n)), `${n} refused: ${refused.join('\n')}`);
    assert.ok(j.diagnostics.some((d) => d.code === 'EP511' && d.message.includes('evil')));
    // The entry-point lookup's own caches (docs/spec.md §5) are written by every epi command; they are not launchers.
    const after = snapshot(root).filter((l) => !l.startsWith(path.join(root, 'cache')) && !l.includes('/.epindex/'));
    const added = after.filter((l) => !before.includes(l));
    assert.deepEqual(added.map((l) => l.split(' ')[0]), [path.join(dest, 'good')], 'only the good distribution\'s launcher was written');
    assert.equal(fs.existsSync('/abs/x'), false);
    assert.equal(fs.existsSync(path.join(root, 'escape-dest', 'x')), false);
  });

  test('list shows them as refused, with no launcher path', () => {
    const { j } = json<Listed>(['list', '--python', v.python]);
    const evil = j.scripts.filter((s) => s.dist?.name === 'evil');
    assert.deepEqual(evil.map((s) => [s.state, s.path === null]), [
      ['invalid', true], ['invalid', true], ['invalid', true], ['invalid', true], ['invalid', true], ['missing', false],
    ]);
  });

  test("--dist narrows the run and its diagnostics: another distribution's refused names do not fail it", () => {
    const dest = path.join(root, 'escape-good-only');
    const { status, j } = json<Planned>(['install', '--python', v.python, '--dest', dest, '--dist', 'good']);
    assert.equal(status, 0, JSON.stringify(j.diagnostics));
    assert.deepEqual(codes(j.diagnostics), []);
    assert.deepEqual(fs.readdirSync(dest), ['good']);
    const l = json<Listed>(['list', '--python', v.python, '--dist', 'nothing-here']);
    assert.deepEqual([l.status, codes(l.j.diagnostics), l.j.scripts], [1, ['EP514'], []]);
  });

  test('a line break in a name (possible only through the library) is refused and nothing is written', async () => {
    const target = await probeInterpreter(v.python);
    const dest = path.join(root, 'newline-dest');
    fs.mkdirSync(dest);
    const dist: Distribution = { name: 'nl', normalizedName: 'nl', version: '1', metadataPath: path.join(v.site, 'nl-1.dist-info'), pathEntry: v.site, layout: 'dist-info', hasMetadata: true };
    const before = snapshot(root);
    const inv = takeInventory([new EntryPoint('console_scripts', 'a\nb', 'm:f', dist), new EntryPoint('gui_scripts', 'x\ry', 'm:f', dist)], target, dest);
    const applied = applyPlan(planInstall(inv));
    assert.deepEqual(codes(applied.diagnostics), ['EP501', 'EP511']);
    assert.deepEqual(snapshot(root), before);
  });
});

describe('states, install and remove on an environment with every kind of file', () => {
  let v: ReturnType<typeof venvWith>;
  const bin = (n: string): string => path.join(v.bin, n);
  // conf_a and conf_b claim one launcher: the first in the directory's listing order (os.listdir's,
  // the raw readdir order, docs/spec.md §4.2; not sorted) wins, as importlib's EntryPoints[name].
  const rawListing = (dir: string): string[] => {
    const d = fs.opendirSync(dir);
    const names: string[] = [];
    try {
      for (let e = d.readSync(); e !== null; e = d.readSync()) names.push(e.name);
    } finally {
      d.closeSync();
    }
    return names;
  };
  const confOrder = (): ['conf_a' | 'conf_b', 'conf_a' | 'conf_b'] => {
    const names = rawListing(v.site);
    return names.indexOf('conf_a-1.0.dist-info') < names.indexOf('conf_b-1.0.dist-info') ? ['conf_a', 'conf_b'] : ['conf_b', 'conf_a'];
  };
  before(() => {
    v = venvWith('states', {
      ...distInfo('app', '1.0', '[console_scripts]\nmiss = m:f\nforeign = m:f\ndiffers = m:f\nnoexec = m:f\nmoved = m:f\nlink = m:f\ndir = m:f\nCase = m:f\ncase = m:f\ndup = m:first\ndup = m:last\n'),
      ...distInfo('bad', '1.0', '[console_scripts]\nnoattr = m\nkw = class:f\n'),
      ...distInfo('conf_a', '1.0', '[console_scripts]\nclash = a:main\n'),
      ...distInfo('conf_b', '1.0', '[console_scripts]\nclash = b:main\n'),
      ...distInfo('hijack', '1.0', '[console_scripts]\npython = m:f\n'),
      ...distInfo('pip', '99.0', '[console_scripts]\npip = pip.cli:main\npip3 = pip.cli:main\npip3.1 = pip.cli:main\n'),
    });
    const w = (n: string, text: string): void => fs.writeFileSync(bin(n), text, { mode: 0o755 });
    w('foreign', '#!/bin/sh\necho "not a launcher"\n');
    w('differs', launcherFor(v.python, 'm', 'other'));
    w('noexec', launcherFor(v.python, 'm', 'f'));
    fs.chmodSync(bin('noexec'), 0o644);
    w('moved', launcherFor('/gone/venv/bin/python', 'm', 'f'));
    fs.writeFileSync(path.join(root, 'link-target'), 'precious\n');
    fs.symlinkSync(path.join(root, 'link-target'), bin('link'));
    fs.mkdirSync(bin('dir'));
  });

  test('list: ok / missing / other interpreter / not a launcher / claimed by several / differs / not executable / refused', () => {
    const { status, j } = json<Listed>(['list', '--python', v.python]);
    assert.equal(status, 1);
    const by = Object.fromEntries(j.scripts.filter((s) => s.dist?.name !== 'pip').map((s) => [`${s.name}${s.dist?.name === 'conf_b' ? '#b' : ''}`, s.state]));
    assert.deepEqual(by, {
      miss: 'missing', foreign: 'foreign', differs: 'differs', noexec: 'not-executable', moved: 'other-interpreter', link: 'foreign', dir: 'foreign',
      Case: 'missing', case: 'missing', dup: 'missing', noattr: 'invalid', kw: 'invalid', clash: 'conflict', 'clash#b': 'conflict', python: 'foreign',
    });
    assert.deepEqual(j.scripts.find((s) => s.name === 'clash')?.claimedBy, confOrder().map((d) => `${d} 1.0`));
    assert.deepEqual(codes(j.diagnostics), ['EP502', 'EP503', 'EP504', 'EP505', 'EP512']);
    // pip's rule: pip, pip3, pip3.X of this interpreter; the declared pip3.1 is not written.
    const minor = run(v.python, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])']).stdout.trim();
    assert.deepEqual(j.scripts.filter((s) => s.dist?.name === 'pip').map((s) => s.name), ['pip', 'pip3', `pip${minor}`]);
  });

  test('install writes what is missing or broken, never a file it did not write, a directory, or the interpreter; a refused distribution gets nothing', () => {
    const untouched = ['foreign', 'link', 'dir', 'python'].map((n) => snapshot(v.bin).filter((l) => l.startsWith(bin(n) + ' ') || l.startsWith(bin(n) + '/')));
    const { status, j } = json<Planned>(['install', '--python', v.python, '--dist', 'app', '--dist', 'bad', '--dist', 'conf-a', '--dist', 'conf_b', '--dist', 'hijack']);
    assert.equal(status, 1);
    assert.deepEqual(Object.fromEntries(j.actions.map((a) => [a.name, a.action])), {
      miss: 'create', foreign: 'skip', differs: 'replace', noexec: 'chmod', moved: 'replace', link: 'skip', dir: 'skip', Case: 'create', case: 'create', dup: 'create', clash: 'create', python: 'skip',
    });
    assert.deepEqual(codes(j.diagnostics), ['EP502', 'EP503', 'EP504', 'EP505', 'EP506', 'EP509', 'EP511', 'EP512']);
    assert.deepEqual(['foreign', 'link', 'dir', 'python'].map((n) => snapshot(v.bin).filter((l) => l.startsWith(bin(n) + ' ') || l.startsWith(bin(n) + '/'))), untouched);
    assert.equal(fs.readFileSync(path.join(root, 'link-target'), 'utf8'), 'precious\n');
    assert.equal(fs.existsSync(bin('noattr')) || fs.existsSync(bin('kw')), false);
    assert.match(fs.readFileSync(bin('dup'), 'utf8'), /sys\.exit\(last\(\)\)/, 'the last of two same-named entries, as pip');
    assert.match(fs.readFileSync(bin('clash'), 'utf8'), confOrder()[0] === 'conf_a' ? /from a import main/ : /from b import main/, 'the first on the search path');
    assert.equal(fs.statSync(bin('noexec')).mode & 0o777, 0o755);
    assert.deepEqual(fs.readdirSync(v.bin).filter((f) => f.endsWith('.tmp')), []);
  });

  test('install is idempotent: a second run changes no byte, mode or mtime', () => {
    const before = fs.readdirSync(v.bin).map((f) => [f, fs.lstatSync(bin(f)).mtimeMs, fs.lstatSync(bin(f)).ino]);
    const snap = snapshot(v.bin);
    const { j } = json<Planned>(['install', '--python', v.python, '--dist', 'app', '--dist', 'conf-a', '--dist', 'conf_b']);
    assert.deepEqual([...new Set(j.actions.map((a) => a.action))].sort(), ['skip', 'unchanged']);
    assert.deepEqual(snapshot(v.bin), snap);
    assert.deepEqual(fs.readdirSync(v.bin).map((f) => [f, fs.lstatSync(bin(f)).mtimeMs, fs.lstatSync(bin(f)).ino]), before);
  });

  test('--force replaces foreign files and symlinks (never their targets), still never a directory or the interpreter', () => {
    const interpreter = fs.readlinkSync(bin('python'));
    const { j } = json<Planned>(['install', '--python', v.python, '--dist', 'app', '--dist', 'hijack', '--force']);
    assert.deepEqual(Object.fromEntries(j.actions.filter((a) => a.action !== 'unchanged').map((a) => [a.name, a.action])), { foreign: 'replace', link: 'replace', dir: 'skip', python: 'skip' });
    assert.equal(fs.lstatSync(bin('link')).isSymbolicLink(), false);
    assert.equal(fs.readFileSync(path.join(root, 'link-target'), 'utf8'), 'precious\n');
    assert.equal(fs.readlinkSync(bin('python')), interpreter);
    assert.ok(fs.statSync(bin('dir')).isDirectory());
    const { j: l } = json<Listed>(['list', '--python', v.python, '--dist', 'app']);
    assert.deepEqual(l.scripts.filter((s) => s.state !== 'ok').map((s) => [s.name, s.state]), [['dir', 'foreign']]);
  });

  test('remove takes only launchers of the distribution, never foreign files nor one that runs another distribution\'s entry point', () => {
    fs.writeFileSync(bin('foreign'), '#!/bin/sh\necho "mine"\n', { mode: 0o755 });
    const r = json<Planned>(['remove', '--python', v.python, '--dist', confOrder()[1]]);
    assert.deepEqual(r.j.actions.map((a) => [a.name, a.action]), [['clash', 'skip']]);
    assert.deepEqual(codes(r.j.diagnostics).filter((c) => c === 'EP513'), ['EP513']);
    assert.ok(fs.existsSync(bin('clash')));
    const dry = json<Planned>(['remove', '--python', v.python, '--dist', 'app', '--dry-run']);
    assert.ok(fs.existsSync(bin('miss')), 'the dry run removed nothing');
    assert.equal(dry.j.actions.find((a) => a.name === 'foreign')?.action, 'skip');
    const { status, j } = json<Planned>(['remove', '--python', v.python, '--dist', 'app']);
    assert.equal(status, 1, 'foreign and the directory stay: a problem is reported');
    assert.deepEqual(j.actions.filter((a) => a.action === 'remove').map((a) => a.name).sort(), ['Case', 'case', 'differs', 'dup', 'link', 'miss', 'moved', 'noexec'].sort());
    assert.deepEqual(fs.readdirSync(v.bin).filter((f) => ['miss', 'differs', 'noexec', 'moved', 'Case', 'case', 'dup', 'link'].includes(f)), []);
    assert.equal(fs.readFileSync(bin('foreign'), 'utf8'), '#!/bin/sh\necho "mine"\n');
    assert.ok(fs.existsSync(bin('dir')));
  });

  test('--dist naming nothing with scripts is EP514 and exit 1', () => {
    const { status, j } = json<Planned>(['install', '--python', v.python, '--dist', 'no-such-dist', '--dry-run']);
    assert.equal(status, 1);
    assert.ok(j.diagnostics.some((d) => d.code === 'EP514'));
    assert.deepEqual(j.actions, []);
  });

  test('a file that changes between the plan and the write is left as it became (EP507), and no temporary file remains', async () => {
    fs.rmSync(bin('miss'), { force: true });
    const target = await probeInterpreter(v.python);
    const dist: Distribution = { name: 'app', normalizedName: 'app', version: '1.0', metadataPath: path.join(v.site, 'app-1.0.dist-info'), pathEntry: v.site, layout: 'dist-info', hasMetadata: true };
    const plan = planInstall(takeInventory([new EntryPoint('console_scripts', 'miss', 'm:f', dist)], target));
    assert.deepEqual(plan.actions.map((a) => a.kind), ['create']);
    fs.writeFileSync(bin('miss'), 'someone else\n');
    const applied = applyPlan(plan);
    assert.deepEqual(codes(applied.diagnostics), ['EP507']);
    assert.equal(fs.readFileSync(bin('miss'), 'utf8'), 'someone else\n');
    assert.deepEqual(fs.readdirSync(v.bin).filter((f) => f.endsWith('.tmp')), []);
  });
});

describe('Windows', () => {
  test('a Windows interpreter is refused (exit 2) and nothing is written', () => {
    // An "interpreter" that answers the probe as a Windows CPython would.
    const dir = path.join(root, 'fake-windows');
    fs.mkdirSync(dir);
    const fake = path.join(dir, 'python');
    const probe = JSON.stringify({ executable: 'C:\\Python311\\python.exe', version: [3, 11], prefix: 'C:\\Python311', base_prefix: 'C:\\Python311', os_name: 'nt', schemes: [{ name: 'nt', purelib: 'C:\\Python311\\Lib\\site-packages', platlib: 'C:\\Python311\\Lib\\site-packages', scripts: 'C:\\Python311\\Scripts' }] });
    const query = JSON.stringify({ executable: 'C:\\Python311\\python.exe', version: '3.11.0', prefix: 'C:\\Python311', base_prefix: 'C:\\Python311', path: [], site_dirs: [], startup_files: [] });
    fs.writeFileSync(fake, `#!/bin/sh\ncase "$2" in *get_scheme_names*) printf '%s' '${probe}' ;; *) printf '%s' '${query}' ;; esac\n`, { mode: 0o755 });
    const before = snapshot(root);
    for (const cmd of ['list', 'install', 'repair', 'remove']) {
      const r = scripts([cmd, '--python', fake, '--dest', path.join(dir, 'dest')]);
      assert.equal(r.status, 2, `${cmd}: ${r.stderr}`);
      assert.match(r.stderr, /^epi: .*Windows launchers \(\.exe wrappers\) are out of scope/);
    }
    assert.deepEqual(snapshot(root).filter((l) => !l.startsWith(path.join(root, 'cache'))), before.filter((l) => !l.startsWith(path.join(root, 'cache'))));
  });
});

describe('the interpreter probe', () => {
  test('an interpreter that never answers is killed after the time-out, with a one-line reason', async () => {
    const fake = path.join(root, 'hanging-python');
    fs.writeFileSync(fake, '#!/bin/sh\nexec sleep 30\n', { mode: 0o755 });
    const t0 = Date.now();
    await assert.rejects(probeInterpreter(fake, 300), /no answer within 0\.3 s/);
    assert.ok(Date.now() - t0 < 5000);
  });
  test('a missing interpreter and one that prints something else are operational errors', async () => {
    await assert.rejects(probeInterpreter(path.join(root, 'no-such-python')), /not found/);
    const liar = path.join(root, 'liar-python');
    fs.writeFileSync(liar, '#!/bin/sh\necho hello\n', { mode: 0o755 });
    await assert.rejects(probeInterpreter(liar), /did not report its install schemes/);
  });
});

describe('epi scripts help', () => {
  for (const c of ['scripts', 'scripts list', 'scripts install', 'scripts repair', 'scripts remove']) {
    test(`epi ${c} --help describes the command and exits 0`, () => {
      const r = epi([...c.split(' '), '--help']);
      assert.equal(r.status, 0);
      assert.match(r.stdout, /^Usage: epi scripts/);
    });
  }
  test('the top-level help lists the scripts group', () => {
    assert.match(epi(['--help']).stdout, /scripts <command>\s+list, install, repair and remove/);
  });
});
