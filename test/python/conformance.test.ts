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

interface ProbeResult { python: string; entryPoints: number; groups: number; compared: number; differ: unknown[]; accelerator?: { answered: number; fell_back: number } }

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

async function onInterpreter(p: Interpreter): Promise<string[]> {
  const dir = tempDir('epindex-pyconf-');
  const cacheDir = path.join(dir, 'cache');
  const cwd = fs.mkdirSync(path.join(dir, 'cwd'), { recursive: true }) ?? path.join(dir, 'cwd');
  const lines: string[] = [];
  const check = (what: string, r: ProbeResult): void => {
    lines.push(`CPython ${r.python} ${what}: ${r.entryPoints} entry points in ${r.groups} groups, ${r.compared} comparisons, ${r.differ.length} differ` +
      (r.accelerator ? `; accelerator answered ${r.accelerator.answered}, fell back ${r.accelerator.fell_back}` : ''));
    assert.ok(r.entryPoints > 0, `${what}: nothing to compare`);
    assert.deepEqual(r.differ, [], `${what} on ${p.version}: ${JSON.stringify(r.differ, null, 1).slice(0, 4000)}`);
  };
  check("own sys.path", await probe(p.executable, cacheDir, cwd));
  const venv = buildFixtureVenv(path.join(dir, 'fixture'), p.executable);
  check('fixture venv', await probe(venv.python, cacheDir, cwd));
  if (p.versionInfo[1] >= 10) {
    const r = spawnSync(venv.python, ['-m', 'epindex', 'accelerate'], { env: { ...process.env, PYTHONPATH: PYTHON_SRC }, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    // The accelerator's .pth imports epindex from site-packages: give the venv the source too.
    const site = spawnSync(venv.python, ['-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])'], { encoding: 'utf8' }).stdout.trim();
    fs.writeFileSync(path.join(site, 'epindex-src.pth'), PYTHON_SRC + '\n');
    const acc = await probe(venv.python, cacheDir, cwd);
    check('fixture venv, accelerated', acc);
    assert.ok(acc.accelerator !== undefined, 'the accelerator did not patch importlib.metadata');
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
