/**
 * Issue 13 item 9: zip integrity. A member whose CRC-32 or sizes do not match, or whose data
 * is damaged, is an EP215 error naming it (never silently truncated content, which used to
 * show up as an unrelated EP109); the archive's other distributions are unaffected. importlib
 * raises BadZipFile for every caller on the same archives.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { scanPathEntry } from '../../src/python/discover.js';
import { crc32 } from '../../src/crc32.js';
import { deflatedZeros, writeZip, type MemberSpec } from '../support/zip-writer.js';
import { PYTHON_SRC } from '../python/interpreters.js';
import { PYTHON } from '../support/python.js';
import { epi, importlibAs, sandbox } from './helpers.js';

const te = new TextEncoder();
const EP = te.encode('[console_scripts]\nbroken = broken:main\nother = broken:other\n');
const FINE: MemberSpec[] = [
  { name: 'fine-1.0.dist-info/METADATA', data: te.encode('Name: fine\n') },
  { name: 'fine-1.0.dist-info/entry_points.txt', data: te.encode('[console_scripts]\nfine = fine:main\n') },
];

const cases: Array<[rule: string, member: MemberSpec, file: string, says: RegExp]> = [
  ['a CRC-32 mismatch in entry_points.txt is EP215', { name: 'broken-1.0.dist-info/entry_points.txt', data: EP, crc: 0xdeadbeef }, 'broken-1.0.dist-info/entry_points.txt', /CRC-32/],
  ['a central directory that says the member is shorter than it is is EP215, not a truncated file', { name: 'broken-1.0.dist-info/entry_points.txt', data: EP, size: 20 }, 'broken-1.0.dist-info/entry_points.txt', /more than the 20 bytes/],
  ['a compressed size that cuts the deflate stream short is EP215', { name: 'broken-1.0.dist-info/entry_points.txt', data: EP, compressedSize: 8 }, 'broken-1.0.dist-info/entry_points.txt', /deflate data is damaged|inflates to/],
  ['a stored member whose sizes disagree is EP215', { name: 'broken-1.0.dist-info/entry_points.txt', data: EP, method: 0, size: EP.length - 10, compressedSize: EP.length - 10, crc: 1 }, 'broken-1.0.dist-info/entry_points.txt', /CRC-32/],
  ['a damaged PKG-INFO of a zipped egg is EP215; the egg keeps its entry points, named from its file name', { name: 'EGG-INFO/PKG-INFO', data: te.encode('Name: broken\nVersion: 1.0\n'), crc: 7 }, 'EGG-INFO/PKG-INFO', /CRC-32/],
];

describe('zip integrity', () => {
  for (const [rule, member, file, says] of cases) {
    test(`${rule}; the archive's other distributions are unaffected`, () => {
      const egg = file.startsWith('EGG-INFO');
      const zip = path.join(sandbox(), egg ? 'broken-1.0-py3.11.egg' : 'broken-1.0-py3-none-any.whl');
      const members: MemberSpec[] = egg
        ? [member, { name: 'EGG-INFO/entry_points.txt', data: te.encode('[g]\nkept = broken:main\n') }]
        : [{ name: 'broken-1.0.dist-info/METADATA', data: te.encode('Name: broken\n') }, member, ...FINE];
      writeZip(zip, members);
      const s = scanPathEntry(zip);
      const diags = [...s.diagnostics, ...s.units.flatMap((d) => d.diagnostics)];
      assert.deepEqual(diags.map((d) => [d.code, d.severity, d.file]), [['EP215', 'error', file]]);
      assert.match(diags[0]!.message, says);
      if (egg) {
        assert.deepEqual(s.units.map((d) => [d.name, d.real, d.entryPoints.map((e) => e.name)]), [['broken', true, ['kept']]]);
      } else {
        assert.deepEqual(s.units.map((d) => [d.name, d.entryPoints.map((e) => e.name)]), [['broken', []], ['fine', ['fine']]]);
      }
      const py = importlibAs(undefined, [zip]);
      if (!egg) assert.ok(py !== null && 'error' in py && /BadZipFile|zlib|EOF/.test(py.error), `importlib raises for every caller: ${JSON.stringify(py)}`);
      // `epi diagnose` reports the error and exits 1.
      const ran = epi(['diagnose', '--path', zip, '--cache', 'scan']);
      assert.equal(ran.status, 1, ran.stderr);
      assert.match(ran.stdout, /error EP215 zip integrity/);
    });
  }
});

test('R2: a member declaring 100 bytes that inflates to 1 GiB (its CRC-32 that of the first 100) is EP215, the same words on both sides', () => {
  const zip = path.join(sandbox(), 'bomb.zip');
  writeZip(zip, [
    ...FINE,
    { name: 'bomb-1.0.dist-info/METADATA', data: te.encode('Name: bomb\n') },
    { name: 'bomb-1.0.dist-info/entry_points.txt', payload: deflatedZeros(2 ** 30), size: 100, crc: crc32(new Uint8Array(100)) },
  ]);
  const s = scanPathEntry(zip);
  const diags = [...s.diagnostics, ...s.units.flatMap((d) => d.diagnostics)];
  assert.deepEqual(diags.map((d) => [d.code, d.file]), [['EP215', 'bomb-1.0.dist-info/entry_points.txt']]);
  assert.match(diags[0]!.message, /inflates to more than the 100 bytes the central directory says/);
  // The Python scan (python/src/epindex/_zip.py) says the same (its memory bound: python/tests/test_hostile.py).
  const r = spawnSync(PYTHON, ['-c', 'import json, sys\nfrom epindex._discover import scan_path_entry\nprint(json.dumps([[d.code, d.file, d.message] for _, d in scan_path_entry(sys.argv[1]).all_diagnostics()]))', zip], { encoding: 'utf8', env: { ...process.env, PYTHONPATH: PYTHON_SRC, PYTHONDONTWRITEBYTECODE: '1' } });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), diags.map((d) => [d.code, d.file, d.message]));
});
