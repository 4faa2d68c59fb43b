/**
 * package.json "plugin-entry-points": one table row per rule of docs/spec.md "npm packages".
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { parsePackageJson, parsePackageTarget, jsonPointer } from '../../src/format/package-json.js';
import type { DiagnosticCode } from '../../src/diagnostics.js';

type Triple = [group: string, name: string, value: string];
interface Row {
  rule: string;
  input: string | Uint8Array;
  entries: Triple[];
  codes?: DiagnosticCode[];
  /** JSON pointer and line of the first diagnostic. */
  pointer?: string;
  line?: number;
}

const pj = (field: unknown, extra: Record<string, unknown> = {}): string => JSON.stringify({ name: 'p', version: '1.0.0', ...extra, 'plugin-entry-points': field }, null, 2);

const rows: Row[] = [
  { rule: 'a group maps names to targets, in declaration order', input: pj({ 'my.host': { b: './b.js', a: '.:default' } }), entries: [['my.host', 'b', './b.js'], ['my.host', 'a', '.:default']] },
  { rule: 'several groups keep their order', input: pj({ g: { x: '.' }, h: { y: './y' } }), entries: [['g', 'x', '.'], ['h', 'y', './y']] },
  { rule: 'a package without the field declares nothing, silently', input: JSON.stringify({ name: 'p', main: 'index.js' }), entries: [] },
  { rule: 'main and exports are not declarations', input: JSON.stringify({ name: 'p', main: './a.js', exports: { '.': './a.js' } }), entries: [] },
  { rule: 'invalid JSON is one error with its line', input: '{\n  "name": "p",\n  "plugin-entry-points": {\n}}}\n', entries: [], codes: ['EP701'], line: 4 },
  { rule: 'invalid UTF-8 is one error', input: Uint8Array.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]), entries: [], codes: ['EP701'] },
  { rule: 'a leading BOM is dropped, as npm does', input: '\ufeff' + pj({ g: { a: '.' } }), entries: [['g', 'a', '.']] },
  { rule: 'a JSON array is not a package.json', input: '[1]', entries: [], codes: ['EP701'], pointer: '', line: 1 },
  { rule: 'a field that is not an object is one error', input: pj(['./a.js']), entries: [], codes: ['EP703'], pointer: '/plugin-entry-points', line: 4 },
  { rule: 'a group that is not an object is skipped; the other groups stay', input: pj({ g: './a.js', h: { a: '.' } }), entries: [['h', 'a', '.']], codes: ['EP704'], pointer: '/plugin-entry-points/g', line: 5 },
  { rule: 'a group name must match ^\\w+(\\.\\w+)*$ (as the PyPA spec); the group is skipped', input: pj({ 'my-host': { a: '.' }, 'ok.g': { b: '.' } }), entries: [['ok.g', 'b', '.']], codes: ['EP705'], pointer: '/plugin-entry-points/my-host' },
  { rule: 'a group name with an empty dotted part is invalid', input: pj({ 'a..b': { a: '.' } }), entries: [], codes: ['EP705'] },
  { rule: "group names use Python's Unicode \\w", input: pj({ 'grüße.plugins': { a: '.' } }), entries: [['grüße.plugins', 'a', '.']] },
  { rule: 'a name with "=" is skipped (it could not be written to entry_points.txt)', input: pj({ g: { 'a=b': '.', c: '.' } }), entries: [['g', 'c', '.']], codes: ['EP706'], pointer: '/plugin-entry-points/g/a=b' },
  { rule: 'an empty name is skipped', input: pj({ g: { '': '.' } }), entries: [], codes: ['EP706'] },
  { rule: 'a name with surrounding whitespace is skipped', input: pj({ g: { ' a': '.' } }), entries: [], codes: ['EP706'] },
  { rule: 'a name starting with "[" is skipped', input: pj({ g: { '[a]': '.' } }), entries: [], codes: ['EP706'] },
  { rule: 'a name outside [\\w.-]+ is kept with a warning', input: pj({ g: { 'a b': '.' } }), entries: [['g', 'a b', '.']], codes: ['EP707'] },
  { rule: 'names are case-sensitive', input: pj({ g: { A: '.', a: './a' } }), entries: [['g', 'A', '.'], ['g', 'a', './a']] },
  { rule: 'a target that is not a string is skipped with its pointer', input: pj({ g: { a: { module: './a' }, b: '.' } }), entries: [['g', 'b', '.']], codes: ['EP708'], pointer: '/plugin-entry-points/g/a', line: 6 },
  { rule: 'a bare package name is not a target (a module of the package itself only)', input: pj({ g: { a: 'other-pkg' } }), entries: [['g', 'a', 'other-pkg']], codes: ['EP709'] },
  { rule: 'a ".." segment is an invalid target (kept, loading fails)', input: pj({ g: { a: './../x.js' } }), entries: [['g', 'a', './../x.js']], codes: ['EP709'] },
  { rule: 'a "/" in a name is escaped as ~1 in the pointer', input: pj({ g: { 'a/b': 'nope' } }), entries: [['g', 'a/b', 'nope']], codes: ['EP707', 'EP709'], pointer: '/plugin-entry-points/g/a~1b' },
  { rule: 'one bad entry never hides the others of the package', input: pj({ g: { a: 1, b: '.', c: '', d: './d.js:x' } }), entries: [['g', 'b', '.'], ['g', 'c', ''], ['g', 'd', './d.js:x']], codes: ['EP708', 'EP709'] },
];

describe('package.json plugin-entry-points', () => {
  for (const r of rows) {
    test(r.rule, () => {
      const p = parsePackageJson(r.input, { file: '/x/package.json' });
      assert.deepEqual(p.entries.map((e): Triple => [e.group, e.name, e.value]), r.entries);
      assert.deepEqual(p.diagnostics.map((d) => d.code), r.codes ?? []);
      for (const d of p.diagnostics) assert.equal(d.file, '/x/package.json');
      if (r.pointer !== undefined) assert.equal(p.diagnostics[0]!.pointer, r.pointer);
      if (r.line !== undefined) assert.equal(p.diagnostics[0]!.line, r.line);
    });
  }
  test('name, version and exports are read for resolution', () => {
    const p = parsePackageJson(JSON.stringify({ name: '@s/p', version: '2.0.0', exports: { '.': './i.js' } }));
    assert.deepEqual([p.name, p.version, p.hasExports, p.declares], ['@s/p', '2.0.0', true, false]);
  });
  test('the reader is total: any bytes give a result, never an exception', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
      parsePackageJson(b);
    }), { seed: 10, numRuns: 300 });
    fc.assert(fc.property(fc.json(), (j) => {
      parsePackageJson(`{"plugin-entry-points": ${j}}`);
      parsePackageJson(`{"plugin-entry-points": {"g": ${j}}}`);
    }), { seed: 11, numRuns: 300 });
  });
});

describe('targets', () => {
  const ok: Array<[string, string, string[]]> = [
    ['.', '.', []],
    ['.:default', '.', ['default']],
    ['./dist/plugin.js', './dist/plugin.js', []],
    ['./formatters:yaml.create', './formatters', ['yaml', 'create']],
    ['./a.mjs:$x._y', './a.mjs', ['$x', '_y']],
    ['./é.js:función', './é.js', ['función']],
  ];
  for (const [value, module, exportPath] of ok) {
    test(`"${value}" is module ${module}, export path [${exportPath.join(', ')}]`, () => {
      assert.deepEqual(parsePackageTarget(value), { ok: true, module, exportPath });
    });
  }
  const bad: Array<[string, RegExp]> = [
    ['', /empty/],
    ['lodash', /must be "\." or start with "\.\/"/],
    ['/abs/x.js', /must be/],
    ['../x.js', /must be/],
    ['./a/../b.js', /"\.\." segment/],
    ['./a//b.js', /empty path segment/],
    ['./a/', /empty path segment/],
    ['./node_modules/x/y.js', /node_modules/],
    ['./a\\b.js', /not allowed/],
    ['./a.js?x', /not allowed/],
    ['./a.js:', /empty part/],
    ['./a.js:a..b', /empty part/],
    ['./a.js:1x', /identifier/],
    ['./a.js:a:b', /identifier/],
    ['./a.js:a-b', /identifier/],
    [' ./a.js', /whitespace/],
    ['file:///a.js', /must be/],
  ];
  for (const [value, problem] of bad) {
    test(`"${value}" is invalid (${problem.source})`, () => {
      const t = parsePackageTarget(value);
      assert.equal(t.ok, false);
      assert.match((t as { problem: string }).problem, problem);
    });
  }
  test('JSON pointers escape ~ and /', () => {
    assert.equal(jsonPointer(['a~b', 'c/d']), '/a~0b/c~1d');
  });
});
