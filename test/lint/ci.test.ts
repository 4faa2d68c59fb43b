/**
 * The CI integrations, exercised: the repository's .pre-commit-hooks.yaml run by the real
 * pre-commit (from PyPI, in the tools venv) on a fixture git repository, offline; and the
 * GitHub Actions snippet (examples/github-actions/epi-lint.yml, also in docs/lint.md), whose
 * `run` steps are executed as a runner would, with `npx --yes epindex` standing for this build.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CLI } from '../support/cli.js';
import { tempDir, writeTree } from '../support/fixtures.js';
import { toolsVenv } from '../support/lint-tools.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const require = createRequire(import.meta.url);
const dir = tempDir('epindex-ci-');

const BAD = '[project]\nname = "p"\nversion = "1"\n\n[project.scripts]\np = "p.cli"\n';
const GOOD = '[project]\nname = "p"\nversion = "1"\n\n[project.scripts]\np = "p.cli:main"\n';

/** `epi` on PATH: this build of the CLI. */
const shims = writeTree(path.join(dir, 'bin'), { epi: `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n` });
fs.chmodSync(path.join(shims, 'epi'), 0o755);
const PATH = `${shims}${path.delimiter}${process.env['PATH'] ?? ''}`;

function git(cwd: string, ...args: string[]): void {
  const r = spawnSync('git', ['-c', 'user.name=epindex', '-c', 'user.email=epindex@example.invalid', '-c', 'init.defaultBranch=main', '-c', 'commit.gpgsign=false', ...args], { cwd, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
}

function fixtureRepo(name: string, pyproject: string, file = 'pyproject.toml'): string {
  const repo = writeTree(path.join(dir, name), { [file]: pyproject, 'README.md': '# fixture\n' });
  git(repo, 'init', '-q');
  git(repo, 'add', '.');
  git(repo, 'commit', '-q', '-m', 'fixture');
  return repo;
}

describe('pre-commit hook', () => {
  const preCommit = (repo: string): { status: number | null; out: string } => {
    const tools = toolsVenv();
    const r = spawnSync(tools.python, ['-m', 'pre_commit', 'try-repo', REPO, 'epi-lint', '--all-files', '--color=never'], {
      cwd: repo,
      encoding: 'utf8',
      // Offline: the hook installs nothing, and pre-commit gets no network settings it could use.
      env: { ...process.env, PATH, PRE_COMMIT_HOME: path.join(dir, 'pre-commit-home'), NODE_EXTRA_CA_CERTS: '', NO_COLOR: '1', http_proxy: 'http://127.0.0.1:9', https_proxy: 'http://127.0.0.1:9', HTTP_PROXY: 'http://127.0.0.1:9', HTTPS_PROXY: 'http://127.0.0.1:9' },
    });
    return { status: r.status, out: `${r.stdout}${r.stderr}` };
  };

  test('.pre-commit-hooks.yaml: epi-lint fails a commit whose pyproject.toml has an error, with the finding', () => {
    const r = preCommit(fixtureRepo('bad', BAD));
    assert.equal(r.status, 1, r.out);
    assert.match(r.out, /epi lint \(Python entry points\)\.+Failed/);
    assert.match(r.out, /error +EP607 +script "p" in \[console_scripts\]/);
  });

  test('.pre-commit-hooks.yaml: epi-lint reads setup.py too (a computed value fails with its line)', () => {
    const r = preCommit(fixtureRepo('setup-py', 'from setuptools import setup\nsetup(entry_points={"console_scripts": [n + " = p:main" for n in "ab"]})\n', 'setup.py'));
    assert.equal(r.status, 1, r.out);
    assert.match(r.out, /setup\.py\n +2 +error +EP681 /);
  });

  test('.pre-commit-hooks.yaml: epi-lint passes a clean one', () => {
    const r = preCommit(fixtureRepo('good', GOOD));
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, /epi lint \(Python entry points\)\.+Passed/);
  });
});

describe('GitHub Actions snippet', () => {
  const snippetFile = path.join(REPO, 'examples', 'github-actions', 'epi-lint.yml');
  const snippet = fs.readFileSync(snippetFile, 'utf8');

  test('docs/lint.md shows the snippet as it is in examples/', () => {
    assert.ok(fs.readFileSync(path.join(REPO, 'docs', 'lint.md'), 'utf8').includes(snippet.trimEnd()), 'docs/lint.md must contain examples/github-actions/epi-lint.yml verbatim');
  });

  test('its run steps give annotations and a valid SARIF log, and fail the job on errors', () => {
    const tools = toolsVenv();
    // PyYAML comes with pre-commit in the tools venv.
    const parsed = spawnSync(tools.python, ['-c', 'import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))', snippetFile], { encoding: 'utf8' });
    assert.equal(parsed.status, 0, parsed.stderr);
    const workflow = JSON.parse(parsed.stdout) as { jobs: Record<string, { steps: Array<{ run?: string; uses?: string; if?: string; with?: Record<string, string> }> }> };
    const steps = Object.values(workflow.jobs)[0]!.steps;
    assert.ok(steps.some((s) => s.run?.startsWith('npm install --global ./')), 'epindex installed from a checked tarball, not fetched by name');
    assert.ok(!snippet.includes('npx'), 'no npx of an unchecked registry name');
    const runs = steps.filter((s) => s.run?.startsWith('epi ') === true);
    assert.equal(runs.length, 2);
    const upload = steps.find((s) => s.uses?.startsWith('github/codeql-action/upload-sarif'))!;
    assert.equal(upload.if, 'always()');

    const workspace = fixtureRepo('gha', BAD);
    const exec = (cmd: string) => spawnSync('bash', ['-e', '-c', cmd.replace(/^epi /, `"${process.execPath}" "${CLI}" `)], {
      cwd: workspace,
      encoding: 'utf8',
      env: { ...process.env, GITHUB_ACTIONS: 'true', GITHUB_WORKSPACE: workspace, NODE_EXTRA_CA_CERTS: '', NO_COLOR: '1' },
    });
    const annotate = exec(runs[0]!.run!);
    assert.equal(annotate.status, 1, 'the job fails on an error');
    assert.match(annotate.stdout, /^::error file=pyproject\.toml,line=6,title=EP607 script without "%3Afunction"::/m);
    const sarif = exec(runs[1]!.run!);
    assert.equal(sarif.status, 1);
    const log = JSON.parse(fs.readFileSync(path.join(workspace, upload.with!['sarif_file']!), 'utf8')) as { runs: Array<{ results: Array<{ ruleId: string; locations: Array<{ physicalLocation: { artifactLocation: { uri: string; uriBaseId: string } } }> }> }> };
    const Ajv = require('ajv-draft-04') as new (o: object) => { compile(s: object): (d: unknown) => boolean };
    const ajv = new Ajv({ strict: false });
    (require('ajv-formats') as (a: unknown) => void)(ajv);
    assert.ok(ajv.compile(JSON.parse(fs.readFileSync(path.join(REPO, 'test', 'fixtures', 'sarif', 'sarif-schema-2.1.0.json'), 'utf8')) as object)(log));
    const loc = log.runs[0]!.results[0]!.locations[0]!.physicalLocation.artifactLocation;
    assert.deepEqual(loc, { uri: 'pyproject.toml', uriBaseId: '%SRCROOT%' });
  });
});
