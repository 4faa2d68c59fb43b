/**
 * `epi write` against real build backends: for each project below, the entry_points.txt in the
 * wheel that setuptools, hatchling and flit-core build (offline, from the tools venv) is
 * compared with what `epi write` prints. setuptools writes the canonical form, so its file must
 * be byte-equal; hatchling and flit-core lay the file out their own way (flit writes "a=b"), so
 * theirs must read back to exactly the same entry points, in canonical form.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseEntryPointsTxt, renderEntryPointsTxt } from '../../src/format/entry-points-txt.js';
import { epi } from '../support/cli.js';
import { tempDir, writeTree, type Tree } from '../support/fixtures.js';
import { toolsVenv } from '../support/lint-tools.js';

const SCRIPT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test/support/build_backends.py');
const BACKENDS = { setuptools: 'setuptools.build_meta', hatchling: 'hatchling.build', 'flit-core': 'flit_core.buildapi' } as const;
type Backend = keyof typeof BACKENDS;

const pkg = (name: string): Tree => ({ [name]: { '__init__.py': '"""A fixture package."""\n__version__ = "1.0"\n', 'cli.py': 'def main():\n    return 0\n' } });
const pyproject = (name: string, tables: string): Tree => ({
  'pyproject.toml': `[project]\nname = "${name}"\nversion = "1.0"\ndescription = "epindex fixture"\n\n${tables}`,
  ...pkg(name),
});
const setupCfg = (name: string, body: string, extra: Tree = {}): Tree => ({
  'pyproject.toml': '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n',
  'setup.cfg': `[metadata]\nname = ${name}\nversion = 1.0\n\n[options]\npackages = ${name}\n${body}`,
  ...pkg(name),
  ...extra,
});

interface Project {
  readonly name: string;
  readonly tree: Tree;
  readonly backends: readonly Backend[];
}

const ALL: readonly Backend[] = ['setuptools', 'hatchling', 'flit-core'];
const projects: Project[] = [
  {
    name: 'pyproject: scripts, gui-scripts and plugin groups',
    backends: ALL,
    tree: pyproject('demo_a', '[project.scripts]\ndemo-a = "demo_a.cli:main"\nalpha = "demo_a.cli:main"\n\n[project.gui-scripts]\ndemo-a-gui = "demo_a.cli:main"\n\n[project.entry-points."demo_a.plugins"]\nzeta = "demo_a.cli"\nbeta = "demo_a.cli:main"\n\n[project.entry-points.pytest11]\ndemo_a = "demo_a.cli"\n'),
  },
  {
    name: 'pyproject: sorting by code point (capitals, digits, dots, dashes), groups in any order',
    backends: ALL,
    tree: pyproject('demo_b', '[project.entry-points.zz]\nb = "demo_b.cli:main"\nB = "demo_b.cli:main"\n"a.b" = "demo_b.cli:main"\n"a-b" = "demo_b.cli:main"\n"a_b" = "demo_b.cli:main"\n"1" = "demo_b.cli:main"\n\n[project.entry-points.AA]\nx = "demo_b.cli:main"\n\n[project.entry-points."a.b"]\nx = "demo_b"\n'),
  },
  {
    name: 'pyproject: inline tables and quoted keys',
    backends: ALL,
    tree: pyproject('demo_c', 'scripts = { demo-c = "demo_c.cli:main", "demo.c" = "demo_c.cli:main" }\nentry-points = { "demo_c.hooks" = { first = "demo_c.cli:main" } }\n'),
  },
  {
    name: 'setup.cfg: [options.entry_points] with continuation lines, a blank line and a comment',
    backends: ['setuptools'],
    tree: setupCfg('demo_d', '\n[options.entry_points]\nconsole_scripts =\n    demo-d = demo_d.cli:main\n\n    # the admin tool\n    demo-d-admin = demo_d.cli:main\ndemo_d.plugins =\n  b = demo_d.cli\n  a = demo_d.cli:main\n'),
  },
  {
    name: 'setup.cfg: [options.entry_points] on one line, split at commas',
    backends: ['setuptools'],
    tree: setupCfg('demo_e', '\n[options.entry_points]\nconsole_scripts = demo-e = demo_e.cli:main, demo-e2 = demo_e.cli:main\n'),
  },
  {
    name: 'setup.cfg: [options] entry_points as inline INI text',
    backends: ['setuptools'],
    tree: setupCfg('demo_f', 'entry_points =\n    [console_scripts]\n    demo-f = demo_f.cli:main\n    [demo_f.plugins]\n    p = demo_f.cli\n'),
  },
  {
    name: 'setup.cfg: [options] entry_points = file:',
    backends: ['setuptools'],
    tree: setupCfg('demo_g', 'entry_points = file: entry-points.cfg\n', { 'entry-points.cfg': '[console_scripts]\ndemo-g = demo_g.cli:main\n\n# plugins\n[demo_g.plugins]\np = demo_g.cli\n' }),
  },
  {
    name: 'setup.cfg: both forms, the first in the file wins',
    backends: ['setuptools'],
    tree: setupCfg('demo_h', 'entry_points =\n    [console_scripts]\n    first = demo_h.cli:main\n\n[options.entry_points]\nconsole_scripts =\n    second = demo_h.cli:main\n'),
  },
  {
    name: 'setup.cfg: "%%" is a literal "%" (setuptools interpolates setup.cfg)',
    backends: ['setuptools'],
    tree: setupCfg('demo_i', '\n[options.entry_points]\ndemo_i.plugins =\n    pct%%name = demo_i.cli:main\n'),
  },
];

/** Declarations every backend that reads them must refuse, as `epi write` does (exit 1, nothing printed). */
const refused: Project[] = [
  // setuptools (84) builds these two, against the spec's MUST: see the test below.
  { name: 'pyproject: [project.entry-points.console_scripts]', backends: ['hatchling', 'flit-core'], tree: pyproject('demo_r', '[project.entry-points.console_scripts]\ndemo-r = "demo_r.cli:main"\n') },
  { name: 'pyproject: [project.entry-points.gui_scripts]', backends: ['flit-core'], tree: pyproject('demo_s', '[project.entry-points.gui_scripts]\ndemo-s = "demo_s.cli:main"\n') },
  { name: 'setup.cfg: a line without "=" in [options.entry_points]', backends: ['setuptools'], tree: setupCfg('demo_t', '\n[options.entry_points]\nmod = demo_t.cli\n') },
  { name: 'setup.cfg: a duplicate name', backends: ['setuptools'], tree: setupCfg('demo_u', '\n[options.entry_points]\nconsole_scripts =\n    u = demo_u.cli:main\n    u = demo_u.cli:main\n') },
];

type Built = { entryPoints: string | null; wheel: string } | { error: string; trace?: string };

function buildAll(python: string, jobs: Array<{ dir: string; backend: string }>): Promise<Built[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, [SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (err += d));
    child.on('error', reject);
    child.on('close', (status) => (status === 0 ? resolve(JSON.parse(out) as Built[]) : reject(new Error(`build_backends.py failed (${status}): ${err.slice(-3000)}`))));
    child.stdin.end(JSON.stringify(jobs));
  });
}

const root = tempDir('epindex-backends-');
const all = [...projects, ...refused];
const dirs = all.map((p, i) => writeTree(path.join(root, String(i)), p.tree));
const built = new Map<string, Built>();

describe('epi write equals what real build backends write', () => {
  before(async () => {
    const tools = toolsVenv();
    // One process per backend for all projects, each building its own copy (builds leave files behind).
    const perBackend = await Promise.all((Object.keys(BACKENDS) as Backend[]).map(async (b) => {
      const jobs = all.flatMap((p, i) => (p.backends.includes(b) || (i >= projects.length && i < projects.length + 2) ? [{ i, dir: writeTree(path.join(root, `${i}-${b}`), p.tree), backend: BACKENDS[b] }] : []));
      const results = await buildAll(tools.python, jobs.map(({ dir, backend }) => ({ dir, backend })));
      return jobs.map((j, k) => [`${j.i}\0${b}`, results[k]!] as const);
    }));
    for (const list of perBackend) for (const [k, v] of list) built.set(k, v);
  });

  projects.forEach((p, i) => {
    for (const b of p.backends) {
      test(`${p.name}: ${b}`, () => {
        const r = built.get(`${i}\0${b}`)!;
        assert.ok(!('error' in r), `${b} failed to build: ${'error' in r ? `${r.error}\n${r.trace ?? ''}` : ''}`);
        const w = epi(['write', dirs[i]!]);
        assert.equal(w.status, 0, w.stderr);
        assert.notEqual(w.stdout, '', 'epi write printed nothing');
        assert.notEqual(r.entryPoints, null, `${b} wrote no entry_points.txt`);
        if (b === 'setuptools') {
          assert.equal(w.stdout, r.entryPoints, 'byte-equal to setuptools');
        } else {
          const theirs = parseEntryPointsTxt(r.entryPoints!);
          assert.deepEqual(theirs.diagnostics, []);
          assert.equal(renderEntryPointsTxt(theirs.entries), w.stdout, `${b}'s file, in canonical form`);
        }
      });
    }
  });

  test('backends that build [project.entry-points.console_scripts] / gui_scripts although the spec says they MUST refuse: setuptools both, hatchling gui_scripts (epi write refuses both)', () => {
    const builds = (k: number, b: Backend): boolean => !('error' in built.get(`${projects.length + k}\0${b}`)!);
    assert.deepEqual([builds(0, 'setuptools'), builds(0, 'hatchling'), builds(0, 'flit-core')], [true, false, false], 'console_scripts table');
    assert.deepEqual([builds(1, 'setuptools'), builds(1, 'hatchling'), builds(1, 'flit-core')], [true, true, false], 'gui_scripts table');
  });

  refused.forEach((p, k) => {
    const i = projects.length + k;
    test(`${p.name}: refused by ${p.backends.join(', ')} and by epi write`, () => {
      for (const b of p.backends) {
        const r = built.get(`${i}\0${b}`)!;
        assert.ok('error' in r, `${b} built it: ${JSON.stringify(r)}`);
      }
      const w = epi(['write', dirs[i]!]);
      assert.equal(w.status, 1, w.stderr);
      assert.equal(w.stdout, '');
      assert.match(w.stderr, /error\s+EP6\d\d/);
    });
  });
});
