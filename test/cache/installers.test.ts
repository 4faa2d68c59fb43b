/**
 * Issue 7, "Must show": the default freshness level catches every change the real tools make,
 * and each level catches what docs/spec.md §5.4's table says — with pip, uv in its copy,
 * hardlink and symlink link modes, and setuptools' `egg_info` rewriting an *.egg-info in place.
 * Real installers, run offline on local wheels; stamps settled before each change, so the stamps
 * alone must catch it (within the racy window everything is re-read anyway, see
 * freshness-changes.test.ts).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, test } from 'node:test';
import type { Freshness } from '../../src/cache/freshness.js';
import { tempDir, writeTree } from '../support/fixtures.js';
import { PYTHON } from '../support/python.js';
import type { WheelSpec } from '../support/venv.js';
import { childEnv, makeVenv, pipInstall, realTools, run, writeFixtureWheel } from '../scripts/support.js';
import { buildCache, cacheStatusOf, lookup, settle, userCache } from './helpers.js';

const LEVELS: readonly Freshness[] = ['listing', 'stat', 'full'];
const RANK: Record<Freshness, number> = { listing: 0, stat: 1, full: 2 };

const wheel = (version: string, plugin: string, build?: string): WheelSpec => ({
  name: 'epi_inst',
  version,
  files: { 'epi_inst/__init__.py': 'def main():\n    return 0\n' },
  entryPoints: `[console_scripts]\nepi-inst = epi_inst:main\n\n[epi.plugins]\nplugin = epi_inst:${plugin}\n`,
  ...(build !== undefined ? { build } : {}),
});

const sitePackages = (venvPython: string): string => {
  const r = spawnSync(venvPython, ['-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
};

interface Scenario {
  readonly name: string;
  /** Make the environment; returns the path entry to cache. */
  readonly setUp: (dir: string) => string;
  /** The change. */
  readonly change: (entry: string, dir: string) => void;
  /** The cheapest level that catches it. */
  readonly lowest: Freshness;
}

let wheels: { v10: string; v11: string; v10b: string } | undefined;
const fixtureWheels = (): { v10: string; v11: string; v10b: string } => {
  if (wheels !== undefined) return wheels;
  const d = tempDir('epindex-inst-wheels-');
  // v10b: the same name and version, built again with another entry point (what a reinstall
  // of a rebuilt package, or `pip install --force-reinstall` of a fixed wheel, brings).
  const b = path.join(d, 'b');
  fs.mkdirSync(b);
  return (wheels = { v10: writeFixtureWheel(d, wheel('1.0', 'First')), v11: writeFixtureWheel(d, wheel('1.1', 'Second')), v10b: writeFixtureWheel(b, wheel('1.0', 'Rebuilt')) });
};

const editEntryPointsByHand = (entry: string): void => {
  const f = path.join(entry, 'epi_inst-1.0.dist-info', 'entry_points.txt');
  const ino = fs.statSync(f).ino;
  fs.writeFileSync(f, fs.readFileSync(f, 'utf8').replace('epi_inst:First', 'epi_inst:Edited'));
  assert.equal(fs.statSync(f).ino, ino, 'the edit is in place');
};

/**
 * `uv pip install`, offline, with a uv cache of the scenario's own: in the hardlink and symlink
 * modes environments share the cache's files, and linking or unlinking one changes its ctime in
 * every environment that uses it (a cache at the stat level is then rebuilt: correct, and the
 * documented cost of sharing), which would couple the scenarios here.
 */
function uvInstall(dir: string, wheels: readonly string[], extra: readonly string[]): void {
  run(realTools().uv, ['pip', 'install', '-q', '--offline', '--no-deps', '--python', path.join(dir, 'bin', 'python'), ...extra, ...wheels], { env: childEnv({ UV_CACHE_DIR: path.join(dir, 'uv-cache') }) });
}

const uv = (mode: string): Pick<Scenario, 'setUp'> => ({
  setUp: (dir) => {
    const py = makeVenv(dir);
    uvInstall(dir, [fixtureWheels().v10], ['--link-mode', mode]);
    return sitePackages(py);
  },
});

const SCENARIOS: readonly Scenario[] = [
  {
    name: 'pip: an upgrade',
    setUp: (dir) => {
      const py = makeVenv(dir);
      pipInstall(py, [fixtureWheels().v10]);
      return sitePackages(py);
    },
    change: (_, dir) => pipInstall(path.join(dir, 'bin', 'python'), [fixtureWheels().v11]),
    lowest: 'listing',
  },
  {
    name: 'pip: a reinstall of the same version (--force-reinstall of a rebuilt wheel)',
    setUp: (dir) => {
      const py = makeVenv(dir);
      pipInstall(py, [fixtureWheels().v10]);
      return sitePackages(py);
    },
    change: (_, dir) => pipInstall(path.join(dir, 'bin', 'python'), ['--force-reinstall', fixtureWheels().v10b]),
    lowest: 'listing',
  },
  {
    name: 'pip: an in-place edit of entry_points.txt by hand',
    setUp: (dir) => {
      const py = makeVenv(dir);
      pipInstall(py, [fixtureWheels().v10]);
      return sitePackages(py);
    },
    change: (entry) => editEntryPointsByHand(entry),
    lowest: 'stat',
  },
  ...['copy', 'hardlink', 'symlink'].flatMap((mode): Scenario[] => [
    { name: `uv (--link-mode ${mode}): an upgrade`, ...uv(mode), change: (_, dir) => uvInstall(dir, [fixtureWheels().v11], ['--link-mode', mode]), lowest: 'listing' },
    {
      name: `uv (--link-mode ${mode}): a reinstall of the same version (--reinstall of a rebuilt wheel)`,
      ...uv(mode),
      change: (_, dir) => uvInstall(dir, [fixtureWheels().v10b], ['--link-mode', mode, '--reinstall']),
      lowest: 'listing',
    },
  ]),
  {
    name: 'setuptools egg_info: entry_points.txt rewritten in place (a source tree on the path)',
    setUp: (dir) => setuptoolsProject(dir, 'egg_proj:first'),
    change: (entry) => {
      const f = path.join(entry, 'egg_proj.egg-info', 'entry_points.txt');
      const ino = fs.statSync(f).ino;
      eggInfo(entry, 'egg_proj:second');
      assert.equal(fs.statSync(f).ino, ino, 'setuptools rewrote the file in place');
    },
    lowest: 'stat',
  },
  {
    name: 'setuptools egg_info: entry_points.txt added to an egg-info directory',
    setUp: (dir) => setuptoolsProject(dir, null),
    change: (entry) => {
      assert.ok(!fs.existsSync(path.join(entry, 'egg_proj.egg-info', 'entry_points.txt')));
      eggInfo(entry, 'egg_proj:first');
    },
    lowest: 'stat',
  },
  {
    name: 'setuptools egg_info: entry_points.txt deleted from an egg-info directory',
    setUp: (dir) => setuptoolsProject(dir, 'egg_proj:first'),
    change: (entry) => {
      eggInfo(entry, null);
      assert.ok(!fs.existsSync(path.join(entry, 'egg_proj.egg-info', 'entry_points.txt')), 'setuptools removed the file');
    },
    lowest: 'stat',
  },
];

function setupCfg(plugin: string | null): string {
  return `[metadata]\nname = egg_proj\nversion = 0.1\n\n[options]\npy_modules = egg_proj\n${plugin === null ? '' : `\n[options.entry_points]\nepi.plugins =\n    plugin = ${plugin}\n`}`;
}

/** `python setup.py egg_info` in `dir` with the machine's setuptools (offline). */
function eggInfo(dir: string, plugin: string | null): void {
  fs.writeFileSync(path.join(dir, 'setup.cfg'), setupCfg(plugin));
  run(PYTHON, ['setup.py', '-q', 'egg_info'], { cwd: dir });
}

function setuptoolsProject(dir: string, plugin: string | null): string {
  writeTree(dir, { 'setup.py': 'from setuptools import setup\nsetup()\n', 'egg_proj.py': 'def first(): pass\ndef second(): pass\n' });
  eggInfo(dir, plugin);
  return dir;
}

describe('real installers: each change is caught at the level the spec names, with stamps settled', () => {
  const uc = userCache();
  const cases: { s: Scenario; dir: string; entry: string }[] = [];
  before(async () => {
    realTools(); // uv from PyPI, cached between runs (fails clearly when PyPI is unreachable)
    for (const s of SCENARIOS) {
      const dir = tempDir('epindex-inst-');
      cases.push({ s, dir, entry: s.setUp(dir) });
    }
    // Let every installer's timestamps leave the racy window once, then build the caches, so
    // that what catches each change below is the stamps, never a re-read.
    await settle(cases.map((c) => c.dir));
    for (const c of cases) assert.equal(buildCache(c.entry, { userCacheDir: uc, force: true }).outcome, 'written');
    await settle(cases.map((c) => path.join(c.entry, '.epindex')));
    for (const c of cases) {
      assert.equal(buildCache(c.entry, { userCacheDir: uc, force: true }).outcome, 'written');
      assert.equal(cacheStatusOf(c.entry, { userCacheDir: uc, freshness: 'full' }).racy, false, `${c.s.name}: settled`);
    }
  });

  SCENARIOS.forEach((s, i) => {
    const caught = LEVELS.filter((l) => RANK[l] >= RANK[s.lowest]);
    const missed = LEVELS.filter((l) => RANK[l] < RANK[s.lowest]);
    const name = `${s.name} makes the cache stale at the ${caught.join(' and ')} level${caught.length > 1 ? 's' : ''}` +
      (missed.length > 0 ? `; the ${missed.join(' and ')} level does not look at it (documented)` : '');
    test(name, async () => {
      const c = cases[i]!;
      const at = (level: Freshness) => ({ userCacheDir: uc, freshness: level });
      const beforeAnswer = await lookup([c.entry], 'only', at('full'), { group: 'epi.plugins' });
      assert.deepEqual(beforeAnswer.codes, [], 'precondition: answered by a fresh cache');
      s.change(c.entry, c.dir);
      const truth = await lookup([c.entry], 'scan', at('stat'), { group: 'epi.plugins' });
      assert.notDeepEqual(truth.entryPoints, beforeAnswer.entryPoints, 'the change is visible to the lookup');
      for (const level of LEVELS) {
        const status = cacheStatusOf(c.entry, at(level));
        assert.equal(status.state, caught.includes(level) ? 'stale' : 'fresh', `${level} level: ${status.state} (${status.reason})`);
      }
      for (const policy of ['prefer', 'auto'] as const) {
        assert.deepEqual((await lookup([c.entry], policy, at(s.lowest), { group: 'epi.plugins' })).entryPoints, truth.entryPoints, policy);
      }
      assert.deepEqual((await lookup([c.entry], 'only', at(s.lowest), { group: 'epi.plugins' })).entryPoints, truth.entryPoints, 'auto rewrote the cache');
    });
  });
});
