/**
 * `kp-gen diff [--json] A B` and `kp-gen diff --manifests PATH [generation flags] B`: compare
 * the kube-proxy parts of two rule dumps by meaning. Exit codes follow diff(1), not the main
 * command: 0 same, 1 different, 2 trouble (unreadable input, usage).
 *
 * This module declares the command, checks its usage and turns the command line into
 * DiffOptions; run.ts, loaded only when the command runs, does the comparing (the main command
 * never loads it).
 */
import { Command } from 'commander';
import { UsageError, UserError } from '../../errors.js';
import { COLOR_CHOICES, type ColorWhen } from '../../color.js';
import { addGenerationOptions, addSelectionOptions, choiceOption, colorOption, flagValue, readGenerationOptions, readSelection } from '../../flags.js';
import type { CliIO } from '../../io.js';
import { readChoice, type RunOptions } from '../../options.js';
import type { Selection } from '../../views/select.js';
import { generationOptionKeys, rejectOptions } from '../shared.js';

const OWN_OPTIONS = ['service', 'namespace', 'json', 'color', 'manifests', 'stat', 'format'];

const HELP_AFTER = `
A and B are rule dumps: kp-gen output, or a node's iptables-save / ip6tables-save output
(counters, comments and other chains are fine); - reads one of them from stdin. Only
kube-proxy's rules are compared (KUBE-* chains and the jumps into them), by meaning: counters,
comments of the dump, chain order and restore-vs-save spelling do not count; rule order
within a chain does.

Examples:
  kp-gen diff before.rules after.rules
  kp-gen diff --stat before.rules after.rules
  kp-gen diff --format unified before.rules after.rules
  ssh node-1 iptables-save | kp-gen diff --manifests manifests/ --cluster-cidr 10.244.0.0/16 -

Exit codes (as diff(1)): 0 same, 1 different, 2 unreadable input or usage error;
141 stdout closed before the differences were all written (| head).`;

const FORMATS = ['text', 'unified'] as const;
export type DiffFormat = (typeof FORMATS)[number];
export type DiffColor = ColorWhen;

/** `kp-gen diff`, parsed. */
export interface DiffOptions {
  /** A and B, or only B with --manifests; `-` is stdin. */
  dumps: string[];
  /** --json. */
  json: boolean;
  /** --color. */
  color: DiffColor;
  /** --stat: one line in words per service port instead of the rules. */
  stat: boolean;
  /** --format: `text` (grouped by service port) or `unified` (a unified diff). */
  format: DiffFormat;
  /** --manifests and the generation flags: A is generated from these; absent without --manifests. */
  gen?: RunOptions;
  /** --service / -n: compare these Services' rules only. */
  select?: Selection;
}

export interface DiffCommand {
  name: 'diff';
  options: DiffOptions;
}

interface DiffFlags {
  json?: boolean;
  color: string;
  manifests?: string[];
  stat?: boolean;
  format: string;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

export function register(program: Command, onParsed: (c: DiffCommand) => void): void {
  const cmd = new Command('diff')
    .description('compare the kube-proxy rules of two dumps (kp-gen output or iptables-save), by meaning')
    .argument('<dump...>', 'A B, or only B with --manifests; - for stdin')
    .option('--json', 'print the differences as JSON')
    .addOption(colorOption())
    .option('--stat', 'one line in words per service port (endpoint added, probabilities rebalanced, …), identical ones folded')
    .addOption(choiceOption('--format <format>', 'text: grouped by service port; unified: a unified diff (for a ```diff block in a pull request)', FORMATS).default('text'))
    .option('--manifests <path>', 'generate A from these manifests (repeatable) with the generation flags below', collect)
    .helpOption('-h, --help', 'show this help')
    .addHelpText('after', HELP_AFTER);
  addGenerationOptions(cmd);
  addSelectionOptions(cmd);
  cmd.action((dumps: string[], flags: Record<string, unknown>, self: Command) => {
    const f = flags as unknown as DiffFlags;
    const manifests = f.manifests ?? [];
    if (manifests.length > 0 ? dumps.length !== 1 : dumps.length !== 2) {
      throw new UsageError(manifests.length > 0 ? 'with --manifests give one dump (B)' : 'give two dumps, A and B');
    }
    if (manifests.length === 0) {
      rejectOptions(self, generationOptionKeys(self, OWN_OPTIONS), 'only with --manifests');
    }
    try {
      // `kp-gen --color never diff …`: the main command's --color, unless diff has its own.
      const parentColor = self.parent?.getOptionValueSource('color') === 'cli' && self.getOptionValueSource('color') !== 'cli';
      const color = parentColor ? String(self.parent!.opts().color) : f.color;
      const options: DiffOptions = {
        dumps,
        json: f.json === true,
        color: flagValue('--color', color, readChoice(COLOR_CHOICES)),
        stat: f.stat === true,
        format: flagValue('--format', f.format, readChoice(FORMATS)),
      };
      if (options.format === 'unified' && (options.stat || options.json)) throw new UsageError(`--format unified: not with ${options.stat ? '--stat' : '--json'}`);
      if (manifests.length > 0) options.gen = readGenerationOptions(manifests, self);
      const select = readSelection(self);
      if (select) options.select = select;
      onParsed({ name: 'diff', options });
    } catch (e) {
      // A bad value is trouble like any other here: exit 2, as diff(1), not the main command's 1.
      if (e instanceof UserError && !(e instanceof UsageError)) throw new UsageError(e.message, e.hint);
      throw e;
    }
  });
  program.addCommand(cmd);
}

/** Run `kp-gen diff` (run.ts is loaded only now). */
export async function run(io: CliIO, o: DiffOptions): Promise<number> {
  return (await import('./run.js')).runDiff(io, o);
}
