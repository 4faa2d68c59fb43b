/**
 * A bounded, synchronous zip reader for zip path entries (zipped eggs, wheels, python3X.zip,
 * zipapps) and wheels.
 *
 * ```ts
 * const zip = openZip(file);                 // throws ZipError
 * try {
 *   const e = zip.get('pkg-1.0.dist-info/entry_points.txt');
 *   if (e) use(zip.read(e));                 // throws ZipError; the bytes are CRC-checked
 * } finally {
 *   zip.close();
 * }
 * ```
 *
 * - Never reads a whole archive: the end-of-central-directory record (and the zip64 locator
 *   and record) are found with `pread` in the last 64 KiB + 22 bytes, validated, then the
 *   central directory is read (at most `maxCentralDirectoryBytes`, `maxEntries` entries), then
 *   only the members asked for, each with `pread`. Archives over 4 GiB (zip64) are read like any
 *   other; offsets are exact up to 2^53.
 * - A member is refused, before anything is allocated, when its declared size is over
 *   `maxMemberBytes`, or over what is left of `maxTotalBytes` for the archive. Deflate is
 *   inflated by fflate's streaming `Inflate`, fed 16 KiB at a time (so one step cannot make more
 *   than ~16 MiB however the data was crafted), and stopped as soon as the output passes the
 *   declared size. The output must have exactly the declared size and CRC-32; anything else is
 *   an error, never a silently truncated member.
 * - Names are decoded as Python's `zipfile` decodes them: UTF-8 when flag bit 11 says so, else
 *   code page 437, replaced by a matching Info-ZIP Unicode Path field (as zipfile does since
 *   3.12); cut at the first NUL. Of several entries with one name, `get` gives the last
 *   (zipfile's `getinfo`). What makes zipfile refuse a whole archive makes `openZip` refuse it:
 *   a UTF-8-flagged name that is not UTF-8, a malformed extra field, a "version needed" over 6.3.
 * - Prepended data (a zipapp's `#!` line, a self-extractor) is allowed, as zipfile allows it.
 *
 * Errors: `ZipError` with `code`
 * - `NOT_ZIP`: no end-of-central-directory record, or not a regular file (a plain file on the path);
 * - `CORRUPT`: a record that does not parse or points outside the file, a local header that
 *   disagrees with the central directory, deflate data that does not inflate to the declared size;
 * - `CRC_MISMATCH`: a member's content does not have its declared CRC-32;
 * - `TOO_LARGE`: over a limit (`ZipLimits`; the defaults are docs/spec.md §10's);
 * - `UNSUPPORTED`: several disks, encryption, a compression method other than stored (0) and
 *   deflate (8) — zipfile also reads bzip2 and lzma, which no wheel or egg uses;
 * - `IO`: the operating system failed a read (`cause` has the error).
 *
 * Why handwritten: every maintained JavaScript zip reader either reads the whole archive into
 * memory (fflate's `unzipSync`, JSZip, adm-zip) or is asynchronous (yauzl, node-stream-zip,
 * zip.js, unzipit), and discovery is synchronous (a cache lookup must not pay for promises per
 * path entry). The container format is small and fully specified (APPNOTE 6.3.10); inflating,
 * the hard part, is fflate's.
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import { crc32 } from './crc32.js';
import { errnoCode } from './errors.js';
import { fsdecode, fsPath } from './fsnames.js';
import { fileKind, errnoText } from './fsutil.js';
import { LIMITS } from './limits.js';

export type ZipErrorCode = 'NOT_ZIP' | 'CORRUPT' | 'CRC_MISMATCH' | 'TOO_LARGE' | 'UNSUPPORTED' | 'IO';

export class ZipError extends Error {
  override readonly name = 'ZipError';
  readonly code: ZipErrorCode;
  /** For `TOO_LARGE`: which limit. */
  readonly limit?: keyof ZipLimits;
  constructor(code: ZipErrorCode, message: string, options?: { cause?: unknown; limit?: keyof ZipLimits }) {
    super(message, options);
    this.code = code;
    if (options?.limit !== undefined) this.limit = options.limit;
  }
}

export const isZipError = (e: unknown): e is ZipError =>
  typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'ZipError' && typeof (e as { code?: unknown }).code === 'string';

export interface ZipLimits {
  /** Largest declared (uncompressed) size of one member `read` accepts. */
  readonly maxMemberBytes: number;
  /** Uncompressed bytes `read` returns from one archive, all calls together. */
  readonly maxTotalBytes: number;
  /** Central-directory entries. */
  readonly maxEntries: number;
  /** Central-directory size in bytes. */
  readonly maxCentralDirectoryBytes: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxMemberBytes: LIMITS.fileBytes,
  maxTotalBytes: LIMITS.zipTotalBytes,
  maxEntries: LIMITS.zipEntries,
  maxCentralDirectoryBytes: LIMITS.zipCentralDirectoryBytes,
};

export interface ZipEntry {
  /** As zipfile decodes it (see the module comment); a directory's ends with `/`. */
  readonly name: string;
  readonly isDirectory: boolean;
  /** 0 stored, 8 deflate, anything else unsupported by `read`. */
  readonly method: number;
  /** General-purpose flags (bit 0: encrypted; bit 3: data descriptor; bit 11: UTF-8 name). */
  readonly flags: number;
  readonly crc32: number;
  readonly compressedSize: number;
  /** Declared uncompressed size. */
  readonly size: number;
  /** Where its local header starts in the file, prepended data included. */
  readonly headerOffset: number;
}

export interface ZipArchive {
  /** Every central-directory entry, in central-directory order. */
  readonly entries: readonly ZipEntry[];
  /** The archive file's size in bytes. */
  readonly fileSize: number;
  /** The last entry of that exact name (zipfile's `getinfo`), if any. */
  get(name: string): ZipEntry | undefined;
  /** A member's content, checked against its declared size and CRC-32. Throws `ZipError`. */
  read(entry: ZipEntry): Uint8Array;
  /** Closes the file; idempotent. `read` after `close` throws `IO`. */
  close(): void;
}

type Fflate = typeof import('fflate');
let fflate: Fflate | undefined;
// Loaded on first use: the CLI's warm path never inflates anything.
const loadFflate = (): Fflate => (fflate ??= createRequire(import.meta.url)('fflate') as Fflate);

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_EOCD = 0x06054b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
const SIG_ZIP64_EOCD = 0x06064b50;
const EOCD_SIZE = 22;
const ZIP64_LOCATOR_SIZE = 20;
const ZIP64_EOCD_SIZE = 56;
const MAX_COMMENT = 0xffff;
/** The highest "version needed to extract" zipfile accepts (6.3). */
const MAX_EXTRACT_VERSION = 63;
/** Compressed input fed to the inflater per step: bounds what one step can output (deflate's ratio is at most 1032:1). */
const INFLATE_STEP = 16 * 1024;

const CP437_HIGH =
  '\xc7\xfc\xe9\xe2\xe4\xe0\xe5\xe7\xea\xeb\xe8\xef\xee\xec\xc4\xc5\xc9\xe6\xc6\xf4\xf6\xf2\xfb\xf9\xff\xd6\xdc\xa2\xa3\xa5\u20a7\u0192' +
  '\xe1\xed\xf3\xfa\xf1\xd1\xaa\xba\xbf\u2310\xac\xbd\xbc\xa1\xab\xbb\u2591\u2592\u2593\u2502\u2524\u2561\u2562\u2556\u2555\u2563\u2551\u2557\u255d\u255c\u255b\u2510' +
  '\u2514\u2534\u252c\u251c\u2500\u253c\u255e\u255f\u255a\u2554\u2569\u2566\u2560\u2550\u256c\u2567\u2568\u2564\u2565\u2559\u2558\u2552\u2553\u256b\u256a\u2518\u250c\u2588\u2584\u258c\u2590\u2580' +
  '\u03b1\xdf\u0393\u03c0\u03a3\u03c3\xb5\u03c4\u03a6\u0398\u03a9\u03b4\u221e\u03c6\u03b5\u2229\u2261\xb1\u2265\u2264\u2320\u2321\xf7\u2248\xb0\u2219\xb7\u221a\u207f\xb2\u25a0\xa0';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** A zip name's bytes as zipfile decodes them (before the NUL cut). */
export function decodeZipName(bytes: Uint8Array, utf8Flag: boolean): string {
  if (utf8Flag) {
    try {
      return strictUtf8.decode(bytes);
    } catch {
      // zipfile raises UnicodeDecodeError: the whole archive is unreadable to it.
      throw corrupt(`an entry name is flagged UTF-8 but is not: ${JSON.stringify(fsdecode(bytes))}`);
    }
  }
  let ascii = true;
  for (const b of bytes) if (b >= 0x80) ascii = false;
  if (ascii) return Buffer.from(bytes).toString('latin1');
  let s = '';
  for (const b of bytes) s += b < 0x80 ? String.fromCharCode(b) : CP437_HIGH[b - 0x80]!;
  return s;
}

const corrupt = (message: string): ZipError => new ZipError('CORRUPT', message);

function u64(buf: Buffer, at: number, what: string): number {
  const v = buf.readBigUInt64LE(at);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw corrupt(`${what} is out of range (${v})`);
  return Number(v);
}

/** Open a zip archive and read its central directory. Throws `ZipError`. */
export function openZip(file: string, limits: Partial<ZipLimits> = {}): ZipArchive {
  const lim: ZipLimits = { ...DEFAULT_ZIP_LIMITS, ...limits };
  let fd: number;
  try {
    fd = fs.openSync(fsPath(file), fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0) | (fs.constants.O_NOCTTY ?? 0));
  } catch (e) {
    throw new ZipError('IO', `cannot be opened: ${errnoText(e)}`, { cause: e });
  }
  try {
    return new Archive(fd, lim);
  } catch (e) {
    fs.closeSync(fd);
    if (isZipError(e)) throw e;
    throw new ZipError('IO', `cannot be read: ${errnoText(e)}`, { cause: e });
  }
}

interface Located {
  readonly cdOffset: number;
  readonly cdSize: number;
  /** Bytes before the archive proper (a zipapp's `#!` line). */
  readonly concat: number;
}

class Archive implements ZipArchive {
  readonly entries: ZipEntry[] = [];
  readonly fileSize: number;
  #fd: number | null;
  readonly #limits: ZipLimits;
  readonly #byName = new Map<string, ZipEntry>();
  /** Names as in the central directory before the NUL cut, where they differ (local headers must match them). */
  readonly #origNames = new Map<ZipEntry, string>();
  #readBytes = 0;

  constructor(fd: number, limits: ZipLimits) {
    this.#fd = fd;
    this.#limits = limits;
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw new ZipError('NOT_ZIP', `${fileKind(st)}, not a zip archive`);
    this.fileSize = st.size;
    const at = this.#locate();
    this.#readCentralDirectory(at);
  }

  #pread(length: number, position: number): Buffer {
    if (this.#fd === null) throw new ZipError('IO', 'the archive is closed');
    if (position < 0 || position + length > this.fileSize) throw corrupt(`a record at ${position} (${length} bytes) lies outside the ${this.fileSize}-byte file`);
    const buf = Buffer.allocUnsafe(length);
    let n = 0;
    while (n < length) {
      let got: number;
      try {
        got = fs.readSync(this.#fd, buf, n, length - n, position + n);
      } catch (e) {
        throw new ZipError('IO', `read failed: ${errnoText(e)}`, { cause: e });
      }
      if (got === 0) throw corrupt(`the file ends at ${position + n}, before the record at ${position} (${length} bytes); it was truncated`);
      n += got;
    }
    return buf;
  }

  /** Find and validate the end-of-central-directory record (and the zip64 one). */
  #locate(): Located {
    const size = this.fileSize;
    const tailLength = Math.min(size, EOCD_SIZE + MAX_COMMENT);
    const tail = tailLength === 0 ? Buffer.alloc(0) : this.#pread(tailLength, size - tailLength);
    const base = size - tailLength;
    let problem: ZipError | null = null;
    for (let i = tail.length - EOCD_SIZE; i >= 0; i--) {
      if (tail.readUInt32LE(i) !== SIG_EOCD) continue;
      try {
        return this.#fromEocd(tail, i, base + i);
      } catch (e) {
        // The signature may be inside an archive comment: keep looking further back, and
        // report the record nearest the end (zipfile's choice) if none is valid.
        if (!isZipError(e) || e.code === 'IO') throw e;
        problem ??= e;
      }
    }
    if (problem !== null) throw problem;
    // No end record. A file that starts like a zip member is a damaged zip; anything else is
    // a plain file (as zipfile.is_zipfile decides, from the end record alone).
    const head = size >= 4 ? (base === 0 ? tail : this.#pread(4, 0)) : Buffer.alloc(0);
    if (head.length >= 4 && head.readUInt32LE(0) === SIG_LOCAL) throw corrupt('no end-of-central-directory record: the archive is truncated or damaged');
    throw new ZipError('NOT_ZIP', 'not a zip archive (no end-of-central-directory record)');
  }

  #fromEocd(tail: Buffer, i: number, eocdPos: number): Located {
    const disk = tail.readUInt16LE(i + 4);
    const cdDisk = tail.readUInt16LE(i + 6);
    let cdSize = tail.readUInt32LE(i + 12);
    let cdOffset = tail.readUInt32LE(i + 16);
    let recordPos = eocdPos;
    // zip64: a locator right before the end record points at the zip64 end record.
    if (eocdPos >= ZIP64_LOCATOR_SIZE) {
      const loc = this.#pread(ZIP64_LOCATOR_SIZE, eocdPos - ZIP64_LOCATOR_SIZE);
      if (loc.readUInt32LE(0) === SIG_ZIP64_LOCATOR) {
        const diskWith = loc.readUInt32LE(4);
        const recorded = u64(loc, 8, 'the zip64 end record offset');
        const disks = loc.readUInt32LE(16);
        if (diskWith !== 0 || disks > 1) throw new ZipError('UNSUPPORTED', 'archives that span several disks are not supported');
        // Right before the locator (zipfile's assumption, which survives prepended data), else where the locator says.
        const tries = [eocdPos - ZIP64_LOCATOR_SIZE - ZIP64_EOCD_SIZE, recorded].filter((p, k, a) => p >= 0 && p + ZIP64_EOCD_SIZE <= eocdPos && a.indexOf(p) === k);
        for (const p of tries) {
          const rec = this.#pread(ZIP64_EOCD_SIZE, p);
          if (rec.readUInt32LE(0) !== SIG_ZIP64_EOCD) continue;
          if (rec.readUInt32LE(16) !== 0 || rec.readUInt32LE(20) !== 0) throw new ZipError('UNSUPPORTED', 'archives that span several disks are not supported');
          cdSize = u64(rec, 40, 'the central directory size');
          cdOffset = u64(rec, 48, 'the central directory offset');
          recordPos = p;
          break;
        }
      }
    }
    if (recordPos === eocdPos && (disk !== 0 || cdDisk !== 0)) throw new ZipError('UNSUPPORTED', 'archives that span several disks are not supported');
    const concat = recordPos - cdSize - cdOffset;
    if (concat < 0) throw corrupt(`the central directory (${cdSize} bytes at ${cdOffset}) overlaps its end record at ${recordPos}`);
    if (cdSize > this.#limits.maxCentralDirectoryBytes) throw new ZipError('TOO_LARGE', `the central directory has ${cdSize} bytes, over the limit of ${this.#limits.maxCentralDirectoryBytes}`, { limit: 'maxCentralDirectoryBytes' });
    // The recorded entry count is not used (zipfile ignores it too): the central directory is read to its end.
    return { cdOffset, cdSize, concat };
  }

  #readCentralDirectory(at: Located): void {
    const cd = this.#pread(at.cdSize, at.cdOffset + at.concat);
    let p = 0;
    while (p < cd.length) {
      if (this.entries.length >= this.#limits.maxEntries) throw new ZipError('TOO_LARGE', `the archive has more than ${this.#limits.maxEntries} entries`, { limit: 'maxEntries' });
      if (p + 46 > cd.length || cd.readUInt32LE(p) !== SIG_CENTRAL) throw corrupt(`bad central directory entry at ${at.cdOffset + p}`);
      const flags = cd.readUInt16LE(p + 8);
      const method = cd.readUInt16LE(p + 10);
      const crc = cd.readUInt32LE(p + 16);
      let compressedSize = cd.readUInt32LE(p + 20);
      let size = cd.readUInt32LE(p + 24);
      const nameLength = cd.readUInt16LE(p + 28);
      const extraLength = cd.readUInt16LE(p + 30);
      const commentLength = cd.readUInt16LE(p + 32);
      let headerOffset = cd.readUInt32LE(p + 42);
      const end = p + 46 + nameLength + extraLength + commentLength;
      if (end > cd.length) throw corrupt(`central directory entry at ${at.cdOffset + p} runs past the central directory`);
      // zipfile refuses the whole archive for these three; so does this reader.
      const needs = cd[p + 6]!;
      if (needs > MAX_EXTRACT_VERSION) throw new ZipError('UNSUPPORTED', `entry at ${at.cdOffset + p} needs zip version ${needs / 10} to be extracted`);
      const rawName = cd.subarray(p + 46, p + 46 + nameLength);
      const origName = decodeZipName(rawName, (flags & 0x800) !== 0);
      const extra = cd.subarray(p + 46 + nameLength, p + 46 + nameLength + extraLength);
      const fields = extraFields(extra);
      if (fields === null) throw corrupt(`entry ${JSON.stringify(origName)}: its extra field is malformed`);
      if (size === 0xffffffff || compressedSize === 0xffffffff || headerOffset === 0xffffffff) {
        const z = fields.get(0x0001);
        let q = 0;
        const next = (what: string): number => {
          if (z === undefined || q + 8 > z.length) throw corrupt(`entry ${JSON.stringify(origName)}: the zip64 extra field lacks the ${what}`);
          const v = u64(z, q, what);
          q += 8;
          return v;
        };
        if (size === 0xffffffff) size = next('size');
        if (compressedSize === 0xffffffff) compressedSize = next('compressed size');
        if (headerOffset === 0xffffffff) headerOffset = next('header offset');
      }
      // Info-ZIP's Unicode Path field (0x7075) names the entry when it matches the raw name's CRC (zipfile since 3.12).
      let shown = origName;
      const up = fields.get(0x7075);
      if (up !== undefined) {
        if (up.length < 5) throw corrupt(`entry ${JSON.stringify(origName)}: its Unicode Path extra field is malformed`);
        if (up[0] === 1 && up.readUInt32LE(1) === crc32(rawName)) {
          let unicode: string;
          try {
            unicode = strictUtf8.decode(up.subarray(5));
          } catch {
            throw corrupt(`entry ${JSON.stringify(origName)}: its Unicode Path extra field is not UTF-8`);
          }
          if (unicode !== '') shown = unicode;
        }
      }
      const nul = shown.indexOf('\0');
      const name = nul < 0 ? shown : shown.slice(0, nul);
      const entry: ZipEntry = { name, isDirectory: name.endsWith('/'), method, flags, crc32: crc, compressedSize, size, headerOffset: headerOffset + at.concat };
      if (name !== origName) this.#origNames.set(entry, origName);
      this.entries.push(entry);
      this.#byName.set(name, entry);
      p = end;
    }
  }

  get(name: string): ZipEntry | undefined {
    return this.#byName.get(name);
  }

  read(entry: ZipEntry): Uint8Array {
    const what = JSON.stringify(entry.name);
    if (this.#byName.get(entry.name) !== entry && !this.entries.includes(entry)) throw new RangeError(`${what} is not an entry of this archive`);
    // Bits 0 and 6: encrypted; bit 5: "compressed patched data". zipfile cannot read them either.
    if (entry.flags & 0x61) throw new ZipError('UNSUPPORTED', `${what} is ${entry.flags & 0x20 ? 'compressed patched data' : 'encrypted'}`);
    if (entry.method !== 0 && entry.method !== 8) throw new ZipError('UNSUPPORTED', `${what} uses compression method ${entry.method} (only stored and deflate are read)`);
    const lim = this.#limits;
    if (entry.size > lim.maxMemberBytes) throw new ZipError('TOO_LARGE', `${what} has ${entry.size} bytes, over the limit of ${lim.maxMemberBytes}`, { limit: 'maxMemberBytes' });
    if (this.#readBytes + entry.size > lim.maxTotalBytes) throw new ZipError('TOO_LARGE', `reading ${what} (${entry.size} bytes) would pass the limit of ${lim.maxTotalBytes} bytes read from one archive`, { limit: 'maxTotalBytes' });
    // Deflate's worst legitimate expansion is fixed-Huffman literals (9 bits a byte) plus block headers.
    const maxCompressed = lim.maxMemberBytes + Math.ceil(lim.maxMemberBytes / 8) + 64 * 1024;
    if (entry.compressedSize > maxCompressed) throw new ZipError('TOO_LARGE', `${what} has ${entry.compressedSize} compressed bytes, over the limit of ${maxCompressed}`, { limit: 'maxMemberBytes' });
    if (entry.method === 0 && entry.compressedSize !== entry.size) throw corrupt(`${what} is stored, but its compressed size (${entry.compressedSize}) is not its size (${entry.size})`);

    const local = this.#pread(30, entry.headerOffset);
    if (local.readUInt32LE(0) !== SIG_LOCAL) throw corrupt(`${what}: no local header at ${entry.headerOffset}`);
    const nameLength = local.readUInt16LE(26);
    const extraLength = local.readUInt16LE(28);
    // Decoded by the local header's own flag, as zipfile does.
    const localName = decodeZipName(this.#pread(nameLength, entry.headerOffset + 30), (local.readUInt16LE(6) & 0x800) !== 0);
    const origName = this.#origNames.get(entry) ?? entry.name;
    if (localName !== origName) throw corrupt(`${what}: the local header names it ${JSON.stringify(localName)}`);
    const dataStart = entry.headerOffset + 30 + nameLength + extraLength;
    if (dataStart + entry.compressedSize > this.fileSize) throw corrupt(`${what}: its ${entry.compressedSize} bytes of data run past the end of the file`);

    const out = entry.method === 0 ? this.#pread(entry.size, dataStart) : this.#inflate(entry, dataStart, what);
    if (crc32(out) !== entry.crc32) throw new ZipError('CRC_MISMATCH', `${what}: CRC-32 ${hex(crc32(out))}, the central directory says ${hex(entry.crc32)}`);
    this.#readBytes += entry.size;
    return out;
  }

  #inflate(entry: ZipEntry, dataStart: number, what: string): Uint8Array {
    const out = new Uint8Array(entry.size);
    let written = 0;
    let overflow = false;
    const inflater = new (loadFflate().Inflate)((chunk: Uint8Array) => {
      if (overflow) return;
      if (written + chunk.length > out.length) {
        overflow = true;
        return;
      }
      out.set(chunk, written);
      written += chunk.length;
    });
    try {
      for (let done = 0; done < entry.compressedSize && !overflow;) {
        const n = Math.min(INFLATE_STEP, entry.compressedSize - done);
        const chunk = this.#pread(n, dataStart + done);
        done += n;
        inflater.push(chunk, done === entry.compressedSize);
      }
      if (entry.compressedSize === 0) inflater.push(new Uint8Array(0), true);
    } catch (e) {
      if (isZipError(e)) throw e;
      throw corrupt(`${what}: its deflate data is damaged (${(e as Error).message})`);
    }
    if (overflow) throw corrupt(`${what} inflates to more than the ${entry.size} bytes the central directory says`);
    if (written !== entry.size) throw corrupt(`${what} inflates to ${written} bytes, the central directory says ${entry.size}`);
    return out;
  }

  close(): void {
    if (this.#fd === null) return;
    const fd = this.#fd;
    this.#fd = null;
    try {
      fs.closeSync(fd);
    } catch (e) {
      if (errnoCode(e) !== 'EBADF') throw new ZipError('IO', `close failed: ${errnoText(e)}`, { cause: e });
    }
  }
}

const hex = (n: number): string => n.toString(16).padStart(8, '0');

/** The extra fields by id (the first of each), or null when they do not parse (zipfile raises BadZipFile). */
function extraFields(extra: Buffer): Map<number, Buffer> | null {
  const out = new Map<number, Buffer>();
  let p = 0;
  while (p + 4 <= extra.length) {
    const id = extra.readUInt16LE(p);
    const n = extra.readUInt16LE(p + 2);
    if (p + 4 + n > extra.length) return null;
    if (!out.has(id)) out.set(id, extra.subarray(p + 4, p + 4 + n));
    p += 4 + n;
  }
  return out;
}
