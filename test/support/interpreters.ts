/** Every CPython 3.9+ on the machine: pyenv's versions (as the machine has them) and python3. */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PYTHON } from './python.js';

export interface Interpreter {
  readonly python: string;
  /** `major.minor`. */
  readonly version: string;
}

function versionOf(python: string): string | null {
  try {
    return execFileSync(python, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], { encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}

function pyenvPythons(): string[] {
  let root: string;
  try {
    root = execFileSync('pyenv', ['root'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return [];
  }
  const dir = path.join(root, 'versions');
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((v) => /^3\.\d+/.test(v)).map((v) => path.join(dir, v, 'bin', 'python')).filter((p) => fs.existsSync(p));
}

let found: Interpreter[] | undefined;

/** CPython 3.9 and later, one per major.minor (python3's own first), oldest first. */
export function interpreters(): Interpreter[] {
  if (found !== undefined) return found;
  const byVersion = new Map<string, string>();
  for (const p of [PYTHON, ...pyenvPythons()]) {
    const v = versionOf(p);
    if (v === null || byVersion.has(v)) continue;
    const [major, minor] = v.split('.').map(Number);
    if (major === 3 && minor! >= 9) byVersion.set(v, p);
  }
  found = [...byVersion].map(([version, python]) => ({ version, python })).sort((a, b) => Number(a.version.split('.')[1]) - Number(b.version.split('.')[1]));
  return found;
}
