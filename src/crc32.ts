/**
 * CRC-32 (ISO-HDLC: the zip/gzip/PNG polynomial 0xEDB88320, reflected, init and final XOR
 * 0xFFFFFFFF), the same function as Python's `zlib.crc32` and zip's member checksum.
 *
 * Node 20 has no `zlib.crc32` (added in 22.2), and the warm lookup checks a few hundred KB of
 * sections in a process that lives ~30 ms: a JavaScript loop there runs mostly before V8 has
 * optimized it. So the checksum runs in a 500-byte WebAssembly module (assembled by
 * scripts/crc32-wasm.mjs, which prints these bytes; four bytes per step, "slicing by 4":
 * ~0.8 GB/s here against ~0.4 GB/s a byte at a time), compiled synchronously on first use;
 * the table-driven JavaScript below is the fallback where WebAssembly is unavailable
 * (`--jitless`) and the reference the tests compare it with.
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
