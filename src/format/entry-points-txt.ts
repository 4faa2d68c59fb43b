/**
 * entry_points.txt: the one reader and the one writer.
 *
 * The reader is total (it never throws, whatever the bytes) and agrees with importlib.metadata's
 * `Sectioned` reader (CPython 3.11–3.13) wherever that reader returns a result. Where importlib
 * raises or silently loses data, the reader decides and says so with a diagnostic; every such
 * decision is listed in docs/spec.md §2.
 */
import { diagnostic, type Diagnostic } from '../diagnostics.js';
import { parseObjectReference } from '../entry-point.js';
import { EpindexError } from '../errors.js';
import { GROUP_NAME, compareCodePoints, pySplitlines, pyStrip, pyStripChars } from '../python/text.js';

/** One `name = value` line, with the group it belongs to and its 1-based line number. */
export interface EntryPointLine {
  readonly group: string;
  readonly name: string;
  readonly value: string;
  readonly line: number;
}

export interface ParsedEntryPointsTxt {
  readonly entries: EntryPointLine[];
  readonly diagnostics: Diagnostic[];
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lenientUtf8 = new TextDecoder('utf-8', { ignoreBOM: true });

/**
 * Read entry_points.txt content. Bytes are decoded as strict UTF-8 (as importlib does); a
 * string is taken as already decoded. `file` only labels diagnostics.
 *
 * Total for every string and byte array (bytes too long to make a string of give EP113); any
 * other `content` (null, a number, an ArrayBuffer, another typed array) or `options` is a
 * programmer error: `EpindexError('INVALID_ARGUMENT')`.
 */
export function parseEntryPointsTxt(content: string | Uint8Array, options: { file?: string } = {}): ParsedEntryPointsTxt {
  if (typeof content !== 'string' && !(content instanceof Uint8Array)) {
    throw new EpindexError('INVALID_ARGUMENT', `parseEntryPointsTxt: content must be a string or a Uint8Array, not ${describe(content)}`);
  }
  if (typeof options !== 'object' || options === null || (options.file !== undefined && typeof options.file !== 'string')) {
    throw new EpindexError('INVALID_ARGUMENT', `parseEntryPointsTxt: options must be an object whose file, if given, is a string; got ${describe(options)}`);
  }
  const file = options.file;
  const diagnostics: Diagnostic[] = [];
  let text: string;
  if (typeof content === 'string') {
    text = content;
  } else {
    try {
      text = utf8.decode(content);
    } catch (e) {
      if ((e as { code?: unknown }).code === 'ERR_STRING_TOO_LONG') {
        diagnostics.push(diagnostic('EP113', `${content.length} bytes are more than a string can hold; no entry points are read from this file`, { file }));
        return { entries: [], diagnostics };
      }
      const offset = firstInvalidUtf8(content);
      // Lines as everywhere else (str.splitlines): the breaks before the invalid byte, plus one.
      const line = pySplitlines(lenientUtf8.decode(content.subarray(0, offset)) + 'x').length;
      diagnostics.push(diagnostic('EP101', `invalid UTF-8 at byte ${offset}; no entry points are read from this file`, { file, line }));
      return { entries: [], diagnostics };
    }
  }
  if (text.charCodeAt(0) === 0xfeff) {
    text = text.slice(1);
    diagnostics.push(diagnostic('EP102', 'UTF-8 byte order mark removed (importlib.metadata would silently drop the first group)', { file, line: 1 }));
  }

  const entries: EntryPointLine[] = [];
  const lines = pySplitlines(text);
  let group: string | null = null;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const line = i + 1;
    const s = pyStrip(raw);
    if (s === '' || s.charCodeAt(0) === 0x23 /* # */) continue;
    // importlib raises for a `;` line only when it has no `=`; with one, it is an entry point named `;…`.
    if (s.charCodeAt(0) === 0x3b /* ; */ && !s.includes('=')) {
      diagnostics.push(diagnostic('EP103', '";" comment line treated as a comment (importlib.metadata raises TypeError here)', { file, line }));
      continue;
    }
    if (s.charCodeAt(0) === 0x5b /* [ */ && s.charCodeAt(s.length - 1) === 0x5d /* ] */) {
      group = pyStripChars(s, '[]');
      if (!GROUP_NAME.test(group)) {
        diagnostics.push(diagnostic('EP107', `invalid group name ${quote(group)} (must match ^\\w+(\\.\\w+)*$); its entry points are kept`, { file, line }));
      }
      continue;
    }
    if (group === null) {
      diagnostics.push(diagnostic('EP109', `line before the first [group] header skipped: ${quote(s)}`, { file, line }));
      continue;
    }
    const eq = s.indexOf('=');
    if (eq < 0) {
      diagnostics.push(diagnostic('EP104', `line without "=" skipped: ${quote(s)} (importlib.metadata raises TypeError here)`, { file, line }));
      continue;
    }
    const name = pyStrip(s.slice(0, eq));
    const value = pyStrip(s.slice(eq + 1));
    entries.push({ group, name, value, line });
    if (name === '') diagnostics.push(diagnostic('EP105', `entry point with an empty name in [${clip(group)}]; kept`, { file, line }));
    else if (name.charCodeAt(0) === 0x5b) diagnostics.push(diagnostic('EP110', `entry point name ${quote(name)} starts with "["; kept`, { file, line }));
    if (value === '') {
      diagnostics.push(diagnostic('EP106', `entry point ${quote(name)} in [${clip(group)}] has an empty value; kept`, { file, line }));
    } else {
      const ref = parseObjectReference(value);
      if (!ref.ok) diagnostics.push(diagnostic('EP108', `invalid object reference ${quote(value)} for ${quote(name)} in [${clip(group)}]: ${ref.problem}; kept`, { file, line }));
    }
  }
  return { entries, diagnostics };
}

/** At most 200 UTF-16 units of `s` (not splitting a surrogate pair): a diagnostic quotes a line, never a megabyte of it. */
function clip(s: string): string {
  if (s.length <= 200) return s;
  const end = s.charCodeAt(199) >= 0xd800 && s.charCodeAt(199) <= 0xdbff ? 199 : 200;
  return `${s.slice(0, end)}…`;
}
const quote = (s: string): string => JSON.stringify(clip(s));

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'object') return (v as object).constructor?.name ?? 'an object';
  return typeof v;
}

/** Offset of the first byte that strict UTF-8 decoding rejects (only called on failure). */
function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    let need = 0;
    let min = 0;
    if (c < 0x80) {
      i++;
      continue;
    } else if (c >= 0xc2 && c <= 0xdf) { need = 1; min = 0x80; }
    else if (c >= 0xe0 && c <= 0xef) { need = 2; min = 0x800; }
    else if (c >= 0xf0 && c <= 0xf4) { need = 3; min = 0x10000; }
    else return i;
    let cp = c & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const x = b[i + k];
      if (x === undefined || (x & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (x & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return b.length;
}

export interface RenderableEntryPoint {
  readonly group: string;
  readonly name: string;
  readonly value: string;
}

const BREAKS = /[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/;

/** Why the reader could not read this entry back identically from a rendered file; `null` if it can. */
export function unrenderableReason(e: RenderableEntryPoint): string | null {
  if (BREAKS.test(e.group) || BREAKS.test(e.name) || BREAKS.test(e.value)) return 'contains a line break';
  if (/^[[\]]|[[\]]$/.test(e.group)) return 'group starts or ends with a bracket';
  if (pyStrip(e.name) !== e.name || pyStrip(e.value) !== e.value) return 'leading or trailing whitespace';
  if (e.name.includes('=')) return 'name contains "="';
  if (/^[#;[]/.test(e.name)) return 'line would read as a comment or a group header';
  return null;
}

/**
 * Canonical entry_points.txt: groups sorted, entries sorted by name (then value), one blank
 * line between groups, `name = value` lines, a final newline. Sorting is by code point, as
 * Python sorts. Throws `UNRENDERABLE` for an entry the reader could not read back identically.
 */
export function renderEntryPointsTxt(entries: Iterable<RenderableEntryPoint>): string {
  const groups = new Map<string, RenderableEntryPoint[]>();
  for (const e of entries) {
    const why = unrenderableReason(e);
    if (why !== null) throw new EpindexError('UNRENDERABLE', `cannot render [${e.group}] ${JSON.stringify(e.name)} = ${JSON.stringify(e.value)}: ${why}`);
    let list = groups.get(e.group);
    if (list === undefined) groups.set(e.group, (list = []));
    list.push(e);
  }
  const out: string[] = [];
  for (const group of [...groups.keys()].sort(compareCodePoints)) {
    const list = groups.get(group)!.slice().sort((a, b) => compareCodePoints(a.name, b.name) || compareCodePoints(a.value, b.value));
    if (out.length > 0) out.push('');
    out.push(`[${group}]`);
    for (const e of list) out.push(e.value === '' ? `${e.name} =` : `${e.name} = ${e.value}`);
  }
  return out.length === 0 ? '' : out.join('\n') + '\n';
}
