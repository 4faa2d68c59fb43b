/**
 * The Python source's `importlib` section (docs/spec.md §5.2): one path entry as
 * importlib.metadata itself sees it, so that the Python accelerator can give importlib's exact
 * answers — `distributions()`, every distribution's `entry_points`, `name` and `version`,
 * `entry_points()` — without reading a file per distribution, where epindex's own answer would
 * differ (several candidates of one name in one directory, leftovers, candidates that are no
 * distribution to epindex).
 *
 * - `child`: the candidates in the order importlib's `Lookup` yields them to
 *   `Distribution.discover()`: `*.dist-info`/`*.egg-info` grouped by `key` in the order of each
 *   key's first candidate in the listing, listing order within a key, then `EGG-INFO` (`grouped`
 *   1). Where a candidate's name is not ASCII (whose case mapping the writer does not claim to
 *   share with Python), `child` is in listing order, every `key` is null and `grouped` is 0: the
 *   reader groups them itself.
 * - `key`: per candidate, `Prepared.normalize` of the text before the first `-` of the lowercased
 *   name without its suffix; null for `EGG-INFO` (its key comes from the path entry's own name,
 *   which the reader has).
 * - `unit`: per candidate, its index in `dists`, or -1 (no distribution to epindex).
 * - `name`, `version`: per unit, `dist.metadata['Name'|'Version']` as importlib reads them, or
 *   null (unit.extra, discover.ts).
 * - `start`, `groups`, `group`, `epName`, `epValue`: every unit's entry points (winners and
 *   losers alike) in file order: those of unit `u` are `start[u]` to `start[u + 1]`; `group`
 *   indexes `groups` (code point order).
 */
import type { DirectoryScan } from '../cache/source.js';
import { entryIsEgg } from './discover.js';
import { compareCodePoints } from './text.js';

export interface ImportlibSection {
  readonly egg: 0 | 1;
  readonly grouped: 0 | 1;
  readonly child: readonly string[];
  readonly key: readonly (string | null)[];
  readonly unit: readonly number[];
  readonly name: readonly (string | null)[];
  readonly version: readonly (string | null)[];
  readonly start: readonly number[];
  readonly groups: readonly string[];
  readonly group: readonly number[];
  readonly epName: readonly string[];
  readonly epValue: readonly string[];
}

// eslint-disable-next-line no-control-regex
const ASCII = /^[\x00-\x7f]*$/;

/** importlib's `Lookup` key of a `*.dist-info` / `*.egg-info` name (ASCII). */
export function lookupKey(child: string): string {
  const low = child.toLowerCase();
  const stem = low.slice(0, low.lastIndexOf('.'));
  const dash = stem.indexOf('-');
  return (dash < 0 ? stem : stem.slice(0, dash)).replace(/[-_.]+/g, '_');
}

export function importlibSection(dir: string, scan: DirectoryScan): ImportlibSection {
  const egg = entryIsEgg(dir);
  const unitOf = new Map<string, number>();
  scan.units.forEach((u, i) => unitOf.set(u.child, i));
  const listing = scan.listing.map((l) => l.name);
  let child: string[];
  let key: (string | null)[];
  const grouped = listing.every((n) => ASCII.test(n));
  if (grouped) {
    const infos = new Map<string, string[]>();
    const eggs: string[] = [];
    for (const n of listing) {
      if (egg && n.toLowerCase() === 'egg-info') {
        eggs.push(n);
        continue;
      }
      const k = lookupKey(n);
      const list = infos.get(k);
      if (list === undefined) infos.set(k, [n]);
      else list.push(n);
    }
    child = [];
    key = [];
    for (const [k, list] of infos) {
      for (const n of list) {
        child.push(n);
        key.push(k);
      }
    }
    for (const n of eggs) {
      child.push(n);
      key.push(null);
    }
  } else {
    child = listing;
    key = listing.map(() => null);
  }
  const name: (string | null)[] = [];
  const version: (string | null)[] = [];
  const start: number[] = [0];
  const epGroup: string[] = [];
  const epName: string[] = [];
  const epValue: string[] = [];
  for (const u of scan.units) {
    const facts = Array.isArray(u.extra) ? (u.extra as readonly (string | null)[]) : [];
    name.push(facts[0] ?? null);
    version.push(facts[1] ?? null);
    for (const e of u.entryPoints) {
      epGroup.push(e.group);
      epName.push(e.name);
      epValue.push(e.value);
    }
    start.push(epName.length);
  }
  const groups = [...new Set(epGroup)].sort(compareCodePoints);
  const index = new Map(groups.map((g, i) => [g, i]));
  return {
    egg: egg ? 1 : 0,
    grouped: grouped ? 1 : 0,
    child,
    key,
    unit: child.map((n) => unitOf.get(n) ?? -1),
    name,
    version,
    start,
    groups,
    group: epGroup.map((g) => index.get(g)!),
    epName,
    epValue,
  };
}
