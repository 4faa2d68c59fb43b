/**
 * `epi __complete KIND PREFIX [WORD...]`, for the completion scripts (completion.ts): the
 * values of `-g/--group` (groups), `-d/--dist` and `show DIST` (distribution names), `-n/--name`
 * and `which NAME` (entry point names), one a line, those starting with PREFIX. WORDS are the
 * line's words after `epi`; the environment is the one they name (`-p`, `--path`, `--site`,
 * `--cache`, `--freshness`), read under `--cache prefer` unless they say otherwise: fresh
 * caches answer without a scan and nothing is written. Not a command (no help, no JSON): a
 * completion that cannot be computed offers nothing, silently.
 */
import type { CachePolicy } from '../cache/engine.js';
import type { Freshness } from '../cache/freshness.js';
import type { PythonEnvironment } from '../environment.js';
import type { Program } from './args.js';
import { openEnvironment, type EnvironmentFlags } from './environment-options.js';
import { out } from './stdio.js';

interface Line extends EnvironmentFlags {
  groups: string[];
  command: string | undefined;
  node: boolean;
}

/** bash hands over `--path=a:b` as `--path`, `=`, `a`, `:`, `b` (both are in COMP_WORDBREAKS): join them again. */
function joined(words: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if ((w === ':' || w === '=') && out.length > 0 && i + 1 < words.length) out.push(`${out.pop()!}${w}${words[++i]!}`);
    else out.push(w);
  }
  return out;
}

/** The environment options and groups on the line, read with the command table's knowledge of which options take a value. */
function readLine(program: Program, given: readonly string[]): Line {
  const words = joined(given);
  const valued = new Set<string>();
  for (const c of program.commands) for (const o of c.options) if (o.type === 'string') for (const f of [`--${o.name}`, ...(o.short !== undefined ? [`-${o.short}`] : [])]) valued.add(f);
  const line: Line = { groups: [], command: undefined, node: false };
  const paths: string[] = [];
  const delimiter = process.platform === 'win32' ? ';' : ':';
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (w === '--') break;
    if (!w.startsWith('-') || w === '-') {
      line.command ??= w;
      continue;
    }
    const eq = w.indexOf('=');
    const flag = w.startsWith('--') && eq > 0 ? w.slice(0, eq) : w;
    if (flag === '--node') line.node = true;
    if (!valued.has(flag)) continue;
    const value = flag !== w ? w.slice(eq + 1) : words[++i];
    if (value === undefined) break;
    if (flag === '-p' || flag === '--python') line.python = value;
    else if (flag === '--path') paths.push(...value.split(delimiter).filter((p) => p !== ''));
    else if (flag === '--site') line.site = value;
    else if (flag === '--cache') line.cache = value as CachePolicy;
    else if (flag === '--freshness') line.freshness = value as Freshness;
    else if (flag === '-g' || flag === '--group') line.groups.push(value);
  }
  if (paths.length > 0) line.path = paths;
  return line;
}

async function values(kind: string, env: PythonEnvironment, line: Line): Promise<string[]> {
  if (kind === 'group') return (await env.groups()).map((g) => g.group);
  if (kind === 'dist') return (await env.distributions()).distributions.map((d) => d.name);
  if (kind !== 'name') return [];
  // `which NAME` looks in console_scripts unless -g says otherwise.
  const groups = line.groups.length > 0 ? line.groups : line.command === 'which' ? ['console_scripts'] : [undefined];
  const names: string[] = [];
  for (const group of groups) for (const e of await env.entryPoints(group === undefined ? {} : { group })) names.push(e.name);
  return names;
}

export async function completeValues(program: Program, argv: readonly string[]): Promise<number> {
  const [kind = '', prefix = '', ...words] = argv;
  try {
    const line = readLine(program, words);
    if (line.node) return 0; // the npm side's values are not offered (yet)
    // Reads what caches there are and writes none: `auto` (the one policy that writes) is `prefer` here.
    const flags: EnvironmentFlags = { quiet: true, cache: line.cache === undefined || line.cache === 'auto' ? 'prefer' : line.cache };
    if (line.python !== undefined && line.path === undefined && line.site === undefined) flags.python = line.python;
    if (line.path !== undefined) flags.path = line.path;
    else if (line.site !== undefined) flags.site = line.site;
    if (line.freshness !== undefined) flags.freshness = line.freshness;
    const { env } = await openEnvironment(flags);
    // A value a shell cannot take back as typed (a control character) is not offered.
    const offered = [...new Set(await values(kind, env, line))].filter((v) => v.startsWith(prefix) && !/[\u0000-\u001f\u007f]/.test(v)).sort();
    out(offered.map((v) => `${v}\n`).join(''));
  } catch {
    // nothing to offer
  }
  return 0;
}
