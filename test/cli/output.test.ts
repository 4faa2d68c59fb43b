/**
 * Text output: control characters escaped (issue 13 item 8; JSON stays exact), tables that fit
 * $COLUMNS, one wording for counts (issue 9 item 9).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { countsText, esc, table } from '../../src/cli/output.js';
import { epi } from '../support/cli.js';
import { distInfo, tempDir, writeTree } from '../support/fixtures.js';

const TITLE = '\x1b]0;title\x07';
const CLEAR = '\x1b[2J\x1b[H';
const hostile = writeTree(tempDir(), {
  ...distInfo('evil', '1.0', `[console_scripts]\n${TITLE} = evil:main\nclear${CLEAR} = evil:clear\nbidi = evil:\u202emain\n`),
});
const long = 'a_rather_long_module_name.with.many.parts.that_goes_on:and_on_and_on_until_it_is_long';
const wide = writeTree(tempDir(), {
  ...distInfo('wide', '1.0', `[console_scripts]\nwide-tool = ${long}\nshort = m:f\n`),
  ...distInfo('noisy', '1.0', '\ufeff[g]\nbad line\n[h]\n;c\n'),
});
const RAW = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202e]/;

describe('terminal output cannot be hijacked', () => {
  test('an entry point named \\x1b]0;title\\x07 (retitles the terminal) is shown escaped in every text output', () => {
    for (const args of [['list'], ['which', TITLE], ['show', 'evil'], ['conflicts'], ['groups']]) {
      const r = epi([...args, '--path', hostile, '--cache', 'scan']);
      assert.doesNotMatch(r.stdout + r.stderr, RAW, `${args[0]}: ${JSON.stringify(r.stdout)}`);
    }
    const r = epi(['list', '--path', hostile, '--cache', 'scan']);
    assert.ok(r.stdout.includes('\\x1b]0;title\\x07'), r.stdout);
  });

  test('an entry point that clears the screen is shown escaped', () => {
    const r = epi(['list', '--path', hostile, '--cache', 'scan']);
    assert.ok(r.stdout.includes('clear\\x1b[2J\\x1b[H'), r.stdout);
    assert.ok(r.stdout.includes('evil:\\u202emain'), 'a bidi override is escaped too');
  });

  test('JSON stays exact', () => {
    const j = JSON.parse(epi(['list', '--path', hostile, '--cache', 'scan', '--json']).stdout) as { entryPoints: Array<{ name: string }> };
    assert.deepEqual(j.entryPoints.map((e) => e.name).sort(), [TITLE, 'bidi', `clear${CLEAR}`].sort());
  });

  test('paths and messages in diagnostics are escaped', () => {
    const dir = writeTree(tempDir(), { [`x\x1b[31m-1.0.dist-info`]: { METADATA: 'Name: x\nVersion: 1.0\n', 'entry_points.txt': '[g]\nnope\n' } });
    const r = epi(['diagnose', '--path', dir, '--cache', 'scan']);
    assert.equal(r.status, 1);
    assert.doesNotMatch(r.stdout + r.stderr, RAW);
    assert.match(r.stdout, /x\\x1b\[31m-1\.0\.dist-info/);
  });

  const rows: Array<[string, string]> = [['plain', 'plain'], ['tab\there', 'tab\\there'], ['nl\nx', 'nl\\nx'], ['\x00', '\\x00'], ['\x7f', '\\x7f'], ['\u009b', '\\x9b'], ['\u2066', '\\u2066'], ['café ✓', 'café ✓']];
  for (const [input, shown] of rows) test(`esc(${JSON.stringify(input)}) is ${shown}`, () => assert.equal(esc(input), shown));
});

describe('tables that fit', () => {
  test('a table fits $COLUMNS: the value column is shortened first, names never', () => {
    const r = epi(['list', '--path', wide, '--cache', 'scan'], { COLUMNS: '70' });
    const lines = r.stdout.trimEnd().split('\n');
    for (const l of lines) assert.ok([...l].length <= 70, `${[...l].length}: ${l}`);
    assert.match(r.stdout, /console_scripts\s+wide-tool\s+a_rather_long_module\S*…/);
    assert.ok(r.stdout.includes('wide 1.0'), 'the distribution column still fits');
  });

  test('without a terminal or $COLUMNS nothing is shortened (pipes get every character)', () => {
    const r = epi(['list', '--path', wide, '--cache', 'scan'], { COLUMNS: '' });
    assert.ok(r.stdout.includes(long));
  });

  test('columns stay aligned when a cell is shortened', () => {
    const out = table([['n1', 'x'.repeat(50), 'd'], ['n2', 'short', 'd']], ['NAME', 'VALUE', 'DIST'], { width: 30, shrink: [{ column: 1 }] });
    const lines = out.trimEnd().split('\n');
    const at = lines.map((l) => l.lastIndexOf('d') === l.length - 1 ? l.length : -1);
    assert.equal(new Set(at.slice(1)).size, 1, out);
    assert.ok(lines.every((l) => l.length <= 30), out);
  });

  test('if even the shortened table is too wide, names are still whole', () => {
    const out = table([['a_very_long_entry_point_name', 'value']], ['NAME', 'VALUE'], { width: 10, shrink: [{ column: 1 }] });
    assert.ok(out.includes('a_very_long_entry_point_name'));
  });
});

describe('one wording for counts', () => {
  const rows: Array<[{ errors: number; warnings: number; info: number }, string]> = [
    [{ errors: 1, warnings: 3, info: 0 }, '1 error, 3 warnings'],
    [{ errors: 2, warnings: 1, info: 5 }, '2 errors, 1 warning'],
    [{ errors: 0, warnings: 2, info: 0 }, '2 warnings'],
    [{ errors: 0, warnings: 0, info: 1 }, 'no errors or warnings'],
  ];
  for (const [c, text] of rows) test(`${JSON.stringify(c)} is "${text}"`, () => assert.equal(countsText(c), text));

  test('list and diagnose say the counts the same way', () => {
    const list = epi(['list', '--path', wide, '--cache', 'scan']);
    const diagnose = epi(['diagnose', '--path', wide, '--cache', 'scan']);
    assert.match(list.stderr, /^epi: 1 error, 2 warnings in this environment; run `epi diagnose` for details\n$/);
    assert.match(diagnose.stderr, /^epi: 1 error, 2 warnings\n$/);
  });
});
