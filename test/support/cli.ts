/** Run the built `epi` CLI as a child process. */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The shipped bin: the bundle scripts/build.mjs writes (dist/epi.cjs). */
export const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../epi.cjs');

export interface CliResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function epi(args: readonly string[], env: NodeJS.ProcessEnv = {}, options: { cwd?: string } = {}): CliResult {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, NODE_EXTRA_CA_CERTS: '', NO_COLOR: '1', ...env },
    maxBuffer: 256 * 1024 * 1024,
    ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
  });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
