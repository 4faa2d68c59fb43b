/** Object references per the PyPA spec, extras per PEP 508 (docs/spec.md §3). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EntryPoint, normalizeName, parseObjectReference } from '../src/entry-point.js';

type Valid = [rule: string, value: string, module: string, attr: string | null, extras: string[]];
const valid: Valid[] = [
  ['a module alone is a reference', 'nbval.plugin', 'nbval.plugin', null, []],
  ['module:attr with dotted parts', 'pkg.mod:Cls.method', 'pkg.mod', 'Cls.method', []],
  ['spaces around ":" are accepted', 'pkg.mod  :  obj', 'pkg.mod', 'obj', []],
  ['tabs around ":" are accepted', 'pkg\t:\tobj', 'pkg', 'obj', []],
  ['extras follow in brackets', 'foomod:main_bar [bar,baz]', 'foomod', 'main_bar', ['bar', 'baz']],
  ['extras without a space before "["', 'm:o[x]', 'm', 'o', ['x']],
  ['spaces inside and after the brackets are accepted', 'm:o [  a ,  b  ]  ', 'm', 'o', ['a', 'b']],
  ['extras keep "-" and "." (PEP 508), unlike importlib\'s \\w+ split', 'm:o [dev-tools, a.b]', 'm', 'o', ['dev-tools', 'a.b']],
  ['empty extras "[]" are none', 'm:o []', 'm', 'o', []],
  ['identifiers are Unicode-aware', 'módulo:función', 'módulo', 'función', []],
  ['an underscore-led identifier is valid', '_priv._x:_y', '_priv._x', '_y', []],
  ['a module-only reference may have extras', 'pkg.mod [x]', 'pkg.mod', null, ['x']],
];

type Invalid = [rule: string, value: string, problem: RegExp];
const invalid: Invalid[] = [
  ['a part starting with a digit is not an identifier', '1abc:f', /"1abc" .*not a Python identifier/],
  ['an empty dotted part is invalid', 'a..b:c', /empty dotted part/],
  ['a leading dot is invalid', '.a:b', /empty dotted part/],
  ['an empty attribute after ":" is invalid', 'pkg.mod:', /empty attribute/],
  ['an empty module before ":" is invalid', ':obj', /empty module/],
  ['more than one ":" is invalid', 'pkg.mod:obj:more', /more than one ":"/],
  ['a dash in a module is invalid', 'my-mod:b', /"my-mod" .*not a Python identifier/],
  ['a version specifier is not an extra', 'm:o [x==1; y]', /not a valid extra/],
  ['a trailing comma leaves an empty extra', 'm:o [a,]', /"" is not a valid extra/],
  ['an extra may not end with "-"', 'm:o [a-]', /not a valid extra/],
  ['an unclosed "[" is invalid', 'm:o [a', /without a closing/],
  ['a stray "]" is invalid', 'm:o a]', /without an opening/],
  ['text after "]" is invalid', 'm:o [x] junk', /without a closing/],
  ['an inline comment makes the reference invalid', 'a:b # trailing', /not a Python identifier/],
  ['leading whitespace makes the module invalid', ' a:b', /not a Python identifier/],
  ['an empty value is invalid', '', /empty module/],
  ['a path is not a reference', 'module:file/path.txt', /not a Python identifier/],
];

describe('object references', () => {
  for (const [rule, value, module, attr, extras] of valid) {
    test(rule, () => {
      const r = parseObjectReference(value);
      assert.deepEqual(r, { ok: true, module, attr, extras });
      const ep = new EntryPoint('g', 'n', value);
      assert.equal(ep.valid, true);
      assert.equal(ep.problem, null);
      assert.equal(ep.module, module);
      assert.equal(ep.attr, attr);
      assert.deepEqual(ep.extras, extras);
    });
  }
  for (const [rule, value, problem] of invalid) {
    test(rule, () => {
      const r = parseObjectReference(value);
      assert.equal(r.ok, false);
      if (!r.ok) assert.match(r.problem, problem);
    });
  }

  test('an invalid value never throws at construction and is kept, marked invalid with a reason', () => {
    const ep = new EntryPoint('g', 'bad', "this won't work");
    assert.equal(ep.value, "this won't work");
    assert.equal(ep.valid, false);
    assert.match(ep.problem ?? '', /not a Python identifier/);
    assert.equal(ep.module, null);
    assert.equal(ep.attr, null);
    assert.deepEqual(ep.extras, []);
  });

  test('an EntryPoint is immutable', () => {
    const ep = new EntryPoint('g', 'n', 'm:f');
    assert.throws(() => {
      (ep as unknown as { name: string }).name = 'x';
    }, TypeError);
  });

  test('matches() compares every given field, dist after normalization', () => {
    const ep = new EntryPoint('g', 'n', 'm.x:f', { name: 'Foo_Bar', normalizedName: 'foo-bar', version: '1', metadataPath: '/x', pathEntry: '/', layout: 'dist-info', hasMetadata: true });
    assert.ok(ep.matches({ group: 'g', name: 'n', module: 'm.x', attr: 'f', dist: 'foo.bar' }));
    assert.ok(!ep.matches({ group: 'h' }));
    assert.ok(!ep.matches({ attr: 'g' }));
    assert.ok(!ep.matches({ dist: 'foobar' }));
  });

  test('toJSON carries the parsed parts and the problem', () => {
    assert.deepEqual(new EntryPoint('g', 'n', '1x').toJSON(), { group: 'g', name: 'n', value: '1x', module: null, attr: null, extras: [], valid: false, problem: '"1x" in module "1x" is not a Python identifier', dist: null });
  });
});

describe('name normalization (PEP 503)', () => {
  const cases: Array<[string, string]> = [['Foo.Bar_baz', 'foo-bar-baz'], ['a--_.b', 'a-b'], ['CherryPy', 'cherrypy'], ['pkg.dot', 'pkg-dot']];
  for (const [input, out] of cases) test(`${input} normalizes to ${out}`, () => assert.equal(normalizeName(input), out));
});
