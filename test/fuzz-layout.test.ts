/**
 * Differential fuzzing of discovery + resolution + reading against importlib.metadata on
 * generated search paths: 1–3 path entries (site directories with dist-info / egg-info
 * directories and egg-info files, `.egg` directories, zip archives (wheels) holding
 * distributions, stored or deflated, missing entries, an entry repeated), names shared across
 * path entries (shadowing), directory names that are not UTF-8 (bytes, shown as os.fsdecode
 * shows them), random bytes in a METADATA Version epindex reads, entry_points.txt from the
 * grammar (invalid UTF-8 and lines importlib raises for included), or a directory in its place.
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
 * Random bytes: half of the zip archives get 1–3 bytes flipped anywhere (half of them in
 * the central directory's end of the file). For those, the property is soundness: epindex
 * returns no entry point that the intact archive (its twin, also asked of importlib) does not
 * have, and every one it drops is either dropped by importlib on the damaged archive too or named
 * by a diagnostic about that archive (EP205, EP215…) — nothing is lost silently.
 *
 * Deviations kept out of zips: importlib names a distribution in a zip by its METADATA's Name
 * (the basename of a zipfile.Path directory is ''), and raises TypeError for every caller when a
 * distribution in a zip has no METADATA; generated zip distributions always have METADATA whose
 * Name is the directory's.
 *
 * importlib runs once per pass over all generated layouts (test/support/oracle_batch.py); a
 * first pass with the same seed only collects them; only shrinking asks python again.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { fsencode } from '../src/fsnames.js';
import { pythonEnvironment, type EntryPoint } from '../src/index.js';
import { entryPointsFile, fileBytes, hasLeadingBom, plainEntryPointsText, type EntryPointsFile } from './support/entry-points-grammar.js';
import { tempDir, writeTree, type Tree } from './support/fixtures.js';
import { oracleBatch, type LayoutResult } from './support/oracle-batch.js';
import { oracle } from './support/python.js';
import { writeZip, type MemberSpec } from './support/zip-writer.js';

const PARAMS = { seed: 0x1a_70_75, numRuns: 400, includeErrorInReport: true } as const;

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
  /** Random bytes (no line breaks) as the METADATA Version of a distribution without one in its name. */
  readonly junk: number[] | null;
}

type PathEntrySpec =
  | { readonly kind: 'missing' }
  | { readonly kind: 'site'; readonly dists: readonly DistSpec[] }
  /** A wheel-like zip; `flips` are [position as a fraction of the file, XOR mask] (random damage). */
  | { readonly kind: 'zip'; readonly dists: readonly DistSpec[]; readonly stored: boolean; readonly flips: ReadonlyArray<readonly [number, number]> }
  | { readonly kind: 'egg'; readonly name: string; readonly version: string; readonly entryPoints: EntryPointsSpec }
  /** The path entry `of` again, spelled with a trailing slash. */
  | { readonly kind: 'repeat'; readonly of: number };

type Layout = readonly PathEntrySpec[];

// Spellings that normalize alike (foo / Foo; foo_bar / Foo.Bar / foo__bar), non-ASCII case mapping.
const DIST_NAMES = ['foo', 'Foo', 'foo_bar', 'Foo.Bar', 'foo__bar', 'bar', 'plugin', 'Ünï', 'ΣΑΣ', 'İx'];
/** Directory names that are not UTF-8, as os.fsdecode shows them (written as their bytes). */
const BYTE_NAMES = ['bad\udcff\udcfename', 'lat\udce9n'];
const isByteName = (n: string): boolean => BYTE_NAMES.includes(n);
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

const junk = fc.array(fc.integer({ min: 0, max: 255 }).filter((b) => b !== 0x0a && b !== 0x0d), { minLength: 1, maxLength: 12 });

const distSpec: fc.Arbitrary<DistSpec> = fc
  .record({
    name: fc.oneof({ weight: 10, arbitrary: fc.constantFrom(...DIST_NAMES) }, { weight: 1, arbitrary: fc.constantFrom(...BYTE_NAMES) }),
    version: fc.option(fc.constantFrom(...VERSIONS), { freq: 5 }),
    layout: fc.oneof({ weight: 5, arbitrary: fc.constant('dist-info' as const) }, { weight: 2, arbitrary: fc.constant('egg-info' as const) }, { weight: 1, arbitrary: fc.constant('egg-info-file' as const) }),
    upper: fc.oneof({ weight: 8, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    metadata: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    entryPoints: entryPointsSpec,
    junk: fc.option(junk, { freq: 3, nil: null }),
  })
  // With an upper-case suffix importlib needs the metadata's Name (which must then be readable:
  // no byte names, no junk); junk only where epindex reads the Version and importlib does not.
  .map((d) => (d.upper ? { ...d, metadata: true, name: isByteName(d.name) ? 'plugin' : d.name, junk: null } : d))
  .map((d) => (d.version !== null || !d.metadata ? { ...d, junk: null } : d));

/**
 * Distributions in a zip: always with METADATA named as the directory (see the file comment), no
 * byte names; no upper-case *.EGG-INFO file (importlib finds no Name for it in a zip and raises).
 */
const zipDistSpec: fc.Arbitrary<DistSpec> = distSpec.map((d) => ({ ...d, name: isByteName(d.name) ? 'bar' : d.name, metadata: true, junk: null, upper: d.upper && d.layout !== 'egg-info-file' }));
const flip = fc.tuple(fc.oneof(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), fc.double({ min: 0.75, max: 1, maxExcluded: true, noNaN: true })), fc.integer({ min: 1, max: 255 }));

const pathEntrySpec: fc.Arbitrary<PathEntrySpec> = fc.oneof(
  { weight: 6, arbitrary: fc.uniqueArray(distSpec, { maxLength: 4, selector: (d) => normalized(d.name) }).map((dists) => ({ kind: 'site' as const, dists })) },
  { weight: 1, arbitrary: fc.constant({ kind: 'missing' as const }) },
  {
    weight: 1,
    arbitrary: fc.record({ name: fc.constantFrom(...DIST_NAMES), version: fc.constantFrom(...VERSIONS), entryPoints: entryPointsSpec }).map((e) => ({ kind: 'egg' as const, ...e })),
  },
  { weight: 1, arbitrary: fc.nat().map((of) => ({ kind: 'repeat' as const, of })) },
  {
    weight: 2,
    arbitrary: fc.record({
      dists: fc.uniqueArray(zipDistSpec, { minLength: 1, maxLength: 3, selector: (d) => normalized(d.name) }),
      stored: fc.boolean(),
      flips: fc.oneof({ weight: 1, arbitrary: fc.constant([] as Array<[number, number]>) }, { weight: 1, arbitrary: fc.array(flip, { minLength: 1, maxLength: 3 }) }),
    }).map((z) => ({ kind: 'zip' as const, ...z })),
  },
);

const hasMetadata = (d: DistSpec): boolean => d.metadata || d.layout === 'egg-info-file';

/** Keep the documented deviations out: see the file comment. */
function withoutDeviations(entries: PathEntrySpec[]): Layout {
  const fixed = entries.map((e, i): PathEntrySpec => (e.kind === 'repeat' ? (i === 0 ? { kind: 'missing' } : { kind: 'repeat', of: e.of % i }) : e));
  const real = new Set<string>();
  for (const e of fixed) {
    if (e.kind === 'egg') real.add(normalized(e.name));
    if (e.kind === 'site' || e.kind === 'zip') for (const d of e.dists) if (hasMetadata(d)) real.add(normalized(d.name));
  }
  const seen = new Set<string>();
  return fixed.map((e) => {
    if (e.kind === 'egg') seen.add(normalized(e.name));
    if (e.kind === 'zip') for (const d of e.dists) seen.add(normalized(d.name));
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

/** METADATA of a distribution: its name as bytes (as an installer would write a byte name), junk as its Version. */
function metadataOf(d: DistSpec): string | Uint8Array {
  if (!isByteName(d.name) && d.junk === null) return metadataText(d.name, d.version);
  const parts = [Buffer.from('Metadata-Version: 2.1\nName: '), fsencode(d.name), Buffer.from('\n')];
  if (d.version !== null) parts.push(Buffer.from(`Version: ${d.version}\n`));
  else if (d.junk !== null) parts.push(Buffer.from('Version: '), Buffer.from(d.junk), Buffer.from('\n'));
  return Buffer.concat(parts);
}

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

const childName = (d: DistSpec): string => {
  const suffix = d.layout === 'dist-info' ? '.dist-info' : '.egg-info';
  return `${d.name}${d.version === null ? '' : `-${d.version}`}${d.upper ? suffix.toUpperCase() : suffix}`;
};

function distTree(d: DistSpec): Tree {
  const child = childName(d);
  if (d.layout === 'egg-info-file') return { [child]: metadataOf(d) };
  const t: Tree = {};
  if (d.metadata) t[d.layout === 'dist-info' ? 'METADATA' : 'PKG-INFO'] = metadataOf(d);
  const ep = entryPointsNode(d.entryPoints);
  if (ep !== undefined) t['entry_points.txt'] = ep;
  return { [child]: t };
}

/** The zip members of one distribution (a directory entry where entry_points.txt is one). */
function distMembers(d: DistSpec, stored: boolean): MemberSpec[] {
  const child = childName(d);
  const method = stored ? 0 : 8;
  const te = new TextEncoder();
  if (d.layout === 'egg-info-file') return [{ name: child, data: te.encode(metadataText(d.name, d.version)), method }];
  const out: MemberSpec[] = [{ name: `${child}/${d.layout === 'dist-info' ? 'METADATA' : 'PKG-INFO'}`, data: te.encode(metadataText(d.name, d.version)), method }];
  const ep = entryPointsNode(d.entryPoints);
  if (ep !== undefined) out.push(typeof ep === 'string' || ep instanceof Uint8Array ? { name: `${child}/entry_points.txt`, data: typeof ep === 'string' ? te.encode(ep) : ep, method } : { name: `${child}/entry_points.txt/`, method: 0 });
  return out;
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
      case 'zip': {
        const whl = `${base}.whl`;
        writeZip(whl, e.dists.flatMap((d) => distMembers(d, e.stored)));
        if (e.flips.length > 0) {
          const b = fs.readFileSync(whl);
          for (const [at, mask] of e.flips) {
            const i = Math.floor(at * b.length);
            b[i] = b[i]! ^ mask;
          }
          fs.writeFileSync(whl, b);
        }
        entries.push(whl);
        break;
      }
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
    if (e.kind !== 'site' && e.kind !== 'egg' && e.kind !== 'zip') {
      tags.push(`${e.kind} path entry`);
      continue;
    }
    const names = e.kind === 'egg' ? [e.name] : e.dists.map((d) => d.name);
    for (const n of new Set(names.map(normalized))) entriesWith.set(n, (entriesWith.get(n) ?? 0) + 1);
    if (e.kind === 'egg') tags.push(e.entryPoints.kind === 'none' ? 'egg' : 'egg with entry_points.txt');
    else {
      if (e.kind === 'zip') tags.push(e.flips.length > 0 ? 'damaged zip' : `zip, ${e.stored ? 'stored' : 'deflated'}`);
      for (const d of e.dists) {
        if (d.layout === 'egg-info-file') tags.push('egg-info file');
        if (d.upper) tags.push('upper-case suffix');
        if (!hasMetadata(d)) tags.push('metadata-less dist');
        if (d.entryPoints.kind === 'directory') tags.push('entry_points.txt is a directory');
        if (isByteName(d.name)) tags.push('name that is not UTF-8');
        if (d.junk !== null) tags.push('random bytes as the METADATA Version');
      }
    }
  }
  if ([...entriesWith.values()].some((n) => n > 1)) tags.push('name on several path entries');
  return tags;
}

const isDamaged = (layout: Layout): boolean => layout.some((e) => e.kind === 'zip' && e.flips.length > 0);
/** The layout with every zip intact: what a damaged layout is compared with. */
const intactTwin = (layout: Layout): Layout => layout.map((e) => (e.kind === 'zip' ? { ...e, flips: [] } : e));
/** The layout without its damaged zips (missing entries instead): what the rest of the path gives when they give nothing. */
const withoutDamaged = (layout: Layout): Layout => layout.map((e) => (e.kind === 'zip' && e.flips.length > 0 ? { kind: 'missing' } : e));

/**
 * What epindex must return for importlib's `result`: its entry points when it returns; when it
 * raises, every entry point of every distribution importlib can read, plus, for a file
 * importlib raises TypeError for, what it returns with exactly the offending lines deleted
 * (nothing for a file that is not UTF-8, or a zip member that cannot be read). `null` when
 * importlib could not even list the distributions.
 */
function expectedRows(result: LayoutResult): Row[] | null {
  if ('entryPoints' in result) return result.entryPoints;
  if (result.good === null) return null;
  const rows: Row[] = result.good.map((r) => [...r] as Row);
  for (const bad of result.bad!) if ('repaired' in bad.oracle && bad.dist !== null) rows.push(...bad.oracle.repaired.map(([g, n, v]): Row => [bad.dist!, g, n, v]));
  return rows;
}

/** `small` ⊆ `big` as multisets; returns the rows of `small` that are missing. */
function notIn(small: readonly Row[], big: readonly Row[]): Row[] {
  const left = new Map<string, number>();
  for (const r of big) left.set(JSON.stringify(r), (left.get(JSON.stringify(r)) ?? 0) + 1);
  const missing: Row[] = [];
  for (const r of small) {
    const k = JSON.stringify(r);
    const n = left.get(k) ?? 0;
    if (n === 0) missing.push(r);
    else left.set(k, n - 1);
  }
  return missing;
}

async function lookup(searchPath: readonly string[], within: readonly string[] = []) {
  const env = await pythonEnvironment({ path: [...searchPath], cache: 'scan' });
  const eps = await env.entryPoints();
  const row = (e: EntryPoint): Row => [e.dist?.normalizedName ?? '(none)', e.group, e.name, e.value];
  const inside = (e: EntryPoint): boolean => within.some((z) => e.dist?.metadataPath.startsWith(z + path.sep) === true);
  return {
    rows: sorted([...eps].map(row)),
    /** The rows of distributions inside the `within` path entries, and the others. */
    inside: sorted([...eps].filter(inside).map(row)),
    outside: sorted([...eps].filter((e) => !inside(e)).map(row)),
    diagnostics: eps.diagnostics,
  };
}

async function check(layout: Layout, layouts: LayoutOracle): Promise<string[]> {
  if (isDamaged(layout)) return checkDamaged(layout, layouts);
  const { searchPath, result } = layouts.get(layout);
  const { rows: got, diagnostics } = await lookup(searchPath);
  const tags = layoutTags(layout);

  if ('entryPoints' in result) {
    assert.deepEqual(got, sorted(result.entryPoints), 'the entry points importlib.metadata returns');
    tags.push(result.entryPoints.length > 0 ? 'importlib returned entry points' : 'importlib returned none');
    return tags;
  }

  tags.push(`importlib raised ${result.error.slice(0, result.error.indexOf(':'))}`);
  assert.ok(result.good !== null && result.bad !== null, `importlib lists the distributions of an intact layout: ${result.error}`);
  if (result.good.length > 0) tags.push('importlib raised; other entry points kept');
  for (const bad of result.bad) {
    const own = diagnostics.filter((d) => d.file === bad.file);
    const o = bad.oracle;
    assert.ok('error' in o && o.error === bad.error, `the oracle reads ${bad.file} as entry_points does: ${JSON.stringify(o)} vs ${bad.error}`);
    if (o.error === 'UnicodeDecodeError' && 'line' in o) {
      assert.deepEqual(own.map((d) => [d.code, d.line]), [['EP101', o.line]], `one EP101 naming ${bad.file}`);
    } else if (o.error === 'TypeError' && 'lines' in o) {
      const crashLines = own.filter((d) => d.code === 'EP104' || (d.code === 'EP103' && d.line! > o.firstHeader)).map((d) => [d.line, d.code]);
      assert.deepEqual(crashLines, o.lines, `EP104/EP103 naming ${bad.file} on the lines importlib raises for`);
      assert.ok(own.every((d) => d.code !== 'EP101'));
    } else {
      assert.fail(`an intact layout where importlib cannot read ${bad.file}: ${JSON.stringify(o)}`);
    }
  }
  assert.deepEqual(got, sorted(expectedRows(result)!), 'every entry point importlib can read, distribution by distribution');
  return tags;
}

/**
 * Random damage to zips: a damaged zip's distributions have no entry point the intact twin does
 * not have; the rest of the path gives what it gives with or without the damaged zips (a
 * distribution the damage removed no longer hides a later one); and none of the twin's entry
 * points is lost silently (importlib lost it too on the damaged archive, or a diagnostic names it).
 */
async function checkDamaged(layout: Layout, layouts: LayoutOracle): Promise<string[]> {
  const tags = layoutTags(layout);
  const damaged = layouts.get(layout);
  const intact = expectedRows(layouts.get(intactTwin(layout)).result);
  const without = expectedRows(layouts.get(withoutDamaged(layout)).result);
  assert.ok(intact !== null && without !== null, 'importlib lists the distributions of the intact layouts');
  const zips = damaged.searchPath.filter((_, i) => { const e = layout[i]; return e?.kind === 'zip' && e.flips.length > 0; });
  const { rows: got, inside, outside, diagnostics } = await lookup(damaged.searchPath, zips);
  // Rows are compared by distribution name, group, name and value: paths differ between the layouts.
  assert.deepEqual(notIn(inside, intact), [], 'no entry point of a damaged zip that the intact zip does not have');
  assert.deepEqual(notIn(outside, [...intact, ...without]), [], 'the rest of the path as it is with the zips intact or without them');
  const named = diagnostics.filter((d) => zips.some((z) => d.file !== undefined && (d.file === z || d.file.startsWith(z + path.sep))));
  const importlibRows = expectedRows(damaged.result);
  const lost = notIn(intact, got);
  const unexplained = named.length > 0 ? [] : lost.filter((r) => importlibRows === null || notIn([r], importlibRows).length === 0);
  assert.deepEqual(unexplained, [], `entry points lost without a diagnostic, which importlib still returns: ${JSON.stringify(diagnostics)}`);
  if (lost.length === 0) tags.push('damaged zip: nothing lost');
  else tags.push(named.some((d) => d.code === 'EP215') ? 'damaged zip: EP215' : named.length > 0 ? 'damaged zip: another diagnostic' : 'damaged zip: lost by importlib too');
  if (importlibRows !== null && notIn(got, importlibRows).length === 0 && notIn(importlibRows, got).length === 0) tags.push('damaged zip: same as importlib');
  return tags;
}

test('entry points of generated search paths agree with importlib.metadata', async (t) => {
  const layouts = new LayoutOracle();
  const collected: Layout[] = [];
  await fc.assert(fc.asyncProperty(layoutArb, async (l) => void collected.push(l)), PARAMS);
  layouts.prefetch([...collected, ...collected.filter(isDamaged).flatMap((l) => [intactTwin(l), withoutDamaged(l)])]);

  // The batch oracle is oracle.py, many times over: spot-check a few layouts with oracle() itself.
  for (const l of collected.filter((x) => !isDamaged(x)).slice(0, 5)) {
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
    'metadata-less dist', 'entry_points.txt is a directory', 'zip, stored', 'zip, deflated', 'damaged zip', 'name that is not UTF-8',
    'random bytes as the METADATA Version', 'damaged zip: nothing lost', 'damaged zip: EP215', 'damaged zip: same as importlib',
  ];
  for (const tag of required) assert.ok((counts.get(tag) ?? 0) > 0, `the generator never produced: ${tag}`);
  assert.equal(layouts.misses, 0, 'the collecting pass saw every layout');
});
