/**
 * Search path × entry views → the environment's distributions and entry points: which
 * distribution of a name wins, which are shadowed, and every diagnostic with an absolute file.
 * Distribution objects are built only for what a lookup returns.
 */
import * as path from 'node:path';
import { diagnostic, type Diagnostic } from './diagnostics.js';
import { EntryPoint, type Distribution, type EntryPointQuery, normalizeName } from './entry-point.js';
import type { DistSummary, EntryView } from './entry-view.js';

/** A distribution that lost to an earlier one of the same normalized name. */
export interface ShadowedDistribution {
  readonly distribution: Distribution;
  readonly by: Distribution;
}

export interface Resolution {
  readonly views: readonly EntryView[];
  /** Per view, per distribution: 1 when it is the one used for its name. */
  readonly winners: readonly Uint8Array[];
  /** The winners, in search-path order (then in-directory order). */
  readonly distributions: readonly Distribution[];
  readonly shadowed: readonly ShadowedDistribution[];
  /** Path-entry diagnostics, every distribution's diagnostics (absolute files), shadowing diagnostics. */
  readonly diagnostics: readonly Diagnostic[];
  /** The Distribution of view `v`, distribution `d` (one object per pair). */
  distribution(v: number, d: number): Distribution;
}

function toDistribution(view: EntryView, s: DistSummary): Distribution {
  return {
    name: s.name,
    normalizedName: s.normalizedName,
    version: s.version,
    // Concatenation: path.join's normalization is measurable when every result needs one.
    metadataPath: view.pathEntry === '' ? s.child : view.pathEntry.endsWith(path.sep) ? view.pathEntry + s.child : view.pathEntry + path.sep + s.child,
    pathEntry: view.pathEntry,
    layout: s.layout,
    hasMetadata: s.hasMetadata,
  };
}

/** Views keep files relative to their path entry; results show them whole. */
function absolute(view: EntryView, d: Diagnostic): Diagnostic {
  return d.file === undefined ? d : { ...d, file: d.file === '' ? view.pathEntry : path.join(view.pathEntry, d.file) };
}

/**
 * The first distribution of a normalized name on the search path wins, except that a
 * metadata-less leftover never hides a real distribution: the winner is the first real one
 * (path order, then the in-directory preference order), or the first leftover if none is real.
 */
export function resolve(views: readonly EntryView[]): Resolution {
  // [view, dist] of the first candidate and of the first real candidate of each name.
  const first = new Map<string, number>();
  const firstReal = new Map<string, number>();
  const SHIFT = 2 ** 26; // a view index and a distribution index packed in one number
  views.forEach((view, v) => {
    view.summaries.forEach((s, d) => {
      if (!first.has(s.normalizedName)) first.set(s.normalizedName, v * SHIFT + d);
      if (s.hasMetadata && !firstReal.has(s.normalizedName)) firstReal.set(s.normalizedName, v * SHIFT + d);
    });
  });
  const winnerOf = (name: string): number => firstReal.get(name) ?? first.get(name)!;
  const objects = views.map((view) => new Array<Distribution | undefined>(view.summaries.length));
  const distribution = (v: number, d: number): Distribution => (objects[v]![d] ??= toDistribution(views[v]!, views[v]!.summaries[d]!));
  const winners = views.map((view, v) => {
    const w = new Uint8Array(view.summaries.length);
    view.summaries.forEach((s, d) => {
      w[d] = winnerOf(s.normalizedName) === v * SHIFT + d ? 1 : 0;
    });
    return w;
  });
  const diagnostics: Diagnostic[] = [];
  const shadowed: ShadowedDistribution[] = [];
  for (const view of views) {
    for (const { diagnostic: d } of view.diagnostics()) diagnostics.push(absolute(view, d));
  }
  views.forEach((view, v) => {
    view.summaries.forEach((s, d) => {
      if (winners[v]![d]) return;
      const w = winnerOf(s.normalizedName);
      const by = distribution(Math.floor(w / SHIFT), w % SHIFT);
      const loser = distribution(v, d);
      shadowed.push({ distribution: loser, by });
      const what = `${s.name} ${s.version ?? '(no version)'}`;
      const winner = `${by.name} ${by.version ?? '(no version)'} at ${by.metadataPath}`;
      diagnostics.push(
        by.pathEntry === view.pathEntry
          ? diagnostic('EP206', `${what} is not used: ${winner} in the same directory is preferred`, { file: loser.metadataPath })
          : diagnostic('EP201', `${what} is shadowed by ${winner}`, { file: loser.metadataPath }),
      );
    });
  });
  let all: Distribution[] | undefined;
  return {
    views,
    winners,
    get distributions() {
      return (all ??= views.flatMap((view, v) => view.summaries.flatMap((_, d) => (winners[v]![d] ? [distribution(v, d)] : []))));
    },
    shadowed,
    diagnostics,
    distribution,
  };
}

/** The entry points of the winning distributions that match `query`, in resolution order. */
export function selectEntryPoints(resolution: Resolution, query: EntryPointQuery = {}): EntryPoint[] {
  const out: EntryPoint[] = [];
  const dist = query.dist === undefined ? undefined : normalizeName(query.dist);
  const detailed = query.value !== undefined || query.module !== undefined || query.attr !== undefined;
  resolution.views.forEach((view, v) => {
    const winners = resolution.winners[v]!;
    for (const e of view.entries(query.group)) {
      if (!winners[e.dist]) continue;
      if (query.name !== undefined && e.name !== query.name) continue;
      if (dist !== undefined && view.summaries[e.dist]!.normalizedName !== dist) continue;
      const ep = new EntryPoint(e.group, e.name, e.value, resolution.distribution(v, e.dist));
      if (detailed && !ep.matches(query)) continue;
      out.push(ep);
    }
  });
  return out;
}
