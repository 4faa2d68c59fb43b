/** The launcher rules as tables: names, shebang forms, quoting, detection, activate rewriting (docs/spec.md "Scripts (launchers)"). */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { planActivateText, type ActivateShell } from '../../src/scripts/activate.js';
import { parseLauncher, parseShellWords } from '../../src/scripts/detect.js';
import { absolutePrelude, fitsPlainShebang, launcherBody, relocatablePrelude, renderLauncher, shellQuote, targetOf, unwritableInterpreterReason } from '../../src/scripts/launcher.js';
import { consoleScriptNames, keywordIn, unsafeNameReason } from '../../src/scripts/names.js';
import { refuseWindows } from '../../src/scripts/scripts.js';
import { tempDir } from '../support/fixtures.js';
import { PYTHON } from '../support/python.js';

const DEST = '/venv/bin';

describe('script names', () => {
  const refused: Array<[string, RegExp]> = [
    ['../x', /separator/],
    ['a/b', /separator/],
    ['/abs/x', /absolute/],
    ['\\\\server\\share', /absolute/],
    ['a\\b', /separator/],
    ['..', /directory/],
    ['.', /directory/],
    ['', /empty/],
    ['x..y', /"\.\."/],
    ['a\0b', /NUL/],
    ['a\nb', /line break/],
    ['a\rb', /line break/],
    ['a\tb', /control character U\+0009/],
    ['a\x7fb', /control character U\+007F/],
    ['C:evil', /drive letter/],
  ];
  for (const [name, why] of refused) {
    test(`${JSON.stringify(name)} is refused: ${why.source}`, () => {
      assert.match(unsafeNameReason(name, DEST) ?? 'accepted', why);
    });
  }
  for (const name of ['black', 'pip3.11', 'py.test', 'with space', '.rst', 'ÜberTool', '-dash', 'x.y.z']) {
    test(`${JSON.stringify(name)} is a file name directly in the destination`, () => {
      assert.equal(unsafeNameReason(name, DEST), null);
    });
  }

  test("pip's rule: a `pip` script becomes pip, pipX, pipX.Y of the target interpreter; other versioned ones are dropped", () => {
    assert.deepEqual(consoleScriptNames(['pip', 'pip3', 'pip3.12', 'pipx', 'other'], [3, 11]).map((n) => `${n.name}<${n.declared}`), ['pip<pip', 'pip3<pip', 'pip3.11<pip', 'pipx<pipx', 'other<other']);
  });
  test('easy_install likewise becomes easy_install and easy_install-X.Y', () => {
    assert.deepEqual(consoleScriptNames(['easy_install-3.6', 'easy_install'], [3, 9]).map((n) => n.name), ['easy_install', 'easy_install-3.9']);
  });
  test('without a `pip` script, pipX names are ordinary', () => {
    assert.deepEqual(consoleScriptNames(['pip3'], [3, 11]).map((n) => n.name), ['pip3']);
  });
  test('a Python keyword in the reference cannot be imported by a launcher', () => {
    assert.equal(keywordIn('pkg.class', 'main'), 'class');
    assert.equal(keywordIn('pkg', 'match'), null, 'soft keywords are identifiers');
  });
});

describe('shebang forms', () => {
  const pad = (n: number): string => '/' + 'x'.repeat(n - '/bin/python'.length - 1) + '/bin/python';
  test('a 124-byte path is the plain #! line (127 bytes with #! and the newline), as pip, uv and installer do', () => {
    assert.equal(pad(124).length, 124);
    assert.equal(fitsPlainShebang(pad(124)), true);
    assert.equal(absolutePrelude(pad(124)), `#!${pad(124)}\n`);
  });
  test("a 125-byte path gets the /bin/sh '''exec' form", () => {
    assert.equal(absolutePrelude(pad(125)), `#!/bin/sh\n'''exec' ${pad(125)} "$0" "$@"\n' '''\n`);
  });
  test('bytes, not characters, count', () => {
    assert.equal(fitsPlainShebang('/' + 'é'.repeat(62)), false); // 125 bytes of UTF-8 + 3
    assert.equal(fitsPlainShebang('/' + 'é'.repeat(61)), true);
  });
  test("a space or a tab gets the /bin/sh form, shell-quoted like shlex.quote", () => {
    assert.equal(absolutePrelude('/my venv/bin/python'), `#!/bin/sh\n'''exec' '/my venv/bin/python' "$0" "$@"\n' '''\n`);
    assert.equal(fitsPlainShebang('/a\tb/python'), false);
  });
  test('shellQuote is shlex.quote', () => {
    const cases = ['plain/path-1.2_x', "it's", 'a b', '', '$HOME', '`x`', '"q"', 'é'];
    const r = spawnSync(PYTHON, ['-c', 'import json, shlex, sys; print(json.dumps([shlex.quote(s) for s in json.loads(sys.argv[1])]))', JSON.stringify(cases)], { encoding: 'utf8' });
    assert.deepEqual(cases.map(shellQuote), JSON.parse(r.stdout));
  });
  test('interpreter paths with control characters are never written; a backslash only in the plain form', () => {
    assert.match(unwritableInterpreterReason('/a\nb/python', 'plain') ?? '', /control/);
    assert.equal(unwritableInterpreterReason('/a\\b/python', 'plain'), null);
    assert.match(unwritableInterpreterReason('/a\\b/python', 'shell') ?? '', /backslash/);
  });
  test('the relocatable prelude uses neither realpath nor dirname, and Python reads its shell lines as one string', () => {
    const p = relocatablePrelude('../other dir/python3');
    assert.doesNotMatch(p, /realpath|dirname|\\/);
    assert.doesNotMatch(p.slice(p.indexOf("'''") + 3, p.lastIndexOf("'''")), /'''/);
    assert.match(p, /exec "\$d"\/'\.\.\/other dir\/python3' "\$0" "\$@"\n' '''\n$/);
  });
});

/** Launchers as the real tools write them (captured from pip 23.2.1, pip 26.3, uv 0.13, installer 1.1). */
const BODY_DISTLIB = "# -*- coding: utf-8 -*-\nimport re\nimport sys\nfrom demo import main\nif __name__ == '__main__':\n    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])\n    sys.exit(main())\n";
const BODY_PIP26 = "import sys\nfrom demo import main\nif __name__ == '__main__':\n    sys.argv[0] = sys.argv[0].removesuffix('.exe')\n    sys.exit(main())\n";
const BODY_INSTALLER = '# -*- coding: utf-8 -*-\nimport re\nimport sys\nfrom demo import Obj\nif __name__ == "__main__":\n    sys.argv[0] = re.sub(r"(-script\\.pyw|\\.exe)?$", "", sys.argv[0])\n    sys.exit(Obj.Inner.m())\n';
const BODY_UV = '# -*- coding: utf-8 -*-\nimport sys\nfrom demo import main\nif __name__ == "__main__":\n    if sys.argv[0].endswith("-script.pyw"):\n        sys.argv[0] = sys.argv[0][:-11]\n    elif sys.argv[0].endswith(".exe"):\n        sys.argv[0] = sys.argv[0][:-4]\n    sys.exit(main())\n';
const BODY_OLD_DISTLIB = "# -*- coding: utf-8 -*-\nimport re\nimport sys\n\nfrom pip._internal import main\n\nif __name__ == '__main__':\n    sys.argv[0] = re.sub(r'(-script\\.pyw?|\\.exe)?$', '', sys.argv[0])\n    sys.exit(main())\n";
const BODY_SETUPTOOLS = "# EASY-INSTALL-ENTRY-SCRIPT: 'Legacy-Dev','console_scripts','legacy-dev'\nimport re\nimport sys\n__requires__ = 'Legacy-Dev'\n";

describe('detection', () => {
  const known: Array<[string, string, string, string | null]> = [
    ['pip (distlib) plain', `#!/v/bin/python\n${BODY_DISTLIB}`, 'pip', 'demo:main'],
    ['pip 26 plain', `#!/v/bin/python\n${BODY_PIP26}`, 'pip', 'demo:main'],
    ['pip (distlib) with a space', `#!/bin/sh\n'''exec' "/my v/bin/python" "$0" "$@"\n' '''\n${BODY_PIP26}`, 'pip', 'demo:main'],
    ['pip (distlib) long path, unquoted', `#!/bin/sh\n'''exec' /${'l'.repeat(130)}/bin/python "$0" "$@"\n' '''\n${BODY_DISTLIB}`, 'pip', 'demo:main'],
    ['old distlib with blank lines and pyw?', `#!/v/bin/python\n${BODY_OLD_DISTLIB}`, 'pip', 'pip._internal:main'],
    ['pypa/installer', `#!/v/bin/python\n${BODY_INSTALLER}`, 'installer', 'demo:Obj.Inner.m'],
    ['uv', `#!/v/bin/python\n${BODY_UV}`, 'uv', 'demo:main'],
    ['uv with a space', `#!/bin/sh\n'''exec' '/my v/bin/python' "$0" "$@"\n' '''\n${BODY_UV}`, 'uv', 'demo:main'],
    ['uv --relocatable', `#!/bin/sh\n'''exec' "$(dirname -- "$(realpath -- "$0")")"/'python' "$0" "$@"\n' '''\n${BODY_UV}`, 'uv', 'demo:main'],
    ['setuptools easy_install', `#!/v/bin/python\n${BODY_SETUPTOOLS}`, 'setuptools', null],
  ];
  for (const [what, text, writer, runs] of known) {
    test(`${what} is a known launcher written by ${writer}`, () => {
      const l = parseLauncher(Buffer.from(text));
      assert.equal(l.kind, 'launcher', (l as { why?: string }).why);
      if (l.kind !== 'launcher') return;
      assert.equal(l.writer, writer);
      assert.equal(l.target ? `${l.target.module}:${l.target.call}` : null, runs);
      assert.equal(l.prelude + l.body, text);
    });
  }
  test('interpreters: plain, quoted, uv relocatable, env', () => {
    const interp = (t: string): unknown => (parseLauncher(Buffer.from(t)) as { interpreter?: unknown }).interpreter;
    assert.deepEqual(interp(`#!/v/bin/python -s\n${BODY_UV}`), { kind: 'absolute', path: '/v/bin/python', args: ['-s'] });
    assert.deepEqual(interp(`#!/bin/sh\n'''exec' '/it'"'"'s/python' "$0" "$@"\n' '''\n${BODY_UV}`), { kind: 'absolute', path: "/it's/python", args: [] });
    assert.deepEqual(interp(`#!/bin/sh\n'''exec' "$(dirname -- "$(realpath -- "$0")")"/'python' "$0" "$@"\n' '''\n${BODY_UV}`), { kind: 'relative', relative: 'python', resolver: 'uv-realpath' });
    assert.deepEqual(interp(`#!/usr/bin/env python3\n${BODY_UV}`), { kind: 'command', text: '/usr/bin/env python3' });
  });
  const foreign: Array<[string, string]> = [
    ['no #! line', BODY_UV],
    ['a binary', '\x7fELF\0\0'],
    ['a shell script', '#!/bin/sh\necho hi\n'],
    ['an extra statement', `#!/v/bin/python\n${BODY_UV}print("pwned")\n`],
    ['an extra import', `#!/v/bin/python\nimport os\n${BODY_UV}`],
    ['a call of something not imported', `#!/v/bin/python\n${BODY_UV.replace('sys.exit(main())', 'sys.exit(other())')}`],
    ['an exec line that expands a variable', `#!/bin/sh\n'''exec' "$HOME/python" "$0" "$@"\n' '''\n${BODY_UV}`],
    ["epindex's marker on another tool's body", `#!/v/bin/python\n# Launcher written by epindex: {"group":"console_scripts","name":"d","value":"demo:main","dist":null}\n${BODY_PIP26}`],
    ['invalid UTF-8', '#!/v/bin/python\n\xff\n'],
  ];
  for (const [what, text] of foreign) {
    test(`${what} is foreign`, () => {
      assert.equal(parseLauncher(Buffer.from(text, what === 'invalid UTF-8' ? 'latin1' : 'utf8')).kind, 'foreign');
    });
  }
  test('shell words: only literal text, nothing that expands', () => {
    assert.deepEqual(parseShellWords(`'a b' "c\\"d" e`), ['a b', 'c"d', 'e']);
    assert.equal(parseShellWords('$(x)'), null);
    assert.equal(parseShellWords('"$x"'), null);
    assert.equal(parseShellWords('a;b'), null);
  });

  const ident = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,8}$/).filter((s) => keywordIn(s, 'x') === null);
  const dotted = fc.array(ident, { minLength: 1, maxLength: 3 }).map((a) => a.join('.'));
  const interpreter = fc.array(fc.stringMatching(/^[A-Za-z0-9 ._'é-]{1,40}$/), { minLength: 1, maxLength: 5 }).map((a) => '/' + a.join('/'));
  test('every launcher epindex renders is recognised as its own, with what it runs and its interpreter (property)', () => {
    fc.assert(
      fc.property(dotted, dotted, interpreter, fc.boolean(), fc.string({ maxLength: 20 }), (module, attr, interp, relocatable, name) => {
        const target = targetOf(module, attr);
        const form = relocatable ? ({ kind: 'relocatable', relative: interp.slice(1) } as const) : ({ kind: 'absolute', path: interp } as const);
        const text = renderLauncher(form, target, { group: 'console_scripts', name, value: `${module}:${attr}`, dist: name });
        const l = parseLauncher(Buffer.from(text));
        assert.equal(l.kind, 'launcher');
        if (l.kind !== 'launcher') return;
        assert.equal(l.writer, 'epindex');
        assert.deepEqual(l.target, target);
        assert.equal(l.marker?.name, name);
        assert.deepEqual(l.interpreter, relocatable ? { kind: 'relative', relative: interp.slice(1), resolver: 'epindex' } : { kind: 'absolute', path: interp, args: [] });
      }),
      { seed: 11, numRuns: 300 },
    );
  });
  test('no marker content can end the comment: names and distributions with line breaks stay inside it', () => {
    const body = launcherBody(targetOf('m', 'f'), { group: 'console_scripts', name: 'x\nimport os; os.system("boom")', value: 'm:f', dist: 'd\r\u2028' });
    const plain = launcherBody(targetOf('m', 'f'), { group: 'console_scripts', name: 'x', value: 'm:f', dist: 'd' });
    assert.equal(body.split('\n').length, plain.split('\n').length);
    assert.equal(parseLauncher(Buffer.from(`#!/p\n${body}`)).kind, 'launcher');
  });
});

describe('activate scripts', () => {
  const OLD = '/old/venv';
  const NEW = '/new/place/venv';
  const cases: Array<[string, ActivateShell, string, string]> = [
    ['venv 3.9–3.12 bash', 'sh', `VIRTUAL_ENV="${OLD}"\nexport VIRTUAL_ENV\nPS1="(venv) \${PS1:-}"\n`, `VIRTUAL_ENV="${NEW}"\nexport VIRTUAL_ENV\nPS1="(venv) \${PS1:-}"\n`],
    ['venv 3.13 bash (cygpath and export)', 'sh', `    VIRTUAL_ENV=$(cygpath "${OLD}")\nelse\n    export VIRTUAL_ENV="${OLD}"\nfi\n`, `    VIRTUAL_ENV=$(cygpath "${NEW}")\nelse\n    export VIRTUAL_ENV="${NEW}"\nfi\n`],
    ['uv bash', 'sh', `VIRTUAL_ENV='${OLD}'\nif [ x ]; then\n    VIRTUAL_ENV=$(cygpath -u "$VIRTUAL_ENV")\nfi\n`, `VIRTUAL_ENV='${NEW}'\nif [ x ]; then\n    VIRTUAL_ENV=$(cygpath -u "$VIRTUAL_ENV")\nfi\n`],
    ['virtualenv bash (bare words)', 'sh', `if [ ! -d ${OLD} ]; then\n  echo "dir" ${OLD} "gone"\nelse\n  VIRTUAL_ENV=${OLD}\nfi\n`, `if [ ! -d ${NEW} ]; then\n  echo "dir" ${NEW} "gone"\nelse\n  VIRTUAL_ENV=${NEW}\nfi\n`],
    ['venv fish', 'fish', `set -gx VIRTUAL_ENV "${OLD}"\n`, `set -gx VIRTUAL_ENV "${NEW}"\n`],
    ['venv csh', 'csh', `setenv VIRTUAL_ENV "${OLD}"\nsetenv PATH "$VIRTUAL_ENV/bin:$PATH"\n`, `setenv VIRTUAL_ENV "${NEW}"\nsetenv PATH "$VIRTUAL_ENV/bin:$PATH"\n`],
    ['virtualenv csh', 'csh', `source '${OLD}'"/"'bin'"/deactivate.csh"\nset _virtualenv_dir='${OLD}'\n`, `source '${NEW}'"/"'bin'"/deactivate.csh"\nset _virtualenv_dir='${NEW}'\n`],
    ['uv nu', 'nu', `    const virtual_env = '${OLD}'\n`, `    const virtual_env = '${NEW}'\n`],
    ['virtualenv nu (raw string)', 'nu', `    let virtual_env = r#'${OLD}'#\n`, `    let virtual_env = r#'${NEW}'#\n`],
  ];
  for (const [what, shell, before, after] of cases) {
    test(`${what}: the old location is rewritten, nothing else`, () => {
      const p = planActivateText(before, shell, NEW);
      assert.equal(p.action, 'rewrite', p.reason);
      assert.equal(p.content, after);
      assert.equal(p.oldPath, OLD);
    });
  }
  const left: Array<[string, ActivateShell, string, string, RegExp]> = [
    ['relocatable (uv --relocatable)', 'sh', `VIRTUAL_ENV=''"$(dirname -- "$(dirname -- "$(realpath -- "$SCRIPT_PATH")")")"''\n`, NEW, /no hard-coded location/],
    ['Activate.ps1', 'powershell', `$VenvDir = $PSScriptRoot\n`, NEW, /own location/],
    ['two different locations', 'sh', `VIRTUAL_ENV="${OLD}"\nexport VIRTUAL_ENV="/else"\n`, NEW, /ambiguous/],
    ['the old path inside a longer word', 'sh', `VIRTUAL_ENV="${OLD}"\nOTHER=${OLD}2\n`, NEW, /longer word/],
    ['a new location that needs quoting in a bare word', 'sh', `VIRTUAL_ENV=${OLD}\n`, '/new place', /quoting/],
    ['a new location with a quote', 'fish', `set -gx VIRTUAL_ENV '${OLD}'\n`, "/it's", /quoting/],
    ['a value that expands', 'sh', `VIRTUAL_ENV="$HOME/venv"\n`, NEW, /no hard-coded/],
  ];
  for (const [what, shell, text, root, why] of left) {
    test(`${what} is left alone`, () => {
      const p = planActivateText(text, shell, root);
      assert.equal(p.action, 'left');
      assert.match(p.reason, why);
    });
  }
  test('a file that already names this environment is unchanged', () => {
    assert.equal(planActivateText(`VIRTUAL_ENV="${NEW}"\n`, 'sh', NEW).action, 'unchanged');
  });
});

describe('Windows', () => {
  test('every scripts command refuses on Windows, before looking at anything', () => {
    assert.throws(() => refuseWindows('win32'), /Windows launchers .* out of scope/);
    assert.doesNotThrow(() => refuseWindows('linux'));
    assert.doesNotThrow(() => refuseWindows('darwin'));
  });
});

describe('launchers on every CPython of the machine', () => {
  // The body and both preludes, run by each interpreter directly (no venv needed).
  const root = tempDir();
  fs.writeFileSync(path.join(root, 'epifix_rules.py'), 'import sys\ndef main():\n    print(sys.argv[1:])\n    return 4\n');
  const pyenv = spawnSync('pyenv', ['root'], { encoding: 'utf8' });
  const found = pyenv.status === 0 ? fs.readdirSync(path.join(pyenv.stdout.trim(), 'versions')).filter((v) => /^3\.(9|1\d)\./.test(v)).map((v) => path.join(pyenv.stdout.trim(), 'versions', v, 'bin', 'python3')) : [];
  for (const python of [PYTHON, ...found].filter((p, i, a) => fs.existsSync(p) && a.indexOf(p) === i)) {
    for (const relocatable of [false, true]) {
      test(`${python}: ${relocatable ? 'relocatable' : 'plain'} launcher passes arguments and exits with the return value`, () => {
        const dir = fs.mkdtempSync(path.join(root, 'l-'));
        const file = path.join(dir, 'tool');
        const form = relocatable ? ({ kind: 'relocatable', relative: path.relative(dir, python) } as const) : ({ kind: 'absolute', path: python } as const);
        fs.writeFileSync(file, renderLauncher(form, targetOf('epifix_rules', 'main'), { group: 'console_scripts', name: 'tool', value: 'epifix_rules:main', dist: null }), { mode: 0o755 });
        const r = spawnSync(file, ['a b', 'c'], { encoding: 'utf8', env: { ...process.env, PYTHONPATH: root, PYTHONWARNINGS: 'error' } });
        assert.equal(r.stderr, '');
        assert.equal(r.stdout, "['a b', 'c']\n");
        assert.equal(r.status, 4);
      });
    }
  }
});
