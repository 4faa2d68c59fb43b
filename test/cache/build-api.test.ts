/**
 * The library's build functions (src/caches.ts) as a host calls them: asynchronous, never
 * blocking the event loop, with the same results as the engine's build in this thread.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { buildCache, buildCaches, cacheStatus } from '../../src/caches.js';
import { CLI } from '../support/cli.js';
import { distInfo, tempDir, writeTree } from '../support/fixtures.js';

function bigSite(n: number): string {
  const tree = {};
  for (let i = 0; i < n; i++) Object.assign(tree, distInfo(`pkg${i}`, '1.0', `[g]\nx${i} = pkg${i}:main\n`));
  return writeTree(tempDir(), tree);
}

test('buildCaches never blocks the event loop: a callback scheduled right after the call runs before the cache exists', async () => {
  const dir = bigSite(300);
  const userCacheDir = tempDir();
  let existedWhenTicked: boolean | null = null;
  const built = buildCaches([dir], { userCacheDir, settle: false });
  setImmediate(() => {
    existedWhenTicked = fs.existsSync(`${dir}/.epindex`);
  });
  const [r] = await built;
  assert.equal(r!.outcome, 'written');
  assert.equal(r!.location, 'in-directory');
  assert.equal(existedWhenTicked, false, 'the scan ran off this thread: the event loop turned while it was made');
  assert.equal(cacheStatus(dir, { userCacheDir }).state, 'fresh');
  assert.equal(r!.distributions, 300);
});

test('buildCaches in a worker reports as the engine does: unchanged, forced, skipped, user cache when the directory is not to be written', async () => {
  const dir = writeTree(tempDir(), distInfo('a', '1.0', '[g]\nx = a:main\n'));
  const userCacheDir = tempDir();
  const first = await buildCache(dir, { userCacheDir });
  assert.equal(first.outcome, 'written');
  assert.equal((await buildCache(dir, { userCacheDir })).outcome, 'unchanged');
  const forced = await buildCache(dir, { userCacheDir, force: true });
  assert.deepEqual([forced.outcome, forced.reason], ['written', 'forced']);
  const missing = await buildCache(`${dir}/nope`, { userCacheDir });
  assert.equal(missing.outcome, 'skipped');
  const other = writeTree(tempDir(), distInfo('b', '1.0', '[g]\ny = b:main\n'));
  const seen: string[] = [];
  const [u] = await buildCaches([other], { userCacheDir, inDirectory: (p) => (seen.push(p), false), settle: false });
  assert.deepEqual(seen, [other], 'the inDirectory function is called in the caller, once per path entry');
  assert.equal(u!.location, 'user');
  assert.ok(u!.file!.startsWith(userCacheDir), u!.file!);
});

test('buildCaches settles a racy cache in the worker too: after it, the cache is fresh and not racy', async () => {
  const dir = writeTree(tempDir(), distInfo('a', '1.0', '[g]\nx = a:main\n'));
  const userCacheDir = tempDir();
  const phases: string[] = [];
  const [r] = await buildCaches([dir], { userCacheDir, onProgress: (p) => phases.push(p.phase) });
  assert.equal(r!.outcome, 'written');
  const s = cacheStatus(dir, { userCacheDir });
  assert.deepEqual([s.state, s.racy], ['fresh', false]);
  // (`scan` reports how far a build's scan has read: progress within `build`.)
  assert.deepEqual(phases.filter((p) => p !== 'scan'), ['build', 'settle', 'done'], 'a just-made directory is racy: one wait, then the rewrite');
});

test('a build worker that runs out of memory fails that directory with a reason, and the next directory is built by a new worker (never an internal error)', () => {
  // ~4 MiB of entry points (the per-file limit) needs far more than a 24 MiB heap to parse.
  const lines = ['[g]'];
  for (let i = 0, size = 4; size < 4 * 1024 * 1024 - 100; i++) {
    const l = `name_${i} = module_${i}.sub:attr_${i}`;
    lines.push(l);
    size += l.length + 1;
  }
  const big = writeTree(tempDir(), distInfo('big', '1.0', lines.join('\n') + '\n'));
  const small = writeTree(tempDir(), distInfo('small', '1.0', '[g]\ns = m:f\n'));
  const userCacheDir = tempDir();
  const r = spawnSync(process.execPath, [CLI, 'cache', 'build', '--json', big, small], {
    encoding: 'utf8',
    env: { ...process.env, NODE_EXTRA_CA_CERTS: '', EPINDEX_CACHE_DIR: userCacheDir, NODE_OPTIONS: '--max-old-space-size=24' },
  });
  assert.doesNotMatch(r.stderr, /internal error/);
  assert.equal(r.status, 1, r.stderr);
  const out = JSON.parse(r.stdout) as { results: Array<{ pathEntry: string; outcome: string; reason: string | null }> };
  const [a, b] = out.results;
  assert.equal(a!.outcome, 'failed');
  assert.match(a!.reason ?? '', /ran out of memory/);
  assert.equal(b!.outcome, 'written', 'the next directory still gets its cache');
  assert.ok(fs.existsSync(path.join(small, '.epindex')), 'written where asked');
});
