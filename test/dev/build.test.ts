/**
 * scripts/build.mjs (issue 18): builds only what changed, nothing when nothing did, and never
 * takes a file of dist/ away from a process reading it. Each test builds a small project of its
 * own (the real build script and loaders, a few sources, the checkout's compiler and bundler),
 * so that nothing here rebuilds the dist/ the other tests run from.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tempDir, writeTree } from '../support/fixtures.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** A project with the files scripts/build.mjs builds from; `version` marks every output. */
function project(): string {
  const dir = tempDir('epindex-build-');
  writeTree(dir, {
    'package.json': JSON.stringify({ name: 'fake', version: '1.0.0', type: 'module', dependencies: {} }),
    'package-lock.json': JSON.stringify({ name: 'fake', lockfileVersion: 3 }),
    'tsconfig.json': JSON.stringify({
      compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, declaration: true, sourceMap: true, outDir: 'dist', rootDir: '.', types: ['node'], skipLibCheck: true },
      include: ['src', 'test'],
    }),
    src: { cli: { 'main.ts': "export const main = 'main';\n" }, cache: { 'build-worker.ts': 'export {};\n' } },
    test: {},
  });
  setVersion(dir, 'v1');
  for (const f of ['build.mjs', 'dist-output.mjs', 'epi-loader.cjs', 'code-cache.cjs']) fs.cpSync(path.join(ROOT, 'scripts', f), path.join(dir, 'scripts', f));
  // code-cache.cjs bundles the user cache root's trust rule (it depends on node: modules only).
  fs.cpSync(path.join(ROOT, 'src', 'cache', 'user-root.ts'), path.join(dir, 'src', 'cache', 'user-root.ts'));
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}

function setVersion(dir: string, version: string): void {
  writeTree(dir, { src: { 'index.ts': `export const version = '${version}';\n` }, test: { 'a.test.ts': `export const a = '${version}';\n` } });
}

const build = (dir: string, ...args: string[]): { status: number | null; stderr: string } => {
  const r = spawnSync(process.execPath, [path.join(dir, 'scripts', 'build.mjs'), ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, NODE_EXTRA_CA_CERTS: '' } });
  return { status: r.status, stderr: r.stderr };
};
const built = (dir: string, ...args: string[]): string => {
  const r = build(dir, ...args);
  assert.equal(r.status, 0, r.stderr);
  return r.stderr;
};

/** Every file of dist/ with its inode and mtime: what a reader could notice changing. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const dist = path.join(dir, 'dist');
  for (const rel of fs.readdirSync(dist, { recursive: true, encoding: 'utf8' })) {
    const st = fs.statSync(path.join(dist, rel));
    if (st.isFile()) out.set(rel, `${st.ino}:${st.mtimeMs}`);
  }
  return out;
}

describe('scripts/build.mjs', () => {
  test('nothing changed: nothing is built and no file of dist/ is touched', () => {
    const dir = project();
    assert.match(built(dir), /^build: tsc and bundles /);
    const before = snapshot(dir);
    assert.equal(built(dir), '', 'an up-to-date build says nothing');
    assert.deepEqual(snapshot(dir), before);
    assert.deepEqual(fs.readdirSync(dir).filter((n) => n.startsWith('.dist-build')), [], 'no staging directory or lock left');
  });

  test('a changed test source rebuilds the tsc part only: the bundles keep their inode and mtime', () => {
    const dir = project();
    built(dir);
    const before = snapshot(dir);
    writeTree(dir, { test: { 'a.test.ts': "export const a = 'changed';\n" } });
    assert.match(built(dir), /^build: tsc \(/);
    const after = snapshot(dir);
    for (const bundle of ['epi.cjs', 'epi-main.cjs', 'lib.cjs', 'index.js', 'build-worker.js']) assert.equal(after.get(bundle), before.get(bundle), bundle);
    assert.notEqual(after.get('test/a.test.js'), before.get('test/a.test.js'));
    assert.match(fs.readFileSync(path.join(dir, 'dist', 'test', 'a.test.js'), 'utf8'), /changed/);
    assert.equal(after.get('src/index.js'), before.get('src/index.js'), 'an output whose bytes did not change is left in place');
  });

  test('a changed package-lock.json (another compiler or bundler) rebuilds both parts; so does --force', () => {
    const dir = project();
    built(dir);
    writeTree(dir, { 'package-lock.json': JSON.stringify({ name: 'fake', lockfileVersion: 3, packages: {} }) });
    assert.match(built(dir), /^build: tsc and bundles /);
    assert.equal(built(dir), '');
    assert.match(built(dir, '--force'), /^build: tsc and bundles /);
  });

  test("a deleted source's outputs leave dist/; the rest stays", () => {
    const dir = project();
    writeTree(dir, { test: { old: { 'b.test.ts': 'export const b = 1;\n' } } });
    built(dir);
    assert.ok(fs.existsSync(path.join(dir, 'dist', 'test', 'old', 'b.test.js')));
    fs.rmSync(path.join(dir, 'test', 'old'), { recursive: true });
    assert.match(built(dir), /, 3 removed in dist\//);
    assert.equal(fs.existsSync(path.join(dir, 'dist', 'test', 'old')), false, 'its .js, .js.map and .d.ts, and the directory they leave empty');
    assert.ok(fs.existsSync(path.join(dir, 'dist', 'test', 'a.test.js')));
  });

  test('an output removed or changed by hand is built again; a dist/ from before the stamp is cleaned of what no source makes', () => {
    const dir = project();
    built(dir);
    fs.rmSync(path.join(dir, 'dist', 'lib.cjs'));
    assert.match(built(dir), /^build: bundles /);
    assert.ok(fs.existsSync(path.join(dir, 'dist', 'lib.cjs')));
    fs.rmSync(path.join(dir, 'dist', '.build-stamp.json'));
    fs.writeFileSync(path.join(dir, 'dist', 'test', 'gone.test.js'), '');
    assert.match(built(dir), /^build: tsc and bundles \(0 files changed, 1 removed/);
  });

  test('a failed build (a type error) leaves dist/ as it was and says so; the next good build goes through', () => {
    const dir = project();
    built(dir);
    const before = snapshot(dir);
    writeTree(dir, { src: { 'index.ts': "export const version: number = 'v2';\n" } });
    const r = build(dir);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /dist\/ left as it was/);
    assert.deepEqual(snapshot(dir), before);
    assert.deepEqual(fs.readdirSync(dir).filter((n) => n.startsWith('.dist-build')), []);
    setVersion(dir, 'v2');
    assert.match(built(dir), /^build: tsc and bundles /);
    assert.match(fs.readFileSync(path.join(dir, 'dist', 'lib.cjs'), 'utf8'), /v2/);
  });

  test('a reader of dist/ (as `npm test` beside `npm start`) never misses a file while builds replace it', { timeout: 300_000 }, async () => {
    const dir = project();
    built(dir);
    const dist = path.join(dir, 'dist');
    const files = [...snapshot(dir).keys()].filter((f) => !f.startsWith('.'));
    const stop = path.join(dir, 'stop');
    // Reads every output in a loop until told to stop; counts what it could not open and which versions it saw.
    const reader = spawn(process.execPath, ['-e', `
      const fs = require('node:fs'), path = require('node:path');
      const [dist, stop, files] = [process.argv[1], process.argv[2], JSON.parse(process.argv[3])];
      const missed = new Set(), seen = new Set(); let reads = 0;
      while (!fs.existsSync(stop)) for (const f of files) {
        try { const t = fs.readFileSync(path.join(dist, f), 'utf8'); reads++; if (f === 'test/a.test.js') seen.add(/'(v\\d)'/.exec(t)?.[1] ?? 'torn'); }
        catch (e) { missed.add(f + ': ' + e.code); }
      }
      process.stdout.write(JSON.stringify({ reads, missed: [...missed], seen: [...seen].sort() }));`, dist, stop, JSON.stringify(files)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    reader.stdout.on('data', (b: Buffer) => (output += b.toString()));
    const done = new Promise<number | null>((resolve) => reader.on('close', resolve));
    try {
      for (const version of ['v2', 'v1', 'v2', 'v3']) {
        setVersion(dir, version);
        const r = await new Promise<number | null>((resolve) => spawn(process.execPath, [path.join(dir, 'scripts', 'build.mjs')], { cwd: dir, stdio: 'ignore' }).on('close', resolve));
        assert.equal(r, 0);
      }
    } finally {
      fs.writeFileSync(stop, ''); // a failed build must not leave the reader spinning
    }
    assert.equal(await done, 0);
    const result = JSON.parse(output) as { reads: number; missed: string[]; seen: string[] };
    assert.deepEqual(result.missed, []);
    assert.deepEqual(result.seen, ['v1', 'v2', 'v3'], 'the reader saw the builds replace the files, and no torn file');
  });

  test('two builds at once: the second waits for the first, then finds dist/ up to date', async () => {
    const dir = project();
    const run = (): Promise<{ status: number | null; stderr: string }> =>
      new Promise((resolve) => {
        const child = spawn(process.execPath, [path.join(dir, 'scripts', 'build.mjs')], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
        child.on('close', (status) => resolve({ status, stderr }));
      });
    const results = await Promise.all([run(), run()]);
    assert.deepEqual(results.map((r) => r.status), [0, 0]);
    const all = results.map((r) => r.stderr).join('');
    assert.equal(all.match(/^build: tsc and bundles /gm)?.length, 1, all);
    assert.match(all, /build: waiting for another build \(pid \d+\)/);
    assert.equal(built(dir), '');
  });

  test('a lock left by a build that died is taken over', () => {
    const dir = project();
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    fs.writeFileSync(path.join(dir, '.dist-build.lock'), dead);
    fs.mkdirSync(path.join(dir, `.dist-build-${dead}-tsc`));
    assert.match(built(dir), /^build: tsc and bundles /);
    assert.deepEqual(fs.readdirSync(dir).filter((n) => n.startsWith('.dist-build')), []);
  });
});
