#!/usr/bin/env node
/**
 * `epi`: a thin layer over the library. Only this file calls process.exit (through exitCode).
 * Command modules are imported when their command runs.
 */
import { createRequire } from 'node:module';
import { isEpindexError } from '../errors.js';
import { isUsageError, parseCommandLine, type CommandSpec, type OptionSpec, type OptionValues, type Program } from './args.js';
import type { CacheFlags } from './commands/cache.js';
import type { CheckFlags } from './commands/check.js';
import type { LintFlags } from './commands/lint.js';
import type { ListFlags } from './commands/list.js';
import type { ScriptsFlags } from './commands/scripts.js';
import type { WriteFlags } from './commands/write.js';
import type { ReportFormat } from '../lint/report.js';
import type { EnvironmentFlags } from './environment-options.js';
import { ENVIRONMENT_OPTIONS, FRESHNESS_OPTION } from './environment-options.js';
import { withJsonSchemas } from './json-schemas.js';
import { withNodeDir, withNodeSide } from './node-side.js';
import { out, err } from './stdio.js';
import { rawArguments } from '../rawbytes.js';

/** Set by the bundler (scripts/build.mjs); read from package.json when running the tsc output. */
declare const __EPINDEX_VERSION__: string | undefined;
const version = typeof __EPINDEX_VERSION__ === 'string' ? __EPINDEX_VERSION__ : (createRequire(import.meta.url)('../../../package.json') as { version: string }).version;

/** withJsonSchemas gives each command's help line the name of its schema. */
const JSON_OPTION: OptionSpec = { name: 'json', type: 'boolean', description: 'print JSON (schema/cli/)', conflicts: ['quiet'] };
const QUIET: OptionSpec = { name: 'quiet', short: 'q', type: 'boolean', description: 'print nothing unless something failed (for installer hooks)' };
const FORCE: OptionSpec = { name: 'force', type: 'boolean', description: 'rebuild even when fresh' };
const GROUP: OptionSpec = { name: 'group', short: 'g', type: 'string', value: '<group>', repeatable: true, complete: 'group', description: 'only this group' };
const NAME: OptionSpec = { name: 'name', short: 'n', type: 'string', value: '<name>', complete: 'name', description: 'only entry points with this name' };
const DIST: OptionSpec = { name: 'dist', short: 'd', type: 'string', value: '<dist>', complete: 'dist', description: 'only this distribution (any spelling of its name)' };
const SCRIPTS_PYTHON: OptionSpec = { name: 'python', type: 'string', value: '<python>', short: 'p', description: 'the environment\'s interpreter: a path, an environment directory, a version (3.12, cpython@3.12, >=3.11) or a name on PATH', defaultText: '$VIRTUAL_ENV, $CONDA_PREFIX, a .venv here or above, else python3' };
const SCRIPTS_DEST: OptionSpec = { name: 'dest', type: 'string', value: '<dir>', description: 'launchers in this directory instead of the scripts directory of each install scheme' };
const SCRIPTS_DIST: OptionSpec = { ...DIST, repeatable: true };
const DRY_RUN: OptionSpec = { name: 'dry-run', type: 'boolean', description: 'show the plan; change nothing' };
const scripts = (options: readonly OptionSpec[]): readonly OptionSpec[] => [SCRIPTS_PYTHON, SCRIPTS_DEST, SCRIPTS_DIST, ...options, JSON_OPTION];
const REPORT_FORMAT: OptionSpec = { name: 'format', type: 'string', value: '<format>', choices: ['text', 'json', 'sarif', 'github'], description: 'output format: text, JSON, SARIF 2.1.0, or GitHub Actions annotations', defaultText: 'text' };
const query = (options: readonly OptionSpec[]): readonly OptionSpec[] => [...options, ...ENVIRONMENT_OPTIONS, JSON_OPTION];

/** Options arrive validated (types, choices, conflicts) by the parser, in the shape of each command's flags. */
const flags = <T>(o: OptionValues): T => o as unknown as T;

const commands: CommandSpec[] = withNodeSide([
  {
    name: 'list',
    summary: 'list entry points (the default command)',
    args: [],
    options: query([
      GROUP,
      NAME,
      DIST,
      { name: 'format', type: 'string', value: '<format>', choices: ['table', 'json', 'ini'], description: 'output format', defaultText: 'table', conflicts: ['json'] },
      { name: 'wheel', type: 'string', value: '<file.whl>', description: "list a wheel's entry points (read from the zip; its RECORD is checked) instead of an environment's", conflicts: ['python', 'path', 'site'] },
    ]),
    run: async (_, o) => (await import('./commands/list.js')).list(flags<ListFlags>(o)),
  },
  {
    name: 'groups',
    summary: 'each group with its number of entry points and distributions',
    args: [],
    options: query([]),
    run: async (_, o) => (await import('./commands/groups.js')).groups(flags<EnvironmentFlags & { json?: boolean }>(o)),
  },
  {
    name: 'show',
    summary: 'one distribution: version, metadata path, entry points',
    args: [{ name: 'dist', required: true, variadic: false, complete: 'dist' }],
    options: query([]),
    run: async ([dist], o) => (await import('./commands/show.js')).show(dist!, flags<EnvironmentFlags & { json?: boolean }>(o)),
  },
  {
    name: 'which',
    summary: 'who provides an entry point name (exit 1 if nobody does)',
    args: [{ name: 'name', required: true, variadic: false, complete: 'name' }],
    options: query([{ ...GROUP, description: 'group to search', defaultText: 'console_scripts' }]),
    run: async ([name], o) => (await import('./commands/which.js')).which(name!, flags<EnvironmentFlags & { group?: string[]; json?: boolean }>(o)),
  },
  {
    name: 'conflicts',
    summary: 'group + name pairs provided by more than one distribution',
    args: [],
    options: query([GROUP]),
    run: async (_, o) => (await import('./commands/conflicts.js')).conflicts(flags<EnvironmentFlags & { group?: string[]; json?: boolean }>(o)),
  },
  {
    name: 'diagnose',
    summary: 'every problem found, with file:line (exit 1 if any is an error)',
    args: [],
    options: query([
      { name: 'all', type: 'boolean', description: 'include info-level diagnostics (shadowed distributions, stale caches)' },
      REPORT_FORMAT,
    ]),
    run: async (_, o) => (await import('./commands/diagnose.js')).diagnose(flags<EnvironmentFlags & { json?: boolean; all?: boolean; format?: ReportFormat }>(o)),
  },
  {
    name: 'lint',
    summary: 'check entry points before publishing: entry_points.txt, *.dist-info, wheels, pyproject.toml, setup.cfg, setup.py, package.json, or a whole environment (--python); exit 1 on errors',
    args: [{ name: 'path', required: false, variadic: true }],
    options: query([
      REPORT_FORMAT,
      { name: 'strict', type: 'boolean', description: 'exit 1 on warnings too' },
    ]),
    run: async (paths, o) => (await import('./commands/lint.js')).lint(paths, flags<LintFlags>(o)),
  },
  {
    name: 'write',
    summary: 'render entry_points.txt from pyproject.toml, setup.cfg or setup.py, as build backends write it (exit 1 on errors)',
    args: [{ name: 'project', required: false, variadic: false }],
    options: [
      { name: 'out', type: 'string', value: '<dir>', description: 'write <dir>/entry_points.txt instead of printing it' },
      { ...SCRIPTS_PYTHON, description: 'the interpreter whose ast module parses setup.py (never running it): a path, an environment directory, a version (3.12, cpython@3.12, >=3.11) or a name on PATH' },
      JSON_OPTION,
    ],
    run: async ([project], o) => (await import('./commands/write.js')).write(project, flags<WriteFlags>(o)),
  },
  {
    name: 'check',
    summary: 'import every selected entry point in isolated child processes: Python, or npm with --node (exit 1 if any fails)',
    args: [],
    options: [
      { name: 'python', type: 'string', value: '<python>', short: 'p', description: 'the environment\'s interpreter: a path, an environment directory, a version (3.12, cpython@3.12, >=3.11) or a name on PATH', defaultText: '$VIRTUAL_ENV, $CONDA_PREFIX, a .venv here or above, else python3' },
      GROUP,
      NAME,
      DIST,
      { name: 'timeout', type: 'string', value: '<seconds>', description: 'per entry point', defaultText: '10; 20 with --node' },
      { name: 'jobs', short: 'j', type: 'string', value: '<n>', description: 'worker processes', defaultText: 'CPU count' },
      { name: 'path', type: 'string', value: '<dir>', pathList: true, complete: 'directory', description: "check the entry points of these path entries instead of the interpreter's sys.path; they are imported with the interpreter, these directories first on its sys.path" },
      { name: 'cache', type: 'string', value: '<policy>', choices: ['scan', 'only', 'prefer', 'fallback', 'auto'], description: 'how caches are used', defaultText: 'auto, or $EPINDEX_CACHE' },
      FRESHNESS_OPTION,
      JSON_OPTION,
    ],
    run: async (_, o) => (await import('./commands/check.js')).check(flags<CheckFlags>(o)),
  },
  {
    name: 'accelerate',
    summary: 'make importlib.metadata (distributions(), version(), entry_points()…) answer from the caches in a Python environment',
    args: [],
    options: [
      { name: 'python', type: 'string', value: '<python>', short: 'p', description: 'the environment\'s interpreter: a path, an environment directory, a version (3.12, cpython@3.12, >=3.11) or a name on PATH', defaultText: '$VIRTUAL_ENV, $CONDA_PREFIX, a .venv here or above, else python3' },
      { name: 'remove', type: 'boolean', description: 'remove the accelerator' },
      { name: 'system', type: 'boolean', description: 'install into an interpreter that is not a virtual or conda environment' },
      JSON_OPTION,
    ],
    run: async (_, o) => (await import('./commands/check.js')).accelerate(flags<{ python?: string; remove?: boolean; system?: boolean; json?: boolean }>(o)),
  },
  {
    name: 'cache build',
    summary: 'build the cache of each directory (left alone when already fresh)',
    args: [{ name: 'dir', required: true, variadic: true, complete: 'directory' }],
    options: [FORCE, FRESHNESS_OPTION, QUIET, JSON_OPTION],
    run: async (dirs, o) => (await import('./commands/cache.js')).cacheBuild(dirs, flags<CacheFlags>(o)),
  },
  {
    name: 'cache rebuild',
    summary: "build the cache of every directory of an environment's search path",
    args: [],
    options: [FORCE, ...ENVIRONMENT_OPTIONS.filter((x) => x.name !== 'cache'), QUIET, JSON_OPTION],
    run: async (_, o) => (await import('./commands/cache.js')).cacheRebuild(flags<CacheFlags>(o)),
  },
  {
    name: 'cache status',
    summary: 'each path entry: fresh / stale / missing / untrusted, why, where, size, age',
    args: [],
    options: [...ENVIRONMENT_OPTIONS.filter((x) => x.name !== 'cache'), JSON_OPTION],
    run: async (_, o) => (await import('./commands/cache.js')).cacheStatus(flags<CacheFlags>(o)),
  },
  {
    name: 'cache clear',
    summary: "remove the caches of the given directories (default: the environment's search path)",
    args: [{ name: 'dir', required: false, variadic: true, complete: 'directory' }],
    options: [...ENVIRONMENT_OPTIONS.filter((x) => x.name !== 'cache' && x.name !== 'freshness'), QUIET, JSON_OPTION],
    run: async (dirs, o) => (await import('./commands/cache.js')).cacheClear(dirs, flags<CacheFlags>(o)),
  },
  {
    name: 'env',
    summary: 'which interpreter and search path the other commands use, and why',
    args: [],
    options: query([]),
    run: async (_, o) => (await import('./commands/env.js')).env(flags<EnvironmentFlags & { json?: boolean }>(o)),
  },
  {
    name: 'completion',
    summary: 'print a shell completion script (bash, zsh or fish)',
    args: [{ name: 'shell', required: true, variadic: false }],
    options: [],
    run: async ([shell]) => (await import('./commands/completion.js')).completion(program, shell!),
  },
  {
    name: 'scripts list',
    summary: 'every console and gui script: its distribution, launcher path and state (exit 1 unless all are ok)',
    args: [],
    options: scripts([]),
    run: async (_, o) => (await import('./commands/scripts.js')).scriptsList(flags<ScriptsFlags>(o)),
  },
  {
    name: 'scripts install',
    summary: 'write missing or broken launchers; never replaces a file epindex, pip, uv or installer did not write unless --force',
    args: [],
    options: scripts([
      DRY_RUN,
      { name: 'force', type: 'boolean', description: 'also replace files epindex does not recognise as launchers' },
      { name: 'relocatable', type: 'boolean', description: 'launchers that find the interpreter relative to themselves (no realpath needed)' },
    ]),
    run: async (_, o) => (await import('./commands/scripts.js')).scriptsInstall(flags<ScriptsFlags>(o)),
  },
  {
    name: 'scripts repair',
    summary: 'point launchers, and other scripts that name the old location (a moved or copied venv), at this interpreter, fix the activate scripts, and list what stays broken',
    args: [],
    options: scripts([DRY_RUN]),
    run: async (_, o) => (await import('./commands/scripts.js')).scriptsRepair(flags<ScriptsFlags>(o)),
  },
  {
    name: 'scripts remove',
    summary: 'remove the launchers of distributions that epindex, pip, uv or installer wrote, never other files',
    args: [],
    options: scripts([DRY_RUN]),
    run: async (_, o) => (await import('./commands/scripts.js')).scriptsRemove(flags<ScriptsFlags>(o)),
  },
]);

const program: Program = {
  name: 'epi',
  description: 'Python entry points, read to the letter of the spec, with a per-directory cache.',
  // Each --json help line names the command's schema (json-schemas.ts).
  commands: withJsonSchemas(commands),
  groups: [
    { name: 'cache', summary: 'build, inspect and remove entry-point caches' },
    { name: 'scripts', summary: 'list, install, repair and remove console and gui script launchers' },
  ],
  defaultCommand: 'list',
  globalOptions: [
    { name: 'version', short: 'V', type: 'boolean', description: 'output the version number' },
    { name: 'debug', type: 'boolean', description: 'show stack traces for failures (anywhere on the line)' },
  ],
};

/** `--debug` may appear anywhere before `--`; it only decides whether failures show a stack trace. */
async function main(argv: readonly string[]): Promise<number> {
  const end = argv.indexOf('--');
  const isDebug = (a: string, i: number): boolean => a === '--debug' && (end === -1 || i < end);
  const debug = argv.some(isDebug);
  try {
    // The completion scripts' helper (complete-values.ts), before any parsing: its words are an unfinished line.
    if (argv[0] === '__complete') return await (await import('./complete-values.js')).completeValues(program, argv.slice(1));
    const words = new Set([...program.commands.flatMap((c) => c.name.split(' ')), ...program.groups.map((g) => g.name), 'help']);
    const parsed = parseCommandLine(program, withNodeDir(argv.filter((a, i) => !isDebug(a, i)), words));
    if (parsed.kind === 'version') out(`${version}\n`);
    else if (parsed.kind === 'help') out(parsed.text);
    else {
      for (const w of parsed.warnings) err(`epi: warning: ${w}\n`);
      return await parsed.command.run(parsed.args, parsed.options);
    }
    return 0;
  } catch (e) {
    if (isUsageError(e)) {
      err(`epi: ${e.message}\n${e.hint ? '(add --help for usage)\n' : ''}`);
      return 2;
    }
    const message = e instanceof Error ? e.message : String(e);
    if (isEpindexError(e)) err(`epi: ${message}\n`);
    else err(`epi: internal error: ${message}${debug ? '' : ' (run with --debug for the stack trace)'}\n`);
    if (debug && e instanceof Error) err(`${e.stack ?? ''}\n`);
    return isEpindexError(e) ? 2 : 70;
  }
}

// Arguments as bytes where they are not UTF-8 (a --python naming such a directory, §4.1.1).
void main(rawArguments(process.argv.slice(2))).then((code) => {
  process.exitCode = code;
});
