/**
 * Answers compared across peers: the set of (group, name, value). pkg_resources and entrypoints
 * keep no raw value and re-render it from module, attr and extras (pkg_resources also reorders
 * and normalizes extras), so values are compared in a canonical form: whitespace removed, extras
 * lower-cased and sorted. Nothing else is forgiven.
 */
import { createHash } from 'node:crypto';

export type Line = readonly [group: string, name: string, value: string];

export function canonicalValue(v: string): string {
  const s = v.replace(/\s+/g, '');
  const open = s.indexOf('[');
  if (open < 0 || !s.endsWith(']')) return s;
  const extras = s.slice(open + 1, -1).split(',').filter((x) => x !== '').map((x) => x.toLowerCase().replace(/[-_.]+/g, '_')).sort();
  return `${s.slice(0, open)}[${extras.join(',')}]`;
}

const key = (l: Line): string => `${l[0]}\t${l[1]}\t${canonicalValue(l[2])}`;

export interface Answer {
  /** Entries as returned (duplicates included). */
  readonly count: number;
  /** Distinct canonical (group, name, value) triples. */
  readonly distinct: number;
  readonly digest: string;
  readonly keys: readonly string[];
}

export function answerOf(lines: readonly Line[]): Answer {
  const keys = [...new Set(lines.map(key))].sort();
  return { count: lines.length, distinct: keys.length, digest: createHash('sha256').update(keys.join('\n')).digest('hex').slice(0, 16), keys };
}

/** The first entry of each name, in order: what pluggy keeps (and entrypoints' get_single). */
export function firstPerName(lines: readonly Line[]): Line[] {
  const seen = new Set<string>();
  return lines.filter((l) => {
    const k = `${l[0]}\0${l[1]}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** A short description of how `got` differs from `want`. */
export function describeDifference(want: Answer, got: Answer): string {
  const w = new Set(want.keys);
  const g = new Set(got.keys);
  const missing = want.keys.filter((k) => !g.has(k));
  const extra = got.keys.filter((k) => !w.has(k));
  const show = (xs: string[]): string => xs.slice(0, 3).map((x) => x.replace(/\t/g, ' | ')).join('; ') + (xs.length > 3 ? `; and ${xs.length - 3} more` : '');
  return [missing.length > 0 ? `missing ${missing.length}: ${show(missing)}` : '', extra.length > 0 ? `extra ${extra.length}: ${show(extra)}` : ''].filter(Boolean).join(' / ');
}
