/**
 * Issue 13 item 2: nothing blocks on a special file. A FIFO (or a device, or a socket) where
 * discovery expects a file or a directory is a diagnostic; the other distributions keep their
 * entry points. Every case runs the CLI in a child killed after 20 s, under `--cache scan` and
 * `--cache auto`, so a regression fails here instead of hanging the suite.
 *
 * (importlib is no oracle here: it blocks on every one of these FIFOs.)
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { distInfo, writeTree, type Tree } from '../support/fixtures.js';
import { epiJson, mkfifo, POSIX, sandbox, userCacheFor, type ListJSON } from './helpers.js';

const GOOD: Tree = distInfo('good', '1.0', '[console_scripts]\ngood = good:main\n');
const goodKept = (l: ListJSON): boolean => l.entryPoints.some((e) => e.name === 'good' && e.dist?.name === 'good');

/** A site with `good` and whatever `plant` puts next to it. */
function siteWith(plant: (site: string) => void, tree: Tree = {}): string {
  const site = writeTree(path.join(sandbox(), 'site'), { ...GOOD, ...tree });
  plant(site);
  return site;
}

const servers: net.Server[] = [];
after(() => {
  for (const s of servers) s.close();
});

/** [rule, the site, the code expected, the file it names (relative to the site), what its message says]. */
const cases: Array<[rule: string, make: () => string, code: string, file: string, says: RegExp]> = [
  ['a FIFO named entry_points.txt is EP112, never a hang', () => siteWith((s) => mkfifo(path.join(s, 'fifo-1.0.dist-info', 'entry_points.txt')), { 'fifo-1.0.dist-info': { METADATA: 'Name: fifo\n' } }), 'EP112', 'fifo-1.0.dist-info/entry_points.txt', /a FIFO/],
  ['a FIFO named METADATA is EP210 and no metadata, never a hang', () => siteWith((s) => mkfifo(path.join(s, 'fifo-1.0.dist-info', 'METADATA')), { 'fifo-1.0.dist-info': { 'entry_points.txt': '[g]\nf = f:g\n' } }), 'EP210', 'fifo-1.0.dist-info/METADATA', /a FIFO/],
  ['a FIFO named METADATA where the version must be read from it is EP210, never a hang', () => siteWith((s) => mkfifo(path.join(s, 'fifo.dist-info', 'METADATA')), { 'fifo.dist-info': {} }), 'EP210', 'fifo.dist-info/METADATA', /a FIFO/],
  ['a FIFO named PKG-INFO in an egg-info is EP210, never a hang', () => siteWith((s) => mkfifo(path.join(s, 'fifo.egg-info', 'PKG-INFO')), { 'fifo.egg-info': {} }), 'EP210', 'fifo.egg-info/PKG-INFO', /a FIFO/],
  ['a FIFO named *.egg-info is EP214, never a hang', () => siteWith((s) => mkfifo(path.join(s, 'fifo-1.0.egg-info'))), 'EP214', 'fifo-1.0.egg-info', /a FIFO/],
  ['a FIFO named *.dist-info is EP214, never a hang', () => siteWith((s) => mkfifo(path.join(s, 'fifo-1.0.dist-info'))), 'EP214', 'fifo-1.0.dist-info', /a FIFO/],
  ['entry_points.txt linked to /dev/zero is EP112 and never read', () => siteWith((s) => fs.symlinkSync('/dev/zero', path.join(s, 'zero-1.0.dist-info', 'entry_points.txt')), { 'zero-1.0.dist-info': { METADATA: 'Name: zero\n' } }), 'EP112', 'zero-1.0.dist-info/entry_points.txt', /a character device/],
  ['an *.egg-info linked to /dev/zero is EP214 and never read', () => siteWith((s) => fs.symlinkSync('/dev/zero', path.join(s, 'zero-1.0.egg-info'))), 'EP214', 'zero-1.0.egg-info', /a character device/],
  ['a UNIX socket named entry_points.txt is EP112', () => siteWith((s) => {
    const server = net.createServer().listen(path.join(s, 'sock-1.0.dist-info', 'entry_points.txt'));
    servers.push(server);
  }, { 'sock-1.0.dist-info': { METADATA: 'Name: sock\n' } }), 'EP112', 'sock-1.0.dist-info/entry_points.txt', /a socket/],
];

describe('special files', { skip: !POSIX && 'FIFOs and device links are POSIX' }, () => {
  for (const [rule, make, code, file, says] of cases) {
    test(rule, async () => {
      const site = make();
      // Let a socket's listen() complete before the child looks.
      await new Promise((r) => setTimeout(r, 20));
      for (const policy of ['scan', 'auto']) {
        const { ran, json } = epiJson<ListJSON>(['list', '--path', site, '--cache', policy], { env: { EPINDEX_CACHE_DIR: userCacheFor(undefined) } });
        assert.equal(ran.status, 0, `--cache ${policy}: ${ran.stderr}`);
        assert.ok(goodKept(json), `--cache ${policy}: the other distribution keeps its entry points`);
        const d = json.diagnostics.find((x) => x.code === code);
        assert.ok(d, `--cache ${policy}: ${code} in ${JSON.stringify(json.diagnostics)}`);
        assert.equal(d.file, path.join(site, file));
        assert.match(d.message, says);
      }
    });
  }

  test('a FIFO as the path entry itself contributes nothing, never a hang', () => {
    const d = sandbox();
    const fifo = path.join(d, 'fifo.egg');
    mkfifo(fifo);
    const site = writeTree(path.join(d, 'site'), GOOD);
    for (const policy of ['scan', 'auto']) {
      const { ran, json } = epiJson<ListJSON>(['list', '--path', fifo, site, '--cache', policy], { env: { EPINDEX_CACHE_DIR: userCacheFor(undefined) } });
      assert.equal(ran.status, 0, ran.stderr);
      assert.ok(goodKept(json));
    }
  });

  test('a FIFO named *.pth in a --site directory is EP217 and skipped, never a hang; the other .pth files still count', () => {
    const site = writeTree(path.join(sandbox(), 'site'), { 'a.pth': 'extra\n', extra: GOOD });
    mkfifo(path.join(site, 'b.pth'));
    const { ran, json } = epiJson<ListJSON>(['list', '--site', site, '--cache', 'scan']);
    assert.equal(ran.status, 0, ran.stderr);
    assert.ok(goodKept(json), 'the path a.pth adds is searched');
    const d = json.diagnostics.find((x) => x.code === 'EP217');
    assert.ok(d, JSON.stringify(json.diagnostics));
    assert.equal(d.file, path.join(site, 'b.pth'));
    assert.match(d.message, /a FIFO/);
  });
});
