/** Where the benchmark keeps things. Everything generated lives under bench/.work/ (gitignored). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file runs as dist/bench/lib/paths.js). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const BENCH_SRC = path.join(ROOT, 'bench');
export const WORK = path.join(BENCH_SRC, '.work');
export const ENVS = path.join(WORK, 'envs');
export const VENVS = path.join(WORK, 'venvs');
/** XDG_CACHE_HOME of timed Python processes (stevedore writes its cache below it). */
export const XDG = path.join(WORK, 'xdg');
/** EPINDEX_CACHE_DIR of timed processes: the user cache, for path entries that cannot hold their own. */
export const EPINDEX_USER_CACHE = path.join(WORK, 'epindex-user-cache');
/** An empty directory: the working directory of every timed process (`python -c` puts it on sys.path). */
export const EMPTY_CWD = path.join(WORK, 'empty-cwd');
export const HARNESS_PY = path.join(BENCH_SRC, 'harness.py');
/**
 * The build measured: a copy of dist/ taken when the run starts, so that a rebuild during a long
 * run cannot mix two builds in one set of results.
 */
export const DIST_SNAPSHOT = path.join(WORK, 'dist-snapshot');
export const CHILD_JS = path.join(DIST_SNAPSHOT, 'bench', 'child-epindex.js');
/** The `epi` command as installed: package.json's bin, inside the snapshot of dist/. */
export const CLI_JS = path.join(DIST_SNAPSHOT, path.relative('dist', (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { bin: { epi: string } }).bin.epi));

/** The library as `import('epindex')` loads it (package.json exports), inside the snapshot. */
export const LIBRARY_JS = path.join(DIST_SNAPSHOT, 'index.js');
/** An empty ES module: the floor of any `import()`. */
export const EMPTY_MJS = path.join(BENCH_SRC, 'empty.mjs');
/** The floor of a warm lookup (see the file). */
export const FLOOR_CJS = path.join(BENCH_SRC, 'floor.cjs');

export function snapshotDist(): void {
  fs.rmSync(DIST_SNAPSHOT, { recursive: true, force: true });
  fs.cpSync(path.join(ROOT, 'dist'), DIST_SNAPSHOT, { recursive: true });
}
export const PROFILE_JSON = path.join(BENCH_SRC, 'env-profile.json');
export const REAL_ENV_TXT = path.join(BENCH_SRC, 'real-env.txt');
export const RESULTS_JSON = path.join(BENCH_SRC, 'results.json');
export const DOCS_BENCH = path.join(ROOT, 'docs', 'bench');

export function ensureDir(d: string): string {
  fs.mkdirSync(d, { recursive: true });
  return d;
}

/** A path relative to the repository root, for the results file (never machine-specific). */
export const rel = (p: string): string => path.relative(ROOT, p).split(path.sep).join('/');
