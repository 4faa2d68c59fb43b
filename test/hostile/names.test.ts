/**
 * Issue 13 item 6: names are bytes on POSIX. Directory names that are not UTF-8 are read as
 * bytes and shown as Python's os.fsdecode shows them (surrogate escapes); their distributions
 * and entry points are what importlib.metadata returns, from a scan and from a cache.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { fsencode } from '../../src/fsnames.js';
import { emulateSite } from '../../src/python/interpreter.js';
import { scanPathEntry } from '../../src/python/discover.js';
import { writeTree } from '../support/fixtures.js';
import { writeZip } from '../support/zip-writer.js';
import { epi, epiJson, importlibAs, POSIX, rowsOf, sandbox, userCacheFor, type ListJSON } from './helpers.js';

const te = new TextEncoder();
const latin1 = (s: string): Buffer => Buffer.from(s, 'latin1');

/**
 * Make the directory `name` (bytes) under `parent` with METADATA and entry_points.txt. METADATA's
 * Name (what is shown) is `shown`; the distribution's identity is the directory's name.
 */
function distDir(parent: string, name: Buffer, entryPoints: string, shown = 'x'): void {
  const d = Buffer.concat([fsencode(parent + path.sep), name]);
  fs.mkdirSync(d);
  fs.writeFileSync(Buffer.concat([d, Buffer.from('/METADATA')]), `Metadata-Version: 2.1\nName: ${shown}\n`);
  fs.writeFileSync(Buffer.concat([d, Buffer.from('/entry_points.txt')]), entryPoints);
}

describe('names are bytes', { skip: !POSIX && 'names are UTF-16 on Windows' }, () => {
  test('dist-info names that are not UTF-8 give their entry points, named as os.fsdecode names them, as importlib returns them', () => {
    const site = path.join(sandbox(), 'site');
    fs.mkdirSync(site);
    distDir(site, latin1('bad\xff\xfename-1.0.dist-info'), '[console_scripts]\nbad = bad:main\n');
    distDir(site, latin1('lat\xe9n-2.0.dist-info'), '[console_scripts]\nlatin = latin:main\n');
    distDir(site, Buffer.from('good-1.0.dist-info'), '[console_scripts]\ngood = good:main\n');
    const expected = importlibAs(undefined, [site]);
    assert.ok(expected !== null && 'entryPoints' in expected, JSON.stringify(expected));
    assert.deepEqual(expected.entryPoints.map((r) => r[0]).sort(), ['bad\udcff\udcfename', 'good', 'lat\udce9n']);

    const ucache = userCacheFor(undefined);
    for (const policy of ['scan', 'auto', 'auto']) {
      const { ran, json } = epiJson<ListJSON>(['list', '--path', site, '--cache', policy], { env: { EPINDEX_CACHE_DIR: ucache } });
      assert.equal(ran.status, 0, ran.stderr);
      assert.deepEqual(rowsOf(json), expected.entryPoints, `--cache ${policy}`);
      // (EP305: until the cache engine stats through fsPath, see the next test, the cache is rebuilt each time.)
      assert.deepEqual(json.diagnostics.filter((d) => d.code !== 'EP305'), [], `--cache ${policy}: no leftovers, no U+FFFD`);
      const lat = json.entryPoints.find((e) => e.name === 'latin')!;
      assert.equal(lat.dist!.metadataPath, path.join(site, 'lat\udce9n-2.0.dist-info'));
      assert.equal(lat.dist!.normalizedName, 'lat\udce9n');
    }
  });

  // The cache engine's stat (src/cache/stamp.ts statPath / sameStampAt) hands Node the name as a
  // string, which Node spells with U+FFFD: another file. It must go through fsPath().
  test('a cache of such names stays fresh at the stat level: each name still finds its own directory', () => {
    const site = path.join(sandbox(), 'site');
    fs.mkdirSync(site);
    distDir(site, latin1('lat\xe9n-2.0.dist-info'), '[g]\nlatin = latin:main\n');
    distDir(site, latin1('\xff-1.0.dist-info'), '[g]\nff = ff:main\n');
    const env = { EPINDEX_CACHE_DIR: userCacheFor(undefined) };
    assert.equal(epi(['cache', 'build', site, '--quiet'], { env }).status, 0);
    for (const freshness of ['stat', 'listing']) {
      const { json } = epiJson<{ entries: Array<{ state: string; reason?: string }> }>(['cache', 'status', '--path', site, '--freshness', freshness], { env });
      assert.deepEqual(json.entries.map((e) => e.state), ['fresh'], `${freshness}: ${JSON.stringify(json)}`);
    }
    // An in-place edit behind a non-UTF-8 name is seen (the stat reaches the right file).
    fs.writeFileSync(Buffer.concat([Buffer.from(site + path.sep), latin1('lat\xe9n-2.0.dist-info/entry_points.txt')]), '[g]\nlatin = latin:changed\nmore = x:y\n');
    const { json } = epiJson<ListJSON>(['list', '--path', site], { env });
    assert.deepEqual(rowsOf(json), [['lat\udce9n', 'g', 'latin', 'latin:changed'], ['lat\udce9n', 'g', 'more', 'x:y'], ['\udcff', 'g', 'ff', 'ff:main']].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1)));
  });

  test('zip names decode as zipfile decodes them (code page 437 without the UTF-8 flag), as importlib returns them', () => {
    const whl = path.join(sandbox(), 'names-1.0-py3-none-any.whl');
    writeZip(whl, [
      // importlib names a distribution in a zip by its METADATA's Name (the basename of a
      // zipfile.Path directory is ''), so the Names match the directory names here.
      { name: Uint8Array.from([...te.encode('caf'), 0x82, ...te.encode('-1.0.dist-info/METADATA')]), data: te.encode('Name: café\n'), flags: 0 },
      { name: Uint8Array.from([...te.encode('caf'), 0x82, ...te.encode('-1.0.dist-info/entry_points.txt')]), data: te.encode('[g]\ncafe = c:d\n'), flags: 0 },
      { name: 'naïve-1.0.dist-info/METADATA', data: te.encode('Name: naïve\n') },
      { name: 'naïve-1.0.dist-info/entry_points.txt', data: te.encode('[g]\nnaive = n:m\n') },
    ]);
    const expected = importlibAs(undefined, [whl]);
    assert.ok(expected !== null && 'entryPoints' in expected);
    assert.deepEqual(expected.entryPoints.map((r) => r[0]).sort(), ['café', 'naïve']);
    const { json } = epiJson<ListJSON>(['list', '--path', whl, '--cache', 'scan']);
    assert.deepEqual(rowsOf(json), expected.entryPoints);
  });

  test('--site reads a .pth file whose name is not UTF-8', () => {
    const site = writeTree(path.join(sandbox(), 'site'), { sub: {} });
    fs.writeFileSync(Buffer.concat([Buffer.from(site + path.sep), latin1('lat\xe9n.pth')]), 'sub\n');
    assert.deepEqual(emulateSite(site), { path: [site, path.join(site, 'sub')], diagnostics: [] });
  });

  test('a path entry whose own name is not UTF-8 is searched through its bytes', () => {
    const parent = sandbox();
    const site = path.join(parent, 'site\udce9');
    fs.mkdirSync(Buffer.concat([Buffer.from(parent + path.sep), latin1('site\xe9')]));
    distDir(site, Buffer.from('x-1.0.dist-info'), '[g]\nx = x:y\n');
    assert.deepEqual(scanPathEntry(site).units.map((d) => [d.name, d.entryPoints.length]), [['x', 1]]);
  });
});
