/**
 * What a lookup reads of one directory, whether it comes from a cache or from a scan just made:
 * the winners' entry points of one group (with the distributions they need), every
 * distribution, the names that resolution across directories compares, the diagnostics. The
 * shapes are the cache's sections (src/cache/format.ts), so a cached lookup uses the parsed
 * sections as they are and a scan is adapted once.
 */
import { diagnostic, type Diagnostic } from './diagnostics.js';
import { CacheFormatError, diagnosticOf, GROUP_PREFIX, type CacheFile, type DiagnosticRow, type DistRow, type GroupDistRow, type GroupEntryRow, type GroupSection, type NamesSection } from './cache/format.js';
import { loadSection, forget } from './cache/engine.js';
import type { DirectoryScan, ScanKind } from './cache/source.js';
import { compareCodePoints } from './python/text.js';

export interface EntryView {
  /** The directory as spelled on the search path. */
  readonly pathEntry: string;
  readonly kind: ScanKind;
  readonly distributionCount: number;
  /** The groups that have entry points here. */
  groups(): readonly string[];
  /** The winners' entry points of `group` in in-directory then file order; `null` when none. */
  group(group: string): GroupSection | null;
  /** Every distribution, in in-directory order (winners first within a name). */
  dists(): readonly DistRow[];
  /** The names resolution across directories compares (sorted by code point). */
  names(): NamesSection;
  /** Diagnostics, files relative to the directory. */
  diagnostics(): readonly DiagnosticRow[];
  /** Problems met while reading it after the lookup started (a damaged section: then a scan is used). */
  readonly problems: readonly Diagnostic[];
}

/** A fresh scan as an EntryView. */
export function scanView(pathEntry: string, scan: DirectoryScan): EntryView {
  let groups: Map<string, GroupSection> | undefined;
  let dists: DistRow[] | undefined;
  let names: NamesSection | undefined;
  let diagnostics: DiagnosticRow[] | undefined;
  const groupMap = (): Map<string, GroupSection> => {
    if (groups !== undefined) return groups;
    const m = new Map<string, { dists: GroupDistRow[]; eps: GroupEntryRow[]; local: Map<number, number> }>();
    scan.units.forEach((u, i) => {
      if (!u.winner) return;
      for (const e of u.entryPoints) {
        let g = m.get(e.group);
        if (g === undefined) m.set(e.group, (g = { dists: [], eps: [], local: new Map() }));
        let k = g.local.get(i);
        if (k === undefined) {
          k = g.dists.length;
          g.local.set(i, k);
          g.dists.push([i, u.child, u.name, u.key, u.version, u.layout, u.real ? 1 : 0]);
        }
        g.eps.push([k, e.name, e.value, e.line, e.ref]);
      }
    });
    groups = new Map([...m].map(([k, v]) => [k, { dists: v.dists, eps: v.eps }]));
    return groups;
  };
  return {
    pathEntry,
    kind: scan.kind,
    distributionCount: scan.units.length,
    problems: [],
    groups: () => [...groupMap().keys()],
    group: (g) => groupMap().get(g) ?? null,
    dists: () => (dists ??= scan.units.map((u): DistRow => [u.child, u.name, u.key, u.version, u.layout, u.real ? 1 : 0, u.winner ? 1 : 0, 0])),
    names: () => {
      if (names === undefined) {
        const real: string[] = [];
        const leftover: string[] = [];
        for (const u of scan.units) if (u.winner) (u.real ? real : leftover).push(u.key);
        names = { real: real.sort(compareCodePoints), leftover: leftover.sort(compareCodePoints) };
      }
      return names;
    },
    diagnostics: () =>
      (diagnostics ??= [
        ...scan.diagnostics.map((d): DiagnosticRow => [-1, d.code, d.file ?? null, d.line ?? null, d.message]),
        ...scan.units.flatMap((u, i) => u.diagnostics.map((d): DiagnosticRow => [i, d.code, d.file ?? null, d.line ?? null, d.message])),
      ]),
  };
}

/**
 * A cache as an EntryView. Sections the lookup did not load up front are loaded on first use;
 * if that fails (the file was replaced or damaged meanwhile), the view answers from a fresh
 * scan instead and says so in `problems`.
 */
export function cacheView(pathEntry: string, file: CacheFile, cacheFile: string, rescan: () => DirectoryScan): EntryView {
  let fallback: EntryView | null = null;
  const problems: Diagnostic[] = [];
  const use = <T>(section: string | null, read: (f: CacheFile) => T, viaScan: (v: EntryView) => T): T => {
    if (fallback === null && section !== null) {
      try {
        loadSection(file, section);
      } catch (e) {
        if (!(e instanceof CacheFormatError)) throw e;
        forget(cacheFile);
        problems.push(diagnostic(e.code, `cache ignored: ${e.message}`, { file: cacheFile }));
        fallback = scanView(pathEntry, rescan());
      }
    }
    return fallback === null ? read(file) : viaScan(fallback);
  };
  return {
    pathEntry,
    kind: file.header.kind,
    get distributionCount() {
      return fallback === null ? file.header.distributions : fallback.distributionCount;
    },
    problems,
    groups: () => use(null, (f) => f.groups, (v) => v.groups()),
    group: (g) => (file.has(GROUP_PREFIX + g) || fallback !== null ? use(GROUP_PREFIX + g, (f) => f.group(g), (v) => v.group(g)) : null),
    dists: () => use('dists', (f) => f.dists, (v) => v.dists()),
    names: () => use('names', (f) => f.names, (v) => v.names()),
    diagnostics: () => use('diagnostics', (f) => f.diagnostics, (v) => v.diagnostics()),
  };
}

export { diagnosticOf };
