/**
 * Issue 3, "Must show" 2 (in-process and privilege-dropped faults): corrupt, truncated,
 * foreign-version and tampered caches; a symlink planted at the cache path; untrusted caches;
 * a read-only directory or filesystem; ENOSPC. Every fault must leave lookups correct (equal to
 * a fresh scan) with a diagnostic, and `auto` must heal what it is allowed to heal.
 *
 * Root bypasses file permissions, so permission cases run the CLI as uid 65534 when we are
 * root (and as ourselves otherwise, where chmod is enough). tmpfs/bind mounts are used when the
 * machine allows them; each such test has an injected-failure twin that always runs.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { test } from 'node:test';
import { CACHE_VERSION } from '../../src/cache/format.js';
import { userLocation } from '../../src/cache/location.js';
import { scanPathEntry } from '../../src/python/discover.js';
import { distInfo, tempDir, writeTree } from '../support/fixtures.js';
import {
  cacheFile, chownTree, ep, errnoError, freshView, IS_ROOT, lookup, mountTmpfs, NOBODY, remount, roBind, runCli, site, tmpFiles, settle, userCache, verdict, view, withPatchedFs, buildCache, cacheStatusOf, loadPathEntry, type TestCacheOptions as CacheOptions, resign, forge,
} from './helpers.js';

/** Recompute the trailing checksum, as a forger (or a foreign writer) would. */
/** A fault in the cache: ignored with `code`, results equal a fresh scan, `auto` heals it. */
async function assertIgnoredAndHealed(dir: string, uc: string, code: string, state: 'corrupt' | 'untrusted' | 'foreign', opts: CacheOptions = {}): Promise<void> {
  const o: CacheOptions = { ...opts, userCacheDir: uc };
  const status = cacheStatusOf(dir, o);
  assert.equal(status.state, state, `status: ${status.state} (${status.reason})`);
  assert.ok(status.reason);
  const fresh = freshView(dir);

  const prefer = loadPathEntry(dir, 'prefer', o);
  assert.equal(prefer.source, 'scan');
  assert.deepEqual(prefer.diagnostics.map((d) => d.code), [code]);
  assert.deepEqual(view(prefer.view), fresh);

  const only = loadPathEntry(dir, 'only', o);
  assert.equal(only.source, 'none');
  assert.deepEqual(only.diagnostics.map((d) => d.code), [code, 'EP307']);

  const trust = loadPathEntry(dir, 'trust', o);
  assert.equal(trust.source, 'scan', 'fallback never believes a faulty cache either');
  assert.deepEqual(view(trust.view), fresh);

  const fallback = await lookup([dir], 'fallback', { userCacheDir: uc });
  assert.deepEqual(fallback.entryPoints, (await lookup([dir], 'scan', { userCacheDir: uc })).entryPoints);
  assert.ok(fallback.codes.includes(code));

  const auto = loadPathEntry(dir, 'auto', o);
  assert.equal(auto.source, 'scan');
  assert.deepEqual(auto.diagnostics.map((d) => d.code), [code]);
  assert.deepEqual(view(auto.view), fresh);
  assert.equal(cacheStatusOf(dir, o).state, 'fresh', 'auto rebuilt the cache');
  const again = loadPathEntry(dir, 'only', o);
  assert.equal(again.source, 'cache');
  assert.deepEqual(again.diagnostics, []);
  assert.deepEqual(view(again.view), fresh);
}

/** A site with a built in-directory cache. */
function cachedSite(): { dir: string; uc: string; file: string; text: string } {
  const dir = site();
  const uc = userCache();
  assert.equal(buildCache(dir, { userCacheDir: uc }).outcome, 'written');
  const file = cacheFile(dir);
  return { dir, uc, file, text: fs.readFileSync(file, 'utf8') };
}

// ---------------------------------------------------------------------------------------------
// Integrity

test('a corrupt cache (not JSON) is ignored with EP301 and rebuilt under auto', async () => {
  const { dir, uc, file } = cachedSite();
  fs.writeFileSync(file, 'this is not a cache\u0000\u0001');
  await assertIgnoredAndHealed(dir, uc, 'EP301', 'corrupt');
});

test('an empty cache file is ignored with EP301 and rebuilt under auto', async () => {
  const { dir, uc, file } = cachedSite();
  fs.writeFileSync(file, '');
  await assertIgnoredAndHealed(dir, uc, 'EP301', 'corrupt');
});

test('a truncated cache is ignored with EP301 and rebuilt under auto', async () => {
  for (const keep of [0.5, 0.99]) {
    const { dir, uc, file, text } = cachedSite();
    fs.writeFileSync(file, text.slice(0, Math.floor(text.length * keep)));
    await assertIgnoredAndHealed(dir, uc, 'EP301', 'corrupt');
  }
});

test('a cache with a valid checksum but a malformed document is ignored with EP301', async () => {
  const { dir, uc, file, text } = cachedSite();
  assert.ok(text.includes('"kind":"directory"'));
  fs.writeFileSync(file, resign(text.replace('"kind":"directory"', '"kind":"sideways"')));
  await assertIgnoredAndHealed(dir, uc, 'EP301', 'corrupt');
});

test('a cache of a foreign format version is ignored with EP302 (even with a valid checksum) and rebuilt under auto', async () => {
  const { dir, uc, file, text } = cachedSite();
  assert.ok(text.includes(`"version":${CACHE_VERSION},`));
  fs.writeFileSync(file, resign(text.replace(`"version":${CACHE_VERSION},`, `"version":${CACHE_VERSION + 1},`)));
  await assertIgnoredAndHealed(dir, uc, 'EP302', 'corrupt');
});

test('a tampered cache (content edited, checksum left) is ignored with EP303 and rebuilt under auto', async () => {
  const { dir, uc, file, text } = cachedSite();
  const forged = text.replace('"beta:Second"', '"evil:Payload"');
  assert.notEqual(forged, text);
  fs.writeFileSync(file, forged);
  await assertIgnoredAndHealed(dir, uc, 'EP303', 'corrupt');
  assert.ok(!fs.readFileSync(file, 'utf8').includes('evil'), 'the forged content is gone');
});

test('a user-cache file that describes another directory is ignored with EP308', async () => {
  // Two zip path entries: the cache of one copied to the other's user-cache name.
  const uc = userCache();
  const a = zipSite('a');
  const b = zipSite('b');
  assert.equal(buildCache(a, { userCacheDir: uc }).outcome, 'written');
  const fa = userLocation(uc, a).file;
  const fb = userLocation(uc, b).file;
  fs.copyFileSync(fa, fb);
  fs.chmodSync(fb, 0o600);
  await assertIgnoredAndHealed(b, uc, 'EP308', 'foreign');
});

// ---------------------------------------------------------------------------------------------
// Symlinks

test('a symlink planted at the cache path is never followed: EP304, its target untouched, replaced by a real file on rewrite', async () => {
  const { dir, uc, file, text } = cachedSite();
  // The target is a perfectly valid (re-signed) cache that lies: believing it would be wrong.
  const victim = path.join(tempDir('epindex-victim-'), 'victim.json');
  const lie = forge(text, (body) => body.replace('"beta:Second"', '"evil:Payload"'));
  fs.writeFileSync(victim, lie);
  const victimStat = fs.statSync(victim, { bigint: true });
  fs.rmSync(file);
  fs.symlinkSync(victim, file);

  const status = cacheStatusOf(dir, { userCacheDir: uc });
  assert.equal(status.state, 'untrusted');
  assert.match(String(status.reason), /symbolic link/);
  await assertIgnoredAndHealed(dir, uc, 'EP304', 'untrusted');

  assert.ok(fs.lstatSync(file).isFile() && !fs.lstatSync(file).isSymbolicLink(), 'the rewrite replaced the link with a real file');
  assert.equal(fs.readFileSync(victim, 'utf8'), lie, 'the link target was not written to');
  const after = fs.statSync(victim, { bigint: true });
  assert.equal(after.mtimeNs, victimStat.mtimeNs);
  assert.equal(after.ino, victimStat.ino);
});

test('a symlink planted at the cache directory (.epindex) is never followed for reading or writing', async () => {
  const { dir, uc } = cachedSite();
  const holder = path.dirname(cacheFile(dir));
  const elsewhere = tempDir('epindex-elsewhere-');
  // The other directory holds a lying but valid cache under the expected name.
  fs.writeFileSync(path.join(elsewhere, path.basename(cacheFile(dir))), forge(fs.readFileSync(cacheFile(dir), 'utf8'), (body) => body.replace('"beta:Second"', '"evil:Payload"')));
  fs.rmSync(holder, { recursive: true });
  fs.symlinkSync(elsewhere, holder);
  const before = fs.readdirSync(elsewhere).map((n) => [n, fs.readFileSync(path.join(elsewhere, n), 'utf8')]);

  const o = { userCacheDir: uc };
  assert.equal(cacheStatusOf(dir, o).state, 'untrusted');
  const prefer = loadPathEntry(dir, 'prefer', o);
  assert.deepEqual(prefer.diagnostics.map((d) => d.code), ['EP304']);
  assert.deepEqual(view(prefer.view), freshView(dir));
  const auto = loadPathEntry(dir, 'auto', o);
  assert.deepEqual(view(auto.view), freshView(dir));
  assert.deepEqual(auto.diagnostics.map((d) => d.code), ['EP304'], 'the in-directory write is refused; the user cache takes it');
  assert.deepEqual(fs.readdirSync(elsewhere).map((n) => [n, fs.readFileSync(path.join(elsewhere, n), 'utf8')]), before, 'nothing was written through the link');
  assert.ok(fs.lstatSync(holder).isSymbolicLink());
  const status = cacheStatusOf(dir, o);
  assert.deepEqual([status.state, status.location], ['fresh', 'user']);
});

test('a path entry spelled through a symlink keeps a trusted cache (the link itself is not the directory)', async () => {
  const dir = site();
  const uc = userCache();
  const link = path.join(tempDir('epindex-link-'), 'site-packages');
  fs.symlinkSync(dir, link);
  const o = { userCacheDir: uc };
  assert.equal(buildCache(link, o).outcome, 'written');
  const status = cacheStatusOf(link, o);
  assert.equal(status.state, 'fresh', `${status.state}: ${status.reason}`);
  const load = loadPathEntry(link, 'only', o);
  assert.equal(load.source, 'cache');
  assert.deepEqual(load.diagnostics, []);
  assert.deepEqual(view(load.view), freshView(link));
  assert.equal(loadPathEntry(link, 'auto', o).source, 'cache', 'auto does not rewrite a trusted cache on every lookup');
});

// ---------------------------------------------------------------------------------------------
// Trust: who could have written the cache

test('a world-writable cache file is untrusted (EP304) and replaced under auto by a file that is not', async () => {
  const { dir, uc, file } = cachedSite();
  fs.chmodSync(file, 0o666);
  await assertIgnoredAndHealed(dir, uc, 'EP304', 'untrusted');
  assert.equal(fs.statSync(file).mode & 0o022, 0);
});

test('a cache file group-writable by a group that cannot write the directory is untrusted (EP304)', async () => {
  const { dir, uc, file } = cachedSite();
  fs.chmodSync(dir, 0o755);
  fs.chmodSync(file, 0o664);
  await assertIgnoredAndHealed(dir, uc, 'EP304', 'untrusted');
});

test('a world-writable directory (no sticky bit): its cache, written by root, is still believed, but nothing is written there; auto writes to the user cache', async () => {
  const { dir, uc } = cachedSite();
  fs.chmodSync(dir, 0o777);
  const o = { userCacheDir: uc };
  assert.equal(cacheStatusOf(dir, o).state, 'fresh', 'nobody else can have written a file and holder that are ours');
  writeTree(dir, distInfo('later', '1.0', ep({ 'epi.plugins': { later: 'later:Plugin' } })));
  assert.equal(cacheStatusOf(dir, o).state, 'stale');
  const inDirBytes = fs.readFileSync(cacheFile(dir));
  const auto = loadPathEntry(dir, 'auto', o);
  assert.deepEqual(fs.readFileSync(cacheFile(dir)), inDirBytes, 'the in-directory cache is not rewritten in a directory others can change');
  assert.deepEqual(view(auto.view), freshView(dir));
  const user = userLocation(uc, dir).file;
  assert.ok(fs.existsSync(user), 'written to the private user cache');
  const status = cacheStatusOf(dir, o);
  assert.equal(status.state, 'fresh');
  assert.equal(status.location, 'user');
  const only = loadPathEntry(dir, 'only', o);
  assert.equal(only.source, 'cache');
  assert.deepEqual(view(only.view), freshView(dir));
});

test('a cache file owned by another user in a root-owned directory is untrusted (EP304)', { skip: IS_ROOT ? false : 'giving a file to another user needs root' }, async () => {
  const { dir, uc, file } = cachedSite();
  assert.equal(fs.statSync(dir).uid, 0);
  fs.chownSync(file, NOBODY, NOBODY);
  const status = cacheStatusOf(dir, { userCacheDir: uc });
  assert.equal(status.state, 'untrusted');
  assert.match(String(status.reason), new RegExp(`uid ${NOBODY}`));
  await assertIgnoredAndHealed(dir, uc, 'EP304', 'untrusted');
  assert.equal(fs.statSync(file).uid, 0, 'the rewrite belongs to root');
});

test('a cache directory (.epindex) owned by another user is untrusted (EP304)', { skip: IS_ROOT ? false : 'giving a directory to another user needs root' }, async () => {
  const { dir, uc } = cachedSite();
  fs.chownSync(path.dirname(cacheFile(dir)), NOBODY, NOBODY);
  const status = cacheStatusOf(dir, { userCacheDir: uc });
  assert.equal(status.state, 'untrusted');
  assert.match(String(status.reason), /its directory belongs to uid 65534, neither you nor root/);
});

function zipSite(tag: string): string {
  const { zipSync, strToU8 } = createRequire(import.meta.url)('fflate') as typeof import('fflate');
  const file = path.join(tempDir(`epindex-zip-${tag}-`), `${tag}.zip`);
  fs.writeFileSync(file, zipSync({
    [`zipped${tag}-1.0.dist-info/METADATA`]: strToU8(`Metadata-Version: 2.1\nName: zipped${tag}\nVersion: 1.0\n`),
    [`zipped${tag}-1.0.dist-info/entry_points.txt`]: strToU8(ep({ 'epi.plugins': { [`z${tag}`]: `zipped${tag}:Plugin` } })),
  }));
  return file;
}

test('S1: a user cache directory writable by group or others is untrusted (EP304) and never chmod\'ed; one only readable by others is trusted', () => {
  for (const mode of [0o770, 0o722, 0o757, 0o755, 0o701]) {
    const uc = userCache();
    const zip = zipSite('u');
    assert.equal(buildCache(zip, { userCacheDir: uc }).outcome, 'written');
    const holder = path.dirname(userLocation(uc, zip).file);
    assert.equal(cacheStatusOf(zip, { userCacheDir: uc }).state, 'fresh', 'control: mode 0700 is trusted');
    fs.chmodSync(holder, mode);
    const status = cacheStatusOf(zip, { userCacheDir: uc });
    const writable = (mode & 0o022) !== 0;
    assert.equal(status.state, writable ? 'untrusted' : 'fresh', `mode ${mode.toString(8)}: ${status.reason}`);
    if (writable) {
      assert.match(String(status.reason), /writable by group or others/);
      const auto = loadPathEntry(zip, 'auto', { userCacheDir: uc });
      assert.equal(auto.source, 'scan');
      assert.deepEqual(auto.diagnostics.map((d) => d.code), ['EP304', 'EP306'], 'ignored, and not written there either');
      assert.deepEqual(view(auto.view), freshView(zip));
    }
    assert.equal(fs.statSync(holder).mode & 0o777, mode, 'its mode is the user\'s: never changed');
  }
});

test('a group-writable or foreign-owned user-cache file is untrusted (EP304)', async () => {
  const uc = userCache();
  const zip = zipSite('g');
  assert.equal(buildCache(zip, { userCacheDir: uc }).outcome, 'written');
  const file = userLocation(uc, zip).file;
  fs.chmodSync(file, 0o620);
  await assertIgnoredAndHealed(zip, uc, 'EP304', 'untrusted');
  if (IS_ROOT) {
    fs.chownSync(file, NOBODY, NOBODY);
    assert.equal(cacheStatusOf(zip, { userCacheDir: uc }).state, 'untrusted');
  }
});

// ---------------------------------------------------------------------------------------------
// Read-only

function assertUserCacheUsed(dir: string, uc: string): void {
  const o = { userCacheDir: uc };
  const fresh = freshView(dir);
  const auto = loadPathEntry(dir, 'auto', o);
  assert.deepEqual(view(auto.view), fresh);
  assert.ok(!auto.diagnostics.some((d) => d.code === 'EP306'), 'not a failure: the user cache is the right place');
  const status = cacheStatusOf(dir, o);
  assert.equal(status.state, 'fresh');
  assert.equal(status.location, 'user');
  assert.equal(status.file, userLocation(uc, dir).file);
  const only = loadPathEntry(dir, 'only', o);
  assert.equal(only.source, 'cache');
  assert.deepEqual(view(only.view), fresh);
}

test('a directory on a read-only filesystem falls back to the user cache (tmpfs remounted ro)', (t) => {
  const m = mountTmpfs('4m');
  if (m.dir === null) return t.skip(m.why);
  try {
    writeTree(m.dir, distInfo('ro', '1.0', ep({ 'epi.plugins': { ro: 'ro:Plugin' } })));
    const r = remount(m.dir, 'ro');
    if (!r.ok) return t.skip(r.why);
    const uc = userCache();
    assertUserCacheUsed(m.dir, uc);
    assert.ok(!fs.existsSync(path.join(m.dir, '.epindex')));
    // The CLI too.
    const built = runCli(['cache', 'build', m.dir, '--json'], { EPINDEX_CACHE_DIR: uc });
    assert.equal(built.status, 0, built.stderr);
    const list = runCli(['list', '--path', m.dir, '--cache', 'only', '--json'], { EPINDEX_CACHE_DIR: uc });
    assert.equal((JSON.parse(list.stdout) as { entryPoints: unknown[] }).entryPoints.length, 1);
  } finally {
    m.unmount();
  }
});

test('a read-only bind mount of a directory with a stale in-directory cache answers correctly from the user cache', (t) => {
  const src = site();
  const uc = userCache();
  assert.equal(buildCache(src, { userCacheDir: uc }).outcome, 'written');
  const m = roBind(src);
  if (m.dir === null) return t.skip(m.why);
  try {
    writeTree(src, distInfo('late', '1.0', ep({ 'epi.plugins': { late: 'late:Plugin' } })));
    const o = { userCacheDir: uc };
    // Seen through the mount, the cache describes another real path (the source directory).
    assert.equal(cacheStatusOf(m.dir, o).state, 'foreign');
    const auto = loadPathEntry(m.dir, 'auto', o);
    assert.deepEqual(view(auto.view), freshView(m.dir));
    assert.deepEqual(auto.diagnostics.map((d) => d.code), ['EP308']);
    const status = cacheStatusOf(m.dir, o);
    assert.equal(status.state, 'fresh');
    assert.equal(status.location, 'user');
    assert.equal(loadPathEntry(m.dir, 'only', o).source, 'cache', 'the stale in-directory cache is passed over for the fresh user cache');
  } finally {
    m.unmount();
  }
});

test('a read-only filesystem (injected EROFS) falls back to the user cache', () => {
  const dir = site();
  const uc = userCache();
  const orig = fs.accessSync;
  withPatchedFs('accessSync', ((p: fs.PathLike, mode?: number) => {
    if (String(p) === dir && mode !== undefined && (mode & fs.constants.W_OK) !== 0) throw errnoError('EROFS', 'access');
    return orig(p, mode);
  }) as typeof fs.accessSync, () => assertUserCacheUsed(dir, uc));
  assert.ok(!fs.existsSync(path.join(dir, '.epindex')), 'nothing written in the read-only directory');
});

test('a fresh but racy in-directory cache that auto cannot rewrite is used as it is, not re-scanned into the user cache on every lookup', async () => {
  // `pip install … && epi cache build` by root: the build runs within 2 s of the install, so
  // its stamps are racy. Users who cannot write the directory must still get the cheap path.
  const dir = site();
  const uc = userCache();
  assert.equal(buildCache(dir, { userCacheDir: uc }).outcome, 'written');
  await settle([dir]);
  const v = verdict(dir, 'stat');
  assert.ok(v.fresh && v.worthRewriting, 'precondition: fresh, racy, and old enough to be rewritten');
  const cacheBytes = fs.readFileSync(cacheFile(dir));
  const orig = fs.accessSync;
  withPatchedFs('accessSync', ((p: fs.PathLike, mode?: number) => {
    if (String(p) === dir && mode !== undefined && (mode & fs.constants.W_OK) !== 0) throw errnoError('EROFS', 'access');
    return orig(p, mode);
  }) as typeof fs.accessSync, () => {
    for (let i = 0; i < 3; i++) {
      const auto = loadPathEntry(dir, 'auto', { userCacheDir: uc });
      assert.equal(auto.source, 'cache', `lookup ${i + 1} is answered by the in-directory cache`);
      assert.deepEqual(auto.diagnostics, []);
      assert.deepEqual(view(auto.view), freshView(dir));
    }
  });
  assert.ok(!fs.existsSync(userLocation(uc, dir).file), 'no user-cache copy is written');
  assert.deepEqual(fs.readFileSync(cacheFile(dir)), cacheBytes);
  // Whoever can write the directory does rewrite it, after which its stamps are no longer racy.
  assert.equal(loadPathEntry(dir, 'auto', { userCacheDir: uc }).source, 'scan');
  assert.deepEqual(verdict(dir, 'stat'), { fresh: true, worthRewriting: false });
  assert.equal(loadPathEntry(dir, 'auto', { userCacheDir: uc }).source, 'cache');
});

/**
 * A directory its own user cannot write (mode 0555): run as an unprivileged user when we are
 * root (root ignores the mode), as ourselves otherwise.
 */
test('a read-only directory (mode 0555, its owner not root) falls back to the user cache, with correct results', () => {
  const base = tempDir('epindex-ro-');
  fs.chmodSync(base, 0o755);
  const dir = writeTree(path.join(base, 'site'), {
    ...distInfo('alpha', '1.0', ep({ 'epi.plugins': { first: 'alpha:First' } })),
    ...distInfo('beta', '2.0', ep({ 'epi.plugins': { second: 'beta:Second' } })),
  });
  const uc = path.join(base, 'ucache');
  fs.mkdirSync(uc, { mode: 0o700 });
  const user = IS_ROOT ? NOBODY : undefined;
  chownTree(base, NOBODY);
  fs.chmodSync(dir, 0o555);
  try {
    const env = { EPINDEX_CACHE_DIR: uc };
    const expected = runCli(['list', '--path', dir, '--cache', 'scan', '--json'], env, user);
    assert.equal(expected.status, 0, expected.stderr);
    const got = runCli(['list', '--path', dir, '--json'], env, user);
    assert.equal(got.status, 0, got.stderr);
    const parsed = JSON.parse(got.stdout) as { entryPoints: unknown[]; diagnostics: Array<{ code: string }> };
    assert.deepEqual(parsed.entryPoints, (JSON.parse(expected.stdout) as { entryPoints: unknown[] }).entryPoints);
    assert.equal(parsed.entryPoints.length, 2);
    assert.deepEqual(parsed.diagnostics, [], 'no failure: the user cache was used');
    assert.ok(!fs.existsSync(path.join(dir, '.epindex')), 'nothing written in the read-only directory');
    const status = JSON.parse(runCli(['cache', 'status', '--path', dir, '--json'], env, user).stdout) as { entries: Array<{ state: string; location: string; file: string }> };
    assert.equal(status.entries[0]!.state, 'fresh');
    assert.equal(status.entries[0]!.location, 'user');
    assert.ok(status.entries[0]!.file.startsWith(uc + path.sep));
    if (IS_ROOT) assert.equal(fs.statSync(status.entries[0]!.file).uid, NOBODY, 'the cache belongs to the user who wrote it');
    const only = runCli(['list', '--path', dir, '--cache', 'only', '--json'], env, user);
    assert.deepEqual((JSON.parse(only.stdout) as { entryPoints: unknown[] }).entryPoints, parsed.entryPoints);
  } finally {
    fs.chmodSync(dir, 0o755);
  }
});

test('an unwritable .epindex (another owner) never stops a lookup or a build: both use the user cache, with correct results', () => {
  const base = tempDir('epindex-perm-');
  fs.chmodSync(base, 0o755);
  const dir = writeTree(path.join(base, 'site'), distInfo('alpha', '1.0', ep({ 'epi.plugins': { first: 'alpha:First' } })));
  const uc = path.join(base, 'ucache');
  fs.mkdirSync(uc, { mode: 0o700 });
  const user = IS_ROOT ? NOBODY : undefined;
  chownTree(base, NOBODY);
  // .epindex exists but its owner (root, or ourselves with mode 0555) does not let the writer in.
  const holder = path.join(dir, '.epindex');
  fs.mkdirSync(holder, { mode: 0o755 });
  if (!IS_ROOT) fs.chmodSync(holder, 0o555);
  try {
    const env = { EPINDEX_CACHE_DIR: uc };
    const expected = runCli(['list', '--path', dir, '--cache', 'scan', '--json'], env, user);
    const got = runCli(['list', '--path', dir, '--json'], env, user);
    assert.equal(got.status, 0, got.stderr);
    const parsed = JSON.parse(got.stdout) as { entryPoints: unknown[]; diagnostics: Array<{ code: string; message: string }> };
    assert.deepEqual(parsed.entryPoints, (JSON.parse(expected.stdout) as { entryPoints: unknown[] }).entryPoints);
    assert.equal(parsed.entryPoints.length, 1);
    assert.deepEqual(parsed.diagnostics.map((d) => d.code), [], 'a lookup writes only to the user cache when the directory has no cache of its own');
    assert.deepEqual(fs.readdirSync(holder), [], 'no cache and no temporary file');
    const build = runCli(['cache', 'build', dir, '--json'], env, user);
    assert.equal(build.status, 0, build.stderr);
    const result = (JSON.parse(build.stdout) as { results: Array<{ outcome: string; location: string; reason: string }> }).results[0]!;
    assert.deepEqual([result.outcome, result.location], ['written', 'user'], 'the explicit build falls back to the user cache, and says so');
    assert.match(result.reason, /user cache/);
    assert.deepEqual(fs.readdirSync(holder), []);
  } finally {
    fs.chmodSync(holder, 0o755);
  }
});

// ---------------------------------------------------------------------------------------------
// ENOSPC

/**
 * The full-disk assertions when only the directory's filesystem is full: correct results, the
 * old in-directory cache untouched, no temporary file, the fresh cache in the user cache.
 */
function assertFullDisk(dir: string, uc: string, oldBytes: Buffer): void {
  const o = { userCacheDir: uc };
  assert.equal(cacheStatusOf(dir, o).state, 'stale', 'precondition: the cache is stale');
  const auto = loadPathEntry(dir, 'auto', o);
  assert.equal(auto.source, 'scan');
  assert.deepEqual(view(auto.view), freshView(dir));
  assert.deepEqual(auto.diagnostics.map((d) => d.code), ['EP305'], 'the user cache took the write');
  assert.deepEqual(fs.readFileSync(cacheFile(dir)), oldBytes, 'the old cache is untouched');
  assert.deepEqual(tmpFiles(dir), [], 'the temporary file was removed');
  const status = cacheStatusOf(dir, o);
  assert.deepEqual([status.state, status.location], ['fresh', 'user']);
  assert.equal(loadPathEntry(dir, 'only', o).source, 'cache');
}

test('a full disk where the directory lives (ENOSPC on a tiny tmpfs): correct results, the old cache untouched, the user cache used', (t) => {
  const m = mountTmpfs('256k');
  if (m.dir === null) return t.skip(`${m.why}; the injected ENOSPC test below covers the same path`);
  try {
    const dir = writeTree(path.join(m.dir, 'site'), {
      ...distInfo('alpha', '1.0', ep({ 'epi.plugins': { first: 'alpha:First' } })),
      ...distInfo('beta', '2.0', ep({ 'epi.plugins': { second: 'beta:Second' } })),
    });
    const uc = userCache();
    assert.equal(buildCache(dir, { userCacheDir: uc }).outcome, 'written');
    const oldBytes = fs.readFileSync(cacheFile(dir));
    writeTree(dir, distInfo('gamma', '3.0', ep({ 'epi.plugins': { third: 'gamma:Third' } })));
    // Fill the filesystem.
    const filler = path.join(m.dir, 'filler');
    const fd = fs.openSync(filler, 'w');
    try {
      const chunk = Buffer.alloc(4096, 1);
      for (;;) fs.writeSync(fd, chunk);
    } catch (e) {
      assert.equal((e as NodeJS.ErrnoException).code, 'ENOSPC');
    } finally {
      fs.closeSync(fd);
    }
    assertFullDisk(dir, uc, oldBytes);
    // The CLI: `cache build` writes to the user cache and says so; `list` answers correctly.
    const env = { EPINDEX_CACHE_DIR: uc };
    const build = runCli(['cache', 'build', '--force', dir, '--json'], env);
    assert.equal(build.status, 0, build.stderr);
    const res = (JSON.parse(build.stdout) as { results: Array<{ outcome: string; location: string }> }).results[0]!;
    assert.deepEqual([res.outcome, res.location], ['written', 'user']);
    const list = runCli(['list', '--path', dir, '--json'], env);
    assert.equal(list.status, 0);
    const parsed = JSON.parse(list.stdout) as { entryPoints: unknown[]; diagnostics: Array<{ code: string }> };
    assert.equal(parsed.entryPoints.length, 3);
    // Space again: an explicit build writes the directory's own cache again.
    fs.rmSync(filler);
    assert.equal(buildCache(dir, { userCacheDir: uc, force: true }).location, 'in-directory');
    assert.equal(cacheStatusOf(dir, { userCacheDir: uc }).location, 'in-directory');
  } finally {
    m.unmount();
  }
});

test('a full disk everywhere (injected ENOSPC on write) degrades to scanning with one EP306 and correct results', () => {
  const { dir, uc, file } = cachedSite();
  const oldBytes = fs.readFileSync(file);
  writeTree(dir, distInfo('gamma2', '3.0', ep({ 'epi.plugins': { third: 'gamma:Third' } })));
  withPatchedFs('writeSync', (() => {
    throw errnoError('ENOSPC', 'write');
  }) as typeof fs.writeSync, () => {
    const o = { userCacheDir: uc };
    const auto = loadPathEntry(dir, 'auto', o);
    assert.equal(auto.source, 'scan');
    assert.deepEqual(view(auto.view), freshView(dir));
    assert.deepEqual(auto.diagnostics.map((d) => d.code), ['EP305', 'EP306']);
    assert.match(auto.diagnostics[1]!.message, /ENOSPC.*in the directory, and .*ENOSPC.* in the user cache/);
    assert.deepEqual(fs.readFileSync(cacheFile(dir)), oldBytes, 'the old cache is untouched');
    assert.deepEqual(tmpFiles(dir), [], 'the temporary file was removed');
    const built = buildCache(dir, o);
    assert.equal(built.outcome, 'failed');
    assert.deepEqual(built.diagnostics.map((d) => d.code), ['EP306']);
    assert.equal(cacheStatusOf(dir, o).state, 'stale');
  });
  assert.deepEqual(view(loadPathEntry(dir, 'auto', { userCacheDir: uc }).view), freshView(dir));
  assert.equal(cacheStatusOf(dir, { userCacheDir: uc }).state, 'fresh');
});

test('a full disk at fsync time (injected ENOSPC/EDQUOT) leaves no cache and no temporary file', () => {
  const dir = site();
  const uc = userCache();
  for (const code of ['ENOSPC', 'EDQUOT']) {
    const out = withPatchedFs('fsyncSync', (() => {
      throw errnoError(code, 'fsync');
    }) as typeof fs.fsyncSync, () => loadPathEntry(dir, 'auto', { userCacheDir: uc }));
    assert.deepEqual(view(out.view), freshView(dir));
    assert.deepEqual(out.diagnostics.map((d) => d.code), ['EP306']);
    assert.ok(!fs.existsSync(cacheFile(dir)));
    assert.deepEqual(tmpFiles(dir), []);
  }
  assert.equal(scanPathEntry(dir).units.length, 3);
});
