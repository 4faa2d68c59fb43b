/**
 * Terminal details (issue 18 item 5): colour decided for each stream, wide (CJK) characters
 * aligned by display width, and a build progress bar that counts distributions.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { stripVTControlCharacters } from 'node:util';
import { buildCaches, type BuildProgress } from '../../src/index.js';
import { table, type TableOptions } from '../../src/cli/output.js';
import { CLI, epi } from '../support/cli.js';
import { distInfo, tempDir, writeTree } from '../support/fixtures.js';

const ESC = '\x1b[';
const site = writeTree(tempDir(), distInfo('pkg', '1.0', '[console_scripts]\n名前ツール = pkg.cli:main\nab = pkg.cli:ab\n'));
const missing = path.join(tempDir(), 'missing');

/** Run `shellLine` with a pseudo-terminal (script(1)) on the streams it does not redirect; what the terminal showed. */
function onTerminal(shellLine: string): string {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_EXTRA_CA_CERTS: '', EPINDEX_CACHE_DIR: tempDir(), COLUMNS: '200' };
  delete env['NO_COLOR'];
  delete env['FORCE_COLOR'];
  const r = spawnSync('script', ['-qec', shellLine, '/dev/null'], { encoding: 'utf8', env });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  return r.stdout;
}
const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
const EPI = `${q(process.execPath)} ${q(CLI)}`;

describe('colour is decided for each stream', { skip: process.platform === 'win32' }, () => {
  test('epi list 2>log on a terminal: a coloured table, and no escapes in the log', () => {
    const log = path.join(tempDir(), 'log');
    const shown = onTerminal(`${EPI} list --path ${q(site)} --path ${q(missing)} 2>${q(log)}`);
    assert.ok(shown.includes(`${ESC}1mGROUP`), `the header is bold on the terminal: ${JSON.stringify(shown)}`);
    const written = fs.readFileSync(log, 'utf8');
    assert.equal(written, `${missing}: warning EP219 path entry does not exist; skipped\n`);
  });

  test('epi list >out on a terminal: a plain file, and the warning coloured on the terminal', () => {
    const outFile = path.join(tempDir(), 'out');
    const shown = onTerminal(`${EPI} list --path ${q(site)} --path ${q(missing)} >${q(outFile)}`);
    assert.ok(shown.includes(`${ESC}33m${missing}: warning EP219`), `the warning is yellow on the terminal: ${JSON.stringify(shown)}`);
    assert.ok(!fs.readFileSync(outFile, 'utf8').includes('\x1b'), 'no escapes in the file');
    assert.match(fs.readFileSync(outFile, 'utf8'), /^GROUP {12}NAME/);
  });
});

describe('wide characters keep columns aligned (display width)', () => {
  test('a CJK entry point name takes two columns a character', () => {
    const r = epi(['list', '--path', site, '--cache', 'scan'], { COLUMNS: '' });
    assert.equal(
      r.stdout,
      [
        'GROUP            NAME        VALUE         DISTRIBUTION',
        'console_scripts  ab          pkg.cli:ab    pkg 1.0',
        'console_scripts  名前ツール  pkg.cli:main  pkg 1.0',
        '',
      ].join('\n'),
    );
  });

  const RULES: Array<[string, string[][], TableOptions, string]> = [
    ['a wide cell shortened to fit is cut between characters, never inside one', [['名前名前名前名前', 'x']], { width: 12, shrink: [{ column: 0, min: 1 }] }, '名前名前…  x\n'],
    ['a wide character that does not fit whole is left out, and the column padded to its width', [['名前名前', 'x'], ['abcde', 'y']], { width: 9, shrink: [{ column: 0, min: 1 }] }, '名前…   x\nabcde   y\n'],
    ['a wide value shortened from the start keeps its end', [['n', 'ツールツールツール']], { width: 12, shrink: [{ column: 1, from: 'start', min: 1 }] }, 'n  …ルツール\n'],
    ['combining marks take no column', [['e\u0301e\u0301', 'x'], ['ab', 'y']], { width: 80 }, 'e\u0301e\u0301  x\nab  y\n'],
  ];
  for (const [rule, rows, options, expected] of RULES) test(rule, () => assert.equal(table(rows, undefined, options), expected));
});

describe('the build progress bar counts distributions', () => {
  const many = (n: number): string => {
    const tree = {};
    for (let i = 0; i < n; i++) Object.assign(tree, distInfo(`d${i}`, '1.0', '[g]\nx = m:f\n'));
    return writeTree(tempDir(), tree);
  };

  test('the library reports a directory\'s scan as it reads its distributions, ending at all of them', async () => {
    const dir = many(300);
    const events: BuildProgress[] = [];
    await buildCaches([dir], { userCacheDir: tempDir(), inDirectory: false, settle: false, onProgress: (p) => events.push(p) });
    const scans = events.filter((e): e is Extract<BuildProgress, { phase: 'scan' }> => e.phase === 'scan');
    assert.ok(scans.length > 0, JSON.stringify(events));
    assert.deepEqual(scans.at(-1), { phase: 'scan', index: 0, pathEntry: dir, done: 300, total: 300 });
    assert.ok(scans.every((s, i) => i === 0 || s.done >= scans[i - 1]!.done), 'never backwards');
  });

  test('cache build of a 300-distribution directory shows n/300 distributions, not 0/1', { skip: process.platform === 'win32' }, () => {
    const dir = many(300);
    const shown = stripVTControlCharacters(onTerminal(`${EPI} cache build ${q(dir)}`));
    assert.match(shown, /\b300\/300 distributions\b/);
    assert.doesNotMatch(shown, /\b\d+\/1 distributions?\b/);
  });
});
