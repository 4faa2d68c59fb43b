/**
 * `epi completion bash|zsh|fish`: shell completion scripts generated from the command table,
 * so that a new command or option is completed without editing anything here. Static: commands,
 * subcommands, options, option choices; file or directory names where a value is a path.
 */
import type { CommandSpec, OptionSpec, Program } from './args.js';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

const HELP_FLAGS = ['--help', '-h'];

function flagsOf(c: CommandSpec): string[] {
  return [...c.options.flatMap((o) => [`--${o.name}`, ...(o.short !== undefined ? [`-${o.short}`] : [])]), ...HELP_FLAGS];
}

const valueKind = (o: OptionSpec): 'choices' | 'file' | 'directory' | 'none' =>
  o.choices !== undefined ? 'choices' : o.complete ?? (o.type === 'string' ? 'file' : 'none');

const top = (p: Program): string[] => [...p.commands.filter((c) => !c.name.includes(' ')).map((c) => c.name), ...p.groups.map((g) => g.name), 'help', 'completion'].filter((v, i, a) => a.indexOf(v) === i);

/** Single-quoted for POSIX shells. */
const sq = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

function bash(p: Program): string {
  const cases: string[] = [];
  for (const c of p.commands) {
    const valueCases = c.options
      .filter((o) => o.type === 'string')
      .map((o) => {
        const k = valueKind(o);
        const names = [`--${o.name}`, ...(o.short !== undefined ? [`-${o.short}`] : [])].join('|');
        const action = k === 'choices' ? `COMPREPLY=( $(compgen -W ${sq(o.choices!.join(' '))} -- "$cur") )` : k === 'directory' ? 'COMPREPLY=( $(compgen -d -- "$cur") )' : 'COMPREPLY=( $(compgen -f -- "$cur") )';
        return `        ${names}) ${action}; return;;`;
      });
    const argAction = c.args.some((a) => a.complete === 'directory') ? 'COMPREPLY=( $(compgen -d -- "$cur") )' : c.args.length > 0 ? 'COMPREPLY=( $(compgen -f -- "$cur") )' : 'COMPREPLY=()';
    cases.push(`    ${sq(c.name)})
      case "$prev" in
${valueCases.join('\n')}
      esac
      if [[ "$cur" == -* ]]; then COMPREPLY=( $(compgen -W ${sq(flagsOf(c).join(' '))} -- "$cur") ); else ${argAction}; fi;;`);
  }
  const groups = p.groups.map((g) => `      ${g.name}) sub=${sq(p.commands.filter((c) => c.name.startsWith(g.name + ' ')).map((c) => c.name.slice(g.name.length + 1)).join(' '))};;`).join('\n');
  return `# bash completion for ${p.name}; install: ${p.name} completion bash > ~/.local/share/bash-completion/completions/${p.name}
_${p.name}_complete() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}"
  local cmd="" group="" sub="" i w
  for (( i=1; i<COMP_CWORD; i++ )); do
    w="\${COMP_WORDS[i]}"
    [[ "$w" == -* ]] && continue
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
    COMPREPLY=( $(compgen -W ${sq(top(p).join(' '))} -- "$cur") ); return
  fi
  if [[ -n "$group" && "$cmd" == "$group" ]]; then
    COMPREPLY=( $(compgen -W "$sub" -- "$cur") ); return
  fi
  case "$cmd" in
    completion) COMPREPLY=( $(compgen -W ${sq(SHELLS.join(' '))} -- "$cur") );;
${cases.join('\n')}
  esac
}
complete -F _${p.name}_complete ${p.name}
`;
}

function zsh(p: Program): string {
  const esc = (s: string): string => s.replace(/([\\[\]:'])/g, '\\$1');
  const optSpec = (o: OptionSpec): string => {
    const k = valueKind(o);
    const action = o.type === 'boolean' ? '' : k === 'choices' ? `:${o.value ?? 'value'}:(${o.choices!.join(' ')})` : k === 'directory' ? `:${o.value ?? 'dir'}:_files -/` : `:${o.value ?? 'file'}:_files`;
    const rep = o.repeatable || o.pathList ? '*' : '';
    return `${rep}--${o.name}[${esc(o.description)}]${action}`;
  };
  const fns = p.commands.map((c) => {
    const args = c.args.map((a) => `${a.variadic ? "'*" : "'"}:${a.name}:${a.complete === 'directory' ? '_files -/' : '_files'}'`);
    return `  ${sq(c.name)}) _arguments -s ${[...c.options.map((o) => sq(optSpec(o))), "'(-h --help)'{-h,--help}'[display help]'", ...args].join(' ')};;`;
  });
  const describe = (names: Array<[string, string]>): string => names.map(([n, d]) => sq(`${n}:${esc(d)}`)).join(' ');
  const topList: Array<[string, string]> = [...p.commands.filter((c) => !c.name.includes(' ')).map((c): [string, string] => [c.name, c.summary]), ...p.groups.map((g): [string, string] => [g.name, g.summary]), ['help', 'display help for command'], ['completion', 'print a shell completion script']];
  const groupCases = p.groups.map((g) => `      ${g.name}) if (( CURRENT == 3 )); then local -a subs; subs=(${describe(p.commands.filter((c) => c.name.startsWith(g.name + ' ')).map((c) => [c.name.slice(g.name.length + 1), c.summary]))}); _describe command subs; return; fi; cmd="${g.name} \${words[3]}"; shift 2 words; (( CURRENT -= 2 ));;`).join('\n');
  return `#compdef ${p.name}
# zsh completion for ${p.name}; install: ${p.name} completion zsh > "\${fpath[1]}/_${p.name}"
_${p.name}() {
  if (( CURRENT == 2 )); then
    local -a cmds; cmds=(${describe(topList)}); _describe command cmds; return
  fi
  local cmd="\${words[2]}"
  case "$cmd" in
${groupCases}
      completion) _values shell ${SHELLS.join(' ')}; return;;
      *) shift words; (( CURRENT-- ));;
  esac
  case "$cmd" in
${fns.join('\n')}
  esac
}
if [[ "\${zsh_eval_context[-1]}" == loadautofunc ]]; then _${p.name} "$@"; else compdef _${p.name} ${p.name}; fi
`;
}

function fish(p: Program): string {
  const lines = [`# fish completion for ${p.name}; install: ${p.name} completion fish > ~/.config/fish/completions/${p.name}.fish`, `complete -c ${p.name} -f`];
  const topNames = top(p);
  lines.push(`complete -c ${p.name} -n "not __fish_seen_subcommand_from ${topNames.join(' ')}" -a ${sq(topNames.join(' '))}`);
  lines.push(`complete -c ${p.name} -n "__fish_seen_subcommand_from completion" -a ${sq(SHELLS.join(' '))}`);
  for (const g of p.groups) {
    const subs = p.commands.filter((c) => c.name.startsWith(g.name + ' ')).map((c) => c.name.slice(g.name.length + 1));
    lines.push(`complete -c ${p.name} -n "__fish_seen_subcommand_from ${g.name}; and not __fish_seen_subcommand_from ${subs.join(' ')}" -a ${sq(subs.join(' '))}`);
  }
  for (const c of p.commands) {
    const words = c.name.split(' ');
    const cond = words.map((w) => `__fish_seen_subcommand_from ${w}`).join('; and ');
    for (const o of [...c.options, { name: 'help', short: 'h', type: 'boolean', description: 'display help for command' } as OptionSpec]) {
      const k = valueKind(o);
      const value = o.type === 'boolean' ? '' : k === 'choices' ? ` -x -a ${sq(o.choices!.join(' '))}` : k === 'directory' ? ` -x -a '(__fish_complete_directories)'` : ' -r -F';
      lines.push(`complete -c ${p.name} -n ${sq(cond)} -l ${o.name}${o.short !== undefined ? ` -s ${o.short}` : ''} -d ${sq(o.description)}${value}`);
    }
    if (c.args.length > 0) lines.push(`complete -c ${p.name} -n ${sq(cond)} -F`);
  }
  return lines.join('\n') + '\n';
}

export function completionScript(program: Program, shell: Shell): string {
  return shell === 'bash' ? bash(program) : shell === 'zsh' ? zsh(program) : fish(program);
}
