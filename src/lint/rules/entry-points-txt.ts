/**
 * Rules on the text of an entry_points.txt: the line-level constructs readers disagree about
 * (docs/spec.md §12.3), then the entry-level rules on what epindex reads from it.
 */
import { parseEntryPointsTxt, type EntryPointLine } from '../../format/entry-points-txt.js';
import { GROUP_NAME, pyStrip, pyStripChars } from '../../python/text.js';
import { finding, type Finding } from '../findings.js';
import { checkEntries } from './entries.js';

export interface TxtLint {
  readonly findings: Finding[];
  /** What epindex reads from the file (empty when it is not UTF-8). */
  readonly entries: readonly EntryPointLine[];
}

const PY_SPACE = '\t\n\v\f\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000';
/** The line breaks of str.splitlines, with the ones configparser (universal newlines) also knows first. */
const LINE = /([^\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029]*)(\r\n|[\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029]|$)/gy;
const UNUSUAL_BREAK = /[\v\f\x1c\x1d\x1e\x85\u2028\u2029]/;

function indentOf(raw: string): number {
  let i = 0;
  while (i < raw.length && PY_SPACE.includes(raw[i]!)) i++;
  return i;
}

/** Lint entry_points.txt bytes; `file` labels the findings. */
export function lintEntryPointsTxt(content: Uint8Array | string, file?: string): TxtLint {
  const parsed = parseEntryPointsTxt(content, file !== undefined ? { file } : {});
  const out: Finding[] = [];
  const bad = parsed.diagnostics.find((d) => d.code === 'EP101');
  if (bad !== undefined) {
    out.push(finding('EP628', bad.message, { file, line: bad.line }));
    return { findings: out, entries: [] };
  }
  let text = typeof content === 'string' ? content : new TextDecoder('utf-8', { ignoreBOM: true }).decode(content);
  if (text.charCodeAt(0) === 0xfeff) {
    out.push(finding('EP622', 'the file starts with a UTF-8 byte order mark', { file, line: 1 }));
    text = text.slice(1);
  }

  // One pass over the lines as str.splitlines numbers them, tracking what configparser would
  // see: the current section, and the indentation of the last option line (continuations).
  let lineNo = 0;
  let group: string | null = null;
  const groups = new Set<string>();
  let optionIndent: number | null = null;
  LINE.lastIndex = 0;
  while (LINE.lastIndex < text.length) {
    const m = LINE.exec(text);
    if (m === null) break;
    const [, raw = '', brk = ''] = m;
    lineNo++;
    const at = { file, line: lineNo };
    if (UNUSUAL_BREAK.test(brk)) out.push(finding('EP633', `line ${lineNo} ends with ${JSON.stringify(brk)}, a line break only some readers know`, at));
    const s = pyStrip(raw);
    if (s === '' || s.startsWith('#')) continue;
    const indent = indentOf(raw);
    if (s.startsWith(';') && !s.includes('=')) {
      out.push(finding('EP620', `";" comment line: ${JSON.stringify(s)}`, at));
      continue;
    }
    if (optionIndent !== null && indent > optionIndent) {
      out.push(finding('EP623', `indented line ${JSON.stringify(s)} after an entry point; configparser-based readers join it to that entry point's value`, at));
    }
    if (s.startsWith('[') && s.endsWith(']')) {
      const name = pyStripChars(s, '[]');
      if (s.startsWith('[[') || s.endsWith(']]')) out.push(finding('EP632', `group header ${JSON.stringify(s)} has extra brackets`, at));
      else if (pyStrip(s.slice(1, -1)) !== s.slice(1, -1)) out.push(finding('EP631', `group header ${JSON.stringify(s)} has whitespace inside the brackets`, at));
      if (!GROUP_NAME.test(name)) out.push(finding('EP601', `invalid group name ${JSON.stringify(name)} (must match ^\\w+(\\.\\w+)*$)`, at));
      if (name === 'DEFAULT') out.push(finding('EP624', '[DEFAULT] group', at));
      if (groups.has(name)) out.push(finding('EP627', `[${name}] appears again`, at));
      groups.add(name);
      group = name;
      // An indented header after an option is a continuation for configparser, not a header.
      if (!(optionIndent !== null && indent > optionIndent)) optionIndent = null;
      continue;
    }
    if (group === null) {
      out.push(finding('EP626', `line before the first [group] header: ${JSON.stringify(s)}`, at));
      continue;
    }
    if (!s.includes('=')) {
      out.push(finding('EP630', `line without "=": ${JSON.stringify(s)}`, at));
      continue;
    }
    if (optionIndent === null || indent <= optionIndent) optionIndent = indent;
  }
  out.push(...checkEntries(parsed.entries.map((e) => ({ ...e, file })), { read: true }));
  return { findings: out, entries: parsed.entries };
}
