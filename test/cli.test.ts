/** The `epi` CLI: every command, --json, exit codes, one-line errors (docs/spec.md §8). */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { epi } from './support/cli.js';
import { distInfo, tempDir, writeTree } from './support/fixtures.js';

const cacheDir = tempDir();
const env = { EPINDEX_CACHE_DIR: cacheDir };
const site = writeTree(tempDir(), {
  ...distInfo('alpha', '1.0', '[console_scripts]\ntool = alpha.cli:main\n\n[pytest11]\nalpha = alpha.plugin\n'),
  ...distInfo('beta', '2.0', '[console_scripts]\ntool = beta.cli:main\nbeta = beta:main\n'),
});
const broken = writeTree(tempDir(), distInfo('broken', '1.0', '[g]\nno equals here\n'));
const P = ['--path', site, '--cache', 'scan'];

describe('epi', () => {
  const commands = ['list', 'groups', 'show', 'which', 'conflicts', 'diagnose', 'cache', 'cache build', 'cache rebuild', 'cache status', 'cache clear'];
  for (const c of commands) {
    test(`epi ${c} --help describes the command and exits 0`, () => {
      const r = epi([...c.split(' '), '--help']);
      assert.equal(r.status, 0);
      assert.match(r.stdout, /^Usage: epi /);
    });
  }

  test('--version prints the package version', () => {
    const r = epi(['--version']);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /^\d+\.\d+\.\d+\n$/);
  });

  test('the default command is list', () => {
    const r = epi(P);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /^GROUP\s+NAME\s+VALUE\s+DISTRIBUTION\n/);
    assert.match(r.stdout, /pytest11\s+alpha\s+alpha\.plugin\s+alpha 1\.0/);
  });

  test('list --json gives entry points with their distribution and the diagnostics, in the order of the table', () => {
    const r = epi(['list', ...P, '--group', 'console_scripts', '--json']);
    const j = JSON.parse(r.stdout) as { entryPoints: Array<{ name: string; module: string; dist: { name: string } }>; diagnostics: unknown[] };
    assert.deepEqual(j.entryPoints.map((e) => [e.name, e.module, e.dist.name]), [['beta', 'beta', 'beta'], ['tool', 'alpha.cli', 'alpha'], ['tool', 'beta.cli', 'beta']]);
    assert.deepEqual(j.diagnostics, []);
  });

  test('list --format ini renders entry_points.txt', () => {
    const r = epi(['list', ...P, '--dist', 'beta', '--format', 'ini']);
    assert.equal(r.stdout, '[console_scripts]\nbeta = beta:main\ntool = beta.cli:main\n');
  });

  test('list filters by --name and --dist', () => {
    const j = JSON.parse(epi(['list', ...P, '--name', 'tool', '--dist', 'Alpha', '--json']).stdout) as { entryPoints: unknown[] };
    assert.equal(j.entryPoints.length, 1);
  });

  test('groups counts entry points and distributions', () => {
    const j = JSON.parse(epi(['groups', ...P, '--json']).stdout) as { groups: unknown };
    assert.deepEqual(j.groups, [{ group: 'console_scripts', entryPoints: 3, distributions: 2 }, { group: 'pytest11', entryPoints: 1, distributions: 1 }]);
  });

  test('show prints version, metadata path and entry points; exit 1 for an unknown distribution', () => {
    const r = epi(['show', 'alpha', ...P]);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /alpha 1\.0/);
    assert.match(r.stdout, new RegExp(`metadata:\\s+${path.join(site, 'alpha-1.0.dist-info').replace(/[.\\]/g, '\\$&')}`));
    const missing = epi(['show', 'gamma', ...P]);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /no distribution named "gamma"/);
  });

  test('which names every provider, first on the path first; exit 1 when none', () => {
    const j = JSON.parse(epi(['which', 'tool', ...P, '--json']).stdout) as { providers: Array<{ dist: { name: string } }> };
    assert.deepEqual(j.providers.map((p) => p.dist.name), ['alpha', 'beta']);
    assert.equal(epi(['which', 'nothing', ...P]).status, 1);
    assert.equal(epi(['which', 'alpha', '--group', 'pytest11', ...P]).status, 0);
  });

  test('conflicts lists a console script claimed by two distributions', () => {
    const j = JSON.parse(epi(['conflicts', ...P, '--json']).stdout) as { conflicts: Array<{ group: string; name: string; providers: unknown[] }> };
    assert.deepEqual(j.conflicts.map((c) => [c.group, c.name, c.providers.length]), [['console_scripts', 'tool', 2]]);
  });

  test('diagnose prints file:line diagnostics and exits 1 on an error', () => {
    const r = epi(['diagnose', '--path', broken, '--cache', 'scan']);
    assert.equal(r.status, 1);
    assert.match(r.stdout, new RegExp(`${path.join(broken, 'broken-1.0.dist-info', 'entry_points.txt').replace(/[.\\]/g, '\\$&')}:2: error EP104 `));
    assert.equal(epi(['diagnose', ...P]).status, 0);
  });

  test('diagnose --json counts errors and warnings', () => {
    const j = JSON.parse(epi(['diagnose', '--path', broken, '--cache', 'scan', '--json']).stdout) as { counts: { errors: number }; diagnostics: Array<{ code: string; line: number }> };
    assert.equal(j.counts.errors, 1);
    assert.deepEqual(j.diagnostics.map((d) => [d.code, d.line]), [['EP104', 2]]);
  });

  test('list mentions diagnostics on stderr without failing', () => {
    const r = epi(['list', '--path', broken, '--cache', 'scan']);
    assert.equal(r.status, 0);
    assert.match(r.stderr, /1 error in this environment; run `epi diagnose`/);
  });

  test('an interpreter that cannot be run is one clear line and exit 2, no stack trace', () => {
    const r = epi(['list', '--python', '/nonexistent/python']);
    assert.equal(r.status, 2);
    assert.equal(r.stderr, 'epi: cannot run the Python interpreter "/nonexistent/python": not found (give another with --python, or the directories with --path)\n');
  });

  test('--debug adds the stack trace', () => {
    const r = epi(['list', '--python', '/nonexistent/python', '--debug']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /\n {4}at /);
  });

  test('a usage error is exit 2 with a hint', () => {
    const r = epi(['list', '--cache', 'sometimes']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^epi: option '--cache' argument 'sometimes' is invalid; allowed choices are scan, only, prefer, fallback, auto\n/);
    assert.doesNotMatch(r.stderr, /\n {4}at /);
    assert.equal(epi(['frobnicate', '--nope']).status, 2);
  });

  test('conflicting environment options are a usage error', () => {
    assert.equal(epi(['list', '--path', site, '--site', site]).status, 2);
  });

  test('an invalid EPINDEX_CACHE is a clear error', () => {
    const r = epi(['list', '--path', site], { EPINDEX_CACHE: 'bogus' });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^epi: EPINDEX_CACHE=bogus is not one of scan, only, prefer, fallback, auto\n$/);
  });

  test('cache build, status and clear round-trip with --json', () => {
    const dir = writeTree(tempDir(), distInfo('gamma', '3.0', '[g]\nx = m:f\n'));
    const built = JSON.parse(epi(['cache', 'build', dir, '--json'], env).stdout) as { results: Array<{ outcome: string; file: string }> };
    assert.deepEqual(built.results.map((r) => r.outcome), ['written']);
    assert.equal(built.results[0]?.file, path.join(dir, '.epindex', 'entry-points.v4.jsonl'));
    const again = JSON.parse(epi(['cache', 'build', dir, '--json'], env).stdout) as { results: Array<{ outcome: string }> };
    assert.deepEqual(again.results.map((r) => r.outcome), ['unchanged']);
    const status = JSON.parse(epi(['cache', 'status', '--path', dir, '--json'], env).stdout) as { entries: Array<{ state: string; location: string; distributions: number }> };
    assert.deepEqual(status.entries.map((e) => [e.state, e.location, e.distributions]), [['fresh', 'in-directory', 1]]);
    const cleared = JSON.parse(epi(['cache', 'clear', dir, '--json'], env).stdout) as { removed: string[] };
    assert.deepEqual(cleared.removed, [path.join(dir, '.epindex', 'entry-points.v4.jsonl')]);
    const after = JSON.parse(epi(['cache', 'status', '--path', dir, '--json'], env).stdout) as { entries: Array<{ state: string }> };
    assert.deepEqual(after.entries.map((e) => e.state), ['missing']);
  });

  test('cache build settles a cache written right after a change, so lookups need no re-reading', () => {
    const dir = writeTree(tempDir(), distInfo('fresh', '1.0', '[g]\nx = m:f\n'));
    const api = JSON.parse(epi(['cache', 'status', '--path', dir, '--json'], env).stdout) as { entries: Array<{ state: string }> };
    assert.deepEqual(api.entries.map((e) => e.state), ['missing']);
    assert.equal(epi(['cache', 'build', dir], env).status, 0);
    const status = JSON.parse(epi(['cache', 'status', '--path', dir, '--json'], env).stdout) as { entries: Array<{ state: string; racy: boolean }> };
    assert.deepEqual(status.entries.map((e) => [e.state, e.racy]), [['fresh', false]]);
  });

  test('cache rebuild --quiet prints nothing when all is well', () => {
    const dir = writeTree(tempDir(), distInfo('delta', '1.0', '[g]\nx = m:f\n'));
    const r = epi(['cache', 'rebuild', '--path', dir, '--quiet'], env);
    assert.deepEqual([r.status, r.stdout, r.stderr], [0, '', '']);
  });
});
