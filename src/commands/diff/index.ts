/**
 * `kp-gen diff [--json] A B` and `kp-gen diff --manifests PATH [generation flags] B`: compare
 * the kube-proxy parts of two rule dumps by meaning. Exit codes follow diff(1), not the main
 * command: 0 same, 1 different, 2 trouble (unreadable input, usage).
 */
import { Chalk } from 'chalk';
import chalk from 'chalk';
import { Command, Option } from 'commander';
import { addGenerationOptions, readGenerationOptions } from '../../cli.js';
import { UsageError, UserError } from '../../errors.js';
import type { CliIO } from '../../io.js';
import { compareDumps } from '../../diff/compare.js';
import { NO_COLORS, renderDiff, type DiffColors } from '../../diff/render.js';
import { DumpParseError, parseDump } from '../../parse/dump.js';
import { ValueError } from '../../parse/values.js';
import { errorLines, warningLine } from '../../report.js';
import { generate } from '../../run.js';
import type { OnParsed } from '../index.js';
import { generationOptionKeys, readDump, rejectOptions } from '../shared.js';

export const DIFF_SAME = 0;
export const DIFF_DIFFERENT = 1;
export const DIFF_TROUBLE = 2;

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

interface DiffFlags {
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
      run: async (io) => runDiff(io, { dumps, json: f.json === true, color: f.color, gen }),
    });
  });
  program.addCommand(cmd);
}

interface DiffRun {
  dumps: string[];
  json: boolean;
  color: DiffFlags['color'];
  gen: ReturnType<typeof readGenerationOptions> | undefined;
}

async function runDiff(io: CliIO, o: DiffRun): Promise<number> {
  let result;
  try {
    const stdinUses = o.dumps.filter((d) => d === '-').length + (o.gen?.paths.includes('-') ? 1 : 0);
    if (stdinUses > 1) throw new UsageError('stdin (-) can be read only once');
    let a;
    if (o.gen) {
      const generated = generate(o.gen, { readStdin: io.readStdin });
      if (!o.gen.quiet) for (const w of generated.warnings) io.stderr(warningLine(w));
      a = parseDump(generated.text, `kp-gen ${o.gen.paths.join(' ')}`);
    } else {
      a = readDump(o.dumps[0]!, io);
    }
    const b = readDump(o.dumps[o.dumps.length - 1]!, io);
    result = compareDumps(a, b);
  } catch (e) {
    if (e instanceof UserError || e instanceof DumpParseError || e instanceof ValueError) {
      io.stderr(errorLines(e.message, e instanceof UserError ? e.hint : undefined));
      return DIFF_TROUBLE;
    }
    throw e;
  }
  if (o.json) await io.stdout(`${JSON.stringify(result, null, 2)}\n`);
  else await io.stdout(renderDiff(result, colors(io, o.color)));
  return result.equal ? DIFF_SAME : DIFF_DIFFERENT;
}

function colors(io: CliIO, when: DiffFlags['color']): DiffColors {
  const on = when === 'always' || (when === 'auto' && io.stdoutIsTTY === true && chalk.level > 0);
  if (!on) return NO_COLORS;
  const c = new Chalk({ level: chalk.level > 0 ? chalk.level : 1 });
  return { removed: c.red, added: c.green, heading: c.bold, dim: c.dim };
}
