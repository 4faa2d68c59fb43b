/** The cache files epindex writes conform to the committed JSON Schema (schema/cache-v3.schema.json), line by line. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { zipSync } from 'fflate';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { distInfo, tempDir, writeTree } from '../support/fixtures.js';
import { buildCache, resign } from './helpers.js';

const schemaPath = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../schema/cache-v3.schema.json');
const schema = JSON.parse(fs.readFileSync(schemaPath, 'utf8')) as { $id: string };
const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
ajv.addSchema(schema);
const validator = (ref: string) => ajv.getSchema(`${schema.$id}${ref}`)!;
const te = new TextEncoder();

/** Check every line of a cache file against its definition; returns the header and the sections by name. */
function validateFile(file: string): { header: Record<string, unknown>; sections: Map<string, unknown> } {
  const bytes = fs.readFileSync(file);
  const nl = bytes.indexOf(0x0a);
  const header = JSON.parse(bytes.toString('utf8', 0, nl)) as { sections: Record<string, [number, number, number]> } & Record<string, unknown>;
  const check = validator('');
  assert.ok(check(header), JSON.stringify(check.errors, null, 2));
  const sections = new Map<string, unknown>();
  for (const [name, [offset, length]] of Object.entries(header.sections)) {
    const value: unknown = JSON.parse(bytes.toString('utf8', nl + 1 + offset, nl + offset + length));
    const def = name.startsWith('g:') ? 'group' : name;
    const v = validator(`#/$defs/${def}`);
    assert.ok(v(value), `${name}: ${JSON.stringify(v.errors, null, 2)}`);
    sections.set(name, value);
  }
  return { header, sections };
}

test('a directory cache with every kind of record validates against the schema, line by line', () => {
  const dir = writeTree(tempDir(), {
    ...distInfo('a', '1.0', '[g]\nx = m:f [e]\ny = n:g\nz = not valid\n; c\nnoeq\n[bad-group]\nw = m:f\n'),
    ...distInfo('a', '0.5', '[g]\nold = m:f\n'),
    ...distInfo('leftover', '0.1', undefined, { metadata: false }),
    'dev.egg-info': { 'PKG-INFO': 'Name: dev\nVersion: 2\n', 'entry_points.txt': '[g]\nd = dev:main\n' },
    'old-1.0.egg-info': 'Name: old\nVersion: 1.0\n',
    'file-1.0.dist-info': 'not a directory',
  });
  const r = buildCache(dir, { userCacheDir: tempDir() });
  assert.equal(r.outcome, 'written');
  const { header, sections } = validateFile(r.file!);
  assert.equal(header['distributions'], 5);
  assert.deepEqual([...sections.keys()].sort(), ['checks', 'diagnostics', 'dists', 'full', 'g:bad-group', 'g:g', 'listing', 'names']);
  const g = sections.get('g:g') as { dists: unknown[]; eps: unknown[][] };
  assert.equal(g.eps.length, 4, "the winners' entry points only (a 1.0's and dev's)");
  const refs = new Map(g.eps.map((e) => [e[1], e[4]]));
  assert.deepEqual(refs.get('x'), ['m', 'f', ['e']], 'a parsed reference: module, attribute, extras');
  assert.equal(typeof refs.get('z'), 'string', 'an invalid reference is stored as why it is invalid');
  assert.ok(!refs.has('old'), 'the losing a 0.5 contributes no entry point');
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

test('the schema rejects what the reader rejects: a foreign version, a missing checksum, a non-integer stamp', () => {
  const dir = writeTree(tempDir(), distInfo('a', '1.0', '[g]\nx = m:f\n'));
  const r = buildCache(dir, { userCacheDir: tempDir() });
  const { header } = validateFile(r.file!);
  const check = validator('');
  assert.equal(check({ ...header, version: 2 }), false);
  const { crc: _, ...noSum } = header;
  assert.equal(check(noSum), false);
  assert.equal(check({ ...header, entry: [1, 2, 1.5, 3, 4, 5] }), false);
  assert.equal(check({ ...header, entry: ['1', 2, 3, 4, 5, 6] }), false);
  // And a re-signed header the reader accepts is one the schema accepts.
  const text = fs.readFileSync(r.file!, 'utf8');
  assert.ok(check(JSON.parse(resign(text).split('\n')[0]!)));
});
