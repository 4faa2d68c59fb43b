/**
 * `npm run bench [-- --quick]`: epindex against everything a user could use instead, on the
 * same files, in one run. See bench/README.md.
 *
 * Options:
 *   --quick              50 and 500 distributions only (100 lookups: 50 only), 3 repetitions,
 *                        no cold page cache: under a minute once the venvs exist
 *   --sizes 50,500       synthetic sizes (default 50,500,1000,5000,10000,50000; given, every
 *                        workload runs on every size, and --quick keeps the real environment)
 *   --no-real            leave out the real environment
 *   --workloads a,b      only these workloads (group, all, name, repeat100, process)
 *   --no-cold            no cold page-cache runs
 *   --max-reps N         at most N timed repetitions per cell
 *   --out FILE           results file; its charts and results.md go next to it (default:
 *                        bench/results.json and docs/bench/; a quick run: bench/.work/quick/)
 *   --measure-profile    measure bench/env-profile.json from the real environment and the
 *                        machine's python3 site-packages, then exit
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { buildCache, buildCaches, cacheStatus } from '../src/index.js';
import { answerOf, describeDifference, type Answer, type Line } from './lib/answers.js';
import { DEFAULT_SEED, generateEnvironment, GENERATOR_VERSION, type GenerationSummary } from './lib/generate.js';
import { DOCS_BENCH, EMPTY_CWD, ensureDir, ENVS, EPINDEX_USER_CACHE, PROFILE_JSON, REAL_ENV_TXT, rel, RESULTS_JSON, ROOT, snapshotDist, WORK, XDG, CLI_JS } from './lib/paths.js';
import { measureProfile, readProfile, serializeProfile } from './lib/profile.js';
import { ensureVenv, installedVersion, realPython, type Venv } from './lib/python.js';
import { evaluateTargets, writeReports, type CellResult, type EnvInfo, type MemoryResult, type Results, type VariantResult } from './lib/report.js';
import { beforeSample, commandFor, expectedAnswer, GROUP, labelOf, PEER_VENVS, REFERENCE, timedEnv, VARIANTS, WORKLOADS, type PeerId, type Variant, type WorkloadId } from './lib/variants.js';

const { values: opts } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    sizes: { type: 'string' },
    'no-real': { type: 'boolean', default: false },
    workloads: { type: 'string' },
    'no-cold': { type: 'boolean', default: false },
    'max-reps': { type: 'string' },
    out: { type: 'string' },
    'measure-profile': { type: 'boolean', default: false },
  },
});

const started = new Date();
const t0 = performance.now();
const elapsed = (): string => `${((performance.now() - t0) / 1000).toFixed(0)}s`;
const log = (s: string): void => void process.stderr.write(`[bench ${elapsed()}] ${s}\n`);
const problems: string[] = [];

const quick = opts.quick === true;
const sizes = (opts.sizes ?? (quick ? '50,500' : '50,500,1000,5000,10000,50000')).split(',').map((s) => Number(s.trim())).filter((n) => Number.isInteger(n) && n > 0);
const workloadIds = (opts.workloads ?? WORKLOADS.map((w) => w.id).join(',')).split(',') as WorkloadId[];
/** Per cell: the time budget for its timed repetitions, and bounds on their number. */
// The 100-lookup workload costs 100 scans per sample for the scanning peers (~5 min per
// repetition at 10,000 distributions): it runs up to `repeatMaxDists` distributions.
const plan = quick
  ? { budgetMs: 800, minReps: 3, maxReps: 3, coldSizes: [] as number[], repeatMaxDists: 50, allMaxDists: Infinity }
  : { budgetMs: 40_000, minReps: 5, maxReps: 21, coldSizes: [500, 10_000], repeatMaxDists: 5000, allMaxDists: 10_000 };
const maxReps = opts['max-reps'] !== undefined ? Number(opts['max-reps']) : plan.maxReps;
const minReps = Math.min(plan.minReps, maxReps);

// ---------------------------------------------------------------------------------------------
// Interpreter, venvs, profile

snapshotDist();
const build = ((): { commit: string; srcChanged: boolean; cli: string } => {
  const git = (args: string[]): string => spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' }).stdout?.trim() ?? '';
  return { commit: git(['rev-parse', '--short', 'HEAD']), srcChanged: git(['status', '--porcelain', '--', 'src', 'scripts', 'package.json']) !== '', cli: rel(CLI_JS).replace(/^bench\/\.work\/dist-snapshot/, 'dist') };
})();
const interp = realPython();
log(`python ${interp.version} at ${interp.executable}; node ${process.version}; NODE_EXTRA_CA_CERTS ${process.env['NODE_EXTRA_CA_CERTS'] ? 'set here, unset for every timed process' : 'not set'}`);
const venvs = new Map<PeerId, Venv>();
const peerVersions: Record<string, string> = {};
for (const spec of PEER_VENVS) {
  const v = ensureVenv(interp, spec, log);
  venvs.set(spec.name, v);
  peerVersions[spec.name] = spec.versionOf === null ? interp.version : installedVersion(v.python, spec.versionOf);
}
const skipReal = opts['no-real'] === true || (quick && opts.sizes === undefined);
const real = skipReal && !opts['measure-profile'] ? null : ensureVenv(interp, { name: 'real-env', requirements: ['-r', REAL_ENV_TXT], noDeps: true, inputs: [REAL_ENV_TXT] }, log);
const pythonOf = (p: PeerId): string => venvs.get(p)!.python;

if (opts['measure-profile']) {
  const machineSite = spawnSync(interp.executable, ['-c', 'import site; print(site.getsitepackages()[0])'], { encoding: 'utf8' }).stdout.trim();
  const profile = measureProfile([
    { label: 'the real benchmark environment (bench/real-env.txt)', where: 'bench/real-env.txt', dir: real!.sitePackages },
    { label: `the machine's python3 ${interp.version} site-packages`, where: "python3's site-packages on the benchmark machine", dir: machineSite },
  ]);
  fs.writeFileSync(PROFILE_JSON, serializeProfile(profile));
  log(`wrote ${rel(PROFILE_JSON)}: ${profile.distributions} distributions, ${profile.withEntryPoints} with entry points, ${profile.groups.length} groups`);
  process.exit(0);
}
const profile = readProfile(PROFILE_JSON);
const profileText = fs.readFileSync(PROFILE_JSON, 'utf8');

// ---------------------------------------------------------------------------------------------
// Environments and their epindex caches

interface Env extends EnvInfo {
  readonly dir: string;
  generatedNow: boolean;
}
const envs: Env[] = [];
ensureDir(ENVS);
for (const n of sizes) {
  const dir = path.join(ENVS, `synthetic-${n}`);
  const markerFile = `${dir}.json`;
  const want = { generatorVersion: GENERATOR_VERSION, seed: DEFAULT_SEED, size: n, profile: hashText(profileText) };
  let summary: GenerationSummary | null = null;
  let generatedNow = false;
  if (fs.existsSync(markerFile) && fs.existsSync(dir)) {
    const m = JSON.parse(fs.readFileSync(markerFile, 'utf8')) as { want: typeof want; summary: GenerationSummary };
    if (JSON.stringify(m.want) === JSON.stringify(want)) summary = m.summary;
  }
  if (summary === null) {
    log(`generating ${n} distributions into ${rel(dir)}`);
    fs.rmSync(dir, { recursive: true, force: true });
    const g0 = performance.now();
    summary = generateEnvironment(dir, n, profile, DEFAULT_SEED);
    fs.writeFileSync(markerFile, JSON.stringify({ want, summary }, null, 2));
    log(`  ${summary.files} files, ${(summary.bytes / 1e6).toFixed(1)} MB in ${((performance.now() - g0) / 1000).toFixed(1)} s`);
    generatedNow = true;
  }
  envs.push({ id: `synthetic-${n}`, kind: 'synthetic', distributions: n, withEntryPoints: summary.withEntryPoints, entryPoints: summary.entryPoints, pytest11: summary.pytest11, groups: summary.groups, dir, where: rel(dir), seed: DEFAULT_SEED, generatedNow, cacheBuildMs: null, cacheBytes: null });
}
if (real !== null && !skipReal) {
  const dir = real.sitePackages;
  const listing = fs.readdirSync(dir).filter((c) => /\.(dist|egg)-info$/.test(c));
  envs.push({ id: 'real', kind: 'real', distributions: listing.length, withEntryPoints: listing.filter((c) => fs.existsSync(path.join(dir, c, 'entry_points.txt'))).length, entryPoints: null, pytest11: null, groups: null, dir, where: `${rel(dir)} (bench/real-env.txt)`, seed: null, generatedNow: real.created, cacheBuildMs: null, cacheBytes: null });
}
envs.sort((a, b) => a.distributions - b.distributions);

// A cache built within 2 s of a change of its directory is "racy" (docs/spec.md): epindex would
// re-verify it on every use. Build as `epi cache rebuild` does (settling racy caches), then time
// one more forced build of each (the directories are settled by then), and check.
ensureDir(EPINDEX_USER_CACHE);
ensureDir(XDG);
ensureDir(EMPTY_CWD);
const cacheOpts = { userCacheDir: EPINDEX_USER_CACHE };
for (const r of await buildCaches(envs.map((e) => e.dir), { ...cacheOpts, force: true, settle: true })) {
  if (r.outcome !== 'written') throw new Error(`cannot build the cache of ${r.pathEntry}: ${r.reason}`);
}
for (const e of envs) {
  const b0 = performance.now();
  const r = await buildCache(e.dir, { ...cacheOpts, force: true, settle: false });
  e.cacheBuildMs = performance.now() - b0;
  if (r.outcome !== 'written' || r.file === null) throw new Error(`cannot build the cache of ${e.dir}: ${r.reason}`);
  e.cacheBytes = fs.statSync(r.file).size;
  const s = cacheStatus(e.dir, cacheOpts);
  if (s.state !== 'fresh' || s.racy) throw new Error(`the cache of ${e.dir} is ${s.state}${s.racy ? ' (racy)' : ''} right after building it: ${s.reason}`);
}

// ---------------------------------------------------------------------------------------------
// Measuring

const dropCaches = ((): { ok: boolean; why: string } => {
  try {
    spawnSync('sync');
    fs.writeFileSync('/proc/sys/vm/drop_caches', '3');
    return { ok: true, why: 'root may write /proc/sys/vm/drop_caches: cold runs drop the page cache (sync; echo 3) before every sample' };
  } catch (e) {
    return { ok: false, why: `/proc/sys/vm/drop_caches is not writable (${(e as NodeJS.ErrnoException).code ?? 'error'}): cold page-cache runs are unavailable on this machine` };
  }
})();
if (!dropCaches.ok) problems.push(dropCaches.why);
const coldSizes = opts['no-cold'] || !dropCaches.ok ? [] : plan.coldSizes.filter((n) => sizes.includes(n));
const coldEnvs = new Set([...coldSizes.map((n) => `synthetic-${n}`), ...(coldSizes.length > 0 && !quick ? ['real'] : [])]);

function dropPageCache(): void {
  spawnSync('sync');
  fs.writeFileSync('/proc/sys/vm/drop_caches', '3');
}

interface Sample {
  readonly ms: number;
  readonly wallMs: number;
  readonly answer: Answer;
  readonly diagnostics: readonly string[];
}

function runOnce(v: Variant, w: WorkloadId, env: Env, cold: boolean): Sample {
  const c = commandFor(v, w, env.dir, pythonOf);
  beforeSample(v);
  if (cold) dropPageCache();
  const s0 = process.hrtime.bigint();
  const r = spawnSync(c.cmd, c.args, { env: c.env, cwd: EMPTY_CWD, encoding: 'utf8', maxBuffer: 512 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
  const wallMs = Number(process.hrtime.bigint() - s0) / 1e6;
  if (r.status !== 0) throw new Error(`${labelOf(v, w)} on ${env.id} (${w}) failed (exit ${r.status}):\n${(r.stderr ?? '').slice(-2000)}`);
  const parsed = c.parse(r.stdout);
  return { ms: c.reportsTime ? parsed.ms! : wallMs, wallMs, answer: answerOf(parsed.lines as Line[]), diagnostics: parsed.diagnostics ?? [] };
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const summary = (xs: readonly number[]): { median: number; min: number; max: number } => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs) });

function cacheFileStamp(dir: string): string {
  const f = path.join(dir, '.epindex');
  try {
    return fs.readdirSync(f).sort().map((n) => `${n}:${fs.statSync(path.join(f, n)).mtimeMs}`).join(',');
  } catch {
    return 'none';
  }
}

/**
 * Above `allMaxDists` only the peers the targets name (importlib.metadata, stevedore's warm
 * cache) and the baselines run: at 50,000 distributions one pkg_resources sample took over
 * 4 minutes, and importlib_metadata, entrypoints, pluggy and stevedore's cold cache are scans of
 * the same cost as importlib.metadata's (their 10,000-distribution cells show it).
 */
const LARGE_ENV_PEERS = new Set(['importlib.metadata', 'stevedore-warm']);

function measureCell(w: WorkloadId, env: Env, cold: boolean): CellResult {
  const variants = VARIANTS.filter((v) => v.workloads.includes(w) && (v.family !== 'peer' || env.distributions <= plan.allMaxDists || opts.sizes !== undefined || LARGE_ENV_PEERS.has(v.id)));
  // Warm-up: one untimed sample of each (it also primes stevedore's warm cache), and the answers.
  const scan = variants.find((v) => v.id === 'epindex-scan');
  const reference = w === 'import' ? 'node-start' : REFERENCE;
  const truthLines = scan === undefined ? [] : (() => {
    const c = commandFor(scan, w === 'process' ? 'group' : w, env.dir, pythonOf);
    const r = spawnSync(c.cmd, c.args, { env: c.env, cwd: EMPTY_CWD, encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
    if (r.status !== 0) throw new Error(`epindex scan failed on ${env.id}: ${r.stderr}`);
    return c.parse(r.stdout).lines;
  })();
  const stampBefore = cacheFileStamp(env.dir);
  const warm = new Map<string, Sample>();
  let reps: number;
  if (w === 'repeat100') {
    // 100 lookups warm the page cache by themselves, and a warm-up sample would cost as much as a
    // repetition (minutes for the scanning peers at 5,000 distributions): no warm-up, a fixed
    // number of repetitions; only stevedore's warm cache is made sure of.
    for (const v of variants.filter((x) => x.stevedoreCache === 'warm')) runOnce(v, 'group', env, false);
    reps = quick ? minReps : Math.min(maxReps, env.distributions >= 5000 ? 3 : 5);
  } else {
    let perRep = 0;
    for (const v of variants) {
      const s = runOnce(v, w, env, false);
      warm.set(v.id, s);
      perRep += s.wallMs + (cold ? 150 : 0);
    }
    reps = Math.max(minReps, Math.min(maxReps, Math.floor(plan.budgetMs / Math.max(perRep, 1))));
  }
  const label = `${w}${cold ? ' (cold page cache)' : ''} on ${env.id}`;
  log(`${label}: ${variants.length} variants × ${reps} repetitions`);
  const samples = new Map<string, Sample[]>(variants.map((v) => [v.id, []]));
  for (let rep = 0; rep < reps; rep++) {
    // Rotate the order every repetition, so that no variant always runs right after another.
    const order = variants.map((_, i) => variants[(i + rep) % variants.length]!);
    for (const v of order) samples.get(v.id)!.push(runOnce(v, w, env, cold));
  }
  const stampAfter = cacheFileStamp(env.dir);
  if (stampBefore !== stampAfter) problems.push(`${label}: an epindex cache file was rewritten during the measurement (${stampBefore} -> ${stampAfter})`);
  const ref = samples.get(reference)!;
  const results: VariantResult[] = variants.map((v) => {
    const ss = samples.get(v.id)!;
    const ms = ss.map((s) => s.ms);
    const expected = expectedAnswer(v, w === 'process' ? 'group' : w, truthLines);
    const got = (warm.get(v.id) ?? ss[0]!).answer;
    let matches: boolean | null = null;
    let difference: string | undefined;
    if (expected !== null) {
      const bad = [got, ...ss.map((s) => s.answer)].find((a) => a.digest !== expected.digest);
      matches = bad === undefined;
      if (bad !== undefined) {
        difference = describeDifference(expected, bad);
        problems.push(`${label}: ${labelOf(v, w)} answered differently from epindex: ${difference}`);
      }
    }
    const stale = ss.flatMap((s) => s.diagnostics).filter((c) => c === 'EP305' || c === 'EP306' || c === 'EP307');
    if (v.policy === 'auto' && stale.length > 0) problems.push(`${label}: ${labelOf(v, w)} reported cache diagnostics ${[...new Set(stale)].join(', ')}`);
    const ratios = v.id === reference ? null : ss.map((s, i) => s.ms / ref[i]!.ms);
    return {
      id: v.id,
      label: labelOf(v, w),
      family: v.family,
      samplesMs: ms.map((x) => Math.round(x * 1000) / 1000),
      ...summary(ms),
      ratioToReference: ratios === null ? null : summary(ratios),
      answer: { entries: got.count, distinct: got.distinct, digest: got.digest, matchesEpindex: matches, ...(difference !== undefined ? { difference } : {}) },
    };
  });
  return { workload: w, env: env.id, distributions: env.distributions, pageCache: cold ? 'cold' : 'warm', reps, reference, variants: results };
}

// Peak memory (maximum resident set size, from the kernel through /usr/bin/time) of `epi` on
// the largest synthetic environment: a scan, a warm lookup at each level, a cache build.
const memory: MemoryResult[] = [];
{
  const largest = envs.filter((e) => e.kind === 'synthetic').at(-1);
  const timeBin = '/usr/bin/time';
  if (largest === undefined || !fs.existsSync(timeBin)) {
    problems.push('peak memory not measured: no synthetic environment or no /usr/bin/time');
  } else {
    const cases: Array<[string, string[]]> = [
      ['scan, one group (`epi list --group pytest11 --cache scan`)', ['list', '--group', GROUP, '--path', largest.dir, '--cache', 'scan', '--json']],
      ['warm lookup, stat (default)', ['list', '--group', GROUP, '--path', largest.dir, '--json']],
      ['warm lookup, listing', ['list', '--group', GROUP, '--path', largest.dir, '--freshness', 'listing', '--json']],
      ['every entry point, warm (`epi list`)', ['list', '--path', largest.dir, '--json']],
      ['cache build (`epi cache build --force`, scan + write)', ['cache', 'build', '--force', '--quiet', largest.dir]],
    ];
    for (const [what, args] of cases) {
      const kib: number[] = [];
      for (let i = 0; i < 3; i++) {
        const r = spawnSync(timeBin, ['-f', '%M', process.execPath, CLI_JS, ...args], { env: timedEnv(), cwd: EMPTY_CWD, encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
        const m = /(\d+)\s*$/.exec(r.stderr ?? '');
        if (r.status !== 0 || m === null) {
          problems.push(`peak memory of ${what}: exit ${r.status}`);
          break;
        }
        kib.push(Number(m[1]));
      }
      if (kib.length > 0) memory.push({ what, env: largest.id, distributions: largest.distributions, peakMiB: Math.round((Math.max(...kib) / 1024) * 10) / 10, runs: kib.length });
    }
    // The build above rewrote the cache: let it settle again so lookups take the cheap path.
    for (const r of await buildCaches([largest.dir], { ...cacheOpts, force: true, settle: true })) if (r.outcome !== 'written') throw new Error(`cannot rebuild the cache of ${r.pathEntry}: ${r.reason}`);
    log(`peak memory at ${largest.distributions.toLocaleString('en-US')} distributions: ${memory.map((m) => `${m.what} ${m.peakMiB} MiB`).join('; ')}`);
  }
}

const cells: CellResult[] = [];
for (const w of WORKLOADS.filter((x) => workloadIds.includes(x.id))) {
  for (const env of envs) {
    if (w.id === 'repeat100' && env.distributions > plan.repeatMaxDists && opts.sizes === undefined) continue;
    // Importing the library does not depend on the environment: measured once.
    if (w.id === 'import' && env !== envs[0]) continue;
    // Above 10,000 distributions a sample of the scanning peers takes seconds: the lookups the
    // targets are about only (one group, whole process and in-process).
    if (env.distributions > plan.allMaxDists && (w.id === 'all' || w.id === 'name') && opts.sizes === undefined) continue;
    cells.push(measureCell(w.id, env, false));
  }
  if (w.id === 'process') for (const env of envs.filter((e) => coldEnvs.has(e.id))) cells.push(measureCell(w.id, env, true));
}

// ---------------------------------------------------------------------------------------------
// Results

const cpus = os.cpus();
const results: Results = {
  schema: 1,
  mode: quick ? 'quick' : 'full',
  command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
  startedAt: started.toISOString(),
  durationSeconds: Math.round((performance.now() - t0) / 100) / 10,
  machine: {
    cpuModel: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    python: interp.version,
    pythonExecutable: interp.executable,
    nodeExtraCaCerts: { setInTheEnvironment: Boolean(process.env['NODE_EXTRA_CA_CERTS']), unsetForTimedProcesses: true },
    pageCache: { coldRunsAvailable: dropCaches.ok, note: dropCaches.why, coldRunsMade: coldEnvs.size > 0 },
  },
  method: {
    repetitions: `per cell: one untimed warm-up sample of every variant, then ${minReps}–${maxReps} timed repetitions (as many as fit in ${plan.budgetMs / 1000} s); in each repetition every variant runs once, in an order rotated every repetition`,
    inProcess: 'a fresh process per sample; the tool is imported first, then the lookup is timed inside the process (performance.now / time.perf_counter_ns) until the answer is built',
    wholeProcess: 'a fresh process per sample, timed from spawn to exit by the bench',
    ratios: `per repetition, the variant's time divided by the time of ${REFERENCE} in the same repetition; median and min–max over repetitions`,
    answers: 'every sample is checked: the set of (group, name, value) must equal epindex\'s (values compared canonically; pluggy and entrypoints.get_single keep the first entry of each name)',
    searchPath: 'in-process, sys.path is exactly [dir] for every Python peer and epindex gets --path dir; whole-process, Python finds dir through PYTHONPATH (in a venv without system site-packages) and epi through --path',
  },
  peers: [
    { id: 'epindex', version: JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version as string, installed: `this repository at ${build.commit}${build.srcChanged ? ' with uncommitted changes' : ''}; library dist/index.js (the package entry), CLI ${build.cli} (package.json bin)` },
    ...PEER_VENVS.map((p) => ({ id: p.name === 'stdlib' ? 'importlib.metadata' : p.name, version: peerVersions[p.name]!, installed: p.requirements.length === 0 ? `the standard library of python ${interp.version} (venv ${rel(venvs.get(p.name)!.dir)})` : `${p.requirements.join(' ')} in venv ${rel(venvs.get(p.name)!.dir)}` })),
  ],
  environments: envs.map(({ dir: _dir, generatedNow: _g, ...e }) => e),
  workloads: WORKLOADS.filter((x) => workloadIds.includes(x.id)),
  variants: VARIANTS.map((v) => ({ id: v.id, label: v.label, processLabel: v.processLabel, family: v.family, workloads: v.workloads })),
  cells,
  memory,
  targets: [],
  problems,
};
results.targets = evaluateTargets(results);
results.durationSeconds = Math.round((performance.now() - t0) / 100) / 10;
// A quick run never overwrites the committed results of a full run.
const docsDir = opts.out !== undefined ? path.dirname(path.resolve(opts.out)) : quick ? ensureDir(path.join(WORK, 'quick')) : DOCS_BENCH;
const outFile = opts.out !== undefined ? path.resolve(opts.out) : quick ? path.join(docsDir, 'results.json') : RESULTS_JSON;
await writeReports(results, { json: outFile, docs: docsDir, log });
log(`done in ${elapsed()}`);

function hashText(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16);
}
