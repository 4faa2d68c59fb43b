/**
 * What `epi lint PATH` can lint: a registry of file kinds, each recognising its paths and
 * returning findings. New kinds register here without touching the engine.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readPyproject } from '../build/pyproject.js';
import { readSetupCfg } from '../build/setup-cfg.js';
import { readSetupPy, setupPyInterpreter } from '../build/setup-py.js';
import { parsePackageJson } from '../format/package-json.js';
import { readSmallFile, smallFileProblem } from '../fsutil.js';
import { finding, fromDiagnostic, type Finding } from './findings.js';
import { lintEntryPointsTxt } from './rules/entry-points-txt.js';
import { readWheel } from './wheel.js';

/** What a kind may need beyond the file: the interpreter that parses setup.py. */
export interface LintContext {
  /** Asked for only when a setup.py is read. */
  readonly python: () => string;
}

/** setup.py parsed by the interpreter chosen with no --python. */
export const DEFAULT_CONTEXT: LintContext = { python: () => setupPyInterpreter(undefined)() };

export interface FileKind {
  /** Stable id, shown with `--json` (`entry-points-txt`, `wheel`, …). */
  readonly id: string;
  /** Whether the path (a file or directory, `stat` given) is of this kind. */
  matches(file: string, stat: fs.Stats): boolean;
  lint(file: string, context?: LintContext): Finding[] | Promise<Finding[]>;
}

const base = (f: string): string => path.basename(f);
const lower = (f: string): string => base(f).toLowerCase();

function readBytes(file: string): Uint8Array | Finding {
  // A regular file within the size limit, never blocking (§4.1.2).
  const read = readSmallFile(file);
  return read.ok ? read.bytes : finding('EP690', smallFileProblem(read), { file });
}

export const ENTRY_POINTS_TXT: FileKind = {
  id: 'entry-points-txt',
  matches: (f, st) => st.isFile() && base(f) === 'entry_points.txt',
  lint(file) {
    const bytes = readBytes(file);
    return bytes instanceof Uint8Array ? lintEntryPointsTxt(bytes, file).findings : [bytes];
  },
};

export const METADATA_DIRECTORY: FileKind = {
  id: 'metadata-directory',
  matches: (f, st) => st.isDirectory() && /\.(dist|egg)-info$/i.test(base(f.replace(/[\\/]+$/, ''))),
  lint(dir, context) {
    const file = path.join(dir, 'entry_points.txt');
    if (!fs.existsSync(file)) return [];
    return ENTRY_POINTS_TXT.lint(file, context);
  },
};

export const WHEEL: FileKind = {
  id: 'wheel',
  matches: (f, st) => st.isFile() && lower(f).endsWith('.whl'),
  lint(file) {
    const w = readWheel(file);
    const out = [...w.findings];
    if (w.entryPoints !== null) out.push(...lintEntryPointsTxt(w.entryPoints, w.entryPointsFile).findings);
    return out;
  },
};

export const PYPROJECT: FileKind = {
  id: 'pyproject',
  matches: (f, st) => st.isFile() && base(f) === 'pyproject.toml',
  lint: (file) => [...readPyproject(file).findings],
};

export const SETUP_CFG: FileKind = {
  id: 'setup-cfg',
  matches: (f, st) => st.isFile() && base(f) === 'setup.cfg',
  lint: (file) => [...readSetupCfg(file).findings],
};

/** setup.py: parsed with Python's ast in the chosen interpreter, never run (src/build/setup-py.ts). */
export const SETUP_PY: FileKind = {
  id: 'setup-py',
  matches: (f, st) => st.isFile() && base(f) === 'setup.py',
  lint: async (file, context = DEFAULT_CONTEXT) => [...(await readSetupPy(file, { python: context.python() })).findings],
};

/** package.json: the npm entry points field ("plugin-entry-points", docs/spec.md, npm packages). */
export const PACKAGE_JSON: FileKind = {
  id: 'package-json',
  matches: (f, st) => st.isFile() && base(f) === 'package.json',
  lint(file) {
    const bytes = readBytes(file);
    if (!(bytes instanceof Uint8Array)) return [bytes];
    return parsePackageJson(bytes, { file }).diagnostics.map(fromDiagnostic);
  },
};

const kinds: FileKind[] = [ENTRY_POINTS_TXT, METADATA_DIRECTORY, WHEEL, PYPROJECT, SETUP_CFG, SETUP_PY, PACKAGE_JSON];

/** Add a file kind (checked before the built-in ones, so a kind may refine another). */
export function registerFileKind(kind: FileKind): void {
  kinds.unshift(kind);
}

export function fileKinds(): readonly FileKind[] {
  return kinds;
}

/** The project files `epi lint DIR` looks at in a directory that is not a metadata directory (the Python ones together: src/build/project.ts). */
export const PROJECT_FILES = ['pyproject.toml', 'setup.cfg', 'setup.py', 'package.json'];

export function kindOf(file: string, stat: fs.Stats): FileKind | undefined {
  return kinds.find((k) => k.matches(file, stat));
}
