/**
 * Shell completion (`kp-gen completion bash|zsh|fish`) and the man page (`npm run man` →
 * man/kp-gen.1), both generated from commander's declarations of the commands and options,
 * so they cannot drift from what the command line accepts.
 */
import type { Command, Help, Option } from 'commander';

/** One option as completion and the man page need it. */
export interface OptionSpec {
  /** As declared: `-o, --output <file>`. */
  flags: string;
  names: string[];
  /** Takes a value (`<file>`, `[x]`). */
  takesValue: boolean;
  /** The values it accepts, where it lists them. */
  choices: string[];
  /** The description with its default and choices, as --help shows it. */
  description: string;
}

/** One command (the program or a sub-command) with its options and sub-commands. */
export interface CommandSpec {
  /** `kp-gen lab up`. */
  path: string;
  name: string;
  usage: string;
  description: string;
  options: OptionSpec[];
  /** Values a positional argument takes (`completion bash|zsh|fish`, `help COMMAND`). */
  argumentChoices: string[];
  commands: CommandSpec[];
}

function optionSpec(help: Help, o: Option): OptionSpec {
  return {
    flags: o.flags,
    names: [o.short, o.long].filter((n): n is string => n !== undefined),
    takesValue: o.required || o.optional,
    choices: o.argChoices ?? [],
    description: help.optionDescription(o),
  };
}

/** The tree of commands and options that `program` declares. */
export function commandSpec(program: Command, parentPath = ''): CommandSpec {
  const help = program.createHelp();
  const path = parentPath === '' ? program.name() : `${parentPath} ${program.name()}`;
  const visible = help.visibleCommands(program);
  const isHelp = (c: Command): boolean => c.name() === 'help' && !program.commands.includes(c);
  return {
    path,
    name: program.name(),
    usage: `${path} ${program.usage()}`,
    description: help.commandDescription(program),
    options: help.visibleOptions(program).map((o) => optionSpec(help, o)),
    argumentChoices: program.registeredArguments.flatMap((a) => a.argChoices ?? []),
    commands: visible.map((c) =>
      isHelp(c)
        ? { path: `${path} help`, name: 'help', usage: `${path} help [command]`, description: c.description(), options: [], argumentChoices: program.commands.map((s) => s.name()), commands: [] }
        : commandSpec(c, path),
    ),
  };
}

function all(spec: CommandSpec): CommandSpec[] {
  return [spec, ...spec.commands.flatMap(all)];
}

/** Shell-quote for a single-quoted string. */
function sq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function words(list: readonly string[]): string {
  return list.join(' ');
}

export const COMPLETION_SHELLS = ['bash', 'zsh', 'fish'] as const;
export type CompletionShell = (typeof COMPLETION_SHELLS)[number];

export function completionScript(shell: CompletionShell, spec: CommandSpec): string {
  switch (shell) {
    case 'bash':
      return bashScript(spec);
    case 'zsh':
      return zshScript(spec);
    case 'fish':
      return fishScript(spec);
  }
}

/**
 * The shared core of bash and zsh: shell functions mapping a command path to its sub-commands,
 * options, value-taking options and an option's choices.
 */
function tables(spec: CommandSpec): string {
  const cmds = all(spec);
  const cases = (f: (c: CommandSpec) => string): string =>
    cmds.map((c) => `    ${sq(c.path)}) echo ${sq(f(c))} ;;`).join('\n');
  const choices = cmds.flatMap((c) => c.options.filter((o) => o.choices.length > 0).flatMap((o) => o.names.map((n) => `    ${sq(`${c.path}|${n}`)}) echo ${sq(words(o.choices))} ;;`)));
  return `_kp_gen_commands() {
  case "$1" in
${cases((c) => words([...c.commands.map((s) => s.name), ...c.argumentChoices]))}
  esac
}
_kp_gen_options() {
  case "$1" in
${cases((c) => words(c.options.flatMap((o) => o.names)))}
  esac
}
_kp_gen_valued() {
  case "$1" in
${cases((c) => words(c.options.filter((o) => o.takesValue).flatMap((o) => o.names)))}
  esac
}
_kp_gen_choices() {
  case "$1" in
${choices.join('\n')}
  esac
}
# The command path of the words before the cursor: "kp-gen lab up". (Not "path": zsh ties
# that name to PATH.)
_kp_gen_path() {
  local kpath=kp-gen w sub skip=0
  for w in "$@"; do
    if [ "$skip" = 1 ]; then skip=0; continue; fi
    case "$w" in
      --*=*) continue ;;
      -*) case " $(_kp_gen_valued "$kpath") " in *" $w "*) skip=1 ;; esac; continue ;;
    esac
    for sub in $(_kp_gen_commands "$kpath"); do
      if [ "$w" = "$sub" ]; then kpath="$kpath $sub"; break; fi
    done
  done
  echo "$kpath"
}`;
}

function bashScript(spec: CommandSpec): string {
  return `# bash completion for kp-gen, generated from its option definitions.
# Load it now with: source <(kp-gen completion bash)
# or for good:      kp-gen completion bash > ~/.local/share/bash-completion/completions/kp-gen
${tables(spec)}
_kp_gen() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}"
  local kpath values
  kpath="$(_kp_gen_path "\${COMP_WORDS[@]:1:COMP_CWORD-1}")"
  values="$(_kp_gen_choices "$kpath|$prev")"
  if [ -n "$values" ]; then
    COMPREPLY=($(compgen -W "$values" -- "$cur")); return
  fi
  case " $(_kp_gen_valued "$kpath") " in
    *" $prev "*) COMPREPLY=($(compgen -f -- "$cur")); return ;;
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$(_kp_gen_options "$kpath")" -- "$cur")); return
  fi
  COMPREPLY=($(compgen -W "$(_kp_gen_commands "$kpath")" -- "$cur") $(compgen -f -- "$cur"))
}
complete -o filenames -F _kp_gen kp-gen
`;
}

function zshScript(spec: CommandSpec): string {
  return `#compdef kp-gen
# zsh completion for kp-gen, generated from its option definitions.
# Load it now with: source <(kp-gen completion zsh)
# or for good:      kp-gen completion zsh > "\${fpath[1]}/_kp-gen"
${tables(spec)}
_kp_gen() {
  local cur="\${words[CURRENT]}" prev="\${words[CURRENT-1]}"
  local kpath values
  kpath="$(_kp_gen_path "\${(@)words[2,CURRENT-1]}")"
  values="$(_kp_gen_choices "$kpath|$prev")"
  if [[ -n "$values" ]]; then
    compadd -- \${=values}; return
  fi
  if [[ " $(_kp_gen_valued "$kpath") " == *" $prev "* ]]; then
    _files; return
  fi
  if [[ "$cur" == -* ]]; then
    compadd -- \${=$(_kp_gen_options "$kpath")}; return
  fi
  compadd -- \${=$(_kp_gen_commands "$kpath")}
  _files
}
# Autoloaded from fpath: complete now; sourced: register.
if [[ "\${zsh_eval_context[-1]}" == loadautofunc ]]; then
  _kp_gen "$@"
else
  compdef _kp_gen kp-gen
fi
`;
}

function fishScript(spec: CommandSpec): string {
  const lines = [
    '# fish completion for kp-gen, generated from its option definitions.',
    '# Load it now with: kp-gen completion fish | source',
    '# or for good:      kp-gen completion fish > ~/.config/fish/completions/kp-gen.fish',
    'complete -c kp-gen -f',
  ];
  // A command path's condition: exactly these sub-commands seen (fish's __fish_seen_subcommand_from per level).
  const condition = (c: CommandSpec): string => {
    const parts = c.path.split(' ').slice(1);
    const seen = parts.map((p) => `__fish_seen_subcommand_from ${p}`);
    const below = c.commands.map((s) => s.name);
    const notYet = below.length > 0 ? [`not __fish_seen_subcommand_from ${words(below)}`] : [];
    if (parts.length === 0) return below.length > 0 ? `__fish_use_subcommand` : '';
    return [...seen, ...notYet].join('; and ');
  };
  const firstLine = (s: string): string => s.split('\n')[0]!;
  for (const c of all(spec)) {
    const cond = condition(c);
    const n = cond === '' ? '' : ` -n ${sq(cond)}`;
    for (const s of c.commands) lines.push(`complete -c kp-gen${n} -a ${sq(s.name)} -d ${sq(firstLine(s.description))}`);
    if (c.argumentChoices.length > 0) lines.push(`complete -c kp-gen${n} -a ${sq(words(c.argumentChoices))}`);
    const optCond = c.path === spec.path ? ` -n ${sq('__fish_use_subcommand')}` : ` -n ${sq(c.path.split(' ').slice(1).map((p) => `__fish_seen_subcommand_from ${p}`).join('; and '))}`;
    for (const o of c.options) {
      const names = o.names.map((x) => (x.startsWith('--') ? `-l ${x.slice(2)}` : `-s ${x.slice(1)}`)).join(' ');
      const value = o.choices.length > 0 ? ` -x -a ${sq(words(o.choices))}` : o.takesValue ? ' -r -F' : '';
      lines.push(`complete -c kp-gen${optCond} ${names}${value} -d ${sq(firstLine(o.description))}`);
    }
  }
  // Positional paths of the commands that read manifests or dumps.
  lines.push(`complete -c kp-gen -n 'not __fish_seen_subcommand_from help completion' -F`);
  return `${lines.join('\n')}\n`;
}

/** roff-escape text: backslashes, and a leading dot or quote. */
function roff(text: string): string {
  return text
    .replace(/\\/g, '\\e')
    .replace(/-/g, '\\-')
    // Beyond ASCII as groff's Unicode escapes (…, —, →).
    .replace(/[^\x00-\x7f]/gu, (ch) => `\\[u${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}]`)
    .split('\n')
    .map((l) => (/^[.']/.test(l) ? `\\&${l}` : l))
    .join('\n');
}

/**
 * The man page: NAME, SYNOPSIS, DESCRIPTION, the program's options, each command with its
 * options, and the sections that `extra` gives (exit status, environment, examples).
 */
export interface ManSection {
  title: string;
  body: string;
  /** Lines kept as written (examples), not filled into paragraphs. */
  preformatted?: boolean;
}

export function manPage(spec: CommandSpec, meta: { version: string; sections: ManSection[] }): string {
  const out: string[] = [];
  out.push(`.TH KP\\-GEN 1 "" "kp-gen ${roff(meta.version)}" "User Commands"`);
  out.push('.SH NAME', `kp\\-gen \\- ${roff(spec.description.replace(/\.$/, ''))}`);
  out.push('.SH SYNOPSIS');
  for (const c of all(spec).filter((c) => c.commands.length === 0 || c === spec)) out.push('.nf', `.B ${roff(c.usage)}`, '.fi');
  out.push('.SH DESCRIPTION', roff(spec.description));
  const options = (c: CommandSpec): void => {
    for (const o of c.options) out.push('.TP', `.B ${roff(o.flags)}`, roff(o.description));
  };
  out.push('.SH OPTIONS');
  options(spec);
  out.push('.SH COMMANDS');
  for (const c of all(spec).slice(1)) {
    out.push(`.SS "${roff(c.usage)}"`);
    out.push(roff(c.description));
    if (c.options.length > 0) {
      out.push('.RS');
      options(c);
      out.push('.RE');
    }
  }
  for (const s of meta.sections) {
    out.push(`.SH ${roff(s.title.toUpperCase())}`);
    out.push(s.preformatted ? `.nf\n${roff(s.body)}\n.fi` : roff(s.body).replace(/\n\n/g, '\n.PP\n'));
  }
  return `${out.join('\n')}\n`;
}
