/**
 * Issue 3, "Must show" 2 (processes): 16 concurrent builders with concurrent readers on a stale
 * cache, and builders killed with SIGKILL while writing. Invariants, never timings: the cache
 * file is at every moment absent or a complete valid cache; every reader's answer equals a
 * fresh scan (or, under `only`, is "contributes nothing"); leftover temporary files are
 * ignored by readers and removed later.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { clearCache } from '../../src/caches.js';
import { distInfo, tempDir, writeTree, type Tree } from '../support/fixtures.js';
import {
  cacheFile, cacheProblem, ep, freshView, runChild, runCli, runCliAsync, site, tmpFiles, userCache, view, type Ran, buildCache, cacheStatusOf, loadPathEntry,
} from './helpers.js';

const BUILDERS = 16;

/** A site of `n` distributions with a few entry points each. */
function bigSite(n: number): string {
  const tree: Tree = {};
  for (let i = 0; i < n; i++) {
    Object.assign(tree, distInfo(`pkg${String(i).padStart(3, '0')}`, `1.${i}`, ep({ 'epi.plugins': { [`p${i}`]: `pkg${i}.plugin:Plugin` }, console_scripts: { [`tool${i}`]: `pkg${i}.cli:main` } })));
  }
  return site(tree);
}

/** Make `dir`'s cache stale with every change kind at once. */
function changeEverything(dir: string): void {
  writeTree(dir, distInfo('newcomer', '1.0', ep({ 'epi.plugins': { newcomer: 'newcomer:Plugin' } })));
  fs.rmSync(path.join(dir, 'pkg001-1.1.dist-info'), { recursive: true });
  fs.rmSync(path.join(dir, 'pkg002-1.2.dist-info'), { recursive: true });
  writeTree(dir, distInfo('pkg002', '9.0', ep({ 'epi.plugins': { p2: 'pkg2.v9:Plugin' } })));
  fs.appendFileSync(path.join(dir, 'pkg003-1.3.dist-info', 'entry_points.txt'), 'extra = pkg3.extra:Plugin\n');
}

function validCacheOrAbsent(dir: string): 'absent' | 'valid' {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(cacheFile(dir));
  } catch (e) {
    assert.equal((e as NodeJS.ErrnoException).code, 'ENOENT');
    return 'absent';
  }
  const problem = cacheProblem(bytes);
  assert.equal(problem, null, 'the cache file is never partial or corrupt');
  return 'valid';
}

const parseOut = <T>(r: Ran): T => {
  assert.equal(r.status, 0, `child failed (${r.status} ${r.signal}): ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as T;
};

async function waitForFiles(dir: string, n: number): Promise<void> {
  while (fs.readdirSync(dir).length < n) await new Promise((r) => setTimeout(r, 5));
}

test('16 concurrent builders and 16 concurrent readers on a stale cache: no corrupt cache, every reader gets the fresh scan', async () => {
  const dir = bigSite(60);
  const uc = userCache();
  assert.equal(buildCache(dir, { userCacheDir: uc }).outcome, 'written');
  changeEverything(dir);
  assert.equal(cacheStatusOf(dir, { userCacheDir: uc }).state, 'stale', 'precondition: the cache is stale');

  const sync = tempDir('epindex-barrier-');
  const readyDir = path.join(sync, 'ready');
  fs.mkdirSync(readyDir);
  const go = path.join(sync, 'go');
  const base = { dir, userCacheDir: uc, readyDir, go };
  const builders = Array.from({ length: BUILDERS }, () => runChild(['build-loop', JSON.stringify({ ...base, iterations: 15 })]));
  const policies = ['prefer', 'auto', 'only', 'prefer', 'auto', 'only', 'prefer', 'auto', 'only', 'prefer', 'auto', 'only', 'prefer', 'auto', 'scan', 'only'] as const;
  const readers = policies.map((policy) => ({ policy, run: runChild(['read-loop', JSON.stringify({ ...base, iterations: 25, policy })]) }));
  // Everyone starts at once: wait until all 32 processes are ready, then open the gate.
  await waitForFiles(readyDir, builders.length + readers.length);
  fs.writeFileSync(go, '');

  const fresh = freshView(dir);
  for (const b of builders) {
    const out = parseOut<{ outcomes: string[] }>(await b.done);
    assert.deepEqual(new Set(out.outcomes), new Set(['written']), 'every forced build wrote its cache');
  }
  let fromCache = 0;
  for (const { policy, run } of readers) {
    const out = parseOut<{ results: Array<{ source: string; codes: string[]; dists: unknown; raw: string }> }>(await run.done);
    for (const r of out.results) {
      assert.equal(r.raw, 'ok', 'the cache file read by a reader is always complete and valid');
      assert.ok(!r.codes.some((c) => ['EP301', 'EP302', 'EP303', 'EP304'].includes(c)), `${policy}: no corrupt or untrusted cache seen (${r.codes})`);
      if (policy === 'only' && r.source === 'none') {
        assert.deepEqual((r.dists as { dists: unknown[] }).dists, [], 'only: contributes nothing rather than a stale answer');
        assert.ok(r.codes.includes('EP307'));
        continue;
      }
      if (r.source === 'cache') fromCache++;
      assert.deepEqual(JSON.parse(JSON.stringify(r.dists)), JSON.parse(JSON.stringify(fresh)), `${policy} (${r.source}) equals a fresh scan`);
    }
  }
  assert.ok(fromCache > 0, 'some readers were answered by a cache the builders wrote');
  assert.equal(validCacheOrAbsent(dir), 'valid');
  assert.equal(cacheStatusOf(dir, { userCacheDir: uc }).state, 'fresh');
  assert.deepEqual(view(loadPathEntry(dir, 'only', { userCacheDir: uc }).view), freshView(dir));
  assert.deepEqual(tmpFiles(dir), [], 'no temporary file is left behind by builders that finished');
});

test('16 concurrent `epi cache build` and `epi list` processes on a stale cache agree with a fresh scan', async () => {
  const dir = bigSite(40);
  const uc = userCache();
  const env = { EPINDEX_CACHE_DIR: uc };
  assert.equal(runCli(['cache', 'build', dir, '--json'], env).status, 0);
  changeEverything(dir);
  const expected = runCli(['list', '--path', dir, '--cache', 'scan', '--json'], env);
  assert.equal(expected.status, 0, expected.stderr);
  const cli = (args: string[]): Promise<Ran> => runCliAsync(args, env);
  const runs = [
    ...Array.from({ length: BUILDERS }, () => cli(['cache', 'build', dir, '--json'])),
    ...Array.from({ length: BUILDERS }, (_, i) => cli(['list', '--path', dir, '--json', '--cache', i % 2 === 0 ? 'auto' : 'prefer'])),
  ];
  const results = await Promise.all(runs);
  for (const [i, r] of results.entries()) {
    assert.equal(r.status, 0, r.stderr);
    if (i < BUILDERS) {
      const out = JSON.parse(r.stdout) as { results: Array<{ outcome: string }> };
      assert.ok(['written', 'unchanged'].includes(out.results[0]!.outcome));
    } else {
      const got = JSON.parse(r.stdout) as { entryPoints: unknown; diagnostics: Array<{ code: string }> };
      assert.deepEqual(got.entryPoints, (JSON.parse(expected.stdout) as { entryPoints: unknown }).entryPoints);
      assert.ok(!got.diagnostics.some((d) => ['EP301', 'EP302', 'EP303', 'EP304'].includes(d.code)));
    }
  }
  assert.equal(validCacheOrAbsent(dir), 'valid');
  const status = JSON.parse(runCli(['cache', 'status', '--path', dir, '--json'], env).stdout) as { entries: Array<{ state: string }> };
  assert.equal(status.entries[0]!.state, 'fresh');
  const only = runCli(['list', '--path', dir, '--cache', 'only', '--json'], env);
  assert.deepEqual((JSON.parse(only.stdout) as { entryPoints: unknown }).entryPoints, (JSON.parse(expected.stdout) as { entryPoints: unknown }).entryPoints);
  assert.deepEqual(tmpFiles(dir), []);
});

// ---------------------------------------------------------------------------------------------
// SIGKILL

async function killedBuilder(mode: 'kill-mid-write' | 'kill-before-rename', dir: string, uc: string): Promise<void> {
  const r = await runChild([mode, JSON.stringify({ dir, userCacheDir: uc })]).done;
  assert.equal(r.signal, 'SIGKILL', `the builder died by SIGKILL (status ${r.status}, stdout ${r.stdout}, stderr ${r.stderr})`);
}

test('a builder killed (SIGKILL) in the middle of writing leaves the old valid cache; its partial .tmp is ignored and removed later', async () => {
  const dir = site();
  const uc = userCache();
  assert.equal(buildCache(dir, { userCacheDir: uc }).outcome, 'written');
  const oldBytes = fs.readFileSync(cacheFile(dir));
  changeEverythingSmall(dir);
  await killedBuilder('kill-mid-write', dir, uc);

  assert.deepEqual(fs.readFileSync(cacheFile(dir)), oldBytes, 'the cache is the old file, byte for byte');
  assert.equal(validCacheOrAbsent(dir), 'valid');
  const leftovers = tmpFiles(dir);
  assert.equal(leftovers.length, 1, 'the killed writer left its temporary file');
  const tmp = path.join(path.dirname(cacheFile(dir)), leftovers[0]!);
  const partial = cacheProblem(fs.readFileSync(tmp));
  assert.ok(partial !== null && partial.startsWith('EP301'), 'the temporary file really is partial');

  // Readers ignore the leftover: the old cache is stale, the answer is a fresh scan.
  const opts = { userCacheDir: uc };
  assert.equal(cacheStatusOf(dir, opts).state, 'stale');
  assert.deepEqual(view(loadPathEntry(dir, 'prefer', opts).view), freshView(dir));
  const only = loadPathEntry(dir, 'only', opts);
  assert.equal(only.source, 'none');
  const auto = loadPathEntry(dir, 'auto', opts);
  assert.deepEqual(view(auto.view), freshView(dir));
  assert.equal(cacheStatusOf(dir, opts).state, 'fresh', 'the next writer replaced the cache');
  assert.ok(fs.existsSync(tmp), 'a recent temporary file may belong to a live writer: kept');

  // Once it is old enough to be abandoned, the next write removes it.
  const old = Date.now() / 1000 - 11 * 60;
  fs.utimesSync(tmp, old, old);
  assert.equal(buildCache(dir, { ...opts, force: true }).outcome, 'written');
  assert.ok(!fs.existsSync(tmp), 'an abandoned temporary file is cleaned up by the next write');
  assert.deepEqual(tmpFiles(dir), []);
});

test('a builder killed (SIGKILL) after writing but before the rename leaves the old cache; the complete .tmp is never read', async () => {
  const dir = site();
  const uc = userCache();
  const opts = { userCacheDir: uc };
  assert.equal(buildCache(dir, opts).outcome, 'written');
  const oldBytes = fs.readFileSync(cacheFile(dir));
  changeEverythingSmall(dir);
  await killedBuilder('kill-before-rename', dir, uc);
  assert.deepEqual(fs.readFileSync(cacheFile(dir)), oldBytes);
  const [leftover] = tmpFiles(dir);
  assert.ok(leftover !== undefined);
  assert.equal(cacheProblem(fs.readFileSync(path.join(path.dirname(cacheFile(dir)), leftover))), null, 'the temporary file is complete');
  assert.equal(cacheStatusOf(dir, opts).state, 'stale', 'the complete temporary file is not taken for the cache');
  assert.equal(loadPathEntry(dir, 'only', opts).source, 'none');
  assert.deepEqual(clearCache(dir, opts).removed.filter((f) => !f.endsWith('.tmp')), [cacheFile(dir)]);
  assert.deepEqual(tmpFiles(dir), [], '`cache clear` removes leftover temporary files too');
});

test('a builder killed (SIGKILL) while writing the first cache leaves no cache at all', async () => {
  const dir = site();
  const uc = userCache();
  const opts = { userCacheDir: uc };
  await killedBuilder('kill-mid-write', dir, uc);
  assert.equal(validCacheOrAbsent(dir), 'absent');
  assert.equal(tmpFiles(dir).length, 1);
  assert.equal(cacheStatusOf(dir, opts).state, 'missing');
  const only = loadPathEntry(dir, 'only', opts);
  assert.equal(only.source, 'none');
  assert.deepEqual(only.diagnostics.map((d) => d.code), ['EP307']);
  assert.deepEqual(view(loadPathEntry(dir, 'auto', opts).view), freshView(dir));
  assert.equal(cacheStatusOf(dir, opts).state, 'fresh');
});

test('builders killed (SIGKILL) at arbitrary moments never leave a partial cache file', async () => {
  const dir = site();
  const uc = userCache();
  for (let i = 0; i < 12; i++) {
    if (i % 3 === 1) changeEverythingSmall(dir, `round${i}`);
    const { child, done } = runChild(['build-forever', JSON.stringify({ dir, userCacheDir: uc })]);
    // Kill at a random point of its build loop (the assertion does not depend on when).
    await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
    await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 40)));
    child.kill('SIGKILL');
    assert.equal((await done).signal, 'SIGKILL');
    validCacheOrAbsent(dir);
  }
  const opts = { userCacheDir: uc };
  assert.deepEqual(view(loadPathEntry(dir, 'auto', opts).view), freshView(dir));
  assert.deepEqual(view(loadPathEntry(dir, 'only', opts).view), freshView(dir));
});

function changeEverythingSmall(dir: string, tag = 'x'): void {
  writeTree(dir, distInfo(`new${tag}`, '1.0', ep({ 'epi.plugins': { [`n${tag}`]: 'n:P' } })));
  fs.appendFileSync(path.join(dir, 'alpha-1.0.dist-info', 'entry_points.txt'), `[epi.${tag}]\nk = v:w\n`);
}
