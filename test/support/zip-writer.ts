/**
 * A zip writer for tests that must say things real writers never say: any name bytes and flags,
 * a central directory that lies about CRC or sizes, a local header that disagrees, zip64 records
 * when asked, prepended data, comments, and sparse holes (a multi-GiB member that costs no disk).
 */
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import { crc32 } from '../../src/crc32.js';

export interface MemberSpec {
  readonly name: string | Uint8Array;
  readonly data?: Uint8Array;
  /** 0 stored, 8 deflate (default), or any other number (written as stored bytes). */
  readonly method?: number;
  /** The payload as written (default: `data`, deflated for method 8). */
  readonly payload?: Uint8Array;
  /** A stored member of this many zero bytes, left as a hole in the file (its CRC is written as 0). */
  readonly hole?: number;
  /** Default: 0x800 (UTF-8) for a string name with non-ASCII characters. */
  readonly flags?: number;
  /** Central-directory lies. */
  readonly crc?: number;
  readonly size?: number;
  readonly compressedSize?: number;
  /** The local header's name, when it must disagree with the central directory's. */
  readonly localName?: string | Uint8Array;
  /** Write the sizes and offset in a zip64 extra field even when they fit in 32 bits. */
  readonly zip64?: boolean;
  /** More extra-field bytes in the central directory (after the zip64 field, if any). */
  readonly cdExtra?: Uint8Array;
  /** "Version needed to extract" in the central directory (default 20, 45 for zip64). */
  readonly versionNeeded?: number;
}

export interface ZipSpec {
  /** Bytes before the archive (a zipapp's `#!` line). */
  readonly prefix?: Uint8Array;
  readonly comment?: Uint8Array;
  /** Write zip64 end records even when nothing needs them. */
  readonly zip64?: boolean;
  /** Leave the end records out (a truncated archive). */
  readonly noEnd?: boolean;
  /** Disk numbers in the end record (multi-disk archives). */
  readonly disk?: number;
}

const bytesOf = (n: string | Uint8Array): Buffer => (typeof n === 'string' ? Buffer.from(n, 'utf8') : Buffer.from(n));
const MAX32 = 0xffffffff;

export function writeZip(file: string, members: readonly MemberSpec[], spec: ZipSpec = {}): void {
  const fd = fs.openSync(file, 'w');
  let pos = 0;
  const write = (b: Uint8Array): void => {
    fs.writeSync(fd, b, 0, b.length, pos);
    pos += b.length;
  };
  try {
    if (spec.prefix) write(spec.prefix);
    const central: Buffer[] = [];
    for (const m of members) {
      const name = bytesOf(m.name);
      const method = m.method ?? 8;
      const data = m.data ?? new Uint8Array(0);
      const payload = m.hole !== undefined ? null : m.payload ?? (method === 8 ? zlib.deflateRawSync(data) : data);
      const realSize = m.hole ?? data.length;
      const realCompressed = m.hole ?? payload!.length;
      const size = m.size ?? realSize;
      const compressedSize = m.compressedSize ?? realCompressed;
      const crc = m.crc ?? (m.hole !== undefined ? 0 : crc32(data));
      const flags = m.flags ?? (typeof m.name === 'string' && /[^\x00-\x7f]/.test(m.name) ? 0x800 : 0);
      const offset = pos - (spec.prefix?.length ?? 0);
      const big = m.zip64 === true || size >= MAX32 || compressedSize >= MAX32 || offset >= MAX32;
      const localName = m.localName === undefined ? name : bytesOf(m.localName);
      const localExtra = big ? extra64([size, compressedSize]) : Buffer.alloc(0);
      const local = Buffer.alloc(30);
      local.writeUInt32LE(0x04034b50, 0);
      local.writeUInt16LE(big ? 45 : 20, 4);
      local.writeUInt16LE(flags, 6);
      local.writeUInt16LE(method, 8);
      local.writeUInt32LE(crc >>> 0, 14);
      local.writeUInt32LE(big ? MAX32 : compressedSize, 18);
      local.writeUInt32LE(big ? MAX32 : size, 22);
      local.writeUInt16LE(localName.length, 26);
      local.writeUInt16LE(localExtra.length, 28);
      write(local);
      write(localName);
      write(localExtra);
      if (payload === null) pos += realCompressed;
      else write(payload);

      const cdExtra = Buffer.concat([big ? extra64([size, compressedSize, offset]) : Buffer.alloc(0), m.cdExtra ?? Buffer.alloc(0)]);
      const cd = Buffer.alloc(46);
      cd.writeUInt32LE(0x02014b50, 0);
      cd.writeUInt16LE(0x031e, 4);
      cd.writeUInt16LE(m.versionNeeded ?? (big ? 45 : 20), 6);
      cd.writeUInt16LE(flags, 8);
      cd.writeUInt16LE(method, 10);
      cd.writeUInt32LE(crc >>> 0, 16);
      cd.writeUInt32LE(big ? MAX32 : compressedSize, 20);
      cd.writeUInt32LE(big ? MAX32 : size, 24);
      cd.writeUInt16LE(name.length, 28);
      cd.writeUInt16LE(cdExtra.length, 30);
      cd.writeUInt32LE(big ? MAX32 : offset, 42);
      central.push(cd, name, cdExtra);
    }
    const cdStart = pos - (spec.prefix?.length ?? 0);
    const cdBytes = Buffer.concat(central);
    write(cdBytes);
    if (spec.noEnd) return;
    const count = members.length;
    const zip64 = spec.zip64 === true || cdStart >= MAX32 || count >= 0xffff;
    if (zip64) {
      const recordAt = pos - (spec.prefix?.length ?? 0);
      const rec = Buffer.alloc(56);
      rec.writeUInt32LE(0x06064b50, 0);
      rec.writeBigUInt64LE(44n, 4);
      rec.writeUInt16LE(45, 12);
      rec.writeUInt16LE(45, 14);
      rec.writeBigUInt64LE(BigInt(count), 24);
      rec.writeBigUInt64LE(BigInt(count), 32);
      rec.writeBigUInt64LE(BigInt(cdBytes.length), 40);
      rec.writeBigUInt64LE(BigInt(cdStart), 48);
      write(rec);
      const loc = Buffer.alloc(20);
      loc.writeUInt32LE(0x07064b50, 0);
      loc.writeBigUInt64LE(BigInt(recordAt), 8);
      loc.writeUInt32LE(1, 16);
      write(loc);
    }
    const comment = spec.comment ?? new Uint8Array(0);
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(spec.disk ?? 0, 4);
    end.writeUInt16LE(spec.disk ?? 0, 6);
    end.writeUInt16LE(zip64 ? 0xffff : count, 8);
    end.writeUInt16LE(zip64 ? 0xffff : count, 10);
    end.writeUInt32LE(zip64 ? MAX32 : cdBytes.length, 12);
    end.writeUInt32LE(zip64 ? MAX32 : cdStart, 16);
    end.writeUInt16LE(comment.length, 20);
    write(end);
    write(comment);
  } finally {
    fs.closeSync(fd);
  }
}

function extra64(values: number[]): Buffer {
  const b = Buffer.alloc(4 + 8 * values.length);
  b.writeUInt16LE(1, 0);
  b.writeUInt16LE(8 * values.length, 2);
  values.forEach((v, i) => b.writeBigUInt64LE(BigInt(v), 4 + 8 * i));
  return b;
}

/**
 * Raw deflate of `n` zero bytes (n a multiple of 1 MiB) without ever holding them: one
 * full-flushed 1 MiB block repeated (a full flush resets the compressor, so each repeat is
 * identical), then an empty final block. 1 GiB of zeros is ~1 MB.
 */
export function deflatedZeros(n: number): Buffer {
  const MiB = 1024 * 1024;
  if (n % MiB !== 0) throw new Error('deflatedZeros: n must be a multiple of 1 MiB');
  const block = zlib.deflateRawSync(Buffer.alloc(MiB), { finishFlush: zlib.constants.Z_FULL_FLUSH });
  const parts: Buffer[] = new Array<Buffer>(n / MiB).fill(block);
  parts.push(Buffer.from([0x03, 0x00]));
  return Buffer.concat(parts);
}
