/**
 * Child processes, bounded (docs/spec.md §4.4.2). Each child runs in its own process group (a
 * new session); its deadline covers the whole exchange, and at the deadline the whole group is
 * killed — SIGTERM, then SIGKILL after a grace period — so that a grandchild holding the pipes
 * open cannot keep epi waiting. When the child exits, whatever it left in its group is killed
 * too: the exchange is over, and those could only hold the pipes. A program whose path is not
 * UTF-8 (an `fsdecode`d string, §4.1.1) is run by its bytes.
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fsPath } from './fsnames.js';

type ChildProcess = import('node:child_process').ChildProcess;

const POSIX = process.platform !== 'win32';

export interface ChildResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Why it was stopped: it took too long, or said too much. */
  readonly stopped: 'timeout' | 'output' | null;
  readonly error: NodeJS.ErrnoException | null;
}

export interface BoundedOptions {
  /** The deadline for the whole exchange, from the start. */
  readonly timeoutMs: number;
  /** Between SIGTERM and SIGKILL. Default 2 s. */
  readonly graceMs?: number;
  /** Stdout beyond this many characters stops the child. Default 64 MiB. */
  readonly maxOutput?: number;
  /** Written to its stdin (else stdin is /dev/null). */
  readonly input?: string | Uint8Array;
}

/** Send `signal` to the child's whole process group (the child alone where there are no groups); false when nothing was there. */
export function killGroup(child: ChildProcess, signal: NodeJS.Signals): boolean {
  if (child.pid === undefined) return false;
  if (POSIX) {
    try {
      process.kill(-child.pid, signal);
      return true;
    } catch {
      return false; // ESRCH: the group is gone
    }
  }
  return child.kill(signal);
}

/**
 * How to spawn `file`: as it is, or — when its path is not UTF-8, which Node cannot pass to
 * exec — as `./<name>` in its directory, entered through `/proc/self/fd` (Linux; the child
 * chdirs before exec, while the descriptor is still open). Python then finds itself (and its
 * `pyvenv.cfg`) from that directory, by its bytes. The child's working directory is that
 * directory: `env` is the environment to give it, with relative `PYTHONPATH` entries made
 * absolute against ours (Python resolves them against its own at start-up). `release` closes
 * the descriptor.
 */
export function spawnTarget(file: string): { file: string; cwd?: string; fd?: number; env?: NodeJS.ProcessEnv; release: () => void } {
  const path8 = fsPath(file);
  if (typeof path8 === 'string' || process.platform !== 'linux') return { file, release: () => undefined };
  const name = path.basename(file);
  if (typeof fsPath(name) !== 'string') return { file, release: () => undefined };
  let fd: number;
  try {
    fd = fs.openSync(fsPath(path.dirname(file)), fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
  } catch {
    return { file, release: () => undefined };
  }
  const pythonPath = process.env['PYTHONPATH'];
  const env = pythonPath ? { ...process.env, PYTHONPATH: pythonPath.split(path.delimiter).map((p) => (p === '' ? p : path.resolve(p))).join(path.delimiter) } : undefined;
  return {
    file: `./${name}`,
    cwd: `/proc/self/fd/${fd}`,
    fd,
    ...(env !== undefined ? { env } : {}),
    release: () => {
      try {
        fs.closeSync(fd);
      } catch {
        // already closed
      }
    },
  };
}

/**
 * Run `file args` with a deadline that holds (see the module comment). Resolves once the child
 * has exited and its pipes are closed, or — when a process that left the group still holds
 * them — shortly after the group was killed, the pipes abandoned.
 */
export function runBounded(file: string, args: readonly string[], opts: BoundedOptions): Promise<ChildResult> {
  // Loaded here: a warm lookup answers from the interpreter cache and never starts a process.
  const { spawn } = createRequire(import.meta.url)('node:child_process') as typeof import('node:child_process');
  const graceMs = opts.graceMs ?? 2_000;
  const maxOutput = opts.maxOutput ?? 64 * 1024 * 1024;
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let stopped: ChildResult['stopped'] = null;
    let error: NodeJS.ErrnoException | null = null;
    let settled = false;
    let child: ChildProcess;
    const target = spawnTarget(file);
    try {
      child = spawn(target.file, [...args], { stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'], windowsHide: true, detached: POSIX, ...(target.cwd !== undefined ? { cwd: target.cwd } : {}), ...(target.env !== undefined ? { env: target.env } : {}) });
    } catch (e) {
      target.release();
      resolve({ stdout, stderr, code: null, signal: null, stopped, error: e as NodeJS.ErrnoException });
      return;
    }
    // The child has chdir'ed (or failed to) by the time spawn returns.
    target.release();
    const timers: NodeJS.Timeout[] = [];
    let exited: { code: number | null; signal: NodeJS.Signals | null } | null = null;
    const finish = (code: number | null, signal: NodeJS.Signals | null): void => {
      if (settled) return;
      settled = true;
      for (const t of timers) clearTimeout(t);
      // Whatever is left of the group (it is ours, and the exchange is over) goes too.
      killGroup(child, 'SIGKILL');
      child.stdout?.destroy();
      child.stderr?.destroy();
      resolve({ stdout, stderr, code, signal, stopped, error });
    };
    const stop = (why: 'timeout' | 'output'): void => {
      if (stopped !== null) return;
      stopped = why;
      killGroup(child, 'SIGTERM');
      timers.push(setTimeout(() => {
        killGroup(child, 'SIGKILL');
        // The pipes may stay open in a process that left the group (setsid): not waited for.
        timers.push(setTimeout(() => finish(exited?.code ?? child.exitCode, exited?.signal ?? child.signalCode), 200).unref());
      }, graceMs).unref());
    };
    timers.push(setTimeout(() => stop('timeout'), opts.timeoutMs).unref());
    child.stdout!.setEncoding('utf8').on('data', (s: string) => {
      stdout += s;
      if (stdout.length > maxOutput) stop('output');
    });
    child.stderr!.setEncoding('utf8').on('data', (s: string) => {
      if (stderr.length < 1024 * 1024) stderr += s;
    });
    if (opts.input !== undefined) {
      child.stdin!.on('error', () => undefined);
      child.stdin!.end(opts.input);
    }
    child.on('error', (e) => {
      error = e;
      finish(null, null);
    });
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      // The child is done; what it left behind in its group could only hold the pipes open.
      killGroup(child, 'SIGKILL');
    });
    child.on('close', (code, signal) => finish(code, signal));
  });
}

/**
 * `runBounded` for synchronous callers: a Node child runs it and hands back the result, so
 * that the group rule holds here too (spawnSync can neither make a process group nor stop
 * waiting for pipes a grandchild holds). Slower by one Node start: for rare probes only.
 */
export function runBoundedSync(file: string, args: readonly string[], opts: BoundedOptions): ChildResult {
  const { spawnSync } = createRequire(import.meta.url)('node:child_process') as typeof import('node:child_process');
  const graceMs = opts.graceMs ?? 2_000;
  // A path that is not UTF-8: the runner's child enters its directory through the descriptor
  // handed to the runner as its fd 3.
  const target = spawnTarget(file);
  const job = { file: target.file, args, cwd: target.fd === undefined ? null : '/proc/self/fd/3', opts: { ...opts, graceMs } };
  const r = spawnSync(process.execPath, ['-e', SYNC_RUNNER, JSON.stringify(job)], {
    encoding: 'utf8',
    ...(target.env !== undefined ? { env: target.env } : {}),
    stdio: ['ignore', 'pipe', 'ignore', ...(target.fd === undefined ? [] : [target.fd])],
    // The runner enforces the deadline; this is only in case the runner itself hangs.
    timeout: opts.timeoutMs + 2 * graceMs + 5_000,
    killSignal: 'SIGKILL',
    windowsHide: true,
    maxBuffer: (opts.maxOutput ?? 64 * 1024 * 1024) * 2 + 1024 * 1024,
  });
  target.release();
  try {
    return JSON.parse(r.stdout) as ChildResult;
  } catch {
    return { stdout: '', stderr: '', code: null, signal: null, stopped: r.error !== undefined ? 'timeout' : null, error: (r.error as NodeJS.ErrnoException | undefined) ?? null };
  }
}

/** The synchronous runner's child: `runBounded` written out in plain JavaScript (it runs as `node -e`). */
const SYNC_RUNNER = String.raw`
const { spawn } = require('node:child_process');
const { file, args, cwd, opts } = JSON.parse(process.argv[1]);
let stdout = '', stderr = '', stopped = null, error = null, done = false, exited = null;
const kill = (c, s) => { try { process.kill(-c.pid, s); } catch { try { c.kill(s); } catch {} } };
const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: process.platform !== 'win32', windowsHide: true, ...(cwd ? { cwd } : {}) });
const finish = (code, signal) => {
  if (done) return; done = true;
  if (child.pid !== undefined) kill(child, 'SIGKILL');
  process.stdout.write(JSON.stringify({ stdout, stderr, code, signal, stopped, error: error && { code: error.code, message: error.message } }), () => process.exit(0));
};
setTimeout(() => {
  stopped = 'timeout'; kill(child, 'SIGTERM');
  setTimeout(() => { kill(child, 'SIGKILL'); setTimeout(() => finish(exited ? exited[0] : null, exited ? exited[1] : 'SIGKILL'), 200); }, opts.graceMs);
}, opts.timeoutMs);
child.stdout.setEncoding('utf8').on('data', (s) => { if (stdout.length < (opts.maxOutput || 67108864)) stdout += s; });
child.stderr.setEncoding('utf8').on('data', (s) => { if (stderr.length < 1048576) stderr += s; });
child.on('error', (e) => { error = e; finish(null, null); });
child.on('exit', (code, signal) => { exited = [code, signal]; kill(child, 'SIGKILL'); });
child.on('close', finish);
`;
