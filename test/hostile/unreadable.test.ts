/**
 * Issue 13 item 4: unreadable is a diagnostic, never a crash. Run as a real unprivileged user
 * (uid 65534 when the tests run as root, who ignores permissions; ourselves otherwise) on a copy
 * of the CLI that user can read, in sandboxes that user can reach. importlib.metadata, run as the
 * same user, is the oracle: it answers (it suppresses PermissionError), and so must epindex, with
 * the same entry points for everyone else.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { zipSync } from 'fflate';
import { distInfo, writeTree, type Tree } from '../support/fixtures.js';
import { epi, epiJson, importlibAs, POSIX, rowsOf, sandbox, UNPRIVILEGED, userCacheFor, type ListJSON } from './helpers.js';

const GOOD: Tree = { ...distInfo('good', '1.0', '[console_scripts]\ngood = good:main\n'), ...distInfo('other', '2.0', '[g]\no = other:x\n') };
const te = new TextEncoder();

interface Case {
  readonly rule: string;
  readonly tree: Tree;
  /** Applied after the tree is written (the modes). */
  readonly lock: (site: string) => void;
  readonly code: string;
  /** The file the diagnostic names, relative to the site. */
  readonly file: string;
  /** Extra path entries after the site (a zip). */
  readonly extra?: (dir: string) => string[];
}

const cases: Case[] = [
  { rule: 'a mode-0000 dist-info directory is EP203 for it alone', tree: distInfo('locked', '1.0', '[g]\nl = l:m\n'), lock: (s) => fs.chmodSync(path.join(s, 'locked-1.0.dist-info'), 0o000), code: 'EP203', file: 'locked-1.0.dist-info' },
  { rule: 'a mode-0400 dist-info directory (listable, not searchable) is EP203 for it alone', tree: distInfo('locked', '1.0', '[g]\nl = l:m\n'), lock: (s) => fs.chmodSync(path.join(s, 'locked-1.0.dist-info'), 0o400), code: 'EP203', file: 'locked-1.0.dist-info' },
  { rule: 'a mode-0000 entry_points.txt is EP111; its distribution stays', tree: distInfo('locked', '1.0', '[g]\nl = l:m\n'), lock: (s) => fs.chmodSync(path.join(s, 'locked-1.0.dist-info', 'entry_points.txt'), 0o000), code: 'EP111', file: 'locked-1.0.dist-info/entry_points.txt' },
  { rule: 'a mode-0000 METADATA the version is read from is EP203; the distribution stays', tree: { 'locked.dist-info': { METADATA: 'Name: locked\nVersion: 3\n', 'entry_points.txt': '[g]\nl = l:m\n' } }, lock: (s) => fs.chmodSync(path.join(s, 'locked.dist-info', 'METADATA'), 0o000), code: 'EP203', file: 'locked.dist-info/METADATA' },
  {
    rule: 'a mode-0000 zip on the path is EP203 for it alone',
    tree: {},
    lock: () => undefined,
    code: 'EP203',
    file: '',
    extra: (dir) => {
      const whl = path.join(dir, 'locked-1.0-py3-none-any.whl');
      fs.writeFileSync(whl, zipSync({ 'locked-1.0.dist-info/METADATA': te.encode('Name: locked\n'), 'locked-1.0.dist-info/entry_points.txt': te.encode('[g]\nl = l:m\n') }));
      fs.chmodSync(whl, 0o000);
      return [whl];
    },
  },
];

describe('unreadable', { skip: !POSIX && 'permission bits are POSIX' }, () => {
  for (const c of cases) {
    test(`${c.rule}; every other distribution keeps its entry points, as with importlib`, () => {
      const dir = sandbox();
      const site = writeTree(path.join(dir, 'site'), { ...GOOD, ...c.tree });
      c.lock(site);
      const searchPath = [site, ...(c.extra?.(dir) ?? [])];
      const expected = importlibAs(UNPRIVILEGED, searchPath);
      for (const policy of ['scan', 'auto']) {
        const { ran, json } = epiJson<ListJSON>(['list', '--path', ...searchPath, '--cache', policy], { uid: UNPRIVILEGED, env: { EPINDEX_CACHE_DIR: userCacheFor(UNPRIVILEGED) } });
        assert.equal(ran.status, 0, `--cache ${policy}: exit ${ran.status}: ${ran.stderr}`);
        assert.doesNotMatch(ran.stdout + ran.stderr, /(E[A-Z]+): \1/, 'a system error is named once');
        const d = json.diagnostics.find((x) => x.code === c.code);
        assert.ok(d, `--cache ${policy}: ${c.code} in ${JSON.stringify(json.diagnostics)}`);
        assert.equal(d.file, c.file === '' ? searchPath.at(-1) : path.join(site, c.file));
        assert.match(d.message, /permission denied \(EACCES\)/);
        const rows = rowsOf(json);
        for (const name of ['good', 'other']) assert.ok(rows.some((r) => r[0] === name), `--cache ${policy}: ${name} keeps its entry points`);
        assert.ok(expected !== null, 'a Python the unprivileged user can run');
        assert.ok('entryPoints' in expected, `importlib answers: ${JSON.stringify(expected)}`);
        assert.deepEqual(rows, expected.entryPoints, `--cache ${policy}: the entry points importlib returns as the same user`);
      }
    });
  }

  test('a mode-0000 .pth file in a --site directory is EP217 and skipped', () => {
    const site = writeTree(path.join(sandbox(), 'site'), { 'a.pth': 'extra\n', 'b.pth': 'more\n', extra: GOOD, more: distInfo('more', '1.0', '[g]\nm = m:n\n') });
    fs.chmodSync(path.join(site, 'b.pth'), 0o000);
    const { ran, json } = epiJson<ListJSON>(['list', '--site', site, '--cache', 'scan'], { uid: UNPRIVILEGED });
    assert.equal(ran.status, 0, ran.stderr);
    assert.ok(rowsOf(json).some((r) => r[0] === 'good'));
    assert.ok(!rowsOf(json).some((r) => r[0] === 'more'), 'the path b.pth names is not added');
    const d = json.diagnostics.find((x) => x.code === 'EP217');
    assert.ok(d, JSON.stringify(json.diagnostics));
    assert.match(d.message, /permission denied \(EACCES\)/);
  });

  test('diagnose on a site with every unreadable case at once exits 1 for the EP111 error, not 70', () => {
    const site = writeTree(path.join(sandbox(), 'site'), { ...GOOD, ...distInfo('a', '1.0', '[g]\na = a:b\n'), ...distInfo('b', '1.0', '[g]\nb = b:c\n'), ...distInfo('c', '1.0', '[g]\nc = c:d\n') });
    fs.chmodSync(path.join(site, 'a-1.0.dist-info'), 0o000);
    fs.chmodSync(path.join(site, 'b-1.0.dist-info'), 0o400);
    fs.chmodSync(path.join(site, 'c-1.0.dist-info', 'entry_points.txt'), 0o000);
    const ran = epi(['diagnose', '--path', site, '--cache', 'scan'], { uid: UNPRIVILEGED });
    assert.equal(ran.status, 1, ran.stderr);
    assert.match(ran.stdout, /EP111/);
    assert.equal((ran.stdout.match(/EP203/g) ?? []).length, 2, ran.stdout);
  });
});
