/**
 * Every example README.md and docs/*.md show is produced here: the fixtures they define are
 * built in temp dirs, each `$ ` command of a ```console example is run with this build of `epi`
 * and its output compared with the page, each ```pycon session is run by doctest. The convention
 * and exactly what is normalized: test/support/doc-examples.ts (and docs/README.md for writers).
 *
 * EPINDEX_DOCS_UPDATE=1 writes the actual outputs of the console examples into the pages
 * instead of failing (a writer's tool; the test then passes only if the pages were right).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CLI } from '../support/cli.js';
import { commands, DEMO, denormalize, difference, epiShim, fixtureDir, exampleEnv, fences, normalize, rewriteConsole, runShell, type Fence, type Place } from '../support/doc-examples.js';
import { tempDir } from '../support/fixtures.js';
import { PYTHON } from '../support/python.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const UPDATE = process.env['EPINDEX_DOCS_UPDATE'] === '1';
const DOCS = ['README.md', ...fs.readdirSync(path.join(REPO, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];
const root = tempDir('epindex-docs-');
const shims = epiShim(path.join(root, 'bin'), CLI);
// `python3` in the examples is the machine's, resolved once here (a pyenv or asdf shim may need
// the real $HOME, which the examples do not have).
fs.writeFileSync(path.join(shims, 'python3'), `#!/bin/sh\nexec "${PYTHON}" "$@"\n`, { mode: 0o755 });
const pythonMinor = execFileSync(PYTHON, ['-c', 'import sys; print(sys.version_info[1])'], { encoding: 'utf8' }).trim();

const pages = new Map(DOCS.map((doc) => [doc, fences(doc, fs.readFileSync(path.join(REPO, doc), 'utf8'))]));
const fixtures = new Map<string, Fence>();
for (const f of [...pages.values()].flat().filter((f) => f.lang === 'sh' && f.attrs['fixture'] !== undefined)) {
  const name = f.attrs['fixture']!;
  if (fixtures.has(name)) throw new Error(`${f.doc}:${f.line}: fixture ${name} is also defined at ${fixtures.get(name)!.doc}:${fixtures.get(name)!.line}`);
  fixtures.set(name, f);
}
const checked = (f: Fence): boolean => f.lang === 'console' || f.lang === 'pycon';

/** One directory per document and fixture, built on first use; its examples share it. */
const places = new Map<string, Place>();
const made: string[] = [];
after(() => {
  for (const d of made) fs.rmSync(d, { recursive: true, force: true });
});
function place(doc: string, fixture: string | undefined): Place {
  const key = `${doc}\0${fixture ?? ''}`;
  const known = places.get(key);
  if (known) return known;
  const base = path.join(root, doc.replace(/[^\w.-]/g, '_'));
  const p: Place = { dir: fixtureDir(root), home: path.join(base, 'home'), pythonMinor };
  made.push(p.dir);
  fs.mkdirSync(p.home, { recursive: true });
  const chain: Fence[] = [];
  // A fixture with `extends=BASE` is BASE's script, then its own, in the same directory.
  for (let name = fixture, seen = 0; name !== undefined; seen++) {
    assert.ok(seen < 8, `${doc}: fixture ${fixture} extends itself`);
    const def = fixtures.get(name);
    assert.ok(def, `${doc}: no fence defines fixture=${name}`);
    chain.unshift(def);
    name = def.attrs['extends'];
  }
  for (const def of chain) {
    const r = runShell(`set -e\n${def.body.join('\n')}`, p.dir, exampleEnv(p, shims, REPO));
    assert.equal(r.status, 0, `fixture ${def.attrs['fixture']} (${def.doc}:${def.line}) failed:\n${r.output}`);
  }
  places.set(key, p);
  return p;
}

const updates = new Map<string, Map<Fence, Map<number, string[]>>>();

function runConsole(f: Fence): void {
  const p = place(f.doc, f.attrs['fixture']);
  const env = exampleEnv(p, shims, REPO);
  const problems: string[] = [];
  for (const c of commands(f)) {
    const r = runShell(denormalize(c.command, p), p.dir, env);
    const actual = normalize(r.output, p);
    if (UPDATE) {
      const byFence = updates.get(f.doc) ?? new Map<Fence, Map<number, string[]>>();
      updates.set(f.doc, byFence);
      const outs = byFence.get(f) ?? new Map<number, string[]>();
      byFence.set(f, outs);
      outs.set(c.line, actual);
    }
    if (r.status !== c.status) problems.push(`${f.doc}:${c.line} $ ${c.command}\n  exit ${r.status}, the page says ${c.status}${c.status === 0 ? ' (no "# exit N" comment)' : ''}\n${actual.map((l) => `  | ${l}`).join('\n')}`);
    const diff = difference(c.expected, actual, p.dir.length !== DEMO.length);
    if (diff !== null && !UPDATE) problems.push(`${f.doc}:${c.line} $ ${c.command}\n  ${diff}\n  actual output:\n${actual.map((l) => `  | ${l}`).join('\n')}`);
  }
  assert.equal(problems.length, 0, problems.join('\n\n'));
}

function runPycon(f: Fence): void {
  const p = place(f.doc, f.attrs['fixture']);
  const python = f.attrs['python'] ?? 'python3';
  const file = path.join(root, `${f.doc.replace(/[^\w.-]/g, '_')}-${f.line}.txt`);
  fs.writeFileSync(file, `${denormalize(f.body.join('\n'), p)}\n`);
  const r = runShell(`${python.includes('/') ? JSON.stringify(path.resolve(p.dir, python)) : python} -m doctest ${JSON.stringify(file)}`, p.dir, exampleEnv(p, shims, REPO));
  assert.equal(r.status, 0, `${f.doc}:${f.line}: the Python session differs (doctest, exact output):\n${normalize(r.output, p).join('\n')}`);
}

describe('the convention itself', () => {
  const p = place('convention', undefined);
  const env = exampleEnv(p, shims, REPO);
  const fence = (body: string): Fence => fences('t.md', `\`\`\`console\n${body}\n\`\`\`\n`)[0]!;

  test("the machine's python3 is 3.10 or newer, as the pages' venv examples need (the accelerator refuses 3.9)", () => {
    assert.ok(Number(pythonMinor) >= 10, `python3 is 3.${pythonMinor}`);
  });

  test('a command whose output drifted from the page fails (the compared lines differ)', () => {
    const [c] = commands(fence('$ epi --version\n0.0.0-not-this-version'));
    assert.notEqual(difference(c!.expected, normalize(runShell(c!.command, p.dir, env).output, p)), null);
  });

  test('the same command with the real output passes, and `# exit N` states a non-zero status', () => {
    const version = (JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
    const [c, d] = commands(fence(`$ epi --version\n${version}\n\n$ epi which nosuch --path .   # exit 1`));
    const r = runShell(c!.command, p.dir, env);
    assert.equal(difference(c!.expected, normalize(r.output, p)), null);
    assert.equal(d!.status, 1);
    assert.equal(runShell(d!.command, p.dir, env).status, 1);
  });

  test('the fixture directory, $HOME and the python3 version are the only spellings normalized', () => {
    assert.deepEqual(normalize(`${p.dir}/x ${p.home}/.cache lib/python3.${pythonMinor}/site-packages python3.${pythonMinor}9 /elsewhere  \n\n`, p), ['/tmp/demo/x ~/.cache lib/python3.X/site-packages python3.' + pythonMinor + '9 /elsewhere']);
  });

  test('column padding is compared exactly, unless the fixture directory is not as long as /tmp/demo', () => {
    assert.notEqual(difference(['A    B'], ['A  B']), null);
    assert.equal(difference(['A    B'], ['A  B'], true), null);
    assert.notEqual(difference(['A B'], ['A  B'], true), null);
    assert.equal(p.dir.length === DEMO.length || fs.realpathSync('/tmp') !== '/tmp', true, `${p.dir}: /tmp is usable, so the fixture directory must be as long as ${DEMO}`);
  });

  test('a page without a command line, or with text before the first one, is refused', () => {
    assert.throws(() => commands(fence('no command here')), /must start with a "\$ " command line/);
  });

  test('README.md shows checked examples of the commands people use, on a fixture', () => {
    const readme = pages.get('README.md')!;
    const run = readme.filter((f) => f.lang === 'console').flatMap((f) => commands(f).map((c) => c.command));
    for (const cmd of ['epi list', 'epi which', 'epi diagnose', 'epi cache rebuild', 'epi accelerate', 'epi lint', 'epi scripts repair']) {
      assert.ok(run.some((c) => c.startsWith(cmd)), `README.md has no checked example of ${cmd}`);
    }
    assert.ok(readme.some((f) => f.lang === 'pycon'), 'README.md has no checked Python session');
  });
});

for (const doc of DOCS) {
  const examples = pages.get(doc)!.filter(checked);
  if (examples.length === 0) continue;
  describe(doc, () => {
    for (const f of examples) {
      const title = f.lang === 'console' ? commands(f).map((c) => `$ ${c.command.replace(/\s+#.*$/, '')}`).join('; ') : 'a Python session';
      test(`${doc}:${f.line} ${title.length > 110 ? `${title.slice(0, 107)}...` : title}`, () => (f.lang === 'console' ? runConsole(f) : runPycon(f)));
    }
    if (UPDATE) {
      test(`${doc}: write the actual outputs into the page`, () => {
        const byFence = updates.get(doc);
        if (!byFence) return;
        const lines = fs.readFileSync(path.join(REPO, doc), 'utf8').split('\n');
        for (const [f, outs] of [...byFence.entries()].sort((a, b) => b[0].line - a[0].line)) {
          lines.splice(f.line, f.body.length, ...rewriteConsole(f, outs).map((l) => (l === '' ? l : `${f.indent}${l}`)));
        }
        fs.writeFileSync(path.join(REPO, doc), lines.join('\n'));
      });
    }
  });
}
