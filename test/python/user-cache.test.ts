/**
 * Both sides find the same user cache (docs/spec.md §5.1): the same root for the same
 * environment ($EPINDEX_CACHE_DIR, an absolute $XDG_CACHE_HOME, a relative one ignored as the
 * XDG spec says, none), and the same key, the SHA-256 of the path's bytes (os.fsencode), for
 * ASCII, non-ASCII and not-UTF-8 directory names.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { test } from 'node:test';
import { userCacheRoot, userLocation } from '../../src/cache/location.js';
import { PYTHON } from '../support/python.js';
import { PYTHON_SRC } from './interpreters.js';

function python(code: string, env: NodeJS.ProcessEnv, stdin = ''): string {
  const clean: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['EPINDEX_CACHE_DIR', 'XDG_CACHE_HOME']) delete clean[k];
  const r = spawnSync(PYTHON, ['-c', code], { encoding: 'utf8', input: stdin, env: { ...clean, ...env, PYTHONPATH: PYTHON_SRC, PYTHONDONTWRITEBYTECODE: '1' } });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

const HOME = '/home/someone';
const roots: [string, NodeJS.ProcessEnv, string][] = [
  ['$EPINDEX_CACHE_DIR wins', { HOME, EPINDEX_CACHE_DIR: '/var/cache/epi', XDG_CACHE_HOME: '/xdg' }, '/var/cache/epi'],
  ['an absolute $XDG_CACHE_HOME is used', { HOME, XDG_CACHE_HOME: '/xdg' }, '/xdg/epindex'],
  ['a relative $XDG_CACHE_HOME is ignored', { HOME, XDG_CACHE_HOME: 'relative/cache' }, `${HOME}/.cache/epindex`],
  ['a "." $XDG_CACHE_HOME is ignored', { HOME, XDG_CACHE_HOME: '.' }, `${HOME}/.cache/epindex`],
  ['an empty $XDG_CACHE_HOME is ignored', { HOME, XDG_CACHE_HOME: '' }, `${HOME}/.cache/epindex`],
  ['no $XDG_CACHE_HOME', { HOME }, `${HOME}/.cache/epindex`],
];

for (const [name, env, expected] of roots) {
  test(`user cache root: ${name}, on both sides`, { skip: process.platform !== 'linux' && 'the XDG rules are the Linux root' }, () => {
    assert.equal(userCacheRoot(env), expected);
    assert.equal(python('from epindex._userroot import configured_root; print(configured_root()[0])', env).trim(), expected);
  });
}

test('user cache key: the SHA-256 of the path\'s bytes, the same on both sides', () => {
  const root = '/tmp/epindex-root';
  // ASCII, non-ASCII (NFC and NFD spellings are different bytes, so different keys), and a name
  // that is not UTF-8 on disk (os.fsdecode's lone surrogates).
  const dirs = ['/srv/site-packages', '/srv/caf\u00e9/\u00fcber/site-packages', '/srv/cafe\u0301/site-packages', '/srv/bad\udcff\udcfe/site-packages'];
  const fromPython = JSON.parse(python(
    `import json, sys; from epindex._cache import user_location\nprint(json.dumps([user_location(d, ${JSON.stringify(root)}).file for d in json.load(sys.stdin)]))`,
    {},
    JSON.stringify(dirs),
  )) as string[];
  const fromTypeScript = dirs.map((d) => userLocation(root, d).file);
  assert.deepEqual(fromPython, fromTypeScript);
  assert.equal(new Set(fromTypeScript).size, dirs.length);
  for (const f of fromTypeScript) assert.match(path.basename(f), /^[0-9a-f]{40}\.jsonl$/);
  // The bytes themselves, not a UTF-8 spelling of the surrogates: 0xFF 0xFE as on disk.
  const bytes = Buffer.concat([Buffer.from('/srv/bad'), Buffer.from([0xff, 0xfe]), Buffer.from('/site-packages')]);
  assert.equal(path.basename(fromTypeScript[3]!), `${createHash('sha256').update(bytes).digest('hex').slice(0, 40)}.jsonl`);
  assert.equal(path.basename(fromTypeScript[1]!), `${createHash('sha256').update(Buffer.from(dirs[1]!, 'utf8')).digest('hex').slice(0, 40)}.jsonl`);
});
