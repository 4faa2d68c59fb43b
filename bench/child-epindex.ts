/**
 * One in-process measurement of epindex, the library (run by `npm run bench`, never by hand):
 * the counterpart of bench/harness.py. The library is imported first (not timed), then the
 * lookup is timed with performance.now() from a fresh process (no in-process memo) to the
 * answer: opening the environment, reading or scanning, selecting.
 *
 * argv[2] = {"policy": "scan"|"auto", "freshness": "stat"|"listing", "workload": ..., "dir": ...,
 *            "group": ..., "nameGroup": ..., "name": ..., "repeat": 100}
 * Prints {"ms": number, "lines": [[group, name, value], ...], "diagnostics": [codes]}.
 */
import type { CachePolicy, Freshness } from '../src/index.js';

interface Config {
  readonly policy: CachePolicy;
  readonly freshness: Freshness;
  readonly workload: 'group' | 'all' | 'name' | 'repeat100';
  readonly dir: string;
  readonly group: string;
  readonly nameGroup: string;
  readonly name: string;
  readonly repeat?: number;
}

const cfg = JSON.parse(process.argv[2] ?? '{}') as Config;
const { pythonEnvironment } = await import('../src/index.js');

const t0 = performance.now();
const env = await pythonEnvironment({ path: [cfg.dir], cache: cfg.policy, freshness: cfg.freshness });
let eps;
switch (cfg.workload) {
  case 'group':
    eps = await env.entryPoints({ group: cfg.group });
    break;
  case 'all':
    eps = await env.entryPoints();
    break;
  case 'name':
    eps = await env.entryPoints({ group: cfg.nameGroup, name: cfg.name });
    break;
  case 'repeat100': {
    const n = cfg.repeat ?? 100;
    for (let i = 0; i < n; i++) eps = await env.entryPoints({ group: cfg.group });
    break;
  }
}
const t1 = performance.now();
if (eps === undefined) throw new Error(`unknown workload ${String(cfg.workload)}`);
process.stdout.write(JSON.stringify({
  ms: t1 - t0,
  lines: eps.toArray().map((e) => [e.group, e.name, e.value]),
  diagnostics: [...new Set(eps.diagnostics.map((d) => d.code))],
}));
