/**
 * `kp-gen ls [--rules FILE | [generation flags] PATH...] [--format table|json|yaml]
 * [--chain NAME] [--service NS/NAME[:PORT]] [-n NS] [-o FILE]`: one row per service port — its
 * frontends, its chains, and its endpoints with their KUBE-SEP chains (views/service-map.ts).
 * Exit codes as the main command: 0 listed, 1 input problem, 2 usage error.
 *
 * This module declares the command and turns the command line into LsOptions; run.ts, loaded
 * only when the command runs, does the work.
 */
import { Command } from 'commander';
import { addGenerationOptions, addSelectionOptions, choiceOption, flagValue } from '../../flags.js';
import type { CliIO } from '../../io.js';
import { readChoice, type RunOptions } from '../../options.js';
import type { Selection } from '../../views/select.js';
import { readViewSource } from '../shared.js';

const FORMATS = ['table', 'json', 'yaml'] as const;
export type LsFormat = (typeof FORMATS)[number];
const OWN_OPTIONS = ['rules', 'format', 'chain', 'output', 'service', 'namespace'];

const HELP_AFTER = `
The rules come from a dump (--rules: a node's iptables-save, or kp-gen output) or are generated
from manifests with the generation flags, as the main command does. From a dump, every
KUBE-SEP chain is traced back to its Service, also where no comment names it (large-cluster
mode): by the jumps that reach it. From manifests, the endpoints' conditions (ready, serving,
terminating) are shown too, and endpoints kube-proxy leaves out are listed without a chain.

--format json and yaml print the same data under a versioned schema (apiVersion kp-gen/v1;
README "kp-gen ls").

Examples:
  kp-gen ls --cluster-cidr 10.244.0.0/16 --hostname-override node-1 examples/
  kp-gen ls --rules node.save --chain KUBE-SEP-DGXT5Z3WOYVLBGRM
  kp-gen ls --rules node.save -n kube-system --format json -o services.json

Exit codes: 0 listed, 1 input problem, 2 usage error.`;

/** `kp-gen ls`, parsed. */
export interface LsOptions {
  /** --rules: the dump to read; absent when the rules are generated from manifests. */
  rules?: string;
  /** The manifests and generation flags; absent with --rules. */
  gen?: RunOptions;
  format: LsFormat;
  /** --chain: only the service port (or endpoint) this chain belongs to. */
  chain?: string;
  /** --service / -n. */
  select?: Selection;
  /** -o: write here atomically instead of stdout. */
  output?: string;
}

export interface LsCommand {
  name: 'ls';
  options: LsOptions;
}

interface LsFlags {
  rules?: string;
  format: string;
  chain?: string;
  output?: string;
}

export function register(program: Command, onParsed: (c: LsCommand) => void): void {
  const cmd = new Command('ls')
    .description('list the service ports: frontends, chains, endpoints (which Service is KUBE-SEP-…)')
    .argument('[path...]', 'manifests to generate the rules from (as the main command), unless --rules is given')
    .option('--rules <file>', "read this dump (a node's iptables-save or kp-gen output; - for stdin) instead of generating rules")
    .addOption(choiceOption('--format <format>', 'table, or the same data as json or yaml', FORMATS).default('table'))
    .option('--chain <name>', 'only the service port (or the endpoint) this chain belongs to')
    .option('-o, --output <file>', 'write to FILE (atomically) instead of stdout')
    .helpOption('-h, --help', 'show this help')
    .addHelpText('after', HELP_AFTER);
  addGenerationOptions(cmd);
  addSelectionOptions(cmd);
  cmd.action((paths: string[], flags: Record<string, unknown>, self: Command) => {
    const f = flags as unknown as LsFlags;
    const source = readViewSource(self, paths, f, OWN_OPTIONS, 'pick the form with --format table|json|yaml');
    const options: LsOptions = { format: flagValue('--format', f.format, readChoice(FORMATS)), ...source };
    if (f.chain !== undefined) options.chain = f.chain;
    onParsed({ name: 'ls', options });
  });
  program.addCommand(cmd);
}

/** Run `kp-gen ls` (run.ts is loaded only now). */
export async function run(io: CliIO, o: LsOptions): Promise<number> {
  return (await import('./run.js')).runLs(io, o);
}
