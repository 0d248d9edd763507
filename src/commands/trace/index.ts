/**
 * `kp-gen trace (--rules FILE | [generation flags] PATH...) --src IP --dst IP --dport N
 * [--proto P] [--from F] [--json]`: follow the first packet of a connection through the
 * rules and print every outcome with its probability. Exit codes as the main command:
 * 0 traced, 1 input problem, 2 usage error.
 *
 * This module declares the command, checks its usage and turns the command line into
 * TraceOptions; run.ts, loaded only when the command runs, does the tracing (the main command
 * never loads it).
 */
import { Command, Option } from 'commander';
import { UsageError, UserError } from '../../errors.js';
import { addGenerationOptions, addSelectionOptions, choiceOption, colorOption, flagValue, readGenerationOptions, readSelection } from '../../flags.js';
import type { CliIO } from '../../io.js';
import type { IP } from '../../model/ip.js';
import { readChoice, readInterfaceName, readIP, readPort, type RunOptions } from '../../options.js';
import type { Origin, Packet, Protocol } from '../../trace/index.js';
import type { Selection } from '../../views/select.js';
import { generationOptionKeys, rejectOptions } from '../shared.js';

const OWN_OPTIONS = ['service', 'namespace', 'rules', 'src', 'dst', 'dport', 'sport', 'proto', 'from', 'inInterface', 'outInterface', 'json', 'brief', 'explain', 'color'];
/** Generation flags that also make sense with --rules: they say which addresses are the node's. */
const NODE_ADDRESS_OPTIONS = ['nodeIp', 'nodeAddresses'];

export const DEFAULT_SPORT = 40000;

const HELP_AFTER = `
The rules come from a dump (--rules: kp-gen output or a node's iptables-save) or are
generated from manifests with the generation flags, as the main command does (with
--include-jumps implied). The node's own addresses (for "-m addrtype --dst-type LOCAL") are
the --node-ip and --node-addresses values, plus 127.0.0.0/8 and ::1; give them with --rules too.
When a dump has no jumps from the built-in chains into KUBE-* chains, kube-proxy's are added.

Examples:
  kp-gen trace --cluster-cidr 10.244.0.0/16 --node-ip 192.168.1.10 examples/ \\
      --src 10.244.1.7 --dst 10.96.0.100 --dport 80 --from pod
  kp-gen trace --rules node.save --node-ip 192.168.1.10 --src 203.0.113.9 --dst 192.168.1.10:30080
  kp-gen trace --rules node.save --src 10.244.1.7 --from pod --dst default/web:http --brief

Exit codes: 0 traced, 1 input problem, 2 usage error.`;

/** A Service named by `--dst NS/NAME[:PORT]`: its cluster IP and port come from the rules. */
export interface ServiceRef {
  namespace: string;
  name: string;
  /** A port name or number; absent for "its only port". */
  port?: string;
}

/**
 * The packet as the command line gives it: the destination may be a Service still to be
 * looked up in the rules, and the port may come with it.
 */
export interface PacketSpec extends Omit<Packet, 'dst' | 'dport'> {
  dst: IP | ServiceRef;
  dport: number | undefined;
  /** --proto was given (else a Service's protocol is taken from its rule). */
  protocolGiven: boolean;
}

/** `kp-gen trace`, parsed. */
export interface TraceOptions {
  /** --rules: the dump to trace; absent when the rules are generated from manifests. */
  rules?: string;
  /** The manifests and generation flags; absent with --rules. */
  gen?: RunOptions;
  packet: PacketSpec;
  /** --brief: the outcomes only. */
  brief: boolean;
  /** --explain: every rule evaluated and why it did or did not match. */
  explain: boolean;
  /** --node-ip and --node-addresses (and a --config's bindAddress): the node's own addresses (addrtype LOCAL). */
  localAddresses: IP[];
  /** --json. */
  json: boolean;
  /** --service / -n: trace through these Services' rules only. */
  select?: Selection;
}

export interface TraceCommand {
  name: 'trace';
  options: TraceOptions;
}

interface TraceFlags {
  rules?: string;
  src: string;
  dst: string;
  dport?: string;
  /** The default (a number) unless given. */
  sport: string | number;
  proto: string;
  from: string;
  inInterface?: string;
  outInterface?: string;
  json?: boolean;
  brief?: boolean;
  explain?: boolean;
}

const PROTOCOLS: readonly Protocol[] = ['tcp', 'udp', 'sctp'];
const ORIGINS: readonly Origin[] = ['external', 'pod', 'node'];

const SERVICE_REF = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/([a-z0-9]([-a-z0-9]*[a-z0-9])?)(?::([-a-z0-9]+))?$/;

/** --dst: `IP`, `IP:PORT`, `[IPv6]:PORT`, or a Service `NS/NAME[:PORT]`. */
function readDestination(text: string): { dst: IP | ServiceRef; port?: number } {
  const bracketed = /^\[([^\]]+)\]:([0-9]+)$/.exec(text);
  if (bracketed) return { dst: flagValue('--dst', bracketed[1]!, readIP), port: flagValue('--dst', bracketed[2]!, readPort) };
  const v4 = /^([0-9.]+):([0-9]+)$/.exec(text);
  if (v4) return { dst: flagValue('--dst', v4[1]!, readIP), port: flagValue('--dst', v4[2]!, readPort) };
  const svc = SERVICE_REF.exec(text);
  if (svc) {
    const ref: ServiceRef = { namespace: svc[1]!, name: svc[3]! };
    if (svc[5] !== undefined) ref.port = svc[5];
    return { dst: ref };
  }
  try {
    return { dst: readIP(text) };
  } catch {
    throw new UserError(`--dst: ${JSON.stringify(text)} is not an IP address, IP:PORT ([IPv6]:PORT) or a Service NS/NAME[:PORT]`);
  }
}

/** The packet the flags describe, every value checked. */
function readPacket(f: TraceFlags, protocolGiven: boolean): PacketSpec {
  const d = readDestination(f.dst);
  let dport = f.dport === undefined ? undefined : flagValue('--dport', f.dport, readPort);
  if (d.port !== undefined) {
    if (dport !== undefined && dport !== d.port) throw new UsageError(`--dst ${f.dst} and --dport ${dport} give two ports`);
    dport = d.port;
  }
  if (dport === undefined && !('name' in d.dst)) throw new UsageError('give the destination port: --dport N or --dst IP:PORT');
  const packet: PacketSpec = {
    protocol: flagValue('--proto', f.proto, readChoice(PROTOCOLS)),
    protocolGiven,
    src: flagValue('--src', f.src, readIP),
    dst: d.dst,
    sport: typeof f.sport === 'number' ? f.sport : flagValue('--sport', f.sport, readPort),
    dport,
    from: flagValue('--from', f.from, readChoice(ORIGINS)),
  };
  if (f.inInterface !== undefined) packet.inInterface = flagValue('--in-interface', f.inInterface, readInterfaceName);
  if (f.outInterface !== undefined) packet.outInterface = flagValue('--out-interface', f.outInterface, readInterfaceName);
  return packet;
}

export function register(program: Command, onParsed: (c: TraceCommand) => void): void {
  const cmd = new Command('trace')
    .description('follow one packet through the rules and print every outcome with its probability')
    .argument('[path...]', 'manifests to generate the rules from (as the main command), unless --rules is given')
    .option('--rules <file>', 'trace this dump (kp-gen output or iptables-save; - for stdin) instead of generating rules')
    .requiredOption('--src <ip>', "the packet's source address")
    .requiredOption('--dst <dst>', "the packet's destination: IP, IP:PORT ([IPv6]:PORT), or a Service NS/NAME[:PORT] looked up in the rules")
    .option('--dport <port>', "the packet's destination port (unless --dst gives it)")
    .addOption(new Option('--sport <port>', "the packet's source port").default(DEFAULT_SPORT))
    .addOption(choiceOption('--proto <protocol>', 'the protocol', PROTOCOLS).default('tcp'))
    .addOption(choiceOption('--from <origin>', 'where the packet comes from: another host, a pod on this node, or the node itself', ORIGINS).default('external'))
    .option('--in-interface <name>', 'the interface the packet arrives on (for -i rules)')
    .option('--out-interface <name>', 'the interface the packet leaves by (for -o rules)')
    .option('--json', 'print the trace as JSON')
    .option('--brief', 'print only the outcomes, not the path')
    .option('--explain', 'print every rule evaluated on the way, and why it did or did not match (what iptables\' TRACE shows, and more)')
    .addOption(colorOption())
    .helpOption('-h, --help', 'show this help')
    .addHelpText('after', HELP_AFTER);
  addGenerationOptions(cmd);
  addSelectionOptions(cmd);
  cmd.action((paths: string[], flags: Record<string, unknown>, self: Command) => {
    const f = flags as unknown as TraceFlags;
    if ((f.rules !== undefined) === (paths.length > 0)) {
      throw new UsageError('give either --rules FILE or manifest paths');
    }
    const generationKeys = generationOptionKeys(self, OWN_OPTIONS);
    if (f.rules !== undefined) {
      rejectOptions(self, generationKeys.filter((k) => !NODE_ADDRESS_OPTIONS.includes(k.key)), 'only when generating from manifests, not with --rules');
    }
    const packet = readPacket(f, self.getOptionValueSource('proto') === 'cli');
    const dstFamily = 'family' in packet.dst ? packet.dst.family : packet.src.family;
    if (packet.src.family !== dstFamily) throw new UsageError('--src and --dst must be of the same IP family');
    const options = readGenerationOptions(paths, self);
    const localAddresses = [...options.nodeIPs, ...(options.nodeAddresses ?? [])].map((t) => readIP(t));
    const trace: TraceOptions = { packet, localAddresses, json: f.json === true, brief: f.brief === true, explain: f.explain === true };
    if (trace.brief && trace.explain) throw new UsageError('--brief and --explain: give one of them');
    const select = readSelection(self);
    if (select) trace.select = select;
    if (f.rules !== undefined) {
      trace.rules = f.rules;
    } else {
      const family = packet.src.family === 6 ? 'ipv6' : 'ipv4';
      if (self.getOptionValueSource('ipFamily') === 'cli' && options.ipFamily !== family) {
        throw new UsageError(`--ip-family ${options.ipFamily} does not match the packet's addresses`);
      }
      trace.gen = { ...options, includeJumps: true, ipFamily: family };
    }
    onParsed({ name: 'trace', options: trace });
  });
  program.addCommand(cmd);
}

/** Run `kp-gen trace` (run.ts is loaded only now). */
export async function run(io: CliIO, o: TraceOptions): Promise<number> {
  return (await import('./run.js')).runTrace(io, o);
}
