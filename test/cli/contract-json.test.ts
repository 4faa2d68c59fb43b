/**
 * JSON as a contract, for the commands test/cli/contract.test.ts does not cover: `lint`,
 * `write`, `list --wheel`, `check` (Python and `--node`), `accelerate`, `scripts …` (plans and
 * dry runs), and every `--node` output. Each runs on a real fixture, and its JSON validates
 * against the schema its `--json` help line names (src/cli/json-schemas.ts, schema/cli/,
 * docs/spec.md §8.4). Then one shape per thing across commands (the npm environment, entry
 * point and package; check summaries), one counts wording in the text summaries, and the
 * package counts of `cache … --node`.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, test } from 'node:test';
import { DIAGNOSTIC_CODES } from '../../src/diagnostics.js';
import { JSON_SCHEMAS } from '../../src/cli/json-schemas.js';
import { DIAGNOSTIC_HINTS } from '../../src/lint/findings.js';
import { epi, type CliResult } from '../support/cli.js';
import { distInfo, tempDir, writeTree, type Tree } from '../support/fixtures.js';
import { PYTHON } from '../support/python.js';
import { isValid, SCHEMA_DIR, SCHEMA_NAMES, validate } from '../support/schemas.js';
import { nodeModules, pkg } from '../node/support.js';
import { PYTHON_SRC } from '../python/interpreters.js';
import { makeWheel } from '../support/wheel.js';

const root = tempDir('epindex-contract-json-');
const cacheDir = path.join(root, 'cache');
const env = { EPINDEX_CACHE_DIR: cacheDir, NODE_PATH: '', VIRTUAL_ENV: '', PYTHONPATH: '' };
const run = (args: readonly string[], extra: NodeJS.ProcessEnv = {}): CliResult => epi(args, { ...env, ...extra });

// ---------------------------------------------------------------------------------------------
// Fixtures

/** A wheel (RECORD with hashes); `tamper` edits entry_points.txt after RECORD was written. */
const wheel = (dir: string, entryPoints: string, tamper: boolean): string => makeWheel(dir, entryPoints, tamper);

const lintDir = writeTree(path.join(root, 'lint'), {
  // EP607 (error), EP609 (warning).
  project: { 'pyproject.toml': '[project]\nname = "p"\nversion = "1"\n\n[project.scripts]\np = "p.cli"\nok = "p.cli:main"\n\n[project.gui-scripts]\n"my tool" = "p.gui:main"\n' },
  // EP613 (info) only.
  info: { 'entry_points.txt': '[g]\na = m:f [extra]\n' },
  // EP620: a portability finding with the readers that disagree.
  portability: { 'entry_points.txt': '[g]\n; c\na = m:f\n' },
  clean: { 'pyproject.toml': '[project]\nname = "c"\nversion = "1"\n\n[project.scripts]\nc = "c.cli:main"\n\n[project.entry-points."c.plugins"]\nb = "c.plugins:b"\n' },
  dynamic: { 'pyproject.toml': '[project]\nname = "d"\ndynamic = ["version", "entry-points"]\n' },
  // EP705, EP707, EP709: package.json findings, each with a fix.
  npm: { 'package.json': JSON.stringify({ name: 'p', version: '1.0.0', 'plugin-entry-points': { 'bad group[': { a: '.' }, g: { 'bad name!': './b.js', u: '../escape.js' } } }, null, 2) + '\n' },
  readme: { 'README.md': '# not lintable\n' },
  empty: {},
});
const L = (p: string): string => path.join(lintDir, p);
const goodWheel = wheel(lintDir, '[console_scripts]\nw = w:main\n\n[w.plugins]\np = w.plugins\n', false);
const tamperedWheel = wheel(lintDir, '[console_scripts]\nw = w:main\n', true);

/** An environment with a conflict (EP650) and a broken file, for `lint --path` and `diagnose --format json`. */
const site = writeTree(path.join(root, 'site'), {
  ...distInfo('alpha', '1.0', '[console_scripts]\ntool = alpha.cli:main\n'),
  ...distInfo('beta', '2.0', '[console_scripts]\ntool = beta.cli:main\n'),
  ...distInfo('broken', '1.0', '[g]\nno equals here\n'),
});

/** npm: five packages, two of them in one scope and one in another (two scope bookkeeping units), a shadowed copy farther up. */
const npmRoot = path.join(root, 'npm');
const project = path.join(npmRoot, 'proj');
const projectModules = path.join(project, 'node_modules');
const esm = (body: string): { type: 'module'; exports: string; files: Record<string, string> } => ({ type: 'module', exports: './i.js', files: { 'i.js': body } });
writeTree(projectModules, nodeModules({
  '@s/good': pkg('@s/good', { ...esm('export const hello = () => "hi";\nexport default 1;'), eps: { 'app.g': { hello: '.:hello', same: '.' } } }),
  '@s/other': pkg('@s/other', { ...esm('export default 2;'), eps: { 'app.g': { same: '.' }, 'app.h': { h: '.:default' } } }),
  '@t/throws': pkg('@t/throws', { ...esm('throw new RangeError("nope");'), eps: { 'app.h': { throws: '.' } } }),
  plain: pkg('plain', { main: 'i.js', files: { 'i.js': 'module.exports = { run() {} };' }, eps: { 'app.g': { plain: '.:run' } } }),
  broken: pkg('broken', { eps: { 'bad group': { x: '.' }, 'app.h': { bad: '../out.js' } } }),
}));
writeTree(path.join(npmRoot, 'node_modules'), nodeModules({ plain: pkg('plain', { version: '0.1.0', eps: { 'app.g': { old: '.' } } }) }));
const N = ['--node', project];

/** Python check: one plugin that imports, one whose module is missing, one raising on import. */
const checkSite = writeTree(path.join(root, 'check-site'), {
  'goodmod.py': 'def hello(): pass\n',
  'raisemod.py': "raise RuntimeError('boom at import')\n",
  ...distInfo('good', '1.0', '[contract.check]\ngood = goodmod:hello\n'),
  ...distInfo('nomod', '1.0', '[contract.check]\nnomod = does_not_exist:x\n'),
  ...distInfo('raises', '1.0', '[contract.check]\nraises = raisemod\n'),
});
const PY_CHECK = ['check', '--python', PYTHON, '--group', 'contract.check', '--timeout', '10', '--cache', 'scan'];
const checkEnv = { PYTHONPATH: checkSite };

/** A venv without pip (epindex's source on its path for `accelerate`), with scripts to launch: two distributions claim one name, one name is refused. */
let venvPython = '';
before(() => {
  const venv = path.join(root, 'venv');
  const r = spawnSync(PYTHON, ['-m', 'venv', '--without-pip', venv], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  venvPython = path.join(venv, 'bin', 'python');
  const purelib = spawnSync(venvPython, ['-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])'], { encoding: 'utf8' }).stdout.trim();
  const tree: Tree = {
    'epindex-src.pth': PYTHON_SRC + '\n',
    'contractfix/__init__.py': 'def main():\n    return 0\n',
    ...distInfo('contractfix', '1.0', '[console_scripts]\ncontract-tool = contractfix:main\ncontract-both = contractfix:main\n"bad/name" = contractfix:main\n\n[gui_scripts]\ncontract-gui = contractfix:main\n'),
    ...distInfo('contractdup', '2.0', '[console_scripts]\ncontract-both = contractfix:main\n'),
  };
  writeTree(purelib, tree);
});

// ---------------------------------------------------------------------------------------------
// Every command, its exit status and the schema of its JSON

type Row = { args: () => string[]; status: number | 'any'; schema: string; env?: NodeJS.ProcessEnv; name?: string };

/** [command line, exit status, schema] — the schema its `--json` help line names. */
const ROWS: Row[] = [
  { args: () => ['lint', L('project'), L('npm'), L('info/entry_points.txt'), L('portability/entry_points.txt'), tamperedWheel], status: 1, schema: 'lint' },
  { args: () => ['lint', L('clean')], status: 0, schema: 'lint' },
  { args: () => ['lint', '--path', site], status: 1, schema: 'lint', name: 'lint --path SITE (an environment with a broken file)' },
  { args: () => ['write', L('clean')], status: 0, schema: 'write' },
  { args: () => ['write', L('clean'), '--out', path.join(root, 'out')], status: 0, schema: 'write' },
  { args: () => ['write', L('dynamic')], status: 1, schema: 'write' },
  { args: () => ['write', L('project')], status: 1, schema: 'write' },
  { args: () => ['list', '--wheel', goodWheel], status: 0, schema: 'list-wheel' },
  { args: () => ['list', '--wheel', tamperedWheel], status: 0, schema: 'list-wheel' },
  { args: () => PY_CHECK, status: 1, schema: 'check', env: checkEnv, name: 'check --python PYTHON (one passes, two fail)' },
  { args: () => ['accelerate', '--python', venvPython], status: 0, schema: 'accelerate', name: 'accelerate --python VENV' },
  { args: () => ['accelerate', '--python', venvPython, '--remove'], status: 0, schema: 'accelerate', name: 'accelerate --python VENV --remove' },
  { args: () => ['scripts', 'list', '--python', venvPython], status: 1, schema: 'scripts-list', name: 'scripts list --python VENV (missing launchers)' },
  { args: () => ['scripts', 'install', '--python', venvPython, '--dry-run'], status: 1, schema: 'scripts-plan', name: 'scripts install --dry-run' },
  { args: () => ['scripts', 'install', '--python', venvPython], status: 1, schema: 'scripts-plan', name: 'scripts install (a refused name and a conflict are left undone)' },
  { args: () => ['scripts', 'list', '--python', venvPython], status: 1, schema: 'scripts-list', name: 'scripts list (after install)' },
  { args: () => ['scripts', 'repair', '--python', venvPython, '--dry-run'], status: 'any', schema: 'scripts-plan', name: 'scripts repair --dry-run' },
  { args: () => ['scripts', 'repair', '--python', venvPython], status: 'any', schema: 'scripts-plan', name: 'scripts repair' },
  { args: () => ['scripts', 'remove', '--python', venvPython, '--dry-run'], status: 'any', schema: 'scripts-plan', name: 'scripts remove --dry-run' },
  { args: () => ['scripts', 'remove', '--python', venvPython], status: 'any', schema: 'scripts-plan', name: 'scripts remove' },
  { args: () => ['list', ...N], status: 0, schema: 'list-node' },
  { args: () => ['list', ...N, '--group', 'app.g', '--group', 'app.h'], status: 0, schema: 'list-node' },
  { args: () => ['groups', ...N], status: 0, schema: 'groups-node' },
  { args: () => ['conflicts', ...N], status: 0, schema: 'conflicts-node' },
  { args: () => ['diagnose', ...N], status: 1, schema: 'diagnose-node' },
  { args: () => ['diagnose', ...N, '--all'], status: 1, schema: 'diagnose-node' },
  { args: () => ['check', ...N], status: 1, schema: 'check-node' },
  { args: () => ['cache', 'build', '--node', projectModules], status: 0, schema: 'cache-build-node' },
  { args: () => ['cache', 'build', '--node', project], status: 0, schema: 'cache-build-node' },
  { args: () => ['cache', 'status', ...N], status: 0, schema: 'cache-status-node' },
  { args: () => ['cache', 'status', '--node', projectModules], status: 0, schema: 'cache-status-node' },
];

const plural = (n: number, w: string): string => `${n} ${w}${n === 1 ? '' : 's'}`;
const shown = (args: readonly string[]): string => args.join(' ').split(root).join('ROOT').split(PYTHON).join('PYTHON');

/** The JSON of each row, kept for the one-shape tests below. */
const outputs = new Map<Row, unknown>();

describe('every command prints JSON its schema describes', () => {
  for (const row of ROWS) {
    test(`epi ${row.name ?? '…'}: --json validates against ${row.schema}.schema.json`, () => {
      const args = row.args();
      const j = run([...args, '--json'], row.env);
      if (row.status !== 'any') assert.equal(j.status, row.status, `epi ${shown(args)} --json: ${j.stderr}`);
      else assert.ok(j.status === 0 || j.status === 1, `epi ${shown(args)} --json exited ${j.status}: ${j.stderr}`);
      assert.doesNotMatch(j.stderr, /\n {4}at |internal error|Traceback/);
      // On a pipe, compact: one line (§8.4).
      assert.equal(j.stdout.indexOf('\n'), j.stdout.length - 1, `epi ${shown(args)} --json is not one compact line`);
      const value = JSON.parse(j.stdout) as unknown;
      validate(row.schema, value);
      outputs.set(row, value);
    });
  }

  test('the validator is not vacuous: outputs with a member missing or of the wrong type fail', () => {
    const some = [...outputs.entries()].filter(([r]) => ['lint', 'list-node', 'check', 'check-node', 'scripts-plan', 'cache-status-node'].includes(r.schema));
    assert.ok(some.length >= 6, 'the outputs were collected');
    for (const [row, value] of some) {
      const v = value as Record<string, unknown>;
      // A member the schema requires (an optional one, as lint's environment, may be left out).
      const required = (JSON.parse(fs.readFileSync(path.join(SCHEMA_DIR, `${row.schema}.schema.json`), 'utf8')) as { required: string[] }).required;
      const first = required.find((k) => k in v)!;
      assert.ok(first !== undefined, `${row.schema} requires a member`);
      const { [first]: _dropped, ...without } = v;
      assert.equal(isValid(row.schema, without), false, `${row.schema} without ${first}`);
      assert.equal(isValid(row.schema, { ...v, [first]: 42 }), false, `${row.schema} with ${first} = 42`);
    }
  });

  test('lint --format json and diagnose --format json are their --json', () => {
    const a = run(['lint', L('project'), '--format', 'json']);
    assert.equal(a.stdout, run(['lint', L('project'), '--json']).stdout);
    validate('lint', JSON.parse(a.stdout));
    const d = run(['diagnose', '--path', site, '--format', 'json']);
    assert.equal(d.status, 1);
    validate('diagnose', JSON.parse(d.stdout));
    const n = run(['diagnose', ...N, '--format', 'json']);
    assert.equal(n.status, 1);
    validate('diagnose-node', JSON.parse(n.stdout));
  });

  test('each --json help line names its schema, and every schema file is named by a command', () => {
    const named = new Set<string>();
    for (const [command, s] of Object.entries(JSON_SCHEMAS)) {
      const help = run([...command.split(' '), '--help']).stdout.replace(/\s+/g, ' ');
      assert.match(help, new RegExp(`--json print JSON \\(schema/cli/${s.schema}\\.schema\\.json`), command);
      for (const n of [s.schema, s.node, s.wheel]) {
        if (n === undefined) continue;
        assert.ok(SCHEMA_NAMES.includes(n), `${command}: schema/cli/${n}.schema.json exists`);
        assert.ok(help.includes(`${n}.schema.json`), `${command} --help names ${n}.schema.json`);
        named.add(n);
      }
    }
    assert.deepEqual(SCHEMA_NAMES.filter((n) => n !== 'definitions' && !named.has(n)), [], 'schema files no command names');
  });

  test('every schema is validated against real output by a contract test', () => {
    // contract.test.ts validates the lookup and cache commands'; this file the others'.
    const inContractTest = ['list', 'groups', 'show', 'which', 'conflicts', 'diagnose', 'env', 'cache-build', 'cache-status', 'cache-clear'];
    const here = new Set(ROWS.map((r) => r.schema));
    const all = new Set(Object.values(JSON_SCHEMAS).flatMap((s) => [s.schema, s.node, s.wheel]).filter((n): n is string => n !== undefined));
    assert.deepEqual([...all].filter((n) => !here.has(n) && !inContractTest.includes(n)), []);
  });
});

// ---------------------------------------------------------------------------------------------
// One shape per thing

const jsonOf = <T>(args: readonly string[], extra?: NodeJS.ProcessEnv): T => {
  const r = run([...args, '--json'], extra);
  assert.ok(r.stdout.startsWith('{'), `epi ${shown(args)} --json: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
};

interface NpmEntryPoint { group: string; name: string; package: { key: string } }

describe('one shape per thing on the npm side', () => {
  test('every --node lookup carries the same environment: where resolution started, the directories searched in order', () => {
    const envs = [['list', ...N], ['groups', ...N], ['conflicts', ...N], ['diagnose', ...N], ['check', ...N, '--group', 'app.g']].map((a) => jsonOf<{ environment: unknown }>(a).environment);
    for (const e of envs.slice(1)) assert.deepEqual(e, envs[0]);
    const e = envs[0] as { from: string; global: boolean; searchPath: Array<{ dir: string; origin: string; exists: boolean }>; cache: string };
    assert.equal(e.from, project);
    assert.equal(e.global, false);
    assert.deepEqual(e.searchPath.slice(0, 2), [{ dir: projectModules, origin: 'node_modules', exists: true }, { dir: path.join(npmRoot, 'node_modules'), origin: 'node_modules', exists: true }]);
    assert.equal(e.searchPath[2]!.dir, path.join(root, 'node_modules'));
    assert.equal(e.searchPath[2]!.exists, false);
    assert.equal(e.cache, 'auto');
  });

  test('an npm entry point is one shape in list, conflicts and check; counts are the shared counts', () => {
    const list = jsonOf<{ entryPoints: NpmEntryPoint[]; counts: { errors: number; warnings: number; info: number }; diagnostics: Array<{ severity: string }> }>(['list', ...N, '--group', 'app.g']);
    const conflicts = jsonOf<{ conflicts: Array<{ providers: NpmEntryPoint[] }> }>(['conflicts', ...N]).conflicts;
    const same = list.entryPoints.filter((e) => e.name === 'same');
    assert.deepEqual(conflicts.find((c) => c.providers[0]!.name === 'same')!.providers, same);
    const check = jsonOf<{ results: Array<{ name: string; package: unknown }> }>(['check', ...N, '--group', 'app.g']).results;
    // In the same order as list's: two packages provide "same".
    assert.deepEqual(check.map((r) => [r.name, r.package]), list.entryPoints.map((e) => [e.name, e.package]));
    assert.deepEqual(list.counts, { errors: list.diagnostics.filter((d) => d.severity === 'error').length, warnings: list.diagnostics.filter((d) => d.severity === 'warning').length, info: list.diagnostics.filter((d) => d.severity === 'info').length });
    assert.ok(list.counts.errors > 0, 'the broken package is counted');
  });

  test('diagnose --node: counts over every diagnostic, info ones listed with --all, the summary worded as everywhere', () => {
    const j = jsonOf<{ counts: { errors: number; warnings: number; info: number }; shown: number; diagnostics: unknown[] }>(['diagnose', ...N]);
    const all = jsonOf<{ counts: unknown; shown: number }>(['diagnose', ...N, '--all']);
    assert.ok(j.counts.info > 0, 'the shadowed plain (EP720) is info');
    assert.equal(j.shown, j.counts.errors + j.counts.warnings);
    assert.equal(all.shown, j.counts.errors + j.counts.warnings + j.counts.info);
    assert.deepEqual(all.counts, j.counts);
    const text = run(['diagnose', ...N]);
    const words = [j.counts.errors > 0 ? plural(j.counts.errors, 'error') : '', j.counts.warnings > 0 ? plural(j.counts.warnings, 'warning') : ''].filter(Boolean).join(', ');
    assert.equal(text.stderr, `epi: ${words}, ${j.counts.info} info (--all shows them)\n`);
  });
});

describe('the two checks: one JSON summary, one wording', () => {
  const SUMMARY = /^epi: (\d+) entry points? checked: (\d+) passed, (\d+) failed$/m;
  for (const [what, args, extra] of [['Python', PY_CHECK, checkEnv], ['npm', ['check', ...N], {}]] as const) {
    test(`${what}: checked, passed and failed in the JSON are the text's summary line`, () => {
      const j = jsonOf<{ checked: number; passed: number; failed: number; results: Array<{ ok: boolean; code: string | null }> }>(args, extra);
      assert.equal(j.checked, j.results.length);
      assert.equal(j.passed, j.results.filter((r) => r.ok).length);
      assert.equal(j.failed, j.checked - j.passed);
      assert.ok(j.passed > 0 && j.failed > 0, 'the fixture has both');
      for (const r of j.results) assert.equal(r.code === null, r.ok);
      const text = run(args, extra);
      assert.equal(text.status, 1);
      const m = SUMMARY.exec(text.stderr);
      assert.ok(m, text.stderr);
      assert.deepEqual([Number(m[1]), Number(m[2]), Number(m[3])], [j.checked, j.passed, j.failed]);
      assert.doesNotMatch(text.stdout, /checked/);
    });
  }
});

describe('cache build|status --node count packages, not scope directories', () => {
  test('five packages in two scopes and two plain directories are 5, in the JSON and the table', () => {
    const build = jsonOf<{ results: Array<{ pathEntry: string; distributions: number }> }>(['cache', 'build', '--node', projectModules, '--force']);
    assert.deepEqual(build.results.map((r) => [r.pathEntry, r.distributions]), [[projectModules, 5]]);
    const unchanged = jsonOf<{ results: Array<{ distributions: number }> }>(['cache', 'build', '--node', projectModules]);
    assert.equal(unchanged.results[0]!.distributions, 5, 'an unchanged cache too');
    const status = jsonOf<{ entries: Array<{ pathEntry: string; distributions: number | null; state: string }> }>(['cache', 'status', '--node', projectModules]);
    assert.deepEqual(status.entries.map((e) => [e.state, e.distributions]), [['fresh', 5]]);
    const table = run(['cache', 'status', '--node', projectModules]).stdout.split('\n')[1]!.split(/\s{2,}/);
    assert.equal(table[2], '5', 'the PACKAGES column');
    const keys = new Set(jsonOf<{ entryPoints: NpmEntryPoint[] }>(['list', '--node', project]).entryPoints.filter((e) => (e as unknown as { package: { nodeModules: string } }).package.nodeModules === projectModules).map((e) => e.package.key));
    assert.equal(keys.size, 5, 'the oracle: list --node sees five packages there');
  });
});

// ---------------------------------------------------------------------------------------------
// Lint: counts wording, hints, the kinds it names

describe('epi lint', () => {
  const rows: Array<[rule: string, paths: string[], summary: string, counts: [errors: number, warnings: number, info: number]]> = [
    ['errors and warnings, no "0 info"', [L('project')], 'epi: 1 error, 1 warning in 1 file', [1, 1, 0]],
    ['info counted apart', [L('info/entry_points.txt')], 'epi: no errors or warnings, 1 info in 1 file', [0, 0, 1]],
    ['several files', [L('project'), L('npm')], 'epi: 3 errors, 2 warnings in 2 files', [3, 2, 0]],
    ['nothing found', [L('clean')], 'epi: no errors or warnings', [0, 0, 0]],
  ];
  for (const [rule, paths, summary, [errors, warnings, info]] of rows) {
    test(`the summary line uses the shared counts wording (as the JSON counts): ${rule}`, () => {
      assert.equal(run(['lint', ...paths]).stderr, `${summary}\n`);
      assert.deepEqual(jsonOf<{ counts: unknown }>(['lint', ...paths]).counts, { errors, warnings, info });
    });
  }

  test('package.json findings (EP7xx) carry a fix hint, as EP6xx ones do; every package.json and npm environment code has one', () => {
    const j = jsonOf<{ findings: Array<{ code: string; hint?: string }> }>(['lint', L('npm')]);
    assert.deepEqual(j.findings.map((f) => f.code).sort(), ['EP705', 'EP707', 'EP709']);
    for (const f of j.findings) assert.ok(typeof f.hint === 'string' && f.hint.length > 20, `${f.code} has a hint`);
    assert.match(run(['lint', L('npm')]).stdout, /fix: Group names are letters/);
    const npmCodes = Object.keys(DIAGNOSTIC_CODES).filter((c) => /^EP7\d\d$/.test(c));
    assert.deepEqual(npmCodes.filter((c) => !(c in DIAGNOSTIC_HINTS)), []);
  });

  test('the help and the errors name package.json among the kinds lint reads', () => {
    assert.match(run(['lint', '--help']).stdout.replace(/\s+/g, ' '), /setup\.cfg, setup\.py, package\.json/);
    const empty = run(['lint', L('empty')]);
    assert.equal(empty.status, 2);
    assert.match(empty.stderr, /no pyproject\.toml, setup\.cfg, setup\.py or package\.json here/);
    const readme = run(['lint', L('readme/README.md')]);
    assert.equal(readme.status, 2);
    assert.match(readme.stderr, /\(entry_points\.txt, .*setup\.cfg, setup\.py, package\.json\)/);
  });

  test('write --json: entry points in the shared shape, the findings counted', () => {
    const j = jsonOf<{ entryPoints: Array<{ group: string; name: string; module: string; attr: string; dist: null }>; counts: unknown; findings: unknown[] }>(['write', L('clean')]);
    assert.deepEqual(j.entryPoints.map((e) => [e.group, e.name, e.module, e.attr, e.dist]), [['console_scripts', 'c', 'c.cli', 'main', null], ['c.plugins', 'b', 'c.plugins', 'b', null]]);
    assert.deepEqual(j.counts, { errors: 0, warnings: 0, info: 0 });
  });
});
