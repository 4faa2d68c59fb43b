/**
 * Conformance of the Python reader on real environments, on every CPython the machine has:
 * `epindex.entry_points()` under every policy (cold, then warm caches) and the accelerated
 * `importlib.metadata.entry_points()` equal the unpatched importlib.metadata, as sequences,
 * on the interpreter's own sys.path and on a fixture venv holding every installation layout
 * (editable installs, egg-info, eggs, a zipped egg on the path, a shadowed distribution; see
 * test/support/venv.ts). The comparison runs in python/tests/conformance_probe.py.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../support/fixtures.js';
import { buildFixtureVenv } from '../support/venv.js';
import { interpreters, PYTHON_PACKAGE, PYTHON_SRC, type Interpreter } from './interpreters.js';

const PROBE = path.join(PYTHON_PACKAGE, 'tests', 'conformance_probe.py');
const ACCEL_PROBE = path.join(PYTHON_PACKAGE, 'tests', 'accel_probe.py');

interface ProbeResult { python: string; entryPoints: number; groups: number; compared: number; differ: unknown[] }
interface AccelStats { answered: number; fell_back: number; reasons: Record<string, number> }

function probe(python: string, cacheDir: string, cwd: string): Promise<ProbeResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, PYTHONPATH: PYTHON_SRC, EPINDEX_CACHE_DIR: cacheDir };
  for (const k of ['EPINDEX_CACHE', 'EPINDEX_FRESHNESS', 'VIRTUAL_ENV']) delete env[k];
  return new Promise((resolve, reject) => {
    const child = spawn(python, [PROBE, PYTHON_SRC], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as ProbeResult) : reject(new Error(`${python} probe exited ${code}: ${err}`))));
  });
}

/**
 * Everything a host asks importlib.metadata (accel_probe.py: distributions() and each one's
 * entry points, name, version, metadata; entry_points() of every group; version() and
 * distribution() of every name) in `python`'s environment, accelerated and with the accelerator
 * off: the two answers must be equal. Returns the accelerated run's statistics.
 */
function acceleratedEqualsPlain(python: string, cacheDir: string, cwd: string, what: string): { stats: AccelStats; dists: number } {
  const run = (accelerate: '0' | '1'): Record<string, unknown> => {
    const env: NodeJS.ProcessEnv = { ...process.env, EPINDEX_CACHE_DIR: cacheDir, EPINDEX_ACCELERATE: accelerate };
    for (const k of ['EPINDEX_CACHE', 'EPINDEX_FRESHNESS', 'VIRTUAL_ENV', 'PYTHONPATH']) delete env[k];
    const r = spawnSync(python, [ACCEL_PROBE, JSON.stringify({ all: true })], { env, cwd, encoding: 'utf8', timeout: 300_000, maxBuffer: 256 * 1024 * 1024 });
    assert.equal(r.status, 0, `${what}: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /EP803/, what);
    return JSON.parse(r.stdout) as Record<string, unknown>;
  };
  const plain = run('0');
  for (const round of ['cold', 'warm']) {
    const acc = run('1');
    const stats = acc['stats'] as AccelStats;
    delete acc['stats'];
    for (const key of Object.keys(plain)) assert.deepEqual(acc[key], plain[key], `${what} (${round}): ${key} differs`);
    if (round === 'warm') return { stats, dists: (plain['distributions'] as unknown[]).length };
  }
  throw new Error('unreachable');
}

function accelerate(python: string): void {
  const r = spawnSync(python, ['-m', 'epindex', 'accelerate'], { env: { ...process.env, PYTHONPATH: PYTHON_SRC }, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
}

async function onInterpreter(p: Interpreter): Promise<string[]> {
  const dir = tempDir('epindex-pyconf-');
  const cacheDir = path.join(dir, 'cache');
  const cwd = fs.mkdirSync(path.join(dir, 'cwd'), { recursive: true }) ?? path.join(dir, 'cwd');
  const lines: string[] = [];
  const check = (what: string, r: ProbeResult): void => {
    lines.push(`CPython ${r.python} ${what}: ${r.entryPoints} entry points in ${r.groups} groups, ${r.compared} comparisons, ${r.differ.length} differ`);
    assert.ok(r.entryPoints > 0, `${what}: nothing to compare`);
    assert.deepEqual(r.differ, [], `${what} on ${p.version}: ${JSON.stringify(r.differ, null, 1).slice(0, 4000)}`);
  };
  check("own sys.path", await probe(p.executable, cacheDir, cwd));
  const venv = buildFixtureVenv(path.join(dir, 'fixture'), p.executable);
  check('fixture venv', await probe(venv.python, cacheDir, cwd));
  if (p.versionInfo[1] >= 10) {
    const srcPth = (python: string): void => {
      // The accelerator's hook imports epindex from the environment itself: give it the source.
      const site = spawnSync(python, ['-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])'], { encoding: 'utf8' }).stdout.trim();
      fs.writeFileSync(path.join(site, 'epindex-src.pth'), PYTHON_SRC + '\n');
    };
    srcPth(venv.python);
    accelerate(venv.python);
    const fixture = acceleratedEqualsPlain(venv.python, cacheDir, cwd, `fixture venv on ${p.version}`);
    lines.push(`CPython ${p.version} fixture venv, accelerated: ${fixture.dists} distributions, every answer equal; ${JSON.stringify(fixture.stats)}`);
    assert.ok(fixture.stats.answered > 0, 'the accelerator answered nothing');
    // The interpreter's own site-packages, through a venv that sees them.
    const own = path.join(dir, 'system-site');
    const made = spawnSync(p.executable, ['-m', 'venv', '--without-pip', '--system-site-packages', own], { encoding: 'utf8' });
    assert.equal(made.status, 0, made.stderr);
    const python = path.join(own, 'bin', 'python');
    srcPth(python);
    accelerate(python);
    const site = acceleratedEqualsPlain(python, cacheDir, cwd, `the site-packages of ${p.version}`);
    lines.push(`CPython ${p.version} own site-packages, accelerated: ${site.dists} distributions, every answer equal; ${JSON.stringify(site.stats)}`);
  }
  return lines;
}

test('the Python reader and the accelerator equal importlib.metadata on every CPython the machine has', async (t) => {
  const pythons = interpreters();
  const results: string[][] = [];
  let next = 0;
  await Promise.all([0, 1].map(async () => {
    while (next < pythons.length) {
      const i = next++;
      results[i] = await onInterpreter(pythons[i]!);
    }
  }));
  for (const r of results) for (const line of r) t.diagnostic(line);
  t.diagnostic(`ran on: ${pythons.map((p) => p.version).join(', ')}`);
});
