/**
 * The one place wheels are opened: member names and the bytes of chosen members, straight
 * from the zip (nothing is extracted to disk). Backed by fflate until the project's own
 * bounded, pread-based reader (src/zip.ts) lands; switching is this file only.
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';

export interface Archive {
  /** Every member name, in central-directory order. */
  readonly names: readonly string[];
  /** A member's bytes; `undefined` when there is no such member. */
  read(name: string): Uint8Array | undefined;
  close(): void;
}

/** The zip cannot be opened or read. */
export class ArchiveError extends Error {
  override readonly name = 'ArchiveError';
}

/** fflate holds the whole archive in memory; wheels larger than this are refused. */
const MAX_ARCHIVE_BYTES = 1024 * 1024 * 1024;

type Fflate = typeof import('fflate');
let fflate: Fflate | undefined;
const load = (): Fflate => (fflate ??= createRequire(import.meta.url)('fflate') as Fflate);

export function openArchive(file: string): Archive {
  let data: Buffer;
  try {
    const size = fs.statSync(file).size;
    if (size > MAX_ARCHIVE_BYTES) throw new ArchiveError(`larger than ${MAX_ARCHIVE_BYTES} bytes`);
    data = fs.readFileSync(file);
  } catch (e) {
    if (e instanceof ArchiveError) throw e;
    throw new ArchiveError(`cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const { unzipSync } = load();
  const names: string[] = [];
  try {
    unzipSync(data, { filter: (f) => (names.push(f.name), false) });
  } catch (e) {
    throw new ArchiveError(`is not a readable zip archive: ${(e as Error).message}`);
  }
  const known = new Set(names);
  return {
    names,
    read(name) {
      if (!known.has(name)) return undefined;
      try {
        return unzipSync(data, { filter: (f) => f.name === name })[name];
      } catch (e) {
        throw new ArchiveError(`member ${name} cannot be read: ${(e as Error).message}`);
      }
    },
    close() {
      // Nothing held open: the archive was read in one go.
    },
  };
}
