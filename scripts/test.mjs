#!/usr/bin/env node
// Runs every compiled test file (dist/test/**/*.test.js) with node's test runner, so that a new
// test directory needs no edit here. Arguments filter the files by substring
// (`npm test -- cache/` runs the cache tests only). Support modules beside the tests are not
// test files: node's own directory search would treat every .js under test/ as one.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const testRoot = join(root, 'dist', 'test');
const files = [];
const walk = (dir) => {
  for (const d of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, d.name);
    if (d.isDirectory()) walk(p);
    else if (d.name.endsWith('.test.js')) files.push(p);
  }
};
walk(testRoot);
const filters = process.argv.slice(2);
const chosen = files.sort().filter((f) => filters.length === 0 || filters.some((s) => relative(testRoot, f).includes(s)));
if (chosen.length === 0) {
  process.stderr.write(`test: no test file matches ${filters.join(' ')}\n`);
  process.exit(2);
}
const r = spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...chosen], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
