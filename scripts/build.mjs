#!/usr/bin/env node
// Compile (tsc: types, library, tests) and bundle what users load:
//
// - dist/epi-main.cjs: the CLI's argument parsing and the lookup commands (list, groups, show,
//   which, conflicts, diagnose, env, cache), one CommonJS file: Node loads it synchronously,
//   where ES modules go through the asynchronous loader, and a warm lookup must cost about
//   what reading one small file costs. dist/epi.cjs (the bin) starts it with V8's code cache.
// - dist/cmd/<command>.cjs: the commands that are not Python lookups (lint, write, scripts,
//   completion, the npm side, …), each its own bundle, required only when it runs: their code
//   (TOML, SARIF, launchers, node_modules discovery) would otherwise be compiled on every start-up.
//   dist/code-cache.cjs gives the bundle a require that loads them with the code cache too.
// - dist/index.js + dist/lib.cjs: the library, an ES module that loads one CommonJS bundle with
//   V8's code cache (an import of 'epindex' loads three small files, not ~30, and compiles nothing
//   twice).
//
// Only what changed is built, and dist/ is never removed under a reader (scripts/dist-output.mjs
// says how): two parts, each with its own inputs — `tsc` (types, library, tests: src/, test/,
// bench/) and `bundles` (the files above: src/, the loaders, package.json) — each rebuilt when
// its inputs changed, into a directory beside dist/, then moved in file by file. Nothing to do
// costs a hash of the sources (~30 ms). `--force` rebuilds every part.

import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { STAMP, describeOutputs, fingerprint, install, outputsIntact, readStamp, removeOutputs, walk, withLock, writeStamp } from './dist-output.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const force = process.argv.slice(2).includes('--force');

class BuildFailed extends Error {
  constructor(status) {
    super(`build failed (${status})`);
    this.status = status;
  }
}

/** tsc into `out`: the types, the library as ES modules, the tests and benchmarks. */
function compile(out) {
  const r = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json', '--outDir', out], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new BuildFailed(r.status ?? 1);
}

/** The bundles (see the top of this file) into `out`. */
async function bundle(out) {
  const { build } = await import('esbuild');
  /** Commands bundled apart from dist/epi.cjs (src/cli/commands/<name>.ts). */
  const SEPARATE = ['lint', 'list-wheel', 'write', 'scripts', 'completion', 'check', 'node-lookup', 'node-cache', 'node-check'].filter((c) => existsSync(join(root, 'src', 'cli', 'commands', `${c}.ts`)));

  /** Resolve imports of the separate commands to their own bundle, next to the importer's. */
  const separateCommands = (fromCmdDir) => ({
    name: 'separate-commands',
    setup(b) {
      const commands = join(root, 'src', 'cli', 'commands');
      b.onResolve({ filter: /^\.\.?\/.*\.js$/ }, (args) => {
        const target = join(args.resolveDir, args.path);
        if (dirname(target) !== commands) return undefined;
        const name = target.slice(commands.length + 1, -'.js'.length);
        if (!SEPARATE.includes(name) || args.importer === join(commands, `${name}.ts`)) return undefined;
        return { path: fromCmdDir ? `./${name}.cjs` : `./cmd/${name}.cjs`, external: true };
      });
    },
  });

  /**
   * CommonJS output needs no ES-module machinery, and what it costs is paid on every start-up:
   * - `import * as fs from 'node:fs'` becomes a copy of every property of the module (esbuild's
   *   interop), once per importing file (~3 ms measured): built-in modules are required as they are;
   * - `createRequire(import.meta.url)(x)` (how the ES-module library loads a dependency lazily)
   *   loads node:module: in CommonJS, `require(x)` is there already.
   */
  const plainBuiltins = {
    name: 'plain-builtins',
    setup(b) {
      b.onLoad({ filter: /[\\/]src[\\/].*\.ts$/ }, async (args) => {
        const text = readFileSync(args.path, 'utf8');
        const contents = text
          .replace(/^import \* as (\w+) from '(node:[\w/]+)';$/gm, "const $1 = require('$2');")
          .replace(/^import \{ createRequire \} from 'node:module';$/gm, '')
          .replace(/createRequire\(import\.meta\.url\)\(/g, 'require(');
        return { contents, loader: 'ts' };
      });
    },
  };

  const cjs = {
    bundle: true,
    // npm dependencies are required at run time, where they are used (most lazily).
    external: Object.keys(pkg.dependencies ?? {}),
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    // import() of a command bundle becomes require(): synchronous, where import() of a .cjs file
    // goes through the ES-module loader (measured 10–30 ms for the npm lookups' bundle).
    supported: { 'dynamic-import': false },
    // Whitespace and syntax only: V8 pre-parses the whole file on every start-up, and names stay
    // readable in `--debug` stack traces.
    // (EPINDEX_NO_MINIFY=1 for profiling with line numbers.)
    minifyWhitespace: process.env.EPINDEX_NO_MINIFY !== '1',
    minifySyntax: process.env.EPINDEX_NO_MINIFY !== '1',
    define: { __EPINDEX_VERSION__: JSON.stringify(pkg.version), 'import.meta.url': '__epindexUrl' },
    banner: { js: "const __epindexUrl = require('node:url').pathToFileURL(__filename).href;" },
    logLevel: 'warning',
  };

  await build({ ...cjs, entryPoints: [join(root, 'src', 'cli', 'main.ts')], outfile: join(out, 'epi-main.cjs'), plugins: [separateCommands(false), plainBuiltins] });
  // The bin: a small loader that starts epi-main.cjs with V8's code cache (see the file).
  copyFileSync(join(root, 'scripts', 'epi-loader.cjs'), join(out, 'epi.cjs'));
  chmodSync(join(out, 'epi.cjs'), 0o755);
  for (const name of SEPARATE) {
    await build({ ...cjs, entryPoints: [join(root, 'src', 'cli', 'commands', `${name}.ts`)], outfile: join(out, 'cmd', `${name}.cjs`), plugins: [separateCommands(true), plainBuiltins] });
  }
  // The library: dist/lib.cjs, one CommonJS bundle (like the CLI's, so that it loads with V8's code
  // cache: compiling it, and the functions a first lookup runs, costs more than the lookup), and
  // dist/index.js, the ES module users import: it loads lib.cjs through dist/code-cache.cjs and
  // re-exports it by name. Its npm dependencies stay dependencies (loaded lazily where big).
  // dist/code-cache.cjs: scripts/code-cache.cjs with src/cache/user-root.ts (the user cache
  // root's trust rule, which the code cache obeys too) bundled in. Its import() stays import():
  // it is what the bundles it loads use to import plugins (ES modules).
  await build({ ...cjs, banner: {}, supported: {}, entryPoints: [join(root, 'scripts', 'code-cache.cjs')], outfile: join(out, 'code-cache.cjs'), plugins: [plainBuiltins] });
  // import() stays import() here: the library loads plugins (ES modules too) with it.
  await build({ ...cjs, supported: {}, entryPoints: [join(root, 'src', 'index.ts')], outfile: join(out, 'lib.cjs'), plugins: [plainBuiltins] });
  const names = Object.keys(createRequire(import.meta.url)(join(out, 'lib.cjs'))).filter((n) => n !== '__esModule' && n !== 'default').sort();
  writeFileSync(
    join(out, 'index.js'),
    `// epindex ${pkg.version}: the library (generated by scripts/build.mjs). The code is dist/lib.cjs,\n` +
      `// loaded with V8's code cache (dist/code-cache.cjs); EPINDEX_CODE_CACHE=0 loads it plainly.\n` +
      `import { createRequire } from 'node:module';\n` +
      `const require = createRequire(import.meta.url);\n` +
      `const lib = require('./code-cache.cjs').load(require.resolve('./lib.cjs'), 'lib');\n` +
      `export const { ${names.join(', ')} } = lib;\n`,
  );
  // The thread the library's cache builds run in (src/cache/build-worker.ts; found next to lib.cjs).
  await build({
    entryPoints: [join(root, 'src', 'cache', 'build-worker.ts')],
    outfile: join(out, 'build-worker.js'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: Object.keys(pkg.dependencies ?? {}),
    minifyWhitespace: process.env.EPINDEX_NO_MINIFY !== '1',
    minifySyntax: process.env.EPINDEX_NO_MINIFY !== '1',
    logLevel: 'warning',
  });
}

const TS = /\.[cm]?tsx?$/;
const BUILD_SCRIPTS = ['scripts/build.mjs', 'scripts/dist-output.mjs'];
/** Each part: what its output depends on (package-lock.json: the compiler's and the bundler's versions), and how it is built. */
const PARTS = {
  tsc: {
    inputs: {
      trees: [{ dir: 'src', match: TS }, { dir: 'test', match: TS }, { dir: 'bench', match: TS, skip: (d) => d === 'bench/.work' }],
      files: ['tsconfig.json', 'package-lock.json', ...BUILD_SCRIPTS],
    },
    build: async (out) => compile(out),
  },
  bundles: {
    inputs: {
      trees: [{ dir: 'src' }],
      files: ['package.json', 'package-lock.json', 'scripts/epi-loader.cjs', 'scripts/code-cache.cjs', ...BUILD_SCRIPTS],
      env: ['EPINDEX_NO_MINIFY'],
    },
    build: async (out) => {
      try {
        await bundle(out);
      } catch (e) {
        if (!Array.isArray(e?.errors)) throw e;
        throw new BuildFailed(1); // esbuild printed them
      }
    },
  },
};

const staging = (name) => join(root, `.dist-build-${process.pid}-${name}`);
const hashes = new Map();
const wanted = Object.fromEntries(Object.entries(PARTS).map(([name, p]) => [name, fingerprint(root, p.inputs, hashes)]));
const stale = (stamp) => Object.keys(PARTS).filter((n) => force || stamp?.parts[n]?.inputs !== wanted[n] || !outputsIntact(dist, stamp.parts[n].outputs ?? {}));

async function rebuild() {
  const stamp = readStamp(dist);
  const todo = stale(stamp);
  if (todo.length === 0) return; // another build did it while we waited
  // Left by a build that died: no other build runs while we hold the lock.
  for (const name of readdirSync(root)) if (name.startsWith('.dist-build-')) rmSync(join(root, name), { recursive: true, force: true });
  const started = Date.now();
  try {
    for (const name of todo) {
      mkdirSync(staging(name));
      await PARTS[name].build(staging(name));
    }
    mkdirSync(dist, { recursive: true });
    const parts = {};
    const produced = new Set();
    for (const name of Object.keys(PARTS)) {
      const outputs = todo.includes(name) ? walk(staging(name)) : Object.keys(stamp.parts[name].outputs);
      parts[name] = outputs;
      for (const rel of outputs) produced.add(rel);
    }
    // What the rebuilt parts made before (without a stamp: whatever dist/ holds) and make no more.
    const before = stamp === null ? walk(dist).filter((rel) => !rel.startsWith(STAMP)) : todo.flatMap((n) => Object.keys(stamp.parts[n]?.outputs ?? {}));
    let changed = 0;
    for (const name of todo) changed += install(staging(name), dist).length;
    const gone = before.filter((rel) => !produced.has(rel));
    removeOutputs(dist, gone);
    const record = { format: 1, parts: {} };
    for (const [name, outputs] of Object.entries(parts)) {
      record.parts[name] = todo.includes(name) ? { inputs: wanted[name], outputs: describeOutputs(dist, outputs) } : stamp.parts[name];
    }
    writeStamp(dist, record);
    process.stderr.write(`build: ${todo.join(' and ')} (${changed} file${changed === 1 ? '' : 's'} changed, ${gone.length} removed in dist/, ${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
  } finally {
    for (const name of todo) rmSync(staging(name), { recursive: true, force: true });
  }
}

if (stale(readStamp(dist)).length > 0) {
  try {
    await withLock(join(root, '.dist-build.lock'), rebuild, { onWait: (pid) => process.stderr.write(`build: waiting for another build (pid ${pid})\n`) });
  } catch (e) {
    if (!(e instanceof BuildFailed)) throw e;
    process.stderr.write('build: failed; dist/ left as it was\n');
    process.exit(e.status);
  }
}
