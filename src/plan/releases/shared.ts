/**
 * What the planners of the older eras (e2-1.10, e6-1.19, e7-1.22, e8-1.24) write the same way: the
 * fixed chains and rules around the per-service loop, the words of a rule, and the helpers
 * whose output depends on the release only through a switch of features.ts (the probability
 * text, the endpoint-rule comment, /32 or bare addresses). The newest era (plan/planner.ts)
 * keeps its own copy of the fixed rules: its output is the reference and must not move.
 */
import type { ProxierConfig, ServicePortWithEndpoints } from '../../model/types.js';
import { formatIP } from '../../model/ip.js';
import { matchAll, nodeIPsForNodePorts } from '../../model/nodeport-addresses.js';
import { KUBE_FORWARD, KUBE_MARK_MASQ, KUBE_NODEPORTS, KUBE_POSTROUTING, KUBE_SERVICES } from '../chain-names.js';
import { header, jump, match, notOption, option, rule, type Arg, type Target } from '../../iptables/rule.js';
import { probabilityWithDigits } from '../probability.js';
import { KUBE_MARK_DROP, writeJumpRules } from '../jumps.js';
import { kubeletChainsIncluded, writeKubeletChains } from './kubelet.js';

export { KUBE_MARK_DROP };
import { TableBuilder, type Ruleset } from '../ruleset.js';
import type { PlanOptions } from '../planner.js';

/** kube-proxy's endpointChainsNumberThreshold (largeClusterEndpointsThreshold from 1.2x). */
export const ENDPOINT_CHAINS_NUMBER_THRESHOLD = 1000;

export const XLB_PREFIX = 'KUBE-XLB-';

export const MARK_MASQ: Target = jump(KUBE_MARK_MASQ);
export const MARK_DROP: Target = jump(KUBE_MARK_DROP);
export const NO_ARGS: readonly Arg[] = [];
export const TO_LOCAL_ADDRESS: readonly Arg[] = [match('addrtype'), option('--dst-type', 'LOCAL')];
export const FROM_LOCAL_ADDRESS: readonly Arg[] = [match('addrtype'), option('--src-type', 'LOCAL')];

const NODEPORTS_TAIL_COMMENT = 'kubernetes service nodeports; NOTE: this must be the last rule in this chain';

/** `-m PROTO -p PROTO`, as kube-proxy writes it before a port. */
export function protocolWords(protocol: string): Arg[] {
  return [match(protocol), header('-p', protocol)];
}

/**
 * Large-cluster mode: more endpoint chains than the threshold, counted as kube-proxy counts
 * them (every endpoint of every service port, ready or not).
 */
export function largeClusterMode(ports: readonly ServicePortWithEndpoints[]): boolean {
  let n = 0;
  for (const p of ports) n += p.endpoints.length;
  return n > ENDPOINT_CHAINS_NUMBER_THRESHOLD;
}

/**
 * appendServiceCommentLocked: the comment of KUBE-SVC dispatch, affinity and KUBE-SEP rules —
 * none in large-cluster mode, and none at all in the releases whose helper's result was
 * discarded (features.ts serviceCommentHelperFixed).
 */
export function serviceComment(cfg: ProxierConfig, large: boolean, svcNameString: string): string | undefined {
  if (!cfg.features.serviceCommentHelperFixed || large) return undefined;
  return svcNameString;
}

/** A service or endpoint address as `-d`/`-s` takes it: bare, or utilproxy.ToCIDR's /32 (/128). */
export function addressArg(cfg: ProxierConfig, ip: string): string {
  if (cfg.features.bareServiceAddresses) return ip;
  return ip.includes(':') ? `${ip}/128` : `${ip}/32`;
}

/** `-m statistic --mode random --probability 1/n`. */
export function randomChoice(cfg: ProxierConfig, n: number): Arg[] {
  return [match('statistic'), option('--mode', 'random'), option('--probability', probabilityWithDigits(n, cfg.features.probabilityTenDigits ? 10 : 5))];
}

/** KUBE-POSTROUTING and KUBE-MARK-MASQ: the three-rule form of PR #92035 (1.19). */
export function writeMasqueradeChains(nat: TableBuilder, cfg: ProxierConfig): void {
  const mark = cfg.masqueradeMark;
  nat.append(KUBE_POSTROUTING, rule(undefined, [match('mark'), notOption('--mark', `${mark}/${mark}`)], jump('RETURN')));
  nat.append(KUBE_POSTROUTING, rule(undefined, [], jump('MARK', [option('--xor-mark', mark)])));
  nat.append(KUBE_POSTROUTING, rule('kubernetes service traffic requiring SNAT', [],
    cfg.hasRandomFully ? jump('MASQUERADE', [option('--random-fully')]) : jump('MASQUERADE')));
  nat.append(KUBE_MARK_MASQ, rule(undefined, [], jump('MARK', [option('--or-mark', mark)])));
}

/**
 * The tail of KUBE-SERVICES: the jump to KUBE-NODEPORTS, for every local address or one per
 * node address of --nodeport-addresses. No loopback exclusion before 1.26.
 */
export function writeNodePortsJumps(nat: TableBuilder, cfg: ProxierConfig): void {
  if (matchAll(cfg.nodePortAddresses)) {
    nat.append(KUBE_SERVICES, rule(NODEPORTS_TAIL_COMMENT, [...TO_LOCAL_ADDRESS], jump(KUBE_NODEPORTS)));
    return;
  }
  for (const ip of nodeIPsForNodePorts(cfg.nodePortAddresses, cfg.nodeAddresses, cfg.ipFamily)) {
    nat.append(KUBE_SERVICES, rule(NODEPORTS_TAIL_COMMENT, [header('-d', formatIP(ip))], jump(KUBE_NODEPORTS)));
  }
}

/** The node has an address for NodePorts (GetNodeAddresses gave something). */
export function hasNodePortAddresses(cfg: ProxierConfig): boolean {
  return matchAll(cfg.nodePortAddresses) || nodeIPsForNodePorts(cfg.nodePortAddresses, cfg.nodeAddresses, cfg.ipFamily).length > 0;
}

/** KUBE-FORWARD: INVALID drop, the mark ACCEPT, then the conntrack rule(s). */
export function writeForwardChain(filter: TableBuilder, cfg: ProxierConfig): void {
  const mark = cfg.masqueradeMark;
  filter.append(KUBE_FORWARD, rule(undefined, [match('conntrack'), option('--ctstate', 'INVALID')], jump('DROP')));
  filter.append(KUBE_FORWARD, rule('kubernetes forwarding rules', [match('mark'), option('--mark', `${mark}/${mark}`)], jump('ACCEPT')));
  const established: Arg[] = [match('conntrack'), option('--ctstate', 'RELATED,ESTABLISHED')];
  if (cfg.features.singleForwardConntrackRule) {
    filter.append(KUBE_FORWARD, rule('kubernetes forwarding conntrack rule', established, jump('ACCEPT')));
  } else {
    filter.append(KUBE_FORWARD, rule('kubernetes forwarding conntrack pod source rule', established, jump('ACCEPT')));
    filter.append(KUBE_FORWARD, rule('kubernetes forwarding conntrack pod destination rule', established, jump('ACCEPT')));
  }
}

/**
 * --include-jumps for the eras before 1.25: kube-proxy's jumps (no KUBE-PROXY-FIREWALL; the
 * filter KUBE-NODEPORTS jump only where that chain exists), the KUBE-MARK-DROP chain kube-proxy
 * ensures, and kubelet's chains (plan/releases/kubelet.ts).
 */
export function writeOlderJumps(filter: TableBuilder, nat: TableBuilder, cfg: ProxierConfig): void {
  writeJumpRules(filter, nat, {
    kubeletFirewall: false,
    proxyFirewall: false,
    healthCheckPorts: cfg.features.healthCheckNodePortFilterRules,
    ensureMarkDrop: true,
  });
  if (kubeletChainsIncluded(cfg.release)) writeKubeletChains(filter, nat, cfg.release, cfg.ipFamily);
}

/** What a 1.19–1.24 planner's per-service-port writer is given (its syncProxyRules locals). */
export interface SyncContext {
  cfg: ProxierConfig;
  filter: TableBuilder;
  nat: TableBuilder;
  /** Large-cluster mode (largeClusterMode). */
  large: boolean;
}

/**
 * syncProxyRules of 1.19 … 1.24 around its per-service loop, the same in those releases: the
 * fixed chains declared (the filter ones as the era lists them), the masquerade chains, one
 * `writeServicePort` call per service port, then the KUBE-NODEPORTS jumps, KUBE-FORWARD and,
 * with --include-jumps, the built-in chains' jumps.
 */
export function planSync119(
  ports: readonly ServicePortWithEndpoints[],
  cfg: ProxierConfig,
  opts: PlanOptions,
  filterChains: readonly string[],
  writeServicePort: (ctx: SyncContext, port: ServicePortWithEndpoints, nodePorts: boolean) => void,
): Ruleset {
  const filter = new TableBuilder('filter');
  const nat = new TableBuilder('nat');
  for (const chain of filterChains) filter.declare(chain);
  for (const chain of [KUBE_SERVICES, KUBE_NODEPORTS, KUBE_POSTROUTING, KUBE_MARK_MASQ]) nat.declare(chain);
  writeMasqueradeChains(nat, cfg);

  const ctx: SyncContext = { cfg, filter, nat, large: largeClusterMode(ports) };
  const nodePorts = hasNodePortAddresses(cfg);
  for (const p of ports) writeServicePort(ctx, p, nodePorts);

  writeNodePortsJumps(nat, cfg);
  writeForwardChain(filter, cfg);
  if (opts.includeJumps) writeOlderJumps(filter, nat, cfg);
  return { filter: filter.table, nat: nat.table };
}
