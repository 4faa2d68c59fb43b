/**
 * entry_points.txt reader and writer: one table row per rule (docs/spec.md §2), including every
 * row of the reader-disagreement table (reference §2.5).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { parseEntryPointsTxt, renderEntryPointsTxt, unrenderableReason } from '../src/format/entry-points-txt.js';
import { isEpindexError } from '../src/errors.js';
import type { DiagnosticCode } from '../src/diagnostics.js';

type Triple = [group: string, name: string, value: string];
interface Row {
  rule: string;
  input: string | Uint8Array;
  entries: Triple[];
  codes?: DiagnosticCode[];
  /** 1-based line of the first diagnostic. */
  line?: number;
}

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

const rows: Row[] = [
  { rule: 'the PyPA spec example reads as written', input: '[console_scripts]\nfoo = foomod:main\n# One which depends on extras:\nfoobar = foomod:main_bar [bar,baz]\n\n# pytest plugins refer to a module, so there is no \':obj\'\n[pytest11]\nnbval = nbval.plugin\n',
    entries: [['console_scripts', 'foo', 'foomod:main'], ['console_scripts', 'foobar', 'foomod:main_bar [bar,baz]'], ['pytest11', 'nbval', 'nbval.plugin']] },
  { rule: 'CRLF line endings are line breaks', input: '[g]\r\na = m:f\r\nb = m:g\r\n', entries: [['g', 'a', 'm:f'], ['g', 'b', 'm:g']] },
  { rule: 'a lone CR is a line break (universal newlines)', input: '[g]\ra = m:f\rb = m:g', entries: [['g', 'a', 'm:f'], ['g', 'b', 'm:g']] },
  { rule: 'every str.splitlines boundary is a line break (\\v \\f \\x1c \\x1d \\x1e \\x85 U+2028 U+2029)', input: '[g]\va = m:a\fb = m:b\x1cc = m:c\x1dd = m:d\x1ee = m:e\x85f = m:f\u2028h = m:h\u2029i = m:i',
    entries: ['a', 'b', 'c', 'd', 'e', 'f', 'h', 'i'].map((n): Triple => ['g', n, `m:${n}`]) },
  { rule: '\\x1f is not a line break but is stripped as whitespace', input: '[g]\n\x1fa = m:f\x1f\n', entries: [['g', 'a', 'm:f']] },
  { rule: 'a leading UTF-8 BOM is removed and the file parsed normally (importlib drops the first group)', input: utf8('\ufeff[console_scripts]\nfoo = m:f\n'), entries: [['console_scripts', 'foo', 'm:f']], codes: ['EP102'], line: 1 },
  { rule: 'a leading BOM in an already-decoded string is removed too', input: '\ufeff[g]\na = m:f\n', entries: [['g', 'a', 'm:f']], codes: ['EP102'] },
  { rule: 'U+FEFF is not whitespace: a BOM-prefixed header after the first line is not a header', input: '[g]\n\ufeff[h]\na = m:f\n', entries: [['g', 'a', 'm:f']], codes: ['EP104'], line: 2 },
  { rule: 'invalid UTF-8 skips the whole file with its line', input: Uint8Array.from([...utf8('[g]\na = m:f\nb = caf'), 0xe9, ...utf8('\n')]), entries: [], codes: ['EP101'], line: 3 },
  { rule: 'a UTF-8-encoded surrogate is invalid UTF-8 (as in Python)', input: Uint8Array.from([...utf8('[g]\na = '), 0xed, 0xa0, 0x80]), entries: [], codes: ['EP101'], line: 2 },
  { rule: 'a line without "=" is skipped; the other lines are kept (importlib raises TypeError)', input: '[g]\na = m:f\nfoo\nb = m:g\n', entries: [['g', 'a', 'm:f'], ['g', 'b', 'm:g']], codes: ['EP104'], line: 3 },
  { rule: 'a ";" line without "=" is a comment (importlib raises TypeError)', input: '[g]\n; a comment\na = m:f\n', entries: [['g', 'a', 'm:f']], codes: ['EP103'], line: 2 },
  { rule: 'a ";" line with "=" is an entry point named ";…", as importlib reads it', input: '[g]\n;a = b\n', entries: [['g', ';a', 'b']] },
  { rule: 'the line of invalid UTF-8 counts str.splitlines breaks (\\f is one)', input: Uint8Array.from([0x0c, 0x80]), entries: [], codes: ['EP101'], line: 2 },
  { rule: 'an indented "#" line is a comment', input: '[g]\n   # comment\na = m:f\n', entries: [['g', 'a', 'm:f']] },
  { rule: 'an inline "#" is part of the value (then an invalid reference)', input: '[g]\nfoo = a:b # trailing\n', entries: [['g', 'foo', 'a:b # trailing']], codes: ['EP108'], line: 2 },
  { rule: 'spaces inside the brackets stay in the group name "[ g ]" -> " g "', input: '[ g ]\na = m:f\n', entries: [[' g ', 'a', 'm:f']], codes: ['EP107'], line: 1 },
  { rule: 'spaces outside the brackets are stripped', input: '   [g]  \na = m:f\n', entries: [['g', 'a', 'm:f']] },
  { rule: '"[[g]]" is group "g" (brackets stripped like str.strip("[]"))', input: '[[g]]\na = m:f\n', entries: [['g', 'a', 'm:f']] },
  { rule: '"[]" is the empty group, kept and flagged', input: '[]\na = m:f\n', entries: [['', 'a', 'm:f']], codes: ['EP107'] },
  { rule: 'lines before the first section are skipped', input: 'foo = a:b\n[g]\na = m:f\n', entries: [['g', 'a', 'm:f']], codes: ['EP109'], line: 1 },
  { rule: 'a duplicate name in a group keeps both', input: '[g]\na = m:f\na = m:g\n', entries: [['g', 'a', 'm:f'], ['g', 'a', 'm:g']] },
  { rule: 'a duplicate section keeps both', input: '[g]\na = m:f\n[h]\nb = m:g\n[g]\nc = m:h\n', entries: [['g', 'a', 'm:f'], ['h', 'b', 'm:g'], ['g', 'c', 'm:h']] },
  { rule: 'a colon in a name is part of the name', input: '[g]\nns:sub = a:b\n', entries: [['g', 'ns:sub', 'a:b']] },
  { rule: 'only "=" delimits: "foo: a:b" has no "=" and is skipped', input: '[g]\nfoo: a:b\n', entries: [], codes: ['EP104'], line: 2 },
  { rule: 'the value is split at the first "="', input: '[g]\na = m:f [x] = y\n', entries: [['g', 'a', 'm:f [x] = y']], codes: ['EP108'] },
  { rule: 'an indented continuation "[extra]" becomes a section header (no continuation lines)', input: '[g]\na = m:f\n  [extra]\nb = m:g\n', entries: [['g', 'a', 'm:f'], ['extra', 'b', 'm:g']] },
  { rule: 'an empty value is kept and flagged', input: '[g]\nfoo =\n', entries: [['g', 'foo', '']], codes: ['EP106'], line: 2 },
  { rule: 'an empty name is kept and flagged', input: '[g]\n= a:b\n', entries: [['g', '', 'a:b']], codes: ['EP105'], line: 2 },
  { rule: 'names are case-sensitive: Foo and foo both stay', input: '[g]\nFoo = m:a\nfoo = m:b\n', entries: [['g', 'Foo', 'm:a'], ['g', 'foo', 'm:b']] },
  { rule: '[DEFAULT] is an ordinary group (no inheritance)', input: '[DEFAULT]\nx = m:d\n[g]\na = m:f\n', entries: [['DEFAULT', 'x', 'm:d'], ['g', 'a', 'm:f']] },
  { rule: '"%" is literal (no interpolation)', input: '[g]\na = m:f [%(x)s]\n', entries: [['g', 'a', 'm:f [%(x)s]']], codes: ['EP108'] },
  { rule: 'a dash in a module is kept and flagged (not an identifier)', input: '[g]\na = my-mod:b\n', entries: [['g', 'a', 'my-mod:b']], codes: ['EP108'], line: 2 },
  { rule: 'an unclosed "[g" before any section is skipped', input: '[g\na = m:f\n', entries: [], codes: ['EP109', 'EP109'], line: 1 },
  { rule: 'an unclosed "[g" after a section has no "=" and is skipped', input: '[h]\n[g\na = m:f\n', entries: [['h', 'a', 'm:f']], codes: ['EP104'], line: 2 },
  { rule: 'a name starting with "[" is kept and flagged', input: '[g]\n[a = m:f\n', entries: [['g', '[a', 'm:f']], codes: ['EP110'], line: 2 },
  { rule: 'names and values are stripped of Python whitespace (\\u3000, \\xa0, tabs)', input: '[g]\n\u3000a\t=\xa0m:f\u3000\n', entries: [['g', 'a', 'm:f']] },
  { rule: 'whitespace inside names is kept', input: '[g]\nmy name = m:f\n', entries: [['g', 'my name', 'm:f']] },
  { rule: 'an invalid group name is kept and flagged once', input: '[foo-bar]\na = m:f\nb = m:g\n', entries: [['foo-bar', 'a', 'm:f'], ['foo-bar', 'b', 'm:g']], codes: ['EP107'], line: 1 },
  { rule: 'Unicode group names are valid (Python\'s \\w is Unicode)', input: '[grüße.ñ]\na = módulo:función\n', entries: [['grüße.ñ', 'a', 'módulo:función']] },
  { rule: 'an empty file has no entry points', input: '', entries: [] },
];

describe('entry_points.txt reader', () => {
  for (const r of rows) {
    test(r.rule, () => {
      const got = parseEntryPointsTxt(r.input, { file: 'x/entry_points.txt' });
      assert.deepEqual(got.entries.map((e): Triple => [e.group, e.name, e.value]), r.entries);
      assert.deepEqual(got.diagnostics.map((d) => d.code), r.codes ?? []);
      if (r.line !== undefined) assert.equal(got.diagnostics[0]?.line, r.line);
      for (const d of got.diagnostics) assert.equal(d.file, 'x/entry_points.txt');
    });
  }

  test('entries carry their 1-based line numbers', () => {
    const got = parseEntryPointsTxt('# c\n[g]\n\na = m:f\r\nb = m:g\n');
    assert.deepEqual(got.entries.map((e) => e.line), [4, 5]);
  });

  test('the reader never throws, whatever the bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      const got = parseEntryPointsTxt(bytes);
      assert.ok(Array.isArray(got.entries));
    }), { seed: 7, numRuns: 500 });
  });
});

// A name/value/group the reader can read back: no line breaks, no surrounding whitespace, etc.
const segment = fc.stringMatching(/^[A-Za-z0-9_.:\-é ]{1,12}$/).map((s) => s.trim()).filter((s) => s !== '');
const entry = fc.record({
  group: fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_.]{0,10}$/),
  name: segment.filter((s) => !s.includes('=') && !/^[#;[]/.test(s)),
  value: fc.oneof(segment, fc.constant('')),
});

describe('entry_points.txt writer', () => {
  test('canonical rendering: groups sorted, entries sorted by name, one blank line between groups', () => {
    const text = renderEntryPointsTxt([
      { group: 'pytest11', name: 'nbval', value: 'nbval.plugin' },
      { group: 'console_scripts', name: 'foo', value: 'foomod:main' },
      { group: 'console_scripts', name: 'bar', value: 'barmod:main [x]' },
    ]);
    assert.equal(text, '[console_scripts]\nbar = barmod:main [x]\nfoo = foomod:main\n\n[pytest11]\nnbval = nbval.plugin\n');
  });

  test('an empty value renders as "name =" without trailing space', () => {
    assert.equal(renderEntryPointsTxt([{ group: 'g', name: 'a', value: '' }]), '[g]\na =\n');
  });

  test('sorting is by code point, as Python sorts (astral after U+FFFD)', () => {
    const text = renderEntryPointsTxt([{ group: 'g', name: '\u{1F600}', value: 'm:f' }, { group: 'g', name: '\uFFFD', value: 'm:f' }]);
    assert.ok(text.indexOf('\uFFFD') < text.indexOf('\u{1F600}'));
  });

  test('parse(render(x)) equals x in canonical order', () => {
    fc.assert(fc.property(fc.array(entry, { maxLength: 20 }), (xs) => {
      const parsed = parseEntryPointsTxt(renderEntryPointsTxt(xs));
      const canonical = xs.map((x) => ({ group: x.group, name: x.name, value: x.value })).sort((a, b) => (a.group < b.group ? -1 : a.group > b.group ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
      assert.deepEqual(parsed.entries.map((e) => ({ group: e.group, name: e.name, value: e.value })), canonical);
    }), { seed: 42, numRuns: 300 });
  });

  test('render is idempotent through parse', () => {
    fc.assert(fc.property(fc.array(entry, { maxLength: 20 }), (xs) => {
      const once = renderEntryPointsTxt(xs);
      assert.equal(renderEntryPointsTxt(parseEntryPointsTxt(once).entries), once);
    }), { seed: 43, numRuns: 200 });
  });

  const unrenderable: Array<[string, { group: string; name: string; value: string }]> = [
    ['a name containing "=" cannot be rendered', { group: 'g', name: 'a=b', value: 'm:f' }],
    ['a name starting with "#" would read as a comment', { group: 'g', name: '#a', value: 'm:f' }],
    ['a name starting with ";" would read as a comment', { group: 'g', name: ';a', value: 'm:f' }],
    ['a name starting with "[" would read as a header', { group: 'g', name: '[a', value: 'm:f]' }],
    ['a line break in a value cannot be rendered', { group: 'g', name: 'a', value: 'm:f\nx' }],
    ['surrounding whitespace in a name cannot be rendered', { group: 'g', name: ' a', value: 'm:f' }],
    ['a group ending with "]" cannot be rendered', { group: 'g]', name: 'a', value: 'm:f' }],
  ];
  for (const [rule, e] of unrenderable) {
    test(rule, () => {
      assert.notEqual(unrenderableReason(e), null);
      assert.throws(() => renderEntryPointsTxt([e]), (err: unknown) => isEpindexError(err) && err.code === 'UNRENDERABLE');
    });
  }
});
