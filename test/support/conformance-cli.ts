#!/usr/bin/env node
/**
 * `npm run conformance -- [--python PATH] [--cache POLICY]`: compare `epi list --json` for an
 * interpreter with importlib.metadata.entry_points() run in that interpreter.
 *
 * Prints `matched N/TOTAL` and every difference (`only-in-importlib` / `only-in-epindex`).
 * Exit 0: identical; 1: any difference (or a side failed to answer); 2: bad usage (unknown
 * option, bad policy, an interpreter that cannot be run).
 */
import { parseArgs } from 'node:util';
import { childEnv, compare, ConformanceError, epiEntryPoints, formatComparison, importlibEntryPoints } from './conformance.js';

const POLICIES = ['scan', 'only', 'prefer', 'fallback', 'auto'];
const USAGE = `usage: npm run conformance -- [--python PATH] [--cache POLICY]

Compare epindex's entry points for a Python interpreter with importlib.metadata's.
  --python PATH    the interpreter (default: python3)
  --cache POLICY   epi's cache policy: ${POLICIES.join(', ')} (default: scan)
Exit status: 0 identical, 1 differences, 2 bad usage.
`;

function main(argv: string[]): number {
  let values: { python?: string | undefined; cache?: string | undefined; help?: boolean | undefined };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { python: { type: 'string' }, cache: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    process.stderr.write(`conformance: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const python = values.python ?? 'python3';
  const cache = values.cache ?? 'scan';
  if (python === '') {
    process.stderr.write(`conformance: --python needs a path\n${USAGE}`);
    return 2;
  }
  if (!POLICIES.includes(cache)) {
    process.stderr.write(`conformance: --cache must be one of ${POLICIES.join(', ')}\n${USAGE}`);
    return 2;
  }
  const env = childEnv();
  try {
    const importlib = importlibEntryPoints(python, env);
    const epindex = epiEntryPoints(python, ['--cache', cache], env);
    process.stdout.write(`python ${python} (${importlib.pythonVersion}), epi --cache ${cache}\n`);
    const c = compare(importlib.entryPoints, epindex.entryPoints);
    process.stdout.write(formatComparison(c));
    return c.onlyImportlib.length + c.onlyEpindex.length === 0 ? 0 : 1;
  } catch (e) {
    if (!(e instanceof ConformanceError)) throw e;
    process.stderr.write(`conformance: ${e.message}\n`);
    return e.kind === 'usage' ? 2 : 1;
  }
}

process.exitCode = main(process.argv.slice(2));
