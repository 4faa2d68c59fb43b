/**
 * A small wheel `w-2.0` for tests: `w/__init__.py`, METADATA, the given entry_points.txt and a
 * RECORD with each file's sha256 and size. `tamper` edits entry_points.txt after RECORD was
 * written (its RECORD row then lies).
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { strToU8, zipSync } from 'fflate';

export function makeWheel(dir: string, entryPoints: string, tamper = false): string {
  const files: Record<string, Uint8Array> = { 'w/__init__.py': strToU8(''), 'w-2.0.dist-info/METADATA': strToU8('Metadata-Version: 2.1\nName: w\nVersion: 2.0\n'), 'w-2.0.dist-info/entry_points.txt': strToU8(entryPoints) };
  const record = Object.entries(files).map(([n, d]) => `${n},sha256=${createHash('sha256').update(d).digest('base64url')},${d.length}`);
  files['w-2.0.dist-info/RECORD'] = strToU8([...record, 'w-2.0.dist-info/RECORD,,', ''].join('\n'));
  if (tamper) files['w-2.0.dist-info/entry_points.txt'] = strToU8(entryPoints + 'extra = w:extra\n');
  const file = path.join(dir, `w-2.0-py3-none-any${tamper ? '-tampered' : ''}.whl`);
  fs.writeFileSync(file, zipSync(files));
  return file;
}
