/**
 * What launchers need from the interpreter itself: `sys.executable` (the shebang), the scripts
 * directory of each install scheme (`sysconfig`), the prefixes (is it a venv, where is it now)
 * and the version (pip's `pipX.Y` names). One bounded subprocess; the search path comes from
 * the library as everywhere else.
 */
import { runBounded } from '../child.js';
import { EpindexError } from '../errors.js';

/** One install scheme as sysconfig reports it (paths expanded for this interpreter). */
export interface InstallScheme {
  readonly name: string;
  readonly purelib: string;
  readonly platlib: string;
  readonly scripts: string;
}

export interface ScriptsTarget {
  /** The command as given (`python3`, `/venv/bin/python`). */
  readonly command: string;
  /** `sys.executable`: what launchers run. */
  readonly executable: string;
  readonly version: readonly [major: number, minor: number];
  readonly prefix: string;
  readonly basePrefix: string;
  /** `os.name` of the interpreter (`posix`, `nt`). */
  readonly osName: string;
  /** The default scheme first (`sysconfig.get_path('scripts')` is its `scripts`), then the others. */
  readonly schemes: readonly InstallScheme[];
}

/** A virtual environment: the prefix differs from the base prefix. */
export const isVirtualEnvironment = (t: ScriptsTarget): boolean => t.prefix !== t.basePrefix;

const PROBE = `
import json, os, sys, sysconfig
def paths(scheme):
    try:
        p = sysconfig.get_paths(scheme) if scheme else sysconfig.get_paths()
        return {"purelib": p["purelib"], "platlib": p["platlib"], "scripts": p["scripts"]}
    except Exception:
        return None
try:
    default = sysconfig.get_default_scheme()
except AttributeError:
    default = sysconfig._get_default_scheme()
schemes = [dict(name=default, **paths(None))]
for name in sysconfig.get_scheme_names():
    if name == default or (os.name != "nt" and name.startswith("nt")):
        continue
    p = paths(name)
    if p:
        schemes.append(dict(name=name, **p))
sys.stdout.write(json.dumps({"executable": sys.executable, "version": list(sys.version_info[:2]),
    "prefix": sys.prefix, "base_prefix": sys.base_prefix, "os_name": os.name, "schemes": schemes}))
`;

/** Bounded: an interpreter that hangs (a broken sitecustomize, a network home) must not hang `epi`. */
const TIMEOUT_MS = 30_000;

interface ProbeJSON {
  executable: string;
  version: [number, number];
  prefix: string;
  base_prefix: string;
  os_name: string;
  schemes: Array<{ name: string; purelib: string; platlib: string; scripts: string }>;
}

/** A string JSON.parse made from Python's `\\udcXX` escapes: a path that was not valid UTF-8. */
const hasLoneSurrogate = (s: string): boolean => /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s);

function validate(j: unknown): ProbeJSON | null {
  const o = j as Partial<ProbeJSON> | null;
  if (typeof o !== 'object' || o === null) return null;
  if (typeof o.executable !== 'string' || typeof o.prefix !== 'string' || typeof o.base_prefix !== 'string' || typeof o.os_name !== 'string') return null;
  if (!Array.isArray(o.version) || o.version.length !== 2 || !o.version.every((n) => Number.isInteger(n))) return null;
  if (!Array.isArray(o.schemes) || o.schemes.length === 0) return null;
  for (const s of o.schemes) {
    if (typeof s !== 'object' || s === null || !['name', 'purelib', 'platlib', 'scripts'].every((k) => typeof (s as unknown as Record<string, unknown>)[k] === 'string')) return null;
  }
  return o as ProbeJSON;
}

/** Ask `python` where its launchers go and what they must run (killed after `timeoutMs`). */
export function probeInterpreter(python: string, timeoutMs: number = TIMEOUT_MS): Promise<ScriptsTarget> {
  return runBounded(python, ['-c', PROBE], { timeoutMs, maxOutput: 4 * 1024 * 1024 }).then((r) =>
    new Promise<ScriptsTarget>((resolve, reject) => {
      if (r.error !== null || r.stopped !== null || r.code !== 0) {
        const e = r.error;
        const why = e?.code === 'ENOENT' ? 'not found' : e?.code === 'EACCES' ? 'not executable' : r.stopped === 'timeout' ? `no answer within ${timeoutMs / 1000} s` : r.stopped === 'output' ? 'it printed too much' : (r.stderr.trim().split('\n').pop() || e?.message || (r.signal !== null ? `killed by ${r.signal}` : `exit status ${r.code}`));
        reject(new EpindexError('PYTHON_FAILED', `cannot run the Python interpreter ${JSON.stringify(python)}: ${why}`, e !== null ? { cause: e } : {}));
        return;
      }
      const stdout = r.stdout;
      let j: ProbeJSON | null = null;
      try {
        j = validate(JSON.parse(stdout));
      } catch {
        j = null;
      }
      if (j === null) {
        reject(new EpindexError('PYTHON_FAILED', `the Python interpreter ${JSON.stringify(python)} did not report its install schemes`));
        return;
      }
      const paths = [j.executable, j.prefix, ...j.schemes.map((s) => s.scripts)];
      if (j.executable === '') {
        reject(new EpindexError('PYTHON_FAILED', `the Python interpreter ${JSON.stringify(python)} does not know its own path (sys.executable is empty)`));
        return;
      }
      if (paths.some(hasLoneSurrogate)) {
        reject(new EpindexError('PYTHON_FAILED', `the Python interpreter ${JSON.stringify(python)} reports paths that are not valid UTF-8; launchers are not written for it`));
        return;
      }
      resolve({
        command: python,
        executable: j.executable,
        version: [j.version[0], j.version[1]],
        prefix: j.prefix,
        basePrefix: j.base_prefix,
        osName: j.os_name,
        schemes: j.schemes.map((s) => ({ name: s.name, purelib: s.purelib, platlib: s.platlib, scripts: s.scripts })),
      });
    }),
  );
}
