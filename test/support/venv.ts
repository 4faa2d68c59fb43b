/**
 * A realistic fixture virtual environment, built offline in a temp dir: `python -m venv`, then
 * pip (run from the wheel ensurepip bundles, as ensurepip itself does) installs pip, setuptools
 * and wheels built here, plus the layouts pip no longer produces (egg-info, eggs, egg-links),
 * written the way setuptools / distutils / easy_install wrote them.
 *
 * Layouts (see `FIXTURE_DISTS` for what each one must contribute):
 * - wheels installed by pip: `alpha` (several groups, console/gui scripts, a pytest11 plugin,
 *   extras, names with dots, colons and spaces), `Foo.Bar_baz` (a name needing
 *   normalization), `pytest-gamma`, `delta` (no entry points), `Bar` 0.9 (shadowed by an egg);
 * - a PEP 660 editable wheel (`editable_proj`): dist-info + `__editable__.*.pth` pointing at a
 *   source dir which also holds a stale `editable_proj.egg-info` (shadowed, as importlib does);
 * - `setup.py develop`: `Legacy-Dev.egg-link` + an `easy-install.pth` line to a project dir
 *   holding `Legacy_Dev.egg-info/`;
 * - `oldstyle-0.5-pyX.Y.egg-info/` directory and `distutils_only-1.2-pyX.Y.egg-info` file in
 *   site-packages;
 * - `bar-1.0-pyX.Y.egg/` (directory egg, shadows `Bar` 0.9) and `baz-2.0-pyX.Y.egg` (zipped
 *   egg), put on sys.path by the classic easy-install.pth, whose `import` lines move its
 *   entries to the front of sys.path.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { PYTHON } from './python.js';

export interface FixtureVenv {
  /** The venv directory. */
  readonly root: string;
  /** `<root>/bin/python`. */
  readonly python: string;
  readonly sitePackages: string;
  /** `major.minor` of the interpreter. */
  readonly pyVersion: string;
  /** Whether pip (and setuptools, when bundled) were installed into the venv itself. */
  readonly hasPip: boolean;
  /** The project dirs outside the venv: the editable source dir, the legacy develop project. */
  readonly editableSrc: string;
  readonly legacyProject: string;
}

/** What a fixture distribution must contribute, so a conformance test cannot pass vacuously. */
export interface FixtureDist {
  /** PEP 503 normalized name. */
  readonly dist: string;
  readonly layout: string;
  /** An entry point the environment must list for this distribution: [group, name, value]. */
  readonly present?: readonly [string, string, string];
  /** An entry point it must NOT list (it belongs to a shadowed copy). */
  readonly absent?: readonly [string, string, string];
  /** How the distribution's metadata path ends (path separators as `/`). */
  readonly metadataPathEndsWith: string;
}

const utf8 = (s: string): Uint8Array => strToU8(s);

const ALPHA_EP = `[console_scripts]
alpha = alpha.cli:main
alpha-admin = alpha.cli:admin [admin]

[gui_scripts]
alpha-gui = alpha.gui:run

[pytest11]
alpha = alpha.pytest_plugin

[alpha.plugins]
dotted.plugin.name = alpha.plugins.dotted:Plugin
ns:sub = alpha.plugins.ns:sub
with space = alpha.plugins:spaced
.rst = alpha.plugins.rst:Reader
extras = alpha.plugins:extras [a, b-c]
extras-tight = alpha.plugins:tight[a,b-c]
module-only = alpha.plugins.module_only
nested = alpha.plugins:Outer.Inner.method
`;

const FOO_EP = `[console_scripts]
foo-bar = foo_bar_baz.cli:main

[epindex.fixture]
foobar = foo_bar_baz:plugin
`;

const GAMMA_EP = `[pytest11]
gamma = pytest_gamma.plugin
`;

const BAR_OLD_EP = `[epindex.fixture]
bar = bar.old:plugin

[bar.old]
only-in-0.9 = bar.old:x
`;

const EDITABLE_EP = `[console_scripts]
editable-cli = editable_proj.cli:main

[epindex.fixture]
editable = editable_proj:plugin
`;

/** The stale egg-info setuptools left in the editable project's source dir (shadowed). */
const EDITABLE_STALE_EP = `[console_scripts]
editable-cli = editable_proj.old_cli:main

[epindex.fixture]
editable-stale = editable_proj:stale
`;

const LEGACY_EP = `[console_scripts]
legacy-dev = legacy_dev.main:run

[epindex.fixture]
legacy = legacy_dev:plugin
`;

/** As setuptools of a Windows sdist build may leave it: CRLF, comments, indentation. */
const OLDSTYLE_EP = '# generated\r\n[console_scripts]\r\noldstyle = oldstyle:main\r\n\r\n[epindex.fixture]\r\n  oldstyle = oldstyle.plugin:Plugin  \r\n  # indented comment\r\n';

const BAR_EGG_EP = `[epindex.fixture]
bar = bar.new:plugin

[bar.new]
only-in-1.0 = bar.new:x
`;

const BAZ_EGG_EP = `[console_scripts]
baz = baz.__main__:main

[epindex.fixture]
baz = baz:plugin [fast]
`;

export const FIXTURE_DISTS: readonly FixtureDist[] = [
  { dist: 'alpha', layout: 'wheel', present: ['alpha.plugins', 'with space', 'alpha.plugins:spaced'], metadataPathEndsWith: 'site-packages/alpha-1.0.dist-info' },
  { dist: 'foo-bar-baz', layout: 'wheel (name needing normalization)', present: ['epindex.fixture', 'foobar', 'foo_bar_baz:plugin'], metadataPathEndsWith: 'site-packages/Foo.Bar_baz-2.3.post1.dist-info' },
  { dist: 'pytest-gamma', layout: 'wheel (pytest11 plugin)', present: ['pytest11', 'gamma', 'pytest_gamma.plugin'], metadataPathEndsWith: 'site-packages/pytest_gamma-0.3.dist-info' },
  {
    dist: 'editable-proj',
    layout: 'PEP 660 editable wheel',
    present: ['epindex.fixture', 'editable', 'editable_proj:plugin'],
    absent: ['epindex.fixture', 'editable-stale', 'editable_proj:stale'],
    metadataPathEndsWith: 'site-packages/editable_proj-0.1.dist-info',
  },
  { dist: 'legacy-dev', layout: 'setup.py develop (egg-link)', present: ['epindex.fixture', 'legacy', 'legacy_dev:plugin'], metadataPathEndsWith: 'legacy-dev/Legacy_Dev.egg-info' },
  { dist: 'oldstyle', layout: '.egg-info directory', present: ['epindex.fixture', 'oldstyle', 'oldstyle.plugin:Plugin'], metadataPathEndsWith: 'site-packages/oldstyle-0.5-pyX.Y.egg-info' },
  {
    dist: 'bar',
    layout: 'egg directory',
    present: ['bar.new', 'only-in-1.0', 'bar.new:x'],
    absent: ['bar.old', 'only-in-0.9', 'bar.old:x'],
    metadataPathEndsWith: 'site-packages/bar-1.0-pyX.Y.egg/EGG-INFO',
  },
  { dist: 'baz', layout: 'zipped egg', present: ['epindex.fixture', 'baz', 'baz:plugin [fast]'], metadataPathEndsWith: 'site-packages/baz-2.0-pyX.Y.egg/EGG-INFO' },
];

// ---------------------------------------------------------------------------------------------
// Wheels

const recordHash = (data: Uint8Array): string => `sha256=${createHash('sha256').update(data).digest('base64url')}`;

export interface WheelSpec {
  /** The name as written in METADATA and in the dist-info directory name. */
  readonly name: string;
  readonly version: string;
  /** Importable files: path inside the wheel → text. */
  readonly files: Readonly<Record<string, string>>;
  readonly entryPoints?: string;
  /** Build tag (setuptools' editable wheels use `0.editable`). */
  readonly build?: string;
}

/** The wheel file name: PEP 427 escaping of the name (runs of `-_.` → `_`). */
export function wheelFileName(spec: WheelSpec): string {
  const name = spec.name.replace(/[-_.]+/g, '_');
  return `${name}-${spec.version}${spec.build ? `-${spec.build}` : ''}-py3-none-any.whl`;
}

/** A wheel (zip) with the files, `NAME-VER.dist-info/{METADATA,WHEEL,entry_points.txt,RECORD}`. */
export function buildWheel(spec: WheelSpec): Uint8Array {
  const distInfo = `${spec.name}-${spec.version}.dist-info`;
  const files = new Map<string, Uint8Array>();
  for (const [p, text] of Object.entries(spec.files)) files.set(p, utf8(text));
  files.set(`${distInfo}/METADATA`, utf8(`Metadata-Version: 2.1\nName: ${spec.name}\nVersion: ${spec.version}\nSummary: epindex conformance fixture\n`));
  files.set(`${distInfo}/WHEEL`, utf8(`Wheel-Version: 1.0\nGenerator: epindex-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n${spec.build ? `Build: ${spec.build}\n` : ''}`));
  if (spec.entryPoints !== undefined) files.set(`${distInfo}/entry_points.txt`, utf8(spec.entryPoints));
  const record = [...files].map(([p, data]) => `${p},${recordHash(data)},${data.length}`);
  record.push(`${distInfo}/RECORD,,`);
  files.set(`${distInfo}/RECORD`, utf8(record.join('\n') + '\n'));
  return zipSync(Object.fromEntries(files));
}

function fixtureWheels(editableSrc: string): WheelSpec[] {
  return [
    {
      name: 'alpha',
      version: '1.0',
      entryPoints: ALPHA_EP,
      files: {
        'alpha/__init__.py': '',
        'alpha/cli.py': 'def main():\n    return 0\n\ndef admin():\n    return 0\n',
        'alpha/gui.py': 'def run():\n    return 0\n',
      },
    },
    { name: 'Foo.Bar_baz', version: '2.3.post1', entryPoints: FOO_EP, files: { 'foo_bar_baz/__init__.py': 'plugin = object()\n', 'foo_bar_baz/cli.py': 'def main():\n    return 0\n' } },
    { name: 'pytest_gamma', version: '0.3', entryPoints: GAMMA_EP, files: { 'pytest_gamma/__init__.py': '', 'pytest_gamma/plugin.py': '' } },
    { name: 'delta', version: '1.0', files: { 'delta.py': '' } },
    { name: 'Bar', version: '0.9', entryPoints: BAR_OLD_EP, files: { 'bar/__init__.py': '', 'bar/old.py': 'plugin = x = None\n' } },
    // What setuptools' `editable_wheel` builds for a src layout in "lenient" mode: a .pth path line.
    {
      name: 'editable_proj',
      version: '0.1',
      build: '0.editable',
      entryPoints: EDITABLE_EP,
      files: { '__editable__.editable_proj-0.1.pth': `${editableSrc}\n` },
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// The venv

/** A file tree: a string or bytes is a file, an object a directory. (No node:test here, unlike fixtures.ts, so scripts can use this module.) */
type Tree = { [name: string]: string | Uint8Array | Tree };

function writeTree(root: string, tree: Tree): void {
  fs.mkdirSync(root, { recursive: true });
  for (const [name, v] of Object.entries(tree)) {
    const p = path.join(root, name);
    if (typeof v === 'string' || v instanceof Uint8Array) fs.writeFileSync(p, v);
    else writeTree(p, v);
  }
}

/** The caller's environment without pip settings (PIP_USER, PIP_TARGET, ... would send the install elsewhere) or pip config files. */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.toUpperCase().startsWith('PIP_')) env[k] = v;
  return { ...env, PIP_CONFIG_FILE: os.devNull, PIP_NO_INPUT: '1', PIP_DISABLE_PIP_VERSION_CHECK: '1', PYTHONDONTWRITEBYTECODE: '1' };
}

function run(cmd: string, args: readonly string[]): SpawnSyncReturns<string> {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: childEnv(), maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw new Error(`${cmd} ${args.join(' ')}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r;
}

const PROBE = `
import glob, json, os, sys
try:
    import ensurepip
    d = os.path.join(os.path.dirname(ensurepip.__file__), '_bundled')
    wheels = sorted(glob.glob(os.path.join(d, '*.whl')))
except Exception:
    wheels = []
print(json.dumps({"version": "%d.%d" % sys.version_info[:2], "wheels": wheels}))
`;

/** The classic easy-install.pth: its import lines move the entries between them to the front of sys.path. */
function easyInstallPth(lines: readonly string[]): string {
  return [
    'import sys; sys.__plen = len(sys.path)',
    ...lines,
    "import sys; new = sys.path[sys.__plen:]; del sys.path[sys.__plen:]; p = getattr(sys, '__egginsert', 0); sys.path[p:p] = new; sys.__egginsert = p + len(new)",
    '',
  ].join('\n');
}

const pkgInfo = (name: string, version: string): string => `Metadata-Version: 1.1\nName: ${name}\nVersion: ${version}\nSummary: epindex conformance fixture\nPlatform: UNKNOWN\n`;

/**
 * Build the fixture venv under `dir` (which must exist; the caller removes it), from the base
 * interpreter `python` (default: the machine's python3). Offline; takes a few seconds.
 */
export function buildFixtureVenv(dir: string, python: string = PYTHON): FixtureVenv {
  const probe = JSON.parse(run(python, ['-c', PROBE]).stdout) as { version: string; wheels: string[] };
  const pyTag = `py${probe.version}`;
  const root = path.join(dir, 'venv');
  const projects = path.join(dir, 'projects');
  const editableSrc = path.join(projects, 'editable-proj', 'src');
  const legacyProject = path.join(projects, 'legacy-dev');
  const wheelDir = path.join(dir, 'wheels');
  fs.mkdirSync(wheelDir, { recursive: true });

  // The editable project's source tree, with the egg-info a previous `setup.py egg_info` left.
  writeTree(editableSrc, {
    editable_proj: { '__init__.py': 'plugin = stale = None\n', 'cli.py': 'def main():\n    return 0\n' },
    'editable_proj.egg-info': { 'PKG-INFO': pkgInfo('editable-proj', '0.0.9'), 'entry_points.txt': EDITABLE_STALE_EP, 'SOURCES.txt': '', 'top_level.txt': 'editable_proj\n' },
  });

  const wheels = fixtureWheels(editableSrc).map((spec) => {
    const file = path.join(wheelDir, wheelFileName(spec));
    fs.writeFileSync(file, buildWheel(spec));
    return file;
  });

  const pipWheel = probe.wheels.find((w) => /^pip-[^-]+-.*\.whl$/.test(path.basename(w)));
  const venvPython = process.platform === 'win32' ? path.join(root, 'Scripts', 'python.exe') : path.join(root, 'bin', 'python');
  const pipArgs = ['install', '--no-index', '--no-deps', '--no-compile', '--no-warn-script-location', '--disable-pip-version-check', '-q'];
  if (pipWheel !== undefined) {
    // What ensurepip does (minus byte-compiling, which takes most of its time): run pip from
    // the wheel ensurepip bundles, installing pip and setuptools from their bundled wheels.
    run(python, ['-m', 'venv', '--without-pip', root]);
    run(venvPython, [path.join(pipWheel, 'pip'), ...pipArgs, ...probe.wheels, ...wheels]);
  } else {
    // No bundled wheels (a distribution that unbundles ensurepip): the plain venv with ensurepip,
    // else the base interpreter's own pip installing into the venv.
    try {
      run(python, ['-m', 'venv', root]);
      run(venvPython, ['-m', 'pip', ...pipArgs, ...wheels]);
    } catch {
      fs.rmSync(root, { recursive: true, force: true });
      run(python, ['-m', 'venv', '--without-pip', root]);
      run(python, ['-m', 'pip', '--python', venvPython, ...pipArgs, ...wheels]);
    }
  }
  const sitePackages = run(venvPython, ['-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])']).stdout.trim();

  // `setup.py develop` of a project whose egg-info setuptools named after safe_name().
  writeTree(legacyProject, {
    legacy_dev: { '__init__.py': 'plugin = None\n', 'main.py': 'def run():\n    return 0\n' },
    'Legacy_Dev.egg-info': { 'PKG-INFO': pkgInfo('Legacy-Dev', '0.4.dev0'), 'entry_points.txt': LEGACY_EP, 'SOURCES.txt': 'setup.py\n', 'top_level.txt': 'legacy_dev\n' },
  });

  const bazEgg = zipSync({
    'baz/__init__.py': utf8('plugin = None\n'),
    'baz/__main__.py': utf8('def main():\n    return 0\n'),
    'EGG-INFO/PKG-INFO': utf8(pkgInfo('baz', '2.0')),
    'EGG-INFO/entry_points.txt': utf8(BAZ_EGG_EP),
    'EGG-INFO/top_level.txt': utf8('baz\n'),
    'EGG-INFO/zip-safe': utf8('\n'),
  });

  const site: Tree = {
    // distutils / `setup.py install --single-version-externally-managed` layouts
    [`oldstyle-0.5-${pyTag}.egg-info`]: { 'PKG-INFO': pkgInfo('oldstyle', '0.5'), 'entry_points.txt': OLDSTYLE_EP, 'SOURCES.txt': '', 'top_level.txt': 'oldstyle\n' },
    [`distutils_only-1.2-${pyTag}.egg-info`]: pkgInfo('distutils-only', '1.2'),
    'oldstyle.py': 'def main():\n    return 0\n',
    'distutils_only.py': '',
    // easy_install eggs and setup.py develop
    [`bar-1.0-${pyTag}.egg`]: {
      bar: { '__init__.py': '', 'new.py': 'plugin = x = None\n' },
      'EGG-INFO': { 'PKG-INFO': pkgInfo('Bar', '1.0'), 'entry_points.txt': BAR_EGG_EP, 'top_level.txt': 'bar\n', 'not-zip-safe': '\n' },
    },
    [`baz-2.0-${pyTag}.egg`]: bazEgg,
    'Legacy-Dev.egg-link': `${legacyProject}\n.`,
    'easy-install.pth': easyInstallPth([`./bar-1.0-${pyTag}.egg`, `./baz-2.0-${pyTag}.egg`, legacyProject]),
  };
  writeTree(sitePackages, site);
  return { root, python: venvPython, sitePackages, pyVersion: probe.version, hasPip: fs.existsSync(path.join(sitePackages, 'pip')), editableSrc, legacyProject };
}

/** `FIXTURE_DISTS` with `pyX.Y` replaced by the venv's tag. */
export function fixtureDists(venv: FixtureVenv): FixtureDist[] {
  return FIXTURE_DISTS.map((d) => ({ ...d, metadataPathEndsWith: d.metadataPathEndsWith.replace('pyX.Y', `py${venv.pyVersion}`) }));
}
