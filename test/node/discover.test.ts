/**
 * npm discovery over hand-made node_modules trees: one test per rule of docs/spec.md
 * "npm packages", discovery. (Layouts made by npm, pnpm and workspaces: real-tools.test.ts.)
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { nodeEnvironment } from '../../src/node/environment.js';
import { nodeSearchPath } from '../../src/node/discover.js';
import { listNodeModules, scanNodeModules } from '../../src/node/source.js';
import { tempDir, writeTree } from '../support/fixtures.js';
import { nodeModules, pkg } from './support.js';

const eps = (g: string, n: string, v = '.'): Record<string, Record<string, string>> => ({ [g]: { [n]: v } });
const only = { nodePath: false, globalFolders: false } as const;

describe('npm discovery', () => {
  test('packages and scoped packages are listed in directory order, a scope where its directory is', () => {
    const root = tempDir();
    const nm = writeTree(path.join(root, 'node_modules'), nodeModules({ a: pkg('a'), '@s/b': pkg('@s/b'), '@s/c': pkg('@s/c'), d: pkg('d') }));
    const listing = listNodeModules(nm);
    const order = fs.readdirSync(nm).flatMap((n) => (n.startsWith('@') ? fs.readdirSync(path.join(nm, n)).map((c) => `${n}/${c}`) : [n]));
    assert.deepEqual(listing.names, order);
    assert.deepEqual([...listing.dirs], ['@s']);
  });

  test('dot entries (.bin, .pnpm, .package-lock.json, .epindex) are never packages', () => {
    const root = tempDir();
    const nm = writeTree(path.join(root, 'node_modules'), { '.bin': { x: 'x' }, '.pnpm': { 'a@1.0.0': { node_modules: { a: pkg('a') } } }, '.package-lock.json': '{}', '@s': { '.hidden': pkg('h') }, a: pkg('a') });
    assert.deepEqual(listNodeModules(nm).names, ['a']);
  });

  test('entry points come from the nearest node_modules first; a farther copy is shadowed (EP720)', async () => {
    const root = tempDir();
    writeTree(root, {
      node_modules: nodeModules({ plug: pkg('plug', { version: '1.0.0', eps: eps('host.p', 'x') }), far: pkg('far', { eps: eps('host.p', 'far') }) }),
      app: { node_modules: nodeModules({ plug: pkg('plug', { version: '2.0.0', eps: eps('host.p', 'x') }) }) },
    });
    const env = await nodeEnvironment({ from: path.join(root, 'app'), ...only });
    const found = await env.entryPoints({ group: 'host.p' });
    assert.deepEqual(found.toArray().map((e) => [e.name, e.package.key, e.package.version]), [['x', 'plug', '2.0.0'], ['far', 'far', '1.0.0']]);
    const report = await env.packages();
    assert.deepEqual(report.shadowed.map((s) => [s.package.version, s.by.version]), [['1.0.0', '2.0.0']]);
    const d = found.diagnostics.find((x) => x.code === 'EP720');
    assert.equal(d?.file, path.join(root, 'node_modules', 'plug'));
  });

  test("the search path is Node's own: the node_modules chain, then NODE_PATH, then the global folders", async () => {
    const root = tempDir();
    const from = path.join(root, 'a', 'b');
    fs.mkdirSync(from, { recursive: true });
    const extra = path.join(root, 'extra');
    // Node's own answer, from a process started with that NODE_PATH.
    const r = spawnSync(process.execPath, ['-e', `console.log(JSON.stringify(require('module').createRequire(${JSON.stringify(path.join(from, 'x.js'))}).resolve.paths('x')))`], { env: { ...process.env, NODE_PATH: extra }, encoding: 'utf8' });
    const nodes = JSON.parse(r.stdout) as string[];
    const ours = await nodeSearchPath({ from, nodePath: extra });
    assert.deepEqual(ours.dirs.map((d) => d.dir), nodes);
    assert.deepEqual([...new Set(ours.dirs.map((d) => d.origin))], ['node_modules', 'NODE_PATH', 'global-folder']);
  });

  test('a directory inside node_modules does not get node_modules/node_modules', async () => {
    const root = tempDir();
    const from = path.join(root, 'node_modules', 'pkg');
    fs.mkdirSync(from, { recursive: true });
    const dirs = (await nodeSearchPath({ from, ...only })).dirs.map((d) => d.dir);
    assert.equal(dirs[0], path.join(from, 'node_modules'));
    assert.equal(dirs[1], path.join(root, 'node_modules'));
  });

  test("npm's global root is searched only when asked, last", async () => {
    const root = tempDir();
    const prefix = path.join(root, 'prefix');
    writeTree(path.join(prefix, 'lib', 'node_modules'), nodeModules({ g: pkg('g', { eps: eps('host.p', 'global') }) }));
    const without = await (await nodeEnvironment({ from: root, ...only })).entryPoints({ group: 'host.p' });
    assert.equal(without.length, 0);
    const env = await nodeEnvironment({ from: root, ...only, global: prefix });
    assert.equal(env.searchPath.at(-1)!.origin, 'global');
    assert.deepEqual((await env.entryPoints({ group: 'host.p' })).toArray().map((e) => e.name), ['global']);
  });

  test('a directory reached twice (a symlinked NODE_PATH entry) is searched once', async () => {
    const root = tempDir();
    writeTree(path.join(root, 'node_modules'), nodeModules({ a: pkg('a', { eps: eps('g', 'a') }) }));
    fs.symlinkSync(path.join(root, 'node_modules'), path.join(root, 'alias'));
    const env = await nodeEnvironment({ from: root, nodePath: [path.join(root, 'alias')], globalFolders: false });
    assert.equal((await env.entryPoints({ group: 'g' })).length, 1);
    assert.equal((await env.packages()).shadowed.length, 0);
  });

  test('a dangling link and a link loop are skipped with EP722; the other packages stay', async () => {
    const root = tempDir();
    const nm = writeTree(path.join(root, 'node_modules'), nodeModules({ ok: pkg('ok', { eps: eps('g', 'ok') }) }));
    fs.symlinkSync(path.join(root, 'nowhere'), path.join(nm, 'dangling'));
    fs.symlinkSync(path.join(nm, 'loop2'), path.join(nm, 'loop1'));
    fs.symlinkSync(path.join(nm, 'loop1'), path.join(nm, 'loop2'));
    const scan = scanNodeModules(nm);
    assert.deepEqual(scan.packages.map((p) => p.key), ['ok']);
    assert.deepEqual(scan.diagnostics.map((d) => d.code).sort(), ['EP722', 'EP722', 'EP722']);
  });

  test('a package.json cycle through symlinks never loops (a scope linking to its parent)', () => {
    const root = tempDir();
    const nm = writeTree(path.join(root, 'node_modules'), nodeModules({ a: pkg('a') }));
    fs.symlinkSync(nm, path.join(nm, '@loop'));
    const scan = scanNodeModules(nm);
    assert.deepEqual(scan.packages.map((p) => p.key).sort(), ['@loop/a', 'a']);
  });

  test('a broken package.json is an error of that package only (EP701)', async () => {
    const root = tempDir();
    writeTree(path.join(root, 'node_modules'), { bad: { 'package.json': '{"name": "bad",' }, good: pkg('good', { eps: eps('g', 'good') }) });
    const found = await (await nodeEnvironment({ from: root, ...only })).entryPoints({ group: 'g' });
    assert.deepEqual(found.toArray().map((e) => e.name), ['good']);
    const d = found.diagnostics.find((x) => x.code === 'EP701');
    assert.equal(d?.file, path.join(root, 'node_modules', 'bad', 'package.json'));
  });

  test('a FIFO named package.json never blocks a lookup (EP712)', { timeout: 10_000 }, async () => {
    const root = tempDir();
    writeTree(path.join(root, 'node_modules'), { fifo: {}, good: pkg('good', { eps: eps('g', 'good') }) });
    const r = spawnSync('mkfifo', [path.join(root, 'node_modules', 'fifo', 'package.json')]);
    assert.equal(r.status, 0);
    const found = await (await nodeEnvironment({ from: root, ...only })).entryPoints({ group: 'g' });
    assert.equal(found.length, 1);
    assert.ok(found.diagnostics.some((d) => d.code === 'EP712'));
  });

  test('a directory without package.json is not a package (EP725, info)', () => {
    const root = tempDir();
    const nm = writeTree(path.join(root, 'node_modules'), { stray: { 'index.js': '' } });
    const scan = scanNodeModules(nm);
    assert.deepEqual([scan.packages.length, scan.diagnostics.map((d) => [d.code, d.severity])], [0, [['EP725', 'info']]]);
  });

  test('a declaring package whose name differs from its directory is known by the directory (an alias, EP711)', async () => {
    const root = tempDir();
    writeTree(path.join(root, 'node_modules'), { alias: pkg('real-name', { eps: eps('g', 'x') }) });
    const found = await (await nodeEnvironment({ from: root, ...only })).entryPoints({ group: 'g' });
    assert.deepEqual([found.at(0)!.package.key, found.at(0)!.package.name, found.at(0)!.specifier], ['alias', 'real-name', 'alias']);
    assert.ok(found.diagnostics.some((d) => d.code === 'EP711'));
  });

  test('a symlink out of node_modules is a linked package (its package.json watched at the stat level); a link into .pnpm is not', () => {
    const root = tempDir();
    writeTree(root, { ws: pkg('ws'), node_modules: { '.pnpm': { 'p@1.0.0': { node_modules: { p: pkg('p') } } } } });
    const nm = path.join(root, 'node_modules');
    fs.symlinkSync(path.join(root, 'ws'), path.join(nm, 'ws'));
    fs.symlinkSync(path.join(nm, '.pnpm', 'p@1.0.0', 'node_modules', 'p'), path.join(nm, 'p'));
    const scan = scanNodeModules(nm);
    const by = Object.fromEntries(scan.packages.map((p) => [p.key, p]));
    assert.deepEqual([by['ws']!.linked, by['ws']!.watch], [true, [{ path: 'ws/package.json', level: 'stat' }]]);
    assert.deepEqual([by['p']!.linked, by['p']!.watch], [false, [{ path: 'p/package.json', level: 'full' }]]);
  });

  test("a Yarn Plug'n'Play project says it is not supported (EP723)", async () => {
    const root = tempDir();
    writeTree(root, { '.pnp.cjs': 'module.exports = {}', 'package.json': '{}' });
    const env = await nodeEnvironment({ from: root, ...only });
    assert.equal(env.pnp, path.join(root, '.pnp.cjs'));
    assert.ok((await env.diagnose()).some((d) => d.code === 'EP723'));
  });

  test('groups and conflicts count packages', async () => {
    const root = tempDir();
    writeTree(path.join(root, 'node_modules'), nodeModules({
      a: pkg('a', { eps: { g: { x: '.', y: '.' }, h: { z: '.' } } }),
      '@s/b': pkg('@s/b', { eps: { g: { x: './b.js' } } }),
    }));
    const env = await nodeEnvironment({ from: root, ...only });
    assert.deepEqual(await env.groups(), [{ group: 'g', entryPoints: 3, packages: 2 }, { group: 'h', entryPoints: 1, packages: 1 }]);
    const c = await env.conflicts();
    assert.deepEqual(c.map((x) => [x.group, x.name, x.providers.map((p) => p.package.key).sort()]), [['g', 'x', ['@s/b', 'a']]]);
  });
});

test('K1: a scope or package directory whose name is not UTF-8 is read by its bytes: its packages are found (scan, cache, freshness)', { skip: process.platform !== 'linux' && 'names that are not UTF-8 need a Linux filesystem' }, async () => {
  const root = tempDir('epindex-k1-');
  const nm = path.join(root, 'node_modules');
  const dirs: [Buffer, string, string][] = [
    [Buffer.from('@sc\xffope/pkg', 'latin1'), '@sc\udcffope/pkg', 'scoped'],
    [Buffer.from('pl\xfeain', 'latin1'), 'pl\udcfeain', 'plain'],
  ];
  for (const [bytes, , name] of dirs) {
    const d = Buffer.concat([Buffer.from(nm + '/'), bytes]);
    fs.mkdirSync(d, { recursive: true });
    fs.writeFileSync(Buffer.concat([d, Buffer.from('/package.json')]), JSON.stringify({ name, 'plugin-entry-points': { 'k1.g': { [name]: './i.js' } } }));
  }
  const cacheDir = path.join(root, '.cache');
  const found = async (cache: 'scan' | 'auto' | 'only'): Promise<{ keys: string[]; codes: string[] }> => {
    const env = await nodeEnvironment({ from: root, ...only, cache, userCacheDir: cacheDir });
    const eps = await env.entryPoints({ group: 'k1.g' });
    return { keys: eps.toArray().map((e) => e.package.key).sort(), codes: eps.diagnostics.map((d) => d.code).filter((c) => c !== 'EP711') };
  };
  const expected = dirs.map((d) => d[1]).sort();
  for (const cache of ['scan', 'auto', 'only'] as const) assert.deepEqual(await found(cache), { keys: expected, codes: [] }, cache);
  // A package added to the scope is seen: the scope's stamp is taken by its bytes too.
  const added = Buffer.concat([Buffer.from(nm + '/'), Buffer.from('@sc\xffope/new', 'latin1')]);
  fs.mkdirSync(added);
  fs.writeFileSync(Buffer.concat([added, Buffer.from('/package.json')]), JSON.stringify({ name: 'new', 'plugin-entry-points': { 'k1.g': { new: './i.js' } } }));
  assert.deepEqual((await found('auto')).keys, [...expected, '@sc\udcffope/new'].sort());
});
