/**
 * Conformance on real environments: the (distribution, group, name, value) entry points that
 * `epi list --json --python P` reports equal importlib.metadata.entry_points() run in P, for
 * the machine's python3 and for a fixture venv holding every installation layout
 * (test/support/venv.ts), under each cache policy that matters; the library API agrees too.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import { pythonEnvironment, type CachePolicy } from '../src/index.js';
import { childEnv, compare, EPI_MAIN, epiEntryPoints, formatComparison, formatQuad, importlibEntryPoints, type Quad } from './support/conformance.js';
import { tempDir } from './support/fixtures.js';
import { PYTHON } from './support/python.js';
import { buildFixtureVenv, fixtureDists, type FixtureVenv } from './support/venv.js';

const IN_DIR_CACHE = path.join('.epindex', 'entry-points.v4.jsonl');

function assertSame(t: TestContext, importlib: readonly Quad[], epindex: readonly Quad[], what: string): void {
  const c = compare(importlib, epindex);
  t.diagnostic(`${what}: matched ${c.matched}/${c.total}`);
  assert.ok(c.onlyImportlib.length === 0 && c.onlyEpindex.length === 0, `${what} differs from importlib.metadata:\n${formatComparison(c)}`);
}

async function apiEntryPoints(python: string, cache: CachePolicy, userCacheDir: string): Promise<Quad[]> {
  const env = await pythonEnvironment({ python, cache, userCacheDir });
  return (await env.entryPoints()).toArray().map((e) => [e.dist?.normalizedName ?? '', e.group, e.name, e.value] as const);
}

/**
 * `.epindex` directories that appear during the tests in path entries outside `ours` (the
 * machine's own directories): `check` lists them and removes them, so a failing test cannot
 * leave caches behind in the real installation.
 */
function inDirCacheGuard(searchPath: readonly string[], ours: readonly string[]): () => string[] {
  const outside = searchPath.filter((p) => p !== '' && !ours.some((o) => p === o || p.startsWith(o + path.sep)));
  const has = (p: string): boolean => fs.existsSync(path.join(p, '.epindex'));
  const before = new Set(outside.filter(has));
  return () => {
    const created = outside.filter((p) => !before.has(p) && has(p));
    for (const p of created) fs.rmSync(path.join(p, '.epindex'), { recursive: true, force: true });
    return created;
  };
}

describe("conformance: the machine's python3", () => {
  let cacheDir: string;
  let env: NodeJS.ProcessEnv;
  let expected: Quad[];
  let guard: () => string[];

  before(async () => {
    cacheDir = tempDir('epindex-conformance-cache-');
    env = childEnv({ cacheDir });
    expected = importlibEntryPoints(PYTHON, env).entryPoints;
    guard = inDirCacheGuard((await pythonEnvironment({ python: PYTHON, cache: 'scan', userCacheDir: cacheDir })).searchPath, [cacheDir]);
  });
  after(() => guard?.());

  // Only policies that write nothing into the machine's own directories.
  for (const cache of ['scan', 'prefer'] as const) {
    test(`epi list --json --cache ${cache}`, (t) => {
      assertSame(t, expected, epiEntryPoints(PYTHON, ['--cache', cache], env).entryPoints, `epi --cache ${cache}`);
    });
  }

  test('library API (pythonEnvironment)', async (t) => {
    assertSame(t, expected, await apiEntryPoints(PYTHON, 'scan', cacheDir), 'pythonEnvironment({ cache: "scan" })');
    assertSame(t, expected, await apiEntryPoints(PYTHON, 'prefer', cacheDir), 'pythonEnvironment({ cache: "prefer" })');
  });

  test("nothing was written into the interpreter's directories", () => {
    assert.deepEqual(guard(), []);
  });
});

describe('conformance: a fixture venv with every installation layout', () => {
  let venv: FixtureVenv;
  let cacheDir: string;
  let env: NodeJS.ProcessEnv;
  let expected: Quad[];
  let guard: () => string[];
  let dir: string;

  before(async () => {
    dir = tempDir('epindex-conformance-venv-');
    venv = buildFixtureVenv(dir);
    cacheDir = tempDir('epindex-conformance-cache-');
    env = childEnv({ cacheDir });
    expected = importlibEntryPoints(venv.python, env).entryPoints;
    guard = inDirCacheGuard((await pythonEnvironment({ python: venv.python, cache: 'scan', userCacheDir: cacheDir })).searchPath, [dir, cacheDir]);
  });
  after(() => guard?.());

  test('importlib.metadata sees every layout of the fixture (the comparison is not vacuous)', () => {
    const has = (q: readonly [string, string, string], dist: string): boolean => expected.some((e) => e[0] === dist && e[1] === q[0] && e[2] === q[1] && e[3] === q[2]);
    for (const d of fixtureDists(venv)) {
      if (d.present) assert.ok(has(d.present, d.dist), `${d.layout}: ${formatQuad([d.dist, ...d.present])} missing from importlib.metadata's answer`);
      if (d.absent) assert.ok(!has(d.absent, d.dist), `${d.layout}: ${formatQuad([d.dist, ...d.absent])} (a shadowed copy) in importlib.metadata's answer`);
    }
    if (venv.hasPip) assert.ok(expected.some((e) => e[0] === 'pip' && e[1] === 'console_scripts'), 'pip installed into the venv but has no console_scripts');
  });

  test('epi list --json --cache scan', (t) => {
    const got = epiEntryPoints(venv.python, ['--cache', 'scan'], env);
    assertSame(t, expected, got.entryPoints, 'epi --cache scan');
    // Each fixture distribution was found where its layout puts it.
    for (const d of fixtureDists(venv)) {
      const paths = new Set(got.json.entryPoints.filter((e) => e.dist?.normalizedName === d.dist).map((e) => e.dist!.metadataPath.split(path.sep).join('/')));
      assert.deepEqual([...paths].filter((p) => !p.endsWith(d.metadataPathEndsWith)), [], `${d.layout}: expected the metadata at …/${d.metadataPathEndsWith}`);
    }
  });

  test('epi list --json --cache auto: cold (writes user caches), then warm (reads them); `cache rebuild` then writes in-directory caches', (t) => {
    const caches = [venv.sitePackages, venv.editableSrc, venv.legacyProject, path.join(venv.sitePackages, `bar-1.0-py${venv.pyVersion}.egg`)].map((p) => path.join(p, IN_DIR_CACHE));
    for (const c of caches) assert.ok(!fs.existsSync(c), `${c} exists before the cold run`);

    assertSame(t, expected, epiEntryPoints(venv.python, ['--cache', 'auto'], env).entryPoints, 'epi --cache auto (cold)');
    for (const c of caches) assert.ok(!fs.existsSync(c), `a lookup never creates an in-directory cache (${c})`);
    const userCaches = fs.readdirSync(path.join(cacheDir, 'entry-points.v4'));
    assert.ok(userCaches.length >= 4, 'the cold run wrote the user caches');
    assertSame(t, expected, epiEntryPoints(venv.python, ['--cache', 'only'], env).entryPoints, 'epi --cache only (warm, user caches)');

    const rebuilt = spawnSync(process.execPath, [EPI_MAIN, 'cache', 'rebuild', '--quiet', '--python', venv.python], { encoding: 'utf8', env });
    assert.equal(rebuilt.status, 0, rebuilt.stderr);
    for (const c of caches.slice(0, 2)) assert.ok(fs.existsSync(c), `cache rebuild wrote ${c}`);

    // The caches just written are fresh for the directories that hold distributions.
    const status = spawnSync(process.execPath, [EPI_MAIN, 'cache', 'status', '--json', '--python', venv.python], { encoding: 'utf8', env });
    assert.equal(status.status, 0, status.stderr);
    const entries = (JSON.parse(status.stdout) as { entries: Array<{ pathEntry: string; state: string }> }).entries;
    for (const p of [venv.sitePackages, venv.editableSrc, venv.legacyProject]) {
      assert.equal(entries.find((e) => e.pathEntry === p)?.state, 'fresh', `cache status of ${p}`);
    }

    assertSame(t, expected, epiEntryPoints(venv.python, ['--cache', 'auto'], env).entryPoints, 'epi --cache auto (warm)');
    assertSame(t, expected, epiEntryPoints(venv.python, ['--cache', 'prefer'], env).entryPoints, 'epi --cache prefer (warm)');
  });

  test('library API (pythonEnvironment)', async (t) => {
    assertSame(t, expected, await apiEntryPoints(venv.python, 'scan', cacheDir), 'pythonEnvironment({ cache: "scan" })');
    assertSame(t, expected, await apiEntryPoints(venv.python, 'auto', cacheDir), 'pythonEnvironment({ cache: "auto" })');

    // The layouts without entry points were found too, and the shadowed copies are reported.
    const report = await (await pythonEnvironment({ python: venv.python, cache: 'scan', userCacheDir: cacheDir })).distributions();
    const layoutOf = (name: string): string | undefined => report.distributions.find((d) => d.normalizedName === name)?.layout;
    assert.equal(layoutOf('distutils-only'), 'egg-info-file');
    assert.equal(layoutOf('delta'), 'dist-info');
    assert.equal(layoutOf('bar'), 'egg');
    assert.equal(layoutOf('baz'), 'egg');
    assert.equal(layoutOf('oldstyle'), 'egg-info');
    assert.equal(layoutOf('legacy-dev'), 'egg-info');
    const shadowed = report.shadowed.map((s) => `${s.distribution.normalizedName} ${s.distribution.version} ${s.distribution.layout} by ${s.by.version} ${s.by.layout}`).sort();
    assert.deepEqual(shadowed, ['bar 0.9 dist-info by 1.0 egg', 'editable-proj 0.0.9 egg-info by 0.1 dist-info']);
  });

  test("nothing was written into the base interpreter's directories", () => {
    assert.deepEqual(guard(), []);
  });
});

test("epi list --json names every entry point's distribution as importlib's ep.dist.name does, on the machine's python3 (its METADATA Name, not the directory stem)", () => {
  const script = [
    'import importlib.metadata as m, json, warnings',
    'warnings.simplefilter("ignore")',
    'eps = m.entry_points()',
    'items = [e for v in eps.values() for e in v] if isinstance(eps, dict) else list(eps)',
    'print(json.dumps([[ep.group, ep.name, ep.value, ep.dist.name] for ep in items]))',
  ].join('\n');
  const py = spawnSync(PYTHON, ['-c', script], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  assert.equal(py.status, 0, py.stderr);
  const epi = spawnSync(process.execPath, [EPI_MAIN, 'list', '--json', '--python', PYTHON, '--cache', 'scan'], { encoding: 'utf8', env: childEnv(), maxBuffer: 256 * 1024 * 1024 });
  assert.equal(epi.status, 0, epi.stderr);
  const key = (q: readonly string[]): string => JSON.stringify(q);
  const theirs = (JSON.parse(py.stdout) as string[][]).map(key).sort();
  const ours = (JSON.parse(epi.stdout) as { entryPoints: Array<{ group: string; name: string; value: string; dist: { name: string } }> }).entryPoints.map((e) => key([e.group, e.name, e.value, e.dist.name])).sort();
  assert.ok(theirs.length > 0, 'the machine has entry points to compare');
  assert.deepEqual(ours, theirs);
});
