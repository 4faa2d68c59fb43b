/**
 * Conformance: the (distribution, group, name, value) entry points epindex reports for an
 * interpreter, compared with what importlib.metadata.entry_points() reports in that
 * interpreter (test/support/oracle.py). Shared by test/conformance.test.ts and
 * test/support/conformance-cli.ts; no node:test here.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
/** The built CLI (this file runs from dist/test/support/). */
export const EPI_MAIN = path.resolve(here, '../../epi.cjs');
/** test/support/oracle.py in the source tree. */
export const ORACLE_SCRIPT = path.resolve(here, '../../../test/support/oracle.py');

/** One entry point: [normalized distribution name, group, name, value]. */
export type Quad = readonly [dist: string, group: string, name: string, value: string];

export class ConformanceError extends Error {
  /** `usage`: the interpreter cannot be run at all; `failure`: a side failed to answer. */
  constructor(
    message: string,
    readonly kind: 'usage' | 'failure',
  ) {
    super(message);
  }
}

/**
 * The environment for the children: the caller's, with epindex's own settings removed (the
 * command line says which policy), the user cache redirected when asked, and the 70 ms
 * extra-CA start-up penalty avoided.
 */
export function childEnv(opts: { cacheDir?: string } = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_EXTRA_CA_CERTS: '', NO_COLOR: '1' };
  delete env['EPINDEX_CACHE'];
  delete env['EPINDEX_FRESHNESS'];
  if (opts.cacheDir !== undefined) env['EPINDEX_CACHE_DIR'] = opts.cacheDir;
  return env;
}

export interface OracleAnswer {
  readonly pythonVersion: string;
  readonly entryPoints: Quad[];
}

/** importlib.metadata.entry_points() of `python`'s own sys.path. */
export function importlibEntryPoints(python: string, env: NodeJS.ProcessEnv = childEnv()): OracleAnswer {
  const r = spawnSync(python, [ORACLE_SCRIPT], { encoding: 'utf8', env, maxBuffer: 256 * 1024 * 1024 });
  if (r.error) throw new ConformanceError(`cannot run ${python}: ${r.error.message}`, 'usage');
  // oracle.py turns whatever importlib raises into data: a failure here means no Python 3 ran it.
  if (r.status !== 0) throw new ConformanceError(`${python} could not run the importlib.metadata oracle (is it a Python 3 interpreter?), exit ${r.status}: ${r.stderr.trim()}`, 'usage');
  const out = JSON.parse(r.stdout) as { python: string; entryPoints?: Quad[]; error?: string };
  if (out.error !== undefined) throw new ConformanceError(`importlib.metadata.entry_points() raised under ${python} (Python ${out.python}): ${out.error}`, 'failure');
  return { pythonVersion: out.python, entryPoints: out.entryPoints ?? [] };
}

interface ListJson {
  entryPoints: Array<{ group: string; name: string; value: string; dist: { normalizedName: string; metadataPath: string } | null }>;
  diagnostics: Array<{ code: string; severity: string; message: string; file?: string }>;
}

export interface EpiAnswer {
  readonly entryPoints: Quad[];
  /** The raw `epi list --json` output. */
  readonly json: ListJson;
}

/** Run the built CLI: `epi list --json --python <python> ...extra`. */
export function epiEntryPoints(python: string, extra: readonly string[], env: NodeJS.ProcessEnv = childEnv()): EpiAnswer {
  const args = [EPI_MAIN, 'list', '--json', '--python', python, ...extra];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', env, maxBuffer: 256 * 1024 * 1024 });
  if (r.error) throw new ConformanceError(`cannot run epi: ${r.error.message}`, 'failure');
  if (r.status !== 0) throw new ConformanceError(`epi ${args.slice(1).join(' ')} exited ${r.status}: ${r.stderr.trim()}`, r.status === 2 ? 'usage' : 'failure');
  const json = JSON.parse(r.stdout) as ListJson;
  return { entryPoints: json.entryPoints.map((e) => [e.dist?.normalizedName ?? '', e.group, e.name, e.value] as const), json };
}

export interface Comparison {
  /** Entry points in both (as multisets: a line repeated in a file counts twice). */
  readonly matched: number;
  /** Size of the union. */
  readonly total: number;
  readonly importlib: number;
  readonly epindex: number;
  readonly onlyImportlib: Quad[];
  readonly onlyEpindex: Quad[];
}

const keyOf = (q: Quad): string => JSON.stringify(q);

function counts(qs: readonly Quad[]): Map<string, { quad: Quad; n: number }> {
  const m = new Map<string, { quad: Quad; n: number }>();
  for (const q of qs) {
    const k = keyOf(q);
    const c = m.get(k);
    if (c) c.n++;
    else m.set(k, { quad: q, n: 1 });
  }
  return m;
}

const byQuad = (a: Quad, b: Quad): number => {
  for (let i = 0; i < 4; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return 0;
};

/** Compare as multisets of (dist, group, name, value); order is not compared. */
export function compare(importlib: readonly Quad[], epindex: readonly Quad[]): Comparison {
  const a = counts(importlib);
  const b = counts(epindex);
  let matched = 0;
  const onlyImportlib: Quad[] = [];
  const onlyEpindex: Quad[] = [];
  for (const [k, { quad, n }] of a) {
    const m = b.get(k)?.n ?? 0;
    matched += Math.min(n, m);
    for (let i = m; i < n; i++) onlyImportlib.push(quad);
  }
  for (const [k, { quad, n }] of b) {
    const m = a.get(k)?.n ?? 0;
    for (let i = m; i < n; i++) onlyEpindex.push(quad);
  }
  onlyImportlib.sort(byQuad);
  onlyEpindex.sort(byQuad);
  return { matched, total: matched + onlyImportlib.length + onlyEpindex.length, importlib: importlib.length, epindex: epindex.length, onlyImportlib, onlyEpindex };
}

export const formatQuad = (q: Quad): string => `${q[0]}  [${q[1]}]  ${q[2]} = ${q[3]}`;

/** `matched N/TOTAL` and every difference, one per line. */
export function formatComparison(c: Comparison): string {
  const lines = [`matched ${c.matched}/${c.total} (importlib.metadata: ${c.importlib}, epindex: ${c.epindex})`];
  for (const q of c.onlyImportlib) lines.push(`only-in-importlib  ${formatQuad(q)}`);
  for (const q of c.onlyEpindex) lines.push(`only-in-epindex    ${formatQuad(q)}`);
  return lines.join('\n') + '\n';
}
