/**
 * The Python package's own tests (python/tests, unittest) on every CPython the machine has,
 * one process per interpreter, two at a time: reader and tree vectors, cache freshness and
 * integrity, policies, host helpers, check, the accelerator with CPython's own
 * importlib.metadata suites, the wheel build (every interpreter) with offline installs (the newest
 * interpreter) and the backport importlib_metadata's own suite with the accelerator (newest). The output names the versions the tests ran on.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { interpreters, PYTHON_PACKAGE, type Interpreter } from './interpreters.js';

interface Outcome {
  readonly code: number | null;
  readonly output: string;
  readonly seconds: number;
}

function runSuite(python: Interpreter, build: boolean, backport: boolean): Promise<Outcome> {
  const started = Date.now();
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'epindex-pytest-cache-'));
  const env: NodeJS.ProcessEnv = { ...process.env, EPINDEX_CACHE_DIR: cacheDir, PYTHONDONTWRITEBYTECODE: '1', PYTHONWARNINGS: 'error::ResourceWarning' };
  for (const k of ['EPINDEX_CACHE', 'EPINDEX_FRESHNESS', 'PYTHONPATH', 'VIRTUAL_ENV', 'EPINDEX_ACCELERATE']) delete env[k];
  if (build) env['EPINDEX_TEST_BUILD'] = '1';
  if (backport) env['EPINDEX_TEST_BACKPORT'] = '1';
  return new Promise((resolve) => {
    const child = spawn(python.executable, ['-m', 'unittest', 'discover', '-s', 'tests', '-t', 'tests'], { cwd: PYTHON_PACKAGE, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (b: Buffer) => (output += b.toString()));
    child.stderr.on('data', (b: Buffer) => (output += b.toString()));
    child.on('close', (code) => {
      fs.rmSync(cacheDir, { recursive: true, force: true });
      resolve({ code, output, seconds: (Date.now() - started) / 1000 });
    });
  });
}

/** At most `n` promises at a time, results in order. */
async function pool<T, R>(items: readonly T[], n: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  }));
  return out;
}

test('the Python package passes its tests on every CPython the machine has', async (t) => {
  const pythons = interpreters();
  assert.ok(pythons.length > 0, 'no CPython 3.9+ found (pyenv versions or python3)');
  const last = pythons.length - 1;
  // Offline installs with pip, and the backport's and pytest's suites (venvs from PyPI, cached
  // under the temp directory), on the newest interpreter.
  const outcomes = await pool(pythons, 2, (p) => runSuite(p, p === pythons[last], p === pythons[last]));
  const failed: string[] = [];
  outcomes.forEach((o, i) => {
    const p = pythons[i]!;
    const ran = /Ran (\d+) tests?/.exec(o.output)?.[1] ?? '0';
    const skipped = /skipped=(\d+)/.exec(o.output)?.[1] ?? '0';
    t.diagnostic(`CPython ${p.version} (${p.executable}): ${ran} tests, ${skipped} skipped, ${o.seconds.toFixed(1)} s, exit ${o.code}`);
    if (o.code !== 0 || ran === '0') failed.push(`CPython ${p.version}:\n${o.output.slice(-6000)}`);
  });
  t.diagnostic(`ran on: ${pythons.map((p) => p.version).join(', ')}`);
  process.stdout.write(`# Python tests ran on CPython ${pythons.map((p) => p.version).join(', ')}\n`);
  assert.deepEqual(failed, [], failed.join('\n\n'));
});
