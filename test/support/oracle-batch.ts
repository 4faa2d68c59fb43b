/**
 * The importlib.metadata oracle for many inputs in one python process (differential fuzzing):
 * sectioned_batch.py for entry_points.txt contents, oracle_batch.py for search paths.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PYTHON, type OracleEntry } from './python.js';

const SUPPORT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test/support');

export type Triple = [group: string, name: string, value: string];

/** importlib's account of one entry_points.txt (see sectioned_batch.py). */
export type SectionedResult =
  | { ok: Triple[]; firstHeader: number | null }
  | { error: 'TypeError'; lines: Array<[line: number, code: 'EP103' | 'EP104']>; firstHeader: number; repaired: Triple[] }
  | { error: 'UnicodeDecodeError'; start: number; line: number };

/** importlib's account of a file it could not read at all (a damaged zip member: BadZipFile…). */
export type UnreadableResult = { error: string };

/** importlib's account of one search path (see oracle_batch.py). */
export type LayoutResult =
  | { entryPoints: OracleEntry[] }
  | { error: string; good: OracleEntry[]; bad: Array<{ dist: string | null; file: string; error: string; oracle: SectionedResult | UnreadableResult }> }
  /** Listing the distributions raised too. */
  | { error: string; good: null; bad: null };

function runBatch<T>(script: string, input: unknown[]): T[] {
  if (input.length === 0) return [];
  const r = spawnSync(PYTHON, [path.join(SUPPORT, script)], { input: JSON.stringify(input), encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${script} failed (${r.status}): ${r.stderr}`);
  const out = JSON.parse(r.stdout) as T[];
  if (out.length !== input.length) throw new Error(`${script} answered ${out.length} of ${input.length} inputs`);
  return out;
}

/** importlib's reading of each entry_points.txt content (bytes as on disk), in one process. */
export function sectionedBatch(contents: readonly Uint8Array[]): SectionedResult[] {
  return runBatch<SectionedResult>('sectioned_batch.py', contents.map((b) => Buffer.from(b).toString('base64')));
}

/** importlib.metadata.entry_points() for each search path, in one process. */
export function oracleBatch(searchPaths: ReadonlyArray<readonly string[]>): LayoutResult[] {
  return runBatch<LayoutResult>('oracle_batch.py', [...searchPaths]);
}
