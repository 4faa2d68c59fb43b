/**
 * Issue 13 item 5: size limits instead of crashes (docs/spec.md §10). What is over a limit is
 * refused with a diagnostic before it is read or allocated — the counts of bytes read prove it —
 * and the other distributions are unaffected. Large files are sparse: they cost no disk.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { isEpindexError, parseEntryPointsTxt } from '../../src/index.js';
import { LIMITS } from '../../src/limits.js';
import type { DirectoryScan } from '../../src/cache/source.js';
import { scanPathEntry } from '../../src/python/discover.js';
import { distInfo, writeTree } from '../support/fixtures.js';
import { deflatedZeros, writeZip } from '../support/zip-writer.js';
import { countingReads, sandbox, sparseFile } from './helpers.js';
import { epi } from '../support/cli.js';

const te = new TextEncoder();
const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

const allDiagnostics = (s: DirectoryScan) => [...s.diagnostics, ...s.units.flatMap((d) => d.diagnostics)];
const codes = (s: DirectoryScan) => allDiagnostics(s).map((d) => [d.code, d.file]);
const entryNames = (s: DirectoryScan) => s.units.flatMap((d) => d.entryPoints.map((e) => `${d.name}:${e.name}`)).sort();

function siteWithGood(): string {
  return writeTree(path.join(sandbox(), 'site'), distInfo('good', '1.0', '[g]\ngood = good:main\n'));
}

describe('limits: files in a directory', () => {
  test('a 600 MiB entry_points.txt is EP113 and never read; the other distributions keep their entry points', () => {
    const site = siteWithGood();
    fs.mkdirSync(path.join(site, 'huge-1.0.dist-info'));
    fs.writeFileSync(path.join(site, 'huge-1.0.dist-info', 'METADATA'), 'Name: huge\n');
    sparseFile(path.join(site, 'huge-1.0.dist-info', 'entry_points.txt'), 600 * MiB, te.encode('[g]\nx = y:z\n'));
    const { result: s, bytes } = countingReads(() => scanPathEntry(site));
    assert.deepEqual(codes(s), [['EP113', path.join('huge-1.0.dist-info', 'entry_points.txt')]]);
    assert.equal(allDiagnostics(s)[0]!.severity, 'error');
    assert.deepEqual(entryNames(s), ['good:good']);
    assert.ok(bytes < 64 * 1024, `read ${bytes} bytes`);
  });

  test('an entry_points.txt of exactly the limit is read; one byte more is EP113', () => {
    const site = siteWithGood();
    for (const [name, size] of [['at', LIMITS.fileBytes], ['over', LIMITS.fileBytes + 1]] as const) {
      const d = path.join(site, `${name}-1.0.dist-info`);
      fs.mkdirSync(d);
      fs.writeFileSync(path.join(d, 'METADATA'), `Name: ${name}\n`);
      const text = Buffer.alloc(size, '#');
      Buffer.from('[g]\nx = y:z\n').copy(text, 0);
      text[12] = 0x0a;
      fs.writeFileSync(path.join(d, 'entry_points.txt'), text);
    }
    const s = scanPathEntry(site);
    assert.deepEqual(codes(s), [['EP113', path.join('over-1.0.dist-info', 'entry_points.txt')]]);
    assert.deepEqual(entryNames(s), ['at:x', 'good:good']);
  });

  test('a 20 MiB METADATA is read no further than its head, for its Name and Version', () => {
    const site = siteWithGood();
    fs.mkdirSync(path.join(site, 'big.dist-info'));
    sparseFile(path.join(site, 'big.dist-info', 'METADATA'), 20 * MiB, te.encode('Name: big\nVersion: 1.0\n\n'));
    fs.writeFileSync(path.join(site, 'big.dist-info', 'entry_points.txt'), '[g]\nb = b:c\n');
    const { result: s, bytes } = countingReads(() => scanPathEntry(site));
    assert.deepEqual(codes(s), []);
    const big = s.units.find((d) => d.name === 'big')!;
    assert.deepEqual([big.real, big.version], [true, '1.0']);
    assert.deepEqual(entryNames(s), ['big:b', 'good:good']);
    assert.ok(bytes <= 2 * 64 * 1024, `read ${bytes} bytes`);
  });

  test('a METADATA whose first 64 KiB hold no Version leaves the version unknown, without reading further', () => {
    const site = siteWithGood();
    fs.mkdirSync(path.join(site, 'long.dist-info'));
    const head = Buffer.alloc(100 * 1024, 'x');
    Buffer.from('Name: long\nSummary: ').copy(head, 0);
    head[head.length - 1] = 0x0a;
    fs.writeFileSync(path.join(site, 'long.dist-info', 'METADATA'), Buffer.concat([head, Buffer.from('Version: 9\n')]));
    const { result: s, bytes } = countingReads(() => scanPathEntry(site));
    assert.deepEqual(s.units.find((d) => d.name === 'long')!.version, null);
    assert.ok(bytes <= 2 * 64 * 1024 + 4096, `read ${bytes} bytes`);
  });

  test('a 1.5 GB plain file on the path contributes nothing, silently, and only its last 64 KiB are read, once', () => {
    const dir = sandbox();
    const file = sparseFile(path.join(dir, 'big.bin'), 1.5e9, te.encode('not a zip'));
    const { result: s, bytes, opens } = countingReads(() => scanPathEntry(file));
    assert.deepEqual([s.kind, s.units.length, s.diagnostics.length], ['unsearchable', 0, 0]);
    assert.ok(bytes <= 65_557 + 4, `read ${bytes} bytes`);
    assert.equal(opens.length, 1, 'opened once');
  });
});

describe('limits: zip archives on the path', () => {
  test('a 1 GiB entry_points.txt in a 1 MB wheel is EP113, never inflated; the wheel\'s other distribution is read', () => {
    const whl = path.join(sandbox(), 'bomb-1.0-py3-none-any.whl');
    writeZip(whl, [
      { name: 'bomb-1.0.dist-info/METADATA', data: te.encode('Name: bomb\n') },
      { name: 'bomb-1.0.dist-info/entry_points.txt', payload: deflatedZeros(GiB), size: GiB },
      { name: 'fine-1.0.dist-info/METADATA', data: te.encode('Name: fine\n') },
      { name: 'fine-1.0.dist-info/entry_points.txt', data: te.encode('[g]\nf = f:g\n') },
    ]);
    assert.ok(fs.statSync(whl).size < 2 * MiB);
    scanPathEntry(whl); // loads fflate (its own file is not the archive's bytes)
    const { result: s, bytes } = countingReads(() => scanPathEntry(whl));
    assert.deepEqual(codes(s), [['EP113', 'bomb-1.0.dist-info/entry_points.txt']]);
    assert.deepEqual(entryNames(s), ['fine:f']);
    assert.ok(bytes < 128 * 1024, `read ${bytes} bytes of a ${fs.statSync(whl).size}-byte archive`);
  });

  test('a zipped egg over 2 GiB (zip64) is read; its 2.2 GiB entry_points.txt is EP113, never allocated', () => {
    const egg = path.join(sandbox(), 'huge-1.0-py3.11.egg');
    writeZip(egg, [
      { name: 'EGG-INFO/PKG-INFO', data: te.encode('Name: huge\nVersion: 1.0\n') },
      { name: 'EGG-INFO/entry_points.txt', method: 0, hole: Math.floor(2.2 * GiB) },
    ], { zip64: true });
    assert.ok(fs.statSync(egg).size > 2.2 * GiB);
    const s = scanPathEntry(egg);
    assert.equal(s.kind, 'zip');
    assert.deepEqual(s.units.map((d) => [d.name, d.version, d.real]), [['huge', '1.0', true]]);
    assert.deepEqual(codes(s), [['EP113', 'EGG-INFO/entry_points.txt']]);
    fs.rmSync(egg);
  });

  test('a zip64 archive over 4 GiB is searched: the distributions after a 4.5 GiB member are read', () => {
    const whl = path.join(sandbox(), 'after-1.0-py3-none-any.whl');
    writeZip(whl, [
      { name: 'blob/data.bin', method: 0, hole: 4.5 * GiB },
      { name: 'after-1.0.dist-info/METADATA', data: te.encode('Name: after\n') },
      { name: 'after-1.0.dist-info/entry_points.txt', data: te.encode('[g]\na = a:b\n') },
    ], { zip64: true });
    const s = scanPathEntry(whl);
    assert.deepEqual([codes(s), entryNames(s)], [[], ['after:a']]);
    fs.rmSync(whl);
  });

  test('past LIMITS.zipTotalBytes decompressed from one archive, the rest of its members are EP216; what was read stands', () => {
    const whl = path.join(sandbox(), 'many-1.0-py3-none-any.whl');
    const big = Buffer.alloc(LIMITS.fileBytes, '#');
    Buffer.from('[g]\nx = y:z\n').copy(big, 0);
    const n = Math.floor(LIMITS.zipTotalBytes / LIMITS.fileBytes);
    const names = Array.from({ length: n + 1 }, (_, i) => `d${String(i).padStart(2, '0')}`);
    writeZip(whl, names.map((d) => ({ name: `${d}-1.0.dist-info/entry_points.txt`, data: big })));
    const s = scanPathEntry(whl);
    // No METADATA: each is a leftover (EP202); the last one read past the total is EP216.
    assert.deepEqual(codes(s).filter(([c]) => c !== 'EP202'), [['EP216', `${names[n]}-1.0.dist-info/entry_points.txt`]]);
    assert.deepEqual(entryNames(s), names.slice(0, n).map((d) => `${d}:x`));
  });
});

describe('limits: parseEntryPointsTxt', () => {
  for (const [what, value] of [['null', null], ['a number', 42], ['undefined', undefined], ['an object', {}], ['an ArrayBuffer', new ArrayBuffer(4)], ['a Uint16Array', new Uint16Array(2)], ['an array of numbers', [91, 103, 93]]] as const) {
    test(`${what} is INVALID_ARGUMENT (an EpindexError), not a raw error`, () => {
      assert.throws(() => parseEntryPointsTxt(value as unknown as string), (e: unknown) => isEpindexError(e) && e.code === 'INVALID_ARGUMENT');
    });
  }

  test('options that are not an object, or a file that is not a string, are INVALID_ARGUMENT', () => {
    assert.throws(() => parseEntryPointsTxt('', null as unknown as {}), (e: unknown) => isEpindexError(e) && e.code === 'INVALID_ARGUMENT');
    assert.throws(() => parseEntryPointsTxt('', { file: 7 as unknown as string }), (e: unknown) => isEpindexError(e) && e.code === 'INVALID_ARGUMENT');
  });

  test('600 MiB of bytes (more than any string can hold) is EP113, not a crash', () => {
    const r = parseEntryPointsTxt(new Uint8Array(600 * MiB), { file: 'x' });
    assert.deepEqual([r.entries, r.diagnostics.map((d) => [d.code, d.file])], [[], [['EP113', 'x']]]);
  });

  test('a 16 MiB line is quoted in its diagnostic by its first 200 characters', () => {
    const r = parseEntryPointsTxt(`[g]\n${'x'.repeat(16 * MiB)}\n`);
    assert.equal(r.diagnostics[0]!.code, 'EP104');
    assert.ok(r.diagnostics[0]!.message.length < 400);
  });
});

describe('limits: epi lint of a wheel', () => {
  test('a wheel whose entry_points.txt inflates to 1 GiB is a finding, never inflated: lint reads the wheel by offset, not whole', () => {
    const whl = path.join(sandbox(), 'bomb-1.0-py3-none-any.whl');
    writeZip(whl, [
      { name: 'bomb-1.0.dist-info/METADATA', data: te.encode('Metadata-Version: 2.1\nName: bomb\nVersion: 1.0\n') },
      { name: 'bomb-1.0.dist-info/entry_points.txt', payload: deflatedZeros(GiB), size: GiB },
    ]);
    const r = epi(['lint', '--json', whl]);
    assert.ok(r.status === 0 || r.status === 1, `exit ${r.status}: ${r.stderr}`);
    assert.equal(r.stderr.includes('    at '), false, 'no stack trace');
    const out = JSON.parse(r.stdout) as { findings: Array<{ code: string; message: string }> };
    assert.ok(out.findings.some((f) => /cannot be read|limit|too large|bytes/i.test(f.message)), JSON.stringify(out.findings));
  });
});
