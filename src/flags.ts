/**
 * The generation flags: kube-proxy's configuration and the input handling, shared by every
 * command that generates rules from manifests (the main job, `diff --manifests`, `trace`,
 * `lab up`), and the live-cluster flags. Declarations, and their reading into RunOptions.
 *
 * Every value is checked here, when it is read, by the readers of options.ts: a bad one is a
 * UserError `--flag: "value" is not …` (exit 1), whatever the command or output format.
 * Commander only splits lists and reports usage errors (unknown flags, missing arguments).
 *
 * A leaf for the commands: it imports no command and not cli.ts, so the main command
 * (cli.ts) and each sub-command (commands/<name>/index.ts) can both import it.
 */
import { Command, Option } from 'commander';
import { UsageError, UserError } from './errors.js';
import { COLOR_CHOICES } from './color.js';
import { applyKubeProxyConfig, type ConfigurableOption } from './load/kube-proxy-config.js';
import { formatRelease, modelledRange, NEWEST } from './plan/releases/release.js';
import { parseServiceSelector, SelectionError, type Selection } from './views/select.js';
import {
  defaultRunOptions,
  DEFAULT_IPTABLES_VERSION,
  DEFAULT_REQUEST_TIMEOUT,
  DETECT_LOCAL_MODES,
  IP_FAMILIES,
  OptionValueError,
  readChoice,
  readCIDR,
  readDuration,
  readFeatureGates,
  readInterfaceName,
  readNamespaceNames,
  readNodeName,
  readNodeNames,
  readInterfacePrefix,
  readIP,
  readIptablesVersion,
  readKubeProxyVersion,
  readMasqueradeBit,
  readMasqueradeMark,
  readNfacctCounters,
  readNodePortAddresses,
  readPortRange,
  readServiceClusterIPRange,
  type ClusterOptions,
  type RunOptions,
} from './options.js';

/** Commander's parser for comma-separated, repeatable flags: the items, trimmed, empty ones dropped. */
export function list(value: string, previous: string[] | undefined): string[] {
  const items = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  return [...(previous ?? []), ...items];
}

/**
 * `read` a flag's value; a value the reader refuses is a UserError naming the flag (exit 1,
 * cli.md: an invalid flag value is an input problem, not a usage error).
 */
export function flagValue<V, T>(flag: string, value: V, read: (value: V) => T): T {
  try {
    return read(value);
  } catch (e) {
    if (e instanceof OptionValueError) throw new UserError(`${flag}: ${e.message}`);
    throw e;
  }
}

/**
 * --kube-proxy-version: a release kp-gen does not model is a usage error (exit 2, cli.md),
 * naming the range it does model.
 */
function kubeProxyVersion(text: string): string {
  try {
    readKubeProxyVersion(text);
  } catch (e) {
    if (e instanceof OptionValueError) {
      throw new UsageError(`--kube-proxy-version: ${e.message}`, `write X.Y or X.Y.Z (a leading v is allowed); without the flag kp-gen writes ${formatRelease(NEWEST)}'s rules`);
    }
    throw e;
  }
  return text;
}

/** Check every item of a list flag with `read`; the items stay as given. */
export function flagItems(flag: string, items: readonly string[], read: (text: string) => unknown): string[] {
  for (const item of items) flagValue(flag, item, read);
  return [...items];
}

/**
 * A flag with a fixed set of values. The choices show in --help; the value is checked when
 * read (flagValue with readChoice), so that a wrong one is an invalid value like any other
 * rather than commander's usage error.
 */
export function choiceOption(flags: string, description: string, choices: readonly string[]): Option {
  return new Option(flags, description).choices(choices).argParser((value: string) => value);
}

/**
 * The flags that shape the rules: kube-proxy's configuration and the input handling. Shared by
 * every command that generates rules from manifests (the main job, `trace`, `lab up`, …).
 * Defaults are shown in --help; the values used are defaultRunOptions()'s.
 */
export function addGenerationOptions(cmd: Command): Command {
  const d = defaultRunOptions();
  return cmd
    .option('--config <file>', "kube-proxy's KubeProxyConfiguration file; flags given on the command line win")
    .option('--hostname-override <name>', "this node's name: decides which endpoints are local (traffic policy Local, topology)")
    .option('--node-ip <ip>', "the node's primary IP; repeat (or comma-separate) for one IP per family", list)
    .option('--node-addresses <ips>', "every IP on the node's interfaces, comma-separated (for --nodeport-addresses); default: the --node-ip values", list)
    .option('--cluster-cidr <cidrs>', 'pod CIDR(s) of the cluster, comma-separated: traffic from them is "local" (ClusterCIDR detector)', list)
    .addOption(choiceOption('--detect-local-mode <mode>', 'how pod traffic is recognised', DETECT_LOCAL_MODES).default(d.detectLocalMode))
    .option('--pod-cidr <cidrs>', "this node's pod CIDR(s), for --detect-local-mode NodeCIDR", list)
    .option('--pod-bridge-interface <name>', 'pod bridge interface, for --detect-local-mode BridgeInterface')
    .option('--pod-interface-name-prefix <prefix>', 'pod interface name prefix, for --detect-local-mode InterfaceNamePrefix')
    .option('--masquerade-all', 'SNAT all traffic sent to a cluster IP', false)
    .addOption(new Option('--iptables-masquerade-bit <bit>', 'fwmark bit (0-31) marking packets to SNAT').default(d.masqueradeBit))
    .option('--iptables-masquerade-mark <mark>', "literal mark text instead of the bit's rendering, a 32-bit number (kube-proxy's unit tests use 0x4000)")
    .option('--nodeport-addresses <cidrs>', 'CIDRs (comma-separated) of node addresses that accept NodePorts, or "primary"; default: all', list)
    .option('--no-localhost-nodeports', "don't accept NodePorts on 127.0.0.0/8 (kube-proxy's --iptables-localhost-nodeports=false)")
    .addOption(choiceOption('--ip-family <family>', 'which family of rules to write', IP_FAMILIES).default(d.ipFamily))
    .option('--iptables-version <version>', "the node's iptables version (>= 1.6.2 adds --random-fully)", DEFAULT_IPTABLES_VERSION)
    .option('--nfacct-counters <names>', 'nfacct counters that exist on the node (comma-separated), or none', list)
    .option('--conntrack-tcp-be-liberal', 'the node sets net.netfilter.nf_conntrack_tcp_be_liberal: no INVALID-drop rule', false)
    .option('--node-zone <zone>', "the node's topology.kubernetes.io/zone label (topology-aware routing)")
    .option('--feature-gates <gates>', 'kube-proxy feature gates, Name=true|false[,...] (PreferSameTrafficDistribution, LoadBalancerIPMode, ServiceTrafficDistribution and TopologyAwareHints change rules)', list)
    .option('--kube-proxy-version <version>', `write what this kube-proxy release wrote, X.Y or X.Y.Z (${modelledRange()}; default ${formatRelease(NEWEST)})`)
    .option('--include-jumps', 'also declare the built-in chains and add the jumps kube-proxy installs into them, for plain iptables-restore', false)
    .option('--service-cluster-ip-range <cidrs>', "kube-apiserver's: where Services without a cluster IP get theirs, one CIDR per family (default 10.96.0.0/12)", list)
    .option('--service-node-port-range <range>', "kube-apiserver's: where node ports the input leaves out come from (default 30000-32767)")
    .option('--nodes <names>', 'the nodes that pods made up from workloads run on, comma-separated (default: --hostname-override, else node-1)', list)
    .option('--keep-missing-node-ports', 'use Services that have a cluster IP as they are: no node port or health-check node port is added (objects no API server admitted, e.g. kube-proxy\'s unit tests)', false)
    .option('--strict', 'treat warnings (objects kube-proxy would skip) as errors', false)
    .option('-q, --quiet', 'print no notes or warnings', false)
    .option('-v, --verbose', 'also note the Services kube-proxy writes nothing for by design (headless, ExternalName)', false);
}

/** Reading a live cluster instead of (or besides) files. */
export function addClusterOptions(cmd: Command): Command {
  return cmd
    .option('--from-cluster', 'read Services and EndpointSlices from the cluster kubectl would use (files given too override same-named objects)', false)
    .option('--kubeconfig <path>', 'kubeconfig file to use (instead of KUBECONFIG or ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context to use (instead of current-context)')
    .option('-n, --namespace <ns>', "only this namespace's Services (with --from-cluster, read only it); repeatable", list)
    .option('--node <name>', "read this Node: its name, IPs, pod CIDRs and zone fill --hostname-override, --node-ip, --pod-cidr, --node-zone unless given")
    .option('--save-manifests <dir>', 'write the input to DIR/input.yaml as completed (allocated IPs and ports, made EndpointSlices); with --from-cluster what was read (and flags.txt), for offline replay')
    .option('--request-timeout <duration>', 'give up on an API request after this long (e.g. 10s, 1m; 0 = never)', DEFAULT_REQUEST_TIMEOUT);
}

/** A command's flag values, by commander's attribute name, and whether the command line gave each. */
interface ParsedFlags {
  given: (key: string) => boolean;
  text: (key: string) => string;
  texts: (key: string) => string[];
}

function parsedFlags(cmd: Command): ParsedFlags {
  const values = cmd.opts();
  return {
    given: (key) => cmd.getOptionValueSource(key) === 'cli',
    text: (key) => String(values[key]),
    texts: (key) => (Array.isArray(values[key]) ? (values[key] as string[]) : []),
  };
}

/** Commander's parsed cluster flags → ClusterOptions (undefined without --from-cluster). */
export function readClusterOptions(cmd: Command): ClusterOptions | undefined {
  const { given, text, texts } = parsedFlags(cmd);
  // -n without --from-cluster narrows the output only (readSelection); with it, also the reads.
  const needs = (['kubeconfig', 'context', 'node'] as const).find(given);
  if (!given('fromCluster') && needs !== undefined) {
    const flag = `--${needs}`;
    throw new UsageError(`${flag} needs --from-cluster`, 'add --from-cluster to read a live cluster');
  }
  const timeout = flagValue('--request-timeout', text('requestTimeout'), readDuration);
  if (!given('fromCluster')) return undefined;
  const o: ClusterOptions = { namespaces: flagValue('--namespace', texts('namespace'), readNamespaceNames), requestTimeoutMs: timeout };
  if (given('kubeconfig')) o.kubeconfig = text('kubeconfig');
  if (given('context')) o.context = text('context');
  if (given('node')) o.node = flagValue('--node', text('node'), readNodeName);
  if (given('saveManifests')) o.saveManifests = text('saveManifests');
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
 * A command's parsed generation flags (from addGenerationOptions) → RunOptions, every value
 * checked. With --config, the KubeProxyConfiguration fills what the command line did not set
 * (its values are checked the same way, by load/kube-proxy-config.ts).
 */
export function readGenerationOptions(paths: string[], cmd: Command): RunOptions {
  const { given, text, texts } = parsedFlags(cmd);
  const o = defaultRunOptions();
  o.paths = paths;
  if (given('hostnameOverride')) o.hostnameOverride = text('hostnameOverride');
  if (given('nodeIp')) o.nodeIPs = flagItems('--node-ip', texts('nodeIp'), readIP);
  if (given('nodeAddresses')) o.nodeAddresses = flagItems('--node-addresses', texts('nodeAddresses'), readIP);
  if (given('clusterCidr')) o.clusterCIDRs = flagItems('--cluster-cidr', texts('clusterCidr'), readCIDR);
  if (given('detectLocalMode')) o.detectLocalMode = flagValue('--detect-local-mode', text('detectLocalMode'), readChoice(DETECT_LOCAL_MODES));
  if (given('podCidr')) o.podCIDRs = flagItems('--pod-cidr', texts('podCidr'), readCIDR);
  if (given('podBridgeInterface')) o.podBridgeInterface = flagValue('--pod-bridge-interface', text('podBridgeInterface'), readInterfaceName);
  if (given('podInterfaceNamePrefix')) {
    o.podInterfaceNamePrefix = flagValue('--pod-interface-name-prefix', text('podInterfaceNamePrefix'), readInterfacePrefix);
  }
  o.masqueradeAll = given('masqueradeAll');
  if (given('iptablesMasqueradeBit')) o.masqueradeBit = flagValue('--iptables-masquerade-bit', text('iptablesMasqueradeBit'), readMasqueradeBit);
  if (given('iptablesMasqueradeMark')) o.masqueradeMark = flagValue('--iptables-masquerade-mark', text('iptablesMasqueradeMark'), readMasqueradeMark);
  if (given('nodeportAddresses')) o.nodePortAddresses = flagValue('--nodeport-addresses', texts('nodeportAddresses'), readNodePortAddresses);
  o.localhostNodePorts = !given('localhostNodeports');
  if (given('ipFamily')) o.ipFamily = flagValue('--ip-family', text('ipFamily'), readChoice(IP_FAMILIES));
  if (given('iptablesVersion')) {
    flagValue('--iptables-version', text('iptablesVersion'), readIptablesVersion);
    o.iptablesVersion = text('iptablesVersion');
  }
  if (given('nfacctCounters')) o.nfacctCounters = flagValue('--nfacct-counters', texts('nfacctCounters'), readNfacctCounters);
  o.conntrackTCPBeLiberal = given('conntrackTcpBeLiberal');
  if (given('nodeZone')) o.nodeZone = text('nodeZone');
  if (given('featureGates')) o.featureGates = flagValue('--feature-gates', texts('featureGates'), readFeatureGates);
  if (given('kubeProxyVersion')) o.kubeProxyVersion = kubeProxyVersion(text('kubeProxyVersion'));
  o.includeJumps = given('includeJumps');
  if (given('serviceClusterIpRange')) {
    o.serviceClusterIPRange = flagValue('--service-cluster-ip-range', texts('serviceClusterIpRange'), readServiceClusterIPRange);
  }
  if (given('serviceNodePortRange')) o.serviceNodePortRange = flagValue('--service-node-port-range', text('serviceNodePortRange'), readPortRange);
  if (given('nodes')) o.nodes = flagValue('--nodes', texts('nodes'), readNodeNames);
  o.keepMissingNodePorts = given('keepMissingNodePorts');
  if (given('saveManifests') && !given('fromCluster')) o.saveManifests = text('saveManifests');
  o.strict = given('strict');
  o.quiet = given('quiet');
  o.verbose = given('verbose');
  if (given('config')) {
    applyKubeProxyConfig(o, text('config'), (k) => given(CONFIG_FLAG_KEYS[k]));
  }
  return o;
}

/** `--color auto|always|never` (color.ts), on every command: colour stdout and stderr or not. */
export function colorOption(): Option {
  return choiceOption('--color <when>', 'colour the output and messages: auto (a terminal, unless NO_COLOR is set), always or never', COLOR_CHOICES).default('auto');
}

/**
 * `--service NS/NAME[:PORT]` (repeatable) and, unless the command has it already (the main
 * command's cluster flags), `-n/--namespace NS`: narrow the command to those Services
 * (views/select.ts).
 */
export function addSelectionOptions(cmd: Command, withNamespace = true): Command {
  cmd.option('--service <ns/name[:port]>', 'only this Service (or one port of it, by name or number); repeatable', collectValues);
  if (withNamespace) cmd.option('-n, --namespace <ns>', "only this namespace's Services; repeatable", list);
  return cmd;
}

function collectValues(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** --service and -n → a Selection; undefined when neither is given. A malformed --service is a UserError. */
export function readSelection(cmd: Command): Selection | undefined {
  const { given, texts } = parsedFlags(cmd);
  if (!given('service') && !given('namespace')) return undefined;
  const services = texts('service').map((text) => {
    try {
      return parseServiceSelector(text);
    } catch (e) {
      if (e instanceof SelectionError) throw new UserError(`--service: ${e.message}`, 'write NAMESPACE/NAME or NAMESPACE/NAME:PORT, e.g. default/web:http');
      throw e;
    }
  });
  return { services, namespaces: flagValue('--namespace', texts('namespace'), readNamespaceNames) };
}
