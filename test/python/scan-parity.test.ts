/**
 * Scan parity for the hostile-file codes (docs/spec.md §4.1.2, §4.1.3, §14): for each code the
 * TypeScript scanner emits — EP113 and EP210–EP217 — one directory state, cached by both
 * writers. Where the Python scan words the code identically the two caches are the same bytes;
 * where it cannot (damage that only zipfile's own words describe: EP215 from a CRC) the
 * Python rebuild refuses to write a cache and says why, the TypeScript cache is still read
 * by Python, and both scans give the same entry points.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { userCacheRoot, userLocation } from '../../src/cache/location.js';
import { CACHE_VERSION } from '../../src/cache/format.js';
import { EPI_MAIN } from '../support/conformance.js';
import { tempDir, writeTree } from '../support/fixtures.js';
import { PYTHON } from '../support/python.js';
import { PYTHON_SRC } from './interpreters.js';

const md = (name: string, version = '1.0'): string => `Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\n\n`;
const MiB = 1024 * 1024;

interface Row {
  /** The code the TypeScript scan reports for this state. */
  readonly code: string;
  readonly rule: string;
  /** Builds the path entry under `root`; returns it (a directory, or a zip file). */
  readonly build: (root: string) => string;
  /** `same`: both writers write the same bytes; `refused`: Python writes nothing, says why. */
  readonly expect: 'same' | 'refused';
}

const fifo = (p: string): void => {
  execFileSync('mkfifo', [p]);
};

/** A zip from [name, content, stored?] members, written by Python's zipfile. */
function zip(file: string, members: [string, string, boolean?][]): string {
  const code = 'import json, sys, zipfile\nwith zipfile.ZipFile(sys.argv[1], "w") as z:\n    for n, c, stored in json.load(sys.stdin):\n        z.writestr(n, c, zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED)\n';
  const r = spawnSync(PYTHON, ['-c', code, file], { input: JSON.stringify(members.map(([n, c, s]) => [n, c, s === true])), encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return file;
}

const rows: Row[] = [
  { code: 'EP113', rule: 'an entry_points.txt over the size limit is not read', expect: 'same', build: (root) => {
    writeTree(root, { 'big-1.0.dist-info': { METADATA: md('big'), 'entry_points.txt': '[g]\n' + '#'.repeat(4 * MiB) + '\n' }, 'ok-1.0.dist-info': { METADATA: md('ok'), 'entry_points.txt': '[g]\nok = ok\n' } });
    return root;
  } },
  { code: 'EP113', rule: 'a zip member entry_points.txt over the size limit is not read', expect: 'same', build: (root) => zip(path.join(root, 'site.zip'), [
    ['big-1.0.dist-info/METADATA', md('big')], ['big-1.0.dist-info/entry_points.txt', '[g]\n' + '#'.repeat(4 * MiB) + '\n'],
    ['ok-1.0.dist-info/METADATA', md('ok')], ['ok-1.0.dist-info/entry_points.txt', '[g]\nok = ok\n']]) },
  { code: 'EP210', rule: 'a METADATA that is a FIFO is not metadata (the distribution is a leftover)', expect: 'same', build: (root) => {
    writeTree(root, { 'fifo-1.0.dist-info': { 'entry_points.txt': '[g]\nf = f\n' } });
    fifo(path.join(root, 'fifo-1.0.dist-info', 'METADATA'));
    return root;
  } },
  { code: 'EP210', rule: 'a METADATA that is a directory is skipped for PKG-INFO', expect: 'same', build: (root) => {
    writeTree(root, { 'dir-1.0.dist-info': { METADATA: { x: '' }, 'PKG-INFO': md('dir'), 'entry_points.txt': '[g]\nd = d\n' } });
    return root;
  } },
  { code: 'EP211', rule: 'a METADATA that is not UTF-8 is read with U+FFFD', expect: 'same', build: (root) => {
    writeTree(root, { 'bad-1.0.dist-info': { METADATA: Buffer.concat([Buffer.from('Metadata-Version: 2.1\nName: b\u00e4d'), Buffer.from([0xff, 0xc3]), Buffer.from('\nVersion: 1.0\n\n')]), 'entry_points.txt': '[g]\nb = b\n' } });
    return root;
  } },
  { code: 'EP211', rule: 'a zip member METADATA that is not UTF-8 is read with U+FFFD', expect: 'same', build: (root) => {
    // zipfile writes str as UTF-8; the bad bytes go in with the surrogateescape trick below.
    const file = path.join(root, 'site.zip');
    const code = 'import sys, zipfile\nwith zipfile.ZipFile(sys.argv[1], "w") as z:\n    z.writestr("bad-1.0.dist-info/METADATA", b"Name: b\\xffd\\nVersion: 1.0\\n\\n")\n    z.writestr("bad-1.0.dist-info/entry_points.txt", "[g]\\nb = b\\n")\n';
    execFileSync(PYTHON, ['-c', code, file]);
    return file;
  } },
  { code: 'EP212', rule: 'a Name or Version holding a control character is kept, with a warning', expect: 'same', build: (root) => {
    // The Version's 80-code-unit excerpt ends inside the emoji's surrogate pair: both escape the half.
    writeTree(root, { 'ctl-1.0.dist-info': { METADATA: `Metadata-Version: 2.1\nName: ct\u0007l\nVersion: 1.0${'\u001b'.repeat(3)}${'9'.repeat(73)}\u{1F600}x\n\n`, 'entry_points.txt': '[g]\nc = c\n' } });
    return root;
  } },
  { code: 'EP213', rule: 'a zip member METADATA over the size limit is not read', expect: 'same', build: (root) => zip(path.join(root, 'site.zip'), [
    ['huge-1.0.dist-info/METADATA', md('huge') + 'x'.repeat(4 * MiB)], ['huge-1.0.dist-info/entry_points.txt', '[g]\nh = h\n']]) },
  { code: 'EP214', rule: 'a candidate that is a FIFO is ignored', expect: 'same', build: (root) => {
    writeTree(root, { 'ok-1.0.dist-info': { METADATA: md('ok'), 'entry_points.txt': '[g]\nok = ok\n' } });
    fifo(path.join(root, 'pipe-1.0.dist-info'));
    return root;
  } },
  { code: 'EP215', rule: 'a zip member whose CRC does not match is not used; Python refuses to cache it', expect: 'refused', build: (root) => {
    const file = zip(path.join(root, 'site.zip'), [['bad-1.0.dist-info/METADATA', md('bad')], ['bad-1.0.dist-info/entry_points.txt', '[g]\nbad = bad.module\n', true],
      ['ok-1.0.dist-info/METADATA', md('ok')], ['ok-1.0.dist-info/entry_points.txt', '[g]\nok = ok\n']]);
    const bytes = fs.readFileSync(file);
    const at = bytes.indexOf('bad.module');
    bytes[at] = 'B'.charCodeAt(0);
    fs.writeFileSync(file, bytes);
    return file;
  } },
  { code: 'EP216', rule: 'zip members past the decompressed total are not read', expect: 'same', build: (root) => zip(path.join(root, 'site.zip'),
    Array.from({ length: 17 }, (_, i): [string, string] => [`d${String(i).padStart(2, '0')}-1.0.dist-info/METADATA`, md(`d${i}`) + 'x'.repeat(4 * MiB - 64)])) },
  { code: 'EP217', rule: 'a .pth file that cannot be read is site emulation only: never in a cache', expect: 'same', build: (root) => {
    writeTree(root, { 'ok-1.0.dist-info': { METADATA: md('ok'), 'entry_points.txt': '[g]\nok = ok\n' } });
    fifo(path.join(root, 'blocked.pth'));
    return root;
  } },
];

const clean = (): NodeJS.ProcessEnv => {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('EPINDEX_') || k.startsWith('PYTHON')) delete env[k];
  return env;
};

function cacheFile(entry: string, cacheDir: string): string {
  return fs.statSync(entry).isDirectory() ? path.join(entry, '.epindex', `entry-points.v${CACHE_VERSION}.jsonl`) : userLocation(cacheDir, fs.realpathSync(entry)).file;
}

const pending = process.platform === 'win32' ? 'FIFOs and POSIX names' : CACHE_VERSION < 3 ? 'cache format v3 only' : false;

describe('both writers on the hostile-file codes', { skip: pending }, () => {
  const entries: string[] = [];
  const fromPython = new Map<string, Buffer | null>();
  const fromTypeScript = new Map<string, Buffer | null>();
  const pythonResults = new Map<string, { outcome: string; reason: string | null }>();
  let cacheDir = '';

  before(async () => {
    cacheDir = tempDir('epindex-parity-cache-');
    assert.equal(userCacheRoot({ EPINDEX_CACHE_DIR: cacheDir }), cacheDir);
    for (const row of rows) {
      const root = tempDir('epindex-parity-');
      const entry = row.build(root);
      if (fs.statSync(entry).isDirectory()) fs.mkdirSync(path.join(entry, '.epindex'));
      entries.push(entry);
    }
    // One wait for all: stamps older than 2 s are not racy, so neither writer settles.
    await sleep(2100);
    const env = { ...clean(), EPINDEX_CACHE_DIR: cacheDir };
    const py = spawnSync(PYTHON, ['-c', 'import epindex, json, sys; print(json.dumps(epindex.rebuild(json.load(sys.stdin), settle=False)))'],
      { input: JSON.stringify(entries), encoding: 'utf8', env: { ...env, PYTHONPATH: PYTHON_SRC, PYTHONDONTWRITEBYTECODE: '1' } });
    assert.equal(py.status, 0, py.stderr);
    (JSON.parse(py.stdout) as { pathEntry: string; outcome: string; reason: string | null }[]).forEach((r) => pythonResults.set(r.pathEntry, r));
    for (const e of entries) {
      const f = cacheFile(e, cacheDir);
      fromPython.set(e, fs.existsSync(f) ? fs.readFileSync(f) : null);
      fs.rmSync(f, { force: true });
    }
    const ts = spawnSync(process.execPath, [EPI_MAIN, 'cache', 'build', ...entries, '--quiet'], { encoding: 'utf8', env });
    assert.equal(ts.status, 0, ts.stderr);
    for (const e of entries) {
      const f = cacheFile(e, cacheDir);
      fromTypeScript.set(e, fs.existsSync(f) ? fs.readFileSync(f) : null);
    }
  });

  rows.forEach((row, i) => {
    test(`${row.code}: ${row.rule}`, () => {
      const entry = entries[i]!;
      const ts = fromTypeScript.get(entry);
      assert.ok(ts, 'the TypeScript writer wrote a cache');
      const header = JSON.parse(ts.subarray(0, ts.indexOf(10)).toString('utf8')) as { codes: string[] };
      if (row.code === 'EP217') assert.ok(!header.codes.includes('EP217'));
      else assert.ok(header.codes.includes(row.code), `the TypeScript scan reports ${row.code}: ${header.codes.join(' ')}`);
      const py = fromPython.get(entry);
      if (row.expect === 'same') {
        assert.equal(pythonResults.get(entry)?.outcome, 'written');
        assert.equal(py?.toString('utf8'), ts.toString('utf8'));
        assert.ok(py.equals(ts));
      } else {
        assert.equal(py, null, 'Python wrote no cache');
        assert.deepEqual({ ...pythonResults.get(entry), reason: /docs\/spec\.md §14/.test(pythonResults.get(entry)?.reason ?? '') }, { pathEntry: entry, outcome: 'skipped', reason: true, file: null, distributions: 2, diagnostics: [] });
        // The TypeScript cache is read by Python, and Python's own scan gives the same entry points.
        const code = 'import epindex, json, sys; p = [sys.argv[1]]; ' +
          'print(json.dumps([[[e.group, e.name, e.value] for e in epindex.entry_points(path=p, policy=pol)] for pol in ("only", "scan")]))';
        const r = spawnSync(PYTHON, ['-c', code, entry], { encoding: 'utf8', env: { ...clean(), EPINDEX_CACHE_DIR: cacheDir, PYTHONPATH: PYTHON_SRC, PYTHONDONTWRITEBYTECODE: '1' } });
        assert.equal(r.status, 0, r.stderr);
        const [only, scan] = JSON.parse(r.stdout) as string[][][];
        assert.deepEqual(only, [['g', 'ok', 'ok']]);
        assert.deepEqual(scan, only);
      }
    });
  });
});
