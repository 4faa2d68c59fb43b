/** The cache files epindex writes conform to the committed JSON Schema (schema/cache-v1.schema.json). */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { zipSync } from 'fflate';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { buildCache } from '../src/cache/store.js';
import { distInfo, tempDir, writeTree } from './support/fixtures.js';

const schemaPath = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../schema/cache-v1.schema.json');
const validate = new Ajv2020({ allErrors: true, strict: true }).compile(JSON.parse(fs.readFileSync(schemaPath, 'utf8')));
const te = new TextEncoder();

test('a directory cache with every kind of record validates against the schema', () => {
  const dir = writeTree(tempDir(), {
    ...distInfo('a', '1.0', '[g]\nx = m:f [e]\n[bad-group]\n; c\nnoeq\n'),
    ...distInfo('leftover', '0.1', undefined, { metadata: false }),
    'dev.egg-info': { 'PKG-INFO': 'Name: dev\nVersion: 2\n', 'entry_points.txt': '[g]\nd = dev:main\n' },
    'old-1.0.egg-info': 'Name: old\nVersion: 1.0\n',
    'file-1.0.dist-info': 'not a directory',
  });
  const userCacheDir = tempDir();
  const r = buildCache(dir, { userCacheDir });
  assert.equal(r.outcome, 'written');
  const doc = JSON.parse(fs.readFileSync(r.file!, 'utf8')) as { distributions: unknown[]; diagnostics: unknown[] };
  assert.ok(validate(doc), JSON.stringify(validate.errors, null, 2));
  assert.equal(doc.distributions.length, 4);
  assert.equal(doc.diagnostics.length, 1);
});

test('a zip cache validates against the schema', () => {
  const root = tempDir();
  const zip = path.join(root, 'baz-2.0-py3.11.egg');
  fs.writeFileSync(zip, zipSync({ 'EGG-INFO/PKG-INFO': te.encode('Name: baz\nVersion: 2.0\n'), 'EGG-INFO/entry_points.txt': te.encode('[g]\nz = baz:main\n') }));
  const r = buildCache(zip, { userCacheDir: tempDir() });
  assert.equal(r.outcome, 'written');
  const doc: unknown = JSON.parse(fs.readFileSync(r.file!, 'utf8'));
  assert.ok(validate(doc), JSON.stringify(validate.errors, null, 2));
});

test('the schema rejects what the reader rejects: a foreign version, a missing checksum, a float stamp', () => {
  const dir = writeTree(tempDir(), distInfo('a', '1.0', '[g]\nx = m:f\n'));
  const r = buildCache(dir, { userCacheDir: tempDir() });
  const doc = JSON.parse(fs.readFileSync(r.file!, 'utf8')) as Record<string, unknown>;
  assert.equal(validate({ ...doc, version: 2 }), false);
  const { sha256: _, ...noSum } = doc;
  assert.equal(validate(noSum), false);
  assert.equal(validate({ ...doc, stamp: ['1', '2', '1.5e9', '3'] }), false);
});
