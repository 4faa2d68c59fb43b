/**
 * Environment variables and command-line arguments as bytes (docs/spec.md §4.1.1). Node decodes
 * both as UTF-8, each invalid byte becoming U+FFFD, so a `VIRTUAL_ENV`, `CONDA_PREFIX` or
 * `--python` naming a directory that is not UTF-8 would name another (missing) one. On Linux the
 * kernel keeps the bytes (`/proc/self/environ`, `/proc/self/cmdline`): a value holding U+FFFD is
 * read again from there and `fsdecode`d, so that `fsPath` gives the same bytes back. Elsewhere
 * (macOS names are UTF-8; Windows is UTF-16) values are what Node gives.
 */
import * as fs from 'node:fs';
import { fsdecode } from './fsnames.js';

const LINUX = process.platform === 'linux';
const REPLACEMENT = '\ufffd';

/** The NUL-separated strings of a /proc file, as bytes; null when it cannot be read. */
function procStrings(file: string): Buffer[] | null {
  let bytes: Buffer;
  try {
    // /proc files report size 0: read until the end (bounded: the kernel caps both at ARG_MAX-ish sizes).
    bytes = fs.readFileSync(file);
  } catch {
    return null;
  }
  const out: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0) {
      out.push(bytes.subarray(start, i));
      start = i + 1;
    }
  }
  if (start < bytes.length) out.push(bytes.subarray(start));
  return out;
}

let environ: Map<string, Buffer> | null | undefined;

/**
 * `env[name]`, with the bytes the process was given when Node's string lost some (U+FFFD) and
 * `env` is this process's own environment. Undefined when unset.
 */
export function envValue(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const v = env[name];
  if (v === undefined || !LINUX || env !== process.env || !v.includes(REPLACEMENT)) return v;
  if (environ === undefined) {
    environ = null;
    const entries = procStrings('/proc/self/environ');
    if (entries !== null) {
      environ = new Map();
      for (const e of entries) {
        const eq = e.indexOf(0x3d);
        if (eq > 0) environ.set(e.subarray(0, eq).toString('latin1'), e.subarray(eq + 1));
      }
    }
  }
  const raw = environ?.get(name);
  // Only when it is the same value (the variable was not changed since the process started).
  return raw !== undefined && raw.toString('utf8') === v ? fsdecode(raw) : v;
}

/**
 * `process.argv.slice(2)` with the bytes the process was given where Node's strings lost some:
 * the last arguments of `/proc/self/cmdline` are these (Node's own options come before the
 * script). Each replaced argument must decode to Node's string exactly, else Node's is kept.
 */
export function rawArguments(argv: readonly string[] = process.argv.slice(2)): string[] {
  if (!LINUX || !argv.some((a) => a.includes(REPLACEMENT))) return [...argv];
  const cmdline = procStrings('/proc/self/cmdline');
  if (cmdline === null || cmdline.length < argv.length) return [...argv];
  const tail = cmdline.slice(cmdline.length - argv.length);
  return argv.map((a, i) => {
    const bytes = tail[i]!;
    return a.includes(REPLACEMENT) && bytes.toString('utf8') === a ? fsdecode(bytes) : a;
  });
}
