/**
 * fast-check arbitraries for entry_points.txt contents: valid lines mixed with every case where
 * readers disagree (reference/python-entry-points.md §2.5 and §7). Characters come from fixed
 * alphabets of code points assigned in Unicode 14 (CPython 3.11's unicodedata), so the oracle
 * and Node agree on what each character is.
 */
import fc from 'fast-check';

/** Every line boundary of `str.splitlines()`, `\r\n` included. */
export const LINE_BREAKS = ['\n', '\r\n', '\r', '\v', '\f', '\x1c', '\x1d', '\x1e', '\x85', '\u2028', '\u2029'] as const;

/** Whitespace for `str.strip()` that is not a line break, and lookalikes that are not whitespace at all. */
const SPACES = [' ', '\t', '\x1f', '\xa0', '\u1680', '\u2003', '\u200a', '\u202f', '\u205f', '\u3000'];
const NOT_SPACES = ['\u200b', '\u180e', '\u2060', '\ufeff'];

/** Free text: ASCII punctuation that matters to the format, non-ASCII letters (BMP and astral), controls. */
const ALPHABET = [
  'a', 'b', 'x', 'Z', '0', '7', '_', '.', ':', '-', '=', '[', ']', '#', ';', '%', '(', ')', ',', '/', '"', "'", '\\',
  'é', 'ß', 'Ω', 'ж', 'ğ', '中', '文', 'İ', 'ﬁ', 'ǅ', '😀', '𝔘', '\x00', '\x7f',
  ...SPACES, ...NOT_SPACES, ...LINE_BREAKS.filter((b) => b !== '\r\n'),
];

const free = (maxLength: number): fc.Arbitrary<string> => fc.string({ unit: fc.constantFrom(...ALPHABET), maxLength });
const spaces = fc.oneof(
  { weight: 4, arbitrary: fc.constant('') },
  { weight: 3, arbitrary: fc.string({ unit: fc.constantFrom(...SPACES), minLength: 1, maxLength: 2 }) },
  { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom(...SPACES, ...NOT_SPACES), minLength: 1, maxLength: 2 }) },
);

const GROUPS = ['console_scripts', 'gui_scripts', 'pytest11', 'a.b', 'g', 'G', 'DEFAULT', 'grp%(x)s', 'ĝrüppe', '组', 'g h', 'g.', '.g', 'ns:g', '\ufeffg'];
const NAMES = ['foo', 'Foo', 'foo-bar', 'ns:sub', '.rst', 'my name', 'a%b', 'é', 'x\u3000y', '[x', 'x]', 'a;b', 'a#b', '\ufeffname', '😀', 'tab\there', 'ǅ'];
const VALUES = [
  'mod:obj', 'pkg.mod:Cls.method', 'mod', 'mod:obj [extra1, extra2]', 'm:o [dev-tools, a.b]', '%(here)s:x', '%', 'a:b # trailing', 'a:b ; c',
  'my-mod:b', 'módulo:función', 'a..b:c..d', 'pkg.mod:', ':obj', 'a=b', '=', '[x]', 'x ]', 'mod:obj\t[e]',
];

const group = fc.oneof(fc.constantFrom(...GROUPS), free(6));
const name = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...NAMES) }, { weight: 1, arbitrary: free(5) }, { weight: 1, arbitrary: fc.constant('') });
const value = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...VALUES) }, { weight: 1, arbitrary: free(8) }, { weight: 1, arbitrary: fc.constant('') });
const sep = fc.constantFrom('=', ' = ', '\t=\t', ' =', '= ', '\u3000=\u3000', '==', ' = = ', '\x1f=');

const goodHeader = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...GROUPS).map((g) => `[${g}]`) },
  { weight: 1, arbitrary: group.map((g) => `[ ${g} ]`) },
  { weight: 1, arbitrary: group.map((g) => `[[${g}]]`) },
);
const header = fc.oneof(
  goodHeader,
  group.map((g) => `[${g}]]`),
  group.map((g) => `[${g}`), // unclosed
  group.map((g) => `${g}]`),
  group.map((g) => `[${g}] x`),
  fc.constantFrom('[]', '[DEFAULT]', '[', ']', '[]]'),
);
const entry = fc.tuple(name, sep, value).map(([n, s, v]) => `${n}${s}${v}`);
const comment = fc.oneof(
  free(6).map((t) => `#${t}`),
  free(6).map((t) => `;${t}`),
  entry.map((e) => `;${e}`), // `;` + `=`: importlib reads an entry point named ";…"
  entry.map((e) => `#${e}`),
);
const noEquals = fc.oneof(name, fc.constantFrom('foo: a:b', 'foo', 'console_scripts', '[extra]x'), free(6));

const body = (weights: { header: number; noEquals: number; free: number }): fc.Arbitrary<string> =>
  fc
    .tuple(
      spaces,
      fc.oneof(
        { weight: weights.header, arbitrary: header },
        { weight: 8, arbitrary: entry },
        { weight: 2, arbitrary: comment },
        { weight: weights.noEquals, arbitrary: noEquals },
        { weight: 1, arbitrary: fc.constant('') },
        { weight: weights.free, arbitrary: free(10) },
      ),
      spaces,
    )
    .map(([a, s, b]) => a + s + b);

/** One line (without its line break), possibly indented and with trailing whitespace. */
const line: fc.Arbitrary<string> = body({ header: 3, noEquals: 1, free: 1 });
/** A line inside a section: rarely one that makes importlib raise. */
const sectionLine: fc.Arbitrary<string> = body({ header: 1, noEquals: 0, free: 0 });

/** The lines of a text: either lines of any kind, or a few before a header and sections of mostly entry points. */
const lines: fc.Arbitrary<string[]> = fc.oneof(
  { weight: 1, arbitrary: fc.array(line, { maxLength: 10 }) },
  {
    weight: 3,
    arbitrary: fc
      .tuple(
        fc.array(line, { maxLength: 2 }),
        fc.array(fc.tuple(goodHeader, fc.array(sectionLine, { maxLength: 4 })), { minLength: 1, maxLength: 3 }),
      )
      .map(([before, sections]) => [...before, ...sections.flatMap(([h, ls]) => [h, ...ls])]),
  },
);

/** A whole text: lines, each ended by any of the line breaks (the last one maybe not). */
export const entryPointsText: fc.Arbitrary<string> = fc
  .record({
    lines: lines.chain((ls) => fc.tuple(fc.constant(ls), fc.array(fc.oneof({ weight: 6, arbitrary: fc.constant('\n') }, { weight: 4, arbitrary: fc.constantFrom(...LINE_BREAKS) }), { minLength: ls.length, maxLength: ls.length }))),
    finalBreak: fc.boolean(),
  })
  .map(({ lines: [ls, breaks], finalBreak }) => ls.map((l, i) => (i < ls.length - 1 || finalBreak ? l + breaks[i]! : l)).join(''));

/**
 * A text made only of pieces importlib reads without raising when they stand alone: headers,
 * entry points and comments from the fixed lists, ordinary whitespace, any line break.
 */
export const plainEntryPointsText: fc.Arbitrary<string> = fc
  .array(
    fc.tuple(
      goodHeader,
      fc.array(
        fc.oneof(
          { weight: 6, arbitrary: fc.tuple(fc.constantFrom(...NAMES), sep, fc.constantFrom(...VALUES)).map(([n, s, v]) => `${n}${s}${v}`) },
          { weight: 1, arbitrary: fc.constantFrom('', '# comment', '  # indented comment', ';x = y', '\t') },
        ),
        { maxLength: 4 },
      ),
    ),
    { minLength: 1, maxLength: 3 },
  )
  .chain((sections) => {
    const ls = sections.flatMap(([h, body]) => [h, ...body]);
    return fc.array(fc.oneof({ weight: 6, arbitrary: fc.constant('\n') }, { weight: 2, arbitrary: fc.constantFrom(...LINE_BREAKS) }), { minLength: ls.length, maxLength: ls.length }).map((breaks) => ls.map((l, i) => l + breaks[i]!).join(''));
  });

/** Byte sequences strict UTF-8 rejects: stray continuation, overlong, surrogate, > U+10FFFF, truncated, latin-1. */
const INVALID_UTF8: readonly number[][] = [[0x80], [0xff], [0xfe], [0xc0, 0x80], [0xc1, 0xbf], [0xe0, 0x80, 0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xf5, 0x80, 0x80, 0x80], [0xe2, 0x82], [0xf0, 0x9f, 0x98], [0xe9], [0xc3]];

/** What a generated file is: its text, a leading BOM or not, and maybe invalid bytes inserted somewhere. */
export interface EntryPointsFile {
  readonly text: string;
  readonly bom: boolean;
  readonly corrupt: { readonly at: number; readonly bytes: readonly number[] } | null;
}

export const entryPointsFile: fc.Arbitrary<EntryPointsFile> = fc.record({
  text: entryPointsText,
  bom: fc.oneof({ weight: 5, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  corrupt: fc.oneof(
    { weight: 4, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.record({ at: fc.nat(), bytes: fc.constantFrom(...INVALID_UTF8) }) },
  ),
});

export const UTF8_BOM = [0xef, 0xbb, 0xbf] as const;

/** The file's bytes on disk. An insertion inside a multi-byte character breaks it too (as intended). */
export function fileBytes(f: EntryPointsFile): Uint8Array {
  const body = [...(f.bom ? UTF8_BOM : []), ...new TextEncoder().encode(f.text)];
  if (f.corrupt !== null) body.splice(f.corrupt.at % (body.length + 1), 0, ...f.corrupt.bytes);
  return Uint8Array.from(body);
}

/** The file's text when it is valid UTF-8 by construction (no corruption), BOM included. */
export function fileText(f: EntryPointsFile): string | null {
  return f.corrupt === null ? (f.bom ? '\ufeff' : '') + f.text : null;
}

export function hasLeadingBom(b: Uint8Array): boolean {
  return b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf;
}
