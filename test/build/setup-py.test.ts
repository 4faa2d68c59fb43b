/**
 * `epi write` and `epi lint` on projects with a setup.py, against real setuptools (from PyPI,
 * in the tools venv): each project below is given to setuptools' PEP 517 backend, whose
 * `prepare_metadata_for_build_wheel` runs egg_info, and to epi. Where setuptools writes an
 * entry_points.txt, `epi write` prints the same bytes (or, when setuptools writes none, says
 * the project declares none); where the build fails, `epi write` refuses with an error finding
 * and exits 1. The precedence rows (setup.py, setup.cfg and pyproject.toml together) are
 * setuptools' behaviour, found here and not assumed. A setup.py that computes its entry points
 * builds with setuptools, and epi refuses it with EP681 naming the line.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { epi } from '../support/cli.js';
import { tempDir, writeTree, type Tree } from '../support/fixtures.js';
import { toolsVenv } from '../support/lint-tools.js';
import { PYTHON } from '../support/python.js';

const SCRIPT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test/support/setuptools_metadata.py');

const PKG: Tree = { pk: { '__init__.py': '' } };
const setupPy = (body: string): string => `from setuptools import setup\n\nsetup(\n    name="pk",\n    version="1.0",\n    packages=["pk"],\n${body}\n)\n`;
const project = (files: Tree): Tree => ({ ...PKG, ...files });
const cfgSection = '[metadata]\nname = pk\nversion = 1.0\n\n[options]\npackages = pk\n\n[options.entry_points]\nconsole_scripts =\n    from-cfg = pk:main\n';
const cfgInline = '[metadata]\nname = pk\nversion = 1.0\n\n[options]\npackages = pk\nentry_points =\n    [console_scripts]\n    from-cfg = pk:main\n';
const pyproject = (project: string): string => `[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n\n[project]\nname = "pk"\nversion = "1.0"\n${project}`;
const ALL_GROUPS = '    entry_points={"console_scripts": ["c = pk:main"], "gui_scripts": ["g = pk:gui"], "pytest11": ["p = pk.plugin"]},';

interface Row {
  readonly name: string;
  readonly tree: Tree;
  /** What setuptools does: writes entry_points.txt, writes none, or fails. */
  readonly setuptools: 'writes' | 'none' | 'fails';
  /** What epi does: the same (byte-equal, or nothing), or refuses (exit 1, nothing written). */
  readonly epi: 'same' | 'refuses';
  /** Lint codes that must be found, with the setup.py line where one is given (`EP681:12`). */
  readonly codes?: readonly string[];
  /** A declared entry point setuptools leaves out of what it writes (what the finding says it loses). */
  readonly lost?: string;
}

const rows: Row[] = [
  // The forms setuptools accepts
  {
    name: 'dict of lists: console_scripts, gui_scripts, numba_extensions and pytest11, odd spacing, extras, a comment and a blank item',
    setuptools: 'writes', epi: 'same', codes: ['EP613:11'],
    tree: project({ 'setup.py': setupPy('    entry_points={\n        "numba_extensions": ["init =   pk:_init"],\n        "console_scripts": [\n            "  pk=pk.cli:main  ",\n            "pk-admin = pk.cli:admin [admin, extra2]",\n            "# not an entry point",\n            "",\n        ],\n        "gui_scripts": ["pk-gui\\t=\\tpk.gui:run"],\n        "pytest11": ("pk = pk.plugin",),\n    },') }),
  },
  {
    name: 'INI text: a triple-quoted string with blank lines, comments and indentation',
    setuptools: 'writes', epi: 'same',
    tree: project({ 'setup.py': setupPy('    entry_points="""\n        [console_scripts]\n        pk = pk.cli:main\n\n        # plugins\n        [numba_extensions]\n          init=pk:_init\n        [pytest11]\n        pk = pk.plugin\n    """,') }),
  },
  {
    name: 'dict of INI strings: each group a multi-line string',
    setuptools: 'writes', epi: 'same',
    tree: project({ 'setup.py': setupPy('    entry_points={\n        "console_scripts": """\n            b = pk:b\n            a = pk:a\n        """,\n        "pytest11": "pk = pk.plugin",\n    },') }),
  },
  {
    name: 'names bound at module level (ENTRY_POINTS = {...}, a list name inside it), setuptools.setup, dict()',
    setuptools: 'writes', epi: 'same',
    tree: project({ 'setup.py': 'import setuptools\n\nSCRIPTS = ["pk = pk.cli:main", "pk2 = pk.cli:main"]\nENTRY_POINTS = dict(console_scripts=SCRIPTS, pytest11=["pk = pk.plugin"])\n\nsetuptools.setup(name="pk", version="1.0", packages=["pk"], entry_points=ENTRY_POINTS)\n' }),
  },
  {
    name: 'numba style: setup imported in try/except ImportError, **kwargs holding entry_points, setup() under __main__',
    setuptools: 'writes', epi: 'same',
    tree: project({
      'setup.py': 'try:\n    from setuptools import setup\nexcept ImportError:\n    from distutils.core import setup\n\nmetadata = dict(\n    name="pk",\n    version="1.0",\n    packages=["pk"],\n    entry_points={\n        "console_scripts": ["numba = pk.cli:main", "pycc = pk.pycc:main"],\n        "numba_extensions": ["init = pk:_init"],\n    },\n)\n\nif __name__ == "__main__":\n    setup(**metadata)\n',
    }),
  },
  {
    name: 'setup imported under another name; implicit string concatenation; a set; nested lists; a line that opens another group',
    setuptools: 'writes', epi: 'same',
    tree: project({ 'setup.py': 'from setuptools import setup as make\n\nmake(name="pk", version="1.0", packages=["pk"], entry_points={\n    "console_scripts": ("a = pk:a\\n"\n                        "b = pk:b"),\n    "pk.hooks": {"x = pk:x", "y = pk:y"},\n    "pk.more": [["m1 = pk"], "m2 = pk", "[pk.other]", "o = pk:o"],\n})\n' }),
  },
  {
    name: 'distutils.core.setup (setuptools provides distutils)',
    setuptools: 'writes', epi: 'same',
    tree: project({ 'setup.py': 'from distutils.core import setup\nsetup(name="pk", version="1.0", packages=["pk"], entry_points={"console_scripts": ["d = pk:main"]})\n' }),
  },
  {
    name: 'a Latin-1 setup.py with a coding line and CRLF line ends',
    setuptools: 'writes', epi: 'same',
    tree: project({ 'setup.py': Buffer.from('# -*- coding: latin-1 -*-\r\nfrom setuptools import setup\r\nsetup(name="pk", version="1.0", packages=["pk"], entry_points={"pk.plugins": ["caf\xe9 = pk:cafe"]})\r\n', 'latin1') }),
  },
  {
    name: 'a group given twice in the dict: Python keeps the second (EP688)',
    setuptools: 'writes', epi: 'same', codes: ['EP688:9'],
    tree: project({ 'setup.py': setupPy('    entry_points={\n        "console_scripts": ["first = pk:main"],\n        "console_scripts": ["second = pk:main"],\n    },') }),
  },
  { name: 'no entry points: setup() without entry_points', setuptools: 'none', epi: 'same', tree: project({ 'setup.py': setupPy('') }) },
  { name: 'entry_points={} writes nothing', setuptools: 'none', epi: 'same', tree: project({ 'setup.py': setupPy('    entry_points={},') }) },

  // Precedence: setup.py, setup.cfg, pyproject.toml
  {
    name: 'setup.py and setup.cfg: setup.py wins whole, setup.cfg is not merged (EP686 on setup.cfg)',
    setuptools: 'writes', epi: 'same', codes: ['EP686'],
    tree: project({ 'setup.py': setupPy('    entry_points={"console_scripts": ["from-py = pk:main"]},'), 'setup.cfg': cfgSection.replace('    from-cfg = pk:main\n', '    from-cfg = pk:main\npk.plugins =\n    p = pk\n') }),
  },
  { name: 'setup.py entry_points=None: setup.cfg\'s are used', setuptools: 'writes', epi: 'same', tree: project({ 'setup.py': setupPy('    entry_points=None,'), 'setup.cfg': cfgSection }) },
  { name: 'setup.py entry_points={}: setup.cfg\'s are used', setuptools: 'writes', epi: 'same', tree: project({ 'setup.py': setupPy('    entry_points={},'), 'setup.cfg': cfgInline }) },
  {
    name: 'setup.py with an empty group is a value: setup.cfg is ignored, nothing is written',
    setuptools: 'none', epi: 'same', codes: ['EP686'],
    tree: project({ 'setup.py': setupPy('    entry_points={"pytest11": []},'), 'setup.cfg': cfgSection }),
  },
  {
    name: 'pyproject [project] declaring [project.scripts]: only those are written (EP686 on setup.py)',
    setuptools: 'writes', epi: 'same', codes: ['EP686:7'],
    tree: project({ 'setup.py': setupPy(ALL_GROUPS), 'pyproject.toml': pyproject('\n[project.scripts]\nfrom-toml = "pk:main"\n') }),
  },
  {
    name: 'pyproject [project] without entry point fields: setup.py\'s are ignored, nothing is written',
    setuptools: 'none', epi: 'same', codes: ['EP686:7'],
    tree: project({ 'setup.py': setupPy(ALL_GROUPS), 'pyproject.toml': pyproject('') }),
  },
  {
    name: 'pyproject dynamic = ["scripts"], setup.py with console_scripts only: setup.py\'s are written',
    setuptools: 'writes', epi: 'same',
    tree: project({ 'setup.py': setupPy('    entry_points={"console_scripts": ["c = pk:main"]},'), 'pyproject.toml': pyproject('dynamic = ["scripts"]\n') }),
  },
  {
    name: 'pyproject dynamic = ["entry-points"], setup.py with scripts too: everything is dropped, the plugin groups as well',
    setuptools: 'none', epi: 'same', codes: ['EP686:7'],
    tree: project({ 'setup.py': setupPy(ALL_GROUPS), 'pyproject.toml': pyproject('dynamic = ["entry-points"]\n') }),
  },
  {
    name: 'pyproject dynamic lists all three fields: setup.py\'s are written',
    setuptools: 'writes', epi: 'same',
    tree: project({ 'setup.py': setupPy(ALL_GROUPS), 'pyproject.toml': pyproject('dynamic = ["scripts", "gui-scripts", "entry-points"]\n') }),
  },
  {
    name: 'pyproject dynamic = ["scripts"] and a static [project.entry-points] table: only the table is written',
    setuptools: 'writes', epi: 'same', codes: ['EP686:7'],
    tree: project({ 'setup.py': setupPy(ALL_GROUPS), 'pyproject.toml': pyproject('dynamic = ["scripts"]\n\n[project.entry-points.x]\nt = "pk:main"\n') }),
  },
  {
    name: 'pyproject without [project] (build-system only): setup.py\'s are written',
    setuptools: 'writes', epi: 'same',
    tree: project({ 'setup.py': setupPy(ALL_GROUPS), 'pyproject.toml': '[build-system]\nrequires = ["setuptools"]\n' }),
  },
  {
    name: 'no setup.py: pyproject dynamic lists all three, setup.cfg gives them',
    setuptools: 'writes', epi: 'same',
    tree: project({ 'setup.cfg': cfgSection, 'pyproject.toml': pyproject('dynamic = ["scripts", "gui-scripts", "entry-points"]\n') }),
  },
  {
    name: 'no setup.py: pyproject [project.scripts] and setup.cfg: pyproject\'s (EP686 on setup.cfg)',
    setuptools: 'writes', epi: 'same', codes: ['EP686'],
    tree: project({ 'setup.cfg': cfgSection.replace('from-cfg', 'ignored'), 'pyproject.toml': pyproject('\n[project.scripts]\nfrom-toml = "pk:main"\n') }),
  },

  // Builds that fail
  {
    name: 'INI text in setup.py beside a [project] table: setuptools fails (EP687)',
    setuptools: 'fails', epi: 'refuses', codes: ['EP687:7'],
    tree: project({ 'setup.py': setupPy('    entry_points="[console_scripts]\\nc = pk:main\\n",'), 'pyproject.toml': pyproject('dynamic = ["scripts", "gui-scripts", "entry-points"]\n') }),
  },
  {
    name: 'INI text in setup.cfg beside a [project] table: setuptools fails (EP687)',
    setuptools: 'fails', epi: 'refuses', codes: ['EP687'],
    tree: project({ 'setup.cfg': cfgInline, 'pyproject.toml': pyproject('') }),
  },
  { name: 'entry_points a list: setuptools fails (EP682)', setuptools: 'fails', epi: 'refuses', codes: ['EP682:7'], tree: project({ 'setup.py': setupPy('    entry_points=["[console_scripts]", "c = pk:main"],') }) },
  { name: 'a group holding a dict: setuptools fails (EP682)', setuptools: 'fails', epi: 'refuses', codes: ['EP682:7'], tree: project({ 'setup.py': setupPy('    entry_points={"console_scripts": {"c": "pk:main"}},') }) },
  { name: 'a group holding None: setuptools fails (EP682)', setuptools: 'fails', epi: 'refuses', codes: ['EP682:7'], tree: project({ 'setup.py': setupPy('    entry_points={"console_scripts": None},') }) },
  {
    name: 'a line without "=": setuptools fails (EP683 on its line)',
    setuptools: 'fails', epi: 'refuses', codes: ['EP683:9'],
    tree: project({ 'setup.py': setupPy('    entry_points={\n        "console_scripts": [\n            "pk-cli pk.cli:main",\n        ],\n    },') }),
  },
  {
    name: 'INI text with a line before the first header: setuptools drops it silently, epi refuses (EP683)',
    setuptools: 'writes', epi: 'refuses', codes: ['EP683:7'], lost: 'lost = pk:main',
    tree: project({ 'setup.py': setupPy('    entry_points="lost = pk:main\\n[console_scripts]\\nc = pk:main\\n",') }),
  },
  {
    name: 'INI text starting with a byte order mark: setuptools drops the first group, epi refuses (EP683)',
    setuptools: 'writes', epi: 'refuses', codes: ['EP683:7'], lost: 'c = pk:main',
    tree: project({ 'setup.py': setupPy('    entry_points="\\ufeff[console_scripts]\\nc = pk:main\\n[pk.plugins]\\np = pk\\n",') }),
  },
  { name: 'a duplicate name: setuptools fails (EP612)', setuptools: 'fails', epi: 'refuses', codes: ['EP612:7'], tree: project({ 'setup.py': setupPy('    entry_points={"console_scripts": ["c = pk:a", "c = pk:b"]},') }) },
  { name: 'a value importlib.metadata\'s pattern rejects: setuptools fails (EP629)', setuptools: 'fails', epi: 'refuses', codes: ['EP629:7'], tree: project({ 'setup.py': setupPy('    entry_points={"pk.plugins": ["p = my-module:f"]},') }) },
  { name: 'a syntax error: setuptools fails (EP680 on its line)', setuptools: 'fails', epi: 'refuses', codes: ['EP680:8'], tree: project({ 'setup.py': setupPy('    entry_points={"console_scripts": ["c = pk:main"],') }) },

  // Computed: the build decides, epi refuses and names the line
  {
    name: 'a comprehension (EP681 on its line)',
    setuptools: 'writes', epi: 'refuses', codes: ['EP681:8'],
    tree: project({ 'setup.py': setupPy('    entry_points={\n        "console_scripts": ["%s = pk.cli:main" % n for n in ("a", "b")],\n    },') }),
  },
  {
    name: 'a function call (EP681 on its line)',
    setuptools: 'writes', epi: 'refuses', codes: ['EP681:5'],
    tree: project({ 'setup.py': 'from setuptools import setup\n\ndef eps():\n    return {"console_scripts": ["c = pk:main"]}\nsetup(name="pk", version="1.0", packages=["pk"], entry_points=eps())\n' }),
  },
  {
    name: 'a name bound twice (EP681)',
    setuptools: 'writes', epi: 'refuses', codes: ['EP681:5'],
    tree: project({ 'setup.py': 'from setuptools import setup\nEPS = {"console_scripts": ["a = pk:main"]}\nEPS = {"console_scripts": ["b = pk:main"]}\n\nsetup(name="pk", version="1.0", packages=["pk"], entry_points=EPS)\n' }),
  },
  {
    name: 'a name changed after it is bound (EP681 on the change)',
    setuptools: 'writes', epi: 'refuses', codes: ['EP681:3'],
    tree: project({ 'setup.py': 'from setuptools import setup\nEPS = {"console_scripts": ["a = pk:main"]}\nEPS["console_scripts"].append("b = pk:main")\nsetup(name="pk", version="1.0", packages=["pk"], entry_points=EPS)\n' }),
  },
];

type Built = { entryPoints: string | null; warnings: string[] } | { error: string };

function buildAll(python: string, dirs: readonly string[]): Promise<Built[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, [SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (err += d));
    child.on('error', reject);
    child.on('close', (status) => (status === 0 ? resolve(JSON.parse(out) as Built[]) : reject(new Error(`setuptools_metadata.py failed (${status}): ${err.slice(-3000)}`))));
    child.stdin.end(JSON.stringify(dirs));
  });
}

interface LintJson {
  findings: Array<{ code: string; severity: string; file?: string; line?: number; message: string }>;
}

const root = tempDir('epindex-setup-py-');
// Two copies of each project: setuptools writes an egg-info into the one it builds.
const forEpi = rows.map((r, i) => writeTree(path.join(root, `${i}-epi`), r.tree));
const forSetuptools = rows.map((r, i) => writeTree(path.join(root, `${i}-setuptools`), r.tree));
const built: Built[] = [];

describe('epi write and lint on setup.py projects, against setuptools', () => {
  before(async () => {
    built.push(...(await buildAll(toolsVenv().python, forSetuptools)));
  });

  rows.forEach((r, i) => {
    test(`${r.name}: setuptools ${r.setuptools}, epi ${r.epi === 'same' ? 'the same' : 'refuses'}`, () => {
      const b = built[i]!;
      if (r.setuptools === 'fails') assert.ok('error' in b, `setuptools built it: ${JSON.stringify(b)}`);
      else {
        assert.ok(!('error' in b), `setuptools failed: ${'error' in b ? b.error : ''}`);
        assert.equal(b.entryPoints === null, r.setuptools === 'none', `setuptools wrote ${JSON.stringify(b.entryPoints)}`);
        if (r.lost !== undefined) assert.ok(b.entryPoints !== null && !b.entryPoints.includes(r.lost), `setuptools wrote ${JSON.stringify(b.entryPoints)}`);
      }
      const w = epi(['write', forEpi[i]!, '-p', PYTHON]);
      if (r.epi === 'same') {
        assert.equal(w.status, 0, w.stderr);
        assert.equal(w.stdout, !('error' in b) && b.entryPoints !== null ? b.entryPoints : '', 'byte-equal to setuptools\' entry_points.txt');
        if (r.setuptools === 'none') assert.match(w.stderr, /declares no entry points/);
      } else {
        assert.equal(w.status, 1, w.stderr);
        assert.equal(w.stdout, '');
        assert.match(w.stderr, /nothing written/);
      }
      const l = epi(['lint', '--json', forEpi[i]!], { VIRTUAL_ENV: '', CONDA_PREFIX: '' }, { cwd: root });
      const found = (JSON.parse(l.stdout) as LintJson).findings;
      for (const c of r.codes ?? []) {
        const [code, line] = c.split(':');
        assert.ok(found.some((f) => f.code === code && (line === undefined || f.line === Number(line))), `${c} not in ${JSON.stringify(found)}`);
      }
      const errors = found.filter((f) => f.severity === 'error');
      assert.equal(l.status, errors.length > 0 ? 1 : 0, l.stderr);
      assert.equal(errors.length > 0, r.epi === 'refuses', `errors: ${JSON.stringify(errors)}`);
    });
  });

  test('setuptools warns where epi reports EP686 for an ignored setup.py', () => {
    const warned = rows.flatMap((r, i) => {
      const b = built[i]!;
      return !('error' in b) && b.warnings.length > 0 ? [r.name] : [];
    });
    // Every project where setuptools says "... defined outside of pyproject.toml is ignored" is one epi flags.
    for (const name of warned) assert.ok(rows.find((r) => r.name === name)!.codes?.some((c) => c.startsWith('EP686')), name);
    assert.ok(warned.length >= 3, `setuptools warned for ${warned.length} projects`);
  });
});
