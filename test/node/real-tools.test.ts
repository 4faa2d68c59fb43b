/**
 * npm discovery and loading over layouts made by the real tools: `npm install` (hoisted), npm
 * workspaces with a nested second version of one plugin, `npm link` (into a private global
 * prefix), and pnpm (from the npm registry, installed once per machine under os.tmpdir()).
 * Plugins are local tarballs, so no install needs the registry except pnpm's own.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { before, describe, test } from 'node:test';
import { nodeEnvironment } from '../../src/node/environment.js';
import { tempDir, writeTree } from '../support/fixtures.js';
import { pkg } from './support.js';

const G = 'real.formatters';
const PNPM_MAJOR = '10';
const only = { nodePath: false, globalFolders: false } as const;
let work: string;
const tgz: Record<string, string> = {};

const quietEnv = { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false', npm_config_loglevel: 'error' };

function npm(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}): void {
  const r = spawnSync('npm', args, { cwd, env: { ...quietEnv, ...env }, encoding: 'utf8' });
  assert.equal(r.status, 0, `npm ${args.join(' ')} in ${cwd}: ${r.stderr}`);
}

/** A plugin package as a tarball (`package/` inside, as `npm pack` makes it). */
function tarball(name: string, version: string, ep: string, style: 'esm' | 'cjs'): string {
  const stage = path.join(work, 'stage', `${name.replace('/', '-')}-${version}`);
  const files = style === 'esm'
    ? { type: 'module' as const, exports: { '.': './index.js' }, files: { 'index.js': `export default { id: ${JSON.stringify(`${name}@${version}`)} };\n` } }
    : { main: 'lib/index.js', files: { 'lib/index.js': `module.exports = { id: ${JSON.stringify(`${name}@${version}`)} };\n` } };
  writeTree(path.join(stage, 'package'), pkg(name, { version, ...files, eps: { [G]: { [ep]: '.:default' } } }));
  const file = path.join(work, `${name.replace('@', '').replace('/', '-')}-${version}.tgz`);
  execFileSync('tar', ['-czf', file, '-C', stage, 'package']);
  return file;
}

/** pnpm from the npm registry, installed once into a per-machine cache directory. */
function pnpm(): string {
  const home = path.join(os.tmpdir(), `epindex-test-pnpm-${PNPM_MAJOR}`);
  const bin = path.join(home, 'node_modules', 'pnpm', 'bin', 'pnpm.cjs');
  if (fs.existsSync(bin)) return bin;
  const tmp = `${home}.${process.pid}.tmp`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  npm(tmp, ['install', '--prefix', tmp, '--no-save', `pnpm@${PNPM_MAJOR}`]);
  try {
    fs.renameSync(tmp, home);
  } catch {
    fs.rmSync(tmp, { recursive: true, force: true }); // another run won the race
  }
  return bin;
}

async function found(from: string, extra: Record<string, unknown> = {}): Promise<Array<[string, string, string | null, boolean, unknown]>> {
  const env = await nodeEnvironment({ from, ...only, ...extra });
  const eps = await env.entryPoints<{ id: string }>({ group: G });
  const out: Array<[string, string, string | null, boolean, unknown]> = [];
  for (const e of eps) out.push([e.name, e.package.key, e.package.version, e.package.linked, (await e.load()).id]);
  return out;
}

before(() => {
  process.env['EPINDEX_CACHE_DIR'] = path.join(tempDir(), 'cache');
  work = tempDir('epindex-real-');
  tgz['alpha1'] = tarball('alpha', '1.0.0', 'alpha', 'esm');
  tgz['alpha2'] = tarball('alpha', '2.0.0', 'alpha', 'esm');
  tgz['beta'] = tarball('beta', '1.0.0', 'beta', 'cjs');
  tgz['scoped'] = tarball('@real/gamma', '1.0.0', 'gamma', 'esm');
});

describe('real layouts', () => {
  test('npm install (hoisted): plain and scoped packages, ESM and CommonJS', async () => {
    const proj = writeTree(path.join(work, 'hoisted'), { 'package.json': JSON.stringify({ name: 'hoisted', private: true, dependencies: { alpha: `file:${tgz['alpha1']}`, beta: `file:${tgz['beta']}`, '@real/gamma': `file:${tgz['scoped']}` } }) });
    npm(proj, ['install', '--offline']);
    const got = await found(proj);
    assert.deepEqual(got.map((x) => x.slice(0, 4)).sort(), [['alpha', 'alpha', '1.0.0', false], ['beta', 'beta', '1.0.0', false], ['gamma', '@real/gamma', '1.0.0', false]]);
    assert.deepEqual(got.map((x) => x[4]).sort(), ['@real/gamma@1.0.0', 'alpha@1.0.0', 'beta@1.0.0']);
  });

  test('npm workspaces: a workspace is a linked package, and its nested second version of a plugin wins from inside it', async () => {
    const proj = writeTree(path.join(work, 'ws'), {
      'package.json': JSON.stringify({ name: 'ws-root', private: true, workspaces: ['packages/*'], dependencies: { alpha: `file:${tgz['alpha1']}` } }),
      packages: {
        app: { 'package.json': JSON.stringify({ name: 'app', version: '0.1.0', dependencies: { alpha: `file:${tgz['alpha2']}` } }) },
        tool: pkg('tool', { version: '0.2.0', type: 'module', exports: './t.js', eps: { [G]: { tool: '.:default' } }, files: { 't.js': 'export default { id: "tool from the workspace" };\n' } }),
      },
    });
    npm(proj, ['install', '--offline']);
    assert.ok(fs.existsSync(path.join(proj, 'packages', 'app', 'node_modules', 'alpha', 'package.json')), 'npm nested alpha 2 under the workspace');
    // From the root: alpha 1 and the workspace tool (a symlink out of node_modules).
    assert.deepEqual((await found(proj)).sort(), [['alpha', 'alpha', '1.0.0', false, 'alpha@1.0.0'], ['tool', 'tool', '0.2.0', true, 'tool from the workspace']]);
    // From the app: its own alpha 2 is nearest; the root's alpha 1 is shadowed.
    const app = path.join(proj, 'packages', 'app');
    assert.deepEqual((await found(app)).sort(), [['alpha', 'alpha', '2.0.0', false, 'alpha@2.0.0'], ['tool', 'tool', '0.2.0', true, 'tool from the workspace']]);
    const report = await (await nodeEnvironment({ from: app, ...only })).packages();
    assert.deepEqual(report.shadowed.filter((s) => s.package.key === 'alpha').map((s) => [s.package.version, s.by.version]), [['1.0.0', '2.0.0']]);
    assert.ok(report.diagnostics.some((d) => d.code === 'EP720' && d.file === path.join(proj, 'node_modules', 'alpha')));
  });

  test('npm link: the linked package is found through its symlink, and in the global root only when asked', async () => {
    const prefix = path.join(work, 'prefix');
    fs.mkdirSync(path.join(prefix, 'lib', 'node_modules'), { recursive: true });
    const src = writeTree(path.join(work, 'linked-src'), pkg('linked', { version: '3.0.0', type: 'module', exports: './l.js', eps: { [G]: { linked: '.:default' } }, files: { 'l.js': 'export default { id: "linked source" };\n' } }));
    const proj = writeTree(path.join(work, 'linker'), { 'package.json': JSON.stringify({ name: 'linker', private: true }) });
    npm(proj, ['link', src], { npm_config_prefix: prefix });
    assert.ok(fs.lstatSync(path.join(proj, 'node_modules', 'linked')).isSymbolicLink());
    assert.deepEqual(await found(proj), [['linked', 'linked', '3.0.0', true, 'linked source']]);
    const elsewhere = tempDir();
    assert.deepEqual(await found(elsewhere), []);
    assert.deepEqual(await found(elsewhere, { global: prefix }), [['linked', 'linked', '3.0.0', true, 'linked source']]);
  });

  test('pnpm: top-level symlinks into the .pnpm store are found and load; the store itself is never listed', { timeout: 120_000 }, async () => {
    const bin = pnpm();
    const proj = writeTree(path.join(work, 'pnpm'), { 'package.json': JSON.stringify({ name: 'pnpm-proj', private: true, dependencies: { alpha: `file:${tgz['alpha2']}`, beta: `file:${tgz['beta']}`, '@real/gamma': `file:${tgz['scoped']}` } }) });
    const r = spawnSync(process.execPath, [bin, 'install', '--offline', '--store-dir', path.join(work, 'pnpm-store')], { cwd: proj, env: quietEnv, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr + r.stdout);
    assert.ok(fs.lstatSync(path.join(proj, 'node_modules', 'alpha')).isSymbolicLink(), 'pnpm linked alpha into .pnpm');
    const got = await found(proj);
    assert.deepEqual(got.sort(), [['alpha', 'alpha', '2.0.0', false, 'alpha@2.0.0'], ['beta', 'beta', '1.0.0', false, 'beta@1.0.0'], ['gamma', '@real/gamma', '1.0.0', false, '@real/gamma@1.0.0']]);
  });
});
