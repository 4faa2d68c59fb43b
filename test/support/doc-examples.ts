/**
 * The examples of README.md and docs/*.md, run (test/docs/examples.test.ts). The convention,
 * which docs/design.md ("Working on it") repeats for writers:
 *
 * - A fence ```` ```sh fixture=NAME ```` is a fixture: a script run with `sh -e` in a new empty
 *   directory, once per document that uses it, with `$CLONE` set to this clone; with
 *   `extends=BASE`, BASE's script runs first in the same directory. Names are global: a
 *   document may use a fixture another defines.
 * - A fence ```` ```console ```` (optionally ` fixture=NAME`; default an empty directory) is a
 *   checked example: each line starting with `$ ` is a command, run by `sh` in the fixture's
 *   directory with `epi` on PATH as this build (dist/epi.cjs), stderr joined to stdout; the lines
 *   up to the next `$ ` line are its output, compared line by line. Its exit status must be 0,
 *   or N when the command line carries a comment `# exit N`. The examples of one fixture share
 *   its directory in document order, as a reader following the page would.
 * - A fence ```` ```pycon fixture=NAME python=PATH ```` is a Python session checked by doctest
 *   (exact output) with that interpreter (default `python3`), in the fixture's directory.
 * - Anything that cannot run here (network, `npm install -g`, `pip install` from an index) is
 *   shown as ```` ```sh ````, never ```` ```console ````.
 *
 * What is normalized, and nothing else: the fixture directory's real path is shown as
 * `/tmp/demo`, `$HOME` (a fresh one per document) as `~`, the fixture interpreter's `python3.Y`
 * as `python3.X` (venv paths and launcher names depend on the machine's python3); trailing
 * whitespace of each line and trailing blank lines are dropped. The fixture directory is
 * `/tmp/` and four random characters, as long as `/tmp/demo`, so that tables keep their
 * alignment; where `/tmp` is not a usable real directory it lies under the temp dir, and then
 * (only then) a run of two or more spaces compares equal to any other such run, since column
 * padding follows the length of the real path. Commands and Python sessions are read with the
 * inverse substitutions (`/tmp/demo`, `~/`, `python3.X` to the machine's spelling).
 *
 * The environment: colour off (`NO_COLOR=1`), stdout a pipe (no table width limit, compact
 * JSON), `HOME` a fresh directory per document (so the user cache is new), `python3` the
 * machine's (its `sys.executable`, found once: a version manager's shim may need the real
 * `HOME`), and the variables
 * that choose an environment or change output removed: `VIRTUAL_ENV`, `CONDA_PREFIX`,
 * `EPINDEX_*`, `PIP_*`, `UV_*`, `PYTHONPATH`, `PYTHONHOME`, `COLUMNS`, `FORCE_COLOR`,
 * `XDG_CACHE_HOME`, `NODE_OPTIONS`.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The pages' spelling of the fixture directory. */
export const DEMO = '/tmp/demo';

export interface Fence {
  /** The document's path relative to the repository. */
  readonly doc: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  readonly lang: string;
  readonly attrs: Readonly<Record<string, string>>;
  /** The fence's indentation (a fence inside a list item), removed from the body's lines. */
  readonly indent: string;
  /** The lines between the fences. */
  readonly body: readonly string[];
}

export interface Command {
  /** 1-based line of the `$ ` line in the document. */
  readonly line: number;
  readonly command: string;
  readonly expected: readonly string[];
  readonly status: number;
}

/** Every fenced block of a Markdown text, at the left margin or indented (in a list item). */
export function fences(doc: string, text: string): Fence[] {
  const lines = text.split('\n');
  const out: Fence[] = [];
  for (let i = 0; i < lines.length; i++) {
    // CommonMark: a backtick fence's info string holds no backtick (else it is inline code).
    const open = /^( {0,3})(`{3,})([^`\s]*)([^`]*)$/.exec(lines[i]!);
    if (!open) continue;
    const [, indent, ticks, lang, rest] = open as unknown as [string, string, string, string, string];
    const attrs: Record<string, string> = {};
    for (const word of rest.trim().split(/\s+/).filter(Boolean)) {
      const eq = word.indexOf('=');
      if (eq > 0) attrs[word.slice(0, eq)] = word.slice(eq + 1);
    }
    let j = i + 1;
    while (j < lines.length && lines[j]!.trimEnd() !== `${indent}${ticks}`) j++;
    if (j >= lines.length) throw new Error(`${doc}:${i + 1}: a fence that is never closed`);
    out.push({ doc, line: i + 1, lang, attrs, indent, body: lines.slice(i + 1, j).map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l.trimStart())) });
    i = j;
  }
  return out;
}

/** The commands of a ```console fence, each with its expected output and exit status. */
export function commands(fence: Fence): Command[] {
  const out: Array<{ line: number; command: string; expected: string[]; status: number }> = [];
  fence.body.forEach((l, k) => {
    if (l.startsWith('$ ')) {
      const command = l.slice(2);
      const exit = /#.*\bexit (\d+)\b/.exec(command);
      out.push({ line: fence.line + 1 + k, command, expected: [], status: exit ? Number(exit[1]) : 0 });
    } else if (out.length === 0) {
      throw new Error(`${fence.doc}:${fence.line + 1 + k}: a console example must start with a "$ " command line`);
    } else {
      out.at(-1)!.expected.push(l);
    }
  });
  if (out.length === 0) throw new Error(`${fence.doc}:${fence.line}: a console example without a command`);
  return out.map((c) => ({ ...c, expected: tidy(c.expected) }));
}

/** Trailing whitespace of each line and trailing blank lines dropped. */
export function tidy(lines: readonly string[]): string[] {
  const t = lines.map((l) => l.trimEnd());
  while (t.length > 0 && t.at(-1) === '') t.pop();
  return t;
}

export interface Place {
  /** The fixture's directory (a real path). */
  readonly dir: string;
  readonly home: string;
  /** Minor version of the fixture interpreter (`python3`), e.g. "11". */
  readonly pythonMinor: string;
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Actual output as the documents spell it (see the top of this file). */
export function normalize(text: string, place: Place): string[] {
  let t = text.split(place.dir).join(DEMO).split(place.home).join('~');
  t = t.replace(new RegExp(`python3\\.${escape(place.pythonMinor)}(?![0-9])`, 'g'), 'python3.X');
  return tidy(t.split('\n'));
}

/** A documented text as the machine spells it (a command, a doctest): the inverse of `normalize`. */
export function denormalize(text: string, place: Place): string {
  return text.split(DEMO).join(place.dir).replace(/(^|[^\w.])~\//g, `$1${place.home}/`).split('python3.X').join(`python3.${place.pythonMinor}`);
}

/** The environment every example runs in: `epi` on PATH is this build, nothing chooses for it. */
export function exampleEnv(place: Place, shims: string, clone: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(EPINDEX_|PIP_|UV_)/.test(k) || ['VIRTUAL_ENV', 'CONDA_PREFIX', 'PYTHONPATH', 'PYTHONHOME', 'COLUMNS', 'FORCE_COLOR', 'XDG_CACHE_HOME', 'NODE_OPTIONS'].includes(k)) continue;
    env[k] = v;
  }
  return { ...env, HOME: place.home, CLONE: clone, NO_COLOR: '1', NODE_EXTRA_CA_CERTS: '', PIP_DISABLE_PIP_VERSION_CHECK: '1', PATH: `${shims}${path.delimiter}${process.env['PATH'] ?? ''}` };
}

export interface Ran {
  readonly status: number | null;
  readonly output: string;
}

/** `sh -c COMMAND` in `cwd`, stderr joined to stdout in the order written. */
export function runShell(command: string, cwd: string, env: NodeJS.ProcessEnv, timeoutMs = 300_000): Ran {
  const r = spawnSync('sh', ['-c', `exec 2>&1\n${command}`], { cwd, env, encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
  return { status: r.status, output: `${r.stdout ?? ''}${r.error ? `\n[${r.error.message}]` : ''}` };
}

/** A directory with an `epi` that runs this build. */
export function epiShim(dir: string, cli: string): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'epi');
  fs.writeFileSync(file, `#!/bin/sh\nexec "${process.execPath}" "${cli}" "$@"\n`);
  fs.chmodSync(file, 0o755);
  return dir;
}

/**
 * A new directory spelled as long as `/tmp/demo` (`/tmp/` and four random characters) when
 * `/tmp` is a real directory we can write, else a temp dir of any length.
 */
export function fixtureDir(fallbackRoot: string): string {
  try {
    if (fs.realpathSync('/tmp') === '/tmp') {
      for (let i = 0; i < 100; i++) {
        const d = `/tmp/${Math.random().toString(36).slice(2, 6).padEnd(4, '0')}`;
        try {
          fs.mkdirSync(d, { mode: 0o700 });
          return d;
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        }
      }
    }
  } catch {
    // no usable /tmp: below
  }
  return fs.mkdtempSync(path.join(fallbackRoot, 'fixture-'));
}

/**
 * The first difference of two line lists, as a short report; null when equal. With `loose`
 * (a fixture directory not as long as `/tmp/demo`), runs of two or more spaces compare equal.
 */
export function difference(expected: readonly string[], actual: readonly string[], loose = false): string | null {
  const n = Math.max(expected.length, actual.length);
  const same = (a: string | undefined, b: string | undefined): boolean => a === b || (loose && a !== undefined && b !== undefined && a.replace(/ {2,}/g, '  ') === b.replace(/ {2,}/g, '  '));
  for (let i = 0; i < n; i++) {
    if (!same(expected[i], actual[i])) {
      return `first difference at output line ${i + 1}:\n  doc:    ${JSON.stringify(expected[i] ?? '(no line)')}\n  actual: ${JSON.stringify(actual[i] ?? '(no line)')}`;
    }
  }
  return null;
}

/**
 * `fence`'s text with each command's expected output replaced by `outputs` (already
 * normalized), for EPINDEX_DOCS_UPDATE=1: a writer runs the tests once to fill the outputs in.
 */
export function rewriteConsole(fence: Fence, outputs: ReadonlyMap<number, readonly string[]>): string[] {
  const body: string[] = [];
  const cmds = commands(fence);
  for (const [i, c] of cmds.entries()) {
    body.push(`$ ${c.command}`);
    body.push(...(outputs.get(c.line) ?? c.expected));
    if (i < cmds.length - 1 && (outputs.get(c.line) ?? c.expected).length > 0) body.push('');
  }
  return body;
}
