/**
 * `kp-gen diff [--json] A B` and `kp-gen diff --manifests PATH [generation flags] B`: compare
 * the kube-proxy parts of two rule dumps by meaning. Exit codes follow diff(1), not the main
 * command: 0 same, 1 different, 2 trouble (unreadable input, usage).
 *
 * This module declares the command and checks its usage; run.ts, loaded only when the command
 * runs, does the comparing (the main command never loads it).
 */
import { Command, Option } from 'commander';
import { addGenerationOptions, readGenerationOptions } from '../../flags.js';
import { UsageError } from '../../errors.js';
import type { OnParsed } from '../parsed.js';
import { generationOptionKeys, rejectOptions } from '../shared.js';

const OWN_OPTIONS = ['json', 'color', 'manifests'];

const HELP_AFTER = `
A and B are rule dumps: kp-gen output, or a node's iptables-save / ip6tables-save output
(counters, comments and other chains are fine); - reads one of them from stdin. Only
kube-proxy's rules are compared (KUBE-* chains and the jumps into them), by meaning: counters,
comments of the dump, chain order and restore-vs-save spelling do not count; rule order
within a chain does.

Examples:
  kp-gen diff before.rules after.rules
  ssh node-1 iptables-save | kp-gen diff --manifests manifests/ --cluster-cidr 10.244.0.0/16 -

Exit codes (as diff(1)): 0 same, 1 different, 2 unreadable input or usage error.`;

export interface DiffFlags {
  json?: boolean;
  color: 'auto' | 'always' | 'never';
  manifests?: string[];
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

export function register(program: Command, onParsed: OnParsed): void {
  const cmd = new Command('diff')
    .description('compare the kube-proxy rules of two dumps (kp-gen output or iptables-save), by meaning')
    .argument('<dump...>', 'A B, or only B with --manifests; - for stdin')
    .option('--json', 'print the differences as JSON')
    .addOption(new Option('--color <when>', 'colour the output').choices(['auto', 'always', 'never']).default('auto'))
    .option('--manifests <path>', 'generate A from these manifests (repeatable) with the generation flags below', collect)
    .helpOption('-h, --help', 'show this help')
    .addHelpText('after', HELP_AFTER);
  addGenerationOptions(cmd);
  cmd.action((dumps: string[], flags: Record<string, unknown>, self: Command) => {
    const f = flags as unknown as DiffFlags;
    const manifests = f.manifests ?? [];
    if (manifests.length > 0 ? dumps.length !== 1 : dumps.length !== 2) {
      throw new UsageError(manifests.length > 0 ? 'with --manifests give one dump (B)' : 'give two dumps, A and B');
    }
    if (manifests.length === 0) {
      rejectOptions(self, generationOptionKeys(self, OWN_OPTIONS), 'only with --manifests');
    }
    const gen = manifests.length > 0 ? readGenerationOptions(manifests, flags) : undefined;
    onParsed({
      kind: 'command',
      name: 'diff',
      run: async (io) => (await import('./run.js')).runDiff(io, { dumps, json: f.json === true, color: f.color, gen }),
    });
  });
  program.addCommand(cmd);
}
