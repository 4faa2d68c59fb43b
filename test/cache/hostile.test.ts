/**
 * Issue 13, the cache's part: writes and deletes never leave their directory (a `.epindex`
 * swapped with a symlink under root, in a bounded loop); a FIFO at the cache path never blocks;
 * a cache of another directory is never believed, at any level; and the small ones (an unusable
 * cache root, invalid settings and options, absolute metadata paths).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { EpindexError, isEpindexError } from '../../src/errors.js';
import { pythonEnvironment } from '../../src/environment.js';
import { buildCaches, cacheStatus, clearCache } from '../../src/caches.js';
import { distInfo, tempDir, writeTree } from '../support/fixtures.js';
import { reachableCli } from '../support/reachable.js';
import { buildCache, cacheFile, cacheStatusOf, childEnv, chownTree, ep, IS_ROOT, lookup, NOBODY, runCli, settle, site, userCache } from './helpers.js';

/** Everything under `root` (names, types, sizes, mtimes): what must not change. */
function snapshot(root: string): string[] {
  const out: string[] = [];
  const walk = (p: string): void => {
    const st = fs.lstatSync(p);
    out.push(`${path.relative(root, p)} ${st.isSymbolicLink() ? 'l' : st.isDirectory() ? 'd' : 'f'} ${st.size} ${st.mtimeMs}`);
    if (st.isDirectory()) for (const n of fs.readdirSync(p).sort()) walk(path.join(p, n));
  };
  walk(root);
  return out;
}

test('as root, nothing is written, renamed or deleted in a directory owned by another user: lookups, build and clear use root\'s user cache', { skip: IS_ROOT ? false : 'needs root and another user' }, async () => {
  const base = tempDir('epindex-foreign-');
  fs.chmodSync(base, 0o755);
  const dir = writeTree(path.join(base, 'site'), distInfo('alpha', '1.0', ep({ 'epi.plugins': { first: 'alpha:First' } })));
  const uc = userCache();
  // The user made an in-directory cache of their own (as `epi cache build` would, run by them).
  chownTree(base, NOBODY);
  const built = runCli(['cache', 'build', dir, '--json'], { EPINDEX_CACHE_DIR: path.join(base, 'nobody-cache') }, NOBODY);
  assert.equal(built.status, 0, built.stderr);
  const before = snapshot(dir);
  // Root: the user's cache is not believed (they could make it say anything), and root writes
  // only its own user cache.
  const status = cacheStatusOf(dir, { userCacheDir: uc });
  assert.deepEqual([status.state, status.location], ['untrusted', 'in-directory']);
  assert.match(String(status.reason), /belongs to uid 65534, neither you nor root/);
  assert.deepEqual((await lookup([dir], 'auto', { userCacheDir: uc })).entryPoints.map((e) => e.name), ['first']);
  const b = buildCache(dir, { userCacheDir: uc, force: true });
  assert.deepEqual([b.outcome, b.location], ['written', 'user']);
  const cleared = clearCache(dir, { userCacheDir: uc });
  assert.ok(cleared.kept.length === 1 && /owned by uid 65534/.test(cleared.kept[0]!.reason), 'clear says what it left alone and why');
  assert.deepEqual(snapshot(dir), before, 'the directory owned by the other user is exactly as it was');
});

test('a .epindex swapped with a symlink in a loop (as the directory\'s owner could) never makes root write or delete outside the directory', { skip: IS_ROOT ? false : 'needs root and another user' }, async () => {
  const base = tempDir('epindex-swap-');
  fs.chmodSync(base, 0o755);
  const dir = writeTree(path.join(base, 'site'), distInfo('alpha', '1.0', ep({ 'epi.plugins': { first: 'alpha:First' } })));
  const victim = writeTree(tempDir('epindex-victim-'), { 'entry-points.v4.jsonl': 'precious\n', 'keep.tmp': 'precious too\n' });
  const victimBefore = snapshot(victim);
  chownTree(base, NOBODY);
  // The owner swaps `.epindex` between a real directory and a symlink to the victim, as fast
  // as it can (bounded: it stops after 3 s or 50,000 swaps).
  const swapper = `
    const fs = require('fs'); const p = ${JSON.stringify(path.join(dir, '.epindex'))};
    const end = Date.now() + 3000; let n = 0;
    while (Date.now() < end && n < 50000) {
      try { fs.rmSync(p, { recursive: true, force: true }); fs.symlinkSync(${JSON.stringify(victim)}, p); fs.rmSync(p); fs.mkdirSync(p); n++; } catch {}
    }
    process.stdout.write(String(n));`;
  const child = spawn(process.execPath, ['-e', swapper], { uid: NOBODY, gid: NOBODY, env: childEnv(), stdio: ['ignore', 'pipe', 'inherit'] });
  let swaps = '';
  child.stdout.on('data', (d: Buffer) => (swaps += d.toString()));
  const done = new Promise<void>((resolve) => child.on('close', () => resolve()));
  const uc = userCache();
  const cli = reachableCli();
  const deadline = Date.now() + 2500;
  let rounds = 0;
  while (Date.now() < deadline && rounds < 200) {
    await lookup([dir], 'auto', { userCacheDir: uc });
    buildCache(dir, { userCacheDir: uc, force: true });
    clearCache(dir, { userCacheDir: uc });
    spawnSync(process.execPath, [cli, 'cache', 'clear', dir], { env: childEnv({ EPINDEX_CACHE_DIR: uc }) });
    rounds++;
  }
  await done;
  assert.ok(rounds > 0 && Number(swaps) > 0, `the race ran (${rounds} rounds, ${swaps} swaps)`);
  assert.deepEqual(snapshot(victim), victimBefore, 'nothing outside the path entry changed');
});

test('a FIFO planted at the cache path never blocks a lookup, a status or a build (bounded by a timeout)', async () => {
  const dir = site();
  const uc = userCache();
  fs.mkdirSync(path.join(dir, '.epindex'));
  spawnSync('mkfifo', [cacheFile(dir)]);
  assert.ok(fs.lstatSync(cacheFile(dir)).isFIFO(), 'precondition: a FIFO');
  // In a child with a timeout: a regression must fail, not hang the suite.
  const script = `
    import(${JSON.stringify(new URL('../../src/index.js', import.meta.url).href)}).then(async (m) => {
      const env = await m.pythonEnvironment({ path: [${JSON.stringify(dir)}], userCacheDir: ${JSON.stringify(uc)} });
      const eps = await env.entryPoints({ group: 'epi.plugins' });
      const s = m.cacheStatus(${JSON.stringify(dir)}, { userCacheDir: ${JSON.stringify(uc)} });
      process.stdout.write(JSON.stringify({ n: eps.length, codes: eps.diagnostics.map((d) => d.code), state: s.state }));
    });`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000, env: childEnv() });
  assert.equal(r.signal, null, 'did not hang');
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { n: number; codes: string[]; state: string };
  assert.equal(out.n, 2);
  assert.ok(out.codes.includes('EP304'), 'the FIFO is reported as not a regular file');
  assert.equal(out.state, 'fresh');
});

test('a FIFO planted by another user in a sticky world-writable path entry: no hang, nothing written there, the user cache used', { skip: IS_ROOT ? false : 'needs root and another user' }, () => {
  const dir = site();
  fs.chmodSync(dir, 0o1777);
  const holder = path.join(dir, '.epindex');
  fs.mkdirSync(holder);
  spawnSync('mkfifo', [cacheFile(dir)]);
  chownTree(holder, NOBODY);
  const before = snapshot(dir);
  const uc = userCache();
  const r = spawnSync(process.execPath, [reachableCli(), 'list', '--path', dir, '--json'], { encoding: 'utf8', timeout: 20_000, env: childEnv({ EPINDEX_CACHE_DIR: uc }) });
  assert.equal(r.signal, null, 'did not hang');
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { entryPoints: unknown[]; diagnostics: Array<{ code: string }> };
  assert.equal(out.entryPoints.length, 3);
  assert.deepEqual(out.diagnostics.map((d) => d.code), ['EP304']);
  assert.deepEqual(snapshot(dir), before, 'nothing written into a directory others can write');
  const status = cacheStatusOf(dir, { userCacheDir: uc });
  assert.deepEqual([status.state, status.location], ['fresh', 'user']);
});

test('a cache copied from another directory is never believed, at any level and under any policy (EP308)', async () => {
  const a = site();
  const b = writeTree(site({}), distInfo('alpha', '1.0', ep({ 'epi.plugins': { first: 'elsewhere:Other' } })));
  const uc = userCache();
  for (const d of [a, b]) assert.equal(buildCache(d, { userCacheDir: uc }).outcome, 'written');
  await settle([a, b]);
  const truth = (await lookup([b], 'scan', { userCacheDir: uc }, { group: 'epi.plugins' })).entryPoints;
  for (const freshness of ['listing', 'stat', 'full'] as const) {
    for (const policy of ['only', 'prefer', 'fallback', 'auto'] as const) {
      fs.copyFileSync(cacheFile(a), cacheFile(b));
      const s = cacheStatusOf(b, { userCacheDir: uc, freshness });
      assert.deepEqual([s.state, s.location], ['foreign', 'in-directory'], `${freshness}: the copy is seen for what it is`);
      const got = await lookup([b], policy, { userCacheDir: uc, freshness }, { group: 'epi.plugins' });
      assert.ok(got.codes.includes('EP308'), `${policy} at ${freshness}: EP308`);
      if (policy === 'only' && got.entryPoints.length === 0) continue; // contributes nothing: never a's answer
      assert.deepEqual(got.entryPoints, truth, `${policy} at ${freshness}`);
    }
  }
});

test("an unusable user-cache root (a path under /proc) is an EP306, never a hang or a crash", { skip: process.platform !== 'linux' }, () => {
  const dir = site();
  const r = runCli(['list', '--path', dir, '--json'], { EPINDEX_CACHE_DIR: '/proc/1/x/y' });
  assert.equal(r.signal, null);
  assert.equal(r.status, 0, r.stderr);
  assert.equal((JSON.parse(r.stdout) as { entryPoints: unknown[] }).entryPoints.length, 3);
});

test('$EPINDEX_FRESHNESS is honoured by cache status and build, and an invalid value is an error everywhere', () => {
  const dir = site();
  const uc = userCache();
  const status = JSON.parse(runCli(['cache', 'status', '--path', dir, '--json'], { EPINDEX_CACHE_DIR: uc, EPINDEX_FRESHNESS: 'listing' }).stdout) as { freshness: string };
  assert.equal(status.freshness, 'listing');
  for (const args of [['cache', 'build', dir], ['cache', 'status', '--path', dir], ['list', '--path', dir]]) {
    const r = runCli(args, { EPINDEX_CACHE_DIR: uc, EPINDEX_FRESHNESS: 'bogus' });
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /EPINDEX_FRESHNESS=bogus is not one of listing, stat, full/);
  }
});

test('library options are validated: a wrong value throws EpindexError INVALID_ARGUMENT, never a raw error or a silent default', async () => {
  const bad: Array<[string, unknown]> = [
    ['cache: bogus', { cache: 'bogus' }],
    ['freshness: bogus', { freshness: 'bogus' }],
    ['path: a string', { path: 'a string' }],
    ['path: [null]', { path: [null] }],
    ['python: 42', { python: 42 }],
    ['options: null', null],
  ];
  for (const [what, options] of bad) {
    await assert.rejects(pythonEnvironment(options as never), (e: unknown) => isEpindexError(e) && e.code === 'INVALID_ARGUMENT', what);
  }
  const env = await pythonEnvironment({ path: [site()], cache: 'scan' });
  await assert.rejects(env.entryPoints({ group: 42 } as never), (e: unknown) => e instanceof EpindexError && e.code === 'INVALID_ARGUMENT');
  await assert.rejects(env.entryPoints({ grup: 'x' } as never), /unknown query key "grup"/);
  await assert.rejects(buildCaches('x' as never), (e: unknown) => isEpindexError(e) && e.code === 'INVALID_ARGUMENT');
  assert.throws(() => cacheStatus(7 as never), (e: unknown) => isEpindexError(e));
});

test('metadataPath is absolute even when the path entry was given relative', async () => {
  const dir = site();
  const rel = path.relative(process.cwd(), dir);
  const env = await pythonEnvironment({ path: [rel], cache: 'scan' });
  const eps = await env.entryPoints({ group: 'epi.plugins' });
  assert.ok(eps.length > 0);
  for (const e of eps) {
    assert.ok(path.isAbsolute(e.dist!.metadataPath), e.dist!.metadataPath);
    assert.ok(e.dist!.metadataPath.startsWith(dir + path.sep));
    assert.equal(e.dist!.pathEntry, rel, 'the path entry keeps its spelling');
  }
});
