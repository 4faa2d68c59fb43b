/**
 * Which JSON Schema (schema/cli/, shipped in the package) describes each command's `--json`
 * output, and the `--json` help line that names it (docs/spec.md §8.4). The contract tests
 * (test/cli/contract.test.ts, test/cli/contract-json.test.ts) validate the real output of
 * every command against the schema named here, and check that every schema file is named.
 */
import type { CommandSpec } from './args.js';

export interface JsonSchemas {
  /** The schema of the command's own output (`schema/cli/<name>.schema.json`). */
  readonly schema: string;
  /** The schema with `--node`, for the commands with an npm side. */
  readonly node?: string;
  /** The schema with `--wheel` (`list`). */
  readonly wheel?: string;
}

export const JSON_SCHEMAS: Readonly<Record<string, JsonSchemas>> = {
  list: { schema: 'list', node: 'list-node', wheel: 'list-wheel' },
  groups: { schema: 'groups', node: 'groups-node' },
  show: { schema: 'show' },
  which: { schema: 'which' },
  conflicts: { schema: 'conflicts', node: 'conflicts-node' },
  diagnose: { schema: 'diagnose', node: 'diagnose-node' },
  lint: { schema: 'lint' },
  write: { schema: 'write' },
  check: { schema: 'check', node: 'check-node' },
  accelerate: { schema: 'accelerate' },
  'cache build': { schema: 'cache-build', node: 'cache-build-node' },
  'cache rebuild': { schema: 'cache-build' },
  'cache status': { schema: 'cache-status', node: 'cache-status-node' },
  'cache clear': { schema: 'cache-clear' },
  env: { schema: 'env' },
  'scripts list': { schema: 'scripts-list' },
  'scripts install': { schema: 'scripts-plan' },
  'scripts repair': { schema: 'scripts-plan' },
  'scripts remove': { schema: 'scripts-plan' },
};

const file = (name: string): string => `${name}.schema.json`;

/** The `--json` help line of a command: `print JSON (schema/cli/list.schema.json; with --node list-node.schema.json…)`. */
export function jsonHelp(command: string): string | undefined {
  const s = JSON_SCHEMAS[command];
  if (s === undefined) return undefined;
  const more = [s.node !== undefined ? `with --node ${file(s.node)}` : '', s.wheel !== undefined ? `with --wheel ${file(s.wheel)}` : ''].filter(Boolean);
  return `print JSON (schema/cli/${file(s.schema)}${more.length > 0 ? `; ${more.join(', ')}` : ''})`;
}

/** Give each command's `--json` option the help line naming its schema. */
export function withJsonSchemas(commands: readonly CommandSpec[]): CommandSpec[] {
  return commands.map((c) => {
    const help = jsonHelp(c.name);
    if (help === undefined) return c;
    return { ...c, options: c.options.map((o) => (o.name === 'json' ? { ...o, description: help } : o)) };
  });
}
