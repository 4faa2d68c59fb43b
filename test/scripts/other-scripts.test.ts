/**
 * `epi scripts repair` and the other files of a scripts directory (issue 18 item 4): a
 * distribution's own `#!` script (jsonpointer's, listed in its RECORD, installed by pip from
 * PyPI; uv's /bin/sh printf form at a long path) runs after the venv is moved and repaired;
 * fixtures (a binary, scripts of other interpreters, symbolic links, a /bin/sh exec wrapper at a
 * long path, scripts that cannot be repaired) are repaired or listed with the reason and exit 1.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, test } from 'node:test';
import { parseScriptHead, rewriteInterpreter } from '../../src/scripts/shebang.js';
import { epi } from '../support/cli.js';
import { tempDir } from '../support/fixtures.js';
import { PYTHON } from '../support/python.js';
import { launch, makeVenv, pipInstall, pypiWheel, run, snapshot, uvInstall } from './support.js';

const root = tempDir('epindex-other-scripts-');
const env = { EPINDEX_CACHE_DIR: path.join(root, 'cache'), VIRTUAL_ENV: '' };
const scripts = (args: readonly string[]) => epi(['scripts', ...args], env);

interface ScriptJSON {
  action: string;
  path: string;
  dist: { name: string; version: string | null } | null;
  interpreter: string | null;
  newInterpreter: string | null;
  reason: string;
  done?: boolean;
}
interface PlanJSON {
  actions: Array<{ action: string; path: string }>;
  activate: Array<{ action: string; path: string }>;
  scripts: ScriptJSON[];
  diagnostics: Array<{ code: string; file?: string; message: string }>;
}
const plan = (args: readonly string[]): { status: number; json: PlanJSON } => {
  const r = scripts([...args, '--json']);
  assert.ok(r.stdout.startsWith('{'), `no JSON from epi scripts ${args.join(' ')}: ${r.stderr}`);
  return { status: r.status, json: JSON.parse(r.stdout) as PlanJSON };
};
const byName = (p: PlanJSON): Record<string, ScriptJSON> => Object.fromEntries(p.scripts.map((s) => [path.basename(s.path), s]));
const sitePackages = (python: string): string => run(python, ['-c', 'import sysconfig; print(sysconfig.get_path("purelib"))']).stdout.trim();
const firstLine = (file: string): string => fs.readFileSync(file, 'latin1').split('\n')[0]!;
const afterFirstLine = (file: string): Buffer => {
  const b = fs.readFileSync(file);
  return b.subarray(b.indexOf(0x0a) + 1);
};

describe("a moved venv with a distribution's own #! script (jsonpointer from PyPI, installed by pip)", () => {
  let moved: string;
  let python: string;
  let script: string;
  let body: Buffer;
  let mode: number;
  const doc = path.join(root, 'doc.json');
  before(() => {
    const wheel = pypiWheel('jsonpointer==3.0.0');
    const venv = path.join(root, 'pip-venv');
    pipInstall(makeVenv(venv), [wheel]);
    moved = path.join(root, 'moved-pip-venv');
    fs.renameSync(venv, moved);
    python = path.join(moved, 'bin', 'python');
    script = path.join(moved, 'bin', 'jsonpointer');
    body = afterFirstLine(script);
    mode = fs.statSync(script).mode;
    fs.writeFileSync(doc, '{"a": {"b": [10, 20]}}');
  });

  test('before repair the script names the old, missing interpreter and fails; repair --dry-run plans it and changes nothing', () => {
    assert.match(firstLine(script), new RegExp(`^#!${escape(path.join(root, 'pip-venv', 'bin'))}/python3?$`), 'pip wrote the interpreter it installed with');
    assert.equal(launch(script, ['/a/b/1', doc]).status, -1, 'a moved script points at the old interpreter');
    const before = snapshot(path.join(moved, 'bin'));
    const { status, json } = plan(['repair', '--python', python, '--dry-run']);
    assert.equal(status, 0);
    const s = byName(json)['jsonpointer']!;
    assert.deepEqual([s.action, s.dist], ['repair', { name: 'jsonpointer', version: '3.0.0' }], 'RECORD says it is jsonpointer\'s');
    assert.match(s.reason, /its interpreter was .*pip-venv\/bin\/python3? \(missing\)/);
    assert.deepEqual(snapshot(path.join(moved, 'bin')), before);
  });

  test('repair fixes it: it runs, with its mode and every byte after the #! line kept; the summary names what it left and why', () => {
    const r = scripts(['repair', '--python', python]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^repaired +\S+\/bin\/jsonpointer +jsonpointer 3\.0\.0: its interpreter was /m);
    const ran = launch(script, ['/a/b/1', doc]);
    assert.deepEqual([ran.status, ran.stdout.trim()], [0, '20'], ran.stderr);
    assert.equal(fs.statSync(script).mode, mode);
    assert.deepEqual(afterFirstLine(script), body);
    assert.match(firstLine(script), new RegExp(`^#!${moved}/bin/python3?$`));
    // Not "1 file left as it is": each file left is named, with the reason.
    assert.match(r.stderr, /^epi: left as they are:$/m);
    assert.match(r.stderr, /^ {2}Activate\.ps1: finds the environment from its own location; nothing to rewrite$/m);
    assert.match(r.stderr, /^ {2}python, python3, python3\.\d+ \(3 files\): a symbolic link \(links are never changed\)$/m);
  });

  test('a second repair has nothing to do: the script runs this environment\'s interpreter', () => {
    const r = scripts(['repair', '--python', python]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /^epi: nothing to do; left as they are:$/m);
    assert.match(r.stderr, /^ {2}jsonpointer: runs this environment's interpreter$/m);
  });
});

describe("uv's /bin/sh printf form: jsonpointer installed by uv at a long path, moved to another", () => {
  test('the script is repaired in its own form and runs; --dist jsonpointer selects it (no EP514)', () => {
    const wheel = pypiWheel('jsonpointer==3.0.0');
    const long = path.join(root, 'u'.repeat(110));
    const venv = path.join(long, 'venv');
    fs.mkdirSync(long);
    const py = makeVenv(venv);
    uvInstall(py, [wheel]);
    const before = fs.readFileSync(path.join(venv, 'bin', 'jsonpointer'), 'utf8');
    assert.match(before, /^#!\/bin\/sh\n# coding: utf-8\n'''exec' "\$\(printf %b /, 'uv writes the printf form for a long path');
    const moved = path.join(root, 'v'.repeat(110), 'venv');
    fs.mkdirSync(path.dirname(moved));
    fs.renameSync(venv, moved);
    const script = path.join(moved, 'bin', 'jsonpointer');
    const doc = path.join(root, 'doc2.json');
    fs.writeFileSync(doc, '{"x": 1}');
    assert.notEqual(launch(script, ['/x', doc]).status, 0);
    const { status, json } = plan(['repair', '--python', path.join(moved, 'bin', 'python'), '--dist', 'jsonpointer']);
    assert.equal(status, 0, JSON.stringify(json.diagnostics));
    assert.deepEqual(json.diagnostics.map((d) => d.code), []);
    assert.deepEqual(json.scripts.map((s) => [path.basename(s.path), s.action, s.done]), [['jsonpointer', 'repair', true]]);
    const after = fs.readFileSync(script, 'utf8');
    assert.match(after, /^#!\/bin\/sh\n# coding: utf-8\n'''exec' "\$\(printf %b /);
    assert.equal(after.split('\n').slice(3).join('\n'), before.split('\n').slice(3).join('\n'), 'only the exec line changed');
    const ran = launch(script, ['/x', doc]);
    assert.deepEqual([ran.status, ran.stdout.trim()], [0, '1'], ran.stderr);
  });
});

describe('fixture scripts in a venv moved from one long path to another', () => {
  // Interpreter paths over 124 bytes: a plain #! line no longer fits (spec §11.3).
  const oldRoot = path.join(root, 'o'.repeat(110), 'fx');
  const newRoot = path.join(root, 'n'.repeat(110), 'fx');
  const oldPy = path.join(oldRoot, 'bin', 'python');
  const SHOW = 'import json, sys\nprint(json.dumps({"prefix": sys.prefix, "argv": sys.argv[1:], "E": sys.flags.ignore_environment}))\n';
  const FILES: Record<string, string | Buffer> = {
    'plain-long': `#!${oldPy}\n${SHOW}`,
    'with-arg': `#!${oldPy} -E\n${SHOW}`,
    'sh-wrapper': `#!/bin/sh\n'''exec' ${oldPy} "$0" "$@"\n' '''\n${SHOW}`,
    future: `#!${oldPy}\nfrom __future__ import annotations\n${SHOW}`,
    latin: `#!${oldPy}\n# -*- coding: latin-1 -*-\n${SHOW}`,
    binary: Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0xff, 0xfe, 0x0a, 0x23, 0x21]),
    shell: '#!/bin/sh\necho shell\n',
    'env-python': '#!/usr/bin/env python3\nprint("env")\n',
    gone: '#!/nonexistent/epindex/python\nprint("gone")\n',
  };
  let python: string;
  let listed: string[];
  before(() => {
    fs.mkdirSync(path.dirname(oldRoot), { recursive: true });
    makeVenv(oldRoot);
    const bin = path.join(oldRoot, 'bin');
    for (const [name, content] of Object.entries(FILES)) fs.writeFileSync(path.join(bin, name), content, { mode: 0o750 });
    fs.symlinkSync('plain-long', path.join(bin, 'link-here'));
    fs.symlinkSync(path.join(oldRoot, 'lib', 'tool.py'), path.join(bin, 'link-old'));
    fs.symlinkSync('/nonexistent/epindex/tool', path.join(bin, 'link-gone'));
    // A distribution whose RECORD lists most of them (as a wheel's .data/scripts are listed).
    listed = ['plain-long', 'with-arg', 'sh-wrapper', 'future', 'binary', 'shell'];
    const site = sitePackages(path.join(oldRoot, 'bin', 'python'));
    const rel = path.relative(site, bin);
    fs.mkdirSync(path.join(site, 'fixture-1.0.dist-info'));
    fs.writeFileSync(path.join(site, 'fixture-1.0.dist-info', 'METADATA'), 'Metadata-Version: 2.1\nName: fixture\nVersion: 1.0\n');
    fs.writeFileSync(path.join(site, 'fixture-1.0.dist-info', 'RECORD'), listed.map((n) => `${rel}/${n},sha256=x,1\n`).join('') + 'fixture-1.0.dist-info/RECORD,,\n');
    fs.mkdirSync(path.dirname(newRoot), { recursive: true });
    fs.renameSync(oldRoot, newRoot);
    python = path.join(newRoot, 'bin', 'python');
  });
  const file = (n: string): string => path.join(newRoot, 'bin', n);

  test('--dist fixture examines only the files its RECORD lists', () => {
    const { json } = plan(['repair', '--python', python, '--dist', 'fixture', '--dry-run']);
    assert.deepEqual(json.scripts.map((s) => path.basename(s.path)).sort(), [...listed].sort());
    assert.ok(json.scripts.every((s) => s.dist?.name === 'fixture'));
  });

  const EXPECTED: ReadonlyArray<[name: string, action: string, reason: RegExp, code?: string]> = [
    ['plain-long', 'repair', /its interpreter was .*\/fx\/bin\/python \(missing\)/],
    ['with-arg', 'repair', /its interpreter was /],
    ['sh-wrapper', 'repair', /its interpreter was /],
    ['future', 'left', /the new #! line would be \d+ bytes, over the 127 .*`from __future__` import/, 'EP515'],
    ['latin', 'left', /declares the encoding latin-1 on its second line/, 'EP515'],
    ['binary', 'unchanged', /^not a #! script/],
    ['shell', 'unchanged', /^runs \/bin\/sh$/],
    ['env-python', 'unchanged', /^runs whatever "\/usr\/bin\/env python3" finds on PATH$/],
    ['gone', 'left', /its interpreter \/nonexistent\/epindex\/python is missing, and it is not in a location this environment was moved from/, 'EP516'],
    ['link-here', 'unchanged', /^a symbolic link to plain-long \(examined as itself\)$/],
    ['link-old', 'left', /a symbolic link to .*\/fx\/lib\/tool\.py, in the old location .*\/fx; links are never changed \(point it at .*nnnn\/fx\/lib\/tool\.py\)/, 'EP515'],
    ['link-gone', 'left', /a symbolic link to \/nonexistent\/epindex\/tool, which is missing/, 'EP516'],
  ];

  test('the plan: each file repaired, unchanged, or left broken with the reason and a diagnostic naming it', () => {
    const { status, json } = plan(['repair', '--python', python, '--dry-run']);
    assert.equal(status, 1, 'something is left broken');
    const got = byName(json);
    for (const [name, action, reason, code] of EXPECTED) {
      assert.equal(got[name]?.action, action, `${name}: ${got[name]?.reason}`);
      assert.match(got[name]!.reason, reason, name);
      const ds = json.diagnostics.filter((d) => d.file === file(name)).map((d) => d.code);
      assert.deepEqual(ds, code ? [code] : [], name);
    }
  });

  test('repair: the repaired scripts run in the new place (a /bin/sh prelude where the #! line no longer fits, the argument kept); nothing else changes; exit 1 naming what it left', () => {
    const untouched = ['future', 'latin', 'binary', 'shell', 'env-python', 'gone', 'link-here', 'link-old', 'link-gone'];
    const before = Object.fromEntries(untouched.map((n) => [n, snapshot1(file(n))]));
    const r = scripts(['repair', '--python', python]);
    assert.equal(r.status, 1);
    for (const n of ['future', 'latin', 'gone', 'link-old', 'link-gone']) assert.match(r.stdout, new RegExp(`^left broken +${escape(file(n))} `, 'm'), n);
    assert.match(r.stderr, /EP515/);
    assert.match(r.stderr, /EP516/);
    for (const n of untouched) assert.deepEqual(snapshot1(file(n)), before[n], n);
    for (const n of ['plain-long', 'sh-wrapper', 'with-arg', 'link-here']) {
      const ran = launch(file(n), ['a b']);
      assert.equal(ran.status, 0, `${n}: ${ran.stderr}`);
      const j = JSON.parse(ran.stdout) as { prefix: string; argv: string[]; E: number };
      assert.deepEqual([j.prefix, j.argv, j.E], [newRoot, ['a b'], n === 'with-arg' ? 1 : 0], n);
      assert.equal(fs.lstatSync(file(n === 'link-here' ? 'plain-long' : n)).mode & 0o777, 0o750, `${n} keeps its mode`);
    }
    assert.match(fs.readFileSync(file('plain-long'), 'utf8'), new RegExp(`^#!/bin/sh\\n'''exec' ${escape(newRoot)}/bin/python "\\$0" "\\$@"\\n' '''\\n${escape(SHOW)}$`));
    assert.equal(fs.readFileSync(file('sh-wrapper'), 'utf8'), `#!/bin/sh\n'''exec' ${newRoot}/bin/python "$0" "$@"\n' '''\n${SHOW}`);
    assert.deepEqual(fs.readdirSync(path.join(newRoot, 'bin')).filter((n) => n.startsWith('.epindex-')), [], 'no temporary file remains');
  });

  test('a second repair: what was left is still listed (as missing interpreters), exit 1', () => {
    const { status, json } = plan(['repair', '--python', python]);
    assert.equal(status, 1);
    const got = byName(json);
    assert.deepEqual(['plain-long', 'sh-wrapper', 'with-arg'].map((n) => got[n]!.action), ['unchanged', 'unchanged', 'unchanged']);
    // The activate script names this place now, so the old location is known no more: still broken, still listed.
    assert.deepEqual(['future', 'latin', 'gone'].map((n) => [got[n]!.action, json.diagnostics.find((d) => d.file === file(n))?.code]), [['left', 'EP516'], ['left', 'EP516'], ['left', 'EP516']]);
  });
});

function snapshot1(f: string): string {
  const st = fs.lstatSync(f);
  return st.isSymbolicLink() ? `-> ${fs.readlinkSync(f)}` : `${st.mode.toString(8)} ${st.mtimeMs} ${fs.readFileSync(f).toString('base64')}`;
}
const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('interpreter lines of any script (parseScriptHead, rewriteInterpreter)', () => {
  const head = (s: string | Buffer) => parseScriptHead(typeof s === 'string' ? Buffer.from(s) : s);
  const PARSE: ReadonlyArray<[what: string, text: string | Buffer, form: string | null, interpreter: unknown]> = [
    ['a plain #! line', '#!/v/bin/python\nx\n', 'plain', { kind: 'absolute', path: '/v/bin/python', args: [] }],
    ['blanks after #! and one argument (the kernel passes the rest as one)', '#! /v/bin/python -E -s\nx\n', 'plain', { kind: 'absolute', path: '/v/bin/python', args: ['-E -s'] }],
    ['/usr/bin/env', '#!/usr/bin/env python3\n', 'plain', { kind: 'command', text: '/usr/bin/env python3' }],
    ["the /bin/sh '''exec' wrapper (installer's quoting)", "#!/bin/sh\n'''exec' '/v w/bin/python' \"$0\" \"$@\"\n' '''\nx\n", 'sh-exec', { kind: 'absolute', path: '/v w/bin/python', args: [] }],
    ["uv's printf form after a coding line", "#!/bin/sh\n# coding: utf-8\n'''exec' \"$(printf %b '\\'0057 '\\'0166 '\\'0040 '\\'0303 '\\'0274)\" \"$0\" \"$@\"\n' '''\n", 'sh-printf', { kind: 'absolute', path: '/v ü', args: [] }],
    ["uv's relocatable form", "#!/bin/sh\n'''exec' \"$(dirname -- \"$(realpath -- \"$0\")\")\"/'python' \"$0\" \"$@\"\n' '''\n", 'relocatable', { kind: 'relative', relative: 'python', resolver: 'uv-realpath' }],
    ['a /bin/sh script that is no wrapper runs /bin/sh', '#!/bin/sh\necho hi\nexit 0\n', 'plain', { kind: 'absolute', path: '/bin/sh', args: [] }],
    ['no #!: not a script', '\x7fELF\x02\x01', null, 'not-a-script'],
    ['a #! line that is not UTF-8', Buffer.from([0x23, 0x21, 0x2f, 0xff, 0x0a]), null, 'unreadable'],
    ['an empty #! line', '#!\n', null, 'unreadable'],
  ];
  for (const [what, text, form, interpreter] of PARSE) {
    test(`${what}`, () => {
      const h = head(text);
      if (form === null) assert.equal(h.kind, interpreter);
      else {
        assert.equal(h.kind, 'script');
        if (h.kind === 'script') assert.deepEqual([h.prelude.form, h.prelude.interpreter], [form, interpreter]);
      }
    });
  }

  const rewrite = (text: string, to: string): string => {
    const h = head(text);
    assert.equal(h.kind, 'script');
    if (h.kind !== 'script') return '';
    const r = rewriteInterpreter(Buffer.from(text), h.prelude, to);
    return 'reason' in r ? `REFUSED: ${r.reason}` : r.content.toString('utf8');
  };
  test('a plain line keeps its blanks, its argument and the rest of the file', () => {
    assert.equal(rewrite('#! /old/bin/python -E\r\nbody\n', '/new/bin/python'), '#! /new/bin/python -E\r\nbody\n');
  });
  test('a plain line that no longer fits takes the /bin/sh prelude, its argument one word', () => {
    const to = `/${'n'.repeat(130)}/bin/python`;
    assert.equal(rewrite('#!/old/bin/python -E\nbody\n', to), `#!/bin/sh\n'''exec' ${to} -E "$0" "$@"\n' '''\nbody\n`);
  });
  test('a path with a space never goes into a plain #! line', () => {
    assert.equal(rewrite('#!/old/bin/python\nbody\n', '/new dir/bin/python'), `#!/bin/sh\n'''exec' '/new dir/bin/python' "$0" "$@"\n' '''\nbody\n`);
  });
  test('the /bin/sh form is refused for what it would break: another interpreter, a __future__ import, a non-UTF-8 coding line, CRLF', () => {
    const to = `/${'n'.repeat(130)}/bin/`;
    assert.match(rewrite('#!/old/bin/perl\nprint 1;\n', `${to}perl`), /^REFUSED: .* works only for Python scripts$/);
    assert.match(rewrite('#!/old/bin/python\nfrom __future__ import x\n', `${to}python`), /^REFUSED: .*`from __future__`/);
    assert.match(rewrite('#!/old/bin/python\n# coding: cp1252\n', `${to}python`), /^REFUSED: .*encoding cp1252/);
    assert.equal(rewrite('#!/old/bin/python\n# -*- coding: utf-8 -*-\n', `${to}python`).startsWith('#!/bin/sh\n'), true, 'a UTF-8 coding line is fine');
    assert.match(rewrite('#!/old/bin/python\r\nx\r\n', `${to}python`), /^REFUSED: .*CRLF/);
  });
  test("the '''exec' wrapper and uv's printf form keep their form", () => {
    assert.equal(rewrite(`#!/bin/sh\n'''exec' /old/python "$0" "$@"\n' '''\nbody\n`, "/new/it's/python"), `#!/bin/sh\n'''exec' '/new/it'"'"'s/python' "$0" "$@"\n' '''\nbody\n`);
    const uv = `#!/bin/sh\n# coding: utf-8\n'''exec' "$(printf %b '\\'0057 '\\'0157)" "$0" "$@"\n' '''\nbody\n`;
    const out = rewrite(uv, '/n ü');
    assert.equal(out, `#!/bin/sh\n# coding: utf-8\n'''exec' "$(printf %b '\\'0057 '\\'0156 '\\'0040 '\\'0303 '\\'0274)" "$0" "$@"\n' '''\nbody\n`);
    const again = head(out);
    assert.ok(again.kind === 'script' && again.prelude.interpreter.kind === 'absolute' && again.prelude.interpreter.path === '/n ü', 'the printf form reads back');
  });
  test('control characters and, in the /bin/sh forms, backslashes are never written', () => {
    assert.match(rewrite('#!/old/python\n', '/new\n/python'), /^REFUSED: .*control character/);
    assert.match(rewrite(`#!/bin/sh\n'''exec' /old/python "$0" "$@"\n' '''\n`, '/new\\x/python'), /^REFUSED: .*backslash/);
  });
  test('the printf form runs under /bin/sh as Python reads it', () => {
    const py = PYTHON;
    const text = `#!/bin/sh\n# coding: utf-8\n'''exec' "$(printf %b '\\'0057)" "$0" "$@"\n' '''\nimport sys\nprint("ok", sys.argv[1:])\n`;
    const h = head(text);
    assert.ok(h.kind === 'script');
    if (h.kind !== 'script') return;
    const r = rewriteInterpreter(Buffer.from(text), h.prelude, py);
    assert.ok(!('reason' in r));
    const f = path.join(tempDir(), 'printf-script');
    fs.writeFileSync(f, (r as { content: Buffer }).content, { mode: 0o755 });
    const ran = launch(f, ['x y']);
    assert.deepEqual([ran.status, ran.stdout], [0, "ok ['x y']\n"], ran.stderr);
  });
});
