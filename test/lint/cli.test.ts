/**
 * `epi lint`, `epi write`, `epi list --wheel` and `epi diagnose --format` through the CLI:
 * exit codes, the four output formats, the SARIF log validated against the official SARIF
 * 2.1.0 schema (test/fixtures/sarif, OASIS), GitHub workflow commands.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { epi } from '../support/cli.js';
import { distInfo, tempDir, writeTree } from '../support/fixtures.js';
import { makeWheel } from '../support/wheel.js';

const require = createRequire(import.meta.url);
const SCHEMA = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test/fixtures/sarif/sarif-schema-2.1.0.json');

function sarifValidator(): (data: unknown) => boolean & { errors?: unknown } {
  // The official schema is draft-04 (ajv-draft-04); formats (uri, uri-reference, date-time) are checked too.
  const Ajv = require('ajv-draft-04') as new (o: object) => { compile(s: object): ((d: unknown) => boolean) & { errors?: unknown } };
  const addFormats = require('ajv-formats') as (a: unknown) => void;
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  return ajv.compile(JSON.parse(fs.readFileSync(SCHEMA, 'utf8')) as object) as never;
}

const dir = tempDir('epindex-lint-cli-');
const project = writeTree(path.join(dir, 'project'), {
  'pyproject.toml': '[project]\nname = "p"\nversion = "1"\n\n[project.scripts]\np = "p.cli"\nok = "p.cli:main"\n\n[project.gui-scripts]\n"my tool" = "p.gui:main"\n',
});
const warnOnly = writeTree(path.join(dir, 'warn-only'), { 'entry_points.txt': '[g]\na = m:f\n  b = m:g\n' });
const clean = writeTree(path.join(dir, 'clean'), {
  'pyproject.toml': '[project]\nname = "c"\nversion = "1"\n\n[project.scripts]\nc = "c.cli:main"\n\n[project.entry-points."c.plugins"]\nb = "c.plugins:b"\na = "c.plugins:a"\n',
});

const wheel = (entryPoints: string, tamper = false): string => makeWheel(dir, entryPoints, tamper);

describe('epi lint', () => {
  test('package.json: the npm "plugin-entry-points" field, each problem a finding with its EP7xx code and line; a clean one passes', () => {
    const dir = tempDir();
    const rows: Array<[rule: string, field: unknown, codes: string[]]> = [
      ['a valid field has no findings', { 'my.group': { ok: './a.js:x', root: '.' } }, []],
      ['a group name that is not dotted words is EP705', { 'bad group[': { a: '.' } }, ['EP705']],
      ['an entry point name outside [\\w.-]+ is EP707 (a warning)', { g: { 'bad name!': './b.js' } }, ['EP707']],
      ['a target that is not a string is EP708', { g: { t: 5 } }, ['EP708']],
      ['a target leaving the package is EP709', { g: { u: '../escape.js' } }, ['EP709']],
      ['a field that is not an object is EP703', ['x'], ['EP703']],
    ];
    for (const [rule, field, codes] of rows) {
      const file = path.join(dir, 'package.json');
      fs.writeFileSync(file, JSON.stringify({ name: 'p', version: '1.0.0', 'plugin-entry-points': field }, null, 2) + '\n');
      const r = epi(['lint', '--json', file]);
      const out = JSON.parse(r.stdout) as { findings: Array<{ code: string; file: string; line?: number }> };
      assert.deepEqual(out.findings.map((f) => f.code).sort(), codes, rule);
      for (const f of out.findings) assert.ok(f.file === file && typeof f.line === 'number', `${rule}: file and line`);
      assert.equal(r.status, codes.some((c) => c !== 'EP707') ? 1 : 0, `${rule}: exit status`);
    }
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'p', 'plugin-entry-points': { g: { t: 5 } } }));
    const r = epi(['lint', '--json', dir]);
    assert.deepEqual((JSON.parse(r.stdout) as { findings: Array<{ code: string }> }).findings.map((f) => f.code), ['EP708'], 'a directory: its package.json is linted');
  });

  test('exit 1 when there is an error; text grouped by file with code, line, hint and a summary on stderr', () => {
    const r = epi(['lint', project]);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stdout, /pyproject\.toml\n/);
    assert.match(r.stdout, /^ {2}6 +error +EP607 +script "p" in \[console_scripts\] names module "p\.cli" without ":function"$/m);
    assert.match(r.stdout, /fix: console_scripts and gui_scripts entries name a function/);
    assert.match(r.stderr, /^epi: 1 error, 1 warning in 1 file$/m);
  });

  test('exit 0 on warnings only; exit 1 with --strict', () => {
    const f = path.join(warnOnly, 'entry_points.txt');
    const r = epi(['lint', f]);
    assert.equal(r.status, 0, r.stdout);
    assert.match(r.stdout, /warning +EP623/);
    assert.equal(epi(['lint', '--strict', f]).status, 1);
  });

  test('exit 0 and "no errors or warnings" for a clean project; the directory finds its pyproject.toml', () => {
    const r = epi(['lint', clean]);
    assert.equal(r.status, 0, r.stdout);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, 'epi: no errors or warnings\n');
  });

  test('a missing path or a file of no known kind is a usage error (exit 2)', () => {
    const missing = epi(['lint', path.join(dir, 'nope.toml')]);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /^epi: .*no such file or directory/);
    const readme = path.join(dir, 'README.md');
    fs.writeFileSync(readme, '# x\n');
    assert.equal(epi(['lint', readme]).status, 2);
  });

  test('--json: findings with code, severity, file, line, message, hint; counts', () => {
    const r = epi(['lint', '--json', project]);
    assert.equal(r.status, 1);
    const j = JSON.parse(r.stdout) as { findings: Array<Record<string, unknown>>; counts: { errors: number; warnings: number; info: number } };
    assert.deepEqual(j.counts, { errors: 1, warnings: 1, info: 0 });
    const f = j.findings.find((x) => x['code'] === 'EP607')!;
    assert.deepEqual(Object.keys(f).sort(), ['code', 'file', 'hint', 'line', 'message', 'severity']);
    assert.equal(f['line'], 6);
  });

  test('--format sarif is valid SARIF 2.1.0 (the official schema), with rules, levels, relative locations and regions', () => {
    const validate = sarifValidator();
    const txt = writeTree(path.join(dir, 'sarif'), { 'entry_points.txt': '\ufeff[g]\n; c\na = m:f # x\n' });
    const tampered = wheel('[console_scripts]\nw = w:main\n', true);
    const r = epi(['lint', '--format', 'sarif', project, path.join(txt, 'entry_points.txt'), tampered], {});
    assert.equal(r.status, 1);
    const log = JSON.parse(r.stdout) as { runs: Array<{ tool: { driver: { rules: Array<{ id: string }> } }; results: Array<{ ruleId: string; ruleIndex: number; level: string; locations?: Array<{ physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number } } }> }> }> };
    const ok = validate(log);
    assert.ok(ok, JSON.stringify((validate as { errors?: unknown }).errors, null, 1));
    const run = log.runs[0]!;
    assert.ok(run.results.length >= 5);
    for (const res of run.results) assert.equal(run.tool.driver.rules[res.ruleIndex]!.id, res.ruleId);
    const ep607 = run.results.find((x) => x.ruleId === 'EP607')!;
    assert.equal(ep607.level, 'error');
    assert.equal(ep607.locations![0]!.physicalLocation.region!.startLine, 6);
    assert.ok(run.results.some((x) => x.ruleId === 'EP644'), 'the tampered wheel\'s RECORD mismatch');
    // A schema-valid log that breaks a rule must fail validation: the validator is not vacuous.
    assert.equal(validate({ ...log, version: '2.0.0' }), false);
    assert.equal(validate({ version: '2.1.0', runs: [{ tool: { driver: {} }, results: [] }] }), false);
  });

  test('--format github prints one workflow command per finding, escaped, with file and line', () => {
    const r = epi(['lint', '--format', 'github', project], { GITHUB_WORKSPACE: dir });
    assert.equal(r.status, 1);
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 2);
    assert.match(lines[0]!, /^::error file=project\/pyproject\.toml,line=6,title=EP607 script without "%3Afunction"::script "p" in \[console_scripts\].*%0Afix: /);
    assert.match(lines[1]!, /^::warning file=project\/pyproject\.toml,line=10,title=EP609 /);
  });

  test('a wheel: entry_points.txt read from the zip and RECORD checked', () => {
    assert.equal(epi(['lint', wheel('[console_scripts]\nw = w:main\n')]).status, 0);
    const r = epi(['lint', '--json', wheel('[console_scripts]\nw = w:main\n', true)]);
    assert.equal(r.status, 1);
    const codes = (JSON.parse(r.stdout) as { findings: Array<{ code: string; file: string }> }).findings.map((f) => f.code);
    assert.deepEqual(codes.sort(), ['EP644', 'EP645']);
  });

  test('--python lints a whole environment (and --path)', () => {
    const site = writeTree(path.join(dir, 'site'), {
      ...distInfo('a', '1.0', '[console_scripts]\ntool = a:main\n[g]\nx = gone.module:f\n'),
      ...distInfo('b', '1.0', '[console_scripts]\ntool = b:main\n'),
      'a.py': '', 'b.py': '',
    });
    const r = epi(['lint', '--json', '--path', site, '--cache', 'scan']);
    assert.equal(r.status, 0, r.stderr);
    const codes = (JSON.parse(r.stdout) as { findings: Array<{ code: string }> }).findings.map((f) => f.code).sort();
    assert.deepEqual(codes, ['EP650', 'EP654']);
  });
});

describe('epi list --wheel', () => {
  test('lists the wheel\'s entry points with its name and version; no extraction', () => {
    const file = wheel('[console_scripts]\nw = w:main\n\n[w.plugins]\np = w.plugin\n');
    const r = epi(['list', '--wheel', file]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /console_scripts\s+w\s+w:main\s+w 2\.0/);
    assert.match(r.stdout, /w\.plugins\s+p\s+w\.plugin\s+w 2\.0/);
    const j = JSON.parse(epi(['list', '--wheel', file, '--json', '--group', 'w.plugins']).stdout) as { entryPoints: Array<{ name: string; dist: { metadataPath: string } }>; findings: unknown[] };
    assert.deepEqual(j.entryPoints.map((e) => e.name), ['p']);
    assert.equal(j.entryPoints[0]!.dist.metadataPath, `${file}/w-2.0.dist-info`);
    assert.deepEqual(j.findings, []);
    assert.equal(fs.readdirSync(dir).filter((n) => n.endsWith('.dist-info')).length, 0);
  });

  test('a RECORD mismatch is reported on stderr; a file that is no wheel is exit 2', () => {
    const r = epi(['list', '--wheel', wheel('[console_scripts]\nw = w:main\n', true)]);
    assert.equal(r.status, 0);
    assert.match(r.stderr, /error EP644/);
    const bogus = path.join(dir, 'bogus.whl');
    fs.writeFileSync(bogus, 'not a zip');
    const b = epi(['list', '--wheel', bogus]);
    assert.equal(b.status, 2);
    assert.match(b.stderr, /^epi: .*bogus\.whl: the wheel is not a readable zip archive/);
  });
});

describe('epi write', () => {
  test('prints canonical entry_points.txt; --out DIR writes DIR/entry_points.txt', () => {
    const r = epi(['write', path.join(clean, 'pyproject.toml')]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, '[c.plugins]\na = c.plugins:a\nb = c.plugins:b\n\n[console_scripts]\nc = c.cli:main\n');
    const out = path.join(dir, 'out', 'c-1.dist-info');
    const w = epi(['write', clean, '--out', out]);
    assert.equal(w.status, 0, w.stderr);
    assert.equal(w.stdout, '');
    assert.equal(fs.readFileSync(path.join(out, 'entry_points.txt'), 'utf8'), r.stdout);
  });

  test('errors: exit 1, nothing printed or written', () => {
    const out = path.join(dir, 'out-bad');
    const r = epi(['write', project, '--out', out]);
    assert.equal(r.status, 1);
    assert.equal(r.stdout, '');
    assert.equal(fs.existsSync(out), false);
    assert.match(r.stderr, /nothing written/);
  });

  test('dynamic entry points are said clearly: exit 1, nothing written', () => {
    const d = writeTree(path.join(dir, 'dynamic'), { 'pyproject.toml': '[project]\nname = "d"\ndynamic = ["version", "entry-points"]\n' });
    const r = epi(['write', d]);
    assert.equal(r.status, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /nothing written: "entry-points" is in project\.dynamic, so the build backend computes it at build time/);
    const j = JSON.parse(epi(['write', d, '--json']).stdout) as { dynamic: string[]; text: string | null };
    assert.deepEqual(j.dynamic, ['entry-points']);
    assert.equal(j.text, null);
  });

  test('setup.cfg is read when pyproject.toml has no [project] table', () => {
    const d = writeTree(path.join(dir, 'cfg'), {
      'pyproject.toml': '[build-system]\nrequires = ["setuptools"]\n',
      'setup.cfg': '[options.entry_points]\nconsole_scripts =\n    s = s.cli:main\n',
    });
    const r = epi(['write', d]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, '[console_scripts]\ns = s.cli:main\n');
  });
});

describe('epi diagnose --format', () => {
  const broken = writeTree(path.join(dir, 'broken-site'), distInfo('broken', '1.0', '[g]\nno equals\n'));
  test('sarif: the reader diagnostics as a valid SARIF log; exit 1 on an error', () => {
    const r = epi(['diagnose', '--format', 'sarif', '--path', broken, '--cache', 'scan']);
    assert.equal(r.status, 1);
    const log = JSON.parse(r.stdout) as { runs: Array<{ results: Array<{ ruleId: string }> }> };
    assert.ok(sarifValidator()(log));
    assert.deepEqual(log.runs[0]!.results.map((x) => x.ruleId), ['EP104']);
  });

  test('github: workflow commands', () => {
    const r = epi(['diagnose', '--format', 'github', '--path', broken, '--cache', 'scan']);
    assert.equal(r.status, 1);
    assert.match(r.stdout, /^::error file=.*entry_points\.txt,line=2,title=EP104 line without "="; skipped::/);
  });

  test('json and text keep their shapes', () => {
    const j = JSON.parse(epi(['diagnose', '--format', 'json', '--path', broken, '--cache', 'scan']).stdout) as { diagnostics: unknown[]; counts: { errors: number } };
    assert.equal(j.counts.errors, 1);
    assert.match(epi(['diagnose', '--path', broken, '--cache', 'scan']).stdout, /error EP104/);
  });
});
