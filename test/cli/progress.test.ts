/** Progress that moves (issue 9 item 8, the display): on a terminal only, advancing, saying when it waits. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { stripVTControlCharacters } from 'node:util';
import { CLI, epi } from '../support/cli.js';
import { distInfo, tempDir, writeTree } from '../support/fixtures.js';

const sites = (n: number): string[] => Array.from({ length: n }, (_, i) => writeTree(tempDir(), distInfo(`d${i}`, '1.0', '[g]\nx = m:f\n')));

describe('cache rebuild progress', () => {
  test('on a terminal the bar advances entry by entry and says when it waits out the racy window', { skip: process.platform === 'win32' }, () => {
    const dirs = sites(3);
    const cmd = [process.execPath, CLI, 'cache', 'rebuild', ...dirs.flatMap((d) => ['--path', d])].map((w) => `'${w}'`).join(' ');
    // script(1) gives the command a pseudo-terminal and records everything it shows.
    const r = spawnSync('script', ['-qec', cmd, '/dev/null'], { encoding: 'utf8', env: { ...process.env, NODE_EXTRA_CA_CERTS: '', EPINDEX_CACHE_DIR: tempDir(), COLUMNS: '200' } });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const shown = stripVTControlCharacters(r.stdout);
    for (const step of ['0/3', '1/3', '2/3', '3/3']) assert.ok(shown.includes(step), `${step} in ${JSON.stringify(shown)}`);
    assert.match(shown, /waiting \d\.\d s for the racy window to pass \(3 caches written just after a change\)/);
    assert.match(shown, /written\s+1\s+/);
  });

  test('on a pipe nothing but the table: no progress at all', () => {
    const dirs = sites(2);
    const r = epi(['cache', 'rebuild', ...dirs.flatMap((d) => ['--path', d])], { EPINDEX_CACHE_DIR: tempDir() });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.match(r.stdout, /^CACHE\s+DISTS\s+PATH ENTRY/);
  });

  test('the rebuilt caches are settled: not racy afterwards', () => {
    const dirs = sites(2);
    const cacheDir = tempDir();
    assert.equal(epi(['cache', 'rebuild', ...dirs.flatMap((d) => ['--path', d])], { EPINDEX_CACHE_DIR: cacheDir }).status, 0);
    const j = JSON.parse(epi(['cache', 'status', ...dirs.flatMap((d) => ['--path', d]), '--json'], { EPINDEX_CACHE_DIR: cacheDir }).stdout) as { entries: Array<{ state: string; racy: boolean }> };
    assert.deepEqual(j.entries.map((e) => [e.state, e.racy]), [['fresh', false], ['fresh', false]]);
  });
});
