/**
 * Yarn Plug'n'Play (Yarn 4 from the npm registry, installed once per machine under
 * os.tmpdir()): a host running under PnP finds the workspace's plugins through pnpapi, reads
 * their package.json inside Yarn's zip archives, and loads them; `epi list|check --node` run
 * through yarn do the same. Outside PnP a project is diagnosed (EP723; discover.test.ts).
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { before, describe, test } from 'node:test';
import { tempDir, writeTree } from '../support/fixtures.js';
import { pkg } from './support.js';

const YARN_MAJOR = '4';
const G = 'pnp.formatters';
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
let project: string;
let yarnJs: string;
const yarnEnv = (): NodeJS.ProcessEnv => ({
  ...process.env,
  YARN_IGNORE_PATH: '1',
  YARN_ENABLE_TELEMETRY: '0',
  YARN_ENABLE_GLOBAL_CACHE: '0',
  YARN_ENABLE_PROGRESS_BARS: '0',
  // CI=true makes Yarn refuse to write a lockfile; this project makes its first one.
  YARN_ENABLE_IMMUTABLE_INSTALLS: 'false',
  COREPACK_ENABLE_STRICT: '0',
  EPINDEX_CACHE_DIR: path.join(project, '.epindex-cache'),
  NODE_EXTRA_CA_CERTS: '',
});

function yarn(): string {
  const home = path.join(os.tmpdir(), `epindex-test-yarn-${YARN_MAJOR}`);
  const bin = path.join(home, 'node_modules', '@yarnpkg', 'cli-dist', 'bin', 'yarn.js');
  if (fs.existsSync(bin)) return bin;
  const tmp = `${home}.${process.pid}.tmp`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  const r = spawnSync('npm', ['install', '--prefix', tmp, '--no-save', '--no-audit', '--no-fund', '--loglevel=error', `@yarnpkg/cli-dist@${YARN_MAJOR}`], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  try {
    fs.renameSync(tmp, home);
  } catch {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return bin;
}

function tarball(work: string, name: string, spec: Parameters<typeof pkg>[1]): string {
  const stage = path.join(work, 'stage', name.replace('/', '-'));
  writeTree(path.join(stage, 'package'), pkg(name, spec));
  const file = path.join(work, `${name.replace('@', '').replace('/', '-')}.tgz`);
  execFileSync('tar', ['-czf', file, '-C', stage, 'package']);
  return file;
}

const underYarn = (args: string[]): { status: number | null; stdout: string; stderr: string } =>
  spawnSync(process.execPath, [yarnJs, ...args], { cwd: project, env: yarnEnv(), encoding: 'utf8' });

before(() => {
  yarnJs = yarn();
  const work = tempDir('epindex-pnp-');
  const esm = tarball(work, 'pnp-esm', { type: 'module', exports: { '.': { import: './m.js', require: './c.cjs' } }, eps: { [G]: { esm: '.:default' } }, files: { 'm.js': 'export default "esm in a zip";\n', 'c.cjs': 'module.exports = "cjs build";\n' } });
  const cjs = tarball(work, 'pnp-cjs', { main: 'lib/i.js', eps: { [G]: { cjs: './lib/i:value' } }, files: { 'lib/i.js': 'exports.value = "cjs in a zip";\n' } });
  const scoped = tarball(work, '@pnp/scoped', { type: 'module', exports: './s.js', eps: { [G]: { scoped: '.:default' } }, files: { 's.js': 'export default "scoped in a zip";\n' } });
  project = writeTree(path.join(work, 'project'), {
    'package.json': JSON.stringify({ name: 'pnp-host', private: true, dependencies: { 'pnp-esm': `file:${esm}`, 'pnp-cjs': `file:${cjs}`, '@pnp/scoped': `file:${scoped}` } }),
    '.yarnrc.yml': 'nodeLinker: pnp\nenableTelemetry: false\n',
    'host.mjs': `const { entryPoints, nodeEnvironment } = await import(${JSON.stringify(pathToFileURL(path.join(repo, 'dist', 'src', 'index.js')).href)});
const env = await nodeEnvironment();
const eps = await env.entryPoints({ group: ${JSON.stringify(G)} });
const out = [];
for (const e of eps) out.push({ name: e.name, key: e.package.key, origin: e.package.origin, inZip: e.package.dir.includes('.zip'), value: await e.load() });
console.log(JSON.stringify({ searchPath: env.searchPath, out, diagnostics: eps.diagnostics }));
`,
  });
  fs.writeFileSync(path.join(project, 'yarn.lock'), '');
  const r = underYarn(['install']);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.ok(fs.existsSync(path.join(project, '.pnp.cjs')), 'yarn made a PnP install');
  assert.ok(!fs.existsSync(path.join(project, 'node_modules')), 'and no node_modules');
});

describe("Yarn Plug'n'Play", () => {
  test('a host under PnP finds and loads plugins from the zip archives through pnpapi', () => {
    const r = underYarn(['node', 'host.mjs']);
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout) as { searchPath: Array<{ origin: string }>; out: Array<{ name: string; key: string; origin: string; inZip: boolean; value: string }>; diagnostics: unknown[] };
    assert.deepEqual(j.searchPath.map((d) => d.origin), ['pnp']);
    assert.deepEqual(j.out.map((x) => [x.key, x.name, x.origin, x.inZip, x.value]).sort(), [
      ['@pnp/scoped', 'scoped', 'pnp', true, 'scoped in a zip'],
      ['pnp-cjs', 'cjs', 'pnp', true, 'cjs in a zip'],
      // PnP resolves for the workspace with require conditions (spec §13.3).
      ['pnp-esm', 'esm', 'pnp', true, 'cjs build'],
    ]);
    assert.deepEqual(j.diagnostics, []);
  });

  test('epi list and epi check through yarn see the same plugins', { timeout: 60_000 }, () => {
    const list = underYarn(['node', path.join(repo, 'dist', 'epi.cjs'), 'list', '--node', '--json']);
    assert.equal(list.status, 0, list.stderr);
    assert.deepEqual((JSON.parse(list.stdout) as { entryPoints: Array<{ name: string }> }).entryPoints.map((e) => e.name).sort(), ['cjs', 'esm', 'scoped']);
    const check = underYarn(['node', path.join(repo, 'dist', 'epi.cjs'), 'check', '--node', '--json']);
    assert.equal(check.status, 0, check.stdout + check.stderr);
    assert.equal(JSON.parse(check.stdout).failed, 0);
  });

  test('outside PnP the same project says how to run it (EP723)', () => {
    const r = spawnSync(process.execPath, [path.join(repo, 'dist', 'epi.cjs'), 'diagnose', '--node', project], { encoding: 'utf8', env: { ...process.env, NODE_EXTRA_CA_CERTS: '' } });
    assert.match(r.stdout, /EP723 .*yarn node/);
  });
});
