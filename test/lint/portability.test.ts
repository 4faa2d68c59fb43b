/**
 * Every reader claim of every lint rule, confirmed on the real readers: importlib.metadata of
 * each CPython on the machine (3.9 reads with ConfigParser, 3.10+ with its one-pass reader),
 * importlib_metadata 8.7 (what CPython 3.15 ships), configparser with the spec's settings, and
 * pkg_resources where installed. One subprocess per interpreter reads every trigger.
 *
 * A claim says how a reader's result differs from epindex's reading of the same bytes; every
 * reader a rule does not name must read exactly what epindex reads.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { strToU8 } from 'fflate';
import { parseEntryPointsTxt } from '../../src/format/entry-points-txt.js';
import { LINT_CODES, READERS, type LintRule, type ReaderClaim, type ReaderId } from '../../src/lint/findings.js';
import { lintEntryPointsTxt } from '../../src/lint/rules/entry-points-txt.js';
import { interpreters } from '../support/interpreters.js';
import { toolsVenv } from '../support/lint-tools.js';

const SCRIPT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test/support/lint_readers.py');

/** A minimal entry_points.txt for every rule that makes reader claims. */
const TRIGGERS: Record<string, Uint8Array> = {
  EP601: strToU8('[foo-bar]\na = m:f\n'),
  EP603: strToU8('[g]\n[x = m:f\n'),
  EP605: strToU8('[g]\na = m:f\n= m:g\n'),
  EP612: strToU8('[g]\na = m:f\na = m:g\n'),
  EP620: strToU8('[g]\n; note\na = m:f\n'),
  EP621: strToU8('[g]\na = m:f # note\n'),
  EP622: Uint8Array.from([0xef, 0xbb, 0xbf, ...strToU8('[g]\na = m:f\n')]),
  EP623: strToU8('[g]\na = m:f\n    b = m:g\n'),
  EP624: strToU8('[DEFAULT]\nx = m:d\n[g]\na = m:f\n'),
  EP625: strToU8('[g]\na = m:f\nb = m:g%x\n'),
  EP626: strToU8('a = m:f\n[g]\nb = m:g\n'),
  EP627: strToU8('[g]\na = m:f\n[g]\nb = m:g\n'),
  EP628: Uint8Array.from([...strToU8('[g]\na = m:f\nb = caf'), 0xe9, ...strToU8(':x\n')]),
  EP629: strToU8('[g]\na = m:f\nb = my-mod:x\n'),
  EP630: strToU8('[g]\na = m:f\nb\n'),
  EP631: strToU8('[ g ]\na = m:f\n'),
  EP632: strToU8('[[g]]\na = m:f\n'),
  EP633: strToU8('[g]\na = m:f\fb = m:g\n'),
  EP634: strToU8('[g]\n;a = m:f\nb = m:g\n'),
};

type Triple = [string, string, string];
type ReaderResult = { ok: Triple[] } | { error: string };
interface Run {
  readonly label: string;
  readonly results: ReadonlyArray<Record<string, ReaderResult>>;
  readonly version: string;
}

const codes = Object.keys(TRIGGERS);
const claimed = (Object.entries(LINT_CODES) as Array<[string, LintRule]>).filter(([, r]) => r.readers !== undefined).map(([c]) => c);

function runReaders(python: string, label: string, args: readonly string[] = []): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, [SCRIPT, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (err += d));
    child.on('error', reject);
    child.on('close', (status) => {
      if (status !== 0) return reject(new Error(`${label}: lint_readers.py failed (${status}): ${err}`));
      const r = JSON.parse(out) as { python: string; results: Array<Record<string, ReaderResult>> };
      resolve({ label, results: r.results, version: r.python });
    });
    child.stdin.end(JSON.stringify(codes.map((c) => Buffer.from(TRIGGERS[c]!).toString('base64'))));
  });
}

/** Which claim reader a reader of an interpreter is. */
function readerId(reader: string, version: string): ReaderId | null {
  const minor = Number(version.split('.')[1]);
  if (reader === 'importlib') return minor <= 9 ? 'importlib-3.9' : minor >= 15 ? 'importlib-3.15' : 'importlib';
  if (reader === 'importlib_metadata') return 'importlib-3.15';
  if (reader === 'configparser' || reader === 'pkg_resources') return reader;
  return null;
}

// pkg_resources rebuilds values from their parts (module:attr [extras]); compare without spaces.
const norm = (t: Triple[], reader: ReaderId): string[] => t.map(([g, n, v]) => JSON.stringify([g, n, reader === 'pkg_resources' ? v.replace(/\s+/g, '') : v]));

let runs: Run[] = [];

describe('portability claims, confirmed on the real readers', () => {
  before(async () => {
    const tools = toolsVenv();
    runs = await Promise.all([...interpreters().map((i) => runReaders(i.python, `CPython ${i.version}`)), runReaders(tools.python, 'importlib_metadata 8.7 venv', ['--backport'])]);
  });

  test('every rule with reader claims has a trigger, and the trigger triggers it', () => {
    assert.deepEqual(claimed.filter((c) => !(c in TRIGGERS)), []);
    for (const c of codes) assert.ok(lintEntryPointsTxt(TRIGGERS[c]!, 'x').findings.some((f) => f.code === c), `${c}'s trigger does not trigger it`);
  });

  for (const code of codes) {
    const rule: LintRule = LINT_CODES[code as keyof typeof LINT_CODES];
    test(`${code} ${rule.title}: ${(rule.readers ?? []).map((r) => `${r.reader} ${r.outcome}`).join(', ')}; every other reader reads what epindex reads`, (t) => {
      const i = codes.indexOf(code);
      const mine = parseEntryPointsTxt(TRIGGERS[code]!).entries.map((e): Triple => [e.group, e.name, e.value]);
      const seen = new Set<ReaderId>();
      for (const run of runs) {
        for (const [reader, result] of Object.entries(run.results[i]!)) {
          const id = readerId(reader, run.version);
          if (id === null) continue;
          seen.add(id);
          const claim: ReaderClaim | undefined = rule.readers?.find((r) => r.reader === id);
          const where = `${reader} on ${run.label} (${run.version}): ${JSON.stringify(result)}`;
          if (claim === undefined) {
            assert.ok('ok' in result, `${where}: expected epindex's reading ${JSON.stringify(mine)}`);
            assert.deepEqual(norm(result.ok, id), norm(mine, id), where);
          } else if (claim.outcome === 'raises') {
            assert.deepEqual(result, { error: claim.error }, where);
          } else {
            assert.ok('ok' in result, `${where}: expected it to ${claim.outcome}, not raise`);
            const theirs = norm(result.ok, id);
            const ours = norm(mine, id);
            if (claim.outcome === 'drops') {
              assert.ok(theirs.length < ours.length && theirs.every((x) => ours.includes(x)), `${where}: expected a strict subset of ${JSON.stringify(mine)}`);
            } else {
              assert.notDeepEqual(theirs, ours, `${where}: expected a different reading than ${JSON.stringify(mine)}`);
            }
          }
        }
      }
      for (const r of rule.readers ?? []) {
        if (!seen.has(r.reader)) t.diagnostic(`${READERS[r.reader]} is not on this machine; its claim was not checked here`);
      }
      // The readers every machine has (python3's stdlib, configparser, the 8.7 venv) are always checked.
      for (const always of ['importlib', 'configparser', 'importlib-3.15'] as const) assert.ok(seen.has(always), `${always} was not run`);
    });
  }
});
