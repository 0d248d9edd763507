/**
 * `kp-gen apply [generation flags] PATH…` and `kp-gen cleanup`: put kube-proxy's rules on this
 * host the way kube-proxy does, and take them off again (src/host/). This module declares both
 * commands and turns their command lines into options; run.ts, loaded only when one of them
 * runs, does the work.
 */
import { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { addGenerationOptions, choiceOption, flagValue, readGenerationOptions } from '../../flags.js';
import type { CliIO } from '../../io.js';
import { readChoice, type RunOptions } from '../../options.js';

/** The same values as src/host/backend.ts's BACKENDS (which only loads with the command). */
const BACKEND_CHOICES = ['nft', 'legacy'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

/** Where apply records what it added for cleanup (src/host/record.ts). */
export const DEFAULT_STATE_DIR = '/run/kp-gen';

export interface HostOptions {
  /** --dry-run: print the commands, change nothing. */
  dryRun: boolean;
  /** --iptables-backend; detected when absent. */
  backend?: BackendChoice;
  /** --state-dir. */
  stateDir: string;
}

/** `kp-gen apply`, parsed. */
export interface ApplyCommandOptions extends HostOptions {
  run: RunOptions;
  routeLocalnet: boolean;
  ipForward: boolean;
}

export type HostCommand = { name: 'apply'; options: ApplyCommandOptions } | { name: 'cleanup'; options: HostOptions };

const APPLY_HELP = `
What kube-proxy does on a node at each full sync: create the nfacct counters the rules use,
ensure each jump from a built-in chain once (iptables -C, else -I), delete the chains of
Services that are gone, and load the rules with iptables-restore --noflush, so the host's
own chains, rules and policies stay as they are. Run it again after changing the manifests.
Needs root. The backend (iptables-nft or -legacy) is the one holding the host's rules.

Examples:
  sudo kp-gen apply --cluster-cidr 10.244.0.0/16 --hostname-override node-1 manifests/
  sudo kp-gen apply --dry-run manifests/        print the commands, change nothing
  sudo kp-gen cleanup                           take everything off again

Exit codes: 0 applied, 1 input or host problem (a command failed: it is named), 2 usage error.`;

const CLEANUP_HELP = `
Removes every kube-proxy chain, rule and jump (IPv4 and IPv6), as kube-proxy --cleanup does,
and undoes what kp-gen apply added besides: the nfacct counters and the KUBE-FIREWALL chain it
created, the sysctls it set. Other chains, rules and policies are not touched. Needs root.

Exit codes: 0 clean, 1 a command failed (it is named), 2 usage error.`;

function addHostOptions(cmd: Command): Command {
  return cmd
    .option('--dry-run', 'print the commands that would run (a shell script); change nothing', false)
    .addOption(choiceOption('--iptables-backend <backend>', "nft or legacy; default: the one holding the host's rules", BACKEND_CHOICES))
    .option('--state-dir <dir>', 'where apply records what cleanup must undo', DEFAULT_STATE_DIR);
}

function readHostOptions(cmd: Command): HostOptions {
  const flags = cmd.opts();
  const o: HostOptions = { dryRun: flags.dryRun === true, stateDir: String(flags.stateDir) };
  if (typeof flags.iptablesBackend === 'string') o.backend = flagValue('--iptables-backend', flags.iptablesBackend, readChoice(BACKEND_CHOICES));
  return o;
}

export function register(program: Command, onParsed: (c: HostCommand) => void): void {
  const apply = program
    .command('apply')
    .description("put kube-proxy's rules for these manifests on this host, as kube-proxy does, idempotently (root)")
    .helpOption('-h, --help', 'show this help')
    .argument('<path...>', 'manifest files or directories, or - for stdin')
    .option('--route-localnet', 'also set net.ipv4.conf.all.route_localnet=1, which NodePorts on 127.0.0.1 need (kube-proxy sets it itself)', false)
    .option('--ip-forward', 'also turn on forwarding (net.ipv4.ip_forward, or net.ipv6.conf.all.forwarding)', false)
    .addHelpText('after', APPLY_HELP);
  addGenerationOptions(addHostOptions(apply)).action((paths: string[], flags: Record<string, unknown>, self: Command) => {
    if (self.getOptionValueSource('includeJumps') === 'cli') {
      // Declaring the built-in chains in a --noflush restore would reset their policies.
      throw new UsageError('--include-jumps: apply ensures the jumps itself, as kube-proxy does, without touching the built-in chains', 'drop --include-jumps');
    }
    const run = readGenerationOptions(paths, self);
    const routeLocalnet = flags.routeLocalnet === true;
    if (routeLocalnet && run.ipFamily === 'ipv6') throw new UsageError('--route-localnet is an IPv4 setting', 'drop it with --ip-family ipv6');
    onParsed({ name: 'apply', options: { ...readHostOptions(self), run, routeLocalnet, ipForward: flags.ipForward === true } });
  });

  addHostOptions(program.command('cleanup'))
    .description('remove every kube-proxy chain, rule and jump, and what kp-gen apply added (root)')
    .helpOption('-h, --help', 'show this help')
    .addHelpText('after', CLEANUP_HELP)
    .action((_flags: Record<string, unknown>, self: Command) => {
      onParsed({ name: 'cleanup', options: readHostOptions(self) });
    });
}

/** Run apply or cleanup (run.ts, and src/host with it, is loaded only now). */
export async function run(io: CliIO, c: HostCommand): Promise<number> {
  const impl = await import('./run.js');
  return c.name === 'apply' ? impl.runApply(io, c.options) : impl.runCleanup(io, c.options);
}
