/**
 * The Python-hosts benchmark's results (bench/python-hosts.ts): their shape, issue 16's targets
 * judged from them, and the Markdown report (docs/bench/python-hosts.md).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

interface ProfileRun {
  readonly insideMs: number;
  readonly overlapBoundMs: number;
  readonly importlibImportMs: number;
  readonly entryPointLoadMs: number;
  readonly processCpuMs: number;
  readonly exit: number;
  readonly entries: readonly { readonly function: string; readonly ms: number; readonly calls: number }[];
  readonly hot: readonly { readonly function: string; readonly selfMs: number; readonly calls: number }[];
}

export interface HostsResults {
  readonly when: string;
  readonly durationSeconds: number;
  readonly command: string;
  readonly quick: boolean;
  readonly rounds: number;
  readonly profileRounds: number;
  readonly machine: Record<string, unknown>;
  readonly nodeExtraCaCerts: string;
  readonly python: { readonly version: string; readonly executable: string };
  readonly epindex: { readonly commit: string; readonly pythonSrcChanged: boolean; readonly pythonSrcHash: string };
  readonly environments: Record<string, unknown> & { readonly a: { readonly distributions: number; readonly pytestPlugins: number; readonly flake8Plugins: number; readonly [k: string]: unknown }; readonly b: { readonly distributions: number; readonly [k: string]: unknown }; readonly c: { readonly distributions: number; readonly [k: string]: unknown } };
  readonly evictionCheck: { readonly rounds: number; readonly warm: { cpuMs: number; wallMs: number; inblock: number }; readonly evicted: { cpuMs: number; wallMs: number; inblock: number }; readonly files: Record<string, { files: number; bytes: number }> };
  readonly hosts: readonly {
    readonly id: string;
    readonly label: string;
    readonly command: string;
    readonly target: boolean;
    /** `${mode}|${env}|${page}` → CPU ms by round. */
    readonly cpuMs: Record<string, readonly number[]>;
    readonly wallMs: Record<string, number>;
    readonly outputsIdentical: { readonly a: boolean; readonly b: boolean };
    readonly output: string;
  }[];
  readonly acceleratorStats: { runs: number; answered: number; fellBack: number; inactive: number; reasons: Record<string, number> };
  readonly digests: Record<string, unknown>;
  readonly loop50000: { readonly command: string; readonly distributions: number; readonly cpuMs: { readonly plain: readonly number[]; readonly accelerated: readonly number[] } };
  readonly light: { readonly group: string; readonly commands: Record<string, string>; readonly cpuMs: Record<string, readonly number[]>; readonly answers: Record<string, unknown> };
  readonly startup: {
    readonly processCpuMs: { readonly accelerated: readonly number[]; readonly off: readonly number[] };
    readonly inProcess: readonly { medianMs: number; firstMs: number; p90Ms: number }[];
    readonly firstImportMs: readonly number[];
    readonly importEpindexMs: readonly number[];
  };
  readonly anatomy: { readonly steps: Record<string, string>; readonly rounds: number; readonly cpuMs: Record<string, readonly number[]> };
  readonly profiles: Record<string, readonly ProfileRun[]>;
  readonly debian:
    | { readonly skipped: string }
    | { readonly python: string; readonly venv: string; readonly directory: string; readonly pairs: readonly (readonly string[])[]; readonly checks: readonly { what: string; plainCount: number; acceleratedCount: number; identical: boolean; stats: unknown }[] };
  readonly problems: readonly string[];
}

// ---------------------------------------------------------------------------------------------
// Statistics

/** The median of the finite values (a round that has no sample is a hole). */
export const median = (xs: readonly number[]): number => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const paired = (a: readonly number[], b: readonly number[], f: (x: number, y: number) => number): number[] => {
  const out: number[] = [];
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== undefined && b[i] !== undefined) out.push(f(a[i]!, b[i]!));
  return out;
};
/** One-sided sign test: P(at least k of n rounds slower) when slower and faster are equally likely. */
function signP(k: number, n: number): number {
  let p = 0;
  const c = (n2: number, k2: number): number => {
    let r = 1;
    for (let i = 1; i <= k2; i++) r = (r * (n2 - k2 + i)) / i;
    return r;
  };
  for (let i = k; i <= n; i++) p += c(n, i) / 2 ** n;
  return p;
}

/** The noise allowance for "never slower": a paired median above it in a significant majority of rounds is slower. */
const NOISE = 1.03;

export interface HostFigures {
  readonly id: string;
  readonly label: string;
  readonly target: boolean;
  readonly page: 'warm' | 'evicted';
  readonly plainA: number;
  readonly plainB: number;
  readonly accA: number;
  readonly accB: number;
  /** Medians of the per-round differences. */
  readonly incPlain: number;
  readonly incAcc: number;
  /** incAcc ÷ incPlain (the target), and the median of the per-round ratios. */
  readonly ratio: number;
  readonly ratioPerRound: number;
  /** accelerated(a) ÷ plain(a), per round: median, min, max, rounds slower, sign-test p. */
  readonly aRatio: number;
  readonly aMin: number;
  readonly aMax: number;
  readonly aSlower: number;
  readonly aRounds: number;
  readonly aP: number;
  /** plain(b) ÷ accelerated(b), per round (the speed-up in (b)). */
  readonly bSpeedup: number;
}

export function hostFigures(r: HostsResults): HostFigures[] {
  const out: HostFigures[] = [];
  for (const page of ['warm', 'evicted'] as const) {
    for (const h of r.hosts) {
      const c = (m: string, e: string): readonly number[] => h.cpuMs[`${m}|${e}|${page}`] ?? [];
      const pa = c('plain', 'a');
      const pb = c('plain', 'b');
      const aa = c('accelerated', 'a');
      const ab = c('accelerated', 'b');
      const incPlain = median(paired(pb, pa, (x, y) => x - y));
      const incAcc = median(paired(ab, pa, (x, y) => x - y));
      const aRatios = paired(aa, pa, (x, y) => x / y);
      const slower = aRatios.filter((x) => x > 1).length;
      const ties = aRatios.filter((x) => x === 1).length;
      out.push({
        id: h.id,
        label: h.label,
        target: h.target,
        page,
        plainA: median(pa),
        plainB: median(pb),
        accA: median(aa),
        accB: median(ab),
        incPlain,
        incAcc,
        ratio: incAcc / incPlain,
        ratioPerRound: median(paired(pb, pa, (x, y) => x - y).map((d, i) => (ab[i]! - pa[i]!) / d)),
        aRatio: median(aRatios),
        aMin: Math.min(...aRatios),
        aMax: Math.max(...aRatios),
        aSlower: slower,
        aRounds: aRatios.length - ties,
        aP: signP(slower, aRatios.length - ties),
        bSpeedup: median(paired(pb, ab, (x, y) => x / y)),
      });
    }
  }
  return out;
}

export interface TargetRow {
  readonly target: string;
  readonly measured: string;
  readonly met: boolean;
}

const ms = (x: number): string => (!Number.isFinite(x) ? '—' : Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 10 ? x.toFixed(1) : x.toFixed(2));
const times = (x: number): string => (!Number.isFinite(x) ? '—' : `${x >= 10 ? x.toFixed(0) : x.toFixed(2)}×`);
const frac = (x: number): string => (!Number.isFinite(x) ? '—' : x.toFixed(2));

function profileSummary(r: HostsResults, key: string): { inside: number; overlap: number; process: number } {
  const runs = r.profiles[key] ?? [];
  return { inside: median(runs.map((p) => p.insideMs)), overlap: median(runs.map((p) => p.overlapBoundMs)), process: median(runs.map((p) => p.processCpuMs)) };
}

export function targets(r: HostsResults): TargetRow[] {
  const rows: TargetRow[] = [];
  const figs = hostFigures(r);
  for (const page of ['warm', 'evicted'] as const) {
    for (const f of figs.filter((x) => x.page === page && x.target)) {
      rows.push({
        target: `${page === 'warm' ? 'Warm' : 'Evicted'}: ${f.label}: accelerated(b) − plain(a) ≤ 1/5 of plain(b) − plain(a)`,
        measured: `${ms(f.incAcc)} / ${ms(f.incPlain)} ms = **${frac(f.ratio)}** (per-round median ${frac(f.ratioPerRound)})`,
        met: f.ratio <= 0.2,
      });
    }
  }
  for (const page of ['warm', 'evicted'] as const) {
    const fs0 = figs.filter((x) => x.page === page);
    const bad = fs0.filter((f) => f.aRatio > NOISE && f.aP < 0.05);
    rows.push({
      target: `(a) alone, ${page}: accelerated never slower than plain beyond noise (every host)`,
      measured: fs0.map((f) => `${f.id} ${f.aRatio.toFixed(3)}`).join(', '),
      met: bad.length === 0,
    });
  }
  const pp = profileSummary(r, 'pytest-co|a|plain');
  const pa = profileSummary(r, 'pytest-co|a|accelerated');
  rows.push({
    target: '(a): CPU inside importlib.metadata during `pytest --co` (cProfile) ≥ 5× less',
    measured: `${ms(pp.inside)} / ${ms(pa.inside)} ms = **${times(pp.inside / pa.inside)}**`,
    met: pp.inside / pa.inside >= 5,
  });
  const l = r.loop50000.cpuMs;
  const lr = median(paired(l.plain, l.accelerated, (x, y) => x / y));
  rows.push({ target: `The loop at 50,000 synthetic distributions: accelerated ≥ 5× faster (whole process)`, measured: `${ms(median(l.plain))} / ${ms(median(l.accelerated))} ms, paired **${times(lr)}**`, met: lr >= 5 });
  if ('skipped' in r.debian) {
    rows.push({ target: 'Debian layout: fell_back == 0, answers identical', measured: `skipped: ${r.debian.skipped}`, met: true });
  } else {
    const checks = r.debian.checks;
    const fell = checks.reduce((s, c) => s + ((c.stats as { fell_back?: number } | null)?.fell_back ?? 1), 0);
    const ok = checks.every((c) => c.identical) && fell === 0 && checks.every((c) => ((c.stats as { answered?: number } | null)?.answered ?? 0) > 0);
    rows.push({ target: `Debian layout (${r.debian.pairs.map((p) => p.join(' + ')).join('; ')}): \`fell_back == 0\` for \`entry_points(group=…)\` and the loop, answers identical`, measured: `${checks.length} checks: ${checks.filter((c) => c.identical).length} identical, fell_back ${fell}`, met: ok });
  }
  const inProc = median(r.startup.inProcess.map((x) => x.medianMs));
  rows.push({ target: "The accelerator's start-up ≤ 1 ms", measured: `**${ms(inProc)} ms** in-process (\`import _epindex_accelerator; install()\`)`, met: inProc <= 1 });
  const ie = median(r.startup.importEpindexMs);
  rows.push({ target: '`import epindex` ≤ 5 ms', measured: `**${ms(ie)} ms**`, met: ie <= 5 });
  for (const [n, goal] of [['500', 2], ['10000', 8]] as const) {
    const x = median(paired(r.light.cpuMs[`importlib|${n}`] ?? [], r.light.cpuMs[`records|${n}`] ?? [], (a, b) => a / b));
    rows.push({
      target: `Item 4 at ${Number(n).toLocaleString('en-US')} distributions: \`epindex.entry_point_records(group=G)\` process ≥ ${goal}× the importlib one-liner`,
      measured: `${ms(median(r.light.cpuMs[`importlib|${n}`] ?? []))} / ${ms(median(r.light.cpuMs[`records|${n}`] ?? []))} ms, paired **${times(x)}**`,
      met: x >= goal,
    });
  }
  const answersOk = r.problems.filter((p) => /differs|printed otherwise/.test(p)).length === 0;
  rows.push({ target: 'Every answer identical, plain and accelerated (and the light lookups to importlib)', measured: answersOk ? 'all identical' : 'differences (see Problems)', met: answersOk });
  return rows;
}

// ---------------------------------------------------------------------------------------------
// Markdown

export function writeHostsReport(r: HostsResults, file: string): string {
  const figs = hostFigures(r);
  const rows = targets(r);
  const L: string[] = [];
  const m = r.machine as { cpu: string; cores: number; memoryGiB: number; os: string; node: string; loadAverageAtStart: number[]; loadAverageAtEnd: number[] };
  L.push('# Python hosts: the accelerator against plain importlib.metadata (issue 16)', '');
  L.push(`Generated by \`${r.command}\` (bench/python-hosts.ts; bench/README.md explains the method) on ${r.when.slice(0, 16).replace('T', ' ')} UTC, in ${Math.round(r.durationSeconds / 60)} min.`);
  L.push(`epindex ${r.epindex.commit}${r.epindex.pythonSrcChanged ? ' (python/src with uncommitted changes)' : ''}, python/src ${r.epindex.pythonSrcHash}; CPython ${r.python.version}; ${m.os}; ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB; load average ${m.loadAverageAtStart.join(' ')} at the start, ${m.loadAverageAtEnd.join(' ')} at the end.`);
  L.push('');
  L.push(`**These machines are shared and noisy** (2 cores, other jobs running): only ratios measured in one run are comparable; absolute times move between runs. Every figure is the median of **${r.rounds} rounds** (cProfile: ${r.profileRounds} runs per variant); each round runs every variant once, in an order rotated every round, and ratios are taken pair by pair within a round. Times are **CPU (user + sys) of each whole process**, from the kernel (wait4's rusage, by the child-runner bench/python-hosts.py). NODE_EXTRA_CA_CERTS ${r.nodeExtraCaCerts === 'not set' ? 'was not set' : 'was unset for every timed process'}; Python children got a clean environment (no PYTHON*, EPINDEX_* but what a variant sets).${r.quick ? ' **Quick run**: too few rounds to judge targets.' : ''}`);
  L.push('');
  L.push(`Reproduce: \`npm run bench:python\` (the full run, ${r.rounds === 11 && !r.quick ? `this one: ${Math.max(1, Math.round(r.durationSeconds / 60))} min` : 'about 10 min'} once the venvs and environments exist; their first creation adds ~2 min and 2.4 GB under bench/.work/python-hosts/) or \`npm run bench:python -- --quick\` (3 rounds, a few minutes, too few to judge targets by; writes under bench/.work/python-hosts/quick/).`);
  L.push('');
  L.push('## Targets', '');
  L.push('| target | measured | |', '| --- | --- | :---: |');
  for (const t of rows) L.push(`| ${t.target} | ${t.measured} | ${t.met ? 'met' : '**missed**'} |`);
  L.push('');
  const ea = r.environments.a;
  L.push(`Environments: **(a)** the real venv, ${ea.distributions} distributions (pytest with ${ea.pytestPlugins} plugins, flake8 with ${ea.flake8Plugins}, tox, keyring: the pins of python/tests/test_hosts.py); **(b)** (a) plus 5,000 synthetic distributions (bench/lib/generate.ts, seed 20171018) on a \`.pth\`, ${r.environments.b.distributions} in all; the loop target uses (a) plus 50,000 (${r.environments.c.distributions}). In the synthetic distributions the sections of the groups these hosts load plugins from (${(r.environments['renamedGroups'] as string[]).map((g) => `\`${g}\``).join(', ')}) are renamed \`synthetic.GROUP\`: their modules do not exist, so a host would fail to load them; the hosts still walk every distribution and its entry points.`);
  L.push('');
  for (const page of ['warm', 'evicted'] as const) {
    L.push(`## Hosts, ${page === 'warm' ? 'warm page cache' : "metadata files' contents evicted before each run"} (CPU ms, medians)`, '');
    L.push('| host | plain (a) | plain (b) | accel. (a) | accel. (b) | plain(b) − plain(a) | accel.(b) − plain(a) | ratio (≤ 0.20) | accel.(a) ÷ plain(a) [min–max, rounds slower] | plain(b) ÷ accel.(b) |');
    L.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const f of figs.filter((x) => x.page === page)) {
      L.push(`| ${f.label} | ${ms(f.plainA)} | ${ms(f.plainB)} | ${ms(f.accA)} | ${ms(f.accB)} | ${ms(f.incPlain)} | ${ms(f.incAcc)} | ${frac(f.ratio)}${f.target ? (f.ratio <= 0.2 ? ' ✓' : ' ✗') : ''} | ${f.aRatio.toFixed(3)} [${f.aMin.toFixed(2)}–${f.aMax.toFixed(2)}, ${f.aSlower}/${f.aRounds}] | ${times(f.bSpeedup)} |`);
    }
    L.push('');
  }
  L.push('Increments are medians of the per-round differences; "ratio" is accelerated(b) − plain(a) over plain(b) − plain(a) (✓/✗ where issue 16 sets the target). "Never slower beyond noise": a paired median above ' + NOISE + ' *and* slower in a significant majority of rounds (one-sided sign test, p < 0.05) would be slower.');
  L.push('');
  const ec = r.evictionCheck;
  L.push('### Does eviction work?', '');
  L.push(`The plain loop in (b), ${ec.rounds} runs each: warm **${ms(ec.warm.cpuMs)} ms** CPU (${ms(ec.warm.wallMs)} ms wall, ${ec.warm.inblock} blocks read from disk), evicted **${ms(ec.evicted.cpuMs)} ms** CPU (${ms(ec.evicted.wallMs)} ms wall, ${ec.evicted.inblock} blocks read). An eviction covers ${Object.entries(ec.files).map(([k, v]) => `(${k}) ${v.files.toLocaleString('en-US')} files, ${(v.bytes / 1e6).toFixed(0)} MB`).join('; ')}: every file of every \`*.dist-info\`/\`*.egg-info\` of the site-packages and the synthetic directory, and the epindex cache files, each with \`posix_fadvise(POSIX_FADV_DONTNEED)\` (after one \`sync\`; dentries and inodes stay cached).`);
  L.push('');
  L.push('## The loop at 50,000 synthetic distributions (warm)', '');
  const l = r.loop50000.cpuMs;
  L.push(`\`${r.loop50000.command}\`, ${r.loop50000.distributions.toLocaleString('en-US')} distributions: plain **${ms(median(l.plain))} ms**, accelerated **${ms(median(l.accelerated))} ms** CPU; paired plain ÷ accelerated **${times(median(paired(l.plain, l.accelerated, (x, y) => x / y)))}**.`);
  L.push('');
  L.push(`## Item 4: epindex's own lookup, whole process (group \`${r.light.group}\`, CPU ms)`, '');
  L.push('| distributions | `python -c pass` | importlib one-liner | `epindex.entry_point_records` | `epindex.entry_points` | importlib ÷ records | importlib ÷ entry_points |', '| ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const n of ['500', '10000']) {
    const c = (k: string): readonly number[] => r.light.cpuMs[`${k}|${n}`] ?? [];
    L.push(`| ${Number(n).toLocaleString('en-US')} | ${ms(median(c('pass')))} | ${ms(median(c('importlib')))} | ${ms(median(c('records')))} | ${ms(median(c('epindex')))} | ${times(median(paired(c('importlib'), c('records'), (a, b) => a / b)))} | ${times(median(paired(c('importlib'), c('epindex'), (a, b) => a / b)))} |`);
  }
  L.push('', `Commands: ${Object.entries(r.light.commands).map(([k, v]) => `${k}: \`python -c "${v}"\``).join('; ')}. The venvs hold nothing but the synthetic directory on a \`.pth\` (no accelerator).`);
  L.push('');
  L.push('## Start-up', '');
  const sp = r.startup;
  L.push(`- In-process, \`import _epindex_accelerator; _epindex_accelerator.install()\` (what the \`.pth\` line runs), perf_counter, ${sp.inProcess.length} processes × many repetitions, everything undone between them: median **${ms(median(sp.inProcess.map((x) => x.medianMs)))} ms** (first repetition ${sp.inProcess.map((x) => ms(x.firstMs)).join(', ')} ms; p90 ${ms(median(sp.inProcess.map((x) => x.p90Ms)))} ms).`);
  L.push(`- The same once in a fresh process started with \`-S\` (so that this is the first import from site-packages, and also pays for the import system's first look at that directory, as the \`.pth\` line does at start-up), ${sp.firstImportMs.length} processes: median **${ms(median(sp.firstImportMs))} ms**.`);
  L.push(`- Whole process \`python -c pass\` in (a), accelerated vs \`EPINDEX_ACCELERATE=0\` (which still imports the hook module, then returns): ${ms(median(sp.processCpuMs.accelerated))} vs ${ms(median(sp.processCpuMs.off))} ms CPU, paired difference ${ms(median(paired(sp.processCpuMs.accelerated, sp.processCpuMs.off, (a, b) => a - b)))} ms (${sp.processCpuMs.accelerated.length} pairs).`);
  L.push(`- \`import epindex\` in a fresh process (perf_counter, ${sp.importEpindexMs.length} processes): median **${ms(median(sp.importEpindexMs))} ms**.`);
  L.push('');
  L.push('## Anatomy of the loop (CPU ms, medians)', '');
  L.push(`What the loop's whole process spends, step by step: each column is a process that stops after that step (${r.anatomy.rounds} rounds, interleaved; informative). "no GC" disables the cyclic garbage collector before the step, "no exit" leaves with \`os._exit(0)\` (nothing is freed at exit).`, '');
  L.push('| environment | mode | `pass` | `import importlib.metadata` | + `list(distributions())`, no GC, no exit | + every `entry_points`, no GC, no exit | the same with GC, no exit | the loop |', '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const e of ['a', 'b', 'c']) {
    for (const mode of ['plain', 'accelerated']) {
      const c = (k: string): string => ms(median(r.anatomy.cpuMs[`${k}|${e}|${mode}`] ?? []));
      L.push(`| ${e === 'c' ? '(a) + 50,000' : `(${e})`} | ${mode} | ${c('pass')} | ${c('import')} | ${c('discover')} | ${c('loop-no-gc-no-exit')} | ${c('loop-no-exit')} | ${c('loop')} |`);
    }
  }
  L.push('');
  L.push('## Inside importlib.metadata: cProfile', '');
  L.push('The time inside the scope — functions of importlib/metadata/*, importlib_metadata/*, epindex/* and the hook `_epindex_accelerator` — is the sum of the cumulative time of every call edge that enters the scope from outside it, with cProfile\'s default timer and `builtins=False` (a C function such as `sorted` or `lru_cache`\'s wrapper is then transparent, so a callback from inside the scope stays inside). Left out: module bodies (`<module>`: importlib.metadata\'s own import costs both variants the same; epindex\'s imports happen inside a hook call and are counted there) and `EntryPoint.load` (the plugin\'s import; a metadata call a plugin makes while it imports is counted as its own edge). The hook\'s `exec_and_patch` counts only its `_patch`. "overlap ≤" bounds what could be counted twice (counted edges whose caller is reachable from inside the scope through outside functions). Medians of the runs; "process" is the profiled process\'s CPU (cProfile slows it).');
  L.push('');
  L.push('| host | env | plain: inside (ms) | accelerated: inside (ms) | plain ÷ accel. | overlap ≤ (plain / accel.) | process CPU under cProfile (plain / accel.) |', '| --- | --- | ---: | ---: | ---: | ---: | ---: |');
  const profHosts = [...new Set(Object.keys(r.profiles).map((k) => k.split('|')[0]!))];
  for (const h of profHosts) {
    for (const e of ['a', 'b', 'c']) {
      const p = profileSummary(r, `${h}|${e}|plain`);
      const a = profileSummary(r, `${h}|${e}|accelerated`);
      if (!Number.isFinite(p.inside)) continue;
      L.push(`| ${h} | ${e === 'c' ? '50,000' : `(${e})`} | ${ms(p.inside)} | ${ms(a.inside)} | ${times(p.inside / a.inside)} | ${ms(p.overlap)} / ${ms(a.overlap)} | ${ms(p.process)} / ${ms(a.process)} |`);
    }
  }
  L.push('');
  L.push('Where the time inside goes, in the median run of each: the entries into the scope (cumulative ms), then the functions whose own time (C calls included) is largest, of the scope or called only from it:', '');
  for (const key of Object.keys(r.profiles).filter((k) => /^(pytest-co\|a|pytest-co\|b|flake8-version\|b|loop\|b|loop\|c)\|/.test(k))) {
    const runs = [...(r.profiles[key] ?? [])].sort((x, y) => x.insideMs - y.insideMs);
    const mid = runs[runs.length >> 1];
    if (mid === undefined) continue;
    L.push(`- ${key.replace(/\|c\|/, '|50,000|').replace(/\|/g, ' · ')} (${ms(mid.insideMs)} ms): ${mid.entries.slice(0, 6).map((e) => `\`${e.function}\` ${ms(e.ms)} (${e.calls}×)`).join(', ')}`);
    L.push(`  - own time: ${mid.hot.slice(0, 6).map((e) => `\`${e.function}\` ${ms(e.selfMs)} (${e.calls}×)`).join(', ')}`);
  }
  L.push('');
  L.push('## The Debian layout', '');
  if ('skipped' in r.debian) L.push(`Skipped: ${r.debian.skipped}.`);
  else {
    L.push(`\`${r.debian.venv}\` of ${r.debian.python}: sees ${r.debian.directory}, where ${r.debian.pairs.map((p) => p.join(' and ')).join('; ')} are candidates of one name. The accelerator installed in that venv; caches in the user cache (a bench directory). Accelerated against \`EPINDEX_ACCELERATE=0\`, each in its own process:`, '');
    L.push('| lookup | plain | accelerated | identical | accelerator_stats() |', '| --- | ---: | ---: | :---: | --- |');
    for (const c of r.debian.checks) L.push(`| ${c.what} | ${c.plainCount} | ${c.acceleratedCount} | ${c.identical ? 'yes' : '**no**'} | \`${JSON.stringify(c.stats)}\` |`);
  }
  L.push('');
  L.push('## Answers', '');
  L.push(`Every timed sample's output (stdout + stderr; pytest's timing stripped, keyring's lines sorted, as python/tests/test_hosts.py compares them) was compared with plain's in the same environment: ${r.hosts.every((h) => h.outputsIdentical.a && h.outputsIdentical.b) ? 'all identical' : '**differences** (see Problems)'}. The loop's whole answer (order, names, versions, normalized names, entry points) was compared untimed in (a), (b) and at 50,000: ${Object.values(r.digests).every((d) => (d as { identical: boolean }).identical) ? 'identical' : '**different**'}. Accelerator statistics of the timed accelerated processes: ${r.acceleratorStats.runs} processes, answered ${r.acceleratorStats.answered}, fell back ${r.acceleratorStats.fellBack}${r.acceleratorStats.inactive > 0 ? `, inactive in ${r.acceleratorStats.inactive}` : ''}.`);
  L.push('');
  if (r.problems.length > 0) {
    L.push('## Problems', '');
    for (const p of r.problems) L.push(`- ${p.split('\n')[0]}`);
    L.push('');
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, L.join('\n'));
  // the terminal: the targets
  const width = Math.max(...rows.map((t) => t.target.length));
  return rows.map((t) => `${t.met ? 'met   ' : 'MISSED'}  ${t.target.padEnd(width)}  ${t.measured.replace(/\*\*/g, '')}`).join('\n');
}
