/**
 * src/zip.ts: the bounded zip reader. Archives written by Python's zipfile and zipapp, and
 * crafted ones (test/support/zip-writer.ts) that lie; Python's zipfile is the oracle for names
 * and contents (test/support/zip_oracle.py).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { crc32 } from '../src/crc32.js';
import { isZipError, openZip, type ZipErrorCode, type ZipLimits } from '../src/zip.js';
import { tempDir } from './support/fixtures.js';
import { PYTHON } from './support/python.js';
import { deflatedZeros, writeZip, type MemberSpec, type ZipSpec } from './support/zip-writer.js';

const SUPPORT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../test/support');
const te = new TextEncoder();
const GiB = 1024 ** 3;

type OracleAnswer = { error: string } | { names: string[]; members: Record<string, { data: string } | { error: string }> };

function zipOracle(requests: Array<{ file: string; read: string[] | null }>): OracleAnswer[] {
  const r = spawnSync(PYTHON, [path.join(SUPPORT, 'zip_oracle.py')], { input: JSON.stringify(requests), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`zip_oracle.py failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as OracleAnswer[];
}

/** Names and contents as openZip reads them, or the error code. */
function ours(file: string, limits?: Partial<ZipLimits>): { error: ZipErrorCode } | { names: string[]; members: Record<string, { data: string } | { error: string }> } {
  let zip;
  try {
    zip = openZip(file, limits);
  } catch (e) {
    if (isZipError(e)) return { error: e.code };
    throw e;
  }
  try {
    const members: Record<string, { data: string } | { error: string }> = {};
    for (const e of zip.entries) {
      if (e.size > 1 << 20) continue;
      try {
        members[e.name] = { data: Buffer.from(zip.read(zip.get(e.name)!)).toString('base64') };
      } catch (err) {
        if (!isZipError(err)) throw err;
        members[e.name] = { error: err.code };
      }
    }
    return { names: zip.entries.map((e) => e.name), members };
  } finally {
    zip.close();
  }
}

function codeOf(f: () => unknown): ZipErrorCode | 'ok' {
  try {
    f();
    return 'ok';
  } catch (e) {
    if (isZipError(e)) return e.code;
    throw e;
  }
}

const dir = tempDir('epindex-zip-');
let made = 0;
function crafted(members: MemberSpec[], spec: ZipSpec = {}): string {
  const f = path.join(dir, `c${made++}.zip`);
  writeZip(f, members, spec);
  return f;
}

describe('zip: archives Python writes', () => {
  const script = String.raw`
import sys, zipfile, zipapp, os
d = sys.argv[1]
with zipfile.ZipFile(os.path.join(d, 'plain.zip'), 'w') as z:
    z.writestr('a-1.0.dist-info/METADATA', 'Name: a\nVersion: 1.0\n', compress_type=zipfile.ZIP_DEFLATED)
    z.writestr('a-1.0.dist-info/entry_points.txt', '[g]\nx = a:b\n' * 500, compress_type=zipfile.ZIP_DEFLATED)
    z.writestr('na\u00efve-2.0.dist-info/METADATA', 'Name: na\u00efve\n', compress_type=zipfile.ZIP_STORED)
    z.writestr('empty.txt', '', compress_type=zipfile.ZIP_DEFLATED)
    z.writestr(zipfile.ZipInfo('somedir/'), '')
    z.comment = b'a comment PK'
with zipfile.ZipFile(os.path.join(d, 'zip64.zip'), 'w', allowZip64=True) as z:
    with z.open(zipfile.ZipInfo('big-1.0.dist-info/METADATA'), 'w', force_zip64=True) as f:
        f.write(b'Name: big\n' * 1000)
    z.writestr('small.txt', 'small')
os.makedirs(os.path.join(d, 'app'))
with open(os.path.join(d, 'app', '__main__.py'), 'w') as f:
    f.write('print(1)\n')
zipapp.create_archive(os.path.join(d, 'app'), os.path.join(d, 'app.pyz'), interpreter='/usr/bin/env python3')
`;
  const pyDir = path.join(dir, 'py');
  fs.mkdirSync(pyDir);
  const r = spawnSync(PYTHON, ['-c', script, pyDir], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);

  for (const [rule, name] of [
    ['deflated and stored members, a directory entry, a UTF-8 name and a comment read as zipfile reads them', 'plain.zip'],
    ['zip64 records and extra fields read as zipfile reads them', 'zip64.zip'],
    ['a zipapp (a #! line before the archive) reads as zipfile reads it', 'app.pyz'],
  ] as const) {
    test(rule, () => {
      const file = path.join(pyDir, name);
      const [expected] = zipOracle([{ file, read: null }]);
      assert.deepEqual(ours(file), expected);
    });
  }
});

describe('zip: names as zipfile decodes them', () => {
  test('a name without the UTF-8 flag is code page 437; with it, UTF-8; a NUL ends it', () => {
    const file = crafted([
      { name: Uint8Array.from([...te.encode('caf'), 0x82, ...te.encode('-1.0.dist-info/METADATA')]), data: te.encode('x'), flags: 0 },
      { name: 'Ünï-1.0.dist-info/METADATA', data: te.encode('y') },
      { name: Uint8Array.from([...te.encode('nul.txt'), 0, ...te.encode('.exe')]), data: te.encode('z'), flags: 0 },
    ]);
    const [expected] = zipOracle([{ file, read: null }]);
    assert.deepEqual(ours(file), expected);
    assert.deepEqual((expected as { names: string[] }).names, ['café-1.0.dist-info/METADATA', 'Ünï-1.0.dist-info/METADATA', 'nul.txt']);
  });

  test('an Info-ZIP Unicode Path field whose CRC matches the raw name names the entry (zipfile since 3.12)', () => {
    const raw = Uint8Array.from([...te.encode('caf'), 0x82, ...te.encode('.txt')]);
    const unicode = te.encode('café-unicode.txt');
    const field = Buffer.alloc(9 + unicode.length);
    field.writeUInt16LE(0x7075, 0);
    field.writeUInt16LE(5 + unicode.length, 2);
    field[4] = 1;
    field.writeUInt32LE(crc32(raw), 5);
    Buffer.from(unicode).copy(field, 9);
    const stale = Buffer.from(field);
    stale.writeUInt32LE((crc32(raw) ^ 1) >>> 0, 5);
    const file = crafted([{ name: raw, data: te.encode('x'), flags: 0, cdExtra: field }, { name: 'other.txt', data: te.encode('y'), cdExtra: stale }]);
    const zip = openZip(file);
    try {
      assert.deepEqual(zip.entries.map((e) => e.name), ['café-unicode.txt', 'other.txt']);
      assert.equal(Buffer.from(zip.read(zip.get('café-unicode.txt')!)).toString(), 'x', 'the local header still carries the raw name');
    } finally {
      zip.close();
    }
  });

  test('of several entries with one name, get() gives the last, as zipfile.getinfo does', () => {
    const file = crafted([{ name: 'x.txt', data: te.encode('first') }, { name: 'x.txt', data: te.encode('second') }]);
    const zip = openZip(file);
    try {
      assert.equal(Buffer.from(zip.read(zip.get('x.txt')!)).toString(), 'second');
      assert.equal(zip.entries.length, 2);
    } finally {
      zip.close();
    }
    const [expected] = zipOracle([{ file, read: ['x.txt'] }]);
    assert.deepEqual((expected as { members: Record<string, { data: string }> }).members['x.txt'], { data: Buffer.from('second').toString('base64') });
  });
});

describe('zip: integrity (a member is its declared bytes or an error, never something else)', () => {
  const data = te.encode('[console_scripts]\nfoo = foo:main\n'.repeat(20));
  // The last column: whether zipfile refuses it too. It reads a member that inflates to fewer
  // bytes than declared when the CRC-32 matches what came out.
  const cases: Array<[rule: string, members: MemberSpec[], spec: ZipSpec, code: ZipErrorCode, zipfileRefuses?: false]> = [
    ['a CRC-32 that does not match the content is CRC_MISMATCH', [{ name: 'a.txt', data, crc: 0x12345678 }], {}, 'CRC_MISMATCH'],
    ['a stored member with a wrong CRC-32 is CRC_MISMATCH', [{ name: 'a.txt', data, method: 0, crc: 1 }], {}, 'CRC_MISMATCH'],
    ['a central directory that says fewer bytes than the data inflates to is CORRUPT, not a truncated member', [{ name: 'a.txt', data, size: 10 }], {}, 'CORRUPT'],
    ['a central directory that says more bytes than the data inflates to is CORRUPT', [{ name: 'a.txt', data, size: data.length + 1 }], {}, 'CORRUPT', false],
    ['a compressed size shorter than the deflate stream is CORRUPT', [{ name: 'a.txt', data, compressedSize: 5 }], {}, 'CORRUPT'],
    ['a stored member whose sizes disagree is CORRUPT', [{ name: 'a.txt', data, method: 0, compressedSize: data.length - 1 }], {}, 'CORRUPT'],
    ['damaged deflate data is CORRUPT', [{ name: 'a.txt', data, payload: Uint8Array.from({ length: 64 }, (_, i) => (i * 37) & 0xff) }], {}, 'CORRUPT'],
    ['a local header that names another file is CORRUPT', [{ name: 'a.txt', data, localName: 'b.txt' }], {}, 'CORRUPT'],
    ['an encrypted member is UNSUPPORTED', [{ name: 'a.txt', data, flags: 1 }], {}, 'UNSUPPORTED'],
    ['a strongly encrypted member (flag bit 6) is UNSUPPORTED', [{ name: 'a.txt', data, flags: 0x40 }], {}, 'UNSUPPORTED'],
    ['compressed patched data (flag bit 5) is UNSUPPORTED', [{ name: 'a.txt', data, flags: 0x20 }], {}, 'UNSUPPORTED'],
    ['bzip2 (method 12) is UNSUPPORTED', [{ name: 'a.txt', data, method: 12 }], {}, 'UNSUPPORTED'],
  ];
  for (const [rule, members, spec, code, zipfileRefuses] of cases) {
    test(rule, () => {
      const file = crafted(members, spec);
      const zip = openZip(file);
      try {
        assert.equal(codeOf(() => zip.read(zip.entries[0]!)), code);
      } finally {
        zip.close();
      }
      const [py] = zipOracle([{ file, read: ['a.txt'] }]);
      assert.ok('members' in py!);
      assert.equal('error' in py.members['a.txt']!, zipfileRefuses ?? true, `zipfile: ${JSON.stringify(py)}`);
    });
  }

  test('a central directory entry that points outside the file is CORRUPT', () => {
    const file = crafted([{ name: 'a.txt', data }]);
    const b = fs.readFileSync(file);
    const cd = b.indexOf(Buffer.from('PK\x01\x02', 'latin1'));
    b.writeUInt32LE(0x7fffff00, cd + 42);
    fs.writeFileSync(file, b);
    const zip = openZip(file);
    try {
      assert.equal(codeOf(() => zip.read(zip.entries[0]!)), 'CORRUPT');
    } finally {
      zip.close();
    }
  });
});

describe('zip: what is a zip', () => {
  const cases: Array<[rule: string, make: () => string, code: ZipErrorCode | 'ok']> = [
    ['a plain file is NOT_ZIP', () => { const f = path.join(dir, 'plain.txt'); fs.writeFileSync(f, 'hello\n'); return f; }, 'NOT_ZIP'],
    ['an empty file is NOT_ZIP', () => { const f = path.join(dir, 'empty'); fs.writeFileSync(f, ''); return f; }, 'NOT_ZIP'],
    ['a directory is NOT_ZIP', () => dir, 'NOT_ZIP'],
    ['local headers without an end record (truncated) are CORRUPT', () => crafted([{ name: 'a.txt', data: te.encode('x') }], { noEnd: true }), 'CORRUPT'],
    ['an archive spanning several disks is UNSUPPORTED', () => crafted([{ name: 'a.txt', data: te.encode('x') }], { disk: 1 }), 'UNSUPPORTED'],
    ['an end-of-central-directory signature inside the comment does not hide the real record', () => crafted([{ name: 'a.txt', data: te.encode('x') }], { comment: Buffer.from('PK\x05\x06 not a record at all, just text in a comment', 'latin1') }), 'ok'],
    ['an empty archive is a zip with no entries', () => crafted([]), 'ok'],
    ['a name flagged UTF-8 that is not UTF-8 makes the archive CORRUPT (zipfile raises UnicodeDecodeError)', () => crafted([{ name: Uint8Array.from([0x61, 0xff]), data: te.encode('x'), flags: 0x800 }]), 'CORRUPT'],
    ['a malformed extra field makes the archive CORRUPT (zipfile raises BadZipFile)', () => crafted([{ name: 'a.txt', data: te.encode('x'), cdExtra: Uint8Array.from([0x99, 0x99, 0x10, 0x00, 1, 2]) }]), 'CORRUPT'],
    ['an entry needing zip version 6.4 makes the archive UNSUPPORTED (zipfile raises NotImplementedError)', () => crafted([{ name: 'a.txt', data: te.encode('x'), versionNeeded: 64 }]), 'UNSUPPORTED'],
  ];
  for (const [rule, make, code] of cases) test(rule, () => assert.equal(codeOf(() => openZip(make()).close()), code));
});

describe('zip: limits', () => {
  const small = (n: number): MemberSpec[] => Array.from({ length: n }, (_, i) => ({ name: `m${i}.txt`, data: te.encode(`member ${i}`) }));
  test('more central-directory entries than maxEntries is TOO_LARGE', () => {
    assert.equal(codeOf(() => openZip(crafted(small(11)), { maxEntries: 10 })), 'TOO_LARGE');
    assert.equal(codeOf(() => openZip(crafted(small(10)), { maxEntries: 10 }).close()), 'ok');
  });
  test('a central directory over maxCentralDirectoryBytes is TOO_LARGE', () => {
    assert.equal(codeOf(() => openZip(crafted(small(10)), { maxCentralDirectoryBytes: 100 })), 'TOO_LARGE');
  });
  test('a member over maxMemberBytes is TOO_LARGE; one at the limit is read', () => {
    const zip = openZip(crafted([{ name: 'a', data: new Uint8Array(100) }, { name: 'b', data: new Uint8Array(101) }]), { maxMemberBytes: 100 });
    try {
      assert.equal(codeOf(() => zip.read(zip.get('a')!)), 'ok');
      assert.equal(codeOf(() => zip.read(zip.get('b')!)), 'TOO_LARGE');
    } finally {
      zip.close();
    }
  });
  test('members read from one archive past maxTotalBytes are TOO_LARGE', () => {
    const zip = openZip(crafted([{ name: 'a', data: new Uint8Array(60) }, { name: 'b', data: new Uint8Array(60) }]), { maxTotalBytes: 100 });
    try {
      assert.equal(codeOf(() => zip.read(zip.get('a')!)), 'ok');
      assert.equal(codeOf(() => zip.read(zip.get('b')!)), 'TOO_LARGE');
    } finally {
      zip.close();
    }
  });
  test('a compressed size no deflate stream of an allowed member could have is TOO_LARGE, before anything is read', () => {
    const zip = openZip(crafted([{ name: 'a', data: new Uint8Array(10), compressedSize: 40 * 1024 * 1024 }]));
    try {
      assert.equal(codeOf(() => zip.read(zip.get('a')!)), 'TOO_LARGE');
    } finally {
      zip.close();
    }
  });

  test('a 1 GiB member of a 1 MB zip is TOO_LARGE without being inflated; told it is 1,000 bytes, it stops at 1,001', () => {
    const payload = deflatedZeros(GiB);
    assert.ok(payload.length < 2 * 1024 * 1024, `the archive is small (${payload.length} bytes)`);
    const file = crafted([{ name: 'bomb.txt', method: 8, payload, size: GiB }, { name: 'liar.txt', method: 8, payload, size: 1000 }]);
    const zip = openZip(file);
    try {
      const before = process.memoryUsage().arrayBuffers;
      assert.equal(codeOf(() => zip.read(zip.get('bomb.txt')!)), 'TOO_LARGE');
      const t0 = process.hrtime.bigint();
      assert.equal(codeOf(() => zip.read(zip.get('liar.txt')!)), 'CORRUPT');
      assert.ok(process.hrtime.bigint() - t0 < 2_000_000_000n, 'stopped early, not after inflating 1 GiB');
      assert.ok(process.memoryUsage().arrayBuffers - before < 64 * 1024 * 1024, 'nothing near 1 GiB was allocated');
    } finally {
      zip.close();
    }
  });

  test('a zip64 archive over 4 GiB is readable; its 4.5 GiB member is TOO_LARGE, the members after it are read', () => {
    const file = crafted([
      { name: 'huge.bin', method: 0, hole: 4.5 * GiB },
      { name: 'after-1.0.dist-info/entry_points.txt', data: te.encode('[g]\nx = y:z\n') },
    ], { zip64: true });
    assert.ok(fs.statSync(file).size > 4.5 * GiB);
    const zip = openZip(file);
    try {
      assert.equal(zip.get('huge.bin')!.size, 4.5 * GiB);
      assert.ok(zip.get('after-1.0.dist-info/entry_points.txt')!.headerOffset > 4.5 * GiB);
      assert.equal(codeOf(() => zip.read(zip.get('huge.bin')!)), 'TOO_LARGE');
      assert.equal(Buffer.from(zip.read(zip.get('after-1.0.dist-info/entry_points.txt')!)).toString(), '[g]\nx = y:z\n');
    } finally {
      zip.close();
    }
    const [py] = zipOracle([{ file, read: ['after-1.0.dist-info/entry_points.txt'] }]);
    assert.deepEqual(py, { names: ['huge.bin', 'after-1.0.dist-info/entry_points.txt'], members: { 'after-1.0.dist-info/entry_points.txt': { data: Buffer.from('[g]\nx = y:z\n').toString('base64') } } });
    fs.rmSync(file);
  });
});

describe('zip: round trip', () => {
  test('what is written is read back, name for name and byte for byte, deflated or stored', () => {
    const member = fc.record({
      name: fc.constantFrom('a.txt', 'x-1.0.dist-info/METADATA', 'x-1.0.dist-info/entry_points.txt', 'Ünï/ø.txt', 'dir/', 'deep/er/file'),
      data: fc.uint8Array({ maxLength: 3000 }),
      method: fc.constantFrom(0, 8),
      zip64: fc.boolean(),
    });
    const archive = fc.record({ members: fc.uniqueArray(member, { maxLength: 6, selector: (m) => m.name }), prefix: fc.option(fc.uint8Array({ maxLength: 40 }), { nil: undefined }), zip64: fc.boolean() });
    let n = 0;
    fc.assert(
      fc.property(archive, (a) => {
        const file = path.join(dir, `rt${n++}.zip`);
        writeZip(file, a.members, { ...(a.prefix ? { prefix: a.prefix } : {}), zip64: a.zip64 });
        const zip = openZip(file);
        try {
          assert.deepEqual(zip.entries.map((e) => e.name), a.members.map((m) => m.name));
          for (const m of a.members) assert.deepEqual(Buffer.from(zip.read(zip.get(m.name)!)), Buffer.from(m.data));
        } finally {
          zip.close();
          fs.rmSync(file);
        }
      }),
      { seed: 0x21b, numRuns: 150 },
    );
  });

  test('read after close is IO; close twice is fine', () => {
    const zip = openZip(crafted([{ name: 'a', data: te.encode('x') }]));
    zip.close();
    zip.close();
    assert.equal(codeOf(() => zip.read(zip.entries[0]!)), 'IO');
  });
});
