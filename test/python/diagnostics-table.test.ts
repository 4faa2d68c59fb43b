/**
 * The Python package's severity table (python/src/epindex/_diagnostics.py `SEVERITY`) is the
 * TypeScript one (src/diagnostics.ts `DIAGNOSTIC_CODES`): the same codes, in the same order,
 * with the same severities. A code added on one side only fails here, so a cache holding a
 * code the TypeScript writer emits can always be read by the Python reader (docs/spec.md §7).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { DIAGNOSTIC_CODES } from '../../src/diagnostics.js';
import { PYTHON } from '../support/python.js';
import { PYTHON_SRC } from './interpreters.js';

function pythonTable(): [string, string][] {
  const code = 'import json; from epindex._diagnostics import SEVERITY; print(json.dumps(list(SEVERITY.items())))';
  const env = { ...process.env, PYTHONPATH: PYTHON_SRC, PYTHONDONTWRITEBYTECODE: '1' };
  const r = spawnSync(PYTHON, ['-c', code], { encoding: 'utf8', env });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as [string, string][];
}

test('the Python SEVERITY table has every code of DIAGNOSTIC_CODES, in order, with its severity', () => {
  const ts = Object.entries(DIAGNOSTIC_CODES).map(([c, [severity]]) => [c, severity]);
  const py = pythonTable();
  assert.ok(ts.length > 50, `DIAGNOSTIC_CODES has ${ts.length} codes`);
  const onlyTs = ts.filter(([c]) => !py.some(([p]) => p === c)).map(([c]) => c);
  const onlyPy = py.filter(([c]) => !ts.some(([t]) => t === c)).map(([c]) => c);
  assert.deepEqual({ onlyTs, onlyPy }, { onlyTs: [], onlyPy: [] }, 'codes on one side only');
  assert.deepEqual(py, ts);
});
