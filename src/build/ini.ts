/**
 * setup.cfg as setuptools reads it: Python's `configparser.ConfigParser()` with its defaults
 * (delimiters "=" and ":", full-line "#" and ";" comments, no inline comments, strict,
 * empty lines kept in values, [DEFAULT], BasicInterpolation) and `optionxform = str`.
 *
 * Handwritten because the exact behaviour decides what setuptools writes: continuation lines
 * by indentation, blank lines inside values, the first delimiter wins, "%" interpolation. No
 * JavaScript INI library reads configparser's dialect (they split at "=" per line and know no
 * continuations). Lines are split as universal-newline text files are: at \n, \r\n and \r.
 */

export interface IniOption {
  readonly name: string;
  /** The raw value: first line and continuation lines (each stripped) joined with "\n", right-stripped. */
  readonly raw: string;
  readonly line: number;
  /** The line of each line of `raw` (blank lines included), for findings inside multi-line values. */
  readonly lines: readonly number[];
}

export interface IniSection {
  readonly name: string;
  readonly line: number;
  readonly options: Map<string, IniOption>;
}

export interface IniError {
  /** configparser's exception class name. */
  readonly error: 'MissingSectionHeaderError' | 'DuplicateSectionError' | 'DuplicateOptionError' | 'ParsingError';
  readonly line: number;
  readonly message: string;
}

export interface IniFile {
  /** In file order; [DEFAULT] is not among them. */
  readonly sections: IniSection[];
  readonly defaults: Map<string, IniOption>;
  /** What configparser would raise (ParsingErrors are all collected, as configparser reports them). */
  readonly errors: IniError[];
}

// Python's str.isspace characters (str.strip, \s).
const SPACE = '\t\n\v\f\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000';
const strip = (s: string): string => {
  let a = 0;
  let b = s.length;
  while (a < b && SPACE.includes(s[a]!)) a++;
  while (b > a && SPACE.includes(s[b - 1]!)) b--;
  return s.slice(a, b);
};
const rstrip = (s: string): string => {
  let b = s.length;
  while (b > 0 && SPACE.includes(s[b - 1]!)) b--;
  return s.slice(0, b);
};
const SECTION = /^\[(.+)\]/su;
// (?P<option>.*?)\s*(?P<vi>=|:)\s*(?P<value>.*)$
const OPTION = /^(.*?)\s*([=:])\s*(.*)$/su;

interface Pending {
  name: string;
  parts: string[];
  line: number;
  lines: number[];
}

export function parseIni(text: string): IniFile {
  const sections: IniSection[] = [];
  const defaults = new Map<string, IniOption>();
  const errors: IniError[] = [];
  const byName = new Map<string, IniSection>();
  const added = new Set<string>();
  let cursect: Map<string, Pending | IniOption> | null = null;
  let sectname = '';
  let optname: string | null = null;
  let indentLevel = 0;
  const lines = text.split(/\r\n|\n|\r/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const raw = new Map<Map<string, Pending | IniOption>, Map<string, Pending>>();
  const pendingIn = (sect: Map<string, Pending | IniOption>): Map<string, Pending> => {
    let p = raw.get(sect);
    if (p === undefined) raw.set(sect, (p = new Map()));
    return p;
  };
  const defaultsRaw = new Map<string, Pending | IniOption>();
  lines.forEach((line, i) => {
    const lineno = i + 1;
    const stripped = strip(line);
    const isComment = stripped.startsWith('#') || stripped.startsWith(';');
    const value = isComment ? '' : stripped;
    if (value === '') {
      // empty_lines_in_values: a blank line (not a comment) continues the current value.
      if (!isComment && cursect !== null && optname !== null) {
        const p = pendingIn(cursect).get(optname);
        if (p !== undefined) {
          p.parts.push('');
          p.lines.push(lineno);
        }
      }
      return;
    }
    const indent = line.length - line.replace(/^[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/u, '').length;
    if (cursect !== null && optname !== null && indent > indentLevel) {
      const p = pendingIn(cursect).get(optname);
      if (p !== undefined) {
        p.parts.push(value);
        p.lines.push(lineno);
      }
      return;
    }
    indentLevel = indent;
    const sm = SECTION.exec(value);
    if (sm) {
      sectname = sm[1]!;
      const existing = byName.get(sectname);
      if (existing !== undefined) {
        if (added.has(sectname)) errors.push({ error: 'DuplicateSectionError', line: lineno, message: `section ${JSON.stringify(sectname)} already exists` });
        cursect = existing.options as Map<string, Pending | IniOption>;
        added.add(sectname);
      } else if (sectname === 'DEFAULT') {
        cursect = defaultsRaw;
      } else {
        const s: IniSection = { name: sectname, line: lineno, options: new Map() };
        sections.push(s);
        byName.set(sectname, s);
        cursect = s.options as Map<string, Pending | IniOption>;
        added.add(sectname);
      }
      optname = null;
      return;
    }
    if (cursect === null) {
      errors.push({ error: 'MissingSectionHeaderError', line: lineno, message: `line ${lineno} comes before the first [section] header: ${JSON.stringify(line)}` });
      // configparser stops at the first MissingSectionHeaderError.
      cursect = new Map();
      optname = null;
      lines.length = i + 1;
      return;
    }
    const om = OPTION.exec(value);
    if (!om || om[1] === '') {
      errors.push({ error: 'ParsingError', line: lineno, message: `line ${lineno} is neither a [section], an option ("name = value") nor a comment: ${JSON.stringify(line)}` });
      if (om) optname = null;
      return;
    }
    const name = rstrip(om[1]!);
    const key = `${sectname}\0${name}`;
    if (added.has(key)) errors.push({ error: 'DuplicateOptionError', line: lineno, message: `option ${JSON.stringify(name)} in section ${JSON.stringify(sectname)} already exists` });
    added.add(key);
    optname = name;
    const p: Pending = { name, parts: [strip(om[3]!)], line: lineno, lines: [lineno] };
    pendingIn(cursect).set(name, p);
    cursect.set(name, p);
  });
  // _join_multiline_values
  const finish = (sect: Map<string, Pending | IniOption>, into: Map<string, IniOption>): void => {
    for (const [name, p] of pendingIn(sect)) {
      const joined = rstrip(p.parts.join('\n'));
      const kept = joined.split('\n').length;
      into.set(name, { name, raw: joined, line: p.line, lines: p.lines.slice(0, kept) });
    }
  };
  finish(defaultsRaw, defaults);
  for (const s of sections) {
    const target = new Map<string, IniOption>();
    finish(s.options as Map<string, Pending | IniOption>, target);
    s.options.clear();
    for (const [k, v] of target) s.options.set(k, v);
  }
  return { sections, defaults, errors };
}

/** configparser's `options(section)`: its own options, then the defaults it does not override. */
export function sectionOptions(ini: IniFile, section: IniSection): IniOption[] {
  const out = [...section.options.values()];
  for (const [k, v] of ini.defaults) if (!section.options.has(k)) out.push(v);
  return out;
}

export type Interpolated = { ok: true; value: string } | { ok: false; error: 'InterpolationSyntaxError' | 'InterpolationMissingOptionError' | 'InterpolationDepthError'; message: string };

const MAX_DEPTH = 10;

/** BasicInterpolation.before_get: "%%" is "%", "%(name)s" another option of the section (or DEFAULT). */
export function interpolate(ini: IniFile, section: IniSection, raw: string, depth = 1): Interpolated {
  if (depth > MAX_DEPTH) return { ok: false, error: 'InterpolationDepthError', message: 'interpolation goes deeper than 10 levels' };
  let out = '';
  let rest = raw;
  while (rest !== '') {
    const p = rest.indexOf('%');
    if (p < 0) {
      out += rest;
      break;
    }
    out += rest.slice(0, p);
    rest = rest.slice(p);
    const c = rest[1];
    if (c === '%') {
      out += '%';
      rest = rest.slice(2);
    } else if (c === '(') {
      const m = /^%\(([^)]+)\)s/su.exec(rest);
      if (m === null) return { ok: false, error: 'InterpolationSyntaxError', message: `bad interpolation variable reference ${JSON.stringify(rest)}` };
      const ref = m[1]!;
      const opt = section.options.get(ref) ?? ini.defaults.get(ref);
      if (opt === undefined) return { ok: false, error: 'InterpolationMissingOptionError', message: `"%(${ref})s" refers to no option of [${section.name}] or [DEFAULT]` };
      rest = rest.slice(m[0].length);
      if (opt.raw.includes('%')) {
        const inner = interpolate(ini, section, opt.raw, depth + 1);
        if (!inner.ok) return inner;
        out += inner.value;
      } else {
        out += opt.raw;
      }
    } else {
      return { ok: false, error: 'InterpolationSyntaxError', message: `"%" must be followed by "%" or "(", found: ${JSON.stringify(rest)}` };
    }
  }
  return { ok: true, value: out };
}
