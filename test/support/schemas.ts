/** The CLI's JSON Schemas (schema/cli/, docs/spec.md §8.4), loaded once into a strict ajv. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';

export const SCHEMA_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../schema/cli');

/** Every schema file's name without `.schema.json` (definitions included). */
export const SCHEMA_NAMES: readonly string[] = fs.readdirSync(SCHEMA_DIR).filter((f) => f.endsWith('.schema.json')).map((f) => f.slice(0, -'.schema.json'.length)).sort();

const ajv = new Ajv2020({ allErrors: true, strict: true });
for (const n of SCHEMA_NAMES) ajv.addSchema(JSON.parse(fs.readFileSync(path.join(SCHEMA_DIR, `${n}.schema.json`), 'utf8')) as object);

/** Whether `value` is valid against schema/cli/`name`.schema.json (the schema must exist). */
export function isValid(name: string, value: unknown): boolean {
  const v = ajv.getSchema(`https://epindex.dev/schema/cli/${name}.schema.json`);
  assert.ok(v, `schema ${name}`);
  return v(value) as boolean;
}

/** Assert that `value` is valid against schema/cli/`name`.schema.json, with ajv's errors when not. */
export function validate(name: string, value: unknown): void {
  const v = ajv.getSchema(`https://epindex.dev/schema/cli/${name}.schema.json`);
  assert.ok(v, `schema ${name}`);
  assert.ok(v(value), `${name}: ${JSON.stringify(v.errors, null, 2)}`);
}
