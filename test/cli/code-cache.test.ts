/**
 * The bin (dist/epi.cjs) starts the CLI with V8's code cache, kept in the user's private cache
 * directory and used only when it is the user's own (V8 deserializes it).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { CLI } from '../support/cli.js';
import { tempDir } from '../support/fixtures.js';

const IS_ROOT = process.getuid?.() === 0;
/** Node 22+ caches compiled code itself (module.enableCompileCache), which the bin then uses. */
const NODE_CACHES = typeof ((await import('node:module')) as { enableCompileCache?: unknown }).enableCompileCache === 'function';

function epi(cacheDir: string, extra: NodeJS.ProcessEnv = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, '--version'], { encoding: 'utf8', env: { ...process.env, NODE_EXTRA_CA_CERTS: '', EPINDEX_CACHE_DIR: cacheDir, ...extra } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const codeFiles = (cacheDir: string): string[] => {
  try {
    return fs.readdirSync(path.join(cacheDir, 'code')).filter((n) => n.endsWith('.v8'));
  } catch {
    return [];
  }
};

test('the first run writes a code cache into <cache>/code (mode 0700); later runs use it without rewriting', { skip: NODE_CACHES ? 'this Node has module.enableCompileCache, used instead' : false }, () => {
  const uc = tempDir('epindex-code-');
  fs.chmodSync(uc, 0o700);
  assert.equal(epi(uc).status, 0);
  const [file] = codeFiles(uc);
  assert.ok(file !== undefined, 'a code cache was written');
  assert.equal(fs.statSync(path.join(uc, 'code')).mode & 0o777, 0o700);
  const full = path.join(uc, 'code', file);
  const before = fs.statSync(full).mtimeMs;
  const again = epi(uc);
  assert.equal(again.status, 0);
  assert.equal(again.stdout, epi(uc, { EPINDEX_CODE_CACHE: '0' }).stdout, 'the same answer with and without it');
  assert.equal(fs.statSync(full).mtimeMs, before, 'an accepted code cache is not rewritten');
});

test("a code cache that is not the user's own (writable by others, or another owner) is never loaded, and is replaced", { skip: NODE_CACHES ? 'Node manages its own compile cache' : false }, () => {
  const uc = tempDir('epindex-code-');
  fs.chmodSync(uc, 0o700);
  assert.equal(epi(uc).status, 0);
  const [file] = codeFiles(uc);
  const full = path.join(uc, 'code', file!);
  // Garbage V8 would reject anyway; what matters is that an untrusted file is not even read.
  fs.writeFileSync(full, Buffer.alloc(4096, 0xff));
  fs.chmodSync(full, 0o666);
  const r = epi(uc);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(fs.statSync(full).mode & 0o022, 0, 'replaced by a private file');
  assert.notDeepEqual(fs.readFileSync(full), Buffer.alloc(4096, 0xff));
  if (IS_ROOT) {
    fs.chownSync(full, 65534, 65534);
    assert.equal(epi(uc).status, 0);
    assert.equal(fs.statSync(full).uid, 0, "another user's file is replaced by the user's own");
  }
});

test('EPINDEX_CODE_CACHE=0 writes no code cache', () => {
  const uc = tempDir('epindex-code-');
  fs.chmodSync(uc, 0o700);
  assert.equal(epi(uc, { EPINDEX_CODE_CACHE: '0' }).status, 0);
  assert.deepEqual(codeFiles(uc), []);
});

test('a command bundled apart (the --node lookups) gets its own code cache, and a later run uses it and answers the same', { skip: NODE_CACHES ? 'Node manages its own compile cache' : false }, () => {
  const uc = tempDir('epindex-code-');
  fs.chmodSync(uc, 0o700);
  const project = tempDir('epindex-code-project-');
  fs.mkdirSync(path.join(project, 'node_modules', 'plug'), { recursive: true });
  fs.writeFileSync(path.join(project, 'node_modules', 'plug', 'package.json'), JSON.stringify({ name: 'plug', version: '1.0.0', main: 'i.js', 'plugin-entry-points': { 'code.cache': { p: '.' } } }));
  const run = (extra: NodeJS.ProcessEnv = {}): ReturnType<typeof spawnSync> =>
    spawnSync(process.execPath, [CLI, 'list', '--node', project, '--group', 'code.cache', '--json', '--cache', 'scan'], { encoding: 'utf8', env: { ...process.env, NODE_EXTRA_CA_CERTS: '', EPINDEX_CACHE_DIR: uc, ...extra } });
  const first = run();
  assert.equal(first.status, 0, String(first.stderr));
  const lookup = codeFiles(uc).filter((n) => n.startsWith('cmd.node-lookup-v'));
  assert.equal(lookup.length, 1, `the npm lookups' bundle has a code cache: ${codeFiles(uc).join(', ')}`);
  const full = path.join(uc, 'code', lookup[0]!);
  const before = fs.statSync(full).mtimeMs;
  const again = run();
  assert.equal(again.status, 0, String(again.stderr));
  assert.equal(fs.statSync(full).mtimeMs, before, 'accepted, not rewritten');
  const plain = run({ EPINDEX_CODE_CACHE: '0' });
  const names = (r: ReturnType<typeof spawnSync>): unknown => (JSON.parse(String(r.stdout)) as { entryPoints: Array<{ name: string }> }).entryPoints.map((e) => e.name);
  assert.deepEqual(names(again), ['p']);
  assert.deepEqual(names(again), names(plain));
});
