/**
 * The launchers of a Python environment: the entry points come from the library (one lookup),
 * where they go and what they run from the interpreter itself (one probe), both at once.
 */
import type { CachePolicy } from '../cache/store.js';
import type { Diagnostic } from '../diagnostics.js';
import type { Distribution } from '../entry-point.js';
import { pythonEnvironment } from '../environment.js';
import { EpindexError } from '../errors.js';
import { choosePython } from '../python/find-python.js';
import { takeInventory, SCRIPT_GROUPS, type Inventory } from './inventory.js';
import { probeInterpreter } from './probe.js';

export interface ScriptsOptions {
  /** The environment's interpreter, read as `--python` is (a path, an environment directory, a version, a name on PATH); default as `epi`'s (`$VIRTUAL_ENV`, `$CONDA_PREFIX`, a `.venv` here or above, else `python3`). */
  readonly python?: string | undefined;
  /** Put (and look for) every launcher in this directory instead of the install schemes' scripts directories. */
  readonly dest?: string | undefined;
  readonly cache?: CachePolicy | undefined;
  /** The command, when it changes the environment (`epi scripts remove`): a `$VIRTUAL_ENV` naming no environment is then an error (§4.4.1). */
  readonly destructive?: string | undefined;
  /** For tests: the platform to act for (default `process.platform`). */
  readonly platform?: NodeJS.Platform | undefined;
}

export interface EnvironmentScripts extends Inventory {
  /** What the entry-point lookup noticed (bad files, shadowed distributions); `epi diagnose` shows them. */
  readonly lookupDiagnostics: readonly Diagnostic[];
  /** The distributions in use, in search-path order (`repair` reads their RECORD). */
  readonly distributions: readonly Distribution[];
}

const WINDOWS = 'Windows launchers (.exe wrappers) are out of scope: epindex writes POSIX launchers only, and nothing was examined or written';

/** Throw on Windows, where a POSIX launcher would be wrong. */
export function refuseWindows(platform: NodeJS.Platform = process.platform): void {
  if (platform === 'win32') throw new EpindexError('INVALID_ARGUMENT', WINDOWS);
}

/** Every console and gui script of the environment with the state of its launcher. */
export async function scriptsInventory(options: ScriptsOptions = {}): Promise<EnvironmentScripts> {
  refuseWindows(options.platform);
  // As every command reads --python: a path, an environment directory, a version or a name.
  const python = choosePython(options.python, options.destructive !== undefined ? { destructive: options.destructive } : {}).command;
  const [target, env] = await Promise.all([
    probeInterpreter(python),
    pythonEnvironment({ python, ...(options.cache !== undefined ? { cache: options.cache } : {}) }),
  ]);
  if (target.osName !== 'posix') throw new EpindexError('INVALID_ARGUMENT', `${python} is a Windows interpreter (os.name ${JSON.stringify(target.osName)}); ${WINDOWS}`);
  // One lookup over every group keeps the search-path order across console and gui scripts.
  const all = await env.entryPoints();
  const eps = all.toArray().filter((e) => (SCRIPT_GROUPS as readonly string[]).includes(e.group));
  const { distributions } = await env.distributions();
  return { ...takeInventory(eps, target, options.dest), lookupDiagnostics: all.diagnostics, distributions };
}
