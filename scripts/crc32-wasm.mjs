#!/usr/bin/env node
// Assembles the CRC-32 WebAssembly module that src/crc32.ts embeds (printed as base64), so the
// bytes there can be checked and regenerated: `node scripts/crc32-wasm.mjs`.
//
// Two functions over one page of memory: `init()` writes the 256-entry table at offset 0;
// `crc(ptr, len, previous)` is zlib.crc32 of memory[ptr, ptr+len), a byte at a time.
const u32 = (n) => { const out = []; do { let b = n & 0x7f; n >>>= 7; if (n) b |= 0x80; out.push(b); } while (n); return out; };
const s32 = (n) => { const out = []; for (;;) { const b = n & 0x7f; n >>= 7; if ((n === 0 && !(b & 0x40)) || (n === -1 && b & 0x40)) { out.push(b); return out; } out.push(b | 0x80); } };
const vec = (items) => [...u32(items.length), ...items.flat()];
const section = (id, bytes) => [id, ...u32(bytes.length), ...bytes];
const str = (s) => [...u32(s.length), ...Buffer.from(s)];
const body = (locals, code) => { const b = [...vec(locals), ...code, 0x0b]; return [...u32(b.length), ...b]; };
const I32 = 0x7f;
const [BLOCK, LOOP, END, BR, BR_IF] = [0x02, 0x03, 0x0b, 0x0c, 0x0d];
const get = (i) => [0x20, i], set = (i) => [0x21, i], tee = (i) => [0x22, i], c = (n) => [0x41, ...s32(n)];
const [GE_U, ADD, SUB, AND, XOR, SHL, SHR_U] = [0x4f, 0x6a, 0x6b, 0x71, 0x73, 0x74, 0x76];
const load8 = [0x2d, 0x00, 0x00], load32 = [0x28, 0x02, 0x00], store32 = [0x36, 0x02, 0x00];

// init: for n in 0..255: c = n; 8 times c = (c >>> 1) ^ (0xEDB88320 & -(c & 1)); mem32[n] = c
const init = body([[3, I32]], [
  BLOCK, 0x40, LOOP, 0x40,
  ...get(0), ...c(256), GE_U, BR_IF, 1,
  ...get(0), ...set(1), ...c(8), ...set(2),
  LOOP, 0x40,
  ...get(1), ...c(1), SHR_U, ...c(0), ...get(1), ...c(1), AND, SUB, ...c(0xedb88320 | 0), AND, XOR, ...set(1),
  ...get(2), ...c(1), SUB, ...tee(2), BR_IF, 0,
  END,
  ...get(0), ...c(2), SHL, ...get(1), ...store32,
  ...get(0), ...c(1), ADD, ...set(0), BR, 0,
  END, END,
]);
// crc(p, len, crc): crc = ~crc; while p < p+len: crc = mem32[(crc ^ mem8[p]) & 255] ^ (crc >>> 8); p++; return ~crc
const crc = body([[1, I32]], [
  ...get(2), ...c(-1), XOR, ...set(2),
  ...get(0), ...get(1), ADD, ...set(3),
  BLOCK, 0x40, LOOP, 0x40,
  ...get(0), ...get(3), GE_U, BR_IF, 1,
  ...get(2), ...get(0), ...load8, XOR, ...c(255), AND, ...c(2), SHL, ...load32,
  ...get(2), ...c(8), SHR_U, XOR, ...set(2),
  ...get(0), ...c(1), ADD, ...set(0), BR, 0,
  END, END,
  ...get(2), ...c(-1), XOR,
]);
const bytes = [
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  ...section(1, vec([[0x60, 0, 0], [0x60, 3, I32, I32, I32, 1, I32]])),
  ...section(3, vec([[0], [1]])),
  ...section(5, vec([[0x00, 1]])),
  ...section(7, vec([[...str('m'), 0x02, 0], [...str('init'), 0x00, 0], [...str('crc'), 0x00, 1]])),
  ...section(10, [...u32(2), ...init, ...crc]),
];
process.stdout.write(Buffer.from(bytes).toString('base64') + '\n');
