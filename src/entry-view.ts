/**
 * What a lookup reads of one path entry, whether it was just scanned or comes from a cache:
 * the distributions (for resolution) and the entry points of one group (or all of them), each
 * pointing at its distribution by index. A cache answers a group lookup without parsing the
 * other groups; a fresh scan is adapted by `scanView`.
 */
import type { Diagnostic, DiagnosticCode } from './diagnostics.js';
import type { DistributionLayout } from './entry-point.js';
import type { PathEntryKind, PathEntryScan } from './python/discover.js';

/** A distribution as resolution needs it (no entry points). */
export interface DistSummary {
  readonly child: string;
  readonly layout: DistributionLayout;
  readonly name: string;
  readonly normalizedName: string;
  readonly version: string | null;
  readonly hasMetadata: boolean;
}

/** One entry point of distribution number `dist` of its path entry. */
export interface IndexedEntry {
  readonly dist: number;
  readonly group: string;
  readonly name: string;
  readonly value: string;
  readonly line: number;
}

/** A diagnostic of distribution number `dist`, or of the path entry itself (`dist` -1). Files are relative to the path entry. */
export interface IndexedDiagnostic {
  readonly dist: number;
  readonly diagnostic: Diagnostic;
}

export interface EntryView {
  readonly pathEntry: string;
  readonly kind: PathEntryKind;
  /** In the scan's order: by normalized name, then by preference. */
  readonly summaries: readonly DistSummary[];
  /** Entry points of `group` (every group when undefined), by distribution, then line. */
  entries(group?: string): readonly IndexedEntry[];
  diagnostics(): readonly IndexedDiagnostic[];
  /** Everything, as a scan (for callers that want whole records). */
  toScan(): PathEntryScan;
}

/** A section of a cache file that fails its checksum or does not parse. */
export class CacheSectionError extends Error {
  override readonly name = 'CacheSectionError';
  readonly code: Extract<DiagnosticCode, 'EP301' | 'EP303'>;
  constructor(code: Extract<DiagnosticCode, 'EP301' | 'EP303'>, message: string) {
    super(message);
    this.code = code;
  }
}

export function compareIndexed(a: IndexedEntry, b: IndexedEntry): number {
  return a.dist - b.dist || a.line - b.line;
}

const views = new WeakMap<PathEntryScan, EntryView>();

/** A fresh scan as an EntryView (one per scan object). */
export function scanView(scan: PathEntryScan): EntryView {
  let v = views.get(scan);
  if (v === undefined) {
    let all: IndexedEntry[] | undefined;
    let diagnostics: IndexedDiagnostic[] | undefined;
    const groups = new Map<string, IndexedEntry[]>();
    const allEntries = (): IndexedEntry[] =>
      (all ??= scan.dists.flatMap((r, dist) => r.entryPoints.map((e): IndexedEntry => ({ dist, group: e.group, name: e.name, value: e.value, line: e.line }))));
    v = {
      pathEntry: scan.pathEntry,
      kind: scan.kind,
      summaries: scan.dists,
      entries(group) {
        if (group === undefined) return allEntries();
        let list = groups.get(group);
        if (list === undefined) groups.set(group, (list = allEntries().filter((e) => e.group === group)));
        return list;
      },
      diagnostics: () =>
        (diagnostics ??= [
          ...scan.diagnostics.map((diagnostic) => ({ dist: -1, diagnostic })),
          ...scan.dists.flatMap((r, dist) => r.diagnostics.map((diagnostic) => ({ dist, diagnostic }))),
        ]),
      toScan: () => scan,
    };
    views.set(scan, v);
  }
  return v;
}

export type { PathEntryKind };
