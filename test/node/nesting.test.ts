/**
 * Issue 17, C1: a package.json nested deeper than LIMITS.nestingDepth (docs/spec.md §10) is
 * EP713 naming the file — the package declares nothing — and every other package still
 * answers; never "Maximum call stack size exceeded" (exit 70). The same limit for the other
 * user documents read as JSON or TOML (pyproject.toml).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { parsePackageJson } from '../../src/format/package-json.js';
import { readPyproject } from '../../src/build/pyproject.js';
import { LIMITS } from '../../src/limits.js';
import { epi } from '../support/cli.js';
import { tempDir } from '../support/fixtures.js';

const nested = (depth: number, open = '[', close = ']'): string => open.repeat(depth) + close.repeat(depth);

interface Listed {
  entryPoints: { name: string; package: { key: string } }[];
  diagnostics: { code: string; file?: string }[];
}

test('C1: a 100,000-deep package.json under node_modules: EP713 naming it, the other packages answer (list --node, lint, every policy)', () => {
  const project = tempDir('epindex-c1-');
  const nm = path.join(project, 'node_modules');
  const deepDir = path.join(nm, 'deep');
  fs.mkdirSync(deepDir, { recursive: true });
  const deep = path.join(deepDir, 'package.json');
  // Deep inside the declaration itself, where a diagnostic makes jsonc-parser walk the tree.
  fs.writeFileSync(deep, `{"name":"deep","plugin-entry-points":{"c1.g":{"a":${nested(100_000)}}}}`);
  fs.mkdirSync(path.join(nm, 'good'));
  fs.writeFileSync(path.join(nm, 'good', 'package.json'), JSON.stringify({ name: 'good', version: '1.0.0', 'plugin-entry-points': { 'c1.g': { b: './b.js:b' } } }));
  const env = { EPINDEX_CACHE_DIR: path.join(project, '.cache'), NODE_PATH: '' };
  for (const cache of ['scan', 'auto', 'auto', 'only']) {
    const r = epi(['list', '--node', project, '--json', '--cache', cache], env);
    assert.equal(r.status, 0, `${cache}: ${r.stderr}`);
    const j = JSON.parse(r.stdout) as Listed;
    assert.deepEqual(j.entryPoints.map((e) => [e.package.key, e.name]), [['good', 'b']], cache);
    assert.deepEqual(j.diagnostics.filter((d) => d.code === 'EP713').map((d) => d.file), [deep], cache);
  }
  const lint = epi(['lint', deep, '--format', 'json'], env);
  assert.equal(lint.status, 1, lint.stderr);
  assert.doesNotMatch(lint.stderr, /internal error|call stack/);
  assert.match(lint.stdout, /EP713/);
});

test('C1: the nesting limit is exact, counts objects and arrays, and ignores brackets inside strings', () => {
  const at = LIMITS.nestingDepth;
  const doc = (inner: string): string => `{"name":"x","plugin-entry-points":{"g":{"a":${inner}}}}`;
  // The document's own three levels count.
  const codes = (text: string): string[] => parsePackageJson(text).diagnostics.map((d) => d.code);
  assert.deepEqual(codes(doc(nested(at - 3))), ['EP708'], 'at the limit: read (the target is not a string)');
  assert.deepEqual(codes(doc(nested(at - 2))), ['EP713'], 'one over');
  assert.deepEqual(codes(doc(nested(at - 2, '{"k":', '}').replace(/}$/, '1}'))).slice(0, 1), ['EP713'], 'objects count as well');
  assert.deepEqual(codes(doc(JSON.stringify('['.repeat(at * 2)))), ['EP709'], 'brackets in a string are text');
  const r = parsePackageJson(doc(nested(100_000)), { file: '/p/package.json' });
  assert.equal(r.declares, false);
  assert.deepEqual(r.entries, []);
  assert.deepEqual(r.diagnostics.map((d) => [d.code, d.file, d.line]), [['EP713', '/p/package.json', 1]]);
});

test('C1: a pyproject.toml nested deeper than the limit is EP660, never a crash', () => {
  const dir = tempDir('epindex-c1t-');
  const file = path.join(dir, 'pyproject.toml');
  fs.writeFileSync(file, `[project]\nname = "x"\n[project.scripts]\na = "m:f"\n[tool.x]\nv = ${nested(100_000)}\n`);
  const d = readPyproject(file);
  assert.deepEqual(d.findings.map((f) => f.code), ['EP660']);
  assert.match(d.findings[0]!.message, /nested/);
  fs.writeFileSync(file, `[project]\nname = "x"\n[project.scripts]\na = "m:f"\n[tool.x]\nv = ${nested(LIMITS.nestingDepth - 2)}\n`);
  assert.deepEqual(readPyproject(file).findings.map((f) => f.code), [], 'within the limit: read');
});
