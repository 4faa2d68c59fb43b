/**
 * The cache file format, version 2 (docs/spec.md §5.2, schema/cache-v2.schema.json).
 *
 * JSON Lines: a header line, then one line per section. The header names every section's byte
 * range and SHA-256, and ends with the SHA-256 of its own bytes, so a reader parses — and
 * verifies — only the sections a lookup needs: a group lookup reads the distribution list and
 * that group's entry points, not the whole environment. Serialization is deterministic (fixed
 * key order, records in scan order, which is sorted): the same directory gives the same bytes.
 */
import { createHash } from 'node:crypto';
import { diagnostic, DIAGNOSTIC_CODES, type DiagnosticCode } from '../diagnostics.js';
import { normalizeName, type DistributionLayout } from '../entry-point.js';
import type { EntryPointLine } from '../format/entry-points-txt.js';
import type { DistRecord, DistStamps, PathEntryKind, PathEntryScan, Stamp } from '../python/discover.js';
import { CacheSectionError, compareIndexed, type DistSummary, type EntryView, type IndexedDiagnostic, type IndexedEntry } from '../entry-view.js';

export const CACHE_FORMAT = 'epindex-cache';
export const CACHE_VERSION = 2;

/** What a file holds: a path entry's scan with its stamps. */
export interface CacheContent {
  readonly kind: Extract<PathEntryKind, 'directory' | 'zip'>;
  /** The path entry's real path when the cache was built (checked for user-cache files). */
  readonly realPath: string;
  readonly scan: PathEntryScan;
}

type StampJSON = [ino: string, size: string, mtimeNs: string, ctimeNs: string];
type SectionRef = [offset: number, length: number, sha256: string];

const sha256 = (s: string | Uint8Array): string => createHash('sha256').update(s).digest('hex');
const stampJSON = (s: Stamp): StampJSON => [s.ino, s.size, s.mtimeNs, s.ctimeNs];

/** Serialize; `scan` must have been made with stamps. */
export function serializeCache(content: CacheContent): string {
  const { scan } = content;
  if (scan.stamp === undefined) throw new Error('serializeCache: the scan has no stamps');
  const groups = new Map<string, Array<[number, string, string, number]>>();
  const diagnostics: Array<[number, DiagnosticCode, string | null, number | null, string]> = scan.diagnostics.map((d) => [-1, d.code, d.file ?? null, d.line ?? null, d.message]);
  scan.dists.forEach((r, i) => {
    for (const e of r.entryPoints) {
      let list = groups.get(e.group);
      if (list === undefined) groups.set(e.group, (list = []));
      list.push([i, e.name, e.value, e.line]);
    }
    for (const d of r.diagnostics) diagnostics.push([i, d.code, d.file ?? null, d.line ?? null, d.message]);
  });
  const sections: Array<[string, unknown]> = [
    ['dists', scan.dists.map((r) => [r.child, r.layout, r.name, r.version, r.hasMetadata])],
    ['stamps', scan.dists.map((r) => (r.stamps === undefined ? null : [stampJSON(r.stamps.self), r.stamps.entryPoints ? stampJSON(r.stamps.entryPoints) : null, r.stamps.metadata ? stampJSON(r.stamps.metadata) : null]))],
    ['listing', scan.listing],
    ['diagnostics', diagnostics],
    ...[...groups.keys()].sort().map((g): [string, unknown] => [`group:${g}`, groups.get(g)]),
  ];
  const index: Record<string, SectionRef> = {};
  const lines: string[] = [];
  let offset = 0;
  for (const [name, value] of sections) {
    const line = JSON.stringify(value);
    const length = Buffer.byteLength(line) + 1;
    index[name] = [offset, length, sha256(line)];
    lines.push(line);
    offset += length;
  }
  const header = JSON.stringify({
    format: CACHE_FORMAT,
    version: CACHE_VERSION,
    kind: content.kind,
    realPath: content.realPath,
    stamp: stampJSON(scan.stamp),
    distributions: scan.dists.length,
    bodyBytes: offset,
    sections: index,
  });
  return `${header.slice(0, -1)},"sha256":"${sha256(header)}"}\n${lines.map((l) => l + '\n').join('')}`;
}

// ---------------------------------------------------------------------------------------------
// Reading

export type OpenResult =
  | { readonly ok: true; readonly entry: CachedEntry }
  | { readonly ok: false; readonly code: 'EP301' | 'EP302' | 'EP303'; readonly reason: string };

const HEADER_SHA = /,"sha256":"([0-9a-f]{64})"\}$/;

/**
 * Open cache bytes: parse and verify the header only. Sections are parsed and verified when a
 * lookup asks for them (`CachedEntry.prepare`). Never throws.
 */
export function openCache(bytes: Buffer, pathEntry: string): OpenResult {
  const nl = bytes.indexOf(0x0a);
  if (nl < 0) return { ok: false, code: 'EP301', reason: 'no header line (truncated or not a cache)' };
  const headerText = bytes.toString('utf8', 0, nl);
  const m = HEADER_SHA.exec(headerText);
  let doc: unknown;
  try {
    doc = JSON.parse(m === null ? headerText : headerText.slice(0, m.index) + '}');
  } catch (e) {
    return { ok: false, code: 'EP301', reason: `not JSON: ${(e as Error).message}` };
  }
  if (!isObject(doc) || doc['format'] !== CACHE_FORMAT) return { ok: false, code: 'EP301', reason: 'not an epindex cache' };
  if (doc['version'] !== CACHE_VERSION) return { ok: false, code: 'EP302', reason: `format version ${JSON.stringify(doc['version'])}, expected ${CACHE_VERSION}` };
  if (m === null) return { ok: false, code: 'EP301', reason: 'no checksum in the header' };
  if (sha256(headerText.slice(0, m.index) + '}') !== m[1]) return { ok: false, code: 'EP303', reason: 'header checksum mismatch' };
  try {
    const kind = doc['kind'] === 'directory' || doc['kind'] === 'zip' ? doc['kind'] : fail('kind');
    const bodyBytes = typeof doc['bodyBytes'] === 'number' ? doc['bodyBytes'] : fail('bodyBytes');
    const expected = nl + 1 + bodyBytes;
    if (bytes.length !== expected) {
      // Shorter: truncated (a crash, a full disk). Longer: something was written into it.
      return bytes.length < expected
        ? { ok: false, code: 'EP301', reason: `truncated: ${bytes.length} bytes, expected ${expected}` }
        : { ok: false, code: 'EP303', reason: `${bytes.length} bytes where the header says ${expected}: edited after it was written` };
    }
    const sections = isObject(doc['sections']) ? doc['sections'] : fail('sections');
    const index = new Map<string, SectionRef>();
    for (const [name, ref] of Object.entries(sections)) {
      const r = arr(ref, 'section');
      if (typeof r[0] !== 'number' || typeof r[1] !== 'number' || typeof r[2] !== 'string' || r[0] + r[1] > bodyBytes) fail(`section ${name}`);
      index.set(name, [r[0], r[1], r[2]]);
    }
    for (const required of ['dists', 'stamps', 'listing', 'diagnostics']) if (!index.has(required)) fail(`section ${required} missing`);
    const entry = new CachedEntry(pathEntry, kind, str(doc['realPath'], 'realPath'), stamp(doc['stamp'], 'stamp'), bytes, nl + 1, index);
    return { ok: true, entry };
  } catch (e) {
    return { ok: false, code: 'EP301', reason: `malformed: ${(e as Error).message}` };
  }
}

/**
 * A cache file, opened: an EntryView whose sections are parsed on demand and kept. Every
 * method that parses can throw CacheSectionError; `prepare` is the one place that lets it
 * (loadPathEntry calls it before handing the entry to a lookup, which then never sees it).
 */
export class CachedEntry implements EntryView {
  readonly pathEntry: string;
  readonly kind: 'directory' | 'zip';
  readonly realPath: string;
  readonly stamp: Stamp;
  readonly #bytes: Buffer;
  readonly #bodyStart: number;
  readonly #index: ReadonlyMap<string, SectionRef>;
  readonly #parsed = new Map<string, unknown>();
  #summaries: DistSummary[] | undefined;
  #stamps: Array<DistStamps | undefined> | undefined;
  #diagnostics: IndexedDiagnostic[] | undefined;
  readonly #groups = new Map<string, IndexedEntry[]>();
  #all: IndexedEntry[] | undefined;

  constructor(pathEntry: string, kind: 'directory' | 'zip', realPath: string, stamp: Stamp, bytes: Buffer, bodyStart: number, index: ReadonlyMap<string, SectionRef>) {
    this.pathEntry = pathEntry;
    this.kind = kind;
    this.realPath = realPath;
    this.stamp = stamp;
    this.#bytes = bytes;
    this.#bodyStart = bodyStart;
    this.#index = index;
  }

  /** The same parsed content, bound to another spelling of the path entry. */
  rebind(pathEntry: string): CachedEntry {
    return new CachedEntry(pathEntry, this.kind, this.realPath, this.stamp, this.#bytes, this.#bodyStart, this.#index);
  }

  #section(name: string): unknown {
    if (this.#parsed.has(name)) return this.#parsed.get(name);
    const ref = this.#index.get(name);
    if (ref === undefined) throw new CacheSectionError('EP301', `section ${name} missing`);
    const start = this.#bodyStart + ref[0];
    const end = start + ref[1] - 1;
    if (this.#bytes[end] !== 0x0a) throw new CacheSectionError('EP301', `section ${name} is not where the header says`);
    const text = this.#bytes.toString('utf8', start, end);
    if (sha256(text) !== ref[2]) throw new CacheSectionError('EP303', `section ${name}: checksum mismatch`);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      throw new CacheSectionError('EP301', `section ${name}: ${(e as Error).message}`);
    }
    this.#parsed.set(name, value);
    return value;
  }

  /** Parse and verify what a lookup for `group` (all groups when undefined) will read. */
  prepare(need: { readonly group?: string | undefined }): void {
    void this.summaries;
    this.diagnostics();
    this.entries(need.group);
  }

  get groups(): string[] {
    return [...this.#index.keys()].filter((k) => k.startsWith('group:')).map((k) => k.slice('group:'.length));
  }

  get summaries(): readonly DistSummary[] {
    return (this.#summaries ??= guard(() => arr(this.#section('dists'), 'dists').map((x): DistSummary => {
      const a = arr(x, 'distribution');
      const layout = LAYOUTS.find((l) => l === a[1]) ?? fail('layout');
      const name = str(a[2], 'name');
      if (typeof a[4] !== 'boolean') fail('hasMetadata');
      return { child: str(a[0], 'child'), layout, name, normalizedName: normalizeName(name), version: strOrNull(a[3], 'version'), hasMetadata: a[4] };
    })));
  }

  get listing(): readonly string[] {
    return guard(() => arr(this.#section('listing'), 'listing').map((n) => str(n, 'listing name')));
  }

  /** The stamps of distribution `i` (all of them are parsed on the first call). */
  stampsOf(i: number): DistStamps | undefined {
    this.#stamps ??= guard(() => arr(this.#section('stamps'), 'stamps').map((x): DistStamps | undefined => {
      if (x === null) return undefined;
      const a = arr(x, 'stamps');
      return {
        self: stamp(a[0], 'stamps.self'),
        entryPoints: a[1] === null ? null : stamp(a[1], 'stamps.entryPoints'),
        ...(a[2] === null ? {} : { metadata: stamp(a[2], 'stamps.metadata') }),
      };
    }));
    return this.#stamps[i];
  }

  diagnostics(): readonly IndexedDiagnostic[] {
    return (this.#diagnostics ??= guard(() => arr(this.#section('diagnostics'), 'diagnostics').map((x): IndexedDiagnostic => {
      const a = arr(x, 'diagnostic');
      if (typeof a[0] !== 'number') fail('diagnostic distribution');
      const code = str(a[1], 'diagnostic code');
      if (!(code in DIAGNOSTIC_CODES)) fail(`unknown diagnostic code ${code}`);
      const file = strOrNull(a[2], 'diagnostic file');
      const line = a[3] === null ? undefined : typeof a[3] === 'number' ? a[3] : fail('diagnostic line');
      return { dist: a[0], diagnostic: diagnostic(code as DiagnosticCode, str(a[4], 'diagnostic message'), { file: file ?? undefined, line }) };
    })));
  }

  entries(group?: string): readonly IndexedEntry[] {
    if (group === undefined) return (this.#all ??= this.groups.flatMap((g) => this.entries(g)).sort(compareIndexed));
    let list = this.#groups.get(group);
    if (list === undefined) {
      list = this.#index.has(`group:${group}`)
        ? guard(() => arr(this.#section(`group:${group}`), 'group').map((x): IndexedEntry => {
            const a = arr(x, 'entry point');
            if (typeof a[0] !== 'number' || typeof a[3] !== 'number') fail('entry point');
            return { dist: a[0], group, name: str(a[1], 'name'), value: str(a[2], 'value'), line: a[3] };
          }))
        : [];
      this.#groups.set(group, list);
    }
    return list;
  }

  /** Distribution `i` as a full record (its entry points from every group). */
  record(i: number): DistRecord {
    const s = this.summaries[i]!;
    const stamps = this.stampsOf(i);
    return {
      ...s,
      entryPoints: this.entries().filter((e) => e.dist === i).map((e): EntryPointLine => ({ group: e.group, name: e.name, value: e.value, line: e.line })),
      diagnostics: this.diagnostics().filter((d) => d.dist === i).map((d) => d.diagnostic),
      ...(stamps === undefined ? {} : { stamps }),
    };
  }

  /** The whole content as a PathEntryScan (every section parsed). */
  toScan(): PathEntryScan {
    return {
      pathEntry: this.pathEntry,
      kind: this.kind,
      dists: this.summaries.map((_, i) => this.record(i)),
      diagnostics: this.diagnostics().filter((d) => d.dist < 0).map((d) => d.diagnostic),
      listing: this.listing,
      stamp: this.stamp,
    };
  }
}

export type ParseResult =
  | { readonly ok: true; readonly content: CacheContent }
  | { readonly ok: false; readonly code: 'EP301' | 'EP302' | 'EP303'; readonly reason: string };

/** Parse and verify a whole cache (every section). Never throws. */
export function parseCache(text: string | Buffer, pathEntry: string): ParseResult {
  const opened = openCache(typeof text === 'string' ? Buffer.from(text, 'utf8') : text, pathEntry);
  if (!opened.ok) return opened;
  try {
    const e = opened.entry;
    return { ok: true, content: { kind: e.kind, realPath: e.realPath, scan: e.toScan() } };
  } catch (err) {
    if (err instanceof CacheSectionError) return { ok: false, code: err.code, reason: err.message };
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function fail(what: string): never {
  throw new Error(what);
}

/** Structural errors inside a section become CacheSectionError (EP301). */
function guard<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof CacheSectionError) throw e;
    throw new CacheSectionError('EP301', `malformed: ${(e as Error).message}`);
  }
}

const str = (x: unknown, what: string): string => (typeof x === 'string' ? x : fail(`${what} is not a string`));
const strOrNull = (x: unknown, what: string): string | null => (x === null ? null : str(x, what));
const arr = (x: unknown, what: string): unknown[] => (Array.isArray(x) ? x : fail(`${what} is not an array`));
const DIGITS = /^[0-9]+$/;

function stamp(x: unknown, what: string): Stamp {
  const a = arr(x, what);
  if (a.length !== 4 || !a.every((v) => typeof v === 'string' && DIGITS.test(v))) fail(`${what} is not a stamp`);
  return { ino: a[0] as string, size: a[1] as string, mtimeNs: a[2] as string, ctimeNs: a[3] as string };
}

const LAYOUTS: readonly DistributionLayout[] = ['dist-info', 'egg-info', 'egg-info-file', 'egg'];
