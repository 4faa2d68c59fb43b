/**
 * The measured shape of real environments (bench/env-profile.json): how many distributions
 * carry entry points, how big their entry_points.txt, METADATA and RECORD are, and which groups
 * they use. The synthetic environments are drawn from it (bench/lib/generate.ts).
 *
 * Regenerate with `npm run bench -- --measure-profile` (after a change of bench/real-env.txt).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { normalizeName, parseEntryPointsTxt } from '../../src/index.js';

export interface ProfileSource {
  readonly label: string;
  /** Where it was measured (relative to the repository when inside it). */
  readonly where: string;
  readonly distributions: number;
  readonly withEntryPoints: number;
  readonly entryPoints: number;
}

/** One real entry_points.txt reduced to its shape: its groups in file order, with entry counts. */
export type FileShape = readonly (readonly [group: string, entries: number])[];

export interface Profile {
  readonly about: string;
  readonly measuredWith: string;
  readonly sources: readonly ProfileSource[];
  readonly distributions: number;
  readonly withEntryPoints: number;
  /** Share of distributions with an entry_points.txt. */
  readonly withEntryPointsShare: number;
  /** Top-level children of site-packages that are not metadata (packages, modules), per distribution. */
  readonly packagesPerDistribution: number;
  /** Evenly spaced quantiles (0, 5, ..., 100 %). */
  readonly quantiles: {
    readonly entryPointsPerFile: readonly number[];
    readonly groupsPerFile: readonly number[];
    readonly entryPointsTxtBytes: readonly number[];
    readonly metadataBytes: readonly number[];
    readonly recordLines: readonly number[];
    readonly nameLength: readonly number[];
  };
  /** Share of metadata directories holding each of these files. */
  readonly distInfoFiles: Readonly<Record<string, number>>;
  readonly values: {
    /** Share of values by number of dotted parts in the module (index 0 = 1 part). */
    readonly moduleParts: readonly number[];
    readonly withAttrShare: number;
    readonly withExtrasShare: number;
  };
  /** Every group: in how many files and with how many entry points, most frequent first. */
  readonly groups: readonly { readonly group: string; readonly files: number; readonly entryPoints: number }[];
  /** Groups used by a single distribution: the generator gives each synthetic user its own copy. */
  readonly singleDistributionGroups: readonly string[];
  /** Every measured file's shape; the generator resamples these whole. */
  readonly files: readonly FileShape[];
}

const QUANTILE_STEPS = 20;

export function quantiles(xs: readonly number[], steps = QUANTILE_STEPS): number[] {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return [0];
  const out: number[] = [];
  for (let i = 0; i <= steps; i++) {
    const x = (i / steps) * (s.length - 1);
    const lo = Math.floor(x);
    const v = s[lo]! + (s[Math.min(lo + 1, s.length - 1)]! - s[lo]!) * (x - lo);
    out.push(Math.round(v * 10) / 10);
  }
  return out;
}

const META_SUFFIX = /\.(dist-info|egg-info)$/i;

export function measureProfile(sources: readonly { label: string; where: string; dir: string }[]): Profile {
  const files: FileShape[] = [];
  const epCounts: number[] = [];
  const groupCounts: number[] = [];
  const epBytes: number[] = [];
  const mdBytes: number[] = [];
  const recordLines: number[] = [];
  const nameLengths: number[] = [];
  const moduleParts: number[] = [];
  let withAttr = 0;
  let withExtras = 0;
  let values = 0;
  const fileShare = new Map<string, number>();
  const groupStats = new Map<string, { files: number; entryPoints: number; dists: Set<string> }>();
  const out: ProfileSource[] = [];
  let dists = 0;
  let withEp = 0;
  let packages = 0;
  const TRACKED = ['METADATA', 'RECORD', 'WHEEL', 'INSTALLER', 'top_level.txt', 'entry_points.txt', 'REQUESTED', 'direct_url.json', 'licenses/', 'LICENSE*'];

  for (const src of sources) {
    let n = 0;
    let nEp = 0;
    let nEntries = 0;
    for (const child of fs.readdirSync(src.dir).sort()) {
      const full = path.join(src.dir, child);
      if (!META_SUFFIX.test(child)) {
        if (child.startsWith('.') || child === '__pycache__' || child.endsWith('.pth') || child.startsWith('_distutils_hack') || child.startsWith('__editable__')) continue;
        packages++;
        continue;
      }
      if (!fs.statSync(full).isDirectory()) continue;
      n++;
      const inside = fs.readdirSync(full);
      for (const t of TRACKED) {
        const has = t.endsWith('/') ? inside.includes(t.slice(0, -1)) : t.endsWith('*') ? inside.some((f) => f.startsWith(t.slice(0, -1))) : inside.includes(t);
        if (has) fileShare.set(t, (fileShare.get(t) ?? 0) + 1);
      }
      const md = ['METADATA', 'PKG-INFO'].map((f) => path.join(full, f)).find((f) => fs.existsSync(f));
      if (md !== undefined) mdBytes.push(fs.statSync(md).size);
      const rec = path.join(full, 'RECORD');
      if (fs.existsSync(rec)) recordLines.push(fs.readFileSync(rec, 'utf8').split('\n').filter((l) => l !== '').length);
      const epFile = path.join(full, 'entry_points.txt');
      if (!fs.existsSync(epFile)) continue;
      const bytes = fs.readFileSync(epFile);
      const parsed = parseEntryPointsTxt(bytes, { file: epFile });
      if (parsed.entries.length === 0) continue;
      nEp++;
      nEntries += parsed.entries.length;
      epBytes.push(bytes.length);
      const distName = normalizeName(child.slice(0, child.search(/-|\.(dist|egg)-info$/i)));
      const shape: [string, number][] = [];
      for (const e of parsed.entries) {
        const last = shape[shape.length - 1];
        if (last !== undefined && last[0] === e.group) last[1]++;
        else shape.push([e.group, 1]);
        nameLengths.push([...e.name].length);
        values++;
        const m = /^\s*([^:[\s]+)\s*(?::\s*([^[\s]+))?\s*(\[.*\])?\s*$/.exec(e.value);
        if (m !== null) {
          const parts = m[1]!.split('.').length;
          moduleParts[parts - 1] = (moduleParts[parts - 1] ?? 0) + 1;
          if (m[2] !== undefined) withAttr++;
          if (m[3] !== undefined) withExtras++;
        }
      }
      files.push(shape);
      epCounts.push(parsed.entries.length);
      groupCounts.push(new Set(shape.map(([g]) => g)).size);
      for (const [g, c] of shape) {
        let s = groupStats.get(g);
        if (s === undefined) groupStats.set(g, (s = { files: 0, entryPoints: 0, dists: new Set() }));
        if (!s.dists.has(distName)) s.files++;
        s.entryPoints += c;
        s.dists.add(distName);
      }
    }
    dists += n;
    withEp += nEp;
    out.push({ label: src.label, where: src.where, distributions: n, withEntryPoints: nEp, entryPoints: nEntries });
  }
  const round = (x: number, d = 4): number => Math.round(x * 10 ** d) / 10 ** d;
  const partsTotal = moduleParts.reduce((a, b) => a + (b ?? 0), 0);
  const groups = [...groupStats.entries()]
    .map(([group, s]) => ({ group, files: s.files, entryPoints: s.entryPoints }))
    .sort((a, b) => b.files - a.files || b.entryPoints - a.entryPoints || (a.group < b.group ? -1 : 1));
  return {
    about: 'The measured shape of real Python environments; the synthetic benchmark environments are drawn from it. See bench/README.md.',
    measuredWith: 'npm run bench -- --measure-profile',
    sources: out,
    distributions: dists,
    withEntryPoints: withEp,
    withEntryPointsShare: round(withEp / dists),
    packagesPerDistribution: round(packages / dists, 3),
    quantiles: {
      entryPointsPerFile: quantiles(epCounts),
      groupsPerFile: quantiles(groupCounts),
      entryPointsTxtBytes: quantiles(epBytes),
      metadataBytes: quantiles(mdBytes),
      recordLines: quantiles(recordLines),
      nameLength: quantiles(nameLengths),
    },
    distInfoFiles: Object.fromEntries(TRACKED.map((t) => [t, round((fileShare.get(t) ?? 0) / dists, 3)])),
    values: {
      moduleParts: Array.from(moduleParts, (c) => round((c ?? 0) / partsTotal)),
      withAttrShare: round(withAttr / values),
      withExtrasShare: round(withExtras / values),
    },
    groups,
    singleDistributionGroups: [...groupStats.entries()].filter(([, s]) => s.dists.size === 1).map(([g]) => g).sort(),
    files,
  };
}

/** Write the profile compactly: one file shape per line, so that it stays small and diffable. */
export function serializeProfile(p: Profile): string {
  const { files, groups, ...rest } = p;
  const head = JSON.stringify(rest, null, 2)
    .replace(/\n}$/, '')
    .replace(/\[\s+([-\d.,\s]+?)\s+\]/g, (_, xs: string) => `[${xs.split(/,\s*/).join(', ')}]`);
  const g = groups.map((x) => `    ${JSON.stringify(x)}`).join(',\n');
  const f = files.map((x) => `    ${JSON.stringify(x)}`).join(',\n');
  return `${head},\n  "groups": [\n${g}\n  ],\n  "files": [\n${f}\n  ]\n}\n`;
}

export function readProfile(file: string): Profile {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
}
