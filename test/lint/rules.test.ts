/**
 * One row per lint rule (docs/spec.md §12): a minimal file that triggers it, and the nearest
 * file that does not. Every code of LINT_CODES must have a row.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { strToU8, zipSync } from 'fflate';
import { readPyproject } from '../../src/build/pyproject.js';
import { readProject } from '../../src/build/project.js';
import { readSetupCfg } from '../../src/build/setup-cfg.js';
import { readSetupPy } from '../../src/build/setup-py.js';
import { pythonEnvironment } from '../../src/environment.js';
import { lintEnvironment } from '../../src/lint/environment.js';
import { LINT_CODES, type Finding } from '../../src/lint/findings.js';
import { WHEEL } from '../../src/lint/kinds.js';
import { lintPaths } from '../../src/lint/lint.js';
import { lintEntryPointsTxt } from '../../src/lint/rules/entry-points-txt.js';
import { distInfo, tempDir, writeTree, type Tree } from '../support/fixtures.js';
import { PYTHON } from '../support/python.js';

type Lint = () => Finding[] | Promise<Finding[]>;
const root = tempDir('epindex-lint-rules-');
let n = 0;
const fresh = (): string => path.join(root, String(n++));

const txt = (s: string | Uint8Array): Lint => () => lintEntryPointsTxt(typeof s === 'string' ? strToU8(s) : s, 'entry_points.txt').findings;
const pyproject = (body: string): Lint => () => {
  const dir = writeTree(fresh(), { 'pyproject.toml': body });
  return [...readPyproject(path.join(dir, 'pyproject.toml')).findings];
};
const project = (tables: string): Lint => pyproject(`[project]\nname = "p"\nversion = "1"\n${tables}`);
const cfg = (body: string, extra: Tree = {}): Lint => () => {
  const dir = writeTree(fresh(), { 'setup.cfg': body, ...extra });
  return [...readSetupCfg(path.join(dir, 'setup.cfg')).findings];
};
const eps = (lines: string): Lint => cfg(`[metadata]\nname = p\n\n[options.entry_points]\n${lines}`);
/** setup.py alone, parsed by `python`; or a project directory with it. */
const setupPy = (body: string, python = PYTHON): Lint => async () => {
  const dir = writeTree(fresh(), { 'setup.py': `from setuptools import setup\nsetup(\n${body}\n)\n` });
  return [...(await readSetupPy(path.join(dir, 'setup.py'), { python })).findings];
};
const setupProject = (tree: Tree): Lint => async () => [...((await readProject(writeTree(fresh(), tree), { python: () => PYTHON }))?.findings ?? [])];
const SETUP_PY = 'from setuptools import setup\nsetup(entry_points={"console_scripts": ["p = p:main"]})\n';

interface WheelSpec {
  entryPoints?: string;
  record?: (name: string, hash: string, size: number) => string | null;
  extraDistInfo?: boolean;
  raw?: Uint8Array;
}
const b64 = (data: Uint8Array): string => createHash('sha256').update(data).digest('base64url');
function wheelFile(spec: WheelSpec): string {
  const file = path.join(fresh() + '-1.0-py3-none-any.whl');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  if (spec.raw !== undefined) {
    fs.writeFileSync(file, spec.raw);
    return file;
  }
  const files: Record<string, Uint8Array> = { 'p/__init__.py': strToU8(''), 'p-1.0.dist-info/METADATA': strToU8('Metadata-Version: 2.1\nName: p\nVersion: 1.0\n') };
  if (spec.extraDistInfo) files['q-1.0.dist-info/METADATA'] = strToU8('Name: q\n');
  const ep = strToU8(spec.entryPoints ?? '[console_scripts]\np = p:main\n');
  files['p-1.0.dist-info/entry_points.txt'] = ep;
  const rows = Object.entries(files).map(([name, data]) => `${name},sha256=${b64(data)},${data.length}`);
  const epRow = (spec.record ?? ((name, hash, size) => `${name},sha256=${hash},${size}`))('p-1.0.dist-info/entry_points.txt', b64(ep), ep.length);
  const record = rows.filter((r) => !r.startsWith('p-1.0.dist-info/entry_points.txt,'));
  if (epRow !== null) record.push(epRow);
  record.push('p-1.0.dist-info/RECORD,,');
  if (spec.record === undefined || epRow !== null || true) files['p-1.0.dist-info/RECORD'] = strToU8(record.join('\n') + '\n');
  fs.writeFileSync(file, zipSync(files));
  return file;
}
const wheel = (spec: WheelSpec): Lint => () => WHEEL.lint(wheelFile(spec));
const wheelWithoutRecord: Lint = () => {
  const file = path.join(fresh() + '.whl');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, zipSync({ 'p-1.0.dist-info/METADATA': strToU8('Name: p\n'), 'p-1.0.dist-info/entry_points.txt': strToU8('[g]\na = m:f\n') }));
  return WHEEL.lint(file);
};
const environment = (tree: Tree): Lint => async () => lintEnvironment(await pythonEnvironment({ path: [writeTree(fresh(), tree)], cache: 'scan' }));
const environment2 = (a: Tree, b: Tree): Lint => async () => lintEnvironment(await pythonEnvironment({ path: [writeTree(fresh(), a), writeTree(fresh(), b)], cache: 'scan' }));

interface Row {
  readonly code: string;
  readonly rule: string;
  readonly bad: Lint;
  readonly good: Lint;
}

const rows: Row[] = [
  // spec
  { code: 'EP601', rule: 'a group name outside ^\\w+(\\.\\w+)*$', bad: txt('[foo-bar]\na = m:f\n'), good: txt('[foo_bar.baz]\na = m:f\n') },
  { code: 'EP601', rule: 'an invalid group in [project.entry-points]', bad: project('[project.entry-points."my group"]\na = "m:f"\n'), good: project('[project.entry-points.my_group]\na = "m:f"\n') },
  { code: 'EP602', rule: 'a name containing "="', bad: project('[project.entry-points.g]\n"a=b" = "m:f"\n'), good: project('[project.entry-points.g]\n"a:b" = "m:f"\n') },
  { code: 'EP603', rule: 'a name starting with "["', bad: txt('[g]\n[x = m:f\n'), good: txt('[g]\nx[ = m:f\n') },
  { code: 'EP604', rule: 'a name with surrounding whitespace', bad: project('[project.scripts]\n" p " = "p:main"\n'), good: project('[project.scripts]\n"p" = "p:main"\n') },
  { code: 'EP605', rule: 'an empty name', bad: txt('[g]\n= m:f\n'), good: txt('[g]\na = m:f\n') },
  { code: 'EP606', rule: 'an invalid object reference', bad: txt('[g]\na = 1abc:f\n'), good: txt('[g]\na = abc1:f\n') },
  { code: 'EP606', rule: 'an empty value', bad: txt('[g]\na =\n'), good: txt('[g]\na = m\n') },
  { code: 'EP607', rule: 'a console script without ":function"', bad: txt('[console_scripts]\np = p.cli\n'), good: txt('[console_scripts]\np = p.cli:main\n') },
  { code: 'EP607', rule: 'a gui script without ":function"', bad: project('[project.gui-scripts]\np = "p.gui"\n'), good: project('[project.gui-scripts]\np = "p.gui:main"\n') },
  { code: 'EP608', rule: 'a script name with a path separator', bad: project('[project.scripts]\n"../p" = "p:main"\n'), good: project('[project.scripts]\n"p.x" = "p:main"\n') },
  { code: 'EP608', rule: 'a script name ".."', bad: txt('[console_scripts]\n.. = p:main\n'), good: txt('[console_scripts]\n...x = p:main\n') },
  { code: 'EP609', rule: 'a script name outside [\\w.-]+', bad: txt('[console_scripts]\nmy tool = p:main\n'), good: txt('[console_scripts]\nmy-tool = p:main\n') },
  { code: 'EP610', rule: 'script names differing only in case', bad: txt('[console_scripts]\nTool = p:a\ntool = p:b\n'), good: txt('[console_scripts]\nTool = p:a\n[other]\ntool = p:b\n') },
  { code: 'EP611', rule: 'the same name in console_scripts and gui_scripts', bad: project('[project.scripts]\np = "p:main"\n[project.gui-scripts]\np = "p:gui"\n'), good: project('[project.scripts]\np = "p:main"\n[project.gui-scripts]\np-gui = "p:gui"\n') },
  { code: 'EP612', rule: 'a duplicate name within a group', bad: txt('[g]\na = m:f\na = m:g\n'), good: txt('[g]\na = m:f\n[h]\na = m:g\n') },
  { code: 'EP612', rule: 'a duplicate name across repeated sections of a group', bad: txt('[g]\na = m:f\n[h]\n[g]\na = m:g\n'), good: txt('[g]\na = m:f\n[h]\na = m:g\n') },
  { code: 'EP613', rule: 'extras on an entry point', bad: txt('[g]\na = m:f [x]\n'), good: txt('[g]\na = m:f\n') },
  { code: 'EP614', rule: 'a declared name starting with "#"', bad: project('[project.entry-points.g]\n"#a" = "m:f"\n'), good: project('[project.entry-points.g]\n"a#" = "m:f"\n') },
  // portability
  { code: 'EP620', rule: 'a ";" comment line', bad: txt('[g]\n; note\na = m:f\n'), good: txt('[g]\n# note\na = m:f\n') },
  { code: 'EP621', rule: 'an inline comment in a value', bad: txt('[g]\na = m:f # note\n'), good: txt('[g]\na = m:f#note\n') },
  { code: 'EP622', rule: 'a UTF-8 byte order mark', bad: txt(Uint8Array.from([0xef, 0xbb, 0xbf, ...strToU8('[g]\na = m:f\n')])), good: txt('[g]\na = m:f\n\ufeff\n') },
  { code: 'EP623', rule: 'an indented line after an entry point', bad: txt('[g]\na = m:f\n  b = m:g\n'), good: txt('[g]\n  a = m:f\n  b = m:g\n') },
  { code: 'EP623', rule: 'an indented header after an entry point', bad: txt('[g]\na = m:f\n  [h]\nb = m:g\n'), good: txt('[g]\na = m:f\n[h]\n  b = m:g\n') },
  { code: 'EP624', rule: 'a [DEFAULT] group', bad: txt('[DEFAULT]\na = m:f\n'), good: txt('[default]\na = m:f\n') },
  { code: 'EP625', rule: 'a "%" in a value', bad: txt('[g]\na = m:f%x\n'), good: txt('[g]\na% = m:f\n') },
  { code: 'EP626', rule: 'an entry point before the first header', bad: txt('a = m:f\n[g]\nb = m:g\n'), good: txt('# a = m:f\n[g]\nb = m:g\n') },
  { code: 'EP627', rule: 'a group header repeated', bad: txt('[g]\na = m:f\n[g]\nb = m:g\n'), good: txt('[g]\na = m:f\nb = m:g\n') },
  { code: 'EP628', rule: 'bytes that are not UTF-8', bad: txt(Uint8Array.from([...strToU8('[g]\na = caf'), 0xe9, 0x3a, 0x66])), good: txt('[g]\na = café:f\n') },
  { code: 'EP629', rule: 'a value importlib.metadata\'s pattern rejects (CPython 3.15 raises)', bad: txt('[g]\na = my-mod:f\n'), good: txt('[g]\na = a..b:f\n') },
  { code: 'EP630', rule: 'a line without "="', bad: txt('[g]\na: m:f\n'), good: txt('[g]\na = m:f\n') },
  { code: 'EP631', rule: 'whitespace inside a group header', bad: txt('[ g ]\na = m:f\n'), good: txt('  [g]  \na = m:f\n') },
  { code: 'EP632', rule: 'extra brackets around a group header', bad: txt('[[g]]\na = m:f\n'), good: txt('[g]\na = m:f\n') },
  { code: 'EP633', rule: 'a line break only str.splitlines knows', bad: txt('[g]\na = m:f\fb = m:g\n'), good: txt('[g]\r\na = m:f\rb = m:g\n') },
  { code: 'EP634', rule: 'a name starting with ";"', bad: txt('[g]\n;a = m:f\n'), good: txt('[g]\na; = m:f\n') },
  // wheels
  { code: 'EP640', rule: 'a wheel that is not a zip', bad: wheel({ raw: strToU8('not a zip at all') }), good: wheel({}) },
  { code: 'EP641', rule: 'a wheel with two .dist-info directories', bad: wheel({ extraDistInfo: true }), good: wheel({}) },
  { code: 'EP642', rule: 'a wheel without RECORD', bad: wheelWithoutRecord, good: wheel({}) },
  { code: 'EP643', rule: 'entry_points.txt missing from RECORD', bad: wheel({ record: () => null }), good: wheel({}) },
  { code: 'EP644', rule: 'a RECORD hash that does not match', bad: wheel({ record: (nm, _h, size) => `${nm},sha256=${b64(strToU8('other'))},${size}` }), good: wheel({ record: (nm, h, size) => `"${nm}",sha256=${h}==,${size}` }) },
  { code: 'EP645', rule: 'a RECORD size that does not match', bad: wheel({ record: (nm, h, size) => `${nm},sha256=${h},${size + 1}` }), good: wheel({ record: (nm, h) => `${nm},sha256=${h},` }) },
  { code: 'EP646', rule: 'a RECORD hash with a forbidden algorithm', bad: wheel({ record: (nm, _h, size) => `${nm},md5=abc,${size}` }), good: wheel({ record: (nm, _h, size) => `${nm},sha512=${createHash('sha512').update(strToU8('[console_scripts]\np = p:main\n')).digest('base64url')},${size}` }) },
  // pyproject.toml
  { code: 'EP660', rule: 'pyproject.toml that is not TOML', bad: pyproject('[project\nname = "p"\n'), good: pyproject('[project]\nname = "p"\n') },
  { code: 'EP661', rule: '[project.entry-points.console_scripts]', bad: project('[project.entry-points.console_scripts]\np = "p:main"\n'), good: project('[project.scripts]\np = "p:main"\n') },
  { code: 'EP661', rule: '[project.entry-points.gui_scripts]', bad: project('[project.entry-points.gui_scripts]\np = "p:main"\n'), good: project('[project.gui-scripts]\np = "p:main"\n') },
  { code: 'EP662', rule: 'a nested table under [project.entry-points.<group>]', bad: project('[project.entry-points.g.sub]\na = "m:f"\n'), good: project('[project.entry-points."g.sub"]\na = "m:f"\n') },
  { code: 'EP662', rule: 'a value that is not a string', bad: project('[project.scripts]\np = 1\n'), good: project('[project.scripts]\np = "p:main"\n') },
  { code: 'EP663', rule: 'dynamic entry points', bad: pyproject('[project]\nname = "p"\ndynamic = ["scripts"]\n'), good: pyproject('[project]\nname = "p"\ndynamic = ["version"]\n') },
  { code: 'EP664', rule: 'entry points both dynamic and declared', bad: pyproject('[project]\nname = "p"\ndynamic = ["entry-points"]\n[project.entry-points.g]\na = "m:f"\n'), good: pyproject('[project]\nname = "p"\n[project.entry-points.g]\na = "m:f"\n') },
  { code: 'EP665', rule: 'no [project] table', bad: pyproject('[tool.poetry.scripts]\np = "p:main"\n'), good: project('') },
  // setup.cfg
  { code: 'EP670', rule: 'setup.cfg configparser refuses (duplicate option)', bad: eps('console_scripts =\n  p = p:main\nconsole_scripts =\n  q = q:main\n'), good: eps('console_scripts =\n  p = p:main\n  q = q:main\n') },
  { code: 'EP671', rule: 'a "%" in a setup.cfg entry point', bad: eps('g =\n  a = m:f%\n'), good: eps('g =\n  a = m:f%%\n') },
  { code: 'EP672', rule: 'entry points on one line, split at ","', bad: eps('g = a = m:f [x,y]\n'), good: eps('g = a = m:f\n') },
  { code: 'EP673', rule: 'entry points in [options] and [options.entry_points]', bad: cfg('[options]\nentry_points =\n  [g]\n  a = m:f\n\n[options.entry_points]\ng =\n  b = m:g\n'), good: cfg('[options]\nentry_points =\n  [g]\n  a = m:f\n  b = m:g\n') },
  { code: 'EP674', rule: 'a "file:" that cannot be read', bad: cfg('[options]\nentry_points = file: missing.cfg\n'), good: cfg('[options]\nentry_points = file: eps.cfg\n', { 'eps.cfg': '[g]\na = m:f\n' }) },
  { code: 'EP675', rule: 'an entry point line setuptools cannot parse', bad: eps('g =\n  a = m:f\n  oops\n'), good: eps('g =\n  a = m:f\n  # oops\n') },
  // setup.py
  { code: 'EP680', rule: 'a setup.py Python cannot parse', bad: setupPy('entry_points={"g": ["a = m:f"]'), good: setupPy('entry_points={"g": ["a = m:f"]}') },
  { code: 'EP681', rule: 'entry points setup.py computes', bad: setupPy('entry_points={"g": [n + " = m:f" for n in "ab"]}'), good: setupPy('entry_points={"g": ["a = m:f", "b = m:f"]}') },
  { code: 'EP682', rule: 'entry_points of a type setuptools refuses', bad: setupPy('entry_points=["[g]", "a = m:f"]'), good: setupPy('entry_points="[g]\\na = m:f"') },
  { code: 'EP683', rule: 'a setup.py entry point line without "="', bad: setupPy('entry_points={"g": ["a m:f"]}'), good: setupPy('entry_points={"g": ["a = m:f"]}') },
  { code: 'EP684', rule: 'setup.py with no interpreter to parse it', bad: setupPy('entry_points={"g": ["a = m:f"]}', path.join(root, 'no-such-python')), good: setupPy('entry_points={"g": ["a = m:f"]}') },
  {
    code: 'EP685', rule: 'entry points in setup.py beside a build backend that is not setuptools (tool settings in setup.cfg are not)',
    bad: setupProject({ 'setup.py': SETUP_PY, 'pyproject.toml': '[build-system]\nbuild-backend = "hatchling.build"\n' }),
    good: setupProject({ 'setup.py': 'import setuptools\nsetuptools.setup()\n', 'setup.cfg': '[flake8]\nmax-line-length = 100\n', 'pyproject.toml': '[build-system]\nbuild-backend = "hatchling.build"\n' }),
  },
  {
    code: 'EP686', rule: 'setup.py and setup.cfg both declaring entry points',
    bad: setupProject({ 'setup.py': SETUP_PY, 'setup.cfg': '[options.entry_points]\nconsole_scripts =\n    q = q:main\n' }),
    good: setupProject({ 'setup.py': SETUP_PY, 'setup.cfg': '[metadata]\nname = p\n' }),
  },
  {
    code: 'EP687', rule: 'entry_points INI text beside a [project] table',
    bad: setupProject({ 'setup.py': 'from setuptools import setup\nsetup(entry_points="[g]\\na = m:f")\n', 'pyproject.toml': '[project]\nname = "p"\n' }),
    good: setupProject({ 'setup.py': 'from setuptools import setup\nsetup(entry_points={"g": ["a = m:f"]})\n', 'pyproject.toml': '[project]\nname = "p"\ndynamic = ["entry-points"]\n' }),
  },
  { code: 'EP688', rule: 'a group given twice in a setup.py dict', bad: setupPy('entry_points={"g": ["a = m:f"], "g": ["b = m:f"]}'), good: setupPy('entry_points={"g": ["a = m:f", "b = m:f"]}') },
  // environments
  {
    code: 'EP650', rule: 'one entry point name provided by two distributions',
    bad: environment({ ...distInfo('a', '1.0', '[console_scripts]\ntool = a:main\n'), ...distInfo('b', '1.0', '[console_scripts]\ntool = b:main\n'), 'a.py': '', 'b.py': '' }),
    good: environment({ ...distInfo('a', '1.0', '[console_scripts]\ntool = a:main\n'), ...distInfo('b', '1.0', '[console_scripts]\ntool-b = b:main\n'), 'a.py': '', 'b.py': '' }),
  },
  {
    code: 'EP651', rule: 'two distributions of one name in one directory',
    bad: environment({ ...distInfo('a', '1.0'), ...distInfo('a', '2.0') }), good: environment({ ...distInfo('a', '2.0') }),
  },
  {
    code: 'EP652', rule: 'a distribution shadowed by an earlier path entry',
    bad: environment2(distInfo('a', '2.0'), distInfo('a', '1.0')), good: environment2(distInfo('a', '2.0'), distInfo('b', '1.0')),
  },
  {
    code: 'EP653', rule: 'a metadata directory without METADATA',
    bad: environment({ ...distInfo('a', '1.0', undefined, { metadata: false }) }), good: environment({ ...distInfo('a', '1.0') }),
  },
  {
    code: 'EP654', rule: 'an entry point whose module is on no search-path entry',
    bad: environment({ ...distInfo('a', '1.0', '[g]\nx = a.missing:f\n'), a: { '__init__.py': '' } }),
    good: environment({ ...distInfo('a', '1.0', '[g]\nx = a.sub:f\ny = a.ext\nz = nspkg.mod\n'), a: { '__init__.py': '', 'sub.py': '', 'ext.cpython-311-x86_64-linux-gnu.so': '' }, nspkg: { 'mod.py': '' } }),
  },
  // input
  { code: 'EP690', rule: 'a file that cannot be read', bad: () => lintPaths([path.join(writeTree(fresh(), distInfo('a', '1.0', { x: '' } as never)), 'a-1.0.dist-info')]), good: () => lintPaths([path.join(writeTree(fresh(), distInfo('a', '1.0', '[g]\na = m:f\n')), 'a-1.0.dist-info')]) },
];

describe('lint rules', () => {
  for (const r of rows) {
    test(`${r.code} ${r.rule}: found in the triggering file, not in the clean one`, async () => {
      const bad = await r.bad();
      const good = await r.good();
      assert.ok(bad.some((f) => f.code === r.code), `expected ${r.code} in ${JSON.stringify(bad, null, 1)}`);
      assert.ok(!good.some((f) => f.code === r.code), `unexpected ${r.code} in ${JSON.stringify(good.filter((f) => f.code === r.code))}`);
      for (const f of bad.filter((x) => x.code === r.code)) {
        const rule = LINT_CODES[r.code as keyof typeof LINT_CODES];
        assert.equal(f.severity, rule.severity);
        assert.equal(f.hint, rule.hint);
      }
    });
  }

  test('every lint code has a row', () => {
    const covered = new Set(rows.map((r) => r.code));
    assert.deepEqual(Object.keys(LINT_CODES).filter((c) => !covered.has(c)), []);
  });

  test('every lint code is in docs/spec.md\'s rule table', () => {
    const spec = fs.readFileSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../docs/spec.md'), 'utf8');
    assert.deepEqual(Object.keys(LINT_CODES).filter((c) => !spec.includes(`| ${c} |`)), []);
  });

  test('findings name the line they are about', () => {
    const f = lintEntryPointsTxt(strToU8('[g]\na = m:f\n\n; note\n'), 'x').findings;
    assert.deepEqual(f.map((x) => [x.code, x.line]), [['EP620', 4]]);
  });

  test('pyproject findings point at the key\'s line', () => {
    const f = project('\n[project.scripts]\nok = "p:main"\nbad = "p.cli"\n')();
    assert.deepEqual((f as Finding[]).map((x) => [x.code, x.line]), [['EP607', 7]]);
  });

  test('setup.cfg findings point at the continuation line', () => {
    const f = eps('g =\n  a = m:f\n  b = 1x:f\n')();
    assert.deepEqual((f as Finding[]).filter((x) => x.code === 'EP606').map((x) => x.line), [7]);
  });
});
