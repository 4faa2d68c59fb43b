/**
 * `epi completion bash|zsh|fish`: shell completion scripts generated from the command table,
 * so that a new command or option is completed without editing anything here: commands,
 * subcommands, options, option choices; file or directory names where a value is a path; and
 * the environment's own groups, distribution names and entry point names for `-g`, `-d`, `-n`,
 * `show DIST` and `which NAME`, which the scripts ask of `epi __complete` (complete-values.ts)
 * with the words of the line, so that `-p`/`--path` given there choose the environment.
 *
 * Options go anywhere on an epi line, before the command too (`epi -p venv li<TAB>`): the
 * scripts find the command word by skipping options and the values of those that take one.
 */
import type { CommandSpec, Completion, OptionSpec, Program } from './args.js';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

const HELP_FLAGS = ['--help', '-h'];
const HELP: OptionSpec = { name: 'help', short: 'h', type: 'boolean', description: 'display help for command' };
/** Values read from the environment (`epi __complete KIND`). */
const FROM_ENVIRONMENT: ReadonlySet<Completion> = new Set(['group', 'dist', 'name']);

function flagsOf(c: CommandSpec): string[] {
  return [...c.options.flatMap((o) => [`--${o.name}`, ...(o.short !== undefined ? [`-${o.short}`] : [])]), ...HELP_FLAGS];
}

const valueKind = (o: OptionSpec): 'choices' | Completion => (o.choices !== undefined ? 'choices' : o.complete ?? (o.type === 'string' ? 'file' : 'none'));

const top = (p: Program): string[] => [...p.commands.filter((c) => !c.name.includes(' ')).map((c) => c.name), ...p.groups.map((g) => g.name), 'help', 'completion'].filter((v, i, a) => a.indexOf(v) === i);

/** Every flag, of any command, that takes a value: the word after it is that value, never the command. */
const valued = (p: Program): string[] => [...new Set(p.commands.flatMap((c) => c.options.filter((o) => o.type === 'string').flatMap((o) => [`--${o.name}`, ...(o.short !== undefined ? [`-${o.short}`] : [])])))].sort();

const subsOf = (p: Program, group: string): CommandSpec[] => p.commands.filter((c) => c.name.startsWith(group + ' '));

/** Single-quoted for POSIX shells. */
const sq = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

function bash(p: Program): string {
  const action = (k: 'choices' | Completion, o?: OptionSpec): string =>
    k === 'choices'
      ? `COMPREPLY=( $(compgen -W ${sq(o!.choices!.join(' '))} -- "$cur") )`
      : FROM_ENVIRONMENT.has(k as Completion)
        ? `_${p.name}_values ${k}`
        : k === 'directory'
          ? 'COMPREPLY=( $(compgen -d -- "$cur") )'
          : k === 'none'
            ? 'COMPREPLY=()'
            : 'COMPREPLY=( $(compgen -f -- "$cur") )';
  const cases: string[] = [];
  for (const c of p.commands) {
    const valueCases = c.options
      .filter((o) => o.type === 'string')
      .map((o) => `        ${[`--${o.name}`, ...(o.short !== undefined ? [`-${o.short}`] : [])].join('|')}) ${action(valueKind(o), o)}; return;;`);
    const argAction = c.args.length === 0 ? 'COMPREPLY=()' : action(c.args.find((a) => a.complete !== undefined)?.complete ?? 'file');
    cases.push(`    ${sq(c.name)})
      case "$prev" in
${valueCases.join('\n')}
      esac
      if [[ "$cur" == -* ]]; then COMPREPLY=( $(compgen -W ${sq(flagsOf(c).join(' '))} -- "$cur") ); else ${argAction}; fi;;`);
  }
  const groups = p.groups.map((g) => `        ${g.name}) sub=${sq(subsOf(p, g.name).map((c) => c.name.slice(g.name.length + 1)).join(' '))};;`).join('\n');
  return `# bash completion for ${p.name}; install: ${p.name} completion bash > ~/.local/share/bash-completion/completions/${p.name}
# Values of -g, -d, -n: from the environment the line names, asked of "${p.name} __complete KIND PREFIX WORDS...".
_${p.name}_values() {
  local line
  COMPREPLY=()
  while IFS= read -r line; do COMPREPLY+=("$line"); done < <("\${COMP_WORDS[0]}" __complete "$1" "$cur" "\${COMP_WORDS[@]:1:COMP_CWORD-1}" 2>/dev/null)
}
_${p.name}_complete() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}"
  # --opt=value: bash splits at "=" (COMP_WORDBREAKS); the value's option is the word before it.
  if [[ "$cur" == "=" ]]; then cur=""; elif [[ "$prev" == "=" ]]; then prev="\${COMP_WORDS[COMP_CWORD-2]}"; fi
  local cmd="" group="" sub="" i w
  for (( i=1; i<COMP_CWORD; i++ )); do
    w="\${COMP_WORDS[i]}"
    if [[ "$w" == -* ]]; then
      # An option's value is never the command (options go anywhere: epi -p venv list).
      case "$w" in
        ${valued(p).join('|')})
          (( i++ ))
          [[ "\${COMP_WORDS[i]}" == "=" ]] && (( i++ ))
          # D1:D2 arrives as D1 : D2 (":" is a word break too).
          while [[ "\${COMP_WORDS[i+1]}" == ":" ]] && (( i + 2 < COMP_CWORD )); do (( i += 2 )); done;;
      esac
      continue
    fi
    if [[ -z "$cmd" ]]; then
      case "$w" in
${groups}
      esac
      if [[ -n "$sub" ]]; then group="$w"; cmd="$w"; else cmd="$w"; fi
    elif [[ -n "$group" && "$cmd" == "$group" ]]; then
      cmd="$group $w"
    fi
  done
  if [[ -z "$cmd" ]]; then
    # Before the command: an option's value, or an option, is the default command's.
    if [[ "$cur" == -* || ( "$prev" == -* && " ${valued(p).join(' ')} " == *" $prev "* ) ]]; then
      cmd=${sq(p.defaultCommand)}
    else
      COMPREPLY=( $(compgen -W ${sq(top(p).join(' '))} -- "$cur") ); return
    fi
  fi
  if [[ -n "$group" && "$cmd" == "$group" ]]; then
    COMPREPLY=( $(compgen -W "$sub" -- "$cur") ); return
  fi
  case "$cmd" in
    completion) COMPREPLY=( $(compgen -W ${sq(SHELLS.join(' '))} -- "$cur") );;
    help) COMPREPLY=( $(compgen -W ${sq(top(p).join(' '))} -- "$cur") );;
${cases.join('\n')}
  esac
}
complete -F _${p.name}_complete ${p.name}
`;
}

function zsh(p: Program): string {
  const esc = (s: string): string => s.replace(/([\\[\]:'])/g, '\\$1');
  const action = (k: 'choices' | Completion, o?: OptionSpec, label = 'value'): string =>
    k === 'choices' ? `:${label}:(${o!.choices!.join(' ')})` : FROM_ENVIRONMENT.has(k as Completion) ? `:${label}:_${p.name}_values ${k}` : k === 'directory' ? `:${label}:_files -/` : k === 'none' ? `:${label}: ` : `:${label}:_files`;
  /** `'(-g --group)'{-g,--group}'[…]:group:…'`: both spellings, each excluding the other unless repeatable. */
  const optSpec = (o: OptionSpec): string => {
    const rest = sq(`[${esc(o.description)}]${o.type === 'boolean' ? '' : action(valueKind(o), o, esc(o.value ?? 'value').replace(/[<>[\]]/g, ''))}`);
    const many = o.repeatable === true || o.pathList === true;
    if (o.short === undefined) return `${many ? "'*'" : ''}--${o.name}${rest}`;
    return `${many ? "'*'" : sq(`(-${o.short} --${o.name})`)}{-${o.short},--${o.name}}${rest}`;
  };
  const fns = p.commands.map((c) => {
    const args = c.args.map((a) => sq(`${a.variadic ? '*' : ''}:${a.name}${action(a.complete ?? 'file', undefined, '').slice(1)}`));
    return `    ${sq(c.name)}) _arguments -s ${[...c.options, HELP].map(optSpec).join(' ')} ${args.join(' ')};;`;
  });
  const describe = (names: Array<[string, string]>): string => names.map(([n, d]) => sq(`${n}:${esc(d)}`)).join(' ');
  const topList: Array<[string, string]> = [...p.commands.filter((c) => !c.name.includes(' ')).map((c): [string, string] => [c.name, c.summary]), ...p.groups.map((g): [string, string] => [g.name, g.summary]), ['help', 'display help for command']];
  const groupCases = p.groups
    .map((g) => `    ${g.name})
      if (( CURRENT == at + 1 )); then local -a subs; subs=(${describe(subsOf(p, g.name).map((c) => [c.name.slice(g.name.length + 1), c.summary]))}); _describe command subs; return; fi
      cmd="${g.name} \${words[at+1]}"; words=("$cmd" "\${(@)words[2,at-1]}" "\${(@)words[at+2,-1]}"); (( CURRENT -= 2 ));;`)
    .join('\n');
  return `#compdef ${p.name}
# zsh completion for ${p.name}; install: ${p.name} completion zsh > "\${fpath[1]}/_${p.name}"
# Values of -g, -d, -n: from the environment the line names, asked of "${p.name} __complete KIND PREFIX WORDS...".
_${p.name}_values() {
  local -a vals
  vals=("\${(@f)$("\${_${p.name}_prog}" __complete "$1" '' "\${(@)words[1,CURRENT-1]}" 2>/dev/null)}")
  vals=(\${vals:#})
  compadd -a vals
}
_${p.name}() {
  local _${p.name}_prog="\${words[1]}" cmd w
  local -a valued cmds
  valued=(${valued(p).join(' ')})
  cmds=(${describe(topList)})
  # The command word: the first that is neither an option nor an option's value (epi -p venv list).
  local i=2 at=0
  while (( i < CURRENT )); do
    w="\${words[i]}"
    if [[ "$w" == -* ]]; then
      [[ "$w" != *=* ]] && (( \${valued[(Ie)$w]} )) && (( i++ ))
    else
      at=$i; break
    fi
    (( i++ ))
  done
  if (( at == 0 )); then
    # Before the command: an option's value, or an option, is the default command's.
    if [[ "\${words[CURRENT]}" == -* ]] || (( \${valued[(Ie)\${words[CURRENT-1]}]} )); then
      cmd=${sq(p.defaultCommand)}; words=("$cmd" "\${(@)words[2,-1]}")
    else
      _describe command cmds; return
    fi
  else
    cmd="\${words[at]}"
    case "$cmd" in
${groupCases}
    completion) (( CURRENT == at + 1 )) && _values shell ${SHELLS.join(' ')}; return;;
    help) _describe command cmds; return;;
    *) words=("$cmd" "\${(@)words[2,at-1]}" "\${(@)words[at+1,-1]}"); (( CURRENT-- ));;
    esac
  fi
  case "$cmd" in
${fns.join('\n')}
  esac
}
if [[ "\${zsh_eval_context[-1]}" == loadautofunc ]]; then _${p.name} "$@"; else compdef _${p.name} ${p.name}; fi
`;
}

function fish(p: Program): string {
  const lines = [
    `# fish completion for ${p.name}; install: ${p.name} completion fish > ~/.config/fish/completions/${p.name}.fish`,
    `# Values of -g, -d, -n: from the environment the line names, asked of "${p.name} __complete KIND PREFIX WORDS...".`,
    `function __${p.name}_values`,
    '    set -l tokens (commandline -opc)',
    `    command $tokens[1] __complete $argv[1] '' $tokens[2..-1] 2>/dev/null`,
    'end',
    `complete -c ${p.name} -f`,
  ];
  const topNames = top(p);
  lines.push(`complete -c ${p.name} -n "not __fish_seen_subcommand_from ${topNames.join(' ')}" -a ${sq(topNames.join(' '))}`);
  lines.push(`complete -c ${p.name} -n "__fish_seen_subcommand_from completion" -a ${sq(SHELLS.join(' '))}`);
  for (const g of p.groups) {
    const subs = subsOf(p, g.name).map((c) => c.name.slice(g.name.length + 1));
    lines.push(`complete -c ${p.name} -n "__fish_seen_subcommand_from ${g.name}; and not __fish_seen_subcommand_from ${subs.join(' ')}" -a ${sq(subs.join(' '))}`);
  }
  const value = (k: 'choices' | Completion, o?: OptionSpec): string =>
    k === 'choices' ? ` -x -a ${sq(o!.choices!.join(' '))}` : FROM_ENVIRONMENT.has(k as Completion) ? ` -x -a '(__${p.name}_values ${k})'` : k === 'directory' ? ` -x -a '(__fish_complete_directories)'` : k === 'none' ? ' -x' : ' -r -F';
  for (const c of p.commands) {
    const cond = c.name.split(' ').map((w) => `__fish_seen_subcommand_from ${w}`).join('; and ');
    for (const o of [...c.options, HELP]) {
      lines.push(`complete -c ${p.name} -n ${sq(cond)} -l ${o.name}${o.short !== undefined ? ` -s ${o.short}` : ''} -d ${sq(o.description)}${o.type === 'boolean' ? '' : value(valueKind(o), o)}`);
    }
    const arg = c.args.find((a) => a.complete !== undefined)?.complete;
    if (arg !== undefined && FROM_ENVIRONMENT.has(arg)) lines.push(`complete -c ${p.name} -n ${sq(cond)} -a '(__${p.name}_values ${arg})'`);
    else if (c.args.length > 0) lines.push(`complete -c ${p.name} -n ${sq(cond)} -F`);
  }
  return lines.join('\n') + '\n';
}

export function completionScript(program: Program, shell: Shell): string {
  return shell === 'bash' ? bash(program) : shell === 'zsh' ? zsh(program) : fish(program);
}
