/**
 * The npm side of the CLI: `--node [DIR]` (and `--global`) on list, groups, conflicts,
 * diagnose, cache build, cache status and check. DIR is where resolution starts (default: the
 * working directory). Command code is in commands/node-lookup.ts, node-cache.ts and
 * node-check.ts, bundled apart (dist/cmd/) and required only when `--node` is given.
 *
 * `--node` is a string option whose value may be left out: before parsing, `withNodeDir` gives
 * a bare `--node` the value `.` — when it ends the line, or an option, a command word or (for
 * `cache build`, whose directories are its arguments) anything follows it. So `epi list --node`,
 * `epi list --node proj`, `epi --node groups` and `epi cache build --node node_modules` read as
 * people type them, and no command gains a positional argument (which would change how the
 * default command `list` takes typos and the legacy `--path A B`).
 */
import { UsageError, type CommandSpec, type OptionSpec, type OptionValues } from './args.js';

export const NODE_OPTION: OptionSpec = { name: 'node', type: 'string', value: '[dir]', description: 'npm packages: the node_modules directories Node resolves from DIR (default: the working directory)', conflicts: ['python', 'path', 'site'] };
export const GLOBAL_OPTION: OptionSpec = { name: 'global', type: 'boolean', description: "with --node: also npm's global packages (`npm root -g`), which Node itself does not resolve from" };

/** The commands with an npm side. */
const NODE_SIDE = new Set(['list', 'groups', 'conflicts', 'diagnose', 'cache build', 'cache status', 'check']);

/** Give a bare `--node` its default value `.` (see the module comment). */
export function withNodeDir(argv: readonly string[], commandWords: ReadonlySet<string>): string[] {
  const end = argv.indexOf('--');
  const upto = end < 0 ? argv.length : end;
  const building = argv.slice(0, upto).some((a, i) => a === 'cache' && argv[i + 1] === 'build');
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    out.push(a);
    if (a !== '--node' || i >= upto) continue;
    const next = i + 1 < upto ? argv[i + 1]! : undefined;
    if (building || next === undefined || (next.startsWith('-') && next !== '-') || commandWords.has(next)) out.push('.');
  }
  return out;
}

/** Add `--node [DIR]` and `--global` to the commands that have an npm side. */
export function withNodeSide(commands: readonly CommandSpec[]): CommandSpec[] {
  return commands.map((c) => {
    if (!NODE_SIDE.has(c.name)) return c;
    return {
      ...c,
      options: [...c.options, ...[NODE_OPTION, GLOBAL_OPTION].filter((x) => !c.options.some((y) => y.name === x.name))],
      run: async (args: string[], o: OptionValues) => {
        const node = o['node'];
        if (typeof node === 'string') {
          if (c.name === 'check') return (await import('./commands/node-check.js')).check(node, o);
          return (await import('./commands/node-lookup.js')).runNode(c.name, c.name === 'cache build' ? args : [node], o);
        }
        if (o['global'] === true) throw new UsageError("option '--global' needs '--node'");
        return c.run(args, o);
      },
    };
  });
}

