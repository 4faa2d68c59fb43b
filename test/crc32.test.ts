import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import fc from 'fast-check';
import * as zlib from 'node:zlib';
import { crc32, crc32Implementation, crc32js, crc32wasm } from '../src/crc32.js';

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
  assert.equal(crc32wasm(big), crc32js(big));
  assert.equal(crc32wasm(big, 7, 100, big.length - 100), crc32js(big, 7, 100, big.length - 100));
  fc.assert(fc.property(fc.uint8Array({ maxLength: 5000 }), fc.integer({ min: 0, max: 0xffffffff }), (b, prev) => crc32wasm(b, prev) === crc32js(b, prev)), { seed: 7, numRuns: 200 });
});

test("crc32 uses zlib's own function wherever Node has it, and it equals the JavaScript one on sub-ranges and any previous value (seeded)", () => {
  const zlibCrc = (zlib as unknown as { crc32?: unknown }).crc32;
  if (typeof zlibCrc === 'function') assert.equal(crc32Implementation(), 'native', 'Node has zlib.crc32, so its binding is used');
  const big = Buffer.alloc(300_000);
  for (let i = 0; i < big.length; i++) big[i] = (i * 2654435761) >>> 24;
  assert.equal(crc32(big, 0xffffffff, 5, big.length - 3), crc32js(big, 0xffffffff, 5, big.length - 3));
  fc.assert(fc.property(fc.uint8Array({ maxLength: 3000 }), fc.nat(3000), fc.nat(3000), fc.integer({ min: 0, max: 0xffffffff }), (b, x, y, prev) => {
    const start = Math.min(x, y, b.length);
    const end = Math.min(Math.max(x, y), b.length);
    return crc32(b, prev, start, end) === crc32js(b, prev, start, end);
  }), { seed: 11, numRuns: 300 });
});

test('crc32 never prints a deprecation warning: under --pending-deprecation it does not touch process.binding', () => {
  const src = new URL('../src/crc32.js', import.meta.url).href;
  const code = `const m = await import(${JSON.stringify(src)}); const b = Buffer.alloc(100000, 3); process.stdout.write(m.crc32Implementation() + ' ' + (m.crc32(b) === m.crc32js(b)));`;
  const r = spawnSync(process.execPath, ['--pending-deprecation', '--input-type=module', '-e', code], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  assert.match(r.stdout, /^(wasm|js) true$/);
});
