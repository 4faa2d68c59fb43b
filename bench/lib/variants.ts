/**
 * What is measured: the workloads, the peers' venvs and every variant (a tool in a
 * configuration), and how one sample of a variant on a workload is run.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { answerOf, firstPerName, type Answer, type Line } from './answers.js';
import { pathToFileURL } from 'node:url';
import { CHILD_JS, CLI_JS, EMPTY_CWD, EMPTY_MJS, EPINDEX_USER_CACHE, FLOOR_CJS, HARNESS_PY, LIBRARY_JS, XDG } from './paths.js';
import type { VenvSpec } from './python.js';

export type WorkloadId = 'group' | 'all' | 'name' | 'repeat100' | 'process' | 'import';

export interface Workload {
  readonly id: WorkloadId;
  readonly title: string;
  readonly scope: 'in-process' | 'whole-process';
  readonly description: string;
}

export const GROUP = 'pytest11';
export const NAME_GROUP = 'console_scripts';
export const NAME = 'pip';
export const REPEAT = 100;

export const WORKLOADS: readonly Workload[] = [
  { id: 'group', title: 'One group lookup (pytest11), in-process', scope: 'in-process', description: `the entry points of group ${GROUP}: the first lookup of a fresh process, the library already imported` },
  { id: 'all', title: 'All groups, in-process', scope: 'in-process', description: 'every entry point of every group: the first lookup of a fresh process, the library already imported' },
  { id: 'name', title: 'One name lookup (console_scripts pip), in-process', scope: 'in-process', description: `the entry point named ${NAME} in group ${NAME_GROUP}: the first lookup of a fresh process, the library already imported` },
  { id: 'repeat100', title: '100 repeated group lookups in one process', scope: 'in-process', description: `${REPEAT} lookups of group ${GROUP} in one process (the pygments/obspy pattern), from the first to the last, the library already imported` },
  { id: 'import', title: "Importing the library, whole process", scope: 'whole-process', description: "wall time of `node -e \"await import('epindex')\"` (the library's ES module, dist/index.js) against `node -e 0`: what a host pays for importing epindex before its first lookup" },
  { id: 'process', title: 'Process start to first answer (pytest11), whole process', scope: 'whole-process', description: `wall time of a whole process that starts, imports the tool, looks up group ${GROUP} and prints it: \`epi list --group ${GROUP} --json\` vs \`python -c "import importlib.metadata as m; m.entry_points(group=...)"\` and the peers' equivalents` },
];

export type PeerId = 'stdlib' | 'importlib_metadata' | 'pkg_resources' | 'stevedore' | 'entrypoints' | 'pluggy';

/** One throwaway venv per peer; versions pinned (bump them here). */
export const PEER_VENVS: readonly (VenvSpec & { readonly name: PeerId; readonly versionOf: string | null })[] = [
  { name: 'stdlib', requirements: [], versionOf: null },
  { name: 'importlib_metadata', requirements: ['importlib_metadata==10.2.0'], versionOf: 'importlib_metadata' },
  { name: 'pkg_resources', requirements: ['setuptools==81.0.0'], versionOf: 'setuptools' },
  { name: 'stevedore', requirements: ['stevedore==5.10.0'], versionOf: 'stevedore' },
  { name: 'entrypoints', requirements: ['entrypoints==0.4'], versionOf: 'entrypoints' },
  { name: 'pluggy', requirements: ['pluggy==1.7.0'], versionOf: 'pluggy' },
];

export interface Variant {
  readonly id: string;
  readonly family: 'epindex' | 'peer' | 'baseline';
  /** A baseline that prints the same answer (the floor): its answer is checked too. */
  readonly answers?: boolean;
  /** The venv a Python variant runs in. */
  readonly venv?: PeerId;
  /** The harness.py peer name. */
  readonly harness?: string;
  readonly policy?: 'scan' | 'auto';
  readonly freshness?: 'stat' | 'listing';
  /** stevedore: its cache directory emptied before each sample (cold) or kept (warm). */
  readonly stevedoreCache?: 'cold' | 'warm';
  readonly workloads: readonly WorkloadId[];
  /** Labels in-process / whole-process. */
  readonly label: string;
  readonly processLabel: string;
}

const ALL: readonly WorkloadId[] = ['group', 'all', 'name', 'repeat100', 'process'];
const NO_ALL: readonly WorkloadId[] = ['group', 'name', 'repeat100', 'process'];

export const VARIANTS: readonly Variant[] = [
  { id: 'epindex-auto', family: 'epindex', policy: 'auto', freshness: 'stat', workloads: ALL, label: 'epindex, cached (auto, warm; stat)', processLabel: 'epi CLI, cached (auto, warm; stat)' },
  { id: 'epindex-listing', family: 'epindex', policy: 'auto', freshness: 'listing', workloads: ALL, label: 'epindex, cached (auto, warm; listing)', processLabel: 'epi CLI, cached (auto, warm; listing)' },
  { id: 'epindex-scan', family: 'epindex', policy: 'scan', freshness: 'stat', workloads: ALL, label: 'epindex, scan', processLabel: 'epi CLI, scan' },
  { id: 'importlib.metadata', family: 'peer', venv: 'stdlib', harness: 'importlib.metadata', workloads: ALL, label: 'importlib.metadata', processLabel: 'python -c importlib.metadata' },
  { id: 'importlib_metadata', family: 'peer', venv: 'importlib_metadata', harness: 'importlib_metadata', workloads: ALL, label: 'importlib_metadata', processLabel: 'python -c importlib_metadata' },
  { id: 'pkg_resources', family: 'peer', venv: 'pkg_resources', harness: 'pkg_resources', workloads: ALL, label: 'pkg_resources', processLabel: 'python -c pkg_resources' },
  { id: 'stevedore-cold', family: 'peer', venv: 'stevedore', harness: 'stevedore', stevedoreCache: 'cold', workloads: NO_ALL, label: 'stevedore _cache (cold)', processLabel: 'python -c stevedore _cache (cold)' },
  { id: 'stevedore-warm', family: 'peer', venv: 'stevedore', harness: 'stevedore', stevedoreCache: 'warm', workloads: NO_ALL, label: 'stevedore _cache (warm)', processLabel: 'python -c stevedore _cache (warm)' },
  { id: 'entrypoints', family: 'peer', venv: 'entrypoints', harness: 'entrypoints', workloads: NO_ALL, label: 'entrypoints', processLabel: 'python -c entrypoints' },
  { id: 'pluggy', family: 'peer', venv: 'pluggy', harness: 'pluggy', workloads: NO_ALL, label: 'pluggy load_setuptools_entrypoints', processLabel: 'python -c pluggy load_setuptools_entrypoints' },
  { id: 'floor', family: 'baseline', answers: true, workloads: ['process'], label: 'floor: read header + group section, print (no checks)', processLabel: 'floor: node reads the header and the group section by offset, prints the same JSON (no checks)' },
  { id: 'epindex-import', family: 'epindex', workloads: ['import'], label: "node -e \"await import('epindex')\"", processLabel: "node -e \"await import('epindex')\"" },
  { id: 'empty-import', family: 'baseline', workloads: ['import'], label: "node -e \"await import('./empty.mjs')\" (an empty ES module: the floor of any import)", processLabel: "node -e \"await import('./empty.mjs')\" (an empty ES module)" },
  { id: 'node-start', family: 'baseline', workloads: ['process', 'import'], label: 'node -e 0 (start-up only)', processLabel: 'node -e 0 (start-up only, no lookup)' },
  { id: 'python-start', family: 'baseline', venv: 'stdlib', workloads: ['process'], label: 'python -c pass (start-up only)', processLabel: 'python -c pass (start-up only, no lookup)' },
];

/** The variant every ratio is taken against (pair by pair, same repetition). */
export const REFERENCE = 'epindex-auto';

export const labelOf = (v: Variant, w: WorkloadId): string => (w === 'process' ? v.processLabel : v.label);

/** The answer a peer must give, from epindex's: pluggy and entrypoints' get_single keep the first entry of each name. */
export function expectedAnswer(v: Variant, w: WorkloadId, epindexLines: readonly Line[]): Answer | null {
  if (v.family === 'baseline' && v.answers !== true) return null;
  if (w === 'import') return null;
  if (v.id === 'pluggy' || (v.id === 'entrypoints' && w === 'name')) return answerOf(firstPerName(epindexLines));
  return answerOf(epindexLines);
}

export interface Command {
  readonly cmd: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  /** In-process samples report their own time; whole-process ones are timed from outside. */
  readonly reportsTime: boolean;
  readonly parse: (stdout: string) => { ms?: number; lines: Line[]; diagnostics?: string[] };
}

/** The environment of every timed process: NODE_EXTRA_CA_CERTS unset (it costs ~70 ms per Node start here). */
export function timedEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['NODE_EXTRA_CA_CERTS', 'NODE_OPTIONS', 'PYTHONPATH', 'PYTHONHOME', 'PYTHONSTARTUP', 'PYTHONWARNINGS', 'PYTHONDONTWRITEBYTECODE', 'EPINDEX_CACHE', 'EPINDEX_FRESHNESS', 'VIRTUAL_ENV']) delete env[k];
  env['EPINDEX_CACHE_DIR'] = EPINDEX_USER_CACHE;
  env['XDG_CACHE_HOME'] = XDG;
  return { ...env, ...extra };
}

export function stevedoreXdg(v: Variant): string {
  return path.join(XDG, v.id);
}

const PY_PRINT = "print(e.group, e.name, e.value, sep='\\t')";
const ONE_LINERS: Record<string, string> = {
  'importlib.metadata': `import importlib.metadata as m\nfor e in m.entry_points(group=G): ${PY_PRINT}`,
  importlib_metadata: `import importlib_metadata as m\nfor e in m.entry_points(group=G): ${PY_PRINT}`,
  pkg_resources: "import pkg_resources as p\nfor e in p.iter_entry_points(G): print(G, e.name, e.module_name + (':' + '.'.join(e.attrs) if e.attrs else '') + (' [' + ','.join(e.extras) + ']' if e.extras else ''), sep='\\t')",
  stevedore: `from stevedore import _cache\nfor e in _cache.get_group_all(G): ${PY_PRINT}`,
  entrypoints: "import entrypoints\nfor e in entrypoints.get_group_all(G): print(G, e.name, e.module_name + (':' + e.object_name if e.object_name else '') + (' [' + ','.join(e.extras) + ']' if e.extras else ''), sep='\\t')",
  pluggy: `import importlib.metadata as m, pluggy\nL = []\nclass P: pass\ndef load(self):\n    L.append(self)\n    return P()\nm.EntryPoint.load = load\npluggy.PluginManager('bench').load_setuptools_entrypoints(G)\nfor e in L: ${PY_PRINT}`,
};

const tabLines = (stdout: string): Line[] => stdout.split('\n').filter((l) => l !== '').map((l) => l.split('\t') as unknown as Line);

export function commandFor(v: Variant, w: WorkloadId, dir: string, pythonOf: (p: PeerId) => string): Command {
  const xdg = v.stevedoreCache !== undefined ? { XDG_CACHE_HOME: stevedoreXdg(v) } : {};
  if (v.id === 'epindex-import') return { cmd: process.execPath, args: ['--input-type=module', '-e', `await import(${JSON.stringify(pathToFileURL(LIBRARY_JS).href)})`], env: timedEnv(), reportsTime: false, parse: () => ({ lines: [] }) };
  if (w !== 'process' && w !== 'import') {
    const cfg = { workload: w, dir, group: GROUP, nameGroup: NAME_GROUP, name: NAME, repeat: REPEAT };
    const parse = (s: string): { ms: number; lines: Line[]; diagnostics?: string[] } => JSON.parse(s) as { ms: number; lines: Line[]; diagnostics?: string[] };
    if (v.family === 'epindex') {
      return { cmd: process.execPath, args: [CHILD_JS, JSON.stringify({ ...cfg, policy: v.policy, freshness: v.freshness })], env: timedEnv(), reportsTime: true, parse };
    }
    return { cmd: pythonOf(v.venv!), args: [HARNESS_PY, JSON.stringify({ ...cfg, peer: v.harness })], env: timedEnv(xdg), reportsTime: true, parse };
  }
  if (v.id === 'floor') {
    return {
      cmd: process.execPath,
      args: [FLOOR_CJS, dir, GROUP],
      env: timedEnv(),
      reportsTime: false,
      parse: (s) => ({ lines: (JSON.parse(s) as { entryPoints: { group: string; name: string; value: string }[] }).entryPoints.map((e) => [e.group, e.name, e.value] as const) }),
    };
  }
  if (v.id === 'empty-import') return { cmd: process.execPath, args: ['--input-type=module', '-e', `await import(${JSON.stringify(pathToFileURL(EMPTY_MJS).href)})`], env: timedEnv(), reportsTime: false, parse: () => ({ lines: [] }) };
  if (v.id === 'node-start') return { cmd: process.execPath, args: ['-e', '0'], env: timedEnv(), reportsTime: false, parse: () => ({ lines: [] }) };
  if (v.id === 'python-start') return { cmd: pythonOf('stdlib'), args: ['-c', 'pass'], env: timedEnv(), reportsTime: false, parse: () => ({ lines: [] }) };
  if (v.family === 'epindex') {
    const args = [CLI_JS, 'list', '--group', GROUP, '--path', dir, '--cache', v.policy!, ...(v.freshness === 'listing' ? ['--freshness', 'listing'] : []), '--json'];
    return {
      cmd: process.execPath,
      args,
      env: timedEnv(),
      reportsTime: false,
      parse: (s) => {
        const j = JSON.parse(s) as { entryPoints: { group: string; name: string; value: string }[]; diagnostics: { code: string }[] };
        return { lines: j.entryPoints.map((e) => [e.group, e.name, e.value] as const), diagnostics: [...new Set(j.diagnostics.map((d) => d.code))] };
      },
    };
  }
  // A user's one-liner: the tool finds the directory on sys.path through PYTHONPATH.
  return { cmd: pythonOf(v.venv!), args: ['-c', `G = ${JSON.stringify(GROUP)}\n${ONE_LINERS[v.harness!]!}`], env: timedEnv({ ...xdg, PYTHONPATH: dir }), reportsTime: false, parse: (s) => ({ lines: tabLines(s) }) };
}

/** Before a sample: stevedore's cold variant starts without its cache file. */
export function beforeSample(v: Variant): void {
  if (v.stevedoreCache === 'cold') fs.rmSync(stevedoreXdg(v), { recursive: true, force: true });
}

export { EMPTY_CWD };
