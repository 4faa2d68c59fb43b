/**
 * examples/: the host app and its four plugins (ES module, CommonJS, TypeScript compiled to
 * JavaScript, scoped), installed by npm in a temporary copy and run.
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
  const tsc = run(process.execPath, [path.join(repo, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'], path.join(copy, 'plugins', 'ts-plugin'));
  assert.equal(tsc.status, 0, tsc.stdout + tsc.stderr);
  host = path.join(copy, 'host');
  const manifest = JSON.parse(fs.readFileSync(path.join(host, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  manifest.dependencies['epindex'] = `file:${repo}`;
  fs.writeFileSync(path.join(host, 'package.json'), JSON.stringify(manifest, null, 2));
  const npm = run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--loglevel=error'], host);
  assert.equal(npm.status, 0, npm.stderr);
});

describe('examples', () => {
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
});
