/**
 * `epi … --node`: list, groups, conflicts, diagnose and check, their JSON, and their exit codes.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { before, describe, test } from 'node:test';
import { spawnSync } from 'node:child_process';
import { CLI, epi } from '../support/cli.js';
import { tempDir, writeTree } from '../support/fixtures.js';
import { nodeModules, pkg } from './support.js';

let root: string;
let cache: string;
const run = (args: string[]): ReturnType<typeof epi> => epi(args, { EPINDEX_CACHE_DIR: cache, NODE_PATH: '' });
const spawnIn = (cwd: string, args: string[]): ReturnType<typeof epi> => {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, EPINDEX_CACHE_DIR: cache, NODE_PATH: '', NODE_EXTRA_CA_CERTS: '', NO_COLOR: '1' } });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
};

before(() => {
  cache = path.join(tempDir(), 'cache');
  root = tempDir();
  const esm = (body: string): { type: 'module'; exports: string; files: Record<string, string> } => ({ type: 'module', exports: './i.js', files: { 'i.js': body } });
  writeTree(path.join(root, 'node_modules'), nodeModules({
    good: pkg('good', { ...esm('export default 1;\nconsole.log("plugins may print");'), eps: { 'cli.g': { good: '.:default', same: '.' } } }),
    '@s/other': pkg('@s/other', { ...esm('export const x = 2;'), eps: { 'cli.g': { same: '.:x' }, 'cli.h': { h: '.' } } }),
    exits: pkg('exits', { ...esm('process.exit(7);'), eps: { 'cli.bad': { exits: '.' } } }),
    hangs: pkg('hangs', { ...esm('await new Promise(() => setInterval(() => {}, 1000));'), eps: { 'cli.bad': { hangs: '.' } } }),
    throws: pkg('throws', { ...esm('throw new RangeError("nope");'), eps: { 'cli.bad': { throws: '.' } } }),
    noexport: pkg('noexport', { ...esm('export const a = 1;'), eps: { 'cli.bad': { noexport: '.:b' } } }),
    unresolvable: pkg('unresolvable', { eps: { 'cli.bad': { unresolvable: './missing.js' } } }),
    after: pkg('after', { ...esm('export default "after";'), eps: { 'cli.bad': { zafter: '.:default' } } }),
    broken: pkg('broken', { eps: { 'bad group': { x: '.' } } }),
  }));
});

describe('epi --node', () => {
  test("--global adds npm's global packages (npm_config_prefix), with and without the code cache", () => {
    const prefix = tempDir();
    writeTree(path.join(prefix, 'lib', 'node_modules'), nodeModules({ globalone: pkg('globalone', { eps: { 'cli.global': { g: '.' } } }) }));
    for (const codeCache of ['1', '0']) {
      const r = epi(['list', '--node', root, '--global', '--group', 'cli.global', '--json'], { EPINDEX_CACHE_DIR: cache, NODE_PATH: '', npm_config_prefix: prefix, EPINDEX_CODE_CACHE: codeCache });
      assert.equal(r.status, 0, `EPINDEX_CODE_CACHE=${codeCache}: ${r.stderr}`);
      const j = JSON.parse(r.stdout) as { entryPoints: Array<{ name: string; package: { name: string } }> };
      assert.deepEqual(j.entryPoints.map((e) => `${e.package.name}:${e.name}`), ['globalone:g']);
    }
  });

  test('list --node DIR --json gives every entry point with its package and JSON pointer', () => {
    const r = run(['list', '--node', root, '--group', 'cli.g', '--json']);
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout) as { entryPoints: Array<{ name: string; value: string; pointer: string; package: { key: string } }>; diagnostics: unknown[] };
    assert.deepEqual(j.entryPoints.map((e) => [e.package.key, e.name, e.value]).sort(), [['@s/other', 'same', '.:x'], ['good', 'good', '.:default'], ['good', 'same', '.']]);
    assert.ok(j.entryPoints.every((e) => e.pointer.startsWith('/plugin-entry-points/cli.g/')));
  });

  test('list --node prints a table sorted by group and name', () => {
    const r = run(['list', '--node', root, '-g', 'cli.g']);
    assert.equal(r.status, 0);
    assert.deepEqual(r.stdout.trim().split('\n').map((l) => l.split(/\s{2,}/).slice(0, 2).join(' ')), ['GROUP NAME', 'cli.g good', 'cli.g same', 'cli.g same']);
  });

  test('groups --node counts entry points and packages', () => {
    const r = run(['groups', '--node', root, '--json']);
    const g = (JSON.parse(r.stdout) as { groups: Array<{ group: string; entryPoints: number; packages: number }> }).groups;
    assert.deepEqual(g.find((x) => x.group === 'cli.g'), { group: 'cli.g', entryPoints: 3, packages: 2 });
  });

  test('conflicts --node lists a name two packages provide', () => {
    const r = run(['conflicts', '--node', root, '--json']);
    const c = (JSON.parse(r.stdout) as { conflicts: Array<{ group: string; name: string; providers: unknown[] }> }).conflicts;
    assert.deepEqual(c.map((x) => [x.group, x.name, x.providers.length]), [['cli.g', 'same', 2]]);
  });

  test('diagnose --node exits 1 on an error and names the file and pointer', () => {
    const r = run(['diagnose', '--node', root]);
    assert.equal(r.status, 1);
    assert.match(r.stdout, /broken[\\/]package\.json:\d+: error EP705 .*\(at \/plugin-entry-points\/bad group\)/);
  });

  test('check --node: one report per failure kind, the others pass, exit 1', { timeout: 60_000 }, () => {
    const r = run(['check', '--node', root, '--group', 'cli.bad', '--timeout', '3', '--json']);
    assert.equal(r.status, 1, r.stderr);
    const j = JSON.parse(r.stdout) as { results: Array<{ name: string; ok: boolean; stage?: string; error?: string }>; failed: number; checked: number };
    const by = Object.fromEntries(j.results.map((x) => [x.name, x]));
    assert.deepEqual([j.checked, j.failed], [6, 5]);
    assert.equal(by['zafter']!.ok, true, 'an entry point after an exit, a hang and a throw still passes');
    assert.deepEqual([by['exits']!.stage, by['hangs']!.stage, by['throws']!.stage, by['noexport']!.stage, by['unresolvable']!.stage], ['exit', 'timeout', 'import', 'export', 'resolve']);
    assert.match(by['exits']!.error!, /exited with code 7/);
    assert.match(by['throws']!.error!, /RangeError: nope/);
  });

  test('check --node -j 1 runs one child after another and gives the same answers', { timeout: 60_000 }, () => {
    const r = run(['check', '--node', root, '--group', 'cli.bad', '--timeout', '3', '-j', '1', '--json']);
    const j = JSON.parse(r.stdout) as { results: Array<{ name: string; ok: boolean }> };
    assert.deepEqual(j.results.filter((x) => x.ok).map((x) => x.name), ['zafter']);
  });

  test('check --node exits 0 when everything loads, and plugin output never garbles the report', () => {
    const r = run(['check', '--node', root, '--group', 'cli.g', '--json']);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.equal(JSON.parse(r.stdout).failed, 0);
  });

  test('--node takes an optional directory: bare at the end, before an option, before the command, or with cache build', () => {
    const inRoot = (args: string[]): ReturnType<typeof epi> => spawnIn(root, args);
    for (const args of [['list', '--node', '--json'], ['--node', 'list', '--json'], ['list', '--json', '--node'], ['list', '--node', '.', '--json']]) {
      const r = inRoot(args);
      assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
      assert.ok((JSON.parse(r.stdout) as { entryPoints: unknown[] }).entryPoints.length > 0, args.join(' '));
    }
    const build = inRoot(['cache', 'build', '--node', 'node_modules', '--json']);
    assert.equal(build.status, 0, build.stderr);
    assert.deepEqual((JSON.parse(build.stdout) as { results: Array<{ pathEntry: string }> }).results.map((x) => x.pathEntry), [path.join(root, 'node_modules')]);
    const status = inRoot(['cache', 'status', '--node', '--json']);
    assert.equal((JSON.parse(status.stdout) as { entries: Array<{ state: string }> }).entries[0]!.state, 'fresh');
  });

  test('usage errors exit 2: --node with --python, a stray DIR (an unknown command), --global without --node, check with a stray DIR instead of --node DIR', () => {
    for (const args of [['list', '--node', '--python', 'x'], ['list', root], ['groups', '--global'], ['check', root]]) {
      assert.equal(run(args).status, 2, args.join(' '));
    }
  });
});
