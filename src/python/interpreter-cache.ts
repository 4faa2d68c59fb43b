/**
 * A per-user cache of what an interpreter reports (its sys.path), so that a warm `epi` does
 * not start Python at all. The entry is used only while everything sys.path is computed from
 * is unchanged: the interpreter binary, `pyvenv.cfg`, the environment variables Python reads,
 * and the `.pth` files of its site directories (docs/spec.md §4.4). Interpreters reached
 * through wrappers or shims (pyenv, asdf), whose `sys.executable` is another file, are never
 * cached: what they run depends on more than we can see.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { userCacheRoot } from '../cache/location.js';
import { readTrustProblem } from '../cache/trust.js';
import { pthLines, queryInterpreter, type InterpreterInfo } from './interpreter.js';

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

function stampTuple(p: string): StampTuple {
  try {
    const s = fs.statSync(p, { bigint: true });
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
    names = fs.readdirSync(dir).filter((n) => n.endsWith('.pth')).sort();
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

function cacheFile(root: string, key: Record<string, string | null>): string {
  return path.join(root, 'interpreters.v1', `${createHash('sha256').update(JSON.stringify(key)).digest('hex').slice(0, 40)}.json`);
}

function uid(): number {
  return typeof process.getuid === 'function' ? process.getuid() : 0;
}

function readValid(file: string, key: Record<string, string | null>): InterpreterInfo | null {
  let text: string;
  try {
    const fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0) | (fs.constants.O_NONBLOCK ?? 0));
    try {
      const st = fs.fstatSync(fd);
      const holder = fs.lstatSync(path.dirname(file));
      if (readTrustProblem(st, holder, true, uid()) !== null) return null;
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
  if (doc.format !== FORMAT || JSON.stringify(doc.key) !== JSON.stringify(key)) return null;
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

function write(file: string, doc: CacheDoc): void {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
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

/** What the interpreter reports, from the cache when still valid, else by running it. */
export async function interpreterInfo(python: string, options: InterpreterCacheOptions): Promise<InterpreterInfo> {
  const abs = options.read || options.write ? resolveCommand(python) : null;
  if (abs === null) return queryInterpreter(python);
  const key = keyOf(abs, process.env);
  const file = cacheFile(options.userCacheDir ?? userCacheRoot(), key);
  if (options.read) {
    const cached = readValid(file, key);
    if (cached !== null) return { ...cached, command: python };
  }
  const info = await queryInterpreter(python);
  if (!options.write) return info;
  let real: string;
  let realExe: string;
  try {
    real = fs.realpathSync(abs);
    realExe = fs.realpathSync(info.executable);
  } catch {
    return info;
  }
  if (real !== realExe) return info; // a wrapper or shim: never cached
  const dir = path.dirname(abs);
  const doc: CacheDoc = {
    format: FORMAT,
    key,
    info,
    files: [real, path.join(dir, 'pyvenv.cfg'), path.join(path.dirname(dir), 'pyvenv.cfg'), ...info.startupFiles].map((f) => [f, stampTuple(f)]),
    siteDirs: info.siteDirs.map(siteDirCheck),
  };
  if (!isRacy(doc, Date.now())) write(file, doc);
  return info;
}
