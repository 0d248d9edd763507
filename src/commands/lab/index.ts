/**
 * `kp-gen lab up|status|down|probe|list`: the command-line shell around lab/lab.ts. Declares the
 * flags and turns each command line into plain options; run.ts, loaded only when a lab
 * command runs, calls the lab functions and prints their reports through the injected CliIO
 * (the main command never loads the lab).
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { UsageError } from '../../errors.js';
import { addGenerationOptions, colorOption, flagItems, flagValue, list, readGenerationOptions } from '../../flags.js';
import type { CliIO } from '../../io.js';
import { readInteger, readIP, type RunOptions } from '../../options.js';

const DEFAULT_NAME = 'lab';
const DEFAULT_COUNT = 10;
const DEFAULT_TIMEOUT_MS = 1000;

/** Where labs are recorded unless --state-dir says otherwise. */
export const DEFAULT_STATE_DIR = '/run/kp-gen-lab';

/** Which lab a command acts on (--name, --state-dir). */
export interface LabRef {
  name: string;
  stateDir: string;
}

/** `kp-gen lab up`, parsed. */
export interface LabUpOptions extends LabRef {
  /** The manifests and generation flags, as for the main command. */
  run: RunOptions;
  /** --client-ip, repeatable; empty: the lab picks one next to the node IP. */
  clientIPs: string[];
}

/** `kp-gen lab status`, parsed. */
export interface LabStatusOptions extends LabRef {
  /** --all: also the rules no packet matched. */
  all: boolean;
}

/** `kp-gen lab probe`, parsed. */
export interface LabProbeOptions extends LabRef {
  /** --from: client, node, or a pod's IP or namespace name. */
  from: string;
  /** Where to connect. */
  dst: { ip: string; port: number };
  /** --udp. */
  udp: boolean;
  /** --count. */
  count: number;
  /** --timeout, per attempt. */
  timeoutMs: number;
  /** --source: the address to bind to. */
  source?: string;
}

/** `kp-gen lab list`, parsed. */
export interface LabListOptions {
  stateDir: string;
}

export type LabCommand =
  | { name: 'lab up'; options: LabUpOptions }
  | { name: 'lab status'; options: LabStatusOptions }
  | { name: 'lab probe'; options: LabProbeOptions }
  | { name: 'lab down'; options: LabRef }
  | { name: 'lab list'; options: LabListOptions };

function addLabOptions(cmd: Command): Command {
  return cmd
    .option('--name <name>', 'which lab: namespaces are called kpg-<name>-node, kpg-<name>-client, kpg-<name>-p1, …', DEFAULT_NAME)
    .option('--state-dir <dir>', 'where labs are recorded', DEFAULT_STATE_DIR)
    .addOption(colorOption());
}

function target(text: string): { ip: string; port: number } {
  const m = /^(\d+\.\d+\.\d+\.\d+):(\d+)$/.exec(text);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) throw new InvalidArgumentError('expected IPv4:PORT, e.g. 10.96.0.100:80');
  return { ip: m[1]!, port: Number(m[2]) };
}

export function register(program: Command, onParsed: (c: LabCommand) => void): void {
  const lab = program
    .command('lab')
    .description('a one-node lab in network namespaces: the rules loaded, a tiny server per pod, a client (Linux, root)')
    .helpOption('-h, --help', 'show this help')
    .action(() => {
      throw new UsageError('kp-gen lab needs a sub-command: up, status, probe, down or list', 'run kp-gen lab --help for usage');
    });

  const up = addLabOptions(lab.command('up'))
    .description('build the lab for these manifests and print how to reach each Service')
    .argument('<path...>', 'manifest files or directories, or - for stdin')
    .option('--client-ip <ip>', "the client namespace's address (repeat for several); default: next to the node IP", list);
  addGenerationOptions(up).action((paths: string[], flags: Record<string, unknown>, self: Command) => {
    const run = readGenerationOptions(paths, self);
    const clientIPs = flagItems('--client-ip', (flags.clientIp as string[] | undefined) ?? [], readIP);
    onParsed({ name: 'lab up', options: { name: flags.name as string, stateDir: flags.stateDir as string, run, clientIPs } });
  });

  addLabOptions(lab.command('status'))
    .description("show the lab and the packet counters of the node's rules: which rules your traffic went through")
    .option('--all', 'also list the rules no packet matched', false)
    .action((flags: Record<string, unknown>) => {
      onParsed({ name: 'lab status', options: { name: flags.name as string, stateDir: flags.stateDir as string, all: flags.all === true } });
    });

  lab
    .command('list')
    .description('list the labs recorded in the state directory: namespaces and servers still there')
    .option('--state-dir <dir>', 'where labs are recorded', DEFAULT_STATE_DIR)
    .addOption(colorOption())
    .action((flags: Record<string, unknown>) => {
      onParsed({ name: 'lab list', options: { stateDir: flags.stateDir as string } });
    });

  addLabOptions(lab.command('down'))
    .description('stop the servers and delete every namespace the lab made (nothing to do when it is not up)')
    .action((flags: Record<string, unknown>) => {
      onParsed({ name: 'lab down', options: { name: flags.name as string, stateDir: flags.stateDir as string } });
    });

  addLabOptions(lab.command('probe'))
    .description('connect to IP:PORT from a lab namespace, several times, and tally which pod answered and what source it saw')
    .argument('<ip:port>', 'where to connect, e.g. a cluster IP and port', target)
    .option('--from <where>', 'client, node, or a pod (its IP or namespace name)', 'client')
    .option('--udp', 'send UDP datagrams instead of TCP connections', false)
    .addOption(new Option('--count <n>', 'attempts, each from a new source port').default(DEFAULT_COUNT))
    .addOption(new Option('--timeout <ms>', 'how long each attempt waits for an answer').default(DEFAULT_TIMEOUT_MS))
    .option('--source <ip>', 'bind to this address of the namespace (e.g. a second --client-ip)')
    .action((dst: { ip: string; port: number }, flags: Record<string, unknown>) => {
      // Numbers are the defaults; text came from the command line.
      const integer = (flag: string, v: unknown): number => (typeof v === 'number' ? v : flagValue(flag, String(v), readInteger));
      const options: LabProbeOptions = {
        name: flags.name as string,
        stateDir: flags.stateDir as string,
        from: flags.from as string,
        dst,
        udp: flags.udp === true,
        count: integer('--count', flags.count),
        timeoutMs: integer('--timeout', flags.timeout),
      };
      if (typeof flags.source === 'string') {
        flagValue('--source', flags.source, readIP);
        options.source = flags.source;
      }
      onParsed({ name: 'lab probe', options });
    });
}

/** Run a lab command (run.ts, and the lab with it, is loaded only now). */
export async function run(io: CliIO, c: LabCommand): Promise<number> {
  const impl = await import('./run.js');
  switch (c.name) {
    case 'lab up':
      return impl.runUp(io, c.options);
    case 'lab status':
      return impl.runStatus(io, c.options);
    case 'lab probe':
      return impl.runProbe(io, c.options);
    case 'lab down':
      return impl.runDown(io, c.options);
    case 'lab list':
      return impl.runList(io, c.options);
  }
}
