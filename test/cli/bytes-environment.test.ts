/**
 * Issue 17, W1: an environment at a path that is not UTF-8 can be targeted — `--python`,
 * `$VIRTUAL_ENV` and `$CONDA_PREFIX` are bytes (docs/spec.md §4.1.1, §4.4.1) — and a venv
 * variable that names no usable environment never makes a command that changes an environment
 * act on another one: it refuses (exit 2). The bytes reach epi through a shell (`printf`), as
 * they would from a user's: Node itself cannot put them into a child's argv or environment.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, test } from 'node:test';
import { CLI } from '../support/cli.js';
import { tempDir } from '../support/fixtures.js';
import { PYTHON } from '../support/python.js';

const LINUX = process.platform === 'linux';
/** `$V` in the scripts: the venv's directory, `<base>/v\xffenv`. */
const V = '"$BASE/v$(printf \'\\377\')env"';

let base: string;
let version: string;

/** Run `sh -c script` with BASE set (and `epi` meaning the built CLI); the output is parsed by the caller. */
function sh(script: string, env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('/bin/sh', ['-c', `epi() { "${process.execPath}" "${CLI}" "$@"; }\n${script}`], {
    encoding: 'utf8',
    cwd: base,
    env: { ...process.env, BASE: base, NODE_EXTRA_CA_CERTS: '', NO_COLOR: '1', EPINDEX_CACHE_DIR: path.join(base, 'cache'), VIRTUAL_ENV: '', CONDA_PREFIX: '', CONDA_DEFAULT_ENV: '', ...env },
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

before(() => {
  if (!LINUX) return;
  base = tempDir('epindex-w1-');
  version = spawnSync(PYTHON, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], { encoding: 'utf8' }).stdout.trim();
  const real = fs.realpathSync(PYTHON);
  // A venv made by hand at a path that is not UTF-8 (python -m venv itself fails writing its
  // activate scripts there): bin/python, pyvenv.cfg, and one distribution.
  const venv = Buffer.concat([Buffer.from(`${base}/v`), Buffer.from([0xff]), Buffer.from('env')]);
  const sub = (p: string): Buffer => Buffer.concat([venv, Buffer.from(p)]);
  fs.mkdirSync(sub('/bin'), { recursive: true });
  fs.symlinkSync(real, sub('/bin/python'));
  fs.writeFileSync(sub('/pyvenv.cfg'), `home = ${path.dirname(real)}\ninclude-system-site-packages = false\nversion = ${version}.0\n`);
  const dist = `/lib/python${version}/site-packages/bytes_tool-1.0.dist-info`;
  fs.mkdirSync(sub(dist), { recursive: true });
  fs.writeFileSync(sub(`${dist}/METADATA`), 'Metadata-Version: 2.1\nName: bytes-tool\nVersion: 1.0\n');
  fs.writeFileSync(sub(`${dist}/entry_points.txt`), '[w1.group]\nfound = bytes_tool:main\n');
});

interface Listed {
  environment: { source: string; interpreter: { prefix: string } | null };
  entryPoints: { name: string; dist: { metadataPath: string } }[];
  diagnostics: { code: string }[];
}

describe('W1: environments at paths that are not UTF-8', { skip: !LINUX && 'names that are not UTF-8 and /proc need Linux' }, () => {
  const venvPrefix = (): string => `${base}/v\udcffenv`;
  const cases: [string, string, Record<string, string>][] = [
    ['--python names it', `epi list --python ${V} --group w1.group --json`, {}],
    ['$VIRTUAL_ENV names it', `VIRTUAL_ENV=${V} epi list --group w1.group --json`, {}],
    ['$CONDA_PREFIX names it', `CONDA_PREFIX=${V} epi list --group w1.group --json`, {}],
  ];
  for (const [name, script, env] of cases) {
    test(`W1: ${name}: that environment is the one searched, its path kept as bytes`, () => {
      const r = sh(script, env);
      assert.equal(r.status, 0, r.stderr);
      const j = JSON.parse(r.stdout) as Listed;
      assert.deepEqual(j.entryPoints.map((e) => e.name), ['found']);
      assert.ok(j.entryPoints[0]!.dist.metadataPath.startsWith(venvPrefix()), j.entryPoints[0]!.dist.metadataPath);
      assert.equal(j.environment.interpreter?.prefix, venvPrefix());
      assert.deepEqual(j.diagnostics.filter((d) => d.code === 'EP402' || d.code === 'EP404'), []);
    });
  }

  const destructive = ['scripts install --dry-run', 'scripts repair --dry-run', 'scripts remove --dry-run', 'scripts remove', 'accelerate --json'];
  const missing: [string, string][] = [
    ['$VIRTUAL_ENV naming a directory that does not exist', `VIRTUAL_ENV="$BASE/gone"`],
    ['$VIRTUAL_ENV naming a missing directory that is not UTF-8', `VIRTUAL_ENV="$BASE/gone$(printf '\\377')"`],
    ['$VIRTUAL_ENV naming a directory without an interpreter', `VIRTUAL_ENV="$BASE"`],
    ['$CONDA_PREFIX naming a directory that does not exist', `CONDA_PREFIX="$BASE/gone"`],
  ];
  for (const [what, assign] of missing) {
    test(`W1: ${what}: commands that change an environment refuse (exit 2) instead of acting on another; read commands warn and go on`, () => {
      for (const command of destructive) {
        const r = sh(`${assign} epi ${command}`);
        assert.equal(r.status, 2, `${command}: ${r.stdout}${r.stderr}`);
        assert.match(r.stderr, /refuses to act on another environment instead \(give --python/, command);
        assert.doesNotMatch(r.stdout, /would remove|removed|created/, command);
      }
      const read = sh(`${assign} epi list --json`);
      assert.equal(read.status, 0, read.stderr);
      assert.ok((JSON.parse(read.stdout) as Listed).diagnostics.some((d) => d.code === 'EP402' || d.code === 'EP404'));
    });
  }

  test('check --path: an existing directory whose name is not UTF-8 is no missing entry (EP219), and is refused rather than checked as another', () => {
    const site = `${V}/lib/python${version}/site-packages`;
    const r = sh(`epi check --path ${site} --group w1.group --json`);
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.doesNotMatch(r.stderr, /EP219|found nothing/);
    assert.match(r.stderr, /not UTF-8 cannot be passed to the interpreter's check; give the environment with --python/);
    const ok = sh(`epi check --python ${V} --group w1.group --json`);
    assert.doesNotMatch(ok.stderr, /EP219|found nothing/);
  });

  test('W1: with --python given, a stale $VIRTUAL_ENV does not stop a command that changes the environment', () => {
    const r = sh(`VIRTUAL_ENV="$BASE/gone" epi scripts list --python ${V} --json`);
    // The venv's own interpreter path is not UTF-8: launchers are refused for it, with a clear error, not a refusal of the variable.
    assert.doesNotMatch(r.stderr, /refuses to act on another environment/);
  });
});
