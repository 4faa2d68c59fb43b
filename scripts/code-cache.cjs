'use strict';
/*
 * dist/code-cache.cjs, bundled by scripts/build.mjs from scripts/code-cache.cjs (with
 * src/cache/user-root.ts, the user cache root's trust rule): loads a
 * CommonJS bundle with V8's code cache — the CLI (dist/epi-main.cjs, from the bin dist/epi.cjs)
 * and the library (dist/lib.cjs, from dist/index.js). Compiling a ~180 KB bundle costs a warm
 * lookup about as much as the lookup itself (measured 8–10 ms against 2.4 ms from a code cache
 * on this machine), and every function a first lookup runs is compiled lazily on top of that;
 * Node 22 has module.enableCompileCache for this, Node 20 does not.
 *
 * The code cache lives in `code/` under the user cache root and is read or written only when the
 * root is trusted (docs/spec.md §5.5: no directory or link on its path that someone else
 * controls; `code/` a real directory of the user's, created 0700, never chmod'ed) and the file
 * is the user's own: V8 deserializes it, so it must not come from anyone else. It is made after
 * the first run (so that it holds the functions that run used, not only the top level) and
 * whenever V8 rejects it (another Node, another build). EPINDEX_CODE_CACHE=0 turns it off.
 */
const fs = require('node:fs');
const path = require('node:path');
const { userCacheRoot, userCacheDir } = require('../src/cache/user-root.ts');

/** `<root>/code` when it may be used (made when `create`), else null. */
function codeDir(create) {
  const d = userCacheDir(userCacheRoot(), 'code', create);
  return 'dir' in d ? d.dir : null;
}

/** Load the CommonJS file `main` (its exports), compiled from the code cache named `tag`. */
function load(main, tag) {
  if (process.env.EPINDEX_CODE_CACHE === '0') return require(main);
  const mod = require('node:module');
  if (typeof mod.enableCompileCache === 'function') {
    try {
      const dir = codeDir(true);
      if (dir !== null) mod.enableCompileCache(dir);
    } catch {
      // no cache: slower, not wrong
    }
    return require(main);
  }
  let source;
  let stat;
  try {
    stat = fs.statSync(main);
    source = fs.readFileSync(main, 'utf8');
  } catch {
    return require(main);
  }
  const existing = codeDir(false);
  const dir = existing ?? path.join(userCacheRoot(), 'code');
  const name = `${tag}-${process.version}-${process.arch}-${stat.size}-${Math.floor(stat.mtimeMs)}.v8`;
  const file = path.join(dir, name);
  const uid = typeof process.getuid === 'function' ? process.getuid() : -1;
  let cachedData;
  if (existing !== null) try {
    const fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW || 0) | (fs.constants.O_NONBLOCK || 0));
    try {
      const st = fs.fstatSync(fd);
      const ours = uid < 0 || (st.uid === uid && (st.mode & 0o022) === 0);
      if (st.isFile() && ours && st.size < 64 * 1024 * 1024) cachedData = fs.readFileSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // none yet
  }
  const vm = require('node:vm');
  const body = source.startsWith('#!') ? source.replace(/^#!.*/, '') : source;
  // import() cannot run in code compiled by vm.Script (V8 has no module loader to call there),
  // so the bundle gets one from here, a module Node loaded itself: src/import.ts uses it.
  const wrapper = `(function (exports, require, module, __filename, __dirname, __epindexImport) {${body}\n})`;
  let script;
  try {
    script = new vm.Script(wrapper, { filename: main, cachedData });
  } catch {
    return require(main);
  }
  if (cachedData === undefined || script.cachedDataRejected === true) {
    process.once('exit', () => {
      try {
        writePrivate(file, script.createCachedData(), tag);
      } catch {
        // best effort
      }
    });
  }
  const m = { exports: {}, filename: main, id: main, loaded: false };
  const req = bundleRequire(mod.createRequire(main), path.dirname(main));
  script.runInThisContext()(m.exports, req, m, main, path.dirname(main), importModule);
  loaded.set(main, m.exports);
  return m.exports;
}

/** Bundles loaded by `load` in this process, by file (a second require returns the same exports, as Node's would). */
const loaded = new Map();

/**
 * The bundle's `require`: Node's, except that the command bundles it requires (`./cmd/lint.cjs`,
 * `./node-lookup.cjs`: relative `.cjs` files of dist/) are loaded from the code cache too —
 * compiling the npm lookups' 90 KB bundle cost a `--node` lookup ~6 ms.
 */
function bundleRequire(base, dir) {
  const req = (id) => {
    if (typeof id !== 'string' || !/^\.\.?\/[\w/.-]+\.cjs$/.test(id)) return base(id);
    const file = path.resolve(dir, id);
    const done = loaded.get(file);
    if (done !== undefined) return done;
    return load(file, `cmd.${path.basename(file, '.cjs')}`);
  };
  return Object.assign(req, base);
}

/** import(), from a module Node loaded (bare specifiers resolve from dist/, as from the bundle). */
const importModule = (specifier) => import(specifier);

/** Write `bytes` to `file` atomically, in `code/` under a trusted root (made 0700 if missing); remove older code caches. */
function writePrivate(file, bytes, tag) {
  const dir = codeDir(true);
  if (dir === null || dir !== path.dirname(file)) return;
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(tmp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | (fs.constants.O_NOFOLLOW || 0), 0o600);
  try {
    fs.writeSync(fd, bytes);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  for (const n of fs.readdirSync(dir)) {
    // `${tag}-v…`: the Node version follows the tag, so no tag's files match another tag's prefix.
    if (n !== path.basename(file) && n.startsWith(`${tag}-v`) && n.endsWith('.v8')) fs.rmSync(path.join(dir, n), { force: true });
  }
}

module.exports = { load };
