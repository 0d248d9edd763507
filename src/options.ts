/**
 * RunOptions: everything the command line says, as plain typed data. The CLI (cli.ts) builds
 * it; run.ts consumes it. Values are still text where checking them belongs to config.ts.
 */
export type OutputFormat = 'restore' | 'save';
export type SaveBackend = 'nft' | 'legacy';
export const DEFAULT_SAVE_BACKEND: SaveBackend = 'nft';

export type DetectLocalMode = 'ClusterCIDR' | 'NodeCIDR' | 'BridgeInterface' | 'InterfaceNamePrefix';

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
  /** Literal mark text, overriding the bit's rendering. */
  masqueradeMark?: string;
  /** --nodeport-addresses entries (CIDRs, or the single keyword `primary`). */
  nodePortAddresses: string[];
  /** false with --no-localhost-nodeports. */
  localhostNodePorts: boolean;
  ipFamily: 'ipv4' | 'ipv6';
  /** The target node's iptables version, e.g. `1.8.9`. */
  iptablesVersion: string;
  /** nfacct counter names that exist on the node. */
  nfacctCounters: string[];
  conntrackTCPBeLiberal: boolean;
  nodeZone?: string;
  /** --feature-gates, parsed into name → enabled. */
  featureGates: Record<string, boolean>;
  /** Also declare the built-in chains and add kube-proxy's jump rules. */
  includeJumps: boolean;
  /** `restore`: what kube-proxy writes; `save`: what iptables-save prints back (emit/save-output.ts). */
  format: OutputFormat;
  /** --save-backend: whose iptables-save `--format save` imitates; undefined when not given. */
  saveBackend?: SaveBackend;
  /** -o: write here atomically instead of stdout. */
  output?: string;
  strict: boolean;
  quiet: boolean;
  /** --from-cluster and its flags; undefined when reading files only. */
  cluster?: ClusterOptions;
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
    strict: false,
    quiet: false,
  };
}
