/** src/fsnames.ts: file names are bytes on POSIX, shown as Python's os.fsdecode shows them. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { fsdecode, fsencode, fsPath, readdirEntries, readdirNames } from '../src/fsnames.js';
import { tempDir } from './support/fixtures.js';
import { PYTHON } from './support/python.js';

const POSIX = process.platform !== 'win32';

/** Bytes that hit UTF-8's edges: valid sequences of every length, truncated ones, overlongs, surrogates, bytes over F4. */
const nameBytes: fc.Arbitrary<Uint8Array> = fc
  .array(
    fc.oneof(
      fc.uint8Array({ minLength: 1, maxLength: 3 }),
      fc.constantFrom(
        [0x61], [0xc3, 0xa9], [0xe2, 0x82, 0xac], [0xf0, 0x9f, 0x92, 0x80], // valid 1–4 bytes
        [0xc3], [0xe2, 0x82], [0xf0, 0x9f, 0x92], // truncated
        [0xc0, 0x80], [0xe0, 0x80, 0x80], [0xf0, 0x80, 0x80, 0x80], // overlong
        [0xed, 0xb2, 0x80], [0xed, 0xa0, 0xbd], // UTF-8-encoded surrogates
        [0xf4, 0x90, 0x80, 0x80], [0xf5], [0xff], [0xfe], [0x80], [0xbf], // beyond U+10FFFF, never valid, lone continuations
      ).map((a) => Uint8Array.from(a)),
    ),
    { maxLength: 8 },
  )
  .map((parts) => Uint8Array.from(parts.flatMap((p) => [...p])));

describe('fsnames', () => {
  test('fsencode(fsdecode(bytes)) gives the bytes back, for any bytes', () => {
    fc.assert(fc.property(fc.oneof(nameBytes, fc.uint8Array({ maxLength: 40 })), (b) => {
      assert.deepEqual(fsencode(fsdecode(b)), Buffer.from(b));
    }), { seed: 0xf5dec0de, numRuns: 3000 });
  });

  test('fsdecode(fsencode(s)) gives back any well-formed string', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 20 }), (s) => {
      assert.equal(fsdecode(fsencode(s)), s);
    }), { seed: 0xf5, numRuns: 2000 });
  });

  test('fsdecode agrees with Python\'s os.fsdecode, and the JSON of each reads back as the other', () => {
    const inputs = fc.sample(fc.oneof(nameBytes, fc.uint8Array({ maxLength: 24 })), { seed: 0x05f5, numRuns: 800 });
    inputs.push(Uint8Array.from([0x62, 0x61, 0x64, 0xff, 0xfe]), Uint8Array.from([0x6c, 0x61, 0x74, 0xe9, 0x6e]), new Uint8Array(0));
    const ours = inputs.map((b) => fsdecode(b));
    // Python: its os.fsdecode as JSON, and whether json.loads of our JSON is that same str.
    const script = 'import base64, json, os, sys\nreq = json.load(sys.stdin)\n' +
      'out = []\nfor b64, mine in req:\n    s = os.fsdecode(base64.b64decode(b64))\n    out.append([s, json.loads(mine) == s])\njson.dump(out, sys.stdout)\n';
    const r = spawnSync(PYTHON, ['-c', script], { input: JSON.stringify(inputs.map((b, i) => [Buffer.from(b).toString('base64'), JSON.stringify(ours[i])])), encoding: 'utf8', env: { ...process.env, PYTHONUTF8: '1' } });
    assert.equal(r.status, 0, r.stderr);
    const py = JSON.parse(r.stdout) as Array<[string, boolean]>;
    py.forEach(([theirs, readsBack], i) => {
      assert.equal(ours[i], theirs, `bytes ${Buffer.from(inputs[i]!).toString('hex')}`);
      assert.ok(readsBack, `Python's json reads our JSON of ${Buffer.from(inputs[i]!).toString('hex')} as os.fsdecode`);
    });
    assert.equal(fsdecode(Uint8Array.from([0x62, 0x61, 0x64, 0xff, 0xfe])), 'bad\udcff\udcfe');
  });

  test('fsPath gives Node the string when it is well-formed, the bytes when it holds an escaped byte', () => {
    assert.equal(fsPath('/tmp/café'), '/tmp/café');
    assert.equal(fsPath('/tmp/\ud83d\udc80'), '/tmp/\ud83d\udc80');
    if (POSIX) assert.deepEqual(fsPath('/tmp/lat\udce9n'), Buffer.from('/tmp/lat\xe9n', 'latin1'));
  });

  test('a lone surrogate that no byte decodes to is encoded as U+FFFD, never thrown', () => {
    assert.deepEqual(fsencode('a\ud800b'), Buffer.from('a\ufffdb', 'utf8'));
    assert.deepEqual(fsencode('\udc7f'), Buffer.from('\ufffd', 'utf8'));
  });

  test('a directory listing has the names os.listdir has, undecodable bytes and all', { skip: !POSIX && 'names are UTF-16 on Windows' }, () => {
    const dir = tempDir('epindex-fsnames-');
    const names = [Buffer.from('bad\xff\xfename-1.0.dist-info', 'latin1'), Buffer.from('lat\xe9n-2.0.dist-info', 'latin1'), Buffer.from('plain-1.0.dist-info'), Buffer.from('real\ufffd-1.0.dist-info', 'utf8')];
    for (const n of names) fs.mkdirSync(Buffer.concat([Buffer.from(dir + path.sep), n]));
    const r = spawnSync(PYTHON, ['-c', 'import json, os, sys; json.dump(sorted(os.listdir(sys.argv[1])), sys.stdout)', dir], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const expected = JSON.parse(r.stdout) as string[];
    assert.deepEqual(readdirNames(dir).sort(), expected);
    assert.deepEqual(readdirEntries(dir).map((e) => e.name).sort(), expected);
    assert.ok(readdirEntries(dir).every((e) => e.type === 'dir'));
    // And each name opens the directory it came from.
    for (const n of readdirNames(dir)) assert.ok(fs.statSync(fsPath(path.join(dir, n))).isDirectory());
  });
});
