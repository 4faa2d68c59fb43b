/**
 * File names are bytes on POSIX. Python shows them as `os.fsdecode` does: UTF-8, with every
 * byte that is not part of a valid UTF-8 sequence turned into the lone surrogate
 * U+DC80–U+DCFF ("surrogateescape", PEP 383); `os.fsencode` turns those back into the bytes.
 * epindex does the same, so a name Python can use is a name epindex can use, reported the same:
 *
 * - names read from a directory are `fsdecode`d strings (`readdirNames`);
 * - every filesystem call on a path that may hold such a name goes through `fsPath`, which
 *   gives Node the bytes back (Node would encode a lone surrogate as U+FFFD, another file);
 * - in JSON, a lone surrogate is written as a `\udcXX` escape (JSON.stringify does since
 *   ES2019) and Python's `json` reads it back as the same `str` as `os.fsdecode`.
 *
 * On Windows names are UTF-16 and Node's strings are already what Python shows: nothing to do.
 */
import * as fs from 'node:fs';

const POSIX = process.platform !== 'win32';
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Node 20 has `String.prototype.isWellFormed` (ES2024); the ES2023 lib does not declare it. */
const wellFormed = (s: string): boolean => (s as unknown as { isWellFormed(): boolean }).isWellFormed();

/** Length of the valid UTF-8 sequence starting at `i`, or 0 when the byte there starts none. */
function sequenceLength(b: Uint8Array, i: number): number {
  const c = b[i]!;
  if (c < 0x80) return 1;
  let need: number;
  let lo = 0x80;
  let hi = 0xbf;
  if (c >= 0xc2 && c <= 0xdf) need = 1;
  else if (c >= 0xe0 && c <= 0xef) {
    need = 2;
    if (c === 0xe0) lo = 0xa0; // overlong
    else if (c === 0xed) hi = 0x9f; // UTF-16 surrogates are not UTF-8
  } else if (c >= 0xf0 && c <= 0xf4) {
    need = 3;
    if (c === 0xf0) lo = 0x90; // overlong
    else if (c === 0xf4) hi = 0x8f; // beyond U+10FFFF
  } else return 0;
  const second = b[i + 1];
  if (second === undefined || second < lo || second > hi) return 0;
  for (let k = 2; k <= need; k++) {
    const x = b[i + k];
    if (x === undefined || (x & 0xc0) !== 0x80) return 0;
  }
  return need + 1;
}

/**
 * `os.fsdecode(bytes)` on POSIX: strict UTF-8 where valid, each other byte as U+DC00 + byte.
 * (Python's decoder reports the maximal invalid subpart as one error, but surrogateescape
 * replaces each of its bytes, and a continuation byte never starts a sequence, so byte by
 * byte gives the same string.)
 */
export function fsdecode(bytes: Uint8Array): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    // Not UTF-8: the slow path below, rare and for short names.
  }
  let out = '';
  let start = 0; // start of the pending valid run
  let i = 0;
  while (i < bytes.length) {
    const n = sequenceLength(bytes, i);
    if (n > 0) {
      i += n;
      continue;
    }
    if (start < i) out += strictUtf8.decode(bytes.subarray(start, i));
    out += String.fromCharCode(0xdc00 + bytes[i]!);
    start = ++i;
  }
  if (start < bytes.length) out += strictUtf8.decode(bytes.subarray(start));
  return out;
}

/**
 * `os.fsencode(str)` on POSIX: UTF-8, each lone surrogate U+DC80–U+DCFF as its byte. Python
 * raises for any other lone surrogate (no `fsdecode` result holds one); this encodes it as
 * U+FFFD, as Node does, so that a call never throws.
 */
export function fsencode(name: string): Buffer {
  if (wellFormed(name)) return Buffer.from(name, 'utf8');
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    if (c <= 0xdbff) {
      const d = name.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        i++; // a pair: an ordinary astral character
        continue;
      }
    }
    // A lone surrogate.
    if (start < i) parts.push(Buffer.from(name.slice(start, i), 'utf8'));
    parts.push(c >= 0xdc80 && c <= 0xdcff ? Buffer.of(c - 0xdc00) : Buffer.of(0xef, 0xbf, 0xbd));
    start = i + 1;
  }
  if (start < name.length) parts.push(Buffer.from(name.slice(start), 'utf8'));
  return Buffer.concat(parts);
}

/**
 * What to hand Node's `fs` for a path that may hold `fsdecode`d names: the string itself when it
 * is well-formed UTF-16 (then Node's UTF-8 is `fsencode`'s), else the bytes.
 */
export function fsPath(p: string): string | Buffer {
  return POSIX && !wellFormed(p) ? fsencode(p) : p;
}

/** A directory entry: its `fsdecode`d name and what readdir's d_type said. */
export interface DirEntry {
  readonly name: string;
  readonly type: 'dir' | 'file' | 'unknown';
  /** readdir's d_type says it is a symbolic link. */
  readonly link: boolean;
}

const typeOf = (d: fs.Dirent | fs.Dirent<Buffer>): DirEntry['type'] => (d.isDirectory() ? 'dir' : d.isFile() ? 'file' : 'unknown');

/**
 * The names in a directory, `fsdecode`d; throws what readdir throws. Names are listed as
 * strings first, because a listing of Buffers costs 2.5× as much (measured on 20,000 entries:
 * 33 against 87 ms): Node decodes invalid UTF-8 to U+FFFD, so a listing without U+FFFD is
 * exactly the decoded bytes, and only a listing with one is read again as bytes.
 */
/**
 * The entries of a directory in readdir order. Not fs.readdirSync: libuv's scandir sorts the
 * names, while os.listdir (and so importlib's order, spec §4.2) is the raw readdir order, which
 * fs.opendirSync's reads give.
 */
function rawReaddir(p: string | Buffer, buffer: boolean): fs.Dirent[] {
  const d = buffer ? fs.opendirSync(p as string, { encoding: 'buffer' as BufferEncoding }) : fs.opendirSync(p as string);
  const out: fs.Dirent[] = [];
  try {
    for (let e = d.readSync(); e !== null; e = d.readSync()) out.push(e);
  } finally {
    d.closeSync();
  }
  return out;
}

export function readdirEntries(dir: string): DirEntry[] {
  const p = fsPath(dir);
  const named = rawReaddir(p, false);
  if (!POSIX || !named.some((d) => d.name.includes('\ufffd'))) return named.map((d) => ({ name: d.name, type: typeOf(d), link: d.isSymbolicLink() }));
  return rawReaddir(p, true).map((d) => ({ name: fsdecode(d.name as unknown as Buffer), type: typeOf(d), link: d.isSymbolicLink() }));
}

/** `os.listdir(dir)` for a `str` directory: the `fsdecode`d names. */
export function readdirNames(dir: string): string[] {
  const p = fsPath(dir);
  const names = rawReaddir(p, false).map((d) => d.name);
  if (!POSIX || !names.some((n) => n.includes('\ufffd'))) return names;
  return rawReaddir(p, true).map((d) => fsdecode(d.name as unknown as Buffer));
}
