/**
 * examples/: the host app and its four plugins (ES module, CommonJS, TypeScript compiled to
 * JavaScript, scoped), installed by npm in a temporary copy and run. The host's install builds
 * the TypeScript plugin (its postinstall, with its own TypeScript from the registry).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { before, describe, test } from 'node:test';
import { tempDir } from '../support/fixtures.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
let host: string;

const run = (cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): { status: number | null; stdout: string; stderr: string } =>
  spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false', EPINDEX_CACHE_DIR: path.join(cwd, '.cache'), ...env } });

before(() => {
  const copy = path.join(tempDir('epindex-examples-'), 'examples');
  fs.cpSync(path.join(repo, 'examples'), copy, { recursive: true, filter: (src) => !/[\\/](node_modules|dist)$/.test(src) });
  host = path.join(copy, 'host');
  const manifest = JSON.parse(fs.readFileSync(path.join(host, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  manifest.dependencies['epindex'] = `file:${repo}`;
  fs.writeFileSync(path.join(host, 'package.json'), JSON.stringify(manifest, null, 2));
  const npm = run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], host);
  assert.equal(npm.status, 0, npm.stderr);
});
const epi = path.join(repo, 'dist', 'epi.cjs');

describe('examples', () => {
  test("the host's npm install built the TypeScript plugin", () => {
    assert.deepEqual(fs.readdirSync(path.join(host, 'node_modules', 'ts-plugin', 'dist')).sort(), ['index.d.ts', 'index.js']);
  });

  test('the host applies every plugin in plugin order: ts (order -1), esm, scoped (1), cjs (5, 10)', () => {
    const r = run(process.execPath, ['app.js', '  hello,   plugins '], host);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split('\n').map((l) => l.split('\t')[1]), ['hello, plugins', 'HELLO, PLUGINS', '[HELLO, PLUGINS]', ']SNIGULP ,OLLEH[', ']SNIGULP ,OLLEH[!']);
    assert.equal(r.stderr, '');
  });

  test('the host blocks a plugin by name and disables all with its own variable', () => {
    const blocked = run(process.execPath, ['app.js', 'x'], host, { EXAMPLE_BLOCK: 'trim,reverse' });
    assert.deepEqual(blocked.stdout.trim().split('\n').map((l) => l.split('\t')[0]), ['upper', 'brackets', 'exclaim']);
    assert.deepEqual(blocked.stderr.trim().split('\n').sort(), ['blocked: reverse', 'blocked: trim']);
    const off = run(process.execPath, ['app.js', 'x'], host, { EXAMPLE_NO_PLUGINS: '1' });
    assert.equal(off.stdout, '');
    assert.match(off.stderr, /disabled by EXAMPLE_NO_PLUGINS=1/);
  });

  test('epi list --node and epi check --node see the same five entry points', () => {
    const list = run(process.execPath, [path.join(repo, 'dist', 'epi.cjs'), 'list', '--node', '--json'], host);
    assert.equal(list.status, 0, list.stderr);
    const eps = (JSON.parse(list.stdout) as { entryPoints: Array<{ name: string; package: { key: string } }> }).entryPoints;
    assert.deepEqual(eps.map((e) => `${e.package.key}:${e.name}`).sort(), ['@example/scoped-plugin:brackets', 'cjs-plugin:exclaim', 'cjs-plugin:reverse', 'esm-plugin:upper', 'ts-plugin:trim']);
    const check = run(process.execPath, [path.join(repo, 'dist', 'epi.cjs'), 'check', '--node', '--json'], host);
    assert.equal(check.status, 0, check.stdout + check.stderr);
    assert.deepEqual(JSON.parse(check.stdout).failed, 0);
  });

  test('a plugin that is not built: epi check --node and the host name its file as the user has it, never a cache path', () => {
    fs.rmSync(path.join(host, 'node_modules', 'ts-plugin', 'dist'), { recursive: true });
    const file = path.join(host, 'node_modules', 'ts-plugin', 'dist', 'index.js');
    const check = run(process.execPath, [epi, 'check', '--node', '--json'], host);
    assert.equal(check.status, 1);
    const failed = (JSON.parse(check.stdout) as { results: Array<{ name: string; ok: boolean; stage?: string; error?: string }> }).results.filter((r) => !r.ok);
    assert.deepEqual(failed.map((r) => [r.name, r.stage]), [['trim', 'resolve']]);
    assert.equal(failed[0]!.error, `${file} does not exist ("ts-plugin" resolves there through the package's "exports"); is the package built? its package.json has a "build" script`);
    const text = run(process.execPath, [epi, 'check', '--node'], host);
    assert.ok(text.stdout.includes(file) && !/node-resolvers|\.cache/.test(text.stdout), text.stdout);
    const app = run(process.execPath, ['app.js', 'x'], host);
    assert.ok(app.stderr.includes(`failed: trim from ts-plugin: `) && app.stderr.includes(file) && !app.stderr.includes('node-resolvers'), app.stderr);
  });
});
