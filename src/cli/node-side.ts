/**
 * The npm side of the CLI: `--node` on list, groups, conflicts, cache build and cache status,
 * with an optional DIR where resolution starts, and the `check` command. Command code is in
 * commands/node.ts and commands/check.ts, imported only when `--node` (or check) runs.
 */
import { UsageError, type CommandSpec, type OptionSpec, type OptionValues } from './args.js';

export const NODE_OPTION: OptionSpec = { name: 'node', type: 'boolean', description: 'npm packages: the node_modules directories Node resolves from DIR (default: the working directory)', conflicts: ['python', 'path', 'site'] };
export const GLOBAL_OPTION: OptionSpec = { name: 'global', type: 'boolean', description: "with --node: also npm's global packages (`npm root -g`), which Node itself does not resolve from" };

/** What each command's --node side needs. */
const NODE_SIDE: Record<string, { readonly dirArg: boolean }> = {
  list: { dirArg: true },
  groups: { dirArg: true },
  conflicts: { dirArg: true },
  diagnose: { dirArg: true },
  'cache build': { dirArg: false },
  'cache status': { dirArg: true },
  check: { dirArg: true },
};

/** Add `--node` (and `--global`, and an optional DIR) to the commands that have an npm side. */
export function withNodeSide(commands: readonly CommandSpec[]): CommandSpec[] {
  return commands.map((c) => {
    const side = NODE_SIDE[c.name];
    if (side === undefined) return c;
    const addDir = side.dirArg && c.args.length === 0;
    return {
      ...c,
      args: addDir ? [{ name: 'dir', required: false, variadic: false }] : c.args,
      options: [...c.options, ...[NODE_OPTION, GLOBAL_OPTION].filter((x) => !c.options.some((y) => y.name === x.name))],
      run: async (args: string[], o: OptionValues) => {
        if (o['node'] === true) {
          if (c.name === 'check') return (await import('./commands/node-check.js')).check(args[0], o);
          return (await import('./commands/node.js')).runNode(c.name, args, o);
        }
        if (o['global'] === true) throw new UsageError("option '--global' needs '--node'");
        if (addDir && args.length > 0) throw new UsageError(`too many arguments for '${c.name}': ${args.join(' ')} (a directory is an argument with --node only)`);
        return c.run(args, o);
      },
    };
  });
}

const GROUP: OptionSpec = { name: 'group', short: 'g', type: 'string', value: '<group>', description: 'only this group' };

/**
 * `epi check` until the Python side's check is in the table: its --node side only (the options
 * both sides share). When the Python check lands, drop this entry: withNodeSide gives that one
 * --node, --global and DIR, routed to commands/node-check.ts.
 */
export const CHECK_COMMAND: CommandSpec = {
  name: 'check',
  summary: 'import every selected entry point in isolated child processes and report failures (exit 1 if any)',
  args: [],
  options: [
    GROUP,
    { name: 'name', short: 'n', type: 'string', value: '<name>', description: 'only entry points with this name' },
    { name: 'dist', short: 'd', type: 'string', value: '<dist>', description: 'only this package (with --node: its name)' },
    { name: 'timeout', type: 'string', value: '<seconds>', description: 'per entry point', defaultText: '20 with --node' },
    { name: 'jobs', short: 'j', type: 'string', value: '<n>', description: 'child processes at once', defaultText: 'the number of CPUs' },
    { name: 'json', type: 'boolean', description: 'print JSON' },
  ],
  run: async () => {
    throw new UsageError('`epi check` here loads npm entry points: pass --node (the Python side of check is not part of this build)');
  },
};
