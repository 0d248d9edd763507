/**
 * `kp-gen graph [--rules FILE | [generation flags] PATH...] [--service NS/NAME[:PORT]] [-n NS]
 * [--format mermaid|dot|svg] [-o FILE]`: a picture of the packets' path through one Service's
 * chains (views/graph.ts). Exit codes as the main command: 0 drawn, 1 input problem, 2 usage error.
 *
 * This module declares the command and turns the command line into GraphOptions; run.ts, loaded
 * only when the command runs, draws.
 */
import { extname } from 'node:path';
import { Command } from 'commander';
import { addGenerationOptions, addSelectionOptions, choiceOption, flagValue } from '../../flags.js';
import type { CliIO } from '../../io.js';
import { readChoice, type RunOptions } from '../../options.js';
import type { Selection } from '../../views/select.js';
import { readViewSource } from '../shared.js';

const FORMATS = ['mermaid', 'dot', 'svg'] as const;
export type GraphFormat = (typeof FORMATS)[number];
const OWN_OPTIONS = ['rules', 'format', 'output', 'service', 'namespace'];

/** The format an output file's name asks for, when --format is not given. */
const BY_EXTENSION: Record<string, GraphFormat> = { '.svg': 'svg', '.dot': 'dot', '.gv': 'dot', '.mmd': 'mermaid', '.mermaid': 'mermaid' };

const HELP_AFTER = `
Draws, for the Services chosen with --service or -n (all when neither is given), the path of
their packets through the nat table: PREROUTING/OUTPUT -> KUBE-SERVICES -> KUBE-SVC (and the
masquerade branch) -> the random split -> KUBE-SEP (DNAT) -> POSTROUTING -> MASQUERADE, with the
NodePort, external and load-balancer entries, KUBE-SVL, and the REJECT/DROP leaves.

Without --format, -o's extension picks it (.svg, .dot/.gv, .mmd); otherwise Mermaid, which
GitHub renders in a \`\`\`mermaid block. SVG is laid out in-process by Graphviz (WebAssembly).

Examples:
  kp-gen graph --service default/web -o web.svg manifests/
  kp-gen graph --rules node.save -n kube-system --format dot | dot -Tpng > dns.png

Exit codes: 0 drawn, 1 input problem, 2 usage error.`;

/** `kp-gen graph`, parsed. */
export interface GraphOptions {
  rules?: string;
  gen?: RunOptions;
  format: GraphFormat;
  select?: Selection;
  output?: string;
}

export interface GraphCommand {
  name: 'graph';
  options: GraphOptions;
}

interface GraphFlags {
  rules?: string;
  format?: string;
  output?: string;
}

export function register(program: Command, onParsed: (c: GraphCommand) => void): void {
  const cmd = new Command('graph')
    .description("draw the path of a Service's packets through kube-proxy's chains (Mermaid, DOT or SVG)")
    .argument('[path...]', 'manifests to generate the rules from (as the main command), unless --rules is given')
    .option('--rules <file>', "draw from this dump (a node's iptables-save or kp-gen output; - for stdin)")
    .addOption(choiceOption('--format <format>', "mermaid, dot or svg (default: from -o's extension, else mermaid)", FORMATS))
    .option('-o, --output <file>', 'write to FILE (atomically) instead of stdout')
    .helpOption('-h, --help', 'show this help')
    .addHelpText('after', HELP_AFTER);
  addGenerationOptions(cmd);
  addSelectionOptions(cmd);
  cmd.action((paths: string[], flags: Record<string, unknown>, self: Command) => {
    const f = flags as unknown as GraphFlags;
    // The source is checked first: a usage error there names the real problem.
    const source = readViewSource(self, paths, f, OWN_OPTIONS, 'pick the form with --format mermaid|dot|svg');
    const format =
      f.format !== undefined
        ? flagValue('--format', f.format, readChoice(FORMATS))
        : (f.output !== undefined ? BY_EXTENSION[extname(f.output).toLowerCase()] : undefined) ?? 'mermaid';
    const options: GraphOptions = { format, ...source };
    onParsed({ name: 'graph', options });
  });
  program.addCommand(cmd);
}

/** Run `kp-gen graph` (run.ts is loaded only now). */
export async function run(io: CliIO, o: GraphOptions): Promise<number> {
  return (await import('./run.js')).runGraph(io, o);
}
