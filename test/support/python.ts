/** The machine's python3 and importlib.metadata as the oracle. */
import { execFileSync, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of the real python3 (not a shim): what `sys.executable` says. */
export const PYTHON: string = execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();

/** test/support/oracle.py in the source tree (tests run from dist/test/...). */
export const ORACLE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test/support/oracle.py');

/** One entry point as the oracle reports it: [normalized dist, group, name, value]. */
export type OracleEntry = [dist: string, group: string, name: string, value: string];

export type OracleResult = { python: string; entryPoints: OracleEntry[] } | { python: string; error: string };

/** importlib.metadata.entry_points() for an explicit search path, or for `python`'s own sys.path. */
export function oracle(searchPath?: readonly string[], python = PYTHON): OracleResult {
  const args = [ORACLE, ...(searchPath ? [JSON.stringify(searchPath)] : [])];
  const r = spawnSync(python, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`oracle failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as OracleResult;
}
