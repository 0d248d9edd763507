/**
 * RunOptions: everything the command line says, as plain typed data, and the readers that
 * decide which values each option takes. The flags (flags.ts) and a KubeProxyConfiguration
 * (load/kube-proxy-config.ts) go through the same readers when they are read, so a value is
 * checked once, with the same words whichever way it came, and what run.ts and config.ts get
 * is valid. Some values stay text (addresses, the mark) because they are written or shown as
 * given.
 */
import type { Selection } from './views/select.js';
import { allocatableAddresses, type PortRange } from './complete/ranges.js';
import { parseUint32, ValueError } from './iptables/values.js';
import { parseCIDR, parseIP, type CIDR, type IP } from './model/ip.js';
import { parseRelease, ReleaseError, type Release } from './plan/releases/release.js';
import { NFACCT_CT_STATE_INVALID, NFACCT_LOCALHOST_NODEPORTS } from './model/types.js';
import { dns1123Label, dns1123Subdomain } from './load/names.js';

export const OUTPUT_FORMATS = ['restore', 'save'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];
export const SAVE_BACKENDS = ['nft', 'legacy'] as const;
export type SaveBackend = (typeof SAVE_BACKENDS)[number];
export const DEFAULT_SAVE_BACKEND: SaveBackend = 'nft';

export const DETECT_LOCAL_MODES = ['ClusterCIDR', 'NodeCIDR', 'BridgeInterface', 'InterfaceNamePrefix'] as const;
export type DetectLocalMode = (typeof DETECT_LOCAL_MODES)[number];
export const IP_FAMILIES = ['ipv4', 'ipv6'] as const;

export interface RunOptions {
  /** Files, directories, or `-` for stdin. */
  paths: string[];
  /** This node's name (kube-proxy's --hostname-override). */
  hostnameOverride?: string;
  /** --node-ip, repeatable or comma-separated. */
  nodeIPs: string[];
  /** --node-addresses: all IPs on the node's interfaces; defaults to nodeIPs. */
  nodeAddresses?: string[];
  clusterCIDRs: string[];
  detectLocalMode: DetectLocalMode;
  podCIDRs: string[];
  podBridgeInterface?: string;
  podInterfaceNamePrefix?: string;
  masqueradeAll: boolean;
  /** 0–31, default 14. */
  masqueradeBit: number;
  /** Literal mark text, overriding the bit's rendering: a 32-bit number as iptables reads it, kept as written. */
  masqueradeMark?: string;
  /** --nodeport-addresses entries (CIDRs, or the single keyword `primary`). */
  nodePortAddresses: string[];
  /** false with --no-localhost-nodeports. */
  localhostNodePorts: boolean;
  ipFamily: (typeof IP_FAMILIES)[number];
  /** The target node's iptables version, e.g. `1.8.9` (readIptablesVersion reads it). */
  iptablesVersion: string;
  /** nfacct counter names that exist on the node. */
  nfacctCounters: string[];
  conntrackTCPBeLiberal: boolean;
  nodeZone?: string;
  /** --feature-gates, parsed into name → enabled. */
  featureGates: Record<string, boolean>;
  /** --kube-proxy-version as given (readKubeProxyVersion reads it); undefined: the newest. */
  kubeProxyVersion?: string;
  /** Also declare the built-in chains and add kube-proxy's jump rules. */
  includeJumps: boolean;
  /** `restore`: what kube-proxy writes; `save`: what iptables-save prints back (emit/save-output.ts). */
  format: OutputFormat;
  /** --save-backend: whose iptables-save `--format save` imitates; undefined when not given. */
  saveBackend?: SaveBackend;
  /** -o: write here atomically instead of stdout. */
  output?: string;
  /** kube-apiserver's --service-cluster-ip-range: where Services without a cluster IP get theirs (primary family first). */
  serviceClusterIPRange: CIDR[];
  /** kube-apiserver's --service-node-port-range: where node ports the input leaves out come from. */
  serviceNodePortRange: PortRange;
  /** --nodes: the nodes pods made up from workloads run on; empty: --hostname-override, else `node-1`. */
  nodes: string[];
  /**
   * --keep-missing-node-ports: Services that have a cluster IP are used as they are, node ports
   * missing or not (objects no API server admitted, such as kube-proxy's unit-test Services).
   */
  keepMissingNodePorts: boolean;
  /**
   * --save-manifests DIR without --from-cluster: write the input as completed to DIR/input.yaml
   * (with --from-cluster, ClusterOptions.saveManifests: what was read).
   */
  saveManifests?: string;
  strict: boolean;
  quiet: boolean;
  /** -v: also print the notes about Services kube-proxy skips by design (headless, ExternalName). */
  verbose: boolean;
  /** --from-cluster and its flags; undefined when reading files only. */
  cluster?: ClusterOptions;
  /** --service and -n: write only these Services' rules (views/select.ts); undefined: all. */
  select?: Selection;
}

/** Where and how to read a live cluster (README "From a live cluster"). */
export interface ClusterOptions {
  /** --kubeconfig: the only kubeconfig file to read. */
  kubeconfig?: string;
  /** --context: the kubeconfig context to use instead of current-context. */
  context?: string;
  /** -n/--namespace, repeatable; empty = all namespaces. */
  namespaces: string[];
  /** --node: read this Node for the node's settings. */
  node?: string;
  /** --save-manifests: write what was read here. */
  saveManifests?: string;
  /** --request-timeout, in milliseconds; 0 = none. */
  requestTimeoutMs: number;
  /** `limit` of each list request (tests use small pages). */
  pageSize?: number;
}

export const DEFAULT_REQUEST_TIMEOUT = '30s';

export const DEFAULT_IPTABLES_VERSION = '1.8.9';
/** kubeadm's default (kube-apiserver's own is 10.0.0.0/24). */
export const DEFAULT_SERVICE_CLUSTER_IP_RANGE = '10.96.0.0/12';
export const DEFAULT_SERVICE_NODE_PORT_RANGE = '30000-32767';
export const DEFAULT_MASQUERADE_BIT = 14;

export function defaultRunOptions(): RunOptions {
  return {
    paths: [],
    nodeIPs: [],
    clusterCIDRs: [],
    detectLocalMode: 'ClusterCIDR',
    podCIDRs: [],
    masqueradeAll: false,
    masqueradeBit: DEFAULT_MASQUERADE_BIT,
    nodePortAddresses: [],
    localhostNodePorts: true,
    ipFamily: 'ipv4',
    iptablesVersion: DEFAULT_IPTABLES_VERSION,
    nfacctCounters: ['ct_state_invalid_dropped_pkts', 'localhost_nps_accepted_pkts'],
    conntrackTCPBeLiberal: false,
    featureGates: {},
    includeJumps: false,
    format: 'restore',
    serviceClusterIPRange: readServiceClusterIPRange([DEFAULT_SERVICE_CLUSTER_IP_RANGE]),
    serviceNodePortRange: readPortRange(DEFAULT_SERVICE_NODE_PORT_RANGE),
    nodes: [],
    keepMissingNodePorts: false,
    strict: false,
    quiet: false,
    verbose: false,
  };
}

/**
 * A value an option cannot take. The message says what the value is not (`"foo" is not a
 * CIDR`); whoever read it puts the flag or the configuration field in front.
 */
export class OptionValueError extends Error {
  override readonly name = 'OptionValueError';
}

function not(value: unknown, what: string): never {
  throw new OptionValueError(`${JSON.stringify(value)} is not ${what}`);
}

/** `a, b or c`. */
function alternatives(values: readonly string[]): string {
  return values.length < 2 ? values.join('') : `${values.slice(0, -1).join(', ')} or ${values.at(-1)!}`;
}

/** One of `choices`, exactly (as kube-proxy compares its modes). */
export function readChoice<T extends string>(choices: readonly T[]): (text: string) => T {
  return (text) => ((choices as readonly string[]).includes(text) ? (text as T) : not(text, alternatives(choices)));
}

/** An IP address, as Go's ParseIPSloppy reads one (kube-proxy's reading of its flags). */
export function readIP(text: string): IP {
  return parseIP(text) ?? not(text, 'an IP address');
}

/** A CIDR, as Go's ParseCIDRSloppy reads one. */
export function readCIDR(text: string): CIDR {
  return parseCIDR(text) ?? not(text, 'a CIDR');
}

/** --iptables-masquerade-bit, iptables.masqueradeBit: the fwmark bit, 0–31 as kube-proxy's validation says. */
export function readMasqueradeBit(value: string | number): number {
  const n = typeof value === 'number' ? value : /^[0-9]+$/.test(value) ? Number(value) : Number.NaN;
  return Number.isInteger(n) && n >= 0 && n <= 31 ? n : not(value, 'an integer between 0 and 31');
}

/**
 * --iptables-masquerade-mark: one 32-bit number as iptables reads a mark (strtoul with base 0:
 * `16384`, `0x4000` and `040000` are the same mark). Kept as written: kube-proxy writes its
 * mark text into the rules as it is, and so does kp-gen.
 */
export function readMasqueradeMark(text: string): string {
  try {
    parseUint32(text);
  } catch (e) {
    if (e instanceof ValueError) throw new OptionValueError(e.message);
    throw e;
  }
  return text;
}

/** An iptables version: `1.8.9`, `v1.8.9`, or `1.8` (patch 0). */
export function readIptablesVersion(text: string): [number, number, number] {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) return not(text, 'a version like 1.8.9');
  return [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
}

/**
 * --kube-proxy-version: a release kp-gen models, `1.28`, `v1.28` or `1.28.3`. An unknown or
 * unmodelled one is refused with the range kp-gen models (the flag's reader makes that a usage
 * error).
 */
export function readKubeProxyVersion(text: string): Release {
  try {
    return parseRelease(text);
  } catch (e) {
    if (e instanceof ReleaseError) throw new OptionValueError(e.message);
    throw e;
  }
}

/** A kubectl-style duration (`30s`, `1m`, `500ms`, `1.5h`; a bare number is seconds), in milliseconds. */
export function readDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text);
  if (!m) return not(text, 'a duration like 30s or 1m');
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? 's'] ?? 1000;
  const ms = Math.round(Number(m[1]) * unit);
  // Node's timers hold at most 2^31-1 ms (24.8 days); a longer one would fire at once.
  if (ms > MAX_DURATION_MS) return not(text, 'a duration of at most 24 days (596h)');
  return ms;
}

/** The longest timer Node keeps: 2^31-1 ms. */
const MAX_DURATION_MS = 2 ** 31 - 1;

/** --nodes: node names, as the API server checks them (DNS-1123 subdomains). */
export function readNodeNames(entries: readonly string[]): string[] {
  const names = [...new Set(entries.map((n) => n.trim()).filter((n) => n !== ''))];
  for (const n of names) if (dns1123Subdomain(n) !== undefined) not(n, 'a node name (lower-case letters, digits, - and ., at most 253)');
  return names;
}

/** --node: one node name, as the API server checks it (a DNS-1123 subdomain). */
export function readNodeName(text: string): string {
  if (dns1123Subdomain(text) !== undefined) not(text, 'a node name (lower-case letters, digits, - and ., at most 253)');
  return text;
}

/** -n/--namespace: namespace names, as the API server checks them (DNS-1123 labels); duplicates once. */
export function readNamespaceNames(entries: readonly string[]): string[] {
  const names = [...new Set(entries)];
  for (const n of names) if (dns1123Label(n) !== undefined) not(n, 'a namespace name (lower-case letters, digits and -, at most 63)');
  return names;
}

/** IFNAMSIZ: a Linux interface name and its NUL. */
const IFNAMSIZ = 16;

/**
 * What the kernel accepts as an interface name (dev_valid_name): 1 to 15 bytes, not `.` or
 * `..`, no whitespace, `/` or `:`. Quotes and backslashes are refused too: iptables-restore
 * would read them as quoting, not as part of the name; and control characters, which the
 * kernel takes but no real interface has, and which would reach the terminal in messages.
 */
function isInterfaceName(text: string, maxBytes: number): boolean {
  const bytes = Buffer.byteLength(text);
  return bytes >= 1 && bytes <= maxBytes && text !== '.' && text !== '..' && !/[\s/:"'\\\x00-\x1f\x7f]/.test(text);
}

/** --pod-bridge-interface, --in-interface, …: an interface name as `-i NAME` matches it. */
export function readInterfaceName(text: string): string {
  return isInterfaceName(text, IFNAMSIZ - 1) ? text : not(text, 'an interface name (1 to 15 characters; no spaces, quotes, slashes or colons)');
}

/** --pod-interface-name-prefix: written as `-i PREFIX+`, so the `+` must fit too. */
export function readInterfacePrefix(text: string): string {
  return isInterfaceName(text, IFNAMSIZ - 2) ? text : not(text, 'an interface name prefix (1 to 14 characters; no spaces, quotes, slashes or colons)');
}

/**
 * --nodeport-addresses, nodePortAddresses: CIDRs of either family (those of the other family
 * are ignored later), or `primary` alone.
 */
export function readNodePortAddresses(entries: readonly string[]): string[] {
  if (entries.length === 1 && entries[0] === 'primary') return ['primary'];
  for (const e of entries) {
    if (e === 'primary') throw new OptionValueError('"primary" cannot be combined with CIDRs');
    readCIDR(e);
  }
  return [...entries];
}

/**
 * --service-cluster-ip-range: one CIDR, or two of different IP families, the primary first (as
 * kube-apiserver reads its flag). An IPv6 CIDR must be /64 or longer (the API server's IP
 * allocator refuses larger ones), and each must have an address to allocate.
 */
export function readServiceClusterIPRange(entries: readonly string[]): CIDR[] {
  const cidrs = entries.map(readCIDR);
  if (cidrs.length === 0 || cidrs.length > 2 || (cidrs.length === 2 && cidrs[0]!.ip.family === cidrs[1]!.ip.family)) {
    return not(entries.join(','), 'one CIDR, or two of different IP families');
  }
  cidrs.forEach((c, i) => {
    if (c.ip.family === 6 && c.prefix < 64) not(entries[i], 'an IPv6 CIDR of /64 or longer');
    if (allocatableAddresses(c) === 0n) not(entries[i], 'a CIDR with an address to allocate');
  });
  return cidrs;
}

/**
 * --service-node-port-range: `A-B`, `A+N` (A to A+N) or one port, as kube-apiserver reads it
 * (ParsePortRange), within 1-65535.
 */
export function readPortRange(text: string): PortRange {
  const m = /^([0-9]{1,5})(?:([-+])([0-9]{1,5}))?$/.exec(text.trim());
  const first = m ? Number(m[1]) : 0;
  const last = !m ? 0 : m[2] === '-' ? Number(m[3]) : m[2] === '+' ? first + Number(m[3]) : first;
  if (first < 1 || last > 65535 || last < first) return not(text, 'a port range like 30000-32767 (A-B, A+N or one port, within 1-65535)');
  return { first, last };
}

/** The nfacct counters kube-proxy's rules count in (pkg/proxy/metrics). */
export const NFACCT_COUNTERS: readonly string[] = [NFACCT_CT_STATE_INVALID, NFACCT_LOCALHOST_NODEPORTS];

/** --nfacct-counters: some of kube-proxy's counters, or `none`. */
export function readNfacctCounters(entries: readonly string[]): string[] {
  if (entries.length === 1 && entries[0] === 'none') return [];
  for (const e of entries) if (!NFACCT_COUNTERS.includes(e)) not(e, alternatives([...NFACCT_COUNTERS, 'none']));
  return [...entries];
}

/** --feature-gates items, `Name=true|false` (any case), into name → enabled; a later item wins. */
export function readFeatureGates(items: readonly string[]): Record<string, boolean> {
  const gates: Record<string, boolean> = {};
  for (const item of items) {
    const m = /^([A-Za-z0-9]+)=(true|false)$/i.exec(item);
    if (!m) return not(item, 'Name=true or Name=false');
    gates[m[1]!] = m[2]!.toLowerCase() === 'true';
  }
  return gates;
}

/** A decimal integer. */
export function readInteger(text: string): number {
  return /^-?[0-9]+$/.test(text) ? Number.parseInt(text, 10) : not(text, 'an integer');
}

/** A TCP/UDP/SCTP port, 0–65535. */
export function readPort(text: string): number {
  const n = /^[0-9]{1,5}$/.test(text) ? Number(text) : -1;
  return n >= 0 && n <= 65535 ? n : not(text, 'a port (0-65535)');
}
