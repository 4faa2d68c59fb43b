/** Discovery in one path entry (docs/spec.md §4): layouts, names, versions, the in-directory choice. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { zipSync } from 'fflate';
import type { DirectoryScan } from '../src/cache/source.js';
import { scanPathEntry } from '../src/python/discover.js';
import { distInfo, tempDir, writeTree, type Tree } from './support/fixtures.js';
import { reachableModule } from './support/reachable.js';

const te = new TextEncoder();
const summary = (s: DirectoryScan) => s.units.map((d) => [d.child, d.layout, d.name, d.key, d.version, d.real, d.entryPoints.map((e) => `${e.group}/${e.name}=${e.value}`)]);
const codes = (s: DirectoryScan) => [...s.diagnostics, ...s.units.flatMap((d) => d.diagnostics)].map((d) => d.code).sort();

function scanTree(tree: Tree): DirectoryScan {
  return scanPathEntry(writeTree(tempDir(), tree));
}

describe('discovery: layouts', () => {
  test('a *.dist-info directory gives name and version from its stem', () => {
    const s = scanTree(distInfo('Foo.Bar_baz', '1.0', '[g]\na = m:f\n'));
    assert.deepEqual(summary(s), [['Foo.Bar_baz-1.0.dist-info', 'dist-info', 'Foo.Bar_baz', 'foo-bar-baz', '1.0', true, ['g/a=m:f']]]);
    assert.deepEqual(codes(s), []);
  });

  test('suffixes are matched case-insensitively, as importlib does', () => {
    const s = scanTree({ 'Foo-1.0.DIST-INFO': { METADATA: 'Name: Foo\n', 'entry_points.txt': '[g]\na = m:f\n' } });
    assert.equal(s.units[0]?.layout, 'dist-info');
  });

  test('an *.egg-info directory without a version in its stem takes it from PKG-INFO', () => {
    const s = scanTree({ 'dev.egg-info': { 'PKG-INFO': 'Metadata-Version: 1.1\nName: dev\nVersion: 0.3.dev1\n', 'entry_points.txt': '[g]\nd = dev:main\n' } });
    assert.deepEqual(summary(s), [['dev.egg-info', 'egg-info', 'dev', 'dev', '0.3.dev1', true, ['g/d=dev:main']]]);
  });

  test('an *.egg-info file carries metadata only, never entry points', () => {
    const s = scanTree({ 'old-2.0-py3.11.egg-info': 'Metadata-Version: 1.0\nName: old\nVersion: 2.0\n' });
    assert.deepEqual(summary(s), [['old-2.0-py3.11.egg-info', 'egg-info-file', 'old', 'old', '2.0', true, []]]);
  });

  test('an *.egg directory on the path is searched for EGG-INFO; its name comes from PKG-INFO', () => {
    const root = tempDir();
    const egg = path.join(root, 'my_pkg-1.0-py3.11.egg');
    writeTree(egg, { 'EGG-INFO': { 'PKG-INFO': 'Name: my-pkg\nVersion: 1.0\n', 'entry_points.txt': '[g]\ne = my_pkg:main\n' } });
    assert.deepEqual(summary(scanPathEntry(egg)), [['EGG-INFO', 'egg', 'my-pkg', 'my-pkg', '1.0', true, ['g/e=my_pkg:main']]]);
  });

  test('EGG-INFO in a directory that is not an *.egg is not a distribution', () => {
    assert.deepEqual(summary(scanTree({ 'EGG-INFO': { 'PKG-INFO': 'Name: x\n' } })), []);
  });

  test('a zipped egg on the path is searched for EGG-INFO', () => {
    const root = tempDir();
    const zip = path.join(root, 'baz-2.0-py3.11.egg');
    fs.writeFileSync(zip, zipSync({ 'EGG-INFO/PKG-INFO': te.encode('Name: baz\nVersion: 2.0\n'), 'EGG-INFO/entry_points.txt': te.encode('[g]\nz = baz:main\n'), 'baz/__init__.py': te.encode('') }));
    const s = scanPathEntry(zip);
    assert.equal(s.kind, 'zip');
    assert.deepEqual(summary(s), [['EGG-INFO', 'egg', 'baz', 'baz', '2.0', true, ['g/z=baz:main']]]);
  });

  test('a zip on the path (a wheel, python3X.zip) is searched for top-level *.dist-info and *.egg-info', () => {
    const root = tempDir();
    const whl = path.join(root, 'gruyere-1.0-py3-none-any.whl');
    fs.writeFileSync(whl, zipSync({
      'gruyere-1.0.dist-info/METADATA': te.encode('Name: gruyere\nVersion: 1.0\n'),
      'gruyere-1.0.dist-info/entry_points.txt': te.encode('[g]\ncheese = gruyere:main\n'),
      'emmental.egg-info/PKG-INFO': te.encode('Name: emmental\nVersion: 3\n'),
      'nested/deep-1.0.dist-info/METADATA': te.encode('Name: deep\n'),
    }));
    // In the archive's central-directory order, as importlib lists a zip.
    assert.deepEqual(summary(scanPathEntry(whl)), [
      ['gruyere-1.0.dist-info', 'dist-info', 'gruyere', 'gruyere', '1.0', true, ['g/cheese=gruyere:main']],
      ['emmental.egg-info', 'egg-info', 'emmental', 'emmental', '3', true, []],
    ]);
  });

  test('a corrupt zip is a diagnostic, not a crash', () => {
    const root = tempDir();
    const bad = path.join(root, 'bad.egg');
    fs.writeFileSync(bad, Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(40, 7)]));
    const s = scanPathEntry(bad);
    assert.deepEqual(codes(s), ['EP205']);
  });

  test('a file that is not a zip contributes nothing and no diagnostic', () => {
    const root = tempDir();
    fs.writeFileSync(path.join(root, 'x.pth'), 'hello');
    const s = scanPathEntry(path.join(root, 'x.pth'));
    assert.deepEqual([s.kind, s.units.length, s.diagnostics.length], ['unsearchable', 0, 0]);
  });

  test('a missing path entry contributes nothing and no diagnostic', () => {
    const s = scanPathEntry(path.join(tempDir(), 'nope'));
    assert.deepEqual([s.kind, s.units.length, s.diagnostics.length], ['missing', 0, 0]);
  });

  test('a directory named entry_points.txt is ignored with a diagnostic', () => {
    const s = scanTree({ 'x-1.0.dist-info': { METADATA: 'Name: x\n', 'entry_points.txt': {} } });
    assert.deepEqual(s.units[0]?.entryPoints, []);
    assert.deepEqual(codes(s), ['EP112']);
  });

  test('a *.dist-info that is a file is ignored with a diagnostic', () => {
    assert.deepEqual(codes(scanTree({ 'x-1.0.dist-info': 'not a dir' })), ['EP209']);
  });

  test('a symlink loop among the children is a diagnostic', () => {
    const s = scanTree({ 'loop-1.0.dist-info': { symlink: 'loop-1.0.dist-info' } });
    assert.deepEqual(codes(s), ['EP204']);
  });

  test('a path entry that is a symlink loop is a diagnostic', () => {
    const root = tempDir();
    fs.symlinkSync(path.join(root, 'l'), path.join(root, 'l'));
    assert.deepEqual(codes(scanPathEntry(path.join(root, 'l'))), ['EP204']);
  });

  test('a symlinked *.dist-info directory is followed', () => {
    const root = tempDir();
    writeTree(path.join(root, 'real'), distInfo('lnk', '1.0', '[g]\na = m:f\n'));
    fs.mkdirSync(path.join(root, 'site'));
    fs.symlinkSync(path.join(root, 'real', 'lnk-1.0.dist-info'), path.join(root, 'site', 'lnk-1.0.dist-info'));
    assert.deepEqual(summary(scanPathEntry(path.join(root, 'site')))[0]?.[6], ['g/a=m:f']);
  });

  test('invalid UTF-8 in one distribution loses only that distribution\'s entry points', () => {
    const s = scanTree({
      ...distInfo('bad', '1.0', Uint8Array.from([...te.encode('[g]\nx = caf'), 0xe9])),
      ...distInfo('good', '1.0', '[g]\ny = m:f\n'),
    });
    assert.deepEqual(summary(s).map((r) => r[6]), [[], ['g/y=m:f']]);
    assert.deepEqual(codes(s), ['EP101']);
  });

  test('diagnostics name files relative to the path entry', () => {
    const s = scanTree(distInfo('x', '1.0', '[g]\nnope\n'));
    assert.equal(s.units[0]?.diagnostics[0]?.file, 'x-1.0.dist-info/entry_points.txt');
    assert.equal(s.units[0]?.diagnostics[0]?.line, 2);
  });

  test('an unreadable path entry is a warning, not an error or a crash', { skip: process.platform === 'win32' }, () => {
    const root = tempDir();
    const site = writeTree(path.join(root, 'site'), distInfo('x', '1.0', '[g]\na = m:f\n'));
    fs.chmodSync(root, 0o755);
    fs.chmodSync(site, 0o000);
    try {
      // Root ignores permissions: scan as an unprivileged user in a child process.
      // The child gets its own copy of the code: the checkout may be out of its reach (mode 0700 above it).
      const script = `import('${reachableModule('python/discover.js')}').then(m => process.stdout.write(JSON.stringify(m.scanPathEntry(${JSON.stringify(site)}))))`;
      const asRoot = process.getuid?.() === 0;
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, NODE_EXTRA_CA_CERTS: '' }, ...(asRoot ? { uid: 65534, gid: 65534 } : {}) });
      assert.equal(r.status, 0, r.stderr);
      const s = JSON.parse(r.stdout) as DirectoryScan;
      assert.deepEqual([s.kind, s.diagnostics.map((d) => [d.code, d.severity])], ['unsearchable', [['EP203', 'warning']]]);
    } finally {
      fs.chmodSync(site, 0o755);
    }
  });
});

describe('discovery: the choice within one directory', () => {
  test('a metadata-less leftover never hides a real distribution, whatever the listing order', () => {
    const s = scanTree({
      ...distInfo('foo', '0.9', undefined, { metadata: false }),
      ...distInfo('foo', '1.0', '[grp]\nfoo = foo:main\n'),
    });
    assert.deepEqual(s.units.map((d) => [d.version, d.real, d.winner]), [['1.0', true, true], ['0.9', false, false]]);
    assert.deepEqual(codes(s), ['EP202', 'EP206']);
  });

  test('among real distributions the highest PEP 440 version comes first', () => {
    const s = scanTree({ ...distInfo('foo', '1.10', ''), ...distInfo('foo', '1.9', ''), ...distInfo('foo', '1.10rc1', ''), ...distInfo('Foo', '2.0.dev1', '') });
    assert.deepEqual(s.units.map((d) => d.version), ['2.0.dev1', '1.10', '1.10rc1', '1.9']);
  });

  test('a valid version beats an invalid one, which beats none', () => {
    const s = scanTree({ ...distInfo('foo', 'banana', ''), ...distInfo('foo', '0.1', ''), 'foo.egg-info': { 'PKG-INFO': 'Name: foo\n' } });
    assert.deepEqual(s.units.map((d) => d.version), ['0.1', 'banana', null]);
  });

  test('at the same version a dist-info comes before an egg-info', () => {
    const s = scanTree({ ...distInfo('foo', '1.0', ''), 'foo-1.0-py3.11.egg-info': { 'PKG-INFO': 'Name: foo\nVersion: 1.0\n' } });
    assert.deepEqual(s.units.map((d) => d.layout), ['dist-info', 'egg-info']);
  });
});

describe('discovery: names and order as importlib.metadata has them', () => {
  test("a distribution's name is its METADATA Name (as importlib's dist.name), its identity the stem's normalized name", () => {
    const s = scanTree({ 'pytest_cov-6.0.0.dist-info': { METADATA: 'Metadata-Version: 2.1\nName: pytest-cov\nVersion: 6.0.0\n' } });
    assert.deepEqual(summary(s), [['pytest_cov-6.0.0.dist-info', 'dist-info', 'pytest-cov', 'pytest-cov', '6.0.0', true, []]]);
  });

  test('without a Name header the name is the stem name', () => {
    const s = scanTree({ 'Flask-3.0.dist-info': { METADATA: 'Metadata-Version: 2.1\nVersion: 3.0\n' } });
    assert.deepEqual(summary(s)[0]?.slice(2, 4), ['Flask', 'flask']);
  });

  test('a Name header after 4 KiB of other headers is still found', () => {
    const s = scanTree({ 'late-1.0.dist-info': { METADATA: `Metadata-Version: 2.1\nSummary: ${'x'.repeat(5000)}\nName: Late\n` } });
    assert.equal(s.units[0]?.name, 'Late');
  });

  test('distributions come in directory-listing order (by first appearance of each name), not sorted', () => {
    const root = tempDir();
    const listed = fs.readdirSync(writeTree(root, { ...distInfo('zeta', '1.0', ''), ...distInfo('alpha', '1.0', ''), ...distInfo('mid', '1.0', ''), ...distInfo('alpha', '0.5', '') }));
    const s = scanPathEntry(root);
    const firstSeen = [...new Set(listed.map((n) => n.split('-')[0]!))];
    assert.deepEqual([...new Set(s.units.map((u) => u.key))], firstSeen);
    assert.deepEqual(s.listing.map((l) => l.name), listed);
  });

  test('several candidates of one name: the preferred one is the winner, the others get EP206 naming it', () => {
    const s = scanTree({ ...distInfo('foo', '1.0', ''), ...distInfo('foo', '2.0', '') });
    assert.deepEqual(s.units.map((u) => [u.version, u.winner]), [['2.0', true], ['1.0', false]]);
    const d = s.diagnostics.find((x) => x.code === 'EP206');
    assert.equal(d?.file, 'foo-1.0.dist-info');
    assert.match(d?.message ?? '', /foo 2\.0 \(foo-2\.0\.dist-info\) in the same directory is preferred/);
  });
});

describe('a scan for a cache reads METADATA once', () => {
  // With stamps the whole file is read (the importlib facts) and the head cut from it by the
  // rule of the bounded head read: the same Name, Version and EP211/EP212 as a plain scan's.
  const FILLERS: [string, Uint8Array][] = [
    ['a short file', new Uint8Array(0)],
    ['a Version past the first 4 KiB', new Uint8Array(5000).fill(0x61)],
    ['invalid UTF-8 past the first 4 KiB', new Uint8Array(5000).fill(0xff)],
    ['invalid UTF-8 past 64 KiB, the Version after it', new Uint8Array(70_000).fill(0xff)],
    ['a line split at 64 KiB', Uint8Array.from({ length: 70_000 }, (_, i) => (i % 997 === 0 ? 0x0a : 0xc3))],
  ];
  for (const [what, filler] of FILLERS) {
    test(`${what}: the same units and diagnostics with stamps as without`, () => {
      const root = tempDir();
      const metadata = Buffer.concat([Buffer.from('Metadata-Version: 2.1\nName: big\nX-Filler: '), filler, Buffer.from('\nVersion: 2.0\n')]);
      writeTree(root, { 'big.dist-info': { METADATA: metadata }, ...distInfo('ok', '1.0', '') });
      const seen = (stamps: boolean): unknown => scanPathEntry(root, { stamps }).units.map((u) => [u.name, u.version, u.diagnostics.map((d) => [d.code, d.message, d.line])]);
      assert.deepEqual(seen(true), seen(false));
    });
  }
});
