/**
 * The command line: commander declarations → typed options. No logic beyond turning flag text
 * into options, each value checked as it is read (flags.ts). The main job (generating rules)
 * is the program's own action, with the generation flags of flags.ts; other commands
 * (`kp-gen diff`, …) register themselves through commands/index.ts and hand back their options.
 */
import { existsSync, readFileSync } from 'node:fs';
import { Argument, Command, CommanderError } from 'commander';
import { commandSpec, completionScript, COMPLETION_SHELLS, manPage, type CompletionShell } from './cli-docs.js';
import { registerSubcommands, type CommandOptions } from './commands/index.js';
import { UsageError } from './errors.js';
import { addClusterOptions, addGenerationOptions, addSelectionOptions, choiceOption, colorOption, flagValue, readClusterOptions, readGenerationOptions, readSelection } from './flags.js';
import { checkOutputName, checkOutputTarget, STDOUT_NAME } from './io.js';
import { DEFAULT_SAVE_BACKEND, OUTPUT_FORMATS, readChoice, SAVE_BACKENDS, type RunOptions } from './options.js';
import { formatRelease, modelledRange, NEWEST } from './plan/releases/release.js';

/** `kp-gen --version`: the package's version, and the kube-proxy releases kp-gen writes. */
function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  return String(pkg.version);
}

function versionText(): string {
  return `kp-gen ${packageVersion()}\nkube-proxy releases: ${modelledRange()} (--kube-proxy-version; default ${formatRelease(NEWEST)})`;
}

export type ParsedArgs =
  | { kind: 'exit'; code: number }
  /** Text to print as it is (`kp-gen completion bash`). */
  | { kind: 'print'; text: string }
  | { kind: 'generate'; options: RunOptions }
  | ({ kind: 'command' } & CommandOptions);

const HELP_AFTER = `
Examples:
  kp-gen examples/                          rules for the example in kp-gen's own examples/ folder
  kp-gen --cluster-cidr 10.244.0.0/16 --hostname-override node-1 manifests/ -o rules.txt
  kubectl get svc,endpointslices -A -o yaml | kp-gen --cluster-cidr 10.244.0.0/16 -
  kp-gen --from-cluster --node node-1 > rules.txt   read the cluster kubectl would use

Output is the iptables-restore text kube-proxy (iptables mode) writes: the *filter and *nat
tables, in the canonical order of kube-proxy's own tests (--format save: as iptables-save
prints them back, to diff against a node's dump). -o writes a regular file or a new name,
atomically (never a device, fifo, link or an input); -o - is stdout.
Exit codes: 0 rules written, 1 input problem (or a warning under --strict), 2 usage error,
3 cluster problem, 141 stdout closed early (| head). Other commands: kp-gen help COMMAND.`;

/** The man page's sections besides the option lists (README "Exit codes" has the same table). */
const MAN_SECTIONS = [
  {
    title: 'Exit status',
    body: `kp-gen (rules), trace, lab and completion: 0 success; 1 input problem: unreadable file, invalid YAML/JSON, invalid flag value, an output kp-gen will not write (a device, fifo, link, directory or an input), a full disk, or a warning under --strict; 2 usage error (unknown flag, missing argument); 3 live-cluster problem (kubeconfig, connection, authorisation).

diff, as diff(1): 0 the kube-proxy rules are the same; 1 they differ; 2 trouble (unreadable or unparsable dump, bad flag value, usage error, a full disk).

Every command: 141 stdout was closed before everything was written (kp-gen ... | head), as for a program SIGPIPE ends; 129, 130 or 143 (killed by SIGHUP, SIGINT or SIGTERM; a half-written -o file is removed); 70 a bug in kp-gen.`,
  },
  {
    title: 'Environment',
    body: `NO_COLOR: when set to anything but the empty string, no colour under --color auto (https://no-color.org). FORCE_COLOR: 0 turns colour off, anything else on, under --color auto. TERM=dumb: no colour under --color auto.

KUBECONFIG, HOME: where --from-cluster finds the kubeconfig, as kubectl does.`,
  },
  {
    title: 'Examples',
    preformatted: true,
    body: HELP_AFTER.replace(/^\nExamples:\n/, '').split('\n\n')[0]!.replace(/^ {2}/gm, ''),
  },
  { title: 'See also', body: 'iptables-restore(8), iptables-save(8), kube-proxy(8); the README of kp-gen.' },
];

export function buildProgram(onParsed: (p: ParsedArgs) => void): Command {
  const program = new Command('kp-gen')
    .description('Turn Kubernetes Service and EndpointSlice manifests into the iptables rules kube-proxy programs on a node.')
    .argument('[path...]', 'manifest files or directories (*.yaml, *.yml, *.json, searched recursively), or - for stdin')
    .helpOption('-h, --help', 'show this help')
    .version(versionText(), '--version', "print kp-gen's version and the kube-proxy releases it models")
    .helpCommand('help [command]', 'show the help of kp-gen or of a command')
    .addHelpText('after', HELP_AFTER)
    // Flags after a sub-command's name belong to the sub-command (`kp-gen lab up --cluster-cidr …`),
    // even where the main command has a flag of the same name.
    .enablePositionalOptions();
  addGenerationOptions(program);
  addClusterOptions(program);
  addSelectionOptions(program, false);
  program
    .addOption(
      choiceOption('--format <format>', 'restore: what kube-proxy writes; save: what iptables-save prints after loading it', OUTPUT_FORMATS).default('restore'),
    )
    .addOption(choiceOption('--save-backend <backend>', `with --format save: imitate iptables-nft-save or iptables-legacy-save (default ${DEFAULT_SAVE_BACKEND})`, SAVE_BACKENDS))
    .option('-o, --output <file>', 'write the rules to FILE atomically instead of stdout (a regular file or a new name; - is stdout)')
    .addOption(colorOption())
    .action((paths: string[], _flags: Record<string, unknown>, cmd: Command) => {
      onParsed({ kind: 'generate', options: readMainOptions(paths, cmd) });
    });
  registerSubcommands(program, (c) => onParsed({ kind: 'command', ...c }));
  program
    .command('completion')
    .description('print a shell completion script, generated from the option definitions')
    .addArgument(new Argument('<shell>', 'the shell').choices(COMPLETION_SHELLS))
    .helpOption('-h, --help', 'show this help')
    .addHelpText('after', '\nLoad it with: source <(kp-gen completion bash) (zsh the same; fish: kp-gen completion fish | source)')
    .action((shell: CompletionShell) => {
      onParsed({ kind: 'print', text: completionScript(shell, commandSpec(program)) });
    });
  return program;
}

/** The man page (man/kp-gen.1, written by `npm run man`), from the same declarations as --help. */
export function manText(): string {
  const program = buildProgram(() => {});
  return manPage(commandSpec(program), { version: packageVersion(), sections: MAN_SECTIONS });
}

/** The main command's flags → RunOptions: the generation and cluster flags, and the output's. */
function readMainOptions(paths: string[], cmd: Command): RunOptions {
  const options = readGenerationOptions(paths, cmd);
  const cluster = readClusterOptions(cmd);
  if (cluster) options.cluster = cluster;
  const flags = cmd.opts();
  const given = (key: string): boolean => cmd.getOptionValueSource(key) === 'cli';
  if (given('format')) options.format = flagValue('--format', String(flags.format), readChoice(OUTPUT_FORMATS));
  if (given('saveBackend')) {
    options.saveBackend = flagValue('--save-backend', String(flags.saveBackend), readChoice(SAVE_BACKENDS));
    if (options.format !== 'save') throw new UsageError('--save-backend only applies to --format save', 'add --format save, or drop --save-backend');
  }
  if (given('output') && String(flags.output) !== STDOUT_NAME) {
    const output = String(flags.output);
    checkOutputName(output, `pick the form with --format ${OUTPUT_FORMATS.join('|')}`);
    const inputs = [...paths, ...(cluster?.kubeconfig !== undefined ? [cluster.kubeconfig] : []), ...(given('config') ? [String(flags.config)] : [])];
    checkOutputTarget(output, inputs);
    options.output = output;
  }
  const select = readSelection(cmd);
  if (select) options.select = select;
  return options;
}

/**
 * A sub-command's name that is also a file or directory here (`kp-gen diff` with manifests in
 * ./diff/): commander takes it as the sub-command, which is what cli.md says, so a usage error
 * then most likely means the user meant the path.
 */
function shadowedPath(program: Command, first: string | undefined): string | undefined {
  if (first === undefined || !program.commands.some((c) => c.name() === first)) return undefined;
  return existsSync(first) ? first : undefined;
}

/** `kp-gen lab up`: a command's name as typed, from the program's name down. */
export function commandPath(c: Command): string {
  const names: string[] = [];
  for (let at: Command | null = c; at; at = at.parent) names.unshift(at.name());
  return names.join(' ');
}

/** The usage hint of a command: its own --help. */
export function usageHint(c: Command): string {
  return `run ${commandPath(c)} --help for usage`;
}

/** Commander's message as one line: its `error: ` dropped, its "(Did you mean …?)" line joined. */
function commanderMessage(e: CommanderError): string {
  return e.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ');
}

/** Parse argv (without node and script). Help is printed by commander itself (stdout). */
export function parseArgs(argv: readonly string[], write: { out: (s: string) => void }): ParsedArgs {
  let parsed: ParsedArgs | undefined;
  const program = buildProgram((p) => {
    parsed = p;
  });
  // The command whose action runs: a usage error its action throws names its --help.
  let acting: Command = program;
  program.hook('preAction', (_self, actionCommand) => {
    acting = actionCommand;
  });
  // Sub-commands copy these settings only when created, so set them on every command: a usage
  // error inside `kp-gen lab up` must also become exit 2 here, not commander's process.exit(1),
  // and its hint must name `kp-gen lab up --help`.
  const commands = (c: Command): Command[] => [c, ...c.commands.flatMap(commands)];
  for (const c of commands(program)) {
    c.exitOverride((e) => {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') throw e;
      throw new UsageError(commanderMessage(e), usageHint(c));
    });
    c.configureOutput({ writeOut: write.out, writeErr: () => {} });
  }
  // `kp-gen help lab up`: commander's help command takes one name; a deeper one is the same as
  // `kp-gen lab up --help`.
  let args = [...argv];
  if (args[0] === 'help' && args.length > 2 && program.commands.some((c) => c.name() === args[1])) args = [...args.slice(1), '--help'];
  try {
    program.parse(args, { from: 'user' });
  } catch (e) {
    let err = e;
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return { kind: 'exit', code: 0 };
      // `kp-gen help` alone: the program's help, on stdout, as --help.
      if (e.code === 'commander.help' && e.exitCode === 0) return { kind: 'exit', code: 0 };
      // `kp-gen help NAME` of no command: commander wrote the help to stderr (dropped here).
      if (e.code === 'commander.help') {
        const names = program.commands.map((c) => c.name());
        throw new UsageError(`help: no command named ${JSON.stringify(argv[argv.indexOf('help') + 1] ?? '')}`, `the commands are ${names.join(', ')}; run kp-gen --help for usage`);
      }
      err = new UsageError(commanderMessage(e), usageHint(program));
    } else if (e instanceof UsageError && e.hint === undefined) {
      err = new UsageError(e.message, usageHint(acting));
    }
    const shadowed = shadowedPath(program, argv[0]);
    if (err instanceof UsageError && shadowed !== undefined) {
      throw new UsageError(err.message, `"${shadowed}" is read as the sub-command; to read the path ${shadowed} as manifests, write ./${shadowed}`);
    }
    throw err;
  }
  if (!parsed) throw new UsageError('nothing to do', 'run kp-gen --help for usage');
  return parsed;
}
