#!/usr/bin/env node
// Makes a fresh clone runnable: installs the locked dependencies when node_modules is missing
// or was installed from another package-lock.json, then builds what changed (scripts/build.mjs, in this
// process: one Node start-up less on every `npm start`). Plain Node, no dependencies.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], shell: process.platform === 'win32' });
  if (r.status !== 0) {
    process.stderr.write(`prepare: ${cmd} ${args.join(' ')} failed\n`);
    process.exit(r.status ?? 1);
  }
};

const lockHash = createHash('sha256').update(readFileSync(join(root, 'package-lock.json'))).digest('hex');
const marker = join(root, 'node_modules', '.epindex-lock-hash');
if (!existsSync(marker) || readFileSync(marker, 'utf8') !== lockHash) {
  process.stderr.write('prepare: installing dependencies (npm ci)\n');
  run('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error']);
  writeFileSync(marker, lockHash);
}
await import('./build.mjs');
