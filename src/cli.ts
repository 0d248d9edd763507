/**
 * The command line: commander declarations → typed options. No logic beyond turning flag text
 * into options, each value checked as it is read (flags.ts). The main job (generating rules)
 * is the program's own action, with the generation flags of flags.ts; other commands
 * (`kp-gen diff`, …) register themselves through commands/index.ts and hand back their options.
 */
import { existsSync, readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { registerSubcommands, type CommandOptions } from './commands/index.js';
import { UsageError } from './errors.js';
import { addClusterOptions, addGenerationOptions, choiceOption, flagValue, readClusterOptions, readGenerationOptions } from './flags.js';
import { DEFAULT_SAVE_BACKEND, OUTPUT_FORMATS, readChoice, SAVE_BACKENDS, type RunOptions } from './options.js';
import { formatRelease, modelledRange, NEWEST } from './plan/releases/release.js';

/** `kp-gen --version`: the package's version, and the kube-proxy releases kp-gen writes. */
function versionText(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  return `kp-gen ${String(pkg.version)}\nkube-proxy releases: ${modelledRange()} (--kube-proxy-version; default ${formatRelease(NEWEST)})`;
}

export type ParsedArgs =
  | { kind: 'exit'; code: number }
  | { kind: 'generate'; options: RunOptions }
  | ({ kind: 'command' } & CommandOptions);

const HELP_AFTER = `
Examples:
  kp-gen examples/                          rules for the bundled example, on stdout
  kp-gen --cluster-cidr 10.244.0.0/16 --hostname-override node-1 manifests/ -o rules.txt
  kubectl get svc,endpointslices -A -o yaml | kp-gen --cluster-cidr 10.244.0.0/16 -
  kp-gen --from-cluster --node node-1 > rules.txt   read the cluster kubectl would use

Output is the iptables-restore text kube-proxy (iptables mode) writes: the *filter and *nat
tables, in the canonical order of kube-proxy's own tests (--format save: as iptables-save
prints them back, to diff against a node's dump). Exit codes: 0 rules written,
1 input problem (or a warning under --strict), 2 usage error, 3 cluster problem.`;

export function buildProgram(onParsed: (p: ParsedArgs) => void): Command {
  const program = new Command('kp-gen')
    .description('Turn Kubernetes Service and EndpointSlice manifests into the iptables rules kube-proxy programs on a node.')
    .argument('[path...]', 'manifest files or directories (*.yaml, *.yml, *.json, searched recursively), or - for stdin')
    .helpOption('-h, --help', 'show this help')
    .version(versionText(), '--version', "print kp-gen's version and the kube-proxy releases it models")
    .showHelpAfterError('(run kp-gen --help for usage)')
    .addHelpText('after', HELP_AFTER)
    // Flags after a sub-command's name belong to the sub-command (`kp-gen lab up --cluster-cidr …`),
    // even where the main command has a flag of the same name.
    .enablePositionalOptions();
  addGenerationOptions(program);
  addClusterOptions(program);
  program
    .addOption(
      choiceOption('--format <format>', 'restore: what kube-proxy writes; save: what iptables-save prints after loading it', OUTPUT_FORMATS).default('restore'),
    )
    .addOption(choiceOption('--save-backend <backend>', `with --format save: imitate iptables-nft-save or iptables-legacy-save (default ${DEFAULT_SAVE_BACKEND})`, SAVE_BACKENDS))
    .option('-o, --output <file>', 'write the rules to FILE (atomically) instead of stdout')
    .action((paths: string[], _flags: Record<string, unknown>, cmd: Command) => {
      onParsed({ kind: 'generate', options: readMainOptions(paths, cmd) });
    });
  registerSubcommands(program, (c) => onParsed({ kind: 'command', ...c }));
  return program;
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
  if (given('output')) options.output = String(flags.output);
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

/** Parse argv (without node and script). Help is printed by commander itself (stdout). */
export function parseArgs(argv: readonly string[], write: { out: (s: string) => void }): ParsedArgs {
  let parsed: ParsedArgs | undefined;
  const program = buildProgram((p) => {
    parsed = p;
  });
  // Sub-commands copy these settings only when created, so set them on every command: a usage
  // error inside `kp-gen lab up` must also become exit 2 here, not commander's process.exit(1).
  const commands = (c: Command): Command[] => [c, ...c.commands.flatMap(commands)];
  for (const c of commands(program)) {
    c.exitOverride();
    c.configureOutput({ writeOut: write.out, writeErr: () => {} });
  }
  try {
    program.parse([...argv], { from: 'user' });
  } catch (e) {
    let err = e;
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return { kind: 'exit', code: 0 };
      err = new UsageError(e.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' '), 'run kp-gen --help for usage');
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
