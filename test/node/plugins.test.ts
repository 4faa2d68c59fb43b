/**
 * Host helpers (docs/spec.md "Host helpers", TypeScript): once and lazily, order, failure
 * isolation for each failure kind, strict mode, the block list, the autoload switch; and a set
 * of 100 plugins.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { before, describe, test } from 'node:test';
import { plugins, type PluginFailure } from '../../src/node/plugins.js';
import { isEntryPointLoadError } from '../../src/node/errors.js';
import { tempDir, writeTree, type Tree } from '../support/fixtures.js';
import { nodeModules, pkg } from './support.js';

const G = 'test.hosts';
let root: string;
const lookup = (): { from: string; nodePath: false; globalFolders: false } => ({ from: root, nodePath: false, globalFolders: false });
/** Each plugin module counts its imports here. */
const counter = (id: string): string => `globalThis.__epindexLoads = globalThis.__epindexLoads || {}; globalThis.__epindexLoads[${JSON.stringify(id)}] = (globalThis.__epindexLoads[${JSON.stringify(id)}] || 0) + 1;\n`;
const loads = (): Record<string, number> => ((globalThis as { __epindexLoads?: Record<string, number> }).__epindexLoads ??= {});

before(() => {
  process.env['EPINDEX_CACHE_DIR'] = path.join(tempDir(), 'cache');
  root = tempDir();
  const esm = (name: string, body: string, ep: Record<string, string>): Tree => pkg(name, { type: 'module', exports: './index.js', eps: { [G]: ep }, files: { 'index.js': counter(name) + body } });
  writeTree(path.join(root, 'node_modules'), nodeModules({
    zeta: esm('zeta', 'export default { id: "zeta" };', { zeta: '.:default' }),
    alpha: esm('alpha', 'export default { id: "alpha" };', { alpha: '.:default' }),
    early: esm('early', 'export default { id: "early", order: -5 };', { early: '.:default' }),
    late: esm('late', 'export default { id: "late", order: 10 };', { late: '.:default' }),
    odd: esm('odd', 'export default { id: "odd", order: "first" };', { odd: '.:default' }),
    'no-module': pkg('no-module', { eps: { [G]: { noModule: './gone.js' } } }),
    'no-attr': esm('no-attr', 'export const here = 1;', { noAttr: '.:missing' }),
    raises: esm('raises', 'throw new Error("boom at import");', { raises: '.' }),
    invalid: pkg('invalid', { eps: { [G]: { invalid: 'not-a-target' } } }),
    blockme: esm('blockme', 'export default { id: "blockme" };', { blockme: '.:default' }),
  }));
});

const quiet = { onWarning: (): void => {} };

describe('host helpers', () => {
  test('constructing a set reads and imports nothing; the first access loads every plugin once', async () => {
    const dir = tempDir();
    const set = plugins<{ id: string }>('test.lazy', { from: dir, nodePath: false, globalFolders: false, ...quiet });
    // Installed after the set was made: still found, because nothing was read yet.
    writeTree(path.join(dir, 'node_modules'), nodeModules({ lazy: pkg('lazy', { type: 'module', exports: './i.js', eps: { 'test.lazy': { lazy: '.:default' } }, files: { 'i.js': counter('lazy') + 'export default { id: "lazy" };' } }) }));
    assert.equal(loads()['lazy'], undefined);
    const [a, b] = await Promise.all([set.loaded(), set.get('lazy')]);
    assert.deepEqual([a.map((p) => p.object.id), b?.id], [['lazy'], 'lazy']);
    await set.failures();
    for await (const p of set) assert.equal(p.name, 'lazy');
    assert.equal(loads()['lazy'], 1);
    assert.equal(await set.ready(), await set.ready(), 'one load per set');
  });

  test('order: a finite numeric `order` on the object (default 0), then name, then search order', async () => {
    const set = plugins<{ id: string }>(G, { ...lookup(), ...quiet });
    assert.deepEqual((await set.loaded()).map((p) => p.name), ['early', 'alpha', 'blockme', 'odd', 'zeta', 'late']);
  });

  test('each failure is recorded with package, group, name, value and error; the others load', async () => {
    const set = plugins(G, { ...lookup(), ...quiet });
    const f = await set.failures();
    const by = Object.fromEntries(f.map((x) => [x.name, x]));
    assert.deepEqual(Object.keys(by), ['invalid', 'noAttr', 'noModule', 'raises']);
    assert.equal(by['noModule']!.error.stage, 'resolve'); // import error: the module is not there
    assert.equal(by['noAttr']!.error.stage, 'export'); // missing attribute
    assert.equal(by['raises']!.error.stage, 'import'); // exception during import
    assert.match(String((by['raises']!.error.cause as Error).message), /boom at import/);
    assert.equal(by['invalid']!.error.stage, 'target'); // an invalid value
    assert.deepEqual([by['raises']!.distribution, by['raises']!.group, by['raises']!.value], [{ name: 'raises', version: '1.0.0' }, G, '.']);
    assert.equal((await set.loaded()).length, 6);
  });

  test('one warning per failure, through onWarning', async () => {
    const seen: PluginFailure[] = [];
    await plugins(G, { ...lookup(), onWarning: (x) => seen.push(x) }).ready();
    assert.deepEqual(seen.map((x) => x.name), ['invalid', 'noAttr', 'noModule', 'raises']);
  });

  test('the default warning is process.emitWarning of type EpindexWarning', async () => {
    const got: Error[] = [];
    const listener = (w: Error): void => void got.push(w);
    process.on('warning', listener);
    try {
      await plugins(G, lookup()).ready();
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off('warning', listener);
    }
    const ours = got.filter((w) => w.name === 'EpindexWarning');
    assert.equal(ours.length, 4);
    assert.match(ours[0]!.message, /"invalid" of group "test\.hosts"/);
  });

  test('strict throws the first failure (in plugin order) as an EntryPointLoadError with its cause', async () => {
    const set = plugins(G, { ...lookup(), strict: true });
    await assert.rejects(set.loaded(), (e: unknown) => isEntryPointLoadError(e) && e.entryPoint === 'invalid' && e.cause instanceof Error);
    await assert.rejects(set.get('alpha'), 'later accesses see the same failure');
  });

  test('strict succeeds when nothing fails', async () => {
    const set = plugins<{ id: string }>(G, { ...lookup(), strict: true, block: ['invalid', 'noAttr', 'noModule', 'raises'] });
    assert.equal((await set.loaded()).length, 6);
  });

  test('blocked entry points are not imported and are listed', async () => {
    const before = loads()['blockme'] ?? 0;
    const set = plugins(G, { ...lookup(), ...quiet, block: ['blockme'] });
    assert.deepEqual((await set.blocked()).map((e) => e.name), ['blockme']);
    assert.equal(await set.get('blockme'), undefined);
    // Imported by earlier tests at most once (one module record per process); this set added none.
    assert.equal(loads()['blockme'] ?? 0, before);
  });

  test('a set whose first plugins are blocked or broken still loads the rest', async () => {
    const set = plugins<{ id: string }>(G, { ...lookup(), ...quiet, block: ['alpha', 'early'] });
    assert.deepEqual((await set.loaded()).map((p) => p.object.id), ['blockme', 'odd', 'zeta', 'late']);
  });

  for (const [value, disabled] of [['1', true], ['yes', true], ['0', false], ['', false]] as const) {
    test(`the autoload switch set to "${value}" ${disabled ? 'loads nothing and says why' : 'changes nothing'}`, async () => {
      process.env['MYHOST_NO_PLUGINS'] = value;
      try {
        const state = await plugins(G, { ...lookup(), ...quiet, disableEnv: 'MYHOST_NO_PLUGINS' }).ready();
        assert.equal(state.loaded.length === 0, disabled);
        assert.equal(state.disabled === null, !disabled);
        if (disabled) assert.match(state.disabled!, /MYHOST_NO_PLUGINS=/);
      } finally {
        delete process.env['MYHOST_NO_PLUGINS'];
      }
    });
  }

  test('the default switch is EPINDEX_DISABLE_AUTOLOAD', async () => {
    process.env['EPINDEX_DISABLE_AUTOLOAD'] = '1';
    try {
      assert.equal((await plugins(G, lookup()).loaded()).length, 0);
    } finally {
      delete process.env['EPINDEX_DISABLE_AUTOLOAD'];
    }
  });

  test('reload() looks the group up again', async () => {
    const dir = tempDir();
    const set = plugins('test.reload', { from: dir, nodePath: false, globalFolders: false, ...quiet });
    assert.equal((await set.loaded()).length, 0);
    writeTree(path.join(dir, 'node_modules'), nodeModules({ r: pkg('r', { eps: { 'test.reload': { r: './r.js' } }, files: { 'r.js': 'module.exports = 1;' } }) }));
    assert.equal((await set.loaded()).length, 0, 'loaded once: the set keeps its result');
    assert.equal((await set.reload()).loaded.length, 1);
  });

  test('100 plugins load, in order, each once', async () => {
    const dir = tempDir();
    const many: Record<string, Tree> = {};
    for (let i = 0; i < 100; i++) {
      const name = `@many/plugin-${String(i).padStart(3, '0')}`;
      const body = i % 2 === 0
        ? { type: 'module' as const, exports: './index.js', files: { 'index.js': counter(name) + `export default { i: ${i}, order: ${99 - i} };` } }
        : { files: { 'index.js': counter(name) + `module.exports = { i: ${i}, order: ${99 - i} };` } };
      many[name] = pkg(name, { ...body, eps: { 'test.many': { [`p${i}`]: '.:default' } } });
    }
    writeTree(path.join(dir, 'node_modules'), nodeModules(many));
    const set = plugins<{ i: number }>('test.many', { from: dir, nodePath: false, globalFolders: false });
    const loaded = await set.loaded();
    assert.equal(loaded.length, 100);
    assert.deepEqual(loaded.map((p) => p.object.i), Array.from({ length: 100 }, (_, k) => 99 - k));
    assert.equal((await set.failures()).length, 0);
    assert.ok(Object.keys(many).every((n) => loads()[n] === 1));
  });
});
