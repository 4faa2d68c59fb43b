import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import fc from 'fast-check';
import { crc32, crc32js } from '../src/crc32.js';

test('crc32 has the published check value of CRC-32/ISO-HDLC ("123456789" → 0xCBF43926)', () => {
  assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926);
  assert.equal(crc32(new Uint8Array(0)), 0);
});

test('crc32 continues from a previous value and over a sub-range, as zlib.crc32 does', () => {
  const b = Buffer.from('hello, world');
  assert.equal(crc32(b.subarray(5), crc32(b.subarray(0, 5))), crc32(b));
  assert.equal(crc32(b, 0, 3, 8), crc32(b.subarray(3, 8)));
});

test("crc32 equals Python's zlib.crc32 on random bytes (seeded)", () => {
  const samples = fc.sample(fc.uint8Array({ maxLength: 300 }), { seed: 42, numRuns: 50 });
  const hex = samples.map((s) => Buffer.from(s).toString('hex'));
  const r = spawnSync('python3', ['-c', 'import sys,zlib\nfor l in sys.stdin.read().split():\n  print(zlib.crc32(bytes.fromhex(l[1:])))'], { input: hex.map((h) => 'x' + h).join('\n'), encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split('\n').map(Number), samples.map((s) => crc32(s)));
});

test('the WebAssembly crc32 equals the JavaScript one, across chunk boundaries (seeded)', () => {
  const big = Buffer.alloc((1 << 20) * 2 + 12345);
  for (let i = 0; i < big.length; i++) big[i] = (i * 2654435761) >>> 24;
  assert.equal(crc32(big), crc32js(big));
  assert.equal(crc32(big, 7, 100, big.length - 100), crc32js(big, 7, 100, big.length - 100));
  fc.assert(fc.property(fc.uint8Array({ maxLength: 5000 }), fc.integer({ min: 0, max: 0xffffffff }), (b, prev) => crc32(b, prev) === crc32js(b, prev)), { seed: 7, numRuns: 200 });
});
