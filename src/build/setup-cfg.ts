/**
 * setup.cfg → entry points, as setuptools reads them (setuptools/dist.py `_parse_config_files`,
 * setuptools/config/setupcfg.py, setuptools/_entry_points.py):
 *
 * - `[options] entry_points = <INI text>` (or `file: a.cfg, b.cfg`): the text is read by
 *   importlib.metadata's one-pass reader, as entry_points.txt is;
 * - `[options.entry_points]`: each option is a group; its value is split into lines (or, on
 *   one line, at every ","), each line stripped, blank and "#" lines dropped, and the lines
 *   read under a `[group]` header by the same reader.
 *
 * When both are given, the first in the file wins (setuptools skips an option already set).
 */
import * as path from 'node:path';
import { parseEntryPointsTxt, type EntryPointLine } from '../format/entry-points-txt.js';
import { readSmallFile, smallFileProblem } from '../fsutil.js';
import { finding, type Finding } from '../lint/findings.js';
import { checkEntries, type DeclaredEntry } from '../lint/rules/entries.js';
import { pySplitlines, pyStrip } from '../python/text.js';
import type { BuildDeclaration, SetuptoolsValue } from './declaration.js';
import { interpolate, parseIni, sectionOptions, type IniFile, type IniOption, type IniSection } from './ini.js';

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

interface Source {
  readonly kind: 'inline' | 'section';
  readonly line: number;
  readonly entries: DeclaredEntry[];
  readonly findings: Finding[];
  readonly empty: boolean;
  /** What setuptools holds as `entry_points` from this source. */
  readonly value: SetuptoolsValue;
}

/** Read setup.cfg the way setuptools does; never throws for what the file contains. */
export function readSetupCfg(file: string, content?: Uint8Array): BuildDeclaration {
  const findings: Finding[] = [];
  const result = (entries: readonly DeclaredEntry[] = []): BuildDeclaration => ({ file, entries, findings, dynamic: [] });
  let text: string;
  // As every file epindex reads (§4.1.2): a regular file, within the size limit, never blocking.
  const read = content === undefined ? readSmallFile(file) : null;
  if (read !== null && !read.ok) {
    findings.push(finding('EP670', `setup.cfg ${smallFileProblem(read)}`, { file }));
    return result();
  }
  try {
    text = utf8.decode(content ?? read!.bytes);
  } catch {
    findings.push(finding('EP670', 'setup.cfg is not valid UTF-8 (setuptools reads it as UTF-8)', { file }));
    return result();
  }
  const ini = parseIni(text);
  for (const e of ini.errors) findings.push(finding('EP670', `configparser raises ${e.error}: ${e.message}`, { file, line: e.line }));
  if (ini.errors.length > 0) return result();

  // setuptools calls parser.get() on every option of every section: an interpolation error anywhere fails the build.
  let fatal = false;
  for (const section of ini.sections) {
    for (const opt of sectionOptions(ini, section)) {
      const v = interpolate(ini, section, opt.raw);
      if (v.ok) continue;
      const isEntryPoints = section.name === 'options.entry_points' || (section.name === 'options' && opt.name === 'entry_points');
      findings.push(finding(isEntryPoints ? 'EP671' : 'EP670', `[${section.name}] ${opt.name}: configparser raises ${v.error}: ${v.message}`, { file, line: opt.line }));
      fatal = true;
    }
  }
  if (fatal) return result();

  const sources: Source[] = [];
  for (const section of ini.sections) {
    if (section.name === 'options') {
      const opt = sectionOptions(ini, section).find((o) => o.name === 'entry_points');
      if (opt !== undefined) sources.push(inlineSource(file, ini, section, opt));
    } else if (section.name === 'options.entry_points') {
      sources.push(sectionSource(file, ini, section));
    }
  }
  const used = sources.find((s) => !s.empty);
  for (const s of sources) {
    if (s.empty) findings.push(...s.findings);
    if (s === used || s.empty) continue;
    findings.push(finding('EP673', `${s.kind === 'inline' ? '[options] entry_points' : '[options.entry_points]'} is ignored: setuptools keeps the entry points of ${used!.kind === 'inline' ? '[options] entry_points' : '[options.entry_points]'} (line ${used!.line}), which come first`, { file, line: s.line }));
  }
  if (used === undefined) return result();
  findings.push(...used.findings, ...checkEntries(used.entries));
  return { ...result(used.entries), setuptools: used.value, line: used.line };
}

/**
 * What setuptools' reader (importlib.metadata's Sectioned) makes of entry point text from
 * setup.cfg (`code` EP675) or setup.py (EP683); `where` maps text lines to source lines.
 */
export function readEntryPointsText(text: string, where: (line: number) => { file: string; line: number | undefined }, findings: Finding[], code: 'EP675' | 'EP683' = 'EP675'): DeclaredEntry[] {
  const bom = text.charCodeAt(0) === 0xfeff;
  const parsed = parseEntryPointsTxt(text);
  let entries: readonly EntryPointLine[] = parsed.entries;
  if (bom) {
    // The reader setuptools uses does not remove a BOM: the first header is not recognised, and
    // everything up to the next header is dropped.
    const second = pySplitlines(text.slice(1)).findIndex((l, i) => i > 0 && /^\[.*\]$/su.test(pyStrip(l)));
    const limit = second < 0 ? Infinity : second + 1;
    findings.push(finding(code, 'the text starts with a byte order mark: setuptools does not recognise the first group header and drops its entry points', where(1)));
    entries = entries.filter((e) => e.line >= limit);
  }
  for (const d of parsed.diagnostics) {
    if (d.code === 'EP103' || d.code === 'EP104') findings.push(finding(code, `${d.message.replace(/ \(importlib\.metadata raises TypeError here\)$/, '')}; setuptools stops the build (TypeError)`, where(d.line ?? 1)));
    else if (d.code === 'EP109') findings.push(finding(code, `${d.message.replace(/ skipped: /, ' dropped by setuptools: ')}`, where(d.line ?? 1)));
  }
  return entries.map((e) => ({ group: e.group, name: e.name, value: e.value, ...where(e.line) }));
}

function inlineSource(file: string, ini: IniFile, section: IniSection, opt: IniOption): Source {
  const findings: Finding[] = [];
  const value = interpolate(ini, section, opt.raw);
  const raw = value.ok ? value.value : '';
  if (raw.startsWith('file:')) {
    const root = path.dirname(path.resolve(file));
    const parts: Array<{ text: string; file: string }> = [];
    for (const spec of raw.slice('file:'.length).split(',').map((s) => pyStrip(s))) {
      const target = path.resolve(root, spec);
      if (!target.startsWith(root + path.sep)) {
        findings.push(finding('EP674', `"file: ${spec}" is outside the project directory; setuptools refuses it`, { file, line: opt.line }));
        continue;
      }
      const read = readSmallFile(target);
      if (!read.ok) {
        const why = read.problem === 'absent' ? 'cannot be read (ENOENT)' : read.problem === 'not-regular' && read.what === 'a directory' ? 'cannot be read (ENOTFILE)' : smallFileProblem(read);
        findings.push(finding('EP674', `"file: ${spec}" ${why}; setuptools skips it and loses its entry points`, { file, line: opt.line }));
        continue;
      }
      const bytes = read.bytes;
      try {
        parts.push({ text: utf8.decode(bytes), file: target });
      } catch {
        findings.push(finding('EP674', `"file: ${spec}" is not valid UTF-8; setuptools cannot read it`, { file, line: opt.line }));
      }
    }
    // setuptools joins the files with "\n" and reads the whole; lines map back to their file.
    const text = parts.map((p) => p.text).join('\n');
    const starts: number[] = [];
    let n = 1;
    for (const p of parts) {
      starts.push(n);
      n += Math.max(1, pySplitlines(p.text + 'x').length) ;
    }
    const where = (line: number): { file: string; line: number | undefined } => {
      let k = 0;
      while (k + 1 < starts.length && starts[k + 1]! <= line) k++;
      return parts.length === 0 ? { file, line: opt.line } : { file: parts[k]!.file, line: line - starts[k]! + 1 };
    };
    const entries = readEntryPointsText(text, where, findings);
    return { kind: 'inline', line: opt.line, entries, findings, empty: text === '', value: { kind: 'text', truthy: text !== '' } };
  }
  // An inline INI text: line k of the value is source line opt.lines[k-1].
  const where = (line: number): { file: string; line: number | undefined } => ({ file, line: opt.lines[line - 1] ?? opt.line });
  const entries = readEntryPointsText(raw, where, findings);
  return { kind: 'inline', line: opt.line, entries, findings, empty: raw === '', value: { kind: 'text', truthy: raw !== '' } };
}

function sectionSource(file: string, ini: IniFile, section: IniSection): Source {
  const findings: Finding[] = [];
  const entries: DeclaredEntry[] = [];
  // setuptools' _parse_list keeps every non-blank piece ("#" ones too): a group is given when it has one.
  const groups = new Map<string, boolean>();
  for (const opt of sectionOptions(ini, section)) {
    const value = interpolate(ini, section, opt.raw);
    const raw = value.ok ? value.value : '';
    // _parse_list: lines when there is a line break, else comma-separated; stripped, blanks dropped.
    let items: Array<{ text: string; line: number }>;
    if (raw.includes('\n')) {
      const rawLines = raw.split('\n');
      items = [];
      rawLines.forEach((l, k) => {
        for (const piece of pySplitlines(l)) items.push({ text: pyStrip(piece), line: opt.lines[k] ?? opt.line });
      });
    } else {
      const pieces = raw.split(',');
      if (pieces.filter((p) => pyStrip(p) !== '').length > 1 || (raw.includes(',') && raw.includes('['))) {
        findings.push(finding('EP672', `[options.entry_points] ${opt.name} is one line with ",": setuptools reads ${pieces.filter((p) => pyStrip(p) !== '').length} entry points ${JSON.stringify(pieces.map((p) => pyStrip(p)).filter(Boolean))}`, { file, line: opt.line }));
      }
      items = pieces.map((p) => ({ text: pyStrip(p), line: opt.line }));
    }
    // load_group: yield_lines (blank and "#" lines dropped), under a [group] header.
    groups.set(opt.name, items.some((it) => it.text !== ''));
    const kept = items.filter((it) => it.text !== '' && !it.text.startsWith('#'));
    const text = `[${opt.name}]\n` + kept.map((it) => it.text).join('\n');
    const where = (line: number): { file: string; line: number | undefined } => ({ file, line: line === 1 ? opt.line : kept[line - 2]?.line ?? opt.line });
    entries.push(...readEntryPointsText(text, where, findings));
  }
  return { kind: 'section', line: section.line, entries, findings, empty: section.options.size === 0 && ini.defaults.size === 0, value: { kind: 'dict', groups } };
}
