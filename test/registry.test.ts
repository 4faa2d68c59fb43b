/** Across the search path (docs/spec.md §4.3): who wins, who is shadowed, what is reported. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { pythonEnvironment } from '../src/environment.js';
import { emulateSite } from '../src/python/interpreter.js';
import { distInfo, tempDir, writeTree } from './support/fixtures.js';

const triples = async (searchPath: string[], query = {}) =>
  (await (await pythonEnvironment({ path: searchPath, cache: 'scan' })).entryPoints(query)).toArray().map((e) => [e.dist?.name, e.dist?.version, e.group, e.name, e.value]);

describe('resolution across the search path', () => {
  test('the first distribution of a normalized name on the path wins', async () => {
    const a = writeTree(tempDir(), distInfo('Foo_Bar', '2.0', '[g]\nx = new:f\n'));
    const b = writeTree(tempDir(), distInfo('foo.bar', '1.0', '[g]\nx = old:f\ny = old:g\n'));
    assert.deepEqual(await triples([a, b]), [['Foo_Bar', '2.0', 'g', 'x', 'new:f']]);
  });

  test('every shadowed distribution is reported', async () => {
    const a = writeTree(tempDir(), distInfo('foo', '2.0', ''));
    const b = writeTree(tempDir(), distInfo('foo', '1.0', ''));
    const env = await pythonEnvironment({ path: [a, b], cache: 'scan' });
    const report = await env.distributions();
    assert.deepEqual(report.shadowed.map((s) => [s.distribution.version, s.by.version]), [['1.0', '2.0']]);
    assert.deepEqual(report.diagnostics.map((d) => [d.code, d.file]), [['EP201', path.join(b, 'foo-1.0.dist-info')]]);
  });

  test('a metadata-less leftover earlier on the path does not hide a real distribution later', async () => {
    const a = writeTree(tempDir(), distInfo('foo', '0.9', undefined, { metadata: false }));
    const b = writeTree(tempDir(), distInfo('Foo', '2.0', '[grp]\nfoo = foo:main\n'));
    assert.deepEqual(await triples([a, b], { group: 'grp' }), [['Foo', '2.0', 'grp', 'foo', 'foo:main']]);
  });

  test('when every candidate is a leftover, the first one is used', async () => {
    const a = writeTree(tempDir(), distInfo('foo', '0.9', '[g]\nx = a:b\n', { metadata: false }));
    const b = writeTree(tempDir(), distInfo('foo', '1.0', '[g]\nx = c:d\n', { metadata: false }));
    assert.deepEqual(await triples([a, b]), [['foo', '0.9', 'g', 'x', 'a:b']]);
  });

  test('several distributions of one name in one directory: one is used, the others reported as warnings', async () => {
    const a = writeTree(tempDir(), { ...distInfo('foo', '1.0', '[g]\nx = one:f\n'), ...distInfo('foo', '2.0', '[g]\nx = two:f\n') });
    const env = await pythonEnvironment({ path: [a], cache: 'scan' });
    assert.deepEqual((await env.entryPoints()).toArray().map((e) => e.value), ['two:f']);
    assert.deepEqual((await env.diagnose()).map((d) => [d.code, d.severity]), [['EP206', 'warning']]);
  });

  test('a directory reached twice (lib and a lib64 symlink) is searched once', async () => {
    const root = tempDir();
    const lib = writeTree(path.join(root, 'lib'), distInfo('foo', '1.0', '[g]\nx = m:f\n'));
    fs.symlinkSync(lib, path.join(root, 'lib64'));
    const env = await pythonEnvironment({ path: [lib, path.join(root, 'lib64')], cache: 'scan' });
    assert.equal((await env.entryPoints()).length, 1);
    assert.deepEqual(await env.diagnose(), []);
  });

  test('a bad file in one distribution never hides another distribution\'s entry points', async () => {
    const a = writeTree(tempDir(), {
      ...distInfo('bad', '1.0', '[unrelated]\nx = not a valid ref\n[grp]\n; semicolon\nnoequals\n'),
      ...distInfo('good', '1.0', '[grp]\ng = good:plugin\n'),
    });
    const eps = await (await pythonEnvironment({ path: [a], cache: 'scan' })).entryPoints({ group: 'grp' });
    assert.deepEqual(eps.toArray().map((e) => e.name), ['g']);
    assert.deepEqual(eps.diagnostics.map((d) => d.code).sort(), ['EP103', 'EP104', 'EP108']);
  });
});

describe('the environment API', () => {
  const site = (): string => writeTree(tempDir(), {
    ...distInfo('alpha', '1.0', '[console_scripts]\ntool = alpha.cli:main\n\n[pytest11]\nalpha = alpha.plugin\n'),
    ...distInfo('beta', '2.0', '[console_scripts]\ntool = beta.cli:main\nbeta = beta:main\n'),
  });

  test('entryPoints selects by group, name, dist, module and attr', async () => {
    const env = await pythonEnvironment({ path: [site()], cache: 'scan' });
    assert.deepEqual((await env.entryPoints({ group: 'console_scripts', name: 'tool' })).toArray().map((e) => e.dist?.name), ['alpha', 'beta']);
    assert.deepEqual((await env.entryPoints({ dist: 'BETA' })).toArray().map((e) => e.name), ['tool', 'beta']);
    assert.deepEqual((await env.entryPoints({ module: 'alpha.plugin' })).toArray().map((e) => e.name), ['alpha']);
    assert.deepEqual((await env.entryPoints({ attr: 'main' })).toArray().map((e) => e.value), ['alpha.cli:main', 'beta.cli:main', 'beta:main']);
    const all = await env.entryPoints();
    assert.deepEqual([...all.groups].sort(), ['console_scripts', 'pytest11']);
    assert.equal(all.get('tool')?.dist?.name, 'alpha');
    assert.equal(all.select({ group: 'pytest11' }).length, 1);
  });

  test('groups counts entry points and distributions', async () => {
    const env = await pythonEnvironment({ path: [site()], cache: 'scan' });
    assert.deepEqual(await env.groups(), [{ group: 'console_scripts', entryPoints: 3, distributions: 2 }, { group: 'pytest11', entryPoints: 1, distributions: 1 }]);
  });

  test('conflicts are one group+name provided by several distributions', async () => {
    const env = await pythonEnvironment({ path: [site()], cache: 'scan' });
    assert.deepEqual((await env.conflicts()).map((c) => [c.group, c.name, c.providers.map((p) => p.dist?.name)]), [['console_scripts', 'tool', ['alpha', 'beta']]]);
  });

  test('which lists providers first on the path first; default group console_scripts', async () => {
    const env = await pythonEnvironment({ path: [site()], cache: 'scan' });
    assert.deepEqual((await env.which('tool')).toArray().map((e) => e.value), ['alpha.cli:main', 'beta.cli:main']);
    assert.equal((await env.which('alpha')).length, 0);
    assert.equal((await env.which('alpha', 'pytest11')).length, 1);
  });

  test('distribution() finds any spelling of a name', async () => {
    const env = await pythonEnvironment({ path: [site()], cache: 'scan' });
    const info = await env.distribution('ALPHA');
    assert.equal(info?.distribution.version, '1.0');
    assert.equal(info?.entryPoints.length, 2);
    assert.equal(await env.distribution('gamma'), null);
  });

  test('giving two of python, path and site is an error', async () => {
    await assert.rejects(pythonEnvironment({ path: ['/x'], site: '/y' }), /at most one/);
  });
});

describe('site emulation (--site)', () => {
  test('the directory, then the path lines of its .pth files in sorted order, once each, existing only', () => {
    const root = tempDir();
    const s = writeTree(path.join(root, 'site'), {
      'b.pth': '# comment\n../two\n\n../one\n',
      'a.pth': '../one\r\n../missing\n',
      '.hidden.pth': '../three\n',
      'c.pth': 'import sys; sys.path.append("/evil")\nimport\tos\n../three   \n',
      'not-a-pth.txt': '../three\n',
    });
    for (const d of ['one', 'two', 'three']) fs.mkdirSync(path.join(root, d));
    const r = emulateSite(s);
    assert.deepEqual(r.path, [s, path.join(root, 'one'), path.join(root, 'two'), path.join(root, 'three')]);
    assert.deepEqual(r.diagnostics.map((d) => [d.code, path.basename(d.file ?? ''), d.line]), [['EP207', 'c.pth', 1], ['EP207', 'c.pth', 2]]);
  });

  test('pythonEnvironment({site}) searches the emulated path', async () => {
    const root = tempDir();
    const s = writeTree(path.join(root, 'site'), { 'egg.pth': '../proj\n' });
    writeTree(path.join(root, 'proj'), { 'proj.egg-info': { 'PKG-INFO': 'Name: proj\nVersion: 0.1\n', 'entry_points.txt': '[console_scripts]\nproj = proj:main\n' } });
    const env = await pythonEnvironment({ site: s, cache: 'scan' });
    assert.deepEqual(env.searchPath, [s, path.join(root, 'proj')]);
    assert.deepEqual((await env.entryPoints()).toArray().map((e) => e.name), ['proj']);
  });
});
