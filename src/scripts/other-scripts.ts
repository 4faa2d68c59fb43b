/**
 * The other scripts of a scripts directory: everything there that is not a launcher at a
 * claimed path nor an activate script — a distribution's own `#!` scripts (listed in its
 * RECORD, as jsonpointer's `bin/jsonpointer`), a user's scripts, binaries, symbolic links.
 * `repair` rewrites the interpreter line of each one that names the environment's old
 * location, and lists each one it leaves broken with the reason (docs/spec.md §11.7).
 *
 * The old location is what the environment's own files say, as for launchers and activate
 * scripts: the `VIRTUAL_ENV` an activate script assigns, and the interpreters its launchers
 * name (an installer wrote `sys.executable` into both). A script's interpreter under an old
 * location is moved to the same place under the present one; nothing else is guessed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { diagnostic, type Diagnostic } from '../diagnostics.js';
import type { Distribution } from '../entry-point.js';
import { errnoCode } from '../errors.js';
import { errnoText, readSmallFile } from '../fsutil.js';
import { fsPath, readdirNames } from '../fsnames.js';
import { csvFields } from '../lint/wheel.js';
import type { ActivatePlan } from './activate.js';
import { ACTIVATE_FILES } from './activate.js';
import type { Identity } from './files.js';
import { checkInterpreter, distLabel, sameInterpreter, type Inventory } from './inventory.js';
import { parseScriptHead, rewriteInterpreter, type ScriptForm } from './shebang.js';

/** Enough of a file for any prelude (uv's printf form of a 4,096-byte path is 32 KiB). */
const HEAD_BYTES = 64 * 1024;
/** A script rewritten is read whole: a zipapp (`#!` then a zip) can be tens of megabytes. */
export const SCRIPT_BYTES = 64 * 1024 * 1024;
/** RECORD of the largest distributions (tens of thousands of files) is a few megabytes. */
export const RECORD_BYTES = 64 * 1024 * 1024;

export interface ScriptRepair {
  readonly file: string;
  /** The distribution whose RECORD (or installed-files.txt) lists it; null when none does. */
  readonly dist: Distribution | null;
  /** `repair`: `content` replaces it; `unchanged`: nothing to do; `left`: broken and not repaired (see `reason`, and the diagnostic). */
  readonly action: 'repair' | 'unchanged' | 'left';
  readonly reason: string;
  /** What a summary groups it under ("runs /bin/bash"). */
  readonly group: string;
  /** The interpreter its `#!` line names (resolved for relocatable ones), if any. */
  readonly interpreter: string | null;
  /** repair only: the interpreter written. */
  readonly newInterpreter: string | null;
  readonly form: ScriptForm | null;
  readonly content: Buffer | null;
  /** The file's mode, kept by the rewrite. */
  readonly mode: number;
  readonly identity: Identity;
  readonly diagnostics: readonly Diagnostic[];
}

/** Where the environment was, by its own files. */
export interface OldLocation {
  /** An old location of the environment → what says so. */
  readonly prefixes: ReadonlyMap<string, string>;
  /** Interpreters its launchers name that are not the environment's (a launcher's own repair proof). */
  readonly interpreters: ReadonlySet<string>;
  /** Where it is now (`sys.prefix`) and what runs it (`sys.executable`). */
  readonly prefix: string;
  readonly executable: string;
}

/** The old location from the activate scripts' `VIRTUAL_ENV` and the launchers' interpreters. */
export function oldLocationOf(inv: Inventory, activate: readonly ActivatePlan[]): OldLocation {
  const { prefix, executable } = inv.target;
  const prefixes = new Map<string, string>();
  const add = (old: string, why: string): void => {
    const o = path.resolve(old);
    if (o !== '/' && o !== path.resolve(prefix) && !prefixes.has(o)) prefixes.set(o, why);
  };
  for (const a of activate) if (a.oldPath !== null && a.action !== 'unchanged') add(a.oldPath, `the VIRTUAL_ENV of ${path.basename(a.file)}`);
  const interpreters = new Set<string>();
  // The interpreter's place in the environment (`bin`): a launcher's missing `OLD/bin/python` says the environment was at OLD.
  const exeDir = path.relative(prefix, path.dirname(executable));
  for (const e of inv.entries) {
    const f = e.file;
    if (f.kind !== 'launcher' || f.interpreter.kind !== 'absolute' || e.claim.path === null) continue;
    const check = checkInterpreter(f.interpreter, e.claim.path, executable);
    if (check.same) continue;
    interpreters.add(path.resolve(f.interpreter.path));
    const dir = path.dirname(path.resolve(f.interpreter.path));
    if (!check.exists && exeDir !== '' && !exeDir.startsWith('..') && !path.isAbsolute(exeDir) && dir.endsWith(path.sep + exeDir)) {
      add(dir.slice(0, -(exeDir.length + 1)), `the interpreter of the launchers here (${f.interpreter.path})`);
    }
  }
  return { prefixes, interpreters, prefix, executable };
}

/** Where `p` goes now if it names the old location: the same place under the present prefix (or, for a launcher's old interpreter, the environment's). */
export function movedPath(p: string, old: OldLocation): { readonly old: string; readonly now: string; readonly why: string } | null {
  const abs = path.resolve(p);
  let best: { old: string; now: string; why: string } | null = null;
  for (const [o, why] of old.prefixes) {
    if (abs.startsWith(o + path.sep) && (best === null || o.length > best.old.length)) best = { old: o, now: path.join(old.prefix, abs.slice(o.length + 1)), why };
  }
  if (best !== null) return best;
  if (old.interpreters.has(abs)) return { old: abs, now: old.executable, why: 'the launchers here name it too' };
  return null;
}

/**
 * Which distribution lists each file of `dir`: RECORD of a `.dist-info` (paths relative to its
 * path entry), `installed-files.txt` of an `.egg-info` (relative to itself). The first
 * distribution on the search path wins.
 */
export function recordOwners(dir: string, distributions: readonly Distribution[]): { owners: Map<string, Distribution>; diagnostics: Diagnostic[] } {
  const owners = new Map<string, Distribution>();
  const diagnostics: Diagnostic[] = [];
  const here = path.resolve(dir);
  let real: string | null = null;
  try {
    real = fs.realpathSync(fsPath(here) as string);
  } catch {
    /* the directory is missing: nothing in it to own */
  }
  const realDirs = new Map<string, string | null>();
  const inDir = (d: string): boolean => {
    if (d === here) return true;
    if (real === null || path.basename(d) !== path.basename(real)) return false;
    if (!realDirs.has(d)) {
      try {
        realDirs.set(d, fs.realpathSync(fsPath(d) as string));
      } catch {
        realDirs.set(d, null);
      }
    }
    return realDirs.get(d) === real;
  };
  for (const d of distributions) {
    const [listing, base] = d.layout === 'dist-info' ? [path.join(d.metadataPath, 'RECORD'), path.dirname(d.metadataPath)] : d.layout === 'egg-info' ? [path.join(d.metadataPath, 'installed-files.txt'), d.metadataPath] : [null, ''];
    if (listing === null) continue;
    const r = readSmallFile(listing, { limit: RECORD_BYTES });
    if (!r.ok) {
      if (r.problem !== 'absent') {
        const why = r.problem === 'too-large' ? `over ${RECORD_BYTES / 1024 / 1024} MiB` : r.problem === 'not-regular' ? r.what : r.text;
        diagnostics.push(diagnostic('EP517', `${path.basename(listing)} of ${distLabel(d)} cannot be read (${why}); the scripts it lists are not attributed to it`, { file: listing }));
      }
      continue;
    }
    const text = r.bytes.toString('utf8');
    for (const raw of text.split('\n')) {
      const line = raw.replace(/\r$/, '');
      if (line === '') continue;
      const p = d.layout === 'dist-info' ? csvFields(line)[0] ?? '' : line;
      if (p === '') continue;
      const abs = path.resolve(base, p);
      if (!inDir(path.dirname(abs))) continue;
      const name = path.basename(abs);
      if (!owners.has(name)) owners.set(name, d);
    }
  }
  return { owners, diagnostics };
}

/** The first bytes of a regular file, never following a symbolic link nor blocking on a FIFO. */
function readHead(file: string): { bytes: Buffer; stat: fs.Stats } | { problem: string } {
  let fd: number;
  try {
    fd = fs.openSync(fsPath(file), fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0) | (fs.constants.O_NONBLOCK ?? 0));
  } catch (e) {
    return { problem: `cannot be read (${errnoText(e)})` };
  }
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) return { problem: 'not a regular file' };
    const buf = Buffer.alloc(Math.min(HEAD_BYTES, Math.max(stat.size, 0)));
    let n = 0;
    // Two bytes first: most files of a system's bin directory are binaries, and need no more.
    let want = Math.min(2, buf.length);
    while (n < want) {
      const got = fs.readSync(fd, buf, n, want - n, n);
      if (got === 0) break;
      n += got;
      if (n === 2 && want === 2 && buf[0] === 0x23 && buf[1] === 0x21) want = buf.length;
    }
    return { bytes: buf.subarray(0, n), stat };
  } catch (e) {
    return { problem: `cannot be read (${errnoText(e)})` };
  } finally {
    fs.closeSync(fd);
  }
}

export interface ScriptsScan {
  /** The scripts directory. */
  readonly dir: string;
  readonly old: OldLocation;
  readonly owners: ReadonlyMap<string, Distribution>;
  /** Paths handled elsewhere (launchers at claimed paths). */
  readonly skip: ReadonlySet<string>;
  /** Whether a file (by its owner, or its own path) is in the selection (`--dist`). */
  readonly selected: (owner: Distribution | null, file: string) => boolean;
}

const ACTIVATE_NAMES = new Set(ACTIVATE_FILES.map(([n]) => n));

/** Plan every other file of the scripts directory. */
export function planOtherScripts(scan: ScriptsScan): { scripts: ScriptRepair[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  let names: string[];
  try {
    names = readdirNames(scan.dir);
  } catch (e) {
    if (errnoCode(e) !== 'ENOENT') diagnostics.push(diagnostic('EP517', `the scripts directory cannot be read (${errnoText(e)}); its scripts were not examined`, { file: scan.dir }));
    return { scripts: [], diagnostics };
  }
  const scripts: ScriptRepair[] = [];
  for (const name of names.sort()) {
    const file = path.join(scan.dir, name);
    const owner = scan.owners.get(name) ?? null;
    if (ACTIVATE_NAMES.has(name) || scan.skip.has(file) || name.startsWith('.epindex-') || !scan.selected(owner, file)) continue;
    scripts.push(planOne(file, owner, scan));
  }
  return { scripts, diagnostics };
}

function planOne(file: string, dist: Distribution | null, scan: ScriptsScan): ScriptRepair {
  const whose = dist === null ? '' : ` (${distLabel(dist)})`;
  let st: fs.Stats;
  try {
    st = fs.lstatSync(fsPath(file));
  } catch (e) {
    return left(file, dist, `cannot be examined (${errnoText(e)})`, 'EP517', `left alone: ${path.basename(file)}${whose} cannot be examined (${errnoText(e)})`);
  }
  const identity = { dev: st.dev, ino: st.ino };
  const base = { file, dist, identity, mode: st.mode & 0o7777, interpreter: null, newInterpreter: null, form: null, content: null };
  const unchanged = (reason: string, group: string, interpreter: string | null = null): ScriptRepair => ({ ...base, action: 'unchanged', reason, group, interpreter, diagnostics: [] });
  const broken = (reason: string, code: 'EP515' | 'EP516' | 'EP517', message: string, interpreter: string | null = null): ScriptRepair => ({ ...left(file, dist, reason, code, message), identity, mode: base.mode, interpreter });

  if (st.isSymbolicLink()) return planLink(file, dist, scan, unchanged, broken);
  if (!st.isFile()) return unchanged(st.isDirectory() ? 'a directory' : 'not a regular file', 'a directory or special file');
  const head = readHead(file);
  if ('problem' in head) return broken(head.problem, 'EP517', `left alone: ${path.basename(file)}${whose} ${head.problem}`);
  const parsed = parseScriptHead(head.bytes);
  if (parsed.kind === 'not-a-script') return unchanged('not a #! script (a binary or a data file)', 'not a #! script (a binary or a data file)');
  if (parsed.kind === 'unreadable') {
    const named = [...scan.old.prefixes.keys()].find((o) => head.bytes.subarray(0, head.bytes.indexOf(0x0a) < 0 ? undefined : head.bytes.indexOf(0x0a)).includes(Buffer.from(o)));
    if (named !== undefined) return broken(`${parsed.why}; it names the old location ${named}`, 'EP515', `not repaired: the #! line of ${path.basename(file)}${whose} names the old location ${named}, but ${parsed.why}`);
    return unchanged(parsed.why, 'a #! line epindex cannot read');
  }
  const { prelude } = parsed;
  const ref = prelude.interpreter;
  if (ref.kind === 'command') return unchanged(`runs whatever ${JSON.stringify(ref.text)} finds on PATH`, 'runs whatever /usr/bin/env finds on PATH');
  const check = checkInterpreter(ref, file, scan.old.executable);
  if (ref.kind === 'relative') {
    if (check.exists) return unchanged(`relocatable: runs ${check.text}`, 'relocatable: finds its interpreter itself', check.path);
    return broken(`relocatable, and its interpreter ${check.path} is missing`, 'EP516', `left broken: ${path.basename(file)}${whose} is relocatable, and its interpreter ${check.path} is missing`, check.path);
  }
  const interp = ref.path;
  if (check.same) return unchanged(`runs ${interp}`, `runs this environment's interpreter`, interp);
  const moved = path.isAbsolute(interp) ? movedPath(interp, scan.old) : null;
  if (moved === null) {
    if (check.exists) return unchanged(`runs ${interp}`, `runs ${interp}`, interp);
    const why = path.isAbsolute(interp) ? `its interpreter ${interp} is missing, and it is not in a location this environment was moved from` : `its interpreter ${JSON.stringify(interp)} is not an absolute path`;
    return broken(why, 'EP516', `left broken: ${path.basename(file)}${whose}: ${why}`, interp);
  }
  const target = fs.existsSync(moved.now) ? moved.now : scan.old.interpreters.has(path.resolve(interp)) ? scan.old.executable : null;
  const notRepaired = (why: string): ScriptRepair => broken(why, 'EP515', `not repaired: ${path.basename(file)}${whose} names the old location ${moved.old} (${moved.why}), but ${why}`, interp);
  if (target === null) return notRepaired(`${moved.now} does not exist`);
  const whole = readSmallFile(file, { limit: SCRIPT_BYTES });
  if (!whole.ok) return notRepaired(whole.problem === 'too-large' ? `it is over ${SCRIPT_BYTES / 1024 / 1024} MiB` : whole.problem === 'not-regular' ? `it became ${whole.what}` : whole.problem === 'absent' ? 'it disappeared' : `it cannot be read (${whole.text})`);
  if (Number(whole.stat.ino) !== st.ino || Number(whole.stat.dev) !== st.dev) return notRepaired('it changed while it was read');
  const r = rewriteInterpreter(whole.bytes, prelude, target);
  if ('reason' in r) return notRepaired(r.reason);
  return { ...base, action: 'repair', reason: `its interpreter was ${check.text}`, group: 'repaired', interpreter: interp, newInterpreter: target, form: r.form, content: r.content, diagnostics: [] };
}

function left(file: string, dist: Distribution | null, reason: string, code: 'EP515' | 'EP516' | 'EP517', message: string): ScriptRepair {
  return { file, dist, action: 'left', reason, group: 'left', interpreter: null, newInterpreter: null, form: null, content: null, mode: 0, identity: null, diagnostics: [diagnostic(code, message, { file })] };
}

/** A symbolic link is never changed: it is fine, or broken with the reason (its target is the old location, missing, or a script that names it). */
function planLink(
  file: string,
  dist: Distribution | null,
  scan: ScriptsScan,
  unchanged: (reason: string, group: string) => ScriptRepair,
  broken: (reason: string, code: 'EP515' | 'EP516', message: string) => ScriptRepair,
): ScriptRepair {
  const name = path.basename(file);
  let target: string;
  try {
    target = fs.readlinkSync(fsPath(file) as string);
  } catch (e) {
    return broken(`a symbolic link that cannot be read (${errnoText(e)})`, 'EP516', `left alone: ${name} is a symbolic link that cannot be read (${errnoText(e)})`);
  }
  const abs = path.resolve(scan.dir, target);
  const moved = movedPath(abs, { ...scan.old, interpreters: new Set() });
  if (moved !== null) {
    const why = `a symbolic link to ${target}, in the old location ${moved.old}; links are never changed (point it at ${moved.now})`;
    return broken(why, 'EP515', `not repaired: ${name} is ${why}`);
  }
  if (path.dirname(abs) === path.resolve(scan.dir)) return unchanged(`a symbolic link to ${target} (examined as itself)`, 'a symbolic link (links are never changed)');
  if (!fs.existsSync(abs)) return broken(`a symbolic link to ${target}, which is missing`, 'EP516', `left broken: ${name} is a symbolic link to ${target}, which is missing`);
  // A script elsewhere, reached through the link: broken when its own #! line names the old location.
  const head = readHead(abs);
  if ('bytes' in head) {
    const parsed = parseScriptHead(head.bytes);
    if (parsed.kind === 'script' && parsed.prelude.interpreter.kind === 'absolute' && !sameInterpreter(parsed.prelude.interpreter.path, scan.old.executable)) {
      const m = movedPath(parsed.prelude.interpreter.path, scan.old);
      if (m !== null) {
        const why = `a symbolic link to ${target}, whose #! line names the old location ${m.old}; that file is outside the scripts directory and is not changed`;
        return broken(why, 'EP515', `not repaired: ${name}${dist === null ? '' : ` (${distLabel(dist)})`} is ${why}`);
      }
    }
  }
  return unchanged(`a symbolic link to ${target}`, 'a symbolic link (links are never changed)');
}
