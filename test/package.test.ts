/**
 * A real package (issue 9 item 10): `npm pack` of a copy of the source tree builds the package
 * itself (prepack), and the tarball installed into a fresh project gives a working `epi` and a
 * library a strict TypeScript consumer (`module: nodenext`) compiles against and runs. What it
 * checks is behaviour — what a consumer can import and run — not a list of files, which the
 * build may change.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { epi } from './support/cli.js';
import { distInfo, tempDir, writeTree } from './support/fixtures.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const NPM_ENV = { ...process.env, NODE_EXTRA_CA_CERTS: '', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false', npm_config_loglevel: 'error' };
const run = (cmd: string, args: readonly string[], cwd: string): string => {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: NPM_ENV, maxBuffer: 64 * 1024 * 1024 });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')}: ${r.stderr}${r.stdout}`);
  return r.stdout;
};

/** The source tree as a fresh clone has it (no dist/), with the checkout's installed dependencies. */
function sourceCopy(): string {
  const copy = path.join(tempDir('epindex-pack-'), 'src-tree');
  fs.mkdirSync(copy);
  for (const name of ['package.json', 'package-lock.json', 'tsconfig.json', 'README.md', 'LICENSE', 'CHANGELOG.md', 'scripts', 'src', 'schema', 'docs', 'python']) {
    fs.cpSync(path.join(ROOT, name), path.join(copy, name), { recursive: true });
  }
  // Bytecode, as any run of the Python package from the clone leaves it: never shipped.
  fs.mkdirSync(path.join(copy, 'python', 'src', 'epindex', '__pycache__'), { recursive: true });
  fs.writeFileSync(path.join(copy, 'python', 'src', 'epindex', '__pycache__', '__init__.cpython-311.pyc'), 'bytecode');
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(copy, 'node_modules'));
  return copy;
}

describe('the packed tarball', () => {
  const site = writeTree(tempDir(), distInfo('alpha', '1.0', '[console_scripts]\nalpha = alpha.cli:main\n'));
  const copy = sourceCopy();
  const packs = tempDir('epindex-packs-');
  const tarball = path.join(packs, run('npm', ['pack', '--pack-destination', packs, '--silent'], copy).trim().split('\n').pop()!);
  const unpacked = tempDir('epindex-unpacked-');
  execFileSync('tar', ['xzf', tarball, '-C', unpacked]);
  const pkg = path.join(unpacked, 'package');
  const shipped: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) (e.isDirectory() ? walk : (p: string) => shipped.push(path.relative(pkg, p)))(path.join(d, e.name));
  };
  walk(pkg);

  const project = tempDir('epindex-consumer-');
  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module' }));
  run('npm', ['install', '--prefer-offline', '--no-save', tarball], project);

  test('prepack built it: the tarball holds the CLI and the library, and the LICENSE (MIT, as package.json says)', () => {
    assert.ok(shipped.includes(path.join('dist', 'epi.cjs')));
    assert.match(fs.readFileSync(path.join(pkg, 'LICENSE'), 'utf8'), /^MIT License\n/);
    assert.equal((JSON.parse(fs.readFileSync(path.join(pkg, 'package.json'), 'utf8')) as { license: string }).license, 'MIT');
  });

  test('ready to publish: npm publish --dry-run warns of nothing but the missing login, npm pkg fix changes nothing, no placeholder URLs', () => {
    const before = fs.readFileSync(path.join(copy, 'package.json'));
    // prepack already ran for npm pack above; the dry run looks at the same tree.
    const r = spawnSync('npm', ['publish', '--dry-run', '--ignore-scripts', '--loglevel=warn'], { cwd: copy, encoding: 'utf8', env: { ...NPM_ENV, npm_config_loglevel: 'warn' } });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^\+ epindex@\d+\.\d+\.\d+$/m);
    // The one warning a machine without npm credentials always gets; anything else is the package's.
    const warnings = r.stderr.split('\n').filter((l) => /^npm (warn|WARN)/.test(l) && !/requires you to be logged in/.test(l));
    assert.deepEqual(warnings, []);
    run('npm', ['pkg', 'fix'], copy);
    assert.deepEqual(fs.readFileSync(path.join(copy, 'package.json')), before, 'npm pkg fix would change package.json');
    const manifest = JSON.parse(before.toString('utf8')) as Record<string, unknown>;
    assert.deepEqual([manifest['name'], manifest['bin']], ['epindex', { epi: 'dist/epi.cjs' }]);
    for (const field of ['repository', 'homepage', 'bugs']) assert.doesNotMatch(JSON.stringify(manifest[field] ?? ''), /OWNER|example\.(com|org)|TODO|<|>/, field);
  });

  test('nothing unused: the CLI is shipped once (bundled), its modules not beside it', () => {
    assert.deepEqual(shipped.filter((f) => f.split(path.sep).includes('cli') && f.endsWith('.js')), []);
    assert.deepEqual(shipped.filter((f) => /(^|\/)(test|bench)\//.test(f)), []);
  });

  test('the Python package ships as source (python/src, what epi check and epi accelerate run), without bytecode', () => {
    assert.ok(shipped.includes(path.join('python', 'src', 'epindex', '__init__.py')));
    assert.deepEqual(shipped.filter((f) => f.includes('__pycache__') || f.endsWith('.pyc')), []);
  });

  test('no source map points at a file the package does not ship', () => {
    for (const f of shipped.filter((x) => x.endsWith('.map'))) {
      const map = JSON.parse(fs.readFileSync(path.join(pkg, f), 'utf8')) as { sources: string[] };
      for (const s of map.sources) assert.ok(fs.existsSync(path.resolve(path.dirname(path.join(pkg, f)), s)), `${f} → ${s}`);
    }
  });

  test('the installed epi runs and answers as the checkout does', () => {
    const bin = path.join(project, 'node_modules', '.bin', 'epi');
    const version = spawnSync(bin, ['--version'], { encoding: 'utf8', env: NPM_ENV });
    assert.equal(version.stdout, `${(JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version}\n`);
    const installed = spawnSync(bin, ['list', '--path', site, '--cache', 'scan', '--json'], { encoding: 'utf8', env: NPM_ENV });
    assert.equal(installed.status, 0, installed.stderr);
    assert.deepEqual(JSON.parse(installed.stdout), JSON.parse(epi(['list', '--path', site, '--cache', 'scan', '--json']).stdout));
  });

  test('a strict TypeScript consumer (module: nodenext) compiles against the types and runs', () => {
    fs.writeFileSync(path.join(project, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { strict: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', exactOptionalPropertyTypes: true, noUncheckedIndexedAccess: true, skipLibCheck: false, outDir: 'out', types: ['node'], typeRoots: [path.join(ROOT, 'node_modules', '@types')] },
      include: ['main.ts'],
    }));
    fs.writeFileSync(path.join(project, 'main.ts'), `
import { pythonEnvironment, parseEntryPointsTxt, isEpindexError, type EntryPoint, type Diagnostic } from 'epindex';
const env = await pythonEnvironment({ path: [${JSON.stringify(site)}], cache: 'scan' });
const eps = await env.entryPoints({ group: 'console_scripts' });
const first: EntryPoint | undefined = eps.get('alpha');
const diagnostics: readonly Diagnostic[] = parseEntryPointsTxt('[g]\\nnope\\n').diagnostics;
const notAnError: boolean = isEpindexError(new Error('x'));
console.log(JSON.stringify({ module: first?.module, dist: first?.dist?.name, codes: diagnostics.map((d) => d.code), notAnError }));
`);
    run(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], project);
    const out = run(process.execPath, [path.join('out', 'main.js')], project);
    assert.deepEqual(JSON.parse(out), { module: 'alpha.cli', dist: 'alpha', codes: ['EP104'], notAnError: false });
  });
});
