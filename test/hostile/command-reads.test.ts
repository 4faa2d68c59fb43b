/**
 * Issue 17, H2: every file any command reads gets the regular-file and size checks first
 * (docs/spec.md §4.1.2) — `epi write` above all, which hung on a FIFO pyproject.toml and read a
 * setup.cfg linked to /dev/zero until memory ran out, while `epi lint` refused both. Each case
 * runs the CLI with a time limit: a read that blocks fails the test instead of hanging it.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { CLI } from '../support/cli.js';
import { PYTHON } from '../support/python.js';
import { LIMITS } from '../../src/limits.js';
import { sandbox } from './helpers.js';

const POSIX = process.platform !== 'win32';

function run(args: readonly string[], cwd: string, env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string; timedOut: boolean } {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NODE_EXTRA_CA_CERTS: '', NO_COLOR: '1', VIRTUAL_ENV: '', CONDA_PREFIX: '', ...env },
    timeout: 20_000,
    killSignal: 'SIGKILL',
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', timedOut: (r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT' };
}

const mkfifo = (p: string): void => {
  execFileSync('mkfifo', [p]);
};

/** A project directory holding `name` as a FIFO, a link to /dev/zero, or a file over the size limit. */
function hostileProject(name: string, kind: 'fifo' | 'dev-zero' | 'huge'): string {
  const dir = sandbox('epindex-h2-');
  const file = path.join(dir, name);
  if (kind === 'fifo') mkfifo(file);
  else if (kind === 'dev-zero') fs.symlinkSync('/dev/zero', file);
  else {
    // Sparse: over the limit without taking the disk.
    const fd = fs.openSync(file, 'w');
    fs.ftruncateSync(fd, LIMITS.fileBytes + 1);
    fs.closeSync(fd);
  }
  return dir;
}

const cases: [string, 'fifo' | 'dev-zero' | 'huge', RegExp][] = [
  ['pyproject.toml', 'fifo', /pyproject\.toml is a FIFO, not a regular file; not read/],
  ['pyproject.toml', 'dev-zero', /pyproject\.toml is a character device, not a regular file; not read/],
  ['pyproject.toml', 'huge', /pyproject\.toml has 4194305 bytes, over the limit of 4194304; not read/],
  ['setup.cfg', 'fifo', /setup\.cfg is a FIFO, not a regular file; not read/],
  ['setup.cfg', 'dev-zero', /setup\.cfg is a character device, not a regular file; not read/],
  ['setup.cfg', 'huge', /setup\.cfg has 4194305 bytes, over the limit of 4194304; not read/],
];

for (const [name, kind, message] of cases) {
  test(`H2: epi write refuses a ${name} that is ${kind === 'huge' ? 'over the size limit' : kind === 'fifo' ? 'a FIFO' : 'a link to /dev/zero'} (as epi lint does), without blocking`, { skip: !POSIX && 'FIFOs and /dev/zero are POSIX' }, () => {
    const dir = hostileProject(name, kind);
    for (const target of [dir, path.join(dir, name)]) {
      const w = run(['write', target, '--json'], dir);
      assert.equal(w.timedOut, false, `epi write ${target} blocked`);
      if (target === dir) {
        assert.equal(w.status, 1, w.stderr);
        const j = JSON.parse(w.stdout) as { text: string | null; findings: { code: string; message: string }[] };
        assert.equal(j.text, null);
        assert.ok(j.findings.some((f) => message.test(f.message)), JSON.stringify(j.findings));
      } else {
        // Named directly: a file that is not regular is refused as an argument (exit 2), a huge one as content (exit 1).
        assert.ok(w.status === 1 || w.status === 2, `${w.status}: ${w.stderr}`);
        assert.match(w.stdout + w.stderr, kind === 'huge' ? message : /not a regular file/);
      }
    }
    const l = run(['lint', dir, '--format', 'json'], dir);
    assert.equal(l.timedOut, false, 'epi lint blocked');
  });
}

test('H2: a setup.cfg "file:" naming a FIFO or /dev/zero is EP674, never read', { skip: !POSIX && 'FIFOs are POSIX' }, () => {
  const dir = sandbox('epindex-h2f-');
  mkfifo(path.join(dir, 'eps.fifo'));
  fs.symlinkSync('/dev/zero', path.join(dir, 'eps.zero'));
  fs.writeFileSync(path.join(dir, 'setup.cfg'), '[metadata]\nname = x\n\n[options]\nentry_points = file: eps.fifo, eps.zero\n');
  const w = run(['write', dir, '--json'], dir);
  assert.equal(w.timedOut, false);
  const j = JSON.parse(w.stdout) as { findings: { code: string; message: string }[] };
  const found = j.findings.filter((f) => f.code === 'EP674').map((f) => f.message);
  assert.equal(found.length, 2, JSON.stringify(j.findings));
  assert.match(found[0]!, /eps\.fifo" is a FIFO, not a regular file/);
  assert.match(found[1]!, /eps\.zero" is a character device, not a regular file/);
});

test('H2: a FIFO pyvenv.cfg in a .venv does not block choosing an interpreter (epi env -p 3)', { skip: !POSIX && 'FIFOs are POSIX' }, () => {
  const dir = sandbox('epindex-h2v-');
  fs.mkdirSync(path.join(dir, '.venv', 'bin'), { recursive: true });
  fs.symlinkSync(PYTHON, path.join(dir, '.venv', 'bin', 'python'));
  mkfifo(path.join(dir, '.venv', 'pyvenv.cfg'));
  // Python itself blocks on that FIFO at start-up: the version probe's deadline ends it.
  const r = run(['env', '-p', '3', '--json'], dir, { EPINDEX_PYTHON_TIMEOUT: '2' });
  assert.equal(r.timedOut, false, 'epi env blocked on the FIFO');
  assert.ok(r.status === 0 || r.status === 2, r.stderr);
});

test('H2: a FIFO entry_points.txt does not block epi lint of an environment', { skip: !POSIX && 'FIFOs are POSIX' }, () => {
  const site = sandbox('epindex-h2l-');
  const info = path.join(site, 'fifo-1.0.dist-info');
  fs.mkdirSync(info);
  fs.writeFileSync(path.join(info, 'METADATA'), 'Metadata-Version: 2.1\nName: fifo\nVersion: 1.0\n');
  mkfifo(path.join(info, 'entry_points.txt'));
  const r = run(['lint', '--path', site, '--format', 'json'], site);
  assert.equal(r.timedOut, false, 'epi lint --path blocked on the FIFO');
  assert.match(r.stdout, /EP112/);
});
