/**
 * Launchers against the real tools: epindex's run like pip's and uv's on a fixture package
 * (arguments, exit status, None → 0, traceback → 1, sys.argv[0]); pip's, uv's and installer's
 * are recognised; a moved venv and a copied venv are repaired; relocatable launchers survive a
 * move untouched.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, test } from 'node:test';
import { epi } from '../support/cli.js';
import { tempDir } from '../support/fixtures.js';
import { childEnv, FIXTURE_SCRIPTS, launch, makeVenv, pipInstall, realTools, run, uvInstall, writeFixtureWheel, type Ran } from './support.js';

const root = tempDir('epindex-scripts-');
const env = { EPINDEX_CACHE_DIR: path.join(root, 'cache'), VIRTUAL_ENV: '' };
const scripts = (args: readonly string[]) => epi(['scripts', ...args], env);
const json = <T>(args: readonly string[]): T => {
  const r = scripts([...args, '--json']);
  assert.ok(r.stdout.startsWith('{'), `no JSON from epi scripts ${args.join(' ')}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
};

interface ListJSON {
  scripts: Array<{ name: string; group: string; state: string; writer: string | null; path: string; interpreter: string | null; detail: string }>;
}
const states = (python: string): Record<string, string> =>
  Object.fromEntries(json<ListJSON>(['list', '--python', python]).scripts.map((s) => [s.name, `${s.state}${s.writer ? ` (${s.writer})` : ''}`]));

const ARGS = ['a b', '--flag', 'ü', ''];

/** What running every fixture script gives, with the launcher's directory replaced by `DIR`. */
function behaviour(dir: string, opts: { via?: string } = {}): Record<string, Ran> {
  const out: Record<string, Ran> = {};
  for (const s of FIXTURE_SCRIPTS) {
    const args = s === 'epifix-code' ? ['7'] : ARGS;
    const r = launch(path.join(opts.via ?? dir, s), args);
    const norm = (t: string): string => t.split(opts.via ?? dir).join('DIR').replace(/"prefix": "[^"]*"/, '"prefix": null');
    // A traceback names the launcher file; its last line is what matters.
    out[s] = { status: r.status, stdout: norm(r.stdout), stderr: s === 'epifix-boom' ? norm(r.stderr).trim().split('\n').pop()! : norm(r.stderr) };
  }
  return out;
}

describe('launchers compared with pip and uv on a fixture package', () => {
  let wheel: string;
  let pipVenv: string;
  let pipPython: string;
  let uvVenv: string;
  let uvPython: string;
  before(() => {
    wheel = writeFixtureWheel(root);
    pipVenv = path.join(root, 'pip-venv');
    pipPython = makeVenv(pipVenv);
    pipInstall(pipPython, [wheel]);
    uvVenv = path.join(root, 'uv-venv');
    uvPython = makeVenv(uvVenv);
    uvInstall(uvPython, [wheel]);
  });

  test("epindex's launchers behave as the ones pip writes: arguments, return value as status, None → 0, traceback → 1, sys.argv[0]", () => {
    const dest = path.join(root, 'ours-pip');
    const r = scripts(['install', '--python', pipPython, '--dest', dest]);
    assert.equal(r.status, 0, r.stderr);
    const ours = behaviour(dest);
    assert.deepEqual(ours, behaviour(path.join(pipVenv, 'bin')));
    // And what those are, so equal behaviour cannot be equally wrong.
    assert.equal(ours['epifix-show']!.status, 3);
    assert.deepEqual(JSON.parse(ours['epifix-show']!.stdout).argv, ['DIR/epifix-show', ...ARGS]);
    assert.deepEqual([ours['epifix-none']!.status, ours['epifix-none']!.stdout], [0, 'none\n']);
    assert.deepEqual([ours['epifix-boom']!.status, ours['epifix-boom']!.stderr], [1, 'ValueError: boom from epifix']);
    assert.match(launch(path.join(dest, 'epifix-boom')).stderr, /^Traceback \(most recent call last\):/);
    assert.equal(ours['epifix-code']!.status, 7);
    assert.deepEqual([ours['epifix-nested']!.status, ours['epifix-nested']!.stdout], [5, "nested ['a b', '--flag', 'ü', '']\n"]);
    assert.equal(ours['epifix-gui']!.status, 3);
  });

  test('sys.argv[0] is cleaned of ".exe" and "-script.pyw" as pip and uv clean it', () => {
    const dest = path.join(root, 'ours-pip');
    const argv0 = (file: string): string => (JSON.parse(launch(file).stdout) as { argv: string[] }).argv[0]!;
    for (const suffix of ['.exe', '-script.pyw', '.py']) {
      const links = path.join(root, `links${suffix}`);
      fs.mkdirSync(links, { recursive: true });
      for (const [who, dir] of [['pip', path.join(pipVenv, 'bin')], ['uv', path.join(uvVenv, 'bin')], ['epindex', dest]] as const) {
        const link = path.join(links, `${who}${suffix}`);
        fs.symlinkSync(path.join(dir, 'epifix-show'), link);
        assert.equal(argv0(link), suffix === '.py' ? link : path.join(links, who), `${who} with ${suffix}`);
      }
    }
  });

  test("epindex's launchers behave as the ones uv writes, and as its own relocatable ones", () => {
    const dest = path.join(root, 'ours-uv');
    assert.equal(scripts(['install', '--python', uvPython, '--dest', dest]).status, 0);
    const uv = behaviour(path.join(uvVenv, 'bin'));
    assert.deepEqual(behaviour(dest), uv);
    const rel = path.join(root, 'ours-uv-relocatable');
    assert.equal(scripts(['install', '--python', uvPython, '--dest', rel, '--relocatable']).status, 0);
    assert.deepEqual(behaviour(rel), uv);
  });

  test("pip's, uv's and installer's launchers are recognised as theirs and ok; install leaves them alone", () => {
    assert.deepEqual(states(pipPython), Object.fromEntries(FIXTURE_SCRIPTS.map((s) => [s, 'ok (pip)'])));
    assert.deepEqual(states(uvPython), Object.fromEntries(FIXTURE_SCRIPTS.map((s) => [s, 'ok (uv)'])));
    const before = fs.readFileSync(path.join(pipVenv, 'bin', 'epifix-show'), 'utf8');
    const plan = json<{ actions: Array<{ action: string }> }>(['install', '--python', pipPython, '--dry-run']);
    assert.deepEqual(new Set(plan.actions.map((a) => a.action)), new Set(['unchanged']));
    assert.equal(scripts(['install', '--python', pipPython]).status, 0);
    assert.equal(fs.readFileSync(path.join(pipVenv, 'bin', 'epifix-show'), 'utf8'), before);
  });

  test('the newest pip from PyPI and pypa/installer write launchers epindex recognises', () => {
    const t = realTools();
    const venv = path.join(root, 'newest-pip');
    const python = makeVenv(venv);
    run(t.pipPython, ['-m', 'pip', '--python', python, 'install', '-q', '--no-index', '--no-deps', '--no-compile', wheel]);
    assert.deepEqual(states(python), Object.fromEntries(FIXTURE_SCRIPTS.map((s) => [s, 'ok (pip)'])), `${t.pipVersion}: ${fs.readFileSync(path.join(venv, 'bin', 'epifix-show'), 'utf8')}`);
    const inst = path.join(root, 'installer-venv');
    const instPython = makeVenv(inst);
    run(instPython, ['-m', 'installer', '--no-compile-bytecode', wheel], { env: childEnv({ PYTHONPATH: t.installerPath }) });
    assert.deepEqual(states(instPython), Object.fromEntries(FIXTURE_SCRIPTS.map((s) => [s, 'ok (installer)'])));
    assert.deepEqual(behaviour(path.join(inst, 'bin')), behaviour(path.join(venv, 'bin')));
  });

  test('uv --relocatable launchers are recognised (they need realpath) and install --relocatable replaces them', () => {
    const venv = path.join(root, 'uv-relocatable');
    run(realTools().uv, ['venv', '-q', '--relocatable', '--python', uvPython, venv]);
    const python = path.join(venv, 'bin', 'python');
    uvInstall(python, [wheel]);
    assert.match(fs.readFileSync(path.join(venv, 'bin', 'epifix-show'), 'utf8'), /realpath/);
    assert.deepEqual(states(python), Object.fromEntries(FIXTURE_SCRIPTS.map((s) => [s, 'ok (uv)'])));
    const r = json<{ actions: Array<{ action: string }> }>(['install', '--python', python, '--relocatable']);
    assert.deepEqual(new Set(r.actions.map((a) => a.action)), new Set(['replace']));
    assert.doesNotMatch(fs.readFileSync(path.join(venv, 'bin', 'epifix-show'), 'utf8'), /realpath/);
    assert.deepEqual(states(python), Object.fromEntries(FIXTURE_SCRIPTS.map((s) => [s, 'ok (epindex)'])));
  });

  test('the plain/sh boundary is where pip and uv put it: 124-byte interpreter paths get #!, 125-byte ones /bin/sh', () => {
    for (const n of [124, 125]) {
      const base = path.join(root, `len${n}`);
      const pad = n - base.length - 1 - '/bin/python'.length;
      assert.ok(pad > 0, `the temp dir ${root} is too long for this test`);
      const venv = base + '/' + 'x'.repeat(pad);
      const python = makeVenv(venv);
      assert.equal(run(python, ['-c', 'import sys; print(sys.executable)']).stdout.trim().length, n);
      uvInstall(python, [wheel]);
      const uvHead = fs.readFileSync(path.join(venv, 'bin', 'epifix-show'), 'utf8').split('\n')[0];
      assert.equal(scripts(['install', '--python', python, '--dest', path.join(base, 'ours')]).status, 0);
      const ourHead = fs.readFileSync(path.join(base, 'ours', 'epifix-show'), 'utf8').split('\n')[0];
      assert.equal(ourHead, uvHead);
      assert.equal(ourHead, n === 124 ? `#!${python}` : '#!/bin/sh');
      assert.equal(launch(path.join(base, 'ours', 'epifix-none')).status, 0);
    }
  });

  test('a moved venv: the launchers fail, `epi scripts repair` fixes them and the activate scripts', () => {
    const moved = path.join(root, 'moved-venv');
    fs.renameSync(pipVenv, moved);
    const python = path.join(moved, 'bin', 'python');
    const broken = launch(path.join(moved, 'bin', 'epifix-show'));
    assert.deepEqual([broken.status, /ENOENT/.test(broken.stderr)], [-1, true], 'a moved launcher points at the old, missing interpreter ("bad interpreter")');
    assert.deepEqual(new Set(Object.values(states(python))), new Set(['other-interpreter (pip)']));
    const plan = json<{ actions: Array<{ action: string; path: string }>; activate: Array<{ action: string; path: string }> }>(['repair', '--python', python, '--dry-run']);
    assert.deepEqual(plan.actions.map((a) => a.action), FIXTURE_SCRIPTS.map(() => 'repair'));
    assert.deepEqual(plan.activate.filter((a) => a.action === 'rewrite').map((a) => path.basename(a.path)).sort(), ['activate', 'activate.csh', 'activate.fish']);
    assert.equal(launch(path.join(moved, 'bin', 'epifix-show')).status, broken.status, 'the dry run changed nothing');

    const r = scripts(['repair', '--python', python]);
    assert.equal(r.status, 0, r.stderr);
    const fixed = launch(path.join(moved, 'bin', 'epifix-show'), ['x']);
    assert.equal(fixed.status, 3, fixed.stderr);
    assert.equal(JSON.parse(fixed.stdout).prefix, moved);
    assert.deepEqual(new Set(Object.values(states(python))), new Set(['ok (pip)']));
    // The repaired launcher is pip's own body behind a new #! line.
    assert.match(fs.readFileSync(path.join(moved, 'bin', 'epifix-show'), 'utf8'), new RegExp(`^#!${moved}/bin/python\\n# -\\*- coding: utf-8 -\\*-\\nimport re\\n`));
    const activated = spawnSync('bash', ['-c', `source ${path.join(moved, 'bin', 'activate')} && echo "$VIRTUAL_ENV" && command -v epifix-show`], { encoding: 'utf8', env: childEnv() });
    assert.equal(activated.stdout, `${moved}\n${moved}/bin/epifix-show\n`);
    assert.match(fs.readFileSync(path.join(moved, 'bin', 'activate.fish'), 'utf8'), new RegExp(`set -gx VIRTUAL_ENV "${moved}"`));
    // The other shells the machine has source their scripts too (bash above is required).
    for (const [shell, script] of [['zsh', 'activate'], ['fish', 'activate.fish']] as const) {
      if (spawnSync(shell, ['-c', 'true']).status !== 0) continue;
      const r = spawnSync(shell, ['-c', `source ${path.join(moved, 'bin', script)}; echo "$VIRTUAL_ENV"; command -v epifix-show`], { encoding: 'utf8', env: childEnv() });
      assert.equal(r.stdout, `${moved}\n${moved}/bin/epifix-show\n`, `${shell}: ${r.stderr}`);
    }
    // Idempotent: a second repair has nothing to do.
    const again = json<{ actions: Array<{ action: string }>; activate: Array<{ action: string }> }>(['repair', '--python', python]);
    assert.deepEqual(new Set([...again.actions, ...again.activate].map((a) => a.action)), new Set(['unchanged', 'left']));
  });

  test('a copied venv: its launchers run the original interpreter until repaired', () => {
    const copy = path.join(root, 'copied-venv');
    fs.cpSync(uvVenv, copy, { recursive: true, verbatimSymlinks: true });
    const python = path.join(copy, 'bin', 'python');
    const wrong = launch(path.join(copy, 'bin', 'epifix-show'));
    assert.equal(wrong.status, 3);
    assert.equal(JSON.parse(wrong.stdout).prefix, uvVenv, 'the copy runs the original environment');
    assert.deepEqual(new Set(Object.values(states(python))), new Set(['other-interpreter (uv)']));
    assert.equal(scripts(['repair', '--python', python]).status, 0);
    assert.equal(JSON.parse(launch(path.join(copy, 'bin', 'epifix-show')).stdout).prefix, copy);
    assert.match(fs.readFileSync(path.join(copy, 'bin', 'activate'), 'utf8'), new RegExp(`^VIRTUAL_ENV="${copy}"$`, 'm'));
    // The original is untouched.
    assert.equal(JSON.parse(launch(path.join(uvVenv, 'bin', 'epifix-show')).stdout).prefix, uvVenv);
    assert.deepEqual(new Set(Object.values(states(path.join(uvVenv, 'bin', 'python')))), new Set(['ok (uv)']));
  });

  test('relocatable launchers survive a move untouched, without realpath, also through a symlink', () => {
    const venv = path.join(root, 'reloc-a');
    const python = makeVenv(venv);
    uvInstall(python, [wheel]);
    assert.equal(scripts(['install', '--python', python, '--relocatable']).status, 0);
    const moved = path.join(root, 'reloc-b');
    fs.renameSync(venv, moved);
    const before = fs.readdirSync(path.join(moved, 'bin')).map((f) => [f, fs.readFileSync(path.join(moved, 'bin', f), 'latin1')]);
    // A PATH without realpath (nor dirname): only sh, readlink and the interpreter.
    const tools = path.join(root, 'minimal-path');
    fs.mkdirSync(tools, { recursive: true });
    for (const t of ['sh', 'readlink']) fs.symlinkSync(run('sh', ['-c', `command -v ${t}`]).stdout.trim(), path.join(tools, t));
    const minimal = childEnv({ PATH: tools });
    const r = launch(path.join(moved, 'bin', 'epifix-show'), ['q'], { env: minimal });
    assert.equal(r.status, 3, r.stderr);
    assert.equal(JSON.parse(r.stdout).prefix, moved);
    const link = path.join(root, 'on-path', 'epifix-show');
    fs.mkdirSync(path.dirname(link), { recursive: true });
    fs.symlinkSync(path.join(moved, 'bin', 'epifix-show'), link);
    const viaLink = launch(link, [], { env: minimal });
    assert.equal(JSON.parse(viaLink.stdout).prefix, moved, viaLink.stderr);
    assert.deepEqual(new Set(Object.values(states(path.join(moved, 'bin', 'python')))), new Set(['ok (epindex)']));
    const plan = json<{ actions: Array<{ action: string }> }>(['repair', '--python', path.join(moved, 'bin', 'python'), '--dry-run']);
    assert.deepEqual(new Set(plan.actions.map((a) => a.action)), new Set(['unchanged']));
    assert.deepEqual(fs.readdirSync(path.join(moved, 'bin')).map((f) => [f, fs.readFileSync(path.join(moved, 'bin', f), 'latin1')]), before);
  });
});
