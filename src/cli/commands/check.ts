/**
 * `epi check`: import every selected entry point for real, in the environment's own Python.
 * It runs the Python package's checker (python/src/epindex/_check.py, shipped with epi), which
 * batches entry points into isolated worker processes: a crash, `sys.exit` or hang fails that
 * entry only, each entry has a timeout, a terminal gets a progress bar. Exit 1 if any failed.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { spawnTarget } from '../../child.js';
import { EpindexError } from '../../errors.js';
import { missingEntry } from '../../environment.js';
import { fsPath } from '../../fsnames.js';
import { choosePython } from '../../python/find-python.js';
import { pythonPackageDir } from '../../python/interpreter.js';
import { exists } from '../environment-options.js';
import { colorDiagnostic, printJson } from '../output.js';
import { err } from '../stdio.js';

export interface CheckFlags {
  python?: string;
  group?: string | string[];
  name?: string | string[];
  dist?: string | string[];
  timeout?: string;
  jobs?: string;
  path?: string[];
  cache?: string;
  freshness?: string;
  json?: boolean;
}

/** epi's copy of the `epindex` Python package (python/src), which the worker imports. */
function packageDir(): string {
  const dir = pythonPackageDir();
  if (dir === null) throw new EpindexError('INVALID_ARGUMENT', 'the epindex Python package (python/src) is missing from epi\'s installation');
  return dir;
}

// Imports the bundled package, then takes its directory off sys.path again: the environment
// is searched and imported as the interpreter has it.
// Its messages start with "epi:", as epi's own.
// When the interpreter had to be started from its own directory (a path that is not UTF-8,
// src/child.ts), it gets our working directory back from descriptor 3 first.
const BOOTSTRAP = 'import os, sys\nif sys.argv[2:3] == ["--cwd-fd-3"]: os.fchdir(3); os.close(3); del sys.argv[2]\nsys.path.insert(0, sys.argv[1]); import epindex._cli as c; del sys.path[0]; c.PROG = "epi"; sys.exit(c.run(sys.argv[2:]))';

export function checkArgs(flags: CheckFlags): string[] {
  const args = ['check'];
  const all = (v: string | string[] | undefined): string[] => (v === undefined ? [] : typeof v === 'string' ? [v] : v);
  for (const g of all(flags.group)) args.push('--group', g);
  for (const n of all(flags.name)) args.push('--name', n);
  for (const d of all(flags.dist)) args.push('--dist', d);
  if (flags.timeout !== undefined) args.push('--timeout', flags.timeout);
  if (flags.jobs !== undefined) args.push('--jobs', flags.jobs);
  // One --path per entry, already split at the path delimiter by epi.
  for (const p of flags.path ?? []) args.push(`--path=${p}`);
  if (flags.cache !== undefined) args.push('--cache', flags.cache);
  if (flags.freshness !== undefined) args.push('--freshness', flags.freshness);
  if (flags.json) args.push('--json');
  return args;
}

/** Run `python -m epindex ARGS` with the package shipped with epi, in `python`; resolves to its exit status. */
export function runPythonCli(python: string, args: readonly string[]): Promise<number> {
  // An interpreter whose path is not UTF-8 is run by its bytes (src/child.ts). It stays in our
  // process group, so that a terminal's ^C reaches it; it runs its workers in groups of their own.
  const target = spawnTarget(python);
  let child: ReturnType<typeof spawn>;
  let here: number | null = null;
  try {
    if (target.cwd !== undefined) here = fs.openSync('.', fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
    const stdio: ('inherit' | number)[] = here === null ? ['inherit', 'inherit', 'inherit'] : ['inherit', 'inherit', 'inherit', here];
    child = spawn(target.file, ['-c', BOOTSTRAP, packageDir(), ...(here === null ? [] : ['--cwd-fd-3']), ...args], { stdio, ...(target.cwd !== undefined ? { cwd: target.cwd } : {}), ...(target.env !== undefined ? { env: target.env } : {}) });
  } finally {
    target.release();
    if (here !== null) fs.closeSync(here);
  }
  return new Promise<number>((resolve, reject) => {
    child.on('error', (e) => reject(new EpindexError('PYTHON_FAILED', `cannot run ${python}: ${e.message}`, { cause: e })));
    child.on('close', (code, signal) => resolve(code ?? (signal ? 2 : 1)));
  });
}

/** `epi accelerate [--python P] [--remove] [--system] [--json]`: install or remove the importlib.metadata accelerator. */
export async function accelerate(flags: { python?: string; remove?: boolean; system?: boolean; json?: boolean }): Promise<number> {
  return runPythonCli(choosePython(flags.python, { destructive: 'epi accelerate' }).command, ['accelerate', ...(flags.remove ? ['--remove'] : []), ...(flags.system ? ['--system'] : []), ...(flags.json ? ['--json'] : [])]);
}

export async function check(flags: CheckFlags): Promise<number> {
  for (const [what, v] of [['timeout', flags.timeout], ['jobs', flags.jobs]] as const) {
    if (v !== undefined && !(Number(v) > 0)) throw new EpindexError('INVALID_ARGUMENT', `--${what} must be a positive number, not ${JSON.stringify(v)}`);
  }
  // The worker gets --path as text: a name that is not UTF-8 would reach it changed, and the
  // check would search another directory (nothing) and pass. Refused, saying so.
  const lossy = (flags.path ?? []).filter((p) => typeof fsPath(p) !== 'string');
  if (lossy.length > 0) throw new EpindexError('INVALID_ARGUMENT', `--path ${JSON.stringify(lossy[0])}: a directory whose name is not UTF-8 cannot be passed to the interpreter's check; give the environment with --python instead`);
  // --path as every reading command takes it (docs/spec.md §4.4): a missing entry is skipped with EP219; none existing is "found nothing".
  const gone = (flags.path ?? []).filter((p) => exists(p) === false); // by its bytes, as discovery sees it
  for (const p of new Set(gone)) err(colorDiagnostic(missingEntry(p)) + '\n');
  if (flags.path !== undefined && gone.length === flags.path.length) {
    if (flags.json) printJson({ results: [], checked: 0, passed: 0, failed: 0 });
    err('epi: found nothing: no --path entry exists\n');
    return 1;
  }
  return runPythonCli(choosePython(flags.python).command, checkArgs(flags));
}
