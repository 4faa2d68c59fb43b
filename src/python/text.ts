/**
 * Python's string semantics where they differ from JavaScript's, for readers that must agree
 * with CPython to the byte: `str.splitlines`, `str.strip`, `re`'s Unicode `\w`,
 * `str.isidentifier`.
 */

/** Characters for which Python's `str.isspace()` is true (Unicode 14, unchanged since). */
const PY_SPACE = '\t\n\v\f\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000';
const isPySpace = (ch: string): boolean => PY_SPACE.includes(ch);

/**
 * `str.strip()` with no argument. Unlike `String.prototype.trim` it strips U+001C..U+001F and
 * U+0085, and it does NOT strip U+FEFF (the byte order mark).
 */
export function pyStrip(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && isPySpace(s[start]!)) start++;
  while (end > start && isPySpace(s[end - 1]!)) end--;
  return start === 0 && end === s.length ? s : s.slice(start, end);
}

/** `str.rstrip()` with no argument. */
export function pyRstrip(s: string): string {
  let end = s.length;
  while (end > 0 && isPySpace(s[end - 1]!)) end--;
  return s.slice(0, end);
}

/** `str.strip(chars)`: strips any of `chars` from both ends. */
export function pyStripChars(s: string, chars: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && chars.includes(s[start]!)) start++;
  while (end > start && chars.includes(s[end - 1]!)) end--;
  return s.slice(start, end);
}

/**
 * Line boundaries of `str.splitlines()`; text read in Python's universal-newline mode has had
 * `\r\n` and `\r` turned into `\n` already, which this pattern covers too.
 */
const LINE_BREAK = /\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/;

/** `str.splitlines()`: no empty last element for a trailing line break. */
export function pySplitlines(s: string): string[] {
  if (s.length === 0) return [];
  const lines = s.split(LINE_BREAK);
  // The last element is empty exactly when `s` ends with a line break.
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Python `re`'s `\w` for str patterns: `_` and every character for which `str.isalnum()` holds. */
export const PY_WORD = String.raw`[\p{L}\p{N}_]`;

let groupName: RegExp | undefined;
const ASCII_GROUP = /^\w+(?:\.\w+)*$/;

/** The PyPA group-name rule `^\w+(\.\w+)*$` with Python's Unicode `\w` (compiled on first use). */
export const GROUP_NAME = {
  test(s: string): boolean {
    if (ASCII_GROUP.test(s)) return true;
    return (groupName ??= new RegExp(String.raw`^${PY_WORD}+(?:\.${PY_WORD}+)*$`, 'u')).test(s);
  },
};

// Unicode property classes cost milliseconds to compile: made on first use, not at start-up.
let identifier: RegExp | undefined;
const ASCII_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `str.isidentifier()`. */
export function isPyIdentifier(s: string): boolean {
  if (ASCII_IDENTIFIER.test(s)) return true;
  return (identifier ??= /^[\p{XID_Start}_]\p{XID_Continue}*$/u).test(s);
}

/** Compare strings by code point, as Python's `sorted` does (JS compares UTF-16 code units). */
export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      const xs = x >= 0xd800 && x <= 0xdfff;
      const ys = y >= 0xd800 && y <= 0xdfff;
      // A surrogate (astral code point) sorts after every BMP code point.
      if (xs !== ys) return xs ? 1 : -1;
      return x - y;
    }
  }
  return a.length - b.length;
}
