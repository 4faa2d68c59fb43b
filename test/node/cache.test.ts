/**
 * node_modules caches: the engine of spec §5–§6 with the npm source (spec §13.5). A cached
 * lookup equals a scan; each change kind is caught at the level the table says (one build for
 * every scenario, settled once past the racy window, so that only the level decides); policies;
 * the two sources never believe each other's caches.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, test } from 'node:test';
import { CACHE_VERSION } from '../../src/cache/format.js';
import { buildCaches, cacheStatus } from '../../src/cache/store.js';
import { nodeSource } from '../../src/node/cache-source.js';
import { nodeEnvironment } from '../../src/node/environment.js';
import { loadNodeModules } from '../../src/node/cached.js';
import { pythonEnvironment } from '../../src/environment.js';
import type { Freshness } from '../../src/cache/freshness.js';
import type { CachePolicy } from '../../src/cache/engine.js';
import { tempDir, writeTree } from '../support/fixtures.js';
import { nodeModules, pkg } from './support.js';

const G = 'cache.g';
const ep = (name: string): Record<string, Record<string, string>> => ({ [G]: { [name]: '.' } });
let userCache: string;

const names = async (from: string, freshness: Freshness, cache: CachePolicy = 'prefer'): Promise<string[]> =>
  (await (await nodeEnvironment({ from, nodePath: false, globalFolders: false, cache, freshness, userCacheDir: userCache })).entryPoints({ group: G })).toArray().map((e) => `${e.name}@${e.package.version}`).sort();

/** Scenario roots, built together and settled once. */
const roots: Record<string, string> = {};

before(async () => {
  userCache = path.join(tempDir(), 'user-cache');
  const make = (id: string, tree: Parameters<typeof writeTree>[1]): void => {
    roots[id] = writeTree(path.join(tempDir(`epindex-cache-${id}-`)), tree);
  };
  make('install', { node_modules: nodeModules({ a: pkg('a', { eps: ep('a') }) }) });
  make('scope', { node_modules: nodeModules({ '@s/first': pkg('@s/first', { eps: ep('first') }) }) });
  make('relink', {
    node_modules: { '.pnpm': { 'plug@1.0.0': { node_modules: { plug: pkg('plug', { version: '1.0.0', eps: ep('plug') }) } }, 'plug@2.0.0': { node_modules: { plug: pkg('plug', { version: '2.0.0', eps: ep('plug') }) } } } },
  });
  fs.symlinkSync(path.join('.pnpm', 'plug@1.0.0', 'node_modules', 'plug'), path.join(roots['relink']!, 'node_modules', 'plug'));
  make('linked', { ws: pkg('ws', { eps: ep('ws') }), node_modules: {} });
  fs.symlinkSync(path.join('..', 'ws'), path.join(roots['linked']!, 'node_modules', 'ws'));
  make('installed', { node_modules: nodeModules({ inst: pkg('inst', { eps: ep('inst') }) }) });
  make('equal', {
    node_modules: nodeModules({
      x: pkg('x', { type: 'module', exports: './x.js', eps: { [G]: { x1: '.:default', x2: './nope' }, 'cache.h': { h: '.' }, 'bad group': {} } }),
      '@s/y': pkg('@s/y', { eps: { [G]: { y: '.:a.b' } } }),
      z: { 'package.json': '{"name": "z", ' },
    }),
  });
  const dirs = Object.values(roots).map((r) => path.join(r, 'node_modules'));
  const results = await buildCaches(dirs, nodeSource, { userCacheDir: userCache, settle: true });
  assert.deepEqual(results.map((r) => r.outcome), dirs.map(() => 'written'));
});

describe('node_modules caches', () => {
  test('a cache is a cache of the current format version and of source "node", and a warm lookup answers from it', () => {
    const dir = path.join(roots['equal']!, 'node_modules');
    const s = cacheStatus(dir, nodeSource, { userCacheDir: userCache });
    assert.equal(s.state, 'fresh');
    const header = JSON.parse(fs.readFileSync(s.file!, 'utf8').split('\n')[0]!) as { version: number; source: string };
    assert.deepEqual([header.version, header.source], [CACHE_VERSION, 'node']);
    const load = loadNodeModules({ dir, origin: 'node_modules' }, { userCacheDir: userCache }, G, 'prefer');
    assert.equal(load.cached, true);
  });

  test('a cached lookup gives what a scan gives: entry points, targets, pointers, diagnostics', async () => {
    const from = roots['equal']!;
    for (const group of [G, undefined]) {
      const get = async (cache: CachePolicy) => {
        const env = await nodeEnvironment({ from, nodePath: false, globalFolders: false, cache, userCacheDir: userCache });
        const eps = await env.entryPoints(group === undefined ? {} : { group });
        return { eps: eps.toJSON(), diagnostics: eps.diagnostics, packages: (await env.packages()).packages.map((p) => [p.key, p.version, p.linked, p.hasExports]) };
      };
      const [scan, cached] = [await get('scan'), await get('only')];
      assert.deepEqual(cached, scan, `group ${group ?? '(all)'}`);
      assert.ok(scan.diagnostics.some((d) => d.pointer === '/plugin-entry-points/bad group'), 'pointers survive the cache');
    }
  });

  test('an install is seen at every level (the listing)', async () => {
    writeTree(path.join(roots['install']!, 'node_modules'), nodeModules({ b: pkg('b', { eps: ep('b') }) }));
    for (const level of ['listing', 'stat', 'full'] as const) assert.deepEqual(await names(roots['install']!, level), ['a@1.0.0', 'b@1.0.0'], level);
  });

  test('a package added to an existing scope is seen at stat and full (the scope directory\'s stamp)', async () => {
    writeTree(path.join(roots['scope']!, 'node_modules'), nodeModules({ '@s/second': pkg('@s/second', { eps: ep('second') }) }));
    for (const level of ['stat', 'full'] as const) assert.deepEqual(await names(roots['scope']!, level), ['first@1.0.0', 'second@1.0.0'], level);
  });

  test('a pnpm relink to another version is seen at every level (the candidate is another directory)', async () => {
    const link = path.join(roots['relink']!, 'node_modules', 'plug');
    fs.unlinkSync(link);
    fs.symlinkSync(path.join('.pnpm', 'plug@2.0.0', 'node_modules', 'plug'), link);
    for (const level of ['listing', 'stat', 'full'] as const) assert.deepEqual(await names(roots['relink']!, level), ['plug@2.0.0'], level);
  });

  test("a workspace's package.json edited in place is seen at stat and full, not at listing", async () => {
    fs.writeFileSync(path.join(roots['linked']!, 'ws', 'package.json'), JSON.stringify({ name: 'ws', version: '1.1.0', 'plugin-entry-points': { [G]: { ws: '.', more: '.' } } }));
    assert.deepEqual(await names(roots['linked']!, 'listing'), ['ws@1.0.0']);
    for (const level of ['stat', 'full'] as const) assert.deepEqual(await names(roots['linked']!, level), ['more@1.1.0', 'ws@1.1.0'], level);
  });

  test("an installed package's package.json edited in place is seen at full only", async () => {
    fs.writeFileSync(path.join(roots['installed']!, 'node_modules', 'inst', 'package.json'), JSON.stringify({ name: 'inst', version: '9.0.0', 'plugin-entry-points': { [G]: { inst: '.' } } }));
    for (const level of ['listing', 'stat'] as const) assert.deepEqual(await names(roots['installed']!, level), ['inst@1.0.0'], level);
    assert.deepEqual(await names(roots['installed']!, 'full'), ['inst@9.0.0']);
  });

  test('policy only: a directory without a cache contributes nothing, with EP307', async () => {
    const root = writeTree(tempDir(), { node_modules: nodeModules({ u: pkg('u', { eps: ep('u') }) }) });
    const env = await nodeEnvironment({ from: root, nodePath: false, globalFolders: false, cache: 'only', userCacheDir: userCache });
    const eps = await env.entryPoints({ group: G });
    assert.equal(eps.length, 0);
    assert.ok(eps.diagnostics.some((d) => d.code === 'EP307'));
    // auto writes one (to the user cache), after which only answers.
    await (await nodeEnvironment({ from: root, nodePath: false, globalFolders: false, cache: 'auto', userCacheDir: userCache })).entryPoints({ group: G });
    assert.equal((await env.entryPoints({ group: G })).length, 1);
  });

  test('the two sources keep separate cache files: a Python lookup of a node_modules directory neither reads nor rewrites its npm cache', async () => {
    const dir = path.join(roots['equal']!, 'node_modules');
    const npmCache = path.join(dir, '.epindex', 'npm-entry-points.v4.jsonl');
    assert.ok(fs.existsSync(npmCache), 'precondition: the npm cache is there');
    const before = fs.readFileSync(npmCache);
    const env = await pythonEnvironment({ path: [dir], cache: 'auto', userCacheDir: userCache });
    assert.equal((await env.entryPoints()).length, 0);
    assert.ok(!(await env.diagnose()).some((x) => x.code === 'EP308'), 'the npm cache is not even opened');
    assert.deepEqual(fs.readFileSync(npmCache), before, 'and not rewritten');
  });
});
