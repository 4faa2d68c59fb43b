/**
 * Issue 13 item 10 (its METADATA part): a Version (or Name) read from METADATA / PKG-INFO that
 * holds a NUL or another control character is kept, as importlib keeps it, with EP212; METADATA
 * that is not UTF-8 is read with U+FFFD for the bad bytes, with EP211 (importlib raises
 * UnicodeDecodeError). Python reports what `Distribution.at(dir).version` gives.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { scanPathEntry } from '../../src/python/discover.js';
import { writeTree } from '../support/fixtures.js';
import { PYTHON } from '../support/python.js';
import { sandbox } from './helpers.js';

function pythonVersion(dir: string): { version: string } | { error: string } {
  const r = spawnSync(PYTHON, ['-c', 'import importlib.metadata as m, json, sys\ntry:\n    print(json.dumps({"version": m.Distribution.at(sys.argv[1]).version}))\nexcept Exception as e:\n    print(json.dumps({"error": type(e).__name__}))', dir], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as { version: string } | { error: string };
}

const cases: Array<[rule: string, metadata: Uint8Array | string, version: string, codes: string[], python: { version: string } | { error: string }]> = [
  ['a Version with a NUL is kept, as importlib keeps it, with EP212', 'Name: v\nVersion: 1.0\0evil\n', '1.0\0evil', ['EP212'], { version: '1.0\0evil' }],
  ['a Version with an escape sequence is kept with EP212', 'Name: v\nVersion: 1.0\x1b[2J\n', '1.0\x1b[2J', ['EP212'], { version: '1.0\x1b[2J' }],
  ['METADATA that is not UTF-8 is EP211, its Version read with U+FFFD (importlib raises UnicodeDecodeError)', Uint8Array.from([...Buffer.from('Name: v\nVersion: 1.0'), 0xff, 0x0a]), '1.0\ufffd', ['EP211'], { error: 'UnicodeDecodeError' }],
  ['a plain Version has no diagnostic', 'Name: v\nVersion: 1.0\n', '1.0', [], { version: '1.0' }],
];

describe('METADATA content', () => {
  for (const [rule, metadata, version, codes, python] of cases) {
    test(rule, () => {
      const site = writeTree(path.join(sandbox(), 'site'), { 'v.dist-info': { METADATA: metadata, 'entry_points.txt': '[g]\nv = v:w\n' } });
      const s = scanPathEntry(site);
      const d = s.units[0]!;
      assert.deepEqual([d.version, d.entryPoints.length], [version, 1]);
      assert.deepEqual(d.diagnostics.map((x) => [x.code, x.file]), codes.map((c) => [c, path.join('v.dist-info', 'METADATA')]));
      assert.deepEqual(pythonVersion(path.join(site, 'v.dist-info')), python);
    });
  }

  test('EP211 is reported for U+FFFD from bad bytes only, not for a real U+FFFD', () => {
    const site = writeTree(path.join(sandbox(), 'site'), { 'v.dist-info': { METADATA: 'Name: v\nVersion: 1.0\ufffd\n' } });
    assert.deepEqual(scanPathEntry(site).units[0]!.diagnostics, []);
  });
});
