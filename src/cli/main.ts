#!/usr/bin/env node
/**
 * `epi`: a thin layer over the library. Only this file calls process.exit. Command modules are
 * imported when their command runs, to keep start-up small.
 */
import { createRequire } from 'node:module';
import { Command, CommanderError, Option } from 'commander';
import { isEpindexError } from '../errors.js';
import { addEnvironmentOptions } from './environment-options.js';

/** Set by the bundler (scripts/build.mjs); read from package.json when running the tsc output. */
declare const __EPINDEX_VERSION__: string | undefined;
const version = typeof __EPINDEX_VERSION__ === 'string' ? __EPINDEX_VERSION__ : (createRequire(import.meta.url)('../../../package.json') as { version: string }).version;

/** `--debug` may appear anywhere; it only decides whether failures show a stack trace. */
const debug = process.argv.includes('--debug');
const argv = process.argv.filter((a) => a !== '--debug');

const program = new Command('epi')
  .description('Python entry points, read to the letter of the spec, with a per-directory cache.')
  .version(version, '-V, --version')
  .option('--debug', 'show stack traces for failures')
  .showHelpAfterError('(add --help for usage)')
  .configureOutput({ outputError: (text, write) => write(text.replace(/^error: /, 'epi: ')) })
  .exitOverride();

type Action = () => Promise<number>;
const run = (action: Action): Promise<void> => action().then((code) => void (process.exitCode = code));

const json = (c: Command): Command => c.option('--json', 'print JSON');

json(addEnvironmentOptions(program.command('list', { isDefault: true })))
  .description('list entry points (the default command)')
  .option('-g, --group <group>', 'only this group')
  .option('-n, --name <name>', 'only entry points with this name')
  .option('-d, --dist <dist>', 'only this distribution (any spelling of its name)')
  .addOption(new Option('--format <format>', 'output format').choices(['table', 'json', 'ini']).default('table'))
  .action((o) => run(async () => (await import('./commands/list.js')).list(o)));

json(addEnvironmentOptions(program.command('groups')))
  .description('each group with its number of entry points and distributions')
  .action((o) => run(async () => (await import('./commands/groups.js')).groups(o)));

json(addEnvironmentOptions(program.command('show')))
  .description("one distribution: version, metadata path, entry points")
  .argument('<dist>', 'distribution name (any spelling)')
  .action((dist: string, o) => run(async () => (await import('./commands/show.js')).show(dist, o)));

json(addEnvironmentOptions(program.command('which')))
  .description('who provides an entry point name (exit 1 if nobody does)')
  .argument('<name>', 'entry point name')
  .option('-g, --group <group>', 'group to search', 'console_scripts')
  .action((name: string, o) => run(async () => (await import('./commands/which.js')).which(name, o)));

json(addEnvironmentOptions(program.command('conflicts')))
  .description('group + name pairs provided by more than one distribution')
  .option('-g, --group <group>', 'only this group')
  .action((o) => run(async () => (await import('./commands/conflicts.js')).conflicts(o)));

json(addEnvironmentOptions(program.command('diagnose')))
  .description('every problem found, with file:line (exit 1 if any is an error)')
  .option('--all', 'include info-level diagnostics (shadowed distributions, stale caches)')
  .action((o) => run(async () => (await import('./commands/diagnose.js')).diagnose(o)));

const cache = program.command('cache').description('build, inspect and remove entry-point caches');
const quiet = (c: Command): Command => c.option('-q, --quiet', 'print nothing unless something failed (for installer hooks)');

json(quiet(cache.command('build')))
  .description('build the cache of each directory (left alone when already fresh)')
  .argument('<dir...>', 'path entries')
  .option('--force', 'rebuild even when fresh')
  .addOption(new Option('--freshness <level>', 'freshness level used to decide "already fresh"').choices(['stat', 'listing']))
  .action((dirs: string[], o) => run(async () => (await import('./commands/cache.js')).cacheBuild(dirs, o)));

json(quiet(addEnvironmentOptions(cache.command('rebuild'))))
  .description("build the cache of every directory of an environment's search path")
  .option('--force', 'rebuild even when fresh')
  .action((o) => run(async () => (await import('./commands/cache.js')).cacheRebuild(o)));

json(addEnvironmentOptions(cache.command('status')))
  .description('each path entry: fresh / stale / missing / untrusted, why, where, size, age')
  .action((o) => run(async () => (await import('./commands/cache.js')).cacheStatus(o)));

json(quiet(addEnvironmentOptions(cache.command('clear'))))
  .description("remove the caches of the given directories (default: the environment's search path)")
  .argument('[dir...]', 'path entries')
  .action((dirs: string[], o) => run(async () => (await import('./commands/cache.js')).cacheClear(dirs, o)));

try {
  await program.parseAsync(argv);
} catch (e) {
  if (e instanceof CommanderError) {
    // Help and version exit 0; usage errors were already printed by commander.
    process.exitCode = e.exitCode === 0 ? 0 : 2;
  } else {
    const message = e instanceof Error ? e.message : String(e);
    if (isEpindexError(e)) process.stderr.write(`epi: ${message}\n`);
    else process.stderr.write(`epi: internal error: ${message}${debug ? '' : ' (run with --debug for the stack trace)'}\n`);
    if (debug && e instanceof Error) process.stderr.write(`${e.stack ?? ''}\n`);
    process.exitCode = isEpindexError(e) ? 2 : 70;
  }
}
