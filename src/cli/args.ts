/**
 * Command-line parsing for `epi`: a declarative command table over Node's own
 * `util.parseArgs` (plus help text generated from the same table).
 *
 * Why not commander: loading it (it pulls in child_process) measured 8–10 ms of a ~60 ms warm
 * `epi list`, and a warm lookup must beat a Python one-liner. parseArgs is already in memory.
 */
import { parseArgs } from 'node:util';

/**
 * How a shell completes a value: file or directory names, nothing, or values read from the
 * environment the line names (groups, distribution names, entry point names: `epi __complete`).
 */
export type Completion = 'file' | 'directory' | 'none' | 'group' | 'dist' | 'name';

export interface OptionSpec {
  /** Long name, without `--`. */
  readonly name: string;
  readonly short?: string;
  readonly type: 'string' | 'boolean';
  /** Placeholder shown in help, e.g. `<dir>`. */
  readonly value?: string;
  readonly choices?: readonly string[];
  readonly description: string;
  /** Shown in help only; defaults are applied by the command. */
  readonly defaultText?: string;
  /** Options that may not be given together with this one. */
  readonly conflicts?: readonly string[];
  /** May be given several times (the values arrive as an array, in order). */
  readonly repeatable?: boolean;
  /**
   * A path list: each value is split at the platform's path delimiter (`:`, `;` on Windows),
   * as PYTHONPATH is. Implies `repeatable`.
   */
  readonly pathList?: boolean;
  /**
   * Deprecated form kept where it is unambiguous: the words that follow the option's value are
   * more values, up to the next option — only for commands that take no positional arguments
   * (with a warning saying how to write it now).
   */
  readonly legacyGreedy?: boolean;
  /** Shell completion of the value (default for string options: files). */
  readonly complete?: Completion;
}

export interface ArgSpec {
  readonly name: string;
  readonly required: boolean;
  readonly variadic: boolean;
  /** Shell completion of the argument (default: files). */
  readonly complete?: Completion;
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

/**
 * Recognised by name, not `instanceof`: commands bundled apart (dist/cmd/*.cjs) carry their own
 * copy of this class.
 */
export function isUsageError(e: unknown): e is UsageError {
  return e instanceof Error && e.name === 'UsageError';
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
  /** Whether `(add --help for usage)` helps: not for a directory that does not exist. */
  readonly hint: boolean;
  constructor(message: string, options: { hint?: boolean } = {}) {
    super(message);
    this.hint = options.hint ?? true;
  }
}

const HELP: OptionSpec = { name: 'help', short: 'h', type: 'boolean', description: 'display help for command' };

export type Parsed =
  | { readonly kind: 'help'; readonly text: string }
  | { readonly kind: 'version' }
  | { readonly kind: 'run'; readonly command: CommandSpec; readonly args: string[]; readonly options: OptionValues; readonly warnings: readonly string[] };

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

const multiple = (o: OptionSpec): boolean => o.repeatable === true || o.pathList === true;

/**
 * The closest candidate to `word` by edit distance, when it is close enough to be a likely
 * typo (at most a third of the word, and at most 3 edits). Handwritten: ten lines, where a
 * dependency would cost start-up time for an error path.
 */
export function closest(word: string, candidates: readonly string[]): string | null {
  const distance = (a: string, b: string): number => {
    let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
    let prevPrev = prev;
    for (let i = 1; i <= a.length; i++) {
      const row = [i];
      for (let j = 1; j <= b.length; j++) {
        row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
        // A swap of two neighbours (`lsit`) is one edit.
        if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j]!, prevPrev[j - 2]! + 1);
      }
      prevPrev = prev;
      prev = row;
    }
    return prev[b.length]!;
  };
  let best: string | null = null;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = c.startsWith(word) && word.length >= 2 ? 1 : distance(word, c);
    if (d < bestD) [best, bestD] = [c, d];
  }
  return best !== null && bestD <= Math.min(3, Math.max(1, Math.floor(word.length / 3))) ? best : null;
}

const suggest = (word: string, candidates: readonly string[]): string => {
  const c = closest(word, candidates);
  return c === null ? '' : ` (did you mean \`${c}\`?)`;
};

/** Every option of every command, for finding the command word among options given before it. */
function allOptions(program: Program): Map<string, OptionSpec> {
  const m = new Map<string, OptionSpec>();
  for (const c of program.commands) for (const o of c.options) {
    m.set(`--${o.name}`, o);
    if (o.short !== undefined) m.set(`-${o.short}`, o);
  }
  return m;
}

/**
 * The positions of the command words: options may come before the command (`epi --python X
 * groups`), so the words are found by skipping options and their values (known from every
 * command's table), stopping at `--`.
 */
function positionals(program: Program, argv: readonly string[]): number[] {
  const known = allOptions(program);
  const out: number[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') break;
    if (a.startsWith('-') && a !== '-') {
      if (!a.includes('=') && known.get(a)?.type === 'string') i++;
      continue;
    }
    out.push(i);
  }
  return out;
}

/** `-V`/`--version` anywhere before `--` prints the version, whatever else is on the line. */
const wantsVersion = (argv: readonly string[]): boolean => {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).some((a) => a === '-V' || a === '--version');
};

/** Split argv into a command and its parsed options; throws UsageError for bad input. */
export function parseCommandLine(program: Program, argv: readonly string[]): Parsed {
  if (wantsVersion(argv)) return { kind: 'version' };
  const topNames = [...program.commands.filter((c) => !c.name.includes(' ')).map((c) => c.name), ...program.groups.map((g) => g.name), 'help'];
  // `epi help [command...]` is `epi [command...] --help`; help about no command is a usage error, not the default command's help.
  if (argv[0] === 'help') {
    const topic = argv.slice(1).find((w) => !w.startsWith('-'));
    if (topic !== undefined && !topNames.includes(topic)) throw new UsageError(`no help for '${topic}': not a command${suggest(topic, topNames)}`);
  }
  const words = argv[0] === 'help' ? [...argv.slice(1), '--help'] : [...argv];
  const pos = positionals(program, words);
  if (pos.length === 0) {
    if (words.length > 0 && words.every((w) => w === '-h' || w === '--help')) return { kind: 'help', text: topHelp(program) };
    return runDefault(program, words);
  }
  const first = words[pos[0]!]!;
  const without = (...at: number[]): string[] => words.filter((_, i) => !at.includes(i));
  const group = program.groups.find((g) => g.name === first);
  if (group !== undefined) {
    const subAt = pos[1];
    const sub = subAt === undefined ? undefined : words[subAt];
    const command = program.commands.find((c) => c.name === `${group.name} ${sub}`);
    if (command === undefined) {
      if (sub === undefined) {
        if (words.some((w) => w === '-h' || w === '--help') || words.length === 1) return { kind: 'help', text: groupHelp(program, group) };
        throw new UsageError(`'${group.name}' needs a command: ${subcommands(program, group).join(', ')}`);
      }
      throw new UsageError(`unknown command '${group.name} ${sub}'${suggest(sub, subcommands(program, group))}`);
    }
    return parseFor(program, command, without(pos[0]!, subAt!));
  }
  const command = program.commands.find((c) => c.name === first);
  if (command !== undefined) return parseFor(program, command, without(pos[0]!));
  // Not a command: the deprecated `epi --path a b` (the default command's legacy form), else a typo.
  try {
    const parsed = runDefault(program, words);
    if (parsed.kind !== 'run' || parsed.args.length === 0 || parsed.command.args.length > 0) return parsed;
  } catch (e) {
    if (!(e instanceof UsageError) || !e.message.startsWith('too many arguments')) throw e;
  }
  throw new UsageError(`unknown command '${first}'${suggest(first, topNames)}`);
}

function subcommands(program: Program, g: GroupSpec): string[] {
  return program.commands.filter((c) => c.name.startsWith(g.name + ' ')).map((c) => c.name.slice(g.name.length + 1));
}

function runDefault(program: Program, words: readonly string[]): Parsed {
  const command = program.commands.find((c) => c.name === program.defaultCommand)!;
  return parseFor(program, command, words);
}

function parseFor(program: Program, command: CommandSpec, words: readonly string[]): Parsed {
  const specs = [...command.options, HELP];
  const config: NonNullable<Parameters<typeof parseArgs>[0]>['options'] = {};
  for (const o of specs) {
    // Every string option is collected as a list, so that giving a single-valued one twice is an error, not a silent choice.
    config[o.name] = { type: o.type, ...(o.short !== undefined ? { short: o.short } : {}), ...(o.type === 'string' ? { multiple: true } : {}) };
  }
  let parsed: ReturnType<typeof parseArgs<{ options: typeof config; allowPositionals: true; strict: true; tokens: true; args: string[] }>>;
  try {
    parsed = parseArgs({ args: [...words], options: config, allowPositionals: true, strict: true, tokens: true });
  } catch (e) {
    throw new UsageError(describeParseError(program, command, e as Error & { code?: string }));
  }
  const raw = parsed.values as Record<string, string[] | boolean | undefined>;
  if (raw['help'] === true) return { kind: 'help', text: commandHelp(program, command) };

  // The deprecated `--path a b c`: only where the command takes no positional arguments.
  const warnings: string[] = [];
  const positionals: string[] = [];
  let collecting: OptionSpec | null = null;
  for (const t of parsed.tokens ?? []) {
    if (t.kind === 'option') collecting = command.args.length === 0 ? (specs.find((o) => o.name === t.name && o.legacyGreedy === true && t.inlineValue !== true) ?? null) : null;
    else if (t.kind === 'option-terminator') collecting = null;
    else if (collecting !== null) {
      (raw[collecting.name] as string[]).push(t.value);
      const note = `'--${collecting.name} A B' is deprecated: write '--${collecting.name} A --${collecting.name} B' or '--${collecting.name} A${pathDelimiter()}B'`;
      if (!warnings.includes(note)) warnings.push(note);
    } else positionals.push(t.value);
  }

  const values: OptionValues = {};
  for (const o of command.options) {
    const v = raw[o.name];
    if (v === undefined) continue;
    if (Array.isArray(v)) {
      if (!multiple(o) && v.length > 1) throw new UsageError(`option '--${o.name}' given more than once (${v.map((x) => JSON.stringify(x)).join(', ')})`);
      const list = o.pathList ? v.flatMap((x) => splitPathList(o, x)) : v;
      if (o.choices !== undefined) {
        for (const x of list) if (!o.choices.includes(x)) throw new UsageError(`option '--${o.name}' argument '${x}' is invalid; allowed choices are ${o.choices.join(', ')}${suggest(x, o.choices)}`);
      }
      values[o.name] = multiple(o) ? list : list[0];
    } else {
      values[o.name] = v;
    }
  }
  for (const o of command.options) {
    if (values[o.name] === undefined) continue;
    for (const other of o.conflicts ?? []) {
      if (values[other] !== undefined) throw new UsageError(`option '--${o.name}' cannot be used with option '--${other}'`);
    }
  }

  const required = command.args.filter((a) => a.required).length;
  const variadic = command.args.some((a) => a.variadic);
  if (positionals.length < required) throw new UsageError(`missing required argument '${command.args[positionals.length]!.name}'`);
  if (!variadic && positionals.length > command.args.length) {
    const extra = positionals.slice(command.args.length);
    const other = program.commands.find((c) => c.name === extra[0] || c.name === `${command.name} ${extra[0]}`);
    const hint = other !== undefined ? ` (only one command per line: '${command.name}' was already given)` : command.args.length === 0 ? ` ('${command.name}' takes no arguments)` : '';
    throw new UsageError(`too many arguments for '${command.name}': ${extra.join(' ')}${hint}`);
  }
  return { kind: 'run', command, args: positionals, options: values, warnings };
}

const pathDelimiter = (): string => (process.platform === 'win32' ? ';' : ':');

function splitPathList(o: OptionSpec, value: string): string[] {
  const parts = value.split(pathDelimiter());
  if (parts.some((p) => p === '')) throw new UsageError(`option '--${o.name}' has an empty entry in ${JSON.stringify(value)}`);
  return parts;
}

function describeParseError(program: Program, command: CommandSpec, e: Error & { code?: string }): string {
  const m = /'(-[^']*)'/.exec(e.message);
  if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && m) {
    const flag = m[1]!;
    const names = [...command.options, HELP].map((o) => `--${o.name}`);
    const elsewhere = program.commands.filter((c) => c.options.some((o) => `--${o.name}` === flag || `-${o.short}` === flag)).map((c) => c.name);
    if (elsewhere.length > 0) return `option '${flag}' is not valid for '${command.name}' (it is an option of: ${elsewhere.join(', ')})`;
    return `unknown option '${flag}'${flag.startsWith('--') ? suggest(flag, names) : ''}`;
  }
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
  if (o.pathList) t += ` (repeatable; or several joined with '${pathDelimiter()}')`;
  else if (o.repeatable) t += ' (repeatable)';
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
