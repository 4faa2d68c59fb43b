/** Run the built `epi` CLI as a child process. */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from './fixtures.js';

/** The shipped bin: the bundle scripts/build.mjs writes (dist/epi.cjs). */
export const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../epi.cjs');

export interface CliResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

let cacheDir: string | undefined;

/**
 * The user cache of every `epi` these tests run, unless a test gives its own (or
 * `EPINDEX_CACHE_DIR: undefined` to test the default): one directory per test process, never
 * the developer's ~/.cache/epindex (the code cache is written on every run).
 */
function testCacheDir(): string {
  cacheDir ??= tempDir('epindex-cli-cache-');
  return cacheDir;
}

export function epi(args: readonly string[], env: NodeJS.ProcessEnv = {}, options: { cwd?: string } = {}): CliResult {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, NODE_EXTRA_CA_CERTS: '', NO_COLOR: '1', EPINDEX_CACHE_DIR: process.env['EPINDEX_CACHE_DIR'] ?? testCacheDir(), ...env },
    maxBuffer: 256 * 1024 * 1024,
    ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
  });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
