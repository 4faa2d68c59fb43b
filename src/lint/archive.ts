/**
 * The one place wheels are opened: member names and the bytes of chosen members, straight
 * from the zip (nothing is extracted to disk).
 */
import { openZip, ZipError } from '../zip.js';

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

/**
 * Open a wheel with the project's zip reader (src/zip.ts): the central directory and the
 * members read by offset, within the documented limits (docs/spec.md §10), each member checked
 * against its size and CRC-32. A wheel is never read whole into memory.
 */
export function openArchive(file: string): Archive {
  let zip: ReturnType<typeof openZip>;
  try {
    zip = openZip(file);
  } catch (e) {
    throw new ArchiveError(e instanceof ZipError ? `is not a readable zip archive: ${e.message}` : `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return {
    names: zip.entries.map((e) => e.name),
    read(name) {
      const entry = zip.get(name);
      if (entry === undefined) return undefined;
      try {
        return zip.read(entry);
      } catch (e) {
        throw new ArchiveError(`member ${name} cannot be read: ${(e as Error).message}`);
      }
    },
    close: () => zip.close(),
  };
}
