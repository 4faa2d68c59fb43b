/**
 * Synthetic site-packages directories drawn from the measured profile (bench/env-profile.json),
 * reproducibly: distribution i depends only on (seed, i), so the 500-distribution environment
 * is the first 500 distributions of the 10,000 one, byte for byte.
 *
 * Each distribution is laid out like a wheel install by pip: `name-version.dist-info/` with
 * METADATA, RECORD (hashes and sizes), WHEEL, INSTALLER, top_level.txt and entry_points.txt in
 * the measured proportions, plus its top-level package next to it.
 *
 * - Distribution 0 is `pip` (console_scripts pip, pip3, pip3.11): the name lookup's target.
 * - Distribution 1 resamples a real file that has a `pytest11` group, so that even the
 *   50-distribution environment answers the group lookup with something.
 * - Every other distribution has an entry_points.txt with the measured probability, whose
 *   shape (groups in order, entries per group) is a real file's, resampled whole, group names
 *   included: the group mix is the measured one, and the number of distinct groups stays that of
 *   the real environments (72), however many distributions there are.
 * - Entry point names end with the distribution's index, so (group, name) is unique in the whole
 *   environment: every peer's de-duplication rules then agree on the answer.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { hash32, Rng } from './prng.js';
import type { FileShape, Profile } from './profile.js';

/** Bump when the output of the generator changes: generated directories are then rebuilt. */
export const GENERATOR_VERSION = 2;
export const DEFAULT_SEED = 20171018; // the day the 2017 caching thread started

const SYLLABLES = ['ba', 'co', 'da', 'fe', 'gi', 'ho', 'ju', 'ka', 'li', 'mo', 'nu', 'pa', 're', 'si', 'to', 'va', 'xe', 'zo', 'lan', 'mer', 'tor', 'vin', 'dex', 'qua', 'sto', 'ply', 'gen', 'lux'];
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const LOREM = 'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore magna aliqua ut enim ad minim veniam quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat'.split(' ');

function word(rng: Rng, min = 2, max = 3): string {
  let w = '';
  const n = rng.int(min, max);
  for (let i = 0; i < n; i++) w += rng.pick(SYLLABLES);
  return w;
}

function hashOf(rng: Rng): string {
  let s = '';
  for (let i = 0; i < 43; i++) s += B64URL[rng.int(0, 63)];
  return s;
}

function prose(rng: Rng, bytes: number): string {
  const out: string[] = [];
  let n = 0;
  let line = '';
  while (n < bytes) {
    const w = rng.pick(LOREM);
    line += (line === '' ? '' : ' ') + w;
    n += w.length + 1;
    if (line.length > 72) {
      out.push(line);
      line = '';
    }
  }
  if (line !== '') out.push(line);
  return out.join('\n');
}

export interface GeneratedDist {
  readonly name: string;
  readonly dirName: string;
  readonly entryPoints: number;
  readonly groups: readonly string[];
}

export interface GenerationSummary {
  readonly generatorVersion: number;
  readonly seed: number;
  readonly distributions: number;
  readonly withEntryPoints: number;
  readonly entryPoints: number;
  readonly pytest11: number;
  readonly groups: number;
  readonly files: number;
  readonly bytes: number;
}

interface Writer {
  files: number;
  bytes: number;
  write(p: string, text: string): void;
}

function makeWriter(): Writer {
  const w: Writer = {
    files: 0,
    bytes: 0,
    write(p, text) {
      fs.writeFileSync(p, text);
      w.files++;
      w.bytes += Buffer.byteLength(text);
    },
  };
  return w;
}

function valueFor(rng: Rng, module: string, profile: Profile): string {
  // module depth from the measured shares (index 0 = one dotted part)
  let r = rng.next();
  let parts = 1;
  for (let i = 0; i < profile.values.moduleParts.length; i++) {
    r -= profile.values.moduleParts[i]!;
    if (r <= 0) {
      parts = i + 1;
      break;
    }
    parts = i + 1;
  }
  const mod = [module, ...Array.from({ length: parts - 1 }, () => word(rng, 1, 3))].join('.');
  let v = mod;
  if (rng.chance(profile.values.withAttrShare)) v += `:${word(rng, 2, 4)}${rng.chance(0.3) ? `.${word(rng, 1, 3)}` : ''}`;
  if (rng.chance(profile.values.withExtrasShare)) v += ` [${word(rng, 1, 2)}]`;
  return v;
}

function entryName(rng: Rng, group: string, suffix: string, j: number, profile: Profile): string {
  const target = Math.max(3, Math.round(rng.fromQuantiles(profile.quantiles.nameLength)));
  let base = word(rng, 1, 2);
  while (base.length + suffix.length + 2 < target) base += (group === 'console_scripts' || group === 'gui_scripts' ? '-' : '_') + word(rng, 1, 2);
  return `${base}-${suffix}_${j.toString(36)}`;
}

/** Generate distribution `i` into `dir`. */
function generateDist(dir: string, i: number, seed: number, profile: Profile, w: Writer, pytestShapes: readonly FileShape[]): GeneratedDist {
  const rng = new Rng(seed, i);
  const suffix = i.toString(36);
  let name: string;
  let version: string;
  let epText: string | null = null;
  let count = 0;
  const groups: string[] = [];
  if (i === 0) {
    name = 'pip';
    version = '24.0';
    epText = '[console_scripts]\npip = pip._internal.cli.main:main\npip3 = pip._internal.cli.main:main\npip3.11 = pip._internal.cli.main:main\n';
    count = 3;
    groups.push('console_scripts');
  } else {
    name = `${word(rng)}${rng.chance(0.35) ? `-${word(rng, 1, 2)}` : ''}-${suffix}`;
    version = `${rng.int(0, 9)}.${rng.int(0, 30)}.${rng.int(0, 20)}`;
    const shape = i === 1 ? rng.pick(pytestShapes) : rng.chance(profile.withEntryPointsShare) ? rng.pick(profile.files) : null;
    if (shape !== null) {
      const module0 = name.replace(/-/g, '_');
      const sections: string[] = [];
      let j = 0;
      for (const [group0, n] of shape) {
        const group = group0;
        groups.push(group);
        const lines = [`[${group}]`];
        for (let k = 0; k < n; k++) lines.push(`${entryName(rng, group, suffix, j++, profile)} = ${valueFor(rng, module0, profile)}`);
        sections.push(lines.join('\n'));
        count += n;
      }
      epText = sections.join('\n\n') + '\n';
    }
  }
  const module = name.replace(/-/g, '_');
  const dirName = `${module}-${version}.dist-info`;
  const di = path.join(dir, dirName);
  fs.mkdirSync(di);
  const record: string[] = [];
  const add = (rel: string, text: string): void => {
    w.write(path.join(dir, rel), text);
    record.push(`${rel},sha256=${hashOf(rng)},${Buffer.byteLength(text)}`);
  };

  // The package itself, next to its metadata.
  fs.mkdirSync(path.join(dir, module));
  add(`${module}/__init__.py`, `"""${name} ${version}"""\n__version__ = "${version}"\n`);
  const extraPackages = profile.packagesPerDistribution - 1;
  if (extraPackages > 0 && rng.chance(Math.min(1, extraPackages))) add(`_${module}_impl.py`, `# ${name}\n`);

  const mdTarget = Math.round(rng.fromQuantiles(profile.quantiles.metadataBytes));
  let md = `Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\nSummary: ${prose(rng, 40).split('\n')[0]}\nHome-page: https://example.invalid/${name}\nAuthor: ${word(rng)} ${word(rng)}\nLicense: MIT\nRequires-Python: >=3.8\n`;
  for (let k = rng.int(0, 4); k > 0; k--) md += `Requires-Dist: ${word(rng)}>=${rng.int(0, 5)}.${rng.int(0, 9)}\n`;
  md += 'Description-Content-Type: text/markdown\n\n';
  md += prose(rng, Math.max(0, mdTarget - Buffer.byteLength(md))) + '\n';
  add(`${dirName}/METADATA`, md);
  add(`${dirName}/WHEEL`, 'Wheel-Version: 1.0\nGenerator: epindex-bench\nRoot-Is-Purelib: true\nTag: py3-none-any\n');
  if (rng.chance(profile.distInfoFiles['INSTALLER'] ?? 1)) add(`${dirName}/INSTALLER`, 'pip\n');
  if (rng.chance(profile.distInfoFiles['top_level.txt'] ?? 0.5)) add(`${dirName}/top_level.txt`, `${module}\n`);
  if (epText !== null) add(`${dirName}/entry_points.txt`, epText);
  // RECORD: the files above, then as many module lines as the measured size asks, then itself.
  const recordTarget = Math.max(record.length + 1, Math.round(rng.fromQuantiles(profile.quantiles.recordLines)));
  while (record.length < recordTarget - 1) record.push(`${module}/${word(rng)}_${record.length}.py,sha256=${hashOf(rng)},${rng.int(200, 40000)}`);
  record.push(`${dirName}/RECORD,,`);
  w.write(path.join(di, 'RECORD'), record.join('\n') + '\n');
  return { name, dirName, entryPoints: count, groups };
}

/**
 * Generate a site-packages directory with `n` distributions into `dir` (which must not exist).
 * Deterministic: the same (profile, seed, n) gives the same bytes.
 */
export function generateEnvironment(dir: string, n: number, profile: Profile, seed = DEFAULT_SEED): GenerationSummary {
  fs.mkdirSync(dir, { recursive: false });
  const w = makeWriter();
  const pytestShapes = profile.files.filter((f) => f.some(([g]) => g === 'pytest11'));
  if (pytestShapes.length === 0) throw new Error('the profile has no pytest11 file');
  const s = seed ^ hash32('epindex-bench');
  let withEp = 0;
  let eps = 0;
  let pytest11 = 0;
  const groups = new Set<string>();
  for (let i = 0; i < n; i++) {
    const d = generateDist(dir, i, s, profile, w, pytestShapes);
    if (d.entryPoints > 0) withEp++;
    eps += d.entryPoints;
    if (d.groups.includes('pytest11')) pytest11++;
    for (const g of d.groups) groups.add(g);
  }
  return { generatorVersion: GENERATOR_VERSION, seed, distributions: n, withEntryPoints: withEp, entryPoints: eps, pytest11, groups: groups.size, files: w.files, bytes: w.bytes };
}
