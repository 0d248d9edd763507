/**
 * The generation flags: kube-proxy's configuration and the input handling, shared by every
 * command that generates rules from manifests (the main job, `diff --manifests`, `trace`,
 * `lab up`), and the live-cluster flags. Declarations and their reading into RunOptions.
 * A leaf for the commands: it imports no command and not cli.ts, so the main command
 * (cli.ts) and each sub-command (commands/<name>/index.ts) can both import it.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { UsageError } from './errors.js';
import { applyKubeProxyConfig, type ConfigurableOption } from './load/kube-proxy-config.js';
import {
  defaultRunOptions,
  DEFAULT_IPTABLES_VERSION,
  DEFAULT_REQUEST_TIMEOUT,
  type ClusterOptions,
  type DetectLocalMode,
  type RunOptions,
  type SaveBackend,
} from './options.js';

export function list(value: string, previous: string[] | undefined): string[] {
  const items = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  return [...(previous ?? []), ...items];
}

export function integer(value: string): number {
  if (!/^-?\d+$/.test(value.trim())) throw new InvalidArgumentError('not an integer');
  return Number.parseInt(value, 10);
}

function featureGates(value: string, previous: Record<string, boolean> | undefined): Record<string, boolean> {
  const out = { ...(previous ?? {}) };
  for (const item of value.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const m = /^([A-Za-z0-9]+)=(true|false)$/i.exec(item);
    if (!m) throw new InvalidArgumentError(`expected Name=true|false, got ${JSON.stringify(item)}`);
    out[m[1]!] = m[2]!.toLowerCase() === 'true';
  }
  return out;
}

/**
 * The flags that shape the rules: kube-proxy's configuration and the input handling. Shared by
 * every command that generates rules from manifests (the main job, `trace`, `lab up`, …).
 */
export function addGenerationOptions(cmd: Command): Command {
  const d = defaultRunOptions();
  return cmd
    .option('--config <file>', "kube-proxy's KubeProxyConfiguration file; flags given on the command line win")
    .option('--hostname-override <name>', "this node's name: decides which endpoints are local (traffic policy Local, topology)")
    .option('--node-ip <ip>', "the node's primary IP; repeat (or comma-separate) for one IP per family", list)
    .option('--node-addresses <ips>', "every IP on the node's interfaces, comma-separated (for --nodeport-addresses); default: the --node-ip values", list)
    .option('--cluster-cidr <cidrs>', 'pod CIDR(s) of the cluster, comma-separated: traffic from them is "local" (ClusterCIDR detector)', list)
    .addOption(
      new Option('--detect-local-mode <mode>', 'how pod traffic is recognised')
        .choices(['ClusterCIDR', 'NodeCIDR', 'BridgeInterface', 'InterfaceNamePrefix'])
        .default(d.detectLocalMode),
    )
    .option('--pod-cidr <cidrs>', "this node's pod CIDR(s), for --detect-local-mode NodeCIDR", list)
    .option('--pod-bridge-interface <name>', 'pod bridge interface, for --detect-local-mode BridgeInterface')
    .option('--pod-interface-name-prefix <prefix>', 'pod interface name prefix, for --detect-local-mode InterfaceNamePrefix')
    .option('--masquerade-all', 'SNAT all traffic sent to a cluster IP', false)
    .option('--iptables-masquerade-bit <bit>', 'fwmark bit (0-31) marking packets to SNAT', integer, d.masqueradeBit)
    .option('--iptables-masquerade-mark <mark>', "literal mark text instead of the bit's rendering (kube-proxy's unit tests use 0x4000)")
    .option('--nodeport-addresses <cidrs>', 'CIDRs (comma-separated) of node addresses that accept NodePorts, or "primary"; default: all', list)
    .option('--no-localhost-nodeports', "don't accept NodePorts on 127.0.0.0/8 (kube-proxy's --iptables-localhost-nodeports=false)")
    .addOption(new Option('--ip-family <family>', 'which family of rules to write').choices(['ipv4', 'ipv6']).default(d.ipFamily))
    .option('--iptables-version <version>', "the node's iptables version (>= 1.6.2 adds --random-fully)", DEFAULT_IPTABLES_VERSION)
    .option('--nfacct-counters <names>', 'nfacct counters that exist on the node (comma-separated), or none', list)
    .option('--conntrack-tcp-be-liberal', 'the node sets net.netfilter.nf_conntrack_tcp_be_liberal: no INVALID-drop rule', false)
    .option('--node-zone <zone>', "the node's topology.kubernetes.io/zone label (topology-aware routing)")
    .option('--feature-gates <gates>', 'kube-proxy feature gates, Name=true|false[,...] (only PreferSameTrafficDistribution changes rules)', featureGates)
    .option('--include-jumps', 'also declare the built-in chains and add the jumps kube-proxy installs into them, for plain iptables-restore', false)
    .option('--strict', 'treat warnings (objects kube-proxy would skip) as errors', false)
    .option('-q, --quiet', 'print no warnings', false);
}

/** Reading a live cluster instead of (or besides) files. */
export function addClusterOptions(cmd: Command): Command {
  return cmd
    .option('--from-cluster', 'read Services and EndpointSlices from the cluster kubectl would use (files given too override same-named objects)', false)
    .option('--kubeconfig <path>', 'kubeconfig file to use (instead of KUBECONFIG or ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context to use (instead of current-context)')
    .option('-n, --namespace <ns>', 'read only this namespace; repeatable (default: all namespaces)', list)
    .option('--node <name>', "read this Node: its name, IPs, pod CIDRs and zone fill --hostname-override, --node-ip, --pod-cidr, --node-zone unless given")
    .option('--save-manifests <dir>', 'write what was read from the cluster to DIR (input.yaml, flags.txt) for offline replay')
    .option('--request-timeout <duration>', 'give up on an API request after this long (e.g. 10s, 1m; 0 = never)', DEFAULT_REQUEST_TIMEOUT);
}

/** A kubectl-style duration (`30s`, `1m`, `500ms`, bare number = seconds) in milliseconds. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) return undefined;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? 's'] ?? 1000;
  return Math.round(Number(m[1]) * unit);
}

/** Commander's parsed cluster flags → ClusterOptions (undefined without --from-cluster). */
export function readClusterOptions(flags: Record<string, unknown>): ClusterOptions | undefined {
  const str = (k: string): string | undefined => (typeof flags[k] === 'string' ? (flags[k] as string) : undefined);
  const namespaces = Array.isArray(flags.namespace) ? [...new Set(flags.namespace as string[])] : [];
  if (flags.fromCluster !== true) {
    const given = [
      ['--kubeconfig', str('kubeconfig')],
      ['--context', str('context')],
      ['--namespace', namespaces.length > 0 ? 'x' : undefined],
      ['--node', str('node')],
      ['--save-manifests', str('saveManifests')],
    ].find(([, v]) => v !== undefined);
    if (given) throw new UsageError(`${given[0]} needs --from-cluster`, 'add --from-cluster to read a live cluster');
    return undefined;
  }
  const timeout = parseDuration(str('requestTimeout') ?? DEFAULT_REQUEST_TIMEOUT);
  if (timeout === undefined) {
    throw new UsageError(`--request-timeout: ${JSON.stringify(str('requestTimeout'))} is not a duration like 30s or 1m`);
  }
  const o: ClusterOptions = { namespaces, requestTimeoutMs: timeout };
  const kubeconfig = str('kubeconfig');
  if (kubeconfig !== undefined) o.kubeconfig = kubeconfig;
  const context = str('context');
  if (context !== undefined) o.context = context;
  const node = str('node');
  if (node !== undefined) o.node = node;
  const save = str('saveManifests');
  if (save !== undefined) o.saveManifests = save;
  return o;
}

/** Commander option keys of the settings a KubeProxyConfiguration can also give. */
const CONFIG_FLAG_KEYS: Record<ConfigurableOption, string> = {
  hostnameOverride: 'hostnameOverride',
  nodeIPs: 'nodeIp',
  clusterCIDRs: 'clusterCidr',
  detectLocalMode: 'detectLocalMode',
  podBridgeInterface: 'podBridgeInterface',
  podInterfaceNamePrefix: 'podInterfaceNamePrefix',
  masqueradeAll: 'masqueradeAll',
  masqueradeBit: 'iptablesMasqueradeBit',
  localhostNodePorts: 'localhostNodeports',
  nodePortAddresses: 'nodeportAddresses',
  featureGates: 'featureGates',
  conntrackTCPBeLiberal: 'conntrackTcpBeLiberal',
};

/**
 * A command's parsed generation flags (from addGenerationOptions) → RunOptions. With
 * --config, the KubeProxyConfiguration fills what the command line did not set explicitly.
 */
export function readGenerationOptions(paths: string[], cmd: Command): RunOptions {
  const flags = cmd.opts();
  const o = defaultRunOptions();
  o.paths = paths;
  const str = (k: string): string | undefined => (typeof flags[k] === 'string' ? (flags[k] as string) : undefined);
  const strs = (k: string): string[] => (Array.isArray(flags[k]) ? (flags[k] as string[]) : []);
  const hostname = str('hostnameOverride');
  if (hostname !== undefined) o.hostnameOverride = hostname;
  o.nodeIPs = strs('nodeIp');
  if (flags.nodeAddresses !== undefined) o.nodeAddresses = strs('nodeAddresses');
  o.clusterCIDRs = strs('clusterCidr');
  o.detectLocalMode = flags.detectLocalMode as DetectLocalMode;
  o.podCIDRs = strs('podCidr');
  const bridge = str('podBridgeInterface');
  if (bridge !== undefined) o.podBridgeInterface = bridge;
  const prefix = str('podInterfaceNamePrefix');
  if (prefix !== undefined) o.podInterfaceNamePrefix = prefix;
  o.masqueradeAll = flags.masqueradeAll === true;
  o.masqueradeBit = flags.iptablesMasqueradeBit as number;
  const mark = str('iptablesMasqueradeMark');
  if (mark !== undefined) o.masqueradeMark = mark;
  o.nodePortAddresses = strs('nodeportAddresses');
  o.localhostNodePorts = flags.localhostNodeports !== false;
  o.ipFamily = flags.ipFamily as 'ipv4' | 'ipv6';
  o.iptablesVersion = str('iptablesVersion') ?? DEFAULT_IPTABLES_VERSION;
  if (flags.nfacctCounters !== undefined) {
    const names = strs('nfacctCounters');
    o.nfacctCounters = names.length === 1 && names[0] === 'none' ? [] : names;
  }
  o.conntrackTCPBeLiberal = flags.conntrackTcpBeLiberal === true;
  const zone = str('nodeZone');
  if (zone !== undefined) o.nodeZone = zone;
  if (flags.featureGates !== undefined) o.featureGates = flags.featureGates as Record<string, boolean>;
  const output = str('output');
  if (output !== undefined) o.output = output;
  o.includeJumps = flags.includeJumps === true;
  const config = str('config');
  if (config !== undefined) {
    applyKubeProxyConfig(o, config, (k) => cmd.getOptionValueSource(CONFIG_FLAG_KEYS[k]) === 'cli');
  }
  if (flags.format === 'save') o.format = 'save';
  if (flags.saveBackend !== undefined) o.saveBackend = flags.saveBackend as SaveBackend;
  o.strict = flags.strict === true;
  o.quiet = flags.quiet === true;
  return o;
}
