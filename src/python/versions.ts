/**
 * PEP 440 ordering for choosing among several distributions of one name in one directory.
 * The PEP 440 library is loaded only when such a choice is needed (rare), to keep start-up small.
 */
import { createRequire } from 'node:module';

type Pep440 = { valid(v: string): string | null; compare(a: string, b: string): number };
let pep440: Pep440 | undefined;
const load = (): Pep440 => (pep440 ??= createRequire(import.meta.url)('@renovatebot/pep440') as Pep440);

/**
 * Descending preference: a valid PEP 440 version beats an invalid one, which beats none;
 * valid versions by PEP 440, invalid ones by code point. Returns <0 when `a` is preferred.
 */
export function compareVersionsDescending(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  const p = load();
  const va = p.valid(a) !== null;
  const vb = p.valid(b) !== null;
  if (va && vb) return p.compare(b, a);
  if (va !== vb) return va ? -1 : 1;
  return a < b ? 1 : a > b ? -1 : 0;
}
