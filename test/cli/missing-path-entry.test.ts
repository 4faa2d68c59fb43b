/**
 * A raw sys.path works as --path (issue 18 item 2): a path entry that does not exist is skipped
 * with a warning of its own (EP219) and the rest answered, as importlib skips it; a --path
 * with no existing entry at all "found nothing" (exit 1). An interpreter's own missing
 * entries (its pythonXY.zip) are skipped silently. Likewise `--cache only` without a cache
 * says so on stderr and in `environment.diagnostics` (docs/spec.md §4.4, §6, §8.3).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { pythonEnvironment } from '../../src/index.js';
import type { Diagnostic } from '../../src/diagnostics.js';
import { epi } from '../support/cli.js';
import { distInfo, tempDir, writeTree } from '../support/fixtures.js';
import { PYTHON } from '../support/python.js';

const site = writeTree(tempDir(), distInfo('alpha', '1.0', '[console_scripts]\nalpha = alpha.cli:main\n'));
const missing = path.join(tempDir(), 'typo', 'site-packages');
const zip = path.join(tempDir(), 'lib', 'python313.zip');
const env = { EPINDEX_CACHE_DIR: tempDir() };

interface ListJson {
  environment: { searchPath: string[]; diagnostics: Diagnostic[] };
  entryPoints: Array<{ name: string }>;
  diagnostics: Diagnostic[];
  counts: { errors: number; warnings: number; info: number };
}

describe('a --path entry that does not exist', () => {
  test('list --json --path EXISTING --path MISSING: exit 0, EXISTING\'s entry points, one warning EP219 naming MISSING', () => {
    const r = epi(['list', '--json', '--path', site, '--path', missing], env);
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout) as ListJson;
    assert.deepEqual(j.entryPoints.map((e) => e.name), ['alpha']);
    const warning = { code: 'EP219', severity: 'warning', message: 'path entry does not exist; skipped', file: missing };
    assert.deepEqual(j.diagnostics, [warning]);
    assert.deepEqual(j.environment.diagnostics, [warning]);
    assert.deepEqual(j.counts, { errors: 0, warnings: 1, info: 0 });
  });

  test('text: the table, and the warning once on stderr (not again in the summary line)', () => {
    const r = epi(['list', '--path', `${zip}${path.delimiter}${site}`], env);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^console_scripts +alpha +alpha\.cli:main +alpha 1\.0$/m);
    assert.equal(r.stderr, `${zip}: warning EP219 path entry does not exist; skipped\n`);
  });

  // Each reading command with only a typo'd --path: the warning, "found nothing", exit 1.
  const ALONE: Array<[string[], RegExp]> = [
    [['list'], /epi: found nothing: no --path entry exists\n$/],
    [['groups'], /epi: found nothing: no --path entry exists\n/],
    [['conflicts'], /epi: found nothing: no --path entry exists\n/],
    [['diagnose'], /warning EP219/],
    [['which', 'alpha'], /epi: nothing provides "alpha"/],
    [['show', 'alpha'], /epi: no distribution named "alpha"/],
  ];
  for (const [args, message] of ALONE) {
    test(`epi ${args.join(' ')} --path MISSING alone: the warning and exit 1`, () => {
      const r = epi([...args, '--path', missing], env);
      assert.equal(r.status, 1, r.stderr);
      assert.ok(r.stderr.includes(`${missing}: warning EP219 path entry does not exist; skipped\n`) || args[0] === 'diagnose', r.stderr);
      assert.match(args[0] === 'diagnose' ? r.stdout : r.stderr, message);
      const j = epi([...args, '--path', missing, '--json'], env);
      assert.equal(j.status, 1, j.stderr);
      assert.deepEqual((JSON.parse(j.stdout) as ListJson).environment.diagnostics.map((d) => [d.code, d.file]), [['EP219', missing]]);
    });
  }

  test('env marks every --path entry that does not exist', () => {
    const r = epi(['env', '--path', `${site}${path.delimiter}${missing}`], env);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^  ${site.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\n  ${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(does not exist; skipped\\)\n$`, 'm'));
  });

  test('the library: entryPoints() answers from the entries that exist, with EP219 for the one that does not', async () => {
    const e = await pythonEnvironment({ path: [missing, site], cache: 'scan' });
    const eps = await e.entryPoints();
    assert.deepEqual(eps.toArray().map((x) => x.name), ['alpha']);
    assert.deepEqual(eps.diagnostics.map((d) => [d.code, d.severity, d.file]), [['EP219', 'warning', missing]]);
    assert.deepEqual((await e.diagnose()).map((d) => d.code), ['EP219']);
    // Created later, it is read: skipped is not forgotten.
    writeTree(missing, distInfo('beta', '2.0', '[console_scripts]\nbeta = beta:main\n'));
    try {
      const again = await e.entryPoints();
      assert.deepEqual(again.toArray().map((x) => x.name), ['beta', 'alpha']);
      assert.deepEqual(again.diagnostics, []);
    } finally {
      fs.rmSync(path.dirname(missing), { recursive: true });
    }
  });
});

describe("an interpreter's search path", () => {
  test('an entry it reports that does not exist (its pythonXY.zip) is skipped without a warning', () => {
    const r = epi(['list', '--json', '--python', PYTHON, '--group', 'no-such-group'], env);
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout) as ListJson;
    assert.ok(j.environment.searchPath.some((p) => !fs.existsSync(p)), `precondition: CPython lists its stdlib zip, which does not exist here: ${j.environment.searchPath.join(', ')}`);
    assert.deepEqual(j.diagnostics.filter((d) => d.code === 'EP219'), []);
    assert.doesNotMatch(r.stderr, /EP219/);
  });

  test('the library does not report it either', async () => {
    const e = await pythonEnvironment({ python: PYTHON, userCacheDir: env.EPINDEX_CACHE_DIR });
    assert.ok(e.searchPath.some((p) => !fs.existsSync(p)));
    assert.deepEqual((await e.entryPoints({ group: 'no-such-group' })).diagnostics.filter((d) => d.code === 'EP219'), []);
  });
});

describe('--cache only without a cache', () => {
  test('text: the EP307 warning on stderr, not only a count', () => {
    const fresh = writeTree(tempDir(), distInfo('gamma', '1.0', '[console_scripts]\ngamma = gamma:main\n'));
    const r = epi(['list', '--cache', 'only', '--path', fresh], env);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, `${fresh}: warning EP307 no cache; contributes nothing\nepi: no entry points match\n`);
  });

  test('JSON: in environment.diagnostics, and once in diagnostics', () => {
    const fresh = writeTree(tempDir(), distInfo('gamma', '1.0', '[console_scripts]\ngamma = gamma:main\n'));
    for (const command of [['list'], ['groups'], ['conflicts'], ['which', 'gamma']]) {
      const r = epi([...command, '--json', '--cache', 'only', '--path', fresh], env);
      const j = JSON.parse(r.stdout) as ListJson;
      assert.deepEqual(j.environment.diagnostics.map((d) => [d.code, d.file]), [['EP307', fresh]], command.join(' '));
      assert.deepEqual(j.diagnostics.map((d) => d.code), ['EP307'], command.join(' '));
    }
  });
});
