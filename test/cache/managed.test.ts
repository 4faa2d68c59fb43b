/**
 * Which directories `epi cache rebuild` may write into (docs/spec.md §5.1): never a project's
 * source tree, never a distro-managed directory outside a virtual environment.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { rebuildMayWriteInto } from '../../src/python/managed.js';
import type { InterpreterInfo } from '../../src/python/interpreter.js';
import { tempDir, writeTree } from '../support/fixtures.js';

const interpreter = (prefix: string, basePrefix: string): InterpreterInfo => ({ prefix, basePrefix }) as InterpreterInfo;

test('rebuild: which directories of a search path get an in-directory cache', () => {
  const root = writeTree(tempDir(), {
    'flat/pyproject.toml': '[project]\nname = "p"\n',
    'legacy/setup.py': '',
    'cfg/setup.cfg': '',
    'proj/pyproject.toml': '',
    'proj/src/pkg/__init__.py': '',
    'usr/lib/python3/os.py': '',
    'usr/lib/python3/EXTERNALLY-MANAGED': '[externally-managed]\n',
    'usr/lib/python3/dist-packages/x.py': '',
    'venv/lib/site-packages/x.py': '',
    'plain/site-packages/x.py': '',
  });
  const at = (p: string): string => path.join(root, p);
  const plain = rebuildMayWriteInto([at('plain/site-packages')], null);
  const rows: Array<[rule: string, may: (d: string) => boolean, dir: string, expected: boolean]> = [
    ['a directory holding pyproject.toml is a project tree', plain, 'flat', false],
    ['a directory holding setup.py is a project tree', plain, 'legacy', false],
    ['a directory holding setup.cfg is a project tree', plain, 'cfg', false],
    ["a src layout's src directory is a project tree (the project file is in its parent)", plain, 'proj/src', false],
    ['a site-packages directory is not', plain, 'plain/site-packages', true],
  ];
  const distro = [at('usr/lib/python3'), at('usr/lib/python3/dist-packages'), at('venv/lib/site-packages')];
  const system = rebuildMayWriteInto(distro, interpreter(at('usr'), at('usr')));
  rows.push(['PEP 668: a distro-managed directory, no virtual environment', system, 'usr/lib/python3/dist-packages', false]);
  const venv = rebuildMayWriteInto(distro, interpreter(at('venv'), at('usr')));
  rows.push(['PEP 668: inside the virtual environment, allowed', venv, 'venv/lib/site-packages', true]);
  rows.push(['PEP 668: the base installation, from a virtual environment, not', venv, 'usr/lib/python3/dist-packages', false]);
  rows.push(['no EXTERNALLY-MANAGED marker: a system directory is allowed', rebuildMayWriteInto([at('plain/site-packages')], interpreter(at('usr'), at('usr'))), 'usr/lib/python3/dist-packages', true]);
  for (const [rule, may, dir, expected] of rows) assert.equal(may(at(dir)), expected, rule);
});
