/**
 * npm discovery benchmark: a node_modules with 1,000 packages (50 declaring entry points) and
 * with 10,000 (500), whole process and in-process, for
 *   - `node -e 0` (the floor),
 *   - a hand-rolled scan: readdir + every package.json read and parsed (what hosts do today),
 *   - `epi list --node DIR --group G --json` (the shipped CLI),
 *   - the library: `entryPoints({ group, from })`,
 * each uncached (`--cache scan`) and with warm caches (built by `epi cache build --node`,
 * default `stat` freshness and `listing`).
 *
 * Run: `node scripts/prepare.mjs && node dist/bench/node-discovery.js [--quick]`. One run;
 * variants interleaved; medians; NODE_EXTRA_CA_CERTS (and NODE_OPTIONS) unset for every timed
 * process. Results: bench/node-discovery.results.json and .md.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// Outside the repository: a project under it would also search the repository's own node_modules.
const WORK = path.join(os.tmpdir(), 'epindex-bench-node');
const CLI = path.join(ROOT, 'dist', 'epi.cjs');
// What users import: the package's entry (package.json exports → dist/index.js, which loads dist/lib.cjs).
const LIB = pathToFileURL(path.join(ROOT, 'dist', 'index.js')).href;
const GROUP = 'bench.plugins';
const quick = process.argv.includes('--quick');

/** A seeded PRNG (mulberry32): the same tree every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** node_modules with `n` packages, 1 in 20 declaring entry points; 20% scoped over n/40 scopes; package.json of realistic size. */
function generate(n: number): string {
  const project = path.join(WORK, `project-${n}`);
  const nm = path.join(project, 'node_modules');
  const marker = path.join(project, '.complete');
  if (fs.existsSync(marker)) return project;
  fs.rmSync(project, { recursive: true, force: true });
  fs.mkdirSync(nm, { recursive: true });
  const rnd = prng(n);
  const scopes = Math.max(1, Math.floor(n / 40));
  for (let i = 0; i < n; i++) {
    const scoped = rnd() < 0.2;
    const name = scoped ? `@scope${Math.floor(rnd() * scopes)}/pkg-${i}` : `pkg-${i}`;
    const dir = path.join(nm, ...name.split('/'));
    fs.mkdirSync(dir, { recursive: true });
    const json: Record<string, unknown> = {
      name,
      version: `${1 + (i % 7)}.${i % 13}.${i % 5}`,
      description: 'A package of the benchmark tree, about as large as a real package.json.',
      main: 'index.js',
      license: 'MIT',
      repository: { type: 'git', url: `git+https://example.invalid/${name}.git` },
      keywords: ['bench', 'epindex', 'node_modules'],
      dependencies: Object.fromEntries(Array.from({ length: 4 }, (_, k) => [`dep-${(i + k) % n}`, `^${k}.0.0`])),
      scripts: { test: 'node test.js', build: 'tsc -p .' },
      files: ['index.js', 'lib/'],
      engines: { node: '>=18' },
    };
    if (i % 20 === 0) json['plugin-entry-points'] = { [GROUP]: { [`p${i}`]: '.:default' }, 'bench.other': { [`o${i}`]: './other.js' } };
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(json, null, 2));
    fs.writeFileSync(path.join(dir, 'index.js'), 'module.exports = {};\n');
  }
  fs.writeFileSync(marker, '');
  return project;
}

/** What hosts do today: list node_modules and its scopes, read and parse every package.json, keep the ones with the field. */
const HANDROLLED = `
const fs = require('node:fs'), path = require('node:path');
const [nm, group] = process.argv.slice(1);
const out = [];
const visit = (dir) => {
  let pj;
  try { pj = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')); } catch { return; }
  const g = pj['plugin-entry-points'] && pj['plugin-entry-points'][group];
  if (g) for (const [name, value] of Object.entries(g)) out.push({ group, name, value, package: pj.name });
};
for (const n of fs.readdirSync(nm)) {
  if (n.startsWith('.')) continue;
  if (n.startsWith('@')) for (const c of fs.readdirSync(path.join(nm, n))) visit(path.join(nm, n, c));
  else visit(path.join(nm, n));
}
process.stdout.write(JSON.stringify(out));
`;

function timedEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, EPINDEX_CACHE_DIR: path.join(WORK, 'user-cache'), NODE_PATH: '' };
  for (const k of ['NODE_EXTRA_CA_CERTS', 'NODE_OPTIONS', 'EPINDEX_CACHE', 'EPINDEX_FRESHNESS']) delete env[k];
  return env;
}

interface Variant {
  readonly name: string;
  readonly argv: (project: string) => string[];
  /** Entry points the answer must hold (null: no check). */
  readonly count: ((stdout: string) => number) | null;
}

const variants: Variant[] = [
  { name: 'node -e 0', argv: () => ['-e', '0'], count: null },
  { name: 'hand-rolled scan of every package.json', argv: (p) => ['-e', HANDROLLED, path.join(p, 'node_modules'), GROUP], count: (s) => (JSON.parse(s) as unknown[]).length },
  { name: 'epi list --node, scan', argv: (p) => [CLI, 'list', '--node', p, '--group', GROUP, '--json', '--cache', 'scan'], count: (s) => (JSON.parse(s) as { entryPoints: unknown[] }).entryPoints.length },
  { name: 'epi list --node, cached (stat)', argv: (p) => [CLI, 'list', '--node', p, '--group', GROUP, '--json'], count: (s) => (JSON.parse(s) as { entryPoints: unknown[] }).entryPoints.length },
  { name: 'epi list --node, cached (listing)', argv: (p) => [CLI, 'list', '--node', p, '--group', GROUP, '--json', '--freshness', 'listing'], count: (s) => (JSON.parse(s) as { entryPoints: unknown[] }).entryPoints.length },
  {
    name: 'library entryPoints(), scan',
    argv: (p) => ['--input-type=module', '-e', `const { entryPoints } = await import(${JSON.stringify(LIB)}); const e = await entryPoints({ group: ${JSON.stringify(GROUP)}, from: ${JSON.stringify(p)}, nodePath: false, globalFolders: false, cache: 'scan' }); process.stdout.write(String(e.length));`],
    count: (s) => Number(s),
  },
  {
    name: 'library entryPoints(), cached (stat)',
    argv: (p) => ['--input-type=module', '-e', `const { entryPoints } = await import(${JSON.stringify(LIB)}); const e = await entryPoints({ group: ${JSON.stringify(GROUP)}, from: ${JSON.stringify(p)}, nodePath: false, globalFolders: false }); process.stdout.write(String(e.length));`],
    count: (s) => Number(s),
  },
  { name: "import('epindex') alone", argv: () => ['--input-type=module', '-e', `await import(${JSON.stringify(LIB)});`], count: null },
];

function once(argv: string[]): { ms: number; stdout: string } {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, argv, { env: timedEnv(), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, cwd: WORK });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${argv.slice(0, 3).join(' ')} failed: ${r.stderr}`);
  return { ms, stdout: r.stdout };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

interface Row { size: number; variant: string; medianMs: number; minMs: number; maxMs: number; runs: number }

function wholeProcess(size: number, project: string, runs: number): Row[] {
  const expected = size / 20;
  for (const v of variants) {
    if (v.count === null) continue;
    const got = v.count(once(v.argv(project)).stdout);
    if (got !== expected) throw new Error(`${v.name}: ${got} entry points, expected ${expected}`);
  }
  const times = new Map<string, number[]>(variants.map((v) => [v.name, []]));
  for (let r = 0; r < runs + 2; r++) {
    for (const v of variants) {
      const { ms } = once(v.argv(project));
      if (r >= 2) times.get(v.name)!.push(ms); // two warm-up rounds
    }
  }
  return variants.map((v) => {
    const t = times.get(v.name)!;
    return { size, variant: v.name, medianMs: median(t), minMs: Math.min(...t), maxMs: Math.max(...t), runs: t.length };
  });
}

async function inProcess(size: number, project: string, repeats: number): Promise<Row[]> {
  const { nodeEnvironment } = (await import(LIB)) as typeof import('../src/index.js');
  const rows: Row[] = [];
  for (const [label, cache, freshness] of [['scan', 'scan', 'stat'], ['cached (stat)', 'auto', 'stat'], ['cached (listing)', 'auto', 'listing']] as const) {
    const env = await nodeEnvironment({ from: project, nodePath: false, globalFolders: false, cache, freshness });
    const lookup = (): Promise<unknown> => env.entryPoints({ group: GROUP });
    await lookup();
    const times: number[] = [];
    for (let i = 0; i < repeats; i++) {
      const t0 = process.hrtime.bigint();
      await lookup();
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    rows.push({ size, variant: `in-process repeated lookup, ${label}`, medianMs: median(times), minMs: Math.min(...times), maxMs: Math.max(...times), runs: times.length });
  }
  return rows;
}

fs.mkdirSync(WORK, { recursive: true });
const sizes = quick ? [1000] : [1000, 10000];
const rows: Row[] = [];
for (const size of sizes) {
  const project = generate(size);
  process.stderr.write(`node-discovery: ${size} packages at ${project}\n`);
  // The caches as an install hook would leave them: built in the directory, settled.
  const built = spawnSync(process.execPath, [CLI, 'cache', 'build', '--node', path.join(project, 'node_modules'), '--force', '--quiet'], { env: timedEnv(), encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`cache build failed: ${built.stderr}`);
  rows.push(...wholeProcess(size, project, quick ? 5 : size >= 10000 ? 11 : 21));
  rows.push(...(await inProcess(size, project, quick ? 5 : 20)));
}

const floor = new Map(rows.filter((r) => r.variant === 'node -e 0').map((r) => [r.size, r.medianMs]));
const lines = [
  '# npm discovery benchmark',
  '',
  `One run, ${new Date().toISOString().slice(0, 10)}, node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}; medians in ms (min–max); whole process unless said; NODE_EXTRA_CA_CERTS unset for timed processes. Reproduce: \`node scripts/prepare.mjs && node dist/bench/node-discovery.js\`.`,
  '',
  '| packages | variant | median | min–max | over `node -e 0` |',
  '| ---: | --- | ---: | ---: | ---: |',
  ...rows.map((r) => `| ${r.size.toLocaleString('en')} | ${r.variant} | ${r.medianMs.toFixed(1)} | ${r.minMs.toFixed(1)}–${r.maxMs.toFixed(1)} | ${r.variant.startsWith('in-process') ? '' : (r.medianMs - floor.get(r.size)!).toFixed(1)} |`),
  '',
];
const out = quick ? path.join(WORK, 'node-discovery.quick') : path.join(ROOT, 'bench', 'node-discovery.results');
fs.writeFileSync(`${out}.json`, JSON.stringify({ date: new Date().toISOString(), node: process.version, rows }, null, 2) + '\n');
fs.writeFileSync(`${out}.md`, lines.join('\n'));
process.stdout.write(lines.join('\n'));
