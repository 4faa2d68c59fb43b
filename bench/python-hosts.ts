/**
 * `npm run bench:python [-- --quick] [-- --runs N]`: the Python-hosts benchmark of issue 16 —
 * real hosts from PyPI (pytest with its plugins, flake8 with its plugins, tox, keyring) and the
 * distributions loop, plain importlib.metadata against the accelerator, in (a) the real venv and
 * (b) that venv plus 5,000 synthetic distributions on a `.pth`, warm and with the metadata files'
 * contents evicted from the page cache, in one run, paired and interleaved; CPU time (user + sys)
 * of each whole process from the kernel (wait4). Plus: the time inside importlib.metadata during
 * `pytest --co` (cProfile), the loop at 50,000 distributions, the Debian layout, the
 * accelerator's start-up and `import epindex`, and epindex's own light lookup against the
 * importlib one-liner at 500 and 10,000 distributions. bench/README.md says how and why.
 *
 * Writes bench/python-hosts-results.json and docs/bench/python-hosts.md (a quick run: under
 * bench/.work/python-hosts/quick/). Every answer is checked: a difference fails the run (exit 1).
 * Nothing here runs in `npm test`.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_SEED, generateEnvironment, GENERATOR_VERSION, type GenerationSummary } from './lib/generate.js';
import { readProfile } from './lib/profile.js';
import { BENCH_SRC, ensureDir, PROFILE_JSON, rel, ROOT, WORK } from './lib/paths.js';
import { realPython } from './lib/python.js';
import { median, writeHostsReport, type HostsResults } from './lib/hosts-report.js';

const { values: opts } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    runs: { type: 'string' },
    out: { type: 'string' },
  },
});
const QUICK = opts.quick === true;
/** Timed rounds of every matrix (each round runs every variant once, in a rotated order). */
const ROUNDS = opts.runs !== undefined ? Number(opts.runs) : QUICK ? 3 : 11;
/** cProfile runs per variant. */
const PROFILE_ROUNDS = QUICK ? 2 : 7;
if (!Number.isInteger(ROUNDS) || ROUNDS < 1) throw new Error('--runs takes a positive integer');

const HW = path.join(WORK, 'python-hosts');
const OUT_DIR = QUICK ? ensureDir(path.join(HW, 'quick')) : null;
const RESULTS = opts.out ?? (OUT_DIR !== null ? path.join(OUT_DIR, 'python-hosts-results.json') : path.join(BENCH_SRC, 'python-hosts-results.json'));
const REPORT_MD = OUT_DIR !== null && opts.out === undefined ? path.join(OUT_DIR, 'python-hosts.md') : opts.out !== undefined ? opts.out.replace(/\.json$/, '') + '.md' : path.join(ROOT, 'docs', 'bench', 'python-hosts.md');
const RUNNER = path.join(BENCH_SRC, 'python-hosts.py');
const TEST_HOSTS = path.join(ROOT, 'python', 'tests', 'test_hosts.py');
const SRC_SNAPSHOT = path.join(HW, 'epindex-src');
const CWD = path.join(HW, 'cwd');
const SYNTHETIC = path.join(HW, 'synthetic');
const VENVS = path.join(HW, 'venvs');
const CACHES = path.join(HW, 'caches');
const RUN_DIR = path.join(HW, 'run');
/** The group of the light-lookup comparison (item 4): as the earlier Python benchmark. */
const GROUP = 'pytest11';
/**
 * The groups these hosts load plugins from. The generator's synthetic distributions resample
 * real entry_points.txt files, pytest and flake8 plugins included, whose modules do not exist:
 * a host would fail to load them. In the host environments these sections are renamed
 * (`[pytest11]` → `[synthetic.pytest11]`), so that the hosts walk 5,000 more distributions and
 * their entry points but load only their real plugins.
 */
const HOST_GROUPS = ['pytest11', 'flake8.extension', 'flake8.report', 'tox', 'keyring.backends'];
const LOOP = 'import importlib.metadata as m; [d.entry_points for d in m.distributions()]';
const RACY_WAIT_MS = 2200;

const started = new Date();
const t0 = performance.now();
const log = (s: string): void => void process.stderr.write(`[bench:python ${((performance.now() - t0) / 1000).toFixed(0)}s] ${s}\n`);
const problems: string[] = [];
const problem = (s: string): void => {
  problems.push(s);
  log(`PROBLEM: ${s}`);
};
const sleep = (ms: number): void => void Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
const sha = (s: string | Buffer): string => createHash('sha256').update(s).digest('hex').slice(0, 16);

// ---------------------------------------------------------------------------------------------
// Environments of processes

/** Setup processes (pip, venv): the caller's environment without PYTHON* (pip keeps its PIP_*). */
function setupEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(PYTHON|EPINDEX_|VIRTUAL_ENV$|NODE_EXTRA_CA_CERTS$|NODE_OPTIONS$)/.test(k)) env[k] = v;
  return env;
}

/**
 * Timed processes: a clean environment — none of PYTHON*, EPINDEX_*, PIP_*, PYTEST*, TOX*,
 * VIRTUAL_ENV, NODE_EXTRA_CA_CERTS, NODE_OPTIONS from the caller — plus the variant's own.
 */
function timedEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || /^(PYTHON|EPINDEX_|PIP_|PYTEST|TOX|COV_|VIRTUAL_ENV$|CONDA|NODE_EXTRA_CA_CERTS$|NODE_OPTIONS$)/.test(k)) continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

function run(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv, what: string, cwd = CWD): string {
  const r = spawnSync(cmd, args, { env, cwd, encoding: 'utf8', maxBuffer: 256 << 20, timeout: 1_800_000 });
  if (r.status !== 0) throw new Error(`${what} failed (exit ${r.status ?? r.signal}): ${cmd} ${args.join(' ')}\n${(r.stdout ?? '').slice(-2000)}${(r.stderr ?? '').slice(-3000)}`);
  return r.stdout;
}

// ---------------------------------------------------------------------------------------------
// Inputs: the pins of python/tests/test_hosts.py, the sources snapshot

/** The pins of the tests' real venv (PYTEST, FLAKE8, OTHERS, PLUGGY in test_hosts.py). */
function hostPins(): { pins: string[]; pytestPlugins: number; flake8Plugins: number } {
  const text = fs.readFileSync(TEST_HOSTS, 'utf8');
  const section = (name: string): string[] => {
    const m = new RegExp(`^${name} = (\\[[\\s\\S]*?\\]|"[^"]*")`, 'm').exec(text);
    if (m === null) throw new Error(`${rel(TEST_HOSTS)}: no ${name} = ... (the pins this benchmark reuses)`);
    return [...m[1]!.matchAll(/"([A-Za-z0-9_.\-]+==[^"]+)"/g)].map((x) => x[1]!);
  };
  const pytest = section('PYTEST');
  const flake8 = section('FLAKE8');
  const pins = [...pytest, ...flake8, ...section('OTHERS'), ...section('PLUGGY')];
  const pytestPlugins = pytest.filter((p) => p.startsWith('pytest-')).length;
  const flake8Plugins = flake8.filter((p) => !p.startsWith('flake8==')).length;
  if (pytestPlugins < 10 || flake8Plugins < 3 || !pins.some((p) => p.startsWith('tox==')) || !pins.some((p) => p.startsWith('keyring=='))) {
    throw new Error(`${rel(TEST_HOSTS)}: expected pytest with >= 10 plugins, flake8 with >= 3, tox and keyring; found ${pins.join(' ')}`);
  }
  return { pins, pytestPlugins, flake8Plugins };
}

/** python/src as it is now, copied: a change during the run cannot mix two versions. */
function snapshotSources(): string {
  fs.rmSync(SRC_SNAPSHOT, { recursive: true, force: true });
  fs.cpSync(path.join(ROOT, 'python', 'src'), SRC_SNAPSHOT, { recursive: true, filter: (src) => !/(__pycache__|\.epindex|\.egg-info)$/.test(src) });
  const h = createHash('sha256');
  const walk = (d: string): void => {
    for (const n of fs.readdirSync(d).sort()) {
      const p = path.join(d, n);
      if (fs.statSync(p).isDirectory()) walk(p);
      else h.update(path.relative(SRC_SNAPSHOT, p)).update(fs.readFileSync(p));
    }
  };
  walk(SRC_SNAPSHOT);
  return h.digest('hex').slice(0, 16);
}

// ---------------------------------------------------------------------------------------------
// Synthetic distributions

interface Synthetic {
  readonly dir: string;
  readonly n: number;
  readonly renamed: boolean;
  readonly summary: GenerationSummary;
  readonly renamedSections: number;
}

function synthetic(n: number, renamed: boolean): Synthetic {
  const dir = path.join(ensureDir(SYNTHETIC), `${renamed ? 'hosts' : 'plain'}-${n}`);
  const marker = `${dir}.json`;
  const profileText = fs.readFileSync(PROFILE_JSON, 'utf8');
  const want = { generatorVersion: GENERATOR_VERSION, seed: DEFAULT_SEED, n, profile: sha(profileText), renamed: renamed ? HOST_GROUPS : [], layout: 1 };
  if (fs.existsSync(marker) && fs.existsSync(dir)) {
    const m = JSON.parse(fs.readFileSync(marker, 'utf8')) as { want: unknown; summary: GenerationSummary; renamedSections: number };
    if (JSON.stringify(m.want) === JSON.stringify(want)) return { dir, n, renamed, summary: m.summary, renamedSections: m.renamedSections };
  }
  log(`generating ${n} synthetic distributions into ${rel(dir)} (bench/lib/generate.ts, seed ${DEFAULT_SEED})`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(marker, { force: true });
  const g0 = performance.now();
  const summary = generateEnvironment(dir, n, readProfile(PROFILE_JSON), DEFAULT_SEED);
  let renamedSections = 0;
  if (renamed) {
    const header = new RegExp(`^\\[(${HOST_GROUPS.map((g) => g.replace(/\./g, '\\.')).join('|')})\\]$`, 'gm');
    for (const d of fs.readdirSync(dir)) {
      if (!d.endsWith('.dist-info')) continue;
      const f = path.join(dir, d, 'entry_points.txt');
      if (!fs.existsSync(f)) continue;
      const text = fs.readFileSync(f, 'utf8');
      const next = text.replace(header, (_, g: string) => (renamedSections++, `[synthetic.${g}]`));
      if (next !== text) fs.writeFileSync(f, next);
    }
  }
  fs.writeFileSync(marker, JSON.stringify({ want, summary, renamedSections }, null, 2));
  log(`  ${summary.files} files, ${(summary.bytes / 1e6).toFixed(0)} MB, ${renamedSections} host sections renamed, ${((performance.now() - g0) / 1000).toFixed(0)} s`);
  return { dir, n, renamed, summary, renamedSections };
}

// ---------------------------------------------------------------------------------------------
// Venvs

interface Venv {
  readonly name: string;
  readonly dir: string;
  readonly python: string;
  readonly bin: string;
  readonly site: string;
  readonly cache: string;
  readonly created: boolean;
}

/**
 * A venv under bench/.work/python-hosts/venvs, reused while its inputs (interpreter, pins, how
 * it is made) are unchanged; the `.pth` files (epindex's sources, the synthetic directory) and
 * the accelerator are written again every run.
 */
function venv(name: string, base: string, spec: { pins: readonly string[]; pip: boolean; systemSite: boolean }): Venv {
  const dir = path.join(ensureDir(VENVS), name);
  const python = path.join(dir, 'bin', 'python');
  const marker = path.join(dir, '.bench-spec.json');
  const version = run(base, ['-c', 'import sys; print(sys.version)'], setupEnv(), 'python --version').trim();
  const want = JSON.stringify({ base, version, ...spec, layout: 1 });
  let created = false;
  if (!(fs.existsSync(python) && fs.existsSync(marker) && fs.readFileSync(marker, 'utf8') === want)) {
    log(`creating venv ${rel(dir)}${spec.pins.length > 0 ? ` (${spec.pins.length} pins from ${rel(TEST_HOSTS)})` : ''}`);
    fs.rmSync(dir, { recursive: true, force: true });
    run(base, ['-m', 'venv', ...(spec.pip ? [] : ['--without-pip']), ...(spec.systemSite ? ['--system-site-packages'] : []), dir], setupEnv(), 'venv');
    if (spec.pins.length > 0) run(python, ['-m', 'pip', 'install', '-q', '--disable-pip-version-check', '--no-input', '--only-binary', ':all:', ...spec.pins], setupEnv(), 'pip install');
    fs.writeFileSync(marker, want);
    created = true;
  }
  const site = run(python, ['-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])'], setupEnv(), 'purelib').trim();
  const cache = path.join(CACHES, name);
  return { name, dir, python, bin: path.dirname(python), site, cache, created };
}

/** The `.pth` files of this run, the bytecode, the accelerator. */
function prepareVenv(v: Venv, extraPath: string | null, accelerate: boolean): void {
  fs.writeFileSync(path.join(v.site, 'epindex-src.pth'), SRC_SNAPSHOT + '\n');
  const syn = path.join(v.site, 'synthetic.pth');
  if (extraPath !== null) fs.writeFileSync(syn, extraPath + '\n');
  else fs.rmSync(syn, { force: true });
  // PYTHONDONTWRITEBYTECODE is set on this machine: compile explicitly, or timed processes
  // would compile epindex on every start.
  const env = setupEnv();
  run(v.python, ['-m', 'compileall', '-q', SRC_SNAPSHOT], env, 'compileall epindex');
  run(v.python, ['-m', 'compileall', '-q', v.site], env, 'compileall site-packages');
  if (accelerate) run(v.python, ['-m', 'epindex', 'accelerate'], { ...env, EPINDEX_CACHE_DIR: v.cache }, 'accelerate');
  fs.rmSync(v.cache, { recursive: true, force: true });
}

// ---------------------------------------------------------------------------------------------
// Plans for the child-runner (bench/python-hosts.py run)

interface VariantSpec {
  readonly argv: readonly string[];
  readonly env: Record<string, string>;
  readonly cwd: string;
  readonly evict?: string;
  readonly tidy?: 'pytest' | 'keyring' | 'none';
  readonly timeout?: number;
}
interface Plan {
  readonly name: string;
  readonly rounds: number;
  readonly evictSets: Record<string, readonly string[]>;
  readonly blocks: readonly { readonly name: string; readonly prewarm?: readonly string[]; readonly variants: readonly string[] }[];
  readonly variants: Record<string, VariantSpec>;
}
interface Sample {
  readonly id: string;
  readonly round: number;
  readonly user: number;
  readonly sys: number;
  readonly cpu: number;
  readonly wall: number;
  readonly rc: number;
  readonly maxrss_kib: number;
  readonly majflt: number;
  readonly inblock: number;
  readonly timeout: boolean;
  readonly out: string;
  readonly text?: string;
}

const runner = (): string[] => [realPython().executable, '-I', '-S', RUNNER];

function runPlan(plan: Plan): Sample[] {
  ensureDir(RUN_DIR);
  const planFile = path.join(RUN_DIR, `${plan.name}.plan.json`);
  const outFile = path.join(RUN_DIR, `${plan.name}.samples.jsonl`);
  fs.writeFileSync(planFile, JSON.stringify(plan, null, 1));
  fs.rmSync(outFile, { force: true });
  const [exe, ...pre] = runner();
  const r = spawnSync(exe!, [...pre, 'run', planFile, outFile], { stdio: ['ignore', 'inherit', 'inherit'], env: setupEnv() });
  if (r.status !== 0) throw new Error(`the child-runner failed on plan ${plan.name} (exit ${r.status ?? r.signal})`);
  const samples = fs.readFileSync(outFile, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Sample);
  for (const s of samples) {
    if (s.rc !== 0) problem(`${plan.name}: ${s.id} (round ${s.round}) exited ${s.rc}${s.timeout ? ' (timeout)' : ''}: ${(s.text ?? '').slice(-400)}`);
  }
  return samples;
}

/** Run every variant of a plan once, untimed (warm-up: writes caches, fills the page cache). */
function warmUp(plan: Plan): void {
  for (const [id, v] of Object.entries(plan.variants)) {
    const r = spawnSync(v.argv[0]!, v.argv.slice(1), { env: v.env, cwd: v.cwd, encoding: 'utf8', timeout: 1_800_000, maxBuffer: 64 << 20 });
    if (r.status !== 0) problem(`warm-up of ${plan.name}: ${id} exited ${r.status}: ${(r.stdout + r.stderr).slice(-600)}`);
  }
}

/**
 * Warm-up: every variant once (the first accelerated process writes the caches), the racy
 * window, once more (a cache whose directory changed within 2 s of its scan is rewritten now),
 * the racy window again: no cache is younger than 2 s when the timing starts.
 */
function warmUpTwice(plan: Plan): void {
  warmUp(plan);
  sleep(RACY_WAIT_MS);
  warmUp(plan);
  sleep(RACY_WAIT_MS);
}

/** Every file of a cache directory with its size and mtime: the caches must not change while timed. */
function cacheState(dirs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const d of dirs) {
    if (!fs.existsSync(d)) continue;
    for (const f of fs.readdirSync(d, { recursive: true }) as string[]) {
      const p = path.join(d, f);
      const st = fs.statSync(p);
      if (st.isFile()) out[p] = `${st.size}:${st.mtimeMs}`;
    }
  }
  return out;
}

function checkCachesUnchanged(what: string, before: Record<string, string>, dirs: readonly string[]): void {
  const after = cacheState(dirs);
  const changed = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => before[k] !== after[k]);
  if (changed.length > 0) problem(`${what}: caches were (re)written while timed: ${changed.map((c) => rel(c)).join(', ')}`);
}

function statsOf(file: string): { runs: number; answered: number; fellBack: number; inactive: number; reasons: Record<string, number> } {
  const out = { runs: 0, answered: 0, fellBack: 0, inactive: 0, reasons: {} as Record<string, number> };
  if (!fs.existsSync(file)) return out;
  for (const line of fs.readFileSync(file, 'utf8').split('\n').filter(Boolean)) {
    const s = JSON.parse(line) as { answered: number; fell_back: number; reasons: Record<string, number>; active: boolean };
    out.runs++;
    out.answered += s.answered;
    out.fellBack += s.fell_back;
    if (!s.active) out.inactive++;
    for (const [k, n] of Object.entries(s.reasons)) out.reasons[k] = (out.reasons[k] ?? 0) + n;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Statistics

/** Milliseconds of CPU of variant `id`, by round. */
function cpuByRound(samples: readonly Sample[], id: string): number[] {
  const out: number[] = [];
  for (const s of samples) if (s.id === id) out[s.round] = s.cpu * 1000;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Machine

function machine(): Record<string, unknown> {
  const cpus = os.cpus();
  let osName = `${os.type()} ${os.release()}`;
  try {
    const rel0 = fs.readFileSync('/etc/os-release', 'utf8');
    osName = /PRETTY_NAME="([^"]+)"/.exec(rel0)?.[1] ?? osName;
  } catch {
    /* not Linux */
  }
  return { cpu: cpus[0]?.model ?? 'unknown', cores: cpus.length, memoryGiB: Math.round(os.totalmem() / 2 ** 30), os: osName, node: process.version, loadAverageAtStart: os.loadavg().map((x) => Number(x.toFixed(2))) };
}

// ---------------------------------------------------------------------------------------------
// Main

function main(): void {
  const nodeExtraCa = process.env['NODE_EXTRA_CA_CERTS'] !== undefined;
  const interp = realPython();
  log(`python ${interp.version} (${interp.executable}); ${ROUNDS} rounds${QUICK ? ' (quick)' : ''}; NODE_EXTRA_CA_CERTS ${nodeExtraCa ? 'set here, unset for every timed process' : 'not set'}`);
  const git = (args: string[]): string => spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' }).stdout?.trim() ?? '';
  const commit = git(['rev-parse', '--short', 'HEAD']);
  const dirty = git(['status', '--porcelain', '--', 'python/src']) !== '';
  const srcHash = snapshotSources();
  const { pins, pytestPlugins, flake8Plugins } = hostPins();

  // Working directory of the hosts: a one-test file and a pytest.ini (so that pytest's rootdir
  // is here, whatever the clone's parents hold).
  ensureDir(CWD);
  fs.writeFileSync(path.join(CWD, 'test_one.py'), 'def test_one():\n    assert True\n');
  fs.writeFileSync(path.join(CWD, 'pytest.ini'), '[pytest]\n');
  fs.rmSync(path.join(CWD, '.pytest_cache'), { recursive: true, force: true });

  const syn5k = synthetic(5000, true);
  const syn50k = synthetic(50_000, true);
  const syn500 = synthetic(500, false);
  const syn10k = synthetic(10_000, false);

  const hostsSpec = { pins, pip: true, systemSite: false };
  const va = venv('hosts-a', interp.executable, hostsSpec);
  const vb = venv('hosts-b-5000', interp.executable, hostsSpec);
  const vc = venv('hosts-c-50000', interp.executable, hostsSpec);
  const v500 = venv('light-500', interp.executable, { pins: [], pip: false, systemSite: false });
  const v10k = venv('light-10000', interp.executable, { pins: [], pip: false, systemSite: false });
  prepareVenv(va, null, true);
  prepareVenv(vb, syn5k.dir, true);
  prepareVenv(vc, syn50k.dir, true);
  prepareVenv(v500, syn500.dir, false);
  prepareVenv(v10k, syn10k.dir, false);
  const realDists = fs.readdirSync(va.site).filter((c) => /\.(dist|egg)-info$/.test(c)).length;
  const installed = JSON.parse(run(va.python, ['-m', 'pip', 'list', '--format', 'json', '--disable-pip-version-check'], setupEnv(), 'pip list')) as { name: string; version: string }[];
  // Directories just written (the .pth files, the accelerator) would make the first caches racy.
  sleep(RACY_WAIT_MS);

  const envOf = (v: Venv, mode: 'plain' | 'accelerated', extra: Record<string, string> = {}): Record<string, string> =>
    timedEnv({ EPINDEX_CACHE_DIR: v.cache, ...(mode === 'plain' ? { EPINDEX_ACCELERATE: '0' } : {}), ...extra });

  // -- the hosts
  const HOSTS = [
    { id: 'pytest-co', label: '`pytest --co -q` (one-test file)', argv: (v: Venv) => [path.join(v.bin, 'pytest'), '--co', '-q', 'test_one.py'], tidy: 'pytest' as const, target: true },
    { id: 'pytest-version', label: '`pytest --version --version`', argv: (v: Venv) => [path.join(v.bin, 'pytest'), '--version', '--version'], tidy: 'none' as const, target: false },
    { id: 'flake8-version', label: '`flake8 --version`', argv: (v: Venv) => [path.join(v.bin, 'flake8'), '--version'], tidy: 'none' as const, target: true },
    { id: 'loop', label: 'the distributions loop', argv: (v: Venv) => [v.python, '-c', LOOP], tidy: 'none' as const, target: true },
    { id: 'keyring', label: '`keyring --list-backends`', argv: (v: Venv) => [path.join(v.bin, 'keyring'), '--list-backends'], tidy: 'keyring' as const, target: false },
    { id: 'tox-version', label: '`tox --version`', argv: (v: Venv) => [path.join(v.bin, 'tox'), '--version'], tidy: 'none' as const, target: false },
  ];
  const ENVS = { a: va, b: vb } as const;
  const MODES = ['plain', 'accelerated'] as const;
  const PAGES = ['warm', 'evicted'] as const;
  const vid = (h: string, e: string, m: string, p: string): string => `${h}|${e}|${m}|${p}`;
  const evictSets = { a: [va.site, va.cache], b: [vb.site, syn5k.dir, vb.cache] };
  const statsFile = path.join(RUN_DIR, 'accelerator-stats.jsonl');
  ensureDir(RUN_DIR);
  fs.rmSync(statsFile, { force: true });
  const hostVariants: Record<string, VariantSpec> = {};
  for (const h of HOSTS) {
    for (const [e, v] of Object.entries(ENVS)) {
      for (const m of MODES) {
        for (const p of PAGES) {
          hostVariants[vid(h.id, e, m, p)] = {
            argv: h.argv(v),
            env: envOf(v, m, m === 'accelerated' ? { EPINDEX_ACCELERATOR_STATS: statsFile } : {}),
            cwd: CWD,
            tidy: h.tidy,
            ...(p === 'evicted' ? { evict: e } : {}),
          };
        }
      }
    }
  }
  const ids = (p: string): string[] => Object.keys(hostVariants).filter((k) => k.endsWith(`|${p}`));
  const hostsPlan: Plan = {
    name: 'hosts',
    rounds: ROUNDS,
    evictSets,
    blocks: [
      { name: 'warm', prewarm: ['a', 'b'], variants: ids('warm') },
      { name: 'evicted', variants: ids('evicted') },
    ],
    variants: hostVariants,
  };

  // -- warm-up: every variant once (the first accelerated runs write the caches), then the
  // racy window, then once more; no cache may change after that.
  log('warm-up of the hosts (writes the caches)');
  const warmVariants = (p: Plan): Plan => ({ ...p, variants: Object.fromEntries(Object.entries(p.variants).filter(([k]) => !k.includes('|evicted'))) });
  warmUpTwice(warmVariants(hostsPlan));

  // -- the answers, untimed: the loop's whole answer in each environment, plain and accelerated
  const digests: Record<string, unknown> = {};
  const digestOf = (v: Venv, mode: 'plain' | 'accelerated', args: string[]): { count: number; digest: string; stats: { answered: number; fell_back: number; reasons: Record<string, number>; active: boolean } | null } =>
    JSON.parse(run(v.python, [RUNNER, 'digest', ...args], envOf(v, mode), `digest ${args.join(' ')} in ${v.name}`)) as never;
  const compareDigests = (label: string, v: Venv, args: string[]): void => {
    const plain = digestOf(v, 'plain', args);
    const acc = digestOf(v, 'accelerated', args);
    const ok = plain.digest === acc.digest && plain.count === acc.count;
    digests[label] = { plain: { count: plain.count, digest: plain.digest }, accelerated: { count: acc.count, digest: acc.digest, stats: acc.stats }, identical: ok };
    if (!ok) problem(`${label}: the accelerated answer differs from plain importlib (${acc.count} vs ${plain.count} items)`);
    if (acc.stats === null || !acc.stats.active || acc.stats.answered === 0) problem(`${label}: the accelerator did not answer (${JSON.stringify(acc.stats)})`);
    else if (acc.stats.fell_back !== 0) problem(`${label}: the accelerator fell back ${acc.stats.fell_back} times: ${JSON.stringify(acc.stats.reasons)}`);
  };

  // -- eviction check: an importlib scan of (b), warm and evicted
  log('checking that eviction works: the plain loop in (b), warm and evicted');
  const evictCheckPlan: Plan = {
    name: 'evict-check',
    rounds: QUICK ? 2 : 3,
    evictSets,
    blocks: [
      { name: 'warm', prewarm: ['b'], variants: ['warm'] },
      { name: 'evicted', variants: ['evicted'] },
    ],
    variants: { warm: { argv: [vb.python, '-c', LOOP], env: envOf(vb, 'plain'), cwd: CWD }, evicted: { argv: [vb.python, '-c', LOOP], env: envOf(vb, 'plain'), cwd: CWD, evict: 'b' } },
  };
  const ec = runPlan(evictCheckPlan);
  const evictFiles = Object.fromEntries(
    (['a', 'b'] as const).map((s) => [s, JSON.parse(run(runner()[0]!, [...runner().slice(1), 'evict-files', path.join(RUN_DIR, 'evict-check.plan.json'), s], setupEnv(), 'evict-files')) as { files: number; bytes: number }]),
  );
  const ecOf = (id: string) => ({ cpuMs: median(ec.filter((s) => s.id === id).map((s) => s.cpu * 1000)), wallMs: median(ec.filter((s) => s.id === id).map((s) => s.wall * 1000)), inblock: median(ec.filter((s) => s.id === id).map((s) => s.inblock)) });
  const evictionCheck = { what: 'python -c LOOP, plain importlib, environment (b)', rounds: evictCheckPlan.rounds, warm: ecOf('warm'), evicted: ecOf('evicted'), files: evictFiles };
  log(`  warm ${evictionCheck.warm.cpuMs.toFixed(0)} ms CPU (${evictionCheck.warm.inblock} blocks read), evicted ${evictionCheck.evicted.cpuMs.toFixed(0)} ms CPU (${evictionCheck.evicted.inblock} blocks read)`);
  if (!(evictionCheck.evicted.inblock > evictionCheck.warm.inblock)) problem(`eviction did not make the scan read from disk (blocks read: warm ${evictionCheck.warm.inblock}, evicted ${evictionCheck.evicted.inblock})`);

  // -- the hosts, timed
  const cacheDirs = [va.cache, vb.cache];
  const before = cacheState(cacheDirs);
  log(`timing the hosts: ${Object.keys(hostVariants).length} variants × ${ROUNDS} rounds`);
  const hs = runPlan(hostsPlan);
  checkCachesUnchanged('hosts', before, cacheDirs);
  const hostStats = statsOf(statsFile);
  if (hostStats.inactive > 0) problem(`the accelerator was inactive in ${hostStats.inactive} accelerated processes`);
  if (hostStats.fellBack > 0) problem(`the accelerator fell back ${hostStats.fellBack} times in the hosts: ${JSON.stringify(hostStats.reasons)}`);

  // Every sample of a host in an environment printed the same (plain, accelerated, warm, evicted).
  const outputs: Record<string, { identical: boolean; text: string }> = {};
  for (const h of HOSTS) {
    for (const e of Object.keys(ENVS)) {
      const mine = hs.filter((s) => s.id.startsWith(`${h.id}|${e}|`));
      const ref = mine.find((s) => s.id === vid(h.id, e, 'plain', 'warm'));
      const differing = mine.filter((s) => s.out !== ref?.out);
      outputs[`${h.id}|${e}`] = { identical: differing.length === 0, text: (ref?.text ?? '').slice(-1500) };
      if (differing.length > 0) {
        const d = differing[0]!;
        const dText = hs.find((s) => s.id === d.id && s.out === d.out && s.text !== undefined)?.text ?? '';
        problem(`${h.id} in (${e}): ${d.id} printed otherwise than plain (round ${d.round}):\n--- plain\n${(ref?.text ?? '').slice(-800)}\n--- ${d.id}\n${dText.slice(-800)}`);
      }
    }
  }
  compareDigests('loop (a)', va, ['loop']);
  compareDigests('loop (b)', vb, ['loop']);

  // -- the loop at 50,000
  log('the loop at 50,000 synthetic distributions');
  const loopPlan: Plan = {
    name: 'loop-50000',
    rounds: ROUNDS,
    evictSets: { c: [vc.site, syn50k.dir, vc.cache] },
    blocks: [{ name: 'warm', prewarm: ['c'], variants: ['plain', 'accelerated'] }],
    variants: { plain: { argv: [vc.python, '-c', LOOP], env: envOf(vc, 'plain'), cwd: CWD }, accelerated: { argv: [vc.python, '-c', LOOP], env: envOf(vc, 'accelerated'), cwd: CWD } },
  };
  warmUpTwice(loopPlan);
  compareDigests('loop (50,000)', vc, ['loop']);
  const beforeC = cacheState([vc.cache]);
  const ls = runPlan(loopPlan);
  checkCachesUnchanged('loop-50000', beforeC, [vc.cache]);

  // -- item 4: epindex's light lookup against the importlib one-liner
  log(`the light lookup (group ${GROUP}) at 500 and 10,000 distributions`);
  const lightVariants: Record<string, VariantSpec> = {};
  const LIGHT = {
    importlib: `import importlib.metadata as m; m.entry_points(group='${GROUP}')`,
    records: `import epindex; epindex.entry_point_records(group='${GROUP}')`,
    epindex: `import epindex; epindex.entry_points(group='${GROUP}')`,
    pass: 'pass',
  } as const;
  const lightVenvs = { 500: v500, 10000: v10k } as const;
  for (const [n, v] of Object.entries(lightVenvs)) for (const [k, code] of Object.entries(LIGHT)) lightVariants[`${k}|${n}`] = { argv: [v.python, '-c', code], env: envOf(v, 'plain'), cwd: CWD };
  const lightPlan: Plan = { name: 'light', rounds: ROUNDS, evictSets: { l500: [v500.site, syn500.dir, v500.cache], l10k: [v10k.site, syn10k.dir, v10k.cache] }, blocks: [{ name: 'warm', prewarm: ['l500', 'l10k'], variants: Object.keys(lightVariants) }], variants: lightVariants };
  warmUpTwice(lightPlan);
  const lightAnswers: Record<string, unknown> = {};
  for (const [n, v] of Object.entries(lightVenvs)) {
    const imp = digestOf(v, 'plain', ['group', GROUP]);
    const recs = JSON.parse(run(v.python, [RUNNER, 'digest', 'records', GROUP], envOf(v, 'plain'), 'digest records')) as { count: number; digest: string };
    const epi = JSON.parse(run(v.python, [RUNNER, 'digest', 'epindex', GROUP], envOf(v, 'plain'), 'digest epindex')) as { count: number; digest: string };
    lightAnswers[n] = { importlib: imp.count, records: recs.count, epindex: epi.count, identical: imp.digest === recs.digest && imp.digest === epi.digest };
    if (imp.digest !== recs.digest) problem(`light lookup at ${n}: entry_point_records(group=${GROUP}) differs from importlib (${recs.count} vs ${imp.count})`);
    if (imp.digest !== epi.digest) problem(`light lookup at ${n}: epindex.entry_points(group=${GROUP}) differs from importlib (${epi.count} vs ${imp.count})`);
  }
  const beforeL = cacheState([v500.cache, v10k.cache]);
  const lt = runPlan(lightPlan);
  checkCachesUnchanged('light', beforeL, [v500.cache, v10k.cache]);

  // -- the loop's anatomy: what its whole process spends, step by step (informative)
  log('the anatomy of the loop in (b) and at 50,000');
  const ANATOMY = {
    pass: 'pass',
    import: 'import importlib.metadata',
    discover: 'import importlib.metadata as m, gc, os; gc.disable(); list(m.distributions()); os._exit(0)',
    'loop-no-gc-no-exit': `import importlib.metadata as m, gc, os; gc.disable(); [d.entry_points for d in m.distributions()]; os._exit(0)`,
    'loop-no-exit': `import importlib.metadata as m, os; [d.entry_points for d in m.distributions()]; os._exit(0)`,
    loop: LOOP,
  } as const;
  const anatomyVariants: Record<string, VariantSpec> = {};
  for (const [e, v] of Object.entries({ a: va, b: vb, c: vc })) for (const m of MODES) for (const [k, code] of Object.entries(ANATOMY)) anatomyVariants[`${k}|${e}|${m}`] = { argv: [v.python, '-c', code], env: envOf(v, m), cwd: CWD };
  const anatomyPlan: Plan = { name: 'anatomy', rounds: QUICK ? 2 : 5, evictSets: { ...evictSets, c: [vc.site, syn50k.dir, vc.cache] }, blocks: [{ name: 'warm', prewarm: ['a', 'b', 'c'], variants: Object.keys(anatomyVariants) }], variants: anatomyVariants };
  const an = runPlan(anatomyPlan);

  // -- start-up: whole process `python -c pass`, accelerated and off, and in-process
  log('start-up');
  const startPlan: Plan = {
    name: 'startup',
    rounds: ROUNDS * 3,
    evictSets: {},
    blocks: [{ name: 'warm', variants: ['accelerated', 'off'] }],
    variants: { accelerated: { argv: [va.python, '-c', 'pass'], env: envOf(va, 'accelerated'), cwd: CWD }, off: { argv: [va.python, '-c', 'pass'], env: envOf(va, 'plain'), cwd: CWD } },
  };
  warmUp(startPlan);
  const sp = runPlan(startPlan);
  const inProcess = [0, 1, 2].map(() => JSON.parse(run(va.python, [RUNNER, 'startup', QUICK ? '300' : '1000'], envOf(va, 'accelerated'), 'startup')) as { medianMs: number; firstMs: number; p90Ms: number; installedAtStart: boolean });
  if (!inProcess.every((x) => x.installedAtStart)) problem('start-up: the hook was not installed at start in the accelerated venv');
  const firstImport = Array.from({ length: QUICK ? 7 : 31 }, () => (JSON.parse(run(va.python, ['-S', RUNNER, 'startup-first', va.site], envOf(va, 'accelerated'), 'startup-first')) as { ms: number }).ms);
  const importEpindex = Array.from({ length: QUICK ? 7 : 31 }, () => JSON.parse(run(va.python, ['-c', 'import time; t = time.perf_counter(); import epindex; print((time.perf_counter() - t) * 1000)'], envOf(va, 'accelerated'), 'import epindex')) as number);

  // -- cProfile: the time inside importlib.metadata / epindex / the hook
  log(`cProfile: ${PROFILE_ROUNDS} runs of each host variant`);
  const PROFILED = [
    { host: 'pytest-co', args: ['--module', 'pytest', '--co', '-q', 'test_one.py'], envs: { a: va, b: vb } },
    { host: 'flake8-version', args: ['--module', 'flake8', '--version'], envs: { a: va, b: vb } },
    { host: 'loop', args: ['--code', LOOP], envs: { a: va, b: vb, c: vc } },
  ];
  interface Prof { insideMs: number; overlapBoundMs: number; importlibImportMs: number; entryPointLoadMs: number; processCpuMs: number; exit: number; entries: { function: string; ms: number; calls: number }[]; hot: { function: string; selfMs: number; calls: number }[] }
  const profiles: Record<string, Prof[]> = {};
  const profFile = path.join(RUN_DIR, 'profile.json');
  for (let r = 0; r < PROFILE_ROUNDS; r++) {
    for (const p of PROFILED) {
      for (const [e, v] of Object.entries(p.envs)) {
        for (const m of r % 2 === 0 ? MODES : [...MODES].reverse()) {
          run(v.python, [RUNNER, 'profile', profFile, ...p.args], envOf(v, m), `profile ${p.host}`);
          const got = JSON.parse(fs.readFileSync(profFile, 'utf8')) as Prof;
          if (got.exit !== 0) problem(`profile of ${p.host} in (${e}) ${m} exited ${got.exit}`);
          (profiles[`${p.host}|${e}|${m}`] ??= []).push(got);
        }
      }
    }
  }

  // -- the Debian layout
  const debian = debianCheck();

  // ---------------------------------------------------------------------------------------------
  // Results

  const results: HostsResults = {
    when: started.toISOString(),
    durationSeconds: Math.round((performance.now() - t0) / 1000),
    command: `npm run bench:python${QUICK ? ' -- --quick' : opts.runs !== undefined ? ` -- --runs ${ROUNDS}` : ''}`,
    quick: QUICK,
    rounds: ROUNDS,
    profileRounds: PROFILE_ROUNDS,
    machine: { ...machine(), loadAverageAtEnd: os.loadavg().map((x) => Number(x.toFixed(2))) },
    nodeExtraCaCerts: nodeExtraCa ? 'set in the caller, unset for every timed process' : 'not set',
    python: { version: interp.version, executable: interp.executable },
    epindex: { commit, pythonSrcChanged: dirty, pythonSrcHash: srcHash },
    environments: {
      a: { what: 'the real venv', distributions: realDists, pins, pytestPlugins, flake8Plugins, installed: installed.map((d) => `${d.name}==${d.version}`) },
      b: { what: '(a) plus synthetic distributions on a .pth', distributions: realDists + syn5k.n, synthetic: syn5k.summary, renamedHostSections: syn5k.renamedSections, where: rel(syn5k.dir) },
      c: { what: '(a) plus 50,000 synthetic distributions on a .pth', distributions: realDists + syn50k.n, synthetic: syn50k.summary, renamedHostSections: syn50k.renamedSections, where: rel(syn50k.dir) },
      light500: { what: 'a venv without pip, 500 synthetic distributions on a .pth', synthetic: syn500.summary },
      light10000: { what: 'a venv without pip, 10,000 synthetic distributions on a .pth', synthetic: syn10k.summary },
      renamedGroups: HOST_GROUPS,
    },
    evictionCheck,
    hosts: HOSTS.map((h) => ({
      id: h.id,
      label: h.label,
      command: h.argv({ ...va, bin: 'VENV/bin', python: 'VENV/bin/python' } as Venv).map((a) => (a.includes(' ') ? `"${a}"` : a)).join(' '),
      target: h.target,
      cpuMs: Object.fromEntries(PAGES.flatMap((p) => Object.keys(ENVS).flatMap((e) => MODES.map((m) => [`${m}|${e}|${p}`, cpuByRound(hs, vid(h.id, e, m, p))])))),
      wallMs: Object.fromEntries(PAGES.flatMap((p) => Object.keys(ENVS).flatMap((e) => MODES.map((m) => [`${m}|${e}|${p}`, median(hs.filter((s) => s.id === vid(h.id, e, m, p)).map((s) => s.wall * 1000))])))),
      outputsIdentical: { a: outputs[`${h.id}|a`]!.identical, b: outputs[`${h.id}|b`]!.identical },
      output: outputs[`${h.id}|a`]!.text,
    })),
    acceleratorStats: hostStats,
    digests,
    loop50000: { command: `VENV/bin/python -c "${LOOP}"`, distributions: realDists + syn50k.n, cpuMs: { plain: cpuByRound(ls, 'plain'), accelerated: cpuByRound(ls, 'accelerated') } },
    light: {
      group: GROUP,
      commands: LIGHT,
      cpuMs: Object.fromEntries(Object.keys(lightVariants).map((k) => [k, cpuByRound(lt, k)])),
      answers: lightAnswers,
    },
    startup: {
      processCpuMs: { accelerated: cpuByRound(sp, 'accelerated'), off: cpuByRound(sp, 'off') },
      inProcess,
      firstImportMs: firstImport,
      importEpindexMs: importEpindex,
    },
    anatomy: { steps: ANATOMY, rounds: anatomyPlan.rounds, cpuMs: Object.fromEntries(Object.keys(anatomyVariants).map((k) => [k, cpuByRound(an, k)])) },
    profiles,
    debian,
    problems,
  };
  fs.mkdirSync(path.dirname(RESULTS), { recursive: true });
  fs.writeFileSync(RESULTS, resultsJson(results));
  const table = writeHostsReport(results, REPORT_MD);
  process.stdout.write(table + '\n');
  log(`wrote ${rel(RESULTS)} and ${rel(REPORT_MD)} in ${results.durationSeconds} s`);
  if (problems.length > 0) {
    log(`${problems.length} problem(s):\n- ${problems.join('\n- ')}`);
    process.exitCode = 1;
  }
}

/** The results as JSON: times to the microsecond; arrays of numbers, and objects of nothing but scalars, on one line. */
function resultsJson(results: unknown): string {
  const text = JSON.stringify(results, (_, v: unknown) => (typeof v === 'number' && !Number.isInteger(v) ? Math.round(v * 1000) / 1000 : v), 1);
  return (
    text
      .replace(/\[\n\s*(-?[\d.e+-]+(?:,\n\s*-?[\d.e+-]+)*)\n\s*\]/g, (_, inner: string) => `[${inner.replace(/,\n\s*/g, ', ')}]`)
      .replace(/\{\n\s*("[^\n]*?(?:,\n\s*"[^\n]*?)*)\n\s*\}/g, (m: string, inner: string) => (/[{[]\s*$/m.test(inner) ? m : `{ ${inner.replace(/,\n\s*/g, ', ')} }`)) + '\n'
  );
}

// ---------------------------------------------------------------------------------------------
// The Debian layout: the system python3 in a venv with --system-site-packages

function debianCheck(): HostsResults['debian'] {
  const system = '/usr/bin/python3';
  const dist = '/usr/lib/python3/dist-packages';
  if (!fs.existsSync(system) || !fs.existsSync(dist)) return { skipped: `no ${system} or ${dist} on this machine` };
  const norm = (c: string): string => c.replace(/\.(dist|egg)-info$/, '').split('-')[0]!.toLowerCase().replace(/[-_.]+/g, '_');
  const byName = new Map<string, string[]>();
  for (const c of fs.readdirSync(dist)) if (/\.(dist|egg)-info$/.test(c)) byName.set(norm(c), [...(byName.get(norm(c)) ?? []), c]);
  const pairs = [...byName.values()].filter((cs) => cs.some((c) => c.endsWith('.dist-info')) && cs.some((c) => c.endsWith('.egg-info')));
  if (pairs.length === 0) return { skipped: `${dist} has no dist-info beside an egg-info of the same name` };
  log(`the Debian layout: ${dist} (${pairs.map((p) => p.join(' + ')).join('; ')})`);
  const inDirBefore = fs.existsSync(path.join(dist, '.epindex'));
  const v = venv('debian-system-site', system, { pins: [], pip: false, systemSite: true });
  prepareVenv(v, null, true);
  sleep(RACY_WAIT_MS);
  const env = (mode: 'plain' | 'accelerated'): Record<string, string> => timedEnv({ EPINDEX_CACHE_DIR: v.cache, ...(mode === 'plain' ? { EPINDEX_ACCELERATE: '0' } : {}) });
  const groups = [...new Set(fs.readdirSync(dist).flatMap((c) => {
    const f = path.join(dist, c, 'entry_points.txt');
    return fs.existsSync(f) ? [...fs.readFileSync(f, 'utf8').matchAll(/^\[([^\]]+)\]/gm)].map((m) => m[1]!.trim()) : [];
  }))].sort();
  const checks: { what: string; plainCount: number; acceleratedCount: number; identical: boolean; stats: unknown }[] = [];
  const digest = (mode: 'plain' | 'accelerated', args: string[]): { count: number; digest: string; stats: { answered: number; fell_back: number; reasons: Record<string, number>; active: boolean } | null } =>
    JSON.parse(run(v.python, [RUNNER, 'digest', ...args], env(mode), `digest ${args.join(' ')} (Debian)`)) as never;
  // first accelerated process writes the caches (user cache: these directories are not ours)
  digest('accelerated', ['loop']);
  sleep(RACY_WAIT_MS);
  for (const args of [['loop'], ...groups.map((g) => ['group', g])]) {
    const plain = digest('plain', args);
    const acc = digest('accelerated', args);
    const what = args[0] === 'loop' ? 'the distributions loop' : `entry_points(group="${args[1]}")`;
    const identical = plain.digest === acc.digest && plain.count === acc.count;
    checks.push({ what, plainCount: plain.count, acceleratedCount: acc.count, identical, stats: acc.stats });
    if (!identical) problem(`Debian layout: ${what} differs accelerated (${acc.count}) from plain (${plain.count})`);
    if (acc.stats === null || !acc.stats.active || acc.stats.answered === 0) problem(`Debian layout: ${what}: the accelerator did not answer (${JSON.stringify(acc.stats)})`);
    else if (acc.stats.fell_back !== 0) problem(`Debian layout: ${what}: fell_back ${acc.stats.fell_back}: ${JSON.stringify(acc.stats.reasons)}`);
  }
  const inDirAfter = fs.existsSync(path.join(dist, '.epindex'));
  if (!inDirBefore && inDirAfter) problem(`Debian layout: a cache was written into ${dist}/.epindex (expected the user cache only)`);
  const version = run(v.python, ['-c', 'import platform; print(platform.python_version())'], env('plain'), 'version').trim();
  return { python: `${system} ${version}`, venv: 'python3 -m venv --system-site-packages', directory: dist, pairs, checks };
}

main();
