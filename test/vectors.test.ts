/**
 * The shared vectors (test/vectors/*.json), which python/tests/test_vectors.py reads too, so
 * the TypeScript and the Python readers cannot drift: the reader rules, and directory trees
 * with what a lookup must return under every policy.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { CACHE_VERSION } from '../src/cache/format.js';
import { candidateLayout, splitStem } from '../src/python/discover.js';
import { normalizeName, parseEntryPointsTxt, pythonEnvironment, type CachePolicy } from '../src/index.js';
import { tempDir } from './support/fixtures.js';
import { zipSync } from 'fflate';

const VECTORS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../test/vectors');
const load = <T>(name: string): T[] => (JSON.parse(fs.readFileSync(path.join(VECTORS, name), 'utf8')) as { vectors: T[] }).vectors;
const bytes = (v: string | { base64: string }): Uint8Array => (typeof v === 'string' ? new TextEncoder().encode(v) : new Uint8Array(Buffer.from(v.base64, 'base64')));

interface ReaderVector { rule: string; text?: string; base64?: string; entries: [string, string, string, number][]; codes: [string, number][] }
interface TreeVector {
  rule: string;
  files: Record<string, string | { base64: string }>;
  path: string[];
  entryPoints: [number, string, string, string, string][];
  distributions: [string, string | null][];
  codes: string[];
  importlibAgrees: boolean;
  since?: number;
  symlinks?: Record<string, string>;
  zips?: Record<string, Record<string, string | { base64: string }>>;
}

describe('shared vectors: entry_points.txt reader', () => {
  for (const v of load<ReaderVector>('reader.json')) {
    test(v.rule, () => {
      const r = parseEntryPointsTxt(v.base64 !== undefined ? bytes({ base64: v.base64 }) : bytes(v.text!));
      assert.deepEqual(r.entries.map((e) => [e.group, e.name, e.value, e.line]), v.entries);
      assert.deepEqual(r.diagnostics.map((d) => [d.code, d.line]), v.codes);
    });
  }
});

function build(root: string, v: TreeVector): string[] {
  for (const [rel, value] of Object.entries(v.files)) {
    const p = path.join(root, ...rel.split('/'));
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, bytes(value));
  }
  for (const [link, target] of Object.entries(v.symlinks ?? {})) fs.symlinkSync(path.join(root, target), path.join(root, link));
  for (const [name, files] of Object.entries(v.zips ?? {})) {
    fs.writeFileSync(path.join(root, name), zipSync(Object.fromEntries(Object.entries(files).map(([k, x]) => [k, bytes(x)]))));
  }
  for (const rel of v.path) if (rel !== 'nowhere' && !fs.existsSync(path.join(root, rel))) fs.mkdirSync(path.join(root, rel), { recursive: true });
  return v.path.map((p) => path.join(root, p));
}

/** The raw readdir order, os.listdir's (fs.readdirSync sorts: libuv's scandir). */
function rawListing(dir: string): string[] {
  const d = fs.opendirSync(dir);
  const out: string[] = [];
  try {
    for (let e = d.readSync(); e !== null; e = d.readSync()) out.push(e.name);
  } finally {
    d.closeSync();
  }
  return out;
}

/** Expectations within one path entry follow its listing order (os.listdir's), as importlib's do. */
function listingPosition(entry: string, dist: string): number {
  let names: string[];
  try {
    names = rawListing(entry);
  } catch {
    return 0;
  }
  const isEgg = entry.toLowerCase().endsWith('.egg');
  return Math.max(0, names.findIndex((child) => {
    const layout = candidateLayout(child, isEgg);
    if (layout === 'egg') return true;
    if (layout === null) return false;
    return normalizeName(splitStem(child.slice(0, child.lastIndexOf('.'))).name) === normalizeName(dist);
  }));
}

describe('shared vectors: directory trees', () => {
  for (const v of load<TreeVector>('trees.json')) {
    // Vectors of rules that arrive with the v3 cache (names from METADATA, listing order) run
    // once the TypeScript side is on v3.
    const pending = (v.since ?? 0) > CACHE_VERSION;
    test(v.rule, { skip: pending ? `needs the v${v.since} rules (the TypeScript side is on v${CACHE_VERSION})` : false }, async () => {
      const root = tempDir('epindex-vectors-');
      const searchPath = build(root, v);
      const userCacheDir = path.join(root, '.user-cache');
      const expected = [...v.entryPoints].sort((a, b) => a[0] - b[0] || listingPosition(searchPath[a[0]]!, a[1]) - listingPosition(searchPath[b[0]]!, b[1]));
      for (const cache of ['scan', 'auto', 'auto', 'prefer', 'only', 'fallback'] as CachePolicy[]) {
        const env = await pythonEnvironment({ path: searchPath, cache, userCacheDir });
        const got = (await env.entryPoints()).toArray().map((e) => [searchPath.indexOf(e.dist!.pathEntry), e.dist!.name, e.group, e.name, e.value]);
        assert.deepEqual(got, expected, cache);
      }
      const env = await pythonEnvironment({ path: searchPath, cache: 'scan' });
      const dists = (await env.distributions()).distributions.map((d) => [d.name, d.version]).sort();
      assert.deepEqual(dists, [...v.distributions].sort());
      const diagnosed = await env.diagnose();
      // EP219 is the environment's word about a given path entry that does not exist (docs/spec.md §4.4), not the tree's: one for each.
      assert.deepEqual(diagnosed.filter((d) => d.code === 'EP219').map((d) => d.file), searchPath.filter((p) => !fs.existsSync(p)));
      assert.deepEqual([...new Set(diagnosed.filter((d) => d.code !== 'EP219').map((d) => d.code))].sort(), [...v.codes].sort());
    });
  }
});
