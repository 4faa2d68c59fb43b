/**
 * CRC-32 (ISO-HDLC: the zip/gzip/PNG polynomial 0xEDB88320, reflected, init and final XOR
 * 0xFFFFFFFF), the same function as Python's `zlib.crc32` and zip's member checksum.
 *
 * The warm lookup checks a few hundred KB of sections in a process that lives ~30 ms, so the
 * checksum must cost nothing to set up. In order of preference:
 * 1. zlib's own crc32 through Node's internal zlib binding (the function behind `zlib.crc32`,
 *    which Node 20 has from 20.15): ~4 GB/s, ~0.1 ms to reach. `require('node:zlib')` itself
 *    costs ~4.5 ms of start-up here, more than the whole check. process.binding is a
 *    documentation-only deprecation (DEP0111) in Node 20, warning only under
 *    `--pending-deprecation`, where it is not used; the binding is probed against the
 *    JavaScript reference before it is trusted (src/cache/stamp.ts does the same for stat).
 * 2. A 500-byte WebAssembly module (assembled by scripts/crc32-wasm.mjs, which prints these
 *    bytes; "slicing by 4": ~0.8 GB/s), compiled synchronously on first use (~1.3 ms).
 * 3. The table-driven JavaScript below, where neither is available (`--jitless`), and the
 *    reference the tests compare both with.
 */
const WASM = 'AGFzbQEAAAABCwJgAABgA39/fwF/AwMCAAEFAwEAAQcSAwFtAgAEaW5pdAAAA2NyYwABCv4CAtIBAQN/AkADQCAAQYACTw0BIAAhAUEIIQIDQCABQQF2QQAgAUEBcWtBoIbi7X5xcyEBIAJBAWsiAg0ACyAAQQJ0IAE2AgAgAEEBaiEADAALC0EAIQACQANAIABBgAJPDQEgAEECdCgCACEBIAFBCHYgAUH/AXFBAnQoAgBzIQEgAEECdCABNgKACCABQQh2IAFB/wFxQQJ0KAIAcyEBIABBAnQgATYCgBAgAUEIdiABQf8BcUECdCgCAHMhASAAQQJ0IAE2AoAYIABBAWohAAwACwsLpwEBAn8gAkF/cyECIAAgAWohAwJAA0AgAyAAa0EESQ0BIAIgACgAAHMhBCAEQf8BcUECdCgCgBggBEEIdkH/AXFBAnQoAoAQcyAEQRB2Qf8BcUECdCgCgAhzIARBGHZBAnQoAgBzIQIgAEEEaiEADAALCwJAA0AgACADTw0BIAIgAC0AAHNB/wFxQQJ0KAIAIAJBCHZzIQIgAEEBaiEADAALCyACQX9zCw==';
const TABLE_BYTES = 4096;
const CHUNK = 1 << 20;
const SMALL = 8 * 1024;

// The few WebAssembly declarations used (the project's lib setting has no DOM types).
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { readonly exports: unknown };
};

interface Wasm {
  readonly crc: (ptr: number, len: number, previous: number) => number;
  readonly memory: WasmMemory;
}
let wasm: Wasm | null | undefined;

function loadWasm(): Wasm | null {
  try {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(WASM, 'base64')));
    const e = instance.exports as { m: WasmMemory; init: () => void; crc: Wasm['crc'] };
    e.init();
    e.m.grow(Math.ceil((TABLE_BYTES + CHUNK) / 65536) - e.m.buffer.byteLength / 65536);
    return { crc: e.crc, memory: e.m };
  } catch {
    return null;
  }
}

/** CRC-32 of `bytes[start, end)`, continuing from `previous` (default 0, as zlib.crc32). Unsigned. */
export function crc32(bytes: Uint8Array, previous = 0, start = 0, end = bytes.length): number {
  if (native === undefined) native = pickNative();
  if (native !== null) return native(start === 0 && end === bytes.length ? bytes : bytes.subarray(start, end), previous) >>> 0;
  return crc32wasm(bytes, previous, start, end);
}

type NativeCrc = (data: Uint8Array, previous: number) => number;
let native: NativeCrc | null | undefined;

function pickNative(): NativeCrc | null {
  if (process.env['EPINDEX_PORTABLE_CRC'] === '1') return null;
  try {
    if (process.execArgv.includes('--pending-deprecation') || (process.env['NODE_OPTIONS'] ?? '').includes('--pending-deprecation')) return null;
    const b = (process as unknown as { binding(name: string): { crc32?: unknown } }).binding('zlib');
    if (typeof b.crc32 !== 'function') return null;
    const f = b.crc32 as NativeCrc;
    const probe = Uint8Array.from({ length: 67 }, (_, i) => (i * 151 + 7) & 0xff);
    if (f(probe, 0) >>> 0 !== crc32js(probe) || f(probe.subarray(3, 50), 12345) >>> 0 !== crc32js(probe, 12345, 3, 50)) return null;
    return f;
  } catch {
    return null;
  }
}

/** Which implementation `crc32` uses in this process (for tests and `--debug`). */
export function crc32Implementation(): 'native' | 'wasm' | 'js' {
  if (native === undefined) native = pickNative();
  if (native !== null) return 'native';
  if (wasm === undefined) wasm = loadWasm();
  return wasm === null ? 'js' : 'wasm';
}

/** The WebAssembly implementation (the JavaScript one for small inputs and where it cannot load). */
export function crc32wasm(bytes: Uint8Array, previous = 0, start = 0, end = bytes.length): number {
  // Compiling the module costs ~1.3 ms, the JavaScript loop ~0.1 ms per KB before V8 optimizes
  // it: small inputs (a small environment's whole lookup) never load the module.
  if (wasm === undefined && end - start < SMALL) return crc32js(bytes, previous, start, end);
  if (wasm === undefined) wasm = loadWasm();
  if (wasm === null || end - start < 64) return crc32js(bytes, previous, start, end);
  const mem = new Uint8Array(wasm.memory.buffer);
  let c = previous;
  for (let at = start; at < end; at += CHUNK) {
    const n = Math.min(CHUNK, end - at);
    mem.set(bytes.subarray(at, at + n), TABLE_BYTES);
    c = wasm.crc(TABLE_BYTES, n, c) >>> 0;
  }
  return c;
}

let table: Int32Array | undefined;

function makeTable(): Int32Array {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
}

/** The same function in JavaScript (the fallback, and the tests' reference). */
export function crc32js(bytes: Uint8Array, previous = 0, start = 0, end = bytes.length): number {
  const t = (table ??= makeTable());
  let c = ~previous;
  for (let i = start; i < end; i++) c = t[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}
