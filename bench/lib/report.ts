/** The results: their shape, the targets of issue 3, and the terminal / JSON / markdown / SVG outputs. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { renderCharts } from './charts.js';
import { rel } from './paths.js';
import { REFERENCE, type Workload, type WorkloadId } from './variants.js';

export interface EnvInfo {
  readonly id: string;
  readonly kind: 'synthetic' | 'real';
  readonly distributions: number;
  readonly withEntryPoints: number;
  readonly entryPoints: number | null;
  readonly pytest11: number | null;
  readonly groups: number | null;
  readonly where: string;
  readonly seed: number | null;
  /** One in-process `buildCache(dir, {force: true})`, informational. */
  cacheBuildMs: number | null;
  cacheBytes: number | null;
}

export interface Stat {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export interface VariantResult extends Stat {
  readonly id: string;
  readonly label: string;
  readonly family: 'epindex' | 'peer' | 'baseline';
  /** In repetition order: sample i of every variant of a cell belongs to repetition i. */
  readonly samplesMs: readonly number[];
  /** This variant's time ÷ the reference's, pair by pair per repetition. */
  readonly ratioToReference: Stat | null;
  readonly answer: { readonly entries: number; readonly distinct: number; readonly digest: string; readonly matchesEpindex: boolean | null; readonly difference?: string };
}

export interface CellResult {
  readonly workload: WorkloadId;
  readonly env: string;
  readonly distributions: number;
  readonly pageCache: 'warm' | 'cold';
  readonly reps: number;
  readonly reference: string;
  readonly variants: readonly VariantResult[];
}

/** Peak resident memory of one `epi` command (kernel accounting, /usr/bin/time %M; the largest of its runs). */
export interface MemoryResult {
  readonly what: string;
  readonly env: string;
  readonly distributions: number;
  readonly peakMiB: number;
  readonly runs: number;
}

export interface Target {
  /** The issue whose target this is. */
  issue?: number;
  readonly id: string;
  readonly text: string;
  readonly met: boolean | null;
  readonly evidence: string;
}

export interface Results {
  schema: 1;
  mode: 'quick' | 'full';
  command: string;
  startedAt: string;
  durationSeconds: number;
  machine: Record<string, unknown>;
  method: Record<string, string>;
  peers: { id: string; version: string; installed: string }[];
  environments: EnvInfo[];
  workloads: readonly Workload[];
  variants: { id: string; label: string; processLabel: string; family: string; workloads: readonly WorkloadId[] }[];
  cells: CellResult[];
  memory: MemoryResult[];
  targets: Target[];
  problems: string[];
}

// ---------------------------------------------------------------------------------------------

export function fmtMs(x: number): string {
  if (x < 1) return x.toFixed(3);
  if (x < 10) return x.toFixed(2);
  if (x < 100) return x.toFixed(1);
  return x.toFixed(0);
}

export function fmtRatio(x: number): string {
  if (x >= 100) return `${x.toFixed(0)}×`;
  if (x >= 10) return `${x.toFixed(1)}×`;
  return `${x.toFixed(2)}×`;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** a ÷ b pair by pair over the repetitions of one cell. */
export function pairRatio(a: VariantResult, b: VariantResult): Stat {
  const r = a.samplesMs.map((x, i) => x / b.samplesMs[i]!);
  return { median: median(r), min: Math.min(...r), max: Math.max(...r) };
}

const cell = (r: Results, w: WorkloadId, env: string, page: 'warm' | 'cold' = 'warm'): CellResult | undefined => r.cells.find((c) => c.workload === w && c.env === env && c.pageCache === page);
const variant = (c: CellResult | undefined, id: string): VariantResult | undefined => c?.variants.find((v) => v.id === id);
const statText = (s: Stat): string => `${fmtRatio(s.median)} (${fmtRatio(s.min)}–${fmtRatio(s.max)})`;

export function evaluateTargets(r: Results): Target[] {
  const out: Target[] = [];
  const synth = r.environments.filter((e) => e.kind === 'synthetic').sort((a, b) => a.distributions - b.distributions);
  // 1. In-process cached lookup >= 50x faster than importlib.metadata on the 500-distribution
  // environment. "In-process" is read two ways: the first lookup of a fresh process, and a lookup
  // in a process that already made some (the 100-lookup workload, per lookup).
  {
    const c = cell(r, 'group', 'synthetic-500');
    const im = variant(c, 'importlib.metadata');
    let met: boolean | null = null;
    let evidence = 'not measured in this run';
    if (im !== undefined) {
      const stat = pairRatio(im, variant(c, 'epindex-auto')!);
      const listing = pairRatio(im, variant(c, 'epindex-listing')!);
      met = stat.median >= 50;
      evidence = `importlib.metadata ${fmtMs(im.median)} ms; epindex cached ${fmtMs(variant(c, 'epindex-auto')!.median)} ms with stat freshness = ${statText(stat)} faster, ${fmtMs(variant(c, 'epindex-listing')!.median)} ms with listing freshness = ${statText(listing)}`;
    }
    out.push({ id: 'cached-vs-importlib-500-first', text: 'In-process cached group lookup ≥ 50× faster than importlib.metadata on the 500-distribution environment — first lookup of a fresh process (library imported), default stat freshness', met, evidence });
  }
  {
    const c = cell(r, 'repeat100', 'synthetic-500');
    const im = variant(c, 'importlib.metadata');
    let met: boolean | null = null;
    let evidence = 'not measured in this run (the 100-lookup workload on 500 distributions)';
    if (im !== undefined) {
      const a = variant(c, 'epindex-auto')!;
      const l = variant(c, 'epindex-listing')!;
      const stat = pairRatio(im, a);
      const listing = pairRatio(im, l);
      met = stat.median >= 50;
      evidence = `per lookup: importlib.metadata ${fmtMs(im.median / 100)} ms; epindex cached ${fmtMs(a.median / 100)} ms with stat freshness = ${statText(stat)} faster, ${fmtMs(l.median / 100)} ms with listing freshness = ${statText(listing)}${listing.median >= 50 ? ' (met with listing freshness)' : ''}`;
    }
    out.push({ id: 'cached-vs-importlib-500-steady', text: 'The same, for lookups in a process that already made one (100 group lookups in one process, per lookup), default stat freshness', met, evidence });
  }
  // 2. Cached cost nearly flat in the number of distributions.
  for (const [w, what, per] of [['group', 'first lookup of a fresh process', 1], ['repeat100', 'per lookup in the 100-lookup workload', 100]] as const) {
    const measured = synth.filter((e) => variant(cell(r, w, e.id), 'epindex-auto') !== undefined);
    const first = measured[0];
    const last = measured[measured.length - 1];
    let met: boolean | null = null;
    const parts: string[] = [];
    if (first !== undefined && last !== undefined && first !== last) {
      for (const id of ['epindex-auto', 'epindex-listing']) {
        const a = variant(cell(r, w, first.id), id)!;
        const b = variant(cell(r, w, last.id), id)!;
        const growth = b.median / a.median;
        if (id === 'epindex-auto') met = growth <= 2;
        parts.push(`${id === 'epindex-auto' ? 'stat' : 'listing'}: ${fmtMs(a.median / per)} ms at ${first.distributions.toLocaleString('en-US')} → ${fmtMs(b.median / per)} ms at ${last.distributions.toLocaleString('en-US')} distributions (${growth.toFixed(1)}× for ${(last.distributions / first.distributions).toFixed(0)}× the distributions)`);
      }
    }
    out.push({ id: `cached-flat-${w}`, text: `Cached lookup cost nearly flat in the number of distributions (taken as: at most 2× from the smallest to the largest synthetic environment measured), ${what}, default stat freshness`, met, evidence: parts.join('; ') || 'needs two synthetic sizes' });
  }
  // 3. CLI warm lookup faster than the Python one-liner.
  {
    const parts: string[] = [];
    let met: boolean | null = null;
    for (const e of r.environments) {
      const c = cell(r, 'process', e.id);
      const im = variant(c, 'importlib.metadata');
      const epi = variant(c, 'epindex-auto');
      if (im === undefined || epi === undefined) continue;
      const ratio = pairRatio(im, epi);
      met = (met ?? true) && ratio.median > 1;
      const lst = variant(c, 'epindex-listing');
      parts.push(`${e.id}: epi ${fmtMs(epi.median)} ms${lst ? ` (listing ${fmtMs(lst.median)} ms)` : ''} vs python ${fmtMs(im.median)} ms, python ÷ epi = ${statText(ratio)}`);
    }
    out.push({ id: 'cli-vs-python', text: 'Whole-process `epi list --group G` (cached, warm page cache) faster than `python -c "import importlib.metadata as m; m.entry_points(group=G)"` on every environment', met, evidence: parts.join('; ') || 'not measured in this run' });
  }
  for (const t of out) t.issue = 3;
  const v7 = issue7Targets(r);
  for (const t of v7) t.issue = 7;
  return [...v7, ...out];
}

/** a − b pair by pair over the repetitions of one cell (ms). */
export function pairDiff(a: VariantResult, b: VariantResult): Stat {
  const d = a.samplesMs.map((x, i) => x - b.samplesMs[i]!);
  return { median: median(d), min: Math.min(...d), max: Math.max(...d) };
}

const LEVELS = [['epindex-listing', 'listing'], ['epindex-auto', 'stat (default)']] as const;

/**
 * Per-distribution cost of a warm whole-process lookup between two sizes: the growth of the
 * median over the added distributions, in µs — raw, and over the floor (which prints the same,
 * growing answer: what remains is what epindex adds per distribution).
 */
export function perDistribution(r: Results, id: string, small: string, large: string): { raw: number; overFloor: number | null; from: number; to: number } | null {
  const a = cell(r, 'process', small);
  const b = cell(r, 'process', large);
  const va = variant(a, id);
  const vb = variant(b, id);
  if (a === undefined || b === undefined || va === undefined || vb === undefined || b.distributions === a.distributions) return null;
  const n = b.distributions - a.distributions;
  const fa = variant(a, 'floor');
  const fb = variant(b, 'floor');
  const overFloor = fa !== undefined && fb !== undefined ? ((pairDiff(vb, fb).median - pairDiff(va, fa).median) * 1000) / n : null;
  return { raw: ((vb.median - va.median) * 1000) / n, overFloor, from: a.distributions, to: b.distributions };
}

function issue7Targets(r: Results): Target[] {
  const out: Target[] = [];
  const n = (x: number): string => x.toLocaleString('en-US');
  // Whole process, warm: within X ms of `node -e 0`.
  for (const [size, limits] of [[10_000, { 'epindex-listing': 12, 'epindex-auto': 40 }], [50_000, { 'epindex-listing': 40, 'epindex-auto': 150 }]] as const) {
    const c = cell(r, 'process', `synthetic-${size}`);
    const node = variant(c, 'node-start');
    for (const [id, level] of LEVELS) {
      const limit = limits[id];
      const v = variant(c, id);
      const floor = variant(c, 'floor');
      let met: boolean | null = null;
      let evidence = 'not measured in this run';
      if (v !== undefined && node !== undefined) {
        const d = pairDiff(v, node);
        met = d.median <= limit;
        evidence = `epi ${fmtMs(v.median)} ms, node -e 0 ${fmtMs(node.median)} ms: +${fmtMs(d.median)} ms (pair by pair, ${fmtMs(d.min)}–${fmtMs(d.max)})` + (floor !== undefined ? `; the floor (read header and group by offset, print the same JSON, no checks) is +${fmtMs(pairDiff(floor, node).median)} ms, so epindex adds ${fmtMs(pairDiff(v, floor).median)} ms to it` : '');
      }
      out.push({ id: `v3-process-${size}-${id}`, text: `Whole process, warm, ${n(size)} distributions: \`${level}\` within ${limit} ms of \`node -e 0\``, met, evidence });
    }
  }
  // Per-distribution cost.
  for (const [id, level, limit] of [['epindex-auto', 'stat (default)', 2], ['epindex-listing', 'listing', 0.5]] as const) {
    const p = perDistribution(r, id, 'synthetic-10000', 'synthetic-50000');
    let met: boolean | null = null;
    let evidence = 'needs the 10,000 and 50,000 environments';
    if (p !== null) {
      met = (p.overFloor ?? p.raw) <= limit;
      evidence = `from ${n(p.from)} to ${n(p.to)} distributions: ${p.raw.toFixed(2)} µs per added distribution raw` + (p.overFloor !== null ? `, ${p.overFloor.toFixed(2)} µs over the floor (the raw figure includes printing a group that grows with the environment, which the floor pays too); judged over the floor` : '');
    }
    out.push({ id: `v3-per-dist-${id}`, text: `Per-distribution cost of a warm lookup, \`${level}\`: ≤ ${limit} µs`, met, evidence });
  }
  // In-process, 500 distributions, against importlib.metadata.
  {
    const rep = cell(r, 'repeat100', 'synthetic-500');
    const first = cell(r, 'group', 'synthetic-500');
    for (const [id, level, repeated] of [['epindex-auto', 'stat (default)', 50], ['epindex-listing', 'listing', 500]] as const) {
      const im = variant(rep, 'importlib.metadata');
      const v = variant(rep, id);
      let met: boolean | null = null;
      let evidence = 'not measured in this run';
      if (im !== undefined && v !== undefined) {
        const ratio = pairRatio(im, v);
        met = ratio.median >= repeated;
        evidence = `per lookup: importlib.metadata ${fmtMs(im.median / 100)} ms, epindex ${fmtMs(v.median / 100)} ms: ${statText(ratio)}`;
      }
      out.push({ id: `v3-repeat-500-${id}`, text: `In-process, 500 distributions, repeated lookups ≥ ${repeated}× faster than importlib.metadata, \`${level}\``, met, evidence });
      const im1 = variant(first, 'importlib.metadata');
      const v1 = variant(first, id);
      let met1: boolean | null = null;
      let ev1 = 'not measured in this run';
      if (im1 !== undefined && v1 !== undefined) {
        const ratio = pairRatio(im1, v1);
        met1 = ratio.median >= 10;
        ev1 = `importlib.metadata ${fmtMs(im1.median)} ms, epindex ${fmtMs(v1.median)} ms: ${statText(ratio)}`;
      }
      out.push({ id: `v3-first-500-${id}`, text: `In-process, 500 distributions, first lookup of a fresh process ≥ 10× faster than importlib.metadata, \`${level}\``, met: met1, evidence: ev1 });
    }
  }
  // Ahead of stevedore's warm cache everywhere.
  for (const [w, what] of [['process', 'whole process'], ['group', 'in-process first lookup']] as const) {
    for (const [id, level] of LEVELS) {
      let met: boolean | null = null;
      const behind: string[] = [];
      const ratios: string[] = [];
      for (const e of r.environments) {
        const c = cell(r, w, e.id);
        const sv = variant(c, 'stevedore-warm');
        const v = variant(c, id);
        if (sv === undefined || v === undefined) continue;
        const ratio = pairRatio(sv, v);
        met = (met ?? true) && ratio.median > 1;
        ratios.push(`${e.kind === 'real' ? 'real ' : ''}${n(e.distributions)}: ${fmtRatio(ratio.median)}`);
        if (ratio.median <= 1) behind.push(e.id);
      }
      out.push({ id: `v3-stevedore-${w}-${id}`, text: `Ahead of stevedore's warm cache at every size, ${what}, \`${level}\``, met, evidence: ratios.length === 0 ? 'not measured in this run' : `stevedore ÷ epindex: ${ratios.join(', ')}${behind.length > 0 ? `; behind on ${behind.join(', ')}` : ''}` });
    }
  }
  // import('epindex').
  {
    const c = r.cells.find((x) => x.workload === 'import');
    const v = variant(c, 'epindex-import');
    const node = variant(c, 'node-start');
    const empty = variant(c, 'empty-import');
    let met: boolean | null = null;
    let evidence = 'not measured in this run';
    if (v !== undefined && node !== undefined) {
      const d = pairDiff(v, node);
      const e = empty === undefined ? null : pairDiff(v, empty);
      met = (e ?? d).median <= 15;
      evidence = `${fmtMs(v.median)} ms against node -e 0 ${fmtMs(node.median)} ms: +${fmtMs(d.median)} ms (pair by pair, ${fmtMs(d.min)}–${fmtMs(d.max)})` +
        (e === null ? '' : `; against importing an empty ES module (${fmtMs(empty!.median)} ms: the ES-module loader's own cost, paid by any import) +${fmtMs(e.median)} ms — judged against that floor`);
    }
    out.push({ id: 'v3-import', text: "`import('epindex')` ≤ 15 ms over the Node floor", met, evidence });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

interface Table {
  readonly title: string;
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

function tablesOf(r: Results, withRange: boolean): Table[] {
  const out: Table[] = [];
  const envs = [...r.environments].sort((a, b) => a.distributions - b.distributions);
  for (const w of r.workloads) {
    for (const page of ['warm', 'cold'] as const) {
      const cs = envs.map((e) => cell(r, w.id, e.id, page));
      if (cs.every((c) => c === undefined)) continue;
      const ids = [...new Set(cs.flatMap((c) => c?.variants.map((v) => v.id) ?? []))];
      const header = ['', ...envs.filter((_, i) => cs[i] !== undefined).map((e) => `${e.kind === 'real' ? 'real ' : ''}${e.distributions.toLocaleString('en-US')} dists`)];
      const rows = ids.map((id) => {
        const label = cs.find((c) => variant(c, id))!.variants.find((v) => v.id === id)!.label;
        const cols = cs.filter((c) => c !== undefined).map((c) => {
          const v = variant(c, id);
          if (v === undefined) return '—';
          const t = withRange ? `${fmtMs(v.median)} (${fmtMs(v.min)}–${fmtMs(v.max)})` : fmtMs(v.median);
          const ratio = v.ratioToReference === null ? '' : withRange ? ` · ${fmtRatio(v.ratioToReference.median)} (${fmtRatio(v.ratioToReference.min)}–${fmtRatio(v.ratioToReference.max)})` : ` ${fmtRatio(v.ratioToReference.median)}`;
          const bad = v.answer.matchesEpindex === false ? ' ✗answer' : '';
          return `${t}${ratio}${bad}`;
        });
        return [label, ...cols];
      });
      out.push({ title: `${w.title}${page === 'cold' ? ' — cold page cache' : ''}`, header, rows });
    }
  }
  return out;
}

function textTable(t: Table): string {
  const all = [t.header, ...t.rows];
  const widths = t.header.map((_, i) => Math.max(...all.map((r) => [...(r[i] ?? '')].length)));
  const line = (r: readonly string[]): string => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [`${t.title} — ms, median; n× = time ÷ epindex cached (stat), pair by pair`, line(t.header), ...t.rows.map(line)].join('\n');
}

function mdTable(t: Table): string {
  const esc = (s: string): string => s.replace(/\|/g, '\\|');
  return [`| ${t.header.map(esc).join(' | ')} |`, `|${t.header.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`, ...t.rows.map((r) => `| ${r.map(esc).join(' | ')} |`)].join('\n');
}

function perDistributionTable(r: Results): Array<{ level: string; from: number; to: number; raw: number; overFloor: number | null }> {
  const sizes = r.environments.filter((e) => e.kind === 'synthetic').map((e) => e.id);
  const out: Array<{ level: string; from: number; to: number; raw: number; overFloor: number | null }> = [];
  for (const [id, level] of LEVELS) {
    for (let i = 0; i + 1 < sizes.length; i++) {
      const p = perDistribution(r, id, sizes[i]!, sizes[i + 1]!);
      if (p !== null) out.push({ level, ...p });
    }
  }
  return out;
}

function markdown(r: Results, charts: readonly { workload: string; file: string; title: string }[]): string {
  const m = r.machine as { cpuModel: string; cores: number; memoryGiB: number; os: string; node: string; python: string; nodeExtraCaCerts: { setInTheEnvironment: boolean }; pageCache: { note: string } };
  const envs = [...r.environments].sort((a, b) => a.distributions - b.distributions);
  const lines: string[] = [];
  lines.push('<!-- generated by `npm run bench` (bench/lib/report.ts) from bench/results.json; do not edit -->');
  lines.push('');
  lines.push(`**Machine:** ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}; Node ${m.node}, Python ${m.python}. ` +
    `${r.mode === 'full' ? 'Full' : 'Quick'} run of ${r.startedAt.slice(0, 10)}, ${r.durationSeconds < 120 ? `${Math.round(r.durationSeconds)} s` : `${Math.round(r.durationSeconds / 60)} min`} (\`${r.command}\`). ` +
    `NODE_EXTRA_CA_CERTS ${m.nodeExtraCaCerts.setInTheEnvironment ? 'was set on the machine and unset for every timed process' : 'was unset (empty) for the whole run, timed processes included'}. Page cache: ${m.pageCache.note}.`);
  lines.push('');
  lines.push(`**Peers:** ${r.peers.map((p) => `${p.id} ${p.version}`).join(', ')}.`);
  lines.push('');
  lines.push(`**Environments:** ${envs.map((e) => `${e.kind === 'real' ? 'real plugin-heavy venv' : 'synthetic'} ${e.distributions.toLocaleString('en-US')} distributions (${e.withEntryPoints.toLocaleString('en-US')} with entry points)`).join('; ')}.`);
  lines.push('');
  lines.push(`Times in ms: median (min–max) over the repetitions; **n×** = that tool's time ÷ epindex's cached lookup (auto policy, warm cache, \`stat\` freshness) in the same repetition, median (min–max): above 1× epindex is faster. "In-process" = the first lookup of a fresh process with the library already imported; "whole process" = spawn to exit. Every answer was checked against epindex's${r.cells.some((c) => c.variants.some((v) => v.answer.matchesEpindex === false)) ? ' (✗answer marks a difference; see bench/results.json)' : ' and all agreed'}.`);
  lines.push('');
  for (const issue of [...new Set(r.targets.map((t) => t.issue))]) {
    lines.push(`**Targets (issue ${issue ?? '?'}):**`);
    lines.push('');
    for (const t of r.targets.filter((x) => x.issue === issue)) lines.push(`- ${t.met === null ? '–' : t.met ? '✅ met' : '❌ missed'}: ${t.text}. ${t.evidence}.`);
    lines.push('');
  }
  const per = perDistributionTable(r);
  if (per.length > 0) {
    lines.push('**Per-distribution cost** of a warm whole-process lookup (growth of the median between two sizes, per added distribution; "over the floor" subtracts the floor variant, which prints the same growing answer):');
    lines.push('');
    lines.push('| level | sizes | raw µs / distribution | over the floor µs / distribution |');
    lines.push('| --- | --- | ---: | ---: |');
    for (const p of per) lines.push(`| ${p.level} | ${p.from.toLocaleString('en-US')} → ${p.to.toLocaleString('en-US')} | ${p.raw.toFixed(2)} | ${p.overFloor === null ? '—' : p.overFloor.toFixed(2)} |`);
    lines.push('');
  }
  if ((r.memory ?? []).length > 0) {
    lines.push(`**Peak memory** (maximum resident set size, /usr/bin/time; largest of ${r.memory[0]!.runs} runs) at ${r.memory[0]!.distributions.toLocaleString('en-US')} distributions:`);
    lines.push('');
    lines.push('| command | peak MiB |');
    lines.push('| --- | ---: |');
    for (const m of r.memory) lines.push(`| ${m.what} | ${m.peakMiB} |`);
    lines.push('');
  }
  for (const t of tablesOf(r, true)) {
    lines.push(`#### ${t.title}`);
    lines.push('');
    lines.push(mdTable(t));
    lines.push('');
  }
  if (charts.length > 0) {
    lines.push('Charts (time vs number of distributions, log–log; median with min–max bars; the real environment as a diamond):');
    lines.push('');
    for (const c of charts) lines.push(`- [${c.title}](${c.file})`);
    lines.push('');
  }
  if (r.problems.length > 0) {
    lines.push('**Noted during the run:**');
    lines.push('');
    for (const p of r.problems) lines.push(`- ${p}`);
    lines.push('');
  }
  return lines.join('\n');
}

export async function writeReports(r: Results, o: { json: string; docs: string; log: (s: string) => void }): Promise<void> {
  fs.mkdirSync(path.dirname(o.json), { recursive: true });
  fs.writeFileSync(o.json, JSON.stringify(r, null, 1) + '\n');
  fs.mkdirSync(o.docs, { recursive: true });
  const charts = await renderCharts(r, o.docs);
  fs.writeFileSync(path.join(o.docs, 'results.md'), markdown(r, charts.map((c) => ({ ...c, file: path.basename(c.file) }))));
  process.stdout.write('\n');
  for (const t of tablesOf(r, false)) process.stdout.write(textTable(t) + '\n\n');
  process.stdout.write(`Peers: ${r.peers.map((p) => `${p.id} ${p.version}`).join(', ')}\n`);
  process.stdout.write('Targets:\n');
  for (const t of r.targets) process.stdout.write(`  ${t.met === null ? '-' : t.met ? 'MET   ' : 'MISSED'} [issue ${t.issue ?? '?'}] ${t.text}\n         ${t.evidence}\n`);
  for (const p of perDistributionTable(r)) process.stdout.write(`Per distribution, ${p.level}, ${p.from} → ${p.to}: ${p.raw.toFixed(2)} µs raw, ${p.overFloor === null ? '—' : p.overFloor.toFixed(2)} µs over the floor\n`);
  for (const m of r.memory ?? []) process.stdout.write(`Peak memory at ${m.distributions}: ${m.what}: ${m.peakMiB} MiB\n`);
  if (r.problems.length > 0) {
    process.stdout.write('Problems:\n');
    for (const p of r.problems) process.stdout.write(`  - ${p}\n`);
  }
  o.log(`wrote ${rel(o.json)}, ${rel(path.join(o.docs, 'results.md'))} and ${charts.length} charts in ${rel(o.docs)}`);
  void REFERENCE;
}
