/**
 * Issue 17's property: the TypeScript and the Python cache readers, fed the same caches mutated
 * in their types, ranges, shapes, lengths and nesting (every checksum and offset recomputed, as a
 * forger would), give the same verdict — the cache accepted, or rejected with the same code —
 * and a lookup through either gives the scan's answer; never an exception, a hang or another
 * answer (docs/spec.md §5.2, "Validation"). Seeded and bounded.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { CacheFile, CacheFormatError, parseHeader } from '../../src/cache/format.js';
import { pythonEnvironment } from '../../src/environment.js';
import { distInfo, tempDir, writeTree } from '../support/fixtures.js';
import { PYTHON } from '../support/python.js';
import { PYTHON_PACKAGE, PYTHON_SRC } from '../python/interpreters.js';
import { buildCache, forge, resign } from './driver.js';
import { ep } from './helpers.js';

const RUNS = Number(process.env['EPINDEX_AGREE_RUNS'] ?? 160);
const SEED = Number(process.env['EPINDEX_AGREE_SEED'] ?? 20261204);
/** Sections both readers read (the importlib section is the Python accelerator's alone: python/tests cover it). */
const SHARED = (name: string): boolean => name !== 'importlib';

const dir = writeTree(tempDir('epindex-agree-'), {
  ...distInfo('alpha', '1.0', ep({ console_scripts: { alpha: 'alpha.cli:main' }, 'epi.plugins': { a: 'alpha.plug:A' } })),
  ...distInfo('beta', '2.0', ep({ 'epi.plugins': { b: 'beta.plug:B [extra]' } })),
  ...distInfo('beta', '1.0', ep({ 'epi.plugins': { old: 'beta.old:B' } })),
  ...distInfo('leftover', '0.1', ep({ 'epi.plugins': { l: 'left:L' } }), { metadata: false }),
});
const userCacheDir = tempDir('epindex-agree-user-');
const built = buildCache(dir, { userCacheDir });
assert.equal(built.outcome, 'written');
const file = built.file!;
const original = fs.readFileSync(file, 'utf8');
const mtime = fs.statSync(file).mtime;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
const NEST = '\u0000nest\u0000';
const DEEP = '['.repeat(100_000) + ']'.repeat(100_000);

/** Where every node of `v` is, as key paths (long arrays: their first, last and middle elements). */
function nodes(v: Json, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(at);
  if (Array.isArray(v)) {
    const picks = v.length <= 6 ? v.map((_, i) => i) : [0, 1, v.length >> 1, v.length - 1];
    for (const i of picks) nodes(v[i]!, [...at, i], out);
  } else if (v !== null && typeof v === 'object') {
    for (const k of Object.keys(v)) nodes(v[k]!, [...at, k], out);
  }
  return out;
}

/** A value of another JSON type than `v` (a type change is never a valid cache). */
const otherTypes = (v: Json): Json[] => {
  const all: Json[] = ['x', 1.5, true, null, [], {}, [[1]], { a: 1 }];
  const kind = (x: Json): string => (Array.isArray(x) ? 'array' : x === null ? 'null' : typeof x === 'number' && Number.isInteger(x) ? 'int' : typeof x);
  return [...all, 7].filter((x) => kind(x) !== kind(v) && !(kind(v) === 'int' && x === 7));
};
const OUTSIDE = ['../etc', '/etc', '', '.', '..', 'a/b', 'a\u0000b', 'a//b'];

type Mutation = { where: string; at: (string | number)[]; how: 'type' | 'range' | 'outside' | 'drop' | 'append' | 'nest'; pick: number };

function apply(m: Mutation): string | null {
  const nl = original.indexOf('\n');
  const header = JSON.parse(original.slice(0, nl)) as Record<string, Json> & { sections: Record<string, [number, number, number]> };
  const names = Object.keys(header.sections);
  const mutate = (v: Json): Json | null => {
    const list = nodes(v);
    const target = list[m.pick % list.length]!;
    if (target.length === 0 && m.how !== 'type' && m.how !== 'nest') return null;
    let parent: Json = v;
    for (const k of target.slice(0, -1)) parent = (parent as Record<string | number, Json>)[k]!;
    const key = target[target.length - 1];
    const get = (): Json => (key === undefined ? v : (parent as Record<string | number, Json>)[key]!);
    const set = (x: Json): Json => {
      if (key === undefined) return x;
      (parent as Record<string | number, Json>)[key] = x;
      return v;
    };
    const cur = get();
    switch (m.how) {
      case 'type': {
        const alts = otherTypes(cur);
        return set(alts[m.pick % alts.length]!);
      }
      case 'range':
        return typeof cur === 'number' ? set([-2, 2 ** 31, -(2 ** 40)][m.pick % 3]!) : null;
      case 'outside':
        // Only where a name of something in the directory is (elsewhere another string is a
        // valid cache saying something else: a forgery no reader can tell).
        return typeof cur === 'string' && target.some((k) => k === 'child' || k === 'paths' || k === 'dirs' || (m.where === 'listing' && k === 'names'))
          ? set(OUTSIDE[m.pick % OUTSIDE.length]!)
          : null;
      case 'drop':
        if (Array.isArray(parent) && typeof key === 'number') (parent as Json[]).splice(key, 1);
        else if (parent !== null && typeof parent === 'object' && typeof key === 'string') delete (parent as Record<string, Json>)[key];
        else return null;
        return v;
      case 'append':
        if (!Array.isArray(cur) || cur.length === 0) return null;
        cur.push(JSON.parse(JSON.stringify(cur[cur.length - 1])) as Json);
        return v;
      case 'nest':
        return set(NEST);
    }
  };
  if (m.where === 'header') {
    const h = JSON.parse(original.slice(0, nl)) as Record<string, Json>;
    const { sections: _s, crc: _c, bodyBytes: _b, format: _f, ...rest } = h;
    const changed = mutate(rest as Json);
    if (changed === null) return null;
    const next = { ...(changed as Record<string, Json>), format: h['format']!, sections: h['sections']!, bodyBytes: h['bodyBytes']!, crc: 0 };
    // The body is unchanged: only the header's own checksum is redone.
    return resign(`${JSON.stringify(next).replace(JSON.stringify(NEST), DEEP)}\n${original.slice(nl + 1)}`);
  }
  const k = names.indexOf(m.where);
  return forge(original, (body) => {
    const lines = body.split('\n');
    const changed = mutate(JSON.parse(lines[k]!) as Json);
    if (changed === null) throw new Skip();
    lines[k] = JSON.stringify(changed).replace(JSON.stringify(NEST), DEEP);
    return lines.join('\n');
  });
}
class Skip extends Error {}

/** The TypeScript reader's verdict on the file: its header and every shared section. */
function tsVerdict(): string {
  const bytes = fs.readFileSync(file);
  const nl = bytes.indexOf(0x0a);
  try {
    if (nl < 0) throw new CacheFormatError('EP301', 'no header line');
    const header = parseHeader(bytes.subarray(0, nl), bytes.length, [0, 0]);
    const cache = new CacheFile(header, nl + 1);
    for (const name of header.sections.keys()) if (SHARED(name)) cache.load(name, (length, position) => bytes.subarray(position, position + length));
    return 'ok';
  } catch (e) {
    if (e instanceof CacheFormatError) return e.code;
    throw e;
  }
}

async function tsEntries(): Promise<string[][]> {
  const env = await pythonEnvironment({ path: [dir], cache: 'prefer', freshness: 'listing', userCacheDir });
  return (await env.entryPoints()).toJSON().map((e) => [e.group, e.name, e.value, e.dist?.name ?? '']);
}

const python = spawn(PYTHON, ['-u', path.join(PYTHON_PACKAGE, 'tests', 'cache_verdict.py')], {
  env: { ...process.env, PYTHONPATH: PYTHON_SRC, EPINDEX_CACHE_DIR: userCacheDir, EPINDEX_CACHE: '', EPINDEX_FRESHNESS: '' },
  stdio: ['pipe', 'pipe', 'inherit'],
});
const answers = createInterface({ input: python.stdout! })[Symbol.asyncIterator]();
after(() => python.kill());

async function pyAnswer(): Promise<{ verdict: string; entryPoints: string[][] }> {
  python.stdin!.write(JSON.stringify({ file, dir }) + '\n');
  const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the Python reader did not answer within 20 s')), 20_000).unref());
  const next = await Promise.race([answers.next(), timeout]);
  assert.ok(!next.done, 'the Python reader exited');
  return JSON.parse(next.value) as { verdict: string; entryPoints: string[][] };
}

function install(text: string): void {
  const tmp = `${file}.agree.tmp`;
  fs.writeFileSync(tmp, text, { mode: 0o644 });
  fs.utimesSync(tmp, mtime, mtime);
  fs.renameSync(tmp, file);
}

test('both cache readers give the same verdict on mutated caches with valid checksums, and the scan\'s answer', async () => {
  install(original);
  const scanned = await tsEntries();
  assert.equal(scanned.length, 4, 'the fixture answers something');
  assert.deepEqual((await pyAnswer()).entryPoints.map((e) => e.join('\0')).sort(), scanned.map((e) => e.join('\0')).sort());
  const nl = original.indexOf('\n');
  const sections = Object.keys((JSON.parse(original.slice(0, nl)) as { sections: Record<string, unknown> }).sections).filter(SHARED);
  const mutation = fc.record({
    where: fc.constantFrom('header', ...sections),
    at: fc.constant([]),
    how: fc.constantFrom('type', 'range', 'outside', 'drop', 'append', 'nest'),
    pick: fc.nat(10_000),
  }) as fc.Arbitrary<Mutation>;
  const seen = new Map<string, number>();
  await fc.assert(
    fc.asyncProperty(mutation, async (m) => {
      let text: string | null;
      try {
        text = apply(m);
      } catch (e) {
        if (e instanceof Skip) return;
        throw e;
      }
      if (text === null || text === original) return;
      install(text);
      const ts = tsVerdict();
      const py = await pyAnswer();
      seen.set(ts, (seen.get(ts) ?? 0) + 1);
      assert.equal(py.verdict, ts, `${JSON.stringify(m)}: Python says ${py.verdict}, TypeScript ${ts}`);
      const want = scanned.map((e) => e.join('\0')).sort();
      assert.deepEqual(py.entryPoints.map((e) => e.join('\0')).sort(), want, `${JSON.stringify(m)}: the Python lookup's answer`);
      assert.deepEqual((await tsEntries()).map((e) => e.join('\0')).sort(), want, `${JSON.stringify(m)}: the TypeScript lookup's answer`);
    }),
    { seed: SEED, numRuns: RUNS, endOnFailure: true },
  );
  install(original);
  // Not vacuous: most mutations are rejected, and by both.
  assert.ok((seen.get('EP301') ?? 0) > RUNS / 4, JSON.stringify([...seen]));
});

test('both readers refuse the raw forms no value mutation makes: white space around a section or the header, a section checksum over 2^32-1', async () => {
  const nl = original.indexOf('\n');
  const names = Object.keys((JSON.parse(original.slice(0, nl)) as { sections: Record<string, unknown> }).sections);
  const k = names.indexOf('dists');
  const cases: [string, string][] = [
    ['a space before a section', forge(original, (body) => body.split('\n').map((l, i) => (i === k ? ` ${l}` : l)).join('\n'))],
    ['a tab after a section', forge(original, (body) => body.split('\n').map((l, i) => (i === k ? `${l}\t` : l)).join('\n'))],
    ['a space before the header', ` ${original}`],
    ['a section checksum of 2^32', resign(original.replace(/"dists":\[(\d+),(\d+),(\d+)\]/, (_, o: string, n: string) => `"dists":[${o},${n},4294967296]`))],
  ];
  for (const [what, text] of cases) {
    assert.notEqual(text, original, what);
    install(text);
    const ts = tsVerdict();
    const py = await pyAnswer();
    assert.deepEqual([ts, py.verdict], ['EP301', 'EP301'], what);
  }
  install(original);
});
