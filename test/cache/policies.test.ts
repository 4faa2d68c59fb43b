/**
 * Issue 3, "Must show" 3: the lookup policies (docs/spec.md §6) and deterministic caches.
 *
 *  - with fresh caches, every policy answers exactly what a fresh scan answers;
 *  - scan ignores caches; only answers from fresh caches and lets a directory without one
 *    contribute nothing (EP307); prefer uses fresh caches and scans the rest; fallback believes
 *    caches without checking them and looks again when the requested group or name is absent;
 *    auto is prefer that writes; only auto writes;
 *  - the same directory gives the same cache bytes.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { userLocation } from '../../src/cache/location.js';
import { CACHE_POLICIES, type CachePolicy } from '../../src/cache/engine.js';
import type { EntryPointQuery } from '../../src/entry-point.js';
import { pythonEnvironment } from '../../src/environment.js';
import { distInfo, tempDir, writeTree, type Tree } from '../support/fixtures.js';
import {
  cacheFile, cacheViewOf, ep, freshView, lookup, runCli, site, userCache, view, buildCache, cacheStatusOf, loadPathEntry,
} from './helpers.js';

/** Three directories and a zip, with a name shadowed across directories. */
function searchPath(): { dirs: string[]; a: string; b: string; c: string } {
  const a = site({
    ...distInfo('alpha', '1.0', ep({ console_scripts: { alpha: 'alpha.cli:main' }, 'epi.plugins': { first: 'alpha.plugins:First' } })),
    ...distInfo('shared', '2.0', ep({ 'epi.plugins': { shared: 'shared.new:Plugin' } })),
  });
  const b = site({
    ...distInfo('beta', '2.0', ep({ 'epi.plugins': { second: 'beta:Second' }, console_scripts: { beta: 'beta:main' } })),
    ...distInfo('shared', '1.0', ep({ 'epi.plugins': { shared: 'shared.old:Plugin' } })),
  });
  const c = site({ ...distInfo('gamma', '0.1', ep({ 'other.group': { g: 'gamma:G' } })) });
  return { dirs: [a, b, c], a, b, c };
}

const QUERIES: readonly EntryPointQuery[] = [
  {},
  { group: 'epi.plugins' },
  { group: 'console_scripts', name: 'beta' },
  { name: 'shared' },
  { dist: 'beta' },
  { group: 'absent.group' },
  { group: 'epi.plugins', name: 'absent' },
];

async function everything(dirs: readonly string[], cache: CachePolicy, uc: string, query: EntryPointQuery): Promise<unknown> {
  const env = await pythonEnvironment({ path: dirs, cache, userCacheDir: uc });
  const eps = await env.entryPoints(query);
  const dists = await env.distributions();
  return {
    entryPoints: eps.toJSON(),
    distributions: dists.distributions.map((d) => [d.name, d.version, d.metadataPath]),
    shadowed: dists.shadowed.map((s) => JSON.stringify(s)),
  };
}

test('with fresh caches, every policy gives exactly the result of a fresh scan', async () => {
  const { dirs } = searchPath();
  const uc = userCache();
  for (const d of dirs) assert.equal(buildCache(d, { userCacheDir: uc }).outcome, 'written');
  for (const d of dirs) assert.equal(loadPathEntry(d, 'only', { userCacheDir: uc }).source, 'cache', 'precondition: fresh');
  for (const query of QUERIES) {
    const expected = await everything(dirs, 'scan', uc, query);
    for (const policy of CACHE_POLICIES) {
      assert.deepEqual(await everything(dirs, policy, uc, query), expected, `${policy} ${JSON.stringify(query)}`);
    }
  }
  // Nothing needed rewriting.
  for (const d of dirs) assert.equal(loadPathEntry(d, 'auto', { userCacheDir: uc }).source, 'cache');
});

test('scan ignores caches entirely (not even read)', async () => {
  const { dirs, a } = searchPath();
  const uc = userCache();
  buildCache(a, { userCacheDir: uc });
  fs.writeFileSync(cacheFile(a), 'garbage');
  const r = await lookup(dirs, 'scan', { userCacheDir: uc });
  assert.deepEqual(r.codes.filter((c) => c.startsWith('EP3')), [], 'no cache diagnostics: the cache was not looked at');
  const prefer = await lookup(dirs, 'prefer', { userCacheDir: uc });
  assert.ok(prefer.codes.includes('EP301'), 'control: a policy that reads caches notices it');
  assert.equal(fs.readFileSync(cacheFile(a), 'utf8'), 'garbage', 'and not rewritten');
  assert.deepEqual(loadPathEntry(a, 'scan', { userCacheDir: uc }).diagnostics, []);
});

test('only: a directory without a fresh cache contributes nothing, with EP307 naming it', async () => {
  const { dirs, a, b, c } = searchPath();
  const uc = userCache();
  buildCache(a, { userCacheDir: uc });
  buildCache(b, { userCacheDir: uc });
  writeTree(b, distInfo('late', '1.0', ep({ 'epi.plugins': { late: 'late:Plugin' } }))); // b is now stale; c has no cache
  const env = await pythonEnvironment({ path: dirs, cache: 'only', userCacheDir: uc });
  const eps = await env.entryPoints();
  const expected = await pythonEnvironment({ path: [a], cache: 'scan', userCacheDir: uc }).then((e) => e.entryPoints());
  assert.deepEqual(eps.toJSON(), expected.toJSON(), 'only the directory with a fresh cache answers');
  const ep307 = eps.diagnostics.filter((d) => d.code === 'EP307').map((d) => d.file);
  assert.deepEqual(ep307, [b, c]);
  assert.ok(eps.diagnostics.some((d) => d.code === 'EP305' && d.file === cacheFile(b)), 'the stale one says why');
  assert.ok(!fs.existsSync(cacheFile(c)), 'only never writes');
  assert.equal(cacheStatusOf(b, { userCacheDir: uc }).state, 'stale', 'only never rewrites');
});

test('prefer: fresh caches are used, the other directories scanned, nothing written', async () => {
  const { dirs, a, b, c } = searchPath();
  const uc = userCache();
  buildCache(a, { userCacheDir: uc });
  buildCache(b, { userCacheDir: uc });
  writeTree(b, distInfo('late', '1.0', ep({ 'epi.plugins': { late: 'late:Plugin' } })));
  const o = { userCacheDir: uc };
  assert.equal(loadPathEntry(a, 'prefer', o).source, 'cache');
  assert.equal(loadPathEntry(b, 'prefer', o).source, 'scan');
  assert.equal(loadPathEntry(c, 'prefer', o).source, 'scan');
  for (const query of QUERIES) assert.deepEqual(await everything(dirs, 'prefer', uc, query), await everything(dirs, 'scan', uc, query));
  assert.ok(!fs.existsSync(cacheFile(c)), 'prefer never writes');
  assert.equal(cacheStatusOf(b, o).state, 'stale', 'prefer never rewrites');
});

test('fallback answers from caches without freshness checks, and looks again when the group or name is absent', async () => {
  const { dirs, b } = searchPath();
  const uc = userCache();
  for (const d of dirs) buildCache(d, { userCacheDir: uc });
  const cachedSecond = (await lookup(dirs, 'only', { userCacheDir: uc }, { group: 'epi.plugins', name: 'second' })).entryPoints;
  // An upgrade the cache does not know about, and a new plugin.
  fs.rmSync(path.join(b, 'beta-2.0.dist-info'), { recursive: true });
  writeTree(b, distInfo('beta', '3.0', ep({ 'epi.plugins': { second: 'beta.v3:Second', fourth: 'beta.v3:Fourth' } })));
  const o = { userCacheDir: uc };
  // Present in the (stale) cache: answered from it, without looking (the documented trade-off).
  const second = await lookup(dirs, 'fallback', o, { group: 'epi.plugins', name: 'second' });
  assert.deepEqual(second.entryPoints, cachedSecond);
  assert.equal((second.entryPoints[0] as { value: string }).value, 'beta:Second');
  // Absent from the caches: looked up again, as prefer does, so the answer equals a fresh scan.
  for (const query of [{ group: 'epi.plugins', name: 'fourth' }, { name: 'fourth' }, { group: 'nothing.here' }]) {
    const got = await lookup(dirs, 'fallback', o, query);
    assert.deepEqual(got.entryPoints, (await lookup(dirs, 'scan', o, query)).entryPoints, JSON.stringify(query));
  }
  assert.equal((await lookup(dirs, 'fallback', o, { name: 'fourth' })).entryPoints.length, 1);
  assert.equal(cacheStatusOf(b, o).state, 'stale', 'fallback never rewrites');
});

test('auto writes a cache for a directory without one, rewrites a stale one, then answers from them', async () => {
  const { dirs, a, b, c } = searchPath();
  const uc = userCache();
  buildCache(b, { userCacheDir: uc });
  writeTree(b, distInfo('late', '1.0', ep({ 'epi.plugins': { late: 'late:Plugin' } })));
  const o = { userCacheDir: uc };
  for (const query of QUERIES) assert.deepEqual(await everything(dirs, 'auto', uc, query), await everything(dirs, 'scan', uc, query));
  for (const d of [a, b, c]) {
    assert.equal(cacheStatusOf(d, o).state, 'fresh', d);
    assert.equal(loadPathEntry(d, 'only', o).source, 'cache');
    assert.deepEqual(view(loadPathEntry(d, 'only', o).view), freshView(d));
  }
});

test('auto writes a directory without distributions to the user cache, never into it', async () => {
  const empty = tempDir('epindex-empty-');
  fs.mkdirSync(path.join(empty, 'some_module'));
  const uc = userCache();
  await lookup([empty], 'auto', { userCacheDir: uc });
  assert.ok(!fs.existsSync(path.join(empty, '.epindex')));
  assert.equal(cacheStatusOf(empty, { userCacheDir: uc }).location, 'user');
  assert.ok(fs.existsSync(userLocation(uc, empty).file));
});

test('the same directory gives the same cache bytes, built twice (and through another spelling)', () => {
  const dir = site();
  const uc = userCache();
  assert.equal(buildCache(dir, { userCacheDir: uc }).outcome, 'written');
  assert.equal(buildCache(dir, { userCacheDir: uc, force: true }).outcome, 'written');
  const first = fs.readFileSync(cacheFile(dir));
  assert.equal(buildCache(dir, { userCacheDir: uc, force: true }).outcome, 'written');
  assert.deepEqual(fs.readFileSync(cacheFile(dir)), first);
  assert.equal(buildCache(dir + path.sep, { userCacheDir: uc, force: true }).outcome, 'written');
  assert.deepEqual(fs.readFileSync(cacheFile(dir)), first, 'a trailing separator changes nothing');
  const link = path.join(tempDir('epindex-spelling-'), 'site');
  fs.symlinkSync(dir, link);
  assert.equal(buildCache(link, { userCacheDir: uc, force: true }).outcome, 'written');
  assert.deepEqual(fs.readFileSync(cacheFile(dir)), first, 'a symlinked spelling changes nothing');
  // And a separate process (the CLI) writes the same bytes.
  const r = runCli(['cache', 'build', dir, '--force', '--json'], { EPINDEX_CACHE_DIR: uc });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(fs.readFileSync(cacheFile(dir)), first, 'another process writes the same bytes');
});

/**
 * What a cache says, without what necessarily differs between two directories (stamps, real
 * path) and without order: each distribution with its entry points and diagnostics.
 */
function contentOnly(file: string): unknown {
  const v = view(cacheViewOf(file)) as { kind: string; dists: unknown[][]; groups: Record<string, { dists: unknown[][]; eps: unknown[][] }>; diagnostics: Array<{ dist: number; code: string; message: string }> };
  const dists = v.dists.map((d, i) => ({
    row: d,
    eps: Object.entries(v.groups).flatMap(([g, s]) => s.eps.filter((e) => s.dists[e[0] as number]![0] === i).map((e) => [g, e[1], e[2], e[4]])),
    diagnostics: v.diagnostics.filter((x) => x.dist === i).map((x) => [x.code, x.message]),
  }));
  return { kind: v.kind, dists: dists.map((d) => JSON.stringify(d)).sort() };
}

test('cache content does not depend on the order in which distributions were created, except for the order itself (importlib\'s listing order)', () => {
  const names = ['zeta', 'alpha', 'Mu', 'beta', 'mu_two', 'Alpha2', 'beta'];
  const one = (n: string, i: number): Tree => distInfo(n, `1.${i}`, ep({ 'epi.plugins': { [n]: `${n}:P${i}` } }));
  const x = site({});
  const y = site({});
  names.forEach((n, i) => writeTree(x, one(n, i)));
  [...names.entries()].reverse().forEach(([i, n]) => writeTree(y, one(n, i)));
  const uc = userCache();
  buildCache(x, { userCacheDir: uc });
  buildCache(y, { userCacheDir: uc });
  assert.deepEqual(contentOnly(cacheFile(x)), contentOnly(cacheFile(y)));
});

// ---------------------------------------------------------------------------------------------
// Property: random sites, fresh caches, every policy equals a scan

const nameArb = fc.constantFrom('alpha', 'beta', 'Beta', 'gamma_x', 'delta.y', 'eps-z');
const versionArb = fc.constantFrom('1.0', '2.0', '0.9', '10.1', '1.0.post1');
const entriesArb = fc.dictionary(fc.constantFrom('epi.plugins', 'console_scripts', 'g'), fc.dictionary(fc.constantFrom('a', 'b', 'c d', 'x'), fc.constantFrom('m:f', 'm.n:o', 'bad value', 'p'), { maxKeys: 3 }), { maxKeys: 3 });
const distArb = fc.record({ name: nameArb, version: versionArb, eps: fc.option(entriesArb, { nil: undefined }), metadata: fc.boolean() });
const siteArb = fc.array(distArb, { maxLength: 6 });

test('property: whenever the caches are fresh, every policy and query gives the result of a fresh scan', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(siteArb, { minLength: 1, maxLength: 3 }), fc.constantFrom(...QUERIES), fc.constantFrom('stat', 'listing'), async (sites, query, freshness) => {
      const uc = userCache();
      const dirs = sites.map((dists) => {
        const tree: Tree = {};
        for (const d of dists) Object.assign(tree, distInfo(d.name, d.version, d.eps === undefined ? undefined : ep(d.eps), { metadata: d.metadata }));
        return site(tree);
      });
      for (const d of dirs) buildCache(d, { userCacheDir: uc, freshness });
      const env = async (cache: CachePolicy): Promise<unknown> => {
        const e = await pythonEnvironment({ path: dirs, cache, userCacheDir: uc, freshness });
        return [(await e.entryPoints(query)).toJSON(), (await e.distributions()).distributions.map((d) => [d.name, d.version, d.metadataPath])];
      };
      const expected = await env('scan');
      for (const p of CACHE_POLICIES) assert.deepEqual(await env(p), expected, p);
    }),
    { numRuns: 40 },
  );
});
