/**
 * Issue 17, S1/S2/K2: the user cache root (docs/spec.md §5.1, §5.5 "The user cache root").
 * epindex sets modes only on directories it created; a root that someone else controls (its
 * owner, a group-writable directory or a link on its path, a relative path) is not trusted:
 * nothing is read or written under it — caches of entry points, the interpreter cache, the V8
 * code cache — and a lookup says so once (EP309) and scans.
 *
 * The tests that need another user chown temporary directories to uid 65534 (nobody), as the
 * issue's repro does: they need root, which CI has.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { CACHE_VERSION } from '../../src/cache/format.js';
import { IN_DIR_CACHE_DIR, IN_DIR_CACHE_FILE, userLocation } from '../../src/cache/location.js';
import { forgetUserRootVerdicts, userCacheDir, userRootProblem } from '../../src/cache/user-root.js';
import { epi } from '../support/cli.js';
import { tempDir, writeTree } from '../support/fixtures.js';
import { buildCache, cacheStatusOf, chownTree, IS_ROOT, lookup, NOBODY, runCli, site } from './helpers.js';

/** The user cache's holder of entry-point caches (`entry-points.v<format version>`). */
const HOLDER = `entry-points.v${CACHE_VERSION}`;
const NEEDS_ROOT = IS_ROOT ? false : 'needs root: chowns directories to uid 65534 (nobody)';

/** Every path under `root`, relative (what must stay as it was). */
function tree(root: string): string[] {
  const out: string[] = [];
  const walk = (p: string): void => {
    const st = fs.lstatSync(p);
    out.push(`${path.relative(root, p) || '.'} ${(st.mode & 0o7777).toString(8)} ${st.uid}`);
    if (st.isDirectory()) for (const n of fs.readdirSync(p).sort()) walk(path.join(p, n));
  };
  walk(root);
  return out;
}

interface Listed {
  entryPoints: { name: string }[];
  diagnostics: { code: string; file?: string; message: string }[];
}

/** `epi list --json` on `dirs` with `env`, the code cache on (it is under test too). */
function list(dirs: string[], env: Record<string, string>, extra: string[] = []): Listed {
  const r = runCli(['list', ...dirs.flatMap((d) => ['--path', d]), '--json', ...extra], { EPINDEX_CODE_CACHE: '1', ...env });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Listed;
}

const codes = (l: Listed, code: string): Listed['diagnostics'] => l.diagnostics.filter((d) => d.code === code);

/** An environment whose user cache root comes from HOME alone. */
const homeOnly = (home: string): Record<string, string> => ({ HOME: home, EPINDEX_CACHE_DIR: '', XDG_CACHE_HOME: '' });

test('S1: an existing cache root keeps its mode', () => {
  for (const mode of [0o755, 0o711, 0o700]) {
    const base = tempDir('epindex-s1-');
    const shared = path.join(base, 'shared');
    fs.mkdirSync(shared);
    fs.chmodSync(shared, mode);
    const dir = site();
    const l = list([dir], { EPINDEX_CACHE_DIR: shared });
    assert.deepEqual(l.entryPoints.map((e) => e.name).sort(), ['alpha', 'first', 'second']);
    assert.equal(fs.statSync(shared).mode & 0o7777, mode, `mode ${mode.toString(8)} kept`);
    assert.deepEqual(codes(l, 'EP309'), [], 'a root nobody else can write is trusted, whatever its read bits');
    // What epindex made there is private: it created those.
    assert.equal(fs.statSync(path.join(shared, HOLDER)).mode & 0o777, 0o700);
    assert.equal(fs.statSync(userLocation(shared, dir).file).mode & 0o777, 0o600);
  }
});

test('S1: a group-writable root is neither tightened nor used (EP309 once), and lookups still answer', () => {
  const base = tempDir('epindex-s1g-');
  const shared = path.join(base, 'shared');
  fs.mkdirSync(shared);
  fs.chmodSync(shared, 0o775);
  const dirs = [site(), site(), site()];
  const l = list(dirs, { EPINDEX_CACHE_DIR: shared });
  assert.equal(l.entryPoints.length, 3, "the first of three identical sites wins");
  const warned = codes(l, 'EP309');
  assert.equal(warned.length, 1, 'one diagnostic for the lookup, not one per directory');
  assert.equal(warned[0]!.file, shared);
  assert.match(warned[0]!.message, /writable by group or others.*no user cache is read or written/);
  assert.equal(fs.statSync(shared).mode & 0o7777, 0o775);
  assert.deepEqual(fs.readdirSync(shared), [], 'nothing written: no cache, no code cache');
  // cache build says why it could not write, per directory (one that cannot hold its own cache:
  // writable by its group).
  fs.chmodSync(dirs[0]!, 0o775);
  const built = runCli(['cache', 'build', dirs[0]!, '--json'], { EPINDEX_CACHE_DIR: shared });
  assert.notEqual(built.status, 0);
  assert.match(built.stdout + built.stderr, /user cache root not trusted/);
  assert.deepEqual(fs.readdirSync(shared), []);
});

test('K2: a relative EPINDEX_CACHE_DIR is refused (one EP309), never resolved against the working directory', () => {
  const cwd = tempDir('epindex-k2-');
  const dir = site();
  const r = runCli(['list', '--path', dir, '--path', site(), '--json'], { EPINDEX_CACHE_DIR: 'rel/cache', EPINDEX_CODE_CACHE: '1' });
  // runCli runs in `/`; run here too, where a cache tree would show.
  const here = epi(['list', '--path', dir, '--json'], { EPINDEX_CACHE_DIR: 'rel/cache', EPINDEX_CODE_CACHE: '1' }, { cwd });
  for (const out of [r, here]) {
    assert.equal(out.status, 0, out.stderr);
    const l = JSON.parse(out.stdout) as Listed;
    assert.deepEqual(codes(l, 'EP309').map((d) => [d.file, /relative path/.test(d.message)]), [['rel/cache', true]]);
  }
  assert.deepEqual(fs.readdirSync(cwd), [], 'no cache tree where the command ran');
  assert.equal(fs.existsSync('/rel'), false);
});

test('S2: root does not follow another user\'s ~/.cache/epindex symlink (sudo keeping HOME)', { skip: NEEDS_ROOT }, () => {
  const base = tempDir('epindex-s2-');
  fs.chmodSync(base, 0o755);
  const home = path.join(base, 'home');
  const victim = path.join(base, 'victim');
  fs.mkdirSync(path.join(home, '.cache'), { recursive: true });
  fs.mkdirSync(victim, { mode: 0o755 });
  fs.symlinkSync(victim, path.join(home, '.cache', 'epindex'));
  chownTree(home, NOBODY);
  const before = tree(victim);
  const dir = site();
  const l = list([dir, site()], homeOnly(home));
  assert.equal(l.entryPoints.length, 3);
  assert.equal(codes(l, 'EP309').length, 1);
  assert.match(codes(l, 'EP309')[0]!.message, /uid 65534/);
  // The interpreter cache and the code cache too: a lookup through an interpreter.
  const py = runCli(['list', '--json'], { ...homeOnly(home), EPINDEX_CODE_CACHE: '1' });
  assert.equal(py.status, 0, py.stderr);
  assert.deepEqual(tree(victim), before, 'nothing created in the link\'s target');
  assert.deepEqual(fs.readdirSync(path.join(home, '.cache')), ['epindex']);
});

test('S2: a user cache root whose ancestor another user owns (XDG_CACHE_HOME of uid 65534) is neither written nor believed', { skip: NEEDS_ROOT }, async () => {
  const base = tempDir('epindex-s2x-');
  fs.chmodSync(base, 0o755);
  const xdg = path.join(base, 'xdg');
  fs.mkdirSync(xdg, { mode: 0o755 });
  const dir = site();
  const env = { XDG_CACHE_HOME: xdg, EPINDEX_CACHE_DIR: '' };
  // While root owns it, it is root's cache: written and believed.
  assert.equal(list([dir], env).entryPoints.length, 3);
  const root = path.join(xdg, 'epindex');
  assert.equal(cacheStatusOf(dir, { userCacheDir: root }).state, 'fresh');
  // Then it is given to another user, who could now swap anything in it.
  fs.chownSync(xdg, NOBODY, NOBODY);
  forgetUserRootVerdicts();
  const only = list([dir], env, ['--cache', 'only']);
  assert.deepEqual(only.entryPoints, [], 'the cache there is not believed');
  assert.deepEqual(only.diagnostics.map((d) => d.code).sort(), ['EP307', 'EP309']);
  const before = tree(xdg);
  const auto = list([dir, site()], env);
  assert.equal(auto.entryPoints.length, 3, "lookups scan");
  assert.equal(codes(auto, 'EP309').length, 1);
  assert.deepEqual(tree(xdg), before, 'and write nothing there');
  // The library says the same.
  const r = await lookup([dir], 'auto', { userCacheDir: root });
  assert.deepEqual(r.codes, ['EP309']);
  assert.equal(buildCache(dir, { userCacheDir: root, inDirectory: false }).outcome, 'failed');
  assert.deepEqual(tree(xdg), before);
});

test('S2: the root\'s path is checked component by component (table)', { skip: NEEDS_ROOT }, () => {
  const base = tempDir('epindex-s2t-');
  fs.chmodSync(base, 0o755);
  const mk = (p: string, mode = 0o755, uid = 0): string => {
    fs.mkdirSync(p, { recursive: true });
    fs.chmodSync(p, mode);
    fs.lchownSync(p, uid, uid);
    return p;
  };
  const ours = mk(path.join(base, 'ours'));
  const theirs = mk(path.join(base, 'theirs'), 0o755, NOBODY);
  const sticky = mk(path.join(base, 'sticky'), 0o1777);
  const open = mk(path.join(base, 'open'), 0o777);
  mk(path.join(ours, 'real', 'root'), 0o700);
  fs.symlinkSync(path.join(ours, 'real'), path.join(ours, 'link'));
  fs.symlinkSync(path.join(ours, 'real', 'root'), path.join(ours, 'rootlink'));
  fs.symlinkSync(path.join(ours, 'real'), path.join(sticky, 'theirlink'));
  fs.lchownSync(path.join(sticky, 'theirlink'), NOBODY, NOBODY);
  fs.symlinkSync(path.join(theirs), path.join(ours, 'totheirs'));
  mk(path.join(theirs, 'root'), 0o700);
  mk(path.join(sticky, 'mine'), 0o700);
  mk(path.join(sticky, 'nobodys'), 0o700, NOBODY);
  mk(path.join(open, 'root'), 0o700);
  const cases: [string, string, RegExp | null][] = [
    ['an existing root of ours', path.join(ours, 'real', 'root'), null],
    ['a missing root under directories of ours', path.join(ours, 'new', 'deeper'), null],
    ['an ancestor that is a link of ours', path.join(ours, 'link', 'root'), null],
    ['a directory of ours in a sticky directory', path.join(sticky, 'mine'), null],
    ['the root itself a link, even of ours', path.join(ours, 'rootlink'), /is a symbolic link/],
    ['an ancestor another user owns', path.join(theirs, 'root'), /belongs to uid 65534/],
    ['a link to a directory another user owns', path.join(ours, 'totheirs', 'root'), /belongs to uid 65534/],
    ['a link another user owns in a sticky directory', path.join(sticky, 'theirlink', 'root'), /symbolic link of uid 65534/],
    ['a root another user owns in a sticky directory', path.join(sticky, 'nobodys'), /belongs to uid 65534, not to you/],
    ['a world-writable ancestor without the sticky bit', path.join(open, 'root'), /writable by group or others/],
    ['a relative path', 'relative/root', /relative path/],
    ['three missing components (a $HOME that does not exist)', path.join(ours, 'nohome', '.cache', 'epindex'), /nohome does not exist/],
  ];
  for (const [name, root, expected] of cases) {
    forgetUserRootVerdicts();
    const why = userRootProblem(root);
    if (expected === null) assert.equal(why, null, name);
    else assert.match(String(why), expected, name);
    const made = userCacheDir(root, HOLDER, true);
    assert.equal('dir' in made, expected === null, `${name}: ${JSON.stringify(made)}`);
  }
  // What was made is 0700, and made only where trusted.
  assert.equal(fs.statSync(path.join(ours, 'new')).mode & 0o777, 0o700);
  assert.equal(fs.statSync(path.join(ours, 'new', 'deeper', HOLDER)).mode & 0o777, 0o700);
  assert.deepEqual(fs.readdirSync(path.join(theirs, 'root')), []);
  assert.deepEqual(fs.readdirSync(path.join(open, 'root')), []);
  assert.deepEqual(fs.readdirSync(path.join(ours, 'real', 'root')).sort(), [HOLDER]);
  assert.equal(fs.existsSync(path.join(ours, 'nohome')), false, 'no home directory made');
});

test('S2: the V8 code cache obeys the same rule: written under a trusted root (code/ 0700), never under an untrusted one', () => {
  const base = tempDir('epindex-s2c-');
  const good = path.join(base, 'good');
  fs.mkdirSync(good, { mode: 0o755 });
  const bad = path.join(base, 'bad');
  fs.mkdirSync(bad);
  fs.chmodSync(bad, 0o775);
  for (const [root, trusted] of [[good, true], [bad, false]] as const) {
    const r = runCli(['--version'], { EPINDEX_CACHE_DIR: root, EPINDEX_CODE_CACHE: '1' });
    assert.equal(r.status, 0, r.stderr);
    const code = path.join(root, 'code');
    assert.equal(fs.existsSync(code), trusted, root);
    if (trusted) assert.equal(fs.statSync(code).mode & 0o777, 0o700);
  }
  assert.equal(fs.statSync(good).mode & 0o777, 0o755);
  assert.equal(fs.statSync(bad).mode & 0o777, 0o775);
});

test('S2: a root that is a file, or under one, is no user cache, never a crash', () => {
  const base = tempDir('epindex-s2f-');
  const file = path.join(writeTree(base, { f: 'x' }), 'f');
  for (const root of [file, path.join(file, 'below')]) {
    const l = list([site()], { EPINDEX_CACHE_DIR: root });
    assert.equal(l.entryPoints.length, 3);
    assert.ok(l.diagnostics.some((d) => d.code === 'EP309' || d.code === 'EP306'), JSON.stringify(l.diagnostics));
  }
  assert.equal(fs.readFileSync(file, 'utf8'), 'x');
});

test('15: a directory that holds no candidate gets no in-directory cache — not from a lookup refreshing one, not from a rebuild: the user cache holds it', async () => {
  const uc = path.join(tempDir('epindex-15-'), 'cache');
  // A directory like an interpreter's stdlib or lib-dynload: files, no distribution.
  const stdlib = writeTree(tempDir('epindex-15-stdlib-'), { 'os.py': '', 'json/__init__.py': '' });
  const r = runCli(['cache', 'rebuild', '--path', stdlib, '--json'], { EPINDEX_CACHE_DIR: uc });
  assert.equal(r.status, 0, r.stderr);
  const [built] = (JSON.parse(r.stdout) as { results: { outcome: string; location: string }[] }).results;
  assert.deepEqual([built!.outcome, built!.location], ['written', 'user']);
  assert.equal(fs.existsSync(path.join(stdlib, '.epindex')), false, 'rebuild');
  // A directory whose in-directory cache was built while it held a distribution, which is then
  // removed: the lookup that notices refreshes the cache in the user cache, not in the directory.
  const dir = site();
  assert.equal(buildCache(dir, { userCacheDir: uc }).location, 'in-directory');
  const inDir = path.join(dir, IN_DIR_CACHE_DIR, IN_DIR_CACHE_FILE);
  const before = fs.statSync(inDir).mtimeMs;
  for (const n of fs.readdirSync(dir)) if (n.endsWith('.dist-info')) fs.rmSync(path.join(dir, n), { recursive: true });
  const l = await lookup([dir], 'auto', { userCacheDir: uc });
  assert.deepEqual(l.entryPoints, []);
  assert.equal(fs.statSync(inDir).mtimeMs, before, 'the in-directory cache was not rewritten');
  assert.equal(fs.existsSync(userLocation(uc, fs.realpathSync(dir)).file), true, 'the user cache holds the directory now');
  assert.equal(cacheStatusOf(dir, { userCacheDir: uc }).location, 'user');
});

test('S2: a $HOME that does not exist is no user cache: neither it nor ~/.cache is made (the code cache included)', () => {
  const base = tempDir('epindex-nohome-');
  const home = path.join(base, 'nohome');
  const l = list([site()], homeOnly(home));
  assert.equal(l.entryPoints.length, 3);
  assert.match(codes(l, 'EP309')[0]?.message ?? '', /nohome does not exist/);
  assert.deepEqual(fs.readdirSync(base), [], 'nothing made where HOME points');
});
