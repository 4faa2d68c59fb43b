/**
 * The few facts discovery needs from METADATA / PKG-INFO: `Name` and `Version` headers
 * (RFC 822 style, as `email.message_from_string` reads them: headers end at the first blank
 * line, a header continues on lines that start with whitespace, the first occurrence wins).
 */
import { diagnostic, type Diagnostic } from '../diagnostics.js';

export interface CoreMetadata {
  readonly name: string | null;
  readonly version: string | null;
}

export interface ReadMetadata extends CoreMetadata {
  readonly diagnostics: readonly Diagnostic[];
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lenientUtf8 = new TextDecoder('utf-8', { ignoreBOM: true });

/** NUL, the other C0 controls but tab, DEL and the C1 controls: never part of a name or version. */
const CONTROL = /[\0-\x08\x0a-\x1f\x7f-\x9f]/;

/**
 * Read `Name` and `Version` from METADATA / PKG-INFO bytes. Strict UTF-8, as importlib reads
 * them; bytes that are not UTF-8 are read as U+FFFD with a warning (EP211: importlib raises
 * UnicodeDecodeError for them), and a Name or Version holding a control character (a NUL…) is
 * kept, as importlib keeps it, with a warning (EP212). `file` labels the diagnostics.
 */
export function readCoreMetadata(content: Uint8Array | string, options: { file?: string } = {}): ReadMetadata {
  const diagnostics: Diagnostic[] = [];
  const base = options.file === undefined ? 'metadata' : options.file.slice(Math.max(options.file.lastIndexOf('/'), options.file.lastIndexOf('\\')) + 1);
  let text: string;
  if (typeof content === 'string') {
    text = content;
  } else {
    try {
      text = strictUtf8.decode(content);
    } catch {
      text = lenientUtf8.decode(content);
      diagnostics.push(diagnostic('EP211', `${base} is not valid UTF-8 (importlib.metadata raises UnicodeDecodeError reading it); its Name and Version are read with U+FFFD for the bad bytes`, { file: options.file }));
    }
  }
  const md = readHeaders(text);
  for (const [key, value] of [['Name', md.name], ['Version', md.version]] as const) {
    if (value !== null && CONTROL.test(value)) {
      diagnostics.push(diagnostic('EP212', `${base} ${key} ${JSON.stringify(value.length > 80 ? value.slice(0, 80) + '…' : value)} holds a control character; kept, as importlib.metadata keeps it`, { file: options.file }));
    }
  }
  return { ...md, diagnostics };
}

function readHeaders(text: string): CoreMetadata {
  let name: string | null = null;
  let version: string | null = null;
  const lines = text.split(/\r\n|\n|\r/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') break;
    const colon = line.indexOf(':');
    if (colon <= 0 || line[0] === ' ' || line[0] === '\t') continue;
    const key = line.slice(0, colon).toLowerCase();
    if (key !== 'name' && key !== 'version') continue;
    let value = line.slice(colon + 1);
    while (i + 1 < lines.length && /^[ \t]/.test(lines[i + 1]!)) value += lines[++i];
    value = value.trim();
    if (key === 'name' && name === null) name = value;
    else if (key === 'version' && version === null) version = value;
  }
  return { name: name || null, version: version || null };
}

/** email's header pattern (email.feedparser.headerRE): a field name and a colon, a continuation, or a `From ` line. */
const HEADER_LINE = /^(From |[\x21-\x39\x3b-\x7e]*:|[\t ])/;

/**
 * `dist.metadata['Name']` and `['Version']` exactly as importlib.metadata returns them from this
 * text (the whole METADATA / PKG-INFO, decoded as strict UTF-8), or `null` where that cannot be
 * stated from the text alone: the header is absent (importlib returns None or raises KeyError,
 * depending on its version), or continued on further lines (importlib re-indents those).
 *
 * This is `email.message_from_string` with the compat32 policy, restricted to what the two
 * headers need (spec §5.2, the `importlib` section): universal newlines; the header block ends
 * at the first line that does not match `headerRE` (an empty line, or any other line: the
 * body starts there); `From ` lines are no headers; a line starting with `:` is skipped; a
 * field's value is the text after its first colon with leading spaces and tabs removed and the
 * line break removed — trailing spaces are kept, unlike `readCoreMetadata`'s; the first
 * occurrence of a field (compared case-insensitively) wins.
 */
export function importlibHeaders(text: string): { readonly name: string | null; readonly version: string | null } {
  const t = text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
  // The header block, as email.feedparser collects it: lines (with their newline) while they
  // match headerRE.
  const lines: string[] = [];
  for (let at = 0; at < t.length; ) {
    const nl = t.indexOf('\n', at);
    const line = nl < 0 ? t.slice(at) : t.slice(at, nl + 1);
    if (!HEADER_LINE.test(line)) break;
    lines.push(line);
    at = nl < 0 ? t.length : nl + 1;
  }
  // email.feedparser.FeedParser._parse_headers, then Message.get's first match.
  const found = new Map<string, string | null>();
  let field = '';
  let value: string[] = [];
  const emit = (): void => {
    const key = field.toLowerCase();
    if ((key === 'name' || key === 'version') && !found.has(key)) {
      found.set(key, value.length > 1 ? null : value[0]!.slice(field.length + 1).replace(/^[ \t]+/, '').replace(/[\r\n]+$/, ''));
    }
    field = '';
    value = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line[0] === ' ' || line[0] === '\t') {
      if (field !== '') value.push(line);
      continue;
    }
    if (field !== '') emit();
    if (line.startsWith('From ')) {
      if (i === lines.length - 1 && i > 0) break; // email pushes it back: the body's first line
      continue;
    }
    const colon = line.indexOf(':');
    if (colon === 0) continue;
    field = line.slice(0, colon);
    value = [line];
  }
  if (field !== '') emit();
  return { name: found.get('name') ?? null, version: found.get('version') ?? null };
}
