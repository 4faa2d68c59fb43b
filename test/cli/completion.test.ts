/**
 * Shell completion (issue 18 item 5): commands complete after options (`epi -p venv li<TAB>`),
 * and the values of `-g`, `-d`, `-n` (and `show DIST`, `which NAME`) are the environment's own
 * groups, distribution names and entry point names, for the environment the line names — in
 * bash, zsh and fish, each driven through its own completion machinery.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { CLI, epi } from '../support/cli.js';
import { distInfo, tempDir, writeTree } from '../support/fixtures.js';

const site = writeTree(tempDir(), {
  ...distInfo('alpha', '1.0', '[console_scripts]\nalpha-cli = alpha:main\n\n[pytest11]\nalpha = alpha.plugin\n'),
  ...distInfo('Beta_Pkg', '2.0', '[console_scripts]\nbeta = beta:main\n\n[babel.extractors]\nbeta = beta:extract\n'),
});
const other = writeTree(tempDir(), distInfo('gamma', '3.0', '[gamma.plugins]\ng1 = gamma:one\n'));
// `epi` on PATH, as the scripts call it: the completion is for the command named epi.
const bin = tempDir('epindex-bin-');
fs.symlinkSync(CLI, path.join(bin, 'epi'));
const env = { ...process.env, PATH: `${bin}${path.delimiter}${process.env['PATH'] ?? ''}`, NODE_EXTRA_CA_CERTS: '', EPINDEX_CACHE_DIR: tempDir(), NO_COLOR: '1' };
const has = (shell: string): boolean => spawnSync(shell, ['-c', 'exit 0']).status === 0;
const lines = (s: string): string[] => s.split('\n').filter(Boolean);

describe('epi __complete (what the scripts ask)', () => {
  const RULES: Array<[string, string[], string[]]> = [
    ['groups of the environment the line names', ['group', '', 'list', '--path', site], ['babel.extractors', 'console_scripts', 'pytest11']],
    ['only those starting with the word typed', ['group', 'c', 'list', '--path', site], ['console_scripts']],
    ['distribution names', ['dist', '', '--path', `${site}${path.delimiter}${other}`, 'list'], ['Beta_Pkg', 'alpha', 'gamma']],
    ['entry point names of the -g groups', ['name', '', 'list', '-g', 'pytest11', '--path', site], ['alpha']],
    ["`which NAME`: console_scripts' names", ['name', '', 'which', '--path', site], ['alpha-cli', 'beta']],
    ['--path=D1:D2 as bash splits it (= and : are word breaks)', ['dist', '', 'list', '--path', '=', site, ':', other], ['Beta_Pkg', 'alpha', 'gamma']],
    ['an environment that cannot be opened: nothing, silently', ['group', '', '-p', '/nonexistent/python'], []],
  ];
  for (const [rule, args, expected] of RULES) {
    test(rule, () => {
      const r = epi(['__complete', ...args], { EPINDEX_CACHE_DIR: env.EPINDEX_CACHE_DIR });
      assert.equal(r.status, 0);
      assert.equal(r.stderr, '');
      assert.deepEqual(lines(r.stdout), expected);
    });
  }

  test('it reads the caches and writes none (--cache prefer)', () => {
    const fresh = writeTree(tempDir(), distInfo('delta', '1.0', '[g]\nd = delta\n'));
    const cacheDir = tempDir();
    assert.deepEqual(lines(epi(['__complete', 'group', '', '--path', fresh], { EPINDEX_CACHE_DIR: cacheDir }).stdout), ['g']);
    // a line that asks for --cache auto (which writes) still completes without writing
    assert.deepEqual(lines(epi(['__complete', 'group', '', 'list', '--cache', 'auto', '--path', fresh], { EPINDEX_CACHE_DIR: cacheDir }).stdout), ['g']);
    assert.deepEqual(fs.readdirSync(fresh).filter((n) => n !== 'delta-1.0.dist-info'), [], 'no .epindex written');
    assert.deepEqual(fs.readdirSync(cacheDir).filter((n) => n !== 'code'), [], 'nothing in the user cache (but the CLI\'s own code cache)');
  });
});

describe('bash', () => {
  const script = epi(['completion', 'bash']).stdout;
  const complete = (words: string[]): string[] => {
    const cmd = `${script}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _epi_complete; printf '%s\\n' "\${COMPREPLY[@]}"`;
    const r = spawnSync('bash', ['-c', cmd], { encoding: 'utf8', env });
    assert.equal(r.status, 0, r.stderr);
    return lines(r.stdout).sort();
  };
  const RULES: Array<[string, string[], string[]]> = [
    ['commands complete after options: epi -p venv li<TAB>', ['epi', '-p', 'venv', 'li'], ['lint', 'list']],
    ['…and after --path D1:D2, which bash splits at ":"', ['epi', '--path', site, ':', other, 'gr'], ['groups']],
    ['-g values are the groups of the environment on the line', ['epi', 'list', '--path', site, '-g', ''], ['babel.extractors', 'console_scripts', 'pytest11']],
    ['--group=<TAB> too', ['epi', 'list', '--path', site, '--group', '=', ''], ['babel.extractors', 'console_scripts', 'pytest11']],
    ['-d values are distribution names (those starting with what was typed)', ['epi', '--path', site, 'list', '-d', 'B'], ['Beta_Pkg']],
    ['-n values are entry point names', ['epi', '--path', site, 'list', '-n', 'alpha'], ['alpha', 'alpha-cli']],
    ['an option before the command is the default command\'s: epi --path D -g <TAB>', ['epi', '--path', site, '-g', 'p'], ['pytest11']],
    ['show DIST completes distribution names', ['epi', 'show', '--path', site, ''], ['Beta_Pkg', 'alpha']],
    ['which NAME completes console_scripts names', ['epi', '--path', site, 'which', ''], ['alpha-cli', 'beta']],
    ['check -d completes distribution names of its --path', ['epi', 'check', '--path', site, '-d', 'a'], ['alpha']],
    ['help completes commands', ['epi', 'help', 'con'], ['conflicts']],
  ];
  for (const [rule, words, expected] of RULES) test(rule, () => assert.deepEqual(complete(words), expected));
});

describe('zsh', { skip: has('zsh') ? false : 'zsh is not installed here' }, () => {
  const file = path.join(tempDir(), '_epi');
  fs.writeFileSync(file, epi(['completion', 'zsh']).stdout);
  /**
   * The script's dispatch run in zsh with the completion system's functions stubbed to print
   * what they were given (driving a real interactive completion needs a terminal): which
   * command, which words `_arguments` sees, and the spec of `-g`.
   */
  const dispatch = (words: string[]): string => {
    const stubs = [
      'compdef() { : }',
      '_describe() { print -r -- "describe ${(j: :)${(@)${(P)2}%%:*}}" }',
      '_arguments() { print -r -- "arguments ${(j:|:)words} @${CURRENT}"; print -rl -- "$@" | grep -E "^(\\*?-g\\[|:)"; true }',
      '_values() { print -r -- "values $*" }',
    ].join('\n');
    const r = spawnSync('zsh', ['-f', '-c', `${stubs}\nsource ${file}\nwords=(${words.map((w) => `'${w}'`).join(' ')}); CURRENT=${words.length}; _epi`], { encoding: 'utf8', env });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  };
  const values = (words: string[], kind: string): string[] => {
    const r = spawnSync('zsh', ['-f', '-c', `compadd() { print -rl -- "\${(@P)2}" }\ncompdef() { : }\nsource ${file}\n_epi_prog=epi; words=(${words.map((w) => `'${w}'`).join(' ')}); CURRENT=${words.length}; _epi_values ${kind}`], { encoding: 'utf8', env });
    assert.equal(r.status, 0, r.stderr);
    return lines(r.stdout).sort();
  };

  test('commands complete after options: epi -p venv li<TAB>', () => {
    assert.match(dispatch(['epi', '-p', 'venv', 'li']), /^describe list groups show which .*lint/m);
  });
  test('options before the command reach the command: _arguments sees `list --path D -g`, and -g completes from the environment', () => {
    const out = dispatch(['epi', '--path', site, 'list', '-g', '']);
    assert.ok(out.includes(`arguments list|--path|${site}|-g| @5`), out);
    assert.match(out, /^\*-g\[only this group\]:group:_epi_values group$/m);
  });
  test('an option before any command is the default command\'s', () => {
    assert.ok(dispatch(['epi', '--path', site, '-g', '']).includes(`arguments list|--path|${site}|-g| @5`));
  });
  test('a group\'s subcommand after options', () => {
    assert.ok(dispatch(['epi', '-p', 'x', 'cache', 'status', '--fr']).includes('arguments cache status|-p|x|--fr @4'));
  });
  test('show DIST completes distribution names', () => {
    assert.match(dispatch(['epi', 'show', '']), /^:dist:_epi_values dist$/m);
  });
  test('_epi_values offers the environment the line names', () => {
    assert.deepEqual(values(['list', '--path', site, '-g', ''], 'group'), ['babel.extractors', 'console_scripts', 'pytest11']);
    assert.deepEqual(values(['which', '--path', site, ''], 'name'), ['alpha-cli', 'beta']);
  });
});

describe('fish', { skip: has('fish') ? false : 'fish is not installed here' }, () => {
  const file = path.join(tempDir(), 'epi.fish');
  fs.writeFileSync(file, epi(['completion', 'fish']).stdout);
  /** fish's own completion engine: `complete -C LINE` prints what <TAB> would offer. */
  const complete = (line: string): string[] => {
    const r = spawnSync('fish', ['--no-config', '-c', `source ${file}; complete -C ${JSON.stringify(line)}`], { encoding: 'utf8', env });
    assert.equal(r.status, 0, r.stderr);
    return lines(r.stdout).map((l) => l.split('\t')[0]!).sort();
  };
  const RULES: Array<[string, string, string[]]> = [
    ['commands complete after options: epi -p venv li<TAB>', 'epi -p venv li', ['lint', 'list']],
    ['-g values are the groups of the environment on the line', `epi --path ${site} list -g `, ['babel.extractors', 'console_scripts', 'pytest11']],
    ['-d values are distribution names', `epi list --path ${site}:${other} -d `, ['Beta_Pkg', 'alpha', 'gamma']],
    ['-n values are entry point names', `epi list --path ${site} -g pytest11 -n `, ['alpha']],
    ['show DIST completes distribution names', `epi show --path ${other} `, ['gamma']],
    ['which NAME completes console_scripts names', `epi which --path ${site} `, ['alpha-cli', 'beta']],
  ];
  for (const [rule, line, expected] of RULES) test(rule, () => assert.deepEqual(complete(line), expected));
});
