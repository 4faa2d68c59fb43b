/** Child interpreters are bounded (issue 13 item 3): a deadline that holds, and answers checked for their shape. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { runBounded, runBoundedSync } from '../../src/child.js';
import { probeInterpreter } from '../../src/scripts/probe.js';
import { epi } from '../support/cli.js';
import { tempDir } from '../support/fixtures.js';

const dir = tempDir();
const script = (name: string, body: string): string => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return p;
};

describe('child interpreters are bounded', () => {
  test('an interpreter that ignores SIGTERM is killed (SIGKILL) after the grace period: a clear error, no hang', () => {
    const stubborn = script('stubborn', "trap '' TERM\nwhile :; do sleep 0.1; done");
    const start = Date.now();
    const r = epi(['list', '--python', stubborn, '--cache', 'scan'], { EPINDEX_PYTHON_TIMEOUT: '0.5' });
    const took = Date.now() - start;
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /^epi: cannot run the Python interpreter ".*stubborn": no answer within 0\.5 s; stopped \(it ignored SIGTERM and was killed after 2 s more\)/);
    assert.ok(took < 15_000, `took ${took} ms`);
  });

  test('an interpreter that exits on SIGTERM is stopped at the deadline', () => {
    const slow = script('slow', 'exec sleep 30');
    const r = epi(['list', '--python', slow, '--cache', 'scan'], { EPINDEX_PYTHON_TIMEOUT: '0.3' });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /no answer within 0\.3 s; stopped \(set \$EPINDEX_PYTHON_TIMEOUT/);
  });

  const answers: Array<[string, string, RegExp]> = [
    ['{}', '{}', /its "path" is missing/],
    ['[]', '[]', /it printed a list/],
    ['a path that is not a list', '{"path": "notalist"}', /its "path" is not a list of strings/],
    ['a list of numbers', '{"path": [1, 2]}', /its "path" is not a list of strings/],
    ['a path without the other fields', '{"path": ["/x"]}', /its "executable" is missing/],
    ['not JSON', 'hello', /it did not print JSON/],
    ['nothing', '', /it printed nothing/],
  ];
  for (const [name, output, message] of answers) {
    test(`an interpreter printing ${name} is a clear error (exit 2, not 70), never a search of each character`, () => {
      const fake = script(`says-${answers.findIndex((a) => a[0] === name)}`, `printf '%s' '${output}'`);
      const r = epi(['list', '--python', fake, '--cache', 'scan', '--json']);
      assert.equal(r.status, 2, r.stderr);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /^epi: the Python interpreter ".*" did not report its sys\.path: /);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /internal error/);
    });
  }

  /** Whether `pid` still runs (a zombie waiting for a reaper does not). */
  const running = (pid: number): boolean => {
    try {
      return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
    } catch {
      return false;
    }
  };
  const pids = (file: string): number[] => fs.readFileSync(file, 'utf8').split(/\s+/).filter(Boolean).map(Number);

  test('H3: the probe\'s deadline holds when a grandchild keeps stdout open, and the whole group is killed', { skip: process.platform !== 'linux' && 'reads /proc' }, () => {
    // The interpreter exits at once; a background child keeps the pipes open for 30 s.
    const left = path.join(dir, 'left.pids');
    const exits = script('exits', `sleep 30 &\necho $! > ${left}\nexit 0`);
    let start = Date.now();
    let r = epi(['list', '--python', exits, '--cache', 'scan'], { EPINDEX_PYTHON_TIMEOUT: '3' });
    let took = Date.now() - start;
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /cannot run the Python interpreter|did not report its sys\.path/);
    assert.ok(took < 6_000, `took ${took} ms (the deadline is 3 s; the grandchild sleeps 30)`);
    for (const pid of pids(left)) assert.equal(running(pid), false, `pid ${pid} was killed with its group`);
    // The interpreter itself hangs, and so does its child: both die at the deadline.
    const both = path.join(dir, 'both.pids');
    const hangs = script('hangs', `sleep 30 &\necho $$ $! > ${both}\nsleep 30`);
    start = Date.now();
    r = epi(['list', '--python', hangs, '--cache', 'scan'], { EPINDEX_PYTHON_TIMEOUT: '2' });
    took = Date.now() - start;
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /no answer within 2 s; stopped/);
    assert.ok(took < 5_000, `took ${took} ms`);
    for (const pid of pids(both)) assert.equal(running(pid), false, `pid ${pid} was killed with its group`);
  });

  test('H3: every runner of child interpreters (async, synchronous, the launcher probe) kills the group at its deadline', { skip: process.platform !== 'linux' && 'reads /proc' }, async () => {
    const file = path.join(dir, 'runners.pids');
    const hangs = script('hangs-too', `sleep 30 &\necho $$ $! >> ${file}\nsleep 30`);
    const runs: [string, () => Promise<unknown>][] = [
      ['runBounded', () => runBounded(hangs, [], { timeoutMs: 500, graceMs: 300 })],
      ['runBoundedSync', async () => runBoundedSync(hangs, [], { timeoutMs: 500, graceMs: 300 })],
      ['probeInterpreter', () => probeInterpreter(hangs, 500).catch((e: unknown) => e)],
    ];
    for (const [name, run] of runs) {
      fs.writeFileSync(file, '');
      const start = Date.now();
      const r = await run();
      const took = Date.now() - start;
      assert.ok(took < 4_000, `${name} took ${took} ms`);
      if (name === 'probeInterpreter') assert.match(String(r), /no answer within 0\.5 s/);
      else assert.equal((r as { stopped: string }).stopped, 'timeout', name);
      assert.equal(pids(file).length, 2, name);
      for (const pid of pids(file)) assert.equal(running(pid), false, `${name}: pid ${pid} was killed with its group`);
    }
  });

  test('an interpreter that fails says how, in one line', () => {
    const bad = script('fails', "echo 'Fatal Python error: init_fs_encoding' >&2\nexit 1");
    const r = epi(['list', '--python', bad]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^epi: cannot run the Python interpreter ".*fails": ran ".*fails -c <sys\.path probe>": exit status 1: "Fatal Python error: init_fs_encoding"\n$/);
  });

  test('a program that is not Python (-p /bin/ls) says briefly what was run and what came back, never the whole probe program', () => {
    // ls echoes its argument, the probe program, back in its error.
    const r = epi(['list', '-p', '/bin/ls', '--cache', 'scan']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^epi: cannot run the Python interpreter "\/bin\/ls": ran "\/bin\/ls -c <sys\.path probe>": exit status 2: ".*"\n$/);
    assert.ok(r.stderr.length < 300, r.stderr);
    assert.doesNotMatch(r.stderr, /getsitepackages/);
    const echo = epi(['list', '-p', '/bin/echo', '--cache', 'scan']);
    assert.match(echo.stderr, /^epi: the Python interpreter "\/bin\/echo" did not report its sys\.path: ran "\/bin\/echo -c <sys\.path probe>": it did not print JSON: ".*"\n$/);
    assert.ok(echo.stderr.length < 300, echo.stderr);
  });
});
