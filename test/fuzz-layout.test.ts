/**
 * Differential fuzzing of discovery + resolution + reading against importlib.metadata on
 * generated search paths: 1–3 path entries (site directories with dist-info / egg-info
 * directories and egg-info files, `.egg` directories, missing entries, an entry repeated),
 * names shared across path entries (shadowing), entry_points.txt from the grammar (invalid
 * UTF-8 and lines importlib raises for included), or a directory in its place.
 *
 * - Where `importlib.metadata.entry_points()` returns, `pythonEnvironment({path, cache:'scan'})
 *   .entryPoints()` returns the same multiset of [normalized dist, group, name, value].
 * - Where it raises, epindex still returns every entry point of every distribution whose
 *   entry_points.txt importlib can read (importlib asked distribution by distribution), plus,
 *   for a file importlib raises TypeError for, what importlib returns with exactly the
 *   offending lines deleted (nothing for a file that is not UTF-8), and a diagnostic naming the
 *   bad file and line (EP101 / EP103 / EP104).
 *
 * Documented deviations are kept out of the generated layouts (the equality would not hold):
 * - two candidates of one normalized name in ONE path entry: epindex chooses deterministically
 *   (a real one over a metadata-less one, then the highest version), importlib by os.listdir
 *   order. The generator gives each path entry distinct normalized names;
 * - a metadata-less leftover earlier on the path than a real distribution of the same name:
 *   epindex never lets it hide the real one, importlib does. The generator gives the first
 *   occurrence of a name metadata whenever a later occurrence has it;
 * - a leading BOM in entry_points.txt: epindex strips it, importlib silently loses the first
 *   group. The generator never writes one (fuzz-reader.test.ts covers it);
 * - a `*.dist-info` that is a file: epindex ignores it (EP209), importlib counts it as a
 *   distribution without entry points that hides later ones of its name. Not generated.
 *
 * importlib runs once per pass over all generated layouts (test/support/oracle_batch.py); a
 * first pass with the same seed only collects them; only shrinking asks python again.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { pythonEnvironment } from '../src/index.js';
import { entryPointsFile, fileBytes, hasLeadingBom, plainEntryPointsText, type EntryPointsFile } from './support/entry-points-grammar.js';
import { tempDir, writeTree, type Tree } from './support/fixtures.js';
import { oracleBatch, type LayoutResult } from './support/oracle-batch.js';
import { oracle } from './support/python.js';

const PARAMS = { seed: 0x1a_70_75, numRuns: 300, includeErrorInReport: true } as const;

// ---------------------------------------------------------------------------------------------
// Layouts

type EntryPointsSpec = { kind: 'none' } | { kind: 'directory' } | { kind: 'text'; text: string } | { kind: 'file'; file: EntryPointsFile };

interface DistSpec {
  readonly name: string;
  readonly version: string | null;
  readonly layout: 'dist-info' | 'egg-info' | 'egg-info-file';
  /** `.DIST-INFO` / `.EGG-INFO`: importlib then takes the name from the metadata. */
  readonly upper: boolean;
  /** METADATA (dist-info) or PKG-INFO (egg-info); an egg-info file always is metadata. */
  readonly metadata: boolean;
  readonly entryPoints: EntryPointsSpec;
}

type PathEntrySpec =
  | { readonly kind: 'missing' }
  | { readonly kind: 'site'; readonly dists: readonly DistSpec[] }
  | { readonly kind: 'egg'; readonly name: string; readonly version: string; readonly entryPoints: EntryPointsSpec }
  /** The path entry `of` again, spelled with a trailing slash. */
  | { readonly kind: 'repeat'; readonly of: number };

type Layout = readonly PathEntrySpec[];

// Spellings that normalize alike (foo / Foo; foo_bar / Foo.Bar / foo__bar), non-ASCII case mapping.
const DIST_NAMES = ['foo', 'Foo', 'foo_bar', 'Foo.Bar', 'foo__bar', 'bar', 'plugin', 'Ünï', 'ΣΑΣ', 'İx'];
const VERSIONS = ['1.0', '2.0', '0.9', '1.0.post1', '3'];

const normalized = (name: string): string => name.replace(/[-_.]+/g, '-').toLowerCase();

const entryPointsSpec: fc.Arbitrary<EntryPointsSpec> = fc.oneof(
  { weight: 2, arbitrary: fc.constant({ kind: 'none' as const }) },
  { weight: 5, arbitrary: plainEntryPointsText.map((text) => ({ kind: 'text' as const, text })) },
  {
    weight: 3,
    arbitrary: entryPointsFile.filter((f) => !hasLeadingBom(fileBytes(f))).map((f) => ({ kind: 'file' as const, file: { ...f, bom: false } })),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'directory' as const }) },
);

const distSpec: fc.Arbitrary<DistSpec> = fc
  .record({
    name: fc.constantFrom(...DIST_NAMES),
    version: fc.option(fc.constantFrom(...VERSIONS), { freq: 5 }),
    layout: fc.oneof({ weight: 5, arbitrary: fc.constant('dist-info' as const) }, { weight: 2, arbitrary: fc.constant('egg-info' as const) }, { weight: 1, arbitrary: fc.constant('egg-info-file' as const) }),
    upper: fc.oneof({ weight: 8, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    metadata: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    entryPoints: entryPointsSpec,
  })
  // With an upper-case suffix importlib needs the metadata's Name.
  .map((d) => (d.upper ? { ...d, metadata: true } : d));

const pathEntrySpec: fc.Arbitrary<PathEntrySpec> = fc.oneof(
  { weight: 6, arbitrary: fc.uniqueArray(distSpec, { maxLength: 4, selector: (d) => normalized(d.name) }).map((dists) => ({ kind: 'site' as const, dists })) },
  { weight: 1, arbitrary: fc.constant({ kind: 'missing' as const }) },
  {
    weight: 1,
    arbitrary: fc.record({ name: fc.constantFrom(...DIST_NAMES), version: fc.constantFrom(...VERSIONS), entryPoints: entryPointsSpec }).map((e) => ({ kind: 'egg' as const, ...e })),
  },
  { weight: 1, arbitrary: fc.nat().map((of) => ({ kind: 'repeat' as const, of })) },
);

const hasMetadata = (d: DistSpec): boolean => d.metadata || d.layout === 'egg-info-file';

/** Keep the documented deviations out: see the file comment. */
function withoutDeviations(entries: PathEntrySpec[]): Layout {
  const fixed = entries.map((e, i): PathEntrySpec => (e.kind === 'repeat' ? (i === 0 ? { kind: 'missing' } : { kind: 'repeat', of: e.of % i }) : e));
  const real = new Set<string>();
  for (const e of fixed) {
    if (e.kind === 'egg') real.add(normalized(e.name));
    if (e.kind === 'site') for (const d of e.dists) if (hasMetadata(d)) real.add(normalized(d.name));
  }
  const seen = new Set<string>();
  return fixed.map((e) => {
    if (e.kind === 'egg') seen.add(normalized(e.name));
    if (e.kind !== 'site') return e;
    const dists = e.dists.map((d) => {
      const n = normalized(d.name);
      const first = !seen.has(n);
      seen.add(n);
      // The first occurrence of a name (importlib's choice) is real whenever any occurrence is.
      return first && !hasMetadata(d) && real.has(n) ? { ...d, metadata: true } : d;
    });
    return { kind: 'site', dists };
  });
}

const layoutArb: fc.Arbitrary<Layout> = fc.array(pathEntrySpec, { minLength: 1, maxLength: 3 }).map(withoutDeviations);

// ---------------------------------------------------------------------------------------------
// Materializing

const metadataText = (name: string, version: string | null): string => `Metadata-Version: 2.1\nName: ${name}\n${version === null ? '' : `Version: ${version}\n`}`;

function entryPointsNode(spec: EntryPointsSpec): Tree[string] | undefined {
  switch (spec.kind) {
    case 'none':
      return undefined;
    case 'directory':
      return {};
    case 'text':
      return spec.text;
    case 'file':
      return fileBytes(spec.file);
  }
}

function distTree(d: DistSpec): Tree {
  const suffix = d.layout === 'dist-info' ? '.dist-info' : '.egg-info';
  const child = `${d.name}${d.version === null ? '' : `-${d.version}`}${d.upper ? suffix.toUpperCase() : suffix}`;
  if (d.layout === 'egg-info-file') return { [child]: metadataText(d.name, d.version) };
  const t: Tree = {};
  if (d.metadata) t[d.layout === 'dist-info' ? 'METADATA' : 'PKG-INFO'] = metadataText(d.name, d.version);
  const ep = entryPointsNode(d.entryPoints);
  if (ep !== undefined) t['entry_points.txt'] = ep;
  return { [child]: t };
}

/** Write the layout under `root` (a fresh directory); returns its search path. */
function materialize(layout: Layout, root: string): string[] {
  const entries: string[] = [];
  layout.forEach((e, j) => {
    const base = path.join(root, `entry${j}`);
    switch (e.kind) {
      case 'missing':
        entries.push(base);
        break;
      case 'repeat':
        entries.push(entries[e.of]!.replace(/\/?$/, '/'));
        break;
      case 'site':
        writeTree(base, Object.assign({}, ...e.dists.map(distTree)) as Tree);
        entries.push(base);
        break;
      case 'egg': {
        const egg = path.join(base, `${e.name}-${e.version}-py3.11.egg`);
        const info: Tree = { 'PKG-INFO': metadataText(e.name, e.version) };
        const ep = entryPointsNode(e.entryPoints);
        if (ep !== undefined) info['entry_points.txt'] = ep;
        writeTree(egg, { 'EGG-INFO': info });
        entries.push(egg);
        break;
      }
    }
  });
  return entries;
}

/** Layouts on disk and importlib's answers, by layout; a miss (a shrunk layout) costs one python run. */
class LayoutOracle {
  readonly #root = tempDir('epindex-fuzz-layout-');
  readonly #known = new Map<string, { searchPath: string[]; result: LayoutResult }>();
  #made = 0;
  misses = 0;

  prefetch(layouts: readonly Layout[]): void {
    const fresh = [...new Map(layouts.map((l) => [JSON.stringify(l), l])).entries()].filter(([k]) => !this.#known.has(k));
    const searchPaths = fresh.map(([, l]) => {
      const dir = path.join(this.#root, `L${this.#made++}`);
      fs.mkdirSync(dir);
      return materialize(l, dir);
    });
    const results = oracleBatch(searchPaths);
    fresh.forEach(([k], i) => this.#known.set(k, { searchPath: searchPaths[i]!, result: results[i]! }));
  }

  get(layout: Layout): { searchPath: string[]; result: LayoutResult } {
    const key = JSON.stringify(layout);
    if (!this.#known.has(key)) {
      this.misses++;
      this.prefetch([layout]);
    }
    return this.#known.get(key)!;
  }
}

// ---------------------------------------------------------------------------------------------
// The property

type Row = [dist: string, group: string, name: string, value: string];
const sorted = (rows: readonly Row[]): Row[] => rows.map((r) => [...r] as Row).sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));

/** The interesting things a layout has, read from the layout itself. */
function layoutTags(layout: Layout): string[] {
  const tags: string[] = [];
  const entriesWith = new Map<string, number>();
  for (const e of layout) {
    if (e.kind !== 'site' && e.kind !== 'egg') {
      tags.push(`${e.kind} path entry`);
      continue;
    }
    const names = e.kind === 'egg' ? [e.name] : e.dists.map((d) => d.name);
    for (const n of new Set(names.map(normalized))) entriesWith.set(n, (entriesWith.get(n) ?? 0) + 1);
    if (e.kind === 'egg') tags.push(e.entryPoints.kind === 'none' ? 'egg' : 'egg with entry_points.txt');
    else
      for (const d of e.dists) {
        if (d.layout === 'egg-info-file') tags.push('egg-info file');
        if (d.upper) tags.push('upper-case suffix');
        if (!hasMetadata(d)) tags.push('metadata-less dist');
        if (d.entryPoints.kind === 'directory') tags.push('entry_points.txt is a directory');
      }
  }
  if ([...entriesWith.values()].some((n) => n > 1)) tags.push('name on several path entries');
  return tags;
}

async function check(layout: Layout, layouts: LayoutOracle): Promise<string[]> {
  const { searchPath, result } = layouts.get(layout);
  const env = await pythonEnvironment({ path: searchPath, cache: 'scan' });
  const eps = await env.entryPoints();
  const got = sorted([...eps].map((e): Row => [e.dist?.normalizedName ?? '(none)', e.group, e.name, e.value]));
  const tags = layoutTags(layout);

  if ('entryPoints' in result) {
    assert.deepEqual(got, sorted(result.entryPoints), 'the entry points importlib.metadata returns');
    tags.push(result.entryPoints.length > 0 ? 'importlib returned entry points' : 'importlib returned none');
    return tags;
  }

  tags.push(`importlib raised ${result.error.slice(0, result.error.indexOf(':'))}`);
  if (result.good.length > 0) tags.push('importlib raised; other entry points kept');
  const expected: Row[] = [...result.good];
  for (const bad of result.bad) {
    const own = eps.diagnostics.filter((d) => d.file === bad.file);
    const o = bad.oracle;
    assert.ok('error' in o && o.error === bad.error, `the oracle reads ${bad.file} as entry_points does: ${JSON.stringify(o)} vs ${bad.error}`);
    if (o.error === 'UnicodeDecodeError') {
      assert.deepEqual(own.map((d) => [d.code, d.line]), [['EP101', o.line]], `one EP101 naming ${bad.file}`);
    } else {
      expected.push(...o.repaired.map(([g, n, v]): Row => [bad.dist, g, n, v]));
      const crashLines = own.filter((d) => d.code === 'EP104' || (d.code === 'EP103' && d.line! > o.firstHeader)).map((d) => [d.line, d.code]);
      assert.deepEqual(crashLines, o.lines, `EP104/EP103 naming ${bad.file} on the lines importlib raises for`);
      assert.ok(own.every((d) => d.code !== 'EP101'));
    }
  }
  assert.deepEqual(got, sorted(expected), 'every entry point importlib can read, distribution by distribution');
  return tags;
}

test('entry points of generated search paths agree with importlib.metadata', async (t) => {
  const layouts = new LayoutOracle();
  const collected: Layout[] = [];
  await fc.assert(fc.asyncProperty(layoutArb, async (l) => void collected.push(l)), PARAMS);
  layouts.prefetch(collected);

  // The batch oracle is oracle.py, many times over: spot-check a few layouts with oracle() itself.
  for (const l of collected.slice(0, 5)) {
    const { searchPath, result } = layouts.get(l);
    const single = oracle(searchPath);
    if ('entryPoints' in result) assert.deepEqual(single, { python: single.python, entryPoints: result.entryPoints });
    else assert.deepEqual(single, { python: single.python, error: result.error });
  }

  const counts = new Map<string, number>();
  await fc.assert(
    fc.asyncProperty(layoutArb, async (l) => {
      for (const tag of new Set(await check(l, layouts))) counts.set(tag, (counts.get(tag) ?? 0) + 1);
    }),
    PARAMS,
  );
  t.diagnostic(`cases: ${JSON.stringify(Object.fromEntries([...counts].sort()))}; oracle misses: ${layouts.misses}`);

  const required = [
    'importlib returned entry points', 'importlib raised TypeError', 'importlib raised UnicodeDecodeError', 'importlib raised; other entry points kept',
    'name on several path entries', 'missing path entry', 'repeat path entry', 'egg with entry_points.txt', 'egg-info file', 'upper-case suffix',
    'metadata-less dist', 'entry_points.txt is a directory',
  ];
  for (const tag of required) assert.ok((counts.get(tag) ?? 0) > 0, `the generator never produced: ${tag}`);
  assert.equal(layouts.misses, 0, 'the collecting pass saw every layout');
});
