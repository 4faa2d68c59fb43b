/**
 * Loading npm entry points: ESM and CommonJS, `exports` and its conditions, export paths, and
 * every way a load can fail (each an EntryPointLoadError with package, group, name, target and
 * the original error as `cause`).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, test } from 'node:test';
import { entryPoints } from '../../src/node/environment.js';
import { isEntryPointLoadError, type EntryPointLoadError } from '../../src/node/errors.js';
import { tempDir, writeTree } from '../support/fixtures.js';
import { nodeModules, pkg } from './support.js';

const G = 'test.load';
let root: string;
let cacheDir: string;

before(() => {
  root = tempDir();
  // The resolver modules go to the user cache: a throwaway one.
  cacheDir = path.join(tempDir(), 'cache');
  process.env['EPINDEX_CACHE_DIR'] = cacheDir;
  writeTree(path.join(root, 'node_modules'), nodeModules({
    esm: pkg('esm', {
      type: 'module',
      exports: { '.': './index.js', './extra': './lib/extra.js' },
      eps: { [G]: { ns: '.', def: '.:default', named: '.:tools.format', extra: './extra:answer' } },
      files: { 'index.js': 'export default { kind: "esm-default" };\nexport const tools = { format: (s) => `[${s}]` };\n', 'lib/extra.js': 'export const answer = 42;\n' },
    }),
    dual: pkg('dual', {
      exports: { '.': { import: './m.mjs', require: './c.cjs' }, './only-esm': { import: './o.mjs' } },
      eps: { [G]: { dual: '.:default', onlyEsm: './only-esm:x' } },
      files: { 'm.mjs': 'export default "esm build";\n', 'c.cjs': 'module.exports = "cjs build";\n', 'o.mjs': 'export const x = "only esm";\n' },
    }),
    cjs: pkg('cjs', {
      main: 'lib/main.js',
      eps: { [G]: { main: '.:create', probed: './lib/other:value', late: '.:late' } },
      files: {
        'lib/main.js': 'exports.create = () => "made";\nObject.defineProperty(module.exports, "late", { enumerable: true, get: () => "defined late" });\n',
        'lib/other.js': 'module.exports = { value: "probed .js" };\n',
      },
    }),
    '@scope/plug': pkg('@scope/plug', { type: 'module', exports: './p.js', eps: { [G]: { scoped: '.:default' } }, files: { 'p.js': 'export default "scoped";\n' } }),
    broken: pkg('broken', {
      type: 'module',
      exports: { '.': './index.js', './throws': './throws.js', './missing': './nope.js' },
      eps: {
        [G]: {
          notExported: './secret:x',
          throws: './throws',
          missingFile: './missing',
          missingExport: '.:nothing',
          missingDeep: '.:a.b.c',
          invalid: 'lodash:x',
        },
      },
      files: { 'index.js': 'export const a = { b: {} };\n', 'throws.js': 'throw new TypeError("plugin exploded");\n', 'secret.js': 'export const x = 1;\n' },
    }),
    nofile: pkg('nofile', { eps: { [G]: { nofile: './absent:x' } } }),
  }));
});

const load = async (name: string, extra: Record<string, unknown> = {}): Promise<unknown> => {
  const eps = await entryPoints({ group: G, name, from: root, nodePath: false, globalFolders: false, ...extra });
  assert.equal(eps.length, 1, `entry point ${name} found`);
  return eps.at(0)!.load();
};

const failure = async (name: string): Promise<EntryPointLoadError> => {
  try {
    await load(name);
  } catch (e) {
    assert.ok(isEntryPointLoadError(e), `an EntryPointLoadError, not ${String(e)}`);
    return e;
  }
  assert.fail(`${name} loaded`);
};

describe('npm loading', () => {
  test('"." without an export path is the module namespace', async () => {
    const ns = (await load('ns')) as Record<string, unknown>;
    assert.deepEqual(Object.keys(ns).sort(), ['default', 'tools']);
  });
  test('":default" is the default export', async () => assert.deepEqual(await load('def'), { kind: 'esm-default' }));
  test('the export path is walked property by property', async () => assert.equal((await load('named') as (s: string) => string)('x'), '[x]'));
  test('a subpath resolves through exports', async () => assert.equal(await load('extra'), 42));
  test('exports conditions are the import ones: a dual package gives its ES module build', async () => assert.equal(await load('dual'), 'esm build'));
  test('a subpath exported only under "import" resolves', async () => assert.equal(await load('onlyEsm'), 'only esm'));
  test('CommonJS: "." is main, named exports come from module.exports', async () => assert.equal((await load('main') as () => string)(), 'made'));
  test('without exports a subpath is a file relative to the package root, probed as require does', async () => assert.equal(await load('probed'), 'probed .js'));
  test('CommonJS: a property the export detection missed is taken from module.exports', async () => assert.equal(await load('late'), 'defined late'));
  test('a scoped package loads by its scoped name', async () => assert.equal(await load('scoped'), 'scoped'));
  test('the same module object as a plain import of the resolved file', async () => {
    const eps = await entryPoints({ group: G, name: 'def', from: root, nodePath: false, globalFolders: false });
    const url = await eps.at(0)!.resolve();
    assert.ok(url.startsWith('file:'), url);
    assert.equal((await import(url)).default, await eps.at(0)!.load());
  });
  test('without a usable cache directory the package resolves itself (its exports, require conditions)', async () => {
    const file = path.join(tempDir(), 'a-file');
    fs.writeFileSync(file, '');
    // A directory this process has not resolved from yet (resolvers are kept per directory).
    const other = tempDir();
    writeTree(path.join(other, 'node_modules'), nodeModules({
      fb: pkg('fb', { exports: { '.': './i.js', './sub': { import: './s.mjs', default: './s.cjs' } }, eps: { [G]: { sub: './sub:which' } }, files: { 'i.js': '', 's.mjs': 'export const which = "esm";\n', 's.cjs': 'exports.which = "cjs";\n' } }),
    }));
    process.env['EPINDEX_CACHE_DIR'] = path.join(file, 'below-a-file');
    try {
      const eps = await entryPoints({ group: G, name: 'sub', from: other, nodePath: false, globalFolders: false });
      assert.equal(await eps.at(0)!.load(), 'cjs');
    } finally {
      process.env['EPINDEX_CACHE_DIR'] = cacheDir;
    }
  });

  test('paths with "#", "%" and spaces load (file URLs, not paths, are imported)', async () => {
    const odd = path.join(tempDir(), 'dir with #hash, %41 and spaces');
    writeTree(path.join(odd, 'node_modules'), nodeModules({
      odd: pkg('odd', { type: 'module', exports: './i.js', eps: { [G]: { odd: '.:default' } }, files: { 'i.js': 'export default "odd";\n' } }),
      'odd-cjs': pkg('odd-cjs', { eps: { [G]: { oddCjs: './x:default' } }, files: { 'x.js': 'module.exports = "odd cjs";\n' } }),
    }));
    const eps = await entryPoints({ group: G, from: odd, nodePath: false, globalFolders: false });
    assert.deepEqual((await Promise.all(eps.toArray().map((e) => e.load()))).sort(), ['odd', 'odd cjs']);
  });
  test('a subpath the package does not export fails at resolve with Node\'s error as cause', async () => {
    const e = await failure('notExported');
    assert.equal(e.stage, 'resolve');
    assert.equal((e.cause as { code?: string }).code, 'ERR_PACKAGE_PATH_NOT_EXPORTED');
  });
  test('an exception during import fails at import with that exception as cause', async () => {
    const e = await failure('throws');
    assert.equal(e.stage, 'import');
    assert.ok(e.cause instanceof TypeError && e.cause.message === 'plugin exploded');
  });
  test('an exported file that does not exist fails at resolve, naming the file in the node_modules searched (never a cache path)', async () => {
    const e = await failure('missingFile');
    assert.equal(e.stage, 'resolve');
    assert.equal((e.cause as { code?: string }).code, 'ERR_MODULE_NOT_FOUND');
    assert.equal((e.cause as Error).message, `${path.join(root, 'node_modules', 'broken', 'nope.js')} does not exist ("broken/missing" resolves there through the package's "exports")`);
  });
  test('a missing file without exports fails at resolve', async () => {
    const e = await failure('nofile');
    assert.equal(e.stage, 'resolve');
    assert.equal((e.cause as { code?: string }).code, 'MODULE_NOT_FOUND');
  });
  test('a missing export fails at export, naming it', async () => {
    const e = await failure('missingExport');
    assert.equal(e.stage, 'export');
    assert.match(e.message, /no export "nothing"/);
  });
  test('a missing property deeper in the export path names where it stopped', async () => {
    const e = await failure('missingDeep');
    assert.match(e.message, /"a\.b" of .* has no export "c"/);
  });
  test('an invalid target fails without importing anything', async () => {
    const e = await failure('invalid');
    assert.equal(e.stage, 'target');
  });
  test('the error names package, version, group, name and target', async () => {
    const e = await failure('throws');
    assert.deepEqual([e.package, e.group, e.entryPoint, e.value, e.code], [{ name: 'broken', version: '1.0.0' }, G, 'throws', './throws', 'ENTRY_POINT_LOAD_FAILED']);
    assert.match(e.message, /"throws" of group "test\.load" \(\.\/throws\) from broken@1\.0\.0: plugin exploded/);
  });
  test('isEntryPointLoadError recognises the error without instanceof (another copy of epindex)', async () => {
    const e = await failure('throws');
    const copy = Object.assign(Object.create(null) as object, e);
    assert.equal(isEntryPointLoadError(copy), false);
    const { isEntryPointLoadError: other } = await import(`../../src/node/errors.js?copy=${Date.now()}`);
    assert.equal(other(e), true);
    assert.equal(isEntryPointLoadError(new Error('x')), false);
  });
});
