/**
 * Which directories of a search path an environment-wide rebuild may write its caches into
 * (docs/spec.md §5.1): not a project's source tree (a legacy `setup.py develop` puts one on
 * sys.path), and not a directory the system's package manager owns (PEP 668's
 * EXTERNALLY-MANAGED marker in the interpreter's stdlib, outside a virtual environment).
 * Those get their caches in the user cache; `epi cache build DIR` still writes where asked.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { InterpreterInfo } from './interpreter.js';

const PROJECT_FILES = ['pyproject.toml', 'setup.py', 'setup.cfg'];

function exists(p: string): boolean {
  try {
    return fs.statSync(p, { throwIfNoEntry: false }) !== undefined;
  } catch {
    return false; // ENOTDIR (a zip on the path), EACCES: not there for this purpose
  }
}

/** A project's source tree: the directory holds a project file, or its parent does (a `src` layout). */
export function isProjectTree(dir: string): boolean {
  const abs = path.resolve(dir === '' ? '.' : dir);
  return [abs, path.dirname(abs)].some((d) => PROJECT_FILES.some((f) => exists(path.join(d, f))));
}

const inside = (dir: string, root: string): boolean => {
  const rel = path.relative(root, path.resolve(dir));
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
};

/** `(dir) => may a rebuild write into dir`, for a search path asked of `interpreter` (or given directly). */
export function rebuildMayWriteInto(searchPath: readonly string[], interpreter: InterpreterInfo | null): (dir: string) => boolean {
  const stdlib = searchPath.find((p) => exists(path.join(p === '' ? '.' : p, 'os.py')));
  const marked = stdlib !== undefined && exists(path.join(stdlib, 'EXTERNALLY-MANAGED'));
  const venv = interpreter !== null && interpreter.prefix !== interpreter.basePrefix ? interpreter.prefix : null;
  return (dir) => {
    if (isProjectTree(dir)) return false;
    if (marked && (venv === null || !inside(dir, venv))) return false;
    return true;
  };
}
