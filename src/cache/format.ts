/**
 * The cache file format, version 1 (docs/spec.md §5, schema/cache-v1.schema.json).
 *
 * One JSON document per path entry. Serialization is deterministic (fixed key order, records
 * in scan order, which is sorted) so the same directory always gives the same bytes, and the
 * last member is a SHA-256 of everything before it, so truncation and tampering are caught
 * before the content is believed.
 */
import { createHash } from 'node:crypto';
import { diagnostic, DIAGNOSTIC_CODES, type Diagnostic, type DiagnosticCode } from '../diagnostics.js';
import { normalizeName, type DistributionLayout } from '../entry-point.js';
import type { EntryPointLine } from '../format/entry-points-txt.js';
import type { DistRecord, DistStamps, PathEntryKind, PathEntryScan, Stamp } from '../python/discover.js';

export const CACHE_FORMAT = 'epindex-cache';
export const CACHE_VERSION = 1;

/** What the file holds: a path entry's scan with its stamps. */
export interface CacheContent {
  readonly kind: Extract<PathEntryKind, 'directory' | 'zip'>;
  /** The path entry's real path when the cache was built (checked for user-cache files). */
  readonly realPath: string;
  readonly scan: PathEntryScan;
}

type DiagnosticJSON = [code: DiagnosticCode, file: string | null, line: number | null, message: string];
type EntryJSON = [group: string, name: string, value: string, line: number];

const stampJSON = (s: Stamp): [string, string, string, string] => [s.ino, s.size, s.mtimeNs, s.ctimeNs];
const diagJSON = (d: Diagnostic): DiagnosticJSON => [d.code, d.file ?? null, d.line ?? null, d.message];

/** Serialize; `scan` must have been made with stamps. */
export function serializeCache(content: CacheContent): string {
  const { scan } = content;
  if (scan.stamp === undefined) throw new Error('serializeCache: the scan has no stamps');
  const doc = {
    format: CACHE_FORMAT,
    version: CACHE_VERSION,
    kind: content.kind,
    realPath: content.realPath,
    stamp: stampJSON(scan.stamp),
    listing: scan.listing,
    diagnostics: scan.diagnostics.map(diagJSON),
    distributions: scan.dists.map((r) => ({
      child: r.child,
      layout: r.layout,
      name: r.name,
      version: r.version,
      hasMetadata: r.hasMetadata,
      stamps: r.stamps === undefined ? null : {
        self: stampJSON(r.stamps.self),
        entryPoints: r.stamps.entryPoints === undefined || r.stamps.entryPoints === null ? null : stampJSON(r.stamps.entryPoints),
        metadata: r.stamps.metadata === undefined ? null : stampJSON(r.stamps.metadata),
      },
      entryPoints: r.entryPoints.map((e): EntryJSON => [e.group, e.name, e.value, e.line]),
      diagnostics: r.diagnostics.map(diagJSON),
    })),
  };
  const body = JSON.stringify(doc);
  const hash = createHash('sha256').update(body).digest('hex');
  return `${body.slice(0, -1)},"sha256":"${hash}"}\n`;
}

export type ParseResult =
  | { readonly ok: true; readonly content: CacheContent }
  | { readonly ok: false; readonly code: 'EP301' | 'EP302' | 'EP303'; readonly reason: string };

const SHA_TAIL = /,"sha256":"([0-9a-f]{64})"\}\n?$/;

/** Parse and verify cache bytes. Never throws. */
export function parseCache(text: string, pathEntry: string): ParseResult {
  const m = SHA_TAIL.exec(text);
  if (m === null) return { ok: false, code: 'EP301', reason: 'no checksum at the end (truncated or not a cache)' };
  const body = text.slice(0, m.index) + '}';
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch (e) {
    return { ok: false, code: 'EP301', reason: `not JSON: ${(e as Error).message}` };
  }
  if (!isObject(doc) || doc['format'] !== CACHE_FORMAT) return { ok: false, code: 'EP301', reason: 'not an epindex cache' };
  if (doc['version'] !== CACHE_VERSION) return { ok: false, code: 'EP302', reason: `format version ${JSON.stringify(doc['version'])}, expected ${CACHE_VERSION}` };
  if (createHash('sha256').update(body).digest('hex') !== m[1]) return { ok: false, code: 'EP303', reason: 'checksum mismatch' };
  try {
    return { ok: true, content: fromJSON(doc, pathEntry) };
  } catch (e) {
    return { ok: false, code: 'EP301', reason: `malformed: ${(e as Error).message}` };
  }
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function fail(what: string): never {
  throw new Error(what);
}

const str = (x: unknown, what: string): string => (typeof x === 'string' ? x : fail(`${what} is not a string`));
const strOrNull = (x: unknown, what: string): string | null => (x === null ? null : str(x, what));
const arr = (x: unknown, what: string): unknown[] => (Array.isArray(x) ? x : fail(`${what} is not an array`));
const DIGITS = /^-?[0-9]+$/;

function stamp(x: unknown, what: string): Stamp {
  const a = arr(x, what);
  if (a.length !== 4 || !a.every((v) => typeof v === 'string' && DIGITS.test(v))) fail(`${what} is not a stamp`);
  return { ino: a[0] as string, size: a[1] as string, mtimeNs: a[2] as string, ctimeNs: a[3] as string };
}

function diag(x: unknown): Diagnostic {
  const a = arr(x, 'diagnostic');
  const code = str(a[0], 'diagnostic code');
  if (!(code in DIAGNOSTIC_CODES)) fail(`unknown diagnostic code ${code}`);
  const file = strOrNull(a[1], 'diagnostic file');
  const line = a[2] === null ? undefined : typeof a[2] === 'number' ? a[2] : fail('diagnostic line');
  return diagnostic(code as DiagnosticCode, str(a[3], 'diagnostic message'), { file: file ?? undefined, line });
}

const LAYOUTS: readonly DistributionLayout[] = ['dist-info', 'egg-info', 'egg-info-file', 'egg'];

function fromJSON(doc: Record<string, unknown>, pathEntry: string): CacheContent {
  const kind = doc['kind'] === 'directory' || doc['kind'] === 'zip' ? doc['kind'] : fail('kind');
  const dists: DistRecord[] = arr(doc['distributions'], 'distributions').map((x) => {
    if (!isObject(x)) fail('distribution');
    const layout = LAYOUTS.find((l) => l === x['layout']) ?? fail('layout');
    const name = str(x['name'], 'name');
    const entryPoints: EntryPointLine[] = arr(x['entryPoints'], 'entryPoints').map((e) => {
      const a = arr(e, 'entry point');
      if (typeof a[3] !== 'number') fail('entry point line');
      return { group: str(a[0], 'group'), name: str(a[1], 'name'), value: str(a[2], 'value'), line: a[3] };
    });
    let stamps: DistStamps | undefined;
    const s = x['stamps'];
    if (isObject(s)) {
      stamps = {
        self: stamp(s['self'], 'stamps.self'),
        entryPoints: s['entryPoints'] === null ? null : stamp(s['entryPoints'], 'stamps.entryPoints'),
        ...(s['metadata'] === null ? {} : { metadata: stamp(s['metadata'], 'stamps.metadata') }),
      };
    } else if (s !== null) fail('stamps');
    if (typeof x['hasMetadata'] !== 'boolean') fail('hasMetadata');
    const record: DistRecord = {
      child: str(x['child'], 'child'),
      layout,
      name,
      normalizedName: normalizeName(name),
      version: strOrNull(x['version'], 'version'),
      hasMetadata: x['hasMetadata'],
      entryPoints,
      diagnostics: arr(x['diagnostics'], 'diagnostics').map(diag),
      ...(stamps === undefined ? {} : { stamps }),
    };
    return record;
  });
  const scan: PathEntryScan = {
    pathEntry,
    kind,
    dists,
    diagnostics: arr(doc['diagnostics'], 'diagnostics').map(diag),
    listing: arr(doc['listing'], 'listing').map((n) => str(n, 'listing name')),
    stamp: stamp(doc['stamp'], 'stamp'),
  };
  return { kind, realPath: str(doc['realPath'], 'realPath'), scan };
}
