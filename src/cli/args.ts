/**
 * Command-line parsing for `epi`: a declarative command table over Node's own
 * `util.parseArgs` (plus help text generated from the same table).
 *
 * Why not commander: loading it (it pulls in child_process) measured 8–10 ms of a ~60 ms warm
 * `epi list`, and a warm lookup must beat a Python one-liner. parseArgs is already in memory.
 */
import { parseArgs } from 'node:util';

export interface OptionSpec {
  /** Long name, without `--`. */
  readonly name: string;
  readonly short?: string;
  readonly type: 'string' | 'boolean';
  /** Placeholder shown in help, e.g. `<dir...>`; a `...` makes the option take every following word. */
  readonly value?: string;
  readonly choices?: readonly string[];
  readonly description: string;
  /** Shown in help only; defaults are applied by the command. */
  readonly defaultText?: string;
  /** Options that may not be given together with this one. */
  readonly conflicts?: readonly string[];
}

export interface ArgSpec {
  readonly name: string;
  readonly required: boolean;
  readonly variadic: boolean;
}

export type OptionValues = Record<string, string | string[] | boolean | undefined>;

export interface CommandSpec {
  /** `list`, `cache build`. */
  readonly name: string;
  readonly summary: string;
  readonly args: readonly ArgSpec[];
  readonly options: readonly OptionSpec[];
  readonly run: (args: string[], options: OptionValues) => Promise<number>;
}

/** A command group such as `cache`, which only holds subcommands. */
export interface GroupSpec {
  readonly name: string;
  readonly summary: string;
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

const HELP: OptionSpec = { name: 'help', short: 'h', type: 'boolean', description: 'display help for command' };

export type Parsed =
  | { readonly kind: 'help'; readonly text: string }
  | { readonly kind: 'version' }
  | { readonly kind: 'run'; readonly command: CommandSpec; readonly args: string[]; readonly options: OptionValues };

export interface Program {
  readonly name: string;
  readonly description: string;
  readonly commands: readonly CommandSpec[];
  readonly groups: readonly GroupSpec[];
  /** Used when the command line names no command. */
  readonly defaultCommand: string;
  /** Global options shown in the top-level help (handled by the caller). */
  readonly globalOptions: readonly OptionSpec[];
}

const isVariadic = (o: OptionSpec): boolean => o.value?.endsWith('...>') === true;

/** Split argv into a command and its parsed options; throws UsageError for bad input. */
export function parseCommandLine(program: Program, argv: readonly string[]): Parsed {
  if (argv.length === 0) return runDefault(program, []);
  if (argv.length === 1 && (argv[0] === '-V' || argv[0] === '--version')) return { kind: 'version' };
  // `epi help [command...]` is `epi [command...] --help`.
  const words = argv[0] === 'help' ? [...argv.slice(1), '--help'] : [...argv];
  const first = words[0]!;
  if (first === '-h' || first === '--help') return { kind: 'help', text: topHelp(program) };
  const group = program.groups.find((g) => g.name === first);
  if (group !== undefined) {
    const sub = words[1];
    const command = program.commands.find((c) => c.name === `${group.name} ${sub}`);
    if (command === undefined) {
      if (sub === undefined || sub === '-h' || sub === '--help') return { kind: 'help', text: groupHelp(program, group) };
      throw new UsageError(`unknown command '${group.name} ${sub}'`);
    }
    return parseFor(program, command, words.slice(2));
  }
  const command = program.commands.find((c) => c.name === first);
  if (command !== undefined) return parseFor(program, command, words.slice(1));
  if (!first.startsWith('-')) throw new UsageError(`unknown command '${first}'`);
  return runDefault(program, words);
}

function runDefault(program: Program, words: readonly string[]): Parsed {
  const command = program.commands.find((c) => c.name === program.defaultCommand)!;
  return parseFor(program, command, words);
}

function parseFor(program: Program, command: CommandSpec, words: readonly string[]): Parsed {
  const specs = [...command.options, HELP];
  const config: NonNullable<Parameters<typeof parseArgs>[0]>['options'] = {};
  for (const o of specs) {
    config[o.name] = { type: o.type, ...(o.short !== undefined ? { short: o.short } : {}), ...(isVariadic(o) ? { multiple: true } : {}) };
  }
  let parsed: ReturnType<typeof parseArgs<{ options: typeof config; allowPositionals: true; strict: true; tokens: true; args: string[] }>>;
  try {
    parsed = parseArgs({ args: [...words], options: config, allowPositionals: true, strict: true, tokens: true });
  } catch (e) {
    throw new UsageError(describeParseError(e as Error & { code?: string }));
  }
  const values: OptionValues = { ...(parsed.values as OptionValues) };
  if (values['help'] === true) return { kind: 'help', text: commandHelp(program, command) };

  // A variadic option (`--path a b c`) also takes the words that follow it, up to the next option.
  const positionals: string[] = [];
  let collecting: string | null = null;
  for (const t of parsed.tokens ?? []) {
    if (t.kind === 'option') collecting = specs.find((o) => o.name === t.name && isVariadic(o))?.name ?? null;
    else if (t.kind === 'option-terminator') collecting = null;
    else if (collecting !== null) (values[collecting] as string[]).push(t.value);
    else positionals.push(t.value);
  }

  for (const o of command.options) {
    const v = values[o.name];
    if (v === undefined) continue;
    if (o.choices !== undefined) {
      for (const x of Array.isArray(v) ? v : [v]) {
        if (typeof x === 'string' && !o.choices.includes(x)) {
          throw new UsageError(`option '--${o.name}' argument '${x}' is invalid; allowed choices are ${o.choices.join(', ')}`);
        }
      }
    }
    for (const other of o.conflicts ?? []) {
      if (values[other] !== undefined) throw new UsageError(`option '--${o.name}' cannot be used with option '--${other}'`);
    }
  }

  const required = command.args.filter((a) => a.required).length;
  const variadic = command.args.some((a) => a.variadic);
  if (positionals.length < required) throw new UsageError(`missing required argument '${command.args[positionals.length]!.name}'`);
  if (!variadic && positionals.length > command.args.length) throw new UsageError(`too many arguments for '${command.name}': ${positionals.slice(command.args.length).join(' ')}`);
  return { kind: 'run', command, args: positionals, options: values };
}

function describeParseError(e: Error & { code?: string }): string {
  const m = /'(-[^']*)'/.exec(e.message);
  if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && m) return `unknown option '${m[1]}'`;
  if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && m) {
    return /argument missing/.test(e.message) ? `option '${m[1]}' argument missing` : `option '${m[1]}' does not take an argument`;
  }
  return e.message;
}

// ---------------------------------------------------------------------------------------------
// Help

const WIDTH = 80;

function wrap(text: string, indent: number, first: number): string {
  const words = text.split(/\s+/);
  const lines: string[] = [];
  let line = '';
  let room = WIDTH - first;
  for (const w of words) {
    if (line !== '' && line.length + 1 + w.length > room) {
      lines.push(line);
      line = w;
      room = WIDTH - indent;
    } else {
      line = line === '' ? w : `${line} ${w}`;
    }
  }
  lines.push(line);
  return lines.join('\n' + ' '.repeat(indent));
}

function twoColumns(rows: ReadonlyArray<readonly [string, string]>): string {
  const w = Math.max(...rows.map(([a]) => a.length));
  return rows.map(([a, b]) => `  ${a.padEnd(w)}  ${wrap(b, w + 4, w + 4)}`).join('\n');
}

function optionLabel(o: OptionSpec): string {
  const flag = o.short !== undefined ? `-${o.short}, --${o.name}` : `--${o.name}`;
  return o.type === 'string' ? `${flag} ${o.value ?? '<value>'}` : flag;
}

function optionText(o: OptionSpec): string {
  let t = o.description;
  if (o.choices !== undefined) t += ` (choices: ${o.choices.map((c) => `"${c}"`).join(', ')})`;
  if (o.defaultText !== undefined) t += ` (default: ${o.defaultText})`;
  return t;
}

function usageArgs(c: CommandSpec): string {
  return c.args.map((a) => (a.required ? `<${a.name}${a.variadic ? '...' : ''}>` : `[${a.name}${a.variadic ? '...' : ''}]`)).join(' ');
}

export function commandHelp(program: Program, c: CommandSpec): string {
  const args = usageArgs(c);
  return [
    `Usage: ${program.name} ${c.name} [options]${args ? ' ' + args : ''}`,
    '',
    wrap(c.summary, 0, 0),
    '',
    'Options:',
    twoColumns([...c.options, HELP].map((o) => [optionLabel(o), optionText(o)] as const)),
    '',
  ].join('\n');
}

function groupHelp(program: Program, g: GroupSpec): string {
  const subs = program.commands.filter((c) => c.name.startsWith(g.name + ' '));
  return [
    `Usage: ${program.name} ${g.name} [options] [command]`,
    '',
    g.summary,
    '',
    'Options:',
    twoColumns([[optionLabel(HELP), optionText(HELP)]]),
    '',
    'Commands:',
    twoColumns(subs.map((c) => [`${c.name.slice(g.name.length + 1)} [options]${c.args.length ? ' ' + usageArgs(c) : ''}`, c.summary] as const)),
    '',
  ].join('\n');
}

export function topHelp(program: Program): string {
  const top = program.commands.filter((c) => !c.name.includes(' '));
  const rows: Array<readonly [string, string]> = top.map((c) => [`${c.name} [options]${c.args.length ? ' ' + usageArgs(c) : ''}`, c.summary]);
  for (const g of program.groups) rows.push([`${g.name} <command>`, g.summary]);
  rows.push(['help [command]', 'display help for command']);
  return [
    `Usage: ${program.name} [options] [command]`,
    '',
    program.description,
    '',
    'Options:',
    twoColumns([...program.globalOptions, HELP].map((o) => [optionLabel(o), optionText(o)] as const)),
    '',
    'Commands:',
    twoColumns(rows),
    '',
  ].join('\n');
}
