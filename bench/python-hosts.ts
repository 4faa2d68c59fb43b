/**
 * The Python-hosts benchmark (issue 8): epindex's Python reader and the importlib.metadata
 * accelerator against importlib.metadata, on the synthetic 500- and 10,000-distribution
 * environments of the main benchmark (bench/lib/generate.ts, same profile and seed), installed
 * as the site-packages of a throwaway venv of the machine's python3, with warm caches.
 *
 *   npm run bench:python [-- --sizes 500,10000 --runs 15]
 *
 * One run; medians. Results go to bench/python-hosts-results.json and a table on stdout.
 * Nothing here is a timed test: `npm test` never runs it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_SEED, generateEnvironment } from './lib/generate.js';
import { readProfile } from './lib/profile.js';
import { BENCH_SRC, ensureDir, PROFILE_JSON, ROOT, WORK } from './lib/paths.js';
import { realPython } from './lib/python.js';

const HARNESS = path.join(BENCH_SRC, 'python-hosts.py');
const RESULTS = path.join(BENCH_SRC, 'python-hosts-results.json');
const PYTHON_SRC = path.join(ROOT, 'python', 'src');
const GROUP = 'pytest11';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
};
const SIZES = arg('sizes', '500,10000').split(',').map(Number);
const RUNS = Number(arg('runs', '15'));
const REPEATS = Number(arg('repeats', '100'));

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

// Timed children get a clean environment: no NODE_EXTRA_CA_CERTS (Node is not involved here,
// but keep the rule), no PYTHON* variables, an empty working directory.
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('PYTHON') && !k.startsWith('EPINDEX_') && k !== 'NODE_EXTRA_CA_CERTS') env[k] = v;
  return { ...env, ...extra };
}

interface Venv {
  readonly python: string;
  readonly site: string;
}

function venvWith(n: number, accelerated: boolean, log: (s: string) => void): Venv {
  const dir = path.join(ensureDir(path.join(WORK, 'python-hosts')), `${n}${accelerated ? '-accelerated' : ''}`);
  const python = path.join(dir, 'bin', 'python');
  const marker = path.join(dir, '.generated');
  const py = realPython();
  const want = JSON.stringify({ n, accelerated, python: py.executable, seed: DEFAULT_SEED, src: PYTHON_SRC, version: 2 });
  const siteOf = (): string => execFileSync(python, ['-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])'], { encoding: 'utf8' }).trim();
  if (fs.existsSync(marker) && fs.readFileSync(marker, 'utf8') === want) return { python, site: siteOf() };
  log(`creating ${path.relative(ROOT, dir)} (${n} distributions)`);
  fs.rmSync(dir, { recursive: true, force: true });
  execFileSync(py.executable, ['-m', 'venv', '--without-pip', dir]);
  const site = siteOf();
  fs.rmSync(site, { recursive: true, force: true }); // the generator creates it
  generateEnvironment(site, n, readProfile(PROFILE_JSON), DEFAULT_SEED);
  fs.writeFileSync(path.join(site, 'epindex-src.pth'), PYTHON_SRC + '\n');
  if (accelerated) execFileSync(python, ['-m', 'epindex', 'accelerate'], { env: cleanEnv() });
  fs.writeFileSync(marker, want);
  return { python, site };
}

function runJson(python: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): Record<string, unknown> {
  const r = spawnSync(python, args, { env, cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${python} ${args.join(' ')} failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

function wallMs(python: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): number {
  const t = process.hrtime.bigint();
  const r = spawnSync(python, args, { env, cwd, stdio: 'ignore' });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`${python} ${args.join(' ')} exited ${r.status}`);
  return ms;
}

function main(): void {
  const log = (s: string): void => void process.stderr.write(`bench:python: ${s}\n`);
  const cwd = ensureDir(path.join(WORK, 'python-hosts', 'cwd'));
  const cacheDir = ensureDir(path.join(WORK, 'python-hosts', 'user-cache'));
  const env = cleanEnv({ EPINDEX_CACHE_DIR: cacheDir });
  const py = realPython();
  const results: Record<string, Record<string, number>> = {};
  for (const n of SIZES) {
    const plain = venvWith(n, false, log);
    const acc = venvWith(n, true, log);
    for (const v of [plain, acc]) execFileSync(v.python, ['-m', 'epindex', 'rebuild', '--quiet'], { env, cwd });
    const row: Record<string, number> = {};
    const first = (v: Venv, kind: string): number => median(Array.from({ length: RUNS }, () => runJson(v.python, [HARNESS, 'first', kind, GROUP], env, cwd)['first_ms'] as number));
    const repeat = (v: Venv, kind: string): number => runJson(v.python, [HARNESS, 'repeat', kind, GROUP, String(REPEATS)], env, cwd)['median_ms'] as number;
    row['epindex_first_ms'] = first(plain, 'epindex');
    row['importlib_first_ms'] = first(plain, 'importlib');
    row['epindex_repeat_ms'] = repeat(plain, 'epindex');
    row['importlib_repeat_ms'] = repeat(plain, 'importlib');
    row['accelerated_first_ms'] = first(acc, 'accelerated');
    row['unpatched_first_ms'] = first(acc, 'importlib');
    row['accelerated_repeat_ms'] = repeat(acc, 'accelerated');
    row['unpatched_repeat_ms'] = repeat(acc, 'importlib');
    const one = (v: Venv, code: string): number => median(Array.from({ length: RUNS }, () => wallMs(v.python, ['-c', code], env, cwd)));
    row['process_epindex_ms'] = one(plain, `import epindex; epindex.entry_points(group='${GROUP}')`);
    row['process_importlib_ms'] = one(plain, `import importlib.metadata as m; m.entry_points(group='${GROUP}')`);
    row['process_accelerated_ms'] = one(acc, `import importlib.metadata as m; m.entry_points(group='${GROUP}')`);
    row['process_pass_ms'] = one(plain, 'pass');
    row['process_pass_accelerated_ms'] = one(acc, 'pass');
    row['import_epindex_ms'] = median(Array.from({ length: RUNS }, () => runJson(plain.python, [HARNESS, 'import-epindex'], env, cwd)['ms'] as number));
    results[String(n)] = row;
    log(`${n}: done`);
  }
  const out = { python: py.version, group: GROUP, runs: RUNS, repeats: REPEATS, when: new Date().toISOString(), results };
  fs.writeFileSync(RESULTS, JSON.stringify(out, null, 2) + '\n');
  const f = (x: number): string => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
  const lines = [`CPython ${py.version}, group ${GROUP}, medians of ${RUNS} processes (${REPEATS} repeated calls), warm caches`, ''];
  lines.push(`| | ${SIZES.join(' | ')} |`, `| --- |${SIZES.map(() => ' ---: |').join('')}`);
  const ratio = (a: string, b: string): string => SIZES.map((n) => `${f(results[n]![a]!)} / ${f(results[n]![b]!)} = **${(results[n]![b]! / results[n]![a]!).toFixed(1)}×**`).join(' | ');
  lines.push(`| first call: epindex / importlib (ms) | ${ratio('epindex_first_ms', 'importlib_first_ms')} |`);
  lines.push(`| repeated call: epindex / importlib (ms) | ${ratio('epindex_repeat_ms', 'importlib_repeat_ms')} |`);
  lines.push(`| whole process: epindex / importlib (ms) | ${ratio('process_epindex_ms', 'process_importlib_ms')} |`);
  lines.push(`| first call: accelerated / unpatched importlib (ms) | ${ratio('accelerated_first_ms', 'unpatched_first_ms')} |`);
  lines.push(`| repeated call: accelerated / unpatched (ms) | ${ratio('accelerated_repeat_ms', 'unpatched_repeat_ms')} |`);
  lines.push(`| whole process: accelerated / unpatched (ms) | ${ratio('process_accelerated_ms', 'process_importlib_ms')} |`);
  lines.push(`| \`python -c pass\`: plain / accelerated venv (ms) | ${SIZES.map((n) => `${f(results[n]!['process_pass_ms']!)} / ${f(results[n]!['process_pass_accelerated_ms']!)}`).join(' | ')} |`);
  lines.push(`| \`import epindex\` (ms) | ${SIZES.map((n) => f(results[n]!['import_epindex_ms']!)).join(' | ')} |`);
  process.stdout.write(lines.join('\n') + '\n');
}

main();
