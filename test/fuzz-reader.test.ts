/**
 * Differential fuzzing of the entry_points.txt reader against importlib.metadata (CPython's
 * `Sectioned` reader, read as `PathDistribution.read_text` reads: strict UTF-8, universal
 * newlines). Generated texts and bytes mix valid lines with every known hard case.
 *
 * - Where importlib returns a result for a file without a leading BOM, the reader returns the
 *   same (group, name, value) list, in the same order, and no EP101/EP104 (nor EP103 after the
 *   first header).
 * - With a leading BOM, the reader returns importlib's result for the file without it, plus EP102
 *   on line 1 (importlib would silently drop everything before the second header).
 * - Where importlib raises TypeError, the reader returns what importlib returns once exactly the
 *   offending lines are deleted, with one EP104 (EP103 for a `;` line) on each of those lines.
 * - Where importlib raises UnicodeDecodeError, the reader returns nothing, with one EP101 on the
 *   line of the first invalid byte, naming its offset.
 *
 * A fifth of the inputs are random bytes: generated files with 1–4 random byte edits (set,
 * insert, delete), under the same four rules.
 *
 * importlib runs once per pass over all generated inputs (test/support/sectioned_batch.py):
 * a first pass with the same seed only collects them; only shrinking (after a failure) asks
 * python again, one input at a time.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseEntryPointsTxt } from '../src/format/entry-points-txt.js';
import { LINE_BREAKS, entryPointsFile, fileBytes, fileText, hasLeadingBom, type EntryPointsFile } from './support/entry-points-grammar.js';
import { sectionedBatch, type SectionedResult, type Triple } from './support/oracle-batch.js';

const PARAMS = { seed: 0x5ec7_10ed, numRuns: 750 } as const;

/** A generated file with 1–4 random byte edits (set, insert, delete at random places): random damage to a plausible file. */
const randomBytesFile: fc.Arbitrary<EntryPointsFile> = fc
  .tuple(entryPointsFile, fc.array(fc.tuple(fc.nat(), fc.constantFrom('set', 'insert', 'delete'), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }))
  .map(([f, edits]) => {
    const bytes = [...fileBytes(f)];
    for (const [at, op, b] of edits) {
      const i = at % (bytes.length + 1);
      if (op === 'insert') bytes.splice(i, 0, b);
      else if (i < bytes.length) op === 'set' ? (bytes[i] = b) : bytes.splice(i, 1);
    }
    return { text: '', bom: false, corrupt: { at: 0, bytes } };
  });
const anyFile = fc.oneof({ weight: 4, arbitrary: entryPointsFile }, { weight: 1, arbitrary: randomBytesFile });
const isRandom = (f: EntryPointsFile): boolean => f.text === '' && f.corrupt !== null && f.corrupt.at === 0 && !f.bom;

/** Hand-picked rows of reference §2.5 that must always be among the inputs. */
const EXAMPLES: EntryPointsFile[] = [
  { text: '[g]\n;a = b\n', bom: false, corrupt: null },
  { text: '[g]\n; comment\nx = y\n', bom: false, corrupt: null },
  { text: '[console_scripts]\r\nfoo = a:b\r\n', bom: true, corrupt: null },
  { text: '[ g ]\n[[h]]\n= a:b\nfoo =\nns:sub = a:b\n', bom: false, corrupt: null },
  { text: 'foo = a:b\n[g\nbar = c:d\n[g]\n  [extra]\nx = y\n', bom: false, corrupt: null },
  { text: '[g]\rx = 1\x85y = 2\u2028z\n', bom: false, corrupt: null },
  { text: '[g]\nx = caf\u00e9\n', bom: false, corrupt: { at: 13, bytes: [0xe9] } },
];

/** Oracle answers by content; a miss (a shrunk input) costs one python run. */
class SectionedOracle {
  readonly #answers = new Map<string, SectionedResult>();
  misses = 0;

  prefetch(contents: readonly Uint8Array[]): void {
    const fresh = [...new Map(contents.map((b) => [Buffer.from(b).toString('base64'), b])).entries()].filter(([k]) => !this.#answers.has(k));
    const results = sectionedBatch(fresh.map(([, b]) => b));
    fresh.forEach(([k], i) => this.#answers.set(k, results[i]!));
  }

  get(content: Uint8Array): SectionedResult {
    const key = Buffer.from(content).toString('base64');
    if (!this.#answers.has(key)) {
      this.misses++;
      this.prefetch([content]);
    }
    return this.#answers.get(key)!;
  }
}

/** The contents importlib is asked about for one generated file. */
function oracleInputs(f: EntryPointsFile): Uint8Array[] {
  const b = fileBytes(f);
  return hasLeadingBom(b) ? [b, b.subarray(3)] : [b];
}

const breakTag = (br: string): string => `break ${[...br].map((c) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`).join(' ')}`;

/**
 * Check one file; returns the interesting cases it exercised (for the generator's sanity counts).
 * Throws an assertion error on any disagreement.
 */
function check(f: EntryPointsFile, oracle: SectionedOracle): string[] {
  const bytes = fileBytes(f);
  const raw = oracle.get(bytes);
  const read = parseEntryPointsTxt(bytes);
  const text = fileText(f);
  if (text !== null) assert.deepEqual(parseEntryPointsTxt(text), read, 'a string reads as its UTF-8 bytes do');
  const codes = (...which: string[]) => read.diagnostics.filter((d) => which.includes(d.code));

  if ('error' in raw && raw.error === 'UnicodeDecodeError') {
    assert.deepEqual(read.entries, [], 'no entry points from a file that is not UTF-8');
    assert.deepEqual(read.diagnostics.map((d) => [d.code, d.line]), [['EP101', raw.line]], 'one EP101 on the line of the first invalid byte');
    assert.match(read.diagnostics[0]!.message, new RegExp(`\\bbyte ${raw.start}\\b`));
    return ['decode-error'];
  }

  const tags: string[] = [];
  const bom = hasLeadingBom(bytes);
  // With a leading BOM, importlib is asked about the file without it.
  const expected = bom ? oracle.get(bytes.subarray(3)) : raw;
  if ('error' in expected && expected.error === 'UnicodeDecodeError') assert.fail('removing a BOM cannot make bytes invalid');
  if (bom) {
    tags.push('bom');
    if (JSON.stringify(raw) !== JSON.stringify(expected)) tags.push('bom-changes-importlib-result');
  }
  assert.deepEqual(codes('EP102').map((d) => d.line), bom ? [1] : [], 'EP102 exactly when the file starts with a BOM');
  assert.deepEqual(codes('EP101'), []);

  const got: Triple[] = read.entries.map((e) => [e.group, e.name, e.value]);
  const firstHeader = expected.firstHeader ?? Infinity;
  // EP103 may also mark a `;` line before the first header, which importlib drops silently.
  const crashLines = read.diagnostics.filter((d) => d.code === 'EP104' || (d.code === 'EP103' && d.line! > firstHeader)).map((d) => [d.line, d.code]);
  let result: Triple[];
  if ('ok' in expected) {
    assert.deepEqual(got, expected.ok, 'the entry points importlib returns, in its order');
    assert.deepEqual(crashLines, [], 'no EP103/EP104 where importlib does not raise');
    result = expected.ok;
    tags.push(result.length > 0 ? 'ok-nonempty' : 'ok-empty');
    if (result.length > 0) for (const br of LINE_BREAKS) if (text?.includes(br)) tags.push(breakTag(br));
  } else {
    assert.equal(expected.error, 'TypeError');
    assert.deepEqual(got, expected.repaired, "importlib's result once the offending lines are deleted");
    assert.deepEqual(crashLines, expected.lines, 'EP104 (EP103 for ";") on exactly the lines importlib raises for');
    result = expected.repaired;
    for (const [, code] of expected.lines) tags.push(`type-error ${code}`);
    if (result.length > 0) tags.push('type-error-rest-kept');
  }
  for (const [g, n, v] of result) {
    if (n.startsWith(';')) tags.push('";" entry point');
    if (n === '') tags.push('empty name');
    if (v === '') tags.push('empty value');
    if (g !== g.trim()) tags.push('group with outer spaces');
    if (g === '') tags.push('empty group');
  }
  return tags;
}

test('entry_points.txt reader agrees with importlib.metadata on generated texts and bytes', (t) => {
  const oracle = new SectionedOracle();
  const params = { ...PARAMS, includeErrorInReport: true, examples: EXAMPLES.map((e) => [e] as [EntryPointsFile]) };

  const inputs: Uint8Array[] = [];
  fc.assert(fc.property(anyFile, (f) => void inputs.push(...oracleInputs(f))), params);
  oracle.prefetch(inputs);

  const counts = new Map<string, number>();
  fc.assert(
    fc.property(anyFile, (f) => {
      const tags = check(f, oracle);
      if (isRandom(f)) tags.push(...tags.map((t) => `random bytes: ${t}`));
      for (const tag of new Set(tags)) counts.set(tag, (counts.get(tag) ?? 0) + 1);
    }),
    params,
  );
  t.diagnostic(`cases: ${JSON.stringify(Object.fromEntries([...counts].sort()))}; oracle misses: ${oracle.misses}`);

  // The generator must produce every case this test is about (or it proves nothing).
  const required = [
    'ok-nonempty', 'ok-empty', 'decode-error', 'bom', 'bom-changes-importlib-result', 'type-error EP104', 'type-error EP103',
    'type-error-rest-kept', '";" entry point', 'empty name', 'empty value', 'group with outer spaces', 'empty group',
    'random bytes: ok-nonempty', 'random bytes: ok-empty', 'random bytes: decode-error', 'random bytes: type-error EP104',
    ...LINE_BREAKS.map(breakTag),
  ];
  for (const tag of required) assert.ok((counts.get(tag) ?? 0) > 0, `the generator never produced: ${tag}`);
  assert.equal(oracle.misses, 0, 'the collecting pass saw every input');
});
