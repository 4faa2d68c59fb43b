/**
 * Details a newcomer trips on (issue 18 item 5): `epi help nosuch`, `scripts list` order, and
 * `check --path` taken as every other reading command takes it.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { epi } from '../support/cli.js';
import { distInfo, tempDir, writeTree } from '../support/fixtures.js';
import { PYTHON } from '../support/python.js';
import { makeVenv } from '../scripts/support.js';

const env = { EPINDEX_CACHE_DIR: tempDir() };

describe('epi help', () => {
  const RULES: Array<[string[], number, RegExp]> = [
    [['help', 'nosuch'], 2, /^epi: no help for 'nosuch': not a command\n\(add --help for usage\)\n$/],
    [['help', 'lsit'], 2, /^epi: no help for 'lsit': not a command \(did you mean `list`\?\)\n/],
    [['help', 'cache', 'bulid'], 2, /^epi: unknown command 'cache bulid' \(did you mean `build`\?\)\n/],
  ];
  for (const [args, status, message] of RULES) {
    test(`epi ${args.join(' ')} is a usage error with a suggestion (exit ${status}), not another command's help`, () => {
      const r = epi(args);
      assert.equal(r.status, status);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, message);
    });
  }
  test('epi help list and epi help cache build still show their help', () => {
    assert.match(epi(['help', 'list']).stdout, /^Usage: epi list \[options\]/);
    assert.match(epi(['help', 'cache', 'build']).stdout, /^Usage: epi cache build \[options\] <dir\.\.\.>/);
  });
});

describe('epi scripts list', () => {
  test('lists scripts sorted by name, then group, in the table and the JSON alike', () => {
    const venv = path.join(tempDir(), 'venv');
    const python = makeVenv(venv);
    const [site] = fs.readdirSync(path.join(venv, 'lib')).map((v) => path.join(venv, 'lib', v, 'site-packages'));
    // Listing order (zeta, then alpha or the other way) and file order (b before a) are not sorted.
    writeTree(site!, {
      ...distInfo('zeta', '1.0', '[console_scripts]\nb-tool = zeta:b\na-tool = zeta:a\n\n[gui_scripts]\na-tool = zeta:g\n'),
      ...distInfo('alpha', '1.0', '[console_scripts]\nc-tool = alpha:c\n'),
    });
    const j = JSON.parse(epi(['scripts', 'list', '-p', python, '--json'], env).stdout) as { scripts: Array<{ name: string; group: string }> };
    const expected = ['a-tool console_scripts', 'a-tool gui_scripts', 'b-tool console_scripts', 'c-tool console_scripts'];
    assert.deepEqual(j.scripts.map((s) => `${s.name} ${s.group}`), expected);
    const text = epi(['scripts', 'list', '-p', python], env).stdout.trimEnd().split('\n').slice(1);
    assert.deepEqual(text.map((l) => l.split(/\s+/).slice(0, 2).join(' ')), expected);
  });
});

describe('epi check --path', () => {
  // alpha.cli imports a module beside it: the import works only with the directory on sys.path.
  const site = writeTree(tempDir(), {
    ...distInfo('alpha', '1.0', '[console_scripts]\nalpha = alpha.cli:main\n'),
    alpha: { '__init__.py': '', 'cli.py': 'import alpha_helper\n\ndef main():\n    return alpha_helper.VALUE\n' },
    'alpha_helper.py': 'VALUE = 0\n',
  });

  test("checks the entry points of its path entries, imported with the chosen interpreter, those directories first on sys.path", () => {
    const r = epi(['check', '-p', PYTHON, '--path', site, '--json'], env);
    assert.equal(r.status, 0, r.stderr + r.stdout);
    const j = JSON.parse(r.stdout) as { checked: number; passed: number; results: Array<{ name: string; ok: boolean }> };
    assert.deepEqual([j.checked, j.passed, j.results.map((x) => x.name)], [1, 1, ['alpha']]);
  });

  test('a missing --path entry is skipped with EP219; none existing is "found nothing" (exit 1)', () => {
    const missing = path.join(tempDir(), 'missing');
    const some = epi(['check', '-p', PYTHON, '--path', `${site}${path.delimiter}${missing}`], env);
    assert.equal(some.status, 0, some.stderr);
    assert.match(some.stderr, new RegExp(`^${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: warning EP219 path entry does not exist; skipped\n`));
    assert.match(some.stderr, /epi: 1 entry point checked: 1 passed, 0 failed\n$/);
    const none = epi(['check', '-p', PYTHON, '--path', missing, '--json'], env);
    assert.equal(none.status, 1);
    assert.deepEqual(JSON.parse(none.stdout), { results: [], checked: 0, passed: 0, failed: 0 });
    assert.match(none.stderr, /epi: found nothing: no --path entry exists\n$/);
  });
});
