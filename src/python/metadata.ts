/**
 * The few facts discovery needs from METADATA / PKG-INFO: `Name` and `Version` headers
 * (RFC 822 style, as `email.message_from_string` reads them: headers end at the first blank
 * line, a header continues on lines that start with whitespace, the first occurrence wins).
 */
export interface CoreMetadata {
  readonly name: string | null;
  readonly version: string | null;
}

export function readCoreMetadata(text: string): CoreMetadata {
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
