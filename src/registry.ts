/**
 * Search path × entry views → the environment's distributions and entry points: which
 * distribution of a name wins, which are shadowed, and every diagnostic with an absolute file.
 *
 * Within one directory the choice was made when it was scanned (the view's winners); across
 * directories it is made here, and only where it matters: a name found in one directory only
 * needs no comparison, and a lookup of one group compares only the names that group's
 * entry points belong to (a binary search in each earlier directory's sorted names).
 */
import * as path from 'node:path';
import { diagnostic, type Diagnostic } from './diagnostics.js';
import { EntryPoint, normalizeName, referenceFromJSON, type Distribution, type DistributionLayout, type EntryPointQuery } from './entry-point.js';
import { diagnosticOf, type EntryView } from './entry-view.js';
import type { DistRow, GroupDistRow, NamesSection } from './cache/format.js';
import { compareCodePoints } from './python/text.js';

/** A distribution that lost to an earlier one of the same normalized name. */
export interface ShadowedDistribution {
  readonly distribution: Distribution;
  readonly by: Distribution;
}

function has(sorted: readonly string[], key: string): boolean {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const c = compareCodePoints(sorted[mid]!, key);
    if (c === 0) return true;
    if (c < 0) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

export class Resolution {
  readonly views: readonly EntryView[];
  /** The views that hold any distribution (resolution across directories looks only at these). */
  readonly #populated: readonly number[];
  readonly #roots: string[];
  readonly #objects: Map<number, Distribution>[];
  #all: { distributions: Distribution[]; shadowed: ShadowedDistribution[]; diagnostics: Diagnostic[] } | undefined;

  constructor(views: readonly EntryView[]) {
    this.views = views;
    const populated: number[] = [];
    views.forEach((v, i) => {
      if (v.distributionCount > 0) populated.push(i);
    });
    this.#populated = populated;
    this.#roots = views.map((v) => {
      const abs = path.resolve(v.pathEntry === '' ? '.' : v.pathEntry);
      return abs.endsWith(path.sep) ? abs : abs + path.sep;
    });
    this.#objects = views.map(() => new Map());
  }

  /** Whether view `v`'s in-directory winner of `key` (real or not) is the environment's. */
  isWinner(v: number, key: string, real: boolean): boolean {
    if (this.#populated.length <= 1) return true;
    for (const u of this.#populated) {
      if (u === v) continue;
      const names: NamesSection = this.views[u]!.names();
      if (u < v) {
        if (has(names.real, key)) return false;
        if (!real && has(names.leftover, key)) return false;
      } else if (!real && has(names.real, key)) {
        return false; // a leftover never hides a real distribution, wherever it is
      }
    }
    return true;
  }

  /** The Distribution of view `v`'s distribution number `i` (one object per pair). */
  distribution(v: number, i: number, row: GroupDistRow | DistRow): Distribution {
    const memo = this.#objects[v]!;
    let d = memo.get(i);
    if (d === undefined) {
      const isGroupRow = typeof row[0] === 'number';
      const r = isGroupRow ? (row as GroupDistRow).slice(1) : (row as DistRow);
      d = {
        name: r[1] as string,
        normalizedName: r[2] as string,
        version: r[3] as string | null,
        metadataPath: this.#roots[v]! + (r[0] as string),
        pathEntry: this.views[v]!.pathEntry,
        layout: r[4] as DistributionLayout,
        hasMetadata: r[5] === 1,
      };
      memo.set(i, d);
    }
    return d;
  }

  /** The entry points of the winning distributions that match `query`, in resolution order. */
  select(query: EntryPointQuery = {}): EntryPoint[] {
    const out: EntryPoint[] = [];
    const dist = query.dist === undefined ? undefined : normalizeName(query.dist);
    const detailed = query.value !== undefined || query.module !== undefined || query.attr !== undefined;
    for (const v of this.#populated) {
      const view = this.views[v]!;
      const groups = query.group !== undefined ? [query.group] : view.groups();
      const found: { i: number; line: number; ep: EntryPoint }[] = [];
      for (const g of groups) {
        const section = view.group(g);
        if (section === null) continue;
        const ok = new Int8Array(section.dists.length); // 0 unknown, 1 winner, -1 shadowed or filtered out
        for (const [k, name, value, line, ref] of section.eps) {
          if (query.name !== undefined && name !== query.name) continue;
          const row = section.dists[k]!;
          if (ok[k] === 0) ok[k] = (dist === undefined || row[3] === dist) && this.isWinner(v, row[3], row[6] === 1) ? 1 : -1;
          if (ok[k] !== 1) continue;
          const ep = new EntryPoint(g, name, value, this.distribution(v, row[0], row), referenceFromJSON(ref));
          if (detailed && !ep.matches(query)) continue;
          found.push({ i: row[0], line, ep });
        }
      }
      // One group is already in order; several are merged by distribution, then line.
      if (groups.length > 1) found.sort((a, b) => a.i - b.i || a.line - b.line);
      for (const f of found) out.push(f.ep);
    }
    return out;
  }

  #resolveAll(): { distributions: Distribution[]; shadowed: ShadowedDistribution[]; diagnostics: Diagnostic[] } {
    if (this.#all !== undefined) return this.#all;
    const distributions: Distribution[] = [];
    const shadowed: ShadowedDistribution[] = [];
    const diagnostics: Diagnostic[] = [];
    // The winner of each name: the first real, else the first leftover (path order).
    const winnerOf = new Map<string, { v: number; i: number; row: DistRow; real: boolean }>();
    for (const v of this.#populated) {
      this.views[v]!.dists().forEach((row, i) => {
        if (row[6] !== 1) return;
        const w = winnerOf.get(row[2]);
        if (w === undefined || (!w.real && row[5] === 1)) winnerOf.set(row[2], { v, i, row, real: row[5] === 1 });
      });
    }
    this.views.forEach((view, v) => {
      for (const row of view.diagnostics()) diagnostics.push(this.#absolute(v, diagnosticOf(row)));
      for (const p of view.problems) diagnostics.push(p);
    });
    for (const v of this.#populated) {
      this.views[v]!.dists().forEach((row, i) => {
        const w = winnerOf.get(row[2])!;
        const d = this.distribution(v, i, row);
        if (w.v === v && w.i === i) {
          distributions.push(d);
          return;
        }
        const by = this.distribution(w.v, w.i, w.row);
        shadowed.push({ distribution: d, by });
        // Losers within one directory have their EP206 from the scan already.
        if (w.v !== v && row[6] === 1) {
          diagnostics.push(diagnostic('EP201', `${d.name} ${d.version ?? '(no version)'} is shadowed by ${by.name} ${by.version ?? '(no version)'} at ${by.metadataPath}`, { file: d.metadataPath }));
        }
      });
    }
    this.#all = { distributions, shadowed, diagnostics };
    return this.#all;
  }

  /** The winners, in search-path order (then in-directory order). */
  get distributions(): readonly Distribution[] {
    return this.#resolveAll().distributions;
  }

  get shadowed(): readonly ShadowedDistribution[] {
    return this.#resolveAll().shadowed;
  }

  /** Every directory's diagnostics (absolute files) and the shadowing across directories. */
  get diagnostics(): readonly Diagnostic[] {
    return this.#resolveAll().diagnostics;
  }

  /**
   * Diagnostics without resolving every distribution: every directory's own (absolute files),
   * plus shadowing across directories when more than one holds distributions.
   */
  lookupDiagnostics(): Diagnostic[] {
    if (this.#populated.length > 1) return [...this.diagnostics];
    const out: Diagnostic[] = [];
    this.views.forEach((view, v) => {
      for (const row of view.diagnostics()) out.push(this.#absolute(v, diagnosticOf(row)));
      for (const p of view.problems) out.push(p);
    });
    return out;
  }

  #absolute(v: number, d: Diagnostic): Diagnostic {
    if (d.file === undefined) return d;
    const root = this.#roots[v]!;
    return { ...d, file: d.file === '' ? root.slice(0, -1) : root + d.file };
  }
}

export function resolve(views: readonly EntryView[]): Resolution {
  return new Resolution(views);
}
