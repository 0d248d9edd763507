/**
 * The domain, as kube-proxy's iptables proxier sees it after reading Services and
 * EndpointSlices (pkg/proxy/serviceport.go, pkg/proxy/endpoint.go). Data only.
 */
import type { CIDR, IP, IPFamily } from './ip.js';
import type { Release } from '../plan/releases/release.js';
import type { ReleaseFeatures } from '../plan/releases/features.js';

export type Protocol = 'TCP' | 'UDP' | 'SCTP';

/** One entry of a Service's `spec.ports`, for the proxier's IP family (BaseServicePortInfo). */
export interface ServicePort {
  namespace: string;
  /** The Service's name. */
  service: string;
  /** `spec.ports[].name`; may be empty for a single unnamed port. */
  portName: string;
  protocol: Protocol;
  /**
   * kube-proxy's ServicePortName string: `namespace/name`, plus `:portName` when the port
   * has a name. Used in comments and chain-name hashes.
   */
  nameString: string;
  /** The cluster IP of the proxier's family, canonical text. */
  clusterIP: string;
  port: number;
  /** 0 when the port has no node port. */
  nodePort: number;
  /** `spec.externalIPs` of this family, canonical, spec order. */
  externalIPs: string[];
  /** `status.loadBalancer.ingress[].ip` of this family with ipMode VIP (or unset), status order. */
  loadBalancerVIPs: string[];
  /** `spec.loadBalancerSourceRanges` of this family, trimmed and masked, spec order. */
  loadBalancerSourceRanges: CIDR[];
  /**
   * The same ranges as a release before 1.30 writes them (trimmed, not masked); undefined
   * when they are written masked (plan/releases/features.ts serviceAddressesCanonical).
   */
  loadBalancerSourceRangeTexts?: string[];
  /** 0 unless `sessionAffinity: ClientIP`; then the affinity timeout in seconds. */
  stickyMaxAgeSeconds: number;
  /** Externally accessible by type and `externalTrafficPolicy: Local`. */
  externalPolicyLocal: boolean;
  /** `internalTrafficPolicy: Local`. */
  internalPolicyLocal: boolean;
  /** Non-zero only for type LoadBalancer with externalPolicyLocal. */
  healthCheckNodePort: number;
  /**
   * The Service's topology annotation (`service.kubernetes.io/topology-aware-hints` if present,
   * else `service.kubernetes.io/topology-mode`, which releases before 1.27 do not read), which
   * releases before 1.31 require for hints;
   * undefined or empty when not set.
   */
  hintsAnnotation?: string;
}

/** One endpoint of one service port (BaseEndpointInfo). */
export interface Endpoint {
  /** Canonical IP text. */
  ip: string;
  port: number;
  /** `ip:port`, IPv6 bracketed: the key, the sort order and part of the SEP hash. */
  endpoint: string;
  /** `nodeName` equals this node's name. */
  isLocal: boolean;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
  /** `hints.forZones[].name`, or undefined when the endpoint has no zone hints. */
  zoneHints?: ReadonlySet<string>;
  /** `hints.forNodes[].name` (read only with PreferSameTrafficDistribution). */
  nodeHints?: ReadonlySet<string>;
}

/** A service port with the endpoints of its slices, deduplicated and sorted by `endpoint`. */
export interface ServicePortWithEndpoints {
  svcPort: ServicePort;
  endpoints: Endpoint[];
}

/**
 * How the proxier tells pod traffic from other traffic (pkg/proxy/util/localdetector.go): by
 * source address (ClusterCIDR, NodeCIDR), by input interface (BridgeInterface; a name ending
 * in `+` for InterfaceNamePrefix), or not at all (no CIDR of the proxier's family).
 */
export type LocalTrafficDetector =
  | { kind: 'none' }
  | { kind: 'source'; cidr: string }
  | { kind: 'interface'; name: string };

/** Everything about the node and kube-proxy's configuration that shapes the rules. */
export interface ProxierConfig {
  ipFamily: IPFamily;
  /** Lower-cased node name; empty means no endpoint is local. */
  nodeName: string;
  /** The node's primary IP of this family, if known. */
  nodeIP: IP | null;
  /** Every address on the node's interfaces (for --nodeport-addresses), in the user's order. */
  nodeAddresses: IP[];
  /** The node's `topology.kubernetes.io/zone` label, or empty. */
  nodeZone: string;
  masqueradeAll: boolean;
  /** The mark as kube-proxy prints it, e.g. `0x00004000`. */
  masqueradeMark: string;
  localDetector: LocalTrafficDetector;
  /** True when NodePorts are reachable on 127.0.0.0/8 (IPv4 only). */
  localhostNodePorts: boolean;
  /** Parsed --nodeport-addresses of this family; empty means match all. */
  nodePortAddresses: CIDR[];
  /** iptables ≥ 1.6.2: MASQUERADE gets `--random-fully`. */
  hasRandomFully: boolean;
  /** nfacct counters that exist on the node. */
  nfacctCounters: ReadonlySet<string>;
  /** nf_conntrack_tcp_be_liberal is set: no INVALID drop rule. */
  conntrackTCPLiberal: boolean;
  /** Feature gate PreferSameTrafficDistribution (node hints). */
  preferSameTrafficDistribution: boolean;
  /** The kube-proxy release whose rules are written (--kube-proxy-version). */
  release: Release;
  /** What that release does, resolved from plan/releases/features.ts with the feature gates. */
  features: ReleaseFeatures;
}

export const NFACCT_CT_STATE_INVALID = 'ct_state_invalid_dropped_pkts';
export const NFACCT_LOCALHOST_NODEPORTS = 'localhost_nps_accepted_pkts';
