#!/usr/bin/env node
// Compile (tsc: types, library, tests) and bundle the CLI into one file, because loading ~25 ES
// modules costs a Node start-up as much again as the lookup itself.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const run = (args) => {
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
run([join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json']);
const { build } = await import('esbuild');
await build({
  entryPoints: [join(root, 'src', 'cli', 'main.ts')],
  outfile: join(root, 'dist', 'epi.js'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  define: { __EPINDEX_VERSION__: JSON.stringify(version) },
  // commander is CommonJS: give its require() calls a real require inside the ES module.
  banner: { js: "import { createRequire as __epindexRequire } from 'node:module'; const require = __epindexRequire(import.meta.url);" },
  logLevel: 'warning',
});
