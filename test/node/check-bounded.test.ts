/**
 * Issue 17, H4 for `epi check --node`: each child in a process group of its own, killed as a
 * group at the deadline and at the end; an import that leaves a process running is reported
 * (not passed) and the process killed; an entry that times out is retried once alone before it
 * is reported, and the message names --timeout.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { epi } from '../support/cli.js';
import { tempDir, writeTree } from '../support/fixtures.js';
import { nodeModules, pkg } from './support.js';

interface Checked {
  results: { name: string; ok: boolean; code: string | null; stage?: string; error?: string }[];
}

const esm = (body: string): { type: 'module'; exports: string; files: Record<string, string> } => ({ type: 'module', exports: './i.js', files: { 'i.js': body } });

const running = (pid: number): boolean => {
  try {
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

test('H4 (--node): an import that leaves a process running is reported and the process killed; a timeout is retried alone and names --timeout', { skip: process.platform !== 'linux' && 'reads /proc' }, () => {
  const root = tempDir('epindex-h4n-');
  const pids = path.join(root, 'pids');
  const marker = path.join(root, 'slow-once');
  writeTree(path.join(root, 'node_modules'), nodeModules({
    good: pkg('good', { ...esm('export default 1;'), eps: { 'h4.g': { good: '.:default' } } }),
    spawns: pkg('spawns', { ...esm(`import { spawn } from 'node:child_process';\nimport { appendFileSync } from 'node:fs';\nconst c = spawn('sleep', ['40'], { stdio: 'ignore' });\nappendFileSync(${JSON.stringify(pids)}, c.pid + '\\n');\nexport default 1;`), eps: { 'h4.g': { spawns: '.:default' } } }),
    slow: pkg('slow', { ...esm(`import { existsSync, writeFileSync } from 'node:fs';\nif (!existsSync(${JSON.stringify(marker)})) { writeFileSync(${JSON.stringify(marker)}, ''); await new Promise((r) => setTimeout(r, 30000)); }\nexport default 1;`), eps: { 'h4.g': { slow: '.:default' } } }),
    hangs: pkg('hangs', { ...esm('await new Promise(() => setInterval(() => {}, 1000));'), eps: { 'h4.g': { hangs: '.' } } }),
  }));
  const started = Date.now();
  const r = epi(['check', '--node', root, '--group', 'h4.g', '--timeout', '2', '--json'], { EPINDEX_CACHE_DIR: path.join(root, '.cache'), NODE_PATH: '' });
  const seconds = (Date.now() - started) / 1000;
  assert.equal(r.status, 1, r.stderr);
  const by = Object.fromEntries((JSON.parse(r.stdout) as Checked).results.map((x) => [x.name, x]));
  assert.equal(by['good']!.ok, true);
  assert.deepEqual([by['spawns']!.ok, by['spawns']!.code, by['spawns']!.stage], [false, 'EP802', 'children']);
  assert.equal(by['slow']!.ok, true, `slow only the first time: passes when retried alone (${by['slow']!.error})`);
  assert.deepEqual([by['hangs']!.ok, by['hangs']!.stage], [false, 'timeout']);
  assert.match(by['hangs']!.error!, /--timeout/);
  assert.ok(seconds < 20, `took ${seconds} s`);
  for (const pid of fs.readFileSync(pids, 'utf8').split(/\s+/).filter(Boolean).map(Number)) assert.equal(running(pid), false, `pid ${pid} outlived epi check`);
});
