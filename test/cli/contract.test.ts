/**
 * The CLI's contract, command by command: exit codes 0/1/2 (docs/spec.md §8.3), quiet exits into
 * a closed pipe, clear diagnostics for missing directories and distributions (issue 9 item 5),
 * and JSON that validates against schema/cli/*.schema.json (§8.4, issue 9 item 7). The other
 * commands' JSON (lint, write, list --wheel, check, accelerate, scripts, the --node side) is
 * validated in contract-json.test.ts.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, test } from 'node:test';
import { CLI, epi } from '../support/cli.js';
import { distInfo, tempDir, writeTree } from '../support/fixtures.js';
import { validate } from '../support/schemas.js';

const many = Array.from({ length: 3000 }, (_, i) => `tool${i} = pkg.mod${i}:main`).join('\n');
const site = writeTree(tempDir(), {
  ...distInfo('alpha', '1.0', `[console_scripts]\ntool = alpha.cli:main\n${many}\n\n[pytest11]\nalpha = alpha.plugin\n`),
  ...distInfo('beta', '2.0', '[console_scripts]\ntool = beta.cli:main\n'),
  ...distInfo('broken', '1.0', '\ufeff[g]\nno equals here\n'),
  ...distInfo('beta', '1.0', '[console_scripts]\nold = beta:old\n'),
});
const cacheDir = tempDir();
const env = { EPINDEX_CACHE_DIR: cacheDir };
const P = ['--path', site];

/** [command line, exit status, schema of its --json output (null: no JSON)]. */
const COMMANDS: Array<[string[], number, string | null]> = [
  [['list', ...P], 0, 'list'],
  [['list', ...P, '--group', 'nothing-here'], 0, 'list'],
  [['list', ...P, '--dist', 'nope'], 1, 'list'],
  [['list', '--path', '/nonexistent/site'], 1, 'list'],
  [['groups', ...P], 0, 'groups'],
  [['show', 'alpha', ...P], 0, 'show'],
  [['show', 'nope', ...P], 1, 'show'],
  [['which', 'tool', ...P], 0, 'which'],
  [['which', 'nobody', ...P], 1, 'which'],
  [['conflicts', ...P], 0, 'conflicts'],
  [['diagnose', ...P], 1, 'diagnose'],
  [['diagnose', '--path', tempDir()], 0, 'diagnose'],
  [['env', ...P], 0, 'env'],
  [['env'], 0, 'env'],
  [['cache', 'build', site], 0, 'cache-build'],
  [['cache', 'rebuild', ...P], 0, 'cache-build'],
  [['cache', 'status', ...P], 0, 'cache-status'],
  [['cache', 'clear', site], 0, 'cache-clear'],
  [['completion', 'bash'], 0, null],
];

/** Failures that must be one clear line and exit 2, for every command they apply to. */
const FAILURES: Array<[string[], RegExp]> = [
  [['show', 'x', '--site', '/nonexistent/site'], /^epi: --site \/nonexistent\/site: no such file or directory\n$/],
  [['cache', 'build', '/nonexistent'], /^epi: cache build \/nonexistent: no such file or directory\n$/],
  [['cache', 'clear', '/nonexistent'], /^epi: cache clear \/nonexistent: no such file or directory\n$/],
  [['cache', 'status', '--python', '/nonexistent/python'], /^epi: cannot run the Python interpreter/],
  [['groups', '--bogus'], /^epi: unknown option '--bogus'/],
];

describe('exit codes and JSON, command by command', () => {
  for (const [args, status, schema] of COMMANDS) {
    test(`epi ${args.join(' ').replaceAll(site, 'SITE')} exits ${status}${schema ? ` and its --json validates against ${schema}.schema.json` : ''}`, () => {
      const r = epi(args, env);
      assert.equal(r.status, status, r.stderr);
      assert.doesNotMatch(r.stderr, /\n {4}at |internal error/);
      if (schema === null) return;
      const j = epi([...args, '--json'], env);
      assert.equal(j.status, status, j.stderr);
      validate(schema, JSON.parse(j.stdout));
    });
  }
  for (const [args, message] of FAILURES) {
    test(`epi ${args.join(' ')} is a clear diagnostic and exit 2`, () => {
      const r = epi(args, env);
      assert.equal(r.status, 2);
      assert.match(r.stderr, message);
    });
  }

  test('list --dist naming no installed distribution says so (exit 1)', () => {
    const r = epi(['list', ...P, '--dist', 'nope'], env);
    assert.match(r.stderr, /^epi: no distribution named "nope" in this environment\n$/);
  });

  test('diagnose --json carries every count the text shows', () => {
    const text = epi(['diagnose', ...P, '--all'], env);
    const j = JSON.parse(epi(['diagnose', ...P, '--json'], env).stdout) as { counts: { errors: number; warnings: number; info: number }; shown: number; diagnostics: unknown[] };
    const m = /^epi: (\d+) errors?, (\d+) warnings?(?:, (\d+) info)?\n$/.exec(text.stderr);
    assert.ok(m, text.stderr);
    assert.deepEqual([j.counts.errors, j.counts.warnings, j.counts.info], [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)]);
    assert.equal(j.shown, j.diagnostics.length);
  });

  test('list --json is in the order of the table', () => {
    const table = epi(['list', ...P, '-g', 'console_scripts'], env).stdout.trimEnd().split('\n').slice(1).map((l) => l.split(/\s{2,}/).slice(0, 2).join('/'));
    const j = JSON.parse(epi(['list', ...P, '-g', 'console_scripts', '--json'], env).stdout) as { entryPoints: Array<{ group: string; name: string }> };
    assert.deepEqual(j.entryPoints.map((e) => `${e.group}/${e.name}`), table);
  });

  test('one shape for a distribution: show and an entry point\'s dist agree', () => {
    const show = JSON.parse(epi(['show', 'beta', ...P, '--json'], env).stdout) as { distribution: unknown; entryPoints: Array<{ dist: unknown }> };
    assert.deepEqual(show.entryPoints[0]!.dist, show.distribution);
  });

  test('every command\'s JSON carries the environment it used, with the same shape', () => {
    const a = (JSON.parse(epi(['list', ...P, '--json'], env).stdout) as { environment: unknown }).environment;
    const b = (JSON.parse(epi(['env', ...P, '--json'], env).stdout) as { environment: unknown }).environment;
    assert.deepEqual(a, b);
  });
});

/** Run the CLI with its stdout read by nobody: the reading end is closed before it writes. */
function intoClosedPipe(args: readonly string[]): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, NODE_EXTRA_CA_CERTS: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stderr }));
  });
}

describe('a closed reader (epi list | head -1) ends the command quietly, with its own exit status', () => {
  for (const [args, status] of COMMANDS) {
    test(`epi ${args.join(' ').replaceAll(site, 'SITE')} into a closed pipe exits ${status}, no stack trace`, async () => {
      const r = await intoClosedPipe(args);
      assert.equal(r.status, status, r.stderr);
      assert.doesNotMatch(r.stderr, /EPIPE|\n {4}at |internal error/);
    });
  }
});
