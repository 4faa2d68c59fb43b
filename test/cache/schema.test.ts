/** The cache files epindex writes conform to the committed JSON Schema (schema/cache-v4.schema.json), line by line. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { zipSync } from 'fflate';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { distInfo, tempDir, writeTree } from '../support/fixtures.js';
import { buildCache, resign } from './helpers.js';

const schemaPath = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../schema/cache-v4.schema.json');
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
  assert.deepEqual([...sections.keys()].sort(), ['checks', 'diagnostics', 'dists', 'full', 'g:bad-group', 'g:g', 'importlib', 'listing', 'names']);
  const g = sections.get('g:g') as { dists: Record<string, unknown[]>; eps: { name: string[]; ref: unknown[] } };
  assert.equal(g.eps.name.length, 4, "the winners' entry points only (a 1.0's and dev's)");
  const refs = new Map(g.eps.name.map((n, j) => [n, g.eps.ref[j]]));
  assert.deepEqual(refs.get('x'), ['m', 'f', ['e']], 'a parsed reference with extras: module, attribute, extras');
  assert.equal(refs.get('y'), 0, 'a canonical reference (module:attr, exactly the value) is stored as 0');
  assert.equal(typeof refs.get('z'), 'string', 'an invalid reference is stored as why it is invalid');
  assert.ok(!refs.has('old'), 'the losing a 0.5 contributes no entry point');

  // The importlib section: every candidate in importlib's order, every unit's entry points.
  const il = sections.get('importlib') as { child: string[]; key: (string | null)[]; unit: number[]; name: (string | null)[]; version: (string | null)[];
    start: number[]; groups: string[]; group: number[]; epName: string[] };
  const dists = sections.get('dists') as { child: string[] };
  assert.deepEqual([...il.child].sort(), ['a-0.5.dist-info', 'a-1.0.dist-info', 'dev.egg-info', 'file-1.0.dist-info', 'leftover-0.1.dist-info', 'old-1.0.egg-info']);
  const at = (child: string): number => il.child.indexOf(child);
  assert.equal(Math.abs(at('a-0.5.dist-info') - at('a-1.0.dist-info')), 1, 'the candidates of one key come together, as importlib groups them');
  assert.equal(il.key[at('a-1.0.dist-info')], 'a');
  assert.equal(il.unit[at('file-1.0.dist-info')], -1, 'a .dist-info file is a candidate to importlib, no distribution to epindex');
  const unit = (child: string): number => dists.child.indexOf(child);
  assert.equal(il.unit[at('a-0.5.dist-info')], unit('a-0.5.dist-info'));
  const u = unit('a-1.0.dist-info');
  assert.deepEqual(il.epName.slice(il.start[u], il.start[u + 1]), ['x', 'y', 'z', 'w'], "every entry point the file's reader keeps, in file order");
  assert.deepEqual(il.group.slice(il.start[u], il.start[u + 1]).map((g) => il.groups[g]), ['g', 'g', 'g', 'bad-group']);
  const lost = unit('a-0.5.dist-info');
  assert.deepEqual(il.epName.slice(il.start[lost], il.start[lost + 1]), ['old'], "a losing candidate's entry points are there too");
  assert.deepEqual([il.name[u], il.version[u]], ['a', '1.0'], 'Name and Version as importlib reads them');
  const left = unit('leftover-0.1.dist-info');
  assert.deepEqual([il.name[left], il.version[left]], [null, null], 'a leftover has no metadata: unknown');
  assert.deepEqual([il.name[unit('old-1.0.egg-info')], il.version[unit('old-1.0.egg-info')]], ['old', '1.0'], 'an egg-info file is its own metadata');
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
