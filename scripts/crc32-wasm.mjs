#!/usr/bin/env node
// Assembles the CRC-32 WebAssembly module that src/crc32.ts embeds (printed as base64), so the
// bytes there can be checked and regenerated: `node scripts/crc32-wasm.mjs`.
//
// Two functions over one page of memory: `init()` writes four 256-entry tables at offset 0
// (T0 the classic table, Tk[n] = (Tk-1[n] >>> 8) ^ T0[Tk-1[n] & 255]: "slicing by 4");
// `crc(ptr, len, previous)` is zlib.crc32 of memory[ptr, ptr+len), four bytes at a time, then
// the last one to three bytes one at a time. Data goes at offset 4096.
const u32 = (n) => { const out = []; do { let b = n & 0x7f; n >>>= 7; if (n) b |= 0x80; out.push(b); } while (n); return out; };
const s32 = (n) => { const out = []; for (;;) { const b = n & 0x7f; n >>= 7; if ((n === 0 && !(b & 0x40)) || (n === -1 && b & 0x40)) { out.push(b); return out; } out.push(b | 0x80); } };
const vec = (items) => [...u32(items.length), ...items.flat()];
const section = (id, bytes) => [id, ...u32(bytes.length), ...bytes];
const str = (s) => [...u32(s.length), ...Buffer.from(s)];
const body = (locals, code) => { const b = [...vec(locals), ...code, 0x0b]; return [...u32(b.length), ...b]; };
const I32 = 0x7f;
const [BLOCK, LOOP, END, BR, BR_IF] = [0x02, 0x03, 0x0b, 0x0c, 0x0d];
const get = (i) => [0x20, i], set = (i) => [0x21, i], tee = (i) => [0x22, i], c = (n) => [0x41, ...s32(n)];
const [LT_U, GE_U, ADD, SUB, AND, XOR, SHL, SHR_U] = [0x49, 0x4f, 0x6a, 0x6b, 0x71, 0x73, 0x74, 0x76];
const load8 = [0x2d, 0x00, 0x00], load32 = [0x28, 0x02, 0x00], store32 = [0x36, 0x02, 0x00];
// Table k's entry at byte address i*4: a load or store with a memarg offset of k*1024.
const loadT = (k) => [0x28, 0x02, ...u32(k * 1024)], storeT = (k) => [0x36, 0x02, ...u32(k * 1024)];
// Data is read where it lies, four bytes at once (alignment hint 1 byte).
const loadData32 = [0x28, 0x00, 0x00];
// c = (c >>> 8) ^ T0[c & 255]
const step = [...get(1), ...c(8), SHR_U, ...get(1), ...c(255), AND, ...c(2), SHL, ...loadT(0), XOR, ...set(1)];
// T[k][x >>> shift & 255] (x in local 4)
const lookup = (k, shift) => [...get(4), ...(shift ? [...c(shift), SHR_U] : []), ...(shift === 24 ? [] : [...c(255), AND]), ...c(2), SHL, ...loadT(k)];

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
  // for n in 0..255: c = T0[n]; for k in 1..3: c = (c >>> 8) ^ T0[c & 255]; Tk[n] = c
  ...c(0), ...set(0),
  BLOCK, 0x40, LOOP, 0x40,
  ...get(0), ...c(256), GE_U, BR_IF, 1,
  ...get(0), ...c(2), SHL, ...loadT(0), ...set(1),
  ...[1, 2, 3].flatMap((k) => [...step, ...get(0), ...c(2), SHL, ...get(1), ...storeT(k)]),
  ...get(0), ...c(1), ADD, ...set(0), BR, 0,
  END, END,
]);
// crc(p, len, crc): crc = ~crc; end = p + len;
//   while end - p >= 4: x = crc ^ mem32[p]; crc = T3[x & 255] ^ T2[x >>> 8 & 255] ^ T1[x >>> 16 & 255] ^ T0[x >>> 24]; p += 4
//   while p < end: crc = T0[(crc ^ mem8[p]) & 255] ^ (crc >>> 8); p++
//   return ~crc
const crc = body([[2, I32]], [
  ...get(2), ...c(-1), XOR, ...set(2),
  ...get(0), ...get(1), ADD, ...set(3),
  BLOCK, 0x40, LOOP, 0x40,
  ...get(3), ...get(0), SUB, ...c(4), LT_U, BR_IF, 1,
  ...get(2), ...get(0), ...loadData32, XOR, ...set(4),
  ...lookup(3, 0), ...lookup(2, 8), XOR, ...lookup(1, 16), XOR, ...lookup(0, 24), XOR, ...set(2),
  ...get(0), ...c(4), ADD, ...set(0), BR, 0,
  END, END,
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
