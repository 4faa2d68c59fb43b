/**
 * Issue 3, "Must show" 1: every change kind freshness must catch, on real directories.
 *
 * For each kind the cache is asserted stale (by `cacheStatus` and by `loadPathEntry`) and the
 * answer under every policy is checked against a fresh scan:
 *   scan, prefer, auto  -> equal to a fresh scan;
 *   only                -> contributes nothing (EP305 + EP307), never the stale content;
 *   fallback            -> answers from the (stale) cache when it has the requested group+name,
 *                          else looks again, i.e. equal to a fresh scan (its documented rule).
 *
 * Levels: `stat` (default) catches every kind. `listing` trusts the directory listing: it
 * catches install, uninstall, upgrade and downgrade (the names change) and deliberately NOT a
 * reinstall of the same version nor an in-place edit of entry_points.txt (same names); those
 * are asserted as the documented trade-off.
 *
 * Three settings of the clock:
 *  - settled: the directory was last changed well before the scan (outside the racy window),
 *    so the cache trusts its stamps without re-reading anything; the stamps alone must catch it;
 *  - coarse (a): the change is hidden by setting mtimes back to the recorded ones with utimes;
 *  - coarse (b): a faithful 1-second filesystem (injected `stat` + coarse fstat) with the change
 *    in the same second as the recorded stamps, so only the racy-stamp rule can catch it.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, test } from 'node:test';
import type { EntryPointQuery } from '../../src/entry-point.js';
import type { Freshness } from '../../src/cache/freshness.js';
import { distInfo, writeTree, type Tree } from '../support/fixtures.js';
import {
  allPaths, BASE_SITE, cachedView, coarseStat, ep, freshView, lookup, SECOND, setMtime, settle, site, userCache, verdict, view, wholeSeconds, withCoarseFstat, type PolicyResult, buildCache, cacheStatusOf, loadPathEntry, type TestCacheOptions as CacheOptions,
} from './helpers.js';

// ---------------------------------------------------------------------------------------------
// The change kinds

interface Change {
  readonly kind: string;
  /** Test-name phrase: "<phrase> makes the cache stale". */
  readonly phrase: string;
  readonly apply: (dir: string) => void;
  /** The lookup that the change affects. */
  readonly query: EntryPointQuery;
  /** The cheapest freshness level that catches it (every level above does too). */
  readonly lowest: Freshness;
  /** Paths that existed before the change and whose timestamps it moves (for utimes set-back). */
  readonly touched: (dir: string) => string[];
}

const BETA = 'beta-2.0.dist-info';
const ALPHA_EP = (dir: string): string => path.join(dir, 'alpha-1.0.dist-info', 'entry_points.txt');

const CHANGES: readonly Change[] = [
  {
    kind: 'install',
    phrase: 'an install',
    apply: (dir) => void writeTree(dir, distInfo('delta', '1.0', ep({ 'epi.plugins': { third: 'delta:Third' } }))),
    query: { group: 'epi.plugins', name: 'third' },
    lowest: 'listing',
    touched: (dir) => [dir],
  },
  {
    kind: 'uninstall',
    phrase: 'an uninstall',
    apply: (dir) => fs.rmSync(path.join(dir, BETA), { recursive: true }),
    query: { group: 'epi.plugins', name: 'second' },
    lowest: 'listing',
    touched: (dir) => [dir],
  },
  {
    kind: 'upgrade',
    phrase: 'an upgrade',
    apply: (dir) => {
      fs.rmSync(path.join(dir, BETA), { recursive: true });
      writeTree(dir, distInfo('beta', '3.0', ep({ 'epi.plugins': { second: 'beta.v3:Second' } })));
    },
    query: { group: 'epi.plugins', name: 'second' },
    lowest: 'listing',
    touched: (dir) => [dir],
  },
  {
    kind: 'downgrade',
    phrase: 'a downgrade',
    apply: (dir) => {
      fs.rmSync(path.join(dir, BETA), { recursive: true });
      writeTree(dir, distInfo('beta', '1.5', ep({ 'epi.plugins': { second: 'beta.old:Second' } })));
    },
    query: { group: 'epi.plugins', name: 'second' },
    lowest: 'listing',
    touched: (dir) => [dir],
  },
  {
    kind: 'reinstall',
    phrase: 'a reinstall of the same version (dist-info removed and recreated under the same name)',
    apply: (dir) => {
      fs.rmSync(path.join(dir, BETA), { recursive: true });
      writeTree(dir, distInfo('beta', '2.0', ep({ 'epi.plugins': { second: 'beta.rebuilt:Second' } })));
    },
    query: { group: 'epi.plugins', name: 'second' },
    lowest: 'listing',
    touched: (dir) => [dir, path.join(dir, BETA), path.join(dir, BETA, 'METADATA'), path.join(dir, BETA, 'entry_points.txt')],
  },
  {
    kind: 'edit',
    phrase: 'an in-place edit of entry_points.txt',
    apply: (dir) => {
      const before = fs.statSync(ALPHA_EP(dir)).ino;
      fs.writeFileSync(ALPHA_EP(dir), ep({ console_scripts: { alpha: 'alpha.cli:main' }, 'epi.plugins': { first: 'alpha.plugins:First', extra: 'alpha.plugins:Extra' } }));
      assert.equal(fs.statSync(ALPHA_EP(dir)).ino, before, 'the edit is in place');
    },
    query: { group: 'epi.plugins', name: 'extra' },
    lowest: 'stat',
    touched: (dir) => [ALPHA_EP(dir)],
  },
  {
    kind: 'same-size edit',
    phrase: 'a same-size in-place edit of entry_points.txt',
    apply: (dir) => {
      const st = fs.statSync(ALPHA_EP(dir));
      const text = fs.readFileSync(ALPHA_EP(dir), 'utf8');
      assert.ok(text.includes('alpha.plugins:First'));
      fs.writeFileSync(ALPHA_EP(dir), text.replace('alpha.plugins:First', 'alpha.plugins:Fjrst'));
      const after = fs.statSync(ALPHA_EP(dir));
      assert.equal(after.size, st.size, 'same size');
      assert.equal(after.ino, st.ino, 'same inode');
    },
    query: { group: 'epi.plugins', name: 'first' },
    lowest: 'stat',
    touched: (dir) => [ALPHA_EP(dir)],
  },
  {
    kind: 'ep removed',
    phrase: 'entry_points.txt removed from a dist-info',
    apply: (dir) => fs.rmSync(ALPHA_EP(dir)),
    query: { group: 'epi.plugins', name: 'first' },
    lowest: 'stat',
    touched: (dir) => [path.join(dir, 'alpha-1.0.dist-info')],
  },
  {
    kind: 'egg-info ep added',
    phrase: 'entry_points.txt added to an egg-info directory (setuptools egg_info)',
    apply: (dir) => fs.writeFileSync(path.join(dir, EGG, 'entry_points.txt'), ep({ 'epi.plugins': { fourth: 'omega:Fourth' } })),
    query: { group: 'epi.plugins', name: 'fourth' },
    lowest: 'stat',
    touched: (dir) => [path.join(dir, EGG)],
  },
  {
    kind: 'egg-info pkg-info',
    phrase: 'PKG-INFO rewritten in place in an egg-info directory (a new version)',
    apply: (dir) => fs.writeFileSync(path.join(dir, EGG, 'PKG-INFO'), 'Metadata-Version: 2.1\nName: omega\nVersion: 0.2.dev0\n'),
    query: { group: 'console_scripts', name: 'omega' },
    lowest: 'stat',
    touched: (dir) => [path.join(dir, EGG, 'PKG-INFO')],
  },
  {
    kind: 'dist-info ep added',
    phrase: 'entry_points.txt added by hand to a dist-info that had none',
    apply: (dir) => fs.writeFileSync(path.join(dir, 'gamma-0.5.dist-info', 'entry_points.txt'), ep({ 'epi.plugins': { fifth: 'gamma:Fifth' } })),
    query: { group: 'epi.plugins', name: 'fifth' },
    lowest: 'full',
    touched: (dir) => [path.join(dir, 'gamma-0.5.dist-info')],
  },
  {
    kind: 'metadata edited',
    phrase: "a dist-info's METADATA Name edited in place by hand",
    apply: (dir) => fs.writeFileSync(path.join(dir, 'alpha-1.0.dist-info', 'METADATA'), 'Metadata-Version: 2.1\nName: Alpha-Renamed\nVersion: 1.0\n'),
    query: { group: 'epi.plugins', name: 'first' },
    lowest: 'full',
    touched: (dir) => [path.join(dir, 'alpha-1.0.dist-info', 'METADATA')],
  },
];

/** An egg-info directory, as `setup.py develop` / `egg_info` leaves in a source tree. */
const EGG = 'omega.egg-info';

/** The base site plus that egg-info (its version comes from PKG-INFO, as a develop install's does). */
const FRESHNESS_SITE: Tree = {
  ...BASE_SITE,
  [EGG]: { 'PKG-INFO': 'Metadata-Version: 2.1\nName: omega\nVersion: 0.1.dev0\n', 'entry_points.txt': ep({ console_scripts: { omega: 'omega:main' } }) },
};

const LEVELS: readonly Freshness[] = ['listing', 'stat', 'full'];
const RANK: Record<Freshness, number> = { listing: 0, stat: 1, full: 2 };
const catches = (c: Change, level: Freshness): boolean => RANK[level] >= RANK[c.lowest];

// ---------------------------------------------------------------------------------------------
// Assertions

interface Before {
  /** The cache's answer before the change (what a stale cache would say). */
  readonly cachedView: unknown;
  /** `only` lookup of the change's query while the cache was fresh. */
  readonly only: PolicyResult;
}

async function snapshot(dir: string, change: Change, uc: string, level: Freshness): Promise<Before> {
  const only = await lookup([dir], 'only', { userCacheDir: uc, freshness: level }, change.query);
  assert.deepEqual(only.codes, [], 'precondition: the cache answers under `only`');
  return { cachedView: cachedView(dir), only };
}

/** The engine-level checks (usable with an injected stat): status and loadPathEntry. */
function assertEntryStale(dir: string, opts: CacheOptions): void {
  const status = cacheStatusOf(dir, opts);
  assert.equal(status.state, 'stale', `cacheStatus says ${status.state} (${status.reason})`);
  assert.ok(status.reason, 'a stale status says why');
  const fresh = freshView(dir);

  const prefer = loadPathEntry(dir, 'prefer', opts);
  assert.equal(prefer.source, 'scan');
  assert.ok(prefer.diagnostics.some((d) => d.code === 'EP305'), 'EP305 says the cache is stale');
  assert.deepEqual(view(prefer.view), fresh);

  const only = loadPathEntry(dir, 'only', opts);
  assert.equal(only.source, 'none');
  assert.deepEqual(only.view.dists(), []);
  assert.deepEqual(only.diagnostics.map((d) => d.code), ['EP305', 'EP307']);

  assert.deepEqual(view(loadPathEntry(dir, 'scan', opts).view), fresh);
}

/** After the stale checks: `auto` answers with a fresh scan and leaves a fresh cache behind. */
function assertAutoHeals(dir: string, opts: CacheOptions): void {
  const fresh = freshView(dir);
  const auto = loadPathEntry(dir, 'auto', opts);
  assert.equal(auto.source, 'scan');
  assert.deepEqual(view(auto.view), fresh);
  assert.equal(cacheStatusOf(dir, opts).state, 'fresh', 'auto rewrote the cache');
  const again = loadPathEntry(dir, 'only', opts);
  assert.equal(again.source, 'cache');
  assert.deepEqual(view(again.view), fresh);
}

/** The public front door under every policy. */
async function assertPolicies(dir: string, change: Change, uc: string, level: Freshness, before: Before): Promise<void> {
  const o = { userCacheDir: uc, freshness: level };
  const fresh = await lookup([dir], 'scan', o, change.query);
  assert.notDeepEqual(fresh.entryPoints, before.only.entryPoints, 'the change is visible to the query (a stale answer would be wrong)');
  const prefer = await lookup([dir], 'prefer', o, change.query);
  assert.deepEqual(prefer.entryPoints, fresh.entryPoints, 'prefer');
  const only = await lookup([dir], 'only', o, change.query);
  assert.deepEqual(only.entryPoints, [], 'only: a directory without a fresh cache contributes nothing');
  assert.ok(only.codes.includes('EP307'));
  const fallback = await lookup([dir], 'fallback', o, change.query);
  const cachedAnswer = before.only.entryPoints;
  assert.deepEqual(fallback.entryPoints, cachedAnswer.length > 0 ? cachedAnswer : fresh.entryPoints,
    cachedAnswer.length > 0 ? 'fallback answers from the cache when it has the name' : 'fallback looks again when the cache lacks the name');
  const auto = await lookup([dir], 'auto', o, change.query);
  assert.deepEqual(auto.entryPoints, fresh.entryPoints, 'auto');
  // auto healed the cache: now every policy agrees with the scan.
  for (const p of ['only', 'prefer', 'fallback'] as const) {
    assert.deepEqual((await lookup([dir], p, o, change.query)).entryPoints, fresh.entryPoints, `${p} after auto rewrote the cache`);
  }
  assert.deepEqual((await lookup([dir], 'only', o)).entryPoints, (await lookup([dir], 'scan', o)).entryPoints);
}

/** The documented trade-off of a level below the change's: the cache stays "fresh" there. */
function assertTradeOffEntry(dir: string, uc: string, recorded: unknown, level: Freshness, catching: Freshness, opts: CacheOptions = {}): void {
  const o: CacheOptions = { ...opts, userCacheDir: uc, freshness: level };
  assert.notDeepEqual(freshView(dir), recorded, 'the change is real');
  const status = cacheStatusOf(dir, o);
  assert.equal(status.state, 'fresh', `the ${level} level does not look at what changed`);
  const prefer = loadPathEntry(dir, 'prefer', o);
  assert.equal(prefer.source, 'cache');
  assert.deepEqual(view(prefer.view), recorded, 'answers what the cache recorded');
  const only = loadPathEntry(dir, 'only', o);
  assert.equal(only.source, 'cache');
  assert.deepEqual(view(only.view), recorded);
  assert.equal(cacheStatusOf(dir, { ...opts, userCacheDir: uc, freshness: catching }).state, 'stale', `while the ${catching} level catches it`);
}

async function assertTradeOff(dir: string, change: Change, uc: string, level: Freshness, before: Before): Promise<void> {
  assertTradeOffEntry(dir, uc, before.cachedView, level, change.lowest);
  for (const p of ['only', 'prefer', 'fallback'] as const) {
    const r = await lookup([dir], p, { userCacheDir: uc, freshness: level }, change.query);
    assert.deepEqual(r.entryPoints, before.only.entryPoints, `${p} answers from the cache`);
  }
}

const tradeOffName = (c: Change, level: Freshness, how: string): string => `the ${level} level deliberately does not notice ${c.phrase}${how} (documented trade-off; the ${c.lowest} level does)`;

// ---------------------------------------------------------------------------------------------
// Settled: the stamps alone must catch every change

describe('settled directories (stamps trusted without re-reading)', () => {
  const dirs = new Map<string, string>();
  const uc = userCache();
  before(async () => {
    for (const c of CHANGES) for (const level of LEVELS) dirs.set(`${c.kind}/${level}`, site(FRESHNESS_SITE));
    // The first build creates .epindex/, which moves the directory's own mtime: build, let the
    // racy window pass, build again (what `auto` does by itself once 2 s have passed).
    for (const dir of dirs.values()) assert.equal(buildCache(dir, { userCacheDir: uc }).outcome, 'written');
    await settle([...dirs.values()]);
    for (const dir of dirs.values()) assert.equal(buildCache(dir, { userCacheDir: uc, force: true }).outcome, 'written');
  });

  test('an unchanged settled directory keeps a fresh cache that trusts its stamps (control)', () => {
    for (const [key, dir] of dirs) {
      for (const level of LEVELS) {
        assert.deepEqual(verdict(dir, level), { fresh: true, worthRewriting: false }, key);
        assert.equal(cacheStatusOf(dir, { userCacheDir: uc, freshness: level }).state, 'fresh', key);
      }
    }
  });

  for (const c of CHANGES) {
    for (const level of LEVELS) {
      const name = catches(c, level)
        ? `${c.phrase} makes the cache stale (${level} level, settled stamps)`
        : tradeOffName(c, level, ', settled stamps');
      test(name, async () => {
        const dir = dirs.get(`${c.kind}/${level}`)!;
        assert.deepEqual(verdict(dir, level), { fresh: true, worthRewriting: false }, 'precondition: stamps trusted');
        const b = await snapshot(dir, c, uc, level);
        c.apply(dir);
        if (!catches(c, level)) return assertTradeOff(dir, c, uc, level, b);
        assertEntryStale(dir, { userCacheDir: uc, freshness: level });
        await assertPolicies(dir, c, uc, level, b);
      });
    }
  }
});

// ---------------------------------------------------------------------------------------------
// Coarse mtime (a): the change is hidden by setting the mtimes back with utimes

/** Pin every mtime under `dir` to one whole second (exactly representable for utimes). */
function pinMtimes(dir: string, seconds: number): void {
  for (const p of allPaths(dir)) setMtime(p, seconds);
}

function hideChange(dir: string, c: Change, seconds: number): void {
  const touched = c.touched(dir);
  c.apply(dir);
  // Set back every timestamp the change moved: the mtimes now match the recorded ones exactly.
  for (const p of touched) setMtime(p, seconds);
  for (const p of touched) assert.equal(fs.statSync(p, { bigint: true }).mtimeNs, BigInt(seconds) * SECOND);
}

describe('coarse mtime (a): mtimes set back with utimes, settled stamps', () => {
  const dirs = new Map<string, string>();
  const uc = userCache();
  const pinned = Math.floor(Date.now() / 1000) - 3600;
  before(async () => {
    for (const c of CHANGES) for (const level of LEVELS) {
      const d = site(FRESHNESS_SITE);
      fs.mkdirSync(path.join(d, '.epindex'));
      pinMtimes(d, pinned);
      dirs.set(`${c.kind}/${level}`, d);
    }
    await settle([...dirs.values()]);
    for (const dir of dirs.values()) assert.equal(buildCache(dir, { userCacheDir: uc }).outcome, 'written');
  });

  for (const c of CHANGES) {
    for (const level of LEVELS) {
      const name = catches(c, level)
        ? `${c.phrase} with the mtimes set back still makes the cache stale (${level} level)`
        : tradeOffName(c, level, ' with the mtimes set back');
      test(name, async () => {
        const dir = dirs.get(`${c.kind}/${level}`)!;
        assert.deepEqual(verdict(dir, level), { fresh: true, worthRewriting: false }, 'precondition: stamps trusted');
        const b = await snapshot(dir, c, uc, level);
        hideChange(dir, c, pinned);
        if (!catches(c, level)) return assertTradeOff(dir, c, uc, level, b);
        assertEntryStale(dir, { userCacheDir: uc, freshness: level });
        await assertPolicies(dir, c, uc, level, b);
      });
    }
  }
});

describe('coarse mtime (a): mtimes set back with utimes, within the racy window of the scan', () => {
  for (const c of CHANGES) {
    for (const level of LEVELS) {
      // Within the racy window nothing is trusted: every level re-reads what changed, so even
      // the levels that would not look at it once settled catch it here.
      const name = `${c.phrase} within the same mtime tick as the scan makes the cache stale (${level} level${catches(c, level) ? '' : ', by re-reading racy stamps'})`;
      test(name, async () => {
        const uc = userCache();
        const dir = site(FRESHNESS_SITE);
        // The tick the fixture was written in: the change below lands in it too.
        const tick = wholeSeconds(fs.statSync(dir, { bigint: true }).mtimeNs);
        pinMtimes(dir, tick);
        assert.equal(buildCache(dir, { userCacheDir: uc }).outcome, 'written');
        const v = verdict(dir, level);
        assert.ok(v.fresh && v.worthRewriting, 'precondition: the recorded stamps are racy (just written)');
        const b = await snapshot(dir, c, uc, level);
        hideChange(dir, c, tick);
        assertEntryStale(dir, { userCacheDir: uc, freshness: level });
        await assertPolicies(dir, c, uc, level, b);
      });
    }
  }
});

// ---------------------------------------------------------------------------------------------
// Coarse mtime (b): a faithful 1-second filesystem

/** The 1-second view of every timestamp of `paths` that exists. */
function coarseTimes(paths: readonly string[]): string[] {
  const stat = coarseStat(SECOND);
  return paths.map((p) => {
    const s = stat(p);
    return s === null ? `${p} -` : `${p} ${s.stamp.slice(2).join(' ')}`;
  });
}

describe('coarse mtime (b): injected stat truncating mtime/ctime to whole seconds', () => {
  test('an unchanged directory keeps a fresh cache on a 1-second filesystem (control)', () => {
    const uc = userCache();
    const dir = site(FRESHNESS_SITE);
    const stat = coarseStat(SECOND);
    withCoarseFstat(SECOND, () => {
      assert.equal(buildCache(dir, { userCacheDir: uc, stat }).outcome, 'written');
      for (const level of LEVELS) {
        const status = cacheStatusOf(dir, { userCacheDir: uc, stat, freshness: level });
        assert.equal(status.state, 'fresh', `${level}: ${status.reason}`);
        const v = verdict(dir, level, stat);
        assert.ok(v.fresh && v.worthRewriting, 'just-written stamps are racy: verified by re-reading');
        assert.equal(loadPathEntry(dir, 'prefer', { userCacheDir: uc, stat, freshness: level }).source, 'cache');
      }
    });
  });

  test('the injected stat alone simulates a coarse filesystem (entry_points.txt stamps included)', () => {
    const uc = userCache();
    const dir = site(FRESHNESS_SITE);
    const stat = coarseStat(SECOND);
    assert.equal(buildCache(dir, { userCacheDir: uc, stat }).outcome, 'written');
    const status = cacheStatusOf(dir, { userCacheDir: uc, stat });
    assert.equal(status.state, 'fresh', String(status.reason));
  });

  for (const c of CHANGES) {
    for (const level of LEVELS) {
      const name = `${c.phrase} within the same second makes the cache stale on a 1-second filesystem (${level} level${catches(c, level) ? '' : ', by re-reading racy stamps'})`;
      test(name, async () => {
        const stat = coarseStat(SECOND);
        // Retry until the change lands in the same second as the recorded stamps (a second
        // boundary may fall in between); identical coarse stamps are what this test is about.
        for (let attempt = 1; ; attempt++) {
          const uc = userCache();
          const dir = site(FRESHNESS_SITE);
          const opts: CacheOptions = { userCacheDir: uc, stat, freshness: level };
          const sameTick = withCoarseFstat(SECOND, () => {
            assert.equal(buildCache(dir, opts).outcome, 'written');
            const v = verdict(dir, level, stat);
            assert.ok(v.fresh && v.worthRewriting, 'precondition: fresh, with racy stamps');
            const paths = c.touched(dir);
            const t0 = coarseTimes(paths);
            const recorded = cachedView(dir);
            c.apply(dir);
            return { same: JSON.stringify(coarseTimes(paths)) === JSON.stringify(t0), recorded };
          });
          if (!sameTick.same) {
            assert.ok(attempt < 20, 'could not make a change within one second in 20 attempts');
            continue;
          }
          withCoarseFstat(SECOND, () => {
            assertEntryStale(dir, opts);
            assertAutoHeals(dir, opts);
          });
          return;
        }
      });
    }
  }
});
