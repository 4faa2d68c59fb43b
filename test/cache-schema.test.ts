/** The cache files epindex writes conform to the committed JSON Schema (schema/cache-v2.schema.json). */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { zipSync } from 'fflate';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { buildCache } from '../src/cache/store.js';
import { distInfo, tempDir, writeTree } from './support/fixtures.js';

const schemaPath = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../schema/cache-v2.schema.json');
const schema = JSON.parse(fs.readFileSync(schemaPath, 'utf8')) as { $id: string };
const ajv = new Ajv2020({ allErrors: true, strict: true });
ajv.addSchema(schema);
const validator = (ref: string) => ajv.getSchema(`${schema.$id}${ref}`)!;
const te = new TextEncoder();

/** Check every line of a cache file against its definition; returns the header and the sections by name. */
function validateFile(file: string): { header: Record<string, unknown>; sections: Map<string, unknown> } {
  const bytes = fs.readFileSync(file);
  const nl = bytes.indexOf(0x0a);
  const header = JSON.parse(bytes.toString('utf8', 0, nl)) as { sections: Record<string, [number, number, string]> } & Record<string, unknown>;
  const check = validator('');
  assert.ok(check(header), JSON.stringify(check.errors, null, 2));
  const sections = new Map<string, unknown>();
  for (const [name, [offset, length]] of Object.entries(header.sections)) {
    const value: unknown = JSON.parse(bytes.toString('utf8', nl + 1 + offset, nl + offset + length));
    const def = name.startsWith('group:') ? 'group' : name;
    const v = validator(`#/$defs/${def}`);
    assert.ok(v(value), `${name}: ${JSON.stringify(v.errors, null, 2)}`);
    sections.set(name, value);
  }
  return { header, sections };
}

test('a directory cache with every kind of record validates against the schema, line by line', () => {
  const dir = writeTree(tempDir(), {
    ...distInfo('a', '1.0', '[g]\nx = m:f [e]\n[bad-group]\n; c\nnoeq\ny = n:g\n'),
    ...distInfo('leftover', '0.1', undefined, { metadata: false }),
    'dev.egg-info': { 'PKG-INFO': 'Name: dev\nVersion: 2\n', 'entry_points.txt': '[g]\nd = dev:main\n' },
    'old-1.0.egg-info': 'Name: old\nVersion: 1.0\n',
    'file-1.0.dist-info': 'not a directory',
  });
  const r = buildCache(dir, { userCacheDir: tempDir() });
  assert.equal(r.outcome, 'written');
  const { header, sections } = validateFile(r.file!);
  assert.equal(header['distributions'], 4);
  assert.deepEqual([...sections.keys()].sort(), ['diagnostics', 'dists', 'group:bad-group', 'group:g', 'listing', 'stamps']);
  assert.equal((sections.get('group:g') as unknown[]).length, 2);
});

test('a zip cache validates against the schema', () => {
  const root = tempDir();
  const zip = path.join(root, 'baz-2.0-py3.11.egg');
  fs.writeFileSync(zip, zipSync({ 'EGG-INFO/PKG-INFO': te.encode('Name: baz\nVersion: 2.0\n'), 'EGG-INFO/entry_points.txt': te.encode('[g]\nz = baz:main\n') }));
  const r = buildCache(zip, { userCacheDir: tempDir() });
  assert.equal(r.outcome, 'written');
  const { header } = validateFile(r.file!);
  assert.equal(header['kind'], 'zip');
});

test('the schema rejects what the reader rejects: a foreign version, a missing checksum, a float stamp', () => {
  const dir = writeTree(tempDir(), distInfo('a', '1.0', '[g]\nx = m:f\n'));
  const r = buildCache(dir, { userCacheDir: tempDir() });
  const { header } = validateFile(r.file!);
  const check = validator('');
  assert.equal(check({ ...header, version: 1 }), false);
  const { sha256: _, ...noSum } = header;
  assert.equal(check(noSum), false);
  assert.equal(check({ ...header, stamp: ['1', '2', '1.5e9', '3'] }), false);
});
