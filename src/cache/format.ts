/**
 * Cache format v4 (docs/spec.md §5.2): a header line, then one JSON line per section. A lookup
 * reads the header and the sections it needs — one group's, the freshness checks' — by offset
 * (pread), verifying each with its CRC-32; nothing else is read or parsed. Every number is an
 * integer, so a Python reader (json + zlib.crc32) reads the same values, and the same
 * directory state gives the same bytes.
 */
import { crc32 } from '../crc32.js';
import { DIAGNOSTIC_CODES, diagnostic, type Diagnostic, type DiagnosticCode, type Severity } from '../diagnostics.js';
import { LIMITS } from '../limits.js';
import { compareCodePoints } from '../python/text.js';
import type { DirectoryScan, RefJSON, Unit } from './source.js';
import { STAMP_WIDTH, type Stamp } from './stamp.js';

export const CACHE_FORMAT = 'epindex-cache';
export const CACHE_VERSION = 4;

/** What a cache file holds: one directory's scan, with what proves it still describes it. */
export interface CacheContent {
  readonly source: string;
  readonly kind: 'directory' | 'zip';
  /** The directory's real path when it was scanned. */
  readonly realPath: string;
  readonly dev: number;
  /** The directory's (or archive's) own stamp. */
  readonly entry: Stamp;
  readonly scan: DirectoryScan;
  /** The source's own sections (Source.sections), written after the engine's. */
  readonly sections?: ReadonlyArray<readonly [string, unknown]>;
}

export interface Header {
  readonly source: string;
  readonly kind: 'directory' | 'zip';
  readonly realPath: string;
  readonly dev: number;
  readonly entry: Stamp;
  /**
   * When the scan started, on the cache filesystem's clock: the cache file's mtime, which the
   * writer sets to it (not in the bytes, so that the same directory gives the same bytes).
   */
  readonly scanned: readonly [number, number];
  readonly distributions: number;
  readonly entryPoints: number;
  readonly counts: Readonly<Record<Severity, number>>;
  readonly codes: readonly string[];
  readonly bodyBytes: number;
  /** name → [offset, length, crc]; offsets from the start of the body; length includes the newline. */
  readonly sections: ReadonlyMap<string, readonly [number, number, number]>;
}

// ---------------------------------------------------------------------------------------------
// Section shapes (as parsed)

/**
 * Distribution columns: entry `i` of every array describes one distribution. Columns, not
 * rows, because a parser builds a handful of long arrays far faster than thousands of short
 * ones (JSON.parse of a 50,000-distribution environment's largest group: 11 ms as rows, 3 ms
 * as columns; Python's json module likewise).
 */
export interface DistColumns {
  /** The unit's directory entry, relative to the path entry (`pkg-1.0.dist-info`). */
  readonly child: readonly string[];
  readonly name: readonly string[];
  readonly normalizedName: readonly string[];
  readonly version: readonly (string | null)[];
  readonly layout: readonly string[];
  /** 1 when the distribution has its metadata file (real), 0 for a leftover. */
  readonly real: readonly (0 | 1)[];
}
/** The `dists` section: every distribution of the directory, in in-directory order. */
export interface DistsSection extends DistColumns {
  /** 1 for the in-directory winner of its name. */
  readonly winner: readonly (0 | 1)[];
  /** unitDigest of each distribution. */
  readonly digest: readonly number[];
}
/** A group section's distributions: those with entry points in the group (winners only). */
export interface GroupDists extends DistColumns {
  /** Each one's number in the `dists` section. */
  readonly index: readonly number[];
}
/** A group section's entry points, in in-directory then file order. */
export interface GroupEntries {
  /** Index into the group's `dists` columns. */
  readonly dist: readonly number[];
  readonly name: readonly string[];
  readonly value: readonly string[];
  readonly line: readonly number[];
  /** The source's parsed reference (opaque to the engine; `0` = the Python source's canonical form). */
  readonly ref: readonly RefJSON[];
}
export interface GroupSection {
  readonly dists: GroupDists;
  readonly eps: GroupEntries;
}
export interface NamesSection {
  readonly real: readonly string[];
  readonly leftover: readonly string[];
}
export interface StampList {
  readonly paths: readonly string[];
  readonly stamps: readonly number[];
}
export interface ListingSection {
  readonly names: readonly string[];
  readonly stamps: readonly number[];
  /** Extra directories whose stamps prove the listing unchanged (npm scopes), relative. */
  readonly dirs: readonly string[];
  readonly dirStamps: readonly number[];
}
export type DiagnosticRow = readonly [dist: number, code: string, file: string | null, line: number | null, message: string];

export const GROUP_PREFIX = 'g:';

// ---------------------------------------------------------------------------------------------
// Writing

function stampList(items: readonly { path: string; stamp: Stamp }[]): StampList {
  const stamps: number[] = [];
  for (const w of items) stamps.push(...w.stamp);
  return { paths: items.map((w) => w.path), stamps };
}

/** The cache file's bytes for `content` (deterministic). */
export function serializeCache(content: CacheContent): Buffer {
  const { scan } = content;
  const units = scan.units;
  const groups = new Map<string, { dists: MutableColumns<GroupDists>; local: Map<number, number>; eps: MutableColumns<GroupEntries> }>();
  const diagnostics: DiagnosticRow[] = scan.diagnostics.map((d) => [-1, d.code, d.file ?? null, d.line ?? null, d.message]);
  const real: string[] = [];
  const leftover: string[] = [];
  const checks: { path: string; stamp: Stamp }[] = [];
  const full: { path: string; stamp: Stamp }[] = [];
  let entryPoints = 0;
  units.forEach((u, i) => {
    for (const d of u.diagnostics) diagnostics.push([i, d.code, d.file ?? null, d.line ?? null, d.message]);
    for (const w of u.watches) (w.level === 'stat' ? checks : full).push(w);
    if (!u.winner) return;
    (u.real ? real : leftover).push(u.key);
    for (const e of u.entryPoints) {
      let g = groups.get(e.group);
      if (g === undefined) groups.set(e.group, (g = { dists: emptyGroupDists(), local: new Map(), eps: { dist: [], name: [], value: [], line: [], ref: [] } }));
      let k = g.local.get(i);
      if (k === undefined) {
        k = g.dists.index.length;
        g.local.set(i, k);
        g.dists.index.push(i);
        pushDist(g.dists, u);
      }
      g.eps.dist.push(k);
      g.eps.name.push(e.name);
      g.eps.value.push(e.value);
      g.eps.line.push(e.line);
      g.eps.ref.push(e.ref);
      entryPoints++;
    }
  });
  real.sort(compareCodePoints);
  leftover.sort(compareCodePoints);
  const listingStamps: number[] = [];
  for (const l of scan.listing) listingStamps.push(...l.stamp);
  const dirStamps: number[] = [];
  for (const d of scan.listingDirs) dirStamps.push(...d.stamp);
  const sections: Array<readonly [string, unknown]> = [
    ['dists', distsSection(units)],
    ['names', { real, leftover }],
    ['listing', { names: scan.listing.map((l) => l.name), stamps: listingStamps, dirs: scan.listingDirs.map((d) => d.path), dirStamps }],
    ['checks', stampList(checks)],
    ['full', stampList(full)],
    ['diagnostics', diagnostics],
    ...(content.sections ?? []),
    ...[...groups.keys()].sort(compareCodePoints).map((g): [string, unknown] => {
      const s = groups.get(g)!;
      return [GROUP_PREFIX + g, { dists: s.dists, eps: s.eps }];
    }),
  ];
  const lines: Buffer[] = [];
  const index: string[] = [];
  let offset = 0;
  for (const [name, value] of sections) {
    const line = Buffer.from(JSON.stringify(value), 'utf8');
    index.push(`${JSON.stringify(name)}:[${offset},${line.length + 1},${crc32(line)}]`);
    lines.push(line);
    offset += line.length + 1;
  }
  const counts: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  const codes = new Set<string>();
  for (const d of diagnostics) {
    counts[DIAGNOSTIC_CODES[d[1] as DiagnosticCode][0]]++;
    codes.add(d[1]);
  }
  const head =
    `{"format":${JSON.stringify(CACHE_FORMAT)},"version":${CACHE_VERSION},"source":${JSON.stringify(content.source)},"kind":${JSON.stringify(content.kind)}` +
    `,"realPath":${JSON.stringify(content.realPath)},"dev":${content.dev},"entry":${JSON.stringify(content.entry)}` +
    `,"distributions":${units.length},"entryPoints":${entryPoints},"counts":${JSON.stringify(counts)},"codes":${JSON.stringify([...codes].sort())}` +
    `,"bodyBytes":${offset},"sections":{${index.join(',')}}`;
  const headBytes = Buffer.from(head, 'utf8');
  const crc = crc32(Buffer.from('}', 'utf8'), crc32(headBytes));
  const parts: Buffer[] = [headBytes, Buffer.from(`,"crc":${crc}}\n`, 'utf8')];
  for (const l of lines) parts.push(l, NEWLINE);
  return Buffer.concat(parts);
}

type MutableColumns<T> = { -readonly [K in keyof T]: T[K] extends readonly (infer E)[] ? E[] : T[K] };

/** Empty group distribution columns, keys in the format's order (the bytes depend on it). */
export const emptyGroupDists = (): MutableColumns<GroupDists> => ({ index: [], child: [], name: [], normalizedName: [], version: [], layout: [], real: [] });

export function pushDist(c: MutableColumns<DistColumns>, u: Unit): void {
  c.child.push(u.child);
  c.name.push(u.name);
  c.normalizedName.push(u.key);
  c.version.push(u.version);
  c.layout.push(u.layout);
  c.real.push(u.real ? 1 : 0);
}

/** The `dists` section of `units`; `digests` false leaves them 0 (a scan's view has no use for them). */
export function distsSection(units: readonly Unit[], digests = true): DistsSection {
  const c: MutableColumns<DistsSection> = { child: [], name: [], normalizedName: [], version: [], layout: [], real: [], winner: [], digest: [] };
  for (const u of units) {
    pushDist(c, u);
    c.winner.push(u.winner ? 1 : 0);
    c.digest.push(digests ? unitDigest(u) : 0);
  }
  return c;
}

const NEWLINE = Buffer.from('\n');

/**
 * A unit's content digest: CRC-32 of the compact JSON of
 * `[name, key, version, layout, real, [[group, name, value, line]...], [[code, file, line, message]...]]`,
 * with the unit's `extra` appended when it has one.
 * A racy re-read compares a rescanned unit's digest with the recorded one, without loading the
 * group sections that hold its entry points.
 */
export function unitDigest(u: Unit): number {
  const doc: unknown[] = [
    u.name, u.key, u.version, u.layout, u.real ? 1 : 0,
    u.entryPoints.map((e) => [e.group, e.name, e.value, e.line]),
    u.diagnostics.map((d) => [d.code, d.file ?? null, d.line ?? null, d.message]),
  ];
  if (u.extra !== undefined) doc.push(u.extra);
  return crc32(Buffer.from(JSON.stringify(doc), 'utf8'));
}

// ---------------------------------------------------------------------------------------------
// Reading

/** A problem with a cache's bytes: the engine turns it into a diagnostic and ignores the cache. */
export class CacheFormatError extends Error {
  override readonly name = 'CacheFormatError';
  readonly code: 'EP301' | 'EP302' | 'EP303';
  constructor(code: 'EP301' | 'EP302' | 'EP303', message: string) {
    super(message);
    this.code = code;
  }
}

function fail(what: string): never {
  throw new CacheFormatError('EP301', `malformed: ${what}`);
}
const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const int = (x: unknown, what: string): number => (Number.isInteger(x) ? (x as number) : fail(`${what} is not an integer`));
const str = (x: unknown, what: string): string => (typeof x === 'string' ? x : fail(`${what} is not a string`));
const arr = (x: unknown, what: string): unknown[] => (Array.isArray(x) ? x : fail(`${what} is not an array`));
const ints = (x: unknown, what: string): number[] => {
  const a = arr(x, what);
  for (const v of a) if (!Number.isInteger(v)) fail(`${what} holds a non-integer`);
  return a as number[];
};
const strs = (x: unknown, what: string): string[] => {
  const a = arr(x, what);
  for (const v of a) if (typeof v !== 'string') fail(`${what} holds a non-string`);
  return a as string[];
};
/** Integers in `[lo, hi)`. */
const intsIn = (x: unknown, what: string, lo: number, hi: number): number[] => {
  const a = ints(x, what);
  for (const v of a) if (v < lo || v >= hi) fail(`${what} holds a value out of range`);
  return a;
};
/** An empty, `.` or `..` component in NUL-separated relative paths (a leading `/` makes an empty one). */
const OUTSIDE = /(?:^|\0|\/)\.{0,2}(?:\/|\0|$)/;
/** A name of one component, or an npm `@scope/name` (the npm source's units and listing, spec §13.5). */
const ONE_NAME = /^(?:[^/]+|@[^/]+\/[^/]+)$/;
/**
 * Paths below the directory (`components`: `/`-separated; else one name each, or `@scope/name`):
 * never empty, absolute, `.` or `..`, never a NUL, and on Windows never a backslash (a separator
 * there) — so nothing a cache names lies outside its directory.
 */
function relativePaths(a: readonly string[], what: string, components = true): void {
  if (a.length === 0) return;
  const joined = a.join('\0');
  if (joined.split('\0').length !== a.length || OUTSIDE.test(joined) || (process.platform === 'win32' && joined.includes('\\'))) fail(`${what} names something outside its directory`);
  if (!components && joined.includes('/') && !a.every((x) => ONE_NAME.test(x))) fail(`${what} names something outside its directory`);
}
const CODE = /^EP[0-9]{3}$/;
/** A value named in a message without serializing it (it may be nested a million deep). */
const describe = (x: unknown): string => (typeof x === 'number' || typeof x === 'boolean' || x === null ? String(x) : typeof x === 'string' ? JSON.stringify(x.slice(0, 40)) : Array.isArray(x) ? 'an array' : 'an object');
/** Objects have exactly their format's keys (a key the format does not have is not a cache's). */
function onlyKeys(o: Record<string, unknown>, keys: ReadonlySet<string>, what: string): void {
  for (const k in o) if (!keys.has(k)) fail(`${what} has an unknown key ${JSON.stringify(k.slice(0, 40))}`);
}
const HEADER_KEYS = new Set(['format', 'version', 'source', 'kind', 'realPath', 'dev', 'entry', 'distributions', 'entryPoints', 'counts', 'codes', 'bodyBytes', 'sections', 'crc']);
const DIST_KEYS = new Set(['child', 'name', 'normalizedName', 'version', 'layout', 'real']);
const KEYS: Record<string, ReadonlySet<string>> = {
  dists: new Set([...DIST_KEYS, 'winner', 'digest']),
  names: new Set(['real', 'leftover']),
  listing: new Set(['names', 'stamps', 'dirs', 'dirStamps']),
  checks: new Set(['paths', 'stamps']),
  full: new Set(['paths', 'stamps']),
  group: new Set(['dists', 'eps']),
  groupDists: new Set([...DIST_KEYS, 'index']),
  groupEps: new Set(['dist', 'name', 'value', 'line', 'ref']),
  counts: new Set(['error', 'warning', 'info']),
};
/** The deepest a source's parsed reference may be nested (the Python source's is 2 deep). */
const REF_DEPTH = 8;
/** Whether `x` is JSON nested at most `limit` deep (without recursion: it may be nested a million deep). */
function shallow(x: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[x, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (d >= limit) return false;
    for (const c of Array.isArray(v) ? v : Object.values(v)) stack.push([c, d + 1]);
  }
  return true;
}
const stampOf = (x: unknown, what: string): Stamp => {
  const a = ints(x, what);
  if (a.length !== STAMP_WIDTH) fail(`${what} is not a stamp`);
  return a as unknown as Stamp;
};

/** The most a header may take; larger is not a cache (checked before anything is parsed). */
export const MAX_HEADER_BYTES = 16 * 1024 * 1024;
/** The largest section read (spec §10, LIMITS.cacheSectionBytes). */
export const MAX_SECTION_BYTES = LIMITS.cacheSectionBytes;
const CRC_MARK = ',"crc":';

/** JSON white space first or last in `bytes[0, end)`: the format writes compact JSON, and the Python reader's scanner refuses it. */
const spaceAround = (bytes: Uint8Array, end: number): boolean => {
  const ws = (b: number | undefined): boolean => b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;
  return end > 0 && (ws(bytes[0]) || ws(bytes[end - 1]));
};

/**
 * Parse and verify a header line (without its newline). Throws CacheFormatError.
 * `fileSize` is the whole file's size: it must be exactly header + newline + bodyBytes.
 */
export function parseHeader(line: Buffer, fileSize: number, scanned: readonly [number, number]): Header {
  if (spaceAround(line, line.length)) throw new CacheFormatError('EP301', 'the header is not compact JSON (white space around it)');
  const text = line.toString('utf8');
  const mark = text.lastIndexOf(CRC_MARK);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new CacheFormatError('EP301', `not JSON: ${(e as Error).message}`);
  }
  if (!isObject(doc) || doc['format'] !== CACHE_FORMAT) throw new CacheFormatError('EP301', 'not an epindex cache');
  // The format's header is 3 deep (sections → name → [offset, length, crc]).
  if (!shallow(doc, 3)) throw new CacheFormatError('EP301', 'the header is nested deeper than the format');
  if (doc['version'] !== CACHE_VERSION) throw new CacheFormatError('EP302', `format version ${describe(doc['version'])}, expected ${CACHE_VERSION}`);
  onlyKeys(doc, HEADER_KEYS, 'the header');
  if (mark < 0 || !Number.isInteger(doc['crc'])) throw new CacheFormatError('EP301', 'no checksum in the header');
  const markBytes = Buffer.byteLength(text.slice(0, mark), 'utf8');
  if (crc32(CLOSE, crc32(line, 0, 0, markBytes)) !== doc['crc']) throw new CacheFormatError('EP303', 'header checksum mismatch');
  const bodyBytes = int(doc['bodyBytes'], 'bodyBytes');
  const expected = line.length + 1 + bodyBytes;
  if (fileSize !== expected) {
    // Shorter: truncated (a crash, a full disk). Longer: something was written into it.
    throw fileSize < expected
      ? new CacheFormatError('EP301', `truncated: ${fileSize} bytes, expected ${expected}`)
      : new CacheFormatError('EP303', `${fileSize} bytes where the header says ${expected}: edited after it was written`);
  }
  const kind = doc['kind'] === 'directory' || doc['kind'] === 'zip' ? doc['kind'] : fail('kind');
  const sectionsDoc = isObject(doc['sections']) ? doc['sections'] : fail('sections');
  const sections = new Map<string, readonly [number, number, number]>();
  for (const [name, ref] of Object.entries(sectionsDoc)) {
    const r = ints(ref, `section ${name}`);
    if (r.length !== 3 || r[0]! < 0 || r[1]! < 1 || r[0]! + r[1]! > bodyBytes || r[2]! < 0 || r[2]! > 0xffffffff) fail(`section ${name}`);
    sections.set(name, [r[0]!, r[1]!, r[2]!]);
  }
  for (const required of ['dists', 'names', 'listing', 'checks', 'full', 'diagnostics']) if (!sections.has(required)) fail(`section ${required} missing`);
  const countsDoc = isObject(doc['counts']) ? doc['counts'] : fail('counts');
  onlyKeys(countsDoc, KEYS['counts']!, 'counts');
  const uint = (x: unknown, what: string): number => {
    const n = int(x, what);
    return n >= 0 ? n : fail(`${what} is negative`);
  };
  return {
    source: str(doc['source'], 'source'),
    kind,
    realPath: str(doc['realPath'], 'realPath'),
    dev: uint(doc['dev'], 'dev'),
    entry: stampOf(doc['entry'], 'entry'),
    scanned,
    distributions: uint(doc['distributions'], 'distributions'),
    entryPoints: uint(doc['entryPoints'], 'entryPoints'),
    counts: { error: uint(countsDoc['error'], 'counts'), warning: uint(countsDoc['warning'], 'counts'), info: uint(countsDoc['info'], 'counts') },
    codes: strs(doc['codes'], 'codes'),
    bodyBytes,
    sections,
  };
}

const CLOSE = Buffer.from('}');

/** Reads `length` bytes at `position` of the open cache file. */
export type ReadAt = (length: number, position: number) => Buffer;

/**
 * An opened cache: its header, and its sections parsed on demand and kept (a cache file is
 * immutable once renamed into place; the engine keys this object by the file's identity).
 */
export class CacheFile {
  readonly header: Header;
  readonly #bodyStart: number;
  readonly #parsed = new Map<string, unknown>();

  constructor(header: Header, bodyStart: number) {
    this.header = header;
    this.#bodyStart = bodyStart;
  }

  has(name: string): boolean {
    return this.header.sections.has(name);
  }

  /** Whether section `name` was already read (a lookup that needs nothing new needs no read). */
  loaded(name: string): boolean {
    return this.#parsed.has(name);
  }

  /** Read, verify and parse section `name` (once). Throws CacheFormatError. */
  load(name: string, readAt: ReadAt): void {
    if (this.#parsed.has(name)) return;
    const ref = this.header.sections.get(name);
    if (ref === undefined) throw new CacheFormatError('EP301', `section ${name} missing`);
    if (ref[1] > MAX_SECTION_BYTES) throw new CacheFormatError('EP301', `section ${name} has ${ref[1]} bytes, over the limit of ${MAX_SECTION_BYTES}`);
    const bytes = readAt(ref[1], this.#bodyStart + ref[0]);
    const end = ref[1] - 1;
    if (bytes.length !== ref[1] || bytes[end] !== 0x0a) throw new CacheFormatError('EP301', `section ${name} is not where the header says`);
    if (crc32(bytes, 0, 0, end) !== ref[2]) throw new CacheFormatError('EP303', `section ${name}: checksum mismatch`);
    if (spaceAround(bytes, end)) throw new CacheFormatError('EP301', `section ${name} is not compact JSON (white space around it)`);
    let value: unknown;
    try {
      value = JSON.parse(bytes.toString('utf8', 0, end));
    } catch (e) {
      throw new CacheFormatError('EP301', `section ${name}: ${(e as Error).message}`);
    }
    this.#parsed.set(name, validate(name, value, this.header.distributions));
  }

  /** A loaded section (the engine loads before handing the file to a lookup). */
  #get(name: string): unknown {
    if (!this.#parsed.has(name)) throw new Error(`internal: cache section ${name} read before it was loaded`);
    return this.#parsed.get(name);
  }

  group(group: string): GroupSection | null {
    const name = GROUP_PREFIX + group;
    return this.header.sections.has(name) ? (this.#get(name) as GroupSection) : null;
  }
  get groups(): string[] {
    const out: string[] = [];
    for (const k of this.header.sections.keys()) if (k.startsWith(GROUP_PREFIX)) out.push(k.slice(GROUP_PREFIX.length));
    return out;
  }
  get dists(): DistsSection {
    return this.#get('dists') as DistsSection;
  }
  get names(): NamesSection {
    return this.#get('names') as NamesSection;
  }
  get listing(): ListingSection {
    return this.#get('listing') as ListingSection;
  }
  get checks(): StampList {
    return this.#get('checks') as StampList;
  }
  get full(): StampList {
    return this.#get('full') as StampList;
  }
  get diagnostics(): readonly DiagnosticRow[] {
    return this.#get('diagnostics') as DiagnosticRow[];
  }
}

/** The distribution columns that hold strings (`version` may also hold null; `real` is 0 or 1). */
const DIST_COLUMNS = ['child', 'name', 'normalizedName', 'layout'] as const;

/** Check that `keys` of `o` are string columns of one length and that `version`/`real` (if distributions) match; returns the length. */
function columns(o: Record<string, unknown>, keys: readonly string[], what: string): number {
  let n = -1;
  for (const k of keys) {
    const c = strs(o[k], `${what} ${k}`);
    if (n >= 0 && c.length !== n) fail(`${what} ${k}: columns of different lengths`);
    n = c.length;
  }
  if (keys === DIST_COLUMNS) {
    // One name (a distribution's directory), or a scoped package's `@scope/name`: inside the directory either way.
    relativePaths(o['child'] as string[], `${what} child`, false);
    if ((o['normalizedName'] as string[]).includes('')) fail(`${what} normalizedName holds an empty name`);
    const version = arr(o['version'], `${what} version`);
    const real = intsIn(o['real'], `${what} real`, 0, 2);
    if (version.length !== n || real.length !== n) fail(`${what}: columns of different lengths`);
    for (const x of version) if (x !== null && typeof x !== 'string') fail(`${what} version`);
  }
  return n;
}

/**
 * Validation of a parsed section of a cache of `distributions` units (spec §5.2): types, ranges,
 * shapes and lengths, everything a reader uses, before it is used. The Python reader
 * (python/src/epindex/_cachefile.py) applies the same rules.
 */
function validate(name: string, v: unknown, distributions: number): unknown {
  if (name.startsWith(GROUP_PREFIX)) {
    if (!isObject(v) || !isObject(v['dists']) || !isObject(v['eps'])) fail(name);
    onlyKeys(v, KEYS['group']!, name);
    onlyKeys(v['dists'], KEYS['groupDists']!, `${name} dists`);
    onlyKeys(v['eps'], KEYS['groupEps']!, `${name} eps`);
    const dists = v['dists'];
    const n = columns(dists, DIST_COLUMNS, name);
    const index = intsIn(dists['index'], `${name} dists.index`, 0, distributions);
    if (index.length !== n) fail(`${name} dists.index`);
    const eps = v['eps'];
    const m = columns(eps, ['name', 'value'], name);
    const dist = intsIn(eps['dist'], `${name} eps.dist`, 0, n);
    const line = intsIn(eps['line'], `${name} eps.line`, 0, Infinity);
    const ref = arr(eps['ref'], `${name} eps.ref`);
    if (dist.length !== m || line.length !== m || ref.length !== m) fail(`${name} eps`);
    for (const r of ref) if (!shallow(r, REF_DEPTH)) fail(`${name} eps.ref is nested too deeply`);
    return v;
  }
  if (isObject(v) && KEYS[name] !== undefined) onlyKeys(v, KEYS[name]!, name);
  switch (name) {
    case 'dists': {
      if (!isObject(v)) fail(name);
      const n = columns(v, DIST_COLUMNS, name);
      if (n !== distributions) fail(`dists has ${n} distributions, the header ${distributions}`);
      if (intsIn(v['winner'], 'dists.winner', 0, 2).length !== n || intsIn(v['digest'], 'dists.digest', 0, 2 ** 32).length !== n) fail('dists');
      return v;
    }
    case 'names':
      if (!isObject(v)) fail(name);
      strs(v['real'], 'names.real');
      strs(v['leftover'], 'names.leftover');
      return v;
    case 'listing': {
      if (!isObject(v)) fail(name);
      const n = strs(v['names'], 'listing.names');
      relativePaths(n, 'listing.names', false);
      if (ints(v['stamps'], 'listing.stamps').length !== n.length * STAMP_WIDTH) fail('listing.stamps');
      const dirs = strs(v['dirs'], 'listing.dirs');
      relativePaths(dirs, 'listing.dirs');
      if (ints(v['dirStamps'], 'listing.dirStamps').length !== dirs.length * STAMP_WIDTH) fail('listing.dirStamps');
      return v;
    }
    case 'checks':
    case 'full': {
      if (!isObject(v)) fail(name);
      const paths = strs(v['paths'], `${name}.paths`);
      relativePaths(paths, `${name}.paths`);
      if (ints(v['stamps'], `${name}.stamps`).length !== paths.length * STAMP_WIDTH) fail(`${name}.stamps`);
      return v;
    }
    case 'diagnostics':
      // A code this reader does not know (a newer writer's) counts as a warning (diagnosticOf).
      for (const d of arr(v, name)) {
        if (!Array.isArray(d) || d.length !== 5 || !Number.isInteger(d[0]) || d[0] < -1 || d[0] >= distributions || typeof d[1] !== 'string' || !CODE.test(d[1])
          || (d[2] !== null && typeof d[2] !== 'string') || (d[3] !== null && !(Number.isInteger(d[3]) && d[3] >= 1)) || typeof d[4] !== 'string') fail('diagnostic');
      }
      return v;
    default:
      return v;
  }
}

/** A diagnostic row as a Diagnostic (files still relative to the path entry). */
export function diagnosticOf(row: DiagnosticRow): Diagnostic {
  const where = { file: row[2] ?? undefined, line: row[3] ?? undefined };
  if (row[1] in DIAGNOSTIC_CODES) return diagnostic(row[1] as DiagnosticCode, row[4], where);
  // A code of a newer writer: a warning (spec §14), never a failure of the reader.
  return { ...diagnostic('EP301', row[4], where), code: row[1] as DiagnosticCode, severity: 'warning' };
}
