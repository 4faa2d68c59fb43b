/**
 * `epi check --node [DIR] [--group G] [--name N]`: import every selected entry point for real,
 * in child processes, and report the ones that fail (exit 1 if any did).
 *
 * Resolution (no plugin code runs) happens here; the children only import file URLs and walk
 * export paths. Entry points are split into one batch per job; each child reports every result
 * on its own pipe (fd 3, so a plugin printing to stdout cannot garble it). When a child dies or
 * hangs (a plugin calling process.exit, crashing, or never finishing its import), the entry point
 * it was loading fails with that reason and the rest of its batch goes on in a new child.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import { createInterface } from 'node:readline';
import type { NodeEntryPoint } from '../../node/entry-point.js';
import { killGroup } from '../../child.js';
import { isEntryPointLoadError } from '../../node/errors.js';
import { UsageError, type OptionValues } from '../args.js';
import { plural, printJson, table } from '../output.js';
import { openNodeEnvironment, packageLabel, selected } from './node-lookup.js';

interface Job {
  readonly index: number;
  readonly url: string;
  readonly exportPath: readonly string[];
}

export interface CheckResult {
  readonly group: string;
  readonly name: string;
  readonly value: string;
  /** The package as every `--node` output gives it (NodeEntryPointJSON's `package`). */
  readonly package: ReturnType<NodeEntryPoint['toJSON']>['package'];
  readonly ok: boolean;
  /** As Python's check: EP801 when loading failed (resolve, import, export), EP802 when the child exited or timed out; null when it passed. */
  readonly code: 'EP801' | 'EP802' | null;
  readonly stage?: string;
  readonly error?: string;
}

// The child: reads jobs from stdin, imports each, walks its export path (as load() does,
// CommonJS properties included), reports one JSON line per job on fd 3.
const CHILD = String.raw`
import { createWriteStream } from 'node:fs';
const out = createWriteStream(null, { fd: 3 });
const send = (o) => new Promise((r) => out.write(JSON.stringify(o) + '\n', r));
const holds = (o, k) => ((typeof o === 'object' && o !== null) || typeof o === 'function') && k in o;
let input = '';
for await (const chunk of process.stdin) input += chunk;
// Linux: the processes this one started and left running (an import's child_process without a wait).
const { readdirSync, readFileSync } = await import('node:fs');
const children = () => {
  try {
    const out = new Set();
    for (const t of readdirSync('/proc/self/task')) for (const p of readFileSync('/proc/self/task/' + t + '/children', 'utf8').split(/\s+/)) if (p) out.add(Number(p));
    return out;
  } catch { return null; }
};
const leftBehind = (before) => {
  const now = children();
  if (now === null || before === null) return 0;
  let n = 0;
  for (const pid of now) if (!before.has(pid)) { n++; try { process.kill(pid, 'SIGKILL'); } catch {} }
  return n;
};
for (const job of JSON.parse(input)) {
  await send({ start: job.index });
  const before = children();
  let ns;
  try {
    ns = await import(job.url);
  } catch (e) {
    await send({ index: job.index, ok: false, stage: 'import', error: String(e && e.stack ? e.stack.split('\n')[0] : e) });
    leftBehind(before);
    continue;
  }
  const left = leftBehind(before);
  if (left > 0) {
    await send({ index: job.index, ok: false, stage: 'children', error: 'the import left ' + (left === 1 ? 'a process' : left + ' processes') + ' running (child_process without waiting); killed' });
    continue;
  }
  let v = ns, bad = null;
  for (let i = 0; i < job.exportPath.length; i++) {
    const k = job.exportPath[i];
    const from = i === 0 && !holds(ns, k) && holds(ns.default, k) ? ns.default : v;
    if (!holds(from, k)) { bad = (i === 0 ? 'the module' : '"' + job.exportPath.slice(0, i).join('.') + '"') + ' has no export "' + k + '"'; break; }
    try { v = from[k]; } catch (e) { bad = String(e); break; }
  }
  await send(bad === null ? { index: job.index, ok: true } : { index: job.index, ok: false, stage: 'export', error: bad });
}
// Whatever an import left (timers, sockets, children) must not keep this process alive.
out.end(() => process.exit(0));
`;

type Outcome = { ok: true } | { ok: false; stage: string; error: string };

/** Run jobs in one child after another until every job has an outcome. */
async function runBatch(jobs: readonly Job[], timeoutMs: number, outcomes: Map<number, Outcome>, progress: () => void): Promise<void> {
  let pending = [...jobs];
  while (pending.length > 0) {
    const batch = pending;
    await new Promise<void>((resolve) => {
      // A process group of its own (detached): killed as a group at the deadline and at the end.
      const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD], { stdio: ['pipe', 'ignore', 'pipe', 'pipe'], detached: process.platform !== 'win32' });
      let current: number | null = null;
      let stderr = '';
      let timer: NodeJS.Timeout | undefined;
      let timedOut = false;
      const arm = (): void => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          timedOut = true;
          killGroup(child, 'SIGKILL');
          // A process that left the group may still hold the pipes: do not wait for them.
          setTimeout(() => finish(null, 'SIGKILL'), 200).unref();
        }, timeoutMs);
      };
      child.stderr!.on('data', (d: Buffer) => {
        if (stderr.length < 4000) stderr += d.toString();
      });
      const lines = createInterface({ input: child.stdio[3] as NodeJS.ReadableStream });
      lines.on('line', (line) => {
        let m: { start?: number; index?: number; ok?: boolean; stage?: string; error?: string };
        try {
          m = JSON.parse(line) as typeof m;
        } catch {
          return;
        }
        if (m.start !== undefined) {
          current = m.start;
          arm();
        } else if (m.index !== undefined) {
          outcomes.set(m.index, m.ok ? { ok: true } : { ok: false, stage: m.stage ?? 'import', error: m.error ?? 'failed' });
          current = null;
          progress();
        }
      });
      child.on('error', () => undefined);
      child.stdin!.on('error', () => undefined);
      child.stdin!.end(JSON.stringify(batch));
      arm();
      // The child is done: what it left in its group could only hold the pipes open.
      child.on('exit', () => killGroup(child, 'SIGKILL'));
      let settled = false;
      const finish = (code: number | null, signal: NodeJS.Signals | null): void => {
        if (settled) return;
        settled = true;
        killGroup(child, 'SIGKILL');
        child.stderr?.destroy();
        (child.stdio[3] as NodeJS.ReadableStream & { destroy(): void } | null)?.destroy();
        clearTimeout(timer);
        if (current !== null && !outcomes.has(current)) {
          const last = stderr.trim().split('\n').filter((l) => l.trim() !== '').pop();
          const why = timedOut
            ? `timed out after ${timeoutMs / 1000} s (--timeout)`
            : `the process ${signal !== null ? `was killed by ${signal}` : `exited with code ${code}`} while importing it${last ? `: ${last}` : ''}`;
          outcomes.set(current, { ok: false, stage: timedOut ? 'timeout' : 'exit', error: why });
          progress();
        }
        resolve();
      };
      child.on('close', finish);
    });
    const remaining = batch.filter((j) => !outcomes.has(j.index));
    if (remaining.length === pending.length) {
      // The child died before starting anything: every job fails rather than looping forever.
      for (const j of remaining) outcomes.set(j.index, { ok: false, stage: 'exit', error: 'the checking process could not start' });
      return;
    }
    pending = remaining;
  }
}

export async function check(dir: string | undefined, o: OptionValues): Promise<number> {
  const timeout = o['timeout'] === undefined ? 20 : Number(o['timeout']);
  if (!(timeout > 0)) throw new UsageError(`--timeout must be a positive number of seconds, not ${String(o['timeout'])}`);
  const jobsWanted = o['jobs'] === undefined ? os.availableParallelism() : Number(o['jobs']);
  if (!Number.isInteger(jobsWanted) || jobsWanted < 1) throw new UsageError(`--jobs must be a positive integer, not ${String(o['jobs'])}`);
  const { env, report } = await openNodeEnvironment(dir, o);
  const eps = await selected(env, o);
  const list: NodeEntryPoint[] = eps.toArray();
  const outcomes = new Map<number, Outcome>();
  const jobs: Job[] = [];
  for (const [index, ep] of list.entries()) {
    try {
      jobs.push({ index, url: await ep.resolve(), exportPath: ep.exportPath });
    } catch (e) {
      const cause = isEntryPointLoadError(e) ? e.cause : e;
      outcomes.set(index, { ok: false, stage: isEntryPointLoadError(e) ? e.stage : 'resolve', error: cause instanceof Error ? cause.message : String(cause) });
    }
  }
  const n = Math.max(1, Math.min(jobsWanted, jobs.length));
  const size = Math.ceil(jobs.length / n);
  const batches = Array.from({ length: n }, (_, i) => jobs.slice(i * size, (i + 1) * size)).filter((b) => b.length > 0);
  // A progress bar on a terminal only (cli-progress, loaded then).
  type Bar = { start(total: number, value: number): void; update(value: number): void; stop(): void };
  let bar: Bar | null = null;
  if (o['json'] !== true && process.stderr.isTTY === true && jobs.length > 1) {
    const { SingleBar, Presets } = createRequire(import.meta.url)('cli-progress') as typeof import('cli-progress');
    bar = new SingleBar({ stream: process.stderr, format: 'checking {bar} {value}/{total}', hideCursor: true, clearOnComplete: true }, Presets.shades_classic);
    bar.start(list.length, outcomes.size);
  }
  await Promise.all(batches.map((b) => runBatch(b, timeout * 1000, outcomes, () => bar?.update(outcomes.size))));
  // An entry that timed out is tried once more, alone, before it is reported: under the load of
  // the other children a slow import can pass the deadline.
  for (const job of jobs) {
    const o = outcomes.get(job.index);
    if (o === undefined || o.ok || o.stage !== 'timeout') continue;
    const again = new Map<number, Outcome>();
    await runBatch([job], timeout * 1000, again, () => undefined);
    const r = again.get(job.index) ?? o;
    outcomes.set(job.index, !r.ok && r.stage === 'timeout' ? { ok: false, stage: 'timeout', error: `timed out after ${timeout} s, twice (the second time alone); raise --timeout if it is only slow` } : r);
  }
  bar?.stop();
  const results: CheckResult[] = list.map((ep, i) => {
    const r = outcomes.get(i) ?? { ok: false, stage: 'exit', error: 'not checked' };
    const base = { group: ep.group, name: ep.name, value: ep.value, package: ep.toJSON().package };
    return r.ok ? { ...base, ok: true, code: null } : { ...base, ok: false, code: r.stage === 'exit' || r.stage === 'timeout' || r.stage === 'children' ? 'EP802' : 'EP801', stage: r.stage, error: r.error };
  });
  const failed = results.filter((r) => !r.ok);
  if (o['json'] === true) {
    printJson({ environment: report, results, checked: results.length, passed: results.length - failed.length, failed: failed.length });
  } else {
    if (failed.length > 0) {
      process.stdout.write(table(failed.map((r) => {
        const ep = list[results.indexOf(r)]!;
        return [packageLabel(ep), r.group, r.name, r.value, `${r.stage}: ${r.error}`];
      }), ['PACKAGE', 'GROUP', 'NAME', 'TARGET', 'ERROR']));
    }
    // The wording of Python's check (python/src/epindex/_check.py), which `epi check` prints.
    process.stderr.write(`epi: ${plural(results.length, 'entry point')} checked: ${results.length - failed.length} passed, ${failed.length} failed\n`);
  }
  return failed.length > 0 ? 1 : 0;
}
