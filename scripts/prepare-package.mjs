#!/usr/bin/env node
// npm's `prepare`: runs after `npm ci`/`npm install` in a checkout, before `npm pack`/`publish`,
// and when npm installs this package from git (pre-commit's `language: node` hooks do:
// `npm install -g git+file://…`). In that last case npm (11) prepares the clone with the global
// install's settings inherited, so the clone's devDependencies are not there to build with:
// install them locally from the lock file first. Then build (scripts/build.mjs).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
if (!existsSync(join(root, 'node_modules', 'typescript')) || !existsSync(join(root, 'node_modules', 'esbuild'))) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_config_(global|prefix|location|omit|include|only|production|allow_scripts|allow_git|install_links|force)$/i.test(k)) env[k] = v;
  const r = spawnSync('npm', ['ci', '--include=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: root, env, stdio: ['ignore', 'inherit', 'inherit'], shell: process.platform === 'win32' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
const r = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
