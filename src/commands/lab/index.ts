/**
 * `kp-gen lab up|status|down|probe`: the command-line shell around lab/lab.ts. Declares the
 * flags, calls the lab functions and prints their reports through the injected CliIO.
 */
import { Command, InvalidArgumentError } from 'commander';
import { addGenerationOptions, integer, list, readGenerationOptions } from '../../cli.js';
import { UsageError, UserError } from '../../errors.js';
import type { CliIO } from '../../io.js';
import { labDown, labStatus, labUp } from '../../lab/lab.js';
import { probe, type ProbeRequest } from '../../lab/probe.js';
import { formatProbe, formatStatus, formatUp, labCommand } from '../../lab/report.js';
import { DEFAULT_STATE_DIR, readState, stateFile } from '../../lab/state.js';
import { warningLine } from '../../report.js';
import type { OnParsed } from '../index.js';

const DEFAULT_NAME = 'lab';

function addLabOptions(cmd: Command): Command {
  return cmd
    .option('--name <name>', 'which lab: namespaces are called kpg-<name>-node, kpg-<name>-client, kpg-<name>-p1, …', DEFAULT_NAME)
    .option('--state-dir <dir>', 'where labs are recorded', DEFAULT_STATE_DIR);
}

/** The `--state-dir` flag to repeat in printed commands when it is not the default. */
function stateDirFlag(dir: string): string {
  return dir === DEFAULT_STATE_DIR ? '' : ` --state-dir ${dir}`;
}

function target(text: string): { ip: string; port: number } {
  const m = /^(\d+\.\d+\.\d+\.\d+):(\d+)$/.exec(text);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) throw new InvalidArgumentError('expected IPv4:PORT, e.g. 10.96.0.100:80');
  return { ip: m[1]!, port: Number(m[2]) };
}

export function register(program: Command, onParsed: OnParsed): void {
  const lab = program
    .command('lab')
    .description('a one-node lab in network namespaces: the rules loaded, a tiny server per pod, a client (Linux, root)')
    .helpOption('-h, --help', 'show this help')
    .action(() => {
      throw new UsageError('kp-gen lab needs a sub-command: up, status, probe or down', 'run kp-gen lab --help for usage');
    });

  const up = addLabOptions(lab.command('up'))
    .description('build the lab for these manifests and print how to reach each Service')
    .argument('<path...>', 'manifest files or directories, or - for stdin')
    .option('--client-ip <ip>', "the client namespace's address (repeat for several); default: next to the node IP", list);
  addGenerationOptions(up).action((paths: string[], flags: Record<string, unknown>) => {
    const opts = readGenerationOptions(paths, flags);
    const name = flags.name as string;
    const dir = flags.stateDir as string;
    onParsed({
      kind: 'command',
      name: 'lab up',
      run: async (io: CliIO) => {
        const r = await labUp({
          run: opts,
          name,
          stateDir: dir,
          clientIPs: (flags.clientIp as string[] | undefined) ?? [],
          readStdin: io.readStdin,
        });
        if (!opts.quiet) for (const w of r.warnings) io.stderr(warningLine(w));
        const lines = r.rules.split('\n').length - 1;
        await io.stdout(formatUp(r.state.plan, stateFile(dir, name), lines, stateDirFlag(dir)));
        return 0;
      },
    });
  });

  addLabOptions(lab.command('status'))
    .description("show the lab and the packet counters of the node's rules: which rules your traffic went through")
    .option('--all', 'also list the rules no packet matched', false)
    .action((flags: Record<string, unknown>) => {
      onParsed({
        kind: 'command',
        name: 'lab status',
        run: async (io) => {
          await io.stdout(formatStatus(labStatus(flags.name as string, flags.stateDir as string), flags.all === true));
          return 0;
        },
      });
    });

  addLabOptions(lab.command('down'))
    .description('stop the servers and delete every namespace the lab made')
    .action((flags: Record<string, unknown>) => {
      onParsed({
        kind: 'command',
        name: 'lab down',
        run: async (io) => {
          const r = labDown(flags.name as string, flags.stateDir as string);
          if (r.failed.length > 0) {
            throw new UserError(`could not delete ${r.failed.join(', ')}`, `the record is kept; retry: ${labCommand(r.state.plan.name, 'down')}`);
          }
          await io.stdout(`lab ${JSON.stringify(r.state.plan.name)} is down: removed ${r.state.namespaces.length} namespaces and ${r.state.servers.length} servers\n`);
          return 0;
        },
      });
    });

  addLabOptions(lab.command('probe'))
    .description('connect to IP:PORT from a lab namespace, several times, and tally which pod answered and what source it saw')
    .argument('<ip:port>', 'where to connect, e.g. a cluster IP and port', target)
    .option('--from <where>', 'client, node, or a pod (its IP or namespace name)', 'client')
    .option('--udp', 'send UDP datagrams instead of TCP connections', false)
    .option('--count <n>', 'attempts, each from a new source port', integer, 10)
    .option('--timeout <ms>', 'how long each attempt waits for an answer', integer, 1000)
    .option('--source <ip>', 'bind to this address of the namespace (e.g. a second --client-ip)')
    .action((dst: { ip: string; port: number }, flags: Record<string, unknown>) => {
      onParsed({
        kind: 'command',
        name: 'lab probe',
        run: async (io) => {
          const name = flags.name as string;
          const state = readState(flags.stateDir as string, name);
          if (!state) throw new UserError(`no lab named ${JSON.stringify(name)} is up`, 'start one with: kp-gen lab up PATH...');
          const { plan } = state;
          const from = flags.from as string;
          const ns =
            from === 'client' ? plan.clientNs : from === 'node' ? plan.nodeNs : plan.pods.find((p) => p.ip === from || p.ns === from)?.ns;
          if (ns === undefined) throw new UserError(`--from: ${JSON.stringify(from)} is not client, node, or a pod of lab ${JSON.stringify(name)}`);
          const req: ProbeRequest = { protocol: flags.udp === true ? 'UDP' : 'TCP', ...dst, count: flags.count as number, timeoutMs: flags.timeout as number };
          if (typeof flags.source === 'string') req.source = flags.source;
          await io.stdout(formatProbe(ns, req, probe(ns, req)));
          return 0;
        },
      });
    });
}
