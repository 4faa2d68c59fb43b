/** Arguments parsed as people type them (docs/spec.md §8.1): issue 9 item 2. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { closest, parseCommandLine, type Program } from '../../src/cli/args.js';
import { epi } from '../support/cli.js';
import { distInfo, tempDir, writeTree } from '../support/fixtures.js';

const site = writeTree(tempDir(), {
  ...distInfo('alpha', '1.0', '[console_scripts]\ntool = alpha.cli:main\n\n[pytest11]\nalpha = alpha.plugin\n\n[other]\nx = alpha:x\n'),
  ...distInfo('black', '24.1', '[console_scripts]\nblack = black:main\n'),
});
const second = writeTree(tempDir(), distInfo('pytest', '8.0', '[console_scripts]\npytest = pytest:main\n'));
const json = <T>(args: readonly string[]): T => {
  const r = epi(args);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as T;
};
type ListJson = { entryPoints: Array<{ group: string; name: string }>; environment: { searchPath: string[] } };

describe('arguments', () => {
  test('global options come before the command too: epi --path D --cache scan groups', () => {
    const j = json<{ groups: Array<{ group: string }> }>(['--path', site, '--cache', 'scan', 'groups', '--json']);
    assert.deepEqual(j.groups.map((g) => g.group), ['console_scripts', 'other', 'pytest11']);
  });

  test('--json before a group command: epi --json cache status --path D', () => {
    const j = json<{ entries: unknown[] }>(['--json', 'cache', 'status', '--path', site]);
    assert.equal(j.entries.length, 1);
  });

  test('--path D does not swallow the positional that follows: epi which --path D pytest', () => {
    const r = epi(['which', '--path', second, '--cache', 'scan', 'pytest']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /pytest 8\.0\s+pytest:main/);
  });

  test('--path=D works with a positional: epi show --path=D black', () => {
    const r = epi(['show', `--path=${site}`, '--cache', 'scan', 'black']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^black 24\.1\n/);
  });

  test('--path is repeatable and takes path lists (D1:D2), in order', () => {
    const a = json<ListJson>(['list', '--path', second, '--path', site, '--cache', 'scan', '--json']);
    const b = json<ListJson>(['list', '--path', [second, site].join(path.delimiter), '--cache', 'scan', '--json']);
    assert.deepEqual(a.environment.searchPath, [second, site]);
    assert.deepEqual(b.environment.searchPath, [second, site]);
    assert.deepEqual(a.entryPoints, b.entryPoints);
  });

  test('the deprecated --path A B still works where unambiguous, with a warning saying how to write it', () => {
    const r = epi(['list', '--path', second, site, '--cache', 'scan', '--json']);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual((JSON.parse(r.stdout) as ListJson).environment.searchPath, [second, site]);
    assert.match(r.stderr, /warning: '--path A B' is deprecated: write '--path A --path B' or '--path A:B'/);
    const bare = epi(['--path', second, site, '--cache', 'scan']);
    assert.equal(bare.status, 0, bare.stderr);
  });

  test('an empty entry in a path list is a usage error', () => {
    assert.equal(epi(['list', '--path', `${site}${path.delimiter}`, '--cache', 'scan']).status, 2);
  });

  test('repeated --group selects several groups', () => {
    const j = json<ListJson>(['list', '--path', site, '--cache', 'scan', '-g', 'pytest11', '--group', 'console_scripts', '--json']);
    assert.deepEqual(j.entryPoints.map((e) => `${e.group}/${e.name}`), ['console_scripts/black', 'console_scripts/tool', 'pytest11/alpha']);
  });

  test('repeated --group in which searches every group given', () => {
    const j = json<{ groups: string[]; providers: Array<{ group: string }> }>(['which', 'alpha', '--group', 'console_scripts', '--group', 'pytest11', '--path', site, '--cache', 'scan', '--json']);
    assert.deepEqual(j.groups, ['console_scripts', 'pytest11']);
    assert.deepEqual(j.providers.map((p) => p.group), ['pytest11']);
  });

  const usage: Array<[string, string[], RegExp]> = [
    ['--format ini --json conflict', ['list', '--format', 'ini', '--json'], /option '--format' cannot be used with option '--json'/],
    ['--json --quiet conflict', ['cache', 'build', site, '--json', '--quiet'], /cannot be used with option '--quiet'/],
    ['--python with --path', ['list', '--python', 'python3', '--path', site], /option '--python' cannot be used with option '--path'/],
    ['a single-valued option given twice', ['list', '--cache', 'scan', '--cache', 'auto'], /option '--cache' given more than once/],
    ['an unknown command suggests the closest', ['lsit'], /unknown command 'lsit' \(did you mean `list`\?\)/],
    ['an unknown subcommand suggests the closest', ['cache', 'stauts'], /unknown command 'cache stauts' \(did you mean `status`\?\)/],
    ['an unknown option suggests the closest', ['list', '--gruop', 'x'], /unknown option '--gruop' \(did you mean `--group`\?\)/],
    ['an option of another command says whose it is', ['list', '--all'], /option '--all' is not valid for 'list' \(it is an option of: diagnose\)/],
    ['a bad choice suggests the closest', ['list', '--cache', 'scna'], /allowed choices are scan, only, prefer, fallback, auto \(did you mean `scan`\?\)/],
    ['two commands on one line', ['list', 'groups'], /too many arguments for 'list': groups \(only one command per line/],
  ];
  for (const [name, args, message] of usage) {
    test(`usage error (exit 2): ${name}`, () => {
      const r = epi(args);
      assert.equal(r.status, 2, r.stdout + r.stderr);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /\n {4}at /);
    });
  }

  test('--version works with other options and anywhere before --', () => {
    for (const args of [['--version', '--debug'], ['list', '--path', site, '-V'], ['--json', '--version']]) {
      const r = epi(args);
      assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stdout, /^\d+\.\d+\.\d+\n$/);
    }
  });

  test('-p is short for --python', () => {
    const r = epi(['env', '-p', '/nonexistent/python', '--json']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /cannot run the Python interpreter "\/nonexistent\/python"/);
  });

  test('closest() suggests a near word only', () => {
    assert.equal(closest('lsit', ['list', 'groups']), 'list');
    assert.equal(closest('grp', ['list', 'groups']), null);
    assert.equal(closest('zzzzzz', ['list']), null);
  });

  test('the parser finds the command after options with values that look like commands', () => {
    const program: Program = { name: 't', description: '', groups: [], defaultCommand: 'list', globalOptions: [], commands: [
      { name: 'list', summary: '', args: [], options: [{ name: 'name', type: 'string', description: '' }], run: async () => 0 },
      { name: 'show', summary: '', args: [{ name: 'x', required: true, variadic: false }], options: [{ name: 'name', type: 'string', description: '' }], run: async () => 0 },
    ] };
    const p = parseCommandLine(program, ['--name', 'list', 'show', 'it']);
    assert.equal(p.kind, 'run');
    if (p.kind === 'run') assert.deepEqual([p.command.name, p.args, p.options['name']], ['show', ['it'], 'list']);
  });
});

describe('completion', () => {
  test('epi completion bash completes commands, subcommands, options and choices', () => {
    const script = epi(['completion', 'bash']).stdout;
    const complete = (words: string[]): string[] => {
      const cmd = `${script}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _epi_complete; printf '%s\\n' "\${COMPREPLY[@]}"`;
      const r = spawnSync('bash', ['-c', cmd], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      return r.stdout.split('\n').filter(Boolean);
    };
    assert.deepEqual(complete(['epi', 'lis']), ['list']);
    assert.deepEqual(complete(['epi', 'li']).sort(), ['lint', 'list']);
    assert.deepEqual(complete(['epi', 'cache', 're']), ['rebuild']);
    assert.ok(complete(['epi', 'list', '--gr']).includes('--group'));
    assert.deepEqual(complete(['epi', 'list', '--cache', 'p']), ['prefer']);
    assert.ok(complete(['epi', 'cache', 'status', '--']).includes('--freshness'));
    assert.deepEqual(complete(['epi', 'completion', 'z']), ['zsh']);
  });

  for (const shell of ['zsh', 'fish']) {
    test(`epi completion ${shell} is valid ${shell} naming every command and option`, () => {
      const r = epi(['completion', shell]);
      assert.equal(r.status, 0);
      for (const word of ['list', 'rebuild', 'freshness', 'group', 'prefer']) assert.ok(r.stdout.includes(word), word);
      const file = path.join(tempDir(), `epi.${shell}`);
      fs.writeFileSync(file, r.stdout);
      const check = spawnSync(shell, ['-n', file], { encoding: 'utf8' });
      // The shells are installed on the project's machines; without one, only the content is checked.
      if (check.error === undefined) assert.equal(check.status, 0, check.stderr);
    });
  }

  test('an unknown shell is a usage error with a suggestion', () => {
    const r = epi(['completion', 'bsh']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /did you mean `bash`/);
  });
});
