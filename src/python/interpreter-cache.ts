/**
 * A per-user cache of what an interpreter reports (its sys.path), so that a warm `epi` does
 * not start Python at all. The entry is used only while everything sys.path is computed from
 * is unchanged: the interpreter binary, `pyvenv.cfg`, the environment variables Python reads,
 * and the `.pth` files of its site directories (docs/spec.md §4.4). A pyenv/asdf/mise shim is
 * resolved first (its selection recomputed every run) and the interpreter it selects is cached;
 * wrappers and unresolvable shims, whose `sys.executable` is another file, are never cached.
 */
import { crc32 } from '../crc32.js';
import { fsPath, readdirNames } from '../fsnames.js';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { userCacheRoot } from '../cache/location.js';
import { readTrustProblem } from '../cache/trust.js';
import { userCacheDir } from '../cache/user-root.js';
import { LIMITS } from '../limits.js';
import { choosePython, parseVersionRequest } from './find-python.js';
import { parseInterpreterAnswer, probeVersion, pthLines, queryInterpreter, type InterpreterInfo } from './interpreter.js';
import { resolveShim, type ShimResolution } from './shims.js';

const ENV_KEYS = ['PYTHONPATH', 'PYTHONHOME', 'PYTHONNOUSERSITE', 'PYTHONUSERBASE', 'PYTHONSAFEPATH', 'PYTHONPLATLIBDIR', 'PYTHONEXECUTABLE', 'HOME', 'USERPROFILE', 'APPDATA'];
const FORMAT = 'epindex-interpreter-cache/1';
const RACY_MS = 2000;

type StampTuple = [ino: string, size: string, mtimeNs: string, ctimeNs: string] | null;
interface SiteDirCheck {
  dir: string;
  /** [ino, mtimeNs] of the directory, or null when it does not exist. */
  stamp: [string, string] | null;
  pth: Array<[name: string, stamp: StampTuple]>;
  /** Directories named by the .pth path lines, and whether they existed (site.py adds only those that do). */
  named: Array<[dir: string, exists: boolean]>;
}
interface CacheDoc {
  format: string;
  key: Record<string, string | null>;
  info: InterpreterInfo;
  files: Array<[file: string, stamp: StampTuple]>;
  siteDirs: SiteDirCheck[];
}

/** Resolve a command to an absolute path the way execFile would (PATH search when it has no separator). */
export function resolveCommand(command: string, env: NodeJS.ProcessEnv = process.env): string | null {
  if (command.includes('/') || (process.platform === 'win32' && command.includes('\\'))) return path.resolve(command);
  const exts = process.platform === 'win32' ? (env['PATHEXT'] ?? '.EXE;.CMD;.BAT').split(';') : [''];
  for (const dir of (env['PATH'] ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    for (const ext of exts) {
      const p = path.join(dir, command + ext);
      try {
        fs.accessSync(p, fs.constants.X_OK);
        if (fs.statSync(p).isFile()) return p;
      } catch {
        // keep looking
      }
    }
  }
  return null;
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(fsPath(p), { throwIfNoEntry: false })?.isDirectory() ?? false;
  } catch {
    return false;
  }
}

function stampTuple(p: string): StampTuple {
  try {
    const s = fs.statSync(fsPath(p), { bigint: true });
    return [String(s.ino), String(s.size), String(s.mtimeNs), String(s.ctimeNs)];
  } catch {
    return null;
  }
}

function siteDirCheck(dir: string): SiteDirCheck {
  let st: fs.BigIntStats;
  try {
    st = fs.statSync(dir, { bigint: true });
  } catch {
    return { dir, stamp: null, pth: [], named: [] };
  }
  let names: string[] = [];
  try {
    // As bytes where a name is not UTF-8 (site.py lists with os.listdir, surrogateescape).
    names = readdirNames(dir).filter((n) => n.endsWith('.pth')).sort();
  } catch {
    // unreadable: no .pth files for Python either
  }
  const named = names.flatMap((n) => pthLines(dir, n)).flatMap((l): Array<[string, boolean]> => (l.kind === 'path' ? [[l.path, fs.existsSync(l.path)]] : []));
  return { dir, stamp: [String(st.ino), String(st.mtimeNs)], pth: names.map((n) => [n, stampTuple(path.join(dir, n))]), named };
}

function sameSiteDir(a: SiteDirCheck, b: SiteDirCheck): boolean {
  return JSON.stringify(a.stamp === null) === JSON.stringify(b.stamp === null) && JSON.stringify(a.pth) === JSON.stringify(b.pth);
}

function keyOf(abs: string, env: NodeJS.ProcessEnv): Record<string, string | null> {
  const key: Record<string, string | null> = { command: abs };
  for (const k of ENV_KEYS) key[k] = env[k] ?? null;
  // Relative PYTHONPATH entries are made absolute against the working directory.
  if (env['PYTHONPATH']) key['cwd'] = process.cwd();
  return key;
}

/**
 * The file for `key`: named by two CRC-32s (of the key and of its reverse, 64 bits; node:crypto
 * would cost the warm path ~1 ms to load). A collision only means a miss: the file holds its key,
 * which readValid compares.
 */
function cacheFile(root: string, key: Record<string, string | null>): string {
  const bytes = Buffer.from(JSON.stringify(key), 'utf8');
  const hex = (n: number): string => n.toString(16).padStart(8, '0');
  return path.join(root, HOLDER, `${hex(crc32(bytes))}${hex(crc32(Buffer.from(bytes).reverse()))}.json`);
}

const HOLDER = 'interpreters.v1';

function uid(): number {
  return typeof process.getuid === 'function' ? process.getuid() : 0;
}

function readValid(root: string, file: string, key: Record<string, string | null>): InterpreterInfo | null {
  // Only under a trusted root (§5.5): nobody else may have written what is believed here.
  if (!('dir' in userCacheDir(root, HOLDER, false))) return null;
  let text: string;
  try {
    const fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0) | (fs.constants.O_NONBLOCK ?? 0));
    try {
      const st = fs.fstatSync(fd);
      const holder = fs.lstatSync(path.dirname(file));
      if (readTrustProblem(st, holder, true, uid()) !== null || st.size > LIMITS.fileBytes) return null;
      text = fs.readFileSync(fd, 'utf8');
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return null;
  }
  let doc: CacheDoc;
  try {
    doc = JSON.parse(text) as CacheDoc;
  } catch {
    return null;
  }
  if (typeof doc !== 'object' || doc === null || doc.format !== FORMAT || JSON.stringify(doc.key) !== JSON.stringify(key)) return null;
  // A damaged or hand-edited entry is ignored, never searched character by character.
  const i = doc.info as unknown as Record<string, unknown> | null;
  if (typeof i !== 'object' || i === null || typeof parseInterpreterAnswer(JSON.stringify({ ...i, base_prefix: i['basePrefix'], site_dirs: i['siteDirs'], startup_files: i['startupFiles'] })) === 'string') return null;
  if (!Array.isArray(doc.files) || !Array.isArray(doc.siteDirs)) return null;
  // The command may be a symlink re-pointed at another interpreter (update-alternatives, a venv's
  // bin/python): the binary whose stamp was recorded (files[0]) must still be the one it runs.
  try {
    if (doc.files[0]?.[0] !== fs.realpathSync(key['command']!)) return null;
  } catch {
    return null;
  }
  for (const [f, s] of doc.files) if (JSON.stringify(stampTuple(f)) !== JSON.stringify(s)) return null;
  for (const recorded of doc.siteDirs) {
    let st: fs.BigIntStats | null = null;
    try {
      st = fs.statSync(recorded.dir, { bigint: true });
    } catch {
      // gone
    }
    if ((st === null) !== (recorded.stamp === null)) return null;
    if (st === null || recorded.stamp === null) continue;
    if (String(st.ino) === recorded.stamp[0] && String(st.mtimeNs) === recorded.stamp[1]) {
      // Listing unchanged; the .pth files may still have been edited in place.
      for (const [n, s] of recorded.pth) if (JSON.stringify(stampTuple(path.join(recorded.dir, n))) !== JSON.stringify(s)) return null;
    } else if (!sameSiteDir(recorded, siteDirCheck(recorded.dir))) {
      return null;
    }
    // A directory named by a .pth line that appeared or vanished since changes sys.path.
    for (const [d, existed] of recorded.named ?? []) if (fs.existsSync(d) !== existed) return null;
  }
  return doc.info;
}

function isRacy(doc: CacheDoc, nowMs: number): boolean {
  const recent = (ns: string): boolean => Number(BigInt(ns) / 1_000_000n) >= nowMs - RACY_MS;
  for (const [, s] of doc.files) if (s !== null && (recent(s[2]) || recent(s[3]))) return true;
  for (const d of doc.siteDirs) {
    if (d.stamp !== null && recent(d.stamp[1])) return true;
    for (const [, s] of d.pth) if (s !== null && (recent(s[2]) || recent(s[3]))) return true;
  }
  return false;
}

function write(root: string, file: string, doc: CacheDoc): void {
  try {
    if (!('dir' in userCacheDir(root, HOLDER, true))) return;
    const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
    const fd = fs.openSync(tmp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | (fs.constants.O_NOFOLLOW ?? 0), 0o600);
    try {
      fs.writeFileSync(fd, JSON.stringify(doc));
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch {
    // An unwritable user cache only costs the next run one interpreter start.
  }
}

export interface InterpreterCacheOptions {
  /** Read a cached answer when valid. */
  readonly read: boolean;
  /** Write the answer after asking the interpreter. */
  readonly write: boolean;
  readonly userCacheDir?: string;
}

/** How an answer was obtained: the file that runs, the shim in front of it, from the cache or not. */
export interface InterpreterDetails {
  /** The interpreter file the answer is about (after resolving a shim). */
  readonly interpreter: string;
  /** The version-manager shim the command was, and what it selected. */
  readonly shim: ShimResolution | null;
  /** True when the answer came from the interpreter cache (nothing was run). */
  readonly fromCache: boolean;
}
const details = new WeakMap<InterpreterInfo, InterpreterDetails>();

/** How `info` was obtained (for `epi env` and the CLI's JSON `environment`); null for foreign objects. */
export function interpreterDetails(info: InterpreterInfo): InterpreterDetails | null {
  return details.get(info) ?? null;
}

function remember(info: InterpreterInfo, d: InterpreterDetails): InterpreterInfo {
  details.set(info, d);
  return info;
}

/**
 * What the interpreter reports, from the cache when still valid, else by running it. A
 * pyenv/asdf/mise shim is first resolved to the interpreter it would run (src/python/shims.ts,
 * recomputed every time from `PYENV_VERSION`, `.python-version` and the like), which is then
 * run and cached like any interpreter; a shim that cannot be resolved without running it is
 * run, and its answer never cached.
 */
export async function interpreterInfo(python: string, options: InterpreterCacheOptions): Promise<InterpreterInfo> {
  // A version request or an environment directory names an interpreter as `--python` does (§4.4.1).
  const chosen = parseVersionRequest(python) !== null || isDirectory(python) ? choosePython(python, { probe: probeVersion }).command : python;
  const resolved = resolveCommand(chosen);
  const shim = resolved === null ? null : resolveShim(resolved);
  if (shim !== null && shim.interpreter === null) {
    return remember(await queryInterpreter(python, chosen), { interpreter: resolved!, shim, fromCache: false });
  }
  const target = shim?.interpreter ?? resolved;
  const abs = options.read || options.write ? target : null;
  if (abs === null) return remember(await queryInterpreter(python, target ?? chosen), { interpreter: target ?? chosen, shim, fromCache: false });
  const key = keyOf(abs, process.env);
  const root = options.userCacheDir ?? userCacheRoot();
  const file = cacheFile(root, key);
  if (options.read) {
    const cached = readValid(root, file, key);
    if (cached !== null) return remember({ ...cached, command: python }, { interpreter: abs, shim, fromCache: true });
  }
  const info = remember(await queryInterpreter(python, abs), { interpreter: abs, shim, fromCache: false });
  if (!options.write) return info;
  let real: string;
  let realExe: string;
  try {
    real = fs.realpathSync(abs);
    realExe = fs.realpathSync(info.executable);
  } catch {
    return info;
  }
  if (real !== realExe) return info; // a wrapper script: never cached
  const dir = path.dirname(abs);
  const doc: CacheDoc = {
    format: FORMAT,
    key,
    info,
    files: [real, path.join(dir, 'pyvenv.cfg'), path.join(path.dirname(dir), 'pyvenv.cfg'), ...info.startupFiles].map((f) => [f, stampTuple(f)]),
    siteDirs: info.siteDirs.map(siteDirCheck),
  };
  if (!isRacy(doc, Date.now())) write(root, file, doc);
  return info;
}
