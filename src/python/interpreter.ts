/**
 * The search path: asked of a Python interpreter (one subprocess), or emulated from a site
 * directory (site.py's .pth processing) when there is no interpreter to ask.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { diagnostic, type Diagnostic } from '../diagnostics.js';
import { EpindexError } from '../errors.js';
import { fsPath, readdirNames } from '../fsnames.js';
import { readSmallFile } from '../fsutil.js';
import { pyRstrip, pyStrip } from './text.js';
import { choosePython } from './find-python.js';
import { runBounded as runChild, runBoundedSync, type ChildResult } from '../child.js';

/** What one run of the interpreter tells about itself. */
export interface InterpreterInfo {
  /** The command as given (`python3`, `/venv/bin/python`). */
  readonly command: string;
  /** `sys.executable`. */
  readonly executable: string;
  /** `major.minor.micro`. */
  readonly version: string;
  readonly prefix: string;
  readonly basePrefix: string;
  /** `sys.path` without the script directory (`''` under `-c`), as `python -P` would have it. */
  readonly path: readonly string[];
  /** Directories whose `.pth` files site.py processed (site-packages, user site when enabled). */
  readonly siteDirs: readonly string[];
  /** Modules run at start-up that may change sys.path: sitecustomize, usercustomize. */
  readonly startupFiles: readonly string[];
}

const QUERY = `
import sys, json, site
p = list(sys.path)
if p and not getattr(sys.flags, 'safe_path', False):
    p = p[1:]
d = []
try:
    d += site.getsitepackages()
except Exception:
    pass
if site.ENABLE_USER_SITE:
    try:
        d.append(site.getusersitepackages())
    except Exception:
        pass
s = [getattr(sys.modules.get(m), '__file__', None) for m in ('sitecustomize', 'usercustomize')]
sys.stdout.write(json.dumps({"executable": sys.executable, "version": "%d.%d.%d" % sys.version_info[:3],
    "prefix": sys.prefix, "base_prefix": sys.base_prefix, "path": p, "site_dirs": d,
    "startup_files": [f for f in s if f]}))
`;

/**
 * The default interpreter, chosen as uv chooses one (`$VIRTUAL_ENV`, `$CONDA_PREFIX`, a `.venv`
 * in the working directory or a parent, else `python3` on PATH): see `choosePython`.
 */
export function defaultPython(env: NodeJS.ProcessEnv = process.env): string {
  return choosePython(undefined, { env }).command;
}

/** How long an interpreter may take to answer (`$EPINDEX_PYTHON_TIMEOUT`, seconds), and the grace between SIGTERM and SIGKILL. */
function timeouts(): { answerMs: number; graceMs: number } {
  const t = Number(process.env['EPINDEX_PYTHON_TIMEOUT']);
  return { answerMs: Number.isFinite(t) && t > 0 ? t * 1000 : 60_000, graceMs: 2_000 };
}

const MAX_OUTPUT = 64 * 1024 * 1024;

/**
 * Run an interpreter with `$EPINDEX_PYTHON_TIMEOUT` for the whole exchange, in its own process
 * group, killed as a group at the deadline (src/child.ts); `input` goes to its stdin.
 */
export function runBounded(file: string, args: readonly string[], input?: string | Uint8Array): Promise<ChildResult> {
  const { answerMs, graceMs } = timeouts();
  return runChild(file, args, { timeoutMs: answerMs, graceMs, maxOutput: MAX_OUTPUT, ...(input !== undefined ? { input } : {}) });
}

/** Why `runBounded` stopped the interpreter, in the words every caller uses; null when it was not stopped. */
export function stoppedReason(r: ChildResult): string | null {
  const { answerMs, graceMs } = timeouts();
  if (r.stopped === 'timeout') return `no answer within ${answerMs / 1000} s; stopped${r.signal === 'SIGKILL' ? ` (it ignored SIGTERM and was killed after ${graceMs / 1000} s more)` : ''} (set $EPINDEX_PYTHON_TIMEOUT for a slower one)`;
  if (r.stopped === 'output') return `it printed more than ${MAX_OUTPUT / 1024 / 1024} MiB; stopped`;
  return null;
}

/**
 * The directory holding epi's copy of the `epindex` Python package (python/src), found upwards
 * from this file (dist/, or dist/src/python/ for the compiled modules); null when it is missing.
 */
export function pythonPackageDir(): string | null {
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'python', 'src');
    if (fs.existsSync(path.join(candidate, 'epindex', '_check.py'))) return candidate;
    if (path.dirname(dir) === dir) return null;
  }
}

/** The interpreter's answer, checked field by field: a wrong shape is an error, never a search of its characters. */
export function parseInterpreterAnswer(stdout: string): Omit<InterpreterInfo, 'command'> | string {
  let j: unknown;
  try {
    j = JSON.parse(stdout);
  } catch {
    return stdout.trim() === '' ? 'it printed nothing' : 'it did not print JSON';
  }
  if (typeof j !== 'object' || j === null || Array.isArray(j)) return `it printed ${Array.isArray(j) ? 'a list' : 'JSON that is not an object'}`;
  const o = j as Record<string, unknown>;
  const str = (k: string): string | null => (typeof o[k] === 'string' ? (o[k] as string) : null);
  const strs = (k: string): string[] | null => (Array.isArray(o[k]) && (o[k] as unknown[]).every((x) => typeof x === 'string') ? (o[k] as string[]) : null);
  const path = strs('path');
  if (path === null) return `its "path" is ${o['path'] === undefined ? 'missing' : 'not a list of strings'}`;
  const executable = str('executable');
  const version = str('version');
  const prefix = str('prefix');
  const basePrefix = str('base_prefix');
  const siteDirs = strs('site_dirs');
  const startupFiles = strs('startup_files');
  for (const [k, v] of [['executable', executable], ['version', version], ['prefix', prefix], ['base_prefix', basePrefix], ['site_dirs', siteDirs], ['startup_files', startupFiles]] as const) {
    if (v === null) return `its "${k}" is ${o[k] === undefined ? 'missing' : 'of the wrong type'}`;
  }
  return { executable: executable!, version: version!, prefix: prefix!, basePrefix: basePrefix!, path, siteDirs: siteDirs!, startupFiles: startupFiles! };
}

/**
 * What came back, briefly, for an error message: the last line of `text`, quoted (control
 * characters escaped), its middle elided past 100 characters — a program that is not Python
 * (`-p /bin/ls`) tends to echo the whole probe program back.
 */
function brief(text: string): string {
  const line = text.trim().split('\n').pop()!.trim();
  const cps = [...line];
  return JSON.stringify(cps.length <= 100 ? line : `${cps.slice(0, 48).join('')} … ${cps.slice(-48).join('')}`);
}

/** Run the interpreter once and read its search path. */
export async function queryInterpreter(python: string, run: string = python): Promise<InterpreterInfo> {
  const r = await runBounded(run, ['-c', QUERY]);
  // What was run, without the probe program itself.
  const ran = JSON.stringify(`${run} -c <sys.path probe>`);
  const fail = (why: string, cause?: unknown): never => {
    throw new EpindexError('PYTHON_FAILED', `cannot run the Python interpreter ${JSON.stringify(python)}: ${why}`, cause !== undefined ? { cause } : {});
  };
  if (r.error !== null) {
    const code = r.error.code;
    fail(code === 'ENOENT' ? 'not found (give another with --python, or the directories with --path)' : code === 'EACCES' ? 'not executable' : r.error.message, r.error);
  }
  const stopped = stoppedReason(r);
  if (stopped !== null) fail(stopped);
  if (r.code !== 0) fail(r.signal !== null ? `ran ${ran}: killed by ${r.signal}` : `ran ${ran}: exit status ${r.code}${r.stderr.trim() === '' ? '' : `: ${brief(r.stderr)}`}`);
  const answer = parseInterpreterAnswer(r.stdout);
  if (typeof answer === 'string') {
    const got = r.stdout.trim() === '' || answer.startsWith('its ') ? '' : `: ${brief(r.stdout)}`;
    throw new EpindexError('PYTHON_FAILED', `the Python interpreter ${JSON.stringify(python)} did not report its sys.path: ran ${ran}: ${answer}${got}`);
  }
  return { command: python, ...answer };
}

/** A version for a version request: `major.minor.micro` and the implementation, asked of the interpreter (synchronously, bounded). */
export function probeVersion(interpreter: string): string | null {
  const { answerMs, graceMs } = timeouts();
  const r = runBoundedSync(interpreter, ['-c', 'import sys; print("%d.%d.%d" % sys.version_info[:3])'], { timeoutMs: Math.min(answerMs, 10_000), graceMs, maxOutput: 4096 });
  const v = r.code === 0 ? r.stdout.trim() : '';
  return /^\d+\.\d+\.\d+$/.test(v) ? v : null;
}

/**
 * site.py's treatment of one site directory, for hosts without an interpreter: the directory,
 * then each `.pth` file (sorted by name; hidden ones skipped, as CPython 3.13 does) line by
 * line — `#` lines and blank lines skipped, `import` lines not executed (a diagnostic says
 * so), every other line a path relative to the directory, added once if it exists.
 */
export function emulateSite(siteDir: string): { path: string[]; diagnostics: Diagnostic[] } {
  const dir = path.resolve(siteDir);
  const out = [dir];
  const seen = new Set(out);
  const diagnostics: Diagnostic[] = [];
  for (const name of pthFiles(dir)) {
    const file = path.join(dir, name);
    const pth = readPthFile(dir, name);
    if (pth.problem !== null) diagnostics.push(diagnostic('EP217', `${pth.problem}; skipped (site.py would ${pth.blocks ? 'block on it' : 'skip it too'})`, { file }));
    for (const line of pth.lines) {
      if (line.kind === 'import') {
        diagnostics.push(diagnostic('EP207', 'import line not executed; if it changes sys.path, pass --python instead of --site', { file, line: line.line }));
      } else if (!seen.has(line.path) && fs.existsSync(fsPath(line.path))) {
        seen.add(line.path);
        out.push(line.path);
      }
    }
  }
  return { path: out, diagnostics };
}

/** The `.pth` files site.py reads in a directory, in its order (hidden ones skipped, as CPython 3.13). */
export function pthFiles(dir: string): string[] {
  try {
    return readdirNames(dir).filter((n) => n.endsWith('.pth') && !n.startsWith('.')).sort();
  } catch {
    return [];
  }
}

export type PthLine = { readonly kind: 'path'; readonly path: string; readonly line: number } | { readonly kind: 'import'; readonly line: number };

/**
 * The meaningful lines of one `.pth` file as site.py reads them: `#` and blank lines skipped,
 * `import` lines (which site.py executes), and path lines made absolute against the directory.
 * Decoded as UTF-8 (a BOM dropped), falling back to Latin-1. A file that cannot be read has none.
 */
export function pthLines(dir: string, name: string): PthLine[] {
  return readPthFile(dir, name).lines;
}

/**
 * `pthLines`, and why a `.pth` file gave none: read through `readSmallFile`, so a FIFO never
 * blocks (`blocks`: site.py's `open` would), and nothing over `LIMITS.fileBytes` is read.
 */
export function readPthFile(dir: string, name: string): { lines: PthLine[]; problem: string | null; blocks: boolean } {
  const read = readSmallFile(path.join(dir, name));
  if (!read.ok) {
    switch (read.problem) {
      case 'absent':
        return { lines: [], problem: null, blocks: false };
      case 'not-regular':
        return { lines: [], problem: `is ${read.what}, not a regular file`, blocks: read.what === 'a FIFO' };
      case 'too-large':
        return { lines: [], problem: `has ${read.size} bytes, over the limit of ${read.limit}`, blocks: false };
      case 'error':
        return { lines: [], problem: `cannot be read (${read.text})`, blocks: false };
    }
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(read.bytes);
  } catch {
    text = read.bytes.toString('latin1');
  }
  const out: PthLine[] = [];
  // Python iterates a text file in universal-newline mode: \n, \r\n and \r end lines.
  const lines = text.split(/\r\n|\n|\r/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith('#') || pyStrip(line) === '') continue;
    if (line.startsWith('import ') || line.startsWith('import\t')) out.push({ kind: 'import', line: i + 1 });
    else out.push({ kind: 'path', path: path.resolve(dir, pyRstrip(line)), line: i + 1 });
  }
  return { lines: out, problem: null, blocks: false };
}
