/**
 * Every CPython the machine has: `$(pyenv root)/versions/3.*` (3.9 and later) plus `python3`,
 * one entry per real interpreter, oldest first. The Python-side tests run on each of them.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Interpreter {
  /** What sys.executable says (no shims). */
  readonly executable: string;
  /** `3.11.7` */
  readonly version: string;
  readonly versionInfo: readonly [number, number, number];
}

/** The repository root (tests run from dist/test/python). */
export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const PYTHON_PACKAGE = path.join(REPO, 'python');
export const PYTHON_SRC = path.join(PYTHON_PACKAGE, 'src');

function pyenvRoot(): string | null {
  try {
    return execFileSync('pyenv', ['root'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    const guess = path.join(os.homedir(), '.pyenv');
    return fs.existsSync(guess) ? guess : null;
  }
}

function probe(candidate: string): Interpreter | null {
  try {
    const out = execFileSync(candidate, ['-c', 'import sys, platform; print(sys.executable); print(platform.python_version()); print(*sys.version_info[:3])'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 20_000,
    }).trim().split('\n');
    const [executable, version, info] = out;
    const v = info!.split(' ').map(Number) as [number, number, number];
    return { executable: executable!, version: version!, versionInfo: v };
  } catch {
    return null;
  }
}

let found: Interpreter[] | undefined;

export function interpreters(): Interpreter[] {
  if (found !== undefined) return found;
  const candidates: string[] = [];
  const root = pyenvRoot();
  if (root !== null) {
    const versions = path.join(root, 'versions');
    for (const v of fs.existsSync(versions) ? fs.readdirSync(versions) : []) {
      if (/^3\.\d+/.test(v)) candidates.push(path.join(versions, v, 'bin', 'python'));
    }
  }
  candidates.push('python3');
  const byReal = new Map<string, Interpreter>();
  for (const c of candidates) {
    const i = probe(c);
    if (i === null || i.versionInfo[0] !== 3 || i.versionInfo[1] < 9) continue;
    let real = i.executable;
    try {
      real = fs.realpathSync(i.executable);
    } catch {
      // keep what it said
    }
    if (!byReal.has(real)) byReal.set(real, i);
  }
  found = [...byReal.values()].sort((a, b) => a.versionInfo[0] - b.versionInfo[0] || a.versionInfo[1] - b.versionInfo[1] || a.versionInfo[2] - b.versionInfo[2]);
  return found;
}
